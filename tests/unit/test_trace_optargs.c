/* Optional trailing record arguments (docs/trace-format.md "Optional
 * arguments", src/trace/event.h TRACE_KIND_OPT): x86 VMX's VPID on
 * vm.exit / vm.entry and the event a vm.entry injects. Round trip through
 * the writer and reader; the bytes of a record without them are those of
 * the format before (old traces read, RISC-V records unchanged); a reader
 * skips optional arguments it does not know; bad counts are corrupt;
 * comparison rules (a record without them matches one with them); the x86
 * names of injected events. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "sim/arch.h"
#include "trace/event.h"
#include "trace/trace.h"

static void tmp_name(char *buf, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, len, "%s/hvsim-optargs-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(buf);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void header(struct trace_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = TRACE_FORMAT_VERSION;
    snprintf(h->hvsim_version, sizeof h->hvsim_version, "0.0");
    h->event_mask = 1ull << TK_VM_EXIT | 1ull << TK_VM_ENTRY;
    h->config_ini = strdup("[machine]\narch = x86_64\n");
}

/* The record bytes (the decompressed stream) of a file. */
static uint8_t *stream_of(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    uint32_t hl = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16;
    size_t cap = 1 << 16;
    uint8_t *out = malloc(cap);
    size_t z = ZSTD_decompress(out, cap, b + 16 + hl, (size_t)n - 16 - hl);
    ck_assert(!ZSTD_isError(z));
    free(b);
    *len = z;
    return out;
}

/* Writes magic + version + header + zstd(payload). */
static void write_raw(const char *path, const uint8_t *payload, size_t plen)
{
    const char *hdr = "hvsim-version 0.0\nseed 0\nevent-mask 0x1\nconfig\n[machine]\n";
    size_t hl = strlen(hdr), cap = ZSTD_compressBound(plen);
    uint8_t *out = malloc(16 + hl + cap);
    memcpy(out, TRACE_MAGIC, 8);
    for (int i = 0; i < 4; i++) {
        out[8 + i] = (uint8_t)(TRACE_FORMAT_VERSION >> (8 * i));
        out[12 + i] = (uint8_t)(hl >> (8 * i));
    }
    memcpy(out + 16, hdr, hl);
    size_t z = ZSTD_compress(out + 16 + hl, cap, payload, plen, 1);
    ck_assert(!ZSTD_isError(z));
    FILE *f = fopen(path, "wb");
    ck_assert_uint_eq(fwrite(out, 1, 16 + hl + z, f), 16 + hl + z);
    fclose(f);
    free(out);
}

static const struct trace_event evs[] = {
    /* RISC-V style: no optional arguments */
    { .time = 10, .cpu = 1, .kind = TK_VM_EXIT, .a = { 10, 0x80200000, 0, 0, 0, 3 } },
    /* x86: the VPID (16 bits, all ones) */
    { .time = 20, .cpu = 0, .kind = TK_VM_EXIT, .a = { 30, 0x1000, 0x14, 0x5000, 0xa20f, 0x19a000, 0xffff },
      .nopt = 1 },
    /* an entry without injection: the VPID only */
    { .time = 30, .cpu = 0, .kind = TK_VM_ENTRY, .a = { 0x1002, 0x19a000, 1 }, .nopt = 1 },
    /* an entry injecting #GP(0x18) */
    { .time = 40, .cpu = 2, .kind = TK_VM_ENTRY, .a = { 0x2000, 0x19c000, 3, 0x80000b0d, 0x18, 0 },
      .nopt = 4 },
};
#define NEVS (sizeof evs / sizeof evs[0])

