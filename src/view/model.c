/* The viewer's model and level-of-detail queries (docs/view.md "How the
 * timeline is derived").
 *
 * Loading reads the whole trace once: every event is kept (blobs of check
 * records dropped) for the field panel; per lane (one per CPU) it builds
 *   - the mode spans: a change of mode or sleep state with, for each mode,
 *     the cumulative ticks spent in it before the change, so the time any
 *     pixel column spends in each mode is two binary searches away;
 *   - the event index sorted by time, and per marker track (event kind,
 *     vm.exit split by exit class) the filtered, time-sorted markers, so
 *     "is there an event of this track in this column" is one binary
 *     search;
 * and the IPI arrows. A frame thus costs O(columns x tracks x log n),
 * not O(events).
 *
 * Modes follow the events alone (returns leave no event): irq.take /
 * exc.take enter their `to` privilege, and the `from` of a take or an
 * sbi.call says the lane was at that privilege before it: it went back
 * right after its previous event (one tick later); vm.entry enters the
 * guest (VS / non-root), vm.exit leaves it (HS / root CPL0); wfi.sleep ..
 * wfi.wake is sleep (x86 HLT uses the same kinds). Lanes start in the
 * architecture's reset privilege.
 *
 * IPI arrows, matched in file order: a send to d waits on d; an
 * ipi.deliver on d takes the oldest waiting send from its src (SIP, the
 * SBI IPI as M-mode software injects it on the target itself: the oldest
 * waiting SBI send); an irq.take on d whose cause takes line L ends every
 * waiting arrow on d of line L (the mechanism's line when no deliver was
 * seen: a send that found the line already pending merges with the
 * earlier one). vSBI sends name guest vCPUs, not lanes: no arrow. */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "trace/archnames.h"
#include "trace/symbols.h"
#include "trace/tools.h"
#include "trace/trace.h"
#include "vmm/vmm.h"

#define NONE UINT32_MAX

struct cfg_info { uint64_t hz, smp; };

static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
    struct cfg_info *ci = user;
    if (strcmp(section, "machine") == 0) {
        if (strcmp(name, "cpu-hz") == 0)
            ci->hz = strtoull(value, NULL, 0);
        else if (strcmp(name, "smp") == 0)
            ci->smp = strtoull(value, NULL, 0);
    }
    return 1;
}

const char *view_mode_name(const struct arch_info *a, unsigned mode)
{
    bool x86 = a && a->priv_name && a->priv_name(0) && !strncmp(a->priv_name(0), "CPL", 3);
    static const char *const rv[VMODE_COUNT] = { "?", "M", "HS/S", "U", "VS", "VU" };
    static const char *const cpl[VMODE_COUNT] = { "?", NULL, "CPL0-2", "CPL3", "guest CPL0-2",
                                                  "guest CPL3" };
    return mode < VMODE_COUNT ? (x86 ? cpl : rv)[mode] : "?";
}

/* The mode of traced privilege p; guest: between vm.entry and vm.exit
 * (only for architectures whose privilege numbers do not encode it). */
static unsigned mode_of(const struct arch_info *a, uint64_t p, bool guest)
{
    const char *n = a && a->priv_name ? a->priv_name(p) : NULL;
    if (!n)
        return guest ? VMODE_VS : VMODE_UNKNOWN;
    if (!strcmp(n, "M"))
        return VMODE_M;
    if (!strcmp(n, "S") || !strcmp(n, "HS"))
        return VMODE_S;
    if (!strcmp(n, "U"))
        return VMODE_U;
    if (!strcmp(n, "VS"))
        return VMODE_VS;
    if (!strcmp(n, "VU"))
        return VMODE_VU;
    if (!strncmp(n, "CPL", 3))
        return n[3] == '3' ? (guest ? VMODE_VU : VMODE_U) : (guest ? VMODE_VS : VMODE_S);
    return VMODE_UNKNOWN;
}

unsigned view_model_track_of(const struct view_model *m, uint32_t i)
{
    const struct trace_event *e = &m->ev[i];
    if (e->kind == TK_VM_EXIT) {
        unsigned c = vmm_exit_class(m->arch, e->a[0]);
        return VIEW_TRACK_EXIT(c < VIEW_NCLASS ? c : 0);
    }
    return e->kind;
}

