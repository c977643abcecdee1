/* zbk.S — carry-less multiply and crypto bit manipulation: Zbc, Zbkb, Zbkc,
 * Zbkx.
 *
 * RISC-V Bit-Manipulation 1.0.0 §1.4 (Zbc: clmul, clmulh, clmulr) and
 * RISC-V Scalar Cryptography 1.0.0 §2.1-2.3 (Zbkb: pack, packh, packw,
 * brev8 — rev8/rol/ror/andn/orn/xnor are shared with Zbb, see zb.S; zip and
 * unzip are RV32-only; Zbkc: clmul, clmulh; Zbkx: xperm4, xperm8). The
 * expected values come from tests/isa/gen/ext_values.py (a reference model
 * written from those definitions): regenerate with
 *   python3 tests/isa/gen/ext_values.py zbk
 * zbk_off.S builds this file with -DEXT_OFF: on the default board, where
 * these extensions are disabled, every instruction must be illegal.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_zbc_zbkb_zbkc_zbkx
 * qemu-cpu: rv64,zbc=true,zbkb=true,zbkc=true,zbkx=true
 */
#include "test_macros.h"
        .option arch, +zbc, +zbkb, +zbkc, +zbkx

TEST_BEGIN

        /* clmul */
        EXT_RR(2, clmul, 0x0, 0x0, 0x0)
        EXT_RR(3, clmul, 0x1, 0x1, 0x1)
        EXT_RR(4, clmul, 0x5555555555555555, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(5, clmul, 0x8000000000000000, 0x8000000000000000, 0x3)
        EXT_RR(6, clmul, 0xa0789828c810f00, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(7, clmul, 0xcddb801309ea0d00, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(8, clmul, 0x22eff0c055af878, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(9, clmul, 0x40a0789828c810f0, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(10, clmul, 0x5555555555555555, 0xffffffff, 0xffffffff)
        EXT_RR(11, clmul, 0x4b4b4b4b4b4b4b4a, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(12, clmul, 0xcd91a3606a7ee8, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(13, clmul, 0xa9b49a2800efaa8a, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(14, clmul, 0x6b713c1499a27614, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(15, clmul, 0xa6631cc46e8492e6, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* clmulh */
        EXT_RR(16, clmulh, 0x0, 0x0, 0x0)
        EXT_RR(17, clmulh, 0x0, 0x1, 0x1)
        EXT_RR(18, clmulh, 0x5555555555555555, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(19, clmulh, 0x1, 0x8000000000000000, 0x3)
        EXT_RR(20, clmulh, 0xe038d8688850b04, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(21, clmulh, 0x21b84726985a6ce, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(22, clmulh, 0xefd2c077afa58, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(23, clmulh, 0xe038d8688850b0, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(24, clmulh, 0x0, 0xffffffff, 0xffffffff)
        EXT_RR(25, clmulh, 0x1, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(26, clmulh, 0x4119da8f8edb5841, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(27, clmulh, 0x15e5aab14e4dbfe4, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(28, clmulh, 0x9d61e32fc0a211, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(29, clmulh, 0x2528b3c5804ebb4e, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* clmulr */
        EXT_RR(30, clmulr, 0x0, 0x0, 0x0)
        EXT_RR(31, clmulr, 0x0, 0x1, 0x1)
        EXT_RR(32, clmulr, 0xaaaaaaaaaaaaaaaa, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(33, clmulr, 0x3, 0x8000000000000000, 0x3)
        EXT_RR(34, clmulr, 0x1c071b0d110a1608, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(35, clmulr, 0x43708e4d30b4d9d, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(36, clmulr, 0x1dfa580ef5f4b0, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(37, clmulr, 0x1c071b0d110a160, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(38, clmulr, 0x0, 0xffffffff, 0xffffffff)
        EXT_RR(39, clmulr, 0x2, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(40, clmulr, 0x8233b51f1db6b082, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(41, clmulr, 0x2bcb55629c9b7fc9, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(42, clmulr, 0x13ac3c65f814422, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(43, clmulr, 0x4a51678b009d769d, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* pack */
        EXT_RR(44, pack, 0x0, 0x0, 0x0)
        EXT_RR(45, pack, 0x100000001, 0x1, 0x1)
        EXT_RR(46, pack, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(47, pack, 0x300000000, 0x8000000000000000, 0x3)
        EXT_RR(48, pack, 0x765432109abcdef0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(49, pack, 0x3020100cafef00d, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(50, pack, 0xb0a090889abcdef, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(51, pack, 0x7654321089abcdef, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(52, pack, 0xffffffffffffffff, 0xffffffff, 0xffffffff)
        EXT_RR(53, pack, 0x2a5a5a5a5, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(54, pack, 0xb899fbe7c280c3f8, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(55, pack, 0x3524cd71ffe361ea, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(56, pack, 0xf52dc60baf8fad2c, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(57, pack, 0x455e1c354e19c63e, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* packh */
        EXT_RR(58, packh, 0x0, 0x0, 0x0)
        EXT_RR(59, packh, 0x101, 0x1, 0x1)
        EXT_RR(60, packh, 0xffff, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(61, packh, 0x300, 0x8000000000000000, 0x3)
        EXT_RR(62, packh, 0x10f0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(63, packh, 0xd, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(64, packh, 0x8ef, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(65, packh, 0x10ef, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(66, packh, 0xffff, 0xffffffff, 0xffffffff)
        EXT_RR(67, packh, 0x2a5, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(68, packh, 0xe7f8, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(69, packh, 0x71ea, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(70, packh, 0xb2c, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(71, packh, 0x353e, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* packw */
        EXT_RR(72, packw, 0x0, 0x0, 0x0)
        EXT_RR(73, packw, 0x10001, 0x1, 0x1)
        EXT_RR(74, packw, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(75, packw, 0x30000, 0x8000000000000000, 0x3)
        EXT_RR(76, packw, 0x3210def0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(77, packw, 0x100f00d, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(78, packw, 0x908cdef, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(79, packw, 0x3210cdef, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(80, packw, 0xffffffffffffffff, 0xffffffff, 0xffffffff)
        EXT_RR(81, packw, 0x2a5a5, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(82, packw, 0xfffffffffbe7c3f8, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(83, packw, 0xffffffffcd7161ea, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(84, packw, 0xffffffffc60bad2c, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(85, packw, 0x1c35c63e, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* xperm4 */
        EXT_RR(86, xperm4, 0x0, 0x0, 0x0)
        EXT_RR(87, xperm4, 0x1111111111111110, 0x1, 0x1)
        EXT_RR(88, xperm4, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(89, xperm4, 0x0, 0x8000000000000000, 0x3)
        EXT_RR(90, xperm4, 0x123456789abcdef0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(91, xperm4, 0xdcdadfdedfd0d0dd, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(92, xperm4, 0xf0f1f2f3f4f5f6f7, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(93, xperm4, 0x123456789abcdef, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(94, xperm4, 0xffffffff00000000, 0xffffffff, 0xffffffff)
        EXT_RR(95, xperm4, 0x5555555555555555, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(96, xperm4, 0x80802d8e2d88e2fc, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(97, xperm4, 0xf9ce16ec6e135cfe, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(98, xperm4, 0xcb237dba18da3fc3, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(99, xperm4, 0x494c3513911d3cc1, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* xperm8 */
        EXT_RR(100, xperm8, 0x0, 0x0, 0x0)
        EXT_RR(101, xperm8, 0x101010101010100, 0x1, 0x1)
        EXT_RR(102, xperm8, 0x0, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_RR(103, xperm8, 0x0, 0x8000000000000000, 0x3)
        EXT_RR(104, xperm8, 0x0, 0x123456789abcdef0, 0xfedcba9876543210)
        EXT_RR(105, xperm8, 0xdeadbeefcafef00d, 0xdeadbeefcafef00d, 0x706050403020100)
        EXT_RR(106, xperm8, 0x0, 0x123456789abcdef, 0xf0e0d0c0b0a0908)
        EXT_RR(107, xperm8, 0x0, 0x123456789abcdef, 0xfedcba9876543210)
        EXT_RR(108, xperm8, 0xffffffff00000000, 0xffffffff, 0xffffffff)
        EXT_RR(109, xperm8, 0xa5a5a5a5a5a5a5a5, 0xa5a5a5a5a5a5a5a5, 0x2)
        EXT_RR(110, xperm8, 0x0, 0xef8d2b8dc280c3f8, 0xd494b89fb899fbe7)
        EXT_RR(111, xperm8, 0x0, 0x6cc5c829ffe361ea, 0x68d52f5e3524cd71)
        EXT_RR(112, xperm8, 0x0, 0x11a337b1af8fad2c, 0x91ca297f52dc60b)
        EXT_RR(113, xperm8, 0x0, 0xcd3c09354e19c63e, 0x7473985d455e1c35)
        /* brev8 */
        EXT_R(114, brev8, 0x0, 0x0)
        EXT_R(115, brev8, 0x80, 0x1)
        EXT_R(116, brev8, 0xffffffffffffffff, 0xffffffffffffffff)
        EXT_R(117, brev8, 0x100000000000000, 0x8000000000000000)
        EXT_R(118, brev8, 0x482c6a1e593d7b0f, 0x123456789abcdef0)
        EXT_R(119, brev8, 0x7bb57df7537f0fb0, 0xdeadbeefcafef00d)
        EXT_R(120, brev8, 0x80c4a2e691d5b3f7, 0x123456789abcdef)
        EXT_R(121, brev8, 0x80c4a2e691d5b3f7, 0x123456789abcdef)
        EXT_R(122, brev8, 0xffffffff, 0xffffffff)
        EXT_R(123, brev8, 0xa5a5a5a5a5a5a5a5, 0xa5a5a5a5a5a5a5a5)
        EXT_R(124, brev8, 0xf7b1d4b14301c31f, 0xef8d2b8dc280c3f8)
        EXT_R(125, brev8, 0x36a31394ffc78657, 0x6cc5c829ffe361ea)
        EXT_R(126, brev8, 0x88c5ec8df5f1b534, 0x11a337b1af8fad2c)
        EXT_R(127, brev8, 0xb33c90ac7298637c, 0xcd3c09354e19c63e)

        /* rd = x0 writes nothing; rd == rs1 */
#ifndef EXT_OFF
        TEST_CASE(200, a0, 0x55, li a0, 0x55; li a1, 3; li a2, 7; clmul zero, a1, a2; mv a0, a0)
        TEST_CASE(201, a1, 0x0000000700000003, li a1, 3; li a2, 7; pack a1, a1, a2)
        TEST_CASE(202, a1, 0xffffffff80000001, li a1, 1; li a2, 0x8000; packw a1, a1, a2)
#endif

TEST_END
