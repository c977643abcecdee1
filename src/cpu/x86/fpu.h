/* Internal interface of the x87 / FXSAVE files (fpu_x87.c, fpu_env.c,
 * fxsave.c): status, control and tag word bits (Intel SDM vol. 1 §8.1.3,
 * §8.1.5, §8.1.7), the register stack, the #NM / #MF checks. */
#ifndef HVSIM_X86_FPU_H
#define HVSIM_X86_FPU_H
#include "x86_cpu.h"

/* The x87 model executes on the host's x87 (80-bit long double); on any
 * other host the x87 and FXSAVE are #UD and CPUID does not report them. */
#if defined(__x86_64__) || defined(__i386__)
#define X86_HOST_X87 1
#else
#define X86_HOST_X87 0
#endif

/* FSW (SDM vol. 1 §8.1.3 Figure 8-4) */
enum {
    FSW_IE = 1u << 0, FSW_DE = 1u << 1, FSW_ZE = 1u << 2, FSW_OE = 1u << 3,
    FSW_UE = 1u << 4, FSW_PE = 1u << 5, FSW_SF = 1u << 6, FSW_ES = 1u << 7,
    FSW_C0 = 1u << 8, FSW_C1 = 1u << 9, FSW_C2 = 1u << 10, FSW_TOP_SHIFT = 11,
    FSW_TOP = 7u << 11, FSW_C3 = 1u << 14, FSW_B = 1u << 15,
};
#define FSW_EXC 0x3fu             /* IE DE ZE OE UE PE (and the FCW masks) */
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

/* FCW (SDM vol. 1 §8.1.5 Figure 8-6): masks in bits 0-5, PC 8-9, RC 10-11 */
enum { FCW_PC_SHIFT = 8, FCW_RC_SHIFT = 10 };
#define FCW_INIT 0x037fu          /* FNINIT */

/* MXCSR bits a write may set (SDM vol. 1 §11.6.6), what FXSAVE stores as
 * MXCSR_MASK: all of 15:0, DAZ (bit 6) included: the host SSE runs the
 * guest's operations under its DAZ (simd.c fp_enter); bits 31:16 are
 * reserved. */
#define X86_MXCSR_MASK 0x0000ffffu

static inline unsigned fpu_top(const struct x86_cpu *x) { return (x->fpu.fsw >> FSW_TOP_SHIFT) & 7; }
static inline void fpu_set_top(struct x86_cpu *x, unsigned t)
{
    x->fpu.fsw = (uint16_t)((x->fpu.fsw & ~FSW_TOP) | (t & 7) << FSW_TOP_SHIFT);
}
/* Physical register of ST(i). */
static inline unsigned fpu_phys(const struct x86_cpu *x, unsigned i) { return (fpu_top(x) + i) & 7; }

/* ES and B summarize the exception flags not masked in FCW (§8.1.3.1). */
static inline void fpu_update_es(struct x86_cpu *x)
{
    if (x->fpu.fsw & ~x->fpu.fcw & FSW_EXC)
        x->fpu.fsw |= FSW_ES | FSW_B;
    else
        x->fpu.fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

/* FNINIT (and the state FNSAVE leaves). */
void x86_fpu_init(struct x86_cpu *x);

/* The full 16-bit tag word of FSTENV / FSAVE from the abridged tags and
 * the register contents (SDM vol. 1 §8.1.7, §10.5.1.1 Table 10-3), and the
 * abridged tags of a full one (11 = empty). */
uint16_t x86_fpu_full_tags(const struct x86_cpu *x);
uint8_t x86_fpu_abridge_tags(uint16_t ftw);

/* fxsave.c: the parts of the FXSAVE image (vol. 1 §10.5.1), which is
 * also the legacy region of the XSAVE area (vol. 1 §13.4.1; xsave.c).
 * la is the image's start; w64: the REX.W layout (64-bit FIP/FDP, no
 * selectors). store_x87: bytes 0-23 and 32-159 (FCW .. FDS,
 * ST0-7); store_mxcsr: MXCSR and MXCSR_MASK (24-31); store_xmm: XMM0-7
 * (XMM0-15 in 64-bit mode) from byte 160. The loads fill *n (the caller
 * commits it after every read succeeded); load_mxcsr raises #GP(0) for a
 * bit outside MXCSR_MASK. */
unsigned x86_fx_nxmm(const struct x86_cpu *x);
void x86_fx_store_x87(struct x86_cpu *x, uint64_t la, bool w64);
void x86_fx_store_mxcsr(struct x86_cpu *x, uint64_t la);
void x86_fx_store_xmm(struct x86_cpu *x, uint64_t la);
void x86_fx_load_x87(struct x86_cpu *x, struct x86_fpu *n, uint64_t la, bool w64);
uint32_t x86_fx_load_mxcsr(struct x86_cpu *x, uint64_t la);
void x86_fx_load_xmm(struct x86_cpu *x, struct x86_fpu *n, uint64_t la);

/* fpu_env.c: FNSTENV / FLDENV / FNSAVE / FRSTOR with the memory operand of
 * the current instruction (SDM vol. 1 §8.1.10 Figures 8-9 .. 8-12). */
void x86_fpu_fnstenv(struct x86_cpu *x);
void x86_fpu_fldenv(struct x86_cpu *x);
void x86_fpu_fnsave(struct x86_cpu *x);
void x86_fpu_frstor(struct x86_cpu *x);

#endif
