/* Deterministic scheduler (docs/architecture.md "Virtual time and scheduling").
 *
 * Time advances in rounds. A round has a length q (the quantum, or with a
 * seed a length drawn from [Q/2, 3Q/2]) and an order of CPUs (identity, or a
 * seeded shuffle). In its slot every CPU's clock starts at the round's start
 * time and runs q ticks: a running CPU retires one instruction per tick, a
 * sleeping CPU's clock skips to the next timer deadline or the slot's end.
 * All clocks therefore agree at round boundaries, and two runs with the same
 * inputs make exactly the same interleaving. When a whole round passes with
 * every CPU asleep, time jumps to the earliest armed deadline.
 *
 * Machine-level timers (PIT, HPET: struct machine_timer) fire at round
 * boundaries: a round ends early at the next armed machine deadline, and
 * due timers fire before the next round's first slot, when every CPU clock
 * equals the deadline.
 *
 * A stopped CPU (powered off, x86 wait-for-SIPI) keeps its slot: its clock
 * follows the round and its queued messages apply at their times, so a SIPI
 * sent at time t starts it at t, never earlier. */
#include "sched.h"
#include "machine.h"
#include "../trace/emit.h"
#include <stdio.h>

void sched_init(struct sched *s, uint64_t quantum, uint64_t seed)
{
    *s = (struct sched){ .quantum = quantum ? quantum : 1, .seed = seed,
                         .prng = seed ^ 0x6876736d2d736564ull /* "hvsm-sed" */ };
    for (int i = 0; i < CONFIG_MAX_CPUS; i++)
        s->rate[i] = 1000; /* full speed (--skew draws others) */
}

