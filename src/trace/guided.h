/* Guided exploration (`hvsim explore --guided`, docs/explore.md "Guided
 * exploration"): instead of one fixed set of perturbations for every seed,
 * each run gets its own --stall/--skew/--ipi-latency, chosen by a seeded
 * PRNG either fresh or as a mutation of a corpus entry: the perturbations
 * of earlier runs that showed cross-CPU successions no earlier run had
 * (the interleaving coverage figure). Runs go in batches of
 * GUIDED_BATCH seeds; the corpus only changes between batches, from the
 * batch's runs in seed order, so the choices (and the table) do not depend
 * on --jobs or on host scheduling. */
#ifndef HVSIM_TRACE_GUIDED_H
#define HVSIM_TRACE_GUIDED_H
#include <stddef.h>
#include <stdint.h>

#define GUIDED_BATCH 8
#define GUIDED_CORPUS_MAX 64

/* One run's perturbations (0: that kind off). */
struct guided_cfg {
    uint32_t stall_ppm;      /* --stall probability per CPU per round, in 1e-6 */
    uint64_t stall_max_us;   /* --stall MAX */
    unsigned skew_pct;       /* --skew */
    uint64_t lat_max_ns;     /* --ipi-latency 0..MAX */
};

struct guided {
    uint64_t prng;
    struct guided_cfg corpus[GUIDED_CORPUS_MAX];
    size_t ncorpus, next_slot;
};

void guided_init(struct guided *g, uint64_t first_seed);
/* The perturbations of the next run. */
struct guided_cfg guided_next(struct guided *g);
/* A run that found new successions: its perturbations join the corpus
 * (the oldest entry goes when it is full). */
void guided_keep(struct guided *g, const struct guided_cfg *c);
/* As run options: up to 3 pairs into argv (strings in buf); returns how
 * many argv entries. */
int guided_args(const struct guided_cfg *c, char buf[3][48], const char *argv[6]);
/* "stall=0.001:100ms skew=30" or "none" */
void guided_format(const struct guided_cfg *c, char *out, size_t len);

#endif
