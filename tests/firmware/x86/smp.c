/* SMP and APIC test kernel (docs/x86.md "Interrupts and SMP"): brings up
 * every CPU with INIT-SIPI-SIPI (the MP spec's sequence, per AP), gives
 * each CPU its own IDT whose IPI vector 0x40 goes to a handler only that
 * CPU's IDT names (BHyVe-style vmm_ipi), then checks the ICR delivery modes
 * and destination forms, lowest-priority arbitration, TPR masking and
 * priority-class nesting, ESR, the software-disabled state, the IOAPIC
 * (COM1 level-triggered with EOI, PIT edge on pin 2), the LAPIC timer in
 * one-shot, periodic and TSC-deadline modes, INIT keeping SSE state, and
 * x2APIC (self IPI, ICR MSR). Runs with --smp 1..8 (the checks that need
 * more CPUs are skipped and say so). Reports on COM1; isa-debug-exit. */
#include "x86t.h"
#include "x86t_smp.h"

#define MAXCPU 8
#define IOAPIC 0xfec00000ul
#define IPI_VEC 0x40
#define PERCPU_VEC 0xe0 /* CPU i's IDT sends IPI_VEC to stub 0xe0 + i */

enum {
    ID = 0x20, VER = 0x30, TPR = 0x80, PPR = 0xa0, EOI = 0xb0, LDR = 0xd0, DFR = 0xe0,
    SVR = 0xf0, ISR = 0x100, IRR = 0x200, ESR = 0x280, ICR_LO = 0x300, ICR_HI = 0x310,
    LVT_TIMER = 0x320, LVT_LINT0 = 0x350, LVT_ERROR = 0x370, TIMER_ICR = 0x380,
    TIMER_CCR = 0x390, TIMER_DCR = 0x3e0,
};

static uint64_t idt[MAXCPU][512] __attribute__((aligned(16)));
static uint64_t gdt[4] __attribute__((aligned(16))) = {
    0, 0x00af9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull,
};
static uint8_t ap_stacks[MAXCPU][16384] __attribute__((aligned(16)));

static volatile uint32_t ncpus, alive;
static volatile uint32_t boots[MAXCPU], svr_at_boot[MAXCPU], wrong_idt, spurious;
static volatile uint64_t xmm_seen[MAXCPU];
static volatile uint32_t ipi_count[MAXCPU], nmi_count[MAXCPU];
static volatile uint32_t vec_count[MAXCPU][256], vec_total[256], ipi_total;
/* Longer than a scheduling round (quantum 10000): every other CPU has run
 * since. */
#define SETTLE 30000
static void (*volatile cmd[MAXCPU])(uint32_t);
static volatile uint32_t cmd_arg[MAXCPU];
static volatile char order[16];
static volatile int norder;
static volatile uint32_t uart_rirr[4];
static volatile uint32_t uart_hits;

/* ---- APIC access (xAPIC page or x2APIC MSRs, by IA32_APIC_BASE.EXTD) ---- */

static int x2(void) { return (rdmsr(0x1b) & 0x400) != 0; }
static uint32_t apic_read(unsigned off)
{
    if (x2())
        return (uint32_t)rdmsr(0x800 + off / 16);
    return *(volatile uint32_t *)(LAPIC + off);
}
static void apic_write(unsigned off, uint32_t v)
{
    if (x2())
        wrmsr(0x800 + off / 16, v);
    else
        *(volatile uint32_t *)(LAPIC + off) = v;
}
static unsigned my_id(void) { return x2() ? (unsigned)rdmsr(0x802) : apic_read(ID) >> 24; }
static void send_ipi(uint32_t dest, uint32_t lo)
{
    if (x2()) {
        wrmsr(0x830, (uint64_t)dest << 32 | lo);
    } else {
        apic_write(ICR_HI, dest << 24);
        apic_write(ICR_LO, lo);
    }
}
static uint32_t io_read(unsigned idx)
{
    *(volatile uint32_t *)IOAPIC = idx;
    return *(volatile uint32_t *)(IOAPIC + 0x10);
}
static void io_write(unsigned idx, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC = idx;
    *(volatile uint32_t *)(IOAPIC + 0x10) = v;
}
/* Spin until *p >= want (or a timeout: false). */
static int wait_ge(volatile uint32_t *p, uint32_t want) { return tsc_wait_ge(p, want, 20000000); }
static void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static void cli(void) { __asm__ volatile("cli" ::: "memory"); }

