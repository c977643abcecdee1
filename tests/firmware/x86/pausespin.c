/* PAUSE through the scheduler (docs/x86.md "Interrupts and SMP"): CPU 0
 * hands CPU 1 a sequence number N times and spins until CPU 1 echoes it,
 * first with NOP in the spin loop, then with PAUSE. A PAUSE ends the
 * spinning CPU's slot (cpu_yield), so CPU 1 answers after about one spin
 * iteration; a NOP loop spins until the slot's quantum runs out. The kernel
 * prints both iteration totals and fails (exit 1) unless the PAUSE total
 * is at most 3 per handshake and the NOP total at least 100 per handshake
 * (the default 10000-instruction quantum gives about 2000). Needs --smp 2. */
#include "x86t.h"
#include "x86t_smp.h"

#define ROUNDS 20

static uint64_t idt[512] __attribute__((aligned(16)));
/* the APs' GDT: 0x08 (the IDT gates' selector) and 0x18 (the trampoline's) 64-bit code */
static uint64_t gdt[4] __attribute__((aligned(16))) = {
    0, 0x00af9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull,
};
static uint8_t ap_stacks[2][16384] __attribute__((aligned(16)));
static volatile uint32_t alive, go, ack;

static void load_idt(void)
{
    for (unsigned n = 0; n < 256; n++) {
        uint64_t h = (uint64_t)smp_vec0 + 16 * n;
        idt[2 * n] = (h & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | ((h >> 16) & 0xffff) << 48;
        idt[2 * n + 1] = h >> 32;
    }
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } i = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(i) : "memory");
}

void smp_irq(uint64_t v)
{
    (void)v;
    x86t_puts("FAIL: unexpected interrupt or exception\n");
    x86t_exit(1);
}

void smp_ap_entry(uint64_t id)
{
    (void)id;
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } g = { sizeof gdt - 1, (uint64_t)gdt };
    __asm__ volatile("lgdt %0" ::"m"(g) : "memory");
    load_idt();
    __atomic_fetch_add(&alive, 1, __ATOMIC_SEQ_CST);
    uint32_t last = 0;
    for (;;) { /* echo each new sequence number */
        while (go == last)
            __asm__ volatile("pause");
        last = go;
        ack = last;
    }
}

/* N handshakes from sequence number `base`; returns the spin iterations */
static uint64_t handshakes(uint32_t base, int use_pause)
{
    uint64_t spins = 0;
    for (uint32_t n = base; n < base + ROUNDS; n++) {
        go = n;
        while (ack != n) {
            if (use_pause)
                __asm__ volatile("pause" ::: "memory");
            else
                __asm__ volatile("nop" ::: "memory");
            spins++;
        }
    }
    return spins;
}

int kmain(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    load_idt();
    lapic_write(LAPIC_SVR, 0x1ff);
    smp_tramp_install_low(ap_stacks);
    lapic_ipi(1, 0xc500);
    delay(1000);
    lapic_ipi(1, 0x8500);
    lapic_ipi(1, 0x4608);
    delay(200);
    lapic_ipi(1, 0x4608);
    while (!alive)
        __asm__ volatile("pause");
    uint64_t nop = handshakes(1, 0);
    uint64_t pause = handshakes(1 + ROUNDS, 1);
    x86t_puts("pausespin: nop spins ");
    x86t_putdec(nop);
    x86t_puts(", pause spins ");
    x86t_putdec(pause);
    x86t_puts("\n");
    if (pause > 3 * ROUNDS || nop < 100 * ROUNDS) {
        x86t_puts("FAIL: PAUSE does not end the spinning CPU's slot\n");
        return 1;
    }
    x86t_puts("PASS\n");
    return 0;
}
