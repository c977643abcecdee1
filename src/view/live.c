/* `hvsim run ... --display sdl`: the timeline of the running machine,
 * growing while it runs (docs/view.md "The live window").
 *
 * How it reads the machine, and why the run stays the run:
 *   - events: a tap (struct trace) stands in front of the recorder
 *     (m->trace), the way the gdb stub's does: every event goes on to the
 *     recorder unchanged (same mask, same check-record schedule) and is
 *     appended to the view's model. Without --trace the tap alone records
 *     the default kinds for the window.
 *   - the window's turn: m->display_poll, once a round, between rounds, on
 *     the simulator's thread. At most 30 times a host second it reads SDL's
 *     input, rebuilds the model when events came (throttled: never more
 *     than a fifth of the host time) and draws. Host time decides only
 *     when the window looks, never what the machine does.
 *   - stopping: pause sets sched.pause (sched_run returns between rounds);
 *     a step or "run to the next IPI / VM exit" arms sched.debug_stop, the
 *     scheduler's before-every-instruction hook the gdb stub uses, which
 *     stops the schedule where it is without changing it. A stopped
 *     machine waits in view_live_run's loop; sched_run resumes it exactly.
 *   - keys typed into the window (console mode) go into the console's
 *     input FIFO (console_inject), as bytes from stdin do: the UART takes
 *     them at its round poll and records `input` events, so `hvsim replay`
 *     feeds them back at the same virtual times. */
#include <SDL.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live.h"
#include "screen.h"
#include "view.h"
#include "devices/console.h"
#include "sim/cpu.h"
#include "sim/machine.h"
#include "trace/record.h"
#include "trace/trace.h"

enum go { GO_NONE, GO_STEP, GO_IPI, GO_VMEXIT };

struct view_live {
    struct machine *m;
    struct trace tap;         /* m->trace while the window is open */
    struct trace *orig;       /* the recorder (--trace), or NULL */
    struct view_model vm;
    struct view_state s;
    SDL_Window *win;
    SDL_Renderer *r;
    struct view_font *f;
    bool paused, closed, console_keys, follow, idle, ended;
    bool started;             /* the schedule has run (view_live_run) */
    enum go go;
    struct cpu *step_cpu;
    uint64_t step_goal, step_pc;
    bool stop_now;
    int64_t stop_ev;          /* the event a run-to stopped after (-1) */
    double next_frame, next_build, fps;
    unsigned shots;           /* F12 pictures saved */
    /* the guest screen (screen.c), right of the timeline: scr_w x scr_h
     * pixels scaled into a box of box_w x s.h (box_w 0: no screen) */
    int box_w, scr_w, scr_h;
    uint32_t *scr_px, *scr_prev;
    SDL_Texture *scr_tex;
};

#define SCREEN_BOX_MAX_W 640  /* the screen box's width at most (pixels) */
static void screen_draw(struct view_live *v);

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* host time: when to draw, never what runs */
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Instructions retired by every CPU (exact also in the middle of a round). */
static unsigned long long retired_all(const struct machine *m)
{
    unsigned long long n = 0;
    for (int i = 0; i < m->ncpus; i++)
        n += m->cpus[i]->retired;
    return n;
}

/* ---- the tap ---- */

static bool stop_hook(void *opaque, struct cpu *c)
{
    struct view_live *v = opaque;
    (void)c;
    if (v->go == GO_STEP)
        return v->step_cpu->retired >= v->step_goal;
    return v->stop_now;
}

static void tap_sink(void *opaque, const struct trace_event *ev)
{
    struct view_live *v = opaque;
    if (v->orig && (v->orig->mask >> ev->kind & 1))
        trace_emit(v->orig, ev);
    view_model_add(&v->vm, ev);
    if ((v->go == GO_IPI && ev->kind == TK_IPI_SEND) ||
        (v->go == GO_VMEXIT && ev->kind == TK_VM_EXIT)) {
        /* stop before the next instruction (the event's one completes) */
        v->stop_ev = (int64_t)v->vm.nev - 1;
        v->stop_now = true;
        v->m->sched.debug_stop = stop_hook;
        v->m->sched.debug_opaque = v;
        if (v->m->sched.current)
            cpu_end_run(v->m->sched.current);
    }
}

