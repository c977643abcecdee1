/* Programmable performance counters (pmu.h; priv 20211203 §3.1.10-§3.1.13,
 * Sscofpmf 1.0). docs/riscv.md "Performance counters".
 *
 * Counting model: no event needs work per instruction. Each counter keeps
 * its value at the last "settle" and the value of its source then; the
 * cycle and instret events read the hart's own tick / retired counts (exact
 * at every instruction boundary on both engines: blocks take their whole
 * length off the budget, and a CSR read sees the count before itself, as
 * mcycle/minstret do, csr.c), the exception and interrupt events are
 * counted in the trap path. Whatever changes which counters count (a
 * privilege or V change, mcountinhibit, mhpmevent) settles all counters
 * first, so the mode filters and inhibits apply from that instruction on. */
#include "rv_internal.h"
#include "pmu.h"
#include "isa.h"
#include "rv_ops.h"
#include "../../sim/machine.h"

static void update_per_insn(struct rv_hart *h);

bool rv_pmu_has(const struct rv_hart *h, unsigned n)
{
    return n >= 3 && n - 3 < h->nhpm;
}

static uint64_t in_flight(const struct rv_hart *h) { return h->cpu.run_left ? 1 : 0; }

/* The source of a cycle/instret counter (only differences are used).
 * incl = false: as mcycle/minstret read it in a CSR instruction, without
 * that instruction; incl = true: with the instruction in flight (an xRET:
 * it belongs to the mode it leaves) or at a trap (the faulting instruction
 * already taken off instret, its tick counted as a cycle of the old mode;
 * an interrupt is taken between instructions, none in flight). */
static uint64_t source(const struct rv_hart *h, uint64_t sel, bool incl)
{
    const struct cpu *c = &h->cpu;
    uint64_t fl = incl ? 0 : in_flight(h);
    if (sel == RV_HPM_EV_CYCLES)
        return cpu_now(c) - fl;
    uint64_t in_run = c->run_left ? c->run_budget - *c->run_left : 0;
    return c->retired + in_run - h->instret_adj - fl;
}

static bool derived(uint64_t sel) { return sel == RV_HPM_EV_CYCLES || sel == RV_HPM_EV_INSTRET; }

/* Does counter i count in the current mode? mcountinhibit bit 3+i and,
 * with Sscofpmf, the mhpmevent mode-inhibit bits (Sscofpmf "mhpmevent"). */
static bool active(const struct rv_hart *h, unsigned i)
{
    if (h->mcountinhibit >> (i + 3) & 1)
        return false;
    if (!(h->ext & RV_EXT_SSCOFPMF))
        return true;
    uint64_t e = h->hpm_event[i], inh;
    if (h->priv == PRV_M)
        inh = HPMEVENT_MINH;
    else if (h->virt)
        inh = h->priv == PRV_S ? HPMEVENT_VSINH : HPMEVENT_VUINH;
    else
        inh = h->priv == PRV_S ? HPMEVENT_SINH : HPMEVENT_UINH;
    return !(e & inh);
}

/* Counter i wrapped: Sscofpmf sets OF and, if OF was clear, raises LCOFI
 * (mip bit 13; software may clear it). Without Sscofpmf it just wraps. */
static void overflow(struct rv_hart *h, unsigned i)
{
    if (!(h->ext & RV_EXT_SSCOFPMF) || (h->hpm_event[i] & HPMEVENT_OF))
        return;
    h->hpm_event[i] |= HPMEVENT_OF;
    h->mip_sw |= 1ull << IRQ_LCOFI;
    h->attn = 1;
}

static uint64_t current(const struct rv_hart *h, unsigned i)
{
    uint64_t sel = h->hpm_event[i] & HPMEVENT_SEL;
    if (!derived(sel) || !active(h, i))
        return h->hpm_val[i];
    return h->hpm_val[i] + (source(h, sel, false) - h->hpm_src[i]);
}

