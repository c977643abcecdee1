/* The local APIC and IOAPIC register models (src/apic/lapic.c, ioapic.c;
 * Intel SDM vol. 3A ch. 10, 82093AA data sheet) on a machine of bare x86
 * CPUs without a board: reset state, the software-disabled LVT rules,
 * priorities and nesting, ESR, IA32_APIC_BASE transitions, x2APIC MSRs and
 * their #GP cases, destinations, lowest-priority arbitration, INIT/SIPI,
 * the timer modes and the IOAPIC's remote IRR. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apic/ioapic.h"
#include "apic/lapic.h"
#include "cpu/x86/x86.h"
#include "cpu/x86/x86_cpu.h"
#include "sim/bus.h"
#include "sim/config.h"
#include "sim/machine.h"

struct fx {
    struct machine *m;
    struct lapic_sys *s;
    struct ioapic *io;
};

static struct fx fx_new(int n)
{
    struct fx f;
    f.m = calloc(1, sizeof *f.m);
    ck_assert_ptr_nonnull(f.m);
    config_defaults(&f.m->cfg);
    bus_init(&f.m->bus);
    f.m->bus.m = f.m;
    f.m->ncpus = n;
    for (int i = 0; i < n; i++)
        ck_assert_ptr_nonnull(f.m->cpus[i] = x86_cpu_new(f.m, i, NULL));
    f.s = lapic_sys_new(f.m, n);
    ck_assert_ptr_nonnull(f.s);
    for (int i = 0; i < n; i++)
        x86_cpu_attach_lapic(f.m->cpus[i], lapic_of(f.s, i), i != 0);
    f.io = ioapic_new(f.s, (uint8_t)n);
    ck_assert_ptr_nonnull(f.io);
    lapic_sys_set_eoi_listener(f.s, ioapic_eoi, f.io);
    return f;
}

static void fx_free(struct fx *f)
{
    ioapic_free(f->io);
    lapic_sys_free(f->s);
    machine_free(f->m);
}

static struct lapic *L(struct fx *f, int i) { return lapic_of(f->s, i); }
static uint32_t rd(struct lapic *l, unsigned off) { return (uint32_t)lapic_mmio_read(l, off, 4); }
static void wr(struct lapic *l, unsigned off, uint32_t v) { lapic_mmio_write(l, off, 4, v); }
static bool irr(struct lapic *l, unsigned v) { return (rd(l, LAPIC_IRR + (v / 32) * 16) >> (v % 32)) & 1; }
static bool isr(struct lapic *l, unsigned v) { return (rd(l, LAPIC_ISR + (v / 32) * 16) >> (v % 32)) & 1; }
static void icr(struct lapic *l, uint32_t dest, uint32_t lo)
{
    wr(l, LAPIC_ICR_HI, dest << 24);
    wr(l, LAPIC_ICR_LO, lo);
}

START_TEST(reset_state)
{
    struct fx f = fx_new(2);
    struct lapic *a = L(&f, 0), *b = L(&f, 1);
    uint64_t v;
    ck_assert_int_eq(lapic_rdmsr(a, 0x1b, &v), 1);
    ck_assert_uint_eq(v, 0xfee00900); /* base, EN, BSP */
    ck_assert_int_eq(lapic_rdmsr(b, 0x1b, &v), 1);
    ck_assert_uint_eq(v, 0xfee00800);
    ck_assert_uint_eq(rd(b, LAPIC_ID), 1u << 24);
    ck_assert_uint_eq(rd(a, LAPIC_VER), 0x00060014);
    ck_assert_uint_eq(rd(a, LAPIC_SVR), 0xff);
    ck_assert_uint_eq(rd(a, LAPIC_DFR), 0xffffffff);
    for (unsigned o = LAPIC_LVT_TIMER; o <= LAPIC_LVT_ERROR; o += 16)
        ck_assert_uint_eq(rd(a, o), 0x10000);
    ck_assert(lapic_mmio_claims(a, 0xfee00020));
    ck_assert(!lapic_mmio_claims(a, 0xfee01000));
    ck_assert_int_eq(f.m->cpus[1]->state, CPU_STOPPED); /* wait-for-SIPI */
    fx_free(&f);
}
END_TEST