static void set_gate(uint64_t *t, unsigned n, unsigned stub)
{
    uint64_t h = (uint64_t)smp_vec0 + 16 * stub;
    t[2 * n] = (h & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | ((h >> 16) & 0xffff) << 48;
    t[2 * n + 1] = h >> 32;
}

static void load_tables(unsigned id)
{
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } g = { sizeof gdt - 1, (uint64_t)gdt },
        i = { sizeof idt[0] - 1, (uint64_t)idt[id] };
    for (unsigned n = 0; n < 256; n++)
        set_gate(idt[id], n, n);
    set_gate(idt[id], IPI_VEC, PERCPU_VEC + id); /* this CPU's own handler */
    __asm__ volatile("lgdt %0\n\tlidt %1" ::"m"(g), "m"(i) : "memory");
}

/* Every interrupt and exception of every CPU. */
void smp_irq(uint64_t v)
{
    unsigned me = my_id();
    if (v == 2) {
        nmi_count[me]++;
        return;
    }
    if (v < 32) {
        x86t_puts("FAIL: exception ");
        x86t_putdec(v);
        x86t_puts(" on cpu ");
        x86t_putdec(me);
        x86t_puts("\n");
        x86t_exit(1);
    }
    if (v == 0xff) { /* the spurious vector: no EOI (SDM vol. 3A §10.9) */
        spurious++;
        return;
    }
    if (v >= PERCPU_VEC && v < PERCPU_VEC + MAXCPU) {
        ipi_count[me]++;
        __atomic_fetch_add(&ipi_total, 1, __ATOMIC_SEQ_CST);
        if (v - PERCPU_VEC != me)
            wrong_idt++;
        apic_write(EOI, 0);
        return;
    }
    vec_count[me][v]++;
    __atomic_fetch_add(&vec_total[v], 1, __ATOMIC_SEQ_CST);
    if (v == 0x46) { /* nesting: a higher class interrupts, a lower one waits */
        order[norder++] = 'A';
        apic_write(ICR_LO, 0x36 | 1u << 18); /* self, class 3 */
        apic_write(ICR_LO, 0x66 | 1u << 18); /* self, class 6 */
        sti();
        delay(2000);
        cli();
        order[norder++] = 'B';
    } else if (v == 0x66) {
        order[norder++] = 'C';
    } else if (v == 0x36) {
        order[norder++] = 'D';
    } else if (v == 0x50) { /* COM1 through IOAPIC pin 4, level triggered */
        uint32_t n = uart_hits++;
        if (n < 4)
            uart_rirr[n] = (io_read(0x10 + 2 * 4) >> 14) & 1;
        if (n == 1) {
            outb(0x3f8 + 1, 0);                   /* IER = 0: the line drops */
            *(volatile uint32_t *)(IOAPIC + 0x40) = 0x50; /* IOAPIC EOI register */
            uart_rirr[2] = (io_read(0x10 + 2 * 4) >> 14) & 1;
        }
        /* n == 0: EOI with the line still high: the IOAPIC sends again */
    }
    apic_write(EOI, 0);
}

/* ---- application processors ---- */

void smp_ap_entry(uint64_t id)
{
    load_tables((unsigned)id);
    svr_at_boot[id] = apic_read(SVR);
    uint64_t x;
    if (boots[id] == 0) {
        x = 0x5a5a000000000000ull | id;
        __asm__ volatile("movq %0, %%xmm0" ::"r"(x));
    } else {
        __asm__ volatile("movq %%xmm0, %0" : "=r"(x));
        xmm_seen[id] = x;
    }
    apic_write(SVR, 0x1ff);
    apic_write(TPR, 0);
    boots[id]++;
    __atomic_fetch_add(&alive, 1, __ATOMIC_SEQ_CST);
    sti();
    for (;;) {
        void (*f)(uint32_t) = cmd[id];
        if (f) {
            f(cmd_arg[id]);
            cmd[id] = 0;
        }
        __asm__ volatile("pause");
    }
}