void rv_pmu_settle(struct rv_hart *h, bool incl)
{
    for (unsigned i = 0; i < h->nhpm; i++) {
        uint64_t sel = h->hpm_event[i] & HPMEVENT_SEL;
        if (!derived(sel))
            continue;
        uint64_t s = source(h, sel, incl);
        if (active(h, i)) {
            uint64_t old = h->hpm_val[i];
            h->hpm_val[i] = old + (s - h->hpm_src[i]);
            if (h->hpm_val[i] < old)
                overflow(h, i);
        }
        h->hpm_src[i] = s;
    }
}

/* The overflow timer: the earliest tick at which an active cycle/instret
 * counter could wrap (instret never advances faster than the clock), only
 * while an overflow would raise an interrupt (Sscofpmf, OF clear). When it
 * fires, settling finds the wrap, or the timer is armed again. */
void rv_pmu_rearm(struct rv_hart *h)
{
    if (!h->nhpm || !(h->ext & RV_EXT_SSCOFPMF))
        return;
    uint64_t now = cpu_now(&h->cpu), best = UINT64_MAX;
    for (unsigned i = 0; i < h->nhpm; i++) {
        uint64_t sel = h->hpm_event[i] & HPMEVENT_SEL;
        if (!derived(sel) || !active(h, i) || (h->hpm_event[i] & HPMEVENT_OF))
            continue;
        uint64_t left = 0 - current(h, i); /* counts until it reads 0 again */
        if (left == 0)
            continue; /* 2^64 counts away */
        uint64_t t = now + left;
        if (t >= now && t < best)
            best = t;
    }
    cpu_timer_arm(&h->cpu, h->pmu_timer, best);
}

void rv_pmu_timer_fire(void *opaque, struct cpu *c)
{
    (void)opaque;
    struct rv_hart *h = RV_HART(c);
    rv_pmu_settle(h, true);
    rv_pmu_rearm(h);
}

uint64_t rv_pmu_counter_read(struct rv_hart *h, unsigned n)
{
    return rv_pmu_has(h, n) ? current(h, n - 3) : 0;
}

/* A write replaces the increment of the writing instruction: the next
 * instruction reads exactly v (as csr.c's mcycle/minstret). */
void rv_pmu_counter_write(struct rv_hart *h, unsigned n, uint64_t v)
{
    if (!rv_pmu_has(h, n))
        return;
    unsigned i = n - 3;
    rv_pmu_settle(h, false);
    h->hpm_val[i] = v;
    uint64_t sel = h->hpm_event[i] & HPMEVENT_SEL;
    if (derived(sel))
        h->hpm_src[i] = source(h, sel, true);
    rv_pmu_rearm(h);
}

uint64_t rv_pmu_event_read(const struct rv_hart *h, unsigned n)
{
    return rv_pmu_has(h, n) ? h->hpm_event[n - 3] : 0;
}

/* WARL: the selector field (55:0) keeps any value; bits 63:58 exist only
 * with Sscofpmf; 57:56 are zero. */
void rv_pmu_event_write(struct rv_hart *h, unsigned n, uint64_t v)
{
    if (!rv_pmu_has(h, n))
        return;
    rv_pmu_settle(h, false);
    uint64_t mask = HPMEVENT_SEL | ((h->ext & RV_EXT_SSCOFPMF) ? 0x3full << 58 : 0);
    unsigned i = n - 3;
    uint64_t old_sel = h->hpm_event[i] & HPMEVENT_SEL;
    h->hpm_event[i] = v & mask;
    uint64_t sel = h->hpm_event[i] & HPMEVENT_SEL;
    if (derived(sel) && sel != old_sel)
        h->hpm_src[i] = source(h, sel, true);
    update_per_insn(h);
    rv_pmu_rearm(h);
}

uint64_t rv_pmu_overflow_bits(const struct rv_hart *h)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < h->nhpm; i++)
        if (h->hpm_event[i] & HPMEVENT_OF)
            r |= 1ull << (i + 3);
    return r;
}

/* Counters whose mcountinhibit bit was just cleared count from the next
 * instruction on (as mcycle/minstret, csr.c). */
void rv_pmu_resume(struct rv_hart *h, uint64_t bits)
{
    for (unsigned i = 0; i < h->nhpm; i++) {
        uint64_t sel = h->hpm_event[i] & HPMEVENT_SEL;
        if ((bits >> (i + 3) & 1) && derived(sel))
            h->hpm_src[i] = source(h, sel, true);
    }
}

