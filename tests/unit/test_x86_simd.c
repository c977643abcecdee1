/* Unit tests for MMX / SSE..SSE4.2 (src/cpu/x86/simd*.c) through
 * tests/unit/x86_fixture.h: the exception conditions of SDM vol. 3A §13.1
 * / vol. 2 §2.5 (#UD with CR0.EM or CR4.OSFXSR clear, #NM with CR0.TS,
 * #GP(0) for a misaligned 16-byte operand, #XM / #UD for an unmasked SIMD
 * FP exception), the x87/MMX aliasing of vol. 1 §9.5.1, and hand-checked
 * results (FIPS-197 Appendix B for AESENC, SDM vol. 2 §4.1 for PCMPISTRI,
 * RCPSS/RSQRTSS within the documented 1.5 * 2^-12). The arithmetic at large
 * is checked against the host CPU by tests/x86/difftest.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>

#include "x86_fixture.h"

Suite *x86_simd_suite(void);

#define FL6 (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Puts the CPU at X86F_CODE with `code` + HLT, CR4.OSFXSR and
 * OSXMMEXCPT set (as an OS that uses SSE does), MXCSR at its reset value. */
static void setup(struct x86f *f, const uint8_t *code, size_t n)
{
    uint8_t buf[64];
    ck_assert_uint_lt(n, sizeof buf);
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, buf, n + 1);
    f->x->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    f->x->fpu.mxcsr = 0x1f80;
}

static int run(struct x86f *f) { return x86f_run_to_hlt(f, 100, NULL); }

static void set_xmm(struct x86f *f, int r, uint64_t lo, uint64_t hi)
{
    f->x->fpu.xmm[r].q[0] = lo;
    f->x->fpu.xmm[r].q[1] = hi;
}
static void set_ps(struct x86f *f, int r, float a, float b, float c, float d)
{
    float v[4] = { a, b, c, d };
    memcpy(&f->x->fpu.xmm[r], v, 16);
}
static uint32_t xd(struct x86f *f, int r, int k) { return f->x->fpu.xmm[r].d[k]; }
static uint64_t xq(struct x86f *f, int r, int k) { return f->x->fpu.xmm[r].q[k]; }
static uint32_t fbits(float v) { uint32_t u; memcpy(&u, &v, 4); return u; }
static float bitsf(uint32_t u) { float v; memcpy(&v, &u, 4); return v; }

static const uint8_t addps[] = { 0x0f, 0x58, 0xc1 };        /* addps xmm0, xmm1 */
static const uint8_t paddb_mm[] = { 0x0f, 0xfc, 0xc1 };     /* paddb mm0, mm1 */

/* CR0.EM / CR4.OSFXSR / CR0.TS (SDM vol. 3A §13.1, §2.5 Table 2-2;
 * vol. 2 "Exceptions" of ADDPS and of the MMX instructions). */
START_TEST(control_bits)
{
    struct x86f *f = x86f_new();
    setup(f, addps, sizeof addps);
    set_ps(f, 0, 1, 2, 3, 4);
    set_ps(f, 1, 10, 20, 30, 40);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 3), fbits(44));

    setup(f, addps, sizeof addps);
    f->x->cr4 &= ~(uint64_t)CR4_OSFXSR;
    ck_assert_int_eq(run(f), X86_EXC_UD);
    setup(f, addps, sizeof addps);
    f->x->cr0 |= CR0_EM;
    ck_assert_int_eq(run(f), X86_EXC_UD);
    setup(f, addps, sizeof addps);
    f->x->cr0 |= CR0_TS;
    set_ps(f, 0, 1, 2, 3, 4);
    ck_assert_int_eq(run(f), X86_EXC_NM);
    ck_assert_uint_eq(xd(f, 0, 0), fbits(1)); /* a fault: nothing written */
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), X86F_CODE);

    /* MMX: OSFXSR is not needed; EM -> #UD; TS -> #NM */
    setup(f, paddb_mm, sizeof paddb_mm);
    f->x->cr4 &= ~(uint64_t)CR4_OSFXSR;
    f->x->fpu.st[0].mant = 0x01020304050607ffull;
    f->x->fpu.st[1].mant = 0x0101010101010101ull;
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(f->x->fpu.st[0].mant, 0x0203040506070800ull);
    setup(f, paddb_mm, sizeof paddb_mm);
    f->x->cr0 |= CR0_EM;
    ck_assert_int_eq(run(f), X86_EXC_UD);
    setup(f, paddb_mm, sizeof paddb_mm);
    f->x->cr0 |= CR0_TS;
    ck_assert_int_eq(run(f), X86_EXC_NM);
    x86f_free(f);
}
END_TEST

