/* VGA text mode (src/devices/vga.c): the mode 3 reset state as the screen
 * description shows it, the CRTC through byte and word port accesses, and
 * random register garbage never makes the description point outside the
 * VGA memory. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/framebuffer.h"
#include "devices/vga.h"

static uint8_t vram[VGA_MEM_SIZE];

static void out(struct vga *v, uint32_t port, unsigned size, uint64_t val)
{
    ck_assert(vga_port_ops.write(v, port - VGA_PORT_BASE, size, val));
}
static uint8_t in8(struct vga *v, uint32_t port)
{
    uint64_t x = 0;
    ck_assert(vga_port_ops.read(v, port - VGA_PORT_BASE, 1, &x));
    return (uint8_t)x;
}
static uint32_t rgb(const struct screen_desc *d, int i)
{
    return (uint32_t)d->palette[i][0] << 16 | (uint32_t)d->palette[i][1] << 8 | d->palette[i][2];
}

START_TEST(test_reset)
{
    struct vga *v = vga_new(vram);
    struct screen_desc d;
    ck_assert(vga_screen(v, &d));
    ck_assert_int_eq(d.kind, SCREEN_TEXT);
    ck_assert_uint_eq(d.width, 80);
    ck_assert_uint_eq(d.height, 25);
    ck_assert_uint_eq(d.stride, 160);
    ck_assert_ptr_eq(d.mem, vram + 0x18000); /* 0xb8000 */
    ck_assert_uint_eq(d.cursor, 0);
    ck_assert_uint_eq(d.cursor_start, 0x0d);
    ck_assert_uint_eq(d.cursor_end, 0x0e);
    ck_assert(d.blink_attr);
    ck_assert_uint_eq(rgb(&d, 0), 0x000000);
    ck_assert_uint_eq(rgb(&d, 1), 0x0000aa);
    ck_assert_uint_eq(rgb(&d, 6), 0xaa5500); /* brown: AR6 = 0x14 */
    ck_assert_uint_eq(rgb(&d, 7), 0xaaaaaa);
    ck_assert_uint_eq(rgb(&d, 8), 0x555555);
    ck_assert_uint_eq(rgb(&d, 15), 0xffffff);
    vga_free(v);
}
END_TEST

START_TEST(test_crtc)
{
    struct vga *v = vga_new(vram);
    struct screen_desc d;
    out(v, 0x3d4, 2, 0x0e | 0x01 << 8);   /* word: index 0x0e, data 1 */
    out(v, 0x3d4, 1, 0x0f);
    out(v, 0x3d5, 1, 0x40);               /* cursor 0x140 = row 4, col 0 */
    vga_screen(v, &d);
    ck_assert_uint_eq(d.cursor, 320);
    out(v, 0x3d4, 2, 0x0d | 80 << 8);     /* start address: one row down */
    vga_screen(v, &d);
    ck_assert_ptr_eq(d.mem, vram + 0x18000 + 160);
    ck_assert_uint_eq(d.cursor, 240);
    out(v, 0x3d4, 2, 0x0a | 0x20 << 8);   /* CR0A bit 5: no cursor */
    vga_screen(v, &d);
    ck_assert_uint_eq(d.cursor, UINT32_MAX);
    out(v, 0x3d4, 2, 0x01 | 0x27 << 8);   /* CR01 is protected by CR11 bit 7 */
    out(v, 0x3d4, 1, 0x01);
    ck_assert_uint_eq(in8(v, 0x3d5), 0x4f);
    out(v, 0x3d4, 2, 0x11 | 0x0e << 8);   /* unprotect, then 40 columns */
    out(v, 0x3d4, 2, 0x01 | 0x27 << 8);
    vga_screen(v, &d);
    ck_assert_uint_eq(d.width, 40);
    /* mono addressing: the CRTC moves to 0x3b4 */
    out(v, 0x3c2, 1, 0x66);
    out(v, 0x3d4, 1, 0x0e);
    ck_assert_uint_eq(in8(v, 0x3d5), 0xff);
    out(v, 0x3b4, 1, 0x0e);
    ck_assert_uint_eq(in8(v, 0x3b5), 0x01);
    /* a DAC write changes the palette */
    out(v, 0x3c8, 1, 0x07);
    out(v, 0x3c9, 1, 0x3f);
    out(v, 0x3c9, 1, 0x00);
    out(v, 0x3c9, 1, 0x00);
    vga_screen(v, &d);
    ck_assert_uint_eq(rgb(&d, 7), 0xff0000);
    vga_reset(v);
    vga_screen(v, &d);
    ck_assert_uint_eq(rgb(&d, 7), 0xaaaaaa);
    vga_free(v);
}
END_TEST