/* SDM vol. 3A §10.4.7.2: software disable masks every LVT; the mask bits
 * cannot be cleared while disabled, and stay set after re-enable. */
START_TEST(software_disable_lvt)
{
    struct fx f = fx_new(1);
    struct lapic *a = L(&f, 0);
    wr(a, LAPIC_LVT_LINT0, 0x700);
    ck_assert_uint_eq(rd(a, LAPIC_LVT_LINT0), 0x10700);
    wr(a, LAPIC_SVR, 0x1ff);
    wr(a, LAPIC_LVT_LINT0, 0x700);
    wr(a, LAPIC_LVT_TIMER, 0x20031);
    ck_assert_uint_eq(rd(a, LAPIC_LVT_LINT0), 0x700);
    ck_assert_uint_eq(rd(a, LAPIC_LVT_TIMER), 0x20031);
    wr(a, LAPIC_SVR, 0xff);
    ck_assert_uint_eq(rd(a, LAPIC_LVT_LINT0), 0x10700);
    ck_assert_uint_eq(rd(a, LAPIC_LVT_TIMER), 0x30031);
    wr(a, LAPIC_SVR, 0x1ff);
    ck_assert_uint_eq(rd(a, LAPIC_LVT_LINT0), 0x10700);
    /* a disabled APIC refuses fixed IPIs (ESR receive accept), takes NMI */
    wr(a, LAPIC_SVR, 0xff);
    icr(a, 0, 0x40 | 1u << 18);
    ck_assert(!irr(a, 0x40));
    icr(a, 0, 0x400 | 1u << 18);
    ck_assert(X86(f.m->cpus[0])->nmi_pending);
    wr(a, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(a, LAPIC_ESR), LAPIC_ESR_RECV_ACCEPT);
    fx_free(&f);
}
END_TEST

START_TEST(priority_and_eoi)
{
    struct fx f = fx_new(1);
    struct lapic *a = L(&f, 0);
    struct x86_cpu *x = X86(f.m->cpus[0]);
    wr(a, LAPIC_SVR, 0x1ff);
    icr(a, 0, 0x31 | 1u << 18);
    icr(a, 0, 0x52 | 1u << 18);
    ck_assert(irr(a, 0x31) && irr(a, 0x52));
    ck_assert(x->intr);
    ck_assert_int_eq(lapic_ack(a), 0x52);
    ck_assert(isr(a, 0x52) && !irr(a, 0x52));
    ck_assert_uint_eq(rd(a, LAPIC_PPR), 0x50);
    ck_assert(!x->intr); /* 0x31 is of a lower class than the one in service */
    icr(a, 0, 0x61 | 1u << 18);
    ck_assert(x->intr); /* a higher class nests */
    ck_assert_int_eq(lapic_ack(a), 0x61);
    wr(a, LAPIC_EOI, 0);
    ck_assert(!isr(a, 0x61) && isr(a, 0x52));
    wr(a, LAPIC_EOI, 0);
    ck_assert(x->intr);
    /* TPR 0x40 holds 0x31 back; INTA without one deliverable: spurious */
    lapic_set_tpr(a, 0x40);
    ck_assert(!x->intr);
    ck_assert_uint_eq(x->cr8, 4);
    ck_assert_int_eq(lapic_ack(a), 0xff);
    ck_assert(irr(a, 0x31) && !isr(a, 0x31));
    wr(a, LAPIC_TPR, 0);
    ck_assert_int_eq(lapic_ack(a), 0x31);
    wr(a, LAPIC_EOI, 0);
    ck_assert(!x->intr);
    fx_free(&f);
}
END_TEST

