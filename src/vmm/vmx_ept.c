/* EPT in VMX non-root operation (docs/vmx.md "EPT and VPID"): the x86
 * MMU's guest-physical accesses go through src/vmm/ept.c with the current
 * VMCS's EPT pointer; a failed translation is the VM exit of SDM vol. 3C
 * §29.3.3 (EPT violation, reason 48; EPT misconfiguration, reason 49) with
 * the guest-physical-address field and, when valid, the guest-linear
 * address (§28.2.1 Table 28-7, §28.2.4). */
#include "vmx_int.h"

static uint64_t ept_rd(void *o, uint64_t hpa) { return vmx_phys_read(o, hpa, 8); }
static void ept_wr(void *o, uint64_t hpa, uint64_t v) { vmx_phys_write(o, hpa, 8, v); }

uint64_t vmx_ept_translate(struct x86_cpu *x, uint64_t gpa, unsigned acc, uint64_t la,
                           struct ept_result *r)
{
    /* the context is built per call (it holds a pointer to this CPU, which
     * a snapshot copy must not carry); EPTP passed the entry check */
    struct ept_ctx c;
    ept_ctx_init(&c, vmcs_get(x, VMCS_EPTP), VMX_PA_BITS, ept_rd, ept_wr, x);
    if (ept_translate(&c, gpa, acc, r) == EPT_OK)
        return r->hpa;
    if (acc & EPT_ACC_DEBUG)
        return 0;
    /* fault-like, as an exception: vmx_exit gives back RSP to an
     * instruction that moved it before the faulting access */
    vmcs_set(x, VMCS_GUEST_PHYS_ADDR, gpa);
    struct vmx_exit_info info = { 0 };
    if (r->status == EPT_VIOLATION) {
        if (r->qual & EPT_QUAL_GLA_VALID)
            info.guest_la = x->long_mode ? la : la & 0xffffffffull;
        /* bit 12: NMI unblocking by an IRET that made this access (not
         * during event delivery: then it is undefined, 0 here) */
        uint64_t q = r->qual;
        if (x->vmx.iret_nmi && !(x->vmx.deliv_info >> 31))
            q |= EPT_QUAL_NMI_UNBLOCK;
        vmx_exit(x, VMX_EXIT_EPT_VIOLATION, q, &info);
    }
    vmx_exit(x, VMX_EXIT_EPT_MISCONFIG, 0, &info); /* qualification undefined: 0 */
}

/* ---- the TLB's tags (SDM vol. 3C §29.4; docs/vmx.md "TLB") ---- */

static bool vpid_enabled(const struct x86_cpu *x)
{
    return (vmcs_get(x, VMCS_PROC_CTLS) & PROC_SECONDARY) && (vmcs_get(x, VMCS_PROC_CTLS2) & PROC2_VPID);
}

/* §29.4.3.3: with "enable VPID" = 0, VM entries and VM exits invalidate
 * the linear and combined mappings of VPID 0000H (all PCIDs, all EP4TAs);
 * with VPID they invalidate nothing. */
static void flush_vpid0(struct x86_cpu *x)
{
    const struct ept_inval inv = { .kind = EPT_INV_VPID_SINGLE, .vpid = 0 };
    x86_tlb_invalidate(x, &inv);
}

void vmx_tlb_entry(struct x86_cpu *x)
{
    bool vpid = vpid_enabled(x);
    if (!vpid)
        flush_vpid0(x);
    /* the guest's mappings: linear ones (EPT off) are tagged by the VPID,
     * combined ones by the VPID and the EP4TA (§29.4.2) */
    x86_tlb_set_context(x, vpid ? (uint16_t)vmcs_get(x, VMCS_VPID) : 0, x->vmx.ept,
                        vmcs_get(x, VMCS_EPTP) & 0x000ffffffffff000ull);
}

void vmx_tlb_exit(struct x86_cpu *x)
{
    if (!vpid_enabled(x))
        flush_vpid0(x);
    x86_tlb_set_context(x, 0, false, 0); /* root operation: linear mappings of VPID 0 */
}
