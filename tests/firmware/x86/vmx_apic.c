/* APIC virtualization test hypervisor (docs/vmx.md "APIC virtualization"):
 * run by tests/e2e/t_x86_vmx_apic.sh on the x86-pc board with [cpu] vmx =
 * on. Written from the SDM vol. 3C ch. 30 ("APIC Virtualization and
 * Virtual Interrupts"), §27.2.1.1 (the entry checks) and Appendix A;
 * self-checking, one part per feature:
 *   1. the capability bits (use TPR shadow, the four secondary controls,
 *      process posted interrupts) and the VMCS fields;
 *   2. the VM-entry checks of the new controls (VMfailValid 7 each);
 *   3. TPR shadow: MOV from/to CR8 read and write VTPR (the real TPR is
 *      untouched), a TPR below the threshold is a trap-like exit 43, a
 *      reserved CR8 bit is #GP, the exit right after entry;
 *   4. the APIC-access page: virtualized TPR reads/writes, exits 44 with
 *      the offset and access type (read, write, fetch, > 32 bits), APIC-
 *      register virtualization, the APIC-write exit 56;
 *   5. x2APIC virtualization: RDMSR/WRMSR 808H, RDMSR of other registers
 *      with and without APIC-register virtualization, #GP, exit 43;
 *   6. virtual-interrupt delivery: RVI/SVI, priority against VTPR, EOI
 *      virtualization and the EOI-exit bitmap (exit 45), self-IPI
 *      virtualization (x2APIC SELF IPI and the xAPIC ICR), exit 56 for a
 *      self IPI below 16;
 *   7. posted interrupts: the notification pending at entry and an IPI
 *      arriving in non-root operation, PIR into VIRR, ON cleared, the real
 *      APIC's ISR dismissed; another vector is an external-interrupt exit;
 *      a halted guest woken by one;
 *   8. with --smp 2, a notification posted and sent by the other CPU.
 * 4b runs part 4 through EPT (a guest-physical page mapped onto the
 * APIC-access page).
 * The guest shares the host's page tables and IDT (vectors 21H, 30H, 80H
 * have gates); its interrupt handler is x86t_hook. Output on COM1;
 * isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"
#include "x86t_smp.h"

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs_a[4096] __attribute__((aligned(4096)));
static uint8_t msr_bitmap[4096] __attribute__((aligned(4096)));
static uint8_t vapic[4096] __attribute__((aligned(4096)));
static uint8_t apic_page[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));
volatile uint8_t pi_desc[64] __attribute__((aligned(64)));
static uint32_t revision;

/* EPT (part 4b): identity, except the page apic_alias, which maps to
 * apic_page (how KVM maps the guest's APIC page) */
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t ept_pd[512] __attribute__((aligned(4096)));
static uint64_t ept_pt[512] __attribute__((aligned(4096)));
static uint8_t apic_alias[4096] __attribute__((aligned(4096)));

static volatile uint32_t *vreg(unsigned off) { return (volatile uint32_t *)(vapic + off); }

/* ---- the guests ---------------------------------------------------------------- */

void tpr_g(void), tpr_after(void), tpr_gp(void), tpr_end(void);
__asm__(".text\n.globl tpr_g\ntpr_g:\n\t"
        "mov %cr8, %rax\n\t"            /* VTPR[7:4] */
        "mov $3, %ecx\n\tmov %rcx, %cr8\n\t" /* VTPR = 30H: not below the threshold 2 */
        "mov %cr8, %rbx\n\t"
        "mov $1, %ecx\n\tmov %rcx, %cr8\n" /* 1 < 2: TPR below threshold, trap-like */
        ".globl tpr_after\ntpr_after:\n\t"
        "mov $0x10, %ecx\n"
        ".globl tpr_gp\ntpr_gp:\n\t"
        "mov %rcx, %cr8\n"                /* bit 4: #GP (exception bitmap) */
        ".globl tpr_end\ntpr_end:\n\t"
        "vmcall\n");

/* the APIC-access page at RSI */
void acc_g(void), acc_0(void), acc_1(void), acc_2(void), acc_3(void), acc_4(void);
__asm__(".text\n.globl acc_g\nacc_g:\n\t"
        "mov 0x80(%rsi), %r8d\n\t"        /* virtualized: VTPR */
        "movl $0x60, 0x80(%rsi)\n\t"      /* virtualized: VTPR = 60H */
        "mov 0x80(%rsi), %r9d\n"
        ".globl acc_0\nacc_0:\n\t"
        "mov 0x20(%rsi), %ebx\n"          /* ID without register virtualization: exit 44, 020H */
        ".globl acc_1\nacc_1:\n\t"
        "movl $0x40021, 0x300(%rsi)\n"    /* ICR without virtual-interrupt delivery: 1300H */
        ".globl acc_2\nacc_2:\n\t"
        "mov 0x80(%rsi), %rcx\n"          /* 64 bits: exit 44, 080H */
        ".globl acc_3\nacc_3:\n\t"
        "jmp *%rsi\n"                     /* a fetch: 2000H */
        ".globl acc_4\nacc_4:\n\t"
        "vmcall\n");

