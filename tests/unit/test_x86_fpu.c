/* Unit tests of the x87 FPU, FXSAVE/FXRSTOR and LDMXCSR/STMXCSR through
 * tests/unit/x86_fixture.h (src/cpu/x86/fpu_x87.c, fpu_env.c, fxsave.c).
 * Expected values are exact bit patterns worked out from the SDM's
 * definitions (vol. 1 ch. 4 and 8, vol. 2 instruction pages): the 64-bit
 * significand of pi is C90FDAA2 2168C234 C4C6..., so FLDPI rounds to
 * ...C235 to nearest and ...C234 toward zero; and so on per case. */
#include <check.h>
#include <stdint.h>

#include "x86_fixture.h"
#include "cpu/x86/fpu.h"

Suite *x86_fpu_suite(void);

/* Memory operands are [rbx + d8] with RBX = X86F_DATA. */
#define MEM(reg, d) (uint8_t)(0x43 | (reg) << 3), (uint8_t)(d)
#define DATA X86F_DATA

#define FNINIT 0xdb, 0xe3
#define FLD1 0xd9, 0xe8
#define FLDZ 0xd9, 0xee
#define FLDPI 0xd9, 0xeb
#define FWAIT 0x9b

static struct x86f *fx;

static void setup(void) { fx = x86f_new(); }
static void teardown(void) { x86f_free(fx); fx = NULL; }

/* Runs code (a HLT appended) with RBX = DATA; returns x86f_run_to_hlt. */
static int run(const uint8_t *code, size_t n)
{
    uint8_t buf[256];
    ck_assert_uint_lt(n, sizeof buf);
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    fx->x->rip = X86F_CODE;
    x86f_code(fx, X86F_CODE, buf, n + 1);
    x86f_set_reg(fx, RBX, DATA);
    return x86f_run_to_hlt(fx, 10000, NULL);
}
#define RUN(...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; run(c_, sizeof c_); })

static struct x86_fpreg st(unsigned i) { return fx->x->fpu.st[fpu_phys(fx->x, i)]; }
static bool st_valid(unsigned i) { return fx->x->fpu.ftw >> fpu_phys(fx->x, i) & 1; }
static bool st_empty_test(unsigned i) { return !st_valid(i); }

#define ASSERT_ST(i, se, m)                                                                     \
    do {                                                                                        \
        struct x86_fpreg r_ = st(i);                                                            \
        ck_assert_msg(st_valid(i), "ST(%d) empty", i);                                          \
        ck_assert_msg(r_.sexp == (se) && r_.mant == (m), "ST(%d) = %04x:%016llx, want %04x:%016llx", \
                      i, r_.sexp, (unsigned long long)r_.mant, (unsigned)(se), (unsigned long long)(m)); \
    } while (0)

static void put80(uint64_t pa, uint16_t se, uint64_t m)
{
    x86f_w64(fx, pa, m);
    x86f_write(fx, pa + 8, &se, 2);
}
static uint32_t r32(uint64_t pa)
{
    uint32_t v;
    x86f_read(fx, pa, &v, 4);
    return v;
}
static uint16_t r16(uint64_t pa)
{
    uint16_t v;
    x86f_read(fx, pa, &v, 2);
    return v;
}
static void w32(uint64_t pa, uint32_t v) { x86f_write(fx, pa, &v, 4); }
static void w16(uint64_t pa, uint16_t v) { x86f_write(fx, pa, &v, 2); }

/* ---- control ------------------------------------------------------------- */

START_TEST(reset_and_fninit)
{
    /* power-up state (vol. 3A Table 9-1) */
    ck_assert_uint_eq(fx->x->fpu.fcw, 0x0040);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0xff);
    ck_assert_uint_eq(fx->x->fpu.mxcsr, 0x1f80);
    /* fninit; fnstcw [rbx]; fld1; fnstsw ax; fnstsw [rbx+2] */
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(7, 0), FLD1, 0xdf, 0xe0, 0xdd, MEM(7, 2)), X86F_HALTED);
    ck_assert_uint_eq(r16(DATA), 0x037f);
    ck_assert_uint_eq(x86f_reg(fx, RAX) & 0xffff, 0x3800); /* TOP = 7 */
    ck_assert_uint_eq(r16(DATA + 2), 0x3800);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0x80);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
}
END_TEST

START_TEST(fldcw_fnclex)
{
    /* fninit; fldcw [rbx] (0x0f7f: RC toward zero); fldpi */
    w16(DATA, 0x0f7f);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 0), FLDPI), X86F_HALTED);
    ASSERT_ST(0, 0x4000, 0xc90fdaa22168c234ull);
    ck_assert_uint_eq(fx->x->fpu.fcw, 0x0f7f);
    /* FLDCW keeps bits 0-5, 8-12, forces bit 6 (reads back 0x0040 for 0) */
    w16(DATA, 0xe080);
    ck_assert_int_eq(RUN(0xd9, MEM(5, 0), 0xd9, MEM(7, 2)), X86F_HALTED);
    ck_assert_uint_eq(r16(DATA + 2), 0x0040);
    /* FNCLEX clears flags, SF, ES, B and nothing else */
    fx->x->fpu.fcw = 0x037f;
    fx->x->fpu.fsw = 0x7fff;
    ck_assert_int_eq(RUN(0xdb, 0xe2), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw, 0x7f00);
}
END_TEST