static void run_on(unsigned cpu, void (*f)(uint32_t), uint32_t arg)
{
    cmd_arg[cpu] = arg;
    cmd[cpu] = f;
    uint64_t t = rdtsc();
    while (cmd[cpu])
        if (rdtsc() - t > 20000000) {
            x86t_puts("FAIL: cpu did not run its command\n");
            x86t_exit(1);
        }
}
static void do_tpr(uint32_t v) { apic_write(TPR, v); }
static void do_ldr(uint32_t v) { apic_write(LDR, v); }
static void do_dfr(uint32_t v) { apic_write(DFR, v); }
static void do_self_init(uint32_t v)
{
    (void)v;
    apic_write(ICR_LO, 0xc500 | 1u << 18); /* INIT to itself: never returns */
    x86t_puts("FAIL: INIT to self returned\n");
    x86t_exit(1);
}

static uint32_t count_of(unsigned vec, unsigned *who)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < ncpus; i++)
        if (vec_count[i][vec]) {
            s += vec_count[i][vec];
            *who = i;
        }
    return s;
}

/* ---- the checks ---- */

static void bring_up(void)
{
    smp_tramp_install_low(ap_stacks);
    for (unsigned i = 1; i < ncpus; i++) {
        send_ipi(i, 0xc500);  /* INIT, level, assert */
        delay(10000);
        send_ipi(i, 0x8500);  /* INIT level de-assert */
        delay(2000);
        send_ipi(i, 0x4608);  /* SIPI: vector 0x08 -> 0800:0000 */
        delay(2000);
        send_ipi(i, 0x4608);  /* the second SIPI: the AP runs, it is ignored */
        delay(2000);
    }
    CHECKX(wait_ge(&alive, ncpus - 1), "every AP came up", alive);
    delay(20000);
    for (unsigned i = 1; i < ncpus; i++) {
        CHECKX(boots[i] == 1, "AP started once (second SIPI ignored)", boots[i]);
        CHECKX(svr_at_boot[i] == 0xff, "AP APIC in its power-on state (SVR 0xff)", svr_at_boot[i]);
    }
}

