/* sdtrig.S — Sdtrig debug triggers on hvsim (RISC-V Debug Specification
 * 1.0, chapter "Sdtrig" and the Trigger Module registers; privileged spec
 * 20211203 for delegation, §8.6 for VS mode).
 *
 * tselect/tinfo/tdata1 WARL rules, mcontrol6 (type 6) execute/load/store
 * address triggers with every match mode (equal, napot, ge, lt, mask low,
 * mask high, not equal), size, select = 1 (store data, load data,
 * instruction bits),
 * chain, the m/s/u/vs/vu mode bits, "before" timing (the access does not
 * happen, xepc = the instruction), tcontrol.mte/mpte, delegation of the
 * breakpoint to S (medeleg[3]) and to VS (hedeleg[3]) with the SIE
 * re-entrancy rule, the legacy mcontrol (type 2), icount (type 3),
 * itrigger (type 4) and etrigger (type 5), an execute trigger outranking
 * the fetch's access fault, the context registers (mcontext, hcontext,
 * scontext) and textra64 (tdata3) matching on mcontext. hvsim: 4 triggers.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_sdtrig
 * hvsim-cpu: triggers = 4
 * qemu-skip: QEMU 7.2 implements Sdtrig 0.13 (mcontrol, no tcontrol/icount rules of 1.0)
 */
#include "test_macros.h"

#define CSR_TSELECT  0x7a0
#define CSR_TDATA1   0x7a1
#define CSR_TDATA2   0x7a2
#define CSR_TDATA3   0x7a3
#define CSR_TINFO    0x7a4
#define CSR_TCONTROL 0x7a5
#define CSR_MCONTEXT 0x7a8
#define CSR_HCONTEXT 0x6a8
#define CSR_SCONTEXT 0x5a8
#define CSR_HEDELEG  0x602
#define CSR_HGATP    0x680
#define CSR_VSSTATUS 0x200
#define CSR_VSTVEC   0x205
#define CSR_VSATP    0x280
#define MSTATUS_MPV  (1 << 39)

#define MC6      (6 << 60)
#define MC2      (2 << 60)
#define T_LD     (1 << 0)
#define T_ST     (1 << 1)
#define T_EXE    (1 << 2)
#define T_U      (1 << 3)
#define T_S      (1 << 4)
#define T_M      (1 << 6)
#define T_CHAIN  (1 << 11)
#define MATCH(m) ((m) << 7)
#define SIZE6(s) ((s) << 16)
#define SEL6     (1 << 21)
#define HIT0     (1 << 22)
#define VU6      (1 << 23)
#define VS6      (1 << 24)
#define HIT2     (1 << 20)
#define MASKMAX2 (63 << 53)

#define ICOUNT   (3 << 60)
#define ITRIG    (4 << 60)
#define ETRIG    (5 << 60)
#define X_U      (1 << 6)
#define X_S      (1 << 7)
#define X_M      (1 << 9)
#define IC_PEND  (1 << 8)
#define IC_HIT   (1 << 24)
#define IC_COUNT(n) ((n) << 10)
#define X_HIT    (1 << 58)

#define TCONTROL_MTE  8
#define TCONTROL_MPTE 0x80

/* Program trigger idx: tdata2 first, then tdata1. Uses t0. */
#define ARM(idx, d1, d2)                                                \
        csrwi CSR_TSELECT, idx; li t0, d2; csrw CSR_TDATA2, t0;         \
        li t0, d1; csrw CSR_TDATA1, t0
#define ARM_REG(idx, d1, reg)                                           \
        csrwi CSR_TSELECT, idx; csrw CSR_TDATA2, reg;                   \
        li t0, d1; csrw CSR_TDATA1, t0
#define DISARM(idx) csrwi CSR_TSELECT, idx; csrw CSR_TDATA1, zero

/* A load address trigger in M mode (tdata2 = t2, set by the caller) on
 * the load(s) given last (a1 = buf): must fire with tval = buf + off; the
 * load must not happen (a0 keeps 0x5a). */
#define LOAD_FIRES(n, d1, off, ...)                                     \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        la a1, buf; li a0, 0x5a; addi a2, a1, off;                      \
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2);                     \
        ARM_REG(0, d1, t2);                                             \
        __VA_ARGS__;                                                    \
        DISARM(0);                                                      \
        CHECK_TRAPPED;                                                  \
        CHECK_EQ(a0, 0x5a)
