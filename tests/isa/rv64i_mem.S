/* rv64i_mem.S — RV64I loads and stores.
 *
 * Unprivileged spec 20191213 §2.6 (load/store: effective address rs1 +
 * sign-extended imm, LB/LH/LW sign-extend, LBU/LHU zero-extend, stores
 * write the low bytes of rs2), §5.3 (RV64: LD, LWU, SD).  Memory is
 * little-endian (§1.4).
 *
 * §2.6 lets an EEI handle misaligned accesses in hardware; hvsim does (no
 * trap, byte-wise little-endian result, also across page boundaries).
 * Those checks are under HVSIM_MISALIGNED_OK (defined by test_macros.h
 * unless HVSIM_MISALIGNED_TRAPS is given).
 */
#include "test_macros.h"

/* sbuf is 3 dwords of 0xaa; store val at sbuf+8+off; check all 3 dwords */
#define TEST_ST(n, inst, val, off, d0, d1, d2)                          \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        la a1, sbuf; li t0, 0xaaaaaaaaaaaaaaaa;                         \
        sd t0, 0(a1); sd t0, 8(a1); sd t0, 16(a1);                      \
        li a2, val;                                                     \
        inst a2, 8+(off)(a1);                                           \
        ld a0, 0(a1);  CHECK_EQ(a0, d0);                                \
        ld a0, 8(a1);  CHECK_EQ(a0, d1);                                \
        ld a0, 16(a1); CHECK_EQ(a0, d2);                                \
        CHECK_EQ(a2, val)

