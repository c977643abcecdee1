/* Unit tests of the vector floating point (src/cpu/riscv/vector_fp.c, V 1.0
 * §13, §14.3): every element of a vector FP instruction must equal what the
 * scalar F/D instruction of the same operation gives for the same operands
 * (run through rv_fp_exec, the scalar FPU), under every rounding mode in
 * frm, for special values (zeros, infinities, quiet and signaling NaNs,
 * subnormals, the extremes) and random ones, SEW 32 and 64, with a random
 * mask: inactive elements keep vd, and fflags is the OR of the scalar flags
 * of the active elements only. Also: the 7-bit estimates against the
 * spec's worked examples and their accuracy bound, mstatus.FS Off, a
 * reserved frm, NaN boxing of the scalar operand, the V §5.2 overlap rules
 * (vdst_ok). */
#include <check.h>
#include <math.h>
#include <string.h>
#include "rv_fixture.h"
#include "../../src/cpu/riscv/vector.h"
#include "../../src/cpu/riscv/vector_internal.h"
#include "../../src/cpu/riscv/isa.h"

#define FS_INIT (1ull << 13)
#define VS_INIT (1ull << 9)
enum { VD = 8, VS2 = 16, VS1 = 24 };           /* vector operands; f1/f2/f3 scalar */

static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint64_t boxf(unsigned fmt, uint64_t v)
{
    return fmt == 0 ? rv_box32((uint32_t)v) : fmt == 2 ? 0xffffffffffff0000ull | (uint16_t)v : v;
}

/* OP-V: funct6 | vm | vs2 | vs1 | funct3 | vd | 1010111 */
static uint32_t opv(unsigned f6, bool vm, unsigned vs2, unsigned vs1, unsigned f3, unsigned vd)
{
    return f6 << 26 | (unsigned)vm << 25 | vs2 << 20 | vs1 << 15 | f3 << 12 | vd << 7 | 0x57;
}
/* OP-FP R-type and the R4 fused multiply-adds (unpriv "F" chapter) */
static uint32_t opfp(unsigned f5, unsigned fmt, unsigned rs2, unsigned rs1, unsigned rm, unsigned rd)
{
    return f5 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | 0x53;
}
static uint32_t r4(unsigned opc, unsigned fmt, unsigned rs3, unsigned rs2, unsigned rs1, unsigned rd)
{
    return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | 7u << 12 | rd << 7 | opc;
}

/* an "interesting" SEW-bit pattern: specials, boundaries, small integers,
 * random bits */
static uint64_t pick(uint64_t *s, unsigned sew)
{
    static const uint32_t sp32[] = {
        0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345,
        0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
        0x3eaaaaab, 0x4f000000, 0xcf000000, 0x5f000000, 0x4f800000, 0x3f000000, 0x40400000,
        0x3fc00000, 0xbfc00000, 0x00400000, 0x4b000001,
    };
    static const uint64_t sp64[] = {
        0, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
        0x7ff0000000000001, 0xfff4000000000000, 0x0000000000000001, 0x000fffffffffffff,
        0x0010000000000000, 0x7fefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000,
        0x3fd5555555555555, 0x41e0000000000000, 0xc1e0000000000000, 0x43e0000000000000,
        0xc3e0000000000000, 0x41f0000000000000, 0x43f0000000000000, 0x3fe0000000000000,
        0x4008000000000000, 0x3ff8000000000000, 0x47efffffe0000000, 0x36a0000000000000,
    };
    static const uint16_t sp16[] = {
        0, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe01, 0x7c01, 0xfd23, 0x0001, 0x83ff, 0x0400,
        0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3555, 0x7800, 0xf800, 0x3800, 0x4200, 0x3e00, 0xbe00,
        0x0200, 0x6401,
    };
    uint64_t r = xs(s);
    if (sew == 16) {
        if (r % 2)
            return sp16[(r >> 8) % (sizeof sp16 / 2)];
        return (uint16_t)xs(s);
    }
    switch (r % 4) {
    case 0: return sew == 32 ? sp32[(r >> 8) % (sizeof sp32 / 4)] : sp64[(r >> 8) % (sizeof sp64 / 8)];
    case 1: {                                  /* a small integer or half-integer */
        double v = (double)((int64_t)(r >> 16) % 200) / ((r >> 40) & 1 ? 2 : 1);
        if (sew == 32) {
            float f = (float)v;
            uint32_t u;
            memcpy(&u, &f, 4);
            return u;
        }
        uint64_t u;
        memcpy(&u, &v, 8);
        return u;
    }
    default: {
        uint64_t v = xs(s);
        return sew == 32 ? (uint32_t)v : v;
    }
    }
}

/* The operations under test; the scalar equivalent of each is built in
 * scalar_ref. */
