/* Intel VMX on the x86_64 CPU model (docs/vmx.md; SDM vol. 3C ch. 23-31,
 * numbered as in the 2023 edition: ch. 25 VMCS, 26 non-root operation, 27
 * VM entries, 28 VM exits, 31 VMX instruction reference). The state a CPU
 * keeps (struct vmx_state, inside struct x86_cpu) and the calls the x86
 * core makes: the VMX instructions, the capability MSRs, and the checks of
 * non-root operation that may end in a VM exit. This header has no x86
 * CPU-model include (struct x86_cpu is opaque here); the .c files of the
 * VMX part (vmx*.c) are the x86 leaf of src/vmm/ and include the model's
 * header (scripts/check-layering.sh allows them). */
#ifndef HVSIM_VMX_H
#define HVSIM_VMX_H
#include <stdbool.h>
#include <stdint.h>
#include "vmcs.h"
#include "ept.h"

struct x86_cpu;

#define VMX_NO_VMCS (~0ull) /* current-VMCS pointer when there is none */
#define VMX_REVISION 0x48560001u /* VMCS revision identifier (IA32_VMX_BASIC[30:0]) */

struct vmx_state {
    bool enabled;         /* [cpu] vmx = on: CPUID.1:ECX.VMX = 1, the VMX MSRs exist */
    bool on;              /* in VMX operation (VMXON .. VMXOFF) */
    bool non_root;        /* VMX non-root operation (running a guest) */
    bool ept;             /* with non_root: the guest runs with "enable EPT" (set by
                             each VM entry; meaningless in root operation) */
    bool launched;        /* launch state of the current VMCS (vmcs[] below) */
    uint64_t feature_control; /* IA32_FEATURE_CONTROL */
    uint64_t vmxon_ptr;   /* the VMXON region */
    uint64_t vmcs_ptr;    /* current-VMCS pointer (VMX_NO_VMCS: invalid) */
    uint64_t vmcs[VMCS_NFIELDS]; /* the current VMCS's fields (written back on VMCLEAR,
                                    on VMPTRLD of another VMCS and on VMXOFF) */
    uint64_t preempt_deadline; /* virtual time (ticks) the preemption timer fires (non-root) */
    bool preempt_armed;
    int preempt_timer;    /* the CPU timer (cpu_timer_alloc) it uses, -1: none yet */
    bool woke_for_exit;   /* a halted guest woke for a VM exit: activity state HLT is saved */
    bool init_pending;    /* an INIT arrived in VMX operation: an INIT exit in non-root,
                             latched in root until VMXOFF */
    /* APIC virtualization (vmx_apic.c, SDM vol. 3C ch. 30), non-root only */
    uint64_t apic_page;   /* the APIC-access page with "virtualize APIC accesses", else ~0 */
    bool apic_pending;    /* work at the next instruction boundary: apic_write / apic_trap */
    int16_t apic_write;   /* a virtualized APIC write to emulate (page offset), -1: none */
    uint32_t apic_trap;   /* a trap-like exit (TPR below threshold, virtualized EOI), 0: none */
    uint64_t apic_trap_qual;
    bool vint;            /* a virtual interrupt is recognized (§30.2.1) */
    /* non-root event delivery (vmx_nonroot.c): the event being delivered
     * through the guest IDT, as IDT-vectoring information (bit 31 valid;
     * 0: none) with its error code and, for software events, the
     * instruction length (SDM vol. 3C §28.2.4) */
    uint32_t deliv_info, deliv_err;
    uint8_t deliv_len;
    uint8_t deliv_type;   /* the type vmx_delivering announced for the next x86_deliver
                             (VMX_EV_*; VMX_EV_NONE: none) */
    bool iret_nmi;        /* executing IRET that unblocked (virtual-)NMIs: bit 12 of an exit's
                             interruption information / EPT qualification (§28.2.3) */
    bool vnmi_blocked;    /* virtual-NMI blocking ("virtual NMIs" = 1, §26.7.1) */
    bool mtf_pending;     /* a monitor-trap-flag exit after this instruction (§26.5.2) */
    uint64_t movss_pos;   /* x86_insn_pos of the last MOV SS / POP SS: the instruction
                             after it runs with events blocked by MOV SS (VMLAUNCH /
                             VMRESUME error 26, interruptibility bit 1) */
    uint64_t sti_pos;     /* that of the last STI that set IF (interruptibility bit 0) */
    uint8_t activity;     /* a guest entered in shutdown (2) or wait-for-SIPI (3), asleep
                             until an exit; 0 otherwise (HLT is the CPU's sleep) */
    int16_t sipi_vector;  /* a SIPI that arrived in wait-for-SIPI (its exit); -1: none */
    /* PAE paging with EPT (§27.3.2.4, §28.3.4): the guest's PDPTE
     * registers, loaded by the VM entry from the guest PDPTE fields and by
     * the guest's MOV to CR0/CR3/CR4 from the table at CR3 through EPT
     * (vmx_nr_pae_cr_write); pdpte_regs is set exactly while the guest
     * runs with EPT and PAE paging, and the walk then uses them */
    uint64_t pdpte[4];
    bool pdpte_regs;
    uint64_t ple_last, ple_first; /* PAUSE-loop exiting: virtual time of the last PAUSE at
                                     CPL 0 and of the first of its loop; ~0: none (§26.1.3) */
};

