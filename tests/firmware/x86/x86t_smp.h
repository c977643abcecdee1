/* The local-APIC, TSC and AP start-up helpers shared by our SMP test
 * kernels (smp.c, ipirace.c, vmx_smp.c, vmx_ug.c, vmx_apic.c, hv2.c;
 * docs/x86.md "Interrupts and SMP"):
 *   - the xAPIC registers at their default base (SDM vol. 3A §11.4.1,
 *     Table 11-1) and an IPI through the ICR (§11.6.1: ICR high first, the
 *     write of ICR low sends);
 *   - RDTSC, a busy wait of N TSC ticks, a wait for a counter with a
 *     timeout;
 *   - the number of CPUs from fw_cfg (key 5, NB_CPUS);
 *   - smp_tramp.S's symbols, copying the trampoline where a SIPI starts it
 *     and the INIT-SIPI sequence of the MP spec (§8.4.4.1).
 * Header-only (static inline): build.sh links nothing more. A kernel that
 * uses smp_tramp.S defines smp_ap_entry and smp_irq (declared here). */
#ifndef X86T_SMP_H
#define X86T_SMP_H
#include <stdint.h>
#include "x86t.h"

/* ---- the local APIC (xAPIC mode: memory-mapped registers) ---- */
#define LAPIC 0xfee00000ul
enum { LAPIC_ID = 0x20, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0, LAPIC_ICR_LO = 0x300, LAPIC_ICR_HI = 0x310 };

static inline uint32_t lapic_read(unsigned off) { return *(volatile uint32_t *)(LAPIC + off); }
static inline void lapic_write(unsigned off, uint32_t v) { *(volatile uint32_t *)(LAPIC + off) = v; }
/* An IPI: destination APIC ID dest (physical), ICR low lo (vector,
 * delivery mode, level, trigger mode, shorthand). */
static inline void lapic_ipi(uint32_t dest, uint32_t lo)
{
    lapic_write(LAPIC_ICR_HI, dest << 24);
    lapic_write(LAPIC_ICR_LO, lo);
}

/* ---- the TSC ---- */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
/* Spins (PAUSE) until ticks TSC ticks have passed. */
static inline void delay(uint64_t ticks)
{
    uint64_t t = rdtsc();
    while (rdtsc() - t < ticks)
        __asm__ volatile("pause");
}
/* Spins until *p >= want: 1, or 0 when limit TSC ticks pass first. */
static inline int tsc_wait_ge(volatile uint32_t *p, uint32_t want, uint64_t limit)
{
    uint64_t t = rdtsc();
    while (*p < want)
        if (rdtsc() - t > limit)
            return 0;
    return 1;
}

/* The number of CPUs (--smp): fw_cfg item 5 (NB_CPUS), 16 bits little
 * endian through the selector port 510H and the data port 511H. */
static inline uint32_t fw_cfg_ncpus(void)
{
    __asm__ volatile("outw %0, %1" ::"a"((uint16_t)5), "Nd"((uint16_t)0x510));
    uint32_t n = inb(0x511);
    n |= (uint32_t)inb(0x511) << 8;
    return n;
}

/* ---- starting the APs (smp_tramp.S) ---- */
extern const char smp_tramp[], smp_tramp_end[], smp_tramp_cr3[], smp_tramp_entry[],
    smp_tramp_stacks[];
extern char smp_vec0[]; /* smp_vec0 .. smp_vec255: 16 bytes apart */
void smp_ap_entry(uint64_t apic_id);
void smp_irq(uint64_t vector);

/* Copies smp_tramp.S to at (its code is 8000H-based: at is 8000H, or the
 * page a guest sees there) with its CR3, the 64-bit entry and the stacks
 * (16 KiB per APIC ID) filled in. */
static inline void smp_tramp_install(uint8_t *at, uint64_t cr3, uint64_t entry, uint64_t stacks)
{
    uint8_t *dst = at;
    for (const char *p = smp_tramp; p < smp_tramp_end; p++)
        *dst++ = (uint8_t)*p;
    *(uint64_t *)(at + (smp_tramp_cr3 - smp_tramp)) = cr3;
    *(uint64_t *)(at + (smp_tramp_entry - smp_tramp)) = entry;
    *(uint64_t *)(at + (smp_tramp_stacks - smp_tramp)) = stacks;
}
/* The trampoline at 8000H, entering smp_ap_entry with this CPU's CR3. */
static inline void smp_tramp_install_low(const void *stacks)
{
    smp_tramp_install((uint8_t *)0x8000, read_cr3(), (uint64_t)smp_ap_entry, (uint64_t)stacks);
}
/* INIT (level assert), INIT de-assert, then one start-up IPI with vector
 * 08H (the AP starts at 0800:0000, the trampoline), to APIC ID dest. */
static inline void smp_start_ap(uint32_t dest)
{
    lapic_ipi(dest, 0xc500); /* INIT, level, assert */
    delay(10000);
    lapic_ipi(dest, 0x8500); /* INIT level de-assert */
    delay(2000);
    lapic_ipi(dest, 0x4608); /* SIPI: vector 08H -> 0800:0000 */
}
#endif
