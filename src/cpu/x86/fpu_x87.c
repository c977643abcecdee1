/* The x87 FPU (Intel SDM vol. 1 ch. 8, vol. 2 instruction pages): the
 * escape opcodes D8-DF and FWAIT (9B).
 *
 * The model relies on the host's 80-bit long double: on an x86 host that is
 * the x87 double extended-precision format itself, and every arithmetic
 * operation, comparison, load/store conversion, FSQRT, FRNDINT, FSCALE,
 * FXTRACT, FPREM/FPREM1 and FBLD/FBSTP runs as the same x87 instruction on
 * the host (inline assembly) under a control word made of the guest's
 * precision (PC) and rounding (RC) fields with every exception masked; the
 * host status word read right after it gives the exception flags, C1
 * (rounded up) and C0/C2/C3. So results, NaN propagation, denormal and
 * unsupported-format handling are the silicon's. This file keeps what is
 * architectural around it: the register stack and its tags, stack
 * overflow/underflow (#IS, C1), the masked responses and the unmasked
 * exceptions (ES, #MF at the next waiting instruction), FOP/FIP/FDP.
 *
 * The transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS,
 * FSINCOS) use the host libm's long double functions (expm1l, log2l,
 * log1pl, tanl, atan2l, sinl, cosl) under the guest's rounding mode with
 * flags from fenv.h, not the x87 instructions: the results may differ from
 * silicon in the last bits (silicon's FSIN/FCOS/FPTAN reduce with a 66-bit
 * pi and are not correctly rounded; libm is more accurate), PC does not
 * apply to them, and C1 (round-up) is reported as 0.
 *
 * An unmasked overflow or underflow with a register destination stores
 * the result with its exponent bias-adjusted by 24576 (SDM vol. 1
 * §8.5.4/§8.5.5), as the host x87 computes it; a memory destination is
 * left unchanged. Partial: the transcendentals leave the destination
 * unchanged in that case (libm has no bias-adjusted result).
 *
 * CR0.NE = 0 (MS-DOS compatibility, SDM vol. 1 §8.7): FERR# and IGNNE# are
 * not wired on our board, so a pending unmasked exception with NE = 0 does
 * not fault and does not freeze: the waiting instruction runs as with
 * IGNNE# asserted.
 *
 * FOP, FIP/FCS are recorded for every non-control instruction, FDP/FDS for
 * those with a memory operand (SDM vol. 1 §8.1.8, §8.1.9). */
#include <fenv.h>
#include <math.h>
#include <string.h>
#include "fpu.h"

#define UD() x86_raise(x, X86_EXC_UD, false, 0)

void x86_fpu_init(struct x86_cpu *x)
{
    struct x86_fpu *f = &x->fpu;
    f->fcw = FCW_INIT;
    f->fsw = 0;
    f->ftw = 0;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

void x86_fpu_reset(struct x86_cpu *x)
{
    /* SDM vol. 3A §9.1.1 Table 9-1 (power-up, RESET): FCW 0040H, FSW 0,
     * FTW 5555H (every register valid and zero), MXCSR 1F80H. */
    memset(&x->fpu, 0, sizeof x->fpu);
    x->fpu.fcw = 0x0040;
    x->fpu.ftw = 0xff;
    x->fpu.mxcsr = 0x1f80;
}

#if X86_HOST_X87

/* ---- the host x87 ------------------------------------------------------- */

/* One host x87 instruction: cw in (guest PC/RC, all masked), sw out. */
struct hx {
    uint16_t cw, save, sw;
};

/* The host runs with the guest's PC and RC, IE DE ZE PE masked, and OE /
 * UE unmasked when the guest has them unmasked: the host x87 then leaves
 * the bias-adjusted result of SDM vol. 1 §8.5.4/§8.5.5 in the register
 * and sets ES; FNCLEX (non-waiting) clears that before any waiting host
 * instruction, so the host never takes the #MF. */
static void hx_init(struct hx *h, const struct x86_cpu *x)
{
    unsigned unm_ou = ~x->fpu.fcw & (FSW_OE | FSW_UE);
    h->cw = (uint16_t)((x->fpu.fcw & 0x0f00) | 0x0040 | (0x3f & ~unm_ou));
    h->save = h->sw = 0;
}

/* FNCLEX after FLDCW: the host's own sticky flags never meet an unmasked
 * OE/UE at the (waiting) instruction itself */
#define XPRE "fnstcw %[sv]\n\tfldcw %[cw]\n\tfnclex\n\t"
#define XPOST "\n\tfnstsw %[sw]\n\tfnclex\n\tfldcw %[sv]"
#define XOUT [sv] "=m"(h->save), [sw] "=m"(h->sw)
#define XIN [cw] "m"(h->cw)

/* ST(0) op ST(1) on the host with op in D8 /r numbering: 0 add, 1 mul,
 * 4 sub (a - b), 5 subr (b - a), 6 div (a / b), 7 divr (b / a). */
static long double h_bin(struct hx *h, unsigned op, long double a, long double b)
{
    long double r = 0;
#define B(I) __asm__ volatile(XPRE I "\n\tfnstsw %[sw]\n\tfnclex\n\tfstp %%st(1)\n\tfldcw %[sv]" \
                              : "=t"(r), XOUT : "0"(a), "u"(b), XIN : "st(1)")
    switch (op) {
    case 0: B("fadd %%st(1), %%st"); break;
    case 1: B("fmul %%st(1), %%st"); break;
    case 4: B("fsub %%st(1), %%st"); break;
    case 5: B("fsubr %%st(1), %%st"); break;
    case 6: B("fdiv %%st(1), %%st"); break;
    case 7: B("fdivr %%st(1), %%st"); break;
    }
#undef B
    return r;
}

/* Memory source operand types of the arithmetic group. */
enum { MT_F32, MT_F64, MT_I32, MT_I16 };

