/* Perturbations that model real hardware (docs/explore.md "Perturbations"):
 * interrupt delivery latency, CPU stalls, per-CPU speed skew and the PCT
 * scheduling strategy. All are drawn from PRNG streams seeded by the
 * scheduling seed, so a run with them is exactly repeatable; with none of
 * them given the scheduler behaves byte for byte as without this file.
 * A trace header records them as one line ("perturb ..."), which replay
 * parses back. ISA-neutral. */
#ifndef HVSIM_PERTURB_H
#define HVSIM_PERTURB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sched_strategy { STRATEGY_RANDOM = 0, STRATEGY_PCT = 1 };

#define PERTURB_MAX_PCT_DEPTH 16

struct perturb_cfg {
    uint64_t ipi_min_ns, ipi_max_ns; /* --ipi-latency MIN..MAX (0..0: none) */
    uint32_t stall_ppb;              /* --stall P:MAX: probability per CPU per round, in 1e-9 */
    uint64_t stall_max_ns;
    unsigned skew_pct;               /* --skew PCT: CPU rates drawn from [100-PCT, 100] % */
    enum sched_strategy strategy;    /* --strategy random|pct:D */
    unsigned pct_depth;
};

/* True when any perturbation is on (else the scheduler's default path). */
bool perturb_any(const struct perturb_cfg *p);

/* Parses the value of one run option: name is "ipi-latency", "stall",
 * "skew" or "strategy". false + message naming the option on bad input. */
bool perturb_parse_option(struct perturb_cfg *p, const char *name, const char *val, char *err,
                          size_t errlen);

/* The canonical text: space-separated name=value, only the options given
 * ("" for none). perturb_parse_spec reads it back (trace headers). */
void perturb_format(const struct perturb_cfg *p, char *buf, size_t len);
bool perturb_parse_spec(struct perturb_cfg *p, const char *spec, char *err, size_t errlen);

/* virtual ns -> CPU ticks at cpu_hz (rounded up, at least 1 for ns > 0) */
uint64_t perturb_ns_to_ticks(uint64_t ns, uint64_t cpu_hz);

#endif
