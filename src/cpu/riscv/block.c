/* Blocks of the predecoded cache (docs/architecture.md "Blocks").
 *
 * A block is a run of consecutive instructions in one 4 KiB page that the
 * interpreter executes with a single budget/attention/page check at its
 * start: the count of instructions in it is precomputed and kept in the
 * first slot (struct rv_dinsn.blen). What may be inside a block:
 *   - instructions that only compute on registers (they cannot trap, read
 *     the clock or change what the next instruction sees);
 *   - integer loads and stores: their TLB hit path calls nothing; their slow
 *     path first makes pc and the instruction count exact and then leaves
 *     the block (exec.c SYNC), so MMIO, faults, watchpoints and stores into
 *     code pages see the same state as with one check per instruction;
 *   - branches and jumps, which end the block.
 * Everything else (system instructions, CSRs, atomics, floating point,
 * hypervisor loads/stores, undecodable slots, instructions that cross the
 * page) is a block of its own, so it always starts where the full check has
 * just run and h->pc and h->insn_left are exact. */
#include "rv_internal.h"
#include "block.h"

enum { K_ALONE = 0, K_IN = 1, K_END = 2 };

#define IN(n) [RV_OP_##n] = K_IN,
#define END(n) [RV_OP_##n] = K_END,
static const uint8_t kind[RV_OP_COUNT] = {
    IN(NOP) IN(LUI) IN(AUIPC) IN(FENCE) IN(FENCE_I)
    END(JAL) END(JALR) END(BEQ) END(BNE) END(BLT) END(BGE) END(BLTU) END(BGEU)
    IN(LB) IN(LH) IN(LW) IN(LD) IN(LBU) IN(LHU) IN(LWU) IN(SB) IN(SH) IN(SW) IN(SD)
    IN(ADDI) IN(SLTI) IN(SLTIU) IN(XORI) IN(ORI) IN(ANDI) IN(SLLI) IN(SRLI) IN(SRAI)
    IN(ADD) IN(SUB) IN(SLL) IN(SLT) IN(SLTU) IN(XOR) IN(SRL) IN(SRA) IN(OR) IN(AND)
    IN(ADDIW) IN(SLLIW) IN(SRLIW) IN(SRAIW) IN(ADDW) IN(SUBW) IN(SLLW) IN(SRLW) IN(SRAW)
    IN(MUL) IN(MULH) IN(MULHSU) IN(MULHU) IN(DIV) IN(DIVU) IN(REM) IN(REMU)
    IN(MULW) IN(DIVW) IN(DIVUW) IN(REMW) IN(REMUW)
    IN(SH1ADD) IN(SH2ADD) IN(SH3ADD) IN(ADD_UW) IN(SH1ADD_UW) IN(SH2ADD_UW) IN(SH3ADD_UW)
    IN(SLLI_UW) IN(ANDN) IN(ORN) IN(XNOR) IN(CLZ) IN(CLZW) IN(CTZ) IN(CTZW) IN(CPOP)
    IN(CPOPW) IN(MAX) IN(MAXU) IN(MIN) IN(MINU) IN(SEXT_B) IN(SEXT_H) IN(ZEXT_H)
    IN(ROL) IN(ROLW) IN(ROR) IN(RORI) IN(RORIW) IN(RORW) IN(ORC_B) IN(REV8)
    IN(BCLR) IN(BCLRI) IN(BEXT) IN(BEXTI) IN(BINV) IN(BINVI) IN(BSET) IN(BSETI)
    IN(CZERO_EQZ) IN(CZERO_NEZ) IN(CLMUL) IN(CLMULH) IN(CLMULR)
    IN(PACK) IN(PACKH) IN(PACKW) IN(BREV8) IN(XPERM4) IN(XPERM8)
};
#undef IN
#undef END

void rv_decode_slot(struct rv_hart *h, struct rv_dinsn *d, uint64_t pc)
{
    struct mem_region *r = h->fetch_region;
    uint64_t pi = h->fetch_pindex;
    if (!(r->page_flags[pi] & PAGE_CODE)) {
        r->page_flags[pi] |= PAGE_CODE;
        rv_tlb_drop_writes(h->m, r->base + (pi << 12));
    }
    const uint8_t *p = r->host + (pi << 12) + (pc & 0xfff);
    uint32_t raw = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    if ((raw & 3) == 3) {
        if ((pc & 0xfff) == 0xffe) {
            memset(d, 0, sizeof(*d));
            d->op = RV_OP_CROSSPAGE;
            return;
        }
        raw |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    rv_decode_ext(d, raw, h->ext);
}

unsigned rv_block_len(struct rv_hart *h, struct rv_dinsn *first, uint64_t pc)
{
    struct rv_dinsn *d = first;
    unsigned n = 0;
    for (;;) {
        if (d->op == RV_OP_UNDECODED)
            rv_decode_slot(h, d, pc);
        unsigned k = kind[d->op];
        if (k == K_ALONE) {
            if (n == 0)
                n = 1;
            break;
        }
        n++;
        uint64_t npc = pc + d->len;
        if (k == K_END || n == RV_BLOCK_MAX || (npc & 0xfff) == 0)
            break;
        d += d->len >> 1;
        pc = npc;
    }
    first->blen = (uint8_t)n;
    return n;
}
