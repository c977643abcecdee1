/* hpm.S — programmable counters (Zihpm) and Sscofpmf on hvsim.
 *
 * Privileged spec 20211203 §3.1.10 (mhpmcounter3..31, mhpmevent3..31),
 * §3.1.11 (mcounteren), §3.1.13 (mcountinhibit), §4.1.5 (scounteren);
 * Sscofpmf 1.0: mhpmevent bit 63 OF, 62 MINH, 61 SINH, 60 UINH, 59 VSINH,
 * 58 VUINH; scountovf (0xda0); the local counter-overflow interrupt LCOFI =
 * 13 in mip/mie/mideleg/sip/sie. Event selectors are hvsim's
 * (docs/riscv.md "Performance counters"): 1 cycles, 2 instructions retired,
 * 3 exceptions taken, 4 interrupts taken. Counts are exact: hvsim retires
 * one instruction per tick, so a known sequence gives a known count on both
 * engines.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_sscofpmf
 * hvsim-cpu: mhpm-counters = 4
 * qemu-skip: the event selectors are hvsim's own
 */
#include "test_macros.h"

#define CSR_MCOUNTINHIBIT 0x320
#define CSR_SCOUNTOVF     0xda0
#define EV_CYCLES   1
#define EV_INSTRET  2
#define EV_EXC      3
#define EV_INT      4
#define EV_LOADS    5
#define EV_STORES   6
#define EV_BRANCHES 7
#define EV_OF (1 << 63)
#define MINH  (1 << 62)
#define SINH  (1 << 61)
#define UINH  (1 << 60)
#define IRQ_LCOF 13
#define MIP_LCOFIP (1 << IRQ_LCOF)

#define NOPS10 nop; nop; nop; nop; nop; nop; nop; nop; nop; nop

TEST_BEGIN
        /* ---- four counters: 3..6 hold values, 7.. read zero ---- */
test_2:
        TEST_NUM(2)
        csrwi CSR_MCOUNTINHIBIT, 0
        li t0, 0x123456789
        csrw mhpmcounter6, t0
        csrr a0, mhpmcounter6
        CHECK_REG_EQ(a0, t0)
        csrw mhpmcounter7, t0
        csrr a0, mhpmcounter7
        CHECK_EQ(a0, 0)
        li t0, EV_INSTRET
        csrw mhpmevent7, t0
        csrr a0, mhpmevent7
        CHECK_EQ(a0, 0)
        /* event 0 counts nothing */
        csrw mhpmevent6, zero
        csrw mhpmcounter6, zero
        NOPS10
        csrr a0, mhpmcounter6
        CHECK_EQ(a0, 0)
        /* the selector keeps what is written; bits 57:56 are zero */
        li t0, (3 << 56) | 0x1234
        csrw mhpmevent6, t0
        csrr a0, mhpmevent6
        CHECK_EQ(a0, 0x1234)

        /* ---- exact counts: instructions and cycles ---- */
test_3:
        TEST_NUM(3)
        li t0, EV_INSTRET
        csrw mhpmevent3, t0
        li t0, EV_CYCLES
        csrw mhpmevent4, t0
        csrw mhpmcounter4, zero
        csrw mhpmcounter3, zero
        NOPS10
        csrr a0, mhpmcounter3           /* the 10 nops */
        csrr a1, mhpmcounter4           /* + the write of 3 and the read above */
        CHECK_EQ(a0, 10)
        CHECK_EQ(a1, 12)
test_4:         /* a loop with loads, stores and taken branches (blocks) */
        TEST_NUM(4)
        la a2, tohost_pad
        li a3, 7
        csrw mhpmcounter3, zero
1:      ld a4, 0(a2)
        addi a4, a4, 1
        sd a4, 0(a2)
        addi a3, a3, -1
        bnez a3, 1b                     /* 7 x 5 instructions */
        csrr a0, mhpmcounter3
        CHECK_EQ(a0, 35)
        /* the same count as minstret over the same code */
        csrr a5, minstret
        li a3, 7
1:      ld a4, 0(a2)
        addi a4, a4, 1
        sd a4, 0(a2)
        addi a3, a3, -1
        bnez a3, 1b
        csrr a6, minstret
        sub a6, a6, a5
        CHECK_EQ(a6, 37)                /* + li a3 and the csrr itself... */

        /* ---- mcountinhibit bit 3 freezes counter 3 ---- */
test_5:
        TEST_NUM(5)
        csrw mhpmcounter3, zero
        csrsi CSR_MCOUNTINHIBIT, 8
        NOPS10
        csrr a0, mhpmcounter3
        CHECK_EQ(a0, 0)
        csrci CSR_MCOUNTINHIBIT, 8
        nop; nop; nop; nop; nop
        csrr a0, mhpmcounter3           /* counting resumes after the csrci */
        CHECK_EQ(a0, 5)
        /* a write while inhibited is kept */
        csrsi CSR_MCOUNTINHIBIT, 8
        li t0, 1000
        csrw mhpmcounter3, t0
        NOPS10
        csrr a0, mhpmcounter3
        CHECK_EQ(a0, 1000)
        csrci CSR_MCOUNTINHIBIT, 8

        /* ---- exceptions taken ---- */
