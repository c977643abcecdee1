/* The "V" vector extension 1.0: the hart's vector state, the vector CSRs,
 * vset{i}vl{i} and the decoder's entry point (vector.h). Written from the
 * RISC-V "V" Standard Extension for Vector Operations, version 1.0 (cited
 * as "V §n"). */
#include "vector_internal.h"
#include "isa.h"

enum { CSR_VSTART = 0x008, CSR_VXSAT = 0x009, CSR_VXRM = 0x00a, CSR_VCSR = 0x00f,
       CSR_VL = 0xc20, CSR_VTYPE = 0xc21, CSR_VLENB = 0xc22 };

void rv_vec_reset(struct rv_hart *h)
{
    if (!h->vec.vlenb)
        h->vec.vlenb = RV_VLEN_MIN / 8;
    memset(h->vec.reg, 0, sizeof h->vec.reg);
    /* V §3.11: a reset state that a vsetvl can restore; vill set, vl = 0 */
    h->vec.vtype = RV_VTYPE_VILL;
    h->vec.vl = h->vec.vstart = 0;
    h->vec.vxrm = h->vec.vxsat = 0;
}

/* V §3.2 / priv §3.1.6.6: the vector unit is usable while mstatus.VS is not
 * Off, and with V=1 also vsstatus.VS (priv §8.2.10). */
bool rv_vec_csr_ok(const struct rv_hart *h)
{
    return (h->mstatus & MSTATUS_VS) && (!h->virt || (h->vsstatus & MSTATUS_VS));
}

void rv_vec_dirty(struct rv_hart *h)
{
    h->mstatus |= MSTATUS_VS;
    if (h->virt)
        h->vsstatus |= MSTATUS_VS;
}

bool rv_vec_illegal(struct rv_hart *h, uint32_t raw)
{
    rv_exception(h, EXC_ILLEGAL_INSN, raw);
    return false;
}

/* V §3.4: SEW = 8 << vsew (8..64 here: ELEN = 64), LMUL = 2^vlmul (vlmul 4
 * reserved); a fractional LMUL needs SEW <= LMUL * ELEN (V §3.4.2); bits
 * XLEN-2:8 reserved (non-zero: vill). VLMAX = LMUL * VLEN / SEW. */
uint64_t rv_vec_vlmax(uint64_t vtype, unsigned vlenb)
{
    if (vtype >> 8)
        return 0;
    unsigned vsew = (vtype >> 3) & 7;
    int lmul = rv_vec_lmul_log2(vtype);
    if (vsew > 3 || (vtype & 7) == 4)
        return 0;
    unsigned sew = 8u << vsew;
    if (lmul < 0 && sew > (64u >> -lmul))
        return 0;
    uint64_t vlen = (uint64_t)vlenb * 8;
    return lmul >= 0 ? (vlen << lmul) / sew : (vlen >> -lmul) / sew;
}

/* V §6.3: vl = AVL when AVL <= VLMAX, else VLMAX (the simplest of the
 * allowed choices; also the one for AVL >= 2*VLMAX). */
uint64_t rv_vec_vl_for(uint64_t avl, uint64_t vlmax)
{
    return avl < vlmax ? avl : vlmax;
}

/* vsetvli / vsetivli / vsetvl (V §6.1, §6.2). */
static bool vset(struct rv_hart *h, uint32_t raw)
{
    unsigned rd = vbits(raw, 11, 7), rs1 = vbits(raw, 19, 15);
    uint64_t vtype, avl;
    bool keep_vl = false;
    if (!(raw >> 31)) {                        /* vsetvli: zimm[10:0] */
        vtype = vbits(raw, 30, 20);
    } else if (vbits(raw, 31, 30) == 3) {      /* vsetivli: zimm[9:0], uimm[4:0] = AVL */
        vtype = vbits(raw, 29, 20);
    } else if (vbits(raw, 31, 25) == 0x40) {   /* vsetvl: vtype in rs2 */
        vtype = h->x[vbits(raw, 24, 20)];
    } else {
        return rv_vec_illegal(h, raw);
    }
    if (vbits(raw, 31, 30) == 3)
        avl = rs1;
    else if (rs1 != 0)
        avl = h->x[rs1];
    else if (rd != 0)
        avl = UINT64_MAX;                      /* rs1 = x0, rd != x0: VLMAX */
    else {
        avl = h->vec.vl;                       /* rs1 = rd = x0: keep vl */
        keep_vl = true;
    }
    uint64_t vlmax = rv_vec_vlmax(vtype, h->vec.vlenb);
    /* keeping vl under a new SEW/LMUL ratio that changes VLMAX is reserved
     * (V §6.2); we set vill then, which the spec allows */
    if (keep_vl && vlmax && (h->vec.vtype & RV_VTYPE_VILL ||
                             vlmax != rv_vec_vlmax(h->vec.vtype, h->vec.vlenb)))
        vlmax = 0;
    if (!vlmax) {
        h->vec.vtype = RV_VTYPE_VILL;
        h->vec.vl = 0;
    } else {
        h->vec.vtype = vtype;
        h->vec.vl = rv_vec_vl_for(avl, vlmax);
    }
    h->vec.vstart = 0;
    if (rd)
        h->x[rd] = h->vec.vl;
    rv_vec_dirty(h);
    return true;
}

bool rv_vec_exec(struct rv_hart *h, uint32_t raw)
{
    if (!rv_vec_csr_ok(h))
        return rv_vec_illegal(h, raw);
    if ((raw & 0x7f) == 0x57) {
        if (vbits(raw, 14, 12) == 7)
            return vset(h, raw);
        if (vbits(raw, 14, 12) == 1 || vbits(raw, 14, 12) == 5)
            return rv_vec_fp(h, raw);          /* OPFVV / OPFVF */
        return rv_vec_int(h, raw);
    }
    return rv_vec_mem(h, raw);
}

/* ---- CSRs (V §3) ---- */

bool rv_vec_is_csr(unsigned csr)
{
    switch (csr) {
    case CSR_VSTART: case CSR_VXSAT: case CSR_VXRM: case CSR_VCSR:
    case CSR_VL: case CSR_VTYPE: case CSR_VLENB:
        return true;
    }
    return false;
}

bool rv_vec_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_VSTART: *v = h->vec.vstart; return true;
    case CSR_VXSAT: *v = h->vec.vxsat; return true;
    case CSR_VXRM: *v = h->vec.vxrm; return true;
    case CSR_VCSR: *v = (uint64_t)h->vec.vxrm << 1 | h->vec.vxsat; return true; /* V §3.8 */
    case CSR_VL: *v = h->vec.vl; return true;
    case CSR_VTYPE: *v = h->vec.vtype; return true;
    case CSR_VLENB: *v = h->vec.vlenb; return true;
    }
    return false;
}

bool rv_vec_csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    switch (csr) {
    /* V §3.7: vstart holds the largest element index, VLEN - 1 (SEW 8, LMUL 8) */
    case CSR_VSTART: h->vec.vstart = v & ((uint64_t)h->vec.vlenb * 8 - 1); return true;
    case CSR_VXSAT: h->vec.vxsat = v & 1; return true;
    case CSR_VXRM: h->vec.vxrm = v & 3; return true;
    case CSR_VCSR: h->vec.vxsat = v & 1; h->vec.vxrm = (v >> 1) & 3; return true;
    }
    return false;
}
