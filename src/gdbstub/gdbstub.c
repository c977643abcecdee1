/* GDB Remote Serial Protocol server (GDB manual, "Remote Protocol").
 * Single-threaded: the socket is polled between scheduler rounds while the
 * machine runs, and served exclusively while it is stopped. */
#include "gdbstub.h"
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "arch.h"
#include "exit_names.h"
#include "rsp.h"
#include "../sim/arch.h"
#include "../sim/machine.h"
#include "../trace/emit.h"
#include "../vmm/vmm.h"
#include "../devices/console.h"

#define MAX_BP 64
#define MAX_WP 16
/* Reverse execution keeps a snapshot (a full machine copy) every
 * SNAP_INTERVAL scheduled instructions while gdb is attached, the newest
 * SNAP_MAX of them, and re-executes from the nearest one. */
#define SNAP_INTERVAL 5000000ull
#define SNAP_MAX 4

struct hwt_entry { int type; uint64_t addr, len; }; /* monitor hwtrig: a Z1-Z4 in the triggers */

struct gdbstub {
    struct machine *m;
    const struct arch_info *arch_info; /* the CPUs' architecture */
    const struct gdb_arch *arch;        /* arch_info->gdb */
    int lfd, cfd;
    bool wait, noack;
    struct rsp_decoder dec;
    int gcpu;                 /* cpu index for g/p/m (Hg) */
    uint64_t bp[MAX_BP];
    int nbp;
    struct cpu_watch wp[MAX_WP];
    int nwp;
    bool stop_now;            /* Ctrl-C or attach: stop before the next instruction */
    bool hit_bp;
    bool resume, step, detach, kill;
    /* monitor break-on: stop right after such an event */
    bool brk_vmexit, brk_ipi;
    uint64_t brk_vmexit_reason; /* UINT64_MAX: any */
    int brk_vmexit_class;       /* -1: any, else only exits of that enum vmm_exit_class */
    int brk_ipi_dest;           /* -1: any */
    int64_t guest;              /* -1: breakpoints fire anywhere, else only in
                                   the guest with that id (cpu_ops.guest_id) or,
                                   with CPU_GUEST_BY_TAG, that tag (guest_tag) */
    bool phys;                  /* monitor phys on: m/M/X use physical addresses */
    bool hwtrig;                /* monitor hwtrig on: Z1-Z4 use the CPUs' own triggers */
    struct hwt_entry hwt[MAX_WP]; /* inserted that way */
    int nhwt;
    bool rstep;                 /* bs: reverse-stepi */
    /* the scheduler-locked steps taken so far: (schedule position, cpu) —
     * with the config, images and seed they determine the machine state.
     * An entry with a held mask is a continue that held those CPUs
     * (vCont;c:TID) from position at to position end. */
    struct { uint64_t at; int cpu; uint64_t end, held; } *log;
    size_t nlog, caplog;
    struct { struct machine *m; uint64_t at; size_t nlog; } snap[SNAP_MAX];
    int nsnap;
    uint64_t snap_next;
    uint64_t marks;
    struct trace tap;           /* sees the events (installed as m->trace) */
    struct trace *orig;         /* the recorder or replayer it forwards to */
    char stop_why[64];
    int step_cpu;
    /* vCont with per-thread actions (gdb's scheduler-locking): the CPUs
     * that stay stopped while the others continue (docs/gdb.md "Holding
     * CPUs"); held_ever: a resume held some CPU (no reverse execution). */
    bool hold[CONFIG_MAX_CPUS];
    bool holding;
    /* Non-stop mode (QNonStop:1, docs/gdb.md "Non-stop mode"): each CPU
     * runs or is stopped on its own; stop replies go out as %Stop
     * notifications, one at a time, the rest as answers to vStopped. */
    bool non_stop;
    bool ns_run[CONFIG_MAX_CPUS];      /* gdb sees the CPU running */
    bool ns_step[CONFIG_MAX_CPUS];     /* a vCont;s to carry out */
    char ns_last[CONFIG_MAX_CPUS][96]; /* its last stop reply (for '?') */
    char ns_q[2 * CONFIG_MAX_CPUS + 2][96]; /* stop replies not yet acknowledged */
    int ns_head, ns_count;
    bool ns_inflight;                  /* a notification or '?' sequence awaits vStopped */
    bool ns_live;                      /* ns_run_loop is serving */
    uint64_t ns_defer;                 /* stopped CPUs '?' left for notifications */
    char reply[2 * RSP_MAX_PACKET + 16];
};

/* ---- socket I/O ---- */

/* One framed message: "$payload#cs" (a packet), or with lead '%' a
 * notification ("%Stop:...#cs", never acknowledged). A write error drops
 * the connection. */
static void send_framed(struct gdbstub *g, const char *payload, size_t len, char lead)
{
    size_t cap = rsp_encoded_len(payload, len) + 1;
    char *out = malloc(cap);
    if (!out) {
        close(g->cfd);
        g->cfd = -1;
        return;
    }
    size_t n = rsp_encode(payload, len, out, cap);
    out[0] = lead;
    for (size_t off = 0; off < n && g->cfd >= 0;) {
        ssize_t w = write(g->cfd, out + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(g->cfd);
            g->cfd = -1;
            break;
        }
        off += (size_t)w;
    }
    free(out);
}

static void send_packet(struct gdbstub *g, const char *payload, size_t len)
{
    send_framed(g, payload, len, '$');
}

static void send_str(struct gdbstub *g, const char *s)
{
    send_packet(g, s, strlen(s));
}

static void send_ack(struct gdbstub *g, char c)
{
    if (g->noack || g->cfd < 0)
        return;
    if (write(g->cfd, &c, 1) != 1) {
        close(g->cfd);
        g->cfd = -1;
    }
}

/* ---- machine access ---- */

static struct cpu *cpu_at(struct gdbstub *g, int idx)
{
    return idx >= 0 && idx < g->m->ncpus ? g->m->cpus[idx] : NULL;
}

/* Guest memory through the CPU's current translation; RAM only (a debugger
 * read must not pop a UART FIFO). */
static bool mem_access(struct gdbstub *g, struct cpu *c, uint64_t addr, uint8_t *buf, size_t len,
                       bool write)
{
    for (size_t i = 0; i < len;) {
        uint64_t va = addr + i, pa = va;
        if (!g->phys && !g->arch->translate(c, va, write, &pa))
            return false;
        size_t chunk = 4096 - (va & 0xfff);
        if (chunk > len - i)
            chunk = len - i;
        struct mem_region *r = bus_find_mem(&g->m->bus, pa);
        uint8_t *host = bus_host_ptr(&g->m->bus, pa, chunk);
        if (!r || !host)
            return false;
        if (write) {
            memcpy(host, buf + i, chunk);
            bus_mark_dirty(r, pa, chunk);
            if (r->page_flags[(pa - r->base) >> 12])
                bus_mem_store_notify(&g->m->bus, r, pa, (unsigned)chunk); /* drop stale decode */
        } else {
            memcpy(buf + i, host, chunk);
        }
        i += chunk;
    }
    return true;
}

/* scheduler-locked single step of one CPU of machine m */
static void step_cpu(struct machine *m, struct cpu *c)
{
    struct sched *s = &m->sched;
    if (c->state != CPU_RUNNING)
        return;
    s->current = c;
    c->bp_skip_pc = c->ops->get_pc(c);
    c->run_budget = 1;
    uint64_t n = c->ops->run(c, 1);
    c->run_budget = 0;
    c->bp_hit = false;
    c->wp_hit = false;
    c->clock += n;
    c->retired += n;
    s->total_retired += n;
    s->current = NULL;
}

/* A change to the schedule into the trace being recorded (gdb.sched), so
 * that `hvsim replay` re-applies it (docs/gdb.md "Recording a held
 * session"): a step (cpu), a held continue (held, from at to end), or a
 * resume (neither; end: breakpoints are armed): each resume flushed the CPUs' translation caches
 * (arm_hook), which no guest sees but which decides whether a trace event
 * can name the instruction's bytes (ipi.send insn). Written to the
 * recorder whatever its event mask. */
static void record_sched(struct gdbstub *g, uint64_t at, uint64_t end, uint64_t held, int cpu,
                         uint64_t addr, int64_t guest)
{
    struct machine *m = g->m;
    struct trace *t = m->trace == &g->tap ? g->orig : m->trace;
    if (!t)
        return;
    struct trace_event ev = { .time = m->sched.round_start,
                              .cpu = cpu < 0 ? TRACE_NO_CPU : (uint32_t)cpu,
                              .kind = TK_GDB_SCHED, .a = { at, end, held, addr, (uint64_t)guest } };
    trace_emit(t, &ev);
}

/* A resume (or step) at this position with these breakpoints armed: one
 * record per breakpoint (end = their number, addr = the address, guest =
 * `monitor guest`), or one with end = 0 when none. Armed breakpoints take a CPU model off its fast
 * path for the pages they are in, which trace events can see (an ipi.send
 * names its instruction's bytes only from the cached fetch page). */
static void record_resume(struct gdbstub *g)
{
    uint64_t at = g->m->sched.executed;
    if (!g->nbp)
        record_sched(g, at, 0, 0, -1, 0, g->guest);
    for (int i = 0; i < g->nbp; i++)
        record_sched(g, at, (uint64_t)g->nbp, 0, -1, g->bp[i], g->guest);
}