static long double h_bin_mem(struct hx *h, unsigned op, unsigned mt, long double a, uint64_t v)
{
    long double r = 0;
    float f32;
    double f64;
    int32_t i32 = (int32_t)v;
    int16_t i16 = (int16_t)v;
    uint32_t u32 = (uint32_t)v;
    memcpy(&f32, &u32, 4);
    memcpy(&f64, &v, 8);
#define M(I, mem) __asm__ volatile(XPRE I " %[m]" XPOST : "=t"(r), XOUT : "0"(a), [m] "m"(mem), XIN)
#define OPS(S, mem)                                   \
    switch (op) {                                     \
    case 0: M("fadd" S, mem); break;                  \
    case 1: M("fmul" S, mem); break;                  \
    case 4: M("fsub" S, mem); break;                  \
    case 5: M("fsubr" S, mem); break;                 \
    case 6: M("fdiv" S, mem); break;                  \
    case 7: M("fdivr" S, mem); break;                 \
    }
    switch (mt) {
    case MT_F32: OPS("s", f32); break;
    case MT_F64: OPS("l", f64); break;
    case MT_I32:
        switch (op) {
        case 0: M("fiaddl", i32); break;
        case 1: M("fimull", i32); break;
        case 4: M("fisubl", i32); break;
        case 5: M("fisubrl", i32); break;
        case 6: M("fidivl", i32); break;
        case 7: M("fidivrl", i32); break;
        }
        break;
    default:
        switch (op) {
        case 0: M("fiadds", i16); break;
        case 1: M("fimuls", i16); break;
        case 4: M("fisubs", i16); break;
        case 5: M("fisubrs", i16); break;
        case 6: M("fidivs", i16); break;
        case 7: M("fidivrs", i16); break;
        }
        break;
    }
#undef OPS
#undef M
    return r;
}

/* Compare ST(0) = a with b: FCOM (unordered = #IA for any NaN) or FUCOM. */
static void h_cmp(struct hx *h, bool unordered_ok, long double a, long double b)
{
    if (unordered_ok)
        __asm__ volatile(XPRE "fucom %%st(1)" XPOST : XOUT : "t"(a), "u"(b), XIN);
    else
        __asm__ volatile(XPRE "fcom %%st(1)" XPOST : XOUT : "t"(a), "u"(b), XIN);
}

static void h_cmp_mem(struct hx *h, unsigned mt, long double a, uint64_t v)
{
    float f32;
    double f64;
    uint32_t u32 = (uint32_t)v;
    int32_t i32 = (int32_t)v;
    int16_t i16 = (int16_t)v;
    memcpy(&f32, &u32, 4);
    memcpy(&f64, &v, 8);
    switch (mt) {
    case MT_F32: __asm__ volatile(XPRE "fcoms %[m]" XPOST : XOUT : "t"(a), [m] "m"(f32), XIN); break;
    case MT_F64: __asm__ volatile(XPRE "fcoml %[m]" XPOST : XOUT : "t"(a), [m] "m"(f64), XIN); break;
    case MT_I32: __asm__ volatile(XPRE "ficoml %[m]" XPOST : XOUT : "t"(a), [m] "m"(i32), XIN); break;
    default: __asm__ volatile(XPRE "ficoms %[m]" XPOST : XOUT : "t"(a), [m] "m"(i16), XIN); break;
    }
}

/* One-operand instructions on ST(0). */
enum { U_SQRT, U_RNDINT, U_TST, U_XAM };

static long double h_un(struct hx *h, unsigned u, long double a)
{
    long double r = a;
    switch (u) {
    case U_SQRT: __asm__ volatile(XPRE "fsqrt" XPOST : "=t"(r), XOUT : "0"(a), XIN); break;
    case U_RNDINT: __asm__ volatile(XPRE "frndint" XPOST : "=t"(r), XOUT : "0"(a), XIN); break;
    case U_TST: __asm__ volatile(XPRE "ftst" XPOST : XOUT : "t"(a), XIN); break;
    default: __asm__ volatile(XPRE "fxam" XPOST : XOUT : "t"(a), XIN); break;
    }
    return r;
}

/* FSCALE, FPREM, FPREM1: ST(0) = f(ST(0), ST(1)), ST(1) stays. */
enum { P_SCALE, P_PREM, P_PREM1 };

static long double h_pair(struct hx *h, unsigned p, long double a, long double b)
{
    long double r = 0;
    switch (p) {
    case P_SCALE: __asm__ volatile(XPRE "fscale" XPOST : "=t"(r), XOUT : "0"(a), "u"(b), XIN); break;
    case P_PREM: __asm__ volatile(XPRE "fprem" XPOST : "=t"(r), XOUT : "0"(a), "u"(b), XIN); break;
    default: __asm__ volatile(XPRE "fprem1" XPOST : "=t"(r), XOUT : "0"(a), "u"(b), XIN); break;
    }
    return r;
}

static void h_xtract(struct hx *h, long double a, long double *sig, long double *ex)
{
    long double s, e;
    __asm__ volatile(XPRE "fxtract" XPOST : "=t"(s), "=u"(e), XOUT : "0"(a), XIN);
    *sig = s;
    *ex = e;
}

/* Loads of m32fp / m64fp (the conversion raises #IA for an SNaN, #D for a
 * denormal) and of the constants (rounded per RC). */
static long double h_ld_f32(struct hx *h, uint32_t v)
{
    float f;
    long double r;
    memcpy(&f, &v, 4);
    __asm__ volatile(XPRE "flds %[m]" XPOST : "=t"(r), XOUT : [m] "m"(f), XIN);
    return r;
}
static long double h_ld_f64(struct hx *h, uint64_t v)
{
    double d;
    long double r;
    memcpy(&d, &v, 8);
    __asm__ volatile(XPRE "fldl %[m]" XPOST : "=t"(r), XOUT : [m] "m"(d), XIN);
    return r;
}
static long double h_ld_const(struct hx *h, unsigned k)
{
    long double r = 0;
    switch (k) {
    case 0: __asm__ volatile(XPRE "fld1" XPOST : "=t"(r), XOUT : XIN); break;
    case 1: __asm__ volatile(XPRE "fldl2t" XPOST : "=t"(r), XOUT : XIN); break;
    case 2: __asm__ volatile(XPRE "fldl2e" XPOST : "=t"(r), XOUT : XIN); break;
    case 3: __asm__ volatile(XPRE "fldpi" XPOST : "=t"(r), XOUT : XIN); break;
    case 4: __asm__ volatile(XPRE "fldlg2" XPOST : "=t"(r), XOUT : XIN); break;
    case 5: __asm__ volatile(XPRE "fldln2" XPOST : "=t"(r), XOUT : XIN); break;
    default: __asm__ volatile(XPRE "fldz" XPOST : "=t"(r), XOUT : XIN); break;
    }
    return r;
}
struct bcd {
    uint8_t b[10];
};
static long double h_fbld(struct hx *h, const struct bcd *p)
{
    long double r;
    __asm__ volatile(XPRE "fbld %[m]" XPOST : "=t"(r), XOUT : [m] "m"(*p), XIN);
    return r;
}

