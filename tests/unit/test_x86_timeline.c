/* The x86 interrupt timeline (docs/trace-format.md "IPI mechanisms" and
 * "Check records", docs/x86.md "Interrupts and SMP"): the ICR an ipi.send
 * carries in its mech argument and the words the x86 registry gives it;
 * the events the local APIC emits for ICR writes, EOIs and its timer; the
 * PC board's device state in check records (IOAPIC and local APICs), whose
 * difference a replay names. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apic/ioapic.h"
#include "apic/lapic.h"
#include "cpu/x86/x86.h"
#include "cpu/x86/x86_cpu.h"
#include "sim/arch.h"
#include "sim/board.h"
#include "sim/bus.h"
#include "sim/config.h"
#include "sim/machine.h"
#include "trace/archnames.h"
#include "trace/tools.h"
#include "trace/trace.h"
#include "trace_capture.h"

static const struct arch_info *X(void)
{
    const struct arch_info *a = arch_by_name("x86_64");
    ck_assert_ptr_nonnull(a);
    return a;
}

/* The words of an ipi.send mech on x86. */
static const char *words(uint64_t mech)
{
    static char buf[128];
    trace_arch_ipi_detail(X(), mech, buf, sizeof buf);
    return buf;
}

/* ---- encoding ---- */

START_TEST(mech_layout)
{
    /* ICR[19:0] in bits 27:8, destination field in 63:32, LAPIC in 7:0 */
    uint64_t m = lapic_trace_mech(0x000c40fdu, 0x12345678u);
    ck_assert_uint_eq(TRACE_IPI_MECH(m), IPI_MECH_LAPIC);
    ck_assert_uint_eq(LAPIC_TRACE_ICR(m), 0xc40fdu);
    ck_assert_uint_eq(LAPIC_TRACE_DEST(m), 0x12345678u);
    ck_assert_uint_eq(m, 0x12345678ull << 32 | 0xc40fdull << 8 | 5);
    /* reserved bits and delivery status (12) are not recorded */
    ck_assert_uint_eq(LAPIC_TRACE_ICR(lapic_trace_mech(0xfff3f0ffu, 0)), 0x0c0ffu);
    ck_assert_uint_eq(LAPIC_TRACE_ICR(lapic_trace_mech(0x1000u | 0x4500u, 1)), 0x4500u);
    /* the name of the mechanism ignores the detail */
    ck_assert_str_eq(trace_ipi_mech_name(m), "LAPIC");
    ck_assert_str_eq(trace_ipi_mech_name(IPI_MECH_LAPIC), "LAPIC");
    ck_assert_uint_eq(TRACE_IPI_DETAIL(IPI_MECH_MSWI), 0);
}
END_TEST

