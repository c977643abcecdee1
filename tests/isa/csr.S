/* csr.S — Zicsr instructions and basic machine/supervisor CSRs.
 *
 * Unprivileged spec 20191213 chapter 9 (CSRRW/S/C and immediate forms;
 * CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0 do not write,
 * so they are legal on read-only CSRs; any other form writes).
 * Privileged spec 1.12: §2.1 (CSR address bits [11:10] = 11 read-only,
 * [9:8] lowest privilege; violations are illegal instructions, mtval = the
 * instruction bits, §3.1.16), §3.1.1 misa, §3.1.5 mhartid, §3.1.6 mstatus
 * SXL/UXL, §3.1.8 medeleg/mideleg, §3.1.11-12 mcounteren and the
 * counters (§3.1.10: mhpmcounter3 may be hard-wired to 0), §3.1.14 mepc
 * bit 0, §4.1.1/§4.1.3 sstatus and sip/sie as views of mstatus and mip/mie.
 */
#include "test_macros.h"

#define CSR_UNIMPLEMENTED 0x8c0     /* custom U-mode read/write space */

TEST_BEGIN

        /* ---- CSRRW / CSRRS / CSRRC on mscratch (§9.1); no trap may
         *      happen until mscratch is restored after test 18 ---- */
        TEST_CASE(2, a0, 0x123456789abcdef0, li a1, 0x123456789abcdef0; csrw mscratch, a1; csrr a0, mscratch)
        TEST_CASE(3, a0, 0x123456789abcdef0, li a1, 0x55; csrrw a0, mscratch, a1)            /* old value */
        TEST_CASE(4, a0, 0x55, csrr a0, mscratch)
        TEST_CASE(5, a0, 0x55, li a1, 0xf00; csrrs a0, mscratch, a1)
        TEST_CASE(6, a0, 0xf55, csrr a0, mscratch)
        TEST_CASE(7, a0, 0xf55, li a1, 0x0f0f; csrrc a0, mscratch, a1)
        TEST_CASE(8, a0, 0x050, csrr a0, mscratch)
        TEST_CASE(9, a0, 0x050, csrrwi a0, mscratch, 0x1f)
        TEST_CASE(10, a0, 0x1f, csrrsi a0, mscratch, 0x10)
        TEST_CASE(11, a0, 0x1f, csrrci a0, mscratch, 0x3)
        TEST_CASE(12, a0, 0x1c, csrr a0, mscratch)
        /* rd == rs1: the old value goes to rd, the new value from old rs1 */
        TEST_CASE(13, a0, 0x1c, li a0, 0x77; csrrw a0, mscratch, a0)
        TEST_CASE(14, a0, 0x77, csrr a0, mscratch)
        /* rd = x0 still writes */
        TEST_CASE(15, a0, 0x99, li a1, 0x99; csrrw x0, mscratch, a1; csrr a0, mscratch)
        /* rs1 = x0 / uimm = 0: no change */
        TEST_CASE(16, a0, 0x99, csrrs a0, mscratch, x0; csrrc a0, mscratch, x0; csrrsi a0, mscratch, 0; csrrci a0, mscratch, 0; csrr a0, mscratch)
        /* all 64 bits */
        TEST_CASE(17, a0, 0xffffffffffffffff, li a1, -1; csrw mscratch, a1; csrr a0, mscratch)
        TEST_CASE(18, a0, 0x7fffffffffffffff, li a1, 0x8000000000000000; csrc mscratch, a1; csrr a0, mscratch)
        /* the trap handlers need mscratch = &trap_frame back */
        la t2, trap_frame
        csrw mscratch, t2
        /* sscratch likewise */
        TEST_CASE(19, a0, 0xabcdef, la t2, trap_frame; li a1, 0xabcdef; csrrw t3, sscratch, a1; csrr a0, sscratch; csrw sscratch, t2)

        /* ---- read-only CSRs (§2.1) ---- */
        TEST_CASE(20, a0, 0, csrr a0, mhartid)
        TEST_CASE(21, a0, 0, li a0, 5; csrrs a0, mhartid, x0)
        TEST_CASE(22, a0, 0, li a0, 5; csrrc a0, mhartid, x0)
        TEST_CASE(23, a0, 0, li a0, 5; csrrsi a0, mhartid, 0)
        TEST_CASE(24, a0, 0, li a0, 5; csrrci a0, mhartid, 0)
        TEST_ILLEGAL(25, csrw mhartid, a1)
        TEST_ILLEGAL(26, csrrwi a0, mhartid, 0)                 /* always writes */
