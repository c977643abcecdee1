/* Our own VMX test hypervisor (docs/vmx.md): run by tests/e2e/t_x86_vmx.sh
 * on the x86-pc board with [cpu] vmx = on. Written from the SDM (vol. 3C
 * ch. 24-31, Appendix A-C), self-checking:
 *   1. VMX operation: CPUID.1:ECX.VMX, IA32_FEATURE_CONTROL (#GP while
 *      unlocked, locked after the write), CR4.VMXE, the capability MSRs,
 *      VMXON (#UD without CR4.VMXE, #GP without the feature-control bits,
 *      VMfailInvalid for a bad revision / alignment), and every VMfail of
 *      VMCLEAR/VMPTRLD/VMREAD/VMWRITE/VMLAUNCH/VMRESUME/VMCALL with its
 *      VM-instruction error number (§31.4).
 *   2. VM-entry failures: a reserved pin-based control (error 7), a host
 *      CR0 without PE (error 8), a guest RFLAGS with bit 1 clear (exit
 *      reason 33 | bit 31, back at the host RIP).
 *   3. A guest in 64-bit mode (no EPT: it uses the host's page tables; its
 *      CR3 is host-physical) that runs CPUID, port I/O (through the I/O
 *      bitmaps: a virtual UART at COM1 forwarded by the hypervisor, a
 *      port that passes through), RDMSR/WRMSR (MSR bitmaps), MOV to/from
 *      CR0/CR4 (guest/host masks, read shadows), VMCALL, a VMX instruction,
 *      UD2 and a #PF (exception bitmap, #PF error-code mask/match), RDTSC
 *      exiting, HLT, and a loop ended by the VMX-preemption timer. Every
 *      exit's basic reason, qualification, instruction length and
 *      interruption information is checked against the SDM's.
 *   4-6. Events (interrupt window, external interrupts, NMI, INIT), more
 *      exits, injection, TSC offsetting, MSR areas, EPT.
 *   7-13. Event handling: IDT-vectoring information and NMI unblocking by
 *      IRET, #PF exits leaving CR2, virtual NMIs and the NMI window, MTF,
 *      PAUSE / PAUSE-loop exiting, RDTSCP, INVD, WBINVD, descriptor-table
 *      exits, INVPCID, task switches (a 32-bit guest), VMRESUME error 26
 *      and the saved STI / MOV-SS blocking, the activity states shutdown
 *      and wait-for-SIPI, injection of every event type.
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"

enum { EXIT_INSN_INFO = 0x440e }; /* VMCS encoding (Appendix B) beyond vmxt.h's */

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs_a[4096] __attribute__((aligned(4096)));
static uint8_t vmcs_b[4096] __attribute__((aligned(4096)));
static uint8_t io_a[4096] __attribute__((aligned(4096)));
static uint8_t io_b[4096] __attribute__((aligned(4096)));
static uint8_t msr_bitmap[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint32_t revision;

static uint64_t invept_f(uint64_t type, uint64_t lo, uint64_t hi)
{
    uint64_t d[2] = { lo, hi };
    return VMXT_FL("invept %1, %2", "m"(d), "r"(type));
}
static uint64_t invvpid_f(uint64_t type, uint64_t lo, uint64_t hi)
{
    uint64_t d[2] = { lo, hi };
    return VMXT_FL("invvpid %1, %2", "m"(d), "r"(type));
}
static uint64_t vmcall_root(void) { return VMXT_FL("vmcall", "i"(0)); }

/* The guest: one instruction per expected exit (the host checks each). */
void guest_entry(void);
void guest_after_ud2(void);
void guest_spin(void);
__asm__(".text\n"
        ".globl guest_entry\n"
        "guest_entry:\n\t"
        "xor %eax, %eax\n\t"
        "cpuid\n\t"                         /* CPUID (10), length 2 */
        "mov %eax, %r13d\n\t"               /* the hypervisor's answer */
        "mov $0x3f8, %dx\n\tmov $0x47, %al\n\t"
        "out %al, %dx\n\t"                  /* I/O (30): OUT DX, port 3F8H, length 1 */
        "out %al, $0x80\n\t"                /* I/O (30): OUT imm8, port 80H, length 2 */
        "in $0x71, %al\n\t"                 /* bitmap bit clear: no exit */
        "mov $0x10, %ecx\n\trdmsr\n\t"      /* TSC: read bit clear, no exit */
        "mov $0x1b, %ecx\n\t"
        "rdmsr\n\t"                         /* RDMSR (31), length 2 */
        "mov %rax, %r14\n\t"
        "wrmsr\n\t"                         /* WRMSR (32), length 2 */
        "mov %cr0, %r12\n\t"                /* host-owned MP read from the shadow: no exit */
        "mov %cr4, %rbx\n\tor $0x100, %rbx\n\t"
        "mov %rbx, %cr4\n\t"                /* CR access (28): MOV to CR4 from RBX, length 3 */
        "mov $0x1234, %eax\n\t"
        "vmcall\n\t"                        /* VMCALL (18), length 3 */
        "vmxoff\n\t"                        /* VMXOFF (26), length 3 */
        "rdtsc\n\t"                         /* RDTSC (16), length 2 */
        "ud2\n"                             /* exception (0): #UD, interruption info 80000306H */
        ".globl guest_after_ud2\n"
        "guest_after_ud2:\n\t"
        "movabs $0x8000000000, %rax\n\t"
        "mov (%rax), %rbx\n\t"              /* #PF (0): not present, read; qualification = address */
        "hlt\n"                             /* HLT (12), length 1 */
        ".globl guest_spin\n"
        "guest_spin:\n\t"
        "jmp guest_spin\n"                  /* until the VMX-preemption timer (52) */
        ".globl guest2\n"
        "guest2:\n\t"
        "int3\n\t"                          /* exception (0): #BP, software exception, length 1 */
        "rdtscp\n\t"                        /* #UD in non-root ("enable RDTSCP" = 0) */
        "lmsw lmsw_word(%rip)\n\t"          /* CR access (28): LMSW m16, length 7 */
        "jmp guest_spin\n"
        ".globl lmsw_word\n"
        "lmsw_word: .word 0x0001\n");       /* PE = 1, MP = 0 (host-owned, shadow 1) */
void guest2(void);
void guest_nmi(void);
void guest4(void);
void guest4_buf(void);
__asm__(".text\n.globl guest4\nguest4:\n\t"
        "lea guest4_buf(%rip), %rsi\n\tmov $3, %ecx\n\tmov $0x80, %edx\n\t"
        "rep outsb\n\t"                   /* I/O (30): string, REP, port 80H, length 2 */
        "mov %rax, %cr8\n\t"              /* CR8-load exiting: qualification 8, length 4 */
        "clts\n\t"                        /* CR0.TS host-owned, shadow TS = 1: qualification 20H */
        "mov $0x4402, %edx\n\t"
        "vmread %rdx, %rax\n\t"           /* VMREAD (23), register operands, length 3 */
        "jmp guest_spin\n"
        ".globl guest4_buf\nguest4_buf: .byte 1, 2, 3\n");
void guest_init(void);
__asm__(".text\n.globl guest_init\nguest_init:\n\t"
        "mov $0x830, %ecx\n\tmov $0x4500, %eax\n\txor %edx, %edx\n\twrmsr\n\t" /* INIT to APIC 0 */
        "jmp guest_spin\n");
void guest5(void);
__asm__(".text\n.globl guest5\nguest5:\n\t"
        "rdtsc\n\tshl $32, %rdx\n\tor %rax, %rdx\n\tmov %rdx, %r15\n\t" /* TSC + offset, no exit */
        "xor %ecx, %ecx\n\t"
        "rdpmc\n\t"                       /* RDPMC exiting (15), length 2 */
        "jmp guest_spin\n");
void guest3(void);
void guest3_ud2(void);
__asm__(".text\n.globl guest3\nguest3:\n\t"
        "mov %cr3, %rax\n\t"              /* CR3-store exiting: qualification 13H, length 3 */
        "mov %rax, %cr3\n\t"              /* CR3-load exiting (no CR3-target value): 3H */
        "mov %dr7, %rdx\n\t"              /* MOV-DR exiting: DR7, from DR, RDX: 217H */
        "mov $0x1000, %ebx\n\t"
        "invlpg (%rbx)\n\t"               /* INVLPG exiting: qualification = the address */
        "hlt\n"                            /* no HLT exiting: halts; the timer ends it */
        ".globl guest3_ud2\nguest3_ud2:\n\t"
        "ud2\n");                          /* IDTR limit 0: #UD, #GP, #DF, triple fault */
__asm__(".text\n.globl guest_nmi\nguest_nmi:\n\t"
        "mov $0x830, %ecx\n\tmov $0x40400, %eax\n\txor %edx, %edx\n\twrmsr\n\t" /* NMI, self */
        "jmp guest_spin\n");
extern uint16_t lmsw_word;

/* An MSR access that must fault: ECX/EAX/EDX loaded inside the asm (the
 * EXPECT_EXC macro clobbers them). */
#define EXPECT_MSR_EXC(name, vector, insn, msr, lo, hi)                                   \
    do {                                                                                  \
        x86t_last_vector = ~0ull;                                                         \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"      \
                         "mov %0, %%ecx\n\tmov %1, %%eax\n\tmov %2, %%edx\n\t" insn "\n1:" \
                         ::"r"((uint32_t)(msr)), "r"((uint32_t)(lo)), "r"((uint32_t)(hi))  \
                         : "rax", "rcx", "rdx", "memory");                                 \
        x86t_resume = 0;                                                                  \
        CHECKX(x86t_last_vector == (uint64_t)(vector), name ": vector", x86t_last_vector); \
    } while (0)

/* The VMCS for the 64-bit guest (vmxt_setup): host state = this kernel,
 * guest state = a copy of it at guest_entry on its own stack; what this
 * hypervisor adds: HLT, RDTSC, I/O and MSR bitmap exiting, #UD and #PF
 * exits, CR0/CR4 guest/host masks, the TSS's whole limit (its I/O map). */
static void setup_vmcs(void)
{
    vmxt_setup((uint64_t)guest_entry, (uint64_t)(guest_stack + sizeof guest_stack),
               PROC_HLT | PROC_RDTSC | PROC_IO_BM | PROC_MSR_BM, 0, 0, X86T_TSS, (uint64_t)&x86t_tss);
    vmw(G_ES_LIMIT + 2 * VMXT_TR, sizeof x86t_tss - 1);
    vmw(EXC_BITMAP, 1u << 6 | 1u << 14);                                 /* #UD, #PF */
    vmw(PF_MASK, 0);
    vmw(PF_MATCH, 0);
    vmw(IO_A, (uint64_t)io_a);
    vmw(IO_B, (uint64_t)io_b);
    io_a[0x3f8 / 8] |= 1u << (0x3f8 & 7);
    io_a[0x80 / 8] |= 1u << (0x80 & 7);
    vmw(MSR_BM, (uint64_t)msr_bitmap);
    msr_bitmap[0x1b / 8] |= 1u << (0x1b & 7);          /* read APIC_BASE exits */
    msr_bitmap[2048 + 0x1b / 8] |= 1u << (0x1b & 7);   /* and its write */
    vmw(CR0_MASK, 1u << 1);                            /* CR0.MP host-owned, shadow 1 */
    vmw(CR0_SHADOW, 1u << 1);
    vmw(CR4_MASK, 1u << 8 | 1u << 13);                 /* CR4.PCE, VMXE host-owned, shadow 0 */
    vmw(CR4_SHADOW, 0);
}

/* ---- 1. VMX operation and the VMfail conditions ----------------------------------------- */

static void test_vmx_operation(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    CHECKX(r[2] & (1u << 5), "CPUID.1:ECX.VMX", r[2]);
    CHECKX(rdmsr(0x3a) == 0, "IA32_FEATURE_CONTROL is 0 at reset", rdmsr(0x3a));
    uint64_t basic = rdmsr(0x480);
    revision = (uint32_t)basic & 0x7fffffff;
    CHECKX(((basic >> 32) & 0x1fff) == 4096, "IA32_VMX_BASIC region size", basic);
    CHECKX((basic >> 55) & 1, "IA32_VMX_BASIC TRUE controls", basic);
    CHECKX(rdmsr(0x486) == 0x80000021, "IA32_VMX_CR0_FIXED0", rdmsr(0x486));
    CHECKX(rdmsr(0x488) == 0x2000, "IA32_VMX_CR4_FIXED0", rdmsr(0x488));
    CHECKX((rdmsr(0x48a) & 0x3fe) == 0x2e, "IA32_VMX_VMCS_ENUM highest index 17H", rdmsr(0x48a));
    CHECKX((rdmsr(0x48e) >> 63) & 1, "activate secondary controls may be 1", rdmsr(0x48e));
    /* secondary controls: enable EPT (1), descriptor-table exiting (2), enable
     * RDTSCP (3), enable VPID (5), WBINVD exiting (6), PAUSE-loop exiting
     * (10), enable INVPCID (12) (the APIC-virtualization ones 0, 4, 8, 9:
     * tests/firmware/x86/vmx_apic.c) */
    CHECKX((rdmsr(0x48b) & 0x0000146e00000000ull) == 0x0000146e00000000ull && !(uint32_t)rdmsr(0x48b),
           "IA32_VMX_PROCBASED_CTLS2", rdmsr(0x48b));
    /* EPT_VPID_CAP (A.10): execute-only, 4-level, UC/WB, 2M/1G pages, A/D,
     * INVEPT types 1-2, INVVPID types 0-3 */
    CHECKX(rdmsr(0x48c) == 0x00000f0106334141ull, "IA32_VMX_EPT_VPID_CAP", rdmsr(0x48c));
    EXPECT_MSR_EXC("rdmsr IA32_VMX_VMFUNC", 13, "rdmsr", 0x491, 0, 0);
    EXPECT_MSR_EXC("wrmsr IA32_VMX_BASIC (read-only)", 13, "wrmsr", 0x480, 0, 0);

    uint64_t pa = (uint64_t)vmxon_region;
    *(uint32_t *)vmxon_region = revision;
    /* VMXON without CR4.VMXE: #UD */
    EXPECT_EXC("vmxon with CR4.VMXE = 0", 6, -1, "vmxon %0", "m"(pa));
    write_cr4(read_cr4() | 1u << 13);
    CHECK(read_cr4() & (1u << 13), "CR4.VMXE set");
    /* feature control unlocked: #GP(0) */
    EXPECT_EXC("vmxon with IA32_FEATURE_CONTROL unlocked", 13, 0, "vmxon %0", "m"(pa));
    EXPECT_MSR_EXC("wrmsr IA32_FEATURE_CONTROL reserved bit", 13, "wrmsr", 0x3a, 1u << 3 | 5, 0);
    wrmsr(0x3a, 5); /* lock | enable VMX outside SMX */
    CHECKX(rdmsr(0x3a) == 5, "IA32_FEATURE_CONTROL locked", rdmsr(0x3a));
    EXPECT_MSR_EXC("wrmsr IA32_FEATURE_CONTROL once locked", 13, "wrmsr", 0x3a, 1, 0);
    /* VMfailInvalid: bad alignment, bad revision */
    CHECKX(vmxon(pa + 8) == VMX_CF, "vmxon unaligned: VMfailInvalid", vmxon(pa + 8));
    *(uint32_t *)vmxon_region = revision + 1;
    CHECK(vmxon(pa) == VMX_CF, "vmxon wrong revision: VMfailInvalid");
    *(uint32_t *)vmxon_region = revision;
    CHECK(vmxon(pa) == 0, "vmxon: VMsucceed");
    /* CR4.VMXE cannot be cleared in VMX operation; CR0.PE/PG/NE stay */
    EXPECT_EXC("clear CR4.VMXE in VMX operation", 13, 0, "mov %0, %%cr4", "r"(read_cr4() & ~(1ull << 13)));
    EXPECT_EXC("clear CR0.NE in VMX operation", 13, 0, "mov %0, %%cr0", "r"(read_cr0() & ~(1ull << 5)));
    /* no current VMCS: VMfailInvalid */
    CHECK(vmxon(pa) == VMX_CF, "vmxon in root without a VMCS: VMfailInvalid");
    CHECK(vmptrst() == ~0ull, "vmptrst: no current VMCS");
    uint64_t v;
    CHECK(vmread_f(EXIT_REASON, &v) == VMX_CF, "vmread without a VMCS: VMfailInvalid");
    CHECK(vmcall_root() == VMX_CF, "vmcall in root without a VMCS: VMfailInvalid");
    /* VMCLEAR / VMPTRLD errors before a VMCS is current */
    CHECK(vmclear(pa) == VMX_CF, "vmclear of the VMXON region (error 3, no VMCS: VMfailInvalid)");
    *(uint32_t *)vmcs_a = revision;
    *(uint32_t *)vmcs_b = revision;
    CHECK(vmclear((uint64_t)vmcs_a) == 0, "vmclear A");
    CHECK(vmptrld((uint64_t)vmcs_a) == 0, "vmptrld A");
    CHECKX(vmptrst() == (uint64_t)vmcs_a, "vmptrst = A", vmptrst());
    /* now VMfailValid with the error numbers of §31.4 */
#define ERR(what, flags, n)                                                   \
    do {                                                                      \
        uint64_t f_ = (flags);                                                \
        CHECKX(f_ == VMX_ZF, what ": VMfailValid", f_);                           \
        CHECKX(vmr(INSN_ERROR) == (n), what ": VM-instruction error", vmr(INSN_ERROR)); \
    } while (0)
    ERR("vmxon in VMX root operation", vmxon(pa), 15);
    ERR("vmcall in VMX root operation", vmcall_root(), 1);
    ERR("vmclear unaligned", vmclear((uint64_t)vmcs_b + 16), 2);
    ERR("vmclear beyond the physical-address width", vmclear(1ull << 52), 2);
    ERR("vmclear of the VMXON pointer", vmclear(pa), 3);
    ERR("vmptrld unaligned", vmptrld((uint64_t)vmcs_b + 1), 9);
    ERR("vmptrld of the VMXON pointer", vmptrld(pa), 10);
    *(uint32_t *)vmcs_b = revision | 1u << 31; /* shadow-VMCS indicator: no shadowing */
    ERR("vmptrld shadow-VMCS revision", vmptrld((uint64_t)vmcs_b), 11);
    *(uint32_t *)vmcs_b = revision;
    ERR("vmread unsupported field (PML address)", vmread_f(0x200e, &v), 12);
    ERR("vmread encoding with bits 63:32", vmread_f(1ull << 32 | EXIT_REASON, &v), 12);
    ERR("vmwrite read-only field (exit reason)", vmwrite_f(EXIT_REASON, 1), 13);
    /* the high half of a 64-bit field (access type 1) */
    vmw(IO_A, 0x1122334455667000ull);
    CHECKX(vmr(IO_A | 1) == 0x11223344, "vmread high half", vmr(IO_A | 1));
    vmw(IO_A | 1, 0);
    CHECKX(vmr(IO_A) == 0x55667000, "vmwrite high half", vmr(IO_A));
    /* 16-bit fields hold 16 bits */
    vmw(G_CS_SEL, 0x12345678);
    CHECKX(vmr(G_CS_SEL) == 0x5678, "16-bit field", vmr(G_CS_SEL));
    /* VMCLEAR writes the VMCS back; VMPTRLD reads it again */
    vmw(G_RIP, 0xabcdef);
    CHECK(vmclear((uint64_t)vmcs_a) == 0, "vmclear current");
    CHECK(vmptrst() == ~0ull, "vmclear of the current VMCS makes it invalid");
    CHECK(vmptrld((uint64_t)vmcs_a) == 0, "vmptrld A again");
    CHECKX(vmr(G_RIP) == 0xabcdef, "field kept across VMCLEAR / VMPTRLD", vmr(G_RIP));
    struct gregs g = { 0 };
    ERR("vmresume with a clear VMCS", vm_enter(&g, 0) & ~0x100ull, 5);
}

/* ---- 2. VM-entry failures -------------------------------------------------------------- */

static void test_entry_failures(void)
{
    struct gregs g = { 0 };
    setup_vmcs();
    uint64_t pin = vmr(PIN);
    vmw(PIN, pin | 1u << 2 << 8); /* bit 10: reserved (allowed-1 = 0) */
    ERR("vmlaunch with a reserved pin-based control", vm_enter(&g, 1) & ~0x100ull, 7);
    vmw(PIN, pin);
    /* secondary controls (§27.2.1.1): a reserved one, VPID 0, bad EPTPs */
    uint64_t proc = vmr(PROC);
    vmw(PROC, proc | 1ull << 31);
    vmw(PROC2, 1u << 7); /* unrestricted guest without enable EPT */
    ERR("vmlaunch with a reserved secondary control", vm_enter(&g, 1) & ~0x100ull, 7);
    vmw(PROC2, 1u << 5);
    vmw(V_VPID, 0);
    ERR("vmlaunch with enable VPID and VPID 0", vm_enter(&g, 1) & ~0x100ull, 7);
    vmw(PROC2, 1u << 1);
    vmw(V_EPTP, (uint64_t)ept_pml4 | 3u << 3 | 1); /* memory type 1 (WC) */
    ERR("vmlaunch with EPTP memory type WC", vm_enter(&g, 1) & ~0x100ull, 7);
    vmw(V_EPTP, (uint64_t)ept_pml4 | 4u << 3 | 6); /* page-walk length 5 */
    ERR("vmlaunch with EPTP page-walk length 5", vm_enter(&g, 1) & ~0x100ull, 7);
    vmw(V_EPTP, (uint64_t)ept_pml4 | 3u << 3 | 6 | 1u << 7); /* reserved bit 7 */
    ERR("vmlaunch with EPTP bit 7", vm_enter(&g, 1) & ~0x100ull, 7);
    vmw(PROC2, 0);
    vmw(PROC, proc);
    uint64_t hcr0 = vmr(H_CR0);
    vmw(H_CR0, hcr0 & ~1ull);
    ERR("vmlaunch with host CR0.PE = 0", vm_enter(&g, 1) & ~0x100ull, 8);
    vmw(H_CR0, hcr0);
    vmw(G_RFLAGS, 0); /* bit 1 must be 1 (§27.3.1.4) */
    uint64_t rc = vm_enter(&g, 1);
    CHECKX(rc == 0, "failed entry returns through the host RIP", rc);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "failed entry: exit reason 33 | bit 31", vmr(EXIT_REASON));
    CHECKX(vmr(EXIT_QUAL) == 0, "failed entry: qualification 0", vmr(EXIT_QUAL));
    vmw(G_RFLAGS, 2);
    vmw(LINK_PTR, 0);
    rc = vm_enter(&g, 1);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33) && vmr(EXIT_QUAL) == 4,
           "bad VMCS link pointer: exit reason 33, qualification 4", vmr(EXIT_QUAL));
    vmw(LINK_PTR, ~0ull);
    vmw(G_ACTIVITY, 4); /* not defined (IA32_VMX_MISC bits 8:6 report 1-3) */
    vm_enter(&g, 1);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "unsupported activity state", vmr(EXIT_REASON));
    vmw(G_ACTIVITY, 0);
}