/* ... must not fire (the load happens: a0 != 0x5a) */
#define LOAD_QUIET(n, d1, ...)                                          \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        la a1, buf; li a0, 0x5a;                                        \
        ARM_REG(0, d1, t2);                                             \
        __VA_ARGS__;                                                    \
        DISARM(0);                                                      \
        li t1, 0x5a; beq a0, t1, test_fail

#define LDM  (MC6 | T_M | T_LD)

TEST_BEGIN
        /* ---- enumeration: 4 triggers, tinfo, reset type 15 ---- */
test_2:
        TEST_NUM(2)
        csrwi CSR_TSELECT, 3
        csrr a0, CSR_TSELECT
        CHECK_EQ(a0, 3)
        csrwi CSR_TSELECT, 4            /* no trigger 4: tselect keeps 3 */
        csrr a0, CSR_TSELECT
        CHECK_EQ(a0, 3)
        csrwi CSR_TSELECT, 0
        csrr a0, CSR_TSELECT
        CHECK_EQ(a0, 0)
        csrr a0, CSR_TINFO              /* version 1; types 2-6 and 15 */
        CHECK_EQ(a0, 0x0100807c)
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, 15 << 60)
        csrr a0, CSR_TCONTROL
        CHECK_EQ(a0, 0)

        /* ---- tdata1/tdata2/tdata3 WARL ---- */
test_3:
        TEST_NUM(3)
        li t0, MC6 | T_M | T_EXE
        csrw CSR_TDATA1, t0
        csrw CSR_TDATA1, zero           /* writing 0 disables: type 15 */
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, 15 << 60)
        li t0, (7 << 60) | 0xfff        /* tmexttrigger: not implemented */
        csrw CSR_TDATA1, t0
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, 15 << 60)
        /* dmode (59), action 1 (debug mode), uncertain/uncertainen,
         * match 7 (reserved), size 7: all become 0 */
        li t0, MC6 | (1 << 59) | (1 << 26) | (1 << 12) | (1 << 5) | MATCH(7) | SIZE6(7) | T_S
        csrw CSR_TDATA1, t0
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, MC6 | T_S)
        li t0, MC6 | MATCH(13) | SIZE6(5) | SEL6 | VS6 | VU6 | T_CHAIN
        csrw CSR_TDATA1, t0
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, MC6 | MATCH(13) | SIZE6(5) | SEL6 | VS6 | VU6 | T_CHAIN)
        li t0, 0x123456789abcdef0
        csrw CSR_TDATA2, t0
        csrr a0, CSR_TDATA2
        CHECK_REG_EQ(a0, t0)
        csrw CSR_TDATA3, t0             /* textra64: bits 47:41 read 0 */
        csrr a0, CSR_TDATA3
        CHECK_EQ(a0, 0x123400789abcdef0)
        li t0, (3 << 48) | 3            /* mhselect 3, sselect 3: reserved */
        csrw CSR_TDATA3, t0
        csrr a0, CSR_TDATA3
        CHECK_EQ(a0, 0)
        /* mcontrol (type 2): maskmax reads 63, timing (18) is 0 */
        li t0, MC2 | (1 << 18) | T_M | T_EXE
        csrw CSR_TDATA1, t0
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, MC2 | MASKMAX2 | T_M | T_EXE)
        /* icount keeps count/pending; etrigger's tdata2 keeps causes the hart has */
        li t0, ICOUNT | IC_COUNT(0x3fff) | X_U | (1 << 5)
        csrw CSR_TDATA1, t0
        csrr a0, CSR_TDATA1
        CHECK_EQ(a0, ICOUNT | IC_COUNT(0x3fff) | X_U)
        li t0, ETRIG
        csrw CSR_TDATA1, t0
        li t0, -1
        csrw CSR_TDATA2, t0
        csrr a0, CSR_TDATA2
        CHECK_EQ(a0, 0xf0bfff)
        csrw CSR_TDATA1, zero

        /* ---- execute address, M mode: needs tcontrol.mte ---- */
test_4:
        TEST_NUM(4)
        csrwi CSR_TCONTROL, TCONTROL_MTE
        la a2, 1f
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        li a0, 0
        ARM_REG(0, MC6 | T_M | T_EXE, a2)
