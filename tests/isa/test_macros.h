/* test_macros.h — assembler support for hvsim's self-checking ISA tests.
 *
 * Written from the RISC-V unprivileged spec (20191213) and privileged spec
 * (1.12).  A test file looks like:
 *
 *     #include "test_macros.h"
 *     TEST_BEGIN
 *       TEST_RR_OP(2, add, 3, 1, 2)
 *       ...
 *     TEST_END
 *
 * Conventions
 *   gp (x3)   current test number (TESTNUM); a failure reports it through
 *             HTIF: tohost = (TESTNUM << 1) | 1.  Test numbers start at 2
 *             (1 means "failed during setup") and must not be a multiple of
 *             256 (QEMU's HTIF exit status keeps only 8 bits).
 *   t6 (x31)  scratch of the checking macros: test code must not keep a
 *             result in t6 across a check.
 *   a7 (x17)  clobbered by GOTO_M / GOTO_S (magic ecalls; zero afterwards).
 *   tp (x4)   reserved for the tests' own use (never touched here).
 *
 * Traps (priv §3.1.15-3.1.17, §4.1.8-4.1.10).  mtvec points to
 * trap_handler_m, stvec to trap_handler_s.  Both fail the test unless the test
 * announced the trap with EXPECT_TRAP*; an expected exception is recorded in
 * trap_frame (cause, tval, epc, status) and execution resumes after the
 * faulting instruction (2 or 4 bytes, from the instruction's low bits), or at
 * a label given with SET_RESUME, or — for instruction access/page faults —
 * at ra (so a fault is provoked with `jalr ra, BAD`).  An interrupt clears
 * its own enable bit in mie/sie (so a level-triggered source does not
 * re-trap) and returns to the interrupted instruction.
 *
 * Environment set up by TEST_BEGIN (machine mode): mtvec, mscratch (points
 * to trap_frame), stvec, sscratch, a 16 KiB stack (sp), mstatus.FS = Dirty,
 * fcsr = 0, one PMP entry granting S/U-mode RWX on the whole address space
 * (priv §3.7.1: with PMP implemented and no matching entry, S/U accesses
 * fail), satp = 0, no delegation, all interrupts disabled.
 */
#ifndef HVSIM_TEST_MACROS_H
#define HVSIM_TEST_MACROS_H

/* hvsim handles misaligned loads and stores in hardware (no trap); the
 * misaligned parts of rv64i_mem.S check that.  Build with
 * -DHVSIM_MISALIGNED_TRAPS to skip them on an implementation that traps. */
#ifndef HVSIM_MISALIGNED_TRAPS
#define HVSIM_MISALIGNED_OK 1
#endif

/* QEMU validation builds (tests/isa/run.sh with HVSIM_ISA_QEMU=1) define
 * ISA_QEMU and ISA_QEMU_SPIKE or ISA_QEMU_VIRT. */
#if defined(ISA_QEMU_VIRT)
#define EXIT_VIA_SIFIVE_TEST 1
#endif

#define TESTNUM gp

/* ---------------------------------------------------------------------- */
/* CSR bit definitions (priv 1.12)                                         */
/* ---------------------------------------------------------------------- */
#define MSTATUS_SIE     (1 << 1)
#define MSTATUS_MIE     (1 << 3)
#define MSTATUS_SPIE    (1 << 5)
#define MSTATUS_UBE     (1 << 6)
#define MSTATUS_MPIE    (1 << 7)
#define MSTATUS_SPP     (1 << 8)
#define MSTATUS_VS      (3 << 9)
#define MSTATUS_MPP     (3 << 11)
#define MSTATUS_MPP_S   (1 << 11)
#define MSTATUS_MPP_M   (3 << 11)
#define MSTATUS_FS      (3 << 13)
#define MSTATUS_FS_INIT (1 << 13)
#define MSTATUS_FS_DIRTY (3 << 13)
#define MSTATUS_XS      (3 << 15)
#define MSTATUS_MPRV    (1 << 17)
#define MSTATUS_SUM     (1 << 18)
#define MSTATUS_MXR     (1 << 19)
#define MSTATUS_TVM     (1 << 20)
#define MSTATUS_TW      (1 << 21)
#define MSTATUS_TSR     (1 << 22)
#define MSTATUS_UXL     (3 << 32)
#define MSTATUS_SXL     (3 << 34)
#define MSTATUS_SD      (1 << 63)

#define SSTATUS_SIE     MSTATUS_SIE
#define SSTATUS_SPIE    MSTATUS_SPIE
#define SSTATUS_SPP     MSTATUS_SPP
#define SSTATUS_FS      MSTATUS_FS
#define SSTATUS_SUM     MSTATUS_SUM
#define SSTATUS_MXR     MSTATUS_MXR

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* Interrupt numbers (priv §3.1.9) and mie/mip bits */
#define IRQ_S_SOFT   1
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_M_EXT    11
#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SEIP (1 << IRQ_S_EXT)
#define MIP_MEIP (1 << IRQ_M_EXT)

