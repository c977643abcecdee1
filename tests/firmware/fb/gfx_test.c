/* gfx_test.c: x86-64 test kernels of the PC's graphics (docs/x86.md "Linear
 * framebuffer", "VGA text mode"), linked with tests/firmware/x86's start.S
 * and lib.c; tests/e2e/t_x86_gfx.sh checks the pictures.
 *
 * -DGFX_DISPI (x86-pc --vga lfb=1024x768x32): the VBE DISPI registers
 * (ports 0x1ce/0x1cf): the ID, GETCAPS maxima, a bad mode (12 bits a
 * pixel, a width not a multiple of 8) leaves the display disabled, a
 * switch to 800x600x16 (virtual size, offsets reset, memory zeroed, mode
 * registers locked while enabled), then draws four 16-bit bars (red,
 * green, blue, white, 200 pixels each) on the second page (lines
 * 600-1199) and pans to it (Y_OFFSET 600): the picture is the bars.
 *
 * -DGFX_13H (x86-pc --vga): mode 13h set through the registers (no BIOS:
 * the IBM mode 13h table for the miscellaneous output, sequencer, CRTC,
 * graphics and attribute controllers), DAC entries 100-103 = red, green,
 * blue, white, then 320x200 quadrants: top-left 100, top-right 101,
 * bottom-left 102, bottom-right 103, pixel (0,0) = 103, (319,199) = 100. */
#include "x86t.h"

static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

#ifdef GFX_DISPI
enum { ID, XRES, YRES, BPP, ENABLE, BANK, VIRT_W, VIRT_H, XOFF, YOFF, VMEM };
static void dw(uint16_t i, uint16_t v) { outw(0x1ce, i); outw(0x1cf, v); }
static uint16_t dr(uint16_t i) { outw(0x1ce, i); return inw(0x1cf); }

int kmain(void)
{
    volatile uint16_t *lfb = (volatile uint16_t *)0xfd000000;
    dw(ID, 0xb0c5);
    CHECKX(dr(ID) == 0xb0c5, "DISPI ID 0xb0c5", dr(ID));
    dw(ID, 0x1234);
    CHECKX(dr(ID) == 0xb0c5, "DISPI ID: a bad version is ignored", dr(ID));
    CHECKX(dr(VMEM) == 256, "VIDEO_MEMORY_64K 256 (16 MiB)", dr(VMEM));
    CHECKX(dr(ENABLE) == 0, "an ELF64 kernel: the display starts disabled", dr(ENABLE));
    dw(ENABLE, 0x02);
    CHECKX(dr(XRES) == 2560 && dr(YRES) == 1600 && dr(BPP) == 32, "GETCAPS: the maxima",
           (uint64_t)dr(XRES) << 32 | (uint64_t)dr(YRES) << 16 | dr(BPP));
    dw(ENABLE, 0);
    /* bad modes stay disabled */
    dw(XRES, 800); dw(YRES, 600); dw(BPP, 12);
    dw(ENABLE, 0x41);
    CHECKX(dr(ENABLE) == 0x40, "BPP 12: enabling fails", dr(ENABLE));
    dw(BPP, 16); dw(XRES, 801);
    dw(ENABLE, 0x41);
    CHECKX((dr(ENABLE) & 1) == 0, "XRES 801: enabling fails", dr(ENABLE));
    /* the real switch: memory cleared */
    dw(XRES, 800);
    lfb[5] = 0x5a5a;
    lfb[800 * 1200 - 1] = 0xa5a5;
    CHECKX(lfb[5] == 0x5a5a, "LFB is memory", lfb[5]);
    dw(ENABLE, 0x41);
    CHECKX(dr(ENABLE) == 0x41, "800x600x16 enabled with LFB", dr(ENABLE));
    CHECKX(lfb[5] == 0 && lfb[800 * 1200 - 1] == 0, "enable cleared the memory", lfb[5]);
    CHECKX(dr(VIRT_W) == 800 && dr(VIRT_H) == 10485, "virtual 800 x 10485 (16 MiB / 1600)",
           (uint64_t)dr(VIRT_W) << 16 | dr(VIRT_H));
    dw(XRES, 640);
    CHECKX(dr(XRES) == 800, "XRES locked while enabled", dr(XRES));
    dw(YOFF, 10000);
    CHECKX(dr(YOFF) == 0, "Y_OFFSET beyond the memory refused", dr(YOFF));
    for (int y = 600; y < 1200; y++)
        for (int x = 0; x < 800; x++) {
            static const uint16_t bar[4] = { 0xf800, 0x07e0, 0x001f, 0xffff };
            lfb[y * 800 + x] = bar[x / 200];
        }
    dw(YOFF, 600);
    CHECKX(dr(YOFF) == 600, "Y_OFFSET 600: the second page", dr(YOFF));
    return x86t_report("gfx-dispi");
}
#endif

#ifdef GFX_13H
/* The mode 13h register table (IBM VGA Technical Reference, BIOS mode 13h:
 * 320x200, 256 colours, chain-4, doubled scan lines). */
static const uint8_t misc = 0x63;
static const uint8_t sr[5] = { 0x03, 0x01, 0x0f, 0x00, 0x0e };
static const uint8_t cr[25] = {
    0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff };
static const uint8_t ar[21] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00,
};

int kmain(void)
{
    outb(0x3c2, misc);
    for (int i = 0; i < 5; i++) {
        outb(0x3c4, (uint8_t)i);
        outb(0x3c5, sr[i]);
    }
    outb(0x3d4, 0x11); /* unprotect CR0-CR7 first */
    outb(0x3d5, inb(0x3d5) & 0x7f);
    for (int i = 0; i < 25; i++) {
        outb(0x3d4, (uint8_t)i);
        outb(0x3d5, cr[i]);
    }
    for (int i = 0; i < 9; i++) {
        outb(0x3ce, (uint8_t)i);
        outb(0x3cf, gr[i]);
    }
    (void)inb(0x3da); /* the attribute flip-flop to index */
    for (int i = 0; i < 21; i++) {
        outb(0x3c0, (uint8_t)i);
        outb(0x3c0, ar[i]);
    }
    outb(0x3c0, 0x20); /* PAS: the screen shows */
    outb(0x3d4, 0x01);
    CHECKX(inb(0x3d5) == 0x4f, "CR01 written (protection lifted)", inb(0x3d5));
    static const uint8_t rgb[4][3] = { { 63, 0, 0 }, { 0, 63, 0 }, { 0, 0, 63 }, { 63, 63, 63 } };
    outb(0x3c8, 100);
    for (int i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++)
            outb(0x3c9, rgb[i][c]);
    outb(0x3c7, 102);
    CHECK(inb(0x3c9) == 0 && inb(0x3c9) == 0 && inb(0x3c9) == 63, "DAC 102 reads back blue");
    volatile uint8_t *vram = (volatile uint8_t *)0xa0000;
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 320; x++)
            vram[y * 320 + x] = (uint8_t)(100 + (x >= 160) + 2 * (y >= 100));
    vram[0] = 103;
    vram[199 * 320 + 319] = 100;
    CHECKX(vram[199 * 320 + 319] == 100, "VGA memory reads back", vram[199 * 320 + 319]);
    return x86t_report("gfx-13h");
}
#endif
