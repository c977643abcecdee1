/* VMX non-root operation (SDM vol. 3C ch. 26): which instructions and
 * events cause VM exits (§26.1, §26.2), with the exit qualification and
 * instruction information of §28.2.1 / §28.2.5, and the changed behaviour
 * of CR0/CR4 reads and writes under the guest/host masks (§26.3). */
#include "vmx_int.h"
#include "vmx_apic.h"

static _Noreturn void insn_exit(struct x86_cpu *x, uint32_t reason, uint64_t qual)
{
    struct vmx_exit_info info = { .insn = true };
    vmx_exit(x, reason, qual, &info);
}

static uint32_t proc(const struct x86_cpu *x) { return (uint32_t)vmcs_get(x, VMCS_PROC_CTLS); }
static uint32_t pin(const struct x86_cpu *x) { return (uint32_t)vmcs_get(x, VMCS_PIN_CTLS); }

void vmx_nr_cpuid(struct x86_cpu *x) { insn_exit(x, VMX_EXIT_CPUID, 0); } /* unconditional */

void vmx_nr_hlt(struct x86_cpu *x)
{
    if (proc(x) & PROC_HLT_EXITING)
        insn_exit(x, VMX_EXIT_HLT, 0);
}

void vmx_nr_mwait(struct x86_cpu *x, bool armed)
{
    /* §26.1.3 "MWAIT exiting"; §28.2.1: the qualification is 1 when the
     * address-range monitoring hardware is armed, else 0 */
    if (proc(x) & PROC_MWAIT_EXITING)
        insn_exit(x, VMX_EXIT_MWAIT, armed ? 1 : 0);
}

void vmx_nr_rdpmc(struct x86_cpu *x)
{
    if (proc(x) & PROC_RDPMC_EXITING)
        insn_exit(x, VMX_EXIT_RDPMC, 0);
}

void vmx_nr_invlpg(struct x86_cpu *x, uint64_t la)
{
    if (proc(x) & PROC_INVLPG_EXITING)
        insn_exit(x, VMX_EXIT_INVLPG, la); /* qualification: the linear address */
}

static uint32_t proc2(const struct x86_cpu *x)
{
    /* §25.6.2: without "activate secondary controls" they count as 0 */
    return (proc(x) & PROC_SECONDARY) ? (uint32_t)vmcs_get(x, VMCS_PROC_CTLS2) : 0;
}

void vmx_nr_rdtsc(struct x86_cpu *x, bool rdtscp)
{
    /* §26.3: RDTSCP is #UD in non-root operation when "enable RDTSCP" is
     * 0; otherwise RDTSC exiting makes it exit 51 (§26.1.3) */
    if (rdtscp && !(proc2(x) & PROC2_RDTSCP))
        x86_raise(x, X86_EXC_UD, false, 0);
    if (proc(x) & PROC_RDTSC_EXITING)
        insn_exit(x, rdtscp ? VMX_EXIT_RDTSCP : VMX_EXIT_RDTSC, 0);
}

void vmx_nr_simple(struct x86_cpu *x, unsigned reason)
{
    /* §26.1.2: INVD and XSETBV always exit; §26.1.3: WBINVD by "WBINVD
     * exiting", MONITOR by its control (MWAIT: vmx_nr_mwait) */
    bool ex;
    switch (reason) {
    case VMX_EXIT_WBINVD: ex = proc2(x) & PROC2_WBINVD_EXITING; break;
    case VMX_EXIT_MONITOR: ex = proc(x) & PROC_MONITOR_EXITING; break;
    default: ex = true; break;
    }
    if (ex)
        insn_exit(x, reason, 0);
}

