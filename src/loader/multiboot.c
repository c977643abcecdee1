/* Multiboot 1 and 2 loading (multiboot.h; the GNU Multiboot Specification
 * 0.6.96 "MB1 §n" and the Multiboot2 Specification 2.0 "MB2 §n"). The image
 * is parsed here from the file's bytes (ELF32/ELF64 program headers per the
 * System V ABI, or the header's address fields), so that every load range
 * can be checked against the board's RAM before anything is copied. */
#include "loader/multiboot.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/image.h"
#include "sim/bus.h"

#define MB_MAX_SEGS 32
#define MB_MAX_MODULE (1ull << 32) /* a module must lie below 4 GiB anyway */

/* ---- little-endian fields --------------------------------------------- */

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static long find_magic(const uint8_t *img, size_t size, uint32_t magic, size_t search,
                       size_t align)
{
    for (size_t off = 0; off + 4 <= size && off < search; off += align)
        if (rd32(img + off) == magic)
            return (long)off;
    return -1;
}

int mb_detect(const uint8_t *image, size_t size)
{
    if (find_magic(image, size, MB2_HEADER_MAGIC, MB2_SEARCH, 8) >= 0)
        return 2;
    if (find_magic(image, size, MB1_HEADER_MAGIC, MB1_SEARCH, 4) >= 0)
        return 1;
    return 0;
}

/* ---- what to load --------------------------------------------------- */

struct seg {
    uint64_t paddr, off, filesz, memsz;
};

struct plan {
    struct seg seg[MB_MAX_SEGS];
    int nseg;
    uint64_t entry;
    bool has_entry;
    uint32_t fb_w, fb_h, fb_bpp; /* the graphics mode to hand over (fb_w 0: none) */
    bool fb_text;                /* MB1: EGA text announced (flag 2, mode_type 1) */
};

/* A graphics request (MB2 §3.1.10, MB1 §3.1.4: 0 = no preference) against
 * the linear framebuffer offered: the requested mode when the board can
 * set it, else the default; false when there is none to give (no
 * framebuffer, or an 8-bit default: indexed colour is not announced). */
static bool fb_choose(const struct mb_params *p, uint32_t w, uint32_t h, uint32_t d,
                      struct plan *pl)
{
    if (!p->lfb_w)
        return false;
    w = w ? w : p->lfb_w;
    h = h ? h : p->lfb_h;
    d = d ? d : p->lfb_bpp;
    if (d == 8 || !p->lfb_mode_ok || !p->lfb_mode_ok(w, h, d)) {
        w = p->lfb_w;
        h = p->lfb_h;
        d = p->lfb_bpp;
    }
    if (d == 8)
        return false;
    pl->fb_w = w;
    pl->fb_h = h;
    pl->fb_bpp = d;
    return true;
}

/* Direct RGB colour of a mode: red, green, blue field position and size
 * (MB2 §3.6.12 color_info, MB1 §3.3 fields 110-115). */
static void fb_colour(uint32_t bpp, uint8_t c[6])
{
    static const uint8_t rgb888[6] = { 16, 8, 8, 8, 0, 8 }, rgb565[6] = { 11, 5, 5, 6, 0, 5 },
                         rgb555[6] = { 10, 5, 5, 5, 0, 5 };
    memcpy(c, bpp == 16 ? rgb565 : bpp == 15 ? rgb555 : rgb888, 6);
}

/* The header's address fields (MB1 §3.1.3 offsets 12-24; MB2 §3.1.5 the
 * address tag): the file from hdr_off - (header_addr - load_addr) goes to
 * load_addr; load_end_addr 0 = to the end of the file; bss_end_addr 0 = no
 * bss. MB2: load_addr 0xffffffff = from the start of the file. */
