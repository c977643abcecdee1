/* Unit tests for the CSR file, privileged instructions and trap routing of
 * the RISC-V hart (src/cpu/riscv/csr.c, trap.c, exec.c).
 *
 * Spec references: RISC-V privileged architecture 1.12 (20211203):
 * CSR address conventions §2.1, machine CSRs §3.1, privileged instructions
 * §3.3, supervisor CSRs §4.1, sfence.vma §4.2.1; Zicsr (unprivileged
 * 20191213 §9.1); Sstc 1.0 (stimecmp). */
#include <check.h>
#include <stdlib.h>

#include "rv_fixture.h"

Suite *csr_suite(void);

#define MCAUSE_INT (1ull << 63)

/* ---- privilege of the CSR number (§2.1) -------------------------------- */

/* Bits 9:8 of the CSR number give the lowest privilege that may access it;
 * an access from below raises an illegal-instruction exception (§2.1). */
START_TEST(test_access_by_privilege)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    static const unsigned m_only[] = { RVF_MSTATUS, RVF_MISA, RVF_MEDELEG, RVF_MIE, RVF_MTVEC_CSR,
                                       RVF_MSCRATCH, RVF_MEPC, RVF_MHARTID, RVF_PMPCFG0,
                                       RVF_PMPADDR0, RVF_MCYCLE, RVF_MENVCFG };
    static const unsigned s_csrs[] = { RVF_SSTATUS, RVF_SIE, RVF_STVEC_CSR, RVF_SSCRATCH,
                                       RVF_SEPC, RVF_SCAUSE, RVF_STVAL, RVF_SIP, RVF_SATP };

    rv_set_priv(h, PRV_S);
    for (size_t i = 0; i < sizeof m_only / sizeof m_only[0]; i++) {
        ck_assert_msg(rvf_csr_read_at(h, m_only[i], &v) == EXC_ILLEGAL_INSN,
                      "S-mode read of M CSR 0x%x", m_only[i]);
        ck_assert_msg(rvf_csr_write_at(h, m_only[i], 0) == EXC_ILLEGAL_INSN,
                      "S-mode write of M CSR 0x%x", m_only[i]);
    }
    for (size_t i = 0; i < sizeof s_csrs / sizeof s_csrs[0]; i++)
        ck_assert_msg(rvf_csr_read_at(h, s_csrs[i], &v) == 0, "S-mode read of S CSR 0x%x", s_csrs[i]);

    rv_set_priv(h, PRV_U);
    for (size_t i = 0; i < sizeof m_only / sizeof m_only[0]; i++)
        ck_assert_msg(rvf_csr_read_at(h, m_only[i], &v) == EXC_ILLEGAL_INSN,
                      "U-mode read of M CSR 0x%x", m_only[i]);
    for (size_t i = 0; i < sizeof s_csrs / sizeof s_csrs[0]; i++) {
        ck_assert_msg(rvf_csr_read_at(h, s_csrs[i], &v) == EXC_ILLEGAL_INSN,
                      "U-mode read of S CSR 0x%x", s_csrs[i]);
        ck_assert_msg(rvf_csr_write_at(h, s_csrs[i], 0) == EXC_ILLEGAL_INSN,
                      "U-mode write of S CSR 0x%x", s_csrs[i]);
    }

    rv_set_priv(h, PRV_M);
    for (size_t i = 0; i < sizeof s_csrs / sizeof s_csrs[0]; i++)
        ck_assert_msg(rvf_csr_read_at(h, s_csrs[i], &v) == 0, "M-mode read of S CSR 0x%x", s_csrs[i]);
    /* A CSR number that names nothing is illegal even in M. */
    ck_assert_int_eq(rvf_csr_read_at(h, 0x7ff, &v), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* The same through real instructions: csrr a0, mscratch from S and U traps
 * with cause 2 into M (nothing is delegated), and a0 is not written. */
START_TEST(test_access_by_privilege_insn)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    h->mscratch = 0x1234;
    for (int priv = PRV_U; priv <= PRV_S; priv++) {
        h->x[10] = 0x5555;
        ck_assert_int_eq(rvf_step(m, priv, rvf_csrrs(10, RVF_MSCRATCH, 0)), EXC_ILLEGAL_INSN);
        ck_assert_uint_eq(h->x[10], 0x5555);
        ck_assert_uint_eq(h->mepc, RVF_CODE);
        ck_assert_uint_eq((h->mstatus & MSTATUS_MPP) >> 11, (uint64_t)priv);
        /* mtval: either zero or the faulting instruction bits (§3.1.16) */
        ck_assert(h->mtval == 0 || h->mtval == rvf_csrrs(10, RVF_MSCRATCH, 0));
    }
    h->x[10] = 0;
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MSCRATCH, 0)), -1);
    ck_assert_uint_eq(h->x[10], 0x1234);
    ck_assert_uint_eq(h->pc, RVF_CODE + 4);
    rvf_machine_free(m);
}
END_TEST

/* ---- read-only CSRs and the Zicsr write rules (§2.1, Zicsr §9.1) ------- */

/* Bits 11:10 == 3 mark a read-only CSR: reads are fine, any write attempt
 * raises illegal instruction. csrrs/csrrc with rs1=x0 and csrrsi/csrrci with
 * uimm=0 do not write, so they may read a read-only CSR; with rs1 != x0 the
 * write is attempted even when the register holds zero; csrrw always
 * writes. */
START_TEST(test_read_only_csrs)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    ck_assert_int_eq(rvf_csr_read_at(h, RVF_MHARTID, &v), 0);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_MHARTID, 0), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_MVENDORID, 0), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_CYCLE, 0), EXC_ILLEGAL_INSN);

    h->x[11] = 0; /* a1 holds zero but is not x0 */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MHARTID, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrc(10, RVF_MHARTID, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrsi(10, RVF_MHARTID, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrci(10, RVF_MHARTID, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_CYCLE, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MHARTID, 11)), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrc(10, RVF_MHARTID, 11)), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrsi(10, RVF_MHARTID, 1)), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrw(0, RVF_MHARTID, 0)), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrwi(0, RVF_CYCLE, 0)), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* csrrs/csrrc with rs1=x0 read without writing; with a register they set
 * or clear exactly the bits given (Zicsr §9.1). */