/* What a started instruction counts for, once it retires. */
enum { K_LOAD = 1, K_STORE = 2, K_BRANCH = 4 };
#define L(n) [RV_OP_##n] = K_LOAD,
#define S(n) [RV_OP_##n] = K_STORE,
#define LS(n) [RV_OP_##n] = K_LOAD | K_STORE,
#define B(n) [RV_OP_##n] = K_BRANCH,
static const uint8_t insn_kind[RV_OP_COUNT] = {
    L(LB) L(LH) L(LW) L(LD) L(LBU) L(LHU) L(LWU) L(FLH) L(FLW) L(FLD) L(LR_W) L(LR_D)
    L(HLV_B) L(HLV_BU) L(HLV_H) L(HLV_HU) L(HLV_W) L(HLV_WU) L(HLV_D) L(HLVX_HU) L(HLVX_WU)
    S(SB) S(SH) S(SW) S(SD) S(FSH) S(FSW) S(FSD) S(SC_W) S(SC_D)
    S(HSV_B) S(HSV_H) S(HSV_W) S(HSV_D) S(CBO_ZERO)
    LS(AMO_W) LS(AMO_D)
    B(BEQ) B(BNE) B(BLT) B(BGE) B(BLTU) B(BGEU)
};
#undef L
#undef S
#undef LS
#undef B

static bool per_insn(uint64_t sel)
{
    return sel == RV_HPM_EV_LOADS || sel == RV_HPM_EV_STORES || sel == RV_HPM_EV_BRANCHES_TAKEN;
}

static void update_per_insn(struct rv_hart *h)
{
    bool on = false;
    for (unsigned i = 0; i < h->nhpm; i++)
        on |= per_insn(h->hpm_event[i] & HPMEVENT_SEL);
    if (on && !h->pmu_per_insn) {
        h->pmu_pend_op = 0;
        h->interp_only = true; /* from the next block on (exec.c) */
    }
    h->pmu_per_insn = on;
    h->attn = 1;
}

void rv_pmu_insn_start(struct rv_hart *h, unsigned op, uint64_t pc, unsigned len)
{
    h->pmu_pend_op = op < RV_OP_COUNT ? insn_kind[op] : 0;
    h->pmu_pend_pc = pc;
    h->pmu_pend_next = pc + len;
    h->pmu_pend_adj = h->instret_adj;
}

static void count_event(struct rv_hart *h, uint64_t sel)
{
    for (unsigned i = 0; i < h->nhpm; i++)
        if ((h->hpm_event[i] & HPMEVENT_SEL) == sel && active(h, i) && ++h->hpm_val[i] == 0)
            overflow(h, i);
}

/* Called at every boundary while per-instruction events are on, before an
 * interrupt can be taken: the instruction started last retired unless it
 * trapped (instret_adj moved). A branch was taken when the pc is not the
 * fall-through. */
void rv_pmu_insn_end(struct rv_hart *h)
{
    unsigned k = h->pmu_pend_op;
    h->pmu_pend_op = 0;
    h->attn = 1; /* come back here after the next instruction too */
    if (!k || h->instret_adj != h->pmu_pend_adj)
        return;
    if (k & K_LOAD)
        count_event(h, RV_HPM_EV_LOADS);
    if (k & K_STORE)
        count_event(h, RV_HPM_EV_STORES);
    if ((k & K_BRANCH) && h->pc != h->pmu_pend_next)
        count_event(h, RV_HPM_EV_BRANCHES_TAKEN);
}

void rv_pmu_trap(struct rv_hart *h, bool interrupt)
{
    rv_pmu_settle(h, true);
    uint64_t want = interrupt ? RV_HPM_EV_INTERRUPTS : RV_HPM_EV_EXCEPTIONS;
    for (unsigned i = 0; i < h->nhpm; i++)
        if ((h->hpm_event[i] & HPMEVENT_SEL) == want && active(h, i) && ++h->hpm_val[i] == 0)
            overflow(h, i);
}