/* ---- arithmetic ---------------------------------------------------------- */

START_TEST(fadd_rounding)
{
    /* 1 + pi: 0x1_090FDAA2_2168C235 >> 1 is a tie, even: ...0B4611A, PE, C1 = 0 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDPI, 0xde, 0xc1 /* faddp */), X86F_HALTED);
    ASSERT_ST(0, 0x4001, 0x8487ed5110b4611aull);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_EXC | FSW_C1 | FSW_TOP), FSW_PE | 7u << 11);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0x80);
    /* RC up: ...611B with C1 (rounded up) */
    w16(DATA, 0x0b7f);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 0), FLD1, FLDPI, 0xde, 0xc1), X86F_HALTED);
    ASSERT_ST(0, 0x4001, 0x8487ed5110b4611bull);
    ck_assert(fx->x->fpu.fsw & FSW_C1);
    /* PC = single (0x007f): 1 + pi rounded to 24 bits = 0x84 87 ED << 40 */
    w16(DATA, 0x007f);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 0), FLD1, FLDPI, 0xde, 0xc1), X86F_HALTED);
    ASSERT_ST(0, 0x4001, 0x8487ed0000000000ull);
}
END_TEST

START_TEST(sub_div_forms)
{
    /* fld1; fld1; fadd st,st(0) (=2); fld1 (st0=1, st1=2)
     * fsub st(0),st(1): 1 - 2 = -1 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xd8, 0xc0, FLD1, 0xd8, 0xe1), X86F_HALTED);
    ASSERT_ST(0, 0xbfff, 0x8000000000000000ull);
    /* fsubr st(0),st(1): 2 - 1 = 1 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xd8, 0xc0, FLD1, 0xd8, 0xe9), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    /* DC E9 = fsub st(1),st(0): st1 = 2 - 1 = 1; DE F9 = fdivp st(1),st(0): 1/1 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xd8, 0xc0, FLD1, 0xdc, 0xe9), X86F_HALTED);
    ASSERT_ST(1, 0x3fff, 0x8000000000000000ull);
    /* DE F1 = fdivrp st(1),st(0): st1 = st0 / st1 = 1 / 2 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xd8, 0xc0, FLD1, 0xde, 0xf1), X86F_HALTED);
    ASSERT_ST(0, 0x3ffe, 0x8000000000000000ull);
    ck_assert_uint_eq(fpu_top(fx->x), 6);
    /* fidiv word [rbx] = 3: 1/3 = AAAA..AAAB (round to nearest) */
    w16(DATA, 3);
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xde, MEM(6, 0)), X86F_HALTED);
    ASSERT_ST(0, 0x3ffd, 0xaaaaaaaaaaaaaaabull);
    ck_assert(fx->x->fpu.fsw & FSW_C1);
    /* fmul dword [rbx] (1.5f) of 1.5 = 2.25 */
    w32(DATA, 0x3fc00000);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(0, 0), 0xd8, MEM(1, 0)), X86F_HALTED);
    ASSERT_ST(0, 0x4000, 0x9000000000000000ull);
}
END_TEST

START_TEST(zero_divide)
{
    /* masked: 1/0 = +inf, ZE */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDZ, 0xde, 0xf9), X86F_HALTED);
    ASSERT_ST(0, 0x7fff, 0x8000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, FSW_ZE);
    /* unmasked (FCW 0x037b): no result, ES and B, #MF at the next waiting
     * instruction (CR0.NE = 1 in the fixture), operands still there */
    w16(DATA, 0x037b);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 0), FLD1, FLDZ, 0xde, 0xf9, FWAIT), X86_EXC_MF);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_EXC | FSW_ES | FSW_B), FSW_ZE | FSW_ES | FSW_B);
    ASSERT_ST(0, 0, 0);
    ASSERT_ST(1, 0x3fff, 0x8000000000000000ull);
    ck_assert_uint_eq(fpu_top(fx->x), 6);
    /* the #MF is a fault on the FWAIT: the pushed RIP is the FWAIT's */
    ck_assert_uint_eq(x86f_r64(fx, x86f_reg(fx, RSP)), X86F_CODE + 2 + 3 + 2 + 2 + 2);
    /* non-waiting FNSTSW does not fault; FNCLEX then lets FWAIT pass */
    ck_assert_int_eq(RUN(0xdf, 0xe0, 0xdb, 0xe2, FWAIT), X86F_HALTED);
    /* CR0.NE = 0: no #MF (FERR# is not wired, documented) */
    fx->x->cr0 &= ~(uint64_t)CR0_NE;
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 0), FLD1, FLDZ, 0xde, 0xf9, FWAIT, FLD1), X86F_HALTED);
    ck_assert(fx->x->fpu.fsw & FSW_ES);
}
END_TEST

