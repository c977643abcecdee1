/* VMX behaviours that no other test kernel runs (docs/vmx.md "Gaps
 * closed"), run by tests/e2e/t_x86_vmx_gaps.sh with [cpu] vmx = on. Each
 * expected value is from the SDM vol. 3C:
 *   - #DB exits through the exception bitmap (§26.2, §28.1, Table 28-1):
 *     an I/O breakpoint (CR4.DE, DR7 R/W = 10b) as a trap with its Bn bit,
 *     a single step and a data breakpoint in one #DB (BS | B0),
 *     an instruction breakpoint as a fault (Bn, RIP at the instruction, RF
 *     as pushed: 0) and general detect (BD, RIP at the MOV DR, RF = 1,
 *     DR7.GD not cleared); DR6 is written by none of them;
 *   - the saved RFLAGS.RF (§28.3.3): 1 for a fault-class exception that
 *     exits (#UD, #GP, #PF) and for an EPT violation outside event
 *     delivery; during delivery the image of the event delivered (INT n:
 *     0, a #UD: 1); 0 for an instruction exit even when the guest entered
 *     with RF = 1; RF as it was (1) for a preemption-timer exit before the
 *     first instruction; a software exception (INT3) pushes it as it is (0);
 *   - CR3-target values: a guest MOV to CR3 of target value 0 does not
 *     exit under CR3-load exiting, another value does (§26.1.3); "load
 *     IA32_PAT" at entry, "save IA32_PAT" and "load IA32_PAT" at exit;
 *   - the VM-entry checks (§27.2, §27.3.1) that no other kernel fails: one
 *     row of src/vmm/vmx_entry_checks.c at a time (11 control rows:
 *     VMfailValid 7, 11 host-state rows: 8, 12 guest-state rows: exit 33);
 *   - VMREAD / VMWRITE with a memory operand in root operation (§31.3:
 *     64-bit operands in 64-bit mode, a narrower field keeps its low bits,
 *     VMREAD zero-extends, errors 12 / 13, a memory source read before
 *     the field check) and their exits from a guest with
 *     the instruction information of Table 28-13 (scaling, index, base,
 *     segment override) and the displacement, sign-extended, as the
 *     qualification (§28.2.1);
 *   - VMWRITE of a 64-bit field outside 64-bit mode (a 32-bit PAE host):
 *     the full encoding clears bits 63:32 (§32.9.2.2);
 *   - INVPCID in non-root operation (§26.3, §26.1.3): #UD without "enable
 *     INVPCID", executing normally with it (its own #GP), exit 58 with
 *     "INVLPG exiting" (instruction information, displacement); its
 *     invalidations act on the guest's VPID (a stale mapping of VPID 1
 *     survives a root INVPCID, goes with the guest's type 0, 2, 3);
 *   - a real-mode (unrestricted) guest entered with DS unusable: a MOV to
 *     DS makes it usable (base = selector * 16), and a read through it;
 *   - PAE paging guests (§27.3.1.6, §27.3.2.4, §28.3.4): with EPT the
 *     entry loads the PDPTEs from the guest PDPTE fields (not from the
 *     table at CR3), a guest MOV to CR3 (or to CR4 changing PGE, not TSD)
 *     reloads them from memory -- once: a later change of the table is not
 *     seen --, with #GP for a reserved bit and an EPT violation without a
 *     guest-linear address for an unmapped table; the exit
 *     saves those in use; the entry check on them (reserved bits of a
 *     present one: exit 33, qualification 2), with EPT on the fields,
 *     without EPT on the table at CR3.
 * Built with -DVMX_ABORT=1, 2 or 4 the kernel instead ends in a VMX abort
 * (§28.7): a VM-exit MSR-store entry for an x2APIC MSR (indicator 1), a
 * 32-bit PAE host whose host CR3 has an invalid PDPTE (indicator 2) or an
 * MSR-load entry for IA32_FS_BASE (indicator 4). The logical
 * processor shuts down; with [cpu] triple-fault = reset the machine then
 * resets (RAM kept) and a real-mode #UD handler this kernel left at
 * 3100:0000 (the all-ones bytes at F000:FFF0 are #UD) reports the
 * indicator it reads from the VMCS region through isa-debug-exit.
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"

enum {
    EXIT_INSN_INFO = 0x440e, EXIT_CTLS_SAVE_DBG = 1u << 2, ENTRY_LOAD_DBG = 1u << 2,
    G_PDPTE0 = 0x280a, K_ES = 0, K_CS = 1, K_SS = 2, K_DS = 3, K_FS = 4, K_GS = 5, K_LDTR = 6,
    K_TR = 7, EXIT_MSR_STORE_COUNT = 0x400e, EXIT_MSR_LOAD_COUNT = 0x4010,
    EXIT_MSR_STORE_ADDR = 0x2006, EXIT_MSR_LOAD_ADDR = 0x2008, CR3_TARGET0 = 0x6008,
    TSC_OFFSET = 0x2010,
};
#define PROC2_EPT (1u << 1)
#define PROC2_UG (1u << 7)
#define PROC2_INVPCID (1u << 12)
#define INVLPG_EXITING (1u << 9)
#define RF (1u << 16)

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));

#define EQ(what, got, want) CHECKX((got) == (want), what, got)

void g_io(void);
void g_io_after(void);
void g_iow(void);
void g_iow_after(void);
void g_ibp(void);
void g_tfbp(void);
void g_tfbp_after(void);
void g_gd(void);
void g_vmwrite_sib(void);
void g_rf_ud(void);
void g_rf_load(void);
void g_rf_bp(void);
void g_rf_cpuid(void);
void g_rf_int(void);
void g_cr3t(void);
void g_pat(void);
void g_vmread_fs(void);
void g_invpcid(void);
/* compatibility mode -> legacy protected mode with PAE paging through
 * h32_pdpt (EFER.LME cleared) */
#define H32_ENTER                                                               \
    "\tmov %cr0, %eax\n\tand $0x7fffffff, %eax\n\tmov %eax, %cr0\n"             \
    "\tmov $0xc0000080, %ecx\n\trdmsr\n\tand $0xfffffeff, %eax\n\twrmsr\n"       \
    "\tmov $h32_pdpt, %eax\n\tmov %eax, %cr3\n"                                   \
    "\tmov %cr0, %eax\n\tor $0x80000000, %eax\n\tmov %eax, %cr0\n"