static bool plan_from_address(const struct mb_params *p, size_t hdr_off, uint32_t header_addr,
                              uint32_t load_addr, uint32_t load_end, uint32_t bss_end, bool mb2,
                              struct plan *pl, char *err, size_t errlen)
{
    uint64_t file_start;
    if (mb2 && load_addr == 0xffffffffu) {
        if (header_addr < hdr_off) {
            snprintf(err, errlen, "--kernel %s: multiboot header_addr 0x%" PRIx32
                     " is below the header's file offset 0x%zx", p->kernel, header_addr, hdr_off);
            return false;
        }
        file_start = 0;
        load_addr = header_addr - (uint32_t)hdr_off;
    } else {
        if (load_addr > header_addr || header_addr - load_addr > hdr_off) {
            snprintf(err, errlen, "--kernel %s: multiboot load_addr 0x%" PRIx32
                     " / header_addr 0x%" PRIx32 " place the load before the start of the file",
                     p->kernel, load_addr, header_addr);
            return false;
        }
        file_start = hdr_off - (header_addr - load_addr);
    }
    uint64_t len;
    if (load_end == 0) {
        len = p->image_size - file_start;
    } else {
        if (load_end < load_addr) {
            snprintf(err, errlen, "--kernel %s: multiboot load_end_addr 0x%" PRIx32
                     " is below load_addr 0x%" PRIx32, p->kernel, load_end, load_addr);
            return false;
        }
        len = (uint64_t)load_end - load_addr;
        if (file_start + len > p->image_size) {
            snprintf(err, errlen, "--kernel %s: multiboot load_end_addr 0x%" PRIx32
                     " lies beyond the end of the file (%zu bytes)", p->kernel, load_end,
                     p->image_size);
            return false;
        }
    }
    uint64_t mem = len;
    if (bss_end) {
        if ((uint64_t)bss_end < (uint64_t)load_addr + len) {
            snprintf(err, errlen, "--kernel %s: multiboot bss_end_addr 0x%" PRIx32
                     " is below the end of the loaded text and data", p->kernel, bss_end);
            return false;
        }
        mem = (uint64_t)bss_end - load_addr;
    }
    pl->seg[0] = (struct seg){ load_addr, file_start, len, mem };
    pl->nseg = 1;
    return true;
}

/* PT_LOAD segments at p_paddr (System V ABI, ELF header and program header
 * layouts of ELFCLASS32 and ELFCLASS64). */
static bool plan_from_elf(const struct mb_params *p, struct plan *pl, char *err, size_t errlen)
{
    const uint8_t *e = p->image;
    size_t n = p->image_size;
    if (n < 52 || memcmp(e, "\177ELF", 4) != 0) {
        snprintf(err, errlen, "--kernel %s: multiboot image is not ELF and its header has no "
                 "address fields (MB1 flag 16 / MB2 address tag)", p->kernel);
        return false;
    }
    bool is64 = e[4] == 2;
    unsigned mach = rd16(e + 18);
    if (e[5] != 1 || (e[4] != 1 && e[4] != 2) || (is64 && n < 64) ||
        mach != (is64 ? 62u : 3u) || rd16(e + 16) != 2) {
        snprintf(err, errlen, "--kernel %s: not a little-endian i386 ELF32 or x86-64 ELF64 "
                 "executable (class %u, e_machine %u)", p->kernel, e[4], mach);
        return false;
    }
    uint64_t phoff = is64 ? rd64(e + 32) : rd32(e + 28);
    unsigned phentsize = rd16(e + (is64 ? 54 : 42)), phnum = rd16(e + (is64 ? 56 : 44));
    pl->entry = is64 ? rd64(e + 24) : rd32(e + 24);
    pl->has_entry = true;
    if (phentsize < (is64 ? 56u : 32u) || phoff > n || (uint64_t)phnum * phentsize > n - phoff) {
        snprintf(err, errlen, "--kernel %s: ELF program headers lie beyond the end of the file",
                 p->kernel);
        return false;
    }
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = e + phoff + (uint64_t)i * phentsize;
        if (rd32(ph) != 1) /* PT_LOAD */
            continue;
        struct seg s;
        if (is64)
            s = (struct seg){ rd64(ph + 24), rd64(ph + 8), rd64(ph + 32), rd64(ph + 40) };
        else
            s = (struct seg){ rd32(ph + 12), rd32(ph + 4), rd32(ph + 16), rd32(ph + 20) };
        if (s.memsz == 0)
            continue;
        if (s.filesz > s.memsz || s.off > n || s.filesz > n - s.off) {
            snprintf(err, errlen, "--kernel %s: ELF segment %u (file offset 0x%" PRIx64
                     ", %" PRIu64 " bytes) lies beyond the end of the file", p->kernel, i, s.off,
                     s.filesz);
            return false;
        }
        if (pl->nseg == MB_MAX_SEGS) {
            snprintf(err, errlen, "--kernel %s: more than %d loadable segments", p->kernel,
                     MB_MAX_SEGS);
            return false;
        }
        pl->seg[pl->nseg++] = s;
    }
    if (pl->nseg == 0) {
        snprintf(err, errlen, "--kernel %s: ELF has no loadable segment", p->kernel);
        return false;
    }
    return true;
}