START_TEST(mech_words)
{
    /* SDM vol. 3A Figure 10-12: vector 7:0, mode 10:8, logical 11, level
     * 14, trigger 15, shorthand 19:18 */
    ck_assert_str_eq(words(lapic_trace_mech(0x4500, 1)), "INIT phys=0x1");
    ck_assert_str_eq(words(lapic_trace_mech(0x8500, 0)), "INIT-deassert");
    ck_assert_str_eq(words(lapic_trace_mech(0x0608, 3)), "SIPI vector=0x08 phys=0x3");
    ck_assert_str_eq(words(lapic_trace_mech(0x0c40fd, 0)), "fixed vector=0xfd all-but-self");
    ck_assert_str_eq(words(lapic_trace_mech(0x0840fd, 0)), "fixed vector=0xfd all");
    ck_assert_str_eq(words(lapic_trace_mech(0x044040, 0)), "fixed vector=0x40 self");
    ck_assert_str_eq(words(lapic_trace_mech(0x4400, 2)), "NMI phys=0x2");
    ck_assert_str_eq(words(lapic_trace_mech(0x4200, 2)), "SMI phys=0x2");
    ck_assert_str_eq(words(lapic_trace_mech(0x0931, 0x0f)), "lowest vector=0x31 logical=0xf");
    ck_assert_str_eq(words(lapic_trace_mech(0xc041, 0xff)), "fixed vector=0x41 level phys=0xff");
    ck_assert_str_eq(words(lapic_trace_mech(0x0050, 0x10002)), "fixed vector=0x50 phys=0x10002");
    ck_assert_str_eq(trace_arch_ipi_class(X(), lapic_trace_mech(0x0608, 1)), "SIPI");
    ck_assert_str_eq(trace_arch_ipi_class(X(), lapic_trace_mech(0x8500, 0)), "INIT-deassert");
    ck_assert_str_eq(trace_arch_ipi_class(X(), lapic_trace_mech(0x0931, 1)), "lowest");
    /* no detail: an x86 trace recorded before it, or another mechanism */
    char buf[32] = "x";
    ck_assert_uint_eq(trace_arch_ipi_detail(X(), IPI_MECH_LAPIC, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_ptr_null(trace_arch_ipi_class(X(), IPI_MECH_LAPIC));
    ck_assert_ptr_null(trace_arch_ipi_class(X(), IPI_MECH_MSWI | 0x100));
    /* RISC-V has no detail hook; an unknown architecture names nothing */
    const struct arch_info *rv = arch_by_name("riscv64");
    ck_assert_ptr_nonnull(rv);
    ck_assert_uint_eq(trace_arch_ipi_detail(rv, lapic_trace_mech(0x4500, 1), buf, sizeof buf), 0);
    ck_assert_ptr_null(trace_arch_ipi_class(NULL, lapic_trace_mech(0x4500, 1)));
}
END_TEST

/* ---- the tools: show, stats ---- */

START_TEST(show_words)
{
    char buf[256];
    struct trace_event send = { .kind = TK_IPI_SEND,
                                .a = { lapic_trace_mech(0x0608, 2), 1u << 2, 0x1000, 0 } };
    trace_show_format(X(), NULL, false, &send, buf, sizeof buf);
    ck_assert_str_eq(buf, " LAPIC SIPI vector=0x08 phys=0x2 dest={2} pc=0x1000");
    /* an x86 trace recorded before the ICR went into mech */
    send.a[0] = IPI_MECH_LAPIC;
    trace_show_format(X(), NULL, false, &send, buf, sizeof buf);
    ck_assert_str_eq(buf, " LAPIC dest={2} pc=0x1000");
    /* an architecture this build does not know: the detail as a number */
    send.a[0] = lapic_trace_mech(0x4500, 2);
    trace_show_format(NULL, NULL, false, &send, buf, sizeof buf);
    ck_assert_str_eq(buf, " LAPIC detail=0x2004500 dest={2} pc=0x1000");
    struct trace_event deliver = { .kind = TK_IPI_DELIVER, .a = { IPI_MECH_LAPIC, 0x608, 0 } };
    trace_show_format(X(), NULL, false, &deliver, buf, sizeof buf);
    ck_assert_str_eq(buf, " LAPIC line=SIPI 0x08 src=0");
    deliver.a[1] = 0x400;
    trace_show_format(X(), NULL, false, &deliver, buf, sizeof buf);
    ck_assert_str_eq(buf, " LAPIC line=NMI src=0");
    deliver.a[1] = 0xfd;
    trace_show_format(X(), NULL, false, &deliver, buf, sizeof buf);
    ck_assert_str_eq(buf, " LAPIC line=int 0xfd src=0");
    /* wfi.sleep (HLT): the code mode in bits 63:56 of insn (TRACE_WFI_MODE),
     * named and disassembled in; none in 64-bit mode (as before) */
    struct trace_event hlt = { .kind = TK_WFI_SLEEP, .a = { 0xf1234, 0xf4 | (uint64_t)X86_TMODE_REAL16 << 56 } };
    ck_assert_uint_eq(TRACE_WFI_MODE(hlt.a[1]), X86_TMODE_REAL16);
    ck_assert_uint_eq(TRACE_WFI_INSN(hlt.a[1]), 0xf4);
    trace_show_format(X(), NULL, true, &hlt, buf, sizeof buf);
    ck_assert_str_eq(buf, " real pc=0xf1234: hlt");
    hlt.a[1] = 0xf4;
    trace_show_format(X(), NULL, true, &hlt, buf, sizeof buf);
    ck_assert_str_eq(buf, " pc=0xf1234: hlt");
    /* RISC-V records are shown as before */
    struct trace_event mswi = { .kind = TK_IPI_SEND, .a = { IPI_MECH_MSWI, 2, 0x1000, 0 } };
    trace_show_format(arch_by_name("riscv64"), NULL, false, &mswi, buf, sizeof buf);
    ck_assert_str_eq(buf, " MSWI dest={1} pc=0x1000");
}
END_TEST

static char *stats_report(const struct arch_info *a, const struct trace_event *ev, size_t n)
{
    struct trace_stats *st = trace_stats_new();
    for (size_t i = 0; i < n; i++)
        trace_stats_add(st, a, &ev[i]);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    trace_stats_print(st, a, ~0ull, f);
    fclose(f);
    trace_stats_free(st);
    return text;
}

START_TEST(stats_per_mode)
{
    const struct trace_event ev[] = {
        { .time = 10, .cpu = 0, .kind = TK_IPI_SEND, .a = { lapic_trace_mech(0x4500, 1), 2 } },
        { .time = 10, .cpu = 1, .kind = TK_IPI_DELIVER, .a = { IPI_MECH_LAPIC, 0x500, 0 } },
        { .time = 20, .cpu = 0, .kind = TK_IPI_SEND, .a = { lapic_trace_mech(0x40, 1), 2 } },
        { .time = 23, .cpu = 1, .kind = TK_IPI_DELIVER, .a = { IPI_MECH_LAPIC, 0x40, 0 } },
        { .time = 27, .cpu = 1, .kind = TK_IRQ_TAKE, .a = { 0x40, 0, 0, 0x2000 } },
    };
    char *r = stats_report(X(), ev, 5);
    /* the pair as a whole: 2 sends, both delivered, one taken */
    ck_assert_msg(strstr(r, "  LAPIC 0->1            2         2 0/0/3/3") != NULL, "%s", r);
    ck_assert_msg(strstr(r, "ipi latency per delivery mode") != NULL, "%s", r);
    ck_assert_msg(strstr(r, "  LAPIC INIT          0->1            1         1 0/0/0/0 ") != NULL,
                  "%s", r);
    ck_assert_msg(strstr(r, "  LAPIC fixed         0->1            1         1 3/3/3/3 ") != NULL &&
                  strstr(r, " 1 7/7/7/7") != NULL, "%s", r);
    free(r);
    /* an old trace (no ICR in mech) and RISC-V: no per-mode table */
    struct trace_event old[5];
    memcpy(old, ev, sizeof old);
    old[0].a[0] = old[2].a[0] = IPI_MECH_LAPIC;
    r = stats_report(X(), old, 5);
    ck_assert_msg(strstr(r, "  LAPIC 0->1            2         2 ") != NULL, "%s", r);
    ck_assert_msg(strstr(r, "per delivery mode") == NULL, "%s", r);
    free(r);
}
END_TEST

/* x86 posted interrupts (docs/trace-format.md "IPI mechanisms"): the
 * notification's LAPIC send 0->1 is taken by the posted-interrupt
 * processing on 1, which becomes a POSTED 0->1 send, delivered there and
 * taken at the guest's irq.take of the posted vector */
START_TEST(stats_posted)
{
    const struct trace_event ev[] = {
        { .time = 100, .cpu = 0, .kind = TK_IPI_SEND, .a = { lapic_trace_mech(0xf2, 1), 2 } },
        { .time = 104, .cpu = 1, .kind = TK_IPI_DELIVER, .a = { IPI_MECH_LAPIC, 0xf2, 0 } },
        { .time = 110, .cpu = 1, .kind = TK_IPI_DELIVER,
          .a = { IPI_MECH_POSTED | 0xf2u << 8, 0x41, 1 } },
        { .time = 112, .cpu = 1, .kind = TK_IPI_DELIVER, .a = { IPI_MECH_VINTR, 0x41, 1 } },
        { .time = 112, .cpu = 1, .kind = TK_IRQ_TAKE, .a = { 0x41, 0, 0, 0x2000 } },
    };
    char *r = stats_report(X(), ev, 5);
    ck_assert_msg(strstr(r, "  LAPIC 0->1            1         1 4/4/4/4                              1 10/10/10/10") != NULL, "%s", r);
    ck_assert_msg(strstr(r, "  POSTED 0->1            1         1 10/10/10/10                          1 12/12/12/12") != NULL, "%s", r);
    free(r);
    /* without a recorded notification: the CPU's own pair, no LAPIC row */
    r = stats_report(X(), ev + 2, 3);
    ck_assert_msg(strstr(r, "  POSTED 1->1            1         1 0/0/0/0 ") != NULL, "%s", r);
    ck_assert_msg(strstr(r, "LAPIC") == NULL, "%s", r);
    free(r);
    char buf[256];
    trace_show_format(X(), NULL, false, &ev[2], buf, sizeof buf);
    ck_assert_str_eq(buf, " POSTED line=int 0x41 notify=0xf2 src=1");
    trace_show_format(X(), NULL, false, &ev[3], buf, sizeof buf);
    ck_assert_str_eq(buf, " VINTR line=int 0x41 src=1");
}
END_TEST

/* ---- emission, on bare CPUs with their APICs ---- */

struct fx {
    struct machine *m;
    struct lapic_sys *s;
    struct ev_log log;
};

static void fx_new(struct fx *f, int n)
{
    f->m = calloc(1, sizeof *f->m);
    ck_assert_ptr_nonnull(f->m);
    config_defaults(&f->m->cfg);
    bus_init(&f->m->bus);
    f->m->bus.m = f->m;
    f->m->ncpus = n;
    for (int i = 0; i < n; i++)
        ck_assert_ptr_nonnull(f->m->cpus[i] = x86_cpu_new(f->m, i, NULL));
    f->s = lapic_sys_new(f->m, n);
    ck_assert_ptr_nonnull(f->s);
    for (int i = 0; i < n; i++)
        x86_cpu_attach_lapic(f->m->cpus[i], lapic_of(f->s, i), i != 0);
    ev_log_attach(&f->log, f->m, ~0ull);
}

static void fx_free(struct fx *f)
{
    f->m->trace = NULL;
    f->m->trace_mask = 0;
    lapic_sys_free(f->s);
    machine_free(f->m);
}

static void wr(struct lapic *l, unsigned off, uint32_t v) { lapic_mmio_write(l, off, 4, v); }

static const struct trace_event *find(struct fx *f, unsigned kind, int nth)
{
    for (int i = 0; i < f->log.n; i++)
        if (f->log.ev[i].kind == kind && nth-- == 0)
            return &f->log.ev[i];
    return NULL;
}

START_TEST(icr_write_events)
{
    struct fx f;
    fx_new(&f, 4);
    struct lapic *a = lapic_of(f.s, 0);
    wr(a, LAPIC_SVR, 0x1ff);
    wr(a, LAPIC_ICR_HI, 2u << 24);
    wr(a, LAPIC_ICR_LO, 0x4500); /* INIT assert to APIC 2 */
    wr(a, LAPIC_ICR_LO, 0x8500); /* INIT level de-assert: every APIC */
    wr(a, LAPIC_ICR_LO, 0x0608); /* SIPI vector 8 to APIC 2 */
    wr(a, LAPIC_ICR_LO, 0xc40fd); /* fixed 0xfd to all but self */
    const struct trace_event *e = find(&f, TK_IPI_SEND, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->cpu, 0);
    ck_assert_uint_eq(e->a[0], lapic_trace_mech(0x4500, 2));
    ck_assert_uint_eq(e->a[1], 1u << 2);
    ck_assert_str_eq(words(e->a[0]), "INIT phys=0x2");
    e = find(&f, TK_IPI_SEND, 1);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(words(e->a[0]), "INIT-deassert");
    ck_assert_uint_eq(e->a[1], 0xf);
    e = find(&f, TK_IPI_SEND, 2);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(words(e->a[0]), "SIPI vector=0x08 phys=0x2");
    e = find(&f, TK_IPI_SEND, 3);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(words(e->a[0]), "fixed vector=0xfd all-but-self");
    ck_assert_uint_eq(e->a[1], 0xe);
    /* x2APIC: the 32-bit destination and SELF IPI */
    uint64_t base;
    ck_assert_int_eq(lapic_rdmsr(a, 0x1b, &base), 1);
    ck_assert_int_eq(lapic_wrmsr(a, 0x1b, base | APIC_BASE_EXTD), 1);
    ck_assert_int_eq(lapic_wrmsr(a, 0x830, 3ull << 32 | 0x4400), 1); /* NMI to APIC 3 */
    ck_assert_int_eq(lapic_wrmsr(a, 0x83f, 0x77), 1);                /* SELF IPI 0x77 */
    e = find(&f, TK_IPI_SEND, 4);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], lapic_trace_mech(0x4400, 3));
    ck_assert_str_eq(words(e->a[0]), "NMI phys=0x3");
    e = find(&f, TK_IPI_SEND, 5);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(words(e->a[0]), "fixed vector=0x77 self");
    ck_assert_uint_eq(e->a[1], 1);
    fx_free(&f);
}
END_TEST

