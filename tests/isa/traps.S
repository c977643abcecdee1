/* traps.S — synchronous exceptions, privilege transitions and interrupts.
 *
 * Privileged spec 1.12:
 *   §3.1.15 mcause codes, §3.1.16 mtval (breakpoint: the pc; illegal
 *   instruction: the instruction bits, 0 for the 16-bit all-zero encoding;
 *   access faults: the address), §3.1.14 mepc;
 *   §3.1.6.1 trap entry (xPIE <- xIE, xIE <- 0, xPP <- previous mode) and
 *   §3.3.2 MRET/SRET (xIE <- xPIE, xPIE <- 1, xPP <- U, MPRV <- 0 when
 *   leaving M);
 *   §3.1.6.5 TVM / TW / TSR;  §3.1.8 medeleg/mideleg;  §3.1.7 mtvec
 *   vectored mode (interrupt cause n at base + 4n);  §3.1.6.1 interrupts for
 *   a higher privilege are always enabled;  §3.3.3 WFI wakes on a pending
 *   enabled interrupt even with MIE = 0;  §3.2.1 mtime/mtimecmp and
 *   the ACLINT MSWI/MTIMER (CLINT layout: msip 0x2000000, mtimecmp
 *   0x2004000, mtime 0x200bff8).
 * (Instruction-address-misaligned cannot happen with C enabled.)
 */
#include "test_macros.h"

#define UNMAPPED 0x7ffffff8        /* below RAM, no device there */

/* mstatus field extraction into reg */
#define MSTATUS_FIELD(reg, src, shift, mask)                            \
        srli reg, src, shift; andi reg, reg, mask

TEST_BEGIN
        .option norvc

        /* ---- ECALL: cause 11 / 9 / 8, mepc = the ecall, mtval = 0 ---- */
test_2:
        TEST_NUM(2)
        la a1, 1f
        EXPECT_TRAP_TVAL(CAUSE_MACHINE_ECALL, 0)
1:      ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_REG_EQ(a0, a1)
test_3:
        TEST_NUM(3)
        ENTER_S
        la a1, 1f
        EXPECT_TRAP_TVAL(CAUSE_SUPERVISOR_ECALL, 0)
1:      ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_REG_EQ(a0, a1)
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        MSTATUS_FIELD(a0, a0, 11, 3)
        CHECK_EQ(a0, PRV_S)                     /* MPP = S */
        ENTER_U_FROM_S
        la a1, 1f
        EXPECT_TRAP_TVAL(CAUSE_USER_ECALL, 0)
1:      ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_REG_EQ(a0, a1)
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        MSTATUS_FIELD(a0, a0, 11, 3)
        CHECK_EQ(a0, PRV_U)                     /* MPP = U */
        GOTO_M

        /* ---- EBREAK: cause 3, mtval = pc (4-byte here; c.ebreak in rv64c) */
test_4:
        TEST_NUM(4)
        la a1, 1f
        EXPECT_BREAKPOINT(a1)
1:      ebreak
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_REG_EQ(a0, a1)
test_5:
        TEST_NUM(5)
        .option push
        .option rvc
        la a1, 1f
        EXPECT_BREAKPOINT(a1)
1:      c.ebreak
        CHECK_TRAPPED
        .option pop

        /* ---- illegal instruction: mtval = instruction bits ---- */
        TEST_ILLEGAL(6, .word 0xfe000033)       /* OP, funct7 = 0x7f: reserved */
        TEST_ILLEGAL(7, .word 0x0000505b)       /* custom-2 opcode: not implemented */
test_9:         /* 16-bit all-zero: illegal, mtval = 0 */
        TEST_NUM(9)
        EXPECT_TRAP_TVAL(CAUSE_ILLEGAL_INSTRUCTION, 0)
        .2byte 0x0000
        CHECK_TRAPPED
        /* privileged instructions from lower modes */