enum vk {
    VADD, VSUB, VRSUB, VMUL, VDIV, VRDIV, VMIN, VMAX, VSGNJ, VSGNJN, VSGNJX,
    VMACC, VNMACC, VMSAC, VNMSAC, VMADD, VNMADD, VMSUB, VNMSUB,
    VSQRT, VCLASS, VEQ, VNE, VLT, VLE, VGT, VGE,
    VCVT_XU, VCVT_X, VCVT_F_XU, VCVT_F_X, VCVT_RTZ_XU, VCVT_RTZ_X,
    VWCVT_X, VWCVT_F_X, VWCVT_FF, VNCVT_X, VNCVT_F_X, VNCVT_FF, VK_N,
};
static const struct vdesc {
    const char *name;
    uint8_t f6, vs1, kind;                     /* kind: 0 .vv, 1 .vf, 2 unary, 3 compare .vv, 4 compare .vf */
    int8_t width;                              /* 0 single, 1 widening, -1 narrowing */
} vd_tab[VK_N] = {
    [VADD] = { "vfadd.vf", 0x00, 0, 1, 0 },    [VSUB] = { "vfsub.vv", 0x02, 0, 0, 0 },
    [VRSUB] = { "vfrsub.vf", 0x27, 0, 1, 0 },  [VMUL] = { "vfmul.vv", 0x24, 0, 0, 0 },
    [VDIV] = { "vfdiv.vv", 0x20, 0, 0, 0 },    [VRDIV] = { "vfrdiv.vf", 0x21, 0, 1, 0 },
    [VMIN] = { "vfmin.vv", 0x04, 0, 0, 0 },    [VMAX] = { "vfmax.vf", 0x06, 0, 1, 0 },
    [VSGNJ] = { "vfsgnj.vv", 0x08, 0, 0, 0 },  [VSGNJN] = { "vfsgnjn.vf", 0x09, 0, 1, 0 },
    [VSGNJX] = { "vfsgnjx.vv", 0x0a, 0, 0, 0 },
    [VMACC] = { "vfmacc.vv", 0x2c, 0, 0, 0 },  [VNMACC] = { "vfnmacc.vf", 0x2d, 0, 1, 0 },
    [VMSAC] = { "vfmsac.vv", 0x2e, 0, 0, 0 },  [VNMSAC] = { "vfnmsac.vv", 0x2f, 0, 0, 0 },
    [VMADD] = { "vfmadd.vf", 0x28, 0, 1, 0 },  [VNMADD] = { "vfnmadd.vv", 0x29, 0, 0, 0 },
    [VMSUB] = { "vfmsub.vv", 0x2a, 0, 0, 0 },  [VNMSUB] = { "vfnmsub.vf", 0x2b, 0, 1, 0 },
    [VSQRT] = { "vfsqrt.v", 0x13, 0, 2, 0 },   [VCLASS] = { "vfclass.v", 0x13, 16, 2, 0 },
    [VEQ] = { "vmfeq.vv", 0x18, 0, 3, 0 },     [VNE] = { "vmfne.vf", 0x1c, 0, 4, 0 },
    [VLT] = { "vmflt.vv", 0x1b, 0, 3, 0 },     [VLE] = { "vmfle.vf", 0x19, 0, 4, 0 },
    [VGT] = { "vmfgt.vf", 0x1d, 0, 4, 0 },     [VGE] = { "vmfge.vf", 0x1f, 0, 4, 0 },
    [VCVT_XU] = { "vfcvt.xu.f.v", 0x12, 0, 2, 0 },      [VCVT_X] = { "vfcvt.x.f.v", 0x12, 1, 2, 0 },
    [VCVT_F_XU] = { "vfcvt.f.xu.v", 0x12, 2, 2, 0 },    [VCVT_F_X] = { "vfcvt.f.x.v", 0x12, 3, 2, 0 },
    [VCVT_RTZ_XU] = { "vfcvt.rtz.xu.f.v", 0x12, 6, 2, 0 }, [VCVT_RTZ_X] = { "vfcvt.rtz.x.f.v", 0x12, 7, 2, 0 },
    [VWCVT_X] = { "vfwcvt.x.f.v", 0x12, 9, 2, 1 },      [VWCVT_F_X] = { "vfwcvt.f.x.v", 0x12, 11, 2, 1 },
    [VWCVT_FF] = { "vfwcvt.f.f.v", 0x12, 12, 2, 1 },    [VNCVT_X] = { "vfncvt.x.f.w", 0x12, 17, 2, -1 },
    [VNCVT_F_X] = { "vfncvt.f.x.w", 0x12, 19, 2, -1 },  [VNCVT_FF] = { "vfncvt.f.f.w", 0x12, 20, 2, -1 },
};