void g_tlbrd(void);
void g_invpcid_rd(void);
void g_rm(void);
void g_rm_end(void);
void g_pae_read(void);
void g_pae_reload(void);
void g_pae_tsd(void);
void g_pae_stale(void);
void h32_vmwrite(void);
void h32_launch(void);
void h32_host_rip(void);
void g32_cpuid(void);
void g_pae_cr3(void);
void g_pae_pge(void);
__asm__(".text\n"
        ".globl g_io\ng_io:\n\toutb %al, $0x80\n"
        ".globl g_io_after\ng_io_after:\n\tvmcall\n\tud2\n"
        ".globl g_iow\ng_iow:\n\toutw %ax, $0x7f\n"
        ".globl g_iow_after\ng_iow_after:\n\tvmcall\n\tud2\n"
        ".globl g_tfbp\ng_tfbp:\n\tpushfq\n\torq $0x100, (%rsp)\n\tpopfq\n\tmovq $1, (%rax)\n"
        ".globl g_tfbp_after\ng_tfbp_after:\n\tud2\n"
        ".globl g_ibp\ng_ibp:\n\tnop\n\tvmcall\n\tud2\n"
        ".globl g_gd\ng_gd:\n\tmov %dr7, %rax\n\tvmcall\n\tud2\n"
        ".globl g_rf_ud\ng_rf_ud:\n\tud2\n"
        ".globl g_rf_load\ng_rf_load:\n\tmov (%rax), %rbx\n\tud2\n"
        ".globl g_rf_bp\ng_rf_bp:\n\tint3\n\tud2\n"
        ".globl g_rf_cpuid\ng_rf_cpuid:\n\tcpuid\n\tud2\n"
        ".globl g_rf_int\ng_rf_int:\n\tint $0x20\n\tud2\n"
        ".globl g_cr3t\ng_cr3t:\n\tmov %cr3, %rax\n\tmov %rax, %cr3\n\tvmcall\n\tud2\n"
        ".globl g_pat\ng_pat:\n\tmov $0x277, %ecx\n\trdmsr\n\tmov %rax, %r8\n\tmov %rdx, %r9\n"
        "\tmov %rsi, %rax\n\tmov %rdi, %rdx\n\twrmsr\n\tvmcall\n\tud2\n"
        ".globl g_vmwrite_sib\ng_vmwrite_sib:\n\tvmwrite 0x10(%rax,%rbx,4), %rcx\n\tud2\n"
        ".globl g_vmread_fs\ng_vmread_fs:\n\tvmread %rdi, %fs:-8(%rsp,%rdx,2)\n\tud2\n"
        ".globl g_tlbrd\ng_tlbrd:\n\tmov (%rsi), %rax\n\tvmcall\n\tud2\n"
        ".globl g_invpcid_rd\ng_invpcid_rd:\n\tinvpcid (%rdi), %rdx\n\tmov (%rsi), %rax\n\tvmcall\n\tud2\n"
        ".globl g_invpcid\ng_invpcid:\n\tinvpcid 0x20(%rax,%rcx,8), %rdx\n\tvmcall\n\tud2\n"
        /* real mode (copied to 2000:0000): DS from an unusable state to
         * selector 1234H, a byte read through it, CPUID exits */
        ".code16\n"
        ".globl g_rm\ng_rm:\n\tmov $0x1234, %ax\n\tmov %ax, %ds\n\tmovb 0x10, %bl\n\tcpuid\n\thlt\n"
        ".globl g_rm_end\ng_rm_end:\n"
        /* 32-bit PAE paging: a read of linear 3FE00000H, CPUID exits; then
         * MOV to CR3 (the PDPTEs reloaded) and the same read */
        ".code32\n"
        ".globl g_pae_read\ng_pae_read:\n\tmov 0x3fe00000, %eax\n\tcpuid\n"
        ".globl g_pae_reload\ng_pae_reload:\n\tmov %cr3, %ebx\n\tmov %ebx, %cr3\n\tmov 0x3fe00000, %eax\n\tcpuid\n"
        /* MOV to CR4 flipping TSD (no PDPTE reload), then PGE (a reload) */
        ".globl g_pae_tsd\ng_pae_tsd:\n\tmov %cr4, %ebx\n\txor $4, %ebx\n\tmov %ebx, %cr4\n\tmov 0x3fe00000, %eax\n\tcpuid\n"
        ".globl g_pae_pge\ng_pae_pge:\n\tmov %cr4, %ebx\n\txor $0x80, %ebx\n\tmov %ebx, %cr4\n\tmov 0x3fe00000, %eax\n\tcpuid\n"
        /* MOV to CR3 (the PDPTEs loaded), PDPTE0 rewritten in memory, INVLPG,
         * the read: through the loaded PDPTE0 still */
        ".globl g_pae_stale\ng_pae_stale:\n\tmov %ecx, %cr3\n\tmovl %edx, (%ecx)\n\tinvlpg 0x3fe00000\n"
        "\tmov 0x3fe00000, %eax\n\tcpuid\n"
        ".globl g_pae_cr3\ng_pae_cr3:\n\tmov %ecx, %cr3\n\tcpuid\n"
        /* a 32-bit host (legacy protected mode, PAE paging), entered in
         * compatibility mode by x86t_far_call: leaves IA-32e mode, VMXON,
         * VMWRITE 2011H (high half) then 2010H (full) with 32-bit operands,
         * VMREAD both, VMXOFF, back to IA-32e mode, UD2 (the 64-bit IDT
         * takes it back to the kernel) */
        ".globl h32_vmwrite\nh32_vmwrite:\n" H32_ENTER
        "\tvmxon h32_vmxon_pa\n\tvmclear h32_vmcs_pa\n\tvmptrld h32_vmcs_pa\n"
        "\tmov $0x2011, %ecx\n\tmov $0x55aa, %eax\n\tvmwrite %eax, %ecx\n"
        "\tmov $0x2010, %ecx\n\tmov $0x1234, %eax\n\tvmwrite %eax, %ecx\n"
        "\tpushf\n\tpop h32_out+8\n"
        "\tmov $0x2011, %ecx\n\tvmread %ecx, %ebx\n\tmov %ebx, h32_out\n"
        "\tmov $0x2010, %ecx\n\tvmread %ecx, %ebx\n\tmov %ebx, h32_out+4\n"
        "\tvmclear h32_vmcs_pa\n\tvmxoff\n"
        "\tmov %cr0, %eax\n\tand $0x7fffffff, %eax\n\tmov %eax, %cr0\n"
        "\tmov h32_cr3, %eax\n\tmov %eax, %cr3\n"
        "\tmov $0xc0000080, %ecx\n\trdmsr\n\tor $0x100, %eax\n\twrmsr\n"
        "\tmov %cr0, %eax\n\tor $0x80000000, %eax\n\tmov %eax, %cr0\n"
        "\tud2\n"
        /* the same 32-bit host launching the current VMCS at h32_vmcs_pa
         * (the VMX-abort kernel with indicator 2); its guest: CPUID */
        ".globl h32_launch\nh32_launch:\n" H32_ENTER
        "\tvmxon h32_vmxon_pa\n\tvmptrld h32_vmcs_pa\n\tvmlaunch\n\tud2\n"
        ".globl h32_host_rip\nh32_host_rip:\n\tud2\n"
        ".globl g32_cpuid\ng32_cpuid:\n\tcpuid\n\tud2\n"
        ".code64\n");
/* what h32_vmwrite uses: a PAE PDPT onto the ELF64 entry's page
 * directories (0x4000-0x7fff: the first 4 GiB identity-mapped with 2-MByte
 * pages), the VMXON and VMCS pointers, the boot CR3, its results */
uint64_t h32_pdpt[4] __attribute__((aligned(32)));
uint64_t h32_bad_pdpt[4] __attribute__((aligned(32)));
uint64_t h32_vmxon_pa, h32_vmcs_pa, h32_cr3;
uint32_t h32_out[3];

/* Low physical memory (identity-mapped), through a pointer the compiler
 * cannot see the value of. */
static volatile uint8_t *low(uint64_t pa)
{
    volatile uint8_t *p = (volatile uint8_t *)pa;
    __asm__("" : "+r"(p));
    return p;
}

#ifndef VMX_ABORT
/* ---- VMWRITE / VMREAD outside 64-bit mode (a 32-bit host) ---- */

static uint8_t vmxon2[4096] __attribute__((aligned(4096)));
static uint8_t vmcs2[4096] __attribute__((aligned(4096)));
static uint8_t h32_stack[1024] __attribute__((aligned(16)));

/* SDM vol. 3C §32.9.2.2 / §25.11.2: outside 64-bit mode a VMWRITE of a
 * 64-bit field with the full encoding writes bits 31:0 and clears 63:32;
 * the high-half encoding reaches bits 63:32. Runs after VMXOFF. */
static void test_vmwrite32(void)
{
    for (unsigned i = 0; i < 4; i++)
        h32_pdpt[i] = (0x4000ull + 0x1000ull * i) | 1;
    *(uint32_t *)vmxon2 = *(uint32_t *)vmcs2 = (uint32_t)rdmsr(0x480) & 0x7fffffffu;
    h32_vmxon_pa = (uint64_t)vmxon2;
    h32_vmcs_pa = (uint64_t)vmcs2;
    h32_cr3 = read_cr3();
    h32_out[0] = h32_out[1] = h32_out[2] = 0xdeadbeef;
    uint64_t v = x86t_far_call((uint64_t)h32_vmwrite, X86T_KCODE32, X86T_KDATA,
                               (uint64_t)(h32_stack + sizeof h32_stack), 2);
    EQ("32-bit host: back in IA-32e mode by its UD2", v, 6);
    EQ("  the VMWRITEs succeeded (CF = ZF = 0)", h32_out[2] & (VMX_CF | VMX_ZF), 0);
    EQ("  VMWRITE 2010H (full) with 32 bits cleared the high half written before", h32_out[0], 0);
    EQ("  and wrote the low half", h32_out[1], 0x1234);
}

static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t eptp;
static int launched;

/* The 64-bit guest of vmxt_setup at fn with primary / secondary controls
 * proc / proc2; the exit reason (~0 when the entry failed). */
static uint64_t run2(void (*fn)(void), struct gregs *g, uint32_t proc, uint32_t proc2)
{
    vmw(PROC, vmx_adjust(0x48e, proc | (proc2 ? 1u << 31 : 0)));
    vmw(PROC2, vmx_adjust(0x48b, proc2));
    vmw(G_RIP, (uint64_t)fn);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    vmw(G_RFLAGS, 2);
    uint64_t r = vm_enter(g, !launched);
    launched = 1;
    CHECKX(r == 0, "VM entry", r | vmr(INSN_ERROR) << 16);
    return r == 0 ? vmr(EXIT_REASON) : ~0ull;
}

/* Resumes the guest where it is; the exit reason. */
static uint64_t resume(struct gregs *g)
{
    uint64_t r = vm_enter(g, 0);
    CHECKX(r == 0, "VM resume", r | vmr(INSN_ERROR) << 16);
    return r == 0 ? vmr(EXIT_REASON) : ~0ull;
}

static uint64_t read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

/* ---- #DB exits (§26.2, §28.1, Table 28-1) ---- */