/* scheduler-locked single step of one CPU, remembered for reverse execution */
static void step_one(struct gdbstub *g, struct cpu *c)
{
    if (g->nlog == g->caplog) {
        g->caplog = g->caplog ? 2 * g->caplog : 64;
        g->log = realloc(g->log, g->caplog * sizeof *g->log);
    }
    g->log[g->nlog].at = g->m->sched.executed;
    g->log[g->nlog].cpu = c->id;
    g->log[g->nlog].end = g->log[g->nlog].held = 0;
    g->nlog++;
    record_resume(g);
    record_sched(g, g->m->sched.executed, 0, 0, c->id, 0, -1);
    step_cpu(g->m, c);
}

/* The CPUs in mask stay held (struct sched.held) until set_holds(m, 0). */
static void set_holds(struct machine *m, uint64_t mask)
{
    for (int i = 0; i < m->ncpus; i++)
        m->sched.held[i] = mask >> i & 1;
    m->sched.any_held = mask != 0;
}

/* A continue that held CPUs, remembered for reverse execution. */
static void log_hold(struct gdbstub *g, uint64_t at, uint64_t end, uint64_t mask)
{
    if (end <= at)
        return;
    if (g->nlog == g->caplog) {
        g->caplog = g->caplog ? 2 * g->caplog : 64;
        g->log = realloc(g->log, g->caplog * sizeof *g->log);
    }
    g->log[g->nlog].at = at;
    g->log[g->nlog].cpu = -1;
    g->log[g->nlog].end = end;
    g->log[g->nlog].held = mask;
    g->nlog++;
    record_sched(g, at, end, mask, -1, 0, -1);
}


/* ---- stop hook (called before every instruction while set) ---- */

static void poll_client(struct gdbstub *g);

static bool stop_now_hook_fn(void *opaque, struct cpu *c);

/* The event tap: forwards every event to the recorder/replayer it stands
 * in front of, and stops the machine after a vm.exit / ipi.send that a
 * `monitor break-on` asked for. */
static void tap_sink(void *opaque, const struct trace_event *ev)
{
    struct gdbstub *g = opaque;
    if (g->orig && (g->orig->mask >> ev->kind & 1))
        trace_emit(g->orig, ev);
    bool stop = false;
    if (g->brk_vmexit && ev->kind == TK_VM_EXIT &&
        (g->brk_vmexit_reason == UINT64_MAX || ev->a[0] == g->brk_vmexit_reason) &&
        (g->brk_vmexit_class < 0 ||
         vmm_exit_class(g->arch_info, ev->a[0]) == (unsigned)g->brk_vmexit_class)) {
        stop = true;
        snprintf(g->stop_why, sizeof g->stop_why, "vm.exit reason 0x%llx (%s)",
                 (unsigned long long)ev->a[0],
                 vmm_exit_class_name(vmm_exit_class(g->arch_info, ev->a[0])));
    }
    if (g->brk_ipi && ev->kind == TK_IPI_SEND &&
        (g->brk_ipi_dest < 0 || (ev->a[1] >> g->brk_ipi_dest & 1))) {
        stop = true;
        snprintf(g->stop_why, sizeof g->stop_why, "ipi.send to 0x%llx", (unsigned long long)ev->a[1]);
    }
    if (stop) {
        g->stop_now = true;
        g->m->sched.debug_stop = stop_now_hook_fn;
        g->m->sched.debug_opaque = g;
        if (g->m->sched.current)
            cpu_end_run(g->m->sched.current);
    }
}

static void tap_install(struct gdbstub *g)
{
    struct machine *m = g->m;
    if (m->trace == &g->tap)
        return;
    g->orig = m->trace;
    g->tap = (struct trace){ .sink = tap_sink, .sink_opaque = g };
    if (g->orig) { /* keep its check-record schedule going */
        g->tap.check_interval = g->orig->check_interval;
        g->tap.next_check = g->orig->next_check;
        g->tap.check_seq = g->orig->check_seq;
    }
    g->tap.mask = (g->orig ? g->orig->mask : 0) | (1ull << TK_VM_EXIT) | (1ull << TK_IPI_SEND);
    m->trace = &g->tap;
    m->trace_mask = g->tap.mask;
}

static void tap_remove(struct gdbstub *g)
{
    struct machine *m = g->m;
    if (m->trace != &g->tap)
        return;
    if (g->orig) {
        g->orig->next_check = g->tap.next_check;
        g->orig->check_seq = g->tap.check_seq;
    }
    m->trace = g->orig;
    m->trace_mask = g->orig ? g->orig->mask : 0;
}

/* Ctrl-C: stop before the next instruction of whichever CPU runs next. */
static bool stop_now_hook(void *opaque, struct cpu *c)
{
    (void)c;
    return ((struct gdbstub *)opaque)->stop_now;
}

static bool stop_now_hook_fn(void *opaque, struct cpu *c)
{
    return stop_now_hook(opaque, c);
}

/* Breakpoints are checked by the CPU models (cpu_bp_at); the scheduler's
 * per-instruction hook is only armed to stop at once. */
static void arm_hook(struct gdbstub *g)
{
    g->m->sched.debug_stop = g->stop_now ? stop_now_hook : NULL;
    g->m->sched.debug_opaque = g;
    for (int i = 0; i < g->m->ncpus; i++) {
        struct cpu *c = g->m->cpus[i];
        c->bps = g->bp;
        c->nbps = g->nbp;
        c->bp_guest = g->guest;
        if (c->nwps != g->nwp || c->wps != g->wp) {
            c->wps = g->wp;
            c->nwps = g->nwp;
        }
        c->ops->flush_tlb(c); /* watched pages lose their fast mappings */
    }
    if (g->brk_vmexit || g->brk_ipi)
        tap_install(g);
    else
        tap_remove(g);
}

static void on_ctrlc(void *opaque)
{
    struct gdbstub *g = opaque;
    g->stop_now = true;
    arm_hook(g);
}

