/* rv64a.S — A extension: LR/SC and AMOs.
 *
 * Unprivileged spec 20191213 chapter 8: LR/SC (§8.2: SC writes 0 on
 * success, non-zero on failure; any SC invalidates the reservation; SC to an
 * address outside the reservation set fails), AMOs (§8.4: rd = old memory
 * value, memory = op(old, rs2); .W forms sign-extend the loaded word, and
 * min/max compare signed, minu/maxu unsigned, at the operation's width).
 * Misaligned AMO/LR/SC addresses raise an address-misaligned exception
 * (§8.2, §8.4; cause 6 for SC/AMO, 4 for LR, priv §3.1.15) with mtval =
 * the address (priv §3.1.16) and leave memory and rd unchanged.
 */
#include "test_macros.h"

#define TEST_AMO_D(n, inst, init, src, rd_exp, mem_exp)                 \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        la a1, abuf; li t0, init; sd t0, 0(a1);                         \
        li a2, src;                                                     \
        inst a0, a2, (a1);                                              \
        CHECK_EQ(a0, rd_exp);                                           \
        ld a3, 0(a1); CHECK_EQ(a3, mem_exp);                            \
        CHECK_EQ(a2, src)

/* .W on the low word of abuf; the whole dword is checked afterwards */
#define TEST_AMO_W(n, inst, init, src, rd_exp, mem_exp)                 \
        TEST_AMO_D(n, inst, init, src, rd_exp, mem_exp)

