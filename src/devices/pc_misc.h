/* Small PC chipset ports (Intel PIIX3/ICH data sheets, "NMI Status and
 * Control Register" and "Port 92h"; IBM PC/AT Technical Reference):
 *
 * Port 0x80, POST diagnostic code: writes are taken and the last code is
 * kept for debugging (not guest-visible); reads return 0xff, as on QEMU
 * (which has no device there and an "unassigned" read of all ones; on
 * real boards port 0x80 is a write-only latch on the LPC bus). Linux uses
 * it only as a delay (outb to 0x80).
 *
 * Port 0x92, System Control Port A: bit 1 = A20 gate (1: address line 20
 * passes; the bool is owned by the board and read by the CPU model), bit 0 =
 * fast reset: a 0 -> 1 transition requests a CPU reset; hvsim does not
 * reboot, so it ends the run with EXIT_PASS, "reset requested via port 0x92
 * (hvsim does not reboot)". The other bits are kept and read back.
 *
 * Port 0x61, NMI Status and Control (PIIX3 "NMISC"):
 *   bit 0 TIM2 gate (R/W): PIT channel 2's gate
 *   bit 1 speaker data enable (R/W; no sound is produced)
 *   bit 2 PCI SERR# enable, bit 3 IOCHK# enable (R/W, stored)
 *   bit 4 refresh toggle (RO): toggles on every read (deterministic; QEMU
 *         does the same; real hardware toggles every 15.085 us)
 *   bit 5 TIM2 OUT (RO): PIT channel 2's output, from virtual time
 *   bits 6, 7 IOCHK/SERR NMI source status (RO): 0
 * Linux calibrates the TSC by gating PIT channel 2 through bit 0 and
 * polling bit 5.
 *
 * Each port is its own 1-port window (pc_misc_port61_ops etc.); accesses
 * wider than a byte are rejected. */
#ifndef HVSIM_PC_MISC_H
#define HVSIM_PC_MISC_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct i8254;
struct pc_misc;

/* a20 is the board's A20 gate (read by the CPU model); pit may be NULL
 * (port 0x61 then reads bit 5 as 0 and gates nothing). */
struct pc_misc *pc_misc_new(struct machine *m, struct i8254 *pit, bool *a20);
void pc_misc_free(struct pc_misc *p);
void pc_misc_copy_state(struct pc_misc *dst, const struct pc_misc *src);
/* Last POST code written to port 0x80 (debugging). */
uint8_t pc_misc_post_code(const struct pc_misc *p);

extern const struct mmio_ops pc_misc_port61_ops;
extern const struct mmio_ops pc_misc_port80_ops;
extern const struct mmio_ops pc_misc_port92_ops;

#endif
