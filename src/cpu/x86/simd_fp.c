/* SSE/SSE2/SSE3 floating point and the SSE4.1 FP instructions (Intel SDM
 * vol. 2, one entry per mnemonic; vol. 1 ch. 10-12): arithmetic, square
 * root, min/max, compares, conversions, horizontal ops, rounding, dot
 * products; and the FP data shuffles (logic, UNPCK, SHUFPS/PD,
 * INSERTPS/EXTRACTPS).
 *
 * IEEE-754 arithmetic, NaN propagation and the exception flags are the
 * host's SSE unit (the host is x86_64): each operation runs as the same
 * host instruction on copies of the guest operands, between fp_enter and
 * fp_leave (simd.c), i.e. under the guest's rounding control, DAZ and FTZ
 * with every exception masked; fp_commit then applies the guest's masks.
 * Which operands, which elements, what is written and every check are
 * decided here. RCPPS/RSQRTPS are computed here (deterministic, within the
 * documented 1.5 * 2^-12 relative error) so that results do not depend on
 * the host model. */
#include <math.h>
#include <string.h>
#include "simd.h"

typedef float v4sf __attribute__((vector_size(16)));

#define UD() x86_raise(x, X86_EXC_UD, false, 0)

/* form index of the mandatory prefix: 0 none (ps), 1 66 (pd), 2 F3 (ss), 3 F2 (sd) */
static unsigned form(const struct x86_insn *i)
{
    return i->mandatory == 0x66 ? 1 : i->mandatory == 0xf3 ? 2 : i->mandatory == 0xf2 ? 3 : 0;
}

#define H2(mn) __asm__ volatile(mn " %1, %0" : "+x"(a) : "x"(b))
#define HI(mn, k) __asm__ volatile(mn " %2, %1, %0" : "+x"(a) : "x"(b), "i"(k))
#define F4(op, mn)                                   \
    case (op) << 2 | 0: H2(mn "ps"); break;          \
    case (op) << 2 | 1: H2(mn "pd"); break;          \
    case (op) << 2 | 2: H2(mn "ss"); break;          \
    case (op) << 2 | 3: H2(mn "sd"); break;
#define I8(mn)                                                                 \
    switch (imm & 7) {                                                         \
    case 0: HI(mn, 0); break; case 1: HI(mn, 1); break; case 2: HI(mn, 2); break; \
    case 3: HI(mn, 3); break; case 4: HI(mn, 4); break; case 5: HI(mn, 5); break; \
    case 6: HI(mn, 6); break; default: HI(mn, 7); break;                       \
    }
#define I16(mn)                                                                \
    switch (imm & 15) {                                                        \
    case 0: HI(mn, 0); break; case 1: HI(mn, 1); break; case 2: HI(mn, 2); break; \
    case 3: HI(mn, 3); break; case 4: HI(mn, 4); break; case 5: HI(mn, 5); break; \
    case 6: HI(mn, 6); break; case 7: HI(mn, 7); break; case 8: HI(mn, 8); break; \
    case 9: HI(mn, 9); break; case 10: HI(mn, 10); break; case 11: HI(mn, 11); break; \
    case 12: HI(mn, 12); break; case 13: HI(mn, 13); break; case 14: HI(mn, 14); break; \
    default: HI(mn, 15); break;                                                \
    }

/* The host instruction for (map, opcode, form) on a (dest) and b (source);
 * false: not one of these. Runs between fp_enter and fp_leave. */