static void test_db(void)
{
    struct gregs g = { 0 };
    vmw(EXC_BITMAP, 1u << 1);
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 1u << 9 | ENTRY_LOAD_DBG));
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 1u << 9 | EXIT_CTLS_SAVE_DBG));
    __asm__ volatile("mov %0, %%dr6" ::"r"(0xffff0ff0ull));
    __asm__ volatile("mov %0, %%dr1" ::"r"(0x80ull));

    /* I/O breakpoint 1 on port 80H (L1, R/W1 = 10b, LEN1 = 00) with CR4.DE */
    uint64_t cr4 = read_cr4();
    vmw(G_CR4, cr4 | 1u << 3);
    vmw(G_DR7, 0x400 | 1u << 2 | 2u << 20);
    EQ("I/O breakpoint (OUT 80H, CR4.DE): #DB exit, reason 0", run2(g_io, &g, 0, 0), 0);
    EQ("  interruption information 80000301H", vmr(EXIT_INTR_INFO), 0x80000301u);
    EQ("  qualification B1 (2)", vmr(EXIT_QUAL), 2);
    EQ("  a trap: RIP after the OUT", vmr(G_RIP), (uint64_t)g_io_after);
    EQ("  DR6 not written", read_dr6(), 0xffff0ff0ull);
    EQ("OUTW 7FH: bytes 7FH-80H meet the breakpoint: reason 0", run2(g_iow, &g, 0, 0), 0);
    EQ("  qualification B1", vmr(EXIT_QUAL), 2);
    EQ("  RIP after the OUTW", vmr(G_RIP), (uint64_t)g_iow_after);
    /* CR4.DE = 0: R/W = 10b is undefined, here it never matches */
    vmw(G_CR4, cr4 & ~(1ull << 3));
    EQ("the same breakpoint with CR4.DE = 0: no #DB, the VMCALL exits", run2(g_io, &g, 0, 0), 18);

    /* a data breakpoint (DR0, writes, 8 bytes) hit by the instruction a
     * single step traps after: one #DB with B0 and BS */
    static volatile uint64_t tf_var;
    __asm__ volatile("mov %0, %%dr0" ::"r"((uint64_t)&tf_var));
    vmw(G_DR7, 0x400 | 1u | 1u << 16 | 2u << 18);
    g.rax = (uint64_t)&tf_var;
    EQ("single step onto a store hitting DR0's write breakpoint: #DB exit", run2(g_tfbp, &g, 0, 0), 0);
    EQ("  qualification BS | B0 (4001H)", vmr(EXIT_QUAL), 0x4001);
    EQ("  RIP after the store, which is done", vmr(G_RIP) | (tf_var << 63), (uint64_t)g_tfbp_after | 1ull << 63);
    EQ("  DR6 not written", read_dr6(), 0xffff0ff0ull);

    /* instruction breakpoint 2 at g_ibp: a fault */
    __asm__ volatile("mov %0, %%dr2" ::"r"((uint64_t)g_ibp));
    vmw(G_DR7, 0x400 | 1u << 4);
    EQ("instruction breakpoint (DR2): #DB exit, reason 0", run2(g_ibp, &g, 0, 0), 0);
    EQ("  interruption information 80000301H", vmr(EXIT_INTR_INFO), 0x80000301u);
    EQ("  qualification B2 (4)", vmr(EXIT_QUAL), 4);
    EQ("  a fault: RIP at the instruction", vmr(G_RIP), (uint64_t)g_ibp);
    EQ("  saved RFLAGS.RF = 0 (an instruction-breakpoint #DB pushes it as it is)", vmr(G_RFLAGS) & RF, 0);
    EQ("  DR6 not written", read_dr6(), 0xffff0ff0ull);
    vmw(G_RFLAGS, vmr(G_RFLAGS) | RF);
    EQ("resumed with RF = 1: the NOP runs, the VMCALL exits", resume(&g), 18);

    /* general detect: DR7.GD, MOV from DR7 */
    vmw(G_DR7, 0x400 | 1u << 13);
    EQ("general detect (DR7.GD, MOV from DR7): #DB exit, reason 0", run2(g_gd, &g, 0, 0), 0);
    EQ("  interruption information 80000301H", vmr(EXIT_INTR_INFO), 0x80000301u);
    EQ("  qualification BD (2000H)", vmr(EXIT_QUAL), 0x2000);
    EQ("  a fault: RIP at the MOV", vmr(G_RIP), (uint64_t)g_gd);
    EQ("  saved RFLAGS.RF = 1 (a fault's pushed image)", vmr(G_RFLAGS) & RF, RF);
    EQ("  saved DR7 keeps GD (not cleared: the #DB was not delivered)", vmr(G_DR7), 0x2400);
    EQ("  DR6 not written", read_dr6(), 0xffff0ff0ull);
    vmw(G_DR7, 0x400);
    g.rax = 0;
    EQ("GD cleared by the host: the MOV runs, the VMCALL exits", resume(&g), 18);
    EQ("  the guest read DR7 = 400H", g.rax, 0x400);

    vmw(G_CR4, cr4);
    vmw(EXC_BITMAP, 0);
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 1u << 9));
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 1u << 9));
    __asm__ volatile("mov %0, %%dr7" ::"r"(0x400ull));
}

/* ---- the saved RFLAGS.RF (§28.3.3; vol. 3A §17.3.1.1) ---- */

/* run2 with the guest's RFLAGS and RSP given */
static uint64_t run_fl(void (*fn)(void), struct gregs *g, uint32_t proc2, uint64_t rflags, uint64_t rsp)
{
    vmw(PROC, vmx_adjust(0x48e, proc2 ? 1u << 31 : 0));
    vmw(PROC2, vmx_adjust(0x48b, proc2));
    vmw(G_RIP, (uint64_t)fn);
    vmw(G_RSP, rsp);
    vmw(G_RFLAGS, rflags);
    uint64_t r = vm_enter(g, !launched);
    launched = 1;
    CHECKX(r == 0, "VM entry", r | vmr(INSN_ERROR) << 16);
    return r == 0 ? vmr(EXIT_REASON) : ~0ull;
}

static void test_rf(void)
{
    struct gregs g = { 0 };
    uint64_t sp = (uint64_t)(guest_stack + sizeof guest_stack);
    vmw(EXC_BITMAP, 1u << 6 | 1u << 13 | 1u << 14 | 1u << 3);
    vmw(PF_MASK, 0);
    vmw(PF_MATCH, 0);
    EQ("#UD (UD2) by the exception bitmap: exit 0", run_fl(g_rf_ud, &g, 0, 2, sp), 0);
    EQ("  interruption information 80000306H", vmr(EXIT_INTR_INFO), 0x80000306u);
    EQ("  RIP at the UD2", vmr(G_RIP), (uint64_t)g_rf_ud);
    EQ("  saved RFLAGS.RF = 1 (a fault's pushed image)", vmr(G_RFLAGS) & RF, RF);
    g.rax = 0x8000000000000000ull;
    EQ("#GP (a non-canonical read): exit 0", run_fl(g_rf_load, &g, 0, 2, sp), 0);
    EQ("  interruption information 80000B0DH", vmr(EXIT_INTR_INFO), 0x80000b0du);
    EQ("  saved RFLAGS.RF = 1", vmr(G_RFLAGS) & RF, RF);
    g.rax = 0x8000000000ull; /* PML4 entry 1: not present */
    EQ("#PF (a read of 8000000000H, not mapped): exit 0", run_fl(g_rf_load, &g, 0, 2, sp), 0);
    EQ("  interruption information 80000B0EH, qualification the address", vmr(EXIT_INTR_INFO) ^ vmr(EXIT_QUAL),
       0x80000b0eu ^ 0x8000000000ull);
    EQ("  saved RFLAGS.RF = 1", vmr(G_RFLAGS) & RF, RF);
    EQ("INT3 by the exception bitmap: exit 0", run_fl(g_rf_bp, &g, 0, 2, sp), 0);
    EQ("  interruption information 80000603H (software exception)", vmr(EXIT_INTR_INFO), 0x80000603u);
    EQ("  saved RFLAGS.RF = 0 (a trap: RF as it is)", vmr(G_RFLAGS) & RF, 0);
    vmw(EXC_BITMAP, 0);
    EQ("CPUID entered with RFLAGS.RF = 1: exit 10", run_fl(g_rf_cpuid, &g, 0, 2 | RF, sp), 10);
    EQ("  saved RFLAGS.RF = 0 (an instruction exit)", vmr(G_RFLAGS) & RF, 0);
    /* the preemption timer at 0: the exit comes before the first instruction */
    vmw(PIN, vmx_adjust(0x48d, PIN_PREEMPT));
    vmw(PREEMPT, 0);
    EQ("preemption timer 0, entered with RF = 1: exit 52", run_fl(g_rf_cpuid, &g, 0, 2 | RF, sp), 52);
    EQ("  RIP at the first instruction", vmr(G_RIP), (uint64_t)g_rf_cpuid);
    EQ("  saved RFLAGS.RF = 1 (as it was)", vmr(G_RFLAGS) & RF, RF);
    vmw(PIN, vmx_adjust(0x48d, 0));
    /* EPT (identity for the first GiB): a read of GPA 40000000H */
    vmw(V_EPTP, eptp);
    g.rax = 0x40000000;
    EQ("EPT violation (a read of GPA 40000000H): exit 48", run_fl(g_rf_load, &g, PROC2_EPT, 2, sp), 48);
    EQ("  not during event delivery (IDT-vectoring 0)", vmr(IDT_VEC), 0);
    EQ("  saved RFLAGS.RF = 1", vmr(G_RFLAGS) & RF, RF);
    EQ("INT 20H pushing onto GPA 40000FF8H: exit 48", run_fl(g_rf_int, &g, PROC2_EPT, 2, 0x40001000), 48);
    EQ("  IDT-vectoring 80000420H (software interrupt)", vmr(IDT_VEC), 0x80000420u);
    EQ("  saved RFLAGS.RF = 0 (INT n's image)", vmr(G_RFLAGS) & RF, 0);
    EQ("#UD delivered, pushing onto GPA 40000FF8H: exit 48", run_fl(g_rf_ud, &g, PROC2_EPT, 2, 0x40001000), 48);
    EQ("  IDT-vectoring 80000306H", vmr(IDT_VEC), 0x80000306u);
    EQ("  saved RFLAGS.RF = 1 (the #UD's image)", vmr(G_RFLAGS) & RF, RF);
    vmw(PROC2, 0);
    vmw(PROC, vmx_adjust(0x48e, 0));
}

/* ---- the VM-entry checks no other kernel fails (§27.2, §27.3.1) ----
 * One row of src/vmm/vmx_entry_checks.c each (the rule's name in the
 * comment): one or two fields changed from a valid 64-bit guest, the
 * entry must fail with VMfailValid 7 (controls), 8 (host state) or exit
 * reason 33 with bit 31 (guest state), and succeed again once restored. */
