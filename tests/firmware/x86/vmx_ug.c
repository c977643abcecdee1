/* "Unrestricted guest" (docs/vmx.md "Unrestricted guest"; SDM vol. 3C
 * §25.6.2 Table 25-7 bit 7, §26.6, the VM-entry checks of §27.2.1.1,
 * §27.2.1.3, §27.3.1.1-2, event injection in real mode §27.6.1): run by
 * tests/e2e/t_x86_vmx_ug.sh with [cpu] vmx = on.
 *
 *   - the capability bit, and each entry check that "unrestricted guest"
 *     adds or relaxes failing in turn (VMfailValid 7 for the controls and
 *     the injection field, exit reason 33 for the guest state), the
 *     relaxed ones passing (CS type 3, SS/DS RPL vs DPL), a protected-mode
 *     guest without paging and a virtual-8086 guest with its own segment
 *     rules;
 *   - a guest that starts in real mode at CS:IP = 1000H:0000H as a boot
 *     loader does: it prints through I/O exits (COM1 in the I/O bitmap),
 *     takes INT 40H, a #UD and an intercepted #GP through its real-mode
 *     IVT (the #GP exit has no error code; the host injects it back,
 *     first refused with deliver-error-code = 1), halts (HLT exit) and
 *     takes an injected external interrupt through the IVT; then it loads
 *     a GDT, sets CR0.PE (guest-owned: no exit; NE host-owned, hidden by
 *     the read shadow), far-jumps to 32-bit code, builds page tables, sets
 *     CR4.PAE and EFER.LME and sets CR0.PG, which the host owns: a CR
 *     access exit; the host refuses two inconsistent entries ("IA-32e
 *     mode guest" vs CR0.PG / EFER.LME) and then completes the switch to
 *     long mode; the guest far-jumps to 64-bit code, reads CR0 through
 *     the shadow and ends with VMCALL;
 *   - the same guest twice: EPT mapping guest-physical 0-1FFFFH at an
 *     offset (a host buffer) with "load/save IA32_EFER", and EPT identity
 *     (the code copied to physical 10000H) without them.
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"
#include "x86t_smp.h"

enum { K_ES, K_CS, K_SS, K_DS, K_FS, K_GS, K_LDTR, K_TR }; /* vmxt_seg's segment numbers */

#define GUEST_SEG 0x1000u  /* the guest's code segment: CS:IP = 1000H:0 */
#define GUEST_CODE 0x10000u /* its guest-physical address */

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint8_t io_a[4096] __attribute__((aligned(4096)));
static uint8_t io_b[4096] __attribute__((aligned(4096)));
static uint8_t msr_bitmap[4096] __attribute__((aligned(4096)));
static uint8_t gmem[0x20000] __attribute__((aligned(4096))); /* guest-physical 0-1FFFFH (offset mode) */
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t ept_pd[512] __attribute__((aligned(4096)));
static uint64_t ept_pt[512] __attribute__((aligned(4096)));
static uint64_t eptp;
static volatile uint64_t gbase; /* host-physical address of guest-physical 0 */

/* The guest, assembled here and copied to guest-physical 10000H. Offsets
 * are from ug_start (= IP in segment 1000H); 32- and 64-bit code runs
 * with base-0 segments at GUEST_CODE + offset. */
extern const uint8_t ug_start[], ug_end[], ug_gp_insn[], ug_hlt_insn[], ug_pg_insn[], ug_probe16[],
    ug_probe32[], ug_h_int40[], ug_h_ud[], ug_h_gp[], ug_h_ext[], ug_cnt_int40[], ug_cnt_ud[],
    ug_cnt_gp[], ug_cnt_ext[], ug_cr0_seen[], ug_gdt[], ug_h_nmi[], ug_nmi_cpuid[], ug_cnt_nmi[],
    ug_int41[], ug_iret[], ug_to_real[], ug_rd32[];
