/* x86 instruction decoder (Intel SDM vol. 2 ch. 2 "Instruction Format",
 * App. A "Opcode Map"): prefixes, REX, opcode maps, ModRM/SIB,
 * displacement and immediates into struct x86_insn. The opcode knowledge
 * lives in the tables of optab.c; this file only walks the format.
 *
 * Checked against capstone by tests/x86/decode_xcheck.c (make x86-xcheck).
 * VEX (SDM vol. 2 §2.3): only the BMI1/BMI2 general-purpose forms (ANDN,
 * BEXTR, BLSI, BLSMSK, BLSR, BZHI, MULX, PDEP, PEXT, RORX, SARX, SHLX,
 * SHRX; vex_bmi() below).
 * Not decoded (X86_DEC_INVALID): other VEX and EVEX (AVX), AMD 3DNow!
 * (0F 0E, 0F 0F), AMD SSE4a (66/F2 0F 78/79, F2/F3 0F 2B are MOVNTPS),
 * VIA PadLock (0F A6/A7), CET shadow-stack forms, MOVDIRI/MOVDIR64B,
 * PTWRITE, WAITPKG. Decoded more permissively than the SDM's blank cells:
 * an F2/F3 that selects no form is ignored (F3 0F 28 is MOVAPS), reserved
 * hint NOPs (0F 18 register forms, 0F 19-1F), any rm for LFENCE/MFENCE/
 * SFENCE/XABORT/XBEGIN register forms, x87 alias cells (optab.c).
 * F2 0F 38 F0 CRC32 r, r/m8 reports the operand size of the destination
 * (4 or 8), not 1: the interpreter knows F0 is the byte form. */
#include <string.h>

#include "cpu/x86/insn.h"
#include "cpu/x86/optab.h"

#define MAX_LEN 15   /* SDM vol. 2 §2.3.11 */

/* The row that applies after ModRM and the prefixes are known. */
struct resolved {
    uint32_t f;
    const char *mn;   /* NULL: #UD */
    uint8_t mandatory; /* the prefix that selected the form, or 0 */
};

static const struct x86_opdesc *map_row(unsigned map, uint8_t op, unsigned cs)
{
    switch (map) {
    case X86_MAP_0F: return &x86_map0f[op];
    case X86_MAP_0F38: return &x86_map0f38[op];
    case X86_MAP_0F3A: return &x86_map0f3a[op];
    default:
        if (op == 0x63 && cs == 8)
            return &x86_movsxd;
        return &x86_map1[op];
    }
}

/* Picks the group entry and the prefix form (optab.h describes the rules). */
static struct resolved resolve(const struct x86_opdesc *row, uint8_t op, uint8_t modrm,
                               uint8_t rep, int has66)
{
    struct resolved r = { row->f, NULL, 0 };
    if ((row->f & X86F_NP) && (rep || has66))
        return r;
    unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7;
    if (row->f & X86F_X87) {
        r.mn = mod == 3 ? x86_x87_reg[op - 0xd8][modrm & 0x3f]
                        : x86_x87_mem[op - 0xd8][reg];
        r.f = X86F_M;
        return r;
    }
    const struct x86_opdesc *d = row;
    if (row->f & X86F_GRP) {
        const struct x86_group *g = &x86_groups[X86F_GRPIDX(row->f)];
        if (mod != 3)
            d = &g->m[reg];
        else if (g->rm)
            d = &g->rm[modrm & 0x3f];
        else
            d = g->regsame ? &g->m[reg] : &g->r[reg];
        r.f = d->f | X86F_M;
        /* an "NP" group member (Group 15: FXSAVE..XRSTOR, LFENCE/MFENCE/
         * SFENCE): 66/F2/F3 make it #UD, as the row-level check above */
        if ((d->f & X86F_NP) && (rep || has66))
            return r;
    }
    unsigned k = rep == 0xf3 ? 2 : rep == 0xf2 ? 3 : 0;
    if (k && d->mn[k]) {
        r.mn = d->mn[k];
        r.mandatory = rep;
    } else if (has66 && d->mn[1]) {
        r.mn = d->mn[1];
        r.mandatory = 0x66;
    } else {
        r.mn = d->mn[0];
    }
    return r;
}