/* ---- 3. the guest ----------------------------------------------------------------------- */

struct expect {
    const char *what;
    uint32_t reason;
    uint64_t qual;
    uint32_t len;       /* ~0: not checked */
    uint32_t intr_info; /* VM-exit interruption information */
};

static int exits_seen;

static void check_exit(const struct expect *e)
{
    uint64_t reason = vmr(EXIT_REASON), qual = vmr(EXIT_QUAL), len = vmr(EXIT_INSN_LEN);
    exits_seen++;
    x86t_puts("  exit ");
    x86t_putdec(reason);
    x86t_puts(" qual ");
    x86t_puthex(qual);
    x86t_puts(" len ");
    x86t_putdec(len);
    x86t_puts(": ");
    x86t_puts(e->what);
    x86t_puts("\n");
    CHECKX(reason == e->reason, e->what, reason);
    CHECKX(qual == e->qual, e->what, qual);
    if (e->len != ~0u)
        CHECKX(len == e->len, e->what, len);
    CHECKX(vmr(EXIT_INTR_INFO) == e->intr_info, e->what, vmr(EXIT_INTR_INFO));
}

static void test_guest(void)
{
    struct gregs g = { 0 };
    setup_vmcs();
    static const struct expect ex[] = {
        { "CPUID", 10, 0, 2, 0 },
        { "OUT DX, AL to 3F8H", 30, 0x03f80000, 1, 0 },
        { "OUT 80H, AL", 30, 0x00800040, 2, 0 },
        { "RDMSR APIC_BASE", 31, 0, 2, 0 },
        { "WRMSR APIC_BASE", 32, 0, 2, 0 },
        { "MOV CR4, RBX", 28, 0x304, 3, 0 },
        { "VMCALL", 18, 0, 3, 0 },
        { "VMXOFF in the guest", 26, 0, 3, 0 },
        { "RDTSC", 16, 0, 2, 0 },
        { "UD2 (#UD in the exception bitmap)", 0, 0, ~0u, 0x80000306 },
        { "#PF (bitmap bit 14, mask = match = 0)", 0, 0x8000000000ull, ~0u, 0x80000b0e },
        { "HLT", 12, 0, 1, 0 },
        { "VMX-preemption timer", 52, 0, ~0u, 0 },
    };
    int launch = 1;
    char uart[4];
    int nuart = 0;
    for (unsigned i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        if (i == sizeof ex / sizeof ex[0] - 1) {
            /* the last run: the preemption timer (rate 2^5 ticks) */
            vmw(PIN, vmr(PIN) | 1u << 6);
            vmw(PREEMPT, 100);
        }
        uint64_t rc = vm_enter(&g, launch);
        launch = 0;
        if (rc) {
            CHECKX(0, "VM entry failed", rc);
            x86t_puts("  VM-instruction error ");
            x86t_putdec(vmr(INSN_ERROR));
            x86t_puts("\n");
            return;
        }
        check_exit(&ex[i]);
        uint64_t rip = vmr(G_RIP), len = vmr(EXIT_INSN_LEN);
        switch (vmr(EXIT_REASON)) {
        case 10: /* CPUID: the hypervisor answers */
            g.rax = 0x48767376;
            vmw(G_RIP, rip + len);
            break;
        case 30: /* the virtual UART */
            if (((vmr(EXIT_QUAL) >> 16) & 0xffff) == 0x3f8 && nuart < 3)
                uart[nuart++] = (char)g.rax;
            vmw(G_RIP, rip + len);
            break;
        case 31:
            g.rax = 0xfee00900;
            g.rdx = 0;
            vmw(G_RIP, rip + len);
            break;
        case 0:
            if ((vmr(EXIT_INTR_INFO) & 0xff) == 6) {
                CHECKX(rip == (uint64_t)guest_after_ud2 - 2, "#UD exit: guest RIP at UD2", rip);
                vmw(G_RIP, rip + 2);
            } else {
                CHECKX(vmr(EXIT_INTR_ERR) == 0, "#PF exit: error code 0 (not present, read)",
                       vmr(EXIT_INTR_ERR));
                vmw(G_RIP, rip + 3); /* mov (%rax), %rbx */
            }
            break;
        case 18:
            CHECKX(g.rax == 0x1234, "VMCALL: guest RAX", g.rax);
            CHECKX(g.r13 == 0x48767376, "guest saw the CPUID answer", g.r13);
            CHECKX(g.r14 == 0xfee00900, "guest saw the RDMSR answer", g.r14);
            CHECKX((g.r12 & 2) && !(read_cr0() & 2), "guest CR0.MP from the read shadow", g.r12);
            vmw(G_RIP, rip + len);
            break;
        case 52:
            CHECKX(rip == (uint64_t)guest_spin, "preemption timer: guest RIP in the loop", rip);
            break;
        default:
            vmw(G_RIP, rip + len);
            break;
        }
    }
    uart[nuart] = 0;
    CHECK(nuart == 1 && uart[0] == 'G', "virtual UART got 'G'");
    CHECKX(exits_seen == 13, "13 exits", exits_seen);
    CHECKX(vmptrst() == (uint64_t)vmcs_a, "VMCS still current", vmptrst());
    ERR("vmlaunch with a launched VMCS", vm_enter(&g, 1) & ~0x100ull, 4);

    /* INT3, RDTSCP, LMSW */
    vmw(PIN, vmr(PIN) & ~(1u << 6));
    vmw(EXC_BITMAP, 1u << 3 | 1u << 6);
    vmw(G_RIP, (uint64_t)guest2);
    static const struct expect ex2[] = {
        { "INT3 (#BP in the exception bitmap, software exception)", 0, 0, 1, 0x80000603 },
        { "RDTSCP: #UD in non-root operation", 0, 0, ~0u, 0x80000306 },
        { "LMSW m16 clearing host-owned MP", 28, 0x10070, 7, 0 },
    };
    for (unsigned i = 0; i < 3; i++) {
        uint64_t rc = vm_enter(&g, 0);
        CHECKX(rc == 0, "VM entry", rc);
        check_exit(&ex2[i]);
        uint64_t rip = vmr(G_RIP);
        vmw(G_RIP, rip + (i == 1 ? 3 : vmr(EXIT_INSN_LEN)));
    }
    CHECKX(vmr(GUEST_LA) == (uint64_t)&lmsw_word, "LMSW: guest-linear address", vmr(GUEST_LA));
}