__asm__(".section .rodata.ug,\"a\"\n"
        ".code16\n"
        ".globl ug_start\nug_start:\n\t"
        "mov %cs, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\tmov $0xf000, %sp\n\t"
        "mov $(ug_msg_real - ug_start), %si\n\tcall ug_puts16\n\t"
        "int $0x40\n\t"                         /* through the IVT, no exit */
        "ud2\n\t"                               /* #UD through the IVT */
        ".globl ug_gp_insn\nug_gp_insn:\n\t"
        "mov 0xffff, %ax\n\t"                   /* a word at DS:FFFFH: #GP (exits) */
        "sti\n\tnop\n\t"
        ".globl ug_hlt_insn\nug_hlt_insn:\n\t"
        "hlt\n\t"                               /* HLT exit; the host injects 30H */
        "cli\n\t"
        /* to protected mode as a boot loader does */
        "lgdtl (ug_gdtr - ug_start)\n\t"
        "mov %cr0, %eax\n\tor $1, %al\n\tmov %eax, %cr0\n\t"
        "ljmpl $0x08, $(ug_pm32 - ug_start + 0x10000)\n"
        /* real-mode helpers and IVT handlers */
        "ug_puts16:\n\t"
        "lodsb\n\ttest %al, %al\n\tjz 1f\n\tmov $0x3f8, %dx\n\tout %al, %dx\n\tjmp ug_puts16\n"
        "1:\tret\n"
        ".globl ug_h_int40\nug_h_int40:\n\t"
        "incw %cs:(ug_cnt_int40 - ug_start)\n\tiret\n"
        ".globl ug_h_ud\nug_h_ud:\n\t"
        "push %bp\n\tmov %sp, %bp\n\taddw $2, 2(%bp)\n\tpop %bp\n\t"
        "incw %cs:(ug_cnt_ud - ug_start)\n\tiret\n"
        ".globl ug_h_gp\nug_h_gp:\n\t" /* no error code on the stack: the frame is IP, CS, FLAGS */
        "push %bp\n\tmov %sp, %bp\n\taddw $3, 2(%bp)\n\tpop %bp\n\t"
        "incw %cs:(ug_cnt_gp - ug_start)\n\tiret\n"
        ".globl ug_h_ext\nug_h_ext:\n\t"
        "incw %cs:(ug_cnt_ext - ug_start)\n\tiret\n"
        /* NMI: CPUID inside the handler (blocking by NMI), then IRET */
        ".globl ug_h_nmi\nug_h_nmi:\n\t"
        "incw %cs:(ug_cnt_nmi - ug_start)\n"
        ".globl ug_nmi_cpuid\nug_nmi_cpuid:\n\t"
        "cpuid\n\tiret\n"
        /* the probes of the entry checks: real mode / virtual-8086 */
        ".globl ug_probe16\nug_probe16:\n\t"
        "nop\n\tnop\n\tcpuid\n\thlt\n"
        ".code32\n"
        ".globl ug_probe32\nug_probe32:\n\t"
        "cpuid\n\thlt\n"
        ".globl ug_rd32\nug_rd32:\n\t"
        "mov 0x300000, %eax\n\tcpuid\n\thlt\n"
        ".globl ug_int41\nug_int41:\n\t"
        "int $0x41\n\thlt\n"
        ".globl ug_iret\nug_iret:\n\t"
        "iret\n"
        /* back to real mode (SDM vol. 3A §9.9.2): a 16-bit code segment,
         * 16-bit data segments, CR0.PE = 0, a far jump to real-mode CS */
        ".globl ug_to_real\nug_to_real:\n\t"
        "ljmp $0x20, $(ug_pm16 - ug_start)\n"
        ".code16\n"
        "ug_pm16:\n\t"
        "mov $0x28, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\t"
        "mov %cr0, %eax\n\tand $0xfffffffe, %eax\n\tmov %eax, %cr0\n\t"
        "ljmp $0x1000, $(ug_probe16 - ug_start)\n"
        ".code32\n"
        "ug_pm32:\n\t"
        "mov $0x10, %ax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %ss\n\tmov $0x1f000, %esp\n\t"
        "mov $(ug_msg_prot - ug_start + 0x10000), %esi\n\tcall ug_puts32\n\t"
        /* page tables at 12000H: PML4 -> PDPT 13000H -> PD 14000H, one 2-MByte page at 0 */
        "mov $0x12000, %edi\n\txor %eax, %eax\n\tmov $3072, %ecx\n\trep stosl\n\t"
        "movl $0x13003, 0x12000\n\tmovl $0x14003, 0x13000\n\tmovl $0x83, 0x14000\n\t"
        "mov %cr4, %eax\n\tor $0x20, %eax\n\tmov %eax, %cr4\n\t"  /* PAE (VMXE host-owned) */
        "mov $0x12000, %eax\n\tmov %eax, %cr3\n\t"
        "mov $0xc0000080, %ecx\n\trdmsr\n\tor $0x100, %eax\n\twrmsr\n\t" /* EFER.LME */
        "mov $(ug_msg_lme - ug_start + 0x10000), %esi\n\tcall ug_puts32\n\t"
        "mov %cr0, %eax\n\tor $0x80000000, %eax\n\t"
        ".globl ug_pg_insn\nug_pg_insn:\n\t"
        "mov %eax, %cr0\n\t"                     /* PG: host-owned, a CR access exit */
        "ljmp $0x18, $(ug_lm64 - ug_start + 0x10000)\n"
        "ug_puts32:\n\t"
        "lodsb\n\ttest %al, %al\n\tjz 1f\n\tmov $0x3f8, %dx\n\tout %al, %dx\n\tjmp ug_puts32\n"
        "1:\tret\n"
        ".code64\n"
        "ug_lm64:\n\t"
        "lea ug_msg_long(%rip), %rsi\n"
        "2:\tlodsb\n\ttest %al, %al\n\tjz 3f\n\tmov $0x3f8, %dx\n\tout %al, %dx\n\tjmp 2b\n"
        "3:\tmov %cr0, %rax\n\tmov %rax, ug_cr0_seen(%rip)\n\t"
        "vmcall\n\tud2\n"
        "ug_msg_real: .asciz \"real\\n\"\n"
        "ug_msg_prot: .asciz \"prot\\n\"\n"
        "ug_msg_lme: .asciz \"lme\\n\"\n"
        "ug_msg_long: .asciz \"long\\n\"\n"
        ".balign 8\n"
        ".globl ug_cr0_seen\nug_cr0_seen: .quad 0\n"
        ".globl ug_cnt_int40\nug_cnt_int40: .word 0\n"
        ".globl ug_cnt_ud\nug_cnt_ud: .word 0\n"
        ".globl ug_cnt_gp\nug_cnt_gp: .word 0\n"
        ".globl ug_cnt_ext\nug_cnt_ext: .word 0\n"
        ".globl ug_cnt_nmi\nug_cnt_nmi: .word 0\n"
        ".balign 8\n"
        ".globl ug_gdt\nug_gdt:\n\t"
        ".quad 0\n\t"
        ".quad 0x00cf9b000000ffff\n\t" /* 08H: 32-bit code, base 0, 4 GiB */
        ".quad 0x00cf93000000ffff\n\t" /* 10H: data */
        ".quad 0x00af9b000000ffff\n\t" /* 18H: 64-bit code */
        ".quad 0x00009b010000ffff\n\t" /* 20H: 16-bit code, base 10000H, 64 KiB */
        ".quad 0x000093000000ffff\n"   /* 28H: 16-bit data, base 0, 64 KiB */
        "ug_gdtr: .word 47\n\t.long ug_gdt - ug_start + 0x10000\n"
        ".globl ug_end\nug_end:\n"
        ".text\n");

static uint16_t off(const uint8_t *p) { return (uint16_t)(p - ug_start); }
static uint8_t *gp(uint64_t gpa) { return (uint8_t *)(uintptr_t)(gbase + gpa); }
static uint16_t gword(const uint8_t *sym) { return *(volatile uint16_t *)gp(GUEST_CODE + off(sym)); }

/* EPT for guest-physical 0-1FFFFH (4-KByte pages): at gmem (offset) or
 * onto the same physical addresses (identity; page 0 and 10000H-1FFFFH
 * only: 1000H-7FFFH hold the host's GDT and page tables) */
