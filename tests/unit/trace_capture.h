/* Unit-test helper: capture a machine's timeline events in memory (a trace
 * sink that keeps the first EV_LOG_MAX events of the kinds asked for). */
#ifndef HVSIM_TEST_TRACE_CAPTURE_H
#define HVSIM_TEST_TRACE_CAPTURE_H
#include <string.h>
#include "sim/machine.h"
#include "trace/trace.h"

#define EV_LOG_MAX 64
struct ev_log {
    struct trace t;
    struct trace_event ev[EV_LOG_MAX];
    int n;
};

static inline void ev_log_sink(void *opaque, const struct trace_event *ev)
{
    struct ev_log *l = opaque;
    if (l->n < EV_LOG_MAX)
        l->ev[l->n++] = *ev;
}

/* From now on m's events of the kinds in mask go to l. */
static inline void ev_log_attach(struct ev_log *l, struct machine *m, uint64_t mask)
{
    memset(l, 0, sizeof *l);
    l->t.mask = mask;
    l->t.sink = ev_log_sink;
    l->t.sink_opaque = l;
    m->trace = &l->t;
    m->trace_mask = mask;
}

#endif
