/* A deliberately racy IPI handshake (docs/x86.md "Interrupts and SMP"),
 * the x86 twin of tests/firmware/race: the BSP sends CPU 1 a fixed IPI,
 * runs a few instructions, then sets `flag`; CPU 1's handler expects the
 * flag already set. Whether it is depends on where the scheduler's slots
 * end relative to the send (the IPI takes effect at the sender's virtual
 * time, the flag store later): some --sched-seed values with a short
 * --quantum fail (exit 1), others pass. hvsim explore finds them; the
 * failing seed's trace replays. Needs --smp 2. */
#include "x86t.h"
#include "x86t_smp.h"

static uint64_t idt[512] __attribute__((aligned(16)));
/* the APs' GDT: 0x08 (the IDT gates' selector) and 0x18 (the trampoline's) 64-bit code */
static uint64_t gdt[4] __attribute__((aligned(16))) = {
    0, 0x00af9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull,
};
static uint8_t ap_stacks[2][16384] __attribute__((aligned(16)));
static volatile uint32_t alive, flag, seen, done;

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

/* delay() with NOP: a PAUSE would end the BSP's slot (docs/x86.md),
 * always letting CPU 1 take the IPI before the flag store: no race left */
static void delay_nop(uint64_t ticks)
{
    uint64_t t = rdtsc();
    while (rdtsc() - t < ticks)
        __asm__ volatile("nop");
}

void smp_irq(uint64_t v)
{
    if (v == 0x40) {
        seen = flag; /* the race: was the flag stored before the IPI arrived? */
        done = 1;
    } else if (v < 32) {
        x86t_puts("FAIL: exception\n");
        x86t_exit(1);
    }
    lapic_write(LAPIC_EOI, 0);
}

void smp_ap_entry(uint64_t id)
{
    (void)id;
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } g = { sizeof gdt - 1, (uint64_t)gdt };
    __asm__ volatile("lgdt %0" ::"m"(g) : "memory");
    load_idt();
    lapic_write(LAPIC_SVR, 0x1ff);
    __atomic_fetch_add(&alive, 1, __ATOMIC_SEQ_CST);
    __asm__ volatile("sti");
    for (;;)
        __asm__ volatile("pause");
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
    (void)lapic_read(LAPIC_ID);
    lapic_ipi(1, 0x40);
    delay_nop(150);
    flag = 1;
    while (!done)
        __asm__ volatile("pause");
    if (!seen) {
        x86t_puts("ipi race: the handler ran before the flag was set\n");
        return 1;
    }
    x86t_puts("ipi race: the flag was set first\n");
    return 0;
}
