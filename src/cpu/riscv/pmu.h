/* Programmable hardware performance counters: mhpmcounter3..31 and
 * mhpmevent3..31 (priv 20211203 §3.1.10-§3.1.11, Zihpm) and the Sscofpmf
 * 1.0 overflow bit, mode filters and local counter-overflow interrupt
 * (LCOFI, interrupt 13). docs/riscv.md "Performance counters". */
#ifndef HVSIM_RV_PMU_H
#define HVSIM_RV_PMU_H
#include <stdbool.h>
#include <stdint.h>

struct rv_hart;

#define RV_PMU_MAX 29            /* mhpmcounter3..31 */
#define IRQ_LCOFI 13             /* Sscofpmf: local counter-overflow interrupt */

/* Event selectors (mhpmevent bits 55:0; the board's DTB maps SBI events
 * to them). Any other selector counts nothing. */
enum {
    RV_HPM_EV_NONE = 0,
    RV_HPM_EV_CYCLES = 1,        /* ticks of the hart's clock (as mcycle) */
    RV_HPM_EV_INSTRET = 2,       /* instructions retired (as minstret) */
    RV_HPM_EV_EXCEPTIONS = 3,    /* synchronous exceptions taken */
    RV_HPM_EV_INTERRUPTS = 4,    /* interrupts taken */
    /* per-instruction events: while any counter selects one, the hart
     * runs one instruction per block on the interpreter */
    RV_HPM_EV_LOADS = 5,         /* loads retired (AMOs, LR, FP and HLV loads included) */
    RV_HPM_EV_STORES = 6,        /* stores retired (AMOs, SC, FP stores, HSV, cbo.zero) */
    RV_HPM_EV_BRANCHES_TAKEN = 7, /* conditional branches retired taken */
};

/* Sscofpmf mhpmevent bits. */
#define HPMEVENT_OF    (1ull << 63)
#define HPMEVENT_MINH  (1ull << 62)
#define HPMEVENT_SINH  (1ull << 61)
#define HPMEVENT_UINH  (1ull << 60)
#define HPMEVENT_VSINH (1ull << 59)
#define HPMEVENT_VUINH (1ull << 58)
#define HPMEVENT_SEL   ((1ull << 56) - 1)

/* Counter n (3..31): true when it is implemented (n - 3 < configured count). */
bool rv_pmu_has(const struct rv_hart *h, unsigned n);
uint64_t rv_pmu_counter_read(struct rv_hart *h, unsigned n);
void rv_pmu_counter_write(struct rv_hart *h, unsigned n, uint64_t v);
uint64_t rv_pmu_event_read(const struct rv_hart *h, unsigned n);
void rv_pmu_event_write(struct rv_hart *h, unsigned n, uint64_t v);
/* scountovf's bits (OF of each counter, before the counteren masks). */
uint64_t rv_pmu_overflow_bits(const struct rv_hart *h);
/* Bring every counter up to date: call before anything that changes what
 * they count (privilege/V change, mcountinhibit, events), and re-arm the
 * overflow timer after. incl: the instruction in flight (if any) counts in
 * the current state (xRET, traps) rather than after the change (CSR writes). */
void rv_pmu_settle(struct rv_hart *h, bool incl);
/* mcountinhibit bits `bits` were just cleared. */
void rv_pmu_resume(struct rv_hart *h, uint64_t bits);
void rv_pmu_rearm(struct rv_hart *h);
/* A trap is being taken (before the mode changes). */
void rv_pmu_trap(struct rv_hart *h, bool interrupt);
/* Per-instruction events (h->pmu_per_insn): the interpreter reports the
 * instruction it starts, and at the next boundary whether it retired. */
void rv_pmu_insn_start(struct rv_hart *h, unsigned op, uint64_t pc, unsigned len);
void rv_pmu_insn_end(struct rv_hart *h);
/* The overflow timer's callback (cpu_timer). */
void rv_pmu_timer_fire(void *opaque, struct cpu *c);

#endif
