/* RV64GC hart: creation, reset state, and the ISA-neutral cpu_ops glue. */
#include <stdlib.h>
#include "hart.h"
#include "rv_internal.h"
#include "../../sim/machine.h"

uint64_t rv_run(struct cpu *c, uint64_t budget); /* exec.c */

/* misa: MXL=2 (XLEN 64) and extensions A C D F I M S U (priv 1.12 §3.1.1). */
#define MISA_EXT(ch) (1ull << ((ch) - 'A'))
static const uint64_t rv_misa = (2ull << 62) | MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('D') |
                                MISA_EXT('F') | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('S') |
                                MISA_EXT('U');

static void rv_reset(struct cpu *c)
{
    struct rv_hart *h = RV_HART(c);
    memset(h->x, 0, sizeof h->x);
    memset(h->f, 0, sizeof h->f);
    h->pc = h->m->cfg.rom_base;      /* reset vector: the boot ROM */
    h->priv = PRV_M;
    h->misa = rv_misa;
    /* UXL = SXL = 2 (64-bit), everything else 0 (§3.1.6) */
    h->mstatus = (2ull << 32) | (2ull << 34);
    h->mhartid = (uint64_t)c->id;
    h->medeleg = h->mideleg = h->mie = 0;
    h->mip_sw = h->mip_hw = 0;
    h->mtvec = h->mscratch = h->mepc = h->mcause = h->mtval = 0;
    h->mcounteren = h->scounteren = h->menvcfg = h->senvcfg = h->mcountinhibit = 0;
    h->stvec = h->sscratch = h->sepc = h->scause = h->stval = h->satp = 0;
    h->stimecmp = UINT64_MAX;
    h->frm = h->fflags = 0;
    memset(h->pmpcfg, 0, sizeof h->pmpcfg);
    memset(h->pmpaddr, 0, sizeof h->pmpaddr);
    h->pmp_active = false;
    h->resv_valid = false;
    h->instret_adj = h->cycle_off = h->instret_off = 0;
    rv_tlb_flush(h);
    rv_update_modes(h);
    c->state = CPU_RUNNING;
}

static void rv_set_irq(struct cpu *c, int line, int level)
{
    struct rv_hart *h = RV_HART(c);
    uint64_t bit = 1ull << line;
    if (line == IRQ_SSI) {
        /* ACLINT SSWI: an edge that sets the software-writable SSIP */
        if (level)
            h->mip_sw |= bit;
    } else if (level) {
        h->mip_hw |= bit;
    } else {
        h->mip_hw &= ~bit;
    }
    h->attn = 1;
    /* If this hart is running right now (its own MMIO write), the loop
     * notices attn before the next instruction. */
}

static bool rv_wake_pending(struct cpu *c)
{
    struct rv_hart *h = RV_HART(c);
    return (rv_mip(h) & h->mie) != 0;
}

static uint64_t rv_get_pc(struct cpu *c)
{
    return RV_HART(c)->pc;
}

static void rv_free(struct cpu *c)
{
    free(c);
}

static const struct cpu_ops rv_cpu_ops = {
    .reset = rv_reset,
    .run = rv_run,
    .set_irq = rv_set_irq,
    .wake_pending = rv_wake_pending,
    .get_pc = rv_get_pc,
    .free = rv_free,
};

static void stimecmp_fire(void *opaque, struct cpu *c)
{
    (void)opaque;
    rv_stimecmp_update(RV_HART(c));
}

struct cpu *rv_hart_new(struct machine *m, int id)
{
    struct rv_hart *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->cpu.ops = &rv_cpu_ops;
    h->cpu.m = m;
    h->cpu.id = id;
    h->m = m;
    h->stimecmp_timer = cpu_timer_alloc(&h->cpu, stimecmp_fire, NULL);
    rv_reset(&h->cpu);
    return &h->cpu;
}

void rv_machine_attach(struct machine *m)
{
    m->bus.code_invalidate = rv_code_invalidate;
    m->bus.code_opaque = m;
}
