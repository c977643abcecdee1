/* rv64c.S — C extension (RV64C): every compressed instruction.
 *
 * Unprivileged spec 20191213 chapter 16: each C instruction expands to a
 * base instruction (§16.3-16.6; RV64C has C.ADDIW, C.LD/C.SD/C.LDSP/C.SDSP,
 * C.SUBW/C.ADDW and no C.JAL/C.FLW), branch/jump offsets are relative to
 * the compressed instruction, C.JALR links pc+2, C.EBREAK raises a
 * breakpoint (priv: mepc = its address, the handler skips 2 bytes), and the
 * all-zero halfword is an illegal instruction (§16.5).
 *
 * Every instruction is written with its c.-mnemonic; C2() also asserts at
 * assembly time that it is 2 bytes long (CB() marks the relaxable branches
 * and jumps, whose size the assembler only knows later).
 */
#include "test_macros.h"

#define C2(...)                                                         \
8890:   __VA_ARGS__;                                                    \
8891:   .if (8891b - 8890b) != 2;                                       \
        .error "expected a 2-byte instruction";                         \
        .endif

#define CB(...) __VA_ARGS__

TEST_BEGIN
        .option norelax

        /* ---- quadrant 1: immediates and register-register ops ---- */

        /* C.LI: sign-extended 6-bit immediate */
        TEST_CASE(2, a0, 31, li a0, 0x55; C2(c.li a0, 31))
        TEST_CASE(3, a0, 0xffffffffffffffe0, C2(c.li a0, -32))
        TEST_CASE(4, s1, 0, li s1, 7; C2(c.li s1, 0))
        TEST_CASE(5, t3, 0xffffffffffffffff, C2(c.li t3, -1))   /* full register range */

        /* C.LUI: imm[17:12] sign-extended */
        TEST_CASE(6, a0, 0x1000, C2(c.lui a0, 1))
        TEST_CASE(7, a0, 0x1f000, C2(c.lui a0, 31))
        TEST_CASE(8, a0, 0xfffffffffffe0000, C2(c.lui a0, 0xfffe0))
        TEST_CASE(9, t4, 0xfffffffffffff000, C2(c.lui t4, 0xfffff))

        /* C.ADDI: rd = rd + nzimm */
        TEST_CASE(10, a0, 8, li a0, 5; C2(c.addi a0, 3))
        TEST_CASE(11, a0, 0xffffffffffffffe5, li a0, 5; C2(c.addi a0, -32))
        TEST_CASE(12, a0, 0x8000000000000000, li a0, 0x7fffffffffffffe1; C2(c.addi a0, 31))
        TEST_CASE(13, ra, 0x1001, li ra, 0x1000; C2(c.addi ra, 1))

        /* C.ADDIW: 32-bit add, sign-extended; imm 0 is sext.w */
        TEST_CASE(14, a0, 0xffffffff80000000, li a0, 0x7fffffff; C2(c.addiw a0, 1))
        TEST_CASE(15, a0, 0xfffffffff0000000, li a0, 0x12345678f0000000; C2(c.addiw a0, 0))
        TEST_CASE(16, a0, 0x7fffffff, li a0, 0x80000000; C2(c.addiw a0, -1))
        TEST_CASE(17, a0, 0x10, li a0, 0xffffffff00000001; C2(c.addiw a0, 15))

        /* C.ADDI16SP: sp += nzimm*16 (-512..496) */
test_18:
        TEST_NUM(18)
        mv s1, sp
        C2(c.addi16sp sp, -512)
        sub a0, s1, sp
        CHECK_EQ(a0, 512)
        C2(c.addi16sp sp, 496)
        sub a0, s1, sp
        CHECK_EQ(a0, 16)
        C2(c.addi16sp sp, 16)
        CHECK_REG_EQ(sp, s1)

        /* C.ADDI4SPN: rd' = sp + nzuimm*4 (4..1020) */
