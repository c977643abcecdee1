/* The VMX instructions (SDM vol. 3C ch. 31 "VMX Instruction Reference"):
 * VMXON, VMXOFF, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMLAUNCH,
 * VMRESUME, VMCALL; each with the exception and VMfail conditions of its
 * "Operation" section, in that order. The VMCS of the current-VMCS pointer
 * lives in the CPU (struct vmx_state.vmcs) and is written to its region in
 * memory by VMCLEAR, by VMPTRLD of another VMCS and by VMXOFF (§25.11.1:
 * software must not rely on the region's contents otherwise). */
#include "vmx_int.h"
#include <setjmp.h>
#include <string.h>

#define UD() x86_raise(x, X86_EXC_UD, false, 0)
#define GP0() x86_raise(x, X86_EXC_GP, true, 0)

void vmx_reset(struct x86_cpu *x)
{
    bool en = x->vmx.enabled;
    int t = x->vmx.preempt_timer;
    memset(&x->vmx, 0, sizeof x->vmx);
    x->vmx.enabled = en;
    x->vmx.preempt_timer = t;
    x->vmx.vmcs_ptr = VMX_NO_VMCS;
    x->vmx.vmxon_ptr = VMX_NO_VMCS;
    x->vmx.movss_pos = x->vmx.sti_pos = ~0ull - 1;
    x->vmx.ple_last = ~0ull;
    x->vmx.sipi_vector = -1;
    x->vmx.deliv_type = VMX_EV_NONE;
}

int64_t vmx_guest_id(const struct x86_cpu *x)
{
    return x->vmx.non_root ? (int64_t)x->vmx.vmcs_ptr : -1;
}

uint16_t vmx_vmcs_vpid(const struct x86_cpu *x)
{
    bool on = (vmcs_get(x, VMCS_PROC_CTLS) & PROC_SECONDARY) && (vmcs_get(x, VMCS_PROC_CTLS2) & PROC2_VPID);
    return on ? (uint16_t)vmcs_get(x, VMCS_VPID) : 0;
}

int64_t vmx_guest_vpid(const struct x86_cpu *x)
{
    return x->vmx.non_root ? (int64_t)vmx_vmcs_vpid(x) : -1;
}

/* ---- §31.2 conventions --------------------------------------------------------- */

static void arith_flags(struct x86_cpu *x, uint64_t set)
{
    x->rflags = (x->rflags & ~(uint64_t)FL_ARITH) | set;
}
void vmx_succeed(struct x86_cpu *x) { arith_flags(x, 0); }
void vmx_fail_invalid(struct x86_cpu *x) { arith_flags(x, FL_CF); }
void vmx_fail_valid(struct x86_cpu *x, unsigned err)
{
    arith_flags(x, FL_ZF);
    vmcs_set(x, VMCS_VM_INSN_ERROR, err);
}
void vmx_fail(struct x86_cpu *x, unsigned err)
{
    if (x->vmx.vmcs_ptr != VMX_NO_VMCS)
        vmx_fail_valid(x, err);
    else
        vmx_fail_invalid(x);
}

/* ---- the VMCS in memory ------------------------------------------------------------ */

static void vmcs_flush(struct x86_cpu *x)
{
    uint64_t pa = x->vmx.vmcs_ptr;
    if (pa == VMX_NO_VMCS)
        return;
    for (int i = 0; i < VMCS_NFIELDS; i++)
        vmx_phys_write(x, pa + VMCS_REGION_FIELDS + 8ull * (unsigned)vmcs_region_slot(i), 8, x->vmx.vmcs[i]);
    vmx_phys_write(x, pa + VMCS_REGION_LAUNCH, 4, x->vmx.launched);
}

static void vmcs_fetch(struct x86_cpu *x, uint64_t pa)
{
    for (int i = 0; i < VMCS_NFIELDS; i++)
        x->vmx.vmcs[i] = vmx_phys_read(x, pa + VMCS_REGION_FIELDS + 8ull * (unsigned)vmcs_region_slot(i), 8) &
                         vmcs_width_mask(i);
    x->vmx.launched = vmx_phys_read(x, pa + VMCS_REGION_LAUNCH, 4) == 1;
    x->vmx.vmcs_ptr = pa;
}

