/* VM entries (SDM vol. 3C ch. 27): after VMLAUNCH / VMRESUME's own checks
 * (vmx.c), the checks on the controls and the host state (§27.2: VMfailValid
 * 7 / 8), the guest state (§27.3: a failed entry, exit reason 33 with bit
 * 31), loading the guest state (§27.3.2), the MSR-load area (§27.4: exit
 * reason 34), event injection (§27.6) and the VMX-preemption timer
 * (§26.5.1) on virtual time. */
#include "vmx_int.h"
#include "vmx_apic.h"
#include <stdio.h>

static const enum vmcs_field gsel0 = VMCS_GUEST_ES_SEL, gbase0 = VMCS_GUEST_ES_BASE,
                             glimit0 = VMCS_GUEST_ES_LIMIT, gar0 = VMCS_GUEST_ES_AR;

/* guest segment k (ES, CS, SS, DS, FS, GS, LDTR, TR) from the VMCS */
static void load_seg(struct x86_cpu *x, unsigned k, struct x86_segment *s)
{
    uint32_t ar = (uint32_t)vmcs_get(x, (enum vmcs_field)(gar0 + k));
    s->sel = (uint16_t)vmcs_get(x, (enum vmcs_field)(gsel0 + k));
    s->base = vmcs_get(x, (enum vmcs_field)(gbase0 + k));
    s->limit = (uint32_t)vmcs_get(x, (enum vmcs_field)(glimit0 + k));
    s->attr = (ar & 0x10000u) ? 0 : (uint16_t)(ar & 0xf0ffu);
}

static void dr7_flags(struct x86_cpu *x)
{
    /* which breakpoints DR7 enables (as debug.c computes them) */
    uint64_t d7 = x->dr[7];
    x->dbg_insn = x->dbg_data = x->dbg_io = false;
    for (unsigned n = 0; n < 4; n++) {
        if (!((d7 >> (2 * n)) & 3))
            continue;
        unsigned rw = (unsigned)(d7 >> (16 + 4 * n)) & 3;
        if (rw == 0) x->dbg_insn = true;
        else if (rw == 2) x->dbg_io = true;
        else x->dbg_data = true;
    }
}

/* §27.3.2: processor state from the guest-state area. */
static void load_guest(struct x86_cpu *x)
{
    uint32_t ent = (uint32_t)vmcs_get(x, VMCS_ENTRY_CTLS);
    x->cr0 = vmcs_get(x, VMCS_GUEST_CR0);
    x->cr3 = vmcs_get(x, VMCS_GUEST_CR3);
    x->cr4 = vmcs_get(x, VMCS_GUEST_CR4);
    if (ent & ENTRY_LOAD_DEBUG) {
        x->dr[7] = vmcs_get(x, VMCS_GUEST_DR7);
        dr7_flags(x);
    }
    x->sysenter_cs = vmcs_get(x, VMCS_GUEST_SYSENTER_CS);
    x->sysenter_esp = vmcs_get(x, VMCS_GUEST_SYSENTER_ESP);
    x->sysenter_eip = vmcs_get(x, VMCS_GUEST_SYSENTER_EIP);
    if (ent & ENTRY_LOAD_PAT)
        x->pat = vmcs_get(x, VMCS_GUEST_PAT);
    bool ia32e = ent & ENTRY_IA32E_GUEST;
    /* §27.3.2.1: without "load IA32_EFER", LMA = "IA-32e mode guest",
     * and LME too when the guest's CR0.PG is 1; with PG = 0 (an
     * unrestricted guest) LME keeps the value the guest gave it, as a
     * boot loader sets LME before it turns paging on */
    if (ent & ENTRY_LOAD_EFER)
        x->efer = vmcs_get(x, VMCS_GUEST_EFER);
    else {
        uint64_t bits = EFER_LMA | ((x->cr0 & CR0_PG) ? EFER_LME : 0);
        x->efer = ia32e ? x->efer | bits : x->efer & ~bits;
    }
    for (unsigned k = 0; k < 6; k++)
        load_seg(x, k, &x->seg[k]);
    load_seg(x, 6, &x->ldtr);
    load_seg(x, 7, &x->tr);
    x->gdt_base = vmcs_get(x, VMCS_GUEST_GDTR_BASE);
    x->gdt_limit = (uint16_t)vmcs_get(x, VMCS_GUEST_GDTR_LIMIT);
    x->idt_base = vmcs_get(x, VMCS_GUEST_IDTR_BASE);
    x->idt_limit = (uint16_t)vmcs_get(x, VMCS_GUEST_IDTR_LIMIT);
    x->r[RSP] = vmcs_get(x, VMCS_GUEST_RSP);
    x->rip = x->next_rip = vmcs_get(x, VMCS_GUEST_RIP);
    x->rflags = vmcs_get(x, VMCS_GUEST_RFLAGS);
    /* CPL = SS.DPL (§27.3.2.2 loads SS's access rights; the CPL is its DPL) */
    x->cpl = (uint8_t)((vmcs_get(x, VMCS_GUEST_SS_AR) >> 5) & 3);
    uint32_t intr = (uint32_t)vmcs_get(x, VMCS_GUEST_INTERRUPTIBILITY);
    x->sti_shadow = (intr & 3) != 0;
    /* blocking by MOV SS: as if the VM entry were the MOV SS */
    x->vmx.movss_pos = (intr & 2) ? x86_insn_pos(x) : ~0ull - 1;
    x->vmx.sti_pos = (intr & 1) ? x86_insn_pos(x) : ~0ull - 1;
    /* §27.7.1: bit 3 is blocking by NMI, or with "virtual NMIs"
     * virtual-NMI blocking (physical NMIs then exit, never blocked) */
    if (vmcs_get(x, VMCS_PIN_CTLS) & PIN_VIRTUAL_NMIS)
        x->vmx.vnmi_blocked = (intr & 8) != 0;
    else
        x->nmi_blocked = (intr & 8) != 0;
    x->fault_depth = 0;
    x86_update_mode(x); /* the TLB context switches in vmx_vmentry (vmx_tlb_entry) */
}