/* Stores of ST(0) = a: m32fp, m64fp, m16/m32/m64 integers (FIST rounds
 * per RC, FISTTP truncates), packed BCD. The value is in *out (size bytes). */
enum { S_F32, S_F64, S_I16, S_I32, S_I64, S_TI16, S_TI32, S_TI64, S_BCD };

static void h_store(struct hx *h, unsigned s, long double a, void *out)
{
    float f;
    double d;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    struct bcd b;
    switch (s) {
    case S_F32: __asm__ volatile(XPRE "fsts %[m]" XPOST : [m] "=m"(f), XOUT : "t"(a), XIN); memcpy(out, &f, 4); break;
    case S_F64: __asm__ volatile(XPRE "fstl %[m]" XPOST : [m] "=m"(d), XOUT : "t"(a), XIN); memcpy(out, &d, 8); break;
    case S_I16: __asm__ volatile(XPRE "fists %[m]" XPOST : [m] "=m"(i16), XOUT : "t"(a), XIN); memcpy(out, &i16, 2); break;
    case S_I32: __asm__ volatile(XPRE "fistl %[m]" XPOST : [m] "=m"(i32), XOUT : "t"(a), XIN); memcpy(out, &i32, 4); break;
    case S_I64: __asm__ volatile(XPRE "fld %%st(0)\n\tfistpll %[m]" XPOST : [m] "=m"(i64), XOUT : "t"(a), XIN); memcpy(out, &i64, 8); break;
    case S_TI16: __asm__ volatile(XPRE "fld %%st(0)\n\tfisttps %[m]" XPOST : [m] "=m"(i16), XOUT : "t"(a), XIN); memcpy(out, &i16, 2); break;
    case S_TI32: __asm__ volatile(XPRE "fld %%st(0)\n\tfisttpl %[m]" XPOST : [m] "=m"(i32), XOUT : "t"(a), XIN); memcpy(out, &i32, 4); break;
    case S_TI64: __asm__ volatile(XPRE "fld %%st(0)\n\tfisttpll %[m]" XPOST : [m] "=m"(i64), XOUT : "t"(a), XIN); memcpy(out, &i64, 8); break;
    default: __asm__ volatile(XPRE "fld %%st(0)\n\tfbstp %[m]" XPOST : [m] "=m"(b), XOUT : "t"(a), XIN); memcpy(out, &b, 10); break;
    }
}
static const unsigned store_size[] = { 4, 8, 2, 4, 8, 2, 4, 8, 10 };

/* ---- the register stack ------------------------------------------------- */

#define INDEF_MANT 0xc000000000000000ull /* QNaN floating-point indefinite */
#define INDEF_SEXP 0xffff

static bool st_empty(const struct x86_cpu *x, unsigned i) { return !(x->fpu.ftw >> fpu_phys(x, i) & 1); }

static long double reg_ld(const struct x86_fpreg *r)
{
    long double v = 0;
    memcpy(&v, &r->mant, 8);
    memcpy((char *)&v + 8, &r->sexp, 2);
    return v;
}
static long double st_get(const struct x86_cpu *x, unsigned i) { return reg_ld(&x->fpu.st[fpu_phys(x, i)]); }

static void st_put(struct x86_cpu *x, unsigned i, long double v)
{
    unsigned p = fpu_phys(x, i);
    memcpy(&x->fpu.st[p].mant, &v, 8);
    memcpy(&x->fpu.st[p].sexp, (char *)&v + 8, 2);
    x->fpu.ftw |= (uint8_t)(1u << p);
}
static void st_put_raw(struct x86_cpu *x, unsigned i, uint64_t mant, uint16_t sexp)
{
    unsigned p = fpu_phys(x, i);
    x->fpu.st[p].mant = mant;
    x->fpu.st[p].sexp = sexp;
    x->fpu.ftw |= (uint8_t)(1u << p);
}
static void st_indef(struct x86_cpu *x, unsigned i) { st_put_raw(x, i, INDEF_MANT, INDEF_SEXP); }

static void fp_pop(struct x86_cpu *x)
{
    x->fpu.ftw &= (uint8_t)~(1u << fpu_phys(x, 0));
    fpu_set_top(x, fpu_top(x) + 1);
}
static void fp_push(struct x86_cpu *x, long double v)
{
    fpu_set_top(x, fpu_top(x) - 1);
    st_put(x, 0, v);
}

static void set_c1(struct x86_cpu *x, bool v)
{
    x->fpu.fsw = (uint16_t)((x->fpu.fsw & ~FSW_C1) | (v ? FSW_C1 : 0));
}

/* Stack overflow / underflow (#IS: IE and SF, C1 = 1 / 0; SDM vol. 1
 * §8.5.1.1). Returns true when IE is masked: the caller then gives the
 * masked response (the indefinite). */
static bool stack_fault(struct x86_cpu *x, bool overflow)
{
    x->fpu.fsw |= FSW_IE | FSW_SF;
    set_c1(x, overflow);
    fpu_update_es(x);
    return (x->fpu.fcw & FSW_IE) != 0;
}

/* A push onto ST(7) in use overflows: masked, the indefinite is pushed. */
static bool push_ok(struct x86_cpu *x)
{
    if (st_empty(x, 7))
        return true;
    if (stack_fault(x, true)) {
        fpu_set_top(x, fpu_top(x) - 1);
        st_indef(x, 0);
    }
    return false;
}

/* What a computed result may do, from the host status word (SDM vol. 1
 * §8.5): an unmasked #IA, #D or #Z leaves the operands and the stack as
 * they were (R_NONE); otherwise the flags are merged, C1 comes from the
 * host, and the result is written (R_STORE) — with an unmasked #O/#U the
 * host's result is the bias-adjusted one (hx_init). R_DONE: the flags are
 * set but the destination is left (an unmasked #O/#U of a libm result,
 * see the header). */