enum { OP_SET, OP_OR, OP_ANDN };
struct emod {
    uint16_t field;
    uint8_t op;
    uint64_t v;
};
struct erow {
    const char *what;
    struct emod m[2];
    unsigned want; /* 7, 8: VMfailValid with that error; 33: failed entry */
};
#define NC 0x8000000000000000ull /* non-canonical */
static const struct erow entry_rows[] = {
    /* 27.2.1.1 / .2 / .3: VM-execution, VM-exit and VM-entry controls */
    { "primary controls: reserved bit 17 (allowed-1 0)", { { 0x4002, OP_OR, 1u << 17 } }, 7 },
    { "CR3-target count 5 (IA32_VMX_MISC[24:16] = 4)", { { 0x400a, OP_SET, 5 } }, 7 },
    { "I/O bitmap A not 4-KByte aligned", { { 0x4002, OP_OR, 1u << 25 }, { 0x2000, OP_SET, 0x1001 } }, 7 },
    { "MSR-bitmap address not 4-KByte aligned", { { 0x4002, OP_OR, 1u << 28 }, { 0x2004, OP_SET, 0x1008 } }, 7 },
    { "secondary controls: VMCS shadowing (bit 14, not reported)",
      { { 0x4002, OP_OR, 1u << 31 }, { 0x401e, OP_SET, 1u << 14 } }, 7 },
    { "VM-exit controls: load IA32_PERF_GLOBAL_CTRL (bit 12, not reported)", { { 0x400c, OP_OR, 1u << 12 } }, 7 },
    { "save VMX-preemption timer value without the timer", { { 0x400c, OP_OR, 1u << 22 } }, 7 },
    { "VM-exit MSR-store area not 16-byte aligned", { { 0x400e, OP_SET, 1 }, { 0x2006, OP_SET, 0x1008 } }, 7 },
    { "VM-exit MSR-load area not 16-byte aligned", { { 0x4010, OP_SET, 1 }, { 0x2008, OP_SET, 0x1004 } }, 7 },
    { "VM-entry controls: load IA32_PERF_GLOBAL_CTRL (bit 13, not reported)", { { 0x4012, OP_OR, 1u << 13 } }, 7 },
    { "VM-entry MSR-load area beyond the physical-address width",
      { { 0x4014, OP_SET, 1 }, { 0x200a, OP_SET, 1ull << 52 } }, 7 },
    /* 27.2.2 - 27.2.4: host state */
    { "host CR4.VMXE = 0 (CR4_FIXED0)", { { 0x6c04, OP_ANDN, 1u << 13 } }, 8 },
    { "host CR3 beyond the physical-address width", { { 0x6c02, OP_OR, 1ull << 52 } }, 8 },
    { "host IA32_SYSENTER_ESP not canonical", { { 0x6c10, OP_SET, NC } }, 8 },
    { "host IA32_PAT entry 0 type 2 (load IA32_PAT)", { { 0x400c, OP_OR, 1u << 19 }, { 0x2c00, OP_SET, 2 } }, 8 },
    { "host IA32_EFER.LMA = 0 with host address-space size (load IA32_EFER)",
      { { 0x400c, OP_OR, 1u << 21 }, { 0x2c02, OP_SET, 0 } }, 8 },
    { "host DS selector RPL 1", { { 0xc06, OP_OR, 1 } }, 8 },
    { "host TR selector 0000H", { { 0xc0c, OP_SET, 0 } }, 8 },
    { "host SS 0000H without host address-space size",
      { { 0x400c, OP_ANDN, 1u << 9 }, { 0xc04, OP_SET, 0 } }, 8 },
    { "host FS base not canonical", { { 0x6c06, OP_SET, NC } }, 8 },
    { "host address-space size 0 with IA32_EFER.LMA = 1", { { 0x400c, OP_ANDN, 1u << 9 } }, 8 },
    /* (vm_enter writes the host RIP itself: the row's other half) */
    { "host CR4.PAE = 0 with host address-space size 1", { { 0x6c04, OP_ANDN, 1u << 5 } }, 8 },
    /* 27.3.1: guest state */
    { "guest CR4.VMXE = 0 (CR4_FIXED0)", { { 0x6804, OP_ANDN, 1u << 13 } }, 33 },
    { "guest DR7 bit 32 (load debug controls)", { { 0x4012, OP_OR, 1u << 2 }, { 0x681a, OP_SET, 1ull << 32 | 0x400 } }, 33 },
    { "guest CR3 beyond the physical-address width", { { 0x6802, OP_OR, 1ull << 52 } }, 33 },
    { "guest IA32_SYSENTER_EIP not canonical", { { 0x6826, OP_SET, NC } }, 33 },
    { "guest IA32_PAT entry 0 type 2 (load IA32_PAT)", { { 0x4012, OP_OR, 1u << 14 }, { 0x2804, OP_SET, 2 } }, 33 },
    { "guest FS base not canonical", { { 0x680e, OP_SET, NC } }, 33 },
    { "guest SS type 11 (code)", { { 0x4818, OP_OR, 0xb } }, 33 },
    { "guest DS usable with S = 0", { { 0x481a, OP_ANDN, 1u << 4 } }, 33 },
    { "guest TR type 9 (available 64-bit TSS)", { { 0x4822, OP_ANDN, 2 } }, 33 },
    { "guest LDTR usable with type 3", { { 0x4820, OP_SET, 0x83 } }, 33 },
    { "guest GDTR limit bit 16", { { 0x4810, OP_SET, 0x10000 } }, 33 },
    { "guest pending debug exceptions: reserved bit 5", { { 0x6822, OP_SET, 1u << 5 } }, 33 },
    /* more conditions of three rows: the event-injection field (27.2.1.3),
     * RFLAGS (27.3.1.4) and the interruptibility state (27.3.1.5) */
    { "inject an NMI with vector 3", { { 0x4016, OP_SET, 0x80000203u } }, 7 },
    { "inject a hardware exception with vector 32", { { 0x4016, OP_SET, 0x80000320u } }, 7 },
    { "inject #GP without deliver-error-code", { { 0x4016, OP_SET, 0x8000030du } }, 7 },
    { "inject #UD with deliver-error-code", { { 0x4016, OP_SET, 0x80000b06u } }, 7 },
    { "inject with reserved bit 12", { { 0x4016, OP_SET, 0x80001030u } }, 7 },
    { "inject #GP with error-code bit 16", { { 0x4016, OP_SET, 0x80000b0du }, { 0x4018, OP_SET, 0x10000 } }, 7 },
    { "inject INT 20H with instruction length 0", { { 0x4016, OP_SET, 0x80000420u }, { 0x401a, OP_SET, 0 } }, 7 },
    { "inject INT 20H with instruction length 16", { { 0x4016, OP_SET, 0x80000420u }, { 0x401a, OP_SET, 16 } }, 7 },
    { "inject an external interrupt with RFLAGS.IF = 0", { { 0x4016, OP_SET, 0x80000030u } }, 33 },
    { "interruptibility: blocking by STI and by MOV SS", { { 0x4824, OP_SET, 3 }, { 0x6820, OP_SET, 0x202 } }, 33 },
    { "interruptibility: blocking by STI with RFLAGS.IF = 0", { { 0x4824, OP_SET, 1 } }, 33 },
    { "interruptibility: blocking by SMI outside SMM", { { 0x4824, OP_SET, 4 } }, 33 },
    /* more conditions of the guest control-register, MSR, segment,
     * descriptor-table, RFLAGS and pending-debug rows */
    { "guest IA32_DEBUGCTL bit 0 (load debug controls; not modelled: must be 0)",
      { { 0x4012, OP_OR, 1u << 2 }, { 0x2802, OP_SET, 1 } }, 33 },
    { "IA-32e mode guest with CR4.PAE = 0", { { 0x6804, OP_ANDN, 1u << 5 } }, 33 },
    { "guest IA32_SYSENTER_ESP not canonical", { { 0x6824, OP_SET, NC } }, 33 },
    { "guest IA32_EFER reserved bit 1 (load IA32_EFER)", { { 0x4012, OP_OR, 1u << 15 }, { 0x2806, OP_SET, 0xd03 } }, 33 },
    { "guest IA32_EFER.LMA = 0 in an IA-32e mode guest (load IA32_EFER)",
      { { 0x4012, OP_OR, 1u << 15 }, { 0x2806, OP_SET, 0x101 } }, 33 },
    { "guest CS base bit 32", { { 0x6808, OP_SET, 1ull << 32 } }, 33 },
    { "guest TR base not canonical", { { 0x6814, OP_SET, NC } }, 33 },
    { "guest CS DPL 3 (non-conforming: DPL = SS.DPL)", { { 0x4816, OP_OR, 3u << 5 } }, 33 },
    { "guest CS not present", { { 0x4816, OP_ANDN, 1u << 7 } }, 33 },
    { "guest CS access-rights bit 8 (reserved)", { { 0x4816, OP_OR, 1u << 8 } }, 33 },
    { "guest CS with L = 1 and D = 1", { { 0x4816, OP_OR, 1u << 14 } }, 33 },
    { "guest CS limit FFFFF000H with G = 1 (bits 11:0 must be 1)", { { 0x4802, OP_SET, 0xfffff000u } }, 33 },
    /* (failed by the CS row: a non-conforming CS's DPL must be SS.DPL) */
    { "guest SS DPL 3 with SS.RPL 0", { { 0x4818, OP_OR, 3u << 5 } }, 33 },
    { "guest DS type 8 (execute-only code)", { { 0x481a, OP_SET, 0xc098 } }, 33 },
    { "guest DS usable but not present", { { 0x481a, OP_ANDN, 1u << 7 } }, 33 },
    { "guest TR unusable", { { 0x4822, OP_OR, 1u << 16 } }, 33 },
    { "guest TR with S = 1", { { 0x4822, OP_OR, 1u << 4 } }, 33 },
    { "guest LDTR usable with S = 1", { { 0x4820, OP_SET, 0x92 } }, 33 },
    { "guest IDTR base not canonical", { { 0x6818, OP_SET, NC } }, 33 },
    /* (failed by the virtual-8086 row, which RFLAGS.VM selects) */
    { "guest RFLAGS.VM in an IA-32e mode guest", { { 0x6820, OP_SET, 0x20002 } }, 33 },
    { "guest RFLAGS reserved bit 3", { { 0x6820, OP_SET, 0xa } }, 33 },
    { "pending debug BS = 1 with TF = 0 in the HLT state", { { 0x4826, OP_SET, 1 }, { 0x6822, OP_SET, 1u << 14 } }, 33 },
};