/* ---- operands ------------------------------------------------------------------------ */

static bool pa_aligned_ok(uint64_t pa) { return !(pa & 0xfff) && vmx_pa_ok(pa); }

static uint64_t mem_operand(struct x86_cpu *x)
{
    return x86_read(x, x86_ea_linear(x), 8);
}

/* The common checks at the top of every VMX instruction but VMXON and
 * VMCALL: #UD outside VMX operation, in real mode, virtual-8086 mode or
 * compatibility mode; in non-root operation a VM exit; #GP(0) at CPL > 0. */
static void common_checks(struct x86_cpu *x, uint32_t exit_reason, int reg2)
{
    if (!x->vmx.on || !(x->cr0 & CR0_PE) || (x->rflags & FL_VM) ||
        (x->long_mode && x->code_size != 8))
        UD();
    if (x->vmx.non_root) {
        struct vmx_exit_info info = { .insn = true };
        uint64_t qual = 0;
        if (exit_reason != VMX_EXIT_VMLAUNCH && exit_reason != VMX_EXIT_VMRESUME &&
            exit_reason != VMX_EXIT_VMXOFF) {
            info.insn_info = vmx_insn_info(x, reg2);
            if (x->in.mod != 3)
                qual = (uint64_t)x->in.disp; /* §28.2.1: the displacement */
        }
        vmx_exit(x, exit_reason, qual, &info);
    }
    if (x->cpl > 0)
        GP0();
}

/* ---- the instructions --------------------------------------------------------------- */

static void do_vmxon(struct x86_cpu *x)
{
    if (x->in.mod == 3 || !(x->cr0 & CR0_PE) || !(x->cr4 & CR4_VMXE) || (x->rflags & FL_VM) ||
        (x->long_mode && x->code_size != 8))
        UD();
    if (x->vmx.non_root) {
        struct vmx_exit_info info = { .insn = true, .insn_info = vmx_insn_info(x, -1) };
        vmx_exit(x, VMX_EXIT_VMXON, (uint64_t)x->in.disp, &info);
    }
    if (x->vmx.on) { /* in VMX root operation */
        if (x->cpl > 0)
            GP0();
        vmx_fail(x, VMXERR_VMXON_IN_ROOT);
        return;
    }
    /* CPL, A20M, CR0/CR4 against the FIXED MSRs, IA32_FEATURE_CONTROL
     * lock and "enable VMX outside SMX" */
    if (x->cpl > 0 || (x->a20 && !*x->a20) || !vmx_cr_fixed_ok(x, 0, x->cr0) ||
        !vmx_cr_fixed_ok(x, 4, x->cr4) || (x->vmx.feature_control & 5) != 5)
        GP0();
    uint64_t pa = mem_operand(x);
    if (!pa_aligned_ok(pa)) {
        vmx_fail_invalid(x);
        return;
    }
    uint32_t rev = (uint32_t)vmx_phys_read(x, pa, 4);
    if ((rev & 0x7fffffffu) != VMX_REVISION || (rev >> 31)) {
        vmx_fail_invalid(x);
        return;
    }
    x->vmx.vmcs_ptr = VMX_NO_VMCS;
    x->vmx.vmxon_ptr = pa;
    x->vmx.on = true;
    vmx_succeed(x);
}

static void do_vmxoff(struct x86_cpu *x)
{
    common_checks(x, VMX_EXIT_VMXOFF, -1);
    vmcs_flush(x);
    x->vmx.on = false;
    x->vmx.vmcs_ptr = VMX_NO_VMCS;
    x->vmx.vmxon_ptr = VMX_NO_VMCS;
    vmx_succeed(x);
    if (x->vmx.init_pending) { /* the INIT latched in VMX root operation (§23.8) */
        x->vmx.init_pending = false;
        x->rip = x->next_rip;
        x86_init_cpu(&x->cpu);
        longjmp(x->fault_jb, 2);
    }
}

