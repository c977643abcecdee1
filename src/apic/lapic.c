/* The x86 local APIC (Intel SDM vol. 3A ch. 10; section numbers below are
 * of that chapter). See lapic.h for the interface and docs/x86.md
 * "Interrupts and SMP" for the rules chosen where the SDM leaves a choice:
 *
 *  - Lowest-priority arbitration (§10.6.2.4): among the addressed APICs
 *    that are software-enabled, a focus processor (the vector already in
 *    its IRR or ISR, focus checking on: SVR bit 9 = 0) wins; otherwise the
 *    lowest arbitration priority (APR, §10.8.3.1 of older editions); ties
 *    go to the lowest APIC ID. The targets' state is read when the sender
 *    writes the ICR, in the scheduler's (deterministic) order.
 *  - SMI messages are accepted and ignored (no SMM).
 *  - Delivery status (ICR bit 12) always reads 0 (idle): a message leaves
 *    the sender the moment the ICR is written and takes effect on each
 *    target when its clock reaches the sender's time.
 *  - The timer counts the CPU clock (one count per tick = per instruction
 *    at the configured cpu-hz) divided by the divide configuration.
 *  - ESR send/receive accept errors (bits 2, 3; P6-era APIC-bus errors):
 *    bit 2 when a message addresses no APIC at all, bit 3 when a software-
 *    disabled APIC discards a fixed or lowest-priority message. */
#include "lapic.h"
#include <stdlib.h>
#include <string.h>
#include "../cpu/x86/x86.h"
#include "../cpu/x86/x86_cpu.h"
#include "../sim/cpu.h"
#include "../sim/machine.h"
#include "../trace/emit.h"

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI, LVT_N };
#define LVT_MASK (1u << 16)
#define SVR_ENABLE (1u << 8)
#define SVR_FOCUS_OFF (1u << 9)
/* Version: integrated APIC (0x14), max LVT entry 6 (timer, thermal, perf,
 * LINT0, LINT1, error, CMCI), no EOI-broadcast suppression (bit 24 = 0). */
#define LAPIC_VERSION (0x14u | 6u << 16)

/* Writable bits of each LVT (Figure 10-8): vector, delivery mode (not for
 * the timer and error entries), pin polarity/trigger (LINT0/1), mask,
 * timer mode. */
static const uint32_t lvt_bits[LVT_N] = {
    [LVT_TIMER] = 0x000600ffu,   /* vector, mode 18:17 (mask bit 16 added below) */
    [LVT_THERMAL] = 0x000107ffu, [LVT_PERF] = 0x000107ffu,
    [LVT_LINT0] = 0x0001a7ffu, [LVT_LINT1] = 0x0001a7ffu,
    [LVT_ERROR] = 0x000100ffu, [LVT_CMCI] = 0x000107ffu,
};

/* The guest-visible state (copied whole by snapshots). */
struct lapic_regs {
    uint64_t base;          /* IA32_APIC_BASE */
    uint32_t xid;           /* xAPIC ID register (bits 31:24 writable) */
    uint32_t tpr, ldr, dfr, svr, esr, esr_pending;
    uint32_t irr[8], isr[8], tmr[8];
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_N];
    uint32_t timer_initial, dcr;
    bool timer_running;
    uint64_t timer_start;   /* tick the current period began */
    uint64_t deadline;      /* armed tick (UINT64_MAX: none) */
    uint64_t tsc_deadline;  /* IA32_TSC_DEADLINE */
    bool lint[2];           /* pin levels */
    bool extint_msg;        /* an ExtINT message waits for INTA */
};

struct lapic {
    struct lapic_sys *sys;
    struct cpu *cpu;
    int idx;                /* CPU index = initial APIC ID */
    int timer;              /* cpu_timer index */
    struct lapic_regs r;
};

struct lapic_sys {
    struct machine *m;
    int n;
    int (*extint_ack)(void *);
    void *extint_opaque;
    void (*eoi)(void *, uint8_t);
    void *eoi_opaque;
    struct lapic l[];
};

/* ---- small helpers ----------------------------------------------------- */

static bool x2(const struct lapic *l) { return (l->r.base & APIC_BASE_EXTD) != 0; }
bool lapic_hw_enabled(const struct lapic *l) { return (l->r.base & APIC_BASE_EN) != 0; }
static bool sw_enabled(const struct lapic *l) { return (l->r.svr & SVR_ENABLE) != 0; }
static uint64_t now_of(const struct lapic *l) { return cpu_now(l->cpu); }
static struct x86_cpu *xcpu(const struct lapic *l) { return X86(l->cpu); }

static int highest(const uint32_t v[8])
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}
static bool test_bit(const uint32_t v[8], unsigned n) { return (v[n / 32] >> (n % 32)) & 1; }
static void set_bit(uint32_t v[8], unsigned n) { v[n / 32] |= 1u << (n % 32); }
static void clr_bit(uint32_t v[8], unsigned n) { v[n / 32] &= ~(1u << (n % 32)); }

/* The x2APIC ID and logical ID (§10.12.2, §10.12.10.2). */
static uint32_t apic_id(const struct lapic *l)
{
    return x2(l) ? (uint32_t)l->idx : l->r.xid >> 24;
}
static uint32_t x2_ldr(const struct lapic *l)
{
    return ((uint32_t)l->idx >> 4) << 16 | 1u << (l->idx & 15);
}

/* PPR (§10.8.3.1): the TPR when its class is at least the highest
 * in-service class, else that class. */
