/* The VMCS set-up shared by our test hypervisors (docs/vmx.md "Test",
 * docs/x86.md "Test kernels"): vmx.c, vmx_apic.c, vmx_exits2.c, vmx_tlb.c, vmx_smp.c,
 * vmx_ug.c and hv2.c. Each says only what differs from what is here:
 *   - the VMCS field encodings (Appendix B) and control bits (ch. 25);
 *   - the VMX instructions with their CF/ZF result, VMREAD/VMWRITE that
 *     count a failure as a failed check;
 *   - entering VMX operation with a current VMCS (vmxt_start for the
 *     one-CPU kernels, vmxt_load for a CPU of the SMP ones);
 *   - a CPU's own GDT and 64-bit TSS for its host state (vmxt_cpu_tables);
 *   - the controls through the TRUE capability MSRs, the host state, a
 *     flat 64-bit guest, and vmxt_setup which makes the guest a copy of
 *     the host (its GDT, IDT, CR0/CR3/CR4: the host's page tables);
 *   - an identity EPT (vmxt_ept_identity).
 * Header-only (static inline) and included by exactly one .c per kernel:
 * it also defines vm_enter / vm_exit_stub (vm_enter.h). Written from the
 * SDM vol. 3C (ch. 24-31, Appendix A VMX capability MSRs, Appendix B
 * encodings). */
#ifndef VMXT_H
#define VMXT_H
#include <stdint.h>
#include "x86t.h"

/* ---- VMCS field encodings (Appendix B) ----------------------------------------- */
enum {
    /* 16-bit (B.1) */
    V_VPID = 0x0000, PINV = 0x0002,
    G_ES_SEL = 0x800, G_CS_SEL = 0x802, G_SS_SEL = 0x804, G_DS_SEL = 0x806, G_FS_SEL = 0x808,
    G_GS_SEL = 0x80a, G_LDTR_SEL = 0x80c, G_TR_SEL = 0x80e, G_INTR_STATUS = 0x0810,
    H_ES_SEL = 0xc00, H_CS_SEL = 0xc02, H_SS_SEL = 0xc04, H_DS_SEL = 0xc06, H_FS_SEL = 0xc08,
    H_GS_SEL = 0xc0a, H_TR_SEL = 0xc0c,
    /* 64-bit (B.2) */
    IO_A = 0x2000, IO_B = 0x2002, MSR_BM = 0x2004, VAPIC_ADDR = 0x2012, APIC_ACCESS = 0x2014,
    PI_DESC = 0x2016, V_EPTP = 0x201a, EOI_EXIT0 = 0x201c, GUEST_PA = 0x2400, LINK_PTR = 0x2800,
    G_EFER = 0x2806, H_EFER = 0x2c02,
    /* 32-bit (B.3) */
    PIN = 0x4000, PROC = 0x4002, EXC_BITMAP = 0x4004, PF_MASK = 0x4006, PF_MATCH = 0x4008,
    EXIT_CTLS = 0x400c, ENTRY_CTLS = 0x4012, ENTRY_INTR = 0x4016, ENTRY_ERR = 0x4018,
    ENTRY_LEN = 0x401a, TPR_THRESHOLD = 0x401c, PROC2 = 0x401e, PLE_GAP = 0x4020,
    PLE_WINDOW = 0x4022,
    INSN_ERROR = 0x4400, EXIT_REASON = 0x4402, EXIT_INTR_INFO = 0x4404, EXIT_INTR_ERR = 0x4406,
    IDT_VEC = 0x4408, IDT_VEC_ERR = 0x440a, EXIT_INSN_LEN = 0x440c, /* EXIT_INSN_INFO 0x440e: the kernels' own */
    G_ES_LIMIT = 0x4800, G_GDTR_LIMIT = 0x4810, G_IDTR_LIMIT = 0x4812, G_ES_AR = 0x4814,
    G_INTR = 0x4824, G_ACTIVITY = 0x4826, PREEMPT = 0x482e,
    /* natural width (B.4) */
    CR0_MASK = 0x6000, CR4_MASK = 0x6002, CR0_SHADOW = 0x6004, CR4_SHADOW = 0x6006,
    EXIT_QUAL = 0x6400, GUEST_LA = 0x640a,
    G_CR0 = 0x6800, G_CR3 = 0x6802, G_CR4 = 0x6804, G_ES_BASE = 0x6806, G_GDTR_BASE = 0x6816,
    G_IDTR_BASE = 0x6818, G_DR7 = 0x681a, G_RSP = 0x681c, G_RIP = 0x681e, G_RFLAGS = 0x6820,
    H_CR0 = 0x6c00, H_CR3 = 0x6c02, H_CR4 = 0x6c04, H_FS_BASE = 0x6c06, H_GS_BASE = 0x6c08,
    H_TR_BASE = 0x6c0a, H_GDTR_BASE = 0x6c0c, H_IDTR_BASE = 0x6c0e, H_RSP = 0x6c14,
    H_RIP = 0x6c16,
};
/* guest segment k's fields are G_ES_* + 2k (Appendix B: ES CS SS DS FS GS
 * LDTR TR; a kernel may name them itself, e.g. K_ES .. K_TR) */
