/* The VM-entry checks of SDM vol. 3C ch. 27, as tables: one row per rule,
 * with its section. §27.2.1 the VMX controls and §27.2.2-27.2.4 the host
 * state (a failure is VMfailValid 7 / 8), §27.3.1 the guest state (a failed
 * entry, exit reason 33). Rules about features hvsim does not report
 * (SMM, shadow VMCS, CET, PKRS, ...) are covered by the reserved-bit
 * rows: those controls can never be 1 here. "Unrestricted guest" (ug)
 * relaxes the CR0 and segment rows; a virtual-8086 guest (RFLAGS.VM in
 * the field) has its own segment rules (vm86). */
#include "vmx_int.h"
#include "vmx_apic.h"

struct ectx {
    uint32_t pin, proc, exit, entry;
    bool ia32e, host64;
    bool ug;   /* "unrestricted guest" (secondary control 7) */
    bool vm86; /* "the guest will be virtual-8086": RFLAGS.VM = 1 */
    uint64_t cr0, cr4;
};

struct check {
    const char *sect;  /* SDM vol. 3C section */
    const char *rule;
    bool (*ok)(struct x86_cpu *x, const struct ectx *c);
};

#define G(f) vmcs_get(x, VMCS_##f)

static bool canonical(uint64_t v) { return (uint64_t)(((int64_t)v >> 47) + 1) <= 1; }
static bool ctl_ok(uint32_t v, uint32_t allowed0, uint32_t allowed1)
{
    return (v & allowed0) == allowed0 && !(v & ~allowed1);
}
static bool pat_ok(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (unsigned)(v >> (8 * i)) & 0xff;
        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}
static bool efer_reserved_ok(uint64_t v)
{
    return !(v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE));
}

/* ---- §27.2.1 VMX controls (VMfailValid 7) ------------------------------------- */

static bool c_pin(struct x86_cpu *x, const struct ectx *c) { return ctl_ok(c->pin, VMX_PIN_DEFAULT1, VMX_PIN_ALLOWED1); }
static bool c_proc(struct x86_cpu *x, const struct ectx *c) { return ctl_ok(c->proc, VMX_PROC_TRUE0, VMX_PROC_ALLOWED1); }
static bool c_vnmi(struct x86_cpu *x, const struct ectx *c)
{
    /* "virtual NMIs" needs "NMI exiting"; "NMI-window exiting" needs
     * "virtual NMIs" */
    if ((c->pin & PIN_VIRTUAL_NMIS) && !(c->pin & PIN_NMI_EXITING))
        return false;
    return !(c->proc & PROC_NMI_WINDOW) || (c->pin & PIN_VIRTUAL_NMIS);
}
static bool c_cr3_count(struct x86_cpu *x, const struct ectx *c) { return G(CR3_TARGET_COUNT) <= VMX_CR3_TARGETS; }
static bool c_io_bitmaps(struct x86_cpu *x, const struct ectx *c)
{
    if (!(c->proc & PROC_IO_BITMAPS))
        return true;
    return !(G(IO_BITMAP_A) & 0xfff) && vmx_pa_ok(G(IO_BITMAP_A)) && !(G(IO_BITMAP_B) & 0xfff) &&
           vmx_pa_ok(G(IO_BITMAP_B));
}
static bool c_msr_bitmap(struct x86_cpu *x, const struct ectx *c)
{
    return !(c->proc & PROC_MSR_BITMAPS) || (!(G(MSR_BITMAP) & 0xfff) && vmx_pa_ok(G(MSR_BITMAP)));
}
/* the secondary controls count only with "activate secondary controls"
 * (§25.6.2: else they are treated as 0) */
