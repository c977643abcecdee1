/* Replay with rr-style divergence diagnosis (docs/trace-format.md):
 * every event the replayed machine emits is compared with the next event of
 * the recording. At the first difference the replay keeps running to the
 * next check record, whose architectural state and page hashes are compared
 * with the recording's to say which register or page differs first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../devices/console.h"
#include "../sim/machine.h"
#include "archnames.h"
#include "emit.h"
#include "record.h"
#include "replay.h"
#include "../gdbstub/gdbstub.h"

struct replayer {
    struct trace t;              /* first: m->trace points here */
    struct machine *m;
    const struct arch_info *arch; /* the recording's (names check-record state) */
    struct trace_reader *r;
    uint64_t index;              /* records compared */
    bool diverged, reported, ended_early;
    struct trace_event rec_ev, rep_ev;
    char why[256];
    char state_diff[256];
    uint8_t *rec_blob;           /* copy of the recording's event blob */
    size_t rec_blob_len;
    char err[256];
    bool read_error;
};

/* Reads the recording's next event into p->rec_ev (blob copied). */
static int next_recorded(struct replayer *p)
{
    int rc;
    /* marks were written by a debugger in the recorded session (monitor
     * trace-mark): not part of what the machine does */
    do
        rc = trace_reader_next(p->r, &p->rec_ev, p->err, sizeof p->err);
    while (rc == 1 && (p->rec_ev.kind == TK_MARK || p->rec_ev.kind == TK_GDB_SCHED));
    if (rc < 0)
        p->read_error = true;
    if (rc == 1 && p->rec_ev.blob_len) {
        p->rec_blob = realloc(p->rec_blob, p->rec_ev.blob_len);
        memcpy(p->rec_blob, p->rec_ev.blob, p->rec_ev.blob_len);
        p->rec_blob_len = p->rec_ev.blob_len;
        p->rec_ev.blob = p->rec_blob;
    }
    return rc;
}

static void compare_sink(void *opaque, const struct trace_event *ev)
{
    struct replayer *p = opaque;
    if (ev->kind == TK_MARK || ev->kind == TK_GDB_SCHED)
        return; /* a debugger's mark during the replay: not the machine's doing */
    if (p->diverged) {
        /* Looking for the check record that follows the divergence. */
        if (ev->kind != TK_CHECK)
            return;
        int rc;
        while ((rc = next_recorded(p)) == 1)
            if (p->rec_ev.kind == TK_CHECK && p->rec_ev.a[0] == ev->a[0])
                break;
        if (rc == 1 && !trace_check_diff(p->arch, p->rec_ev.blob, p->rec_ev.blob_len,
                                         ev->blob, ev->blob_len, p->state_diff,
                                         sizeof p->state_diff))
            snprintf(p->state_diff, sizeof p->state_diff,
                     "none at check #%llu (the state converged again)",
                     (unsigned long long)ev->a[0]);
        else if (rc != 1)
            snprintf(p->state_diff, sizeof p->state_diff,
                     "unknown: the recording has no check #%llu", (unsigned long long)ev->a[0]);
        machine_request_exit(p->m, EXIT_GUEST_FAIL, "replay diverged");
        p->reported = true;
        return;
    }
    int rc = next_recorded(p);
    p->index++;
    p->rep_ev = *ev;
    if (rc != 1) {
        p->diverged = true;
        p->ended_early = true;
        snprintf(p->why, sizeof p->why, "%s",
                 rc < 0 ? p->err : "the recording ends here but the replay goes on");
        machine_request_exit(p->m, EXIT_GUEST_FAIL, "replay diverged");
        return;
    }
    bool same = trace_event_equal(&p->rec_ev, ev);
    if (ev->kind == TK_CHECK && p->rec_ev.kind == TK_CHECK &&
        trace_check_diff(p->arch, p->rec_ev.blob, p->rec_ev.blob_len, ev->blob, ev->blob_len,
                         p->state_diff, sizeof p->state_diff))
        same = false;
    if (!same) {
        p->diverged = true;
        snprintf(p->why, sizeof p->why, "record %llu differs", (unsigned long long)p->index);
        if (ev->kind == TK_CHECK && p->rec_ev.kind == TK_CHECK) {
            machine_request_exit(p->m, EXIT_GUEST_FAIL, "replay diverged");
            p->reported = true;
        }
        if (!(p->t.mask >> TK_CHECK & 1) || !p->t.check_interval) {
            snprintf(p->state_diff, sizeof p->state_diff, "unknown (the trace has no check records)");
            machine_request_exit(p->m, EXIT_GUEST_FAIL, "replay diverged");
            p->reported = true;
        }
    }
}

static uint64_t replay_now(void *opaque)
{
    return machine_now(opaque);
}

/* A host stop of the recording (the live window closed: a gdb.sched with
 * trace_is_host_stop, src/view/live.c): the replay ends its run at the
 * same point of the schedule, as the recording did, so that the end
 * records compare equal. */
struct host_stop {
    bool set;
    struct machine *m;
    uint64_t at, round, where;
};

