/* `hvsim run ... --display sdl`: the timeline of the running machine in a
 * window (docs/view.md "The live window"). The only part of the viewer the
 * `run` command reaches (src/main.c); no SDL type here. The machine never
 * calls into it except through its display_poll slot, once a round. */
#ifndef HVSIM_VIEW_LIVE_H
#define HVSIM_VIEW_LIVE_H
#include <stdbool.h>
#include <stdint.h>

struct machine;
struct view_live;

/* Opens the window for machine m, whose recorder (--trace, m->trace) is
 * already attached if any. NULL after printing why (no display: SDL's
 * message): the caller exits 2. */
struct view_live *view_live_open(struct machine *m);
/* `--display sdl[,paused][,hold]`: false unless v is such a value. */
#define VIEW_LIVE_PAUSED 1u  /* paused at reset */
#define VIEW_LIVE_HOLD 2u    /* the window stays after the run until closed */
bool view_live_flags(const char *v, unsigned *flags);
/* Runs the machine (machine_run) with the window: pauses, steps and
 * run-to stops between sched_run calls. Returns the exit status. */
int view_live_run(struct view_live *v, uint64_t max_insns, unsigned flags);
/* Detaches from the machine (m->trace is the recorder again, for
 * trace_record_finish) and closes the window. */
void view_live_close(struct view_live *v);

/* `run --screenshot FILE`: the guest screen (src/view/screen.c) now, as
 * PNG (FILE ends in .png) or binary PPM. false + message: no screen (exit
 * 2) or a file error. Reads the machine only. */
bool view_screen_save(struct machine *m, const char *path, char *err, size_t errlen);

#endif
