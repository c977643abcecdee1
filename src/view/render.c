/* One frame of the timeline (docs/view.md "What the window shows").
 *
 * Level of detail: the renderer walks pixel columns, never events. A
 * column [t, t + dt) of a lane gets the colour of the mode the lane spent
 * most of it in (view_lane_occupancy: two binary searches on cumulative
 * sums), a sleep shade as dark as the fraction it slept, and per marker
 * track one tick if the track has any event in it (one binary search, then
 * a jump to the next column holding an event). IPI arrows are deduplicated
 * per (sender, receiver) within 3 px of send and end column (8 px and no
 * heads when more than 2000 are in view). Cost per frame:
 * O(columns x lanes x tracks x log events) + O(arrows in view). */
#include <SDL.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "view.h"
#include "vmm/vmm.h"

uint32_t view_mode_colour(unsigned mode)
{
    static const uint32_t c[VMODE_COUNT] = {
        [VMODE_UNKNOWN] = 0xbbbbbb, [VMODE_M] = 0xd55e00, [VMODE_S] = 0x0072b2,
        [VMODE_U] = 0x009e73, [VMODE_VS] = 0xe69f00, [VMODE_VU] = 0xf0e442,
    };
    return mode < VMODE_COUNT ? c[mode] : 0xbbbbbb;
}

uint32_t view_track_colour(unsigned track)
{
    static const uint32_t exit_c[] = {
        [VMM_EXIT_OTHER] = 0x999999,        [VMM_EXIT_HYPERCALL] = 0x0072b2,
        [VMM_EXIT_GUEST_PAGE_FAULT] = 0xd55e00, [VMM_EXIT_MMIO] = 0x999933,
        [VMM_EXIT_PORT_IO] = 0x44aa99,      [VMM_EXIT_EXTERNAL_IRQ] = 0xe69f00,
        [VMM_EXIT_TIMER] = 0x56b4e9,        [VMM_EXIT_IPI] = 0x882255,
        [VMM_EXIT_INSTRUCTION] = 0x009e73,  [VMM_EXIT_EXCEPTION] = 0x000000,
    };
    if (track >= TK_COUNT) {
        unsigned c = track - TK_COUNT;
        return c < sizeof exit_c / sizeof exit_c[0] ? exit_c[c] : 0x999999;
    }
    switch (track) {
    case TK_IRQ_TAKE: return 0x000000;
    case TK_EXC_TAKE: return 0x996600;
    case TK_TIMER_FIRE: return 0x56b4e9;
    case TK_TIMER_SET: return 0x9ecae1;
    case TK_IPI_SEND: case TK_IPI_DELIVER: return 0x882255;
    case TK_SBI_CALL: return 0x44aa99;
    case TK_MMIO: return 0x999933;
    case TK_WFI_SLEEP: case TK_WFI_WAKE: return VIEW_SLEEP_RGB;
    default: return 0x666666;
    }
}

/* Which row of a lane a track's markers go to, in drawing order. */
static const uint16_t row_irq[] = { TK_IRQ_CLAIM, TK_IRQ_COMPLETE, TK_SBI_CALL, TK_IPI_DELIVER,
                                    TK_TIMER_FIRE, TK_EXC_TAKE, TK_IRQ_TAKE };
static const uint16_t row_misc[] = { TK_CHECK, TK_GDB_SCHED, TK_INPUT, TK_MMIO, TK_TIMER_SET,
                                     TK_WFI_SLEEP, TK_WFI_WAKE, TK_MARK, TK_IPI_SEND, TK_END };

int view_track_row(unsigned track)
{
    if (track >= TK_COUNT || track == TK_VM_ENTRY)
        return VIEW_ROW_VM;
    for (size_t k = 0; k < sizeof row_irq / sizeof row_irq[0]; k++)
        if (row_irq[k] == track)
            return VIEW_ROW_IRQ;
    return VIEW_ROW_MISC;
}

int view_lane_top(int lane) { return VIEW_AXIS_H + lane * (VIEW_LANE_H + VIEW_LANE_GAP); }

int view_time_x(const struct view_state *s, double t)
{
    double span = s->t1 - s->t0;
    if (span <= 0)
        span = 1;
    double x = VIEW_GUTTER + (t - s->t0) * (s->w - VIEW_GUTTER) / span;
    if (x < -1e6)
        x = -1e6;
    if (x > 1e6)
        x = 1e6;
    return (int)floor(x);
}

