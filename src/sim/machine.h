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

struct board_ops;
struct console;
struct trace;

/* Exit status of `hvsim run` (docs/architecture.md "Exit status"). */
enum {
    EXIT_PASS = 0,
    EXIT_GUEST_FAIL = 1,
    EXIT_HOST_ERROR = 2,
    EXIT_MAX_INSNS = 3,
};

/* A machine-level timer (PIT, HPET, RTC alarm): a deadline in virtual time
 * (ticks of the machine clock, the same unit as CPU clocks). It fires at a
 * round boundary exactly at its deadline, before any CPU runs past it, so
 * every CPU sees its effect at the same virtual time; the scheduler ends a
 * round early at the next armed deadline. */
#define MACHINE_MAX_TIMERS 8
struct machine_timer {
    uint64_t deadline;      /* UINT64_MAX = disarmed */
    void (*fire)(void *opaque, struct machine *m, uint64_t now);
    void *opaque;
};

struct machine {
    struct config cfg;
    const struct board_ops *board; /* = cfg.board */
    void *board_state;      /* the board's devices and boot state */
    struct bus bus;         /* memory, MMIO windows and the I/O port space */
    struct mem_region *ram;
    int ncpus;
    struct cpu *cpus[CONFIG_MAX_CPUS];
    struct sched sched;
    struct machine_timer timers[MACHINE_MAX_TIMERS];
    int ntimers;
    struct console *console;
    /* `run --pcap FILE`: the network devices write every frame sent and
     * received here (virtio_net.h); NULL: no capture (a debugger's snapshot
     * machines never have one). Owned by whoever opened it. */
    FILE *pcap;

    /* Set by a device or CPU to end the run (power-off, HTIF exit). */
    bool exit_requested;
    int exit_code;
    char exit_reason[128];

    uint64_t max_insns;     /* 0 = unlimited; total over all CPUs */
    /* `--engine interp`: CPU models run their reference interpreter only
     * (RISC-V: no compiled blocks; x86 has only the interpreter). Both
     * engines retire the same instructions at the same virtual times, so
     * traces do not record it (docs/architecture.md "Engines"). */
    bool interp_only;
    struct trace *trace;    /* the timeline recorder (NULL: not tracing) */
    uint64_t trace_mask;    /* kinds being recorded (0 when not tracing) */
    uint64_t perturb_at;    /* testing aid: flip a register bit at this count */
    char serial_spec[600];  /* as given to machine_new (a debugger rebuilds the machine) */
    void (*gdb_poll)(void *opaque); /* gdb stub: look at its socket once a round */
    void *gdb_opaque;
    /* `run --display sdl` (src/view/live.c): the window's turn once a round,
     * between rounds, on the simulator's thread; it reads trace events and
     * may inject console input or pause (sched.pause), nothing else. */
    void (*display_poll)(void *opaque);
    /* ... and, when every CPU waits with nothing armed, the wait for input
     * (window keys as well as stdin): true once there is some or the window
     * closed, false when none can ever come (as the idle hook). */
    bool (*display_idle)(void *opaque);
    void *display_opaque;
    bool progress;          /* print a progress line on stderr */
    uint64_t progress_next;
};

/* The firmware path a config boots: --bios, else the board's default
 * (RISC-V: Debian's OpenSBI, like QEMU's bundled one); "" for "none" or a
 * board without default firmware. */
const char *machine_bios_path(const struct config *c);

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

/* Adds [memory] as RAM to the bus: a board's build calls it once, where its
 * memory map wants RAM in the bus's region order. */
bool machine_add_ram(struct machine *m, char *err, size_t errlen);

/* Machine-level timers: allocate at build time, then arm/disarm freely
 * (deadline in ticks; UINT64_MAX disarms). */
int machine_timer_alloc(struct machine *m, void (*fire)(void *, struct machine *, uint64_t),
                        void *opaque);
void machine_timer_arm(struct machine *m, int t, uint64_t deadline);
uint64_t machine_next_deadline(const struct machine *m);
/* Fire every timer due at `now` (the scheduler calls it at round starts). */
void machine_fire_due_timers(struct machine *m, uint64_t now);

/* Loads a boot image (ELF the board accepts, at its physical addresses; or
 * raw at raw_addr). *elf_out (may be NULL) keeps the ELF open for symbol
 * lookups (caller elf_close()s it). `what` names the option in errors. */
struct elf_image;
bool machine_load_image(struct machine *m, const char *what, const char *path, uint64_t raw_addr,
                        uint64_t *entry, struct elf_image **elf_out, char *err, size_t errlen);

/* Current CPU (the one in its slot), or NULL between slots. */
static inline struct cpu *machine_current_cpu(struct machine *m) { return m->sched.current; }
/* Virtual time as seen by the current CPU (or the global round time). */
uint64_t machine_now(struct machine *m);

#endif
