/* sdtrig_off.S — on the default board (no sdtrig in [cpu] isa) the trigger
 * CSRs do not exist: tselect, tdata1-3, tinfo, tcontrol, mcontext and
 * scontext raise illegal-instruction (Debug spec 1.0 "Sdtrig": without
 * triggers, accessing trigger CSRs is an illegal instruction), and ebreak
 * is unchanged.
 *
 * qemu-skip: QEMU 7.2 implements the trigger CSRs by default
 */
#include "test_macros.h"

TEST_BEGIN
        TEST_ILLEGAL(2, csrr a0, 0x7a0)
        TEST_ILLEGAL(3, csrw 0x7a0, zero)
        TEST_ILLEGAL(4, csrr a0, 0x7a1)
        TEST_ILLEGAL(5, csrr a0, 0x7a2)
        TEST_ILLEGAL(6, csrr a0, 0x7a3)
        TEST_ILLEGAL(7, csrr a0, 0x7a4)
        TEST_ILLEGAL(8, csrr a0, 0x7a5)
        TEST_ILLEGAL(9, csrr a0, 0x7a8)
        TEST_ILLEGAL(10, csrr a0, 0x5a8)
test_11:
        TEST_NUM(11)
        la a2, 1f
        EXPECT_BREAKPOINT(a2)
1:      ebreak
        CHECK_TRAPPED
TEST_END
