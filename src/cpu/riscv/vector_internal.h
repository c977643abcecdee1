/* Element access and common checks shared by vector*.c (vector.h). */
#ifndef HVSIM_RV_VECTOR_INTERNAL_H
#define HVSIM_RV_VECTOR_INTERNAL_H
#include "rv_internal.h"
#include "vector.h"

static inline uint32_t vbits(uint32_t x, int hi, int lo) { return (x >> lo) & ((1u << (hi - lo + 1)) - 1); }

/* Element i (eew bytes) of the register group that starts at reg. An index
 * past v31 reads zero / writes nothing (the legality checks keep groups
 * inside the file; this keeps a bug from reaching outside the array). */
static inline uint64_t vget(const struct rv_hart *h, unsigned reg, uint64_t i, unsigned eew)
{
    uint64_t off = (uint64_t)reg * h->vec.vlenb + i * eew;
    if (off + eew > 32ull * h->vec.vlenb)
        return 0;
    return rv_load_le(h->vec.reg + off, eew);
}
static inline void vput(struct rv_hart *h, unsigned reg, uint64_t i, unsigned eew, uint64_t v)
{
    uint64_t off = (uint64_t)reg * h->vec.vlenb + i * eew;
    if (off + eew <= 32ull * h->vec.vlenb)
        rv_store_le(h->vec.reg + off, eew, v);
}
static inline uint8_t *vreg(struct rv_hart *h, unsigned reg) { return h->vec.reg + (size_t)reg * h->vec.vlenb; }
/* Element i is active: unmasked (vm = 1) or v0's mask bit i set. */
static inline bool vactive(const struct rv_hart *h, bool vm, uint64_t i)
{
    return vm || rv_vec_mask_bit(h->vec.reg, i);
}
static inline int64_t vsext(uint64_t v, unsigned bits) { return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits); }
static inline uint64_t vtrunc(uint64_t v, unsigned bits) { return bits >= 64 ? v : v & ((1ull << bits) - 1); }
/* A register group of 2^emul_log2 registers at r is legal: aligned, inside v0..v31. */
static inline bool vgroup_ok(unsigned r, int emul_log2)
{
    if (emul_log2 < -3 || emul_log2 > 3)
        return false;
    unsigned n = emul_log2 > 0 ? 1u << emul_log2 : 1;
    return (r & (n - 1)) == 0 && r + n <= 32;
}
/* Two register ranges [a, a+na) and [b, b+nb) overlap. */
static inline bool voverlap(unsigned a, unsigned na, unsigned b, unsigned nb) { return a < b + nb && b < a + na; }
static inline unsigned vregs(int lmul_log2) { return lmul_log2 > 0 ? 1u << lmul_log2 : 1; }
#endif
