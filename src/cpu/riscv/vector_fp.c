/* Vector floating point (V §13), FP reductions (§14.3, §14.4), the FP
 * moves and slides (§16.2, §16.3.6) and FP merge/splat (§13.15, §13.16):
 * OPFVV and OPFVF. SEW 32 (binary32) and 64 (binary64); binary16 with
 * Zvfh (every instruction at SEW 16, and the conversions between binary16
 * and 8/32-bit integers) or only Zvfhmin (vfwcvt.f.f.v from and
 * vfncvt[.rod].f.f.w to binary16) ("Zvfh and Zvfhmin" 1.0); without them an
 * EEW that is not a supported IEEE type makes the encoding reserved
 * (illegal instruction, V §13). Each element goes through the scalar FPU's
 * code (fpu.h): the same rounding, NaN and flag rules as F, D and Zfh.
 *
 * Rounding mode: frm (dynamic); an instruction that rounds with a reserved
 * frm (5..7) is illegal, as a scalar FP instruction with rm = DYN is. The
 * flags of the active elements accrue into fflags (V §13.1); an instruction
 * that raised a flag or wrote an f register makes mstatus.FS (and
 * vsstatus.FS with V=1) Dirty (V §13). mstatus.FS (or vsstatus.FS with V=1)
 * Off: illegal. Tail and masked-off elements are left undisturbed, as in
 * vector_int.c (agnostic allows it, V §3.4.3). */
#include "vector_internal.h"
#include "fpu.h"
#include "isa.h"

enum { F_FVV = 1, F_FVF = 5 };

/* element operations */
enum fk {
    K_ADD, K_SUB, K_RSUB, K_MUL, K_DIV, K_RDIV, K_MIN, K_MAX, K_SGNJ, K_SGNJN, K_SGNJX,
    K_MADD, K_NMADD, K_MSUB, K_NMSUB, K_MACC, K_NMACC, K_MSAC, K_NMSAC,
    C_EQ, C_LE, C_LT, C_NE, C_GT, C_GE,
};

#define FV 1u                                  /* .vv form */
#define FF 2u                                  /* .vf form */
static const struct { uint8_t f6, forms, k; } single[] = {
    { 0x00, FV | FF, K_ADD }, { 0x02, FV | FF, K_SUB }, { 0x04, FV | FF, K_MIN },
    { 0x06, FV | FF, K_MAX }, { 0x08, FV | FF, K_SGNJ }, { 0x09, FV | FF, K_SGNJN },
    { 0x0a, FV | FF, K_SGNJX }, { 0x18, FV | FF, C_EQ }, { 0x19, FV | FF, C_LE },
    { 0x1b, FV | FF, C_LT }, { 0x1c, FV | FF, C_NE }, { 0x1d, FF, C_GT }, { 0x1f, FF, C_GE },
    { 0x20, FV | FF, K_DIV }, { 0x21, FF, K_RDIV }, { 0x24, FV | FF, K_MUL },
    { 0x27, FF, K_RSUB }, { 0x28, FV | FF, K_MADD }, { 0x29, FV | FF, K_NMADD },
    { 0x2a, FV | FF, K_MSUB }, { 0x2b, FV | FF, K_NMSUB }, { 0x2c, FV | FF, K_MACC },
    { 0x2d, FV | FF, K_NMACC }, { 0x2e, FV | FF, K_MSAC }, { 0x2f, FV | FF, K_NMSAC },
};

struct fctx {
    uint32_t raw;
    unsigned f6, f3, vd, vs1, vs2, sew, sewb;
    bool vm;
    int lmul, fmt;                             /* fmt: SEW's format, -1: none */
    uint64_t vl, vlmax;
    bool zvfh, zvfhmin;                        /* binary16 arithmetic / conversions */
};

/* The IEEE format of an EEW (-1: none); binary16 only with Zvfh (h16). */
static int fmt_of(unsigned eew, bool h16)
{
    return eew == 32 ? RV_FMT_S : eew == 64 ? RV_FMT_D : eew == 16 && h16 ? RV_FMT_H : -1;
}

