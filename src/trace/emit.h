/* Emitting timeline events from the simulator: one predictable branch when
 * the kind is not being recorded. */
#ifndef HVSIM_TRACE_EMIT_H
#define HVSIM_TRACE_EMIT_H
#include "../sim/machine.h"
#include "trace.h"

#define TRACE_ON(m, k) __builtin_expect((int)(((m)->trace_mask >> (k)) & 1), 0)

/* TRACE(m, kind, cpu, time, args...) */
#define TRACE(m, k, cpu_, time_, ...)                                          \
    do {                                                                       \
        if (TRACE_ON(m, k)) {                                                  \
            struct trace_event ev_ = { .time = (time_), .cpu = (uint32_t)(cpu_), \
                                       .kind = (uint16_t)(k), .a = { __VA_ARGS__ } }; \
            trace_emit((m)->trace, &ev_);                                      \
        }                                                                      \
    } while (0)

/* The id of the CPU in its slot, or TRACE_NO_CPU. */
static inline uint32_t trace_cpu_id(struct machine *m)
{
    return m->sched.current ? (uint32_t)m->sched.current->id : TRACE_NO_CPU;
}

/* pc and instruction of the CPU in its slot (0, 0 outside a slot). */
static inline uint64_t trace_cur_pc(struct machine *m)
{
    return m->sched.current ? m->sched.current->ops->get_pc(m->sched.current) : 0;
}
/* The insn argument of trace events: the first up to 8 bytes of the
 * instruction, little-endian (docs/trace-format.md); 0 when unknown. */
static inline uint64_t trace_cur_insn(struct machine *m)
{
    struct cpu *c = m->sched.current;
    uint8_t b[8];
    unsigned n = c && c->ops->insn_bytes ? c->ops->insn_bytes(c, b, sizeof b) : 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n && i < sizeof b; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

#endif
