/* The PC's pair of Intel 8259A programmable interrupt controllers (Intel
 * 8259A data sheet, order no. 231468): master at ports 0x20/0x21, slave at
 * 0xa0/0xa1 cascaded on the master's IR2, and the edge/level control
 * registers (ELCR) at 0x4d0/0x4d1 (Intel PIIX/PIIX3 data sheet, "ELCR1 /
 * ELCR2").
 *
 * Inputs: i8259_set_irq(pic, n, level) for ISA IRQ n = 0..15 (an irq_line's
 * set function: { i8259_set_irq, pic, n }). IRQ 2 has no pin of its own on
 * an AT (IR2 of the master carries the slave): a device wired to IRQ 2 is
 * routed to IRQ 9, as the AT bus does.
 * Output: INTR, an irq_line toward the CPU (level: an unmasked request of
 * higher priority than any in service is pending). At INTA the CPU model
 * calls i8259_ack(), which returns the vector and moves IRR -> ISR.
 *
 * Supported: ICW1-ICW4 (single or cascade mode, ICW4 auto-EOI and special
 * fully nested mode; 8086 mode only: the 8080 bit is stored and ignored),
 * OCW1 (IMR), OCW2 (non-specific/specific EOI, rotate on EOI, rotate in
 * auto-EOI, set priority), OCW3 (read IRR/ISR, poll, special mask mode),
 * edge and level triggering (ELCR, or ICW1 LTIM for all inputs of a chip),
 * priority resolution with rotation, spurious IRQ 7 / IRQ 15 (vector base+7
 * with no ISR bit set when the request went away before INTA).
 *
 * Power-on state (as QEMU's reset): IMR 0, no vector base (0), edge
 * triggered; a guest programs it with ICW1..ICW4 before use. */
#ifndef HVSIM_I8259_H
#define HVSIM_I8259_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"
#include "../sim/irq.h"

struct i8259;

struct i8259 *i8259_new(struct irq_line intr);
void i8259_free(struct i8259 *p);

/* Port windows: 2 ports each (command, data) for master and slave; the
 * ELCR window is 2 ports (0x4d0 master, 0x4d1 slave). */
extern const struct mmio_ops i8259_master_ops;
extern const struct mmio_ops i8259_slave_ops;
extern const struct mmio_ops i8259_elcr_ops;

/* ISA IRQ n (0..15) input level; other n are ignored. */
void i8259_set_irq(void *opaque, int n, int level);
/* Interrupt acknowledge (INTA): the vector, IRR -> ISR (and the slave's
 * when the master's request is IR2). */
int i8259_ack(struct i8259 *p);
/* Level of INTR (also sent on the irq_line). */
int i8259_intr(const struct i8259 *p);

/* Register views for tests and debuggers: chip 0 master, 1 slave. */
uint8_t i8259_irr(const struct i8259 *p, int chip);
uint8_t i8259_isr(const struct i8259 *p, int chip);
uint8_t i8259_imr(const struct i8259 *p, int chip);

void i8259_copy_state(struct i8259 *dst, const struct i8259 *src);

#endif