/* §27.4: the VM-entry MSR-load area (16-byte entries: index, reserved,
 * data). Returns 0, or the failing entry's number (1-based) for exit
 * reason 34. The SDM's excluded MSRs: FS/GS base (C0000100H/101H), the
 * x2APIC range (800H-8FFH), IA32_SMM_MONITOR_CTL (9BH). */
static uint32_t load_msrs(struct x86_cpu *x, uint64_t addr, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (i == VMX_MSR_LIST_MAX)
            return i + 1;
        uint64_t e = addr + 16ull * i;
        uint32_t idx = (uint32_t)vmx_phys_read(x, e, 4);
        uint32_t rsvd = (uint32_t)vmx_phys_read(x, e + 4, 4);
        uint64_t val = vmx_phys_read(x, e + 8, 8);
        if (rsvd || idx == 0xc0000100u || idx == 0xc0000101u || (idx >> 8) == 8 || idx == 0x9b ||
            !x86_wrmsr(x, idx, val))
            return i + 1;
    }
    return 0;
}

/* The pc of a failed entry's vm.exit record: the linear address the guest
 * state names, as x86_trace_pc gives it for every other x86 record
 * (docs/trace-format.md "x86 code mode"): the guest RIP for a 64-bit
 * guest ("IA-32e mode guest" with CS.L, §26.3.1.2), else guest CS.base +
 * EIP in 32 bits (real and virtual-8086 mode included: the entry checks
 * or the unrestricted guest's state give that base). Read from the VMCS,
 * not the CPU: an entry failing its guest-state checks loads nothing. */
