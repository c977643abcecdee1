/* hv2: our x86 VMX test hypervisor, the x86 sibling of minihv
 * (docs/vmx.md "hv2, the multi-VM test hypervisor"). What the hypervisor
 * (hv2.c) and its guest (hv2_guest.c) agree on: the guest-physical map,
 * the hypercalls, the interrupt vectors, the test parameters and the
 * result checksum. Written from the SDM vol. 3C (ch. 25-30); no code from
 * other hypervisors. */
#ifndef HV2_H
#define HV2_H
#include <stdint.h>

#define HV2_INLINE static inline __attribute__((always_inline))

/* ---- test parameters ----------------------------------------------------- */
#ifndef HV2_ROUNDS
#define HV2_ROUNDS 24      /* ping-pong rounds per mechanism (inject, posted) */
#endif
#define HV2_TICKS 4        /* virtual LAPIC timer interrupts per vCPU */
#define HV2_TICK 30000     /* timer period: initial count in TSC ticks (divide 1) */
#define HV2_TIMEOUT 100000000ull /* guest wait loops give up after this many TSC ticks */

/* ---- guest interrupt vectors --------------------------------------------- */
#define HV2_VEC_TIMER 0x30 /* the guest's LVT timer vector (injected by hv2) */
#define HV2_VEC_INJ 0x40   /* virtual IPI by VM exit + event injection */
#define HV2_VEC_POST 0x41  /* virtual IPI by a posted interrupt */

/* ---- host vectors -------------------------------------------------------- */
#define HV2_KICK 0xf0      /* kicks a CPU out of non-root operation (external-interrupt exit) */
#define HV2_NOTIFY 0xf2    /* the posted-interrupt notification vector */

/* ---- hypercalls: VMCALL with RAX = number, RDI/RSI/RDX = arguments ------ */
enum {
    HC_FAIL = 1,   /* rdi = what went wrong (guest code), rsi = a value */
    HC_REPORT = 2, /* vCPU 0: rdi = the checksum of struct hv2_observed */
    HC_DONE = 3,   /* vCPU 1: finished */
};
#define HV2_CPUID_SIG 0x40000000u  /* EBX = ECX = EDX = HV2_SIG, EAX = 0x40000001 */
#define HV2_SIG 0x20327668u        /* "hv2 " */
#define HV2_CPUID_INFO 0x40000001u /* EAX = VM number (1, 2), EBX = vCPU number (0, 1) */

/* ---- guest-physical memory (the same in both VMs) -------------------------
 * The guest's code and read-only data (the .gtext / .grodata sections of
 * the image) at their link addresses, read + execute; the guest's data
 * (.gdata: page tables, GDT, IDT, stacks, the VM's shared variables) at
 * its link address, backed by the VM's own copy; the lazily-mapped pages
 * (the EPT violation); in VM 2 with unrestricted guest, the real-mode
 * start page. Nothing else: any other access is an EPT violation that
 * fails the VM. */
#define HV2_LAZY_GPA 0x3000000ull /* vCPU v's page at + v * 4 KiB: mapped on first touch */
#define HV2_RM_GPA 0x8000ull      /* VM 2 vCPU 0's real-mode start (CS 0800H, IP 0) */
#define HV2_STACK 16384           /* per vCPU, in .gdata */

/* ---- the result ----------------------------------------------------------- */
struct hv2_observed {
    uint64_t vm;           /* CPUID 40000001H EAX */
    uint64_t pings[2];     /* pings vCPU 1 took: [0] injected, [1] posted */
    uint64_t pongs[2];     /* pongs vCPU 0 took */
    uint64_t seq_sum;      /* sum of the sequence numbers vCPU 1 saw */
    uint64_t order_errors; /* pings out of sequence */
    uint64_t ticks[2];     /* timer interrupts per vCPU */
    uint64_t checks;       /* bit mask of the guest's one-off checks (HV2_CHK_*) */
};
enum {
    HV2_CHK_SIG = 1 << 0,   /* CPUID 40000000H signature */
    HV2_CHK_ID = 1 << 1,    /* x2APIC ID (RDMSR 802H) = the vCPU number, both vCPUs */
    HV2_CHK_CR0 = 1 << 2,   /* CR0 reads: NE from the shadow (0), CD as last written */
    HV2_CHK_CR4 = 1 << 3,   /* CR4 reads: VMXE from the shadow (0), PCE as written */
    HV2_CHK_LAZY = 1 << 4,  /* the lazily mapped page read zero, then kept what was written */
    HV2_CHK_ALL = (1 << 5) - 1,
};

HV2_INLINE uint64_t hv2_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x100000001b3ull; /* FNV-1a 64-bit prime */
    h ^= h >> 29;
    return h;
}
HV2_INLINE uint64_t hv2_checksum(const volatile struct hv2_observed *o)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = hv2_mix(h, o->vm);
    h = hv2_mix(h, o->pings[0]);
    h = hv2_mix(h, o->pings[1]);
    h = hv2_mix(h, o->pongs[0]);
    h = hv2_mix(h, o->pongs[1]);
    h = hv2_mix(h, o->seq_sum);
    h = hv2_mix(h, o->order_errors);
    h = hv2_mix(h, o->ticks[0]);
    h = hv2_mix(h, o->ticks[1]);
    h = hv2_mix(h, o->checks);
    return h;
}
/* what a correct run of VM vm observes */
HV2_INLINE uint64_t hv2_expected(uint64_t vm)
{
    struct hv2_observed o;
    o.vm = vm;
    o.pings[0] = o.pings[1] = o.pongs[0] = o.pongs[1] = HV2_ROUNDS;
    o.seq_sum = (uint64_t)(2 * HV2_ROUNDS) * (2 * HV2_ROUNDS + 1) / 2;
    o.order_errors = 0;
    o.ticks[0] = o.ticks[1] = HV2_TICKS;
    o.checks = HV2_CHK_ALL;
#ifdef HV2_BREAK
    o.checks = 0; /* a deliberately wrong expectation: the run must fail */
#endif
    return hv2_checksum(&o);
}
#endif
