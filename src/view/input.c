/* What keys, the mouse and script commands do to the view (docs/view.md
 * "Keys"). All of it changes struct view_state (and the model's filters);
 * nothing here draws. Scripts (--script) go through the same handler as
 * synthetic SDL events, so a test drives the real input path. */
#include <SDL.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

#define MIN_SPAN 10.0 /* ticks across the window at most zoom */

void view_fit(const struct view_model *m, struct view_state *s)
{
    double span = (double)(m->t_max - m->t_min);
    if (span < MIN_SPAN)
        span = MIN_SPAN;
    s->t0 = (double)m->t_min - span * 0.01;
    s->t1 = (double)m->t_min + span * 1.01;
}

void view_zoom(struct view_state *s, double factor, int x_anchor)
{
    double ta = view_x_time(s, x_anchor);
    double span = (s->t1 - s->t0) / factor;
    if (span < MIN_SPAN)
        span = MIN_SPAN;
    if (span > 1e19)
        span = 1e19;
    double frac = (double)(x_anchor - VIEW_GUTTER) / (s->w - VIEW_GUTTER);
    s->t0 = ta - span * frac;
    s->t1 = s->t0 + span;
}

void view_pan_px(struct view_state *s, int dx)
{
    double dt = (double)dx * (s->t1 - s->t0) / (s->w - VIEW_GUTTER);
    s->t0 += dt;
    s->t1 += dt;
}

void view_goto(struct view_state *s, double t)
{
    double span = s->t1 - s->t0;
    s->t0 = t - span / 2;
    s->t1 = t + span / 2;
}

int64_t view_pick(const struct view_model *m, const struct view_state *s, int x, int y)
{
    if (y < VIEW_AXIS_H || x < VIEW_GUTTER)
        return -1;
    int lane = (y - VIEW_AXIS_H) / (VIEW_LANE_H + VIEW_LANE_GAP);
    if (lane < 0 || (uint32_t)lane >= m->nlanes || y > view_lane_top(lane) + VIEW_LANE_H)
        return -1;
    const struct view_lane *ln = &m->lanes[lane];
    double a = view_x_time(s, x - 4), b = view_x_time(s, x + 5), c = view_x_time(s, x);
    uint32_t i = view_lower_bound(ln->all_time, ln->nall, a < 0 ? 0 : (uint64_t)ceil(a));
    /* the closest shown event, preferring the row the click is in */
    int y_in = y - view_lane_top(lane);
    int64_t best = -1;
    double bestd = 1e300;
    for (unsigned n = 0; i < ln->nall && (double)ln->all_time[i] < b && n < 100000; i++, n++) {
        if (!view_model_shown(m, ln->all[i]))
            continue;
        int row = view_track_row(view_model_track_of(m, ln->all[i]));
        int row_h = row == VIEW_ROW_IRQ ? VIEW_ROW_IRQ_H : row == VIEW_ROW_VM ? VIEW_ROW_VM_H
                                                                             : VIEW_ROW_MISC_H;
        bool in_row = y_in >= row && y_in < row + row_h;
        double d = fabs((double)ln->all_time[i] - c) + (in_row ? 0 : 1e200);
        if (d < bestd) {
            bestd = d;
            best = ln->all[i];
        }
    }
    return best;
}

bool view_search_next(const struct view_model *m, struct view_state *s, unsigned kind)
{
    uint64_t after_t;
    uint32_t after_i;
    if (s->selected >= 0) {
        after_t = m->ev[s->selected].time;
        after_i = (uint32_t)s->selected;
    } else {
        after_t = s->t0 < 0 ? 0 : (uint64_t)s->t0;
        after_i = 0;
    }
    int64_t best = -1;
    for (uint32_t l = 0; l < m->nlanes; l++)
        for (unsigned t = 0; t < VIEW_NTRACKS; t++) {
            if (t < TK_COUNT ? t != kind : kind != TK_VM_EXIT)
                continue;
            const struct view_track *tr = &m->lanes[l].tracks[t];
            for (uint32_t k = view_lower_bound(tr->time, tr->n, after_t); k < tr->n; k++) {
                uint32_t e = tr->ev[k];
                if (s->selected >= 0 && (tr->time[k] == after_t && e <= after_i))
                    continue; /* same time: later in the file */
                if (best < 0 || m->ev[e].time < m->ev[best].time ||
                    (m->ev[e].time == m->ev[best].time && e < (uint32_t)best))
                    best = e;
                break;
            }
        }
    if (best < 0)
        return false;
    s->selected = best;
    view_goto(s, (double)m->ev[best].time);
    return true;
}

