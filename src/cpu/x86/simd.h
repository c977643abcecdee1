/* Internal interface of the MMX / SSE..SSE4.2 files (simd*.c): operand
 * access, the exception checks of SDM vol. 3A §13.1 / vol. 2 §2.5 and the
 * MXCSR discipline around host floating-point (SDM vol. 1 ch. 11). Only
 * the simd*.c files include this header. */
#ifndef HVSIM_X86_SIMD_H
#define HVSIM_X86_SIMD_H
#include "x86_cpu.h"

typedef union x86_xmm xmm_t;

/* MXCSR fields (SDM vol. 1 §10.2.3 Figure 10-3). */
enum {
    MX_IE = 1u << 0, MX_DE = 1u << 1, MX_ZE = 1u << 2, MX_OE = 1u << 3, MX_UE = 1u << 4,
    MX_PE = 1u << 5, MX_DAZ = 1u << 6, MX_MASK_SHIFT = 7, MX_RC_SHIFT = 13,
    MX_FTZ = 1u << 15,
};

/* ---- exception checks (simd.c) ---- */
/* SSE instruction (XMM registers): CR0.EM -> #UD, CR4.OSFXSR clear -> #UD,
 * CR0.TS -> #NM (SDM vol. 3A §13.1; the Exceptions section of each legacy
 * SSE instruction in vol. 2). */
void simd_check_sse(struct x86_cpu *x);
/* MMX-register instruction: CR0.EM -> #UD, CR0.TS -> #NM, pending x87
 * exception (FSW.ES) -> #MF; then the x87 state enters MMX mode (TOP 0,
 * all tags valid: SDM vol. 1 §9.5.1). */
void simd_check_mmx(struct x86_cpu *x);

/* ---- operands ---- */
static inline xmm_t *XR(struct x86_cpu *x, unsigned n) { return &x->fpu.xmm[n & 15]; }
static inline uint64_t mm_get(struct x86_cpu *x, unsigned n) { return x->fpu.st[n & 7].mant; }
/* An MMX write sets bits 79:64 of the x87 register to ones (SDM vol. 1 §9.5.1). */
static inline void mm_set(struct x86_cpu *x, unsigned n, uint64_t v)
{
    x->fpu.st[n & 7].mant = v;
    x->fpu.st[n & 7].sexp = 0xffff;
}
/* Linear address of the ModRM memory operand. */
uint64_t simd_ea(struct x86_cpu *x);
/* Reads size (1, 2, 4, 8, 16) bytes at la into v (the rest zeroed); align:
 * a 16-byte operand must be 16-byte aligned (#GP(0)). */
void simd_read_mem(struct x86_cpu *x, uint64_t la, xmm_t *v, unsigned size, bool align);
void simd_write_mem(struct x86_cpu *x, uint64_t la, const xmm_t *v, unsigned size, bool align);
/* The r/m operand as an XMM register or size bytes of memory. */
void simd_rm_xmm(struct x86_cpu *x, xmm_t *v, unsigned size, bool align);
/* The r/m operand as an MMX register or 8 bytes of memory. */
uint64_t simd_rm_mm(struct x86_cpu *x);
/* General register r, size 4 or 8 (32-bit writes zero the upper half). */
static inline uint64_t gpr_get(struct x86_cpu *x, unsigned r, unsigned size)
{
    return size == 8 ? x->r[r] : (uint32_t)x->r[r];
}
static inline void gpr_set(struct x86_cpu *x, unsigned r, unsigned size, uint64_t v)
{
    x->r[r] = size == 8 ? v : (uint32_t)v;
}

/* ---- host floating point under the guest's MXCSR ---- */
/* fp_enter: the host MXCSR takes the guest's rounding, DAZ and FTZ with
 * every exception masked and no flag set; fp_leave restores the host
 * MXCSR and returns the flags raised (bits 5:0). fp_commit merges them
 * into the guest MXCSR and raises #XM / #UD when one is unmasked (then the
 * caller's destination must stay unwritten: call it before writing). */
uint32_t fp_enter(const struct x86_cpu *x);
uint32_t fp_leave(uint32_t saved);
void fp_commit(struct x86_cpu *x, uint32_t flags);
/* MX_UE when underflow is unmasked and one of the first n float (dbl:
 * double) lanes of r is an exact tiny result (a nonzero denormal). */
uint32_t fp_tiny_exact(const struct x86_cpu *x, const xmm_t *r, unsigned n, bool dbl);

/* ---- families ---- */
bool simd_exec_int(struct x86_cpu *x);   /* simd_int.c: packed integer, MMX and XMM */
bool simd_exec_fp(struct x86_cpu *x);    /* simd_fp.c: FP arithmetic, compares, conversions */
bool simd_exec_sse4(struct x86_cpu *x);  /* simd_sse4.c: SSE4.1/4.2 rest, AES-NI, PCLMULQDQ */

#endif
