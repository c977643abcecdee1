/* Unit tests for the VMX part of src/vmm/ (docs/vmx.md): the one VMCS
 * field table against the encoding rules of SDM vol. 3C Appendix B, the
 * VMREAD/VMWRITE lookup, the capability MSRs against each other and the
 * default1 classes of Appendix A, and the exit-reason names and timeline
 * classes the x86 arch_info gives the tools. */
#include <check.h>
#include <stdlib.h>

#include "cpu/x86/x86_cpu.h"
#include "sim/arch.h"
#include "vmm/vmcs.h"
#include "vmm/vmm.h"
#include "vmm/vmx.h"
#include "vmm/vmx_caps.h"

Suite *vmx_suite(void);

START_TEST(test_field_table)
{
    for (int i = 0; i < VMCS_NFIELDS; i++) {
        uint32_t e = vmcs_field_table[i].enc;
        ck_assert_msg(!(e & 1), "%s: access type 0", vmcs_field_table[i].name);
        ck_assert_msg(!(e & 0x9000), "%s: reserved bits 12, 15", vmcs_field_table[i].name);
        if (i)
            ck_assert_msg(vmcs_field_table[i - 1].enc < e, "%s: the table is in encoding order",
                          vmcs_field_table[i].name);
        bool high;
        ck_assert_int_eq(vmcs_lookup(e, &high), i);
        ck_assert(!high);
        if (vmcs_enc_width(e) == VMCS_W64) {
            ck_assert_int_eq(vmcs_lookup(e | 1, &high), i);
            ck_assert(high);
        } else {
            ck_assert_int_eq(vmcs_lookup(e | 1, &high), -1);
        }
        /* read-only = the VM-exit information type (bits 11:10 = 1) */
        ck_assert(vmcs_read_only(i) == ((e >> 10 & 3) == 1));
    }
    /* every field fits the 4-KByte region after the header */
    ck_assert_uint_le(VMCS_REGION_FIELDS + 8 * VMCS_NFIELDS, 4096);
    /* a few encodings from Appendix B */
    bool h;
    ck_assert_int_eq(vmcs_lookup(0x681e, &h), VMCS_GUEST_RIP);
    ck_assert_int_eq(vmcs_lookup(0x4402, &h), VMCS_EXIT_REASON);
    ck_assert_int_eq(vmcs_lookup(0x0c0c, &h), VMCS_HOST_TR_SEL);
    ck_assert_int_eq(vmcs_lookup(0x2000, &h), VMCS_IO_BITMAP_A);
    ck_assert_uint_eq(vmcs_width_mask(VMCS_GUEST_CS_SEL), 0xffff);
    ck_assert_uint_eq(vmcs_width_mask(VMCS_PIN_CTLS), 0xffffffffu);
    /* EPT pointer, VPID, secondary controls (EPT and VPID are reported) */
    ck_assert_int_eq(vmcs_lookup(0x201a, &h), VMCS_EPTP);
    ck_assert_int_eq(vmcs_lookup(0x0000, &h), VMCS_VPID);
    ck_assert_int_eq(vmcs_lookup(0x401e, &h), VMCS_PROC_CTLS2);
    /* APIC virtualization: virtual-APIC address, TPR threshold, guest
     * interrupt status; unsupported: the PML address, bits 63:32 */
    ck_assert_int_eq(vmcs_lookup(0x2012, &h), VMCS_VIRT_APIC_ADDR);
    ck_assert_int_eq(vmcs_lookup(0x401c, &h), VMCS_TPR_THRESHOLD);
    ck_assert_int_eq(vmcs_lookup(0x0810, &h), VMCS_GUEST_INTR_STATUS);
    ck_assert_int_eq(vmcs_lookup(0x200e, &h), -1);
    ck_assert_int_eq(vmcs_lookup(1ull << 32 | 0x681e, &h), -1);
    /* the guest PDPTE fields (B.2.3: 280AH-2810H, 64-bit, with their high
     * halves); 2812H (the guest IA32_PERF_GLOBAL_CTRL) is not supported */
    ck_assert_int_eq(vmcs_lookup(0x280a, &h), VMCS_GUEST_PDPTE0);
    ck_assert_int_eq(vmcs_lookup(0x2810, &h), VMCS_GUEST_PDPTE3);
    ck_assert_int_eq(vmcs_lookup(0x2811, &h), VMCS_GUEST_PDPTE3);
    ck_assert(h);
    ck_assert_int_eq(VMCS_GUEST_PDPTE1 - VMCS_GUEST_PDPTE0, 1);
    ck_assert_int_eq(vmcs_lookup(0x2812, &h), -1);
    /* their region slots come last; the other fields keep theirs, and the
     * slots are a permutation of the indices */
    ck_assert_int_eq(vmcs_region_slot(VMCS_GUEST_EFER), VMCS_GUEST_EFER);
    ck_assert_int_eq(vmcs_region_slot(VMCS_GUEST_PDPTE0), VMCS_NFIELDS - 4);
    ck_assert_int_eq(vmcs_region_slot(VMCS_GUEST_PDPTE3), VMCS_NFIELDS - 1);
    ck_assert_int_eq(vmcs_region_slot(VMCS_GUEST_PDPTE3 + 1), VMCS_GUEST_PDPTE0);
    unsigned seen[VMCS_NFIELDS] = { 0 };
    for (int i = 0; i < VMCS_NFIELDS; i++)
        seen[vmcs_region_slot(i)]++;
    for (int i = 0; i < VMCS_NFIELDS; i++)
        ck_assert_uint_eq(seen[i], 1);
    /* IA32_VMX_VMCS_ENUM: the preemption-timer value has index 17H */
    ck_assert_uint_eq(vmcs_max_index(), 0x17);
}
END_TEST

