/* Guest screens, as the tools see them (docs/view.md "The guest screen").
 *
 * A board that has a screen describes it on demand (board_ops.screen):
 * either a linear framebuffer in guest memory (RISC-V simple-framebuffer,
 * pixels a8r8g8b8; x86 VBE DISPI linear framebuffer, 8/15/16/24/32 bits a
 * pixel; VGA mode 13h, a byte a pixel through the DAC) or a VGA text buffer (x86, 80x25 cells of character +
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
    SCREEN_INDEXED8, /* width x height pixels of 1 byte, an index into palette[] (VGA mode 13h, 8-bit VBE) */
    SCREEN_RGB555,   /* 2 bytes a pixel (little-endian x1r5g5b5) */
    SCREEN_RGB565,   /* 2 bytes a pixel (little-endian r5g6b5) */
    SCREEN_RGB888,   /* 3 bytes a pixel (b, g, r) */
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
    uint8_t palette[256][3];    /* text: the 16 attribute colours; indexed: the 256; 8-bit RGB */
};

/* "WxH" (the [framebuffer] size key of riscv-virt, --framebuffer): false
 * unless both are 1..4096. */
bool fb_parse_size(const char *s, uint32_t *w, uint32_t *h);
/* The simple-framebuffer's bytes for a size (stride = 4 * w), rounded up
 * to 2 MiB (the region is carved from the top of RAM). */
uint64_t fb_region_size(uint32_t w, uint32_t h);

#endif
