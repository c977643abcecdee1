/* APIC virtualization and virtual interrupts (SDM vol. 3C ch. 30; docs/vmx.md
 * "APIC virtualization"): what vmx_apic.c offers the other vmx*.c files.
 * The x86 core's calls (MOV CR8, the APIC-access page, the instruction
 * boundary) are in vmx.h. */
#ifndef HVSIM_VMX_APIC_H
#define HVSIM_VMX_APIC_H
#include <stdbool.h>
#include <stdint.h>

struct x86_cpu;

/* Virtual-APIC page offsets (§30.1: the registers of the virtual APIC are
 * at the xAPIC offsets). */
enum {
    VAPIC_TPR = 0x80, VAPIC_PPR = 0xa0, VAPIC_EOI = 0xb0, VAPIC_ISR = 0x100, VAPIC_IRR = 0x200,
    VAPIC_ICR_LO = 0x300, VAPIC_SELF_IPI = 0x3f0,
};

/* The controls in force (secondary ones only with "activate secondary
 * controls", §25.6.2). */
bool vmx_apic_tpr_shadow(const struct x86_cpu *x);
uint32_t vmx_apic_proc2(const struct x86_cpu *x);

/* MOV from CR8 with "use TPR shadow": VTPR[7:4] (§30.3). */
uint64_t vmx_apic_cr8_read(struct x86_cpu *x);

/* VM entry (vmx_entry.c, after the guest state and event injection): the
 * APIC-access page, the TPR-threshold check of §27.7.7 (a TPR-below-
 * threshold exit right after entry) or, with virtual-interrupt delivery,
 * the evaluation of pending virtual interrupts (§30.2.1). */
void vmx_apic_entry(struct x86_cpu *x);
/* VM exit (vmx_exit.c): nothing pending survives into root operation. */
void vmx_apic_exit(struct x86_cpu *x);

/* RDMSR/WRMSR of 800H-8FFH with "virtualize x2APIC mode" after the MSR
 * bitmap said no exit (§30.5): true when virtualized. */
bool vmx_apic_msr(struct x86_cpu *x, bool write);

/* Between instructions (vmx_nonroot.c vmx_nr_events): posted-interrupt
 * processing for an external interrupt (§30.6): true when vector v was the
 * notification vector and was processed (no exit). */
bool vmx_apic_posted(struct x86_cpu *x, int v);
/* Virtual-interrupt delivery (§30.2.2) when one is recognized and RFLAGS.IF
 * allows it: true when delivered. */
bool vmx_apic_deliver(struct x86_cpu *x);
/* A recognized virtual interrupt wakes a guest halted with IF = 1. */
bool vmx_apic_wake(const struct x86_cpu *x);

/* The control checks of §27.2.1.1 for ch. 30's controls (vmx_entry_checks.c). */
bool vmx_apic_check_tpr_shadow(struct x86_cpu *x);
bool vmx_apic_check_apic_access(struct x86_cpu *x);
bool vmx_apic_check_x2apic(struct x86_cpu *x);
bool vmx_apic_check_vid(struct x86_cpu *x);
bool vmx_apic_check_posted(struct x86_cpu *x);

#endif