START_TEST(round_trip)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    struct trace_header h;
    header(&h);
    struct trace_writer *w = trace_writer_open(path, &h, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    for (size_t i = 0; i < NEVS; i++)
        ck_assert(trace_writer_put(w, &evs[i]));
    ck_assert(trace_writer_close(w, err, sizeof err));
    trace_header_free(&h);
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    struct trace_event ev;
    for (size_t i = 0; i < NEVS; i++) {
        ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 1);
        ck_assert_uint_eq(ev.kind, evs[i].kind);
        ck_assert_uint_eq(ev.nopt, evs[i].nopt);
        for (unsigned a = 0; a < TRACE_MAX_ARGS; a++)
            ck_assert_msg(ev.a[a] == evs[i].a[a], "event %zu arg %u: %llx", i, a,
                          (unsigned long long)ev.a[a]);
        ck_assert(trace_event_equal(&ev, &evs[i]));
    }
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 0);
    trace_reader_close(r);
    /* the bytes: a record without optional arguments is the format's
     * before them (kind byte, cpu + 1, zigzag delta, the six arguments);
     * one with them has bit 7 of its kind byte set and the count after its
     * own arguments */
    size_t len;
    uint8_t *b = stream_of(path, &len);
    const uint8_t first[] = { TK_VM_EXIT, 2, 20, 10, 0x80, 0x80, 0x80, 0x81, 0x08, 0, 0, 0, 3 };
    ck_assert_uint_ge(len, sizeof first);
    ck_assert_mem_eq(b, first, sizeof first);
    ck_assert_uint_eq(b[sizeof first], TK_VM_EXIT | TRACE_KIND_OPT);
    /* the last record: kind|0x80, cpu 3, +10 (zigzag 20), pc 0x2000 (2 bytes),
     * vmid 0x19c000 (3 bytes), count 4, vpid 3, info (5 bytes), 0x18, 0 */
    const uint8_t last[] = { TK_VM_ENTRY | TRACE_KIND_OPT, 3, 20, 0x80, 0x40, 0x80, 0x80, 0x67,
                             4, 3, 0x8d, 0x96, 0x80, 0x80, 0x08, 0x18, 0 };
    ck_assert_uint_ge(len, sizeof last);
    ck_assert_mem_eq(b + len - sizeof last, last, sizeof last);
    free(b);
    unlink(path);
}
END_TEST

START_TEST(unknown_optional_skipped)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    /* a vm.entry with 6 optional arguments (a later writer's), then an
     * input record: the reader keeps the 4 it knows and reads on */
    const uint8_t p[] = { TK_VM_ENTRY | TRACE_KIND_OPT, 1, 2, 5, 6, 6, 1, 2, 3, 4, 5, 6,
                          TK_INPUT, 1, 2, 'x', TK_END, 0, 0, 0, 9 };
    write_raw(path, p, sizeof p);
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    struct trace_event ev;
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 1);
    ck_assert_uint_eq(ev.kind, TK_VM_ENTRY);
    ck_assert_uint_eq(ev.nopt, 4);
    ck_assert_uint_eq(ev.a[0], 5);
    ck_assert_uint_eq(ev.a[1], 6);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(ev.a[2 + i], i + 1);
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 1);
    ck_assert_uint_eq(ev.kind, TK_INPUT);
    ck_assert_uint_eq(ev.a[0], 'x');
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 1);
    ck_assert_uint_eq(ev.kind, TK_END);
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 0);
    trace_reader_close(r);
    /* a kind without optional arguments may carry some (ignored) */
    const uint8_t q[] = { TK_INPUT | TRACE_KIND_OPT, 1, 2, 'y', 1, 77, TK_END, 0, 0, 0, 9 };
    write_raw(path, q, sizeof q);
    r = trace_reader_open(path, err, sizeof err);
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 1);
    ck_assert_uint_eq(ev.kind, TK_INPUT);
    ck_assert_uint_eq(ev.nopt, 0);
    ck_assert_uint_eq(ev.a[1], 0);
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 1);
    ck_assert_uint_eq(ev.kind, TK_END);
    trace_reader_close(r);
    unlink(path);
}
END_TEST

START_TEST(bad_counts_corrupt)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    /* count 0 (the flag says there are some), count 17 (more than any
     * writer writes), and a count whose arguments the file does not hold */
    const uint8_t zero[] = { TK_VM_EXIT | TRACE_KIND_OPT, 1, 2, 1, 2, 3, 4, 5, 6, 0 };
    const uint8_t many[] = { TK_VM_EXIT | TRACE_KIND_OPT, 1, 2, 1, 2, 3, 4, 5, 6, 17,
                             1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    const uint8_t cut[] = { TK_VM_EXIT | TRACE_KIND_OPT, 1, 2, 1, 2, 3, 4, 5, 6, 3, 1 };
    const uint8_t *cases[] = { zero, many, cut };
    size_t lens[] = { sizeof zero, sizeof many, sizeof cut };
    for (int i = 0; i < 3; i++) {
        write_raw(path, cases[i], lens[i]);
        struct trace_reader *r = trace_reader_open(path, err, sizeof err);
        ck_assert_msg(r != NULL, "%s", err);
        struct trace_event ev;
        ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "record 0") != NULL, "case %d: %s", i, err);
        trace_reader_close(r);
    }
    unlink(path);
}
END_TEST