/* splitmix64: a small, well-distributed PRNG with 64-bit state. */
static uint64_t prng_next(struct sched *s)
{
    uint64_t z = (s->prng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static uint64_t mix_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [lo, hi] */
static uint64_t draw_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
    uint64_t r = mix_next(state);
    return hi - lo == UINT64_MAX ? r : lo + r % (hi - lo + 1);
}

static int cpu_index(const struct machine *m, const struct cpu *c)
{
    for (int i = 0; i < m->ncpus; i++)
        if (m->cpus[i] == c)
            return i;
    return 0;
}

void sched_set_perturb(struct machine *m, const struct perturb_cfg *p)
{
    struct sched *s = &m->sched;
    s->pert = *p;
    s->pert_on = perturb_any(p);
    if (!s->pert_on)
        return;
    uint64_t hz = m->cfg.cpu_hz;
    s->prng_ipi = s->seed ^ 0x6876736d2d697069ull;   /* "hvsm-ipi" */
    s->prng_stall = s->seed ^ 0x6876736d2d73746cull; /* "hvsm-stl" */
    s->prng_pct = s->seed ^ 0x6876736d2d706374ull;   /* "hvsm-pct" */
    uint64_t prng_skew = s->seed ^ 0x6876736d2d736b77ull; /* "hvsm-skw" */
    s->ipi_tick_min = p->ipi_max_ns ? perturb_ns_to_ticks(p->ipi_min_ns, hz) : 0;
    s->ipi_tick_max = p->ipi_max_ns ? perturb_ns_to_ticks(p->ipi_max_ns, hz) : 0;
    s->stall_tick_max = p->stall_ppb ? perturb_ns_to_ticks(p->stall_max_ns, hz) : 0;
    for (int i = 0; i < CONFIG_MAX_CPUS; i++) {
        s->rate[i] = 1000;
        if (p->skew_pct && i < m->ncpus)
            s->rate[i] = (uint16_t)(1000 - draw_range(&prng_skew, 0, 10u * p->skew_pct));
        s->ipi_last[i] = 0;
        s->stall_from[i] = s->stall_until[i] = 0;
    }
    s->pct_ready = false;
}

uint64_t sched_msg_time(struct machine *m, const struct cpu *target, const struct cpu *current,
                        uint64_t when)
{
    struct sched *s = &m->sched;
    if (!s->pert_on || !s->ipi_tick_max || !current || current == target)
        return when;
    int t = cpu_index(m, target);
    uint64_t at = when + draw_range(&s->prng_ipi, s->ipi_tick_min, s->ipi_tick_max);
    /* one target's messages arrive in the order they were sent (a level
     * change never overtakes the one before it) */
    if (at < s->ipi_last[t])
        at = s->ipi_last[t];
    s->ipi_last[t] = at;
    return at;
}

/* Whether CPU i may retire at time t of the slot [start, end): 0 if it
 * may (then *next is when it must stop next, at most end), else the time
 * it may go on from (at most end). Holds: a gdb hold (the whole slot), a
 * stall window, and the skew's idle tail of the slot. */
static uint64_t held_until(const struct sched *s, int i, uint64_t t, uint64_t start,
                           uint64_t end, uint64_t *next)
{
    if (s->held[i])
        return end;
    uint64_t run_end = end;
    if (s->rate[i] < 1000)
        run_end = start + ((end - start) * s->rate[i] + 999) / 1000;
    uint64_t hold = 0;
    if (t >= run_end)
        hold = end;
    if (s->stall_from[i] <= t && t < s->stall_until[i])
        hold = hold > s->stall_until[i] ? hold : s->stall_until[i];
    if (hold)
        return min_u64(hold, end);
    *next = run_end;
    if (s->stall_from[i] > t && s->stall_from[i] < *next)
        *next = s->stall_from[i];
    return 0;
}

/* True when CPU c sleeps through a whole slot that ends at `end`: asleep,
 * nothing pending that wakes it, and no timer or queued interrupt change
 * before the end. run_slot would then only move its clock to the end; the
 * scheduler does that directly, so that a round costs little for each
 * sleeping CPU (many harts, most of them idle). Its deadlines are read
 * here as cpu_next_deadline does. */
static inline bool sleeps_through(struct cpu *c, uint64_t end)
{
    if (c->state != CPU_SLEEPING)
        return false;
    if (c->ndeferred && c->deferred[0].time < end)
        return false;
    for (int i = 0; i < c->ntimers; i++)
        if (c->timers[i].deadline < end)
            return false;
    return c->ops->wake_pending(c) == 0;
}

/* Runs one CPU's slot [start, end). Returns instructions retired. */
static uint64_t run_slot(struct machine *m, struct cpu *c, int ci, uint64_t start, uint64_t end,
                         uint64_t insn_cap)
{
    struct sched *s = &m->sched;
    uint64_t retired = 0;
    if (!s->slot_open) { /* a new slot (else: resuming after a debugger stop) */
        c->clock = start;
        c->yielded = false;
        s->slot_open = true;
    }
    s->current = c;
    while (c->clock < end && !m->exit_requested) {
        cpu_fire_due_timers(c);
        uint64_t deadline = cpu_next_deadline(c);
        if (c->state == CPU_STOPPED) {
            /* Nothing to execute: the clock moves on to the next queued
             * message or timer (which may start the CPU) or the slot end. */
            c->clock = min_u64(deadline, end);
            continue;
        }
        uint64_t limit = end;
        if (s->pert_on || s->any_held) {
            /* A held CPU retires nothing, but its timers fire and its
             * queued messages apply at their times (the loop's top), as
             * while it sleeps; it takes what is pending when it resumes. */
            uint64_t until = held_until(s, ci, c->clock, start, end, &limit);
            if (until) {
                c->clock = min_u64(deadline, until);
                continue;
            }
        }
        if (c->yielded) {
            /* cpu_yield: idle to the slot end (its timers and messages
             * still apply at their times); it runs again next slot */
            c->clock = min_u64(deadline, end);
            continue;
        }
        if (c->state == CPU_SLEEPING) {
            uint64_t pending = c->ops->wake_pending(c);
            if (pending) {
                TRACE(m, TK_WFI_WAKE, c->id, c->clock, pending);
                c->state = CPU_RUNNING;
            } else {
                c->clock = min_u64(deadline, end);
                continue;
            }
        }
        if (deadline <= c->clock)
            deadline = c->clock + 1; /* a timer armed in the past: run on, never underflow */
        uint64_t budget = min_u64(deadline, limit) - c->clock;
        if (insn_cap - retired < budget)
            budget = insn_cap - retired;
        if (budget == 0)
            break;
        if (s->stop_at) {
            if (s->executed >= s->stop_at) {
                s->stopped_cpu = c;
                s->current = NULL;
                return retired;
            }
            if (budget > s->stop_at - s->executed)
                budget = s->stop_at - s->executed;
        }
        if (s->debug_stop) {
            if (s->debug_stop(s->debug_opaque, c)) {
                s->stopped_cpu = c;
                s->current = NULL;
                return retired;
            }
            budget = 1;
        }
        c->run_budget = budget;
        uint64_t n = c->ops->run(c, budget);
        c->run_budget = 0;
        c->clock += n;
        c->retired += n;
        retired += n;
        s->executed += n;
        if (c == s->watch_cpu && n)
            s->watch_last = s->executed - 1;
        if (c->bp_hit || c->wp_hit) { /* a debugger breakpoint or watchpoint */
            c->bp_hit = false; /* (wp_hit is the stub's to read and clear) */
            s->stopped_cpu = c;
            s->current = NULL;
            return retired;
        }
        if (retired >= insn_cap)
            break;
    }
    if (c->clock < end && (c->state != CPU_RUNNING || c->yielded))
        c->clock = end;
    if (c->clock >= end)
        c->yielded = false;
    s->current = NULL;
    return retired;
}

/* PCT (Burckhardt et al., "A Randomized Scheduler with Probabilistic
 * Guarantees of Finding Bugs", ASPLOS 2010) on rounds: CPUs get distinct
 * random priorities d..d+n-1 and run their slots in priority order; at d-1
 * change points drawn among the first K rounds, the CPU with the highest
 * priority drops to priority d-1-i, below every other. K is the run's
 * expected number of rounds (--max-insns / (quantum x CPUs); 100000
 * without a limit). */
static void pct_setup(struct machine *m)
{
    struct sched *s = &m->sched;
    int n = m->ncpus;
    unsigned d = s->pert.pct_depth;
    int perm[CONFIG_MAX_CPUS];
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)draw_range(&s->prng_pct, 0, (uint64_t)i);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < n; i++)
        s->prio[perm[i]] = d + (uint32_t)i;
    uint64_t k = m->max_insns ? m->max_insns / (s->quantum * (uint64_t)n) : 100000;
    if (k < 1)
        k = 1;
    s->pct_nchange = d - 1;
    for (unsigned i = 0; i + 1 < d; i++)
        s->pct_change[i] = s->rounds + draw_range(&s->prng_pct, 1, k);
    s->pct_ready = true;
}