static uint32_t proc2(struct x86_cpu *x, const struct ectx *c)
{
    return (c->proc & PROC_SECONDARY) ? (uint32_t)G(PROC_CTLS2) : 0;
}
static bool c_proc2(struct x86_cpu *x, const struct ectx *c) { return ctl_ok(proc2(x, c), 0, VMX_PROC2_ALLOWED1); }
static bool c_eptp(struct x86_cpu *x, const struct ectx *c)
{
    return !(proc2(x, c) & PROC2_EPT) || ept_eptp_check(G(EPTP), VMX_PA_BITS) == EPTP_OK;
}
static bool c_vpid(struct x86_cpu *x, const struct ectx *c)
{
    return !(proc2(x, c) & PROC2_VPID) || G(VPID) != 0;
}
static bool c_ug(struct x86_cpu *x, const struct ectx *c)
{
    return !(proc2(x, c) & PROC2_UNRESTRICTED) || (proc2(x, c) & PROC2_EPT);
}
static bool c_tpr_shadow(struct x86_cpu *x, const struct ectx *c) { return vmx_apic_check_tpr_shadow(x); }
static bool c_apic_access(struct x86_cpu *x, const struct ectx *c) { return vmx_apic_check_apic_access(x); }
static bool c_x2apic(struct x86_cpu *x, const struct ectx *c) { return vmx_apic_check_x2apic(x); }
static bool c_vid(struct x86_cpu *x, const struct ectx *c) { return vmx_apic_check_vid(x); }
static bool c_posted(struct x86_cpu *x, const struct ectx *c) { return vmx_apic_check_posted(x); }
static bool c_exit(struct x86_cpu *x, const struct ectx *c) { return ctl_ok(c->exit, VMX_EXIT_TRUE0, VMX_EXIT_ALLOWED1); }
static bool c_save_preempt(struct x86_cpu *x, const struct ectx *c)
{
    return (c->pin & PIN_PREEMPTION_TIMER) || !(c->exit & EXIT_SAVE_PREEMPTION);
}
static bool msr_area_ok(uint64_t count, uint64_t addr)
{
    return !count || (!(addr & 15) && vmx_pa_ok(addr + 16 * count - 1));
}
static bool c_exit_msr_store(struct x86_cpu *x, const struct ectx *c) { return msr_area_ok(G(EXIT_MSR_STORE_COUNT), G(EXIT_MSR_STORE_ADDR)); }
static bool c_exit_msr_load(struct x86_cpu *x, const struct ectx *c) { return msr_area_ok(G(EXIT_MSR_LOAD_COUNT), G(EXIT_MSR_LOAD_ADDR)); }
static bool c_entry(struct x86_cpu *x, const struct ectx *c) { return ctl_ok(c->entry, VMX_ENTRY_TRUE0, VMX_ENTRY_ALLOWED1); }
static bool c_entry_msr_load(struct x86_cpu *x, const struct ectx *c) { return msr_area_ok(G(ENTRY_MSR_LOAD_COUNT), G(ENTRY_MSR_LOAD_ADDR)); }
/* §27.2.1.3 event injection */
static bool c_inject(struct x86_cpu *x, const struct ectx *c)
{
    uint32_t info = (uint32_t)G(ENTRY_INTR_INFO);
    if (!(info >> 31))
        return true;
    unsigned vector = info & 0xff, type = (info >> 8) & 7;
    bool errc = (info >> 11) & 1;
    if (type == 1) /* reserved ("other event" is allowed: MTF is reported) */
        return false;
    if (type == VMX_EV_OTHER && vector != 0)
        return false; /* vector 0: pending MTF exit */
    if (type == 2 && vector != 2)
        return false;
    if (type == 3 && vector > 31)
        return false;
    /* deliver-error-code: exactly for hardware exceptions 8, 10-14, 17
     * with the guest's CR0.PE = 1 (an unrestricted guest in real mode
     * takes no error code: §27.2.1.3, IA32_VMX_BASIC[56] = 0) */
    bool needs = type == 3 && (c->cr0 & CR0_PE) &&
                 (vector == 8 || (vector >= 10 && vector <= 14) || vector == 17);
    if (errc != needs)
        return false;
    if (info & 0x7ffff000u) /* bits 30:12 reserved */
        return false;
    if (errc && (G(ENTRY_EXC_ERRCODE) >> 16))
        return false; /* error code bits 31:16 */
    if ((type == 4 || type == 5 || type == 6) && (G(ENTRY_INSN_LEN) < 1 || G(ENTRY_INSN_LEN) > 15))
        return false; /* IA32_VMX_MISC bit 30 is 0: length 0 is not allowed */
    return true;
}

