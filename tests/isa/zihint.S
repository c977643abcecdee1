/* zihint.S — hints: Zihintpause 2.0 (pause = fence w,0: FENCE with
 * pred = W, succ = 0, rd = rs1 = x0), Zihintntl 1.0 (ntl.p1/pall/s1/all =
 * add x0, x0, x2..x5, and c.ntl.* = c.add x0, x2..x5) and Zicbop 1.0
 * (prefetch.i/r/w = ori x0, rs1, imm with imm[4:0] = 0/1/3).
 *
 * Hints change no architectural state; hvsim executes them as no-ops (pause
 * does not yield to the scheduler: virtual time advances by one
 * instruction, as for any other). They are base-ISA encodings, so they
 * behave the same whether or not the ISA string names the extension: this
 * file runs on the default board, zihint_on.S with the extensions named.
 */
#include "test_macros.h"
        .option arch, +zihintpause, +zicbop

TEST_BEGIN
        li a0, 0x1234; li a1, 0x5678; li a2, 0x9abc; li a3, 0xdef0; li a4, 0x1111; li a5, 0x2222
        li s2, -1
        /* pause */
        TEST_CASE(2, a0, 0x1234, pause; pause; pause)
        TEST_CASE(3, a0, 0, .word 0x0100000f; mv a0, zero) /* pause = fence w,0 */
        /* ntl.p1, ntl.pall, ntl.s1, ntl.all (add x0, x0, x2..x5) */
        TEST_CASE(4, s2, -1, .insn r 0x33, 0, 0, x0, x0, x2; .insn r 0x33, 0, 0, x0, x0, x3;
                  .insn r 0x33, 0, 0, x0, x0, x4; .insn r 0x33, 0, 0, x0, x0, x5)
        TEST_CASE(5, a0, 0, mv a0, zero)
        /* c.ntl.p1/pall/s1/all (c.add x0, x2..x5: 1001 00000 rs2 10) */
        TEST_CASE(6, a0, 0x1234, li a0, 0x1234; .half 0x900a; .half 0x900e; .half 0x9012; .half 0x9016)
        TEST_CASE(7, a0, 0, mv a0, zero)
        /* ntl before a store and a load (their intended use) */
        TEST_CASE(8, a0, 0x77, la a1, hbuf; li a2, 0x77; .insn r 0x33, 0, 0, x0, x0, x5;
                  sd a2, 0(a1); .half 0x9016; ld a0, 0(a1))
        /* prefetch hints: rs1 = an unmapped address, no trap */
        TEST_CASE(9, a0, 0x1234, li a0, 0x1234; li a1, 0x40; prefetch.i 0(a1); prefetch.r 64(a1);
                  prefetch.w -32(a1))
        TEST_CASE(10, a0, 0, mv a0, zero)
        /* in U mode too */
        ENTER_U
        TEST_CASE(11, a0, 9, li a0, 9; pause; .half 0x900a; prefetch.w 0(a0))
        GOTO_M
TEST_END

        .data
        .balign 8
hbuf:   .dword 0
