/* What the KVM launcher (kvmtest.c) and its guests (guest/) share: the guest
 * memory map, the shared block, the SBI numbers and the checksums. Included
 * both by the riscv64 Linux program and by the bare-metal guests, so it uses
 * no libc. */
#ifndef KVMTEST_H
#define KVMTEST_H

/* --- guest physical memory map (both VMs) -------------------------------- */
#define KT_RAM_GPA      0x80000000UL    /* guest RAM, entry point of vCPU0 */
#define KT_RAM_SIZE     0x00100000UL    /* 1 MiB */
#define KT_SHARED_GPA   0x800f0000UL    /* struct kt_shared (launcher <-> guest) */
#define KT_IMAGE_MAX    (KT_SHARED_GPA - KT_RAM_GPA)
/* Not backed by a memory slot: a store here is a G-stage fault that KVM turns
 * into KVM_EXIT_MMIO. The guest reports its checksum through it. */
#define KT_MMIO_RESULT  0x10000000UL

#define KT_MAGIC        0x74736574204d564bULL   /* "KVM test" */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* At KT_SHARED_GPA. The launcher fills the first part before the first
 * KVM_RUN; the guest writes the rest. Every field is a naturally aligned
 * 64-bit word, so plain loads/stores are single-copy atomic on both sides. */
struct kt_shared {
    /* launcher -> guest */
    uint64_t magic;         /* KT_MAGIC */
    uint64_t vm;            /* 1 or 2 */
    uint64_t n;             /* VM 2: ping-pong round trips */
    uint64_t handshake;     /* VM 2: 1 = vCPU0 waits for vCPU1's "ready" */
    uint64_t delay;         /* VM 2: spin iterations between hart_start and
                               the first IPI (widens the race window) */
    /* guest -> launcher (diagnostics; the result itself goes through MMIO) */
    uint64_t ready;         /* VM 2: vCPU1 is up with interrupts enabled */
    uint64_t ready_at_ipi1; /* VM 2: `ready` as vCPU0 saw it just before its
                               first IPI (0: sent before vCPU1 ran) */
    uint64_t sent[2];       /* IPIs sent by vCPU i */
    uint64_t received[2];   /* IPIs taken by vCPU i's interrupt handler */
    uint64_t checksum;      /* running checksum (see kt_mix) */
    uint64_t done;          /* guest finished its work */
    uint64_t virtio;        /* VM 1: its virtio console driver's verdict:
                               0 not run, 1 passed, else the failed step
                               (guest/virtio.h, VIO_STEP_*) */
};
#endif

/* --- SBI (SBI spec v1.0; legacy extensions: chapter 5) -------------------- */
#define SBI_LEGACY_PUTCHAR      0x01
#define SBI_LEGACY_GETCHAR      0x02
#define SBI_LEGACY_SHUTDOWN     0x08
#define SBI_EXT_BASE            0x10
#define   SBI_BASE_GET_SPEC_VERSION 0
#define   SBI_BASE_GET_IMPL_ID      1
#define   SBI_BASE_GET_IMPL_VERSION 2
#define   SBI_BASE_PROBE_EXT        3
#define SBI_EXT_TIME            0x54494d45
#define SBI_EXT_IPI             0x735049        /* "sPI" */
#define   SBI_IPI_SEND_IPI          0
#define SBI_EXT_RFENCE          0x52464e43
#define SBI_EXT_HSM             0x48534d
#define   SBI_HSM_HART_START        0
#define   SBI_HSM_HART_STATUS       2
#define SBI_EXT_SRST            0x53525354
#define   SBI_SRST_RESET            0
#define   SBI_SRST_TYPE_SHUTDOWN    0

/* --- checksums ------------------------------------------------------------ */
/* FNV-1a, 64 bit. */
#define KT_FNV_OFFSET   0xcbf29ce484222325ULL
#define KT_FNV_PRIME    0x00000100000001b3ULL

#ifndef __ASSEMBLER__
/* One step of VM 2's checksum: vCPU `who` took its `count`-th IPI. Mixes the
 * 16 bytes (who, count) into the running FNV-1a value, so both the order of
 * the events and their number matter. */
static inline uint64_t kt_mix(uint64_t h, uint64_t who, uint64_t count)
{
    uint64_t w[2] = { who, count };
    for (int i = 0; i < 2; i++)
        for (int b = 0; b < 8; b++) {
            h ^= (w[i] >> (8 * b)) & 0xff;
            h *= KT_FNV_PRIME;
        }
    return h;
}

/* FNV-1a over a byte string (VM 1: the bytes of its greeting line). */
static inline uint64_t kt_fnv(uint64_t h, const char *s, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= KT_FNV_PRIME;
    }
    return h;
}
#endif

#endif