START_TEST(esr_errors)
{
    struct fx f = fx_new(2);
    struct lapic *a = L(&f, 0);
    wr(a, LAPIC_SVR, 0x1ff);
    wr(a, LAPIC_LVT_ERROR, 0x4e);
    icr(a, 1, 0x05); /* illegal vector */
    ck_assert_uint_eq(rd(a, LAPIC_ESR), 0); /* not visible before a write */
    wr(a, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(a, LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL);
    ck_assert(irr(a, 0x4e)); /* the error interrupt */
    wr(a, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(a, LAPIC_ESR), 0);
    (void)rd(a, 0x40); /* reserved register */
    wr(a, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(a, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG);
    icr(a, 7, 0x40); /* no APIC 7 */
    wr(a, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(a, LAPIC_ESR), LAPIC_ESR_SEND_ACCEPT);
    /* a locally generated illegal vector: receive illegal vector */
    icr(a, 0, 0x40 | 1u << 18);
    wr(a, LAPIC_LVT_TIMER, 0x08);
    wr(a, LAPIC_TIMER_DCR, 0xb);
    wr(a, LAPIC_TIMER_ICR, 1);
    f.m->cpus[0]->clock = 1;
    cpu_fire_due_timers(f.m->cpus[0]);
    wr(a, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(a, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL);
    fx_free(&f);
}
END_TEST

/* SDM vol. 3A §10.12.5 Figure 10-27. */
START_TEST(apic_base_transitions)
{
    struct fx f = fx_new(1);
    struct lapic *a = L(&f, 0);
    uint64_t v;
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0xfee00000 | APIC_BASE_EXTD), 0); /* EXTD without EN */
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0xfee00800 | 1u << 9), 0);        /* reserved bit */
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0xfee00c00), 1);                  /* -> x2APIC */
    ck_assert(!lapic_mmio_claims(a, 0xfee00020));
    ck_assert_int_eq(lapic_rdmsr(a, 0x1b, &v), 1);
    ck_assert_uint_eq(v, 0xfee00d00); /* the BSP flag stays */
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0xfee00800), 0); /* x2APIC -> xAPIC */
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0xfee00000), 1); /* -> disabled */
    ck_assert(!lapic_mmio_claims(a, 0xfee00020));
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0xfee00c00), 0); /* disabled -> x2APIC */
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, 0x12345800), 1); /* xAPIC, relocated */
    ck_assert(lapic_mmio_claims(a, 0x12345030));
    ck_assert(!lapic_mmio_claims(a, 0xfee00030));
    ck_assert_uint_eq(X86(f.m->cpus[0])->apic_base, 0x12345900);
    fx_free(&f);
}
END_TEST

START_TEST(x2apic_msrs)
{
    struct fx f = fx_new(2);
    struct lapic *b = L(&f, 1);
    uint64_t v;
    ck_assert_int_eq(lapic_rdmsr(b, 0x802, &v), 0); /* not in x2APIC mode: #GP */
    ck_assert_int_eq(lapic_rdmsr(b, 0x10, &v), -1); /* not an APIC MSR */
    ck_assert_int_eq(lapic_wrmsr(b, 0x1b, 0xfee00c00), 1);
    ck_assert_int_eq(lapic_rdmsr(b, 0x802, &v), 1);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(lapic_rdmsr(b, 0x80d, &v), 1);
    ck_assert_uint_eq(v, 1u << 1); /* cluster 0, bit 1 */
    ck_assert_int_eq(lapic_wrmsr(b, 0x802, 5), 0);  /* ID read-only */
    ck_assert_int_eq(lapic_wrmsr(b, 0x80d, 5), 0);  /* LDR read-only */
    ck_assert_int_eq(lapic_rdmsr(b, 0x80e, &v), 0); /* no DFR */
    ck_assert_int_eq(lapic_rdmsr(b, 0x831, &v), 0); /* no ICR high */
    ck_assert_int_eq(lapic_rdmsr(b, 0x80b, &v), 0); /* EOI write-only */
    ck_assert_int_eq(lapic_rdmsr(b, 0x83f, &v), 0); /* SELF IPI write-only */
    ck_assert_int_eq(lapic_wrmsr(b, 0x80b, 1), 0);  /* EOI of non-zero */
    ck_assert_int_eq(lapic_wrmsr(b, 0x808, 1ull << 32), 0); /* reserved upper half */
    ck_assert_int_eq(lapic_wrmsr(b, 0x80f, 0x1ff), 1);
    ck_assert_int_eq(lapic_wrmsr(b, 0x83f, 0x44), 1);
    ck_assert_int_eq(lapic_rdmsr(b, 0x822, &v), 1);
    ck_assert_uint_eq(v, 1u << 4); /* IRR: vector 0x44 */
    /* 64-bit ICR to CPU 0 (xAPIC), physical destination 0 */
    struct lapic *a = L(&f, 0);
    wr(a, LAPIC_SVR, 0x1ff);
    ck_assert_int_eq(lapic_wrmsr(b, 0x830, 0ull << 32 | 0x45), 1);
    ck_assert(irr(a, 0x45));
    fx_free(&f);
}
END_TEST