/* ---- input ---- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hvsim: live: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void type_bytes(struct view_live *v, const char *b, size_t n)
{
    size_t got = console_inject(v->m->console, (const uint8_t *)b, n);
    if (got < n)
        snprintf(v->s.status, sizeof v->s.status, "console input full: %zu bytes dropped", n - got);
}

/* A key in console mode: the bytes a terminal would send (text comes as
 * SDL_TEXTINPUT). True if it was one. */
static bool console_key(struct view_live *v, SDL_Keycode k, Uint16 mod)
{
    char b[4];
    const char *seq = NULL;
    switch (k) {
    case SDLK_RETURN: case SDLK_KP_ENTER: seq = "\r"; break;
    case SDLK_BACKSPACE: seq = "\x7f"; break;
    case SDLK_TAB: seq = "\t"; break;
    case SDLK_ESCAPE: seq = "\x1b"; break;
    case SDLK_UP: seq = "\x1b[A"; break;
    case SDLK_DOWN: seq = "\x1b[B"; break;
    case SDLK_RIGHT: seq = "\x1b[C"; break;
    case SDLK_LEFT: seq = "\x1b[D"; break;
    default:
        if ((mod & KMOD_CTRL) && k >= SDLK_a && k <= SDLK_z) {
            b[0] = (char)(k - SDLK_a + 1);
            b[1] = 0;
            seq = b;
        }
        break;
    }
    if (!seq)
        return false;
    type_bytes(v, seq, strlen(seq));
    return true;
}

static void lane_select(struct view_live *v, int lane)
{
    if (lane < 0 || lane >= v->m->ncpus)
        return;
    v->s.lane_sel = lane;
}

static void resume(struct view_live *v)
{
    if (v->paused)
        say("resumed at %llu instructions", retired_all(v->m));
    v->paused = false;
}

static void pause_now(struct view_live *v)
{
    if (v->paused)
        return;
    v->go = GO_NONE;
    v->m->sched.pause = true; /* sched_run returns before the next round */
}

/* The live keys: F5 pause/resume, F6 step, F7 run to next ipi.send, F8
 * to next vm.exit, F2 console/view keys, F3/F4 lane, End: follow. */
static bool live_key(struct view_live *v, SDL_Keycode k)
{
    struct machine *m = v->m;
    switch (k) {
    case SDLK_F2:
        v->console_keys = !v->console_keys;
        return true;
    case SDLK_F3: lane_select(v, v->s.lane_sel - 1); return true;
    case SDLK_F4: lane_select(v, v->s.lane_sel + 1); return true;
    case SDLK_END: v->follow = true; return true;
    case SDLK_F12: { /* the frame on screen to hvsim-live-N.bmp */
        char path[64];
        snprintf(path, sizeof path, "hvsim-live-%u.bmp", ++v->shots);
        view_render(v->r, v->f, &v->vm, &v->s, v->fps);
        screen_draw(v);
        struct view_state whole = v->s; /* the timeline and the screen box */
        whole.w += v->box_w;
        if (view_save_window(v->r, &whole, path))
            say("saved %s (%dx%d)", path, whole.w, whole.h);
        SDL_RenderPresent(v->r);
        return true;
    }
    case SDLK_F5:
        if (v->paused)
            resume(v);
        else
            pause_now(v);
        return true;
    case SDLK_F6: {
        struct cpu *c = m->cpus[v->s.lane_sel];
        v->go = GO_STEP;
        v->step_cpu = c;
        v->step_goal = c->retired + 1;
        v->step_pc = c->ops->get_pc(c);
        m->sched.debug_stop = stop_hook;
        m->sched.debug_opaque = v;
        resume(v);
        return true;
    }
    case SDLK_F7: case SDLK_F8: {
        unsigned kind = k == SDLK_F7 ? TK_IPI_SEND : TK_VM_EXIT;
        if (!(v->tap.mask >> kind & 1)) {
            snprintf(v->s.status, sizeof v->s.status, "%s is not recorded (--events)",
                     trace_kinds[kind].name);
            say("%s", v->s.status);
            return true;
        }
        v->go = k == SDLK_F7 ? GO_IPI : GO_VMEXIT;
        v->stop_now = false;
        resume(v);
        return true;
    }
    default:
        return false;
    }
}