/* While running: look for a 0x03 (and a client going away). */
static void poll_client(struct gdbstub *g)
{
    if (g->cfd < 0)
        return;
    struct pollfd p = { .fd = g->cfd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return;
    char buf[256];
    ssize_t n = read(g->cfd, buf, sizeof buf);
    if (n <= 0) {
        close(g->cfd);
        g->cfd = -1; /* gone: the machine runs on, every CPU released */
        for (int i = 0; i < g->m->ncpus; i++)
            g->m->sched.held[i] = false;
        g->m->sched.any_held = false;
        return;
    }
    rsp_feed(&g->dec, buf, (size_t)n, NULL, on_ctrlc, g);
}

static bool reverse_allowed(struct gdbstub *g, char *err, size_t errlen);

static void drop_snapshot(struct gdbstub *g, int i)
{
    machine_free(g->snap[i].m);
    for (int k = i + 1; k < g->nsnap; k++)
        g->snap[k - 1] = g->snap[k];
    g->nsnap--;
}

/* Between rounds of the live machine: a snapshot when one is due. */
static void take_snapshot(struct gdbstub *g)
{
    char err[160];
    struct machine *m = g->m;
    if (g->cfd < 0 || m->sched.executed < g->snap_next || !reverse_allowed(g, err, sizeof err))
        return;
    struct machine *c = machine_clone(m, err, sizeof err);
    if (!c)
        return; /* (no snapshot: reverse execution re-runs from further back) */
    if (g->nsnap == SNAP_MAX)
        drop_snapshot(g, 0);
    g->snap[g->nsnap].m = c;
    g->snap[g->nsnap].at = m->sched.executed;
    g->snap[g->nsnap].nlog = g->nlog;
    g->nsnap++;
    g->snap_next = m->sched.executed + SNAP_INTERVAL;
}

static void round_poll(void *opaque)
{
    struct gdbstub *g = opaque;
    if (g->non_stop) { /* packets are served between rounds (ns_run_loop) */
        struct pollfd p = { .fd = g->cfd, .events = POLLIN };
        if (g->cfd >= 0 && poll(&p, 1, 0) > 0)
            g->m->sched.pause = true;
        return;
    }
    poll_client(opaque);
    take_snapshot(opaque);
}

/* ---- reverse execution (re-execution from reset) ----
 * The machine is a function of its config, images and seed, of the console
 * input (none allowed here) and of the debugger's scheduler-locked steps.
 * Going back = building a fresh machine and running it, at full speed, to
 * an earlier position of the schedule, replaying the logged steps on the
 * way. Cost: one or two re-runs from reset per reverse step. */

/* Reverse execution needs the run to be a function of config, images,
 * seed and the logged steps: no console input, no trace being written. */
static bool reverse_allowed(struct gdbstub *g, char *err, size_t errlen)
{
    struct machine *m = g->m;
    if (g->non_stop) {
        snprintf(err, errlen, "reverse execution is not available in non-stop mode");
        return false;
    }
    if (m->trace && m->trace != &g->tap) {
        snprintf(err, errlen, "reverse execution is not available while a trace is recorded or replayed");
        return false;
    }
    if (console_consumed(m->console)) {
        snprintf(err, errlen, "reverse execution is not available after console input");
        return false;
    }
    return true;
}

/* The re-executed machine takes the old one's place (the stub owns it). */
static void adopt(struct gdbstub *g, struct machine *m2, size_t keep)
{
    struct machine *m = g->m;
    m2->gdb_poll = m->gdb_poll;
    m2->gdb_opaque = m->gdb_opaque;
    tap_remove(g);
    machine_free(m);
    g->m = m2;
    g->nlog = keep;
    for (size_t i = 0; i < keep; i++) /* a held continue cut short by going back */
        if (g->log[i].held && g->log[i].end > m2->sched.executed)
            g->log[i].end = m2->sched.executed;
    for (int i = g->nsnap - 1; i >= 0; i--) /* snapshots of the abandoned future */
        if (g->snap[i].at > m2->sched.executed || g->snap[i].nlog > keep)
            drop_snapshot(g, i);
    g->snap_next = m2->sched.executed + SNAP_INTERVAL;
    arm_hook(g);
}

/* Runs m2's schedule until `executed` reaches at (or the machine ends). */
static bool run_to(struct machine *m2, uint64_t at)
{
    if (m2->sched.executed >= at)
        return true;
    m2->sched.stop_at = at;
    int rc = sched_run(m2);
    m2->sched.stop_at = 0;
    m2->sched.stopped_cpu = NULL;
    return rc == SCHED_DEBUG_STOP && m2->sched.executed == at;
}

/* A machine to re-execute from: a copy of the newest snapshot at or before
 * position `at` (taken with at most nlog logged steps), or a fresh one at
 * reset. *first: the first log entry still to replay. */
static struct machine *start_from(struct gdbstub *g, uint64_t at, size_t nlog, bool use_snap,
                                  size_t *first, char *err, size_t errlen)
{
    for (int i = g->nsnap - 1; use_snap && i >= 0; i--)
        if (g->snap[i].at <= at && g->snap[i].nlog <= nlog) {
            struct machine *c = machine_clone(g->snap[i].m, err, errlen);
            if (c) {
                set_holds(c, 0); /* (a snapshot taken in a held continue: its log entry holds again) */
                *first = g->snap[i].nlog;
                return c;
            }
        }
    struct machine *m2 = machine_new(&g->m->cfg, "none", err, errlen);
    if (m2)
        m2->max_insns = g->m->max_insns;
    *first = 0;
    return m2;
}

/* Re-executes to position `at` from the newest usable snapshot (or from
 * reset when use_snap is false); with watch >= 0, *watch_last is the
 * position of that hart's last instruction in the re-executed stretch
 * (UINT64_MAX: it executed none there). */
static struct machine *rebuild(struct gdbstub *g, uint64_t at, size_t nlog, int watch,
                               bool use_snap, uint64_t *watch_last, char *err, size_t errlen)
{
    size_t first;
    struct machine *m2 = start_from(g, at, nlog, use_snap, &first, err, errlen);
    if (!m2)
        return NULL;
    m2->sched.watch_cpu = watch >= 0 ? m2->cpus[watch] : NULL;
    m2->sched.watch_last = UINT64_MAX;
    for (size_t i = first; i < nlog; i++) {
        if (!run_to(m2, g->log[i].at))
            goto diverged;
        if (g->log[i].held) {
            set_holds(m2, g->log[i].held);
            bool ok = run_to(m2, g->log[i].end < at ? g->log[i].end : at);
            set_holds(m2, 0);
            if (!ok)
                goto diverged;
            continue;
        }
        step_cpu(m2, m2->cpus[g->log[i].cpu]);
    }
    if (!run_to(m2, at))
        goto diverged;
    if (watch_last)
        *watch_last = m2->sched.watch_last;
    m2->sched.watch_cpu = NULL;
    return m2;
diverged:
    snprintf(err, errlen, "re-execution did not reach the position (run diverged)");
    machine_free(m2);
    return NULL;
}

/* Back to just before the last instruction hart h executed. */
static bool reverse_step(struct gdbstub *g, int h, char *err, size_t errlen)
{
    struct machine *m = g->m;
    if (!reverse_allowed(g, err, errlen))
        return false;
    /* The hart's last instruction: found re-executing from the newest
     * snapshot; only when the hart executed nothing since then does it
     * need the whole history, from reset. */
    uint64_t last = UINT64_MAX;
    for (int pass = 0; pass < 2 && last == UINT64_MAX; pass++) {
        struct machine *m1 = rebuild(g, m->sched.executed, g->nlog, h, pass == 0, &last, err,
                                     errlen);
        if (!m1)
            return false;
        machine_free(m1);
    }
    long j = -1; /* the hart's last scheduler-locked step */
    for (size_t i = 0; i < g->nlog; i++)
        if (g->log[i].cpu == h)
            j = (long)i;
    uint64_t at;
    size_t keep;
    if (j >= 0 && (last == UINT64_MAX || g->log[j].at > last)) {
        at = g->log[j].at;
        keep = (size_t)j;
    } else if (last != UINT64_MAX) {
        at = last;
        keep = 0;
        while (keep < g->nlog && g->log[keep].at <= last)
            keep++;
    } else {
        snprintf(err, errlen, "hart %d has not executed an instruction yet", h);
        return false;
    }
    struct machine *m2 = rebuild(g, at, keep, -1, true, NULL, err, errlen);
    if (!m2)
        return false;
    adopt(g, m2, keep);
    return true;
}

/* Back to the most recent breakpoint stop before now (or to the start):
 * one re-run from reset with the breakpoints armed that notes where they
 * hit, then a re-run to the last of those positions. */
static bool reverse_continue(struct gdbstub *g, int *stop_cpu, char *err, size_t errlen)
{
    struct machine *m = g->m;
    if (!reverse_allowed(g, err, errlen))
        return false;
    uint64_t now = m->sched.executed, last = UINT64_MAX;
    int last_cpu = 0;
    size_t li;
    bool use_snap = true;
again:;
    struct machine *m1 = start_from(g, now, g->nlog, use_snap, &li, err, errlen);
    if (!m1)
        return false;
    for (int i = 0; i < m1->ncpus; i++) {
        m1->cpus[i]->bps = g->bp;
        m1->cpus[i]->nbps = g->nbp;
        m1->cpus[i]->bp_guest = g->guest;
    }
    uint64_t hold_end = 0; /* in a held continue of the log: until there */
    for (;;) {
        uint64_t next = hold_end ? (hold_end < now ? hold_end : now)
                                 : li < g->nlog ? g->log[li].at : now;
        if (m1->sched.executed < next) {
            m1->sched.stop_at = next;
            int rc = sched_run(m1);
            m1->sched.stop_at = 0;
            struct cpu *sc = m1->sched.stopped_cpu;
            m1->sched.stopped_cpu = NULL;
            if (rc != SCHED_DEBUG_STOP) {
                snprintf(err, errlen, "re-execution ended before the position (run diverged)");
                machine_free(m1);
                return false;
            }
            /* A breakpoint stop before now: also one at the position of a
             * logged step (gdb steps over the breakpoint it stopped at with
             * 's' before continuing, as on x86; there the run reaches the
             * step's position by its budget, before the breakpoint check). */
            if (sc && m1->sched.executed < now &&
                (m1->sched.executed < next || li < g->nlog || hold_end) &&
                cpu_bp_at(sc, sc->ops->get_pc(sc), false)) {
                last = m1->sched.executed; /* a breakpoint stop before now */
                last_cpu = sc->id;
                sc->bp_skip_pc = sc->ops->get_pc(sc);
                continue;
            }
        }
        if (hold_end && m1->sched.executed >= next) {
            set_holds(m1, 0);
            hold_end = 0;
            continue;
        }
        if (li < g->nlog && m1->sched.executed == g->log[li].at) {
            if (g->log[li].held) {
                set_holds(m1, g->log[li].held);
                hold_end = g->log[li].end;
            } else {
                step_cpu(m1, m1->cpus[g->log[li].cpu]);
            }
            li++;
            continue;
        }
        break;
    }
    machine_free(m1);
    if (last == UINT64_MAX && use_snap && g->nsnap) {
        use_snap = false; /* no stop after the snapshot: look from reset */
        goto again;
    }
    uint64_t at = last == UINT64_MAX ? 0 : last;
    size_t keep = 0;
    while (keep < g->nlog && g->log[keep].at < at)
        keep++;
    struct machine *m2 = rebuild(g, at, keep, -1, true, NULL, err, errlen);
    if (!m2)
        return false;
    adopt(g, m2, keep);
    *stop_cpu = last == UINT64_MAX ? 0 : last_cpu;
    g->hit_bp = last != UINT64_MAX;
    return true;
}

/* ---- packets ---- */

/* A breakpoint/watchpoint inserted in the CPUs' triggers (monitor hwtrig):
 * its index in g->hwt, -1 if none (len -1: any length). */
static int hwt_find(const struct gdbstub *g, int type, uint64_t addr, int64_t len)
{
    for (int i = 0; i < g->nhwt; i++)
        if (g->hwt[i].type == type && g->hwt[i].addr == addr && (len < 0 || g->hwt[i].len == (uint64_t)len))
            return i;
    return -1;
}

/* Z1-Z4 with `monitor hwtrig on`: the same trigger on every CPU (gdb's
 * breakpoints are global); z removes what Z inserted this way. Returns
 * the reply. */
static const char *hwt_packet(struct gdbstub *g, bool insert, int type, uint64_t addr, uint64_t len)
{
    struct machine *m = g->m;
    int i = hwt_find(g, type, addr, (int64_t)len);
    if (!insert) {
        if (i < 0)
            return NULL; /* not ours: the simulator's own breakpoint path */
        for (int k = 0; k < m->ncpus; k++)
            g->arch->hw_trigger(m->cpus[k], false, type, addr, len);
        g->hwt[i] = g->hwt[--g->nhwt];
        return "OK";
    }
    if (i >= 0)
        return "OK";
    if (g->nhwt == MAX_WP)
        return "E0e";
    for (int k = 0; k < m->ncpus; k++) {
        if (g->arch->hw_trigger(m->cpus[k], true, type, addr, len) != 0) {
            while (k-- > 0) /* all or nothing */
                g->arch->hw_trigger(m->cpus[k], false, type, addr, len);
            return "E0e";
        }
    }
    g->hwt[g->nhwt++] = (struct hwt_entry){ type, addr, len };
    return "OK";
}

/* The stop reply (GDB manual, "Stop Reply Packets") for a CPU that stopped
 * after a step, at a breakpoint or after a watchpoint (E.3 watch:ADDR). */
static void format_stop(struct gdbstub *g, int cpu_idx, char *r, size_t rl)
{
    struct cpu *c = cpu_at(g, cpu_idx);
    if (c && c->wp_hit) { /* E.3 stop reply: watch/rwatch/awatch:ADDR */
        static const char *const what[5] = { "", "", "watch", "rwatch", "awatch" };
        snprintf(r, rl, "T05thread:%x;%s:%llx;", cpu_idx + 1, what[c->wp_kind >= 2 && c->wp_kind <= 4 ? c->wp_kind : 2],
                 (unsigned long long)c->wp_addr);
        c->wp_hit = false;
        return;
    }
    snprintf(r, rl, "T05thread:%x;%s", cpu_idx + 1,
             g->hit_bp ? "swbreak:;" : c && hwt_find(g, 1, c->ops->get_pc(c), -1) >= 0 ? "hwbreak:;" : "");
}

static void reply_stop(struct gdbstub *g, int cpu_idx)
{
    char r[96];
    format_stop(g, cpu_idx, r, sizeof r);
    g->gcpu = cpu_idx;
    send_str(g, r);
}

static bool ns_packet(struct gdbstub *g, const char *p, size_t len);
static void ns_enter(struct gdbstub *g);

static void monitor(struct gdbstub *g, const char *cmd)
{
    char out[4096];
    size_t n = 0;
    struct machine *m = g->m;
    if (strcmp(cmd, "help") == 0) {
        n = (size_t)snprintf(out, sizeof out,
                             "monitor commands:\n  help                    this list\n"
                             "  vtime                   virtual time and instructions\n"
                             "  harts                   state of every hart\n"
                             "  break-on vmexit [REASON|CLASS]\n"
                             "                          stop after a VM exit (of that reason: a number\n"
                             "                          or its name as trace stats prints it, any case;\n"
                             "                          or class: hypercall, guest-page-fault...)\n"
                             "  break-on ipi [HART]     stop after an IPI is sent (to that hart)\n"
                             "  break-on off            no more of those\n"
                             "  guest ID|any            breakpoints fire only in that guest (VMID)\n"
                             "  phys on|off             m/M/X packets use physical addresses\n"
                             "  hwtrig on|off           hbreak/watch through the harts' Sdtrig triggers\n"
                             "  trace-mark TEXT         write a mark record into the trace\n");
    } else if (strncmp(cmd, "break-on ", 9) == 0) {
        /* vmexit ARG: a number (the raw reason), an exit class
         * (vmm_exit_class_name) or a reason's name as the trace tools
         * print it (arch_info.vm_exit_name), case-insensitive */
        char what[16] = "", arg[48] = "";
        int k = sscanf(cmd + 9, "%15s %47s", what, arg);
        char *end = NULL;
        unsigned long long v = k == 2 ? strtoull(arg, &end, 0) : 0;
        bool bad_arg = k == 2 && (!end || *end);
        int cls = k == 2 && bad_arg ? gdb_exit_class_by_name(arg) : -1;
        uint64_t named = 0;
        bool by_name = k == 2 && bad_arg && cls < 0 &&
                       gdb_exit_reason_by_name(g->arch_info, arg, &named);
        if (by_name)
            v = named;
        if (strcmp(what, "vmexit") == 0 && (!bad_arg || cls >= 0 || by_name)) {
            g->brk_vmexit = true;
            g->brk_vmexit_reason = k == 2 && cls < 0 ? v : UINT64_MAX;
            g->brk_vmexit_class = cls;
            if (k != 2) {
                n = (size_t)snprintf(out, sizeof out, "stopping after every vm.exit\n");
            } else if (cls >= 0) {
                n = (size_t)snprintf(out, sizeof out, "stopping after every vm.exit of class %s\n",
                                     vmm_exit_class_name((unsigned)cls));
            } else {
                const char *rn = g->arch_info->vm_exit_name ? g->arch_info->vm_exit_name(v) : NULL;
                n = (size_t)snprintf(out, sizeof out, "stopping after every vm.exit with reason %#llx%s%s%s\n",
                                     v, rn ? " (" : "", rn ? rn : "", rn ? ")" : "");
            }
        } else if (strcmp(what, "ipi") == 0 && !bad_arg && v < 64) {
            g->brk_ipi = true;
            g->brk_ipi_dest = k == 2 ? (int)v : -1;
            n = (size_t)snprintf(out, sizeof out, "stopping after every ipi.send%s%s\n",
                                 k == 2 ? " to hart " : "", k == 2 ? arg : "");
        } else if (strcmp(what, "off") == 0) {
            g->brk_vmexit = g->brk_ipi = false;
            n = (size_t)snprintf(out, sizeof out, "break-on cleared\n");
        } else {
            n = (size_t)snprintf(out, sizeof out,
                                 "usage: monitor break-on vmexit [REASON|CLASS] | ipi [HART] | off\n");
            if (strcmp(what, "vmexit") == 0 && k == 2) {
                n += (size_t)snprintf(out + n, sizeof out - n,
                                      "unknown vm.exit reason or class '%s'; REASON is a number or a name:\n",
                                      arg);
                n += gdb_exit_names(g->arch_info, out + n, sizeof out - n);
            }
        }
        arm_hook(g);
    } else if (strncmp(cmd, "guest ", 6) == 0) {
        char *end;
        unsigned long long v = strtoull(cmd + 6, &end, 0);
        if (strcmp(cmd + 6, "any") == 0) {
            g->guest = -1;
            n = (size_t)snprintf(out, sizeof out, "breakpoints fire in any mode\n");
        } else if (strncmp(cmd + 6, "vpid ", 5) == 0) {
            /* a guest tag (cpu_ops.guest_tag: x86's VPID, 16 bits) */
            const char *a = cmd + 11;
            unsigned long long t = strtoull(a, &end, 0);
            if (!m->cpus[0]->ops->guest_tag) {
                n = (size_t)snprintf(out, sizeof out,
                                     "this architecture has no VPIDs (monitor guest ID|any)\n");
            } else if (*end == 0 && end != a && *a != '-' && t <= 0xffff) {
                g->guest = CPU_GUEST_BY_TAG | (int64_t)t;
                n = (size_t)snprintf(out, sizeof out, "breakpoints fire only in guests with VPID %llu\n", t);
            } else {
                n = (size_t)snprintf(out, sizeof out, "usage: monitor guest vpid N (0 <= N <= 0xffff)\n");
            }
        } else if (*end == 0 && end != cmd + 6 && cmd[6] != '-' && v <= INT64_MAX) {
            g->guest = (int64_t)v; /* an id as the CPU's guest_id op reports it */
            n = (size_t)snprintf(out, sizeof out, "breakpoints fire only in guest %llu\n", v);
        } else {
            n = (size_t)snprintf(out, sizeof out, "usage: monitor guest ID|vpid N|any (RISC-V: ID = VMID; "
                                                  "x86: ID = the VMCS address, N = the VPID)\n");
        }
        arm_hook(g);
    } else if (strcmp(cmd, "hwtrig on") == 0 || strcmp(cmd, "hwtrig off") == 0) {
        if (!g->arch->hw_trigger) {
            n = (size_t)snprintf(out, sizeof out, "this architecture has no debug triggers\n");
        } else {
            g->hwtrig = cmd[8] == 'n';
            n = (size_t)snprintf(out, sizeof out, "hbreak/watch use %s (set before inserting them)\n",
                                 g->hwtrig ? "the harts' Sdtrig triggers" : "the simulator's breakpoints");
        }
    } else if (strcmp(cmd, "phys on") == 0 || strcmp(cmd, "phys off") == 0) {
        g->phys = cmd[6] == 'n';
        n = (size_t)snprintf(out, sizeof out, "memory accesses use %s addresses\n",
                             g->phys ? "physical" : "the hart's virtual");
    } else if (strncmp(cmd, "trace-mark ", 11) == 0) {
        if (m->trace) { /* a mark record with the text, at the stop's virtual time */
            const char *text = cmd + 11;
            struct trace_event ev = { .time = m->sched.round_start, .cpu = (uint32_t)g->gcpu,
                                      .kind = TK_MARK, .a = { g->marks++ },
                                      .blob = (const uint8_t *)text, .blob_len = strlen(text) };
            trace_emit(m->trace, &ev);
            n = (size_t)snprintf(out, sizeof out, "trace mark #%llu written\n",
                                 (unsigned long long)(g->marks - 1));
        } else {
            n = (size_t)snprintf(out, sizeof out, "no trace is being recorded (run with --trace)\n");
        }
    } else if (strcmp(cmd, "vtime") == 0) {
        n = (size_t)snprintf(out, sizeof out, "virtual time %llu ticks, %llu instructions\n",
                             (unsigned long long)m->sched.round_start,
                             (unsigned long long)m->sched.total_retired);
    } else if (strcmp(cmd, "harts") == 0) {
        for (int i = 0; i < m->ncpus && n < sizeof out - 200; i++) {
            char d[160];
            g->arch->describe(m->cpus[i], d, sizeof d);
            n += (size_t)snprintf(out + n, sizeof out - n, "%s, pc 0x%llx, %llu instructions\n", d,
                                  (unsigned long long)m->cpus[i]->ops->get_pc(m->cpus[i]),
                                  (unsigned long long)m->cpus[i]->retired);
        }
    } else {
        n = (size_t)snprintf(out, sizeof out, "unknown monitor command '%s' (try: monitor help)\n", cmd);
    }
    char *hex = malloc(2 * n + 2);
    hex[0] = 'O';
    rsp_hex_encode(out, n, hex + 1, 2 * n + 1);
    send_str(g, hex);
    free(hex);
    send_str(g, "OK");
}

static void handle(struct gdbstub *g, const char *p, size_t len)
{
    struct machine *m = g->m;
    struct cpu *c = cpu_at(g, g->gcpu);
    char *r = g->reply;
    uint64_t addr, n;

    if (g->non_stop && ns_packet(g, p, len))
        return;
    switch (p[0]) {
    case '?':
        reply_stop(g, g->gcpu);
        return;
    case 'q':
        if (strncmp(p, "qSupported", 10) == 0) {
            snprintf(r, sizeof g->reply, "PacketSize=%x;qXfer:features:read+;vContSupported+;"
                     "swbreak+;hwbreak+;QStartNoAckMode+;ReverseStep+;ReverseContinue+;QNonStop+",
                     RSP_MAX_PACKET);
            send_str(g, r);
        } else if (strncmp(p, "qXfer:features:read:", 20) == 0) {
            char annex[64];
            const char *colon = strchr(p + 20, ':');
            size_t al = colon ? (size_t)(colon - (p + 20)) : 0;
            uint64_t off, ln;
            if (!colon || al >= sizeof annex ||
                !rsp_parse_addr_len(colon + 1, strlen(colon + 1), &off, &ln)) {
                send_str(g, "E00");
                return;
            }
            memcpy(annex, p + 20, al);
            annex[al] = 0;
            size_t xl;
            const char *xml = g->arch->target_xml(c, annex, &xl);
            if (!xml) {
                send_str(g, "E00");
                return;
            }
            if (ln > RSP_MAX_PACKET - 16)
                ln = RSP_MAX_PACKET - 16;
            if (off >= xl) {
                send_str(g, "l");
                return;
            }
            size_t take = xl - off < ln ? xl - off : ln;
            r[0] = off + take >= xl ? 'l' : 'm';
            memcpy(r + 1, xml + off, take);
            send_packet(g, r, take + 1);
        } else if (strcmp(p, "qfThreadInfo") == 0) {
            size_t k = 0;
            r[k++] = 'm';
            for (int i = 0; i < m->ncpus; i++)
                k += (size_t)snprintf(r + k, sizeof g->reply - k, "%s%x", i ? "," : "", i + 1);
            send_packet(g, r, k);
        } else if (strcmp(p, "qsThreadInfo") == 0) {
            send_str(g, "l");
        } else if (strcmp(p, "qC") == 0) {
            snprintf(r, sizeof g->reply, "QC%x", g->gcpu + 1);
            send_str(g, r);
        } else if (strncmp(p, "qThreadExtraInfo,", 17) == 0) {
            long tid;
            struct cpu *t;
            if (!rsp_parse_thread_id(p + 17, &tid) || !(t = cpu_at(g, (int)tid - 1))) {
                send_str(g, "E01");
                return;
            }
            char d[160];
            g->arch->describe(t, d, sizeof d);
            rsp_hex_encode(d, strlen(d), r, sizeof g->reply);
            send_str(g, r);
        } else if (strcmp(p, "qAttached") == 0) {
            send_str(g, "1");
        } else if (strncmp(p, "qRcmd,", 6) == 0) {
            char cmd[256];
            size_t cl;
            if (!rsp_hex_decode(p + 6, strlen(p + 6), cmd, sizeof cmd - 1, &cl)) {
                send_str(g, "E01");
                return;
            }
            cmd[cl] = 0;
            monitor(g, cmd);
        } else {
            send_str(g, "");
        }
        return;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            send_str(g, "OK");
            g->noack = true;
        } else if (strcmp(p, "QNonStop:1") == 0 || strcmp(p, "QNonStop:0") == 0) {
            /* Entering non-stop leaves every CPU as it is (all stopped
             * here: the stub serves packets only while the machine is
             * stopped); gdbstub_run switches loops (GDB manual, "Remote
             * Non-Stop"). */
            if (p[9] == '1' && !g->non_stop)
                ns_enter(g);
            g->non_stop = p[9] == '1';
            send_str(g, "OK");
        } else {
            send_str(g, "");
        }
        return;
    case 'H': {
        long tid;
        if (len < 2 || !rsp_parse_thread_id(p + 2, &tid)) {
            send_str(g, "E01");
            return;
        }
        if (tid > 0 && !cpu_at(g, (int)tid - 1)) {
            send_str(g, "E02");
            return;
        }
        if (p[1] == 'g' && tid > 0)
            g->gcpu = (int)tid - 1;
        send_str(g, "OK");
        return;
    }
    case 'T': {
        long tid;
        send_str(g, rsp_parse_thread_id(p + 1, &tid) && cpu_at(g, (int)tid - 1) ? "OK" : "E01");
        return;
    }
    case 'g': {
        size_t k = 0;
        for (int i = 0; i < g->arch->g_nregs; i++) {
            uint8_t b[GDB_REG_MAX_BYTES];
            size_t nb;
            if (!g->arch->reg_read(c, i, b, &nb))
                break;
            k += rsp_hex_encode(b, nb, r + k, sizeof g->reply - k);
        }
        send_packet(g, r, k);
        return;
    }
    case 'G': { /* all 'g' registers, in order */
        /* Two passes: the whole packet is checked before any register is
         * written, so a malformed G changes nothing. */
        for (int pass = 0; pass < 2; pass++) {
            size_t off = 1;
            for (int i = 0; i < g->arch->g_nregs && off < len; i++) {
                uint8_t cur[GDB_REG_MAX_BYTES], b[GDB_REG_MAX_BYTES];
                size_t nb, got;
                if (!g->arch->reg_read(c, i, cur, &nb) || off + 2 * nb > len ||
                    !rsp_hex_decode(p + off, 2 * nb, b, sizeof b, &got) || got != nb) {
                    send_str(g, "E01");
                    return;
                }
                if (pass == 1)
                    g->arch->reg_write(c, i, b, nb); /* x0 and read-only ones ignore it */
                off += 2 * nb;
            }
        }
        send_str(g, "OK");
        return;
    }
    case 'p': {
        uint64_t regnum;
        uint8_t b[GDB_REG_MAX_BYTES];
        size_t nb;
        if (!rsp_parse_hex_u64(p + 1, len - 1, &regnum) || regnum > 100000 ||
            !g->arch->reg_read(c, (int)regnum, b, &nb)) {
            send_str(g, "E01");
            return;
        }
        rsp_hex_encode(b, nb, r, sizeof g->reply);
        send_str(g, r);
        return;
    }
    case 'P': {
        const char *eq = memchr(p, '=', len);
        uint64_t regnum;
        uint8_t b[GDB_REG_MAX_BYTES];
        size_t nb;
        if (!eq || !rsp_parse_hex_u64(p + 1, (size_t)(eq - p - 1), &regnum) || regnum > 100000 ||
            !rsp_hex_decode(eq + 1, len - (size_t)(eq + 1 - p), b, sizeof b, &nb) ||
            !g->arch->reg_write(c, (int)regnum, b, nb)) {
            send_str(g, "E01");
            return;
        }
        send_str(g, "OK");
        return;
    }
    case 'm': {
        if (!rsp_parse_addr_len(p + 1, len - 1, &addr, &n) || n > RSP_MAX_PACKET / 2 - 8) {
            send_str(g, "E01");
            return;
        }
        uint8_t *buf = malloc(n ? n : 1);
        if (!mem_access(g, c, addr, buf, n, false))
            send_str(g, "E14");
        else {
            rsp_hex_encode(buf, n, r, sizeof g->reply);
            send_str(g, r);
        }
        free(buf);
        return;
    }
    case 'M': case 'X': {
        uint8_t *buf = malloc(RSP_MAX_PACKET);
        const uint8_t *data = buf;
        bool ok = p[0] == 'M' ? rsp_parse_mem_write(p + 1, len - 1, &addr, &n, buf, RSP_MAX_PACKET)
                              : rsp_parse_mem_write_bin(p + 1, len - 1, &addr, &n, &data);
        if (ok && data != buf)
            memcpy(buf, data, n);
        send_str(g, ok && n <= RSP_MAX_PACKET && mem_access(g, c, addr, buf, n, true) ? "OK" : "E01");
        free(buf);
        return;
    }
    case 'Z': case 'z': {
        uint64_t kind;
        if (len >= 4 && p[1] >= '2' && p[1] <= '4' && p[2] == ',' &&
            rsp_parse_addr_len(p + 3, len - 3, &addr, &kind) && kind > 0 && kind <= 4096) {
            /* Z2 write / Z3 read / Z4 access watchpoint over [addr, addr+kind) */
            int type = p[1] - '0';
            const char *hw;
            if ((g->hwtrig || p[0] == 'z') && g->arch->hw_trigger &&
                (hw = hwt_packet(g, p[0] == 'Z', type, addr, kind)) != NULL) {
                send_str(g, hw);
                return;
            }
            int i;
            for (i = 0; i < g->nwp; i++)
                if (g->wp[i].addr == addr && g->wp[i].len == kind && g->wp[i].kind == type)
                    break;
            if (p[0] == 'Z' && i == g->nwp) {
                if (g->nwp == MAX_WP) {
                    send_str(g, "E0e");
                    return;
                }
                g->wp[g->nwp++] = (struct cpu_watch){ .addr = addr, .len = kind, .kind = type };
            } else if (p[0] == 'z' && i < g->nwp) {
                g->wp[i] = g->wp[--g->nwp];
            }
            arm_hook(g);
            send_str(g, "OK");
            return;
        }
        /* Z0/Z1: software/hardware breakpoint at addr (both: a pc compare) */
        if (len < 4 || (p[1] != '0' && p[1] != '1') || p[2] != ',' ||
            !rsp_parse_addr_len(p + 3, len - 3, &addr, &kind)) {
            send_str(g, "");
            return;
        }
        if (p[1] == '1' && (g->hwtrig || p[0] == 'z') && g->arch->hw_trigger) {
            const char *hw = hwt_packet(g, p[0] == 'Z', 1, addr, 1);
            if (hw) {
                send_str(g, hw);
                return;
            }
        }
        if (p[0] == 'Z') {
            bool have = false;
            for (int i = 0; i < g->nbp; i++)
                have |= g->bp[i] == addr;
            if (!have && g->nbp == MAX_BP) {
                send_str(g, "E0e");
                return;
            }
            if (!have)
                g->bp[g->nbp++] = addr;
        } else {
            for (int i = 0; i < g->nbp; i++)
                if (g->bp[i] == addr)
                    g->bp[i--] = g->bp[--g->nbp];
        }
        send_str(g, "OK");
        return;
    }
    case 'c':
        g->resume = true;
        return;
    case 'b':
        if (len == 2 && p[1] == 's') { /* reverse-stepi on the current thread */
            char err[160];
            if (reverse_step(g, g->gcpu, err, sizeof err)) {
                g->hit_bp = false;
                reply_stop(g, g->gcpu);
            } else {
                fprintf(stderr, "hvsim: gdb: reverse-stepi: %s\n", err);
                send_str(g, "E01");
            }
        } else if (len == 2 && p[1] == 'c') { /* reverse-continue */
            char err[160];
            int cpu;
            if (reverse_continue(g, &cpu, err, sizeof err)) {
                reply_stop(g, cpu);
            } else {
                fprintf(stderr, "hvsim: gdb: reverse-continue: %s\n", err);
                send_str(g, "E01");
            }
        } else {
            send_str(g, "");
        }
        return;
    case 's':
        g->step = true;
        g->step_cpu = g->gcpu;
        return;
    case 'v':
        if (strcmp(p, "vCont?") == 0) {
            send_str(g, "vCont;c;C;s;S");
        } else if (strncmp(p, "vCont;", 6) == 0) {
            /* Per thread, the leftmost action whose thread-id matches it
             * applies (GDB manual, "vCont"); an action without one matches
             * every thread. A step steps that one CPU (scheduler-locked);
             * CPUs left without an action stay stopped while the ones with
             * `c` run (gdb's set scheduler-locking on). */
            char act[CONFIG_MAX_CPUS] = { 0 };
            const char *a = p + 5;
            bool bad = false;
            while (a && *a == ';') {
                char kind = a[1];
                const char *colon = strchr(a + 1, ':'), *next = strchr(a + 1, ';');
                long tid = -1;
                if (colon && (!next || colon < next) &&
                    !rsp_parse_thread_id_n(colon + 1, (size_t)((next ? next : a + strlen(a)) - colon - 1), &tid))
                    bad = true;
                if (kind == 'S')
                    kind = 's';
                if (kind == 'C')
                    kind = 'c';
                if (kind != 's' && kind != 'c') {
                    bad = true;
                    break;
                }
                for (int i = 0; i < m->ncpus && i < CONFIG_MAX_CPUS; i++)
                    if (!act[i] && (tid <= 0 || tid - 1 == i))
                        act[i] = kind;
                a = next;
            }
            if (bad) {
                send_str(g, "E01");
                return;
            }
            int stepper = -1, nc = 0;
            for (int i = 0; i < m->ncpus; i++) {
                if (act[i] == 's' && stepper < 0)
                    stepper = i;
                nc += act[i] == 'c';
            }
            if (stepper >= 0) {
                g->step = true;
                g->step_cpu = stepper;
            } else {
                g->resume = true;
                g->holding = nc > 0 && nc < m->ncpus;
                for (int i = 0; i < m->ncpus; i++)
                    g->hold[i] = g->holding && act[i] != 'c';
            }
        } else if (strncmp(p, "vKill", 5) == 0) {
            g->kill = true;
            send_str(g, "OK");
        } else {
            send_str(g, "");
        }
        return;
    case 'D':
        send_str(g, "OK");
        g->detach = true;
        return;
    case 'k':
        g->kill = true;
        return;
    default:
        send_str(g, "");
    }
}