test_11:
        TEST_NUM(11)
        ENTER_S
        TEST_ILLEGAL(12, mret)
        ENTER_U_FROM_S
        TEST_ILLEGAL(13, sret)
        TEST_ILLEGAL(14, mret)
        TEST_ILLEGAL(15, sfence.vma)
        TEST_ILLEGAL(16, csrr a0, sstatus)
        GOTO_M

        /* ---- access faults on an address with nothing behind it ---- */
        TEST_TRAP_TVAL(20, CAUSE_LOAD_ACCESS, 0, ld a0, 0(zero))
        TEST_TRAP_TVAL(21, CAUSE_LOAD_ACCESS, 8, lbu a0, 8(zero))
        TEST_TRAP_TVAL(22, CAUSE_STORE_ACCESS, 0, sd a0, 0(zero))
        TEST_TRAP_TVAL(23, CAUSE_STORE_ACCESS, 0x10, sw a0, 0x10(zero))
        TEST_TRAP_TVAL(24, CAUSE_LOAD_ACCESS, UNMAPPED, li a1, UNMAPPED; ld a0, 0(a1))
        TEST_TRAP_TVAL(25, CAUSE_STORE_ACCESS, UNMAPPED, li a1, UNMAPPED; sd a0, 0(a1))
        TEST_TRAP_TVAL(26, AMO_ACCESS_CAUSE, UNMAPPED, li a1, UNMAPPED; amoadd.d a0, a0, (a1))
        /* the destination register is not written by a faulting load */
        TEST_CASE(27, a0, 0x1234, li a0, 0x1234; EXPECT_TRAP(CAUSE_LOAD_ACCESS); ld a0, 0(zero); CHECK_TRAPPED)
        /* instruction access fault: mepc = mtval = the target */
test_28:
        TEST_NUM(28)
        EXPECT_TRAP_TVAL(CAUSE_FETCH_ACCESS, 0)
        jalr ra, 0(zero)                        /* handler resumes at ra */
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_EQ(a0, 0)
test_29:
        TEST_NUM(29)
        li a1, UNMAPPED
        EXPECT_TRAP_TVAL(CAUSE_FETCH_ACCESS, UNMAPPED)
        jalr ra, 0(a1)
        CHECK_TRAPPED

        /* ---- trap entry / MRET state (§3.1.6.1, §3.3.2) ---- */
test_30:        /* mret: MIE <- MPIE (1), MPIE <- 1, MPP <- U, mode <- S */
        TEST_NUM(30)
        li t0, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE
        csrc mstatus, t0
        li t0, MSTATUS_MPP_S | MSTATUS_MPIE
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      EXPECT_TRAP(CAUSE_SUPERVISOR_ECALL)     /* proves we are in S */
        ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        /* trap entry from S with MIE = 1: MPIE = 1, MIE = 0, MPP = S */
        li t0, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE
        and a0, a0, t0
        CHECK_EQ(a0, MSTATUS_MPP_S | MSTATUS_MPIE)
        GOTO_M
        csrci mstatus, MSTATUS_MIE
test_31:        /* mret with MPIE = 0: MIE stays 0 */
        TEST_NUM(31)
        li t0, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE
        csrc mstatus, t0
        li t0, MSTATUS_MPP_S
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      EXPECT_TRAP(CAUSE_SUPERVISOR_ECALL)
        ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        li t0, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE
        and a0, a0, t0
        CHECK_EQ(a0, MSTATUS_MPP_S)
        GOTO_M
test_32:        /* mret staying in M: MPP <- U (least-privileged mode) */
        TEST_NUM(32)
        li t0, MSTATUS_MPP_M
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      csrr a0, mstatus
        MSTATUS_FIELD(a0, a0, 11, 3)
        CHECK_EQ(a0, PRV_U)
        csrr a0, mstatus
        andi a0, a0, MSTATUS_MPIE
        CHECK_EQ(a0, MSTATUS_MPIE)
#ifndef ISA_QEMU        /* QEMU 7.2 leaves MPRV set */
test_33:        /* mret to S clears MPRV */
        TEST_NUM(33)
        li t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      EXPECT_TRAP(CAUSE_SUPERVISOR_ECALL)
        ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        li t0, MSTATUS_MPRV
        and a0, a0, t0
        CHECK_EQ(a0, 0)
        GOTO_M