bool view_model_shown(const struct view_model *m, uint32_t i)
{
    const struct trace_event *e = &m->ev[i];
    if (!(m->kind_mask >> e->kind & 1))
        return false;
    if (m->vm >= 0) {
        if (e->kind == TK_VM_EXIT && e->a[5] != (uint64_t)m->vm)
            return false;
        if (e->kind == TK_VM_ENTRY && e->a[1] != (uint64_t)m->vm)
            return false;
    }
    return true;
}

uint32_t view_lower_bound(const uint64_t *times, uint32_t n, uint64_t t)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (times[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- building ---- */

struct lane_build {
    struct view_span *spans;
    uint32_t n, cap;
    uint8_t mode, asleep;
    bool guest;
    uint64_t last;
    uint64_t prev;   /* time of the lane's previous event */
};

static void span_push(struct lane_build *b, uint64_t t, unsigned mode, bool asleep)
{
    if (t < b->last)
        t = b->last; /* a lane's events keep file order; times never go back */
    b->last = t;
    if (b->n && b->spans[b->n - 1].mode == mode && b->spans[b->n - 1].asleep == asleep)
        return;
    if (b->n && b->spans[b->n - 1].time == t) { /* replaces a zero-length span */
        b->spans[b->n - 1].mode = (uint8_t)mode;
        b->spans[b->n - 1].asleep = asleep;
        if (b->n > 1 && b->spans[b->n - 2].mode == mode && b->spans[b->n - 2].asleep == asleep)
            b->n--;
        return;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->spans = xrealloc(b->spans, b->cap * sizeof *b->spans);
    }
    b->spans[b->n++] = (struct view_span){ .time = t, .mode = (uint8_t)mode, .asleep = asleep };
}

/* The event says the lane was in mode `was` just before it: returns leave
 * no event, so the lane went back to it after its previous event. */
static void lane_was(struct lane_build *b, const struct trace_event *e, unsigned was)
{
    if (was == b->mode || was == VMODE_UNKNOWN)
        return;
    uint64_t t = b->prev + 1 < e->time ? b->prev + 1 : e->time;
    b->mode = (uint8_t)was;
    span_push(b, t, was, b->asleep);
}

static void lane_event(const struct view_model *m, struct lane_build *b, const struct trace_event *e)
{
    uint64_t prev = b->prev; /* lane_was reads it; updated at the end */
    unsigned mode = b->mode;
    bool asleep = b->asleep;
    switch (e->kind) {
    case TK_IRQ_TAKE: case TK_EXC_TAKE:
        lane_was(b, e, mode_of(m->arch, e->a[1], b->guest));
        mode = mode_of(m->arch, e->a[2], b->guest);
        asleep = false;
        break;
    case TK_SBI_CALL:
        lane_was(b, e, mode_of(m->arch, e->a[5], b->guest));
        mode = b->mode;
        break;
    case TK_VM_ENTRY:
        b->guest = true;
        mode = VMODE_VS;
        break;
    case TK_VM_EXIT:
        b->guest = false;
        mode = VMODE_S;
        break;
    case TK_WFI_SLEEP: asleep = true; break;
    case TK_WFI_WAKE: asleep = false; break;
    default:
        b->prev = e->time > prev ? e->time : prev;
        return;
    }
    b->mode = (uint8_t)mode;
    b->asleep = asleep;
    span_push(b, e->time, mode, asleep);
    b->prev = e->time > prev ? e->time : prev;
}

static int cmp_ev_time(const void *pa, const void *pb, void *ctx)
{
    const struct view_model *sort_model = ctx;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    uint64_t ta = sort_model->ev[a].time, tb = sort_model->ev[b].time;
    return ta < tb ? -1 : ta > tb ? 1 : a < b ? -1 : a > b;
}

static int cmp_arrow(const void *pa, const void *pb, void *ctx)
{
    const struct view_model *sort_model = ctx;
    const struct view_arrow *a = pa, *b = pb;
    uint64_t ta = sort_model->ev[a->send].time, tb = sort_model->ev[b->send].time;
    return ta < tb ? -1 : ta > tb ? 1 : a->send < b->send ? -1 : a->send > b->send;
}

static void build_arrows(struct view_model *m)
{
    uint32_t cap = 0;
    /* waiting[d]: indices of arrows to lane d not yet taken */
    struct { uint32_t *a; uint32_t n, cap; } *wait = calloc(m->nlanes, sizeof *wait);
    if (!wait)
        xrealloc(NULL, SIZE_MAX); /* exits with the out-of-memory message */
    for (uint32_t i = 0; i < m->nev; i++) {
        const struct trace_event *e = &m->ev[i];
        if (e->cpu >= m->nlanes)
            continue;
        if (e->kind == TK_IPI_SEND) {
            uint64_t mech = TRACE_IPI_MECH(e->a[0]);
            if (mech == IPI_MECH_VSBI)
                continue;
            for (uint32_t d = 0; d < m->nlanes && d < 64; d++) {
                if (!(e->a[1] >> d & 1))
                    continue;
                if (m->narrows == cap) {
                    cap = cap ? cap * 2 : 256;
                    m->arrows = xrealloc(m->arrows, cap * sizeof *m->arrows);
                }
                m->arrows[m->narrows] = (struct view_arrow){
                    .send = i, .deliver = NONE, .take = NONE, .src = e->cpu, .dst = d,
                    .line = trace_arch_ipi_line(m->arch, e->a[0]) };
                if (wait[d].n == wait[d].cap) {
                    wait[d].cap = wait[d].cap ? wait[d].cap * 2 : 16;
                    wait[d].a = xrealloc(wait[d].a, wait[d].cap * sizeof *wait[d].a);
                }
                wait[d].a[wait[d].n++] = m->narrows++;
            }
        } else if (e->kind == TK_IPI_DELIVER) {
            uint32_t d = e->cpu;
            for (uint32_t k = 0; k < wait[d].n; k++) {
                struct view_arrow *a = &m->arrows[wait[d].a[k]];
                uint64_t smech = TRACE_IPI_MECH(m->ev[a->send].a[0]);
                bool match = e->a[0] == IPI_MECH_SIP ? smech == IPI_MECH_SBI
                                                     : smech == e->a[0] && a->src == e->a[2];
                if (a->deliver == NONE && match) {
                    a->deliver = i;
                    a->line = (int)e->a[1];
                    break;
                }
            }
        } else if (e->kind == TK_IRQ_TAKE) {
            uint32_t d = e->cpu, keep = 0;
            int line = trace_arch_cause_line(m->arch, e->a[0]);
            for (uint32_t k = 0; k < wait[d].n; k++) {
                struct view_arrow *a = &m->arrows[wait[d].a[k]];
                if (line >= 0 && a->line == line)
                    a->take = i;
                else
                    wait[d].a[keep++] = wait[d].a[k];
            }
            wait[d].n = keep;
        }
    }
    for (uint32_t d = 0; d < m->nlanes; d++)
        free(wait[d].a);
    free(wait);
    /* keep the arrows that reached their target */
    uint32_t n = 0;
    for (uint32_t k = 0; k < m->narrows; k++)
        if (m->arrows[k].deliver != NONE || m->arrows[k].take != NONE)
            m->arrows[n++] = m->arrows[k];
    m->narrows = n;
    qsort_r(m->arrows, m->narrows, sizeof *m->arrows, cmp_arrow, m);
    for (uint32_t k = 0; k < m->narrows; k++) {
        const struct view_arrow *a = &m->arrows[k];
        uint64_t ts = m->ev[a->send].time;
        uint64_t te = m->ev[a->take != NONE ? a->take : a->deliver].time;
        if (te > ts && te - ts > m->max_arrow_span)
            m->max_arrow_span = te - ts;
    }
}

void view_model_init(struct view_model *m, const struct trace_header *h, const char *path)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    m->vm = -1;
    m->kind_mask = ((1ull << TK_COUNT) - 1) & ~(1ull << TK_CHECK);
    struct cfg_info ci = { 0 };
    if (h->config_ini)
        ini_parse_string(h->config_ini, cfg_handler, &ci);
    m->hz = ci.hz;
    m->smp = ci.smp;
    char arch_name[64];
    m->arch = trace_header_arch(h, arch_name, sizeof arch_name);
    snprintf(m->cpu_word, sizeof m->cpu_word, "%s",
             m->arch && m->arch->cpu_word ? m->arch->cpu_word : "cpu");
    m->syms = symtab_load(h);
    m->t_min = UINT64_MAX;
}

bool view_model_add(struct view_model *m, const struct trace_event *e)
{
    if (m->nev == UINT32_MAX - 1)
        return false;
    if (m->nev == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4096;
        m->ev = xrealloc(m->ev, (size_t)m->cap * sizeof *m->ev);
    }
    struct trace_event ev = *e;
    ev.blob = NULL;
    ev.blob_len = 0;
    m->ev[m->nev++] = ev;
    if (ev.time < m->t_min)
        m->t_min = ev.time;
    if (ev.time > m->t_max)
        m->t_max = ev.time;
    if (ev.cpu != TRACE_NO_CPU && ev.cpu < 1024 && ev.cpu + 1 > m->nlanes)
        m->nlanes = ev.cpu + 1;
    return true;
}

/* Frees what view_model_build derives from the events. */
static void model_derived_free(struct view_model *m)
{
    for (uint32_t l = 0; m->lanes && l < m->built_lanes; l++) {
        free(m->lanes[l].spans);
        free(m->lanes[l].all);
        free(m->lanes[l].all_time);
        for (unsigned t = 0; t < VIEW_NTRACKS; t++) {
            free(m->lanes[l].tracks[t].ev);
            free(m->lanes[l].tracks[t].time);
        }
    }
    free(m->lanes);
    free(m->arrows);
    m->lanes = NULL;
    m->arrows = NULL;
    m->narrows = 0;
    m->max_arrow_span = 0;
    m->built_lanes = 0;
}

bool view_model_load(struct view_model *m, const char *path, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    struct trace_reader *r = trace_reader_open(path, err, errlen);
    if (!r)
        return false;
    view_model_init(m, trace_reader_header(r), path);
    struct trace_event ev;
    int got;
    bool ended = false;
    while ((got = trace_reader_next(r, &ev, err, errlen)) == 1) {
        if (!view_model_add(m, &ev)) {
            snprintf(err, errlen, "%s: more than %u events", path, UINT32_MAX - 1);
            got = -1;
            break;
        }
        ended |= ev.kind == TK_END;
    }
    if (got == 0 && !ended) {
        snprintf(err, errlen, "%s: truncated: no end record after %llu records", path,
                 (unsigned long long)trace_reader_count(r));
        got = -1;
    }
    trace_reader_close(r);
    if (got < 0) {
        view_model_free(m);
        return false;
    }
    view_model_build(m);
    return true;
}

void view_model_build(struct view_model *m)
{
    model_derived_free(m);
    if (!m->nev)
        m->t_min = 0;
    uint64_t t_min = m->t_min;
    uint32_t nlanes = m->nlanes;
    if (m->smp > nlanes && m->smp <= 1024)
        nlanes = (uint32_t)m->smp;
    if (!nlanes)
        nlanes = 1;
    m->nlanes = nlanes;
    m->built_lanes = nlanes;
    m->built_nev = m->nev;
    m->lanes = calloc(m->nlanes, sizeof *m->lanes);
    struct lane_build *lb = calloc(m->nlanes, sizeof *lb);
    if (!m->lanes || !lb)
        xrealloc(NULL, SIZE_MAX);
    unsigned reset = m->arch && m->arch->reset_priv >= 0
                         ? mode_of(m->arch, (uint64_t)m->arch->reset_priv, false) : VMODE_UNKNOWN;
    for (uint32_t l = 0; l < m->nlanes; l++) {
        lb[l].mode = (uint8_t)reset;
        lb[l].prev = t_min;
        span_push(&lb[l], t_min, reset, false);
    }
    /* per-lane event lists in file order, then sorted by time */
    uint32_t *count = calloc(m->nlanes, sizeof *count);
    for (uint32_t i = 0; i < m->nev; i++)
        if (m->ev[i].cpu < m->nlanes)
            count[m->ev[i].cpu]++;
    for (uint32_t l = 0; l < m->nlanes; l++) {
        m->lanes[l].all = xrealloc(NULL, (count[l] + 1) * sizeof(uint32_t));
        m->lanes[l].all_time = xrealloc(NULL, (count[l] + 1) * sizeof(uint64_t));
    }
    for (uint32_t i = 0; i < m->nev; i++) {
        uint32_t c = m->ev[i].cpu;
        if (c >= m->nlanes)
            continue;
        lane_event(m, &lb[c], &m->ev[i]);
        m->lanes[c].all[m->lanes[c].nall++] = i;
    }
    free(count);
    for (uint32_t l = 0; l < m->nlanes; l++) {
        struct view_lane *ln = &m->lanes[l];
        qsort_r(ln->all, ln->nall, sizeof *ln->all, cmp_ev_time, m);
        for (uint32_t k = 0; k < ln->nall; k++)
            ln->all_time[k] = m->ev[ln->all[k]].time;
        /* cumulative time per mode */
        ln->spans = lb[l].spans;
        ln->nspans = lb[l].n;
        uint64_t cum[VMODE_COUNT] = { 0 }, sleep = 0;
        for (uint32_t k = 0; k < ln->nspans; k++) {
            struct view_span *s = &ln->spans[k];
            if (k) {
                const struct view_span *p = &ln->spans[k - 1];
                cum[p->mode] += s->time - p->time;
                if (p->asleep)
                    sleep += s->time - p->time;
            }
            memcpy(s->cum, cum, sizeof cum);
            s->sleep_cum = sleep;
        }
    }
    free(lb);
    build_arrows(m);
    view_model_filter(m);
}

void view_model_filter(struct view_model *m)
{
    for (uint32_t l = 0; l < m->nlanes; l++) {
        struct view_lane *ln = &m->lanes[l];
        for (unsigned t = 0; t < VIEW_NTRACKS; t++)
            ln->tracks[t].n = 0;
        uint32_t cnt[VIEW_NTRACKS] = { 0 };
        for (uint32_t k = 0; k < ln->nall; k++)
            if (view_model_shown(m, ln->all[k]))
                cnt[view_model_track_of(m, ln->all[k])]++;
        for (unsigned t = 0; t < VIEW_NTRACKS; t++) {
            ln->tracks[t].ev = xrealloc(ln->tracks[t].ev, (cnt[t] + 1) * sizeof(uint32_t));
            ln->tracks[t].time = xrealloc(ln->tracks[t].time, (cnt[t] + 1) * sizeof(uint64_t));
        }
        for (uint32_t k = 0; k < ln->nall; k++) {
            uint32_t i = ln->all[k];
            if (!view_model_shown(m, i))
                continue;
            struct view_track *tr = &ln->tracks[view_model_track_of(m, i)];
            tr->ev[tr->n] = i;
            tr->time[tr->n++] = m->ev[i].time;
        }
    }
}

/* Cumulative ticks per mode (and asleep) before time t. */
static void cum_at(const struct view_lane *l, uint64_t t, uint64_t occ[VMODE_COUNT], uint64_t *sl)
{
    memset(occ, 0, VMODE_COUNT * sizeof *occ);
    *sl = 0;
    uint32_t lo = 0, hi = l->nspans; /* last span with time <= t */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->spans[mid].time <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return;
    const struct view_span *s = &l->spans[lo - 1];
    memcpy(occ, s->cum, VMODE_COUNT * sizeof *occ);
    occ[s->mode] += t - s->time;
    *sl = s->sleep_cum + (s->asleep ? t - s->time : 0);
}

void view_lane_occupancy(const struct view_lane *l, uint64_t t0, uint64_t t1,
                         uint64_t occ[VMODE_COUNT], uint64_t *asleep)
{
    uint64_t a[VMODE_COUNT], b[VMODE_COUNT], sa, sb;
    cum_at(l, t0, a, &sa);
    cum_at(l, t1, b, &sb);
    for (unsigned k = 0; k < VMODE_COUNT; k++)
        occ[k] = b[k] - a[k];
    *asleep = sb - sa;
}

size_t view_event_text(const struct view_model *m, uint32_t i, char *buf, size_t len)
{
    return trace_show_line(m->arch, m->syms, true, 0, m->hz, &m->ev[i], buf, len);
}

void view_model_free(struct view_model *m)
{
    model_derived_free(m);
    free(m->ev);
    symtab_free(m->syms);
    memset(m, 0, sizeof *m);
}
