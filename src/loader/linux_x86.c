/* The Linux x86 64-bit boot protocol (see linux_x86.h). "boot.rst" is
 * Documentation/x86/boot.rst of Linux 6.1, "zero-page.rst" its
 * Documentation/x86/zero-page.rst. */
#include "linux_x86.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sim/bus.h"
#include "image.h"

/* Setup header fields: offsets in the image and in boot_params alike
 * (boot.rst "The Real-Mode Kernel Header"). */
enum {
    H_SETUP_SECTS = 0x1f1,     /* 1: setup size in 512-byte sectors (0 = 4) */
    H_SYSSIZE = 0x1f4,         /* 4: protected-mode code size in 16-byte paragraphs */
    H_VID_MODE = 0x1fa,        /* 2 */
    H_BOOT_FLAG = 0x1fe,       /* 2: 0xAA55 */
    H_JUMP = 0x200,            /* 2: the jump; byte 0x201 + 0x202 = end of the header */
    H_HEADER = 0x202,          /* 4: "HdrS" */
    H_VERSION = 0x206,         /* 2 */
    H_TYPE_OF_LOADER = 0x210,  /* 1 */
    H_LOADFLAGS = 0x211,       /* 1 */
    H_RAMDISK_IMAGE = 0x218,   /* 4 */
    H_RAMDISK_SIZE = 0x21c,    /* 4 */
    H_CMD_LINE_PTR = 0x228,    /* 4 */
    H_INITRD_ADDR_MAX = 0x22c, /* 4 */
    H_KERNEL_ALIGNMENT = 0x230,/* 4 */
    H_RELOCATABLE = 0x234,     /* 1 */
    H_XLOADFLAGS = 0x236,      /* 2 */
    H_CMDLINE_SIZE = 0x238,    /* 4 */
    H_PREF_ADDRESS = 0x258,    /* 8 */
    H_INIT_SIZE = 0x260,       /* 4 */
    H_END_212 = 0x264,         /* a 2.12+ header reaches at least past init_size */
};

/* boot_params fields outside the setup header (zero-page.rst). */
enum {
    BP_ACPI_RSDP = 0x070,       /* 8 */
    BP_EXT_RAMDISK_IMAGE = 0x0c0,
    BP_EXT_RAMDISK_SIZE = 0x0c4,
    BP_EXT_CMD_LINE_PTR = 0x0c8,
    BP_E820_ENTRIES = 0x1e8,    /* 1 */
    BP_E820_TABLE = 0x2d0,      /* 128 x 20 bytes: u64 addr, u64 size, u32 type */
};

#define LOADED_HIGH 0x01        /* loadflags bit 0: protected-mode code at 0x100000 */
#define XLF_KERNEL_64 0x01      /* xloadflags bit 0: 64-bit entry at +0x200 */
#define LX_MAX_INITRD (1ull << 32)

static uint32_t r16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t r32(const uint8_t *p) { return r16(p) | r16(p + 2) << 16; }
static uint64_t r64(const uint8_t *p) { return r32(p) | (uint64_t)r32(p + 4) << 32; }
static void w16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, v); w16(p + 2, v >> 16); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

bool lx_detect(const uint8_t *img, size_t n)
{
    return n >= H_HEADER + 4 && r16(img + H_BOOT_FLAG) == 0xaa55 &&
           memcmp(img + H_HEADER, "HdrS", 4) == 0;
}

/* True if [a, a + len) lies in one RAM entry of the map, at or above min. */
static bool in_ram(const struct lx_params *p, uint64_t a, uint64_t len, uint64_t min)
{
    if (a < min || a + len < a)
        return false;
    for (int i = 0; i < p->ne820; i++) {
        const struct lx_e820 *e = &p->e820[i];
        if (e->type == LX_E820_RAM && a >= e->addr && a + len <= e->addr + e->size)
            return true;
    }
    return false;
}

/* The initrd: as high as possible below initrd_addr_max + 1 (and 4 GiB: the
 * 32-bit ramdisk fields), page aligned, in RAM above the kernel (boot.rst
 * "ramdisk_image", "initrd_addr_max"). */
static bool place_initrd(const struct lx_params *p, uint64_t size, uint64_t limit,
                         uint64_t above, uint64_t *at)
{
    for (int i = p->ne820 - 1; i >= 0; i--) {
        const struct lx_e820 *e = &p->e820[i];
        if (e->type != LX_E820_RAM)
            continue;
        uint64_t lo = e->addr > above ? e->addr : above;
        uint64_t hi = e->addr + e->size < limit ? e->addr + e->size : limit;
        if (hi <= lo || hi - lo < size)
            continue;
        uint64_t a = (hi - size) & ~4095ull;
        if (a >= lo) {
            *at = a;
            return true;
        }
    }
    return false;
}