START_TEST(test_csrrs_csrrc)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    h->mscratch = 0xf0f0;
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MSCRATCH, 0)), -1);
    ck_assert_uint_eq(h->x[10], 0xf0f0);
    ck_assert_uint_eq(h->mscratch, 0xf0f0);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrc(10, RVF_MSCRATCH, 0)), -1);
    ck_assert_uint_eq(h->mscratch, 0xf0f0);

    h->x[11] = 0x0ff0;
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MSCRATCH, 11)), -1);
    ck_assert_uint_eq(h->x[10], 0xf0f0);
    ck_assert_uint_eq(h->mscratch, 0xfff0);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrc(10, RVF_MSCRATCH, 11)), -1);
    ck_assert_uint_eq(h->x[10], 0xfff0);
    ck_assert_uint_eq(h->mscratch, 0xf000);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrsi(10, RVF_MSCRATCH, 0x1f)), -1);
    ck_assert_uint_eq(h->mscratch, 0xf01f);
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrci(10, RVF_MSCRATCH, 0x3)), -1);
    ck_assert_uint_eq(h->mscratch, 0xf01c);
    h->x[11] = 0xabcdef;
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrw(10, RVF_MSCRATCH, 11)), -1);
    ck_assert_uint_eq(h->x[10], 0xf01c);
    ck_assert_uint_eq(h->mscratch, 0xabcdef);
    /* csrrw with rs1=x0 writes zero */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrw(0, RVF_MSCRATCH, 0)), -1);
    ck_assert_uint_eq(h->mscratch, 0);
    rvf_machine_free(m);
}
END_TEST

/* mip.SEIP reads as the software bit OR the external controller's signal,
 * but only the software bit takes part in CSRRS/CSRRC's read-modify-write
 * (§3.1.9). Before: OpenSBI's `csrs mip, SSIP` while the PLIC's S line was
 * high latched SEIP in the software bit, and Linux took supervisor external
 * interrupts with nothing to claim for ever. */
START_TEST(test_mip_seip_rmw)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    h->cpu.ops->set_irq(&h->cpu, 9, 1); /* the PLIC's S-mode line (SEI) */
    h->x[11] = 1u << 1;                 /* SSIP */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MIP, 11)), -1);
    ck_assert_uint_eq(h->x[10] & (1u << 9), 1u << 9); /* read: the line */
    ck_assert_uint_eq(h->mip_sw, 1u << 1);            /* written: SSIP only */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrc(10, RVF_MIP, 11)), -1);
    ck_assert_uint_eq(h->mip_sw, 0);
    h->cpu.ops->set_irq(&h->cpu, 9, 0); /* the line drops: SEIP reads 0 */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MIP, 0)), -1);
    ck_assert_uint_eq(h->x[10] & (1u << 9), 0);
    /* the software bit itself is still writable, and reads back */
    h->x[11] = 1u << 9;
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_MIP, 11)), -1);
    ck_assert_uint_eq(h->mip_sw, 1u << 9);
    rvf_machine_free(m);
}
END_TEST

/* ---- mstatus / sstatus (§3.1.6, §4.1.1) ----------------------------------- */

START_TEST(test_mstatus_warl)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);

    /* UXL and SXL are 2 (XLEN 64) and not changeable here (§3.1.6.2). */
    uint64_t s = rvf_csrr(h, RVF_MSTATUS);
    ck_assert_uint_eq((s >> 32) & 3, 2);
    ck_assert_uint_eq((s >> 34) & 3, 2);
    rvf_csrw(h, RVF_MSTATUS, s & ~(MSTATUS_UXL | MSTATUS_SXL));
    s = rvf_csrr(h, RVF_MSTATUS);
    ck_assert_uint_eq((s >> 32) & 3, 2);
    ck_assert_uint_eq((s >> 34) & 3, 2);

    /* MPP holds only legal modes (0, 1, 3); 2 is reserved (§3.1.6.1). hvsim
     * keeps the old value on such a write. */
    rvf_csrw(h, RVF_MSTATUS, (s & ~MSTATUS_MPP) | (1ull << 11));
    ck_assert_uint_eq((rvf_csrr(h, RVF_MSTATUS) & MSTATUS_MPP) >> 11, PRV_S);
    rvf_csrw(h, RVF_MSTATUS, (s & ~MSTATUS_MPP) | (2ull << 11));
    ck_assert_uint_ne((rvf_csrr(h, RVF_MSTATUS) & MSTATUS_MPP) >> 11, 2);
    ck_assert_uint_eq((rvf_csrr(h, RVF_MSTATUS) & MSTATUS_MPP) >> 11, PRV_S);
    rvf_csrw(h, RVF_MSTATUS, s | MSTATUS_MPP);
    ck_assert_uint_eq((rvf_csrr(h, RVF_MSTATUS) & MSTATUS_MPP) >> 11, PRV_M);

    /* SD summarises FS/VS/XS == Dirty (§3.1.6.6) and is read-only. */
    rvf_csrw(h, RVF_MSTATUS, (s & ~MSTATUS_FS) | (1ull << MSTATUS_FS_SHIFT));
    ck_assert(!(rvf_csrr(h, RVF_MSTATUS) & MSTATUS_SD));
    ck_assert(!(rvf_csrr(h, RVF_SSTATUS) & MSTATUS_SD));
    rvf_csrw(h, RVF_MSTATUS, s | MSTATUS_FS);
    ck_assert(rvf_csrr(h, RVF_MSTATUS) & MSTATUS_SD);
    ck_assert(rvf_csrr(h, RVF_SSTATUS) & MSTATUS_SD);
    rvf_csrw(h, RVF_MSTATUS, (s & ~MSTATUS_FS) | MSTATUS_SD);
    ck_assert(!(rvf_csrr(h, RVF_MSTATUS) & MSTATUS_SD));

    /* Ordinary read/write fields */
    uint64_t bits = MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_SPP |
                    MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR |
                    MSTATUS_MPRV;
    rvf_csrw(h, RVF_MSTATUS, bits);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MSTATUS) & bits, bits);
    rvf_csrw(h, RVF_MSTATUS, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MSTATUS) & bits, 0);
    rvf_machine_free(m);
}
END_TEST

/* sstatus is a restricted view of mstatus (§4.1.1): S fields read and write
 * through; M-only fields are invisible and unaffected. */