enum { VMXT_ES, VMXT_CS, VMXT_SS, VMXT_DS, VMXT_FS, VMXT_GS, VMXT_LDTR, VMXT_TR };

/* ---- controls (§25.6, §25.7, §25.8) ----------------------------------------------- */
enum {
    PIN_EXT = 1u << 0, PIN_PREEMPT = 1u << 6, PIN_POSTED = 1u << 7,
    PROC_WINDOW = 1u << 2, PROC_HLT = 1u << 7, PROC_RDTSC = 1u << 12,
    PROC_TPR_SHADOW = 1u << 21, PROC_IO_BM = 1u << 25, PROC_MSR_BM = 1u << 28, PROC_SEC = 1u << 31,
    P2_APIC_ACCESS = 1u << 0, P2_EPT = 1u << 1, P2_X2APIC = 1u << 4, P2_VPID = 1u << 5,
    P2_UG = 1u << 7, P2_REGVIRT = 1u << 8, P2_VID = 1u << 9,
    EXIT_HOST64 = 1u << 9, EXIT_ACK = 1u << 15, EXIT_SAVE_EFER = 1u << 20,
    EXIT_LOAD_EFER = 1u << 21, ENTRY_IA32E = 1u << 9, ENTRY_LOAD_EFER = 1u << 15,
};
/* EPT entries (§29.3.2): read/write/execute, memory type WB in bits 5:3, a large page */
#define EPT_RWX 7ull
#define EPT_WB (6ull << 3)
#define EPT_BIG (1ull << 7)

/* ---- the VMX instructions (ch. 31): CF = VMfailInvalid, ZF = VMfailValid ---------- */
#define VMX_CF 0x01ull
#define VMX_ZF 0x40ull
#define VMXT_FL(insn, ...)                                                                  \
    ({                                                                                      \
        uint64_t fl_;                                                                       \
        __asm__ volatile(insn "\n\tpushfq\n\tpopq %0" : "=r"(fl_) : __VA_ARGS__ : "cc", "memory"); \
        fl_ & (VMX_CF | VMX_ZF);                                                            \
    })