/* MMX aliasing (SDM vol. 1 §9.5.1): an MMX instruction sets TOP = 0 and
 * every tag valid, a write sets bits 79:64 of the register to ones; EMMS
 * empties every tag. A pending x87 exception (FSW.ES) is #MF first. */
START_TEST(mmx_state)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = { 0x0f, 0xfc, 0xc1, 0xf4, 0x0f, 0x77 }; /* paddb; hlt; emms */
    setup(f, code, sizeof code);
    f->x->fpu.fsw = 5u << 11;
    f->x->fpu.ftw = 0;
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(f->x->fpu.fsw >> 11 & 7, 0);
    ck_assert_uint_eq(f->x->fpu.ftw, 0xff);
    ck_assert_uint_eq(f->x->fpu.st[0].sexp, 0xffff);
    f->c->state = CPU_RUNNING;
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(f->x->fpu.ftw, 0);

    setup(f, paddb_mm, sizeof paddb_mm);
    f->x->fpu.fsw = 0x0080; /* ES */
    ck_assert_int_eq(run(f), X86_EXC_MF);
    x86f_free(f);
}
END_TEST

/* A misaligned 16-byte operand of MOVAPS / a legacy SSE memory operand is
 * #GP(0); MOVUPS and MOVDQU take it (SDM vol. 2 MOVAPS, §2.5). */
START_TEST(alignment)
{
    struct x86f *f = x86f_new();
    static const uint8_t movaps[] = { 0x0f, 0x28, 0x03 };          /* movaps xmm0, [rbx] */
    static const uint8_t movups[] = { 0x0f, 0x10, 0x03 };          /* movups xmm0, [rbx] */
    static const uint8_t paddb[] = { 0x66, 0x0f, 0xfc, 0x03 };     /* paddb xmm0, [rbx] */
    static const uint8_t movdqu_st[] = { 0xf3, 0x0f, 0x7f, 0x03 }; /* movdqu [rbx], xmm0 */
    static const uint8_t movdqa_st[] = { 0x66, 0x0f, 0x7f, 0x03 }; /* movdqa [rbx], xmm0 */
    for (int k = 0; k < 32; k++)
        x86f_w64(f, X86F_DATA + 8 * k, 0x0101010101010101ull * (uint64_t)k);

    setup(f, movaps, sizeof movaps);
    x86f_set_reg(f, RBX, X86F_DATA + 8);
    ck_assert_int_eq(run(f), X86_EXC_GP);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), 0); /* error code 0 */
    setup(f, movaps, sizeof movaps);
    x86f_set_reg(f, RBX, X86F_DATA + 16);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xq(f, 0, 1), 0x0303030303030303ull);
    setup(f, movups, sizeof movups);
    x86f_set_reg(f, RBX, X86F_DATA + 8);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xq(f, 0, 0), 0x0101010101010101ull);
    ck_assert_uint_eq(xq(f, 0, 1), 0x0202020202020202ull);
    setup(f, paddb, sizeof paddb);
    x86f_set_reg(f, RBX, X86F_DATA + 4);
    ck_assert_int_eq(run(f), X86_EXC_GP);
    setup(f, movdqa_st, sizeof movdqa_st);
    x86f_set_reg(f, RBX, X86F_DATA + 1);
    ck_assert_int_eq(run(f), X86_EXC_GP);
    setup(f, movdqu_st, sizeof movdqu_st);
    x86f_set_reg(f, RBX, X86F_DATA + 1);
    set_xmm(f, 0, 0x1111111111111111ull, 0x2222222222222222ull);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(f, X86F_DATA + 9), 0x2222222222222222ull);
    x86f_free(f);
}
END_TEST

/* A 16-byte store whose second half is on a not-present page faults
 * with CR2 = that page and writes nothing. */