START_TEST(equal_rules)
{
    struct trace_event a = evs[3], b = evs[3];
    ck_assert(trace_event_equal(&a, &b));
    /* an optional argument differs */
    b.a[TRACE_VM_ENTRY_INJECT_ERR] = 0x19;
    ck_assert(!trace_event_equal(&a, &b));
    /* a record of a trace recorded before them (none) matches on its own */
    b = evs[3];
    b.nopt = 0;
    for (unsigned i = 2; i < TRACE_MAX_ARGS; i++)
        b.a[i] = 0;
    ck_assert(trace_event_equal(&a, &b));
    ck_assert(trace_event_equal(&b, &a));
    b.a[0]++; /* but its own arguments are compared */
    ck_assert(!trace_event_equal(&a, &b));
    /* an entry that injects and one that does not, with the same VPID:
     * different */
    b = evs[3];
    b.nopt = 1;
    ck_assert(!trace_event_equal(&a, &b));
    /* the accessors */
    ck_assert_int_eq(trace_vm_vpid(&evs[0]), -1);
    ck_assert_int_eq(trace_vm_vpid(&evs[1]), 0xffff);
    ck_assert_int_eq(trace_vm_vpid(&evs[2]), 1);
    ck_assert_uint_eq(trace_vm_inject(&evs[2]), 0);
    ck_assert_uint_eq(trace_vm_inject(&evs[3]), 0x80000b0d);
}
END_TEST

/* x86: arch_info.vm_inject_name / vm_inject_class (SDM vol. 3C §24.8.3) */
START_TEST(x86_inject_names)
{
    const struct arch_info *x86 = arch_by_name("x86_64");
    ck_assert_ptr_nonnull(x86);
    ck_assert_ptr_nonnull(x86->vm_inject_name);
    static const struct { uint64_t info, err, len; const char *want, *cls; } t[] = {
        { 0x80000040, 0, 0, "EXT_INT vector=0x40", "EXT_INT" },
        { 0x80000202, 0, 0, "NMI", "NMI" },
        { 0x80000b0d, 0, 0, "HW_EXC #GP(0)", "HW_EXC" },
        { 0x80000b0e, 2, 0, "HW_EXC #PF(0x2)", "HW_EXC" },
        { 0x80000306, 0, 0, "HW_EXC #UD", "HW_EXC" },
        { 0x80000480, 0, 2, "SW_INT int 0x80 len=2", "SW_INT" },
        { 0x80000501, 0, 1, "PRIV_SW_EXC #DB len=1", "PRIV_SW_EXC" },
        { 0x80000603, 0, 1, "SW_EXC #BP len=1", "SW_EXC" },
        { 0x80000100, 0, 0, "type1 vector=0x00", NULL },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[64];
        size_t n = x86->vm_inject_name(t[i].info, t[i].err, t[i].len, buf, sizeof buf);
        ck_assert_str_eq(buf, t[i].want);
        ck_assert_uint_eq(n, strlen(t[i].want));
        const char *c = x86->vm_inject_class(t[i].info);
        if (t[i].cls)
            ck_assert_str_eq(c, t[i].cls);
        else
            ck_assert_ptr_null(c);
    }
    /* a short buffer: truncated, the full length returned */
    char small[6];
    ck_assert_uint_eq(x86->vm_inject_name(0x80000b0e, 2, 0, small, sizeof small), strlen("HW_EXC #PF(0x2)"));
    ck_assert_str_eq(small, "HW_EX");
    /* RISC-V has no injections to name */
    const struct arch_info *rv = arch_by_name("riscv64");
    ck_assert_ptr_nonnull(rv);
    ck_assert_ptr_null(rv->vm_inject_name);
}
END_TEST

Suite *trace_optargs_suite(void)
{
    Suite *s = suite_create("trace_optargs");
    TCase *tc = tcase_create("optargs");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, unknown_optional_skipped);
    tcase_add_test(tc, bad_counts_corrupt);
    tcase_add_test(tc, equal_rules);
    tcase_add_test(tc, x86_inject_names);
    suite_add_tcase(s, tc);
    return s;
}