static const struct check control_checks[] = {
    { "27.2.1.1", "pin-based controls: reserved bits (IA32_VMX_TRUE_PINBASED_CTLS)", c_pin },
    { "27.2.1.1", "primary processor-based controls: reserved bits (IA32_VMX_TRUE_PROCBASED_CTLS)", c_proc },
    { "27.2.1.1", "virtual NMIs need NMI exiting; NMI-window exiting needs virtual NMIs", c_vnmi },
    { "27.2.1.1", "CR3-target count <= 4 (IA32_VMX_MISC[24:16])", c_cr3_count },
    { "27.2.1.1", "I/O bitmap addresses 4-KByte aligned, within the physical-address width", c_io_bitmaps },
    { "27.2.1.1", "MSR-bitmap address 4-KByte aligned, within the physical-address width", c_msr_bitmap },
    { "27.2.1.1", "secondary processor-based controls: reserved bits (IA32_VMX_PROCBASED_CTLS2)", c_proc2 },
    { "27.2.1.1", "enable VPID: VPID not 0000H", c_vpid },
    { "27.2.1.1", "unrestricted guest needs enable EPT", c_ug },
    { "27.2.1.1", "enable EPT: EPTP memory type, page-walk length 4, reserved bits (IA32_VMX_EPT_VPID_CAP)", c_eptp },
    { "27.2.1.1", "use TPR shadow: virtual-APIC address aligned and in range, TPR threshold bits 31:4 and <= VTPR[7:4]; without it no x2APIC / register virtualization / virtual-interrupt delivery", c_tpr_shadow },
    { "27.2.1.1", "virtualize APIC accesses: APIC-access address 4-KByte aligned, in range", c_apic_access },
    { "27.2.1.1", "virtualize x2APIC mode excludes virtualize APIC accesses", c_x2apic },
    { "27.2.1.1", "virtual-interrupt delivery needs external-interrupt exiting", c_vid },
    { "27.2.1.1", "process posted interrupts: virtual-interrupt delivery, acknowledge interrupt on exit, vector bits 15:8 clear, descriptor 64-byte aligned", c_posted },
    { "27.2.1.2", "VM-exit controls: reserved bits (IA32_VMX_TRUE_EXIT_CTLS)", c_exit },
    { "27.2.1.2", "save VMX-preemption timer value needs activate VMX-preemption timer", c_save_preempt },
    { "27.2.1.2", "VM-exit MSR-store area 16-byte aligned, within the physical-address width", c_exit_msr_store },
    { "27.2.1.2", "VM-exit MSR-load area 16-byte aligned, within the physical-address width", c_exit_msr_load },
    { "27.2.1.3", "VM-entry controls: reserved bits (IA32_VMX_TRUE_ENTRY_CTLS)", c_entry },
    { "27.2.1.3", "VM-entry MSR-load area 16-byte aligned, within the physical-address width", c_entry_msr_load },
    { "27.2.1.3", "VM-entry interruption-information field (type, vector, error code, length)", c_inject },
};

/* ---- §27.2.2-27.2.4 host state (VMfailValid 8) ----------------------------------- */

static bool h_cr0(struct x86_cpu *x, const struct ectx *c) { return vmx_cr_fixed_ok(x, 0, G(HOST_CR0)); }
static bool h_cr4(struct x86_cpu *x, const struct ectx *c) { return vmx_cr_fixed_ok(x, 4, G(HOST_CR4)); }
static bool h_cr3(struct x86_cpu *x, const struct ectx *c) { return vmx_pa_ok(G(HOST_CR3) & ~0xfffull); }
static bool h_sysenter(struct x86_cpu *x, const struct ectx *c) { return canonical(G(HOST_SYSENTER_ESP)) && canonical(G(HOST_SYSENTER_EIP)); }
static bool h_pat(struct x86_cpu *x, const struct ectx *c) { return !(c->exit & EXIT_LOAD_PAT) || pat_ok(G(HOST_PAT)); }
static bool h_efer(struct x86_cpu *x, const struct ectx *c)
{
    if (!(c->exit & EXIT_LOAD_EFER))
        return true;
    uint64_t e = G(HOST_EFER);
    return efer_reserved_ok(e) && !!(e & EFER_LMA) == c->host64 && !!(e & EFER_LME) == c->host64;
}
static bool h_sel_rpl(struct x86_cpu *x, const struct ectx *c)
{
    static const enum vmcs_field f[] = { VMCS_HOST_ES_SEL, VMCS_HOST_CS_SEL, VMCS_HOST_SS_SEL,
                                         VMCS_HOST_DS_SEL, VMCS_HOST_FS_SEL, VMCS_HOST_GS_SEL,
                                         VMCS_HOST_TR_SEL };
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
        if (vmcs_get(x, f[i]) & 7)
            return false;
    return true;
}
static bool h_cs_tr(struct x86_cpu *x, const struct ectx *c) { return G(HOST_CS_SEL) && G(HOST_TR_SEL); }
static bool h_ss(struct x86_cpu *x, const struct ectx *c) { return c->host64 || G(HOST_SS_SEL); }
static bool h_bases(struct x86_cpu *x, const struct ectx *c)
{
    return canonical(G(HOST_FS_BASE)) && canonical(G(HOST_GS_BASE)) && canonical(G(HOST_GDTR_BASE)) &&
           canonical(G(HOST_IDTR_BASE)) && canonical(G(HOST_TR_BASE));
}
static bool h_as_size(struct x86_cpu *x, const struct ectx *c)
{
    /* §27.2.4: outside IA-32e mode the host address-space size and the
     * IA-32e mode guest control are 0; in it, the host size is 1 */
    if (!x->long_mode)
        return !c->host64 && !c->ia32e;
    return c->host64;
}
static bool h_as_state(struct x86_cpu *x, const struct ectx *c)
{
    if (!c->host64)
        return !c->ia32e && !(G(HOST_CR4) & CR4_PCIDE) && !(G(HOST_RIP) >> 32);
    return (G(HOST_CR4) & CR4_PAE) && canonical(G(HOST_RIP));
}