bool vmx_nr_pause(struct x86_cpu *x)
{
    /* §26.1.3: "PAUSE exiting" exits always; otherwise "PAUSE-loop
     * exiting" at CPL 0: a PAUSE more than PLE_Gap ticks after the last
     * one (or the first since the VM entry) starts a loop; one more than
     * PLE_Window ticks after the start of its loop exits. Times are
     * virtual-time ticks (the TSC's). */
    if (proc(x) & PROC_PAUSE_EXITING)
        insn_exit(x, VMX_EXIT_PAUSE, 0);
    if (!(proc2(x) & PROC2_PAUSE_LOOP) || x->cpl != 0)
        return true;
    uint64_t now = cpu_now(&x->cpu);
    uint64_t gap = vmcs_get(x, VMCS_PLE_GAP), window = vmcs_get(x, VMCS_PLE_WINDOW);
    if (x->vmx.ple_last == ~0ull || now - x->vmx.ple_last > gap)
        x->vmx.ple_first = now;
    x->vmx.ple_last = now;
    if (now - x->vmx.ple_first > window)
        insn_exit(x, VMX_EXIT_PAUSE, 0);
    /* the loop is the hypervisor's to end (the exit above): a PAUSE that
     * ended the slot would put PLE_Gap between every two of them */
    return false;
}

void vmx_nr_desc_table(struct x86_cpu *x, bool ldtr_tr, unsigned ident)
{
    /* §26.1.3 "descriptor-table exiting"; instruction information
     * (Tables 28-10, 28-11): scaling, address size, operand size (bit 11,
     * LGDT/LIDT/SGDT/SIDT outside 64-bit mode: 1 = 32-bit), register or
     * memory (bit 10, 47 only), segment, index, base, the instruction
     * identity (29:28); qualification = the displacement */
    if (!(proc2(x) & PROC2_DESC_TABLE))
        return;
    const struct x86_insn *i = &x->in;
    uint32_t info = vmx_insn_info(x, -1) | (ident & 3) << 28;
    if (!ldtr_tr && i->opsize != 2 && x->code_size != 8)
        info |= 1u << 11;
    struct vmx_exit_info e = { .insn = true, .insn_info = info };
    vmx_exit(x, ldtr_tr ? VMX_EXIT_LDTR_TR : VMX_EXIT_GDTR_IDTR, i->mod == 3 ? 0 : (uint64_t)i->disp, &e);
}

void vmx_nr_invpcid(struct x86_cpu *x, unsigned type_reg, bool cpl_checked)
{
    /* §26.3: #UD without "enable INVPCID"; with it, INVLPG exiting makes
     * INVPCID exit (58): qualification = displacement, instruction
     * information as INVEPT's (Table 28-13, reg2 = the type register) */
    if (!cpl_checked) {
        if (!(proc2(x) & PROC2_INVPCID))
            x86_raise(x, X86_EXC_UD, false, 0);
        return;
    }
    if (proc(x) & PROC_INVLPG_EXITING) {
        struct vmx_exit_info e = { .insn = true, .insn_info = vmx_insn_info(x, (int)type_reg) };
        vmx_exit(x, VMX_EXIT_INVPCID, (uint64_t)x->in.disp, &e);
    }
}

void vmx_nr_task_switch(struct x86_cpu *x, uint16_t sel, unsigned source)
{
    /* §26.1.2: task switches always exit; qualification (Table 28-2):
     * the TSS selector (15:0), the source (31:30). CALL / JMP / IRET are
     * instruction exits (their length, §28.2.5); through the IDT the
     * event being delivered is the IDT-vectoring information. */
    struct vmx_exit_info e = { .insn = source != 3 };
    vmx_exit(x, VMX_EXIT_TASK_SWITCH, sel | (uint64_t)(source & 3) << 30, &e);
}

void vmx_nr_mov_dr(struct x86_cpu *x, unsigned dr, unsigned gpr, bool to_dr)
{
    /* qualification (Table 28-4): DR number, direction (bit 4: 1 = MOV
     * from DR), the general register in bits 11:8 */
    if (proc(x) & PROC_MOV_DR_EXITING)
        insn_exit(x, VMX_EXIT_DR_ACCESS, (dr & 7) | (to_dr ? 0 : 1u << 4) | (gpr & 15) << 8);
}

/* §26.1.3: I/O instructions. The I/O bitmaps (A: ports 0-7FFFH, B: 8000H-
 * FFFFH) decide when "use I/O bitmaps" is 1: an access exits if the bit of
 * any port it touches is set, or when it wraps past FFFFH; otherwise
 * "unconditional I/O exiting" decides. */