void accr_g(void), accr_1(void), accr_2(void), accr_3(void);
__asm__(".text\n.globl accr_g\naccr_g:\n\t"
        "mov 0x20(%rsi), %r8d\n\t"        /* APIC-register virtualization: the virtual ID */
        "mov 0x30(%rsi), %r9d\n"          /* VER */
        ".globl accr_1\naccr_1:\n\t"
        "mov 0x390(%rsi), %ebx\n"         /* current count: not virtualized, exit 44 390H */
        ".globl accr_2\naccr_2:\n\t"
        "movl $0x10021, 0x320(%rsi)\n"    /* LVT timer: written, then APIC-write exit 56 320H */
        ".globl accr_3\naccr_3:\n\t"
        "vmcall\n");

/* virtual-interrupt delivery with the APIC-access page: a self IPI through
 * the virtual ICR (vector 21H), delivered; the handler's EOI write */
void accv_g(void);
__asm__(".text\n.globl accv_g\naccv_g:\n\t"
        "sti\n\t"
        "movl $0x40021, 0x300(%rsi)\n\t"  /* self IPI, fixed, vector 21H */
        "nop\n\t"
        "vmcall\n");

void x2_g(void), x2_1(void), x2_gp(void), x2_2(void);
__asm__(".text\n.globl x2_g\nx2_g:\n\t"
        "mov $0x808, %ecx\n\trdmsr\n\tmov %eax, %r8d\n\t"  /* VTPR */
        "mov $0x802, %ecx\n\trdmsr\n\tmov %eax, %r9d\n\t"  /* ID: virtual only with register virtualization */
        "mov $0x808, %ecx\n\tmov $0x50, %eax\n\txor %edx, %edx\n\twrmsr\n\t" /* VTPR = 50H */
        "mov %cr8, %r10\n\t"
        "mov $0x808, %ecx\n\txor %eax, %eax\n\twrmsr\n"     /* 0 < threshold: exit 43 */
        ".globl x2_1\nx2_1:\n\t"
        "mov $0x808, %ecx\n\tmov $0x100, %eax\n"
        ".globl x2_gp\nx2_gp:\n\t"
        "wrmsr\n"                                          /* bits 63:8: #GP */
        ".globl x2_2\nx2_2:\n\t"
        "vmcall\n");

void vid_g(void), vid_1(void);
__asm__(".text\n.globl vid_g\nvid_g:\n\t"
        "sti\n\t"
        "nop\n\t"                                          /* RVI 30H delivered */
        "mov $0x83f, %ecx\n\tmov $0x80, %eax\n\txor %edx, %edx\n\twrmsr\n\t" /* self IPI 80H */
        "nop\n\t"
        "mov $0x808, %ecx\n\txor %eax, %eax\n\twrmsr\n\t"  /* VTPR 0: 21H now */
        "nop\n\t"
        "mov $0x83f, %ecx\n\tmov $0x05, %eax\n\twrmsr\n"   /* vector < 16: APIC write 3F0H */
        ".globl vid_1\nvid_1:\n\t"
        "vmcall\n");

/* posted interrupts: the notification is pending at entry; then the guest
 * sends one itself through the real x2APIC ICR (830H is not virtualized) */
void pi_g(void);
__asm__(".text\n.globl pi_g\npi_g:\n\t"
        "sti\n\t"
        "nop\n\t"
        "orb $1, pi_desc+16(%rip)\n\t"      /* PIR bit 80H */
        "orb $1, pi_desc+32(%rip)\n\t"      /* ON */
        "mov $0x830, %ecx\n\tmov $0x400f2, %eax\n\txor %edx, %edx\n\twrmsr\n\t"
        "mov $100000, %ecx\n"
        "1:\tcmpl $2, vlog_n(%rip)\n\tjae 2f\n\tdec %ecx\n\tjnz 1b\n"
        "2:\tvmcall\n");

/* a halted guest (no HLT exiting) woken by a virtual interrupt */
void hlt_g(void), hlt_1(void);
__asm__(".text\n.globl hlt_g\nhlt_g:\n\t"
        "sti\n\t"
        "hlt\n"
        ".globl hlt_1\nhlt_1:\n\t"
        "vmcall\n");

/* the notification from another CPU (part 8): ask the AP, wait for the
 * delivery */
void smp_g(void);
__asm__(".text\n.globl smp_g\nsmp_g:\n\t"
        "sti\n\t"
        "movl $1, ap_cmd(%rip)\n\t"
        "mov $1000000, %ecx\n"
        "1:\tcmpl $1, vlog_n(%rip)\n\tjae 2f\n\tpause\n\tdec %ecx\n\tjnz 1b\n"
        "2:\tvmcall\n");

void spin_g(void);
__asm__(".text\n.globl spin_g\nspin_g:\n\tjmp spin_g\n");

/* the guest's interrupt handler: log the vector, EOI through the virtual
 * APIC (x2APIC MSR 80BH or the APIC-access page's EOI register) */
