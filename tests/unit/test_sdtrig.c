/* Unit tests for the Sdtrig debug triggers (src/cpu/riscv/trigger.c and
 * its hooks in csr.c, exec.c, trap.c).
 *
 * Spec references: RISC-V Debug Specification 1.0, chapter "Sdtrig"
 * (enumeration, native triggers) and the Trigger Module registers
 * (tselect, tdata1, tdata2, tinfo, tcontrol, mcontrol6, icount, mcontext,
 * hcontext, scontext, textra64). */
#include <check.h>
#include <stdlib.h>

#include "rv_fixture.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/trigger.h"

Suite *sdtrig_suite(void);

#define MC6 (6ull << 60)
#define MC_EXE (1ull << 2)
#define MC_M (1ull << 6)
#define MC_U (1ull << 3)
#define HIT0 (1ull << 22)
#define ICOUNT (3ull << 60)

static struct machine *trig_machine(unsigned n)
{
    struct machine *m = rvf_machine_new(1);
    rv_hart_set_triggers(m->cpus[0], n);
    return m;
}

/* Without triggers (the default) every trigger CSR is an illegal
 * instruction, as before Sdtrig existed. */
START_TEST(test_default_illegal)
{
    struct machine *m = trig_machine(0);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    for (unsigned csr = CSR_TSELECT; csr <= CSR_TCONTROL; csr++)
        ck_assert_int_eq(rvf_csr_read_at(h, csr, &v), EXC_ILLEGAL_INSN);
    ck_assert(!rv_csr_write_raw(h, CSR_TSELECT, 0));
    rvf_machine_free(m);
}
END_TEST

/* Enumeration: tselect reads back only existing indices; tinfo; type 15
 * at reset; writing 0 disables; M-mode only. */
START_TEST(test_enumeration_warl)
{
    struct machine *m = trig_machine(3);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    rvf_csrw(h, CSR_TSELECT, 2);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TSELECT), 2);
    rvf_csrw(h, CSR_TSELECT, 3);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TSELECT), 2);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TINFO), 0x0100807c);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), 15ull << 60);
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_M | MC_EXE | (1ull << 59) | (3ull << 12));
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), MC6 | MC_M | MC_EXE); /* dmode, action -> 0 */
    rvf_csrw(h, CSR_TDATA1, 0);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), 15ull << 60);
    rvf_csrw(h, CSR_TCONTROL, ~0ull);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TCONTROL), 0x88);
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_TDATA1, &v), EXC_ILLEGAL_INSN);
    rv_set_priv(h, PRV_M);
    rvf_machine_free(m);
}
END_TEST

/* tcontrol: a trap into M saves mte in mpte and clears it; MRET restores. */
START_TEST(test_tcontrol_trap_mret)
{
    struct machine *m = trig_machine(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, CSR_TCONTROL, 8);
    ck_assert_int_eq(rvf_step(m, PRV_M, 0x00000073 /* ecall */), EXC_ECALL_M);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TCONTROL), 0x80);
    rvf_step(m, PRV_M, 0x30200073 /* mret */);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TCONTROL), 0x88);
    rvf_machine_free(m);
}
END_TEST

/* A loop of 8 addi + jal, run until compiled (fast engine), then an
 * execute trigger on its 4th instruction: the breakpoint is taken exactly
 * there on both engines (blocks and compiled code never run past an
 * armed execute trigger), with the same x1. */
static void run_exec_trigger(bool interp, uint64_t *x1, uint64_t *retired)
{
    struct machine *m = trig_machine(2);
    struct rv_hart *h = rvf_hart(m, 0);
    m->interp_only = interp;
    uint32_t code[9];
    for (int i = 0; i < 8; i++)
        code[i] = rvf_addi(1, 1, 1);
    code[8] = rvf_j(0, -32);
    rvf_code(m, RVF_CODE, code, 9);
    uint32_t spin = rvf_j(0, 0);
    rvf_code(m, RVF_MTVEC, &spin, 1);
    h->mtvec = RVF_MTVEC;
    h->pc = RVF_CODE;
    uint64_t r = rvf_run(m, 0, 905); /* 100 loops + 5: stops after the 5th addi */
    ck_assert_uint_eq(h->x[1], 805);
    rvf_csrw(h, CSR_TCONTROL, 8);
    rvf_csrw(h, CSR_TSELECT, 1);
    rvf_csrw(h, CSR_TDATA2, RVF_CODE + 12);
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_M | MC_EXE);
    r += rvf_run(m, 0, 100);
    ck_assert_uint_eq(h->mcause, EXC_BREAKPOINT);
    ck_assert_uint_eq(h->mepc, RVF_CODE + 12);
    ck_assert_uint_eq(h->mtval, RVF_CODE + 12);
    ck_assert_uint_eq(h->pc, RVF_MTVEC);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), MC6 | HIT0 | MC_M | MC_EXE);
    /* the M handler runs with mte = 0: the spin loop is not stopped */
    ck_assert_uint_eq(rvf_csrr(h, CSR_TCONTROL), 0x80);
    *x1 = h->x[1];
    *retired = r;
    rvf_machine_free(m);
}

