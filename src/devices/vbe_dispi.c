/* The VBE DISPI interface and its linear framebuffer (see vbe_dispi.h).
 * Register numbers and bits are those of the Bochs display interface
 * (vbe.h of the Bochs VGA BIOS, as QEMU's std VGA also offers them). */
#include "vbe_dispi.h"

#include <stdlib.h>
#include <string.h>
#include "framebuffer.h"

static uint32_t bytes_pp(uint32_t bpp) { return (bpp + 7) / 8; }

bool vbe_mode_ok(uint32_t w, uint32_t h, uint32_t bpp)
{
    if (bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32)
        return false;
    if (w < 8 || w > VBE_MAX_XRES || w % 8 || h < 1 || h > VBE_MAX_YRES)
        return false;
    return (uint64_t)w * h * bytes_pp(bpp) <= VBE_LFB_SIZE;
}

bool vbe_parse_mode(const char *s, uint32_t *w, uint32_t *h, uint32_t *bpp)
{
    unsigned long v[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        char *end;
        if (*p < '0' || *p > '9')
            return false;
        v[i] = strtoul(p, &end, 10);
        if (*end != (i < 2 ? 'x' : '\0') || v[i] > 0xffff)
            return false;
        p = end + 1;
    }
    if (!vbe_mode_ok((uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]))
        return false;
    *w = (uint32_t)v[0];
    *h = (uint32_t)v[1];
    *bpp = (uint32_t)v[2];
    return true;
}

void vbe_reset(struct vbe_dispi *d)
{
    d->index = 0;
    memset(d->reg, 0, sizeof d->reg);
    d->reg[VBE_ID] = VBE_ID5;
    d->reg[VBE_VIDEO_MEMORY_64K] = (uint16_t)(VBE_LFB_SIZE >> 16);
}

static uint32_t stride(const struct vbe_dispi *d)
{
    return (uint32_t)d->reg[VBE_VIRT_WIDTH] * bytes_pp(d->reg[VBE_BPP]);
}

/* Disabled -> enabled: the mode checked, the virtual screen = the mode,
 * the memory zeroed unless NOCLEARMEM (through the bus: predecoded code
 * there is dropped, the pages count as written). */
static void enable(struct vbe_dispi *d, uint16_t val)
{
    uint32_t w = d->reg[VBE_XRES], h = d->reg[VBE_YRES], bpp = d->reg[VBE_BPP];
    if (!vbe_mode_ok(w, h, bpp)) {
        d->reg[VBE_ENABLE] = (uint16_t)(val & ~VBE_ENABLED);
        return;
    }
    d->reg[VBE_ENABLE] = val;
    d->reg[VBE_VIRT_WIDTH] = (uint16_t)w;
    uint32_t vh = VBE_LFB_SIZE / (w * bytes_pp(bpp));
    d->reg[VBE_VIRT_HEIGHT] = (uint16_t)(vh > 0xffff ? 0xffff : vh);
    d->reg[VBE_X_OFFSET] = d->reg[VBE_Y_OFFSET] = 0;
    if (!(val & VBE_NOCLEARMEM)) {
        bus_load(d->bus, VBE_LFB_BASE, NULL, VBE_LFB_SIZE);
        bus_mark_dirty(d->lfb, VBE_LFB_BASE, VBE_LFB_SIZE);
    }
}

/* Does the visible picture at (x, y) of a virtual width vw fit? */
static bool view_fits(const struct vbe_dispi *d, uint32_t vw, uint32_t x, uint32_t y)
{
    uint32_t b = bytes_pp(d->reg[VBE_BPP]);
    if (vw < d->reg[VBE_XRES] || x + d->reg[VBE_XRES] > vw)
        return false;
    return ((uint64_t)y + d->reg[VBE_YRES]) * vw * b <= VBE_LFB_SIZE;
}

