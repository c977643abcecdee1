/* Model-specific registers (Intel SDM vol. 4, "Model-Specific Registers"):
 * the architectural ones a kernel uses at boot. An MSR not in this table is
 * #GP on RDMSR and WRMSR, never a silent zero (docs/x86.md lists them). */
#include "x86_cpu.h"
#include "../../apic/lapic.h"

enum {
    MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1b, MSR_FEATURE_CONTROL = 0x3a,
    MSR_BIOS_SIGN_ID = 0x8b, MSR_MTRRCAP = 0xfe, MSR_SYSENTER_CS = 0x174,
    MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176, MSR_MCG_CAP = 0x179,
    MSR_MCG_STATUS = 0x17a, MSR_MISC_ENABLE = 0x1a0, MSR_DEBUGCTL = 0x1d9, MSR_MTRR_PHYSBASE0 = 0x200,
    MSR_MTRR_FIX64K = 0x250, MSR_MTRR_FIX16K_80000 = 0x258, MSR_MTRR_FIX16K_A0000 = 0x259,
    MSR_MTRR_FIX4K_C0000 = 0x268, MSR_PAT = 0x277, MSR_MTRR_DEF_TYPE = 0x2ff,
    MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
    MSR_CSTAR = 0xc0000083, MSR_SFMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100,
    MSR_GS_BASE = 0xc0000101, MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103,
};

static bool canonical(uint64_t v) { return (uint64_t)(((int64_t)v >> 47) + 1) <= 1; }

bool x86_rdmsr(struct x86_cpu *x, uint32_t msr, uint64_t *v)
{
    /* IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC registers */
    int r = x->lapic ? lapic_rdmsr(x->lapic, msr, v) : -1;
    if (r >= 0)
        return r == 1;
    if ((r = vmx_rdmsr(x, msr, v)) >= 0) /* FEATURE_CONTROL with VMX, IA32_VMX_* (src/vmm) */
        return r == 1;
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16) {
        *v = x->mtrr_var[msr - MSR_MTRR_PHYSBASE0];
        return true;
    }
    if (msr == MSR_MTRR_FIX64K || msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000 ||
        (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8)) {
        unsigned k = msr == MSR_MTRR_FIX64K ? 0 : msr == MSR_MTRR_FIX16K_80000 ? 1
                   : msr == MSR_MTRR_FIX16K_A0000 ? 2 : 3 + (msr - MSR_MTRR_FIX4K_C0000);
        *v = x->mtrr_fixed[k];
        return true;
    }
    switch (msr) {
    case MSR_TSC: *v = cpu_now(&x->cpu) + x->tsc_offset; return true;
    case MSR_PLATFORM_ID: *v = 0; return true;
    case MSR_APIC_BASE: *v = x->apic_base; return true;
    case MSR_FEATURE_CONTROL: *v = 1; return true; /* locked, VMX off (VMX: a later issue) */
    case MSR_BIOS_SIGN_ID: *v = 0; return true;
    case MSR_MTRRCAP: *v = 8 | 1u << 8 | 1u << 10; return true; /* 8 variable, fixed, WC */
    case MSR_SYSENTER_CS: *v = x->sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *v = x->sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *v = x->sysenter_eip; return true;
    case MSR_MCG_CAP: *v = 0; return true;
    case MSR_MCG_STATUS: *v = 0; return true;
    case MSR_MISC_ENABLE: *v = x->misc_enable; return true;
    /* IA32_DEBUGCTL: none of its features (LBR, BTF, ...) is modelled, so
     * it reads 0 and only 0 can be written (KVM reads it at every vCPU
     * load; the VMCS's guest field follows the same rule, docs/vmx.md) */
    case MSR_DEBUGCTL: *v = 0; return true;
    case MSR_PAT: *v = x->pat; return true;
    case MSR_MTRR_DEF_TYPE: *v = x->mtrr_def_type; return true;
    case MSR_EFER: *v = x->efer; return true;
    case MSR_STAR: *v = x->star; return true;
    case MSR_LSTAR: *v = x->lstar; return true;
    case MSR_CSTAR: *v = x->cstar; return true;
    case MSR_SFMASK: *v = x->sfmask; return true;
    case MSR_FS_BASE: *v = x->seg[X86_FS].base; return true;
    case MSR_GS_BASE: *v = x->seg[X86_GS].base; return true;
    case MSR_KERNEL_GS_BASE: *v = x->kernel_gs_base; return true;
    case MSR_TSC_AUX: *v = x->tsc_aux; return true;
    default: return false;
    }
}