static void test_entry_rows(void)
{
    struct gregs g = { 0 };
    vmw(PROC, vmx_adjust(0x48e, 0));
    vmw(PROC2, 0);
    vmw(G_RIP, (uint64_t)g_rf_cpuid);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    vmw(G_RFLAGS, 2);
    uint64_t r = vm_enter(&g, !launched);
    launched = 1;
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10, "entry rows: the unchanged guest enters (CPUID exit)", r ? r : vmr(EXIT_REASON));
    for (unsigned i = 0; i < sizeof entry_rows / sizeof entry_rows[0]; i++) {
        const struct erow *e = &entry_rows[i];
        uint64_t old[2] = { 0, 0 };
        for (unsigned k = 0; k < 2 && e->m[k].field; k++) {
            old[k] = vmr(e->m[k].field);
            uint64_t v = e->m[k].op == OP_SET ? e->m[k].v
                       : e->m[k].op == OP_OR  ? old[k] | e->m[k].v
                                              : old[k] & ~e->m[k].v;
            vmw(e->m[k].field, v);
        }
        vmw(G_RIP, (uint64_t)g_rf_cpuid);
        r = vm_enter(&g, 0);
        uint64_t got = e->want == 33 ? (r ? r : vmr(EXIT_REASON))
                                     : ((r & ~0x100ull) == VMX_ZF ? vmr(INSN_ERROR) : r | 0x1000);
        CHECKX(got == (e->want == 33 ? 0x80000021ull : e->want), e->what, got);
        for (int k = 1; k >= 0; k--)
            if (e->m[k].field)
                vmw(e->m[k].field, old[k]);
    }
    vmw(G_RIP, (uint64_t)g_rf_cpuid);
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10, "entry rows: every field restored, the guest enters again", r ? r : vmr(EXIT_REASON));
}

/* ---- CR3-target values (§26.1.3) and save / load IA32_PAT (§27.3.2.1,
 * §28.3.1, §28.5.1) ---- */
static uint8_t msr_bitmap0[4096] __attribute__((aligned(4096)));

static void test_cr3_pat(void)
{
    struct gregs g = { 0 };
    uint64_t cr3 = read_cr3();
    vmw(G_CR3, cr3);
    /* CR3-load exiting with the guest's CR3 as target value 0: no exit */
    vmw(0x400a, 1);
    vmw(CR3_TARGET0, cr3);
    EQ("MOV to CR3 of CR3-target value 0 (CR3-load exiting): no exit, the VMCALL exits",
       run2(g_cr3t, &g, 1u << 15, 0), 18);
    vmw(CR3_TARGET0, cr3 ^ 0x1000);
    EQ("the same MOV with another target value: CR_ACCESS exit", run2(g_cr3t, &g, 1u << 15, 0), 28);
    EQ("  qualification 3 (MOV to CR3 from RAX)", vmr(EXIT_QUAL), 3);
    vmw(0x400a, 0);
    EQ("CR3-target count 0: the MOV exits", run2(g_cr3t, &g, 1u << 15, 0), 28);
    vmw(CR3_TARGET0, 0);

    /* PAT: loaded at entry, saved and the host's loaded at exit */
    uint64_t h0 = rdmsr(0x277), gpat = 0x0006060606060606ull, gnew = 0x0007050400070504ull,
             h1 = 0x0000000000000406ull;
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 1u << 9 | 1u << 14));
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 1u << 9 | 1u << 18 | 1u << 19));
    vmw(0x2804, gpat);
    vmw(0x2c00, h1);
    vmw(MSR_BM, (uint64_t)msr_bitmap0);
    g.rsi = (uint32_t)gnew;
    g.rdi = gnew >> 32;
    EQ("load IA32_PAT: the guest's RDMSR / WRMSR 277H (MSR bitmap clear), VMCALL exit",
       run2(g_pat, &g, 1u << 28, 0), 18);
    EQ("  the guest read the guest-PAT field", g.r8 | g.r9 << 32, gpat);
    EQ("  save IA32_PAT: the field holds what the guest wrote", vmr(0x2804), gnew);
    uint64_t hp = rdmsr(0x277);
    wrmsr(0x277, h0);
    EQ("  load IA32_PAT at exit: the host's PAT is the host-PAT field", hp, h1);
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 1u << 9));
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 1u << 9));
}

/* ---- VMREAD / VMWRITE with memory operands ---- */

