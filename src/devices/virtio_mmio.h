/* virtio over MMIO, modern interface only (Virtual I/O Device (VIRTIO)
 * Version 1.1, §4.2 "Virtio Over MMIO": MagicValue "virt", Version 2) with
 * split virtqueues (§2.6) and indirect descriptors (§2.6.5.3).
 *
 * The transport owns the register window, the device status and feature
 * negotiation, the queues and the interrupt line; a device (virtio_blk.c,
 * virtio_rng.c, virtio_console.c) supplies its ID, feature bits, configuration space and a
 * handler for one request (a descriptor chain). ISA-neutral: it reaches
 * guest memory through the machine's bus (RAM only, never MMIO) and signals
 * through a struct irq_line.
 *
 * Timing (docs/virtio.md): a QueueNotify write arms a machine timer at
 * now + VIRTIO_COMPLETION_NS of virtual time; when it fires (a round
 * boundary, the same for every run) the device consumes every available
 * chain of its queues, fills the used ring and raises its interrupt.
 *
 * Guest mistakes never reach the host: an index out of range, a descriptor
 * loop, a buffer outside RAM, a malformed request — the device sets
 * DEVICE_NEEDS_RESET (status bit 6), raises a configuration-change
 * interrupt and ignores its queues until the driver resets it (§2.1.2). */
#ifndef HVSIM_VIRTIO_MMIO_H
#define HVSIM_VIRTIO_MMIO_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"
#include "../sim/irq.h"

struct machine;
struct virtio_mmio;

#define VIRTIO_MMIO_SIZE      0x1000u
#define VIRTIO_MMIO_MAGIC     0x74726976u  /* "virt" */
#define VIRTIO_MMIO_VERSION   2u
#define VIRTIO_MMIO_VENDOR    0x4d535648u  /* "HVSM" */
#define VIRTIO_QUEUE_MAX      256u         /* QueueNumMax of every queue */
#define VIRTIO_MAX_QUEUES     4u
#define VIRTIO_COMPLETION_NS  10000u       /* notify -> used ring + interrupt */

/* Device status bits (§2.1). */
enum {
    VIRTIO_STATUS_ACKNOWLEDGE = 1,
    VIRTIO_STATUS_DRIVER = 2,
    VIRTIO_STATUS_DRIVER_OK = 4,
    VIRTIO_STATUS_FEATURES_OK = 8,
    VIRTIO_STATUS_NEEDS_RESET = 64,
    VIRTIO_STATUS_FAILED = 128,
};

/* Reserved feature bits (§6). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_VERSION_1     (1ull << 32)

/* One request: the device-readable buffers, then the device-writable ones,
 * as the driver chained them (at most VIRTIO_CHAIN_MAX segments). */
#define VIRTIO_CHAIN_MAX 1024u
struct virtio_seg {
    uint64_t addr;
    uint32_t len;
};
struct virtio_chain {
    uint16_t head;
    unsigned nread, nwrite;              /* segments of each kind */
    uint64_t read_len, write_len;        /* total bytes of each kind */
    struct virtio_seg seg[VIRTIO_CHAIN_MAX]; /* readable first, then writable */
};

/* What a device provides. `request` handles one chain of queue q and
 * returns the number of bytes it wrote into the writable part (the used
 * ring's len), or -1 when the request is malformed (the transport then sets
 * DEVICE_NEEDS_RESET). Config accesses are at offsets from 0x100. */
struct virtio_device_ops {
    const char *name;
    uint32_t device_id;       /* §5: 2 block, 4 entropy */
    unsigned nqueues;         /* 1..VIRTIO_MAX_QUEUES */
    uint64_t (*features)(void *dev);   /* device-specific bits offered */
    bool (*config_read)(void *dev, uint64_t off, unsigned size, uint64_t *val);
    int64_t (*request)(void *dev, struct virtio_mmio *t, unsigned q, const struct virtio_chain *c);
    void (*reset)(void *dev); /* the driver wrote status 0 (may be NULL) */
    /* May be NULL (always). false: the device has nothing for queue q now;
     * its available chains stay where they are until virtio_mmio_kick. */
    bool (*ready)(void *dev, unsigned q);
};

/* A transport in one virtio-mmio slot. ops == NULL: an empty slot (device
 * ID 0, like QEMU's unused slots). */
struct virtio_mmio *virtio_mmio_new(struct machine *m, const struct virtio_device_ops *ops,
                                    void *dev, struct irq_line irq);
void virtio_mmio_free(struct virtio_mmio *t);
void virtio_mmio_copy_state(struct virtio_mmio *dst, const struct virtio_mmio *src);

extern const struct mmio_ops virtio_mmio_ops;

/* Copies between a chain and the host: offset `off` into the readable
 * (resp. writable) bytes of c. false when the range is outside them or a
 * buffer is not guest RAM. */
bool virtio_chain_read(struct virtio_mmio *t, const struct virtio_chain *c, uint64_t off,
                       void *buf, uint64_t len);
bool virtio_chain_write(struct virtio_mmio *t, const struct virtio_chain *c, uint64_t off,
                        const void *buf, uint64_t len);

/* The device has something for queue q (e.g. console input): it is
 * served like a notify, VIRTIO_COMPLETION_NS from now. */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned q);
/* The driver is up (DRIVER_OK, no NEEDS_RESET) and queue q is ready. */
bool virtio_mmio_queue_live(const struct virtio_mmio *t, unsigned q);

/* The device's status register (tests, docs). */
uint32_t virtio_mmio_status(const struct virtio_mmio *t);

#endif
