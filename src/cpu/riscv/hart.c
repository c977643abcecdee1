/* RV64GC hart: creation, reset state, and the ISA-neutral cpu_ops glue. */
#include <stdlib.h>
#include <xxhash.h>
#include "hart.h"
#include "rv_internal.h"
#include "pmu.h"
#include "trigger.h"
#include "jit.h"
#include "isa.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

uint64_t rv_run(struct cpu *c, uint64_t budget); /* exec.c */

/* misa: MXL=2 (XLEN 64) and extensions A C D F H I M S U (priv 1.12 §3.1.1). */
#define MISA_EXT(ch) (1ull << ((ch) - 'A'))
static const uint64_t rv_misa = (2ull << 62) | MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('D') |
                                MISA_EXT('F') | MISA_EXT('H') | MISA_EXT('I') | MISA_EXT('M') |
                                MISA_EXT('S') | MISA_EXT('U');

static void rv_reset(struct cpu *c)
{
    struct rv_hart *h = RV_HART(c);
    memset(h->x, 0, sizeof h->x);
    memset(h->f, 0, sizeof h->f);
    h->pc = h->reset_pc;             /* reset vector: the boot ROM */
    h->priv = PRV_M;
    h->misa = rv_misa | ((h->ext & RV_EXT_V) ? MISA_EXT('V') : 0);
    rv_vec_reset(h);
    /* UXL = SXL = 2 (64-bit), everything else 0 (§3.1.6) */
    h->mstatus = (2ull << 32) | (2ull << 34);
    h->mhartid = (uint64_t)c->id;
    h->medeleg = h->mie = 0;
    /* VS-level interrupts and SGEI are always delegated to HS (§8.4.1) */
    h->mideleg = (1ull << IRQ_VSSI) | (1ull << IRQ_VSTI) | (1ull << IRQ_VSEI) | (1ull << IRQ_SGEI);
    h->virt = false;
    h->hlsv = false;
    h->hstatus = h->hedeleg = h->hideleg = h->hcounteren = h->htval = h->htinst = 0;
    h->hgatp = h->henvcfg = h->htimedelta = h->mtval2 = h->mtinst = 0;
    h->vsstatus = h->vstvec = h->vsscratch = h->vsepc = h->vscause = h->vstval = h->vsatp = 0;
    h->vstimecmp = UINT64_MAX;
    h->mip_sw = h->mip_hw = 0;
    rv_aia_reset(h);
    h->mtvec = h->mscratch = h->mepc = h->mcause = h->mtval = 0;
    h->mcounteren = h->scounteren = h->menvcfg = h->senvcfg = h->mcountinhibit = 0;
    h->stvec = h->sscratch = h->sepc = h->scause = h->stval = h->satp = 0;
    h->stimecmp = UINT64_MAX;
    h->frm = h->fflags = 0;
    memset(h->pmpcfg, 0, sizeof h->pmpcfg);
    memset(h->pmpaddr, 0, sizeof h->pmpaddr);
    h->pmp_active = false;
    rv_pmp_recompute(h);
    h->resv_valid = false;
    h->instret_adj = h->cycle_off = h->instret_off = 0;
    memset(h->hpm_val, 0, sizeof h->hpm_val);
    memset(h->hpm_src, 0, sizeof h->hpm_src);
    memset(h->hpm_event, 0, sizeof h->hpm_event);
    cpu_timer_arm(c, h->pmu_timer, UINT64_MAX);
    h->pmu_per_insn = false;
    h->pmu_pend_op = 0;
    rv_trig_reset(h);
    rv_tlb_flush(h);
    rv_update_modes(h);
    c->state = CPU_RUNNING;
}

