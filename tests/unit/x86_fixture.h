/* Shared fixture for the x86_64 CPU tests (tests/unit/test_x86.c and the
 * differential tester tests/x86/difftest.c): a minimal machine around one
 * x86 CPU without a config file or board — a bus, 16 MiB of RAM at 0, a
 * GDT, an IDT whose every vector lands on a HLT, and 4-level page tables
 * (SDM vol. 3A §4.5) covering the first 4 GiB of linear addresses with
 * 2 MiB pages, of which the first 16 MiB are identity-mapped. The CPU is
 * put straight into 64-bit mode at CPL 0 (x86_cpu_enter_long_mode).
 *
 * No check.h here: failures of the fixture itself print and abort, so the
 * difftest links without libcheck (a unit test dies with the abort, which
 * check reports as a failure). */
#ifndef HVSIM_TEST_X86_FIXTURE_H
#define HVSIM_TEST_X86_FIXTURE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/x86.h"
#include "cpu/x86/x86_cpu.h"
#include "sim/bus.h"
#include "sim/config.h"
#include "sim/machine.h"

/* ---- memory layout (physical = linear for the identity-mapped 16 MiB) --- */
#define X86F_RAM_SIZE (16ull << 20)
#define X86F_GDT      0x1000ull   /* null, 0x08 64-bit code, 0x10 flat data */
#define X86F_IDT      0x2000ull   /* 256 interrupt gates of 16 bytes */
#define X86F_VECS     0x3000ull   /* vector v's handler: HLT at X86F_VECS + 16 v */
#define X86F_PML4     0x10000ull
#define X86F_PDPT     0x11000ull
#define X86F_PD       0x12000ull  /* 4 page directories: linear 0..4 GiB */
#define X86F_STACK    0x80000ull  /* initial RSP */
#define X86F_CODE     0x100000ull /* where tests usually put code */
#define X86F_DATA     0x200000ull /* ... and data */

#define X86F_PTE_P  0x001ull
#define X86F_PTE_RW 0x002ull
#define X86F_PTE_US 0x004ull
#define X86F_PTE_PS 0x080ull

struct x86f {
    struct machine *m;
    struct cpu *c;
    struct x86_cpu *x;
};

static inline _Noreturn void x86f_die(const char *what)
{
    fprintf(stderr, "x86 fixture: %s\n", what);
    abort();
}

static inline void x86f_write(struct x86f *f, uint64_t pa, const void *p, size_t n)
{
    if (!bus_load(&f->m->bus, pa, p, n))
        x86f_die("write outside RAM");
}
static inline void x86f_read(struct x86f *f, uint64_t pa, void *p, size_t n)
{
    uint8_t *h = bus_host_ptr(&f->m->bus, pa, n);
    if (!h)
        x86f_die("read outside RAM");
    memcpy(p, h, n);
}
static inline void x86f_w64(struct x86f *f, uint64_t pa, uint64_t v) { x86f_write(f, pa, &v, 8); }
static inline uint64_t x86f_r64(struct x86f *f, uint64_t pa)
{
    uint64_t v;
    x86f_read(f, pa, &v, 8);
    return v;
}

/* Maps the 2 MiB linear page va (< 4 GiB) to the physical page pa with the
 * PDE flags given (0: not present). Flushes the TLB. */
static inline void x86f_map_2m(struct x86f *f, uint64_t va, uint64_t pa, uint64_t flags)
{
    if ((va | pa) & 0x1fffff || va >= (4ull << 30))
        x86f_die("x86f_map_2m: bad address");
    x86f_w64(f, X86F_PD + 8 * (va >> 21), flags ? (pa | flags | X86F_PTE_PS) : 0);
    x86_tlb_flush(f->x, true);
}

/* Puts the CPU back into 64-bit mode at CPL 0 with RIP = rip, all GPRs 0
 * except RSP = X86F_STACK, RFLAGS = 2 (IF = 0), running. */
static inline void x86f_reset_cpu(struct x86f *f, uint64_t rip)
{
    f->c->ops->reset(f->c);
    memset(f->x->r, 0, sizeof f->x->r); /* reset leaves the signature in RDX */
    x86_cpu_enter_long_mode(f->c, rip, X86F_PML4, X86F_GDT, 23, X86F_STACK);
    f->x->idt_base = X86F_IDT;
    f->x->idt_limit = 256 * 16 - 1;
    f->c->state = CPU_RUNNING;
    f->m->exit_requested = false;
}