START_TEST(test_sstatus_view)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t mbits = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TVM | MSTATUS_TW |
                     MSTATUS_TSR | MSTATUS_MPRV;
    uint64_t sbits = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;

    rvf_csrw(h, RVF_MSTATUS, mbits | sbits);
    uint64_t ss = rvf_csrr(h, RVF_SSTATUS);
    ck_assert_uint_eq(ss & sbits, sbits);
    ck_assert_uint_eq(ss & mbits, 0);
    ck_assert_uint_eq((ss >> 32) & 3, 2); /* sstatus.UXL */

    /* Clearing through sstatus clears the S fields of mstatus only. */
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_SSTATUS, 0), 0);
    rv_set_priv(h, PRV_M);
    uint64_t ms = rvf_csrr(h, RVF_MSTATUS);
    ck_assert_uint_eq(ms & sbits, 0);
    ck_assert_uint_eq(ms & mbits, mbits);

    /* Setting everything through sstatus cannot set M fields. */
    rvf_csrw(h, RVF_MSTATUS, 0);
    rvf_csrw(h, RVF_SSTATUS, ~0ull);
    ms = rvf_csrr(h, RVF_MSTATUS);
    ck_assert_uint_eq(ms & sbits, sbits);
    ck_assert_uint_eq(ms & mbits, 0);
    rvf_machine_free(m);
}
END_TEST

/* ---- sie / sip (§4.1.3) and delegation registers (§3.1.8) ----------------- */

START_TEST(test_sie_sip_masked_by_mideleg)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    const uint64_t SSI = 1u << IRQ_SSI, STI = 1u << IRQ_STI, SEI = 1u << IRQ_SEI,
                   MTI = 1u << IRQ_MTI;

    /* Nothing delegated: sie/sip read zero and sie writes change nothing. */
    rvf_csrw(h, RVF_MIE, SSI | STI | SEI | MTI);
    rvf_csrw(h, RVF_MIP, SSI);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SIE), 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SIP), 0);
    rvf_csrw(h, RVF_SIE, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIE), SSI | STI | SEI | MTI);

    /* Delegate SSI and STI: those bits appear, SEI stays hidden. */
    rvf_csrw(h, RVF_MIDELEG, SSI | STI);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SIE), SSI | STI);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SIP), SSI);
    rvf_csrw(h, RVF_SIE, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIE), SEI | MTI);
    rvf_csrw(h, RVF_SIE, ~0ull);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIE), SSI | STI | SEI | MTI);

    /* sip.SSIP is writable when delegated; sip.STIP is read-only. */
    rvf_csrw(h, RVF_SIP, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & SSI, 0);
    rvf_csrw(h, RVF_SIP, STI);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STI, 0);
    rvf_csrw(h, RVF_SIP, SSI);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & SSI, SSI);
    rvf_machine_free(m);
}
END_TEST

/* medeleg[11] (ecall from M) is read-only zero (§3.1.8); other exception
 * causes that can occur below M are delegable. */
START_TEST(test_medeleg_bit11)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, RVF_MEDELEG, ~0ull);
    uint64_t d = rvf_csrr(h, RVF_MEDELEG);
    ck_assert_uint_eq(d & (1u << 11), 0);
    uint64_t delegable = (1u << EXC_INSN_MISALIGNED) | (1u << EXC_ILLEGAL_INSN) |
                         (1u << EXC_BREAKPOINT) | (1u << EXC_ECALL_U) | (1u << EXC_ECALL_S) |
                         (1u << EXC_INSN_PAGE_FAULT) | (1u << EXC_LOAD_PAGE_FAULT) |
                         (1u << EXC_STORE_PAGE_FAULT);
    ck_assert_uint_eq(d & delegable, delegable);
    rvf_csrw(h, RVF_MEDELEG, 1u << 11);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MEDELEG), 0);
    rvf_machine_free(m);
}
END_TEST

/* ---- trap vectors and exception PCs (§3.1.7, §3.1.14, §4.1.2) ------------- */

/* MODE values >= 2 are reserved: the register must keep a legal mode. */
START_TEST(test_tvec_modes)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    static const unsigned regs[] = { RVF_MTVEC_CSR, RVF_STVEC_CSR };
    for (int i = 0; i < 2; i++) {
        rvf_csrw(h, regs[i], 0x80004000);
        ck_assert_uint_eq(rvf_csrr(h, regs[i]), 0x80004000);
        rvf_csrw(h, regs[i], 0x80004001); /* vectored */
        ck_assert_uint_eq(rvf_csrr(h, regs[i]), 0x80004001);
        rvf_csrw(h, regs[i], 0x80008002);
        ck_assert_uint_lt(rvf_csrr(h, regs[i]) & 3, 2);
        rvf_csrw(h, regs[i], 0x80008003);
        ck_assert_uint_lt(rvf_csrr(h, regs[i]) & 3, 2);
    }
    rvf_machine_free(m);
}
END_TEST

/* With IALIGN=16 (C is implemented) xepc[0] is always zero (§3.1.14). */
START_TEST(test_epc_bit0)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, RVF_MEPC, 0x80000003);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MEPC), 0x80000002);
    rvf_csrw(h, RVF_SEPC, 0x80000005);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SEPC), 0x80000004);
    rvf_machine_free(m);
}
END_TEST

/* misa: MXL=2 and the extensions A C D F H I M S U (§3.1.1, H: §8.1). */
START_TEST(test_misa)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t want = (2ull << 62);
    const char *ext = "ACDFHIMSU";
    for (const char *p = ext; *p; p++)
        want |= 1ull << (*p - 'A');
    ck_assert_uint_eq(rvf_csrr(h, RVF_MISA), want);
    ck_assert_uint_eq(want, 0x80000000001411adull); /* the same, spelled out */
    /* WARL: whatever a write does, MXL stays 64-bit (no RV32 support). */
    rvf_csrw(h, RVF_MISA, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MISA) >> 62, 2);
    rvf_machine_free(m);
}
END_TEST

/* ---- satp (§4.1.11) --------------------------------------------------------- */

START_TEST(test_satp_warl)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t sv39 = (8ull << 60) | 0x80100ull;
    rvf_csrw(h, RVF_SATP, sv39);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SATP), sv39);
    /* Unsupported MODE: "the entire write has no effect". */
    for (uint64_t mode = 1; mode < 16; mode++) {
        if (mode == 8 || mode == 9)
            continue;
        rvf_csrw(h, RVF_SATP, (mode << 60) | 0x80200ull);
        ck_assert_msg(rvf_csrr(h, RVF_SATP) == sv39, "satp mode %llu accepted",
                      (unsigned long long)mode);
    }
    /* The default configuration is sv48, so Sv48 (9) is supported. */
    uint64_t sv48 = (9ull << 60) | 0x80300ull;
    rvf_csrw(h, RVF_SATP, sv48);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SATP), sv48);
    rvf_machine_free(m);

    /* An sv39-only hart does not accept Sv48. */
    m = rvf_machine_new(1);
    h = rvf_hart(m, 0);
    h->sv39_only = true; /* [cpu] mmu = sv39: the board creates it so */
    rvf_csrw(h, RVF_SATP, sv39);
    rvf_csrw(h, RVF_SATP, sv48);
    ck_assert_uint_eq(rvf_csrr(h, RVF_SATP), sv39);
    rvf_machine_free(m);
}
END_TEST

