/* FXSAVE / FXRSTOR / LDMXCSR / STMXCSR (0F AE /0../3 with a memory operand;
 * Intel SDM vol. 2 and vol. 1 §10.5.1 Table 10-2 (the 32-bit image) and
 * Table 10-4 / 10-5 (REX.W: FXSAVE64 with 64-bit FPU IP and DP, no
 * selectors)).
 *
 *  - #UD with CR0.EM = 1; LDMXCSR / STMXCSR also #UD with CR4.OSFXSR = 0;
 *    then #NM with CR0.TS = 1 (SDM vol. 3A §2.5 Table 2-2, §13.1).
 *  - FXSAVE / FXRSTOR: #GP(0) when the operand is not 16-byte aligned;
 *    FXRSTOR #GP(0) when the image's MXCSR sets a bit outside MXCSR_MASK,
 *    LDMXCSR the same.
 *  - With CR4.OSFXSR = 0, MXCSR, MXCSR_MASK and the XMM registers are
 *    neither saved nor restored (the SDM leaves it implementation
 *    dependent; those bytes of the image are left as they were).
 *  - Outside 64-bit mode the image holds XMM0-7, in 64-bit mode XMM0-15.
 *  - Reserved fields inside the x87 part (byte 5, the upper halves of the
 *    selector dwords, bytes 10-15 of each ST slot) are written as zero;
 *    bytes 288-511 outside 64-bit mode and 416-511 are not written.
 *  - FXSAVE does not check for pending x87 exceptions (no #MF) and leaves
 *    the FPU state as it is; FXRSTOR loads FSW and recomputes ES / B from
 *    the loaded flags and masks (SDM vol. 1 §8.1.3.1). */
#include "fpu.h"

#define GP0() x86_raise(x, X86_EXC_GP, true, 0)

/* ---- the pieces of the image (XSAVE's legacy region too: xsave.c) ---- */

unsigned x86_fx_nxmm(const struct x86_cpu *x)
{
    return x->code_size == 8 ? 16 : 8;
}

void x86_fx_store_x87(struct x86_cpu *x, uint64_t la, bool w64)
{
    const struct x86_fpu *f = &x->fpu;
    x86_write(x, la + 0, 2, f->fcw);
    x86_write(x, la + 2, 2, f->fsw);
    x86_write(x, la + 4, 2, f->ftw);         /* byte 5 reserved */
    x86_write(x, la + 6, 2, f->fop & 0x7ff);
    if (w64) {
        x86_write(x, la + 8, 8, f->fip);
        x86_write(x, la + 16, 8, f->fdp);
    } else {
        x86_write(x, la + 8, 4, f->fip & 0xffffffffull);
        x86_write(x, la + 12, 4, f->fcs);
        x86_write(x, la + 16, 4, f->fdp & 0xffffffffull);
        x86_write(x, la + 20, 4, f->fds);
    }
    for (unsigned i = 0; i < 8; i++) { /* ST(0)..ST(7) / MM0..MM7 */
        const struct x86_fpreg *r = &f->st[fpu_phys(x, i)];
        x86_write(x, la + 32 + 16 * i, 8, r->mant);
        x86_write(x, la + 40 + 16 * i, 8, r->sexp);
    }
}

void x86_fx_store_mxcsr(struct x86_cpu *x, uint64_t la)
{
    x86_write(x, la + 24, 4, x->fpu.mxcsr);
    x86_write(x, la + 28, 4, X86_MXCSR_MASK);
}

void x86_fx_store_xmm(struct x86_cpu *x, uint64_t la)
{
    for (unsigned i = 0; i < x86_fx_nxmm(x); i++) {
        x86_write(x, la + 160 + 16 * i, 8, x->fpu.xmm[i].q[0]);
        x86_write(x, la + 168 + 16 * i, 8, x->fpu.xmm[i].q[1]);
    }
}

