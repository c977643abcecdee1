/* zawrs.S — wait-on-reservation-set, Zawrs 1.01 (unprivileged ISA):
 *   wrs.nto   SYSTEM, funct12 0x00d, rs1 = rd = 0   (0x00d00073)
 *   wrs.sto   SYSTEM, funct12 0x01d, rs1 = rd = 0   (0x01d00073)
 * "While stalled, an implementation is permitted to occasionally terminate
 * the stall and complete execution for any reason": hvsim ends the stall at
 * once, so both retire like no-ops (with or without a reservation) and,
 * completing within any time limit, never raise the illegal-instruction
 * exception mstatus.TW allows for a wrs.nto below M (docs/riscv.md). A
 * polling loop built from them still terminates when another agent (here:
 * the same hart through an interrupt-free store) changes the location.
 * zawrs_off.S: the same on the default board, where both are illegal.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_zawrs
 * qemu-skip: QEMU 7.2 has no Zawrs
 */
#include "test_macros.h"

#define WRS_NTO .word 0x00d00073
#define WRS_STO .word 0x01d00073

TEST_BEGIN
#ifdef EXT_OFF
        TEST_ILLEGAL(2, WRS_NTO)
        TEST_ILLEGAL(3, WRS_STO)
        ENTER_S
        TEST_ILLEGAL(4, WRS_NTO)
        GOTO_M
#else
        /* M-mode, after an LR (a valid reservation set), and without one */
        TEST_CASE(2, a0, 0x11, la a1, flag; lr.d a2, (a1); li a0, 0x11; WRS_NTO)
        TEST_CASE(3, a0, 0x12, la a1, flag; lr.d a2, (a1); li a0, 0x12; WRS_STO)
        TEST_CASE(4, a0, 0x13, li a0, 0x13; WRS_NTO; WRS_STO)
        /* the reservation survives the wait: sc.d still succeeds */
        TEST_CASE(5, a0, 0, la a1, flag; lr.d a2, (a1); WRS_NTO; sc.d a0, a2, (a1))
        /* a polling loop: lr; bnez -> done; wrs.sto; retry (the value
         * changes after three rounds through a counter in the loop) */
test_6:
        TEST_NUM(6)
        la a1, flag
        sd zero, 0(a1)
        li a3, 0
1:      lr.d a2, (a1)
        bnez a2, 2f
        WRS_STO
        addi a3, a3, 1
        li t0, 3
        bne a3, t0, 1b
        li t0, 1
        sd t0, 0(a1)
        j 1b
2:      CHECK_EQ(a3, 3)
        /* with mstatus.TW = 1: S and U still complete (no trap) */
        li t0, MSTATUS_TW
        csrs mstatus, t0
        ENTER_S
        TEST_CASE(7, a0, 0x21, li a0, 0x21; WRS_NTO; WRS_STO)
        GOTO_M
        ENTER_U
        TEST_CASE(8, a0, 0x22, li a0, 0x22; WRS_NTO; WRS_STO)
        GOTO_M
        /* WFI under the same TW = 1 does trap in S (the control) */
        ENTER_S
        TEST_ILLEGAL(9, wfi)
        GOTO_M
        li t0, MSTATUS_TW
        csrc mstatus, t0
#endif
TEST_END

        .data
        .balign 8
flag:   .dword 0
