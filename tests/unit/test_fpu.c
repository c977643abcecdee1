/* Unit tests for the RV64 F/D execution unit (src/cpu/riscv/fpu.c).
 * Instructions are assembled here from their encodings (unpriv spec,
 * "F"/"D" chapters); expected results are exact bit patterns worked out
 * from the spec and IEEE 754, never recomputed with the host. */
#include <check.h>
#include <fenv.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/rv_hart.h"

Suite *fpu_suite(void);

/* ---- encoding ----------------------------------------------------------- */

enum { OP_FP = 0x53, OP_FMADD = 0x43, OP_FMSUB = 0x47, OP_FNMSUB = 0x4b, OP_FNMADD = 0x4f };
enum { S = 0, D = 1 };
enum {
    ADD = 0x00, SUB = 0x01, MUL = 0x02, DIV = 0x03, SGNJ = 0x04, MINMAX = 0x05,
    CVT_FF = 0x08, SQRT = 0x0b, CMP = 0x14, CVT_IF = 0x18, CVT_FI = 0x1a,
    MV_XF = 0x1c, MV_FX = 0x1e,
};
enum { W = 0, WU = 1, L = 2, LU = 3 };
enum { LE = 0, LT = 1, EQ = 2 };

static uint32_t enc_r(unsigned funct5, unsigned fmt, unsigned rs2, unsigned rs1,
                      unsigned rm, unsigned rd)
{
    return (funct5 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) |
           (rd << 7) | OP_FP;
}

static uint32_t enc_r4(unsigned opc, unsigned rs3, unsigned fmt, unsigned rs2,
                       unsigned rs1, unsigned rm, unsigned rd)
{
    return (rs3 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) |
           (rd << 7) | opc;
}

/* ---- harness ------------------------------------------------------------ */

#define FS_INITIAL (1ull << MSTATUS_FS_SHIFT)
#define FS_CLEAN   (2ull << MSTATUS_FS_SHIFT)
#define FS_DIRTY   (3ull << MSTATUS_FS_SHIFT)
#define BOX(v)     (0xffffffff00000000ull | (uint32_t)(v))
#define CNAN_S     0x7fc00000u
#define CNAN_D     0x7ff8000000000000ull
#define SNAN_S     0x7f800001u
#define SNAN_D     0x7ff0000000000001ull
#define QNAN_D     0x7ff8000000000123ull  /* quiet, with a payload */

static struct rv_hart *new_hart(void)
{
    struct rv_hart *h = calloc(1, sizeof *h);
    ck_assert_ptr_nonnull(h);
    h->mstatus = FS_INITIAL;
    return h;
}

/* Executes one instruction on a fresh hart whose f1/f2/f3 (and x1) hold the
 * given operands; the result goes to f4 / x4. Asserts success. */
struct run { uint64_t f, x; uint32_t flags; };

static struct run run3(uint32_t insn, uint64_t f1, uint64_t f2, uint64_t f3,
                       uint64_t x1, unsigned frm)
{
    struct rv_hart *h = new_hart();
    h->f[1] = f1; h->f[2] = f2; h->f[3] = f3; h->x[1] = x1;
    h->f[4] = 0x5555; h->x[4] = 0x5555;
    h->frm = frm;
    ck_assert_int_eq(rv_fp_exec(h, insn), 0);
    struct run r = { h->f[4], h->x[4], h->fflags };
    ck_assert(fegetround() == FE_TONEAREST);   /* host mode restored */
    free(h);
    return r;
}

/* Binary op (or FSQRT, whose rs2 field is 0), double: returns the result. */
static uint64_t opd(unsigned f5, unsigned rm, uint64_t a, uint64_t b, uint32_t *fl)
{
    struct run r = run3(enc_r(f5, D, f5 == SQRT ? 0 : 2, 1, rm, 4), a, b, 0, 0, 0);
    *fl = r.flags;
    return r.f;
}

/* Binary op, single: operands are boxed, the result must be boxed. */
static uint32_t ops(unsigned f5, unsigned rm, uint32_t a, uint32_t b, uint32_t *fl)
{
    struct run r = run3(enc_r(f5, S, f5 == SQRT ? 0 : 2, 1, rm, 4), BOX(a), BOX(b), 0, 0, 0);
    ck_assert_uint_eq(r.f >> 32, 0xffffffffu);
    *fl = r.flags;
    return (uint32_t)r.f;
}

static uint64_t fmad(unsigned opc, unsigned rm, uint64_t a, uint64_t b, uint64_t c,
                     uint32_t *fl)
{
    struct run r = run3(enc_r4(opc, 3, D, 2, 1, rm, 4), a, b, c, 0, 0);
    *fl = r.flags;
    return r.f;
}

static uint32_t fmas(unsigned opc, unsigned rm, uint32_t a, uint32_t b, uint32_t c,
                     uint32_t *fl)
{
    struct run r = run3(enc_r4(opc, 3, S, 2, 1, rm, 4), BOX(a), BOX(b), BOX(c), 0, 0);
    ck_assert_uint_eq(r.f >> 32, 0xffffffffu);
    *fl = r.flags;
    return (uint32_t)r.f;
}

/* Float -> integer: x4 result. */
static uint64_t to_int(unsigned fmt, unsigned kind, unsigned rm, uint64_t a, uint32_t *fl)
{
    struct run r = run3(enc_r(CVT_IF, fmt, kind, 1, rm, 4), a, 0, 0, 0, 0);
    *fl = r.flags;
    return r.x;
}

/* Integer -> float: f4 result (raw register, boxed for S). */
static uint64_t from_int(unsigned fmt, unsigned kind, unsigned rm, uint64_t x, uint32_t *fl)
{
    struct run r = run3(enc_r(CVT_FI, fmt, kind, 1, rm, 4), 0, 0, 0, x, 0);
    *fl = r.flags;
    return r.f;
}

static uint64_t cmp(unsigned fmt, unsigned kind, uint64_t a, uint64_t b, uint32_t *fl)
{
    struct run r = run3(enc_r(CMP, fmt, 2, 1, kind, 4), a, b, 0, 0, 0);
    *fl = r.flags;
    return r.x;
}

static uint64_t fclass(unsigned fmt, uint64_t a)
{
    struct run r = run3(enc_r(MV_XF, fmt, 0, 1, 1, 4), a, 0, 0, 0, 0);
    ck_assert_uint_eq(r.flags, 0);
    return r.x;
}

#define EXPECT(val, flags, want, want_flags) do {                 \
        ck_assert_uint_eq((val), (want));                         \
        ck_assert_uint_eq((flags), (want_flags));                 \
    } while (0)

static const unsigned modes[5] = { RM_RNE, RM_RTZ, RM_RDN, RM_RUP, RM_RMM };

/* ---- rounding of each arithmetic operation ------------------------------ */

