/* The PC board's firmware tables (src/boards/x86_pc_mptable.c, x86_pc_acpi.c):
 * MP floating pointer and configuration table (MP spec 1.4 ch. 4) and the
 * ACPI tables, checked byte by byte: checksums, entry counts, APIC IDs, the
 * x2APIC entries above ID 254 and the refusals. */
#include <check.h>
#include <string.h>

#include <stdlib.h>

#include "boards/x86_pc_acpi.h"
#include "boards/x86_pc_mptable.h"
#include "devices/acpi_pm.h"
#include "sim/machine.h"
#include "x86_fixture.h"

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}
static uint32_t r16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t r32(const uint8_t *p) { return r16(p) | r16(p + 2) << 16; }

static uint8_t buf[65536];

START_TEST(mptable)
{
    char err[256] = "";
    size_t used;
    int n = _i == 0 ? 1 : _i == 1 ? 4 : 64;
    ck_assert_msg(pc_mptable_build(buf, sizeof buf, 0xf0000, n, 0x206f1, &used, err, sizeof err),
                  "%s", err);
    ck_assert_uint_eq(used, pc_mptable_size(n));
    ck_assert(!memcmp(buf, "_MP_", 4));
    ck_assert_uint_eq(r32(buf + 4), 0xf0010);
    ck_assert_uint_eq(buf[8], 1);
    ck_assert_uint_eq(buf[9], 4);
    ck_assert_uint_eq(sum(buf, 16), 0);
    const uint8_t *h = buf + 16;
    ck_assert(!memcmp(h, "PCMP", 4));
    size_t len = r16(h + 4);
    ck_assert_uint_eq(16 + len, used);
    ck_assert_uint_eq(sum(h, len), 0);
    ck_assert_uint_eq(r32(h + 36), 0xfee00000);
    /* entries: n processors, bus, IOAPIC, 16 I/O interrupts, 2 local */
    ck_assert_uint_eq(r16(h + 34), (unsigned)n + 1 + 1 + 16 + 2);
    const uint8_t *e = h + 44;
    for (int i = 0; i < n; i++, e += 20) {
        ck_assert_uint_eq(e[0], 0);
        ck_assert_uint_eq(e[1], i);
        ck_assert_uint_eq(e[3], i == 0 ? 3 : 1);      /* EN, BP on CPU 0 */
        ck_assert_uint_eq(r32(e + 4), 0x6f1);
    }
    ck_assert_uint_eq(e[0], 1);
    ck_assert(!memcmp(e + 2, "ISA   ", 6));
    e += 8;
    ck_assert_uint_eq(e[0], 2);
    ck_assert_uint_eq(e[1], n);                       /* IOAPIC ID n */
    ck_assert_uint_eq(r32(e + 4), 0xfec00000);
    e += 8;
    int pin_of_irq[16];
    memset(pin_of_irq, -1, sizeof pin_of_irq);
    int extint = 0;
    for (int i = 0; i < 16; i++, e += 8) {
        ck_assert_uint_eq(e[0], 3);
        ck_assert_uint_eq(e[6], n);
        if (e[1] == 3) {
            extint++;
            ck_assert_uint_eq(e[7], 0);
        } else
            pin_of_irq[e[5]] = e[7];
    }
    ck_assert_int_eq(extint, 1);
    ck_assert_int_eq(pin_of_irq[0], 2);               /* PIT on INTIN2 */
    ck_assert_int_eq(pin_of_irq[2], -1);              /* cascade */
    ck_assert_int_eq(pin_of_irq[4], 4);               /* COM1 */
    ck_assert_uint_eq(e[0], 4);
    ck_assert_uint_eq(e[1], 3);
    ck_assert_uint_eq(e[7], 0);
    ck_assert_uint_eq(e[6], 0xff);
    e += 8;
    ck_assert_uint_eq(e[0], 4);
    ck_assert_uint_eq(e[1], 1);
    ck_assert_uint_eq(e[7], 1);
}
END_TEST

START_TEST(mptable_refusals)
{
    char err[256] = "";
    size_t used;
    ck_assert(!pc_mptable_build(buf, sizeof buf, 0xf0000, 255, 0, &used, err, sizeof err));
    ck_assert_msg(strstr(err, "--smp 255: the MP table describes at most 254 CPUs"), "%s", err);
    ck_assert(!pc_mptable_build(buf, 100, 0xf0000, 4, 0, &used, err, sizeof err));
    ck_assert_msg(strstr(err, "do not fit"), "%s", err);
    ck_assert(!pc_mptable_build(buf, sizeof buf, 0xf0008, 4, 0, &used, err, sizeof err));
}
END_TEST

