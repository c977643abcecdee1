/* Vector integer arithmetic, compares, merges/moves, reductions, mask
 * logicals, vcpop/vfirst/vid, slides and gathers (V §11, §14, §15, §16).
 * OPIVV/OPIVX/OPIVI and OPMVV/OPMVX; operand forms as in V §10.1. Tail
 * and masked-off elements are left undisturbed whatever vta/vma say
 * ("agnostic" allows undisturbed, V §3.4.3). FP: vector_fp.c. */
#include "vector_internal.h"

enum { F_VV = 0, F_MVV = 2, F_VI = 3, F_VX = 4, F_MVX = 6 };

/* element operations of SEW bits */
enum eop {
    E_ADD, E_SUB, E_RSUB, E_MINU, E_MIN, E_MAXU, E_MAX, E_AND, E_OR, E_XOR,
    E_SLL, E_SRL, E_SRA, E_MERGE,
    E_DIVU, E_DIV, E_REMU, E_REM, E_MULHU, E_MUL, E_MULHSU, E_MULH,
    E_MADD, E_NMSUB, E_MACC, E_NMSAC,
    C_EQ, C_NE, C_LTU, C_LT, C_LEU, C_LE, C_GTU, C_GT,
};

static uint64_t mulhu(uint64_t a, uint64_t b, unsigned sew)
{
    if (sew == 64)
        return (uint64_t)(((unsigned __int128)a * b) >> 64);
    return (a * b) >> sew;                     /* a, b < 2^32: exact in 64 bits */
}
static uint64_t mulh(int64_t a, int64_t b, unsigned sew)
{
    if (sew == 64)
        return (uint64_t)(((__int128)a * b) >> 64);
    return (uint64_t)((a * b) >> sew);
}
static uint64_t mulhsu(int64_t a, uint64_t b, unsigned sew)
{
    if (sew == 64)
        return (uint64_t)(((__int128)a * (__int128)(unsigned __int128)b) >> 64);
    return (uint64_t)((a * (int64_t)b) >> sew);
}

/* a = vs2 element, b = vs1 element or scalar, d = old vd element; all
 * truncated to sew bits. Returns the new element (for compares 0/1). */
static uint64_t calc(enum eop op, uint64_t a, uint64_t b, uint64_t d, unsigned sew)
{
    int64_t sa = vsext(a, sew), sb = vsext(b, sew);
    unsigned sh = b & (sew - 1);
    int64_t smin = sew == 64 ? INT64_MIN : -(1ll << (sew - 1));
    switch (op) {
    case E_ADD: return a + b;
    case E_SUB: return a - b;
    case E_RSUB: return b - a;
    case E_MINU: return a < b ? a : b;
    case E_MIN: return sa < sb ? a : b;
    case E_MAXU: return a > b ? a : b;
    case E_MAX: return sa > sb ? a : b;
    case E_AND: return a & b;
    case E_OR: return a | b;
    case E_XOR: return a ^ b;
    case E_SLL: return a << sh;
    case E_SRL: return a >> sh;
    case E_SRA: return (uint64_t)(sa >> sh);
    case E_MERGE: return b;
    /* V §11.11: x/0 = all ones, x%0 = x; overflow: q = dividend, r = 0 */
    case E_DIVU: return b ? a / b : ~0ull;
    case E_REMU: return b ? a % b : a;
    case E_DIV: return !b ? ~0ull : (sa == smin && sb == -1) ? a : (uint64_t)(sa / sb);
    case E_REM: return !b ? a : (sa == smin && sb == -1) ? 0 : (uint64_t)(sa % sb);
    case E_MULHU: return mulhu(a, b, sew);
    case E_MUL: return a * b;
    case E_MULHSU: return mulhsu(sa, b, sew);
    case E_MULH: return mulh(sa, sb, sew);
    /* V §11.13: b is vs1/rs1 */
    case E_MADD: return b * d + a;
    case E_NMSUB: return a - b * d;
    case E_MACC: return b * a + d;
    case E_NMSAC: return d - b * a;
    case C_EQ: return a == b;
    case C_NE: return a != b;
    case C_LTU: return a < b;
    case C_LT: return sa < sb;
    case C_LEU: return a <= b;
    case C_LE: return sa <= sb;
    case C_GTU: return a > b;
    case C_GT: return sa > sb;
    }
    return 0;
}

/* funct6 -> operation, with the forms it has (V §10.1 tables): bit F_VV
 * OPIVV, F_VX OPIVX, F_VI OPIVI, F_MVV OPMVV, F_MVX OPMVX. */