double view_x_time(const struct view_state *s, int x)
{
    return s->t0 + (double)(x - VIEW_GUTTER) * (s->t1 - s->t0) / (s->w - VIEW_GUTTER);
}

static void colour(SDL_Renderer *r, uint32_t rgb)
{
    SDL_SetRenderDrawColor(r, rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff, 255);
}

static void fill(SDL_Renderer *r, uint32_t rgb, int x, int y, int w, int h)
{
    colour(r, rgb);
    SDL_Rect rc = { x, y, w, h };
    SDL_RenderFillRect(r, &rc);
}

/* Column boundaries as integer ticks, clipped to the trace. */
static uint64_t col_time(const struct view_state *s, const struct view_model *m, int x)
{
    double t = view_x_time(s, x);
    if (t < (double)m->t_min)
        return m->t_min;
    if (t > (double)m->t_max + 1)
        return m->t_max + 1;
    return (uint64_t)ceil(t);
}

static uint32_t mix(uint32_t a, uint32_t b, double f)
{
    uint32_t o = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        double ca = a >> sh & 0xff, cb = b >> sh & 0xff;
        o |= (uint32_t)lround(ca + (cb - ca) * f) << sh;
    }
    return o;
}

static void draw_lane_bands(SDL_Renderer *r, const struct view_model *m, const struct view_state *s,
                            uint32_t l)
{
    const struct view_lane *ln = &m->lanes[l];
    int top = view_lane_top((int)l);
    int run_x = VIEW_GUTTER;
    uint32_t run_c = 0xffffffffu, run_s = 0xffffffffu;
    int sx = VIEW_GUTTER;
    for (int x = VIEW_GUTTER; x <= s->w; x++) {
        uint32_t c = VIEW_LANE_BG_RGB, sc = VIEW_LANE_BG_RGB;
        if (x < s->w) {
            /* whole ticks; a column narrower than a tick shows the tick it is in */
            double ta = floor(view_x_time(s, x)), tb = floor(view_x_time(s, x + 1));
            if (tb <= ta)
                tb = ta + 1;
            if (ta < (double)m->t_min)
                ta = (double)m->t_min;
            if (tb > (double)m->t_max + 1)
                tb = (double)m->t_max + 1;
            uint64_t a = ta < tb ? (uint64_t)ta : 0, b = ta < tb ? (uint64_t)tb : 0;
            if (b > a) {
                uint64_t occ[VMODE_COUNT], slept;
                view_lane_occupancy(ln, a, b, occ, &slept);
                unsigned best = 0;
                for (unsigned k = 1; k < VMODE_COUNT; k++)
                    if (occ[k] > occ[best])
                        best = k;
                c = view_mode_colour(best);
                if (slept)
                    sc = mix(0xdddddd, VIEW_SLEEP_RGB, (double)slept / (double)(b - a));
            }
        } else {
            c = sc = 0xfffffffeu; /* flush */
        }
        if (c != run_c) {
            if (run_c != 0xffffffffu)
                fill(r, run_c, run_x, top + VIEW_ROW_BAND, x - run_x, VIEW_ROW_BAND_H);
            run_c = c;
            run_x = x;
        }
        if (sc != run_s) {
            if (run_s != 0xffffffffu && run_s != VIEW_LANE_BG_RGB)
                fill(r, run_s, sx, top + VIEW_ROW_SLEEP, x - sx, VIEW_ROW_SLEEP_H);
            run_s = sc;
            sx = x;
        }
    }
}

/* Ticks of one track: one per column that holds an event of it. */
static void draw_track(SDL_Renderer *r, const struct view_model *m, const struct view_state *s,
                       const struct view_track *tr, uint32_t rgb, int y, int h)
{
    if (!tr->n)
        return;
    colour(r, rgb);
    uint32_t i = view_lower_bound(tr->time, tr->n, col_time(s, m, VIEW_GUTTER));
    while (i < tr->n) {
        int x = view_time_x(s, (double)tr->time[i]);
        if (x >= s->w)
            break;
        SDL_Rect rc = { x, y, 2, h };
        SDL_RenderFillRect(r, &rc);
        uint64_t next = col_time(s, m, x + 2);
        uint32_t j = view_lower_bound(tr->time, tr->n, next);
        i = j > i ? j : i + 1;
    }
}

