/* GDB remote stub: `hvsim run --gdb PORT [--gdb-wait]`. gdb-multiarch
 * attaches over TCP on 127.0.0.1; threads are harts (gdb thread id = hart
 * index + 1). All-stop: while gdb holds the machine no hart advances; a
 * `stepi` advances only the selected hart (scheduler locking), which
 * changes the interleaving compared with an undisturbed run. */
#ifndef HVSIM_GDBSTUB_H
#define HVSIM_GDBSTUB_H
#include <stdbool.h>
#include <stddef.h>

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

#endif
