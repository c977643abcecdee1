/* RISC-V disassembler on top of rv_decode (decode.c). The decoder gives the
 * operation and its operands; this file only chooses how to print them.
 * Floating-point arithmetic decodes to the single op RV_OP_FP, so its
 * mnemonic comes from the raw bits here (unpriv spec 20191213 chapters 11-12
 * and the opcode map in chapter 24). Pseudo-instructions are the ones GNU
 * objdump prints (unpriv spec chapter 25, Tables 25.2-25.3). */
#include "disasm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rv_hart.h"
#include "rv_ops.h"
#include "isa.h"
#include "disasm_out.h"

/* ---- names ---- */

static const char *const xregs[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const fregs[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3",
    "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
    "ft8", "ft9", "ft10", "ft11",
};

const char *rv_xreg_name(unsigned r)
{
    /* The decoder turns rd = x0 into 32, the write sink. */
    return r < 32 ? xregs[r] : r == 32 ? xregs[0] : "?";
}

const char *rv_freg_name(unsigned r) { return r < 32 ? fregs[r] : "?"; }

/* CSR names (priv 1.12 Tables 2.2-2.6, Sstc, H extension chapter 8, V 1.0 §3). */
static const struct { uint16_t num; const char *name; } csr_names[] = {
    { 0x001, "fflags" },     { 0x002, "frm" },          { 0x003, "fcsr" },
    { 0x008, "vstart" },     { 0x009, "vxsat" },        { 0x00a, "vxrm" },
    { 0x00f, "vcsr" },       { 0x015, "seed" },
    { 0x100, "sstatus" },    { 0x104, "sie" },          { 0x105, "stvec" },
    { 0x106, "scounteren" }, { 0x10a, "senvcfg" },      { 0x140, "sscratch" },
    { 0x141, "sepc" },       { 0x142, "scause" },       { 0x143, "stval" },
    { 0x144, "sip" },        { 0x14d, "stimecmp" },     { 0x150, "siselect" },
    { 0x151, "sireg" },      { 0x15c, "stopei" },       { 0x180, "satp" },
    { 0x200, "vsstatus" },   { 0x204, "vsie" },         { 0x205, "vstvec" },
    { 0x240, "vsscratch" },  { 0x241, "vsepc" },        { 0x242, "vscause" },
    { 0x243, "vstval" },     { 0x244, "vsip" },         { 0x24d, "vstimecmp" },
    { 0x280, "vsatp" },
    { 0x300, "mstatus" },    { 0x301, "misa" },         { 0x302, "medeleg" },
    { 0x303, "mideleg" },    { 0x304, "mie" },          { 0x305, "mtvec" },
    { 0x306, "mcounteren" }, { 0x30a, "menvcfg" },      { 0x320, "mcountinhibit" },
    { 0x340, "mscratch" },   { 0x341, "mepc" },         { 0x342, "mcause" },
    { 0x343, "mtval" },      { 0x344, "mip" },          { 0x34a, "mtinst" },
    { 0x350, "miselect" },   { 0x351, "mireg" },        { 0x35c, "mtopei" },
    { 0x34b, "mtval2" },     { 0x600, "hstatus" },      { 0x602, "hedeleg" },
    { 0x603, "hideleg" },    { 0x604, "hie" },          { 0x605, "htimedelta" },
    { 0x606, "hcounteren" }, { 0x607, "hgeie" },        { 0x60a, "henvcfg" },
    { 0x643, "htval" },      { 0x644, "hip" },          { 0x645, "hvip" },
    { 0x64a, "htinst" },     { 0x680, "hgatp" },        { 0x747, "mseccfg" },
    { 0x7a0, "tselect" },    { 0x7a1, "tdata1" },       { 0x7a2, "tdata2" },
    { 0x7a3, "tdata3" },     { 0x7a4, "tinfo" },        { 0x7a5, "tcontrol" },
    { 0x7a8, "mcontext" },   { 0x6a8, "hcontext" },     { 0x5a8, "scontext" },
    { 0x7b0, "dcsr" },         { 0x7b1, "dpc" },
    { 0x7b2, "dscratch0" },  { 0x7b3, "dscratch1" },    { 0xb00, "mcycle" },
    { 0xb02, "minstret" },   { 0xc00, "cycle" },        { 0xc01, "time" },
    { 0xc02, "instret" },    { 0xc20, "vl" },           { 0xc21, "vtype" },
    { 0xc22, "vlenb" },    { 0xda0, "scountovf" },    { 0xdb0, "stopi" },
    { 0xe12, "hgeip" },      { 0xfb0, "mtopi" },        { 0xf11, "mvendorid" },
    { 0xf12, "marchid" },    { 0xf13, "mimpid" },       { 0xf14, "mhartid" },
    { 0xf15, "mconfigptr" },
};

/* Numbered CSR families: name prefix, first number, first index, count. */
static const struct { const char *prefix; uint16_t base; uint8_t first, count; } csr_ranges[] = {
    { "pmpcfg", 0x3a0, 0, 16 },      { "pmpaddr", 0x3b0, 0, 64 },
    { "mhpmcounter", 0xb03, 3, 29 }, { "hpmcounter", 0xc03, 3, 29 },
    { "mhpmevent", 0x323, 3, 29 },   { "sstateen", 0x10c, 0, 4 },
    { "mstateen", 0x30c, 0, 4 },     { "hstateen", 0x60c, 0, 4 },
};

bool rv_csr_name(unsigned csr, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof csr_names / sizeof csr_names[0]; i++)
        if (csr_names[i].num == csr) {
            snprintf(buf, len, "%s", csr_names[i].name);
            return true;
        }
    for (size_t i = 0; i < sizeof csr_ranges / sizeof csr_ranges[0]; i++)
        if (csr >= csr_ranges[i].base && csr < csr_ranges[i].base + csr_ranges[i].count) {
            snprintf(buf, len, "%s%u", csr_ranges[i].prefix,
                     csr - csr_ranges[i].base + csr_ranges[i].first);
            return true;
        }
    snprintf(buf, len, "0x%03x", csr);
    return false;
}

