/* Multiboot 1/2 loading (src/loader/multiboot.c) on a bus with PC-like RAM:
 * hand-built images through the header's address fields and ELF32, the
 * boot information as the kernel reads it, and every refusal naming the
 * file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/multiboot.h"
#include "sim/bus.h"

#define INFO 0x10000
#define RAM_HIGH (16u << 20)

static struct bus bus;
static const struct mb_ram ram[2] = { { 0, 0xa0000 }, { 0x100000, RAM_HIGH - 0x100000 } };
static char mod1[64], mod2[64];

static void setup(void)
{
    bus_init(&bus);
    ck_assert_ptr_nonnull(bus_add_mem(&bus, "low", 0, 0xa0000, false, NULL, 0));
    ck_assert_ptr_nonnull(bus_add_mem(&bus, "ram", 0x100000, RAM_HIGH - 0x100000, false, NULL, 0));
    snprintf(mod1, sizeof mod1, "/tmp/hvsim-mbtest-%d-1", (int)getpid());
    snprintf(mod2, sizeof mod2, "/tmp/hvsim-mbtest-%d-2", (int)getpid());
    FILE *f = fopen(mod1, "wb");
    fputs("first module", f);
    fclose(f);
    f = fopen(mod2, "wb");
    fputs("2nd", f);
    fclose(f);
}

static void teardown(void)
{
    bus_free(&bus);
    unlink(mod1);
    unlink(mod2);
}

static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t r32(uint64_t pa)
{
    uint64_t v = 0;
    ck_assert(bus_read(&bus, pa, 4, &v));
    return (uint32_t)v;
}
static uint64_t r64(uint64_t pa) { return r32(pa) | (uint64_t)r32(pa + 4) << 32; }
static void rstr(uint64_t pa, char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        ck_assert(bus_read(&bus, pa + i, 1, &v));
        buf[i] = (char)v;
        if (!v)
            return;
    }
    buf[n - 1] = 0;
}

/* A flat MB1 image: the header at offset `hdr` (address fields: loaded at
 * 0x200000), then code bytes up to 0x100 and 0x80 bytes of bss. */
static size_t mb1_image(uint8_t *img, size_t hdr, uint32_t flags)
{
    memset(img, 0x90, 0x100);
    uint8_t *h = img + hdr;
    w32(h, MB1_HEADER_MAGIC);
    w32(h + 4, flags);
    w32(h + 8, -(MB1_HEADER_MAGIC + flags));
    w32(h + 12, 0x200000 + (uint32_t)hdr); /* header_addr */
    w32(h + 16, 0x200000);                 /* load_addr */
    w32(h + 20, 0x200100);                 /* load_end_addr */
    w32(h + 24, 0x200180);                 /* bss_end_addr */
    w32(h + 28, 0x200040);                 /* entry_addr */
    return 0x100;
}

static struct mb_params params(const uint8_t *img, size_t n, const struct mb_module *mods, int nmods)
{
    return (struct mb_params){ .kernel = "k.bin", .image = img, .image_size = n,
                               .cmdline = "console=ttyS0 x=1", .loader_name = "hvsim",
                               .mods = mods, .nmods = nmods, .ram = ram, .nram = 2,
                               .load_min = 0x100000, .info_base = INFO, .info_size = 0x10000 };
}