/* Operand size (SDM vol. 1 §3.6, vol. 2 §2.2.1.2 and App. A.2.5). */
static unsigned operand_size(uint32_t f, unsigned cs, int has66, int rexw)
{
    unsigned sz = f & X86F_SZ_MASK;
    if (sz == X86F_B)
        return 1;
    if (cs == 8) {
        if (sz == X86F_F64 || rexw)
            return 8;
        if (sz == X86F_D64)
            return has66 ? 2 : 8;
        return has66 ? 2 : 4;
    }
    return has66 ? 6 - cs : cs;
}

/* ModRM 16-bit forms (SDM vol. 2 Table 2-1): base, index per rm. */
static const uint8_t rm16_base[8] = { 3, 3, 5, 5, X86_REG_NONE, X86_REG_NONE, 5, 3 };
static const uint8_t rm16_index[8] = { 6, 7, 6, 7, 6, 7, X86_REG_NONE, X86_REG_NONE };

static uint64_t read_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
    if (bytes == 0)
        return 0;
    if (bytes >= 8)
        return (int64_t)v;
    unsigned sh = 64 - 8 * bytes;
    return (int64_t)(v << sh) >> sh;
}

/* Bytes [0, k) must exist: an instruction longer than 15 bytes is #GP
 * whatever follows; else more bytes are needed. */
/* The BMI1/BMI2 instructions of SDM vol. 2 (App. A Table VEX
 * rows): map, opcode, VEX.pp -> mnemonic (NULL: not one). reg: ModRM.reg
 * for the F3 group (BLSR /1, BLSMSK /2, BLSI /3). */
static const char *vex_bmi(unsigned map, uint8_t op, unsigned pp, unsigned reg)
{
    static const char *const f3grp[8] = { NULL, "blsr", "blsmsk", "blsi" };
    if (map == X86_MAP_0F3A)
        return op == 0xf0 && pp == 3 ? "rorx" : NULL;
    if (map != X86_MAP_0F38)
        return NULL;
    switch (op) {
    case 0xf2: return pp == 0 ? "andn" : NULL;
    case 0xf3: return pp == 0 ? f3grp[reg & 7] : NULL;
    case 0xf5: return pp == 0 ? "bzhi" : pp == 2 ? "pext" : pp == 3 ? "pdep" : NULL;
    case 0xf6: return pp == 3 ? "mulx" : NULL;
    case 0xf7: { static const char *const n[4] = { "bextr", "shlx", "sarx", "shrx" }; return n[pp]; }
    default: return NULL;
    }
}

#define NEED(k)                                                               \
    do {                                                                      \
        if ((k) > MAX_LEN)                                                    \
            return X86_DEC_TOO_LONG;                                          \
        if ((k) > n)                                                          \
            return X86_DEC_TRUNCATED;                                         \
    } while (0)