/* Exception codes (priv §3.1.15, table 3.6) */
#define CAUSE_MISALIGNED_FETCH    0
#define CAUSE_FETCH_ACCESS        1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT          3
#define CAUSE_MISALIGNED_LOAD     4
#define CAUSE_LOAD_ACCESS         5
#define CAUSE_MISALIGNED_STORE    6
#define CAUSE_STORE_ACCESS        7
#define CAUSE_USER_ECALL          8
#define CAUSE_SUPERVISOR_ECALL    9
#define CAUSE_MACHINE_ECALL       11
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15
#define CAUSE_INTERRUPT           (1 << 63)

/* satp (priv §4.1.11) */
#define SATP_MODE_SV39 (8 << 60)
#define SATP_MODE_SV48 (9 << 60)

/* PTE bits (priv §4.3.1) */
#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)
#define PTE_RWX    (PTE_R | PTE_W | PTE_X)
/* leaf with A and D preset: never needs a hardware A/D update */
#define PTE_LEAF_RWX (PTE_V | PTE_RWX | PTE_A | PTE_D)

/* PMP (priv §3.7) */
#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_OFF   0x00
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L     0x80

/* ACLINT / CLINT layout shared by hvsim's riscv-virt and QEMU's spike/virt */
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP  (CLINT_BASE + 0x4000)
#define CLINT_MTIME     (CLINT_BASE + 0xbff8)

/* Sstc (stimecmp) and menvcfg */
#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG  0x30a
#define MENVCFG_STCE (1 << 63)

/* ---------------------------------------------------------------------- */
/* trap_frame layout (shared by the M and S handlers)                     */
/* ---------------------------------------------------------------------- */
#define TF_MSAVE     0     /* 8 slots: M handler's saved t0..t5, t6 */
#define TF_SSAVE     64    /* 8 slots: S handler's saved registers */
#define TF_EXP_CAUSE 128   /* expected cause */
#define TF_EXP_TVAL  136   /* expected tval */
#define TF_EXP_FLAGS 144   /* TRAP_EXPECT | TRAP_CHECK_TVAL | TRAP_IN_S */
#define TF_RESUME    152   /* if non-zero: resume here after the trap */
#define TF_CAUSE     160   /* last trap: cause */
#define TF_TVAL      168   /*            tval */
#define TF_EPC       176   /*            epc */
#define TF_STATUS    184   /*            mstatus/sstatus on entry */
#define TF_COUNT     192   /* number of traps taken (magic ecalls excluded) */
#define TF_HANDLER   200   /* 3 = last trap taken by M handler, 1 = by S */
#define TF_SIZE      256

#define TRAP_EXPECT     1
#define TRAP_CHECK_TVAL 2
#define TRAP_IN_S       4

/* magic ecalls (a7 holds the number) handled by the trap handlers */
#define MAGIC_GOTO_M 0x4d6f64654d    /* "ModeM": return to M-mode after ecall */
#define MAGIC_GOTO_S 0x4d6f646553    /* "ModeS": return to S-mode after ecall */

/* ---------------------------------------------------------------------- */
/* Start and end of a test program                                        */
/* ---------------------------------------------------------------------- */

#define TEST_BEGIN                                                      \
        .section .text.init, "ax", @progbits;                           \
        .globl _start;                                                  \
_start:                                                                 \
        j test_reset;                                                   \
        TRAP_HANDLERS;                                                  \
test_reset:                                                             \
        INIT_MACHINE;                                                   \
        .text;                                                          \
        .globl test_body;                                               \
test_body:

#define TEST_END                                                        \
        PASS;                                                           \
test_fail:                                                              \
        FAIL_NOW;                                                       \
        TEST_DATA

/* Everything reset leaves undefined is set here, so a test starts in the
 * same state on any implementation. */
#define INIT_MACHINE                                                    \
        li x1, 0; li x2, 0; li x3, 0; li x4, 0; li x5, 0;               \
        li x6, 0; li x7, 0; li x8, 0; li x9, 0; li x10, 0;              \
        li x11, 0; li x12, 0; li x13, 0; li x14, 0; li x15, 0;          \
        li x16, 0; li x17, 0; li x18, 0; li x19, 0; li x20, 0;          \
        li x21, 0; li x22, 0; li x23, 0; li x24, 0; li x25, 0;          \
        li x26, 0; li x27, 0; li x28, 0; li x29, 0; li x30, 0;          \
        li x31, 0;                                                      \
        li TESTNUM, 1;                                                  \
        la t0, trap_handler_m;  csrw mtvec, t0;                         \
        la t0, trap_frame;      csrw mscratch, t0;                      \
        csrwi mie, 0;                                                   \
        csrwi mideleg, 0;                                               \
        csrwi medeleg, 0;                                               \
        csrwi satp, 0;                                                  \
        la t0, trap_handler_s;  csrw stvec, t0;                         \
        la t0, trap_frame;      csrw sscratch, t0;                      \
        csrwi sie, 0;                                                   \
        la sp, _stack_top;                                              \
        /* PMP entry 0: NAPOT over everything, RWX (priv §3.7.1) */     \
        li t0, -1;              csrw pmpaddr0, t0;                      \
        li t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X;  csrw pmpcfg0, t0;    \
        /* mstatus: MPP=M, FS=Dirty, everything else 0 */               \
        li t0, MSTATUS_MPP_M | MSTATUS_FS_DIRTY;  csrw mstatus, t0;     \
        csrwi fcsr, 0;                                                  \
        j test_body