START_TEST(destinations)
{
    struct fx f = fx_new(4);
    for (int i = 0; i < 4; i++) {
        wr(L(&f, i), LAPIC_SVR, 0x1ff);
        wr(L(&f, i), LAPIC_LDR, 1u << (24 + i)); /* flat */
    }
    struct lapic *a = L(&f, 0);
    icr(a, 0x0a, 0x41 | 1u << 11); /* logical flat 0b1010: CPUs 1, 3 */
    ck_assert(!irr(L(&f, 0), 0x41) && irr(L(&f, 1), 0x41) && !irr(L(&f, 2), 0x41) && irr(L(&f, 3), 0x41));
    for (int i = 0; i < 4; i++) { /* cluster: cluster i / 2, member bit i % 2 */
        wr(L(&f, i), LAPIC_DFR, 0x0fffffff);
        wr(L(&f, i), LAPIC_LDR, (uint32_t)((i / 2) << 4 | 1 << (i % 2)) << 24);
    }
    ck_assert_uint_eq(rd(a, LAPIC_DFR), 0x0fffffff);
    icr(a, 0x12, 0x42 | 1u << 11); /* cluster 1, member 1: CPU 3 */
    ck_assert(irr(L(&f, 3), 0x42) && !irr(L(&f, 1), 0x42) && !irr(L(&f, 2), 0x42));
    icr(a, 0xf1, 0x43 | 1u << 11); /* all clusters, member 0: CPUs 0, 2 */
    ck_assert(irr(L(&f, 0), 0x43) && irr(L(&f, 2), 0x43) && !irr(L(&f, 1), 0x43));
    icr(a, 0xff, 0x44); /* physical broadcast */
    for (int i = 0; i < 4; i++)
        ck_assert(irr(L(&f, i), 0x44));
    icr(a, 2, 0x45 | 3u << 18); /* all excluding self, destination ignored */
    ck_assert(!irr(L(&f, 0), 0x45) && irr(L(&f, 1), 0x45) && irr(L(&f, 2), 0x45));
    wr(L(&f, 2), LAPIC_ID, 7u << 24); /* xAPIC IDs are writable */
    icr(a, 7, 0x46);
    ck_assert(irr(L(&f, 2), 0x46));
    ck_assert_uint_eq(rd(a, LAPIC_ICR_LO) & (1u << 12), 0); /* delivery status idle */
    fx_free(&f);
}
END_TEST