static void ept_build(int identity)
{
    for (int i = 0; i < 512; i++)
        ept_pt[i] = 0;
    ept_pml4[0] = (uint64_t)ept_pdpt | 7;
    ept_pdpt[0] = (uint64_t)ept_pd | 7;
    ept_pd[0] = (uint64_t)ept_pt | 7;
    gbase = identity ? 0 : (uint64_t)gmem;
    for (uint64_t p = 0; p < 0x20; p++)
        if (!identity || p == 0 || p >= 0x10)
            ept_pt[p] = (gbase + p * 4096) | 6u << 3 | 7; /* WB, RWX */
    eptp = (uint64_t)ept_pml4 | 3u << 3 | 6;
    CHECK(invept(2, 0) == 0, "invept all-context");
    /* the guest: its code, a clear IVT with the handlers at 1000H:off */
    volatile uint8_t *code = gp(GUEST_CODE);
    for (const uint8_t *s = ug_start; s < ug_end; s++)
        code[s - ug_start] = *s;
    volatile uint32_t *ivt = (volatile uint32_t *)gp(0);
    for (int v = 0; v < 256; v++)
        ivt[v] = 0;
    ivt[0x40] = GUEST_SEG << 16 | off(ug_h_int40);
    ivt[0x06] = GUEST_SEG << 16 | off(ug_h_ud);
    ivt[0x0d] = GUEST_SEG << 16 | off(ug_h_gp);
    ivt[0x30] = GUEST_SEG << 16 | off(ug_h_ext);
    ivt[0x02] = GUEST_SEG << 16 | off(ug_h_nmi);
}

/* The current VMCS for a real-mode guest at 1000H:ip with "unrestricted
 * guest" and EPT; efer_ctls: "load IA32_EFER" on entry and "save / load
 * IA32_EFER" on exit. */
static void rm_setup(uint16_t ip, int efer_ctls)
{
    vmxt_setup(0, 0, PROC_HLT | PROC_IO_BM | PROC_MSR_BM, P2_EPT | P2_UG, 0, X86T_TSS, (uint64_t)&x86t_tss);
    vmw(V_EPTP, eptp);
    vmw(IO_A, (uint64_t)io_a);
    vmw(IO_B, (uint64_t)io_b);
    vmw(MSR_BM, (uint64_t)msr_bitmap);
    vmw(EXIT_CTLS, vmx_adjust(0x48f, 1u << 9 | (efer_ctls ? 3u << 20 : 0)));
    vmw(ENTRY_CTLS, vmx_adjust(0x490, efer_ctls ? 1u << 15 : 0));
    vmw(H_EFER, rdmsr(0xc0000080));
    vmw(G_EFER, 0);
    vmw(G_CR0, 0x30); /* NE, ET: real mode */
    vmw(G_CR3, 0);
    vmw(G_CR4, 1u << 13); /* VMXE (IA32_VMX_CR4_FIXED0), host-owned */
    /* CR0: PG and NE host-owned, the guest sees them 0 */
    vmw(CR0_MASK, 0x80000020);
    vmw(CR0_SHADOW, 0x10);
    vmw(CR4_MASK, 1u << 13);
    vmw(CR4_SHADOW, 0);
    vmxt_seg(K_CS, GUEST_SEG, GUEST_CODE, 0xffff, 0x9b);
    for (unsigned k = K_ES; k <= K_GS; k++)
        if (k != K_CS)
            vmxt_seg(k, GUEST_SEG, GUEST_CODE, 0xffff, 0x93);
    vmxt_seg(K_LDTR, 0, 0, 0, 0x10000);
    vmxt_seg(K_TR, 0, 0, 0xffff, 0x8b);
    vmw(G_GDTR_BASE, 0);
    vmw(G_GDTR_LIMIT, 0xffff);
    vmw(G_IDTR_BASE, 0);
    vmw(G_IDTR_LIMIT, 0x3ff);
    vmw(G_RIP, ip);
    vmw(G_RSP, 0xf000);
    vmw(G_RFLAGS, 2);
    vmw(ENTRY_INTR, 0);
    vmw(EXC_BITMAP, 0);
}

static int launched;
static uint64_t enter(struct gregs *g)
{
    uint64_t r = vm_enter(g, !launched);
    if (r == 0 && !(vmr(EXIT_REASON) >> 31))
        launched = 1;
    return r;
}
static void fail_valid(const char *what, unsigned err)
{
    struct gregs g = { 0 };
    uint64_t r = enter(&g);
    CHECKX(r == 0x140 && vmr(INSN_ERROR) == err, what, r | vmr(INSN_ERROR) << 16);
}
static void bad_guest(const char *what)
{
    struct gregs g = { 0 };
    uint64_t r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 0x80000021 && vmr(EXIT_QUAL) == 0, what,
           r ? r : vmr(EXIT_REASON));
}
/* enters; the guest must exit with CPUID at rip */
static void cpuid_at(const char *what, uint64_t rip)
{
    struct gregs g = { 0 };
    uint64_t r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && vmr(G_RIP) == rip, what,
           r ? r : vmr(EXIT_REASON) | vmr(G_RIP) << 32);
}

static void test_caps(void)
{
    uint64_t c2 = rdmsr(0x48b);
    CHECKX((c2 >> 32) & P2_UG, "IA32_VMX_PROCBASED_CTLS2 allows unrestricted guest (bit 7)", c2);
    CHECKX(rdmsr(0x486) == 0x80000021, "IA32_VMX_CR0_FIXED0 still reports PE and PG", rdmsr(0x486));
}