START_TEST(test_div_rounding)
{
    /* Exact values rounded in RNE, RTZ, RDN, RUP, RMM order. */
    static const uint64_t d_third[5] = { 0x3fd5555555555555, 0x3fd5555555555555,
        0x3fd5555555555555, 0x3fd5555555555556, 0x3fd5555555555555 };
    static const uint64_t d_mthird[5] = { 0xbfd5555555555555, 0xbfd5555555555555,
        0xbfd5555555555556, 0xbfd5555555555555, 0xbfd5555555555555 };
    static const uint64_t d_tenth[5] = { 0x3fb999999999999a, 0x3fb9999999999999,
        0x3fb9999999999999, 0x3fb999999999999a, 0x3fb999999999999a };
    static const uint64_t d_mtenth[5] = { 0xbfb999999999999a, 0xbfb9999999999999,
        0xbfb999999999999a, 0xbfb9999999999999, 0xbfb999999999999a };
    static const uint32_t s_third[5] = { 0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab };
    static const uint32_t s_mthird[5] = { 0xbeaaaaab, 0xbeaaaaaa, 0xbeaaaaab, 0xbeaaaaaa, 0xbeaaaaab };
    static const uint32_t s_tenth[5] = { 0x3dcccccd, 0x3dcccccc, 0x3dcccccc, 0x3dcccccd, 0x3dcccccd };
    uint32_t fl;

    for (int i = 0; i < 5; i++) {
        unsigned rm = modes[i];
        EXPECT(opd(DIV, rm, 0x3ff0000000000000, 0x4008000000000000, &fl), fl, d_third[i], FFLAG_NX);
        EXPECT(opd(DIV, rm, 0xbff0000000000000, 0x4008000000000000, &fl), fl, d_mthird[i], FFLAG_NX);
        EXPECT(opd(DIV, rm, 0x3ff0000000000000, 0x4024000000000000, &fl), fl, d_tenth[i], FFLAG_NX);
        EXPECT(opd(DIV, rm, 0x3ff0000000000000, 0xc024000000000000, &fl), fl, d_mtenth[i], FFLAG_NX);
        EXPECT(ops(DIV, rm, 0x3f800000, 0x40400000, &fl), fl, s_third[i], FFLAG_NX);
        EXPECT(ops(DIV, rm, 0x3f800000, 0xc0400000, &fl), fl, s_mthird[i], FFLAG_NX);
        EXPECT(ops(DIV, rm, 0x3f800000, 0x41200000, &fl), fl, s_tenth[i], FFLAG_NX);
    }
    /* Exact quotient: no flags. */
    EXPECT(opd(DIV, RM_RUP, 0x4018000000000000, 0x4008000000000000, &fl), fl,
           0x4000000000000000, 0);
}
END_TEST

START_TEST(test_dynamic_rm)
{
    /* rm = 7 takes frm: 1/3 single rounds up only under RUP/RNE/RMM. */
    struct run r = run3(enc_r(DIV, S, 2, 1, RM_DYN, 4), BOX(0x3f800000), BOX(0x40400000),
                        0, 0, RM_RTZ);
    ck_assert_uint_eq(r.f, BOX(0x3eaaaaaa));
    r = run3(enc_r(DIV, S, 2, 1, RM_DYN, 4), BOX(0x3f800000), BOX(0x40400000), 0, 0, RM_RUP);
    ck_assert_uint_eq(r.f, BOX(0x3eaaaaab));
    r = run3(enc_r(DIV, D, 2, 1, RM_DYN, 4), 0xbff0000000000000, 0x4008000000000000, 0, 0,
             RM_RDN);
    ck_assert_uint_eq(r.f, 0xbfd5555555555556);
}
END_TEST

START_TEST(test_add_sub_mul_sqrt_rounding)
{
    /* RNE, RTZ, RDN, RUP, RMM */
    static const uint64_t add_d[5] = { 0x3ff0000000000000, 0x3ff0000000000000,
        0x3ff0000000000000, 0x3ff0000000000001, 0x3ff0000000000000 };      /* 1 + 2^-60 */
    static const uint64_t sub_d[5] = { 0x3ff0000000000000, 0x3fefffffffffffff,
        0x3fefffffffffffff, 0x3ff0000000000000, 0x3ff0000000000000 };      /* 1 - 2^-60 */
    static const uint64_t mul_d[5] = { 0x3ff0000000000002, 0x3ff0000000000002,
        0x3ff0000000000002, 0x3ff0000000000003, 0x3ff0000000000002 };      /* (1+2^-52)^2 */
    static const uint64_t sqrt_d[5] = { 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc,
        0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcd };      /* sqrt 2 */
    static const uint32_t add_s[5] = { 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000 };
    static const uint32_t sub_s[5] = { 0xbf800000, 0xbf800000, 0xbf800001, 0xbf800000, 0xbf800000 };
    static const uint32_t mul_s[5] = { 0x3f800002, 0x3f800002, 0x3f800002, 0x3f800003, 0x3f800002 };
    static const uint32_t sqrt_s[5] = { 0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3 };
    uint32_t fl;

    for (int i = 0; i < 5; i++) {
        unsigned rm = modes[i];
        EXPECT(opd(ADD, rm, 0x3ff0000000000000, 0x3c30000000000000, &fl), fl, add_d[i], FFLAG_NX);
        EXPECT(opd(SUB, rm, 0x3ff0000000000000, 0x3c30000000000000, &fl), fl, sub_d[i], FFLAG_NX);
        EXPECT(opd(MUL, rm, 0x3ff0000000000001, 0x3ff0000000000001, &fl), fl, mul_d[i], FFLAG_NX);
        EXPECT(opd(SQRT, rm, 0x4000000000000000, 0, &fl), fl, sqrt_d[i], FFLAG_NX);
        /* 1 + 2^-30; -1 - 2^-30 */
        EXPECT(ops(ADD, rm, 0x3f800000, 0x30800000, &fl), fl, add_s[i], FFLAG_NX);
        EXPECT(ops(SUB, rm, 0xbf800000, 0x30800000, &fl), fl, sub_s[i], FFLAG_NX);
        EXPECT(ops(MUL, rm, 0x3f800001, 0x3f800001, &fl), fl, mul_s[i], FFLAG_NX);
        EXPECT(ops(SQRT, rm, 0x40000000, 0, &fl), fl, sqrt_s[i], FFLAG_NX);
    }
    /* Exact results raise nothing; x - x is +0 except under RDN (IEEE 6.3). */
    EXPECT(opd(SQRT, RM_RNE, 0x4022000000000000, 0, &fl), fl, 0x4008000000000000, 0);
    EXPECT(opd(SUB, RM_RNE, 0x4000000000000000, 0x4000000000000000, &fl), fl, 0, 0);
    EXPECT(opd(SUB, RM_RDN, 0x4000000000000000, 0x4000000000000000, &fl), fl,
           0x8000000000000000, 0);
    EXPECT(ops(SUB, RM_RDN, 0x40000000, 0x40000000, &fl), fl, 0x80000000, 0);
    /* sqrt(-0) = -0 without flags. */
    EXPECT(opd(SQRT, RM_RNE, 0x8000000000000000, 0, &fl), fl, 0x8000000000000000, 0);
}
END_TEST