/* ---- 4. events: interrupt window, external interrupts, NMI ------------------------------- */

static void test_events(void)
{
    struct gregs g = { 0 };
    uint64_t pin = vmr(PIN), proc = vmr(PROC), exitc = vmr(EXIT_CTLS);
    vmw(G_RIP, (uint64_t)guest_spin);
    /* interrupt window: guest IF = 1, nothing blocking: exit before its
     * first instruction */
    vmw(G_RFLAGS, 0x202);
    vmw(PROC, proc | 1u << 2);
    static const struct expect w = { "interrupt window", 7, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (interrupt window)");
    check_exit(&w);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_spin, "interrupt window: guest RIP", vmr(G_RIP));
    vmw(PROC, proc);
    vmw(G_RFLAGS, 2);
    /* a self-IPI (x2APIC) pending while the host has IF = 0; external-
     * interrupt exiting takes it whatever the guest's IF */
    wrmsr(0x1b, rdmsr(0x1b) | 1u << 10 | 1u << 11); /* x2APIC mode */
    wrmsr(0x80f, 0x1ff);                              /* SVR: enabled */
    wrmsr(0x835, 1u << 16);                           /* LVT LINT0 masked: no 8259 ExtINT */
    outb(0x21, 0xff);                                 /* and the 8259 masked */
    outb(0xa1, 0xff);
    wrmsr(0x83f, 0x30);                               /* SELF IPI vector 30H */
    vmw(PIN, pin | 1u << 0);
    static const struct expect e1 = { "external interrupt, no acknowledge", 1, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (external interrupt)");
    check_exit(&e1);
    vmw(EXIT_CTLS, exitc | 1u << 15);
    static const struct expect e2 = { "external interrupt, acknowledged on exit", 1, 0, ~0u, 0x80000030 };
    CHECK(vm_enter(&g, 0) == 0, "entry (external interrupt, ack)");
    check_exit(&e2);
    wrmsr(0x80b, 0); /* EOI */
    vmw(EXIT_CTLS, exitc);
    /* NMI exiting: the guest sends itself an NMI through the x2APIC ICR
     * (no MSR-bitmap bit: the write reaches the local APIC) */
    vmw(PIN, pin | 1u << 3);
    vmw(G_RIP, (uint64_t)guest_nmi);
    static const struct expect n = { "NMI", 0, 0, ~0u, 0x80000202 };
    CHECK(vm_enter(&g, 0) == 0, "entry (NMI)");
    check_exit(&n);
    vmw(PIN, pin);
    /* INIT: a VM exit in non-root operation (the guest sends it to its
     * own APIC ID); in root operation it is blocked, latched, and exits
     * at the next entry */
    vmw(G_RIP, (uint64_t)guest_init);
    static const struct expect i1 = { "INIT (sent by the guest)", 3, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (INIT)");
    check_exit(&i1);
    wrmsr(0x830, 0x4500); /* INIT to ourselves in VMX root operation: blocked */
    CHECK(1, "INIT blocked in VMX root operation");
    vmw(G_RIP, (uint64_t)guest_spin);
    static const struct expect i2 = { "INIT latched in root, taken at the entry", 3, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (latched INIT)");
    check_exit(&i2);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_spin, "latched INIT: before the first instruction", vmr(G_RIP));
}

/* ---- 4b. CR3, DR, INVLPG exiting; HLT activity; triple fault -------------------------------- */

static void test_more_exits(void)
{
    struct gregs g = { 0 };
    uint64_t pin = vmr(PIN), proc = vmr(PROC), exc = vmr(EXC_BITMAP);
    vmw(PROC, (proc | 1u << 15 | 1u << 16 | 1u << 23 | 1u << 9) & ~(1u << 7));
    vmw(G_RIP, (uint64_t)guest3);
    static const struct expect ex[] = {
        { "MOV RAX, CR3 (CR3-store exiting)", 28, 0x13, 3, 0 },
        { "MOV CR3, RAX (CR3-load exiting)", 28, 0x3, 3, 0 },
        { "MOV RDX, DR7 (MOV-DR exiting)", 29, 0x217, 3, 0 },
        { "INVLPG (INVLPG exiting)", 14, 0x1000, 3, 0 },
    };
    for (unsigned i = 0; i < 4; i++) {
        CHECK(vm_enter(&g, 0) == 0, "entry");
        check_exit(&ex[i]);
        if (i == 0)
            g.rax = read_cr3(); /* the hypervisor emulates the store */
        vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    }
    /* HLT without HLT exiting: the guest halts, the preemption timer
     * wakes it with a VM exit whose saved activity state is HLT */
    vmw(PIN, pin | 1u << 6);
    vmw(PREEMPT, 40);
    static const struct expect h = { "preemption timer in a halted guest", 52, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (hlt)");
    check_exit(&h);
    CHECKX(vmr(G_ACTIVITY) == 1, "activity state HLT saved", vmr(G_ACTIVITY));
    CHECKX(vmr(G_RIP) == (uint64_t)guest3_ud2, "halted guest RIP after HLT", vmr(G_RIP));
    /* entering in the HLT state: the timer again */
    vmw(PREEMPT, 10);
    CHECK(vm_enter(&g, 0) == 0, "entry in HLT state");
    check_exit(&h);
    vmw(G_ACTIVITY, 0);
    vmw(PIN, pin);
    /* a triple fault in the guest (IDTR limit 0, no exception exits) */
    uint64_t il = vmr(G_IDTR_LIMIT);
    vmw(G_IDTR_LIMIT, 0);
    vmw(EXC_BITMAP, 0);
    static const struct expect t = { "triple fault", 2, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (triple fault)");
    check_exit(&t);
    vmw(G_IDTR_LIMIT, il);
    vmw(EXC_BITMAP, exc);
    vmw(PROC, proc);
}

/* ---- 4c. INS/OUTS, CR8, CLTS, VMREAD exits; event injection ----------------------------------- */

static int inj_hook(struct x86t_frame *f)
{
    /* runs in the guest (it shares the IDT and this code): report the
     * event the entry injected to the hypervisor */
    __asm__ volatile("vmcall" ::"a"(f->vector), "b"(f->error), "c"(f->rip) : "memory");
    return 1;
}

static void test_injection(void)
{
    struct gregs g = { 0 };
    uint64_t proc = vmr(PROC), cr0m = vmr(CR0_MASK), cr0s = vmr(CR0_SHADOW);
    vmw(PROC, proc | 1u << 19);                 /* CR8-load exiting */
    vmw(CR0_MASK, cr0m | 1u << 3);              /* TS host-owned, shadow TS = 1 */
    vmw(CR0_SHADOW, cr0s | 1u << 3);
    vmw(G_RIP, (uint64_t)guest4);
    static const struct expect ex[] = {
        { "REP OUTSB to port 80H", 30, 0x00800030, 2, 0 },
        { "MOV CR8, RAX (CR8-load exiting)", 28, 0x8, 4, 0 },
        { "CLTS (TS host-owned, set in the shadow)", 28, 0x20, 2, 0 },
        { "VMREAD in the guest", 23, 0, 3, 0 },
    };
    for (unsigned i = 0; i < 4; i++) {
        CHECK(vm_enter(&g, 0) == 0, "entry");
        check_exit(&ex[i]);
        if (i == 0) {
            CHECKX(vmr(GUEST_LA) == (uint64_t)guest4_buf, "OUTS: guest-linear address", vmr(GUEST_LA));
            CHECKX(vmr(EXIT_INSN_INFO) == 0x18100, "OUTS: instruction information (64-bit, DS)",
                   vmr(EXIT_INSN_INFO));
        }
        if (i == 3)
            CHECKX(vmr(EXIT_INSN_INFO) == 0x20000500, "VMREAD: instruction information (reg2 RDX, reg1 RAX)",
                   vmr(EXIT_INSN_INFO));
        vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    }
    vmw(PROC, proc);
    vmw(CR0_MASK, cr0m);
    vmw(CR0_SHADOW, cr0s);
    /* event injection (§27.6): a #GP with error code 18H and INT 20H
     * (software interrupt, length 2), delivered through the guest IDT
     * before its first instruction; the guest's handler reports them */
    x86t_hook = inj_hook;
    vmw(G_RIP, (uint64_t)guest_spin);
    vmw(0x4016, 1u << 31 | 1u << 11 | 3u << 8 | 13); /* VM-entry interruption information */
    vmw(0x4018, 0x18);                                /* its error code */
    static const struct expect v = { "VMCALL from the guest's handler", 18, 0, 3, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (inject #GP)");
    check_exit(&v);
    CHECKX(g.rax == 13 && g.rbx == 0x18, "injected #GP(18H) delivered", g.rax << 32 | g.rbx);
    CHECKX(g.rcx == (uint64_t)guest_spin, "injected #GP: return RIP", g.rcx);
    CHECKX(!(vmr(0x4016) >> 31), "exit cleared the injection's valid bit", vmr(0x4016));
    vmw(G_RIP, (uint64_t)guest_spin);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    vmw(0x4016, 1u << 31 | 4u << 8 | 32);
    vmw(0x401a, 2);
    CHECK(vm_enter(&g, 0) == 0, "entry (inject INT 20H)");
    check_exit(&v);
    CHECKX(g.rax == 32, "injected INT 20H delivered", g.rax);
    CHECKX(g.rcx == (uint64_t)guest_spin + 2, "software interrupt: return RIP + length", g.rcx);
    /* a reserved interruption type is a control error (VMfailValid 7) */
    vmw(0x4016, 1u << 31 | 1u << 8 | 32);
    ERR("injection with interruption type 1", vm_enter(&g, 0) & ~0x100ull, 7);
    vmw(0x4016, 0);
    x86t_hook = 0;
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
}

/* ---- 4d. TSC offsetting, RDPMC exiting ----------------------------------------------------- */

static uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void test_tsc_offset(void)
{
    struct gregs g = { 0 };
    uint64_t proc = vmr(PROC);
    vmw(PROC, (proc | 1u << 3 | 1u << 11) & ~(1u << 12)); /* TSC offsetting, RDPMC exiting, no RDTSC exiting */
    vmw(0x2010, 1ull << 40);                              /* TSC offset */
    vmw(G_RIP, (uint64_t)guest5);
    uint64_t before = rdtsc64();
    static const struct expect e = { "RDPMC (RDPMC exiting)", 15, 0, 2, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (TSC offset)");
    check_exit(&e);
    uint64_t after = rdtsc64();
    CHECKX(g.r15 > before + (1ull << 40) && g.r15 < after + (1ull << 40), "guest RDTSC = TSC + offset", g.r15);
    CHECKX(after < (1ull << 40), "host TSC without the offset after the exit", after);
    vmw(PROC, proc);
}

/* ---- 5. MSR areas and the preemption timer at 0 -------------------------------------------- */

static uint64_t entry_msrs[2] __attribute__((aligned(16)));
static uint64_t store_msrs[2] __attribute__((aligned(16)));
static uint64_t load_msrs[2] __attribute__((aligned(16)));

static void test_msr_areas(void)
{
    struct gregs g = { 0 };
    uint64_t pin = vmr(PIN), exitc = vmr(EXIT_CTLS);
    entry_msrs[0] = 0xc0000103; /* IA32_TSC_AUX */
    entry_msrs[1] = 0x77;
    store_msrs[0] = 0xc0000103;
    store_msrs[1] = 0;
    load_msrs[0] = 0xc0000103;
    load_msrs[1] = 0x55;
    vmw(0x200a, (uint64_t)entry_msrs); /* VM-entry MSR-load address, count */
    vmw(0x4014, 1);
    vmw(0x2006, (uint64_t)store_msrs); /* VM-exit MSR-store */
    vmw(0x400e, 1);
    vmw(0x2008, (uint64_t)load_msrs); /* VM-exit MSR-load */
    vmw(0x4010, 1);
    vmw(PIN, pin | 1u << 6);
    vmw(EXIT_CTLS, exitc | 1u << 22); /* save the preemption timer value */
    vmw(PREEMPT, 0);
    static const struct expect t0 = { "preemption timer 0: exit before the first instruction", 52, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (MSR areas)");
    check_exit(&t0);
    CHECKX(store_msrs[1] == 0x77, "VM-entry MSR-load then VM-exit MSR-store of TSC_AUX", store_msrs[1]);
    CHECKX(rdmsr(0xc0000103) == 0x55, "VM-exit MSR-load of TSC_AUX", rdmsr(0xc0000103));
    CHECKX(vmr(PREEMPT) == 0, "saved preemption timer value", vmr(PREEMPT));
    /* an MSR the entry may not load (IA32_FS_BASE): failed entry, reason
     * 34, qualification = the entry's number */
    entry_msrs[0] = 0xc0000100;
    vm_enter(&g, 0);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 34), "MSR-load failure: exit reason 34 | bit 31", vmr(EXIT_REASON));
    CHECKX(vmr(EXIT_QUAL) == 1, "MSR-load failure: entry 1", vmr(EXIT_QUAL));
    vmw(0x4014, 0);
    vmw(0x400e, 0);
    vmw(0x4010, 0);
    vmw(PIN, pin);
    vmw(EXIT_CTLS, exitc);
}

/* ---- 6. EPT (SDM vol. 3C §29.3) ----------------------------------------------------------
 * Identity EPT for the first 4 GiB: 4-KByte pages for the first 2 MiB (the
 * boot page tables at 0x2000-0x7fff, this kernel at 0x100000), 2-MByte
 * pages up to 1 GiB, 1-GByte pages above, the last one aliased onto 0 to
 * show it maps. The guest (same CR3: guest-physical = host-physical) hits
 * a not-present page, a read-only page, an execute-only page, a
 * write-without-read entry (misconfiguration) and a not-present guest page
 * table; each time the host checks the exit and fixes the entry. */
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t ept_pd[512] __attribute__((aligned(4096)));
static uint64_t ept_pt[512] __attribute__((aligned(4096)));
static uint8_t ept_a[4096] __attribute__((aligned(4096))); /* not present, then RWX */
static uint8_t ept_b[4096] __attribute__((aligned(4096))); /* R-X, then RWX */
static uint8_t ept_c[4096] __attribute__((aligned(4096))); /* execute-only code, then R-X */
static uint8_t ept_d[4096] __attribute__((aligned(4096))); /* -W- (misconfigured), then RWX */
static uint8_t ept_e[4096] __attribute__((aligned(4096))); /* read through the 1-GByte alias */

void guest_ept(void);
void guest_ept_vmcall(void);
__asm__(".text\n.globl guest_ept\nguest_ept:\n\t"
        "mov (%rbx), %rax\n\t"        /* ept_a: not present */
        "movq $7, (%rcx)\n\t"         /* ept_b: read-only */
        "call *%rdx\n\t"              /* ept_c: execute-only code runs */
        "mov (%rdx), %r8\n\t"         /* ... but reading it is a violation */
        "mov (%rsi), %r9\n\t"         /* ept_d: misconfiguration */
        ".globl guest_ept_e\nguest_ept_e:\n\t"
        "mov (%rdi), %r10\n"           /* ept_e through the 1-GByte page at 3 GiB */
        ".globl guest_ept_vmcall\nguest_ept_vmcall:\n\t"
        "vmcall\n\t"
        "jmp guest_spin\n");
void guest_ept_e(void);
void guest_inv(void);
void guest_pop(void);
__asm__(".text\n.globl guest_pop\nguest_pop:\n\t"
        "popq (%rbx)\n\t"
        "vmcall\n\t"
        "jmp guest_spin\n");
__asm__(".text\n.globl guest_inv\nguest_inv:\n\t"
        "invept 8(%rax), %rcx\n\t"
        "invvpid 16(%rax), %rdx\n\t"
        "vmcall\n\t"
        "jmp guest_spin\n");

static void ept_set(const void *page, uint64_t perm)
{
    ept_pt[((uint64_t)page >> 12) & 511] = ((uint64_t)page & ~0xfffull) | EPT_WB | perm;
}

static void ept_exit(const char *what, uint32_t reason, uint64_t qual, uint64_t gpa, uint64_t gla)
{
    const struct expect e = { what, reason, qual, ~0u, 0 };
    check_exit(&e);
    CHECKX(vmr(GUEST_PA) == gpa, what, vmr(GUEST_PA));
    if (qual & 0x80)
        CHECKX(vmr(GUEST_LA) == gla, what, vmr(GUEST_LA));
}

static void test_ept(void)
{
    struct gregs g = { 0 };
    uint64_t proc = vmr(PROC);
    CHECKX((uint64_t)ept_e < (2u << 20), "test pages in the first 2 MiB", (uint64_t)ept_e);
    uint64_t eptp = vmxt_ept_identity(ept_pml4, ept_pdpt, ept_pd, ept_pt, 4, 0);
    ept_pdpt[3] = 0 | EPT_BIG | EPT_WB | EPT_RWX;            /* GPA 3 GiB -> HPA 0 */
    ept_pt[(uint64_t)ept_a >> 12] = 0;
    ept_set(ept_b, 5);
    ept_set(ept_c, 4);
    ept_set(ept_d, 2);
    /* mov $0x1234, %eax; ret */
    static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0, 0, 0xc3 };
    for (unsigned i = 0; i < sizeof code; i++)
        ept_c[i] = code[i];
    *(uint64_t *)ept_e = 0x45505431474221ull;
    vmw(PROC, proc | 1ull << 31);
    vmw(PROC2, 1u << 1);
    vmw(V_EPTP, eptp);
    vmw(G_RIP, (uint64_t)guest_ept);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    g.rbx = (uint64_t)ept_a + 8;
    g.rcx = (uint64_t)ept_b + 16;
    g.rdx = (uint64_t)ept_c;
    g.rsi = (uint64_t)ept_d + 24;
    g.rdi = 3ull << 30 | (uint64_t)ept_e;
    /* qualification (Table 28-7): 0 read, 1 write, 2 fetch, 3-5 the
     * entry's R/W/X, 7 guest-linear address valid, 8 access to the
     * translation (not to a guest paging-structure entry) */
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT)");
    ept_exit("EPT violation: read of a not-present page", 48, 0x181, g.rbx, g.rbx);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_ept, "EPT violation: fault-like (guest RIP)", vmr(G_RIP));
    ept_set(ept_a, EPT_RWX);
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT 2)");
    ept_exit("EPT violation: write to a read-only (R-X) page", 48, 0x1aa, g.rcx, g.rcx);
    ept_set(ept_b, EPT_RWX);
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT 3)");
    ept_exit("EPT violation: read of an execute-only page", 48, 0x1a1, g.rdx, g.rdx);
    CHECKX(g.rax == 0x1234, "code ran from an execute-only page", g.rax);
    ept_set(ept_c, 5);
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT 4)");
    ept_exit("EPT misconfiguration: write without read", 49, 0, g.rsi, 0);
    ept_set(ept_d, EPT_RWX);
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT 5)");
    static const struct expect vc = { "VMCALL after the EPT exits", 18, 0, 3, 0 };
    check_exit(&vc);
    CHECKX(*(uint64_t *)(ept_b + 16) == 7, "the guest's write reached the page once writable", *(uint64_t *)(ept_b + 16));
    CHECKX(g.r8 == 0xc300001234b8ull, "read of the (now R-X) code page", g.r8);
    CHECKX(g.r10 == 0x45505431474221ull, "read through the 1-GByte EPT page", g.r10);
    /* a guest paging-structure read (the PD at 0x4000) not present: bit 7
     * (linear address valid) without bit 8, a read */
    ept_pt[4] = 0;
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT 6)");
    uint64_t rip = (uint64_t)guest_ept_vmcall;
    ept_exit("EPT violation: guest paging-structure read", 48, 0x81, 0x4000 + (rip >> 21) * 8, rip);
    ept_pt[4] = 0x4000 | EPT_WB | EPT_RWX;
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT 7)");
    check_exit(&vc);
    /* INVEPT / INVVPID in VMX root operation (§31.3): unsupported types,
     * bad descriptors: VMfailValid(28) */
    eptp = vmr(V_EPTP);
    ERR("invept type 0 (not reported)", invept_f(0, eptp, 0), 28);
    ERR("invept single-context, EPTP memory type WC", invept_f(1, (eptp & ~7ull) | 1, 0), 28);
    CHECKX(invept_f(1, eptp, 0) == 0, "invept single-context", vmr(INSN_ERROR));
    CHECKX(invept_f(2, 0, 0) == 0, "invept all-context", vmr(INSN_ERROR));
    ERR("invvpid type 4", invvpid_f(4, 1, 0), 28);
    ERR("invvpid individual-address with VPID 0", invvpid_f(0, 0, 0x1000), 28);
    ERR("invvpid descriptor bits 63:16", invvpid_f(1, 1ull << 16 | 1, 0), 28);
    ERR("invvpid non-canonical address", invvpid_f(0, 1, 1ull << 47), 28);
    CHECKX(invvpid_f(0, 1, (uint64_t)ept_a) == 0, "invvpid individual-address", vmr(INSN_ERROR));
    CHECKX(invvpid_f(3, 1, 0) == 0, "invvpid single-context retaining globals", vmr(INSN_ERROR));
    CHECKX(invvpid_f(1, 1, 0) == 0, "invvpid single-context", vmr(INSN_ERROR));
    ERR("invvpid single-context with VPID 0", invvpid_f(1, 0, 0), 28);
    CHECKX(invvpid_f(2, 0, 0) == 0, "invvpid all-context (VPID not checked)", vmr(INSN_ERROR));
    /* remap ept_e's page onto ept_a, INVEPT, and the guest reads ept_a's
     * bytes at ept_e's guest-physical address; with VPID 1 this time */
    *(uint64_t *)ept_a = 0x6d61707065642141ull;
    ept_pt[((uint64_t)ept_e >> 12) & 511] = (uint64_t)ept_a | EPT_WB | EPT_RWX;
    CHECKX(invept_f(1, eptp, 0) == 0, "invept after changing a mapping", vmr(INSN_ERROR));
    vmw(PROC2, 1u << 1 | 1u << 5);
    vmw(V_VPID, 1);
    vmw(G_RIP, (uint64_t)guest_ept_e);
    g.rdi = (uint64_t)ept_e;
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT remapped)");
    check_exit(&vc);
    CHECKX(g.r10 == 0x6d61707065642141ull, "the remapped page after INVEPT", g.r10);
    ept_set(ept_e, EPT_RWX);
    /* the guest's INVEPT / INVVPID exit (reasons 50, 53): qualification =
     * displacement, instruction information reg2 = RCX / RDX, 64-bit
     * address, DS, no index, base RAX (Table 28-13) */
    static uint64_t desc[4];
    vmw(G_RIP, (uint64_t)guest_inv);
    g.rax = (uint64_t)desc;
    g.rcx = 1;
    g.rdx = 1;
    static const struct expect ie = { "INVEPT in the guest", 50, 8, 6, 0 };
    static const struct expect iv = { "INVVPID in the guest", 53, 16, 6, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (INVEPT)");
    check_exit(&ie);
    CHECKX(vmr(EXIT_INSN_INFO) == 0x10418100u, "INVEPT instruction information", vmr(EXIT_INSN_INFO));
    vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    CHECK(vm_enter(&g, 0) == 0, "entry (INVVPID)");
    check_exit(&iv);
    CHECKX(vmr(EXIT_INSN_INFO) == 0x20418100u, "INVVPID instruction information", vmr(EXIT_INSN_INFO));
    vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    CHECK(vm_enter(&g, 0) == 0, "entry (after INVVPID)");
    check_exit(&vc);
    /* a 2-MByte EPT page (GPA 2 MiB -> HPA 0) with EPT accessed/dirty
     * flags (EPTP[6], §29.3.5): A in every entry used; D where the guest
     * walked its page tables (a guest paging-structure access counts as a
     * write), not on the 2-MByte page it only read */
    ept_pd[1] = 0 | 1u << 7 | EPT_WB | EPT_RWX;
    for (unsigned k = 2; k <= 4; k++)
        ept_pt[k] &= ~0x300ull;
    ept_pml4[0] &= ~0x300ull;
    vmw(V_EPTP, eptp | 1u << 6);
    vmw(G_RIP, (uint64_t)guest_ept_e);
    g.rdi = (2ull << 20) + (uint64_t)ept_e;
    CHECK(vm_enter(&g, 0) == 0, "entry (EPT A/D)");
    check_exit(&vc);
    CHECKX(g.r10 == 0x45505431474221ull, "read through the 2-MByte EPT page", g.r10);
    CHECKX((ept_pml4[0] & 0x100) && (ept_pdpt[0] & 0x100), "EPT A flags of PML4E, PDPTE", ept_pml4[0]);
    CHECKX((ept_pd[1] & 0x300) == 0x100, "EPT 2-MByte page read: A set, D clear", ept_pd[1]);
    CHECKX((ept_pt[4] & 0x300) == 0x300, "guest PD page: EPT A and D (paging-structure access)", ept_pt[4]);
    vmw(V_EPTP, eptp);
    ept_pd[1] = 1ull << 21 | 1u << 7 | EPT_WB | EPT_RWX;
    /* POP m64 to a not-present page: the EPT violation is fault-like,
     * RSP is as before the POP */
    ept_pt[((uint64_t)ept_a >> 12) & 511] = 0;
    uint64_t rsp0 = (uint64_t)(guest_stack + sizeof guest_stack) - 64;
    vmw(G_RSP, rsp0);
    vmw(G_RIP, (uint64_t)guest_pop);
    g.rbx = (uint64_t)ept_a + 32;
    CHECK(vm_enter(&g, 0) == 0, "entry (POP to EPT)");
    ept_exit("EPT violation: write of POP m64", 48, 0x182, g.rbx, g.rbx);
    CHECKX(vmr(G_RSP) == rsp0, "EPT violation of POP m64: RSP as before", vmr(G_RSP));
    ept_set(ept_a, EPT_RWX);
    CHECK(vm_enter(&g, 0) == 0, "entry (POP again)");
    check_exit(&vc);
    CHECKX(vmr(G_RSP) == rsp0 + 8, "POP m64 retired", vmr(G_RSP));
    /* the guest's A-flag update of a PDE in a page EPT maps read-only
     * (R-X): an EPT violation of a paging-structure write (bits 0 and 1,
     * readable, executable, linear address valid, not the translation) */
    volatile uint64_t *gpd1 = (volatile uint64_t *)0x5000; /* boot PD of 1-2 GiB */
    gpd1[511] &= ~0x20ull;
    __asm__ volatile("invlpg (%0)" ::"r"(0x7fe00000ull) : "memory");
    ept_pt[5] = 0x5000 | EPT_WB | 5;
    vmw(G_RIP, (uint64_t)guest_ept_e);
    g.rdi = 0x7fe00008ull;
    CHECK(vm_enter(&g, 0) == 0, "entry (guest A flag)");
    ept_exit("EPT violation: guest A-flag write to a read-only page table", 48, 0xab, 0x5ff8,
             0x7fe00008ull);
    CHECKX(!(gpd1[511] & 0x20), "no A flag written", gpd1[511]);
    ept_pt[5] = 0x5000 | EPT_WB | EPT_RWX;
    CHECK(vm_enter(&g, 0) == 0, "entry (guest A flag again)");
    check_exit(&vc);
    CHECKX(gpd1[511] & 0x20, "the guest's walk set the PDE's A flag through EPT", gpd1[511]);
    /* 0F 38 80 without 66 is not INVEPT: #UD */
    EXPECT_EXC("0F 38 80 without 66", 6, -1, ".byte 0x0f, 0x38, 0x80, 0x08", "m"(x86t_checks));
    vmw(PROC2, 0);
    vmw(PROC, proc);
}