/* ipi.send of an ICR write by the CPU in its slot: pc = the linear
 * address of its instruction (CS.base + IP outside 64-bit mode, RIP in
 * it) and its code mode in bits 30:28 of mech (TRACE_IPI_MODE: 0 in
 * 64-bit mode, so 64-bit records are as before); the ICR words unchanged */
START_TEST(icr_write_pc_mode)
{
    struct fx f;
    fx_new(&f, 2);
    struct lapic *a = lapic_of(f.s, 0);
    struct x86_cpu *x = X86(f.m->cpus[0]);
    wr(a, LAPIC_SVR, 0x1ff);
    wr(a, LAPIC_ICR_HI, 1u << 24);
    f.m->sched.current = f.m->cpus[0];
    x->cr0 &= ~(uint64_t)CR0_PE; /* real mode at F000:1234 */
    x->seg[X86_CS].base = 0xf0000;
    x->rip = 0x1234;
    x->code_size = 2;
    wr(a, LAPIC_ICR_LO, 0x4500);
    x->cr0 |= CR0_PE; /* 32-bit protected mode, CS base 10000h */
    x->seg[X86_CS].base = 0x10000;
    x->rip = 0x20;
    x->code_size = 4;
    wr(a, LAPIC_ICR_LO, 0x4500);
    x->code_size = 8; /* 64-bit mode: RIP (CS's base is not used) */
    x->rip = 0xffffffff81000000ull;
    wr(a, LAPIC_ICR_LO, 0x4500);
    f.m->sched.current = NULL;
    const struct trace_event *e = find(&f, TK_IPI_SEND, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[2], 0xf1234);
    ck_assert_uint_eq(TRACE_IPI_MODE(e->a[0]), X86_TMODE_REAL16);
    ck_assert_str_eq(words(e->a[0]), "INIT phys=0x1");
    ck_assert_str_eq(trace_arch_mode(X(), TRACE_IPI_MODE(e->a[0])), "real");
    e = find(&f, TK_IPI_SEND, 1);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[2], 0x10020);
    ck_assert_uint_eq(TRACE_IPI_MODE(e->a[0]), X86_TMODE_PROT32);
    ck_assert_str_eq(words(e->a[0]), "INIT phys=0x1");
    e = find(&f, TK_IPI_SEND, 2);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[2], 0xffffffff81000000ull);
    ck_assert_uint_eq(e->a[0], lapic_trace_mech(0x4500, 1));
    fx_free(&f);
}
END_TEST