START_TEST(store_page_split)
{
    struct x86f *f = x86f_new();
    static const uint8_t movups_st[] = { 0x0f, 0x11, 0x03 }; /* movups [rbx], xmm0 */
    x86f_map_2m(f, 0x40000000, X86F_DATA, X86F_PTE_P | X86F_PTE_RW);
    x86f_w64(f, X86F_DATA + 0x1ffff8, 0x5555555555555555ull);
    setup(f, movups_st, sizeof movups_st);
    x86f_set_reg(f, RBX, 0x40000000 + 0x1ffff8);
    set_xmm(f, 0, 1, 2);
    ck_assert_int_eq(run(f), X86_EXC_PF);
    ck_assert_uint_eq(f->x->cr2, 0x40200000);
    ck_assert_uint_eq(x86f_r64(f, X86F_DATA + 0x1ffff8), 0x5555555555555555ull);
    x86f_free(f);
}
END_TEST

/* MXCSR (SDM vol. 1 §11.5.2): a masked divide by zero gives infinity and
 * sets ZE; unmasked (ZM = 0) it is #XM with CR4.OSXMMEXCPT, #UD without,
 * the destination unchanged and ZE set. Rounding control applies. */
START_TEST(mxcsr_exceptions)
{
    struct x86f *f = x86f_new();
    static const uint8_t divss[] = { 0xf3, 0x0f, 0x5e, 0xc1 }; /* divss xmm0, xmm1 */
    setup(f, divss, sizeof divss);
    set_ps(f, 0, 1, 7, 7, 7);
    set_ps(f, 1, 0, 0, 0, 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 0), 0x7f800000u);
    ck_assert_uint_eq(xd(f, 0, 1), fbits(7));
    ck_assert_uint_eq(f->x->fpu.mxcsr, 0x1f80 | 0x4);

    setup(f, divss, sizeof divss);
    f->x->fpu.mxcsr = 0x1f80 & ~(1u << 9);
    set_ps(f, 0, 1, 7, 7, 7);
    ck_assert_int_eq(run(f), X86_EXC_XM);
    ck_assert_uint_eq(xd(f, 0, 0), fbits(1));
    ck_assert_uint_eq(f->x->fpu.mxcsr, (0x1f80 & ~(1u << 9)) | 0x4);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), X86F_CODE); /* a fault */

    setup(f, divss, sizeof divss);
    f->x->cr4 &= ~(uint64_t)CR4_OSXMMEXCPT;
    f->x->fpu.mxcsr = 0x1f80 & ~(1u << 9);
    set_ps(f, 0, 1, 7, 7, 7);
    ck_assert_int_eq(run(f), X86_EXC_UD);
    ck_assert_uint_eq(xd(f, 0, 0), fbits(1));

    /* 1/3 rounded toward zero and up differ in the last bit; PE is set */
    setup(f, divss, sizeof divss);
    set_ps(f, 0, 1, 0, 0, 0);
    set_ps(f, 1, 3, 0, 0, 0);
    f->x->fpu.mxcsr = 0x1f80 | 3u << 13;
    ck_assert_int_eq(run(f), X86F_HALTED);
    uint32_t rz = xd(f, 0, 0);
    setup(f, divss, sizeof divss);
    set_ps(f, 0, 1, 0, 0, 0);
    set_ps(f, 1, 3, 0, 0, 0);
    f->x->fpu.mxcsr = 0x1f80 | 2u << 13;
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 0), rz + 1);
    ck_assert_uint_eq(f->x->fpu.mxcsr & 0x3f, 0x20);
    x86f_free(f);
}
END_TEST

/* Underflow (SDM vol. 1 §4.9.1.5): 2^-126 * 0.5 = 2^-127 is tiny and
 * exact. Masked: the denormal, no flag. Unmasked: #XM with UE, the
 * destination kept. 2^-126 * 0.75 is tiny and inexact: UE and PE. */
START_TEST(underflow_exact)
{
    struct x86f *f = x86f_new();
    static const uint8_t mulss[] = { 0xf3, 0x0f, 0x59, 0xc1 }; /* mulss xmm0, xmm1 */
    setup(f, mulss, sizeof mulss);
    set_xmm(f, 0, 0x00800000u, 0);
    set_xmm(f, 1, fbits(0.5f), 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 0), 0x00400000u);
    ck_assert_uint_eq(f->x->fpu.mxcsr, 0x1f80);

    setup(f, mulss, sizeof mulss);
    f->x->fpu.mxcsr = 0x1f80 & ~(1u << 11);
    set_xmm(f, 0, 0x00800000u, 0);
    set_xmm(f, 1, fbits(0.5f), 0);
    ck_assert_int_eq(run(f), X86_EXC_XM);
    ck_assert_uint_eq(xd(f, 0, 0), 0x00800000u);
    ck_assert_uint_eq(f->x->fpu.mxcsr & 0x3f, 0x10);

    setup(f, mulss, sizeof mulss);
    set_xmm(f, 0, 0x00800001u, 0);
    set_xmm(f, 1, fbits(0.75f), 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(f->x->fpu.mxcsr & 0x3f, 0x30);
    x86f_free(f);
}
END_TEST

