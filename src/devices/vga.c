/* VGA text mode (see vga.h). Register values of the reset state are the
 * mode 3 (80x25 colour text) table of the IBM VGA Technical Reference. */
#include "vga.h"

#include <stdlib.h>
#include <string.h>
#include "framebuffer.h"

enum { NCR = 25, NSR = 5, NGR = 9, NAR = 21 };

struct vga {
    uint8_t *vram;              /* VGA_MEM_SIZE bytes at VGA_MEM_BASE */
    uint8_t misc;               /* miscellaneous output */
    uint8_t cr_index, cr[NCR];
    uint8_t sr_index, sr[NSR];
    uint8_t gr_index, gr[NGR];
    uint8_t ar_index, ar[NAR];
    bool ar_data;               /* the attribute flip-flop: next 0x3c0 write is data */
    uint8_t status1;            /* input status 1: bits 0 and 3 toggle on each read */
    uint8_t fcr;                /* feature control */
    uint8_t dac_mask, dac_read, dac_write, dac_comp, dac_state;
    uint8_t dac[256][3];        /* 6-bit components */
};

static const uint8_t mode3_cr[NCR] = {
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
    0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t mode3_sr[NSR] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t mode3_gr[NGR] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };
static const uint8_t mode3_ar[NAR] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
    0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00,
};

void vga_reset(struct vga *v)
{
    uint8_t *vram = v->vram;
    memset(v, 0, sizeof *v);
    v->vram = vram;
    v->misc = 0x67; /* colour (CRTC at 0x3d4), RAM enabled, 28 MHz clock */
    memcpy(v->cr, mode3_cr, NCR);
    memcpy(v->sr, mode3_sr, NSR);
    memcpy(v->gr, mode3_gr, NGR);
    memcpy(v->ar, mode3_ar, NAR);
    v->ar_index = 0x20; /* PAS: the screen shows */
    v->dac_mask = 0xff;
    /* DAC entries 0..63: the EGA colours a mode-3 BIOS loads. Index bits
     * 5..0 are r' g' b' R G B: primary = 2/3 of full scale, secondary 1/3. */
    for (int i = 0; i < 64; i++) {
        v->dac[i][0] = (uint8_t)((i >> 2 & 1) * 0x2a + (i >> 5 & 1) * 0x15);
        v->dac[i][1] = (uint8_t)((i >> 1 & 1) * 0x2a + (i >> 4 & 1) * 0x15);
        v->dac[i][2] = (uint8_t)((i & 1) * 0x2a + (i >> 3 & 1) * 0x15);
    }
}

struct vga *vga_new(uint8_t *vram)
{
    struct vga *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->vram = vram;
    vga_reset(v);
    return v;
}

void vga_free(struct vga *v) { free(v); }

void vga_copy_state(struct vga *dst, const struct vga *src)
{
    uint8_t *vram = dst->vram;
    *dst = *src;
    dst->vram = vram;
}

/* The CRTC answers at 0x3d4/0x3d5 with misc bit 0 set, else 0x3b4/0x3b5;
 * so do input status 1 (0x3da / 0x3ba) and feature control writes. */
static bool crtc_port(const struct vga *v, uint32_t port, uint32_t colour, uint32_t mono)
{
    return port == ((v->misc & 1) ? colour : mono);
}

static uint8_t port_read(struct vga *v, uint32_t port)
{
    if (crtc_port(v, port, 0x3d4, 0x3b4))
        return v->cr_index;
    if (crtc_port(v, port, 0x3d5, 0x3b5))
        return v->cr_index < NCR ? v->cr[v->cr_index] : 0xff;
    if (crtc_port(v, port, 0x3da, 0x3ba)) {
        v->ar_data = false;
        v->status1 ^= 0x09; /* display enable / vertical retrace: toggles, a wait loop ends */
        return v->status1;
    }
    switch (port) {
    case 0x3c0: return (uint8_t)(v->ar_index);
    case 0x3c1: return (v->ar_index & 0x1f) < NAR ? v->ar[v->ar_index & 0x1f] : 0xff;
    case 0x3c2: return 0x10; /* input status 0: switch sense (colour monitor) */
    case 0x3c4: return v->sr_index;
    case 0x3c5: return v->sr_index < NSR ? v->sr[v->sr_index] : 0xff;
    case 0x3c6: return v->dac_mask;
    case 0x3c7: return v->dac_state;
    case 0x3c8: return v->dac_write;
    case 0x3c9: {
        uint8_t c = v->dac[v->dac_read][v->dac_comp];
        if (++v->dac_comp == 3) {
            v->dac_comp = 0;
            v->dac_read++;
        }
        return c;
    }
    case 0x3ca: return v->fcr;
    case 0x3cc: return v->misc;
    case 0x3ce: return v->gr_index;
    case 0x3cf: return v->gr_index < NGR ? v->gr[v->gr_index] : 0xff;
    default: return 0xff;
    }
}

