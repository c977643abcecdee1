/* gfx_mb2.c: a 32-bit Multiboot 2 kernel (tests/firmware/x86's
 * mb2_header.S with -DMB2_FB=0 -DMB2_ASK=8: a required framebuffer tag 5
 * asking for 1024x768x32 and the framebuffer info tag) for x86-pc --vga
 * lfb=... (docs/x86.md "Linear framebuffer"). It finds tag 8 and checks it
 * describes direct RGB (MB2 §3.6.12: type 1, red 16/8, green 8/8, blue
 * 0/8) 1024x768, 32 bits, pitch 4096 at 0xfd000000; checks the VBE DISPI
 * registers show that mode enabled; draws eight 128-pixel vertical bars:
 * black, red, green, yellow, blue, magenta, cyan, white (bit 0 red, bit 1
 * green, bit 2 blue of the bar number), and a white 8x8 square at (0,0)
 * over the black bar. tests/e2e/t_x86_gfx.sh checks the picture. */
#include "x86t.h"

int kmain32(uint32_t magic, uint32_t info);

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static uint8_t rd8(uint32_t a) { return *(volatile uint8_t *)(uintptr_t)a; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static uint16_t dispi(uint16_t i) { outw(0x1ce, i); return inw(0x1cf); }

#ifdef GFX_MB1
/* -DGFX_MB1 (with tests/firmware/x86's mb1_header.S -DMB1_VIDEO): the same
 * checks and bars from Multiboot 1's flag 12 fields (§3.3, offsets 88-115:
 * the MB2 tag's layout from its address on, but the colour fields follow
 * framebuffer_type directly, without MB2's 16-bit reserved field). */
#define COLOUR 30
int kmain32(uint32_t magic, uint32_t info)
{
    CHECKX(magic == 0x2badb002u, "EAX is the Multiboot 1 magic", magic);
    CHECKX(rd32(info) >> 12 & 1, "flags bit 12: framebuffer info", rd32(info));
    uint32_t fb = info + 88 - 8; /* framebuffer_addr at fb + 8, as in the MB2 tag */
#else
#define COLOUR 32
int kmain32(uint32_t magic, uint32_t info)
{
    CHECKX(magic == 0x36d76289u, "EAX is the Multiboot 2 magic", magic);
    uint32_t total = rd32(info), fb = 0, nfb = 0;
    for (uint32_t t = info + 8; t < info + total;) {
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (type == 0 || size < 8)
            break;
        if (type == 8) {
            fb = t;
            nfb++;
        }
        t += (size + 7) & ~7u;
    }
    CHECKX(fb != 0 && nfb == 1, "one framebuffer info tag (8)", nfb);
    if (!fb)
        return x86t_report("gfx-mb2");
    CHECKX(rd32(fb + 4) >= 38, "tag size covers the colour info", rd32(fb + 4));
#endif
    uint32_t lo = rd32(fb + 8), hi = rd32(fb + 12);
    CHECKX(lo == 0xfd000000u && hi == 0, "framebuffer_addr 0xfd000000", lo);
    CHECKX(rd32(fb + 16) == 4096, "framebuffer_pitch 4096", rd32(fb + 16));
    CHECKX(rd32(fb + 20) == 1024 && rd32(fb + 24) == 768, "1024x768", rd32(fb + 20) << 16 | rd32(fb + 24));
    CHECKX(rd8(fb + 28) == 32, "framebuffer_bpp 32", rd8(fb + 28));
    CHECKX(rd8(fb + 29) == 1, "framebuffer_type 1 (direct RGB)", rd8(fb + 29));
    CHECKX(rd8(fb + COLOUR) == 16 && rd8(fb + COLOUR + 1) == 8, "red at 16, 8 bits", rd8(fb + COLOUR) << 8 | rd8(fb + COLOUR + 1));
    CHECKX(rd8(fb + COLOUR + 2) == 8 && rd8(fb + COLOUR + 3) == 8, "green at 8, 8 bits", rd8(fb + COLOUR + 2) << 8 | rd8(fb + COLOUR + 3));
    CHECKX(rd8(fb + COLOUR + 4) == 0 && rd8(fb + COLOUR + 5) == 8, "blue at 0, 8 bits", rd8(fb + COLOUR + 4) << 8 | rd8(fb + COLOUR + 5));
    CHECKX(dispi(1) == 1024 && dispi(2) == 768 && dispi(3) == 32, "DISPI: the mode handed over",
           (uint32_t)dispi(1) << 16 | dispi(2));
    CHECKX((dispi(4) & 0x41) == 0x41, "DISPI: enabled with the LFB bit", dispi(4));
    uint32_t pitch = rd32(fb + 16), w = rd32(fb + 20), h = rd32(fb + 24);
    uint8_t rp = rd8(fb + COLOUR), gp = rd8(fb + COLOUR + 2), bp = rd8(fb + COLOUR + 4);
    for (uint32_t y = 0; y < h; y++) {
        volatile uint32_t *row = (volatile uint32_t *)(uintptr_t)(lo + y * pitch);
        for (uint32_t x = 0; x < w; x++) {
            uint32_t bar = x / 128;
            row[x] = (bar & 1 ? 0xffu << rp : 0) | (bar & 2 ? 0xffu << gp : 0) |
                     (bar & 4 ? 0xffu << bp : 0);
            if (x < 8 && y < 8)
                row[x] = 0xffffffu;
        }
    }
#ifdef GFX_MB1
    return x86t_report("gfx-mb1");
#else
    return x86t_report("gfx-mb2");
#endif
}