static void ipis(void)
{
    /* fixed, physical, to each AP in turn: only its own IDT handler runs */
    for (unsigned i = 1; i < ncpus; i++) {
        uint32_t before[MAXCPU];
        for (unsigned k = 0; k < ncpus; k++)
            before[k] = ipi_count[k];
        send_ipi(i, IPI_VEC);
        CHECKX(wait_ge(&ipi_count[i], before[i] + 1), "fixed physical IPI delivered", i);
        delay(SETTLE);
        for (unsigned k = 0; k < ncpus; k++)
            CHECKX(ipi_count[k] == before[k] + (k == i), "fixed IPI reached only its target", k);
    }
    CHECKX(wrong_idt == 0, "each CPU's IDT handler ran on that CPU", wrong_idt);
    CHECKX((apic_read(ICR_LO) & (1u << 12)) == 0, "ICR delivery status idle after a send",
           apic_read(ICR_LO));
    uint32_t b0 = ipi_count[0], bsum = 0;
    for (unsigned k = 1; k < ncpus; k++)
        bsum += ipi_count[k];
    sti();
    uint32_t tot = ipi_total;
    /* all excluding self */
    send_ipi(0, IPI_VEC | 3u << 18);
    wait_ge(&ipi_total, tot + ncpus - 1);
    delay(SETTLE);
    uint32_t sum = 0;
    for (unsigned k = 1; k < ncpus; k++)
        sum += ipi_count[k];
    CHECKX(sum == bsum + ncpus - 1 && ipi_count[0] == b0, "all-excluding-self", sum);
    /* all including self */
    tot = ipi_total;
    send_ipi(0, IPI_VEC | 2u << 18);
    CHECKX(wait_ge(&ipi_count[0], b0 + 1), "all-including-self reaches the sender", ipi_count[0]);
    wait_ge(&ipi_total, tot + ncpus);
    delay(SETTLE);
    sum = 0;
    for (unsigned k = 1; k < ncpus; k++)
        sum += ipi_count[k];
    CHECKX(sum == bsum + 2 * (ncpus - 1), "all-including-self reaches the others", sum);
    /* self */
    send_ipi(0, IPI_VEC | 1u << 18);
    CHECKX(wait_ge(&ipi_count[0], b0 + 2), "self shorthand", ipi_count[0]);
    /* physical broadcast 0xff */
    tot = ipi_total;
    send_ipi(0xff, IPI_VEC);
    CHECKX(wait_ge(&ipi_count[0], b0 + 3), "physical broadcast 0xff reaches self", ipi_count[0]);
    wait_ge(&ipi_total, tot + ncpus);
    delay(SETTLE);
    sum = 0;
    for (unsigned k = 1; k < ncpus; k++)
        sum += ipi_count[k];
    CHECKX(sum == bsum + 3 * (ncpus - 1), "physical broadcast reaches all", sum);
    cli();

    /* logical, flat model: CPU i has LDR bit i */
    for (unsigned i = 0; i < ncpus; i++) {
        if (i)
            run_on(i, do_ldr, 1u << (24 + i));
        else
            apic_write(LDR, 1u << 24);
    }
    if (ncpus >= 3) {
        uint32_t c1 = ipi_count[1], c2 = ipi_count[2], c0 = ipi_count[0];
        uint32_t c3 = ncpus >= 4 ? ipi_count[3] : 0;
        send_ipi(0x06, IPI_VEC | 1u << 11); /* MDA 0b110: CPUs 1 and 2 */
        CHECKX(wait_ge(&ipi_count[2], c2 + 1) && wait_ge(&ipi_count[1], c1 + 1),
               "logical flat MDA 0x06 reaches CPUs 1, 2", ipi_count[2]);
        CHECKX(ipi_count[0] == c0, "logical flat: not CPU 0", ipi_count[0]);
        if (ncpus >= 4) {
            delay(SETTLE);
            CHECKX(ipi_count[3] == c3, "logical flat: not CPU 3", ipi_count[3]);
        }
        /* cluster model: cluster 1, member bit (i & 3); MDA 0x12 = member 1 */
        for (unsigned i = 0; i < ncpus; i++) {
            uint32_t ldr = (0x10u | 1u << (i & 3)) << 24;
            if (i) {
                run_on(i, do_dfr, 0x0fffffff);
                run_on(i, do_ldr, ldr);
            } else {
                apic_write(DFR, 0x0fffffff);
                apic_write(LDR, ldr);
            }
        }
        uint32_t before1 = ipi_count[1], before5 = ncpus > 5 ? ipi_count[5] : 0;
        uint32_t before2 = ipi_count[2];
        send_ipi(0x12, IPI_VEC | 1u << 11);
        CHECKX(wait_ge(&ipi_count[1], before1 + 1), "logical cluster 1 member 1 reaches CPU 1",
               ipi_count[1]);
        if (ncpus > 5)
            CHECKX(wait_ge(&ipi_count[5], before5 + 1), "logical cluster reaches CPU 5", ipi_count[5]);
        delay(SETTLE);
        CHECKX(ipi_count[2] == before2, "logical cluster: not CPU 2", ipi_count[2]);
        for (unsigned i = 0; i < ncpus; i++) { /* back to flat */
            if (i) {
                run_on(i, do_dfr, 0xffffffff);
                run_on(i, do_ldr, 1u << (24 + i));
            } else {
                apic_write(DFR, 0xffffffff);
                apic_write(LDR, 1u << 24);
            }
        }
    } else {
        x86t_puts("skip: logical destinations need --smp 3 or more\n");
    }

    /* NMI to CPU 1 */
    if (ncpus >= 2) {
        send_ipi(1, 0x400);
        CHECKX(wait_ge(&nmi_count[1], 1), "NMI IPI taken through vector 2", nmi_count[1]);
    }
    /* SMI: ignored */
    if (ncpus >= 2) {
        send_ipi(1, 0x200);
        delay(SETTLE);
        CHECKX(nmi_count[1] == 1, "SMI IPI ignored", nmi_count[1]);
    }
}