static const struct check host_checks[] = {
    { "27.2.2", "host CR0: IA32_VMX_CR0_FIXED0/FIXED1", h_cr0 },
    { "27.2.2", "host CR4: IA32_VMX_CR4_FIXED0/FIXED1", h_cr4 },
    { "27.2.2", "host CR3 within the physical-address width", h_cr3 },
    { "27.2.2", "host IA32_SYSENTER_ESP/EIP canonical", h_sysenter },
    { "27.2.2", "host IA32_PAT memory types (load IA32_PAT)", h_pat },
    { "27.2.2", "host IA32_EFER reserved bits, LMA = LME = host address-space size (load IA32_EFER)", h_efer },
    { "27.2.3", "host selectors: RPL and TI 0", h_sel_rpl },
    { "27.2.3", "host CS and TR selectors not 0000H", h_cs_tr },
    { "27.2.3", "host SS selector not 0000H without host address-space size", h_ss },
    { "27.2.3", "host FS, GS, GDTR, IDTR, TR bases canonical", h_bases },
    { "27.2.4", "host address-space size vs IA32_EFER.LMA", h_as_size },
    { "27.2.4", "host CR4.PAE / PCIDE and RIP vs host address-space size", h_as_state },
};

/* ---- §27.3.1 guest state (exit reason 33) ---------------------------------------- */

static uint32_t ar(struct x86_cpu *x, unsigned k) { return (uint32_t)vmcs_get(x, (enum vmcs_field)(VMCS_GUEST_ES_AR + k)); }
static uint32_t lim(struct x86_cpu *x, unsigned k) { return (uint32_t)vmcs_get(x, (enum vmcs_field)(VMCS_GUEST_ES_LIMIT + k)); }
static uint64_t sbase(struct x86_cpu *x, unsigned k) { return vmcs_get(x, (enum vmcs_field)(VMCS_GUEST_ES_BASE + k)); }
static uint16_t ssel(struct x86_cpu *x, unsigned k) { return (uint16_t)vmcs_get(x, (enum vmcs_field)(VMCS_GUEST_ES_SEL + k)); }
static bool usable(uint32_t a) { return !(a & 0x10000u); }
/* G and the limit (§27.3.1.2): limit[11:0] not all ones -> G = 0;
 * limit[31:20] not all zeros -> G = 1 */
static bool g_consistent(uint32_t a, uint32_t l)
{
    bool g = a & (1u << 15);
    if ((l & 0xfff) != 0xfff && g)
        return false;
    if ((l >> 20) && !g)
        return false;
    return true;
}
enum { K_ES, K_CS, K_SS, K_DS, K_FS, K_GS, K_LDTR, K_TR };

