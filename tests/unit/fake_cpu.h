/* Unit-test helper: a fake CPU that follows a script of port I/O at given
 * instruction counts (one instruction = one tick), and reports an INTR
 * line to a hook at instruction boundaries, for tests that build a machine
 * around devices without a real CPU model (tests/unit/test_pcdev.c; the
 * pattern of tests/unit/test_board.c). */
#ifndef HVSIM_TEST_FAKE_CPU_H
#define HVSIM_TEST_FAKE_CPU_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "sim/bus.h"
#include "sim/cpu.h"
#include "sim/irq.h"
#include "sim/machine.h"

#define FAKE_CPU_ARCH 0x7e58
#define FAKE_CPU_MAX_IN 16

enum { FAKE_OUT = 1, FAKE_IN, FAKE_STOP };

/* One scripted action, done before instruction number `at` (0-based). */
struct fake_step {
    uint64_t at;
    int what;           /* FAKE_OUT, FAKE_IN, FAKE_STOP */
    uint32_t port;
    unsigned size;      /* 1, 2 or 4 */
    uint64_t value;     /* FAKE_OUT */
};

struct fake_cpu {
    struct cpu cpu;
    const struct fake_step *script;
    int nscript;
    uint64_t executed, acted;
    uint64_t in_value[FAKE_CPU_MAX_IN];   /* FAKE_IN results, in order */
    bool in_ok[FAKE_CPU_MAX_IN];
    int nin;
    int intr;                             /* level of the INTR input */
    /* Called before an instruction while INTR is high (the CPU's "IF=1"
     * interrupt acceptance): acknowledge, log, EOI... */
    void (*intr_hook)(struct fake_cpu *f, uint64_t now);
    void *hook_opaque;
};

static inline struct fake_cpu *fake_of(struct cpu *c) { return (struct fake_cpu *)c; }

static inline void fake_cpu_act(struct fake_cpu *f, const struct fake_step *s)
{
    struct machine *m = f->cpu.m;
    switch (s->what) {
    case FAKE_OUT:
        bus_pio_write(&m->bus, s->port, s->size, s->value);
        break;
    case FAKE_IN:
        if (f->nin < FAKE_CPU_MAX_IN) {
            f->in_ok[f->nin] = bus_pio_read(&m->bus, s->port, s->size, &f->in_value[f->nin]);
            f->nin++;
        }
        break;
    case FAKE_STOP:
        machine_request_exit(m, EXIT_PASS, "script done");
        break;
    }
}

static inline uint64_t fake_cpu_run(struct cpu *c, uint64_t budget)
{
    struct fake_cpu *f = fake_of(c);
    uint64_t left = budget;
    c->run_left = &left;
    while (left && c->state == CPU_RUNNING) {
        if (f->intr && f->intr_hook)
            f->intr_hook(f, cpu_now(c));
        if (f->acted <= f->executed) {
            f->acted = f->executed + 1;
            for (int i = 0; i < f->nscript; i++)
                if (f->script[i].at == f->executed)
                    fake_cpu_act(f, &f->script[i]);
            if (!left)
                break; /* the action ended the run */
        }
        f->executed++;
        left--;
    }
    c->run_left = NULL;
    return budget - left;
}

static inline void fake_cpu_reset(struct cpu *c) { (void)c; }
static inline void fake_cpu_set_irq(struct cpu *c, int line, int level) { (void)line; fake_of(c)->intr = level; }
static inline uint64_t fake_cpu_wake(struct cpu *c) { return (uint64_t)fake_of(c)->intr; }
static inline uint64_t fake_cpu_pc(struct cpu *c) { return fake_of(c)->executed; }
static inline void fake_cpu_free(struct cpu *c) { free(c); }
static inline unsigned fake_cpu_state(struct cpu *c, uint64_t *vals, unsigned max)
{
    if (max < 1)
        return 0;
    vals[0] = fake_of(c)->executed;
    return 1;
}
static inline void fake_cpu_flush(struct cpu *c) { (void)c; }
static inline void fake_cpu_copy(struct cpu *dst, const struct cpu *src)
{
    const struct fake_cpu *s = (const struct fake_cpu *)src;
    struct fake_cpu *d = fake_of(dst);
    d->executed = s->executed;
    d->acted = s->acted;
    d->intr = s->intr;
}

static const struct cpu_ops fake_cpu_ops = {
    .reset = fake_cpu_reset,
    .run = fake_cpu_run,
    .set_irq = fake_cpu_set_irq,
    .wake_pending = fake_cpu_wake,
    .get_pc = fake_cpu_pc,
    .free = fake_cpu_free,
    .arch_state = fake_cpu_state,
    .flush_tlb = fake_cpu_flush,
    .arch = FAKE_CPU_ARCH,
    .copy_state = fake_cpu_copy,
};

/* Adds n running fake CPUs to m (a board's build). NULL on out of memory. */
static inline bool fake_cpus_add(struct machine *m, int n)
{
    for (int i = 0; i < n; i++) {
        struct fake_cpu *f = calloc(1, sizeof *f);
        if (!f)
            return false;
        f->cpu.ops = &fake_cpu_ops;
        f->cpu.m = m;
        f->cpu.id = i;
        f->cpu.state = CPU_RUNNING;
        m->cpus[m->ncpus++] = &f->cpu;
    }
    return true;
}

/* An irq_line into CPU c's INTR input (through ops->set_irq). */
static inline void fake_cpu_line_set(void *opaque, int n, int level)
{
    struct cpu *c = opaque;
    c->ops->set_irq(c, n, level);
}

static inline struct irq_line fake_cpu_intr_line(struct cpu *c)
{
    return (struct irq_line){ fake_cpu_line_set, c, 0 };
}

#endif