START_TEST(mb1_aout_kludge_and_info)
{
    uint8_t img[0x100];
    size_t n = mb1_image(img, 0x20, 0x00010003);
    ck_assert_int_eq(mb_detect(img, n), 1);
    struct mb_module mods[2] = { { mod1, "one args" }, { mod2, NULL } };
    struct mb_params p = params(img, n, mods, 2);
    struct mb_entry e;
    char err[256] = "";
    ck_assert_msg(mb_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_int_eq(e.version, 1);
    ck_assert_uint_eq(e.entry, 0x200040);
    ck_assert_uint_eq(e.magic, 0x2BADB002);
    ck_assert_uint_eq(e.info, INFO);
    ck_assert_uint_eq(e.load_start, 0x200000);
    ck_assert_uint_eq(e.load_end, 0x200180);
    ck_assert_uint_eq(r32(0x200000), 0x90909090);
    ck_assert_uint_eq(r32(0x200100), 0); /* bss */
    /* the information structure (MB1 §3.3) */
    ck_assert_uint_eq(r32(INFO) & 0x24d, 0x24d);
    ck_assert_uint_eq(r32(INFO + 4), 640);
    ck_assert_uint_eq(r32(INFO + 8), (RAM_HIGH - 0x100000) / 1024);
    char s[64];
    rstr(r32(INFO + 16), s, sizeof s);
    ck_assert_str_eq(s, "console=ttyS0 x=1");
    rstr(r32(INFO + 64), s, sizeof s);
    ck_assert_str_eq(s, "hvsim");
    ck_assert_uint_eq(r32(INFO + 20), 2);
    uint32_t mods_addr = r32(INFO + 24);
    ck_assert_uint_eq(r32(mods_addr), 0x201000); /* page after the bss */
    ck_assert_uint_eq(r32(mods_addr + 4), 0x201000 + 12);
    rstr(r32(mods_addr + 8), s, sizeof s);
    ck_assert_str_eq(s, "one args");
    ck_assert_uint_eq(r32(mods_addr + 16), 0x202000);
    ck_assert_uint_eq(r32(mods_addr + 20), 0x202003);
    rstr(r32(mods_addr + 24), s, sizeof s);
    ck_assert_str_eq(s, ""); /* NULL args: "" (the board gives the file name) */
    rstr(0x201000, s, 13);
    ck_assert_str_eq(s, "first module");
    /* memory map: size 20, base, length, type 1 */
    ck_assert_uint_eq(r32(INFO + 44), 48);
    uint32_t mm = r32(INFO + 48);
    ck_assert_uint_eq(r32(mm), 20);
    ck_assert_uint_eq(r64(mm + 4), 0);
    ck_assert_uint_eq(r64(mm + 12), 0xa0000);
    ck_assert_uint_eq(r32(mm + 20), 1);
    ck_assert_uint_eq(r64(mm + 24 + 4), 0x100000);
    ck_assert_uint_eq(r64(mm + 24 + 12), RAM_HIGH - 0x100000);
}
END_TEST

static void expect_refusal(const uint8_t *img, size_t n, const struct mb_module *mods, int nmods,
                           const char *want)
{
    struct mb_params p = params(img, n, mods, nmods);
    struct mb_entry e;
    char err[256] = "";
    ck_assert(!mb_load(&bus, &p, &e, err, sizeof err));
    ck_assert_msg(strstr(err, want), "'%s' lacks '%s'", err, want);
}

START_TEST(mb1_refusals)
{
    uint8_t img[0x100];
    size_t n = mb1_image(img, 0x20, 0x00010003);
    img[0x28] ^= 1;
    expect_refusal(img, n, NULL, 0, "k.bin: multiboot header at offset 0x20: bad checksum");
    n = mb1_image(img, 0x20, 0x00010007);
    expect_refusal(img, n, NULL, 0, "k.bin: multiboot header requires flag bit 2 (video mode)");
    n = mb1_image(img, 0x20, 0x00010003);
    expect_refusal(img, 0x30, NULL, 0, "address fields (flag 16) run beyond the end of the file");
    expect_refusal(img, 0x90, NULL, 0, "load_end_addr 0x200100 lies beyond the end of the file");
    w32(img + 0x20 + 12, 0xf0000000 + 0x20);
    w32(img + 0x20 + 16, 0xf0000000);
    w32(img + 0x20 + 20, 0xf0000100);
    w32(img + 0x20 + 24, 0);
    w32(img + 0x20 + 8, -(MB1_HEADER_MAGIC + 0x00010003));
    expect_refusal(img, n, NULL, 0, "k.bin: load range [0xf0000000, 0xf0000100) is not in RAM");
    n = mb1_image(img, 0x20, 0x00000003); /* no address fields, not ELF */
    expect_refusal(img, n, NULL, 0, "k.bin: multiboot image is not ELF");
    n = mb1_image(img, 0x20, 0x00010003);
    struct mb_module missing[2] = { { mod1, NULL }, { "/nonexistent/m", NULL } };
    expect_refusal(img, n, missing, 2, "multiboot module 2: /nonexistent/m");
    /* below load_min (in the low RAM that holds the boot information) */
    w32(img + 0x20 + 12, 0x8000 + 0x20);
    w32(img + 0x20 + 16, 0x8000);
    w32(img + 0x20 + 20, 0x8100);
    w32(img + 0x20 + 24, 0);
    expect_refusal(img, n, NULL, 0, "is not in RAM at or above 0x100000");
}
END_TEST

START_TEST(detect_windows)
{
    static uint8_t img[40000];
    memset(img, 0, sizeof img);
    w32(img + 8192, MB1_HEADER_MAGIC); /* beyond MB1's 8 KiB */
    ck_assert_int_eq(mb_detect(img, sizeof img), 0);
    w32(img + 8188, MB1_HEADER_MAGIC);
    ck_assert_int_eq(mb_detect(img, sizeof img), 1);
    w32(img + 32768, MB2_HEADER_MAGIC); /* beyond MB2's 32 KiB */
    ck_assert_int_eq(mb_detect(img, sizeof img), 1);
    w32(img + 32760, MB2_HEADER_MAGIC); /* MB2 wins over MB1 */
    ck_assert_int_eq(mb_detect(img, sizeof img), 2);
    w32(img + 8188, 0);
    w32(img + 8190, MB1_HEADER_MAGIC); /* unaligned: not a header */
    w32(img + 32760, 0);
    ck_assert_int_eq(mb_detect(img, sizeof img), 0);
    ck_assert_int_eq(mb_detect(img, 3), 0);
}
END_TEST

/* MB2: header at 0, address tag (load_addr -1: from the start of the
 * file), entry tag, an extra tag (type, flags), end tag. */
static size_t mb2_image(uint8_t *img, uint16_t extra_type, uint16_t extra_flags, bool end)
{
    memset(img, 0, 0x200);
    uint32_t t = 16;
    uint8_t *h = img;
    w32(h + t, 2 | 0u << 16);
    w32(h + t + 4, 24);
    w32(h + t + 8, 0x300000);    /* header_addr */
    w32(h + t + 12, 0xffffffff); /* load_addr: from the file's start */
    w32(h + t + 16, 0);          /* load_end_addr: the whole file */
    w32(h + t + 20, 0x300400);   /* bss_end_addr */
    t += 24;
    w32(h + t, 3);
    w32(h + t + 4, 12);
    w32(h + t + 8, 0x300100);
    t += 16;
    if (extra_type) {
        w32(h + t, extra_type | (uint32_t)extra_flags << 16);
        w32(h + t + 4, 8);
        t += 8;
    }
    if (end) {
        w32(h + t, 0);
        w32(h + t + 4, 8);
        t += 8;
    }
    w32(h, MB2_HEADER_MAGIC);
    w32(h + 4, 0);
    w32(h + 8, t);
    w32(h + 12, -(MB2_HEADER_MAGIC + t));
    return 0x200;
}

START_TEST(mb2_address_tag_and_tags)
{
    uint8_t img[0x200];
    size_t n = mb2_image(img, 0x1234, 1 /* optional: ignored */, true);
    struct mb_module mods[1] = { { mod2, "m2" } };
    struct mb_params p = params(img, n, mods, 1);
    struct mb_entry e;
    char err[256] = "";
    ck_assert_msg(mb_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_int_eq(e.version, 2);
    ck_assert_uint_eq(e.magic, 0x36d76289);
    ck_assert_uint_eq(e.entry, 0x300100);
    ck_assert_uint_eq(r32(0x300000), MB2_HEADER_MAGIC);
    ck_assert_uint_eq(e.load_end, 0x300400);
    /* tags in order: cmdline 1, loader name 2, module 3, meminfo 4, mmap 6, load base 21, end 0 */
    uint32_t total = r32(INFO), off = 8;
    static const uint32_t want[] = { 1, 2, 3, 4, 6, 21, 0 };
    char s[64];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_uint_lt(off, total);
        ck_assert_uint_eq(r32(INFO + off), want[i]);
        uint32_t size = r32(INFO + off + 4);
        if (want[i] == 1) {
            rstr(INFO + off + 8, s, sizeof s);
            ck_assert_str_eq(s, "console=ttyS0 x=1");
        } else if (want[i] == 3) {
            ck_assert_uint_eq(r32(INFO + off + 8), 0x301000);
            ck_assert_uint_eq(r32(INFO + off + 12), 0x301003);
            rstr(INFO + off + 16, s, sizeof s);
            ck_assert_str_eq(s, "m2");
        } else if (want[i] == 6) {
            ck_assert_uint_eq(r32(INFO + off + 8), 24);
            ck_assert_uint_eq(size, 16 + 2 * 24);
            ck_assert_uint_eq(r64(INFO + off + 16 + 24), 0x100000);
        } else if (want[i] == 21) {
            ck_assert_uint_eq(r32(INFO + off + 8), 0x300000);
        }
        off += (size + 7) & ~7u;
    }
    ck_assert_uint_eq(off, total);
}
END_TEST

START_TEST(mb2_refusals)
{
    uint8_t img[0x200];
    size_t n = mb2_image(img, 0x1234, 0, true);
    expect_refusal(img, n, NULL, 0, "k.bin: multiboot2 header requires tag 4660 (unknown)");
    n = mb2_image(img, 5, 0, true);
    expect_refusal(img, n, NULL, 0, "requires tag 5 (framebuffer)");
    n = mb2_image(img, 0, 0, false);
    expect_refusal(img, n, NULL, 0, "multiboot2 header has no end tag");
    n = mb2_image(img, 0, 0, true);
    img[12] ^= 0x10;
    expect_refusal(img, n, NULL, 0, "multiboot2 header at offset 0x0: bad checksum");
    n = mb2_image(img, 0, 0, true);
    uint32_t len;
    memcpy(&len, img + 8, 4);
    w32(img + 4, 4); /* MIPS */
    w32(img + 12, -(MB2_HEADER_MAGIC + 4 + len));
    expect_refusal(img, n, NULL, 0, "multiboot2 architecture 4");
    n = mb2_image(img, 0, 0, true);
    w32(img + 16 + 4, 0x7fffffff); /* a tag size beyond the header */
    expect_refusal(img, n, NULL, 0, "has a bad size");
    /* the boot information does not fit its area */
    n = mb2_image(img, 0, 0, true);
    struct mb_params p = params(img, n, NULL, 0);
    p.info_size = 32;
    struct mb_entry e;
    char err[256] = "";
    ck_assert(!mb_load(&bus, &p, &e, err, sizeof err));
    ck_assert_msg(strstr(err, "does not fit in its 32 bytes"), "%s", err);
}
END_TEST

/* A linear framebuffer offered (x86-pc [vga] lfb): the modes a board
 * accepts here are direct colour up to 2048x2048. */
static bool fb_ok(uint32_t w, uint32_t h, uint32_t bpp)
{
    return w && h && w <= 2048 && h <= 2048 && (bpp == 16 || bpp == 24 || bpp == 32);
}

static void offer_lfb(struct mb_params *p, uint32_t w, uint32_t h, uint32_t bpp)
{
    p->lfb_addr = 0xfd000000;
    p->lfb_w = w;
    p->lfb_h = h;
    p->lfb_bpp = bpp;
    p->lfb_mode_ok = fb_ok;
}

/* The framebuffer info tag (8) of the boot information; 0: none. */
static uint64_t mb2_find_tag(uint32_t type)
{
    uint32_t total = r32(INFO);
    for (uint32_t off = 8; off + 8 <= total; off += (r32(INFO + off + 4) + 7) & ~7u)
        if (r32(INFO + off) == type)
            return INFO + off;
    return 0;
}

static uint8_t r8(uint64_t pa) { return (uint8_t)r32(pa); }

START_TEST(mb2_framebuffer_tag)
{
    uint8_t img[0x200];
    size_t n = mb2_image(img, 5, 0, true); /* tag 5 of 8 bytes: refused without an offer */
    struct mb_params p = params(img, n, NULL, 0);
    struct mb_entry e;
    char err[256] = "";
    offer_lfb(&p, 1024, 768, 32);
    ck_assert(!mb_load(&bus, &p, &e, err, sizeof err));
    ck_assert_msg(strstr(err, "multiboot2 tag 5 is too short"), "%s", err);
    /* width 800, height 600, depth 16: honoured */
    memmove(img + 16 + 24 + 16 + 24, img + 16 + 24 + 16 + 8, 8); /* the end tag moves */
    w32(img + 16 + 24 + 16 + 4, 20);
    w32(img + 16 + 24 + 16 + 8, 800);
    w32(img + 16 + 24 + 16 + 12, 600);
    w32(img + 16 + 24 + 16 + 16, 16);
    uint32_t len = 16 + 24 + 16 + 24 + 8;
    w32(img + 8, len);
    w32(img + 12, -(MB2_HEADER_MAGIC + len));
    ck_assert_msg(mb_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.fb_w, 800);
    ck_assert_uint_eq(e.fb_h, 600);
    ck_assert_uint_eq(e.fb_bpp, 16);
    uint64_t t = mb2_find_tag(8);
    ck_assert_uint_ne(t, 0);
    ck_assert_uint_eq(r32(t + 4), 38);
    ck_assert_uint_eq(r64(t + 8), 0xfd000000);
    ck_assert_uint_eq(r32(t + 16), 1600);
    ck_assert_uint_eq(r32(t + 20), 800);
    ck_assert_uint_eq(r32(t + 24), 600);
    ck_assert_uint_eq(r8(t + 28), 16);
    ck_assert_uint_eq(r8(t + 29), 1);
    static const uint8_t rgb565[6] = { 11, 5, 5, 6, 0, 5 };
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(r8(t + 32 + i), rgb565[i]);
    /* a mode the board cannot set (depth 12): the default instead */
    w32(img + 16 + 24 + 16 + 16, 12);
    ck_assert_msg(mb_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.fb_w, 1024);
    ck_assert_uint_eq(e.fb_bpp, 32);
    t = mb2_find_tag(8);
    ck_assert_uint_eq(r32(t + 16), 4096);
    ck_assert_uint_eq(r8(t + 32), 16);
    ck_assert_uint_eq(r8(t + 34), 8);
    ck_assert_uint_eq(r8(t + 36), 0);
    /* an 8-bit default is not announced: the required tag is refused */
    offer_lfb(&p, 1024, 768, 8);
    ck_assert(!mb_load(&bus, &p, &e, err, sizeof err));
    ck_assert_msg(strstr(err, "requires tag 5 (framebuffer (an 8-bit"), "%s", err);
    /* no offer: refused as before */
    offer_lfb(&p, 0, 0, 0);
    ck_assert(!mb_load(&bus, &p, &e, err, sizeof err));
    ck_assert_msg(strstr(err, "requires tag 5 (framebuffer)"), "%s", err);
}
END_TEST

START_TEST(mb1_video_mode)
{
    uint8_t img[0x100];
    size_t n = mb1_image(img, 0x20, 0x00010007);
    w32(img + 0x20 + 32, 0);   /* mode_type: linear graphics */
    w32(img + 0x20 + 36, 640); /* width, height, depth */
    w32(img + 0x20 + 40, 480);
    w32(img + 0x20 + 44, 24);
    struct mb_params p = params(img, n, NULL, 0);
    offer_lfb(&p, 1024, 768, 32);
    struct mb_entry e;
    char err[256] = "";
    ck_assert_msg(mb_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.fb_w, 640);
    ck_assert_uint_eq(e.fb_bpp, 24);
    ck_assert_uint_eq(r32(INFO) >> 12 & 1, 1);           /* flags bit 12 */
    ck_assert_uint_eq(r64(INFO + 88), 0xfd000000);       /* framebuffer_addr */
    ck_assert_uint_eq(r32(INFO + 96), 640 * 3);          /* pitch */
    ck_assert_uint_eq(r32(INFO + 100), 640);
    ck_assert_uint_eq(r32(INFO + 104), 480);
    ck_assert_uint_eq(r8(INFO + 108), 24);
    ck_assert_uint_eq(r8(INFO + 109), 1);                /* direct RGB */
    ck_assert_uint_eq(r8(INFO + 110), 16);               /* red position */
    /* EGA text (mode_type 1) with the VGA */
    w32(img + 0x20 + 32, 1);
    p.ega_text = true;
    ck_assert_msg(mb_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.fb_w, 0);
    ck_assert_uint_eq(r64(INFO + 88), 0xb8000);
    ck_assert_uint_eq(r8(INFO + 109), 2);
    /* mode_type 1 without the VGA: refused */
    p.ega_text = false;
    ck_assert(!mb_load(&bus, &p, &e, err, sizeof err));
    ck_assert_msg(strstr(err, "requires flag bit 2 (video mode)"), "%s", err);
}
END_TEST

Suite *multiboot_suite(void)
{
    Suite *s = suite_create("multiboot");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mb1_aout_kludge_and_info);
    tcase_add_test(tc, mb1_refusals);
    tcase_add_test(tc, detect_windows);
    tcase_add_test(tc, mb2_address_tag_and_tags);
    tcase_add_test(tc, mb2_refusals);
    tcase_add_test(tc, mb2_framebuffer_tag);
    tcase_add_test(tc, mb1_video_mode);
    suite_add_tcase(s, tc);
    return s;
}
