/* The VMX capabilities hvsim reports (vmx_caps.c, SDM vol. 3C Appendix A)
 * and the control bits the rest of the VMX code tests. Every allowed-1 bit
 * here is implemented; docs/vmx.md lists them. */
#ifndef HVSIM_VMX_CAPS_H
#define HVSIM_VMX_CAPS_H
#include <stdint.h>
#include "ept.h"

/* Pin-based VM-execution controls (§25.6.1 Table 25-5). */
enum {
    PIN_EXT_INTR_EXITING = 1u << 0, PIN_NMI_EXITING = 1u << 3, PIN_VIRTUAL_NMIS = 1u << 5,
    PIN_PREEMPTION_TIMER = 1u << 6, PIN_POSTED_INTR = 1u << 7,
};
/* Primary processor-based VM-execution controls (§25.6.2 Table 25-6). */
enum {
    PROC_INTR_WINDOW = 1u << 2, PROC_TSC_OFFSETTING = 1u << 3, PROC_HLT_EXITING = 1u << 7,
    PROC_INVLPG_EXITING = 1u << 9, PROC_MWAIT_EXITING = 1u << 10, PROC_RDPMC_EXITING = 1u << 11,
    PROC_RDTSC_EXITING = 1u << 12, PROC_CR3_LOAD_EXITING = 1u << 15,
    PROC_CR3_STORE_EXITING = 1u << 16, PROC_CR8_LOAD_EXITING = 1u << 19,
    PROC_CR8_STORE_EXITING = 1u << 20, PROC_TPR_SHADOW = 1u << 21, PROC_NMI_WINDOW = 1u << 22,
    PROC_MOV_DR_EXITING = 1u << 23, PROC_UNCOND_IO = 1u << 24, PROC_IO_BITMAPS = 1u << 25,
    PROC_MTF = 1u << 27, PROC_MSR_BITMAPS = 1u << 28, PROC_MONITOR_EXITING = 1u << 29,
    PROC_PAUSE_EXITING = 1u << 30, PROC_SECONDARY = 1u << 31,
};
/* Secondary processor-based VM-execution controls (§25.6.2 Table 25-7):

 * the implemented ones (docs/vmx.md "EPT and VPID", "APIC
 * virtualization"). */
enum {
    PROC2_VIRT_APIC_ACCESS = 1u << 0, PROC2_EPT = 1u << 1, PROC2_VIRT_X2APIC = 1u << 4,
    PROC2_VPID = 1u << 5, PROC2_APIC_REG_VIRT = 1u << 8, PROC2_VINTR_DELIVERY = 1u << 9,
};
/* ... and those of docs/vmx.md "Event handling and other exits" */
enum {
    PROC2_DESC_TABLE = 1u << 2, PROC2_RDTSCP = 1u << 3, PROC2_WBINVD_EXITING = 1u << 6,
    PROC2_PAUSE_LOOP = 1u << 10, PROC2_INVPCID = 1u << 12,
};
/* ... and "unrestricted guest" (docs/vmx.md "Unrestricted guest"): guest
 * CR0.PE / PG may be 0 (real mode, protected mode without paging); needs
 * "enable EPT" */
enum { PROC2_UNRESTRICTED = 1u << 7 };
/* VM-exit controls (§25.7.1 Table 25-13). */
enum {
    EXIT_SAVE_DEBUG = 1u << 2, EXIT_HOST_ADDR_SPACE = 1u << 9, EXIT_ACK_INTR = 1u << 15,
    EXIT_SAVE_PAT = 1u << 18, EXIT_LOAD_PAT = 1u << 19, EXIT_SAVE_EFER = 1u << 20,
    EXIT_LOAD_EFER = 1u << 21, EXIT_SAVE_PREEMPTION = 1u << 22,
};
/* VM-entry controls (§25.8.1 Table 25-15). */
enum {
    ENTRY_LOAD_DEBUG = 1u << 2, ENTRY_IA32E_GUEST = 1u << 9, ENTRY_SMM = 1u << 10,
    ENTRY_LOAD_PAT = 1u << 14, ENTRY_LOAD_EFER = 1u << 15,
};

/* Default1 classes (Appendix A.2-A.5): bits that must be 1 in the plain
 * capability MSRs; the TRUE_* MSRs let the noted ones be 0. */
#define VMX_PIN_DEFAULT1 0x00000016u        /* bits 1, 2, 4 */
#define VMX_PROC_DEFAULT1 0x0401e172u       /* bits 1, 4-6, 8, 13-16, 26 */
#define VMX_PROC_TRUE0 (VMX_PROC_DEFAULT1 & ~(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING))
#define VMX_EXIT_DEFAULT1 0x00036dffu       /* bits 0-8, 10, 11, 13, 14, 16, 17 */
#define VMX_EXIT_TRUE0 (VMX_EXIT_DEFAULT1 & ~EXIT_SAVE_DEBUG)
#define VMX_ENTRY_DEFAULT1 0x000011ffu      /* bits 0-8, 12 */
#define VMX_ENTRY_TRUE0 (VMX_ENTRY_DEFAULT1 & ~ENTRY_LOAD_DEBUG)