enum { R_NONE, R_DONE, R_STORE };
#define PRE_EXC (FSW_IE | FSW_DE | FSW_ZE)

static int fp_result(struct x86_cpu *x, uint16_t hs)
{
    unsigned exc = hs & FSW_EXC, unm = exc & ~x->fpu.fcw;
    if (unm & PRE_EXC) {
        x->fpu.fsw |= (uint16_t)(exc & PRE_EXC);
        fpu_update_es(x);
        return R_NONE;
    }
    x->fpu.fsw = (uint16_t)((x->fpu.fsw & ~FSW_C1) | (hs & FSW_C1) | exc);
    fpu_update_es(x);
    return R_STORE;
}

/* ---- memory ------------------------------------------------------------- */

static void probe_write(struct x86_cpu *x, uint64_t la, unsigned n)
{
    uint64_t last = la + n - 1;
    if (!x->long_mode)
        last &= 0xffffffffull;
    x86_translate(x, la, 1, x->cpl == 3);
    x86_translate(x, last, 1, x->cpl == 3);
}

static void read80(struct x86_cpu *x, uint64_t la, uint8_t out[10])
{
    uint64_t lo = x86_read(x, la, 8);
    uint16_t hi = (uint16_t)x86_read(x, la + 8, 2);
    memcpy(out, &lo, 8);
    memcpy(out + 8, &hi, 2);
}
static void write80(struct x86_cpu *x, uint64_t la, const uint8_t in[10])
{
    uint64_t lo;
    uint16_t hi;
    memcpy(&lo, in, 8);
    memcpy(&hi, in + 8, 2);
    probe_write(x, la, 10);
    x86_write(x, la, 8, lo);
    x86_write(x, la + 8, 2, hi);
}

/* ---- instruction groups -------------------------------------------------- */

static void check_mf(struct x86_cpu *x)
{
    /* a pending unmasked exception faults on the next waiting instruction
     * (SDM vol. 1 §8.6); with CR0.NE = 0 see the header */
    if ((x->fpu.fsw & FSW_ES) && (x->cr0 & CR0_NE))
        x86_raise(x, X86_EXC_MF, false, 0);
}

/* Record FOP / FIP / FCS (and FDP / FDS with a memory operand). */
static void note_insn(struct x86_cpu *x, bool mem, int seg, uint64_t off)
{
    const struct x86_insn *i = &x->in;
    x->fpu.fop = (uint16_t)((i->opcode & 7) << 8 | i->modrm);
    x->fpu.fip = x->rip;
    x->fpu.fcs = x->seg[X86_CS].sel;
    if (mem) {
        x->fpu.fdp = off;
        x->fpu.fds = x->seg[seg].sel;
    }
}

/* dest = ST(d) op src (src: ST(s)); D8 /r numbering. */
static void arith_reg(struct x86_cpu *x, unsigned op, unsigned d, unsigned s, bool pop)
{
    if (st_empty(x, d) || st_empty(x, s)) {
        if (!stack_fault(x, false))
            return;
        st_indef(x, d);
    } else {
        struct hx h;
        hx_init(&h, x);
        long double r = h_bin(&h, op, st_get(x, d), st_get(x, s));
        int k = fp_result(x, h.sw);
        if (k == R_NONE)
            return;
        if (k == R_STORE)
            st_put(x, d, r);
    }
    if (pop)
        fp_pop(x);
}

static void arith_mem(struct x86_cpu *x, unsigned op, unsigned mt, uint64_t v)
{
    if (st_empty(x, 0)) {
        if (stack_fault(x, false))
            st_indef(x, 0);
        return;
    }
    struct hx h;
    hx_init(&h, x);
    long double r = h_bin_mem(&h, op, mt, st_get(x, 0), v);
    if (fp_result(x, h.sw) == R_STORE)
        st_put(x, 0, r);
}

/* Comparisons: FCOM/FUCOM (cc into C0 C2 C3) or FCOMI/FUCOMI (into ZF PF
 * CF; OF SF AF cleared), then pops. hs: host status; empty: underflow. */
static void cmp_finish(struct x86_cpu *x, uint16_t hs, bool empty, bool eflags, unsigned pops)
{
    unsigned cc;
    if (empty) {
        if (!stack_fault(x, false))
            return;
        cc = FSW_C0 | FSW_C2 | FSW_C3; /* unordered */
    } else {
        unsigned exc = hs & FSW_EXC;
        if (exc & ~x->fpu.fcw & (FSW_IE | FSW_DE)) {
            x->fpu.fsw |= (uint16_t)exc;
            fpu_update_es(x);
            return;
        }
        x->fpu.fsw |= (uint16_t)exc;
        fpu_update_es(x);
        cc = hs & (FSW_C0 | FSW_C2 | FSW_C3);
        set_c1(x, false);
    }
    if (eflags) {
        uint64_t f = 0;
        if (cc & FSW_C3) f |= FL_ZF;
        if (cc & FSW_C2) f |= FL_PF;
        if (cc & FSW_C0) f |= FL_CF;
        x->rflags = (x->rflags & ~(uint64_t)FL_ARITH) | f;
    } else {
        x->fpu.fsw = (uint16_t)((x->fpu.fsw & ~(FSW_C0 | FSW_C2 | FSW_C3)) | cc);
    }
    while (pops--)
        fp_pop(x);
}

static void cmp_reg(struct x86_cpu *x, unsigned i, bool unordered_ok, bool eflags, unsigned pops)
{
    struct hx h;
    hx_init(&h, x);
    bool empty = st_empty(x, 0) || st_empty(x, i);
    if (!empty)
        h_cmp(&h, unordered_ok, st_get(x, 0), st_get(x, i));
    cmp_finish(x, h.sw, empty, eflags, pops);
}

/* Loads (push). */
static void load_value(struct x86_cpu *x, long double v, uint16_t hs, bool from_host)
{
    if (!push_ok(x))
        return;
    if (from_host && fp_result(x, hs) != R_STORE)
        return;
    set_c1(x, false);
    fp_push(x, v);
}