test_6:
        TEST_NUM(6)
        li t0, EV_EXC
        csrw mhpmevent5, t0
        csrw mhpmcounter5, zero
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        csrw mvendorid, zero            /* read-only CSR: illegal */
        CHECK_TRAPPED
        EXPECT_TRAP(CAUSE_BREAKPOINT)
        ebreak
        CHECK_TRAPPED
        csrr a0, mhpmcounter5
        CHECK_EQ(a0, 2)

        /* ---- counteren: S needs mcounteren, U needs scounteren too ---- */
test_7:
        TEST_NUM(7)
        csrw mcounteren, zero
        csrw scounteren, zero
        ENTER_S
        TEST_ILLEGAL(8, csrr a0, hpmcounter3)
        TEST_ILLEGAL(9, csrr a0, hpmcounter6)
test_10:        /* scountovf is readable from S: bits masked by mcounteren */
        TEST_NUM(10)
        csrr a0, CSR_SCOUNTOVF
        CHECK_EQ(a0, 0)
        GOTO_M
        li t0, 1 << 3
        csrw mcounteren, t0
        ENTER_S
test_11:
        TEST_NUM(11)
        csrr a0, hpmcounter3            /* allowed now */
        csrr a1, CSR_SCOUNTOVF
        TEST_ILLEGAL(12, csrr a0, hpmcounter4)
        ENTER_U_FROM_S
        TEST_ILLEGAL(13, csrr a0, hpmcounter3)   /* scounteren bit 3 clear */
        GOTO_M
        li t0, 1 << 3
        csrw scounteren, t0
        ENTER_U
test_14:
        TEST_NUM(14)
        csrr a0, hpmcounter3
        TEST_ILLEGAL(15, csrr a0, CSR_SCOUNTOVF) /* an S CSR from U */
        GOTO_M

        /* ---- Sscofpmf mode filter: MINH counts only below M ---- */
test_16:
        TEST_NUM(16)
        li t0, EV_INSTRET | MINH
        csrw mhpmevent3, t0
        csrw mhpmcounter3, zero
        NOPS10
        csrr a0, mhpmcounter3
        CHECK_EQ(a0, 0)                 /* M: inhibited */
        li t0, 1 << 3
        csrw mcounteren, t0
        ENTER_S
        csrr a0, hpmcounter3
        NOPS10
        csrr a1, hpmcounter3
        sub a1, a1, a0
        GOTO_M
        CHECK_EQ(a1, 11)
        /* SINH: nothing counts in S */
        li t0, EV_INSTRET | SINH
        csrw mhpmevent3, t0
        ENTER_S
        csrr a0, hpmcounter3
        NOPS10
        csrr a1, hpmcounter3
        sub a1, a1, a0
        GOTO_M
        CHECK_EQ(a1, 0)

        /* ---- overflow: OF, scountovf and LCOFI taken in S ---- */
test_17:
        TEST_NUM(17)
        li t0, EV_INT
        csrw mhpmevent6, t0
        csrw mhpmcounter6, zero
        li t0, EV_INSTRET
        csrw mhpmevent3, t0
        li t0, MIP_LCOFIP
        csrw mideleg, t0
        csrr a0, mideleg
        and a0, a0, t0
        CHECK_EQ(a0, MIP_LCOFIP)        /* LCOFI is delegable */
        csrw mie, t0
        li t0, (1 << 3) | (1 << 6)
        csrw mcounteren, t0
        li t0, -40
        csrw mhpmcounter3, t0           /* wraps after 40 instructions */
        ENTER_S
        li t0, MIP_LCOFIP
        csrs sie, t0
        csrr a0, sie
        CHECK_EQ(a0, MIP_LCOFIP)
        EXPECT_TRAP_S(CAUSE_INTERRUPT | IRQ_LCOF)
        csrsi sstatus, SSTATUS_SIE
        li t1, 1000
1:      addi t1, t1, -1
        bnez t1, 1b
        csrci sstatus, SSTATUS_SIE
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_HANDLER)
        CHECK_EQ(a0, PRV_S)
test_18:
        TEST_NUM(18)
        csrr a0, CSR_SCOUNTOVF
        CHECK_EQ(a0, 1 << 3)            /* counter 3 overflowed */
        csrr a0, sip
        CHECK_EQ(a0, MIP_LCOFIP)        /* still pending ... */
        li t0, MIP_LCOFIP
        csrc sip, t0                    /* ... until software clears it */
        csrr a0, sip
        CHECK_EQ(a0, 0)