static void port_write(struct vga *v, uint32_t port, uint8_t b)
{
    if (crtc_port(v, port, 0x3d4, 0x3b4)) {
        v->cr_index = b;
        return;
    }
    if (crtc_port(v, port, 0x3d5, 0x3b5)) {
        uint8_t i = v->cr_index;
        if (i >= NCR)
            return;
        if (i < 8 && (v->cr[0x11] & 0x80)) { /* CR11 bit 7: CR0-CR7 protected but CR7 bit 4 */
            if (i == 7)
                v->cr[7] = (uint8_t)((v->cr[7] & ~0x10) | (b & 0x10));
            return;
        }
        v->cr[i] = b;
        return;
    }
    if (crtc_port(v, port, 0x3da, 0x3ba)) {
        v->fcr = b;
        return;
    }
    switch (port) {
    case 0x3c0:
        if (!v->ar_data)
            v->ar_index = b & 0x3f;
        else if ((v->ar_index & 0x1f) < NAR)
            v->ar[v->ar_index & 0x1f] = b;
        v->ar_data = !v->ar_data;
        break;
    case 0x3c2: v->misc = b; break;
    case 0x3c4: v->sr_index = b; break;
    case 0x3c5: if (v->sr_index < NSR) v->sr[v->sr_index] = b; break;
    case 0x3c6: v->dac_mask = b; break;
    case 0x3c7: v->dac_read = b; v->dac_comp = 0; v->dac_state = 0x00; break;
    case 0x3c8: v->dac_write = b; v->dac_comp = 0; v->dac_state = 0x03; break;
    case 0x3c9:
        v->dac[v->dac_write][v->dac_comp] = b & 0x3f;
        if (++v->dac_comp == 3) {
            v->dac_comp = 0;
            v->dac_write++;
        }
        break;
    case 0x3ce: v->gr_index = b; break;
    case 0x3cf: if (v->gr_index < NGR) v->gr[v->gr_index] = b; break;
    default: break;
    }
}

/* A word or dword access is its bytes at consecutive ports, low first
 * (`outw(0x3d4, 0x0e | hi << 8)` writes index then data). */
static bool vga_pio_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < size; i++)
        x |= (uint64_t)port_read(opaque, (uint32_t)(VGA_PORT_BASE + off + i)) << (8 * i);
    *val = x;
    return true;
}

static bool vga_pio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    for (unsigned i = 0; i < size; i++)
        port_write(opaque, (uint32_t)(VGA_PORT_BASE + off + i), (uint8_t)(val >> (8 * i)));
    return true;
}

const struct mmio_ops vga_port_ops = { .read = vga_pio_read, .write = vga_pio_write };

void vga_dac(const struct vga *v, uint8_t dac[256][3], uint8_t *mask)
{
    memcpy(dac, v->dac, sizeof v->dac);
    *mask = v->dac_mask;
}

/* 256-colour graphics (GR6 bit 0 graphics, AR10 bit 6 8-bit colour): a
 * byte a pixel, the pixel's byte & the DAC mask indexes the DAC (the
 * attribute palette is the identity a mode-13h table loads, and is not
 * applied). Chain-4 addressing (SR4 bit 3) makes the pixels linear bytes
 * of the window, as our VGA memory is; an unchained ("mode X") picture is
 * shown as if chained. Width: (CR01 + 1) characters of 8 dots, 2 dots a
 * pixel; height: the vertical display end over the scan lines a row
 * (CR09 bits 4:0 + 1, doubled by CR09 bit 7); the row offset CR13 and the
 * start address count in units of 4 bytes in doubleword mode (CR14 bit
 * 6), 1 in byte mode (CR17 bit 6), else 2 (IBM VGA Technical Reference,
 * "CRT Controller Registers"). Mode 13h: 320x200, 320 bytes a row. */
