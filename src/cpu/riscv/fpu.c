/* RV64 "F" and "D" extensions: execution of OP-FP and of the fused
 * multiply-add opcodes (RISC-V unprivileged spec, "F" Standard Extension for
 * Single-Precision Floating-Point 2.2 and "D" 2.2; section names below are
 * those of that text).
 *
 * Correctly rounded operations (add, sub, mul, div, sqrt, fused multiply-add,
 * int->float and float->float narrowing) use the host's IEEE 754 binary32 /
 * binary64 arithmetic under the host rounding mode matching rm, and read the
 * exception flags back with fenv.h. The host has no round-to-nearest,
 * ties-to-max-magnitude mode: RMM is computed as RNE and then corrected, see
 * rmm_fix_*(). Everything else (sign injection, min/max, compares, classify,
 * float->int conversion, widening) is computed exactly from bit patterns
 * with flags set by hand, so its outcome never depends on the host.
 *
 * Between instructions the host rounding mode is FE_TONEAREST.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "rv_hart.h"
#include "fpu.h"
#include "isa.h"

/* The RMM correction needs an extended long double (x86 80-bit or IEEE
 * binary128): at least 64 significand bits and a far wider exponent range
 * than binary64. */
_Static_assert(LDBL_MANT_DIG >= 64 && LDBL_MAX_EXP >= 16384 && LDBL_MIN_EXP <= -16381,
               "fpu.c needs an extended-precision long double");

/* Major opcodes (unpriv spec, opcode map). */
enum {
    OPC_FMADD = 0x43, OPC_FMSUB = 0x47, OPC_FNMSUB = 0x4b, OPC_FNMADD = 0x4f,
    OPC_OP_FP = 0x53,
};

/* funct5 (insn bits 31:27) of OP-FP. */
enum {
    F5_FADD = 0x00, F5_FSUB = 0x01, F5_FMUL = 0x02, F5_FDIV = 0x03,
    F5_FSGNJ = 0x04, F5_FMINMAX = 0x05, F5_FCVT_FF = 0x08, F5_FSQRT = 0x0b,
    F5_FCMP = 0x14, F5_FCVT_IF = 0x18, F5_FCVT_FI = 0x1a, F5_FMV_XF = 0x1c,
    F5_FMV_FX = 0x1e,
};

/* fmt field (Table "Format field encoding"). H: only the Zfhmin
 * instructions (conversions and moves, with RV_EXT_ZFHMIN); Q: none. */
enum { FMT_S = 0, FMT_D = 1, FMT_H = 2 };

/* Integer operand kinds of FCVT (rs2 field). */
enum { CVT_W = 0, CVT_WU = 1, CVT_L = 2, CVT_LU = 3 };

/* Canonical NaNs (§ NaN Generation and Propagation). */
#define CNAN_S 0x7fc00000ull
#define CNAN_D 0x7ff8000000000000ull
#define CNAN_H 0x7e00ull

/* FCLASS result bit numbers (Table "Format of result of FCLASS"). */
enum {
    FC_NINF, FC_NNORM, FC_NSUB, FC_NZERO, FC_PZERO, FC_PSUB, FC_PNORM,
    FC_PINF, FC_SNAN, FC_QNAN,
};

static const struct fmt_info {
    unsigned mbits, ebits;  /* stored significand bits, exponent bits */
    uint64_t cnan;
} fmts[3] = {
    [FMT_S] = { 23, 8, CNAN_S },
    [FMT_D] = { 52, 11, CNAN_D },
    [FMT_H] = { 10, 5, CNAN_H },
};

enum fop { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA };

struct fp_out {
    bool to_x;         /* destination is x[rd] (else f[rd]) */
    uint64_t val;      /* f results already NaN-boxed */
    uint32_t flags;    /* FFLAG_* to accrue */
};

/* ---- bit patterns ---------------------------------------------------- */

static float f32_of(uint64_t b)
{
    uint32_t w = (uint32_t)b;
    float f;
    memcpy(&f, &w, sizeof f);
    return f;
}

static uint64_t bits_f32(float f)
{
    uint32_t w;
    memcpy(&w, &f, sizeof w);
    return w;
}