/* Runs one scalar instruction on operands a (vs2 element), b (vs1 element
 * or the f scalar), d (old vd element), each of its own width; returns the
 * result (raw bits of the destination width) and its flags. sew: the
 * vector instruction's SEW. */
static uint64_t scalar_ref(struct rv_hart *h, enum vk k, unsigned sew, uint64_t a, uint64_t b, uint64_t d,
                           uint32_t *fl)
{
    unsigned fmt = sew == 16 ? 2 : sew == 32 ? 0 : 1;
    unsigned wfmt = sew == 16 ? 0 : 1;         /* the 2*SEW format */
    unsigned iw = sew == 64 ? 2 : 0;           /* FCVT's integer kind: W (signed) or L */
    bool narrow_src = vd_tab[k].width < 0;     /* the source is 2*SEW */
    unsigned sfmt = narrow_src ? wfmt : fmt;
    h->f[1] = boxf(sfmt, a);
    h->f[2] = boxf(fmt, b);
    h->f[3] = boxf(fmt, d);
    /* integer sources: sign-extended for the signed conversions */
    bool sgn = k == VCVT_F_X || k == VWCVT_F_X || k == VNCVT_F_X;
    unsigned ibits = narrow_src ? 2 * sew : sew;
    h->x[5] = sgn ? (uint64_t)vsext(a, ibits) : a;
    h->fflags = 0;
    uint32_t insn = 0;
    bool to_x = false;
    switch (k) {
    case VADD: insn = opfp(0x00, fmt, 2, 1, 7, 4); break;
    case VSUB: insn = opfp(0x01, fmt, 2, 1, 7, 4); break;
    case VRSUB: insn = opfp(0x01, fmt, 1, 2, 7, 4); break;
    case VMUL: insn = opfp(0x02, fmt, 2, 1, 7, 4); break;
    case VDIV: insn = opfp(0x03, fmt, 2, 1, 7, 4); break;
    case VRDIV: insn = opfp(0x03, fmt, 1, 2, 7, 4); break;
    case VMIN: insn = opfp(0x05, fmt, 2, 1, 0, 4); break;
    case VMAX: insn = opfp(0x05, fmt, 2, 1, 1, 4); break;
    case VSGNJ: insn = opfp(0x04, fmt, 2, 1, 0, 4); break;
    case VSGNJN: insn = opfp(0x04, fmt, 2, 1, 1, 4); break;
    case VSGNJX: insn = opfp(0x04, fmt, 2, 1, 2, 4); break;
    /* vd = vs1*vs2 + vd ... : FMADD rs1*rs2+rs3, FMSUB -rs3, FNMSUB -(rs1*rs2)+rs3, FNMADD */
    case VMACC: insn = r4(0x43, fmt, 3, 1, 2, 4); break;
    case VNMACC: insn = r4(0x4f, fmt, 3, 1, 2, 4); break;
    case VMSAC: insn = r4(0x47, fmt, 3, 1, 2, 4); break;
    case VNMSAC: insn = r4(0x4b, fmt, 3, 1, 2, 4); break;
    case VMADD: insn = r4(0x43, fmt, 1, 3, 2, 4); break;   /* vs1*vd + vs2 */
    case VNMADD: insn = r4(0x4f, fmt, 1, 3, 2, 4); break;
    case VMSUB: insn = r4(0x47, fmt, 1, 3, 2, 4); break;
    case VNMSUB: insn = r4(0x4b, fmt, 1, 3, 2, 4); break;
    case VSQRT: insn = opfp(0x0b, fmt, 0, 1, 7, 4); break;
    case VCLASS: insn = opfp(0x1c, fmt, 0, 1, 1, 6); to_x = true; break;
    case VEQ: case VNE: insn = opfp(0x14, fmt, 2, 1, 2, 6); to_x = true; break;
    case VLT: insn = opfp(0x14, fmt, 2, 1, 1, 6); to_x = true; break;
    case VLE: insn = opfp(0x14, fmt, 2, 1, 0, 6); to_x = true; break;
    case VGT: insn = opfp(0x14, fmt, 1, 2, 1, 6); to_x = true; break;   /* f < vs2 */
    case VGE: insn = opfp(0x14, fmt, 1, 2, 0, 6); to_x = true; break;
    case VCVT_XU: insn = opfp(0x18, fmt, iw + 1, 1, 7, 6); to_x = true; break;
    case VCVT_X: insn = opfp(0x18, fmt, iw, 1, 7, 6); to_x = true; break;
    case VCVT_RTZ_XU: insn = opfp(0x18, fmt, iw + 1, 1, 1, 6); to_x = true; break;
    case VCVT_RTZ_X: insn = opfp(0x18, fmt, iw, 1, 1, 6); to_x = true; break;
    case VCVT_F_XU: insn = opfp(0x1a, fmt, 3, 5, 7, 4); break;               /* from the zero-extended value */
    case VCVT_F_X: insn = opfp(0x1a, fmt, 2, 5, 7, 4); break;                /* from the sign-extended value */
    case VWCVT_X: insn = opfp(0x18, fmt, sew == 32 ? 2 : 0, 1, 7, 6); to_x = true; break; /* fcvt.l.s / fcvt.w.h */
    case VWCVT_F_X: insn = opfp(0x1a, wfmt, 2, 5, 7, 4); break;              /* fcvt.d.l / fcvt.s.l */
    case VWCVT_FF: insn = opfp(0x08, wfmt, fmt, 1, 7, 4); break;             /* fcvt.d.s / fcvt.s.h */
    case VNCVT_X: insn = opfp(0x18, wfmt, iw, 1, 7, 6); to_x = true; break;  /* fcvt.w.d */
    case VNCVT_F_X: insn = opfp(0x1a, fmt, 2, 5, 7, 4); break;               /* fcvt.s.l / fcvt.h.l */
    case VNCVT_FF: insn = opfp(0x08, fmt, wfmt, 1, 7, 4); break;             /* fcvt.s.d / fcvt.h.s */
    default: break;
    }
    ck_assert_int_eq(rv_fp_exec(h, insn), 0);
    *fl = h->fflags;
    uint64_t r = to_x ? h->x[6] : h->f[4];
    if (k == VNE)
        r = !r;
    unsigned dbits = vd_tab[k].width > 0 ? 2 * sew : sew;
    if (vd_tab[k].kind >= 3)
        return r;
    return dbits >= 64 ? r : r & ((1ull << dbits) - 1);
}