/* ---------------------------------------------------------------------- */
/* Pass / fail (HTIF tohost; or sifive_test on QEMU virt validation)       */
/* ---------------------------------------------------------------------- */
#ifdef EXIT_VIA_SIFIVE_TEST
#define EXIT_WRITE_PASS                                                 \
        li t5, 0x100000; li t6, 0x5555; sw t6, 0(t5)
#define EXIT_WRITE_FAIL                                                 \
        li t5, 0x100000; slli t6, TESTNUM, 16; ori t6, t6, 0x333;       \
        li t4, 0x3000; or t6, t6, t4; sw t6, 0(t5)
#else
#define EXIT_WRITE_PASS                                                 \
        la t5, tohost; li t6, 1; sd t6, 0(t5)
#define EXIT_WRITE_FAIL                                                 \
        la t5, tohost; slli t6, TESTNUM, 1; ori t6, t6, 1; sd t6, 0(t5)
#endif

/* PASS must run where tohost is writable (M-mode; use GOTO_M first). */
#define PASS                                                            \
        fence;                                                          \
        EXIT_WRITE_PASS;                                                \
8801:   j 8801b

#define FAIL_NOW                                                        \
        fence;                                                          \
        EXIT_WRITE_FAIL;                                                \
8802:   j 8802b

#define FAIL    j test_fail

/* ---------------------------------------------------------------------- */
/* Checking helpers                                                       */
/* ---------------------------------------------------------------------- */

/* Fail unless register reg == 64-bit constant val (uses t6). */
#define CHECK_EQ(reg, val)                                              \
        li t6, val;                                                     \
        beq reg, t6, 8803f;                                             \
        j test_fail;                                                    \
8803:

/* Fail unless reg1 == reg2. */
#define CHECK_REG_EQ(reg1, reg2)                                        \
        beq reg1, reg2, 8804f;                                          \
        j test_fail;                                                    \
8804:

#define TEST_NUM(n)                                                     \
        .if ((n) % 256) == 0 || (n) < 2;                                \
        .error "test numbers must be >= 2 and not a multiple of 256";   \
        .endif;                                                         \
        li TESTNUM, n

/* Generic case: run code, then reg must equal expected. */
#define TEST_CASE(n, reg, expected, ...)                                \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        __VA_ARGS__;                                                    \
        CHECK_EQ(reg, expected)

/* Instructions of an optional extension (docs/riscv.md): built normally,
 * the check of the value; built with -DEXT_OFF (the NAME_off.S wrappers run
 * on the default board, where the extension is disabled), the check that
 * the same instruction raises illegal-instruction with mtval = its bits. */
#ifdef EXT_OFF
#define EXT_RR(n, inst, result, v1, v2) TEST_ILLEGAL(n, inst a0, a1, a2)
#define EXT_R(n, inst, result, v1)      TEST_ILLEGAL(n, inst a0, a1)
#else
#define EXT_RR(n, inst, result, v1, v2) TEST_RR_OP(n, inst, result, v1, v2)
#define EXT_R(n, inst, result, v1)      TEST_CASE(n, a0, result, li a1, v1; inst a0, a1)
#endif

/* register-register ALU op: a0 = op(v1, v2) */
#define TEST_RR_OP(n, inst, result, v1, v2)                             \
        TEST_CASE(n, a0, result, li a1, v1; li a2, v2; inst a0, a1, a2)

/* rd == rs1 */
#define TEST_RR_SRC1_EQ_DEST(n, inst, result, v1, v2)                   \
        TEST_CASE(n, a1, result, li a1, v1; li a2, v2; inst a1, a1, a2)

/* rd == rs2 */
#define TEST_RR_SRC2_EQ_DEST(n, inst, result, v1, v2)                   \
        TEST_CASE(n, a2, result, li a1, v1; li a2, v2; inst a2, a1, a2)

/* rd == rs1 == rs2 */
#define TEST_RR_SRC12_EQ_DEST(n, inst, result, v1)                      \
        TEST_CASE(n, a1, result, li a1, v1; inst a1, a1, a1)

/* rd = x0 must stay 0 */
#define TEST_RR_ZERODEST(n, inst, v1, v2)                               \
        TEST_CASE(n, x0, 0, li a1, v1; li a2, v2; inst x0, a1, a2)

/* register-immediate ALU op: a0 = op(v1, imm) */
#define TEST_IMM_OP(n, inst, result, v1, imm)                           \
        TEST_CASE(n, a0, result, li a1, v1; inst a0, a1, imm)

#define TEST_IMM_SRC1_EQ_DEST(n, inst, result, v1, imm)                 \
        TEST_CASE(n, a1, result, li a1, v1; inst a1, a1, imm)