static uint32_t ppr(const struct lapic *l)
{
    int isrv = highest(l->r.isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (l->r.tpr & 0xf0) >= isr_class ? l->r.tpr & 0xff : isr_class;
}

/* APR: the arbitration priority for lowest-priority delivery: the TPR when
 * its class is at least the highest class in IRR or ISR, else that class. */
static uint32_t apr(const struct lapic *l)
{
    int irrv = highest(l->r.irr), isrv = highest(l->r.isr);
    int m = irrv > isrv ? irrv : isrv;
    uint32_t c = m < 0 ? 0 : (uint32_t)m & 0xf0;
    return (l->r.tpr & 0xf0) >= c ? l->r.tpr & 0xff : c;
}

/* The vector the APIC would present now: the highest IRR vector whose
 * class is above the PPR's (§10.8.3.1), -1 if none. */
static int deliverable(const struct lapic *l)
{
    int v = highest(l->r.irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return v;
}

static bool lint0_extint(const struct lapic *l)
{
    uint32_t e = l->r.lvt[LVT_LINT0];
    return !(e & LVT_MASK) && ((e >> 8) & 7) == 7 && l->r.lint[0];
}

/* Recompute the CPU's INTR input from the APIC's state. */
static void update_intr(struct lapic *l)
{
    struct x86_cpu *x = xcpu(l);
    bool lvl;
    if (!lapic_hw_enabled(l))
        lvl = l->r.lint[0]; /* globally disabled: LINT0 is the INTR pin (§10.4.3) */
    else
        lvl = l->r.extint_msg || lint0_extint(l) || deliverable(l) >= 0;
    x->intr = lvl;
    x->attn = true;
}

static void error(struct lapic *l, uint32_t bit);

/* Put a vector into the IRR (a fixed interrupt accepted, §10.8.4):
 * vectors 0-15 are illegal (ESR "receive illegal vector"). */
static void accept_vector(struct lapic *l, unsigned vector, bool level)
{
    if (vector < 16) {
        error(l, LAPIC_ESR_RECV_ILLEGAL);
        return;
    }
    set_bit(l->r.irr, vector);
    if (level)
        set_bit(l->r.tmr, vector);
    else
        clr_bit(l->r.tmr, vector);
    update_intr(l);
}

/* An error (§10.5.3): latched in the internal error state (visible after
 * the next ESR write) and, with the LVT error entry unmasked, its
 * interrupt. */
static void error(struct lapic *l, uint32_t bit)
{
    l->r.esr_pending |= bit;
    uint32_t e = l->r.lvt[LVT_ERROR];
    if (!(e & LVT_MASK) && (e & 0xff) >= 16)
        accept_vector(l, e & 0xff, false);
}

/* A locally generated interrupt through an LVT entry (timer, error, LINT
 * with fixed mode). */
static void lvt_fire(struct lapic *l, int which)
{
    uint32_t e = l->r.lvt[which];
    if (e & LVT_MASK)
        return;
    unsigned mode = which == LVT_TIMER || which == LVT_ERROR ? 0 : (e >> 8) & 7;
    struct x86_cpu *x = xcpu(l);
    switch (mode) {
    case 0: accept_vector(l, e & 0xff, false); break;
    case 4: x->nmi_pending = true; x->attn = true; break; /* NMI */
    case 7: update_intr(l); break;                      /* ExtINT: level of LINT0 */
    default: break;                                     /* SMI, INIT: not from an LVT here */
    }
}

/* ---- timer (§10.5.4) ------------------------------------------------------ */

static uint64_t divisor(const struct lapic *l)
{
    unsigned b = (l->r.dcr & 3) | ((l->r.dcr >> 1) & 4);
    return b == 7 ? 1 : 2ull << b;
}
static unsigned timer_mode(const struct lapic *l) { return (l->r.lvt[LVT_TIMER] >> 17) & 3; }

static void arm(struct lapic *l, uint64_t deadline)
{
    l->r.deadline = deadline;
    cpu_timer_arm(l->cpu, l->timer, deadline);
}

/* A disarm the guest did not ask for by arming (a timer mode change, INIT,
 * a global disable): timer.set value=off deadline=never, when it was armed. */
static void disarm_traced(struct lapic *l, unsigned mode)
{
    if (l->r.deadline != UINT64_MAX && l->cpu)
        TRACE(l->sys->m, TK_TIMER_SET, (uint32_t)l->idx, now_of(l),
              mode == 2 ? LAPIC_TRACE_TSC_DEADLINE : LAPIC_TRACE_TIMER, UINT64_MAX, UINT64_MAX);
}

static uint32_t current_count(const struct lapic *l)
{
    if (!l->r.timer_running || timer_mode(l) == 2 || !l->r.timer_initial)
        return 0;
    uint64_t el = (now_of(l) - l->r.timer_start) / divisor(l);
    if (timer_mode(l) == 1)
        return l->r.timer_initial - (uint32_t)(el % l->r.timer_initial);
    return el >= l->r.timer_initial ? 0 : l->r.timer_initial - (uint32_t)el;
}

static void timer_start(struct lapic *l, uint64_t now)
{
    l->r.timer_start = now;
    l->r.timer_running = l->r.timer_initial != 0;
    uint64_t d = l->r.timer_running ? now + (uint64_t)l->r.timer_initial * divisor(l) : UINT64_MAX;
    arm(l, d);
    TRACE(l->sys->m, TK_TIMER_SET, (uint32_t)l->idx, now, LAPIC_TRACE_TIMER,
          l->r.timer_running ? l->r.timer_initial : UINT64_MAX, d);
}

static void tsc_deadline_set(struct lapic *l, uint64_t v)
{
    struct x86_cpu *x = xcpu(l);
    uint64_t now = now_of(l);
    l->r.tsc_deadline = v;
    uint64_t d = UINT64_MAX;
    if (v) {
        uint64_t tsc = now + x->tsc_offset;
        d = v <= tsc ? now : now + (v - tsc);
    }
    arm(l, d);
    TRACE(l->sys->m, TK_TIMER_SET, (uint32_t)l->idx, now, LAPIC_TRACE_TSC_DEADLINE,
          v ? v : UINT64_MAX, d);
}

static void timer_fire(void *opaque, struct cpu *cpu)
{
    struct lapic *l = opaque;
    uint64_t now = cpu_now(cpu);
    if (l->r.deadline == UINT64_MAX)
        return;
    if (now < l->r.deadline)
        now = l->r.deadline;
    if (timer_mode(l) == 2) {
        TRACE(l->sys->m, TK_TIMER_FIRE, (uint32_t)l->idx, now, LAPIC_TRACE_TSC_DEADLINE,
              l->r.tsc_deadline);
        l->r.tsc_deadline = 0; /* fires once, then reads 0 (§10.5.4.1) */
        arm(l, UINT64_MAX);
    } else {
        TRACE(l->sys->m, TK_TIMER_FIRE, (uint32_t)l->idx, now, LAPIC_TRACE_TIMER,
              l->r.timer_initial);
        if (timer_mode(l) == 1 && l->r.timer_initial) {
            l->r.timer_start = l->r.deadline;
            arm(l, l->r.deadline + (uint64_t)l->r.timer_initial * divisor(l));
        } else {
            l->r.timer_running = false;
            arm(l, UINT64_MAX);
        }
    }
    lvt_fire(l, LVT_TIMER);
}

/* ---- reset ------------------------------------------------------------------ */

void lapic_reset(struct lapic *l, bool init)
{
    uint64_t base = l->r.base;
    uint32_t xid = l->r.xid;
    disarm_traced(l, timer_mode(l));
    memset(&l->r, 0, sizeof l->r);
    if (init) {
        l->r.base = base;
        l->r.xid = xid;
    } else {
        l->r.base = LAPIC_DEFAULT_BASE | APIC_BASE_EN | (l->idx == 0 ? APIC_BASE_BSP : 0);
        l->r.xid = (uint32_t)l->idx << 24;
    }
    l->r.dfr = 0xffffffffu;
    l->r.svr = 0xff;
    for (int i = 0; i < LVT_N; i++)
        l->r.lvt[i] = LVT_MASK;
    l->r.deadline = UINT64_MAX;
    if (l->timer >= 0)
        cpu_timer_arm(l->cpu, l->timer, UINT64_MAX);
    if (l->cpu) {
        xcpu(l)->apic_base = l->r.base;
        xcpu(l)->cr8 = 0;
        update_intr(l);
    }
}

void lapic_virtual_wire(struct lapic *l)
{
    l->r.svr = SVR_ENABLE | 0xff;
    l->r.lvt[LVT_LINT0] = 7u << 8; /* ExtINT */
    l->r.lvt[LVT_LINT1] = 4u << 8; /* NMI */
    update_intr(l);
}

/* ---- lifetime --------------------------------------------------------------- */

struct lapic_sys *lapic_sys_new(struct machine *m, int ncpus)
{
    if (!m || ncpus < 1 || ncpus > m->ncpus || ncpus > CONFIG_MAX_CPUS)
        return NULL;
    struct lapic_sys *s = calloc(1, sizeof *s + (size_t)ncpus * sizeof s->l[0]);
    if (!s)
        return NULL;
    s->m = m;
    s->n = ncpus;
    for (int i = 0; i < ncpus; i++) {
        struct lapic *l = &s->l[i];
        l->sys = s;
        l->idx = i;
        l->r.deadline = UINT64_MAX; /* never armed */
        l->cpu = m->cpus[i];
        l->timer = -1;
        if (!l->cpu || l->cpu->ops->arch != CPU_ARCH_X86_64) {
            free(s);
            return NULL;
        }
        l->timer = cpu_timer_alloc(l->cpu, timer_fire, l);
        if (l->timer < 0) {
            free(s);
            return NULL;
        }
        lapic_reset(l, false);
    }
    return s;
}

void lapic_sys_free(struct lapic_sys *s) { free(s); }

struct lapic *lapic_of(struct lapic_sys *s, int cpu)
{
    return s && cpu >= 0 && cpu < s->n ? &s->l[cpu] : NULL;
}

void lapic_sys_set_extint(struct lapic_sys *s, int (*ack)(void *), void *opaque)
{
    s->extint_ack = ack;
    s->extint_opaque = opaque;
}

void lapic_sys_set_eoi_listener(struct lapic_sys *s, void (*eoi)(void *, uint8_t), void *opaque)
{
    s->eoi = eoi;
    s->eoi_opaque = opaque;
}

void lapic_sys_copy_state(struct lapic_sys *dst, const struct lapic_sys *src)
{
    for (int i = 0; i < dst->n && i < src->n; i++)
        dst->l[i].r = src->l[i].r;
}

/* ---- check records ------------------------------------------------------------ */

static const char *const check_names[] = {
    "apic_base", "id", "tpr", "ldr", "dfr", "svr", "esr", "esr.pending",
    "irr.0-63", "irr.64-127", "irr.128-191", "irr.192-255",
    "isr.0-63", "isr.64-127", "isr.128-191", "isr.192-255",
    "tmr.0-63", "tmr.64-127", "tmr.128-191", "tmr.192-255", "icr",
    "lvt.timer", "lvt.thermal", "lvt.perf", "lvt.lint0", "lvt.lint1", "lvt.error", "lvt.cmci",
    "timer.initial", "timer.dcr", "timer.start", "timer.deadline", "tsc_deadline",
    "flags", /* bit 0 timer running, 1 LINT0 level, 2 LINT1 level, 3 ExtINT message waiting */
};

_Static_assert(sizeof check_names / sizeof check_names[0] == LAPIC_CHECK_N, "LAPIC_CHECK_N");

const char *lapic_check_name(unsigned i)
{
    return i < LAPIC_CHECK_N ? check_names[i] : NULL;
}

void lapic_check_state(const struct lapic *l, uint64_t v[LAPIC_CHECK_N])
{
    const struct lapic_regs *r = &l->r;
    unsigned n = 0;
    v[n++] = r->base;
    v[n++] = r->xid;
    v[n++] = r->tpr;
    v[n++] = r->ldr;
    v[n++] = r->dfr;
    v[n++] = r->svr;
    v[n++] = r->esr;
    v[n++] = r->esr_pending;
    for (int i = 0; i < 8; i += 2)
        v[n++] = r->irr[i] | (uint64_t)r->irr[i + 1] << 32;
    for (int i = 0; i < 8; i += 2)
        v[n++] = r->isr[i] | (uint64_t)r->isr[i + 1] << 32;
    for (int i = 0; i < 8; i += 2)
        v[n++] = r->tmr[i] | (uint64_t)r->tmr[i + 1] << 32;
    v[n++] = r->icr_lo | (uint64_t)r->icr_hi << 32;
    for (int i = 0; i < LVT_N; i++)
        v[n++] = r->lvt[i];
    v[n++] = r->timer_initial;
    v[n++] = r->dcr;
    v[n++] = r->timer_start;
    v[n++] = r->deadline;
    v[n++] = r->tsc_deadline;
    v[n++] = (uint64_t)r->timer_running | (uint64_t)r->lint[0] << 1 | (uint64_t)r->lint[1] << 2 |
             (uint64_t)r->extint_msg << 3;
}

/* ---- routing (§10.6.2) -------------------------------------------------------- */

/* Does APIC t match destination dest in the given mode? x2dest: the
 * destination is 32 bits (an x2APIC sender), else 8. */
static bool matches(const struct lapic *t, uint32_t dest, bool logical, bool x2dest)
{
    if (!lapic_hw_enabled(t))
        return false;
    if (!x2dest)
        dest &= 0xff;
    uint32_t bcast = x2dest ? 0xffffffffu : 0xffu;
    if (dest == bcast)
        return true;
    if (!logical)
        return apic_id(t) == dest;
    if (x2(t)) { /* §10.12.10.2: cluster in 31:16, bitmap in 15:0 */
        uint32_t ldr = x2_ldr(t);
        return (ldr >> 16) == (dest >> 16) && (ldr & dest & 0xffff);
    }
    uint32_t ldr = t->r.ldr >> 24, mda = dest & 0xff;
    if ((t->r.dfr >> 28) == 0xf) /* flat (§10.6.2.2) */
        return (ldr & mda) != 0;
    /* cluster: 7:4 cluster (0xf: all clusters), 3:0 members */
    return ((mda >> 4) == 0xf || (mda >> 4) == (ldr >> 4)) && (ldr & mda & 0xf);
}

/* Lowest-priority arbitration among the targets in *mask (the rule at the
 * top of this file); leaves one bit, or none. */
static uint64_t arbitrate(struct lapic_sys *s, uint64_t mask, unsigned vector)
{
    int best = -1;
    uint32_t best_apr = 0;
    for (int i = 0; i < s->n; i++) {
        const struct lapic *t = &s->l[i];
        if (!(mask >> i & 1) || !sw_enabled(t))
            continue;
        if (!(t->r.svr & SVR_FOCUS_OFF) &&
            (test_bit(t->r.irr, vector) || test_bit(t->r.isr, vector)))
            return 1ull << i; /* focus processor */
        uint32_t a = apr(t);
        if (best < 0 || (a & 0xf0) < (best_apr & 0xf0) ||
            ((a & 0xf0) == (best_apr & 0xf0) && apic_id(t) < apic_id(&s->l[best]))) {
            best = i;
            best_apr = a;
        }
    }
    return best < 0 ? 0 : 1ull << best;
}

static uint64_t targets(struct lapic_sys *s, uint32_t dest, bool logical, bool x2dest)
{
    uint64_t mask = 0;
    for (int i = 0; i < s->n; i++)
        if (matches(&s->l[i], dest, logical, x2dest))
            mask |= 1ull << i;
    return mask;
}

/* Each target gets the message at the sender's time; the sending CPU
 * last (an INIT to itself ends its instruction: x86_irq_msg). */
static void post(struct lapic_sys *s, uint64_t mask, const struct cpu_msg *msg, int sender)
{
    struct machine *m = s->m;
    uint64_t now = machine_now(m);
    for (int i = 0; i < s->n; i++)
        if ((mask >> i & 1) && i != sender)
            cpu_deliver_msg(s->l[i].cpu, m->sched.current, now, msg);
    if (sender >= 0 && (mask >> sender & 1))
        cpu_deliver_msg(s->l[sender].cpu, m->sched.current, now, msg);
}

void lapic_sys_device_msg(struct lapic_sys *s, unsigned mode, uint8_t vector, bool level,
                          bool logical, uint32_t dest, uint32_t source)
{
    uint64_t mask = targets(s, dest, logical, false);
    if (mode == CPU_MSG_LOWEST)
        mask = arbitrate(s, mask, vector);
    struct cpu_msg msg = { .mode = (uint8_t)mode, .vector = vector, .level_triggered = level,
                           .source_kind = 1, .source = source };
    post(s, mask, &msg, -1);
}

/* The ipi.send "mech" of an ICR write (docs/trace-format.md "IPI
 * mechanisms"): IPI_MECH_LAPIC in bits 7:0, ICR[19:0] (vector, delivery
 * mode, destination mode, level, trigger mode, shorthand; the reserved
 * bits and delivery status 0) in bits 27:8, the destination field in bits
 * 63:32. Named by arch_x86_64.ipi_detail. */
uint64_t lapic_trace_mech(uint32_t lo, uint32_t dest)
{
    return IPI_MECH_LAPIC | (uint64_t)(lo & 0x000ccfffu) << 8 | (uint64_t)dest << 32;
}

/* The ipi.send of an ICR write by the CPU in its slot: its code mode in
 * bits 30:28 of mech (TRACE_IPI_MODE) and the linear address of its
 * instruction as pc (x86_trace_pc: CS.base + IP outside 64-bit mode, as
 * exc.take's), so that `trace show` finds and disassembles its bytes. */
static uint64_t sender_mech(struct machine *m, uint32_t lo, uint32_t dest)
{
    struct cpu *c = m->sched.current;
    return lapic_trace_mech(lo, dest) | (c ? (uint64_t)x86_trace_mode(X86(c)) << 28 : 0);
}
static uint64_t sender_pc(struct machine *m)
{
    return m->sched.current ? x86_trace_pc(X86(m->sched.current)) : 0;
}

/* An ICR write (§10.6.1): lo = ICR[31:0], dest = the destination field
 * (xAPIC: ICR[63:56]; x2APIC: ICR[63:32]). */
static void send_ipi(struct lapic *l, uint32_t lo, uint32_t dest)
{
    struct lapic_sys *s = l->sys;
    struct machine *m = s->m;
    unsigned mode = (lo >> 8) & 7, vector = lo & 0xff, sh = (lo >> 18) & 3;
    bool logical = (lo >> 11) & 1, level = (lo >> 14) & 1, trig = (lo >> 15) & 1;
    uint64_t mask;
    struct cpu_msg msg = { .mode = (uint8_t)mode, .vector = (uint8_t)vector,
                           .level_triggered = trig, .source_kind = 0, .source = (uint32_t)l->idx };
    if (mode == 3 || mode == 7) /* reserved (ExtINT cannot be sent by an ICR) */
        return;
    if ((mode == CPU_MSG_FIXED || mode == CPU_MSG_LOWEST) && vector < 16) {
        error(l, LAPIC_ESR_SEND_ILLEGAL);
        return;
    }
    if (mode == CPU_MSG_INIT && !level && trig) {
        /* INIT level de-assert: to every APIC, whatever the destination
         * (§10.6.1); arbitration IDs only, no effect on the CPUs. */
        msg.mode = CPU_MSG_INIT_DEASSERT;
        mask = s->n >= 64 ? ~0ull : (1ull << s->n) - 1;
    } else {
        switch (sh) {
        case 1: mask = 1ull << l->idx; break;
        case 2: mask = s->n >= 64 ? ~0ull : (1ull << s->n) - 1; break;
        case 3: mask = (s->n >= 64 ? ~0ull : (1ull << s->n) - 1) & ~(1ull << l->idx); break;
        default: mask = targets(s, dest, logical, x2(l)); break;
        }
        if (mode == CPU_MSG_LOWEST)
            mask = arbitrate(s, mask, vector);
    }
    TRACE(m, TK_IPI_SEND, (uint32_t)l->idx, now_of(l), sender_mech(m, lo, dest), mask,
          sender_pc(m), trace_cur_insn(m));
    if (!mask) {
        error(l, LAPIC_ESR_SEND_ACCEPT);
        return;
    }
    post(s, mask, &msg, l->idx); /* SMI too: the target records and ignores it */
}

/* ---- acceptance (at the target's time) ----------------------------------------- */

/* ipi.deliver "line" (named by arch_x86_64.line_name): the vector for
 * fixed and lowest-priority messages (the irq.take cause that follows),
 * else the delivery mode << 8: 0x200 SMI, 0x400 NMI, 0x500 INIT,
 * 0x600 | vector SIPI, 0x800 INIT level de-assert. */
static uint64_t deliver_line(const struct cpu_msg *msg)
{
    switch (msg->mode) {
    case CPU_MSG_FIXED: case CPU_MSG_LOWEST: case CPU_MSG_EXTINT: return msg->vector;
    case CPU_MSG_SIPI: return 0x600u | msg->vector;
    default: return (uint64_t)msg->mode << 8;
    }
}

bool lapic_accept(struct lapic *l, const struct cpu_msg *msg)
{
    struct machine *m = l->sys->m;
    if (!lapic_hw_enabled(l))
        return false; /* globally disabled: no APIC to receive it (§10.4.3) */
    if (msg->source_kind == 0)
        TRACE(m, TK_IPI_DELIVER, (uint32_t)l->idx, now_of(l), IPI_MECH_LAPIC, deliver_line(msg),
              msg->source);
    switch (msg->mode) {
    case CPU_MSG_FIXED:
    case CPU_MSG_LOWEST:
        if (!sw_enabled(l)) { /* §10.4.7.2: only INIT, NMI, SMI, SIPI */
            error(l, LAPIC_ESR_RECV_ACCEPT);
            return false;
        }
        accept_vector(l, msg->vector, msg->level_triggered);
        return false;
    case CPU_MSG_EXTINT:
        l->r.extint_msg = true;
        update_intr(l);
        return false;
    case CPU_MSG_NMI:
    case CPU_MSG_SIPI:
        return true;
    case CPU_MSG_INIT:
        lapic_reset(l, true);
        return true;
    default: /* SMI, INIT de-assert */
        return false;
    }
}

int lapic_ack(void *opaque)
{
    struct lapic *l = opaque;
    struct lapic_sys *s = l->sys;
    if (!lapic_hw_enabled(l) || l->r.extint_msg || lint0_extint(l)) {
        /* ExtINT: the 8259 gives the vector; no IRR/ISR (§10.6.1) */
        l->r.extint_msg = false;
        int v = s->extint_ack ? s->extint_ack(s->extint_opaque) : -1;
        update_intr(l);
        return v;
    }
    int v = deliverable(l);
    if (v < 0) {
        update_intr(l);
        return (int)(l->r.svr & 0xff); /* masked by the TPR since: spurious (§10.9) */
    }
    clr_bit(l->r.irr, (unsigned)v);
    set_bit(l->r.isr, (unsigned)v);
    update_intr(l);
    return v;
}

void lapic_set_lint(struct lapic *l, int pin, int level)
{
    if (pin < 0 || pin > 1)
        return;
    bool old = l->r.lint[pin];
    l->r.lint[pin] = level != 0;
    struct x86_cpu *x = xcpu(l);
    if (!lapic_hw_enabled(l)) { /* pins pass straight through: INTR, NMI */
        if (pin == 0)
            update_intr(l);
        else if (level && !old) {
            x->nmi_pending = true;
            x->attn = true;
        }
        return;
    }
    uint32_t e = l->r.lvt[pin ? LVT_LINT1 : LVT_LINT0];
    unsigned mode = (e >> 8) & 7;
    if (mode == 7)
        update_intr(l);
    else if (level && !old)
        lvt_fire(l, pin ? LVT_LINT1 : LVT_LINT0); /* edge: fixed / NMI */
}

void lapic_set_tpr(struct lapic *l, uint32_t tpr)
{
    l->r.tpr = tpr & 0xff;
    xcpu(l)->cr8 = (tpr >> 4) & 0xf;
    update_intr(l);
}

/* ---- EOI (§10.8.5) -------------------------------------------------------------- */

static void eoi(struct lapic *l);
void lapic_write_eoi(struct lapic *l) { eoi(l); }

static void eoi(struct lapic *l)
{
    int v = highest(l->r.isr);
    if (v < 0)
        return;
    clr_bit(l->r.isr, (unsigned)v);
    TRACE(l->sys->m, TK_IRQ_COMPLETE, (uint32_t)l->idx, now_of(l), (uint64_t)l->idx,
          (uint64_t)v);
    if (test_bit(l->r.tmr, (unsigned)v) && l->sys->eoi)
        l->sys->eoi(l->sys->eoi_opaque, (uint8_t)v); /* level: broadcast to the IOAPIC */
    update_intr(l);
}

/* ---- registers -------------------------------------------------------------------- */

/* Read register `off` (an xAPIC offset). *ok = false: no such register in
 * the current mode. */
static uint64_t reg_read(struct lapic *l, unsigned off, bool *ok)
{
    *ok = true;
    if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80)
        return l->r.isr[(off - LAPIC_ISR) >> 4];
    if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80)
        return l->r.tmr[(off - LAPIC_TMR) >> 4];
    if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80)
        return l->r.irr[(off - LAPIC_IRR) >> 4];
    switch (off) {
    case LAPIC_ID: return x2(l) ? (uint32_t)l->idx : l->r.xid;
    case LAPIC_VER: return LAPIC_VERSION;
    case LAPIC_TPR: return l->r.tpr;
    case LAPIC_APR: if (x2(l)) break; return apr(l);
    case LAPIC_PPR: return ppr(l);
    case LAPIC_RRD: if (x2(l)) break; return 0;
    case LAPIC_LDR: return x2(l) ? x2_ldr(l) : l->r.ldr;
    case LAPIC_DFR: if (x2(l)) break; return l->r.dfr;
    case LAPIC_SVR: return l->r.svr;
    case LAPIC_ESR: return l->r.esr;
    case LAPIC_LVT_CMCI: return l->r.lvt[LVT_CMCI];
    case LAPIC_ICR_LO:
        if (x2(l))
            return (uint64_t)l->r.icr_hi << 32 | (l->r.icr_lo & ~(1u << 12));
        return l->r.icr_lo & ~(1u << 12); /* delivery status: idle */
    case LAPIC_ICR_HI: if (x2(l)) break; return l->r.icr_hi;
    case LAPIC_LVT_TIMER: return l->r.lvt[LVT_TIMER];
    case LAPIC_LVT_THERMAL: return l->r.lvt[LVT_THERMAL];
    case LAPIC_LVT_PERF: return l->r.lvt[LVT_PERF];
    case LAPIC_LVT_LINT0: return l->r.lvt[LVT_LINT0];
    case LAPIC_LVT_LINT1: return l->r.lvt[LVT_LINT1];
    case LAPIC_LVT_ERROR: return l->r.lvt[LVT_ERROR];
    case LAPIC_TIMER_ICR: return l->r.timer_initial;
    case LAPIC_TIMER_CCR: return current_count(l);
    case LAPIC_TIMER_DCR: return l->r.dcr;
    default: break;
    }
    *ok = false;
    return 0;
}