1:      li a0, 1                        /* skipped by the handler: before */
        csrr a1, CSR_TDATA1
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0)
        CHECK_EQ(a1, MC6 | HIT0 | T_M | T_EXE)   /* hit = 1: "before" */
        LOAD_TRAP_FIELD(a3, TF_EPC)
        CHECK_REG_EQ(a3, a2)
        /* the trap into M saved mte in mpte, mret restored it */
        csrr a0, CSR_TCONTROL
        CHECK_EQ(a0, TCONTROL_MTE | TCONTROL_MPTE)
test_5:
        TEST_NUM(5)                     /* mte = 0: M-mode triggers do not fire */
        csrwi CSR_TCONTROL, 0
        la a2, 1f
        ARM_REG(0, MC6 | T_M | T_EXE, a2)
1:      li a0, 1
        DISARM(0)
        CHECK_EQ(a0, 1)
        csrwi CSR_TCONTROL, TCONTROL_MTE

        /* ---- load address match modes (M mode, mte = 1) ---- */
        /* equal: the bytes accessed are compare values */
        la t2, buf + 8
        LOAD_FIRES(6, LDM | MATCH(0), 8, ld a0, 8(a1))
        LOAD_FIRES(7, LDM | MATCH(0), 6, lw a0, 6(a1))
        LOAD_QUIET(8, LDM | MATCH(0), ld a0, 16(a1))
        LOAD_QUIET(9, LDM | MATCH(0), lb a0, 7(a1))
        /* napot: tdata2 = buf | 7 covers buf..buf+15 */
        la t2, buf + 7
        LOAD_FIRES(10, LDM | MATCH(1), 12, lb a0, 12(a1))
        LOAD_QUIET(11, LDM | MATCH(1), ld a0, 16(a1))
        /* ge / lt */
        la t2, buf + 32
        LOAD_FIRES(12, LDM | MATCH(2), 32, ld a0, 32(a1))
        LOAD_QUIET(13, LDM | MATCH(2), lw a0, 28(a1))
        la t2, buf + 8
        LOAD_FIRES(14, LDM | MATCH(3), 7, lb a0, 7(a1))
        LOAD_QUIET(15, LDM | MATCH(3), lb a0, 8(a1))
        /* mask low: bits 31:0 & 0x7f0 == (buf + 0x20) & 0x7f0 */
        la t2, buf + 0x20
        andi t2, t2, 0x7f0
        li t3, 0x7f0 << 32
        or t2, t2, t3
        LOAD_FIRES(16, LDM | MATCH(4), 0x28, ld a0, 0x28(a1))
        LOAD_QUIET(17, LDM | MATCH(4), ld a0, 0x30(a1))
        /* mask high: bits 63:32 == 0 (buf is below 4 GiB) */
        li t2, 0xffffffff00000000
        LOAD_FIRES(18, LDM | MATCH(5), 0, lb a0, 0(a1))
        li t2, 0xffffffff00000001
        LOAD_QUIET(19, LDM | MATCH(5), lb a0, 0(a1))
        /* not equal / not napot */
        la t2, buf + 8
        LOAD_QUIET(20, LDM | MATCH(8), ld a0, 8(a1))
        LOAD_FIRES(21, LDM | MATCH(8), 16, ld a0, 16(a1))
        la t2, buf + 7
        LOAD_FIRES(22, LDM | MATCH(9), 16, ld a0, 16(a1))
        /* size: 32-bit accesses only */
        la t2, buf + 8
        LOAD_QUIET(23, LDM | SIZE6(3), ld a0, 8(a1))
        LOAD_FIRES(24, LDM | SIZE6(3), 8, lw a0, 8(a1))
        /* an FP load, an LR and an AMO are loads */
        LOAD_FIRES(25, LDM, 8, fld fa0, 8(a1))
        LOAD_FIRES(26, LDM, 8, addi a3, a1, 8; lr.d a0, (a3))
        LOAD_FIRES(27, LDM, 8, addi a3, a1, 8; amoadd.d a0, a0, (a3))
        /* a load trigger ignores stores */
        LOAD_QUIET(28, LDM, sd zero, 8(a1); li a0, 1)

        /* ---- stores: "before", the memory keeps its value ---- */