static inline uint64_t vmxon(uint64_t pa) { return VMXT_FL("vmxon %1", "m"(pa)); }
static inline uint64_t vmclear(uint64_t pa) { return VMXT_FL("vmclear %1", "m"(pa)); }
static inline uint64_t vmptrld(uint64_t pa) { return VMXT_FL("vmptrld %1", "m"(pa)); }
static inline uint64_t vmxoff(void) { return VMXT_FL("vmxoff", "i"(0)); }
static inline uint64_t invept(uint64_t type, uint64_t eptp)
{
    uint64_t d[2] = { eptp, 0 };
    return VMXT_FL("invept %1, %2", "m"(d), "r"(type));
}
static inline uint64_t invvpid(uint64_t type, uint64_t vpid, uint64_t la)
{
    uint64_t d[2] = { vpid, la };
    return VMXT_FL("invvpid %1, %2", "m"(d), "r"(type));
}
static inline uint64_t vmptrst(void)
{
    uint64_t v;
    __asm__ volatile("vmptrst %0" : "=m"(v)::"memory");
    return v;
}
/* VMWRITE / VMREAD with their CF/ZF */
static inline uint64_t vmwrite_f(uint64_t field, uint64_t v)
{
    uint64_t fl;
    __asm__ volatile("vmwrite %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl) : "r"(field), "r"(v) : "cc");
    return fl & (VMX_CF | VMX_ZF);
}
static inline uint64_t vmread_f(uint64_t field, uint64_t *v)
{
    uint64_t fl, r;
    __asm__ volatile("vmread %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl), "=r"(r) : "r"(field) : "cc");
    *v = r;
    return fl & (VMX_CF | VMX_ZF);
}
/* ... and the ones that must succeed (a failure is a failed check) */
static inline uint64_t vmr(uint64_t field)
{
    uint64_t v = 0;
    if (vmread_f(field, &v))
        CHECKX(0, "vmread", field);
    return v;
}
static inline void vmw(uint64_t field, uint64_t v)
{
    if (vmwrite_f(field, v))
        CHECKX(0, "vmwrite", field);
}
static inline void invlpg(uint64_t la) { __asm__ volatile("invlpg (%0)" ::"r"(la) : "memory"); }

/* The capability MSR's allowed settings applied to the wanted controls
 * (Appendix A.3: allowed-0 in bits 31:0, allowed-1 in 63:32). */
static inline uint32_t vmx_adjust(uint32_t msr, uint32_t want)
{
    uint64_t cap = rdmsr(msr);
    return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

/* ---- entering VMX operation ---------------------------------------------------- */

/* Enables VMX (IA32_FEATURE_CONTROL if still unlocked, CR0.NE, which
 * IA32_VMX_CR0_FIXED0 requires, CR4.VMXE) and enters VMX operation with
 * region (4 KiB); 0 on success. */
static inline uint64_t vmx_on(uint8_t *region)
{
    write_cr0(read_cr0() | 1u << 5);
    if (!(rdmsr(0x3a) & 1))
        wrmsr(0x3a, 1u << 2 | 1u);
    write_cr4(read_cr4() | 1u << 13);
    *(uint32_t *)region = (uint32_t)rdmsr(0x480) & 0x7fffffffu;
    return vmxon((uint64_t)region);
}

/* VMXON with region, then vmcs (its revision identifier the VMXON
 * region's) cleared and made current: 0, or 1 when VMXON failed, 2 when
 * VMCLEAR or VMPTRLD did. For the CPUs of the SMP kernels. */
static inline int vmxt_load(uint8_t *region, uint8_t *vmcs)
{
    if (vmx_on(region))
        return 1;
    *(uint32_t *)vmcs = *(uint32_t *)region;
    if (vmclear((uint64_t)vmcs) || vmptrld((uint64_t)vmcs))
        return 2;
    return 0;
}

/* The start of a one-CPU test hypervisor: without CPUID.1:ECX.VMX it
 * prints "x86 NAME: no VMX" and exits 1; else VMXON with region and vmcs
 * current, each step a check. */
static inline void vmxt_start(const char *name, uint8_t *region, uint8_t *vmcs)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 5))) {
        x86t_puts("x86 ");
        x86t_puts(name);
        x86t_puts(": no VMX\n");
        x86t_exit(1);
    }
    CHECK(vmx_on(region) == 0, "vmxon");
    *(uint32_t *)vmcs = *(uint32_t *)region;
    CHECK(vmclear((uint64_t)vmcs) == 0, "vmclear");
    CHECK(vmptrld((uint64_t)vmcs) == 0, "vmptrld");
}
/* ... and its end: vmcs cleared, VMXOFF (checks), the verdict line */
static inline int vmxt_finish(const char *name, uint8_t *vmcs)
{
    CHECK(vmclear((uint64_t)vmcs) == 0, "vmclear at the end");
    CHECK(vmxoff() == 0, "vmxoff");
    return x86t_report(name);
}

#include "vm_enter.h"

/* ---- host state ---------------------------------------------------------------- */

static inline uint64_t vmxt_table_base(uint16_t *limit, int idt)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) d;
    if (idt)
        __asm__ volatile("sidt %0" : "=m"(d));
    else
        __asm__ volatile("sgdt %0" : "=m"(d));
    *limit = d.limit;
    return d.base;
}

