/* Disassembly of the "V" vector extension 1.0 (RISC-V "V" Standard
 * Extension for Vector Operations, version 1.0, cited "V §n"): the
 * vset{i}vl{i} configuration instructions (§6), the loads and stores
 * (§7, LOAD-FP/STORE-FP with a vector width) and the OP-V arithmetic, from
 * the funct6 tables of the spec's "Vector Instruction Listing" (§19) for
 * the OPI (OPIVV/OPIVX/OPIVI), OPM (OPMVV/OPMVX) and OPF (OPFVV/OPFVF)
 * groups and their unary sub-tables (VWXUNARY0, VRXUNARY0, VXUNARY0,
 * VMUNARY0, VWFUNARY0, VRFUNARY0, VFUNARY0, VFUNARY1).
 *
 * Text follows GNU objdump: operands vd, vs2, vs1/rs1/imm (multiply-adds:
 * vd, vs1/rs1, vs2), ",v0.t" when masked, objdump's aliases (vneg.v,
 * vnot.v, vncvt.x.x.w, vwcvt{u}.x.x.v, vmmv.m, vmclr.m, vmset.m, vmnot.m,
 * vfneg.v, vfabs.v, vmv.v.*, vfmv.v.f, vl<n>r.v). Encodings the listing
 * leaves unassigned or reserved (a vadc without v0, a vmv.s.x with vs2 != 0,
 * a whole-register move of 3 registers, mew = 1, ...) give 0: the caller
 * prints "unknown". Register-group alignment is not checked (objdump does
 * not either); a vtype immediate with reserved bits prints as a number. */
#include "disasm.h"

#include <stdarg.h>
#include <stdio.h>

#include "rv_ops.h"
#include "disasm_out.h"

static unsigned bits(uint32_t x, int hi, int lo) { return (x >> lo) & ((1u << (hi - lo + 1)) - 1); }
static const char *X(unsigned r) { return rv_xreg_name(r); }
static const char *F(unsigned r) { return rv_freg_name(r); }
static const char *M(uint32_t raw) { return bits(raw, 25, 25) ? "" : ",v0.t"; }

/* ---- vtype (V §3.4): e<SEW>,m<LMUL>|mf<1/LMUL>,t{a,u},m{a,u} ---- */

static void put_vtype(struct out *o, unsigned zimm)
{
    static const char *const lmul[8] = { "m1", "m2", "m4", "m8", NULL, "mf8", "mf4", "mf2" };
    unsigned vsew = bits(zimm, 5, 3), vlmul = bits(zimm, 2, 0);
    if ((zimm >> 8) || vsew > 3 || !lmul[vlmul]) {
        put(o, "%u", zimm); /* reserved: the number (the hart sets vill) */
        return;
    }
    put(o, "e%u,%s,%s,%s", 8u << vsew, lmul[vlmul], bits(zimm, 6, 6) ? "ta" : "tu",
        bits(zimm, 7, 7) ? "ma" : "mu");
}

static bool vset(struct out *o, uint32_t raw)
{
    unsigned rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15);
    if (!(raw >> 31)) {
        put(o, "vsetvli %s,%s,", X(rd), X(rs1));
        put_vtype(o, bits(raw, 30, 20));
    } else if (bits(raw, 31, 30) == 3) {
        put(o, "vsetivli %s,%u,", X(rd), rs1);
        put_vtype(o, bits(raw, 29, 20));
    } else if (bits(raw, 31, 25) == 0x40) {
        put(o, "vsetvl %s,%s,%s", X(rd), X(rs1), X(bits(raw, 24, 20)));
    } else {
        return false;
    }
    return true;
}

/* ---- loads and stores (V §7, Tables 7-9) ---- */