/* ---- 7. events: IDT-vectoring information, NMI unblocking by IRET, CR2 --------------------
 * (SDM vol. 3C §28.2.3, §28.2.4, §27.6) */

void guest_int21(void);
void guest_int3(void);
void guest_load(void);
void guest_iretq(void);
void guest_self_iret(void);
void guest_after_iret(void);
void guest_mtf(void);
void guest_pause(void);
void guest_ple(void);
void guest_misc(void);
__asm__(".text\n"
        ".globl guest_int21\nguest_int21:\n\t"
        "int $0x21\n\t"                    /* its frame push hits the not-present EPT page */
        "jmp guest_spin\n"
        ".globl guest_int3\nguest_int3:\n\t"
        "int3\n\t"                         /* its frame push hits a not-present page: #PF */
        "jmp guest_spin\n"
        ".globl guest_load\nguest_load:\n\t"
        "mov (%rax), %rbx\n\t"             /* #PF, whose delivery hits another #PF */
        "jmp guest_spin\n"
        ".globl guest_iretq\nguest_iretq:\n\t"
        "iretq\n\t"                        /* a bad frame (CS = 0) or a not-present stack */
        "jmp guest_spin\n"
        ".globl guest_self_iret\nguest_self_iret:\n\t"
        "mov %rsp, %rdx\n\t"
        "mov %ss, %eax\n\tpush %rax\n\tpush %rdx\n\tpushfq\n\t"
        "mov %cs, %eax\n\tpush %rax\n\t"
        "lea guest_after_iret(%rip), %rax\n\tpush %rax\n\t"
        "iretq\n"                          /* a good IRET: ends virtual-NMI blocking */
        ".globl guest_after_iret\nguest_after_iret:\n\t"
        "jmp guest_spin\n"
        ".globl guest_mtf\nguest_mtf:\n\t"
        "nop\n\t"
        "nop\n\t"
        "vmcall\n\t"
        "jmp guest_spin\n"
        ".globl guest_pause\nguest_pause:\n\t"
        "pause\n\t"                        /* PAUSE exiting (40), length 2 */
        "jmp guest_spin\n"
        ".globl guest_ple\nguest_ple:\n\t"
        "pause\n\t"                        /* a PAUSE loop: PAUSE-loop exiting */
        "jmp guest_ple\n"
        ".globl guest_misc\nguest_misc:\n\t"
        "rdtscp\n\t"                       /* enable RDTSCP, RDTSC exiting: 51, length 3 */
        "invd\n\t"                         /* always exits: 13, length 2 */
        "wbinvd\n\t"                       /* WBINVD exiting: 54, length 2 */
        "sgdt 8(%rax)\n\t"                 /* descriptor-table exiting: 46, identity 0 */
        "lidt 8(%rax)\n\t"                 /* 46, identity 3 (exits before loading) */
        "sldt %ecx\n\t"                    /* 47, identity 0, register ECX */
        "str 16(%rax)\n\t"                 /* 47, identity 1 */
        "ltr %dx\n\t"                      /* 47, identity 3, register DX */
        "invpcid 32(%rax), %rcx\n\t"       /* enable INVPCID, INVLPG exiting: 58 */
        "vmcall\n\t"
        "jmp guest_spin\n");