/* What is implemented (allowed-1 settings). */
#define VMX_PIN_ALLOWED1                                                                        \
    (VMX_PIN_DEFAULT1 | PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER |          \
     PIN_VIRTUAL_NMIS | PIN_POSTED_INTR)
#define VMX_PROC_ALLOWED1                                                                       \
    (VMX_PROC_DEFAULT1 | PROC_INTR_WINDOW | PROC_HLT_EXITING | PROC_INVLPG_EXITING |            \
     PROC_RDTSC_EXITING | PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING |                      \
     PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING | PROC_UNCOND_IO |    \
     PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_TSC_OFFSETTING | PROC_RDPMC_EXITING |            \
     PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | PROC_TPR_SHADOW | PROC_SECONDARY |             \
     PROC_NMI_WINDOW | PROC_MTF | PROC_PAUSE_EXITING)
/* IA32_VMX_PROCBASED_CTLS2 (Appendix A.3.3): no default1 bits */
#define VMX_PROC2_ALLOWED1                                                                      \
    (PROC2_EPT | PROC2_VPID | PROC2_VIRT_APIC_ACCESS | PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT | \
     PROC2_VINTR_DELIVERY | PROC2_UNRESTRICTED | VMX_PROC2_EVENTS)
#define VMX_PROC2_EVENTS (PROC2_DESC_TABLE | PROC2_RDTSCP | PROC2_WBINVD_EXITING | PROC2_PAUSE_LOOP | \
                          PROC2_INVPCID)
#define VMX_EXIT_ALLOWED1                                                                       \
    (VMX_EXIT_DEFAULT1 | EXIT_HOST_ADDR_SPACE | EXIT_ACK_INTR | EXIT_SAVE_PAT | EXIT_LOAD_PAT | \
     EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PREEMPTION)
#define VMX_ENTRY_ALLOWED1 (VMX_ENTRY_DEFAULT1 | ENTRY_IA32E_GUEST | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER)

/* IA32_VMX_EPT_VPID_CAP (Appendix A.10): all of src/vmm/ept.h's
 * EPT_VPID_CAP is wired into the CPU (the walk in the x86 MMU, INVEPT and
 * INVVPID in vmx.c). */
#define VMX_EPT_VPID_CAP EPT_VPID_CAP

/* IA32_VMX_MISC (Appendix A.6): preemption-timer rate (the timer counts
 * down once every 2^rate TSC ticks), activity states supported (bit 6
 * HLT), CR3-target values. */
#define VMX_PREEMPT_RATE 5u
#define VMX_MISC_ACT_HLT (1u << 6)
#define VMX_MISC_ACT_SHUTDOWN (1u << 7)
#define VMX_MISC_ACT_WAIT_SIPI (1u << 8)
#define VMX_CR3_TARGETS 4u
/* MSR-list entries processed (IA32_VMX_MISC[27:25] = 0: 512 recommended;
 * beyond it the SDM leaves the behaviour unpredictable: hvsim fails the
 * entry at entry 513 / aborts at exit, so a huge count cannot stall it) */
#define VMX_MSR_LIST_MAX 512u

/* Physical-address width (CPUID.80000008H:EAX[7:0]): VMX pointers with
 * bits at or above it set fail the checks. */
#define VMX_PA_BITS 52u
static inline int vmx_pa_ok(uint64_t pa) { return (pa >> VMX_PA_BITS) == 0; }

/* IA32_VMX_CR0_FIXED0/1, CR4_FIXED0/1 (Appendix A.7, A.8). FIXED0 keeps
 * PE and PG with "unrestricted guest" supported (A.7): that control alone
 * lets a guest have them 0 (vmx_cr0_fixed0). */
#define VMX_CR0_FIXED0 0x80000021ull /* PG, NE, PE */
#define VMX_CR0_FIXED1 0xffffffffull
#define VMX_CR4_FIXED0 0x00002000ull /* VMXE */
/* CR4_FIXED1: the CR4 bits the model implements (vmx_caps.c), OSXSAVE
 * with [cpu] xsave = on */
struct x86_cpu;
uint64_t vmx_cr4_fixed1(const struct x86_cpu *x);
/* The CR0 bits that must be 1: FIXED0, less PE and PG for an unrestricted
 * guest (§27.3.1.1; in non-root operation §26.3 / §23.8) */
static inline uint64_t vmx_cr0_fixed0(int unrestricted)
{
    return unrestricted ? VMX_CR0_FIXED0 & ~0x80000001ull : VMX_CR0_FIXED0;
}

#endif
