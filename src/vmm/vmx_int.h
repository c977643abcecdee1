/* Internal interfaces of the VMX part (vmx*.c): the x86 leaf of src/vmm/
 * (vmx.h says why these files may include the CPU model's header). */
#ifndef HVSIM_VMX_INT_H
#define HVSIM_VMX_INT_H
#include "vmx.h"
#include "vmx_caps.h"
#include "vmm.h"
#include "../cpu/x86/x86_cpu.h"
#include "../sim/machine.h"

static inline uint64_t vmcs_get(const struct x86_cpu *x, enum vmcs_field f) { return x->vmx.vmcs[f]; }
static inline void vmcs_set(struct x86_cpu *x, enum vmcs_field f, uint64_t v)
{
    x->vmx.vmcs[f] = v & vmcs_width_mask((int)f);
}

/* Physical memory (VMCS regions, bitmaps, MSR areas): unbacked addresses
 * read all ones and ignore writes. */
static inline uint64_t vmx_phys_read(struct x86_cpu *x, uint64_t pa, unsigned size)
{
    uint64_t v;
    if (!bus_read(&x->m->bus, pa, size, &v))
        v = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    return v;
}
static inline void vmx_phys_write(struct x86_cpu *x, uint64_t pa, unsigned size, uint64_t v)
{
    bus_write(&x->m->bus, pa, size, v);
}

/* The conventions of SDM vol. 3C §31.2 (vmx.c). VMfail(err) is
 * VMfailValid(err) with a current VMCS, else VMfailInvalid. */
void vmx_succeed(struct x86_cpu *x);
void vmx_fail_invalid(struct x86_cpu *x);
void vmx_fail_valid(struct x86_cpu *x, unsigned err);
void vmx_fail(struct x86_cpu *x, unsigned err);

/* VM-instruction error numbers (§31.4 Table 31-1). */
enum {
    VMXERR_VMCALL_ROOT = 1, VMXERR_VMCLEAR_BAD_ADDR = 2, VMXERR_VMCLEAR_VMXON = 3,
    VMXERR_VMLAUNCH_NOT_CLEAR = 4, VMXERR_VMRESUME_NOT_LAUNCHED = 5,
    VMXERR_ENTRY_BAD_CONTROLS = 7, VMXERR_ENTRY_BAD_HOST = 8, VMXERR_VMPTRLD_BAD_ADDR = 9,
    VMXERR_VMPTRLD_VMXON = 10, VMXERR_VMPTRLD_BAD_REVISION = 11, VMXERR_UNSUPPORTED_FIELD = 12,
    VMXERR_WRITE_READ_ONLY = 13, VMXERR_VMXON_IN_ROOT = 15, VMXERR_ENTRY_MOV_SS = 26,
};

/* What a VM exit records besides the reason and qualification (§28.2). */
struct vmx_exit_info {
    bool insn;              /* instruction-caused: record the instruction length */
    uint32_t insn_info;     /* VM-exit instruction information */
    uint64_t guest_la;      /* guest-linear address (INVLPG, INS/OUTS, ...) */
    uint32_t intr_info;     /* VM-exit interruption information (bit 31 valid) */
    uint32_t intr_err;      /* its error code */
    bool boundary;          /* between instructions (an event, MTF): not during one */
};

/* vmx_exit.c: a VM exit (§28): records the exit information, saves the
 * guest state, loads the host state and goes back to the interpreter
 * loop. */
_Noreturn void vmx_exit(struct x86_cpu *x, uint32_t reason, uint64_t qual,
                        const struct vmx_exit_info *info);
/* Load the host state (§28.5); used by exits and failed entries (§27.8). */
void vmx_load_host(struct x86_cpu *x);
/* The VM-exit instruction-information field of the current instruction's
 * memory or register operand (§28.2.5, Tables 28-8..28-13); reg2: the
 * register field (VMREAD/VMWRITE), -1: none. */
uint32_t vmx_insn_info(struct x86_cpu *x, int reg2);

/* vmx_entry.c: VMLAUNCH / VMRESUME after the instruction's own checks. */
void vmx_vmentry(struct x86_cpu *x, bool launch);

/* vmx_entry_checks.c (§27.2, §27.3): true when the controls / host state
 * / guest state pass; else *why names the failed check (its SDM section
 * and rule) and, for the guest state, *qual is the exit qualification
 * (0, or 2 PDPTEs, 4 VMCS link pointer: §27.8). */
bool vmx_check_controls(struct x86_cpu *x, const char **why);
bool vmx_check_host(struct x86_cpu *x, const char **why);
bool vmx_check_guest(struct x86_cpu *x, const char **why, unsigned *qual);

/* vmx_ept.c: the TLB's translation context at VM entry (after the guest
 * state and x->vmx.ept are in) and at VM exit (after the host state), with
 * the VPID-0 invalidation of "enable VPID" = 0 (§29.4.3.3). */
void vmx_tlb_entry(struct x86_cpu *x);
void vmx_tlb_exit(struct x86_cpu *x);

/* Reserved bits of a present PAE PDPTE as MOV to CR3 checks them (SDM vol.
 * 3A §4.4.1: bits 2:1, 8:5, and 63:52, beyond the physical-address width):
 * the VM-entry check (vmx_entry_checks.c) and the guest's PDPTE loads
 * (vmx_nonroot.c). */
#define VMX_PDPTE_RSVD 0xfff00000000001e6ull

/* Segment access rights <-> the model's attr (same bit layout; bit 16 =
 * unusable, which the model has as P = 0). */
static inline uint32_t vmx_ar_from_seg(const struct x86_segment *s)
{
    return (s->attr & SEG_P) ? (s->attr & 0xf0ffu) : 0x10000u;
}

#endif
