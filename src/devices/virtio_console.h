/* virtio console (VIRTIO 1.1 §5.3), one port, no multiport: queue 0
 * receiveq (console input), queue 1 transmitq (output to the machine's
 * console, like the UART's). Input bytes are taken from the console in the
 * board's round hook while the receive queue is live (a 256-byte FIFO),
 * each recorded as an `input` event at that round's time, and reach the
 * guest's receive buffers VIRTIO_COMPLETION_NS later. A byte goes to
 * whichever device (UART or this one) takes it first (docs/virtio.md). */
#ifndef HVSIM_VIRTIO_CONSOLE_H
#define HVSIM_VIRTIO_CONSOLE_H
#include "virtio_mmio.h"

struct machine;
struct console;
struct virtio_console;

struct virtio_console *virtio_console_new(struct machine *m, struct console *con);
void virtio_console_free(struct virtio_console *v);
void virtio_console_copy_state(struct virtio_console *dst, const struct virtio_console *src);
/* Once a round: pending input and a live receive queue -> serve it. */
void virtio_console_round(struct virtio_console *v, struct virtio_mmio *t);

extern const struct virtio_device_ops virtio_console_ops;

#endif