/* [base, base + len) inside one available RAM range at or above min. */
static bool in_ram(const struct mb_params *p, uint64_t base, uint64_t len, uint64_t min)
{
    if (base < min || base + len < base)
        return false;
    for (int i = 0; i < p->nram; i++)
        if (base >= p->ram[i].base && base + len <= p->ram[i].base + p->ram[i].size)
            return true;
    return false;
}

static bool load_plan(struct bus *b, const struct mb_params *p, const struct plan *pl,
                      struct mb_entry *out, char *err, size_t errlen)
{
    out->load_start = UINT64_MAX;
    out->load_end = 0;
    for (int i = 0; i < pl->nseg; i++) {
        const struct seg *s = &pl->seg[i];
        if (!in_ram(p, s->paddr, s->memsz, p->load_min) || s->paddr + s->memsz > (1ull << 32)) {
            snprintf(err, errlen, "--kernel %s: load range [0x%" PRIx64 ", 0x%" PRIx64
                     ") is not in RAM at or above 0x%" PRIx64 " and below 4 GiB "
                     "(docs/x86.md \"PC memory map\")", p->kernel, s->paddr, s->paddr + s->memsz,
                     p->load_min);
            return false;
        }
        for (int j = 0; j < i; j++) {
            const struct seg *o = &pl->seg[j];
            if (s->paddr < o->paddr + o->memsz && o->paddr < s->paddr + s->memsz) {
                snprintf(err, errlen, "--kernel %s: load ranges at 0x%" PRIx64 " and 0x%" PRIx64
                         " overlap", p->kernel, o->paddr, s->paddr);
                return false;
            }
        }
    }
    static const uint8_t zero[4096];
    for (int i = 0; i < pl->nseg; i++) {
        const struct seg *s = &pl->seg[i];
        bool ok = s->filesz == 0 || bus_load(b, s->paddr, p->image + s->off, s->filesz);
        for (uint64_t z = s->filesz; ok && z < s->memsz; z += sizeof zero)
            ok = bus_load(b, s->paddr + z, zero,
                          s->memsz - z < sizeof zero ? s->memsz - z : sizeof zero);
        if (!ok) {
            snprintf(err, errlen, "--kernel %s: cannot load [0x%" PRIx64 ", 0x%" PRIx64 ")",
                     p->kernel, s->paddr, s->paddr + s->memsz);
            return false;
        }
        if (s->paddr < out->load_start)
            out->load_start = s->paddr;
        if (s->paddr + s->memsz > out->load_end)
            out->load_end = s->paddr + s->memsz;
    }
    if (!pl->has_entry || pl->entry >= (1ull << 32)) {
        snprintf(err, errlen, "--kernel %s: entry point 0x%" PRIx64 " is not a 32-bit address",
                 p->kernel, pl->entry);
        return false;
    }
    out->entry = (uint32_t)pl->entry;
    return true;
}

