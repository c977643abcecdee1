/* VM exits (SDM vol. 3C ch. 28): record the exit information (§28.2),
 * save the guest state (§28.3), load the host state (§28.5), and continue
 * at the host RIP. Every exit is a vm.exit event on the timeline, emitted
 * while the CPU still runs the guest (src/vmm/README.md). */
#include "vmx_int.h"
#include "vmx_apic.h"
#include <setjmp.h>
#include <string.h>

static const enum vmcs_field seg_sel[6] = { VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL,
                                            VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL };

uint32_t vmx_insn_info(struct x86_cpu *x, int reg2)
{
    const struct x86_insn *i = &x->in;
    uint32_t v = 0;
    if (reg2 >= 0)
        v |= (uint32_t)(reg2 & 15) << 28;
    v |= (uint32_t)(i->addrsize == 2 ? 0 : i->addrsize == 4 ? 1 : 2) << 7;
    if (i->mod == 3) {
        v |= 1u << 10 | (uint32_t)(i->rm & 15) << 3;
        return v;
    }
    unsigned seg = i->seg != X86_SEG_NONE ? i->seg
                 : (i->base == RSP || i->base == RBP) ? X86_SS : X86_DS;
    v |= (uint32_t)seg << 15;
    if (i->index == X86_REG_NONE)
        v |= 1u << 22;
    else
        v |= (uint32_t)(i->index & 15) << 18 | (uint32_t)(i->scale & 3);
    if (i->base == X86_REG_NONE || i->base == X86_REG_RIP)
        v |= 1u << 27;
    else
        v |= (uint32_t)(i->base & 15) << 23;
    return v;
}

static void save_seg(struct x86_cpu *x, const struct x86_segment *s, enum vmcs_field sel)
{
    /* the table lists ES, CS, SS, DS, FS, GS, LDTR, TR in the same order
     * for selectors, limits, access rights and bases */
    static const enum vmcs_field base0 = VMCS_GUEST_ES_BASE, limit0 = VMCS_GUEST_ES_LIMIT,
                                 ar0 = VMCS_GUEST_ES_AR;
    unsigned k = (unsigned)(sel - VMCS_GUEST_ES_SEL);
    vmcs_set(x, sel, s->sel);
    vmcs_set(x, (enum vmcs_field)(base0 + k), s->base);
    vmcs_set(x, (enum vmcs_field)(limit0 + k), s->limit);
    vmcs_set(x, (enum vmcs_field)(ar0 + k), vmx_ar_from_seg(s));
}