static void draw_lane_markers(SDL_Renderer *r, const struct view_model *m,
                              const struct view_state *s, uint32_t l)
{
    const struct view_lane *ln = &m->lanes[l];
    int top = view_lane_top((int)l);
    for (size_t k = 0; k < sizeof row_irq / sizeof row_irq[0]; k++)
        draw_track(r, m, s, &ln->tracks[row_irq[k]], view_track_colour(row_irq[k]),
                   top + VIEW_ROW_IRQ, VIEW_ROW_IRQ_H);
    for (size_t k = 0; k < sizeof row_misc / sizeof row_misc[0]; k++)
        draw_track(r, m, s, &ln->tracks[row_misc[k]], view_track_colour(row_misc[k]),
                   top + VIEW_ROW_MISC, VIEW_ROW_MISC_H);
    for (unsigned c = 0; c < VIEW_NCLASS; c++)
        draw_track(r, m, s, &ln->tracks[VIEW_TRACK_EXIT(c)], view_track_colour(VIEW_TRACK_EXIT(c)),
                   top + VIEW_ROW_VM, VIEW_ROW_VM_H - 4);
    draw_track(r, m, s, &ln->tracks[TK_VM_ENTRY], view_track_colour(TK_VM_ENTRY),
               top + VIEW_ROW_VM + VIEW_ROW_VM_H - 3, 3);
}

static void thick_line(SDL_Renderer *r, int x0, int y0, int x1, int y1)
{
    SDL_RenderDrawLine(r, x0, y0, x1, y1);
    SDL_RenderDrawLine(r, x0 + 1, y0, x1 + 1, y1);
}

static void arrow_head(SDL_Renderer *r, int x0, int y0, int x1, int y1)
{
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len < 1)
        return;
    dx /= len;
    dy /= len;
    for (int side = -1; side <= 1; side += 2) {
        double hx = x1 - 7 * dx + side * 4 * -dy, hy = y1 - 7 * dy + side * 4 * dx;
        thick_line(r, x1, y1, (int)lround(hx), (int)lround(hy));
    }
}

