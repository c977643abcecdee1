/* The operations of predecoded RISC-V instructions: one name per
 * instruction the interpreter executes. Compressed instructions expand into
 * these too (with len = 2). X-macro list: X(NAME). */
#ifndef HVSIM_RV_OPS_H
#define HVSIM_RV_OPS_H

#define RV_OP_LIST(X) \
    X(UNDECODED) X(ILLEGAL) X(CROSSPAGE) X(NOP) \
    X(LUI) X(AUIPC) X(JAL) X(JALR) \
    X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU) \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) \
    X(SB) X(SH) X(SW) X(SD) \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI) \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND) \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW) \
    X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI) X(SFENCE_VMA) \
    X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI) \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU) \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW) \
    X(LR_W) X(SC_W) X(LR_D) X(SC_D) X(AMO_W) X(AMO_D) \
    X(FLW) X(FLD) X(FSW) X(FSD) X(FP) \
    X(SH1ADD) X(SH2ADD) X(SH3ADD) X(ADD_UW) X(SH1ADD_UW) X(SH2ADD_UW) X(SH3ADD_UW) X(SLLI_UW) \
    X(ANDN) X(ORN) X(XNOR) X(CLZ) X(CLZW) X(CTZ) X(CTZW) X(CPOP) X(CPOPW) \
    X(MAX) X(MAXU) X(MIN) X(MINU) X(SEXT_B) X(SEXT_H) X(ZEXT_H) \
    X(ROL) X(ROLW) X(ROR) X(RORI) X(RORIW) X(RORW) X(ORC_B) X(REV8) \
    X(BCLR) X(BCLRI) X(BEXT) X(BEXTI) X(BINV) X(BINVI) X(BSET) X(BSETI) \
    X(HLV_B) X(HLV_BU) X(HLV_H) X(HLV_HU) X(HLV_W) X(HLV_WU) X(HLV_D) \
    X(HLVX_HU) X(HLVX_WU) X(HSV_B) X(HSV_H) X(HSV_W) X(HSV_D) \
    X(HFENCE_VVMA) X(HFENCE_GVMA) \
    X(CZERO_EQZ) X(CZERO_NEZ) X(CLMUL) X(CLMULH) X(CLMULR) \
    X(PACK) X(PACKH) X(PACKW) X(BREV8) X(XPERM4) X(XPERM8) \
    X(CBO_CLEAN) X(CBO_FLUSH) X(CBO_INVAL) X(CBO_ZERO) X(FLH) X(FSH) \
    X(VEC) X(WRS_NTO) X(WRS_STO)

enum rv_op {
#define RV_OP_ENUM(n) RV_OP_##n,
    RV_OP_LIST(RV_OP_ENUM)
#undef RV_OP_ENUM
    RV_OP_COUNT
};
_Static_assert(RV_OP_COUNT <= 256, "struct rv_dinsn stores the op in 8 bits");

/* AMO funct5 values (unpriv spec Table 24.2 / "A" chapter). */
enum { AMO_ADD = 0x00, AMO_SWAP = 0x01, AMO_LR = 0x02, AMO_SC = 0x03, AMO_XOR = 0x04,
       AMO_OR = 0x08, AMO_AND = 0x0c, AMO_MIN = 0x10, AMO_MAX = 0x14,
       AMO_MINU = 0x18, AMO_MAXU = 0x1c };

struct rv_dinsn;
/* Decode one instruction. `raw` holds the 16- or 32-bit parcel(s); the
 * length is taken from its low bits (unpriv spec §1.5). `ext`: the optional
 * extensions enabled (isa.h RV_EXT_*); their instructions decode as illegal
 * when their bit is clear. rv_decode: none of them. */
void rv_decode_ext(struct rv_dinsn *d, uint32_t raw, uint32_t ext);
void rv_decode(struct rv_dinsn *d, uint32_t raw);
/* Name of an op, for disassembly and diagnostics. */
const char *rv_op_name(enum rv_op op);

#endif