static bool g_cr0(struct x86_cpu *x, const struct ectx *c)
{
    /* FIXED0/1, but PE and PG with "unrestricted guest"; PG needs PE */
    uint64_t f0 = vmx_cr0_fixed0(c->ug);
    return (c->cr0 & f0) == f0 && !(c->cr0 & ~VMX_CR0_FIXED1) &&
           (!(c->cr0 & CR0_PG) || (c->cr0 & CR0_PE));
}
static bool g_cr4(struct x86_cpu *x, const struct ectx *c) { return vmx_cr_fixed_ok(x, 4, c->cr4); }
static bool g_debug(struct x86_cpu *x, const struct ectx *c)
{
    return !(c->entry & ENTRY_LOAD_DEBUG) || (!(G(GUEST_DR7) >> 32) && !(G(GUEST_DEBUGCTL) & ~0x1ull) &&
                                             !G(GUEST_DEBUGCTL)); /* DEBUGCTL not modelled: 0 */
}
static bool g_ia32e(struct x86_cpu *x, const struct ectx *c)
{
    if (c->ia32e)
        return (c->cr0 & CR0_PG) && (c->cr4 & CR4_PAE);
    return !(c->cr4 & CR4_PCIDE);
}
static bool g_cr3(struct x86_cpu *x, const struct ectx *c) { return vmx_pa_ok(G(GUEST_CR3) & ~0xfffull); }
static bool g_sysenter(struct x86_cpu *x, const struct ectx *c) { return canonical(G(GUEST_SYSENTER_ESP)) && canonical(G(GUEST_SYSENTER_EIP)); }
static bool g_pat(struct x86_cpu *x, const struct ectx *c) { return !(c->entry & ENTRY_LOAD_PAT) || pat_ok(G(GUEST_PAT)); }
static bool g_efer(struct x86_cpu *x, const struct ectx *c)
{
    if (!(c->entry & ENTRY_LOAD_EFER))
        return true;
    uint64_t e = G(GUEST_EFER);
    return efer_reserved_ok(e) && !!(e & EFER_LMA) == c->ia32e &&
           (!(c->cr0 & CR0_PG) || !!(e & EFER_LME) == c->ia32e);
}
static bool g_sel(struct x86_cpu *x, const struct ectx *c)
{
    /* TR TI = 0; LDTR TI = 0 if usable; SS.RPL = CS.RPL unless the
     * guest will be virtual-8086 or "unrestricted guest" is 1 */
    if (ssel(x, K_TR) & 4)
        return false;
    if (usable(ar(x, K_LDTR)) && (ssel(x, K_LDTR) & 4))
        return false;
    return c->vm86 || c->ug || (ssel(x, K_SS) & 3) == (ssel(x, K_CS) & 3);
}
static bool g_bases(struct x86_cpu *x, const struct ectx *c)
{
    if (!canonical(sbase(x, K_TR)) || !canonical(sbase(x, K_FS)) || !canonical(sbase(x, K_GS)))
        return false;
    if (usable(ar(x, K_LDTR)) && !canonical(sbase(x, K_LDTR)))
        return false;
    if (sbase(x, K_CS) >> 32)
        return false;
    for (unsigned k = K_ES; k <= K_DS; k += 1)
        if (k != K_CS && usable(ar(x, k)) && (sbase(x, k) >> 32))
            return false;
    return true;
}
/* a virtual-8086 guest: CS, SS, DS, ES, FS, GS with base = selector * 16,
 * limit FFFFH, access rights F3H (§27.3.1.2); the other segment rows
 * below do not apply to them */