static bool host_op(unsigned map, unsigned op, unsigned f, v4sf *pa, v4sf b, unsigned imm)
{
    v4sf a = *pa;
    if (map == X86_MAP_0F) {
        switch (op << 2 | f) {
        F4(0x51, "sqrt") F4(0x58, "add") F4(0x59, "mul") F4(0x5c, "sub")
        F4(0x5d, "min") F4(0x5e, "div") F4(0x5f, "max")
        case 0x5a << 2 | 0: H2("cvtps2pd"); break;
        case 0x5a << 2 | 1: H2("cvtpd2ps"); break;
        case 0x5a << 2 | 2: H2("cvtss2sd"); break;
        case 0x5a << 2 | 3: H2("cvtsd2ss"); break;
        case 0x5b << 2 | 0: H2("cvtdq2ps"); break;
        case 0x5b << 2 | 1: H2("cvtps2dq"); break;
        case 0x5b << 2 | 2: H2("cvttps2dq"); break;
        case 0xe6 << 2 | 1: H2("cvttpd2dq"); break;
        case 0xe6 << 2 | 2: H2("cvtdq2pd"); break;
        case 0xe6 << 2 | 3: H2("cvtpd2dq"); break;
        case 0x7c << 2 | 1: H2("haddpd"); break;
        case 0x7c << 2 | 3: H2("haddps"); break;
        case 0x7d << 2 | 1: H2("hsubpd"); break;
        case 0x7d << 2 | 3: H2("hsubps"); break;
        case 0xd0 << 2 | 1: H2("addsubpd"); break;
        case 0xd0 << 2 | 3: H2("addsubps"); break;
        /* CMPPS..CMPSD: legacy SSE predicates are imm8[2:0] (bits 7:3
         * reserved: SDM vol. 2 CMPPS "Legacy SSE ... imm8[2:0]") */
        case 0xc2 << 2 | 0: I8("cmpps"); break;
        case 0xc2 << 2 | 1: I8("cmppd"); break;
        case 0xc2 << 2 | 2: I8("cmpss"); break;
        case 0xc2 << 2 | 3: I8("cmpsd"); break;
        default: return false;
        }
    } else if (map == X86_MAP_0F3A && f == 1) {
        switch (op) {
        case 0x08: I16("roundps"); break;
        case 0x09: I16("roundpd"); break;
        case 0x0a: I16("roundss"); break;
        case 0x0b: I16("roundsd"); break;
        default: return false;
        }
    } else {
        return false;
    }
    *pa = a;
    return true;
}

/* The (map, opcode, form) that host_op knows (the decoder has made the
 * other forms #UD already). */
static bool is_host_op(unsigned map, unsigned op, unsigned f)
{
    if (map == X86_MAP_0F)
        return op == 0x51 || op == 0x58 || op == 0x59 || (op >= 0x5a && op <= 0x5f) ||
               op == 0xe6 || op == 0x7c || op == 0x7d || op == 0xd0 || op == 0xc2;
    return map == X86_MAP_0F3A && f == 1 && op >= 0x08 && op <= 0x0b;
}

/* The result lanes of a host op that can underflow (float or double
 * lanes, how many); 0: the op cannot underflow (SQRT, MIN/MAX, compares,
 * widening and integer conversions, ROUND). */
static unsigned tiny_lanes(unsigned map, unsigned op, unsigned f, bool *dbl)
{
    *dbl = f & 1; /* pd, sd */
    if (map != X86_MAP_0F)
        return 0;
    switch (op) {
    case 0x58: case 0x59: case 0x5c: case 0x5e:
        return f == 0 ? 4 : f == 1 ? 2 : 1;
    case 0x5a: /* CVTPD2PS / CVTSD2SS narrow */
        *dbl = false;
        return f == 1 ? 2 : f == 3 ? 1 : 0;
    case 0x7c: case 0x7d: case 0xd0: /* 66: pd, F2: ps */
        *dbl = f == 1;
        return f == 1 ? 2 : 4;
    default:
        return 0;
    }
}

/* Bytes of the memory source of (map, opcode, form): packed 16 (aligned),
 * scalar 4 / 8, the half-width conversions 8 (SDM vol. 2). */
static unsigned mem_size(unsigned map, unsigned op, unsigned f)
{
    if (map == X86_MAP_0F) {
        if (op == 0x5a)
            return f == 0 ? 8 : f == 1 ? 16 : f == 2 ? 4 : 8;
        if (op == 0xe6)
            return f == 2 ? 8 : 16;
        if (op == 0x5b || op == 0x7c || op == 0x7d || op == 0xd0)
            return 16;
    } else if (map == X86_MAP_0F3A) {
        return op == 0x0a ? 4 : op == 0x0b ? 8 : 16;
    }
    return f == 2 ? 4 : f == 3 ? 8 : 16;
}

