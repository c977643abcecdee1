/* Traps: exceptions, interrupts, delegation and xRET (priv spec 1.12 §3.1.6,
 * §3.1.8-§3.1.9, §3.3.2, §4.1; H extension: priv 20211203 §8.4-§8.6). */
#include "rv_internal.h"
#include "hart.h"
#include "pmu.h"
#include "trigger.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"
#include "../../vmm/vmm.h"

/* Which TLB set serves fetches and data accesses in the current state. */
void rv_update_modes(struct rv_hart *h)
{
    static const int host_mode[4] = { RV_MODE_U, RV_MODE_S, RV_MODE_S, RV_MODE_M };
    static const int guest_mode[2] = { RV_MODE_VU, RV_MODE_VS };
    h->fetch_mode = h->virt ? guest_mode[h->priv & 1] : host_mode[h->priv];
    int dpriv = h->priv;
    bool dvirt = h->virt;
    /* MPRV: M-mode loads/stores use MPP's privilege and MPV (§3.1.6.3, §8.2.6). */
    if (h->priv == PRV_M && (h->mstatus & MSTATUS_MPRV)) {
        dpriv = (int)((h->mstatus & MSTATUS_MPP) >> 11);
        dvirt = dpriv != PRV_M && (h->mstatus & MSTATUS_MPV);
    }
    int dm;
    if (dvirt) {
        dm = guest_mode[dpriv & 1];
        if (dm == RV_MODE_VS && (h->vsstatus & MSTATUS_SUM))
            dm = RV_MODE_VS_SUM;
    } else {
        dm = host_mode[dpriv];
        if (dm == RV_MODE_S && (h->mstatus & MSTATUS_SUM))
            dm = RV_MODE_S_SUM;
    }
    h->data_mode = dm;
    h->fetch_va = TLB_INVALID;
}

void rv_set_priv(struct rv_hart *h, int priv)
{
    h->priv = priv;
    rv_update_modes(h);
}

static void set_mode(struct rv_hart *h, int priv, bool virt)
{
    if (h->nhpm)
        rv_pmu_settle(h, true); /* the mode filters change after this instruction (pmu.c) */
    h->virt = virt;
    rv_set_priv(h, priv);
    if (h->nhpm)
        rv_pmu_rearm(h);
}

uint64_t rv_mip(const struct rv_hart *h)
{
    return h->mip_sw | h->mip_hw;
}

/* Exceptions whose tval is an address (for hstatus.GVA / mstatus.GVA,
 * §8.2.1, §8.4.1): misaligned, access and page faults, breakpoints —
 * not illegal instructions (tval = the instruction) nor ecalls. */
static bool tval_is_address(uint64_t cause)
{
    return cause <= 7 ? cause != EXC_ILLEGAL_INSN
                      : cause == 12 || cause == 13 || cause == 15 || cause == 20 ||
                            cause == 21 || cause == 23;
}

/* Load/store/AMO faults: with MPRV and MPV their address is a guest
 * virtual address even though V=0 (§8.4.1). */
static bool data_fault(uint64_t cause)
{
    return (cause >= 4 && cause <= 7) || cause == 13 || cause == 15 || cause == 21 ||
           cause == 23;
}

/* SBI calls (SBI spec v1.0): an ecall from S or VS mode; IPIs through the
 * sPI extension (EID 0x735049, FID 0: a0 = hart mask, a1 = mask base, -1 =
 * all) or the legacy send_ipi (EID 4; its mask is in guest memory: dest 0). */
static void trace_sbi(struct rv_hart *h, int from)
{
    struct machine *m = h->m;
    uint64_t now = cpu_now(&h->cpu);
    uint64_t eid = h->x[17], fid = h->x[16];
    TRACE(m, TK_SBI_CALL, h->cpu.id, now, eid, fid, h->x[10], h->x[11], h->pc, (uint64_t)from);
    if ((eid == 0x735049 && fid == 0) || eid == 4) {
        uint64_t dest = 0;
        if (eid == 0x735049) {
            uint64_t base = h->x[11], mask = h->x[10];
            if (base == UINT64_MAX)
                dest = m->ncpus >= 64 ? UINT64_MAX : (1ull << m->ncpus) - 1;
            else if (base < 64)
                dest = mask << base;
        }
        uint64_t mech = from >= 4 ? IPI_MECH_VSBI : IPI_MECH_SBI; /* from a guest: vCPU mask */
        TRACE(m, TK_IPI_SEND, h->cpu.id, now, mech, dest, h->pc, 0);
    }
}

