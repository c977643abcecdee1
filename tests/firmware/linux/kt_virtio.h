/* The virtio-mmio console the KVM launcher (kvmtest_virtio.c) serves to its
 * guests in user space, and what a guest driver (guest/virtio.h) needs to
 * talk to it: address, registers, status and feature bits, split-ring
 * layout. Written from "Virtual I/O Device (VIRTIO) Version 1.2": §4.2.2
 * (MMIO device register layout, modern interface only), §2.1 (device
 * status), §2.2 / §6 (feature bits), §2.7 (split virtqueues), §5.3
 * (console device). Included by the riscv64 Linux launcher and by the
 * bare-metal guests, so it uses no libc. */
#ifndef KT_VIRTIO_H
#define KT_VIRTIO_H

/* 4 KiB of guest-physical MMIO space with no memory slot: every guest load
 * or store there is a G-stage fault that KVM turns into KVM_EXIT_MMIO. */
#define KT_VIRTIO_GPA       0x10001000UL
#define KT_VIRTIO_SIZE      0x1000UL

/* Register offsets (§4.2.2, table "MMIO Device Register Layout"). */
#define VIO_MAGIC           0x000   /* R  0x74726976 ("virt") */
#define VIO_VERSION         0x004   /* R  2: modern (1 is legacy) */
#define VIO_DEVICE_ID       0x008   /* R  §5: 3 = console */
#define VIO_VENDOR_ID       0x00c   /* R */
#define VIO_DEV_FEATURES    0x010   /* R  32 feature bits, word DEV_FEATURES_SEL */
#define VIO_DEV_FEATURES_SEL 0x014  /* W */
#define VIO_DRV_FEATURES    0x020   /* W  32 feature bits, word DRV_FEATURES_SEL */
#define VIO_DRV_FEATURES_SEL 0x024  /* W */
#define VIO_QUEUE_SEL       0x030   /* W */
#define VIO_QUEUE_NUM_MAX   0x034   /* R  0: the queue does not exist */
#define VIO_QUEUE_NUM       0x038   /* W */
#define VIO_QUEUE_READY     0x044   /* RW */
#define VIO_QUEUE_NOTIFY    0x050   /* W  the queue index */
#define VIO_INT_STATUS      0x060   /* R  bit 0 used buffer, bit 1 config change */
#define VIO_INT_ACK         0x064   /* W */
#define VIO_STATUS          0x070   /* RW device status (§2.1); 0 resets */
#define VIO_QUEUE_DESC_LO   0x080   /* W  descriptor table GPA */
#define VIO_QUEUE_DESC_HI   0x084
#define VIO_QUEUE_DRIVER_LO 0x090   /* W  available ring GPA */
#define VIO_QUEUE_DRIVER_HI 0x094
#define VIO_QUEUE_DEVICE_LO 0x0a0   /* W  used ring GPA */
#define VIO_QUEUE_DEVICE_HI 0x0a4
#define VIO_SHM_SEL         0x0ac   /* W  (1.2) shared memory regions: none */
#define VIO_SHM_LEN_LO      0x0b0   /* R  all ones: no such region */
#define VIO_SHM_LEN_HI      0x0b4
#define VIO_SHM_BASE_LO     0x0b8
#define VIO_SHM_BASE_HI     0x0bc
#define VIO_QUEUE_RESET     0x0c0   /* RW (1.2, VIRTIO_F_RING_RESET only) */
#define VIO_CONFIG_GEN      0x0fc   /* R */
#define VIO_CONFIG          0x100   /* device configuration space (§5.3.4) */

#define VIO_MAGIC_VALUE     0x74726976u
#define VIO_VERSION_MODERN  2u
#define VIO_ID_CONSOLE      3u
#define KT_VIRTIO_VENDOR    0x544b5648u     /* "HVKT" */

/* Device status bits (§2.1). */
#define VIO_S_ACKNOWLEDGE   1u
#define VIO_S_DRIVER        2u
#define VIO_S_DRIVER_OK     4u
#define VIO_S_FEATURES_OK   8u
#define VIO_S_NEEDS_RESET   64u
#define VIO_S_FAILED        128u

/* Feature bits: VIRTIO_F_VERSION_1 (§6) is the only one the device offers. */
#define VIO_F_VERSION_1     32

/* Console queues without VIRTIO_CONSOLE_F_MULTIPORT (§5.3.2): port 0's
 * receiveq and transmitq. */
#define VIO_CON_RXQ         0
#define VIO_CON_TXQ         1
#define KT_VIRTIO_NQUEUES   2
#define KT_VIRTIO_QMAX      8       /* QueueNumMax of both queues */

/* Split virtqueue (§2.7): descriptor table (16-byte aligned), available ring
 * (2), used ring (4), all little endian. */
#define VIRTQ_DESC_F_NEXT       1u
#define VIRTQ_DESC_F_WRITE      2u
#define VIRTQ_DESC_F_INDIRECT   4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

#ifndef __ASSEMBLER__
#include <stdint.h>
struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
struct virtq_used_elem {
    uint32_t id;        /* head of the chain */
    uint32_t len;       /* bytes the device wrote into the chain */
};
#endif

/* What VM 1 sends through the console's transmitq, as one chain of two
 * device-readable descriptors; the launcher prints the line prefixed with
 * "vm1 virtio: " and checks it byte for byte. */
#define KT_VIRTIO_MSG_A     "hello from vm1 "
#define KT_VIRTIO_MSG_B     "through a virtio console\n"

#endif
