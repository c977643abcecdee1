/* Traps: exceptions, interrupts, delegation and xRET (priv spec 1.12 §3.1.6,
 * §3.1.8-§3.1.9, §3.3.2, §4.1). */
#include "rv_internal.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

/* Which TLB set serves fetches and data accesses in the current state. */
void rv_update_modes(struct rv_hart *h)
{
    static const int by_priv[4] = { RV_MODE_U, RV_MODE_S, RV_MODE_S, RV_MODE_M };
    h->fetch_mode = by_priv[h->priv];
    int dpriv = h->priv;
    /* MPRV: M-mode loads/stores use MPP's privilege (§3.1.6.3). */
    if (h->priv == PRV_M && (h->mstatus & MSTATUS_MPRV))
        dpriv = (int)((h->mstatus & MSTATUS_MPP) >> 11);
    int dm = by_priv[dpriv];
    if (dm == RV_MODE_S && (h->mstatus & MSTATUS_SUM))
        dm = RV_MODE_S_SUM;
    h->data_mode = dm;
    h->fetch_va = TLB_INVALID;
}

void rv_set_priv(struct rv_hart *h, int priv)
{
    h->priv = priv;
    rv_update_modes(h);
}

uint64_t rv_mip(const struct rv_hart *h)
{
    return h->mip_sw | h->mip_hw;
}

/* SBI calls (SBI spec v1.0): an ecall from S mode; IPIs through the sPI
 * extension (EID 0x735049, FID 0: a0 = hart mask, a1 = mask base, -1 = all)
 * or the legacy send_ipi (EID 4; its mask is in guest memory: dest 0). */
static void trace_sbi(struct rv_hart *h)
{
    struct machine *m = h->m;
    uint64_t now = cpu_now(&h->cpu);
    uint64_t eid = h->x[17], fid = h->x[16];
    TRACE(m, TK_SBI_CALL, h->cpu.id, now, eid, fid, h->x[10], h->x[11], h->pc, (uint64_t)h->priv);
    if ((eid == 0x735049 && fid == 0) || eid == 4) {
        uint64_t dest = 0;
        if (eid == 0x735049) {
            uint64_t base = h->x[11], mask = h->x[10];
            if (base == UINT64_MAX)
                dest = m->ncpus >= 64 ? UINT64_MAX : (1ull << m->ncpus) - 1;
            else if (base < 64)
                dest = mask << base;
        }
        TRACE(m, TK_IPI_SEND, h->cpu.id, now, IPI_MECH_SBI, dest, h->pc, 0);
    }
}

static void trap_to(struct rv_hart *h, uint64_t cause, uint64_t tval, bool interrupt)
{
    uint64_t mcause = cause | (interrupt ? 1ull << 63 : 0);
    bool deleg = h->priv <= PRV_S &&
                 ((interrupt ? h->mideleg : h->medeleg) >> cause & 1);
    uint64_t epc = h->pc;
    if (h->m->trace_mask) {
        struct machine *m = h->m;
        int to = deleg ? PRV_S : PRV_M;
        if (interrupt)
            TRACE(m, TK_IRQ_TAKE, h->cpu.id, cpu_now(&h->cpu), mcause, (uint64_t)h->priv,
                  (uint64_t)to, epc);
        else
            TRACE(m, TK_EXC_TAKE, h->cpu.id, cpu_now(&h->cpu), mcause, (uint64_t)h->priv,
                  (uint64_t)to, epc, tval);
        if (!interrupt && cause == EXC_ECALL_S)
            trace_sbi(h);
    }
    if (deleg) {
        h->scause = mcause;
        h->sepc = epc;
        h->stval = tval;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (h->priv == PRV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        h->mstatus = s;
        uint64_t base = h->stvec & ~3ull;
        h->pc = (interrupt && (h->stvec & 3) == 1) ? base + 4 * cause : base;
        rv_set_priv(h, PRV_S);
    } else {
        h->mcause = mcause;
        h->mepc = epc;
        h->mtval = tval;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)h->priv << 11);
        s &= ~MSTATUS_MIE;
        h->mstatus = s;
        uint64_t base = h->mtvec & ~3ull;
        h->pc = (interrupt && (h->mtvec & 3) == 1) ? base + 4 * cause : base;
        rv_set_priv(h, PRV_M);
    }
    h->resv_valid = false;
}

void rv_exception(struct rv_hart *h, uint64_t cause, uint64_t tval)
{
    h->instret_adj++; /* the faulting instruction does not retire */
    trap_to(h, cause, tval, false);
}

/* Interrupt priority order (§3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
static const int irq_priority[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };

bool rv_take_interrupt(struct rv_hart *h)
{
    uint64_t pending = rv_mip(h) & h->mie;
    if (!pending)
        return false;
    /* M-level interrupts: enabled below M, or in M with MIE set. */
    uint64_t m_en = (h->priv < PRV_M || (h->mstatus & MSTATUS_MIE)) ? ~h->mideleg : 0;
    /* S-level (delegated): enabled below S, or in S with SIE set; never in M. */
    uint64_t s_en = (h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_SIE))) ? h->mideleg : 0;
    uint64_t take = pending & m_en;
    if (!take)
        take = pending & s_en;
    if (!take)
        return false;
    for (unsigned i = 0; i < sizeof irq_priority / sizeof irq_priority[0]; i++) {
        int irq = irq_priority[i];
        if (take >> irq & 1) {
            trap_to(h, (uint64_t)irq, 0, true);
            return true;
        }
    }
    return false;
}

void rv_mret(struct rv_hart *h)
{
    uint64_t s = h->mstatus;
    int mpp = (int)((s & MSTATUS_MPP) >> 11);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP; /* least-privileged mode: U */
    if (mpp != PRV_M)
        s &= ~MSTATUS_MPRV;
    h->mstatus = s;
    h->pc = h->mepc;
    rv_set_priv(h, mpp);
    h->attn = 1;
}

void rv_sret(struct rv_hart *h)
{
    uint64_t s = h->mstatus;
    int spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV; /* returning to a mode below M (§3.1.6.3) */
    h->mstatus = s;
    h->pc = h->sepc;
    rv_set_priv(h, spp);
    h->attn = 1;
}