static void do_vmclear(struct x86_cpu *x)
{
    common_checks(x, VMX_EXIT_VMCLEAR, -1);
    uint64_t pa = mem_operand(x);
    if (!pa_aligned_ok(pa)) {
        vmx_fail(x, VMXERR_VMCLEAR_BAD_ADDR);
        return;
    }
    if (pa == x->vmx.vmxon_ptr) {
        vmx_fail(x, VMXERR_VMCLEAR_VMXON);
        return;
    }
    if (pa == x->vmx.vmcs_ptr) { /* its data to memory, launch state clear */
        x->vmx.launched = false;
        vmcs_flush(x);
        x->vmx.vmcs_ptr = VMX_NO_VMCS;
    } else {
        vmx_phys_write(x, pa + VMCS_REGION_LAUNCH, 4, 0);
    }
    vmx_succeed(x);
}

static void do_vmptrld(struct x86_cpu *x)
{
    common_checks(x, VMX_EXIT_VMPTRLD, -1);
    uint64_t pa = mem_operand(x);
    if (!pa_aligned_ok(pa)) {
        vmx_fail(x, VMXERR_VMPTRLD_BAD_ADDR);
        return;
    }
    if (pa == x->vmx.vmxon_ptr) {
        vmx_fail(x, VMXERR_VMPTRLD_VMXON);
        return;
    }
    uint32_t rev = (uint32_t)vmx_phys_read(x, pa, 4);
    /* bit 31 (shadow VMCS) is an error without VMCS shadowing */
    if (rev != VMX_REVISION) {
        vmx_fail(x, VMXERR_VMPTRLD_BAD_REVISION);
        return;
    }
    if (pa != x->vmx.vmcs_ptr) {
        vmcs_flush(x);
        vmcs_fetch(x, pa);
    }
    vmx_succeed(x);
}

static void do_vmptrst(struct x86_cpu *x)
{
    common_checks(x, VMX_EXIT_VMPTRST, -1);
    x86_write(x, x86_ea_linear(x), 8, x->vmx.vmcs_ptr);
    vmx_succeed(x);
}

/* VMREAD r/m, reg and VMWRITE reg, r/m: the register operand (ModRM.reg)
 * is the field encoding; 64-bit operands in 64-bit mode, else 32-bit. */
static void do_vmread_vmwrite(struct x86_cpu *x, bool write)
{
    common_checks(x, write ? VMX_EXIT_VMWRITE : VMX_EXIT_VMREAD, x->in.reg);
    unsigned sz = x->code_size == 8 ? 8 : 4;
    uint64_t m = sz == 8 ? ~0ull : 0xffffffffull;
    if (x->vmx.vmcs_ptr == VMX_NO_VMCS) {
        vmx_fail_invalid(x);
        return;
    }
    /* VMWRITE reads a memory source after the VMCS-pointer check and
     * before the field check (§31.3 "VMWRITE": its faults come first) */
    uint64_t v = 0;
    if (write)
        v = x->in.mod == 3 ? x->r[x->in.rm] & m : x86_read(x, x86_ea_linear(x), sz);
    bool high;
    int f = vmcs_lookup(x->r[x->in.reg] & m, &high);
    if (f < 0) {
        vmx_fail_valid(x, VMXERR_UNSUPPORTED_FIELD);
        return;
    }
    if (!write) {
        v = x->vmx.vmcs[f];
        if (high)
            v >>= 32;
        if (x->in.mod == 3)
            x->r[x->in.rm] = v & m;
        else
            x86_write(x, x86_ea_linear(x), sz, v & m);
        vmx_succeed(x);
        return;
    }
    if (vmcs_read_only(f)) {
        vmx_fail_valid(x, VMXERR_WRITE_READ_ONLY);
        return;
    }
    if (high)
        v = (x->vmx.vmcs[f] & 0xffffffffull) | (v << 32);
    else if (vmcs_enc_width(vmcs_field_table[f].enc) == VMCS_W64 && sz == 4)
        v &= 0xffffffffull; /* the low half, bits 63:32 cleared (§32.9.2.2 "64-Bit VMCS Fields") */
    vmcs_set(x, (enum vmcs_field)f, v);
    vmx_succeed(x);
}