/* ---- counters (§3.1.11, §4.1.5) ----------------------------------------------- */

/* cycle/time/instret/hpmcounterN from S need mcounteren bit N; from U they
 * need mcounteren and scounteren bit N. */
START_TEST(test_counter_enables)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    static const unsigned ctr[] = { RVF_CYCLE, RVF_TIME, RVF_INSTRET, RVF_HPMCOUNTER3 };
    uint64_t v;
    for (int i = 0; i < 4; i++) {
        unsigned bit = ctr[i] - 0xc00;
        rvf_csrw(h, RVF_MCOUNTEREN, 0);
        rvf_csrw(h, RVF_SCOUNTEREN, ~0ull & 0xffffffff);
        rv_set_priv(h, PRV_M);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), 0);
        rv_set_priv(h, PRV_S);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), EXC_ILLEGAL_INSN);
        rv_set_priv(h, PRV_U);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), EXC_ILLEGAL_INSN);

        rvf_csrw(h, RVF_MCOUNTEREN, 1u << bit);
        rvf_csrw(h, RVF_SCOUNTEREN, 0);
        rv_set_priv(h, PRV_S);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), 0);
        rv_set_priv(h, PRV_U);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), EXC_ILLEGAL_INSN);

        rvf_csrw(h, RVF_SCOUNTEREN, 1u << bit);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), 0);
        /* another counter's bit does not help */
        rvf_csrw(h, RVF_MCOUNTEREN, ~(1u << bit) & 0xffffffffu);
        ck_assert_int_eq(rvf_csr_read_at(h, ctr[i], &v), EXC_ILLEGAL_INSN);
        rv_set_priv(h, PRV_M);
    }
    /* The same rule through an instruction: rdcycle in U traps. */
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MCOUNTEREN, 0);
    ck_assert_int_eq(rvf_step(m, PRV_U, rvf_csrrs(10, RVF_CYCLE, 0)), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* time is mtime: ticks * timebase / cpu_hz (1 GHz / 10 MHz = 100 ticks per
 * mtime unit in the default config); read at the reading instruction. */
START_TEST(test_time_value)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    m->cpus[0]->clock = 123456;
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_TIME, 0)), -1);
    ck_assert_uint_eq(h->x[10], 1234);
    rvf_machine_free(m);
}
END_TEST

/* Zicsr §9.1 (unpriv 20191213): "Some CSRs, such as the instructions-retired
 * counter, instret, may be modified as side effects of instruction
 * execution. In these cases, if a CSR access instruction reads a CSR, it
 * reads the value prior to the execution of the instruction. If a CSR
 * access instruction writes such a CSR, the write is done instead of the
 * increment. In particular, a value written to instret by one instruction
 * will be the value read by the following instruction."
 *
 * (Fixed bug: csr.c instret() counted the reading instruction itself (insn_left is
 * already decremented when the CSR instruction executes), so a read after 3
 * retired instructions returns 4, and a read right after `csrw minstret,
 * 100` returns 101. Excluded from the suite until csr.c is fixed. */
START_TEST(test_minstret_read_before_increment)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint32_t code[] = {
        rvf_addi(0, 0, 0), rvf_addi(0, 0, 0), rvf_addi(0, 0, 0), /* 3 nops */
        rvf_csrrs(10, RVF_MINSTRET, 0),   /* a0 = 3 */
        rvf_csrrs(11, RVF_INSTRET, 0),    /* a1 = 4 */
    };
    rvf_code(m, RVF_CODE, code, 5);
    h->pc = RVF_CODE;
    ck_assert_uint_eq(rvf_run(m, 0, 5), 5);
    ck_assert_uint_eq(h->x[10], 3);
    ck_assert_uint_eq(h->x[11], 4);
    rvf_machine_free(m);
}
END_TEST

/* (Fixed bug) same root cause as above (value read after a minstret write is
 * one too high). Excluded from the suite until csr.c is fixed. */
START_TEST(test_minstret_write_replaces_increment)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint32_t code[] = {
        rvf_addi(0, 0, 0),
        rvf_csrrw(0, RVF_MINSTRET, 11),   /* minstret = a1 = 100 */
        rvf_csrrs(12, RVF_MINSTRET, 0),   /* a2 = 100 */
        rvf_csrrs(13, RVF_INSTRET, 0),    /* a3 = 101 */
    };
    rvf_code(m, RVF_CODE, code, 4);
    h->pc = RVF_CODE;
    h->x[11] = 100;
    ck_assert_uint_eq(rvf_run(m, 0, 4), 4);
    ck_assert_uint_eq(h->x[12], 100);
    ck_assert_uint_eq(h->x[13], 101);
    rvf_machine_free(m);
}
END_TEST

/* ECALL raises an exception and so does not retire (priv 1.12 §3.3.1):
 * the handler's first instruction reads minstret = 0 (read before its own
 * increment, Zicsr §9.1).
 * (Fixed bug: read 1, same root cause as test_minstret_read_before_increment).
 * Excluded from the suite until csr.c is fixed. */
START_TEST(test_minstret_ecall_not_retired)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_w32(m, RVF_CODE, RVF_ECALL);
    rvf_w32(m, RVF_MTVEC, rvf_csrrs(10, RVF_MINSTRET, 0));
    h->mtvec = RVF_MTVEC;
    h->pc = RVF_CODE;
    h->x[10] = 0x55;
    rvf_run(m, 0, 2);
    ck_assert_uint_eq(h->mcause, EXC_ECALL_M);
    ck_assert_uint_eq(h->pc, RVF_MTVEC + 4);
    ck_assert_uint_eq(h->x[10], 0);
    rvf_machine_free(m);
}
END_TEST

/* Counting relative to an earlier read is exact: ECALL (trap) does not
 * count, every other instruction counts once. Independent of where the
 * reading instruction itself is counted. */