static inline struct x86f *x86f_new(void)
{
    struct x86f *f = calloc(1, sizeof *f);
    struct machine *m = calloc(1, sizeof *m);
    if (!f || !m)
        x86f_die("out of memory");
    f->m = m;
    config_defaults(&m->cfg);
    m->board = NULL; /* machine_free() skips the board's free */
    bus_init(&m->bus);
    m->bus.m = m;
    char err[256];
    m->ram = bus_add_mem(&m->bus, "ram", 0, X86F_RAM_SIZE, false, err, sizeof err);
    if (!m->ram)
        x86f_die(err);
    m->ncpus = 1;
    m->cpus[0] = f->c = x86_cpu_new(m, 0, NULL);
    if (!f->c)
        x86f_die("x86_cpu_new");
    f->x = X86(f->c);

    /* GDT (SDM vol. 3A §3.4.5): 0x08 code with L = 1, 0x10 writable data */
    x86f_w64(f, X86F_GDT + 0x00, 0);
    x86f_w64(f, X86F_GDT + 0x08, 0x00af9b000000ffffull);
    x86f_w64(f, X86F_GDT + 0x10, 0x00cf93000000ffffull);
    /* IDT: 64-bit interrupt gates (vol. 3A §6.14.1 Figure 6-8), selector
     * 0x08, DPL 3, IST 0, each to its own HLT */
    for (uint64_t v = 0; v < 256; v++) {
        uint64_t h = X86F_VECS + 16 * v;
        uint64_t lo = (h & 0xffff) | 0x08ull << 16 | 0xeeull << 40 | ((h >> 16) & 0xffff) << 48;
        x86f_w64(f, X86F_IDT + 16 * v, lo);
        x86f_w64(f, X86F_IDT + 16 * v + 8, h >> 32);
        uint8_t hlt[16];
        memset(hlt, 0xf4, sizeof hlt);
        x86f_write(f, h, hlt, sizeof hlt);
    }
    /* page tables: PML4[0] -> PDPT, PDPT[0..3] -> the four PDs */
    const uint64_t tf = X86F_PTE_P | X86F_PTE_RW | X86F_PTE_US;
    x86f_w64(f, X86F_PML4, X86F_PDPT | tf);
    for (uint64_t i = 0; i < 4; i++)
        x86f_w64(f, X86F_PDPT + 8 * i, (X86F_PD + 0x1000 * i) | tf);
    for (uint64_t va = 0; va < X86F_RAM_SIZE; va += 2ull << 20)
        x86f_w64(f, X86F_PD + 8 * (va >> 21), va | tf | X86F_PTE_PS);
    x86f_reset_cpu(f, X86F_CODE);
    return f;
}

static inline void x86f_free(struct x86f *f)
{
    if (!f)
        return;
    machine_free(f->m); /* frees the CPU, RAM and bus */
    free(f);
}

/* Writes code at pa (identity-mapped) and points RIP at it. */
static inline void x86f_code(struct x86f *f, uint64_t pa, const void *bytes, size_t n)
{
    x86f_write(f, pa, bytes, n);
    f->x->rip = pa;
    f->c->state = CPU_RUNNING;
}

/* Runs the CPU for up to n instructions the way the scheduler does (the
 * CPU clock advances by what retired). Returns the instructions retired. */
static inline uint64_t x86f_run(struct x86f *f, uint64_t n)
{
    struct cpu *c = f->c;
    f->m->sched.current = c;
    c->run_budget = n;
    uint64_t r = c->ops->run(c, n);
    c->run_budget = 0;
    c->clock += r;
    c->retired += r;
    f->m->sched.current = NULL;
    return r;
}

/* Registers and flags. */
static inline uint64_t x86f_reg(struct x86f *f, int r) { return f->x->r[r]; }
static inline void x86f_set_reg(struct x86f *f, int r, uint64_t v) { f->x->r[r] = v; }
static inline uint64_t x86f_flags(struct x86f *f) { return f->x->rflags; }
static inline void x86f_set_flags(struct x86f *f, uint64_t v) { f->x->rflags = v | FL_FIXED1; }

/* Outcome of x86f_run_to_hlt. */
enum { X86F_HALTED = -1, X86F_BUDGET = -2, X86F_STOPPED = -3 };

/* Runs until the CPU executes a HLT (it sleeps) or max instructions ran.
 * Returns X86F_HALTED for a HLT of the test code, the vector when the HLT
 * was an exception handler of the fixture's IDT (the error code, if any,
 * is then at [RSP]), X86F_BUDGET when max ran out, X86F_STOPPED after a
 * triple fault. *ran (may be NULL) gets the instructions retired. */
static inline int x86f_run_to_hlt(struct x86f *f, uint64_t max, uint64_t *ran)
{
    uint64_t n = 0;
    while (n < max && f->c->state == CPU_RUNNING)
        n += x86f_run(f, max - n);
    if (ran)
        *ran = n;
    if (f->c->state == CPU_STOPPED)
        return X86F_STOPPED;
    if (f->c->state != CPU_SLEEPING)
        return X86F_BUDGET;
    uint64_t at = f->x->rip - 1; /* RIP is past the HLT */
    if (at >= X86F_VECS && at < X86F_VECS + 16 * 256)
        return (int)((at - X86F_VECS) / 16);
    return X86F_HALTED;
}

#endif
