/* `hvsim trace view FILE.hvt`: an SDL2 window of a recorded timeline
 * (docs/view.md). A tool, not part of the simulator: nothing under src/sim,
 * src/cpu, src/boards, src/apic, src/devices or src/vmm includes this
 * header (scripts/check-layering.sh), so the machine can never depend on
 * the window.
 *
 *   model.c   the trace loaded into per-lane, time-sorted tracks; mode
 *             spans with cumulative time per mode; IPI arrows; the column
 *             queries of the level-of-detail renderer
 *   render.c  one frame: axis, lanes, bands, markers, arrows, panel
 *   font.c    text: a glyph atlas of a DejaVu font (SDL2_ttf)
 *   input.c   keys, mouse and script commands -> view state changes
 *   main.c    options, SDL setup, the main loop, screenshots, --measure
 *   picture.c `trace export --format png` */
#ifndef HVSIM_VIEW_H
#define HVSIM_VIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace/event.h"

struct arch_info;
struct symtab;
struct trace_header;

/* ---- the model (model.c) ---- */

/* Lane modes (colour bands), from the privilege names of the recorded
 * architecture (arch_info.priv_name) and the guest state vm.entry/vm.exit
 * give: RISC-V M/HS(S)/U/VS/VU, x86 CPL0-2 ("kernel") / CPL3 ("user"),
 * in root or non-root operation. */
enum view_mode {
    VMODE_UNKNOWN = 0,
    VMODE_M,        /* RISC-V M */
    VMODE_S,        /* RISC-V HS/S, x86 CPL0-2 (root) */
    VMODE_U,        /* RISC-V U, x86 CPL3 (root) */
    VMODE_VS,       /* RISC-V VS, x86 CPL0-2 non-root; a guest of unknown level */
    VMODE_VU,       /* RISC-V VU, x86 CPL3 non-root */
    VMODE_COUNT
};
/* The mode's name on architecture a; NULL: the architecture has no such mode. */
const char *view_mode_name(const struct arch_info *a, unsigned mode);

/* Marker tracks: one per event kind, vm.exit split by exit class
 * (enum vmm_exit_class). */
#define VIEW_NCLASS 16
#define VIEW_TRACK_EXIT(cls) (TK_COUNT + (cls))
#define VIEW_NTRACKS (TK_COUNT + VIEW_NCLASS)

/* A change of a lane's mode at `time`; cum[m] = ticks spent in mode m
 * before `time` since the lane's first change (level-of-detail sums). */
struct view_span {
    uint64_t time;
    uint64_t cum[VMODE_COUNT];
    uint64_t sleep_cum;   /* ticks asleep (wfi/hlt) before time */
    uint8_t mode;
    uint8_t asleep;
};

/* An IPI: send on lane src, delivery and take on lane dst (UINT32_MAX
 * event index: not seen). */
struct view_arrow {
    uint32_t send, deliver, take;  /* event indices */
    uint32_t src, dst;
    int line;                      /* the interrupt line it sets (-1: unknown) */
};

struct view_track {
    uint32_t n;
    uint32_t *ev;     /* event indices, sorted by time */
    uint64_t *time;   /* their times (binary search) */
};

struct view_lane {
    struct view_span *spans;
    uint32_t nspans;
    struct view_track tracks[VIEW_NTRACKS];   /* the filtered markers */
    uint32_t *all; uint64_t *all_time; uint32_t nall; /* every event, time-sorted */
};

struct view_model {
    const char *path;
    const struct arch_info *arch;
    struct symtab *syms;
    uint64_t hz, smp;
    char cpu_word[16];
    struct trace_event *ev;    /* every event (blobs dropped) */
    uint32_t nev, cap;
    uint32_t built_nev, built_lanes; /* events and lanes view_model_build saw */
    uint64_t t_min, t_max;
    uint32_t nlanes;
    struct view_lane *lanes;
    struct view_arrow *arrows; /* sorted by send time */
    uint32_t narrows;
    uint64_t max_arrow_span;   /* longest send->last point, ticks */
    /* filters (view_model_filter) */
    uint64_t kind_mask;        /* bit k: kind k shown */
    int64_t vm;                /* -1: every VM; else only vm.exit/vm.entry of this vmid */
};

/* Loads FILE. false + message (naming the file: not a trace, truncated or
 * corrupt record) on error. */
bool view_model_load(struct view_model *m, const char *path, char *err, size_t errlen);
void view_model_free(struct view_model *m);
/* The same in steps (the live window of `run --display sdl`, live.c):
 * init from a header, add events as they come (false: the model is full),
 * build (again) the lanes, modes, tracks and arrows from all of them. */
void view_model_init(struct view_model *m, const struct trace_header *h, const char *path);
bool view_model_add(struct view_model *m, const struct trace_event *ev);
void view_model_build(struct view_model *m);
/* Rebuilds the marker tracks for m->kind_mask and m->vm. */
void view_model_filter(struct view_model *m);
/* Is event i shown under the current filters? */
bool view_model_shown(const struct view_model *m, uint32_t i);
/* The vm.exit track of event i (its exit class), or its kind. */
unsigned view_model_track_of(const struct view_model *m, uint32_t i);

/* Column queries of the level-of-detail renderer: cost O(log n) whatever
 * the number of events in [t0, t1). */
/* Index of the first element of times[0..n) >= t. */
uint32_t view_lower_bound(const uint64_t *times, uint32_t n, uint64_t t);
/* Ticks spent in each mode and asleep within [t0, t1) on lane l. */
void view_lane_occupancy(const struct view_lane *l, uint64_t t0, uint64_t t1,
                         uint64_t occ[VMODE_COUNT], uint64_t *asleep);

