/* The Linux x86 64-bit boot protocol (src/loader/linux_x86.c) on a bus with
 * PC-like RAM: a hand-built bzImage (setup header + protected-mode bytes),
 * where the kernel, initrd and command line go, boot_params as the kernel
 * reads it (zero-page.rst offsets), and every refusal naming the file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/linux_x86.h"
#include "sim/bus.h"
#include "x86_fixture.h"

#define BP 0x10000
#define CMDLINE 0x11000
#define PM_SIZE 0x1000
#define IMG_SIZE (0xa00 + PM_SIZE)

static struct bus bus;
static char rdpath[64];
static uint64_t ram_end;
static struct lx_e820 map[3];

static void setup_ram(uint64_t end)
{
    bus_init(&bus);
    ck_assert_ptr_nonnull(bus_add_mem(&bus, "low", 0, 0xa0000, false, NULL, 0));
    ck_assert_ptr_nonnull(bus_add_mem(&bus, "ram", 0x100000, end - 0x100000, false, NULL, 0));
    ram_end = end;
    map[0] = (struct lx_e820){ 0, 0xa0000, LX_E820_RAM };
    map[1] = (struct lx_e820){ 0xf0000, 0x10000, LX_E820_RESERVED };
    map[2] = (struct lx_e820){ 0x100000, end - 0x100000, LX_E820_RAM };
}

static void setup(void)
{
    setup_ram(64u << 20);
    snprintf(rdpath, sizeof rdpath, "/tmp/hvsim-lxtest-%d-rd", (int)getpid());
    FILE *f = fopen(rdpath, "wb");
    for (int i = 0; i < 10000; i++)
        fputc(i * 7, f);
    fclose(f);
}

static void teardown(void)
{
    bus_free(&bus);
    unlink(rdpath);
}

static void w16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, v); w16(p + 2, v >> 16); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }
static uint64_t rd(uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    ck_assert(bus_read(&bus, pa, size, &v));
    return v;
}

/* A 2.15 bzImage as Linux 6.1 builds one: 4 setup sectors, the header
 * ending at 0x26c, relocatable, 64-bit entry, pref_address 16 MiB. */
static void bzimage(uint8_t *img)
{
    memset(img, 0, IMG_SIZE);
    img[0x1f1] = 4;                       /* setup_sects */
    w32(img + 0x1f4, PM_SIZE / 16);       /* syssize */
    w16(img + 0x1fe, 0xaa55);
    img[0x200] = 0xeb;                    /* jmp short */
    img[0x201] = 0x6a;                    /* header end 0x26c */
    memcpy(img + 0x202, "HdrS", 4);
    w16(img + 0x206, 0x020f);
    img[0x211] = 0x01;                    /* LOADED_HIGH */
    w32(img + 0x22c, 0x7fffffff);         /* initrd_addr_max */
    w32(img + 0x230, 0x200000);           /* kernel_alignment */
    img[0x234] = 1;                       /* relocatable */
    w16(img + 0x236, 0x0003);             /* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
    w32(img + 0x238, 2047);               /* cmdline_size */
    w64(img + 0x258, 0x1000000);          /* pref_address */
    w32(img + 0x260, 0x300000);           /* init_size */
    for (int i = 0; i < PM_SIZE; i++)
        img[0xa00 + i] = (uint8_t)(i * 13 + 1);
}

static struct lx_params params(const uint8_t *img, size_t n, const char *initrd)
{
    return (struct lx_params){
        .kernel = "bz.img", .image = img, .image_size = n, .cmdline = "console=ttyS0 quiet",
        .initrd = initrd, .e820 = map, .ne820 = 3, .boot_params = BP, .cmdline_addr = CMDLINE,
        .load_min = 0x100000, .acpi_rsdp = 0xf0120,
    };
}