test_29:
        TEST_NUM(29)
        la a1, buf
        li a0, 0x77
        sd a0, 40(a1)
        addi a2, a1, 40
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ARM_REG(0, MC6 | T_M | T_ST, a2)
        sd zero, 40(a1)
        ld a3, 40(a1)                   /* loads do not match */
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a3, 0x77)
        ld a3, 40(a1)
        CHECK_EQ(a3, 0x77)
        /* store data (select = 1): 32-bit value 0x1234 anywhere */
test_30:
        TEST_NUM(30)
        la a1, buf
        addi a2, a1, 44
        li a3, 0x1234
        li a4, 0x1235
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ARM(0, MC6 | T_M | T_ST | SEL6, 0x1234)
        sw a4, 44(a1)                   /* other data: stored */
        sw a3, 44(a1)                   /* the data: breakpoint */
        DISARM(0)
        CHECK_TRAPPED
        lw a0, 44(a1)
        CHECK_EQ(a0, 0x1235)
        /* an SC is a store (address match) */
test_31:
        TEST_NUM(31)
        la a1, buf
        addi a2, a1, 48
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ARM_REG(0, MC6 | T_M | T_ST, a2)
        sc.d a0, a0, (a2)
        DISARM(0)
        CHECK_TRAPPED

        /* ---- execute data (select = 1): the instruction's bits ---- */
test_32:
        TEST_NUM(32)
        la a2, 1f
        lwu a3, 0(a2)
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        li a0, 0
        ARM_REG(0, MC6 | T_M | T_EXE | SEL6, a3)
        addi a0, a0, 0x11
        addi a0, a0, 0x22
1:      addi a0, a0, 0x123              /* matches: skipped */
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x33)
        /* execute size: a 16-bit instruction with size = 32-bit: quiet;
         * with size = 16-bit: fires */
test_33:
        TEST_NUM(33)
        la a2, 1f
        li a0, 0
        ARM_REG(0, MC6 | T_M | T_EXE | SIZE6(3), a2)
1:      c.addi a0, 1
        DISARM(0)
        CHECK_EQ(a0, 1)
        la a2, 2f
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ARM_REG(0, MC6 | T_M | T_EXE | SIZE6(2), a2)
2:      c.addi a0, 1
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 1)

        /* ---- chain: execute at 1f AND load in [buf+32, buf+40) ---- */
test_34:
        TEST_NUM(34)
        la a1, buf
        la a2, 1f
        addi a4, a1, 32
        li a0, 0x5a
        EXPECT_TRAP(CAUSE_BREAKPOINT)
        ARM_REG(0, MC6 | T_M | T_EXE | T_CHAIN, a2)
        addi t2, a1, 32
        ARM_REG(1, MC6 | T_M | T_LD | MATCH(2) | T_CHAIN, t2)
        addi t2, a1, 40
        ARM_REG(2, MC6 | T_M | T_LD | MATCH(3), t2)
        ld a3, 32(a1)                   /* load in range, other pc: quiet */
1:      ld a0, 0(a4)                    /* all three match: fires */
        csrwi CSR_TSELECT, 0
        csrr a5, CSR_TDATA1
        csrwi CSR_TSELECT, 2
        csrr a6, CSR_TDATA1
        DISARM(0)
        DISARM(1)
        DISARM(2)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x5a)
        li t1, HIT0
        and a5, a5, t1
        and a6, a6, t1
        CHECK_EQ(a5, HIT0)
        CHECK_EQ(a6, HIT0)
        /* the same pc loading outside the range: quiet */
test_35:
        TEST_NUM(35)
        la a1, buf
        la a2, 1f
        addi a4, a1, 40
        li a0, 0x5a
        ARM_REG(0, MC6 | T_M | T_EXE | T_CHAIN, a2)
        addi t2, a1, 32
        ARM_REG(1, MC6 | T_M | T_LD | MATCH(2) | T_CHAIN, t2)
        addi t2, a1, 40
        ARM_REG(2, MC6 | T_M | T_LD | MATCH(3), t2)
1:      ld a0, 0(a4)
        DISARM(0)
        DISARM(1)
        DISARM(2)
        li t1, 0x5a
        beq a0, t1, test_fail

        /* ---- legacy mcontrol (type 2): execute, hit bit ---- */