/* RMM must pick the larger magnitude on exact ties, where RNE picks even. */
START_TEST(test_rmm_ties)
{
    uint32_t fl;

    /* 1 + 2^-53: halfway between 1 and 1+2^-52. */
    EXPECT(opd(ADD, RM_RNE, 0x3ff0000000000000, 0x3ca0000000000000, &fl), fl,
           0x3ff0000000000000, FFLAG_NX);
    EXPECT(opd(ADD, RM_RMM, 0x3ff0000000000000, 0x3ca0000000000000, &fl), fl,
           0x3ff0000000000001, FFLAG_NX);
    EXPECT(opd(SUB, RM_RMM, 0xbff0000000000000, 0x3ca0000000000000, &fl), fl,
           0xbff0000000000001, FFLAG_NX);
    /* (1+2^-52) + 2^-53: RNE already rounds away (to even 1+2^-51). */
    EXPECT(opd(ADD, RM_RMM, 0x3ff0000000000001, 0x3ca0000000000000, &fl), fl,
           0x3ff0000000000002, FFLAG_NX);
    EXPECT(opd(ADD, RM_RNE, 0x3ff0000000000001, 0x3ca0000000000000, &fl), fl,
           0x3ff0000000000002, FFLAG_NX);
    /* Single: 1 + 2^-24. */
    EXPECT(ops(ADD, RM_RNE, 0x3f800000, 0x33800000, &fl), fl, 0x3f800000, FFLAG_NX);
    EXPECT(ops(ADD, RM_RMM, 0x3f800000, 0x33800000, &fl), fl, 0x3f800001, FFLAG_NX);
    /* Just above / below the tie is not a tie. */
    EXPECT(ops(ADD, RM_RMM, 0x3f800000, 0x337fffff, &fl), fl, 0x3f800000, FFLAG_NX);
    /* (1 + 3*2^-23) * 1.5 = 1.5 + 4.5 ulp. */
    EXPECT(ops(MUL, RM_RNE, 0x3f800003, 0x3fc00000, &fl), fl, 0x3fc00004, FFLAG_NX);
    EXPECT(ops(MUL, RM_RMM, 0x3f800003, 0x3fc00000, &fl), fl, 0x3fc00005, FFLAG_NX);
    EXPECT(opd(MUL, RM_RNE, 0x3ff0000000000003, 0x3ff8000000000000, &fl), fl,
           0x3ff8000000000004, FFLAG_NX);
    EXPECT(opd(MUL, RM_RMM, 0x3ff0000000000003, 0x3ff8000000000000, &fl), fl,
           0x3ff8000000000005, FFLAG_NX);
    EXPECT(opd(MUL, RM_RMM, 0xbff0000000000003, 0x3ff8000000000000, &fl), fl,
           0xbff8000000000005, FFLAG_NX);
    /* Subnormal tie: 5 * 2^-1074 / 2 = 2.5 * 2^-1074. */
    EXPECT(opd(DIV, RM_RNE, 5, 0x4000000000000000, &fl), fl, 2, FFLAG_UF | FFLAG_NX);
    EXPECT(opd(DIV, RM_RMM, 5, 0x4000000000000000, &fl), fl, 3, FFLAG_UF | FFLAG_NX);
    /* Tie between 0 and the smallest subnormal. */
    EXPECT(opd(MUL, RM_RNE, 1, 0x3fe0000000000000, &fl), fl, 0, FFLAG_UF | FFLAG_NX);
    EXPECT(opd(MUL, RM_RMM, 1, 0x3fe0000000000000, &fl), fl, 1, FFLAG_UF | FFLAG_NX);
    EXPECT(ops(MUL, RM_RMM, 0x80000001, 0x3f000000, &fl), fl, 0x80000001, FFLAG_UF | FFLAG_NX);
    /* Fused: (1+2^-30)^2 + (2^-53 - 2^-60) = 1 + 2^-29 + 2^-53 exactly, a
     * tie only visible with a single rounding. */
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x3ff0000000400000, 0x3ff0000000400000,
                0x3c9fc00000000000, &fl), fl, 0x3ff0000000800000, FFLAG_NX);
    EXPECT(fmad(OP_FMADD, RM_RMM, 0x3ff0000000400000, 0x3ff0000000400000,
                0x3c9fc00000000000, &fl), fl, 0x3ff0000000800001, FFLAG_NX);
    /* Single fused: 1*1 + 2^-24. */
    EXPECT(fmas(OP_FMADD, RM_RMM, 0x3f800000, 0x3f800000, 0x33800000, &fl), fl,
           0x3f800001, FFLAG_NX);
    /* Conversions: FCVT.S.D of 1 + 2^-24; FCVT.S.L of 2^24 + 1. */
    struct run r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), 0x3ff0000010000000, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0x3f800000), FFLAG_NX);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RMM, 4), 0x3ff0000010000000, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0x3f800001), FFLAG_NX);
    EXPECT(from_int(S, L, RM_RNE, 16777217, &fl), fl, BOX(0x4b800000), FFLAG_NX);
    EXPECT(from_int(S, L, RM_RMM, 16777217, &fl), fl, BOX(0x4b800001), FFLAG_NX);
    EXPECT(from_int(S, W, RM_RMM, (uint64_t)-16777217, &fl), fl, BOX(0xcb800001), FFLAG_NX);
    /* 2^53 + 1 to double. */
    EXPECT(from_int(D, LU, RM_RMM, (1ull << 53) + 1, &fl), fl, 0x4340000000000001, FFLAG_NX);
    EXPECT(from_int(D, LU, RM_RNE, (1ull << 53) + 1, &fl), fl, 0x4340000000000000, FFLAG_NX);
    /* sqrt never ties: RMM equals RNE. */
    EXPECT(opd(SQRT, RM_RMM, 0x4000000000000000, 0, &fl), fl, 0x3ff6a09e667f3bcd, FFLAG_NX);
}
END_TEST

/* ---- exception flags ------------------------------------------------------ */

START_TEST(test_flags)
{
    uint32_t fl;

    /* DZ */
    EXPECT(opd(DIV, RM_RNE, 0x3ff0000000000000, 0, &fl), fl, 0x7ff0000000000000, FFLAG_DZ);
    EXPECT(opd(DIV, RM_RNE, 0xbff0000000000000, 0, &fl), fl, 0xfff0000000000000, FFLAG_DZ);
    EXPECT(ops(DIV, RM_RNE, 0x3f800000, 0x80000000, &fl), fl, 0xff800000, FFLAG_DZ);
    /* NV: sqrt(-1), 0 * inf, inf - inf, 0 / 0 */
    EXPECT(opd(SQRT, RM_RNE, 0xbff0000000000000, 0, &fl), fl, CNAN_D, FFLAG_NV);
    EXPECT(ops(SQRT, RM_RNE, 0xbf800000, 0, &fl), fl, CNAN_S, FFLAG_NV);
    EXPECT(opd(MUL, RM_RNE, 0, 0x7ff0000000000000, &fl), fl, CNAN_D, FFLAG_NV);
    EXPECT(ops(MUL, RM_RNE, 0x7f800000, 0x80000000, &fl), fl, CNAN_S, FFLAG_NV);
    EXPECT(opd(SUB, RM_RNE, 0x7ff0000000000000, 0x7ff0000000000000, &fl), fl, CNAN_D, FFLAG_NV);
    EXPECT(ops(DIV, RM_RNE, 0, 0, &fl), fl, CNAN_S, FFLAG_NV);
    /* OF: DBL_MAX * 2 */
    EXPECT(opd(MUL, RM_RNE, 0x7fefffffffffffff, 0x4000000000000000, &fl), fl,
           0x7ff0000000000000, FFLAG_OF | FFLAG_NX);
    EXPECT(opd(MUL, RM_RTZ, 0x7fefffffffffffff, 0x4000000000000000, &fl), fl,
           0x7fefffffffffffff, FFLAG_OF | FFLAG_NX);
    EXPECT(opd(MUL, RM_RDN, 0x7fefffffffffffff, 0x4000000000000000, &fl), fl,
           0x7fefffffffffffff, FFLAG_OF | FFLAG_NX);
    EXPECT(opd(MUL, RM_RDN, 0xffefffffffffffff, 0x4000000000000000, &fl), fl,
           0xfff0000000000000, FFLAG_OF | FFLAG_NX);
    EXPECT(opd(MUL, RM_RMM, 0x7fefffffffffffff, 0x4000000000000000, &fl), fl,
           0x7ff0000000000000, FFLAG_OF | FFLAG_NX);
    EXPECT(ops(ADD, RM_RNE, 0x7f7fffff, 0x7f7fffff, &fl), fl, 0x7f800000, FFLAG_OF | FFLAG_NX);
    EXPECT(ops(ADD, RM_RUP, 0xff7fffff, 0xff7fffff, &fl), fl, 0xff7fffff, FFLAG_OF | FFLAG_NX);
    /* UF: tiny and inexact. */
    EXPECT(opd(MUL, RM_RNE, 1, 0x3fe0000000000000, &fl), fl, 0, FFLAG_UF | FFLAG_NX);
    EXPECT(opd(MUL, RM_RUP, 1, 0x3fe0000000000000, &fl), fl, 1, FFLAG_UF | FFLAG_NX);
    EXPECT(ops(MUL, RM_RDN, 0x00000001, 0xbf000000, &fl), fl, 0x80000001, FFLAG_UF | FFLAG_NX);
    /* Tiny but exact: no UF. */
    EXPECT(opd(MUL, RM_RNE, 0x0010000000000000, 0x3fe0000000000000, &fl), fl,
           0x0008000000000000, 0);
    /* Tininess is detected after rounding (§ Subnormal Arithmetic): below
     * 2^emin before rounding, but rounds to exactly 2^emin -> NX only. */
    EXPECT(ops(MUL, RM_RNE, 0x007ffff0, 0x3f800010, &fl), fl, 0x00800000, FFLAG_NX);
    EXPECT(opd(MUL, RM_RNE, 0x000ffffffffffff0, 0x3ff0000000000010, &fl), fl,
           0x0010000000000000, FFLAG_NX);
    /* ...whereas rounding down stays subnormal: UF. */
    EXPECT(ops(MUL, RM_RTZ, 0x007ffff0, 0x3f800010, &fl), fl, 0x007fffff, FFLAG_UF | FFLAG_NX);
}
END_TEST