static bool io_exits(struct x86_cpu *x, uint32_t port, unsigned size)
{
    uint32_t p = proc(x);
    if (!(p & PROC_IO_BITMAPS))
        return p & PROC_UNCOND_IO;
    for (unsigned i = 0; i < size; i++) {
        uint32_t q = port + i;
        if (q > 0xffff)
            return true;
        uint64_t base = q < 0x8000 ? vmcs_get(x, VMCS_IO_BITMAP_A) : vmcs_get(x, VMCS_IO_BITMAP_B);
        uint32_t bit = q & 0x7fff;
        if ((vmx_phys_read(x, base + bit / 8, 1) >> (bit & 7)) & 1)
            return true;
    }
    return false;
}

void vmx_nr_io(struct x86_cpu *x, uint32_t port, unsigned size, bool in, bool string, bool rep,
               bool imm)
{
    if (!io_exits(x, port, size))
        return;
    /* qualification (Table 28-5): size - 1 (2:0), direction (3: 1 = IN),
     * string (4), REP (5), operand encoding (6: 1 = immediate), port
     * (31:16) */
    uint64_t q = (size - 1) | (in ? 8u : 0) | (string ? 16u : 0) | (rep ? 32u : 0) |
                 (imm ? 64u : 0) | (uint64_t)(port & 0xffff) << 16;
    struct vmx_exit_info info = { .insn = true };
    if (string) {
        /* instruction information (Table 28-8, IA32_VMX_BASIC bit 54):
         * address size (9:7), segment (17:15: ES for INS, else DS or the
         * override); the guest-linear address of the first access */
        const struct x86_insn *i = &x->in;
        unsigned seg = in ? X86_ES : (i->seg != X86_SEG_NONE ? i->seg : X86_DS);
        info.insn_info = (uint32_t)(i->addrsize == 2 ? 0 : i->addrsize == 4 ? 1 : 2) << 7 |
                         (uint32_t)seg << 15;
        uint64_t off = x->r[in ? RDI : RSI];
        if (i->addrsize != 8)
            off &= i->addrsize == 4 ? 0xffffffffull : 0xffff;
        info.guest_la = x->seg[seg].base + off;
        if (!x->long_mode || x->code_size != 8)
            info.guest_la &= 0xffffffffull;
    }
    vmx_exit(x, VMX_EXIT_IO, q, &info);
}

/* §26.1.3: RDMSR / WRMSR. With "use MSR bitmaps": read bitmaps for low
 * (0-1FFFH) and high (C0000000H-C0001FFFH) MSRs at offsets 0 and 1024,
 * write bitmaps at 2048 and 3072; an MSR outside both ranges always
 * exits. */
bool vmx_nr_msr(struct x86_cpu *x, bool write)
{
    uint32_t msr = (uint32_t)x->r[RCX];
    bool exits = true;
    if (proc(x) & PROC_MSR_BITMAPS) {
        uint64_t off;
        if (msr <= 0x1fff)
            off = 0;
        else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
            off = 1024;
        else
            off = ~0ull;
        if (off != ~0ull) {
            uint32_t bit = msr & 0x1fff;
            uint64_t pa = vmcs_get(x, VMCS_MSR_BITMAP) + off + (write ? 2048 : 0) + bit / 8;
            exits = (vmx_phys_read(x, pa, 1) >> (bit & 7)) & 1;
        }
    }
    if (exits)
        insn_exit(x, write ? VMX_EXIT_WRMSR : VMX_EXIT_RDMSR, 0);
    return vmx_apic_msr(x, write); /* "virtualize x2APIC mode" (§30.5) */
}

/* Control-register accesses: qualification of Table 28-3: CR number (3:0),
 * access type (5:4: 0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW), the
 * general register (11:8). */
static uint64_t cr_qual(unsigned cr, unsigned type, unsigned gpr)
{
    return (cr & 15) | (type & 3) << 4 | (gpr & 15) << 8;
}

