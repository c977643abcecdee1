/* GDB remote stub: `hvsim run --gdb PORT [--gdb-wait]`. gdb-multiarch
 * attaches over TCP on 127.0.0.1; threads are harts (gdb thread id = hart
 * index + 1). All-stop: while gdb holds the machine no hart advances; a
 * `stepi` advances only the selected hart (scheduler locking), which
 * changes the interleaving compared with an undisturbed run. Non-stop
 * (QNonStop:1): harts stop and run independently (docs/gdb.md). */
#ifndef HVSIM_GDBSTUB_H
#define HVSIM_GDBSTUB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct gdbstub;

/* Listens on 127.0.0.1:port. NULL + message on error (port in use...). */
struct gdbstub *gdbstub_new(struct machine *m, int port, bool wait, char *err, size_t errlen);
/* Runs the machine under the stub until it exits; returns the exit status
 * (EXIT_*). With wait, the machine stays at reset until gdb attaches. */
int gdbstub_run(struct gdbstub *g);
/* The machine now: reverse execution replaces it with a re-executed one,
 * so the caller must take this (and free it) instead of the one it gave. */
struct machine *gdbstub_machine(const struct gdbstub *g);
void gdbstub_free(struct gdbstub *g);

/* A recorded debugger change to the schedule (trace kind gdb.sched): a
 * scheduler-locked step of cpu at position at (held 0), CPUs `held` held
 * from position at to end, or (cpu -1, held 0) a resume at position at
 * with `end` breakpoints armed, one record each (addr). */
struct gdb_sched_entry {
    uint64_t at, end, held, addr;
    int64_t guest; /* a resume's `monitor guest` (-1: any) */
    int cpu;
};
/* Runs m to its end re-applying the recorded entries (hvsim replay of a
 * session recorded under gdb); returns the exit status, or EXIT_HOST_ERROR
 * with a message when the run does not reach an entry's position. */
int gdbstub_replay_schedule(struct machine *m, const struct gdb_sched_entry *e, size_t n,
                            char *err, size_t errlen);

#endif