START_TEST(test_flags_accumulate)
{
    struct rv_hart *h = new_hart();
    h->fflags = FFLAG_OF;
    h->f[1] = 0x3ff0000000000000; h->f[2] = 0x4008000000000000; h->f[3] = 0;
    ck_assert_int_eq(rv_fp_exec(h, enc_r(DIV, D, 2, 1, RM_RNE, 4)), 0);
    ck_assert_uint_eq(h->fflags, FFLAG_OF | FFLAG_NX);
    ck_assert_int_eq(rv_fp_exec(h, enc_r(DIV, D, 3, 1, RM_RNE, 4)), 0);
    ck_assert_uint_eq(h->fflags, FFLAG_OF | FFLAG_NX | FFLAG_DZ);
    free(h);
}
END_TEST

/* ---- NaNs ------------------------------------------------------------------ */

START_TEST(test_canonical_nan)
{
    uint32_t fl;

    /* Arithmetic NaN results are canonical; qNaN inputs raise nothing. */
    EXPECT(opd(ADD, RM_RNE, QNAN_D, 0x3ff0000000000000, &fl), fl, CNAN_D, 0);
    EXPECT(opd(MUL, RM_RNE, 0x3ff0000000000000, 0xfff8000000000042, &fl), fl, CNAN_D, 0);
    EXPECT(opd(ADD, RM_RNE, SNAN_D, 0x3ff0000000000000, &fl), fl, CNAN_D, FFLAG_NV);
    EXPECT(opd(SQRT, RM_RNE, SNAN_D, 0, &fl), fl, CNAN_D, FFLAG_NV);
    EXPECT(ops(ADD, RM_RNE, 0xffc00123, 0x3f800000, &fl), fl, CNAN_S, 0);
    EXPECT(ops(DIV, RM_RNE, 0x3f800000, SNAN_S, &fl), fl, CNAN_S, FFLAG_NV);
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x3ff0000000000000, 0x3ff0000000000000, QNAN_D, &fl), fl,
           CNAN_D, 0);
    EXPECT(fmad(OP_FNMADD, RM_RNE, 0x3ff0000000000000, SNAN_D, 0, &fl), fl, CNAN_D, FFLAG_NV);
    /* FCVT between formats: canonical NaN, NV only for sNaN. */
    struct run r = run3(enc_r(CVT_FF, D, S, 1, RM_RNE, 4), BOX(SNAN_S), 0, 0, 0, 0);
    EXPECT(r.f, r.flags, CNAN_D, FFLAG_NV);
    r = run3(enc_r(CVT_FF, D, S, 1, RM_RNE, 4), BOX(0xffc00077), 0, 0, 0, 0);
    EXPECT(r.f, r.flags, CNAN_D, 0);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), QNAN_D, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(CNAN_S), 0);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), SNAN_D, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(CNAN_S), FFLAG_NV);
}
END_TEST

START_TEST(test_fma_inf_zero_qnan)
{
    uint32_t fl;
    /* § F: inf * 0 + qNaN must set NV. */
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x7ff0000000000000, 0, QNAN_D, &fl), fl, CNAN_D, FFLAG_NV);
    EXPECT(fmad(OP_FMSUB, RM_RNE, 0x8000000000000000, 0xfff0000000000000, CNAN_D, &fl), fl,
           CNAN_D, FFLAG_NV);
    EXPECT(fmas(OP_FNMADD, RM_RNE, 0, 0x7f800000, CNAN_S, &fl), fl, CNAN_S, FFLAG_NV);
    EXPECT(fmas(OP_FMADD, RM_RNE, 0x7f800000, 0x00000000, 0x3f800000, &fl), fl, CNAN_S, FFLAG_NV);
    /* inf * 1 + qNaN: just the NaN, no NV. */
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x7ff0000000000000, 0x3ff0000000000000, QNAN_D, &fl), fl,
           CNAN_D, 0);
}
END_TEST

START_TEST(test_nan_boxing)
{
    uint32_t fl;
    struct run r;

    /* An S operand whose upper half is not all ones is the canonical NaN. */
    r = run3(enc_r(ADD, S, 2, 1, RM_RNE, 4), 0x000000003f800000, BOX(0x3f800000), 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(CNAN_S), 0);
    r = run3(enc_r(ADD, S, 2, 1, RM_RNE, 4), BOX(0x3f800000), 0xfffffffe3f800000, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(CNAN_S), 0);
    /* ...also for sign injection (result: canonical NaN with rs2's sign). */
    r = run3(enc_r(SGNJ, S, 2, 1, 0, 4), 0x12345678ff800001, BOX(0xbf800000), 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0xffc00000), 0);
    /* ...and for classify, compare, widening. */
    r = run3(enc_r(MV_XF, S, 0, 1, 1, 4), 0x3f800000, 0, 0, 0, 0);
    ck_assert_uint_eq(r.x, 1u << 9);
    EXPECT(cmp(S, EQ, 0x3f800000, 0x3f800000, &fl), fl, 0, 0);
    EXPECT(cmp(S, LE, 0x3f800000, BOX(0x3f800000), &fl), fl, 0, FFLAG_NV);
    r = run3(enc_r(CVT_FF, D, S, 1, RM_RNE, 4), 0x7f800001, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, CNAN_D, 0);
    /* Transfers ignore boxing: FMV.X.W takes the low 32 bits, sign-extended. */
    r = run3(enc_r(MV_XF, S, 0, 1, 0, 4), 0x1234567880000001, 0, 0, 0, 0);
    EXPECT(r.x, r.flags, 0xffffffff80000001, 0);
    r = run3(enc_r(MV_XF, S, 0, 1, 0, 4), BOX(0x7f800001), 0, 0, 0, 0);
    EXPECT(r.x, r.flags, 0x7f800001, 0);
    /* FMV.W.X boxes and keeps the payload. */
    r = run3(enc_r(MV_FX, S, 0, 1, 0, 4), 0, 0, 0, 0x123456787f800001, 0);
    EXPECT(r.f, r.flags, BOX(0x7f800001), 0);
    /* D operations see all 64 bits: a boxed single is just a NaN there. */
    r = run3(enc_r(MV_XF, D, 0, 1, 1, 4), BOX(0x3f800000), 0, 0, 0, 0);
    ck_assert_uint_eq(r.x, 1u << 9);
}
END_TEST

/* ---- sign injection, moves ------------------------------------------------- */

START_TEST(test_sgnj_fmv)
{
    struct run r;

    r = run3(enc_r(SGNJ, D, 2, 1, 0, 4), 0x3ff0000000000000, 0x8000000000000000, 0, 0, 0);
    EXPECT(r.f, r.flags, 0xbff0000000000000, 0);
    r = run3(enc_r(SGNJ, D, 2, 1, 1, 4), 0x3ff0000000000000, 0x8000000000000000, 0, 0, 0);
    EXPECT(r.f, r.flags, 0x3ff0000000000000, 0);
    r = run3(enc_r(SGNJ, D, 2, 1, 2, 4), 0xbff0000000000000, 0x8000000000000000, 0, 0, 0);
    EXPECT(r.f, r.flags, 0x3ff0000000000000, 0);
    /* Payloads kept, no NV even for a signaling NaN. */
    r = run3(enc_r(SGNJ, D, 2, 1, 1, 4), SNAN_D, SNAN_D, 0, 0, 0);
    EXPECT(r.f, r.flags, 0x8000000000000000 | SNAN_D, 0);
    r = run3(enc_r(SGNJ, S, 2, 1, 2, 4), BOX(0xff800001), BOX(0x80000000), 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0x7f800001), 0);
    r = run3(enc_r(SGNJ, S, 2, 1, 1, 4), BOX(0x40490fdb), BOX(0x40490fdb), 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0xc0490fdb), 0);
    /* FMV.X.D / FMV.D.X move raw bits. */
    r = run3(enc_r(MV_XF, D, 0, 1, 0, 4), 0xfff0000000000123, 0, 0, 0, 0);
    EXPECT(r.x, r.flags, 0xfff0000000000123, 0);
    r = run3(enc_r(MV_FX, D, 0, 1, 0, 4), 0, 0, 0, 0x7ff0000000000abc, 0);
    EXPECT(r.f, r.flags, 0x7ff0000000000abc, 0);
    /* FMV.X.W of a positive value: upper bits zero. */
    r = run3(enc_r(MV_XF, S, 0, 1, 0, 4), BOX(0x3f800000), 0, 0, 0, 0);
    EXPECT(r.x, r.flags, 0x3f800000, 0);
}
END_TEST