START_TEST(lowest_priority)
{
    struct fx f = fx_new(4);
    for (int i = 0; i < 4; i++)
        wr(L(&f, i), LAPIC_SVR, 0x1ff);
    wr(L(&f, 1), LAPIC_TPR, 0x30);
    wr(L(&f, 2), LAPIC_TPR, 0x10);
    wr(L(&f, 3), LAPIC_TPR, 0x20);
    /* physical broadcast, lowest priority: CPU 0 (TPR 0) wins */
    icr(L(&f, 0), 0xff, 0x52 | 1u << 8);
    ck_assert(irr(L(&f, 0), 0x52) && !irr(L(&f, 2), 0x52));
    /* all excluding self: the lowest TPR (CPU 2) wins */
    icr(L(&f, 0), 0, 0x53 | 1u << 8 | 3u << 18);
    ck_assert(irr(L(&f, 2), 0x53) && !irr(L(&f, 1), 0x53) && !irr(L(&f, 3), 0x53));
    /* the APR counts the IRR: CPU 2 has 0x53 pending (class 5), CPU 3 wins */
    wr(L(&f, 2), LAPIC_TPR, 0x20);
    icr(L(&f, 0), 0, 0x33 | 1u << 8 | 3u << 18);
    ck_assert(irr(L(&f, 3), 0x33) && !irr(L(&f, 2), 0x33));
    ck_assert_int_eq(lapic_ack(L(&f, 3)), 0x33);
    wr(L(&f, 3), LAPIC_EOI, 0);
    ck_assert_int_eq(lapic_ack(L(&f, 2)), 0x53);
    wr(L(&f, 2), LAPIC_EOI, 0);
    /* ties: the lowest APIC ID */
    icr(L(&f, 0), 0, 0x34 | 1u << 8 | 3u << 18);
    ck_assert(irr(L(&f, 2), 0x34) && !irr(L(&f, 3), 0x34));
    ck_assert_int_eq(lapic_ack(L(&f, 2)), 0x34);
    wr(L(&f, 2), LAPIC_EOI, 0);
    /* focus: an APIC with the vector already pending gets it (SVR bit 9 = 0) */
    icr(L(&f, 0), 3, 0x56);
    icr(L(&f, 0), 0, 0x56 | 1u << 8 | 3u << 18);
    ck_assert(irr(L(&f, 3), 0x56) && !irr(L(&f, 2), 0x56));
    wr(L(&f, 3), LAPIC_SVR, 0x3ff); /* focus checking off on CPU 3 */
    icr(L(&f, 0), 0, 0x56 | 1u << 8 | 3u << 18);
    ck_assert(irr(L(&f, 2), 0x56));
    /* nobody addressed: send accept error */
    icr(L(&f, 0), 0x08, 0x57 | 1u << 8);
    wr(L(&f, 0), LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(L(&f, 0), LAPIC_ESR), LAPIC_ESR_SEND_ACCEPT);
    fx_free(&f);
}
END_TEST