START_TEST(unmasked_over_underflow)
{
    /* OE unmasked (FCW 0x0377): max + max leaves 2^16384 (1.11..1) with the
     * exponent bias-adjusted by 24576 (SDM vol. 1 §8.5.4): 1FFF:FFFF.., OE,
     * ES, B; the #MF comes at the next waiting instruction */
    put80(DATA, 0x7ffe, ~0ull);
    w16(DATA + 16, 0x0377);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 16), 0xdb, MEM(5, 0), 0xd8, 0xc0), X86F_HALTED);
    ASSERT_ST(0, 0x1fff, 0xffffffffffffffffull);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_EXC | FSW_ES | FSW_B), FSW_OE | FSW_ES | FSW_B);
    ck_assert_int_eq(RUN(FWAIT), X86_EXC_MF);
    /* UE unmasked (0x036f): the smallest normal times 0.5: 6000:8000.. (§8.5.5) */
    put80(DATA, 0x0001, 0x8000000000000000ull);
    put80(DATA + 32, 0x3ffe, 0x8000000000000000ull);
    w16(DATA + 16, 0x036f);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 16), 0xdb, MEM(5, 0), 0xdb, MEM(5, 32), 0xde, 0xc9),
                     X86F_HALTED);
    ASSERT_ST(0, 0x6000, 0x8000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_EXC | FSW_ES), FSW_UE | FSW_ES);
    /* a memory destination is left: fst dword of max with OE unmasked */
    put80(DATA, 0x7ffe, ~0ull);
    w32(DATA + 48, 0x12345678);
    w16(DATA + 16, 0x0377);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 16), 0xdb, MEM(5, 0), 0xd9, MEM(3, 48)), X86F_HALTED);
    ck_assert_uint_eq(r32(DATA + 48), 0x12345678);
    ck_assert(!st_empty_test(0));
    ck_assert(fx->x->fpu.fsw & FSW_OE);
}
END_TEST

START_TEST(stack_faults)
{
    /* underflow: faddp on an empty stack: IE SF, C1 = 0, indefinite */
    ck_assert_int_eq(RUN(FNINIT, 0xde, 0xc1), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_EXC | FSW_SF | FSW_C1), FSW_IE | FSW_SF);
    ASSERT_ST(0, 0xffff, 0xc000000000000000ull);
    /* overflow: nine pushes: IE SF C1, ST(0) = indefinite */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, FLD1, FLD1, FLD1, FLD1, FLD1, FLD1, FLDZ), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_EXC | FSW_SF | FSW_C1), FSW_IE | FSW_SF | FSW_C1);
    ASSERT_ST(0, 0xffff, 0xc000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0xff);
    /* unmasked IE (FCW 0x037e): overflow changes nothing, #MF on FWAIT */
    w16(DATA, 0x037e);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 0), FLD1, FLD1, FLD1, FLD1, FLD1, FLD1, FLD1, FLD1, FLDZ),
                     X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    ck_assert_uint_eq(fpu_top(fx->x), 0);
    ck_assert_int_eq(RUN(FWAIT), X86_EXC_MF);
}
END_TEST

START_TEST(invalid_ops)
{
    /* 0/0 masked: IE and the indefinite */
    ck_assert_int_eq(RUN(FNINIT, FLDZ, FLDZ, 0xde, 0xf9), X86F_HALTED);
    ASSERT_ST(0, 0xffff, 0xc000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, FSW_IE);
    /* sqrt(-1) */
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xd9, 0xe0, 0xd9, 0xfa), X86F_HALTED);
    ASSERT_ST(0, 0xffff, 0xc000000000000000ull);
    /* SNaN m32 load: IE, quieted (7FA00000 -> 7FFF E000...) */
    w32(DATA, 0x7fa00000);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(0, 0)), X86F_HALTED);
    ASSERT_ST(0, 0x7fff, 0xe000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, FSW_IE);
    /* denormal m64 operand: DE */
    x86f_w64(fx, DATA, 1);
    ck_assert_int_eq(RUN(FNINIT, 0xdd, MEM(0, 0)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, FSW_DE);
    ASSERT_ST(0, 0x3bcd, 0x8000000000000000ull); /* 2^-1074 */
}
END_TEST

/* ---- loads and stores ------------------------------------------------------ */

START_TEST(loads_stores)
{
    /* fld tbyte [rbx]; fst dword [rbx+16]; fst qword [rbx+24]; fstp tbyte [rbx+32] */
    put80(DATA, 0x3ffd, 0xaaaaaaaaaaaaaaabull); /* 1/3 */
    ck_assert_int_eq(RUN(FNINIT, 0xdb, MEM(5, 0), 0xd9, MEM(2, 16), 0xdd, MEM(2, 24), 0xdb, MEM(7, 32)),
                     X86F_HALTED);
    ck_assert_uint_eq(r32(DATA + 16), 0x3eaaaaab);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 24), 0x3fd5555555555555ull);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 32), 0xaaaaaaaaaaaaaaabull);
    ck_assert_uint_eq(r16(DATA + 40), 0x3ffd);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0);
    ck_assert(fx->x->fpu.fsw & FSW_PE);
    /* fild word [rbx] (-5); fild dword; fild qword */
    w16(DATA, 0xfffb);
    w32(DATA + 4, 100000);
    x86f_w64(fx, DATA + 8, 0x8000000000000000ull);
    ck_assert_int_eq(RUN(FNINIT, 0xdf, MEM(0, 0), 0xdb, MEM(0, 4), 0xdf, MEM(5, 8)), X86F_HALTED);
    ASSERT_ST(2, 0xc001, 0xa000000000000000ull);
    ASSERT_ST(1, 0x400f, 0xc350000000000000ull);
    ASSERT_ST(0, 0xc03e, 0x8000000000000000ull);
    /* FST ST(i) / FSTP ST(i) / FXCH / FLD ST(i) */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDZ, 0xd9, 0xc9 /* fxch */, 0xd9, 0xc1 /* fld st1 */,
                         0xdd, 0xda /* fstp st2 */),
                     X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    ASSERT_ST(1, 0, 0);
    ck_assert_uint_eq(fpu_top(fx->x), 6);
}
END_TEST