test_36:
        TEST_NUM(36)
        la a2, 1f
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        li a0, 0
        ARM_REG(0, MC2 | T_M | T_EXE, a2)
1:      li a0, 1
        csrr a1, CSR_TDATA1
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0)
        CHECK_EQ(a1, MC2 | MASKMAX2 | HIT2 | T_M | T_EXE)

        /* ---- mode bits: a U-only trigger ---- */
test_37:
        TEST_NUM(37)
        la a2, u_target
        li a0, 0
        ARM_REG(0, MC6 | T_U | T_EXE, a2)
        call u_target                   /* in M: quiet */
        CHECK_EQ(a0, 1)
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ENTER_U
        li a0, 0
        call u_target                   /* in U: breakpoint to M */
        GOTO_M
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0)
        LOAD_TRAP_FIELD(a3, TF_STATUS)  /* taken from U: MPP = 0 */
        srli a3, a3, 11
        andi a3, a3, 3
        CHECK_EQ(a3, 0)
        /* an S-only trigger does not fire in U */
        li a0, 0
        ARM_REG(0, MC6 | T_S | T_EXE, a2)
        ENTER_U
        call u_target
        GOTO_M
        DISARM(0)
        CHECK_EQ(a0, 1)

        /* ---- delegation to S (medeleg[3]) ---- */
test_38:
        TEST_NUM(38)
        li t0, 1 << CAUSE_BREAKPOINT
        csrw medeleg, t0
        la a2, u_target
        EXPECT_TRAP_S_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ARM_REG(0, MC6 | T_U | T_EXE, a2)
        ENTER_U
        li a0, 0
        call u_target                   /* breakpoint to the S handler */
        GOTO_M
        CHECK_TRAPPED
        CHECK_EQ(a0, 0)
        LOAD_TRAP_FIELD(a3, TF_HANDLER)
        CHECK_EQ(a3, PRV_S)
        /* an S trigger with breakpoints delegated: inhibited while SIE = 0 */
test_39:
        TEST_NUM(39)
        ARM_REG(0, MC6 | T_S | T_EXE, a2)
        ENTER_S
        li a0, 0
        call u_target                   /* SIE = 0: quiet */
        CHECK_EQ(a0, 1)
        csrsi sstatus, SSTATUS_SIE      /* sie = 0: no interrupt is enabled */
        EXPECT_TRAP_S_TVAL_REG(CAUSE_BREAKPOINT, a2)
        li a0, 0
        call u_target                   /* fires into S */
        csrci sstatus, SSTATUS_SIE
        GOTO_M
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0)
        csrw medeleg, zero

        /* ---- delegation to VS (medeleg[3] and hedeleg[3]) ---- */
test_40:
        TEST_NUM(40)
        li t0, 1 << CAUSE_BREAKPOINT
        csrw medeleg, t0
        csrw CSR_HEDELEG, t0
        csrw CSR_HGATP, zero
        csrw CSR_VSATP, zero
        la t0, vs_handler
        csrw CSR_VSTVEC, t0
        la t0, m_from_vs
        csrw mtvec, t0
        la a2, u_target
        ARM_REG(0, MC6 | VS6 | T_EXE, a2)
        li s2, 0
        li s3, 0
        li s4, 0
        /* enter VS: MPP = S, MPV = 1 */
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, MSTATUS_MPP_S | MSTATUS_MPV
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      li a0, 0
        call u_target                   /* vsstatus.SIE = 0: inhibited */
        mv s5, a0
        csrsi sstatus, SSTATUS_SIE      /* vsstatus.SIE (vsie = 0) */
        li a0, 0
        call u_target                   /* fires into VS: vs_handler */
        j test_fail
vs_back:
        /* back in M (m_from_vs) */
        la t0, trap_handler_m
        csrw mtvec, t0
        li t0, MSTATUS_MPV
        csrc mstatus, t0
        DISARM(0)
        csrw medeleg, zero
        csrw CSR_HEDELEG, zero
        CHECK_EQ(s5, 1)
        CHECK_EQ(a0, 0)
        CHECK_EQ(s2, CAUSE_BREAKPOINT)  /* vscause */
        CHECK_REG_EQ(s3, a2)            /* vstval */
        CHECK_REG_EQ(s4, a2)            /* vsepc */
        CHECK_EQ(s6, 10)                /* then the VS ecall reached M */

        /* ---- icount: single step in U ---- */
