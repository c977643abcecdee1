/* Config unit tests: defaults vs. the embedded riscv-virt.ini, number and
 * size parsing, error messages (FILE:LINE, key names), validation. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/config.h"
#include "boards/riscv_virt.h"
#include "sim/board.h"

static bool parse(struct config *c, const char *text, char *err, size_t errlen)
{
    return config_parse_string(c, text, "test.ini", err, errlen);
}

START_TEST(defaults_equal_default_ini)
{
    struct config a, b, c;
    char err[256] = "";
    config_defaults(&a);
    /* Every field must come from the ini: parse it onto all-zero memory. */
    memset(&b, 0, sizeof b);
    b.board = board_default(); /* the ini names this board: no reset to defaults */
    ck_assert_msg(config_parse_string(&b, config_default_ini, "<default config>", err, sizeof err),
                  "%s", err);
    ck_assert_str_eq(a.name, b.name);
    ck_assert_str_eq(rv_virt_config_mut(&a)->isa, rv_virt_config_mut(&b)->isa);
    ck_assert_uint_eq(a.ram_size, b.ram_size);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
    /* and parsing it on top of the defaults changes nothing */
    config_defaults(&c);
    ck_assert(config_parse_string(&c, config_default_ini, "<default config>", err, sizeof err));
    ck_assert_int_eq(memcmp(&a, &c, sizeof a), 0);
    ck_assert_msg(config_validate(&a, err, sizeof err), "%s", err);
}
END_TEST

START_TEST(default_values)
{
    struct config c;
    config_defaults(&c);
    ck_assert_int_eq(c.smp, 4);
    ck_assert_uint_eq(c.ram_base, 0x80000000u);
    ck_assert_uint_eq(c.ram_size, 256u << 20);
    ck_assert_uint_eq(rv_virt_config_mut(&c)->uart_base, 0x10000000u);
    ck_assert_uint_eq(rv_virt_config_mut(&c)->plic_base, 0xc000000u);
    ck_assert_uint_eq(rv_virt_config_mut(&c)->aclint_base, 0x2000000u);
    ck_assert_str_eq(rv_virt_config_mut(&c)->mmu_type, "sv48");
    ck_assert_str_eq(c.arch, "riscv64");
    ck_assert_str_eq(c.bios, "");
}
END_TEST

START_TEST(size_parsing)
{
    static const struct { const char *s; uint64_t v; } good[] = {
        { "4096", 4096 },        { "0x1000", 0x1000 },   { "4K", 4096 },
        { "4k", 4096 },          { "256M", 256ull << 20 }, { "1G", 1ull << 30 },
        { "2T", 2ull << 40 },    { "0", 0 },             { "0x10M", 16ull << 20 },
        { "0xffffffffffffffff", UINT64_MAX },
    };
    static const char *const bad[] = {
        "", "M", "12Q", "-1", "0x", "1.5G", " 1", "1 ", "1KB",
        "18446744073709551616", "0x10000000000000000", "17179869184G",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v = 12345;
        ck_assert_msg(config_parse_size(good[i].s, &v), "'%s' rejected", good[i].s);
        ck_assert_msg(v == good[i].v, "'%s' -> %llu", good[i].s, (unsigned long long)v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v;
        ck_assert_msg(!config_parse_size(bad[i], &v), "'%s' accepted", bad[i]);
    }
    uint64_t v;
    ck_assert(config_parse_u64("0xABCdef", &v));
    ck_assert_uint_eq(v, 0xabcdef);
    ck_assert(config_parse_u64("18446744073709551615", &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert(!config_parse_u64("1K", &v));
    ck_assert(!config_parse_u64("12a", &v));
}
END_TEST

START_TEST(values_override)
{
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    ck_assert_msg(parse(&c,
                        "; comment\n"
                        "[machine]\n"
                        "smp = 2\n"
                        "quantum = 500 ; inline comment\n"
                        "[memory]\n"
                        "size = 1G\n"
                        "[cpu]\n"
                        "mmu = sv39\n"
                        "[load]\n"
                        "append = console=ttyS0 earlycon\n",
                        err, sizeof err),
                  "%s", err);
    ck_assert_int_eq(c.smp, 2);
    ck_assert_uint_eq(c.quantum, 500);
    ck_assert_uint_eq(c.ram_size, 1ull << 30);
    ck_assert_str_eq(rv_virt_config_mut(&c)->mmu_type, "sv39");
    ck_assert_str_eq(c.append, "console=ttyS0 earlycon");
    ck_assert_uint_eq(rv_virt_config_mut(&c)->uart_base, 0x10000000u); /* untouched */
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
}
END_TEST

START_TEST(unknown_key_names_key_and_line)
{
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    ck_assert(!parse(&c, "[machine]\nsmp = 2\n\nfrobnicate = 1\n", err, sizeof err));
    ck_assert_msg(strstr(err, "test.ini:4:") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "unknown key 'frobnicate' in [machine]") != NULL, "%s", err);

    ck_assert(!parse(&c, "[machine]\nsmp = 2\n[bogus]\nx = 1\n", err, sizeof err));
    ck_assert_msg(strstr(err, "test.ini:3:") && strstr(err, "bogus"), "%s", err);

    ck_assert(!parse(&c, "[bogus]\n", err, sizeof err)); /* even without keys */
    ck_assert_msg(strstr(err, "test.ini:1:") && strstr(err, "bogus"), "%s", err);

    ck_assert(!parse(&c, "smp = 2\n", err, sizeof err));
    ck_assert_msg(strstr(err, "test.ini:1:") && strstr(err, "'smp'"), "%s", err);

    ck_assert(!parse(&c, "[machine]\nthis is not ini\n", err, sizeof err));
    ck_assert_msg(strstr(err, "test.ini:2:") != NULL, "%s", err);
}
END_TEST

START_TEST(bad_numbers)
{
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    ck_assert(!parse(&c, "[machine]\nsmp = four\n", err, sizeof err));
    ck_assert_msg(strstr(err, "test.ini:2:") && strstr(err, "'four'") && strstr(err, "smp"),
                  "%s", err);
    ck_assert(!parse(&c, "[memory]\nsize = 12Q\n", err, sizeof err));
    ck_assert_msg(strstr(err, "test.ini:2:") && strstr(err, "'12Q'"), "%s", err);
    ck_assert(!parse(&c, "[plic]\nndev = 0x100000000\n", err, sizeof err));
    ck_assert_msg(strstr(err, "ndev") != NULL, "%s", err);
    ck_assert(!parse(&c, "[uart]\nbase =\n", err, sizeof err));
    ck_assert_msg(strstr(err, "base") != NULL, "%s", err);
}
END_TEST

START_TEST(overlap_names_both_windows)
{
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    rv_virt_config_mut(&c)->uart_base = 0x80001000;
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "uart [0x80001000, 0x80001100)") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "memory [0x80000000, 0x90000000)") != NULL, "%s", err);

    config_defaults(&c);
    rv_virt_config_mut(&c)->plic_base = 0x2008000; /* inside the mtimer window */
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "mtimer") && strstr(err, "plic"), "%s", err);

    config_defaults(&c);
    rv_virt_config_mut(&c)->sswi_base = 0x1000; /* on top of the boot ROM */
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "bootrom") && strstr(err, "sswi"), "%s", err);

    /* adjacent windows are fine */
    config_defaults(&c);
    rv_virt_config_mut(&c)->test_base = 0x2000; /* ROM is [0x1000, 0x2000) */
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
}
END_TEST