static void do_vmlaunch_vmresume(struct x86_cpu *x, bool launch)
{
    common_checks(x, launch ? VMX_EXIT_VMLAUNCH : VMX_EXIT_VMRESUME, -1);
    if (x->vmx.vmcs_ptr == VMX_NO_VMCS) {
        vmx_fail_invalid(x);
        return;
    }
    /* error 26: the instruction right after MOV SS / POP SS, inside its
     * interrupt shadow (§31.3 VMLAUNCH/VMRESUME) */
    if (x86_insn_pos(x) == x->vmx.movss_pos + 1) {
        vmx_fail_valid(x, VMXERR_ENTRY_MOV_SS);
        return;
    }
    if (launch && x->vmx.launched) {
        vmx_fail_valid(x, VMXERR_VMLAUNCH_NOT_CLEAR);
        return;
    }
    if (!launch && !x->vmx.launched) {
        vmx_fail_valid(x, VMXERR_VMRESUME_NOT_LAUNCHED);
        return;
    }
    vmx_vmentry(x, launch);
}

/* INVEPT / INVVPID r64/r32, m128 (§31.3; 66 0F 38 80 / 81): the type in
 * the register operand (64 bits in 64-bit mode, else 32), the descriptor
 * in memory. The operand checks are src/vmm/ept.c's (error 28); the TLB
 * entries dropped are those whose tags (VPID, EP4TA, address, global) the
 * invalidation hits (ept_inval_hits, §29.4.3.1). */
static void do_invept_invvpid(struct x86_cpu *x, bool vpid)
{
    if (x->in.mod == 3)
        UD(); /* memory operand only */
    common_checks(x, vpid ? VMX_EXIT_INVVPID : VMX_EXIT_INVEPT, x->in.reg);
    uint64_t type = x->r[x->in.reg] & (x->code_size == 8 ? ~0ull : 0xffffffffull);
    if ((vpid ? ept_invvpid_type_check(type) : ept_invept_type_check(type)) != 0) {
        vmx_fail(x, EPT_VMERR_INVALID_OPERAND);
        return;
    }
    uint64_t la = x86_ea_linear(x);
    uint64_t lo = x86_read(x, la, 8);
    uint64_t hi = x86_read(x, la + 8, 8);
    struct ept_inval inv;
    int err = vpid ? ept_invvpid(type, lo, hi, 48, &inv) : ept_invept(type, lo, hi, VMX_PA_BITS, &inv);
    if (err) {
        vmx_fail(x, (unsigned)err);
        return;
    }
    x86_tlb_invalidate(x, &inv); /* exactly what §29.4.3.1 names (ept_inval_hits) */
    vmx_succeed(x);
}

static void do_vmcall(struct x86_cpu *x)
{
    if (!x->vmx.on)
        UD();
    if (x->vmx.non_root) {
        struct vmx_exit_info info = { .insn = true };
        vmx_exit(x, VMX_EXIT_VMCALL, 0, &info);
    }
    if ((x->rflags & FL_VM) || (x->long_mode && x->code_size != 8))
        UD();
    if (x->cpl > 0)
        GP0();
    /* no dual-monitor treatment of SMIs and SMM */
    vmx_fail(x, VMXERR_VMCALL_ROOT);
}

void vmx_exec(struct x86_cpu *x, enum vmx_op op)
{
    if (!x->vmx.enabled)
        UD(); /* CPUID.1:ECX.VMX = 0 */
    switch (op) {
    case VMX_OP_VMCALL: do_vmcall(x); return;
    case VMX_OP_VMLAUNCH: do_vmlaunch_vmresume(x, true); return;
    case VMX_OP_VMRESUME: do_vmlaunch_vmresume(x, false); return;
    case VMX_OP_VMXOFF: do_vmxoff(x); return;
    case VMX_OP_VMPTRLD: do_vmptrld(x); return;
    case VMX_OP_VMCLEAR: do_vmclear(x); return;
    case VMX_OP_VMXON: do_vmxon(x); return;
    case VMX_OP_VMPTRST: do_vmptrst(x); return;
    case VMX_OP_VMREAD: do_vmread_vmwrite(x, false); return;
    case VMX_OP_VMWRITE: do_vmread_vmwrite(x, true); return;
    case VMX_OP_INVEPT: do_invept_invvpid(x, false); return;
    case VMX_OP_INVVPID: do_invept_invvpid(x, true); return;
    }
}