/* ---- FMIN / FMAX ------------------------------------------------------------ */

START_TEST(test_minmax)
{
    uint32_t fl;
    const uint64_t one = 0x3ff0000000000000, two = 0x4000000000000000;
    const uint64_t pz = 0, nz = 0x8000000000000000;
    enum { MIN = 0, MAX = 1 };

    /* minimumNumber/maximumNumber: NaN operand -> the other one. */
    EXPECT(opd(MINMAX, MIN, SNAN_D, one, &fl), fl, one, FFLAG_NV);
    EXPECT(opd(MINMAX, MAX, one, SNAN_D, &fl), fl, one, FFLAG_NV);
    EXPECT(opd(MINMAX, MIN, QNAN_D, one, &fl), fl, one, 0);
    EXPECT(opd(MINMAX, MAX, 0xc000000000000000, QNAN_D, &fl), fl, 0xc000000000000000, 0);
    EXPECT(opd(MINMAX, MIN, QNAN_D, QNAN_D, &fl), fl, CNAN_D, 0);
    EXPECT(opd(MINMAX, MAX, SNAN_D, QNAN_D, &fl), fl, CNAN_D, FFLAG_NV);
    /* -0 < +0 in both operand orders. */
    EXPECT(opd(MINMAX, MIN, nz, pz, &fl), fl, nz, 0);
    EXPECT(opd(MINMAX, MIN, pz, nz, &fl), fl, nz, 0);
    EXPECT(opd(MINMAX, MAX, nz, pz, &fl), fl, pz, 0);
    EXPECT(opd(MINMAX, MAX, pz, nz, &fl), fl, pz, 0);
    /* Ordinary values. */
    EXPECT(opd(MINMAX, MIN, two, one, &fl), fl, one, 0);
    EXPECT(opd(MINMAX, MAX, two, one, &fl), fl, two, 0);
    EXPECT(opd(MINMAX, MAX, 0xfff0000000000000, 0xbff0000000000000, &fl), fl,
           0xbff0000000000000, 0);
    EXPECT(opd(MINMAX, MIN, 0xfff0000000000000, 0xbff0000000000000, &fl), fl,
           0xfff0000000000000, 0);
    /* Single. */
    EXPECT(ops(MINMAX, MIN, SNAN_S, 0x40000000, &fl), fl, 0x40000000, FFLAG_NV);
    EXPECT(ops(MINMAX, MAX, 0x7fc00001, 0xc0000000, &fl), fl, 0xc0000000, 0);
    EXPECT(ops(MINMAX, MAX, 0x80000000, 0x00000000, &fl), fl, 0x00000000, 0);
    EXPECT(ops(MINMAX, MIN, 0x00000000, 0x80000000, &fl), fl, 0x80000000, 0);
    EXPECT(ops(MINMAX, MIN, 0x7fc00000, SNAN_S, &fl), fl, CNAN_S, FFLAG_NV);
    EXPECT(ops(MINMAX, MIN, 0x00000001, 0x80000001, &fl), fl, 0x80000001, 0);
}
END_TEST

/* ---- compares and classify ---------------------------------------------- */

START_TEST(test_compare)
{
    uint32_t fl;
    const uint64_t one = 0x3ff0000000000000, two = 0x4000000000000000;

    /* FEQ is quiet on qNaN; FLT/FLE are signaling. Result 0 on any NaN. */
    EXPECT(cmp(D, EQ, QNAN_D, one, &fl), fl, 0, 0);
    EXPECT(cmp(D, LT, QNAN_D, one, &fl), fl, 0, FFLAG_NV);
    EXPECT(cmp(D, LE, one, QNAN_D, &fl), fl, 0, FFLAG_NV);
    EXPECT(cmp(D, EQ, one, SNAN_D, &fl), fl, 0, FFLAG_NV);
    EXPECT(cmp(D, EQ, QNAN_D, QNAN_D, &fl), fl, 0, 0);
    EXPECT(cmp(D, EQ, 0x8000000000000000, 0, &fl), fl, 1, 0);
    EXPECT(cmp(D, LT, 0x8000000000000000, 0, &fl), fl, 0, 0);
    EXPECT(cmp(D, LE, 0x8000000000000000, 0, &fl), fl, 1, 0);
    EXPECT(cmp(D, LT, one, two, &fl), fl, 1, 0);
    EXPECT(cmp(D, LT, two, one, &fl), fl, 0, 0);
    EXPECT(cmp(D, LE, two, two, &fl), fl, 1, 0);
    EXPECT(cmp(D, LT, 0xfff0000000000000, 0xffefffffffffffff, &fl), fl, 1, 0);
    EXPECT(cmp(S, EQ, BOX(0x7fc00000), BOX(0x3f800000), &fl), fl, 0, 0);
    EXPECT(cmp(S, LT, BOX(0x7fc00000), BOX(0x3f800000), &fl), fl, 0, FFLAG_NV);
    EXPECT(cmp(S, EQ, BOX(SNAN_S), BOX(0x3f800000), &fl), fl, 0, FFLAG_NV);
    EXPECT(cmp(S, LT, BOX(0xbf800000), BOX(0x3f800000), &fl), fl, 1, 0);
    EXPECT(cmp(S, EQ, BOX(0x3f800000), BOX(0x3f800000), &fl), fl, 1, 0);

    /* rd = x0 is never written. */
    struct rv_hart *h = new_hart();
    h->f[1] = one; h->f[2] = one;
    ck_assert_int_eq(rv_fp_exec(h, enc_r(CMP, D, 2, 1, EQ, 0)), 0);
    ck_assert_uint_eq(h->x[0], 0);
    ck_assert_int_eq(rv_fp_exec(h, enc_r(CVT_IF, D, L, 1, RM_RNE, 0)), 0);
    ck_assert_uint_eq(h->x[0], 0);
    free(h);
}
END_TEST

START_TEST(test_fclass)
{
    static const uint64_t d[10] = {
        0xfff0000000000000, 0xbff0000000000000, 0x800fffffffffffff, 0x8000000000000000,
        0x0000000000000000, 0x0000000000000001, 0x7fefffffffffffff, 0x7ff0000000000000,
        0x7ff4000000000000, 0x7ff8000000000000,
    };
    static const uint32_t s[10] = {
        0xff800000, 0x80800000, 0x80000001, 0x80000000, 0x00000000, 0x007fffff,
        0x3f800000, 0x7f800000, 0x7fbfffff, 0xffc00001,
    };
    for (int i = 0; i < 10; i++) {
        ck_assert_uint_eq(fclass(D, d[i]), 1u << i);
        ck_assert_uint_eq(fclass(S, BOX(s[i])), 1u << i);
    }
}
END_TEST

/* ---- conversions ------------------------------------------------------------- */