/* ---- pieces done here ------------------------------------------------------ */

static inline uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* An approximation to 12 significant bits, rounded to nearest: relative
 * error at most 2^-12 (SDM vol. 2 RCPPS/RSQRTPS: |error| <= 1.5 * 2^-12). */
static uint32_t round12(double r)
{
    uint64_t u;
    memcpy(&u, &r, 8);
    u += 1ull << 40;
    u &= ~((1ull << 41) - 1);
    memcpy(&r, &u, 8);
    if (fabs(r) < 0x1p-126) /* tiny results are flushed to zero */
        return r < 0 ? 0x80000000u : 0;
    return f2u((float)r);
}

/* RCPSS of one element (SDM vol. 2 RCPSS: no exceptions, MXCSR ignored;
 * NaN: quieted; +-0 and denormals: +-inf; +-inf: +-0). */
static uint32_t rcp1(uint32_t v)
{
    uint32_t sign = v & 0x80000000u, mag = v & 0x7fffffffu;
    if (mag > 0x7f800000u)
        return v | 0x00400000u;
    if (mag < 0x00800000u)
        return sign | 0x7f800000u;
    if (mag == 0x7f800000u)
        return sign;
    return round12(1.0 / (double)u2f(v));
}

/* RSQRTSS of one element: negative (non-zero) -> QNaN indefinite. */
static uint32_t rsqrt1(uint32_t v)
{
    uint32_t sign = v & 0x80000000u, mag = v & 0x7fffffffu;
    if (mag > 0x7f800000u)
        return v | 0x00400000u;
    if (mag < 0x00800000u)
        return sign | 0x7f800000u;
    if (sign)
        return 0xffc00000u;
    if (mag == 0x7f800000u)
        return 0;
    return round12(1.0 / sqrt((double)u2f(v)));
}

static inline float h_mulss(float a, float b) { __asm__ volatile("mulss %1, %0" : "+x"(a) : "x"(b)); return a; }
static inline float h_addss(float a, float b) { __asm__ volatile("addss %1, %0" : "+x"(a) : "x"(b)); return a; }
static inline double h_mulsd(double a, double b) { __asm__ volatile("mulsd %1, %0" : "+x"(a) : "x"(b)); return a; }
static inline double h_addsd(double a, double b) { __asm__ volatile("addsd %1, %0" : "+x"(a) : "x"(b)); return a; }

/* DPPS / DPPD (SDM vol. 2 pseudo-code DP_primitive): products of the
 * elements selected by imm8[7:4], summed pairwise, broadcast to the
 * elements selected by imm8[3:0]; +0.0 elsewhere. "Exceptions are
 * determined separately for each add and multiply operation": each stage
 * (the products, each level of sums) reports its flags, and an unmasked
 * exception in one stops the instruction there (found by x86-difftest). */