/* Interruption types of the VM-entry / VM-exit interruption information
 * and IDT-vectoring information (§25.8.3, §25.9.2, Table 28-19). */
enum {
    VMX_EV_EXT = 0, VMX_EV_NMI = 2, VMX_EV_HW = 3, VMX_EV_SWINT = 4, VMX_EV_PRIV = 5,
    VMX_EV_SWEXC = 6, VMX_EV_OTHER = 7, VMX_EV_NONE = 0xff,
};
/* The x86 core is about to deliver an event through the IDT: its type
 * (and, for a software event, the instruction length), announced before
 * x86_deliver, which in non-root operation makes it the IDT-vectoring
 * information of a VM exit during the delivery (vmx_deliver_begin /
 * _end: vector and error code from its arguments) and forgets it once
 * delivered. */
static inline void vmx_delivering(struct vmx_state *v, unsigned type, unsigned len)
{
    v->deliv_type = (uint8_t)type;
    v->deliv_len = (uint8_t)len;
}
/* x86_deliver (trap.c) around the delivery of vector in non-root
 * operation: a type not announced is a hardware exception (soft: a
 * software interrupt). */
static inline void vmx_deliver_begin(struct vmx_state *v, unsigned vector, bool has_err, uint32_t err,
                                     bool soft)
{
    unsigned type = v->deliv_type != VMX_EV_NONE ? v->deliv_type : soft ? VMX_EV_SWINT : VMX_EV_HW;
    v->deliv_type = VMX_EV_NONE;
    v->deliv_info = 1u << 31 | (type & 7) << 8 | (vector & 0xff) | (has_err ? 1u << 11 : 0);
    v->deliv_err = has_err ? err : 0;
}

/* The VMX instructions (0F 01 C1..C4, 0F C7 /6 /7, 0F 78, 0F 79, 66 0F 38
 * 80 / 81). */
enum vmx_op {
    VMX_OP_VMCALL, VMX_OP_VMLAUNCH, VMX_OP_VMRESUME, VMX_OP_VMXOFF,
    VMX_OP_VMPTRLD, VMX_OP_VMCLEAR, VMX_OP_VMXON, VMX_OP_VMPTRST,
    VMX_OP_VMREAD, VMX_OP_VMWRITE, VMX_OP_INVEPT, VMX_OP_INVVPID,
};