/* EOI is irq.complete (ctx = the CPU, src = the vector); the timer's
 * arming is timer.set, named by the registry. */
START_TEST(eoi_and_timer_events)
{
    struct fx f;
    fx_new(&f, 1);
    struct lapic *a = lapic_of(f.s, 0);
    wr(a, LAPIC_SVR, 0x1ff);
    wr(a, LAPIC_ICR_LO, 0x44051); /* self, fixed 0x51 */
    ck_assert_int_eq(lapic_ack(a), 0x51);
    wr(a, LAPIC_EOI, 0);
    const struct trace_event *e = find(&f, TK_IRQ_COMPLETE, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], 0);
    ck_assert_uint_eq(e->a[1], 0x51);
    wr(a, LAPIC_LVT_TIMER, 0x30);
    wr(a, LAPIC_TIMER_DCR, 0xb); /* divide by 1 */
    wr(a, LAPIC_TIMER_ICR, 1000);
    e = find(&f, TK_TIMER_SET, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], LAPIC_TRACE_TIMER);
    ck_assert_uint_eq(e->a[1], 1000);
    ck_assert_str_eq(trace_arch_timer(X(), e->a[0]), "lapic-timer");
    ck_assert_str_eq(trace_arch_timer(X(), LAPIC_TRACE_TSC_DEADLINE), "tsc-deadline");
    uint64_t d1 = e->a[2];
    /* a new divide configuration moves the deadline: timer.set again */
    wr(a, LAPIC_TIMER_DCR, 0x0); /* divide by 2 */
    e = find(&f, TK_TIMER_SET, 1);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], LAPIC_TRACE_TIMER);
    ck_assert_uint_eq(e->a[1], 1000);
    ck_assert_uint_gt(e->a[2], d1);
    /* a timer mode change disarms it: timer.set off / never */
    wr(a, LAPIC_LVT_TIMER, 0x40030); /* TSC-deadline mode */
    e = find(&f, TK_TIMER_SET, 2);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], LAPIC_TRACE_TIMER);
    ck_assert_uint_eq(e->a[1], UINT64_MAX);
    ck_assert_uint_eq(e->a[2], UINT64_MAX);
    /* TSC deadline armed, then INIT-style reset disarms it */
    ck_assert_int_eq(lapic_wrmsr(a, 0x6e0, 5000), 1);
    e = find(&f, TK_TIMER_SET, 3);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], LAPIC_TRACE_TSC_DEADLINE);
    ck_assert_uint_eq(e->a[1], 5000);
    lapic_reset(a, true);
    e = find(&f, TK_TIMER_SET, 4);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->a[0], LAPIC_TRACE_TSC_DEADLINE);
    ck_assert_uint_eq(e->a[1], UINT64_MAX);
    lapic_reset(a, true); /* nothing armed: no event */
    ck_assert_ptr_null(find(&f, TK_TIMER_SET, 5));
    fx_free(&f);
}
END_TEST

