/* The interpreter: fetch through the predecoded page of the current pc,
 * dispatch on the op, execute. Semantics from the unprivileged spec
 * 20191213 (RV64I ch. 2 & 5, M ch. 7, A ch. 8, Zicsr ch. 9) and the
 * bit-manipulation spec 1.0.0. */
#include "rv_internal.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

#define X(i) (h->x[i])
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))

static uint64_t csr_set_fn(uint64_t old, uint64_t a) { return old | a; }
static uint64_t csr_clear_fn(uint64_t old, uint64_t a) { return old & ~a; }
static uint64_t csr_write_fn(uint64_t old, uint64_t a) { (void)old; return a; }

static uint64_t mulhu64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static uint64_t mulh64(int64_t a, int64_t b)
{
    return (uint64_t)(((__int128)a * b) >> 64);
}
static uint64_t mulhsu64(int64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)a * (__int128)(unsigned __int128)b) >> 64);
}

/* Division by zero and overflow give the results of unpriv spec Table 7.1. */
static uint64_t div64(int64_t a, int64_t b)
{
    if (b == 0) return UINT64_MAX;
    if (a == INT64_MIN && b == -1) return (uint64_t)a;
    return (uint64_t)(a / b);
}
static uint64_t rem64(int64_t a, int64_t b)
{
    if (b == 0) return (uint64_t)a;
    if (a == INT64_MIN && b == -1) return 0;
    return (uint64_t)(a % b);
}
static uint64_t divw(int32_t a, int32_t b)
{
    if (b == 0) return UINT64_MAX;
    if (a == INT32_MIN && b == -1) return SX32(a);
    return SX32(a / b);
}
static uint64_t remw(int32_t a, int32_t b)
{
    if (b == 0) return SX32(a);
    if (a == INT32_MIN && b == -1) return 0;
    return SX32(a % b);
}

static uint64_t amo_calc(unsigned f5, uint64_t old, uint64_t src, bool word)
{
    int64_t so = word ? (int32_t)old : (int64_t)old, ss = word ? (int32_t)src : (int64_t)src;
    uint64_t uo = word ? (uint32_t)old : old, us = word ? (uint32_t)src : src;
    switch (f5) {
    case AMO_SWAP: return src;
    case AMO_ADD: return old + src;
    case AMO_XOR: return old ^ src;
    case AMO_OR: return old | src;
    case AMO_AND: return old & src;
    case AMO_MIN: return so < ss ? old : src;
    case AMO_MAX: return so > ss ? old : src;
    case AMO_MINU: return uo < us ? old : src;
    case AMO_MAXU: return uo > us ? old : src;
    }
    return old;
}

static uint64_t orc_b(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i += 8)
        if ((v >> i) & 0xff)
            r |= 0xffull << i;
    return r;
}

static uint64_t rol64(uint64_t v, unsigned s) { s &= 63; return s ? (v << s) | (v >> (64 - s)) : v; }
static uint64_t ror64(uint64_t v, unsigned s) { s &= 63; return s ? (v >> s) | (v << (64 - s)) : v; }
static uint32_t rol32(uint32_t v, unsigned s) { s &= 31; return s ? (v << s) | (v >> (32 - s)) : v; }
static uint32_t ror32(uint32_t v, unsigned s) { s &= 31; return s ? (v >> s) | (v << (32 - s)) : v; }

/* Decodes the parcel at h->pc into its slot of the current page. The page
 * becomes a code page: stores to it must come through the slow path. */
