/* APIC virtualization and virtual interrupts in VMX non-root operation
 * (SDM vol. 3C ch. 30, numbered as in the 2023 edition; docs/vmx.md "APIC
 * virtualization"): the TPR shadow (MOV CR8, the TPR threshold, §30.1.2 /
 * §30.3), the APIC-access page (§30.4), x2APIC MSR virtualization (§30.5),
 * virtual-interrupt delivery with EOI and self-IPI virtualization
 * (§30.1.3-30.1.5, §30.2) and posted-interrupt processing (§30.6).
 *
 * The virtual APIC's registers are the virtual-APIC page itself (host
 * memory at the virtual-APIC address): VTPR at 80H, VPPR A0H, VEOI B0H,
 * VISR 100H-170H, VIRR 200H-270H, VICR 300H/310H. RVI and SVI are the
 * low / high byte of the guest-interrupt-status field, kept in the VMCS. */
#include "vmx_int.h"
#include "vmx_apic.h"
#include "../apic/lapic.h"

static uint32_t proc(const struct x86_cpu *x) { return (uint32_t)vmcs_get(x, VMCS_PROC_CTLS); }
bool vmx_apic_tpr_shadow(const struct x86_cpu *x) { return proc(x) & PROC_TPR_SHADOW; }
uint32_t vmx_apic_proc2(const struct x86_cpu *x)
{
    return (proc(x) & PROC_SECONDARY) ? (uint32_t)vmcs_get(x, VMCS_PROC_CTLS2) : 0;
}
static bool vid(const struct x86_cpu *x) { return vmx_apic_proc2(x) & PROC2_VINTR_DELIVERY; }

/* ---- the virtual-APIC page ---------------------------------------------------- */

static uint64_t vapic(const struct x86_cpu *x) { return vmcs_get(x, VMCS_VIRT_APIC_ADDR); }
static uint32_t vread(struct x86_cpu *x, unsigned off) { return (uint32_t)vmx_phys_read(x, vapic(x) + off, 4); }
static void vwrite(struct x86_cpu *x, unsigned off, uint32_t v) { vmx_phys_write(x, vapic(x) + off, 4, v); }

/* VISR / VIRR: 256 bits in eight 32-bit registers 16 bytes apart */
static void vbit_set(struct x86_cpu *x, unsigned base, unsigned v, bool on)
{
    unsigned off = base + 16 * (v / 32);
    uint32_t r = vread(x, off);
    r = on ? r | 1u << (v % 32) : r & ~(1u << (v % 32));
    vwrite(x, off, r);
}
static int vhighest(struct x86_cpu *x, unsigned base)
{
    for (int i = 7; i >= 0; i--) {
        uint32_t r = vread(x, base + 16 * (unsigned)i);
        if (r)
            return i * 32 + 31 - __builtin_clz(r);
    }
    return -1;
}

static unsigned rvi(const struct x86_cpu *x) { return (unsigned)vmcs_get(x, VMCS_GUEST_INTR_STATUS) & 0xff; }
static unsigned svi(const struct x86_cpu *x) { return (unsigned)(vmcs_get(x, VMCS_GUEST_INTR_STATUS) >> 8) & 0xff; }
static void set_status(struct x86_cpu *x, unsigned r, unsigned s)
{
    vmcs_set(x, VMCS_GUEST_INTR_STATUS, (r & 0xff) | (s & 0xff) << 8);
}

/* A trap-like VM exit (TPR below threshold, virtualized EOI, APIC write):
 * taken at the next instruction boundary, with RIP after the instruction. */
static void trap_exit(struct x86_cpu *x, uint32_t reason, uint64_t qual)
{
    x->vmx.apic_trap = reason;
    x->vmx.apic_trap_qual = qual;
    x->vmx.apic_pending = true;
    x->attn = true;
}

/* ---- §30.1.3, §30.2.1: PPR virtualization, evaluation of pending virtual
 * interrupts ------------------------------------------------------------------- */

static void ppr_virtualize(struct x86_cpu *x)
{
    uint32_t vtpr = vread(x, VAPIC_TPR);
    unsigned s = svi(x);
    uint32_t vppr = ((vtpr >> 4) & 0xf) >= (s >> 4) ? vtpr & 0xff : s & 0xf0;
    vwrite(x, VAPIC_PPR, vppr);
}

