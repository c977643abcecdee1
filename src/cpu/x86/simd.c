/* MMX and SSE..SSE4.2 (Intel SDM vol. 1 ch. 9-12, vol. 2): the entry point
 * x86_exec_simd, the exception checks, operand access, the host MXCSR
 * discipline, and the data moves. The families live in simd_int.c (packed
 * integer on MMX and XMM registers), simd_fp.c (floating point) and
 * simd_sse4.c (the rest of SSE4.1/4.2, AES-NI, PCLMULQDQ). */
#include <string.h>
#include "simd.h"

#define UD() x86_raise(x, X86_EXC_UD, false, 0)

/* ---- exception checks ------------------------------------------------------ */

/* SDM vol. 3A §13.1 and the "Exceptions" section of each legacy SSE
 * instruction in vol. 2: CR0.EM = 1 or CR4.OSFXSR = 0: #UD; CR0.TS = 1:
 * #NM. */
void simd_check_sse(struct x86_cpu *x)
{
    if ((x->cr0 & CR0_EM) || !(x->cr4 & CR4_OSFXSR))
        UD();
    if (x->cr0 & CR0_TS)
        x86_raise(x, X86_EXC_NM, false, 0);
}

/* MMX instructions (the "Exceptions" section of the MMX instructions in
 * SDM vol. 2): #UD if CR0.EM, #NM if CR0.TS, #MF if an unmasked x87
 * exception is pending (FSW.ES). Then the x87 register stack is the MMX
 * register file: TOP = 0 and every tag valid (vol. 1 §9.5.1). */
void simd_check_mmx(struct x86_cpu *x)
{
    if (x->cr0 & CR0_EM)
        UD();
    if (x->cr0 & CR0_TS)
        x86_raise(x, X86_EXC_NM, false, 0);
    if (x->fpu.fsw & 0x0080)
        x86_raise(x, X86_EXC_MF, false, 0);
    x->fpu.fsw &= (uint16_t)~(7u << 11);
    x->fpu.ftw = 0xff;
}

/* ---- operands -------------------------------------------------------------- */

uint64_t simd_ea(struct x86_cpu *x) { return x86_ea_linear(x); }

void simd_read_mem(struct x86_cpu *x, uint64_t la, xmm_t *v, unsigned size, bool align)
{
    if (align && size == 16 && (la & 15))
        x86_raise(x, X86_EXC_GP, true, 0);
    memset(v, 0, sizeof *v);
    if (size == 16) {
        /* both halves are read before anything is used: a fault in the
         * second leaves no state changed */
        v->q[0] = x86_read(x, la, 8);
        v->q[1] = x86_read(x, la + 8, 8);
    } else {
        v->q[0] = x86_read(x, la, size);
    }
}

void simd_write_mem(struct x86_cpu *x, uint64_t la, const xmm_t *v, unsigned size, bool align)
{
    if (align && size == 16 && (la & 15))
        x86_raise(x, X86_EXC_GP, true, 0);
    if (size == 16) {
        /* translate both pages for writing first: a #PF on the second
         * page must leave the first unwritten (CR2 = the first byte of
         * the operand in the faulting page) */
        bool user = x->cpl == 3;
        uint64_t hi = la + 15;
        if (!x->long_mode)
            hi &= 0xffffffffull, la &= 0xffffffffull;
        x86_translate(x, la, 1, user);
        if ((hi ^ la) & ~0xfffull)
            x86_translate(x, hi & ~0xfffull, 1, user);
        x86_write(x, la, 8, v->q[0]);
        x86_write(x, la + 8, 8, v->q[1]);
    } else {
        x86_write(x, la, size, v->q[0]);
    }
}

void simd_rm_xmm(struct x86_cpu *x, xmm_t *v, unsigned size, bool align)
{
    if (x->in.mod == 3)
        *v = *XR(x, x->in.rm);
    else
        simd_read_mem(x, simd_ea(x), v, size, align);
}

uint64_t simd_rm_mm(struct x86_cpu *x)
{
    if (x->in.mod == 3)
        return mm_get(x, x->in.rm);
    return x86_read(x, simd_ea(x), 8);
}

/* ---- host floating point ------------------------------------------------------ */

static inline uint32_t host_stmxcsr(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}
static inline void host_ldmxcsr(uint32_t v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }

uint32_t fp_enter(const struct x86_cpu *x)
{
    uint32_t saved = host_stmxcsr(), m = x->fpu.mxcsr;
    /* FTZ applies only while underflow is masked (SDM vol. 1 §10.2.3.3) */
    if (!(m & MX_UE << MX_MASK_SHIFT))
        m &= ~(uint32_t)MX_FTZ;
    host_ldmxcsr((m & (MX_DAZ | 3u << MX_RC_SHIFT | MX_FTZ)) | 0x3fu << MX_MASK_SHIFT);
    return saved;
}

/* Underflow unmasked: the exception is taken for a tiny result even when
 * it is exact (SDM vol. 1 §4.9.1.5), which the host, computing with
 * underflow masked, flags only when inexact. An exact tiny result is a
 * nonzero denormal: look for one in the n float (dbl: double) lanes. */
uint32_t fp_tiny_exact(const struct x86_cpu *x, const xmm_t *r, unsigned n, bool dbl)
{
    if (x->fpu.mxcsr & MX_UE << MX_MASK_SHIFT)
        return 0;
    for (unsigned k = 0; k < n; k++) {
        bool den = dbl ? !(r->q[k] >> 52 & 0x7ff) && (r->q[k] << 12)
                       : !(r->d[k] >> 23 & 0xff) && (r->d[k] << 9);
        if (den)
            return MX_UE;
    }
    return 0;
}

uint32_t fp_leave(uint32_t saved)
{
    uint32_t now = host_stmxcsr();
    host_ldmxcsr(saved);
    return now & 0x3f;
}

/* SDM vol. 1 §11.5.2: with an unmasked exception the destination is not
 * written and #XM (CR4.OSXMMEXCPT = 1) or #UD is raised. Pre-computation
 * exceptions (invalid, denormal, divide by zero) come first: when one of
 * them is unmasked, the post-computation ones (overflow, underflow,
 * precision) are not reported (§11.5.2.1). The host computed with every
 * exception masked; the flags it raised are reported per that rule. */
void fp_commit(struct x86_cpu *x, uint32_t flags)
{
    uint32_t unmasked = flags & ~(x->fpu.mxcsr >> MX_MASK_SHIFT) & 0x3f;
    if (unmasked & (MX_IE | MX_DE | MX_ZE))
        flags &= MX_IE | MX_DE | MX_ZE;
    x->fpu.mxcsr |= flags;
    if (unmasked)
        x86_raise(x, (x->cr4 & CR4_OSXMMEXCPT) ? X86_EXC_XM : X86_EXC_UD, false, 0);
}

/* ---- data moves ------------------------------------------------------------ */

/* MOVUPS/MOVAPS/MOVDQU/MOVDQA/LDDQU/MOVNT* loads and stores of a whole
 * register; MOVSS/MOVSD; MOVLPS/HPS/LPD/HPD, MOVHLPS/MOVLHPS; MOVD/MOVQ;
 * MOVQ2DQ/MOVDQ2Q; MOVMSKPS/PD; MASKMOVQ/MASKMOVDQU; MOVNTI. */
