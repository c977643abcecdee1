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
/* V §5.2: a destination group (d: EMUL 2^del, EEW deew bits; a mask
 * destination has EEW 1 and one register, del 0) may overlap a source group
 * (s, sel, seew) only if the EEWs are equal; or the destination EEW is
 * smaller and the overlap is in the lowest-numbered part of the source
 * (d == s); or the destination EEW is greater, the source EMUL is at least
 * 1 and the overlap is in the highest-numbered part of the destination
 * (both groups end at the same register). Other overlaps are reserved. */
static inline bool vdst_ok(unsigned d, int del, unsigned deew, unsigned s, int sel, unsigned seew)
{
    unsigned dn = vregs(del), sn = vregs(sel);
    if (!voverlap(d, dn, s, sn) || deew == seew)
        return true;
    if (deew < seew)
        return d == s;
    return sel >= 0 && d + dn == s + sn;
}
/* V §5.2: "a vector register cannot be used to provide source operands
 * with more than one EEW for a single instruction" (a mask source has EEW 1). */
static inline bool vsrc_ok(unsigned a, int ael, unsigned aeew, unsigned b, int bel, unsigned beew)
{
    return aeew == beew || !voverlap(a, vregs(ael), b, vregs(bel));
}
#endif
