/* x86_64 self-checking test kernel: privilege transitions (Intel SDM vol. 2
 * "SYSCALL", "SYSRET", "SYSENTER", "SYSEXIT", "SWAPGS", "IRET", "POPF";
 * vol. 1 §18.5 I/O permission bitmap): SYSCALL/SYSRET to CPL 3 and back
 * with STAR/LSTAR/SFMASK and RCX/R11, SYSENTER/SYSEXIT to 64-bit and
 * compatibility-mode user code, SWAPGS, IRETQ to CPL 3 and its SS checks,
 * IOPL and the TSS I/O bitmap at CPL 3, POPF at CPL 3. */
#include <stdint.h>
#include "x86t.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_GS_BASE 0xc0000101
#define MSR_KGS_BASE 0xc0000102
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

#define USER_FN(name, body)                                                      \
    void name(void);                                                             \
    __asm__(".pushsection .user.text, \"ax\"\n\t.globl " #name "\n" #name ":\n\t" \
            body "\n\tud2\n\t.popsection")

X86T_USER_DATA uint64_t u_result[4];
X86T_USER_DATA static uint8_t ustack[4096];
#define USTACK ((uint64_t)(ustack + sizeof ustack - 64))

/* what the kernel entry points saw */
volatile uint64_t k_rcx, k_r11, k_cs, k_ss, k_rflags, k_rsp;
static uint8_t sysenter_stack[4096] __attribute__((aligned(16)));

/* SYSCALL entry: record, answer 0x5678 in RAX, SYSRET */
void syscall_entry(void);
__asm__(".globl syscall_entry\nsyscall_entry:\n\t"
        "mov %rcx, k_rcx(%rip)\n\tmov %r11, k_r11(%rip)\n\t"
        "mov %cs, %eax\n\tmov %rax, k_cs(%rip)\n\tmov %ss, %eax\n\tmov %rax, k_ss(%rip)\n\t"
        "mov %rsp, k_rsp(%rip)\n\tpushfq\n\tpopq k_rflags(%rip)\n\t"
        "mov $0x5678, %eax\n\tsysretq");
/* SYSENTER entry: record, SYSEXIT to u_sysenter_ret (64-bit) or to
 * u32_after (32-bit) depending on RAX (1 = 64-bit) */
void sysenter_entry(void);
__asm__(".globl sysenter_entry\nsysenter_entry:\n\t"
        "mov %cs, %ecx\n\tmov %rcx, k_cs(%rip)\n\tmov %ss, %ecx\n\tmov %rcx, k_ss(%rip)\n\t"
        "mov %rsp, k_rsp(%rip)\n\tpushfq\n\tpopq k_rflags(%rip)\n\t"
        "lea ustack+4000(%rip), %rcx\n\t"
        "cmp $1, %eax\n\tjne 1f\n\tlea u_sysenter_ret(%rip), %rdx\n\t.byte 0x48, 0x0f, 0x35\n"
        "1:\tlea u32_after(%rip), %rdx\n\tsysexit");

USER_FN(u_syscall, "std\n\tmov $0x1234, %eax\n\tsyscall\n\t.globl u_syscall_ret\nu_syscall_ret:\n\t"
                   "mov %rax, u_result(%rip)");
USER_FN(u_sysret, "sysretq");
USER_FN(u_sysenter64, "mov $1, %eax\n\tsysenter\n\t.globl u_sysenter_ret\nu_sysenter_ret:\n\t"
                      "mov %cs, %eax\n\tmov %rax, u_result(%rip)\n\tmov %ss, %eax\n\tmov %rax, u_result+8(%rip)\n\t"
                      "mov %rsp, u_result+16(%rip)");
USER_FN(u_sysenter32, "mov $2, %eax\n\tsysenter");
USER_FN(u_sysexit, "sysexit");
USER_FN(u_out80, "out %al, $0x80");
USER_FN(u_out81, "out %al, $0x81");
USER_FN(u_outw7f, "out %ax, $0x7f");
USER_FN(u_in80, "in $0x80, %al");
USER_FN(u_popf, "pushfq\n\torq $0x3200, (%rsp)\n\tpopfq\n\tpushfq\n\tpopq u_result(%rip)");
/* 32-bit user code (CS 0x1b) after SYSEXIT */
void u32_after(void);
__asm__(".pushsection .user.text, \"ax\"\n\t.code32\n\t.globl u32_after\nu32_after:\n\t"
        "mov %cs, %eax\n\tud2\n\t.code64\n\t.popsection");