START_TEST(test_cvt_to_int_saturation)
{
    uint32_t fl;
    const uint64_t pinf = 0x7ff0000000000000, ninf = 0xfff0000000000000;
    const uint64_t big = 0x41e65a0bc0000000;   /* 3e9 */
    const uint64_t mbig = 0xc1e65a0bc0000000;  /* -3e9 */

    /* Table "Domains of float-to-integer conversions". */
    EXPECT(to_int(D, W, RM_RTZ, QNAN_D, &fl), fl, 0x7fffffff, FFLAG_NV);
    EXPECT(to_int(D, W, RM_RTZ, SNAN_D, &fl), fl, 0x7fffffff, FFLAG_NV);
    EXPECT(to_int(D, W, RM_RTZ, pinf, &fl), fl, 0x7fffffff, FFLAG_NV);
    EXPECT(to_int(D, W, RM_RTZ, ninf, &fl), fl, 0xffffffff80000000, FFLAG_NV);
    EXPECT(to_int(D, W, RM_RTZ, big, &fl), fl, 0x7fffffff, FFLAG_NV);
    EXPECT(to_int(D, W, RM_RTZ, mbig, &fl), fl, 0xffffffff80000000, FFLAG_NV);

    EXPECT(to_int(D, WU, RM_RTZ, QNAN_D, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, WU, RM_RTZ, pinf, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, WU, RM_RTZ, ninf, &fl), fl, 0, FFLAG_NV);
    EXPECT(to_int(D, WU, RM_RTZ, 0x41f0000000000000, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, WU, RM_RTZ, 0xbff0000000000000, &fl), fl, 0, FFLAG_NV);
    /* In range: 3e9 and 2^32-1 (sign-extended 32-bit results). */
    EXPECT(to_int(D, WU, RM_RTZ, big, &fl), fl, 0xffffffffb2d05e00, 0);
    EXPECT(to_int(D, WU, RM_RTZ, 0x41efffffffe00000, &fl), fl, 0xffffffffffffffff, 0);

    EXPECT(to_int(D, L, RM_RTZ, QNAN_D, &fl), fl, 0x7fffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, L, RM_RTZ, pinf, &fl), fl, 0x7fffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, L, RM_RTZ, ninf, &fl), fl, 0x8000000000000000, FFLAG_NV);
    EXPECT(to_int(D, L, RM_RTZ, 0x43e0000000000000, &fl), fl, 0x7fffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, L, RM_RTZ, 0xc3e0000000000001, &fl), fl, 0x8000000000000000, FFLAG_NV);
    EXPECT(to_int(D, L, RM_RTZ, 0xc3e0000000000000, &fl), fl, 0x8000000000000000, 0);
    EXPECT(to_int(D, L, RM_RTZ, 0x43dfffffffffffff, &fl), fl, 0x7ffffffffffffc00, 0);

    EXPECT(to_int(D, LU, RM_RTZ, QNAN_D, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, LU, RM_RTZ, pinf, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, LU, RM_RTZ, ninf, &fl), fl, 0, FFLAG_NV);
    EXPECT(to_int(D, LU, RM_RTZ, 0x43f0000000000000, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(D, LU, RM_RTZ, 0x43efffffffffffff, &fl), fl, 0xfffffffffffff800, 0);
    EXPECT(to_int(D, LU, RM_RTZ, 0xbff0000000000000, &fl), fl, 0, FFLAG_NV);

    /* Single sources. */
    EXPECT(to_int(S, W, RM_RNE, BOX(0x7fc00000), &fl), fl, 0x7fffffff, FFLAG_NV);
    EXPECT(to_int(S, W, RM_RNE, BOX(0xff800000), &fl), fl, 0xffffffff80000000, FFLAG_NV);
    EXPECT(to_int(S, W, RM_RNE, BOX(0x4f000000), &fl), fl, 0x7fffffff, FFLAG_NV);  /* 2^31 */
    EXPECT(to_int(S, W, RM_RNE, BOX(0xcf000000), &fl), fl, 0xffffffff80000000, 0); /* -2^31 */
    EXPECT(to_int(S, WU, RM_RNE, BOX(0x4f800000), &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(S, L, RM_RNE, BOX(0x5f000000), &fl), fl, 0x7fffffffffffffff, FFLAG_NV);
    EXPECT(to_int(S, LU, RM_RNE, BOX(0x5f7fffff), &fl), fl, 0xffffff0000000000, 0);
    EXPECT(to_int(S, LU, RM_RNE, BOX(0x5f800000), &fl), fl, 0xffffffffffffffff, FFLAG_NV);
    EXPECT(to_int(S, LU, RM_RNE, BOX(0xff800000), &fl), fl, 0, FFLAG_NV);
    EXPECT(to_int(S, L, RM_RNE, BOX(0x7f800000), &fl), fl, 0x7fffffffffffffff, FFLAG_NV);
}
END_TEST

START_TEST(test_cvt_to_int_rounding)
{
    uint32_t fl;
    /* RNE, RTZ, RDN, RUP, RMM of 2.5, -2.5, 1.5, -0.5 */
    static const int64_t p25[5] = { 2, 2, 2, 3, 3 };
    static const int64_t m25[5] = { -2, -2, -3, -2, -3 };
    static const int64_t p15[5] = { 2, 1, 1, 2, 2 };
    static const int64_t m05[5] = { 0, 0, -1, 0, -1 };

    for (int i = 0; i < 5; i++) {
        unsigned rm = modes[i];
        EXPECT(to_int(D, L, rm, 0x4004000000000000, &fl), fl, (uint64_t)p25[i], FFLAG_NX);
        EXPECT(to_int(D, W, rm, 0xc004000000000000, &fl), fl, (uint64_t)m25[i], FFLAG_NX);
        EXPECT(to_int(S, W, rm, BOX(0x3fc00000), &fl), fl, (uint64_t)p15[i], FFLAG_NX);
        EXPECT(to_int(S, L, rm, BOX(0xbf000000), &fl), fl, (uint64_t)m05[i], FFLAG_NX);
    }
    /* Exact: no flags. */
    EXPECT(to_int(D, W, RM_RNE, 0xc008000000000000, &fl), fl, (uint64_t)-3, 0);
    EXPECT(to_int(D, WU, RM_RNE, 0x8000000000000000, &fl), fl, 0, 0);
    /* Negative input rounding to -0 is valid for unsigned: NX only; rounding
     * to -1 is out of range: NV only. */
    EXPECT(to_int(D, WU, RM_RTZ, 0xbfe6666666666666, &fl), fl, 0, FFLAG_NX);   /* -0.7 */
    EXPECT(to_int(D, WU, RM_RNE, 0xbfd999999999999a, &fl), fl, 0, FFLAG_NX);   /* -0.4 */
    EXPECT(to_int(D, WU, RM_RNE, 0xbfe6666666666666, &fl), fl, 0, FFLAG_NV);
    EXPECT(to_int(D, LU, RM_RUP, 0xbfe6666666666666, &fl), fl, 0, FFLAG_NX);
    EXPECT(to_int(S, LU, RM_RDN, BOX(0xbe800000), &fl), fl, 0, FFLAG_NV);        /* -0.25 */
    /* Boundaries decided after rounding. */
    EXPECT(to_int(D, W, RM_RNE, 0x41dfffffffd9999a, &fl), fl, 0x7fffffff, FFLAG_NX);  /* 2^31-1.4 -> 2^31-1 */
    EXPECT(to_int(D, W, RM_RNE, 0x41dfffffffe00000, &fl), fl, 0x7fffffff, FFLAG_NV);  /* 2^31-0.5 -> 2^31 */
    EXPECT(to_int(D, W, RM_RTZ, 0x41dfffffffe00000, &fl), fl, 0x7fffffff, FFLAG_NX);
    EXPECT(to_int(D, W, RM_RTZ, 0xc1e00000001ccccd, &fl), fl, 0xffffffff80000000, FFLAG_NX); /* -2^31-0.9 */
    EXPECT(to_int(D, W, RM_RDN, 0xc1e00000001ccccd, &fl), fl, 0xffffffff80000000, FFLAG_NV);
    /* 2^32-0.8 and 2^32-0.9: 2^32-1 after RTZ / RNE, 2^32 after RUP. */
    EXPECT(to_int(D, WU, RM_RTZ, 0x41efffffffe66666, &fl), fl, 0xffffffffffffffff, FFLAG_NX);
    EXPECT(to_int(D, WU, RM_RNE, 0x41efffffffe33333, &fl), fl, 0xffffffffffffffff, FFLAG_NX);
    EXPECT(to_int(D, WU, RM_RUP, 0x41efffffffe33333, &fl), fl, 0xffffffffffffffff, FFLAG_NV);
}
END_TEST

START_TEST(test_cvt_from_int)
{
    uint32_t fl;

    EXPECT(from_int(D, W, RM_RNE, (uint64_t)-5, &fl), fl, 0xc014000000000000, 0);
    EXPECT(from_int(D, W, RM_RNE, 0x0000000100000005, &fl), fl, 0x4014000000000000, 0);
    EXPECT(from_int(D, WU, RM_RNE, 0xffffffffffffffff, &fl), fl, 0x41efffffffe00000, 0);
    EXPECT(from_int(D, L, RM_RNE, 0x7fffffffffffffff, &fl), fl, 0x43e0000000000000, FFLAG_NX);
    EXPECT(from_int(D, L, RM_RTZ, 0x7fffffffffffffff, &fl), fl, 0x43dfffffffffffff, FFLAG_NX);
    EXPECT(from_int(D, L, RM_RUP, 0x8000000000000001, &fl), fl, 0xc3dfffffffffffff, FFLAG_NX);
    EXPECT(from_int(D, L, RM_RDN, 0x8000000000000001, &fl), fl, 0xc3e0000000000000, FFLAG_NX);
    EXPECT(from_int(D, LU, RM_RNE, 0xffffffffffffffff, &fl), fl, 0x43f0000000000000, FFLAG_NX);
    EXPECT(from_int(D, LU, RM_RTZ, 0xffffffffffffffff, &fl), fl, 0x43efffffffffffff, FFLAG_NX);
    EXPECT(from_int(D, LU, RM_RDN, 0xffffffffffffffff, &fl), fl, 0x43efffffffffffff, FFLAG_NX);
    EXPECT(from_int(D, LU, RM_RUP, 0x8000000000000401, &fl), fl, 0x43e0000000000001, FFLAG_NX);
    EXPECT(from_int(D, LU, RM_RNE, 0x8000000000000400, &fl), fl, 0x43e0000000000000, FFLAG_NX);
    EXPECT(from_int(S, W, RM_RNE, 16777217, &fl), fl, BOX(0x4b800000), FFLAG_NX);
    EXPECT(from_int(S, W, RM_RUP, 16777217, &fl), fl, BOX(0x4b800001), FFLAG_NX);
    EXPECT(from_int(S, WU, RM_RTZ, 0xffffffff, &fl), fl, BOX(0x4f7fffff), FFLAG_NX);
    EXPECT(from_int(S, LU, RM_RTZ, 0xffffffffffffffff, &fl), fl, BOX(0x5f7fffff), FFLAG_NX);
    EXPECT(from_int(S, LU, RM_RNE, 0xffffffffffffffff, &fl), fl, BOX(0x5f800000), FFLAG_NX);
    EXPECT(from_int(S, L, RM_RNE, 0x8000000000000000, &fl), fl, BOX(0xdf000000), 0);
    /* FCVT.S.W rd, x0 gives +0 with no flags. */
    struct run r = run3(enc_r(CVT_FI, S, W, 0, RM_RNE, 4), 0, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0), 0);
}
END_TEST

