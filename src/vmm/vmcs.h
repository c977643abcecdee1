/* The VMCS fields hvsim implements (Intel SDM vol. 3C Appendix B "Field
 * Encoding in VMCS"), as one table: VMCS_FIELDS(X) lists every supported
 * field as X(NAME, encoding, "name"). The width, the type (control,
 * read-only VM-exit information, guest state, host state) and the index
 * are the encoding's own bits (Appendix B.0, Table B-... "Structure of VMCS
 * Component Encoding"): bit 0 access type (1 = the high 32 bits of a 64-bit
 * field), bits 9:1 index, bits 11:10 type, bits 14:13 width. Only the
 * fields of the features that are implemented (docs/vmx.md) are here: a
 * VMREAD/VMWRITE of any other encoding fails with VM-instruction error 12.
 * No x86 CPU-model header: tools and unit tests use the table too. */
#ifndef HVSIM_VMCS_H
#define HVSIM_VMCS_H
#include <stdbool.h>
#include <stdint.h>

#define VMCS_FIELDS(X) \
    /* 16-bit control field (B.1.1) */ \
    X(VPID, 0x0000, "virtual-processor identifier (VPID)") \
    X(POSTED_INTR_NV, 0x0002, "posted-interrupt notification vector") \
    /* 16-bit guest-state fields (B.1.2) */ \
    X(GUEST_ES_SEL, 0x0800, "guest ES selector") \
    X(GUEST_CS_SEL, 0x0802, "guest CS selector") \
    X(GUEST_SS_SEL, 0x0804, "guest SS selector") \
    X(GUEST_DS_SEL, 0x0806, "guest DS selector") \
    X(GUEST_FS_SEL, 0x0808, "guest FS selector") \
    X(GUEST_GS_SEL, 0x080a, "guest GS selector") \
    X(GUEST_LDTR_SEL, 0x080c, "guest LDTR selector") \
    X(GUEST_TR_SEL, 0x080e, "guest TR selector") \
    X(GUEST_INTR_STATUS, 0x0810, "guest interrupt status") \
    /* 16-bit host-state fields (B.1.3) */ \
    X(HOST_ES_SEL, 0x0c00, "host ES selector") \
    X(HOST_CS_SEL, 0x0c02, "host CS selector") \
    X(HOST_SS_SEL, 0x0c04, "host SS selector") \
    X(HOST_DS_SEL, 0x0c06, "host DS selector") \
    X(HOST_FS_SEL, 0x0c08, "host FS selector") \
    X(HOST_GS_SEL, 0x0c0a, "host GS selector") \
    X(HOST_TR_SEL, 0x0c0c, "host TR selector") \
    /* 64-bit control fields (B.2.1) */ \
    X(IO_BITMAP_A, 0x2000, "I/O bitmap A address") \
    X(IO_BITMAP_B, 0x2002, "I/O bitmap B address") \
    X(MSR_BITMAP, 0x2004, "MSR bitmaps address") \
    X(EXIT_MSR_STORE_ADDR, 0x2006, "VM-exit MSR-store address") \
    X(EXIT_MSR_LOAD_ADDR, 0x2008, "VM-exit MSR-load address") \
    X(ENTRY_MSR_LOAD_ADDR, 0x200a, "VM-entry MSR-load address") \
    X(EXECUTIVE_VMCS_PTR, 0x200c, "executive-VMCS pointer") \
    X(TSC_OFFSET, 0x2010, "TSC offset") \
    X(VIRT_APIC_ADDR, 0x2012, "virtual-APIC address") \
    X(APIC_ACCESS_ADDR, 0x2014, "APIC-access address") \
    X(POSTED_INTR_DESC, 0x2016, "posted-interrupt descriptor address") \
    X(EPTP, 0x201a, "EPT pointer") \
    X(EOI_EXIT0, 0x201c, "EOI-exit bitmap 0") \
    X(EOI_EXIT1, 0x201e, "EOI-exit bitmap 1") \
    X(EOI_EXIT2, 0x2020, "EOI-exit bitmap 2") \
    X(EOI_EXIT3, 0x2022, "EOI-exit bitmap 3") \
    /* 64-bit read-only data field (B.2.2) */ \
    X(GUEST_PHYS_ADDR, 0x2400, "guest-physical address") \
    /* 64-bit guest-state fields (B.2.3) */ \
    X(VMCS_LINK_PTR, 0x2800, "VMCS link pointer") \
    X(GUEST_DEBUGCTL, 0x2802, "guest IA32_DEBUGCTL") \
    X(GUEST_PAT, 0x2804, "guest IA32_PAT") \
    X(GUEST_EFER, 0x2806, "guest IA32_EFER") \
    X(GUEST_PDPTE0, 0x280a, "guest PDPTE0") \
    X(GUEST_PDPTE1, 0x280c, "guest PDPTE1") \
    X(GUEST_PDPTE2, 0x280e, "guest PDPTE2") \
    X(GUEST_PDPTE3, 0x2810, "guest PDPTE3") \
    /* 64-bit host-state fields (B.2.4) */ \
    X(HOST_PAT, 0x2c00, "host IA32_PAT") \
    X(HOST_EFER, 0x2c02, "host IA32_EFER") \
    /* 32-bit control fields (B.3.1) */ \
    X(PIN_CTLS, 0x4000, "pin-based VM-execution controls") \
    X(PROC_CTLS, 0x4002, "primary processor-based VM-execution controls") \
    X(EXCEPTION_BITMAP, 0x4004, "exception bitmap") \
    X(PF_ERRCODE_MASK, 0x4006, "page-fault error-code mask") \
    X(PF_ERRCODE_MATCH, 0x4008, "page-fault error-code match") \
    X(CR3_TARGET_COUNT, 0x400a, "CR3-target count") \
    X(EXIT_CTLS, 0x400c, "VM-exit controls") \
    X(EXIT_MSR_STORE_COUNT, 0x400e, "VM-exit MSR-store count") \
    X(EXIT_MSR_LOAD_COUNT, 0x4010, "VM-exit MSR-load count") \
    X(ENTRY_CTLS, 0x4012, "VM-entry controls") \
    X(ENTRY_MSR_LOAD_COUNT, 0x4014, "VM-entry MSR-load count") \
    X(ENTRY_INTR_INFO, 0x4016, "VM-entry interruption-information field") \
    X(ENTRY_EXC_ERRCODE, 0x4018, "VM-entry exception error code") \
    X(ENTRY_INSN_LEN, 0x401a, "VM-entry instruction length") \
    X(TPR_THRESHOLD, 0x401c, "TPR threshold") \
    X(PROC_CTLS2, 0x401e, "secondary processor-based VM-execution controls") \
    X(PLE_GAP, 0x4020, "PLE_Gap") \
    X(PLE_WINDOW, 0x4022, "PLE_Window") \
    /* 32-bit read-only data fields (B.3.2) */ \
    X(VM_INSN_ERROR, 0x4400, "VM-instruction error") \
    X(EXIT_REASON, 0x4402, "exit reason") \
    X(EXIT_INTR_INFO, 0x4404, "VM-exit interruption information") \
    X(EXIT_INTR_ERRCODE, 0x4406, "VM-exit interruption error code") \
    X(IDT_VECTORING_INFO, 0x4408, "IDT-vectoring information field") \
    X(IDT_VECTORING_ERRCODE, 0x440a, "IDT-vectoring error code") \
    X(EXIT_INSN_LEN, 0x440c, "VM-exit instruction length") \
    X(EXIT_INSN_INFO, 0x440e, "VM-exit instruction information") \
    /* 32-bit guest-state fields (B.3.3) */ \
    X(GUEST_ES_LIMIT, 0x4800, "guest ES limit") \
    X(GUEST_CS_LIMIT, 0x4802, "guest CS limit") \
    X(GUEST_SS_LIMIT, 0x4804, "guest SS limit") \
    X(GUEST_DS_LIMIT, 0x4806, "guest DS limit") \
    X(GUEST_FS_LIMIT, 0x4808, "guest FS limit") \
    X(GUEST_GS_LIMIT, 0x480a, "guest GS limit") \
    X(GUEST_LDTR_LIMIT, 0x480c, "guest LDTR limit") \
    X(GUEST_TR_LIMIT, 0x480e, "guest TR limit") \
    X(GUEST_GDTR_LIMIT, 0x4810, "guest GDTR limit") \
    X(GUEST_IDTR_LIMIT, 0x4812, "guest IDTR limit") \
    X(GUEST_ES_AR, 0x4814, "guest ES access rights") \
    X(GUEST_CS_AR, 0x4816, "guest CS access rights") \
    X(GUEST_SS_AR, 0x4818, "guest SS access rights") \
    X(GUEST_DS_AR, 0x481a, "guest DS access rights") \
    X(GUEST_FS_AR, 0x481c, "guest FS access rights") \
    X(GUEST_GS_AR, 0x481e, "guest GS access rights") \
    X(GUEST_LDTR_AR, 0x4820, "guest LDTR access rights") \
    X(GUEST_TR_AR, 0x4822, "guest TR access rights") \
    X(GUEST_INTERRUPTIBILITY, 0x4824, "guest interruptibility state") \
    X(GUEST_ACTIVITY, 0x4826, "guest activity state") \
    X(GUEST_SMBASE, 0x4828, "guest SMBASE") \
    X(GUEST_SYSENTER_CS, 0x482a, "guest IA32_SYSENTER_CS") \
    X(PREEMPTION_TIMER, 0x482e, "VMX-preemption timer value") \
    /* 32-bit host-state field (B.3.4) */ \
    X(HOST_SYSENTER_CS, 0x4c00, "host IA32_SYSENTER_CS") \
    /* natural-width control fields (B.4.1) */ \
    X(CR0_MASK, 0x6000, "CR0 guest/host mask") \
    X(CR4_MASK, 0x6002, "CR4 guest/host mask") \
    X(CR0_SHADOW, 0x6004, "CR0 read shadow") \
    X(CR4_SHADOW, 0x6006, "CR4 read shadow") \
    X(CR3_TARGET0, 0x6008, "CR3-target value 0") \
    X(CR3_TARGET1, 0x600a, "CR3-target value 1") \
    X(CR3_TARGET2, 0x600c, "CR3-target value 2") \
    X(CR3_TARGET3, 0x600e, "CR3-target value 3") \
    /* natural-width read-only data fields (B.4.2) */ \
    X(EXIT_QUALIFICATION, 0x6400, "exit qualification") \
    X(IO_RCX, 0x6402, "I/O RCX") \
    X(IO_RSI, 0x6404, "I/O RSI") \
    X(IO_RDI, 0x6406, "I/O RDI") \
    X(IO_RIP, 0x6408, "I/O RIP") \
    X(GUEST_LINEAR_ADDR, 0x640a, "guest-linear address") \
    /* natural-width guest-state fields (B.4.3) */ \
    X(GUEST_CR0, 0x6800, "guest CR0") \
    X(GUEST_CR3, 0x6802, "guest CR3") \
    X(GUEST_CR4, 0x6804, "guest CR4") \
    X(GUEST_ES_BASE, 0x6806, "guest ES base") \
    X(GUEST_CS_BASE, 0x6808, "guest CS base") \
    X(GUEST_SS_BASE, 0x680a, "guest SS base") \
    X(GUEST_DS_BASE, 0x680c, "guest DS base") \
    X(GUEST_FS_BASE, 0x680e, "guest FS base") \
    X(GUEST_GS_BASE, 0x6810, "guest GS base") \
    X(GUEST_LDTR_BASE, 0x6812, "guest LDTR base") \
    X(GUEST_TR_BASE, 0x6814, "guest TR base") \
    X(GUEST_GDTR_BASE, 0x6816, "guest GDTR base") \
    X(GUEST_IDTR_BASE, 0x6818, "guest IDTR base") \
    X(GUEST_DR7, 0x681a, "guest DR7") \
    X(GUEST_RSP, 0x681c, "guest RSP") \
    X(GUEST_RIP, 0x681e, "guest RIP") \
    X(GUEST_RFLAGS, 0x6820, "guest RFLAGS") \
    X(GUEST_PENDING_DBG, 0x6822, "guest pending debug exceptions") \
    X(GUEST_SYSENTER_ESP, 0x6824, "guest IA32_SYSENTER_ESP") \
    X(GUEST_SYSENTER_EIP, 0x6826, "guest IA32_SYSENTER_EIP") \
    /* natural-width host-state fields (B.4.4) */ \
    X(HOST_CR0, 0x6c00, "host CR0") \
    X(HOST_CR3, 0x6c02, "host CR3") \
    X(HOST_CR4, 0x6c04, "host CR4") \
    X(HOST_FS_BASE, 0x6c06, "host FS base") \
    X(HOST_GS_BASE, 0x6c08, "host GS base") \
    X(HOST_TR_BASE, 0x6c0a, "host TR base") \
    X(HOST_GDTR_BASE, 0x6c0c, "host GDTR base") \
    X(HOST_IDTR_BASE, 0x6c0e, "host IDTR base") \
    X(HOST_SYSENTER_ESP, 0x6c10, "host IA32_SYSENTER_ESP") \
    X(HOST_SYSENTER_EIP, 0x6c12, "host IA32_SYSENTER_EIP") \
    X(HOST_RSP, 0x6c14, "host RSP") \
    X(HOST_RIP, 0x6c16, "host RIP")

