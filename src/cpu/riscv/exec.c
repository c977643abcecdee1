/* The interpreter: fetch through the predecoded page of the current pc,
 * dispatch on the op, execute. Semantics from the unprivileged spec
 * 20191213 (RV64I ch. 2 & 5, M ch. 7, A ch. 8, Zicsr ch. 9) and the
 * bit-manipulation spec 1.0.0. */
#include "rv_internal.h"
#include "hart.h"
#include "block.h"
#include "jit.h"
#include "isa.h"
#include "pmu.h"
#include "trigger.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

/* The guest the hart runs: hgatp.VMID (bits 57:44 in RV64, priv 1.12
 * §8.2.18) while V=1, else -1. Inline for the breakpoint guest filter. */
static inline int64_t hart_guest_id(const struct rv_hart *h)
{
    return h->virt ? (int64_t)((h->hgatp >> 44) & 0x3fff) : -1;
}

/* cpu_ops.guest_id */
int64_t rv_guest_id(struct cpu *c)
{
    return hart_guest_id(RV_HART(c));
}

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

/* Carry-less multiplication (Bitmanip 1.0 clmul/clmulh/clmulr). */
static uint64_t clmul(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        if ((b >> i) & 1)
            r ^= a << i;
    return r;
}
static uint64_t clmulh(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    for (int i = 1; i < 64; i++)
        if ((b >> i) & 1)
            r ^= a >> (64 - i);
    return r;
}
static uint64_t clmulr(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        if ((b >> i) & 1)
            r ^= a >> (63 - i);
    return r;
}

/* Scalar crypto 1.0: brev8 reverses the bits of each byte; xperm4/xperm8
 * look up nibbles/bytes of rs1 indexed by rs2's (0 when out of range). */
static uint64_t brev8(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        if ((v >> i) & 1)
            r |= 1ull << ((i & ~7) | (7 - (i & 7)));
    return r;
}
static uint64_t xperm(uint64_t a, uint64_t b, unsigned w)
{
    uint64_t r = 0, m = (1ull << w) - 1;
    for (unsigned i = 0; i < 64; i += w) {
        uint64_t idx = (b >> i) & m;
        if (idx * w < 64)
            r |= ((a >> (idx * w)) & m) << i;
    }
    return r;
}

/* Zicbom/Zicboz enables (CMO 1.0, "Control and Status Register State"):
 * below M, menvcfg's bit clear is illegal; with V=1, henvcfg's clear is a
 * virtual instruction; in U (VU), senvcfg's clear is illegal (virtual). cbo.inval uses the CBIE field
 * (00 = off; 01 = flush, 11 = invalidate, the same here: no caches). */
static int cbo_check(const struct rv_hart *h, unsigned op)
{
    uint64_t bit = op == RV_OP_CBO_ZERO ? ENVCFG_CBZE : op == RV_OP_CBO_INVAL ? ENVCFG_CBIE : ENVCFG_CBCFE;
    if (h->priv == PRV_M)
        return 0;
    if (!(h->menvcfg & bit))
        return EXC_ILLEGAL_INSN;
    if (h->virt && !(h->henvcfg & bit))
        return EXC_VIRTUAL_INSN;
    if (h->priv == PRV_U && !(h->senvcfg & bit))
        return h->virt ? EXC_VIRTUAL_INSN : EXC_ILLEGAL_INSN;
    return 0;
}

static void illegal(struct rv_hart *h, const struct rv_dinsn *d)
{
    rv_exception(h, EXC_ILLEGAL_INSN, d->raw);
}

/* FP instructions need mstatus.FS, and in V=1 also vsstatus.FS (§8.2.10). */
static bool fp_enabled(struct rv_hart *h)
{
    return (h->mstatus & MSTATUS_FS) && (!h->virt || (h->vsstatus & MSTATUS_FS));
}

static void fp_dirty(struct rv_hart *h)
{
    h->mstatus |= MSTATUS_FS;
    if (h->virt)
        h->vsstatus |= MSTATUS_FS;
}

/* Raise illegal-instruction or virtual-instruction with the instruction
 * bits in tval (§8.6.1: virtual-instruction reports like illegal). */
static void insn_fault(struct rv_hart *h, const struct rv_dinsn *d, int cause)
{
    rv_exception(h, (uint64_t)cause, d->raw);
}

/* H-extension instructions (HLV/HSV/HFENCE) from V=1 are virtual
 * instructions; from U they need hstatus.HU (HLV/HSV only). */
