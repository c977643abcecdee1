/* RV64GC + Zba/Zbb/Zbs (+ the optional extensions of isa.h) decoder: raw instruction -> struct rv_dinsn.
 * Formats and opcode maps: RISC-V unprivileged spec 20191213, chapter 24
 * ("RV32/64G Instruction Set Listings") and chapter 16 (RVC, Tables
 * 16.4-16.7). Bit-manipulation: Zba/Zbb/Zbs 1.0.0. */
#include <stdint.h>
#include <string.h>
#include "rv_hart.h"
#include "rv_ops.h"
#include "isa.h"

static const char *const op_names[RV_OP_COUNT] = {
#define RV_OP_NAME(n) #n,
    RV_OP_LIST(RV_OP_NAME)
#undef RV_OP_NAME
};

const char *rv_op_name(enum rv_op op)
{
    return (unsigned)op < RV_OP_COUNT ? op_names[op] : "?";
}

/* Field extraction. */
static inline uint32_t bits(uint32_t x, int hi, int lo) { return (x >> lo) & ((1u << (hi - lo + 1)) - 1); }
static inline int32_t sext(uint32_t x, int width) { return (int32_t)(x << (32 - width)) >> (32 - width); }

/* Immediates of the base formats (unpriv spec §2.3, Figure 2.4). */
static int32_t imm_i(uint32_t r) { return (int32_t)r >> 20; }
static int32_t imm_s(uint32_t r) { return sext((bits(r, 31, 25) << 5) | bits(r, 11, 7), 12); }
static int32_t imm_b(uint32_t r)
{
    uint32_t v = (bits(r, 31, 31) << 12) | (bits(r, 7, 7) << 11) | (bits(r, 30, 25) << 5) | (bits(r, 11, 8) << 1);
    return sext(v, 13);
}
static int32_t imm_u(uint32_t r) { return (int32_t)(r & 0xfffff000u); }
static int32_t imm_j(uint32_t r)
{
    uint32_t v = (bits(r, 31, 31) << 20) | (bits(r, 19, 12) << 12) | (bits(r, 20, 20) << 11) | (bits(r, 30, 21) << 1);
    return sext(v, 21);
}

static void set(struct rv_dinsn *d, enum rv_op op, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm)
{
    d->op = (uint8_t)op;
    d->rd = (uint8_t)(rd == 0 ? 32 : rd); /* x0 writes land in the sink */
    d->rs1 = (uint8_t)rs1;
    d->rs2 = (uint8_t)rs2;
    d->imm = imm;
}

/* OP (0x33) and OP-32 (0x3b): keyed by funct7 and funct3. */
struct rop { uint8_t f7, f3; uint16_t op; };
static const struct rop op_table[] = {
    { 0x00, 0, RV_OP_ADD }, { 0x20, 0, RV_OP_SUB }, { 0x00, 1, RV_OP_SLL }, { 0x00, 2, RV_OP_SLT },
    { 0x00, 3, RV_OP_SLTU }, { 0x00, 4, RV_OP_XOR }, { 0x00, 5, RV_OP_SRL }, { 0x20, 5, RV_OP_SRA },
    { 0x00, 6, RV_OP_OR }, { 0x00, 7, RV_OP_AND },
    { 0x01, 0, RV_OP_MUL }, { 0x01, 1, RV_OP_MULH }, { 0x01, 2, RV_OP_MULHSU }, { 0x01, 3, RV_OP_MULHU },
    { 0x01, 4, RV_OP_DIV }, { 0x01, 5, RV_OP_DIVU }, { 0x01, 6, RV_OP_REM }, { 0x01, 7, RV_OP_REMU },
    /* Zba */
    { 0x10, 2, RV_OP_SH1ADD }, { 0x10, 4, RV_OP_SH2ADD }, { 0x10, 6, RV_OP_SH3ADD },
    /* Zbb */
    { 0x20, 7, RV_OP_ANDN }, { 0x20, 6, RV_OP_ORN }, { 0x20, 4, RV_OP_XNOR },
    { 0x05, 6, RV_OP_MAX }, { 0x05, 7, RV_OP_MAXU }, { 0x05, 4, RV_OP_MIN }, { 0x05, 5, RV_OP_MINU },
    { 0x30, 1, RV_OP_ROL }, { 0x30, 5, RV_OP_ROR },
    /* Zbs */
    { 0x24, 1, RV_OP_BCLR }, { 0x24, 5, RV_OP_BEXT }, { 0x34, 1, RV_OP_BINV }, { 0x14, 1, RV_OP_BSET },
};
static const struct rop op32_table[] = {
    { 0x00, 0, RV_OP_ADDW }, { 0x20, 0, RV_OP_SUBW }, { 0x00, 1, RV_OP_SLLW }, { 0x00, 5, RV_OP_SRLW },
    { 0x20, 5, RV_OP_SRAW },
    { 0x01, 0, RV_OP_MULW }, { 0x01, 4, RV_OP_DIVW }, { 0x01, 5, RV_OP_DIVUW }, { 0x01, 6, RV_OP_REMW },
    { 0x01, 7, RV_OP_REMUW },
    { 0x04, 0, RV_OP_ADD_UW }, { 0x10, 2, RV_OP_SH1ADD_UW }, { 0x10, 4, RV_OP_SH2ADD_UW },
    { 0x10, 6, RV_OP_SH3ADD_UW },
    { 0x30, 1, RV_OP_ROLW }, { 0x30, 5, RV_OP_RORW },
};

