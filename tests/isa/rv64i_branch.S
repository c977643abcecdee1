/* rv64i_branch.S — RV64I control transfer: conditional branches, JAL, JALR.
 *
 * Unprivileged spec 20191213 §2.5: branch target = pc + sign-extended
 * offset; JAL/JALR write pc+4 to rd; JALR target = (rs1 + imm) with bit 0
 * cleared; x0 as rd discards the link.  Every instruction here is a
 * 4-byte encoding (.option norvc); compressed forms are in rv64c.S.
 */
#include "test_macros.h"

/* branch must be taken: forward, and (second part) backward */
#define TEST_BR_TAKEN(n, inst, v1, v2)                                  \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        li a1, v1; li a2, v2;                                           \
        inst a1, a2, 1f;                                                \
        j test_fail;                                                    \
1:      j 3f;                                                           \
2:      j 4f;                                                           \
        j test_fail;                                                    \
3:      inst a1, a2, 2b;                                                \
        j test_fail;                                                    \
4:      CHECK_EQ(a1, v1); CHECK_EQ(a2, v2)

/* branch must fall through (both directions) */
#define TEST_BR_NOT_TAKEN(n, inst, v1, v2)                              \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        li a1, v1; li a2, v2;                                           \
        j 2f;                                                           \
1:      j test_fail;                                                    \
2:      inst a1, a2, 1b;                                                \
        inst a1, a2, 3f;                                                \
        j 4f;                                                           \
3:      j test_fail;                                                    \
4:      CHECK_EQ(a1, v1); CHECK_EQ(a2, v2)