static int nmi_hook(struct x86t_frame *f)
{
    /* the guest's handler of an injected (virtual) NMI reports it */
    __asm__ volatile("vmcall" ::"a"(f->vector), "c"(f->rip) : "memory");
    return 1;
}

static uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static void write_cr2(uint64_t v) { __asm__ volatile("mov %0, %%cr2" ::"r"(v) : "memory"); }

static void test_vectoring(void)
{
    struct gregs g = { 0 };
    uint64_t proc = vmr(PROC), exc = vmr(EXC_BITMAP);
    uint64_t rsp0 = (uint64_t)(guest_stack + sizeof guest_stack);
    /* an EPT violation while delivering INT 21H (software interrupt,
     * length 2): IDT-vectoring information 80000421H, the exit's
     * instruction length the INT's, guest RIP at the INT */
    vmw(PROC, proc | 1ull << 31);
    vmw(PROC2, 1u << 1);
    ept_set(ept_a, 0);
    vmw(G_RIP, (uint64_t)guest_int21);
    vmw(G_RSP, (uint64_t)ept_a + 256);
    CHECK(vm_enter(&g, 0) == 0, "entry (INT 21H, stack not present in EPT)");
    ept_exit("EPT violation delivering INT 21H", 48, 0x182, (uint64_t)ept_a + 248, (uint64_t)ept_a + 248);
    CHECKX(vmr(IDT_VEC) == 0x80000421, "IDT-vectoring information: INT 21H", vmr(IDT_VEC));
    CHECKX(vmr(EXIT_INSN_LEN) == 2, "exit during a software interrupt: its length", vmr(EXIT_INSN_LEN));
    CHECKX(vmr(G_RIP) == (uint64_t)guest_int21, "guest RIP at the INT", vmr(G_RIP));
    /* the same with an injected #GP(18H): the injected event is the
     * IDT-vectoring information, with its error code */
    vmw(ENTRY_INTR, 1u << 31 | 1u << 11 | 3u << 8 | 13);
    vmw(ENTRY_ERR, 0x18);
    CHECK(vm_enter(&g, 0) == 0, "entry (inject #GP, stack not present in EPT)");
    ept_exit("EPT violation delivering an injected #GP", 48, 0x182, (uint64_t)ept_a + 248, (uint64_t)ept_a + 248);
    CHECKX(vmr(IDT_VEC) == 0x80000b0d && vmr(IDT_VEC_ERR) == 0x18, "IDT-vectoring: injected #GP(18H)",
           vmr(IDT_VEC) << 32 | vmr(IDT_VEC_ERR));
    /* IRET with blocking by NMI (no NMI exiting) reading a not-present
     * EPT page: qualification bit 12 (NMI unblocking by IRET), the saved
     * interruptibility state without blocking by NMI */
    vmw(G_RIP, (uint64_t)guest_iretq);
    vmw(G_RSP, (uint64_t)ept_a + 64);
    vmw(G_INTR, 8);
    CHECK(vm_enter(&g, 0) == 0, "entry (IRET, stack not present in EPT)");
    ept_exit("EPT violation of an IRET that unblocked NMIs", 48, 0x1181, (uint64_t)ept_a + 64, (uint64_t)ept_a + 64);
    CHECKX(vmr(IDT_VEC) == 0, "IRET: no IDT-vectoring information", vmr(IDT_VEC));
    CHECKX(vmr(G_INTR) == 0, "IRET unblocked NMIs before the exit", vmr(G_INTR));
    /* without blocking by NMI: bit 12 clear */
    vmw(G_INTR, 0);
    CHECK(vm_enter(&g, 0) == 0, "entry (IRET, NMIs not blocked)");
    ept_exit("EPT violation of an IRET, NMIs not blocked", 48, 0x181, (uint64_t)ept_a + 64, (uint64_t)ept_a + 64);
    ept_set(ept_a, EPT_RWX);
    vmw(PROC2, 0);
    /* a #GP of IRET (CS = 0) with blocking by NMI: interruption
     * information 80001B0DH (bit 12) */
    static uint64_t frame[8] __attribute__((aligned(16)));
    frame[0] = (uint64_t)guest_spin;
    frame[1] = 0; /* CS: null */
    frame[2] = 2;
    frame[3] = rsp0;
    frame[4] = X86T_KDATA;
    vmw(G_RSP, (uint64_t)frame);
    vmw(G_INTR, 8);
    vmw(EXC_BITMAP, 1u << 13);
    static const struct expect gp = { "#GP of IRET with blocking by NMI", 0, 0, ~0u, 0x80001b0d };
    CHECK(vm_enter(&g, 0) == 0, "entry (IRET #GP)");
    check_exit(&gp);
    CHECKX(vmr(EXIT_INTR_ERR) == 0 && vmr(G_INTR) == 0, "IRET #GP(0), NMIs unblocked", vmr(G_INTR));
    /* #PF while delivering INT3 (a software exception, length 1); #PF
     * exits only for write faults (mask = match = 2). CR2 is not written
     * by the #PF that exits. */
    vmw(EXC_BITMAP, 1u << 14);
    vmw(PF_MASK, 2);
    vmw(PF_MATCH, 2);
    vmw(G_RIP, (uint64_t)guest_int3);
    vmw(G_RSP, 0x8000000100ull); /* not mapped */
    write_cr2(0x1234);
    static const struct expect pf1 = { "#PF delivering INT3", 0, 0x80000000f8ull, 1, 0x80000b0e };
    CHECK(vm_enter(&g, 0) == 0, "entry (#PF delivering INT3)");
    check_exit(&pf1);
    CHECKX(vmr(EXIT_INTR_ERR) == 2, "#PF error code: write, not present", vmr(EXIT_INTR_ERR));
    CHECKX(vmr(IDT_VEC) == 0x80000603, "IDT-vectoring: INT3 (software exception)", vmr(IDT_VEC));
    CHECKX(read_cr2() == 0x1234, "a #PF that exits does not write CR2", read_cr2());
    /* a read #PF (no exit: error code 0) whose delivery faults writing
     * the frame (exits): IDT-vectoring = the first #PF, error code 0;
     * CR2 holds the first #PF's address only */
    vmw(G_RIP, (uint64_t)guest_load);
    g.rax = 0x8000000000ull;
    static const struct expect pf2 = { "#PF delivering a #PF", 0, 0x80000000f8ull, ~0u, 0x80000b0e };
    CHECK(vm_enter(&g, 0) == 0, "entry (#PF delivering #PF)");
    check_exit(&pf2);
    CHECKX(vmr(IDT_VEC) == 0x80000b0e && vmr(IDT_VEC_ERR) == 0, "IDT-vectoring: #PF, error code 0",
           vmr(IDT_VEC));
    CHECKX(read_cr2() == 0x8000000000ull, "CR2: the delivered #PF's address, not the exiting one's", read_cr2());
    /* only #DF in the bitmap (mask = match = 0: no #PF exits): the #PF
     * during #PF delivery makes a #DF, which exits directly: no
     * IDT-vectoring information */
    vmw(PF_MASK, 0);
    vmw(PF_MATCH, 0);
    vmw(EXC_BITMAP, 1u << 8);
    static const struct expect df = { "#DF (a #PF delivering a #PF)", 0, 0, ~0u, 0x80000b08 };
    CHECK(vm_enter(&g, 0) == 0, "entry (#DF)");
    check_exit(&df);
    CHECKX(vmr(IDT_VEC) == 0, "a #DF that exits is not during event delivery", vmr(IDT_VEC));
    vmw(PF_MASK, 0);
    vmw(PF_MATCH, 0);
    vmw(EXC_BITMAP, exc);
    vmw(G_INTR, 0);
    vmw(G_RSP, rsp0);
    vmw(PROC, proc);
}

