/* `hvsim trace view FILE.hvt [options]`: options, SDL setup, the main
 * loop, screenshots and frame-rate measurement (docs/view.md).
 *
 * The window runs on SDL's default renderer and redraws only after input.
 * --screenshot (BMP, or PNG through libpng) and --measure draw with SDL's
 * software renderer into a surface of their own (no window, no display needed, the same pixels on
 * every host); the interactive window needs a video driver, and its
 * absence is a host error (exit 2) naming SDL's message. */
#include <SDL.h>
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "trace/tools.h"
#include "view.h"

static const char usage[] =
    "Usage: hvsim trace view FILE [--from T] [--to T] [--hide KINDS] [--vm ID] [--size WxH]\n"
    "                             [--script CMDS] [--screenshot OUT.bmp] [--measure N]\n"
    "                             [--save-on-quit OUT.bmp]\n"
    "  --from/--to   first visible range, virtual time in ticks (default: the whole trace)\n"
    "  --hide KINDS  event kinds or groups not to draw (as trace show --events)\n"
    "  --vm ID       only vm.exit/vm.entry of that guest id\n"
    "  --size WxH    window or picture size (default 1280x720)\n"
    "  --script C    ';'-separated commands run before the first frame: fit, range T0 T1,\n"
    "                goto T, zoom F [X], pan PX, wheel N X, drag X0 X1, click X Y, hover X Y,\n"
    "                key NAME, search KIND (docs/view.md)\n"
    "  --screenshot  draw one frame to a BMP file (PNG if it ends in .png) and exit\n"
    "                (no display needed)\n"
    "  --measure N   draw N frames zooming in and panning, print frames per second, exit\n"
    "  --save-on-quit  the window: save its last frame to a BMP file and print the layout\n"
    "                when it closes\n"
    "Keys: wheel/+/- zoom, drag/arrows pan, f fit, g digits Enter: go to time, click: fields,\n"
    "      p i t w v e s o: show/hide ipi irq timer wfi vm exc sbi mmio, a: all, V: cycle VM,\n"
    "      Tab: search kind, n: next event of it, q: quit\n";

static bool parse_num(const char *opt, const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || errno || d < 0) {
        fprintf(stderr, "hvsim: trace view: %s: expected a non-negative number, got '%s'\n", opt,
                v ? v : "");
        return false;
    }
    *out = d;
    return true;
}

/* Returns -1 to go on, else an exit status. */
static int parse_opts(int argc, char **argv, struct view_opts *o)
{
    o->vm = -1;
    o->w = 1280;
    o->h = 720;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (a[0] != '-' || !a[1]) {
            if (o->file) {
                fprintf(stderr, "hvsim: trace view: unexpected argument '%s'\n%s", a, usage);
                return 2;
            }
            o->file = a;
            continue;
        }
        static const char *const with_value[] = { "--from", "--to", "--hide", "--vm", "--size",
                                                  "--script", "--screenshot", "--measure",
                                                  "--save-on-quit" };
        size_t nopt = sizeof with_value / sizeof with_value[0];
        const char *v;
        size_t which = tool_opt_value(argc, argv, &i, with_value, nopt, &v);
        if (which == nopt) {
            fprintf(stderr, "hvsim: trace view: unknown option '%s'\n%s", a, usage);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "hvsim: trace view: %s needs a value\n%s", a, usage);
            return 2;
        }
        double d;
        switch (which) {
        case 0: if (!parse_num("--from", v, &o->from)) return 2; o->has_from = true; break;
        case 1: if (!parse_num("--to", v, &o->to)) return 2; o->has_to = true; break;
        case 2: o->hide = v; break;
        case 3: if (!parse_num("--vm", v, &d)) return 2; o->vm = (int64_t)d; break;
        case 4:
            if (sscanf(v, "%dx%d", &o->w, &o->h) != 2 || o->w < VIEW_GUTTER + 100 ||
                o->h < VIEW_AXIS_H + VIEW_PANEL_H + 20 || o->w > 16384 || o->h > 16384) {
                fprintf(stderr, "hvsim: trace view: --size: expected WxH (at least %dx%d), got '%s'\n",
                        VIEW_GUTTER + 100, VIEW_AXIS_H + VIEW_PANEL_H + 20, v);
                return 2;
            }
            break;
        case 5: o->script = v; break;
        case 6: o->screenshot = v; break;
        case 7:
            if (!parse_num("--measure", v, &d) || d < 1 || d > 1e6) {
                fprintf(stderr, "hvsim: trace view: --measure: expected 1..1000000 frames\n");
                return 2;
            }
            o->measure = (long)d;
            break;
        case 8: o->save_on_quit = v; break;
        }
    }
    if (!o->file) {
        fprintf(stderr, "hvsim: trace view: missing trace file\n%s", usage);
        return 2;
    }
    if (o->has_from && o->has_to && o->from >= o->to) {
        fprintf(stderr, "hvsim: trace view: --from %.0f is not before --to %.0f\n", o->from, o->to);
        return 2;
    }
    return -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* host time: the viewer only, never the simulator */
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What a test needs to find things in a screenshot. */
void view_print_layout(const struct view_model *m, const struct view_state *s)
{
    printf("size %d %d\nrange %.17g %.17g\ngutter %d\nlanes %u\n", s->w, s->h, s->t0, s->t1,
           VIEW_GUTTER, m->nlanes);
    for (uint32_t l = 0; l < m->nlanes; l++)
        printf("lane %u top %d band %d sleep %d irq %d vm %d misc %d height %d\n", l,
               view_lane_top((int)l), VIEW_ROW_BAND, VIEW_ROW_SLEEP, VIEW_ROW_IRQ, VIEW_ROW_VM,
               VIEW_ROW_MISC, VIEW_LANE_H);
    printf("events %u arrows %u\n", m->nev, m->narrows);
}

