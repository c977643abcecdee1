/* The Bochs/QEMU "VBE DISPI" display interface and its linear framebuffer
 * (x86 PC, opt-in: [vga] lfb = WxHxBPP / --vga lfb=WxHxBPP; docs/x86.md
 * "Linear framebuffer").
 *
 * Memory: VBE_LFB_SIZE bytes of plain RAM at VBE_LFB_BASE (a bus memory
 * region the board adds in the PCI hole, in no memory map): the guest
 * draws with ordinary stores.
 *
 * Registers: a 16-bit index port (0x1ce) selects one of the registers
 * below, a 16-bit data port (0x1cf) reads or writes it. The mode
 * registers (XRES, YRES, BPP) only change while the display is disabled
 * (ENABLE bit 0 clear); setting ENABLE bit 0 checks the mode (BPP 8, 15,
 * 16, 24 or 32; XRES a multiple of 8 in 8..VBE_MAX_XRES, YRES 1..
 * VBE_MAX_YRES, the picture within VBE_LFB_SIZE) -- a mode that does not
 * fit leaves the display disabled -- resets the virtual size to the mode
 * (VIRT_HEIGHT: as many lines as the memory holds) and the offsets to 0,
 * and zeroes the memory unless bit 7 (NOCLEARMEM) is set. ENABLE bit 1
 * (GETCAPS) makes XRES, YRES and BPP read their maxima. BANK is kept but
 * maps nothing (no banked window at 0xa0000: the LFB only); ENABLE bit 6
 * (LFB) reads back as written. 8 bits a pixel index the VGA DAC. */
#ifndef HVSIM_DEVICES_VBE_DISPI_H
#define HVSIM_DEVICES_VBE_DISPI_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"

struct screen_desc;

#define VBE_LFB_BASE 0xfd000000u
#define VBE_LFB_SIZE 0x1000000u     /* 16 MiB: VIDEO_MEMORY_64K reads 256 */
#define VBE_PORT_BASE 0x1ceu        /* index; data at 0x1cf */
#define VBE_PORTS 3u                /* 0x1ce index, 0x1cf data (and 0x1d0: data) */
#define VBE_MAX_XRES 2560u
#define VBE_MAX_YRES 1600u
#define VBE_MAX_BPP 32u

enum vbe_reg {
    VBE_ID = 0, VBE_XRES, VBE_YRES, VBE_BPP, VBE_ENABLE, VBE_BANK, VBE_VIRT_WIDTH,
    VBE_VIRT_HEIGHT, VBE_X_OFFSET, VBE_Y_OFFSET, VBE_VIDEO_MEMORY_64K, VBE_NREGS
};
#define VBE_ID5 0xb0c5u                 /* the newest interface version; 0xb0c0.. accepted */
#define VBE_ENABLED 0x01u
#define VBE_GETCAPS 0x02u
#define VBE_LFB_ENABLED 0x40u
#define VBE_NOCLEARMEM 0x80u

struct vbe_dispi {
    struct bus *bus;
    struct mem_region *lfb;     /* VBE_LFB_SIZE bytes at VBE_LFB_BASE */
    uint16_t index;
    uint16_t reg[VBE_NREGS];
};

/* "WxHxBPP" ([vga] lfb): false unless it is a mode ENABLE would accept. */
bool vbe_parse_mode(const char *s, uint32_t *w, uint32_t *h, uint32_t *bpp);
/* Is this mode one ENABLE accepts? */
bool vbe_mode_ok(uint32_t w, uint32_t h, uint32_t bpp);
/* Reset state: disabled, mode registers 0 (what the Bochs interface has
 * before any write). */
void vbe_reset(struct vbe_dispi *d);
/* What a boot loader does to hand over a graphics framebuffer: sets the
 * mode and enables it with the LFB bit (memory zeroed); false if the mode
 * does not fit. */
bool vbe_set_mode(struct vbe_dispi *d, uint32_t w, uint32_t h, uint32_t bpp);
/* The picture when the display is enabled (false: disabled, the VGA
 * shows). dac: the VGA's 256 DAC entries (6-bit) for 8 bits a pixel. */
bool vbe_screen(const struct vbe_dispi *d, const uint8_t dac[256][3], uint8_t dac_mask,
                struct screen_desc *out);

extern const struct mmio_ops vbe_port_ops; /* ports VBE_PORT_BASE .. +VBE_PORTS */

#endif