#define FV (1u << F_VV)
#define FX (1u << F_VX)
#define FI (1u << F_VI)
#define MV (1u << F_MVV)
#define MX (1u << F_MVX)
struct vop { uint8_t f6; uint8_t forms; uint8_t op; };
static const struct vop opi[] = {
    { 0x00, FV | FX | FI, E_ADD }, { 0x02, FV | FX, E_SUB }, { 0x03, FX | FI, E_RSUB },
    { 0x04, FV | FX, E_MINU }, { 0x05, FV | FX, E_MIN }, { 0x06, FV | FX, E_MAXU },
    { 0x07, FV | FX, E_MAX }, { 0x09, FV | FX | FI, E_AND }, { 0x0a, FV | FX | FI, E_OR },
    { 0x0b, FV | FX | FI, E_XOR }, { 0x17, FV | FX | FI, E_MERGE },
    { 0x18, FV | FX | FI, C_EQ }, { 0x19, FV | FX | FI, C_NE }, { 0x1a, FV | FX, C_LTU },
    { 0x1b, FV | FX, C_LT }, { 0x1c, FV | FX | FI, C_LEU }, { 0x1d, FV | FX | FI, C_LE },
    { 0x1e, FX | FI, C_GTU }, { 0x1f, FX | FI, C_GT },
    { 0x25, FV | FX | FI, E_SLL }, { 0x28, FV | FX | FI, E_SRL }, { 0x29, FV | FX | FI, E_SRA },
};
static const struct vop opm[] = {
    { 0x20, MV | MX, E_DIVU }, { 0x21, MV | MX, E_DIV }, { 0x22, MV | MX, E_REMU },
    { 0x23, MV | MX, E_REM }, { 0x24, MV | MX, E_MULHU }, { 0x25, MV | MX, E_MUL },
    { 0x26, MV | MX, E_MULHSU }, { 0x27, MV | MX, E_MULH }, { 0x29, MV | MX, E_MADD },
    { 0x2b, MV | MX, E_NMSUB }, { 0x2d, MV | MX, E_MACC }, { 0x2f, MV | MX, E_NMSAC },
};

struct vctx {
    uint32_t raw;
    unsigned f6, f3, vd, vs1, vs2, sew, sewb;
    bool vm;
    int lmul;
    uint64_t vl, vlmax, scalar;              /* scalar: rs1 or the immediate, SEW bits */
};

/* V §5.2: under v0.t, v0 is read with EEW 1, so a data source group may
 * not contain it ("a vector register cannot be used to provide source
 * operands with more than one EEW"). */
static bool v0_data_ok(const struct vctx *c, unsigned s, int el) { return c->vm || !voverlap(0, 1, s, vregs(el)); }

/* Element-wise operation of SEW-bit groups, or a compare into a mask. */
static bool elementwise(struct rv_hart *h, const struct vctx *c, enum eop op)
{
    bool vv = c->f3 == F_VV || c->f3 == F_MVV;
    bool cmp = op >= C_EQ, merge = op == E_MERGE;
    if (!vgroup_ok(c->vs2, c->lmul) || (vv && !vgroup_ok(c->vs1, c->lmul)) ||
        (!cmp && !vgroup_ok(c->vd, c->lmul)))
        return rv_vec_illegal(h, c->raw);
    /* a masked destination may not be v0 unless it is a mask (V §5.3) */
    if (!c->vm && !cmp && c->vd == 0)
        return rv_vec_illegal(h, c->raw);
    /* V §5.2: a mask destination (EEW 1) only in the lowest register of a
     * source group; v0 not read as data when it is the mask */
    if ((cmp && (!vdst_ok(c->vd, 0, 1, c->vs2, c->lmul, c->sew) ||
                 (vv && !vdst_ok(c->vd, 0, 1, c->vs1, c->lmul, c->sew)))) ||
        !v0_data_ok(c, c->vs2, c->lmul) || (vv && !v0_data_ok(c, c->vs1, c->lmul)))
        return rv_vec_illegal(h, c->raw);
    if (merge && c->vm && c->vs2 != 0)         /* vmv.v.*: vs2 must be v0 (V §11.16) */
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    uint8_t mask[RV_VLENB_MAX];
    if (cmp)
        memcpy(mask, vreg(h, c->vd), h->vec.vlenb);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        uint64_t b = vv ? vget(h, c->vs1, i, c->sewb) : c->scalar;
        if (merge) {                           /* vmerge: v0 selects; vmv.v: all */
            uint64_t a = vget(h, c->vs2, i, c->sewb);
            vput(h, c->vd, i, c->sewb, c->vm || rv_vec_mask_bit(h->vec.reg, i) ? b : a);
            continue;
        }
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = vget(h, c->vs2, i, c->sewb);
        uint64_t d = cmp ? 0 : vget(h, c->vd, i, c->sewb);
        uint64_t r = calc(op, a, b, d, c->sew);
        if (cmp)
            rv_vec_set_mask_bit(mask, i, r);
        else
            vput(h, c->vd, i, c->sewb, vtrunc(r, c->sew));
    }
    if (cmp)
        memcpy(vreg(h, c->vd), mask, h->vec.vlenb);
    h->vec.vstart = 0;
    return true;
}