volatile uint32_t vlog[8], vlog_n;
static volatile int eoi_mode; /* 0: x2APIC MSR, 1: APIC-access page */
static int guest_irq(struct x86t_frame *f)
{
    if (f->vector < 32)
        return 0;
    if (vlog_n < 8)
        vlog[vlog_n] = (uint32_t)f->vector;
    vlog_n++;
    if (eoi_mode)
        *(volatile uint32_t *)(apic_page + 0xb0) = 0;
    else
        wrmsr(0x80b, 0);
    return 1;
}

/* ---- the VMCS ------------------------------------------------------------------------- */

static uint32_t pin0, proc0, exit0;

/* host = this kernel, guest = a copy of it (vmxt_setup; its stack and RIP
 * per run: guest_at) with the TSS's whole limit; HLT exits, MSR bitmaps
 * (all clear: no MSR exits), #GP exits */
static void setup_vmcs(void)
{
    vmxt_setup(0, 0, PROC_HLT | PROC_MSR_BM, 0, 0, X86T_TSS, (uint64_t)&x86t_tss);
    vmw(G_ES_LIMIT + 2 * VMXT_TR, sizeof x86t_tss - 1);
    pin0 = (uint32_t)vmr(PIN);
    proc0 = (uint32_t)vmr(PROC);
    exit0 = (uint32_t)vmr(EXIT_CTLS);
    vmw(EXC_BITMAP, 1u << 13);               /* #GP exits */
    vmw(MSR_BM, (uint64_t)msr_bitmap);
}

/* a fresh guest run at rip with IF = 0 */
static void guest_at(void (*rip)(void))
{
    vmw(G_RIP, (uint64_t)rip);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    vmw(G_RFLAGS, 2);
}

static int launched;
static uint64_t enter(struct gregs *g)
{
    uint64_t r = vm_enter(g, !launched);
    if (!r)
        launched = 1;
    return r;
}

/* the exit just taken: reason, qualification, guest RIP */
static void expect_exit(const char *what, uint32_t reason, uint64_t qual, uint64_t rip)
{
    x86t_puts("  exit ");
    x86t_putdec(vmr(EXIT_REASON));
    x86t_puts(" qual ");
    x86t_puthex(vmr(EXIT_QUAL));
    x86t_puts(": ");
    x86t_puts(what);
    x86t_puts("\n");
    CHECKX(vmr(EXIT_REASON) == reason, what, vmr(EXIT_REASON));
    CHECKX(vmr(EXIT_QUAL) == qual, what, vmr(EXIT_QUAL));
    if (rip)
        CHECKX(vmr(G_RIP) == rip, what, vmr(G_RIP));
}

#define ERR7(what)                                                                  \
    do {                                                                            \
        struct gregs g_ = { 0 };                                                    \
        uint64_t f_ = enter(&g_);                                                   \
        CHECKX(f_ == (0x100 | VMX_ZF), what ": VMfailValid", f_);                       \
        CHECKX(vmr(INSN_ERROR) == 7, what ": VM-instruction error 7", vmr(INSN_ERROR)); \
    } while (0)

static void clear_vapic(void)
{
    for (unsigned i = 0; i < 4096; i++)
        vapic[i] = 0;
}
static int vapic_vectors_clear(unsigned base)
{
    for (unsigned i = 0; i < 8; i++)
        if (*vreg(base + 16 * i))
            return 0;
    return 1;
}
static void set_controls(uint32_t pin, uint32_t proc, uint32_t proc2, uint32_t exitc)
{
    vmw(PIN, pin0 | pin);
    vmw(PROC, proc0 | proc | (proc2 ? PROC_SEC : 0));
    vmw(PROC2, proc2);
    vmw(EXIT_CTLS, exit0 | exitc);
}

/* ---- 1. capabilities --------------------------------------------------------------------- */

static void test_caps(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    CHECKX(r[2] & (1u << 5), "CPUID.1:ECX.VMX", r[2]);
    CHECKX((rdmsr(0x48e) >> 32) & PROC_TPR_SHADOW, "IA32_VMX_TRUE_PROCBASED_CTLS: use TPR shadow may be 1",
           rdmsr(0x48e));
    CHECKX((rdmsr(0x48d) >> 32) & PIN_POSTED, "IA32_VMX_TRUE_PINBASED_CTLS: process posted interrupts",
           rdmsr(0x48d));
    /* bits 0, 1, 4, 5, 8, 9 may be 1 (the others: tests/firmware/x86/vmx.c), none must */
    CHECKX((rdmsr(0x48b) & 0x0000033300000000ull) == 0x0000033300000000ull && !(uint32_t)rdmsr(0x48b),
           "IA32_VMX_PROCBASED_CTLS2: APIC accesses, EPT, x2APIC, VPID, register virtualization, VID",
           rdmsr(0x48b));
    uint64_t basic = rdmsr(0x480);
    revision = (uint32_t)basic & 0x7fffffff;
    write_cr4(read_cr4() | 1u << 13);
    wrmsr(0x3a, 5);
    *(uint32_t *)vmxon_region = revision;
    CHECK(vmxon((uint64_t)vmxon_region) == 0, "vmxon");
    *(uint32_t *)vmcs_a = revision;
    CHECK(vmclear((uint64_t)vmcs_a) == 0, "vmclear");
    CHECK(vmptrld((uint64_t)vmcs_a) == 0, "vmptrld");
    /* the new fields exist (VMWRITE/VMREAD succeed) */
    static const uint32_t fields[] = { PINV, G_INTR_STATUS, VAPIC_ADDR, APIC_ACCESS, PI_DESC,
                                       EOI_EXIT0, EOI_EXIT0 + 2, EOI_EXIT0 + 4, EOI_EXIT0 + 6,
                                       TPR_THRESHOLD };
    for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint64_t v = 0;
        CHECKX(vmwrite_f(fields[i], 0x12) == 0 && vmread_f(fields[i], &v) == 0 && v == 0x12,
               "ch. 30 VMCS field", fields[i]);
        vmw(fields[i], 0);
    }
    /* the host's APIC in x2APIC mode, software-enabled, the 8259 masked */
    wrmsr(0x1b, rdmsr(0x1b) | 1u << 10 | 1u << 11);
    wrmsr(0x80f, 0x1ff);
    wrmsr(0x835, 1u << 16);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* ---- 2. entry checks (§27.2.1.1) --------------------------------------------------------- */