static int hyp_insn_check(const struct rv_hart *h, bool is_fence)
{
    if (h->virt)
        return EXC_VIRTUAL_INSN;
    if (h->priv == PRV_U && (is_fence || !(h->hstatus & HSTATUS_HU)))
        return EXC_ILLEGAL_INSN;
    return 0;
}

/* Threaded dispatch over blocks (block.c): the full check — budget,
 * attention (interrupt state changed, exit requested), breakpoints, the
 * fetch page — runs once at the start of a block (label `slow`), which
 * takes blk = the block's precomputed length (at most the budget left) off
 * h->insn_left at once. Inside the block every handler ends with NEXT: the
 * next slot, its fields, the indirect jump to its handler, which the host's
 * branch predictor learns per handler. pc lives in a local; h->pc and
 * h->insn_left are exact at a block start and after SYNC, which every
 * path that calls out of the loop inside a block runs first (the load and
 * store slow paths); after it the block ends (blk = 1). */
#define FETCH_DECODED()                                                        \
    do {                                                                       \
        len = d->len;                                                          \
        npc = pc + len;                                                        \
        rd = d->rd;                                                            \
        a = X(d->rs1);                                                         \
        b = X(d->rs2);                                                         \
        imm = d->imm;                                                          \
        goto *jump[d->op];                                                     \
    } while (0)
/* After a trap or anything that set h->pc itself: the full check. */
#define DISPATCH() goto slow
#define NEXT()                                                                 \
    do {                                                                       \
        if (likely(--blk)) {                                                   \
            d = (const struct rv_dinsn *)((const char *)d + len * 8);          \
            pc = npc;                                                          \
            FETCH_DECODED();                                                   \
        }                                                                      \
        h->pc = npc;                                                           \
        goto next_block;                                                       \
    } while (0)
/* Make h->pc and h->insn_left exact for this instruction (retired, like
 * every started instruction) and end the block after it. */
#define SYNC()                                                                 \
    do {                                                                       \
        h->pc = pc;                                                            \
        h->insn_left += blk - 1;                                               \
        blk = 1;                                                               \
    } while (0)
/* Start the block at slot d (pc) of blk instructions: its compiled code
 * (jit.c, which takes the budget itself and may chain to further blocks)
 * when it has some and the budget covers all of it, else interpret. A
 * compiled block that stops early (a load/store that needs the slow path)
 * leaves that instruction to the interpreter, as a block of one; an exit
 * not linked yet returns its address, and is linked to the target here. */
#define ENTER_BLOCK()                                                          \
    do {                                                                       \
        if (likely(blk == d->blen && d->jit != RV_JIT_NONE && !h->interp_only)) { \
            rv_jit_fn fn_ = rv_jit_lookup(h, d);                               \
            if (unlikely(!fn_))                                                \
                fn_ = rv_jit_code(h, (struct rv_dinsn *)d, blk, pc);           \
            if (fn_) {                                                         \
                uint64_t r_ = fn_(h, pc);                                      \
                npc = h->pc;                                                   \
                if (likely(r_ == 0))                                           \
                    goto next_block;                                           \
                d = &h->fetch_page->d[(npc & 0xfff) >> 1];                     \
                if (r_ != RV_JIT_MISS) {                                       \
                    rv_jit_link(h, r_, (struct rv_dinsn *)d, npc);             \
                    goto next_block;                                           \
                }                                                              \
                pc = npc;                                                      \
                blk = 1;                                                       \
            }                                                                  \
        }                                                                      \
        h->insn_left -= blk;                                                   \
        FETCH_DECODED();                                                       \
    } while (0)
/* Loads and stores: the TLB hit inline, else SYNC and the slow path (MMIO,
 * faults, watchpoints, code pages). */
#define LOAD(sz, conv)                                                         \
    do {                                                                       \
        uint64_t va_ = a + (uint64_t)imm;                                      \
        const struct rv_tlb_entry *e_ = &h->tlb[h->data_mode][(va_ >> 12) & (TLB_SIZE - 1)]; \
        if (likely(e_->tag_r == (va_ & PAGE_MASK) && (va_ & 0xfff) <= 4096u - (sz))) { \
            v = rv_load_le((const void *)(uintptr_t)(va_ + e_->addend), (sz)); \
        } else {                                                               \
            SYNC();                                                            \
            if (!rv_load_slow(h, va_, (sz), &v))                               \
                DISPATCH();                                                    \
        }                                                                      \
        X(rd) = conv;                                                          \
        NEXT();                                                                \
    } while (0)