/* vrgather.vv/vx/vi, vrgatherei16.vv (V §16.4). */
static bool gather(struct rv_hart *h, const struct vctx *c, bool ei16)
{
    int iemul = ei16 ? c->lmul + 4 - __builtin_ctz(c->sew) : c->lmul; /* log2(16/SEW)+LMUL */
    bool vv = c->f3 == F_VV;
    unsigned n = vregs(c->lmul);
    if (!vgroup_ok(c->vd, c->lmul) || !vgroup_ok(c->vs2, c->lmul) || (vv && !vgroup_ok(c->vs1, iemul)) ||
        voverlap(c->vd, n, c->vs2, n) || (vv && voverlap(c->vd, n, c->vs1, vregs(iemul))) ||
        (!c->vm && c->vd == 0) || !v0_data_ok(c, c->vs2, c->lmul) ||
        (vv && (!v0_data_ok(c, c->vs1, iemul) ||
                !vsrc_ok(c->vs2, c->lmul, c->sew, c->vs1, iemul, ei16 ? 16 : c->sew))))
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t idx = vv ? vget(h, c->vs1, i, ei16 ? 2 : c->sewb)
                          : c->f3 == F_VX ? h->x[c->vs1] : c->vs1;
        vput(h, c->vd, i, c->sewb, idx < c->vlmax ? vget(h, c->vs2, idx, c->sewb) : 0);
    }
    h->vec.vstart = 0;
    return true;
}

/* vslideup/vslidedown .vx/.vi, vslide1up/vslide1down .vx (V §16.3). */
static bool slide(struct rv_hart *h, const struct vctx *c, bool up, bool one)
{
    unsigned n = vregs(c->lmul);
    if (!vgroup_ok(c->vd, c->lmul) || !vgroup_ok(c->vs2, c->lmul) || (!c->vm && c->vd == 0) ||
        (up && voverlap(c->vd, n, c->vs2, n)) || !v0_data_ok(c, c->vs2, c->lmul))
        return rv_vec_illegal(h, c->raw);
    uint64_t off = one ? 1 : c->f3 == F_VX ? h->x[c->vs1] : c->vs1;
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t v;
        if (up) {
            if (i < off) {
                if (!one)
                    continue;                  /* vslideup: vd[i < OFFSET] unchanged */
                v = c->scalar;                 /* vslide1up: vd[0] = x[rs1] */
            } else {
                v = vget(h, c->vs2, i - off, c->sewb);
            }
        } else if (one && i == c->vl - 1) {
            v = c->scalar;                     /* vslide1down: vd[vl-1] = x[rs1] */
        } else {
            v = off < c->vlmax && i + off < c->vlmax ? vget(h, c->vs2, i + off, c->sewb) : 0;
        }
        vput(h, c->vd, i, c->sewb, v);
    }
    h->vec.vstart = 0;
    return true;
}

/* vred* (V §14.1): vd[0] = vs1[0] op the active vs2 elements. */
static bool reduce(struct rv_hart *h, const struct vctx *c)
{
    static const uint8_t ops[8] = { E_ADD, E_AND, E_OR, E_XOR, E_MINU, E_MIN, E_MAXU, E_MAX };
    if (h->vec.vstart || !vgroup_ok(c->vs2, c->lmul) ||  /* V §14: vstart must be 0 */
        !v0_data_ok(c, c->vs2, c->lmul) || !v0_data_ok(c, c->vs1, 0))
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    if (c->vl == 0)
        return true;
    uint64_t acc = vget(h, c->vs1, 0, c->sewb);
    for (uint64_t i = 0; i < c->vl; i++)
        if (vactive(h, c->vm, i))
            acc = vtrunc(calc((enum eop)ops[c->f6], vget(h, c->vs2, i, c->sewb), acc, 0, c->sew), c->sew);
    vput(h, c->vd, 0, c->sewb, acc);
    return true;
}

/* vmandn .. vmxnor (V §15.1): mask bits vstart..vl-1, unmasked. */
static bool mask_logical(struct rv_hart *h, const struct vctx *c)
{
    if (!c->vm)
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    uint8_t out[RV_VLENB_MAX];
    memcpy(out, vreg(h, c->vd), h->vec.vlenb);
    const uint8_t *a = vreg(h, c->vs2), *b = vreg(h, c->vs1);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        bool x = rv_vec_mask_bit(a, i), y = rv_vec_mask_bit(b, i), r = false;
        switch (c->f6 & 7) {
        case 0: r = x && !y; break;            /* vmandn */
        case 1: r = x && y; break;             /* vmand */
        case 2: r = x || y; break;             /* vmor */
        case 3: r = x != y; break;             /* vmxor */
        case 4: r = x || !y; break;            /* vmorn */
        case 5: r = !(x && y); break;          /* vmnand */
        case 6: r = !(x || y); break;          /* vmnor */
        case 7: r = x == y; break;             /* vmxnor */
        }
        rv_vec_set_mask_bit(out, i, r);
    }
    memcpy(vreg(h, c->vd), out, h->vec.vlenb);
    h->vec.vstart = 0;
    return true;
}

