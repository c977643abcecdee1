/* Unit tests of the AIA major-interrupt priorities (src/cpu/riscv/aia.c):
 * the M- and S-level iprio arrays through miselect/mireg and
 * siselect/sireg, mtopi/stopi and the interrupt a hart takes. Expected
 * values from the AIA 1.0 spec, §5.1 "Configuring priorities of major
 * interrupts at machine level" (which bytes may be writable, MEI's read-only
 * zero, Table "Effect of the machine-level iprio array": a number p ranks
 * with the external interrupt of number p, ties by the default order, 0 is
 * the default place), "Machine top interrupt CSR" (IPRIO's full form), and
 * §5.4's S-level twins. */
#include <check.h>
#include "rv_fixture.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/isa.h"

enum { MISELECT = 0x350, MIREG = 0x351, SISELECT = 0x150, SIREG = 0x151, MTOPI = 0xfb0,
       STOPI = 0xdb0, MIP = 0x344, MIE = 0x304, MIDELEG = 0x303 };

static struct machine *aia_machine(void)
{
    struct machine *m = rvf_machine_new(1);
    rv_hart_set_aia(m->cpus[0], 1);
    uint32_t spin = rvf_j(0, 0); /* the trap vectors stay put */
    rvf_code(m, RVF_MTVEC, &spin, 1);
    rvf_code(m, RVF_STVEC, &spin, 1);
    return m;
}

static void mreg_w(struct rv_hart *h, uint64_t sel, uint64_t v)
{
    rvf_csrw(h, MISELECT, sel);
    rvf_csrw(h, MIREG, v);
}
static uint64_t mreg(struct rv_hart *h, uint64_t sel)
{
    rvf_csrw(h, MISELECT, sel);
    return rvf_csrr(h, MIREG);
}
static void sreg_w(struct rv_hart *h, uint64_t sel, uint64_t v)
{
    rvf_csrw(h, SISELECT, sel);
    rvf_csrw(h, SIREG, v);
}
static uint64_t sreg(struct rv_hart *h, uint64_t sel)
{
    rvf_csrw(h, SISELECT, sel);
    return rvf_csrr(h, SIREG);
}

/* Which bytes are writable: M level SSI, MSI, STI, MTI, SEI (LCOFI only
 * with Sscofpmf); S level SSI, VSSI, STI, VSTI, VSEI, SGEI (a guest file)
 * and 13..63; MEI and SEI never. Reset: zero. */
START_TEST(test_iprio_warl)
{
    struct machine *m = aia_machine();
    struct rv_hart *h = rvf_hart(m, 0);
    for (unsigned k = 0; k < 16; k += 2) {
        ck_assert_uint_eq(mreg(h, 0x30 + k), 0);
        ck_assert_uint_eq(sreg(h, 0x30 + k), 0);
        mreg_w(h, 0x30 + k, ~0ull);
        sreg_w(h, 0x30 + k, ~0ull);
    }
    ck_assert_uint_eq(mreg(h, 0x30), 0xff00ff00ff00ff00ull);  /* 1, 3, 5, 7 */
    ck_assert_uint_eq(mreg(h, 0x32), 0xff00ull);              /* 9 (11: MEI, 13: no Sscofpmf) */
    for (unsigned k = 4; k < 16; k += 2)
        ck_assert_uint_eq(mreg(h, 0x30 + k), 0);
    ck_assert_uint_eq(sreg(h, 0x30), 0x00ffff0000ffff00ull);  /* 1, 2, 5, 6 */
    ck_assert_uint_eq(sreg(h, 0x32), 0xffffffff00ff0000ull);  /* 10, 12, 13, 14, 15 */
    for (unsigned k = 4; k < 16; k += 2)
        ck_assert_uint_eq(sreg(h, 0x30 + k), ~0ull);          /* 16..63 */
    /* each byte holds all 8 bits */
    mreg_w(h, 0x30, 0x0000000000a50000ull | 0x5a00ull);
    ck_assert_uint_eq(mreg(h, 0x30), 0x5a00ull);              /* byte 2 (VSSI) read-only zero */
    rvf_machine_free(m);
    /* with Sscofpmf the M-level byte of LCOFI (13) exists too */
    m = aia_machine();
    h = rvf_hart(m, 0);
    rv_hart_set_ext(m->cpus[0], RV_EXT_SSCOFPMF);
    mreg_w(h, 0x32, ~0ull);
    ck_assert_uint_eq(mreg(h, 0x32), 0xff000000ff00ull);
    rvf_machine_free(m);
}
END_TEST

/* With every byte zero, mtopi reports the default order (AIA Table "The
 * standard major interrupt codes": MEI, MSI, MTI, SEI, SSI, STI) for every
 * subset of those, IPRIO 255 below MEI; MEI's IPRIO is its controller's
 * number: the IMSIC's top identity, 256 (IPRIO 255) when the file does
 * not deliver. */
