/* Machine assembly: the parts every board has (bus, RAM, console, scheduler,
 * machine-level timers), then the board (src/sim/board.h) adds its CPUs,
 * devices and images. */
#include "machine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "board.h"
#include "../devices/console.h"
#include "../loader/elf.h"
#include "../loader/image.h"
#include "../trace/record.h"

void machine_request_exit(struct machine *m, int code, const char *reason)
{
    if (!m->exit_requested) {
        m->exit_requested = true;
        m->exit_code = code;
        snprintf(m->exit_reason, sizeof m->exit_reason, "%s", reason);
    }
    if (m->sched.current)
        cpu_end_run(m->sched.current);
}

uint64_t machine_now(struct machine *m)
{
    return m->sched.current ? cpu_now(m->sched.current) : m->sched.round_start;
}

const char *machine_bios_path(const struct config *c)
{
    const char *bios = c->bios[0] ? c->bios : c->board && c->board->default_bios ? c->board->default_bios : "";
    return strcmp(bios, "none") ? bios : "";
}

/* ---- machine-level timers ---------------------------------------------- */

int machine_timer_alloc(struct machine *m, void (*fire)(void *, struct machine *, uint64_t),
                        void *opaque)
{
    if (m->ntimers == MACHINE_MAX_TIMERS)
        abort(); /* board wiring bug, not guest input */
    int t = m->ntimers++;
    m->timers[t] = (struct machine_timer){ .deadline = UINT64_MAX, .fire = fire, .opaque = opaque };
    return t;
}

void machine_timer_arm(struct machine *m, int t, uint64_t deadline)
{
    /* Armed inside a round for a time inside that round (CPUs earlier in
     * the round are already past it), it fires at the round's end: at most
     * one quantum late, the same for every run (docs/architecture.md). */
    m->timers[t].deadline = deadline;
}

uint64_t machine_next_deadline(const struct machine *m)
{
    uint64_t d = UINT64_MAX;
    for (int i = 0; i < m->ntimers; i++)
        if (m->timers[i].deadline < d)
            d = m->timers[i].deadline;
    return d;
}

void machine_fire_due_timers(struct machine *m, uint64_t now)
{
    for (int i = 0; i < m->ntimers; i++) {
        struct machine_timer *t = &m->timers[i];
        if (t->deadline <= now) {
            t->deadline = UINT64_MAX;
            t->fire(t->opaque, m, now);
        }
    }
}

/* ---- images ------------------------------------------------------------- */

bool machine_load_image(struct machine *m, const char *what, const char *path, uint64_t raw_addr,
                        uint64_t *entry, struct elf_image **elf_out, char *err, size_t errlen)
{
    char e2[400];
    if (!image_load(&m->bus, path, m->board->elf, raw_addr, entry, elf_out, e2, sizeof e2)) {
        snprintf(err, errlen, "%s: %s", what, e2);
        return false;
    }
    return true;
}

bool machine_add_ram(struct machine *m, char *err, size_t errlen)
{
    m->ram = bus_add_mem(&m->bus, "ram", m->cfg.ram_base, m->cfg.ram_size, false, err, errlen);
    return m->ram != NULL;
}

/* ---- the run ------------------------------------------------------------ */

static void round_hook(void *opaque, struct machine *m)
{
    (void)opaque;
    if (m->trace)
        trace_round(m);
    if (m->gdb_poll)
        m->gdb_poll(m->gdb_opaque);
    if (m->display_poll)
        m->display_poll(m->display_opaque);
    if (m->perturb_at && m->sched.total_retired >= m->perturb_at) {
        /* `hvsim replay --debug-perturb N`: a deliberate divergence to show
         * and test the divergence diagnosis. */
        if (m->board->perturb)
            m->board->perturb(m);
        m->perturb_at = 0;
    }
    if (m->board->round)
        m->board->round(m);
    if (console_quit_requested(m->console))
        machine_request_exit(m, EXIT_PASS, "quit from the console (Ctrl-A x)");
    if (m->progress && m->sched.total_retired >= m->progress_next) {
        fprintf(stderr, "\r[hvsim] %llu M instructions, virtual time %.3f s ",
                (unsigned long long)(m->sched.total_retired / 1000000),
                (double)m->sched.round_start / (double)m->cfg.cpu_hz);
        m->progress_next = m->sched.total_retired + 200000000ull;
    }
}