/* unary op (Zbb clz/ctz/cpop/sext.b/...): a0 = op(v1) */
#define TEST_R_OP(n, inst, result, v1)                                  \
        TEST_CASE(n, a0, result, li a1, v1; inst a0, a1)

/* load: a0 = load(base + off) where base is a label */
#define TEST_LOAD(n, inst, result, off, base)                           \
        TEST_CASE(n, a0, result, la a1, base; inst a0, off(a1))

/* store then load back with loadinst */
#define TEST_STORE(n, loadinst, storeinst, result, off, base)           \
        TEST_CASE(n, a0, result,                                        \
                  la a1, base; li a2, result;                           \
                  storeinst a2, off(a1); loadinst a0, off(a1))

/* ---------------------------------------------------------------------- */
/* Floating point (bit patterns in integer registers, fflags checked)      */
/* ---------------------------------------------------------------------- */

/* fflags bits (unpriv §11.2, table 11.2) */
#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* Fail unless fflags == flags; clears fflags. */
#define CHECK_FFLAGS(flags)                                             \
        csrrci t6, fflags, 0x1f;                                        \
        xori t6, t6, flags;                                             \
        beqz t6, 8805f;                                                 \
        j test_fail;                                                    \
8805:

/* double: two sources, result bits, flags */
#define TEST_FP_D_OP2(n, inst, flags, result, v1, v2)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        li t0, v2; fmv.d.x fa2, t0;                                     \
        inst fa0, fa1, fa2;                                             \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_D_OP1(n, inst, flags, result, v1)                       \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        inst fa0, fa1;                                                  \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_D_OP3(n, inst, flags, result, v1, v2, v3)               \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        li t0, v2; fmv.d.x fa2, t0;                                     \
        li t0, v3; fmv.d.x fa3, t0;                                     \
        inst fa0, fa1, fa2, fa3;                                        \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

/* ... with an explicit (static) rounding mode */
#define TEST_FP_D_OP2_RM(n, inst, rm, flags, result, v1, v2)           \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        li t0, v2; fmv.d.x fa2, t0;                                     \
        inst fa0, fa1, fa2, rm;                                         \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_D_OP1_RM(n, inst, rm, flags, result, v1)                \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        inst fa0, fa1, rm;                                              \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_D_OP3_RM(n, inst, rm, flags, result, v1, v2, v3)        \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        li t0, v2; fmv.d.x fa2, t0;                                     \
        li t0, v3; fmv.d.x fa3, t0;                                     \
        inst fa0, fa1, fa2, fa3, rm;                                    \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_D_FROMINT_RM(n, inst, rm, flags, result, v1)            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li a1, v1;                                                      \
        inst fa0, a1, rm;                                               \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

/* double compare / classify / convert-to-int: integer result in a0 */
#define TEST_FP_D_CMP(n, inst, flags, result, v1, v2)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        li t0, v2; fmv.d.x fa2, t0;                                     \
        inst a0, fa1, fa2;                                              \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

/* fclass: integer result in a0 */
#define TEST_FP_D_CLASS(n, inst, result, v1)                          \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        inst a0, fa1;                                                   \
        CHECK_FFLAGS(0);                                                \
        CHECK_EQ(a0, result)

#define TEST_FP_D_TOINT(n, inst, rm, flags, result, v1)                 \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        inst a0, fa1, rm;                                               \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_D_FROMINT(n, inst, flags, result, v1)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li a1, v1;                                                      \
        inst fa0, a1;                                                   \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

/* single precision: operands are NaN-boxed with fmv.w.x; the result is
 * checked both as a 32-bit pattern (fmv.x.w, sign-extended per
 * unpriv §11.7) and for correct NaN-boxing in the 64-bit register. */
#define CHECK_S_RESULT(freg, result)                                    \
        fmv.x.w a0, freg;                                               \
        CHECK_EQ(a0, ((((result) & 0xffffffff) ^ 0x80000000) - 0x80000000)); \
        fmv.x.d a0, freg;                                               \
        CHECK_EQ(a0, (0xffffffff00000000 | ((result) & 0xffffffff)))

#define TEST_FP_S_OP2(n, inst, flags, result, v1, v2)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        li t0, v2; fmv.w.x fa2, t0;                                     \
        inst fa0, fa1, fa2;                                             \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_OP1(n, inst, flags, result, v1)                       \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        inst fa0, fa1;                                                  \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_OP3(n, inst, flags, result, v1, v2, v3)               \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        li t0, v2; fmv.w.x fa2, t0;                                     \
        li t0, v3; fmv.w.x fa3, t0;                                     \
        inst fa0, fa1, fa2, fa3;                                        \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_OP2_RM(n, inst, rm, flags, result, v1, v2)           \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        li t0, v2; fmv.w.x fa2, t0;                                     \
        inst fa0, fa1, fa2, rm;                                         \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_OP1_RM(n, inst, rm, flags, result, v1)                \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        inst fa0, fa1, rm;                                              \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_OP3_RM(n, inst, rm, flags, result, v1, v2, v3)        \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        li t0, v2; fmv.w.x fa2, t0;                                     \
        li t0, v3; fmv.w.x fa3, t0;                                     \
        inst fa0, fa1, fa2, fa3, rm;                                    \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_FROMINT_RM(n, inst, rm, flags, result, v1)            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li a1, v1;                                                      \
        inst fa0, a1, rm;                                               \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