/* V §13: mstatus.FS (and vsstatus.FS with V=1) not Off */
static bool fs_on(const struct rv_hart *h)
{
    return (h->mstatus & MSTATUS_FS) && (!h->virt || (h->vsstatus & MSTATUS_FS));
}

/* fflags accrue; FS becomes Dirty when the FP state changed (V §13) */
static void fp_done(struct rv_hart *h, uint32_t fl, bool wrote_f)
{
    if (fl || wrote_f) {
        h->fflags |= fl;
        h->mstatus |= MSTATUS_FS;
        if (h->virt)
            h->vsstatus |= MSTATUS_FS;
    }
    h->vec.vstart = 0;
}

/* a: vs2 element, b: vs1 element or f[rs1], d: the old vd element */
static uint64_t fcalc(int fmt, enum fk k, uint64_t a, uint64_t b, uint64_t d, int rm, uint32_t *fl)
{
    uint64_t s = rv_fp_sign(fmt);
    switch (k) {
    case K_ADD: return rv_fp_arith(fmt, RV_FOP_ADD, a, b, 0, rm, fl);
    case K_SUB: return rv_fp_arith(fmt, RV_FOP_SUB, a, b, 0, rm, fl);
    case K_RSUB: return rv_fp_arith(fmt, RV_FOP_SUB, b, a, 0, rm, fl);
    case K_MUL: return rv_fp_arith(fmt, RV_FOP_MUL, a, b, 0, rm, fl);
    case K_DIV: return rv_fp_arith(fmt, RV_FOP_DIV, a, b, 0, rm, fl);
    case K_RDIV: return rv_fp_arith(fmt, RV_FOP_DIV, b, a, 0, rm, fl);
    case K_MIN: return rv_fp_minmax(fmt, false, a, b, fl);
    case K_MAX: return rv_fp_minmax(fmt, true, a, b, fl);
    case K_SGNJ: return rv_fp_sgnj(fmt, 0, a, b);
    case K_SGNJN: return rv_fp_sgnj(fmt, 1, a, b);
    case K_SGNJX: return rv_fp_sgnj(fmt, 2, a, b);
    /* V §13.6: the negations are exact; -(x*y) is folded into (-x)*y */
    case K_MADD: return rv_fp_arith(fmt, RV_FOP_FMA, b, d, a, rm, fl);          /* vs1*vd + vs2 */
    case K_NMADD: return rv_fp_arith(fmt, RV_FOP_FMA, b ^ s, d, a ^ s, rm, fl); /* -(vs1*vd) - vs2 */
    case K_MSUB: return rv_fp_arith(fmt, RV_FOP_FMA, b, d, a ^ s, rm, fl);     /* vs1*vd - vs2 */
    case K_NMSUB: return rv_fp_arith(fmt, RV_FOP_FMA, b ^ s, d, a, rm, fl);    /* -(vs1*vd) + vs2 */
    case K_MACC: return rv_fp_arith(fmt, RV_FOP_FMA, b, a, d, rm, fl);         /* vs1*vs2 + vd */
    case K_NMACC: return rv_fp_arith(fmt, RV_FOP_FMA, b ^ s, a, d ^ s, rm, fl); /* -(vs1*vs2) - vd */
    case K_MSAC: return rv_fp_arith(fmt, RV_FOP_FMA, b, a, d ^ s, rm, fl);     /* vs1*vs2 - vd */
    case K_NMSAC: return rv_fp_arith(fmt, RV_FOP_FMA, b ^ s, a, d, rm, fl);    /* -(vs1*vs2) + vd */
    /* V §13.13: vmfeq/vmfne quiet, the others signaling; vmfne is 1 on NaN */
    case C_EQ: return rv_fp_compare(fmt, 2, a, b, fl);
    case C_NE: return !rv_fp_compare(fmt, 2, a, b, fl);
    case C_LE: return rv_fp_compare(fmt, 0, a, b, fl);
    case C_LT: return rv_fp_compare(fmt, 1, a, b, fl);
    case C_GT: return rv_fp_compare(fmt, 1, b, a, fl);
    case C_GE: return rv_fp_compare(fmt, 0, b, a, fl);
    }
    return 0;
}

