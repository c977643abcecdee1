/* Vector loads and stores (V §7): unit-stride, strided, indexed (ordered
 * and unordered), their segment forms (nf > 1), whole-register and mask
 * loads/stores. Every element goes through the hart's normal load/store
 * path (rv_load/rv_store: TLB, page walk, G stage, PMP, MMIO, watchpoints).
 * A fault stops at element i with vstart = i (V §7.7, §3.7); the
 * instruction restarts there. Elements run in order, so the ordered and
 * unordered indexed forms behave alike. */
#include "vector_internal.h"
#include "../../sim/machine.h"

/* LOAD-FP/STORE-FP width -> element bytes (V §7.3: 0 8-bit, 5 16, 6 32, 7 64) */
static unsigned width_bytes(unsigned w)
{
    switch (w) {
    case 0: return 1;
    case 5: return 2;
    case 6: return 4;
    case 7: return 8;
    }
    return 0;
}

static int log2u(unsigned x) { return __builtin_ctz(x); }

/* One element access: load into register `reg` element i, or store it. */
static bool access(struct rv_hart *h, bool store, uint64_t va, unsigned reg, uint64_t i, unsigned eew)
{
    uint64_t v;
    if (store)
        return rv_store(h, va, eew, vget(h, reg, i, eew));
    if (!rv_load(h, va, eew, &v))
        return false;
    vput(h, reg, i, eew, v);
    return true;
}

/* Elements vstart..evl-1 of a contiguous, unmasked transfer (whole
 * registers, vlm/vsm). */
static bool contiguous(struct rv_hart *h, bool store, uint64_t base, unsigned reg, uint64_t evl, unsigned eew)
{
    for (uint64_t i = h->vec.vstart; i < evl; i++) {
        h->vec.vstart = i;
        if (!access(h, store, base + i * eew, reg, i, eew))
            return false;
    }
    h->vec.vstart = 0;
    return true;
}

/* Fault-only-first (V §7.7): an element after element 0 is loaded only when
 * it cannot trap: inside one page, translated, allowed by PMP and in RAM or
 * ROM (not MMIO, whose reads may have side effects). Otherwise vl is cut
 * there, which the spec allows even without an exception. */
static bool ff_safe(struct rv_hart *h, uint64_t va, unsigned eew)
{
    uint64_t pa;
    if ((va & 0xfff) + eew > 4096 || rv_translate(h, va, ACC_READ, h->data_mode, &pa))
        return false;
    int m = h->data_mode;
    int priv = m == RV_MODE_M ? PRV_M : (m == RV_MODE_U || m == RV_MODE_VU) ? PRV_U : PRV_S;
    return rv_pmp_ok(h, pa, eew, ACC_READ, priv) && bus_find_mem(&h->m->bus, pa) != NULL;
}