/* ---- call gates (SDM vol. 3A §5.8.3.1: 16-byte gates in IA-32e mode) ---- */
volatile uint64_t g_cs, g_ss, g_rsp, g_frame[4];
void gate_entry(void), gate_jmp_target(void);
__asm__(".globl gate_entry\ngate_entry:\n\t"
        "mov %cs, %eax\n\tmov %rax, g_cs(%rip)\n\tmov %ss, %eax\n\tmov %rax, g_ss(%rip)\n\t"
        "mov %rsp, g_rsp(%rip)\n\t"
        "mov (%rsp), %rax\n\tmov %rax, g_frame(%rip)\n\tmov 8(%rsp), %rax\n\tmov %rax, g_frame+8(%rip)\n\t"
        "mov 16(%rsp), %rax\n\tmov %rax, g_frame+16(%rip)\n\tmov 24(%rsp), %rax\n\tmov %rax, g_frame+24(%rip)\n\t"
        "lretq\n"
        ".globl gate_jmp_target\ngate_jmp_target:\n\tud2");
/* far pointers m16:32 (the offset is ignored for a gate) */
X86T_USER_DATA uint32_t u_gate3[2] = { 0, X86T_CGATE3 | 3 };
X86T_USER_DATA uint32_t u_gate0[2] = { 0, X86T_CGATE0 | 3 };
USER_FN(u_lcall3, "lcall *u_gate3(%rip)\n\t.globl u_lcall3_ret\nu_lcall3_ret:\n\t"
                  "mov %cs, %eax\n\tmov %rax, u_result(%rip)\n\tmov %rsp, u_result+8(%rip)");
USER_FN(u_lcall0, "lcall *u_gate0(%rip)");

static void set_call_gate(unsigned sel, void (*fn)(void), unsigned dpl)
{
    uint64_t a = (uint64_t)fn;
    x86t_gdt[sel / 8] = (a & 0xffff) | (uint64_t)X86T_KCODE << 16 | (uint64_t)(0x8c | dpl << 5) << 40 |
                        ((a >> 16) & 0xffff) << 48;
    x86t_gdt[sel / 8 + 1] = a >> 32;
}

static uint64_t user(void (*fn)(void), uint64_t rflags);

static void test_call_gates(void)
{
    extern char u_lcall3_ret[];
    set_call_gate(X86T_CGATE3, gate_entry, 3);
    set_call_gate(X86T_CGATE0, gate_jmp_target, 0);
    u_result[0] = u_result[1] = 0;
    uint64_t v = user(u_lcall3, 2);
    CHECKX(v == 6, "far CALL from CPL 3 through a DPL 3 call gate, LRETQ back", v);
    CHECKX(g_cs == X86T_KCODE && g_ss == 0, "call gate: the target CS at CPL 0, SS = null (IA-32e)", g_cs << 16 | g_ss);
    CHECKX(g_rsp == x86t_tss.rsp[0] - 32, "call gate: the stack from TSS.RSP0, four quadwords pushed", g_rsp);
    CHECK(g_frame[0] == (uint64_t)u_lcall3_ret && g_frame[1] == X86T_UCODE64 + 3 && g_frame[2] == USTACK &&
              g_frame[3] == X86T_UDATA + 3, "call gate frame: RIP, CS, RSP, SS of the caller");
    CHECKX(u_result[0] == X86T_UCODE64 + 3 && u_result[1] == USTACK,
           "LRETQ to an outer level: CS and RSP/SS popped back", u_result[0]);
    CHECK(user(u_lcall0, 2) == 13 && x86t_last_error == X86T_CGATE0, "#GP(gate) a DPL 0 call gate from CPL 3");
    static uint32_t kgate[2] = { 0, X86T_CGATE0 };
    EXPECT_EXC("far JMP through a call gate (CPL 0)", 6, -1, "ljmp *%0", "m"(kgate));
    CHECK(x86t_last_rip == (uint64_t)gate_jmp_target && x86t_last_cs == X86T_KCODE, "  ... lands at the gate's target");
}

static uint64_t user(void (*fn)(void), uint64_t rflags)
{
    return x86t_user_call(fn, USTACK, rflags);
}