/* Does k round (so needs a valid frm)? */
static bool rounds(enum fk k)
{
    return !(k == K_MIN || k == K_MAX || k == K_SGNJ || k == K_SGNJN || k == K_SGNJX || k >= C_EQ);
}

/* A masked instruction may not read v0 as data (V §5.2: v0 would be read
 * with EEW 1 and with the data EEW) nor write it unless the result is a
 * mask (V §5.3). */
static bool v0_ok(const struct fctx *c, unsigned s, int el) { return c->vm || !voverlap(0, 1, s, vregs(el)); }

/* Single-width arithmetic, FMA, min/max, sign injection and compares. */
static bool single_width(struct rv_hart *h, const struct fctx *c, enum fk k, int rm)
{
    bool vv = c->f3 == F_FVV, cmp = k >= C_EQ;
    if (c->fmt < 0 || !vgroup_ok(c->vs2, c->lmul) || (vv && !vgroup_ok(c->vs1, c->lmul)) ||
        (!cmp && !vgroup_ok(c->vd, c->lmul)) || (!c->vm && !cmp && c->vd == 0) ||
        !v0_ok(c, c->vs2, c->lmul) || (vv && !v0_ok(c, c->vs1, c->lmul)) ||
        (cmp && (!vdst_ok(c->vd, 0, 1, c->vs2, c->lmul, c->sew) ||
                 (vv && !vdst_ok(c->vd, 0, 1, c->vs1, c->lmul, c->sew)))))
        return rv_vec_illegal(h, c->raw);
    uint64_t f = vv ? 0 : rv_fp_reg(h, c->vs1, c->fmt);
    uint32_t fl = 0;
    uint8_t mask[RV_VLENB_MAX];
    if (cmp)
        memcpy(mask, vreg(h, c->vd), h->vec.vlenb);
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = vget(h, c->vs2, i, c->sewb), b = vv ? vget(h, c->vs1, i, c->sewb) : f;
        uint64_t d = cmp ? 0 : vget(h, c->vd, i, c->sewb);
        uint64_t r = fcalc(c->fmt, k, a, b, d, rm, &fl);
        if (cmp)
            rv_vec_set_mask_bit(mask, i, r);
        else
            vput(h, c->vd, i, c->sewb, r);
    }
    if (cmp)
        memcpy(vreg(h, c->vd), mask, h->vec.vlenb);
    fp_done(h, fl, false);
    return true;
}

/* Widening vfwadd/vfwsub (.vv/.vf, .wv/.wf), vfwmul, vfwmacc/vfwnmacc/
 * vfwmsac/vfwnmsac (V §13.3, §13.5, §13.7): the SEW operands are widened
 * exactly to 2*SEW (fpu.h rv_fp_convert), then one 2*SEW operation rounds. */