static struct machine *vmachine(struct rv_hart **hp, bool zvfh)
{
    struct machine *m = rvf_machine_new(1);
    rv_hart_set_ext(m->cpus[0], zvfh ? RV_EXT_V | RV_EXT_ZVFH | RV_EXT_ZVFHMIN | RV_EXT_ZFH | RV_EXT_ZFHMIN
                                     : RV_EXT_V);
    rv_hart_set_vlen(m->cpus[0], 256);
    struct rv_hart *h = rvf_hart(m, 0);
    rv_vec_reset(h);
    h->mstatus |= FS_INIT | VS_INIT;
    *hp = h;
    return m;
}

static void set_vtype(struct rv_hart *h, unsigned sew, int lmul)
{
    h->vec.vtype = (uint64_t)(__builtin_ctz(sew) - 3) << 3 | (uint64_t)(lmul & 7);
    h->vec.vl = rv_vec_vlmax(h->vec.vtype, h->vec.vlenb);
    h->vec.vstart = 0;
}

/* Differential test of one operation: 40 rounds of random operands and
 * masks per SEW and rounding mode. */
static void check_op(enum vk k)
{
    struct rv_hart *h;
    struct machine *m = vmachine(&h, true);
    const struct vdesc *t = &vd_tab[k];
    uint64_t seed = 0x1234567887654321ull ^ ((uint64_t)k << 32);
    for (unsigned sew = 16; sew <= 64; sew *= 2) {
        if (t->width != 0 && sew == 64)
            continue;                          /* widening/narrowing: SEW 16 and 32 */
        /* SEW 16 (Zvfh): FCVT has no 16-bit integers, so the conversions to
         * 16-bit integers have no scalar equivalent (vf.S checks them) */
        if (sew == 16 && (k == VCVT_XU || k == VCVT_X || k == VCVT_RTZ_XU || k == VCVT_RTZ_X ||
                          k == VNCVT_X))
            continue;
        unsigned sb = sew / 8;
        unsigned s2b = t->width < 0 ? 2 * sb : sb, db = t->width > 0 ? 2 * sb : sb;
        set_vtype(h, sew, 0);
        uint64_t vlmax = h->vec.vl;
        for (unsigned rm = 0; rm < 5; rm++)
            for (int round = 0; round < 40; round++) {
                h->frm = rm;
                uint64_t vl = vlmax - (round & 1);     /* odd rounds: one tail element */
                h->vec.vl = vl;
                uint64_t a[32], b[32], d[32], f = pick(&seed, sew);
                for (uint64_t i = 0; i < vlmax; i++) {
                    a[i] = pick(&seed, s2b * 8);
                    b[i] = pick(&seed, sew);
                    d[i] = pick(&seed, db * 8);
                    if (k == VCVT_F_X || k == VCVT_F_XU || k == VWCVT_F_X || k == VNCVT_F_X)
                        a[i] = xs(&seed) >> (xs(&seed) % 64) & (s2b == 8 ? ~0ull : (1ull << (s2b * 8)) - 1);
                    vput(h, VS2, i, s2b, a[i]);
                    vput(h, VS1, i, sb, b[i]);
                    vput(h, VD, i, db, d[i]);
                }
                uint64_t m0 = xs(&seed);
                memcpy(h->vec.reg, &m0, 8);
                bool vm = round % 4 == 0;      /* a quarter unmasked */
                h->f[1] = boxf(sew == 16 ? 2 : sew == 32 ? 0 : 1, f);
                uint8_t old_mask[RV_VLENB_MAX];
                memcpy(old_mask, vreg(h, VD), h->vec.vlenb);
                unsigned f3 = (t->kind == 1 || t->kind == 4) ? 5 : 1;
                unsigned vs1 = t->kind == 2 ? t->vs1 : f3 == 5 ? 1 : VS1;
                h->fflags = 0;
                ck_assert_msg(rv_vec_exec(h, opv(t->f6, vm, VS2, vs1, f3, VD)), "%s trapped", t->name);
                uint32_t vflags = h->fflags, want_flags = 0;
                uint64_t vres[32];
                uint8_t vmask[RV_VLENB_MAX];
                memcpy(vmask, vreg(h, VD), h->vec.vlenb);
                for (uint64_t i = 0; i < vlmax; i++)
                    vres[i] = vget(h, VD, i, db);
                for (uint64_t i = 0; i < vl; i++) {
                    bool act = vm || (m0 >> i & 1);
                    uint64_t bb = f3 == 5 ? f : b[i];
                    if (t->kind >= 3) {
                        bool got = rv_vec_mask_bit(vmask, i);
                        if (!act) {
                            ck_assert_msg(got == rv_vec_mask_bit(old_mask, i), "%s: inactive mask bit %lu",
                                          t->name, (unsigned long)i);
                            continue;
                        }
                        uint32_t fl;
                        uint64_t want = scalar_ref(h, k, sew, a[i], bb, d[i], &fl);
                        want_flags |= fl;
                        ck_assert_msg(got == (want != 0), "%s sew %u rm %u: element %lu %lx %lx",
                                      t->name, sew, rm, (unsigned long)i, (unsigned long)a[i],
                                      (unsigned long)bb);
                        continue;
                    }
                    if (!act) {
                        ck_assert_msg(vres[i] == d[i], "%s: inactive element %lu changed", t->name,
                                      (unsigned long)i);
                        continue;
                    }
                    uint32_t fl;
                    uint64_t want = scalar_ref(h, k, sew, a[i], bb, d[i], &fl);
                    want_flags |= fl;
                    ck_assert_msg(vres[i] == want,
                                  "%s sew %u rm %u: element %lu of %lx, %lx, %lx = %lx, scalar %lx",
                                  t->name, sew, rm, (unsigned long)i, (unsigned long)a[i],
                                  (unsigned long)bb, (unsigned long)d[i], (unsigned long)vres[i],
                                  (unsigned long)want);
                }
                ck_assert_msg(vflags == want_flags, "%s sew %u rm %u: fflags %x, scalar %x", t->name, sew,
                              rm, vflags, want_flags);
                for (uint64_t i = vl; i < vlmax; i++)  /* the tail: undisturbed */
                    if (t->kind < 3)
                        ck_assert_msg(vres[i] == d[i], "%s: tail element %lu", t->name, (unsigned long)i);
                    else
                        ck_assert(rv_vec_mask_bit(vmask, i) == rv_vec_mask_bit(old_mask, i));
            }
    }
    rvf_machine_free(m);
}