START_TEST(test_minstret_delta)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint32_t code[] = {
        rvf_csrrs(10, RVF_MINSTRET, 0),
        rvf_addi(0, 0, 0), rvf_addi(0, 0, 0),
        RVF_ECALL,
    };
    rvf_code(m, RVF_CODE, code, 4);
    rvf_w32(m, RVF_MTVEC, rvf_csrrs(11, RVF_MINSTRET, 0));
    h->mtvec = RVF_MTVEC;
    h->pc = RVF_CODE;
    ck_assert_uint_eq(rvf_run(m, 0, 5), 5);
    ck_assert_uint_eq(h->pc, RVF_MTVEC + 4);
    /* retired between the two reads: the first read, 2 nops (not ecall) */
    ck_assert_uint_eq(h->x[11] - h->x[10], 3);
    rvf_machine_free(m);
}
END_TEST

/* mcountinhibit (§3.1.13): while CY/IR is set, mcycle/minstret do not
 * increment. A bit that reads back as 1 must take effect.
 * (Fixed bug: csr.c stored mcountinhibit (CY and IR read back as 1) but neither
 * counter honours it. Excluded from the suite until csr.c is fixed. */
START_TEST(test_mcountinhibit)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint32_t code[] = {
        rvf_csrrs(10, RVF_MINSTRET, 0),
        rvf_csrrs(11, RVF_MCYCLE, 0),
        rvf_addi(0, 0, 0), rvf_addi(0, 0, 0), rvf_addi(0, 0, 0),
        rvf_csrrs(12, RVF_MINSTRET, 0),
        rvf_csrrs(13, RVF_MCYCLE, 0),
    };
    rvf_code(m, RVF_CODE, code, 7);
    rvf_csrw(h, 0x320, 0x5); /* mcountinhibit: CY | IR */
    uint64_t inh = rvf_csrr(h, 0x320);
    h->pc = RVF_CODE;
    ck_assert_uint_eq(rvf_run(m, 0, 7), 7);
    if (inh & 4)
        ck_assert_uint_eq(h->x[12], h->x[10]);
    else
        ck_assert_uint_gt(h->x[12], h->x[10]);
    if (inh & 1)
        ck_assert_uint_eq(h->x[13], h->x[11]);
    else
        ck_assert_uint_gt(h->x[13], h->x[11]);
    rvf_machine_free(m);
}
END_TEST

/* ---- mstatus traps: TVM, TSR, TW (§3.1.6.5) ------------------------------------ */

START_TEST(test_tvm)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_TVM);
    ck_assert_int_eq(rvf_step(m, PRV_S, rvf_csrrs(10, RVF_SATP, 0)), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_S, rvf_csrrw(0, RVF_SATP, 0)), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_SFENCE_VMA_ALL), EXC_ILLEGAL_INSN);
    /* M-mode is not affected by TVM */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_csrrs(10, RVF_SATP, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_M, RVF_SFENCE_VMA_ALL), -1);
    /* TVM=0: S may do both */
    rvf_csrw(h, RVF_MSTATUS, 0);
    ck_assert_int_eq(rvf_step(m, PRV_S, rvf_csrrs(10, RVF_SATP, 0)), -1);
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_SFENCE_VMA_ALL), -1);
    /* sfence.vma in U is always illegal (§4.2.1) */
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_SFENCE_VMA_ALL), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

START_TEST(test_tsr)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_TSR);
    h->sepc = 0x80000100;
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_SRET), EXC_ILLEGAL_INSN);
    /* TSR=0: sret returns to sepc in SPP (U here) */
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_SPIE);
    h->sepc = 0x80000100;
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_SRET), -1);
    ck_assert_uint_eq(h->pc, 0x80000100);
    ck_assert_int_eq(h->priv, PRV_U);
    ck_assert(h->mstatus & MSTATUS_SIE);  /* SIE = SPIE */
    ck_assert(h->mstatus & MSTATUS_SPIE); /* SPIE = 1 */
    /* sret in U and mret below M are illegal (§3.3.2) */
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_SRET), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_MRET), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* TW=1: wfi below M traps (hvsim's time limit is zero); wfi in U traps
 * whenever S-mode exists (§3.3.3, §3.1.6.5). */
START_TEST(test_tw_wfi)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_TW);
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_WFI), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_WFI), EXC_ILLEGAL_INSN);
    /* M-mode is never affected by TW */
    m->cpus[0]->state = CPU_RUNNING;
    ck_assert_int_eq(rvf_step(m, PRV_M, RVF_WFI), -1);
    ck_assert_uint_eq(h->pc, RVF_CODE + 4);

    rvf_csrw(h, RVF_MSTATUS, 0);
    m->cpus[0]->state = CPU_RUNNING;
    ck_assert_int_eq(rvf_step(m, PRV_S, RVF_WFI), -1);
    ck_assert_uint_eq(h->pc, RVF_CODE + 4);
    m->cpus[0]->state = CPU_RUNNING;
    ck_assert_int_eq(rvf_step(m, PRV_U, RVF_WFI), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* Sstc 1.0: stimecmp from S is illegal unless menvcfg.STCE=1 and
 * mcounteren.TM=1; from U it is never accessible (S-level CSR). */
START_TEST(test_stimecmp_access)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    const uint64_t STCE = 1ull << 63, TM = 2;
    uint64_t v;
    static const struct { uint64_t menvcfg, mcounteren; int want; } c[] = {
        { 0, 0, EXC_ILLEGAL_INSN },
        { STCE, 0, EXC_ILLEGAL_INSN },
        { 0, TM, EXC_ILLEGAL_INSN },
        { STCE, TM, 0 },
    };
    for (int i = 0; i < 4; i++) {
        rvf_csrw(h, RVF_MENVCFG, c[i].menvcfg);
        rvf_csrw(h, RVF_MCOUNTEREN, c[i].mcounteren);
        rv_set_priv(h, PRV_S);
        ck_assert_msg(rvf_csr_read_at(h, RVF_STIMECMP, &v) == c[i].want, "case %d read", i);
        ck_assert_msg(rvf_csr_write_at(h, RVF_STIMECMP, 12345) == c[i].want, "case %d write", i);
        rv_set_priv(h, PRV_U);
        ck_assert_int_eq(rvf_csr_read_at(h, RVF_STIMECMP, &v), EXC_ILLEGAL_INSN);
        rv_set_priv(h, PRV_M);
        ck_assert_int_eq(rvf_csr_read_at(h, RVF_STIMECMP, &v), 0);
    }
    ck_assert_uint_eq(rvf_csrr(h, RVF_STIMECMP), 12345);
    rvf_machine_free(m);
}
END_TEST