static void draw_arrows(SDL_Renderer *r, const struct view_model *m, const struct view_state *s)
{
    if (!(m->kind_mask >> TK_IPI_SEND & 1) || !m->narrows)
        return;
    double from = s->t0 - (double)m->max_arrow_span;
    /* first arrow sent at or after `from` (arrows are sorted by send time) */
    uint32_t lo = 0, hi = m->narrows;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((double)m->ev[m->arrows[mid].send].time < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* last (send column, end column) drawn per (src, dst) pair */
    enum { PAIRS = 64 * 64 };
    int last_xs[PAIRS], last_xe[PAIRS];
    for (int k = 0; k < PAIRS; k++)
        last_xs[k] = last_xe[k] = -1000000;
    /* many arrows in view: one per 8 px per pair and no heads */
    uint32_t in_view = 0;
    for (uint32_t k = lo; k < m->narrows && in_view <= 2000; k++, in_view++)
        if ((double)m->ev[m->arrows[k].send].time > s->t1)
            break;
    int dedup = in_view > 2000 ? 8 : 3;
    colour(r, VIEW_ARROW_RGB);
    for (uint32_t k = lo; k < m->narrows; k++) {
        const struct view_arrow *a = &m->arrows[k];
        double ts = (double)m->ev[a->send].time;
        if (ts > s->t1)
            break;
        uint32_t end = a->take != UINT32_MAX ? a->take : a->deliver;
        if ((double)m->ev[end].time < s->t0)
            continue;
        int xs = view_time_x(s, ts);
        int xd = a->deliver != UINT32_MAX ? view_time_x(s, (double)m->ev[a->deliver].time) : -1;
        int xe = view_time_x(s, (double)m->ev[end].time);
        unsigned pair = (a->src % 64) * 64 + a->dst % 64;
        if (abs(last_xs[pair] - xs) < dedup && abs(last_xe[pair] - xe) < dedup)
            continue; /* level of detail: one arrow per few pixels per pair */
        last_xs[pair] = xs;
        last_xe[pair] = xe;
        /* from the sender's ipi.send row to the receiver's interrupt row */
        int ys = view_lane_top((int)a->src) + VIEW_ROW_MISC + VIEW_ROW_MISC_H / 2;
        int yd = view_lane_top((int)a->dst) + VIEW_ROW_IRQ + VIEW_ROW_IRQ_H / 2;
        int x1 = xd >= 0 ? xd : xe;
        thick_line(r, xs, ys, x1, yd);
        if (a->take != UINT32_MAX && xe != x1) {
            /* pending: from delivery to take along the receiver's lane */
            int yp = yd + 3;
            thick_line(r, x1, yp, xe, yp);
        }
        if (dedup == 3)
            arrow_head(r, xs, ys, x1, yd);
    }
}

/* A "nice" step (1, 2, 5 x 10^k) of at least min. */
static double nice_step(double min)
{
    double p = pow(10, floor(log10(min > 0 ? min : 1)));
    for (;;) {
        if (p >= min) return p;
        if (2 * p >= min) return 2 * p;
        if (5 * p >= min) return 5 * p;
        p *= 10;
    }
}

static void fmt_ns(char *buf, size_t len, double ns, double step)
{
    if (step >= 1e9 || fabs(ns) >= 1e10)
        snprintf(buf, len, "%.*fs", step >= 1e9 ? 0 : 3, ns / 1e9);
    else if (step >= 1e6)
        snprintf(buf, len, "%.*fms", step >= 1e6 ? 0 : 3, ns / 1e6);
    else if (step >= 1e3)
        snprintf(buf, len, "%.0fus", ns / 1e3);
    else
        snprintf(buf, len, "%.0fns", ns);
    /* fractional units when the step is finer than the unit */
    if (step < 1e9 && step >= 1e6 && fmod(step, 1e6) != 0)
        snprintf(buf, len, "%.1fms", ns / 1e6);
    else if (step < 1e6 && step >= 1e3 && fmod(step, 1e3) != 0)
        snprintf(buf, len, "%.1fus", ns / 1e3);
}

static void draw_axis(SDL_Renderer *r, struct view_font *f, const struct view_model *m,
                      const struct view_state *s)
{
    fill(r, 0xe8e8e8, 0, 0, s->w, VIEW_AXIS_H);
    double hz = m->hz ? (double)m->hz : 1e9; /* no cpu-hz: ticks shown as ns */
    double ns_per_tick = 1e9 / hz;
    double ns0 = s->t0 * ns_per_tick, ns1 = s->t1 * ns_per_tick;
    double step = nice_step((ns1 - ns0) * 110 / (s->w - VIEW_GUTTER + 1));
    colour(r, 0x404040);
    char buf[48];
    for (double ns = ceil(ns0 / step) * step; ns <= ns1; ns += step) {
        if (fabs(ns) < step / 2)
            ns = 0; /* not "-0ms" */
        int x = view_time_x(s, ns / ns_per_tick);
        SDL_RenderDrawLine(r, x, VIEW_AXIS_H - 8, x, VIEW_AXIS_H - 1);
        fmt_ns(buf, sizeof buf, ns, step);
        view_font_draw(f, r, x + 2, 2, 0x202020, buf);
        colour(r, 0x404040);
    }
    view_font_draw(f, r, 4, 2, 0x202020, m->hz ? "time" : "ticks");
}

static void draw_panel(SDL_Renderer *r, struct view_font *f, const struct view_model *m,
                       const struct view_state *s, double fps)
{
    int y = s->h - VIEW_PANEL_H, fh = view_font_height(f) + 2;
    fill(r, 0xeeeeee, 0, y, s->w, VIEW_PANEL_H);
    fill(r, 0x999999, 0, y, s->w, 1);
    /* legend: modes, then marker kinds */
    int x = 6;
    for (unsigned k = 1; k < VMODE_COUNT; k++) {
        if (!view_mode_name(m->arch, k))
            continue;
        fill(r, view_mode_colour(k), x, y + 5, 12, 10);
        x += 16 + view_font_draw(f, r, x + 16, y + 2, 0x202020, view_mode_name(m->arch, k)) + 8;
    }
    fill(r, VIEW_SLEEP_RGB, x, y + 8, 12, 4);
    x += 16 + view_font_draw(f, r, x + 16, y + 2, 0x202020, "sleep") + 8;
    fill(r, VIEW_ARROW_RGB, x, y + 9, 14, 2);
    x += 18 + view_font_draw(f, r, x + 18, y + 2, 0x202020, "IPI") + 8;
    static const uint16_t legend[] = { TK_IRQ_TAKE, TK_EXC_TAKE, TK_TIMER_FIRE, TK_SBI_CALL,
                                       TK_IPI_SEND, TK_VM_ENTRY };
    for (size_t k = 0; k < sizeof legend / sizeof legend[0]; k++) {
        fill(r, view_track_colour(legend[k]), x, y + 4, 3, 12);
        x += 6 + view_font_draw(f, r, x + 6, y + 2, 0x202020, trace_kinds[legend[k]].name) + 8;
    }
    x = 6;
    y += fh;
    x += view_font_draw(f, r, x, y, 0x202020, "vm.exit:") + 6;
    for (unsigned c = 0; c < VIEW_NCLASS && vmm_exit_class_name(c); c++) {
        fill(r, view_track_colour(VIEW_TRACK_EXIT(c)), x, y + 2, 3, 12);
        x += 6 + view_font_draw(f, r, x + 6, y, 0x202020, vmm_exit_class_name(c)) + 8;
    }
    y += fh;
    char line[1200];
    if (s->hover >= 0) /* hovering shows an event, clicking keeps one */
        view_event_text(m, (uint32_t)s->hover, line, sizeof line);
    else if (s->selected >= 0)
        view_event_text(m, (uint32_t)s->selected, line, sizeof line);
    else
        snprintf(line, sizeof line, "%s", s->picture ? "" : "click an event to see its fields");
    view_font_draw(f, r, 6, y, 0x000000, line);
    y += fh;
    int x0 = 6;
    if (s->live[0]) /* run --display sdl: running / paused, key mode, lane */
        x0 += view_font_draw(f, r, 6, y, 0x0000a0, s->live) + 12;
    char st[512];
    int n = snprintf(st, sizeof st, "%s  %.0f..%.0f  %u %ss  %u events  %u IPIs%s%s",
                     m->path, s->t0, s->t1, m->nlanes, m->cpu_word, m->nev, m->narrows,
                     m->vm >= 0 ? "  vm filter" : "", s->goto_mode ? "  goto: " : "");
    if (s->goto_mode && n > 0 && (size_t)n < sizeof st)
        snprintf(st + n, sizeof st - (size_t)n, "%s_", s->goto_buf);
    else if (s->status[0] && n > 0 && (size_t)n < sizeof st)
        snprintf(st + n, sizeof st - (size_t)n, "  | %s", s->status);
    view_font_draw(f, r, x0, y, 0x404040, st);
    if (fps > 0) {
        char fb[32];
        snprintf(fb, sizeof fb, "%.0f fps", fps);
        view_font_draw(f, r, s->w - 80, y, 0x404040, fb);
    }
}

void view_render(SDL_Renderer *r, struct view_font *f, const struct view_model *m,
                 const struct view_state *s, double fps)
{
    colour(r, VIEW_BG_RGB);
    SDL_RenderClear(r);
    SDL_Rect clip = { 0, 0, s->w, s->h - VIEW_PANEL_H };
    SDL_RenderSetClipRect(r, &clip);
    for (uint32_t l = 0; l < m->nlanes; l++) {
        int top = view_lane_top((int)l);
        if (top > s->h)
            break;
        fill(r, VIEW_LANE_BG_RGB, VIEW_GUTTER, top, s->w - VIEW_GUTTER, VIEW_LANE_H);
        char name[32];
        snprintf(name, sizeof name, "%s%u", m->cpu_word, l);
        view_font_draw(f, r, 6, top + VIEW_LANE_H / 2 - view_font_height(f) / 2, 0x202020, name);
        if (s->lane_sel == (int)l && s->live[0])
            fill(r, 0x0000a0, 0, top, 4, VIEW_LANE_H);
        draw_lane_bands(r, m, s, l);
        draw_lane_markers(r, m, s, l);
    }
    draw_arrows(r, m, s);
    if (s->selected >= 0) {
        const struct trace_event *e = &m->ev[s->selected];
        if (e->cpu < m->nlanes) {
            int x = view_time_x(s, (double)e->time), top = view_lane_top((int)e->cpu);
            colour(r, 0x000000);
            SDL_Rect rc = { x - 3, top - 2, 8, VIEW_LANE_H + 4 };
            SDL_RenderDrawRect(r, &rc);
        }
    }
    SDL_RenderSetClipRect(r, NULL);
    draw_axis(r, f, m, s);
    draw_panel(r, f, m, s, fps);
}