static double f64_of(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t bits_f64(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static uint64_t sign_bit(int fmt)
{
    return 1ull << (fmts[fmt].mbits + fmts[fmt].ebits);
}

static uint64_t sext32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static unsigned fp_class(int fmt, uint64_t v)
{
    const struct fmt_info *fi = &fmts[fmt];
    bool neg = (v & sign_bit(fmt)) != 0;
    uint64_t exp = (v >> fi->mbits) & ((1u << fi->ebits) - 1);
    uint64_t man = v & ((1ull << fi->mbits) - 1);

    if (exp == (1u << fi->ebits) - 1) {
        if (man == 0)
            return neg ? FC_NINF : FC_PINF;
        return (man >> (fi->mbits - 1)) ? FC_QNAN : FC_SNAN;
    }
    if (exp == 0) {
        if (man == 0)
            return neg ? FC_NZERO : FC_PZERO;
        return neg ? FC_NSUB : FC_PSUB;
    }
    return neg ? FC_NNORM : FC_PNORM;
}

static bool is_nan_class(unsigned c) { return c == FC_SNAN || c == FC_QNAN; }
static bool is_zero_class(unsigned c) { return c == FC_NZERO || c == FC_PZERO; }
static bool is_inf_class(unsigned c) { return c == FC_NINF || c == FC_PINF; }

/* Exact value of a non-NaN operand (binary32 widens exactly). */
static double f16_value(uint64_t b);
static double to_double(int fmt, uint64_t b)
{
    if (fmt == FMT_H)
        return f16_value(b);
    return fmt == FMT_S ? (double)f32_of(b) : f64_of(b);
}

/* ---- register access ------------------------------------------------- */

/* An S operand that is not NaN-boxed reads as the canonical NaN (§ "D"
 * NaN Boxing of Narrower Values). Returns the raw fmt-wide bit pattern. */
static uint64_t freg(const struct rv_hart *h, unsigned r, int fmt)
{
    uint64_t v = h->f[r];
    if (fmt == FMT_D)
        return v;
    if (fmt == FMT_H) /* Zfhmin: 16-bit values are boxed in 48 one bits */
        return (v >> 16) == 0xffffffffffffull ? (uint16_t)v : CNAN_H;
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : CNAN_S;
}

static uint64_t xreg(const struct rv_hart *h, unsigned r)
{
    return r ? h->x[r] : 0;
}

static uint64_t box(int fmt, uint64_t v)
{
    if (fmt == FMT_H)
        return 0xffffffffffff0000ull | (uint16_t)v;
    return fmt == FMT_S ? rv_box32((uint32_t)v) : v;
}

/* rm field -> rounding mode 0..4, or -1 for a reserved one (static 5/6 or
 * dynamic with frm >= 5): § Floating-Point Control and Status Register. */
static int resolve_rm(const struct rv_hart *h, unsigned rm)
{
    if (rm == RM_DYN)
        rm = h->frm;
    return rm <= RM_RMM ? (int)rm : -1;
}

/* ---- host floating-point environment ---------------------------------- */

static const int host_rm[5] = {
    [RM_RNE] = FE_TONEAREST, [RM_RTZ] = FE_TOWARDZERO,
    [RM_RDN] = FE_DOWNWARD,  [RM_RUP] = FE_UPWARD,
    [RM_RMM] = FE_TONEAREST, /* then rmm_fix_*() */
};

static void host_begin(int rm)
{
    int want = host_rm[rm];
    if (fegetround() != want)
        fesetround(want);
    feclearexcept(FE_ALL_EXCEPT);
}

/* Reads the host flags raised since host_begin, restores FE_TONEAREST. */
static uint32_t host_end(int rm)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    if (host_rm[rm] != FE_TONEAREST)
        fesetround(FE_TONEAREST);
    return (e & FE_INEXACT ? FFLAG_NX : 0) | (e & FE_UNDERFLOW ? FFLAG_UF : 0) |
           (e & FE_OVERFLOW ? FFLAG_OF : 0) | (e & FE_DIVBYZERO ? FFLAG_DZ : 0) |
           (e & FE_INVALID ? FFLAG_NV : 0);
}

/* The operations proper. GCC does not implement #pragma STDC FENV_ACCESS;
 * the volatile operands and result pin each operation between the fenv
 * calls around it (-frounding-math keeps it from being folded). */
static float calc_f32(enum fop op, float a, float b, float c)
{
    volatile float va = a, vb = b, vc = c, r = 0;
    switch (op) {
    case OP_ADD:  r = va + vb; break;
    case OP_SUB:  r = va - vb; break;
    case OP_MUL:  r = va * vb; break;
    case OP_DIV:  r = va / vb; break;
    case OP_SQRT: r = sqrtf(va); break;
    case OP_FMA:  r = fmaf(va, vb, vc); break;
    }
    return r;
}

static double calc_f64(enum fop op, double a, double b, double c)
{
    volatile double va = a, vb = b, vc = c, r = 0;
    switch (op) {
    case OP_ADD:  r = va + vb; break;
    case OP_SUB:  r = va - vb; break;
    case OP_MUL:  r = va * vb; break;
    case OP_DIV:  r = va / vb; break;
    case OP_SQRT: r = sqrt(va); break;
    case OP_FMA:  r = fma(va, vb, vc); break;
    }
    return r;
}

/* The same operation in long double; true iff it was exact (*v is then the
 * exact result). Only used for finite results. */
static bool calc_exact(enum fop op, long double a, long double b, long double c,
                       long double *v)
{
    volatile long double va = a, vb = b, vc = c, r = 0;
    feclearexcept(FE_INEXACT);
    switch (op) {
    case OP_ADD:  r = va + vb; break;
    case OP_SUB:  r = va - vb; break;
    case OP_MUL:  r = va * vb; break;
    case OP_DIV:  r = va / vb; break;
    case OP_SQRT: r = sqrtl(va); break;
    case OP_FMA:  r = fmal(va, vb, vc); break;
    }
    *v = r;
    return !fetestexcept(FE_INEXACT);
}

/* ---- RMM --------------------------------------------------------------
 * Round to nearest, ties to max magnitude (Table "Rounding mode encoding")
 * differs from RNE only when the exact result v lies exactly halfway between
 * two neighbours and RNE picked the one of smaller magnitude. A halfway
 * value has at most p+1 significant bits (p = 24 or 53; fewer for
 * subnormals), so it is exactly representable in the extended long double:
 * redoing the operation there is exact whenever v can be a tie, and if it
 * is inexact v has more than 64 significant bits and is no tie.
 * Given exact v and the RNE result r, v is a tie iff v - r (exact in long
 * double) is half the distance from r to its neighbour on v's side.
 * Flags need no correction: NX is the same in both modes; the only ties
 * deciding overflow (between the largest finite number and the next
 * power of two) or tininess after rounding (just below the smallest normal
 * at precision p) round away from zero under RNE as well, because the
 * smaller-magnitude candidate has an all-ones, i.e. odd, significand. */
static double rmm_fix_f64(double r, long double v)
{
    if (!isfinite(r))
        return r;
    long double d = v - r;
    if (d == 0)
        return r;
    double nb = nextafter(r, d > 0 ? INFINITY : -INFINITY);
    if (fabs(nb) > fabs(r) && 2 * d == (long double)nb - r)
        return nb;
    return r;
}

static float rmm_fix_f32(float r, long double v)
{
    if (!isfinite(r))
        return r;
    long double d = v - r;
    if (d == 0)
        return r;
    float nb = nextafterf(r, d > 0 ? INFINITY : -INFINITY);
    if (fabsf(nb) > fabsf(r) && 2 * d == (long double)nb - r)
        return nb;
    return r;
}

/* ---- computational instructions -------------------------------------- */

/* A correctly rounded arithmetic operation on raw fmt-wide operands under
 * a resolved rounding mode; NaN results are canonical. */
static uint64_t f16_arith(enum fop op, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl);
static uint64_t fp_arith(int fmt, enum fop op, uint64_t a, uint64_t b, uint64_t c,
                         int rm, uint32_t *fl)
{
    uint64_t res;
    long double v;

    if (op == OP_FMA) {
        /* § Single-Precision Floating-Point Computational Instructions:
         * inf * 0 sets NV even when the addend is a quiet NaN. */
        unsigned ca = fp_class(fmt, a), cb = fp_class(fmt, b);
        if ((is_inf_class(ca) && is_zero_class(cb)) ||
            (is_zero_class(ca) && is_inf_class(cb)))
            *fl |= FFLAG_NV;
    }

    if (fmt == FMT_H)
        return f16_arith(op, a, b, c, rm, fl);
    host_begin(rm);
    if (fmt == FMT_S) {
        float fa = f32_of(a), fb = f32_of(b), fc = f32_of(c);
        float r = calc_f32(op, fa, fb, fc);
        *fl |= host_end(rm);
        if (rm == RM_RMM && isfinite(r) && calc_exact(op, fa, fb, fc, &v))
            r = rmm_fix_f32(r, v);
        res = bits_f32(r);
    } else {
        double da = f64_of(a), db = f64_of(b), dc = f64_of(c);
        double r = calc_f64(op, da, db, dc);
        *fl |= host_end(rm);
        if (rm == RM_RMM && isfinite(r) && calc_exact(op, da, db, dc, &v))
            r = rmm_fix_f64(r, v);
        res = bits_f64(r);
    }
    return is_nan_class(fp_class(fmt, res)) ? fmts[fmt].cnan : res;
}

/* FSGNJ / FSGNJN / FSGNJX: no flags, NaN payloads kept. */
static uint64_t fp_sgnj(int fmt, unsigned kind, uint64_t a, uint64_t b)
{
    uint64_t s = sign_bit(fmt);
    uint64_t sign = kind == 0 ? (b & s) : kind == 1 ? (~b & s) : ((a ^ b) & s);
    return (a & ~s) | sign;
}

/* FMIN / FMAX: IEEE 754-2019 minimumNumber / maximumNumber (§ Single-Precision
 * Floating-Point Computational Instructions): -0 < +0; one NaN operand ->
 * the other operand; two NaNs -> canonical NaN; any sNaN sets NV. */
static uint64_t fp_minmax(int fmt, bool is_max, uint64_t a, uint64_t b, uint32_t *fl)
{
    unsigned ca = fp_class(fmt, a), cb = fp_class(fmt, b);

    if (ca == FC_SNAN || cb == FC_SNAN)
        *fl |= FFLAG_NV;
    if (is_nan_class(ca) && is_nan_class(cb))
        return fmts[fmt].cnan;
    if (is_nan_class(ca))
        return b;
    if (is_nan_class(cb))
        return a;
    if (is_zero_class(ca) && is_zero_class(cb)) {
        bool a_neg = ca == FC_NZERO;
        return (a_neg != is_max) ? a : b;
    }
    double x = to_double(fmt, a), y = to_double(fmt, b);
    return (is_max ? x > y : x < y) ? a : b;
}

/* FLE (0) / FLT (1) / FEQ (2), § Single-Precision Floating-Point Compare
 * Instructions: FEQ is quiet (NV only for sNaN), FLT/FLE signal on any NaN;
 * the result is 0 if either operand is NaN. */
static uint64_t fp_compare(int fmt, unsigned kind, uint64_t a, uint64_t b, uint32_t *fl)
{
    unsigned ca = fp_class(fmt, a), cb = fp_class(fmt, b);

    if (is_nan_class(ca) || is_nan_class(cb)) {
        if (kind != 2 || ca == FC_SNAN || cb == FC_SNAN)
            *fl |= FFLAG_NV;
        return 0;
    }
    double x = to_double(fmt, a), y = to_double(fmt, b);
    switch (kind) {
    case 0:  return x <= y;
    case 1:  return x < y;
    default: return x == y;
    }
}

/* Rounds a finite v to an integral value under rm, exactly and without the
 * host rounding mode: trunc(), v - t and t +- 1 are all exact here. */
static double round_integral(double v, int rm)
{
    if (!(fabs(v) < 0x1p52))
        return v;                       /* already integral */
    double t = trunc(v), frac = v - t;
    if (frac == 0)
        return v;
    double away = t + (v < 0 ? -1.0 : 1.0);
    switch (rm) {
    case RM_RTZ: return t;
    case RM_RDN: return frac < 0 ? away : t;
    case RM_RUP: return frac > 0 ? away : t;
    case RM_RMM: return fabs(frac) >= 0.5 ? away : t;
    default: /* RNE */
        if (fabs(frac) != 0.5)
            return fabs(frac) > 0.5 ? away : t;
        return fmod(t, 2.0) == 0 ? t : away;
    }
}

/* Table "Domains of float-to-integer conversions and behavior for invalid
 * inputs", for an integer of `bits` bits (8..64: 32 and 64 are FCVT's, the
 * narrower ones the vector unit's, V §13.19): a rounded result r is valid
 * iff lo <= r < hi_excl (signed: -2^(bits-1) .. 2^(bits-1); unsigned: 0 ..
 * 2^bits); otherwise the output saturates (NaN and +inf -> the largest
 * value) and only NV is set. -0.0 and values that round to it are valid
 * for the unsigned kinds (NX only). The result is truncated to `bits`. */
static uint64_t fp_to_intn(int fmt, uint64_t a, unsigned bits, bool is_signed, int rm, uint32_t *fl)
{
    uint64_t mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t sat_hi = is_signed ? mask >> 1 : mask, sat_lo = is_signed ? (mask >> 1) + 1 : 0;
    double lo = is_signed ? -ldexp(1, (int)bits - 1) : 0.0;
    double hi_excl = ldexp(1, is_signed ? (int)bits - 1 : (int)bits);
    if (is_nan_class(fp_class(fmt, a))) {
        *fl |= FFLAG_NV;
        return sat_hi;
    }
    double v = to_double(fmt, a);
    double r = round_integral(v, rm);
    if (r < lo) {
        *fl |= FFLAG_NV;
        return sat_lo;
    }
    if (r >= hi_excl) {
        *fl |= FFLAG_NV;
        return sat_hi;
    }
    if (r != v)
        *fl |= FFLAG_NX;
    return (is_signed ? (uint64_t)(int64_t)r : (uint64_t)r) & mask;
}

/* FCVT.{W,WU,L,LU}.{S,D}: the 32-bit results are sign-extended (also WU). */
static uint64_t fp_to_int(int fmt, unsigned kind, uint64_t a, int rm, uint32_t *fl)
{
    bool w = kind == CVT_W || kind == CVT_WU;
    uint64_t r = fp_to_intn(fmt, a, w ? 32 : 64, kind == CVT_W || kind == CVT_L, rm, fl);
    return w ? sext32(r) : r;
}

static uint64_t f16_round(double v, int rm, uint32_t *fl);
/* FCVT.{S,D,H}.{W,WU,L,LU}. */
static uint64_t fp_from_int(int fmt, unsigned kind, uint64_t x, int rm, uint32_t *fl)
{
    bool is_signed = kind == CVT_W || kind == CVT_L;
    int64_t s = kind == CVT_W ? (int32_t)(uint32_t)x : (int64_t)x;
    uint64_t u = kind == CVT_WU ? (uint32_t)x : x;
    long double exact = is_signed ? (long double)s : (long double)u;
    volatile int64_t vs = s;
    volatile uint64_t vu = u;

    if (fmt == FMT_H) {
        /* exact below 2^53; anything larger overflows binary16 anyway */
        double d = is_signed ? (double)s : (double)u;
        return d == 0 ? 0 : f16_round(d, rm, fl);
    }
    host_begin(rm);
    if (fmt == FMT_S) {
        volatile float r = is_signed ? (float)vs : (float)vu;
        *fl |= host_end(rm);
        float f = r;
        return bits_f32(rm == RM_RMM ? rmm_fix_f32(f, exact) : f);
    }
    volatile double r = is_signed ? (double)vs : (double)vu;
    *fl |= host_end(rm);
    double d = r;
    return bits_f64(rm == RM_RMM ? rmm_fix_f64(d, exact) : d);
}

/* FCVT.S.D (rounds) and FCVT.D.S (exact; only an sNaN raises NV). */
/* ---- binary16 (Zfhmin) ------------------------------------------------ */

/* Exact value of a finite binary16 pattern. */
static double f16_value(uint64_t b)
{
    unsigned e = (b >> 10) & 31, m = b & 1023;
    double v = e == 31 ? INFINITY : e ? ldexp(1024 + m, (int)e - 25) : ldexp(m, -24);
    return (b & 0x8000) ? -v : v;
}

/* |v| / q rounded to an integer in mode rm (sign = the sign of v); sets
 * *inexact. |v| / q is exact: q is a power of two in the range where v's
 * bits stay inside a double. */
static double round_quanta(double v, double q, bool neg, int rm, bool *inexact)
{
    double x = fabs(v) / q, n = floor(x), fr = x - n;
    *inexact = fr != 0;
    switch (rm) {
    case RM_RNE: if (fr > 0.5 || (fr == 0.5 && fmod(n, 2) != 0)) n += 1; break;
    case RM_RMM: if (fr >= 0.5) n += 1; break;
    case RM_RDN: if (neg && fr != 0) n += 1; break;
    case RM_RUP: if (!neg && fr != 0) n += 1; break;
    default: break; /* RTZ */
    }
    return n;
}

/* A finite non-zero double (exactly the source value: binary32 and binary64
 * widen to double exactly) rounded to binary16 in mode rm, with the IEEE
 * 754 flags; tininess is detected after rounding (as RISC-V requires, § "F"
 * Accrued Exceptions): the value rounded to 11 bits with an unbounded
 * exponent is below 2^-14. Max finite 65504 = (2 - 2^-10) * 2^15. */
static uint64_t f16_round(double v, int rm, uint32_t *fl)
{
    bool neg = v < 0, inexact;
    uint64_t sign = neg ? 0x8000 : 0;
    int e;
    frexp(v, &e);          /* |v| = m * 2^e, m in [0.5, 1): v's exponent is e - 1 */
    int ex = e - 1;
    if (ex > 15) {         /* beyond the largest binade: overflow however it rounds */
        *fl |= FFLAG_OF | FFLAG_NX;
        bool to_inf = rm == RM_RNE || rm == RM_RMM || (rm == RM_RDN && neg) || (rm == RM_RUP && !neg);
        return sign | (to_inf ? 0x7c00 : 0x7bff);
    }
    if (ex < -30) {        /* far below 2^-25: 0 or the smallest subnormal (and keeps
                              the quanta below inside the double range) */
        *fl |= FFLAG_UF | FFLAG_NX;
        return sign | ((rm == RM_RUP && !neg) || (rm == RM_RDN && neg) ? 1 : 0);
    }
    bool tiny = false;
    if (ex < -14) {        /* tiny unless the 11-bit rounding reaches 2^-14 */
        bool ix;
        double n11 = round_quanta(v, ldexp(1, ex - 10), neg, rm, &ix);
        tiny = ldexp(n11, ex - 10) < ldexp(1, -14);
    }
    double q = ldexp(1, (ex < -14 ? -14 : ex) - 10); /* the quantum: 2^-24 for subnormals */
    double n = round_quanta(v, q, neg, rm, &inexact);
    if (inexact)
        *fl |= FFLAG_NX | (tiny ? FFLAG_UF : 0); /* underflow: tiny and inexact */
    double r = n * q;      /* exact: at most 12 significant bits */
    if (r > 65504.0) {     /* rounded up out of the largest binade */
        *fl |= FFLAG_OF | FFLAG_NX;
        return sign | 0x7c00;
    }
    if (r < ldexp(1, -14)) /* subnormal or zero */
        return sign | (uint64_t)(r / ldexp(1, -24));
    frexp(r, &e);
    return sign | (uint64_t)(e - 1 + 15) << 10 | ((uint64_t)(r / ldexp(1, e - 1 - 10)) & 1023);
}

/* Zfh arithmetic. The operands widen exactly to double. add, sub and mul
 * are exact there, and div and sqrt of 11-bit operands are never within
 * 2^-53 (relative) of a binary16 value or rounding boundary they do not
 * equal, so the host's double result in the same direction (RNE for RMM)
 * rounds to binary16 as the exact one would (f16_round). fma: a*b is exact;
 * the sum comes from an error-free TwoSum (s + e exactly, in RNE) with s
 * moved one double ulp towards e when e != 0, which keeps every binary16
 * rounding decision. Zero results get their sign from the host (x - x is
 * -0 only in RDN), NaN results are the canonical NaN. */
static uint64_t f16_arith(enum fop op, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
    unsigned ca = fp_class(FMT_H, a), cb = fp_class(FMT_H, b), cc = fp_class(FMT_H, c);
    bool three = op == OP_FMA, two = three || op != OP_SQRT;
    if (ca == FC_SNAN || (two && cb == FC_SNAN) || (three && cc == FC_SNAN))
        *fl |= FFLAG_NV;
    if (is_nan_class(ca) || (two && is_nan_class(cb)) || (three && is_nan_class(cc)))
        return CNAN_H;
    double da = f16_value(a), db = f16_value(b), dc = f16_value(c), r;
    if (op == OP_FMA) {
        host_begin(RM_RNE);
        volatile double p = da * db, vc = dc, s = p + vc;
        if (!isfinite(p) || !isfinite(vc)) {
            *fl |= host_end(RM_RNE) & FFLAG_NV;  /* inf - inf, inf * 0 */
            r = s;
        } else {
            volatile double t = s - p;
            double e = (p - (s - t)) + (vc - t);
            host_end(RM_RNE);
            r = s;
            if (r == 0 && e == 0) { /* an exact zero sum (IEEE 754 §6.3) */
                bool both_zero = p == 0 && vc == 0;
                bool neg = both_zero && signbit(p) == signbit(vc) ? signbit(p) : rm == RM_RDN;
                return neg ? 0x8000 : 0;
            }
            if (e != 0)
                r = nextafter(r, e > 0 ? INFINITY : -INFINITY);
        }
    } else {
        host_begin(rm);
        r = calc_f64(op, da, db, 0);
        *fl |= host_end(rm) & (FFLAG_NV | FFLAG_DZ);
    }
    if (isnan(r))
        return CNAN_H;
    if (isinf(r))
        return (r < 0 ? 0x8000 : 0) | 0x7c00;
    if (r == 0)
        return signbit(r) ? 0x8000 : 0;
    return f16_round(r, rm, fl);
}

/* FCVT between S, D and H: widening is exact, narrowing rounds. NaNs give
 * the canonical NaN (NV for a signaling one). */
static uint64_t fp_cvt_ff(int to_fmt, int from, uint64_t a, int rm, uint32_t *fl)
{
    unsigned c = fp_class(from, a);

    if (is_nan_class(c)) {
        if (c == FC_SNAN)
            *fl |= FFLAG_NV;
        return fmts[to_fmt].cnan;
    }
    if (from == FMT_H || to_fmt == FMT_H) {
        double v = is_inf_class(c) ? (c == FC_NINF ? -INFINITY : INFINITY)
                 : from == FMT_H ? f16_value(a) : to_double(from, a);
        if (to_fmt == FMT_D)
            return bits_f64(v);
        if (to_fmt == FMT_S)
            return bits_f32((float)v); /* a binary16 value is exact in binary32 */
        if (is_inf_class(c) || is_zero_class(c))
            return (v < 0 || (is_zero_class(c) && signbit(v)) ? 0x8000 : 0) | (is_inf_class(c) ? 0x7c00 : 0);
        return f16_round(v, rm, fl);
    }
    if (to_fmt == FMT_D)
        return bits_f64((double)f32_of(a));

    double d = f64_of(a);
    volatile double vd = d;
    host_begin(rm);
    volatile float r = (float)vd;
    *fl |= host_end(rm);
    float f = r;
    return bits_f32(rm == RM_RMM ? rmm_fix_f32(f, d) : f);
}

static uint64_t fp_classify(int fmt, uint64_t a)
{
    return 1ull << fp_class(fmt, a);
}

/* ---- decode ------------------------------------------------------------ */

static int exec_op_fp(const struct rv_hart *h, uint32_t insn, struct fp_out *o)
{
    unsigned funct5 = insn >> 27, fmt = (insn >> 25) & 3;
    unsigned rm = (insn >> 12) & 7, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
    int r = resolve_rm(h, rm);
    static const enum fop arith_op[4] = { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

    bool zfhmin = (h->ext & (RV_EXT_ZFHMIN | RV_EXT_ZFH)) != 0;
    if (fmt > FMT_H || (fmt == FMT_H && !zfhmin))
        return EXC_ILLEGAL_INSN;
    /* Zfhmin has only the conversions and the moves of H; Zfh all (Zfh 1.0) */
    if (fmt == FMT_H && !(h->ext & RV_EXT_ZFH) && funct5 != F5_FCVT_FF && funct5 != F5_FMV_FX &&
        !(funct5 == F5_FMV_XF && rm == 0))
        return EXC_ILLEGAL_INSN;
    uint64_t a = freg(h, rs1, fmt), b = freg(h, rs2, fmt);

    switch (funct5) {
    case F5_FADD: case F5_FSUB: case F5_FMUL: case F5_FDIV:
        if (r < 0)
            return EXC_ILLEGAL_INSN;
        o->val = box(fmt, fp_arith(fmt, arith_op[funct5], a, b, 0, r, &o->flags));
        return 0;
    case F5_FSQRT:
        if (r < 0 || rs2 != 0)
            return EXC_ILLEGAL_INSN;
        o->val = box(fmt, fp_arith(fmt, OP_SQRT, a, 0, 0, r, &o->flags));
        return 0;
    case F5_FSGNJ:                      /* funct3: 0 J, 1 JN, 2 JX */
        if (rm > 2)
            return EXC_ILLEGAL_INSN;
        o->val = box(fmt, fp_sgnj(fmt, rm, a, b));
        return 0;
    case F5_FMINMAX:                    /* funct3: 0 MIN, 1 MAX */
        if (rm > 1)
            return EXC_ILLEGAL_INSN;
        o->val = box(fmt, fp_minmax(fmt, rm == 1, a, b, &o->flags));
        return 0;
    case F5_FCVT_FF:                    /* fmt = destination, rs2 = source */
        if (r < 0 || rs2 > FMT_H || rs2 == fmt || (rs2 == FMT_H && !zfhmin))
            return EXC_ILLEGAL_INSN;
        /* Widening FCVT.D.S never rounds, but its rm is still decoded as
         * usual (§ Floating-Point Control and Status Register). */
        o->val = box(fmt, fp_cvt_ff(fmt, (int)rs2, freg(h, rs1, rs2), r, &o->flags));
        return 0;
    case F5_FCMP:                       /* funct3: 0 FLE, 1 FLT, 2 FEQ */
        if (rm > 2)
            return EXC_ILLEGAL_INSN;
        o->to_x = true;
        o->val = fp_compare(fmt, rm, a, b, &o->flags);
        return 0;
    case F5_FCVT_IF:
        if (r < 0 || rs2 > CVT_LU)
            return EXC_ILLEGAL_INSN;
        o->to_x = true;
        o->val = fp_to_int(fmt, rs2, a, r, &o->flags);
        return 0;
    case F5_FCVT_FI:
        if (r < 0 || rs2 > CVT_LU)
            return EXC_ILLEGAL_INSN;
        o->val = box(fmt, fp_from_int(fmt, rs2, xreg(h, rs1), r, &o->flags));
        return 0;
    case F5_FMV_XF:                     /* funct3: 0 FMV.X.W/D, 1 FCLASS */
        if (rs2 != 0 || rm > 1)
            return EXC_ILLEGAL_INSN;
        o->to_x = true;
        if (rm == 1)
            o->val = fp_classify(fmt, a);
        else    /* a transfer: raw low bits, NaN-boxing not checked */
            o->val = fmt == FMT_S ? sext32(h->f[rs1])
                   : fmt == FMT_H ? (uint64_t)(int64_t)(int16_t)h->f[rs1] : h->f[rs1];
        return 0;
    case F5_FMV_FX:
        if (rs2 != 0 || rm != 0)
            return EXC_ILLEGAL_INSN;
        o->val = box(fmt, fmt == FMT_D ? xreg(h, rs1) : (uint32_t)xreg(h, rs1));
        return 0;
    default:
        return EXC_ILLEGAL_INSN;
    }
}

/* R4-type FMADD / FMSUB / FNMSUB / FNMADD. */
static int exec_fma(const struct rv_hart *h, uint32_t insn, struct fp_out *o)
{
    unsigned opc = insn & 0x7f, fmt = (insn >> 25) & 3;
    unsigned rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31, rs3 = insn >> 27;
    int r = resolve_rm(h, (insn >> 12) & 7);

    if (fmt > FMT_H || (fmt == FMT_H && !(h->ext & RV_EXT_ZFH)) || r < 0)
        return EXC_ILLEGAL_INSN;
    uint64_t a = freg(h, rs1, fmt), b = freg(h, rs2, fmt), c = freg(h, rs3, fmt);
    /* FMSUB = a*b - c, FNMSUB = -(a*b) + c, FNMADD = -(a*b) - c. Negation
     * is exact, so -(a*b) is folded into a as (-a)*b. */
    if (opc == OPC_FNMSUB || opc == OPC_FNMADD)
        a ^= sign_bit(fmt);
    if (opc == OPC_FMSUB || opc == OPC_FNMADD)
        c ^= sign_bit(fmt);
    o->val = box(fmt, fp_arith(fmt, OP_FMA, a, b, c, r, &o->flags));
    return 0;
}

int rv_fp_exec(struct rv_hart *h, uint32_t insn)
{
    struct fp_out o = { false, 0, 0 };
    unsigned opc = insn & 0x7f, rd = (insn >> 7) & 31;
    int err;

    if ((h->mstatus & MSTATUS_FS) == 0)     /* FS = Off (priv §3.1.6.6) */
        return EXC_ILLEGAL_INSN;
    switch (opc) {
    case OPC_OP_FP:
        err = exec_op_fp(h, insn, &o);
        break;
    case OPC_FMADD: case OPC_FMSUB: case OPC_FNMSUB: case OPC_FNMADD:
        err = exec_fma(h, insn, &o);
        break;
    default:
        err = EXC_ILLEGAL_INSN;
        break;
    }
    if (err)
        return err;

    if (!o.to_x)
        h->f[rd] = o.val;
    else if (rd != 0)
        h->x[rd] = o.val;
    h->fflags |= o.flags;
    h->mstatus |= MSTATUS_FS | MSTATUS_SD;  /* FS = Dirty */
    return 0;
}

/* ---- the element operations shared with the vector unit (fpu.h) ---- */

_Static_assert((int)RV_FMT_S == (int)FMT_S && (int)RV_FMT_D == (int)FMT_D && (int)RV_FMT_H == (int)FMT_H,
               "fmt numbering");
_Static_assert((int)RV_FOP_ADD == (int)OP_ADD && (int)RV_FOP_SUB == (int)OP_SUB &&
               (int)RV_FOP_MUL == (int)OP_MUL && (int)RV_FOP_DIV == (int)OP_DIV &&
               (int)RV_FOP_SQRT == (int)OP_SQRT && (int)RV_FOP_FMA == (int)OP_FMA, "fop numbering");

int rv_fp_rm(const struct rv_hart *h, unsigned rm) { return resolve_rm(h, rm); }
uint64_t rv_fp_reg(const struct rv_hart *h, unsigned r, int fmt) { return freg(h, r, fmt); }
uint64_t rv_fp_box(int fmt, uint64_t v) { return box(fmt, v); }
uint64_t rv_fp_cnan(int fmt) { return fmts[fmt].cnan; }
uint64_t rv_fp_sign(int fmt) { return sign_bit(fmt); }
uint64_t rv_fp_classify(int fmt, uint64_t a) { return fp_classify(fmt, a); }
bool rv_fp_is_nan(int fmt, uint64_t a) { return is_nan_class(fp_class(fmt, a)); }

uint64_t rv_fp_arith(int fmt, enum rv_fp_op op, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
    return fp_arith(fmt, (enum fop)op, a, b, c, rm, fl);
}

uint64_t rv_fp_minmax(int fmt, bool is_max, uint64_t a, uint64_t b, uint32_t *fl)
{
    return fp_minmax(fmt, is_max, a, b, fl);
}

uint64_t rv_fp_compare(int fmt, unsigned kind, uint64_t a, uint64_t b, uint32_t *fl)
{
    return fp_compare(fmt, kind, a, b, fl);
}

uint64_t rv_fp_sgnj(int fmt, unsigned kind, uint64_t a, uint64_t b) { return fp_sgnj(fmt, kind, a, b); }

uint64_t rv_fp_to_int(int fmt, uint64_t a, unsigned bits, bool is_signed, int rm, uint32_t *fl)
{
    return fp_to_intn(fmt, a, bits, is_signed, rm, fl);
}

uint64_t rv_fp_from_int(int fmt, uint64_t x, bool is_signed, int rm, uint32_t *fl)
{
    return fp_from_int(fmt, is_signed ? CVT_L : CVT_LU, x, rm, fl);
}

uint64_t rv_fp_convert(int to, int from, uint64_t a, int rm, uint32_t *fl)
{
    return fp_cvt_ff(to, from, a, rm, fl);
}