START_TEST(test_cvt_float_float)
{
    struct run r;

    /* FCVT.S.D of 0.1 in each direction. */
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), 0x3fb999999999999a, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0x3dcccccd), FFLAG_NX);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RTZ, 4), 0x3fb999999999999a, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0x3dcccccc), FFLAG_NX);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RDN, 4), 0xbfb999999999999a, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0xbdcccccd), FFLAG_NX);
    /* Overflow / underflow when narrowing. */
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), 0x7e37e43c8800759c, 0, 0, 0, 0); /* 1e300 */
    EXPECT(r.f, r.flags, BOX(0x7f800000), FFLAG_OF | FFLAG_NX);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RTZ, 4), 0x7e37e43c8800759c, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0x7f7fffff), FFLAG_OF | FFLAG_NX);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), 0x01a56e1fc2f8f359, 0, 0, 0, 0); /* 1e-300 */
    EXPECT(r.f, r.flags, BOX(0), FFLAG_UF | FFLAG_NX);
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RUP, 4), 0x01a56e1fc2f8f359, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(1), FFLAG_UF | FFLAG_NX);
    /* Infinity and exact values convert without flags. */
    r = run3(enc_r(CVT_FF, S, D, 1, RM_RNE, 4), 0xfff0000000000000, 0, 0, 0, 0);
    EXPECT(r.f, r.flags, BOX(0xff800000), 0);
    /* FCVT.D.S is exact. */
    r = run3(enc_r(CVT_FF, D, S, 1, RM_RNE, 4), BOX(0x3dcccccd), 0, 0, 0, 0);
    EXPECT(r.f, r.flags, 0x3fb99999a0000000, 0);
    r = run3(enc_r(CVT_FF, D, S, 1, RM_RNE, 4), BOX(0x80000001), 0, 0, 0, 0);
    EXPECT(r.f, r.flags, 0xb6a0000000000000, 0);
}
END_TEST

/* ---- fused multiply-add ------------------------------------------------------ */

START_TEST(test_fma_variants)
{
    uint32_t fl;
    const uint64_t two = 0x4000000000000000, three = 0x4008000000000000, one = 0x3ff0000000000000;

    EXPECT(fmad(OP_FMADD, RM_RNE, two, three, one, &fl), fl, 0x401c000000000000, 0);   /*  7 */
    EXPECT(fmad(OP_FMSUB, RM_RNE, two, three, one, &fl), fl, 0x4014000000000000, 0);   /*  5 */
    EXPECT(fmad(OP_FNMSUB, RM_RNE, two, three, one, &fl), fl, 0xc014000000000000, 0);  /* -5 */
    EXPECT(fmad(OP_FNMADD, RM_RNE, two, three, one, &fl), fl, 0xc01c000000000000, 0);  /* -7 */
    EXPECT(fmas(OP_FMADD, RM_RNE, 0x40000000, 0x40400000, 0x3f800000, &fl), fl, 0x40e00000, 0);
    EXPECT(fmas(OP_FMSUB, RM_RNE, 0x40000000, 0x40400000, 0x3f800000, &fl), fl, 0x40a00000, 0);
    EXPECT(fmas(OP_FNMSUB, RM_RNE, 0x40000000, 0x40400000, 0x3f800000, &fl), fl, 0xc0a00000, 0);
    EXPECT(fmas(OP_FNMADD, RM_RNE, 0x40000000, 0x40400000, 0x3f800000, &fl), fl, 0xc0e00000, 0);
    /* Signed zeros: the product is negated, not the sum. */
    EXPECT(fmad(OP_FNMSUB, RM_RNE, one, 0, 0, &fl), fl, 0, 0);                   /* -0 + +0 */
    EXPECT(fmad(OP_FNMADD, RM_RNE, one, 0, 0, &fl), fl, 0x8000000000000000, 0);  /* -0 - +0 */
    EXPECT(fmad(OP_FMSUB, RM_RNE, one, 0, 0, &fl), fl, 0, 0);                    /* +0 - +0 */
    EXPECT(fmad(OP_FMSUB, RM_RDN, one, 0, 0, &fl), fl, 0x8000000000000000, 0);
    /* Single rounding: (1+2^-30)^2 - (1+2^-29) = 2^-60 exactly. */
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x3ff0000000400000, 0x3ff0000000400000,
                0xbff0000000800000, &fl), fl, 0x3c30000000000000, 0);
    EXPECT(fmas(OP_FMADD, RM_RNE, 0x3f800001, 0x3f800001, 0xbf800002, &fl), fl, 0x28800000, 0);
    /* Rounding direction of a fused result: 1/3-ish products. */
    EXPECT(fmad(OP_FMADD, RM_RUP, 0x3fd5555555555555, 0x4008000000000000, 0, &fl), fl,
           0x3ff0000000000000, FFLAG_NX);
    EXPECT(fmad(OP_FMADD, RM_RTZ, 0x3fd5555555555555, 0x4008000000000000, 0, &fl), fl,
           0x3fefffffffffffff, FFLAG_NX);
    /* Overflow. */
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x7fefffffffffffff, two, 0xffefffffffffffff, &fl), fl,
           0x7fefffffffffffff, 0);
    EXPECT(fmad(OP_FMADD, RM_RNE, 0x7fefffffffffffff, two, 0, &fl), fl,
           0x7ff0000000000000, FFLAG_OF | FFLAG_NX);
}
END_TEST

/* ---- decoding, rm and mstatus.FS ------------------------------------------- */