/* A surface (SDL_PIXELFORMAT_RGB888) as an 8-bit RGB PNG (libpng). */
static bool save_png(SDL_Surface *surf, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "hvsim: trace view: %s: %s\n", path, strerror(errno));
        return false;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = malloc((size_t)surf->w * 3);
    bool ok = false;
    if (png && info && row && !setjmp(png_jmpbuf(png))) {
        png_init_io(png, f);
        png_set_IHDR(png, info, (png_uint_32)surf->w, (png_uint_32)surf->h, 8, PNG_COLOR_TYPE_RGB,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (int y = 0; y < surf->h; y++) {
            const uint32_t *px = (const uint32_t *)((const uint8_t *)surf->pixels + (size_t)y * surf->pitch);
            for (int x = 0; x < surf->w; x++) {
                row[3 * x] = (uint8_t)(px[x] >> 16);
                row[3 * x + 1] = (uint8_t)(px[x] >> 8);
                row[3 * x + 2] = (uint8_t)px[x];
            }
            png_write_row(png, row);
        }
        png_write_end(png, NULL);
        ok = true;
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "hvsim: trace view: %s: cannot write the PNG\n", path);
    return ok;
}

/* OUT.png: PNG, anything else: BMP. */
static bool save_image(SDL_Surface *surf, const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && !strcasecmp(path + n - 4, ".png"))
        return save_png(surf, path);
    if (SDL_SaveBMP(surf, path) != 0) {
        fprintf(stderr, "hvsim: trace view: %s: %s\n", path, SDL_GetError());
        return false;
    }
    return true;
}

/* Software rendering into a surface: screenshots and --measure. */
static int offscreen(struct view_model *m, struct view_state *s, const struct view_opts *o)
{
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, s->w, s->h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(stderr, "hvsim: trace view: cannot create a software renderer: %s\n", SDL_GetError());
        SDL_FreeSurface(surf);
        return 2;
    }
    struct view_font *f = view_font_open(r, 12);
    int rc = 0;
    if (o->measure) {
        /* zoom in 2x per 20 frames from the whole trace, panning by 7 px a
         * frame: every level of detail from all events in view to a few */
        double worst = 0, total = 0;
        struct view_state st = *s;
        view_fit(m, &st);
        for (long i = 0; i < o->measure; i++) {
            if (i && i % 20 == 0)
                view_zoom(&st, 2, VIEW_GUTTER + (st.w - VIEW_GUTTER) / 3);
            view_pan_px(&st, 7);
            double t = now_s();
            view_render(r, f, m, &st, 0);
            t = now_s() - t;
            total += t;
            if (t > worst)
                worst = t;
        }
        printf("measure: %ld frames %dx%d, %u events: %.1f frames/s average, slowest frame %.1f ms\n",
               o->measure, s->w, s->h, m->nev, o->measure / total, worst * 1e3);
    }
    if (o->screenshot) {
        view_render(r, f, m, s, 0);
        if (!save_image(surf, o->screenshot)) {
            rc = 2;
        } else if (!o->quiet) {
            view_print_layout(m, s);
        }
    }
    view_font_close(f);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    return rc;
}

/* The window's current frame to a BMP file (--save-on-quit). */
bool view_save_window(SDL_Renderer *r, const struct view_state *s, const char *path)
{
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, s->w, s->h, 32, SDL_PIXELFORMAT_RGB888);
    bool ok = surf && SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_RGB888, surf->pixels,
                                           surf->pitch) == 0 && SDL_SaveBMP(surf, path) == 0;
    if (!ok)
        fprintf(stderr, "hvsim: trace view: --save-on-quit %s: %s\n", path, SDL_GetError());
    SDL_FreeSurface(surf);
    return ok;
}