test_19:
        TEST_NUM(19)
        C2(c.addi4spn a0, sp, 1020)
        sub a0, a0, sp
        CHECK_EQ(a0, 1020)
        C2(c.addi4spn s0, sp, 4)
        sub a0, s0, sp
        CHECK_EQ(a0, 4)

        /* C.SLLI / C.SRLI / C.SRAI: 6-bit shamt 1..63 */
        TEST_CASE(20, a0, 0x8000000000000000, li a0, 1; C2(c.slli a0, 63))
        TEST_CASE(21, t5, 0x100000000, li t5, 1; C2(c.slli t5, 32))
        TEST_CASE(22, a0, 1, li a0, 0x8000000000000000; C2(c.srli a0, 63))
        TEST_CASE(23, a1, 0x0000000080000000, li a1, 0x8000000000000000; C2(c.srli a1, 32))
        TEST_CASE(24, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; C2(c.srai a0, 63))
        TEST_CASE(25, a2, 0xfffffffff0000000, li a2, 0xf000000000000000; C2(c.srai a2, 32))
        TEST_CASE(26, a3, 0x0800000000000000, li a3, 0x1000000000000000; C2(c.srai a3, 1))

        /* C.ANDI: sign-extended 6-bit immediate */
        TEST_CASE(27, a0, 0x1f, li a0, 0x123456789abcdeff; C2(c.andi a0, 31))
        TEST_CASE(28, a0, 0x123456789abcdee0, li a0, 0x123456789abcdeff; C2(c.andi a0, -32))
        TEST_CASE(29, a4, 0, li a4, -1; C2(c.andi a4, 0))

        /* C.MV / C.ADD (full register set) */
        TEST_CASE(30, a0, 0x123456789abcdef0, li a1, 0x123456789abcdef0; C2(c.mv a0, a1))
        TEST_CASE(31, t6, 0x42, li s11, 0x42; C2(c.mv t6, s11); mv a5, t6; li t6, 0; mv t6, a5)
        TEST_CASE(32, a0, 0x1000000000000000, li a0, 0x0fffffffffffffff; li a1, 1; C2(c.add a0, a1))
        TEST_CASE(33, s2, 12, li s2, 5; li t1, 7; C2(c.add s2, t1))

        /* C.SUB / C.XOR / C.OR / C.AND / C.SUBW / C.ADDW (rd', rs2') */
        TEST_CASE(34, a0, 0xfffffffffffffffe, li a0, 5; li a1, 7; C2(c.sub a0, a1))
        TEST_CASE(35, a0, 0xff00ff0000ff00ff, li a0, 0xf0f0f0f00f0f0f0f; li a1, 0x0ff00ff00ff00ff0; C2(c.xor a0, a1))
        TEST_CASE(36, a0, 0xfff0fff00fff0fff, li a0, 0xf0f0f0f00f0f0f0f; li a1, 0x0ff00ff00ff00ff0; C2(c.or a0, a1))
        TEST_CASE(37, a0, 0x00f000f000f000f0, li a0, 0xf0f0f0f0f0f0f0f0; li a1, 0x0ff00ff00ff00ff0; C2(c.and a0, a1))
        TEST_CASE(38, a0, 0xffffffff80000000, li a0, 0x0000000100000000; li a1, 0x80000000; C2(c.subw a0, a1))
        TEST_CASE(39, a0, 0xffffffff80000001, li a0, 0x80000000; li a1, 0xffffffff; C2(c.subw a0, a1))
        TEST_CASE(40, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 0x1234567800000001; C2(c.addw a0, a1))
        TEST_CASE(41, s0, 0, li s0, 0xffffffff; li s1, 1; C2(c.addw s0, s1))

        /* C.NOP changes nothing */
        TEST_CASE(42, a0, 9, li a0, 9; C2(c.nop); C2(c.nop))

        /* ---- quadrant 0 / 2: loads and stores ---- */

        /* C.LW (sign-extends) / C.LD, offsets scaled by 4 / 8 */
        TEST_CASE(43, a0, 0xffffffff80000001, la a1, cdata; C2(c.lw a0, 0(a1)))
        TEST_CASE(44, a0, 0x7fffffff, la a1, cdata; C2(c.lw a0, 4(a1)))
        TEST_CASE(45, a0, 0x7fffffff80000001, la a1, cdata; C2(c.ld a0, 0(a1)))
        TEST_CASE(46, a0, 0x0123456789abcdef, la a1, cdata; C2(c.ld a0, 8(a1)))
        TEST_CASE(47, a2, 0x1122334455667788, la a1, cdata; C2(c.ld a2, 248(a1)))
        TEST_CASE(48, a2, 0x11223344, la a1, cdata+128; C2(c.lw a2, 124(a1)))

        /* C.SW / C.SD */
test_49:
        TEST_NUM(49)
        la a1, cbuf
        li a2, 0x1122334455667788
        C2(c.sd a2, 8(a1))
        ld a0, 8(a1)
        CHECK_EQ(a0, 0x1122334455667788)
        li a2, 0xffffffffaabbccdd
        C2(c.sw a2, 12(a1))
        ld a0, 8(a1)
        CHECK_EQ(a0, 0xaabbccdd55667788)
        li a2, 0x99
        C2(c.sd a2, 248(a1))
        ld a0, 248(a1)
        CHECK_EQ(a0, 0x99)
        C2(c.sw a2, 124(a1))
        lwu a0, 124(a1)
        CHECK_EQ(a0, 0x99)

        /* C.LWSP / C.LDSP / C.SWSP / C.SDSP (any rd, sp-relative) */
test_50:
        TEST_NUM(50)
        addi sp, sp, -512
        li t0, 0xfedcba9876543210
        C2(c.sdsp t0, 504(sp))
        ld a0, 504(sp)
        CHECK_EQ(a0, 0xfedcba9876543210)
        C2(c.ldsp t1, 504(sp))
        CHECK_EQ(t1, 0xfedcba9876543210)
        sd t0, 248(sp)
        C2(c.lwsp t2, 252(sp))
        CHECK_EQ(t2, 0xfffffffffedcba98)
        li t0, 0x80000001
        C2(c.swsp t0, 244(sp))
        C2(c.lwsp s5, 244(sp))
        CHECK_EQ(s5, 0xffffffff80000001)
        li t0, 0x5a
        C2(c.sdsp t0, 0(sp))
        C2(c.ldsp ra, 0(sp))
        CHECK_EQ(ra, 0x5a)
        addi sp, sp, 512

        /* C.FLD / C.FSD / C.FLDSP / C.FSDSP */
