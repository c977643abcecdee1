/* x86_64 self-checking test kernel: every exception vector the CPU model
 * can raise, with its error code and saved RIP (Intel SDM vol. 3A ch. 6
 * "Interrupt and Exception Handling", Table 6-1, §6.13 error codes, §6.15
 * the exception classes), at CPL 0, at CPL 3 and in compatibility mode;
 * #DF by the contributory/page-fault rules; IST stacks in 64-bit mode
 * (§6.14.5). Prints through COM1, exits through isa-debug-exit (0 = all
 * checks passed). */
#include <stdint.h>
#include "x86t.h"

/* Where the faulting instruction (label 2) and the next one (label 1) are. */
volatile uint64_t exc_at, exc_after;
uint64_t exc_zero[2];
volatile uint64_t rsp_before; /* RSP before a POP r/m that faults */

/* Runs setup, then insn at label 2; resumes at label 1 after the
 * exception. Checks the vector, the error code (err >= 0) and the saved
 * RIP: the instruction for a fault, the next one for a trap. */
#define EXC(name, vector, err, trap, setup, insn)                                        \
    do {                                                                                 \
        x86t_last_vector = ~0ull;                                                        \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"     \
                         "mov %%rax, exc_after(%%rip)\n\t"                               \
                         "lea 2f(%%rip), %%rax\n\tmov %%rax, exc_at(%%rip)\n\t" setup    \
                         "\n2:\t" insn "\n1:" ::: "rax", "rcx", "rdx", "memory");        \
        x86t_resume = 0;                                                                 \
        CHECKX(x86t_last_vector == (uint64_t)(vector), name ": vector", x86t_last_vector); \
        if ((err) >= 0)                                                                  \
            CHECKX(x86t_last_error == (uint64_t)(err), name ": error code", x86t_last_error); \
        CHECKX(x86t_last_rip == ((trap) ? exc_after : exc_at), name ": saved RIP", x86t_last_rip); \
    } while (0)

/* MXCSR images for #XM: every exception masked but ZM (bit 9); the reset value */
uint32_t xm_mxcsr = 0x1d80, xm_default = 0x1f80;

/* ---- code run at CPL 3 (the .user page) ------------------------------------ */

#define USER_FN(name, body)                                                      \
    void name(void);                                                             \
    __asm__(".pushsection .user.text, \"ax\"\n\t.globl " #name "\n" #name ":\n\t" \
            body "\n\tud2\n\t.popsection")

USER_FN(u_hlt, "hlt");
USER_FN(u_cli, "cli");
USER_FN(u_movcr, "mov %cr3, %rax");
USER_FN(u_wrmsr, "xor %ecx, %ecx\n\twrmsr");
USER_FN(u_lgdt, "lgdt (%rsp)");
USER_FN(u_invlpg, "invlpg (%rsp)");
USER_FN(u_in, "in $0x80, %al");
USER_FN(u_int14, "int $14");
USER_FN(u_int32, "int $32");
USER_FN(u_int3, "int3");
USER_FN(u_read_kernel, "mov 0x100000, %rax");
USER_FN(u_write_kernel, "movq $1, 0x100000");
USER_FN(u_read_unmapped, "movabs $0x0000100000000000, %rax\n\tmov (%rax), %rax");
USER_FN(u_misaligned, "mov 1(%rsp), %eax");
USER_FN(u_cs, "mov %cs, %eax\n\tmov %ss, %ecx");
USER_FN(u_swapgs, "swapgs");
USER_FN(u_movdr, "mov %dr7, %rax");

X86T_USER_DATA static uint8_t ustack[4096];
#define USTACK ((uint64_t)(ustack + sizeof ustack - 64))

/* ---- code run in compatibility mode (CS 0x38, CPL 0) ----------------------- */

void c32_into(void), c32_into_after(void), c32_bound(void), c32_nop_into(void);
void c32_limit(void), c32_limit_fault(void);
void c32_last4(void), c32_last4_fault(void), c32_last2(void), c32_last2_fault(void), c32_fetch(void);
__asm__(".code32\n"
        ".globl c32_into, c32_into_after, c32_bound, c32_nop_into\n"
        "c32_into:\n\tmov $0x7f, %al\n\tadd $1, %al\n\tinto\nc32_into_after:\n\tud2\n"
        "c32_nop_into:\n\txor %eax, %eax\n\tinto\n\tud2\n"
        "c32_bound:\n\tmov $200, %eax\n\tbound %eax, bound_pair\n\tud2\n"
        ".globl c32_limit, c32_limit_ok, c32_limit_fault\n"
        "c32_limit:\n\tmov $0x58, %eax\n\tmov %eax, %ds\n\tmov 0xffc, %eax\n"
        "c32_limit_fault:\n\tmov 0x1000, %eax\n\tud2\n"
        /* the last byte beyond the limit: 4 bytes at 0xffd, 2 at 0xfff */
        ".globl c32_last4, c32_last4_fault, c32_last2, c32_last2_fault\n"
        "c32_last4:\n\tmov $0x58, %eax\n\tmov %eax, %ds\n\tmovw 0xffe, %ax\n"
        "c32_last4_fault:\n\tmov 0xffd, %eax\n\tud2\n"
        "c32_last2:\n\tmov $0x58, %eax\n\tmov %eax, %ds\n\tmovb $1, 0xfff\n"
        "c32_last2_fault:\n\tmovw $1, 0xfff\n\tud2\n"
        /* fetch: run from a code segment whose limit ends inside the mov */
        ".globl c32_fetch\n"
        ".balign 16\nc32_fetch:\n\tnop\n\tnop\n\tmov $1, %eax\n\tud2\n"
        ".code64");
int32_t bound_pair[2] = { 10, 100 };
static uint8_t c32_stack[1024] __attribute__((aligned(16)));

static uint64_t compat_call(void (*fn)(void))
{
    /* an IRET to CPL 3 nulled DS/ES (DPL 0 < RPL 3: SDM vol. 2 "IRET");
     * 64-bit mode ignores that, compatibility mode does not */
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"(X86T_KDATA));
    return x86t_far_call((uint64_t)fn, X86T_KCODE32, X86T_KDATA, (uint64_t)(c32_stack + sizeof c32_stack), 2);
}

static uint64_t user(void (*fn)(void), uint64_t rflags)
{
    return x86t_user_call(fn, USTACK, rflags);
}

static void test_kernel_faults(void)
{
    EXC("#DE div by 0", 0, -1, 0, "xor %%ecx, %%ecx", "div %%ecx");
    EXC("#DB TF single-step", 1, -1, 1, "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq", "nop");
    uint64_t dr6;
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    CHECKX(dr6 & (1u << 14), "#DB TF: DR6.BS", dr6);
    /* single-stepped 90h (the CPU model's exec_one path): NOP and F3 90
     * PAUSE leave RAX whole (XCHG EAX, EAX would zero RAX[63:32]); REX.B 90
     * is XCHG R8, RAX (SDM vol. 2 "NOP", "PAUSE", "XCHG") */
    uint64_t tf_rax[3], tf_r8 = 0;
    static const char *const tf_what[3] = { "#DB TF: a single-stepped NOP leaves RAX (not XCHG EAX, EAX)",
                                            "#DB TF: a single-stepped PAUSE (F3 90) leaves RAX",
                                            "#DB TF: a single-stepped REX.WB 90 is XCHG R8, RAX" };
#define TF_STEP(k, insn)                                                                   \
    x86t_last_vector = ~0ull;                                                              \
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"            \
                     "mov $0x55, %%r8d\n\tmovabs $0x1122334455667788, %%rax\n\t"            \
                     "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t" insn "\n1:\tmov %%r8, %1"  \
                     : "=a"(tf_rax[k]), "=m"(tf_r8) :: "r8", "memory");                    \
    CHECKX(x86t_last_vector == 1 && tf_rax[k] == ((k) == 2 ? 0x55 : 0x1122334455667788ull) &&   \
               tf_r8 == ((k) == 2 ? 0x1122334455667788ull : 0x55), tf_what[k], tf_rax[k])
    TF_STEP(0, "nop");
    TF_STEP(1, "pause");
    TF_STEP(2, ".byte 0x49, 0x90"); /* REX.W + REX.B */
#undef TF_STEP
    EXC("#DB INT1 (ICEBP)", 1, -1, 1, "", ".byte 0xf1");
    EXC("#BP int3", 3, -1, 1, "", "int3");
    EXC("#UD ud2", 6, -1, 0, "", "ud2");
    EXC("#UD into in 64-bit mode", 6, -1, 0, "", ".byte 0xce");
    EXC("#UD lock nop", 6, -1, 0, "", ".byte 0xf0, 0x90");
    EXC("#UD mov to CS", 6, -1, 0, "", ".byte 0x8e, 0xc8");
    EXC("#GP instruction > 15 bytes", 13, 0, 0, "",
        ".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x90");

    uint32_t r[4];
    cpuid(1, 0, r);
    if (r[3] & 1) { /* CPUID.1:EDX.FPU: x87 with CR0.TS gives #NM (SDM §2.5) */
        write_cr0(read_cr0() | 8);
        EXC("#NM fninit with CR0.TS", 7, -1, 0, "", "fninit");
        __asm__ volatile("clts");
    } else {
        x86t_puts("note: no x87 (CPUID.1:EDX.FPU = 0): #NM not checked\n");
    }
    if (r[3] & (1u << 25)) { /* SSE: an unmasked SIMD FP exception (SDM vol. 3A §6.15, Interrupt 19) */
        uint64_t cr4 = read_cr4();
        write_cr4(cr4 | 0x600); /* OSFXSR, OSXMMEXCPT */
        EXC("#XM divss by zero with MXCSR.ZM clear", 19, -1, 0,
            "ldmxcsr xm_mxcsr(%%rip)\n\tmov $0x3f800000, %%eax\n\tmovd %%eax, %%xmm0\n\txorps %%xmm1, %%xmm1",
            "divss %%xmm1, %%xmm0");
        uint32_t mx;
        __asm__ volatile("stmxcsr %0" : "=m"(mx));
        CHECKX(mx == (0x1d80u | 4), "#XM: MXCSR.ZE set, the rest unchanged", mx);
        write_cr4((cr4 | 0x200) & ~0x400ull); /* OSXMMEXCPT = 0: #UD instead */
        EXC("#UD divss by zero with CR4.OSXMMEXCPT = 0", 6, -1, 0,
            "ldmxcsr xm_mxcsr(%%rip)\n\tmov $0x3f800000, %%eax\n\tmovd %%eax, %%xmm0\n\txorps %%xmm1, %%xmm1",
            "divss %%xmm1, %%xmm0");
        __asm__ volatile("ldmxcsr %0" ::"m"(xm_default));
        write_cr4(cr4);
    } else {
        x86t_puts("note: no SSE (CPUID.1:EDX.SSE = 0): #XM not checked\n");
    }

    /* POP r/m: a fault on the destination leaves RSP unchanged (the pop's
     * RSP increment undone), with RSP as the base and without */
    static const char *const pop_name[2] = { "#SS(0) pop to a non-canonical (%rsp,%rcx): RSP as before",
                                             "#PF pop to an unmapped (%rcx): RSP as before" };
    for (int k = 0; k < 2; k++) {
        x86t_last_vector = ~0ull;
        /* after the fault RSP is put back by hand, so that a model that
         * got it wrong fails this check only */
        if (k == 0)
            __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"
                             "movabs $0x0000800000000000, %%rcx\n\tmov %%rsp, rsp_before(%%rip)\n\t"
                             "pop (%%rsp,%%rcx,1)\n1:\tmov rsp_before(%%rip), %%rsp" ::: "rax", "rcx", "memory");
        else
            __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"
                             "movabs $0x0000100000000000, %%rcx\n\tmov %%rsp, rsp_before(%%rip)\n\t"
                             "pop (%%rcx)\n1:\tmov rsp_before(%%rip), %%rsp" ::: "rax", "rcx", "memory");
        x86t_resume = 0;
        CHECKX(x86t_last_vector == (k ? 14u : 12u) && x86t_last_rsp == rsp_before, pop_name[k], x86t_last_rsp);
    }

    /* #NP: a not-present data segment; a not-present IDT gate */
    EXC("#NP not-present segment", 11, X86T_NPDATA, 0, "mov $0x50, %%eax", "mov %%eax, %%ds");
    x86t_set_gate(33, 0, 0, 0);
    EXC("#NP not-present gate (int $33)", 11, 33 * 8 + 2, 0, "", "int $33");
    x86t_set_gate(33, 0, 0, 1);
    /* #SS: a non-canonical stack reference; a not-present stack segment */
    EXC("#SS non-canonical stack reference", 12, 0, 0, "movabs $0x0000800000000000, %%rcx",
        "mov (%%rsp,%%rcx,1), %%rax");
    EXC("#SS not-present SS", 12, X86T_NPDATA, 0, "mov $0x50, %%eax", "mov %%eax, %%ss");
    /* #GP with selector error codes */
    EXC("#GP selector beyond the GDT limit", 13, 0x400, 0, "mov $0x400, %%eax", "mov %%eax, %%ds");
    EXC("#GP system descriptor into DS", 13, X86T_TSS, 0, "mov $0x40, %%eax", "mov %%eax, %%ds");
    EXC("#GP SS with RPL != CPL", 13, X86T_KDATA, 0, "mov $0x13, %%eax", "mov %%eax, %%ss");
    EXC("#GP SS from a code segment", 13, X86T_KCODE, 0, "mov $0x08, %%eax", "mov %%eax, %%ss");
    EXC("#GP far jump to the null selector", 13, 0, 0, "", "ljmp *exc_zero(%%rip)");
    EXC("#GP jump to a non-canonical address (at the jump)", 13, 0, 0,
        "movabs $0x0000800000000000, %%rcx", "jmp *%%rcx");
    /* CALL and RET to a non-canonical target: #GP(0) at the instruction,
     * nothing pushed or popped (SDM vol. 2 "CALL", "RET" 64-bit mode) */
    __asm__ volatile("mov %%rsp, %0" : "=m"(rsp_before));
    EXC("#GP call to a non-canonical address", 13, 0, 0, "movabs $0x0000800000000000, %%rcx", "call *%%rcx");
    CHECKX(x86t_last_rsp == rsp_before, "  ... RSP unchanged", x86t_last_rsp);
    EXC("#GP ret to a non-canonical address", 13, 0, 0,
        "movabs $0x0000800000000000, %%rcx\n\tmov %%rsp, x86t_resume_rsp(%%rip)\n\tpush %%rcx", "ret");
    CHECKX(x86t_last_rsp == rsp_before - 8, "  ... RSP unchanged", x86t_last_rsp);
        EXC("#GP non-canonical data", 13, 0, 0, "movabs $0xffff000000000000, %%rcx", "mov (%%rcx), %%rax");
    EXC("#GP reserved CR4 bit", 13, 0, 0, "mov %%cr4, %%rax\n\tbts $31, %%rax", "mov %%rax, %%cr4");
    EXC("#GP unknown MSR", 13, 0, 0, "mov $0x4b564d00, %%ecx", "rdmsr");
    EXC("#GP wrmsr EFER reserved bit", 13, 0, 0,
        "mov $0xc0000080, %%ecx\n\trdmsr\n\tbts $3, %%eax", "wrmsr");
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr, small;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    small = idtr;
    small.limit = 0x80 * 16 - 1;
    __asm__ volatile("lidt %0" ::"m"(small));
    EXC("#GP int beyond the IDT limit", 13, 0x80 * 8 + 2, 0, "", "int $0x80");
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