static void write_lvt(struct lapic *l, int which, uint32_t v)
{
    uint32_t old_mode = timer_mode(l);
    v &= lvt_bits[which] | LVT_MASK;
    if (which == LVT_TIMER)
        v &= 0x000700ffu;
    if (!sw_enabled(l))
        v |= LVT_MASK; /* §10.4.7.2: cannot be unmasked while software-disabled */
    /* keep the read-only delivery status / remote IRR bits (never set here) */
    l->r.lvt[which] = v;
    if (which == LVT_TIMER && timer_mode(l) != old_mode) {
        /* a mode change stops the count and disarms the deadline */
        disarm_traced(l, old_mode);
        l->r.timer_running = false;
        l->r.tsc_deadline = 0;
        arm(l, UINT64_MAX);
    }
    if (which == LVT_LINT0)
        update_intr(l);
}

/* Write register `off`; returns false for a register that does not exist
 * or cannot be written in the current mode (x2APIC: #GP). */
static bool reg_write(struct lapic *l, unsigned off, uint64_t v64)
{
    uint32_t v = (uint32_t)v64;
    switch (off) {
    case LAPIC_ID:
        if (x2(l))
            return false; /* read-only in x2APIC mode */
        l->r.xid = v & 0xff000000u;
        return true;
    case LAPIC_TPR: lapic_set_tpr(l, v & 0xff); return true;
    case LAPIC_EOI:
        if (x2(l) && v64)
            return false; /* x2APIC: a non-zero EOI write is #GP (§10.12.1.2) */
        eoi(l);
        return true;
    case LAPIC_LDR:
        if (x2(l))
            return false;
        l->r.ldr = v & 0xff000000u;
        return true;
    case LAPIC_DFR:
        if (x2(l))
            return false;
        l->r.dfr = v | 0x0fffffffu;
        return true;
    case LAPIC_SVR: {
        bool was = sw_enabled(l);
        l->r.svr = v & (0xffu | SVR_ENABLE | SVR_FOCUS_OFF);
        if (was && !sw_enabled(l))
            for (int i = 0; i < LVT_N; i++) /* §10.4.7.2: every LVT masked */
                l->r.lvt[i] |= LVT_MASK;
        /* re-enabling leaves them masked: software unmasks what it wants */
        update_intr(l);
        return true;
    }
    case LAPIC_ESR:
        if (x2(l) && v64)
            return false;
        l->r.esr = l->r.esr_pending; /* a write latches and clears (§10.5.3) */
        l->r.esr_pending = 0;
        return true;
    case LAPIC_LVT_CMCI: write_lvt(l, LVT_CMCI, v); return true;
    case LAPIC_ICR_LO:
        if (x2(l)) {
            l->r.icr_lo = v & ~(1u << 12);
            l->r.icr_hi = (uint32_t)(v64 >> 32);
            send_ipi(l, l->r.icr_lo, l->r.icr_hi);
        } else {
            l->r.icr_lo = v & 0x000ccfffu;
            send_ipi(l, l->r.icr_lo, l->r.icr_hi >> 24);
        }
        return true;
    case LAPIC_ICR_HI:
        if (x2(l))
            return false;
        l->r.icr_hi = v & 0xff000000u;
        return true;
    case LAPIC_LVT_TIMER: write_lvt(l, LVT_TIMER, v); return true;
    case LAPIC_LVT_THERMAL: write_lvt(l, LVT_THERMAL, v); return true;
    case LAPIC_LVT_PERF: write_lvt(l, LVT_PERF, v); return true;
    case LAPIC_LVT_LINT0: write_lvt(l, LVT_LINT0, v); return true;
    case LAPIC_LVT_LINT1: write_lvt(l, LVT_LINT1, v); return true;
    case LAPIC_LVT_ERROR: write_lvt(l, LVT_ERROR, v); return true;
    case LAPIC_TIMER_ICR:
        if (timer_mode(l) == 2)
            return true; /* ignored in TSC-deadline mode */
        l->r.timer_initial = v;
        timer_start(l, now_of(l));
        return true;
    case LAPIC_TIMER_DCR: {
        uint32_t cur = current_count(l);
        l->r.dcr = v & 0xb;
        if (l->r.timer_running && timer_mode(l) != 2) {
            /* the remaining count continues at the new rate */
            uint64_t now = now_of(l);
            arm(l, now + (uint64_t)cur * divisor(l));
            l->r.timer_start = now - (uint64_t)(l->r.timer_initial - cur) * divisor(l);
            TRACE(l->sys->m, TK_TIMER_SET, (uint32_t)l->idx, now, LAPIC_TRACE_TIMER,
                  l->r.timer_initial, l->r.deadline);
        }
        return true;
    }
    case LAPIC_SELF_IPI:
        if (!x2(l))
            return false;
        if (v64 & ~0xffull)
            return false;
        send_ipi(l, (v & 0xff) | 1u << 18, 0); /* fixed, edge, shorthand self */
        return true;
    default:
        /* read-only registers: writes are dropped (xAPIC), #GP (x2APIC) */
        if (off == LAPIC_VER || off == LAPIC_PPR || off == LAPIC_TIMER_CCR ||
            (off >= LAPIC_ISR && off < LAPIC_IRR + 0x80))
            return !x2(l);
        if (!x2(l) && (off == LAPIC_APR || off == LAPIC_RRD))
            return true;
        return false;
    }
}