static void lowest_priority(void)
{
    if (ncpus < 3) {
        x86t_puts("skip: lowest priority needs --smp 3 or more\n");
        return;
    }
    uint32_t aps = ((1u << ncpus) - 1) & ~1u;
    /* TPRs 0x10*(n-i): the highest-numbered AP has the lowest priority */
    for (unsigned i = 1; i < ncpus; i++)
        run_on(i, do_tpr, 0x10 * (ncpus - i));
    unsigned who = 99;
    send_ipi(aps, 0x42 | 1u << 8 | 1u << 11);
    wait_ge(&vec_total[0x42], 1);
    delay(SETTLE);
    CHECKX(count_of(0x42, &who) == 1 && who == ncpus - 1, "lowest priority: lowest TPR wins", who);
    for (unsigned i = 1; i < ncpus; i++)
        run_on(i, do_tpr, 0x20);
    send_ipi(aps, 0x43 | 1u << 8 | 1u << 11);
    wait_ge(&vec_total[0x43], 1);
    delay(SETTLE);
    CHECKX(count_of(0x43, &who) == 1 && who == 1, "lowest priority tie: lowest APIC ID wins", who);
    for (unsigned i = 1; i < ncpus; i++)
        run_on(i, do_tpr, 0);
}

static void tpr_and_nesting(void)
{
    sti();
    __asm__ volatile("mov %0, %%cr8" ::"r"(5ull));
    CHECKX(apic_read(TPR) == 0x50, "CR8 = 5 is TPR 0x50", apic_read(TPR));
    send_ipi(0, 0x45 | 1u << 18);
    delay(2000);
    CHECKX(vec_count[0][0x45] == 0, "TPR 0x50 holds vector 0x45", vec_count[0][0x45]);
    CHECKX(apic_read(IRR + 0x20) & (1u << 5), "vector 0x45 waits in IRR", apic_read(IRR + 0x20));
    CHECKX(apic_read(PPR) == 0x50, "PPR = TPR", apic_read(PPR));
    send_ipi(0, 0x65 | 1u << 18);
    delay(1000);
    CHECKX(vec_count[0][0x65] == 1, "vector 0x65 passes TPR 0x50", vec_count[0][0x65]);
    apic_write(TPR, 0);
    delay(1000);
    uint64_t cr8;
    __asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
    CHECKX(cr8 == 0, "TPR write is CR8", cr8);
    CHECKX(vec_count[0][0x45] == 1, "lowering TPR delivers 0x45", vec_count[0][0x45]);
    /* nesting by priority class */
    norder = 0;
    send_ipi(0, 0x46 | 1u << 18);
    delay(6000);
    CHECKX(norder == 4 && order[0] == 'A' && order[1] == 'C' && order[2] == 'B' && order[3] == 'D',
           "class 6 nests in class 4, class 3 waits for the EOI", norder);
    cli();
}

static void esr_and_disable(void)
{
    apic_write(LVT_ERROR, 0x4f);
    apic_write(ESR, 0);
    sti();
    send_ipi(0, 0x05 | 1u << 18); /* illegal vector */
    delay(1000);
    apic_write(ESR, 0);
    CHECKX(apic_read(ESR) == 0x20, "ESR: send illegal vector", apic_read(ESR));
    CHECKX(vec_count[0][0x4f] == 1, "LVT error interrupt", vec_count[0][0x4f]);
    apic_write(ESR, 0);
    CHECKX(apic_read(ESR) == 0, "ESR cleared by the next write", apic_read(ESR));
    /* software disable: LVTs masked and stay masked */
    apic_write(SVR, 0xff);
    CHECKX(apic_read(LVT_LINT0) & 0x10000, "software disable masks LINT0", apic_read(LVT_LINT0));
    apic_write(LVT_TIMER, 0x30);
    CHECKX(apic_read(LVT_TIMER) == 0x10030, "LVT cannot be unmasked while disabled",
           apic_read(LVT_TIMER));
    send_ipi(0, 0x47 | 1u << 18);
    delay(1000);
    apic_write(SVR, 0x1ff);
    delay(1000);
    CHECKX(vec_count[0][0x47] == 0, "a disabled APIC does not accept fixed IPIs",
           vec_count[0][0x47]);
    CHECKX(apic_read(LVT_LINT0) & 0x10000, "LVTs stay masked after re-enable", apic_read(LVT_LINT0));
    apic_write(LVT_ERROR, 0x10000);
    apic_write(ESR, 0);
    cli();
}

