/* Names and timeline classes of VMX basic exit reasons (SDM vol. 3C
 * Appendix C): arch_x86_64.vm_exit_name / vm_exit_class. */
#include "vmx.h"
#include "vmm.h"

static const struct { const char *name; unsigned cls; } reasons[VMX_EXIT_REASONS] = {
#define R(n, c) [VMX_EXIT_##n] = { #n, VMM_EXIT_##c }
    R(EXCEPTION_NMI, EXCEPTION), R(EXTERNAL_INTERRUPT, EXTERNAL_IRQ), R(TRIPLE_FAULT, EXCEPTION),
    R(INIT, IPI), R(SIPI, IPI), R(IO_SMI, OTHER), R(OTHER_SMI, OTHER),
    R(INTERRUPT_WINDOW, EXTERNAL_IRQ), R(NMI_WINDOW, EXCEPTION), R(TASK_SWITCH, INSTRUCTION),
    R(CPUID, INSTRUCTION), R(GETSEC, INSTRUCTION), R(HLT, INSTRUCTION), R(INVD, INSTRUCTION),
    R(INVLPG, INSTRUCTION), R(RDPMC, INSTRUCTION), R(RDTSC, INSTRUCTION), R(RSM, INSTRUCTION),
    R(VMCALL, HYPERCALL), R(VMCLEAR, INSTRUCTION), R(VMLAUNCH, INSTRUCTION),
    R(VMPTRLD, INSTRUCTION), R(VMPTRST, INSTRUCTION), R(VMREAD, INSTRUCTION),
    R(VMRESUME, INSTRUCTION), R(VMWRITE, INSTRUCTION), R(VMXOFF, INSTRUCTION),
    R(VMXON, INSTRUCTION), R(CR_ACCESS, INSTRUCTION), R(DR_ACCESS, INSTRUCTION), R(IO, PORT_IO),
    R(RDMSR, INSTRUCTION), R(WRMSR, INSTRUCTION), R(INVALID_GUEST, OTHER), R(MSR_LOADING, OTHER),
    R(MWAIT, INSTRUCTION), R(MTF, OTHER), R(MONITOR, INSTRUCTION), R(PAUSE, INSTRUCTION),
    R(MCE_ENTRY, OTHER), R(TPR_BELOW, EXTERNAL_IRQ), R(APIC_ACCESS, MMIO),
    R(VIRT_EOI, EXTERNAL_IRQ), R(GDTR_IDTR, INSTRUCTION), R(LDTR_TR, INSTRUCTION),
    R(EPT_VIOLATION, GUEST_PAGE_FAULT), R(EPT_MISCONFIG, MMIO), R(INVEPT, INSTRUCTION),
    R(RDTSCP, INSTRUCTION), R(PREEMPTION_TIMER, TIMER), R(INVVPID, INSTRUCTION),
    R(WBINVD, INSTRUCTION), R(XSETBV, INSTRUCTION), R(APIC_WRITE, MMIO), R(RDRAND, INSTRUCTION),
    R(INVPCID, INSTRUCTION), R(VMFUNC, INSTRUCTION),
#undef R
};

const char *vmx_exit_name(uint64_t reason)
{
    /* bit 31 (failed entry) keeps its basic reason's name: the tools show
     * the number next to it */
    uint64_t basic = reason & 0xffff;
    if (reason >> 32 || basic >= VMX_EXIT_REASONS)
        return NULL;
    return reasons[basic].name;
}

unsigned vmx_exit_class(uint64_t reason)
{
    uint64_t basic = reason & 0xffff;
    if (reason >> 32 || basic >= VMX_EXIT_REASONS || !reasons[basic].name)
        return VMM_EXIT_OTHER;
    return reasons[basic].cls;
}