static bool g_vm86(struct x86_cpu *x, const struct ectx *c)
{
    if (!c->vm86)
        return true;
    for (unsigned k = K_ES; k <= K_GS; k++)
        if (sbase(x, k) != (uint64_t)ssel(x, k) << 4 || lim(x, k) != 0xffff || ar(x, k) != 0xf3)
            return false;
    return true;
}
static bool g_cs(struct x86_cpu *x, const struct ectx *c)
{
    if (c->vm86)
        return true; /* g_vm86 */
    uint32_t a = ar(x, K_CS), type = a & 15, dpl = (a >> 5) & 3, ssdpl = (ar(x, K_SS) >> 5) & 3;
    /* an accessed code segment; with "unrestricted guest" also type 3
     * (read/write accessed data, as real mode leaves CS) with DPL 0 */
    if (!(type == 9 || type == 11 || type == 13 || type == 15 || (c->ug && type == 3)))
        return false;
    if (!(a & SEG_S) || !(a & SEG_P) || (a & 0xf00u) || (a & 0xfffe0000u) || !usable(a))
        return false;
    if (type == 3 ? dpl != 0 : (type == 9 || type == 11) ? dpl != ssdpl : dpl > ssdpl)
        return false;
    if (c->ia32e && (a & SEG_L) && (a & SEG_DB))
        return false;
    return g_consistent(a, lim(x, K_CS));
}
static bool g_ss(struct x86_cpu *x, const struct ectx *c)
{
    if (c->vm86)
        return true; /* g_vm86 */
    uint32_t a = ar(x, K_SS);
    /* DPL 0 when CS has type 3 or CR0.PE = 0 (the CPL the entry loads),
     * usable or not */
    if ((((ar(x, K_CS) & 15) == 3) || !(c->cr0 & CR0_PE)) && ((a >> 5) & 3))
        return false;
    if (!usable(a))
        return true;
    unsigned type = a & 15;
    if (type != 3 && type != 7)
        return false;
    if (!c->ug && ((a >> 5) & 3) != (ssel(x, K_SS) & 3u))
        return false; /* DPL = RPL, unless "unrestricted guest" */
    return (a & SEG_S) && (a & SEG_P) && !(a & 0xf00u) && !(a & 0xfffe0000u) &&
           g_consistent(a, lim(x, K_SS));
}
static bool g_data(struct x86_cpu *x, const struct ectx *c)
{
    static const unsigned ks[] = { K_DS, K_ES, K_FS, K_GS };
    if (c->vm86)
        return true; /* g_vm86 */
    for (unsigned i = 0; i < 4; i++) {
        unsigned k = ks[i];
        uint32_t a = ar(x, k);
        if (!usable(a))
            continue;
        unsigned type = a & 15, dpl = (a >> 5) & 3;
        if (!(type & 1) || ((type & 8) && !(type & 2)))
            return false; /* accessed; a code segment must be readable */
        if (!(a & SEG_S) || !(a & SEG_P) || (a & 0xf00u) || (a & 0xfffe0000u))
            return false;
        if (!c->ug && type <= 11 && dpl < (ssel(x, k) & 3u))
            return false; /* non-conforming: DPL >= RPL (not checked for an unrestricted guest) */
        if (!g_consistent(a, lim(x, k)))
            return false;
    }
    return true;
}
static bool g_tr(struct x86_cpu *x, const struct ectx *c)
{
    uint32_t a = ar(x, K_TR), type = a & 15;
    if (!(type == 11 || (!c->ia32e && type == 3)))
        return false;
    return !(a & SEG_S) && (a & SEG_P) && usable(a) && !(a & 0xf00u) && !(a & 0xfffe0000u) &&
           g_consistent(a, lim(x, K_TR));
}
static bool g_ldtr(struct x86_cpu *x, const struct ectx *c)
{
    uint32_t a = ar(x, K_LDTR);
    if (!usable(a))
        return true;
    return (a & 15) == 2 && !(a & SEG_S) && (a & SEG_P) && !(a & 0xf00u) && !(a & 0xfffe0000u) &&
           g_consistent(a, lim(x, K_LDTR));
}
static bool g_dtr(struct x86_cpu *x, const struct ectx *c)
{
    return canonical(G(GUEST_GDTR_BASE)) && canonical(G(GUEST_IDTR_BASE)) &&
           !(G(GUEST_GDTR_LIMIT) >> 16) && !(G(GUEST_IDTR_LIMIT) >> 16);
}
static bool g_rip(struct x86_cpu *x, const struct ectx *c)
{
    if (c->ia32e && (ar(x, K_CS) & SEG_L))
        return canonical(G(GUEST_RIP));
    return !(G(GUEST_RIP) >> 32);
}
static bool g_rflags(struct x86_cpu *x, const struct ectx *c)
{
    uint64_t f = G(GUEST_RFLAGS);
    if ((f & ~0x3f7fd7ull) || !(f & FL_FIXED1)) /* 63:22, 15, 5, 3 reserved; bit 1 set */
        return false;
    if ((c->ia32e || !(c->cr0 & CR0_PE)) && (f & FL_VM))
        return false;
    uint32_t info = (uint32_t)G(ENTRY_INTR_INFO);
    if ((info >> 31) && ((info >> 8) & 7) == 0 && !(f & FL_IF))
        return false; /* injecting an external interrupt needs IF = 1 */
    return true;
}
static bool g_activity(struct x86_cpu *x, const struct ectx *c)
{
    uint64_t s = G(GUEST_ACTIVITY);
    if (s > 3) /* active, HLT, shutdown, wait-for-SIPI (IA32_VMX_MISC bits 8:6) */
        return false;
    if (s == 1 && ((ar(x, K_SS) >> 5) & 3))
        return false; /* HLT needs SS.DPL = 0 */
    if (s && (G(GUEST_INTERRUPTIBILITY) & 3))
        return false; /* STI / MOV SS blocking needs the active state */
    uint32_t info = (uint32_t)G(ENTRY_INTR_INFO);
    unsigned type = (info >> 8) & 7, vector = info & 0xff;
    if (s == 1 && (info >> 31)) {
        /* HLT: only an external interrupt, an NMI, #DB, #MC or "other
         * event" may be injected */
        if (!(type == VMX_EV_EXT || type == VMX_EV_NMI || type == VMX_EV_OTHER ||
              (type == VMX_EV_HW && (vector == 1 || vector == 18))))
            return false;
    }
    /* shutdown: only an NMI or #MC; wait-for-SIPI: nothing */
    if (s == 2 && (info >> 31) && !(type == VMX_EV_NMI || (type == VMX_EV_HW && vector == 18)))
        return false;
    if (s == 3 && (info >> 31))
        return false;
    return true;
}
static bool g_interruptibility(struct x86_cpu *x, const struct ectx *c)
{
    uint64_t v = G(GUEST_INTERRUPTIBILITY), f = G(GUEST_RFLAGS);
    uint32_t info = (uint32_t)G(ENTRY_INTR_INFO);
    unsigned type = (info >> 8) & 7;
    if (v & ~0xfull)
        return false; /* bits 31:5; bit 4 (enclave interruption) needs SGX */
    if ((v & 3) == 3)
        return false; /* not both STI and MOV SS */
    if ((v & 1) && !(f & FL_IF))
        return false;
    if (v & 4)
        return false; /* SMI blocking only in SMM */
    if ((info >> 31) && type == 0 && (v & 3))
        return false;
    if ((info >> 31) && type == 2 && (v & 2))
        return false;
    if ((info >> 31) && type == 2 && (v & 8) && (G(PIN_CTLS) & PIN_VIRTUAL_NMIS))
        return false; /* injecting a virtual NMI under virtual-NMI blocking */
    return true;
}
static bool g_pending_dbg(struct x86_cpu *x, const struct ectx *c)
{
    uint64_t p = G(GUEST_PENDING_DBG);
    /* bits 3:0, 12, 14; bit 16 (RTM) only on a processor that supports
     * RTM (SDM vol. 3C §27.3.1.5 "Pending debug exceptions": with bit 16
     * set, CPUID.(EAX=07H,ECX=0):EBX.RTM[bit 11] must be 1), which hvsim
     * does not report: bit 16 is reserved here */
    if (p & ~0x500full)
        return false;
    /* BS = TF when blocked by STI / MOV SS or halted (DEBUGCTL.BTF is 0) */
    if ((G(GUEST_INTERRUPTIBILITY) & 3) || G(GUEST_ACTIVITY) == 1) {
        bool tf = G(GUEST_RFLAGS) & FL_TF, bs = p & (1u << 14);
        if (tf != bs)
            return false;
    }
    return true;
}
static bool g_link(struct x86_cpu *x, const struct ectx *c)
{
    /* without VMCS shadowing the link pointer must be all ones (§27.3.1.5
     * checks a different value against a shadow VMCS region) */
    return G(VMCS_LINK_PTR) == ~0ull;
}