START_TEST(test_exec_trigger_engines)
{
    uint64_t xf, xi, rf, ri;
    run_exec_trigger(false, &xf, &rf);
    run_exec_trigger(true, &xi, &ri);
    ck_assert_uint_eq(xf, 805 + 3 + 3); /* 6th-8th, then 1st-3rd of the next loop */
    ck_assert_uint_eq(xf, xi);
    ck_assert_uint_eq(rf, ri);
}
END_TEST

/* Nothing armed: the hart does not run instruction by instruction; an
 * etrigger alone does not need it either; a U-mode execute trigger does. */
START_TEST(test_per_insn_only_when_armed)
{
    struct machine *m = trig_machine(2);
    struct rv_hart *h = rvf_hart(m, 0);
    ck_assert(!h->trig_per_insn);
    rvf_csrw(h, CSR_TDATA1, 5ull << 60 | (1ull << 6));
    rvf_csrw(h, CSR_TDATA2, 1ull << 8);
    ck_assert(!h->trig_per_insn);
    rvf_csrw(h, CSR_TSELECT, 1);
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_EXE); /* no mode bit: not armed */
    ck_assert(!h->trig_per_insn);
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_EXE | MC_U);
    ck_assert(h->trig_per_insn);
    rvf_csrw(h, CSR_TDATA1, ICOUNT | (1ull << 10) | (1ull << 6));
    ck_assert(h->trig_per_insn);
    rvf_csrw(h, CSR_TDATA1, 0);
    ck_assert(!h->trig_per_insn);
    rvf_machine_free(m);
}
END_TEST

/* The debugger's triggers (gdb `monitor hwtrig on`): rv_trig_debugger puts
 * an mcontrol6 with dmode 1, action 1 in the first free trigger; the guest
 * reads it but its tdata1/tdata2 writes are ignored; a range one trigger
 * cannot express and a full set are refused; removal frees it. */
START_TEST(test_debugger_triggers)
{
    struct machine *m = trig_machine(2);
    struct rv_hart *h = rvf_hart(m, 0);
    ck_assert_int_eq(rv_trig_debugger(h, true, 2, 0x80001000, 8), 0);
    rvf_csrw(h, CSR_TSELECT, 0);
    uint64_t t1 = rvf_csrr(h, CSR_TDATA1);
    ck_assert_uint_eq(t1 >> 59, (MC6 | 1ull << 59) >> 59);          /* type 6, dmode */
    ck_assert_uint_eq((t1 >> 12) & 15, 1);                          /* action 1 */
    ck_assert_uint_eq((t1 >> 7) & 15, 1);                           /* napot */
    ck_assert_uint_eq(t1 & 7, 2);                                   /* store only */
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA2), 0x80001003);
    rvf_csrw(h, CSR_TDATA1, 0);                                     /* the guest cannot */
    rvf_csrw(h, CSR_TDATA2, 0x1234);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), t1);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA2), 0x80001003);
    ck_assert(h->trig_per_insn);
    ck_assert_int_eq(rv_trig_debugger(h, true, 2, 0x80001001, 8), -1); /* not aligned */
    ck_assert_int_eq(rv_trig_debugger(h, true, 1, 0x80000000, 1), 0);
    ck_assert_int_eq(rv_trig_debugger(h, true, 3, 0x80002000, 4), -1); /* both taken */
    ck_assert_int_eq(rv_trig_debugger(h, false, 2, 0x80001000, 8), 0);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), 15ull << 60);         /* freed: the guest's again */
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_M | MC_EXE);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA1), MC6 | MC_M | MC_EXE);
    ck_assert_int_eq(rv_trig_debugger(h, false, 2, 0x80001000, 8), -1); /* nothing to remove */
    rvf_machine_free(m);
    struct machine *m0 = trig_machine(0);
    ck_assert_int_eq(rv_trig_debugger(rvf_hart(m0, 0), true, 1, 0x80000000, 1), -2);
    rvf_machine_free(m0);
}
END_TEST


/* The context CSRs (Sdtrig "Machine Context", "Hypervisor Context",
 * "Supervisor Context"): mcontext holds 14 bits (M only), hcontext is the
 * same register from HS mode (VS: virtual instruction, U: illegal),
 * scontext holds 34 bits and is an S-level CSR (S, VS and M; U illegal). */