static bool idle_hook(void *opaque, struct machine *m)
{
    (void)opaque;
    console_flush(m->console);
    if (console_has_input(m->console))
        return true; /* replayed input due now */
    if (m->display_idle)
        return m->display_idle(m->display_opaque);
    return console_input_open(m->console) && console_wait_input(m->console);
}

struct machine *machine_new(const struct config *cfg, const char *serial_spec, char *err, size_t errlen)
{
    struct machine *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    if (!m->cfg.board)
        m->cfg.board = board_default();
    m->board = m->cfg.board;
    const struct config *c = &m->cfg;
    bus_init(&m->bus);
    m->bus.m = m;
    sched_init(&m->sched, c->quantum, c->sched_seed);
    m->sched.round_hook = round_hook;
    m->sched.idle_hook = idle_hook;
    m->sched.round_hook_opaque = m;

    snprintf(m->serial_spec, sizeof m->serial_spec, "%s", serial_spec ? serial_spec : "stdio");
    m->console = console_new(m->serial_spec, err, errlen);
    if (!m->console)
        goto fail;
    if (!m->board->build(m, err, errlen))
        goto fail;
    m->progress = isatty(2) && !isatty(1);
    m->progress_next = 200000000ull;
    return m;

fail:
    machine_free(m);
    return NULL;
}

void machine_flush(struct machine *m)
{
    console_flush(m->console);
}

int machine_run(struct machine *m, uint64_t max_insns)
{
    m->max_insns = max_insns;
    int rc = sched_run(m);
    machine_flush(m);
    if (m->progress && m->sched.total_retired >= 200000000ull)
        fputc('\n', stderr);
    return rc;
}

static bool page_is_zero(const uint8_t *p)
{
    uint64_t acc = 0;
    for (int i = 0; i < 4096; i += 64) {
        uint64_t w[8];
        memcpy(w, p + i, sizeof w);
        for (int j = 0; j < 8; j++)
            acc |= w[j];
        if (acc)
            return false;
    }
    return true;
}

/* Which 4 KiB pages of the host buffer [host, host+size) may hold
 * something other than zeros: one byte per page, 0 = certainly zero. The
 * buffer is private anonymous memory (calloc), so a host page that is
 * neither present nor swapped out (/proc/self/pagemap, bits 63 and 62;
 * Linux Documentation/admin-guide/mm/pagemap.rst) has never been touched
 * and reads as zeros. NULL (look at every page) if pagemap cannot be read.
 * Reading a never-touched page would cost a page fault, which is what made
 * snapshots slow: ~23 us each on the build host, 1.5 s for 256 MiB. */
static uint8_t *pages_maybe_nonzero(const uint8_t *host, uint64_t size)
{
    long hp = sysconf(_SC_PAGESIZE);
    if (hp <= 0 || size == 0)
        return NULL;
    uintptr_t first = (uintptr_t)host / (uintptr_t)hp;
    uintptr_t last = ((uintptr_t)host + size - 1) / (uintptr_t)hp;
    size_t n = last - first + 1, npages = (size + 4095) >> 12;
    uint64_t *e = malloc(n * sizeof *e);
    uint8_t *maybe = calloc(npages, 1);
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    bool ok = e && maybe && fd >= 0;
    for (size_t got = 0; ok && got < n * sizeof *e;) {
        ssize_t r = pread(fd, (uint8_t *)e + got, n * sizeof *e - got,
                          (off_t)(first * sizeof *e + got));
        ok = r > 0;
        got += ok ? (size_t)r : 0;
    }
    if (fd >= 0)
        close(fd);
    if (!ok) {
        free(e);
        free(maybe);
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        if (!(e[k] >> 62)) /* neither present nor swapped */
            continue;
        /* the guest pages that overlap host page first + k */
        uint64_t lo = (first + k) * (uint64_t)hp, hi = lo + (uint64_t)hp;
        uint64_t a = lo > (uintptr_t)host ? lo - (uintptr_t)host : 0;
        uint64_t b = hi - (uintptr_t)host < size ? hi - (uintptr_t)host : size;
        for (uint64_t g = a >> 12; g < npages && (g << 12) < b; g++)
            maybe[g] = 1;
    }
    free(e);
    return maybe;
}