static void test_syscall(void)
{
    wrmsr(MSR_STAR, (uint64_t)X86T_UCODE32 << 48 | (uint64_t)X86T_KCODE << 32);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_SFMASK, 0x40700); /* AC, DF, IF, TF */
    extern char u_syscall_ret[];
    u_result[0] = 0;
    uint64_t v = user(u_syscall, 0x202 & ~0x200ull);
    CHECKX(v == 6, "SYSCALL/SYSRET round trip ends at the ud2", v);
    CHECKX(k_rcx == (uint64_t)u_syscall_ret, "SYSCALL: RCX = the next RIP", k_rcx);
    CHECKX((k_r11 & 0x400) && (k_r11 & 2), "SYSCALL: R11 = RFLAGS (DF set by the user)", k_r11);
    CHECKX(k_cs == X86T_KCODE && k_ss == X86T_KDATA, "SYSCALL: CS/SS from STAR[47:32]", k_cs << 16 | k_ss);
    CHECKX(!(k_rflags & 0x400), "SYSCALL: SFMASK cleared DF", k_rflags);
    CHECKX(k_rsp == USTACK, "SYSCALL: RSP unchanged", k_rsp);
    CHECKX(u_result[0] == 0x5678, "SYSRET: back in user code with the kernel's RAX", u_result[0]);
    CHECKX(x86t_last_cs == X86T_UCODE64 + 3 && x86t_last_ss == X86T_UDATA + 3,
           "SYSRET: CS = STAR[63:48] + 16, SS = + 8, RPL 3", x86t_last_cs);
    CHECKX(x86t_last_rflags & 0x400, "SYSRET: RFLAGS from R11 (DF back)", x86t_last_rflags);
    CHECK(user(u_sysret, 2) == 13 && x86t_last_error == 0, "#GP(0) SYSRET at CPL 3");
    EXPECT_EXC("#GP SYSRET to a non-canonical RCX (at CPL 0)", 13, 0,
               "movabs $0x0000800000000000, %%rcx\n\tsysretq");
    CHECK(x86t_last_cs == X86T_KCODE, "  ... taken at CPL 0");
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~1ull);
    EXPECT_EXC("#UD SYSCALL with EFER.SCE = 0", 6, -1, "syscall");
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);
    EXPECT_EXC("#GP LSTAR non-canonical", 13, 0,
               "mov $0xc0000082, %%ecx\n\tmov $0x8000, %%edx\n\txor %%eax, %%eax\n\twrmsr");
}

static void test_sysenter(void)
{
    wrmsr(MSR_SYSENTER_CS, 0);
    CHECK(user(u_sysenter64, 2) == 13 && x86t_last_error == 0, "#GP(0) SYSENTER with SYSENTER_CS = 0");
    wrmsr(MSR_SYSENTER_CS, X86T_KCODE);
    wrmsr(MSR_SYSENTER_ESP, (uint64_t)(sysenter_stack + sizeof sysenter_stack));
    wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
    u_result[0] = u_result[1] = 0;
    uint64_t v = user(u_sysenter64, 0x200);
    CHECKX(v == 6, "SYSENTER/SYSEXIT (64-bit) round trip", v);
    CHECKX(k_cs == X86T_KCODE && k_ss == X86T_KDATA, "SYSENTER: CS = SYSENTER_CS, SS = + 8", k_cs);
    CHECKX(k_rsp == (uint64_t)(sysenter_stack + sizeof sysenter_stack), "SYSENTER: RSP = SYSENTER_ESP", k_rsp);
    CHECKX(!(k_rflags & 0x200), "SYSENTER clears IF", k_rflags);
    CHECKX(u_result[0] == X86T_UCODE64 + 3 && u_result[1] == X86T_UDATA2 + 3,
           "SYSEXIT (REX.W): CS = SYSENTER_CS + 32, SS = + 40, RPL 3", u_result[0] << 16 | u_result[1]);
    CHECKX(u_result[2] == (uint64_t)(ustack + 4000), "SYSEXIT: RSP = RCX", u_result[2]);
    v = user(u_sysenter32, 2);
    CHECKX(v == 6 && x86t_last_cs == X86T_UCODE32 + 3 && x86t_last_ss == X86T_UDATA + 3 &&
               x86t_last_rip == (uint64_t)u32_after + 2,
           "SYSEXIT (32-bit): compatibility mode at CPL 3, CS = SYSENTER_CS + 16, SS = + 24", x86t_last_cs);
    CHECK(user(u_sysexit, 2) == 13 && x86t_last_error == 0, "#GP(0) SYSEXIT at CPL 3");
}

