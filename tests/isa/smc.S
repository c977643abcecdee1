/* smc.S — self-modifying code.
 *
 * Unprivileged spec 20191213 chapter 3 (Zifencei): FENCE.I makes stores
 * visible to later instruction fetches of the same hart.  hvsim gives a
 * stronger guarantee, checked here first: a store over an instruction
 * (already executed, possibly cached/predecoded) is seen by the very next
 * fetch of that instruction, without FENCE.I.  The second half does the
 * same with FENCE.I, as portable code must.
 *
 * Encodings used (unpriv ch. 24 / 16):
 *   0x00150513 addi a0, a0, 1      0x00250513 addi a0, a0, 2
 *   0x00550513 addi a0, a0, 5      0x06400513 li a0, 100
 *   0x4505     c.li a0, 1          0x4525     c.li a0, 9
 *   0x050d     c.addi a0, 3        0x0001     c.nop
 */
#include "test_macros.h"

TEST_BEGIN
        .option norvc

        /* ---- without FENCE.I ---- */

test_2:         /* a called function is rewritten after it ran once */
        TEST_NUM(2)
        la s1, smc_func1
        li a0, 0
        call smc_func1
        CHECK_EQ(a0, 1)
        li t0, 0x00550513               /* addi a0, a0, 5 */
        sw t0, 0(s1)
        li a0, 0
        call smc_func1
        CHECK_EQ(a0, 5)
        li t0, 0x06400513               /* li a0, 100 */
        sw t0, 0(s1)
        call smc_func1
        CHECK_EQ(a0, 100)

#ifndef ISA_QEMU        /* QEMU 7.2 runs the stale copy of its current block */
test_3:         /* in a loop: iteration k rewrites an instruction later in the
                 * same loop body, which iteration k-1 executed */
        TEST_NUM(3)
        la s1, 2f
        li s2, 0                        /* sum */
        li s3, 4                        /* iterations */
        li s4, 0x00150513               /* addi a0, a0, 1 */
1:      li a0, 0
        sw s4, 0(s1)                    /* rewrite the addi below */
        li t0, 0x00100000               /* next time: imm + 1 */
        add s4, s4, t0
2:      addi a0, a0, 7                  /* replaced before every execution */
        add s2, s2, a0
        addi s3, s3, -1
        bnez s3, 1b
        CHECK_EQ(s2, 1 + 2 + 3 + 4)
#endif

test_4:         /* byte-granular store into an instruction's immediate */
        TEST_NUM(4)
        la s1, smc_func2
        call smc_func2
        CHECK_EQ(a0, 1)                 /* li a0, 0; addi a0, a0, 1 */
        li t0, 0x25                     /* 0x00150513 -> 0x00250513 */
        sb t0, 4 + 2(s1)
        call smc_func2
        CHECK_EQ(a0, 2)

test_5:         /* compressed instructions: halfword store over a c.li, and a
                 * 4-byte instruction replaced by two 2-byte ones */
        TEST_NUM(5)
        la s1, smc_func3
        call smc_func3
        CHECK_EQ(a0, 1 + 1)             /* c.li a0, 1; addi a0, a0, 1 */
        li t0, 0x4525                   /* c.li a0, 9 */
        sh t0, 0(s1)
        call smc_func3
        CHECK_EQ(a0, 9 + 1)
        li t0, 0x0001050d               /* c.addi a0, 3 ; c.nop */
        sw t0, 2(s1)
        call smc_func3
        CHECK_EQ(a0, 9 + 3)

        /* ---- with FENCE.I (§3.1) ---- */

test_6:
        TEST_NUM(6)
        la s1, smc_func4
        li a0, 0
        call smc_func4
        CHECK_EQ(a0, 1)
        li t0, 0x00550513
        sw t0, 0(s1)
        fence.i
        li a0, 0
        call smc_func4
        CHECK_EQ(a0, 5)

test_7:         /* loop, rewriting with FENCE.I each time */
        TEST_NUM(7)
        la s1, 2f
        li s2, 0
        li s3, 4
        li s4, 0x00150513
1:      li a0, 0
        sw s4, 0(s1)
        fence.i
        li t0, 0x00100000
        add s4, s4, t0
2:      addi a0, a0, 7
        add s2, s2, a0
        addi s3, s3, -1
        bnez s3, 1b
        CHECK_EQ(s2, 1 + 2 + 3 + 4)

test_8:         /* code written to a fresh page, then run */
        TEST_NUM(8)
        la s1, smc_buf
        li t0, 0x02a00513               /* li a0, 42 */
        sw t0, 0(s1)
        li t0, 0x00008067               /* ret */
        sw t0, 4(s1)
        fence.i
        li a0, 0
        jalr ra, 0(s1)
        CHECK_EQ(a0, 42)
        li t0, 0x02b00513               /* li a0, 43 */
        sw t0, 0(s1)
        fence.i
        jalr ra, 0(s1)
        CHECK_EQ(a0, 43)
TEST_END

        .text
        .option norvc
        .balign 64
smc_func1:
        addi a0, a0, 1
        ret
        .balign 64
smc_func2:
        li a0, 0
        addi a0, a0, 1
        ret
        .balign 64
smc_func3:
        .option push
        .option rvc
        c.li a0, 1
        .option pop
        addi a0, a0, 1
        ret
        .balign 64
smc_func4:
        addi a0, a0, 1
        ret

        .data
        .balign 4096
smc_buf: .skip 64