START_TEST(integer_stores)
{
    /* 2.5: FIST to nearest 2 (ties even), RC up 3, FISTTP 2; -2.5 FIST -2 */
    put80(DATA, 0x4000, 0xa000000000000000ull);
    ck_assert_int_eq(RUN(FNINIT, 0xdb, MEM(5, 0), 0xdf, MEM(2, 16), 0xdb, MEM(2, 20), 0xdd, MEM(1, 24)),
                     X86F_HALTED);
    ck_assert_uint_eq(r16(DATA + 16), 2);
    ck_assert_uint_eq(r32(DATA + 20), 2);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 24), 2);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0); /* FISTTP popped */
    w16(DATA + 12, 0x0b7f);
    ck_assert_int_eq(RUN(FNINIT, 0xd9, MEM(5, 12), 0xdb, MEM(5, 0), 0xdf, MEM(7, 16)), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 16), 3);
    /* out of range for 16 bits (2.5 * 2^16): IE, integer indefinite 0x8000 */
    put80(DATA, 0x4010, 0xa000000000000000ull);
    ck_assert_int_eq(RUN(FNINIT, 0xdb, MEM(5, 0), 0xdf, MEM(3, 16)), X86F_HALTED);
    ck_assert_uint_eq(r16(DATA + 16), 0x8000);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, FSW_IE);
    /* FBSTP of -12345 -> packed BCD 45 23 01 00.. sign 80; FBLD back */
    w16(DATA, (uint16_t)-12345);
    ck_assert_int_eq(RUN(FNINIT, 0xdf, MEM(0, 0), 0xdf, MEM(6, 16), 0xdf, MEM(4, 16)), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 16), 0x012345);
    ck_assert_uint_eq(r16(DATA + 24), 0x8000);
    ASSERT_ST(0, 0xc00c, 0xc0e4000000000000ull);
}
END_TEST

START_TEST(constants)
{
    ck_assert_int_eq(RUN(FNINIT, 0xd9, 0xe9, 0xd9, 0xea, 0xd9, 0xec, 0xd9, 0xed, FLDZ), X86F_HALTED);
    ASSERT_ST(4, 0x4000, 0xd49a784bcd1b8afeull); /* log2(10) */
    ASSERT_ST(3, 0x3fff, 0xb8aa3b295c17f0bcull); /* log2(e) */
    ASSERT_ST(2, 0x3ffd, 0x9a209a84fbcff799ull); /* log10(2) */
    ASSERT_ST(1, 0x3ffe, 0xb17217f7d1cf79acull); /* ln(2) */
    ASSERT_ST(0, 0, 0);
}
END_TEST

/* ---- compares and classification ------------------------------------------- */

START_TEST(compares)
{
    /* fld1; fldz; fcom st1: 0 < 1: C0 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDZ, 0xd8, 0xd1), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C0);
    /* fcompp: equal after fld1 fld1: C3, two pops */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xde, 0xd9), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C3);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0);
    /* fcomi st1: 0 < 1: CF; OF SF AF cleared */
    x86f_set_flags(fx, FL_OF | FL_SF | FL_AF);
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDZ, 0xdb, 0xf1), X86F_HALTED);
    ck_assert_uint_eq(x86f_flags(fx) & FL_ARITH, FL_CF);
    /* a QNaN: fucomip unordered ZF PF CF without IE; fcomi raises IE */
    w32(DATA, 0x7fc00000);
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xd9, MEM(0, 0), 0xdf, 0xe9), X86F_HALTED);
    ck_assert_uint_eq(x86f_flags(fx) & FL_ARITH, FL_ZF | FL_PF | FL_CF);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, 0);
    ck_assert_uint_eq(fpu_top(fx->x), 7);
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xd9, MEM(0, 0), 0xdb, 0xf1), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_EXC, FSW_IE);
    /* ficom word [rbx] = 1 with ST0 = 1: C3; ftst of -1: C0 */
    w16(DATA, 1);
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xde, MEM(2, 0)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C3);
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xd9, 0xe0, 0xd9, 0xe4), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C0);
}
END_TEST