const char *rv_cause_name(uint64_t cause)
{
    static const char *const irqs[] = {
        [1] = "SSI", [2] = "VSSI", [3] = "MSI", [5] = "STI", [6] = "VSTI", [7] = "MTI",
        [9] = "SEI", [10] = "VSEI", [11] = "MEI", [12] = "SGEI", [13] = "LCOFI",
    };
    static const char *const excs[] = {
        [0] = "insn-misaligned",        [1] = "insn-access-fault",
        [2] = "illegal-insn",           [3] = "breakpoint",
        [4] = "load-misaligned",        [5] = "load-access-fault",
        [6] = "store-misaligned",       [7] = "store-access-fault",
        [8] = "ecall-U",                [9] = "ecall-S",
        [10] = "ecall-VS",              [11] = "ecall-M",
        [12] = "insn-page-fault",       [13] = "load-page-fault",
        [15] = "store-page-fault",      [20] = "insn-guest-page-fault",
        [21] = "load-guest-page-fault", [22] = "virtual-insn",
        [23] = "store-guest-page-fault",
    };
    uint64_t code = cause & ~(1ull << 63);
    if (cause >> 63)
        return code < sizeof irqs / sizeof irqs[0] ? irqs[code] : NULL;
    return code < sizeof excs / sizeof excs[0] ? excs[code] : NULL;
}

const char *rv_priv_name(uint64_t priv)
{
    switch (priv) {
    case PRV_U: return "U";
    case PRV_S: return "S";
    case PRV_M: return "M";
    case 4 + PRV_U: return "VU"; /* V=1 adds 4 in trace records */
    case 4 + PRV_S: return "VS";
    default: return NULL;
    }
}

/* ---- output ---- */

/* struct out, put(): disasm_out.h */

/* Mnemonic of a decoder op: its name lower-cased with '_' -> '.'
 * (SH1ADD_UW -> sh1add.uw, LR_W -> lr.w, SFENCE_VMA -> sfence.vma). */