static void expect_illegal(struct rv_hart *h, uint32_t insn)
{
    uint64_t f4 = h->f[4], x4 = h->x[4], ms = h->mstatus;
    uint32_t flags = h->fflags;
    ck_assert_int_eq(rv_fp_exec(h, insn), EXC_ILLEGAL_INSN);
    ck_assert_uint_eq(h->f[4], f4);
    ck_assert_uint_eq(h->x[4], x4);
    ck_assert_uint_eq(h->fflags, flags);
    ck_assert_uint_eq(h->mstatus, ms);
}

START_TEST(test_illegal_rm)
{
    struct rv_hart *h = new_hart();
    h->f[1] = 0x3ff0000000000000; h->f[2] = 0x4008000000000000; h->f[3] = h->f[2];
    h->f[4] = 0x1234; h->x[4] = 0x5678;
    h->fflags = FFLAG_UF;

    expect_illegal(h, enc_r(DIV, D, 2, 1, 5, 4));
    expect_illegal(h, enc_r(DIV, D, 2, 1, 6, 4));
    expect_illegal(h, enc_r(SQRT, S, 0, 1, 5, 4));
    expect_illegal(h, enc_r4(OP_FMADD, 3, D, 2, 1, 6, 4));
    expect_illegal(h, enc_r(CVT_IF, D, W, 1, 5, 4));
    expect_illegal(h, enc_r(CVT_FI, D, L, 1, 6, 4));
    expect_illegal(h, enc_r(CVT_FF, D, S, 1, 5, 4));  /* widening, still decoded */
    for (unsigned frm = 5; frm <= 7; frm++) {
        h->frm = frm;
        expect_illegal(h, enc_r(ADD, D, 2, 1, RM_DYN, 4));
        expect_illegal(h, enc_r4(OP_FNMSUB, 3, S, 2, 1, RM_DYN, 4));
        expect_illegal(h, enc_r(CVT_FF, S, D, 1, RM_DYN, 4));
        /* Instructions whose funct3 is not a rounding mode don't care. */
        ck_assert_int_eq(rv_fp_exec(h, enc_r(SGNJ, D, 2, 1, 0, 4)), 0);
        ck_assert_int_eq(rv_fp_exec(h, enc_r(MINMAX, D, 2, 1, 1, 4)), 0);
        ck_assert_int_eq(rv_fp_exec(h, enc_r(CMP, D, 2, 1, EQ, 4)), 0);
        ck_assert_int_eq(rv_fp_exec(h, enc_r(MV_XF, D, 0, 1, 1, 4)), 0);
    }
    /* A valid dynamic mode works. */
    h->frm = RM_RUP;
    ck_assert_int_eq(rv_fp_exec(h, enc_r(DIV, D, 2, 1, RM_DYN, 4)), 0);
    ck_assert_uint_eq(h->f[4], 0x3fd5555555555556);
    free(h);
}
END_TEST

START_TEST(test_illegal_encodings)
{
    struct rv_hart *h = new_hart();
    h->f[4] = 0x1234; h->x[4] = 0x5678;

    expect_illegal(h, enc_r(ADD, 2, 2, 1, 0, 4));          /* fmt H */
    expect_illegal(h, enc_r(ADD, 3, 2, 1, 0, 4));          /* fmt Q */
    expect_illegal(h, enc_r4(OP_FMADD, 3, 2, 2, 1, 0, 4));
    expect_illegal(h, enc_r(0x06, D, 2, 1, 0, 4));         /* unused funct5 */
    expect_illegal(h, enc_r(0x1f, D, 2, 1, 0, 4));
    expect_illegal(h, enc_r(SQRT, D, 1, 1, 0, 4));         /* rs2 != 0 */
    expect_illegal(h, enc_r(SGNJ, D, 2, 1, 3, 4));
    expect_illegal(h, enc_r(MINMAX, S, 2, 1, 2, 4));
    expect_illegal(h, enc_r(CMP, D, 2, 1, 3, 4));
    expect_illegal(h, enc_r(CVT_FF, S, 2, 1, 0, 4));       /* from H */
    expect_illegal(h, enc_r(CVT_FF, D, D, 1, 0, 4));       /* D -> D */
    expect_illegal(h, enc_r(CVT_IF, D, 4, 1, 0, 4));
    expect_illegal(h, enc_r(CVT_FI, S, 5, 1, 0, 4));
    expect_illegal(h, enc_r(MV_XF, D, 0, 1, 2, 4));
    expect_illegal(h, enc_r(MV_XF, D, 1, 1, 0, 4));
    expect_illegal(h, enc_r(MV_FX, D, 0, 1, 1, 4));
    expect_illegal(h, enc_r(MV_FX, S, 1, 1, 0, 4));
    expect_illegal(h, 0x00000013);                         /* not an FP opcode */
    free(h);
}
END_TEST

START_TEST(test_mstatus_fs)
{
    struct rv_hart *h = new_hart();
    h->f[1] = 0x3ff0000000000000; h->f[2] = 0x3ff0000000000000;
    h->f[4] = 0x1234; h->x[4] = 0x5678;

    /* FS = Off: every FP instruction traps, nothing changes. */
    h->mstatus = MSTATUS_MIE;
    expect_illegal(h, enc_r(ADD, D, 2, 1, 0, 4));
    expect_illegal(h, enc_r(MV_XF, D, 0, 1, 0, 4));
    expect_illegal(h, enc_r(SGNJ, S, 2, 1, 0, 4));
    expect_illegal(h, enc_r4(OP_FMADD, 3, D, 2, 1, 0, 4));

    /* Initial and Clean become Dirty, with SD. */
    h->mstatus = MSTATUS_MIE | FS_INITIAL;
    ck_assert_int_eq(rv_fp_exec(h, enc_r(ADD, D, 2, 1, 0, 4)), 0);
    ck_assert_uint_eq(h->f[4], 0x4000000000000000);
    ck_assert_uint_eq(h->mstatus, MSTATUS_MIE | FS_DIRTY | MSTATUS_SD);
    h->mstatus = FS_CLEAN;
    ck_assert_int_eq(rv_fp_exec(h, enc_r(CMP, D, 2, 1, EQ, 4)), 0);
    ck_assert_uint_eq(h->x[4], 1);
    ck_assert_uint_eq(h->mstatus, FS_DIRTY | MSTATUS_SD);
    /* A failing decode leaves FS alone. */
    h->mstatus = FS_CLEAN;
    expect_illegal(h, enc_r(ADD, D, 2, 1, 5, 4));
    free(h);
}
END_TEST

Suite *fpu_suite(void)
{
    Suite *s = suite_create("fpu");
    TCase *tc = tcase_create("arith");
    tcase_add_test(tc, test_div_rounding);
    tcase_add_test(tc, test_dynamic_rm);
    tcase_add_test(tc, test_add_sub_mul_sqrt_rounding);
    tcase_add_test(tc, test_rmm_ties);
    tcase_add_test(tc, test_flags);
    tcase_add_test(tc, test_flags_accumulate);
    tcase_add_test(tc, test_fma_variants);
    suite_add_tcase(s, tc);

    tc = tcase_create("nan");
    tcase_add_test(tc, test_canonical_nan);
    tcase_add_test(tc, test_fma_inf_zero_qnan);
    tcase_add_test(tc, test_nan_boxing);
    tcase_add_test(tc, test_sgnj_fmv);
    tcase_add_test(tc, test_minmax);
    tcase_add_test(tc, test_compare);
    tcase_add_test(tc, test_fclass);
    suite_add_tcase(s, tc);

    tc = tcase_create("convert");
    tcase_add_test(tc, test_cvt_to_int_saturation);
    tcase_add_test(tc, test_cvt_to_int_rounding);
    tcase_add_test(tc, test_cvt_from_int);
    tcase_add_test(tc, test_cvt_float_float);
    suite_add_tcase(s, tc);

    tc = tcase_create("decode");
    tcase_add_test(tc, test_illegal_rm);
    tcase_add_test(tc, test_illegal_encodings);
    tcase_add_test(tc, test_mstatus_fs);
    suite_add_tcase(s, tc);
    return s;
}
