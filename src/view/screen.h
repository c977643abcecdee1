/* The guest screen as pixels (screen.c; docs/view.md "The guest screen"),
 * for the live window. No SDL type here. */
#ifndef HVSIM_VIEW_SCREEN_H
#define HVSIM_VIEW_SCREEN_H
#include <stdbool.h>
#include <stdint.h>

struct machine;

#define SCREEN_CELL_W 8    /* a text cell, pixels */
#define SCREEN_CELL_H 16

/* The screen's size in pixels now; false: the machine shows none. */
bool screen_size(struct machine *m, int *w, int *h);
/* Draws it as 0xRRGGBB into px (w x h, the size screen_size gave);
 * false if there is no screen or its size changed. */
bool screen_render(struct machine *m, uint32_t *px, int w, int h);

#endif