#endif
        li t0, MSTATUS_MPRV
        csrc mstatus, t0

        /* ---- SRET (§3.3.2): SIE <- SPIE, SPIE <- 1, SPP <- U ---- */
test_34:
        TEST_NUM(34)
        ENTER_S
        li t0, SSTATUS_SPP | SSTATUS_SPIE
        csrs sstatus, t0
        csrci sstatus, SSTATUS_SIE
        la t0, 1f
        csrw sepc, t0
        sret                                    /* S -> S */
1:      csrr a0, sstatus
        li t0, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE
        and a0, a0, t0
        CHECK_EQ(a0, SSTATUS_SPIE | SSTATUS_SIE)
        csrci sstatus, SSTATUS_SIE
        la t0, 1f
        csrw sepc, t0
        sret                                    /* SPP = U now: S -> U */
1:      EXPECT_TRAP(CAUSE_USER_ECALL)
        ecall
        CHECK_TRAPPED
        GOTO_M
        /* TSR = 0: sret is legal in M too (M -> S here) */
test_35:
        TEST_NUM(35)
        li t0, MSTATUS_SPP
        csrs mstatus, t0
        la t0, 1f
        csrw sepc, t0
        sret
1:      EXPECT_TRAP(CAUSE_SUPERVISOR_ECALL)
        ecall
        CHECK_TRAPPED
        GOTO_M

        /* ---- TSR / TW / TVM (§3.1.6.5) ---- */
test_40:
        TEST_NUM(40)
        li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
        csrs mstatus, t0
        ENTER_S
        TEST_ILLEGAL(41, sret)
        TEST_ILLEGAL(42, wfi)
        TEST_ILLEGAL(43, csrr a0, satp)
        TEST_ILLEGAL(44, csrw satp, zero)
        TEST_ILLEGAL(45, sfence.vma)
        TEST_ILLEGAL(46, sfence.vma a0, a1)
        GOTO_M
test_47:        /* in M the three bits have no effect */
        TEST_NUM(47)
        csrr a0, satp
        sfence.vma
        li t0, MSTATUS_SPP
        csrs mstatus, t0
        la t0, 1f
        csrw sepc, t0
        sret                                    /* M -> S despite TSR */
1:      GOTO_M
        li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
        csrc mstatus, t0
test_48:        /* with the bits clear, S may use them */
        TEST_NUM(48)
        ENTER_S
        csrr a0, satp
        sfence.vma
        GOTO_M

        /* ---- delegation to S (§3.1.8) ---- */
test_50:
        TEST_NUM(50)
        li t0, (1 << CAUSE_ILLEGAL_INSTRUCTION) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_USER_ECALL) | (1 << CAUSE_LOAD_ACCESS)
        csrw medeleg, t0
        /* M-mode traps are never delegated */
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        .word 0xfe000033
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_HANDLER)
        CHECK_EQ(a0, PRV_M)
        ENTER_S
        csrsi sstatus, SSTATUS_SIE              /* SPIE <- SIE on entry */
test_51:        /* illegal instruction in S goes to stvec: scause/stval/sepc */
        TEST_NUM(51)
        la a1, 1f
        lwu a2, 0(a1)
        EXPECT_TRAP_S_TVAL_REG(CAUSE_ILLEGAL_INSTRUCTION, a2)
1:      .word 0xfe000033
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_HANDLER)
        CHECK_EQ(a0, PRV_S)
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_REG_EQ(a0, a1)
        LOAD_TRAP_FIELD(a0, TF_STATUS)          /* sstatus at entry */
        li t0, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE
        and a0, a0, t0
        CHECK_EQ(a0, SSTATUS_SPP | SSTATUS_SPIE)
        /* sret restored SIE */
        csrr a0, sstatus
        andi a0, a0, SSTATUS_SIE
        CHECK_EQ(a0, SSTATUS_SIE)
        csrci sstatus, SSTATUS_SIE
