/* Virtual-8086 mode extensions and protected-mode virtual interrupts (SDM
 * vol. 3A §20.3 "Interrupt and Exception Handling in Virtual-8086 Mode",
 * §20.3.3 Table "Software Interrupt Handling Methods While in
 * Virtual-8086 Mode", §20.4 "Protected-Mode Virtual Interrupts"; vol. 2
 * "CLI", "STI", "PUSHF", "POPF", "INT n", "IRET"). */
#include "x86_cpu.h"
#include "seg.h"
#include "vme.h"

static unsigned iopl(const struct x86_cpu *x)
{
    return (unsigned)(x->rflags >> 12) & 3;
}

bool x86_vif_mode(const struct x86_cpu *x)
{
    if (!(x->cr0 & CR0_PE) || iopl(x) == 3)
        return false;
    if (x->rflags & FL_VM)
        return (x->cr4 & CR4_VME) != 0;
    return x->cpl == 3 && (x->cr4 & CR4_PVI); /* IOPL < CPL = 3 */
}

void x86_vif_cli_sti(struct x86_cpu *x, bool sti)
{
    if (!sti) {
        x->rflags &= ~(uint64_t)FL_VIF;
        return;
    }
    if (x->rflags & FL_VIP) /* a virtual interrupt pending: to the monitor */
        x86_raise(x, X86_EXC_GP, true, 0);
    x->rflags |= FL_VIF;
}

bool x86_vme_flags16(const struct x86_cpu *x, unsigned opsize)
{
    return (x->cr4 & CR4_VME) && opsize == 2;
}

uint16_t x86_vme_pushf_image(const struct x86_cpu *x)
{
    uint16_t f = (uint16_t)(x->rflags & ~(uint64_t)FL_IF);
    if (x->rflags & FL_VIF)
        f |= FL_IF;
    return (uint16_t)(f | FL_IOPL);
}

void x86_vme_check_flags(struct x86_cpu *x, uint64_t v)
{
    if ((v & FL_TF) || ((v & FL_IF) && (x->rflags & FL_VIP)))
        x86_raise(x, X86_EXC_GP, true, 0);
}

void x86_vme_load_flags(struct x86_cpu *x, uint64_t v)
{
    uint64_t mask = 0xffff & ~(uint64_t)(FL_IF | FL_IOPL);
    x->rflags = (x->rflags & ~mask) | (v & mask) | FL_FIXED1;
    if (v & FL_IF)
        x->rflags |= FL_VIF;
    else
        x->rflags &= ~(uint64_t)FL_VIF;
    x->attn = true; /* TF may have changed */
}

/* Bit n of the software interrupt redirection bitmap: the 32 bytes below
 * the I/O map base (offset 66h of the 32-bit TSS). A bitmap byte beyond the
 * TSS limit (or a 16-bit TSS, which has none) is #GP(0), as for the I/O
 * permission bitmap. */
static bool redirect_bit(struct x86_cpu *x, unsigned n)
{
    if (!(x->tr.attr & 8) || x->tr.limit < 0x67)
        x86_raise(x, X86_EXC_GP, true, 0);
    uint64_t base = x86_read_as(x, x->tr.base + 0x66, 2, false);
    int64_t off = (int64_t)base - 32 + (int64_t)(n >> 3);
    if (off < 0 || (uint64_t)off > x->tr.limit)
        x86_raise(x, X86_EXC_GP, true, 0);
    return (x86_read_as(x, x->tr.base + (uint64_t)off, 1, false) >> (n & 7)) & 1;
}

bool x86_vme_int(struct x86_cpu *x, unsigned n, uint64_t return_ip)
{
    if (!(x->rflags & FL_VM) || !(x->cr4 & CR4_VME) || redirect_bit(x, n))
        return false;
    /* methods 5 (IOPL = 3) and 6 (IOPL < 3: IF image from VIF, IOPL 3) */
    bool virt = iopl(x) < 3;
    uint16_t img = virt ? x86_vme_pushf_image(x) : (uint16_t)x->rflags;
    uint32_t vec = (uint32_t)x86_read(x, 4ull * n, 4); /* the 8086 program's vector table */
    uint64_t ssb = x->seg[X86_SS].base, sp = x->r[RSP] & 0xffff;
    const uint16_t frame[3] = { img, x->seg[X86_CS].sel, (uint16_t)return_ip };
    for (int k = 0; k < 3; k++) {
        sp = (sp - 2) & 0xffff;
        if (sp == 0xffff) /* a word across the top of the 64 KiB segment */
            x86_raise(x, X86_EXC_SS, true, 0);
        x86_write(x, ssb + sp, 2, frame[k]);
    }
    x->r[RSP] = (x->r[RSP] & ~0xffffull) | sp;
    x->rflags &= ~(uint64_t)(FL_TF | (virt ? FL_VIF : FL_IF));
    x86_load_seg_real(x, X86_CS, (uint16_t)(vec >> 16));
    x->rip = vec & 0xffff;
    x->attn = true;
    return true;
}

/* SDM vol. 3A §20.3.2 (and §20.4 for CR4.PVI): "If the processor finds
 * that both the VIF and VIP flags are set at the beginning of an
 * instruction, it generates a general-protection exception" — possible
 * only right after an IRET (at CPL 0, which loads VIF and VIP from its
 * image) or a task switch into a virtual-8086 task; the fault's saved
 * CS:EIP is that instruction, which has not run. */
void x86_vme_boundary(struct x86_cpu *x)
{
    if ((x->rflags & (FL_VIF | FL_VIP)) == (FL_VIF | FL_VIP) && x86_vif_mode(x))
        x86_raise(x, X86_EXC_GP, true, 0);
}