START_TEST(test_vs_scalar) { check_op((enum vk)_i); }
END_TEST

/* V §13.9 / §13.10 examples (SEW 32) and the estimates' accuracy: every
 * normal result is within 2^-7 (relative) of the exact 1/sqrt(x) / 1/x. */
START_TEST(test_estimates)
{
    uint32_t fl = 0;
    ck_assert_uint_eq(rv_vec_frsqrt7(0, 0x00718abc, &fl), 0x5f080000);
    ck_assert_uint_eq(rv_vec_frsqrt7(0, 0x7f765432, &fl), 0x1f820000);
    ck_assert_uint_eq(rv_vec_frec7(0, 0x00718abc, 0, &fl), 0x7e900000);
    ck_assert_uint_eq(rv_vec_frec7(0, 0x7f765432, 0, &fl), 0x00214000);
    ck_assert_uint_eq(fl, 0);
    /* special inputs (V §13.9, §13.10 tables) */
    ck_assert_uint_eq(rv_vec_frsqrt7(0, 0xbf800000, &fl), 0x7fc00000);
    ck_assert_uint_eq(fl, FFLAG_NV);
    fl = 0;
    ck_assert_uint_eq(rv_vec_frsqrt7(1, 0x8000000000000000ull, &fl), 0xfff0000000000000ull);
    ck_assert_uint_eq(fl, FFLAG_DZ);
    fl = 0;
    ck_assert_uint_eq(rv_vec_frsqrt7(0, 0x7f800000, &fl), 0);
    ck_assert_uint_eq(rv_vec_frsqrt7(0, 0x7fc00000, &fl), 0x7fc00000);
    ck_assert_uint_eq(rv_vec_frec7(0, 0xff800000, 0, &fl), 0x80000000);
    ck_assert_uint_eq(fl, 0);
    /* tiny negative subnormal: -inf in RNE, the most negative finite in RUP */
    ck_assert_uint_eq(rv_vec_frec7(0, 0x80000001, RM_RNE, &fl), 0xff800000);
    ck_assert_uint_eq(fl, FFLAG_NX | FFLAG_OF);
    ck_assert_uint_eq(rv_vec_frec7(0, 0x80000001, RM_RUP, &fl), 0xff7fffff);
    ck_assert_uint_eq(rv_vec_frec7(1, 1, RM_RDN, &fl), 0x7fefffffffffffffull);
    /* binary16 (Zvfh): the same tables at 10 significand bits */
    ck_assert_uint_eq(rv_vec_frec7(2, 0x4200, RM_RNE, &fl), 0x3550);       /* 1/3 */
    ck_assert_uint_eq(rv_vec_frsqrt7(2, 0x4400, &fl), 0x37f8);             /* 1/sqrt(4) */
    ck_assert_uint_eq(rv_vec_frec7(2, 0x7bff, RM_RNE, &fl), 0x0100);       /* a subnormal result */
    uint64_t s = 77;
    for (int n = 0; n < 200000; n++) {
        uint32_t x = (uint32_t)xs(&s) & 0x7fffffff;
        if (x >= 0x7f800000 || x == 0)
            continue;
        float fx, fr, fq;
        memcpy(&fx, &x, 4);
        uint32_t r = (uint32_t)rv_vec_frsqrt7(0, x, &fl), q = (uint32_t)rv_vec_frec7(0, x, 0, &fl);
        memcpy(&fr, &r, 4);
        memcpy(&fq, &q, 4);
        double er = fabs(1.0 - fr * sqrt((double)fx));
        ck_assert_msg(er <= ldexp(1, -7), "rsqrt7(%08x) = %08x", x, r);
        double eq = fabs(1.0 - (double)fq * fx);
        if (q < 0x00800000 && (double)fx >= ldexp(1, 125))
            continue;                          /* subnormal results lose bits */
        if (q >= 0x7f800000)
            continue;                          /* overflow to inf */
        ck_assert_msg(eq <= ldexp(1, -7), "rec7(%08x) = %08x", x, q);
    }
}
END_TEST