#ifndef ISA_QEMU
        /* rs1 != x0 is a write even when the register holds 0 (QEMU 7.2
         * decides by the value) */
        li a1, 0
        TEST_ILLEGAL(27, csrrs a0, mhartid, a1)
#endif
        TEST_ILLEGAL(28, csrrsi a0, mvendorid, 1)
        TEST_ILLEGAL(29, csrrc a0, marchid, a1)
        TEST_ILLEGAL(30, csrw cycle, a1)
        TEST_ILLEGAL(31, csrrci a0, instret, 4)
        TEST_ILLEGAL(32, csrw mimpid, x0)
        /* the destination is not written when the instruction traps */
test_33:
        TEST_NUM(33)
        li a0, 0x5a5a
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        csrrw a0, mhartid, a0
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x5a5a)
        /* an unimplemented CSR is illegal to read and to write */
        TEST_ILLEGAL(34, csrr a0, CSR_UNIMPLEMENTED)
        TEST_ILLEGAL(35, csrw CSR_UNIMPLEMENTED, a0)

        /* ---- misa (§3.1.1): RV64 with I M A F D C S U ---- */
test_40:
        TEST_NUM(40)
        csrr a0, misa
        srli a1, a0, 62
        CHECK_EQ(a1, 2)                         /* MXL = 64 */
        li t0, (1 << ('I' - 'A')) | (1 << ('M' - 'A')) | (1 << ('A' - 'A')) | (1 << ('F' - 'A')) | (1 << ('D' - 'A')) | (1 << ('C' - 'A')) | (1 << ('S' - 'A')) | (1 << ('U' - 'A'))
        and a1, a0, t0
        CHECK_REG_EQ(a1, t0)
        li t0, 1 << ('E' - 'A')                 /* not RV64E */
        and a1, a0, t0
        CHECK_EQ(a1, 0)

        /* ---- mstatus (§3.1.6.2): SXL = UXL = 2 (64-bit) ---- */
test_41:
        TEST_NUM(41)
        csrr a0, mstatus
        srli a0, a0, 32
        andi a0, a0, 0xf
        CHECK_EQ(a0, 0xa)
        /* sstatus is a view: SIE set through sstatus shows in mstatus,
         * MIE/MPP are not visible in sstatus */
        csrsi sstatus, MSTATUS_SIE
        csrr a0, mstatus
        andi a0, a0, MSTATUS_SIE
        CHECK_EQ(a0, MSTATUS_SIE)
        csrci mstatus, MSTATUS_SIE
        csrr a0, sstatus
        andi a0, a0, MSTATUS_SIE
        CHECK_EQ(a0, 0)
        csrsi mstatus, MSTATUS_MIE      /* all interrupts disabled in mie */
        csrr a0, sstatus
        li t0, MSTATUS_MIE | MSTATUS_MPP | MSTATUS_MPIE
        and a0, a0, t0
        CHECK_EQ(a0, 0)
        csrci mstatus, MSTATUS_MIE

        /* ---- mepc[0] is always zero (IALIGN = 16, §3.1.14) ---- */
#ifndef ISA_QEMU     /* QEMU 7.2 keeps bit 0 */
        TEST_CASE(42, a0, 0x80000002, li a1, 0x80000003; csrw mepc, a1; csrr a0, mepc)
        TEST_CASE(43, a0, 0x80000006, li a1, 0x80000007; csrw sepc, a1; csrr a0, sepc)
#endif

        /* ---- medeleg / mideleg (§3.1.8) ---- */
test_44:
        TEST_NUM(44)
        li a1, -1
        csrw medeleg, a1
        csrr a0, medeleg
#ifndef ISA_QEMU     /* QEMU 7.2 lets medeleg[11] be set */
        li t0, 1 << CAUSE_MACHINE_ECALL         /* ecall from M: read-only 0 */
        and a1, a0, t0
        CHECK_EQ(a1, 0)
#endif
        li t0, (1 << CAUSE_USER_ECALL) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL_INSTRUCTION) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT) | (1 << CAUSE_FETCH_PAGE_FAULT)
        and a1, a0, t0
        CHECK_REG_EQ(a1, t0)
        csrw medeleg, zero
        li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
        csrw mideleg, a1
        csrr a0, mideleg
        and a0, a0, a1
        CHECK_REG_EQ(a0, a1)

        /* ---- sie / sip are views of mie / mip restricted to delegated
         *      interrupts (§4.1.3) ---- */