static void ioapic(void)
{
    outb(0x21, 0xff); /* the PICs out of the way */
    outb(0xa1, 0xff);
    CHECKX(io_read(1) == 0x170020, "IOAPIC version 0x20, 24 entries", io_read(1));
    CHECKX(io_read(0) == ncpus << 24, "IOAPIC ID = ncpus", io_read(0));
    CHECKX(io_read(0x10) == 0x10000, "redirection entries masked at reset", io_read(0x10));
    /* COM1 (IRQ 4): level triggered, THR-empty interrupt */
    io_write(0x11 + 2 * 4, 0);
    io_write(0x10 + 2 * 4, 0x50 | 1u << 15);
    sti();
    outb(0x3f8 + 1, 2); /* IER: THR empty */
    delay(5000);
    cli();
    CHECKX(uart_hits == 2, "level: redelivered after an EOI with the line high, then not", uart_hits);
    CHECKX(uart_rirr[0] == 1 && uart_rirr[1] == 1, "remote IRR set while in service", uart_rirr[0]);
    CHECKX(uart_rirr[2] == 0, "IOAPIC EOI register clears remote IRR", uart_rirr[2]);
    CHECKX(((io_read(0x10 + 2 * 4) >> 14) & 1) == 0, "remote IRR clear at the end", io_read(0x18));
    io_write(0x10 + 2 * 4, 0x10000);
    /* PIT: IRQ 0 on pin 2, edge */
    io_write(0x10 + 2 * 0, 0x52);
    io_write(0x10 + 2 * 2, 0x51);
    outb(0x43, 0x34);
    outb(0x40, 100);
    outb(0x40, 0);
    sti();
    wait_ge(&vec_count[0][0x51], 3);
    cli();
    CHECKX(vec_count[0][0x51] >= 3, "PIT interrupts through IOAPIC pin 2", vec_count[0][0x51]);
    CHECKX(vec_count[0][0x52] == 0, "nothing on pin 0", vec_count[0][0x52]);
    io_write(0x10 + 2 * 2, 0x10000);
    io_write(0x10 + 2 * 0, 0x10000);
    outb(0x43, 0x30); /* one-shot, count not loaded: stops the periodic interrupt */
}

static void timer(void)
{
    sti();
    apic_write(TIMER_DCR, 0xb); /* divide by 1 */
    apic_write(LVT_TIMER, 0x53);
    apic_write(TIMER_ICR, 5000);
    uint32_t c = apic_read(TIMER_CCR);
    CHECKX(c > 0 && c <= 5000, "one-shot counts down", c);
    CHECKX(wait_ge(&vec_count[0][0x53], 1), "one-shot fires", vec_count[0][0x53]);
    delay(12000);
    CHECKX(vec_count[0][0x53] == 1 && apic_read(TIMER_CCR) == 0, "one-shot fires once",
           vec_count[0][0x53]);
    /* divide by 2: at least 2 ticks per count */
    apic_write(TIMER_DCR, 0);
    uint64_t t0 = rdtsc();
    apic_write(TIMER_ICR, 1000);
    wait_ge(&vec_count[0][0x53], 2);
    CHECKX(rdtsc() - t0 >= 2000, "divide by 2 halves the rate", rdtsc() - t0);
    apic_write(TIMER_DCR, 0xb);
    /* periodic */
    apic_write(LVT_TIMER, 0x54 | 1u << 17);
    apic_write(TIMER_ICR, 3000);
    CHECKX(wait_ge(&vec_count[0][0x54], 3), "periodic fires repeatedly", vec_count[0][0x54]);
    apic_write(TIMER_ICR, 0);
    uint32_t p = vec_count[0][0x54];
    delay(10000);
    CHECKX(vec_count[0][0x54] == p, "initial count 0 stops the timer", vec_count[0][0x54]);
    /* TSC deadline */
    apic_write(LVT_TIMER, 0x55 | 2u << 17);
    apic_write(TIMER_ICR, 100); /* ignored in TSC-deadline mode */
    CHECKX(apic_read(TIMER_CCR) == 0, "no count in TSC-deadline mode", apic_read(TIMER_CCR));
    wrmsr(0x6e0, rdtsc() + 3000);
    CHECKX(rdmsr(0x6e0) != 0, "IA32_TSC_DEADLINE armed", 0);
    CHECKX(wait_ge(&vec_count[0][0x55], 1), "TSC deadline fires", vec_count[0][0x55]);
    CHECKX(rdmsr(0x6e0) == 0, "IA32_TSC_DEADLINE reads 0 after firing", rdmsr(0x6e0));
    delay(5000);
    CHECKX(vec_count[0][0x55] == 1, "TSC deadline fires once", vec_count[0][0x55]);
    apic_write(LVT_TIMER, 0x10000);
    cli();
}

