/* virtio console (see virtio_console.h). */
#include "virtio_console.h"

#include <stdlib.h>
#include <string.h>
#include "console.h"
#include "../sim/machine.h"
#include "../trace/emit.h"

enum { RXQ = 0, TXQ = 1 };
#define TX_MAX 65536u /* bytes of one transmit request written out (host work bound) */

#define RX_FIFO 256u

struct virtio_console {
    struct machine *m;
    struct console *con;
    /* input taken from the console (and recorded) in a round hook, waiting
     * for receive buffers */
    uint8_t rx[RX_FIFO];
    unsigned rx_head, rx_count;
};

struct virtio_console *virtio_console_new(struct machine *m, struct console *con)
{
    struct virtio_console *v = calloc(1, sizeof *v);
    if (v) {
        v->m = m;
        v->con = con;
    }
    return v;
}

void virtio_console_free(struct virtio_console *v)
{
    free(v);
}

static uint64_t con_features(void *dev)
{
    (void)dev;
    return 0; /* no SIZE, MULTIPORT, EMERG_WRITE */
}

/* §5.3.4: cols, rows (le16), max_nr_ports, emerg_wr (le32): all 0 here. */
static bool con_config_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    (void)dev, (void)off, (void)size;
    *val = 0;
    return true;
}

static bool con_ready(void *dev, unsigned q)
{
    struct virtio_console *v = dev;
    return q != RXQ || v->rx_count > 0;
}

static int64_t con_request(void *dev, struct virtio_mmio *t, unsigned q, const struct virtio_chain *c)
{
    struct virtio_console *v = dev;
    uint8_t buf[256];
    if (q == TXQ) {
        uint64_t len = c->read_len < TX_MAX ? c->read_len : TX_MAX;
        for (uint64_t done = 0; done < len;) {
            uint64_t n = len - done < sizeof buf ? len - done : sizeof buf;
            if (!virtio_chain_read(t, c, done, buf, n))
                return -1;
            for (uint64_t i = 0; i < n; i++)
                console_putc(v->con, buf[i]);
            done += n;
        }
        console_flush(v->con);
        return 0;
    }
    /* receive: the bytes taken so far, up to the buffer's size */
    uint64_t n = 0;
    while (n < c->write_len && n < sizeof buf && v->rx_count) {
        buf[n++] = v->rx[v->rx_head];
        v->rx_head = (v->rx_head + 1) % RX_FIFO;
        v->rx_count--;
    }
    if (!virtio_chain_write(t, c, 0, buf, n))
        return -1;
    return (int64_t)n;
}

/* Input is taken at a round boundary (recorded there as `input` events,
 * so a replay's scripted input is available at the same virtual time) and
 * handed to the guest VIRTIO_COMPLETION_NS later. */
void virtio_console_round(struct virtio_console *v, struct virtio_mmio *t)
{
    if (!v->con || !virtio_mmio_queue_live(t, RXQ))
        return;
    while (v->rx_count < RX_FIFO && console_has_input(v->con)) {
        int ch = console_getc(v->con);
        if (ch < 0)
            break;
        TRACE(v->m, TK_INPUT, trace_cpu_id(v->m), machine_now(v->m), (uint64_t)ch);
        v->rx[(v->rx_head + v->rx_count) % RX_FIFO] = (uint8_t)ch;
        v->rx_count++;
    }
    if (v->rx_count)
        virtio_mmio_kick(t, RXQ);
}

void virtio_console_copy_state(struct virtio_console *dst, const struct virtio_console *src)
{
    memcpy(dst->rx, src->rx, sizeof dst->rx);
    dst->rx_head = src->rx_head;
    dst->rx_count = src->rx_count;
}

const struct virtio_device_ops virtio_console_ops = {
    .name = "virtio-console",
    .device_id = 3,
    .nqueues = 2,
    .features = con_features,
    .config_read = con_config_read,
    .request = con_request,
    .ready = con_ready,
};
