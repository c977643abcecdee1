/* IA32_FEATURE_CONTROL and the VMX capability MSRs (SDM vol. 3C Appendix
 * A; vol. 4 "Model-Specific Registers"). The values say exactly what
 * vmx*.c implements: see vmx_caps.h and docs/vmx.md. */
#include "vmx.h"
#include "vmx_caps.h"
#include "../cpu/x86/x86_cpu.h"

enum {
    MSR_FEATURE_CONTROL = 0x3a,
    MSR_VMX_BASIC = 0x480, MSR_VMX_PINBASED = 0x481, MSR_VMX_PROCBASED = 0x482,
    MSR_VMX_EXIT = 0x483, MSR_VMX_ENTRY = 0x484, MSR_VMX_MISC = 0x485,
    MSR_VMX_CR0_FIXED0 = 0x486, MSR_VMX_CR0_FIXED1 = 0x487, MSR_VMX_CR4_FIXED0 = 0x488,
    MSR_VMX_CR4_FIXED1 = 0x489, MSR_VMX_VMCS_ENUM = 0x48a, MSR_VMX_PROCBASED2 = 0x48b,
    MSR_VMX_EPT_VPID_CAP = 0x48c, MSR_VMX_TRUE_PINBASED = 0x48d,
    MSR_VMX_TRUE_PROCBASED = 0x48e, MSR_VMX_TRUE_EXIT = 0x48f, MSR_VMX_TRUE_ENTRY = 0x490,
    MSR_VMX_VMFUNC = 0x491,
};

/* IA32_FEATURE_CONTROL bits (vol. 4 Table 2-2): 0 lock, 1 VMX inside SMX
 * (no SMX here: reserved), 2 VMX outside SMX. */
enum { FC_LOCK = 1u << 0, FC_VMX_OUTSIDE_SMX = 1u << 2 };

uint64_t vmx_cr4_fixed1(const struct x86_cpu *x)
{
    return (x->xsave ? CR4_OSXSAVE : 0) | CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE |
           CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_VMXE | CR4_FSGSBASE |
           CR4_PCIDE | CR4_SMEP | CR4_SMAP;
}

static uint64_t ctls(uint32_t allowed0, uint32_t allowed1)
{
    return (uint64_t)allowed1 << 32 | allowed0;
}