static void decode_slot(struct rv_hart *h, struct rv_dinsn *d)
{
    struct mem_region *r = h->fetch_region;
    uint64_t pi = h->fetch_pindex;
    if (!(r->page_flags[pi] & PAGE_CODE)) {
        r->page_flags[pi] |= PAGE_CODE;
        rv_tlb_drop_writes(h->m, r->base + (pi << 12));
    }
    const uint8_t *p = r->host + (pi << 12) + (h->pc & 0xfff);
    uint32_t raw = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    if ((raw & 3) == 3) {
        if ((h->pc & 0xfff) == 0xffe) {
            memset(d, 0, sizeof(*d));
            d->op = RV_OP_CROSSPAGE;
            return;
        }
        raw |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    rv_decode(d, raw);
}

static void illegal(struct rv_hart *h, const struct rv_dinsn *d)
{
    rv_exception(h, EXC_ILLEGAL_INSN, d->raw);
}

static bool fp_enabled(struct rv_hart *h) { return h->mstatus & MSTATUS_FS; }

uint64_t rv_run(struct cpu *c, uint64_t budget)
{
    struct rv_hart *h = RV_HART(c);
    h->insn_left = budget;
    c->run_left = &h->insn_left;
    h->attn = 1;
    /* Other harts may have stored since our last run: an SC must fail. This
     * is how LR/SC stay correct with interleaved harts (docs/architecture.md). */
    h->resv_valid = false;

    while (h->insn_left) {
        if (unlikely(h->attn)) {
            h->attn = 0;
            rv_take_interrupt(h);
            if (c->state != CPU_RUNNING || h->m->exit_requested)
                break;
        }
        h->insn_left--;

        uint64_t pc = h->pc;
        if (unlikely((pc & PAGE_MASK) != h->fetch_va)) {
            /* New page: a TLB hit with a predecoded page is the common case */
            const struct rv_tlb_entry *e = &h->tlb[h->fetch_mode][(pc >> 12) & (TLB_SIZE - 1)];
            if (likely(e->tag_x == (pc & PAGE_MASK) && e->dpage)) {
                h->fetch_va = pc & PAGE_MASK;
                h->fetch_page = e->dpage;
                h->fetch_region = e->region;
                h->fetch_pindex = e->page_index;
            } else if (!rv_fetch_refill(h)) {
                continue;
            }
        }
        const struct rv_dinsn *d = &h->fetch_page->d[(pc & 0xfff) >> 1];
        struct rv_dinsn tmp;
    dispatch:;
        /* Read every field before executing: a store may reset this slot
         * (self-modifying code) while the instruction is in flight. */
        uint64_t npc = pc + d->len;
        unsigned rd = d->rd;
        uint64_t a = X(d->rs1), b = X(d->rs2);
        int64_t imm = d->imm;
        uint64_t v;

        switch ((enum rv_op)d->op) {
        case RV_OP_UNDECODED: {
            struct rv_dinsn *slot = &h->fetch_page->d[(pc & 0xfff) >> 1];
            decode_slot(h, slot);
            d = slot;
            goto dispatch;
        }
        case RV_OP_CROSSPAGE: {
            uint32_t raw;
            if (!rv_fetch_cross(h, &raw))
                continue;
            rv_decode(&tmp, raw);
            d = &tmp;
            goto dispatch;
        }
        case RV_OP_ILLEGAL: illegal(h, d); continue;
        case RV_OP_NOP: break;
        case RV_OP_LUI: X(rd) = (uint64_t)imm; break;
        case RV_OP_AUIPC: X(rd) = pc + (uint64_t)imm; break;
        case RV_OP_JAL: X(rd) = npc; npc = pc + (uint64_t)imm; break;
        case RV_OP_JALR: { uint64_t t = (a + (uint64_t)imm) & ~1ull; X(rd) = npc; npc = t; break; }
        case RV_OP_BEQ: if (a == b) npc = pc + (uint64_t)imm; break;
        case RV_OP_BNE: if (a != b) npc = pc + (uint64_t)imm; break;
        case RV_OP_BLT: if ((int64_t)a < (int64_t)b) npc = pc + (uint64_t)imm; break;
        case RV_OP_BGE: if ((int64_t)a >= (int64_t)b) npc = pc + (uint64_t)imm; break;
        case RV_OP_BLTU: if (a < b) npc = pc + (uint64_t)imm; break;
        case RV_OP_BGEU: if (a >= b) npc = pc + (uint64_t)imm; break;

        case RV_OP_LB: if (!rv_load(h, a + (uint64_t)imm, 1, &v)) continue; X(rd) = (uint64_t)(int64_t)(int8_t)v; break;
        case RV_OP_LH: if (!rv_load(h, a + (uint64_t)imm, 2, &v)) continue; X(rd) = (uint64_t)(int64_t)(int16_t)v; break;
        case RV_OP_LW: if (!rv_load(h, a + (uint64_t)imm, 4, &v)) continue; X(rd) = SX32(v); break;
        case RV_OP_LD: if (!rv_load(h, a + (uint64_t)imm, 8, &v)) continue; X(rd) = v; break;
        case RV_OP_LBU: if (!rv_load(h, a + (uint64_t)imm, 1, &v)) continue; X(rd) = v; break;
        case RV_OP_LHU: if (!rv_load(h, a + (uint64_t)imm, 2, &v)) continue; X(rd) = v; break;
        case RV_OP_LWU: if (!rv_load(h, a + (uint64_t)imm, 4, &v)) continue; X(rd) = v; break;
        case RV_OP_SB: if (!rv_store(h, a + (uint64_t)imm, 1, b)) continue; break;
        case RV_OP_SH: if (!rv_store(h, a + (uint64_t)imm, 2, b)) continue; break;
        case RV_OP_SW: if (!rv_store(h, a + (uint64_t)imm, 4, b)) continue; break;
        case RV_OP_SD: if (!rv_store(h, a + (uint64_t)imm, 8, b)) continue; break;

        case RV_OP_ADDI: X(rd) = a + (uint64_t)imm; break;
        case RV_OP_SLTI: X(rd) = (int64_t)a < imm; break;
        case RV_OP_SLTIU: X(rd) = a < (uint64_t)imm; break;
        case RV_OP_XORI: X(rd) = a ^ (uint64_t)imm; break;
        case RV_OP_ORI: X(rd) = a | (uint64_t)imm; break;
        case RV_OP_ANDI: X(rd) = a & (uint64_t)imm; break;
        case RV_OP_SLLI: X(rd) = a << (imm & 63); break;
        case RV_OP_SRLI: X(rd) = a >> (imm & 63); break;
        case RV_OP_SRAI: X(rd) = (uint64_t)((int64_t)a >> (imm & 63)); break;
        case RV_OP_ADD: X(rd) = a + b; break;
        case RV_OP_SUB: X(rd) = a - b; break;
        case RV_OP_SLL: X(rd) = a << (b & 63); break;
        case RV_OP_SLT: X(rd) = (int64_t)a < (int64_t)b; break;
        case RV_OP_SLTU: X(rd) = a < b; break;
        case RV_OP_XOR: X(rd) = a ^ b; break;
        case RV_OP_SRL: X(rd) = a >> (b & 63); break;
        case RV_OP_SRA: X(rd) = (uint64_t)((int64_t)a >> (b & 63)); break;
        case RV_OP_OR: X(rd) = a | b; break;
        case RV_OP_AND: X(rd) = a & b; break;
        case RV_OP_ADDIW: X(rd) = SX32(a + (uint64_t)imm); break;
        case RV_OP_SLLIW: X(rd) = SX32((uint32_t)a << (imm & 31)); break;
        case RV_OP_SRLIW: X(rd) = SX32((uint32_t)a >> (imm & 31)); break;
        case RV_OP_SRAIW: X(rd) = SX32((int32_t)a >> (imm & 31)); break;
        case RV_OP_ADDW: X(rd) = SX32(a + b); break;
        case RV_OP_SUBW: X(rd) = SX32(a - b); break;
        case RV_OP_SLLW: X(rd) = SX32((uint32_t)a << (b & 31)); break;
        case RV_OP_SRLW: X(rd) = SX32((uint32_t)a >> (b & 31)); break;
        case RV_OP_SRAW: X(rd) = SX32((int32_t)a >> (b & 31)); break;

        case RV_OP_MUL: X(rd) = a * b; break;
        case RV_OP_MULH: X(rd) = mulh64((int64_t)a, (int64_t)b); break;
        case RV_OP_MULHSU: X(rd) = mulhsu64((int64_t)a, b); break;
        case RV_OP_MULHU: X(rd) = mulhu64(a, b); break;
        case RV_OP_DIV: X(rd) = div64((int64_t)a, (int64_t)b); break;
        case RV_OP_DIVU: X(rd) = b ? a / b : UINT64_MAX; break;
        case RV_OP_REM: X(rd) = rem64((int64_t)a, (int64_t)b); break;
        case RV_OP_REMU: X(rd) = b ? a % b : a; break;
        case RV_OP_MULW: X(rd) = SX32((uint32_t)a * (uint32_t)b); break;
        case RV_OP_DIVW: X(rd) = divw((int32_t)a, (int32_t)b); break;
        case RV_OP_DIVUW: X(rd) = (uint32_t)b ? SX32((uint32_t)a / (uint32_t)b) : UINT64_MAX; break;
        case RV_OP_REMW: X(rd) = remw((int32_t)a, (int32_t)b); break;
        case RV_OP_REMUW: X(rd) = (uint32_t)b ? SX32((uint32_t)a % (uint32_t)b) : SX32(a); break;

        /* Zba */
        case RV_OP_SH1ADD: X(rd) = (a << 1) + b; break;
        case RV_OP_SH2ADD: X(rd) = (a << 2) + b; break;
        case RV_OP_SH3ADD: X(rd) = (a << 3) + b; break;
        case RV_OP_ADD_UW: X(rd) = (uint32_t)a + b; break;
        case RV_OP_SH1ADD_UW: X(rd) = ((uint64_t)(uint32_t)a << 1) + b; break;
        case RV_OP_SH2ADD_UW: X(rd) = ((uint64_t)(uint32_t)a << 2) + b; break;
        case RV_OP_SH3ADD_UW: X(rd) = ((uint64_t)(uint32_t)a << 3) + b; break;
        case RV_OP_SLLI_UW: X(rd) = (uint64_t)(uint32_t)a << (imm & 63); break;
        /* Zbb */
        case RV_OP_ANDN: X(rd) = a & ~b; break;
        case RV_OP_ORN: X(rd) = a | ~b; break;
        case RV_OP_XNOR: X(rd) = ~(a ^ b); break;
        case RV_OP_CLZ: X(rd) = a ? (uint64_t)__builtin_clzll(a) : 64; break;
        case RV_OP_CLZW: X(rd) = (uint32_t)a ? (uint64_t)__builtin_clz((uint32_t)a) : 32; break;
        case RV_OP_CTZ: X(rd) = a ? (uint64_t)__builtin_ctzll(a) : 64; break;
        case RV_OP_CTZW: X(rd) = (uint32_t)a ? (uint64_t)__builtin_ctz((uint32_t)a) : 32; break;
        case RV_OP_CPOP: X(rd) = (uint64_t)__builtin_popcountll(a); break;
        case RV_OP_CPOPW: X(rd) = (uint64_t)__builtin_popcount((uint32_t)a); break;
        case RV_OP_MAX: X(rd) = (int64_t)a > (int64_t)b ? a : b; break;
        case RV_OP_MAXU: X(rd) = a > b ? a : b; break;
        case RV_OP_MIN: X(rd) = (int64_t)a < (int64_t)b ? a : b; break;
        case RV_OP_MINU: X(rd) = a < b ? a : b; break;
        case RV_OP_SEXT_B: X(rd) = (uint64_t)(int64_t)(int8_t)a; break;
        case RV_OP_SEXT_H: X(rd) = (uint64_t)(int64_t)(int16_t)a; break;
        case RV_OP_ZEXT_H: X(rd) = (uint16_t)a; break;
        case RV_OP_ROL: X(rd) = rol64(a, (unsigned)b); break;
        case RV_OP_ROLW: X(rd) = SX32(rol32((uint32_t)a, (unsigned)b)); break;
        case RV_OP_ROR: X(rd) = ror64(a, (unsigned)b); break;
        case RV_OP_RORI: X(rd) = ror64(a, (unsigned)imm); break;
        case RV_OP_RORIW: X(rd) = SX32(ror32((uint32_t)a, (unsigned)imm)); break;
        case RV_OP_RORW: X(rd) = SX32(ror32((uint32_t)a, (unsigned)b)); break;
        case RV_OP_ORC_B: X(rd) = orc_b(a); break;
        case RV_OP_REV8: X(rd) = __builtin_bswap64(a); break;
        /* Zbs */
        case RV_OP_BCLR: X(rd) = a & ~(1ull << (b & 63)); break;
        case RV_OP_BCLRI: X(rd) = a & ~(1ull << (imm & 63)); break;
        case RV_OP_BEXT: X(rd) = (a >> (b & 63)) & 1; break;
        case RV_OP_BEXTI: X(rd) = (a >> (imm & 63)) & 1; break;
        case RV_OP_BINV: X(rd) = a ^ (1ull << (b & 63)); break;
        case RV_OP_BINVI: X(rd) = a ^ (1ull << (imm & 63)); break;
        case RV_OP_BSET: X(rd) = a | (1ull << (b & 63)); break;
        case RV_OP_BSETI: X(rd) = a | (1ull << (imm & 63)); break;

        case RV_OP_FENCE: break;
        case RV_OP_FENCE_I: break; /* stores already invalidate predecoded code */
        case RV_OP_ECALL:
            rv_exception(h, h->priv == PRV_M ? EXC_ECALL_M : h->priv == PRV_S ? EXC_ECALL_S : EXC_ECALL_U, 0);
            continue;
        case RV_OP_EBREAK: rv_exception(h, EXC_BREAKPOINT, pc); continue;
        case RV_OP_MRET:
            if (h->priv < PRV_M) { illegal(h, d); continue; }
            rv_mret(h);
            continue;
        case RV_OP_SRET:
            if (h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_TSR))) {
                illegal(h, d);
                continue;
            }
            rv_sret(h);
            continue;
        case RV_OP_WFI:
            /* §3.3.3: illegal in U; illegal in S when mstatus.TW */
            if (h->priv == PRV_U || (h->priv == PRV_S && (h->mstatus & MSTATUS_TW))) {
                illegal(h, d);
                continue;
            }
            h->pc = npc;
            if (!(rv_mip(h) & h->mie)) {
                TRACE(h->m, TK_WFI_SLEEP, c->id, cpu_now(c), pc, d->raw);
                c->state = CPU_SLEEPING;
                cpu_end_run(c);
            }
            continue;
        case RV_OP_SFENCE_VMA:
            if (h->priv == PRV_U || (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))) {
                illegal(h, d);
                continue;
            }
            if (d->rs1)
                rv_tlb_flush_va(h, a);
            else
                rv_tlb_flush(h);
            break;

        case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
        case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI: {
            static uint64_t (*const fn[6])(uint64_t, uint64_t) = {
                csr_write_fn, csr_set_fn, csr_clear_fn, csr_write_fn, csr_set_fn, csr_clear_fn };
            int k = d->op - RV_OP_CSRRW;
            uint64_t arg = k >= 3 ? d->rs1 : a;
            bool write = (k % 3 == 0) || d->rs1 != 0;
            uint64_t old;
            h->pc = pc; /* time/instret reads and traps see this instruction */
            int r = rv_csr_op(h, (unsigned)imm & 0xfff, write, fn[k], arg, &old);
            if (r) { illegal(h, d); continue; }
            X(rd) = old;
            break;
        }

        case RV_OP_LR_W: case RV_OP_LR_D: {
            unsigned sz = d->op == RV_OP_LR_W ? 4 : 8;
            uint8_t *p = rv_amo_ptr(h, a, sz, true);
            if (!p) continue;
            v = rv_load_le(p, sz);
            X(rd) = sz == 4 ? SX32(v) : v;
            h->resv_addr = a;
            h->resv_valid = true;
            break;
        }
        case RV_OP_SC_W: case RV_OP_SC_D: {
            unsigned sz = d->op == RV_OP_SC_W ? 4 : 8;
            uint8_t *p = rv_amo_ptr(h, a, sz, false);
            if (!p) continue;
            if (h->resv_valid && h->resv_addr == a) {
                rv_store_le(p, sz, b);
                X(rd) = 0;
            } else {
                X(rd) = 1;
            }
            h->resv_valid = false;
            break;
        }
        case RV_OP_AMO_W: case RV_OP_AMO_D: {
            bool word = d->op == RV_OP_AMO_W;
            unsigned sz = word ? 4 : 8;
            uint8_t *p = rv_amo_ptr(h, a, sz, false);
            if (!p) continue;
            uint64_t old = rv_load_le(p, sz);
            rv_store_le(p, sz, amo_calc(d->rm, old, b, word));
            X(rd) = word ? SX32(old) : old;
            break;
        }

        case RV_OP_FLW: case RV_OP_FLD: {
            if (!fp_enabled(h)) { illegal(h, d); continue; }
            unsigned sz = d->op == RV_OP_FLW ? 4 : 8;
            if (!rv_load(h, a + (uint64_t)imm, sz, &v)) continue;
            h->f[rd] = sz == 4 ? rv_box32((uint32_t)v) : v;
            h->mstatus |= MSTATUS_FS;
            break;
        }
        case RV_OP_FSW: case RV_OP_FSD: {
            if (!fp_enabled(h)) { illegal(h, d); continue; }
            unsigned sz = d->op == RV_OP_FSW ? 4 : 8;
            if (!rv_store(h, a + (uint64_t)imm, sz, h->f[d->rs2])) continue;
            break;
        }
        case RV_OP_FP: {
            int r = rv_fp_exec(h, d->raw);
            if (r) { illegal(h, d); continue; }
            break;
        }
        case RV_OP_COUNT:
        default: __builtin_unreachable();
        }
        h->pc = npc;
    }
    uint64_t retired = c->run_budget - h->insn_left;
    h->insn_left = 0;
    c->run_left = NULL;
    return retired;
}