/* Sstc: with menvcfg.STCE=1, mip.STIP reflects time >= stimecmp and is
 * read-only in mip; with STCE=0 it is the software-writable bit again. */
START_TEST(test_stimecmp_stip)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    const uint64_t STIP = 1u << IRQ_STI;
    m->cpus[0]->clock = 1000; /* mtime = 10 */
    rvf_csrw(h, RVF_MENVCFG, 1ull << 63);
    rvf_csrw(h, RVF_STIMECMP, 10);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, STIP);
    rvf_csrw(h, RVF_STIMECMP, 11);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, 0);
    rvf_csrw(h, RVF_MIP, STIP); /* read-only while STCE=1 */
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, 0);
    rvf_csrw(h, RVF_STIMECMP, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, STIP);
    rvf_csrw(h, RVF_MIP, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, STIP);
    /* STCE=0: the comparison no longer drives STIP; M software does */
    rvf_csrw(h, RVF_MENVCFG, 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, 0);
    rvf_csrw(h, RVF_MIP, STIP);
    ck_assert_uint_eq(rvf_csrr(h, RVF_MIP) & STIP, STIP);
    rvf_machine_free(m);
}
END_TEST

/* mstatus.FS=Off makes the FP CSRs inaccessible; a write to fflags/frm/fcsr
 * sets FS to Dirty (§3.1.6.6). */
START_TEST(test_fp_csrs_and_fs)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    rvf_csrw(h, RVF_MSTATUS, 0);
    ck_assert_int_eq(rvf_csr_read_at(h, RVF_FFLAGS, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_read_at(h, RVF_FRM, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_FCSR, 0), EXC_ILLEGAL_INSN);
    rvf_csrw(h, RVF_MSTATUS, 1ull << MSTATUS_FS_SHIFT); /* Initial */
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_FCSR, (3u << 5) | 0x1f), 0);
    ck_assert_uint_eq(h->mstatus & MSTATUS_FS, MSTATUS_FS);
    ck_assert_uint_eq(rvf_csrr(h, RVF_FFLAGS), 0x1f);
    ck_assert_uint_eq(rvf_csrr(h, RVF_FRM), 3);
    ck_assert_uint_eq(rvf_csrr(h, RVF_FCSR), (3u << 5) | 0x1f);
    rvf_machine_free(m);
}
END_TEST

/* ---- exception routing (§3.1.8, §3.1.6.1, §4.1.1) ------------------------------- */

/* A delegated exception taken from U goes to S: scause/sepc/stval,
 * SPP = U, SPIE = old SIE, SIE = 0; M state untouched. */
START_TEST(test_deleg_exception_from_u)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MEDELEG, 1u << EXC_ECALL_U);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_SIE | MSTATUS_SPP);
    h->mepc = 0x1111;
    h->stval = 0x77;
    bool to_s;
    ck_assert_int_eq(rvf_step_to(m, PRV_U, RVF_ECALL, &to_s), EXC_ECALL_U);
    ck_assert(to_s);
    ck_assert_int_eq(h->priv, PRV_S);
    ck_assert_uint_eq(h->pc, RVF_STVEC);
    ck_assert_uint_eq(h->sepc, RVF_CODE);
    ck_assert_uint_eq(h->stval, 0); /* ecall: stval is zero (§4.1.9) */
    ck_assert(!(h->mstatus & MSTATUS_SPP));
    ck_assert(h->mstatus & MSTATUS_SPIE);
    ck_assert(!(h->mstatus & MSTATUS_SIE));
    ck_assert_uint_eq(h->mcause, 0xdead); /* untouched */
    ck_assert_uint_eq(h->mepc, 0x1111);
    rvf_machine_free(m);
}
END_TEST

START_TEST(test_deleg_exception_from_s)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MEDELEG, (1u << EXC_ILLEGAL_INSN) | (1u << EXC_ECALL_S));
    rvf_csrw(h, RVF_MSTATUS, 0); /* SIE=0 -> SPIE must become 0 */
    h->mstatus |= MSTATUS_SPIE;
    bool to_s;
    ck_assert_int_eq(rvf_step_to(m, PRV_S, 0xffffffffu, &to_s), EXC_ILLEGAL_INSN);
    ck_assert(to_s);
    ck_assert(h->mstatus & MSTATUS_SPP);
    ck_assert(!(h->mstatus & MSTATUS_SPIE));
    ck_assert_uint_eq(h->sepc, RVF_CODE);
    ck_assert(h->stval == 0 || h->stval == 0xffffffffu);
    ck_assert_int_eq(rvf_step_to(m, PRV_S, RVF_ECALL, &to_s), EXC_ECALL_S);
    ck_assert(to_s);
    /* not delegated: ebreak from S goes to M with MPP = S */
    ck_assert_int_eq(rvf_step_to(m, PRV_S, RVF_EBREAK, &to_s), EXC_BREAKPOINT);
    ck_assert(!to_s);
    ck_assert_uint_eq((h->mstatus & MSTATUS_MPP) >> 11, PRV_S);
    ck_assert_uint_eq(h->mepc, RVF_CODE);
    rvf_machine_free(m);
}
END_TEST

/* Traps never go to a less privileged mode: from M an exception stays in M
 * even when its medeleg bit is set (§3.1.8). */
START_TEST(test_deleg_exception_from_m_stays)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, RVF_MEDELEG, ~0ull);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MIE);
    bool to_s;
    ck_assert_int_eq(rvf_step_to(m, PRV_M, 0xffffffffu, &to_s), EXC_ILLEGAL_INSN);
    ck_assert(!to_s);
    ck_assert_int_eq(h->priv, PRV_M);
    ck_assert_uint_eq(h->mepc, RVF_CODE);
    ck_assert_uint_eq((h->mstatus & MSTATUS_MPP) >> 11, PRV_M);
    ck_assert(h->mstatus & MSTATUS_MPIE);
    ck_assert(!(h->mstatus & MSTATUS_MIE));
    ck_assert_uint_eq(h->scause, 0xdead);
    ck_assert_int_eq(rvf_step_to(m, PRV_M, RVF_ECALL, &to_s), EXC_ECALL_M);
    ck_assert(!to_s);
    rvf_machine_free(m);
}
END_TEST

