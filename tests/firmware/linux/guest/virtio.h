/* A minimal virtio-mmio console driver for the launcher's guests: probe the
 * device at KT_VIRTIO_GPA, negotiate VIRTIO_F_VERSION_1, set up the
 * transmitq (one split virtqueue in guest RAM), send one message as a chain
 * of two descriptors, wait for the used ring and the interrupt, check both.
 * The device is the launcher's (kvmtest_virtio.c): every register access
 * below is a KVM_EXIT_MMIO. Follows the driver requirements of "Virtual I/O
 * Device (VIRTIO) Version 1.2": §4.2.3.1 (probe), §3.1.1 (initialization),
 * §4.2.3.2 (virtqueue setup), §2.7.13 (supplying buffers), §2.7.14 (used
 * buffers), §4.2.3.4 (interrupt acknowledge).
 *
 * Interrupts: the launcher raises the VS-level external interrupt of vCPU0
 * (KVM_INTERRUPT) while InterruptStatus is not 0. vio_console_send enables
 * sie.SEIE and sstatus.SIE around its wait; the guest's trap handler must
 * call vio_irq() for cause "supervisor external interrupt" (9). Waiting is
 * a bounded poll of the used ring (no WFI: a missing completion or interrupt
 * ends in a failure report, never a hang).
 *
 * Header only (static functions): include it from one guest program. */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "guest.h"
#include "kt_virtio.h"

#define SIE_SEIE        (1UL << 9)
#define IRQ_S_EXT       9

#define VIO_QSIZE       4           /* our transmitq's size (power of 2) */
#define VIO_SPIN        100000      /* poll iterations before giving up */

/* Failed steps, reported in kt_shared.virtio (1 = passed). */
enum {
    VIO_OK = 1, VIO_STEP_PROBE, VIO_STEP_RESET, VIO_STEP_FEATURES, VIO_STEP_FEATURES_OK,
    VIO_STEP_QUEUE, VIO_STEP_USED, VIO_STEP_IRQ, VIO_STEP_STATUS,
};

/* The transmitq's rings (§2.7: alignments 16, 2, 4), in .bss (zero). */
static struct virtq_desc vio_desc[VIO_QSIZE] __attribute__((aligned(16)));
static struct {
    uint16_t flags, idx, ring[VIO_QSIZE], used_event;
} vio_avail __attribute__((aligned(2)));
static struct {
    uint16_t flags, idx;
    struct virtq_used_elem ring[VIO_QSIZE];
    uint16_t avail_event;
} vio_used __attribute__((aligned(4)));

static volatile unsigned long vio_irqs;        /* interrupts taken */
static volatile unsigned long vio_irq_status;  /* InterruptStatus bits seen */

static inline uint32_t vio_rd(unsigned long off)
{
    return *(volatile uint32_t *)(KT_VIRTIO_GPA + off);
}

static inline void vio_wr(unsigned long off, uint32_t v)
{
    *(volatile uint32_t *)(KT_VIRTIO_GPA + off) = v;
}

static inline void vio_wr64(unsigned long lo, const volatile void *p)
{
    unsigned long a = (unsigned long)p;
    vio_wr(lo, (uint32_t)a);
    vio_wr(lo + 4, (uint32_t)(a >> 32));
}

/* From the trap handler: supervisor external interrupt. Reads and
 * acknowledges InterruptStatus (§4.2.3.4), which lowers the line. */
static inline void vio_irq(void)
{
    uint32_t st = vio_rd(VIO_INT_STATUS);
    vio_wr(VIO_INT_ACK, st);
    vio_irq_status |= st;
    vio_irqs++;
}

/* A failure: its step and a description. */
struct vio_result { unsigned long step; const char *why; unsigned long value; };

#define VIO_FAIL(s, w, v) return (struct vio_result){ (s), (w), (unsigned long)(v) }

