/* Deterministic scheduler: one host thread; CPUs run round-robin in slots of
 * `quantum` instructions; with a non-zero seed, each round's quantum length
 * and CPU order come from a seeded PRNG. Time jumps to the next timer
 * deadline when every CPU sleeps. Reads no host time. */
#ifndef HVSIM_SCHED_H
#define HVSIM_SCHED_H
#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "perturb.h"

/* sched_run's result when a debugger stopped the machine (not an exit
 * status: calling sched_run again resumes exactly where it stopped). */
#define SCHED_DEBUG_STOP (-1)

struct machine;
struct cpu;

struct sched {
    uint64_t quantum;
    uint64_t seed;
    uint64_t prng;          /* splitmix64 state */
    uint64_t round_start;   /* virtual time (ticks) at the start of the round */
    uint64_t rounds;
    uint64_t total_retired;
    struct cpu *current;
    /* The round in progress (a debugger may stop in the middle of one). */
    bool in_round, slot_open;
    uint64_t round_end, round_retired;
    bool round_alive;
    int order[CONFIG_MAX_CPUS];
    int pos;
    /* Debugger: while set, called before every instruction of a running CPU
     * (runs are cut to one instruction); returning true stops the machine
     * before that instruction and sched_run returns SCHED_DEBUG_STOP. */
    bool (*debug_stop)(void *opaque, struct cpu *c);
    void *debug_opaque;
    struct cpu *stopped_cpu;
    /* Instructions the scheduler has run (a debugger's stepi not counted):
     * a position in the deterministic schedule. stop_at (non-zero): stop
     * when it is reached (reverse execution re-runs to a position). */
    uint64_t executed, stop_at;
    struct cpu *watch_cpu;   /* its last scheduled instruction: watch_last */
    uint64_t watch_last;
    /* Called once per round (console input polling, progress line). */
    void (*round_hook)(void *opaque, struct machine *m);
    /* Called when every CPU sleeps and no deadline is armed: block for
     * outside input; return false when none can ever come. */
    bool (*idle_hook)(void *opaque, struct machine *m);
    void *round_hook_opaque;
    /* Perturbations (src/sim/perturb.h, docs/explore.md): pert_on is false
     * unless one was given, and then nothing below is read. Each kind draws
     * from its own PRNG stream, so turning one on does not change the
     * draws of another or of the round lengths and orders above. */
    bool pert_on;
    struct perturb_cfg pert;
    uint64_t prng_ipi, prng_stall, prng_pct;
    uint64_t ipi_tick_min, ipi_tick_max, stall_tick_max;
    uint64_t ipi_last[CONFIG_MAX_CPUS];   /* latest delivery time queued per target */
    uint64_t stall_from[CONFIG_MAX_CPUS], stall_until[CONFIG_MAX_CPUS];
    uint16_t rate[CONFIG_MAX_CPUS];       /* skew: per mille of the slot a CPU retires in */
    uint32_t prio[CONFIG_MAX_CPUS];       /* pct: higher runs earlier in the round */
    uint64_t pct_change[PERTURB_MAX_PCT_DEPTH]; /* pct: rounds where the top CPU drops */
    unsigned pct_nchange;
    bool pct_ready;
    /* gdb scheduler-locking: a held CPU retires nothing; its clock follows
     * the rounds like a stalled CPU's (docs/gdb.md "Holding CPUs"). */
    bool held[CONFIG_MAX_CPUS];
    bool any_held;
    /* Set by the round hook (gdb non-stop mode: a packet is waiting):
     * sched_run returns SCHED_DEBUG_STOP between rounds, stopped_cpu NULL. */
    bool pause;
};

void sched_init(struct sched *s, uint64_t quantum, uint64_t seed);
/* Turns perturbations on (before the machine runs): seeds their PRNG
 * streams from the scheduling seed and draws the per-CPU skew rates. */
void sched_set_perturb(struct machine *m, const struct perturb_cfg *p);
/* The engine's interrupt-message hook: the virtual time at which a change
 * of an interrupt line or an interrupt message sent at `when` by `current`
 * (NULL: a device outside a CPU slot) reaches `target`. Without
 * --ipi-latency it is `when`. cpu_deliver_irq/cpu_deliver_msg call it, so
 * every board's IPIs (ACLINT MSWI/SSWI, PLIC, x86 local APIC ICR) get the
 * latency without knowing of it. */
uint64_t sched_msg_time(struct machine *m, const struct cpu *target, const struct cpu *current,
                        uint64_t when);
/* Run the machine until exit is requested, max_insns is reached, or nothing
 * can ever happen again. Returns the exit status (EXIT_*). */
int sched_run(struct machine *m);

#endif