/* Kinds the filter keys toggle (docs/view.md). */
static const struct { SDL_Keycode key; const char *group; } filter_keys[] = {
    { SDLK_p, "ipi" }, { SDLK_i, "irq" }, { SDLK_t, "timer" }, { SDLK_w, "wfi" },
    { SDLK_v, "vm" },  { SDLK_e, "exc" }, { SDLK_s, "sbi" },   { SDLK_o, "mmio" },
};

static const uint16_t search_kinds[] = { TK_IPI_SEND, TK_IRQ_TAKE, TK_VM_EXIT, TK_TIMER_FIRE,
                                         TK_WFI_SLEEP, TK_EXC_TAKE, TK_SBI_CALL, TK_IPI_DELIVER };

static void toggle_group(struct view_model *m, struct view_state *s, const char *group)
{
    uint64_t mask = 0;
    for (unsigned k = 0; k < TK_COUNT; k++)
        if (!strcmp(trace_kinds[k].group, group))
            mask |= 1ull << k;
    bool on = (m->kind_mask & mask) != mask;
    m->kind_mask = on ? m->kind_mask | mask : m->kind_mask & ~mask;
    view_model_filter(m);
    s->hover = -1;
    if (s->selected >= 0 && !view_model_shown(m, (uint32_t)s->selected))
        s->selected = -1;
    snprintf(s->status, sizeof s->status, "%s %s", group, on ? "shown" : "hidden");
}

/* 'V': every VM, then each vmid seen in vm.exit/vm.entry in turn. */
static void cycle_vm(struct view_model *m, struct view_state *s)
{
    int64_t next = -1;
    for (uint32_t i = 0; i < m->nev; i++) {
        const struct trace_event *e = &m->ev[i];
        int64_t id = e->kind == TK_VM_EXIT ? (int64_t)e->a[5]
                     : e->kind == TK_VM_ENTRY ? (int64_t)e->a[1] : -1;
        if (id > m->vm && (next < 0 || id < next))
            next = id;
    }
    m->vm = next;
    view_model_filter(m);
    s->hover = -1;
    if (next < 0)
        snprintf(s->status, sizeof s->status, "every VM");
    else
        snprintf(s->status, sizeof s->status, "vm.exit/vm.entry of vmid %lld only", (long long)next);
}

static void select_event(const struct view_model *m, struct view_state *s, int64_t ev)
{
    s->selected = ev;
    if (ev >= 0) {
        char line[1200];
        view_event_text(m, (uint32_t)ev, line, sizeof line);
        printf("selected: %s\n", line);
        fflush(stdout);
    }
}