/* Stores of ST(0) to memory (pop after when asked). */
static void store_mem(struct x86_cpu *x, unsigned s, uint64_t la, bool pop)
{
    uint8_t buf[10];
    unsigned n = store_size[s];
    struct hx h;
    hx_init(&h, x);
    if (st_empty(x, 0)) {
        /* underflow: masked, the indefinite of the destination format */
        static const uint8_t f32i[4] = { 0, 0, 0xc0, 0xff }, f64i[8] = { 0, 0, 0, 0, 0, 0, 0xf8, 0xff },
                             bcdi[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };
        if (!(x->fpu.fcw & FSW_IE)) {
            stack_fault(x, false);
            return;
        }
        memset(buf, 0, sizeof buf);
        if (s == S_F32) memcpy(buf, f32i, 4);
        else if (s == S_F64) memcpy(buf, f64i, 8);
        else if (s == S_BCD) memcpy(buf, bcdi, 10);
        else buf[n - 1] = 0x80; /* integer indefinite: the most negative */
        if (n == 10) write80(x, la, buf);
        else { uint64_t v = 0; memcpy(&v, buf, n); x86_write(x, la, n, v); }
        stack_fault(x, false);
        if (pop)
            fp_pop(x);
        return;
    }
    h_store(&h, s, st_get(x, 0), buf);
    unsigned unm = h.sw & FSW_EXC & ~x->fpu.fcw;
    if (unm & (PRE_EXC | FSW_OE | FSW_UE)) {
        /* memory destination: nothing stored, no pop (§8.5.4, §8.5.5) */
        x->fpu.fsw |= (uint16_t)(h.sw & FSW_EXC & ~FSW_PE);
        fpu_update_es(x);
        return;
    }
    if (n == 10) {
        write80(x, la, buf);
    } else {
        uint64_t v = 0;
        memcpy(&v, buf, n);
        x86_write(x, la, n, v);
    }
    fp_result(x, h.sw);
    if (pop)
        fp_pop(x);
}

static void store_reg(struct x86_cpu *x, unsigned i, bool pop)
{
    if (st_empty(x, 0)) {
        if (!stack_fault(x, false))
            return;
        st_indef(x, i);
    } else {
        struct x86_fpreg r = x->fpu.st[fpu_phys(x, 0)];
        st_put_raw(x, i, r.mant, r.sexp);
        set_c1(x, false);
    }
    if (pop)
        fp_pop(x);
}

static void fxch(struct x86_cpu *x, unsigned i)
{
    if (st_empty(x, 0) || st_empty(x, i)) {
        if (!stack_fault(x, false))
            return;
        if (st_empty(x, 0)) st_indef(x, 0);
        if (st_empty(x, i)) st_indef(x, i);
    } else {
        set_c1(x, false);
    }
    unsigned a = fpu_phys(x, 0), b = fpu_phys(x, i);
    struct x86_fpreg t = x->fpu.st[a];
    x->fpu.st[a] = x->fpu.st[b];
    x->fpu.st[b] = t;
}

static bool fcmov_cond(const struct x86_cpu *x, unsigned c)
{
    uint64_t f = x->rflags;
    switch (c & 3) {
    case 0: return f & FL_CF;                 /* B */
    case 1: return f & FL_ZF;                 /* E */
    case 2: return f & (FL_CF | FL_ZF);       /* BE */
    default: return f & FL_PF;                /* U */
    }
}

static void fcmov(struct x86_cpu *x, unsigned i, bool cond)
{
    if (st_empty(x, 0) || st_empty(x, i)) {
        /* masked: ST(0) gets the indefinite whatever the condition
         * (silicon, found by x86-difftest) */
        if (stack_fault(x, false))
            st_indef(x, 0);
        return;
    }
    /* C1 is written only on a stack underflow (SDM vol. 2 FCMOVcc; silicon
     * leaves it otherwise, found by x86-difftest) */
    if (cond) {
        struct x86_fpreg r = x->fpu.st[fpu_phys(x, i)];
        st_put_raw(x, 0, r.mant, r.sexp);
    }
}

/* ---- transcendentals through libm ---------------------------------------- */

enum { T_F2XM1, T_FYL2X, T_FYL2XP1, T_FPTAN, T_FPATAN, T_FSIN, T_FCOS, T_FSINCOS };

static bool is_denormal(long double v)
{
    uint16_t sexp;
    uint64_t mant;
    memcpy(&mant, &v, 8);
    memcpy(&sexp, (char *)&v + 8, 2);
    return (sexp & 0x7fff) == 0 && mant != 0;
}

static long double quiet(long double v)
{
    uint64_t mant;
    memcpy(&mant, &v, 8);
    mant |= 1ull << 62;
    memcpy(&v, &mant, 8);
    return v;
}

static unsigned host_flags_x87(int fe)
{
    unsigned f = 0;
    if (fe & FE_INVALID) f |= FSW_IE;
    if (fe & FE_DIVBYZERO) f |= FSW_ZE;
    if (fe & FE_OVERFLOW) f |= FSW_OE;
    if (fe & FE_UNDERFLOW) f |= FSW_UE;
    if (fe & FE_INEXACT) f |= FSW_PE;
    return f;
}

/* Computes f(a [, b]) into r0 (and r1 for FSINCOS / FPTAN); returns the
 * x87 exception flags. */