/* Not delegated from U: to M with MPP = U, MPIE = old MIE. */
START_TEST(test_exception_from_u_to_m)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MPP); /* MPP=3, MIE=0 */
    h->mstatus |= MSTATUS_MPIE;
    h->mtval = 0x55;
    bool to_s;
    ck_assert_int_eq(rvf_step_to(m, PRV_U, RVF_ECALL, &to_s), EXC_ECALL_U);
    ck_assert(!to_s);
    ck_assert_uint_eq((h->mstatus & MSTATUS_MPP) >> 11, PRV_U);
    ck_assert(!(h->mstatus & MSTATUS_MPIE));
    ck_assert_uint_eq(h->mtval, 0);
    rvf_machine_free(m);
}
END_TEST

/* ---- interrupts (§3.1.9, §3.1.6.1, §4.1.3) ---------------------------------------- */

static void raise_all(struct rv_hart *h)
{
    struct cpu *c = &h->cpu;
    c->ops->set_irq(c, IRQ_MEI, 1);
    c->ops->set_irq(c, IRQ_MSI, 1);
    c->ops->set_irq(c, IRQ_MTI, 1);
    rvf_csrw(h, RVF_MIP, (1u << IRQ_SEI) | (1u << IRQ_SSI) | (1u << IRQ_STI));
}

static void lower(struct rv_hart *h, int irq)
{
    if (irq == IRQ_MEI || irq == IRQ_MSI || irq == IRQ_MTI)
        h->cpu.ops->set_irq(&h->cpu, irq, 0);
    else
        rvf_csrw(h, RVF_MIP, rvf_csrr(h, RVF_MIP) & ~(1ull << irq));
}

/* Simultaneous M-mode interrupts are taken in the order MEI, MSI, MTI,
 * SEI, SSI, STI (§3.1.9). */
START_TEST(test_interrupt_priority)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    static const int order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
    h->mtvec = RVF_MTVEC;
    rvf_csrw(h, RVF_MIE, 0xaaa);
    raise_all(h);
    for (int i = 0; i < 6; i++) {
        rv_set_priv(h, PRV_M);
        h->mstatus |= MSTATUS_MIE;
        h->pc = RVF_CODE;
        ck_assert(rv_take_interrupt(h));
        ck_assert_msg(h->mcause == (MCAUSE_INT | (uint64_t)order[i]), "step %d: mcause %llx", i,
                      (unsigned long long)h->mcause);
        ck_assert_uint_eq(h->mepc, RVF_CODE);
        ck_assert_uint_eq(h->pc, RVF_MTVEC);
        ck_assert(!(h->mstatus & MSTATUS_MIE));
        ck_assert(h->mstatus & MSTATUS_MPIE);
        lower(h, order[i]);
    }
    h->mstatus |= MSTATUS_MIE;
    ck_assert(!rv_take_interrupt(h));
    rvf_machine_free(m);
}
END_TEST

/* Global enables: in M, MIE gates M interrupts; below M they are always
 * enabled. A pending bit whose mie bit is clear is never taken. */
START_TEST(test_interrupt_enables)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    h->mtvec = RVF_MTVEC;
    h->cpu.ops->set_irq(&h->cpu, IRQ_MTI, 1);
    rv_set_priv(h, PRV_M);
    h->mstatus &= ~MSTATUS_MIE;
    rvf_csrw(h, RVF_MIE, 1u << IRQ_MTI);
    ck_assert(!rv_take_interrupt(h)); /* MIE=0 in M */
    rvf_csrw(h, RVF_MIE, 1u << IRQ_MSI);
    h->mstatus |= MSTATUS_MIE;
    ck_assert(!rv_take_interrupt(h)); /* MTIE=0 */
    rvf_csrw(h, RVF_MIE, 1u << IRQ_MTI);
    h->mstatus &= ~MSTATUS_MIE;
    rv_set_priv(h, PRV_S);
    ck_assert(rv_take_interrupt(h)); /* from S regardless of MIE */
    ck_assert_uint_eq(h->mcause, MCAUSE_INT | IRQ_MTI);
    ck_assert_int_eq(h->priv, PRV_M);
    ck_assert_uint_eq((h->mstatus & MSTATUS_MPP) >> 11, PRV_S);
    rvf_machine_free(m);
}
END_TEST

/* A delegated interrupt is never taken in M; in S it needs SIE; in U it is
 * always enabled (§3.1.9, §4.1.3). It traps to S. */
START_TEST(test_delegated_interrupt)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    const uint64_t STI = 1u << IRQ_STI;
    h->mtvec = RVF_MTVEC;
    h->stvec = RVF_STVEC;
    rvf_csrw(h, RVF_MIDELEG, STI);
    rvf_csrw(h, RVF_MIE, STI);
    rvf_csrw(h, RVF_MIP, STI);

    rv_set_priv(h, PRV_M);
    h->mstatus |= MSTATUS_MIE | MSTATUS_SIE;
    ck_assert(!rv_take_interrupt(h));

    rv_set_priv(h, PRV_S);
    h->mstatus &= ~MSTATUS_SIE;
    ck_assert(!rv_take_interrupt(h));

    h->mstatus |= MSTATUS_SIE;
    h->pc = 0x80000040;
    ck_assert(rv_take_interrupt(h));
    ck_assert_int_eq(h->priv, PRV_S);
    ck_assert_uint_eq(h->scause, MCAUSE_INT | IRQ_STI);
    ck_assert_uint_eq(h->sepc, 0x80000040);
    ck_assert_uint_eq(h->pc, RVF_STVEC);
    ck_assert(h->mstatus & MSTATUS_SPP);
    ck_assert(h->mstatus & MSTATUS_SPIE);
    ck_assert(!(h->mstatus & MSTATUS_SIE));

    rv_set_priv(h, PRV_U);
    h->mstatus &= ~(MSTATUS_SIE | MSTATUS_MIE);
    ck_assert(rv_take_interrupt(h));
    ck_assert_int_eq(h->priv, PRV_S);
    ck_assert(!(h->mstatus & MSTATUS_SPP));

    /* An M-level interrupt pending at the same time wins over the
     * delegated one, even in S with SIE set. */
    rv_set_priv(h, PRV_S);
    h->mstatus |= MSTATUS_SIE;
    rvf_csrw(h, RVF_MIE, STI | (1u << IRQ_MSI));
    h->cpu.ops->set_irq(&h->cpu, IRQ_MSI, 1);
    ck_assert(rv_take_interrupt(h));
    ck_assert_int_eq(h->priv, PRV_M);
    ck_assert_uint_eq(h->mcause, MCAUSE_INT | IRQ_MSI);
    rvf_machine_free(m);
}
END_TEST