static void op_mnemonic(enum rv_op op, char *m, size_t len)
{
    const char *s = rv_op_name(op);
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        m[i] = s[i] == '_' ? '.' : (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    m[i] = 0;
}

static const char *X(unsigned r) { return rv_xreg_name(r); }
static const char *F(unsigned r) { return rv_freg_name(r & 31); }
static uint32_t bits(uint32_t x, int hi, int lo) { return (x >> lo) & ((1u << (hi - lo + 1)) - 1); }

/* ---- operand layouts, one per decoder op ---- */

enum layout {
    L_UNKNOWN = 0, L_NONE, L_R, L_I, L_UNARY, L_LOAD, L_STORE, L_FLOAD, L_FSTORE,
    L_BRANCH, L_UPPER, L_JAL, L_JALR, L_CSR, L_CSRI, L_LR, L_SC, L_AMO, L_FP,
    L_FENCE, L_SFENCE, L_HLOAD, L_HSTORE, L_CBO, L_VEC,
};

static const uint8_t layouts[RV_OP_COUNT] = {
    [RV_OP_NOP] = L_NONE,
    [RV_OP_LUI] = L_UPPER, [RV_OP_AUIPC] = L_UPPER, [RV_OP_JAL] = L_JAL, [RV_OP_JALR] = L_JALR,
    [RV_OP_BEQ] = L_BRANCH, [RV_OP_BNE] = L_BRANCH, [RV_OP_BLT] = L_BRANCH,
    [RV_OP_BGE] = L_BRANCH, [RV_OP_BLTU] = L_BRANCH, [RV_OP_BGEU] = L_BRANCH,
    [RV_OP_LB] = L_LOAD, [RV_OP_LH] = L_LOAD, [RV_OP_LW] = L_LOAD, [RV_OP_LD] = L_LOAD,
    [RV_OP_LBU] = L_LOAD, [RV_OP_LHU] = L_LOAD, [RV_OP_LWU] = L_LOAD,
    [RV_OP_SB] = L_STORE, [RV_OP_SH] = L_STORE, [RV_OP_SW] = L_STORE, [RV_OP_SD] = L_STORE,
    [RV_OP_ADDI] = L_I, [RV_OP_SLTI] = L_I, [RV_OP_SLTIU] = L_I, [RV_OP_XORI] = L_I,
    [RV_OP_ORI] = L_I, [RV_OP_ANDI] = L_I, [RV_OP_SLLI] = L_I, [RV_OP_SRLI] = L_I,
    [RV_OP_SRAI] = L_I,
    [RV_OP_ADD] = L_R, [RV_OP_SUB] = L_R, [RV_OP_SLL] = L_R, [RV_OP_SLT] = L_R,
    [RV_OP_SLTU] = L_R, [RV_OP_XOR] = L_R, [RV_OP_SRL] = L_R, [RV_OP_SRA] = L_R,
    [RV_OP_OR] = L_R, [RV_OP_AND] = L_R,
    [RV_OP_ADDIW] = L_I, [RV_OP_SLLIW] = L_I, [RV_OP_SRLIW] = L_I, [RV_OP_SRAIW] = L_I,
    [RV_OP_ADDW] = L_R, [RV_OP_SUBW] = L_R, [RV_OP_SLLW] = L_R, [RV_OP_SRLW] = L_R,
    [RV_OP_SRAW] = L_R,
    [RV_OP_FENCE] = L_FENCE, [RV_OP_FENCE_I] = L_NONE, [RV_OP_ECALL] = L_NONE,
    [RV_OP_EBREAK] = L_NONE, [RV_OP_MRET] = L_NONE, [RV_OP_SRET] = L_NONE,
    [RV_OP_WFI] = L_NONE, [RV_OP_SFENCE_VMA] = L_SFENCE,
    [RV_OP_WRS_NTO] = L_NONE, [RV_OP_WRS_STO] = L_NONE,
    [RV_OP_CSRRW] = L_CSR, [RV_OP_CSRRS] = L_CSR, [RV_OP_CSRRC] = L_CSR,
    [RV_OP_CSRRWI] = L_CSRI, [RV_OP_CSRRSI] = L_CSRI, [RV_OP_CSRRCI] = L_CSRI,
    [RV_OP_MUL] = L_R, [RV_OP_MULH] = L_R, [RV_OP_MULHSU] = L_R, [RV_OP_MULHU] = L_R,
    [RV_OP_DIV] = L_R, [RV_OP_DIVU] = L_R, [RV_OP_REM] = L_R, [RV_OP_REMU] = L_R,
    [RV_OP_MULW] = L_R, [RV_OP_DIVW] = L_R, [RV_OP_DIVUW] = L_R, [RV_OP_REMW] = L_R,
    [RV_OP_REMUW] = L_R,
    [RV_OP_LR_W] = L_LR, [RV_OP_LR_D] = L_LR, [RV_OP_SC_W] = L_SC, [RV_OP_SC_D] = L_SC,
    [RV_OP_AMO_W] = L_AMO, [RV_OP_AMO_D] = L_AMO,
    [RV_OP_FLW] = L_FLOAD, [RV_OP_FLD] = L_FLOAD, [RV_OP_FSW] = L_FSTORE, [RV_OP_FSD] = L_FSTORE,
    [RV_OP_FP] = L_FP,
    [RV_OP_SH1ADD] = L_R, [RV_OP_SH2ADD] = L_R, [RV_OP_SH3ADD] = L_R, [RV_OP_ADD_UW] = L_R,
    [RV_OP_SH1ADD_UW] = L_R, [RV_OP_SH2ADD_UW] = L_R, [RV_OP_SH3ADD_UW] = L_R,
    [RV_OP_SLLI_UW] = L_I,
    [RV_OP_ANDN] = L_R, [RV_OP_ORN] = L_R, [RV_OP_XNOR] = L_R,
    [RV_OP_CLZ] = L_UNARY, [RV_OP_CLZW] = L_UNARY, [RV_OP_CTZ] = L_UNARY, [RV_OP_CTZW] = L_UNARY,
    [RV_OP_CPOP] = L_UNARY, [RV_OP_CPOPW] = L_UNARY,
    [RV_OP_MAX] = L_R, [RV_OP_MAXU] = L_R, [RV_OP_MIN] = L_R, [RV_OP_MINU] = L_R,
    [RV_OP_SEXT_B] = L_UNARY, [RV_OP_SEXT_H] = L_UNARY, [RV_OP_ZEXT_H] = L_UNARY,
    [RV_OP_ROL] = L_R, [RV_OP_ROLW] = L_R, [RV_OP_ROR] = L_R, [RV_OP_RORI] = L_I,
    [RV_OP_RORIW] = L_I, [RV_OP_RORW] = L_R, [RV_OP_ORC_B] = L_UNARY, [RV_OP_REV8] = L_UNARY,
    [RV_OP_BCLR] = L_R, [RV_OP_BCLRI] = L_I, [RV_OP_BEXT] = L_R, [RV_OP_BEXTI] = L_I,
    [RV_OP_BINV] = L_R, [RV_OP_BINVI] = L_I, [RV_OP_BSET] = L_R, [RV_OP_BSETI] = L_I,
    /* H extension (priv 20211203 §8.3.2) */
    [RV_OP_HLV_B] = L_HLOAD, [RV_OP_HLV_BU] = L_HLOAD, [RV_OP_HLV_H] = L_HLOAD,
    [RV_OP_HLV_HU] = L_HLOAD, [RV_OP_HLV_W] = L_HLOAD, [RV_OP_HLV_WU] = L_HLOAD,
    [RV_OP_HLV_D] = L_HLOAD, [RV_OP_HLVX_HU] = L_HLOAD, [RV_OP_HLVX_WU] = L_HLOAD,
    [RV_OP_HSV_B] = L_HSTORE, [RV_OP_HSV_H] = L_HSTORE, [RV_OP_HSV_W] = L_HSTORE,
    [RV_OP_HSV_D] = L_HSTORE, [RV_OP_HFENCE_VVMA] = L_SFENCE, [RV_OP_HFENCE_GVMA] = L_SFENCE,
    /* optional extensions (isa.h) */
    [RV_OP_CZERO_EQZ] = L_R, [RV_OP_CZERO_NEZ] = L_R, [RV_OP_CLMUL] = L_R, [RV_OP_CLMULH] = L_R,
    [RV_OP_CLMULR] = L_R, [RV_OP_PACK] = L_R, [RV_OP_PACKH] = L_R, [RV_OP_PACKW] = L_R,
    [RV_OP_BREV8] = L_UNARY, [RV_OP_XPERM4] = L_R, [RV_OP_XPERM8] = L_R,
    [RV_OP_CBO_CLEAN] = L_CBO, [RV_OP_CBO_FLUSH] = L_CBO, [RV_OP_CBO_INVAL] = L_CBO,
    [RV_OP_CBO_ZERO] = L_CBO, [RV_OP_FLH] = L_FLOAD, [RV_OP_FSH] = L_FSTORE,
    [RV_OP_VEC] = L_VEC, /* V 1.0: disasm_vec.c */
};

/* ---- floating point (unpriv spec chapters 11-12, Table 24.x "RV32F/RV64F/
 * RV32D/RV64D") ---- */

static const char fmt_suffix[3] = { 's', 'd', 'h' };
static const char *const rm_names[8] = { "rne", "rtz", "rdn", "rup", "rmm", NULL, NULL, "" };

/* ",rtz" when the rounding mode is static; nothing for dynamic. */
static bool put_rm(struct out *o, unsigned rm)
{
    if (!rm_names[rm])
        return false;
    if (rm != RM_DYN)
        put(o, ",%s", rm_names[rm]);
    return true;
}

static bool disasm_fp(struct out *o, uint32_t r)
{
    unsigned opc = bits(r, 6, 0), rd = bits(r, 11, 7), rm = bits(r, 14, 12);
    unsigned rs1 = bits(r, 19, 15), rs2 = bits(r, 24, 20), fmt = bits(r, 26, 25);
    unsigned f5 = bits(r, 31, 27);
    if (fmt == 3) /* quad precision: not implemented; half: Zfh */
        return false;
    char s = fmt_suffix[fmt];
    if (opc != 0x53) { /* R4: FMADD 0x43, FMSUB 0x47, FNMSUB 0x4b, FNMADD 0x4f */
        static const char *const r4[4] = { "fmadd", "fmsub", "fnmsub", "fnmadd" };
        if (!rm_names[rm])
            return false;
        put(o, "%s.%c %s,%s,%s,%s", r4[(opc - 0x43) >> 2], s, F(rd), F(rs1), F(rs2), F(f5));
        return put_rm(o, rm);
    }
    switch (f5) {
    case 0x00: case 0x01: case 0x02: case 0x03: {
        static const char *const ar[4] = { "fadd", "fsub", "fmul", "fdiv" };
        if (!rm_names[rm])
            return false;
        put(o, "%s.%c %s,%s,%s", ar[f5], s, F(rd), F(rs1), F(rs2));
        return put_rm(o, rm);
    }
    case 0x0b: /* FSQRT */
        if (rs2 != 0 || !rm_names[rm])
            return false;
        put(o, "fsqrt.%c %s,%s", s, F(rd), F(rs1));
        return put_rm(o, rm);
    case 0x04: { /* FSGNJ/FSGNJN/FSGNJX; rs1 == rs2 are fmv/fneg/fabs */
        static const char *const sg[3] = { "fsgnj", "fsgnjn", "fsgnjx" };
        static const char *const al[3] = { "fmv", "fneg", "fabs" };
        if (rm > 2)
            return false;
        if (rs1 == rs2)
            put(o, "%s.%c %s,%s", al[rm], s, F(rd), F(rs1));
        else
            put(o, "%s.%c %s,%s,%s", sg[rm], s, F(rd), F(rs1), F(rs2));
        return true;
    }
    case 0x05: /* FMIN/FMAX */
        if (rm > 1)
            return false;
        put(o, "%s.%c %s,%s,%s", rm ? "fmax" : "fmin", s, F(rd), F(rs1), F(rs2));
        return true;
    case 0x08: /* FCVT between S, D, H (Zfhmin); widening is exact: no rounding mode */
        if (rs2 > 2 || rs2 == fmt || !rm_names[rm])
            return false;
        put(o, "fcvt.%c.%c %s,%s", s, fmt_suffix[rs2], F(rd), F(rs1));
        return fmt == 1 || (fmt == 0 && rs2 == 2) || put_rm(o, rm);
    case 0x14: { /* FLE/FLT/FEQ */
        static const char *const cmp[3] = { "fle", "flt", "feq" };
        if (rm > 2)
            return false;
        put(o, "%s.%c %s,%s,%s", cmp[rm], s, X(rd), F(rs1), F(rs2));
        return true;
    }
    case 0x18: case 0x1a: { /* FCVT.int.fp / FCVT.fp.int */
        static const char *const it[4] = { "w", "wu", "l", "lu" };
        if (rs2 > 3 || !rm_names[rm])
            return false;
        if (f5 == 0x18) {
            put(o, "fcvt.%s.%c %s,%s", it[rs2], s, X(rd), F(rs1));
            return put_rm(o, rm);
        }
        put(o, "fcvt.%c.%s %s,%s", s, it[rs2], F(rd), X(rs1));
        /* int32 -> double is exact: objdump shows no rounding mode */
        return (fmt == 1 && rs2 < 2) || put_rm(o, rm);
    }
    case 0x1c: /* FMV.X.W/D, FCLASS */
        if (rs2 != 0 || rm > 1)
            return false;
        if (rm == 0)
            put(o, "fmv.x.%c %s,%s", "wdh"[fmt], X(rd), F(rs1));
        else
            put(o, "fclass.%c %s,%s", s, X(rd), F(rs1));
        return true;
    case 0x1e: /* FMV.W/D.X */
        if (rs2 != 0 || rm != 0)
            return false;
        put(o, "fmv.%c.x %s,%s", "wdh"[fmt], F(rd), X(rs1));
        return true;
    }
    return false;
}

/* ---- the rest ---- */

static void fence_set(char *p, unsigned set)
{
    static const char io[4] = { 'w', 'r', 'o', 'i' };
    size_t n = 0;
    for (int b = 3; b >= 0; b--)
        if (set >> b & 1)
            p[n++] = io[b];
    if (!n)
        p[n++] = '0';
    p[n] = 0;
}

/* objdump's names for CSR reads/writes of the counters and FP CSRs. */
static const char *csr_alias(unsigned csr, bool read)
{
    switch (csr) {
    case 0x001: return read ? "frflags" : "fsflags";
    case 0x002: return read ? "frrm" : "fsrm";
    case 0x003: return read ? "frcsr" : "fscsr";
    case 0xc00: return read ? "rdcycle" : NULL;
    case 0xc01: return read ? "rdtime" : NULL;
    case 0xc02: return read ? "rdinstret" : NULL;
    default: return NULL;
    }
}

static bool disasm_csr(struct out *o, const struct rv_dinsn *d, unsigned rd)
{
    unsigned csr = (unsigned)d->imm & 0xfff, src = d->rs1;
    char name[24];
    rv_csr_name(csr, name, sizeof name);
    switch (d->op) {
    case RV_OP_CSRRS:
        if (src == 0) {
            const char *a = csr_alias(csr, true);
            if (a)
                put(o, "%s %s", a, X(rd));
            else
                put(o, "csrr %s,%s", X(rd), name);
            return true;
        }
        if (rd == 0) {
            put(o, "csrs %s,%s", name, X(src));
            return true;
        }
        break;
    case RV_OP_CSRRW:
        if (rd == 0) {
            const char *a = csr_alias(csr, false);
            if (a)
                put(o, "%s %s", a, X(src));
            else
                put(o, "csrw %s,%s", name, X(src));
            return true;
        }
        break;
    case RV_OP_CSRRC:
        if (rd == 0) {
            put(o, "csrc %s,%s", name, X(src));
            return true;
        }
        break;
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        if (rd == 0) {
            static const char *const ia[3] = { "csrwi", "csrsi", "csrci" };
            put(o, "%s %s,%u", ia[d->op - RV_OP_CSRRWI], name, src);
            return true;
        }
        break;
    }
    char m[16];
    op_mnemonic((enum rv_op)d->op, m, sizeof m);
    if (layouts[d->op] == L_CSRI)
        put(o, "%s %s,%s,%u", m, X(rd), name, src);
    else
        put(o, "%s %s,%s,%s", m, X(rd), name, X(src));
    return true;
}

/* objdump's pseudo-instructions for integer ops (unpriv spec Table 25.2).
 * True when one was printed. */
static bool disasm_alias(struct out *o, const struct rv_dinsn *d, unsigned rd, uint64_t target)
{
    unsigned rs1 = d->rs1, rs2 = d->rs2;
    int32_t imm = d->imm;
    switch (d->op) {
    case RV_OP_ADDI:
        if (rd == 0 && rs1 == 0 && imm == 0) put(o, "nop");
        else if (rs1 == 0) put(o, "li %s,%d", X(rd), imm);
        else if (imm == 0) put(o, "mv %s,%s", X(rd), X(rs1));
        else return false;
        return true;
    case RV_OP_ADD: /* C.MV expands to add rd,x0,rs2 */
        if (rd == 0 && rs1 == 0 && rs2 >= 2 && rs2 <= 5) {
            /* Zihintntl 1.0: add x0, x0, x2..x5 and c.add x0, x2..x5 */
            static const char *const ntl[4] = { "p1", "pall", "s1", "all" };
            put(o, "%sntl.%s", d->len == 2 ? "c." : "", ntl[rs2 - 2]);
            return true;
        }
        if (d->len != 2 || rs1 != 0)
            return false;
        put(o, "mv %s,%s", X(rd), X(rs2));
        return true;
    case RV_OP_ADDIW:
        if (imm != 0)
            return false;
        put(o, "sext.w %s,%s", X(rd), X(rs1));
        return true;
    case RV_OP_XORI:
        if (imm != -1)
            return false;
        put(o, "not %s,%s", X(rd), X(rs1));
        return true;
    case RV_OP_ORI: /* Zicbop 1.0: ori x0, rs1, offset | 0/1/3 */
        if (rd != 0 || ((imm & 31) != 0 && (imm & 31) != 1 && (imm & 31) != 3))
            return false;
        put(o, "prefetch.%c %d(%s)", "ir?w"[imm & 3], imm & ~31, X(rs1));
        return true;
    case RV_OP_ANDI:
        if (imm != 255)
            return false;
        put(o, "zext.b %s,%s", X(rd), X(rs1));
        return true;
    case RV_OP_SLTIU:
        if (imm != 1)
            return false;
        put(o, "seqz %s,%s", X(rd), X(rs1));
        return true;
    case RV_OP_SUB: case RV_OP_SUBW:
        if (rs1 != 0)
            return false;
        put(o, "%s %s,%s", d->op == RV_OP_SUB ? "neg" : "negw", X(rd), X(rs2));
        return true;
    case RV_OP_SLTU:
        if (rs1 != 0)
            return false;
        put(o, "snez %s,%s", X(rd), X(rs2));
        return true;
    case RV_OP_SLT:
        if (rs2 == 0) put(o, "sltz %s,%s", X(rd), X(rs1));
        else if (rs1 == 0) put(o, "sgtz %s,%s", X(rd), X(rs2));
        else return false;
        return true;
    case RV_OP_ADD_UW:
        if (rs2 != 0)
            return false;
        put(o, "zext.w %s,%s", X(rd), X(rs1));
        return true;
    case RV_OP_BEQ: case RV_OP_BNE:
        if (rs2 != 0)
            return false;
        put(o, "%s %s,0x%llx", d->op == RV_OP_BEQ ? "beqz" : "bnez", X(rs1),
            (unsigned long long)target);
        return true;
    case RV_OP_BGE:
        if (rs1 == 0) put(o, "blez %s,0x%llx", X(rs2), (unsigned long long)target);
        else if (rs2 == 0) put(o, "bgez %s,0x%llx", X(rs1), (unsigned long long)target);
        else return false;
        return true;
    case RV_OP_BLT:
        if (rs2 == 0) put(o, "bltz %s,0x%llx", X(rs1), (unsigned long long)target);
        else if (rs1 == 0) put(o, "bgtz %s,0x%llx", X(rs2), (unsigned long long)target);
        else return false;
        return true;
    case RV_OP_JAL:
        if (rd == 0) put(o, "j 0x%llx", (unsigned long long)target);
        else if (rd == 1) put(o, "jal 0x%llx", (unsigned long long)target);
        else return false;
        return true;
    case RV_OP_JALR:
        if (imm != 0) return false;
        if (rd == 0 && rs1 == 1) put(o, "ret");
        else if (rd == 0) put(o, "jr %s", X(rs1));
        else if (rd == 1) put(o, "jalr %s", X(rs1));
        else return false;
        return true;
    case RV_OP_FENCE:
        if (d->raw == 0x0100000f) put(o, "pause"); /* Zihintpause: fence w,0 */
        else if (d->raw == 0x0ff0000f) put(o, "fence");
        else if (d->raw == 0x8330000f) put(o, "fence.tso");
        else return false;
        return true;
    }
    return false;
}

size_t rv_disasm(uint32_t raw, uint64_t pc, char *buf, size_t len)
{
    struct out o = { buf, len, 0 };
    if (len)
        buf[0] = 0;
    struct rv_dinsn d;
    rv_decode_ext(&d, raw, RV_EXT_ALL); /* every extension hvsim knows */
    unsigned rd = d.rd == 32 ? 0 : d.rd;
    uint64_t target = pc + (uint64_t)(int64_t)d.imm;
    unsigned layout = d.op < RV_OP_COUNT ? layouts[d.op] : L_UNKNOWN;
    char m[16];
    op_mnemonic((enum rv_op)d.op, m, sizeof m);
    bool ok = true;

    if (layout != L_UNKNOWN && !disasm_alias(&o, &d, rd, target)) {
        switch (layout) {
        case L_NONE: put(&o, "%s", m); break;
        case L_R: put(&o, "%s %s,%s,%s", m, X(rd), X(d.rs1), X(d.rs2)); break;
        case L_I: put(&o, "%s %s,%s,%d", m, X(rd), X(d.rs1), d.imm); break;
        case L_UNARY: put(&o, "%s %s,%s", m, X(rd), X(d.rs1)); break;
        case L_LOAD: put(&o, "%s %s,%d(%s)", m, X(rd), d.imm, X(d.rs1)); break;
        case L_STORE: put(&o, "%s %s,%d(%s)", m, X(d.rs2), d.imm, X(d.rs1)); break;
        case L_FLOAD: put(&o, "%s %s,%d(%s)", m, F(d.rd), d.imm, X(d.rs1)); break;
        case L_FSTORE: put(&o, "%s %s,%d(%s)", m, F(d.rs2), d.imm, X(d.rs1)); break;
        case L_BRANCH:
            put(&o, "%s %s,%s,0x%llx", m, X(d.rs1), X(d.rs2), (unsigned long long)target);
            break;
        case L_UPPER: put(&o, "%s %s,0x%x", m, X(rd), ((uint32_t)d.imm >> 12) & 0xfffff); break;
        case L_JAL: put(&o, "jal %s,0x%llx", X(rd), (unsigned long long)target); break;
        case L_JALR: put(&o, "jalr %s,%d(%s)", X(rd), d.imm, X(d.rs1)); break;
        case L_CSR: case L_CSRI: disasm_csr(&o, &d, rd); break;
        case L_LR: case L_SC: case L_AMO: {
            static const char *const ord[4] = { "", ".rl", ".aq", ".aqrl" };
            static const char *const amo[32] = {
                [AMO_ADD] = "amoadd", [AMO_SWAP] = "amoswap", [AMO_XOR] = "amoxor",
                [AMO_OR] = "amoor",   [AMO_AND] = "amoand",   [AMO_MIN] = "amomin",
                [AMO_MAX] = "amomax", [AMO_MINU] = "amominu", [AMO_MAXU] = "amomaxu",
            };
            const char *aqrl = ord[bits(d.raw, 26, 25)];
            char w = bits(d.raw, 14, 12) == 3 ? 'd' : 'w';
            if (layout == L_LR)
                put(&o, "%s%s %s,(%s)", m, aqrl, X(rd), X(d.rs1));
            else if (layout == L_SC)
                put(&o, "%s%s %s,%s,(%s)", m, aqrl, X(rd), X(d.rs2), X(d.rs1));
            else if (amo[rv_amo_funct5(&d)])
                put(&o, "%s.%c%s %s,%s,(%s)", amo[rv_amo_funct5(&d)], w, aqrl, X(rd), X(d.rs2), X(d.rs1));
            else
                ok = false;
            break;
        }
        case L_FP: ok = disasm_fp(&o, d.raw); break;
        case L_FENCE: {
            char p[8], s[8];
            fence_set(p, bits(d.raw, 27, 24));
            fence_set(s, bits(d.raw, 23, 20));
            put(&o, "fence %s,%s", p, s);
            break;
        }
        case L_SFENCE: /* sfence.vma, hfence.vvma, hfence.gvma */
            if (d.rs2) put(&o, "%s %s,%s", m, X(d.rs1), X(d.rs2));
            else if (d.rs1) put(&o, "%s %s", m, X(d.rs1));
            else put(&o, "%s", m);
            break;
        case L_HLOAD: put(&o, "%s %s,(%s)", m, X(rd), X(d.rs1)); break;
        case L_HSTORE: put(&o, "%s %s,(%s)", m, X(d.rs2), X(d.rs1)); break;
        case L_CBO: put(&o, "%s (%s)", m, X(d.rs1)); break;
        case L_VEC: {
            char v[64];
            ok = rv_disasm_vec(d.raw, v, sizeof v) != 0;
            if (ok)
                put(&o, "%s", v);
            break;
        }
        default: ok = false; break;
        }
    } else if (layout == L_UNKNOWN) {
        ok = false;
    }
    if (!ok) {
        o.n = 0;
        if (len)
            buf[0] = 0;
        if (d.len == 2)
            put(&o, "unknown 0x%04x", d.raw & 0xffff);
        else
            put(&o, "unknown 0x%08x", d.raw);
    }
    return o.n;
}