void x86_fx_load_x87(struct x86_cpu *x, struct x86_fpu *n, uint64_t la, bool w64)
{
    n->fcw = (uint16_t)((x86_read(x, la + 0, 2) & 0x1f3f) | 0x0040);
    n->fsw = (uint16_t)x86_read(x, la + 2, 2);
    n->ftw = (uint8_t)x86_read(x, la + 4, 1);
    n->fop = (uint16_t)(x86_read(x, la + 6, 2) & 0x7ff);
    if (w64) {
        n->fip = x86_read(x, la + 8, 8);
        n->fdp = x86_read(x, la + 16, 8);
        n->fcs = n->fds = 0;
    } else {
        n->fip = x86_read(x, la + 8, 4);
        n->fcs = (uint16_t)x86_read(x, la + 12, 2);
        n->fdp = x86_read(x, la + 16, 4);
        n->fds = (uint16_t)x86_read(x, la + 20, 2);
    }
    unsigned top = (n->fsw >> FSW_TOP_SHIFT) & 7;
    for (unsigned i = 0; i < 8; i++) {
        struct x86_fpreg *r = &n->st[(top + i) & 7];
        r->mant = x86_read(x, la + 32 + 16 * i, 8);
        r->sexp = (uint16_t)x86_read(x, la + 40 + 16 * i, 2);
    }
}

uint32_t x86_fx_load_mxcsr(struct x86_cpu *x, uint64_t la)
{
    uint32_t v = (uint32_t)x86_read(x, la + 24, 4);
    if (v & ~X86_MXCSR_MASK)
        GP0();
    return v;
}

void x86_fx_load_xmm(struct x86_cpu *x, struct x86_fpu *n, uint64_t la)
{
    for (unsigned i = 0; i < x86_fx_nxmm(x); i++) {
        n->xmm[i].q[0] = x86_read(x, la + 160 + 16 * i, 8);
        n->xmm[i].q[1] = x86_read(x, la + 168 + 16 * i, 8);
    }
}

/* ---- FXSAVE / FXRSTOR ------------------------------------------------- */

static void fxsave(struct x86_cpu *x, uint64_t la, bool w64)
{
    bool sse = (x->cr4 & CR4_OSFXSR) != 0;
    /* both ends of the 512 bytes first: the image is written whole or not */
    x86_translate(x, la, 1, x->cpl == 3);
    x86_translate(x, x->long_mode ? la + 511 : (la + 511) & 0xffffffffull, 1, x->cpl == 3);
    x86_fx_store_x87(x, la, w64);
    if (sse) {
        x86_fx_store_mxcsr(x, la);
        x86_fx_store_xmm(x, la);
    }
}

static void fxrstor(struct x86_cpu *x, uint64_t la, bool w64)
{
    struct x86_fpu n = x->fpu;
    bool sse = (x->cr4 & CR4_OSFXSR) != 0;
    /* read everything first: a fault or #GP leaves the state unchanged */
    if (sse)
        n.mxcsr = x86_fx_load_mxcsr(x, la);
    x86_fx_load_x87(x, &n, la, w64);
    if (sse)
        x86_fx_load_xmm(x, &n, la);
    x->fpu = n;
    fpu_update_es(x);
}

void x86_exec_fxsave_group(struct x86_cpu *x)
{
    if (!X86_HOST_X87)
        x86_raise(x, X86_EXC_UD, false, 0);
    unsigned r = x->in.modrm >> 3 & 7;
    if (x->cr0 & CR0_EM)
        x86_raise(x, X86_EXC_UD, false, 0);
    if (r >= 2 && !(x->cr4 & CR4_OSFXSR))
        x86_raise(x, X86_EXC_UD, false, 0);
    if (x->cr0 & CR0_TS)
        x86_raise(x, X86_EXC_NM, false, 0);
    uint64_t la = x86_modrm_linear(x, NULL, NULL);
    bool w64 = (x->in.rex & 8) != 0;
    switch (r) {
    case 0:
        if (la & 15)
            GP0();
        fxsave(x, la, w64);
        return;
    case 1:
        if (la & 15)
            GP0();
        fxrstor(x, la, w64);
        return;
    case 2: { /* LDMXCSR */
        uint32_t v = (uint32_t)x86_read(x, la, 4);
        if (v & ~X86_MXCSR_MASK)
            GP0();
        x->fpu.mxcsr = v;
        return;
    }
    default: /* STMXCSR */
        x86_write(x, la, 4, x->fpu.mxcsr);
        return;
    }
}