/* mstatus.FS Off: illegal; a reserved frm: the rounding instructions are
 * illegal, vfsgnj is not; an unboxed f operand reads as the canonical NaN;
 * SEW 16 is reserved (no Zvfh); FS becomes Dirty only when fflags or an f
 * register changes. */
START_TEST(test_rules)
{
    struct rv_hart *h;
    struct machine *m = vmachine(&h, false);
    set_vtype(h, 32, 0);
    h->mstatus &= ~MSTATUS_FS;
    ck_assert(!rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));          /* vfadd.vv */
    ck_assert_uint_eq(h->mcause, EXC_ILLEGAL_INSN);
    h->mstatus |= FS_INIT;
    memset(h->vec.reg, 0, sizeof h->vec.reg);
    ck_assert(rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));           /* 0 + 0: exact */
    ck_assert_uint_eq(h->mstatus & MSTATUS_FS, FS_INIT);
    ck_assert(rv_vec_exec(h, opv(0x20, true, VS2, VS1, 1, VD)));           /* 0 / 0: NV */
    ck_assert_uint_eq(h->fflags, FFLAG_NV);
    ck_assert_uint_eq(h->mstatus & MSTATUS_FS, MSTATUS_FS);
    ck_assert_uint_eq(vget(h, VD, 0, 4), 0x7fc00000);
    h->frm = 5;
    ck_assert(!rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));
    ck_assert(rv_vec_exec(h, opv(0x08, true, VS2, VS1, 1, VD)));           /* vfsgnj */
    h->frm = 0;
    h->f[1] = 0x3f800000;                                                  /* not NaN-boxed */
    ck_assert(rv_vec_exec(h, opv(0x17, true, 0, 1, 5, VD)));               /* vfmv.v.f */
    ck_assert_uint_eq(vget(h, VD, 3, 4), 0x7fc00000);
    h->f[1] = rv_box32(0x3f800000);
    ck_assert(rv_vec_exec(h, opv(0x17, true, 0, 1, 5, VD)));
    ck_assert_uint_eq(vget(h, VD, 3, 4), 0x3f800000);
    ck_assert(rv_vec_exec(h, opv(0x10, true, VD, 0, 1, 7)));               /* vfmv.f.s f7 */
    ck_assert_uint_eq(h->f[7], 0xffffffff3f800000ull);
    set_vtype(h, 16, 0);
    ck_assert(!rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));
    ck_assert(!rv_vec_exec(h, opv(0x12, true, VS2, 12, 1, VD)));           /* vfwcvt.f.f.v from f16 */
    ck_assert(rv_vec_exec(h, opv(0x12, true, VS2, 11, 1, VD)));            /* vfwcvt.f.x.v i16 -> f32 */
    /* Zvfhmin alone: the f16 <-> f32 conversions, nothing else at SEW 16 */
    rv_hart_set_ext(m->cpus[0], RV_EXT_V | RV_EXT_ZVFHMIN);
    ck_assert(rv_vec_exec(h, opv(0x12, true, VS2, 12, 1, VD)));            /* vfwcvt.f.f.v */
    ck_assert(rv_vec_exec(h, opv(0x12, true, VS2, 20, 1, VD + 1)));        /* vfncvt.f.f.w */
    ck_assert(!rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));          /* vfadd */
    ck_assert(!rv_vec_exec(h, opv(0x12, true, VS2, 9, 1, VD)));            /* vfwcvt.x.f.v from f16 */
    /* Zvfh: all of it */
    rv_hart_set_ext(m->cpus[0], RV_EXT_V | RV_EXT_ZVFHMIN | RV_EXT_ZVFH | RV_EXT_ZFHMIN);
    ck_assert(rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));
    set_vtype(h, 8, 0);
    ck_assert(rv_vec_exec(h, opv(0x12, true, VS2, 11, 1, VD)));            /* i8 -> f16 */
    ck_assert(!rv_vec_exec(h, opv(0x00, true, VS2, VS1, 1, VD)));          /* no 8-bit float */
    rvf_machine_free(m);
    /* [cpu] isa: zvfh/zvfhmin need v, zvfh also zfhmin (or zfh) */
    uint32_t ext;
    char err[256];
    ck_assert(rv_isa_parse("rv64imafdcv_zfhmin_zvfh", &ext, err, sizeof err));
    ck_assert_uint_eq(ext & (RV_EXT_ZVFH | RV_EXT_ZVFHMIN), RV_EXT_ZVFH | RV_EXT_ZVFHMIN);
    ck_assert(rv_isa_parse("rv64imafdcv_zvfhmin", &ext, err, sizeof err));
    ck_assert(!rv_isa_parse("rv64imafdcv_zvfh", &ext, err, sizeof err));
    ck_assert(strstr(err, "zfhmin") != NULL);
    ck_assert(!rv_isa_parse("rv64imafdc_zfh_zvfhmin", &ext, err, sizeof err));
    ck_assert(strstr(err, "need v") != NULL);
}
END_TEST