/* Once per round, before its first slot: PCT order, new stalls. */
static void perturb_round(struct machine *m, uint64_t q)
{
    struct sched *s = &m->sched;
    int n = m->ncpus;
    if (s->pert.strategy == STRATEGY_PCT) {
        if (!s->pct_ready)
            pct_setup(m);
        for (unsigned i = 0; i < s->pct_nchange; i++) {
            if (s->pct_change[i] != s->rounds)
                continue;
            int top = 0;
            for (int c = 1; c < n; c++)
                if (s->prio[c] > s->prio[top])
                    top = c;
            s->prio[top] = s->pert.pct_depth - 1 - i;
        }
        for (int i = 0; i < n; i++) /* by priority, highest first (insertion sort) */
            s->order[i] = i;
        for (int i = 1; i < n; i++) {
            int v = s->order[i], j = i;
            while (j > 0 && s->prio[s->order[j - 1]] < s->prio[v]) {
                s->order[j] = s->order[j - 1];
                j--;
            }
            s->order[j] = v;
        }
    }
    if (s->pert.stall_ppb) {
        for (int i = 0; i < n; i++) {
            if (s->stall_until[i] > s->round_start)
                continue; /* still stalled */
            uint64_t r = mix_next(&s->prng_stall) % 1000000000u;
            if (r >= s->pert.stall_ppb)
                continue;
            s->stall_from[i] = s->round_start + draw_range(&s->prng_stall, 0, q - 1);
            s->stall_until[i] = s->stall_from[i] + draw_range(&s->prng_stall, 1, s->stall_tick_max);
        }
    }
}