static void dpps(struct x86_cpu *x, xmm_t *d, const xmm_t *s, unsigned imm, bool pd)
{
    xmm_t r;
    memset(&r, 0, sizeof r);
    uint32_t saved, fl;
    if (!pd) {
        float t[4], a[4], b[4], u[2], sum;
        memcpy(a, d->d, 16);
        memcpy(b, s->d, 16);
        saved = fp_enter(x);
        for (unsigned k = 0; k < 4; k++)
            t[k] = (imm >> (4 + k) & 1) ? h_mulss(a[k], b[k]) : u2f(0);
        fl = fp_leave(saved);
        fp_commit(x, fl);
        saved = fp_enter(x);
        u[0] = h_addss(t[0], t[1]);
        u[1] = h_addss(t[2], t[3]);
        fl = fp_leave(saved);
        fp_commit(x, fl);
        saved = fp_enter(x);
        sum = h_addss(u[0], u[1]);
        fl = fp_leave(saved);
        for (unsigned k = 0; k < 4; k++)
            r.d[k] = (imm >> k & 1) ? f2u(sum) : 0;
        if (!(fl & MX_UE))
            fl |= fp_tiny_exact(x, &r, 4, false);
    } else {
        double t[2], a[2], b[2], sum;
        memcpy(a, d->q, 16);
        memcpy(b, s->q, 16);
        saved = fp_enter(x);
        for (unsigned k = 0; k < 2; k++)
            t[k] = (imm >> (4 + k) & 1) ? h_mulsd(a[k], b[k]) : 0.0 * 0;
        fl = fp_leave(saved);
        fp_commit(x, fl);
        saved = fp_enter(x);
        sum = h_addsd(t[0], t[1]);
        fl = fp_leave(saved);
        for (unsigned k = 0; k < 2; k++)
            if (imm >> k & 1)
                memcpy(&r.q[k], &sum, 8);
        if (!(fl & MX_UE))
            fl |= fp_tiny_exact(x, &r, 2, true);
    }
    fp_commit(x, fl);
    *d = r;
}

/* ---- conversions between XMM and GPR / MMX ----------------------------------- */

static uint64_t h_cvt2si(const xmm_t *v, bool dbl, bool trunc, bool q)
{
    v4sf a;
    memcpy(&a, v, 16);
    if (q) {
        int64_t r;
        if (dbl) {
            if (trunc) __asm__ volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(a));
            else __asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(a));
        } else {
            if (trunc) __asm__ volatile("cvttss2si %1, %0" : "=r"(r) : "x"(a));
            else __asm__ volatile("cvtss2si %1, %0" : "=r"(r) : "x"(a));
        }
        return (uint64_t)r;
    }
    int32_t r;
    if (dbl) {
        if (trunc) __asm__ volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(a));
        else __asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(a));
    } else {
        if (trunc) __asm__ volatile("cvttss2si %1, %0" : "=r"(r) : "x"(a));
        else __asm__ volatile("cvtss2si %1, %0" : "=r"(r) : "x"(a));
    }
    return (uint32_t)r;
}

/* CVTSI2SS/SD into element 0 of *d (the rest kept). */
static void h_cvtsi(xmm_t *d, int64_t v, bool dbl, bool q)
{
    v4sf a;
    memcpy(&a, d, 16);
    if (q) {
        if (dbl) __asm__ volatile("cvtsi2sdq %1, %0" : "+x"(a) : "r"(v));
        else __asm__ volatile("cvtsi2ssq %1, %0" : "+x"(a) : "r"(v));
    } else {
        int32_t w = (int32_t)v;
        if (dbl) __asm__ volatile("cvtsi2sdl %1, %0" : "+x"(a) : "r"(w));
        else __asm__ volatile("cvtsi2ssl %1, %0" : "+x"(a) : "r"(w));
    }
    memcpy(d, &a, 16);
}