START_TEST(init_sipi)
{
    struct fx f = fx_new(2);
    struct cpu *c1 = f.m->cpus[1];
    struct x86_cpu *x1 = X86(c1);
    struct lapic *a = L(&f, 0), *b = L(&f, 1);
    ck_assert(x1->wait_sipi);
    icr(a, 1, 0x4612); /* SIPI 0x12 */
    ck_assert_int_eq(c1->state, CPU_RUNNING);
    ck_assert_uint_eq(x1->seg[X86_CS].sel, 0x1200);
    ck_assert_uint_eq(x1->seg[X86_CS].base, 0x12000);
    ck_assert_uint_eq(x1->rip, 0);
    x1->rip = 0x55;
    icr(a, 1, 0x4634); /* a SIPI to a running CPU is ignored */
    ck_assert_uint_eq(x1->rip, 0x55);
    ck_assert_uint_eq(x1->seg[X86_CS].sel, 0x1200);
    /* INIT keeps x87/SSE state (SDM Table 9-1), resets the APIC but its ID */
    wr(b, LAPIC_SVR, 0x1ff);
    wr(b, LAPIC_ID, 5u << 24);
    x1->fpu.mxcsr = 0x1f00;
    x1->fpu.xmm[3].q[0] = 0x1234;
    x1->r[RAX] = 99;
    icr(a, 5, 0xc500); /* INIT assert to APIC 5 (CPU 1's ID now) */
    ck_assert_int_eq(c1->state, CPU_STOPPED);
    ck_assert_uint_eq(rd(b, LAPIC_SVR), 0xff);
    ck_assert_uint_eq(rd(b, LAPIC_ID), 5u << 24);
    ck_assert_uint_eq(x1->fpu.mxcsr, 0x1f00);
    ck_assert_uint_eq(x1->fpu.xmm[3].q[0], 0x1234);
    ck_assert_uint_eq(x1->r[RAX], 0);
    icr(a, 0, 0x8500); /* INIT de-assert: no effect */
    ck_assert_int_eq(c1->state, CPU_STOPPED);
    icr(a, 5, 0x4608);
    ck_assert_int_eq(c1->state, CPU_RUNNING);
    ck_assert_uint_eq(x1->seg[X86_CS].sel, 0x0800);
    /* INIT to the BSP (self): it restarts at the reset vector, no SIPI wait */
    struct x86_cpu *x0 = X86(f.m->cpus[0]);
    x0->rip = 0x1234;
    icr(a, 0, 0x4500 | 1u << 18);
    ck_assert_int_eq(f.m->cpus[0]->state, CPU_RUNNING);
    ck_assert(!x0->wait_sipi);
    ck_assert_uint_eq(x0->rip, 0xfff0);
    ck_assert_uint_eq(x0->seg[X86_CS].base, 0xffff0000);
    fx_free(&f);
}
END_TEST

START_TEST(timer_modes)
{
    struct fx f = fx_new(1);
    struct cpu *c = f.m->cpus[0];
    struct lapic *a = L(&f, 0);
    wr(a, LAPIC_SVR, 0x1ff);
    wr(a, LAPIC_TIMER_DCR, 0x1); /* divide by 4 */
    wr(a, LAPIC_LVT_TIMER, 0x60);
    wr(a, LAPIC_TIMER_ICR, 100);
    ck_assert_uint_eq(cpu_next_deadline(c), 400);
    c->clock = 200;
    ck_assert_uint_eq(rd(a, LAPIC_TIMER_CCR), 50);
    c->clock = 400;
    cpu_fire_due_timers(c);
    ck_assert(irr(a, 0x60));
    ck_assert_uint_eq(rd(a, LAPIC_TIMER_CCR), 0);
    ck_assert_uint_eq(cpu_next_deadline(c), UINT64_MAX); /* one-shot */
    /* periodic, divide by 1 */
    wr(a, LAPIC_TIMER_DCR, 0xb);
    wr(a, LAPIC_LVT_TIMER, 0x61 | 1u << 17);
    wr(a, LAPIC_TIMER_ICR, 10);
    c->clock = 410;
    cpu_fire_due_timers(c);
    ck_assert(irr(a, 0x61));
    ck_assert_uint_eq(cpu_next_deadline(c), 420);
    c->clock = 415;
    ck_assert_uint_eq(rd(a, LAPIC_TIMER_CCR), 5);
    /* TSC deadline: initial count ignored, IA32_TSC_DEADLINE fires once */
    wr(a, LAPIC_LVT_TIMER, 0x62 | 2u << 17);
    ck_assert_uint_eq(cpu_next_deadline(c), UINT64_MAX);
    wr(a, LAPIC_TIMER_ICR, 5);
    ck_assert_uint_eq(cpu_next_deadline(c), UINT64_MAX);
    ck_assert_int_eq(lapic_wrmsr(a, 0x6e0, 500), 1);
    uint64_t v;
    ck_assert_int_eq(lapic_rdmsr(a, 0x6e0, &v), 1);
    ck_assert_uint_eq(v, 500);
    ck_assert_uint_eq(cpu_next_deadline(c), 500);
    c->clock = 500;
    cpu_fire_due_timers(c);
    ck_assert(irr(a, 0x62));
    ck_assert_int_eq(lapic_rdmsr(a, 0x6e0, &v), 1);
    ck_assert_uint_eq(v, 0);
    /* a masked timer still counts but interrupts nobody */
    wr(a, LAPIC_LVT_TIMER, 0x10063);
    wr(a, LAPIC_TIMER_ICR, 10);
    c->clock = 520;
    cpu_fire_due_timers(c);
    ck_assert(!irr(a, 0x63));
    /* not in TSC-deadline mode: the MSR reads 0, writes are ignored */
    ck_assert_int_eq(lapic_wrmsr(a, 0x6e0, 900), 1);
    ck_assert_int_eq(lapic_rdmsr(a, 0x6e0, &v), 1);
    ck_assert_uint_eq(v, 0);
    fx_free(&f);
}
END_TEST