static bool cr3_target(struct x86_cpu *x, uint64_t v)
{
    uint64_t n = vmcs_get(x, VMCS_CR3_TARGET_COUNT);
    for (uint64_t i = 0; i < n && i < VMX_CR3_TARGETS; i++)
        if (vmcs_get(x, (enum vmcs_field)(VMCS_CR3_TARGET0 + i)) == v)
            return true;
    return false;
}

uint64_t vmx_nr_mov_to_cr(struct x86_cpu *x, unsigned cr, unsigned gpr, uint64_t v)
{
    switch (cr) {
    case 0: case 4: {
        /* §26.1.3: exits when a bit set in the mask differs from the read
         * shadow; otherwise the host-owned bits keep their value (§26.3) */
        uint64_t mask = vmcs_get(x, cr ? VMCS_CR4_MASK : VMCS_CR0_MASK);
        uint64_t shadow = vmcs_get(x, cr ? VMCS_CR4_SHADOW : VMCS_CR0_SHADOW);
        if ((v ^ shadow) & mask)
            insn_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(cr, 0, gpr));
        uint64_t cur = cr ? x->cr4 : x->cr0;
        return (v & ~mask) | (cur & mask);
    }
    case 3:
        if ((proc(x) & PROC_CR3_LOAD_EXITING) && !cr3_target(x, v))
            insn_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(3, 0, gpr));
        return v;
    case 8:
        if (proc(x) & PROC_CR8_LOAD_EXITING)
            insn_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(8, 0, gpr));
        return v;
    default:
        return v;
    }
}

uint64_t vmx_nr_mov_from_cr(struct x86_cpu *x, unsigned cr, unsigned gpr, uint64_t v)
{
    switch (cr) {
    case 0: case 4: {
        uint64_t mask = vmcs_get(x, cr ? VMCS_CR4_MASK : VMCS_CR0_MASK);
        uint64_t shadow = vmcs_get(x, cr ? VMCS_CR4_SHADOW : VMCS_CR0_SHADOW);
        return (v & ~mask) | (shadow & mask);
    }
    case 3:
        if (proc(x) & PROC_CR3_STORE_EXITING)
            insn_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(3, 1, gpr));
        return v;
    case 8:
        if (proc(x) & PROC_CR8_STORE_EXITING)
            insn_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(8, 1, gpr));
        return vmx_apic_tpr_shadow(x) ? vmx_apic_cr8_read(x) : v; /* VTPR[7:4] (§30.3) */
    default:
        return v;
    }
}

void vmx_nr_pae_cr_write(struct x86_cpu *x, uint64_t cr0, uint64_t cr3, uint64_t cr4, bool cr3_write)
{
    /* PAE paging after the write: PG and PAE without long mode (PG = 1
     * with LME = 1 is IA-32e mode) */
    bool pae = (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(x->efer & EFER_LME);
    if (!pae) {
        x->vmx.pdpte_regs = false;
        return;
    }
    bool reload = cr3_write || ((cr0 ^ x->cr0) & (CR0_CD | CR0_NW | CR0_PG)) ||
                  ((cr4 ^ x->cr4) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP));
    if (!reload && x->vmx.pdpte_regs)
        return;
    uint64_t e[4];
    for (unsigned i = 0; i < 4; i++) {
        /* guest-physical: a read of a guest paging structure with no
         * guest-linear address (qualification bit 7 clear, §28.2.1) */
        struct ept_result r;
        uint64_t hpa = vmx_ept_translate(x, (cr3 & 0xffffffe0u) + 8 * i, EPT_ACC_READ | EPT_ACC_GPT, 0, &r);
        e[i] = vmx_phys_read(x, hpa, 8);
    }
    for (unsigned i = 0; i < 4; i++)
        if ((e[i] & 1) && (e[i] & VMX_PDPTE_RSVD))
            x86_raise(x, X86_EXC_GP, true, 0);
    for (unsigned i = 0; i < 4; i++)
        x->vmx.pdpte[i] = e[i];
    x->vmx.pdpte_regs = true;
}