test_52:        /* breakpoint delegated: stval = pc */
        TEST_NUM(52)
        la a1, 1f
        EXPECT_BREAKPOINT_S(a1)
1:      ebreak
        CHECK_TRAPPED
test_53:        /* load access fault delegated: stval = address */
        TEST_NUM(53)
        EXPECT_TRAP_S_TVAL(CAUSE_LOAD_ACCESS, 0x20)
        ld a0, 0x20(zero)
        CHECK_TRAPPED
test_54:        /* not delegated: store access fault from S goes to M */
        TEST_NUM(54)
        EXPECT_TRAP_TVAL(CAUSE_STORE_ACCESS, 0x20)
        sd a0, 0x20(zero)
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_HANDLER)
        CHECK_EQ(a0, PRV_M)
test_55:        /* ecall from U delegated: SPP = 0 */
        TEST_NUM(55)
        ENTER_U_FROM_S
        EXPECT_TRAP_S_TVAL(CAUSE_USER_ECALL, 0)
        ecall
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        andi a0, a0, SSTATUS_SPP
        CHECK_EQ(a0, 0)
        GOTO_S                                  /* delegated ecall: S handler */
        GOTO_M                                  /* ecall from S: not delegated */
        csrw medeleg, zero

        /* ---- interrupts: vectored mtvec, ACLINT MSWI and MTIMER ---- */
test_60:        /* MSIP pending with mstatus.MIE = 0: not taken, visible in mip */
        TEST_NUM(60)
        la t0, vector_table
        ori t0, t0, 1                           /* MODE = vectored */
        csrw mtvec, t0
        csrr a0, mtvec
        CHECK_REG_EQ(a0, t0)
        li tp, 0
        csrci mstatus, MSTATUS_MIE
        li t0, MIP_MSIP
        csrs mie, t0
        li a1, CLINT_MSIP
        li t0, 1
        sw t0, 0(a1)
        li t1, 1000
1:      csrr a0, mip
        andi a0, a0, MIP_MSIP
        bnez a0, 2f
        addi t1, t1, -1
        bnez t1, 1b
        j test_fail                             /* never became pending */
2:      CHECK_EQ(tp, 0)
test_61:        /* enable MIE: taken at vector 3, cause = interrupt | 3 */
        TEST_NUM(61)
        EXPECT_TRAP(CAUSE_INTERRUPT | IRQ_M_SOFT)
        csrsi mstatus, MSTATUS_MIE
        nop
        nop
        CHECK_TRAPPED
        CHECK_EQ(tp, 3)
        LOAD_TRAP_FIELD(a0, TF_STATUS)          /* MPP = M, MPIE = 1 */
        li t0, MSTATUS_MPP | MSTATUS_MPIE
        and a0, a0, t0
        CHECK_EQ(a0, MSTATUS_MPP_M | MSTATUS_MPIE)
        csrci mstatus, MSTATUS_MIE
        li a1, CLINT_MSIP
        sw zero, 0(a1)                          /* clear the source */
        li t1, 1000
1:      csrr a0, mip
        andi a0, a0, MIP_MSIP
        beqz a0, 2f
        addi t1, t1, -1
        bnez t1, 1b
        j test_fail
2:
test_62:        /* M interrupts are enabled in S regardless of MIE */
        TEST_NUM(62)
        li tp, 0
        li t0, MIP_MSIP
        csrs mie, t0
        li a1, CLINT_MSIP
        li t0, 1
        sw t0, 0(a1)
        EXPECT_TRAP(CAUSE_INTERRUPT | IRQ_M_SOFT)
        ENTER_S
        nop
        nop
        GOTO_M
        CHECK_TRAPPED
        CHECK_EQ(tp, 3)
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        MSTATUS_FIELD(a0, a0, 11, 3)
        CHECK_EQ(a0, PRV_S)
        li a1, CLINT_MSIP
        sw zero, 0(a1)
