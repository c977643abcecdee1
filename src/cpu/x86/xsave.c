/* The XSAVE feature set for the user state components x87 (0) and SSE (1)
 * (Intel SDM vol. 1 ch. 13 "Managing State Using the XSAVE Feature Set";
 * vol. 2 "XSAVE", "XRSTOR", "XSAVEOPT", "XGETBV", "XSETBV", "CPUID" leaf
 * 0DH), with [cpu] xsave = on (docs/x86.md "XSAVE").
 *
 *  - XCR0: bit 0 (x87) always 1, bit 1 (SSE); every other bit is reserved
 *    here (no AVX: bit 2 too), so XSETBV #GP(0)s on it. 1 at reset, kept
 *    by INIT (vol. 3A §9.1.1 Table 9-1).
 *  - The XSAVE area is the standard format only: the 512-byte legacy
 *    region (the FXSAVE image of fxsave.c) and the 64-byte XSAVE header,
 *    576 bytes in all, 64-byte aligned (#GP(0) otherwise). No extended
 *    region (no component >= 2), no compacted form (no XSAVEC / XSAVES /
 *    XRSTORS, CPUID.(EAX=0DH,ECX=1):EAX[1] = [3] = 0).
 *  - XINUSE (§13.6) is computed from the state when it is needed: a
 *    component reads as in use unless it is in its initial configuration
 *    (x87: FCW 037FH, FSW 0, all tags empty, FOP, FIP, FDP, FCS, FDS 0 and
 *    every data register 0; SSE: XMM0-15 in 64-bit mode, XMM0-7 outside,
 *    all 0 -- MXCSR is not part of it). The SDM requires only that
 *    XINUSE[i] = 0 implies the initial configuration, which this meets
 *    exactly; XGETBV with ECX = 1 returns XCR0 & XINUSE.
 *  - XSAVEOPT is XSAVE: the init and modified optimizations are
 *    permissions (§13.9: it "may" skip a component), so saving every
 *    requested component is a correct XSAVEOPT.
 *  - Faults come before any state or memory changes: XSAVE checks both
 *    ends of the area for writing first, XRSTOR reads everything before
 *    it commits. */
#include "fpu.h"
#include "../../vmm/vmx.h"

#define GP0() x86_raise(x, X86_EXC_GP, true, 0)
#define UD() x86_raise(x, X86_EXC_UD, false, 0)

enum {
    XSAVE_AREA_SIZE = 576,  /* legacy region 512 + header 64 (§13.4) */
    XSAVE_HDR = 512,        /* the XSAVE header's offset: XSTATE_BV at 512, XCOMP_BV at 520 */
    XFEAT_X87 = 1u << 0, XFEAT_SSE = 1u << 1,
};

/* CPUID.(EAX=0DH,ECX=1):EAX (vol. 2 "CPUID" Table 3-8): XSAVEOPT (bit 0)
 * and XGETBV with ECX = 1 (bit 2); not XSAVEC (1), XSAVES (3), XFD (4). */
#define XSAVE_SUB1_EAX (1u << 0 | 1u << 2)

/* XINUSE (§13.6) for components 0 and 1, from the state. */
static uint64_t xinuse(const struct x86_cpu *x)
{
    const struct x86_fpu *f = &x->fpu;
    uint64_t u = 0;
    bool regs = false;
    for (unsigned i = 0; i < 8; i++)
        regs |= f->st[i].mant != 0 || f->st[i].sexp != 0;
    if (f->fcw != FCW_INIT || f->fsw || f->ftw || f->fop || f->fip || f->fdp || f->fcs || f->fds || regs)
        u |= XFEAT_X87;
    for (unsigned i = 0; i < x86_fx_nxmm(x); i++)
        if (f->xmm[i].q[0] | f->xmm[i].q[1])
            u |= XFEAT_SSE;
    return u;
}