START_TEST(ioapic_level_eoi)
{
    struct fx f = fx_new(2);
    struct lapic *a = L(&f, 0);
    uint64_t v;
    wr(a, LAPIC_SVR, 0x1ff);
    ioapic_ops.write(f.io, 0, 4, 1);
    ioapic_ops.read(f.io, 0x10, 4, &v);
    ck_assert_uint_eq(v, 0x170020);
    ioapic_ops.write(f.io, 0, 4, 0);
    ioapic_ops.read(f.io, 0x10, 4, &v);
    ck_assert_uint_eq(v, 2u << 24); /* ID = ncpus */
    ck_assert_uint_eq(ioapic_redir(f.io, 4), 1u << 16);
    /* pin 4 masked, level: asserting does nothing until unmasked */
    ioapic_ops.write(f.io, 0, 4, 0x18);
    ioapic_ops.write(f.io, 0x10, 4, 0x10000 | 1u << 15 | 0x70);
    ioapic_set_irq(f.io, 4, 1);
    ck_assert(!irr(a, 0x70));
    ioapic_ops.write(f.io, 0x10, 4, 1u << 15 | 0x70);
    ck_assert(irr(a, 0x70));
    ck_assert(ioapic_redir(f.io, 4) & (1u << 14)); /* remote IRR */
    ck_assert_int_eq(lapic_ack(a), 0x70);
    ck_assert_uint_eq(rd(a, LAPIC_TMR + 0x30), 1u << 16); /* TMR: level */
    wr(a, LAPIC_EOI, 0); /* broadcast EOI: line still high, sent again */
    ck_assert(irr(a, 0x70));
    ck_assert(ioapic_redir(f.io, 4) & (1u << 14));
    ck_assert_int_eq(lapic_ack(a), 0x70);
    ioapic_set_irq(f.io, 4, 0);
    ioapic_ops.write(f.io, 0x40, 4, 0x70); /* the EOI register */
    ck_assert(!(ioapic_redir(f.io, 4) & (1u << 14)));
    wr(a, LAPIC_EOI, 0);
    ck_assert(!irr(a, 0x70));
    /* edge, logical destination (flat LDR bit 1 = CPU 1), rising edges only */
    struct lapic *b = L(&f, 1);
    wr(b, LAPIC_SVR, 0x1ff);
    wr(b, LAPIC_LDR, 2u << 24);
    ioapic_ops.write(f.io, 0, 4, 0x15);
    ioapic_ops.write(f.io, 0x10, 4, 2u << 24);
    ioapic_ops.write(f.io, 0, 4, 0x14);
    ioapic_ops.write(f.io, 0x10, 4, 1u << 11 | 0x71);
    ioapic_set_irq(f.io, 2, 1);
    ck_assert(irr(b, 0x71) && !irr(a, 0x71));
    ck_assert_int_eq(lapic_ack(b), 0x71);
    ioapic_set_irq(f.io, 2, 1);
    ck_assert(!irr(b, 0x71)); /* no edge */
    /* lowest priority to both (physical broadcast): CPU 1's TPR is lower
     * (once 0x71, in service there, is retired: the APR counts the ISR) */
    wr(b, LAPIC_EOI, 0);
    wr(a, LAPIC_TPR, 0x40);
    ioapic_ops.write(f.io, 0, 4, 0x17);
    ioapic_ops.write(f.io, 0x10, 4, 0xffu << 24);
    ioapic_ops.write(f.io, 0, 4, 0x16);
    ioapic_ops.write(f.io, 0x10, 4, 1u << 8 | 0x72);
    ioapic_set_irq(f.io, 3, 1);
    ck_assert(irr(b, 0x72) && !irr(a, 0x72));
    /* NMI delivery mode */
    ioapic_ops.write(f.io, 0, 4, 0x18);
    ioapic_ops.write(f.io, 0x10, 4, 4u << 8);
    ioapic_set_irq(f.io, 4, 1);
    ck_assert(X86(f.m->cpus[0])->nmi_pending);
    fx_free(&f);
}
END_TEST