TEST_BEGIN
        .option norvc

        /* BEQ / BNE */
        TEST_BR_TAKEN(2, beq, 0, 0)
        TEST_BR_TAKEN(3, beq, 1, 1)
        TEST_BR_TAKEN(4, beq, -1, -1)
        TEST_BR_TAKEN(5, beq, 0x8000000000000000, 0x8000000000000000)
        TEST_BR_NOT_TAKEN(6, beq, 0, 1)
        TEST_BR_NOT_TAKEN(7, beq, 1, 0)
        TEST_BR_NOT_TAKEN(8, beq, -1, 1)
        TEST_BR_NOT_TAKEN(9, beq, 0x100000000, 0)   /* upper half matters */
        TEST_BR_TAKEN(10, bne, 0, 1)
        TEST_BR_TAKEN(11, bne, 1, 0)
        TEST_BR_TAKEN(12, bne, -1, 1)
        TEST_BR_TAKEN(13, bne, 0x100000000, 0)
        TEST_BR_NOT_TAKEN(14, bne, 0, 0)
        TEST_BR_NOT_TAKEN(15, bne, 1, 1)
        TEST_BR_NOT_TAKEN(16, bne, -1, -1)

        /* BLT / BGE: signed */
        TEST_BR_TAKEN(17, blt, 0, 1)
        TEST_BR_TAKEN(18, blt, -1, 1)
        TEST_BR_TAKEN(19, blt, -2, -1)
        TEST_BR_TAKEN(20, blt, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_BR_TAKEN(21, blt, 0x8000000000000000, 0)
        TEST_BR_NOT_TAKEN(22, blt, 1, 0)
        TEST_BR_NOT_TAKEN(23, blt, 1, -1)
        TEST_BR_NOT_TAKEN(24, blt, -1, -2)
        TEST_BR_NOT_TAKEN(25, blt, 5, 5)
        TEST_BR_NOT_TAKEN(26, blt, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_BR_TAKEN(27, bge, 0, 0)
        TEST_BR_TAKEN(28, bge, 1, 0)
        TEST_BR_TAKEN(29, bge, -1, -2)
        TEST_BR_TAKEN(30, bge, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_BR_TAKEN(31, bge, -1, -1)
        TEST_BR_NOT_TAKEN(32, bge, 0, 1)
        TEST_BR_NOT_TAKEN(33, bge, -1, 1)
        TEST_BR_NOT_TAKEN(34, bge, 0x8000000000000000, 0x7fffffffffffffff)

        /* BLTU / BGEU: unsigned */
        TEST_BR_TAKEN(35, bltu, 0, 1)
        TEST_BR_TAKEN(36, bltu, 1, -1)
        TEST_BR_TAKEN(37, bltu, -2, -1)
        TEST_BR_TAKEN(38, bltu, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_BR_NOT_TAKEN(39, bltu, -1, 1)
        TEST_BR_NOT_TAKEN(40, bltu, 1, 0)
        TEST_BR_NOT_TAKEN(41, bltu, 7, 7)
        TEST_BR_NOT_TAKEN(42, bltu, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_BR_TAKEN(43, bgeu, 0, 0)
        TEST_BR_TAKEN(44, bgeu, -1, 1)
        TEST_BR_TAKEN(45, bgeu, -1, -2)
        TEST_BR_TAKEN(46, bgeu, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_BR_NOT_TAKEN(47, bgeu, 1, -1)
        TEST_BR_NOT_TAKEN(48, bgeu, 0, 1)
        TEST_BR_NOT_TAKEN(49, bgeu, 0x7fffffffffffffff, 0x8000000000000000)

        /* comparisons against x0 (beqz/bnez/bltz/bgez/blez/bgtz) */
test_50:
        TEST_NUM(50)
        li a1, -5
        beqz a1, 9f
        bgez a1, 9f
        bgtz a1, 9f
        bnez a1, 1f
        j test_fail
1:      bltz a1, 1f
        j test_fail
1:      blez a1, 1f
        j test_fail
1:      bgeu x0, a1, 9f    /* 0 >= huge unsigned: false */
        bltu x0, a1, 1f
9:      j test_fail
1:

        /* branch with the longest forward/backward reach (+4094 / -4096) */
test_51:
        TEST_NUM(51)
        li a1, 1
        beq a1, a1, 2f          /* forward ~4 KiB */
        j test_fail
1:      j 3f                    /* backward target */
        .skip 4080
2:      beq a1, a1, 1b          /* backward ~4 KiB */
        j test_fail
3:

        /* JAL: rd = pc + 4, target = pc + offset */
        TEST_CASE(52, a0, 0, la a2, 1f; jal a1, 2f; 1: j test_fail; 2: sub a0, a1, a2)
        TEST_CASE(53, a0, 0, la a2, 1f; jal ra, 2f; 1: j test_fail; 2: sub a0, ra, a2)
test_54:        /* jal x0 (j) leaves x0 zero; backward jal */
        TEST_NUM(54)
        li a0, 0
        j 2f
1:      addi a0, a0, 1
        j 3f
2:      jal x0, 1b
        j test_fail
3:      CHECK_EQ(a0, 1)
test_55:        /* jal over 64 KiB forward and back */
        TEST_NUM(55)
        jal a1, 2f
1:      j 3f
        .skip 65536
2:      la a2, 1b
        CHECK_REG_EQ(a1, a2)
        jal a3, 1b
4:      j test_fail
3:      la a2, 4b
        CHECK_REG_EQ(a3, a2)

        /* JALR: target (rs1 + imm) & ~1, rd = pc + 4 */
        TEST_CASE(56, a0, 0, la t0, 2f; la a2, 1f; jalr a1, 0(t0); 1: j test_fail; 2: sub a0, a1, a2)
        TEST_CASE(57, a0, 0, la t0, 2f; addi t0, t0, -16; la a2, 1f; jalr a1, 16(t0); 1: j test_fail; 2: sub a0, a1, a2)
        TEST_CASE(58, a0, 0, la t0, 2f; addi t0, t0, 2000; la a2, 1f; jalr a1, -2000(t0); 1: j test_fail; 2: sub a0, a1, a2)
        /* bit 0 of the target is cleared (no misaligned-fetch trap) */
        TEST_CASE(59, a0, 0, la t0, 2f; addi t0, t0, 1; la a2, 1f; jalr a1, 0(t0); 1: j test_fail; 2: sub a0, a1, a2)
        TEST_CASE(60, a0, 0, la t0, 2f; la a2, 1f; jalr a1, 1(t0); 1: j test_fail; 2: sub a0, a1, a2)
        TEST_CASE(61, a0, 0, la t0, 2f; addi t0, t0, -3; la a2, 1f; jalr a1, 3(t0); 1: j test_fail; 2: sub a0, a1, a2)
        /* rd == rs1: the target uses the old value */
        TEST_CASE(62, a0, 0, la a1, 2f; la a2, 1f; jalr a1, 0(a1); 1: j test_fail; 2: sub a0, a1, a2)
        /* rd = x0: plain indirect jump */
        TEST_CASE(63, a0, 7, li a0, 7; la t0, 2f; jalr x0, 0(t0); j test_fail; 2: nop)
        /* call/ret through ra */
        TEST_CASE(64, a0, 12, li a0, 5; call add_seven; nop)
        /* nested calls with a saved link register */
        TEST_CASE(65, a0, 19, li a0, 5; call add_seven_twice; nop)

        /* registers other than rd are unchanged by jumps */
        TEST_CASE(66, a2, 0x1234, li a2, 0x1234; la t0, 1f; jalr a1, 0(t0); 1: nop)
TEST_END

        .text
add_seven:
        addi a0, a0, 7
        ret
add_seven_twice:
        addi sp, sp, -16
        sd ra, 8(sp)
        call add_seven
        call add_seven
        ld ra, 8(sp)
        addi sp, sp, 16
        jalr x0, 0(ra)