/* The #UD every XSAVE-family instruction makes with CR4.OSXSAVE = 0 (vol.
 * 2 "XSAVE" .. "XSETBV" exceptions; CPUID.XSAVE = 0, i.e. [cpu] xsave =
 * off, is #UD in the callers). XSAVE / XRSTOR then #NM with CR0.TS;
 * CR0.EM is not looked at. */
static void xsave_enabled(struct x86_cpu *x)
{
    if (!(x->cr4 & CR4_OSXSAVE))
        UD();
}

/* The last byte of the area, wrapped outside 64-bit addressing as the
 * FXSAVE image's is (fxsave.c). */
static uint64_t area_end(const struct x86_cpu *x, uint64_t la)
{
    uint64_t e = la + XSAVE_AREA_SIZE - 1;
    return x->long_mode ? e : e & 0xffffffffull;
}

/* XSAVE / XSAVEOPT (§13.7, §13.9): the requested components to the legacy
 * region, XSTATE_BV[i] = XINUSE[i] for the requested ones, the rest of the
 * header untouched. */
static void xsave(struct x86_cpu *x, uint64_t la, bool w64, uint64_t rfbm)
{
    bool user = x->cpl == 3;
    x86_translate(x, la, 1, user);
    x86_translate(x, area_end(x, la), 1, user);
    uint64_t bv = x86_read(x, la + XSAVE_HDR, 8);
    if (rfbm & XFEAT_X87)
        x86_fx_store_x87(x, la, w64);
    if (rfbm & XFEAT_SSE) { /* MXCSR with SSE (or AVX, which this model lacks) */
        x86_fx_store_mxcsr(x, la);
        x86_fx_store_xmm(x, la);
    }
    bv = (bv & ~rfbm) | (xinuse(x) & rfbm);
    x86_write(x, la + XSAVE_HDR, 8, bv);
}

/* The x87 state's initial configuration (§13.6). */
static void x87_init_state(struct x86_fpu *n)
{
    n->fcw = FCW_INIT;
    n->fsw = 0;
    n->ftw = 0; /* abridged: every register empty (FTW FFFFH) */
    n->fop = 0;
    n->fip = n->fdp = 0;
    n->fcs = n->fds = 0;
    for (unsigned i = 0; i < 8; i++)
        n->st[i] = (struct x86_fpreg){ 0, 0 };
}

/* XRSTOR, standard form (§13.8, §13.8.1). */
static void xrstor(struct x86_cpu *x, uint64_t la, bool w64, uint64_t rfbm)
{
    uint64_t bv = x86_read(x, la + XSAVE_HDR, 8);
    uint64_t comp = x86_read(x, la + XSAVE_HDR + 8, 8);
    uint64_t rsvd = x86_read(x, la + XSAVE_HDR + 16, 8);
    /* XCOMP_BV[63] = 1 asks for the compacted form, which needs XSAVEC
     * (not reported): #GP(0); the standard form #GP(0)s when bytes 23:8
     * of the header are not all 0 or XSTATE_BV sets a bit XCR0 does not
     * (vol. 2 "XRSTOR" exceptions; §13.8.1) */
    if (comp || rsvd || (bv & ~x->xcr0))
        GP0();
    struct x86_fpu n = x->fpu;
    /* the standard form loads MXCSR whenever RFBM[1] (or [2]) is 1,
     * whatever XSTATE_BV says (§13.8.1); a reserved bit is #GP(0) */
    if (rfbm & XFEAT_SSE)
        n.mxcsr = x86_fx_load_mxcsr(x, la);
    if (rfbm & XFEAT_X87) {
        if (bv & XFEAT_X87)
            x86_fx_load_x87(x, &n, la, w64);
        else
            x87_init_state(&n);
    }
    if (rfbm & XFEAT_SSE) {
        if (bv & XFEAT_SSE) {
            x86_fx_load_xmm(x, &n, la);
        } else {
            for (unsigned i = 0; i < x86_fx_nxmm(x); i++) /* XMM8-15 stay outside 64-bit mode */
                n.xmm[i] = (union x86_xmm){ .q = { 0, 0 } };
        }
    }
    x->fpu = n;
    fpu_update_es(x);
}