TEST_BEGIN
        /* aligned loads of every width, sign- and zero-extension (§2.6, §5.3) */
        TEST_LOAD(2, lb, 0x12, 0, ldata)
        TEST_LOAD(3, lb, 0x34, 1, ldata)
        TEST_LOAD(4, lb, 0xffffffffffffff9a, 4, ldata)
        TEST_LOAD(5, lb, 0xffffffffffffffef, 8, ldata)
        TEST_LOAD(6, lb, 0x67, 12, ldata)
        TEST_LOAD(7, lb, 0xffffffffffffff80, 16, ldata)
        TEST_LOAD(8, lb, 0, 20, ldata)
        TEST_LOAD(9, lb, 0x7f, 24, ldata)
        TEST_LOAD(10, lb, 0x7f, 31, ldata)
        TEST_LOAD(11, lbu, 0x12, 0, ldata)
        TEST_LOAD(12, lbu, 0x34, 1, ldata)
        TEST_LOAD(13, lbu, 0x9a, 4, ldata)
        TEST_LOAD(14, lbu, 0xef, 8, ldata)
        TEST_LOAD(15, lbu, 0x67, 12, ldata)
        TEST_LOAD(16, lbu, 0x80, 16, ldata)
        TEST_LOAD(17, lbu, 0, 20, ldata)
        TEST_LOAD(18, lbu, 0x7f, 24, ldata)
        TEST_LOAD(19, lbu, 0x7f, 31, ldata)
        TEST_LOAD(20, lh, 0x3412, 0, ldata)
        TEST_LOAD(21, lh, 0x7856, 2, ldata)
        TEST_LOAD(22, lh, 0xffffffffffffbc9a, 4, ldata)
        TEST_LOAD(23, lh, 0xffffffffffffcdef, 8, ldata)
        TEST_LOAD(24, lh, 0x4567, 12, ldata)
        TEST_LOAD(25, lh, 0xffffffffffff8080, 16, ldata)
        TEST_LOAD(26, lh, 0, 20, ldata)
        TEST_LOAD(27, lh, 0x7f7f, 24, ldata)
        TEST_LOAD(28, lh, 0x7fff, 30, ldata)
        TEST_LOAD(29, lhu, 0x3412, 0, ldata)
        TEST_LOAD(30, lhu, 0x7856, 2, ldata)
        TEST_LOAD(31, lhu, 0xbc9a, 4, ldata)
        TEST_LOAD(32, lhu, 0xcdef, 8, ldata)
        TEST_LOAD(33, lhu, 0x4567, 12, ldata)
        TEST_LOAD(34, lhu, 0x8080, 16, ldata)
        TEST_LOAD(35, lhu, 0, 20, ldata)
        TEST_LOAD(36, lhu, 0x7f7f, 24, ldata)
        TEST_LOAD(37, lhu, 0x7fff, 30, ldata)
        TEST_LOAD(38, lw, 0x78563412, 0, ldata)
        TEST_LOAD(39, lw, 0xfffffffff0debc9a, 4, ldata)
        TEST_LOAD(40, lw, 0xffffffff89abcdef, 8, ldata)
        TEST_LOAD(41, lw, 0x1234567, 12, ldata)
        TEST_LOAD(42, lw, 0xffffffff80008080, 16, ldata)
        TEST_LOAD(43, lw, 0xffffffff80000000, 20, ldata)
        TEST_LOAD(44, lw, 0x7fff7f7f, 24, ldata)
        TEST_LOAD(45, lw, 0x7fffffff, 28, ldata)
        TEST_LOAD(46, lwu, 0x78563412, 0, ldata)
        TEST_LOAD(47, lwu, 0xf0debc9a, 4, ldata)
        TEST_LOAD(48, lwu, 0x89abcdef, 8, ldata)
        TEST_LOAD(49, lwu, 0x1234567, 12, ldata)
        TEST_LOAD(50, lwu, 0x80008080, 16, ldata)
        TEST_LOAD(51, lwu, 0x80000000, 20, ldata)
        TEST_LOAD(52, lwu, 0x7fff7f7f, 24, ldata)
        TEST_LOAD(53, lwu, 0x7fffffff, 28, ldata)
        TEST_LOAD(54, ld, 0xf0debc9a78563412, 0, ldata)
        TEST_LOAD(55, ld, 0x123456789abcdef, 8, ldata)
        TEST_LOAD(56, ld, 0x8000000080008080, 16, ldata)
        TEST_LOAD(57, ld, 0x7fffffff7fff7f7f, 24, ldata)
        /* negative offsets */
        TEST_LOAD(58, lb, 0x7f, -1, ldata_end)
        TEST_LOAD(59, lbu, 0x7f, -1, ldata_end)
        TEST_LOAD(60, lh, 0x7fff, -2, ldata_end)
        TEST_LOAD(61, lhu, 0x7fff, -6, ldata_end)
        TEST_LOAD(62, lw, 0x7fffffff, -4, ldata_end)
        TEST_LOAD(63, lwu, 0x7fffffff, -4, ldata_end)
        TEST_LOAD(64, ld, 0x7fffffff7fff7f7f, -8, ldata_end)
        TEST_LOAD(65, ld, 0x8000000080008080, -16, ldata_end)

        /* rd == rs1, rd == x0 (load still performed, result discarded) */
        TEST_CASE(80, a1, 0x0123456789abcdef, la a1, ldata; ld a1, 8(a1))
        TEST_CASE(81, x0, 0, la a1, ldata; ld x0, 0(a1))
        TEST_CASE(82, a0, 0xffffffffffff8080, la a1, ldata; addi a1, a1, 2047; lh a0, 16-2047(a1))

        /* stores of every width: only the addressed bytes change */
        TEST_ST(100, sb, 0x123456789abcdef, 0, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaef, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(101, sb, 0x123456789abcdef, 1, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaefaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(102, sb, 0xfedcba9876543210, -1, 0x10aaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(103, sb, 0x123456789abcdef, 7, 0xaaaaaaaaaaaaaaaa, 0xefaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(104, sh, 0x123456789abcdef, 0, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaacdef, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(105, sh, 0x123456789abcdef, 2, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaacdefaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(106, sh, 0xfedcba9876543210, -2, 0x3210aaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(107, sh, 0x123456789abcdef, 6, 0xaaaaaaaaaaaaaaaa, 0xcdefaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(108, sw, 0x123456789abcdef, 0, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaa89abcdef, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(109, sw, 0x123456789abcdef, 4, 0xaaaaaaaaaaaaaaaa, 0x89abcdefaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(110, sw, 0xfedcba9876543210, -4, 0x76543210aaaaaaaa, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(111, sw, 0x123456789abcdef, 4, 0xaaaaaaaaaaaaaaaa, 0x89abcdefaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(112, sd, 0x123456789abcdef, 0, 0xaaaaaaaaaaaaaaaa, 0x123456789abcdef, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(113, sd, 0x123456789abcdef, 8, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa, 0x123456789abcdef)
        TEST_ST(114, sd, 0xfedcba9876543210, -8, 0xfedcba9876543210, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(115, sd, 0x123456789abcdef, 0, 0xaaaaaaaaaaaaaaaa, 0x123456789abcdef, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(116, sb, 0x80, 3, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaa80aaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(117, sh, 0x8000, 6, 0xaaaaaaaaaaaaaaaa, 0x8000aaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(118, sw, 0xffffffffffffffff, 4, 0xaaaaaaaaaaaaaaaa, 0xffffffffaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(119, sd, 0, 0, 0xaaaaaaaaaaaaaaaa, 0, 0xaaaaaaaaaaaaaaaa)

        /* store then load of other widths at the same address */
test_130:
        TEST_NUM(130)
        la a1, sbuf
        li t0, 0x1122334455667788
        sd t0, 0(a1)
        lbu a0, 7(a1);  CHECK_EQ(a0, 0x11)
        lhu a0, 2(a1);  CHECK_EQ(a0, 0x5566)
        lw a0, 4(a1);   CHECK_EQ(a0, 0x11223344)
        li t0, 0xfe
        sb t0, 5(a1)
        lw a0, 4(a1);   CHECK_EQ(a0, 0x1122fe44)
        lh a0, 4(a1);   CHECK_EQ(a0, 0xfffffffffffffe44)
        ld a0, 0(a1);   CHECK_EQ(a0, 0x1122fe4455667788)
        /* the base register is not modified by a store */
        la a2, sbuf
        CHECK_REG_EQ(a1, a2)

#ifdef HVSIM_MISALIGNED_OK
        /* misaligned loads (§2.6: handled by the execution environment) */
        TEST_LOAD(400, lh, 0x5634, 1, ldata)
        TEST_LOAD(401, lh, 0xffffffffffff9a78, 3, ldata)
        TEST_LOAD(402, lh, 0xffffffffffffdebc, 5, ldata)
        TEST_LOAD(403, lh, 0xffffffffffffeff0, 7, ldata)
        TEST_LOAD(404, lh, 0xffffffffffffabcd, 9, ldata)
        TEST_LOAD(405, lh, 0xffffffffffff8001, 15, ldata)
        TEST_LOAD(406, lh, 0x7f80, 23, ldata)
        TEST_LOAD(407, lhu, 0x5634, 1, ldata)
        TEST_LOAD(408, lhu, 0x9a78, 3, ldata)
        TEST_LOAD(409, lhu, 0xdebc, 5, ldata)
        TEST_LOAD(410, lhu, 0xeff0, 7, ldata)
        TEST_LOAD(411, lhu, 0xabcd, 9, ldata)
        TEST_LOAD(412, lhu, 0x8001, 15, ldata)
        TEST_LOAD(413, lhu, 0x7f80, 23, ldata)
        TEST_LOAD(414, lw, 0xffffffff9a785634, 1, ldata)
        TEST_LOAD(415, lw, 0xffffffffdebc9a78, 3, ldata)
        TEST_LOAD(416, lw, 0xffffffffeff0debc, 5, ldata)
        TEST_LOAD(417, lw, 0xffffffffabcdeff0, 7, ldata)
        TEST_LOAD(418, lw, 0x6789abcd, 9, ldata)
        TEST_LOAD(419, lw, 0x808001, 15, ldata)
        TEST_LOAD(420, lw, 0xffffffffff7f7f80, 23, ldata)
        TEST_LOAD(421, lwu, 0x9a785634, 1, ldata)
        TEST_LOAD(422, lwu, 0xdebc9a78, 3, ldata)
        TEST_LOAD(423, lwu, 0xeff0debc, 5, ldata)
        TEST_LOAD(424, lwu, 0xabcdeff0, 7, ldata)
        TEST_LOAD(425, lwu, 0x6789abcd, 9, ldata)
        TEST_LOAD(426, lwu, 0x808001, 15, ldata)
        TEST_LOAD(427, lwu, 0xff7f7f80, 23, ldata)
        TEST_LOAD(428, ld, 0xeff0debc9a785634, 1, ldata)
        TEST_LOAD(429, ld, 0xabcdeff0debc9a78, 3, ldata)
        TEST_LOAD(430, ld, 0x6789abcdeff0debc, 5, ldata)
        TEST_LOAD(431, ld, 0x23456789abcdeff0, 7, ldata)
        TEST_LOAD(432, ld, 0x800123456789abcd, 9, ldata)
        TEST_LOAD(433, ld, 0x8000808001, 15, ldata)
        TEST_LOAD(434, ld, 0xffffff7fff7f7f80, 23, ldata)

        /* misaligned stores */
        TEST_ST(450, sh, 0x8877665544332211, 1, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaa2211aa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(451, sh, 0x8877665544332211, 3, 0xaaaaaaaaaaaaaaaa, 0xaaaaaa2211aaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(452, sh, 0x8877665544332211, 5, 0xaaaaaaaaaaaaaaaa, 0xaa2211aaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(453, sh, 0x8877665544332211, 7, 0xaaaaaaaaaaaaaaaa, 0x11aaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaa22)
        TEST_ST(454, sh, 0x8877665544332211, -1, 0x11aaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaa22, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(455, sh, 0x8877665544332211, -3, 0xaa2211aaaaaaaaaa, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(456, sw, 0x8877665544332211, 1, 0xaaaaaaaaaaaaaaaa, 0xaaaaaa44332211aa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(457, sw, 0x8877665544332211, 3, 0xaaaaaaaaaaaaaaaa, 0xaa44332211aaaaaa, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(458, sw, 0x8877665544332211, 5, 0xaaaaaaaaaaaaaaaa, 0x332211aaaaaaaaaa, 0xaaaaaaaaaaaaaa44)
        TEST_ST(459, sw, 0x8877665544332211, 7, 0xaaaaaaaaaaaaaaaa, 0x11aaaaaaaaaaaaaa, 0xaaaaaaaaaa443322)
        TEST_ST(460, sw, 0x8877665544332211, -1, 0x11aaaaaaaaaaaaaa, 0xaaaaaaaaaa443322, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(461, sw, 0x8877665544332211, -3, 0x332211aaaaaaaaaa, 0xaaaaaaaaaaaaaa44, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(462, sw, 0x8877665544332211, 6, 0xaaaaaaaaaaaaaaaa, 0x2211aaaaaaaaaaaa, 0xaaaaaaaaaaaa4433)
        TEST_ST(463, sd, 0x8877665544332211, 1, 0xaaaaaaaaaaaaaaaa, 0x77665544332211aa, 0xaaaaaaaaaaaaaa88)
        TEST_ST(464, sd, 0x8877665544332211, 3, 0xaaaaaaaaaaaaaaaa, 0x5544332211aaaaaa, 0xaaaaaaaaaa887766)
        TEST_ST(465, sd, 0x8877665544332211, 5, 0xaaaaaaaaaaaaaaaa, 0x332211aaaaaaaaaa, 0xaaaaaa8877665544)
        TEST_ST(466, sd, 0x8877665544332211, 7, 0xaaaaaaaaaaaaaaaa, 0x11aaaaaaaaaaaaaa, 0xaa88776655443322)
        TEST_ST(467, sd, 0x8877665544332211, -1, 0x11aaaaaaaaaaaaaa, 0xaa88776655443322, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(468, sd, 0x8877665544332211, -3, 0x332211aaaaaaaaaa, 0xaaaaaa8877665544, 0xaaaaaaaaaaaaaaaa)
        TEST_ST(469, sd, 0x8877665544332211, 6, 0xaaaaaaaaaaaaaaaa, 0x2211aaaaaaaaaaaa, 0xaaaa887766554433)

        /* misaligned accesses crossing a 4 KiB page boundary */
test_480:
        TEST_NUM(480)
        la a1, xpage
        li t1, 4088
        add a1, a1, t1              /* a1 = page boundary - 8 */
        li t0, 0x1122334455667788
        sd t0, 0(a1)
        li t0, 0x99aabbccddeeff00
        sd t0, 8(a1)
        ld a0, 5(a1);   CHECK_EQ(a0, 0xccddeeff00112233)
        lw a0, 6(a1);   CHECK_EQ(a0, 0xffffffffff001122)
        lwu a0, 6(a1);  CHECK_EQ(a0, 0xff001122)
        lh a0, 7(a1);   CHECK_EQ(a0, 0x0011)
        lhu a0, 7(a1);  CHECK_EQ(a0, 0x0011)
        li t0, 0x0102030405060708
        sd t0, 4(a1)
        ld a0, 0(a1);   CHECK_EQ(a0, 0x0506070855667788)
        ld a0, 8(a1);   CHECK_EQ(a0, 0x99aabbcc01020304)
        li t0, 0xdeadbeef
        sw t0, 6(a1)
        ld a0, 0(a1);   CHECK_EQ(a0, 0xbeef070855667788)
        ld a0, 8(a1);   CHECK_EQ(a0, 0x99aabbcc0102dead)
        li t0, 0x4321
        sh t0, 7(a1)
        ld a0, 0(a1);   CHECK_EQ(a0, 0x21ef070855667788)
        ld a0, 8(a1);   CHECK_EQ(a0, 0x99aabbcc0102de43)
#endif
TEST_END

        .data
        .balign 8
ldata:
        .dword 0xf0debc9a78563412
        .dword 0x0123456789abcdef
        .dword 0x8000000080008080
        .dword 0x7fffffff7fff7f7f
ldata_end:
sbuf:   .skip 24

        .bss
        .balign 4096
xpage:  .skip 8192
