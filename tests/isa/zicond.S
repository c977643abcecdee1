/* zicond.S — integer conditional operations, Zicond 1.0.0:
 *   czero.eqz rd, rs1, rs2   rd = (rs2 == 0) ? 0 : rs1
 *   czero.nez rd, rs1, rs2   rd = (rs2 != 0) ? 0 : rs1
 * (OP opcode, funct7 0000111, funct3 101 / 111). binutils 2.40 has no
 * Zicond mnemonics, so the macros below emit the encodings with .insn.
 * Values: tests/isa/gen/ext_values.py zicond. zicond_off.S: the same on
 * the default board, where Zicond is disabled (illegal instruction).
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_zicond
 * qemu-skip: QEMU 7.2 has no Zicond
 */
#include "test_macros.h"

        .macro CZERO_EQZ rd, rs1, rs2
        .insn r 0x33, 5, 0x07, \rd, \rs1, \rs2
        .endm
        .macro CZERO_NEZ rd, rs1, rs2
        .insn r 0x33, 7, 0x07, \rd, \rs1, \rs2
        .endm

TEST_BEGIN

        EXT_RR(2, CZERO_EQZ, 0x0, 0x0, 0x0)
        EXT_RR(3, CZERO_EQZ, 0x1, 0x1, 0x1)
        EXT_RR(4, CZERO_EQZ, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(5, CZERO_EQZ, 0x8000000000000000, 0x8000000000000000, 0x3)
        EXT_RR(6, CZERO_EQZ, 0x123456789abcdef0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(7, CZERO_EQZ, 0xdeadbeefcafef00d, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(8, CZERO_EQZ, 0x123456789abcdef, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(9, CZERO_EQZ, 0x123456789abcdef, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(10, CZERO_EQZ, 0x0, 0x5, 0x0)
        EXT_RR(11, CZERO_EQZ, 0x0, 0x8000000000000000, 0x0)
        EXT_RR(12, CZERO_EQZ, 0x0, 0x0, 0x7)
        EXT_RR(13, CZERO_NEZ, 0x0, 0x0, 0x0)
        EXT_RR(14, CZERO_NEZ, 0x0, 0x1, 0x1)
        EXT_RR(15, CZERO_NEZ, 0x0, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(16, CZERO_NEZ, 0x0, 0x8000000000000000, 0x3)
        EXT_RR(17, CZERO_NEZ, 0x0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(18, CZERO_NEZ, 0x0, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(19, CZERO_NEZ, 0x0, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(20, CZERO_NEZ, 0x0, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(21, CZERO_NEZ, 0x5, 0x5, 0x0)
        EXT_RR(22, CZERO_NEZ, 0x8000000000000000, 0x8000000000000000, 0x0)
        EXT_RR(23, CZERO_NEZ, 0x0, 0x0, 0x7)

#ifndef EXT_OFF
        /* rd = x0 writes nothing; rd == rs1; rd == rs2; rs2 = x0 (always 0 / always rs1) */
        TEST_CASE(100, a0, 0x55, li a0, 0x55; li a1, 3; li a2, 7; CZERO_EQZ zero, a1, a2; mv a0, a0)
        TEST_CASE(101, a1, 3, li a1, 3; li a2, 7; CZERO_EQZ a1, a1, a2)
        TEST_CASE(102, a2, 0, li a1, 3; li a2, 7; CZERO_NEZ a2, a1, a2)
        TEST_CASE(103, a0, 0, li a1, 3; CZERO_EQZ a0, a1, zero)
        TEST_CASE(104, a0, 3, li a1, 3; CZERO_NEZ a0, a1, zero)
        /* a select: a0 = cond ? x : y  =  czero.eqz(x, cond) | czero.nez(y, cond) */
        TEST_CASE(105, a0, 0x1111, li a1, 0x1111; li a2, 0x2222; li a3, 9;
                  CZERO_EQZ a4, a1, a3; CZERO_NEZ a5, a2, a3; or a0, a4, a5)
        TEST_CASE(106, a0, 0x2222, li a1, 0x1111; li a2, 0x2222; li a3, 0;
                  CZERO_EQZ a4, a1, a3; CZERO_NEZ a5, a2, a3; or a0, a4, a5)
        /* in U-mode too (an unprivileged instruction) */
        ENTER_U
        TEST_CASE(107, a0, 0x77, li a1, 0x77; li a2, -1; CZERO_EQZ a0, a1, a2)
        GOTO_M
#else
        ENTER_U
        TEST_ILLEGAL(107, CZERO_EQZ a0, a1, a2)
        GOTO_M
#endif

TEST_END