/* With V=1 vsstatus.FS is in effect too (V §13): Off in either field makes
 * vector FP illegal; a flag makes both Dirty. */
START_TEST(test_fs_with_h)
{
    struct rv_hart *h;
    struct machine *m = vmachine(&h, false);
    set_vtype(h, 32, 0);
    memset(h->vec.reg, 0, sizeof h->vec.reg);
#define TO_VS() do { rv_set_priv(h, PRV_S); h->virt = true; rv_update_modes(h); } while (0)
    h->vsstatus |= VS_INIT;
    h->vsstatus &= ~MSTATUS_FS;
    TO_VS();
    ck_assert(!rv_vec_exec(h, opv(0x20, true, VS2, VS1, 1, VD)));          /* vfdiv.vv */
    ck_assert_uint_eq(h->mcause, EXC_ILLEGAL_INSN);                       /* not virtual-instruction */
    h->vsstatus |= FS_INIT;
    h->mstatus &= ~MSTATUS_FS;
    TO_VS();
    ck_assert(!rv_vec_exec(h, opv(0x20, true, VS2, VS1, 1, VD)));
    h->mstatus |= FS_INIT;
    TO_VS();
    ck_assert(rv_vec_exec(h, opv(0x20, true, VS2, VS1, 1, VD)));           /* 0/0: NV */
    ck_assert(h->virt);
    ck_assert_uint_eq(h->mstatus & MSTATUS_FS, MSTATUS_FS);
    ck_assert_uint_eq(h->vsstatus & MSTATUS_FS, MSTATUS_FS);
    ck_assert_uint_eq(h->fflags, FFLAG_NV);
    rvf_machine_free(m);
}
END_TEST

