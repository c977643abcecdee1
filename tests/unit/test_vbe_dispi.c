/* The VBE DISPI interface (src/devices/vbe_dispi.c): mode parsing, the
 * enable sequence as a boot loader does it, and random register garbage
 * never makes the screen description point outside the framebuffer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/framebuffer.h"
#include "devices/vbe_dispi.h"
#include "sim/bus.h"

static struct bus bus;
static struct vbe_dispi d;
static uint8_t dac[256][3];

static void setup(void)
{
    bus_init(&bus);
    memset(&d, 0, sizeof d);
    d.bus = &bus;
    d.lfb = bus_add_mem(&bus, "vga-lfb", VBE_LFB_BASE, VBE_LFB_SIZE, false, NULL, 0);
    ck_assert_ptr_nonnull(d.lfb);
    vbe_reset(&d);
}

static void teardown(void) { bus_free(&bus); }

static void wr(uint16_t reg, uint16_t val)
{
    ck_assert(vbe_port_ops.write(&d, 0, 2, reg));
    ck_assert(vbe_port_ops.write(&d, 1, 2, val));
}
static uint16_t rdreg(uint16_t reg)
{
    uint64_t v = 0;
    ck_assert(vbe_port_ops.write(&d, 0, 2, reg));
    ck_assert(vbe_port_ops.read(&d, 1, 2, &v));
    return (uint16_t)v;
}

START_TEST(parse)
{
    uint32_t w, h, b;
    ck_assert(vbe_parse_mode("1024x768x32", &w, &h, &b));
    ck_assert_uint_eq(w, 1024);
    ck_assert_uint_eq(h, 768);
    ck_assert_uint_eq(b, 32);
    ck_assert(vbe_parse_mode("320x200x8", &w, &h, &b));
    ck_assert(!vbe_parse_mode("1024x768", &w, &h, &b));
    ck_assert(!vbe_parse_mode("1024x768x32x", &w, &h, &b));
    ck_assert(vbe_parse_mode("1016x768x32", &w, &h, &b));
    ck_assert(!vbe_parse_mode("1021x768x32", &w, &h, &b));
    ck_assert(!vbe_parse_mode("2560x1700x32", &w, &h, &b));
    ck_assert(vbe_parse_mode("2560x1600x32", &w, &h, &b)); /* 16,384,000 bytes: fits 16 MiB */
    ck_assert(vbe_parse_mode("2560x1600x24", &w, &h, &b));
    ck_assert(!vbe_parse_mode("x768x32", &w, &h, &b));
    ck_assert(!vbe_parse_mode("640x480x12", &w, &h, &b));
}
END_TEST

START_TEST(enable_and_screen)
{
    struct screen_desc s;
    ck_assert(!vbe_screen(&d, dac, 0xff, &s)); /* disabled at reset */
    ck_assert_uint_eq(rdreg(VBE_ID), VBE_ID5);
    ck_assert_uint_eq(rdreg(VBE_VIDEO_MEMORY_64K), 256);
    d.lfb->host[100] = 7;
    ck_assert(vbe_set_mode(&d, 640, 480, 15));
    ck_assert_uint_eq(d.lfb->host[100], 0); /* cleared */
    ck_assert_uint_eq(rdreg(VBE_ENABLE), VBE_ENABLED | VBE_LFB_ENABLED);
    ck_assert(vbe_screen(&d, dac, 0xff, &s));
    ck_assert_int_eq(s.kind, SCREEN_RGB555);
    ck_assert_uint_eq(s.width, 640);
    ck_assert_uint_eq(s.stride, 1280);
    wr(VBE_VIRT_WIDTH, 1024);
    wr(VBE_X_OFFSET, 384);
    wr(VBE_Y_OFFSET, 2);
    ck_assert(vbe_screen(&d, dac, 0xff, &s));
    ck_assert_ptr_eq(s.mem, d.lfb->host + 2 * 2048 + 384 * 2);
    wr(VBE_X_OFFSET, 385); /* beyond the virtual width: refused */
    ck_assert_uint_eq(rdreg(VBE_X_OFFSET), 384);
    /* 8 bits: the DAC through the mask, 6 -> 8 bits */
    wr(VBE_ENABLE, 0);
    wr(VBE_BPP, 8);
    wr(VBE_ENABLE, VBE_ENABLED | VBE_NOCLEARMEM);
    dac[5][0] = 63;
    ck_assert(vbe_screen(&d, dac, 0x0f, &s));
    ck_assert_int_eq(s.kind, SCREEN_INDEXED8);
    ck_assert_uint_eq(s.palette[0x15][0], 255); /* 0x15 & 0x0f = 5 */
}
END_TEST

START_TEST(garbage)
{
    uint64_t x = 0x243f6a8885a308d3ull;
    for (int i = 0; i < 300000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint16_t reg = (uint16_t)((x >> 33) % 12), val = (uint16_t)(x >> 16);
        if ((x >> 50 & 3) == 0) /* plausible values too */
            val = (uint16_t)(val % 2600);
        if (reg == VBE_ENABLE && (x >> 60 & 1))
            val |= VBE_NOCLEARMEM; /* keep the run short: clearing is 16 MiB */
        if (reg == VBE_ENABLE && !(val & VBE_NOCLEARMEM) && (x >> 61 & 7))
            val &= (uint16_t)~VBE_ENABLED;
        wr(reg, val);
        struct screen_desc s;
        if (i % 16 == 0 && vbe_screen(&d, dac, 0xff, &s)) {
            static const unsigned bytes[] = { [SCREEN_PIXELS] = 4, [SCREEN_INDEXED8] = 1,
                                              [SCREEN_RGB555] = 2, [SCREEN_RGB565] = 2,
                                              [SCREEN_RGB888] = 3 };
            ck_assert_uint_ge(s.width, 8);
            ck_assert_uint_ge(s.height, 1);
            ck_assert(s.mem >= d.lfb->host);
            size_t off = (size_t)(s.mem - d.lfb->host);
            ck_assert_uint_le(off + (size_t)(s.height - 1) * s.stride + s.width * bytes[s.kind],
                              VBE_LFB_SIZE);
            ck_assert_uint_eq(s.mem_len, VBE_LFB_SIZE - off);
        }
    }
}
END_TEST

Suite *vbe_dispi_suite(void)
{
    Suite *s = suite_create("vbe_dispi");
    TCase *tc = tcase_create("dispi");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parse);
    tcase_add_test(tc, enable_and_screen);
    tcase_add_test(tc, garbage);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