/* OPMVV funct6 0x10 (VWXUNARY0): vmv.x.s, vcpop.m, vfirst.m (V §16.1, §15.2, §15.3). */
static bool wxunary(struct rv_hart *h, const struct vctx *c)
{
    unsigned rd = c->vd;
    uint64_t r;
    if (c->vs1 == 0x00) {                      /* vmv.x.s: ignores vl and vstart */
        if (!c->vm)
            return rv_vec_illegal(h, c->raw);
        r = (uint64_t)vsext(vget(h, c->vs2, 0, c->sewb), c->sew);
    } else if (c->vs1 == 0x10 || c->vs1 == 0x11) {
        if (h->vec.vstart)                     /* V §15.2/§15.3: vstart must be 0 */
            return rv_vec_illegal(h, c->raw);
        const uint8_t *m = vreg(h, c->vs2);
        uint64_t cnt = 0, first = ~0ull;
        for (uint64_t i = 0; i < c->vl; i++)
            if (vactive(h, c->vm, i) && rv_vec_mask_bit(m, i)) {
                cnt++;
                if (first == ~0ull)
                    first = i;
            }
        r = c->vs1 == 0x10 ? cnt : first;
    } else {
        return rv_vec_illegal(h, c->raw);
    }
    if (rd)
        h->x[rd] = r;
    h->vec.vstart = 0;
    return true;
}

/* vadc/vmadc (funct6 0x10/0x11), vsbc/vmsbc (0x12/0x13) (V §11.4): every
 * element 0..vl-1; v0 is the carry/borrow in (vm = 0; vadc/vsbc need it). */
static bool carry(struct rv_hart *h, const struct vctx *c)
{
    bool mask_out = c->f6 & 1, sub = c->f6 & 2, vv = c->f3 == F_VV;
    if ((!mask_out && (c->vm || c->vd == 0 || !vgroup_ok(c->vd, c->lmul))) ||
        !vgroup_ok(c->vs2, c->lmul) || (vv && !vgroup_ok(c->vs1, c->lmul)) ||
        (sub && c->f3 == F_VI) || !v0_data_ok(c, c->vs2, c->lmul) ||
        (vv && !v0_data_ok(c, c->vs1, c->lmul)) ||
        (mask_out && (!vdst_ok(c->vd, 0, 1, c->vs2, c->lmul, c->sew) ||
                      (vv && !vdst_ok(c->vd, 0, 1, c->vs1, c->lmul, c->sew)))))
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    uint8_t mask[RV_VLENB_MAX];
    memcpy(mask, vreg(h, c->vd), h->vec.vlenb);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        uint64_t a = vget(h, c->vs2, i, c->sewb), b = vv ? vget(h, c->vs1, i, c->sewb) : c->scalar;
        uint64_t cin = c->vm ? 0 : rv_vec_mask_bit(h->vec.reg, i);
        uint64_t r = sub ? a - b - cin : a + b + cin;
        if (!mask_out) {
            vput(h, c->vd, i, c->sewb, vtrunc(r, c->sew));
            continue;
        }
        bool out;                              /* carry / borrow out of SEW bits */
        if (c->sew == 64)
            out = sub ? (a < b || (a == b && cin)) : (r < a || (cin && r == a));
        else
            out = (r >> c->sew) & 1;
        rv_vec_set_mask_bit(mask, i, out);
    }
    if (mask_out)
        memcpy(vreg(h, c->vd), mask, h->vec.vlenb);
    h->vec.vstart = 0;
    return true;
}

/* Widening (V §11.2, §11.12, §11.14: funct6 0x30-0x3f of OPMVV/OPMVX) and
 * narrowing shifts (§11.7: OPIVV/X/I 0x2c vnsrl, 0x2d vnsra); 2 x SEW <=
 * ELEN and 2 x LMUL <= 8. The sources are copied first, so a destination
 * that overlaps them (as §5.2 allows in part) reads the old values. */