static void test_pf(void)
{
    EXC("#PF not present, read", 14, 0, 0, "movabs $0x0000100000000000, %%rcx", "mov (%%rcx), %%rax");
    CHECKX(x86t_last_cr2 == 0x0000100000000000ull, "#PF read: CR2", x86t_last_cr2);
    EXC("#PF not present, write", 14, 2, 0, "movabs $0x0000100000000ff8, %%rcx", "movq $1, (%%rcx)");
    CHECKX(x86t_last_cr2 == 0x0000100000000ff8ull, "#PF write: CR2", x86t_last_cr2);
    /* an instruction fetch (EFER.NXE = 1: I/D reported): the fault is at
     * the target, after the call pushed its return address */
    x86t_last_vector = ~0ull;
    uint64_t target = 0x0000100000002000ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"
                     "push %%rbp\n\tmov %%rsp, %%rbp\n\tcall *%0\n1:\tmov %%rbp, %%rsp\n\tpop %%rbp"
                     ::"r"(target) : "rax", "memory");
    CHECKX(x86t_last_vector == 14 && x86t_last_error == 0x10, "#PF fetch: vector, error P=0 I=1", x86t_last_error);
    CHECKX(x86t_last_rip == target && x86t_last_cr2 == target, "#PF fetch: RIP = CR2 = target", x86t_last_rip);
    /* RSVD: PS = 1 in a PML4 entry (SDM §4.5.4) */
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    pml4[2] = pml4[0] | 0x80;
    EXC("#PF reserved bit (PS in a PML4E)", 14, 9, 0, "movabs $0x0000010000000000, %%rcx", "mov (%%rcx), %%rax");
    pml4[2] = 0;
    write_cr3(read_cr3());
    /* from CPL 3 */
    CHECK(user(u_read_kernel, 2) == 14 && x86t_last_error == 5 && x86t_last_cr2 == 0x100000,
          "#PF user read of a supervisor page: P|U");
    CHECK(user(u_write_kernel, 2) == 14 && x86t_last_error == 7, "#PF user write of a supervisor page: P|W|U");
    CHECK(user(u_read_unmapped, 2) == 14 && x86t_last_error == 4, "#PF user read, not present: U");
}

