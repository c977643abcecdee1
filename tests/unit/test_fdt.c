/* Device tree generation (read back with libfdt), DTB file checks, the DTB
 * placement rule and the boot ROM code. */
#include <check.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boards/riscv_virt_bootrom.h"
#include "boards/riscv_virt_fdt.h"
#include "sim/config.h"
#include "boards/riscv_virt.h"

static void *build4(struct config *c)
{
    char err[256] = "";
    config_defaults(c);
    c->smp = 4;
    snprintf(c->append, sizeof c->append, "console=ttyS0 earlycon");
    void *fdt = fdt_build(c, 0x88000000, 0x88100000, err, sizeof err);
    ck_assert_msg(fdt != NULL, "%s", err);
    ck_assert_int_eq(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
    return fdt;
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
    int len = 0;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    ck_assert_msg(p != NULL, "missing %s", name);
    ck_assert_int_eq(len, 4);
    return fdt32_to_cpu(*p);
}

static uint64_t prop_u64(const void *fdt, int node, const char *name)
{
    int len = 0;
    const void *p = fdt_getprop(fdt, node, name, &len);
    ck_assert_msg(p != NULL, "missing %s", name);
    ck_assert_int_eq(len, 8);
    fdt64_t v; /* properties are only 4-byte aligned */
    memcpy(&v, p, sizeof v);
    return fdt64_to_cpu(v);
}

static const fdt32_t *prop_cells(const void *fdt, int node, const char *name, int ncells)
{
    int len = 0;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    ck_assert_msg(p != NULL, "missing %s", name);
    ck_assert_int_eq(len, ncells * 4);
    return p;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    ck_assert_msg(off >= 0, "no node %s", path);
    return off;
}

/* Phandle of hart `h`'s riscv,cpu-intc. */
static uint32_t intc_phandle(const void *fdt, int h)
{
    char path[64];
    snprintf(path, sizeof path, "/cpus/cpu@%x/interrupt-controller", h);
    int off = node(fdt, path);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, off, "riscv,cpu-intc"), 0);
    return fdt_get_phandle(fdt, off);
}