/* §27.3.1.6: a guest that will use PAE paging (CR0.PG, CR4.PAE, not
 * IA-32e mode) has its PDPTEs checked as MOV to CR3 checks them: a present
 * one must have bits 2:1, 8:5 and 63:52 (beyond the physical-address
 * width) clear. With "enable EPT" the guest PDPTE fields are checked;
 * without it the four entries at the guest CR3 (physical), which the SDM
 * lets an entry check always. Failure: qualification 2 (§27.8). */
static bool g_pdptes(struct x86_cpu *x, const struct ectx *c)
{
    if (!(c->cr0 & CR0_PG) || !(c->cr4 & CR4_PAE) || c->ia32e)
        return true;
    bool ept = proc2(x, c) & PROC2_EPT;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t e = ept ? vmcs_get(x, (enum vmcs_field)(VMCS_GUEST_PDPTE0 + i))
                         : vmx_phys_read(x, (G(GUEST_CR3) & 0xffffffe0u) + 8 * i, 8);
        if ((e & 1) && (e & VMX_PDPTE_RSVD))
            return false;
    }
    return true;
}

struct gcheck {
    struct check c;
    unsigned qual; /* exit qualification when it fails */
};
static const struct gcheck guest_checks[] = {
    { { "27.3.1.1", "guest CR0: IA32_VMX_CR0_FIXED0/FIXED1 (PE, PG free with unrestricted guest), PG needs PE", g_cr0 }, 0 },
    { { "27.3.1.1", "guest CR4: IA32_VMX_CR4_FIXED0/FIXED1", g_cr4 }, 0 },
    { { "27.3.1.1", "guest DR7[63:32] and IA32_DEBUGCTL (load debug controls)", g_debug }, 0 },
    { { "27.3.1.1", "IA-32e mode guest: CR0.PG and CR4.PAE; otherwise CR4.PCIDE = 0", g_ia32e }, 0 },
    { { "27.3.1.1", "guest CR3 within the physical-address width", g_cr3 }, 0 },
    { { "27.3.1.1", "guest IA32_SYSENTER_ESP/EIP canonical", g_sysenter }, 0 },
    { { "27.3.1.1", "guest IA32_PAT memory types (load IA32_PAT)", g_pat }, 0 },
    { { "27.3.1.1", "guest IA32_EFER: reserved bits, LMA / LME vs IA-32e mode guest", g_efer }, 0 },
    { { "27.3.1.2", "selectors: TR.TI, LDTR.TI, SS.RPL = CS.RPL (not virtual-8086, not unrestricted guest)", g_sel }, 0 },
    { { "27.3.1.2", "segment bases: canonical / bits 63:32", g_bases }, 0 },
    { { "27.3.1.2", "virtual-8086 guest: bases selector * 16, limits FFFFH, access rights F3H", g_vm86 }, 0 },
    { { "27.3.1.2", "CS access rights and limit", g_cs }, 0 },
    { { "27.3.1.2", "SS access rights and limit", g_ss }, 0 },
    { { "27.3.1.2", "DS, ES, FS, GS access rights and limits", g_data }, 0 },
    { { "27.3.1.2", "TR access rights and limit", g_tr }, 0 },
    { { "27.3.1.2", "LDTR access rights and limit", g_ldtr }, 0 },
    { { "27.3.1.3", "GDTR / IDTR bases canonical, limits 15:0", g_dtr }, 0 },
    { { "27.3.1.4", "RIP: bits 63:32 outside 64-bit code, canonical in it", g_rip }, 0 },
    { { "27.3.1.4", "RFLAGS reserved bits, VM, IF for an injected external interrupt", g_rflags }, 0 },
    { { "27.3.1.5", "activity state supported, HLT with SS.DPL = 0, the events each may inject", g_activity }, 0 },
    { { "27.3.1.5", "interruptibility state", g_interruptibility }, 0 },
    { { "27.3.1.5", "pending debug exceptions", g_pending_dbg }, 0 },
    { { "27.3.1.5", "VMCS link pointer", g_link }, 4 },
    { { "27.3.1.6", "PAE paging guest: PDPTEs (the guest PDPTE fields with EPT, else at CR3)", g_pdptes }, 2 },
};

