/* VMX helpers of the small test hypervisors vmx_tlb.c and vmx_smp.c
 * (docs/vmx.md): the VMX instructions with their CF/ZF result, a VMCS for
 * a 64-bit guest that shares the host's GDT, IDT and page tables, and
 * vm_enter (VMLAUNCH/VMRESUME with the guest's general registers, back at
 * the host RIP after the exit). Included by exactly one .c per kernel (it
 * defines vm_enter / vm_exit_stub). Written from the SDM vol. 3C (ch. 25
 * VMCS, Appendix B encodings). */
#ifndef VMXT_H
#define VMXT_H
#include <stdint.h>
#include "x86t.h"

enum {
    V_VPID = 0x0000,
    G_ES_SEL = 0x800, H_ES_SEL = 0xc00, H_CS_SEL = 0xc02, H_SS_SEL = 0xc04, H_DS_SEL = 0xc06,
    H_FS_SEL = 0xc08, H_GS_SEL = 0xc0a, H_TR_SEL = 0xc0c,
    V_EPTP = 0x201a, LINK_PTR = 0x2800,
    PIN = 0x4000, PROC = 0x4002, EXC_BITMAP = 0x4004, EXIT_CTLS = 0x400c, ENTRY_CTLS = 0x4012,
    PROC2 = 0x401e, INSN_ERROR = 0x4400, EXIT_REASON = 0x4402, EXIT_INTR_INFO = 0x4404,
    EXIT_INSN_LEN = 0x440c, G_ES_LIMIT = 0x4800, G_GDTR_LIMIT = 0x4810, G_IDTR_LIMIT = 0x4812,
    G_ES_AR = 0x4814, G_INTR = 0x4824, G_ACTIVITY = 0x4826,
    EXIT_QUAL = 0x6400, G_CR0 = 0x6800, G_CR3 = 0x6802, G_CR4 = 0x6804, G_ES_BASE = 0x6806,
    G_GDTR_BASE = 0x6816, G_IDTR_BASE = 0x6818, G_DR7 = 0x681a, G_RSP = 0x681c, G_RIP = 0x681e,
    G_RFLAGS = 0x6820, H_CR0 = 0x6c00, H_CR3 = 0x6c02, H_CR4 = 0x6c04, H_FS_BASE = 0x6c06,
    H_GS_BASE = 0x6c08, H_TR_BASE = 0x6c0a, H_GDTR_BASE = 0x6c0c, H_IDTR_BASE = 0x6c0e,
};
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
static inline uint64_t vmr(uint64_t field)
{
    uint64_t v = 0, fl;
    __asm__ volatile("vmread %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl), "=r"(v) : "r"(field) : "cc");
    if (fl & (VMX_CF | VMX_ZF))
        CHECKX(0, "vmread", field);
    return v;
}
static inline void vmw(uint64_t field, uint64_t v)
{
    uint64_t fl;
    __asm__ volatile("vmwrite %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl) : "r"(field), "r"(v) : "cc");
    if (fl & (VMX_CF | VMX_ZF))
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

#include "vm_enter.h"

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

static inline void vmxt_seg(unsigned k, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    vmw(G_ES_SEL + 2 * k, sel);
    vmw(G_ES_BASE + 2 * k, base);
    vmw(G_ES_LIMIT + 2 * k, limit);
    vmw(G_ES_AR + 2 * k, ar);
}

/* The current VMCS for a 64-bit guest at rip on stack rsp, with the host's
 * GDT (code 0x08, data 0x10, TSS tr_sel at tr_base), IDT, CR0/CR3/CR4
 * (the guest's CR3 is the host's page tables); primary controls proc |
 * what the TRUE MSR requires, secondary proc2 (with "activate secondary
 * controls" when nonzero); no exception exits. */
static inline void vmxt_setup(uint64_t rip, uint64_t rsp, uint32_t proc, uint32_t proc2,
                              uint32_t pin, uint16_t tr_sel, uint64_t tr_base)
{
    uint16_t gl, il;
    uint64_t gdt = vmxt_table_base(&gl, 0), idt = vmxt_table_base(&il, 1);
    uint64_t cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4();
    vmw(PIN, vmx_adjust(0x48d, pin));
    vmw(PROC, vmx_adjust(0x48e, proc | (proc2 ? 1u << 31 : 0)));
    vmw(PROC2, vmx_adjust(0x48b, proc2));
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 1u << 9));   /* host address-space size */
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 1u << 9));  /* IA-32e mode guest */
    vmw(EXC_BITMAP, 0);
    vmw(LINK_PTR, ~0ull);
    vmw(H_CR0, cr0);
    vmw(H_CR3, cr3);
    vmw(H_CR4, cr4);
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
    vmw(G_CR0, cr0);
    vmw(G_CR3, cr3);
    vmw(G_CR4, cr4);
    vmw(G_DR7, 0x400);
    vmxt_seg(0, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(1, 0x08, 0, 0xffffffff, 0xa09b);
    vmxt_seg(2, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(3, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(4, 0, 0, 0, 0x10000);
    vmxt_seg(5, 0, 0, 0, 0x10000);
    vmxt_seg(6, 0, 0, 0, 0x10000);
    vmxt_seg(7, tr_sel, tr_base, 0x67, 0x8b);
    vmw(G_GDTR_BASE, gdt);
    vmw(G_GDTR_LIMIT, gl);
    vmw(G_IDTR_BASE, idt);
    vmw(G_IDTR_LIMIT, il);
    vmw(G_RSP, rsp);
    vmw(G_RIP, rip);
    vmw(G_RFLAGS, 2);
    vmw(G_INTR, 0);
    vmw(G_ACTIVITY, 0);
}
#endif
