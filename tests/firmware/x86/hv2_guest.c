/* hv2's guest (docs/vmx.md "hv2"): the same code in both VMs, two vCPUs
 * each, in 64-bit mode. It lives in the sections .gtext (code), .grodata
 * (strings) and .gdata (data), the only parts of the image EPT maps into a
 * VM; every function and helper here must stay inside them (always_inline
 * helpers, no library calls, no switch jump tables: the build adds
 * -fno-jump-tables -fno-tree-loop-distribute-patterns).
 *
 * What a vCPU does (guest_main):
 *   - CPUID 40000000H/40000001H (exits): the hypervisor's signature, its
 *     VM number; RDMSR 802H (x2APIC ID, exits by the MSR bitmap): its vCPU
 *     number;
 *   - CR0 and CR4 through the guest/host masks and read shadows: CR0.NE
 *     and CR4.VMXE read 0 (shadow) though they are 1; CR0.CD set and
 *     cleared, CR4.PCE set (each a CR-access exit, 3 in all);
 *   - its lazily-mapped page (an EPT violation on the first touch): zero,
 *     then keeps what it writes;
 *   - its virtual LAPIC timer: WRMSR 832H (LVT timer, vector 30H) and 838H
 *     (initial count) exit; hv2 arms the VMX-preemption timer and injects
 *     vector 30H when it expires; the handler re-arms until HV2_TICKS;
 *   - vCPU 0 prints through the virtual UART (I/O exits), then plays
 *     2 * HV2_ROUNDS rounds of IPI ping-pong with vCPU 1 through its x2APIC
 *     ICR (WRMSR 830H, exits): rounds 1..HV2_ROUNDS with vector 40H, which
 *     hv2 delivers by VM exit + event injection, then HV2_ROUNDS rounds
 *     with vector 41H, which hv2 posts (posted-interrupt descriptor +
 *     notification: virtual-interrupt delivery in the target, no exit
 *     there); vCPU 1 answers each ping with a pong of the same vector;
 *   - EOIs are x2APIC EOI writes (80BH), virtualized (no exit);
 *   - vCPU 0 folds what it saw into struct hv2_observed's checksum and
 *     reports it (VMCALL); vCPU 1 says it is done (VMCALL).
 * Any unexpected exception or timeout ends the VM with HC_FAIL. */
#include <stdint.h>
#include "hv2.h"

#define GTEXT __attribute__((section(".gtext")))
#define GDATA __attribute__((section(".gdata")))
#define GSTR(s) ({ static const char s_[] __attribute__((section(".grodata"))) = s; s_; })

/* ---- the VM's data (each VM has its own copy of .gdata) ------------------ */
uint64_t g_pml4[512] GDATA __attribute__((aligned(4096)));
uint64_t g_pdpt[512] GDATA __attribute__((aligned(4096)));
uint64_t g_pd[512] GDATA __attribute__((aligned(4096)));
uint64_t g_idt[512] GDATA __attribute__((aligned(4096)));
uint8_t g_stacks[2][HV2_STACK] GDATA __attribute__((aligned(4096)));
uint64_t g_gdt[6] GDATA __attribute__((aligned(16)));
uint8_t g_tss[128] GDATA __attribute__((aligned(16)));
struct { uint16_t pad[3], limit; uint64_t base; } g_gdtr GDATA __attribute__((aligned(16))),
    g_idtr GDATA __attribute__((aligned(16)));

static volatile struct hv2_observed obs GDATA;
static volatile uint64_t seq GDATA;   /* the ping being played */
static volatile uint64_t ready1 GDATA, done1 GDATA;
static volatile uint64_t id_ok GDATA; /* bit v: vCPU v's x2APIC ID was right */
static volatile uint64_t cr_ok GDATA; /* bits 0-1: CR0/CR4 of vCPU 0, 2-3 of vCPU 1 */
static volatile uint64_t lazy_ok GDATA;

/* ---- helpers (inlined into .gtext) -------------------------------------- */
HV2_INLINE unsigned vcpu_self(void)
{
    uint64_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    return (unsigned)((sp - (uint64_t)g_stacks) / HV2_STACK);
}
HV2_INLINE uint64_t g_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
HV2_INLINE void g_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
HV2_INLINE uint64_t g_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
HV2_INLINE uint64_t hcall(uint64_t nr, uint64_t a, uint64_t b)
{
    __asm__ volatile("vmcall" : "+a"(nr) : "D"(a), "S"(b) : "memory");
    return nr;
}
HV2_INLINE void g_fail(uint64_t what, uint64_t val)
{
    for (;;)
        hcall(HC_FAIL, what, val);
}
HV2_INLINE void g_putc(char c)
{
    uint8_t lsr;
    do
        __asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)0x3fd));
    while (!(lsr & 0x20));
    __asm__ volatile("outb %0, %1" ::"a"((uint8_t)c), "Nd"((uint16_t)0x3f8));
}
HV2_INLINE void eoi(void) { g_wrmsr(0x80b, 0); }
HV2_INLINE void send_ipi(unsigned to, unsigned vec) { g_wrmsr(0x830, (uint64_t)to << 32 | vec); }
/* waits until *p >= want, failing the VM after HV2_TIMEOUT */
HV2_INLINE void wait_ge(volatile uint64_t *p, uint64_t want, uint64_t what)
{
    uint64_t t = g_rdtsc();
    while (*p < want) {
        __asm__ volatile("pause");
        if (g_rdtsc() - t > HV2_TIMEOUT)
            g_fail(what, *p);
    }
}