static uint64_t failed_entry_pc(struct x86_cpu *x)
{
    uint64_t rip = vmcs_get(x, VMCS_GUEST_RIP);
    if ((vmcs_get(x, VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST) &&
        (vmcs_get(x, VMCS_GUEST_CS_AR) & (1u << 13)))
        return rip;
    return (vmcs_get(x, VMCS_GUEST_CS_BASE) + rip) & 0xffffffffull;
}

static void entry_failed(struct x86_cpu *x, uint32_t basic, uint64_t qual, const char *why)
{
    /* §27.8: exit reason with bit 31, qualification; the guest state is
     * not saved, the host state is loaded (as a VM exit) */
    uint32_t reason = basic | VMX_EXIT_ENTRY_FAILURE;
    vmcs_set(x, VMCS_EXIT_REASON, reason);
    vmcs_set(x, VMCS_EXIT_QUALIFICATION, qual);
    if (TRACE_ON(x->m, TK_VM_EXIT)) { /* the guest's linear pc; the VMCS's VPID */
        uint64_t vpid = vmx_vmcs_vpid(x);
        vmm_emit_exit_opt(&x->cpu, reason, failed_entry_pc(x), qual, 0, 0, &vpid, 1);
    }
    (void)why;
    vmx_load_host(x);
}

/* §27.6: event injection through the VM-entry interruption-information
 * field: type 0 external interrupt, 2 NMI, 3 hardware exception, 4
 * software interrupt, 5 privileged software exception, 6 software
 * exception; delivered through the guest IDT before its first
 * instruction. */
static void inject(struct x86_cpu *x, uint32_t info)
{
    unsigned vector = info & 0xff, type = (info >> 8) & 7;
    bool has_err = (info >> 11) & 1;
    uint32_t err = (uint32_t)vmcs_get(x, VMCS_ENTRY_EXC_ERRCODE);
    bool soft = type == VMX_EV_SWINT || type == VMX_EV_PRIV || type == VMX_EV_SWEXC;
    uint64_t len = soft ? vmcs_get(x, VMCS_ENTRY_INSN_LEN) : 0;
    uint64_t ret = x->rip + len;
    if (type == VMX_EV_NMI) { /* §27.6.1.1: NMI (or virtual-NMI) blocking */
        if (vmcs_get(x, VMCS_PIN_CTLS) & PIN_VIRTUAL_NMIS)
            x->vmx.vnmi_blocked = true;
        else
            x->nmi_blocked = true;
    }
    x->cpu.state = CPU_RUNNING; /* injection makes the activity state active */
    x->sti_shadow = false;      /* §27.7.1: a vectoring entry leaves no STI / MOV-SS blocking */
    x->vmx.movss_pos = x->vmx.sti_pos = ~0ull - 1;
    TRACE(x->m, TK_IRQ_TAKE, x->cpu.id, cpu_now(&x->cpu), vector, x86_trace_from(x), 0, x86_trace_pc(x));
    /* a fault during the delivery is one "during event delivery in
     * non-root operation" (§27.6.1.2): the injected event is the
     * IDT-vectoring information of its exit */
    vmx_delivering(&x->vmx, type, (unsigned)len);
    x86_deliver(x, (int)vector, has_err, err, type == VMX_EV_SWINT || type == VMX_EV_SWEXC, ret);
    x->next_rip = x->rip;
}

void vmx_vmentry(struct x86_cpu *x, bool launch)
{
    const char *why = NULL;
    if (!vmx_check_controls(x, &why)) {
        vmx_fail_valid(x, VMXERR_ENTRY_BAD_CONTROLS);
        return;
    }
    if (!vmx_check_host(x, &why)) {
        vmx_fail_valid(x, VMXERR_ENTRY_BAD_HOST);
        return;
    }
    unsigned qual = 0;
    if (!vmx_check_guest(x, &why, &qual)) {
        entry_failed(x, VMX_EXIT_INVALID_GUEST, qual, why);
        return;
    }
    load_guest(x);
    uint32_t bad = load_msrs(x, vmcs_get(x, VMCS_ENTRY_MSR_LOAD_ADDR),
                             (uint32_t)vmcs_get(x, VMCS_ENTRY_MSR_LOAD_COUNT));
    if (bad) {
        entry_failed(x, VMX_EXIT_MSR_LOADING, bad, "§27.4 VM-entry MSR-load area");
        return;
    }
    if (launch)
        x->vmx.launched = true;
    x->vmx.non_root = true;
    /* §26.6 (EPT): the guest's physical addresses go through the EPT
     * paging structures of the EPTP (the MMU's walk, vmx_ept.c) */
    x->vmx.ept = (vmcs_get(x, VMCS_PROC_CTLS) & PROC_SECONDARY) &&
                 (vmcs_get(x, VMCS_PROC_CTLS2) & PROC2_EPT);
    /* §27.3.2.4: a guest with PAE paging and EPT has its PDPTEs loaded
     * from the guest PDPTE fields (guest-physical addresses); without EPT
     * the walk reads them at CR3, as outside VMX */
    x->vmx.pdpte_regs = x->vmx.ept && (x->cr0 & CR0_PG) && (x->cr4 & CR4_PAE) && !x->long_mode;
    if (x->vmx.pdpte_regs)
        for (unsigned i = 0; i < 4; i++)
            x->vmx.pdpte[i] = vmcs_get(x, (enum vmcs_field)(VMCS_GUEST_PDPTE0 + i));
    vmx_tlb_entry(x); /* the guest's tagged TLB entries (vmx_ept.c) */
    /* §26.3 "use TSC offsetting": RDTSC, RDTSCP and RDMSR of IA32_TSC in
     * the guest read the TSC plus the offset, a guest WRMSR writes value -
     * offset to it: the model's TSC offset carries the VMCS's while the
     * guest runs (vmx_exit.c takes it back off) */
    if (vmcs_get(x, VMCS_PROC_CTLS) & PROC_TSC_OFFSETTING)
        x->tsc_offset += vmcs_get(x, VMCS_TSC_OFFSET);
    x->vmx.woke_for_exit = false;
    x->vmx.deliv_info = 0;
    x->vmx.deliv_type = VMX_EV_NONE;
    x->vmx.iret_nmi = false;
    x->vmx.ple_last = ~0ull; /* the first PAUSE after an entry starts a loop (§26.1.3) */
    /* §27.6.2: "other event" 0 makes an MTF exit pending before the first
     * instruction; so does a vectoring entry with "monitor trap flag"
     * (the exit follows the delivery, §26.5.2) */
    uint32_t info = (uint32_t)vmcs_get(x, VMCS_ENTRY_INTR_INFO);
    unsigned itype = (info >> 8) & 7;
    x->vmx.mtf_pending = (info >> 31) && (itype == VMX_EV_OTHER ||
                                          (vmcs_get(x, VMCS_PROC_CTLS) & PROC_MTF));
    /* §26.5.1: the preemption timer counts down from its value once every
     * 2^rate ticks of virtual time (IA32_VMX_MISC[4:0]); it is armed as a
     * CPU timer so a run stops exactly at its expiry */
    if (vmcs_get(x, VMCS_PIN_CTLS) & PIN_PREEMPTION_TIMER) {
        x->vmx.preempt_deadline = cpu_now(&x->cpu) +
                                  (vmcs_get(x, VMCS_PREEMPTION_TIMER) << VMX_PREEMPT_RATE);
        x->vmx.preempt_armed = true;
        if (x->vmx.preempt_timer >= 0)
            cpu_timer_arm(&x->cpu, x->vmx.preempt_timer, x->vmx.preempt_deadline);
    }
    if (TRACE_ON(x->m, TK_VM_ENTRY)) {
        /* the guest's linear pc, its VPID and, for a vectoring entry
         * (§27.6), the event injected: the interruption information, its
         * error code (when delivered), the instruction length (software
         * interrupts and exceptions); docs/trace-format.md "Optional
         * arguments" */
        unsigned t = (info >> 8) & 7;
        bool inj = (info >> 31) && t != VMX_EV_OTHER;
        bool soft = t == VMX_EV_SWINT || t == VMX_EV_PRIV || t == VMX_EV_SWEXC;
        uint64_t opt[4] = {
            vmx_vmcs_vpid(x), info,
            (info >> 11 & 1) ? (uint32_t)vmcs_get(x, VMCS_ENTRY_EXC_ERRCODE) : 0,
            soft ? vmcs_get(x, VMCS_ENTRY_INSN_LEN) : 0,
        };
        vmm_emit_entry_opt(&x->cpu, x86_trace_pc(x), opt, inj ? 4 : 1);
    }
    /* activity states HLT, shutdown, wait-for-SIPI (IA32_VMX_MISC bits
     * 6-8): the guest starts asleep (a vectoring entry makes it active) */
    uint64_t act = vmcs_get(x, VMCS_GUEST_ACTIVITY);
    x->vmx.sipi_vector = -1;
    x->vmx.activity = 0;
    if (act >= 1 && act <= 3 && !((info >> 31) && itype != VMX_EV_OTHER)) {
        x->cpu.state = CPU_SLEEPING;
        x->vmx.activity = act >= 2 ? (uint8_t)act : 0;
    }
    vmx_apic_entry(x); /* APIC virtualization (vmx_apic.c) */
    if ((info >> 31) && itype != VMX_EV_OTHER)
        inject(x, info);
    x->attn = true; /* interrupt window, pending events: looked at before the first instruction */
    if (x->cpu.state == CPU_SLEEPING)
        cpu_end_run(&x->cpu);
}
