/* ISA-neutral per-CPU timers (deadlines in the CPU's clock ticks). */
#include "cpu.h"
#include <assert.h>

int cpu_timer_alloc(struct cpu *c, void (*fire)(void *, struct cpu *), void *opaque)
{
    assert(c->ntimers < CPU_MAX_TIMERS); /* simulator wiring bug, not guest input */
    int t = c->ntimers++;
    c->timers[t] = (struct cpu_timer){ .deadline = UINT64_MAX, .fire = fire, .opaque = opaque };
    return t;
}

void cpu_timer_arm(struct cpu *c, int t, uint64_t deadline)
{
    c->timers[t].deadline = deadline;
    /* Inside run(): shorten the run so it stops exactly at the deadline. */
    if (c->run_left) {
        uint64_t now = cpu_now(c);
        uint64_t left = *c->run_left;
        if (deadline > now && deadline - now < left) {
            uint64_t cut = left - (deadline - now);
            *c->run_left -= cut;
            c->run_budget -= cut;
        } else if (deadline <= now && left) {
            /* Due already: stop after the current instruction. */
            c->run_budget -= left;
            *c->run_left = 0;
        }
    }
}

uint64_t cpu_next_deadline(const struct cpu *c)
{
    uint64_t d = UINT64_MAX;
    for (int i = 0; i < c->ntimers; i++)
        if (c->timers[i].deadline < d)
            d = c->timers[i].deadline;
    return d;
}

void cpu_fire_due_timers(struct cpu *c)
{
    uint64_t now = cpu_now(c);
    for (int i = 0; i < c->ntimers; i++) {
        struct cpu_timer *t = &c->timers[i];
        if (t->deadline <= now) {
            t->deadline = UINT64_MAX;
            t->fire(t->opaque, c);
        }
    }
}

void cpu_end_run(struct cpu *c)
{
    if (c->run_left && *c->run_left) {
        c->run_budget -= *c->run_left;
        *c->run_left = 0;
    }
}
