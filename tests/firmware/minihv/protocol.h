/* protocol.h — what minihv and its guest agree on. Included by both sides
 * (C only; the guest's assembly entry needs nothing from here).
 *
 * SBI numbers are from the RISC-V SBI specification v1.0; the "minihv"
 * extension lives in the firmware-specific EID range 0x0A000000-0x0AFFFFFF
 * that the SBI spec leaves to the implementation (here: the hypervisor). */
#ifndef MINIHV_PROTOCOL_H
#define MINIHV_PROTOCOL_H

#include <stdint.h>

/* ---- test parameters --------------------------------------------------- */
#ifndef MHV_PINGPONG
#define MHV_PINGPONG     100     /* N: IPI round trips vCPU0 -> vCPU1 -> vCPU0 */
#endif
#ifndef MHV_TICKS
#define MHV_TICKS        5       /* K: timer interrupts taken by every vCPU */
#endif
#define MHV_TICK_DELTA   2000    /* timer period in `time` ticks (10 MHz: 200 us) */

/* ---- guest-physical memory map (identical for every VM) ---------------- */
#define GUEST_RAM_GPA    0x80000000UL   /* guest entry point = start of RAM */
#define GUEST_RAM_SIZE   0x00800000UL   /* 8 MiB */
/* Alias of guest RAM at or above 2^39: its root-table index (512, or 1024 for
 * 2^40) only exists in the x4 (2048-entry) Sv39x4 root, so touching it tests
 * the widened root. Sv39x4 GPAs are 41 bits (bits 63:41 zero), so 2^40 is
 * legal too, but QEMU 7.2 wrongly faults on GPAs with bit 40 set (it checks
 * them like sign-extended virtual addresses); -DMINIHV_ALIAS_BIT40 selects
 * 2^40 for simulators that follow the spec. */
#ifdef MINIHV_ALIAS_BIT40
#define GUEST_ALIAS_GPA  0x10000000000UL
#else
#define GUEST_ALIAS_GPA  0x8000000000UL
#endif
#define GUEST_ALIAS_OF   0x80200000UL   /* ...maps to the same page as this GPA */
/* Virtual 16550-style UART: NOT mapped in the G-stage table, every access
 * traps as a guest-page fault and is emulated by minihv. */
#define VUART_GPA        0x10000000UL
#define VUART_SIZE       0x100UL
#define VUART_THR        0               /* write: transmit a byte */
#define VUART_LSR        5               /* read: line status */
#define VUART_LSR_IDLE   0x60            /* THR empty | transmitter idle */

#ifdef MHV_AIA
/* Built with -DMHV_AIA for `hvsim run --aia imsic,guests=1` (docs/riscv.md
 * "AIA"): virtual IPIs go through IMSIC guest interrupt files, with no VM
 * exit on either side. vCPU v's guest file (guest 1 of its hart's IMSIC)
 * is mapped at GUEST_IMSIC_GPA + v * 0x1000; a store of MHV_IPI_EIID there
 * is the IPI, and the receiving guest takes a VS external interrupt. */
#define GUEST_IMSIC_GPA   0x28000000UL
#define MHV_IPI_EIID      1
#define HOST_IMSIC_S      0x28000000UL  /* S-level IMSIC pages of the board */
#define HOST_IMSIC_STRIDE 0x2000UL      /* per hart: S file, guest file 1 */
#endif

/* ---- SBI (v1.0 numbering) ---------------------------------------------- */
#define SBI_EXT_0_1_SET_TIMER     0x00
#define SBI_EXT_0_1_PUTCHAR       0x01
#define SBI_EXT_BASE              0x10
#define SBI_EXT_TIME              0x54494D45   /* "TIME" */
#define SBI_EXT_IPI               0x735049     /* "sPI"  */
#define SBI_EXT_HSM               0x48534D     /* "HSM"  */
#define SBI_EXT_SRST              0x53525354   /* "SRST" */
#define SBI_EXT_MINIHV            0x0A4D4856   /* firmware-specific: 0x0A "MHV" */

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID      1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXT        3
#define SBI_BASE_GET_MVENDORID    4
#define SBI_BASE_GET_MARCHID      5
#define SBI_BASE_GET_MIMPID       6

#define SBI_HSM_HART_START        0
#define SBI_HSM_HART_STOP         1
#define SBI_HSM_HART_GET_STATUS   2
#define SBI_HSM_STARTED           0
#define SBI_HSM_STOPPED           1

#define SBI_SRST_SHUTDOWN         0
#define SBI_SRST_REASON_NONE      0
#define SBI_SRST_REASON_SYSFAIL   1

/* minihv extension: FID 0 report_result(checksum, pingpong, ticks) */
#define MHV_FID_REPORT_RESULT     0

#define SBI_SUCCESS               0
#define SBI_ERR_FAILED           -1
#define SBI_ERR_NOT_SUPPORTED    -2
#define SBI_ERR_INVALID_PARAM    -3
#define SBI_ERR_ALREADY_AVAILABLE -6

/* ---- the result checksum ------------------------------------------------
 * A deterministic fold of everything the guest observed. The guest computes
 * it from its counters; minihv computes it from the values a correct run must
 * produce; the two must be equal. */
struct mhv_observed {
    uint64_t vm_id;
    uint64_t pings_seen;   /* IPIs vCPU1 took */
    uint64_t pongs_seen;   /* IPIs vCPU0 took */
    uint64_t seq_sum;      /* sum of the sequence numbers vCPU1 saw, in order */
    uint64_t order_errors; /* pings that arrived out of sequence */
    uint64_t ticks0;       /* timer interrupts vCPU0 took */
    uint64_t ticks1;       /* timer interrupts vCPU1 took */
    uint64_t ebreaks;      /* breakpoints handled in VS (hedeleg), both vCPUs */
    uint64_t alias_ok;     /* 1 if the high alias showed guest RAM */
};

static inline uint64_t mhv_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x100000001b3ULL;          /* FNV-1a 64-bit prime */
    h ^= h >> 29;
    return h;
}

static inline uint64_t mhv_checksum(const struct mhv_observed *o)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = mhv_mix(h, o->vm_id);
    h = mhv_mix(h, o->pings_seen);
    h = mhv_mix(h, o->pongs_seen);
    h = mhv_mix(h, o->seq_sum);
    h = mhv_mix(h, o->order_errors);
    h = mhv_mix(h, o->ticks0);
    h = mhv_mix(h, o->ticks1);
    h = mhv_mix(h, o->ebreaks);
    h = mhv_mix(h, o->alias_ok);
    return h;
}

/* What a correct run of VM `vm` observes. */
static inline void mhv_expected(struct mhv_observed *o, uint64_t vm)
{
    o->vm_id = vm;
    o->pings_seen = MHV_PINGPONG;
    o->pongs_seen = MHV_PINGPONG;
    o->seq_sum = (uint64_t)MHV_PINGPONG * (MHV_PINGPONG + 1) / 2;
    o->order_errors = 0;
    o->ticks0 = MHV_TICKS;
    o->ticks1 = MHV_TICKS;
    o->ebreaks = 2;
    o->alias_ok = 1;
}

#endif