/* COMISS signals invalid on a QNaN, UCOMISS does not; both give
 * ZF = PF = CF = 1 for unordered and clear OF SF AF (SDM vol. 2 COMISS). */
START_TEST(comiss_flags)
{
    struct x86f *f = x86f_new();
    static const uint8_t comiss[] = { 0x0f, 0x2f, 0xc1 }, ucomiss[] = { 0x0f, 0x2e, 0xc1 };
    setup(f, ucomiss, sizeof ucomiss);
    set_xmm(f, 0, 0x7fc00000u, 0);
    set_xmm(f, 1, fbits(1), 0);
    x86f_set_flags(f, FL_OF | FL_SF | FL_AF);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(x86f_flags(f) & FL6, FL_ZF | FL_PF | FL_CF);
    ck_assert_uint_eq(f->x->fpu.mxcsr & 0x3f, 0);
    setup(f, comiss, sizeof comiss);
    set_xmm(f, 0, 0x7fc00000u, 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(f->x->fpu.mxcsr & 0x3f, 1); /* IE */
    setup(f, comiss, sizeof comiss);
    set_ps(f, 0, 1, 0, 0, 0);
    set_ps(f, 1, 2, 0, 0, 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(x86f_flags(f) & FL6, FL_CF); /* less than */
    x86f_free(f);
}
END_TEST

/* GPR <-> XMM moves and conversions with REX.W (SDM vol. 2 MOVD/MOVQ,
 * CVTSI2SD, CVTTSD2SI: out of range -> the integer indefinite). */
START_TEST(gpr_forms)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = {
        0x66, 0x48, 0x0f, 0x6e, 0xc0,  /* movq xmm0, rax */
        0x66, 0x48, 0x0f, 0x7e, 0xc1,  /* movq rcx, xmm0 */
        0x66, 0x0f, 0x7e, 0xc2,        /* movd edx, xmm0 */
        0xf2, 0x48, 0x0f, 0x2a, 0xcb,  /* cvtsi2sd xmm1, rbx */
        0xf2, 0x0f, 0x2c, 0xf1,        /* cvttsd2si esi, xmm1 */
        0xf2, 0x48, 0x0f, 0x2c, 0xf9,  /* cvttsd2si rdi, xmm1 */
    };
    setup(f, code, sizeof code);
    x86f_set_reg(f, RAX, 0x8877665544332211ull);
    x86f_set_reg(f, RBX, 1ull << 40);
    x86f_set_reg(f, RDX, ~0ull);
    set_xmm(f, 0, 5, 6);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xq(f, 0, 0), 0x8877665544332211ull);
    ck_assert_uint_eq(xq(f, 0, 1), 0);
    ck_assert_uint_eq(x86f_reg(f, RCX), 0x8877665544332211ull);
    ck_assert_uint_eq(x86f_reg(f, RDX), 0x44332211ull);
    ck_assert_uint_eq(x86f_reg(f, RSI), 0x80000000ull);
    ck_assert_uint_eq(x86f_reg(f, RDI), 1ull << 40);
    ck_assert_uint_eq(f->x->fpu.mxcsr & 0x3f, 1); /* IE from the 32-bit one */
    x86f_free(f);
}
END_TEST