static void evaluate(struct x86_cpu *x)
{
    /* recognized when "interrupt-window exiting" is 0 and RVI[7:4] >
     * VPPR[7:4]; delivery waits for RFLAGS.IF (vmx_apic_deliver) */
    x->vmx.vint = !(proc(x) & PROC_INTR_WINDOW) &&
                  (rvi(x) >> 4) > ((vread(x, VAPIC_PPR) >> 4) & 0xf);
    if (x->vmx.vint)
        x->attn = true;
}

/* §30.1.2 TPR virtualization: without virtual-interrupt delivery a TPR
 * below the threshold is a trap-like exit; with it, PPR virtualization and
 * evaluation. */
static void tpr_virtualize(struct x86_cpu *x)
{
    if (!vid(x)) {
        uint32_t thr = (uint32_t)vmcs_get(x, VMCS_TPR_THRESHOLD) & 0xf;
        if (thr > ((vread(x, VAPIC_TPR) >> 4) & 0xf))
            trap_exit(x, VMX_EXIT_TPR_BELOW, 0);
        return;
    }
    ppr_virtualize(x);
    evaluate(x);
}

/* §30.1.4 EOI virtualization */
static void eoi_virtualize(struct x86_cpu *x)
{
    unsigned v = svi(x);
    vbit_set(x, VAPIC_ISR, v, false);
    int h = vhighest(x, VAPIC_ISR);
    set_status(x, rvi(x), h < 0 ? 0 : (unsigned)h);
    ppr_virtualize(x);
    uint64_t bm = vmcs_get(x, (enum vmcs_field)(VMCS_EOI_EXIT0 + v / 64));
    if ((bm >> (v % 64)) & 1)
        trap_exit(x, VMX_EXIT_VIRT_EOI, v); /* qualification: the vector */
    else
        evaluate(x);
}

/* §30.1.5 self-IPI virtualization */
static void self_ipi_virtualize(struct x86_cpu *x, unsigned v)
{
    vbit_set(x, VAPIC_IRR, v, true);
    if (v > rvi(x))
        set_status(x, v, svi(x));
    evaluate(x);
}

/* ---- MOV CR8 (§30.3) -------------------------------------------------------------- */

bool vmx_nr_cr8_write(struct x86_cpu *x, uint64_t v)
{
    if (!vmx_apic_tpr_shadow(x))
        return false;
    if (v >> 4)
        x86_raise(x, X86_EXC_GP, true, 0);
    /* VTPR[7:4] = source[3:0], bits 3:0 and 31:8 cleared */
    vwrite(x, VAPIC_TPR, (uint32_t)(v & 0xf) << 4);
    tpr_virtualize(x);
    return true;
}

uint64_t vmx_apic_cr8_read(struct x86_cpu *x) { return (vread(x, VAPIC_TPR) >> 4) & 0xf; }

/* ---- the APIC-access page (§30.4) ------------------------------------------------ */

/* the registers whose reads APIC-register virtualization virtualizes
 * (§30.4.1): offset / 16 of each */
static bool read_reg_ok(unsigned reg)
{
    switch (reg) {
    case 0x02: case 0x03: case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x0d: case 0x0e:
    case 0x0f: case 0x28: case 0x38: case 0x3e:
        return true;
    default:
        return (reg >= 0x10 && reg <= 0x27) || (reg >= 0x2f && reg <= 0x37);
    }
}
/* writes (§30.4.3.1): TPR always; EOI and ICR low with virtual-interrupt
 * delivery; with APIC-register virtualization also ID, LDR, DFR, SVR, ESR,
 * the LVT, ICR high, the timer's initial count and divide configuration */
static bool write_reg_ok(uint32_t p2, unsigned reg)
{
    if (reg == 0x08)
        return true;
    if ((p2 & (PROC2_VINTR_DELIVERY | PROC2_APIC_REG_VIRT)) && (reg == 0x0b || reg == 0x30))
        return true;
    if (!(p2 & PROC2_APIC_REG_VIRT))
        return false;
    switch (reg) {
    case 0x02: case 0x0d: case 0x0e: case 0x0f: case 0x28: case 0x31: case 0x38: case 0x3e:
        return true;
    default:
        return reg >= 0x2f && reg <= 0x37;
    }
}