bool x86_exec_xsave_group(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    unsigned r = i->modrm >> 3 & 7;
    /* NP 0F AE /4 XSAVE, /5 XRSTOR, /6 XSAVEOPT, memory operand only; a
     * 66, F2 or F3 prefix selects other instructions (CLWB, PTWRITE...),
     * none of them implemented */
    if (!x->xsave || i->mod == 3 || r < 4 || r > 6 || i->rep ||
        (i->prefixes & (X86_PFX_OPSIZE | X86_PFX_REP | X86_PFX_REPNE)))
        return false;
    xsave_enabled(x);
    if (x->cr0 & CR0_TS)
        x86_raise(x, X86_EXC_NM, false, 0);
    uint64_t la = x86_modrm_linear(x, NULL, NULL);
    if (la & 63)
        GP0();
    bool w64 = (i->rex & 8) != 0;
    uint64_t rfbm = ((uint64_t)(uint32_t)x->r[RDX] << 32 | (uint32_t)x->r[RAX]) & x->xcr0;
    if (r == 5)
        xrstor(x, la, w64, rfbm);
    else
        xsave(x, la, w64, rfbm); /* XSAVE; XSAVEOPT without its optimizations */
    return true;
}

void x86_xgetbv(struct x86_cpu *x)
{
    if (!x->xsave || (x->in.prefixes & (X86_PFX_OPSIZE | X86_PFX_REP | X86_PFX_REPNE)))
        UD();
    xsave_enabled(x);
    uint64_t v;
    switch ((uint32_t)x->r[RCX]) { /* RCX[63:32] are ignored */
    case 0: v = x->xcr0; break;
    case 1: v = x->xcr0 & xinuse(x); break; /* CPUID.(EAX=0DH,ECX=1):EAX[2] */
    default: GP0();
    }
    x->r[RAX] = (uint32_t)v;
    x->r[RDX] = v >> 32;
}

void x86_xsetbv(struct x86_cpu *x)
{
    if (!x->xsave || (x->in.prefixes & (X86_PFX_OPSIZE | X86_PFX_REP | X86_PFX_REPNE)))
        UD();
    xsave_enabled(x);
    if (x->cpl != 0) /* real mode is CPL 0; virtual-8086 mode CPL 3 */
        GP0();
    /* VMX non-root: an unconditional VM exit (vol. 3C §26.1.2), after the
     * #UD and CPL checks, which have priority (§26.1.1); the checks of
     * ECX and of the value are the VMM's business then */
    if (x->vmx.non_root)
        vmx_nr_simple(x, VMX_EXIT_XSETBV);
    uint64_t v = (uint64_t)(uint32_t)x->r[RDX] << 32 | (uint32_t)x->r[RAX];
    /* only XCR0; bit 0 must be 1; unsupported bits (AVX's 2 too) are
     * reserved (vol. 2 "XSETBV") */
    if ((uint32_t)x->r[RCX] != 0 || !(v & XFEAT_X87) || (v & ~X86_XCR0_SUPPORTED))
        GP0();
    x->xcr0 = v;
}

void x86_cpuid_xsave(struct x86_cpu *x, uint32_t sub, uint32_t out[4])
{
    switch (sub) {
    case 0:
        /* supported XCR0 bits (EDX:EAX); the size XCR0's components need
         * (EBX) and all supported ones need (ECX): the legacy region and
         * the header, components 0 and 1 have no extended region */
        out[0] = (uint32_t)X86_XCR0_SUPPORTED;
        out[1] = XSAVE_AREA_SIZE;
        out[2] = XSAVE_AREA_SIZE;
        out[3] = (uint32_t)(X86_XCR0_SUPPORTED >> 32);
        return;
    case 1:
        /* EBX (the XSAVES area size) and ECX/EDX (IA32_XSS bits) are 0:
         * no XSAVES */
        out[0] = XSAVE_SUB1_EAX;
        return;
    default:
        /* sub-leaves 2..62 describe components >= 2: none supported */
        (void)x;
        return;
    }
}