GTEXT static void g_puts(const char *s)
{
    for (; *s; s++)
        g_putc(*s);
}
GTEXT static void g_puthex(uint64_t v)
{
    g_putc('0');
    g_putc('x');
    for (int i = 60; i >= 0; i -= 4) {
        unsigned d = (unsigned)(v >> i) & 0xf;
        g_putc((char)(d < 10 ? '0' + d : 'a' + d - 10));
    }
}
GTEXT static void g_putdec(uint64_t v)
{
    char b[21];
    int i = 20;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    g_puts(b + i);
}

/* ---- interrupts ------------------------------------------------------------ */
GTEXT void guest_intr(uint64_t v)
{
    unsigned me = vcpu_self();
    if (v == HV2_VEC_TIMER) {
        uint64_t n = ++obs.ticks[me];
        if (n < HV2_TICKS)
            g_wrmsr(0x838, HV2_TICK); /* re-arm the one-shot timer */
        eoi();
        return;
    }
    if (v == HV2_VEC_INJ || v == HV2_VEC_POST) {
        unsigned m = v == HV2_VEC_POST;
        if (me == 1) { /* a ping: check its number, answer with the same vector */
            uint64_t s = seq, want = obs.pings[0] + obs.pings[1] + 1;
            if (s != want)
                obs.order_errors++;
            obs.seq_sum += s;
            obs.pings[m]++;
            send_ipi(0, (unsigned)v);
        } else {
            obs.pongs[m]++;
        }
        eoi();
        return;
    }
    g_fail(0x100 | v, me); /* an exception or a vector nobody sends */
}

/* ---- one-off checks ---------------------------------------------------------- */
GTEXT static void check_crs(unsigned me)
{
    uint64_t cr0, cr4, ok = 0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    /* NE (owned by the host, shadow 0) reads 0 though it is 1; PG is the guest's */
    int a = !(cr0 & 0x20) && (cr0 & 0x80000001u) == 0x80000001u;
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | 1u << 30) : "memory"); /* CD: exits */
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    a = a && (cr0 & 1u << 30);
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 & ~(1ull << 30)) : "memory"); /* exits */
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    a = a && !(cr0 & 1u << 30);
    ok |= a ? 1 : 0;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    int b = !(cr4 & 1u << 13) && (cr4 & 0x20) && !(cr4 & 1u << 8);
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | 1u << 8) : "memory"); /* PCE: exits */
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    b = b && (cr4 & 1u << 8) && !(cr4 & 1u << 13);
    ok |= b ? 2 : 0;
    __atomic_fetch_or(&cr_ok, ok << (2 * me), __ATOMIC_SEQ_CST);
}

GTEXT static void check_lazy(unsigned me)
{
    volatile uint64_t *p = (volatile uint64_t *)(HV2_LAZY_GPA + 4096ull * me);
    int ok = 1;
    for (unsigned i = 0; i < 512; i += 64) /* the first touch: an EPT violation */
        ok = ok && p[i] == 0;
    for (unsigned i = 0; i < 512; i++)
        p[i] = 0x5a5a000000000000ull | (uint64_t)me << 32 | i;
    for (unsigned i = 0; i < 512; i++)
        ok = ok && p[i] == (0x5a5a000000000000ull | (uint64_t)me << 32 | i);
    if (ok)
        __atomic_fetch_or(&lazy_ok, 1u << me, __ATOMIC_SEQ_CST);
}

