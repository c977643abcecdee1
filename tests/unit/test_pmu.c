/* Unit tests for the programmable counters and Sscofpmf (src/cpu/riscv/
 * pmu.c and their CSR rules in csr.c).
 *
 * Spec references: privileged architecture 20211203 §3.1.10 (mhpmcounter /
 * mhpmevent), §3.1.11 (mcounteren), §3.1.13 (mcountinhibit), §4.1.5
 * (scounteren), §8.2.5 (hcounteren: virtual-instruction exceptions in
 * VS/VU), §8.6.1; Sscofpmf 1.0 (OF, xINH, scountovf, LCOFI = 13). */
#include <check.h>
#include <stdlib.h>

#include "rv_fixture.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/isa.h"
#include "cpu/riscv/pmu.h"

Suite *pmu_suite(void);

enum { HPMC3 = 0xc03, HPMC4 = 0xc04, HPMC31 = 0xc1f, MHPMC3 = 0xb03, MHPMC4 = 0xb04,
       MHPMC6 = 0xb06, MHPMC7 = 0xb07, MHPME3 = 0x323, MHPME7 = 0x323 + 4, MCOUNTINHIBIT = 0x320,
       MCOUNTEREN = 0x306, SCOUNTEREN = 0x106, HCOUNTEREN = 0x606, SCOUNTOVF = 0xda0,
       MIE_CSR = 0x304, MIDELEG_CSR = 0x303, SIE_CSR = 0x104, SIP_CSR = 0x144, MIP_CSR = 0x344 };

static struct machine *pmu_machine(unsigned n, bool sscofpmf)
{
    struct machine *m = rvf_machine_new(1);
    rv_hart_set_counters(m->cpus[0], n);
    if (sscofpmf)
        rv_hart_set_ext(m->cpus[0], RV_EXT_SSCOFPMF);
    return m;
}

/* Without counters (the default) every hpm CSR reads zero and ignores
 * writes, and there is no scountovf, as before. */
START_TEST(test_default_reads_zero)
{
    struct machine *m = pmu_machine(0, false);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    rvf_csrw(h, MHPMC3, 77);
    rvf_csrw(h, MHPME3, RV_HPM_EV_INSTRET);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC3), 0);
    ck_assert_uint_eq(rvf_csrr(h, MHPME3), 0);
    ck_assert_uint_eq(rvf_csrr(h, HPMC31), 0);
    ck_assert_int_eq(rvf_csr_read_at(h, SCOUNTOVF, &v), EXC_ILLEGAL_INSN);
    /* LCOFI bits are not writable without Sscofpmf */
    rvf_csrw(h, MIE_CSR, 1ull << IRQ_LCOFI);
    ck_assert_uint_eq(rvf_csrr(h, MIE_CSR), 0);
    rvf_machine_free(m);
}
END_TEST

/* N counters: 3..N+2 keep values; the rest read zero. Without Sscofpmf the
 * mhpmevent bits 63:58 are read-only zero. */
START_TEST(test_count_and_warl)
{
    struct machine *m = pmu_machine(4, false);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, MHPMC6, 0x1234);
    rvf_csrw(h, MHPMC7, 0x1234);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC6), 0x1234);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC7), 0);
    rvf_csrw(h, MHPME3, HPMEVENT_OF | HPMEVENT_MINH | 0x55);
    ck_assert_uint_eq(rvf_csrr(h, MHPME3), 0x55);
    rvf_csrw(h, MHPME7, 1);
    ck_assert_uint_eq(rvf_csrr(h, MHPME7), 0);
    rvf_machine_free(m);
}
END_TEST

/* Counter access rules (§3.1.11, §4.1.5, §8.2.5): below M the mcounteren
 * bit (else illegal); in VS/VU the hcounteren bit (else virtual
 * instruction); in U/VU also scounteren (illegal in U, virtual in VU). */