START_TEST(test_context_csrs)
{
    struct machine *m = trig_machine(1);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t v;
    rvf_csrw(h, CSR_MCONTEXT, ~0ull);
    ck_assert_uint_eq(rvf_csrr(h, CSR_MCONTEXT), 0x3fff);
    ck_assert_uint_eq(rvf_csrr(h, CSR_HCONTEXT), 0x3fff);
    rvf_csrw(h, CSR_SCONTEXT, ~0ull);
    ck_assert_uint_eq(rvf_csrr(h, CSR_SCONTEXT), (1ull << 34) - 1);
    /* HS: hcontext and scontext, not mcontext */
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_write_at(h, CSR_HCONTEXT, 0x1234), 0);
    ck_assert_uint_eq(h->mcontext, 0x1234);
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_MCONTEXT, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_write_at(h, CSR_SCONTEXT, 0x2aabbccdd), 0);
    ck_assert_uint_eq(h->scontext, 0x2aabbccdd);
    /* VS: scontext itself (no VS copy), hcontext a virtual instruction */
    h->virt = true;
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_SCONTEXT, &v), 0);
    ck_assert_uint_eq(v, 0x2aabbccdd);
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_HCONTEXT, &v), EXC_VIRTUAL_INSN);
    h->virt = false;
    rv_set_priv(h, PRV_U);
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_SCONTEXT, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_HCONTEXT, &v), EXC_ILLEGAL_INSN);
    rv_set_priv(h, PRV_M);
    /* reset clears them */
    rv_trig_reset(h);
    ck_assert_uint_eq(h->mcontext | h->scontext, 0);
    rvf_machine_free(m);
    /* without Sdtrig: illegal, as before */
    struct machine *m0 = trig_machine(0);
    struct rv_hart *h0 = rvf_hart(m0, 0);
    ck_assert_int_eq(rvf_csr_read_at(h0, CSR_MCONTEXT, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_read_at(h0, CSR_SCONTEXT, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_read_at(h0, CSR_HCONTEXT, &v), EXC_ILLEGAL_INSN);
    rvf_machine_free(m0);
}
END_TEST

#define TX_MH(val, sel) ((uint64_t)(val) << 51 | (uint64_t)(sel) << 48)
#define TX_S(val, sel, bm) ((uint64_t)(bm) << 36 | (uint64_t)(val) << 2 | (uint64_t)(sel))

/* tdata3 is textra64: every field kept per trigger; reserved mhselect (3,
 * 7) and sselect (3) clear their field pair; bits 47:41 read 0; it stays
 * when tdata1 changes type; the debugger's triggers ignore guest writes. */
START_TEST(test_textra_warl)
{
    struct machine *m = trig_machine(2);
    struct rv_hart *h = rvf_hart(m, 0);
    uint64_t t = TX_MH(0x1abc, 5) | TX_S(0x2deadbeefull, 1, 0x13);
    rvf_csrw(h, CSR_TDATA3, t | 0x7full << 41);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA3), t);
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_M | MC_EXE);
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA3), t);
    rvf_csrw(h, CSR_TDATA3, TX_MH(0x1abc, 3) | TX_S(0x55, 2, 0));
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA3), TX_S(0x55, 2, 0));
    rvf_csrw(h, CSR_TDATA3, TX_MH(0x1abc, 7) | TX_S(0x55, 3, 0x1f));
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA3), 0);
    rvf_csrw(h, CSR_TSELECT, 1);                      /* per trigger */
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA3), 0);
    rvf_csrw(h, CSR_TSELECT, 0);
    rvf_csrw(h, CSR_TDATA1, 0);
    ck_assert_int_eq(rv_trig_debugger(h, true, 1, 0x80000000, 1), 0); /* takes trigger 0 */
    rvf_csrw(h, CSR_TDATA3, TX_MH(1, 4));
    ck_assert_uint_eq(rvf_csrr(h, CSR_TDATA3), 0);
    rvf_machine_free(m);
}
END_TEST

/* Runs `addi x1,x1,1` at RVF_CODE in M mode under trigger 0 (execute at
 * RVF_CODE, M, tcontrol.mte = 1) with textra t: true when the breakpoint
 * was taken. */
static bool exec_fires(struct machine *m, uint64_t t)
{
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, CSR_TSELECT, 0);
    rvf_csrw(h, CSR_TDATA1, MC6 | MC_M | MC_EXE);
    rvf_csrw(h, CSR_TDATA2, RVF_CODE);
    rvf_csrw(h, CSR_TDATA3, t);
    rvf_csrw(h, CSR_TCONTROL, 8);
    int r = rvf_step(m, PRV_M, rvf_addi(1, 1, 1));
    ck_assert(r == -1 || r == EXC_BREAKPOINT);
    return r == EXC_BREAKPOINT;
}

/* textra64 matching (Sdtrig textra32/64 mhselect, sselect, sbytemask):
 * the trigger fires only while the named context equals the value. */
