/* Hardware virtualization, the ISA-neutral part (see README.md): the guest
 * a CPU runs, vm.exit/vm.entry timeline events, and the exit classes tools
 * use to group VM exits of any architecture (RISC-V H extension; later
 * Intel VMX/EPT). The CPU models do the virtualization itself (two-stage
 * translation, trap routing, the guest CSRs or VMCS) and call in here. */
#ifndef HVSIM_VMM_H
#define HVSIM_VMM_H
#include <stdint.h>
#include "../sim/arch.h"
#include "../sim/cpu.h"
#include "../trace/emit.h"

/* What a VM exit was for, as tools see it. An architecture maps its raw
 * exit reason (the vm.exit "reason": RISC-V mcause, x86 the basic exit
 * reason) to one of these with arch_info.vm_exit_class. Numbers are stable
 * (tools may print and compare them): append only. */
enum vmm_exit_class {
    VMM_EXIT_OTHER = 0,     /* none of the below, or unknown */
    VMM_EXIT_HYPERCALL,     /* the guest called the hypervisor: RISC-V ecall
                               from VS (SBI), x86 VMCALL/VMMCALL */
    VMM_EXIT_GUEST_PAGE_FAULT, /* second-stage translation fault: RISC-V
                               guest-page fault, x86 EPT violation (MMIO
                               emulation usually starts here too) */
    VMM_EXIT_MMIO,          /* a reason that itself means MMIO (x86 EPT
                               misconfiguration as KVM uses it); RISC-V
                               has none */
    VMM_EXIT_PORT_IO,       /* x86 IN/OUT/INS/OUTS */
    VMM_EXIT_EXTERNAL_IRQ,  /* an external interrupt arrived (RISC-V MEI,
                               SEI, VSEI, SGEI; x86 external interrupt) */
    VMM_EXIT_TIMER,         /* a timer interrupt (RISC-V MTI, STI, VSTI;
                               x86 VMX-preemption timer) */
    VMM_EXIT_IPI,           /* a software / inter-processor interrupt
                               (RISC-V MSI, SSI, VSSI; x86 INIT/SIPI) */
    VMM_EXIT_INSTRUCTION,   /* a virtual or privileged instruction the
                               hypervisor emulates (RISC-V virtual
                               instruction; x86 CPUID, RDMSR, HLT, CRx...) */
    VMM_EXIT_EXCEPTION,     /* a guest exception not delegated to the guest
                               (RISC-V not in hedeleg; x86 exception/NMI) */
    VMM_EXIT_CLASS_COUNT
};

/* "hypercall", "guest-page-fault", "mmio", "port-io", "external-irq", "timer",
 * "ipi", "instruction", "exception", "other"; NULL past the end. */
const char *vmm_exit_class_name(unsigned cls);
/* The class named name (as above), or -1. */
int vmm_exit_class_by_name(const char *name);
/* The class of a raw exit reason on architecture a (VMM_EXIT_OTHER when
 * the architecture has no classifier). */
unsigned vmm_exit_class(const struct arch_info *a, uint64_t reason);

/* The guest c runs: -1 when none, else its id (cpu_ops.guest_id). */
static inline int64_t vmm_guest_id(struct cpu *c)
{
    return c->ops->guest_id ? c->ops->guest_id(c) : -1;
}

/* Timeline events of world switches. A CPU model calls these at the switch;
 * the guest id is read from the CPU (cpu_ops.guest_id), so call
 * vmm_trace_exit while the CPU still runs the guest (before the trap
 * changes its mode) and vmm_trace_entry once it does.
 *   vm.exit:  reason (architecture's: RISC-V mcause), the guest pc, tval
 *             (the faulting address or instruction), gpa (guest-physical
 *             address of a second-stage fault, else 0), inst (the
 *             transformed instruction, RISC-V htinst/mtinst; else 0).
 *   vm.entry: the guest pc.
 * The _opt forms add the kind's optional arguments (trace_kind_opts,
 * src/trace/event.h; x86 VMX: the VPID, the event an entry injects),
 * opt[0..nopt-1]. */
void vmm_emit_exit(struct cpu *c, uint64_t reason, uint64_t pc, uint64_t tval, uint64_t gpa,
                   uint64_t inst);
void vmm_emit_entry(struct cpu *c, uint64_t pc);
void vmm_emit_exit_opt(struct cpu *c, uint64_t reason, uint64_t pc, uint64_t tval, uint64_t gpa,
                       uint64_t inst, const uint64_t *opt, unsigned nopt);
void vmm_emit_entry_opt(struct cpu *c, uint64_t pc, const uint64_t *opt, unsigned nopt);

static inline void vmm_trace_exit(struct cpu *c, uint64_t reason, uint64_t pc, uint64_t tval,
                                  uint64_t gpa, uint64_t inst)
{
    if (TRACE_ON(c->m, TK_VM_EXIT))
        vmm_emit_exit(c, reason, pc, tval, gpa, inst);
}

static inline void vmm_trace_entry(struct cpu *c, uint64_t pc)
{
    if (TRACE_ON(c->m, TK_VM_ENTRY))
        vmm_emit_entry(c, pc);
}

#endif
