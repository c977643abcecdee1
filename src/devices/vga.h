/* VGA text mode (x86 PC, opt-in: [vga] text = on / --vga; docs/x86.md
 * "VGA text mode").
 *
 * Memory: the VGA window 0xa0000-0xbffff is 128 KiB of plain RAM (a bus
 * memory region the board adds, not in any memory map): the text buffer of
 * mode 3 at 0xb8000 holds 80x25 cells of (character, attribute), reads and
 * writes anywhere in the window are ordinary memory accesses (deterministic;
 * no planar memory, no read/write modes, no bit masks, no chain-4).
 *
 * Registers (IBM VGA Technical Reference; FreeVGA's register list), I/O
 * ports 0x3b0-0x3df: the CRT controller (index 0x3d4 / data 0x3d5, or
 * 0x3b4/0x3b5 when the miscellaneous output register selects mono
 * addressing), the sequencer (0x3c4/0x3c5), the graphics controller
 * (0x3ce/0x3cf), the attribute controller (0x3c0 index/data flip-flop,
 * 0x3c1 read), the miscellaneous output (write 0x3c2, read 0x3cc), input
 * status 0 (0x3c2 read) and 1 (0x3da / 0x3ba read: resets the flip-flop),
 * the DAC (0x3c6 mask, 0x3c7 read index / state, 0x3c8 write index, 0x3c9
 * data) and the feature control (0x3ca read, 0x3da write). Registers hold
 * what is written (read back; CR0-CR7 honour the CR11 protect bit); what
 * the screen shows uses: the CRTC start address (CR0C/CR0D), cursor
 * location (CR0E/CR0F) and shape (CR0A/CR0B, bit 5 of CR0A hides it),
 * the columns (CR01 + 1) and rows (vertical display end / character
 * height), the attribute palette (AR0-ARF), the attribute mode (AR10 bit 3:
 * blink) and the DAC. Of the graphics modes, 256-colour chain-4 (mode 13h,
 * 320x200) is drawn (vga.c screen_256); the others (planar 16-colour, CGA)
 * are not (the screen shows the text buffer as text). The state a mode-3
 * BIOS leaves is the reset state. */
#ifndef HVSIM_DEVICES_VGA_H
#define HVSIM_DEVICES_VGA_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"

struct screen_desc;
struct vga;

#define VGA_MEM_BASE 0xa0000u
#define VGA_MEM_SIZE 0x20000u
#define VGA_PORT_BASE 0x3b0u
#define VGA_PORTS 0x30u

/* The device over vram (VGA_MEM_SIZE bytes of host memory at
 * VGA_MEM_BASE, the bus region the board added); reset state. */
struct vga *vga_new(uint8_t *vram);
void vga_free(struct vga *v);
void vga_reset(struct vga *v);
void vga_copy_state(struct vga *dst, const struct vga *src);
/* The screen as it would be displayed now: text, or 256-colour graphics
 * (mode 13h) when the graphics controller and attribute mode select it. */
bool vga_screen(const struct vga *v, struct screen_desc *d);
/* The DAC (6-bit components) and its pixel mask, for 8-bit VBE modes. */
void vga_dac(const struct vga *v, uint8_t dac[256][3], uint8_t *mask);

extern const struct mmio_ops vga_port_ops; /* ports VGA_PORT_BASE .. +VGA_PORTS */

#endif