/* Loads a CPU's own GDT gdt (6 entries: 08H 64-bit code, 10H data, 20H
 * the 64-bit TSS tss, busy after LTR) with the IDT idt_base/idt_limit:
 * the host state of an AP's VMCS (TR 20H, tss). */
static inline void vmxt_cpu_tables(uint64_t gdt[6], uint8_t *tss, uint64_t idt_base, uint16_t idt_limit)
{
    uint64_t b = (uint64_t)tss;
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull;
    gdt[2] = 0x00cf92000000ffffull;
    gdt[3] = 0;
    gdt[4] = 0x67 | (b & 0xffffff) << 16 | 0x89ull << 40 | (b >> 24 & 0xff) << 56;
    gdt[5] = b >> 32;
    struct __attribute__((packed)) { uint16_t lim; uint64_t base; } g = { 6 * 8 - 1, (uint64_t)gdt },
        i = { idt_limit, idt_base };
    __asm__ volatile("lgdt %0\n\tlidt %1\n\t"
                     "mov $0x10, %%eax\n\tmov %%eax, %%ds\n\tmov %%eax, %%es\n\tmov %%eax, %%ss\n\t"
                     "pushq $0x08\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
                     "mov $0x20, %%eax\n\tltr %%ax"
                     ::"m"(g), "m"(i) : "rax", "memory");
}

/* Guest segment k (VMXT_ES .. VMXT_TR): selector, base, limit, access rights. */
static inline void vmxt_seg(unsigned k, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    vmw(G_ES_SEL + 2 * k, sel);
    vmw(G_ES_BASE + 2 * k, base);
    vmw(G_ES_LIMIT + 2 * k, limit);
    vmw(G_ES_AR + 2 * k, ar);
}

/* The controls: pin-based pin, primary proc (with "activate secondary
 * controls" when proc2 is nonzero), secondary proc2, exit and entry
 * controls, each through its capability MSR (Appendix A.3-A.5: the TRUE
 * MSRs' allowed-0 settings are set). */
static inline void vmxt_controls(uint32_t pin, uint32_t proc, uint32_t proc2, uint32_t exitc,
                                 uint32_t entry)
{
    vmw(PIN, vmx_adjust(0x48d, pin));
    vmw(PROC, vmx_adjust(0x48e, proc | (proc2 ? PROC_SEC : 0)));
    vmw(PROC2, vmx_adjust(0x48b, proc2));
    vmw(EXIT_CTLS, vmx_adjust(0x48f, exitc));
    vmw(ENTRY_CTLS, vmx_adjust(0x490, entry));
}

/* The host state (§27.2.2, 27.2.3; restored at every exit, §28.5): this
 * CPU's CR0/CR3/CR4, GDT and IDT, code 08H, data 10H, no FS/GS, the TSS
 * tr_sel at tr_base. Host RSP and RIP are vm_enter's. */
static inline void vmxt_host(uint16_t tr_sel, uint64_t tr_base)
{
    uint16_t gl, il;
    uint64_t gdt = vmxt_table_base(&gl, 0), idt = vmxt_table_base(&il, 1);
    vmw(H_CR0, read_cr0());
    vmw(H_CR3, read_cr3());
    vmw(H_CR4, read_cr4());
    vmw(H_CS_SEL, 0x08);
    vmw(H_SS_SEL, 0x10);
    vmw(H_DS_SEL, 0x10);
    vmw(H_ES_SEL, 0x10);
    vmw(H_FS_SEL, 0);
    vmw(H_GS_SEL, 0);
    vmw(H_TR_SEL, tr_sel);
    vmw(H_FS_BASE, 0);
    vmw(H_GS_BASE, 0);
    vmw(H_TR_BASE, tr_base);
    vmw(H_GDTR_BASE, gdt);
    vmw(H_IDTR_BASE, idt);
}

/* A flat 64-bit guest (§27.3.1.2): code 08H (long mode), data 10H in ES SS
 * DS, no FS GS LDTR, the 64-bit TSS tr_sel at tr_base (limit tr_limit),
 * the GDT and IDT given (guest-linear). */