#define TEST_FP_S_CMP(n, inst, flags, result, v1, v2)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        li t0, v2; fmv.w.x fa2, t0;                                     \
        inst a0, fa1, fa2;                                              \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

/* fclass: integer result in a0 */
#define TEST_FP_S_CLASS(n, inst, result, v1)                          \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        inst a0, fa1;                                                   \
        CHECK_FFLAGS(0);                                                \
        CHECK_EQ(a0, result)

#define TEST_FP_S_TOINT(n, inst, rm, flags, result, v1)                 \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        inst a0, fa1, rm;                                               \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define TEST_FP_S_FROMINT(n, inst, flags, result, v1)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li a1, v1;                                                      \
        inst fa0, a1;                                                   \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

/* ---------------------------------------------------------------------- */
/* Expected traps                                                         */
/* ---------------------------------------------------------------------- */

/* Announce that the next trap has the given cause (any tval), taken by the
 * M-mode handler.  Uses t5/t6.  Must run where trap_frame is writable. */
#define EXPECT_TRAP(cause)                                              \
        la t5, trap_frame;                                              \
        li t6, cause;  sd t6, TF_EXP_CAUSE(t5);                         \
        li t6, TRAP_EXPECT;  sd t6, TF_EXP_FLAGS(t5)

/* ... with tval checked */
#define EXPECT_TRAP_TVAL(cause, tval)                                   \
        la t5, trap_frame;                                              \
        li t6, cause;  sd t6, TF_EXP_CAUSE(t5);                         \
        li t6, tval;   sd t6, TF_EXP_TVAL(t5);                          \
        li t6, TRAP_EXPECT | TRAP_CHECK_TVAL;  sd t6, TF_EXP_FLAGS(t5)

/* ... with tval taken from a register (not t5/t6) */
#define EXPECT_TRAP_TVAL_REG(cause, reg)                                \
        la t5, trap_frame;                                              \
        li t6, cause;  sd t6, TF_EXP_CAUSE(t5);                         \
        sd reg, TF_EXP_TVAL(t5);                                        \
        li t6, TRAP_EXPECT | TRAP_CHECK_TVAL;  sd t6, TF_EXP_FLAGS(t5)

/* Expected trap delegated to S-mode (handled by trap_handler_s). */
#define EXPECT_TRAP_S(cause)                                            \
        la t5, trap_frame;                                              \
        li t6, cause;  sd t6, TF_EXP_CAUSE(t5);                         \
        li t6, TRAP_EXPECT | TRAP_IN_S;  sd t6, TF_EXP_FLAGS(t5)

#define EXPECT_TRAP_S_TVAL(cause, tval)                                 \
        la t5, trap_frame;                                              \
        li t6, cause;  sd t6, TF_EXP_CAUSE(t5);                         \
        li t6, tval;   sd t6, TF_EXP_TVAL(t5);                          \
        li t6, TRAP_EXPECT | TRAP_CHECK_TVAL | TRAP_IN_S;               \
        sd t6, TF_EXP_FLAGS(t5)

#define EXPECT_TRAP_S_TVAL_REG(cause, reg)                              \
        la t5, trap_frame;                                              \
        li t6, cause;  sd t6, TF_EXP_CAUSE(t5);                         \
        sd reg, TF_EXP_TVAL(t5);                                        \
        li t6, TRAP_EXPECT | TRAP_CHECK_TVAL | TRAP_IN_S;               \
        sd t6, TF_EXP_FLAGS(t5)

/* ebreak: mtval/stval = the pc of the ebreak (priv §3.1.16).  QEMU 7.2
 * writes 0, so its validation build checks the cause only. */
#ifdef ISA_QEMU
#define EXPECT_BREAKPOINT(pcreg)   EXPECT_TRAP(CAUSE_BREAKPOINT)
#define EXPECT_BREAKPOINT_S(pcreg) EXPECT_TRAP_S(CAUSE_BREAKPOINT)
#else
#define EXPECT_BREAKPOINT(pcreg)   EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, pcreg)
#define EXPECT_BREAKPOINT_S(pcreg) EXPECT_TRAP_S_TVAL_REG(CAUSE_BREAKPOINT, pcreg)
#endif

/* AMO exceptions are store/AMO exceptions (priv §3.1.15: causes 6, 7, 15).
 * QEMU 7.2 reports misaligned AMOs and AMOs to unmapped addresses with the
 * load causes (4, 5), so its validation build expects those.  (It does use
 * 7 for AMOs denied by PMP.) */
