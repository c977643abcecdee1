/* Recording a machine's timeline into a trace file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sim/board.h"
#include "emit.h"
#include "record.h"

struct recorder {
    struct trace t;            /* first: m->trace points here */
    struct trace_writer *w;
};

static void write_sink(void *opaque, const struct trace_event *ev)
{
    struct recorder *r = opaque;
    trace_writer_put(r->w, ev);
}

bool trace_fill_header(const struct machine *m, struct trace_header *h, uint64_t mask,
                       uint64_t check_interval, const char *serial, char *err, size_t errlen)
{
    const struct config *c = &m->cfg;
    memset(h, 0, sizeof(*h));
    h->version = TRACE_FORMAT_VERSION;
    snprintf(h->hvsim_version, sizeof h->hvsim_version, "%s", HVSIM_VERSION);
    h->seed = c->sched_seed;
    h->quantum = c->quantum;
    h->max_insns = m->max_insns;
    h->check_interval = check_interval;
    h->event_mask = mask;
    snprintf(h->serial, sizeof h->serial, "%s", serial ? serial : "stdio");
    if (m->sched.pert_on)
        perturb_format(&m->sched.pert, h->perturb, sizeof h->perturb);
    const struct { const char *role, *path; } imgs[] = {
        { "bios", machine_bios_path(c) }, { "kernel", c->kernel },
        { "initrd", c->initrd }, { "dtb", c->dtb },
    };
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        if (!imgs[i].path[0])
            continue;
        struct trace_image *im = &h->images[h->nimages++];
        snprintf(im->role, sizeof im->role, "%s", imgs[i].role);
        snprintf(im->path, sizeof im->path, "%s", imgs[i].path);
        if (!trace_sha256_file(im->path, im->sha256, err, errlen))
            return false;
    }
    /* the disks (their contents are input as much as the images are) */
    char files[TRACE_MAX_IMAGES][512];
    int nfiles = c->board && c->board->data_files
                     ? c->board->data_files(c, files, TRACE_MAX_IMAGES - h->nimages) : 0;
    for (int i = 0; i < nfiles; i++) {
        struct trace_image *im = &h->images[h->nimages++];
        snprintf(im->role, sizeof im->role, "drive");
        snprintf(im->path, sizeof im->path, "%.511s", files[i]);
        if (!trace_sha256_file(im->path, im->sha256, err, errlen))
            return false;
    }
    size_t need = config_to_ini(c, NULL, 0) + 1;
    h->config_ini = malloc(need);
    config_to_ini(c, h->config_ini, need);
    return true;
}

bool trace_record_start(struct machine *m, const char *path, uint64_t mask,
                        uint64_t check_interval, const char *serial, char *err, size_t errlen)
{
    struct trace_header h;
    if (!trace_fill_header(m, &h, mask, check_interval, serial, err, errlen)) {
        trace_header_free(&h);
        return false;
    }
    struct recorder *r = calloc(1, sizeof(*r));
    r->w = trace_writer_open(path, &h, err, errlen);
    trace_header_free(&h);
    if (!r->w) {
        free(r);
        return false;
    }
    r->t.mask = mask;
    r->t.sink = write_sink;
    r->t.sink_opaque = r;
    r->t.check_interval = check_interval;
    r->t.next_check = check_interval;
    m->trace = &r->t;
    m->trace_mask = mask;
    return true;
}

void trace_round(struct machine *m)
{
    struct trace *t = m->trace;
    if (!t || !t->check_interval || !(t->mask >> TK_CHECK & 1))
        return;
    if (m->sched.total_retired >= t->next_check) {
        trace_check(m);
        while (t->next_check <= m->sched.total_retired)
            t->next_check += t->check_interval;
    }
}

void trace_emit_end(struct machine *m, int status)
{
    TRACE(m, TK_END, TRACE_NO_CPU, m->sched.round_start, (uint64_t)status, m->sched.total_retired);
}

bool trace_record_finish(struct machine *m, int status, char *err, size_t errlen)
{
    struct recorder *r = (struct recorder *)m->trace;
    if (!r)
        return true;
    trace_emit_end(m, status);
    bool ok = trace_writer_close(r->w, err, errlen);
    m->trace = NULL;
    m->trace_mask = 0;
    free(r);
    return ok;
}