/* A resized window: the timeline gets the width left of the screen box. */
static const SDL_Event *timeline_event(const struct view_live *v, const SDL_Event *e,
                                       SDL_Event *tmp)
{
    if (!v->box_w || e->type != SDL_WINDOWEVENT || e->window.event != SDL_WINDOWEVENT_SIZE_CHANGED)
        return e;
    *tmp = *e;
    tmp->window.data1 -= v->box_w;
    return tmp;
}

static void record_host_stop(struct view_live *v);

static void handle(struct view_live *v, const SDL_Event *e)
{
    SDL_Event tmp;
    e = timeline_event(v, e, &tmp);
    double t0 = v->s.t0, t1 = v->s.t1;
    v->s.redraw = true;
    if (e->type == SDL_KEYDOWN && live_key(v, e->key.keysym.sym))
        return;
    if (v->console_keys) {
        if (e->type == SDL_TEXTINPUT) {
            type_bytes(v, e->text.text, strlen(e->text.text));
            return;
        }
        if (e->type == SDL_KEYDOWN) {
            console_key(v, e->key.keysym.sym, e->key.keysym.mod);
            return;
        }
    } else if (e->type == SDL_TEXTINPUT) {
        return;
    }
    if (((e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEBUTTONUP) && e->button.x >= v->s.w) ||
        (e->type == SDL_MOUSEMOTION && e->motion.x >= v->s.w && !v->s.dragging))
        return; /* the guest screen's box */
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT &&
        e->button.y >= VIEW_AXIS_H)
        lane_select(v, (e->button.y - VIEW_AXIS_H) / (VIEW_LANE_H + VIEW_LANE_GAP));
    bool fit = e->type == SDL_KEYDOWN && !v->console_keys &&
               (e->key.keysym.sym == SDLK_f || e->key.keysym.sym == SDLK_HOME);
    view_handle_event(&v->vm, &v->s, e);
    if (fit)
        v->follow = true;
    else if (v->s.t0 != t0 || v->s.t1 != t1)
        v->follow = false; /* the user moved the view */
    if (v->s.quit && !v->closed) {
        v->closed = true;
        record_host_stop(v);
        machine_request_exit(v->m, EXIT_PASS, "the live window was closed");
    }
}

/* Closing the window ends the run at a point of the host's choosing: the
 * recording gets a host stop (a gdb.sched record: cpu none, held = end =
 * 0, addr = round + 1, src/trace/event.h), which `hvsim replay` re-applies
 * to end its run at the same point, so that its end record is the
 * recording's (docs/view.md "The live window"). Where in the schedule:
 * inside a round (stopped by a step or a run-to: at its position), or
 * between rounds before round `round`'s round hook (the idle wait, a
 * paused start) or in / after it (the window's turn is in the hook; F5
 * pauses after it). Written to the recorder whatever its event mask. */
static void record_host_stop(struct view_live *v)
{
    struct machine *m = v->m;
    if (!v->orig)
        return;
    uint64_t where = m->sched.in_round ? TRACE_HOST_STOP_IN_ROUND
                     : v->idle || !v->started ? TRACE_HOST_STOP_BEFORE_HOOK
                                              : TRACE_HOST_STOP_AFTER_HOOK;
    struct trace_event ev = { .time = m->sched.round_start, .cpu = TRACE_NO_CPU, .kind = TK_GDB_SCHED,
                              .a = { m->sched.executed, 0, 0, m->sched.rounds + 1, where } };
    trace_emit(v->orig, &ev);
}

/* ---- drawing ---- */

/* The guest screen's pixels now (at most once a frame): a redraw when
 * they changed. Reads guest memory only. */