static bool on_packet(void *opaque, enum rsp_event ev, const char *payload, size_t len)
{
    struct gdbstub *g = opaque;
    switch (ev) {
    case RSP_EV_PACKET:
        send_ack(g, '+');
        handle(g, payload, len);
        return !(g->resume || g->step || g->detach || g->kill || (g->non_stop && !g->ns_live));
    case RSP_EV_BAD_CHECKSUM: case RSP_EV_MALFORMED: case RSP_EV_OVERSIZE:
        send_ack(g, '-');
        return true;
    default:
        return true;
    }
}

/* ---- lifetime and the main loop ---- */

struct gdbstub *gdbstub_new(struct machine *m, int port, bool wait, char *err, size_t errlen)
{
    if (m->ncpus < 1) {
        snprintf(err, errlen, "--gdb: the machine has no CPU");
        return NULL;
    }
    unsigned arch_id = m->cpus[0]->ops->arch;
    const struct arch_info *ai = arch_by_id(arch_id);
    if (!ai || !ai->gdb) {
        if (ai)
            snprintf(err, errlen, "--gdb: no gdb support for the %s architecture", ai->name);
        else
            snprintf(err, errlen, "--gdb: no gdb support for CPU architecture %u", arch_id);
        return NULL;
    }
    for (int i = 1; i < m->ncpus; i++)
        if (m->cpus[i]->ops->arch != arch_id) {
            snprintf(err, errlen, "--gdb: CPUs of different architectures (%s and %u)", ai->name,
                     m->cpus[i]->ops->arch);
            return NULL;
        }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, errlen, "--gdb: socket: %s", strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) {
        snprintf(err, errlen, "--gdb %d: cannot listen on 127.0.0.1:%d: %s", port, port,
                 strerror(errno));
        close(fd);
        return NULL;
    }
    struct gdbstub *g = calloc(1, sizeof(*g));
    g->m = m;
    g->arch_info = ai;
    g->arch = ai->gdb;
    g->brk_vmexit_class = -1;
    g->lfd = fd;
    g->cfd = -1;
    g->wait = wait;
    g->guest = -1;
    rsp_decoder_init(&g->dec, 0);
    m->gdb_poll = round_poll;
    m->gdb_opaque = g;
    fprintf(stderr, "hvsim: gdb stub on 127.0.0.1:%d%s\n", port,
            wait ? ", waiting for gdb (target remote :PORT)" : "");
    return g;
}