#ifdef ISA_QEMU
#define AMO_MISALIGNED_CAUSE CAUSE_MISALIGNED_LOAD
#define AMO_ACCESS_CAUSE     CAUSE_LOAD_ACCESS
#else
#define AMO_MISALIGNED_CAUSE CAUSE_MISALIGNED_STORE
#define AMO_ACCESS_CAUSE     CAUSE_STORE_ACCESS
#endif

/* After the trap: resume at label instead of after the faulting insn. */
#define SET_RESUME(label)                                               \
        la t5, trap_frame; la t6, label; sd t6, TF_RESUME(t5)

/* Fail unless the announced trap happened (the handler clears the flags). */
#define CHECK_TRAPPED                                                   \
        la t5, trap_frame; ld t6, TF_EXP_FLAGS(t5);                     \
        beqz t6, 8806f;                                                 \
        j test_fail;                                                    \
8806:

/* Cancel an expectation (e.g. after checking that something did NOT trap) */
#define CLEAR_EXPECT                                                    \
        la t5, trap_frame; sd zero, TF_EXP_FLAGS(t5)

/* Load a field of the last trap into reg. */
#define LOAD_TRAP_FIELD(reg, field)                                     \
        la t5, trap_frame; ld reg, field(t5)

/* One instruction (or sequence) that must trap with cause (and tval). */
#define TEST_TRAP(n, cause, ...)                                        \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        EXPECT_TRAP(cause);                                             \
        __VA_ARGS__;                                                    \
        CHECK_TRAPPED

#define TEST_TRAP_TVAL(n, cause, tval, ...)                             \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        EXPECT_TRAP_TVAL(cause, tval);                                  \
        __VA_ARGS__;                                                    \
        CHECK_TRAPPED

/* A 4-byte instruction that must raise illegal-instruction with mtval =
 * its own encoding (priv §3.1.16); the expected bits are read from memory. */
#define TEST_ILLEGAL(n, ...)                                            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        la t0, 8861f; lwu t1, 0(t0);                                    \
        EXPECT_TRAP_TVAL_REG(CAUSE_ILLEGAL_INSTRUCTION, t1);            \
8861:   __VA_ARGS__;                                                    \
        CHECK_TRAPPED

/* ---------------------------------------------------------------------- */
/* Privilege switches (priv §3.3.2 mret, §4.1.1 / §3.1.6.1 xPP)             */
/* ---------------------------------------------------------------------- */

/* From M-mode: continue at the next instruction in S-mode / U-mode. */
#define ENTER_S                                                         \
        li t5, MSTATUS_MPP; csrc mstatus, t5;                           \
        li t5, MSTATUS_MPP_S; csrs mstatus, t5;                         \
        la t5, 8807f; csrw mepc, t5;                                    \
        mret;                                                           \
8807:

#define ENTER_U                                                         \
        li t5, MSTATUS_MPP; csrc mstatus, t5;                           \
        la t5, 8808f; csrw mepc, t5;                                    \
        mret;                                                           \
8808:

/* From S-mode: continue in U-mode (sret with SPP = 0). */
#define ENTER_U_FROM_S                                                  \
        li t5, SSTATUS_SPP; csrc sstatus, t5;                           \
        la t5, 8809f; csrw sepc, t5;                                    \
        sret;                                                           \
8809:

/* From any mode: back to M-mode (via the M handler; ecall from U must not
 * be delegated).  Clobbers a7. */
#define GOTO_M                                                          \
        li a7, MAGIC_GOTO_M; ecall

/* From U-mode (or M): continue in S-mode.  Clobbers a7. */
#define GOTO_S                                                          \
        li a7, MAGIC_GOTO_S; ecall

/* ---------------------------------------------------------------------- */
/* Page tables (priv §4.3 Sv32/§4.4 Sv39/§4.5 Sv48)                        */
/* ---------------------------------------------------------------------- */

/* PTE for a physical address and flags */
#define PTE_OF(pa, flags)  ((((pa) >> 12) << 10) | (flags))

#define VPN0(va) (((va) >> 12) & 0x1ff)
#define VPN1(va) (((va) >> 21) & 0x1ff)
#define VPN2(va) (((va) >> 30) & 0x1ff)
#define VPN3(va) (((va) >> 39) & 0x1ff)

/* table[index] = PTE(pa, flags) where table and pa are labels/absolutes
 * resolved with la (pa may be a label).  Uses t4-t6. */
#define PT_SET(table, index, pa, flags)                                 \
        la t4, table; li t5, (index) * 8; add t4, t4, t5;               \
        la t5, pa; srli t5, t5, 12; slli t5, t5, 10;                    \
        ori t5, t5, flags; sd t5, 0(t4)

/* same with pa as a constant */
#define PT_SET_ABS(table, index, pa, flags)                             \
        la t4, table; li t5, (index) * 8; add t4, t4, t5;               \
        li t5, PTE_OF(pa, flags); sd t5, 0(t4)

/* table[index] points to next-level table */
#define PT_LINK(table, index, next)                                     \
        PT_SET(table, index, next, PTE_V)

/* Fill table[first .. first+count-1] with leaf PTEs mapping consecutive
 * pages of size 1 << shift starting at physical address pa_start.
 * Uses t3-t6. */