START_TEST(load_and_boot_params)
{
    static uint8_t img[IMG_SIZE];
    bzimage(img);
    ck_assert(lx_detect(img, IMG_SIZE));
    struct lx_params p = params(img, IMG_SIZE, rdpath);
    struct lx_entry e;
    char err[256] = "";
    ck_assert_msg(lx_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.load_addr, 0x1000000);
    ck_assert_uint_eq(e.entry, 0x1000200);
    ck_assert_uint_eq(e.boot_params, BP);
    ck_assert_uint_eq(e.version, 0x020f);
    for (int i = 0; i < PM_SIZE; i += 97)
        ck_assert_uint_eq(rd(0x1000000 + i, 1), (uint8_t)(i * 13 + 1));
    /* The setup header copied, then the loader's fields. */
    ck_assert_uint_eq(rd(BP + 0x202, 4), 0x53726448);  /* "HdrS" */
    ck_assert_uint_eq(rd(BP + 0x1f1, 1), 4);
    ck_assert_uint_eq(rd(BP + 0x258, 8), 0x1000000);
    ck_assert_uint_eq(rd(BP + 0x210, 1), 0xff);        /* type_of_loader */
    ck_assert_uint_eq(rd(BP + 0x1fa, 2), 0xffff);      /* vid_mode */
    ck_assert_uint_eq(rd(BP + 0x1ef, 1), 0);           /* sentinel */
    ck_assert_uint_eq(rd(BP + 0x228, 4), CMDLINE);
    ck_assert_uint_eq(rd(BP + 0x0c8, 4), 0);
    char cl[64];
    for (size_t i = 0; i < sizeof cl; i++)
        cl[i] = (char)rd(CMDLINE + i, 1);
    ck_assert_str_eq(cl, "console=ttyS0 quiet");
    ck_assert_uint_eq(rd(BP + 0x070, 8), 0xf0120);     /* acpi_rsdp_addr */
    /* e820 */
    ck_assert_uint_eq(rd(BP + 0x1e8, 1), 3);
    ck_assert_uint_eq(rd(BP + 0x2d0, 8), 0);
    ck_assert_uint_eq(rd(BP + 0x2d0 + 8, 8), 0xa0000);
    ck_assert_uint_eq(rd(BP + 0x2d0 + 16, 4), 1);
    ck_assert_uint_eq(rd(BP + 0x2d0 + 20, 8), 0xf0000);
    ck_assert_uint_eq(rd(BP + 0x2d0 + 36, 4), 2);
    ck_assert_uint_eq(rd(BP + 0x2d0 + 48, 8), (64u << 20) - 0x100000);
    /* initrd: page-aligned, at the top of RAM, the bytes of the file */
    uint64_t ra = rd(BP + 0x218, 4), rs = rd(BP + 0x21c, 4);
    ck_assert_uint_eq(rs, 10000);
    ck_assert_uint_eq(ra & 4095, 0);
    ck_assert_uint_le(ra + rs, ram_end);
    ck_assert_uint_gt(ra + rs + 4096, ram_end);
    ck_assert_uint_eq(ra, e.initrd_addr);
    for (int i = 0; i < 10000; i += 333)
        ck_assert_uint_eq(rd(ra + i, 1), (uint8_t)(i * 7));
}
END_TEST