/* Optional extensions in OP / OP-32 (isa.h): an entry counts when one of
 * the extensions in `ext` is enabled. Zicond 1.0 (czero.*), Bitmanip 1.0 Zbc
 * and Scalar Crypto 1.0 Zbkb/Zbkc/Zbkx (their instruction listings). */
struct rop_ext { uint8_t f7, f3; uint16_t op; uint32_t ext; };
static const struct rop_ext op_ext_table[] = {
    { 0x07, 5, RV_OP_CZERO_EQZ, RV_EXT_ZICOND }, { 0x07, 7, RV_OP_CZERO_NEZ, RV_EXT_ZICOND },
    { 0x05, 1, RV_OP_CLMUL, RV_EXT_ZBC | RV_EXT_ZBKC },
    { 0x05, 3, RV_OP_CLMULH, RV_EXT_ZBC | RV_EXT_ZBKC }, { 0x05, 2, RV_OP_CLMULR, RV_EXT_ZBC },
    { 0x04, 4, RV_OP_PACK, RV_EXT_ZBKB }, { 0x04, 7, RV_OP_PACKH, RV_EXT_ZBKB },
    { 0x14, 2, RV_OP_XPERM4, RV_EXT_ZBKX }, { 0x14, 4, RV_OP_XPERM8, RV_EXT_ZBKX },
};
static const struct rop_ext op32_ext_table[] = {
    { 0x04, 4, RV_OP_PACKW, RV_EXT_ZBKB }, /* rs2 = x0 is zext.h (Zbb), the same result */
};

static int lookup_rop_ext(const struct rop_ext *t, size_t n, uint32_t f7, uint32_t f3, uint32_t ext)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].f7 == f7 && t[i].f3 == f3 && (t[i].ext & ext))
            return t[i].op;
    return RV_OP_ILLEGAL;
}

static int lookup_rop(const struct rop *t, size_t n, uint32_t f7, uint32_t f3)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].f7 == f7 && t[i].f3 == f3)
            return t[i].op;
    return RV_OP_ILLEGAL;
}