static void test_user(void)
{
    CHECK(user(u_cs, 2) == 6 && x86t_last_cs == 0x2b && x86t_last_ss == 0x23,
          "IRETQ to CPL 3: the code runs with CS 0x2b / SS 0x23");
    uint16_t ds;
    __asm__ volatile("mov %%ds, %0" : "=r"(ds));
    CHECKX(ds == 0, "IRETQ to CPL 3 nulled DS (DPL 0 < CPL 3)", ds);
    CHECK(user(u_hlt, 2) == 13 && x86t_last_error == 0, "#GP(0) hlt at CPL 3");
    CHECK(user(u_cli, 2) == 13 && x86t_last_error == 0, "#GP(0) cli at CPL 3, IOPL 0");
    CHECK(user(u_cli, 0x3002) == 6, "cli at CPL 3 with IOPL 3");
    CHECK(user(u_movcr, 2) == 13 && x86t_last_error == 0, "#GP(0) mov from CR3 at CPL 3");
    CHECK(user(u_wrmsr, 2) == 13 && x86t_last_error == 0, "#GP(0) wrmsr at CPL 3");
    CHECK(user(u_lgdt, 2) == 13 && x86t_last_error == 0, "#GP(0) lgdt at CPL 3");
    CHECK(user(u_invlpg, 2) == 13 && x86t_last_error == 0, "#GP(0) invlpg at CPL 3");
    CHECK(user(u_in, 2) == 13 && x86t_last_error == 0, "#GP(0) in at CPL 3 (port denied)");
    CHECK(user(u_swapgs, 2) == 13 && x86t_last_error == 0, "#GP(0) swapgs at CPL 3");
    CHECK(user(u_int14, 2) == 13 && x86t_last_error == 14 * 8 + 2, "#GP int $14 from CPL 3 (gate DPL 0)");
    x86t_traps = 0;
    CHECK(user(u_int32, 2) == 6 && x86t_traps == 2, "int $32 from CPL 3 (gate DPL 3) returns to CPL 3");
    CHECK(user(u_int3, 2) == 6 && x86t_traps == 4, "int3 from CPL 3 (gate DPL 3)");
    /* #AC: CR0.AM and RFLAGS.AC at CPL 3 (SDM §6.15 "Interrupt 17") */
    write_cr0(read_cr0() | (1u << 18));
    CHECK(user(u_misaligned, 0x40002) == 17 && x86t_last_error == 0, "#AC(0) misaligned load at CPL 3");
    CHECK(user(u_misaligned, 2) == 6, "no #AC without RFLAGS.AC");
    write_cr0(read_cr0() & ~(1ull << 18));
    CHECK(user(u_misaligned, 0x40002) == 6, "no #AC without CR0.AM");
    /* the exceptions from CPL 3 were taken on the TSS RSP0 stack */
    CHECK(user(u_hlt, 2) == 13 && x86t_last_rsp == USTACK && x86t_last_ss == 0x23, "frame: user RSP and SS");
}