static void test_checks(void)
{
    setup_vmcs();
    guest_at(spin_g);
    clear_vapic();
    vmw(VAPIC_ADDR, (uint64_t)vapic + 0x800);
    set_controls(0, PROC_TPR_SHADOW, 0, 0);
    ERR7("virtual-APIC address not 4-KByte aligned");
    vmw(VAPIC_ADDR, (uint64_t)vapic);
    vmw(TPR_THRESHOLD, 0x10);
    ERR7("TPR threshold bits 31:4");
    *vreg(0x80) = 0x20;
    vmw(TPR_THRESHOLD, 3);
    ERR7("TPR threshold 3 > VTPR[7:4] 2");
    vmw(TPR_THRESHOLD, 2);
    set_controls(PIN_EXT, 0, P2_VID, 0);
    ERR7("virtual-interrupt delivery without use TPR shadow");
    set_controls(0, 0, P2_X2APIC, 0);
    ERR7("virtualize x2APIC mode without use TPR shadow");
    set_controls(0, 0, P2_REGVIRT, 0);
    ERR7("APIC-register virtualization without use TPR shadow");
    vmw(APIC_ACCESS, (uint64_t)apic_page);
    set_controls(0, PROC_TPR_SHADOW, P2_X2APIC | P2_APIC_ACCESS, 0);
    ERR7("virtualize x2APIC mode and virtualize APIC accesses");
    vmw(APIC_ACCESS, (uint64_t)apic_page + 8);
    set_controls(0, PROC_TPR_SHADOW, P2_APIC_ACCESS, 0);
    ERR7("APIC-access address not aligned");
    vmw(APIC_ACCESS, (uint64_t)apic_page);
    set_controls(0, PROC_TPR_SHADOW, P2_VID, 0);
    ERR7("virtual-interrupt delivery without external-interrupt exiting");
    vmw(PI_DESC, (uint64_t)pi_desc);
    vmw(PINV, 0xf2);
    set_controls(PIN_EXT | PIN_POSTED, PROC_TPR_SHADOW, P2_VID, 0);
    ERR7("process posted interrupts without acknowledge interrupt on exit");
    set_controls(PIN_EXT | PIN_POSTED, PROC_TPR_SHADOW, 0, EXIT_ACK);
    ERR7("process posted interrupts without virtual-interrupt delivery");
    vmw(PINV, 0x1f2);
    set_controls(PIN_EXT | PIN_POSTED, PROC_TPR_SHADOW, P2_VID, EXIT_ACK);
    ERR7("posted-interrupt notification vector bits 15:8");
    vmw(PINV, 0xf2);
    vmw(PI_DESC, (uint64_t)pi_desc + 0x20);
    ERR7("posted-interrupt descriptor not 64-byte aligned");
    vmw(PI_DESC, (uint64_t)pi_desc);
    set_controls(0, 0, 0, 0);
}

/* ---- 3. TPR shadow ------------------------------------------------------------------------ */