struct machine *gdbstub_machine(const struct gdbstub *g)
{
    return g->m;
}

void gdbstub_free(struct gdbstub *g)
{
    if (!g)
        return;
    if (g->cfd >= 0)
        close(g->cfd);
    close(g->lfd);
    tap_remove(g);
    g->m->gdb_poll = NULL;
    g->m->sched.debug_stop = NULL;
    while (g->nsnap)
        drop_snapshot(g, g->nsnap - 1);
    free(g->log);
    free(g);
}

static bool accept_client(struct gdbstub *g, bool block)
{
    struct pollfd p = { .fd = g->lfd, .events = POLLIN };
    if (poll(&p, 1, block ? -1 : 0) <= 0)
        return false;
    int fd = accept(g->lfd, NULL, NULL);
    if (fd < 0)
        return false;
    if (g->cfd >= 0) { /* one debugger at a time */
        static const char busy[] = "$E01#a6";
        if (write(fd, busy, sizeof busy - 1) < 0) { /* nothing to do */ }
        close(fd);
        return false;
    }
    g->cfd = fd;
    g->noack = false;
    rsp_decoder_reset(&g->dec);
    return true;
}

/* Serve packets while stopped, until gdb resumes, steps, detaches or kills. */
static void serve(struct gdbstub *g)
{
    g->resume = g->step = g->detach = g->kill = false;
    while (g->cfd >= 0 && !g->resume && !g->step && !g->detach && !g->kill && !g->non_stop) {
        struct pollfd p[2] = { { .fd = g->cfd, .events = POLLIN }, { .fd = g->lfd, .events = POLLIN } };
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents & POLLIN)
            accept_client(g, false); /* a second debugger: refused */
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char buf[4096];
        ssize_t n = read(g->cfd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(g->cfd);
            g->cfd = -1;
            break;
        }
        size_t used = rsp_feed(&g->dec, buf, (size_t)n, on_packet, NULL, g);
        if (used < (size_t)n)
            rsp_feed(&g->dec, buf + used, (size_t)n - used, on_packet, NULL, g); /* rare */
    }
}