/* Vectored mode: interrupts go to BASE + 4*cause, exceptions to BASE
 * (§3.1.7, §4.1.2). */
START_TEST(test_vectored_tvec)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MTVEC_CSR, 0x80010001);
    rvf_csrw(h, RVF_MIE, 1u << IRQ_MTI);
    h->cpu.ops->set_irq(&h->cpu, IRQ_MTI, 1);
    rv_set_priv(h, PRV_U);
    ck_assert(rv_take_interrupt(h));
    ck_assert_uint_eq(h->pc, 0x80010000 + 4 * IRQ_MTI);

    h->cpu.ops->set_irq(&h->cpu, IRQ_MTI, 0);
    h->pc = RVF_CODE;
    rv_set_priv(h, PRV_M);
    rv_exception(h, EXC_ILLEGAL_INSN, 0);
    ck_assert_uint_eq(h->pc, 0x80010000);

    /* stvec, delegated SSI */
    rvf_csrw(h, RVF_STVEC_CSR, 0x80020001);
    rvf_csrw(h, RVF_MIDELEG, 1u << IRQ_SSI);
    rvf_csrw(h, RVF_MIE, 1u << IRQ_SSI);
    rvf_csrw(h, RVF_MIP, 1u << IRQ_SSI);
    rv_set_priv(h, PRV_U);
    ck_assert(rv_take_interrupt(h));
    ck_assert_int_eq(h->priv, PRV_S);
    ck_assert_uint_eq(h->pc, 0x80020000 + 4 * IRQ_SSI);
    rvf_machine_free(m);
}
END_TEST

/* An interrupt is taken by the run loop before the next instruction: mepc
 * is the instruction that did not execute. */
START_TEST(test_interrupt_in_run_loop)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint32_t code[] = { rvf_addi(10, 0, 1), rvf_addi(11, 0, 2) };
    rvf_code(m, RVF_CODE, code, 2);
    h->mtvec = RVF_MTVEC;
    rvf_w32(m, RVF_MTVEC, rvf_addi(12, 0, 3));
    h->pc = RVF_CODE;
    rvf_csrw(h, RVF_MIE, 1u << IRQ_MSI);
    h->mstatus |= MSTATUS_MIE;
    ck_assert_uint_eq(rvf_run(m, 0, 1), 1);
    ck_assert_uint_eq(h->x[10], 1);
    h->cpu.ops->set_irq(&h->cpu, IRQ_MSI, 1);
    ck_assert_uint_eq(rvf_run(m, 0, 1), 1); /* the handler's first instruction */
    ck_assert_uint_eq(h->mcause, MCAUSE_INT | IRQ_MSI);
    ck_assert_uint_eq(h->mepc, RVF_CODE + 4);
    ck_assert_uint_eq(h->x[11], 0);
    ck_assert_uint_eq(h->x[12], 3);
    rvf_machine_free(m);
}
END_TEST

/* mret restores MIE from MPIE, sets MPIE, returns to MPP and sets MPP to U
 * (the least-privileged mode), clearing MPRV when leaving M (§3.3.2). */
START_TEST(test_mret)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_pmp_allow_all(h);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MPIE | (1ull << 11) | MSTATUS_MPRV);
    h->mepc = 0x80000200;
    ck_assert_int_eq(rvf_step(m, PRV_M, RVF_MRET), -1);
    ck_assert_uint_eq(h->pc, 0x80000200);
    ck_assert_int_eq(h->priv, PRV_S);
    ck_assert(h->mstatus & MSTATUS_MIE);
    ck_assert(h->mstatus & MSTATUS_MPIE);
    ck_assert_uint_eq(h->mstatus & MSTATUS_MPP, 0);
    ck_assert(!(h->mstatus & MSTATUS_MPRV));
    rvf_machine_free(m);
}
END_TEST

Suite *csr_suite(void)
{
    Suite *s = suite_create("csr");
    TCase *tc = tcase_create("access");
    tcase_add_test(tc, test_access_by_privilege);
    tcase_add_test(tc, test_access_by_privilege_insn);
    tcase_add_test(tc, test_read_only_csrs);
    tcase_add_test(tc, test_csrrs_csrrc);
    tcase_add_test(tc, test_mip_seip_rmw);
    suite_add_tcase(s, tc);

    tc = tcase_create("registers");
    tcase_add_test(tc, test_mstatus_warl);
    tcase_add_test(tc, test_sstatus_view);
    tcase_add_test(tc, test_sie_sip_masked_by_mideleg);
    tcase_add_test(tc, test_medeleg_bit11);
    tcase_add_test(tc, test_tvec_modes);
    tcase_add_test(tc, test_epc_bit0);
    tcase_add_test(tc, test_misa);
    tcase_add_test(tc, test_satp_warl);
    tcase_add_test(tc, test_counter_enables);
    tcase_add_test(tc, test_time_value);
    tcase_add_test(tc, test_minstret_delta);
    tcase_add_test(tc, test_minstret_read_before_increment);
    tcase_add_test(tc, test_minstret_write_replaces_increment);
    tcase_add_test(tc, test_minstret_ecall_not_retired);
    tcase_add_test(tc, test_mcountinhibit);
    tcase_add_test(tc, test_stimecmp_access);
    tcase_add_test(tc, test_stimecmp_stip);
    tcase_add_test(tc, test_fp_csrs_and_fs);
    suite_add_tcase(s, tc);

    tc = tcase_create("privileged");
    tcase_add_test(tc, test_tvm);
    tcase_add_test(tc, test_tsr);
    tcase_add_test(tc, test_tw_wfi);
    tcase_add_test(tc, test_mret);
    suite_add_tcase(s, tc);

    tc = tcase_create("traps");
    tcase_add_test(tc, test_deleg_exception_from_u);
    tcase_add_test(tc, test_deleg_exception_from_s);
    tcase_add_test(tc, test_deleg_exception_from_m_stays);
    tcase_add_test(tc, test_exception_from_u_to_m);
    tcase_add_test(tc, test_interrupt_priority);
    tcase_add_test(tc, test_interrupt_enables);
    tcase_add_test(tc, test_delegated_interrupt);
    tcase_add_test(tc, test_vectored_tvec);
    tcase_add_test(tc, test_interrupt_in_run_loop);
    suite_add_tcase(s, tc);
    return s;
}