/* Privilege as traced: 0 U, 1 S, 3 M; V=1 adds 4 (4 VU, 5 VS). */
static uint64_t traced_priv(int priv, bool virt) { return (uint64_t)priv + (virt ? 4 : 0); }

/* The trap itself. gpa = the faulting guest-physical address of a
 * guest-page fault (htval/mtval2 = gpa >> 2, §8.2.9), tinst = transformed
 * instruction (htinst/mtinst); both 0 otherwise. */
static void trap_to(struct rv_hart *h, uint64_t cause, uint64_t tval, bool interrupt,
                    uint64_t gpa, uint64_t tinst)
{
    uint64_t tval2 = gpa >> 2;
    uint64_t mcause = cause | (interrupt ? 1ull << 63 : 0);
    bool was_virt = h->virt;
    int prev = h->priv;
    uint64_t deleg = interrupt ? h->mideleg : h->medeleg;
    uint64_t hdeleg = interrupt ? h->hideleg : h->hedeleg;
    bool to_hs = prev <= PRV_S && (deleg >> cause & 1);
    bool to_vs = to_hs && was_virt && (hdeleg >> cause & 1);
    unsigned force = interrupt ? h->aia.force : 0; /* an AIA virtual interrupt (aia.c) */
    h->aia.force = 0;
    if (force) {
        to_hs = true;
        to_vs = force == 2;
    }
    bool data_virt = h->data_mode >= RV_MODE_VU; /* MPRV with MPV, or V=1 */
    bool gva = !interrupt && tval_is_address(cause) && !h->trig_tval0 &&
               (was_virt || h->hlsv || (data_virt && data_fault(cause)));
    h->trig_tval0 = false;
    uint64_t epc = h->pc;
    bool trig_inh = h->ntrig && rv_trig_inhibited(h); /* before the mode changes */

    if (h->nhpm)
        rv_pmu_trap(h, interrupt); /* counted in the mode it was taken from */
    if (h->m->trace_mask) {
        struct machine *m = h->m;
        int to = to_hs ? PRV_S : PRV_M;
        uint64_t now = cpu_now(&h->cpu);
        uint64_t from_t = traced_priv(prev, was_virt), to_t = traced_priv(to, to_vs);
        if (interrupt)
            TRACE(m, TK_IRQ_TAKE, h->cpu.id, now, mcause, from_t, to_t, epc);
        else
            TRACE(m, TK_EXC_TAKE, h->cpu.id, now, mcause, from_t, to_t, epc, tval);
        if (!interrupt && (cause == EXC_ECALL_S || cause == EXC_ECALL_VS))
            trace_sbi(h, (int)from_t);
        if (was_virt && !to_vs) /* still V=1: the guest id is the exiting guest's */
            vmm_trace_exit(&h->cpu, mcause, epc, tval, gpa, tinst);
    }

    if (to_vs) {
        /* VS-level interrupts appear to the guest as its S-level ones (§8.6.2) */
        uint64_t vcause = interrupt && !force && (cause == IRQ_VSSI || cause == IRQ_VSTI || cause == IRQ_VSEI)
                              ? cause - 1 : cause;
        h->vscause = vcause | (interrupt ? 1ull << 63 : 0);
        h->vsepc = epc;
        h->vstval = tval;
        uint64_t s = h->vsstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (prev == PRV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        h->vsstatus = s;
        uint64_t base = h->vstvec & ~3ull;
        h->pc = (interrupt && (h->vstvec & 3) == 1) ? base + 4 * vcause : base;
        set_mode(h, PRV_S, true);
    } else if (to_hs) {
        h->scause = mcause;
        h->sepc = epc;
        h->stval = tval;
        h->htval = tval2;
        h->htinst = tinst;
        uint64_t hs = h->hstatus & ~(HSTATUS_SPV | HSTATUS_GVA);
        if (was_virt) {
            hs |= HSTATUS_SPV;
            hs = (hs & ~HSTATUS_SPVP) | (prev == PRV_S ? HSTATUS_SPVP : 0);
        }
        if (gva)
            hs |= HSTATUS_GVA;
        h->hstatus = hs;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (prev == PRV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        h->mstatus = s;
        uint64_t base = h->stvec & ~3ull;
        h->pc = (interrupt && (h->stvec & 3) == 1) ? base + 4 * cause : base;
        set_mode(h, PRV_S, false);
    } else {
        h->mcause = mcause;
        h->mepc = epc;
        h->mtval = tval;
        h->mtval2 = tval2;
        h->mtinst = tinst;
        uint64_t s = h->mstatus & ~(MSTATUS_MPV | MSTATUS_GVA);
        if (was_virt)
            s |= MSTATUS_MPV;
        if (gva)
            s |= MSTATUS_GVA;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)prev << 11);
        s &= ~MSTATUS_MIE;
        h->mstatus = s;
        uint64_t base = h->mtvec & ~3ull;
        h->pc = (interrupt && (h->mtvec & 3) == 1) ? base + 4 * cause : base;
        set_mode(h, PRV_M, false);
    }
    h->resv_valid = false;
    if (h->ntrig)
        rv_trig_trap(h, cause, interrupt, prev, was_virt, trig_inh); /* Sdtrig (trigger.c) */
}

