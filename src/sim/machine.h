/* One simulated machine: every CPU, device, memory and sink it owns.
 * No globals: two machines can live in one process. */
#ifndef HVSIM_MACHINE_H
#define HVSIM_MACHINE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "bus.h"
#include "config.h"
#include "cpu.h"
#include "sched.h"

struct aclint;
struct plic;
struct uart16550;
struct sifive_test;
struct htif;
struct console;
struct trace;

/* Exit status of `hvsim run` (DESIGN.md). */
enum {
    EXIT_PASS = 0,
    EXIT_GUEST_FAIL = 1,
    EXIT_HOST_ERROR = 2,
    EXIT_MAX_INSNS = 3,
};

struct machine {
    struct config cfg;
    struct bus bus;
    struct mem_region *ram, *rom;
    int ncpus;
    struct cpu *cpus[CONFIG_MAX_CPUS];
    struct sched sched;

    /* devices */
    struct aclint *aclint;
    struct plic *plic;
    struct uart16550 *uart;
    struct sifive_test *test;
    struct htif *htif;
    struct console *console;

    /* Set by a device or CPU to end the run (power-off, HTIF exit). */
    bool exit_requested;
    int exit_code;
    char exit_reason[128];

    uint64_t max_insns;     /* 0 = unlimited; total over all CPUs */
    struct trace *trace;    /* the timeline recorder (NULL: not tracing) */
    uint64_t trace_mask;    /* kinds being recorded (0 when not tracing) */
    uint64_t dtb_addr;
    void *dtb;              /* the device tree handed to the firmware */
    size_t dtb_size;
    uint64_t initrd_start, initrd_end;
    uint64_t entry;         /* where the boot ROM jumps */
    uint64_t perturb_at;    /* testing aid: flip a register bit at this count */
    char serial_spec[600];  /* as given to machine_new (a debugger rebuilds the machine) */
    void (*gdb_poll)(void *opaque); /* gdb stub: look at its socket once a round */
    void *gdb_opaque;
    bool progress;          /* print a progress line on stderr */
    uint64_t progress_next;
};

/* Default firmware when no --bios is given (QEMU does the same with its
 * bundled OpenSBI); "--bios none" boots the kernel directly in M mode. */
#define MACHINE_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"

/* Builds bus, CPUs, devices; loads images, DTB and boot ROM. NULL and a
 * message naming the problem on any host-side error. */
struct machine *machine_new(const struct config *cfg, const char *serial_spec, char *err, size_t errlen);
/* Runs until power-off, failure, deadlock or max_insns (0 = no limit) total
 * instructions. Returns EXIT_*. */
int machine_run(struct machine *m, uint64_t max_insns);
void machine_free(struct machine *m);
/* A copy of src's whole state in a new machine (console: none); src must
 * not be inside a run. For a debugger's snapshots. */
struct machine *machine_clone(const struct machine *src, char *err, size_t errlen);
/* Flush buffered console output (machine_run does it at the end). */
void machine_flush(struct machine *m);
bool machine_dump_dtb(struct machine *m, const char *path, char *err, size_t errlen);

/* Request the end of the run; the scheduler stops at the next boundary. */
void machine_request_exit(struct machine *m, int code, const char *reason);

/* Current CPU (the one in its slot), or NULL between slots. */
static inline struct cpu *machine_current_cpu(struct machine *m) { return m->sched.current; }
/* Virtual time as seen by the current CPU (or the global round time). */
uint64_t machine_now(struct machine *m);

#endif