static const struct pc_acpi_table *find(const struct pc_acpi *a, const char *name)
{
    for (int i = 0; i < a->ntables; i++)
        if (!strcmp(a->t[i].name, name))
            return &a->t[i];
    ck_abort_msg("no table %s", name);
    return NULL;
}

START_TEST(acpi)
{
    char err[256] = "";
    struct pc_acpi a;
    int n = _i == 0 ? 1 : _i == 1 ? 8 : 300;
    uint8_t ioid = n < 255 ? (uint8_t)n : 0xfe;
    ck_assert_msg(pc_acpi_build(buf, sizeof buf, 0xf0200, n, ioid, &a, err, sizeof err), "%s", err);
    ck_assert_uint_le(a.used, pc_acpi_size(n));
    ck_assert_uint_eq(a.rsdp, 0xf0200);
    ck_assert_int_eq(a.ntables, 7);
    const struct pc_acpi_table *t = find(&a, "RSDP");
    ck_assert(!memcmp(buf + t->off, "RSD PTR ", 8));
    ck_assert_uint_eq(sum(buf + t->off, 20), 0);
    ck_assert_uint_eq(sum(buf + t->off, 36), 0);
    ck_assert_uint_eq(buf[t->off + 15], 2);
    ck_assert_uint_eq(r32(buf + t->off + 16), find(&a, "RSDT")->pa);
    ck_assert_uint_eq(r32(buf + t->off + 24), find(&a, "XSDT")->pa);
    const char *withsum[] = { "RSDT", "XSDT", "FACP", "DSDT", "APIC" };
    for (size_t i = 0; i < 5; i++) {
        t = find(&a, withsum[i]);
        ck_assert(!memcmp(buf + t->off, withsum[i], 4));
        ck_assert_uint_eq(r32(buf + t->off + 4), t->len);
        ck_assert_msg(sum(buf + t->off, t->len) == 0, "%s checksum", withsum[i]);
    }
    ck_assert_uint_eq(find(&a, "FACS")->pa % 64, 0);
    const uint8_t *f = buf + find(&a, "FACP")->off;
    ck_assert_uint_eq(r32(f + 140), find(&a, "DSDT")->pa);
    ck_assert_uint_eq(r32(f + 132), find(&a, "FACS")->pa);
    ck_assert_uint_eq(r32(f + 112) & (1u << 20), 0);   /* not hardware-reduced */
    /* MADT: n processors, xAPIC entries up to ID 254, x2APIC above */
    t = find(&a, "APIC");
    const uint8_t *m = buf + t->off;
    int lapic = 0, x2apic = 0, ioapic = 0, iso = 0, nmi = 0, x2nmi = 0;
    for (size_t o = 44; o < t->len; o += m[o + 1]) {
        ck_assert_uint_gt(m[o + 1], 0);
        switch (m[o]) {
        case 0: ck_assert_uint_eq(m[o + 3], lapic); lapic++; break;
        case 9: ck_assert_uint_eq(r32(m + o + 4), 255 + x2apic); x2apic++; break;
        case 1: ck_assert_uint_eq(m[o + 2], ioid); ck_assert_uint_eq(r32(m + o + 4), 0xfec00000); ioapic++; break;
        case 2: iso++; break;
        case 4: nmi++; break;
        case 0xa: x2nmi++; break;
        default: ck_abort_msg("MADT entry type %u", m[o]);
        }
    }
    ck_assert_int_eq(lapic + x2apic, n);
    ck_assert_int_eq(lapic, n < 255 ? n : 255);
    ck_assert_int_eq(ioapic, 1);
    ck_assert_int_eq(iso, 2);
    ck_assert_int_eq(nmi, 1);
    ck_assert_int_eq(x2nmi, n > 255 ? 1 : 0);
    ck_assert(!pc_acpi_build(buf, 64, 0xf0200, n, ioid, &a, err, sizeof err));
    ck_assert_msg(strstr(err, "do not fit"), "%s", err);
}
END_TEST

/* The PM1a blocks the FADT names (src/devices/acpi_pm.c): SCI_EN reads 1,
 * PM1_STS is write-1-to-clear, PM1_EN read/write, SLP_EN with SLP_TYP 5 (the
 * DSDT's \_S5) powers off with exit status 0, another type does nothing. */