/* Packed integer results worked out by hand from the SDM's pseudo-code. */
START_TEST(packed_int)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = {
        0x66, 0x0f, 0xf5, 0xc1,        /* pmaddwd xmm0, xmm1 */
        0x66, 0x0f, 0xf6, 0xd3,        /* psadbw xmm2, xmm3 */
        0x66, 0x0f, 0x63, 0xe5,        /* packsswb xmm4, xmm5 */
        0x66, 0x0f, 0x38, 0x00, 0xf7,  /* pshufb xmm6, xmm7 */
        0x66, 0x0f, 0x73, 0xfb, 0x03,  /* pslldq xmm3, 3 */
    };
    setup(f, code, sizeof code);
    /* pmaddwd: words (1, 2, -3, 4, 0x8000, 0x8000, 7, 0) x (5, 6, 7, -8, 0x8000, 0x8000, 1, 1) */
    set_xmm(f, 0, 0x0004fffd00020001ull, 0x0000000780008000ull);
    set_xmm(f, 1, 0xfff8000700060005ull, 0x0001000180008000ull);
    set_xmm(f, 2, 0x0000000000000000ull, 0xffffffffffffffffull);
    set_xmm(f, 3, 0x0102030405060708ull, 0x0000000000000000ull);
    set_xmm(f, 4, 0x7fff8000ff800080ull, 0x0000000100020003ull);
    set_xmm(f, 5, 0, 0);
    set_xmm(f, 6, 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
    set_xmm(f, 7, 0x800102030405060full, 0x0000000000000000ull);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 0), 1 * 5 + 2 * 6);
    ck_assert_uint_eq(xd(f, 0, 1), (uint32_t)(-3 * 7 + 4 * -8));
    ck_assert_uint_eq(xd(f, 0, 2), 0x80000000u); /* the one wrapping case */
    ck_assert_uint_eq(xd(f, 0, 3), 7);
    ck_assert_uint_eq(xq(f, 2, 0), 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
    ck_assert_uint_eq(xq(f, 2, 1), 8 * 255);
    /* packsswb: words 0x80, 0xff80, 0x8000, 0x7fff, 3, 2, 1, 0 -> 7f 80 80 7f 03 02 01 00 */
    ck_assert_uint_eq(xq(f, 4, 0), 0x000102037f80807full);
    ck_assert_uint_eq(xq(f, 4, 1), 0);
    ck_assert_uint_eq(xq(f, 6, 0), 0x000102030405060full);
    ck_assert_uint_eq(xq(f, 6, 1), 0);
    ck_assert_uint_eq(xq(f, 3, 0), 0x0405060708000000ull);
    ck_assert_uint_eq(xq(f, 3, 1), 0x0000000000010203ull);
    x86f_free(f);
}
END_TEST

/* FIPS-197 Appendix B, round 1: start of round 193de3be..., round key
 * a0fafe17..., result a49c7ff2... (byte 0 first). */
START_TEST(aesenc_fips197)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = { 0x66, 0x0f, 0x38, 0xdc, 0xc1 }; /* aesenc xmm0, xmm1 */
    static const uint8_t state[16] = { 0x19, 0x3d, 0xe3, 0xbe, 0xa0, 0xf4, 0xe2, 0x2b,
                                       0x9a, 0xc6, 0x8d, 0x2a, 0xe9, 0xf8, 0x48, 0x08 };
    static const uint8_t key[16] = { 0xa0, 0xfa, 0xfe, 0x17, 0x88, 0x54, 0x2c, 0xb1,
                                     0x23, 0xa3, 0x39, 0x39, 0x2a, 0x6c, 0x76, 0x05 };
    static const uint8_t want[16] = { 0xa4, 0x9c, 0x7f, 0xf2, 0x68, 0x9f, 0x35, 0x2b,
                                      0x6b, 0x5b, 0xea, 0x43, 0x02, 0x6a, 0x50, 0x49 };
    setup(f, code, sizeof code);
    memcpy(&f->x->fpu.xmm[0], state, 16);
    memcpy(&f->x->fpu.xmm[1], key, 16);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_mem_eq(&f->x->fpu.xmm[0], want, 16);
    x86f_free(f);
}
END_TEST

/* PCMPISTRI equal ordered (imm8 0x0c, SDM vol. 2 §4.1): "wor" in "hello
 * world" at 6; CF (a match), ZF (the haystack ends), SF (the needle ends). */
START_TEST(pcmpistri_substring)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = { 0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x0c };
    setup(f, code, sizeof code);
    memset(&f->x->fpu.xmm[0], 0, 32);
    memcpy(&f->x->fpu.xmm[0], "wor", 3);
    memcpy(&f->x->fpu.xmm[1], "hello world", 11);
    x86f_set_reg(f, RCX, ~0ull);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RCX), 6);
    ck_assert_uint_eq(x86f_flags(f) & FL6, FL_CF | FL_ZF | FL_SF);
    x86f_free(f);
}
END_TEST