START_TEST(test_counteren_rules)
{
    struct machine *m = pmu_machine(2, false);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    const uint64_t b3 = 1u << 3;
    rvf_csrw(h, MCOUNTEREN, 0);
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), EXC_ILLEGAL_INSN);
    rvf_csrw(h, MCOUNTEREN, b3);
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), 0);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC4, &v), EXC_ILLEGAL_INSN);
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), EXC_ILLEGAL_INSN);
    rvf_csrw(h, SCOUNTEREN, b3);
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), 0);
    /* V = 1: hcounteren clear -> virtual instruction (VS and VU) */
    h->virt = true;
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), EXC_VIRTUAL_INSN);
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), EXC_VIRTUAL_INSN);
    h->virt = false;
    rvf_csrw(h, HCOUNTEREN, b3);
    h->virt = true;
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), 0);
    /* VU with scounteren (the guest's, here the one register) clear */
    h->virt = false;
    rvf_csrw(h, SCOUNTEREN, 0);
    h->virt = true;
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), EXC_VIRTUAL_INSN);
    /* mcounteren clear wins over everything: illegal even in VS */
    h->virt = false;
    rvf_csrw(h, MCOUNTEREN, 0);
    h->virt = true;
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, HPMC3, &v), EXC_ILLEGAL_INSN);
    /* the user shadow is read-only even in M */
    h->virt = false;
    rv_set_priv(h, PRV_M);
    ck_assert_int_eq(rvf_csr_write_at(h, HPMC3, 1), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* scountovf (Sscofpmf): OF bits, masked by mcounteren below M and by
 * hcounteren in VS; an S CSR: illegal from U, virtual from VU. */
START_TEST(test_scountovf)
{
    struct machine *m = pmu_machine(3, true);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    rvf_csrw(h, MHPME3 + 1, HPMEVENT_OF | RV_HPM_EV_EXCEPTIONS); /* counter 4 */
    rvf_csrw(h, MHPME3 + 2, HPMEVENT_OF);                        /* counter 5 */
    ck_assert_uint_eq(rvf_csrr(h, SCOUNTOVF), 0x30);
    rvf_csrw(h, MCOUNTEREN, 1u << 4);
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, SCOUNTOVF, &v), 0);
    ck_assert_uint_eq(v, 0x10);
    ck_assert_int_eq(rvf_csr_write_at(h, SCOUNTOVF, 0), EXC_ILLEGAL_INSN);
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, SCOUNTOVF, &v), EXC_ILLEGAL_INSN);
    h->virt = true;
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, SCOUNTOVF, &v), 0);
    ck_assert_uint_eq(v, 0); /* hcounteren = 0 */
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, SCOUNTOVF, &v), EXC_VIRTUAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* LCOFI: mie/mip/mideleg bit 13 writable with Sscofpmf, visible in sie/sip
 * only when delegated; software clears LCOFIP. */
START_TEST(test_lcofi_bits)
{
    struct machine *m = pmu_machine(1, true);
    struct rv_hart *h = rvf_hart(m, 0);
    const uint64_t l = 1ull << IRQ_LCOFI;
    rvf_csrw(h, MIE_CSR, l);
    ck_assert_uint_eq(rvf_csrr(h, MIE_CSR) & l, l);
    rvf_csrw(h, MIP_CSR, l);
    ck_assert_uint_eq(rvf_csrr(h, MIP_CSR) & l, l);
    ck_assert_uint_eq(rvf_csrr(h, SIP_CSR) & l, 0); /* not delegated */
    ck_assert_uint_eq(rvf_csrr(h, SIE_CSR) & l, 0);
    rvf_csrw(h, MIDELEG_CSR, l);
    ck_assert_uint_eq(rvf_csrr(h, SIP_CSR) & l, l);
    ck_assert_uint_eq(rvf_csrr(h, SIE_CSR) & l, l);
    rvf_csrw(h, SIP_CSR, 0);
    ck_assert_uint_eq(rvf_csrr(h, MIP_CSR) & l, 0);
    rvf_machine_free(m);
}
END_TEST

/* Exceptions are counted per trap; at the wrap, OF and LCOFIP are set once. */
START_TEST(test_exception_count_overflow)
{
    struct machine *m = pmu_machine(1, true);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, MHPME3, RV_HPM_EV_EXCEPTIONS);
    rvf_csrw(h, MHPMC3, UINT64_MAX - 1);
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_ECALL), EXC_ECALL_U);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC3), UINT64_MAX);
    ck_assert_uint_eq(rvf_csrr(h, MIP_CSR) & (1ull << IRQ_LCOFI), 0);
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_ECALL), EXC_ECALL_U);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC3), 0);
    ck_assert_uint_eq(rvf_csrr(h, MHPME3) >> 63, 1);
    ck_assert_uint_eq(rvf_csrr(h, MIP_CSR) & (1ull << IRQ_LCOFI), 1ull << IRQ_LCOFI);
    /* UINH: traps taken from U are not counted */
    rvf_csrw(h, MHPME3, HPMEVENT_UINH | RV_HPM_EV_EXCEPTIONS);
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_ECALL), EXC_ECALL_U);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC3), 0);
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_ECALL), EXC_ECALL_S);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC3), 1);
    /* mcountinhibit bit 3 stops it */
    rvf_csrw(h, MCOUNTINHIBIT, 1u << 3);
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_ECALL), EXC_ECALL_S);
    ck_assert_uint_eq(rvf_csrr(h, MHPMC3), 1);
    rvf_machine_free(m);
}
END_TEST

Suite *pmu_suite(void)
{
    Suite *s = suite_create("pmu");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_default_reads_zero);
    tcase_add_test(tc, test_count_and_warl);
    tcase_add_test(tc, test_counteren_rules);
    tcase_add_test(tc, test_scountovf);
    tcase_add_test(tc, test_lcofi_bits);
    tcase_add_test(tc, test_exception_count_overflow);
    suite_add_tcase(s, tc);
    return s;
}