bool lx_load(struct bus *b, const struct lx_params *p, struct lx_entry *e, char *err,
             size_t errlen)
{
    const uint8_t *img = p->image;
    size_t n = p->image_size;
    memset(e, 0, sizeof *e);
    if (!lx_detect(img, n)) {
        snprintf(err, errlen, "--kernel %s: not a bzImage (no boot_flag 0xAA55 and \"HdrS\" "
                 "setup header at 0x1FE/0x202)", p->kernel);
        return false;
    }
    uint16_t version = (uint16_t)r16(img + H_VERSION);
    e->version = version;
    if (version < LX_MIN_VERSION) {
        snprintf(err, errlen, "--kernel %s: boot protocol %u.%02u, hvsim needs 2.12 or later "
                 "(the 64-bit entry point)", p->kernel, version >> 8, version & 0xff);
        return false;
    }
    /* The setup header ends at 0x202 + the byte at 0x201 (boot.rst
     * "64-bit Boot Protocol"). */
    size_t hdr_end = H_HEADER + img[H_JUMP + 1];
    unsigned setup_sects = img[H_SETUP_SECTS] ? img[H_SETUP_SECTS] : 4;
    size_t pm_off = (size_t)(setup_sects + 1) * 512;
    if (hdr_end < H_END_212 || hdr_end > pm_off || pm_off + 0x200 >= n) {
        snprintf(err, errlen, "--kernel %s: malformed setup header (header end 0x%zx, "
                 "setup_sects %u, protected-mode code at 0x%zx of %zu bytes)", p->kernel,
                 hdr_end, img[H_SETUP_SECTS], pm_off, n);
        return false;
    }
    size_t pm_size = n - pm_off;
    uint64_t syssize = (uint64_t)r32(img + H_SYSSIZE) * 16;
    if (syssize == 0 || syssize > pm_size + 15) {
        snprintf(err, errlen, "--kernel %s: malformed setup header: syssize says %" PRIu64
                 " bytes of protected-mode code, the file has %zu", p->kernel, syssize, pm_size);
        return false;
    }
    if (!(r16(img + H_XLOADFLAGS) & XLF_KERNEL_64) || !(img[H_LOADFLAGS] & LOADED_HIGH)) {
        snprintf(err, errlen, "--kernel %s: not a 64-bit bzImage (xloadflags XLF_KERNEL_64 "
                 "and loadflags LOADED_HIGH must be set)", p->kernel);
        return false;
    }
    uint32_t align = r32(img + H_KERNEL_ALIGNMENT);
    uint64_t init_size = r32(img + H_INIT_SIZE);
    uint64_t need = init_size > pm_size ? init_size : pm_size;
    if (align == 0 || (align & (align - 1))) {
        snprintf(err, errlen, "--kernel %s: malformed setup header: kernel_alignment 0x%x is "
                 "not a power of two", p->kernel, align);
        return false;
    }

    /* Where the kernel goes: a relocatable kernel at pref_address when it
     * fits (else the first kernel_alignment boundary above 1 MiB that
     * does), a non-relocatable one at 0x100000 (boot.rst "pref_address",
     * "relocatable_kernel"). */
    uint64_t cand[2] = { 0x100000, 0 };
    int ncand = 1;
    if (img[H_RELOCATABLE]) {
        uint64_t pref = r64(img + H_PREF_ADDRESS);
        uint64_t low = (0x100000 + align - 1) & ~(uint64_t)(align - 1);
        cand[0] = pref && !(pref & (align - 1)) ? pref : low;
        cand[1] = low;
        ncand = 2;
    }
    uint64_t load = 0;
    bool placed = false;
    for (int i = 0; i < ncand && !placed; i++) {
        load = cand[i];
        placed = in_ram(p, load, need, p->load_min);
    }
    if (!placed) {
        snprintf(err, errlen, "--kernel %s: the kernel needs %" PRIu64 " bytes (init_size) at "
                 "0x%" PRIx64 " and they are not RAM (more --mem?)", p->kernel, need, cand[0]);
        return false;
    }

    /* Command line (boot.rst "cmdline_size": without the terminating 0). */
    const char *cmdline = p->cmdline ? p->cmdline : "";
    size_t clen = strlen(cmdline);
    uint32_t cmax = r32(img + H_CMDLINE_SIZE);
    if (clen > cmax) {
        snprintf(err, errlen, "--append: %zu characters, --kernel %s takes at most %u "
                 "(cmdline_size)", clen, p->kernel, cmax);
        return false;
    }

    /* Initrd. */
    uint8_t *rd = NULL;
    size_t rdn = 0;
    uint64_t rd_at = 0;
    if (p->initrd && p->initrd[0]) {
        rd = image_read_file(p->initrd, LX_MAX_INITRD, &rdn, err, errlen);
        if (!rd) {
            char why[400];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, errlen, "--initrd %s", why);
            return false;
        }
        uint64_t limit = (uint64_t)r32(img + H_INITRD_ADDR_MAX) + 1;
        if (!place_initrd(p, rdn, limit, load + need, &rd_at)) {
            snprintf(err, errlen, "--initrd %s: %zu bytes do not fit in RAM between the kernel "
                     "(end 0x%" PRIx64 ") and initrd_addr_max 0x%" PRIx64 " of --kernel %s",
                     p->initrd, rdn, load + need, limit - 1, p->kernel);
            free(rd);
            return false;
        }
    }

    /* boot_params: zeroed, the image's setup header copied in, then the
     * loader's fields (boot.rst "64-bit Boot Protocol", zero-page.rst). */
    uint8_t bp[LX_ZERO_PAGE];
    memset(bp, 0, sizeof bp);
    memcpy(bp + H_SETUP_SECTS, img + H_SETUP_SECTS, hdr_end - H_SETUP_SECTS);
    bp[H_TYPE_OF_LOADER] = 0xff;                       /* undefined loader */
    w16(bp + H_VID_MODE, 0xffff);                      /* "normal" */
    w32(bp + H_CMD_LINE_PTR, (uint32_t)p->cmdline_addr);
    w32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(p->cmdline_addr >> 32));
    w32(bp + H_RAMDISK_IMAGE, (uint32_t)rd_at);
    w32(bp + H_RAMDISK_SIZE, (uint32_t)rdn);
    w32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(rd_at >> 32));
    w32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)rdn >> 32));
    w64(bp + BP_ACPI_RSDP, p->acpi_rsdp);
    if (p->vga_text) {
        /* struct screen_info at 0 (include/uapi/linux/screen_info.h), as a
         * BIOS in mode 3 leaves it: what vgacon needs to take the VGA */
        bp[0x06] = 3;   /* orig_video_mode */
        bp[0x07] = 80;  /* orig_video_cols */
        bp[0x0e] = 25;  /* orig_video_lines */
        bp[0x0f] = 1;   /* orig_video_isVGA */
        w16(bp + 0x10, 16); /* orig_video_points: character height */
    }
    if (p->lfb_w) {
        /* struct screen_info as a VESA BIOS's linear mode leaves it
         * (include/uapi/linux/screen_info.h): what vesafb, or sysfb's
         * simple-framebuffer, binds to. lfb_size counts 64 KiB units for
         * VIDEO_TYPE_VLFB; 8 bits a pixel: the DAC's 6-bit components. */
        memset(bp, 0, 0x40);
        uint32_t bpp = p->lfb_bpp, pitch = p->lfb_w * ((bpp + 7) / 8);
        static const uint8_t rgb888[8] = { 8, 16, 8, 8, 8, 0, 8, 24 },
                             rgb565[8] = { 5, 11, 6, 5, 5, 0, 0, 0 },
                             rgb555[8] = { 5, 10, 5, 5, 5, 0, 1, 15 },
                             dac[8] = { 6, 0, 6, 0, 6, 0, 0, 0 };
        const uint8_t *c = bpp == 32 ? rgb888 : bpp == 16 ? rgb565 : bpp == 15 ? rgb555 :
                           bpp == 8 ? dac : rgb888;
        bp[0x0f] = 0x23;                               /* orig_video_isVGA: VIDEO_TYPE_VLFB */
        w16(bp + 0x12, (uint16_t)p->lfb_w);            /* lfb_width */
        w16(bp + 0x14, (uint16_t)p->lfb_h);            /* lfb_height */
        w16(bp + 0x16, (uint16_t)bpp);                 /* lfb_depth */
        w32(bp + 0x18, (uint32_t)p->lfb_addr);         /* lfb_base */
        w32(bp + 0x1c, (uint32_t)(p->lfb_size >> 16)); /* lfb_size (64 KiB units) */
        w16(bp + 0x24, (uint16_t)pitch);               /* lfb_linelength */
        memcpy(bp + 0x26, c, bpp == 24 ? 6 : 8);       /* red/green/blue/rsvd size, pos */
        w16(bp + 0x32, (uint16_t)(p->lfb_size / ((uint64_t)pitch * p->lfb_h))); /* pages */
        w32(bp + 0x3a, (uint32_t)(p->lfb_addr >> 32)); /* ext_lfb_base */
        if (p->lfb_addr >> 32)
            w32(bp + 0x36, 2);                         /* capabilities: 64-bit base */
    }
    int ne = p->ne820 < LX_E820_MAX ? p->ne820 : LX_E820_MAX;
    bp[BP_E820_ENTRIES] = (uint8_t)ne;
    for (int i = 0; i < ne; i++) {
        uint8_t *t = bp + BP_E820_TABLE + 20 * i;
        w64(t, p->e820[i].addr);
        w64(t + 8, p->e820[i].size);
        w32(t + 16, p->e820[i].type);
    }

    bool ok = bus_load(b, load, img + pm_off, pm_size) &&
              bus_load(b, p->cmdline_addr, cmdline, clen + 1) &&
              bus_load(b, p->boot_params, bp, sizeof bp) &&
              (!rdn || bus_load(b, rd_at, rd, rdn));
    free(rd);
    if (!ok) {
        snprintf(err, errlen, "--kernel %s: boot_params at 0x%" PRIx64 " or the command line "
                 "at 0x%" PRIx64 " is not in RAM", p->kernel, p->boot_params, p->cmdline_addr);
        return false;
    }
    e->entry = load + 0x200;
    e->boot_params = p->boot_params;
    e->load_addr = load;
    e->init_size = need;
    e->initrd_addr = rd_at;
    e->initrd_size = rdn;
    return true;
}
