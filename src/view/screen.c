/* The guest screen (docs/view.md "The guest screen"): what a board's
 * screen description (board_ops.screen, src/devices/framebuffer.h) shows,
 * as 0xRRGGBB pixels, for the live window (live.c) and `run --screenshot`.
 *
 * Pixels (RISC-V simple-framebuffer, a8r8g8b8): copied, alpha ignored.
 * Text (x86 VGA): 8x16 cells drawn with a PC console font from Debian's
 * console-setup-linux (/usr/share/consolefonts/Uni2-VGA16.psf.gz, PSF 1 or 2,
 * gzip): a character code is a code page 437 character, looked up by its
 * Unicode value in the font's Unicode table. Colours: the attribute's
 * foreground (bits 3:0) and background (bits 6:4, and bit 7 unless it
 * blinks) through the palette the VGA's attribute controller and DAC give;
 * blinking characters and the cursor are drawn in their "on" phase (the
 * picture is a function of the machine's state, never of host time). The
 * cursor covers its scan lines (CRTC cursor start..end) of its cell.
 * Without a font file text cells are drawn as filled boxes (and a warning).
 *
 * Reading the screen never changes the machine: the description points
 * into guest RAM and is only read, between rounds. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "live.h"
#include "screen.h"
#include "devices/framebuffer.h"
#include "sim/board.h"
#include "sim/machine.h"

/* Code page 437 -> Unicode (0x00 and 0x20: space; 0x01-0x1f, 0x7f: the
 * PC's graphic characters). */