bool lapic_mmio_claims(const struct lapic *l, uint64_t pa)
{
    return lapic_hw_enabled(l) && !x2(l) &&
           (pa & ~0xfffull) == (l->r.base & 0xffffffffff000ull);
}

/* xAPIC page accesses are `mmio` events like any device's (an ICR write's
 * event, with the delivery mode and vector, comes just before its
 * ipi.send). */
uint64_t lapic_mmio_read(struct lapic *l, uint64_t pa, unsigned size)
{
    unsigned off = (unsigned)(pa & 0xfff);
    uint64_t v = 0;
    if (size == 4 && !(off & 0xf)) { /* 32-bit accesses to 16-byte aligned registers only */
        bool ok;
        v = (uint32_t)reg_read(l, off, &ok);
        if (!ok)
            error(l, LAPIC_ESR_ILLEGAL_REG);
    }
    TRACE(l->sys->m, TK_MMIO, (uint32_t)l->idx, now_of(l), pa, size, v, 0);
    return v;
}

void lapic_mmio_write(struct lapic *l, uint64_t pa, unsigned size, uint64_t val)
{
    unsigned off = (unsigned)(pa & 0xfff);
    TRACE(l->sys->m, TK_MMIO, (uint32_t)l->idx, now_of(l), pa, size, val, 1);
    if (size != 4 || (off & 0xf))
        return;
    if (off == LAPIC_SELF_IPI || !reg_write(l, off, (uint32_t)val))
        error(l, LAPIC_ESR_ILLEGAL_REG);
}