/* Whatever the guest writes, the description stays inside the VGA memory. */
START_TEST(test_garbage)
{
    struct vga *v = vga_new(vram);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 400000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t port = VGA_PORT_BASE + (uint32_t)(x >> 33) % VGA_PORTS;
        unsigned size = 1u << (x >> 20 & 3) % 3;
        if (port + size > VGA_PORT_BASE + VGA_PORTS)
            size = 1;
        if (x >> 40 & 1) {
            out(v, port, size, x >> 8);
        } else {
            uint64_t val;
            ck_assert(vga_port_ops.read(v, port - VGA_PORT_BASE, size, &val));
        }
        if (i % 64 == 0) {
            struct screen_desc d;
            ck_assert(vga_screen(v, &d));
            ck_assert_uint_ge(d.width, 1);
            ck_assert_uint_ge(d.height, 1);
            ck_assert(d.mem >= vram);
            size_t bytes = d.kind == SCREEN_TEXT ? 2u : 1u; /* cells, or mode 13h pixels */
            ck_assert((size_t)(d.mem - vram) + (size_t)(d.height - 1) * d.stride + d.width * bytes <=
                      sizeof vram);
            ck_assert(d.mem_len <= sizeof vram - (size_t)(d.mem - vram));
            ck_assert(d.cursor == UINT32_MAX || d.cursor < d.width * d.height);
        }
    }
    /* the start address at the end of the text window, 256 columns: one
     * partial row */
    memset(vram, 0, sizeof vram);
    vga_reset(v);
    out(v, 0x3d4, 2, 0x11 | 0x0e << 8);
    out(v, 0x3d4, 2, 0x01 | 0xff << 8);
    out(v, 0x3d4, 2, 0x0c | 0x3f << 8);
    out(v, 0x3d4, 2, 0x0d | 0xff << 8);
    struct screen_desc d;
    ck_assert(vga_screen(v, &d));
    ck_assert_uint_eq(d.height, 1);
    ck_assert_uint_eq(d.width, 1);
    ck_assert_ptr_eq(d.mem, vram + sizeof vram - 2);
    vga_free(v);
}
END_TEST

START_TEST(test_fb_size)
{
    uint32_t w, h;
    ck_assert(fb_parse_size("640x480", &w, &h));
    ck_assert_uint_eq(w, 640);
    ck_assert_uint_eq(h, 480);
    ck_assert(fb_parse_size("1x4096", &w, &h));
    ck_assert(!fb_parse_size("0x10", &w, &h));
    ck_assert(!fb_parse_size("4097x1", &w, &h));
    ck_assert(!fb_parse_size("640x", &w, &h));
    ck_assert(!fb_parse_size("x480", &w, &h));
    ck_assert(!fb_parse_size("640x480x", &w, &h));
    ck_assert(!fb_parse_size("-1x5", &w, &h));
    ck_assert_uint_eq(fb_region_size(320, 200), 2u << 20);
    ck_assert_uint_eq(fb_region_size(1024, 768), 4u << 20);
}
END_TEST

Suite *vga_suite(void)
{
    Suite *s = suite_create("vga");
    TCase *tc = tcase_create("vga");
    tcase_set_timeout(tc, 30); /* test_garbage: 400,000 port accesses, slow on a loaded host */
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_crtc);
    tcase_add_test(tc, test_garbage);
    tcase_add_test(tc, test_fb_size);
    suite_add_tcase(s, tc);
    return s;
}
