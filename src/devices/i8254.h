/* Intel 8254 programmable interval timer (PIT) at I/O ports 0x40-0x43
 * (Intel 8254 data sheet, order no. 231164; "82C54 CHMOS Programmable
 * Interval Timer" for the mode descriptions cited in i8254.c).
 *
 * Three 16-bit down counters clocked at 1.193182 MHz. The input clock is
 * derived from virtual time only: PIT clock edge k happens at the first CPU
 * tick t with floor(t * 1193182 / cpu_hz) >= k (exact integer arithmetic,
 * src/sim/vtime.h). Modes 0-5, LSB/MSB/LSB-then-MSB access, counter latch,
 * read-back (status and count), BCD counting, gate inputs.
 *
 * Wiring on a PC: channel 0's OUT is IRQ0 (irq_line given at creation; its
 * edges are delivered at their exact virtual times by a machine-level
 * timer), channel 1 (DRAM refresh) has no output, channel 2's gate and OUT
 * are bits 0 and 5 of port 0x61 (pc_misc.c: i8254_set_gate/i8254_get_out).
 * Gates of channels 0 and 1 are tied high.
 *
 * Reset state (as QEMU's pit_reset leaves it and like a BIOS programs it):
 * every channel in mode 3, LSB-then-MSB, binary, count 65536 (18.2 Hz on
 * channel 0), counting from virtual time 0; channel 2's gate low. */
#ifndef HVSIM_I8254_H
#define HVSIM_I8254_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"
#include "../sim/irq.h"

struct machine;
struct i8254;

#define I8254_HZ 1193182u   /* input clock: 14.31818 MHz / 12 */
#define I8254_PORTS 4u      /* counters 0-2 at +0..+2, control word at +3 */

/* Allocates the machine-level timer for channel 0's output. */
struct i8254 *i8254_new(struct machine *m, struct irq_line irq0);
void i8254_free(struct i8254 *p);

extern const struct mmio_ops i8254_ops;

/* Gate input of channel ch (0..2) at the current virtual time. */
void i8254_set_gate(struct i8254 *p, int ch, int level);
int i8254_get_gate(const struct i8254 *p, int ch);
/* OUT of channel ch (0..2) at the current virtual time. */
int i8254_get_out(struct i8254 *p, int ch);

/* A machine reset (the board's): every channel back to its power-on
 * programming, counting from now. */
void i8254_reset(struct i8254 *p);

/* Snapshots: dst was built from the same config (its timer index too). */
void i8254_copy_state(struct i8254 *dst, const struct i8254 *src);

#endif