static void test_tpr_shadow(void)
{
    struct gregs g = { 0 };
    clear_vapic();
    *vreg(0x80) = 0x50;
    vmw(TPR_THRESHOLD, 2);
    set_controls(0, PROC_TPR_SHADOW, 0, 0);
    guest_at(tpr_g);
    CHECK(enter(&g) == 0, "entry (TPR shadow)");
    expect_exit("MOV to CR8 below the TPR threshold (trap-like)", 43, 0, (uint64_t)tpr_after);
    CHECKX(g.rax == 5, "MOV from CR8 reads VTPR[7:4]", g.rax);
    CHECKX(g.rbx == 3, "MOV from CR8 after MOV to CR8", g.rbx);
    CHECKX(*vreg(0x80) == 0x10, "VTPR after MOV to CR8", *vreg(0x80));
    uint64_t cr8;
    __asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
    CHECKX(cr8 == 0 && rdmsr(0x808) == 0, "the real TPR is untouched", cr8 << 32 | rdmsr(0x808));
    /* the threshold must not exceed VTPR[7:4] at the next entry: a
     * hypervisor lowers it (else VMfailValid 7) */
    ERR7("resume with the threshold above VTPR[7:4]");
    vmw(TPR_THRESHOLD, 1);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("MOV to CR8 with bit 4: #GP", 0, 0, (uint64_t)tpr_gp);
    CHECKX(vmr(EXIT_INTR_INFO) == 0x80000b0d, "#GP interruption information", vmr(EXIT_INTR_INFO));
    vmw(G_RIP, (uint64_t)tpr_end);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("VMCALL", 18, 0, (uint64_t)tpr_end);
    /* with virtualize APIC accesses the threshold may exceed VTPR[7:4]:
     * a TPR-below-threshold exit right after the entry (§27.7.7) */
    *vreg(0x80) = 0x30;
    vmw(TPR_THRESHOLD, 6);
    vmw(APIC_ACCESS, (uint64_t)apic_page);
    set_controls(0, PROC_TPR_SHADOW, P2_APIC_ACCESS, 0);
    guest_at(spin_g);
    CHECK(enter(&g) == 0, "entry (threshold above VTPR)");
    expect_exit("TPR below threshold right after entry", 43, 0, (uint64_t)spin_g);
    vmw(TPR_THRESHOLD, 0);
}

/* ---- 4. the APIC-access page -------------------------------------------------------------- */

static void test_apic_access(void)
{
    struct gregs g = { 0 };
    clear_vapic();
    *vreg(0x80) = 0x40;
    *vreg(0x20) = 0x07000000;
    *vreg(0x30) = 0x50014;
    vmw(TPR_THRESHOLD, 0);
    vmw(APIC_ACCESS, (uint64_t)apic_page);
    set_controls(0, PROC_TPR_SHADOW, P2_APIC_ACCESS, 0);
    guest_at(acc_g);
    g.rsi = (uint64_t)apic_page;
    CHECK(enter(&g) == 0, "entry (APIC-access page)");
    expect_exit("read of the ID register", 44, 0x020, (uint64_t)acc_0);
    /* SDM vol. 3C §28.3.3: an APIC-access exit outside event delivery
     * saves RFLAGS.RF = 1 */
    CHECKX(vmr(G_RFLAGS) & 1u << 16, "  saved RFLAGS.RF = 1 (APIC access, not during event delivery)",
           vmr(G_RFLAGS));
    CHECKX(g.r8 == 0x40 && g.r9 == 0x60, "virtualized VTPR read, write, read", g.r8 << 32 | g.r9);
    CHECKX(*vreg(0x80) == 0x60, "VTPR written through the APIC-access page", *vreg(0x80));
    CHECKX(*(uint32_t *)(apic_page + 0x80) == 0, "the APIC-access page itself is not written",
           *(uint32_t *)(apic_page + 0x80));
    vmw(G_RIP, (uint64_t)acc_1);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("write of ICR low without virtual-interrupt delivery", 44, 0x1300, (uint64_t)acc_1);
    CHECKX(*vreg(0x300) == 0, "not written", *vreg(0x300));
    vmw(G_RIP, (uint64_t)acc_2);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("64-bit read of VTPR", 44, 0x080, (uint64_t)acc_2);
    vmw(G_RIP, (uint64_t)acc_3);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("instruction fetch", 44, 0x2000, (uint64_t)apic_page);
    vmw(G_RIP, (uint64_t)acc_4);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("VMCALL", 18, 0, (uint64_t)acc_4);
    /* without use TPR shadow even VTPR accesses exit */
    set_controls(0, 0, P2_APIC_ACCESS, 0);
    guest_at(acc_g);
    CHECK(enter(&g) == 0, "entry (no TPR shadow)");
    expect_exit("VTPR read without the TPR shadow", 44, 0x080, (uint64_t)acc_g);
    /* APIC-register virtualization */
    set_controls(0, PROC_TPR_SHADOW, P2_APIC_ACCESS | P2_REGVIRT, 0);
    guest_at(accr_g);
    CHECK(enter(&g) == 0, "entry (APIC-register virtualization)");
    expect_exit("read of the current count", 44, 0x390, (uint64_t)accr_1);
    CHECKX(g.r8 == 0x07000000 && g.r9 == 0x50014, "virtualized ID and VER reads", g.r8 << 32 | g.r9);
    vmw(G_RIP, (uint64_t)accr_2);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("APIC write to the LVT timer (trap-like)", 56, 0x320, (uint64_t)accr_3);
    CHECKX(*vreg(0x320) == 0x10021, "LVT timer written to the virtual-APIC page", *vreg(0x320));
    CHECK(enter(&g) == 0, "resume");
    expect_exit("VMCALL", 18, 0, (uint64_t)accr_3);
    /* virtual-interrupt delivery: the virtual ICR's self IPI, the EOI
     * register through the page */
    clear_vapic();
    vlog_n = 0;
    eoi_mode = 1;
    x86t_hook = guest_irq;
    vmw(G_INTR_STATUS, 0);
    set_controls(PIN_EXT, PROC_TPR_SHADOW, P2_APIC_ACCESS | P2_VID, 0);
    guest_at(accv_g);
    CHECK(enter(&g) == 0, "entry (xAPIC virtual-interrupt delivery)");
    expect_exit("VMCALL", 18, 0, 0);
    CHECKX(vlog_n == 1 && vlog[0] == 0x21, "self IPI through the virtual ICR delivered", vlog_n << 8 | vlog[0]);
    CHECKX(vmr(G_INTR_STATUS) == 0, "RVI = SVI = 0 after the EOI", vmr(G_INTR_STATUS));
    CHECKX(vapic_vectors_clear(0x100) && vapic_vectors_clear(0x200), "VISR and VIRR clear", 0);
    x86t_hook = 0;
    eoi_mode = 0;
}