/* ---- modules ---------------------------------------------------------- */

struct placed {
    uint64_t start, end;
};

/* Each module at the next 4 KiB boundary after the image (MB1 flag 0 / the
 * MB2 module alignment tag ask for page alignment; we always give it). */
static bool load_modules(struct bus *b, const struct mb_params *p, struct mb_entry *out,
                         struct placed *pm, char *err, size_t errlen)
{
    uint64_t at = out->load_end;
    for (int i = 0; i < p->nmods; i++) {
        size_t n;
        uint8_t *data = image_read_file(p->mods[i].path, MB_MAX_MODULE, &n, err, errlen);
        if (!data) {
            char why[400];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, errlen, "multiboot module %d: %s", i + 1, why);
            return false;
        }
        at = (at + 4095) & ~4095ull;
        if (!in_ram(p, at, n ? n : 1, p->load_min) || at + n > (1ull << 32) ||
            (n && !bus_load(b, at, data, n))) {
            snprintf(err, errlen, "multiboot module %d: %s: %zu bytes at 0x%" PRIx64
                     " do not fit in RAM below 4 GiB", i + 1, p->mods[i].path, n, at);
            free(data);
            return false;
        }
        free(data);
        pm[i] = (struct placed){ at, at + n };
        at += n;
    }
    out->mods_end = at;
    return true;
}

/* ---- the boot information --------------------------------------------- */

/* The information area, filled in host memory, then copied to info_base. */
struct info {
    uint8_t *buf;
    size_t size, used;
    bool overflow;
};

/* Reserves n bytes aligned to `align`; returns the offset (or 0 on
 * overflow, after which writes go to a scratch spot that is never read). */
static size_t info_alloc(struct info *in, size_t n, size_t align)
{
    size_t off = (in->used + align - 1) & ~(align - 1);
    if (off + n > in->size) {
        in->overflow = true;
        return 0;
    }
    in->used = off + n;
    return off;
}

static size_t info_str(struct info *in, const char *s)
{
    size_t n = strlen(s) + 1;
    size_t off = info_alloc(in, n, 1);
    if (!in->overflow)
        memcpy(in->buf + off, s, n);
    return off;
}

static uint64_t ram_kib_at(const struct mb_params *p, uint64_t base)
{
    for (int i = 0; i < p->nram; i++)
        if (p->ram[i].base == base)
            return p->ram[i].size >> 10;
    return 0;
}

/* MB1 §3.3: the information structure (flags: mem 0, cmdline 2, mods 3,
 * mmap 6, boot_loader_name 9), then the module list, the memory map and
 * the strings. */