bool vmx_nr_clts(struct x86_cpu *x)
{
    /* §26.1.3: CLTS exits when CR0.TS is host-owned and set in the shadow;
     * host-owned and clear in the shadow: no exit, TS unchanged */
    uint64_t mask = vmcs_get(x, VMCS_CR0_MASK), shadow = vmcs_get(x, VMCS_CR0_SHADOW);
    if ((mask & CR0_TS) && (shadow & CR0_TS))
        insn_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(0, 2, 0));
    return !(mask & CR0_TS);
}

uint64_t vmx_nr_lmsw(struct x86_cpu *x, uint16_t src, uint64_t la)
{
    /* §26.1.3: LMSW exits when CR0.PE is host-owned with shadow PE = 0 and
     * the source sets PE, or when MP, EM or TS is host-owned and the
     * source differs from the shadow; qualification: type 3, memory
     * operand (bit 6), the source data (31:16), and the guest-linear
     * address. Otherwise host-owned bits keep their value (§26.3). */
    uint64_t mask = vmcs_get(x, VMCS_CR0_MASK) & 0xf, shadow = vmcs_get(x, VMCS_CR0_SHADOW);
    bool ex = ((mask & CR0_PE) && !(shadow & CR0_PE) && (src & CR0_PE)) ||
              ((src ^ shadow) & mask & (CR0_MP | CR0_EM | CR0_TS));
    if (ex) {
        struct vmx_exit_info info = { .insn = true, .guest_la = la };
        vmx_exit(x, VMX_EXIT_CR_ACCESS, cr_qual(0, 3, 0) | 1u << 6 | (uint64_t)src << 16, &info);
    }
    return ((src & 0xf) & ~mask) | (x->cr0 & mask);
}

/* §25.6.3: the exception bitmap; a #PF exits when (error code & mask) ==
 * match and bit 14 is set, or when they differ and bit 14 is clear. The
 * interruption information (§28.2.2 Table 28-19): vector, type (3
 * hardware exception, 5 privileged software exception: INT1, 6 software
 * exception: INT3 / INTO), error code valid, bit 12 NMI unblocking by IRET
 * (not with IDT-vectoring information or for #DF), valid. An exception
 * during the delivery of another event (vmx.deliv_info) exits with that
 * event as IDT-vectoring information (§28.2.4); whether or not it exits,
 * the IRET's NMI unblocking is then spent. */
void vmx_nr_exception(struct x86_cpu *x, int vector, bool has_err, uint32_t err, unsigned type,
                      uint64_t qual)
{
    bool iret_nmi = x->vmx.iret_nmi;
    x->vmx.iret_nmi = false;
    uint32_t bm = (uint32_t)vmcs_get(x, VMCS_EXCEPTION_BITMAP);
    bool exits = (bm >> vector) & 1;
    if (vector == X86_EXC_PF) {
        bool match = (err & vmcs_get(x, VMCS_PF_ERRCODE_MASK)) == vmcs_get(x, VMCS_PF_ERRCODE_MATCH);
        exits = match ? exits : !exits;
    }
    if (!exits)
        return;
    /* no error code in real mode (an unrestricted guest): it would not be
     * pushed, so it is not valid (§28.2.2) */
    if (!(x->cr0 & CR0_PE))
        has_err = false;
    struct vmx_exit_info info = { .insn = type != VMX_EV_HW };
    info.intr_info = (uint32_t)vector | (type & 7) << 8 | (has_err ? 1u << 11 : 0) | 1u << 31;
    if (iret_nmi && !(x->vmx.deliv_info >> 31) && vector != X86_EXC_DF)
        info.intr_info |= 1u << 12;
    info.intr_err = has_err ? err : 0;
    /* qualification: #PF the linear address (CR2 is not written), a #DB
     * trap the DR6 bits it would set (DR6 is not written) */
    vmx_exit(x, VMX_EXIT_EXCEPTION_NMI, vector == X86_EXC_PF || vector == X86_EXC_DB ? qual : 0, &info);
}

