/* Guest screens, as the tools see them (docs/view.md "The guest screen").
 *
 * A board that has a screen describes it on demand (board_ops.screen):
 * either a linear framebuffer in guest memory (RISC-V simple-framebuffer,
 * pixels a8r8g8b8) or a VGA text buffer (x86, 80x25 cells of character +
 * attribute, src/devices/vga.h). The description points into guest memory
 * (host pointers of the bus's RAM) and is only read, between scheduling
 * rounds, by the live window and `run --screenshot` (src/view/screen.c):
 * looking at the screen never changes the machine. */
#ifndef HVSIM_DEVICES_FRAMEBUFFER_H
#define HVSIM_DEVICES_FRAMEBUFFER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum screen_kind {
    SCREEN_NONE = 0,
    SCREEN_PIXELS,   /* width x height pixels, stride bytes a row, a8r8g8b8 (little-endian u32) */
    SCREEN_TEXT,     /* width x height cells of 2 bytes (code, attribute), stride bytes a row */
};

struct screen_desc {
    enum screen_kind kind;
    const uint8_t *mem;         /* the first pixel / cell (host pointer into guest RAM) */
    size_t mem_len;             /* bytes readable at mem (at least stride * height) */
    uint32_t width, height, stride;
    /* text only: the cursor cell (row * width + col; UINT32_MAX: hidden)
     * and its scan lines (CRTC cursor start / end, 0..15 of a 16-line cell) */
    uint32_t cursor;
    uint8_t cursor_start, cursor_end;
    bool blink_attr;            /* attribute bit 7 blinks (else: bright background) */
    uint8_t palette[16][3];     /* text: the 16 attribute colours, 8-bit RGB */
};

/* "WxH" (the [framebuffer] size key of riscv-virt, --framebuffer): false
 * unless both are 1..4096. */
bool fb_parse_size(const char *s, uint32_t *w, uint32_t *h);
/* The simple-framebuffer's bytes for a size (stride = 4 * w), rounded up
 * to 2 MiB (the region is carved from the top of RAM). */
uint64_t fb_region_size(uint32_t w, uint32_t h);

#endif
