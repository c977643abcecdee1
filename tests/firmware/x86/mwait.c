/* MONITOR / MWAIT (docs/x86.md "MONITOR and MWAIT"; SDM vol. 2 "MONITOR",
 * "MWAIT", "CPUID" leaf 05H), run by tests/e2e/t_x86_mwait.sh with
 * --smp 2. With [cpu] monitor = on (CPUID.1:ECX.MONITOR = 1):
 *   - CPUID leaf 5: lines of 64 bytes, EMX and ECX[0] break events, one
 *     C1 sub-state;
 *   - MWAIT with no MONITOR before, and after a store to the armed line,
 *     falls through (the TSC moves by a few ticks only);
 *   - MWAIT on an armed line with IF = 0 (only a store can end it) is
 *     woken by CPU 1's store to another byte of the line, and not by its
 *     earlier store to the next line of the same page;
 *   - MWAIT with IF = 1 is woken by the LAPIC timer's interrupt, which is
 *     taken right after it; with IF = 0 and ECX[0] = 1 the masked
 *     interrupt wakes it and stays pending until STI;
 *   - #GP(0): MONITOR with ECX = 1, MWAIT with ECX = 2, MONITOR at a
 *     non-canonical address; #PF: MONITOR at an unmapped page (CR2); #UD:
 *     both at CPL 3.
 * With monitor = off: CPUID.1:ECX.MONITOR = 0, leaf 5 all zero, both
 * instructions #UD (the verdict names the mode). Output on COM1;
 * isa-debug-exit 0 when every check passed. */
#include "x86t.h"
#include "x86t_smp.h"

#define USER_FN(name, body)                                                                 \
    void name(void);                                                                        \
    __asm__(".pushsection .user.text, \"ax\"\n\t.globl " #name "\n" #name ":\n\t" body \
            "\n\tud2\n\t.popsection")
/* at CPL 3 each #UDs at its first byte (the INT3 after it would be #BP) */
USER_FN(u_monitor, "xor %ecx, %ecx\n\tmov %rsp, %rax\n\tmonitor\n\tint3");
USER_FN(u_mwait, "xor %ecx, %ecx\n\txor %eax, %eax\n\tmwait\n\tint3");
X86T_USER_DATA static uint8_t ustack[1024];
#define USTACK ((uint64_t)(ustack + sizeof ustack - 64))

enum { LVT_TIMER = 0x320, TIMER_ICR = 0x380, TIMER_DCR = 0x3e0, VEC_TIMER = 0x41 };

/* two 64-byte lines of one page: the monitored one and its neighbour */
static volatile uint8_t lines[2][64] __attribute__((aligned(4096)));
static uint8_t ap_stacks[2][16384] __attribute__((aligned(16)));
static uint64_t ap_idt[512] __attribute__((aligned(16)));
static uint64_t ap_gdt[4] __attribute__((aligned(16))) = {
    0, 0x00af9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull,
};
static volatile uint32_t ap_alive, go, ap_done, ticks;

static inline void monitor(const volatile void *p, uint32_t ecx)
{
    __asm__ volatile("monitor" ::"a"(p), "c"(ecx), "d"(0) : "memory");
}
static inline void mwait(uint32_t eax, uint32_t ecx)
{
    __asm__ volatile("mwait" ::"a"(eax), "c"(ecx) : "memory");
}

/* the timer interrupt (both CPUs' smp_vec stubs) */
void smp_irq(uint64_t v)
{
    if (v == VEC_TIMER)
        ticks++;
    lapic_write(LAPIC_EOI, 0);
}

/* CPU 1: on `go`, a store to the next line, a while later one into the
 * monitored line (byte 40), then done */
void smp_ap_entry(uint64_t id)
{
    (void)id;
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } g = { sizeof ap_gdt - 1, (uint64_t)ap_gdt },
        i = { sizeof ap_idt - 1, (uint64_t)ap_idt };
    for (unsigned n = 0; n < 256; n++) {
        uint64_t h = (uint64_t)smp_vec0 + 16 * n;
        ap_idt[2 * n] = (h & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | ((h >> 16) & 0xffff) << 48;
        ap_idt[2 * n + 1] = h >> 32;
    }
    __asm__ volatile("lgdt %0\n\tlidt %1" ::"m"(g), "m"(i) : "memory");
    __atomic_fetch_add(&ap_alive, 1, __ATOMIC_SEQ_CST);
    while (!go)
        __asm__ volatile("pause");
    delay(20000);
    lines[1][0] = 1; /* the neighbouring line: no wake-up */
    delay(20000);
    lines[0][40] = 1; /* the monitored line */
    ap_done = 1;
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* the BSP's IDT (x86t_idt_init's) gets the timer vector's smp_vec stub */
static void set_timer_gate(void)
{
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } d;
    __asm__ volatile("sidt %0" : "=m"(d));
    uint64_t *idt = (uint64_t *)d.base, h = (uint64_t)smp_vec0 + 16 * VEC_TIMER;
    idt[2 * VEC_TIMER] = (h & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | ((h >> 16) & 0xffff) << 48;
    idt[2 * VEC_TIMER + 1] = h >> 32;
}