void vmx_nr_iret(struct x86_cpu *x)
{
    /* §26.7.1 / §27.7.1: with "virtual NMIs", IRET ends virtual-NMI
     * blocking; without it and without "NMI exiting", IRET ends blocking
     * by NMI -- even when it faults (its exits then report bit 12); with
     * "NMI exiting" alone blocking by NMI lasts while in non-root
     * operation */
    if (pin(x) & PIN_VIRTUAL_NMIS) {
        x->vmx.iret_nmi = x->vmx.vnmi_blocked;
        x->vmx.vnmi_blocked = false;
    } else if (!(pin(x) & PIN_NMI_EXITING)) {
        x->vmx.iret_nmi = x->nmi_blocked;
        x->nmi_blocked = false;
    } else {
        x->vmx.iret_nmi = false;
    }
}

_Noreturn void vmx_nr_triple_fault(struct x86_cpu *x)
{
    struct vmx_exit_info info = { 0 };
    vmx_exit(x, VMX_EXIT_TRIPLE_FAULT, 0, &info);
}

/* A guest in shutdown or wait-for-SIPI with nothing to exit for: back
 * to sleep (the scheduler wakes it when vmx_nr_wake says so) */
static bool vmx_nr_asleep(struct x86_cpu *x)
{
    x->cpu.state = CPU_SLEEPING;
    cpu_end_run(&x->cpu);
    return true;
}

/* §26.5.2: "monitor trap flag": an MTF exit on the boundary after the
 * next instruction (or event delivery); attn brings the loop back there */
static void mtf_arm(struct x86_cpu *x)
{
    if (proc(x) & PROC_MTF) {
        x->vmx.mtf_pending = true;
        x->attn = true;
    }
}

/* Events between instructions (§26.2, §26.5, §26.7), by priority: INIT,
 * a pending MTF exit, the preemption timer, NMI exiting, NMI window,
 * external-interrupt exiting, then the interrupt window. With "monitor
 * trap flag" each boundary arms an MTF exit for the next one (after one
 * instruction or one event delivery): attn brings the loop back. */