static void exec_cvt_int(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    unsigned f = form(i), op = i->opcode;
    xmm_t s, r;
    simd_check_sse(x);
    if (op == 0x2a) {
        if (f >= 2) { /* CVTSI2SS / CVTSI2SD xmm, r/m32|64 */
            unsigned size = i->opsize == 8 ? 8 : 4;
            uint64_t v = i->mod == 3 ? x->r[i->rm] : x86_read(x, simd_ea(x), size);
            r = *XR(x, i->reg);
            uint32_t saved = fp_enter(x);
            h_cvtsi(&r, (int64_t)v, f == 3, size == 8);
            fp_commit(x, fp_leave(saved));
            *XR(x, i->reg) = r;
            return;
        }
        /* CVTPI2PS (into the low half) / CVTPI2PD xmm, mm/m64 */
        uint64_t v;
        if (i->mod == 3) {
            simd_check_mmx(x);
            v = mm_get(x, i->rm);
        } else {
            v = x86_read(x, simd_ea(x), 8);
        }
        r = *XR(x, i->reg);
        xmm_t t = r;
        uint32_t saved = fp_enter(x);
        for (unsigned k = 0; k < 2; k++) {
            h_cvtsi(&t, (int32_t)(v >> (32 * k)), f == 1, false);
            if (f == 1)
                r.q[k] = t.q[0];
            else
                r.d[k] = t.d[0];
        }
        fp_commit(x, fp_leave(saved));
        *XR(x, i->reg) = r;
        return;
    }
    /* 2C CVTT*, 2D CVT* */
    bool trunc = op == 0x2c;
    if (f >= 2) { /* CVT(T)SS2SI / CVT(T)SD2SI r32|64, xmm/m32|64 */
        simd_rm_xmm(x, &s, f == 2 ? 4 : 8, false);
        bool q = i->opsize == 8;
        uint32_t saved = fp_enter(x);
        uint64_t v = h_cvt2si(&s, f == 3, trunc, q);
        fp_commit(x, fp_leave(saved));
        gpr_set(x, i->reg, q ? 8 : 4, v);
        return;
    }
    /* CVT(T)PS2PI mm, xmm/m64 / CVT(T)PD2PI mm, xmm/m128 */
    simd_rm_xmm(x, &s, f == 1 ? 16 : 8, true);
    simd_check_mmx(x);
    uint32_t saved = fp_enter(x);
    uint64_t res = 0;
    for (unsigned k = 0; k < 2; k++) {
        xmm_t e = { .q = { f == 1 ? s.q[k] : s.d[k], 0 } };
        res |= (h_cvt2si(&e, f == 1, trunc, false) & 0xffffffffull) << (32 * k);
    }
    fp_commit(x, fp_leave(saved));
    mm_set(x, i->reg, res);
}

/* COMISS/UCOMISS/COMISD/UCOMISD: ZF PF CF from the compare; OF SF AF 0. */
static void exec_comis(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    bool dbl = i->mandatory == 0x66;
    xmm_t s;
    simd_check_sse(x);
    simd_rm_xmm(x, &s, dbl ? 8 : 4, false);
    v4sf a, b;
    memcpy(&a, XR(x, i->reg), 16);
    memcpy(&b, &s, 16);
    bool zf, pf, cf;
    uint32_t saved = fp_enter(x);
    if (i->opcode == 0x2f) {
        if (dbl) __asm__ volatile("comisd %3, %4" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "x"(b), "x"(a));
        else __asm__ volatile("comiss %3, %4" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "x"(b), "x"(a));
    } else {
        if (dbl) __asm__ volatile("ucomisd %3, %4" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "x"(b), "x"(a));
        else __asm__ volatile("ucomiss %3, %4" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "x"(b), "x"(a));
    }
    fp_commit(x, fp_leave(saved));
    x->rflags = (x->rflags & ~(uint64_t)FL_ARITH) | (zf ? FL_ZF : 0) | (pf ? FL_PF : 0) |
                (cf ? FL_CF : 0);
}