/* ---- the test ---------------------------------------------------------------- */
GTEXT void guest_main(uint64_t arg)
{
    unsigned me = vcpu_self();
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(HV2_CPUID_SIG), "c"(0));
    int sig = a == HV2_CPUID_INFO && b == HV2_SIG && c == HV2_SIG && d == HV2_SIG;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(HV2_CPUID_INFO), "c"(0));
    uint64_t vm = a;
    if (b != me || arg != me)
        g_fail(1, (uint64_t)b << 32 | arg);
    if (g_rdmsr(0x802) == me)
        __atomic_fetch_or(&id_ok, 1u << me, __ATOMIC_SEQ_CST);
    check_crs(me);
    check_lazy(me);
    g_wrmsr(0x832, HV2_VEC_TIMER); /* LVT timer: one-shot, vector 30H */
    g_wrmsr(0x838, HV2_TICK);
    __asm__ volatile("sti");
    if (me == 1) {
        ready1 = 1;
        wait_ge(&obs.pings[1], HV2_ROUNDS, 2);
        wait_ge(&obs.ticks[1], HV2_TICKS, 3);
        g_puts(GSTR("vcpu1: "));
        g_putdec(obs.pings[0] + obs.pings[1]);
        g_puts(GSTR(" pings answered, "));
        g_putdec(obs.ticks[1]);
        g_puts(GSTR(" timer ticks\n"));
        done1 = 1;
        for (;;)
            hcall(HC_DONE, 0, 0);
    }
    g_puts(GSTR("vm"));
    g_putdec(vm);
    g_puts(GSTR(": guest up, IPI ping-pong x"));
    g_putdec(2 * HV2_ROUNDS);
    g_puts(GSTR(" (injected, posted), "));
    g_putdec(HV2_TICKS);
    g_puts(GSTR(" timer ticks per vCPU\n"));
    wait_ge(&ready1, 1, 4);
    for (uint64_t i = 1; i <= 2 * HV2_ROUNDS; i++) {
        seq = i;
        send_ipi(1, i <= HV2_ROUNDS ? HV2_VEC_INJ : HV2_VEC_POST);
        volatile uint64_t *n = i <= HV2_ROUNDS ? &obs.pongs[0] : &obs.pongs[1];
        wait_ge(n, i <= HV2_ROUNDS ? i : i - HV2_ROUNDS, 5);
    }
    wait_ge(&obs.ticks[0], HV2_TICKS, 6);
    wait_ge(&done1, 1, 7);
    __asm__ volatile("cli");
    obs.vm = vm;
    obs.checks = (sig ? HV2_CHK_SIG : 0) | (id_ok == 3 ? HV2_CHK_ID : 0) |
                 ((cr_ok & 5) == 5 ? HV2_CHK_CR0 : 0) | ((cr_ok & 10) == 10 ? HV2_CHK_CR4 : 0) |
                 (lazy_ok == 3 ? HV2_CHK_LAZY : 0);
    uint64_t sum = hv2_checksum(&obs);
    g_puts(GSTR("vm"));
    g_putdec(vm);
    g_puts(GSTR(": pings "));
    g_putdec(obs.pings[0]);
    g_putc('+');
    g_putdec(obs.pings[1]);
    g_puts(GSTR(" pongs "));
    g_putdec(obs.pongs[0]);
    g_putc('+');
    g_putdec(obs.pongs[1]);
    g_puts(GSTR(" ticks "));
    g_putdec(obs.ticks[0]);
    g_putc('+');
    g_putdec(obs.ticks[1]);
    g_puts(GSTR(" checks "));
    g_puthex(obs.checks);
    g_puts(GSTR(" checksum "));
    g_puthex(sum);
    g_putc('\n');
    for (;;)
        hcall(HC_REPORT, sum, 0);
}

/* guest_entry(vcpu): from the VMCS (64-bit mode) or from the real-mode
 * start (smp_tramp.S, with the vCPU number as its "APIC ID"): the VM's
 * GDT and IDT, flat segments, then guest_main on the vCPU's stack.
 * guest_vec0..255: one 16-byte stub per vector, calling guest_intr(v). */
__asm__(".pushsection .gtext, \"ax\"\n"
        ".globl guest_entry\n"
        "guest_entry:\n\t"
        "lgdt g_gdtr+6(%rip)\n\t"
        "lidt g_idtr+6(%rip)\n\t"
        "mov $0x10, %eax\n\tmov %eax, %ds\n\tmov %eax, %es\n\tmov %eax, %ss\n\t"
        "pushq $0x08\n\tlea 1f(%rip), %rax\n\tpushq %rax\n\tlretq\n"
        "1:\tcall guest_main\n"
        "2:\thlt\n\tjmp 2b\n"
        ".balign 16\n"
        ".globl guest_vec0\n"
        "guest_vec0:\n"
        ".set gv, 0\n"
        ".rept 256\n"
        ".balign 16\n\t"
        "pushq $gv\n\tjmp guest_common\n"
        ".set gv, gv + 1\n"
        ".endr\n"
        "guest_common:\n\t"
        "push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rsi\n\tpush %rdi\n\t"
        "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\t"
        "mov 72(%rsp), %rdi\n\t"
        "call guest_intr\n\t"
        "pop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
        "pop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rcx\n\tpop %rax\n\t"
        "add $8, %rsp\n\tiretq\n"
        ".popsection\n");