static void decode32(struct rv_dinsn *d, uint32_t r, uint32_t ext)
{
    unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15), rs2 = bits(r, 24, 20);
    unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25);
    d->len = 4;
    set(d, RV_OP_ILLEGAL, rd, rs1, rs2, 0);

    switch (bits(r, 6, 0)) {
    case 0x37: set(d, RV_OP_LUI, rd, 0, 0, imm_u(r)); break;
    case 0x17: set(d, RV_OP_AUIPC, rd, 0, 0, imm_u(r)); break;
    case 0x6f: set(d, RV_OP_JAL, rd, 0, 0, imm_j(r)); break;
    case 0x67:
        if (f3 == 0)
            set(d, RV_OP_JALR, rd, rs1, 0, imm_i(r));
        break;
    case 0x63: {
        static const uint16_t br[8] = { RV_OP_BEQ, RV_OP_BNE, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
                                        RV_OP_BLT, RV_OP_BGE, RV_OP_BLTU, RV_OP_BGEU };
        set(d, br[f3], 0, rs1, rs2, imm_b(r));
        break;
    }
    case 0x03: {
        static const uint16_t ld[8] = { RV_OP_LB, RV_OP_LH, RV_OP_LW, RV_OP_LD,
                                        RV_OP_LBU, RV_OP_LHU, RV_OP_LWU, RV_OP_ILLEGAL };
        set(d, ld[f3], rd, rs1, 0, imm_i(r));
        break;
    }
    case 0x23: {
        static const uint16_t st[8] = { RV_OP_SB, RV_OP_SH, RV_OP_SW, RV_OP_SD,
                                        RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL };
        set(d, st[f3], 0, rs1, rs2, imm_s(r));
        break;
    }
    case 0x13: { /* OP-IMM */
        int32_t imm = imm_i(r);
        unsigned sh = bits(r, 25, 20), f6 = bits(r, 31, 26);
        switch (f3) {
        case 0: set(d, RV_OP_ADDI, rd, rs1, 0, imm); break;
        case 2: set(d, RV_OP_SLTI, rd, rs1, 0, imm); break;
        case 3: set(d, RV_OP_SLTIU, rd, rs1, 0, imm); break;
        case 4: set(d, RV_OP_XORI, rd, rs1, 0, imm); break;
        case 6: set(d, RV_OP_ORI, rd, rs1, 0, imm); break;
        case 7: set(d, RV_OP_ANDI, rd, rs1, 0, imm); break;
        case 1:
            if (f6 == 0x00) set(d, RV_OP_SLLI, rd, rs1, 0, (int32_t)sh);
            else if (f6 == 0x12) set(d, RV_OP_BCLRI, rd, rs1, 0, (int32_t)sh);
            else if (f6 == 0x1a) set(d, RV_OP_BINVI, rd, rs1, 0, (int32_t)sh);
            else if (f6 == 0x0a) set(d, RV_OP_BSETI, rd, rs1, 0, (int32_t)sh);
            else if (f7 == 0x30) { /* Zbb unary: rs2 field selects */
                static const uint16_t un[8] = { RV_OP_CLZ, RV_OP_CTZ, RV_OP_CPOP, RV_OP_ILLEGAL,
                                                RV_OP_SEXT_B, RV_OP_SEXT_H, RV_OP_ILLEGAL, RV_OP_ILLEGAL };
                set(d, rs2 < 8 ? un[rs2] : RV_OP_ILLEGAL, rd, rs1, 0, 0);
            }
            break;
        case 5:
            if (f6 == 0x00) set(d, RV_OP_SRLI, rd, rs1, 0, (int32_t)sh);
            else if (f6 == 0x10) set(d, RV_OP_SRAI, rd, rs1, 0, (int32_t)sh);
            else if (f6 == 0x18) set(d, RV_OP_RORI, rd, rs1, 0, (int32_t)sh);
            else if (f6 == 0x12) set(d, RV_OP_BEXTI, rd, rs1, 0, (int32_t)sh);
            else if (bits(r, 31, 20) == 0x287) set(d, RV_OP_ORC_B, rd, rs1, 0, 0);
            else if (bits(r, 31, 20) == 0x6b8) set(d, RV_OP_REV8, rd, rs1, 0, 0);
            else if (bits(r, 31, 20) == 0x687 && (ext & RV_EXT_ZBKB)) set(d, RV_OP_BREV8, rd, rs1, 0, 0);
            break;
        }
        break;
    }
    case 0x1b: { /* OP-IMM-32 */
        unsigned sh = bits(r, 24, 20);
        if (f3 == 0) set(d, RV_OP_ADDIW, rd, rs1, 0, imm_i(r));
        else if (f3 == 1 && f7 == 0x00) set(d, RV_OP_SLLIW, rd, rs1, 0, (int32_t)sh);
        else if (f3 == 1 && bits(r, 31, 26) == 0x02) set(d, RV_OP_SLLI_UW, rd, rs1, 0, (int32_t)bits(r, 25, 20));
        else if (f3 == 1 && f7 == 0x30) {
            static const uint16_t un[3] = { RV_OP_CLZW, RV_OP_CTZW, RV_OP_CPOPW };
            set(d, rs2 < 3 ? un[rs2] : RV_OP_ILLEGAL, rd, rs1, 0, 0);
        }
        else if (f3 == 5 && f7 == 0x00) set(d, RV_OP_SRLIW, rd, rs1, 0, (int32_t)sh);
        else if (f3 == 5 && f7 == 0x20) set(d, RV_OP_SRAIW, rd, rs1, 0, (int32_t)sh);
        else if (f3 == 5 && f7 == 0x30) set(d, RV_OP_RORIW, rd, rs1, 0, (int32_t)sh);
        break;
    }
    case 0x33:
        /* (zext.h's OP encoding is RV32-only; on RV64 it is Zbkb pack: illegal) */
        set(d, lookup_rop(op_table, sizeof op_table / sizeof op_table[0], f7, f3), rd, rs1, rs2, 0);
        if (d->op == RV_OP_ILLEGAL)
            set(d, lookup_rop_ext(op_ext_table, sizeof op_ext_table / sizeof op_ext_table[0], f7, f3, ext),
                rd, rs1, rs2, 0);
        break;
    case 0x3b:
        set(d, lookup_rop(op32_table, sizeof op32_table / sizeof op32_table[0], f7, f3), rd, rs1, rs2, 0);
        if (d->op == RV_OP_ILLEGAL)
            set(d, lookup_rop_ext(op32_ext_table, sizeof op32_ext_table / sizeof op32_ext_table[0], f7, f3,
                                  ext),
                rd, rs1, rs2, 0);
        if (f7 == 0x04 && f3 == 4 && rs2 == 0)
            set(d, RV_OP_ZEXT_H, rd, rs1, 0, 0); /* zext.h = packw rs2=x0 (Zbb, RV64) */
        break;
    case 0x0f:
        if (f3 == 0) set(d, RV_OP_FENCE, 0, 0, 0, 0);
        else if (f3 == 1) set(d, RV_OP_FENCE_I, 0, 0, 0, 0);
        else if (f3 == 2 && rd == 0) {
            /* CMO 1.0 cbo.*: MISC-MEM funct3 2, the operation in imm[11:0] */
            unsigned f12 = bits(r, 31, 20);
            if ((ext & RV_EXT_ZICBOM) && f12 <= 2) {
                static const uint16_t cbo[3] = { RV_OP_CBO_INVAL, RV_OP_CBO_CLEAN, RV_OP_CBO_FLUSH };
                set(d, cbo[f12], 0, rs1, 0, 0);
            } else if ((ext & RV_EXT_ZICBOZ) && f12 == 4) {
                set(d, RV_OP_CBO_ZERO, 0, rs1, 0, 0);
            }
        }
        break;
    case 0x73: /* SYSTEM */
        if (f3 == 0) {
            if (r == 0x00000073) set(d, RV_OP_ECALL, 0, 0, 0, 0);
            else if (r == 0x00100073) set(d, RV_OP_EBREAK, 0, 0, 0, 0);
            else if (r == 0x30200073) set(d, RV_OP_MRET, 0, 0, 0, 0);
            else if (r == 0x10200073) set(d, RV_OP_SRET, 0, 0, 0, 0);
            else if (r == 0x10500073) set(d, RV_OP_WFI, 0, 0, 0, 0);
            /* Zawrs 1.01: SYSTEM, funct12 0x00d / 0x01d, rs1 = rd = 0 */
            else if ((ext & RV_EXT_ZAWRS) && r == 0x00d00073) set(d, RV_OP_WRS_NTO, 0, 0, 0, 0);
            else if ((ext & RV_EXT_ZAWRS) && r == 0x01d00073) set(d, RV_OP_WRS_STO, 0, 0, 0, 0);
            else if (f7 == 0x09 && rd == 0) set(d, RV_OP_SFENCE_VMA, 0, rs1, rs2, 0);
            else if (f7 == 0x11 && rd == 0) set(d, RV_OP_HFENCE_VVMA, 0, rs1, rs2, 0);
            else if (f7 == 0x31 && rd == 0) set(d, RV_OP_HFENCE_GVMA, 0, rs1, rs2, 0);
        } else if (f3 == 4) {
            /* Hypervisor loads/stores (priv 20211203 §8.3.2): funct7 gives the
             * width, rs2 the variant for loads (0 signed, 1 unsigned, 3 HLVX). */
            static const struct { uint8_t f7, rs2; uint16_t op; } hlsv[] = {
                { 0x30, 0, RV_OP_HLV_B }, { 0x30, 1, RV_OP_HLV_BU }, { 0x32, 0, RV_OP_HLV_H },
                { 0x32, 1, RV_OP_HLV_HU }, { 0x32, 3, RV_OP_HLVX_HU }, { 0x34, 0, RV_OP_HLV_W },
                { 0x34, 1, RV_OP_HLV_WU }, { 0x34, 3, RV_OP_HLVX_WU }, { 0x36, 0, RV_OP_HLV_D },
            };
            for (size_t i = 0; i < sizeof hlsv / sizeof hlsv[0]; i++)
                if (f7 == hlsv[i].f7 && rs2 == hlsv[i].rs2)
                    set(d, hlsv[i].op, rd, rs1, 0, 0);
            static const uint16_t hsv[4] = { RV_OP_HSV_B, RV_OP_HSV_H, RV_OP_HSV_W, RV_OP_HSV_D };
            if ((f7 & 0x71) == 0x31 && rd == 0)
                set(d, hsv[(f7 >> 1) & 3], 0, rs1, rs2, 0);
        } else {
            static const uint16_t csr[8] = { 0, RV_OP_CSRRW, RV_OP_CSRRS, RV_OP_CSRRC,
                                             0, RV_OP_CSRRWI, RV_OP_CSRRSI, RV_OP_CSRRCI };
            set(d, csr[f3], rd, rs1, 0, (int32_t)bits(r, 31, 20));
        }
        break;
    case 0x2f: { /* AMO */
        unsigned f5 = bits(r, 31, 27);
        if (f3 != 2 && f3 != 3)
            break;
        bool dw = f3 == 3;
        if (f5 == AMO_LR) {
            if (rs2 == 0) set(d, dw ? RV_OP_LR_D : RV_OP_LR_W, rd, rs1, 0, 0);
        } else if (f5 == AMO_SC) {
            set(d, dw ? RV_OP_SC_D : RV_OP_SC_W, rd, rs1, rs2, 0);
        } else if (f5 == AMO_ADD || f5 == AMO_SWAP || f5 == AMO_XOR || f5 == AMO_OR ||
                   f5 == AMO_AND || f5 == AMO_MIN || f5 == AMO_MAX || f5 == AMO_MINU ||
                   f5 == AMO_MAXU) {
            set(d, dw ? RV_OP_AMO_D : RV_OP_AMO_W, rd, rs1, rs2, 0);
        }
        break;
    }
    case 0x07: /* LOAD-FP */
        if ((ext & RV_EXT_V) && (f3 == 0 || f3 >= 5)) { /* V 1.0 §7.3: vector widths */
            set(d, RV_OP_VEC, 0, 0, 0, 0);
            break;
        }
        if (f3 == 1 && (ext & (RV_EXT_ZFHMIN | RV_EXT_ZFH))) set(d, RV_OP_FLH, rd, rs1, 0, imm_i(r));
        else if (f3 == 2) set(d, RV_OP_FLW, rd, rs1, 0, imm_i(r));
        else if (f3 == 3) set(d, RV_OP_FLD, rd, rs1, 0, imm_i(r));
        d->rd = (uint8_t)rd; /* f registers: f0 is a real register */
        break;
    case 0x27: /* STORE-FP */
        if ((ext & RV_EXT_V) && (f3 == 0 || f3 >= 5)) {
            set(d, RV_OP_VEC, 0, 0, 0, 0);
            break;
        }
        if (f3 == 1 && (ext & (RV_EXT_ZFHMIN | RV_EXT_ZFH))) set(d, RV_OP_FSH, 0, rs1, rs2, imm_s(r));
        else if (f3 == 2) set(d, RV_OP_FSW, 0, rs1, rs2, imm_s(r));
        else if (f3 == 3) set(d, RV_OP_FSD, 0, rs1, rs2, imm_s(r));
        break;
    case 0x57: /* OP-V (V 1.0): vector.c decodes the rest */
        if (ext & RV_EXT_V)
            set(d, RV_OP_VEC, 0, 0, 0, 0);
        break;
    case 0x43: case 0x47: case 0x4b: case 0x4f: case 0x53:
        set(d, RV_OP_FP, rd, rs1, rs2, 0);
        break;
    }
}