/* Probe and initialize the console, set up its transmitq. */
static inline struct vio_result vio_console_init(void)
{
    /* §4.2.3.1.1: magic, then version, then device ID (0: no device) */
    if (vio_rd(VIO_MAGIC) != VIO_MAGIC_VALUE)
        VIO_FAIL(VIO_STEP_PROBE, "bad MagicValue", vio_rd(VIO_MAGIC));
    if (vio_rd(VIO_VERSION) != VIO_VERSION_MODERN)
        VIO_FAIL(VIO_STEP_PROBE, "not a modern (version 2) device, Version", vio_rd(VIO_VERSION));
    if (vio_rd(VIO_DEVICE_ID) != VIO_ID_CONSOLE)
        VIO_FAIL(VIO_STEP_PROBE, "not a console, DeviceID", vio_rd(VIO_DEVICE_ID));

    /* §3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK */
    vio_wr(VIO_STATUS, 0);
    if (vio_rd(VIO_STATUS) != 0)
        VIO_FAIL(VIO_STEP_RESET, "Status not 0 after reset", vio_rd(VIO_STATUS));
    uint32_t st = VIO_S_ACKNOWLEDGE;
    vio_wr(VIO_STATUS, st);
    st |= VIO_S_DRIVER;
    vio_wr(VIO_STATUS, st);
    vio_wr(VIO_DEV_FEATURES_SEL, 1);
    uint32_t hi = vio_rd(VIO_DEV_FEATURES);
    if (!(hi & 1u << (VIO_F_VERSION_1 - 32)))
        VIO_FAIL(VIO_STEP_FEATURES, "no VIRTIO_F_VERSION_1, DeviceFeatures[63:32]", hi);
    vio_wr(VIO_DRV_FEATURES_SEL, 0);
    vio_wr(VIO_DRV_FEATURES, 0);
    vio_wr(VIO_DRV_FEATURES_SEL, 1);
    vio_wr(VIO_DRV_FEATURES, 1u << (VIO_F_VERSION_1 - 32));
    st |= VIO_S_FEATURES_OK;
    vio_wr(VIO_STATUS, st);
    if (!(vio_rd(VIO_STATUS) & VIO_S_FEATURES_OK))
        VIO_FAIL(VIO_STEP_FEATURES_OK, "FEATURES_OK refused, Status", vio_rd(VIO_STATUS));

    /* §4.2.3.2: select the queue, check it is free, size it, place it */
    vio_wr(VIO_QUEUE_SEL, VIO_CON_TXQ);
    if (vio_rd(VIO_QUEUE_READY) != 0)
        VIO_FAIL(VIO_STEP_QUEUE, "transmitq already ready", 1);
    uint32_t max = vio_rd(VIO_QUEUE_NUM_MAX);
    if (max < VIO_QSIZE)
        VIO_FAIL(VIO_STEP_QUEUE, "transmitq QueueNumMax too small", max);
    vio_wr(VIO_QUEUE_NUM, VIO_QSIZE);
    vio_wr64(VIO_QUEUE_DESC_LO, vio_desc);
    vio_wr64(VIO_QUEUE_DRIVER_LO, &vio_avail);
    vio_wr64(VIO_QUEUE_DEVICE_LO, &vio_used);
    vio_wr(VIO_QUEUE_READY, 1);
    if (vio_rd(VIO_QUEUE_READY) != 1)
        VIO_FAIL(VIO_STEP_QUEUE, "transmitq not ready, Status", vio_rd(VIO_STATUS));

    st |= VIO_S_DRIVER_OK;
    vio_wr(VIO_STATUS, st);
    if (vio_rd(VIO_STATUS) != st)
        VIO_FAIL(VIO_STEP_STATUS, "Status after DRIVER_OK", vio_rd(VIO_STATUS));
    return (struct vio_result){ VIO_OK, "", 0 };
}

/* Send a and b as one chain of two device-readable descriptors, then wait
 * for the used ring entry and the interrupt. */
static inline struct vio_result vio_console_send(const char *a, unsigned long alen,
                                                 const char *b, unsigned long blen)
{
    uint16_t head = 0, slot = vio_avail.idx % VIO_QSIZE;
    vio_desc[0] = (struct virtq_desc){ (unsigned long)a, (uint32_t)alen, VIRTQ_DESC_F_NEXT, 1 };
    vio_desc[1] = (struct virtq_desc){ (unsigned long)b, (uint32_t)blen, 0, 0 };
    vio_avail.ring[slot] = head;
    fence();                        /* §2.7.13.3.1: ring entry before idx */
    uint16_t want = (uint16_t)(*(volatile uint16_t *)&vio_used.idx + 1);
    *(volatile uint16_t *)&vio_avail.idx = (uint16_t)(vio_avail.idx + 1);
    fence();                        /* idx before the notification */

    unsigned long irqs0 = vio_irqs;
    csr_set(sie, SIE_SEIE);
    csr_set(sstatus, SSTATUS_SIE);
    vio_wr(VIO_QUEUE_NOTIFY, VIO_CON_TXQ);

    unsigned long i;
    for (i = 0; i < VIO_SPIN && *(volatile uint16_t *)&vio_used.idx != want; i++)
        ;
    for (unsigned long j = 0; j < VIO_SPIN && vio_irqs == irqs0; j++)
        ;
    csr_clear(sstatus, SSTATUS_SIE);
    csr_clear(sie, SIE_SEIE);
    fence();                        /* used entry after its idx (§2.7.14) */
    if (*(volatile uint16_t *)&vio_used.idx != want)
        VIO_FAIL(VIO_STEP_USED, "no used buffer, used idx", *(volatile uint16_t *)&vio_used.idx);
    volatile struct virtq_used_elem *u = &vio_used.ring[(uint16_t)(want - 1) % VIO_QSIZE];
    if (u->id != head)
        VIO_FAIL(VIO_STEP_USED, "used ring names another chain, id", u->id);
    if (u->len != 0)
        VIO_FAIL(VIO_STEP_USED, "device wrote into a transmit buffer, len", u->len);
    if (vio_irqs == irqs0)
        VIO_FAIL(VIO_STEP_IRQ, "no interrupt, InterruptStatus", vio_rd(VIO_INT_STATUS));
    if (!(vio_irq_status & 1))
        VIO_FAIL(VIO_STEP_IRQ, "interrupt without the used-buffer bit, InterruptStatus",
                 vio_irq_status);
    uint32_t st = vio_rd(VIO_STATUS);
    if (st & (VIO_S_NEEDS_RESET | VIO_S_FAILED))
        VIO_FAIL(VIO_STEP_STATUS, "device needs reset, Status", st);
    return (struct vio_result){ VIO_OK, "", 0 };
}

#endif