static void screen_update(struct view_live *v)
{
    int w, h;
    if (!v->box_w || !screen_size(v->m, &w, &h))
        return;
    if (w != v->scr_w || h != v->scr_h || !v->scr_tex) { /* a new size (VGA rows) */
        uint32_t *px = realloc(v->scr_px, (size_t)w * h * sizeof *px);
        uint32_t *prev = realloc(v->scr_prev, (size_t)w * h * sizeof *prev);
        if (px)
            v->scr_px = px;
        if (prev)
            v->scr_prev = prev;
        if (v->scr_tex)
            SDL_DestroyTexture(v->scr_tex);
        v->scr_tex = px && prev ? SDL_CreateTexture(v->r, SDL_PIXELFORMAT_RGB888,
                                                    SDL_TEXTUREACCESS_STREAMING, w, h) : NULL;
        if (!v->scr_tex)
            return;
        v->scr_w = w;
        v->scr_h = h;
        memset(v->scr_prev, 0xff, (size_t)w * h * sizeof *v->scr_prev);
    }
    if (!screen_render(v->m, v->scr_px, w, h))
        return;
    size_t n = (size_t)w * h * sizeof *v->scr_px;
    if (!memcmp(v->scr_px, v->scr_prev, n))
        return;
    memcpy(v->scr_prev, v->scr_px, n);
    SDL_UpdateTexture(v->scr_tex, NULL, v->scr_px, w * (int)sizeof *v->scr_px);
    v->s.redraw = true;
}

/* The box right of the timeline: the screen scaled to fit (aspect kept,
 * nearest pixel), centred, with its size below. */
static void screen_draw(struct view_live *v)
{
    if (!v->box_w)
        return;
    SDL_RenderSetClipRect(v->r, NULL);
    SDL_Rect box = { v->s.w, 0, v->box_w, v->s.h };
    SDL_SetRenderDrawColor(v->r, 0x30, 0x30, 0x30, 255);
    SDL_RenderFillRect(v->r, &box);
    char cap[64];
    if (!v->scr_tex) {
        view_font_draw(v->f, v->r, v->s.w + 8, 8, 0xdddddd, "no guest screen yet");
        return;
    }
    int fh = view_font_height(v->f) + 4;
    double sx = (double)v->box_w / v->scr_w, sy = (double)(v->s.h - fh) / v->scr_h;
    double sc = sx < sy ? sx : sy;
    SDL_Rect dst = { 0, 0, (int)(v->scr_w * sc), (int)(v->scr_h * sc) };
    dst.x = v->s.w + (v->box_w - dst.w) / 2;
    SDL_RenderCopy(v->r, v->scr_tex, NULL, &dst);
    snprintf(cap, sizeof cap, "guest screen %dx%d", v->scr_w, v->scr_h);
    view_font_draw(v->f, v->r, v->s.w + 8, dst.h + 2, 0xdddddd, cap);
}

static void frame(struct view_live *v, bool force_build)
{
    struct machine *m = v->m;
    double t = now_s();
    if (v->vm.nev != v->vm.built_nev && (force_build || t >= v->next_build)) {
        int64_t sel = v->s.selected;
        view_model_build(&v->vm);
        double cost = now_s() - t;
        /* rebuilding is O(events): at most a fifth of the host time */
        v->next_build = now_s() + (cost * 4 > 0.1 ? cost * 4 : 0.1);
        v->s.selected = sel;
        v->s.hover = -1;
        v->s.redraw = true;
    }
    if (m->sched.round_start > v->vm.t_max)
        v->vm.t_max = m->sched.round_start;
    if (v->follow) {
        view_fit(&v->vm, &v->s);
        v->s.redraw = true;
    }
    const char *mode = v->paused ? "PAUSED" : v->idle ? "idle: waiting for input" : v->go == GO_STEP ? "stepping"
                     : v->go == GO_IPI ? "running to ipi.send" : v->go == GO_VMEXIT
                     ? "running to vm.exit" : v->ended ? "ended" : "running";
    char live[sizeof v->s.live];
    snprintf(live, sizeof live, "%s  %llu insns  t=%llu  %s%d  keys: %s (F2)", mode,
             retired_all(m),
             (unsigned long long)m->sched.round_start, v->vm.cpu_word, v->s.lane_sel,
             v->console_keys ? "console" : "view");
    if (strcmp(live, v->s.live)) {
        memcpy(v->s.live, live, sizeof live);
        v->s.redraw = true;
    }
    screen_update(v);
    if (!v->s.redraw)
        return;
    double f0 = now_s();
    view_render(v->r, v->f, &v->vm, &v->s, v->fps);
    screen_draw(v);
    SDL_RenderPresent(v->r);
    double d = now_s() - f0;
    v->fps = d > 0 ? 1 / d : 0;
    v->s.redraw = false;
}