/* ---- 8. virtual NMIs, NMI-window exiting, their entry checks ------------------------------ */

static void test_virtual_nmis(void)
{
    struct gregs g = { 0 };
    uint64_t pin = vmr(PIN), proc = vmr(PROC);
    uint64_t rsp0 = (uint64_t)(guest_stack + sizeof guest_stack);
    /* §27.2.1.1: virtual NMIs need NMI exiting; NMI-window exiting needs
     * virtual NMIs */
    vmw(PIN, pin | 1u << 5);
    ERR("virtual NMIs without NMI exiting", vm_enter(&g, 0) & ~0x100ull, 7);
    vmw(PIN, pin);
    vmw(PROC, proc | 1u << 22);
    ERR("NMI-window exiting without virtual NMIs", vm_enter(&g, 0) & ~0x100ull, 7);
    vmw(ENTRY_INTR, 1u << 31 | 7u << 8 | 1);
    vmw(PROC, proc);
    ERR("injection of other event 1", vm_enter(&g, 0) & ~0x100ull, 7);
    vmw(ENTRY_INTR, 0);
    /* §27.3.1.5: interruptibility bit 4 (no SGX); a virtual NMI injected
     * under virtual-NMI blocking; a #GP injected into a HLT guest */
    vmw(G_INTR, 0x10);
    vm_enter(&g, 0);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "interruptibility bit 4: failed entry", vmr(EXIT_REASON));
    vmw(PIN, pin | 1u << 3 | 1u << 5);
    vmw(G_INTR, 8);
    vmw(ENTRY_INTR, 1u << 31 | 2u << 8 | 2);
    vm_enter(&g, 0);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "virtual NMI injected under virtual-NMI blocking",
           vmr(EXIT_REASON));
    vmw(G_INTR, 0);
    vmw(G_ACTIVITY, 1);
    vmw(ENTRY_INTR, 1u << 31 | 1u << 11 | 3u << 8 | 13);
    vm_enter(&g, 0);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "#GP injected into a HLT guest", vmr(EXIT_REASON));
    vmw(G_ACTIVITY, 0);
    vmw(ENTRY_INTR, 0);
    /* NMI window open (no virtual-NMI blocking): exit 8 before the first
     * instruction */
    vmw(PROC, proc | 1u << 22);
    vmw(G_RIP, (uint64_t)guest_spin);
    static const struct expect w = { "NMI window", 8, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (NMI window)");
    check_exit(&w);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_spin, "NMI window: before the first instruction", vmr(G_RIP));
    /* virtual-NMI blocking: the window opens after the guest's IRET */
    vmw(G_INTR, 8);
    vmw(G_RIP, (uint64_t)guest_self_iret);
    CHECK(vm_enter(&g, 0) == 0, "entry (virtual-NMI blocking, IRET)");
    check_exit(&w);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_after_iret, "NMI window after the IRET", vmr(G_RIP));
    CHECKX(vmr(G_INTR) == 0, "IRET ended virtual-NMI blocking", vmr(G_INTR));
    /* a virtual NMI injected: delivered through the guest IDT (vector 2),
     * virtual-NMI blocking while its handler runs; the handler's IRET
     * opens the NMI window */
    vmw(PROC, proc);
    x86t_hook = nmi_hook;
    vmw(G_RIP, (uint64_t)guest_spin);
    vmw(G_RSP, rsp0);
    vmw(ENTRY_INTR, 1u << 31 | 2u << 8 | 2);
    static const struct expect v = { "VMCALL from the virtual NMI's handler", 18, 0, 3, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (inject a virtual NMI)");
    check_exit(&v);
    CHECKX(g.rax == 2 && g.rcx == (uint64_t)guest_spin, "virtual NMI delivered through vector 2", g.rax);
    CHECKX(vmr(G_INTR) == 8, "virtual-NMI blocking in the handler", vmr(G_INTR));
    vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    vmw(PROC, proc | 1u << 22);
    CHECK(vm_enter(&g, 0) == 0, "entry (the NMI handler returns)");
    check_exit(&w);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_spin && vmr(G_INTR) == 0, "NMI window after the handler's IRET",
           vmr(G_RIP));
    x86t_hook = 0;
    vmw(PROC, proc);
    vmw(PIN, pin);
    vmw(G_RSP, rsp0);
}