/* ---- check records: the board's device state ---- */

/* A minimal x86-64 ELF kernel (ELF-64 object file format: a 64-byte file
 * header, one 56-byte PT_LOAD program header), a HLT loop at 1 MiB. Written
 * by hand: <elf.h>'s PF_W clashes with the #PF bits of x86_cpu.h. */
static void put(uint8_t *p, unsigned off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[off + i] = (uint8_t)(v >> (8 * i));
}

static void write_kernel(char *path)
{
    strcpy(path, "/tmp/hvsim-x86tl-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    uint8_t img[64 + 56 + 4] = { 0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1 };
    put(img, 16, 2, 2);          /* e_type ET_EXEC */
    put(img, 18, 62, 2);         /* e_machine EM_X86_64 */
    put(img, 20, 1, 4);          /* e_version */
    put(img, 24, 0x100000, 8);   /* e_entry */
    put(img, 32, 64, 8);         /* e_phoff */
    put(img, 52, 64, 2);         /* e_ehsize */
    put(img, 54, 56, 2);         /* e_phentsize */
    put(img, 56, 1, 2);          /* e_phnum */
    put(img, 64, 1, 4);          /* p_type PT_LOAD */
    put(img, 68, 5, 4);          /* p_flags R X */
    put(img, 72, 120, 8);        /* p_offset */
    put(img, 80, 0x100000, 8);   /* p_vaddr */
    put(img, 88, 0x100000, 8);   /* p_paddr */
    put(img, 96, 4, 8);          /* p_filesz */
    put(img, 104, 4, 8);         /* p_memsz */
    put(img, 112, 1, 8);         /* p_align */
    img[120] = 0xf4;             /* hlt */
    img[121] = 0xeb;             /* jmp back to the hlt */
    img[122] = 0xfd;
    ck_assert_int_eq(write(fd, img, sizeof img), (int)sizeof img);
    close(fd);
}

struct blobs {
    struct trace t;
    uint8_t *blob[4];
    size_t len[4];
    int n;
};

static void keep_blob(void *opaque, const struct trace_event *ev)
{
    struct blobs *b = opaque;
    if (ev->kind != TK_CHECK || b->n >= 4)
        return;
    b->blob[b->n] = malloc(ev->blob_len);
    memcpy(b->blob[b->n], ev->blob, ev->blob_len);
    b->len[b->n++] = ev->blob_len;
}

START_TEST(check_covers_apics)
{
    char kpath[64], err[256] = "";
    write_kernel(kpath);
    const struct board_ops *pc = board_by_arch("x86_64");
    ck_assert_ptr_nonnull(pc);
    ck_assert_ptr_nonnull(pc->check_state);
    ck_assert_ptr_null(board_by_arch("riscv64")->check_state); /* RISC-V records unchanged */
    struct config c;
    config_defaults_for(&c, pc);
    ck_assert_msg(config_parse_string(&c, "[machine]\nsmp = 2\n", "t.ini", err, sizeof err), "%s",
                  err);
    snprintf(c.kernel, sizeof c.kernel, "%s", kpath);
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
    struct machine *m = machine_new(&c, "none", err, sizeof err);
    unlink(kpath);
    ck_assert_msg(m != NULL, "machine_new: %s", err);

    /* the values: the IOAPIC, then one block per local APIC */
    uint64_t v1[BOARD_MAX_CHECK_STATE], v2[BOARD_MAX_CHECK_STATE];
    unsigned n = pc->check_state(m, v1, BOARD_MAX_CHECK_STATE);
    ck_assert_uint_eq(n, IOAPIC_CHECK_N + 2 * LAPIC_CHECK_N);
    char nb[64];
    ck_assert_str_eq(pc->check_name(0, nb, sizeof nb), "ioapic.sel");
    ck_assert_str_eq(pc->check_name(3 + 5, nb, sizeof nb), "ioapic.redir5");
    ck_assert_str_eq(pc->check_name(IOAPIC_CHECK_N + LAPIC_CHECK_N + 2, nb, sizeof nb),
                     "lapic1.tpr");
    ck_assert_uint_eq(v1[3 + 5], 1ull << 16); /* redirection entries reset masked */

    struct blobs b = { 0 };
    b.t.mask = 1ull << TK_CHECK;
    b.t.sink = keep_blob;
    b.t.sink_opaque = &b;
    m->trace = &b.t;
    m->trace_mask = b.t.mask;
    trace_check(m); /* takes the loaded pages */
    trace_check(m);
    /* a register only the APIC holds (the TPR would show as CR8 too) */
    lapic_mmio_write(X86(m->cpus[1])->lapic, LAPIC_DEFAULT_BASE + LAPIC_SVR, 4, 0x1ff);
    ck_assert_uint_eq(pc->check_state(m, v2, BOARD_MAX_CHECK_STATE), n);
    ck_assert_uint_eq(v1[IOAPIC_CHECK_N + LAPIC_CHECK_N + 5], 0xff);
    ck_assert_uint_eq(v2[IOAPIC_CHECK_N + LAPIC_CHECK_N + 5], 0x1ff);
    trace_check(m);
    ck_assert_int_eq(b.n, 3);
    /* same CPU registers and pages, another APIC state: another blob, and
     * a replay comparing them names the register */
    char why[256];
    ck_assert(!trace_check_diff(X(), b.blob[1], b.len[1], b.blob[1], b.len[1], why, sizeof why));
    ck_assert(trace_check_diff(X(), b.blob[1], b.len[1], b.blob[2], b.len[2], why, sizeof why));
    ck_assert_str_eq(why, "device state lapic1.svr: recorded 0xff, replayed 0x1ff");
    /* an IOAPIC register too */
    bus_write(&m->bus, IOAPIC_DEFAULT_BASE, 4, 0x12); /* IOREGSEL: entry 1 high */
    trace_check(m);
    ck_assert_int_eq(b.n, 4);
    ck_assert(trace_check_diff(X(), b.blob[2], b.len[2], b.blob[3], b.len[3], why, sizeof why));
    ck_assert_str_eq(why, "device state ioapic.sel: recorded 0x0, replayed 0x12");
    for (int i = 0; i < b.n; i++)
        free(b.blob[i]);
    m->trace = NULL;
    m->trace_mask = 0;
    machine_free(m);
}
END_TEST

Suite *x86_timeline_suite(void)
{
    Suite *s = suite_create("x86_timeline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, mech_layout);
    tcase_add_test(tc, mech_words);
    tcase_add_test(tc, show_words);
    tcase_add_test(tc, stats_per_mode);
    tcase_add_test(tc, stats_posted);
    tcase_add_test(tc, icr_write_events);
    tcase_add_test(tc, icr_write_pc_mode);
    tcase_add_test(tc, eoi_and_timer_events);
    tcase_add_test(tc, check_covers_apics);
    suite_add_tcase(s, tc);
    return s;
}