static bool widen_narrow(struct rv_hart *h, const struct vctx *c, bool narrow)
{
    bool vv = c->f3 == F_VV || c->f3 == F_MVV;
    bool wide2 = narrow || (c->f6 >= 0x34 && c->f6 <= 0x37); /* vs2 is 2*SEW */
    int wl = c->lmul + 1;
    if (c->sew > 32 || c->lmul > 2 || (!narrow && (c->f6 == 0x39 || (c->f6 == 0x3e && vv))) ||
        !vgroup_ok(c->vd, narrow ? c->lmul : wl) || !vgroup_ok(c->vs2, wide2 ? wl : c->lmul) ||
        (vv && !vgroup_ok(c->vs1, c->lmul)) || (!c->vm && c->vd == 0))
        return rv_vec_illegal(h, c->raw);
    /* V §5.2: the wide and narrow groups overlap only at the allowed ends,
     * one register is not read with two EEWs, v0 is not data under v0.t */
    int dl = narrow ? c->lmul : wl, s2l = wide2 ? wl : c->lmul;
    unsigned deew = narrow ? c->sew : c->sew * 2, s2eew = wide2 ? c->sew * 2 : c->sew;
    if (!vdst_ok(c->vd, dl, deew, c->vs2, s2l, s2eew) || !v0_data_ok(c, c->vs2, s2l) ||
        (vv && (!vdst_ok(c->vd, dl, deew, c->vs1, c->lmul, c->sew) ||
                !vsrc_ok(c->vs2, s2l, s2eew, c->vs1, c->lmul, c->sew) || !v0_data_ok(c, c->vs1, c->lmul))))
        return rv_vec_illegal(h, c->raw);
    uint8_t s2[8 * RV_VLENB_MAX], s1[8 * RV_VLENB_MAX];
    memcpy(s2, vreg(h, c->vs2), (size_t)vregs(wide2 ? wl : c->lmul) * h->vec.vlenb);
    if (vv)
        memcpy(s1, vreg(h, c->vs1), (size_t)vregs(c->lmul) * h->vec.vlenb);
    unsigned w = c->sew * 2, wb = c->sewb * 2;
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = rv_load_le(s2 + i * (wide2 ? wb : c->sewb), wide2 ? wb : c->sewb);
        uint64_t b = vv ? rv_load_le(s1 + i * c->sewb, c->sewb) : c->scalar;
        if (narrow) {                          /* vnsrl / vnsra: shift by b mod 2*SEW */
            unsigned sh = b & (w - 1);
            uint64_t r = c->f6 == 0x2c ? a >> sh : (uint64_t)(vsext(a, w) >> sh);
            vput(h, c->vd, i, c->sewb, vtrunc(r, c->sew));
            continue;
        }
        uint64_t za = a, zb = b, sa = (uint64_t)vsext(a, wide2 ? w : c->sew), sb = (uint64_t)vsext(b, c->sew);
        uint64_t d = vget(h, c->vd, i, wb), r = 0;
        switch (c->f6) {
        case 0x30: r = za + zb; break;         /* vwaddu */
        case 0x31: r = sa + sb; break;         /* vwadd */
        case 0x32: r = za - zb; break;         /* vwsubu */
        case 0x33: r = sa - sb; break;         /* vwsub */
        case 0x34: r = a + zb; break;          /* vwaddu.w */
        case 0x35: r = a + sb; break;          /* vwadd.w */
        case 0x36: r = a - zb; break;          /* vwsubu.w */
        case 0x37: r = a - sb; break;          /* vwsub.w */
        case 0x38: r = za * zb; break;         /* vwmulu */
        case 0x3a: r = sa * zb; break;         /* vwmulsu: signed vs2 x unsigned vs1 */
        case 0x3b: r = sa * sb; break;         /* vwmul */
        case 0x3c: r = d + zb * za; break;     /* vwmaccu */
        case 0x3d: r = d + sb * sa; break;     /* vwmacc */
        case 0x3e: r = d + zb * sa; break;     /* vwmaccus: unsigned rs1 x signed vs2 */
        case 0x3f: r = d + sb * za; break;     /* vwmaccsu: signed vs1 x unsigned vs2 */
        }
        vput(h, c->vd, i, wb, vtrunc(r, w));
    }
    h->vec.vstart = 0;
    return true;
}

/* Fixed point (V §12). roundoff of v >> d by vxrm (V §3.8, Table 3.9):
 * rnu adds v[d-1]; rne v[d-1] & (v[d-2:0] != 0 | v[d]); rdn nothing; rod
 * sets the result's LSB when any shifted-out bit is set (!v[d] & v[d-1:0] != 0). */
static __int128 roundoff(__int128 v, unsigned d, unsigned vxrm)
{
    if (d == 0)
        return v;
    unsigned __int128 u = (unsigned __int128)v;
    unsigned bd1 = (unsigned)(u >> (d - 1)) & 1, bd = (unsigned)(u >> d) & 1;
    bool rest = d >= 2 && (u & (((unsigned __int128)1 << (d - 1)) - 1)) != 0;
    unsigned r = 0;
    switch (vxrm & 3) {
    case 0: r = bd1; break;
    case 1: r = bd1 & (rest || bd); break;
    case 2: r = 0; break;
    case 3: r = !bd & (bd1 || rest); break;
    }
    return (v >> d) + r;
}

/* Saturate v to SEW bits (signed or unsigned), setting vxsat if it clips. */
static uint64_t sat(struct rv_hart *h, __int128 v, unsigned sew, bool sign)
{
    __int128 lo = sign ? -((__int128)1 << (sew - 1)) : 0;
    __int128 hi = sign ? ((__int128)1 << (sew - 1)) - 1 : ((__int128)1 << sew) - 1;
    if (v < lo || v > hi) {
        h->vec.vxsat = 1;
        v = v < lo ? lo : hi;
    }
    return vtrunc((uint64_t)v, sew);
}

/* vsaddu/vsadd/vssubu/vssub, vsmul, vssrl/vssra (OPI 0x20-0x23, 0x27,
 * 0x2a, 0x2b), vaaddu/vaadd/vasubu/vasub (OPM 0x08-0x0b); vnclipu/vnclip
 * (OPI 0x2e/0x2f: vs2 is 2*SEW). */