static bool vmem(struct out *o, uint32_t raw)
{
    bool store = bits(raw, 6, 0) == 0x27;
    unsigned width = bits(raw, 14, 12), nf = bits(raw, 31, 29) + 1, mop = bits(raw, 27, 26);
    unsigned vd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), f5 = bits(raw, 24, 20);
    unsigned eew = width == 0 ? 8 : width == 5 ? 16 : width == 6 ? 32 : width == 7 ? 64 : 0;
    if (!eew || bits(raw, 28, 28)) /* mew = 1: EEW > 64, reserved */
        return false;
    const char *ls = store ? "vs" : "vl";
    char seg[8] = "";
    if (nf > 1)
        snprintf(seg, sizeof seg, "seg%u", nf);
    switch (mop) {
    case 0: /* unit-stride: lumop/sumop */
        if (f5 == 0) {
            put(o, "%s%se%u.v v%u,(%s)%s", ls, seg, eew, vd, X(rs1), M(raw));
        } else if (f5 == 0x10 && !store) { /* fault-only-first */
            put(o, "vl%se%uff.v v%u,(%s)%s", seg, eew, vd, X(rs1), M(raw));
        } else if (f5 == 0x0b && nf == 1 && eew == 8 && bits(raw, 25, 25)) { /* mask */
            put(o, "%sm.v v%u,(%s)", ls, vd, X(rs1));
        } else if (f5 == 0x08 && bits(raw, 25, 25) && (nf == 1 || nf == 2 || nf == 4 || nf == 8)) {
            if (store && eew != 8) /* whole-register store: EEW 8 only */
                return false;
            if (store || eew == 8) /* objdump's vl<n>r.v for vl<n>re8.v */
                put(o, "%s%ur.v v%u,(%s)", ls, nf, vd, X(rs1));
            else
                put(o, "vl%ure%u.v v%u,(%s)", nf, eew, vd, X(rs1));
        } else {
            return false;
        }
        return true;
    case 2: /* strided: vlse<eew>.v, vlsseg<n>e<eew>.v */
        put(o, "%ss%se%u.v v%u,(%s),%s%s", ls, seg, eew, vd, X(rs1), X(f5), M(raw));
        return true;
    default: /* 1 indexed-unordered, 3 indexed-ordered */
        put(o, "%s%s%sei%u.v v%u,(%s),v%u%s", ls, mop == 1 ? "ux" : "ox", seg, eew, vd, X(rs1), f5,
            M(raw));
        return true;
    }
}

/* ---- OP-V arithmetic (V §19 "Vector Instruction Listing") ---- */

enum { FV = 1, FX = 2, FI = 4 }; /* OPI: .vv .vx .vi; OPM: .vv .vx; OPF: .vv .vf (FX) */

enum vkind {
    K_NONE = 0,
    K_BIN,    /* vd, vs2, vs1|rs1|simm5: .vv/.vx/.vi (.vf) */
    K_BINU,   /* as K_BIN with an unsigned uimm5 (shifts, slides, vrgather) */
    K_WBIN,   /* vd, vs2, vs1|rs1: .wv/.wx (.wf): the wide-operand forms */
    K_NARROW, /* .wv/.wx/.wi with uimm5 */
    K_RED,    /* reductions: .vs, vd, vs2, vs1 */
    K_MM,     /* mask logicals: .mm, unmasked */
    K_FMA,    /* multiply-adds: vd, vs1|rs1, vs2 */
    K_CARRY,  /* vadc/vsbc: .vvm/.vxm/.vim, vd, vs2, src, v0 (vm must be 0) */
    K_MCARRY, /* vmadc/vmsbc: vm = 0 as K_CARRY, vm = 1 without the carry */
    K_MERGE,  /* vmerge.v?m (vm = 0) / vmv.v.? (vm = 1, vs2 = 0) */
    K_FMERGE, /* vfmerge.vfm / vfmv.v.f */
    K_COMPRESS, /* vcompress.vm vd, vs2, vs1 (unmasked) */
    K_SMUL,   /* vsmul.vv/.vx; OPIVI: vmv<nr>r.v */
    K_UNARY,  /* a sub-table by the vs1 (OPxVV) or vs2 (OPxVX/F) field */
};

struct vop {
    const char *name;
    uint8_t forms, kind;
};

/* OPI funct6 (§19 table "OPIVV/OPIVX/OPIVI"). 0x0e: vslideup .vx/.vi,
 * vrgatherei16 .vv (special-cased below). */