/* Basic exit reasons (SDM vol. 3C Appendix C). */
enum vmx_exit_reason {
    VMX_EXIT_EXCEPTION_NMI = 0, VMX_EXIT_EXTERNAL_INTERRUPT = 1, VMX_EXIT_TRIPLE_FAULT = 2,
    VMX_EXIT_INIT = 3, VMX_EXIT_SIPI = 4, VMX_EXIT_IO_SMI = 5, VMX_EXIT_OTHER_SMI = 6,
    VMX_EXIT_INTERRUPT_WINDOW = 7, VMX_EXIT_NMI_WINDOW = 8, VMX_EXIT_TASK_SWITCH = 9,
    VMX_EXIT_CPUID = 10, VMX_EXIT_GETSEC = 11, VMX_EXIT_HLT = 12, VMX_EXIT_INVD = 13,
    VMX_EXIT_INVLPG = 14, VMX_EXIT_RDPMC = 15, VMX_EXIT_RDTSC = 16, VMX_EXIT_RSM = 17,
    VMX_EXIT_VMCALL = 18, VMX_EXIT_VMCLEAR = 19, VMX_EXIT_VMLAUNCH = 20, VMX_EXIT_VMPTRLD = 21,
    VMX_EXIT_VMPTRST = 22, VMX_EXIT_VMREAD = 23, VMX_EXIT_VMRESUME = 24, VMX_EXIT_VMWRITE = 25,
    VMX_EXIT_VMXOFF = 26, VMX_EXIT_VMXON = 27, VMX_EXIT_CR_ACCESS = 28, VMX_EXIT_DR_ACCESS = 29,
    VMX_EXIT_IO = 30, VMX_EXIT_RDMSR = 31, VMX_EXIT_WRMSR = 32, VMX_EXIT_INVALID_GUEST = 33,
    VMX_EXIT_MSR_LOADING = 34, VMX_EXIT_MWAIT = 36, VMX_EXIT_MTF = 37, VMX_EXIT_MONITOR = 39,
    VMX_EXIT_PAUSE = 40, VMX_EXIT_MCE_ENTRY = 41, VMX_EXIT_TPR_BELOW = 43,
    VMX_EXIT_APIC_ACCESS = 44, VMX_EXIT_VIRT_EOI = 45, VMX_EXIT_GDTR_IDTR = 46,
    VMX_EXIT_LDTR_TR = 47, VMX_EXIT_EPT_VIOLATION = 48, VMX_EXIT_EPT_MISCONFIG = 49,
    VMX_EXIT_INVEPT = 50, VMX_EXIT_RDTSCP = 51, VMX_EXIT_PREEMPTION_TIMER = 52,
    VMX_EXIT_INVVPID = 53, VMX_EXIT_WBINVD = 54, VMX_EXIT_XSETBV = 55, VMX_EXIT_APIC_WRITE = 56,
    VMX_EXIT_RDRAND = 57, VMX_EXIT_INVPCID = 58, VMX_EXIT_VMFUNC = 59,
    VMX_EXIT_REASONS = 70,
};
#define VMX_EXIT_ENTRY_FAILURE (1u << 31) /* exit reason bit 31: VM-entry failure */

/* Names ("EPT_VIOLATION") and classes (enum vmm_exit_class) of exit reasons
 * (vmx_exit_names.c; arch_x86_64.vm_exit_name / vm_exit_class). The
 * reason is the full exit-reason field: bit 31 marks a failed entry. */
const char *vmx_exit_name(uint64_t reason);
unsigned vmx_exit_class(uint64_t reason);

/* ---- called by the x86 core ------------------------------------------------ */

/* Power-on / INIT state (VMX off; `enabled` is kept). */
void vmx_reset(struct x86_cpu *x);
/* CR4.VMXE may be set (VMX is reported). */
static inline bool vmx_available(const struct vmx_state *v) { return v->enabled; }
/* MOV to CR0 / CR4 in VMX operation (root and non-root): false when the
 * value clears a bit IA32_VMX_CR0/CR4_FIXED0 requires or sets one FIXED1
 * forbids (#GP, SDM vol. 3C §23.8). */
bool vmx_cr_fixed_ok(const struct x86_cpu *x, unsigned cr, uint64_t v);

/* A VMX instruction (vmx.c): VMfail / VMsucceed / #UD / #GP / a VM exit in
 * non-root operation, a VM entry for VMLAUNCH/VMRESUME. */
void vmx_exec(struct x86_cpu *x, enum vmx_op op);

/* IA32_FEATURE_CONTROL and the IA32_VMX_* MSRs (vmx_caps.c): -1 not one of
 * them, 0 #GP, 1 done. */
int vmx_rdmsr(struct x86_cpu *x, uint32_t msr, uint64_t *v);
int vmx_wrmsr(struct x86_cpu *x, uint32_t msr, uint64_t v);

/* Non-root operation (vmx_nonroot.c): each returns when the instruction
 * runs in the guest, and does not return when it causes a VM exit (the
 * exit loads the host state and goes back to the loop, as an exception
 * does). Call only while x->vmx.non_root. */