uint64_t vmx_nr_apic_access(struct x86_cpu *x, unsigned off, unsigned size, int access, uint64_t v)
{
    uint32_t p2 = vmx_apic_proc2(x);
    unsigned reg = off >> 4;
    /* virtualized: with the TPR shadow, a data access of at most 32 bits
     * entirely within bytes 3:0 of a register the controls virtualize */
    bool ok = access != 2 && vmx_apic_tpr_shadow(x) && (off & 15) + size <= 4;
    if (ok && access == 0)
        ok = (p2 & PROC2_APIC_REG_VIRT) ? read_reg_ok(reg) : reg == 0x08;
    else if (ok)
        ok = write_reg_ok(p2, reg);
    if (!ok) {
        /* fault-like (Table 28-6: page offset, access type 0 read / 1
         * write / 2 fetch); an instruction that moved RSP gets it back */
        if (x->undo_rsp_valid) {
            x->r[RSP] = x->undo_rsp;
            x->undo_rsp_valid = false;
        }
        struct vmx_exit_info info = { 0 };
        vmx_exit(x, VMX_EXIT_APIC_ACCESS, off | (uint64_t)access << 12, &info);
    }
    uint64_t pa = vapic(x) + off;
    if (access == 0)
        return vmx_phys_read(x, pa, size);
    vmx_phys_write(x, pa, size, v);
    /* §30.4.3.2: APIC-write emulation after the instruction */
    x->vmx.apic_write = (int16_t)off;
    x->vmx.apic_pending = true;
    x->attn = true;
    return 0;
}

/* §30.4.3.2 APIC-write emulation of a virtualized write at page offset off */
static void apic_write_emulate(struct x86_cpu *x, unsigned off)
{
    unsigned reg = off & ~15u;
    if (reg == VAPIC_TPR) {
        vwrite(x, VAPIC_TPR, vread(x, VAPIC_TPR) & 0xff);
        tpr_virtualize(x);
        return;
    }
    if (reg == VAPIC_EOI && vid(x)) {
        eoi_virtualize(x);
        return;
    }
    if (reg == VAPIC_ICR_LO && vid(x)) {
        /* a fixed self IPI (shorthand 01, delivery mode 000, reserved bits
         * 31:20, 17:16, 13 clear) of vector >= 16: self-IPI virtualization */
        uint32_t icr = vread(x, VAPIC_ICR_LO);
        if (!(icr & 0xfff32000u) && ((icr >> 18) & 3) == 1 && !((icr >> 8) & 7) && (icr & 0xf0)) {
            self_ipi_virtualize(x, icr & 0xff);
            return;
        }
    }
    trap_exit(x, VMX_EXIT_APIC_WRITE, off); /* qualification: the page offset */
}

void vmx_nr_apic_boundary(struct x86_cpu *x)
{
    x->vmx.apic_pending = false;
    if (x->vmx.apic_write >= 0) {
        unsigned off = (unsigned)x->vmx.apic_write;
        x->vmx.apic_write = -1;
        apic_write_emulate(x, off);
    }
    if (x->vmx.apic_trap) {
        uint32_t r = x->vmx.apic_trap;
        x->vmx.apic_trap = 0;
        x->vmx.apic_pending = false;
        struct vmx_exit_info info = { 0 };
        vmx_exit(x, r, x->vmx.apic_trap_qual, &info);
    }
}

/* ---- x2APIC MSRs (§30.5) --------------------------------------------------------- */

bool vmx_apic_msr(struct x86_cpu *x, bool write)
{
    uint32_t msr = (uint32_t)x->r[RCX], p2 = vmx_apic_proc2(x);
    if (!(p2 & PROC2_VIRT_X2APIC) || (msr >> 8) != 8)
        return false;
    unsigned off = (msr & 0xff) << 4;
    if (!write) {
        /* the x2APIC registers among them: no APR (809H), EOI (80BH, write
         * only), DFR (80EH), ICR high (831H: the ICR is one 64-bit MSR) */
        unsigned reg = msr & 0xff;
        bool ok = (p2 & PROC2_APIC_REG_VIRT)
                      ? read_reg_ok(reg) && reg != 0x09 && reg != 0x0b && reg != 0x0e && reg != 0x31
                      : msr == 0x808;
        if (!ok)
            return false; /* operates normally */
        /* the 8 bytes at the register's offset (ICR: 64 bits at 300H) */
        uint64_t v = vmx_phys_read(x, vapic(x) + off, 8);
        x->r[RAX] = (uint32_t)v;
        x->r[RDX] = v >> 32;
        return true;
    }
    uint64_t v = x->r[RDX] << 32 | (uint32_t)x->r[RAX];
    if (msr == 0x808) { /* TPR: bits 63:8 must be 0 */
        if (v >> 8)
            x86_raise(x, X86_EXC_GP, true, 0);
        vmx_phys_write(x, vapic(x) + VAPIC_TPR, 8, v);
        tpr_virtualize(x);
        return true;
    }
    if (msr == 0x80b && vid(x)) { /* EOI: the value must be 0 */
        if (v)
            x86_raise(x, X86_EXC_GP, true, 0);
        vmx_phys_write(x, vapic(x) + VAPIC_EOI, 8, 0);
        eoi_virtualize(x);
        return true;
    }
    if (msr == 0x83f && vid(x)) { /* SELF IPI: bits 63:8 must be 0 */
        if (v >> 8)
            x86_raise(x, X86_EXC_GP, true, 0);
        vmx_phys_write(x, vapic(x) + VAPIC_SELF_IPI, 8, v);
        if (v & 0xf0)
            self_ipi_virtualize(x, (unsigned)v);
        else
            trap_exit(x, VMX_EXIT_APIC_WRITE, VAPIC_SELF_IPI); /* vector < 16 */
        return true;
    }
    return false;
}

