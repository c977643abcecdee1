/* vga_mb2.c: a 32-bit Multiboot 2 kernel (tests/firmware/x86's
 * mb2_header.S with -DMB2_ASK=8: the information request requires the
 * framebuffer info tag) for x86-pc --vga (docs/x86.md "VGA text mode"). It
 * finds tag 8 in the boot information and checks it describes EGA text
 * (MB2 §3.6.12: type 2, 80x25 characters, pitch 160, 16 bits) at 0xb8000,
 * writes "multiboot2 EGA text" at row 0 through the tag's address (white
 * on green, 0x2f) and reports. */
#include "x86t.h"

int kmain32(uint32_t magic, uint32_t info);

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)(uintptr_t)a; }

int kmain32(uint32_t magic, uint32_t info)
{
    CHECKX(magic == 0x36d76289u, "EAX is the Multiboot 2 magic", magic);
    uint32_t total = rd32(info), fb = 0;
    for (uint32_t t = info + 8; t < info + total;) {
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (type == 0 || size < 8)
            break;
        if (type == 8)
            fb = t;
        t += (size + 7) & ~7u;
    }
    CHECK(fb != 0, "a framebuffer info tag (8)");
    if (!fb)
        return x86t_report("vga-mb2");
    uint32_t lo = rd32(fb + 8), hi = rd32(fb + 12);
    uint8_t bpp = *(volatile uint8_t *)(uintptr_t)(fb + 28), type = *(volatile uint8_t *)(uintptr_t)(fb + 29);
    CHECKX(lo == 0xb8000 && hi == 0, "framebuffer_addr 0xb8000", lo);
    CHECKX(rd32(fb + 16) == 160, "framebuffer_pitch 160", rd32(fb + 16));
    CHECKX(rd32(fb + 20) == 80 && rd32(fb + 24) == 25, "80x25", rd32(fb + 20) << 16 | rd32(fb + 24));
    CHECKX(bpp == 16, "framebuffer_bpp 16", bpp);
    CHECKX(type == 2, "framebuffer_type 2 (EGA text)", type);
    volatile uint16_t *vram = (volatile uint16_t *)(uintptr_t)lo;
    const char *s = "multiboot2 EGA text";
    for (int i = 0; s[i]; i++)
        vram[i] = (uint16_t)((uint8_t)s[i] | 0x2f << 8);
    return x86t_report("vga-mb2");
}