static uint64_t vmwrite_m(uint64_t field, const uint64_t *m)
{
    return VMXT_FL("vmwrite %1, %2", "m"(*m), "r"(field));
}
static uint64_t vmread_m(uint64_t field, uint64_t *m)
{
    uint64_t fl;
    __asm__ volatile("vmread %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl), "=m"(*m) : "r"(field) : "cc");
    return fl & (VMX_CF | VMX_ZF);
}

static void test_vmrw_mem(void)
{
    uint64_t m = 0x123456789abcdef0ull, out = ~0ull;
    EQ("VMWRITE from memory (CR3-target 0, natural width): succeeds", vmwrite_m(CR3_TARGET0, &m), 0);
    EQ("  VMREAD to a register reads the 64 bits", vmr(CR3_TARGET0), m);
    EQ("VMREAD to memory: succeeds", vmread_m(CR3_TARGET0, &out), 0);
    EQ("  the 8 bytes stored", out, m);
    m = 0xffffffff1234abcdull;
    EQ("VMWRITE from memory to a 16-bit field (VPID): succeeds", vmwrite_m(V_VPID, &m), 0);
    EQ("  the field keeps the low 16 bits", vmr(V_VPID), 0xabcd);
    out = ~0ull;
    EQ("VMREAD of the 16-bit field to memory", vmread_m(V_VPID, &out), 0);
    EQ("  zero-extended to 64 bits", out, 0xabcd);
    vmw(V_VPID, 0);
    m = 0x11223344ull;
    EQ("VMWRITE from memory, access type high (TSC offset 2011H)", vmwrite_m(TSC_OFFSET | 1, &m), 0);
    EQ("  the high half written", vmr(TSC_OFFSET), 0x1122334400000000ull);
    vmw(TSC_OFFSET, 0);
    m = 5;
    EQ("VMWRITE from memory to a read-only field (exit reason): VMfailValid", vmwrite_m(EXIT_REASON, &m), VMX_ZF);
    EQ("  VM-instruction error 13", vmr(INSN_ERROR), 13);
    EQ("VMWRITE from memory to an unsupported field (6FFEH): VMfailValid", vmwrite_m(0x6ffe, &m), VMX_ZF);
    EQ("  VM-instruction error 12", vmr(INSN_ERROR), 12);
    /* the memory source is read before the field is looked at: a
     * non-canonical operand is #GP(0) even for an unsupported field */
    EXPECT_EXC("VMWRITE from a non-canonical address to an unsupported field: #GP(0) before error 12", 13, 0,
               "vmwrite (%%rsi), %%rdi", "S"(0x8000000000000000ull), "D"(0x6ffeull));
    /* base + index * scale + displacement, through an asm operand */
    uint64_t arr[4] = { 0, 0, 0, 0x5151 };
    uint64_t fl;
    __asm__ volatile("vmwrite 8(%1,%2,8), %3\n\tpushfq\n\tpopq %0"
                     : "=r"(fl) : "r"(arr), "r"(1ull), "r"((uint64_t)CR3_TARGET0), "m"(arr) : "cc");
    EQ("VMWRITE 8(base,index,8): succeeds", fl & (VMX_CF | VMX_ZF), 0);
    EQ("  the operand at base + 16 written", vmr(CR3_TARGET0), 0);
    __asm__ volatile("vmwrite 8(%1,%2,8), %3\n\tpushfq\n\tpopq %0"
                     : "=r"(fl) : "r"(arr), "r"(2ull), "r"((uint64_t)CR3_TARGET0), "m"(arr) : "cc");
    EQ("  with index 2: base + 24 (5151H)", vmr(CR3_TARGET0), 0x5151);
    vmw(CR3_TARGET0, 0);

    /* in a guest: the exits with their instruction information */
    struct gregs g = { 0 };
    g.rax = 0x1000;
    g.rbx = 3;
    g.rcx = 0x681e;
    EQ("VMWRITE 10H(%rax,%rbx,4), %rcx in the guest: reason 25", run2(g_vmwrite_sib, &g, 0, 0), 25);
    /* Table 28-13: scaling 2 (x4), address size 64, memory, DS, index RBX,
     * base RAX, Reg2 RCX */
    EQ("  instruction information 1019 8102H", vmr(EXIT_INSN_INFO) & 0xffff8783u,
       2u | 2u << 7 | 3u << 15 | 3u << 18 | 0u << 23 | 1u << 28);
    EQ("  qualification: the displacement 10H", vmr(EXIT_QUAL), 0x10);
    g = (struct gregs){ 0 };
    g.rdi = 0x681e;
    g.rdx = 4;
    EQ("VMREAD %rdi, %fs:-8(%rsp,%rdx,2) in the guest: reason 23", run2(g_vmread_fs, &g, 0, 0), 23);
    EQ("  instruction information: scaling 1, FS, index RDX, base RSP, Reg2 RDI",
       vmr(EXIT_INSN_INFO) & 0xffff8783u, 1u | 2u << 7 | 4u << 15 | 2u << 18 | 4u << 23 | 7u << 28);
    EQ("  qualification: the displacement -8 sign-extended", vmr(EXIT_QUAL), (uint64_t)-8);
}

/* ---- INVPCID in non-root operation ---- */

static void test_invpcid(void)
{
    static uint64_t desc[8] __attribute__((aligned(16)));
    struct gregs g = { 0 };
    uint32_t r[4];
    cpuid(7, 0, r);
    CHECK(r[1] & (1u << 10), "CPUID.7:EBX.INVPCID");
    CHECK((rdmsr(0x48b) >> 32) & PROC2_INVPCID, "IA32_VMX_PROCBASED_CTLS2 allows enable INVPCID");
    g.rax = (uint64_t)desc - 0x20 - 8;
    g.rcx = 1; /* descriptor at rax + 8 + 20H */
    g.rdx = 2; /* all contexts, globals included */
    vmw(EXC_BITMAP, 1u << 6 | 1u << 13);
    vmw(G_CR4, read_cr4() & ~(1ull << 17)); /* CR4.PCIDE = 0 */
    vmw(V_VPID, 1);
    EQ("INVPCID without enable INVPCID: #UD exit", run2(g_invpcid, &g, 0, 1u << 5 /* VPID */), 0);
    EQ("  interruption information 80000306H", vmr(EXIT_INTR_INFO), 0x80000306u);
    EQ("  RIP at the INVPCID", vmr(G_RIP), (uint64_t)g_invpcid);
    EQ("INVPCID type 2 with enable INVPCID: runs, the VMCALL exits",
       run2(g_invpcid, &g, 0, PROC2_INVPCID | 1u << 5), 18);
    desc[0] = 5; /* PCID 5 with CR4.PCIDE = 0: #GP(0) for type 0 / 1 */
    g.rdx = 1;
    EQ("INVPCID type 1, PCID 5, CR4.PCIDE = 0: its own #GP exits", run2(g_invpcid, &g, 0, PROC2_INVPCID | 1u << 5), 0);
    EQ("  interruption information 80000B0DH, error code 0", vmr(EXIT_INTR_INFO), 0x80000b0du);
    desc[0] = 0;
    g.rdx = 2;
    EQ("INVPCID with INVLPG exiting: reason 58", run2(g_invpcid, &g, INVLPG_EXITING, PROC2_INVPCID | 1u << 5), 58);
    /* Table 28-13: scaling 3 (x8), address size 64, DS, index RCX, base RAX, Reg2 RDX */
    EQ("  instruction information", vmr(EXIT_INSN_INFO) & 0xffff8383u,
       3u | 2u << 7 | 3u << 15 | 1u << 18 | 0u << 23 | 2u << 28);
    EQ("  qualification: the displacement 20H", vmr(EXIT_QUAL), 0x20);
    EQ("  instruction length 7 (66 0F 38 82 /r SIB disp8)", vmr(EXIT_INSN_LEN), 7);
    vmw(EXC_BITMAP, 0);
    vmw(V_VPID, 0);
    vmw(G_CR4, read_cr4());
}

/* INVPCID's invalidations in non-root operation act on the guest's VPID,
 * in root operation on VPID 0 (SDM vol. 3C §29.4.3.1): linear 4 GiB, which
 * a page table of this test maps (PDPTE 4 of the boot tables), first onto
 * page X; the host remaps it to Y without invalidating. A stale entry may
 * survive (the SDM allows, the model's tagged TLB keeps it, docs/vmx.md
 * "TLB") until an invalidation that names it. */
static uint64_t tlb_pd[512] __attribute__((aligned(4096)));
static uint64_t tlb_pt[512] __attribute__((aligned(4096)));
static volatile uint64_t tlb_x[512] __attribute__((aligned(4096)));
static volatile uint64_t tlb_y[512] __attribute__((aligned(4096)));
/* linear 4 GiB + 9BH pages: with the guest's TLB context the second
 * (index scramble 5BH, x86_cpu.h X86_TLB_CTX_XOR) its slot is C0H, which
 * no page of this kernel (1 MiB + less than 256 KiB) shares, so no host
 * access evicts the guest's entry: the model's 256-entry TLB is direct-mapped */
#define TLB_LA 0x10009b000ull
#define TLB_PTE tlb_pt[0x9b]

static void test_invpcid_tlb(void)
{
    static uint64_t desc[2] __attribute__((aligned(16)));
    uint64_t *pdpt = (uint64_t *)(*(uint64_t *)(read_cr3() & ~0xfffull) & 0x000ffffffffff000ull);
    tlb_x[0] = 0x1111;
    tlb_y[0] = 0x2222;
    tlb_pd[0] = (uint64_t)tlb_pt | 3;
    TLB_PTE = (uint64_t)tlb_x | 3;
    pdpt[4] = (uint64_t)tlb_pd | 3;
    struct gregs g = { 0 };
    uint32_t p2 = PROC2_INVPCID | 1u << 5; /* enable INVPCID, enable VPID */
    vmw(V_VPID, 1);
    g.rsi = TLB_LA;
    EQ("guest (VPID 1) reads linear 4 GiB: VMCALL", run2(g_tlbrd, &g, 0, p2), 18);
    EQ("  through page X", g.rax, 0x1111);
    TLB_PTE = (uint64_t)tlb_y | 3; /* no invalidation */
    EQ("remapped to Y, no invalidation: the guest still reads X (its VPID's entry)",
       (run2(g_tlbrd, &g, 0, p2), g.rax), 0x1111);
    CHECKX(*(volatile uint64_t *)TLB_LA == 0x2222, "the host (VPID 0, no entry yet) reads Y",
           *(volatile uint64_t *)TLB_LA);
    desc[0] = 0;
    desc[1] = TLB_LA;
    __asm__ volatile("invpcid %0, %1" ::"m"(desc), "r"(0ull) : "memory");
    EQ("INVPCID type 0 in root operation (VPID 0): the guest still reads X",
       (run2(g_tlbrd, &g, 0, p2), g.rax), 0x1111);
    g.rdi = (uint64_t)desc;
    g.rdx = 0; /* individual address */
    EQ("the guest's INVPCID type 0 for the address: then it reads Y",
       (run2(g_invpcid_rd, &g, 0, p2), g.rax), 0x2222);
    TLB_PTE = (uint64_t)tlb_x | 3;
    EQ("remapped to X: the guest reads stale Y", (run2(g_tlbrd, &g, 0, p2), g.rax), 0x2222);
    g.rdx = 2; /* all contexts, globals included */
    EQ("the guest's INVPCID type 2: then it reads X", (run2(g_invpcid_rd, &g, 0, p2), g.rax), 0x1111);
    TLB_PTE = (uint64_t)tlb_y | 3;
    g.rdx = 3; /* all contexts but globals */
    EQ("remapped to Y, the guest's INVPCID type 3: it reads Y", (run2(g_invpcid_rd, &g, 0, p2), g.rax), 0x2222);
    pdpt[4] = 0;
    __asm__ volatile("invpcid %0, %1" ::"m"(desc), "r"(2ull) : "memory");
    invvpid(2, 1, 0); /* single context: VPID 1 */
    vmw(V_VPID, 0);
}

/* ---- EPT identity: guest-physical 0-1 GiB onto host-physical ---- */

static void ept_identity(void)
{
    ept_pml4[0] = (uint64_t)ept_pdpt | 7;
    ept_pdpt[0] = 0 | 7 | 6u << 3 | 1u << 7; /* a 1-GByte page, RWX, WB */
    eptp = (uint64_t)ept_pml4 | 3u << 3 | 6;
    invept(2, 0);
}

/* ---- a real-mode guest with DS unusable ---- */

static void test_real_unusable(void)
{
    CHECK((rdmsr(0x48b) >> 32) & PROC2_UG, "unrestricted guest reported");
    volatile uint8_t *code = low(0x20000); /* 2000:0000 (below 0x8000: the boot page tables) */
    for (const uint8_t *p = (const uint8_t *)g_rm; p < (const uint8_t *)g_rm_end; p++)
        *code++ = *p;
    *low(0x12350) = 0x5a; /* DS:0010 with DS = 1234H */
    struct gregs g = { 0 };
    vmw(PROC, vmx_adjust(0x48e, 1u << 31));
    vmw(PROC2, PROC2_EPT | PROC2_UG);
    vmw(V_EPTP, eptp);
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 0));
    vmw(G_CR0, 0x30);
    vmw(G_CR3, 0);
    vmw(G_CR4, 1u << 13);
    vmxt_seg(K_CS, 0x2000, 0x20000, 0xffff, 0x9b);
    vmxt_seg(K_SS, 0x2000, 0x20000, 0xffff, 0x93);
    vmxt_seg(K_ES, 0x2000, 0x20000, 0xffff, 0x93);
    vmxt_seg(K_FS, 0x2000, 0x20000, 0xffff, 0x93);
    vmxt_seg(K_GS, 0x2000, 0x20000, 0xffff, 0x93);
    vmxt_seg(K_DS, 0, 0, 0, 0x10000); /* unusable */
    vmxt_seg(K_LDTR, 0, 0, 0, 0x10000);
    vmxt_seg(K_TR, 0, 0, 0xffff, 0x8b);
    vmw(G_IDTR_BASE, 0);
    vmw(G_IDTR_LIMIT, 0x3ff);
    vmw(G_RIP, 0);
    vmw(G_RSP, 0xff0);
    vmw(G_RFLAGS, 2);
    uint64_t r = vm_enter(&g, !launched);
    launched = 1;
    CHECKX(r == 0, "real-mode guest with DS unusable enters", r | vmr(INSN_ERROR) << 16);
    EQ("MOV DS, AX then MOV BL, [10H] in real mode: the CPUID exits", vmr(EXIT_REASON), 10);
    EQ("  the byte read through DS = 1234H (linear 12350H)", g.rbx & 0xff, 0x5a);
    EQ("  guest DS selector 1234H", vmr(G_ES_SEL + 2 * K_DS), 0x1234);
    EQ("  guest DS base 12340H", vmr(G_ES_BASE + 2 * K_DS), 0x12340);
    EQ("  guest DS access rights 93H: usable (bit 16 clear), present, read/write, accessed",
       vmr(G_ES_AR + 2 * K_DS), 0x93);
    EQ("  guest DS limit FFFFH", vmr(G_ES_LIMIT + 2 * K_DS), 0xffff);
    EQ("  guest ES (usable, loaded at entry) unchanged: access rights 93H", vmr(G_ES_AR + 2 * K_ES), 0x93);
}