/* ---- virtual-interrupt delivery (§30.2.2) and posted interrupts (§30.6) ---------- */

bool vmx_apic_deliver(struct x86_cpu *x)
{
    if (!x->vmx.vint || !(x->rflags & FL_IF) || x->sti_shadow)
        return false;
    unsigned v = rvi(x);
    vbit_set(x, VAPIC_ISR, v, true);
    vbit_set(x, VAPIC_IRR, v, false);
    int h = vhighest(x, VAPIC_IRR);
    set_status(x, h < 0 ? 0 : (unsigned)h, v);
    vwrite(x, VAPIC_PPR, v & 0xf0);
    x->vmx.vint = false;
    x->cpu.state = CPU_RUNNING;
    /* timeline (docs/trace-format.md "IPI mechanisms"): the virtual
     * interrupt reaches the guest, then its irq.take */
    TRACE(x->m, TK_IPI_DELIVER, x->cpu.id, cpu_now(&x->cpu), IPI_MECH_VINTR, v, x->cpu.id);
    TRACE(x->m, TK_IRQ_TAKE, x->cpu.id, cpu_now(&x->cpu), v, x86_trace_from(x), 0, x86_trace_pc(x));
    /* a VM exit during this delivery (an EPT violation on the guest's IDT
     * or stack) reports it as IDT-vectoring type 0, external interrupt
     * (§28.2.4): the vector is above 31, a hardware-exception type would
     * make the VMM's re-injection fail the VM-entry checks (§27.2.1.3) */
    vmx_delivering(&x->vmx, VMX_EV_EXT, 0);
    x86_deliver(x, (int)v, false, 0, false, x->rip);
    return true;
}

bool vmx_apic_wake(const struct x86_cpu *x) { return x->vmx.vint && (x->rflags & FL_IF); }

bool vmx_apic_posted(struct x86_cpu *x, int v)
{
    if (!(vmcs_get(x, VMCS_PIN_CTLS) & PIN_POSTED_INTR) || v != (int)vmcs_get(x, VMCS_POSTED_INTR_NV))
        return false;
    uint64_t d = vmcs_get(x, VMCS_POSTED_INTR_DESC);
    /* clear ON (bit 256), dismiss the notification at the local APIC (an
     * EOI), move PIR into VIRR, RVI = max(RVI, highest PIR bit), evaluate */
    vmx_phys_write(x, d + 32, 1, vmx_phys_read(x, d + 32, 1) & ~1u);
    if (x->lapic)
        lapic_write_eoi(x->lapic);
    int high = -1;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t pir = (uint32_t)vmx_phys_read(x, d + 4 * i, 4);
        if (!pir)
            continue;
        vmx_phys_write(x, d + 4 * i, 4, 0);
        vwrite(x, VAPIC_IRR + 16 * i, vread(x, VAPIC_IRR + 16 * i) | pir);
        high = (int)(i * 32 + 31 - (unsigned)__builtin_clz(pir));
        /* timeline: one ipi.deliver POSTED per vector moved, the
         * notification vector in mech bits 15:8 (the sender is not known
         * here: src is this CPU; trace stats pairs it with the
         * notification's LAPIC send) */
        for (uint32_t b = pir; b; b &= b - 1)
            TRACE(x->m, TK_IPI_DELIVER, x->cpu.id, cpu_now(&x->cpu),
                  IPI_MECH_POSTED | (uint64_t)(v & 0xff) << 8, i * 32 + (unsigned)__builtin_ctz(b),
                  x->cpu.id);
    }
    if (high > (int)rvi(x))
        set_status(x, (unsigned)high, svi(x));
    evaluate(x);
    return true;
}