static void rv_set_irq(struct cpu *c, int line, int level)
{
    struct rv_hart *h = RV_HART(c);
    uint64_t bit = 1ull << line;
    if (rv_aia_plic_line(h, line, level))
        return; /* with IMSICs the PLIC's lines go through eidelivery (aia.c) */
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

/* An MSI from the board's IMSIC window (src/apic/imsic.c). */
static void rv_irq_msg(struct cpu *c, const struct cpu_msg *msg)
{
    if (msg->mode == CPU_MSG_IMSIC)
        rv_aia_msi(RV_HART(c), msg->vector, msg->eiid, msg->source_kind == 0, msg->source);
}

static uint64_t rv_wake_pending(struct cpu *c)
{
    struct rv_hart *h = RV_HART(c);
    return (rv_mip(h) & h->mie) | (h->aia.on ? rv_aia_wake(h) : 0);
}

/* The architectural state in check records, in this order. */
static const char *const rv_gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const rv_csr_state_names[] = {
    "fcsr", "mstatus", "medeleg", "mideleg", "mie", "mip", "mtvec", "mscratch",
    "mepc", "mcause", "mtval", "mcounteren", "menvcfg", "stvec", "sscratch", "sepc", "scause",
    "stval", "scounteren", "senvcfg", "satp", "stimecmp", "pmpcfg0", "pmpcfg2",
    "virt", "hstatus", "hedeleg", "hideleg", "hcounteren", "htval", "htinst", "hgatp",
    "henvcfg", "htimedelta", "mtval2", "mtinst", "vsstatus", "vstvec", "vsscratch", "vsepc",
    "vscause", "vstval", "vsatp", "vstimecmp",
};
enum { RV_NCSR_STATE = sizeof rv_csr_state_names / sizeof rv_csr_state_names[0] };
enum { RV_STATE_COUNT = 2 + 31 + 32 + RV_NCSR_STATE + 16 };
/* With V (docs/riscv.md "Vector"): the vector CSRs and an XXH3 hash of each
 * vector register's VLEN bits, so a replay names the first register that
 * differs without 512 values per hart */
static const char *const vec_names[] = {
    "vl", "vtype", "vstart", "vcsr",
    "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",
    "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26",
    "v27", "v28", "v29", "v30", "v31",
};
enum { RV_NVEC_STATE = sizeof vec_names / sizeof vec_names[0] };

/* Order: pc, priv, x1..x31, f0..f31, CSRs, pmpaddr0..15 — the first
 * difference a replay reports is then the most telling one. */
const char *rv_state_name(unsigned i)
{
    static const char *const fnames[32] = {
        "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
        "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
        "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
    };
    static const char *const pmpaddr[16] = {
        "pmpaddr0", "pmpaddr1", "pmpaddr2", "pmpaddr3", "pmpaddr4", "pmpaddr5", "pmpaddr6",
        "pmpaddr7", "pmpaddr8", "pmpaddr9", "pmpaddr10", "pmpaddr11", "pmpaddr12", "pmpaddr13",
        "pmpaddr14", "pmpaddr15",
    };
    if (i < 2)
        return i == 0 ? "pc" : "priv";
    i -= 2;
    if (i < 31)
        return rv_gpr_names[i + 1];
    i -= 31;
    if (i < 32)
        return fnames[i];
    i -= 32;
    if (i < RV_NCSR_STATE)
        return rv_csr_state_names[i];
    i -= RV_NCSR_STATE;
    if (i < 16)
        return pmpaddr[i];
    i -= 16;
    return i < RV_NVEC_STATE ? vec_names[i] : NULL;
}

static unsigned rv_arch_state(struct cpu *c, uint64_t *v, unsigned max)
{
    struct rv_hart *h = RV_HART(c);
    if (max < RV_STATE_COUNT)
        return 0;
    uint64_t pmp0 = 0, pmp2 = 0;
    for (int i = 7; i >= 0; i--) {
        pmp0 = pmp0 << 8 | h->pmpcfg[i];
        pmp2 = pmp2 << 8 | h->pmpcfg[8 + i];
    }
    const uint64_t csrs[RV_NCSR_STATE] = {
        (uint64_t)h->frm << 5 | h->fflags, h->mstatus, h->medeleg,
        h->mideleg, h->mie, rv_mip(h), h->mtvec, h->mscratch, h->mepc, h->mcause, h->mtval,
        h->mcounteren, h->menvcfg, h->stvec, h->sscratch, h->sepc, h->scause, h->stval,
        h->scounteren, h->senvcfg, h->satp, h->stimecmp, pmp0, pmp2,
        h->virt, h->hstatus, h->hedeleg, h->hideleg, h->hcounteren, h->htval, h->htinst,
        h->hgatp, h->henvcfg, h->htimedelta, h->mtval2, h->mtinst, h->vsstatus, h->vstvec,
        h->vsscratch, h->vsepc, h->vscause, h->vstval, h->vsatp, h->vstimecmp,
    };
    unsigned n = 0;
    v[n++] = h->pc;
    v[n++] = (uint64_t)h->priv;
    for (unsigned i = 1; i < 32; i++)
        v[n++] = h->x[i];
    for (unsigned i = 0; i < 32; i++)
        v[n++] = h->f[i];
    for (unsigned i = 0; i < RV_NCSR_STATE; i++)
        v[n++] = csrs[i];
    for (unsigned i = 0; i < 16; i++)
        v[n++] = h->pmpaddr[i];
    if ((h->ext & RV_EXT_V) && max >= RV_STATE_COUNT + RV_NVEC_STATE) {
        const struct rv_vec *vs = &h->vec;
        v[n++] = vs->vl;
        v[n++] = vs->vtype;
        v[n++] = vs->vstart;
        v[n++] = (uint64_t)vs->vxrm << 1 | vs->vxsat;
        for (unsigned r = 0; r < 32; r++)
            v[n++] = XXH3_64bits(vs->reg + (size_t)r * vs->vlenb, vs->vlenb);
    }
    return n;
}

/* From the predecoded fetch page (a 16-bit instruction's raw holds only its
 * parcel); unknown when the pc's page is not the one being fetched from or
 * its slot is not decoded yet (len 0). */
static unsigned rv_insn_bytes(struct cpu *c, uint8_t *buf, unsigned max)
{
    struct rv_hart *h = RV_HART(c);
    if ((h->pc & PAGE_MASK) != h->fetch_va || !h->fetch_page)
        return 0;
    const struct rv_dinsn *d = &h->fetch_page->d[(h->pc & 0xfff) >> 1];
    uint32_t raw = d->raw;
    unsigned len = d->len;
    for (unsigned i = 0; i < len && i < max; i++)
        buf[i] = (uint8_t)(raw >> (8 * i));
    return len;
}

static void rv_flush_tlb_op(struct cpu *c)
{
    rv_tlb_flush(RV_HART(c));
}

static uint64_t rv_get_pc(struct cpu *c)
{
    return RV_HART(c)->pc;
}

static void rv_free(struct cpu *c)
{
    rv_jit_free(RV_HART(c));
    free(c);
}

static void rv_copy_state(struct cpu *dst, const struct cpu *src)
{
    struct rv_hart *d = RV_HART(dst);
    struct machine *m = d->m;
    struct aclint *aclint = d->aclint;
    struct rv_jit *jit = d->jit;
    bool jit_owner = d->jit_owner;
    cpu_copy_whole(dst, src, sizeof *d);
    /* links to dst's own machine; caches rebuilt on use */
    d->m = m;
    d->aclint = aclint;
    d->fetch_page = NULL;
    d->fetch_region = NULL;
    d->jit = jit; /* dst's machine's own code cache (a clone builds one) */
    d->jit_owner = jit_owner;
    rv_tlb_flush(d);
}

static const struct cpu_ops rv_cpu_ops = {
    .reset = rv_reset,
    .run = rv_run,
    .set_irq = rv_set_irq,
    .irq_msg = rv_irq_msg,
    .wake_pending = rv_wake_pending,
    .get_pc = rv_get_pc,
    .free = rv_free,
    .arch_state = rv_arch_state,
    .flush_tlb = rv_flush_tlb_op,
    .insn_bytes = rv_insn_bytes,
    .copy_state = rv_copy_state,
    .arch = CPU_ARCH_RISCV64,
    .guest_id = rv_guest_id,
};

static void vstimecmp_fire(void *opaque, struct cpu *c)
{
    (void)opaque;
    struct rv_hart *h = RV_HART(c);
    TRACE(h->m, TK_TIMER_FIRE, c->id, cpu_now(c), TRACE_TIMER_VSTIMECMP, h->vstimecmp);
    rv_vstimecmp_update(h);
}

static void stimecmp_fire(void *opaque, struct cpu *c)
{
    (void)opaque;
    struct rv_hart *h = RV_HART(c);
    TRACE(h->m, TK_TIMER_FIRE, c->id, cpu_now(c), TRACE_TIMER_STIMECMP, h->stimecmp);
    rv_stimecmp_update(h);
}

struct cpu *rv_hart_new(struct machine *m, int id, uint64_t reset_pc, bool sv39_only)
{
    struct rv_hart *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->cpu.ops = &rv_cpu_ops;
    h->cpu.m = m;
    h->cpu.id = id;
    h->m = m;
    h->reset_pc = reset_pc;
    h->sv39_only = sv39_only;
    h->cpu.bp_guest = -1;
    h->stimecmp_timer = cpu_timer_alloc(&h->cpu, stimecmp_fire, NULL);
    h->vstimecmp_timer = cpu_timer_alloc(&h->cpu, vstimecmp_fire, NULL);
    h->pmu_timer = cpu_timer_alloc(&h->cpu, rv_pmu_timer_fire, NULL);
    rv_reset(&h->cpu);
    return &h->cpu;
}

void rv_hart_set_ext(struct cpu *c, uint32_t ext)
{
    struct rv_hart *h = RV_HART(c);
    h->ext = ext;
    h->misa = rv_misa | ((ext & RV_EXT_V) ? MISA_EXT('V') : 0);
}

void rv_hart_set_vlen(struct cpu *c, unsigned vlen)
{
    RV_HART(c)->vec.vlenb = vlen / 8;
}

void rv_hart_set_counters(struct cpu *c, unsigned n)
{
    RV_HART(c)->nhpm = n > RV_PMU_MAX ? RV_PMU_MAX : n;
}

void rv_hart_set_aia(struct cpu *c, unsigned geilen)
{
    struct rv_hart *h = RV_HART(c);
    h->aia.on = true;
    h->aia.geilen = geilen > RV_AIA_GUESTS_MAX ? RV_AIA_GUESTS_MAX : geilen;
    rv_aia_reset(h);
}

void rv_hart_set_triggers(struct cpu *c, unsigned n)
{
    struct rv_hart *h = RV_HART(c);
    h->ntrig = n > RV_TRIG_MAX ? RV_TRIG_MAX : n;
    rv_trig_reset(h);
}

void rv_hart_connect_aclint(struct cpu *c, struct aclint *a)
{
    RV_HART(c)->aclint = a;
}

void rv_machine_attach(struct machine *m)
{
    m->bus.code_invalidate = rv_code_invalidate;
    m->bus.code_opaque = m;
}