bool rv_vec_mem(struct rv_hart *h, uint32_t raw)
{
    bool store = (raw & 0x7f) == 0x27;
    unsigned vd = vbits(raw, 11, 7), rs1 = vbits(raw, 19, 15), rs2 = vbits(raw, 24, 20);
    unsigned eew = width_bytes(vbits(raw, 14, 12));
    bool vm = vbits(raw, 25, 25);
    unsigned mop = vbits(raw, 27, 26), nf = vbits(raw, 31, 29) + 1;
    if (vbits(raw, 28, 28) || !eew)            /* mew = 1: reserved (V §7.3) */
        return rv_vec_illegal(h, raw);
    uint64_t base = h->x[rs1];

    if (mop == 0 && rs2 == 0x08) {             /* whole register (V §7.9) */
        if (!vm || (nf & (nf - 1)) || (vd & (nf - 1)) || (store && eew != 1))
            return rv_vec_illegal(h, raw);
        uint64_t evl = (uint64_t)nf * h->vec.vlenb / eew;
        if (h->vec.vstart >= evl) {
            h->vec.vstart = 0;
            return true;
        }
        if (!store)
            rv_vec_dirty(h);
        return contiguous(h, store, base, vd, evl, eew);
    }
    /* everything else depends on vtype */
    if (h->vec.vtype & RV_VTYPE_VILL)
        return rv_vec_illegal(h, raw);
    uint64_t vl = h->vec.vl;
    if (mop == 0 && rs2 == 0x0b) {             /* vlm.v / vsm.v (V §7.4): EEW 8, evl = ceil(vl/8) */
        if (!vm || nf != 1 || eew != 1)
            return rv_vec_illegal(h, raw);
        if (!store)
            rv_vec_dirty(h);
        return contiguous(h, store, base, vd, (vl + 7) / 8, 1);
    }
    bool ff = mop == 0 && rs2 == 0x10 && !store; /* vle<eew>ff.v, vlseg<nf>e<eew>ff.v */
    if (mop == 0 && rs2 != 0 && !ff)
        return rv_vec_illegal(h, raw);

    unsigned sew = rv_vec_sew(h->vec.vtype) / 8;
    int lmul = rv_vec_lmul_log2(h->vec.vtype);
    bool indexed = mop & 1;
    /* data EEW/EMUL: indexed uses SEW/LMUL, the others EEW and
     * EMUL = (EEW/SEW) * LMUL (V §7.3) */
    unsigned deew = indexed ? sew : eew;
    int demul = indexed ? lmul : lmul + log2u(eew) - log2u(sew);
    int iemul = lmul + log2u(eew) - log2u(sew);
    unsigned per = vregs(demul);
    if (!vgroup_ok(vd, demul) || nf * per > 8 || vd + nf * per > 32 ||
        (indexed && !vgroup_ok(rs2, iemul)) || (!vm && !store && vd == 0))
        return rv_vec_illegal(h, raw);
    /* V §5.2: the data group may overlap the index group only as the EEWs
     * allow; an indexed segment load's fields not at all (V §7.8.3); under
     * v0.t the index group may not contain v0 (read with EEW 1 too) */
    if (indexed && !store && (nf > 1 ? voverlap(vd, nf * per, rs2, vregs(iemul))
                                     : !vdst_ok(vd, demul, deew * 8, rs2, iemul, eew * 8)))
        return rv_vec_illegal(h, raw);
    if (indexed && !vm && voverlap(0, 1, rs2, vregs(iemul)))
        return rv_vec_illegal(h, raw);
    /* a store reads its data with EEW deew: not from the index group with
     * another EEW, nor from v0 under v0.t (mask EEW 1) */
    if (store && ((indexed && deew != eew && voverlap(vd, nf * per, rs2, vregs(iemul))) ||
                  (!vm && vd == 0)))
        return rv_vec_illegal(h, raw);
    int64_t stride = (int64_t)h->x[rs2];
    if (!store)
        rv_vec_dirty(h);
    for (uint64_t i = h->vec.vstart; i < vl; i++) {
        if (!vactive(h, vm, i))
            continue;
        h->vec.vstart = i;
        if (ff && i > 0) {
            bool safe = true;
            for (unsigned f = 0; f < nf && safe; f++)
                safe = ff_safe(h, base + (i * nf + f) * deew, deew);
            if (!safe) {
                h->vec.vl = i;                 /* V §7.7: vl = the elements done */
                break;
            }
        }
        for (unsigned f = 0; f < nf; f++) {
            uint64_t va;
            if (mop == 0)                      /* unit stride: segments packed */
                va = base + (i * nf + f) * deew;
            else if (mop == 2)                 /* strided */
                va = base + (uint64_t)stride * i + f * deew;
            else                               /* indexed: byte offsets, zero-extended */
                va = base + vget(h, rs2, i, eew) + f * deew;
            if (!access(h, store, va, vd + f * per, i, deew))
                return false;
        }
    }
    h->vec.vstart = 0;
    return true;
}