static bool widening(struct rv_hart *h, const struct fctx *c, int rm)
{
    bool vv = c->f3 == F_FVV, wide2 = c->f6 == 0x34 || c->f6 == 0x36;
    int wl = c->lmul + 1, wfmt = fmt_of(c->sew * 2, c->zvfh);
    int s2l = wide2 ? wl : c->lmul;
    unsigned s2eew = wide2 ? c->sew * 2 : c->sew;
    if (c->fmt < 0 || wfmt < 0 || c->lmul > 2 || !vgroup_ok(c->vd, wl) || !vgroup_ok(c->vs2, s2l) ||
        (vv && !vgroup_ok(c->vs1, c->lmul)) || (!c->vm && c->vd == 0) ||
        !vdst_ok(c->vd, wl, c->sew * 2, c->vs2, s2l, s2eew) ||
        (vv && (!vdst_ok(c->vd, wl, c->sew * 2, c->vs1, c->lmul, c->sew) ||
                !vsrc_ok(c->vs2, s2l, s2eew, c->vs1, c->lmul, c->sew) || !v0_ok(c, c->vs1, c->lmul))) ||
        !v0_ok(c, c->vs2, s2l))
        return rv_vec_illegal(h, c->raw);
    unsigned wb = c->sewb * 2;
    uint64_t f = vv ? 0 : rv_fp_reg(h, c->vs1, c->fmt);
    uint32_t fl = 0;
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = vget(h, c->vs2, i, wide2 ? wb : c->sewb);
        uint64_t b = vv ? vget(h, c->vs1, i, c->sewb) : f;
        if (!wide2)
            a = rv_fp_convert(wfmt, c->fmt, a, rm, &fl);
        b = rv_fp_convert(wfmt, c->fmt, b, rm, &fl);
        uint64_t d = vget(h, c->vd, i, wb), r;
        switch (c->f6) {
        case 0x30: case 0x34: r = fcalc(wfmt, K_ADD, a, b, d, rm, &fl); break;
        case 0x32: case 0x36: r = fcalc(wfmt, K_SUB, a, b, d, rm, &fl); break;
        case 0x38: r = fcalc(wfmt, K_MUL, a, b, d, rm, &fl); break;
        case 0x3c: r = fcalc(wfmt, K_MACC, a, b, d, rm, &fl); break;
        case 0x3d: r = fcalc(wfmt, K_NMACC, a, b, d, rm, &fl); break;
        case 0x3e: r = fcalc(wfmt, K_MSAC, a, b, d, rm, &fl); break;
        default: r = fcalc(wfmt, K_NMSAC, a, b, d, rm, &fl); break;
        }
        vput(h, c->vd, i, wb, r);
    }
    fp_done(h, fl, false);
    return true;
}

/* ---- 7-bit estimates (V §13.9, §13.10) ---- */

/* vfrsqrt7 table: index {exp[0], sig[MSB-1:MSB-6]} -> sig_out[MSB-1:MSB-7]
 * (V §13.9, table "vfrsqrt7.v common-case lookup table contents"). */
static const uint8_t rsqrt7_tab[128] = {
    52, 51, 50, 48, 47, 46, 44, 43, 42, 41, 40, 39, 38, 36, 35, 34,
    33, 32, 31, 30, 30, 29, 28, 27, 26, 25, 24, 23, 23, 22, 21, 20,
    19, 19, 18, 17, 16, 16, 15, 14, 14, 13, 12, 12, 11, 10, 10, 9,
    9, 8, 7, 7, 6, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0,
    127, 125, 123, 121, 119, 118, 116, 114, 113, 111, 109, 108, 106, 105, 103, 102,
    100, 99, 97, 96, 95, 93, 92, 91, 90, 88, 87, 86, 85, 84, 83, 82,
    80, 79, 78, 77, 76, 75, 74, 73, 72, 71, 70, 70, 69, 68, 67, 66,
    65, 64, 63, 63, 62, 61, 60, 59, 59, 58, 57, 56, 56, 55, 54, 53,
};
/* vfrec7 table: sig[MSB-1:MSB-7] -> sig_out[MSB-1:MSB-7] (V §13.10, table
 * "vfrec7.v common-case lookup table contents"; tests/isa/gen/vf_values.py
 * recomputes both tables by the spec's minimax rule) */
static const uint8_t rec7_tab[128] = {
    127, 125, 123, 121, 119, 117, 116, 114, 112, 110, 109, 107, 105, 104, 102, 100,
    99, 97, 96, 94, 93, 91, 90, 88, 87, 85, 84, 83, 81, 80, 79, 77,
    76, 75, 74, 72, 71, 70, 69, 68, 66, 65, 64, 63, 62, 61, 60, 59,
    58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43,
    42, 41, 40, 40, 39, 38, 37, 36, 35, 35, 34, 33, 32, 31, 31, 30,
    29, 28, 28, 27, 26, 25, 25, 24, 23, 23, 22, 21, 21, 20, 19, 19,
    18, 17, 17, 16, 15, 15, 14, 14, 13, 12, 12, 11, 11, 10, 9, 9,
    8, 8, 7, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0,
};

/* binary32 / binary64 / binary16 field widths */
static unsigned mbits_of(int fmt) { return fmt == RV_FMT_S ? 23 : fmt == RV_FMT_D ? 52 : 10; }
static unsigned ebits_of(int fmt) { return fmt == RV_FMT_S ? 8 : fmt == RV_FMT_D ? 11 : 5; }