/* ---- MSRs ------------------------------------------------------------------------ */

enum { MSR_APIC_BASE = 0x1b, MSR_TSC_DEADLINE = 0x6e0, MSR_X2APIC = 0x800 };

/* IA32_APIC_BASE writes (§10.4.4, §10.12.5 Figure 10-27): valid states
 * disabled (EN=0, EXTD=0), xAPIC (1,0), x2APIC (1,1); invalid (0,1),
 * x2APIC -> xAPIC and disabled -> x2APIC are #GP, as are reserved bits
 * (0-7, 9, 52-63: MAXPHYADDR is 52). The BSP flag is read-only. Disabling
 * resets the APIC (except its ID); a base change moves the xAPIC page. */
static bool write_base(struct lapic *l, uint64_t v)
{
    uint64_t old = l->r.base;
    if (v & (0xffull | 1u << 9 | 0xfff0000000000000ull))
        return false;
    bool en = v & APIC_BASE_EN, ext = v & APIC_BASE_EXTD;
    bool old_en = old & APIC_BASE_EN, old_ext = old & APIC_BASE_EXTD;
    if (ext && !en)
        return false;
    if (old_ext && en && !ext)
        return false; /* x2APIC -> xAPIC: only through disabled */
    if (!old_en && ext)
        return false; /* disabled -> x2APIC: only through xAPIC */
    uint64_t nb = (v & ~(uint64_t)APIC_BASE_BSP) | (old & APIC_BASE_BSP);
    if (old_en && !en) {
        lapic_reset(l, true);
        l->r.xid = (uint32_t)l->idx << 24;
    }
    l->r.base = nb;
    xcpu(l)->apic_base = nb;
    x86_tlb_flush(xcpu(l), true); /* the page moved or changed meaning */
    update_intr(l);
    return true;
}