START_TEST(validate_ranges)
{
    struct config c;
    char err[256] = "";
    config_defaults(&c);
    c.smp = 0;
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "smp") != NULL, "%s", err);
    c.smp = CONFIG_MAX_CPUS + 1;
    ck_assert(!config_validate(&c, err, sizeof err));
    c.smp = CONFIG_MAX_CPUS;
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);

    config_defaults(&c);
    c.ram_size = 0x1001;
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "memory") != NULL, "%s", err);
    c.ram_size = 0;
    ck_assert(!config_validate(&c, err, sizeof err));

    config_defaults(&c);
    c.quantum = 0;
    ck_assert(!config_validate(&c, err, sizeof err));
    config_defaults(&c);
    c.cpu_hz = 0;
    ck_assert(!config_validate(&c, err, sizeof err));
    config_defaults(&c);
    rv_virt_config_mut(&c)->timebase_hz = 0;
    ck_assert(!config_validate(&c, err, sizeof err));
    config_defaults(&c);
    strcpy(rv_virt_config_mut(&c)->mmu_type, "sv57");
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "sv57") != NULL, "%s", err);
    config_defaults(&c);
    strcpy(c.arch, "x86_64");
    ck_assert(!config_validate(&c, err, sizeof err));
    ck_assert_msg(strstr(err, "x86_64") != NULL, "%s", err);
    config_defaults(&c);
    c.ram_base = UINT64_MAX - 0xfff; /* wraps */
    ck_assert(!config_validate(&c, err, sizeof err));
}
END_TEST

START_TEST(parse_file_errors_name_the_file)
{
    struct config c;
    char err[512] = "";
    config_defaults(&c);
    ck_assert(!config_parse_file(&c, "/nonexistent/hvsim.ini", err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/hvsim.ini") != NULL, "%s", err);

    char path[] = "/tmp/hvsim-test-config-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("[machine]\nsmp = 2\n[uart]\nirq = 3\nspeed = 9600\n", f);
    fclose(f);
    ck_assert(!config_parse_file(&c, path, err, sizeof err));
    char want[64];
    snprintf(want, sizeof want, "%s:5:", path);
    ck_assert_msg(strstr(err, want) && strstr(err, "'speed'"), "%s", err);
    unlink(path);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults_equal_default_ini);
    tcase_add_test(tc, default_values);
    tcase_add_test(tc, size_parsing);
    tcase_add_test(tc, values_override);
    tcase_add_test(tc, unknown_key_names_key_and_line);
    tcase_add_test(tc, bad_numbers);
    tcase_add_test(tc, overlap_names_both_windows);
    tcase_add_test(tc, validate_ranges);
    tcase_add_test(tc, parse_file_errors_name_the_file);
    suite_add_tcase(s, tc);
    return s;
}