/* RVC register fields rd'/rs1'/rs2' name x8..x15 (unpriv spec Table 16.2). */
static unsigned creg(uint32_t r, int lo) { return 8 + bits(r, lo + 2, lo); }

/* Expands a 16-bit instruction (unpriv spec chapter 16, RV64C). Reserved and
 * illegal encodings stay RV_OP_ILLEGAL. */
static void decode16(struct rv_dinsn *d, uint32_t r)
{
    unsigned f3 = bits(r, 15, 13);
    unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
    set(d, RV_OP_ILLEGAL, 0, 0, 0, 0);
    d->len = 2;

    switch (bits(r, 1, 0) << 3 | f3) {
    /* Quadrant 0 */
    case 000: { /* C.ADDI4SPN */
        uint32_t imm = (bits(r, 10, 7) << 6) | (bits(r, 12, 11) << 4) | (bits(r, 5, 5) << 3) | (bits(r, 6, 6) << 2);
        if (imm)
            set(d, RV_OP_ADDI, creg(r, 2), 2, 0, (int32_t)imm);
        break;
    }
    case 001: /* C.FLD */
        set(d, RV_OP_FLD, 0, creg(r, 7), 0, (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6)));
        d->rd = (uint8_t)creg(r, 2);
        break;
    case 002: /* C.LW */
        set(d, RV_OP_LW, creg(r, 2), creg(r, 7), 0,
            (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 6)));
        break;
    case 003: /* C.LD */
        set(d, RV_OP_LD, creg(r, 2), creg(r, 7), 0, (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6)));
        break;
    case 005: /* C.FSD */
        set(d, RV_OP_FSD, 0, creg(r, 7), creg(r, 2), (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6)));
        break;
    case 006: /* C.SW */
        set(d, RV_OP_SW, 0, creg(r, 7), creg(r, 2),
            (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 6)));
        break;
    case 007: /* C.SD */
        set(d, RV_OP_SD, 0, creg(r, 7), creg(r, 2), (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6)));
        break;

    /* Quadrant 1 */
    case 010: /* C.ADDI / C.NOP */
        set(d, RV_OP_ADDI, rd, rd, 0, sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6));
        break;
    case 011: /* C.ADDIW (rd != 0) */
        if (rd)
            set(d, RV_OP_ADDIW, rd, rd, 0, sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6));
        break;
    case 012: /* C.LI */
        set(d, RV_OP_ADDI, rd, 0, 0, sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6));
        break;
    case 013:
        if (rd == 2) { /* C.ADDI16SP */
            uint32_t imm = (bits(r, 12, 12) << 9) | (bits(r, 4, 3) << 7) | (bits(r, 5, 5) << 6) |
                           (bits(r, 2, 2) << 5) | (bits(r, 6, 6) << 4);
            if (imm)
                set(d, RV_OP_ADDI, 2, 2, 0, sext(imm, 10));
        } else { /* C.LUI */
            uint32_t imm = (bits(r, 12, 12) << 17) | (bits(r, 6, 2) << 12);
            if (imm)
                set(d, RV_OP_LUI, rd, 0, 0, sext(imm, 18));
        }
        break;
    case 014: {
        unsigned rs1c = creg(r, 7);
        unsigned sh = (bits(r, 12, 12) << 5) | bits(r, 6, 2);
        switch (bits(r, 11, 10)) {
        case 0: set(d, RV_OP_SRLI, rs1c, rs1c, 0, (int32_t)sh); break;
        case 1: set(d, RV_OP_SRAI, rs1c, rs1c, 0, (int32_t)sh); break;
        case 2: set(d, RV_OP_ANDI, rs1c, rs1c, 0, sext(sh, 6)); break;
        case 3: {
            static const uint16_t ops[8] = { RV_OP_SUB, RV_OP_XOR, RV_OP_OR, RV_OP_AND,
                                             RV_OP_SUBW, RV_OP_ADDW, RV_OP_ILLEGAL, RV_OP_ILLEGAL };
            set(d, ops[(bits(r, 12, 12) << 2) | bits(r, 6, 5)], rs1c, rs1c, creg(r, 2), 0);
            break;
        }
        }
        break;
    }
    case 015: { /* C.J */
        uint32_t imm = (bits(r, 12, 12) << 11) | (bits(r, 8, 8) << 10) | (bits(r, 10, 9) << 8) |
                       (bits(r, 6, 6) << 7) | (bits(r, 7, 7) << 6) | (bits(r, 2, 2) << 5) |
                       (bits(r, 11, 11) << 4) | (bits(r, 5, 3) << 1);
        set(d, RV_OP_JAL, 0, 0, 0, sext(imm, 12));
        break;
    }
    case 016: case 017: { /* C.BEQZ / C.BNEZ */
        uint32_t imm = (bits(r, 12, 12) << 8) | (bits(r, 6, 5) << 6) | (bits(r, 2, 2) << 5) |
                       (bits(r, 11, 10) << 3) | (bits(r, 4, 3) << 1);
        set(d, f3 == 6 ? RV_OP_BEQ : RV_OP_BNE, 0, creg(r, 7), 0, sext(imm, 9));
        break;
    }

    /* Quadrant 2 */
    case 020: /* C.SLLI */
        set(d, RV_OP_SLLI, rd, rd, 0, (int32_t)((bits(r, 12, 12) << 5) | bits(r, 6, 2)));
        break;
    case 021: /* C.FLDSP */
        set(d, RV_OP_FLD, 0, 2, 0, (int32_t)((bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) | (bits(r, 4, 2) << 6)));
        d->rd = (uint8_t)rd;
        break;
    case 022: /* C.LWSP (rd != 0) */
        if (rd)
            set(d, RV_OP_LW, rd, 2, 0,
                (int32_t)((bits(r, 12, 12) << 5) | (bits(r, 6, 4) << 2) | (bits(r, 3, 2) << 6)));
        break;
    case 023: /* C.LDSP (rd != 0) */
        if (rd)
            set(d, RV_OP_LD, rd, 2, 0,
                (int32_t)((bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) | (bits(r, 4, 2) << 6)));
        break;
    case 024:
        if (!bits(r, 12, 12)) {
            if (rs2 == 0) { if (rd) set(d, RV_OP_JALR, 0, rd, 0, 0); } /* C.JR */
            else set(d, RV_OP_ADD, rd, 0, rs2, 0);                    /* C.MV */
        } else {
            if (rd == 0 && rs2 == 0) set(d, RV_OP_EBREAK, 0, 0, 0, 0); /* C.EBREAK */
            else if (rs2 == 0) set(d, RV_OP_JALR, 1, rd, 0, 0);       /* C.JALR */
            else set(d, RV_OP_ADD, rd, rd, rs2, 0);                    /* C.ADD */
        }
        break;
    case 025: /* C.FSDSP */
        set(d, RV_OP_FSD, 0, 2, rs2, (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6)));
        break;
    case 026: /* C.SWSP */
        set(d, RV_OP_SW, 0, 2, rs2, (int32_t)((bits(r, 12, 9) << 2) | (bits(r, 8, 7) << 6)));
        break;
    case 027: /* C.SDSP */
        set(d, RV_OP_SD, 0, 2, rs2, (int32_t)((bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6)));
        break;
    }
}

void rv_decode_ext(struct rv_dinsn *d, uint32_t raw, uint32_t ext)
{
    memset(d, 0, sizeof(*d));
    if ((raw & 3) == 3) {
        d->raw = raw;
        decode32(d, raw, ext);
    } else {
        d->raw = raw & 0xffff;
        decode16(d, raw & 0xffff);
    }
}

void rv_decode(struct rv_dinsn *d, uint32_t raw)
{
    rv_decode_ext(d, raw, 0);
}