/* The machine's round: the window's turn (at most 30 times a second). */
static void live_poll(void *opaque)
{
    struct view_live *v = opaque;
    double t = now_s();
    if (t < v->next_frame)
        return;
    v->next_frame = t + 1.0 / 30;
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle(v, &e);
    frame(v, false);
}

/* Every CPU waits for an interrupt and nothing is armed: only input can
 * wake the machine, from the window or from stdin. */
static bool live_idle(void *opaque)
{
    struct view_live *v = opaque;
    struct machine *m = v->m;
    v->s.redraw = true;
    v->idle = true;
    say("every %s waits for an interrupt and nothing is armed: waiting for keys", v->vm.cpu_word);
    while (!v->closed && !m->sched.pause) {
        console_poll(m->console);
        if (console_has_input(m->console))
            break;
        frame(v, true);
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, 50)) {
            handle(v, &e);
            while (SDL_PollEvent(&e))
                handle(v, &e);
        }
    }
    v->idle = false;
    return true; /* input; closed: the exit request ends the run; pause: sched_run stops */
}

/* ---- open, run, close ---- */

struct view_live *view_live_open(struct machine *m)
{
    struct view_live *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->m = m;
    v->orig = m->trace;
    v->s = (struct view_state){ .w = 1280, .h = 720, .selected = -1, .hover = -1,
                                .search_track = TK_IPI_SEND, .lane_sel = 0 };
    v->console_keys = true;
    v->follow = true;
    v->stop_ev = -1;
    uint64_t mask = v->orig ? v->orig->mask
                            : trace_default_mask() | (1ull << TK_INPUT) | (1ull << TK_END);
    char err[512];
    struct trace_header h;
    if (!trace_fill_header(m, &h, mask, 0, m->serial_spec, err, sizeof err)) {
        fprintf(stderr, "hvsim: --display sdl: %s\n", err);
        trace_header_free(&h);
        free(v);
        return NULL;
    }
    view_model_init(&v->vm, &h, "live");
    trace_header_free(&h);
    int lanes = m->ncpus;
    int hgt = view_lane_top(lanes) + VIEW_PANEL_H;
    v->s.h = hgt < 400 ? 400 : hgt > 1000 ? 1000 : hgt;
    int sw, sh;
    if (screen_size(m, &sw, &sh)) { /* a box right of the timeline */
        double sc = (double)(v->s.h - 20) / sh;
        if (sw * sc > SCREEN_BOX_MAX_W)
            sc = (double)SCREEN_BOX_MAX_W / sw;
        v->box_w = (int)(sw * sc) + 16;
    }
    char title[256];
    snprintf(title, sizeof title, "hvsim run: %s, %d %ss", m->cfg.name, m->ncpus, v->vm.cpu_word);
    if (!view_open_window("--display sdl", title, v->s.w + v->box_w, v->s.h, &v->win, &v->r)) {
        view_model_free(&v->vm);
        free(v);
        return NULL;
    }
    v->f = view_font_open(v->r, 12);
    SDL_StartTextInput();
    /* the tap in front of the recorder, with its check-record schedule */
    v->tap = (struct trace){ .mask = mask, .sink = tap_sink, .sink_opaque = v };
    if (v->orig) {
        v->tap.check_interval = v->orig->check_interval;
        v->tap.next_check = v->orig->next_check;
        v->tap.check_seq = v->orig->check_seq;
    }
    m->trace = &v->tap;
    m->trace_mask = mask;
    m->display_poll = live_poll;
    m->display_idle = live_idle;
    m->display_opaque = v;
    view_model_build(&v->vm);
    view_fit(&v->vm, &v->s);
    frame(v, true);
    return v;
}