static void test_swapgs_iret(void)
{
    static volatile uint64_t gs_a = 0xaaaa, gs_b = 0xbbbb;
    wrmsr(MSR_GS_BASE, (uint64_t)&gs_a);
    wrmsr(MSR_KGS_BASE, (uint64_t)&gs_b);
    uint64_t v;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(v));
    CHECK(v == 0xaaaa, "GS_BASE addresses %gs:0");
    __asm__ volatile("swapgs\n\tmov %%gs:0, %0" : "=r"(v) :: "memory");
    CHECK(v == 0xbbbb, "SWAPGS: %gs:0 is KERNEL_GS_BASE's");
    CHECK(rdmsr(MSR_GS_BASE) == (uint64_t)&gs_b && rdmsr(MSR_KGS_BASE) == (uint64_t)&gs_a,
          "SWAPGS exchanged GS_BASE and KERNEL_GS_BASE");
    __asm__ volatile("swapgs" ::: "memory");
    CHECK(rdmsr(MSR_GS_BASE) == (uint64_t)&gs_a, "SWAPGS twice: back");

    /* IRETQ to CPL 3 with an SS of RPL 0: #GP(SS selector), raised at CPL 0 */
    extern char iret_bad_ss[];
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\tmov %%rsp, x86t_resume_rsp(%%rip)\n\t"
                     "pushq $0x20\n\tpushq %0\n\tpushq $2\n\tpushq $0x2b\n\tlea u_out80(%%rip), %%rax\n\tpushq %%rax\n"
                     ".globl iret_bad_ss\niret_bad_ss:\n\tiretq\n1:"
                     ::"r"(USTACK) : "rax", "memory");
    CHECKX(x86t_last_vector == 13 && x86t_last_error == 0x20, "#GP IRETQ to CPL 3 with SS RPL 0", x86t_last_error);
    CHECKX(x86t_last_cs == X86T_KCODE && x86t_last_rip == (uint64_t)iret_bad_ss, "  ... at the IRETQ, CPL 0",
           x86t_last_cs);
}

static void test_io(void)
{
    /* TSS I/O bitmap: allow port 0x80 only */
    x86t_tss.iobitmap[0x80 / 8] &= (uint8_t)~1u;
    CHECK(user(u_out80, 2) == 6, "I/O bitmap: out to an allowed port at CPL 3");
    CHECK(user(u_in80, 2) == 6, "I/O bitmap: in from an allowed port");
    CHECK(user(u_out81, 2) == 13 && x86t_last_error == 0, "#GP(0) I/O bitmap: denied port");
    CHECK(user(u_outw7f, 2) == 13 && x86t_last_error == 0, "#GP(0) I/O bitmap: a 2-byte access half denied");
    CHECK(user(u_out81, 0x3002) == 6, "IOPL 3: every port");
    x86t_tss.iomap = 0xf000; /* bitmap beyond the TSS limit: all denied */
    CHECK(user(u_out80, 2) == 13, "#GP I/O bitmap beyond the TSS limit");
    x86t_tss.iomap = 104;
    x86t_tss.iobitmap[0x80 / 8] |= 1;

    u_result[0] = 0;
    CHECK(user(u_popf, 2) == 6, "POPF at CPL 3");
    CHECKX((u_result[0] & 0x3200) == 0, "POPF at CPL 3 (IOPL 0) changes neither IOPL nor IF", u_result[0]);
    CHECK(user(u_popf, 0x3002) == 6, "POPF at CPL 3, IOPL 3");
    CHECKX((u_result[0] & 0x3200) == 0x3200, "POPF at CPL 3 with IOPL 3 changes IF, keeps IOPL 3", u_result[0]);
}

/* The 8259 pair initialised (vectors 0x20/0x28) and masked: user code
 * here runs with IF = 1 and must see no interrupt. */
static void pic_mask_all(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 4); outb(0xa1, 2);
    outb(0x21, 1); outb(0xa1, 1);
    outb(0x21, 0xff); outb(0xa1, 0xff);
}

int kmain(void)
{
    x86t_puts("x86 syscall: start\n");
    pic_mask_all();
    x86t_idt_init();
    x86t_sys_init();
    test_syscall();
    test_sysenter();
    test_swapgs_iret();
    test_io();
    test_call_gates();
    return x86t_report("syscall");
}
