/* RISC-V ACLINT: MSWI, MTIMER and SSWI devices (RISC-V ACLINT spec v1.0-rc4,
 * §2 MTIMER, §3 MSWI, §4 SSWI), laid out like a SiFive CLINT.
 *
 * Guest-visible rules for accesses the spec leaves open (never a crash):
 *  - MSWI/SSWI registers are 32 bits: any other size or a misaligned
 *    offset is rejected (false -> access fault).
 *  - MTIMER registers are 64 bits and may be accessed as 64-bit (aligned to
 *    8) or as 32-bit halves (aligned to 4); sizes 1 and 2 and misaligned
 *    offsets are rejected.
 *  - Registers of harts that do not exist, and the gap between the last
 *    mtimecmp and mtime, read as zero and ignore writes. */
#include "aclint.h"
#include "../trace/emit.h"

#include <stdlib.h>
#include "../cpu/riscv/rv_hart.h"
#include "../sim/cpu.h"
#include "../sim/machine.h"
#include "../sim/vtime.h"

struct aclint_hart {
    struct aclint *a;
    int h;
    int timer;           /* cpu_timer index on m->cpus[h] */
    uint64_t mtimecmp;
    uint64_t deadline;   /* tick the timer is armed for (UINT64_MAX: none) */
    uint8_t msip;        /* MSWI bit 0 */
};

struct aclint {
    struct machine *m;
    int ncpus;
    uint64_t cpu_hz, timebase_hz;
    /* mtime = ticks_to_dev(ticks) + offset (mod 2^64). Interpreted as a
     * signed value by aclint_mtime_to_ticks(). */
    uint64_t offset;
    struct aclint_hart hart[];
};

/* ---- time ---------------------------------------------------------------- */

static uint64_t aclint_base(const struct aclint *a, uint64_t ticks)
{
    return vtime_ticks_to_dev(ticks, a->cpu_hz, a->timebase_hz);
}

/* The accessing CPU's exact clock; between slots (host-side setup, round
 * hooks) the round start time. */
static uint64_t aclint_ticks_now(const struct aclint *a)
{
    struct cpu *c = machine_current_cpu(a->m);
    return c ? cpu_now(c) : a->m->sched.round_start;
}

uint64_t aclint_mtime_at(struct aclint *a, uint64_t ticks)
{
    return aclint_base(a, ticks) + a->offset;
}

uint64_t aclint_mtime_now(struct aclint *a)
{
    return aclint_mtime_at(a, aclint_ticks_now(a));
}

uint64_t aclint_mtime_to_ticks(struct aclint *a, uint64_t mtime)
{
    /* Solve ticks_to_dev(t) >= mtime - offset with the offset taken as a
     * signed adjustment, so a guest that moved mtime forward or backward
     * still gets the mathematically right tick (no modular surprises). */
    __int128 target = (__int128)mtime - (__int128)(int64_t)a->offset;
    if (target <= 0)
        return 0;
    if (target > (__int128)UINT64_MAX)
        return UINT64_MAX;
    return vtime_dev_to_ticks_ceil((uint64_t)target, a->cpu_hz, a->timebase_hz);
}

/* Recompute hart h's MTIP level at CPU clock `now` and (re)arm its timer for
 * the first tick at which mtime reaches mtimecmp (spec §2.2: MTIP is pending
 * while mtime >= mtimecmp, compared unsigned). */
static void aclint_update_hart(struct aclint *a, int h, uint64_t now)
{
    struct aclint_hart *ah = &a->hart[h];
    struct cpu *c = a->m->cpus[h];
    uint64_t mtime = aclint_mtime_at(a, now);
    int level;

    if (mtime >= ah->mtimecmp) {
        level = 1;
        ah->deadline = UINT64_MAX;
    } else {
        /* mtime counts up from its value now and reaches mtimecmp after
         * (mtimecmp - mtime) device ticks; that moment is strictly after
         * `now` because the distance is at least one. Relative arithmetic
         * keeps this right whatever the offset is. */
        unsigned __int128 target = (unsigned __int128)aclint_base(a, now) +
                                   (ah->mtimecmp - mtime);
        level = 0;
        ah->deadline = target > UINT64_MAX
                           ? UINT64_MAX
                           : vtime_dev_to_ticks_ceil((uint64_t)target, a->cpu_hz,
                                                     a->timebase_hz);
    }
    cpu_timer_arm(c, ah->timer, ah->deadline);
    cpu_deliver_irq(c, a->m->sched.current, machine_now(a->m), IRQ_MTI, level);
}