test_45:
        TEST_NUM(45)
        csrw mideleg, zero
        li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
        csrw sie, a1
        csrr a0, sie
        CHECK_EQ(a0, 0)                         /* nothing delegated */
        csrr a0, mie
        CHECK_EQ(a0, 0)
        csrw mideleg, a1
        csrw sie, a1
        csrr a0, sie
        CHECK_REG_EQ(a0, a1)
        csrr a0, mie
        CHECK_REG_EQ(a0, a1)
        li t0, MIP_MTIP | MIP_MSIP
        csrs sie, t0                            /* M bits not reachable */
        csrr a0, mie
        CHECK_REG_EQ(a0, a1)
        csrw sie, zero
        /* SSIP is writable through sip when delegated */
        csrsi sip, MIP_SSIP
        csrr a0, mip
        andi a0, a0, MIP_SSIP
        CHECK_EQ(a0, MIP_SSIP)
        csrci mip, MIP_SSIP
        csrr a0, sip
        andi a0, a0, MIP_SSIP
        CHECK_EQ(a0, 0)
        csrw mideleg, zero

        /* ---- counters (§3.1.10, Zicntr) ---- */
test_50:        /* mcycle / minstret advance; the user aliases match */
        TEST_NUM(50)
        csrr a1, minstret
        nop
        nop
        nop
        nop
        csrr a2, minstret
        sub a0, a2, a1
        li t0, 5
        bltu a0, t0, test_fail                  /* >= 4 nops + the read */
        li t0, 100
        bgeu a0, t0, test_fail
        rdinstret a1
        rdinstret a2
        bleu a2, a1, test_fail
        rdcycle a1
        nop
        rdcycle a2
        bleu a2, a1, test_fail
        csrr a1, mcycle
        csrr a2, mcycle
        bleu a2, a1, test_fail
test_51:        /* minstret is writable */
        TEST_NUM(51)
        li a1, 1000000
        csrw minstret, a1
        csrr a0, minstret
        sub a0, a0, a1
        li t0, 10
        bgeu a0, t0, test_fail
test_52:        /* mhpmcounter3 and its alias read 0 when no event is set */
        TEST_NUM(52)
        csrw mhpmevent3, zero
        csrr a0, mhpmcounter3
        CHECK_EQ(a0, 0)
        csrr a0, hpmcounter3
        CHECK_EQ(a0, 0)
#ifndef ISA_QEMU_SPIKE
test_53:        /* time advances (QEMU's spike board has no rdtime) */
        TEST_NUM(53)
        rdtime a1
        li t0, 20000
1:      addi t0, t0, -1
        bnez t0, 1b
        rdtime a2
        bleu a2, a1, test_fail
#endif

        /* ---- CSR privilege (§2.1 bits [9:8]) and mcounteren (§3.1.11) ---- */
test_60:
        TEST_NUM(60)
        csrw mcounteren, zero
        csrw scounteren, zero
        ENTER_S
        csrr a0, sscratch                       /* S CSR from S: fine */
        csrr a0, sstatus
        TEST_ILLEGAL(61, csrr a0, mscratch)
        TEST_ILLEGAL(62, csrr a0, mstatus)
        TEST_ILLEGAL(63, csrw mepc, a0)
        TEST_ILLEGAL(64, rdcycle a0)                /* mcounteren.CY = 0 */
        TEST_ILLEGAL(65, rdinstret a0)
        /* the trap came from S: MPP = S */
        LOAD_TRAP_FIELD(a0, TF_STATUS)
        srli a0, a0, 11
        andi a0, a0, 3
        CHECK_EQ(a0, PRV_S)
        GOTO_M
test_66:
        TEST_NUM(66)
        li t0, 0x5                              /* CY | IR */
        csrw mcounteren, t0
        ENTER_S
        rdcycle a1
        rdinstret a1
        TEST_ILLEGAL(67, rdtime a1)                 /* TM = 0 */
        /* U-mode also needs scounteren */
        ENTER_U_FROM_S
        TEST_ILLEGAL(68, rdcycle a0)
        TEST_ILLEGAL(69, csrr a0, sscratch)
        TEST_ILLEGAL(70, csrr a0, sstatus)
        TEST_ILLEGAL(71, csrr a0, mhartid)
        GOTO_M
test_72:
        TEST_NUM(72)
        csrwi scounteren, 0x1
        ENTER_U
        rdcycle a0
        TEST_ILLEGAL(73, rdinstret a0)              /* scounteren.IR = 0 */
        GOTO_M
        csrw mcounteren, zero
        csrw scounteren, zero
TEST_END