int lapic_rdmsr(struct lapic *l, uint32_t msr, uint64_t *val)
{
    if (msr == MSR_APIC_BASE) {
        *val = l->r.base;
        return 1;
    }
    if (msr == MSR_TSC_DEADLINE) {
        *val = timer_mode(l) == 2 ? l->r.tsc_deadline : 0;
        return 1;
    }
    if (msr < MSR_X2APIC || msr > 0x8ff)
        return -1;
    unsigned off = (msr - MSR_X2APIC) << 4;
    if (!x2(l) || off == LAPIC_EOI || off == LAPIC_SELF_IPI)
        return 0; /* not in x2APIC mode, or write-only: #GP */
    bool ok;
    *val = reg_read(l, off, &ok);
    return ok ? 1 : 0;
}

int lapic_wrmsr(struct lapic *l, uint32_t msr, uint64_t val)
{
    if (msr == MSR_APIC_BASE)
        return write_base(l, val) ? 1 : 0;
    if (msr == MSR_TSC_DEADLINE) {
        if (timer_mode(l) == 2 && lapic_hw_enabled(l))
            tsc_deadline_set(l, val);
        return 1; /* ignored outside TSC-deadline mode (§10.5.4.1) */
    }
    if (msr < MSR_X2APIC || msr > 0x8ff)
        return -1;
    unsigned off = (msr - MSR_X2APIC) << 4;
    if (!x2(l))
        return 0;
    /* the upper 32 bits are reserved except in the ICR (§10.12.1.2) */
    if (off != LAPIC_ICR_LO && (val >> 32))
        return 0;
    return reg_write(l, off, val) ? 1 : 0;
}