static void mb1_info(const struct mb_params *p, const struct plan *pl, const struct placed *pm,
                     struct info *in)
{
    size_t mbi = info_alloc(in, 116, 8);
    size_t mods = info_alloc(in, 16 * (size_t)(p->nmods ? p->nmods : 1), 8);
    size_t mmap = info_alloc(in, 24 * (size_t)p->nram, 8);
    size_t cmd = info_str(in, p->cmdline ? p->cmdline : "");
    size_t name = info_str(in, p->loader_name);
    if (in->overflow)
        return;
    uint8_t *m = in->buf + mbi;
    uint64_t lower = ram_kib_at(p, 0), upper = ram_kib_at(p, 0x100000);
    wr32(m + 0, 1u << 0 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 9);
    wr32(m + 4, (uint32_t)(lower > 640 ? 640 : lower));
    wr32(m + 8, (uint32_t)(upper > 0xffffffffu ? 0xffffffffu : upper));
    wr32(m + 16, (uint32_t)(p->info_base + cmd));
    wr32(m + 20, (uint32_t)p->nmods);
    wr32(m + 24, (uint32_t)(p->info_base + mods));
    /* memory map: entries of size 20 preceded by their size field (§3.3) */
    wr32(m + 44, (uint32_t)(24 * p->nram));
    wr32(m + 48, (uint32_t)(p->info_base + mmap));
    wr32(m + 64, (uint32_t)(p->info_base + name));
    if (pl->fb_w) { /* flag 12: the framebuffer, direct RGB (type 1) */
        wr32(m, rd32(m) | 1u << 12);
        wr64(m + 88, p->lfb_addr);
        wr32(m + 96, pl->fb_w * ((pl->fb_bpp + 7) / 8));
        wr32(m + 100, pl->fb_w);
        wr32(m + 104, pl->fb_h);
        m[108] = (uint8_t)pl->fb_bpp;
        m[109] = 1;
        fb_colour(pl->fb_bpp, m + 110);
    } else if (pl->fb_text) { /* flag 12: EGA text (type 2) */
        wr32(m, rd32(m) | 1u << 12);
        wr64(m + 88, 0xb8000);
        wr32(m + 96, 160);
        wr32(m + 100, 80);
        wr32(m + 104, 25);
        m[108] = 16;
        m[109] = 2;
    }
    for (int i = 0; i < p->nram; i++) {
        uint8_t *e = in->buf + mmap + 24 * (size_t)i;
        wr32(e, 20);
        wr64(e + 4, p->ram[i].base);
        wr64(e + 12, p->ram[i].size);
        wr32(e + 20, 1);
    }
    for (int i = 0; i < p->nmods; i++) {
        size_t s = info_str(in, p->mods[i].args ? p->mods[i].args : "");
        if (in->overflow)
            return;
        uint8_t *e = in->buf + mods + 16 * (size_t)i;
        wr32(e, (uint32_t)pm[i].start);
        wr32(e + 4, (uint32_t)pm[i].end);
        wr32(e + 8, (uint32_t)(p->info_base + s));
        wr32(e + 12, 0);
    }
}

/* MB2 §3.6: tags after total_size and reserved, each 8-byte aligned. */
static uint8_t *mb2_tag(struct info *in, uint32_t type, size_t size)
{
    size_t off = info_alloc(in, size, 8);
    if (in->overflow)
        return NULL;
    uint8_t *t = in->buf + off;
    wr32(t, type);
    wr32(t + 4, (uint32_t)size);
    return t;
}

static void mb2_string_tag(struct info *in, uint32_t type, const char *s)
{
    size_t n = strlen(s) + 1;
    uint8_t *t = mb2_tag(in, type, 8 + n);
    if (t)
        memcpy(t + 8, s, n);
}

