/* ISA-neutral per-CPU timers (deadlines in the CPU's clock ticks). */
#include "cpu.h"
#include "machine.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

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
    uint64_t d = c->ndeferred ? c->deferred[0].time : UINT64_MAX;
    for (int i = 0; i < c->ntimers; i++)
        if (c->timers[i].deadline < d)
            d = c->timers[i].deadline;
    return d;
}

void cpu_fire_due_timers(struct cpu *c)
{
    uint64_t now = cpu_now(c);
    int n = 0;
    while (n < c->ndeferred && c->deferred[n].time <= now) {
        const struct cpu_irq_change *d = &c->deferred[n];
        if (d->line >= 0)
            c->ops->set_irq(c, d->line, d->level);
        else
            c->ops->irq_msg(c, &d->msg);
        n++;
    }
    if (n) {
        memmove(c->deferred, c->deferred + n, (size_t)(c->ndeferred - n) * sizeof c->deferred[0]);
        c->ndeferred -= n;
    }
    for (int i = 0; i < c->ntimers; i++) {
        struct cpu_timer *t = &c->timers[i];
        if (t->deadline <= now) {
            t->deadline = UINT64_MAX;
            t->fire(t->opaque, c);
        }
    }
}

void cpu_copy_whole(struct cpu *dst, const struct cpu *src, size_t size)
{
    struct machine *m = dst->m;
    struct cpu_timer timers[CPU_MAX_TIMERS];
    memcpy(timers, dst->timers, sizeof timers);
    memcpy(dst, src, size);
    dst->m = m;
    dst->run_left = NULL;
    dst->run_budget = 0;
    for (int i = 0; i < CPU_MAX_TIMERS; i++) {
        timers[i].deadline = src->timers[i].deadline;
        dst->timers[i] = timers[i];
    }
    dst->bps = NULL;
    dst->nbps = 0;
    dst->wps = NULL;
    dst->nwps = 0;
}

void cpu_end_run(struct cpu *c)
{
    if (c->run_left && *c->run_left) {
        c->run_budget -= *c->run_left;
        *c->run_left = 0;
    }
}

void cpu_yield(struct cpu *c)
{
    if (c->run_left) {
        c->yielded = true;
        cpu_end_run(c);
    }
}

/* Queues ch on target in time order (stable: equal times keep send order). */
static void defer(struct cpu *target, const struct cpu_irq_change *ch)
{
    int i = target->ndeferred;
    while (i > 0 && target->deferred[i - 1].time > ch->time) {
        target->deferred[i] = target->deferred[i - 1];
        i--;
    }
    target->deferred[i] = *ch;
    target->ndeferred++;
}

/* Applies now (true) or must wait for the target's clock (false). A full
 * queue applies at once: never lose a change. */
static bool due_now(const struct cpu *target, const struct cpu *current, uint64_t when)
{
    return target == current || when <= cpu_now(target) || target->ndeferred == CPU_MAX_DEFERRED;
}

void cpu_deliver_irq(struct cpu *target, const struct cpu *current, uint64_t when, int line, int level)
{
    if (target->m) /* --ipi-latency (src/sim/sched.h sched_msg_time) */
        when = sched_msg_time(target->m, target, current, when);
    if (due_now(target, current, when)) {
        target->ops->set_irq(target, line, level);
        return;
    }
    defer(target, &(struct cpu_irq_change){ .time = when, .line = line, .level = level });
}

void cpu_deliver_msg(struct cpu *target, const struct cpu *current, uint64_t when,
                     const struct cpu_msg *msg)
{
    if (!target->ops->irq_msg)
        abort(); /* board wiring bug: this CPU model takes no messages */
    if (target->m)
        when = sched_msg_time(target->m, target, current, when);
    if (due_now(target, current, when)) {
        target->ops->irq_msg(target, msg);
        return;
    }
    defer(target, &(struct cpu_irq_change){ .time = when, .line = -1, .msg = *msg });
}