/* V §5.2 (vdst_ok): the spec's examples and the mask/fractional cases. */
START_TEST(test_overlap)
{
    /* LMUL 1: vnsrl.wi v0, v0, 3 legal, destination v1 not */
    ck_assert(vdst_ok(0, 0, 8, 0, 1, 16));
    ck_assert(!vdst_ok(1, 0, 8, 0, 1, 16));
    /* LMUL 8: vzext.vf4 v0, v6 legal; a source of v0, v2 or v4 not */
    ck_assert(vdst_ok(0, 3, 32, 6, 1, 8));
    ck_assert(!vdst_ok(0, 3, 32, 0, 1, 8));
    ck_assert(!vdst_ok(0, 3, 32, 2, 1, 8));
    ck_assert(!vdst_ok(0, 3, 32, 4, 1, 8));
    /* a source EMUL below 1 may not overlap a wider destination at all */
    ck_assert(!vdst_ok(2, 0, 32, 2, -1, 16));
    ck_assert(vdst_ok(2, 0, 32, 3, -1, 16));
    /* a mask destination: only the lowest register of a source group */
    ck_assert(vdst_ok(4, 0, 1, 4, 2, 32));
    ck_assert(!vdst_ok(5, 0, 1, 4, 2, 32));
    ck_assert(vdst_ok(8, 0, 1, 4, 2, 32));
    /* equal EEWs: anything */
    ck_assert(vdst_ok(4, 2, 32, 5, 0, 32));
    ck_assert(!vsrc_ok(2, 1, 64, 3, 0, 32));
    ck_assert(vsrc_ok(2, 1, 64, 4, 0, 32));
}
END_TEST

/* Random OPFVV/OPFVF encodings on random vtypes (SEW 8..64, every LMUL,
 * VLEN 128 and 1024), random frm (also reserved values), random vstart,
 * random register contents and f registers, with Zvfh: nothing may crash
 * or leave the state out of range, and a trapping instruction changes no
 * vector register (the guest never crashes the simulator). */
START_TEST(test_fuzz_fp)
{
    uint64_t seed = 0x51ed270b3c1f9e37ull + (uint64_t)_i;
    struct rv_hart *h;
    struct machine *m = vmachine(&h, true);
    rv_hart_set_vlen(m->cpus[0], _i ? 1024 : 128);
    rv_vec_reset(h);
    static uint8_t before[32 * RV_VLENB_MAX];
    for (int n = 0; n < 100000; n++) {
        h->mstatus |= FS_INIT | VS_INIT;
        if (n % 8 == 0) {
            h->x[5] = xs(&seed) & 0xff;
            h->x[6] = xs(&seed) % 300;
            ck_assert(rv_vec_exec(h, 0x80000057u | 5u << 20 | 6u << 15 | 7u << 12)); /* vsetvl x0, t1, t0 */
            for (unsigned b = 0; b < 32u * h->vec.vlenb; b += 8) {
                uint64_t v = xs(&seed);
                memcpy(h->vec.reg + b, &v, 8);
            }
            for (int r = 0; r < 32; r++)
                h->f[r] = xs(&seed) % 3 ? xs(&seed) : boxf((unsigned)(xs(&seed) % 3), xs(&seed));
        }
        h->frm = (unsigned)(xs(&seed) % 8);
        h->vec.vstart = xs(&seed) % 4 ? 0 : xs(&seed) % (h->vec.vl + 1) % ((uint64_t)h->vec.vlenb * 8);
        uint32_t raw = (uint32_t)xs(&seed);
        raw = (raw & ~0x707fu) | 0x57u | (raw & 0x4000 ? 5u : 1u) << 12;
        memcpy(before, h->vec.reg, 32u * h->vec.vlenb);
        uint64_t pc = h->pc;
        if (!rv_vec_exec(h, raw)) {
            ck_assert_int_eq(memcmp(before, h->vec.reg, 32u * h->vec.vlenb), 0);
            h->pc = pc;
        }
        ck_assert_uint_le(h->vec.vl, rv_vec_vlmax(h->vec.vtype, h->vec.vlenb));
        ck_assert_uint_lt(h->vec.vstart, (uint64_t)h->vec.vlenb * 8);
        ck_assert_uint_eq(h->fflags & ~0x1fu, 0);
    }
    rvf_machine_free(m);
}
END_TEST

Suite *rv_vfp_suite(void);
Suite *rv_vfp_suite(void)
{
    Suite *s = suite_create("rv_vfp");
    TCase *tc = tcase_create("scalar");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_vs_scalar, 0, VK_N);
    suite_add_tcase(s, tc);
    tc = tcase_create("rules");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_estimates);
    tcase_add_test(tc, test_rules);
    tcase_add_test(tc, test_fs_with_h);
    tcase_add_test(tc, test_overlap);
    suite_add_tcase(s, tc);
    tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_fuzz_fp, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