/* VMCS_<NAME>: the field's index in the table and in struct vmx_state.vmcs. */
enum vmcs_field {
#define VMCS_FIELD_ENUM(n, enc, s) VMCS_##n,
    VMCS_FIELDS(VMCS_FIELD_ENUM)
#undef VMCS_FIELD_ENUM
    VMCS_NFIELDS
};

/* Component widths and types by encoding (Appendix B.0). */
enum vmcs_width { VMCS_W16 = 0, VMCS_W64 = 1, VMCS_W32 = 2, VMCS_WNAT = 3 };
enum vmcs_type { VMCS_T_CONTROL = 0, VMCS_T_EXIT_INFO = 1, VMCS_T_GUEST = 2, VMCS_T_HOST = 3 };
static inline unsigned vmcs_enc_width(uint32_t enc) { return (enc >> 13) & 3; }
static inline unsigned vmcs_enc_type(uint32_t enc) { return (enc >> 10) & 3; }
static inline unsigned vmcs_enc_index(uint32_t enc) { return (enc >> 1) & 0x1ff; }

struct vmcs_field_info {
    uint16_t enc;
    const char *name;
};
extern const struct vmcs_field_info vmcs_field_table[VMCS_NFIELDS];

/* The table index of a VMREAD/VMWRITE operand (the full 64-bit register
 * value); *high: the encoding is the high half of a 64-bit field (access
 * type 1). -1: unsupported (error 12), including bits 63:32 set, reserved
 * bits 12 and 15 set, or access type 1 of a field that is not 64-bit. */