static const uint16_t cp437[256] = {
    0x0020, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25d8, 0x25cb, 0x25d9, 0x2642, 0x2640, 0x266a, 0x266b, 0x263c,
    0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc,
    0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027,
    0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
    0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
    0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
    0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
    0x0058, 0x0059, 0x005a, 0x005b, 0x005c, 0x005d, 0x005e, 0x005f,
    0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
    0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
    0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x007b, 0x007c, 0x007d, 0x007e, 0x2302,
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
    0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
    0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
    0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
    0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
    0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
    0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
    0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

static const char *const font_paths[] = {
    "/usr/share/consolefonts/Uni2-VGA16.psf.gz",
    "/usr/share/consolefonts/Lat15-VGA16.psf.gz",
    "/usr/share/consolefonts/default8x16.psfu.gz",
};

struct screen_font {
    bool loaded, tried;
    uint8_t glyph[256][16];   /* per CP437 code: 16 rows, bit 7 = leftmost pixel */
};
static struct screen_font font;

/* Glyph g shows code point cp: every CP437 code of that value not yet
 * given a glyph gets it (the first glyph naming a code point wins). */
static void font_map(uint32_t g, uint32_t cp, const uint8_t *bitmaps, uint32_t charsize,
                     bool seen[256])
{
    for (int c = 0; c < 256; c++) {
        if (seen[c] || cp437[c] != cp)
            continue;
        seen[c] = true;
        for (int r = 0; r < 16; r++)
            font.glyph[c][r] = r < (int)charsize ? bitmaps[(size_t)g * charsize + (size_t)r] : 0;
    }
}

/* PSF 1 (magic 36 04) and PSF 2 (magic 72 b5 4a 86), 8 pixels wide, at
 * least 256 glyphs; the Unicode table (PSF 1: u16 values, 0xfffe starts a
 * sequence, 0xffff ends a glyph's list; PSF 2: UTF-8, 0xfe / 0xff). */
static bool font_parse(const uint8_t *b, size_t n)
{
    bool seen[256] = { false };
    uint32_t nglyph, charsize, hdr, w;
    const uint8_t *tab, *end = b + n;
    bool utf8;
    if (n >= 4 && b[0] == 0x36 && b[1] == 0x04) {
        nglyph = (b[2] & 1) ? 512 : 256;
        charsize = b[3];
        hdr = 4;
        w = 8;
        utf8 = false;
        tab = (b[2] & 2) ? b + hdr + (size_t)nglyph * charsize : NULL;
    } else if (n >= 32 && b[0] == 0x72 && b[1] == 0xb5 && b[2] == 0x4a && b[3] == 0x86) {
        hdr = b[8] | b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
        uint32_t flags = b[12] | b[13] << 8;
        nglyph = b[16] | b[17] << 8 | (uint32_t)b[18] << 16;
        charsize = b[20] | b[21] << 8;
        w = b[28];
        utf8 = true;
        tab = (flags & 1) ? b + hdr + (size_t)nglyph * charsize : NULL;
    } else {
        return false;
    }
    if (w != 8 || charsize < 8 || charsize > 32 || nglyph < 256 || hdr > n ||
        (size_t)nglyph * charsize > n - hdr)
        return false;
    const uint8_t *bm = b + hdr;
    if (!tab) { /* no Unicode table: the glyphs are taken to be in CP437 order */
        for (int c = 0; c < 256; c++)
            font_map((uint32_t)c, cp437[c], bm, charsize, seen);
        return true;
    }
    for (uint32_t g = 0; g < nglyph && tab < end; g++) {
        bool seq = false; /* after the sequence marker: combinations, skipped */
        while (tab < end) {
            uint32_t cp;
            if (!utf8) {
                if (tab + 2 > end)
                    return false;
                cp = tab[0] | tab[1] << 8;
                tab += 2;
                if (cp == 0xffff)
                    break;
                if (cp == 0xfffe) {
                    seq = true;
                    continue;
                }
            } else {
                uint8_t c0 = *tab++;
                if (c0 == 0xff)
                    break;
                if (c0 == 0xfe) {
                    seq = true;
                    continue;
                }
                int more = c0 >= 0xf0 ? 3 : c0 >= 0xe0 ? 2 : c0 >= 0xc0 ? 1 : 0;
                cp = more == 3 ? c0 & 7u : more == 2 ? c0 & 15u : more == 1 ? c0 & 31u : c0;
                for (int k = 0; k < more && tab < end; k++)
                    cp = cp << 6 | (*tab++ & 0x3fu);
            }
            if (!seq)
                font_map(g, cp, bm, charsize, seen);
        }
    }
    for (int c = 0; c < 256; c++) /* what the font lacks: the space glyph */
        if (!seen[c])
            memcpy(font.glyph[c], font.glyph[0x20], 16);
    return true;
}

static void font_load(void)
{
    if (font.tried)
        return;
    font.tried = true;
    for (size_t i = 0; i < sizeof font_paths / sizeof font_paths[0] && !font.loaded; i++) {
        gzFile f = gzopen(font_paths[i], "rb");
        if (!f)
            continue;
        size_t cap = 1 << 20, n = 0;
        uint8_t *b = malloc(cap);
        int got;
        while (b && n < cap && (got = gzread(f, b + n, (unsigned)(cap - n))) > 0)
            n += (size_t)got;
        gzclose(f);
        if (b && font_parse(b, n))
            font.loaded = true;
        free(b);
    }
    if (!font.loaded) {
        memset(font.glyph, 0, sizeof font.glyph);
        fprintf(stderr, "hvsim: screen: no console font (%s, Debian package "
                "console-setup-linux): text cells drawn as boxes\n", font_paths[0]);
        for (int c = 0; c < 256; c++)
            if (c != 0 && c != 0x20 && c != 0xff)
                for (int r = 2; r < 14; r++)
                    font.glyph[c][r] = 0x7e;
    }
}

bool screen_size(struct machine *m, int *w, int *h)
{
    struct screen_desc d;
    if (!m->board->screen || !m->board->screen(m, &d) || d.kind == SCREEN_NONE)
        return false;
    *w = (int)(d.kind == SCREEN_TEXT ? d.width * SCREEN_CELL_W : d.width);
    *h = (int)(d.kind == SCREEN_TEXT ? d.height * SCREEN_CELL_H : d.height);
    return true;
}

static void draw_text(const struct screen_desc *d, uint32_t *px, int pw)
{
    font_load();
    uint32_t pal[16];
    for (int i = 0; i < 16; i++)
        pal[i] = (uint32_t)d->palette[i][0] << 16 | (uint32_t)d->palette[i][1] << 8 |
                 d->palette[i][2];
    for (uint32_t row = 0; row < d->height; row++) {
        for (uint32_t col = 0; col < d->width; col++) {
            size_t o = (size_t)row * d->stride + col * 2;
            if (o + 1 >= d->mem_len)
                return;
            uint8_t ch = d->mem[o], at = d->mem[o + 1];
            uint32_t fg = pal[at & 15], bg = pal[d->blink_attr ? at >> 4 & 7 : at >> 4];
            bool cur = row * d->width + col == d->cursor;
            uint32_t *cell = px + (size_t)row * SCREEN_CELL_H * pw + col * SCREEN_CELL_W;
            for (int r = 0; r < SCREEN_CELL_H; r++) {
                uint8_t bits = font.glyph[ch][r];
                if (cur && d->cursor_start <= d->cursor_end && r >= d->cursor_start &&
                    r <= d->cursor_end)
                    bits = 0xff;
                for (int x = 0; x < SCREEN_CELL_W; x++)
                    cell[(size_t)r * pw + x] = bits >> (7 - x) & 1 ? fg : bg;
            }
        }
    }
}

bool screen_render(struct machine *m, uint32_t *px, int w, int h)
{
    struct screen_desc d;
    int sw, sh;
    if (!screen_size(m, &sw, &sh) || sw != w || sh != h || !m->board->screen(m, &d))
        return false;
    if (d.kind == SCREEN_TEXT) {
        draw_text(&d, px, w);
        return true;
    }
    static const unsigned bytes[] = { [SCREEN_PIXELS] = 4, [SCREEN_INDEXED8] = 1,
                                      [SCREEN_RGB555] = 2, [SCREEN_RGB565] = 2,
                                      [SCREEN_RGB888] = 3 };
    unsigned bpp = bytes[d.kind];
    for (uint32_t y = 0; y < d.height; y++) {
        size_t row = (size_t)y * d.stride;
        const uint8_t *p = d.mem + row;
        uint32_t *o = px + (size_t)y * w;
        for (uint32_t x = 0; x < d.width; x++, p += bpp) {
            if (row + (size_t)(x + 1) * bpp > d.mem_len) { /* past the memory: black */
                o[x] = 0;
                continue;
            }
            uint32_t c, v = (uint32_t)p[0] | (bpp > 1 ? (uint32_t)p[1] << 8 : 0);
            switch (d.kind) {
            case SCREEN_INDEXED8:
                c = (uint32_t)d.palette[v][0] << 16 | (uint32_t)d.palette[v][1] << 8 |
                    d.palette[v][2];
                break;
            case SCREEN_RGB555:
                c = (v >> 10 & 31) * 255 / 31 << 16 | (v >> 5 & 31) * 255 / 31 << 8 |
                    (v & 31) * 255 / 31;
                break;
            case SCREEN_RGB565:
                c = (v >> 11 & 31) * 255 / 31 << 16 | (v >> 5 & 63) * 255 / 63 << 8 |
                    (v & 31) * 255 / 31;
                break;
            default: /* b, g, r (, a) */
                c = (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
                break;
            }
            o[x] = c;
        }
    }
    return true;
}

/* 8-bit RGB PNG (libpng) when the name ends in .png, else binary PPM (P6:
 * a text header, then the raw RGB bytes). */
static bool save_pixels(const uint32_t *px, int w, int h, const char *path, char *err,
                        size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "--screenshot %s: cannot create the file", path);
        return false;
    }
    uint8_t *row = malloc((size_t)w * 3);
    bool ok = row != NULL;
    size_t n = strlen(path);
    bool png = n > 4 && !strcasecmp(path + n - 4, ".png");
    png_structp pp = NULL;
    png_infop info = NULL;
    if (ok && png) {
        pp = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
        info = pp ? png_create_info_struct(pp) : NULL;
        ok = pp && info;
        if (ok && setjmp(png_jmpbuf(pp))) {
            png_destroy_write_struct(&pp, &info);
            free(row);
            fclose(f);
            snprintf(err, errlen, "--screenshot %s: libpng failed", path);
            return false;
        }
        if (ok) {
            png_init_io(pp, f);
            png_set_IHDR(pp, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                         PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
            png_write_info(pp, info);
        }
    } else if (ok) {
        ok = fprintf(f, "P6\n%d %d\n255\n", w, h) > 0;
    }
    for (int y = 0; ok && y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t c = px[(size_t)y * w + x];
            row[3 * x] = (uint8_t)(c >> 16);
            row[3 * x + 1] = (uint8_t)(c >> 8);
            row[3 * x + 2] = (uint8_t)c;
        }
        if (png)
            png_write_row(pp, row);
        else
            ok = fwrite(row, 3, (size_t)w, f) == (size_t)w;
    }
    if (ok && png)
        png_write_end(pp, NULL);
    if (pp)
        png_destroy_write_struct(&pp, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "--screenshot %s: write failed", path);
    return ok;
}

bool view_screen_save(struct machine *m, const char *path, char *err, size_t errlen)
{
    int w, h;
    if (!screen_size(m, &w, &h)) {
        snprintf(err, errlen, "--screenshot: the machine has no screen (riscv-virt: "
                 "--framebuffer WxH; x86-pc: --vga)");
        return false;
    }
    uint32_t *px = calloc((size_t)w * (size_t)h, sizeof *px);
    if (!px) {
        snprintf(err, errlen, "--screenshot: out of memory");
        return false;
    }
    bool ok = screen_render(m, px, w, h) && save_pixels(px, w, h, path, err, errlen);
    free(px);
    return ok;
}
