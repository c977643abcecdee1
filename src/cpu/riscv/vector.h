/* The "V" vector extension 1.0 (RISC-V "V" Standard Extension for Vector
 * Operations, version 1.0): the hart's vector state and the entry points of
 * vector.c (state, vset{i}vl{i}, CSRs), vector_mem.c (loads/stores),
 * vector_int.c (integer arithmetic, masks, permutations) and vector_fp.c
 * (floating point: SEW 32 and 64). Opt-in: `v` in
 * [cpu] isa (RV_EXT_V); VLEN = [cpu] vlen (128..1024), ELEN = 64. */
#ifndef HVSIM_RV_VECTOR_H
#define HVSIM_RV_VECTOR_H
#include <stdbool.h>
#include <stdint.h>

#define RV_VLEN_MIN 128u
#define RV_VLEN_MAX 1024u
#define RV_VLENB_MAX (RV_VLEN_MAX / 8)
#define RV_VTYPE_VILL (1ull << 63)

struct rv_vec {
    unsigned vlenb;          /* VLEN / 8 (16..128) */
    uint64_t vl, vtype, vstart;
    uint8_t vxrm, vxsat;
    /* v0..v31, register r at r * vlenb: a register group is contiguous */
    uint8_t reg[32 * RV_VLENB_MAX] __attribute__((aligned(16)));
};

struct rv_hart;

/* Reset state (vtype.vill = 1, vl = 0, registers zero). */
void rv_vec_reset(struct rv_hart *h);
/* Executes one vector instruction (OP-V, or LOAD-FP/STORE-FP with a vector
 * width); false when it raised an exception (h->pc at the instruction). */
bool rv_vec_exec(struct rv_hart *h, uint32_t raw);
/* The vector CSRs (vstart, vxsat, vxrm, vcsr, vl, vtype, vlenb): false when
 * csr is not one of them. rv_vec_csr_ok: mstatus.VS (and vsstatus.VS with
 * V=1) is not Off. */
bool rv_vec_is_csr(unsigned csr);
bool rv_vec_csr_ok(const struct rv_hart *h);
bool rv_vec_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v);
bool rv_vec_csr_write(struct rv_hart *h, unsigned csr, uint64_t v);
/* Set mstatus.VS (and vsstatus.VS with V=1) to Dirty. */
void rv_vec_dirty(struct rv_hart *h);
/* VLMAX for a vtype value (0: vill, an unsupported SEW/LMUL or reserved
 * bits); vlenb = VLEN/8. The table of vsetvl (unit suite rv_vec). */
uint64_t rv_vec_vlmax(uint64_t vtype, unsigned vlenb);
/* vl for a requested AVL (vset{i}vl{i}): min(AVL, VLMAX). */
uint64_t rv_vec_vl_for(uint64_t avl, uint64_t vlmax);

/* Internal to vector*.c */
bool rv_vec_mem(struct rv_hart *h, uint32_t raw);   /* vector_mem.c */
bool rv_vec_int(struct rv_hart *h, uint32_t raw);   /* vector_int.c */
bool rv_vec_fp(struct rv_hart *h, uint32_t raw);    /* vector_fp.c: OPFVV/OPFVF */
/* vfrsqrt7 / vfrec7 of one binary32 (fmt 0) or binary64 (fmt 1) element
 * (V §13.9, §13.10; rm: the resolved rounding mode, flags ORed into *fl) */
uint64_t rv_vec_frsqrt7(int fmt, uint64_t x, uint32_t *fl);
uint64_t rv_vec_frec7(int fmt, uint64_t x, int rm, uint32_t *fl);
bool rv_vec_illegal(struct rv_hart *h, uint32_t raw); /* raise illegal instruction: false */

static inline unsigned rv_vec_sew(uint64_t vtype) { return 8u << ((vtype >> 3) & 7); }
/* LMUL as a signed log2 (-3..3) */
static inline int rv_vec_lmul_log2(uint64_t vtype)
{
    int l = (int)(vtype & 7);
    return l >= 4 ? l - 8 : l;
}
static inline bool rv_vec_mask_bit(const uint8_t *v0, uint64_t i) { return (v0[i >> 3] >> (i & 7)) & 1; }
static inline void rv_vec_set_mask_bit(uint8_t *v, uint64_t i, bool b)
{
    v[i >> 3] = (uint8_t)((v[i >> 3] & ~(1u << (i & 7))) | ((unsigned)b << (i & 7)));
}
#endif