static void mb2_info(const struct mb_params *p, const struct plan *pl, const struct placed *pm,
                     uint64_t load_base, struct info *in)
{
    size_t start = info_alloc(in, 8, 8);
    mb2_string_tag(in, 1, p->cmdline ? p->cmdline : "");
    mb2_string_tag(in, 2, p->loader_name);
    for (int i = 0; i < p->nmods; i++) {
        const char *s = p->mods[i].args ? p->mods[i].args : "";
        size_t n = strlen(s) + 1;
        uint8_t *t = mb2_tag(in, 3, 16 + n);
        if (!t)
            return;
        wr32(t + 8, (uint32_t)pm[i].start);
        wr32(t + 12, (uint32_t)pm[i].end);
        memcpy(t + 16, s, n);
    }
    uint8_t *t = mb2_tag(in, 4, 16);
    if (t) {
        uint64_t lower = ram_kib_at(p, 0), upper = ram_kib_at(p, 0x100000);
        wr32(t + 8, (uint32_t)(lower > 640 ? 640 : lower));
        wr32(t + 12, (uint32_t)(upper > 0xffffffffu ? 0xffffffffu : upper));
    }
    t = mb2_tag(in, 6, 16 + 24 * (size_t)p->nram);
    if (t) {
        wr32(t + 8, 24); /* entry_size */
        wr32(t + 12, 0); /* entry_version */
        for (int i = 0; i < p->nram; i++) {
            uint8_t *e = t + 16 + 24 * (size_t)i;
            wr64(e, p->ram[i].base);
            wr64(e + 8, p->ram[i].size);
            wr32(e + 16, 1);
            wr32(e + 20, 0);
        }
    }
    t = mb2_tag(in, 21, 12); /* image load base physical address */
    if (t)
        wr32(t + 8, (uint32_t)load_base);
    /* MB2 §3.6.12 framebuffer info: type 2 = EGA text, width and height in
     * characters, pitch in bytes, 16 bits a character; no colour info */
    t = pl->fb_w ? mb2_tag(in, 8, 38) : NULL;
    if (t) { /* type 1 = direct RGB: pitch in bytes, the colour fields */
        wr64(t + 8, p->lfb_addr);
        wr32(t + 16, pl->fb_w * ((pl->fb_bpp + 7) / 8));
        wr32(t + 20, pl->fb_w);
        wr32(t + 24, pl->fb_h);
        t[28] = (uint8_t)pl->fb_bpp;
        t[29] = 1;
        fb_colour(pl->fb_bpp, t + 32);
    }
    t = p->ega_text && !pl->fb_w ? mb2_tag(in, 8, 32) : NULL;
    if (t) {
        wr64(t + 8, 0xb8000);
        wr32(t + 16, 160);  /* framebuffer_pitch */
        wr32(t + 20, 80);   /* framebuffer_width */
        wr32(t + 24, 25);   /* framebuffer_height */
        t[28] = 16;         /* framebuffer_bpp */
        t[29] = 2;          /* framebuffer_type: EGA text */
    }
    mb2_tag(in, 0, 8);
    if (!in->overflow)
        wr32(in->buf + start, (uint32_t)(in->used - start));
}

/* ---- headers ---------------------------------------------------------- */

static bool mb1_plan(const struct mb_params *p, struct plan *pl, char *err, size_t errlen)
{
    long off = find_magic(p->image, p->image_size, MB1_HEADER_MAGIC, MB1_SEARCH, 4);
    const uint8_t *h = p->image + off;
    if ((size_t)off + 12 > p->image_size) {
        snprintf(err, errlen, "--kernel %s: multiboot header at offset 0x%lx runs beyond the "
                 "end of the file", p->kernel, off);
        return false;
    }
    uint32_t flags = rd32(h + 4);
    if ((uint32_t)(MB1_HEADER_MAGIC + flags + rd32(h + 8)) != 0) {
        snprintf(err, errlen, "--kernel %s: multiboot header at offset 0x%lx: bad checksum "
                 "(magic + flags + checksum = 0x%08" PRIx32 ", not 0)", p->kernel, off,
                 (uint32_t)(MB1_HEADER_MAGIC + flags + rd32(h + 8)));
        return false;
    }
    /* MB1 §3.1.2: bits 0-15 are requirements; we meet 0 (page-aligned
     * modules) and 1 (memory information), and 2 (video mode, §3.1.4:
     * mode_type, width, height, depth at offsets 32-44) when the board
     * has the mode's kind: a linear framebuffer (mode_type 0) or EGA text
     * (mode_type 1). */
    uint32_t unsupported = flags & 0xfff8u;
    if ((flags & 4) && (size_t)off + 48 <= p->image_size) {
        uint32_t mode = rd32(h + 32);
        if (mode == 0 && fb_choose(p, rd32(h + 36), rd32(h + 40), rd32(h + 44), pl))
            ;
        else if (mode == 1 && p->ega_text)
            pl->fb_text = true;
        else
            unsupported |= 4;
    } else if (flags & 4) {
        unsupported |= 4;
    }
    if (unsupported) {
        snprintf(err, errlen, "--kernel %s: multiboot header requires flag bit %d%s, which "
                 "hvsim does not support", p->kernel, __builtin_ctz(unsupported),
                 (unsupported & 4) ? " (video mode)" : "");
        return false;
    }
    if (flags & (1u << 16)) {
        if ((size_t)off + 32 > p->image_size) {
            snprintf(err, errlen, "--kernel %s: multiboot header's address fields (flag 16) "
                     "run beyond the end of the file", p->kernel);
            return false;
        }
        if (!plan_from_address(p, (size_t)off, rd32(h + 12), rd32(h + 16), rd32(h + 20),
                               rd32(h + 24), false, pl, err, errlen))
            return false;
        pl->entry = rd32(h + 28);
        pl->has_entry = true;
        return true;
    }
    return plan_from_elf(p, pl, err, errlen);
}