static const struct vop opi[64] = {
    [0x00] = { "vadd", FV | FX | FI, K_BIN },      [0x02] = { "vsub", FV | FX, K_BIN },
    [0x03] = { "vrsub", FX | FI, K_BIN },          [0x04] = { "vminu", FV | FX, K_BIN },
    [0x05] = { "vmin", FV | FX, K_BIN },           [0x06] = { "vmaxu", FV | FX, K_BIN },
    [0x07] = { "vmax", FV | FX, K_BIN },           [0x09] = { "vand", FV | FX | FI, K_BIN },
    [0x0a] = { "vor", FV | FX | FI, K_BIN },       [0x0b] = { "vxor", FV | FX | FI, K_BIN },
    [0x0c] = { "vrgather", FV | FX | FI, K_BINU }, [0x0e] = { "vslideup", FV | FX | FI, K_BINU },
    [0x0f] = { "vslidedown", FX | FI, K_BINU },
    [0x10] = { "vadc", FV | FX | FI, K_CARRY },    [0x11] = { "vmadc", FV | FX | FI, K_MCARRY },
    [0x12] = { "vsbc", FV | FX, K_CARRY },         [0x13] = { "vmsbc", FV | FX, K_MCARRY },
    [0x17] = { "vmerge", FV | FX | FI, K_MERGE },
    [0x18] = { "vmseq", FV | FX | FI, K_BIN },     [0x19] = { "vmsne", FV | FX | FI, K_BIN },
    [0x1a] = { "vmsltu", FV | FX, K_BIN },         [0x1b] = { "vmslt", FV | FX, K_BIN },
    [0x1c] = { "vmsleu", FV | FX | FI, K_BIN },    [0x1d] = { "vmsle", FV | FX | FI, K_BIN },
    [0x1e] = { "vmsgtu", FX | FI, K_BIN },         [0x1f] = { "vmsgt", FX | FI, K_BIN },
    [0x20] = { "vsaddu", FV | FX | FI, K_BIN },    [0x21] = { "vsadd", FV | FX | FI, K_BIN },
    [0x22] = { "vssubu", FV | FX, K_BIN },         [0x23] = { "vssub", FV | FX, K_BIN },
    [0x25] = { "vsll", FV | FX | FI, K_BINU },     [0x27] = { "vsmul", FV | FX | FI, K_SMUL },
    [0x28] = { "vsrl", FV | FX | FI, K_BINU },     [0x29] = { "vsra", FV | FX | FI, K_BINU },
    [0x2a] = { "vssrl", FV | FX | FI, K_BINU },    [0x2b] = { "vssra", FV | FX | FI, K_BINU },
    [0x2c] = { "vnsrl", FV | FX | FI, K_NARROW },  [0x2d] = { "vnsra", FV | FX | FI, K_NARROW },
    [0x2e] = { "vnclipu", FV | FX | FI, K_NARROW }, [0x2f] = { "vnclip", FV | FX | FI, K_NARROW },
    [0x30] = { "vwredsumu", FV, K_RED },           [0x31] = { "vwredsum", FV, K_RED },
};