static bool screen_256(const struct vga *v, struct screen_desc *d)
{
    uint32_t unit = (v->cr[0x14] & 0x40) ? 4 : (v->cr[0x17] & 0x40) ? 1 : 2;
    uint32_t vde = v->cr[0x12] | (v->cr[7] >> 1 & 1u) << 8 | (v->cr[7] >> 6 & 1u) << 9;
    uint32_t lines = ((v->cr[9] & 0x1fu) + 1) << (v->cr[9] >> 7);
    uint32_t w = (v->cr[1] + 1u) * 4, h = (vde + 1) / lines;
    uint32_t stride = v->cr[0x13] * 2u * unit;
    uint32_t start = ((uint32_t)v->cr[0xc] << 8 | v->cr[0xd]) * unit;
    if (h < 1)
        h = 1;
    if (stride < w)
        stride = w;
    if (start >= VGA_MEM_SIZE)
        start = 0;
    /* what fits of the picture in the memory from the start address */
    if (w > VGA_MEM_SIZE - start) {
        w = VGA_MEM_SIZE - start;
        h = 1;
    } else if ((uint64_t)(h - 1) * stride + w > VGA_MEM_SIZE - start) {
        h = (VGA_MEM_SIZE - start - w) / stride + 1;
    }
    *d = (struct screen_desc){ .kind = SCREEN_INDEXED8, .mem = v->vram + start,
                               .mem_len = VGA_MEM_SIZE - start, .width = w, .height = h,
                               .stride = stride, .cursor = UINT32_MAX };
    for (int i = 0; i < 256; i++)
        for (int c = 0; c < 3; c++) {
            uint8_t x = v->dac[i & v->dac_mask][c];
            d->palette[i][c] = (uint8_t)(x << 2 | x >> 4);
        }
    return true;
}

bool vga_screen(const struct vga *v, struct screen_desc *d)
{
    if ((v->gr[6] & 1) && (v->ar[0x10] & 0x40))
        return screen_256(v, d);
    static const uint32_t window[4] = { 0xa0000, 0xa0000, 0xb0000, 0xb8000 }; /* GR6 bits 3:2 */
    uint32_t cols = v->cr[1] + 1u;
    uint32_t vde = v->cr[0x12] | (v->cr[7] >> 1 & 1u) << 8 | (v->cr[7] >> 6 & 1u) << 9;
    uint32_t cell = (v->cr[9] & 0x1fu) + 1;
    uint32_t rows = (vde + 1) / cell;
    if (rows < 1)
        rows = 1;
    if (rows > 100)
        rows = 100;
    uint32_t start = (uint32_t)v->cr[0xc] << 8 | v->cr[0xd];
    uint32_t base = window[v->gr[6] >> 2 & 3] - VGA_MEM_BASE;
    /* the text buffer wraps at the window's end: show what fits */
    uint32_t off = base + (start * 2) % (0x8000u);
    uint32_t avail = VGA_MEM_SIZE - off;
    if (rows * cols * 2 > avail)
        rows = avail / (cols * 2);
    if (rows == 0) { /* less than a row left: what fits of one */
        rows = 1;
        cols = avail / 2;
    }
    *d = (struct screen_desc){ .kind = SCREEN_TEXT, .mem = v->vram + off, .mem_len = avail,
                               .width = cols, .height = rows, .stride = cols * 2 };
    uint32_t cur = (uint32_t)v->cr[0xe] << 8 | v->cr[0xf];
    d->cursor = (v->cr[0xa] & 0x20) || cur < start || cur - start >= rows * cols
                    ? UINT32_MAX : cur - start;
    d->cursor_start = v->cr[0xa] & 0x1f;
    d->cursor_end = v->cr[0xb] & 0x1f;
    d->blink_attr = v->ar[0x10] & 0x08;
    for (int i = 0; i < 16; i++) {
        uint8_t idx = v->ar[i] & 0x3f;
        if (v->ar[0x10] & 0x80) /* P5-4 select: AR14 bits 1:0 replace bits 5:4 */
            idx = (uint8_t)((idx & 0x0f) | (v->ar[0x14] & 3) << 4);
        idx = (uint8_t)((idx | (v->ar[0x14] & 0x0c) << 4) & v->dac_mask);
        for (int c = 0; c < 3; c++)
            d->palette[i][c] = (uint8_t)(v->dac[idx][c] << 2 | v->dac[idx][c] >> 4);
    }
    return true;
}