/* [vga] lfb: screen_info describes a VESA linear framebuffer (VLFB). */
START_TEST(vlfb_screen_info)
{
    static uint8_t img[IMG_SIZE];
    bzimage(img);
    struct lx_params p = params(img, IMG_SIZE, NULL);
    p.vga_text = true;
    p.lfb_addr = 0xfd000000;
    p.lfb_size = 16u << 20;
    p.lfb_w = 1024;
    p.lfb_h = 768;
    p.lfb_bpp = 32;
    struct lx_entry e;
    char err[256] = "";
    ck_assert_msg(lx_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(rd(BP + 0x0f, 1), 0x23);          /* orig_video_isVGA: VIDEO_TYPE_VLFB */
    ck_assert_uint_eq(rd(BP + 0x06, 1), 0);             /* no text mode left */
    ck_assert_uint_eq(rd(BP + 0x12, 2), 1024);          /* lfb_width */
    ck_assert_uint_eq(rd(BP + 0x14, 2), 768);           /* lfb_height */
    ck_assert_uint_eq(rd(BP + 0x16, 2), 32);            /* lfb_depth */
    ck_assert_uint_eq(rd(BP + 0x18, 4), 0xfd000000);    /* lfb_base */
    ck_assert_uint_eq(rd(BP + 0x1c, 4), 256);           /* lfb_size, 64 KiB units */
    ck_assert_uint_eq(rd(BP + 0x24, 2), 4096);          /* lfb_linelength */
    ck_assert_uint_eq(rd(BP + 0x26, 4), 0x08081008);    /* red 8@16, green 8@8 */
    ck_assert_uint_eq(rd(BP + 0x2a, 4), 0x18080008);    /* blue 8@0, rsvd 8@24 */
    ck_assert_uint_eq(rd(BP + 0x32, 2), 5);             /* pages */
    ck_assert_uint_eq(rd(BP + 0x3a, 4), 0);             /* ext_lfb_base */
}
END_TEST

START_TEST(placement)
{
    static uint8_t img[IMG_SIZE];
    struct lx_entry e;
    char err[256] = "";
    /* pref_address does not fit in 8 MiB: the first 2 MiB boundary above 1 MiB */
    bus_free(&bus);
    setup_ram(8u << 20);
    bzimage(img);
    struct lx_params p = params(img, IMG_SIZE, NULL);
    ck_assert_msg(lx_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.load_addr, 0x200000);
    ck_assert_uint_eq(rd(BP + 0x218, 4), 0);           /* no initrd */
    ck_assert_uint_eq(rd(BP + 0x21c, 4), 0);
    /* not relocatable: 0x100000 */
    img[0x234] = 0;
    ck_assert_msg(lx_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_eq(e.load_addr, 0x100000);
    ck_assert_uint_eq(e.entry, 0x100200);
    /* initrd_addr_max keeps the initrd low, above the kernel */
    bzimage(img);
    w32(img + 0x22c, 0x5fffff);
    p.initrd = rdpath;
    ck_assert_msg(lx_load(&bus, &p, &e, err, sizeof err), "%s", err);
    ck_assert_uint_le(e.initrd_addr + e.initrd_size, 0x600000);
    ck_assert_uint_ge(e.initrd_addr, e.load_addr + e.init_size);
}
END_TEST

static void expect_refusal(const uint8_t *img, size_t n, const char *initrd, const char *cmdline,
                           const char *what)
{
    struct lx_params p = params(img, n, initrd);
    if (cmdline)
        p.cmdline = cmdline;
    struct lx_entry e;
    char err[512] = "";
    ck_assert_msg(!lx_load(&bus, &p, &e, err, sizeof err), "accepted: expected '%s'", what);
    ck_assert_msg(strstr(err, what), "'%s' does not say '%s'", err, what);
}

START_TEST(refusals)
{
    static uint8_t img[IMG_SIZE];
    bzimage(img);
    img[0x202] = 'X';
    ck_assert(!lx_detect(img, IMG_SIZE));
    expect_refusal(img, IMG_SIZE, NULL, NULL, "--kernel bz.img: not a bzImage");
    ck_assert(!lx_detect(img, 0x100));
    bzimage(img);
    w16(img + 0x206, 0x020b);
    expect_refusal(img, IMG_SIZE, NULL, NULL, "bz.img: boot protocol 2.11, hvsim needs 2.12");
    bzimage(img);
    img[0x201] = 0x10;
    expect_refusal(img, IMG_SIZE, NULL, NULL, "bz.img: malformed setup header (header end 0x212");
    bzimage(img);
    img[0x1f1] = 200;
    expect_refusal(img, IMG_SIZE, NULL, NULL, "bz.img: malformed setup header");
    bzimage(img);
    expect_refusal(img, 0xa00 + 0x100, NULL, NULL, "bz.img: malformed setup header");
    bzimage(img);
    w32(img + 0x1f4, 0);
    expect_refusal(img, IMG_SIZE, NULL, NULL, "bz.img: malformed setup header: syssize");
    bzimage(img);
    w16(img + 0x236, 0);
    expect_refusal(img, IMG_SIZE, NULL, NULL, "bz.img: not a 64-bit bzImage");
    bzimage(img);
    w32(img + 0x230, 0x300000);
    expect_refusal(img, IMG_SIZE, NULL, NULL, "kernel_alignment 0x300000 is not a power of two");
    bzimage(img);
    w32(img + 0x260, 0x7000000);
    expect_refusal(img, IMG_SIZE, NULL, NULL, "bz.img: the kernel needs 117440512 bytes");
    bzimage(img);
    w32(img + 0x238, 8);
    expect_refusal(img, IMG_SIZE, NULL, NULL, "--append: 19 characters, --kernel bz.img takes at most 8");
    bzimage(img);
    expect_refusal(img, IMG_SIZE, "/nonexistent/rd.img", NULL, "--initrd /nonexistent/rd.img");
    w32(img + 0x22c, 0x1300000);          /* initrd_addr_max just above the kernel */
    char want[128];
    snprintf(want, sizeof want, "--initrd %s: 10000 bytes do not fit", rdpath);
    expect_refusal(img, IMG_SIZE, rdpath, NULL, want);
}
END_TEST

/* Instructions Linux's boot and power-off paths execute that the model
 * lacked: WBINVD (ACPI sleep, ACPI_FLUSH_CPU_CACHE) and INVD run at CPL 0
 * as no-ops (no caches are modelled). */
START_TEST(wbinvd_invd)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = { 0x0f, 0x09, 0x0f, 0x08, 0xf4 };
    x86f_code(f, X86F_CODE, code, sizeof code);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(f->x->rip, X86F_CODE + sizeof code);
    x86f_free(f);
}
END_TEST

Suite *linux_x86_suite(void)
{
    Suite *s = suite_create("linux_x86");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, load_and_boot_params);
    tcase_add_test(tc, placement);
    tcase_add_test(tc, vlfb_screen_info);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    TCase *cpu = tcase_create("cpu");
    tcase_add_test(cpu, wbinvd_invd);
    suite_add_tcase(s, cpu);
    return s;
}