static void test_compat(void)
{
    /* a null DS in compatibility mode: #GP(0) on a data access */
    __asm__ volatile("mov %0, %%ds" ::"r"(0));
    CHECK(x86t_far_call((uint64_t)c32_bound, X86T_KCODE32, X86T_KDATA, (uint64_t)(c32_stack + sizeof c32_stack), 2) == 13 &&
              x86t_last_error == 0, "#GP(0) a data access through a null DS in compatibility mode");
    /* INTO and BOUND exist outside 64-bit mode only */
    CHECK(compat_call(c32_into) == 4 && x86t_last_rip == (uint64_t)c32_into_after && x86t_last_cs == X86T_KCODE32,
          "#OF: into with OF = 1 (trap, compatibility mode)");
    CHECK(compat_call(c32_nop_into) == 6, "into with OF = 0 does nothing");
    CHECK(compat_call(c32_bound) == 5 && x86t_last_rip == (uint64_t)c32_bound + 5, "#BR: bound out of range (fault)");
    /* a data segment of limit 0xfff: offset 0xffc is in, 0x1000 is not */
    CHECK(compat_call(c32_limit) == 13 && x86t_last_error == 0 && x86t_last_rip == (uint64_t)c32_limit_fault,
          "#GP(0) beyond a segment limit (compatibility mode)");
    /* the last byte of an access counts (SDM vol. 3A §5.3) */
    CHECK(compat_call(c32_last4) == 13 && x86t_last_error == 0 && x86t_last_rip == (uint64_t)c32_last4_fault,
          "#GP(0) a 4-byte load whose last byte is beyond the limit (a 2-byte one inside is fine)");
    CHECK(compat_call(c32_last2) == 13 && x86t_last_error == 0 && x86t_last_rip == (uint64_t)c32_last2_fault,
          "#GP(0) a 2-byte store straddling the limit (a byte store at the limit is fine)");
    /* instruction fetch: a 32-bit code segment (GDT slot 0x80) based at
     * c32_fetch's page; with the limit inside the 5-byte MOV at +2 the
     * fetch faults at the MOV, with the limit at the end of UD2 it runs */
    uint64_t base = (uint64_t)c32_fetch & ~0xfffull, off = (uint64_t)c32_fetch & 0xfff;
    for (int k = 0; k < 2; k++) {
        uint64_t lim = off + (k ? 8 : 5);
        x86t_gdt[X86T_CGATE0 / 8] = (lim & 0xffff) | (base & 0xffffff) << 16 | 0x9bull << 40 |
                                    ((lim >> 16) & 0xf) << 48 | 1ull << 54 | (base >> 24 & 0xff) << 56;
        uint64_t v = x86t_far_call(off, X86T_CGATE0, X86T_KDATA, (uint64_t)(c32_stack + sizeof c32_stack), 2);
        if (k == 0)
            CHECK(v == 13 && x86t_last_error == 0 && x86t_last_rip == off + 2,
                  "#GP(0) fetching an instruction that crosses the CS limit (RIP at it)");
        else
            CHECK(v == 6 && x86t_last_rip == off + 7, "the same code with the limit at its last byte runs to the UD2");
    }
    x86t_gdt[X86T_CGATE0 / 8] = 0;
    __asm__ volatile("mov %0, %%ds" ::"r"(X86T_KDATA));
}