static bool exec_move(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    uint8_t p = i->mandatory;
    xmm_t v;
    if (i->map == X86_MAP_0F38) {
        if (i->opcode == 0x2a && p == 0x66) { /* MOVNTDQA xmm, m128 */
            simd_check_sse(x);
            simd_read_mem(x, simd_ea(x), &v, 16, true);
            *XR(x, i->reg) = v;
            return true;
        }
        return false;
    }
    if (i->map != X86_MAP_0F)
        return false;
    switch (i->opcode) {
    case 0x10: case 0x11: { /* MOVUPS MOVUPD MOVSS MOVSD */
        simd_check_sse(x);
        unsigned size = p == 0xf3 ? 4 : p == 0xf2 ? 8 : 16;
        bool load = i->opcode == 0x10;
        if (i->mod != 3) {
            if (load) {
                simd_read_mem(x, simd_ea(x), &v, size, false);
                *XR(x, i->reg) = v; /* scalar loads zero the rest */
            } else {
                simd_write_mem(x, simd_ea(x), XR(x, i->reg), size, false);
            }
            return true;
        }
        xmm_t *d = XR(x, load ? i->reg : i->rm), *s = XR(x, load ? i->rm : i->reg);
        memcpy(d, s, size); /* register forms of MOVSS/MOVSD merge */
        return true;
    }
    case 0x12: case 0x16: /* MOVLPS/MOVHLPS MOVLPD MOVSLDUP MOVDDUP / MOVHPS/MOVLHPS MOVHPD MOVSHDUP */
        simd_check_sse(x);
        if (p == 0xf3) { /* MOVSLDUP / MOVSHDUP (SSE3) */
            simd_rm_xmm(x, &v, 16, true);
            unsigned o = i->opcode == 0x16;
            xmm_t r = { .d = { v.d[o], v.d[o], v.d[2 + o], v.d[2 + o] } };
            *XR(x, i->reg) = r;
            return true;
        }
        if (p == 0xf2) { /* MOVDDUP (SSE3): m64 */
            simd_rm_xmm(x, &v, 8, false);
            xmm_t r = { .q = { v.q[0], v.q[0] } };
            *XR(x, i->reg) = r;
            return true;
        }
        if (i->mod == 3) /* MOVHLPS / MOVLHPS (66: #UD in the decoder) */
            XR(x, i->reg)->q[i->opcode == 0x16] = XR(x, i->rm)->q[i->opcode == 0x12];
        else
            XR(x, i->reg)->q[i->opcode == 0x16] = x86_read(x, simd_ea(x), 8);
        return true;
    case 0x13: case 0x17: /* MOVLPS/MOVLPD / MOVHPS/MOVHPD m64, xmm */
        simd_check_sse(x);
        x86_write(x, simd_ea(x), 8, XR(x, i->reg)->q[i->opcode == 0x17]);
        return true;
    case 0x28: case 0x29: /* MOVAPS MOVAPD */
        simd_check_sse(x);
        if (i->opcode == 0x28) {
            simd_rm_xmm(x, &v, 16, true);
            *XR(x, i->reg) = v;
        } else if (i->mod == 3) {
            *XR(x, i->rm) = *XR(x, i->reg);
        } else {
            simd_write_mem(x, simd_ea(x), XR(x, i->reg), 16, true);
        }
        return true;
    case 0x2b: /* MOVNTPS MOVNTPD m128, xmm */
        simd_check_sse(x);
        simd_write_mem(x, simd_ea(x), XR(x, i->reg), 16, true);
        return true;
    case 0x50: { /* MOVMSKPS / MOVMSKPD r32/64, xmm */
        simd_check_sse(x);
        const xmm_t *s = XR(x, i->rm);
        uint64_t m = 0;
        if (p == 0x66)
            m = (s->q[0] >> 63) | (s->q[1] >> 63) << 1;
        else
            for (unsigned k = 0; k < 4; k++)
                m |= (uint64_t)(s->d[k] >> 31) << k;
        x->r[i->reg] = m; /* zero-extended to the register */
        return true;
    }
    case 0x6e: { /* MOVD/MOVQ mm|xmm, r/m32|64 */
        unsigned size = i->opsize == 8 ? 8 : 4;
        uint64_t val;
        if (p == 0x66)
            simd_check_sse(x);
        else
            simd_check_mmx(x);
        val = i->mod == 3 ? gpr_get(x, i->rm, size) : x86_read(x, simd_ea(x), size);
        if (p == 0x66) {
            xmm_t r = { .q = { val, 0 } };
            *XR(x, i->reg) = r;
        } else {
            mm_set(x, i->reg, val);
        }
        return true;
    }
    case 0x7e: { /* MOVD/MOVQ r/m32|64, mm|xmm; F3: MOVQ xmm, xmm/m64 */
        if (p == 0xf3) {
            simd_check_sse(x);
            simd_rm_xmm(x, &v, 8, false);
            xmm_t r = { .q = { v.q[0], 0 } };
            *XR(x, i->reg) = r;
            return true;
        }
        unsigned size = i->opsize == 8 ? 8 : 4;
        uint64_t val;
        if (p == 0x66) {
            simd_check_sse(x);
            val = XR(x, i->reg)->q[0];
        } else {
            simd_check_mmx(x);
            val = mm_get(x, i->reg);
        }
        if (i->mod == 3)
            gpr_set(x, i->rm, size, val);
        else
            x86_write(x, simd_ea(x), size, size == 8 ? val : (uint32_t)val);
        return true;
    }
    case 0x6f: case 0x7f: /* MOVQ mm / MOVDQA (66) / MOVDQU (F3) */
        if (p == 0) {
            simd_check_mmx(x);
            if (i->opcode == 0x6f)
                mm_set(x, i->reg, simd_rm_mm(x));
            else if (i->mod == 3)
                mm_set(x, i->rm, mm_get(x, i->reg));
            else
                x86_write(x, simd_ea(x), 8, mm_get(x, i->reg));
            return true;
        }
        simd_check_sse(x);
        if (i->opcode == 0x6f) {
            simd_rm_xmm(x, &v, 16, p == 0x66);
            *XR(x, i->reg) = v;
        } else if (i->mod == 3) {
            *XR(x, i->rm) = *XR(x, i->reg);
        } else {
            simd_write_mem(x, simd_ea(x), XR(x, i->reg), 16, p == 0x66);
        }
        return true;
    case 0xc3: /* MOVNTI m32/64, r32/64 (SSE2; no FP-state checks) */
        x86_write(x, simd_ea(x), i->opsize == 8 ? 8 : 4, gpr_get(x, i->reg, i->opsize == 8 ? 8 : 4));
        return true;
    case 0xd6:
        if (p == 0x66) { /* MOVQ xmm/m64, xmm: a register destination's upper half is zeroed */
            simd_check_sse(x);
            if (i->mod == 3) {
                xmm_t r = { .q = { XR(x, i->reg)->q[0], 0 } };
                *XR(x, i->rm) = r;
            } else {
                x86_write(x, simd_ea(x), 8, XR(x, i->reg)->q[0]);
            }
            return true;
        }
        /* MOVQ2DQ xmm, mm (F3) / MOVDQ2Q mm, xmm (F2): both SSE and MMX
         * conditions apply (SDM vol. 2 MOVQ2DQ: the x87 stack enters MMX mode) */
        simd_check_sse(x);
        simd_check_mmx(x);
        if (p == 0xf3) {
            xmm_t r = { .q = { mm_get(x, i->rm), 0 } };
            *XR(x, i->reg) = r;
        } else {
            mm_set(x, i->reg, XR(x, i->rm)->q[0]);
        }
        return true;
    case 0xe7: /* MOVNTQ m64, mm / MOVNTDQ m128, xmm */
        if (p == 0x66) {
            simd_check_sse(x);
            simd_write_mem(x, simd_ea(x), XR(x, i->reg), 16, true);
        } else {
            simd_check_mmx(x);
            x86_write(x, simd_ea(x), 8, mm_get(x, i->reg));
        }
        return true;
    case 0xf0: /* LDDQU xmm, m128 (F2; unaligned) */
        simd_check_sse(x);
        simd_read_mem(x, simd_ea(x), &v, 16, false);
        *XR(x, i->reg) = v;
        return true;
    case 0xf7: { /* MASKMOVQ mm, mm / MASKMOVDQU xmm, xmm: bytes to DS:rDI */
        unsigned n = p == 0x66 ? 16 : 8;
        xmm_t d, m;
        if (p == 0x66) {
            simd_check_sse(x);
            d = *XR(x, i->reg);
            m = *XR(x, i->rm);
        } else {
            simd_check_mmx(x);
            d.q[0] = mm_get(x, i->reg);
            m.q[0] = mm_get(x, i->rm);
        }
        uint64_t off = x->r[RDI] & (i->addrsize == 8 ? ~0ull : i->addrsize == 4 ? 0xffffffffull : 0xffff);
        int s = i->seg != X86_SEG_NONE ? i->seg : X86_DS;
        for (unsigned k = 0; k < n; k++)
            if (m.b[k] & 0x80)
                x86_write(x, x86_linear(x, s, (off + k) & (i->addrsize == 8 ? ~0ull : i->addrsize == 4 ? 0xffffffffull : 0xffff)), 1, d.b[k]);
        return true;
    }
    case 0x77: /* EMMS: every x87 tag empty (SDM vol. 2 EMMS) and, as for
                * every MMX instruction, TOP = 0 (vol. 3A §12.2 Table 12-2) */
        if (x->cr0 & CR0_EM)
            UD();
        if (x->cr0 & CR0_TS)
            x86_raise(x, X86_EXC_NM, false, 0);
        if (x->fpu.fsw & 0x0080)
            x86_raise(x, X86_EXC_MF, false, 0);
        x->fpu.ftw = 0;
        x->fpu.fsw &= (uint16_t)~(7u << 11);
        return true;
    default:
        return false;
    }
}

bool x86_exec_simd(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    /* 0F38 F0-FF (MOVBE, CRC32, ADCX/ADOX), 0F38 80-8F (INVEPT...), SHA:
     * integer or not modelled here */
    if (i->map == X86_MAP_0F38 && (i->opcode >= 0x80 && i->opcode < 0xdb))
        return false;
    if (i->map == X86_MAP_0F38 && i->opcode >= 0xe0)
        return false;
    return exec_move(x) || simd_exec_int(x) || simd_exec_fp(x) || simd_exec_sse4(x);
}