/* ---- non-stop mode (GDB manual, "Remote Non-Stop", "Notification Packets")
 * CPUs that gdb sees running run; the others are held (struct sched.held,
 * the same hold as scheduler-locking's). The socket is looked at once a
 * round; when a packet is there the scheduler pauses between rounds
 * (sched.pause) and the packets are served with the machine consistent.
 * A breakpoint or watchpoint stops only its CPU. Each stop reply is queued;
 * one goes out as a %Stop notification and the rest as the answers to
 * gdb's vStopped acknowledgements. */

#define NS_ALL_STOP (-2) /* ns_run_loop: back to all-stop, every CPU stopped */
#define NS_RELEASED (-3) /* ns_run_loop: gdb left; every CPU runs */

static void send_notification(struct gdbstub *g, const char *payload)
{
    send_framed(g, payload, strlen(payload), '%');
}

static void ns_queue(struct gdbstub *g, const char *reply)
{
    int cap = (int)(sizeof g->ns_q / sizeof g->ns_q[0]);
    if (g->ns_count == cap) { /* (only a client that never acknowledges) */
        g->ns_head = (g->ns_head + 1) % cap;
        g->ns_count--;
    }
    snprintf(g->ns_q[(g->ns_head + g->ns_count) % cap], sizeof g->ns_q[0], "%s", reply);
    g->ns_count++;
}