struct machine *machine_clone(const struct machine *src, char *err, size_t errlen)
{
    struct machine *m = machine_new(&src->cfg, "none", err, errlen);
    if (!m)
        return NULL;
    for (int i = 0; i < m->bus.nmem && i < src->bus.nmem; i++) {
        struct mem_region *d = &m->bus.mem[i];
        const struct mem_region *s = &src->bus.mem[i];
        /* Page by page, leaving pages that are zero on both sides alone,
         * and never reading a page the host has not mapped (it is zero):
         * RAM the guest never touched stays unmapped in the host (calloc'd),
         * so a snapshot costs what the guest has used, not the RAM size. */
        uint8_t *smaybe = pages_maybe_nonzero(s->host, s->size);
        uint8_t *dmaybe = pages_maybe_nonzero(d->host, d->size);
        for (uint64_t off = 0; off + 4096 <= d->size; off += 4096) {
            uint64_t p = off >> 12;
            if ((!smaybe || smaybe[p]) && !page_is_zero(s->host + off))
                memcpy(d->host + off, s->host + off, 4096);
            else if ((!dmaybe || dmaybe[p]) && !page_is_zero(d->host + off))
                memset(d->host + off, 0, 4096);
        }
        free(smaybe);
        free(dmaybe);
        uint64_t tail = d->size & 4095;
        memcpy(d->host + d->size - tail, s->host + s->size - tail, tail);
        memcpy(d->dirty, s->dirty, d->size >> 12);
    }
    for (int i = 0; i < m->ncpus; i++)
        m->cpus[i]->ops->copy_state(m->cpus[i], src->cpus[i]);
    if (m->board->copy_state)
        m->board->copy_state(m, src);
    for (int i = 0; i < m->ntimers; i++)
        m->timers[i].deadline = src->timers[i].deadline;
    struct sched hooks = m->sched;
    m->sched = src->sched;
    m->sched.round_hook = hooks.round_hook;
    m->sched.idle_hook = hooks.idle_hook;
    m->sched.round_hook_opaque = hooks.round_hook_opaque;
    m->sched.current = NULL;
    m->sched.debug_stop = NULL;
    m->sched.debug_opaque = NULL;
    m->sched.stopped_cpu = NULL;
    m->sched.watch_cpu = NULL;
    m->sched.stop_at = 0;
    m->exit_requested = src->exit_requested;
    m->exit_code = src->exit_code;
    memcpy(m->exit_reason, src->exit_reason, sizeof m->exit_reason);
    m->max_insns = src->max_insns;
    m->interp_only = src->interp_only;
    m->perturb_at = src->perturb_at;
    return m;
}

bool machine_dump_dtb(struct machine *m, const char *path, char *err, size_t errlen)
{
    if (!m->board->dump_dtb) {
        snprintf(err, errlen, "--dump-dtb: the %s board has no device tree", m->board->name);
        return false;
    }
    return m->board->dump_dtb(m, path, err, errlen);
}

void machine_free(struct machine *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->ncpus; i++)
        if (m->cpus[i])
            m->cpus[i]->ops->free(m->cpus[i]);
    if (m->board && m->board->free)
        m->board->free(m);
    if (m->console) console_free(m->console);
    for (int i = 0; i < m->bus.nmem; i++)
        for (uint64_t p = 0; p < (m->bus.mem[i].size >> 12); p++)
            free(m->bus.mem[i].dcache[p]);
    bus_free(&m->bus);
    free(m);
}