static bool fixed(struct rv_hart *h, const struct vctx *c)
{
    bool opm = c->f3 == F_MVV || c->f3 == F_MVX;
    bool vv = c->f3 == F_VV || c->f3 == F_MVV;
    bool clip = !opm && (c->f6 == 0x2e || c->f6 == 0x2f);
    int l2 = clip ? c->lmul + 1 : c->lmul;
    if ((clip && (c->sew > 32 || c->lmul > 2)) || !vgroup_ok(c->vd, c->lmul) || !vgroup_ok(c->vs2, l2) ||
        (vv && !vgroup_ok(c->vs1, c->lmul)) || (!c->vm && c->vd == 0) ||
        !vdst_ok(c->vd, c->lmul, c->sew, c->vs2, l2, clip ? c->sew * 2 : c->sew) ||
        !v0_data_ok(c, c->vs2, l2) || (vv && !v0_data_ok(c, c->vs1, c->lmul)) ||
        (vv && !vsrc_ok(c->vs2, l2, clip ? c->sew * 2 : c->sew, c->vs1, c->lmul, c->sew)))
        return rv_vec_illegal(h, c->raw);
    unsigned e2 = clip ? c->sewb * 2 : c->sewb, sew = c->sew, rm = h->vec.vxrm;
    uint8_t s2[8 * RV_VLENB_MAX];
    memcpy(s2, vreg(h, c->vs2), (size_t)vregs(l2) * h->vec.vlenb);
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t a = rv_load_le(s2 + i * e2, e2);
        uint64_t b = vv ? vget(h, c->vs1, i, c->sewb) : c->scalar;
        __int128 ua = a, ub = b, sa = vsext(a, e2 * 8), sb = vsext(b, sew);
        uint64_t r;
        if (opm) {
            switch (c->f6) {
            case 0x08: r = (uint64_t)roundoff(ua + ub, 1, rm); break;            /* vaaddu */
            case 0x09: r = (uint64_t)roundoff(sa + sb, 1, rm); break;            /* vaadd */
            case 0x0a: r = (uint64_t)roundoff(ua - ub, 1, rm); break;            /* vasubu */
            default: r = (uint64_t)roundoff(sa - sb, 1, rm); break;              /* vasub */
            }
            r = vtrunc(r, sew);
        } else {
            switch (c->f6) {
            case 0x20: r = sat(h, ua + ub, sew, false); break;                   /* vsaddu */
            case 0x21: r = sat(h, sa + sb, sew, true); break;                    /* vsadd */
            case 0x22: r = sat(h, ua - ub, sew, false); break;                   /* vssubu */
            case 0x23: r = sat(h, sa - sb, sew, true); break;                    /* vssub */
            case 0x27: r = sat(h, roundoff(sa * sb, sew - 1, rm), sew, true); break; /* vsmul */
            case 0x2a: r = vtrunc((uint64_t)roundoff(ua, b & (sew - 1), rm), sew); break; /* vssrl */
            case 0x2b: r = vtrunc((uint64_t)roundoff(sa, b & (sew - 1), rm), sew); break; /* vssra */
            case 0x2e: r = sat(h, roundoff(ua, b & (2 * sew - 1), rm), sew, false); break; /* vnclipu */
            default: r = sat(h, roundoff(sa, b & (2 * sew - 1), rm), sew, true); break;   /* vnclip */
            }
        }
        vput(h, c->vd, i, c->sewb, r);
    }
    h->vec.vstart = 0;
    return true;
}

/* vwredsumu / vwredsum (V §14.2): vd[0] (2*SEW) = vs1[0] + the extended
 * active vs2 elements. */
static bool wreduce(struct rv_hart *h, const struct vctx *c)
{
    if (h->vec.vstart || c->sew > 32 || !vgroup_ok(c->vs2, c->lmul) || !v0_data_ok(c, c->vs2, c->lmul) ||
        !v0_data_ok(c, c->vs1, 0) || !vsrc_ok(c->vs2, c->lmul, c->sew, c->vs1, 0, c->sew * 2))
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    if (c->vl == 0)
        return true;
    unsigned w = c->sew * 2, wb = c->sewb * 2;
    uint64_t acc = vget(h, c->vs1, 0, wb);
    for (uint64_t i = 0; i < c->vl; i++)
        if (vactive(h, c->vm, i)) {
            uint64_t e = vget(h, c->vs2, i, c->sewb);
            acc += c->f6 == 0x31 ? (uint64_t)vsext(e, c->sew) : e;
        }
    vput(h, c->vd, 0, wb, vtrunc(acc, w));
    return true;
}

static bool opi_dispatch(struct rv_hart *h, struct vctx *c)
{
    if ((c->f6 >= 0x20 && c->f6 <= 0x23 && !(c->f3 == F_VI && c->f6 >= 0x22)) ||
        (c->f6 == 0x27 && c->f3 != F_VI) || c->f6 == 0x2a || c->f6 == 0x2b || c->f6 == 0x2e ||
        c->f6 == 0x2f)
        return fixed(h, c);
    if (c->f6 == 0x2c || c->f6 == 0x2d)
        return widen_narrow(h, c, true);
    if ((c->f6 == 0x30 || c->f6 == 0x31) && c->f3 == F_VV)
        return wreduce(h, c);
    if (c->f6 >= 0x10 && c->f6 <= 0x13)
        return carry(h, c);
    switch (c->f6) {
    case 0x0c: return gather(h, c, false);
    case 0x0e:
        if (c->f3 == F_VV)
            return gather(h, c, true);
        return slide(h, c, true, false);
    case 0x0f:
        if (c->f3 == F_VV)
            break;
        return slide(h, c, false, false);
    }
    for (size_t k = 0; k < sizeof opi / sizeof opi[0]; k++)
        if (opi[k].f6 == c->f6 && (opi[k].forms >> c->f3 & 1))
            return elementwise(h, c, (enum eop)opi[k].op);
    return rv_vec_illegal(h, c->raw);
}