test_19:
        TEST_NUM(19)
        csrr a0, hpmcounter3
        li t0, 2100
        bgeu a0, t0, test_fail          /* wrapped: about the 2000 of the loop */
        beqz a0, test_fail
        csrr a0, hpmcounter6
        CHECK_EQ(a0, 1)                 /* one interrupt taken */
        GOTO_M
        csrr a0, mhpmevent3
        li t0, EV_OF | EV_INSTRET
        CHECK_REG_EQ(a0, t0)
        /* scountovf below M only shows counters mcounteren allows */
        csrw mcounteren, zero
        ENTER_S
        csrr a0, CSR_SCOUNTOVF
        GOTO_M
        CHECK_EQ(a0, 0)
test_20:        /* with OF set, another overflow raises no interrupt */
        TEST_NUM(20)
        li t0, -5
        csrw mhpmcounter3, t0
        NOPS10
        csrr a0, mip
        li t0, MIP_LCOFIP
        and a0, a0, t0
        CHECK_EQ(a0, 0)
test_21:        /* clearing OF in M re-arms it: overflow pends LCOFIP again */
        TEST_NUM(21)
        li t0, EV_INSTRET
        csrw mhpmevent3, t0
        li t0, -5
        csrw mhpmcounter3, t0
        NOPS10
        csrr a0, mip
        li t0, MIP_LCOFIP
        and a0, a0, t0
        CHECK_EQ(a0, MIP_LCOFIP)
        csrc mip, t0
        csrr a0, mhpmevent3
        bgez a0, test_fail              /* OF set */
test_22:        /* a cycle counter overflows too */
        TEST_NUM(22)
        li t0, EV_CYCLES
        csrw mhpmevent4, t0
        li t0, -3
        csrw mhpmcounter4, t0
        NOPS10
        csrr a0, mhpmevent4
        bgez a0, test_fail
        csrr a0, mip
        li t0, MIP_LCOFIP
        and a0, a0, t0
        CHECK_EQ(a0, MIP_LCOFIP)
        csrc mip, t0
        csrw mie, zero
        csrw mideleg, zero

        /* ---- per-instruction events: loads, stores, taken branches ---- */
test_23:
        TEST_NUM(23)
        li t0, EV_LOADS
        csrw mhpmevent3, t0
        li t0, EV_STORES
        csrw mhpmevent4, t0
        li t0, EV_BRANCHES
        csrw mhpmevent5, t0
        la a2, tohost_pad
        li a3, 7
        csrw mhpmcounter3, zero
        csrw mhpmcounter4, zero
        csrw mhpmcounter5, zero
1:      ld a4, 0(a2)
        addi a4, a4, 1
        sd a4, 0(a2)
        addi a3, a3, -1
        bnez a3, 1b                     /* taken 6 times, then falls through */
        amoadd.d a4, a3, (a2)           /* a load and a store */
        beqz a3, 2f                     /* taken */
        j test_fail
2:      csrr a0, mhpmcounter3
        csrr a1, mhpmcounter4
        csrr a5, mhpmcounter5
        CHECK_EQ(a0, 8)
        CHECK_EQ(a1, 8)
        CHECK_EQ(a5, 7)
test_24:        /* a load that faults does not retire: not counted */
        TEST_NUM(24)
        li t0, EV_LOADS | MINH          /* the M handler's loads do not count */
        csrw mhpmevent3, t0
        csrw mhpmcounter3, zero
        ENTER_S
        EXPECT_TRAP(CAUSE_LOAD_ACCESS)  /* (stores only) */
        ld a4, 0(zero)                  /* nothing there: access fault to M */
        ld a4, 0(a2)                    /* counted */
        GOTO_M
        CHECK_TRAPPED
        csrr a0, mhpmcounter3
        CHECK_EQ(a0, 1)
        csrw mhpmevent3, zero
        csrw mhpmevent4, zero
        csrw mhpmevent5, zero
test_25:        /* regression: code that ran as blocks (compiled code with --engine
                 * fast) before a per-instruction event was programmed is
                 * counted exactly afterwards (it once counted 0 of 20 loads) */
        TEST_NUM(25)
        li s2, 0                        /* pass 0: no event; pass 1: loads */
3:      la a2, tohost_pad
        li a3, 20
        csrw mhpmcounter3, zero
4:      ld a4, 0(a2)
        addi a3, a3, -1
        bnez a3, 4b
        csrr a0, mhpmcounter3
        bnez s2, 5f
        CHECK_EQ(a0, 0)                 /* event 0: nothing counted */
        li t0, EV_LOADS
        csrw mhpmevent3, t0
        li s2, 1
        j 3b
5:      CHECK_EQ(a0, 20)
        csrw mhpmevent3, zero
TEST_END

        .data
        .balign 8
tohost_pad: .dword 0