START_TEST(fxam_classes)
{
    static const struct { uint16_t se; uint64_t m; unsigned cc; } c[] = {
        { 0x3fff, 0x8000000000000000ull, FSW_C2 },                   /* normal */
        { 0x8000, 0, FSW_C3 | FSW_C1 },                              /* -0 */
        { 0x7fff, 0x8000000000000000ull, FSW_C2 | FSW_C0 },          /* inf */
        { 0x7fff, 0xc000000000000000ull, FSW_C0 },                   /* NaN */
        { 0x0000, 0x0000000000000001ull, FSW_C3 | FSW_C2 },          /* denormal */
        { 0x3fff, 0x0000000000000001ull, 0 },                        /* unnormal: unsupported */
    };
    for (unsigned k = 0; k < sizeof c / sizeof c[0]; k++) {
        put80(DATA, c[k].se, c[k].m);
        ck_assert_int_eq(RUN(FNINIT, 0xdb, MEM(5, 0), 0xd9, 0xe5), X86F_HALTED);
        ck_assert_msg((fx->x->fpu.fsw & FSW_CC) == c[k].cc, "case %u: cc %#x", k, fx->x->fpu.fsw & FSW_CC);
    }
    /* empty: C3 C0 */
    ck_assert_int_eq(RUN(FNINIT, 0xd9, 0xe5), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fsw & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C3 | FSW_C0);
}
END_TEST

START_TEST(fcmov_ffree_stack)
{
    /* fldz; fld1; stc; fcmovb st0,st1 -> 0; fcmovnb not taken */
    ck_assert_int_eq(RUN(FNINIT, FLDZ, FLD1, 0xf9, 0xda, 0xc1), X86F_HALTED);
    ASSERT_ST(0, 0, 0);
    ck_assert_int_eq(RUN(FNINIT, FLDZ, FLD1, 0xf9, 0xdb, 0xc1), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    /* ffree st1, fincstp, fdecstp, ffreep */
    ck_assert_int_eq(RUN(FNINIT, FLDZ, FLD1, 0xdd, 0xc1, 0xd9, 0xf7), X86F_HALTED);
    ck_assert_uint_eq(fpu_top(fx->x), 7);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0x40); /* R6 (the 1) still valid, R7 freed */
    ck_assert_int_eq(RUN(0xd9, 0xf6, 0xdf, 0xc0), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0);
    ck_assert_uint_eq(fpu_top(fx->x), 7);
}
END_TEST

/* ---- the rest of D9 ------------------------------------------------------- */

START_TEST(sqrt_scale_xtract_prem)
{
    /* sqrt(2) = B504F333F9DE6484|597D.. -> ...6484, PE */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xde, 0xc1, 0xd9, 0xfa), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0xb504f333f9de6484ull);
    /* fscale: 1 * 2^3 (st1 = 3) */
    w16(DATA, 3);
    ck_assert_int_eq(RUN(FNINIT, 0xdf, MEM(0, 0), FLD1, 0xd9, 0xfd), X86F_HALTED);
    ASSERT_ST(0, 0x4002, 0x8000000000000000ull);
    /* fxtract of 12 = 1.5 * 2^3: ST0 = 1.5, ST1 = 3 */
    w16(DATA, 12);
    ck_assert_int_eq(RUN(FNINIT, 0xdf, MEM(0, 0), 0xd9, 0xf4), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0xc000000000000000ull);
    ASSERT_ST(1, 0x4000, 0xc000000000000000ull);
    /* fprem 7 mod 2 = 1, quotient 3 = 011: C0 = Q2 = 0, C3 = Q1 = 1, C1 = Q0 = 1 */
    w16(DATA, 2);
    w16(DATA + 2, 7);
    ck_assert_int_eq(RUN(FNINIT, 0xdf, MEM(0, 0), 0xdf, MEM(0, 2), 0xd9, 0xf8), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_CC, FSW_C3 | FSW_C1);
    /* fprem1 7 rem 2 = -1 (quotient 4 = 100: C0) */
    ck_assert_int_eq(RUN(FNINIT, 0xdf, MEM(0, 0), 0xdf, MEM(0, 2), 0xd9, 0xf5), X86F_HALTED);
    ASSERT_ST(0, 0xbfff, 0x8000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.fsw & FSW_CC, FSW_C0);
    /* frndint of 2.5 to nearest: 2; fchs; fabs */
    put80(DATA, 0x4000, 0xa000000000000000ull);
    ck_assert_int_eq(RUN(FNINIT, 0xdb, MEM(5, 0), 0xd9, 0xfc, 0xd9, 0xe0), X86F_HALTED);
    ASSERT_ST(0, 0xc000, 0x8000000000000000ull);
    ck_assert_int_eq(RUN(0xd9, 0xe1), X86F_HALTED);
    ASSERT_ST(0, 0x4000, 0x8000000000000000ull);
}
END_TEST

