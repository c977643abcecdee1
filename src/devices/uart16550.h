/* NS16550A UART (National Semiconductor PC16550D datasheet), byte registers
 * at offsets 0..7 of a 0x100 window (reg-shift 0, reg-io-width 1). The host
 * side is a struct console; transmission completes instantly. */
#ifndef HVSIM_UART16550_H
#define HVSIM_UART16550_H
#include "../sim/bus.h"
#include "../sim/irq.h"

struct machine;
struct console;
struct uart16550;

#define UART_SIZE 0x100u
#define UART_FIFO 16u

/* con may be NULL (output dropped, no input). */
struct uart16550 *uart_new(struct machine *m, struct console *con, struct irq_line irq);
void uart_free(struct uart16550 *u);

/* Once per scheduler round: console_poll, then move input bytes into the RX
 * FIFO while it has room, and update the interrupt line. */
void uart_poll(struct uart16550 *u);

extern const struct mmio_ops uart_ops;

/* Copy the register and FIFO state of src into dst: snapshots. */
void uart_copy_state(struct uart16550 *dst, const struct uart16550 *src);

/* Copy the register and FIFO state of src into dst: snapshots. */
void uart_copy_state(struct uart16550 *dst, const struct uart16550 *src);

#endif