/* the APIC-access page reached through EPT: the guest's access to the
 * guest-physical page apic_alias becomes an access to apic_page */
static void test_apic_access_ept(void)
{
    struct gregs g = { 0 };
    uint64_t alias = (uint64_t)apic_alias;
    uint64_t eptp = vmxt_ept_identity(ept_pml4, ept_pdpt, ept_pd, ept_pt, 4, alias & ~0x1fffffull);
    ept_pt[(alias >> 12) & 511] = (uint64_t)apic_page | EPT_RWX | EPT_WB;
    vmw(V_EPTP, eptp);
    clear_vapic();
    *vreg(0x20) = 0x03000000;
    *vreg(0x30) = 0x60015;
    vmw(APIC_ACCESS, (uint64_t)apic_page);
    set_controls(0, PROC_TPR_SHADOW, P2_APIC_ACCESS | P2_REGVIRT | 1u << 1 /* EPT */, 0);
    guest_at(accr_g);
    g.rsi = alias;
    CHECK(enter(&g) == 0, "entry (APIC-access page through EPT)");
    expect_exit("EPT: read of the current count", 44, 0x390, (uint64_t)accr_1);
    CHECKX(g.r8 == 0x03000000 && g.r9 == 0x60015, "EPT: virtualized ID and VER reads",
           g.r8 << 32 | g.r9);
    vmw(G_RIP, (uint64_t)accr_2);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("EPT: APIC write to the LVT timer", 56, 0x320, (uint64_t)accr_3);
    CHECKX(*vreg(0x320) == 0x10021, "EPT: LVT timer in the virtual-APIC page", *vreg(0x320));
    CHECKX(*(uint32_t *)(apic_alias + 0x320) == 0 && *(uint32_t *)(apic_page + 0x320) == 0,
           "EPT: neither page written", 0);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("VMCALL", 18, 0, (uint64_t)accr_3);
    set_controls(0, 0, 0, 0);
}

/* ---- 8. a notification from another CPU (--smp 2) --------------------------------------------- */

/* the AP (tests/firmware/x86/smp_tramp.S brings it to 64-bit mode with
 * its own GDT; IF stays 0, no IDT needed): on ap_cmd it posts vector 80H
 * (PIR, ON) and sends the notification F2H to APIC ID 0 through its xAPIC */
static uint8_t ap_stacks[2][16384] __attribute__((aligned(16)));
volatile uint32_t ap_cmd, ap_alive, ap_sent;
void smp_irq(uint64_t v) { (void)v; } /* smp_tramp.S's interrupt path: unused here */
static void ap_main(uint64_t id)
{
    (void)id;
    volatile uint32_t *apic = (volatile uint32_t *)0xfee00000ull;
    apic[0xf0 / 4] = 0x1ff; /* software-enabled */
    __atomic_fetch_add(&ap_alive, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        if (ap_cmd) {
            __atomic_fetch_or(&pi_desc[0x80 / 8], (uint8_t)(1u << (0x80 & 7)), __ATOMIC_SEQ_CST);
            __atomic_fetch_or(&pi_desc[32], (uint8_t)1, __ATOMIC_SEQ_CST);
            apic[0x310 / 4] = 0;    /* destination APIC ID 0 */
            apic[0x300 / 4] = 0xf2; /* fixed, vector F2H */
            ap_sent++;
            ap_cmd = 0;
        }
        __asm__ volatile("pause");
    }
}

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

static void test_smp_posted(void)
{
    /* fw_cfg NB_CPUS (as tests/firmware/x86/smp.c) */
    unsigned ncpus = fw_cfg_ncpus();
    if (ncpus < 2) {
        x86t_puts("  (one CPU: no notification from another CPU)\n");
        return;
    }
    smp_tramp_install((uint8_t *)0x8000, read_cr3(), (uint64_t)ap_main, (uint64_t)ap_stacks);
    wrmsr(0x830, 1ull << 32 | 0xc500); /* INIT */
    spin(10000);
    wrmsr(0x830, 1ull << 32 | 0x8500);
    spin(2000);
    wrmsr(0x830, 1ull << 32 | 0x4608); /* SIPI 0800:0000 */
    for (unsigned i = 0; i < 1000000 && !ap_alive; i++)
        spin(10);
    CHECKX(ap_alive == 1, "the AP came up", ap_alive);
    struct gregs g = { 0 };
    clear_vapic();
    for (unsigned i = 0; i < 64; i++)
        pi_desc[i] = 0;
    vmw(G_INTR_STATUS, 0);
    set_controls(PIN_EXT | PIN_POSTED, PROC_TPR_SHADOW, P2_X2APIC | P2_VID, EXIT_ACK);
    vlog_n = 0;
    x86t_hook = guest_irq;
    guest_at(smp_g);
    CHECK(enter(&g) == 0, "entry (notification from the AP)");
    expect_exit("VMCALL", 18, 0, 0);
    CHECKX(ap_sent == 1 && vlog_n == 1 && vlog[0] == 0x80,
           "80H posted by the AP, its notification processed in non-root operation",
           (uint64_t)ap_sent << 16 | vlog_n << 8 | vlog[0]);
    CHECKX(!(pi_desc[32] & 1) && !pi_desc[16], "PIR and ON cleared", pi_desc[32] << 8 | pi_desc[16]);
    x86t_hook = 0;
}