/* ---- debug registers (SDM vol. 3A ch. 17) ------------------------------------ */

#define RF (1ull << 16)
static inline uint64_t get_dr6(void) { uint64_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static inline uint64_t get_dr7(void) { uint64_t v; __asm__ volatile("mov %%dr7, %0" : "=r"(v)); return v; }
static inline void set_dr6(uint64_t v) { __asm__ volatile("mov %0, %%dr6" ::"r"(v)); }
static inline void set_dr7(uint64_t v) { __asm__ volatile("mov %0, %%dr7" ::"r"(v) : "memory"); }
/* DR7 for breakpoint n: Ln, R/Wn, LENn (§17.2.4 Figure 17-1) */
#define DR7_BP(n, rw, len) ((1ull << (2 * (n))) | (uint64_t)(rw) << (16 + 4 * (n)) | (uint64_t)(len) << (18 + 4 * (n)))

static uint64_t watched[2] __attribute__((aligned(16)));
static uint8_t watched_bytes[64] __attribute__((aligned(16)));
uint64_t dstack[64] __attribute__((aligned(16)));
static volatile int db_count;
static volatile uint64_t db_rflags, db_dr6;
/* #DB hook for the RF test: counts, then resumes the instruction itself
 * with RF = 1 in the image (the way a debugger continues, §17.3.1.1) */
static int db_resume_rf(struct x86t_frame *f)
{
    if (f->vector != 1)
        return 0;
    db_count++;
    db_rflags = f->rflags;
    db_dr6 = get_dr6();
    set_dr6(0);
    f->rflags |= RF;
    return 1;
}

static void test_debug_registers(void)
{
    /* reset values and the fixed bits (§17.2.3, §17.2.4) */
    set_dr6(0);
    CHECKX(get_dr6() == 0xffff0ff0, "DR6: reserved bits read as FFFF0FF0h", get_dr6());
    set_dr7(0);
    CHECKX(get_dr7() == 0x400, "DR7: bit 10 reads as 1", get_dr7());
    uint64_t v;
    __asm__ volatile("mov %0, %%dr0\n\tmov %%dr0, %0" : "=r"(v) : "0"(0x123456789abcull));
    CHECKX(v == 0x123456789abcull, "DR0 holds a 64-bit address", v);

    /* MOV DR faults: #GP(0) at CPL 3; DR4/DR5 alias DR6/DR7 with CR4.DE = 0,
     * #UD with CR4.DE = 1; #GP(0) for bits 63:32 of DR7; REX.R (DR8) #UD */
    CHECK(user(u_movdr, 2) == 13 && x86t_last_error == 0, "#GP(0) mov from DR7 at CPL 3");
    __asm__ volatile("mov %%dr4, %0" : "=r"(v));
    CHECKX(v == 0xffff0ff0, "DR4 reads DR6 with CR4.DE = 0", v);
    __asm__ volatile("mov %%dr5, %0" : "=r"(v));
    CHECKX(v == 0x400, "DR5 reads DR7 with CR4.DE = 0", v);
    write_cr4(read_cr4() | 8);
    EXC("#UD mov from DR4 with CR4.DE = 1", 6, -1, 0, "", "mov %%dr4, %%rax");
    EXC("#UD mov to DR5 with CR4.DE = 1", 6, -1, 0, "xor %%eax, %%eax", "mov %%rax, %%dr5");
    write_cr4(read_cr4() & ~8ull);
    EXC("#GP(0) DR7 bit 32 set", 13, 0, 0, "movabs $0x100000400, %%rax", "mov %%rax, %%dr7");
    EXC("#UD mov from DR8 (REX.R)", 6, -1, 0, "", ".byte 0x44, 0x0f, 0x21, 0xc0");

    /* general detect: DR7.GD = 1, then any MOV DR is a #DB fault with
     * DR6.BD; GD is cleared on entering the handler */
    set_dr6(0);
    EXC("#DB general detect (DR7.GD)", 1, -1, 0, "mov $0x2400, %%eax\n\tmov %%rax, %%dr7", "mov %%dr0, %%rax");
    CHECKX(get_dr6() & (1u << 13), "general detect: DR6.BD", get_dr6());
    CHECKX(get_dr7() == 0x400, "general detect: DR7.GD cleared", get_dr7());
    CHECKX(x86t_last_rflags & RF, "general detect (a fault): RF = 1 in the frame", x86t_last_rflags);

    /* RF in the frame: 1 for a fault, 0 for a trap (§17.3.1.1) */
    EXC("#UD for RF", 6, -1, 0, "", "ud2");
    CHECKX(x86t_last_rflags & RF, "#UD (a fault): RF = 1 in the frame", x86t_last_rflags);
    EXC("#BP for RF", 3, -1, 1, "", "int3");
    CHECKX(!(x86t_last_rflags & RF), "#BP (a trap): RF = 0 in the frame", x86t_last_rflags);

    /* instruction breakpoint: a fault at the instruction, DR6.B2, RF = 0
     * in the frame */
    set_dr6(0);
    EXC("#DB instruction breakpoint (DR2)", 1, -1, 0,
        "lea 2f(%%rip), %%rax\n\tmov %%rax, %%dr2\n\tmov $0x30, %%eax\n\tmov %%rax, %%dr7", "nop");
    CHECKX((get_dr6() & 0xf) == 4, "instruction breakpoint: DR6.B2 only", get_dr6());
    CHECKX(!(x86t_last_rflags & RF), "instruction breakpoint: RF = 0 in the frame", x86t_last_rflags);
    set_dr7(0);
    /* RF = 1 from IRET lets the instruction run once; the breakpoint is
     * taken again the next time the instruction comes */
    db_count = 0;
    x86t_hook = db_resume_rf;
    uint64_t n;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %%dr0\n\tmov $1, %%eax\n\tmov %%rax, %%dr7\n\t"
                     "xor %%ecx, %%ecx\n\tmov $3, %%edx\n"
                     "1:\tinc %%ecx\n\tdec %%edx\n\tjnz 1b\n\t"
                     "xor %%eax, %%eax\n\tmov %%rax, %%dr7\n\tmov %%rcx, %0"
                     : "=r"(n) : : "rax", "rcx", "rdx", "memory");
    x86t_hook = 0;
    CHECKX(db_count == 3 && n == 3, "instruction breakpoint with RF: one #DB per execution, each runs once",
           (uint64_t)db_count << 32 | n);
    CHECKX(!(db_rflags & RF) && (db_dr6 & 1), "instruction breakpoint: RF = 0 in the frame, DR6.B0", db_rflags);

    /* data breakpoints: traps after the access, on any byte of the
     * LEN-aligned range; R/W = 01 writes only, 11 reads and writes */
    set_dr6(0);
    __asm__ volatile("mov %0, %%dr1" ::"r"(&watched[0]));
    set_dr7(DR7_BP(1, 1, 3)); /* DR1: writes, 4 bytes */
    EXC("#DB data breakpoint: write inside the 4 bytes", 1, -1, 1, "", "movw $7, watched+2(%%rip)");
    CHECKX((get_dr6() & 0xf) == 2, "data breakpoint: DR6.B1", get_dr6());
    CHECKX(watched[0] == 7ull << 16, "data breakpoint: the store was done", watched[0]);
    x86t_last_vector = ~0ull;
    __asm__ volatile("mov watched(%%rip), %%eax\n\tmovl $1, watched+4(%%rip)" ::: "rax", "memory");
    CHECKX(x86t_last_vector == ~0ull, "data breakpoint R/W = 01: no #DB for a read, none next to the range",
           x86t_last_vector);
    set_dr7(DR7_BP(1, 3, 2)); /* reads or writes, 8 bytes */
    EXC("#DB data breakpoint R/W = 11: a read of the last byte of 8", 1, -1, 1, "", "mov watched+7(%%rip), %%al");
    set_dr7(DR7_BP(1, 3, 0)); /* 1 byte */
    EXC("#DB data breakpoint: a 4-byte access covering the byte", 1, -1, 1, "", "mov watched-2(%%rip), %%eax");
    /* PUSH onto a watched stack slot (a stack of its own: the handler's
     * frame goes below it) */
    __asm__ volatile("mov %0, %%dr3" ::"r"(&dstack[32]));
    set_dr7(DR7_BP(3, 1, 2));
    set_dr6(0);
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"
                     "mov %%rax, exc_after(%%rip)\n\tmov %%rsp, %%rdx\n\tlea dstack+264(%%rip), %%rsp\n\t"
                     "push %%rax\n1:\tmov %%rdx, %%rsp" ::: "rax", "rdx", "memory");
    x86t_resume = 0;
    CHECK(x86t_last_vector == 1 && x86t_last_rip == exc_after && (get_dr6() & 0xf) == 8,
          "#DB data breakpoint on a push: a trap after it, DR6.B3");
    /* single-step and a data breakpoint in one instruction: one #DB with
     * BS and Bn */
    set_dr7(DR7_BP(1, 1, 3));
    set_dr6(0);
    x86t_traps = 0;
    EXC("#DB single-step and data breakpoint together", 1, -1, 1, "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq",
        "movl $5, watched(%%rip)");
    CHECKX((get_dr6() & 0x400f) == 0x4002 && x86t_traps == 1, "one #DB: DR6.BS and DR6.B1", get_dr6());
    /* REP STOSB over the watched byte: #DB after that iteration, RIP at the
     * REP instruction, RF = 1 in the frame (not the last iteration) */
    __asm__ volatile("mov %0, %%dr0" ::"r"(&watched_bytes[10]));
    set_dr7(DR7_BP(0, 1, 0));
    set_dr6(0);
    uint64_t rcx_left;
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"
                     "lea 2f(%%rip), %%rax\n\tmov %%rax, exc_at(%%rip)\n\t"
                     "lea watched_bytes(%%rip), %%rdi\n\tmov $32, %%ecx\n\tmov $0xaa, %%al\n"
                     "2:\trep stosb\n1:\tmov %%rcx, %0"
                     : "=r"(rcx_left) : : "rax", "rcx", "rdi", "memory");
    x86t_resume = 0;
    CHECK(x86t_last_vector == 1 && x86t_last_rip == exc_at && rcx_left == 21 && (x86t_last_rflags & RF),
          "REP STOSB: #DB after the 11th iteration at the REP, RCX 21, RF = 1");
    CHECKX((get_dr6() & 0xf) == 1, "REP STOSB: DR6.B0", get_dr6());
    set_dr7(0);
    set_dr6(0);
    x86t_last_vector = ~0ull;
    __asm__ volatile("movl $9, watched(%%rip)" ::: "memory");
    CHECKX(x86t_last_vector == ~0ull, "no #DB once DR7 disables the breakpoints", x86t_last_vector);
}