void rv_exception(struct rv_hart *h, uint64_t cause, uint64_t tval)
{
    rv_exception_g(h, cause, tval, 0, 0);
}

void rv_exception_g(struct rv_hart *h, uint64_t cause, uint64_t tval, uint64_t gpa, uint64_t tinst)
{
    h->instret_adj++; /* the faulting instruction does not retire */
    trap_to(h, cause, tval, false, gpa, tinst);
}

/* Interrupt priority order (§3.1.9, §8.6.2): MEI, MSI, MTI, SEI, SSI, STI,
 * SGEI, VSEI, VSSI, VSTI, then Sscofpmf's LCOFI (13: the standard order
 * puts the local interrupts 13 and up below the ones above). */
static const int irq_priority[] = { IRQ_MEI,  IRQ_MSI,  IRQ_MTI,  IRQ_SEI,  IRQ_SSI, IRQ_STI,
                                    IRQ_SGEI, IRQ_VSEI, IRQ_VSSI, IRQ_VSTI, IRQ_LCOFI };

bool rv_take_interrupt(struct rv_hart *h)
{
    uint64_t pending = rv_mip(h) & h->mie;
    bool aia_extra = h->aia.on && rv_aia_extra(h); /* mvien/hvien/hvictl/hviprio in use */
    if (!pending && !aia_extra)
        return false;
    /* M-level: enabled below M, or in M with MIE set. */
    uint64_t m_en = (h->priv < PRV_M || (h->mstatus & MSTATUS_MIE)) ? ~h->mideleg : 0;
    /* HS-level (delegated, not to VS): enabled in V=1, below S, or in HS with SIE. */
    bool hs_on = h->virt || h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_SIE));
    uint64_t hs_en = hs_on ? h->mideleg & ~h->hideleg : 0;
    /* VS-level (hideleg): only in V=1, in VU or in VS with vsstatus.SIE. */
    bool vs_on = h->virt && (h->priv == PRV_U || (h->vsstatus & MSTATUS_SIE));
    uint64_t vs_en = vs_on ? h->mideleg & h->hideleg : 0;
    uint64_t take = pending & m_en;
    if (!take && aia_extra) { /* S level with mvien's virtual interrupts, VS level by vstopi */
        int c = rv_aia_take(h, pending & hs_en, hs_on, vs_on);
        if (c < 0)
            return false;
        trap_to(h, (uint64_t)c, 0, true, 0, 0);
        return true;
    }
    if (take && h->aia.on && h->aia.iprio_m_on) { /* M level ordered by its iprio array */
        int c = rv_aia_m_pick(h, take);
        if (c >= 0) {
            trap_to(h, (uint64_t)c, 0, true, 0, 0);
            return true;
        }
    }
    if (!take)
        take = pending & hs_en;
    if (!take)
        take = pending & vs_en;
    if (!take)
        return false;
    for (unsigned i = 0; i < sizeof irq_priority / sizeof irq_priority[0]; i++) {
        int irq = irq_priority[i];
        if (take >> irq & 1) {
            trap_to(h, (uint64_t)irq, 0, true, 0, 0);
            return true;
        }
    }
    return false;
}