static void reg_write(struct vbe_dispi *d, uint16_t val)
{
    bool on = d->reg[VBE_ENABLE] & VBE_ENABLED;
    switch (d->index) {
    case VBE_ID:
        if (val >= 0xb0c0 && val <= VBE_ID5)
            d->reg[VBE_ID] = val;
        break;
    case VBE_XRES:
    case VBE_YRES:
    case VBE_BPP:
        if (!on)
            d->reg[d->index] = val;
        break;
    case VBE_ENABLE:
        if ((val & VBE_ENABLED) && !on)
            enable(d, val);
        else /* disabling, or other bits while enabled (the mode stays) */
            d->reg[VBE_ENABLE] = val;
        break;
    case VBE_BANK:
        if (val < (VBE_LFB_SIZE >> 16))
            d->reg[VBE_BANK] = val;
        break;
    case VBE_VIRT_WIDTH:
        if (!on) {
            d->reg[VBE_VIRT_WIDTH] = val;
        } else if (view_fits(d, val, d->reg[VBE_X_OFFSET], d->reg[VBE_Y_OFFSET])) {
            uint32_t vh = VBE_LFB_SIZE / ((uint32_t)val * bytes_pp(d->reg[VBE_BPP]));
            d->reg[VBE_VIRT_WIDTH] = val;
            d->reg[VBE_VIRT_HEIGHT] = (uint16_t)(vh > 0xffff ? 0xffff : vh);
        }
        break;
    case VBE_X_OFFSET:
        if (!on || view_fits(d, d->reg[VBE_VIRT_WIDTH], val, d->reg[VBE_Y_OFFSET]))
            d->reg[VBE_X_OFFSET] = val;
        break;
    case VBE_Y_OFFSET:
        if (!on || view_fits(d, d->reg[VBE_VIRT_WIDTH], d->reg[VBE_X_OFFSET], val))
            d->reg[VBE_Y_OFFSET] = val;
        break;
    default: /* VIRT_HEIGHT (follows from the width), VIDEO_MEMORY_64K: read-only */
        break;
    }
}

static uint16_t reg_read(const struct vbe_dispi *d)
{
    bool caps = d->reg[VBE_ENABLE] & VBE_GETCAPS;
    switch (d->index) {
    case VBE_XRES: return caps ? VBE_MAX_XRES : d->reg[VBE_XRES];
    case VBE_YRES: return caps ? VBE_MAX_YRES : d->reg[VBE_YRES];
    case VBE_BPP: return caps ? VBE_MAX_BPP : d->reg[VBE_BPP];
    default: return d->index < VBE_NREGS ? d->reg[d->index] : 0;
    }
}

bool vbe_set_mode(struct vbe_dispi *d, uint32_t w, uint32_t h, uint32_t bpp)
{
    if (!vbe_mode_ok(w, h, bpp))
        return false;
    d->reg[VBE_ENABLE] = 0;
    d->reg[VBE_XRES] = (uint16_t)w;
    d->reg[VBE_YRES] = (uint16_t)h;
    d->reg[VBE_BPP] = (uint16_t)bpp;
    enable(d, VBE_ENABLED | VBE_LFB_ENABLED);
    return true;
}

/* Port 0x1ce: the index; 0x1cf (and 0x1d0): the selected register. A byte
 * access reaches the low byte. */
static bool vbe_pio_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct vbe_dispi *d = opaque;
    *val = off == 0 ? d->index : reg_read(d);
    return true;
}

static bool vbe_pio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct vbe_dispi *d = opaque;
    if (off == 0)
        d->index = size == 1 ? (uint16_t)((d->index & 0xff00) | (val & 0xff)) : (uint16_t)val;
    else
        reg_write(d, size == 1 ? (uint16_t)((reg_read(d) & 0xff00) | (val & 0xff)) : (uint16_t)val);
    return true;
}

const struct mmio_ops vbe_port_ops = { .read = vbe_pio_read, .write = vbe_pio_write };

bool vbe_screen(const struct vbe_dispi *d, const uint8_t dac[256][3], uint8_t dac_mask,
                struct screen_desc *out)
{
    if (!(d->reg[VBE_ENABLE] & VBE_ENABLED))
        return false;
    uint32_t bpp = d->reg[VBE_BPP], s = stride(d);
    uint64_t off = (uint64_t)d->reg[VBE_Y_OFFSET] * s +
                   (uint64_t)d->reg[VBE_X_OFFSET] * bytes_pp(bpp);
    if (off >= VBE_LFB_SIZE)
        return false;
    static const enum screen_kind kind[5] = { 0, SCREEN_INDEXED8, SCREEN_RGB565, SCREEN_RGB888,
                                              SCREEN_PIXELS };
    *out = (struct screen_desc){ .kind = bpp == 15 ? SCREEN_RGB555 : kind[bytes_pp(bpp)],
                                 .mem = d->lfb->host + off, .mem_len = VBE_LFB_SIZE - off,
                                 .width = d->reg[VBE_XRES], .height = d->reg[VBE_YRES],
                                 .stride = s, .cursor = UINT32_MAX };
    if (bpp == 8)
        for (int i = 0; i < 256; i++)
            for (int c = 0; c < 3; c++) {
                uint8_t v = dac[i & dac_mask][c];
                out->palette[i][c] = (uint8_t)(v << 2 | v >> 4);
            }
    return true;
}