/* §28.3: the guest-state area from the CPU. */
static void save_guest(struct x86_cpu *x, bool boundary)
{
    uint32_t exit_ctls = (uint32_t)vmcs_get(x, VMCS_EXIT_CTLS);
    vmcs_set(x, VMCS_GUEST_CR0, x->cr0);
    vmcs_set(x, VMCS_GUEST_CR3, x->cr3);
    vmcs_set(x, VMCS_GUEST_CR4, x->cr4);
    if (exit_ctls & EXIT_SAVE_DEBUG) {
        vmcs_set(x, VMCS_GUEST_DR7, x->dr[7]);
        vmcs_set(x, VMCS_GUEST_DEBUGCTL, 0); /* IA32_DEBUGCTL is not modelled */
    }
    vmcs_set(x, VMCS_GUEST_RSP, x->r[RSP]);
    vmcs_set(x, VMCS_GUEST_RIP, x->rip);
    vmcs_set(x, VMCS_GUEST_RFLAGS, x->rflags);
    for (int s = 0; s < 6; s++)
        save_seg(x, &x->seg[s], seg_sel[s]);
    save_seg(x, &x->ldtr, VMCS_GUEST_LDTR_SEL);
    save_seg(x, &x->tr, VMCS_GUEST_TR_SEL);
    vmcs_set(x, VMCS_GUEST_GDTR_BASE, x->gdt_base);
    vmcs_set(x, VMCS_GUEST_GDTR_LIMIT, x->gdt_limit);
    vmcs_set(x, VMCS_GUEST_IDTR_BASE, x->idt_base);
    vmcs_set(x, VMCS_GUEST_IDTR_LIMIT, x->idt_limit);
    vmcs_set(x, VMCS_GUEST_SYSENTER_CS, x->sysenter_cs);
    vmcs_set(x, VMCS_GUEST_SYSENTER_ESP, x->sysenter_esp);
    vmcs_set(x, VMCS_GUEST_SYSENTER_EIP, x->sysenter_eip);
    if (exit_ctls & EXIT_SAVE_PAT)
        vmcs_set(x, VMCS_GUEST_PAT, x->pat);
    if (exit_ctls & EXIT_SAVE_EFER)
        vmcs_set(x, VMCS_GUEST_EFER, x->efer);
    /* §28.3.4: activity and interruptibility state */
    if (x->vmx.activity) /* shutdown, wait-for-SIPI */
        vmcs_set(x, VMCS_GUEST_ACTIVITY, x->vmx.activity);
    else
        vmcs_set(x, VMCS_GUEST_ACTIVITY, x->cpu.state == CPU_SLEEPING || x->vmx.woke_for_exit ? 1 : 0);
    x->vmx.woke_for_exit = false;
    x->vmx.activity = 0;
    uint32_t intr = 0;
    /* the instruction the blocking applies to: the one that exits, or at
     * a boundary the next one; blocked when MOV SS / STI came right
     * before it (the positions are exact where the model's one shadow
     * flag is not) */
    uint64_t cur = x86_insn_pos(x) + (boundary ? 1 : 0);
    if (cur == x->vmx.movss_pos + 1)
        intr |= 2u;
    else if (cur == x->vmx.sti_pos + 1)
        intr |= 1u;
    /* bit 3: blocking by NMI, or with "virtual NMIs" virtual-NMI blocking */
    if ((vmcs_get(x, VMCS_PIN_CTLS) & PIN_VIRTUAL_NMIS) ? x->vmx.vnmi_blocked : x->nmi_blocked)
        intr |= 8u;
    vmcs_set(x, VMCS_GUEST_INTERRUPTIBILITY, intr);
    vmcs_set(x, VMCS_GUEST_PENDING_DBG, 0);
    if (exit_ctls & EXIT_SAVE_PREEMPTION) {
        uint64_t now = cpu_now(&x->cpu), left = 0;
        if (x->vmx.preempt_deadline > now)
            left = (x->vmx.preempt_deadline - now) >> VMX_PREEMPT_RATE;
        vmcs_set(x, VMCS_PREEMPTION_TIMER, left);
    }
    /* §28.3.4: with EPT and PAE paging at the exit (pdpte_regs, vmx.h),
     * the PDPTE registers into the guest PDPTE fields; otherwise the
     * fields are undefined: they keep their values */
    if (x->vmx.pdpte_regs)
        for (unsigned i = 0; i < 4; i++)
            vmcs_set(x, (enum vmcs_field)(VMCS_GUEST_PDPTE0 + i), x->vmx.pdpte[i]);
    x->vmx.pdpte_regs = false;
    /* IA32_VMX_MISC bit 5: EFER.LMA into the "IA-32e mode guest" control */
    uint64_t ent = vmcs_get(x, VMCS_ENTRY_CTLS) & ~(uint64_t)ENTRY_IA32E_GUEST;
    vmcs_set(x, VMCS_ENTRY_CTLS, ent | ((x->efer & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
}

static void host_seg(struct x86_segment *s, uint16_t sel, uint64_t base, unsigned type, bool db,
                     bool l)
{
    /* §28.5.2: base 0 (FS, GS, TR: from the fields), limit 4 GiB (TR:
     * 67H), the type given, S = 1 (TR: 0), DPL 0, P = 1, G = 1; a null
     * selector makes a data segment unusable */
    s->sel = sel;
    s->base = base;
    s->limit = 0xffffffffu;
    s->attr = (uint16_t)(type | SEG_S | SEG_P | SEG_G | (db ? SEG_DB : 0) | (l ? SEG_L : 0));
}

static _Noreturn void vmx_abort(struct x86_cpu *x, uint32_t indicator);

void vmx_load_host(struct x86_cpu *x)
{
    uint32_t exit_ctls = (uint32_t)vmcs_get(x, VMCS_EXIT_CTLS);
    bool host64 = exit_ctls & EXIT_HOST_ADDR_SPACE;
    /* §28.5.1: CR0 but ET, CD, NW; CR3; CR4; DR7 = 400H, DEBUGCTL 0 */
    const uint64_t keep0 = CR0_ET | CR0_CD | CR0_NW;
    x->cr0 = ((vmcs_get(x, VMCS_HOST_CR0) & ~keep0) | (x->cr0 & keep0)) & 0xffffffffull;
    x->cr3 = vmcs_get(x, VMCS_HOST_CR3);
    x->cr4 = vmcs_get(x, VMCS_HOST_CR4);
    /* §28.5.4: a VMM with PAE paging (host address-space size 0, host
     * CR4.PAE; CR0.PG is 1 in VMX operation) has the PDPTEs at the host
     * CR3 checked as MOV to CR3 checks them -- at every such exit, which
     * the SDM allows --; an invalid one is a VMX abort, indicator 2 */
    if (!host64 && (x->cr4 & CR4_PAE))
        for (unsigned i = 0; i < 4; i++) {
            uint64_t e = vmx_phys_read(x, (x->cr3 & 0xffffffe0u) + 8 * i, 8);
            if ((e & 1) && (e & VMX_PDPTE_RSVD))
                vmx_abort(x, 2);
        }
    x->dr[7] = 0x400;
    x->dbg_insn = x->dbg_data = x->dbg_io = false;
    x->sysenter_cs = vmcs_get(x, VMCS_HOST_SYSENTER_CS);
    x->sysenter_esp = vmcs_get(x, VMCS_HOST_SYSENTER_ESP);
    x->sysenter_eip = vmcs_get(x, VMCS_HOST_SYSENTER_EIP);
    if (exit_ctls & EXIT_LOAD_PAT)
        x->pat = vmcs_get(x, VMCS_HOST_PAT);
    if (exit_ctls & EXIT_LOAD_EFER)
        x->efer = vmcs_get(x, VMCS_HOST_EFER);
    else if (host64)
        x->efer |= EFER_LMA | EFER_LME;
    else
        x->efer &= ~(uint64_t)(EFER_LMA | EFER_LME);
    /* §28.5.2: segment registers and descriptor tables */
    host_seg(&x->seg[X86_CS], (uint16_t)vmcs_get(x, VMCS_HOST_CS_SEL), 0, 0xb, !host64, host64);
    static const enum vmcs_field hsel[6] = { VMCS_HOST_ES_SEL, VMCS_HOST_CS_SEL, VMCS_HOST_SS_SEL,
                                             VMCS_HOST_DS_SEL, VMCS_HOST_FS_SEL, VMCS_HOST_GS_SEL };
    for (int s = 0; s < 6; s++) {
        if (s == X86_CS)
            continue;
        uint16_t sel = (uint16_t)vmcs_get(x, hsel[s]);
        uint64_t base = s == X86_FS ? vmcs_get(x, VMCS_HOST_FS_BASE)
                      : s == X86_GS ? vmcs_get(x, VMCS_HOST_GS_BASE) : 0;
        host_seg(&x->seg[s], sel, base, 0x3, true, false);
        if (!sel) /* unusable; SS keeps its DPL 0 and attributes otherwise */
            x->seg[s].attr = s == X86_SS ? (uint16_t)(x->seg[s].attr & ~SEG_P) : 0;
    }
    x->tr = (struct x86_segment){ .sel = (uint16_t)vmcs_get(x, VMCS_HOST_TR_SEL),
                                  .base = vmcs_get(x, VMCS_HOST_TR_BASE), .limit = 0x67,
                                  .attr = 0xb | SEG_P };
    x->ldtr = (struct x86_segment){ 0 }; /* unusable */
    x->gdt_base = vmcs_get(x, VMCS_HOST_GDTR_BASE);
    x->gdt_limit = 0xffff;
    x->idt_base = vmcs_get(x, VMCS_HOST_IDTR_BASE);
    x->idt_limit = 0xffff;
    /* §28.5.3: RIP, RSP, RFLAGS = 2 */
    x->rip = x->next_rip = vmcs_get(x, VMCS_HOST_RIP);
    x->r[RSP] = vmcs_get(x, VMCS_HOST_RSP);
    x->rflags = FL_FIXED1;
    x->cpl = 0;
    x->sti_shadow = false;
    x->cpu.state = CPU_RUNNING;
    x->vmx.activity = 0;
    x->vmx.non_root = false;
    x->vmx.preempt_armed = false;
    x->fault_depth = 0;
    x->undo_rsp_valid = false;
    /* §28.5.5: back to the root context's TLB entries; the guest's stay,
     * tagged (vmx_ept.c; VPID 0 ones go without "enable VPID") */
    vmx_tlb_exit(x);
    x86_update_mode(x);
}

/* §28.7: a VMX abort: the indicator in the VMCS region (offset 4; the
 * model's causes: 1 the MSR-store area, 2 the host PDPTEs, 4 the MSR-load
 * area), then
 * shutdown, which here ends the run as a triple fault does (exit status 1
 * with the indicator in the message; or resets the machine with [cpu]
 * triple-fault = reset, RAM and so the indicator kept). The vm.exit event
 * of the exit that aborted is on the timeline. */
static _Noreturn void vmx_abort(struct x86_cpu *x, uint32_t indicator)
{
    vmx_phys_write(x, x->vmx.vmcs_ptr + 4, 4, indicator);
    x->vmx.non_root = false;
    x->fault_depth = 0;
    if (x->triple_fault_resets && x->reset_machine) {
        x->reset_machine(x->reset_opaque);
        longjmp(x->fault_jb, 2);
    }
    machine_request_exit(x->m, EXIT_GUEST_FAIL,
                         indicator == 1   ? "VMX abort, indicator 1: saving guest MSRs (shutdown)"
                         : indicator == 2 ? "VMX abort, indicator 2: the host PDPTEs (shutdown)"
                                          : "VMX abort, indicator 4: loading host MSRs (shutdown)");
    x->cpu.state = CPU_STOPPED;
    longjmp(x->fault_jb, 2);
}

/* §28.4 / §28.6: the VM-exit MSR-store area (guest MSRs, before the host
 * state) and MSR-load area (host MSRs, after it): 16-byte entries (index,
 * reserved, data). A failure is a VMX abort (indicator 1: storing, 4:
 * loading). */
static void exit_msrs(struct x86_cpu *x, bool load)
{
    uint64_t addr = vmcs_get(x, load ? VMCS_EXIT_MSR_LOAD_ADDR : VMCS_EXIT_MSR_STORE_ADDR);
    uint64_t n = vmcs_get(x, load ? VMCS_EXIT_MSR_LOAD_COUNT : VMCS_EXIT_MSR_STORE_COUNT);
    for (uint64_t i = 0; i < n; i++) {
        if (i == VMX_MSR_LIST_MAX)
            vmx_abort(x, load ? 4 : 1);
        uint64_t e = addr + 16 * i;
        uint32_t idx = (uint32_t)vmx_phys_read(x, e, 4);
        uint64_t v;
        if (vmx_phys_read(x, e + 4, 4) || (idx >> 8) == 8 || idx == 0x9b)
            vmx_abort(x, load ? 4 : 1);
        if (load) {
            if (idx == 0xc0000100u || idx == 0xc0000101u ||
                !x86_wrmsr(x, idx, vmx_phys_read(x, e + 8, 8)))
                vmx_abort(x, 4);
        } else {
            if (!x86_rdmsr(x, idx, &v))
                vmx_abort(x, 1);
            vmx_phys_write(x, e + 8, 8, v);
        }
    }
}

/* §28.3.3 (SDM vol. 3C, "Saving RIP, RSP, RFLAGS"): the RF bit the exit
 * saves. An exit caused by an event that would be delivered through the
 * IDT saves the RF of the RFLAGS image that delivery would push: 1 for a
 * fault-class exception (vol. 3A §17.3.1.1; #DB is left to debug.c, which
 * sets it for general detect and not for an instruction breakpoint), the
 * register's RF for traps, interrupts, NMI and aborts (#DF carries the RF
 * its first fault set). An instruction exit (unconditional or by a
 * control) saves 0; a task switch what the old TSS would get (the
 * register's). An EPT violation / misconfiguration or APIC access saves 1
 * outside event delivery, during one the image of the event being
 * delivered (the register's RF then: x86_raise set it for a fault). Every
 * other exit saves RF as it is. */
static bool fault_class(unsigned vector)
{
    /* #DE, #BR, #UD, #NM, #TS, #NP, #SS, #GP, #PF, #MF, #AC, #XM, #VE, #CP */
    const uint32_t faults = 1u << 0 | 1u << 5 | 1u << 6 | 1u << 7 | 1u << 10 | 1u << 11 | 1u << 12 |
                            1u << 13 | 1u << 14 | 1u << 16 | 1u << 17 | 1u << 19 | 1u << 20 |
                            1u << 21;
    return vector < 32 && ((faults >> vector) & 1);
}

static uint64_t saved_rflags(const struct x86_cpu *x, uint32_t reason, const struct vmx_exit_info *info,
                             uint32_t vect)
{
    uint64_t fl = x->rflags;
    switch (reason) {
    case VMX_EXIT_EXCEPTION_NMI:
        if (((info->intr_info >> 8) & 7) == VMX_EV_HW && fault_class(info->intr_info & 0xff))
            fl |= FL_RF;
        return fl;
    case VMX_EXIT_TASK_SWITCH:
        return fl;
    case VMX_EXIT_EPT_VIOLATION:
    case VMX_EXIT_EPT_MISCONFIG:
    case VMX_EXIT_APIC_ACCESS:
        return (vect >> 31) ? fl : fl | FL_RF;
    default:
        return info->insn ? fl & ~(uint64_t)FL_RF : fl;
    }
}

_Noreturn void vmx_exit(struct x86_cpu *x, uint32_t reason, uint64_t qual,
                        const struct vmx_exit_info *info)
{
    /* fault-like exits during an instruction that moved RSP before the
     * faulting access (POP r/m, PUSHA, POPA): RSP as before, as trap.c
     * does for exceptions */
    if (x->undo_rsp_valid) {
        x->r[RSP] = x->undo_rsp;
        x->undo_rsp_valid = false;
    }
    /* §28.2: the exit-information fields; §28.2.4: an exit during event
     * delivery (an exception, EPT violation / misconfiguration or task
     * switch while delivering an event through the guest IDT, also one
     * injected by the VM entry) describes that event as IDT-vectoring
     * information and, for a software interrupt / exception, gives the
     * instruction length */
    uint32_t vect = x->vmx.deliv_info;
    /* the host state replaces RFLAGS below: the saved value can go there */
    x->rflags = saved_rflags(x, reason, info, vect);
    vmcs_set(x, VMCS_EXIT_REASON, reason);
    vmcs_set(x, VMCS_EXIT_QUALIFICATION, qual);
    vmcs_set(x, VMCS_GUEST_LINEAR_ADDR, info->guest_la);
    vmcs_set(x, VMCS_EXIT_INTR_INFO, info->intr_info);
    vmcs_set(x, VMCS_EXIT_INTR_ERRCODE, info->intr_err);
    vmcs_set(x, VMCS_IDT_VECTORING_INFO, vect);
    vmcs_set(x, VMCS_IDT_VECTORING_ERRCODE, (vect >> 31) ? x->vmx.deliv_err : 0);
    unsigned vtype = (vect >> 8) & 7;
    bool soft_deliv = (vect >> 31) && (vtype == VMX_EV_SWINT || vtype == VMX_EV_PRIV || vtype == VMX_EV_SWEXC);
    vmcs_set(x, VMCS_EXIT_INSN_LEN, info->insn ? x86_cur_insn_len(x) : soft_deliv ? x->vmx.deliv_len : 0);
    vmcs_set(x, VMCS_EXIT_INSN_INFO, info->insn ? info->insn_info : 0);
    x->vmx.deliv_info = 0;
    x->vmx.iret_nmi = false;
    x->vmx.mtf_pending = false;
    uint64_t bytes = 0;
    if (info->insn) {
        const uint8_t *b = x->insn_raw ? x->insn_raw : x->insn_bytes;
        for (unsigned k = 0; k < x86_cur_insn_len(x) && k < 8; k++)
            bytes |= (uint64_t)b[k] << (8 * k);
    }
    /* gpa: the guest-physical address of an EPT exit (vmx_ept.c set the field) */
    uint64_t gpa = reason == VMX_EXIT_EPT_VIOLATION || reason == VMX_EXIT_EPT_MISCONFIG
                       ? vmcs_get(x, VMCS_GUEST_PHYS_ADDR)
                       : 0;
    if (TRACE_ON(x->m, TK_VM_EXIT)) { /* the guest's linear pc; its VPID (docs/trace-format.md) */
        uint64_t vpid = vmx_vmcs_vpid(x);
        vmm_emit_exit_opt(&x->cpu, reason, x86_trace_pc(x), qual, gpa, bytes, &vpid, 1);
    }
    /* §28.2: VM exits clear the valid bit of the VM-entry
     * interruption-information field */
    vmcs_set(x, VMCS_ENTRY_INTR_INFO, vmcs_get(x, VMCS_ENTRY_INTR_INFO) & 0x7fffffffu);
    if (vmcs_get(x, VMCS_PROC_CTLS) & PROC_TSC_OFFSETTING)
        x->tsc_offset -= vmcs_get(x, VMCS_TSC_OFFSET); /* vmx_entry.c added it */
    save_guest(x, info->boundary);
    vmx_apic_exit(x);
    exit_msrs(x, false);
    vmx_load_host(x);
    exit_msrs(x, true);
    longjmp(x->fault_jb, 3);
}