/* ---- VM entry / exit ------------------------------------------------------------- */

void vmx_apic_entry(struct x86_cpu *x)
{
    uint32_t p2 = vmx_apic_proc2(x);
    x->vmx.apic_page = (p2 & PROC2_VIRT_APIC_ACCESS) ? vmcs_get(x, VMCS_APIC_ACCESS_ADDR) : ~0ull;
    x->vmx.apic_pending = false;
    x->vmx.apic_write = -1;
    x->vmx.apic_trap = 0;
    x->vmx.vint = false;
    if (!vmx_apic_tpr_shadow(x))
        return;
    if (p2 & PROC2_VINTR_DELIVERY) {
        evaluate(x); /* §27.3.2.5 / §30.2.1: VM entry evaluates */
        return;
    }
    /* §27.7.7: a TPR-below-threshold exit right after entry (only
     * possible when "virtualize APIC accesses" let the check pass) */
    uint32_t thr = (uint32_t)vmcs_get(x, VMCS_TPR_THRESHOLD) & 0xf;
    if (thr > ((vread(x, VAPIC_TPR) >> 4) & 0xf))
        trap_exit(x, VMX_EXIT_TPR_BELOW, 0);
}

void vmx_apic_exit(struct x86_cpu *x)
{
    x->vmx.apic_pending = false;
    x->vmx.apic_write = -1;
    x->vmx.apic_trap = 0;
    x->vmx.vint = false;
    x->vmx.apic_page = ~0ull;
}

/* ---- §27.2.1.1 checks on the controls ------------------------------------------- */

bool vmx_apic_check_tpr_shadow(struct x86_cpu *x)
{
    uint32_t p2 = vmx_apic_proc2(x);
    if (!vmx_apic_tpr_shadow(x))
        /* without it: no x2APIC virtualization, register virtualization,
         * virtual-interrupt delivery */
        return !(p2 & (PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT | PROC2_VINTR_DELIVERY));
    uint64_t va = vapic(x);
    if ((va & 0xfff) || !vmx_pa_ok(va))
        return false;
    uint32_t thr = (uint32_t)vmcs_get(x, VMCS_TPR_THRESHOLD);
    if (p2 & PROC2_VINTR_DELIVERY)
        return true;
    if (thr >> 4)
        return false; /* bits 31:4 */
    /* without APIC-access virtualization: threshold[3:0] <= VTPR[7:4] */
    return (p2 & PROC2_VIRT_APIC_ACCESS) || thr <= ((vread(x, VAPIC_TPR) >> 4) & 0xf);
}

bool vmx_apic_check_apic_access(struct x86_cpu *x)
{
    uint32_t p2 = vmx_apic_proc2(x);
    if (!(p2 & PROC2_VIRT_APIC_ACCESS))
        return true;
    uint64_t a = vmcs_get(x, VMCS_APIC_ACCESS_ADDR);
    return !(a & 0xfff) && vmx_pa_ok(a);
}

bool vmx_apic_check_x2apic(struct x86_cpu *x)
{
    uint32_t p2 = vmx_apic_proc2(x);
    return !((p2 & PROC2_VIRT_X2APIC) && (p2 & PROC2_VIRT_APIC_ACCESS));
}

bool vmx_apic_check_vid(struct x86_cpu *x)
{
    return !vid(x) || (vmcs_get(x, VMCS_PIN_CTLS) & PIN_EXT_INTR_EXITING);
}

bool vmx_apic_check_posted(struct x86_cpu *x)
{
    if (!(vmcs_get(x, VMCS_PIN_CTLS) & PIN_POSTED_INTR))
        return true;
    uint64_t d = vmcs_get(x, VMCS_POSTED_INTR_DESC);
    return vid(x) && (vmcs_get(x, VMCS_EXIT_CTLS) & EXIT_ACK_INTR) &&
           !(vmcs_get(x, VMCS_POSTED_INTR_NV) >> 8) && !(d & 0x3f) && vmx_pa_ok(d);
}