/* Splits a finite non-zero x into its normalized exponent (the exponent if
 * normal; 0 minus the leading zeros of the significand if subnormal) and
 * normalized significand (mbits bits, the leading 1 dropped). */
static void normalize(int fmt, uint64_t x, int64_t *e, uint64_t *m)
{
    unsigned mb = mbits_of(fmt);
    uint64_t mmask = (1ull << mb) - 1;
    *e = (int64_t)((x >> mb) & ((1u << ebits_of(fmt)) - 1));
    *m = x & mmask;
    if (*e == 0) {
        while (!(*m >> (mb - 1) & 1)) {
            (*e)--;
            *m <<= 1;
        }
        *m = (*m << 1) & mmask;
    }
}

uint64_t rv_vec_frsqrt7(int fmt, uint64_t x, uint32_t *fl)
{
    uint64_t cls = rv_fp_classify(fmt, x), s = rv_fp_sign(fmt);
    unsigned mb = mbits_of(fmt);
    int64_t bias = (1 << (ebits_of(fmt) - 1)) - 1;
    if (cls & (0x7 | 1u << 8)) {               /* -inf, -normal, -subnormal; sNaN */
        *fl |= FFLAG_NV;
        return rv_fp_cnan(fmt);
    }
    if (cls & 1u << 9)                         /* qNaN */
        return rv_fp_cnan(fmt);
    if (cls & (1u << 3 | 1u << 4)) {           /* -0 -> -inf, +0 -> +inf */
        *fl |= FFLAG_DZ;
        return (x & s) | ((uint64_t)((1u << ebits_of(fmt)) - 1) << mb);
    }
    if (cls & 1u << 7)                         /* +inf -> +0 */
        return 0;
    int64_t e;
    uint64_t m;
    normalize(fmt, x, &e, &m);
    unsigned idx = (unsigned)((e & 1) << 6 | (int64_t)(m >> (mb - 6)));
    uint64_t oe = (uint64_t)((3 * bias - 1 - e) / 2);   /* numerator > 0: floor */
    return oe << mb | (uint64_t)rsqrt7_tab[idx] << (mb - 7);
}

uint64_t rv_vec_frec7(int fmt, uint64_t x, int rm, uint32_t *fl)
{
    uint64_t cls = rv_fp_classify(fmt, x), s = rv_fp_sign(fmt), sign = x & s;
    unsigned mb = mbits_of(fmt);
    int64_t bias = (1 << (ebits_of(fmt) - 1)) - 1;
    uint64_t inf = (uint64_t)((1u << ebits_of(fmt)) - 1) << mb;
    if (cls & (1u << 0 | 1u << 7))             /* +-inf -> +-0 */
        return sign;
    if (cls & 1u << 8) {                       /* sNaN */
        *fl |= FFLAG_NV;
        return rv_fp_cnan(fmt);
    }
    if (cls & 1u << 9)
        return rv_fp_cnan(fmt);
    if (cls & (1u << 3 | 1u << 4)) {           /* +-0 -> +-inf */
        *fl |= FFLAG_DZ;
        return sign | inf;
    }
    int64_t e;
    uint64_t m;
    normalize(fmt, x, &e, &m);
    int64_t oe = 2 * bias - 1 - e;
    if (oe > 2 * bias) {                       /* subnormal with sig = 00...: overflow */
        *fl |= FFLAG_NX | FFLAG_OF;
        bool to_max = rm == RM_RTZ || (rm == RM_RDN && !sign) || (rm == RM_RUP && sign);
        return sign | (to_max ? inf - 1 : inf);
    }
    uint64_t om = (uint64_t)rec7_tab[m >> (mb - 7)] << (mb - 7);
    if (oe <= 0) {                             /* 0 or -1: a subnormal result */
        om = (1ull << mb | om) >> (1 - oe);
        oe = 0;
    }
    return sign | (uint64_t)oe << mb | om;
}