int vmcs_lookup(uint64_t enc, bool *high);
/* Read-only (VM-exit information) component: VMWRITE fails with error 13
 * (IA32_VMX_MISC bit 29 is 0). */
static inline bool vmcs_read_only(int idx) { return vmcs_enc_type(vmcs_field_table[idx].enc) == VMCS_T_EXIT_INFO; }
/* The value a field can hold: 16, 32 or 64 bits (natural width: 64 on a
 * CPU with long mode). */
uint64_t vmcs_width_mask(int idx);
/* The highest index (bits 9:1) of any supported encoding: IA32_VMX_VMCS_ENUM
 * bits 9:1 (Appendix A.9). */
unsigned vmcs_max_index(void);

/* The VMCS region in memory (implementation-specific format, SDM vol. 3C
 * §25.2): revision identifier at 0, VMX-abort indicator at 4, hvsim's
 * launch state at 8 (1 = launched), field i at VMCS_REGION_FIELDS + 8 *
 * vmcs_region_slot(i). */
enum { VMCS_REGION_LAUNCH = 8, VMCS_REGION_FIELDS = 16 };
/* A field's slot in the region: its table index, except that the fields
 * added after the format was set (the guest PDPTEs) come after all the
 * others, so that the others keep their offsets: the bytes VMCLEAR writes
 * for a VMCS (and so a run's memory and its check records) stay those of
 * before. */
static inline int vmcs_region_slot(int i)
{
    enum { ADDED = VMCS_GUEST_PDPTE3 - VMCS_GUEST_PDPTE0 + 1 };
    if (i < VMCS_GUEST_PDPTE0)
        return i;
    if (i > VMCS_GUEST_PDPTE3)
        return i - ADDED;
    return VMCS_NFIELDS - ADDED + (i - VMCS_GUEST_PDPTE0);
}

#endif
