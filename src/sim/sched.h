/* Deterministic scheduler: one host thread; CPUs run round-robin in slots of
 * `quantum` instructions; with a non-zero seed, each round's quantum length
 * and CPU order come from a seeded PRNG. Time jumps to the next timer
 * deadline when every CPU sleeps. Reads no host time. */
#ifndef HVSIM_SCHED_H
#define HVSIM_SCHED_H
#include <stdbool.h>
#include <stdint.h>

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
    /* Called once per round (console input polling, progress line). */
    void (*round_hook)(void *opaque, struct machine *m);
    /* Called when every CPU sleeps and no deadline is armed: block for
     * outside input; return false when none can ever come. */
    bool (*idle_hook)(void *opaque, struct machine *m);
    void *round_hook_opaque;
};

void sched_init(struct sched *s, uint64_t quantum, uint64_t seed);
/* Run the machine until exit is requested, max_insns is reached, or nothing
 * can ever happen again. Returns the exit status (EXIT_*). */
int sched_run(struct machine *m);

#endif