static inline void vmxt_guest_flat64(uint16_t tr_sel, uint64_t tr_base, uint32_t tr_limit,
                                     uint64_t gdt, uint16_t gdt_limit, uint64_t idt,
                                     uint16_t idt_limit)
{
    vmxt_seg(VMXT_ES, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(VMXT_CS, 0x08, 0, 0xffffffff, 0xa09b);
    vmxt_seg(VMXT_SS, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(VMXT_DS, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(VMXT_FS, 0, 0, 0, 0x10000);
    vmxt_seg(VMXT_GS, 0, 0, 0, 0x10000);
    vmxt_seg(VMXT_LDTR, 0, 0, 0, 0x10000);
    vmxt_seg(VMXT_TR, tr_sel, tr_base, tr_limit, 0x8b);
    vmw(G_GDTR_BASE, gdt);
    vmw(G_GDTR_LIMIT, gdt_limit);
    vmw(G_IDTR_BASE, idt);
    vmw(G_IDTR_LIMIT, idt_limit);
}

/* The current VMCS for a 64-bit guest at rip on stack rsp that is a copy
 * of the host: its GDT (code 08H, data 10H, TSS tr_sel at tr_base, limit
 * 67H), IDT, CR0/CR3/CR4 (the guest's CR3 is the host's page tables);
 * controls pin, proc, proc2 (vmxt_controls), exit "host address-space
 * size", entry "IA-32e mode guest"; no exception exits, no VMCS link,
 * DR7 400H, RFLAGS 2, active, no blocking. The host state: vmxt_host. */
static inline void vmxt_setup(uint64_t rip, uint64_t rsp, uint32_t proc, uint32_t proc2,
                              uint32_t pin, uint16_t tr_sel, uint64_t tr_base)
{
    uint16_t gl, il;
    uint64_t gdt = vmxt_table_base(&gl, 0), idt = vmxt_table_base(&il, 1);
    vmxt_controls(pin, proc, proc2, EXIT_HOST64, ENTRY_IA32E);
    vmw(EXC_BITMAP, 0);
    vmw(LINK_PTR, ~0ull);
    vmxt_host(tr_sel, tr_base);
    vmw(G_CR0, read_cr0());
    vmw(G_CR3, read_cr3());
    vmw(G_CR4, read_cr4());
    vmw(G_DR7, 0x400);
    vmxt_guest_flat64(tr_sel, tr_base, 0x67, gdt, gl, idt, il);
    vmw(G_RSP, rsp);
    vmw(G_RIP, rip);
    vmw(G_RFLAGS, 2);
    vmw(G_INTR, 0);
    vmw(G_ACTIVITY, 0);
}

/* ---- EPT (§29.3.2, Tables 29-1..29-6) --------------------------------------------- */

/* An identity EPT, write-back, read/write/execute, for guest-physical 0 up
 * to gib GiB (1..512): pml4[0] -> pdpt; pdpt[0] -> pd, pdpt[1..gib-1]
 * 1-GByte pages; in the first GiB 2-MByte pages, except the 2-MByte
 * region at pt_base (2-MByte aligned, below 1 GiB), which pd maps through
 * pt in 4-KByte pages. Every other entry not present. Returns the EPTP
 * (WB, page-walk length 4). */
static inline uint64_t vmxt_ept_identity(uint64_t *pml4, uint64_t *pdpt, uint64_t *pd, uint64_t *pt,
                                         unsigned gib, uint64_t pt_base)
{
    for (uint64_t i = 0; i < 512; i++) {
        pml4[i] = 0;
        pdpt[i] = i < gib ? i << 30 | EPT_BIG | EPT_WB | EPT_RWX : 0;
        pd[i] = i << 21 | EPT_BIG | EPT_WB | EPT_RWX;
        pt[i] = (pt_base + (i << 12)) | EPT_WB | EPT_RWX;
    }
    pml4[0] = (uint64_t)pdpt | EPT_RWX;
    pdpt[0] = (uint64_t)pd | EPT_RWX;
    pd[pt_base >> 21] = (uint64_t)pt | EPT_RWX;
    return (uint64_t)pml4 | 3u << 3 | 6;
}
#endif