/* The `trace show` line of event i (time, µs, cpu, kind, fields). */
size_t view_event_text(const struct view_model *m, uint32_t i, char *buf, size_t len);

/* ---- the view state (input.c) ---- */

struct view_state {
    int w, h;                 /* window size, pixels */
    double t0, t1;            /* visible virtual time range, ticks */
    int64_t selected;         /* event index, -1: none */
    int64_t hover;            /* event under the pointer, -1: none */
    bool dragging;
    int drag_x;
    double drag_t0;
    bool quit;
    bool redraw;
    char goto_buf[32];        /* 'g' typed digits: jump target */
    bool goto_mode;
    unsigned search_track;    /* 'n' searches the next event of this kind */
    char status[256];         /* one line of feedback in the panel */
    bool picture;             /* an exported picture: no "click" hint */
    char live[200];           /* run --display sdl: the machine's state (panel) */
    int lane_sel;             /* run --display sdl: the selected lane (-1: none) */
};

/* Geometry shared by render.c, input.c and the screenshot report. */
#define VIEW_AXIS_H 28
#define VIEW_GUTTER 72
#define VIEW_LANE_H 64
#define VIEW_LANE_GAP 6
#define VIEW_PANEL_H 96
/* Rows of a lane, offsets from its top. */
#define VIEW_ROW_BAND 0      /* mode band, 18 px */
#define VIEW_ROW_BAND_H 18
#define VIEW_ROW_SLEEP 19    /* wfi/hlt sleep, 6 px */
#define VIEW_ROW_SLEEP_H 6
#define VIEW_ROW_IRQ 27      /* interrupts, exceptions, timer fires, delivers, calls */
#define VIEW_ROW_IRQ_H 12
#define VIEW_ROW_VM 41       /* vm.exit by class, vm.entry */
#define VIEW_ROW_VM_H 12
#define VIEW_ROW_MISC 55     /* ipi.send, timer.set, mmio, others */
#define VIEW_ROW_MISC_H 9

int view_lane_top(int lane);
/* The row (VIEW_ROW_IRQ, _VM or _MISC) a marker track is drawn in. */
int view_track_row(unsigned track);
int view_time_x(const struct view_state *s, double t);
double view_x_time(const struct view_state *s, int x);

void view_fit(const struct view_model *m, struct view_state *s);
void view_zoom(struct view_state *s, double factor, int x_anchor);
void view_pan_px(struct view_state *s, int dx);
void view_goto(struct view_state *s, double t);
/* The event at window pixel (x, y), -1 if none within a few pixels. */
int64_t view_pick(const struct view_model *m, const struct view_state *s, int x, int y);
/* Selects the next shown event of track tr after the selection (or the
 * view start) and centres it; false when there is none. */
bool view_search_next(const struct view_model *m, struct view_state *s, unsigned tr);

union SDL_Event;
/* Applies one SDL event to the state (model filters may change). */
void view_handle_event(struct view_model *m, struct view_state *s, const union SDL_Event *e);
/* Runs a script of ';'-separated commands (docs/view.md) as synthetic
 * events. false + message on a bad command. */
bool view_run_script(struct view_model *m, struct view_state *s, const char *script, char *err,
                     size_t errlen);

/* ---- drawing (render.c, font.c) ---- */

struct SDL_Renderer;
struct view_font;
struct view_font *view_font_open(struct SDL_Renderer *r, int ptsize);
void view_font_close(struct view_font *f);
/* Draws text at (x, y) in colour rgb; returns the width drawn. NULL font:
 * draws nothing. */
int view_font_draw(struct view_font *f, struct SDL_Renderer *r, int x, int y, uint32_t rgb,
                   const char *text);
int view_font_height(const struct view_font *f);

/* Colours (0xRRGGBB), Okabe-Ito based (colour-blind safe). */
uint32_t view_mode_colour(unsigned mode);
uint32_t view_track_colour(unsigned track);
#define VIEW_ARROW_RGB 0xcc0088u  /* IPI arrows: used by nothing else */
#define VIEW_BG_RGB 0xf7f7f7u
#define VIEW_LANE_BG_RGB 0xffffffu
#define VIEW_SLEEP_RGB 0x505050u

void view_render(struct SDL_Renderer *r, struct view_font *f, const struct view_model *m,
                 const struct view_state *s, double fps);

/* `hvsim trace view ...` (main.c): parses argv into view_opts, then
 * view_run. */
struct view_opts {
    const char *file, *script, *screenshot, *hide, *save_on_quit;
    double from, to;
    bool has_from, has_to;
    int64_t vm;
    int w, h;
    long measure;
    bool fit_height;   /* h: as high as the lanes need (pictures) */
    bool quiet;        /* no layout on stdout after a screenshot */
};
int view_main(int argc, char **argv);
struct SDL_Window;
/* SDL_Init and a window with a renderer; false after printing why (no
 * display: SDL's message; only SDL's offscreen/dummy driver without
 * SDL_VIDEODRIVER asking for it), `who` naming the command. */
bool view_open_window(const char *who, const char *title, int w, int h, struct SDL_Window **win,
                      struct SDL_Renderer **r);
/* The window's frame to a BMP file (--save-on-quit); the screenshot layout. */
bool view_save_window(struct SDL_Renderer *r, const struct view_state *s, const char *path);
void view_print_layout(const struct view_model *m, const struct view_state *s);
int view_run(const struct view_opts *o);

/* `hvsim trace export ... --format png` (picture.c): is this export a
 * picture (--format png)? Then view_export_png does it. */
bool view_export_is_png(int argc, char **argv);
int view_export_png(int argc, char **argv);

#endif