START_TEST(transcendentals)
{
    /* fldz; fsin -> +0; fcos of 0 -> 1 */
    ck_assert_int_eq(RUN(FNINIT, FLDZ, 0xd9, 0xfe), X86F_HALTED);
    ASSERT_ST(0, 0, 0);
    ck_assert_int_eq(RUN(FNINIT, FLDZ, 0xd9, 0xff), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    /* fptan of 0: 0 then 1.0 pushed */
    ck_assert_int_eq(RUN(FNINIT, FLDZ, 0xd9, 0xf2), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    ASSERT_ST(1, 0, 0);
    /* fsincos of 0: ST0 = cos = 1, ST1 = sin = 0 */
    ck_assert_int_eq(RUN(FNINIT, FLDZ, 0xd9, 0xfb), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    ASSERT_ST(1, 0, 0);
    /* fyl2x: 1 * log2(8) = 3 */
    w16(DATA, 8);
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xdf, MEM(0, 0), 0xd9, 0xf1), X86F_HALTED);
    ASSERT_ST(0, 0x4000, 0xc000000000000000ull);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0x80);
    /* f2xm1 of 1 = 1 */
    ck_assert_int_eq(RUN(FNINIT, FLD1, 0xd9, 0xf0), X86F_HALTED);
    ASSERT_ST(0, 0x3fff, 0x8000000000000000ull);
    /* fpatan(1, 1) = pi/4 (0x3ffe C90FDAA22168C235) */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLD1, 0xd9, 0xf3), X86F_HALTED);
    ASSERT_ST(0, 0x3ffe, 0xc90fdaa22168c235ull);
    /* fsin out of range (2^63): C2 set, operand unchanged */
    put80(DATA, 0x403e, 0x8000000000000000ull);
    ck_assert_int_eq(RUN(FNINIT, 0xdb, MEM(5, 0), 0xd9, 0xfe), X86F_HALTED);
    ck_assert(fx->x->fpu.fsw & FSW_C2);
    ASSERT_ST(0, 0x403e, 0x8000000000000000ull);
    /* fyl2x of 0: ZE, -inf */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDZ, 0xd9, 0xf1), X86F_HALTED);
    ck_assert(fx->x->fpu.fsw & FSW_ZE);
    ASSERT_ST(0, 0xffff, 0x8000000000000000ull);
}
END_TEST

/* ---- #NM / #UD ------------------------------------------------------------ */

START_TEST(device_not_available)
{
    fx->x->cr0 |= CR0_TS;
    ck_assert_int_eq(RUN(FLD1), X86_EXC_NM);
    ck_assert_int_eq(RUN(FWAIT), X86F_HALTED);         /* MP = 0: FWAIT ignores TS */
    fx->x->cr0 |= CR0_MP;
    ck_assert_int_eq(RUN(FWAIT), X86_EXC_NM);
    fx->x->cr4 |= CR4_OSFXSR;
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(0, 0)), X86_EXC_NM); /* fxsave */
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(3, 0)), X86_EXC_NM); /* stmxcsr */
    fx->x->cr0 &= ~(uint64_t)(CR0_TS | CR0_MP);
    fx->x->cr0 |= CR0_EM;
    ck_assert_int_eq(RUN(FLD1), X86_EXC_NM);
    ck_assert_int_eq(RUN(FWAIT), X86F_HALTED);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(0, 0)), X86_EXC_UD);
    fx->x->cr0 &= ~(uint64_t)CR0_EM;
    /* CLTS then works */
    fx->x->cr0 |= CR0_TS;
    ck_assert_int_eq(RUN(0x0f, 0x06, FLD1), X86F_HALTED);
    /* OSFXSR = 0: LDMXCSR / STMXCSR #UD */
    fx->x->cr4 &= ~(uint64_t)CR4_OSFXSR;
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(2, 0)), X86_EXC_UD);
}
END_TEST

/* ---- FXSAVE / FXRSTOR / MXCSR ------------------------------------------------ */