test_41:
        TEST_NUM(41)
        la a2, 1f
        EXPECT_TRAP_TVAL(CAUSE_BREAKPOINT, 0)
        ARM(0, ICOUNT | IC_COUNT(1) | X_U, 0)
        li a0, 0
        li a1, 0
        li a3, 0
        ENTER_U
        addi a0, a0, 1                  /* counts: pending */
1:      addi a1, a1, 1                  /* breakpoint before it (skipped) */
        addi a3, a3, 1
        GOTO_M
        csrr a4, CSR_TDATA1
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 1)
        CHECK_EQ(a1, 0)
        CHECK_EQ(a3, 1)
        LOAD_TRAP_FIELD(a5, TF_EPC)
        CHECK_REG_EQ(a5, a2)
        CHECK_EQ(a4, ICOUNT | IC_HIT | X_U)     /* count 0, pending clear */
        /* count = 3: before the fourth U instruction */
test_42:
        TEST_NUM(42)
        la a2, 1f
        EXPECT_TRAP_TVAL(CAUSE_BREAKPOINT, 0)
        ARM(0, ICOUNT | IC_COUNT(3) | X_U, 0)
        li a0, 0
        ENTER_U
        addi a0, a0, 1
        addi a0, a0, 1
        addi a0, a0, 1
1:      addi a0, a0, 0x10               /* skipped */
        addi a0, a0, 0x100
        GOTO_M
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x103)
        LOAD_TRAP_FIELD(a5, TF_EPC)
        CHECK_REG_EQ(a5, a2)

        /* ---- etrigger: ecall from U delegated to S ---- */
test_43:
        TEST_NUM(43)
        li t0, 1 << CAUSE_USER_ECALL
        csrw medeleg, t0
        ARM(0, ETRIG | X_U, 1 << CAUSE_USER_ECALL)
        EXPECT_TRAP_TVAL(CAUSE_BREAKPOINT, 0)
        SET_RESUME(1f)
        ENTER_U
        li a7, 0
        ecall                           /* to S; the breakpoint to M before its handler runs */
        j test_fail
1:      /* in S (MPP of the breakpoint) */
        csrr s2, scause
        GOTO_M
        csrr a4, CSR_TDATA1
        DISARM(0)
        csrw medeleg, zero
        CHECK_TRAPPED
        CHECK_EQ(s2, CAUSE_USER_ECALL)
        LOAD_TRAP_FIELD(a5, TF_EPC)
        la a2, trap_handler_s
        CHECK_REG_EQ(a5, a2)
        CHECK_EQ(a4, ETRIG | X_HIT | X_U)
        /* an etrigger on a trap into M: inhibited (tcontrol.mte = 0 there) */
test_44:
        TEST_NUM(44)
        ARM(0, ETRIG | X_U, 1 << CAUSE_ILLEGAL_INSTRUCTION)
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        ENTER_U
        csrr a0, mstatus                /* illegal in U, taken in M */
        GOTO_M
        csrr a4, CSR_TDATA1
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a4, ETRIG | X_U)

        /* ---- itrigger: S software interrupt taken from U ---- */
test_45:
        TEST_NUM(45)
        li t0, MIP_SSIP
        csrw mideleg, t0
        csrs sie, t0
        ARM(0, ITRIG | X_U, 1 << IRQ_S_SOFT)
        EXPECT_TRAP_TVAL(CAUSE_BREAKPOINT, 0)
        SET_RESUME(1f)
        li t0, MIP_SSIP
        csrs mip, t0
        ENTER_U
        j test_fail                     /* the interrupt is taken before this */
1:      csrr s2, scause
        GOTO_M
        DISARM(0)
        li t0, MIP_SSIP
        csrc mip, t0
        csrc sie, t0
        csrw mideleg, zero
        CHECK_TRAPPED
        CHECK_EQ(s2, CAUSE_INTERRUPT | IRQ_S_SOFT)
        LOAD_TRAP_FIELD(a5, TF_EPC)
        la a2, trap_handler_s
        CHECK_REG_EQ(a5, a2)

        /* ---- priority: an execute address trigger before the fetch's
         * access fault (Sdtrig "Priority") ---- */