/* Each check "unrestricted guest" adds or relaxes (§27.2.1, §27.3.1). */
static void test_checks(void)
{
    uint16_t p16 = off(ug_probe16);
    rm_setup(p16, 1);
    cpuid_at("real-mode guest at 1000H:probe enters", p16 + 2);

    rm_setup(p16, 1);
    vmw(PROC2, P2_UG);
    fail_valid("unrestricted guest without enable EPT: VMfailValid 7", 7);
    rm_setup(p16, 1);
    vmw(PROC2, P2_EPT);
    bad_guest("CR0.PE = 0 without unrestricted guest: exit 33");
    rm_setup(p16, 1);
    vmw(G_CR0, 0x80000030);
    bad_guest("CR0.PG = 1 with PE = 0: exit 33");
    rm_setup(p16, 1);
    vmw(G_CR0, 0x10);
    bad_guest("CR0.NE = 0 (still IA32_VMX_CR0_FIXED0): exit 33");
    rm_setup(p16, 1);
    vmxt_seg(K_SS, GUEST_SEG, GUEST_CODE, 0xffff, 0xf3);
    bad_guest("CR0.PE = 0 with SS.DPL = 3: exit 33");
    rm_setup(p16, 1);
    vmxt_seg(K_CS, GUEST_SEG, GUEST_CODE, 0xffff, 0xf3);
    bad_guest("CS type 3 with DPL 3: exit 33");
    rm_setup(p16, 1);
    vmxt_seg(K_CS, GUEST_SEG, GUEST_CODE, 0xffff, 0x91);
    bad_guest("CS type 1 (a data type other than 3): exit 33");
    rm_setup(p16, 1);
    vmw(G_RFLAGS, 0x20002);
    bad_guest("RFLAGS.VM = 1 with CR0.PE = 0: exit 33");
    rm_setup(p16, 1);
    vmw(G_CR4, 1u << 13 | 1u << 5);
    vmw(ENTRY_CTLS, vmr(ENTRY_CTLS) | 1u << 9);
    vmw(G_EFER, 0x500);
    bad_guest("IA-32e mode guest with CR0.PG = 0: exit 33");
    rm_setup(p16, 1);
    vmw(G_RIP, 1ull << 32 | p16);
    bad_guest("real mode: RIP bits 63:32 not 0: exit 33");
    rm_setup(p16, 1);
    vmw(G_ACTIVITY, 1);
    vmw(G_INTR, 1); /* blocking by STI outside the active state */
    vmw(G_RFLAGS, 0x202);
    bad_guest("real mode: HLT activity state with blocking by STI: exit 33");
    rm_setup(p16, 1);
    vmw(G_ACTIVITY, 4);
    bad_guest("real mode: activity state 4 (wait-for-SIPI is the last): exit 33");
    rm_setup(p16, 1);
    vmw(ENTRY_INTR, 0x80000b0d); /* #GP with deliver-error-code */
    fail_valid("real mode: injecting #GP with an error code: VMfailValid 7", 7);
    rm_setup(p16, 1);
    vmw(ENTRY_INTR, 0x80000b0e); /* #PF with deliver-error-code */
    fail_valid("real mode: injecting #PF with an error code: VMfailValid 7", 7);

    /* relaxed: CS type 3 (DPL 0); SS.RPL != CS.RPL; SS and DS DPL 0 < RPL 3 */
    rm_setup(p16, 1);
    vmxt_seg(K_CS, GUEST_SEG, GUEST_CODE, 0xffff, 0x93);
    vmxt_seg(K_SS, 0x0003, 0x30, 0xffff, 0x93);
    vmxt_seg(K_DS, 0x0003, 0x30, 0xffff, 0x93);
    cpuid_at("CS type 3, SS.RPL 3 != CS.RPL 0, SS/DS DPL 0 < RPL 3: enters", p16 + 2);
    rm_setup(p16, 1);
    vmw(PROC2, P2_EPT);
    vmw(G_CR0, read_cr0());
    vmw(G_CR3, read_cr3());
    vmw(G_CR4, read_cr4());
    vmw(ENTRY_CTLS, vmr(ENTRY_CTLS) | 1u << 9);
    vmw(G_EFER, rdmsr(0xc0000080));
    vmxt_seg(K_CS, 0x08, 0, 0xffffffff, 0xa09b);
    vmxt_seg(K_SS, 0x13, 0, 0xffffffff, 0xc093);
    bad_guest("without unrestricted guest: SS.RPL 3 != CS.RPL 0 (SS.DPL 0) fails");

    /* event injection into a real-mode guest: through the IVT */
    rm_setup(p16, 1);
    vmw(ENTRY_INTR, 0x80000440); /* software interrupt 40H, length 2 */
    vmw(ENTRY_LEN, 2);
    uint16_t n40 = gword(ug_cnt_int40);
    cpuid_at("injected INT 40H returns past its 2 bytes", p16 + 2);
    CHECKX(gword(ug_cnt_int40) == n40 + 1, "injected INT 40H ran the IVT handler", gword(ug_cnt_int40));
    rm_setup(p16, 1);
    vmw(G_ACTIVITY, 1); /* HLT */
    vmw(G_RFLAGS, 0x202);
    vmw(ENTRY_INTR, 0x80000030); /* external interrupt 30H */
    uint16_t next = gword(ug_cnt_ext);
    cpuid_at("external interrupt 30H injected into a halted real-mode guest", p16 + 2);
    CHECKX(gword(ug_cnt_ext) == next + 1, "... ran the IVT handler of 30H", gword(ug_cnt_ext));
    CHECKX(vmr(G_ACTIVITY) == 0, "... and made it active", vmr(G_ACTIVITY));

    /* protected mode without paging */
    rm_setup(0, 1);
    vmw(G_CR0, 0x31);
    vmxt_seg(K_CS, 0x08, 0, 0xffffffff, 0xc09b);
    for (unsigned k = K_ES; k <= K_GS; k++)
        if (k != K_CS)
            vmxt_seg(k, 0x10, 0, 0xffffffff, 0xc093);
    vmw(G_GDTR_BASE, GUEST_CODE + off(ug_gdt));
    vmw(G_GDTR_LIMIT, 47);
    vmw(G_RIP, GUEST_CODE + off(ug_probe32));
    cpuid_at("protected mode without paging (CR0 = 31H) enters", GUEST_CODE + off(ug_probe32));
    vmxt_seg(K_SS, 0x13, 0, 0xffffffff, 0xc093);
    vmxt_seg(K_DS, 0x13, 0, 0xffffffff, 0xc093);
    cpuid_at("protected mode: SS.RPL 3 != CS.RPL, SS/DS DPL 0 < RPL 3: enters",
             GUEST_CODE + off(ug_probe32));
    /* the guest goes back to real mode by itself (CR0.PE guest-owned) */
    vmxt_seg(K_SS, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(K_DS, 0x10, 0, 0xffffffff, 0xc093);
    vmw(G_RIP, GUEST_CODE + off(ug_to_real));
    cpuid_at("protected mode -> real mode inside the guest", p16 + 2);
    CHECKX(vmr(G_CR0) == 0x30 && vmr(G_ES_SEL + 2 * K_CS) == GUEST_SEG &&
               vmr(G_ES_BASE + 2 * K_CS) == GUEST_CODE && vmr(G_ES_AR + 2 * K_CS) == 0x9b,
           "... CR0 30H, CS 1000H (base 10000H, 16-bit code 9BH)", vmr(G_CR0) | vmr(G_ES_AR + 2 * K_CS) << 32);

    /* a virtual-8086 guest (RFLAGS.VM, CR0.PE): base = selector * 16,
     * limit FFFFH, access rights F3H for CS, SS, DS, ES, FS, GS */
    rm_setup(p16, 1);
    vmw(G_CR0, 0x31);
    vmw(G_RFLAGS, 0x20002);
    for (unsigned k = K_ES; k <= K_GS; k++)
        vmxt_seg(k, GUEST_SEG, GUEST_CODE, 0xffff, 0xf3);
    cpuid_at("virtual-8086 guest enters", p16 + 2);
    vmxt_seg(K_CS, GUEST_SEG, GUEST_CODE, 0xffff, 0xfb);
    bad_guest("virtual-8086: CS access rights FBH: exit 33");
    vmxt_seg(K_CS, GUEST_SEG, GUEST_CODE, 0xffff, 0xf3);
    vmxt_seg(K_DS, GUEST_SEG, GUEST_CODE + 16, 0xffff, 0xf3);
    bad_guest("virtual-8086: DS base != selector * 16: exit 33");
    vmxt_seg(K_DS, GUEST_SEG, GUEST_CODE, 0xffff, 0xf3);
    vmxt_seg(K_SS, GUEST_SEG, GUEST_CODE, 0xfffff, 0xf3);
    bad_guest("virtual-8086: SS limit != FFFFH: exit 33");
    vmxt_seg(K_SS, GUEST_SEG, GUEST_CODE, 0xffff, 0xf3);
    cpuid_at("virtual-8086 guest enters again", p16 + 2);
}

/* ---- events: NMI injection, vectoring through an NMI and a task gate,
 * the IRET task switch (docs/vmx.md "Not run by a test yet" before) ---- */

#define PM_GDT 0x18000u
#define PM_IDT 0x18800u
#define TSS_A 0x19000u
#define TSS_B 0x19100u
#define TSS_C 0x19200u

static uint64_t tss_desc(uint32_t base, unsigned type)
{
    return 0x67 | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)(type | 0x80) << 40 |
           (uint64_t)(base >> 24) << 56;
}