static void test_double_fault_and_ist(void)
{
    /* #PF whose gate is not present: #NP while delivering #PF -> #DF(0) */
    x86t_set_gate(14, 0, 0, 0);
    EXC("#DF: #PF, then #NP delivering it", 8, 0, 0, "movabs $0x0000100000000000, %%rcx", "mov (%%rcx), %%rax");
    x86t_set_gate(14, 0, 0, 1);

    /* IST: #UD through a gate with IST 1 on an unmapped stack */
    x86t_set_gate(6, 0, 1, 1);
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\tmov %%rsp, x86t_resume_rsp(%%rip)\n\t"
                     "movabs $0x0000100000000000, %%rsp\n\tud2\n1:" ::: "rax", "memory");
    x86t_set_gate(6, 0, 0, 1);
    CHECK(x86t_last_vector == 6 && x86t_last_rsp == 0x0000100000000000ull, "IST 1: #UD on a bad stack delivered");
    /* #UD on a bad stack without IST: #PF pushing it, #PF pushing that ->
     * #DF, whose gate has IST 1 (SDM §6.15 Table 6-5) */
    x86t_set_gate(8, 0, 1, 1);
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\tmov %%rsp, x86t_resume_rsp(%%rip)\n\t"
                     "movabs $0x0000100000000000, %%rsp\n\tud2\n1:" ::: "rax", "memory");
    CHECK(x86t_last_vector == 8 && x86t_last_error == 0 && x86t_last_rsp == 0x0000100000000000ull,
          "#DF on IST 1 after faults pushing to an unmapped stack");
    /* a non-canonical stack: #SS pushing the #UD frame, #SS pushing that -> #DF */
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\tmov %%rsp, x86t_resume_rsp(%%rip)\n\t"
                     "movabs $0x0000800000000100, %%rsp\n\tud2\n1:" ::: "rax", "memory");
    CHECK(x86t_last_vector == 8 && x86t_last_rsp == 0x0000800000000100ull,
          "#DF on IST 1 after #SS pushing to a non-canonical stack");
    x86t_set_gate(8, 0, 0, 1);

    /* #TS: an IST slot beyond the TSS limit (a TSS of limit 0x57 has no
     * IST7) while delivering #UD: #TS(TSS selector, EXT = 1) */
    x86t_gdt[X86T_TSS / 8] &= ~(2ull << 40); /* TSS 0x40 not busy */
    __asm__ volatile("ltr %w0" ::"r"(X86T_TSS2));
    x86t_set_gate(6, 0, 7, 1);
    EXC("#TS: IST7 beyond the TSS limit", 10, X86T_TSS2 | 1, 0, "", "ud2");
    x86t_set_gate(6, 0, 0, 1);
    x86t_gdt[X86T_TSS2 / 8] &= ~(2ull << 40);
    __asm__ volatile("ltr %w0" ::"r"(X86T_TSS));
}

int kmain(void)
{
    x86t_puts("x86 exceptions: start\n");
    x86t_idt_init();
    x86t_sys_init();
    test_kernel_faults();
    test_pf();
    test_user();
    test_compat();
    test_debug_registers();
    test_double_fault_and_ist();
    x86t_puts("note: NMI has no source on this board without a local APIC: not checked\n");
    return x86t_report("exceptions");
}