int vmx_rdmsr(struct x86_cpu *x, uint32_t msr, uint64_t *v)
{
    if (msr == MSR_FEATURE_CONTROL) {
        if (!x->vmx.enabled)
            return -1; /* msr.c's value: locked, VMX off */
        *v = x->vmx.feature_control;
        return 1;
    }
    if (msr < MSR_VMX_BASIC || msr > MSR_VMX_VMFUNC)
        return -1;
    if (!x->vmx.enabled)
        return 0; /* no VMX: every IA32_VMX_* MSR is #GP (Appendix A.1) */
    switch (msr) {
    case MSR_VMX_BASIC:
        /* A.1: revision, VMCS region size 4096 (bits 44:32), no 32-bit
         * address limit (48), no dual-monitor SMM (49), write-back VMCS
         * memory type 6 (53:50), INS/OUTS instruction information (54),
         * the TRUE_* control MSRs (55) */
        *v = VMX_REVISION | 4096ull << 32 | 6ull << 50 | 1ull << 54 | 1ull << 55;
        return 1;
    case MSR_VMX_PINBASED: *v = ctls(VMX_PIN_DEFAULT1, VMX_PIN_ALLOWED1); return 1;
    case MSR_VMX_TRUE_PINBASED: *v = ctls(VMX_PIN_DEFAULT1, VMX_PIN_ALLOWED1); return 1;
    case MSR_VMX_PROCBASED: *v = ctls(VMX_PROC_DEFAULT1, VMX_PROC_ALLOWED1); return 1;
    case MSR_VMX_TRUE_PROCBASED: *v = ctls(VMX_PROC_TRUE0, VMX_PROC_ALLOWED1); return 1;
    case MSR_VMX_EXIT: *v = ctls(VMX_EXIT_DEFAULT1, VMX_EXIT_ALLOWED1); return 1;
    case MSR_VMX_TRUE_EXIT: *v = ctls(VMX_EXIT_TRUE0, VMX_EXIT_ALLOWED1); return 1;
    case MSR_VMX_ENTRY: *v = ctls(VMX_ENTRY_DEFAULT1, VMX_ENTRY_ALLOWED1); return 1;
    case MSR_VMX_TRUE_ENTRY: *v = ctls(VMX_ENTRY_TRUE0, VMX_ENTRY_ALLOWED1); return 1;
    case MSR_VMX_MISC:
        /* A.6: preemption-timer rate (4:0), EFER.LMA saved into the
         * "IA-32e mode guest" entry control on exits (5), activity states
         * HLT, shutdown, wait-for-SIPI (6-8), CR3-target values (24:16); MSR lists of up to 512
         * entries (27:25 = 0); no VMWRITE to exit-information fields (29),
         * no zero-length software-event injection (30), MSEG revision 0 */
        *v = VMX_PREEMPT_RATE | 1u << 5 | VMX_MISC_ACT_HLT | VMX_MISC_ACT_SHUTDOWN |
             VMX_MISC_ACT_WAIT_SIPI | (uint64_t)VMX_CR3_TARGETS << 16;
        return 1;
    case MSR_VMX_CR0_FIXED0: *v = VMX_CR0_FIXED0; return 1;
    case MSR_VMX_CR0_FIXED1: *v = VMX_CR0_FIXED1; return 1;
    case MSR_VMX_CR4_FIXED0: *v = VMX_CR4_FIXED0; return 1;
    case MSR_VMX_CR4_FIXED1: *v = vmx_cr4_fixed1(x); return 1;
    case MSR_VMX_VMCS_ENUM: *v = (uint64_t)vmcs_max_index() << 1; return 1; /* A.9 */
    /* A.3.3: exists since "activate secondary controls" may be 1 */
    case MSR_VMX_PROCBASED2: *v = ctls(0, VMX_PROC2_ALLOWED1); return 1;
    case MSR_VMX_EPT_VPID_CAP: *v = VMX_EPT_VPID_CAP; return 1; /* A.10 */
    default:
        /* VMFUNC exists only with VM functions (A.11): not reported */
        return 0;
    }
}

int vmx_wrmsr(struct x86_cpu *x, uint32_t msr, uint64_t v)
{
    if (msr == MSR_FEATURE_CONTROL) {
        if (!x->vmx.enabled)
            return -1;
        /* a write once locked is #GP; so is a reserved bit (vol. 4) */
        if ((x->vmx.feature_control & FC_LOCK) || (v & ~(uint64_t)(FC_LOCK | FC_VMX_OUTSIDE_SMX)))
            return 0;
        x->vmx.feature_control = v;
        return 1;
    }
    if (msr >= MSR_VMX_BASIC && msr <= MSR_VMX_VMFUNC)
        return 0; /* the capability MSRs are read-only */
    return -1;
}

bool vmx_cr_fixed_ok(const struct x86_cpu *x, unsigned cr, uint64_t v)
{
    if (cr == 0) {
        /* an unrestricted guest may clear PE and PG (SDM vol. 3C §23.8:
         * "unrestricted guest" in non-root operation; write_cr0 still
         * makes PG without PE #GP) */
        bool ug = x->vmx.non_root && (x->vmx.vmcs[VMCS_PROC_CTLS] & PROC_SECONDARY) &&
                  (x->vmx.vmcs[VMCS_PROC_CTLS2] & PROC2_UNRESTRICTED);
        uint64_t f0 = vmx_cr0_fixed0(ug);
        return (v & f0) == f0 && !(v & ~VMX_CR0_FIXED1);
    }
    return (v & VMX_CR4_FIXED0) == VMX_CR4_FIXED0 && !(v & ~vmx_cr4_fixed1(x));
}