/* A 32-bit protected-mode guest without paging (unrestricted guest): GDT
 * 08H code, 10H data, 18H its TSS A (busy, back-link 28H), 20H TSS B
 * (available: the task gates' target), 28H TSS C (busy: IRET's); IDT
 * vectors 2 and 41H task gates to 20H. */
static void pm_setup(uint64_t rip)
{
    volatile uint64_t *gdt = (volatile uint64_t *)gp(PM_GDT), *idt = (volatile uint64_t *)gp(PM_IDT);
    gdt[0] = 0;
    gdt[1] = 0x00cf9b000000ffffull;
    gdt[2] = 0x00cf93000000ffffull;
    gdt[3] = tss_desc(TSS_A, 0xb);
    gdt[4] = tss_desc(TSS_B, 0x9);
    gdt[5] = tss_desc(TSS_C, 0xb);
    for (int v = 0; v < 128; v++)
        idt[v] = 0;
    idt[2] = idt[0x41] = (uint64_t)0x8500 << 32 | 0x20u << 16;
    for (unsigned i = 0; i < 0x300; i++)
        gp(TSS_A)[i] = 0;
    *(volatile uint16_t *)gp(TSS_A) = 0x28; /* back-link */
    rm_setup(0, 1);
    vmw(G_CR0, 0x31);
    vmxt_seg(K_CS, 0x08, 0, 0xffffffff, 0xc09b);
    for (unsigned k = K_ES; k <= K_GS; k++)
        if (k != K_CS)
            vmxt_seg(k, 0x10, 0, 0xffffffff, 0xc093);
    vmxt_seg(K_TR, 0x18, TSS_A, 0x67, 0x8b);
    vmw(G_GDTR_BASE, PM_GDT);
    vmw(G_GDTR_LIMIT, 0x2f);
    vmw(G_IDTR_BASE, PM_IDT);
    vmw(G_IDTR_LIMIT, 0x3ff);
    vmw(G_RIP, rip);
    vmw(G_RSP, 0x1f000);
}