/* CPU i stopped with this reply. */
static void ns_stopped(struct gdbstub *g, int i, const char *reply)
{
    g->ns_run[i] = false;
    snprintf(g->ns_last[i], sizeof g->ns_last[i], "%s", reply);
    ns_queue(g, reply);
}

/* A notification for the oldest stop reply, unless one awaits vStopped. */
static void ns_notify(struct gdbstub *g)
{
    if (g->ns_inflight || g->cfd < 0)
        return;
    for (int i = 0; i < g->m->ncpus && g->ns_defer; i++) /* after a '?' sequence */
        if (g->ns_defer >> i & 1) {
            g->ns_defer &= ~(1ull << i);
            if (!g->ns_run[i])
                ns_queue(g, g->ns_last[i]);
        }
    if (!g->ns_count)
        return;
    char n[128];
    snprintf(n, sizeof n, "Stop:%s", g->ns_q[g->ns_head]);
    send_notification(g, n);
    g->ns_inflight = true;
}

/* Packets whose meaning differs in non-stop mode; false: not one of them. */
static bool ns_packet(struct gdbstub *g, const char *p, size_t len)
{
    struct machine *m = g->m;
    int cap = (int)(sizeof g->ns_q / sizeof g->ns_q[0]);
    if (strcmp(p, "?") == 0) {
        /* A new sequence of every stopped CPU's stop reply, "OK" when all
         * run. The manual sends them all in the sequence (the first as the
         * answer, the others for vStopped); gdb 13.1 fails an assertion
         * (remote.c "wait: !async_event_handler_marked") when the answer
         * to '?' queues more than one, so only the first stopped CPU is in
         * the sequence and each other one follows as a %Stop notification
         * once the sequence is done (docs/gdb.md "Non-stop mode"). */
        g->ns_head = g->ns_count = 0;
        g->ns_defer = 0;
        for (int i = 0; i < m->ncpus; i++)
            if (!g->ns_run[i] && !g->ns_count)
                ns_queue(g, g->ns_last[i]);
            else if (!g->ns_run[i])
                g->ns_defer |= 1ull << i;
        g->ns_inflight = g->ns_count > 0;
        send_str(g, g->ns_count ? g->ns_q[g->ns_head] : "OK");
        return true;
    }
    if (strcmp(p, "vStopped") == 0) { /* the reply sent last is acknowledged */
        if (g->ns_count) {
            g->ns_head = (g->ns_head + 1) % cap;
            g->ns_count--;
        }
        g->ns_inflight = g->ns_count > 0;
        send_str(g, g->ns_count ? g->ns_q[g->ns_head] : "OK");
        return true;
    }
    if (strcmp(p, "vCont?") == 0) {
        send_str(g, "vCont;c;C;s;S;t");
        return true;
    }
    if (strcmp(p, "vCtrlC") == 0) { /* stop every running CPU, as a Ctrl-C */
        for (int i = 0; i < m->ncpus; i++)
            if (g->ns_run[i]) {
                char r[32];
                snprintf(r, sizeof r, "T02thread:%x;", i + 1);
                ns_stopped(g, i, r);
            }
        send_str(g, "OK");
        return true;
    }
    if (strncmp(p, "vCont;", 6) != 0)
        return false;
    /* vCont: per thread the leftmost matching action; threads without one
     * keep running or stay stopped. c: run, s: one instruction then a
     * stop reply, t: stop with signal 0 (T00) if it runs. Answer "OK". */
    char act[CONFIG_MAX_CPUS] = { 0 };
    const char *a = p + 5;
    while (a && *a == ';') {
        char kind = a[1];
        const char *colon = strchr(a + 1, ':'), *next = strchr(a + 1, ';');
        long tid = -1;
        if (colon && (!next || colon < next) &&
            !rsp_parse_thread_id_n(colon + 1, (size_t)((next ? next : a + strlen(a)) - colon - 1), &tid)) {
            send_str(g, "E01");
            return true;
        }
        kind = kind == 'S' ? 's' : kind == 'C' ? 'c' : kind;
        if (kind != 's' && kind != 'c' && kind != 't') {
            send_str(g, "E01");
            return true;
        }
        for (int i = 0; i < m->ncpus; i++)
            if (!act[i] && (tid <= 0 || tid - 1 == i))
                act[i] = kind;
        a = next;
    }
    (void)len;
    send_str(g, "OK");
    for (int i = 0; i < m->ncpus; i++) {
        struct cpu *c = m->cpus[i];
        if (act[i] == 'c' && !g->ns_run[i]) {
            c->bp_skip_pc = c->ops->get_pc(c); /* resume over a breakpoint it stands on */
            g->ns_run[i] = true;
        } else if (act[i] == 's' && !g->ns_run[i]) {
            g->ns_step[i] = true;
        } else if (act[i] == 't' && g->ns_run[i]) {
            char r[32];
            snprintf(r, sizeof r, "T00thread:%x;", i + 1);
            ns_stopped(g, i, r);
        }
    }
    return true;
}

/* QNonStop:1 (the machine is stopped): every CPU stopped, nothing queued. */
static void ns_enter(struct gdbstub *g)
{
    g->ns_head = g->ns_count = 0;
    g->ns_inflight = false;
    g->ns_defer = 0;
    for (int i = 0; i < g->m->ncpus; i++) {
        g->ns_run[i] = g->ns_step[i] = false;
        snprintf(g->ns_last[i], sizeof g->ns_last[i], "T00thread:%x;", i + 1);
    }
}

/* Reads and serves what the client sent (waits for it when block). */
static void ns_serve(struct gdbstub *g, bool block)
{
    struct pollfd p[2] = { { .fd = g->cfd, .events = POLLIN }, { .fd = g->lfd, .events = POLLIN } };
    if (g->cfd < 0 || poll(p, 2, block ? -1 : 0) <= 0)
        return;
    if (p[1].revents & POLLIN)
        accept_client(g, false); /* a second debugger: refused */
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    char buf[4096];
    ssize_t n = read(g->cfd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        close(g->cfd);
        g->cfd = -1;
        return;
    }
    size_t used = 0;
    while (used < (size_t)n && !g->detach && !g->kill)
        used += rsp_feed(&g->dec, buf + used, (size_t)n - used, on_packet, NULL, g);
}

/* The non-stop loop. Returns the machine's exit status, or NS_ALL_STOP /
 * NS_RELEASED. */