#define PT_FILL(table, first, count, pa_start, shift, flags)            \
        la t4, table; li t5, (first) * 8; add t4, t4, t5;               \
        li t5, PTE_OF(pa_start, flags);                                 \
        li t6, (count);                                                 \
        li t3, (1 << ((shift) - 2));                                    \
8810:   sd t5, 0(t4); addi t4, t4, 8; add t5, t5, t3;                   \
        addi t6, t6, -1; bnez t6, 8810b

/* Sv39 identity map of the low 256 GiB (VPN2 0..255) with 1 GiB pages,
 * RWX, A and D set, not global, S-mode only. */
#define SV39_IDENTITY_GIGA(root)                                        \
        PT_FILL(root, 0, 256, 0, 30, PTE_LEAF_RWX)

/* Turn on translation with the given root table and mode; flushes. */
#define SATP_ON(root, mode)                                             \
        la t5, root; srli t5, t5, 12; li t6, mode; or t5, t5, t6;       \
        csrw satp, t5; sfence.vma

/* ---------------------------------------------------------------------- */
/* Trap handlers                                                          */
/* ---------------------------------------------------------------------- */

#define TRAP_HANDLERS                                                   \
        .balign 4;                                                      \
        .globl trap_handler_m;                                          \
trap_handler_m:                                                         \
        csrrw t6, mscratch, t6;                                         \
        sd t0, TF_MSAVE+0(t6); sd t1, TF_MSAVE+8(t6);                   \
        sd t2, TF_MSAVE+16(t6); sd t3, TF_MSAVE+24(t6);                 \
        sd t4, TF_MSAVE+32(t6); sd t5, TF_MSAVE+40(t6);                 \
        csrr t0, mcause;                                                \
        /* magic ecalls: cause 8, 9 or 11 with a7 = magic */            \
        li t1, CAUSE_USER_ECALL; beq t0, t1, 8820f;                     \
        li t1, CAUSE_SUPERVISOR_ECALL; beq t0, t1, 8820f;               \
        li t1, CAUSE_MACHINE_ECALL; bne t0, t1, 8822f;                  \
8820:   li t1, MAGIC_GOTO_M; bne a7, t1, 8821f;                         \
        li t1, MSTATUS_MPP_M; csrs mstatus, t1;                         \
        j 8828f;                                                        \
8821:   li t1, MAGIC_GOTO_S; bne a7, t1, 8822f;                         \
        li t1, MSTATUS_MPP; csrc mstatus, t1;                           \
        li t1, MSTATUS_MPP_S; csrs mstatus, t1;                         \
8828:   csrr t1, mepc; addi t1, t1, 4; csrw mepc, t1;                   \
        li a7, 0;                   /* a later plain ecall is not magic */ \
        j 8827f;                                                        \
        /* record */                                                    \
8822:   sd t0, TF_CAUSE(t6);                                            \
        csrr t1, mtval;   sd t1, TF_TVAL(t6);                           \
        csrr t2, mepc;    sd t2, TF_EPC(t6);                            \
        csrr t3, mstatus; sd t3, TF_STATUS(t6);                         \
        ld t3, TF_COUNT(t6); addi t3, t3, 1; sd t3, TF_COUNT(t6);       \
        li t3, PRV_M; sd t3, TF_HANDLER(t6);                            \
        /* interrupt: disable the source in mie */                      \
        bgez t0, 8823f;                                                 \
        li t3, 1; sll t3, t3, t0; csrc mie, t3;                         \
8823:   /* check the expectation */                                     \
        ld t3, TF_EXP_FLAGS(t6);                                        \
        andi t4, t3, TRAP_EXPECT; beqz t4, 8829f;                       \
        andi t4, t3, TRAP_IN_S; bnez t4, 8829f;                         \
        ld t4, TF_EXP_CAUSE(t6); bne t0, t4, 8829f;                     \
        andi t4, t3, TRAP_CHECK_TVAL; beqz t4, 8824f;                   \
        ld t4, TF_EXP_TVAL(t6); bne t1, t4, 8829f;                      \
8824:   sd zero, TF_EXP_FLAGS(t6);                                      \
        /* where to resume */                                           \
        ld t3, TF_RESUME(t6); beqz t3, 8825f;                           \
        sd zero, TF_RESUME(t6); csrw mepc, t3; j 8827f;                 \
8825:   bltz t0, 8827f;             /* interrupt: same pc */            \
        li t4, CAUSE_FETCH_ACCESS; beq t0, t4, 8826f;                   \
        li t4, CAUSE_FETCH_PAGE_FAULT; beq t0, t4, 8826f;               \
        /* skip the instruction: read its first halfword as the */      \
        /* interrupted mode would (MPRV), with SUM and MXR */           \
        csrr t3, mstatus;                                               \
        li t4, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR;                \
        csrs mstatus, t4;                                               \
        lhu t4, 0(t2);                                                  \
        csrw mstatus, t3;                                               \
        andi t4, t4, 3; addi t4, t4, -3;                                \
        addi t2, t2, 2; bnez t4, 8830f; addi t2, t2, 2;                 \