/* MB2 §3.1.1-3.1.13: the header and its tags. */
static bool mb2_plan(const struct mb_params *p, struct plan *pl, char *err, size_t errlen)
{
    long off = find_magic(p->image, p->image_size, MB2_HEADER_MAGIC, MB2_SEARCH, 8);
    const uint8_t *h = p->image + off;
    if ((size_t)off + 16 > p->image_size) {
        snprintf(err, errlen, "--kernel %s: multiboot2 header at offset 0x%lx runs beyond the "
                 "end of the file", p->kernel, off);
        return false;
    }
    uint32_t arch = rd32(h + 4), len = rd32(h + 8);
    if ((uint32_t)(MB2_HEADER_MAGIC + arch + len + rd32(h + 12)) != 0) {
        snprintf(err, errlen, "--kernel %s: multiboot2 header at offset 0x%lx: bad checksum",
                 p->kernel, off);
        return false;
    }
    if (arch != 0) {
        snprintf(err, errlen, "--kernel %s: multiboot2 architecture %" PRIu32
                 " is not 0 (i386 protected mode)", p->kernel, arch);
        return false;
    }
    if (len < 24 || (size_t)off + len > p->image_size) {
        snprintf(err, errlen, "--kernel %s: multiboot2 header_length %" PRIu32
                 " is too small or runs beyond the end of the file", p->kernel, len);
        return false;
    }
    bool have_addr = false, have_end = false;
    const uint8_t *addr_tag = NULL;
    for (uint32_t t = 16; t + 8 <= len;) {
        const uint8_t *tag = h + t;
        uint32_t type = rd16(tag), tflags = rd16(tag + 2), size = rd32(tag + 4);
        bool optional = tflags & 1;
        if (size < 8 || size > len - t) {
            snprintf(err, errlen, "--kernel %s: multiboot2 tag %" PRIu32 " at header offset %"
                     PRIu32 " has a bad size %" PRIu32, p->kernel, type, t, size);
            return false;
        }
        if (type == 0) {
            have_end = true;
            break;
        }
        bool ok = true;
        const char *what = NULL;
        switch (type) {
        case 1: /* information request: the tag types we provide */
            for (uint32_t i = 8; i + 4 <= size; i += 4) {
                uint32_t r = rd32(tag + i);
                if (r != 1 && r != 2 && r != 3 && r != 4 && r != 6 && r != 21 &&
                    !(r == 8 && (p->ega_text || p->lfb_w)) && !optional) {
                    snprintf(err, errlen, "--kernel %s: multiboot2 information request for tag "
                             "type %" PRIu32 ", which hvsim does not provide", p->kernel, r);
                    return false;
                }
            }
            break;
        case 2: /* address */
            ok = size >= 24;
            addr_tag = tag;
            have_addr = ok;
            break;
        case 3: /* entry address */
            ok = size >= 12;
            if (ok) {
                pl->entry = rd32(tag + 8);
                pl->has_entry = true;
            }
            break;
        case 4:  /* console flags: we have a serial console only */
        case 6:  /* module alignment: always page-aligned */
        case 10: /* relocatable: loaded at its linked address */
            break;
        case 5: /* framebuffer: width, height, depth (0: no preference) */
            if (!p->lfb_w) {
                what = "framebuffer";
                break;
            }
            ok = size >= 20;
            if (ok && !fb_choose(p, rd32(tag + 8), rd32(tag + 12), rd32(tag + 16), pl))
                what = "framebuffer (an 8-bit [vga] lfb mode is not announced)";
            break;
        case 7: what = "EFI boot services"; break;
        case 8: what = "EFI i386 entry address"; break;
        case 9: what = "EFI amd64 entry address"; break;
        default: what = "unknown"; break;
        }
        if (!ok) {
            snprintf(err, errlen, "--kernel %s: multiboot2 tag %" PRIu32 " is too short",
                     p->kernel, type);
            return false;
        }
        if (what && !optional) {
            snprintf(err, errlen, "--kernel %s: multiboot2 header requires tag %" PRIu32
                     " (%s), which hvsim does not support", p->kernel, type, what);
            return false;
        }
        t += (size + 7) & ~7u;
    }
    if (!have_end) {
        snprintf(err, errlen, "--kernel %s: multiboot2 header has no end tag", p->kernel);
        return false;
    }
    uint64_t entry = pl->entry;
    bool has_entry = pl->has_entry;
    if (have_addr) {
        if (!plan_from_address(p, (size_t)off, rd32(addr_tag + 8), rd32(addr_tag + 12),
                               rd32(addr_tag + 16), rd32(addr_tag + 20), true, pl, err, errlen))
            return false;
    } else if (!plan_from_elf(p, pl, err, errlen)) {
        return false;
    }
    if (has_entry) { /* the entry tag wins over e_entry (MB2 §3.1.6) */
        pl->entry = entry;
        pl->has_entry = true;
    } else if (have_addr) {
        snprintf(err, errlen, "--kernel %s: multiboot2 header has an address tag but no entry "
                 "address tag", p->kernel);
        return false;
    }
    return true;
}