#define STORE(sz)                                                              \
    do {                                                                       \
        uint64_t va_ = a + (uint64_t)imm;                                      \
        const struct rv_tlb_entry *e_ = &h->tlb[h->data_mode][(va_ >> 12) & (TLB_SIZE - 1)]; \
        if (likely(e_->tag_w == (va_ & PAGE_MASK) && (va_ & 0xfff) <= 4096u - (sz))) { \
            rv_store_le((void *)(uintptr_t)(va_ + e_->addend), (sz), b);       \
        } else {                                                               \
            SYNC();                                                            \
            if (!rv_store_slow(h, va_, (sz), b))                               \
                DISPATCH();                                                    \
        }                                                                      \
        NEXT();                                                                \
    } while (0)

uint64_t rv_run(struct cpu *c, uint64_t budget)
{
    static const void *const jump[RV_OP_COUNT] = {
#define RV_OP_LABEL(n) [RV_OP_##n] = &&L_##n,
        RV_OP_LIST(RV_OP_LABEL)
#undef RV_OP_LABEL
    };
    struct rv_hart *h = RV_HART(c);
    h->insn_left = budget;
    /* --engine interp (struct machine), or per-instruction counter events */
    h->interp_only = h->m->interp_only || h->pmu_per_insn || h->trig_per_insn;
    c->run_left = &h->insn_left;
    h->attn = 1;
    /* Other harts may have stored since our last run: an SC must fail. This
     * is how LR/SC stay correct with interleaved harts (docs/architecture.md). */
    h->resv_valid = false;

    /* Read every field of an instruction before executing it: a store may
     * reset its slot (self-modifying code) while it is in flight. */
    const struct rv_dinsn *d;
    struct rv_dinsn tmp;
    uint64_t pc, npc, a, b, v;
    unsigned rd, blk = 0;
    size_t len;
    int64_t imm;

    goto slow;

next_block:
    /* The end of a block: the next one starts without a breakpoint in its
     * page, in the fetch page, and fits the budget. */
    pc = npc;
    if (likely(!h->attn && (pc & PAGE_MASK) == h->fetch_va && !c->nbps)) {
        d = &h->fetch_page->d[(pc & 0xfff) >> 1];
        blk = d->blen;
        if (likely(blk && blk <= h->insn_left))
            ENTER_BLOCK();
    }
slow:
    if (unlikely(h->pmu_per_insn))
        rv_pmu_insn_end(h); /* the previous instruction retired (or trapped) */
    if (unlikely(h->trig_per_insn))
        rv_trig_insn_end(h); /* icount (trigger.c) */
    if (!h->insn_left)
        goto out;
    if (unlikely(h->trig_per_insn) && rv_trig_fire_pending(h)) {
        h->insn_left--; /* icount/etrigger/itrigger breakpoint: it took this tick */
        goto slow;
    }
    if (unlikely(h->attn)) {
        h->attn = 0;
        if (rv_take_interrupt(h) && unlikely(h->trig_fire))
            goto slow; /* an itrigger fires before the handler's first instruction */
        if (c->state != CPU_RUNNING || h->m->exit_requested)
            goto out;
    }
    pc = h->pc;
    if (unlikely(c->nbps) && cpu_bp_at(c, pc, false) &&
        (c->bp_guest < 0 || hart_guest_id(h) == c->bp_guest)) {
        /* a debugger breakpoint (optionally only inside one guest) */
        if (c->bp_skip_pc == pc) {
            c->bp_skip_pc = UINT64_MAX; /* resuming from it: run it once */
        } else {
            c->bp_hit = true;
            goto out;
        }
    }
    if (unlikely(h->trig_per_insn) && !rv_trig_fetch(h, pc)) {
        if (h->trig_halt) { /* the debugger's trigger: stopped for gdb, no tick */
            h->trig_halt = false;
            goto out;
        }
        h->insn_left--; /* an execute breakpoint (trigger.c) took this tick */
        goto slow;
    }
    if (unlikely((pc & PAGE_MASK) != h->fetch_va)) {
        /* New page: a TLB hit with a predecoded page is the common case */
        const struct rv_tlb_entry *e = &h->tlb[h->fetch_mode][(pc >> 12) & (TLB_SIZE - 1)];
        if (likely(e->tag_x == (pc & PAGE_MASK) && e->dpage)) {
            h->fetch_va = pc & PAGE_MASK;
            h->fetch_page = e->dpage;
            h->fetch_region = e->region;
            h->fetch_pindex = e->page_index;
        } else if (!rv_fetch_refill(h)) {
            h->insn_left--; /* the fetch fault took this tick */
            goto slow;
        }
    }
    /* A page with a breakpoint is never the cached fetch page: every
     * instruction in it comes back here to be checked (others run at full
     * speed). */
    if (unlikely(c->nbps) && cpu_bp_at(c, pc, true))
        h->fetch_va = TLB_INVALID;
    d = &h->fetch_page->d[(pc & 0xfff) >> 1];
    if (unlikely(h->pmu_per_insn | h->trig_per_insn)) {
        /* load/store/branch events (pmu.c), armed triggers (trigger.c):
         * one instruction at a time, on the interpreter, each seen here
         * before it runs */
        if (d->op == RV_OP_UNDECODED)
            rv_decode_slot(h, (struct rv_dinsn *)d, pc);
        h->attn = 1; /* the next instruction comes back here too, not into
                        a block whose length was known before (blen) */
        if (h->trig_per_insn && !rv_trig_insn_start(h, d, pc, &tmp)) {
            if (h->trig_halt) { /* the debugger's trigger: stopped for gdb, no tick */
                h->trig_halt = false;
                goto out;
            }
            h->insn_left--; /* a breakpoint (or the fetch fault) took this tick */
            goto slow;
        }
        if (h->pmu_per_insn)
            rv_pmu_insn_start(h, d->op, pc, d->len);
        blk = 1;
        h->insn_left -= blk;
        FETCH_DECODED();
    }
    if (likely(h->fetch_va == (pc & PAGE_MASK))) {
        blk = d->blen;
        if (unlikely(!blk))
            blk = rv_block_len(h, (struct rv_dinsn *)d, pc);
        if (blk > h->insn_left)
            blk = (unsigned)h->insn_left;
    } else {
        blk = 1; /* a page used for one instruction only (breakpoint, PMP) */
        h->insn_left -= blk;
        FETCH_DECODED();
    }
    ENTER_BLOCK();

    L_UNDECODED: {
        struct rv_dinsn *slot = &h->fetch_page->d[(pc & 0xfff) >> 1];
        rv_decode_slot(h, slot, pc);
        d = slot;
        FETCH_DECODED();
    }
    L_CROSSPAGE: {
        uint32_t raw;
        if (!rv_fetch_cross(h, &raw))
            DISPATCH();
        rv_decode_ext(&tmp, raw, h->ext);
        d = &tmp;
        FETCH_DECODED();
    }
    L_ILLEGAL: illegal(h, d); DISPATCH();
    L_NOP: NEXT();
    L_LUI: X(rd) = (uint64_t)imm; NEXT();
    L_AUIPC: X(rd) = pc + (uint64_t)imm; NEXT();
    L_JAL: X(rd) = npc; npc = pc + (uint64_t)imm; NEXT();
    L_JALR: { uint64_t t = (a + (uint64_t)imm) & ~1ull; X(rd) = npc; npc = t; NEXT(); }
    L_BEQ: if (a == b) npc = pc + (uint64_t)imm; NEXT();
    L_BNE: if (a != b) npc = pc + (uint64_t)imm; NEXT();
    L_BLT: if ((int64_t)a < (int64_t)b) npc = pc + (uint64_t)imm; NEXT();
    L_BGE: if ((int64_t)a >= (int64_t)b) npc = pc + (uint64_t)imm; NEXT();
    L_BLTU: if (a < b) npc = pc + (uint64_t)imm; NEXT();
    L_BGEU: if (a >= b) npc = pc + (uint64_t)imm; NEXT();

    L_LB: LOAD(1, (uint64_t)(int64_t)(int8_t)v);
    L_LH: LOAD(2, (uint64_t)(int64_t)(int16_t)v);
    L_LW: LOAD(4, SX32(v));
    L_LD: LOAD(8, v);
    L_LBU: LOAD(1, v);
    L_LHU: LOAD(2, v);
    L_LWU: LOAD(4, v);
    L_SB: STORE(1);
    L_SH: STORE(2);
    L_SW: STORE(4);
    L_SD: STORE(8);

    L_ADDI: X(rd) = a + (uint64_t)imm; NEXT();
    L_SLTI: X(rd) = (int64_t)a < imm; NEXT();
    L_SLTIU: X(rd) = a < (uint64_t)imm; NEXT();
    L_XORI: X(rd) = a ^ (uint64_t)imm; NEXT();
    L_ORI: X(rd) = a | (uint64_t)imm; NEXT();
    L_ANDI: X(rd) = a & (uint64_t)imm; NEXT();
    L_SLLI: X(rd) = a << (imm & 63); NEXT();
    L_SRLI: X(rd) = a >> (imm & 63); NEXT();
    L_SRAI: X(rd) = (uint64_t)((int64_t)a >> (imm & 63)); NEXT();
    L_ADD: X(rd) = a + b; NEXT();
    L_SUB: X(rd) = a - b; NEXT();
    L_SLL: X(rd) = a << (b & 63); NEXT();
    L_SLT: X(rd) = (int64_t)a < (int64_t)b; NEXT();
    L_SLTU: X(rd) = a < b; NEXT();
    L_XOR: X(rd) = a ^ b; NEXT();
    L_SRL: X(rd) = a >> (b & 63); NEXT();
    L_SRA: X(rd) = (uint64_t)((int64_t)a >> (b & 63)); NEXT();
    L_OR: X(rd) = a | b; NEXT();
    L_AND: X(rd) = a & b; NEXT();
    L_ADDIW: X(rd) = SX32(a + (uint64_t)imm); NEXT();
    L_SLLIW: X(rd) = SX32((uint32_t)a << (imm & 31)); NEXT();
    L_SRLIW: X(rd) = SX32((uint32_t)a >> (imm & 31)); NEXT();
    L_SRAIW: X(rd) = SX32((int32_t)a >> (imm & 31)); NEXT();
    L_ADDW: X(rd) = SX32(a + b); NEXT();
    L_SUBW: X(rd) = SX32(a - b); NEXT();
    L_SLLW: X(rd) = SX32((uint32_t)a << (b & 31)); NEXT();
    L_SRLW: X(rd) = SX32((uint32_t)a >> (b & 31)); NEXT();
    L_SRAW: X(rd) = SX32((int32_t)a >> (b & 31)); NEXT();

    L_MUL: X(rd) = a * b; NEXT();
    L_MULH: X(rd) = mulh64((int64_t)a, (int64_t)b); NEXT();
    L_MULHSU: X(rd) = mulhsu64((int64_t)a, b); NEXT();
    L_MULHU: X(rd) = mulhu64(a, b); NEXT();
    L_DIV: X(rd) = div64((int64_t)a, (int64_t)b); NEXT();
    L_DIVU: X(rd) = b ? a / b : UINT64_MAX; NEXT();
    L_REM: X(rd) = rem64((int64_t)a, (int64_t)b); NEXT();
    L_REMU: X(rd) = b ? a % b : a; NEXT();
    L_MULW: X(rd) = SX32((uint32_t)a * (uint32_t)b); NEXT();
    L_DIVW: X(rd) = divw((int32_t)a, (int32_t)b); NEXT();
    L_DIVUW: X(rd) = (uint32_t)b ? SX32((uint32_t)a / (uint32_t)b) : UINT64_MAX; NEXT();
    L_REMW: X(rd) = remw((int32_t)a, (int32_t)b); NEXT();
    L_REMUW: X(rd) = (uint32_t)b ? SX32((uint32_t)a % (uint32_t)b) : SX32(a); NEXT();

    /* Zba */
    L_SH1ADD: X(rd) = (a << 1) + b; NEXT();
    L_SH2ADD: X(rd) = (a << 2) + b; NEXT();
    L_SH3ADD: X(rd) = (a << 3) + b; NEXT();
    L_ADD_UW: X(rd) = (uint32_t)a + b; NEXT();
    L_SH1ADD_UW: X(rd) = ((uint64_t)(uint32_t)a << 1) + b; NEXT();
    L_SH2ADD_UW: X(rd) = ((uint64_t)(uint32_t)a << 2) + b; NEXT();
    L_SH3ADD_UW: X(rd) = ((uint64_t)(uint32_t)a << 3) + b; NEXT();
    L_SLLI_UW: X(rd) = (uint64_t)(uint32_t)a << (imm & 63); NEXT();
    /* Zbb */
    L_ANDN: X(rd) = a & ~b; NEXT();
    L_ORN: X(rd) = a | ~b; NEXT();
    L_XNOR: X(rd) = ~(a ^ b); NEXT();
    L_CLZ: X(rd) = a ? (uint64_t)__builtin_clzll(a) : 64; NEXT();
    L_CLZW: X(rd) = (uint32_t)a ? (uint64_t)__builtin_clz((uint32_t)a) : 32; NEXT();
    L_CTZ: X(rd) = a ? (uint64_t)__builtin_ctzll(a) : 64; NEXT();
    L_CTZW: X(rd) = (uint32_t)a ? (uint64_t)__builtin_ctz((uint32_t)a) : 32; NEXT();
    L_CPOP: X(rd) = (uint64_t)__builtin_popcountll(a); NEXT();
    L_CPOPW: X(rd) = (uint64_t)__builtin_popcount((uint32_t)a); NEXT();
    L_MAX: X(rd) = (int64_t)a > (int64_t)b ? a : b; NEXT();
    L_MAXU: X(rd) = a > b ? a : b; NEXT();
    L_MIN: X(rd) = (int64_t)a < (int64_t)b ? a : b; NEXT();
    L_MINU: X(rd) = a < b ? a : b; NEXT();
    L_SEXT_B: X(rd) = (uint64_t)(int64_t)(int8_t)a; NEXT();
    L_SEXT_H: X(rd) = (uint64_t)(int64_t)(int16_t)a; NEXT();
    L_ZEXT_H: X(rd) = (uint16_t)a; NEXT();
    L_ROL: X(rd) = rol64(a, (unsigned)b); NEXT();
    L_ROLW: X(rd) = SX32(rol32((uint32_t)a, (unsigned)b)); NEXT();
    L_ROR: X(rd) = ror64(a, (unsigned)b); NEXT();
    L_RORI: X(rd) = ror64(a, (unsigned)imm); NEXT();
    L_RORIW: X(rd) = SX32(ror32((uint32_t)a, (unsigned)imm)); NEXT();
    L_RORW: X(rd) = SX32(ror32((uint32_t)a, (unsigned)b)); NEXT();
    L_ORC_B: X(rd) = orc_b(a); NEXT();
    L_REV8: X(rd) = __builtin_bswap64(a); NEXT();
    /* Zbs */
    L_BCLR: X(rd) = a & ~(1ull << (b & 63)); NEXT();
    L_BCLRI: X(rd) = a & ~(1ull << (imm & 63)); NEXT();
    L_BEXT: X(rd) = (a >> (b & 63)) & 1; NEXT();
    L_BEXTI: X(rd) = (a >> (imm & 63)) & 1; NEXT();
    L_BINV: X(rd) = a ^ (1ull << (b & 63)); NEXT();
    L_BINVI: X(rd) = a ^ (1ull << (imm & 63)); NEXT();
    L_BSET: X(rd) = a | (1ull << (b & 63)); NEXT();
    L_BSETI: X(rd) = a | (1ull << (imm & 63)); NEXT();

    /* Zicond 1.0 */
    L_CZERO_EQZ: X(rd) = b ? a : 0; NEXT();
    L_CZERO_NEZ: X(rd) = b ? 0 : a; NEXT();
    /* Zbc / Zbkc */
    L_CLMUL: X(rd) = clmul(a, b); NEXT();
    L_CLMULH: X(rd) = clmulh(a, b); NEXT();
    L_CLMULR: X(rd) = clmulr(a, b); NEXT();
    /* Zbkb, Zbkx */
    L_PACK: X(rd) = (a & 0xffffffffull) | (b << 32); NEXT();
    L_PACKH: X(rd) = (a & 0xff) | ((b & 0xff) << 8); NEXT();
    L_PACKW: X(rd) = SX32((a & 0xffff) | ((b & 0xffff) << 16)); NEXT();
    L_BREV8: X(rd) = brev8(a); NEXT();
    L_XPERM4: X(rd) = xperm(a, b, 4); NEXT();
    L_XPERM8: X(rd) = xperm(a, b, 8); NEXT();
    /* Zicbom / Zicboz (blocks of one: h->pc is exact) */
    L_CBO_CLEAN: L_CBO_FLUSH: L_CBO_INVAL: L_CBO_ZERO: {
        int r = cbo_check(h, d->op);
        if (r) { insn_fault(h, d, r); DISPATCH(); }
        if (!rv_cbo(h, a, d->op == RV_OP_CBO_ZERO)) DISPATCH();
        NEXT();
    }

    L_FENCE: NEXT();
    L_FENCE_I: NEXT(); /* stores already invalidate predecoded code */
    L_ECALL:
        rv_exception(h, h->priv == PRV_M ? EXC_ECALL_M
                        : h->priv == PRV_U ? EXC_ECALL_U
                        : h->virt ? EXC_ECALL_VS : EXC_ECALL_S, 0);
        DISPATCH();
    L_EBREAK: rv_exception(h, EXC_BREAKPOINT, pc); DISPATCH();
    L_MRET:
        if (h->priv < PRV_M) { illegal(h, d); DISPATCH(); }
        rv_mret(h);
        DISPATCH();
    L_SRET:
        /* §3.3.2, §8.6.1: VU, or VS with VTSR → virtual; U, or HS with TSR → illegal */
        if (h->virt && (h->priv == PRV_U || (h->hstatus & HSTATUS_VTSR))) {
            insn_fault(h, d, EXC_VIRTUAL_INSN);
            DISPATCH();
        }
        if (h->priv < PRV_S || (!h->virt && h->priv == PRV_S && (h->mstatus & MSTATUS_TSR))) {
            illegal(h, d);
            DISPATCH();
        }
        rv_sret(h);
        DISPATCH();
    L_WFI:
        /* §3.3.3, §8.6.1: mstatus.TW makes WFI illegal below M; otherwise VU, or
         * VS with hstatus.VTW, raise virtual instruction; U is illegal */
        if (h->priv < PRV_M && (h->mstatus & MSTATUS_TW)) {
            illegal(h, d);
            DISPATCH();
        }
        if (h->virt && (h->priv == PRV_U || (h->hstatus & HSTATUS_VTW))) {
            insn_fault(h, d, EXC_VIRTUAL_INSN);
            DISPATCH();
        }
        if (h->priv == PRV_U) {
            illegal(h, d);
            DISPATCH();
        }
        h->pc = npc;
        if (!(rv_mip(h) & h->mie) && !(h->aia.on && rv_aia_wake(h))) {
            TRACE(h->m, TK_WFI_SLEEP, c->id, cpu_now(c), pc, d->raw);
            c->state = CPU_SLEEPING;
            cpu_end_run(c);
        }
        DISPATCH();
    L_WRS_NTO: L_WRS_STO:
        /* Zawrs 1.01: the hart may stall until the reservation set is lost,
         * an interrupt is pending or (STO) a short timeout; "an
         * implementation is permitted to occasionally terminate the stall and
         * complete execution for any reason". hvsim ends it at once: both
         * retire as no-ops (one tick), so they complete within any time limit
         * and mstatus.TW / hstatus.VTW never make them trap (docs/riscv.md). */
        NEXT();
    L_SFENCE_VMA:
        /* §4.2.1, §8.6.1: VU, or VS with hstatus.VTVM → virtual instruction */
        if (h->virt && (h->priv == PRV_U || (h->hstatus & HSTATUS_VTVM))) {
            insn_fault(h, d, EXC_VIRTUAL_INSN);
            DISPATCH();
        }
        if (h->priv == PRV_U || (!h->virt && h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))) {
            illegal(h, d);
            DISPATCH();
        }
        if (d->rs1)
            rv_tlb_flush_va(h, a);
        else
            rv_tlb_flush(h);
        NEXT();

    L_CSRRW: L_CSRRS: L_CSRRC:
    L_CSRRWI: L_CSRRSI: L_CSRRCI: {
        static uint64_t (*const fn[6])(uint64_t, uint64_t) = {
            csr_write_fn, csr_set_fn, csr_clear_fn, csr_write_fn, csr_set_fn, csr_clear_fn };
        int k = d->op - RV_OP_CSRRW;
        uint64_t arg = k >= 3 ? d->rs1 : a;
        bool write = (k % 3 == 0) || d->rs1 != 0;
        uint64_t old;
        h->pc = pc; /* time/instret reads and traps see this instruction */
        int r = rv_csr_op(h, (unsigned)imm & 0xfff, write, fn[k], arg, &old);
        if (r) { insn_fault(h, d, r); DISPATCH(); }
        X(rd) = old;
        NEXT();
    }

    L_LR_W: L_LR_D: {
        unsigned sz = d->op == RV_OP_LR_W ? 4 : 8;
        uint8_t *p = rv_amo_ptr(h, a, sz, true);
        if (!p) DISPATCH();
        v = rv_load_le(p, sz);
        X(rd) = sz == 4 ? SX32(v) : v;
        h->resv_addr = a;
        h->resv_valid = true;
        NEXT();
    }
    L_SC_W: L_SC_D: {
        unsigned sz = d->op == RV_OP_SC_W ? 4 : 8;
        uint8_t *p = rv_amo_ptr(h, a, sz, false);
        if (!p) DISPATCH();
        if (h->resv_valid && h->resv_addr == a) {
            rv_store_le(p, sz, b);
            X(rd) = 0;
        } else {
            X(rd) = 1;
        }
        h->resv_valid = false;
        NEXT();
    }
    L_AMO_W: L_AMO_D: {
        bool word = d->op == RV_OP_AMO_W;
        unsigned sz = word ? 4 : 8;
        /* read before rv_amo_ptr: an AMO to a page holding predecoded code
         * resets that page's slots, this instruction's included */
        unsigned f5 = rv_amo_funct5(d);
        uint8_t *p = rv_amo_ptr(h, a, sz, false);
        if (!p) DISPATCH();
        uint64_t old = rv_load_le(p, sz);
        rv_store_le(p, sz, amo_calc(f5, old, b, word));
        X(rd) = word ? SX32(old) : old;
        NEXT();
    }

    L_FLH: L_FLW: L_FLD: {
        if (!fp_enabled(h)) { illegal(h, d); DISPATCH(); }
        unsigned sz = d->op == RV_OP_FLW ? 4 : d->op == RV_OP_FLD ? 8 : 2;
        if (!rv_load(h, a + (uint64_t)imm, sz, &v)) DISPATCH();
        /* narrower values are NaN-boxed (Zfhmin: flh boxes 16 bits) */
        h->f[rd] = sz == 4 ? rv_box32((uint32_t)v) : sz == 2 ? 0xffffffffffff0000ull | v : v;
        fp_dirty(h);
        NEXT();
    }
    L_FSH: L_FSW: L_FSD: {
        if (!fp_enabled(h)) { illegal(h, d); DISPATCH(); }
        unsigned sz = d->op == RV_OP_FSW ? 4 : d->op == RV_OP_FSD ? 8 : 2;
        if (!rv_store(h, a + (uint64_t)imm, sz, h->f[d->rs2])) DISPATCH();
        NEXT();
    }
    L_FP: {
        int r = fp_enabled(h) ? rv_fp_exec(h, d->raw) : EXC_ILLEGAL_INSN;
        if (r) { illegal(h, d); DISPATCH(); }
        if (h->virt)
            h->vsstatus |= MSTATUS_FS;
        NEXT();
    }

    /* V 1.0 (vector.c; a block of its own: h->pc is exact) */
    L_VEC:
        if (!rv_vec_exec(h, d->raw)) DISPATCH();
        NEXT();

    /* Hypervisor virtual-machine loads and stores (§8.3.2) */
    L_HLV_B: L_HLV_BU: L_HLV_H: L_HLV_HU: L_HLV_W: L_HLV_WU: L_HLV_D: L_HLVX_HU: L_HLVX_WU: {
        static const struct { uint8_t size, sign, x; } k[] = {
            [RV_OP_HLV_B - RV_OP_HLV_B] = { 1, 1, 0 }, [RV_OP_HLV_BU - RV_OP_HLV_B] = { 1, 0, 0 },
            [RV_OP_HLV_H - RV_OP_HLV_B] = { 2, 1, 0 }, [RV_OP_HLV_HU - RV_OP_HLV_B] = { 2, 0, 0 },
            [RV_OP_HLV_W - RV_OP_HLV_B] = { 4, 1, 0 }, [RV_OP_HLV_WU - RV_OP_HLV_B] = { 4, 0, 0 },
            [RV_OP_HLV_D - RV_OP_HLV_B] = { 8, 0, 0 }, [RV_OP_HLVX_HU - RV_OP_HLV_B] = { 2, 0, 1 },
            [RV_OP_HLVX_WU - RV_OP_HLV_B] = { 4, 0, 1 },
        };
        int r = hyp_insn_check(h, false);
        if (r) { insn_fault(h, d, r); DISPATCH(); }
        unsigned i = d->op - RV_OP_HLV_B;
        v = 0;
        if (!rv_hlsv(h, a, k[i].size, false, k[i].x, &v)) DISPATCH();
        if (k[i].sign && k[i].size < 8)
            v = (uint64_t)((int64_t)(v << (64 - 8 * k[i].size)) >> (64 - 8 * k[i].size));
        X(rd) = v;
        NEXT();
    }
    L_HSV_B: L_HSV_H: L_HSV_W: L_HSV_D: {
        int r = hyp_insn_check(h, false);
        if (r) { insn_fault(h, d, r); DISPATCH(); }
        v = b;
        if (!rv_hlsv(h, a, 1u << (d->op - RV_OP_HSV_B), true, false, &v)) DISPATCH();
        NEXT();
    }
    L_HFENCE_VVMA: L_HFENCE_GVMA: {
        int r = hyp_insn_check(h, true);
        if (!r && d->op == RV_OP_HFENCE_GVMA && h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))
            r = EXC_ILLEGAL_INSN; /* §8.3.1: mstatus.TVM traps HFENCE.GVMA in HS */
        if (r) { insn_fault(h, d, r); DISPATCH(); }
        rv_tlb_flush(h); /* guest translations live in the V-mode TLB sets */
        NEXT();
    }

out:;
    uint64_t retired = c->run_budget - h->insn_left;
    h->insn_left = 0;
    c->run_left = NULL;
    return retired;
}