START_TEST(fxsave_layout)
{
    fx->x->cr4 |= CR4_OSFXSR;
    for (unsigned i = 0; i < 16; i++)
        for (unsigned b = 0; b < 16; b++)
            fx->x->fpu.xmm[i].b[b] = (uint8_t)(i * 16 + b);
    fx->x->fpu.mxcsr = 0x1fa0;
    /* fninit; fld1; fldpi; fdiv st0, st0? no: fadd dword [rbx+0x40]; fxsave [rbx] */
    w32(DATA + 0x40, 0x3f800000);
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDPI, 0xd8, MEM(0, 0x40), 0x0f, 0xae, MEM(0, 0)), X86F_HALTED);
    ck_assert_uint_eq(r16(DATA + 0), 0x037f);
    ck_assert_uint_eq(r16(DATA + 2), 0x3000 | FSW_PE); /* TOP 6 */
    ck_assert_uint_eq(r16(DATA + 4), 0xc0);
    ck_assert_uint_eq(r16(DATA + 6), 0x043); /* FOP: D8 43 -> 0x043 */
    ck_assert_uint_eq(r32(DATA + 8), X86F_CODE + 6); /* FIP: the fadd */
    ck_assert_uint_eq(r16(DATA + 12), 0x08);
    ck_assert_uint_eq(r32(DATA + 16), DATA + 0x40); /* FDP */
    ck_assert_uint_eq(r16(DATA + 20), 0x10);
    ck_assert_uint_eq(r32(DATA + 24), 0x1fa0);
    ck_assert_uint_eq(r32(DATA + 28), X86_MXCSR_MASK);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 32), 0x8487ed5110b4611aull);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 40), 0x4001);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 48), 0x8000000000000000ull);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 56), 0x3fff);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 160), 0x0706050403020100ull);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 160 + 15 * 16 + 8), 0xfffefdfcfbfaf9f8ull);
    /* FXSAVE64 (REX.W): FIP and FDP 64 bits wide */
    ck_assert_int_eq(RUN(0x48, 0x0f, 0xae, MEM(0, 0)), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 8), X86F_CODE + 6);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 16), DATA + 0x40);

    /* round trip: change the state, FXRSTOR, compare */
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(0, 0)), X86F_HALTED);
    struct x86_fpu saved = fx->x->fpu;
    ck_assert_int_eq(RUN(FNINIT, FLDZ, 0x0f, 0xae, MEM(1, 0)), X86F_HALTED);
    struct x86_fpu *n = &fx->x->fpu;
    ck_assert(n->fcw == saved.fcw && n->fsw == saved.fsw && n->ftw == saved.ftw && n->fop == saved.fop);
    ck_assert(n->fip == saved.fip && n->fdp == saved.fdp && n->fcs == saved.fcs && n->fds == saved.fds);
    for (unsigned i = 0; i < 8; i++)
        ck_assert(n->st[i].mant == saved.st[i].mant && n->st[i].sexp == saved.st[i].sexp);
    ck_assert(n->mxcsr == saved.mxcsr && memcmp(n->xmm, saved.xmm, sizeof saved.xmm) == 0);
    /* FXRSTOR64 takes 64-bit pointers and no selectors */
    x86f_w64(fx, DATA + 8, 0x123456789aull);
    ck_assert_int_eq(RUN(0x48, 0x0f, 0xae, MEM(1, 0)), X86F_HALTED);
    ck_assert_uint_eq(n->fip, 0x123456789aull);
    ck_assert_uint_eq(n->fcs, 0);

    /* misaligned: #GP(0) */
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(0, 8)), X86_EXC_GP);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(1, 8)), X86_EXC_GP);
    /* FXRSTOR with a reserved MXCSR bit (bit 16, outside MXCSR_MASK):
     * #GP, nothing loaded */
    w32(DATA + 24, 0x11f80);
    w16(DATA + 0, 0x0000);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(1, 0)), X86_EXC_GP);
    ck_assert_uint_eq(fx->x->fpu.fcw, 0x037f);
    /* OSFXSR = 0: MXCSR and XMM neither saved nor restored */
    fx->x->cr4 &= ~(uint64_t)CR4_OSFXSR;
    w32(DATA + 24, 0xdeadbeef);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(0, 0)), X86F_HALTED);
    ck_assert_uint_eq(r32(DATA + 24), 0xdeadbeef);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(1, 0)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.mxcsr, 0x1fa0);
}
END_TEST

START_TEST(mxcsr)
{
    fx->x->cr4 |= CR4_OSFXSR;
    w32(DATA, 0x7f80);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(2, 0), 0x0f, 0xae, MEM(3, 4)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.mxcsr, 0x7f80);
    ck_assert_uint_eq(r32(DATA + 4), 0x7f80);
    w32(DATA, 0x10000);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(2, 0)), X86_EXC_GP);
    ck_assert_uint_eq(fx->x->fpu.mxcsr, 0x7f80);
    /* DAZ (bit 6) is in MXCSR_MASK: LDMXCSR takes it */
    w32(DATA, 0x1fc0);
    ck_assert_int_eq(RUN(0x0f, 0xae, MEM(2, 0)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.mxcsr, 0x1fc0);
    ck_assert_uint_eq(X86_MXCSR_MASK & 0x40, 0x40);
}
END_TEST

/* ---- FNSTENV / FLDENV / FNSAVE / FRSTOR ------------------------------------- */

START_TEST(env_and_save)
{
    /* 32-bit protected layout (64-bit mode): fld1; fldz; fnstenv [rbx] */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDZ, 0xd9, MEM(6, 0)), X86F_HALTED);
    ck_assert_uint_eq(r32(DATA + 0), 0x037f);
    ck_assert_uint_eq(r32(DATA + 4), 0x3000);
    ck_assert_uint_eq(r32(DATA + 8), 0x1fff); /* R7 (bits 15:14) valid 00, R6 zero 01, others empty 11 */
    ck_assert_uint_eq(r32(DATA + 12), X86F_CODE + 4);
    ck_assert_uint_eq(r32(DATA + 16), 0x01ee0008); /* FOP 1EE, FCS 8 */
    ck_assert_uint_eq(fx->x->fpu.fcw, 0x037f);
    /* FLDENV of a modified image: masks, tags */
    w32(DATA + 0, 0x0c7f);
    w32(DATA + 8, 0xffff); /* all empty */
    ck_assert_int_eq(RUN(0xd9, MEM(4, 0)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.fcw, 0x0c7f);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0);
    /* FNSAVE (108 bytes) reinitializes; FRSTOR brings it back */
    ck_assert_int_eq(RUN(FNINIT, FLD1, FLDPI, 0xdd, MEM(6, 0)), X86F_HALTED);
    ck_assert_uint_eq(fx->x->fpu.ftw, 0);
    ck_assert_uint_eq(fx->x->fpu.fcw, 0x037f);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 28), 0xc90fdaa22168c235ull); /* ST0 */
    ck_assert_uint_eq(r16(DATA + 36), 0x4000);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 38), 0x8000000000000000ull); /* ST1 */
    ck_assert_int_eq(RUN(0xdd, MEM(4, 0)), X86F_HALTED);
    ASSERT_ST(0, 0x4000, 0xc90fdaa22168c235ull);
    ASSERT_ST(1, 0x3fff, 0x8000000000000000ull);
    ck_assert_uint_eq(fpu_top(fx->x), 6);
    /* 16-bit layout (66 prefix): 14-byte environment */
    ck_assert_int_eq(RUN(0x66, 0xd9, MEM(6, 0x70)), X86F_HALTED);
    ck_assert_uint_eq(r16(DATA + 0x70), 0x037f);
    ck_assert_uint_eq(r16(DATA + 0x72), 0x3000);
    ck_assert_uint_eq(r16(DATA + 0x74), 0x0fff);
    ck_assert_uint_eq(r16(DATA + 0x78), 0x08);
}
END_TEST