void vmx_nr_cpuid(struct x86_cpu *x);
void vmx_nr_hlt(struct x86_cpu *x);
/* MWAIT exiting: exit 36, qualification = whether the monitor is armed */
void vmx_nr_mwait(struct x86_cpu *x, bool armed);
void vmx_nr_io(struct x86_cpu *x, uint32_t port, unsigned size, bool in, bool string, bool rep,
               bool imm);
/* RDMSR / WRMSR: the MSR bitmaps; true when the access was virtualized
 * ("virtualize x2APIC mode", vmx_apic.c: done, RAX/RDX written). */
bool vmx_nr_msr(struct x86_cpu *x, bool write);
void vmx_nr_invlpg(struct x86_cpu *x, uint64_t la);
/* RDPMC (after its CPL / CR4.PCE check): RDPMC exiting. */
void vmx_nr_rdpmc(struct x86_cpu *x);
/* RDTSC: RDTSC exiting; RDTSCP: #UD without "enable RDTSCP", else RDTSC
 * exiting (exit 51). */
void vmx_nr_rdtsc(struct x86_cpu *x, bool rdtscp);
void vmx_nr_mov_dr(struct x86_cpu *x, unsigned dr, unsigned gpr, bool to_dr);
/* MOV to CRn from register gpr (CR0/CR3/CR4/CR8): returns the value to
 * write (CR0/CR4: host-owned bits keep their current value); MOV from CRn:
 * the value the guest reads (CR0/CR4: host-owned bits from the read
 * shadow). CLTS: returns whether TS is cleared. */
uint64_t vmx_nr_mov_to_cr(struct x86_cpu *x, unsigned cr, unsigned gpr, uint64_t v);
uint64_t vmx_nr_mov_from_cr(struct x86_cpu *x, unsigned cr, unsigned gpr, uint64_t v);
bool vmx_nr_clts(struct x86_cpu *x);
/* A MOV to CR0 / CR3 / CR4 in non-root operation with EPT, after its own
 * checks and before it changes anything, with the values the registers
 * will have: when PAE paging stays or comes on and the write reloads the
 * PDPTEs (SDM vol. 3A §4.4.1: CR3 always; CR0.CD/NW/PG, CR4.PAE/PGE/PSE/
 * SMEP changing), loads them from the new CR3 through EPT (an EPT
 * violation exits, fault-like, with no guest-linear address) and makes a
 * present one with reserved bits #GP(0). */
void vmx_nr_pae_cr_write(struct x86_cpu *x, uint64_t cr0, uint64_t cr3, uint64_t cr4, bool cr3_write);
/* MOV to CR8 after vmx_nr_mov_to_cr: true when "use TPR shadow" made it
 * a write of the virtual TPR (vmx_apic.c), which the caller then skips. */
bool vmx_nr_cr8_write(struct x86_cpu *x, uint64_t v);
/* A guest access to the APIC-access page (x->vmx.apic_page; access 0
 * read, 1 write, 2 fetch; off: the page offset): an APIC-access exit, or
 * the virtualized read's value / the write done to the virtual-APIC page
 * (vmx_apic.c, SDM vol. 3C §30.4). */
uint64_t vmx_nr_apic_access(struct x86_cpu *x, unsigned off, unsigned size, int access, uint64_t v);
/* At an instruction boundary while x->vmx.apic_pending (before STI
 * blocking is looked at): APIC-write emulation and trap-like exits. */
void vmx_nr_apic_boundary(struct x86_cpu *x);
/* LMSW m16 (the source word at linear la): returns CR0[3:0] to load. */
uint64_t vmx_nr_lmsw(struct x86_cpu *x, uint16_t src, uint64_t la);
/* An exception about to be delivered in the guest: a VM exit when the
 * exception bitmap (and for #PF the error-code mask/match) says so. type:
 * VMX_EV_HW, VMX_EV_SWEXC (INT3, INTO) or VMX_EV_PRIV (INT1); qual: the
 * exit qualification (#PF: the linear address, which is not written to
 * CR2 when the #PF exits). An exception during the delivery of another
 * event reports that event as IDT-vectoring information. */