static void report_stop(struct view_live *v)
{
    struct machine *m = v->m;
    char line[1200];
    if (v->go == GO_STEP) {
        struct cpu *c = v->step_cpu;
        say("step %s%d: pc 0x%llx -> 0x%llx, its instruction %llu, %llu in all", v->vm.cpu_word,
            c->id, (unsigned long long)v->step_pc, (unsigned long long)c->ops->get_pc(c),
            (unsigned long long)c->retired, retired_all(m));
    } else if (v->stop_ev >= 0) {
        frame(v, true); /* the model knows the event */
        view_event_text(&v->vm, (uint32_t)v->stop_ev, line, sizeof line);
        say("stopped after %s", line);
        v->s.selected = v->stop_ev;
        v->follow = false;
        view_goto(&v->s, (double)v->vm.ev[v->stop_ev].time);
    } else {
        say("paused at %llu instructions, virtual time %llu ticks", retired_all(m),
            (unsigned long long)m->sched.round_start);
    }
}

bool view_live_flags(const char *v, unsigned *flags)
{
    *flags = 0;
    if (strncmp(v, "sdl", 3) != 0)
        return false;
    for (const char *p = v + 3; *p;) {
        if (!strncmp(p, ",paused", 7) && (p[7] == ',' || !p[7])) {
            *flags |= VIEW_LIVE_PAUSED;
            p += 7;
        } else if (!strncmp(p, ",hold", 5) && (p[5] == ',' || !p[5])) {
            *flags |= VIEW_LIVE_HOLD;
            p += 5;
        } else {
            return false;
        }
    }
    return true;
}

int view_live_run(struct view_live *v, uint64_t max_insns, unsigned flags)
{
    struct machine *m = v->m;
    int rc;
    bool stopped = flags & VIEW_LIVE_PAUSED;
    for (;;) {
        if (stopped && !v->closed) {
            report_stop(v);
            v->go = GO_NONE;
            v->stop_now = false;
            v->stop_ev = -1;
            v->paused = true;
            v->s.redraw = true;
            while (v->paused && !v->closed) {
                frame(v, true);
                SDL_Event e;
                if (SDL_WaitEventTimeout(&e, 100)) {
                    handle(v, &e);
                    while (SDL_PollEvent(&e))
                        handle(v, &e);
                }
            }
        }
        v->started = true;
        rc = machine_run(m, max_insns);
        if (rc != SCHED_DEBUG_STOP)
            break;
        m->sched.debug_stop = NULL;
        m->sched.stopped_cpu = NULL;
        stopped = true;
    }
    v->paused = false;
    v->go = GO_NONE;
    v->ended = true;
    frame(v, true);
    if ((flags & VIEW_LIVE_HOLD) && !v->closed) {
        /* the run is over: the window stays, with the view's keys, until closed */
        say("the machine ended (%s); close the window or press q", m->exit_reason);
        v->console_keys = false;
        v->s.quit = false;
        while (!v->s.quit) {
            frame(v, true);
            SDL_Event e;
            if (SDL_WaitEventTimeout(&e, 100)) {
                SDL_Event tmp;
                view_handle_event(&v->vm, &v->s, timeline_event(v, &e, &tmp));
                if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_F12)
                    live_key(v, SDLK_F12);
                while (SDL_PollEvent(&e))
                    view_handle_event(&v->vm, &v->s, timeline_event(v, &e, &tmp));
            }
        }
    }
    return rc;
}

void view_live_close(struct view_live *v)
{
    if (!v)
        return;
    struct machine *m = v->m;
    if (m->trace == &v->tap) {
        if (v->orig) {
            v->orig->next_check = v->tap.next_check;
            v->orig->check_seq = v->tap.check_seq;
        }
        m->trace = v->orig;
        m->trace_mask = v->orig ? v->orig->mask : 0;
    }
    m->display_poll = NULL;
    m->display_idle = NULL;
    m->display_opaque = NULL;
    view_font_close(v->f);
    if (v->scr_tex)
        SDL_DestroyTexture(v->scr_tex);
    free(v->scr_px);
    free(v->scr_prev);
    SDL_DestroyRenderer(v->r);
    SDL_DestroyWindow(v->win);
    SDL_Quit();
    view_model_free(&v->vm);
    free(v);
}