START_TEST(pm1_s5)
{
    struct machine *m = calloc(1, sizeof *m);
    struct acpi_pm *p = acpi_pm_new(m, PC_ACPI_SLP_TYP_S5);
    uint64_t v;
    ck_assert(acpi_pm_ops.read(acpi_pm_cnt(p), 0, 2, &v));
    ck_assert_uint_eq(v, 1);
    ck_assert(acpi_pm_ops.write(acpi_pm_evt(p), 2, 2, 0x0121));
    ck_assert(acpi_pm_ops.read(acpi_pm_evt(p), 0, 4, &v));
    ck_assert_uint_eq(v, 0x01210000);
    ck_assert(acpi_pm_ops.write(acpi_pm_evt(p), 0, 2, 0xffff));
    ck_assert(acpi_pm_ops.read(acpi_pm_evt(p), 2, 2, &v));
    ck_assert_uint_eq(v, 0x0121);
    ck_assert(acpi_pm_ops.write(acpi_pm_cnt(p), 0, 2, (3u << 10) | 0x2000));  /* S3: ignored */
    ck_assert(!m->exit_requested);
    ck_assert(acpi_pm_ops.read(acpi_pm_cnt(p), 0, 2, &v));
    ck_assert_uint_eq(v, (3u << 10) | 1);                                    /* SLP_EN reads 0 */
    ck_assert(acpi_pm_ops.write(acpi_pm_cnt(p), 0, 2, 5u << 10));             /* type, no SLP_EN */
    ck_assert(!m->exit_requested);
    ck_assert(acpi_pm_ops.write(acpi_pm_cnt(p), 1, 1, (5u << 2) | 0x20));     /* high byte: S5 + SLP_EN */
    ck_assert(m->exit_requested);
    ck_assert_int_eq(m->exit_code, EXIT_PASS);
    ck_assert_str_eq(m->exit_reason, "ACPI S5 power-off (PM1a_CNT SLP_EN)");
    acpi_pm_free(p);
    free(m);
}
END_TEST

/* CPUID leaf 0BH (SDM vol. 2 "CPUID"; vol. 3A 8.9.1), the topology the
 * tables' CPUs get: one thread per core, all cores in package 0. */
START_TEST(cpuid_topology)
{
    static const int ns[] = { 1, 4, 6, 64 };
    static const uint32_t shifts[] = { 0, 2, 3, 6 };
    struct x86f *f = x86f_new();
    uint32_t o[4];
    x86_cpuid(f->x, 0, 0, o);
    ck_assert_uint_ge(o[0], 0xb);
    for (int k = 0; k < 4; k++) {
        f->m->ncpus = ns[k];
        f->c->id = ns[k] - 1; /* the last CPU: x2APIC ID = its index */
        x86_cpuid(f->x, 0xb, 0, o);
        ck_assert_uint_eq(o[0], 0);                    /* SMT: no bits */
        ck_assert_uint_eq(o[1], 1);                    /* 1 thread per core */
        ck_assert_uint_eq(o[2], 1u << 8 | 0);          /* type SMT, sub-leaf 0 */
        ck_assert_uint_eq(o[3], (uint32_t)ns[k] - 1);  /* x2APIC ID */
        x86_cpuid(f->x, 0xb, 1, o);
        ck_assert_uint_eq(o[0], shifts[k]);            /* core field width */
        ck_assert_uint_eq(o[1], (uint32_t)ns[k]);      /* cores in the package */
        ck_assert_uint_eq(o[2], 2u << 8 | 1);          /* type core, sub-leaf 1 */
        ck_assert_uint_eq(o[3], (uint32_t)ns[k] - 1);
        ck_assert_uint_eq(o[3] >> o[0], 0);            /* package 0 */
        x86_cpuid(f->x, 0xb, 2, o);                    /* invalid level */
        ck_assert_uint_eq(o[0], 0);
        ck_assert_uint_eq(o[1], 0);
        ck_assert_uint_eq(o[2], 2);                    /* type 0, ECX[7:0] = sub-leaf */
        ck_assert_uint_eq(o[3], (uint32_t)ns[k] - 1);
    }
    f->m->ncpus = 1;
    f->c->id = 0;
    x86f_free(f);
}
END_TEST

Suite *pc_tables_suite(void)
{
    Suite *s = suite_create("pc_tables");
    TCase *tc = tcase_create("tables");
    tcase_add_loop_test(tc, mptable, 0, 3);
    tcase_add_test(tc, mptable_refusals);
    tcase_add_loop_test(tc, acpi, 0, 3);
    tcase_add_test(tc, pm1_s5);
    tcase_add_test(tc, cpuid_topology);
    suite_add_tcase(s, tc);
    return s;
}