START_TEST(test_default_order_and_iprio)
{
    struct machine *m = aia_machine();
    struct rv_hart *h = rvf_hart(m, 0);
    static const unsigned order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
    for (unsigned set = 1; set < 64; set++) {
        uint64_t bits = 0;
        for (unsigned i = 0; i < 6; i++)
            if (set >> i & 1)
                bits |= 1ull << order[i];
        h->mip_hw = bits; /* as the ACLINT and the file would drive them */
        h->mip_sw = 0;
        rvf_csrw(h, MIE, bits);
        /* IPRIO 255: the others have number 0 below MEI; MEI itself has
         * 256 (the M file is in PLIC mode, eidelivery 0x40000000: no number) */
        unsigned first = order[__builtin_ctz(set)];
        uint64_t want = (uint64_t)first << 16 | 255;
        ck_assert_msg(rvf_csrr(h, MTOPI) == want, "set 0x%llx: mtopi 0x%llx", (unsigned long long)bits,
                      (unsigned long long)rvf_csrr(h, MTOPI));
    }
    /* MEI from the M file: IPRIO = the top identity (42) */
    h->mip_hw = 0;
    rvf_csrw(h, MIE, 1ull << IRQ_MEI);
    mreg_w(h, 0x70, 1);             /* eidelivery: the file delivers */
    mreg_w(h, 0xc0, 1ull << 42);    /* eie0: identity 42 */
    rv_aia_msi(h, RV_AIA_FILE_M, 42, false, 0);
    ck_assert_uint_eq(rvf_csrr(h, MTOPI), (uint64_t)IRQ_MEI << 16 | 42);
    rvf_machine_free(m);
}
END_TEST

/* The M-level array orders mtopi and the interrupt taken: SSI and STI
 * pending for M (not delegated), the default order takes SSI; STI with
 * number 1 (SSI 0: below MEI, so 257) takes STI; both 4: a tie, the
 * default order (SSI); SSI 3, STI 4: SSI. */
START_TEST(test_m_order_taken)
{
    struct machine *m = aia_machine();
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    static const struct { uint8_t ssi, sti; unsigned want, iprio; } cases[] = {
        { 0, 0, IRQ_SSI, 255 }, { 0, 1, IRQ_STI, 1 }, { 4, 4, IRQ_SSI, 4 }, { 3, 4, IRQ_SSI, 3 },
        { 9, 8, IRQ_STI, 8 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mreg_w(h, 0x30, (uint64_t)cases[i].ssi << 8 | (uint64_t)cases[i].sti << 40);
        rvf_csrw(h, MIP, 1ull << IRQ_SSI | 1ull << IRQ_STI);
        rvf_csrw(h, MIE, 1ull << IRQ_SSI | 1ull << IRQ_STI);
        ck_assert_uint_eq(rvf_csrr(h, MTOPI), (uint64_t)cases[i].want << 16 | cases[i].iprio);
        h->mcause = 0;
        rvf_step(m, PRV_U, rvf_addi(0, 0, 0)); /* taken before the nop */
        ck_assert_msg(h->mcause == (1ull << 63 | cases[i].want), "case %u: mcause 0x%llx", i,
                      (unsigned long long)h->mcause);
    }
    rvf_machine_free(m);
}
END_TEST

/* The S-level array orders stopi and what HS takes: SSI and STI delegated
 * (mideleg), pending; STI with number 2 goes first; SEI's byte stays 0. */
START_TEST(test_s_order_taken)
{
    struct machine *m = aia_machine();
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    uint64_t ss = 1ull << IRQ_SSI | 1ull << IRQ_STI;
    rvf_csrw(h, MIDELEG, ss);
    rvf_csrw(h, MIP, ss);
    rvf_csrw(h, MIE, ss);
    ck_assert_uint_eq(rvf_csrr(h, STOPI), (uint64_t)IRQ_SSI << 16 | 255);
    sreg_w(h, 0x30, 2ull << 40);
    ck_assert_uint_eq(rvf_csrr(h, STOPI), (uint64_t)IRQ_STI << 16 | 2);
    ck_assert_uint_eq(rvf_csrr(h, MTOPI), 0);
    bool to_s = false;
    h->scause = 0;
    rvf_step_to(m, PRV_U, rvf_addi(0, 0, 0), &to_s);
    ck_assert(to_s);
    ck_assert_uint_eq(h->scause, 1ull << 63 | IRQ_STI);
    sreg_w(h, 0x32, ~0ull);
    ck_assert_uint_eq(sreg(h, 0x32) >> 8 & 0xff, 0); /* SEI */
    rvf_machine_free(m);
}
END_TEST


Suite *rv_aia_suite(void)
{
    Suite *s = suite_create("rv_aia");
    TCase *tc = tcase_create("iprio");
    tcase_add_test(tc, test_iprio_warl);
    tcase_add_test(tc, test_default_order_and_iprio);
    tcase_add_test(tc, test_m_order_taken);
    tcase_add_test(tc, test_s_order_taken);
    suite_add_tcase(s, tc);
    return s;
}