bool simd_exec_fp(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    unsigned f = form(i), op = i->opcode, imm = (unsigned)i->imm & 0xff;
    xmm_t s, d;
    if (i->map == X86_MAP_0F) {
        switch (op) {
        case 0x2a: case 0x2c: case 0x2d:
            exec_cvt_int(x);
            return true;
        case 0x2e: case 0x2f:
            exec_comis(x);
            return true;
        case 0x52: case 0x53: { /* RSQRTPS/SS, RCPPS/SS */
            simd_check_sse(x);
            simd_rm_xmm(x, &s, f == 2 ? 4 : 16, true);
            d = *XR(x, i->reg);
            for (unsigned k = 0; k < (f == 2 ? 1u : 4u); k++)
                d.d[k] = op == 0x52 ? rsqrt1(s.d[k]) : rcp1(s.d[k]);
            *XR(x, i->reg) = d;
            return true;
        }
        case 0x54: case 0x55: case 0x56: case 0x57: /* AND ANDN OR XOR PS/PD */
            simd_check_sse(x);
            simd_rm_xmm(x, &s, 16, true);
            d = *XR(x, i->reg);
            for (unsigned k = 0; k < 2; k++)
                d.q[k] = op == 0x54 ? d.q[k] & s.q[k] : op == 0x55 ? ~d.q[k] & s.q[k]
                       : op == 0x56 ? d.q[k] | s.q[k] : d.q[k] ^ s.q[k];
            *XR(x, i->reg) = d;
            return true;
        case 0x14: case 0x15: /* UNPCKLPS/PD, UNPCKHPS/PD */
            simd_check_sse(x);
            simd_rm_xmm(x, &s, 16, true);
            d = *XR(x, i->reg);
            if (f == 1) {
                xmm_t r = { .q = { d.q[op - 0x14], s.q[op - 0x14] } };
                *XR(x, i->reg) = r;
            } else {
                unsigned o = op == 0x15 ? 2 : 0;
                xmm_t r = { .d = { d.d[o], s.d[o], d.d[o + 1], s.d[o + 1] } };
                *XR(x, i->reg) = r;
            }
            return true;
        case 0xc6: /* SHUFPS / SHUFPD */
            simd_check_sse(x);
            simd_rm_xmm(x, &s, 16, true);
            d = *XR(x, i->reg);
            if (f == 1) {
                xmm_t r = { .q = { d.q[imm & 1], s.q[imm >> 1 & 1] } };
                *XR(x, i->reg) = r;
            } else {
                xmm_t r = { .d = { d.d[imm & 3], d.d[imm >> 2 & 3], s.d[imm >> 4 & 3], s.d[imm >> 6 & 3] } };
                *XR(x, i->reg) = r;
            }
            return true;
        }
    } else if (i->map == X86_MAP_0F3A && f == 1) {
        switch (op) {
        case 0x17: /* EXTRACTPS r/m32, xmm, imm8 */
            simd_check_sse(x);
            if (i->mod == 3)
                x->r[i->rm] = XR(x, i->reg)->d[imm & 3];
            else
                x86_write(x, simd_ea(x), 4, XR(x, i->reg)->d[imm & 3]);
            return true;
        case 0x21: { /* INSERTPS xmm, xmm/m32, imm8 */
            simd_check_sse(x);
            uint32_t v;
            if (i->mod == 3)
                v = XR(x, i->rm)->d[imm >> 6];
            else
                v = (uint32_t)x86_read(x, simd_ea(x), 4);
            d = *XR(x, i->reg);
            d.d[imm >> 4 & 3] = v;
            for (unsigned k = 0; k < 4; k++)
                if (imm >> k & 1)
                    d.d[k] = 0;
            *XR(x, i->reg) = d;
            return true;
        }
        case 0x40: case 0x41: /* DPPS / DPPD */
            simd_check_sse(x);
            simd_rm_xmm(x, &s, 16, true);
            d = *XR(x, i->reg);
            dpps(x, &d, &s, imm, op == 0x41);
            *XR(x, i->reg) = d;
            return true;
        }
    }
    /* the host-instruction group */
    if (!is_host_op(i->map, op, f))
        return false;
    v4sf a, b;
    simd_check_sse(x);
    simd_rm_xmm(x, &s, mem_size(i->map, op, f), true);
    memcpy(&a, XR(x, i->reg), 16);
    memcpy(&b, &s, 16);
    uint32_t saved = fp_enter(x);
    host_op(i->map, op, f, &a, b, imm);
    uint32_t fl = fp_leave(saved);
    bool dbl;
    unsigned n = tiny_lanes(i->map, op, f, &dbl);
    if (n && !(fl & MX_UE)) {
        xmm_t r;
        memcpy(&r, &a, 16);
        fl |= fp_tiny_exact(x, &r, n, dbl);
    }
    fp_commit(x, fl);
    memcpy(XR(x, i->reg), &a, 16);
    return true;
}
