/* hvsim replay: rebuild the machine from a trace header, feed the recorded
 * console input at its recorded virtual times, re-record and compare. */
#ifndef HVSIM_TRACE_REPLAY_H
#define HVSIM_TRACE_REPLAY_H
#include <stdbool.h>
#include <stdint.h>

struct replay_options {
    const char *serial;  /* where guest output goes (NULL: none) */
    int verbose;         /* print the run's exit reason */
    uint64_t perturb_at; /* if non-zero, flip a bit of hart 0's sp after that many
                            instructions (a deliberate divergence, for tests and demos) */
    int gdb_port;        /* serve gdb on 127.0.0.1:gdb_port during the replay */
    bool gdb_wait;       /* with gdb_port: stop at reset until it attaches */
    bool interp;         /* --engine interp: the reference interpreter */
};

/* Returns the exit status of `hvsim replay`: 0 identical, 1 divergence,
 * 2 host error (message printed). */
int trace_replay(const char *path, const struct replay_options *o);

#endif