/* Real mode (after RESET): the 16- and 32-bit real-mode environment
 * layouts of SDM vol. 1 Figures 8-10 and 8-12 with 20-bit linear pointers */
START_TEST(env_real_mode)
{
    struct x86_cpu *x = fx->x;
    fx->c->ops->reset(fx->c);
    x86_load_seg_real(x, X86_CS, 0x0100); /* code at 0x1000 */
    x86_load_seg_real(x, X86_DS, 0x0200); /* data at 0x2000 */
    /* 0x10: fninit; fld1 (at IP 0x12); fnstenv [0x40]; 66 fnstenv [0x60]; hlt */
    static const uint8_t code[] = { 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0x36, 0x40, 0x00,
                                    0x66, 0xd9, 0x36, 0x60, 0x00, 0xf4 };
    x86f_write(fx, 0x1010, code, sizeof code);
    x->rip = 0x10;
    fx->c->state = CPU_RUNNING;
    ck_assert_int_eq(x86f_run_to_hlt(fx, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(r16(0x2040), 0x037f);
    ck_assert_uint_eq(r16(0x2042), 0x3800);
    ck_assert_uint_eq(r16(0x2044), 0x3fff);       /* R7 valid, the rest empty */
    ck_assert_uint_eq(r16(0x2046), 0x1012);       /* FIP[15:0] of the fld1: 0x1000 + 0x12 */
    ck_assert_uint_eq(r16(0x2048), 0x01e8);       /* FIP[19:16] = 0, FOP D9 E8 -> 1E8 */
    /* FNSTENV masked everything afterwards; the 32-bit real layout */
    ck_assert_uint_eq(r32(0x2060), 0x037f);
    ck_assert_uint_eq(r32(0x2068), 0x3fff);
    ck_assert_uint_eq(r32(0x206c), 0x1012);
    ck_assert_uint_eq(r32(0x2070), 0x01e8);
    /* FLDENV of the 16-bit image brings FIP back as a linear address */
    static const uint8_t code2[] = { 0xdb, 0xe3, 0xd9, 0x26, 0x40, 0x00, 0xf4 };
    x86f_write(fx, 0x1010, code2, sizeof code2);
    x->rip = 0x10;
    fx->c->state = CPU_RUNNING;
    ck_assert_int_eq(x86f_run_to_hlt(fx, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(x->fpu.fip, 0x1012);
    ck_assert_uint_eq(x->fpu.fcs, 0);
    ck_assert_uint_eq(x->fpu.fop, 0x1e8);
    ck_assert_uint_eq(x->fpu.ftw, 0x80);
}
END_TEST

START_TEST(cpuid_bits)
{
    uint32_t out[4];
    x86_cpuid(fx->x, 1, 0, out);
    ck_assert(out[3] & 1u);         /* FPU */
    ck_assert(out[3] & 1u << 24);   /* FXSR */
}
END_TEST

Suite *x86_fpu_suite(void)
{
    Suite *s = suite_create("x86_fpu");
    TCase *t = tcase_create("x87");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, reset_and_fninit);
    tcase_add_test(t, fldcw_fnclex);
    tcase_add_test(t, fadd_rounding);
    tcase_add_test(t, sub_div_forms);
    tcase_add_test(t, zero_divide);
    tcase_add_test(t, unmasked_over_underflow);
    tcase_add_test(t, stack_faults);
    tcase_add_test(t, invalid_ops);
    tcase_add_test(t, loads_stores);
    tcase_add_test(t, integer_stores);
    tcase_add_test(t, constants);
    tcase_add_test(t, compares);
    tcase_add_test(t, fxam_classes);
    tcase_add_test(t, fcmov_ffree_stack);
    tcase_add_test(t, sqrt_scale_xtract_prem);
    tcase_add_test(t, transcendentals);
    tcase_add_test(t, device_not_available);
    tcase_add_test(t, fxsave_layout);
    tcase_add_test(t, mxcsr);
    tcase_add_test(t, env_and_save);
    tcase_add_test(t, env_real_mode);
    tcase_add_test(t, cpuid_bits);
    suite_add_tcase(s, t);
    return s;
}