static int ns_run_loop(struct gdbstub *g)
{
    g->ns_live = true;
    for (;;) {
        struct machine *m = g->m;
        for (int i = 0; i < m->ncpus; i++) {
            if (!g->ns_step[i])
                continue;
            g->ns_step[i] = false;
            arm_hook(g);
            record_resume(g); /* (no reverse execution in non-stop: only recorded) */
            record_sched(g, m->sched.executed, 0, 0, i, 0, -1);
            step_cpu(m, m->cpus[i]);
            g->hit_bp = false;
            char r[96];
            format_stop(g, i, r, sizeof r);
            ns_stopped(g, i, r);
        }
        ns_notify(g);
        if (g->kill) {
            g->ns_live = false;
            machine_request_exit(m, EXIT_PASS, "killed from gdb");
            return m->exit_code;
        }
        if (g->detach || g->cfd < 0 || !g->non_stop) {
            bool back = g->cfd >= 0 && !g->detach; /* QNonStop:0: every CPU stops */
            g->ns_live = false;
            g->non_stop = false;
            if (!back) {
                g->nbp = 0;
                if (g->cfd >= 0)
                    close(g->cfd);
                g->cfd = -1;
            }
            return back ? NS_ALL_STOP : NS_RELEASED;
        }
        uint64_t held = 0;
        for (int i = 0; i < m->ncpus; i++)
            held |= (uint64_t)!g->ns_run[i] << i;
        if (held == (m->ncpus >= 64 ? ~0ull : (1ull << m->ncpus) - 1)) {
            ns_serve(g, true); /* every CPU stopped: only gdb can change that */
            continue;
        }
        g->stop_now = false;
        g->hit_bp = false;
        arm_hook(g);
        m->sched.stopped_cpu = NULL;
        set_holds(m, held);
        record_resume(g);
        uint64_t at = m->sched.executed;
        int rc = sched_run(m);
        set_holds(m, 0);
        m->sched.debug_stop = NULL;
        m->sched.pause = false;
        if (rc == SCHED_DEBUG_STOP && held) {
            /* The hold, for the trace: to a position (a breakpoint stop), or
             * to the start of a round (a pause for gdb's packets: no
             * position names it when no instruction ran; addr = that
             * round + 1). */
            uint64_t round_end = m->sched.stopped_cpu ? 0 : m->sched.rounds + 1;
            record_sched(g, at, m->sched.executed, held, -1, round_end, -1);
        }
        if (rc == SCHED_DEBUG_STOP) {
            struct cpu *sc = m->sched.stopped_cpu;
            m->sched.stopped_cpu = NULL;
            if (sc) { /* a breakpoint, a watchpoint or a break-on: that CPU stops */
                g->hit_bp = cpu_bp_at(sc, sc->ops->get_pc(sc), false) && !g->stop_now;
                char r[96];
                format_stop(g, sc->id, r, sizeof r);
                ns_stopped(g, sc->id, r);
                g->stop_now = false;
            }
            ns_serve(g, false);
            continue;
        }
        /* the machine ended: "W" as a notification; wait (a little) for
         * gdb's acknowledgement before the connection closes */
        g->ns_live = false;
        machine_flush(m);
        char w[16];
        snprintf(w, sizeof w, "W%02x", rc & 0xff);
        ns_queue(g, w);
        ns_notify(g);
        for (int k = 0; k < 50 && g->cfd >= 0 && g->ns_count; k++) {
            struct pollfd p = { .fd = g->cfd, .events = POLLIN };
            if (poll(&p, 1, 100) > 0)
                ns_serve(g, false);
        }
        return rc;
    }
}

int gdbstub_run(struct gdbstub *g)
{
    struct machine *m = g->m;
    bool stopped = g->wait;
    if (g->wait)
        accept_client(g, true);
    for (;;) {
        if (g->cfd < 0 && !stopped)
            accept_client(g, false);
        if (g->cfd >= 0 && stopped) {
            serve(g);
            m = g->m; /* a reverse step may have replaced the machine */
            if (g->non_stop && g->cfd >= 0 && !g->kill && !g->detach) {
                int rc = ns_run_loop(g);
                m = g->m;
                if (rc >= 0)
                    return rc;
                stopped = rc == NS_ALL_STOP; /* QNonStop:0 (else: gone or detached) */
                continue;
            }
            if (g->kill) {
                machine_request_exit(m, EXIT_PASS, "killed from gdb");
                return m->exit_code;
            }
            if (g->detach || g->cfd < 0) {
                g->nbp = 0;
                g->cfd >= 0 ? (void)close(g->cfd) : (void)0;
                g->cfd = -1;
            }
            if (g->step && g->cfd >= 0) {
                arm_hook(g);
                struct cpu *c = cpu_at(g, g->step_cpu);
                if (c)
                    step_one(g, c);
                g->hit_bp = false;
                reply_stop(g, c ? g->step_cpu : g->gcpu);
                continue; /* still stopped */
            }
        }
        /* run until a breakpoint, Ctrl-C, or the end */
        g->stop_now = false;
        g->hit_bp = false;
        for (int i = 0; i < m->ncpus; i++) /* resume over a breakpoint we stand on */
            m->cpus[i]->bp_skip_pc = m->cpus[i]->ops->get_pc(m->cpus[i]);
        arm_hook(g);
        record_resume(g); /* (arm_hook flushed the TLBs) */
        m->sched.stopped_cpu = NULL;
        uint64_t hold_mask = 0, hold_at = m->sched.executed;
        if (g->holding) { /* vCont;c:TID: the others stay where they are */
            for (int i = 0; i < m->ncpus; i++)
                hold_mask |= (uint64_t)g->hold[i] << i;
            set_holds(m, hold_mask);
        }
        int rc = sched_run(m);
        m->sched.debug_stop = NULL;
        if (g->holding) {
            set_holds(m, 0);
            log_hold(g, hold_at, m->sched.executed, hold_mask);
            g->holding = false;
        }
        if (rc == SCHED_DEBUG_STOP) {
            struct cpu *sc = m->sched.stopped_cpu;
            m->sched.stopped_cpu = NULL;
            g->hit_bp = sc && cpu_bp_at(sc, sc->ops->get_pc(sc), false) && !g->stop_now;
            stopped = true;
            g->stop_now = false;
            if (g->cfd >= 0)
                reply_stop(g, sc ? sc->id : 0);
            continue;
        }
        machine_flush(m);
        if (g->cfd >= 0) {
            char r[16];
            snprintf(r, sizeof r, "W%02x", rc & 0xff);
            send_str(g, r);
        }
        return rc;
    }
}

/* ---- replay of a recorded session's schedule changes ---- */

/* The round hook's poll in a replay: pause before round `round` starts. */
struct round_pause {
    struct machine *m;
    uint64_t round;
};

static void pause_at_round(void *opaque)
{
    struct round_pause *rp = opaque;
    if (rp->m->sched.rounds >= rp->round)
        rp->m->sched.pause = true;
}

/* Runs m until the start of round r, where a non-stop session paused. */
static bool run_to_round(struct machine *m, uint64_t r)
{
    if (m->sched.rounds > r || (m->sched.rounds == r && !m->sched.in_round))
        return m->sched.rounds == r;
    struct round_pause rp = { m, r };
    m->gdb_poll = pause_at_round;
    m->gdb_opaque = &rp;
    int rc = sched_run(m);
    m->gdb_poll = NULL;
    m->gdb_opaque = NULL;
    m->sched.stopped_cpu = NULL;
    return rc == SCHED_DEBUG_STOP && m->sched.rounds == r;
}

int gdbstub_replay_schedule(struct machine *m, const struct gdb_sched_entry *e, size_t n,
                            char *err, size_t errlen)
{
    uint64_t *bps = calloc(n + 1, sizeof *bps); /* the breakpoints armed now */
    int rc = EXIT_HOST_ERROR;
    for (size_t i = 0; i < n; i++) {
        /* (a breakpoint of the session stops the run exactly at the
         * position of the resume that followed it) */
        bool ok = run_to(m, e[i].at);
        if (ok)
            for (int k = 0; k < m->ncpus; k++) /* as the stub's arm_hook at each resume */
                m->cpus[k]->ops->flush_tlb(m->cpus[k]);
        if (ok && !e[i].held && e[i].cpu < 0) { /* a resume: its breakpoint records */
            size_t nb = 0;
            while (nb < e[i].end && i + nb < n && e[i + nb].at == e[i].at && e[i + nb].cpu < 0 &&
                   !e[i + nb].held) {
                bps[nb] = e[i + nb].addr;
                nb++;
            }
            i += nb ? nb - 1 : 0;
            for (int k = 0; k < m->ncpus; k++) {
                struct cpu *c = m->cpus[k];
                c->bps = bps;
                c->nbps = (int)nb;
                c->bp_guest = (int64_t)e[i].guest;
                c->bp_skip_pc = c->ops->get_pc(c); /* resume over a breakpoint it stands on */
            }
        } else if (ok && e[i].held && e[i].addr) { /* a non-stop hold to a round's start */
            set_holds(m, e[i].held);
            ok = run_to_round(m, e[i].addr - 1) && m->sched.executed == e[i].end;
            set_holds(m, 0);
        } else if (ok && e[i].held) {
            set_holds(m, e[i].held);
            ok = run_to(m, e[i].end);
            set_holds(m, 0);
        } else if (ok) {
            if (e[i].cpu >= m->ncpus) {
                snprintf(err, errlen, "gdb.sched record %zu names cpu %d (the machine has %d)", i,
                         e[i].cpu, m->ncpus);
                goto out;
            }
            step_cpu(m, m->cpus[e[i].cpu]);
        }
        if (!ok) {
            if (m->exit_requested)
                break; /* the run ended first: the comparison tells */
            snprintf(err, errlen, "the replay did not reach schedule position %llu of gdb.sched "
                     "record %zu", (unsigned long long)(e[i].held ? e[i].end : e[i].at), i);
            goto out;
        }
    }
    rc = m->exit_requested ? m->exit_code : sched_run(m);
    while (rc == SCHED_DEBUG_STOP) { /* a breakpoint the session went on from */
        struct cpu *sc = m->sched.stopped_cpu;
        m->sched.stopped_cpu = NULL;
        if (sc)
            sc->bp_skip_pc = sc->ops->get_pc(sc);
        rc = sched_run(m);
    }
    machine_flush(m);
out:
    for (int k = 0; k < m->ncpus; k++) {
        m->cpus[k]->bps = NULL;
        m->cpus[k]->nbps = 0;
    }
    free(bps);
    return rc;
}