bool vmx_nr_events(struct x86_cpu *x)
{
    struct vmx_exit_info info = { .boundary = true };
    /* §27.7.2: wait-for-SIPI blocks external interrupts, NMIs, INIT (it
     * stays pending); a SIPI exits with its vector. Shutdown blocks
     * external interrupts (and SIPIs). Neither runs an instruction: no
     * windows, no MTF. */
    if (x->vmx.activity == 3) {
        if (x->vmx.sipi_vector >= 0) {
            unsigned v = (unsigned)x->vmx.sipi_vector;
            x->vmx.sipi_vector = -1;
            vmx_exit(x, VMX_EXIT_SIPI, v, &info);
        }
        if (x->vmx.preempt_armed && cpu_now(&x->cpu) >= x->vmx.preempt_deadline) {
            x->vmx.preempt_armed = false;
            vmx_exit(x, VMX_EXIT_PREEMPTION_TIMER, 0, &info);
        }
        return vmx_nr_asleep(x); /* still waiting: nothing else is taken */
    }
    if (x->vmx.init_pending) { /* §26.2: INIT exits (it is not blocked by anything here) */
        x->vmx.init_pending = false;
        vmx_exit(x, VMX_EXIT_INIT, 0, &info);
    }
    if (x->vmx.mtf_pending)
        vmx_exit(x, VMX_EXIT_MTF, 0, &info);
    if (x->vmx.preempt_armed && cpu_now(&x->cpu) >= x->vmx.preempt_deadline) {
        x->vmx.preempt_armed = false;
        vmx_exit(x, VMX_EXIT_PREEMPTION_TIMER, 0, &info);
    }
    bool vnmi = pin(x) & PIN_VIRTUAL_NMIS;
    if (x->vmx.activity == 2) {
        if (x->nmi_pending && (vnmi || !x->nmi_blocked) && (pin(x) & PIN_NMI_EXITING)) {
            x->nmi_pending = false;
            info.intr_info = X86_EXC_NMI | 2u << 8 | 1u << 31;
            vmx_exit(x, VMX_EXIT_EXCEPTION_NMI, 0, &info);
        }
        return vmx_nr_asleep(x); /* still in shutdown */
    }
    if (x->nmi_pending && (vnmi || !x->nmi_blocked) && (pin(x) & PIN_NMI_EXITING)) {
        /* with "virtual NMIs" physical NMIs are not blocked in non-root
         * operation (§27.7.1) */
        x->nmi_pending = false;
        info.intr_info = X86_EXC_NMI | 2u << 8 | 1u << 31;
        vmx_exit(x, VMX_EXIT_EXCEPTION_NMI, 0, &info);
    }
    /* §26.7.6: NMI window, no virtual-NMI blocking and no blocking by
     * MOV SS (the model's one shadow for STI and MOV SS counts: an exit
     * with STI blocking is optional) */
    if ((proc(x) & PROC_NMI_WINDOW) && !x->vmx.vnmi_blocked && !x->sti_shadow)
        vmx_exit(x, VMX_EXIT_NMI_WINDOW, 0, &info);
    if (x->intr && (pin(x) & PIN_EXT_INTR_EXITING) && !x->sti_shadow) {
        /* not blocked by RFLAGS.IF (§26.2): with "acknowledge interrupt on
         * exit" the CPU takes the vector from the interrupt controller */
        if (vmcs_get(x, VMCS_EXIT_CTLS) & EXIT_ACK_INTR) {
            int v = x->intr_ack ? x->intr_ack(x->intr_opaque) : -1;
            if (v < 0) {
                mtf_arm(x);
                return false;
            }
            info.intr_info = (uint32_t)v | 1u << 31; /* type 0: external interrupt */
            /* the posted-interrupt notification vector: processed, no
             * exit (§30.6; a halted guest stays halted unless a virtual
             * interrupt is delivered) */
            if (vmx_apic_posted(x, v)) {
                x->vmx.woke_for_exit = false;
                mtf_arm(x);
                return vmx_apic_deliver(x);
            }
        }
        vmx_exit(x, VMX_EXIT_EXTERNAL_INTERRUPT, 0, &info);
    }
    if ((proc(x) & PROC_INTR_WINDOW) && (x->rflags & FL_IF) && !x->sti_shadow)
        vmx_exit(x, VMX_EXIT_INTERRUPT_WINDOW, 0, &info);
    mtf_arm(x);
    return vmx_apic_deliver(x); /* virtual-interrupt delivery (§30.2.2) */
}

void vmx_nr_mtf_boundary(struct x86_cpu *x)
{
    if (x->vmx.mtf_pending) {
        struct vmx_exit_info info = { .boundary = true };
        vmx_exit(x, VMX_EXIT_MTF, 0, &info);
    }
    mtf_arm(x);
}

bool vmx_nr_wake(struct x86_cpu *x)
{
    bool timer = x->vmx.preempt_armed && cpu_now(&x->cpu) >= x->vmx.preempt_deadline;
    bool w;
    if (x->vmx.activity == 3)
        w = x->vmx.sipi_vector >= 0 || timer;
    else if (x->vmx.activity == 2)
        w = x->vmx.init_pending || timer || (x->nmi_pending && (pin(x) & PIN_NMI_EXITING));
    else
        w = x->vmx.init_pending || x->vmx.mtf_pending || timer ||
            (x->intr && (pin(x) & PIN_EXT_INTR_EXITING)) ||
            (x->nmi_pending && (pin(x) & PIN_NMI_EXITING));
    if (w) { /* the exit is taken next, from the HLT state (§28.3.4) */
        x->vmx.woke_for_exit = true;
        x->attn = true;
    } else if (vmx_apic_wake(x)) { /* a virtual interrupt (§30.2.2) */
        x->attn = true;
        return true;
    }
    return w;
}

bool vmx_nr_sipi(struct x86_cpu *x, unsigned vector)
{
    if (x->vmx.activity != 3)
        return false; /* active, HLT, shutdown: discarded */
    x->vmx.sipi_vector = (int16_t)(vector & 0xff);
    x->attn = true;
    return true;
}