static void host_stop_now(struct host_stop *hs)
{
    if (!hs->m->exit_requested)
        machine_request_exit(hs->m, EXIT_PASS, "the live window was closed (a recorded host stop)");
}

/* in round `round`'s round hook (m->gdb_poll runs in it, as the live
 * window's turn did, before the board's round poll) */
static void host_stop_poll(void *opaque)
{
    struct host_stop *hs = opaque;
    if (hs->m->sched.rounds >= hs->round)
        host_stop_now(hs);
}

/* the idle wait before round `round` (the scheduler's idle hook) */
static bool host_stop_idle(void *opaque)
{
    struct host_stop *hs = opaque;
    if (hs->m->sched.rounds < hs->round)
        return false;
    host_stop_now(hs);
    return true;
}

static int run_to_host_stop(struct machine *m, struct host_stop *hs)
{
    int rc;
    hs->m = m;
    if (hs->where == TRACE_HOST_STOP_IN_ROUND) {
        /* stopped inside a round at position at (a step or run-to of the
         * window stops before the next instruction, as stop_at does); the
         * exit then ends that round where the recording's did */
        m->sched.stop_at = hs->at;
        rc = sched_run(m);
        m->sched.stop_at = 0;
        m->sched.stopped_cpu = NULL;
        if (rc == SCHED_DEBUG_STOP) {
            host_stop_now(hs);
            rc = sched_run(m);
        }
    } else {
        if (hs->where == TRACE_HOST_STOP_BEFORE_HOOK && m->sched.rounds >= hs->round)
            host_stop_now(hs); /* a paused start closed: before the first round */
        else if (hs->where == TRACE_HOST_STOP_BEFORE_HOOK)
            m->display_idle = host_stop_idle;
        else
            m->gdb_poll = host_stop_poll;
        m->display_opaque = m->gdb_opaque = hs;
        rc = sched_run(m);
        m->display_idle = NULL;
        m->gdb_poll = NULL;
        m->display_opaque = m->gdb_opaque = NULL;
    }
    machine_flush(m);
    return rc;
}

/* Loads config and image paths from the header; checks image hashes. */
static bool rebuild_config(const struct trace_header *h, struct config *c, char *err, size_t errlen)
{
    config_defaults(c);
    if (!config_parse_string(c, h->config_ini, "<trace header config>", err, errlen))
        return false;
    c->bios[0] = c->kernel[0] = c->initrd[0] = c->dtb[0] = 0;
    bool have_bios = false;
    for (int i = 0; i < h->nimages; i++) {
        const struct trace_image *im = &h->images[i];
        char sha[65];
        if (!trace_sha256_file(im->path, sha, err, errlen))
            return false;
        if (strcmp(sha, im->sha256) != 0) {
            snprintf(err, errlen, "%s image %s has changed since the recording (sha256 %.16s..., "
                     "recorded %.16s...)", im->role, im->path, sha, im->sha256);
            return false;
        }
        char *dst = !strcmp(im->role, "bios") ? c->bios : !strcmp(im->role, "kernel") ? c->kernel
                  : !strcmp(im->role, "initrd") ? c->initrd : !strcmp(im->role, "dtb") ? c->dtb : NULL;
        if (dst)
            snprintf(dst, sizeof c->bios, "%s", im->path);
        if (dst == c->bios)
            have_bios = true;
    }
    if (!have_bios)
        snprintf(c->bios, sizeof c->bios, "none");
    return config_validate(c, err, errlen);
}