static void timer_oneshot(uint32_t count)
{
    lapic_write(TIMER_DCR, 0xb); /* divide by 1 */
    lapic_write(LVT_TIMER, VEC_TIMER);
    lapic_write(TIMER_ICR, count);
}

static void test_off(void)
{
    uint32_t r[4];
    cpuid(5, 0, r);
    CHECK((r[0] | r[1] | r[2] | r[3]) == 0, "monitor = off: CPUID leaf 5 all zero");
    EXPECT_EXC("monitor = off: MONITOR #UD", 6, -1, "xor %%ecx, %%ecx\n\tmov %%rsp, %%rax\n\tmonitor");
    EXPECT_EXC("monitor = off: MWAIT #UD", 6, -1, "xor %%ecx, %%ecx\n\txor %%eax, %%eax\n\tmwait");
}

static void test_cpuid_faults(void)
{
    uint32_t r[4];
    cpuid(5, 0, r);
    CHECKX(r[0] == 64, "CPUID.5:EAX smallest monitor line 64", r[0]);
    CHECKX(r[1] == 64, "CPUID.5:EBX largest monitor line 64", r[1]);
    CHECKX(r[2] == 3, "CPUID.5:ECX EMX and interrupts as break events", r[2]);
    CHECKX(r[3] == 0x10, "CPUID.5:EDX one C1 sub-state", r[3]);
    EXPECT_EXC("MONITOR ECX = 1: #GP(0)", 13, 0, "mov $1, %%ecx\n\tmov %%rsp, %%rax\n\tmonitor");
    EXPECT_EXC("MWAIT ECX = 2: #GP(0)", 13, 0, "mov $2, %%ecx\n\txor %%eax, %%eax\n\tmwait");
    EXPECT_EXC("MONITOR non-canonical: #GP(0)", 13, 0,
               "xor %%ecx, %%ecx\n\tmovabs $0x0000900000000000, %%rax\n\tmonitor");
    EXPECT_EXC("MONITOR unmapped: #PF", 14, 0,
               "xor %%ecx, %%ecx\n\tmovabs $0x00007f0000000000, %%rax\n\tmonitor");
    CHECKX(x86t_last_cr2 == 0x00007f0000000000ull, "MONITOR #PF: CR2 = the address", x86t_last_cr2);
    CHECKX(x86t_user_call(u_monitor, USTACK, 2) == 6 && x86t_last_rip == (uint64_t)u_monitor + 5,
           "MONITOR at CPL 3: #UD", x86t_last_vector);
    CHECKX(x86t_user_call(u_mwait, USTACK, 2) == 6 && x86t_last_rip == (uint64_t)u_mwait + 4,
           "MWAIT at CPL 3: #UD", x86t_last_vector);
}

static void test_fall_through(void)
{
    __asm__ volatile("cli");
    uint64_t t = rdtsc();
    mwait(0, 0); /* nothing armed since reset */
    CHECKX(rdtsc() - t < 100, "MWAIT without MONITOR falls through", rdtsc() - t);
    monitor(lines[0], 0);
    lines[0][3] = 7; /* triggers the monitor */
    t = rdtsc();
    mwait(0, 0);
    CHECKX(rdtsc() - t < 100, "MWAIT after a store to the armed line falls through", rdtsc() - t);
    lines[0][3] = 0;
}

static void test_store_wake(void)
{
    __asm__ volatile("cli");
    monitor(lines[0], 0);
    go = 1;
    if (!lines[0][40])
        mwait(0, 0); /* IF = 0, ECX = 0: only a store to the line ends it */
    CHECK(lines[0][40] == 1 && lines[1][0] == 1, "MWAIT woken by CPU 1's store into the line, not the next line");
    CHECK(tsc_wait_ge(&ap_done, 1, 10000000), "CPU 1 done");
}

static void test_intr_wake(void)
{
    set_timer_gate();
    ticks = 0;
    __asm__ volatile("sti");
    monitor(lines[0], 0);
    timer_oneshot(200000);
    mwait(0, 0);
    uint32_t n = ticks;
    CHECKX(n == 1, "MWAIT (IF = 1) woken by the timer interrupt, taken right after it", n);
    __asm__ volatile("cli");
    monitor(lines[0], 0);
    timer_oneshot(200000);
    mwait(0, 1); /* ECX[0]: the masked interrupt is a break event */
    n = ticks;
    CHECKX(n == 1, "MWAIT (IF = 0, ECX[0] = 1) woken, the interrupt still pending", n);
    __asm__ volatile("sti; nop; cli");
    CHECKX(ticks == 2, "the pending interrupt taken after STI", ticks);
}

int kmain(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    x86t_idt_init();
    x86t_sys_init();
    lapic_write(LAPIC_SVR, 0x1ff);
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 3))) {
        test_off();
        return x86t_report("mwait (monitor = off)");
    }
    test_cpuid_faults();
    test_fall_through();
    smp_tramp_install_low(ap_stacks);
    smp_start_ap(1);
    CHECK(tsc_wait_ge(&ap_alive, 1, 10000000), "CPU 1 started (--smp 2)");
    if (ap_alive)
        test_store_wake();
    test_intr_wake();
    return x86t_report("mwait (monitor = on)");
}