/* vzext.vf2/4/8, vsext.vf2/4/8 (V §11.3): source EEW = SEW / F. */
static bool extend(struct rv_hart *h, const struct vctx *c)
{
    unsigned k = c->vs1;                       /* 2..7: vf8 z/s, vf4 z/s, vf2 z/s */
    if (k < 2 || k > 7)
        return rv_vec_illegal(h, c->raw);
    unsigned shift = 4 - k / 2;                /* log2(F): 3, 2, 1 */
    bool sign = k & 1;
    int semul = c->lmul - (int)shift;
    if (c->sew >> shift < 8 || !vgroup_ok(c->vd, c->lmul) || !vgroup_ok(c->vs2, semul) ||
        (!c->vm && c->vd == 0) || !vdst_ok(c->vd, c->lmul, c->sew, c->vs2, semul, c->sew >> shift) ||
        !v0_data_ok(c, c->vs2, semul))
        return rv_vec_illegal(h, c->raw);
    unsigned seew = c->sewb >> shift;
    uint8_t src[8 * RV_VLENB_MAX];             /* the source group (it may overlap vd) */
    memcpy(src, vreg(h, c->vs2), (size_t)vregs(semul) * h->vec.vlenb);
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        uint64_t v = rv_load_le(src + i * seew, seew);
        vput(h, c->vd, i, c->sewb, sign ? vtrunc((uint64_t)vsext(v, seew * 8), c->sew) : v);
    }
    h->vec.vstart = 0;
    return true;
}

/* VMUNARY0 (V §15.4-§15.9): vmsbf/vmsof/vmsif (vs1 1, 2, 3), viota (16),
 * vid (17). */
static bool munary(struct rv_hart *h, const struct vctx *c)
{
    if (c->vs1 == 0x11) {                      /* vid.v */
        if (c->vs2 != 0 || !vgroup_ok(c->vd, c->lmul) || (!c->vm && c->vd == 0))
            return rv_vec_illegal(h, c->raw);
        rv_vec_dirty(h);
        for (uint64_t i = h->vec.vstart; i < c->vl; i++)
            if (vactive(h, c->vm, i))
                vput(h, c->vd, i, c->sewb, vtrunc(i, c->sew));
        h->vec.vstart = 0;
        return true;
    }
    const uint8_t *m = vreg(h, c->vs2);
    if (c->vs1 == 0x10) {                      /* viota.m: prefix count of active bits */
        if (h->vec.vstart || !vgroup_ok(c->vd, c->lmul) || voverlap(c->vd, vregs(c->lmul), c->vs2, 1) ||
            (!c->vm && c->vd == 0))
            return rv_vec_illegal(h, c->raw);
        rv_vec_dirty(h);
        uint8_t mcopy[RV_VLENB_MAX];
        memcpy(mcopy, m, h->vec.vlenb);
        uint64_t cnt = 0;
        for (uint64_t i = 0; i < c->vl; i++) {
            if (!vactive(h, c->vm, i))
                continue;
            vput(h, c->vd, i, c->sewb, vtrunc(cnt, c->sew));
            cnt += rv_vec_mask_bit(mcopy, i);
        }
        return true;
    }
    if (c->vs1 < 1 || c->vs1 > 3 || h->vec.vstart || c->vd == c->vs2 || (!c->vm && c->vd == 0))
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    uint8_t out[RV_VLENB_MAX];
    memcpy(out, vreg(h, c->vd), h->vec.vlenb);
    bool seen = false;                         /* a set active bit came before */
    for (uint64_t i = 0; i < c->vl; i++) {
        if (!vactive(h, c->vm, i))
            continue;
        bool b = rv_vec_mask_bit(m, i), r;
        if (c->vs1 == 1) r = !seen && !b;      /* vmsbf: before the first */
        else if (c->vs1 == 3) r = !seen;       /* vmsif: up to and including it */
        else r = !seen && b;                   /* vmsof: only it */
        seen = seen || b;
        rv_vec_set_mask_bit(out, i, r);
    }
    memcpy(vreg(h, c->vd), out, h->vec.vlenb);
    return true;
}

/* vcompress.vm (V §16.5): the elements of vs2 selected by mask vs1, packed. */
static bool compress(struct rv_hart *h, const struct vctx *c)
{
    unsigned n = vregs(c->lmul);
    if (!c->vm || h->vec.vstart || !vgroup_ok(c->vd, c->lmul) || !vgroup_ok(c->vs2, c->lmul) ||
        voverlap(c->vd, n, c->vs2, n) || voverlap(c->vd, n, c->vs1, 1))
        return rv_vec_illegal(h, c->raw);
    rv_vec_dirty(h);
    uint64_t k = 0;
    for (uint64_t i = 0; i < c->vl; i++)
        if (rv_vec_mask_bit(vreg(h, c->vs1), i))
            vput(h, c->vd, k++, c->sewb, vget(h, c->vs2, i, c->sewb));
    return true;
}