int x86_decode(const uint8_t *p, size_t n, unsigned cs, struct x86_insn *o)
{
    memset(o, 0, sizeof *o);
    o->seg = X86_SEG_NONE;
    o->base = o->index = X86_REG_NONE;
    o->code_size = (uint8_t)cs;
    if (cs != 2 && cs != 4 && cs != 8)
        return X86_DEC_INVALID;

    /* Legacy prefixes in any order (SDM vol. 2 §2.1.1); REX counts only
     * right before the opcode (§2.2.1): a legacy prefix after it cancels it. */
    size_t i = 0;
    uint8_t rex = 0, pf = 0, rep = 0, seg = X86_SEG_NONE;
    for (;;) {
        NEED(i + 1);
        uint8_t b = p[i];
        switch (b) {
        case 0xf0: pf |= X86_PFX_LOCK; break;
        case 0xf2: pf |= X86_PFX_REPNE; rep = b; break;
        case 0xf3: pf |= X86_PFX_REP; rep = b; break;
        case 0x66: pf |= X86_PFX_OPSIZE; break;
        case 0x67: pf |= X86_PFX_ADDRSIZE; break;
        /* ES/CS/SS/DS overrides are ignored in 64-bit mode (§2.2.1.2...
         * vol. 1 §3.3.7.1); FS/GS stay. */
        case 0x26: if (cs != 8) seg = X86_ES; break;
        case 0x2e: if (cs != 8) seg = X86_CS; break;
        case 0x36: if (cs != 8) seg = X86_SS; break;
        case 0x3e: if (cs != 8) seg = X86_DS; break;
        case 0x64: seg = X86_FS; break;
        case 0x65: seg = X86_GS; break;
        default:
            if (cs == 8 && (b & 0xf0) == 0x40) {
                rex = b;
                i++;
                continue;
            }
            goto opcode;
        }
        rex = 0;
        i++;
    }
opcode:;
    unsigned map = X86_MAP_1;
    uint8_t op = p[i++];
    if (op == 0x0f) {
        NEED(i + 1);
        op = p[i++];
        map = X86_MAP_0F;
        if (op == 0x38 || op == 0x3a) {
            map = op == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
            NEED(i + 1);
            op = p[i++];
        }
    }
    /* VEX (SDM vol. 2 §2.3.5): C4/C5, always in 64-bit mode, else when
     * the next byte has mod == 11 (LES/LDS otherwise) */
    unsigned vex = 0, vvvv = 0;
    uint8_t vpp = 0;
    if (map == X86_MAP_1 && (op == 0xc4 || op == 0xc5)) {
        NEED(i + 1);
        if (cs == 8 || (p[i] >> 6) == 3) {
            vex = op;
            /* 66/F2/F3/LOCK or REX before VEX: #UD (§2.3.2) */
            if ((pf & (X86_PFX_LOCK | X86_PFX_REP | X86_PFX_REPNE | X86_PFX_OPSIZE)) || rex)
                return X86_DEC_INVALID;
            unsigned b1 = p[i], w = 0, mm = 1, l, r, xx = 0, bb = 0;
            /* the BMI instructions live in maps 0F38 and 0F3A: C5 (map 0F)
             * and other C4 maps are invalid here without more bytes */
            if (op == 0xc5 || ((b1 & 0x1f) != 2 && (b1 & 0x1f) != 3))
                return X86_DEC_INVALID;
            if (op == 0xc5) {
                r = !(b1 & 0x80);
                vvvv = (~b1 >> 3) & 15;
                l = (b1 >> 2) & 1;
                vpp = b1 & 3;
                i += 1;
            } else {
                NEED(i + 2);
                unsigned b2 = p[i + 1];
                r = !(b1 & 0x80);
                xx = !(b1 & 0x40);
                bb = !(b1 & 0x20);
                mm = b1 & 0x1f;
                w = b2 >> 7;
                vvvv = (~b2 >> 3) & 15;
                l = (b2 >> 2) & 1;
                vpp = b2 & 3;
                i += 2;
            }
            if (cs != 8) { /* R, X, B, vvvv[3] do not exist outside 64-bit mode */
                r = xx = bb = 0;
                vvvv &= 7;
            }
            NEED(i + 1);
            op = p[i++];
            map = mm == 2 ? X86_MAP_0F38 : mm == 3 ? X86_MAP_0F3A : 0xff;
            NEED(i + 1); /* ModRM: every BMI form has one */
            if (l || !vex_bmi(map, op, vpp, (p[i] >> 3) & 7))
                return X86_DEC_INVALID;
            if (map == X86_MAP_0F3A && vvvv)
                return X86_DEC_INVALID; /* RORX: VEX.vvvv must be 1111b */
            rex = (uint8_t)(0x40 | w << 3 | r << 2 | xx << 1 | bb);
            if (cs != 8)
                rex = (uint8_t)(w << 3); /* only W is kept (it is ignored below 64-bit) */
        }
    }
    const struct x86_opdesc *row = map_row(map == 0xff ? X86_MAP_1 : map, op, cs);
    if (!vex && cs == 8 && (row->f & X86F_I64))
        return X86_DEC_INVALID;
    if (map == X86_MAP_1 && (op == 0xc4 || op == 0xc5 || op == 0x62)) {
        /* VEX (C4/C5) and EVEX (62) share these opcodes with LES/LDS/BOUND
         * outside 64-bit mode: mod == 11 there selects VEX/EVEX (SDM vol. 2
         * §2.3.5, §2.6). Neither is implemented. */
        NEED(i + 1);
        if ((p[i] >> 6) == 3)
            return X86_DEC_INVALID;
    }

    uint8_t modrm = 0;
    int has_modrm = vex || (row->f & X86F_M) != 0;
    if (has_modrm) {
        NEED(i + 1);
        modrm = p[i++];
    }
    int has66 = (pf & X86_PFX_OPSIZE) != 0;
    struct resolved r;
    if (vex) {
        static const uint8_t pp_prefix[4] = { 0, 0x66, 0xf3, 0xf2 };
        r.f = X86F_M | (map == X86_MAP_0F3A ? X86F_IB : 0);
        r.mn = "vex";
        r.mandatory = pp_prefix[vpp];
        has66 = 0;
    } else {
        r = resolve(row, op, modrm, rep, has66);
    }
    uint32_t f = r.f;
    if (!r.mn)
        return X86_DEC_INVALID;
    if (!vex && ((cs == 8 && (f & X86F_I64)) || (cs != 8 && (f & X86F_O64))))
        return X86_DEC_INVALID;

    o->map = (uint8_t)map;
    o->opcode = op;
    o->prefixes = pf;
    o->rep = rep;
    o->seg = seg;
    o->rex = vex && cs != 8 ? 0 : rex;
    o->mandatory = r.mandatory;
    o->opsize = (uint8_t)operand_size(f, cs, has66 && r.mandatory != 0x66,
                                      (rex & 8) && !(f & X86F_W32));
    if (vex) {
        o->vex = (uint8_t)vex;
        o->vvvv = (uint8_t)vvvv;
        o->opsize = cs == 8 && (rex & 8) ? 8 : 4; /* VEX.W; 32-bit outside 64-bit mode */
    }
    unsigned as = cs;
    if (pf & X86_PFX_ADDRSIZE)
        as = cs == 8 ? 4 : 6 - cs;
    o->addrsize = (uint8_t)as;

    if (f & X86F_PR)
        o->reg = (op & 7) | ((rex & 1) << 3);

    if (has_modrm) {
        unsigned mod = modrm >> 6, rm = modrm & 7;
        if (f & X86F_CR)
            mod = 3;
        o->flags |= X86_I_MODRM;
        o->modrm = modrm;
        o->mod = (uint8_t)mod;
        o->reg = (uint8_t)(((modrm >> 3) & 7) | ((rex & 4) << 1));
        o->rm = (uint8_t)(rm | ((rex & 1) << 3));
        if (mod == 3 ? (f & X86F_MO) : (f & X86F_RO))
            return X86_DEC_INVALID;
        if (mod != 3) {
            o->flags |= X86_I_MEM;
            unsigned dsz = 0;
            if (as == 2) {
                /* SDM vol. 2 Table 2-1 */
                if (mod == 0 && rm == 6) {
                    dsz = 2;
                } else {
                    o->base = rm16_base[rm];
                    o->index = rm16_index[rm];
                    dsz = mod == 1 ? 1 : mod == 2 ? 2 : 0;
                }
            } else {
                /* SDM vol. 2 Tables 2-2 and 2-3; REX.B/X extend (§2.2.1.2) */
                dsz = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                if (rm == 4) {
                    NEED(i + 1);
                    uint8_t sib = p[i++];
                    unsigned idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
                    unsigned base = (sib & 7) | ((rex & 1) << 3);
                    o->scale = sib >> 6;
                    o->index = idx == 4 ? X86_REG_NONE : (uint8_t)idx;
                    /* base 101 with mod 00: disp32, no base (REX.B ignored) */
                    if ((sib & 7) == 5 && mod == 0)
                        dsz = 4;
                    else
                        o->base = (uint8_t)base;
                } else if (mod == 0 && rm == 5) {
                    dsz = 4;   /* RIP-relative in 64-bit mode (§2.2.1.6) */
                    if (cs == 8)
                        o->base = X86_REG_RIP;
                } else {
                    o->base = o->rm;
                }
            }
            NEED(i + dsz);
            o->disp = sext(read_le(p + i, dsz), dsz);
            i += dsz;
        }
    }

    unsigned isz = 0, isz2 = 0;
    switch (f & X86F_IMM_MASK) {
    case X86F_IB: isz = 1; break;
    case X86F_IW: isz = 2; break;
    case X86F_IZ: isz = o->opsize == 2 ? 2 : 4; break;
    case X86F_IV: isz = o->opsize; break;
    case X86F_IWB: isz = 2; isz2 = 1; break;
    case X86F_AP: isz = o->opsize == 2 ? 2 : 4; isz2 = 2; break;
    case X86F_MOFFS:
        /* moffs: an address-size offset, zero-extended (SDM "MOV" A0-A3) */
        NEED(i + as);
        o->disp = (int64_t)read_le(p + i, as);
        o->flags |= X86_I_MEM;
        i += as;
        break;
    }
    if (isz) {
        NEED(i + isz + isz2);
        o->imm = (uint64_t)sext(read_le(p + i, isz), isz);
        o->imm_size = (uint8_t)isz;
        o->imm2 = read_le(p + i + isz, isz2);
        i += isz + isz2;
    }

    /* LOCK: only lockable instructions with a memory destination, else #UD
     * (SDM vol. 2 "LOCK") */
    if ((pf & X86_PFX_LOCK) && !((f & X86F_LK) && (o->flags & X86_I_MEM)))
        return X86_DEC_INVALID;
    if (f & X86F_LK)
        o->flags |= X86_I_LOCKABLE;
    o->len = (uint8_t)i;
    return (int)i;
}