static void test_events(void)
{
    struct gregs g = { 0 };
    uint16_t p16 = off(ug_probe16);
    /* a (physical) NMI injected into a real-mode guest without NMI
     * exiting: through IVT vector 2, blocking by NMI until its IRET */
    rm_setup(p16, 1);
    vmw(ENTRY_INTR, 0x80000202);
    uint16_t nn = gword(ug_cnt_nmi);
    cpuid_at("injected NMI: its handler runs (CPUID inside it)", off(ug_nmi_cpuid));
    CHECKX(gword(ug_cnt_nmi) == nn + 1, "injected NMI went through IVT vector 2", gword(ug_cnt_nmi));
    CHECKX(vmr(G_INTR) == 8, "in the NMI handler: blocking by NMI", vmr(G_INTR));
    vmw(G_RIP, vmr(G_RIP) + 2);
    cpuid_at("the NMI handler's IRET returns to the interrupted code", p16 + 2);
    CHECKX(vmr(G_INTR) == 0, "after the handler's IRET: no blocking by NMI", vmr(G_INTR));

    /* an EPT violation while delivering the injected NMI: its stack push
     * (SS base 20000H, SP 0: guest-physical 2FFFEH) is not mapped */
    rm_setup(p16, 1);
    vmxt_seg(K_SS, 0x2000, 0x20000, 0xffff, 0x93);
    vmw(G_RSP, 0);
    vmw(ENTRY_INTR, 0x80000202);
    uint64_t r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 48, "NMI delivery: EPT violation", r ? r : vmr(EXIT_REASON));
    CHECKX(vmr(IDT_VEC) == 0x80000202, "... IDT-vectoring information: NMI", vmr(IDT_VEC));
    CHECKX(vmr(EXIT_QUAL) == 0x182 && vmr(GUEST_PA) == 0x2fffe && vmr(GUEST_LA) == 0x2fffe,
           "... a write to guest-physical 2FFFEH (qualification 182H)", vmr(EXIT_QUAL) | vmr(GUEST_PA) << 16);
    CHECKX(vmr(G_RIP) == p16 && vmr(G_RSP) == 0, "... nothing delivered: RIP, RSP as at entry",
           vmr(G_RIP) | vmr(G_RSP) << 32);

    /* vectoring through a task gate: INT 41H and an injected NMI */
    pm_setup(GUEST_CODE + off(ug_int41));
    r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 9, "INT 41H through a task gate: task-switch exit",
           r ? r : vmr(EXIT_REASON));
    CHECKX(vmr(EXIT_QUAL) == 0xc0000020, "... qualification: TSS 20H, source 3 (IDT task gate)",
           vmr(EXIT_QUAL));
    CHECKX(vmr(IDT_VEC) == 0x80000441 && vmr(EXIT_INSN_LEN) == 2,
           "... IDT-vectoring information 80000441H (software interrupt), length 2",
           vmr(IDT_VEC) | vmr(EXIT_INSN_LEN) << 32);
    CHECKX(vmr(G_RIP) == GUEST_CODE + off(ug_int41), "... RIP at the INT", vmr(G_RIP));
    pm_setup(GUEST_CODE + off(ug_probe32));
    vmw(ENTRY_INTR, 0x80000202);
    r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 9 && vmr(EXIT_QUAL) == 0xc0000020,
           "injected NMI through a task gate: task-switch exit, TSS 20H, source 3",
           r ? r : vmr(EXIT_REASON) | vmr(EXIT_QUAL) << 32);
    CHECKX(vmr(IDT_VEC) == 0x80000202, "... IDT-vectoring information 80000202H (NMI)", vmr(IDT_VEC));

    /* IRET with RFLAGS.NT: a task switch to the back-link (TSS C) */
    pm_setup(GUEST_CODE + off(ug_iret));
    vmw(G_RFLAGS, 0x4002);
    r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 9, "IRET with NT: task-switch exit", r ? r : vmr(EXIT_REASON));
    CHECKX(vmr(EXIT_QUAL) == 0x40000028 && vmr(EXIT_INSN_LEN) == 1 && !(vmr(IDT_VEC) >> 31),
           "... qualification: TSS 28H, source 1 (IRET), length 1, no IDT-vectoring",
           vmr(EXIT_QUAL) | vmr(EXIT_INSN_LEN) << 32);
}

/* EPT under a 32-bit paging guest and a PAE guest (its PDPTEs through
 * EPT): linear 0-1FFFFH onto guest-physical 0-1FFFFH, linear 300000H onto
 * 1D000H, which holds a value the guest reads */
static void test_paging32(void)
{
    struct gregs g = { 0 };
    *(volatile uint64_t *)gp(0x1d000) = 0x5a5a0000a5a5ull;
    volatile uint32_t *pd = (volatile uint32_t *)gp(0x1a000), *pt = (volatile uint32_t *)gp(0x1b000);
    for (int i = 0; i < 1024; i++)
        pd[i] = pt[i] = 0;
    pd[0] = 0x1b000 | 3;
    for (uint32_t i = 0; i < 0x20; i++)
        pt[i] = i << 12 | 3;
    pt[0x300] = 0x1d000 | 3;
    pm_setup(GUEST_CODE + off(ug_rd32));
    vmw(G_CR0, 0x80000031);
    vmw(G_CR3, 0x1a000);
    uint64_t r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && (uint32_t)g.rax == 0x0000a5a5,
           "32-bit paging guest under EPT reads linear 300000H (guest-physical 1D000H)",
           r ? r : vmr(EXIT_REASON) | g.rax << 32);

    volatile uint64_t *pdpt = (volatile uint64_t *)gp(0x1a000), *pd64 = (volatile uint64_t *)gp(0x1b000),
                      *pt64 = (volatile uint64_t *)gp(0x1c000);
    for (int i = 0; i < 512; i++)
        pdpt[i] = pd64[i] = pt64[i] = 0;
    pdpt[0] = 0x1b000 | 1;
    pd64[0] = pd64[1] = 0x1c000 | 3;
    for (uint64_t i = 0; i < 0x20; i++)
        pt64[i] = i << 12 | 3;
    pt64[0x100] = 0x1d000 | 3;
    pm_setup(GUEST_CODE + off(ug_rd32));
    vmw(G_CR0, 0x80000031);
    vmw(G_CR3, 0x1a000);
    vmw(G_CR4, 1u << 13 | 1u << 5);
    vmw(0x280a, pdpt[0]); /* guest PDPTE0: the entry loads the PDPTEs from the fields with EPT (SDM §27.3.2.4) */
    g.rax = 0;
    r = enter(&g);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 10 && (uint32_t)g.rax == 0x0000a5a5,
           "PAE guest under EPT (PDPTE through EPT) reads linear 300000H",
           r ? r : vmr(EXIT_REASON) | g.rax << 32);
}

/* The guest's console: COM1 writes exit (I/O bitmap A bit 3F8H) and land
 * here. */
static char con[64];
static unsigned con_len;

