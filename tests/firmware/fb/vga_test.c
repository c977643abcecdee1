/* vga_test.c: an x86-64 test kernel of the PC's VGA text mode (hvsim run
 * --machine x86-pc --vga --kernel vga-test.elf; docs/x86.md "VGA text
 * mode"), linked with tests/firmware/x86's start.S and lib.c. It checks the
 * registers (the mode 3 reset values, the CRTC index/data pair with byte
 * and word accesses, the CR11 write protection, the attribute flip-flop,
 * the DAC's EGA colours, input status 1 toggling), that the VGA window
 * 0xa0000-0xbffff is memory (starts zero, reads back), then writes a known
 * screen (tests/e2e/t_fb.sh checks its pixels):
 *   row 0   "hvsim VGA text mode" white on blue (0x1f), the rest of the row
 *           blue too
 *   row 1   16 full blocks (CP437 0xdb) in attributes 0x00..0x0f at columns 0..15
 *   row 24  "bottom line" yellow on red (0x4e) from column 0
 *   else    spaces, light grey on black (0x07)
 * and puts the cursor at row 2, column 5 (cell 165), scan lines 14-15. */
#include "x86t.h"

static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }

static uint8_t crtc_read(uint8_t i)
{
    outb(0x3d4, i);
    return inb(0x3d5);
}
static void crtc_write(uint8_t i, uint8_t v)
{
    outb(0x3d4, i);
    outb(0x3d5, v);
}

static void puts_at(volatile uint16_t *vram, int row, int col, const char *s, uint8_t attr)
{
    for (; *s; s++, col++)
        vram[row * 80 + col] = (uint16_t)((uint8_t)*s | attr << 8);
}

int kmain(void)
{
    volatile uint16_t *vram = (volatile uint16_t *)0xb8000;
    volatile uint32_t *a0000 = (volatile uint32_t *)0xa0000, *bfffc = (volatile uint32_t *)0xbfffc;

    /* the window is memory: zero at power-on, then what was written */
    CHECKX(*a0000 == 0, "0xa0000 reads 0 at power-on", *a0000);
    CHECKX(vram[0] == 0, "0xb8000 reads 0 at power-on", vram[0]);
    *a0000 = 0x12345678;
    *bfffc = 0xcafef00d;
    CHECKX(*a0000 == 0x12345678, "0xa0000 reads back", *a0000);
    CHECKX(*bfffc == 0xcafef00d, "0xbfffc reads back", *bfffc);
    *a0000 = 0;
    *bfffc = 0;

    /* the mode 3 state a BIOS leaves */
    CHECKX(inb(0x3cc) == 0x67, "misc output 0x67", inb(0x3cc));
    CHECKX(crtc_read(0x01) == 0x4f, "CR01 (80 columns)", crtc_read(0x01));
    CHECKX(crtc_read(0x09) == 0x4f, "CR09 (16 scan lines)", crtc_read(0x09));
    CHECKX(crtc_read(0x0a) == 0x0d, "CR0A cursor start", crtc_read(0x0a));
    CHECKX(crtc_read(0x0b) == 0x0e, "CR0B cursor end", crtc_read(0x0b));
    outb(0x3d4, 0x0c);
    CHECKX(inb(0x3d4) == 0x0c, "CRTC index reads back", inb(0x3d4));
    /* CR11 bit 7 protects CR0-CR7 */
    crtc_write(0x01, 0x27);
    CHECKX(crtc_read(0x01) == 0x4f, "CR01 protected by CR11", crtc_read(0x01));
    /* the attribute controller: 0x3da resets the flip-flop; 0x3c0 takes
     * index then data; 0x3c1 reads */
    (void)inb(0x3da);
    outb(0x3c0, 0x30);                          /* AR10 with PAS */
    CHECKX(inb(0x3c1) == 0x0c, "AR10 mode control 0x0c", inb(0x3c1));
    outb(0x3c0, 0x0c);                          /* data: the same value */
    (void)inb(0x3da);
    outb(0x3c0, 0x26);                          /* AR6 (brown: DAC 0x14) */
    CHECKX(inb(0x3c1) == 0x14, "AR06 = 0x14", inb(0x3c1));
    outb(0x3c0, 0x14);
    /* input status 1 changes between reads (a retrace wait ends) */
    uint8_t s1 = inb(0x3da), s2 = inb(0x3da);
    CHECKX((s1 ^ s2) & 0x08, "input status 1 bit 3 toggles", s1);
    /* the DAC: entry 7 light grey, entry 0x14 brown (6-bit values) */
    outb(0x3c7, 0x14);
    uint8_t r = inb(0x3c9), g = inb(0x3c9), b = inb(0x3c9);
    CHECKX(r == 0x2a && g == 0x15 && b == 0, "DAC 0x14 is brown", (uint64_t)r << 16 | g << 8 | b);
    outb(0x3c7, 0x07);
    r = inb(0x3c9), g = inb(0x3c9), b = inb(0x3c9);
    CHECKX(r == 0x2a && g == 0x2a && b == 0x2a, "DAC 0x07 is grey", (uint64_t)r << 16 | g << 8 | b);

    /* the screen */
    for (int i = 0; i < 80 * 25; i++)
        vram[i] = 0x0720;
    for (int c = 0; c < 80; c++)
        vram[c] = 0x1f20;
    puts_at(vram, 0, 0, "hvsim VGA text mode", 0x1f);
    for (int i = 0; i < 16; i++)
        vram[80 + i] = (uint16_t)(0xdb | i << 8);
    puts_at(vram, 24, 0, "bottom line", 0x4e);
    CHECKX(vram[80 + 15] == 0x0fdb, "text cell reads back", vram[80 + 15]);

    /* the cursor: high byte by a word write (index, then data), low by bytes */
    outw(0x3d4, (uint16_t)(0x0e | (165 >> 8) << 8));
    crtc_write(0x0f, 165 & 0xff);
    crtc_write(0x0a, 14);
    crtc_write(0x0b, 15);
    CHECKX(crtc_read(0x0e) == 0 && crtc_read(0x0f) == 165, "cursor location reads back",
           (uint64_t)crtc_read(0x0e) << 8 | crtc_read(0x0f));
    return x86t_report("vga");
}
