/* RISC-V PLIC (RISC-V PLIC spec v1.0.0; register map of sifive,plic-1.0.0).
 *
 * Gateway (spec §5, level-triggered): source s is pending while its line is
 * high and it is not claimed. A claim (§8) returns the pending, enabled
 * source with the highest priority above the context's threshold (ties: the
 * lowest id), clears its pending bit and marks it in service; a completion
 * (§9) ends the service, and if the line is still high the source becomes
 * pending again.
 *
 * Guest-visible rules (never a crash):
 *  - only naturally aligned 32-bit accesses; other sizes or misaligned
 *    offsets are rejected (false -> access fault);
 *  - registers of sources or contexts that do not exist, and all reserved
 *    offsets inside the window, read as zero and ignore writes;
 *  - the pending array is read-only (writes ignored);
 *  - priority and threshold keep their low 3 bits (WARL, max priority 7);
 *  - enable bits of source 0 and of ids above ndev are hardwired to zero;
 *  - a completion for an id that is not enabled for the context or not in
 *    service is ignored (§9). */
#include "plic.h"
#include "../trace/emit.h"

#include <stdlib.h>
#include <string.h>
#include "../cpu/riscv/rv_hart.h"
#include "../sim/config.h"
#include "../sim/cpu.h"
#include "../sim/machine.h"

#define PLIC_WORDS          32u          /* 1024 source bits */
#define PLIC_PRIORITY_BASE  0x000000u
#define PLIC_PENDING_BASE   0x001000u
#define PLIC_ENABLE_BASE    0x002000u
#define PLIC_ENABLE_STRIDE  0x80u
#define PLIC_CONTEXT_BASE   0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_PRIO_MASK      0x7u

struct plic_ctx {
    uint32_t enable[PLIC_WORDS];
    uint32_t threshold;
    int out; /* level last driven into the hart */
};

struct plic {
    struct machine *m;
    uint32_t ndev;
    int ncpus, nctx;
    unsigned nwords;                 /* words holding ids 0..ndev */
    uint32_t valid[PLIC_WORDS];      /* bit set for ids 1..ndev */
    uint8_t prio[PLIC_MAX_SOURCES + 1];
    uint32_t level[PLIC_WORDS];      /* input line levels */
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS];    /* in service */
    struct plic_ctx ctx[];
};

static inline bool bit_get(const uint32_t *v, uint32_t id)
{
    return (v[id / 32] >> (id % 32)) & 1;
}

static inline void bit_put(uint32_t *v, uint32_t id, bool on)
{
    if (on)
        v[id / 32] |= 1u << (id % 32);
    else
        v[id / 32] &= ~(1u << (id % 32));
}

/* Best claimable source of context c, or 0. */
static uint32_t plic_best(const struct plic *p, const struct plic_ctx *c)
{
    uint32_t best = 0, best_prio = c->threshold;
    for (unsigned w = 0; w < p->nwords; w++) {
        uint32_t bits = p->pending[w] & c->enable[w];
        while (bits) {
            uint32_t id = w * 32 + (uint32_t)__builtin_ctz(bits);
            bits &= bits - 1;
            /* strictly greater: priority 0 never interrupts, ties keep the
             * lowest id (scanned first) */
            if (p->prio[id] > best_prio) {
                best_prio = p->prio[id];
                best = id;
            }
        }
    }
    return best;
}

/* Drive every context's output; only changes reach the harts. */
static void plic_update(struct plic *p)
{
    for (int i = 0; i < p->nctx; i++) {
        struct plic_ctx *c = &p->ctx[i];
        int lvl = plic_best(p, c) != 0;
        if (lvl != c->out) {
            struct cpu *cpu = p->m->cpus[i / 2];
            c->out = lvl;
            cpu_deliver_irq(cpu, p->m->sched.current, machine_now(p->m), (i & 1) ? IRQ_SEI : IRQ_MEI, lvl);
        }
    }
}

struct plic *plic_new(struct machine *m, uint32_t ndev, int ncpus)
{
    if (!m || ndev < 1 || ndev > PLIC_MAX_SOURCES || ncpus < 1 ||
        ncpus > m->ncpus || ncpus > CONFIG_MAX_CPUS)
        return NULL;
    for (int h = 0; h < ncpus; h++)
        if (!m->cpus[h] || !m->cpus[h]->ops)
            return NULL;
    int nctx = 2 * ncpus;
    struct plic *p = calloc(1, sizeof(*p) + (size_t)nctx * sizeof(p->ctx[0]));
    if (!p)
        return NULL;
    p->m = m;
    p->ndev = ndev;
    p->ncpus = ncpus;
    p->nctx = nctx;
    p->nwords = ndev / 32 + 1;
    for (uint32_t id = 1; id <= ndev; id++)
        bit_put(p->valid, id, true);
    return p;
}

void plic_free(struct plic *p)
{
    free(p);
}

void plic_set_irq(void *opaque, int src, int level)
{
    struct plic *p = opaque;
    if (!p || src < 1 || (uint32_t)src > p->ndev)
        return;
    uint32_t id = (uint32_t)src;
    bit_put(p->level, id, level != 0);
    bit_put(p->pending, id, level != 0 && !bit_get(p->claimed, id));
    plic_update(p);
}