/* ---- 5. x2APIC virtualization --------------------------------------------------------------- */

static void test_x2apic(void)
{
    struct gregs g = { 0 };
    clear_vapic();
    *vreg(0x80) = 0x20;
    *vreg(0x20) = 0x09000000;
    vmw(TPR_THRESHOLD, 1);
    for (int rv = 0; rv < 2; rv++) {
        set_controls(0, PROC_TPR_SHADOW, P2_X2APIC | (rv ? P2_REGVIRT : 0), 0);
        *vreg(0x80) = 0x20;
        vmw(TPR_THRESHOLD, 1);
        guest_at(x2_g);
        CHECK(enter(&g) == 0, "entry (x2APIC virtualization)");
        expect_exit("WRMSR 808H below the TPR threshold", 43, 0, (uint64_t)x2_1);
        CHECKX(g.r8 == 0x20, "RDMSR 808H reads VTPR", g.r8);
        CHECKX(g.r9 == (rv ? 0x09000000u : 0), rv ? "RDMSR 802H: the virtual ID" : "RDMSR 802H: the real APIC ID",
               g.r9);
        CHECKX(g.r10 == 5, "MOV from CR8 after WRMSR 808H", g.r10);
        CHECKX(*vreg(0x80) == 0, "VTPR after WRMSR", *vreg(0x80));
        vmw(TPR_THRESHOLD, 0);
        CHECK(enter(&g) == 0, "resume");
        expect_exit("WRMSR 808H with bit 8: #GP", 0, 0, (uint64_t)x2_gp);
        vmw(G_RIP, (uint64_t)x2_2);
        CHECK(enter(&g) == 0, "resume");
        expect_exit("VMCALL", 18, 0, (uint64_t)x2_2);
    }
    CHECKX(rdmsr(0x808) == 0, "the real TPR is untouched", rdmsr(0x808));
    vmw(TPR_THRESHOLD, 0);
}

/* ---- 6. virtual-interrupt delivery ------------------------------------------------------------ */

static void test_vid(void)
{
    struct gregs g = { 0 };
    clear_vapic();
    /* VIRR: 21H and 30H, RVI 30H; VTPR 20H (VPPR 20H): 30H is deliverable,
     * 21H only once VTPR drops */
    *vreg(0x80) = 0x20;
    *vreg(0xa0) = 0x20;
    *vreg(0x200 + 16 * 1) = 1u << 1 | 1u << 16; /* 21H, 30H */
    vmw(G_INTR_STATUS, 0x30);
    vmw(EOI_EXIT0, 1ull << 0x21); /* EOI of 21H exits */
    vlog_n = 0;
    x86t_hook = guest_irq;
    set_controls(PIN_EXT, PROC_TPR_SHADOW, P2_X2APIC | P2_VID, 0);
    guest_at(vid_g);
    CHECK(enter(&g) == 0, "entry (virtual-interrupt delivery)");
    expect_exit("virtualized EOI of 21H (EOI-exit bitmap)", 45, 0x21, 0);
    CHECKX(vlog_n == 3 && vlog[0] == 0x30 && vlog[1] == 0x80 && vlog[2] == 0x21,
           "delivered 30H, the self IPI 80H, then 21H once VTPR = 0", vlog_n << 24 | vlog[0] << 16 | vlog[1] << 8 | vlog[2]);
    CHECKX(vmr(G_INTR_STATUS) == 0, "RVI = SVI = 0", vmr(G_INTR_STATUS));
    CHECKX(vapic_vectors_clear(0x100) && vapic_vectors_clear(0x200), "VISR and VIRR clear", 0);
    CHECK(enter(&g) == 0, "resume");
    expect_exit("SELF IPI of vector 5: APIC write (trap-like)", 56, 0x3f0, (uint64_t)vid_1);
    CHECKX(*vreg(0x3f0) == 5, "SELF IPI register written", *vreg(0x3f0));
    CHECK(enter(&g) == 0, "resume");
    expect_exit("VMCALL", 18, 0, (uint64_t)vid_1);
    CHECKX(vlog_n == 3, "nothing more delivered", vlog_n);
    /* STI; HLT with a virtual interrupt recognized at entry: STI blocking
     * holds it for the HLT, then it wakes the halted guest */
    clear_vapic();
    *vreg(0x200 + 16 * 1) = 1u << 16; /* 30H */
    vmw(G_INTR_STATUS, 0x30);
    vmw(EOI_EXIT0, 0);
    vlog_n = 0;
    vmw(PROC, vmr(PROC) & ~(uint64_t)PROC_HLT);
    guest_at(hlt_g);
    CHECK(enter(&g) == 0, "entry (STI; HLT with a virtual interrupt)");
    expect_exit("VMCALL after HLT", 18, 0, (uint64_t)hlt_1);
    CHECKX(vlog_n == 1 && vlog[0] == 0x30, "30H delivered in HLT", vlog_n << 8 | vlog[0]);
    x86t_hook = 0;
}