/* VFUNARY1 (vs1 field): vfsqrt.v 0, vfrsqrt7.v 4, vfrec7.v 5, vfclass.v 16. */
static bool unary1(struct rv_hart *h, const struct fctx *c)
{
    unsigned op = c->vs1;
    if ((op != 0 && op != 4 && op != 5 && op != 16) || c->fmt < 0 || !vgroup_ok(c->vd, c->lmul) ||
        !vgroup_ok(c->vs2, c->lmul) || (!c->vm && c->vd == 0) || !v0_ok(c, c->vs2, c->lmul))
        return rv_vec_illegal(h, c->raw);
    int rm = rv_fp_rm(h, RM_DYN);
    if ((op == 0 || op == 5) && rm < 0)
        return rv_vec_illegal(h, c->raw);
    uint32_t fl = 0;
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = vget(h, c->vs2, i, c->sewb), r;
        switch (op) {
        case 0: r = rv_fp_arith(c->fmt, RV_FOP_SQRT, a, 0, 0, rm, &fl); break;
        case 4: r = rv_vec_frsqrt7(c->fmt, a, &fl); break;
        case 5: r = rv_vec_frec7(c->fmt, a, rm, &fl); break;
        default: r = rv_fp_classify(c->fmt, a); break;
        }
        vput(h, c->vd, i, c->sewb, r);
    }
    fp_done(h, fl, false);
    return true;
}

/* VFUNARY0 (vs1 field): the conversions (V §13.17-§13.19). Bits 4:3 of
 * vs1: 0 single-width, 1 widening, 2 narrowing; bits 2:0: 0 f->xu, 1 f->x,
 * 2 xu->f, 3 x->f, 4 f->f (widening/narrowing), 5 rod f->f (narrowing),
 * 6 rtz f->xu, 7 rtz f->x. */
static bool convert(struct rv_hart *h, const struct fctx *c)
{
    unsigned kind = c->vs1 >> 3, op = c->vs1 & 7;
    if (kind > 2 || (kind == 0 && (op == 4 || op == 5)) || (kind == 1 && op == 5))
        return rv_vec_illegal(h, c->raw);
    /* source and destination EEW (bits); which of them is a float */
    unsigned seew = kind == 2 ? c->sew * 2 : c->sew, deew = kind == 1 ? c->sew * 2 : c->sew;
    bool from_f = op != 2 && op != 3, to_f = op >= 2 && op <= 5;
    /* Zvfhmin: binary16 in the float-to-float conversions only */
    bool h16 = c->zvfh || (op == 4 || op == 5 ? c->zvfhmin : false);
    int sfmt = from_f ? fmt_of(seew, h16) : 0, dfmt = to_f ? fmt_of(deew, h16) : 0;
    int sl = kind == 2 ? c->lmul + 1 : c->lmul, dl = kind == 1 ? c->lmul + 1 : c->lmul;
    if (sfmt < 0 || dfmt < 0 || (kind && (c->sew > 32 || c->lmul > 2)) || !vgroup_ok(c->vd, dl) ||
        !vgroup_ok(c->vs2, sl) || (!c->vm && c->vd == 0) || !v0_ok(c, c->vs2, sl) ||
        !vdst_ok(c->vd, dl, deew, c->vs2, sl, seew))
        return rv_vec_illegal(h, c->raw);
    int rm = op >= 6 ? RM_RTZ : op == 5 ? RM_RTZ : rv_fp_rm(h, RM_DYN);
    if (rm < 0)
        return rv_vec_illegal(h, c->raw);
    unsigned sb = seew / 8, db = deew / 8;
    uint8_t src[8 * RV_VLENB_MAX];             /* read before vd is written (overlap) */
    memcpy(src, vreg(h, c->vs2), (size_t)vregs(sl) * h->vec.vlenb);
    uint32_t fl = 0;
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = rv_load_le(src + i * sb, sb), r;
        switch (op) {
        case 0: case 6: r = rv_fp_to_int(sfmt, a, deew, false, rm, &fl); break;
        case 1: case 7: r = rv_fp_to_int(sfmt, a, deew, true, rm, &fl); break;
        case 2: r = rv_fp_from_int(dfmt, a, false, rm, &fl); break;
        case 3: r = rv_fp_from_int(dfmt, (uint64_t)vsext(a, seew), true, rm, &fl); break;
        case 4: r = rv_fp_convert(dfmt, sfmt, a, rm, &fl); break;
        default: {                             /* vfncvt.rod.f.f.w: round to odd */
            uint32_t f2 = 0;
            r = rv_fp_convert(dfmt, sfmt, a, RM_RTZ, &f2);
            if ((f2 & FFLAG_NX) && !rv_fp_is_nan(dfmt, r))
                r |= 1;                        /* inexact: the odd neighbour towards zero's side */
            fl |= f2;
            break;
        }
        }
        vput(h, c->vd, i, db, r);
    }
    fp_done(h, fl, false);
    return true;
}