/* OPM funct6 (§19 table "OPMVV/OPMVX"). */
static const struct vop opm[64] = {
    [0x00] = { "vredsum", FV, K_RED },     [0x01] = { "vredand", FV, K_RED },
    [0x02] = { "vredor", FV, K_RED },      [0x03] = { "vredxor", FV, K_RED },
    [0x04] = { "vredminu", FV, K_RED },    [0x05] = { "vredmin", FV, K_RED },
    [0x06] = { "vredmaxu", FV, K_RED },    [0x07] = { "vredmax", FV, K_RED },
    [0x08] = { "vaaddu", FV | FX, K_BIN }, [0x09] = { "vaadd", FV | FX, K_BIN },
    [0x0a] = { "vasubu", FV | FX, K_BIN }, [0x0b] = { "vasub", FV | FX, K_BIN },
    [0x0e] = { "vslide1up", FX, K_BIN },   [0x0f] = { "vslide1down", FX, K_BIN },
    [0x10] = { "", FV | FX, K_UNARY },     /* VWXUNARY0 / VRXUNARY0 */
    [0x12] = { "", FV, K_UNARY },          /* VXUNARY0 */
    [0x14] = { "", FV, K_UNARY },          /* VMUNARY0 */
    [0x17] = { "vcompress", FV, K_COMPRESS },
    [0x18] = { "vmandn", FV, K_MM },       [0x19] = { "vmand", FV, K_MM },
    [0x1a] = { "vmor", FV, K_MM },         [0x1b] = { "vmxor", FV, K_MM },
    [0x1c] = { "vmorn", FV, K_MM },        [0x1d] = { "vmnand", FV, K_MM },
    [0x1e] = { "vmnor", FV, K_MM },        [0x1f] = { "vmxnor", FV, K_MM },
    [0x20] = { "vdivu", FV | FX, K_BIN },  [0x21] = { "vdiv", FV | FX, K_BIN },
    [0x22] = { "vremu", FV | FX, K_BIN },  [0x23] = { "vrem", FV | FX, K_BIN },
    [0x24] = { "vmulhu", FV | FX, K_BIN }, [0x25] = { "vmul", FV | FX, K_BIN },
    [0x26] = { "vmulhsu", FV | FX, K_BIN }, [0x27] = { "vmulh", FV | FX, K_BIN },
    [0x29] = { "vmadd", FV | FX, K_FMA },  [0x2b] = { "vnmsub", FV | FX, K_FMA },
    [0x2d] = { "vmacc", FV | FX, K_FMA },  [0x2f] = { "vnmsac", FV | FX, K_FMA },
    [0x30] = { "vwaddu", FV | FX, K_BIN }, [0x31] = { "vwadd", FV | FX, K_BIN },
    [0x32] = { "vwsubu", FV | FX, K_BIN }, [0x33] = { "vwsub", FV | FX, K_BIN },
    [0x34] = { "vwaddu", FV | FX, K_WBIN }, [0x35] = { "vwadd", FV | FX, K_WBIN },
    [0x36] = { "vwsubu", FV | FX, K_WBIN }, [0x37] = { "vwsub", FV | FX, K_WBIN },
    [0x38] = { "vwmulu", FV | FX, K_BIN }, [0x3a] = { "vwmulsu", FV | FX, K_BIN },
    [0x3b] = { "vwmul", FV | FX, K_BIN },
    [0x3c] = { "vwmaccu", FV | FX, K_FMA }, [0x3d] = { "vwmacc", FV | FX, K_FMA },
    [0x3e] = { "vwmaccus", FX, K_FMA },    [0x3f] = { "vwmaccsu", FV | FX, K_FMA },
};

/* OPF funct6 (§19 table "OPFVV/OPFVF"); FX stands for .vf here. */
static const struct vop opf[64] = {
    [0x00] = { "vfadd", FV | FX, K_BIN },    [0x01] = { "vfredusum", FV, K_RED },
    [0x02] = { "vfsub", FV | FX, K_BIN },    [0x03] = { "vfredosum", FV, K_RED },
    [0x04] = { "vfmin", FV | FX, K_BIN },    [0x05] = { "vfredmin", FV, K_RED },
    [0x06] = { "vfmax", FV | FX, K_BIN },    [0x07] = { "vfredmax", FV, K_RED },
    [0x08] = { "vfsgnj", FV | FX, K_BIN },   [0x09] = { "vfsgnjn", FV | FX, K_BIN },
    [0x0a] = { "vfsgnjx", FV | FX, K_BIN },
    [0x0e] = { "vfslide1up", FX, K_BIN },    [0x0f] = { "vfslide1down", FX, K_BIN },
    [0x10] = { "", FV | FX, K_UNARY },       /* VWFUNARY0 / VRFUNARY0 */
    [0x12] = { "", FV, K_UNARY },            /* VFUNARY0 */
    [0x13] = { "", FV, K_UNARY },            /* VFUNARY1 */
    [0x17] = { "vfmerge", FX, K_FMERGE },
    [0x18] = { "vmfeq", FV | FX, K_BIN },    [0x19] = { "vmfle", FV | FX, K_BIN },
    [0x1b] = { "vmflt", FV | FX, K_BIN },    [0x1c] = { "vmfne", FV | FX, K_BIN },
    [0x1d] = { "vmfgt", FX, K_BIN },         [0x1f] = { "vmfge", FX, K_BIN },
    [0x20] = { "vfdiv", FV | FX, K_BIN },    [0x21] = { "vfrdiv", FX, K_BIN },
    [0x24] = { "vfmul", FV | FX, K_BIN },    [0x27] = { "vfrsub", FX, K_BIN },
    [0x28] = { "vfmadd", FV | FX, K_FMA },   [0x29] = { "vfnmadd", FV | FX, K_FMA },
    [0x2a] = { "vfmsub", FV | FX, K_FMA },   [0x2b] = { "vfnmsub", FV | FX, K_FMA },
    [0x2c] = { "vfmacc", FV | FX, K_FMA },   [0x2d] = { "vfnmacc", FV | FX, K_FMA },
    [0x2e] = { "vfmsac", FV | FX, K_FMA },   [0x2f] = { "vfnmsac", FV | FX, K_FMA },
    [0x30] = { "vfwadd", FV | FX, K_BIN },   [0x31] = { "vfwredusum", FV, K_RED },
    [0x32] = { "vfwsub", FV | FX, K_BIN },   [0x33] = { "vfwredosum", FV, K_RED },
    [0x34] = { "vfwadd", FV | FX, K_WBIN },  [0x36] = { "vfwsub", FV | FX, K_WBIN },
    [0x38] = { "vfwmul", FV | FX, K_BIN },
    [0x3c] = { "vfwmacc", FV | FX, K_FMA },  [0x3d] = { "vfwnmacc", FV | FX, K_FMA },
    [0x3e] = { "vfwmsac", FV | FX, K_FMA },  [0x3f] = { "vfwnmsac", FV | FX, K_FMA },
};