/* ---- 7. posted interrupts ---------------------------------------------------------------------- */

static void test_posted(void)
{
    struct gregs g = { 0 };
    clear_vapic();
    for (unsigned i = 0; i < 64; i++)
        pi_desc[i] = 0;
    vmw(G_INTR_STATUS, 0);
    vmw(PINV, 0xf2);
    vmw(PI_DESC, (uint64_t)pi_desc);
    set_controls(PIN_EXT | PIN_POSTED, PROC_TPR_SHADOW, P2_X2APIC | P2_VID, EXIT_ACK);
    /* another vector pending: an external-interrupt exit, acknowledged */
    wrmsr(0x83f, 0x21);
    guest_at(spin_g);
    CHECK(enter(&g) == 0, "entry (external interrupt 21H)");
    expect_exit("external interrupt 21H", 1, 0, (uint64_t)spin_g);
    CHECKX(vmr(EXIT_INTR_INFO) == 0x80000021, "acknowledged on exit", vmr(EXIT_INTR_INFO));
    wrmsr(0x80b, 0);
    /* PIR 30H with ON and the notification pending at the entry; the
     * guest then posts 80H itself (PIR, ON) and sends the notification
     * through the real x2APIC ICR: it arrives in non-root operation */
    pi_desc[0x30 / 8] |= 1u << (0x30 & 7);
    pi_desc[32] = 1;
    wrmsr(0x83f, 0xf2);
    vlog_n = 0;
    x86t_hook = guest_irq;
    guest_at(pi_g);
    CHECK(enter(&g) == 0, "entry (posted interrupts)");
    expect_exit("VMCALL", 18, 0, 0);
    CHECKX(vlog_n == 2 && vlog[0] == 0x30 && vlog[1] == 0x80,
           "posted 30H (notification at entry) and 80H (notification in non-root) delivered",
           vlog_n << 16 | vlog[0] << 8 | vlog[1]);
    int pir_clear = 1;
    for (unsigned i = 0; i < 32; i++)
        pir_clear &= pi_desc[i] == 0;
    CHECK(pir_clear, "PIR cleared");
    CHECKX(!(pi_desc[32] & 1), "ON cleared", pi_desc[32]);
    CHECKX(!((rdmsr(0x817) >> 18) & 1) && !((rdmsr(0x827) >> 18) & 1),
           "the notification F2H dismissed at the local APIC (ISR, IRR)", rdmsr(0x817) << 32 | rdmsr(0x827));
    CHECKX(vmr(G_INTR_STATUS) == 0, "RVI = SVI = 0", vmr(G_INTR_STATUS));
    CHECKX(vapic_vectors_clear(0x100) && vapic_vectors_clear(0x200), "VISR and VIRR clear", 0);
    /* a guest halted without HLT exiting, woken by a posted interrupt:
     * the local APIC timer (one-shot, the notification vector) fires
     * while it is in HLT */
    pi_desc[0x21 / 8] |= 1u << (0x21 & 7);
    pi_desc[32] = 1;
    vlog_n = 0;
    vmw(PROC, vmr(PROC) & ~(uint64_t)PROC_HLT);
    wrmsr(0x83e, 0xb);   /* divide by 1 */
    wrmsr(0x832, 0xf2);  /* one-shot, vector F2H */
    wrmsr(0x838, 20000); /* initial count */
    guest_at(hlt_g);
    CHECK(enter(&g) == 0, "entry (HLT, posted interrupt)");
    expect_exit("VMCALL after HLT", 18, 0, (uint64_t)hlt_1);
    CHECKX(vlog_n == 1 && vlog[0] == 0x21, "posted 21H woke the halted guest", vlog_n << 8 | vlog[0]);
    CHECKX(!(pi_desc[32] & 1) && !pi_desc[4], "PIR and ON cleared", pi_desc[32] << 8 | pi_desc[4]);
    wrmsr(0x832, 1u << 16);
    x86t_hook = 0;
}

int kmain(void)
{
    x86t_puts("x86 vmx-apic: start\n");
    x86t_idt_init();
    x86t_sys_init();
    test_caps();
    test_checks();
    test_tpr_shadow();
    test_apic_access();
    test_apic_access_ept();
    test_x2apic();
    test_vid();
    test_posted();
    test_smp_posted();
    CHECK(vmclear((uint64_t)vmcs_a) == 0, "vmclear at the end");
    CHECK(vmxoff() == 0, "vmxoff");
    return x86t_report("vmx-apic");
}