START_TEST(test_capabilities)
{
    struct x86_cpu *x = calloc(1, sizeof *x);
    uint64_t v;
    /* no VMX: the MSRs are #GP, IA32_FEATURE_CONTROL is msr.c's */
    ck_assert_int_eq(vmx_rdmsr(x, 0x480, &v), 0);
    ck_assert_int_eq(vmx_rdmsr(x, 0x3a, &v), -1);
    x->vmx.enabled = true;
    ck_assert_int_eq(vmx_rdmsr(x, 0x480, &v), 1);
    ck_assert_uint_eq((uint32_t)v, VMX_REVISION);
    /* plain and TRUE control MSRs: allowed-0 within allowed-1, the plain
     * ones with every default1 bit required, the TRUE ones a subset */
    static const struct { uint32_t plain, tru, default1; } m[] = {
        { 0x481, 0x48d, VMX_PIN_DEFAULT1 }, { 0x482, 0x48e, VMX_PROC_DEFAULT1 },
        { 0x483, 0x48f, VMX_EXIT_DEFAULT1 }, { 0x484, 0x490, VMX_ENTRY_DEFAULT1 },
    };
    for (unsigned i = 0; i < 4; i++) {
        uint64_t p, t;
        ck_assert_int_eq(vmx_rdmsr(x, m[i].plain, &p), 1);
        ck_assert_int_eq(vmx_rdmsr(x, m[i].tru, &t), 1);
        ck_assert_uint_eq((uint32_t)p & ~(uint32_t)(p >> 32), 0);
        ck_assert_uint_eq((uint32_t)p, m[i].default1);
        ck_assert_uint_eq((uint32_t)t & ~(uint32_t)p, 0);
        ck_assert_uint_eq(t >> 32, p >> 32);
    }
    /* TPR shadow, posted interrupts, MTF, PAUSE exiting, NMI window and
     * virtual NMIs are implemented and reported */
    vmx_rdmsr(x, 0x482, &v);
    ck_assert_uint_eq((v >> 32) & (PROC_MTF | PROC_PAUSE_EXITING | PROC_NMI_WINDOW | PROC_TPR_SHADOW),
                      PROC_MTF | PROC_PAUSE_EXITING | PROC_NMI_WINDOW | PROC_TPR_SHADOW);
    vmx_rdmsr(x, 0x481, &v);
    ck_assert_uint_eq((v >> 32) & (PIN_VIRTUAL_NMIS | PIN_POSTED_INTR),
                      PIN_VIRTUAL_NMIS | PIN_POSTED_INTR);
    /* the values docs/vmx.md lists */
    static const struct { uint32_t msr; uint64_t v; } doc[] = {
        { 0x480, 0x00d8100048560001ull }, { 0x481, 0x000000ff00000016ull },
        { 0x48d, 0x000000ff00000016ull }, { 0x482, 0xfff9fffe0401e172ull },
        { 0x48e, 0xfff9fffe04006172ull }, { 0x483, 0x007fefff00036dffull },
        { 0x48f, 0x007fefff00036dfbull }, { 0x484, 0x0000d3ff000011ffull },
        { 0x490, 0x0000d3ff000011fbull }, { 0x485, 0x000401e5ull }, { 0x486, 0x80000021ull },
        { 0x487, 0xffffffffull }, { 0x488, 0x2000ull }, { 0x489, 0x332fffull }, { 0x48a, 0x2eull },
    };
    for (unsigned i = 0; i < sizeof doc / sizeof doc[0]; i++) {
        ck_assert_int_eq(vmx_rdmsr(x, doc[i].msr, &v), 1);
        ck_assert_msg(v == doc[i].v, "MSR %x = %llx, docs/vmx.md says %llx", doc[i].msr,
                      (unsigned long long)v, (unsigned long long)doc[i].v);
    }
    /* PROCBASED_CTLS2: virtualize APIC accesses (0), EPT (1),
     * descriptor-table exiting (2), RDTSCP (3), virtualize x2APIC mode (4),
     * VPID (5), WBINVD exiting (6), unrestricted guest (7),
     * APIC-register virtualization (8), virtual-interrupt delivery (9),
     * PAUSE-loop exiting (10), INVPCID (12) may be 1, none must */
    ck_assert_int_eq(vmx_rdmsr(x, 0x48b, &v), 1);
    ck_assert_uint_eq(v, 0x000017ff00000000ull);
    /* EPT_VPID_CAP: all of ept.h's EPT_VPID_CAP */
    ck_assert_int_eq(vmx_rdmsr(x, 0x48c, &v), 1);
    ck_assert_uint_eq(v, 0x00000f0106334141ull);
    ck_assert_int_eq(vmx_rdmsr(x, 0x491, &v), 0); /* VMFUNC: #GP */
    ck_assert_int_eq(vmx_wrmsr(x, 0x480, 0), 0);  /* read-only */
    /* IA32_FEATURE_CONTROL: lock, then #GP */
    ck_assert_int_eq(vmx_wrmsr(x, 0x3a, 8), 0);
    ck_assert_int_eq(vmx_wrmsr(x, 0x3a, 5), 1);
    ck_assert_int_eq(vmx_wrmsr(x, 0x3a, 5), 0);
    /* CR fixed bits */
    ck_assert(vmx_cr_fixed_ok(x, 0, 0x80000031));
    ck_assert(!vmx_cr_fixed_ok(x, 0, 0x80000011)); /* NE clear */
    ck_assert(vmx_cr_fixed_ok(x, 4, CR4_VMXE | CR4_PAE));
    ck_assert(!vmx_cr_fixed_ok(x, 4, CR4_PAE));
    ck_assert(!vmx_cr_fixed_ok(x, 4, CR4_VMXE | CR4_OSXSAVE)); /* no XSAVE */
    /* unrestricted guest: FIXED0 still reports PE and PG (A.7); only a
     * guest in non-root operation with the control may clear them */
    ck_assert(!vmx_cr_fixed_ok(x, 0, 0x00000030)); /* root: PE, PG fixed */
    x->vmx.non_root = true;
    x->vmx.vmcs[VMCS_PROC_CTLS] = PROC_SECONDARY;
    x->vmx.vmcs[VMCS_PROC_CTLS2] = PROC2_EPT;
    ck_assert(!vmx_cr_fixed_ok(x, 0, 0x00000030)); /* no unrestricted guest */
    x->vmx.vmcs[VMCS_PROC_CTLS2] = PROC2_EPT | PROC2_UNRESTRICTED;
    ck_assert(vmx_cr_fixed_ok(x, 0, 0x00000030));  /* real mode */
    ck_assert(vmx_cr_fixed_ok(x, 0, 0x00000031));  /* protected mode, no paging */
    ck_assert(!vmx_cr_fixed_ok(x, 0, 0x00000010)); /* NE stays fixed */
    x->vmx.vmcs[VMCS_PROC_CTLS] = 0;               /* secondary controls off: ignored */
    ck_assert(!vmx_cr_fixed_ok(x, 0, 0x00000030));
    x->vmx.non_root = false;
    free(x);
}
END_TEST