void vmx_nr_exception(struct x86_cpu *x, int vector, bool has_err, uint32_t err, unsigned type,
                      uint64_t qual);
/* IRET: NMI unblocking (also when IRET faults), §26.3 / §26.7.1. */
void vmx_nr_iret(struct x86_cpu *x);
/* PAUSE in non-root operation: PAUSE exiting / PAUSE-loop exiting (may
 * exit, not returning). Returns whether the PAUSE may end the CPU's slot
 * (exec.c pause_yield): false while PAUSE-loop exiting watches it. */
bool vmx_nr_pause(struct x86_cpu *x);
/* Instructions that exit by a control alone (no operand): INVD
 * (always), WBINVD, MONITOR, XSETBV (always) -- the basic exit
 * reason. */
void vmx_nr_simple(struct x86_cpu *x, unsigned reason);
/* LGDT/LIDT/SGDT/SIDT (0F 01 /0-/3: ident 0-3) and SLDT/STR/LLDT/LTR
 * (0F 00 /0-/3): descriptor-table exiting (exits 46 / 47). */
void vmx_nr_desc_table(struct x86_cpu *x, bool ldtr_tr, unsigned ident);
/* INVPCID: before the CPL check (cpl_checked false) #UD without "enable
 * INVPCID"; after it, INVLPG exiting decides the exit. */
void vmx_nr_invpcid(struct x86_cpu *x, unsigned type_reg, bool cpl_checked);
/* A task switch in the guest (always a VM exit, §26.1.2): source 0 CALL, 1
 * IRET, 2 JMP, 3 task gate in the IDT; sel: the TSS selector. */
void vmx_nr_task_switch(struct x86_cpu *x, uint16_t sel, unsigned source);
/* An instruction boundary where the STI / MOV-SS shadow blocks the
 * other events: the monitor trap flag's exit, or its arming. */
void vmx_nr_mtf_boundary(struct x86_cpu *x);
/* A triple fault in the guest: VM exit (reason 2). */
_Noreturn void vmx_nr_triple_fault(struct x86_cpu *x);
/* Between instructions, before interrupts are taken: the exits for a
 * pending external interrupt (pin-based control 0), NMI (control 3), an
 * open interrupt window (processor-based control 2) and an expired
 * preemption timer. Returns false when none applies. */
bool vmx_nr_events(struct x86_cpu *x);
/* Whether a sleeping (HLT, shutdown, wait-for-SIPI) guest CPU must wake
 * for a VM exit. */
bool vmx_nr_wake(struct x86_cpu *x);
/* A SIPI in non-root operation: true when taken (a guest in wait-for-SIPI
 * exits), false when discarded (§27.7.2: the other states block it). */
bool vmx_nr_sipi(struct x86_cpu *x, unsigned vector);

/* EPT (vmx_ept.c): translates guest-physical gpa for an access
 * (EPT_ACC_* of ept.h; la is the guest-linear address when EPT_ACC_GLA).
 * Returns the host-physical address and fills *r. An EPT violation or
 * misconfiguration is the VM exit (no return) -- unless EPT_ACC_DEBUG:
 * then r->status says it and the return value is 0. Call only while
 * x->vmx.non_root && x->vmx.ept. */
uint64_t vmx_ept_translate(struct x86_cpu *x, uint64_t gpa, unsigned acc, uint64_t la,
                           struct ept_result *r);

/* The guest id of the timeline and gdb (cpu_ops.guest_id): -1 outside
 * non-root operation, else the current-VMCS pointer (no VPID / EPT yet). */
int64_t vmx_guest_id(const struct x86_cpu *x);
/* The guest's VPID (cpu_ops.guest_tag): -1 outside non-root operation, 0
 * when "enable VPID" is 0 (SDM vol. 3C §29.1: its mappings are VPID
 * 0000H's), else the VMCS's VPID field. */
int64_t vmx_guest_vpid(const struct x86_cpu *x);
/* The VPID the current VMCS gives its guest: the VPID field when "enable
 * VPID" is on, else 0 (SDM vol. 3C §29.1: VPID 0000H), whether or not the guest runs
 * (the vpid of vm.exit / vm.entry records, docs/trace-format.md). */
uint16_t vmx_vmcs_vpid(const struct x86_cpu *x);

#endif