/* Runs the guest until an exit other than OUT AL, DX to COM1. */
static uint32_t run(struct gregs *g)
{
    for (;;) {
        uint64_t r = enter(g);
        if (r)
            return 0xffffffffu;
        uint32_t reason = (uint32_t)vmr(EXIT_REASON);
        if (reason != 30)
            return reason;
        uint64_t q = vmr(EXIT_QUAL), len = vmr(EXIT_INSN_LEN);
        CHECKX(q == 0x3f80000 && len == 1, "OUT AL, DX to 3F8H: qualification, length", q | len << 32);
        if (con_len < sizeof con - 1)
            con[con_len++] = (char)g->rax;
        vmw(G_RIP, vmr(G_RIP) + len);
    }
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

#define EXIT_IS(what, got, want) CHECKX((got) == (want), what, (got) | vmr(G_RIP) << 32)

/* The boot-loader guest: real -> protected -> long mode. */
static void test_boot(int identity)
{
    int efer_ctls = !identity;
    x86t_puts(identity ? "x86 vmx-ug: boot guest, EPT identity, no EFER controls\n"
                       : "x86 vmx-ug: boot guest, EPT offset, load/save IA32_EFER\n");
    ept_build(identity);
    rm_setup(0, efer_ctls);
    vmw(EXC_BITMAP, 1u << 13);
    con_len = 0;
    for (unsigned i = 0; i < sizeof con; i++)
        con[i] = 0;
    struct gregs g = { 0 };

    /* real mode: "real", INT 40H and #UD through the IVT, then the #GP */
    EXIT_IS("#GP exits (exception bitmap)", run(&g), 0u);
    CHECKX(streq(con, "real\n"), "the guest printed \"real\" through I/O exits", con_len);
    CHECKX(vmr(EXIT_INTR_INFO) == 0x8000030d, "real-mode #GP: no error code valid", vmr(EXIT_INTR_INFO));
    CHECKX(vmr(G_RIP) == off(ug_gp_insn), "#GP at the MOV", vmr(G_RIP));
    CHECKX(gword(ug_cnt_int40) == 1 && gword(ug_cnt_ud) == 1, "INT 40H and #UD went through the IVT",
           gword(ug_cnt_int40) | (uint64_t)gword(ug_cnt_ud) << 16);
    CHECKX(vmr(G_CR0) == 0x30 && vmr(G_ES_SEL + 2 * K_CS) == GUEST_SEG, "guest still in real mode",
           vmr(G_CR0));
    vmw(ENTRY_INTR, 0x80000b0d);
    vmw(ENTRY_ERR, 0);
    fail_valid("re-injecting #GP with an error code into real mode: VMfailValid 7", 7);
    vmw(ENTRY_INTR, 0x8000030d);
    vmw(EXC_BITMAP, 0);

    /* HLT, then an injected external interrupt */
    EXIT_IS("HLT exits", run(&g), 12u);
    CHECKX(gword(ug_cnt_gp) == 1, "the injected #GP ran the IVT handler (frame without error code)",
           gword(ug_cnt_gp));
    CHECKX(vmr(G_RIP) == off(ug_hlt_insn) && vmr(EXIT_INSN_LEN) == 1, "HLT: RIP and length", vmr(G_RIP));
    CHECKX((vmr(G_RFLAGS) & 0x200) && vmr(G_INTR) == 0, "HLT: IF = 1, no blocking", vmr(G_RFLAGS));
    vmw(G_RIP, vmr(G_RIP) + 1);
    vmw(ENTRY_INTR, 0x80000030);

    /* real -> protected (CR0.PE guest-owned) -> CR0.PG (host-owned) */
    EXIT_IS("MOV to CR0 setting PG exits", run(&g), 28u);
    CHECKX(gword(ug_cnt_ext) == 1, "injected interrupt 30H ran the IVT handler", gword(ug_cnt_ext));
    CHECKX(streq(con, "real\nprot\nlme\n"), "the guest printed \"prot\", \"lme\" in protected mode",
           con_len);
    CHECKX(vmr(EXIT_QUAL) == 0 && vmr(G_RIP) == GUEST_CODE + off(ug_pg_insn),
           "CR access: MOV to CR0 from EAX, at its RIP", vmr(EXIT_QUAL));
    CHECKX(vmr(G_CR0) == 0x31, "CR0.PE set by the guest without an exit, NE kept", vmr(G_CR0));
    CHECKX((uint32_t)g.rax == 0x80000011, "the guest's value: PG, ET, PE (NE hidden by the shadow)",
           g.rax);
    CHECKX(vmr(G_CR4) == (1u << 13 | 1u << 5) && vmr(G_CR3) == 0x12000, "guest CR4.PAE, CR3",
           vmr(G_CR4));
    CHECKX(vmr(G_ES_SEL + 2 * K_CS) == 0x08 && vmr(G_ES_AR + 2 * K_CS) == 0xc09b,
           "guest CS: 32-bit code 08H", vmr(G_ES_AR + 2 * K_CS));
    CHECKX(!(vmr(ENTRY_CTLS) & 1u << 9), "IA-32e mode guest saved 0 (EFER.LMA = 0)", vmr(ENTRY_CTLS));
    if (efer_ctls) {
        CHECKX((vmr(G_EFER) & 0x500) == 0x100, "saved guest EFER: LME set by WRMSR, LMA 0", vmr(G_EFER));
        vmw(G_CR0, 0x80000031);
        bad_guest("CR0.PG = 1, EFER.LME = 1, IA-32e mode guest 0 (load IA32_EFER): exit 33");
    }
    vmw(G_CR0, 0x31);
    vmw(ENTRY_CTLS, vmr(ENTRY_CTLS) | 1u << 9);
    if (efer_ctls)
        vmw(G_EFER, vmr(G_EFER) | 0x400);
    bad_guest("IA-32e mode guest with CR0.PG = 0: exit 33");
    /* the host completes the MOV: PG, LMA, IA-32e mode guest */
    vmw(G_CR0, 0x80000031);
    vmw(CR0_SHADOW, 0x80000010);
    vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));

    EXIT_IS("64-bit guest ends with VMCALL", run(&g), 18u);
    CHECKX(streq(con, "real\nprot\nlme\nlong\n"), "the guest printed \"long\" in 64-bit mode", con_len);
    x86t_puts(con);
    CHECKX(*(volatile uint64_t *)gp(GUEST_CODE + off(ug_cr0_seen)) == 0x80000011,
           "64-bit guest reads CR0 through the shadow", *(volatile uint64_t *)gp(GUEST_CODE + off(ug_cr0_seen)));
    CHECKX(vmr(G_ES_AR + 2 * K_CS) == 0xa09b && vmr(G_ES_SEL + 2 * K_CS) == 0x18,
           "guest CS: 64-bit code 18H", vmr(G_ES_AR + 2 * K_CS));
    CHECKX(vmr(ENTRY_CTLS) & 1u << 9, "IA-32e mode guest saved 1", vmr(ENTRY_CTLS));
    if (efer_ctls)
        CHECKX((vmr(G_EFER) & 0x500) == 0x500, "saved guest EFER: LME, LMA", vmr(G_EFER));
}