/* VXUNARY0 (OPMVV 0x12) by vs1, VMUNARY0 (OPMVV 0x14) by vs1, VFUNARY0
 * (OPFVV 0x12) and VFUNARY1 (OPFVV 0x13) by vs1: "vd, vs2" forms. */
static const char *const vxunary0[32] = {
    [2] = "vzext.vf8", [3] = "vsext.vf8", [4] = "vzext.vf4", [5] = "vsext.vf4",
    [6] = "vzext.vf2", [7] = "vsext.vf2",
};
static const char *const vmunary0[32] = {
    [1] = "vmsbf.m", [2] = "vmsof.m", [3] = "vmsif.m", [16] = "viota.m", /* 17: vid.v */
};
static const char *const vfunary0[32] = {
    [0] = "vfcvt.xu.f.v",       [1] = "vfcvt.x.f.v",        [2] = "vfcvt.f.xu.v",
    [3] = "vfcvt.f.x.v",        [6] = "vfcvt.rtz.xu.f.v",   [7] = "vfcvt.rtz.x.f.v",
    [8] = "vfwcvt.xu.f.v",      [9] = "vfwcvt.x.f.v",       [10] = "vfwcvt.f.xu.v",
    [11] = "vfwcvt.f.x.v",      [12] = "vfwcvt.f.f.v",      [14] = "vfwcvt.rtz.xu.f.v",
    [15] = "vfwcvt.rtz.x.f.v",  [16] = "vfncvt.xu.f.w",     [17] = "vfncvt.x.f.w",
    [18] = "vfncvt.f.xu.w",     [19] = "vfncvt.f.x.w",      [20] = "vfncvt.f.f.w",
    [21] = "vfncvt.rod.f.f.w",  [22] = "vfncvt.rtz.xu.f.w", [23] = "vfncvt.rtz.x.f.w",
};
static const char *const vfunary1[32] = {
    [0] = "vfsqrt.v", [4] = "vfrsqrt7.v", [5] = "vfrec7.v", [16] = "vfclass.v",
};