static void init_restart(void)
{
    if (ncpus < 2)
        return;
    uint32_t a = alive;
    send_ipi(1, 0xc500);
    delay(5000);
    send_ipi(1, 0x8500);
    send_ipi(1, 0x4608);
    CHECKX(wait_ge(&alive, a + 1), "INIT + SIPI restarts CPU 1", alive);
    CHECKX(boots[1] == 2, "CPU 1 booted twice", boots[1]);
    CHECKX(svr_at_boot[1] == 0xff, "INIT put the APIC in its INIT state", svr_at_boot[1]);
    CHECKX(xmm_seen[1] == (0x5a5a000000000000ull | 1), "INIT keeps XMM0 (SDM Table 9-1)",
           xmm_seen[1]);
    if (ncpus < 3)
        return;
    /* CPU 2 sends itself an INIT: it stops in the middle of its command and
     * waits for a SIPI */
    a = alive;
    cmd_arg[2] = 0;
    cmd[2] = do_self_init;
    delay(SETTLE);
    cmd[2] = 0;
    CHECKX(boots[2] == 1 && alive == a, "INIT to self stops the CPU", boots[2]);
    send_ipi(2, 0x4608);
    CHECKX(wait_ge(&alive, a + 1), "SIPI restarts the CPU that INITed itself", alive);
    CHECKX(boots[2] == 2, "CPU 2 booted twice", boots[2]);
}

static void x2apic(void)
{
    uint64_t base = rdmsr(0x1b);
    wrmsr(0x1b, base | 0x400);
    CHECKX(rdmsr(0x802) == 0, "x2APIC ID", rdmsr(0x802));
    CHECKX(rdmsr(0x80d) == 1, "x2APIC LDR: cluster 0, bit 0", rdmsr(0x80d));
    sti();
    wrmsr(0x83f, 0x48);
    delay(500);
    CHECKX(vec_count[0][0x48] == 1, "x2APIC self IPI", vec_count[0][0x48]);
    if (ncpus >= 2) {
        uint32_t c = ipi_count[1];
        wrmsr(0x830, 1ull << 32 | IPI_VEC);
        CHECKX(wait_ge(&ipi_count[1], c + 1), "x2APIC ICR to CPU 1", ipi_count[1]);
    }
    cli();
    wrmsr(0x1b, base & ~0xc00ull);  /* x2APIC -> disabled */
    wrmsr(0x1b, base);               /* -> xAPIC: the APIC is reset */
    CHECKX(apic_read(SVR) == 0xff, "re-enabled APIC is in its reset state", apic_read(SVR));
}

int kmain(void)
{
    uint32_t r[4];
    outb(0x21, 0xff); /* mask the 8259s: the APICs deliver everything here */
    outb(0xa1, 0xff);
    cpuid(1, 0, r);
    CHECKX(r[3] & (1u << 9), "CPUID APIC", r[3]);
    CHECKX(r[2] & (1u << 21), "CPUID x2APIC", r[2]);
    CHECKX(r[2] & (1u << 24), "CPUID TSC-deadline", r[2]);
    CHECKX(rdmsr(0x1b) == 0xfee00900, "IA32_APIC_BASE: base, EN, BSP", rdmsr(0x1b));
    /* fw_cfg NB_CPUS */
    ncpus = fw_cfg_ncpus();
    if (ncpus < 1 || ncpus > MAXCPU) {
        x86t_puts("FAIL: --smp must be 1..8\n");
        return 1;
    }
    load_tables(0);
    CHECKX(my_id() == 0, "BSP APIC ID 0", my_id());
    CHECKX((apic_read(VER) & 0xff) == 0x14, "APIC version", apic_read(VER));
    apic_write(SVR, 0x1ff);
    bring_up();
    ipis();
    lowest_priority();
    tpr_and_nesting();
    esr_and_disable();
    ioapic();
    timer();
    init_restart();
    x2apic();
    x86t_puts("smp: ");
    x86t_putdec(ncpus);
    x86t_puts(" cpus, ");
    x86t_putdec((uint64_t)x86t_checks);
    x86t_puts(" checks, ");
    x86t_putdec((uint64_t)x86t_failures);
    x86t_puts(" failures\n");
    return x86t_failures ? 1 : 0;
}