/* ---- the SIPI exit (reason 4): a guest AP in wait-for-SIPI ----------------
 * With --smp 2 CPU 1 is brought up (smp_tramp.S), enters VMX operation and
 * a real-mode guest in the wait-for-SIPI activity state, as a hypervisor
 * models an AP; CPU 0 sends it a SIPI with vector 10H; CPU 1 exits with
 * reason 4, qualification 10H, starts the guest at CS:IP = 1000H:0 (the
 * boot guest's code: EPT identity by then) and runs it to its HLT exit. */
static uint8_t ap_vmxon[4096] __attribute__((aligned(4096)));
static uint8_t ap_vmcs[4096] __attribute__((aligned(4096)));
static uint8_t ap_stacks[2][16384] __attribute__((aligned(16)));
static uint64_t ap_gdt[6] __attribute__((aligned(16)));
static uint8_t ap_tss[128] __attribute__((aligned(16)));
static uint64_t idt_base;
static uint16_t idt_limit;
static volatile uint32_t ap_state; /* 1 entering wait-for-SIPI, 2 done */
static volatile uint64_t ap_reason[4], ap_qual, ap_act, ap_bad;
static char ap_con[16];

void smp_irq(uint64_t v)
{
    x86t_puts("FAIL: interrupt in the host, vector ");
    x86t_puthex(v);
    x86t_puts("\n");
    x86t_failures++;
}
void smp_ap_entry(uint64_t id)
{
    vmxt_cpu_tables(ap_gdt, ap_tss, idt_base, idt_limit); /* TR 20H */
    if (id != 1 || vmx_on(ap_vmxon)) {
        ap_bad = 1;
        ap_state = 2;
        for (;;)
            __asm__ volatile("cli\n\thlt");
    }
    *(uint32_t *)ap_vmcs = *(uint32_t *)ap_vmxon;
    if (vmclear((uint64_t)ap_vmcs) || vmptrld((uint64_t)ap_vmcs))
        ap_bad = 1;
    rm_setup(0, 1);
    vmw(H_CS_SEL, 0x08);
    vmw(H_TR_SEL, 0x20);
    vmw(H_TR_BASE, (uint64_t)ap_tss);
    vmw(H_GDTR_BASE, (uint64_t)ap_gdt);
    vmw(G_ACTIVITY, 3); /* wait-for-SIPI */
    struct gregs g = { 0 };
    ap_state = 1;
    uint64_t r = vm_enter(&g, 1);
    ap_reason[0] = r ? r : vmr(EXIT_REASON);
    ap_qual = vmr(EXIT_QUAL);
    ap_act = vmr(G_ACTIVITY);
    /* the SIPI's start: CS = vector << 8, base vector << 12, IP 0, active */
    uint64_t v = ap_qual & 0xff;
    vmxt_seg(K_CS, (uint16_t)(v << 8), v << 12, 0xffff, 0x9b);
    vmw(G_RIP, 0);
    vmw(G_ACTIVITY, 0);
    unsigned n = 0, k = 1;
    for (;;) {
        r = vm_enter(&g, 0);
        uint64_t reason = r ? r : vmr(EXIT_REASON);
        if (reason == 30 && n < sizeof ap_con - 1) {
            ap_con[n++] = (char)g.rax;
            vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
            continue;
        }
        ap_reason[k++] = reason;
        break;
    }
    if (vmclear((uint64_t)ap_vmcs) || vmxoff())
        ap_bad = 1;
    ap_state = 2;
    for (;;)
        __asm__ volatile("cli\n\thlt");
}

static void test_sipi(void)
{
    uint32_t ncpus = fw_cfg_ncpus();
    if (ncpus < 2) {
        x86t_puts("x86 vmx-ug: one CPU, no SIPI test\n");
        return;
    }
    x86t_puts("x86 vmx-ug: SIPI to a guest AP in wait-for-SIPI\n");
    smp_tramp_install_low(ap_stacks);
    lapic_write(LAPIC_SVR, 0x1ff);
    smp_start_ap(1); /* INIT assert, de-assert, SIPI 08H: the trampoline */
    uint64_t t0 = rdtsc();
    while (ap_state != 1 && rdtsc() - t0 < 100000000)
        ;
    CHECKX(ap_state == 1, "CPU 1 enters its guest in wait-for-SIPI", ap_state);
    delay(20000); /* its VMLAUNCH is done: the guest waits */
    lapic_ipi(1, 0x4610); /* SIPI, vector 10H */
    t0 = rdtsc();
    while (ap_state != 2 && rdtsc() - t0 < 100000000)
        ;
    CHECKX(ap_state == 2 && !ap_bad, "CPU 1's hypervisor ends", ap_state | ap_bad << 8);
    CHECKX(ap_reason[0] == 4 && ap_qual == 0x10, "SIPI exit: reason 4, qualification = vector 10H",
           ap_reason[0] | ap_qual << 32);
    CHECKX(ap_act == 3, "... saved activity state: wait-for-SIPI", ap_act);
    CHECKX(streq(ap_con, "real\n") && ap_reason[1] == 12,
           "the AP's guest started at 1000H:0, printed \"real\", halted (HLT exit)", ap_reason[1]);
}

int kmain(void)
{
    x86t_puts("x86 vmx-ug: start\n");
    x86t_idt_init();
    x86t_sys_init();
    idt_base = vmxt_table_base(&idt_limit, 1);
    vmxt_start("vmx-ug", vmxon_region, vmcs);
    io_a[0x3f8 / 8] = 1u << (0x3f8 % 8);
    /* the 8259s masked: the guests run with IF = 1 and no
     * external-interrupt exiting; only injected interrupts reach them */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    test_caps();
    ept_build(0);
    test_checks();
    test_events();
    test_paging32();
    test_boot(0);
    test_boot(1);
    test_sipi();
    return vmxt_finish("vmx-ug", vmcs);
}
