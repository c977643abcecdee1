/* virtio network device (see virtio_net.h). */
#include "virtio_net.h"

#include <stdlib.h>
#include <string.h>
#include "../sim/machine.h"
#include "pcap.h"

enum { RXQ = 0, TXQ = 1 };

/* §5.1.3 feature bits */
#define NET_F_MAC    (1ull << 5)
#define NET_F_STATUS (1ull << 16)
#define NET_S_LINK_UP 1u
#define NET_HDR_LEN  12u   /* struct virtio_net_hdr with num_buffers (§5.1.6) */

/* QEMU's default MAC, so guests configured for QEMU's user network find the
 * address they expect. */
static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct frame {
    uint16_t len;
    uint8_t data[NET_FRAME_MAX];
};

struct virtio_net {
    struct machine *m;
    bool loopback;
    struct frame rx[NET_RX_FRAMES]; /* frames on their way to the guest */
    unsigned rx_head, rx_count;
    uint64_t dropped;
};

bool virtio_net_spec_ok(const char *spec, char *err, size_t errlen)
{
    if (!strcmp(spec, "loopback") || !strcmp(spec, "sink"))
        return true;
    snprintf(err, errlen, "[virtio] net '%s' is not 'loopback' or 'sink'", spec);
    return false;
}

struct virtio_net *virtio_net_new(struct machine *m, const char *spec)
{
    struct virtio_net *n = calloc(1, sizeof *n);
    if (n) {
        n->m = m;
        n->loopback = !strcmp(spec, "loopback");
    }
    return n;
}

void virtio_net_free(struct virtio_net *n)
{
    free(n);
}

void virtio_net_copy_state(struct virtio_net *dst, const struct virtio_net *src)
{
    memcpy(dst->rx, src->rx, sizeof dst->rx);
    dst->rx_head = src->rx_head;
    dst->rx_count = src->rx_count;
    dst->dropped = src->dropped;
}

uint64_t virtio_net_dropped(const struct virtio_net *n)
{
    return n->dropped;
}

static void capture(struct virtio_net *n, const uint8_t *frame, uint32_t len)
{
    struct machine *m = n->m;
    if (!m->pcap)
        return;
    uint64_t ns = (uint64_t)((unsigned __int128)machine_now(m) * 1000000000u / m->cfg.cpu_hz);
    pcap_write_frame(m->pcap, ns, frame, len);
}

/* ---- the device -------------------------------------------------------------- */

static uint64_t net_features(void *dev)
{
    (void)dev;
    return NET_F_MAC | NET_F_STATUS;
}

/* §5.1.4: mac[6], status (le16); max_virtqueue_pairs and mtu are not
 * offered (read 0). */
static bool net_config_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    (void)dev;
    uint8_t cfg[12] = { 0 };
    memcpy(cfg, default_mac, sizeof default_mac);
    cfg[6] = NET_S_LINK_UP;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        if (off + i < sizeof cfg)
            v |= (uint64_t)cfg[off + i] << (8 * i);
    *val = v;
    return true;
}

static bool net_ready(void *dev, unsigned q)
{
    struct virtio_net *n = dev;
    return q != RXQ || n->rx_count > 0;
}

static int64_t transmit(struct virtio_net *n, struct virtio_mmio *t, const struct virtio_chain *c)
{
    if (c->read_len < NET_HDR_LEN)
        return -1; /* §5.1.6.2: every packet starts with the header */
    uint64_t len = c->read_len - NET_HDR_LEN;
    if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
        n->dropped++;
        return 0;
    }
    struct frame f = { .len = (uint16_t)len };
    if (!virtio_chain_read(t, c, NET_HDR_LEN, f.data, len))
        return -1;
    capture(n, f.data, f.len);
    if (!n->loopback)
        return 0;
    if (n->rx_count == NET_RX_FRAMES) {
        n->dropped++;
        return 0;
    }
    n->rx[(n->rx_head + n->rx_count) % NET_RX_FRAMES] = f;
    n->rx_count++;
    virtio_mmio_kick(t, RXQ);
    return 0;
}

static int64_t receive(struct virtio_net *n, struct virtio_mmio *t, const struct virtio_chain *c)
{
    const struct frame *f = &n->rx[n->rx_head];
    if (c->write_len < NET_HDR_LEN + f->len)
        return -1; /* without MRG_RXBUF one buffer holds the packet (§5.1.6.3.1) */
    uint8_t hdr[NET_HDR_LEN] = { 0 };
    hdr[10] = 1; /* num_buffers = 1; flags 0, gso_type VIRTIO_NET_HDR_GSO_NONE */
    if (!virtio_chain_write(t, c, 0, hdr, sizeof hdr) ||
        !virtio_chain_write(t, c, NET_HDR_LEN, f->data, f->len))
        return -1;
    capture(n, f->data, f->len);
    n->rx_head = (n->rx_head + 1) % NET_RX_FRAMES;
    n->rx_count--;
    return NET_HDR_LEN + f->len;
}

static int64_t net_request(void *dev, struct virtio_mmio *t, unsigned q, const struct virtio_chain *c)
{
    struct virtio_net *n = dev;
    return q == TXQ ? transmit(n, t, c) : receive(n, t, c);
}

/* The driver reset the device: frames in flight are gone (§2.1.2). */
static void net_reset(void *dev)
{
    struct virtio_net *n = dev;
    n->rx_head = n->rx_count = 0;
}

const struct virtio_device_ops virtio_net_ops = {
    .name = "virtio-net",
    .device_id = 1,
    .nqueues = 2,
    .features = net_features,
    .config_read = net_config_read,
    .request = net_request,
    .reset = net_reset,
    .ready = net_ready,
};