static void trace_entry(struct rv_hart *h, bool was_virt)
{
    if (h->virt && !was_virt)
        vmm_trace_entry(&h->cpu, h->pc);
}

void rv_mret(struct rv_hart *h)
{
    uint64_t s = h->mstatus;
    int mpp = (int)((s & MSTATUS_MPP) >> 11);
    bool virt = mpp != PRV_M && (s & MSTATUS_MPV);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~(MSTATUS_MPP | MSTATUS_MPV); /* least-privileged mode: U */
    if (mpp != PRV_M)
        s &= ~MSTATUS_MPRV;
    h->mstatus = s;
    h->pc = h->mepc;
    if (h->ntrig)
        rv_trig_mret(h); /* tcontrol.mte = mpte */
    set_mode(h, mpp, virt);
    trace_entry(h, false);
    h->attn = 1;
}

void rv_sret(struct rv_hart *h)
{
    if (h->virt) { /* SRET in VS mode returns within the guest (§8.6.4) */
        uint64_t s = h->vsstatus;
        int spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
        s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
        s |= MSTATUS_SPIE;
        s &= ~MSTATUS_SPP;
        h->vsstatus = s;
        h->pc = h->vsepc;
        set_mode(h, spp, true);
        h->attn = 1;
        return;
    }
    uint64_t s = h->mstatus;
    int spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    bool virt = h->hstatus & HSTATUS_SPV;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV; /* returning to a mode below M (§3.1.6.3) */
    h->mstatus = s;
    h->hstatus &= ~HSTATUS_SPV;
    h->pc = h->sepc;
    set_mode(h, spp, virt);
    trace_entry(h, false);
    h->attn = 1;
}

/* arch_info.vm_exit_class: the class of a vm.exit reason (the mcause of a
 * trap taken from V=1 into HS or M mode). Cause codes: priv 1.12 §3.1.15
 * (mcause) and §8.6.1 (the H extension's: 10, 20-23; interrupts 2, 6, 10,
 * 12). */
unsigned rv_vm_exit_class(uint64_t reason)
{
    uint64_t code = reason & ~(1ull << 63);
    if (reason >> 63) {
        switch (code) {
        case IRQ_MEI: case IRQ_SEI: case IRQ_VSEI:
        case IRQ_SGEI: /* a guest external interrupt for another (or this) VM, §8.2.4 */
            return VMM_EXIT_EXTERNAL_IRQ;
        case IRQ_MTI: case IRQ_STI: case IRQ_VSTI:
            return VMM_EXIT_TIMER;
        case IRQ_MSI: case IRQ_SSI: case IRQ_VSSI:
            return VMM_EXIT_IPI;
        default:
            return VMM_EXIT_OTHER;
        }
    }
    switch (code) {
    case EXC_ECALL_VS: /* the guest kernel's SBI call */
        return VMM_EXIT_HYPERCALL;
    case EXC_INSN_GUEST_PAGE_FAULT: case EXC_LOAD_GUEST_PAGE_FAULT:
    case EXC_STORE_GUEST_PAGE_FAULT: /* G stage, §8.5.1; also MMIO emulation */
        return VMM_EXIT_GUEST_PAGE_FAULT;
    case EXC_VIRTUAL_INSN: /* §8.6.1: legal in HS, not in VS/VU (CSRs, wfi, sret...) */
        return VMM_EXIT_INSTRUCTION;
    case EXC_INSN_MISALIGNED: case EXC_INSN_ACCESS: case EXC_ILLEGAL_INSN:
    case EXC_BREAKPOINT: case EXC_LOAD_MISALIGNED: case EXC_LOAD_ACCESS:
    case EXC_STORE_MISALIGNED: case EXC_STORE_ACCESS: case EXC_ECALL_U:
    case EXC_INSN_PAGE_FAULT: case EXC_LOAD_PAGE_FAULT: case EXC_STORE_PAGE_FAULT:
        /* the guest's own exceptions, not delegated to it by hedeleg */
        return VMM_EXIT_EXCEPTION;
    default: /* ecall from S/M (9, 11) cannot come from V=1; reserved codes */
        return VMM_EXIT_OTHER;
    }
}