/* vfredusum/vfredosum (0x01/0x03), vfredmin/vfredmax (0x05/0x07) and the
 * widening vfwredusum/vfwredosum (0x31/0x33) (V §14.3, §14.4). The
 * unordered sum is computed in element order: "vfredosum is a valid
 * implementation of vfredusum" (V §14.3.2). No active element: vs1[0] is
 * copied unchanged (no flags, NaN kept); vl = 0: vd untouched. */
static bool freduce(struct rv_hart *h, const struct fctx *c)
{
    bool wide = c->f6 >= 0x30;
    int afmt = wide ? fmt_of(c->sew * 2, c->zvfh) : c->fmt;
    if (h->vec.vstart || c->fmt < 0 || afmt < 0 || !vgroup_ok(c->vs2, c->lmul) ||
        !v0_ok(c, c->vs2, c->lmul) || !v0_ok(c, c->vs1, 0) ||
        !vsrc_ok(c->vs2, c->lmul, c->sew, c->vs1, 0, wide ? c->sew * 2 : c->sew))
        return rv_vec_illegal(h, c->raw);
    bool sum = c->f6 == 0x01 || c->f6 == 0x03 || wide;
    int rm = rv_fp_rm(h, RM_DYN);
    if (sum && rm < 0)
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    if (c->vl == 0) {
        h->vec.vstart = 0;
        return true;
    }
    unsigned ab = wide ? c->sewb * 2 : c->sewb;
    uint64_t acc = vget(h, c->vs1, 0, ab);
    uint32_t fl = 0;
    for (uint64_t i = 0; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t e = vget(h, c->vs2, i, c->sewb);
        if (wide)
            e = rv_fp_convert(afmt, c->fmt, e, rm, &fl);
        if (sum)
            acc = rv_fp_arith(afmt, RV_FOP_ADD, acc, e, 0, rm, &fl);
        else
            acc = rv_fp_minmax(afmt, c->f6 == 0x07, acc, e, &fl);
    }
    vput(h, c->vd, 0, ab, acc);
    fp_done(h, fl, false);
    return true;
}

/* vfslide1up.vf / vfslide1down.vf (V §16.3.6). */
static bool fslide1(struct rv_hart *h, const struct fctx *c, bool up)
{
    unsigned n = vregs(c->lmul);
    if (c->fmt < 0 || !vgroup_ok(c->vd, c->lmul) || !vgroup_ok(c->vs2, c->lmul) ||
        (!c->vm && c->vd == 0) || (up && voverlap(c->vd, n, c->vs2, n)) || !v0_ok(c, c->vs2, c->lmul))
        return rv_vec_illegal(h, c->raw);
    uint64_t f = rv_fp_reg(h, c->vs1, c->fmt);
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t v;
        if (up)
            v = i == 0 ? f : vget(h, c->vs2, i - 1, c->sewb);
        else
            v = i == c->vl - 1 ? f : vget(h, c->vs2, i + 1, c->sewb);
        vput(h, c->vd, i, c->sewb, v);
    }
    fp_done(h, 0, false);
    return true;
}