uint32_t plic_claim(struct plic *p, int ctx)
{
    if (!p || ctx < 0 || ctx >= p->nctx)
        return 0;
    uint32_t id = plic_best(p, &p->ctx[ctx]);
    if (id) {
        bit_put(p->pending, id, false);
        bit_put(p->claimed, id, true);
        TRACE(p->m, TK_IRQ_CLAIM, (uint32_t)(ctx / 2), machine_now(p->m), (uint64_t)ctx, id);
        plic_update(p);
    }
    return id;
}

void plic_complete(struct plic *p, int ctx, uint32_t id)
{
    if (!p || ctx < 0 || ctx >= p->nctx || id < 1 || id > p->ndev)
        return;
    if (!bit_get(p->ctx[ctx].enable, id) || !bit_get(p->claimed, id))
        return; /* §9: silently ignored */
    bit_put(p->claimed, id, false);
    bit_put(p->pending, id, bit_get(p->level, id));
    TRACE(p->m, TK_IRQ_COMPLETE, (uint32_t)(ctx / 2), machine_now(p->m), (uint64_t)ctx, id);
    plic_update(p);
}

/* ---- MMIO ---------------------------------------------------------------- */

/* Decoded register of an access. */
enum plic_reg { R_NONE, R_PRIO, R_PENDING, R_ENABLE, R_THRESHOLD, R_CLAIM };

static enum plic_reg plic_decode(const struct plic *p, uint64_t off,
                                 uint32_t *idx, int *ctx)
{
    if (off < PLIC_PENDING_BASE) {
        *idx = (uint32_t)(off / 4);
        return *idx >= 1 && *idx <= p->ndev ? R_PRIO : R_NONE;
    }
    if (off < PLIC_PENDING_BASE + PLIC_WORDS * 4) {
        *idx = (uint32_t)((off - PLIC_PENDING_BASE) / 4);
        return R_PENDING;
    }
    if (off >= PLIC_ENABLE_BASE && off < PLIC_CONTEXT_BASE) {
        uint64_t rel = off - PLIC_ENABLE_BASE;
        uint64_t c = rel / PLIC_ENABLE_STRIDE;
        if (c >= (uint64_t)p->nctx)
            return R_NONE;
        *ctx = (int)c;
        *idx = (uint32_t)((rel % PLIC_ENABLE_STRIDE) / 4);
        return R_ENABLE;
    }
    if (off >= PLIC_CONTEXT_BASE && off < PLIC_SIZE) {
        uint64_t rel = off - PLIC_CONTEXT_BASE;
        uint64_t c = rel / PLIC_CONTEXT_STRIDE;
        if (c >= (uint64_t)p->nctx)
            return R_NONE;
        *ctx = (int)c;
        switch (rel % PLIC_CONTEXT_STRIDE) {
        case 0: return R_THRESHOLD;
        case 4: return R_CLAIM;
        default: return R_NONE;
        }
    }
    return R_NONE;
}

static bool plic_access_ok(uint64_t off, unsigned size)
{
    return size == 4 && (off & 3) == 0 && off < PLIC_SIZE;
}

static bool plic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct plic *p = opaque;
    uint32_t idx = 0;
    int ctx = 0;
    if (!plic_access_ok(off, size))
        return false;
    switch (plic_decode(p, off, &idx, &ctx)) {
    case R_PRIO:      *val = p->prio[idx]; break;
    case R_PENDING:   *val = p->pending[idx] & p->valid[idx]; break;
    case R_ENABLE:    *val = p->ctx[ctx].enable[idx]; break;
    case R_THRESHOLD: *val = p->ctx[ctx].threshold; break;
    case R_CLAIM:     *val = plic_claim(p, ctx); break;
    case R_NONE:      *val = 0; break;
    }
    return true;
}

static bool plic_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct plic *p = opaque;
    uint32_t idx = 0;
    int ctx = 0;
    if (!plic_access_ok(off, size))
        return false;
    switch (plic_decode(p, off, &idx, &ctx)) {
    case R_PRIO:
        p->prio[idx] = (uint8_t)(val & PLIC_PRIO_MASK);
        plic_update(p);
        break;
    case R_ENABLE:
        p->ctx[ctx].enable[idx] = (uint32_t)val & p->valid[idx];
        plic_update(p);
        break;
    case R_THRESHOLD:
        p->ctx[ctx].threshold = (uint32_t)val & PLIC_PRIO_MASK;
        plic_update(p);
        break;
    case R_CLAIM:
        plic_complete(p, ctx, (uint32_t)val);
        break;
    case R_PENDING: /* read-only */
    case R_NONE:
        break;
    }
    return true;
}

const struct mmio_ops plic_ops = { .read = plic_read, .write = plic_write };

void plic_copy_state(struct plic *dst, const struct plic *src)
{
    memcpy(dst->prio, src->prio, sizeof dst->prio);
    memcpy(dst->level, src->level, sizeof dst->level);
    memcpy(dst->pending, src->pending, sizeof dst->pending);
    memcpy(dst->claimed, src->claimed, sizeof dst->claimed);
    for (int i = 0; i < dst->nctx && i < src->nctx; i++)
        dst->ctx[i] = src->ctx[i];
}