8830:   csrw mepc, t2; j 8827f;                                         \
8826:   csrw mepc, ra;              /* fetch fault: return to ra */     \
8827:   ld t0, TF_MSAVE+0(t6); ld t1, TF_MSAVE+8(t6);                   \
        ld t2, TF_MSAVE+16(t6); ld t3, TF_MSAVE+24(t6);                 \
        ld t4, TF_MSAVE+32(t6); ld t5, TF_MSAVE+40(t6);                 \
        csrrw t6, mscratch, t6;                                         \
        mret;                                                           \
8829:   /* unexpected trap */                                           \
        FAIL_NOW;                                                       \
                                                                        \
        .balign 4;                                                      \
        .globl trap_handler_s;                                          \
trap_handler_s:                                                         \
        csrrw t6, sscratch, t6;                                         \
        sd t0, TF_SSAVE+0(t6); sd t1, TF_SSAVE+8(t6);                   \
        sd t2, TF_SSAVE+16(t6); sd t3, TF_SSAVE+24(t6);                 \
        sd t4, TF_SSAVE+32(t6); sd t5, TF_SSAVE+40(t6);                 \
        csrr t0, scause;                                                \
        li t1, CAUSE_USER_ECALL; bne t0, t1, 8842f;                     \
        li t1, MAGIC_GOTO_S; bne a7, t1, 8842f;                         \
        li t1, SSTATUS_SPP; csrs sstatus, t1;                           \
        csrr t1, sepc; addi t1, t1, 4; csrw sepc, t1;                   \
        li a7, 0;                                                       \
        j 8847f;                                                        \
8842:   sd t0, TF_CAUSE(t6);                                            \
        csrr t1, stval;   sd t1, TF_TVAL(t6);                           \
        csrr t2, sepc;    sd t2, TF_EPC(t6);                            \
        csrr t3, sstatus; sd t3, TF_STATUS(t6);                         \
        ld t3, TF_COUNT(t6); addi t3, t3, 1; sd t3, TF_COUNT(t6);       \
        li t3, PRV_S; sd t3, TF_HANDLER(t6);                            \
        bgez t0, 8843f;                                                 \
        li t3, 1; sll t3, t3, t0; csrc sie, t3;                         \
8843:   ld t3, TF_EXP_FLAGS(t6);                                        \
        andi t4, t3, TRAP_EXPECT; beqz t4, 8849f;                       \
        andi t4, t3, TRAP_IN_S; beqz t4, 8849f;                         \
        ld t4, TF_EXP_CAUSE(t6); bne t0, t4, 8849f;                     \
        andi t4, t3, TRAP_CHECK_TVAL; beqz t4, 8844f;                   \
        ld t4, TF_EXP_TVAL(t6); bne t1, t4, 8849f;                      \
8844:   sd zero, TF_EXP_FLAGS(t6);                                      \
        ld t3, TF_RESUME(t6); beqz t3, 8845f;                           \
        sd zero, TF_RESUME(t6); csrw sepc, t3; j 8847f;                 \
8845:   bltz t0, 8847f;                                                 \
        li t4, CAUSE_FETCH_ACCESS; beq t0, t4, 8846f;                   \
        li t4, CAUSE_FETCH_PAGE_FAULT; beq t0, t4, 8846f;               \
        csrr t3, sstatus;                                               \
        li t4, SSTATUS_SUM | SSTATUS_MXR; csrs sstatus, t4;             \
        lhu t4, 0(t2);                                                  \
        csrw sstatus, t3;                                               \
        andi t4, t4, 3; addi t4, t4, -3;                                \
        addi t2, t2, 2; bnez t4, 8850f; addi t2, t2, 2;                 \
8850:   csrw sepc, t2; j 8847f;                                         \
8846:   csrw sepc, ra;                                                  \
8847:   ld t0, TF_SSAVE+0(t6); ld t1, TF_SSAVE+8(t6);                   \
        ld t2, TF_SSAVE+16(t6); ld t3, TF_SSAVE+24(t6);                 \
        ld t4, TF_SSAVE+32(t6); ld t5, TF_SSAVE+40(t6);                 \
        csrrw t6, sscratch, t6;                                         \
        sret;                                                           \
8849:   FAIL_NOW

/* ---------------------------------------------------------------------- */
/* Data every test has                                                     */
/* ---------------------------------------------------------------------- */
#define TEST_DATA                                                       \
        .section .tohost, "aw", @progbits;                              \
        .balign 8;                                                      \
        .globl tohost; .type tohost, @object; .size tohost, 8;          \
tohost: .dword 0;                                                       \
        .globl fromhost; .type fromhost, @object; .size fromhost, 8;    \
fromhost: .dword 0;                                                     \
        .data;                                                          \
        .balign 64;                                                     \
        .globl trap_frame;                                              \
trap_frame: .skip TF_SIZE;                                              \
        .text

#endif /* HVSIM_TEST_MACROS_H */