START_TEST(test_exit_names)
{
    const struct arch_info *a = arch_by_name("x86_64");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->vm_exit_name(48), "EPT_VIOLATION");
    ck_assert_str_eq(a->vm_exit_name(1), "EXTERNAL_INTERRUPT");
    ck_assert_str_eq(a->vm_exit_name(VMX_EXIT_ENTRY_FAILURE | 33), "INVALID_GUEST");
    ck_assert_ptr_null(a->vm_exit_name(35)); /* not a defined reason */
    ck_assert_uint_eq(vmm_exit_class(a, 18), VMM_EXIT_HYPERCALL);
    ck_assert_uint_eq(vmm_exit_class(a, 30), VMM_EXIT_PORT_IO);
    ck_assert_uint_eq(vmm_exit_class(a, 48), VMM_EXIT_GUEST_PAGE_FAULT);
    ck_assert_uint_eq(vmm_exit_class(a, 49), VMM_EXIT_MMIO);
    ck_assert_uint_eq(vmm_exit_class(a, 52), VMM_EXIT_TIMER);
    ck_assert_uint_eq(vmm_exit_class(a, 1), VMM_EXIT_EXTERNAL_IRQ);
    ck_assert_uint_eq(vmm_exit_class(a, 10), VMM_EXIT_INSTRUCTION);
    ck_assert_uint_eq(vmm_exit_class(a, 0), VMM_EXIT_EXCEPTION);
    ck_assert_uint_eq(vmm_exit_class(a, 3), VMM_EXIT_IPI);
    ck_assert_uint_eq(vmm_exit_class(a, 1000), VMM_EXIT_OTHER);
}
END_TEST

Suite *vmx_suite(void)
{
    Suite *s = suite_create("vmx");
    TCase *tc = tcase_create("vmx");
    tcase_add_test(tc, test_field_table);
    tcase_add_test(tc, test_capabilities);
    tcase_add_test(tc, test_exit_names);
    suite_add_tcase(s, tc);
    return s;
}