bool x86_wrmsr(struct x86_cpu *x, uint32_t msr, uint64_t v)
{
    int r = x->lapic ? lapic_wrmsr(x->lapic, msr, v) : -1;
    if (r >= 0)
        return r == 1;
    if ((r = vmx_wrmsr(x, msr, v)) >= 0)
        return r == 1;
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16) {
        x->mtrr_var[msr - MSR_MTRR_PHYSBASE0] = v;
        return true;
    }
    if (msr == MSR_MTRR_FIX64K || msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000 ||
        (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8)) {
        unsigned k = msr == MSR_MTRR_FIX64K ? 0 : msr == MSR_MTRR_FIX16K_80000 ? 1
                   : msr == MSR_MTRR_FIX16K_A0000 ? 2 : 3 + (msr - MSR_MTRR_FIX4K_C0000);
        x->mtrr_fixed[k] = v;
        return true;
    }
    switch (msr) {
    case MSR_TSC: x->tsc_offset = v - cpu_now(&x->cpu); return true;
    case MSR_APIC_BASE: x->apic_base = (x->apic_base & 0x100) | (v & ~0x1ffull & 0xffffff000ull) | (v & 0xc00); return true;
    case MSR_BIOS_SIGN_ID: return true;
    case MSR_SYSENTER_CS: x->sysenter_cs = v & 0xffff; return true;
    case MSR_SYSENTER_ESP: if (!canonical(v)) return false; x->sysenter_esp = v; return true;
    case MSR_SYSENTER_EIP: if (!canonical(v)) return false; x->sysenter_eip = v; return true;
    case MSR_MCG_STATUS: return v == 0;
    case MSR_MISC_ENABLE: x->misc_enable = (x->misc_enable & ~(1ull << 22)) | (v & (1ull << 22)); return true;
    case MSR_DEBUGCTL: return v == 0;
    case MSR_PAT:
        for (int i = 0; i < 8; i++) { /* types 2 and 3 are reserved (SDM vol. 3A §11.12.2) */
            unsigned t = (unsigned)(v >> (8 * i)) & 0xff;
            if (t > 7 || t == 2 || t == 3)
                return false;
        }
        x->pat = v;
        return true;
    case MSR_MTRR_DEF_TYPE: if (v & ~0xcffull) return false; x->mtrr_def_type = v; return true;
    case MSR_EFER: {
        /* SCE, LME, NXE writable; LMA read-only; LME cannot change while
         * paging is on (SDM vol. 3A §9.8.5) */
        if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            return false;
        if ((x->cr0 & CR0_PG) && ((v ^ x->efer) & EFER_LME))
            return false;
        x->efer = (v & (EFER_SCE | EFER_LME | EFER_NXE)) | (x->efer & EFER_LMA);
        x86_tlb_flush(x, true);
        return true;
    }
    case MSR_STAR: x->star = v; return true;
    case MSR_LSTAR: if (!canonical(v)) return false; x->lstar = v; return true;
    case MSR_CSTAR: if (!canonical(v)) return false; x->cstar = v; return true;
    case MSR_SFMASK: x->sfmask = v & 0xffffffffull; return true;
    case MSR_FS_BASE: if (!canonical(v)) return false; x->seg[X86_FS].base = v; return true;
    case MSR_GS_BASE: if (!canonical(v)) return false; x->seg[X86_GS].base = v; return true;
    case MSR_KERNEL_GS_BASE: if (!canonical(v)) return false; x->kernel_gs_base = v; return true;
    case MSR_TSC_AUX: x->tsc_aux = v & 0xffffffffull; return true;
    default: return false;
    }
}