/* ---- 9. monitor trap flag, PAUSE, RDTSCP, INVD, WBINVD, descriptor tables, INVPCID ------------ */

static void test_other_exits(void)
{
    struct gregs g = { 0 };
    uint64_t proc = vmr(PROC), exc = vmr(EXC_BITMAP);
    /* MTF (§26.5.2): an exit after each instruction, RIP after it */
    vmw(PROC, proc | 1u << 27);
    vmw(G_RIP, (uint64_t)guest_mtf);
    static const struct expect m = { "monitor trap flag", 37, 0, ~0u, 0 };
    for (unsigned i = 1; i <= 2; i++) {
        CHECK(vm_enter(&g, 0) == 0, "entry (MTF)");
        check_exit(&m);
        CHECKX(vmr(G_RIP) == (uint64_t)guest_mtf + i, "MTF: after one instruction", vmr(G_RIP));
    }
    vmw(PROC, proc);
    static const struct expect vc = { "VMCALL after MTF", 18, 0, 3, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (no MTF)");
    check_exit(&vc);
    /* "other event" 0 (§27.6.2): a pending MTF exit before the first
     * instruction, without the control */
    vmw(G_RIP, (uint64_t)guest_spin);
    vmw(ENTRY_INTR, 1u << 31 | 7u << 8);
    CHECK(vm_enter(&g, 0) == 0, "entry (pending MTF injected)");
    check_exit(&m);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_spin, "pending MTF: before the first instruction", vmr(G_RIP));
    /* PAUSE exiting, then PAUSE-loop exiting (PLE_Gap 100, PLE_Window
     * 2000 ticks of virtual time) in a PAUSE loop at CPL 0 */
    vmw(PROC, proc | 1u << 30);
    vmw(G_RIP, (uint64_t)guest_pause);
    static const struct expect pe = { "PAUSE (PAUSE exiting)", 40, 0, 2, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (PAUSE)");
    check_exit(&pe);
    vmw(PROC, proc | 1ull << 31);
    vmw(PROC2, 1u << 10);
    vmw(PLE_GAP, 100);
    vmw(PLE_WINDOW, 2000);
    vmw(G_RIP, (uint64_t)guest_ple);
    static const struct expect pl = { "PAUSE loop (PAUSE-loop exiting)", 40, 0, 2, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (PAUSE loop)");
    check_exit(&pl);
    CHECKX(vmr(G_RIP) == (uint64_t)guest_ple, "PAUSE loop: guest RIP at the PAUSE", vmr(G_RIP));
    /* RDTSCP, INVD, WBINVD, descriptor tables, INVPCID: exit reason,
     * length, instruction information (Tables 28-10, 28-11, 28-13) */
    vmw(PROC, proc | 1ull << 31 | 1u << 12 | 1u << 9); /* RDTSC exiting, INVLPG exiting */
    vmw(PROC2, 1u << 2 | 1u << 3 | 1u << 6 | 1u << 12);
    vmw(G_RIP, (uint64_t)guest_misc);
    static uint64_t area[8];
    g.rax = (uint64_t)area;
    g.rcx = 2;
    g.rdx = X86T_TSS;
    static const struct { struct expect e; uint32_t info, mask; } ex[] = {
        { { "RDTSCP (enable RDTSCP, RDTSC exiting)", 51, 0, 3, 0 }, 0, 0 },
        { { "INVD", 13, 0, 2, 0 }, 0, 0 },
        { { "WBINVD (WBINVD exiting)", 54, 0, 2, 0 }, 0, 0 },
        { { "SGDT m (descriptor-table exiting)", 46, 8, 4, 0 }, 0x00418100, 0x3ffffbff },
        { { "LIDT m", 46, 8, 4, 0 }, 0x30418100, 0x3ffffbff },
        { { "SLDT ECX", 47, 0, 3, 0 }, 0x00000408, 0x30000478 },
        { { "STR m", 47, 16, 4, 0 }, 0x10418100, 0x3fffffff },
        { { "LTR DX", 47, 0, 3, 0 }, 0x30000410, 0x30000478 },
        { { "INVPCID (enable INVPCID, INVLPG exiting)", 58, 32, 6, 0 }, 0x10418100, 0xf3ffffff },
        { { "VMCALL after them", 18, 0, 3, 0 }, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        CHECK(vm_enter(&g, 0) == 0, "entry (other exits)");
        check_exit(&ex[i].e);
        if (ex[i].mask)
            CHECKX((vmr(EXIT_INSN_INFO) & ex[i].mask) == ex[i].info, ex[i].e.what, vmr(EXIT_INSN_INFO));
        vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    }
    /* without the secondary controls: RDTSCP and INVPCID are #UD, INVD
     * still exits, WBINVD runs */
    vmw(PROC2, 0);
    vmw(EXC_BITMAP, 1u << 6);
    vmw(G_RIP, (uint64_t)guest_misc);
    static const struct expect ud = { "RDTSCP without enable RDTSCP: #UD", 0, 0, ~0u, 0x80000306 };
    CHECK(vm_enter(&g, 0) == 0, "entry (RDTSCP #UD)");
    check_exit(&ud);
    vmw(G_RIP, vmr(G_RIP) + 3);
    static const struct expect inv = { "INVD without any control", 13, 0, 2, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (INVD)");
    check_exit(&inv);
    vmw(G_RIP, (uint64_t)guest_misc + 25); /* past WBINVD, SGDT, LIDT, SLDT, STR, LTR: INVPCID */
    CHECKX(*(uint8_t *)vmr(G_RIP) == 0x66, "INVPCID's address", vmr(G_RIP));
    static const struct expect ip = { "INVPCID without enable INVPCID: #UD", 0, 0, ~0u, 0x80000306 };
    CHECK(vm_enter(&g, 0) == 0, "entry (INVPCID #UD)");
    check_exit(&ip);
    vmw(PROC, proc);
    vmw(EXC_BITMAP, exc);
}


/* ---- 10. task switches in a 32-bit guest (always exit, §26.1.2) --------------------------
 * A legacy protected-mode guest (IA-32e mode guest = 0, 32-bit paging
 * with one 4-MByte page) JMPs and CALLs to the available TSS at 60H:
 * exit 9, qualification = the selector | source (31:30: 0 CALL, 2 JMP),
 * the instruction's length; nothing of the switch happened. */
static uint32_t pd32[1024] __attribute__((aligned(4096)));
void guest_ts(void);
__asm__(".text\n.code32\n.globl guest_ts\nguest_ts:\n\t"
        "ljmp $0x60, $0\n\t"
        "lcall $0x60, $0\n"
        "1:\tjmp 1b\n"
        ".code64\n");

static void test_task_switch(void)
{
    struct gregs g = { 0 };
    uint64_t entry = vmr(ENTRY_CTLS), exc = vmr(EXC_BITMAP);
    uint64_t cr3 = vmr(G_CR3), cr4 = vmr(G_CR4);
    CHECKX((uint64_t)guest_ts < (4u << 20) && (uint64_t)guest_stack < (4u << 20),
           "32-bit guest within the first 4 MiB", (uint64_t)guest_ts);
    pd32[0] = 0x83; /* P, R/W, PS: 0-4 MiB */
    vmw(ENTRY_CTLS, entry & ~(1ull << 9));
    vmw(G_CR3, (uint64_t)pd32);
    vmw(G_CR4, 1u << 4 | 1u << 13); /* PSE, VMXE */
    vmw(EXC_BITMAP, 0xffffffffu);    /* the guest's IDT is the 64-bit host's: every exception exits */
    vmxt_seg(1, X86T_KCODE32, 0, 0xffffffff, 0xc09b);
    vmw(G_RIP, (uint64_t)guest_ts);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    static const struct expect ex[] = {
        { "JMP to a TSS (task switch)", 9, 2ull << 30 | 0x60, 7, 0 },
        { "CALL to a TSS (task switch)", 9, 0x60, 7, 0 },
    };
    for (unsigned i = 0; i < 2; i++) {
        CHECK(vm_enter(&g, 0) == 0, "entry (32-bit guest)");
        check_exit(&ex[i]);
        CHECKX(vmr(G_TR_SEL) == X86T_TSS, "task switch exit: TR unchanged", vmr(G_TR_SEL));
        vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN));
    }
    vmw(ENTRY_CTLS, entry);
    vmw(G_CR3, cr3);
    vmw(G_CR4, cr4);
    vmw(EXC_BITMAP, exc);
    vmxt_seg(1, X86T_KCODE, 0, 0xffffffff, 0xa09b);
}


/* ---- 11. blocking by MOV SS: VMRESUME error 26, the saved interruptibility ------------------ */
void guest_movss(void);
void guest_sti(void);
__asm__(".text\n.globl guest_movss\nguest_movss:\n\t"
        "mov %ss, %eax\n\tmov %eax, %ss\n\t"
        "cpuid\n\t"                        /* exits inside the MOV SS shadow */
        "jmp guest_spin\n"
        ".globl guest_sti\nguest_sti:\n\t"
        "sti\n\t"
        "cpuid\n\t"                        /* exits inside the STI shadow */
        "jmp guest_spin\n");

static uint64_t vmresume_after_movss(void)
{
    uint64_t fl;
    __asm__ volatile("mov %%ss, %%eax\n\tmov %%eax, %%ss\n\tvmresume\n\tpushfq\n\tpopq %0"
                     : "=r"(fl)::"rax", "cc", "memory");
    return fl & (VMX_CF | VMX_ZF);
}

static void test_mov_ss(void)
{
    struct gregs g = { 0 };
    ERR("vmresume right after MOV SS", vmresume_after_movss(), 26);
    vmw(G_RIP, (uint64_t)guest_movss);
    vmw(G_RFLAGS, 0x202);
    static const struct expect c = { "CPUID in a MOV-SS shadow", 10, 0, 2, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (MOV SS; CPUID)");
    check_exit(&c);
    CHECKX(vmr(G_INTR) == 2, "saved interruptibility: blocking by MOV SS", vmr(G_INTR));
    vmw(G_INTR, 0);
    vmw(G_RIP, (uint64_t)guest_sti);
    vmw(G_RFLAGS, 2);
    static const struct expect c2 = { "CPUID in an STI shadow", 10, 0, 2, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (STI; CPUID)");
    check_exit(&c2);
    CHECKX(vmr(G_INTR) == 1, "saved interruptibility: blocking by STI", vmr(G_INTR));
    vmw(G_INTR, 0);
    vmw(G_RFLAGS, 2);
}


/* ---- 12. activity states shutdown and wait-for-SIPI (§27.7.2) -------------------------------
 * A self-IPI pending with external-interrupt exiting: blocked in both
 * states, so the preemption timer ends them, and the saved activity
 * state is the one entered; active again, the interrupt exits. */
static void test_activity(void)
{
    struct gregs g = { 0 };
    uint64_t pin = vmr(PIN), exitc = vmr(EXIT_CTLS);
    CHECKX((rdmsr(0x485) & 0x1c0) == 0x1c0, "IA32_VMX_MISC: HLT, shutdown, wait-for-SIPI", rdmsr(0x485));
    /* the INITs of test_events left the local APIC in its INIT state
     * (software-disabled): enable it again, LINT0 masked */
    wrmsr(0x80f, 0x1ff);
    wrmsr(0x835, 1u << 16);
    wrmsr(0x83f, 0x30); /* SELF IPI 30H, pending (IF = 0 here) */
    vmw(PIN, pin | 1u << 0 | 1u << 6);
    vmw(G_RIP, (uint64_t)guest_spin);
    static const struct expect t = { "preemption timer in an inactive state", 52, 0, ~0u, 0 };
    for (unsigned act = 3; act >= 2; act--) {
        vmw(G_ACTIVITY, act);
        vmw(PREEMPT, 20);
        CHECK(vm_enter(&g, 0) == 0, "entry (inactive state)");
        check_exit(&t);
        CHECKX(vmr(G_ACTIVITY) == act, "saved activity state", vmr(G_ACTIVITY));
        CHECKX(vmr(G_RIP) == (uint64_t)guest_spin, "no instruction ran", vmr(G_RIP));
    }
    /* injections the states forbid: a #GP in shutdown, an NMI in
     * wait-for-SIPI */
    vmw(ENTRY_INTR, 1u << 31 | 1u << 11 | 3u << 8 | 13);
    vm_enter(&g, 0);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "#GP injected in shutdown", vmr(EXIT_REASON));
    vmw(G_ACTIVITY, 3);
    vmw(ENTRY_INTR, 1u << 31 | 2u << 8 | 2);
    vm_enter(&g, 0);
    CHECKX(vmr(EXIT_REASON) == (1u << 31 | 33), "NMI injected in wait-for-SIPI", vmr(EXIT_REASON));
    vmw(ENTRY_INTR, 0);
    vmw(G_ACTIVITY, 0);
    vmw(EXIT_CTLS, exitc | 1u << 15);
    static const struct expect e = { "the external interrupt once active", 1, 0, ~0u, 0x80000030 };
    CHECK(vm_enter(&g, 0) == 0, "entry (active)");
    check_exit(&e);
    wrmsr(0x80b, 0); /* EOI */
    vmw(EXIT_CTLS, exitc);
    vmw(PIN, pin);
}


/* ---- 13. more injection (§27.6): external interrupt, software exception,
 * privileged software exception; MTF after a vectoring entry; an exit
 * while delivering a real external interrupt ----------------------------------------------------- */
static void test_injection2(void)
{
    struct gregs g = { 0 };
    uint64_t rsp0 = (uint64_t)(guest_stack + sizeof guest_stack), proc = vmr(PROC);
    x86t_hook = inj_hook;
    static const struct { uint32_t info, len; uint64_t vector, ret_off; const char *what; } inj[] = {
        { 1u << 31 | 0u << 8 | 48, 0, 48, 0, "injected external interrupt 30H: return RIP unchanged" },
        { 1u << 31 | 6u << 8 | 3, 1, 3, 1, "injected #BP (software exception, length 1)" },
        { 1u << 31 | 5u << 8 | 1, 1, 1, 1, "injected #DB (privileged software exception, length 1)" },
    };
    static const struct expect v = { "VMCALL from the guest's handler", 18, 0, 3, 0 };
    for (unsigned i = 0; i < 3; i++) {
        vmw(G_RIP, (uint64_t)guest_spin);
        vmw(G_RSP, rsp0);
        vmw(G_RFLAGS, 0x202); /* IF = 1: an external interrupt needs it */
        vmw(ENTRY_INTR, inj[i].info);
        vmw(ENTRY_LEN, inj[i].len);
        CHECK(vm_enter(&g, 0) == 0, "entry (injection)");
        check_exit(&v);
        CHECKX(g.rax == inj[i].vector && g.rcx == (uint64_t)guest_spin + inj[i].ret_off, inj[i].what,
               g.rax << 32 | (g.rcx - (uint64_t)guest_spin));
    }
    /* with MTF, a vectoring entry exits before the handler's first
     * instruction (its RIP is the IDT gate's target, not guest_spin) */
    vmw(PROC, proc | 1u << 27);
    vmw(G_RIP, (uint64_t)guest_spin);
    vmw(G_RSP, rsp0);
    vmw(ENTRY_INTR, 1u << 31 | 4u << 8 | 32);
    vmw(ENTRY_LEN, 2);
    static const struct expect m = { "MTF after an injected INT 20H", 37, 0, ~0u, 0 };
    CHECK(vm_enter(&g, 0) == 0, "entry (injection with MTF)");
    check_exit(&m);
    uint64_t rip = vmr(G_RIP);
    CHECKX(rip != (uint64_t)guest_spin && vmr(G_RSP) == rsp0 - 40, "MTF: at the handler, frame pushed",
           rip);
    vmw(PROC, proc);
    vmw(ENTRY_INTR, 0);
    /* a real external interrupt (a self-IPI, no exiting) whose delivery
     * through the guest IDT pushes into a not-present EPT page:
     * IDT-vectoring information 80000030H (type 0), no length; the APIC
     * acknowledged it (the host ends it with EOI) */
    vmw(PROC, proc | 1ull << 31);
    vmw(PROC2, 1u << 1);
    ept_set(ept_a, 0);
    wrmsr(0x83f, 0x30);
    vmw(G_RIP, (uint64_t)guest_spin);
    vmw(G_RSP, (uint64_t)ept_a + 256);
    vmw(G_RFLAGS, 0x202);
    CHECK(vm_enter(&g, 0) == 0, "entry (external interrupt, stack not present in EPT)");
    ept_exit("EPT violation delivering external interrupt 30H", 48, 0x182, (uint64_t)ept_a + 248,
             (uint64_t)ept_a + 248);
    CHECKX(vmr(IDT_VEC) == 0x80000030, "IDT-vectoring: external interrupt 30H", vmr(IDT_VEC));
    CHECKX(vmr(EXIT_INSN_LEN) == 0, "no instruction length for an external interrupt", vmr(EXIT_INSN_LEN));
    wrmsr(0x80b, 0); /* EOI */
    ept_set(ept_a, EPT_RWX);
    vmw(PROC2, 0);
    vmw(PROC, proc);
    vmw(G_RFLAGS, 2);
    vmw(G_RSP, rsp0);
    x86t_hook = 0;
}

int kmain(void)
{
    x86t_puts("x86 vmx: start\n");
    x86t_idt_init();
    x86t_sys_init();
    test_vmx_operation();
    test_entry_failures();
    test_guest();
    test_events();
    test_more_exits();
    test_injection();
    test_tsc_offset();
    test_msr_areas();
    test_ept();
    test_vectoring();
    test_virtual_nmis();
    test_other_exits();
    test_task_switch();
    test_mov_ss();
    test_activity();
    test_injection2();
    CHECK(vmclear((uint64_t)vmcs_a) == 0, "vmclear at the end");
    CHECK(vmxoff() == 0, "vmxoff");
    EXPECT_EXC("vmptrst after vmxoff", 6, -1, "vmptrst %0", "m"(x86t_checks));
    if (x86t_failures) {
        x86t_puts("x86 vmx: ");
        x86t_putdec((uint64_t)x86t_failures);
        x86t_puts(" checks FAILED\n");
        return 1;
    }
    x86t_puts("x86 vmx: all checks passed (");
    x86t_putdec((uint64_t)x86t_checks);
    x86t_puts(")\n");
    return 0;
}