bool rv_vec_fp(struct rv_hart *h, uint32_t raw)
{
    struct fctx c = {
        .raw = raw, .f6 = vbits(raw, 31, 26), .f3 = vbits(raw, 14, 12), .vd = vbits(raw, 11, 7),
        .vs1 = vbits(raw, 19, 15), .vs2 = vbits(raw, 24, 20), .vm = vbits(raw, 25, 25),
    };
    if (!fs_on(h) || (h->vec.vtype & RV_VTYPE_VILL))   /* V §13, §3.4.4 */
        return rv_vec_illegal(h, raw);
    c.sew = rv_vec_sew(h->vec.vtype);
    c.sewb = c.sew / 8;
    c.lmul = rv_vec_lmul_log2(h->vec.vtype);
    c.vl = h->vec.vl;
    c.vlmax = rv_vec_vlmax(h->vec.vtype, h->vec.vlenb);
    c.zvfh = h->ext & RV_EXT_ZVFH;
    c.zvfhmin = h->ext & RV_EXT_ZVFHMIN;
    c.fmt = fmt_of(c.sew, c.zvfh);
    bool vv = c.f3 == F_FVV;

    if (vv && (c.f6 == 0x01 || c.f6 == 0x03 || c.f6 == 0x05 || c.f6 == 0x07 ||
               c.f6 == 0x31 || c.f6 == 0x33))
        return freduce(h, &c);
    if (vv && c.f6 == 0x12)
        return convert(h, &c);
    if (vv && c.f6 == 0x13)
        return unary1(h, &c);
    if (c.f6 == 0x10) {
        if (c.fmt < 0 || !c.vm)
            return rv_vec_illegal(h, raw);
        if (vv) {                              /* vfmv.f.s: f[rd] = vs2[0], ignores vl */
            if (c.vs1 != 0)
                return rv_vec_illegal(h, raw);
            h->f[c.vd] = rv_fp_box(c.fmt, vget(h, c.vs2, 0, c.sewb));
            fp_done(h, 0, true);
            return true;
        }
        if (c.vs2 != 0)                        /* vfmv.s.f: vd[0] = f[rs1] */
            return rv_vec_illegal(h, raw);
        rv_vec_dirty(h);
        if (h->vec.vstart < c.vl)
            vput(h, c.vd, 0, c.sewb, rv_fp_reg(h, c.vs1, c.fmt));
        fp_done(h, 0, false);
        return true;
    }
    if (!vv && c.f6 == 0x17) {                 /* vfmerge.vfm / vfmv.v.f (V §13.15, §13.16) */
        if (c.fmt < 0 || !vgroup_ok(c.vd, c.lmul) || !vgroup_ok(c.vs2, c.lmul) ||
            (c.vm && c.vs2 != 0) || (!c.vm && (c.vd == 0 || !v0_ok(&c, c.vs2, c.lmul))))
            return rv_vec_illegal(h, raw);
        uint64_t f = rv_fp_reg(h, c.vs1, c.fmt);
        rv_vec_dirty(h);
        for (uint64_t i = h->vec.vstart; i < c.vl; i++)
            vput(h, c.vd, i, c.sewb, vactive(h, c.vm, i) ? f : vget(h, c.vs2, i, c.sewb));
        fp_done(h, 0, false);
        return true;
    }
    if (!vv && (c.f6 == 0x0e || c.f6 == 0x0f))
        return fslide1(h, &c, c.f6 == 0x0e);
    if (c.f6 >= 0x30 && c.f6 != 0x31 && c.f6 != 0x33 && c.f6 != 0x35 && c.f6 != 0x37 &&
        c.f6 != 0x39 && c.f6 != 0x3a && c.f6 != 0x3b) {
        int rm = rv_fp_rm(h, RM_DYN);
        if (rm < 0)
            return rv_vec_illegal(h, raw);
        return widening(h, &c, rm);
    }
    for (size_t k = 0; k < sizeof single / sizeof single[0]; k++)
        if (single[k].f6 == c.f6 && (single[k].forms & (vv ? FV : FF))) {
            int rm = rv_fp_rm(h, RM_DYN);
            if (rounds((enum fk)single[k].k) && rm < 0)
                return rv_vec_illegal(h, raw);
            return single_width(h, &c, (enum fk)single[k].k, rm < 0 ? RM_RNE : rm);
        }
    return rv_vec_illegal(h, raw);
}