START_TEST(root_and_chosen)
{
    struct config c;
    void *fdt = build4(&c);
    ck_assert_uint_eq(prop_u32(fdt, 0, "#address-cells"), 2);
    ck_assert_uint_eq(prop_u32(fdt, 0, "#size-cells"), 2);
    ck_assert_str_eq(fdt_getprop(fdt, 0, "compatible", NULL), "riscv-virtio");
    ck_assert_str_eq(fdt_getprop(fdt, 0, "model", NULL), "riscv-virtio,qemu");

    int chosen = node(fdt, "/chosen");
    const char *sp = fdt_getprop(fdt, chosen, "stdout-path", NULL);
    ck_assert_str_eq(sp, "/soc/serial@10000000");
    ck_assert_int_ge(fdt_path_offset(fdt, sp), 0); /* resolves */
    ck_assert_str_eq(fdt_getprop(fdt, chosen, "bootargs", NULL), "console=ttyS0 earlycon");
    ck_assert_uint_eq(prop_u64(fdt, chosen, "linux,initrd-start"), 0x88000000u);
    ck_assert_uint_eq(prop_u64(fdt, chosen, "linux,initrd-end"), 0x88100000u);

    const fdt32_t *reg = prop_cells(fdt, node(fdt, "/memory@80000000"), "reg", 4);
    ck_assert_uint_eq(fdt32_to_cpu(reg[1]), 0x80000000u);
    ck_assert_uint_eq(fdt32_to_cpu(reg[3]), 256u << 20);
    free(fdt);

    /* no append, no initrd: no bootargs, no initrd properties */
    char err[256];
    config_defaults(&c);
    fdt = fdt_build(&c, 0, 0, err, sizeof err);
    ck_assert_ptr_nonnull(fdt);
    chosen = node(fdt, "/chosen");
    ck_assert_ptr_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
    ck_assert_ptr_null(fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
    free(fdt);
}
END_TEST

START_TEST(cpus)
{
    struct config c;
    void *fdt = build4(&c);
    int cpus = node(fdt, "/cpus");
    ck_assert_uint_eq(prop_u32(fdt, cpus, "timebase-frequency"), 10000000u);
    int n = 0, off;
    fdt_for_each_subnode(off, fdt, cpus) {
        const char *dt = fdt_getprop(fdt, off, "device_type", NULL);
        if (!dt || strcmp(dt, "cpu") != 0)
            continue;
        ck_assert_uint_eq(prop_u32(fdt, off, "reg"), (uint32_t)n);
        ck_assert_str_eq(fdt_getprop(fdt, off, "riscv,isa", NULL), rv_virt_config_mut(&c)->isa);
        /* riscv/cpus.yaml: the base and the implemented extensions as a string list */
        ck_assert_str_eq(fdt_getprop(fdt, off, "riscv,isa-base", NULL), "rv64i");
        static const char exts[] = "i\0m\0a\0f\0d\0c\0h\0zicsr\0zifencei\0zicntr\0zihpm\0zba\0zbb\0zbs\0sstc";
        int elen = 0;
        const void *ev = fdt_getprop(fdt, off, "riscv,isa-extensions", &elen);
        ck_assert_int_eq(elen, (int)sizeof exts);
        ck_assert_mem_eq(ev, exts, sizeof exts);
        ck_assert_int_eq(fdt_stringlist_count(fdt, off, "riscv,isa-extensions"), 15);
        ck_assert_str_eq(fdt_getprop(fdt, off, "mmu-type", NULL), "riscv,sv48");
        ck_assert_str_eq(fdt_getprop(fdt, off, "status", NULL), "okay");
        ck_assert_int_eq(fdt_node_check_compatible(fdt, off, "riscv"), 0);
        /* cpu-map/cluster0/coreN points at this cpu */
        char path[64];
        snprintf(path, sizeof path, "/cpus/cpu-map/cluster0/core%d", n);
        ck_assert_uint_eq(prop_u32(fdt, node(fdt, path), "cpu"), fdt_get_phandle(fdt, off));
        ck_assert_uint_ne(intc_phandle(fdt, n), 0);
        n++;
    }
    ck_assert_int_eq(n, 4);
    free(fdt);

    char err[256];
    config_defaults(&c);
    snprintf(rv_virt_config_mut(&c)->mmu_type, sizeof rv_virt_config_mut(&c)->mmu_type, "sv39");
    fdt = fdt_build(&c, 0, 0, err, sizeof err);
    ck_assert_ptr_nonnull(fdt);
    ck_assert_str_eq(fdt_getprop(fdt, node(fdt, "/cpus/cpu@0"), "mmu-type", NULL),
                     "riscv,sv39");
    free(fdt);
}
END_TEST

START_TEST(clint_plic_serial)
{
    struct config c;
    void *fdt = build4(&c);

    int clint = node(fdt, "/soc/clint@2000000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, clint, "sifive,clint0"), 0);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, clint, "riscv,clint0"), 0);
    const fdt32_t *ie = prop_cells(fdt, clint, "interrupts-extended", 4 * 4);
    for (int h = 0; h < 4; h++) {
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 0]), intc_phandle(fdt, h));
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 1]), 3); /* M software */
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 2]), intc_phandle(fdt, h));
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 3]), 7); /* M timer */
    }
    const fdt32_t *reg = prop_cells(fdt, clint, "reg", 4);
    ck_assert_uint_eq(fdt32_to_cpu(reg[3]), 0x10000);
    /* exactly one IPI device: no ACLINT nodes besides the CLINT */
    ck_assert_int_lt(fdt_node_offset_by_compatible(fdt, -1, "riscv,aclint-mswi"), 0);
    ck_assert_int_lt(fdt_node_offset_by_compatible(fdt, -1, "riscv,aclint-sswi"), 0);

    int plic = node(fdt, "/soc/plic@c000000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, plic, "riscv,plic0"), 0);
    ck_assert_uint_eq(prop_u32(fdt, plic, "riscv,ndev"), 96); /* like QEMU virt */
    ck_assert_uint_eq(prop_u32(fdt, plic, "#interrupt-cells"), 1);
    ck_assert_ptr_nonnull(fdt_getprop(fdt, plic, "interrupt-controller", NULL));
    ie = prop_cells(fdt, plic, "interrupts-extended", 4 * 4);
    for (int h = 0; h < 4; h++) {
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 0]), intc_phandle(fdt, h));
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 1]), 11); /* context 2h: M external */
        ck_assert_uint_eq(fdt32_to_cpu(ie[4 * h + 3]), 9);  /* context 2h+1: S external */
    }
    reg = prop_cells(fdt, plic, "reg", 4);
    ck_assert_uint_eq(fdt32_to_cpu(reg[1]), 0xc000000u);
    ck_assert_uint_eq(fdt32_to_cpu(reg[3]), 0x600000u);

    int uart = node(fdt, "/soc/serial@10000000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, uart, "ns16550a"), 0);
    reg = prop_cells(fdt, uart, "reg", 4);
    ck_assert_uint_eq(fdt32_to_cpu(reg[0]), 0);
    ck_assert_uint_eq(fdt32_to_cpu(reg[1]), 0x10000000u);
    ck_assert_uint_eq(fdt32_to_cpu(reg[3]), 0x100);
    ck_assert_uint_eq(prop_u32(fdt, uart, "interrupts"), 10);
    ck_assert_uint_eq(prop_u32(fdt, uart, "interrupt-parent"), fdt_get_phandle(fdt, plic));
    ck_assert_uint_eq(prop_u32(fdt, uart, "clock-frequency"), 3686400);

    int test = node(fdt, "/soc/test@100000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, test, "sifive,test0"), 0);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, test, "syscon"), 0);
    int off = node(fdt, "/poweroff");
    ck_assert_uint_eq(prop_u32(fdt, off, "regmap"), fdt_get_phandle(fdt, test));
    ck_assert_uint_eq(prop_u32(fdt, off, "value"), 0x5555);
    off = node(fdt, "/reboot");
    ck_assert_uint_eq(prop_u32(fdt, off, "regmap"), fdt_get_phandle(fdt, test));
    ck_assert_uint_eq(prop_u32(fdt, off, "value"), 0x7777);
    free(fdt);
}
END_TEST

START_TEST(deterministic_and_large)
{
    struct config c;
    char err[256];
    void *a = build4(&c);
    void *b = build4(&c);
    ck_assert_uint_eq(fdt_totalsize(a), fdt_totalsize(b));
    ck_assert_int_eq(memcmp(a, b, fdt_totalsize(a)), 0);
    free(a);
    free(b);

    config_defaults(&c);
    c.smp = CONFIG_MAX_CPUS;
    a = fdt_build(&c, 0, 0, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(fdt_check_full(a, fdt_totalsize(a)), 0);
    ck_assert_int_ge(fdt_path_offset(a, "/cpus/cpu@3f"), 0);
    int len;
    ck_assert_ptr_nonnull(fdt_getprop(a, fdt_path_offset(a, "/soc/plic@c000000"),
                                      "interrupts-extended", &len));
    ck_assert_int_eq(len, CONFIG_MAX_CPUS * 16);
    free(a);

    c.smp = 0;
    ck_assert_ptr_null(fdt_build(&c, 0, 0, err, sizeof err));
}
END_TEST

START_TEST(read_file_rejects_garbage)
{
    char path[] = "/tmp/hvsim-test-dtb-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char junk[200];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 37 + 11);
    ck_assert_int_eq(write(fd, junk, sizeof junk), (int)sizeof junk);
    close(fd);

    char err[512] = "";
    size_t size = 0;
    ck_assert_ptr_null(fdt_read_file(path, &size, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s is not a device tree blob", path);
    ck_assert_msg(strstr(err, want) != NULL, "%s", err);

    /* a real DTB round-trips; the same DTB cut short is rejected */
    struct config c;
    void *fdt = build4(&c);
    ck_assert_msg(fdt_write_file(fdt, path, err, sizeof err), "%s", err);
    void *back = fdt_read_file(path, &size, err, sizeof err);
    ck_assert_msg(back != NULL, "%s", err);
    ck_assert_uint_eq(size, fdt_totalsize(fdt));
    ck_assert_int_eq(memcmp(back, fdt, size), 0);
    free(back);
    ck_assert_int_eq(truncate(path, (off_t)(fdt_totalsize(fdt) - 16)), 0);
    ck_assert_ptr_null(fdt_read_file(path, &size, err, sizeof err));
    ck_assert_msg(strstr(err, want) != NULL, "%s", err);
    free(fdt);
    unlink(path);

    ck_assert_ptr_null(fdt_read_file("/nonexistent/x.dtb", &size, err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/x.dtb") != NULL, "%s", err);
}
END_TEST

START_TEST(default_address)
{
    struct config c;
    config_defaults(&c); /* 256 MiB at 0x80000000 */
    ck_assert_uint_eq(fdt_default_addr(&c, 0x2000), 0x8fe00000u);
    ck_assert_uint_eq(fdt_default_addr(&c, 0x200000), 0x8fe00000u);
    ck_assert_uint_eq(fdt_default_addr(&c, 0x200001), 0x8fc00000u);
    c.ram_size = 8ull << 30; /* capped at base + 3 GiB */
    ck_assert_uint_eq(fdt_default_addr(&c, 0x2000), 0x80000000u + (3ull << 30) - 0x200000);
    c.ram_size = 0x1000; /* does not fit: never below RAM */
    ck_assert_uint_eq(fdt_default_addr(&c, 0x2000), 0x80000000u);
}
END_TEST

static uint32_t word(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(bootrom_code)
{
    uint8_t rom[64];
    memset(rom, 0xee, sizeof rom);
    ck_assert(bootrom_build(rom, sizeof rom, 0x80000000u, 0x8fe00000u));
    /* Expected encodings (as assembled by GNU as for rv64). */
    ck_assert_uint_eq(word(rom + 0), 0x00000297u);  /* auipc t0, 0 */
    ck_assert_uint_eq(word(rom + 4), 0xf1402573u);  /* csrr a0, mhartid */
    ck_assert_uint_eq(word(rom + 8), 0x0182b583u);  /* ld a1, 24(t0) */
    ck_assert_uint_eq(word(rom + 12), 0x0202b283u); /* ld t0, 32(t0) */
    ck_assert_uint_eq(word(rom + 16), 0x00028067u); /* jr t0 */
    ck_assert_uint_eq(word(rom + 20), 0x00000013u); /* nop */
    ck_assert_uint_eq(word(rom + 24), 0x8fe00000u); /* dtb, low word */
    ck_assert_uint_eq(word(rom + 28), 0);
    ck_assert_uint_eq(word(rom + 32), 0x80000000u); /* jump, low word */
    ck_assert_uint_eq(word(rom + 36), 0);
    ck_assert_uint_eq(rom[BOOTROM_CODE_SIZE], 0xee); /* rest untouched */

    ck_assert(bootrom_build(rom, BOOTROM_CODE_SIZE, 0x1122334455667788ull, 0));
    ck_assert_uint_eq(word(rom + 32), 0x55667788u);
    ck_assert_uint_eq(word(rom + 36), 0x11223344u);
    ck_assert(!bootrom_build(rom, BOOTROM_CODE_SIZE - 1, 0, 0));
}
END_TEST

Suite *fdt_suite(void)
{
    Suite *s = suite_create("fdt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, root_and_chosen);
    tcase_add_test(tc, cpus);
    tcase_add_test(tc, clint_plic_serial);
    tcase_add_test(tc, deterministic_and_large);
    tcase_add_test(tc, read_file_rejects_garbage);
    tcase_add_test(tc, default_address);
    suite_add_tcase(s, tc);
    TCase *rom = tcase_create("bootrom");
    tcase_add_test(rom, bootrom_code);
    suite_add_tcase(s, rom);
    return s;
}