/* The unary sub-tables; f3 = the OP-V funct3. */
static bool unary(struct out *o, uint32_t raw, unsigned f3, unsigned f6)
{
    unsigned vd = bits(raw, 11, 7), s1 = bits(raw, 19, 15), vs2 = bits(raw, 24, 20);
    const char *const *t = NULL;
    switch (f3 << 8 | f6) {
    case 2 << 8 | 0x10: /* VWXUNARY0 */
        if (s1 == 0 && bits(raw, 25, 25)) put(o, "vmv.x.s %s,v%u", X(vd), vs2);
        else if (s1 == 0x10) put(o, "vcpop.m %s,v%u%s", X(vd), vs2, M(raw));
        else if (s1 == 0x11) put(o, "vfirst.m %s,v%u%s", X(vd), vs2, M(raw));
        else return false;
        return true;
    case 6 << 8 | 0x10: /* VRXUNARY0 */
        if (vs2 || !bits(raw, 25, 25)) return false;
        put(o, "vmv.s.x v%u,%s", vd, X(s1));
        return true;
    case 1 << 8 | 0x10: /* VWFUNARY0 */
        if (s1 || !bits(raw, 25, 25)) return false;
        put(o, "vfmv.f.s %s,v%u", F(vd), vs2);
        return true;
    case 5 << 8 | 0x10: /* VRFUNARY0 */
        if (vs2 || !bits(raw, 25, 25)) return false;
        put(o, "vfmv.s.f v%u,%s", vd, F(s1));
        return true;
    case 2 << 8 | 0x14: /* VMUNARY0 */
        if (s1 == 17) {
            if (vs2) return false;
            put(o, "vid.v v%u%s", vd, M(raw));
            return true;
        }
        t = vmunary0;
        break;
    case 2 << 8 | 0x12: t = vxunary0; break;
    case 1 << 8 | 0x12: t = vfunary0; break;
    case 1 << 8 | 0x13: t = vfunary1; break;
    }
    if (!t || !t[s1])
        return false;
    put(o, "%s v%u,v%u%s", t[s1], vd, vs2, M(raw));
    return true;
}