/* ---- PAE paging guests: the guest PDPTE fields ---- */

static uint64_t pae_pdpt[512] __attribute__((aligned(4096)));
static uint64_t pae_pd_a[512] __attribute__((aligned(4096)));
static uint64_t pae_pd_b[512] __attribute__((aligned(4096)));
static uint64_t pae_pt_a[512] __attribute__((aligned(4096)));
static uint64_t pae_pt_b[512] __attribute__((aligned(4096)));
static uint64_t pae_pdpt_bad[512] __attribute__((aligned(4096)));
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));

/* A 32-bit PAE guest at rip: CR3 = pae_pdpt, its own segments (32-bit
 * code), not IA-32e mode; EPT identity when ept. */
static void pae_setup(uint64_t rip, int ept)
{
    vmxt_setup(rip, (uint64_t)(guest_stack + sizeof guest_stack), 0, ept ? PROC2_EPT : 0, 0, X86T_TSS,
               (uint64_t)&x86t_tss);
    if (ept)
        vmw(V_EPTP, eptp);
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 0)); /* IA-32e mode guest 0 */
    vmw(G_CR0, 0x80000031);                /* PG, NE, ET, PE */
    vmw(G_CR3, (uint64_t)pae_pdpt);
    vmw(G_CR4, 1u << 13 | 1u << 5); /* VMXE, PAE */
    vmxt_seg(K_CS, 0x08, 0, 0xffffffff, 0xc09b);
    for (unsigned k = K_ES; k <= K_DS; k++)
        if (k != K_CS)
            vmxt_seg(k, 0x10, 0, 0xffffffff, 0xc093);
    vmw(G_RFLAGS, 2);
    for (unsigned i = 0; i < 4; i++)
        vmw(G_PDPTE0 + 2 * i, 0);
}

/* PD identity with 2-MByte pages (0-1 GiB), but its last entry a page
 * table whose first entry maps linear 3FE00000H onto page */
static void pae_pd(uint64_t *pd, uint64_t *pt, volatile uint64_t *page)
{
    for (uint64_t i = 0; i < 511; i++)
        pd[i] = i << 21 | 0x83;
    pd[511] = (uint64_t)pt | 3;
    pt[0] = (uint64_t)page | 3;
}

static void test_pae(void)
{
    page_a[0] = 0xaaaa0001;
    page_b[0] = 0xbbbb0002;
    pae_pd(pae_pd_a, pae_pt_a, page_a);
    pae_pd(pae_pd_b, pae_pt_b, page_b);
    pae_pdpt[0] = (uint64_t)pae_pd_a | 1;
    struct gregs g = { 0 };

    /* with EPT: the PDPTEs come from the fields, not from the table */
    pae_setup((uint64_t)g_pae_read, 1);
    vmw(G_PDPTE0, (uint64_t)pae_pd_b | 1);
    uint64_t r = vm_enter(&g, !launched);
    launched = 1;
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10, "PAE guest with EPT: entry, CPUID exit", r ? r : vmr(EXIT_REASON));
    EQ("  linear 3FE00000H read through PDPTE0 from the VMCS field (page B), not the table at CR3",
       g.rax & 0xffffffff, 0xbbbb0002);
    EQ("  the exit saves the PDPTE in use into guest PDPTE0", vmr(G_PDPTE0), (uint64_t)pae_pd_b | 1);
    vmw(G_RIP, (uint64_t)g_pae_reload);
    g.rax = 0;
    EQ("MOV to CR3 in the guest reloads the PDPTEs from memory: CPUID exit", resume(&g), 10);
    EQ("  the read now goes through the table's PDPTE0 (page A)", g.rax & 0xffffffff, 0xaaaa0001);
    EQ("  the exit saves the reloaded PDPTE0", vmr(G_PDPTE0), (uint64_t)pae_pd_a | 1);
    EQ("  and PDPTE1 (not present in the table)", vmr(G_PDPTE0 + 2), 0);

    /* SDM vol. 3A §4.4.1: MOV to CR4 reloads the PDPTEs only when it
     * changes PAE, PGE, PSE or SMEP (its TLB flush makes the read walk) */
    pae_setup((uint64_t)g_pae_tsd, 1);
    vmw(G_PDPTE0, (uint64_t)pae_pd_b | 1);
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && (uint32_t)g.rax == 0xbbbb0002,
           "MOV to CR4 changing TSD only: the PDPTEs of the entry stay (page B)",
           r ? r : vmr(EXIT_REASON) | g.rax << 32);
    EQ("  saved PDPTE0: the field's", vmr(G_PDPTE0), (uint64_t)pae_pd_b | 1);
    vmw(G_RIP, (uint64_t)g_pae_pge);
    EQ("MOV to CR4 changing PGE: a reload from the table, CPUID exit", resume(&g), 10);
    EQ("  the read goes through the table's PDPTE0 (page A)", g.rax & 0xffffffff, 0xaaaa0001);
    EQ("  saved PDPTE0: the table's", vmr(G_PDPTE0), (uint64_t)pae_pd_a | 1);

    /* the PDPTEs are registers: loaded by MOV to CR3, not re-read when the
     * table changes afterwards (SDM vol. 3A §4.4.1) */
    pae_setup((uint64_t)g_pae_stale, 1);
    vmw(G_PDPTE0, (uint64_t)pae_pd_b | 1);
    g.rcx = (uint64_t)pae_pdpt;
    g.rdx = (uint64_t)pae_pd_b | 1;
    g.rax = 0;
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && (uint32_t)g.rax == 0xaaaa0001,
           "MOV to CR3 loads PDPTE0 (page A); the table rewritten to page B, INVLPG: the read still gives A",
           r ? r : vmr(EXIT_REASON) | g.rax << 32);
    EQ("  the table in memory holds B's", pae_pdpt[0], (uint64_t)pae_pd_b | 1);
    EQ("  saved PDPTE0: the register (A's)", vmr(G_PDPTE0), (uint64_t)pae_pd_a | 1);
    pae_pdpt[0] = (uint64_t)pae_pd_a | 1;
    /* MOV to CR3 with a present PDPTE with a reserved bit: #GP(0) */
    pae_pdpt_bad[0] = (uint64_t)pae_pd_a | 1 | 1u << 7;
    pae_setup((uint64_t)g_pae_cr3, 1);
    vmw(G_PDPTE0, (uint64_t)pae_pd_a | 1); /* the code is fetched through it */
    vmw(EXC_BITMAP, 1u << 13);
    g.rcx = (uint64_t)pae_pdpt_bad;
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 0 && vmr(EXIT_INTR_INFO) == 0x80000b0du,
           "MOV to CR3, a PDPTE with bit 7 set: #GP(0) exit (80000B0DH)", r ? r : vmr(EXIT_INTR_INFO));
    EQ("  RIP at the MOV", vmr(G_RIP), (uint64_t)g_pae_cr3);
    EQ("  guest CR3 unchanged", vmr(G_CR3), (uint64_t)pae_pdpt);
    vmw(EXC_BITMAP, 0);
    /* MOV to CR3 with the table where EPT maps nothing (1 GiB): an EPT
     * violation on the PDPTE load, no guest-linear address */
    g.rcx = 0x40000000;
    vmw(G_RIP, (uint64_t)g_pae_cr3);
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 48, "MOV to CR3 with the table at GPA 40000000H (no EPT mapping): exit 48",
           r ? r : vmr(EXIT_REASON));
    EQ("  qualification: a read, no guest-linear address (bits 7 and 0: 1)", vmr(EXIT_QUAL) & 0x187, 1);
    EQ("  guest-physical address 40000000H", vmr(0x2400), 0x40000000);
    EQ("  RIP at the MOV, CR3 unchanged", vmr(G_RIP) ^ vmr(G_CR3), (uint64_t)g_pae_cr3 ^ (uint64_t)pae_pdpt);
    EQ("  saved RFLAGS.RF = 1 (an EPT violation outside event delivery, §28.3.3)", vmr(G_RFLAGS) & RF, RF);

    /* the entry checks of §27.3.1.6 */
    pae_setup((uint64_t)g_pae_read, 1);
    vmw(G_PDPTE0, (uint64_t)pae_pd_b | 1);
    vmw(G_PDPTE0 + 2, (uint64_t)pae_pd_b | 1 | 2); /* P and bit 1 (reserved) */
    r = vm_enter(&g, 0);
    EQ("EPT, guest PDPTE1 present with bit 1 set: failed entry (exit 33)", r ? r : vmr(EXIT_REASON), 0x80000021u);
    EQ("  qualification 2 (PDPTEs)", vmr(EXIT_QUAL), 2);
    vmw(G_PDPTE0 + 2, 1ull << 63 | 1);
    r = vm_enter(&g, 0);
    EQ("EPT, guest PDPTE1 present with bit 63 set: exit 33", r ? r : vmr(EXIT_REASON), 0x80000021u);
    EQ("  qualification 2", vmr(EXIT_QUAL), 2);
    vmw(G_PDPTE0 + 2, 0x1e6); /* not present: its other bits are ignored */
    pae_pdpt[1] = 0x1e6 | 1;   /* the table is not looked at with EPT */
    g.rax = 0;
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && (uint32_t)g.rax == 0xbbbb0002,
           "EPT: a not-present field with reserved bits and a bad PDPTE in the table: the entry passes",
           r ? r : vmr(EXIT_REASON) | g.rax << 32);
    /* IA-32e mode guest: no PAE paging, the fields are not looked at */
    vmxt_setup((uint64_t)g_io_after, (uint64_t)(guest_stack + sizeof guest_stack), 0, PROC2_EPT, 0,
               X86T_TSS, (uint64_t)&x86t_tss);
    vmw(V_EPTP, eptp);
    vmw(G_PDPTE0, 0x1e7);
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 18, "a 64-bit guest: the PDPTE fields are not checked (VMCALL exits)",
           r ? r : vmr(EXIT_REASON));

    /* without EPT: the table at CR3 is checked, and used */
    pae_setup((uint64_t)g_pae_read, 0);
    vmw(G_PDPTE0 + 2, 0x1e7); /* fields: not used without EPT */
    r = vm_enter(&g, 0);
    EQ("no EPT, table PDPTE1 present with reserved bits: exit 33", r ? r : vmr(EXIT_REASON), 0x80000021u);
    EQ("  qualification 2", vmr(EXIT_QUAL), 2);
    pae_pdpt[1] = 0;
    g.rax = 0;
    r = vm_enter(&g, 0);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && (uint32_t)g.rax == 0xaaaa0001,
           "no EPT, the table fixed: the entry passes, the read goes through the table (page A)",
           r ? r : vmr(EXIT_REASON) | g.rax << 32);
}