/* RCPSS / RSQRTSS (SDM vol. 2): within 1.5 * 2^-12 relative error; the
 * special cases exact; MXCSR untouched. */
START_TEST(rcp_rsqrt)
{
    struct x86f *f = x86f_new();
    static const uint8_t rcpss[] = { 0xf3, 0x0f, 0x53, 0xc1 }, rsqrtss[] = { 0xf3, 0x0f, 0x52, 0xc1 };
    static const float vals[] = { 3.0f, 0.1f, 7e30f, 1e-30f, 123.456f, 2.0f, -5.5f };
    for (unsigned k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        setup(f, rcpss, sizeof rcpss);
        set_ps(f, 1, vals[k], 0, 0, 0);
        ck_assert_int_eq(run(f), X86F_HALTED);
        double want = 1.0 / vals[k], got = bitsf(xd(f, 0, 0));
        ck_assert_msg(fabs(got - want) <= 1.5 * 0x1p-12 * fabs(want), "rcp %g: %g", (double)vals[k], got);
        if (vals[k] > 0) {
            setup(f, rsqrtss, sizeof rsqrtss);
            set_ps(f, 1, vals[k], 0, 0, 0);
            ck_assert_int_eq(run(f), X86F_HALTED);
            want = 1.0 / sqrt(vals[k]);
            got = bitsf(xd(f, 0, 0));
            ck_assert_msg(fabs(got - want) <= 1.5 * 0x1p-12 * fabs(want), "rsqrt %g: %g", (double)vals[k], got);
        }
    }
    static const uint32_t rcp_in[] = { 0, 0x80000000u, 0x7f800000u, 0x00000001u, 0x7f000000u };
    static const uint32_t rcp_out[] = { 0x7f800000u, 0xff800000u, 0, 0x7f800000u, 0 };
    for (unsigned k = 0; k < 5; k++) {
        setup(f, rcpss, sizeof rcpss);
        set_xmm(f, 1, rcp_in[k], 0);
        ck_assert_int_eq(run(f), X86F_HALTED);
        ck_assert_uint_eq(xd(f, 0, 0), rcp_out[k]);
        ck_assert_uint_eq(f->x->fpu.mxcsr, 0x1f80);
    }
    setup(f, rsqrtss, sizeof rsqrtss);
    set_xmm(f, 1, fbits(-1), 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 0), 0xffc00000u);
    setup(f, rsqrtss, sizeof rsqrtss);
    set_xmm(f, 1, fbits(4), 0);
    ck_assert_int_eq(run(f), X86F_HALTED);
    ck_assert_uint_eq(xd(f, 0, 0), fbits(0.5f));
    x86f_free(f);
}
END_TEST

/* CPUID.1 reports the SIMD extensions implemented here. */
START_TEST(cpuid_bits)
{
    struct x86f *f = x86f_new();
    uint32_t o[4];
    x86_cpuid(f->x, 1, 0, o);
    ck_assert_uint_eq(o[3] & (1u << 23 | 1u << 25 | 1u << 26), 1u << 23 | 1u << 25 | 1u << 26);
    uint32_t ecx = 1u << 0 | 1u << 1 | 1u << 9 | 1u << 19 | 1u << 20 | 1u << 25;
    ck_assert_uint_eq(o[2] & ecx, ecx);
    ck_assert_uint_eq(o[2] & (1u << 28 | 1u << 12 | 1u << 27), 0); /* no AVX, FMA, OSXSAVE */
    x86f_free(f);
}
END_TEST

Suite *x86_simd_suite(void)
{
    Suite *s = suite_create("x86_simd");
    TCase *tc = tcase_create("simd");
    tcase_add_test(tc, control_bits);
    tcase_add_test(tc, mmx_state);
    tcase_add_test(tc, alignment);
    tcase_add_test(tc, store_page_split);
    tcase_add_test(tc, mxcsr_exceptions);
    tcase_add_test(tc, underflow_exact);
    tcase_add_test(tc, comiss_flags);
    tcase_add_test(tc, gpr_forms);
    tcase_add_test(tc, packed_int);
    tcase_add_test(tc, aesenc_fips197);
    tcase_add_test(tc, pcmpistri_substring);
    tcase_add_test(tc, rcp_rsqrt);
    tcase_add_test(tc, cpuid_bits);
    suite_add_tcase(s, tc);
    return s;
}