test_51:
        TEST_NUM(51)
        la a1, cdata
        C2(c.fld fa0, 16(a1))
        fmv.x.d a0, fa0
        CHECK_EQ(a0, 0x400921fb54442d18)        /* pi */
        la a1, cbuf
        C2(c.fsd fa0, 32(a1))
        ld a0, 32(a1)
        CHECK_EQ(a0, 0x400921fb54442d18)
        C2(c.fsd fa0, 248(a1))
        ld a0, 248(a1)
        CHECK_EQ(a0, 0x400921fb54442d18)
        addi sp, sp, -512
        li t0, 0xbff0000000000000               /* -1.0 */
        sd t0, 504(sp)
        C2(c.fldsp ft9, 504(sp))
        fmv.x.d a0, ft9
        CHECK_EQ(a0, 0xbff0000000000000)
        C2(c.fsdsp ft9, 8(sp))
        ld a0, 8(sp)
        CHECK_EQ(a0, 0xbff0000000000000)
        addi sp, sp, 512

        /* ---- control transfer ---- */

        /* C.J forward and backward */
test_52:
        TEST_NUM(52)
        li a0, 0
        CB(c.j 2f)
1:      addi a0, a0, 1
        CB(c.j 3f)
2:      CB(c.j 1b)
        j test_fail
3:      CHECK_EQ(a0, 1)

        /* C.J with a long offset (±2 KiB range) */
test_53:
        TEST_NUM(53)
        CB(c.j 2f)
1:      CB(c.j 3f)
        .skip 2000
2:      CB(c.j 1b)
        j test_fail
3:

        /* C.BEQZ / C.BNEZ taken and not taken, whole 64-bit compare */
test_54:
        TEST_NUM(54)
        li a0, 0
        CB(c.beqz a0, 1f)
        j test_fail
1:      CB(c.bnez a0, 9f)
        li a0, 0x100000000
        CB(c.beqz a0, 9f)
        CB(c.bnez a0, 1f)
9:      j test_fail
1:      li s1, -1
        CB(c.bnez s1, 2f)
        j test_fail
        /* backward */
3:      CB(c.j 4f)
2:      CB(c.bnez s1, 3b)
        j test_fail
4:

        /* C.JR: jump to rs1 (no link) */
test_55:
        TEST_NUM(55)
        li ra, 0x777
        la t0, 1f
        C2(c.jr t0)
        j test_fail
1:      CHECK_EQ(ra, 0x777)

        /* C.JALR: jump to rs1, ra = pc + 2 */
test_56:
        TEST_NUM(56)
        la t0, 2f
        la a2, 1f
        C2(c.jalr t0)
1:      j test_fail
2:      CHECK_REG_EQ(ra, a2)

        /* C.JALR with rs1 = ra: target is the old ra */
test_57:
        TEST_NUM(57)
        la ra, 2f
        la a2, 1f
        C2(c.jalr ra)
1:      j test_fail
2:      CHECK_REG_EQ(ra, a2)

        /* call / return through compressed code */
        TEST_CASE(58, a0, 0x2a, li a0, 0x20; jal ra, c_add10)

        /* a 4-byte instruction at a 2-mod-4 address that crosses a page */
        TEST_CASE(59, a0, 12, li a0, 0; jal ra, cross_page_func)

        /* ---- traps ---- */

        /* C.EBREAK: breakpoint, mepc = mtval = its address, 2 bytes long */
test_60:
        TEST_NUM(60)
        la a1, 1f
        EXPECT_BREAKPOINT(a1)
1:      C2(c.ebreak)
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_REG_EQ(a0, a1)

        /* the all-zero halfword is illegal (mtval = 0 or the bits: 0) */
test_61:
        TEST_NUM(61)
        EXPECT_TRAP_TVAL(CAUSE_ILLEGAL_INSTRUCTION, 0)
        .2byte 0x0000
        CHECK_TRAPPED
TEST_END

        .text
        .option norelax
        .balign 4
c_add10:
        C2(c.addi a0, 10)
        C2(c.jr ra)

        /* 2046 c.nop fill the page up to 4092; c.li sits at 4092, the
         * 4-byte addi at 4094..4097 crosses into the next page. */
        .balign 4096
        .fill 2046, 2, 0x0001
cross_page_func:
        C2(c.li a0, 5)
        .option push
        .option norvc
        addi a0, a0, 7
        .option pop
        C2(c.jr ra)

        .data
        .balign 8
cdata:
        .dword 0x7fffffff80000001
        .dword 0x0123456789abcdef
        .dword 0x400921fb54442d18
        .fill 28, 8, 0
        .dword 0x1122334455667788       /* offset 248 */
cbuf:   .skip 256