#else
/* ---- a VMX abort (§28.7) ---- */

static uint64_t msr_area[2] __attribute__((aligned(16), unused)); /* not with VMX_ABORT=2 */

static _Noreturn void vmx_abort_test(void)
{
    /* what runs after the machine reset: IVT vector 6 -> 3100:0000,
     * mov ax, 3000H; mov ds, ax; mov al, [4]; out F4H, al; hlt (the
     * indicator's low byte; 2000H-7FFFH hold the boot page tables) */
    static const uint8_t handler[] = { 0xb8, 0x00, 0x30, 0x8e, 0xd8, 0xa0, 0x04, 0x00, 0xe6, 0xf4, 0xf4 };
    for (unsigned i = 0; i < sizeof handler; i++)
        low(0x31000)[i] = handler[i];
    *(volatile uint32_t *)low(0x18) = 0x31000000;
    /* the VMCS region at 30000H, where real mode can read it */
    volatile uint8_t *region = low(0x30000);
    for (unsigned i = 0; i < 4096; i++)
        region[i] = 0;
    *(volatile uint32_t *)region = *(uint32_t *)vmxon_region;
    CHECK(vmclear(0x30000) == 0 && vmptrld(0x30000) == 0, "VMCS at 30000H");
    vmxt_setup((uint64_t)g_io_after, (uint64_t)(guest_stack + sizeof guest_stack), 0, 0, 0, X86T_TSS,
               (uint64_t)&x86t_tss);
#if VMX_ABORT == 2
    /* a 32-bit PAE host (host address-space size 0) whose host CR3 has a
     * present PDPTE with bit 1 (reserved) set: the exit's host-PDPTE check
     * (§28.5.4) aborts. The VMCS is made here, then VMCLEARed; the host
     * leaves IA-32e mode, VMXON, VMPTRLD, VMLAUNCH (h32_launch) */
    for (unsigned i = 0; i < 4; i++)
        h32_pdpt[i] = (0x4000ull + 0x1000ull * i) | 1;
    h32_bad_pdpt[0] = 0x4000 | 1 | 2;
    static uint8_t h32_stack2[1024] __attribute__((aligned(16)));
    uint64_t stack = (uint64_t)(h32_stack2 + sizeof h32_stack2);
    vmw(G_RIP, (uint64_t)g32_cpuid);
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 0)); /* not IA-32e mode */
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 0));  /* host address-space size 0 */
    vmw(G_CR0, 0x80000031);
    vmw(G_CR3, (uint64_t)h32_pdpt);
    vmw(G_CR4, 1u << 13 | 1u << 5);
    vmxt_seg(1, 0x08, 0, 0xffffffff, 0xc09b);
    vmw(0x6c02, (uint64_t)h32_bad_pdpt); /* host CR3 */
    vmw(0x6c04, 1u << 13 | 1u << 5);     /* host CR4: VMXE, PAE */
    vmw(0xc02, X86T_KCODE32);            /* host CS: 32-bit code */
    vmw(0x6c14, stack);                  /* host RSP */
    vmw(0x6c16, (uint64_t)h32_host_rip); /* host RIP */
    EQ("indicator 0 before the exit", *(volatile uint32_t *)(region + 4), 0);
    CHECK(vmclear(0x30000) == 0 && vmxoff() == 0, "VMCLEAR, VMXOFF in IA-32e mode");
    h32_vmxon_pa = (uint64_t)vmxon_region;
    h32_vmcs_pa = 0x30000;
    if (x86t_failures) {
        x86t_report("vmx-abort");
        x86t_exit(1);
    }
    x86t_puts("x86 vmx-abort: the 32-bit host's CPUID exit aborts now\n");
    x86t_far_call((uint64_t)h32_launch, X86T_KCODE32, X86T_KDATA, stack, 2);
    x86t_puts("x86 vmx-abort: FAILED: the 32-bit host came back\n");
    x86t_exit(1);
#elif VMX_ABORT == 1
    msr_area[0] = 0x802; /* x2APIC ID: not storable on VM exits (§28.4) */
    vmw(EXIT_MSR_STORE_ADDR, (uint64_t)msr_area);
    vmw(EXIT_MSR_STORE_COUNT, 1);
#else
    msr_area[0] = 0xc0000100u; /* IA32_FS_BASE: not loadable on VM exits (§28.6) */
    vmw(EXIT_MSR_LOAD_ADDR, (uint64_t)msr_area);
    vmw(EXIT_MSR_LOAD_COUNT, 1);
#endif
    EQ("indicator 0 before the exit", *(volatile uint32_t *)(region + 4), 0);
    if (x86t_failures) {
        x86t_report("vmx-abort");
        x86t_exit(1);
    }
    x86t_puts("x86 vmx-abort: the VMCALL exit aborts now\n");
    struct gregs g = { 0 };
    vm_enter(&g, 1);
    x86t_puts("x86 vmx-abort: FAILED: the exit came back\n");
    x86t_exit(1);
}
#endif

int kmain(void)
{
    x86t_puts("x86 vmx-gaps: start\n");
    x86t_idt_init();
    x86t_sys_init();
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 5))) {
        x86t_puts("x86 vmx-gaps: no VMX\n");
        x86t_exit(1);
    }
    CHECK(vmx_on(vmxon_region) == 0, "vmxon");
#ifdef VMX_ABORT
    vmx_abort_test();
#else
    *(uint32_t *)vmcs = *(uint32_t *)vmxon_region;
    CHECK(vmclear((uint64_t)vmcs) == 0, "vmclear");
    CHECK(vmptrld((uint64_t)vmcs) == 0, "vmptrld");
    vmxt_setup((uint64_t)g_io, (uint64_t)(guest_stack + sizeof guest_stack), 0, 0, 0, X86T_TSS,
               (uint64_t)&x86t_tss);
    ept_identity();
    test_db();
    test_rf();
    test_entry_rows();
    test_cr3_pat();
    test_vmrw_mem();
    test_invpcid();
    test_invpcid_tlb();
    test_real_unusable();
    test_pae();
    CHECK(vmclear((uint64_t)vmcs) == 0, "vmclear at the end");
    CHECK(vmxoff() == 0, "vmxoff");
    test_vmwrite32();
    return x86t_report("vmx-gaps");
#endif
}