int trace_replay(const char *path, const struct replay_options *o)
{
    char err[512];
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    if (!r) {
        fprintf(stderr, "hvsim: %s\n", err);
        return EXIT_HOST_ERROR;
    }
    struct config cfg;
    if (!rebuild_config(trace_reader_header(r), &cfg, err, sizeof err)) {
        fprintf(stderr, "hvsim: replay %s: %s\n", path, err);
        trace_reader_close(r);
        return EXIT_HOST_ERROR;
    }
    /* First pass: the console input, with the times it was consumed. */
    size_t nin = 0, cap = 0;
    uint64_t *times = NULL;
    uint8_t *bytes = NULL;
    struct trace_event ev;
    int rc;
    /* and the debugger's changes to the schedule (gdb.sched) */
    struct gdb_sched_entry *gs = NULL;
    size_t ngs = 0, capgs = 0;
    struct host_stop hs = { 0 };
    while ((rc = trace_reader_next(r, &ev, err, sizeof err)) == 1) {
        if (trace_is_host_stop(&ev)) {
            hs = (struct host_stop){ .set = true, .at = ev.a[0], .round = ev.a[3] - 1, .where = ev.a[4] };
            continue;
        }
        if (ev.kind == TK_GDB_SCHED) {
            if (ngs == capgs) {
                capgs = capgs ? 2 * capgs : 64;
                gs = realloc(gs, capgs * sizeof *gs);
            }
            gs[ngs++] = (struct gdb_sched_entry){ .at = ev.a[0], .end = ev.a[1], .held = ev.a[2],
                .addr = ev.a[3], .guest = (int64_t)ev.a[4], .cpu = ev.cpu == TRACE_NO_CPU ? -1 : (int)ev.cpu };
            continue;
        }
        if (ev.kind != TK_INPUT)
            continue;
        if (nin == cap) {
            cap = cap ? 2 * cap : 256;
            times = realloc(times, cap * sizeof *times);
            bytes = realloc(bytes, cap);
        }
        times[nin] = ev.time;
        bytes[nin++] = (uint8_t)ev.a[0];
    }
    trace_reader_close(r);
    struct replayer p = { 0 };
    struct machine *m = NULL;
    int ret = EXIT_HOST_ERROR;
    if (rc < 0) {
        fprintf(stderr, "hvsim: replay: %s\n", err);
        goto out;
    }

    p.r = trace_reader_open(path, err, sizeof err);
    m = p.r ? machine_new(&cfg, o->serial ? o->serial : "none", err, sizeof err) : NULL;
    if (!m) {
        fprintf(stderr, "hvsim: replay %s: %s\n", path, err);
        goto out;
    }
    p.m = m;
    m->interp_only = o->interp; /* --engine: both engines write the same records */
    console_set_script(m->console, times, bytes, nin, replay_now, m);
    const struct trace_header *h2 = trace_reader_header(p.r);
    char arch_name[64];
    p.arch = trace_header_arch(h2, arch_name, sizeof arch_name);
    m->max_insns = h2->max_insns;
    m->perturb_at = o->perturb_at;
    if (h2->perturb[0]) { /* --ipi-latency, --stall, --skew, --strategy of the recording */
        struct perturb_cfg pc;
        if (!perturb_parse_spec(&pc, h2->perturb, err, sizeof err)) {
            fprintf(stderr, "hvsim: replay %s: header: %s\n", path, err);
            goto out;
        }
        sched_set_perturb(m, &pc);
    }
    p.t.mask = h2->event_mask;
    p.t.sink = compare_sink;
    p.t.sink_opaque = &p;
    p.t.check_interval = h2->check_interval;
    p.t.next_check = h2->check_interval;
    m->trace = &p.t;
    m->trace_mask = p.t.mask;

    int status;
    if (o->gdb_port) { /* a replay under gdb: stop, inspect, continue */
        struct gdbstub *g = gdbstub_new(m, o->gdb_port, o->gdb_wait, err, sizeof err);
        if (!g) {
            fprintf(stderr, "hvsim: %s\n", err);
            goto out;
        }
        status = gdbstub_run(g);
        m = gdbstub_machine(g); /* (reverse execution is refused in replays) */
        gdbstub_free(g);
    } else if (ngs) { /* recorded under gdb: its holds and steps again */
        m->max_insns = h2->max_insns;
        status = gdbstub_replay_schedule(m, gs, ngs, err, sizeof err);
        if (status == EXIT_HOST_ERROR)
            fprintf(stderr, "hvsim: replay %s: %s\n", path, err);
    } else if (hs.set) { /* the live window closed it */
        m->max_insns = h2->max_insns;
        status = run_to_host_stop(m, &hs);
    } else {
        status = machine_run(m, h2->max_insns);
    }
    if (!p.diverged)
        trace_emit_end(m, status);
    if (!p.diverged) {
        int more = next_recorded(&p);
        if (more == 1) {
            p.diverged = true;
            snprintf(p.why, sizeof p.why, "the replay ended (status %d) before the recording's "
                     "record %llu", status, (unsigned long long)p.index + 1);
            p.rep_ev = (struct trace_event){ .kind = TK_END, .cpu = TRACE_NO_CPU,
                                             .time = m->sched.round_start,
                                             .a = { (uint64_t)status, m->sched.total_retired } };
        }
    }
    if (p.read_error && !p.diverged) {
        fprintf(stderr, "hvsim: replay: %s\n", p.err);
        ret = EXIT_HOST_ERROR;
    } else if (!p.diverged) {
        printf("replay identical: %llu records, %llu instructions\n",
               (unsigned long long)p.index, (unsigned long long)m->sched.total_retired);
        ret = 0;
    } else {
        char a[512], b[512];
        trace_format_event(&p.rec_ev, a, sizeof a);
        trace_format_event(&p.rep_ev, b, sizeof b);
        printf("replay DIVERGED: %s\n", p.why);
        printf("  at virtual time %llu, cpu %d\n", (unsigned long long)p.rep_ev.time,
               p.rep_ev.cpu == TRACE_NO_CPU ? -1 : (int)p.rep_ev.cpu);
        if (!p.ended_early)
            printf("  recorded: %s\n", a);
        printf("  replayed: %s\n", b);
        printf("  first state difference: %s\n",
               p.state_diff[0] ? p.state_diff : "unknown (the run ended before the next check)");
        ret = 1;
    }
    if (o->verbose)
        fprintf(stderr, "hvsim: replay of %s (engine %s): %s\n", path,
                m->interp_only ? "interp" : "fast", m->exit_reason);
out:
    if (m) {
        m->trace = NULL;
        m->trace_mask = 0;
        machine_free(m);
    }
    trace_reader_close(p.r);
    free(p.rec_blob);
    free(gs);
    free(times);
    free(bytes);
    return ret;
}