TEST_BEGIN

        /* AMO*.D: rd = old value, memory = op(old, rs2) */
        TEST_AMO_D(2, amoswap.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xfedcba9876543210)
        TEST_AMO_D(3, amoswap.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0x7fffffff7fffffff)
        TEST_AMO_D(4, amoswap.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 1)
        TEST_AMO_D(5, amoswap.d, 5, 0xfffffffffffffff0, 5, 0xfffffffffffffff0)
        TEST_AMO_D(6, amoadd.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xffffffffffffffff)
        TEST_AMO_D(7, amoadd.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0xffffffffffffffff)
        TEST_AMO_D(8, amoadd.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 0)
        TEST_AMO_D(9, amoadd.d, 5, 0xfffffffffffffff0, 5, 0xfffffffffffffff5)
        TEST_AMO_D(10, amoand.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0)
        TEST_AMO_D(11, amoand.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0)
        TEST_AMO_D(12, amoand.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 1)
        TEST_AMO_D(13, amoand.d, 5, 0xfffffffffffffff0, 5, 0)
        TEST_AMO_D(14, amoor.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xffffffffffffffff)
        TEST_AMO_D(15, amoor.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0xffffffffffffffff)
        TEST_AMO_D(16, amoor.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_AMO_D(17, amoor.d, 5, 0xfffffffffffffff0, 5, 0xfffffffffffffff5)
        TEST_AMO_D(18, amoxor.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xffffffffffffffff)
        TEST_AMO_D(19, amoxor.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0xffffffffffffffff)
        TEST_AMO_D(20, amoxor.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 0xfffffffffffffffe)
        TEST_AMO_D(21, amoxor.d, 5, 0xfffffffffffffff0, 5, 0xfffffffffffffff5)
        TEST_AMO_D(22, amomax.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0x123456789abcdef)
        TEST_AMO_D(23, amomax.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0x7fffffff7fffffff)
        TEST_AMO_D(24, amomax.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 1)
        TEST_AMO_D(25, amomax.d, 5, 0xfffffffffffffff0, 5, 5)
        TEST_AMO_D(26, amomin.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xfedcba9876543210)
        TEST_AMO_D(27, amomin.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0x8000000080000000)
        TEST_AMO_D(28, amomin.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_AMO_D(29, amomin.d, 5, 0xfffffffffffffff0, 5, 0xfffffffffffffff0)
        TEST_AMO_D(30, amomaxu.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xfedcba9876543210)
        TEST_AMO_D(31, amomaxu.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0x8000000080000000)
        TEST_AMO_D(32, amomaxu.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_AMO_D(33, amomaxu.d, 5, 0xfffffffffffffff0, 5, 0xfffffffffffffff0)
        TEST_AMO_D(34, amominu.d, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0x123456789abcdef)
        TEST_AMO_D(35, amominu.d, 0x8000000080000000, 0x7fffffff7fffffff, 0x8000000080000000, 0x7fffffff7fffffff)
        TEST_AMO_D(36, amominu.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 1)
        TEST_AMO_D(37, amominu.d, 5, 0xfffffffffffffff0, 5, 5)

        /* AMO*.W: rd = old value sign-extended, upper word untouched, memory = op(old, rs2) */
        TEST_AMO_W(38, amoswap.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5a76543210)
        TEST_AMO_W(39, amoswap.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5a7fffffff)
        TEST_AMO_W(40, amoswap.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5a00000001)
        TEST_AMO_W(41, amoswap.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5afffffff0)
        TEST_AMO_W(42, amoadd.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5affffffff)
        TEST_AMO_W(43, amoadd.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5affffffff)
        TEST_AMO_W(44, amoadd.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5a00000000)
        TEST_AMO_W(45, amoadd.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5afffffff5)
        TEST_AMO_W(46, amoand.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5a00000000)
        TEST_AMO_W(47, amoand.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5a00000000)
        TEST_AMO_W(48, amoand.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5a00000001)
        TEST_AMO_W(49, amoand.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5a00000000)
        TEST_AMO_W(50, amoor.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5affffffff)
        TEST_AMO_W(51, amoor.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5affffffff)
        TEST_AMO_W(52, amoor.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5affffffff)
        TEST_AMO_W(53, amoor.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5afffffff5)
        TEST_AMO_W(54, amoxor.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5affffffff)
        TEST_AMO_W(55, amoxor.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5affffffff)
        TEST_AMO_W(56, amoxor.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5afffffffe)
        TEST_AMO_W(57, amoxor.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5afffffff5)
        TEST_AMO_W(58, amomax.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5a76543210)
        TEST_AMO_W(59, amomax.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5a7fffffff)
        TEST_AMO_W(60, amomax.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5a00000001)
        TEST_AMO_W(61, amomax.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5a00000005)
        TEST_AMO_W(62, amomin.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5a89abcdef)
        TEST_AMO_W(63, amomin.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5a80000000)
        TEST_AMO_W(64, amomin.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5affffffff)
        TEST_AMO_W(65, amomin.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5afffffff0)
        TEST_AMO_W(66, amomaxu.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5a89abcdef)
        TEST_AMO_W(67, amomaxu.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5a80000000)
        TEST_AMO_W(68, amomaxu.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5affffffff)
        TEST_AMO_W(69, amomaxu.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5afffffff0)
        TEST_AMO_W(70, amominu.w, 0x5a5a5a5a89abcdef, 0xfedcba9876543210, 0xffffffff89abcdef, 0x5a5a5a5a76543210)
        TEST_AMO_W(71, amominu.w, 0x5a5a5a5a80000000, 0x7fffffff7fffffff, 0xffffffff80000000, 0x5a5a5a5a7fffffff)
        TEST_AMO_W(72, amominu.w, 0x5a5a5a5affffffff, 1, 0xffffffffffffffff, 0x5a5a5a5a00000001)
        TEST_AMO_W(73, amominu.w, 0x5a5a5a5a00000005, 0xfffffffffffffff0, 5, 0x5a5a5a5a00000005)

        /* .W on the upper word (offset 4) leaves the lower word alone */
test_80:
        TEST_NUM(80)
        la a1, abuf
        li t0, 0x8000000012345678
        sd t0, 0(a1)
        addi a4, a1, 4
        li a2, 1
        amoadd.w a0, a2, (a4)
        CHECK_EQ(a0, 0xffffffff80000000)
        ld a3, 0(a1)
        CHECK_EQ(a3, 0x8000000112345678)

        /* rd == rs2: memory gets op(old, original rs2), rd gets old */
test_81:
        TEST_NUM(81)
        la a1, abuf
        li t0, 100
        sd t0, 0(a1)
        li a2, 23
        amoadd.d a2, a2, (a1)
        CHECK_EQ(a2, 100)
        ld a3, 0(a1)
        CHECK_EQ(a3, 123)

        /* rd == x0: memory still updated */
test_82:
        TEST_NUM(82)
        la a1, abuf
        li t0, 100
        sd t0, 0(a1)
        li a2, 0x55
        amoswap.d x0, a2, (a1)
        ld a3, 0(a1)
        CHECK_EQ(a3, 0x55)
        amoor.w.aqrl x0, a2, (a1)       /* ordering bits do not change results */
        amoxor.d.aq a0, a2, (a1)
        CHECK_EQ(a0, 0x55)
        ld a3, 0(a1)
        CHECK_EQ(a3, 0)

        /* LR/SC: successful pair (§8.2) */
test_83:
        TEST_NUM(83)
        la a1, abuf
        li t0, 0x1111222233334444
        sd t0, 0(a1)
        lr.d a0, (a1)
        CHECK_EQ(a0, 0x1111222233334444)
        li a2, 0x5555666677778888
        sc.d a3, a2, (a1)
        CHECK_EQ(a3, 0)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0x5555666677778888)

        /* a second SC has no reservation any more: fails, memory unchanged */
test_84:
        TEST_NUM(84)
        li a2, 0x0123
        sc.d a3, a2, (a1)
        beqz a3, test_fail
        ld a0, 0(a1)
        CHECK_EQ(a0, 0x5555666677778888)

        /* LR.W sign-extends; SC.W writes only the word */
test_85:
        TEST_NUM(85)
        la a1, abuf
        li t0, 0x11111111f0000001
        sd t0, 0(a1)
        lr.w a0, (a1)
        CHECK_EQ(a0, 0xfffffffff0000001)
        li a2, 0xaaaaaaaa0000beef
        sc.w a3, a2, (a1)
        CHECK_EQ(a3, 0)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0x111111110000beef)

        /* SC to an address outside the reservation set fails (4 KiB away) */
test_86:
        TEST_NUM(86)
        la a1, abuf
        la a4, abuf_far
        li t0, 77
        sd t0, 0(a4)
        lr.d a0, (a1)
        li a2, 99
        sc.d a3, a2, (a4)
        beqz a3, test_fail
        ld a0, 0(a4)
        CHECK_EQ(a0, 77)
        /* and that SC also invalidated the reservation on abuf */
        sc.d a3, a2, (a1)
        beqz a3, test_fail

        /* SC.W without any LR fails */
test_87:
        TEST_NUM(87)
        la a1, abuf
        sd zero, 0(a1)
        li a2, 1
        sc.w a3, a2, (a1)
        beqz a3, test_fail
        lw a0, 0(a1)
        CHECK_EQ(a0, 0)

        /* an LR/SC retry loop: atomic increment, 100 times */
test_88:
        TEST_NUM(88)
        la a1, abuf
        sd zero, 0(a1)
        li a4, 100
1:      lr.d.aq a0, (a1)
        addi a0, a0, 3
        sc.d.rl a3, a0, (a1)
        bnez a3, 1b
        addi a4, a4, -1
        bnez a4, 1b
        ld a0, 0(a1)
        CHECK_EQ(a0, 300)

        /* misaligned AMOs: store/AMO address misaligned, mtval = address */
#define TEST_AMO_MISALIGNED(n, inst, off, cause)                              \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        la a1, abuf; li t0, 0x0706050403020100; sd t0, 0(a1);           \
        addi a1, a1, off;                                               \
        li a0, 0x1234; li a2, 0xff;                                     \
        EXPECT_TRAP_TVAL_REG(cause, a1);               \
        inst a0, a2, (a1);                                              \
        CHECK_TRAPPED;                                                  \
        CHECK_EQ(a0, 0x1234);                                           \
        la a1, abuf; ld a3, 0(a1); CHECK_EQ(a3, 0x0706050403020100)

        TEST_AMO_MISALIGNED(90, amoadd.d, 4, AMO_MISALIGNED_CAUSE)
        TEST_AMO_MISALIGNED(91, amoswap.d, 1, AMO_MISALIGNED_CAUSE)
        TEST_AMO_MISALIGNED(92, amoor.d, 7, AMO_MISALIGNED_CAUSE)
        TEST_AMO_MISALIGNED(93, amoadd.w, 2, AMO_MISALIGNED_CAUSE)
        TEST_AMO_MISALIGNED(94, amoswap.w, 1, AMO_MISALIGNED_CAUSE)
        TEST_AMO_MISALIGNED(95, amomaxu.w, 3, AMO_MISALIGNED_CAUSE)
        TEST_AMO_MISALIGNED(96, amominu.d, 2, AMO_MISALIGNED_CAUSE)
#ifndef ISA_QEMU
        /* a misaligned SC traps even though it would fail (QEMU 7.2 lets it
         * fail silently when there is no reservation for that address) */
        TEST_AMO_MISALIGNED(97, sc.d, 4, CAUSE_MISALIGNED_STORE)
        TEST_AMO_MISALIGNED(98, sc.w, 2, CAUSE_MISALIGNED_STORE)
#endif

        /* misaligned LR: load address misaligned */
test_99:
        TEST_NUM(99)
        la a1, abuf
        addi a1, a1, 4
        li a0, 0x1234
        EXPECT_TRAP_TVAL_REG(CAUSE_MISALIGNED_LOAD, a1)
        lr.d a0, (a1)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x1234)
test_100:
        TEST_NUM(100)
        la a1, abuf
        addi a1, a1, 2
        EXPECT_TRAP_TVAL_REG(CAUSE_MISALIGNED_LOAD, a1)
        lr.w a0, (a1)
        CHECK_TRAPPED
        CHECK_EQ(a0, 0x1234)

        /* AMOs on a word in the page the test executes from: the simulator
         * re-decodes such a page when it is written, and the AMO must still
         * do its own operation (a swap once computed an add here). */
test_101:
        TEST_NUM(101)
        la a1, codebuf; li t0, 5; sd t0, 0(a1)
        li a2, 7
        amoswap.d a0, a2, (a1)
        CHECK_EQ(a0, 5)
        ld a3, 0(a1); CHECK_EQ(a3, 7)
test_102:
        TEST_NUM(102)
        la a1, codebuf
        li a2, 3
        amoxor.w a0, a2, (a1)
        CHECK_EQ(a0, 7)
        ld a3, 0(a1); CHECK_EQ(a3, 4)
        j 1f
        .balign 8
codebuf: .dword 0
1:
TEST_END

        .data
        .balign 64
abuf:   .dword 0, 0
        .balign 4096
abuf_far: .dword 0