int sched_run(struct machine *m)
{
    struct sched *s = &m->sched;
    int n = m->ncpus;

    for (;;) {
        if (!s->in_round) {
            if (m->exit_requested)
                return m->exit_code;
            if (m->max_insns && s->total_retired >= m->max_insns) {
                machine_request_exit(m, EXIT_MAX_INSNS, "instruction limit reached");
                return EXIT_MAX_INSNS;
            }
            if (s->round_hook)
                s->round_hook(s->round_hook_opaque, m);
            if (m->exit_requested)
                continue;
            if (s->pause) {
                s->pause = false;
                return SCHED_DEBUG_STOP;
            }
            if (m->ntimers) {
                machine_fire_due_timers(m, s->round_start);
                if (m->exit_requested)
                    continue;
            }

            uint64_t q = s->quantum;
            for (int i = 0; i < n; i++)
                s->order[i] = i;
            if (s->seed) {
                q = s->quantum / 2 + prng_next(s) % (s->quantum + 1);
                if (q == 0)
                    q = 1;
                for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
                    int j = (int)(prng_next(s) % (uint64_t)(i + 1));
                    int t = s->order[i];
                    s->order[i] = s->order[j];
                    s->order[j] = t;
                }
            }
            s->in_round = true;
            s->slot_open = false;
            s->pos = 0;
            s->round_end = s->round_start + q;
            if (m->ntimers) {
                uint64_t md = machine_next_deadline(m);
                if (md > s->round_start && md < s->round_end)
                    s->round_end = md;
            }
            if (s->pert_on)
                perturb_round(m, s->round_end - s->round_start);
            s->round_retired = 0;
            s->round_alive = false;
        }

        uint64_t start = s->round_start, end = s->round_end;
        /* Held CPUs and perturbations take run_slot's full path. */
        bool plain = !s->pert_on && !s->any_held;
        for (; s->pos < n && !m->exit_requested; s->pos++) {
            struct cpu *c = m->cpus[s->order[s->pos]];
            if (plain && sleeps_through(c, end) && !s->slot_open) {
                c->clock = end; /* what run_slot would do, at a fraction of its cost */
                s->round_alive = true;
                continue;
            }
            uint64_t cap = m->max_insns ? m->max_insns - s->total_retired - s->round_retired
                                        : UINT64_MAX;
            if (cap == 0)
                break;
            s->round_retired += run_slot(m, c, s->order[s->pos], start, end, cap);
            if (s->stopped_cpu)
                return SCHED_DEBUG_STOP; /* resume: the same slot goes on */
            s->slot_open = false;
            if (c->state != CPU_STOPPED)
                s->round_alive = true;
        }
        uint64_t round_retired = s->round_retired;
        s->in_round = false;
        s->slot_open = false;
        s->total_retired += round_retired;
        s->round_start = end;
        s->rounds++;
        if (m->exit_requested)
            continue;
        if (round_retired)
            continue;

        /* Every CPU slept through the round: jump to the next deadline. */
        bool woken = false;
        uint64_t next = UINT64_MAX;
        for (int i = 0; i < n; i++) {
            struct cpu *c = m->cpus[i];
            if (c->state == CPU_RUNNING ||
                (c->state == CPU_SLEEPING && c->ops->wake_pending(c)))
                woken = true;
            next = min_u64(next, cpu_next_deadline(c));
        }
        next = min_u64(next, machine_next_deadline(m));
        if (woken)
            continue;
        if (next != UINT64_MAX) {
            if (next > s->round_start)
                s->round_start = next;
            continue;
        }
        /* Nothing armed: only outside input can wake the machine. */
        if (!s->round_alive) {
            machine_request_exit(m, EXIT_GUEST_FAIL, "every CPU is stopped");
            continue;
        }
        if (s->idle_hook && s->idle_hook(s->round_hook_opaque, m))
            continue;
        machine_request_exit(m, EXIT_GUEST_FAIL,
                             "deadlock: every CPU waits for an interrupt and none can come");
    }
}