static void key_down(struct view_model *m, struct view_state *s, SDL_Keycode k, Uint16 mod)
{
    if (s->goto_mode) {
        size_t n = strlen(s->goto_buf);
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            s->goto_mode = false;
            if (n) {
                view_goto(s, strtod(s->goto_buf, NULL));
                snprintf(s->status, sizeof s->status, "at %s", s->goto_buf);
            }
        } else if (k == SDLK_ESCAPE) {
            s->goto_mode = false;
        } else if (k == SDLK_BACKSPACE && n) {
            s->goto_buf[n - 1] = 0;
        } else if (k >= SDLK_0 && k <= SDLK_9 && n + 1 < sizeof s->goto_buf) {
            s->goto_buf[n] = (char)k;
            s->goto_buf[n + 1] = 0;
        }
        return;
    }
    int mid = VIEW_GUTTER + (s->w - VIEW_GUTTER) / 2;
    switch (k) {
    case SDLK_q: case SDLK_ESCAPE: s->quit = true; return;
    case SDLK_PLUS: case SDLK_EQUALS: case SDLK_KP_PLUS: view_zoom(s, 2, mid); return;
    case SDLK_MINUS: case SDLK_KP_MINUS: view_zoom(s, 0.5, mid); return;
    case SDLK_LEFT: view_pan_px(s, -(s->w - VIEW_GUTTER) / 8); return;
    case SDLK_RIGHT: view_pan_px(s, (s->w - VIEW_GUTTER) / 8); return;
    case SDLK_f: case SDLK_HOME: view_fit(m, s); return;
    case SDLK_g:
        s->goto_mode = true;
        s->goto_buf[0] = 0;
        return;
    case SDLK_a:
        m->kind_mask = ((1ull << TK_COUNT) - 1) & ~(1ull << TK_CHECK);
        m->vm = -1;
        view_model_filter(m);
        s->hover = -1;
        snprintf(s->status, sizeof s->status, "every kind shown");
        return;
    case SDLK_TAB: {
        size_t n = sizeof search_kinds / sizeof search_kinds[0], i = 0;
        while (i < n && search_kinds[i] != s->search_track)
            i++;
        s->search_track = search_kinds[(i + 1) % n];
        snprintf(s->status, sizeof s->status, "n: next %s", trace_kinds[s->search_track].name);
        return;
    }
    case SDLK_n:
        if (view_search_next(m, s, s->search_track))
            select_event(m, s, s->selected);
        else
            snprintf(s->status, sizeof s->status, "no later %s", trace_kinds[s->search_track].name);
        return;
    default: break;
    }
    if (k == SDLK_v && (mod & KMOD_SHIFT)) {
        cycle_vm(m, s);
        return;
    }
    for (size_t i = 0; i < sizeof filter_keys / sizeof filter_keys[0]; i++)
        if (filter_keys[i].key == k) {
            toggle_group(m, s, filter_keys[i].group);
            return;
        }
}

void view_handle_event(struct view_model *m, struct view_state *s, const SDL_Event *e)
{
    s->redraw = true;
    switch (e->type) {
    case SDL_QUIT: s->quit = true; break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED && e->window.data1 > VIEW_GUTTER + 10) {
            s->w = e->window.data1;
            s->h = e->window.data2;
        }
        break;
    case SDL_KEYDOWN: key_down(m, s, e->key.keysym.sym, e->key.keysym.mod); break;
    case SDL_MOUSEWHEEL: /* zoom around the pointer (mouseX: SDL >= 2.26) */
        view_zoom(s, pow(1.25, e->wheel.y), e->wheel.mouseX);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            s->dragging = true;
            s->drag_x = e->button.x;
            s->drag_t0 = s->t0;
        }
        break;
    case SDL_MOUSEMOTION:
        if (!s->dragging) {
            int64_t h = view_pick(m, s, e->motion.x, e->motion.y);
            s->redraw = h != s->hover;
            s->hover = h;
        } else {
            double span = s->t1 - s->t0;
            s->t0 = s->drag_t0 - (double)(e->motion.x - s->drag_x) * span / (s->w - VIEW_GUTTER);
            s->t1 = s->t0 + span;
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT && s->dragging) {
            s->dragging = false;
            if (abs(e->button.x - s->drag_x) < 3) /* a click, not a drag */
                select_event(m, s, view_pick(m, s, e->button.x, e->button.y));
        }
        break;
    default: s->redraw = false; break;
    }
}

/* ---- scripts ---- */

static bool num(const char *t, double *v)
{
    char *end;
    if (!t)
        return false;
    *v = strtod(t, &end);
    return end != t && !*end;
}

static void mouse(SDL_Event *ev, Uint32 type, int x, int y)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    if (type == SDL_MOUSEMOTION) {
        ev->motion.x = x;
        ev->motion.y = y;
    } else {
        ev->button.button = SDL_BUTTON_LEFT;
        ev->button.x = x;
        ev->button.y = y;
    }
}