START_TEST(test_textra_match)
{
    struct machine *m = trig_machine(1);
    struct rv_hart *h = rvf_hart(m, 0);
    ck_assert(exec_fires(m, 0));                       /* no condition */
    /* mhselect 4: low 13 bits of mcontext == mhvalue */
    rvf_csrw(h, CSR_MCONTEXT, 0x5);
    ck_assert(exec_fires(m, TX_MH(5, 4)));
    ck_assert(!exec_fires(m, TX_MH(6, 4)));
    rvf_csrw(h, CSR_MCONTEXT, 0x2005);                 /* bit 13: not compared */
    ck_assert(exec_fires(m, TX_MH(5, 4)));
    /* mhselect 1/5: 14 bits == {mhvalue, mhselect[2]} */
    ck_assert(!exec_fires(m, TX_MH(0x1002, 1)));       /* {0x1002, 0} = 0x2004 */
    ck_assert(exec_fires(m, TX_MH(0x1002, 5)));        /* {0x1002, 1} = 0x2005 */
    /* mhselect 2/6: hgatp.VMID == {mhvalue, mhselect[2]} (VMIDMAX 14 bits) */
    h->hgatp = 0x0123ull << 44;
    ck_assert(exec_fires(m, TX_MH(0x91, 6)));          /* {0x91, 1} = 0x123 */
    ck_assert(!exec_fires(m, TX_MH(0x91, 2)));
    h->hgatp = 0;
    /* sselect 1: scontext == svalue, the bytes of sbytemask ignored */
    rvf_csrw(h, CSR_SCONTEXT, 0x3aabbccddull);
    ck_assert(exec_fires(m, TX_S(0x3aabbccddull, 1, 0)));
    ck_assert(!exec_fires(m, TX_S(0x3aabbcc00ull, 1, 0)));
    ck_assert(exec_fires(m, TX_S(0x3aabbcc00ull, 1, 0x1)));   /* byte 0 ignored */
    ck_assert(!exec_fires(m, TX_S(0x0aabbccddull, 1, 0xf)));  /* bits 33:32 compared */
    ck_assert(exec_fires(m, TX_S(0x0aabbccddull, 1, 0x10)));
    /* sselect 2: satp.ASID == low 16 bits of svalue */
    h->satp = 0x0042ull << 44;
    ck_assert(exec_fires(m, TX_S(0x10042, 2, 0)));
    ck_assert(!exec_fires(m, TX_S(0x43, 2, 0)));
    h->satp = 0;
    /* both conditions must hold */
    ck_assert(!exec_fires(m, TX_MH(5, 4) | TX_S(1, 1, 0)));
    ck_assert(exec_fires(m, TX_MH(5, 4) | TX_S(0x3aabbccddull, 1, 0)));
    rvf_machine_free(m);
}
END_TEST

/* An etrigger with sselect = 2 on a trap from VS mode compares vsatp's
 * ASID (the mode the trap is taken from), not satp's. */
START_TEST(test_textra_etrigger_vs_asid)
{
    struct machine *m = trig_machine(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, CSR_TDATA1, 5ull << 60 | (1ull << 12));   /* etrigger, vs */
    rvf_csrw(h, CSR_TDATA2, 1ull << EXC_ECALL_VS);
    rvf_csrw(h, CSR_TDATA3, TX_S(7, 2, 0));
    h->satp = 7ull << 44;
    h->vsatp = 8ull << 44;
    rvf_pmp_allow_all(h);
    h->medeleg = 1ull << EXC_ECALL_VS; /* handled in HS: not inhibited there */
    h->virt = true;
    ck_assert_int_eq(rvf_step(m, PRV_S, 0x00000073 /* ecall */), EXC_ECALL_VS);
    ck_assert(!h->trig_fire);                            /* vsatp.ASID 8 != 7 */
    h->vsatp = 7ull << 44;
    h->virt = true;
    ck_assert_int_eq(rvf_step(m, PRV_S, 0x00000073), EXC_ECALL_VS);
    ck_assert(h->trig_fire);                             /* pending before the handler */
    rvf_machine_free(m);
}
END_TEST

Suite *sdtrig_suite(void)
{
    Suite *s = suite_create("sdtrig");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_default_illegal);
    tcase_add_test(tc, test_enumeration_warl);
    tcase_add_test(tc, test_tcontrol_trap_mret);
    tcase_add_test(tc, test_exec_trigger_engines);
    tcase_add_test(tc, test_per_insn_only_when_armed);
    tcase_add_test(tc, test_debugger_triggers);
    tcase_add_test(tc, test_context_csrs);
    tcase_add_test(tc, test_textra_warl);
    tcase_add_test(tc, test_textra_match);
    tcase_add_test(tc, test_textra_etrigger_vs_asid);
    suite_add_tcase(s, tc);
    return s;
}