static bool opv(struct out *o, uint32_t raw)
{
    unsigned f3 = bits(raw, 14, 12), f6 = bits(raw, 31, 26), vm = bits(raw, 25, 25);
    unsigned vd = bits(raw, 11, 7), s1 = bits(raw, 19, 15), vs2 = bits(raw, 24, 20);
    const struct vop *op;
    unsigned form; /* FV, FX or FI */
    switch (f3) {
    case 0: op = &opi[f6]; form = FV; break; /* OPIVV */
    case 3: op = &opi[f6]; form = FI; break; /* OPIVI */
    case 4: op = &opi[f6]; form = FX; break; /* OPIVX */
    case 2: op = &opm[f6]; form = FV; break; /* OPMVV */
    case 6: op = &opm[f6]; form = FX; break; /* OPMVX */
    case 1: op = &opf[f6]; form = FV; break; /* OPFVV */
    case 5: op = &opf[f6]; form = FX; break; /* OPFVF */
    default: return false;
    }
    if (!op->kind || !(op->forms & form))
        return false;
    bool fp = f3 == 1 || f3 == 5;
    const char *name = op->name;
    if (f3 == 0 && f6 == 0x0e) /* OPIVV 001110: vrgatherei16.vv */
        name = "vrgatherei16";
    /* the third operand, as text */
    char src[16];
    int simm = (int)(s1 ^ 16) - 16;
    if (form == FV) snprintf(src, sizeof src, "v%u", s1);
    else if (form == FX) snprintf(src, sizeof src, "%s", fp ? F(s1) : X(s1));
    else if (op->kind == K_BINU || op->kind == K_NARROW) snprintf(src, sizeof src, "%u", s1);
    else snprintf(src, sizeof src, "%d", simm);
    char sfx = form == FV ? 'v' : form == FI ? 'i' : fp ? 'f' : 'x';

    switch (op->kind) {
    case K_BIN: case K_BINU:
        /* objdump's aliases */
        if (f3 == 4 && f6 == 0x03 && s1 == 0) { put(o, "vneg.v v%u,v%u%s", vd, vs2, M(raw)); return true; }
        if (f3 == 3 && f6 == 0x0b && simm == -1) { put(o, "vnot.v v%u,v%u%s", vd, vs2, M(raw)); return true; }
        if (f3 == 6 && (f6 == 0x30 || f6 == 0x31) && s1 == 0) {
            put(o, "vwcvt%s.x.x.v v%u,v%u%s", f6 == 0x30 ? "u" : "", vd, vs2, M(raw));
            return true;
        }
        if (f3 == 1 && (f6 == 0x09 || f6 == 0x0a) && s1 == vs2) {
            put(o, "%s.v v%u,v%u%s", f6 == 0x09 ? "vfneg" : "vfabs", vd, vs2, M(raw));
            return true;
        }
        put(o, "%s.v%c v%u,v%u,%s%s", name, sfx, vd, vs2, src, M(raw));
        return true;
    case K_WBIN:
        put(o, "%s.w%c v%u,v%u,%s%s", name, sfx, vd, vs2, src, M(raw));
        return true;
    case K_NARROW:
        if (f3 == 4 && f6 == 0x2c && s1 == 0) { put(o, "vncvt.x.x.w v%u,v%u%s", vd, vs2, M(raw)); return true; }
        put(o, "%s.w%c v%u,v%u,%s%s", name, sfx, vd, vs2, src, M(raw));
        return true;
    case K_RED:
        put(o, "%s.vs v%u,v%u,v%u%s", name, vd, vs2, s1, M(raw));
        return true;
    case K_MM:
        if (!vm) return false;
        if (f6 == 0x19 && s1 == vs2) put(o, "vmmv.m v%u,v%u", vd, vs2);
        else if (f6 == 0x1b && s1 == vd && vs2 == vd) put(o, "vmclr.m v%u", vd);
        else if (f6 == 0x1f && s1 == vd && vs2 == vd) put(o, "vmset.m v%u", vd);
        else if (f6 == 0x1d && s1 == vs2) put(o, "vmnot.m v%u,v%u", vd, vs2);
        else put(o, "%s.mm v%u,v%u,v%u", name, vd, vs2, s1);
        return true;
    case K_FMA:
        put(o, "%s.v%c v%u,%s,v%u%s", name, sfx, vd, src, vs2, M(raw));
        return true;
    case K_CARRY:
        if (vm) return false;
        put(o, "%s.v%cm v%u,v%u,%s,v0", name, sfx, vd, vs2, src);
        return true;
    case K_MCARRY:
        if (vm) put(o, "%s.v%c v%u,v%u,%s", name, sfx, vd, vs2, src);
        else put(o, "%s.v%cm v%u,v%u,%s,v0", name, sfx, vd, vs2, src);
        return true;
    case K_MERGE:
        if (!vm) put(o, "vmerge.v%cm v%u,v%u,%s,v0", sfx, vd, vs2, src);
        else if (vs2 == 0) put(o, "vmv.v.%c v%u,%s", sfx, vd, src);
        else return false;
        return true;
    case K_FMERGE:
        if (!vm) put(o, "vfmerge.vfm v%u,v%u,%s,v0", vd, vs2, src);
        else if (vs2 == 0) put(o, "vfmv.v.f v%u,%s", vd, src);
        else return false;
        return true;
    case K_COMPRESS:
        if (!vm) return false;
        put(o, "vcompress.vm v%u,v%u,v%u", vd, vs2, s1);
        return true;
    case K_SMUL:
        if (form != FI) {
            put(o, "vsmul.v%c v%u,v%u,%s%s", sfx, vd, vs2, src, M(raw));
            return true;
        }
        /* vmv<nr>r.v: simm5 = nr - 1 (1, 2, 4, 8 registers), unmasked */
        if (!vm || (s1 != 0 && s1 != 1 && s1 != 3 && s1 != 7)) return false;
        put(o, "vmv%ur.v v%u,v%u", s1 + 1, vd, vs2);
        return true;
    case K_UNARY:
        return unary(o, raw, f3, f6);
    }
    return false;
}

size_t rv_disasm_vec(uint32_t raw, char *buf, size_t len)
{
    struct out o = { buf, len, 0 };
    if (len)
        buf[0] = 0;
    bool ok;
    if ((raw & 0x7f) == 0x57)
        ok = bits(raw, 14, 12) == 7 ? vset(&o, raw) : opv(&o, raw);
    else
        ok = vmem(&o, raw);
    if (!ok) {
        if (len)
            buf[0] = 0;
        return 0;
    }
    return o.n;
}