/* Random register traffic (a fixed xorshift seed): never a crash, vectors
 * 0-15 never reach IRR/ISR, INTA always gives a vector 0..255. */
START_TEST(random_programming)
{
    struct fx f = fx_new(3);
    uint64_t r = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        int cpu = (int)(r % 3);
        struct lapic *l = L(&f, cpu);
        uint32_t v = (uint32_t)(r >> 20);
        uint64_t dummy;
        switch ((r >> 8) % 8) {
        case 0: case 1: wr(l, (unsigned)(r >> 40) & 0x3f0, v); break;
        case 2: (void)rd(l, (unsigned)(r >> 40) & 0xfff); break;
        case 3: (void)lapic_wrmsr(l, 0x800 + (uint32_t)((r >> 40) & 0x3f), (uint64_t)v << ((r >> 50) & 32)); break;
        case 4: (void)lapic_rdmsr(l, 0x800 + (uint32_t)((r >> 40) & 0x3f), &dummy); break;
        case 5: {
            int vec = lapic_ack(l);
            ck_assert(vec >= -1 && vec < 256);
            break;
        }
        case 6:
            ioapic_ops.write(f.io, (r >> 40) & 0x40 ? 0x10 : 0, 4, v);
            ioapic_set_irq(f.io, (int)((r >> 44) % 24), (int)((r >> 50) & 1));
            break;
        default:
            if ((r >> 40) & 1)
                (void)lapic_wrmsr(l, 0x1b, (r >> 41) & 1 ? 0xfee00c00 : (r >> 42) & 1 ? 0xfee00800 : 0xfee00000);
            f.m->cpus[cpu]->clock += (r >> 44) & 0xff;
            cpu_fire_due_timers(f.m->cpus[cpu]);
            break;
        }
        for (int c = 0; c < 3; c++) {
            struct lapic *t = L(&f, c);
            if (!lapic_hw_enabled(t) || !lapic_mmio_claims(t, 0xfee00000))
                continue;
            ck_assert_uint_eq(rd(t, LAPIC_IRR) & 0xffff, 0);
            ck_assert_uint_eq(rd(t, LAPIC_ISR) & 0xffff, 0);
        }
    }
    fx_free(&f);
}
END_TEST

Suite *lapic_suite(void)
{
    Suite *s = suite_create("lapic");
    TCase *t = tcase_create("core");
    tcase_add_test(t, reset_state);
    tcase_add_test(t, software_disable_lvt);
    tcase_add_test(t, priority_and_eoi);
    tcase_add_test(t, esr_errors);
    tcase_add_test(t, apic_base_transitions);
    tcase_add_test(t, x2apic_msrs);
    tcase_add_test(t, destinations);
    tcase_add_test(t, lowest_priority);
    tcase_add_test(t, init_sipi);
    tcase_add_test(t, timer_modes);
    tcase_add_test(t, ioapic_level_eoi);
    tcase_add_test(t, random_programming);
    suite_add_tcase(s, t);
    return s;
}