static void ctx(struct x86_cpu *x, struct ectx *c)
{
    c->pin = (uint32_t)G(PIN_CTLS);
    c->proc = (uint32_t)G(PROC_CTLS);
    c->exit = (uint32_t)G(EXIT_CTLS);
    c->entry = (uint32_t)G(ENTRY_CTLS);
    c->ia32e = c->entry & ENTRY_IA32E_GUEST;
    c->host64 = c->exit & EXIT_HOST_ADDR_SPACE;
    c->cr0 = G(GUEST_CR0);
    c->cr4 = G(GUEST_CR4);
    c->ug = proc2(x, c) & PROC2_UNRESTRICTED;
    c->vm86 = G(GUEST_RFLAGS) & FL_VM;
}

static bool run(struct x86_cpu *x, const struct check *t, unsigned n, const char **why)
{
    struct ectx c;
    ctx(x, &c);
    for (unsigned i = 0; i < n; i++)
        if (!t[i].ok(x, &c)) {
            *why = t[i].rule;
            return false;
        }
    return true;
}

bool vmx_check_controls(struct x86_cpu *x, const char **why)
{
    return run(x, control_checks, sizeof control_checks / sizeof control_checks[0], why);
}

bool vmx_check_host(struct x86_cpu *x, const char **why)
{
    return run(x, host_checks, sizeof host_checks / sizeof host_checks[0], why);
}

bool vmx_check_guest(struct x86_cpu *x, const char **why, unsigned *qual)
{
    struct ectx c;
    ctx(x, &c);
    for (unsigned i = 0; i < sizeof guest_checks / sizeof guest_checks[0]; i++)
        if (!guest_checks[i].c.ok(x, &c)) {
            *why = guest_checks[i].c.rule;
            *qual = guest_checks[i].qual;
            return false;
        }
    return true;
}
