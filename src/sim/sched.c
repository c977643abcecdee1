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

/* Runs one CPU's slot [start, end). Returns instructions retired. */
static uint64_t run_slot(struct machine *m, struct cpu *c, uint64_t start, uint64_t end,
                         uint64_t insn_cap)
{
    struct sched *s = &m->sched;
    uint64_t retired = 0;
    if (!s->slot_open) { /* a new slot (else: resuming after a debugger stop) */
        c->clock = start;
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
        uint64_t budget = min_u64(deadline, end) - c->clock;
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
    if (c->clock < end && c->state != CPU_RUNNING)
        c->clock = end;
    s->current = NULL;
    return retired;
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
            s->round_retired = 0;
            s->round_alive = false;
        }

        uint64_t start = s->round_start, end = s->round_end;
        for (; s->pos < n && !m->exit_requested; s->pos++) {
            struct cpu *c = m->cpus[s->order[s->pos]];
            uint64_t cap = m->max_insns ? m->max_insns - s->total_retired - s->round_retired
                                        : UINT64_MAX;
            if (cap == 0)
                break;
            s->round_retired += run_slot(m, c, start, end, cap);
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