const char *x86_mnemonic(const struct x86_insn *in)
{
    unsigned cs = in->code_size;
    if (in->len == 0 || (cs != 2 && cs != 4 && cs != 8))
        return "(bad)";
    if (in->vex) {
        unsigned pp = in->mandatory == 0x66 ? 1 : in->mandatory == 0xf3 ? 2 : in->mandatory == 0xf2 ? 3 : 0;
        const char *mn = vex_bmi(in->map, in->opcode, pp, in->modrm >> 3);
        return mn ? mn : "(bad)";
    }
    const struct x86_opdesc *row = map_row(in->map, in->opcode, cs);
    int has66 = (in->prefixes & X86_PFX_OPSIZE) != 0;
    struct resolved r = resolve(row, in->opcode, in->modrm, in->rep, has66);
    if (!r.mn)
        return "(bad)";
    if (in->map == X86_MAP_1 && in->opcode == 0x90 && in->reg == 0)
        return in->rep == 0xf3 ? "pause" : "nop";   /* xchg eax,eax */
    if (strchr(r.mn, '/')) {
        for (unsigned k = 0; k < x86_nvariants; k++) {
            const struct x86_variant *v = &x86_variants[k];
            if (strcmp(v->key, r.mn) == 0) {
                unsigned sz = v->by_addr ? in->addrsize : in->opsize;
                return v->v[sz == 2 ? 0 : sz == 4 ? 1 : 2];
            }
        }
        return "(bad)";
    }
    return r.mn;
}