bool view_open_window(const char *who, const char *title, int w, int h, SDL_Window **winp,
                      SDL_Renderer **rp)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "hvsim: %s: no display: SDL_Init: %s\n", who, SDL_GetError());
        return false;
    }
    /* SDL falls back to its offscreen driver when no display answers: a
     * window nobody sees. Only take it when asked for by name. */
    const char *drv = SDL_GetCurrentVideoDriver(), *want = SDL_getenv("SDL_VIDEODRIVER");
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")) &&
        !(want && strstr(want, drv))) {
        fprintf(stderr, "hvsim: %s: no display: SDL found only its '%s' video driver "
                "(is DISPLAY or WAYLAND_DISPLAY set?%s)\n", who, drv,
                strcmp(who, "trace view") ? "" : " --screenshot needs none");
        SDL_Quit();
        return false;
    }
    SDL_Window *win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                       w, h, SDL_WINDOW_RESIZABLE);
    SDL_Renderer *r = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
    if (!r) {
        fprintf(stderr, "hvsim: %s: cannot open a window: %s\n", who, SDL_GetError());
        if (win)
            SDL_DestroyWindow(win);
        SDL_Quit();
        return false;
    }
    *winp = win;
    *rp = r;
    return true;
}

static int interactive(struct view_model *m, struct view_state *s, const char *save_on_quit)
{
    char title[512];
    snprintf(title, sizeof title, "hvsim trace view %s", m->path);
    SDL_Window *win;
    SDL_Renderer *r;
    if (!view_open_window("trace view", title, s->w, s->h, &win, &r))
        return 2;
    struct view_font *f = view_font_open(r, 12);
    double fps = 0;
    int rc = 0;
    s->redraw = true;
    for (;;) {
        SDL_Event e;
        if (!s->redraw && !s->quit) {
            if (!SDL_WaitEvent(&e)) {
                fprintf(stderr, "hvsim: trace view: SDL_WaitEvent: %s\n", SDL_GetError());
                break;
            }
            view_handle_event(m, s, &e);
        }
        while (SDL_PollEvent(&e))
            view_handle_event(m, s, &e);
        if (!s->redraw && !s->quit)
            continue;
        double t = now_s();
        view_render(r, f, m, s, fps);
        if (s->quit && save_on_quit) { /* read back before presenting */
            if (!view_save_window(r, s, save_on_quit))
                rc = 2;
            else
                view_print_layout(m, s);
        }
        SDL_RenderPresent(r);
        t = now_s() - t;
        fps = t > 0 ? 1 / t : 0;
        s->redraw = false;
        if (s->quit) /* after drawing the frame --save-on-quit keeps */
            break;
    }
    view_font_close(f);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return rc;
}

int view_main(int argc, char **argv)
{
    struct view_opts o = { 0 };
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        return rc;
    return view_run(&o);
}

int view_run(const struct view_opts *op)
{
    struct view_opts o = *op;
    int rc;
    uint64_t hide = 0;
    char err[512];
    if (o.hide && !trace_parse_kinds(o.hide, "--hide", &hide, err, sizeof err)) {
        fprintf(stderr, "hvsim: trace view: %s\n", err);
        return 2;
    }
    struct view_model m;
    if (!view_model_load(&m, o.file, err, sizeof err)) {
        fprintf(stderr, "hvsim: trace view: %s\n", err);
        return 2;
    }
    if (o.fit_height) {
        o.h = view_lane_top((int)m.nlanes) + VIEW_PANEL_H;
        if (o.h > 16384)
            o.h = 16384;
    }
    m.kind_mask &= ~hide;
    m.vm = o.vm;
    view_model_filter(&m);
    struct view_state s = { .w = o.w, .h = o.h, .selected = -1, .hover = -1, .search_track = TK_IPI_SEND };
    s.picture = o.quiet;
    view_fit(&m, &s);
    if (o.has_from || o.has_to) {
        double span = s.t1 - s.t0;
        s.t0 = o.has_from ? o.from : (o.to - span > 0 ? o.to - span : 0);
        s.t1 = o.has_to ? o.to : s.t0 + span;
    }
    if (o.script && !view_run_script(&m, &s, o.script, err, sizeof err)) {
        fprintf(stderr, "hvsim: trace view: %s\n", err);
        view_model_free(&m);
        return 2;
    }
    if (o.screenshot || o.measure)
        rc = offscreen(&m, &s, &o);
    else
        rc = interactive(&m, &s, o.save_on_quit);
    view_model_free(&m);
    return rc;
}