static void aclint_update_all(struct aclint *a, uint64_t now)
{
    for (int h = 0; h < a->ncpus; h++)
        aclint_update_hart(a, h, now);
}

/* Timer callback: hart h's clock reached the armed deadline. Evaluated at
 * the deadline at the earliest so MTIP rises even if the scheduler fires a
 * due timer before moving the clock all the way (time jump while asleep). */
static void aclint_timer_fire(void *opaque, struct cpu *cpu)
{
    struct aclint_hart *ah = opaque;
    uint64_t now = cpu_now(cpu);
    if (ah->deadline != UINT64_MAX && now < ah->deadline)
        now = ah->deadline;
    TRACE(ah->a->m, TK_TIMER_FIRE, cpu->id, now, TRACE_TIMER_MTIMECMP, ah->mtimecmp);
    aclint_update_hart(ah->a, ah->h, now);
}

/* ---- lifetime ---------------------------------------------------------- */

struct aclint *aclint_new(struct machine *m, int ncpus, uint64_t timebase_hz)
{
    if (!m || ncpus < 1 || ncpus > m->ncpus || ncpus > CONFIG_MAX_CPUS ||
        timebase_hz == 0 || m->cfg.cpu_hz == 0)
        return NULL;
    for (int h = 0; h < ncpus; h++)
        if (!m->cpus[h] || !m->cpus[h]->ops)
            return NULL;

    struct aclint *a = calloc(1, sizeof(*a) + (size_t)ncpus * sizeof(a->hart[0]));
    if (!a)
        return NULL;
    a->m = m;
    a->ncpus = ncpus;
    a->cpu_hz = m->cfg.cpu_hz;
    a->timebase_hz = timebase_hz;
    for (int h = 0; h < ncpus; h++) {
        struct aclint_hart *ah = &a->hart[h];
        ah->a = a;
        ah->h = h;
        ah->mtimecmp = UINT64_MAX; /* reset value: never */
        ah->deadline = UINT64_MAX;
        ah->timer = cpu_timer_alloc(m->cpus[h], aclint_timer_fire, ah);
        if (ah->timer < 0) {
            /* Timers already taken on earlier CPUs stay allocated but are
             * disarmed; building the machine fails anyway. */
            free(a);
            return NULL;
        }
        cpu_timer_arm(m->cpus[h], ah->timer, UINT64_MAX);
    }
    return a;
}

/* Does not touch the CPUs: call it when they no longer run (their timers
 * point at this ACLINT). */
void aclint_free(struct aclint *a)
{
    free(a);
}

/* ---- register helpers ----------------------------------------------------- */

/* Read a 64-bit register through an access of `size` at byte `sub` (0 or 4)
 * inside it. */
static uint64_t reg64_read(uint64_t reg, unsigned size, unsigned sub)
{
    return size == 8 ? reg : (uint32_t)(reg >> (8 * sub));
}

static uint64_t reg64_write(uint64_t reg, unsigned size, unsigned sub, uint64_t val)
{
    if (size == 8)
        return val;
    uint64_t mask = 0xffffffffull << (8 * sub);
    return (reg & ~mask) | (((uint64_t)(uint32_t)val) << (8 * sub));
}

/* 32-bit, naturally aligned: the only legal MSWI/SSWI access. */
static bool sw_access_ok(uint64_t off, unsigned size, uint64_t window)
{
    return size == 4 && (off & 3) == 0 && off < window;
}

/* ---- MSWI (spec §3) -------------------------------------------------------- */

static bool mswi_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct aclint *a = opaque;
    if (!sw_access_ok(off, size, ACLINT_MSWI_SIZE))
        return false;
    uint64_t h = off / 4;
    *val = h < (uint64_t)a->ncpus ? a->hart[h].msip : 0;
    return true;
}

static bool mswi_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct aclint *a = opaque;
    if (!sw_access_ok(off, size, ACLINT_MSWI_SIZE))
        return false;
    uint64_t h = off / 4;
    if (h >= (uint64_t)a->ncpus)
        return true; /* no such hart: ignored */
    /* Only bit 0 is implemented; the rest are WARL zero (§3.2). */
    struct aclint_hart *ah = &a->hart[h];
    struct cpu *c = a->m->cpus[h];
    struct machine *m = a->m;
    uint32_t old = ah->msip;
    ah->msip = val & 1;
    if (ah->msip) {
        uint64_t now = machine_now(m);
        TRACE(m, TK_IPI_SEND, trace_cpu_id(m), now, IPI_MECH_MSWI, 1ull << h,
              trace_cur_pc(m), trace_cur_insn(m));
        if (!old)
            TRACE(m, TK_IPI_DELIVER, h, now, IPI_MECH_MSWI, IRQ_MSI, trace_cpu_id(m));
    }
    cpu_deliver_irq(c, m->sched.current, machine_now(m), IRQ_MSI, (int)ah->msip);
    return true;
}