static bool opm_dispatch(struct rv_hart *h, struct vctx *c)
{
    bool vv = c->f3 == F_MVV;
    if (vv && c->f6 <= 0x07)
        return reduce(h, c);
    if (c->f6 >= 0x08 && c->f6 <= 0x0b)
        return fixed(h, c);
    if (vv && c->f6 >= 0x18 && c->f6 <= 0x1f)
        return mask_logical(h, c);
    if (vv && c->f6 == 0x10)
        return wxunary(h, c);
    if (!vv && c->f6 == 0x10) {                /* vmv.s.x (V §16.1) */
        if (!c->vm || c->vs2 != 0)
            return rv_vec_illegal(h, c->raw);
        rv_vec_dirty(h);
        if (h->vec.vstart < c->vl)
            vput(h, c->vd, 0, c->sewb, c->scalar);
        h->vec.vstart = 0;
        return true;
    }
    if (vv && c->f6 == 0x14)
        return munary(h, c);
    if (vv && c->f6 == 0x12)
        return extend(h, c);
    if (vv && c->f6 == 0x17)
        return compress(h, c);
    if (!vv && (c->f6 == 0x0e || c->f6 == 0x0f))
        return slide(h, c, c->f6 == 0x0e, true);
    if (c->f6 >= 0x30)
        return widen_narrow(h, c, false);
    for (size_t k = 0; k < sizeof opm / sizeof opm[0]; k++)
        if (opm[k].f6 == c->f6 && (opm[k].forms >> c->f3 & 1))
            return elementwise(h, c, (enum eop)opm[k].op);
    return rv_vec_illegal(h, c->raw);
}

/* vmv<nr>r.v (V §16.6): whole registers, independent of vtype and vl. */
static bool move_whole(struct rv_hart *h, uint32_t raw)
{
    unsigned nr = vbits(raw, 19, 15) + 1, vd = vbits(raw, 11, 7), vs2 = vbits(raw, 24, 20);
    if (!vbits(raw, 25, 25) || (nr & (nr - 1)) || nr > 8 || (vd & (nr - 1)) || (vs2 & (nr - 1)))
        return rv_vec_illegal(h, raw);
    /* evl counts SEW elements (V §16.6); with vill set, bytes */
    unsigned eew = h->vec.vtype & RV_VTYPE_VILL ? 1 : rv_vec_sew(h->vec.vtype) / 8;
    uint64_t evl = (uint64_t)nr * h->vec.vlenb / eew;
    rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < evl; i++)
        vput(h, vd, i, eew, vget(h, vs2, i, eew));
    h->vec.vstart = 0;
    return true;
}

bool rv_vec_int(struct rv_hart *h, uint32_t raw)
{
    struct vctx c = {
        .raw = raw, .f6 = vbits(raw, 31, 26), .f3 = vbits(raw, 14, 12), .vd = vbits(raw, 11, 7),
        .vs1 = vbits(raw, 19, 15), .vs2 = vbits(raw, 24, 20), .vm = vbits(raw, 25, 25),
    };
    if (c.f3 == F_VI && c.f6 == 0x27)
        return move_whole(h, raw);
    if (h->vec.vtype & RV_VTYPE_VILL)          /* V §3.4.4 */
        return rv_vec_illegal(h, raw);
    c.sew = rv_vec_sew(h->vec.vtype);
    c.sewb = c.sew / 8;
    c.lmul = rv_vec_lmul_log2(h->vec.vtype);
    c.vl = h->vec.vl;
    c.vlmax = rv_vec_vlmax(h->vec.vtype, h->vec.vlenb);
    if (c.f3 == F_VX || c.f3 == F_MVX)
        c.scalar = vtrunc(h->x[c.vs1], c.sew);
    else if (c.f3 == F_VI) {
        /* simm5, except the shifts, gathers and slides (uimm5, V §10.1);
         * vmsleu.vi/vmsgtu.vi sign-extend and compare unsigned (V §11.8) */
        bool uimm = c.f6 == 0x25 || c.f6 == 0x28 || c.f6 == 0x29 || c.f6 == 0x0c || c.f6 == 0x0e ||
                    c.f6 == 0x0f || c.f6 == 0x2c || c.f6 == 0x2d || c.f6 == 0x2a || c.f6 == 0x2b ||
                    c.f6 == 0x2e || c.f6 == 0x2f;
        c.scalar = uimm ? c.vs1 : vtrunc((uint64_t)(int64_t)vsext(c.vs1, 5), c.sew);
    }
    if (c.f3 == F_VV || c.f3 == F_VI || c.f3 == F_VX)
        return opi_dispatch(h, &c);
    return opm_dispatch(h, &c);
}