static unsigned libm_eval(const struct x86_cpu *x, unsigned t, long double a, long double b,
                          long double *r0, long double *r1)
{
    static const int rc_mode[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
    unsigned pre = 0;
    if (is_denormal(a) || ((t == T_FYL2X || t == T_FYL2XP1 || t == T_FPATAN) && is_denormal(b)))
        pre |= FSW_DE;
    fesetround(rc_mode[(x->fpu.fcw >> FCW_RC_SHIFT) & 3]);
    feclearexcept(FE_ALL_EXCEPT);
    volatile long double va = a, vb = b;
    long double r = 0, s = 1;
    switch (t) {
    case T_F2XM1: r = expm1l(va * 0.693147180559945309417232121458176568L); break;
    case T_FYL2X: r = vb * log2l(va); break;
    case T_FYL2XP1: r = vb * (log1pl(va) * 1.44269504088896340735992468100189214L); break;
    case T_FPTAN: r = tanl(va); break;
    case T_FPATAN: r = atan2l(vb, va); break;
    case T_FSIN: r = sinl(va); break;
    case T_FCOS: r = cosl(va); break;
    default: r = sinl(va); s = cosl(va); break;
    }
    volatile long double vr = r, vs = s;
    unsigned f = host_flags_x87(fetestexcept(FE_ALL_EXCEPT));
    fesetround(FE_TONEAREST);
    r = vr;
    s = vs;
    bool two = t == T_FYL2X || t == T_FYL2XP1 || t == T_FPATAN;
    if (isnan(a) || (two && isnan(b))) {
        /* NaN operands propagate (an SNaN is quieted and raises #IA) */
        long double n = isnan(a) ? a : b;
        if (two && isnan(a) && isnan(b)) {
            uint64_t ma, mb;
            memcpy(&ma, &a, 8);
            memcpy(&mb, &b, 8);
            n = (mb & ~(1ull << 62)) > (ma & ~(1ull << 62)) ? b : a;
        }
        f = (issignaling(a) || (two && issignaling(b))) ? FSW_IE : 0;
        r = s = quiet(n);
    } else if ((f & FSW_IE) && (isnan(r) || isnan(s))) {
        long double ind;
        uint64_t m = INDEF_MANT;
        uint16_t e = INDEF_SEXP;
        memcpy(&ind, &m, 8);
        memcpy((char *)&ind + 8, &e, 2);
        r = s = ind;
    }
    *r0 = r;
    *r1 = s;
    return f | pre;
}

static void transcendental(struct x86_cpu *x, unsigned t)
{
    bool two = t == T_FYL2X || t == T_FYL2XP1 || t == T_FPATAN;
    bool pushes = t == T_FPTAN || t == T_FSINCOS;
    if (st_empty(x, 0) || (two && st_empty(x, 1))) {
        if (!stack_fault(x, false))
            return;
        if (two) {
            st_indef(x, 1);
            fp_pop(x);
        } else {
            st_indef(x, 0);
            if (pushes) { /* as FXTRACT */
                fpu_set_top(x, fpu_top(x) - 1);
                st_indef(x, 0);
            }
        }
        return;
    }
    long double a = st_get(x, 0), b = two ? st_get(x, 1) : 0, r, s;
    bool reduce = t == T_FPTAN || t == T_FSIN || t == T_FCOS || t == T_FSINCOS;
    if (reduce && isfinite(a) && fabsl(a) >= 0x1p63L) {
        x->fpu.fsw |= FSW_C2; /* out of range: operand unchanged */
        return;
    }
    if (pushes && !st_empty(x, 7)) { /* overflow: as FXTRACT */
        if (stack_fault(x, true)) {
            st_indef(x, 0);
            fpu_set_top(x, fpu_top(x) - 1);
            st_indef(x, 0);
        }
        return;
    }
    unsigned f = libm_eval(x, t, a, b, &r, &s);
    uint16_t hs = (uint16_t)f;
    int k = fp_result(x, hs);
    if (k == R_STORE && (f & ~x->fpu.fcw & (FSW_OE | FSW_UE)))
        k = R_DONE; /* no bias-adjusted libm result: destination left */
    set_c1(x, false);
    if (reduce)
        x->fpu.fsw &= (uint16_t)~FSW_C2;
    if (k == R_NONE)
        return;
    if (two) {
        if (k == R_STORE)
            st_put(x, 1, r);
        fp_pop(x);
        return;
    }
    if (k == R_STORE)
        st_put(x, 0, r);
    if (t == T_FPTAN)
        fp_push(x, 1.0L);
    else if (t == T_FSINCOS)
        fp_push(x, s);
}

/* ---- D9 register forms --------------------------------------------------- */

static void exec_d9_reg(struct x86_cpu *x)
{
    unsigned m = x->in.modrm, i = m & 7;
    switch (m & 0xf8) {
    case 0xc0: { /* FLD ST(i) */
        if (st_empty(x, i)) {
            /* underflow wins over an overflow of the push (C1 = 0) */
            if (stack_fault(x, false)) {
                fpu_set_top(x, fpu_top(x) - 1);
                st_indef(x, 0);
            }
            return;
        }
        struct x86_fpreg r = x->fpu.st[fpu_phys(x, i)];
        if (!push_ok(x))
            return;
        set_c1(x, false);
        fpu_set_top(x, fpu_top(x) - 1);
        st_put_raw(x, 0, r.mant, r.sexp);
        return;
    }
    case 0xc8: fxch(x, i); return;
    case 0xd8: store_reg(x, i, true); return; /* FSTP1 alias */
    }
    struct hx h;
    hx_init(&h, x);
    switch (m) {
    case 0xd0: return; /* FNOP */
    case 0xe0: case 0xe1: /* FCHS FABS */
        if (st_empty(x, 0)) {
            if (stack_fault(x, false))
                st_indef(x, 0);
            return;
        }
        set_c1(x, false);
        if (m == 0xe0)
            x->fpu.st[fpu_phys(x, 0)].sexp ^= 0x8000;
        else
            x->fpu.st[fpu_phys(x, 0)].sexp &= 0x7fff;
        return;
    case 0xe4: /* FTST */
        if (!st_empty(x, 0))
            h_un(&h, U_TST, st_get(x, 0));
        cmp_finish(x, h.sw, st_empty(x, 0), false, 0);
        return;
    case 0xe5: { /* FXAM: class in C3 C2 C0, sign in C1 (§8.3.6 Table 8-8) */
        unsigned p = fpu_phys(x, 0), cc;
        if (st_empty(x, 0)) {
            cc = FSW_C3 | FSW_C0;
        } else {
            h_un(&h, U_XAM, st_get(x, 0));
            cc = h.sw & (FSW_C0 | FSW_C2 | FSW_C3);
        }
        if (x->fpu.st[p].sexp & 0x8000)
            cc |= FSW_C1;
        x->fpu.fsw = (uint16_t)((x->fpu.fsw & ~FSW_CC) | cc);
        return;
    }
    case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee: {
        /* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ */
        if (!push_ok(x))
            return;
        long double v = h_ld_const(&h, m - 0xe8);
        set_c1(x, false);
        fp_push(x, v);
        return;
    }
    case 0xf0: transcendental(x, T_F2XM1); return;
    case 0xf1: transcendental(x, T_FYL2X); return;
    case 0xf2: transcendental(x, T_FPTAN); return;
    case 0xf3: transcendental(x, T_FPATAN); return;
    case 0xf4: { /* FXTRACT */
        if (st_empty(x, 0) || !st_empty(x, 7)) {
            /* underflow, or overflow of the push: masked, both ST(1)
             * (the operand's place) and ST(0) get the indefinite */
            if (stack_fault(x, !st_empty(x, 0))) {
                st_indef(x, 0);
                fpu_set_top(x, fpu_top(x) - 1);
                st_indef(x, 0);
            }
            return;
        }
        long double sig, ex;
        h_xtract(&h, st_get(x, 0), &sig, &ex);
        if (fp_result(x, h.sw) != R_STORE)
            return;
        st_put(x, 0, ex);
        fp_push(x, sig);
        return;
    }
    case 0xf5: case 0xf8: case 0xfd: { /* FPREM1 FPREM FSCALE */
        unsigned p = m == 0xfd ? P_SCALE : m == 0xf8 ? P_PREM : P_PREM1;
        if (st_empty(x, 0) || st_empty(x, 1)) {
            if (stack_fault(x, false))
                st_indef(x, 0);
            if (p != P_SCALE)
                x->fpu.fsw &= (uint16_t)~FSW_C2; /* as with a NaN operand */
            return;
        }
        long double r = h_pair(&h, p, st_get(x, 0), st_get(x, 1));
        int k = fp_result(x, h.sw);
        if (k == R_NONE)
            return;
        /* C0 C1 C2 C3: quotient bits and completion; with a NaN operand
         * or an invalid one (infinity, zero divisor) C2 = 0 and C0 C1 C3
         * stay (silicon, found by x86-difftest) */
        if (p != P_SCALE) {
            if (!(h.sw & FSW_IE) && !isnan(r))
                x->fpu.fsw = (uint16_t)((x->fpu.fsw & ~FSW_CC) | (h.sw & FSW_CC));
            else
                x->fpu.fsw &= (uint16_t)~FSW_C2;
        }
        if (k == R_STORE)
            st_put(x, 0, r);
        return;
    }
    case 0xf6: fpu_set_top(x, fpu_top(x) - 1); set_c1(x, false); return; /* FDECSTP */
    case 0xf7: fpu_set_top(x, fpu_top(x) + 1); set_c1(x, false); return; /* FINCSTP */
    case 0xf9: transcendental(x, T_FYL2XP1); return;
    case 0xfa: case 0xfc: { /* FSQRT FRNDINT */
        if (st_empty(x, 0)) {
            if (stack_fault(x, false))
                st_indef(x, 0);
            return;
        }
        long double r = h_un(&h, m == 0xfa ? U_SQRT : U_RNDINT, st_get(x, 0));
        if (fp_result(x, h.sw) == R_STORE)
            st_put(x, 0, r);
        return;
    }
    case 0xfb: transcendental(x, T_FSINCOS); return;
    case 0xfe: transcendental(x, T_FSIN); return;
    case 0xff: transcendental(x, T_FCOS); return;
    default: UD(); /* the decoder rejects the reserved cells already */
    }
}

/* ---- the dispatcher ------------------------------------------------------ */

void x86_exec_x87(struct x86_cpu *x)
{
    const struct x86_insn *in = &x->in;
    unsigned op = in->opcode;
    if (op == 0x9b) { /* FWAIT: #NM only with MP and TS (SDM vol. 3A §2.5 Table 2-2) */
        if ((x->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
            x86_raise(x, X86_EXC_NM, false, 0);
        check_mf(x);
        return;
    }
    if (x->cr0 & (CR0_EM | CR0_TS))
        x86_raise(x, X86_EXC_NM, false, 0);
    unsigned reg = in->modrm >> 3 & 7, m = in->modrm;
    bool mem = in->mod != 3;
    int seg = X86_DS;
    uint64_t off = 0, la = 0;
    if (mem)
        la = x86_modrm_linear(x, &seg, &off);

    /* the non-waiting control instructions (SDM vol. 1 §8.3.11) */
    if (mem && op == 0xd9 && reg == 6) { x86_fpu_fnstenv(x); return; }
    if (mem && op == 0xd9 && reg == 7) { x86_write(x, la, 2, x->fpu.fcw); return; }
    if (mem && op == 0xdd && reg == 6) { x86_fpu_fnsave(x); return; }
    if (mem && op == 0xdd && reg == 7) { x86_write(x, la, 2, x->fpu.fsw); return; }
    if (!mem && op == 0xdf && m == 0xe0) { /* FNSTSW AX */
        x->r[RAX] = (x->r[RAX] & ~0xffffull) | x->fpu.fsw;
        return;
    }
    if (!mem && op == 0xdb && m >= 0xe0 && m <= 0xe4) {
        if (m == 0xe2) /* FNCLEX */
            x->fpu.fsw &= 0x7f00;
        else if (m == 0xe3)
            x86_fpu_init(x);
        return; /* E0 E1 E4: FNENI FNDISI FNSETPM are no-ops since the 387 */
    }

    check_mf(x);

    /* waiting control instructions: FLDENV FLDCW FRSTOR */
    if (mem && op == 0xd9 && reg == 4) { x86_fpu_fldenv(x); return; }
    if (mem && op == 0xd9 && reg == 5) {
        x->fpu.fcw = (uint16_t)((x86_read(x, la, 2) & 0x1f3f) | 0x0040);
        fpu_update_es(x);
        return;
    }
    if (mem && op == 0xdd && reg == 4) { x86_fpu_frstor(x); return; }

    note_insn(x, mem, seg, off);
    uint8_t b10[10];
    if (mem) {
        switch (op) {
        case 0xd8: case 0xdc: case 0xda: case 0xde: {
            unsigned mt = op == 0xd8 ? MT_F32 : op == 0xdc ? MT_F64 : op == 0xda ? MT_I32 : MT_I16;
            unsigned n = mt == MT_F64 ? 8 : mt == MT_I16 ? 2 : 4;
            uint64_t v = x86_read(x, la, n);
            if (reg == 2 || reg == 3) {
                struct hx h;
                hx_init(&h, x);
                bool empty = st_empty(x, 0);
                if (!empty)
                    h_cmp_mem(&h, mt, st_get(x, 0), v);
                cmp_finish(x, h.sw, empty, false, reg == 3);
            } else {
                arith_mem(x, reg, mt, v);
            }
            return;
        }
        case 0xd9:
            switch (reg) {
            case 0: { struct hx h; hx_init(&h, x); uint32_t v = (uint32_t)x86_read(x, la, 4); long double r = h_ld_f32(&h, v); load_value(x, r, h.sw, true); return; }
            case 2: store_mem(x, S_F32, la, false); return;
            case 3: store_mem(x, S_F32, la, true); return;
            }
            break;
        case 0xdd:
            switch (reg) {
            case 0: { struct hx h; hx_init(&h, x); uint64_t v = x86_read(x, la, 8); long double r = h_ld_f64(&h, v); load_value(x, r, h.sw, true); return; }
            case 1: store_mem(x, S_TI64, la, true); return;
            case 2: store_mem(x, S_F64, la, false); return;
            case 3: store_mem(x, S_F64, la, true); return;
            }
            break;
        case 0xdb:
            switch (reg) {
            case 0: load_value(x, (long double)(int32_t)x86_read(x, la, 4), 0, false); return;
            case 1: store_mem(x, S_TI32, la, true); return;
            case 2: store_mem(x, S_I32, la, false); return;
            case 3: store_mem(x, S_I32, la, true); return;
            case 5: { /* FLD m80: a copy, no exceptions */
                read80(x, la, b10);
                if (!push_ok(x))
                    return;
                uint64_t mant;
                uint16_t sexp;
                memcpy(&mant, b10, 8);
                memcpy(&sexp, b10 + 8, 2);
                set_c1(x, false);
                fpu_set_top(x, fpu_top(x) - 1);
                st_put_raw(x, 0, mant, sexp);
                return;
            }
            case 7: { /* FSTP m80 */
                if (st_empty(x, 0)) {
                    if (!(x->fpu.fcw & FSW_IE)) {
                        stack_fault(x, false);
                        return;
                    }
                    uint64_t mm = INDEF_MANT;
                    uint16_t se = INDEF_SEXP;
                    memcpy(b10, &mm, 8);
                    memcpy(b10 + 8, &se, 2);
                    write80(x, la, b10);
                    stack_fault(x, false);
                } else {
                    struct x86_fpreg r = x->fpu.st[fpu_phys(x, 0)];
                    memcpy(b10, &r.mant, 8);
                    memcpy(b10 + 8, &r.sexp, 2);
                    write80(x, la, b10);
                    set_c1(x, false);
                }
                fp_pop(x);
                return;
            }
            }
            break;
        case 0xdf:
            switch (reg) {
            case 0: load_value(x, (long double)(int16_t)x86_read(x, la, 2), 0, false); return;
            case 1: store_mem(x, S_TI16, la, true); return;
            case 2: store_mem(x, S_I16, la, false); return;
            case 3: store_mem(x, S_I16, la, true); return;
            case 4: { /* FBLD */
                struct bcd p;
                read80(x, la, p.b);
                struct hx h;
                hx_init(&h, x);
                if (!push_ok(x))
                    return;
                long double v = h_fbld(&h, &p);
                set_c1(x, false);
                fp_push(x, v);
                return;
            }
            case 5: load_value(x, (long double)(int64_t)x86_read(x, la, 8), 0, false); return;
            case 6: store_mem(x, S_BCD, la, true); return;
            case 7: store_mem(x, S_I64, la, true); return;
            }
            break;
        }
        UD();
    }

    unsigned i = m & 7;
    switch (op) {
    case 0xd8:
        if (reg == 2 || reg == 3)
            cmp_reg(x, i, false, false, reg == 3);
        else
            arith_reg(x, reg, 0, i, false);
        return;
    case 0xd9: exec_d9_reg(x); return;
    case 0xda:
        if (reg < 4) { fcmov(x, i, fcmov_cond(x, reg)); return; }
        if (m == 0xe9) { cmp_reg(x, 1, true, false, 2); return; } /* FUCOMPP */
        break;
    case 0xdb:
        if (reg < 4) { fcmov(x, i, !fcmov_cond(x, reg)); return; }
        if (reg == 5) { cmp_reg(x, i, true, true, 0); return; }  /* FUCOMI */
        if (reg == 6) { cmp_reg(x, i, false, true, 0); return; } /* FCOMI */
        break;
    case 0xdc: case 0xde: {
        bool pop = op == 0xde;
        if (reg == 2 || reg == 3) { /* DC D0/D8 and DE D0 aliases of FCOM/FCOMP */
            if (op == 0xde && reg == 3) {
                if (m != 0xd9)
                    break;
                cmp_reg(x, 1, false, false, 2); /* FCOMPP */
                return;
            }
            cmp_reg(x, i, false, false, pop || reg == 3);
            return;
        }
        /* ST(i) = ST(i) op ST(0): E0 is SUBR, E8 SUB, F0 DIVR, F8 DIV */
        static const unsigned swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
        arith_reg(x, swap[reg], i, 0, pop);
        return;
    }
    case 0xdd:
        switch (reg) {
        case 0: x->fpu.ftw &= (uint8_t)~(1u << fpu_phys(x, i)); return; /* FFREE */
        case 1: fxch(x, i); return;
        case 2: store_reg(x, i, false); return;
        case 3: store_reg(x, i, true); return;
        case 4: cmp_reg(x, i, true, false, 0); return;
        case 5: cmp_reg(x, i, true, false, 1); return;
        }
        break;
    case 0xdf:
        switch (reg) {
        case 0: /* FFREEP: free ST(i), then pop (ST(0) empty too) */
            x->fpu.ftw &= (uint8_t)~(1u << fpu_phys(x, i));
            fp_pop(x);
            return;
        case 1: fxch(x, i); return;
        case 2: case 3: store_reg(x, i, true); return;
        case 5: cmp_reg(x, i, true, true, 1); return;  /* FUCOMIP */
        case 6: cmp_reg(x, i, false, true, 1); return; /* FCOMIP */
        }
        break;
    }
    UD();
}

#else /* !X86_HOST_X87 */

void x86_exec_x87(struct x86_cpu *x)
{
    x86_raise(x, X86_EXC_UD, false, 0);
}

#endif
