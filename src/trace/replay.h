/* hvsim replay: rebuild the machine from a trace header, feed the recorded
 * console input at its recorded virtual times, re-record and compare. */
#ifndef HVSIM_TRACE_REPLAY_H
#define HVSIM_TRACE_REPLAY_H
#include <stdbool.h>
#include <stdint.h>

/* Returns the exit status of `hvsim replay`: 0 identical, 1 divergence,
 * 2 host error (message printed). serial: where guest output goes.
 * perturb_at: if non-zero, flip a bit of hart 0's sp after that many
 * instructions (a deliberate divergence, for tests and demos).
 * gdb_port: serve gdb on 127.0.0.1:gdb_port during the replay (gdb_wait: stop
 * at reset until it attaches). */
int trace_replay(const char *path, const char *serial, int verbose, uint64_t perturb_at,
                 int gdb_port, bool gdb_wait);

#endif