test_46:
        TEST_NUM(46)
        li a1, 0x7ffffff8               /* below RAM: nothing there */
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a1)
        SET_RESUME(1f)
        ARM_REG(0, MC6 | T_M | T_EXE, a1)
        jalr ra, 0(a1)
1:      DISARM(0)
        CHECK_TRAPPED
        EXPECT_TRAP_TVAL_REG(CAUSE_FETCH_ACCESS, a1)  /* unarmed: the fault */
        jalr ra, 0(a1)
        CHECK_TRAPPED

        /* ---- load data (select = 1): fires after the load, before
         * the next instruction (hit1:hit0 = 3, xepc = the next one) ---- */
test_47:
        TEST_NUM(47)
        la a1, buf
        addi a2, a1, 16
        li a3, 0
        li a4, 0
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a2)
        ARM(0, MC6 | T_M | T_LD | SEL6 | SIZE6(3), 0x3333)
        ld a4, 16(a1)                   /* 0x3333, but 64-bit: size 32 only */
        lw a0, 8(a1)                    /* 0x2222: other data */
        lw a0, 16(a1)                   /* 0x3333: fires after it */
2:      addi a3, a3, 1                  /* skipped by the handler */
        csrr a5, CSR_TDATA1
        DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x3333)            /* the load happened */
        CHECK_EQ(a4, 0x3333)
        CHECK_EQ(a3, 0)
        LOAD_TRAP_FIELD(a6, TF_EPC)
        la a7, 2b
        CHECK_REG_EQ(a6, a7)
        CHECK_EQ(a5, MC6 | (1 << 25) | HIT0 | T_M | T_LD | SEL6 | SIZE6(3))
        li a7, 0

        /* ---- context registers (mcontext 14 bits, hcontext = mcontext,
         * scontext 34 bits) and textra64 matching ---- */
test_48:
        TEST_NUM(48)
        li t0, -1
        csrw CSR_MCONTEXT, t0
        csrr a0, CSR_MCONTEXT
        CHECK_EQ(a0, 0x3fff)
        csrr a0, CSR_HCONTEXT
        CHECK_EQ(a0, 0x3fff)
        csrw CSR_SCONTEXT, t0
        csrr a0, CSR_SCONTEXT
        CHECK_EQ(a0, 0x3ffffffff)
        csrw CSR_SCONTEXT, zero
test_49:
        TEST_NUM(49)                    /* mhselect 4: mcontext == mhvalue */
        li t0, 6
        csrw CSR_MCONTEXT, t0
        csrwi CSR_TSELECT, 0
        li t0, (5 << 51) | (4 << 48)
        csrw CSR_TDATA3, t0
        la a1, 3f
        li a0, 0
        ARM_REG(0, MC6 | T_M | T_EXE, a1)
3:      addi a0, a0, 1                  /* mcontext 6: no match */
        DISARM(0)
        CHECK_EQ(a0, 1)
        li t0, 5
        csrw CSR_MCONTEXT, t0
        la a1, 4f
        EXPECT_TRAP_TVAL_REG(CAUSE_BREAKPOINT, a1)
        SET_RESUME(5f)
        ARM_REG(0, MC6 | T_M | T_EXE, a1)
4:      addi a0, a0, 1                  /* mcontext 5: the breakpoint */
5:      DISARM(0)
        CHECK_TRAPPED
        CHECK_EQ(a0, 1)
        csrw CSR_TDATA3, zero
        csrw CSR_MCONTEXT, zero

        csrwi CSR_TCONTROL, 0
TEST_END

        .text
        /* a0 = 1 (the first instruction is the execute triggers' target) */
u_target:
        li a0, 1
        ret

        /* VS-mode breakpoint handler: record vscause/vstval/vsepc, then an
         * ecall from VS (cause 10) takes the hart to m_from_vs in M */
        .balign 4
vs_handler:
        csrr s2, scause
        csrr s3, stval
        csrr s4, sepc
        ecall
        .balign 4
m_from_vs:
        csrr s6, mcause
        j vs_back

        .data
        .balign 64
buf:
        .dword 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888
        .dword 0, 0, 0, 0, 0, 0, 0, 0