test_63:        /* timer: mtime advances; mtimecmp <= mtime raises MTIP */
        TEST_NUM(63)
        li tp, 0
        li a1, CLINT_MTIMECMP
        li t0, -1
        sd t0, 0(a1)
        li a2, CLINT_MTIME
        ld a3, 0(a2)
        li t1, 10000
1:      addi t1, t1, -1
        bnez t1, 1b
        ld a4, 0(a2)
        bleu a4, a3, test_fail
        csrr a0, mip
        andi a0, a0, MIP_MTIP
        CHECK_EQ(a0, 0)
        addi a3, a4, 50
        sd a3, 0(a1)                            /* ~5 us ahead */
        li t0, MIP_MTIP
        csrs mie, t0
        EXPECT_TRAP(CAUSE_INTERRUPT | IRQ_M_TIMER)
        csrsi mstatus, MSTATUS_MIE
        li t1, 10000000
1:      la t0, trap_frame
        ld t0, TF_EXP_FLAGS(t0)
        beqz t0, 2f
        addi t1, t1, -1
        bnez t1, 1b
        j test_fail
2:      csrci mstatus, MSTATUS_MIE
        CHECK_EQ(tp, 7)
        ld a4, 0(a2)
        bltu a4, a3, test_fail                  /* not before mtimecmp */
        csrr a0, mip                            /* still pending (level) */
        andi a0, a0, MIP_MTIP
        CHECK_EQ(a0, MIP_MTIP)
        li t0, -1
        sd t0, 0(a1)                            /* rewrite mtimecmp clears it */
        csrr a0, mip
        andi a0, a0, MIP_MTIP
        CHECK_EQ(a0, 0)
test_64:        /* WFI with MIE = 0 wakes up when the timer is pending */
        TEST_NUM(64)
        li a1, CLINT_MTIMECMP
        li a2, CLINT_MTIME
        ld a3, 0(a2)
        addi a3, a3, 100
        sd a3, 0(a1)
        li t0, MIP_MTIP
        csrs mie, t0
1:      wfi
        csrr a0, mip
        andi a0, a0, MIP_MTIP
        beqz a0, 1b                             /* (WFI may wake spuriously) */
        ld a4, 0(a2)
        bltu a4, a3, test_fail
        li t0, -1
        sd t0, 0(a1)
        csrw mie, zero
test_65:        /* a delegated S interrupt is not taken in M, but in S */
        TEST_NUM(65)
        la t0, trap_handler_m
        csrw mtvec, t0                          /* direct mode again */
        li t0, MIP_SSIP
        csrw mideleg, t0
        csrs mie, t0
        csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
        csrs mip, t0                            /* SSIP is writable in mip */
        nop
        nop
        csrci mstatus, MSTATUS_MIE
        EXPECT_TRAP_S(CAUSE_INTERRUPT | IRQ_S_SOFT)
        ENTER_S
        nop
        nop
        CHECK_TRAPPED
        csrci sip, MIP_SSIP
        GOTO_M
        csrw mideleg, zero
        csrw mie, zero
        csrci mstatus, MSTATUS_SIE
TEST_END

        /* mtvec vector table (vectored mode): entry n = base + 4n.  An
         * interrupt entry records n in tp and joins the common handler. */
        .text
        .option norvc
        .balign 256
vector_table:
        j trap_handler_m                        /* exceptions */
        j vec1
        j vec2
        j vec3
        j vec4
        j vec5
        j vec6
        j vec7
        j vec8
        j vec9
        j vec10
        j vec11
vec1:   li tp, 1;  j trap_handler_m
vec2:   li tp, 2;  j trap_handler_m
vec3:   li tp, 3;  j trap_handler_m
vec4:   li tp, 4;  j trap_handler_m
vec5:   li tp, 5;  j trap_handler_m
vec6:   li tp, 6;  j trap_handler_m
vec7:   li tp, 7;  j trap_handler_m
vec8:   li tp, 8;  j trap_handler_m
vec9:   li tp, 9;  j trap_handler_m
vec10:  li tp, 10; j trap_handler_m
vec11:  li tp, 11; j trap_handler_m