bool mb_load(struct bus *b, const struct mb_params *p, struct mb_entry *out, char *err,
             size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->version = mb_detect(p->image, p->image_size);
    struct plan pl = { .nseg = 0 };
    if (out->version == 0) {
        snprintf(err, errlen, "--kernel %s: no multiboot header", p->kernel);
        return false;
    }
    if (!(out->version == 2 ? mb2_plan : mb1_plan)(p, &pl, err, errlen))
        return false;
    if (!load_plan(b, p, &pl, out, err, errlen))
        return false;
    struct placed *pm = calloc((size_t)(p->nmods ? p->nmods : 1), sizeof *pm);
    struct info in = { .buf = calloc(1, (size_t)p->info_size), .size = (size_t)p->info_size };
    bool ok = pm && in.buf;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    ok = ok && load_modules(b, p, out, pm, err, errlen);
    if (ok) {
        if (out->version == 2)
            mb2_info(p, &pl, pm, out->load_start, &in);
        else
            mb1_info(p, &pl, pm, &in);
        if (in.overflow) {
            snprintf(err, errlen, "--kernel %s: the multiboot information (command line, "
                     "module strings) does not fit in its %" PRIu64 " bytes at 0x%" PRIx64,
                     p->kernel, p->info_size, p->info_base);
            ok = false;
        }
    }
    if (ok && !bus_load(b, p->info_base, in.buf, in.used ? in.used : 1)) {
        snprintf(err, errlen, "multiboot information at 0x%" PRIx64 " is not in RAM", p->info_base);
        ok = false;
    }
    out->magic = out->version == 2 ? MB2_BOOT_MAGIC : MB1_BOOT_MAGIC;
    out->fb_w = pl.fb_w;
    out->fb_h = pl.fb_h;
    out->fb_bpp = pl.fb_bpp;
    out->info = (uint32_t)p->info_base;
    free(pm);
    free(in.buf);
    return ok;
}