bool view_run_script(struct view_model *m, struct view_state *s, const char *script, char *err,
                     size_t errlen)
{
    char *copy = strdup(script), *save = NULL;
    bool ok = true;
    for (char *cmd = strtok_r(copy, ";", &save); cmd && ok; cmd = strtok_r(NULL, ";", &save)) {
        char *w[4] = { 0 }, *sv = NULL;
        int n = 0;
        for (char *t = strtok_r(cmd, " \t\n", &sv); t && n < 4; t = strtok_r(NULL, " \t\n", &sv))
            w[n++] = t;
        if (!n)
            continue;
        double a = 0, b = 0;
        SDL_Event ev;
        if (!strcmp(w[0], "fit") && n == 1) {
            view_fit(m, s);
        } else if (!strcmp(w[0], "range") && n == 3 && num(w[1], &a) && num(w[2], &b) && b > a) {
            s->t0 = a;
            s->t1 = b;
        } else if (!strcmp(w[0], "goto") && n == 2 && num(w[1], &a)) {
            view_goto(s, a);
        } else if (!strcmp(w[0], "zoom") && n >= 2 && num(w[1], &a) && a > 0 &&
                   (n == 2 || num(w[2], &b))) {
            view_zoom(s, a, n == 3 ? (int)b : VIEW_GUTTER + (s->w - VIEW_GUTTER) / 2);
        } else if (!strcmp(w[0], "pan") && n == 2 && num(w[1], &a)) {
            view_pan_px(s, (int)a);
        } else if (!strcmp(w[0], "key") && n == 2) {
            memset(&ev, 0, sizeof ev);
            ev.type = SDL_KEYDOWN;
            const char *name = w[1];
            if (strlen(name) == 2 && name[0] == 'S' && isalpha((unsigned char)name[1])) {
                ev.key.keysym.mod = KMOD_LSHIFT; /* "SV": shift+v */
                name++;
            }
            ev.key.keysym.sym = SDL_GetKeyFromName(name);
            if (ev.key.keysym.sym == SDLK_UNKNOWN) {
                snprintf(err, errlen, "--script: unknown key '%s'", w[1]);
                ok = false;
            } else {
                view_handle_event(m, s, &ev);
            }
        } else if (!strcmp(w[0], "click") && n == 3 && num(w[1], &a) && num(w[2], &b)) {
            mouse(&ev, SDL_MOUSEBUTTONDOWN, (int)a, (int)b);
            view_handle_event(m, s, &ev);
            mouse(&ev, SDL_MOUSEBUTTONUP, (int)a, (int)b);
            view_handle_event(m, s, &ev);
        } else if (!strcmp(w[0], "hover") && n == 3 && num(w[1], &a) && num(w[2], &b)) {
            mouse(&ev, SDL_MOUSEMOTION, (int)a, (int)b);
            view_handle_event(m, s, &ev);
            if (s->hover >= 0) {
                char line[1200];
                view_event_text(m, (uint32_t)s->hover, line, sizeof line);
                printf("hover: %s\n", line);
            } else {
                printf("hover: nothing\n");
            }
        } else if (!strcmp(w[0], "drag") && n == 3 && num(w[1], &a) && num(w[2], &b)) {
            int y = VIEW_AXIS_H + 2;
            mouse(&ev, SDL_MOUSEBUTTONDOWN, (int)a, y);
            view_handle_event(m, s, &ev);
            mouse(&ev, SDL_MOUSEMOTION, (int)b, y);
            view_handle_event(m, s, &ev);
            mouse(&ev, SDL_MOUSEBUTTONUP, (int)b, y);
            view_handle_event(m, s, &ev);
        } else if (!strcmp(w[0], "wheel") && n == 3 && num(w[1], &a) && num(w[2], &b) &&
                   fabs(a) < 100 && b >= 0 && b < 1e6) {
            memset(&ev, 0, sizeof ev);
            ev.type = SDL_MOUSEWHEEL;
            ev.wheel.y = (Sint32)a;
            ev.wheel.mouseX = (Sint32)b;
            view_handle_event(m, s, &ev);
        } else if (!strcmp(w[0], "search") && n == 2) {
            unsigned k = 0;
            while (k < TK_COUNT && strcmp(trace_kinds[k].name, w[1]))
                k++;
            if (k == TK_COUNT) {
                snprintf(err, errlen, "--script: search: unknown event kind '%s'", w[1]);
                ok = false;
            } else if (view_search_next(m, s, k)) {
                select_event(m, s, s->selected);
            } else {
                printf("search: no later %s\n", w[1]);
            }
        } else {
            snprintf(err, errlen, "--script: bad command '%s'", w[0]);
            ok = false;
        }
    }
    free(copy);
    return ok;
}