const struct mmio_ops aclint_mswi_ops = { .read = mswi_read, .write = mswi_write };

/* ---- MTIMER (spec §2) ------------------------------------------------------ */

static bool mtimer_access_ok(uint64_t off, unsigned size)
{
    if (off >= ACLINT_MTIMER_SIZE)
        return false;
    if (size == 8)
        return (off & 7) == 0;
    if (size == 4)
        return (off & 3) == 0;
    return false;
}

static bool mtimer_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct aclint *a = opaque;
    if (!mtimer_access_ok(off, size))
        return false;
    uint64_t reg = off & ~7ull;
    unsigned sub = off & 7;
    if (reg == ACLINT_MTIME_OFF) {
        *val = reg64_read(aclint_mtime_now(a), size, sub);
    } else if (reg / 8 < (uint64_t)a->ncpus) {
        *val = reg64_read(a->hart[reg / 8].mtimecmp, size, sub);
    } else {
        *val = 0;
    }
    return true;
}

static bool mtimer_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct aclint *a = opaque;
    if (!mtimer_access_ok(off, size))
        return false;
    uint64_t reg = off & ~7ull;
    unsigned sub = off & 7;
    uint64_t now = aclint_ticks_now(a);
    if (reg == ACLINT_MTIME_OFF) {
        /* Writing mtime moves the time base of every comparison (§2.1). */
        uint64_t mtime = reg64_write(aclint_mtime_at(a, now), size, sub, val);
        a->offset = mtime - aclint_base(a, now);
        aclint_update_all(a, now);
    } else if (reg / 8 < (uint64_t)a->ncpus) {
        struct aclint_hart *ah = &a->hart[reg / 8];
        ah->mtimecmp = reg64_write(ah->mtimecmp, size, sub, val);
        aclint_update_hart(a, (int)(reg / 8), now);
        TRACE(a->m, TK_TIMER_SET, (uint32_t)(reg / 8), now, TRACE_TIMER_MTIMECMP, ah->mtimecmp,
              ah->deadline);
    }
    return true;
}

const struct mmio_ops aclint_mtimer_ops = { .read = mtimer_read, .write = mtimer_write };

/* ---- SSWI (spec §4) -------------------------------------------------------- */

static bool sswi_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    (void)opaque;
    if (!sw_access_ok(off, size, ACLINT_SSWI_SIZE))
        return false;
    *val = 0; /* setssip always reads zero (§4.2) */
    return true;
}

static bool sswi_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct aclint *a = opaque;
    if (!sw_access_ok(off, size, ACLINT_SSWI_SIZE))
        return false;
    uint64_t h = off / 4;
    if (h >= (uint64_t)a->ncpus || !(val & 1))
        return true; /* no such hart, or writing 0: no effect */
    /* Edge: sets SSIP; the hart clears it in software via sip/mip. */
    struct cpu *c = a->m->cpus[h];
    struct machine *m = a->m;
    uint64_t now = machine_now(m);
    TRACE(m, TK_IPI_SEND, trace_cpu_id(m), now, IPI_MECH_SSWI, 1ull << h, trace_cur_pc(m),
          trace_cur_insn(m));
    TRACE(m, TK_IPI_DELIVER, h, now, IPI_MECH_SSWI, IRQ_SSI, trace_cpu_id(m));
    cpu_deliver_irq(c, m->sched.current, now, IRQ_SSI, 1);
    return true;
}

const struct mmio_ops aclint_sswi_ops = { .read = sswi_read, .write = sswi_write };

void aclint_copy_state(struct aclint *dst, const struct aclint *src)
{
    dst->offset = src->offset;
    for (int h = 0; h < dst->ncpus && h < src->ncpus; h++) {
        dst->hart[h].mtimecmp = src->hart[h].mtimecmp;
        dst->hart[h].deadline = src->hart[h].deadline;
        dst->hart[h].msip = src->hart[h].msip;
    }
}
