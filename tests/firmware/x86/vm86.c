/* The virtual-8086 / task-switch kernel (Multiboot 1, 32-bit protected
 * mode, no paging; docs/x86.md "Test kernels"), Intel SDM vol. 3A ch. 20,
 * §7.3, §5.8.5, §6.15:
 *  1. virtual-8086 mode entered through IRET (EFLAGS.VM = 1 at CPL 0):
 *     8086 addressing (selector * 16), with IOPL = 0 every IOPL-sensitive
 *     instruction (CLI STI PUSHF POPF INT n IRET) is #GP(0) and INT3 is
 *     not; I/O goes through the TSS I/O permission bitmap whatever IOPL;
 *     each exception reaches the ring-0 handler with GS FS DS ES SS ESP
 *     pushed, DS..GS null, on the TSS's ring-0 stack, and IRET returns
 *     to virtual-8086 mode; with IOPL = 3 CLI/STI/PUSHF/POPF run (POPF
 *     keeps IOPL), INT n goes through the protected-mode IDT and IRET runs
 *     as in real mode;
 *  2. a virtual-8086 task entered by a JMP to a TSS with EFLAGS.VM = 1;
 *  3. a task switch whose new EIP is beyond the new CS limit: #GP(0) in
 *     the new task;
 *  4. a 16-bit call gate from CPL 3 while TR is a 16-bit TSS: the ring-0
 *     stack comes from the 16-bit TSS's SP0/SS0, the gate pushes words;
 *  5. #GP whose gate is not present: #NP during its delivery -> #DF;
 *  6. INTO (#OF) in 32-bit code, which `trace show` must disassemble as
 *     32-bit code (tests/e2e/t_x86_vm86.sh);
 *  7. the MOV SS / POP SS shadow: one instruction long, for interrupts,
 *     single-step traps and data breakpoints (§6.8.3), in protected and
 *     in real mode;
 *  8. virtual-8086 IRET with its frame past SS's limit: #SS(0);
 *  9. CR4.VME (§20.3: VIF, VIP, the interrupt redirection bitmap) and
 *     CR4.PVI at CPL 3 (§20.4); VIF and VIP both set at the start of an
 *     instruction (after a CPL-0 IRET or a task switch): #GP(0) there;
 * 10. real-mode IRET with its frame past SS's limit: #SS.
 * Reports on COM1, exits through isa-debug-exit (0 = every check passed). */
#include <stdbool.h>
#include "mb.h"

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint32_t t_iomap;
    uint8_t intmap[32];          /* the software interrupt redirection bitmap (CR4.VME) */
    uint8_t iomap[0x88 / 8 + 1]; /* ports 0-87h, then the closing FFh byte */
};
struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags, ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
};

enum {
    S_CODE = 0x08, S_DATA = 0x10, S_TSS = 0x18, S_TSS_V = 0x20, S_TSS_L = 0x28, S_CODEL = 0x30,
    S_TSS16 = 0x38, S_UCODE16 = 0x40, S_UDATA16 = 0x48, S_KCODE16 = 0x50, S_CGATE16 = 0x58,
    S_UDATA = 0x60, S_TSS_H = 0x68, S_RCODE16 = 0x70, S_RDATA16 = 0x78, S_UCODE32 = 0x80, S_TSS_G = 0x88,
    S_GDT_END = 0x90,
};
#define VM_CODE 0x50000u /* CS = 5000h */
#define VM_DATA 0x58000u /* DS = SS = 5800h: DS:0 the resume IP, results from DS:10h */
#define VM_SEG(a) ((a) >> 4)
#define STK16 0x7ff0u    /* ring-0 stack of the 16-bit TSS (a flat SS, SP < 64K) */
#define USTK16 0x6000u   /* the CPL-3 16-bit code's stack segment base */

static uint64_t gdt[S_GDT_END / 8] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static struct tss32 tss, tss_v, tss_l, tss_h, tss_g __attribute__((aligned(128)));
static struct tss16 tss16 __attribute__((aligned(64)));
static uint8_t stack0[4096] __attribute__((aligned(16))), stack_v[4096] __attribute__((aligned(16))),
    stack_l[4096] __attribute__((aligned(16))), stack_h[4096] __attribute__((aligned(16))),
    stack_g[4096] __attribute__((aligned(16)));

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}
static void set_gate(int v, uint32_t off, uint16_t sel, unsigned access)
{
    idt[v] = (off & 0xffff) | (uint64_t)sel << 16 | (uint64_t)access << 40 | (uint64_t)(off >> 16) << 48;
}
static uint16_t str_sel(void)
{
    uint16_t v;
    __asm__ volatile("str %0" : "=r"(v));
    return v;
}
static volatile uint16_t *vm16(uint32_t off) { return (volatile uint16_t *)(VM_DATA + off); }

/* ---- handlers ------------------------------------------------------------------ */

/* Stubs for vectors 0-31 and 30h/31h (a 0 for the error code where the
 * CPU pushes none): DS and ES as they were at entry, the GPRs, on_exc();
 * a nonzero result resumes the kernel where vm_iret/task_jmp left it. */
struct frame {
    uint32_t edi, esi, ebp, esp_, ebx, edx, ecx, eax, es_in, ds_in, vector, error, eip, cs, eflags;
    uint32_t esp, ss, v_es, v_ds, v_fs, v_gs; /* from virtual-8086 mode / an outer level */
};
__asm__(".text\n"
        ".macro stub v\n"
        "stub\\v:\n"
        ".if (\\v - 8) * (\\v - 10) * (\\v - 11) * (\\v - 12) * (\\v - 13) * (\\v - 14) * (\\v - 17)\n"
        "\tpushl $0\n"
        ".endif\n"
        "\tpushl $\\v\n\tjmp exc_common\n"
        ".endm\n"
        ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,48,49\n"
        "stub \\v\n"
        ".endr\n"
        "exc_common:\n\tpushl %ds\n\tpushl %es\n\tpushal\n"
        "\tmovl $0x10, %eax\n\tmov %ax, %ds\n\tmov %ax, %es\n"
        "\tpushl %esp\n\tcall on_exc\n\taddl $4, %esp\n"
        "\ttestl %eax, %eax\n\tjnz resume_kernel\n"
        "\tpopal\n\tpopl %es\n\tpopl %ds\n\taddl $8, %esp\n\tiret\n"
        /* vm_iret(frame): saves the kernel's context, IRETs with ESP = frame */
        ".globl vm_iret\nvm_iret:\n\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
        "\tmovl %esp, kern_esp\n\tmovl 20(%esp), %esp\n\tiret\n"
        /* task_jmp(sel): the same, then a far JMP to sel:0 */
        ".globl task_jmp\ntask_jmp:\n\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
        "\tmovl %esp, kern_esp\n\tmovl 20(%esp), %eax\n\tmovw %ax, tj_ptr+4\n\tljmp *tj_ptr\n"
        /* lds_far(p): the same, then LDS from the far pointer at p (C5 /r:
         * an instruction of 16/32-bit code only; a fault resumes the kernel) */
        ".globl lds_far\nlds_far:\n\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
        "\tmovl %esp, kern_esp\n\tmovl 20(%esp), %ecx\n\tldsl (%ecx), %eax\n"
        "\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n"
        "resume_kernel:\n\tmovl $0x10, %eax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %fs\n\tmov %ax, %gs\n"
        "\tmov %ax, %ss\n\tmovl kern_esp, %esp\n\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n"
        ".data\n.globl tj_ptr\ntj_ptr:\n.long 0\n.word 0\n"
        ".section .rodata\n.globl stub_table\nstub_table:\n"
        ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,48,49\n"
        ".long stub\\v\n"
        ".endr\n.text\n");
extern const uint32_t stub_table[34];
void vm_iret(const uint32_t *frame);
void task_jmp(uint32_t sel);
void lds_far(const void *p);
volatile uint32_t kern_esp;

/* ---- virtual-8086 code (copied to VM_CODE; IPs are offsets from vm_a) ----------- */

/* Before an instruction expected to be #GP, its successor's IP goes to DS:0
 * (the handler resumes there); FFFFh there ends the virtual-8086 run. */
#define VMRES(l) "\tmovw $(" #l "f - vm_a), 0\n"
__asm__(".text\n.code16\n.globl vm_a\nvm_a:\n"
        /* A: IOPL = 0 */
        "\tmovw $0x1234, 0x10\n"
        VMRES(1) "\tcli\n1:\n"
        VMRES(1) "\tsti\n1:\n"
        VMRES(1) "\tpushf\n1:\n"
        VMRES(1) "\tpopf\n1:\n"
        VMRES(1) "\tint $0x31\n1:\n"
        VMRES(1) "\tiret\n1:\n"
        "\tint3\n"
        "\tmovw $0x1111, 0x12\n"
        "\tmovb $0x55, %al\n\toutb %al, $0x80\n"  /* allowed by the bitmap */
        "\tmovw $0x2222, 0x14\n"
        VMRES(1) "\tinb $0x71, %al\n1:\n"          /* denied: #GP(0) */
        "\tmovw $0x3333, 0x16\n"
        "\tmovw $0xffff, 0\n\thlt\n"
        /* B: IOPL = 3 */
        ".globl vm_b\nvm_b:\n"
        "\tcli\n\tsti\n"
        "\tpushf\n\tpopw 0x20\n"
        "\tpushw $0x0200\n\tpopf\n"                 /* IOPL 0 in the image: IOPL stays 3 */
        "\tpushf\n\tpopw 0x22\n"
        "\tpushw $0\n\tpopf\n"
        "\tpushf\n\tpopw 0x24\n"
        "\tint $0x31\n"                             /* through the protected-mode IDT */
        "\tmovw $0x5678, 0x26\n"
        "\tpushf\n\tpushw %cs\n\tpushw $(2f - vm_a)\n\tiret\n"
        "\tmovw $0xdead, 0x28\n"
        "2:\tmovw $0x9abc, 0x2a\n"
        "\tmovb $0x55, %al\n\toutb %al, $0x80\n"
        VMRES(1) "\tinb $0x71, %al\n1:\n"          /* the bitmap denies it, IOPL 3 or not */
        "\tmovw $0x4444, 0x2c\n"
        "\tlesw 0x40, %bx\n\tmovw %es, 0x46\n\tmovw %bx, 0x48\n"   /* LES: an 8086 segment */
        "\tmovw $0xffff, 0\n\thlt\n"
        /* C: the virtual-8086 task */
        ".globl vm_c\nvm_c:\n"
        "\tmovw %sp, 0x30\n\tmovw %es, 0x32\n\tmovw $0x4321, 0x34\n"
        "\tint3\n"                                 /* through a task gate (DPL 3) and back by IRET */
        "\tmovw $0x8765, 0x36\n"
        "\tmovw $0xffff, 0\n\thlt\n"
        /* D: IOPL = 3, IRET whose frame passes SS's limit (FFFFh): #SS(0) */
        ".globl vm_d\nvm_d:\n"
        "\tmovw %sp, %si\n"
        "\tmovw $(8f - vm_a), 0xfffc\n\tmovw %cs, %ax\n\tmovw %ax, 0xfffe\n"
        "\tmovw $0xfffc, %sp\n"
        VMRES(1) "\tiret\n1:\n"                  /* 6 bytes at FFFCh: #SS(0) */
        "\tmovw %si, %sp\n"
        "\tmovl $(8f - vm_a), 0xfff8\n\tmovw %cs, %ax\n\tmovw %ax, 0xfffc\n\tmovw $0, 0xfffe\n"
        "\tmovw $0xfff8, %sp\n"
        VMRES(1) "\tiretl\n1:\n"                 /* 12 bytes at FFF8h: #SS(0) */
        "\tmovw %si, %sp\n"
        "\tmovw $(2f - vm_a), 0xfffa\n\tmovw %cs, %ax\n\tmovw %ax, 0xfffc\n\tmovw $0x0002, 0xfffe\n"
        "\tmovw $0xfffa, %sp\n\tiret\n"            /* 6 bytes at FFFAh: the last one FFFFh */
        "8:\tmovw $0xdead, 0x54\n"
        "2:\tmovw %sp, 0x52\n\tmovw %si, %sp\n"
        "\tmovw $0xffff, 0\n\thlt\n"
        /* E: IOPL = 0 with CR4.VME: CLI/STI/PUSHF/POPF on VIF, INT 40h
         * redirected to the 8086 handler (vm_e_isr), INT 41h not */
        ".globl vm_e\nvm_e:\n"
        "\tcli\n\tpushf\n\tpopw 0x60\n"
        "\tsti\n\tpushf\n\tpopw 0x62\n"
        "\tint $0x40\n"
        "\tpushf\n\tpopw 0x68\n"
        VMRES(1) "\tint $0x41\n1:\n"              /* bitmap bit 1: #GP(0) */
        "\tpushw $0x0100\n" VMRES(1) "\tpopf\n1:\n\tpopw %ax\n" /* TF in the image: #GP(0) */
        VMRES(1) "\tpushfl\n1:\n"                 /* 32-bit: #GP(0) */
        "\tmovw $0xffff, 0\n\thlt\n"
        ".globl vm_e_isr\nvm_e_isr:\n"
        "\tpushf\n\tpopw 0x64\n\tmovw %sp, 0x66\n\tiret\n"
        /* F: the same with VIP = 1: STI, POPF / IRET of IF = 1 are #GP(0) */
        ".globl vm_f\nvm_f:\n"
        "\tcli\n"
        VMRES(1) "\tsti\n1:\n"
        "\tpushw $0x0200\n" VMRES(1) "\tpopf\n1:\n\tpopw %ax\n"
        "\tpushw $0x0200\n\tpushw %cs\n\tpushw $(2f - vm_a)\n" VMRES(1) "\tiret\n1:\n\taddw $6, %sp\n"
        "2:\tpushw $0\n\tpopf\n\tpushf\n\tpopw 0x6a\n"
        "\tmovw $0xffff, 0\n\thlt\n"
        /* G: entered with VIF and VIP both set (CR4.VME, IOPL 0): #GP(0)
         * at its first instruction, which does not run */
        ".globl vm_g\nvm_g:\n"
        "\tmovw $0x1234, 0x70\n"
        "\thlt\n"
        ".globl vm_end\nvm_end:\n"
        /* the CPL-3 16-bit code (CS base = cpl3_16): a far CALL through
         * the 16-bit call gate, then INT 30h back to the kernel */
        ".globl cpl3_16\ncpl3_16:\n"
        "\tlcall $0x5b, $0\n"
        "\tint $0x30\n"
        /* the ring-0 16-bit code (CS base = ring0_16): SP and the four
         * words the gate pushed (flat DS of CPL 3), far RET to CPL 3 */
        ".globl ring0_16\nring0_16:\n"
        "\taddr32 movl %esp, cg_esp\n"
        "\tmovw %sp, %bx\n"
        "\tmovl %ss:(%bx), %eax\n\taddr32 movl %eax, cg_frame\n"
        "\tmovl %ss:4(%bx), %eax\n\taddr32 movl %eax, cg_frame+4\n"
        "\tmovw %ss, %ax\n\taddr32 movw %ax, cg_ss\n"
        /* an IPI to no APIC (fixed 45h to ID 7Fh: nobody takes it, ESR
         * "send accept" error) from this 16-bit code whose CS base is
         * ring0_16: its ipi.send pc is the linear address (t_x86_vm86.sh) */
        "\taddr32 movl $0x7f000000, 0xfee00310\n"
        "\tmovl $0xfee00300, %ebx\n"
        ".globl cg_ipi\ncg_ipi:\n\taddr32 movl $0x45, (%ebx)\n"
        "\taddr32 movl $0, 0xfee00310\n"
        "\tlret\n"
        ".code32\n");
extern const uint8_t vm_a[], vm_b[], vm_c[], vm_d[], vm_e[], vm_e_isr[], vm_f[], vm_g[], vm_end[], cpl3_16[],
    ring0_16[];
/* the #BP handler task of the virtual-8086 task: counts, IRET (NT) back */
__asm__(".text\n.globl task_h\ntask_h:\n\tincl h_count\n\tiret\n\tjmp task_h\n");
void task_h(void);
volatile uint32_t h_count;
volatile uint32_t cg_esp, cg_frame[2];
volatile uint16_t cg_ss;

/* ---- what the handler saw ------------------------------------------------------- */

struct rec {
    uint32_t vector, error, eip, cs, eflags, ds_in, es_in, esp, ss, v_es, v_ds, v_fs, v_gs, tr, frame_end;
};
static struct rec recs[32];
static volatile unsigned nrec;
volatile int kernel_resume; /* a fault in the kernel or a new task: resume the kernel */

int on_exc(struct frame *f)
{
    struct rec *r = &recs[nrec < 32 ? nrec : 31];
    nrec++;
    *r = (struct rec){ f->vector, f->error, f->eip, f->cs, f->eflags, f->ds_in, f->es_in, 0, 0, 0, 0, 0, 0,
                       str_sel(), 0 };
    bool vm = (f->eflags >> 17) & 1;
    if (vm) {
        r->esp = f->esp, r->ss = f->ss, r->v_es = f->v_es, r->v_ds = f->v_ds, r->v_fs = f->v_fs, r->v_gs = f->v_gs;
        r->frame_end = (uint32_t)&f->v_gs + 4;
        uint16_t res = *vm16(0);
        if (f->vector == 13 || f->vector == 12) {
            if (res == 0xffff)
                return 1;
            f->eip = res;
        }
        return 0;
    }
    if (f->vector == 4 || f->vector == 0x30 + 1) /* INTO (#OF), INT 31h from CPL 0: traps */
        return 0;
    if (f->vector == 1) { /* the #DB traps of test_ss_shadow: TF off, resume after */
        f->eflags &= ~0x100u;
        return 0;
    }
    if (f->vector == 0x30) { /* INT 30h from the CPL-3 16-bit code */
        r->esp = f->esp, r->ss = f->ss;
        r->frame_end = (uint32_t)&f->ss + 4;
        return 1;
    }
    if (kernel_resume)
        return 1;
    x86t_puts("unexpected exception ");
    x86t_puthex(f->vector);
    x86t_puts(" at ");
    x86t_puthex(f->eip);
    x86t_puts("\nFAIL\n");
    x86t_exit(1);
}

/* ---- setup ---------------------------------------------------------------------- */

static void setup(void)
{
    gdt[0] = 0;
    gdt[S_CODE / 8] = seg_desc(0, 0xfffff, 0x9b, 0xc);
    gdt[S_DATA / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
    tss.esp0 = (uint32_t)(stack0 + sizeof stack0);
    tss.ss0 = S_DATA;
    tss.t_iomap = (uint32_t)__builtin_offsetof(struct tss32, iomap) << 16;
    for (unsigned i = 0; i < sizeof tss.iomap; i++)
        tss.iomap[i] = 0xff; /* every port denied (and the closing byte) ... */
    tss.iomap[0x80 / 8] = 0xfe; /* ... but port 80h */
    gdt[S_TSS / 8] = seg_desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0);
    outb(0x21, 0xff); /* no external interrupts (PIT, COM1) */
    outb(0xa1, 0xff);
    for (int v = 0; v < 32; v++)
        set_gate(v, stub_table[v], S_CODE, 0x8e);
    set_gate(3, stub_table[3], S_CODE, 0xee);    /* INT3 from CPL 3 */
    set_gate(0x30, stub_table[32], S_CODE, 0xee);
    set_gate(0x31, stub_table[33], S_CODE, 0xef); /* a 32-bit trap gate, DPL 3 */
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } gd = { sizeof gdt - 1, (uint32_t)gdt },
                                                                    id = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1\n\tljmp $0x08, $1f\n1:\n\tmov $0x10, %%ax\n\tmov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\tmov %%ax, %%ss\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x18, %%ax\n\tltr %%ax" ::"m"(gd), "m"(id) : "eax", "memory");
    const uint8_t *src = vm_a;
    uint8_t *dst = (uint8_t *)VM_CODE;
    for (uint32_t i = 0; i < (uint32_t)(vm_end - vm_a); i++)
        dst[i] = src[i];
    for (uint32_t i = 0; i < 0x100; i++)
        ((volatile uint8_t *)VM_DATA)[i] = 0;
}

/* ---- 1. virtual-8086 mode through IRET ---------------------------------------------- */

static void run_vm86(uint32_t ip, uint32_t iopl)
{
    uint32_t frame[9] = { ip, VM_SEG(VM_CODE), 0x20002 | iopl, 0x1000, VM_SEG(VM_DATA),
                          0x5900, VM_SEG(VM_DATA), 0x5a00, 0x5b00 };
    *vm16(0) = 0;
    nrec = 0;
    vm_iret(frame);
}

static bool gp0_at(const struct rec *r, uint32_t ip)
{
    return r->vector == 13 && r->error == 0 && r->eip == ip && r->cs == VM_SEG(VM_CODE) && (r->eflags >> 17 & 1);
}

static void test_vm86_iopl0(void)
{
    /* the offsets of the faulting instructions in program A, from its bytes:
     * each is after a "movw $imm16, 0" (C7 06 00 00 lo hi) */
    uint32_t at[8], n = 0;
    const uint8_t *p = vm_a;
    for (uint32_t i = 0; i + 6 < (uint32_t)(vm_b - vm_a) && n < 8; i++)
        if (p[i] == 0xc7 && p[i + 1] == 0x06 && p[i + 2] == 0 && p[i + 3] == 0 && p[i + 5] != 0xff)
            at[n++] = i + 6;
    run_vm86(0, 0 << 12);
    CHECKX(*vm16(0x10) == 0x1234 && *(volatile uint16_t *)0x58010 == 0x1234,
           "VM86: DS:10h is linear DS * 16 + 10h", *vm16(0x10));
    CHECKX(nrec == 9, "VM86 IOPL 0: 6 IOPL-sensitive #GP, #BP, IN #GP, HLT #GP", nrec);
    static const char *const what[6] = { "CLI", "STI", "PUSHF", "POPF", "INT n", "IRET" };
    for (int k = 0; k < 6; k++) {
        x86t_puts("  VM86 IOPL 0: ");
        x86t_puts(what[k]);
        x86t_puts(" is #GP(0)\n");
        CHECKX(n == 7 && gp0_at(&recs[k], at[k]), "VM86 IOPL 0: an IOPL-sensitive instruction is #GP(0) at it",
               recs[k].eip);
    }
    const struct rec *bp = &recs[6];
    CHECKX(bp->vector == 3 && (bp->eflags >> 17 & 1) && bp->eip == at[5] + 2,
           "VM86: INT3 is not IOPL-sensitive: #BP through the IDT, EIP after it", bp->vector);
    CHECKX(*vm16(0x12) == 0x1111 && *vm16(0x14) == 0x2222,
           "VM86: OUT to a port the I/O bitmap allows runs with IOPL 0", *vm16(0x14));
    CHECKX(n == 7 && gp0_at(&recs[7], at[6]), "VM86: IN from a port the I/O bitmap denies is #GP(0)", recs[7].eip);
    CHECKX(*vm16(0x16) == 0x3333 && recs[8].vector == 13, "VM86: IRET from the #GP handler resumes VM86", recs[8].vector);
    /* the frame of an exception from VM86 (vol. 3A Figure 20-5) */
    const struct rec *r = &recs[0];
    CHECKX(r->v_es == 0x5900 && r->v_ds == VM_SEG(VM_DATA) && r->v_fs == 0x5a00 && r->v_gs == 0x5b00,
           "VM86 -> ring 0: ES, DS, FS, GS pushed", r->v_fs);
    CHECKX(r->ss == VM_SEG(VM_DATA) && r->esp == 0x1000, "VM86 -> ring 0: SS:ESP of the VM86 code pushed", r->esp);
    CHECKX(r->ds_in == 0 && r->es_in == 0, "VM86 -> ring 0: DS and ES are null in the handler", r->ds_in);
    CHECKX(r->frame_end == tss.esp0, "VM86 -> ring 0: the frame is on the TSS's ring-0 stack", r->frame_end);
    CHECKX((r->eflags & 0x3000) == 0 && (r->eflags & 0x20000), "VM86 -> ring 0: EFLAGS image with VM = 1", r->eflags);
}

static void test_vm86_iopl3(void)
{
    *vm16(0x40) = 0x1234; /* a far pointer 5A00:1234 for LES */
    *vm16(0x42) = 0x5a00;
    run_vm86((uint32_t)(vm_b - vm_a), 3 << 12);
    uint16_t f0 = *vm16(0x20), f1 = *vm16(0x22), f2 = *vm16(0x24);
    CHECKX((f0 & 0x3200) == 0x3200, "VM86 IOPL 3: CLI/STI run, PUSHF pushes IOPL 3 and IF", f0);
    CHECKX((f1 & 0x3200) == 0x3200, "VM86 IOPL 3: POPF keeps IOPL, sets IF", f1);
    CHECKX((f2 & 0x3200) == 0x3000, "VM86 IOPL 3: POPF clears IF", f2);
    CHECKX(nrec == 3, "VM86 IOPL 3: INT 31h, IN #GP, HLT #GP", nrec);
    const struct rec *r = &recs[0];
    CHECKX(r->vector == 0x31 && (r->eflags & 0x20000) && r->cs == VM_SEG(VM_CODE) && r->ds_in == 0 &&
               r->v_ds == VM_SEG(VM_DATA) && r->v_gs == 0x5b00 && r->frame_end == tss.esp0,
           "VM86 IOPL 3: INT n through the protected-mode IDT, the VM86 frame on the ring-0 stack", r->vector);
    CHECKX(*vm16(0x26) == 0x5678, "VM86 IOPL 3: IRET from the INT n handler back to VM86", *vm16(0x26));
    CHECKX(*vm16(0x2a) == 0x9abc && *vm16(0x28) == 0, "VM86 IOPL 3: IRET in VM86 as in real mode", *vm16(0x28));
    CHECKX(recs[1].vector == 13 && recs[1].error == 0 && *vm16(0x2c) == 0x4444,
           "VM86 IOPL 3: the I/O bitmap still denies IN", recs[1].vector);
    CHECKX(*vm16(0x46) == 0x5a00 && *vm16(0x48) == 0x1234, "VM86: LES loads ES and the register", *vm16(0x46));
}

/* RETURN-FROM-VIRTUAL-8086 IRET (vol. 2 "IRET"): #SS(0) when the top 6
 * (12) bytes of the stack are not within SS's limit */
static void test_vm86_iret_limit(void)
{
    *vm16(0x52) = 0x7777;
    *vm16(0x54) = 0;
    run_vm86((uint32_t)(vm_d - vm_a), 3 << 12);
    CHECKX(nrec == 3 && recs[0].vector == 12 && recs[0].error == 0 && (recs[0].eflags & 0x20000) &&
               recs[1].vector == 12 && recs[1].error == 0 && vm_a[recs[0].eip] == 0xcf &&
               vm_a[recs[1].eip] == 0x66 && vm_a[recs[1].eip + 1] == 0xcf,
           "VM86 IRET / IRETD with the frame past SS's limit (SP = FFFCh, FFF8h): #SS(0)", recs[0].vector);
    CHECKX(*vm16(0x54) == 0 && *vm16(0x52) == 0,
           "VM86 IRET with the frame's last byte at FFFFh returns (SP wraps to 0)", *vm16(0x52));
}

/* CR4.VME (SDM vol. 3A §20.3): VIF for CLI/STI/PUSHF/POPF/IRET with IOPL
 * < 3, INT n through the redirection bitmap (Table "Software Interrupt
 * Handling Methods": 6 redirected, 3 #GP) */
static void cr4_set(uint32_t set, uint32_t clear)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    v = (v | set) & ~clear;
    __asm__ volatile("mov %0, %%cr4" ::"r"(v));
}

static void test_vme(void)
{
    uint32_t r[4];
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(1), "c"(0));
    CHECKX(r[3] & 2, "CPUID.1:EDX.VME", r[3]);
    for (unsigned i = 0; i < 32; i++)
        tss.intmap[i] = 0xff;
    tss.intmap[0x40 / 8] = 0xfe; /* INT 40h redirected */
    uint32_t ivt = 0x40 * 4; /* the 8086 vector table at linear 0 (hidden from gcc's null checks) */
    __asm__("" : "+r"(ivt));
    *(volatile uint32_t *)ivt = VM_SEG(VM_CODE) << 16 | (uint32_t)(vm_e_isr - vm_a);
    cr4_set(1, 0);
    run_vm86((uint32_t)(vm_e - vm_a), 0);
    CHECKX((*vm16(0x60) & 0x3200) == 0x3000 && (*vm16(0x62) & 0x3200) == 0x3200,
           "VME, IOPL 0: CLI / STI change VIF, PUSHF shows it as IF with IOPL 3", *vm16(0x62));
    CHECKX((*vm16(0x64) & 0x3200) == 0x3000 && *vm16(0x66) == 0x1000 - 6,
           "VME: INT 40h (bitmap bit 0) through the 8086 vector table: FLAGS, CS, IP pushed, VIF cleared", *vm16(0x64));
    CHECKX((*vm16(0x68) & 0x3200) == 0x3200, "VME: the 8086 handler's IRET restores VIF from the image's IF",
           *vm16(0x68));
    CHECKX(nrec == 4 && recs[0].vector == 13 && recs[0].error == 0 && vm_a[recs[0].eip] == 0xcd &&
               (recs[0].eflags & 0x80200) == 0x80000,
           "VME: INT 41h (bitmap bit 1) with IOPL 0 is #GP(0); EFLAGS.IF untouched, VIF = 1", recs[0].eflags);
    CHECKX(recs[1].vector == 13 && vm_a[recs[1].eip] == 0x9d && recs[2].vector == 13 &&
               vm_a[recs[2].eip] == 0x66 && vm_a[recs[2].eip + 1] == 0x9c,
           "VME: POPF of TF = 1 and PUSHFD (32-bit) are #GP(0)", recs[1].eip);
    run_vm86((uint32_t)(vm_f - vm_a), 1u << 20); /* VIP = 1 */
    CHECKX(nrec == 4 && recs[0].vector == 13 && vm_a[recs[0].eip] == 0xfb && (recs[0].eflags & 0x180000) == 0x100000,
           "VME with VIP = 1: STI is #GP(0)", recs[0].eflags);
    CHECKX(recs[1].vector == 13 && vm_a[recs[1].eip] == 0x9d && recs[2].vector == 13 && vm_a[recs[2].eip] == 0xcf,
           "VME with VIP = 1: POPF and IRET of an image with IF = 1 are #GP(0)", recs[1].eip);
    CHECKX((*vm16(0x6a) & 0x3200) == 0x3000, "VME with VIP = 1: POPF of IF = 0 runs", *vm16(0x6a));
    /* a CPL-0 IRET into virtual-8086 mode with VIF = VIP = 1 (§20.3.2):
     * #GP(0) at the first instruction, before it runs (the handler
     * resumes the kernel: DS:0 = FFFFh); with VIF = 0 the code runs */
    uint32_t g_ip = (uint32_t)(vm_g - vm_a);
    for (int vif = 1; vif >= 0; vif--) {
        uint32_t frame[9] = { g_ip, VM_SEG(VM_CODE), 0x20002 | 1u << 20 | (uint32_t)vif << 19, 0x1000,
                              VM_SEG(VM_DATA), 0x5900, VM_SEG(VM_DATA), 0x5a00, 0x5b00 };
        *vm16(0) = 0xffff;
        *vm16(0x70) = 0;
        nrec = 0;
        vm_iret(frame);
        if (vif)
            CHECKX(nrec == 1 && gp0_at(&recs[0], g_ip) && (recs[0].eflags & 0x180000) == 0x180000 &&
                       *vm16(0x70) == 0,
                   "VME: IRET to VM86 with VIF = VIP = 1: #GP(0) at the first instruction, not run",
                   recs[0].eip);
        else
            CHECKX(nrec == 1 && gp0_at(&recs[0], g_ip + 6) && *vm16(0x70) == 0x1234,
                   "VME: IRET to VM86 with VIP = 1, VIF = 0: the code runs (to its HLT's #GP)", recs[0].eip);
    }
    cr4_set(0, 1);
}

/* CR4.PVI (§20.4): at CPL 3 with IOPL 0, CLI / STI change VIF, not IF */
__asm__(".text\n.globl pvi_user\npvi_user:\n\tcli\n\tpushfl\n\tpopl pvi_f0\n"
        ".globl pvi_sti\npvi_sti:\n\tsti\n\tpushfl\n\tpopl pvi_f1\n\tint $0x30\n");
extern const uint8_t pvi_user[], pvi_sti[];
volatile uint32_t pvi_f0, pvi_f1;
static uint8_t pvi_stack[1024] __attribute__((aligned(16)));

static void run_cpl3_32(uint32_t eflags)
{
    uint32_t frame[5] = { (uint32_t)pvi_user, S_UCODE32 | 3, eflags, (uint32_t)(pvi_stack + sizeof pvi_stack),
                          S_UDATA | 3 };
    nrec = 0;
    pvi_f0 = pvi_f1 = 0;
    kernel_resume = 1;
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"((uint32_t)(S_UDATA | 3)) : "memory");
    vm_iret(frame);
    kernel_resume = 0;
}

static void test_pvi(void)
{
    gdt[S_UCODE32 / 8] = seg_desc(0, 0xfffff, 0xfb, 0xc);
    gdt[S_UDATA / 8] = seg_desc(0, 0xfffff, 0xf3, 0xc);
    cr4_set(2, 0);
    run_cpl3_32(0x202);
    CHECKX(nrec == 1 && recs[0].vector == 0x30 && (pvi_f0 & 0x80200) == 0x200 && (pvi_f1 & 0x80200) == 0x80200,
           "PVI, CPL 3, IOPL 0: CLI clears VIF, STI sets it, IF stays 1", pvi_f0);
    run_cpl3_32(0x202 | 1u << 20);
    CHECKX(nrec == 1 && recs[0].vector == 13 && recs[0].error == 0 && recs[0].eip == (uint32_t)pvi_sti &&
               (recs[0].eflags & 0x100000),
           "PVI with VIP = 1: STI is #GP(0)", recs[0].eip);
    run_cpl3_32(0x202 | 3u << 19); /* VIF = VIP = 1 (§20.4, as §20.3.2) */
    CHECKX(nrec == 1 && recs[0].vector == 13 && recs[0].error == 0 && recs[0].eip == (uint32_t)pvi_user &&
               (recs[0].eflags & 0x180000) == 0x180000 && pvi_f0 == 0,
           "PVI: IRET to CPL 3 with VIF = VIP = 1: #GP(0) at the first instruction, not run", recs[0].eip);
    cr4_set(0, 2);
    run_cpl3_32(0x202);
    CHECKX(nrec == 1 && recs[0].vector == 13 && recs[0].eip == (uint32_t)pvi_user,
           "without PVI: CLI at CPL 3, IOPL 0 is #GP(0)", recs[0].eip);
}

/* ---- 2. a virtual-8086 task ---------------------------------------------------------- */

static void test_vm86_task(void)
{
    tss_v = tss;
    tss_v.esp0 = (uint32_t)(stack_v + sizeof stack_v);
    tss_v.eip = (uint32_t)(vm_c - vm_a);
    tss_v.eflags = 0x20002;
    tss_v.cs = VM_SEG(VM_CODE);
    tss_v.ss = tss_v.ds = VM_SEG(VM_DATA);
    tss_v.es = 0x5900;
    tss_v.fs = tss_v.gs = 0;
    tss_v.esp = 0x800;
    gdt[S_TSS_V / 8] = seg_desc((uint32_t)&tss_v, sizeof tss_v - 1, 0x89, 0);
    tss_h = tss;
    tss_h.eip = (uint32_t)task_h;
    tss_h.eflags = 2;
    tss_h.cs = S_CODE;
    tss_h.ss = tss_h.ds = tss_h.es = tss_h.fs = tss_h.gs = S_DATA;
    tss_h.esp = (uint32_t)(stack_h + sizeof stack_h);
    gdt[S_TSS_H / 8] = seg_desc((uint32_t)&tss_h, sizeof tss_h - 1, 0x89, 0);
    uint64_t bp_gate = idt[3];
    idt[3] = (uint64_t)S_TSS_H << 16 | (uint64_t)0xe5 << 40; /* a task gate, DPL 3 */
    *vm16(0) = 0;
    nrec = 0;
    h_count = 0;
    task_jmp(S_TSS_V);
    idt[3] = bp_gate;
    __asm__ volatile("clts");
    CHECKX(h_count == 1 && tss_h.link == S_TSS_V && *vm16(0x36) == 0x8765,
           "VM86 task: INT3 through a task gate runs the handler task, IRET (NT) back into VM86", h_count);
    CHECKX((tss_v.eflags & 0x20000) && tss_v.cs == VM_SEG(VM_CODE) && tss_v.es == 0x5900 &&
               tss_v.ds == VM_SEG(VM_DATA) && tss_v.eip == (uint32_t)(vm_c - vm_a) + 4 + 4 + 6 + 1, /* after the INT3 */
           "VM86 task: its state saved in its TSS at the switch (EFLAGS.VM, CS, DS, ES, EIP)", tss_v.eip);
    CHECKX(*vm16(0x34) == 0x4321 && *vm16(0x30) == 0x800 && *vm16(0x32) == 0x5900,
           "JMP to a TSS with EFLAGS.VM = 1: the task runs in VM86 with its SP and ES", *vm16(0x34));
    CHECKX(nrec == 1 && recs[0].vector == 13 && (recs[0].eflags & 0x20000) && recs[0].tr == S_TSS_V &&
               recs[0].frame_end == tss_v.esp0,
           "VM86 task: HLT is #GP(0) to ring 0 on the task's ESP0, TR = its TSS", recs[0].frame_end);
}

/* A task switch into a virtual-8086 task whose EFLAGS image has VIF = VIP
 * = 1, CR4.VME and IOPL 0 (§20.3.2): #GP(0) in the new task at its first
 * instruction, which does not run. */
static void test_vm86_task_vip(void)
{
    tss_g = tss;
    tss_g.esp0 = (uint32_t)(stack_g + sizeof stack_g);
    tss_g.eip = (uint32_t)(vm_g - vm_a);
    tss_g.eflags = 0x20002 | 3u << 19;
    tss_g.cs = VM_SEG(VM_CODE);
    tss_g.ss = tss_g.ds = tss_g.es = VM_SEG(VM_DATA);
    tss_g.fs = tss_g.gs = 0;
    tss_g.esp = 0x800;
    gdt[S_TSS_G / 8] = seg_desc((uint32_t)&tss_g, sizeof tss_g - 1, 0x89, 0);
    cr4_set(1, 0);
    *vm16(0) = 0xffff;
    *vm16(0x70) = 0;
    nrec = 0;
    task_jmp(S_TSS_G);
    __asm__ volatile("clts");
    cr4_set(0, 1);
    CHECKX(nrec == 1 && gp0_at(&recs[0], (uint32_t)(vm_g - vm_a)) && recs[0].tr == S_TSS_G &&
               (recs[0].eflags & 0x180000) == 0x180000 && recs[0].frame_end == tss_g.esp0 && *vm16(0x70) == 0,
           "VME: a task switch into VM86 with VIF = VIP = 1: #GP(0) at the task's first instruction", recs[0].eip);
}

/* ---- 3. the new EIP beyond the new CS limit ------------------------------------------- */

static void test_task_eip_limit(void)
{
    gdt[S_CODEL / 8] = seg_desc(0, 0xff, 0x9b, 0x4); /* 32-bit code, limit FFh */
    tss_l = tss;
    tss_l.eip = 0x200;
    tss_l.eflags = 2;
    tss_l.cs = S_CODEL;
    tss_l.ss = tss_l.ds = tss_l.es = tss_l.fs = tss_l.gs = S_DATA;
    tss_l.esp = (uint32_t)(stack_l + sizeof stack_l);
    tss_l.t_iomap |= 1; /* T: the #GP(0) of the switch comes first (the fetch's #GP would come after the #DB) */
    gdt[S_TSS_L / 8] = seg_desc((uint32_t)&tss_l, sizeof tss_l - 1, 0x89, 0);
    nrec = 0;
    kernel_resume = 1;
    task_jmp(S_TSS_L);
    kernel_resume = 0;
    CHECKX(nrec == 1 && recs[0].vector == 13 && recs[0].error == 0 && recs[0].eip == 0x200 &&
               recs[0].cs == S_CODEL && recs[0].tr == S_TSS_L,
           "task switch: EIP beyond the new CS limit is #GP(0) in the new task, before the T flag's #DB", recs[0].vector);
}

/* ---- 4. a 16-bit call gate through a 16-bit TSS ------------------------------------------ */

static void test_call_gate_tss16(void)
{
    gdt[S_TSS16 / 8] = seg_desc((uint32_t)&tss16, sizeof tss16 - 1, 0x81, 0);
    tss16.sp0 = STK16;
    tss16.ss0 = S_DATA;
    gdt[S_UCODE16 / 8] = seg_desc((uint32_t)cpl3_16, 0xffff, 0xfb, 0);
    gdt[S_UDATA16 / 8] = seg_desc(USTK16, 0xffff, 0xf3, 0);
    gdt[S_KCODE16 / 8] = seg_desc((uint32_t)ring0_16, 0xffff, 0x9b, 0);
    /* a 286 call gate (type 4), DPL 3, to S_KCODE16:0 */
    gdt[S_CGATE16 / 8] = (uint64_t)S_KCODE16 << 16 | (uint64_t)0xe4 << 40;
    uint16_t ltr = S_TSS16;
    __asm__ volatile("ltr %0" ::"r"(ltr));
    /* CPL 3 through IRET: 16-bit code, SS:SP = S_UDATA16:0FF0h; flat DS
     * (the ring-0 code writes through it with 32-bit offsets) */
    uint32_t frame[5] = { 0, S_UCODE16 | 3, 2, 0xff0, S_UDATA16 | 3 };
    gdt[S_UDATA / 8] = seg_desc(0, 0xfffff, 0xf3, 0xc); /* flat data, DPL 3: DS stays loaded at CPL 3 */
    nrec = 0;
    cg_esp = 0;
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"((uint32_t)(S_UDATA | 3)) : "memory");
    vm_iret(frame); /* resume_kernel reloads DS = ES = S_DATA */
    CHECKX(cg_esp == STK16 - 8, "16-bit call gate: ring-0 SP from the 16-bit TSS's SP0, 4 words pushed", cg_esp);
    CHECKX(cg_ss == S_DATA, "16-bit call gate: SS from the 16-bit TSS's SS0", cg_ss);
    uint32_t ip = cg_frame[0] & 0xffff, cs = cg_frame[0] >> 16, sp = cg_frame[1] & 0xffff, ss = cg_frame[1] >> 16;
    CHECKX(ip == 5 && cs == (S_UCODE16 | 3) && sp == 0xff0 && ss == (S_UDATA16 | 3),
           "16-bit call gate: IP, CS, SP, SS pushed as words", cg_frame[0]);
    CHECKX(nrec == 1 && recs[0].vector == 0x30 && recs[0].eip == 7 && recs[0].esp == 0xff0 &&
               recs[0].frame_end == STK16,
           "far RET to CPL 3 restored SP; INT 30h from there took the 16-bit TSS's SP0 again", recs[0].esp);
}

/* ---- 5. #NP while delivering #GP -> #DF; 6. INTO ---------------------------------------- */

static void test_double_fault(void)
{
    uint16_t ltr = S_TSS;
    gdt[S_TSS / 8] = seg_desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0); /* available again */
    __asm__ volatile("ltr %0" ::"r"(ltr));
    idt[13] &= ~(1ull << 47);
    nrec = 0;
    kernel_resume = 1;
    static const uint16_t far[3] = { 0, 0, 0xfff8 }; /* a selector beyond the GDT limit: #GP(FFF8h) */
    lds_far(far);
    kernel_resume = 0;
    idt[13] |= 1ull << 47;
    CHECKX(nrec == 1 && recs[0].vector == 8 && recs[0].error == 0,
           "#GP whose gate is not present: #NP during delivery -> #DF(0)", recs[0].vector);

    /* LDS..LGS in 32-bit code: the offset, then the selector; LSS too */
    static const struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp = { 0x12345678, S_DATA };
    uint32_t rfs = 0, rgs = 0, res = 0, rss = 0, sfs, sgs, ses, sss;
    __asm__ volatile("mov %%ss, %%edi\n\tmov %%esp, %%esi\n\t"
                     "lfsl %4, %0\n\tlgsl %4, %1\n\tlesl %4, %2\n\tlssl %4, %3\n\t"
                     "mov %%edi, %%ss\n\tmov %%esi, %%esp"
                     : "=&r"(rfs), "=&r"(rgs), "=&r"(res), "=&r"(rss) : "m"(fp) : "edi", "esi", "memory");
    __asm__ volatile("mov %%fs, %0\n\tmov %%gs, %1\n\tmov %%es, %2\n\tmov %%ss, %3"
                     : "=r"(sfs), "=r"(sgs), "=r"(ses), "=r"(sss));
    CHECKX(rfs == 0x12345678 && rgs == 0x12345678 && res == 0x12345678 && rss == 0x12345678 &&
               (sfs & 0xffff) == S_DATA && (sgs & 0xffff) == S_DATA && (ses & 0xffff) == S_DATA &&
               (sss & 0xffff) == S_DATA,
           "LFS, LGS, LES, LSS: the offset into the register, the selector into the segment", rfs);

    nrec = 0;
    __asm__ volatile("movl $0x7fffffff, %%eax\n\taddl $1, %%eax\n\tinto" ::: "eax", "cc");
    CHECKX(nrec == 1 && recs[0].vector == 4, "INTO with OF = 1: #OF (a trap)", recs[0].vector);
}

/* ---- 7. the MOV SS / POP SS shadow (SDM vol. 3A §6.8.3) ------------------------------ */

/* the self-IPI's handler (vector 44h): the interrupted EIP, EOI */
__asm__(".text\n.globl ipi_handler\nipi_handler:\n\tpushl %eax\n\tmovl 4(%esp), %eax\n"
        "\tmovl %eax, ipi_eip\n\tincl ipi_count\n\tmovl $0, 0xfee000b0\n\tpopl %eax\n\tiret\n");
void ipi_handler(void);
volatile uint32_t ipi_eip, ipi_count, ss_var;
extern const uint8_t ssh_m1[], ssh_m2[], ssh_m3[], ssh_m4[], ssh_m5[];

static uint32_t dr6_read(void)
{
    uint32_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static void test_ss_shadow(void)
{
    *(volatile uint32_t *)0xfee000f0 = 0x1ff; /* LAPIC software-enabled (SVR) */
    set_gate(0x44, (uint32_t)ipi_handler, S_CODE, 0x8e);
    /* An interrupt that arrives long after a MOV SS: taken at the boundary
     * after the instruction that raised it (the self-IPI's ICR store), not
     * one later: the shadow covered only the NOP after the MOV SS. */
    ipi_count = ipi_eip = 0;
    __asm__ volatile("sti\n\tnop\n\tmov %%ss, %%eax\n\tmov %%eax, %%ss\n\tnop\n\tnop\n\tnop\n"
                     "\tmovl $0x40044, 0xfee00300\n" /* fixed, self, vector 44h */
                     ".globl ssh_m1\nssh_m1:\n\tnop\n\tnop\n\tcli\n" ::: "eax", "memory");
    CHECKX(ipi_count == 1 && ipi_eip == (uint32_t)ssh_m1,
           "MOV SS shadow: ends after one instruction (a later interrupt is not delayed)", ipi_eip);
    /* raised by the one instruction in the shadow: taken right after it */
    ipi_count = ipi_eip = 0;
    __asm__ volatile("sti\n\tnop\n\tmov %%ss, %%eax\n\tmov %%eax, %%ss\n\tmovl $0x40044, 0xfee00300\n"
                     ".globl ssh_m2\nssh_m2:\n\tnop\n\tcli\n" ::: "eax", "memory");
    CHECKX(ipi_count == 1 && ipi_eip == (uint32_t)ssh_m2,
           "MOV SS shadow: an interrupt raised by the next instruction is taken after it", ipi_eip);
    /* single-step: no #DB after MOV SS / POP SS, one after the next instruction */
    nrec = 0;
    __asm__ volatile("mov %%ss, %%eax\n\tpushf\n\torl $0x100, (%%esp)\n\tpopf\n\tmov %%eax, %%ss\n\tnop\n"
                     ".globl ssh_m3\nssh_m3:\n\tnop\n" ::: "eax", "memory");
    CHECKX(nrec == 1 && recs[0].vector == 1 && recs[0].eip == (uint32_t)ssh_m3 && (dr6_read() & 0x4000),
           "TF: the single-step #DB of MOV SS comes after the next instruction (DR6.BS)", recs[0].eip);
    nrec = 0;
    __asm__ volatile("push %%ss\n\tpushf\n\torl $0x100, (%%esp)\n\tpopf\n\tpop %%ss\n\tnop\n"
                     ".globl ssh_m4\nssh_m4:\n\tnop\n" ::: "memory");
    CHECKX(nrec == 1 && recs[0].vector == 1 && recs[0].eip == (uint32_t)ssh_m4,
           "TF: the single-step #DB of POP SS comes after the next instruction", recs[0].eip);
    /* a data breakpoint on MOV SS's operand: its #DB after the next instruction */
    ss_var = S_DATA;
    nrec = 0;
    __asm__ volatile("xor %%eax, %%eax\n\tmov %%eax, %%dr6\n\tmov %0, %%dr0\n\tmov %1, %%dr7\n"
                     "\tmov ss_var, %%ss\n\tnop\n.globl ssh_m5\nssh_m5:\n\tnop\n\tmov %%eax, %%dr7\n"
                     ::"r"((uint32_t)&ss_var), "r"(0xf0001u) : "eax", "memory");
    CHECKX(nrec == 1 && recs[0].vector == 1 && recs[0].eip == (uint32_t)ssh_m5 && (dr6_read() & 1),
           "DR0 read/write breakpoint on MOV SS's operand: #DB (DR6.B0) after the next instruction", recs[0].eip);
}

/* In real mode a MOV SS changes nothing the interrupt checks look at (in
 * protected mode its descriptor load does): the shadow must still end
 * after one instruction. rm_a is copied to RM_BASE and entered through a
 * 16-bit protected-mode segment, CR0.PE cleared; from there it goes on in
 * the image itself at FFFF:(address - FFFF0h) (CS base FFFF0h: the
 * trace's pc is the linear address, t_x86_vm86.sh finds rm_m1 there);
 * the x2APIC's SELF_IPI MSR raises vector 44h (its real-mode handler in
 * the image, the IVT and data in the copy: DS = 7000h); back to the
 * kernel through resume_kernel. */
#define RM_BASE 0x70000u
__asm__(".text\n.code16\n.globl rm_a\nrm_a:\n"
        "\tmovw $0x78, %ax\n\tmovw %ax, %ds\n\tmovw %ax, %ss\n"
        "\tmovl %cr0, %eax\n\tandl $~1, %eax\n\tmovl %eax, %cr0\n"
        "\tljmp $0x7000, $(1f - rm_a)\n"
        "1:\tmovw $0x7000, %ax\n\tmovw %ax, %ds\n\tmovw %ax, %ss\n\tmovw $0xf000, %sp\n"
        "\tlidt (rm_idtr - rm_a)\n"
        "\tljmp *(rm_fp - rm_a)\n"                /* on from the image: FFFF:IP (A20 on) */
        ".globl rm_cont\nrm_cont:\n\tsti\n\tnop\n\tmovw %ss, %ax\n\tmovw %ax, %ss\n\tnop\n\tnop\n\tnop\n"
        "\tmovl $0x83f, %ecx\n\tmovl $0x44, %eax\n\txorl %edx, %edx\n.globl rm_wrmsr\nrm_wrmsr:\n\twrmsr\n"
        ".globl rm_m1\nrm_m1:\n\tnop\n\tnop\n\tcli\n"
        /* real-mode IRET with its frame past SS's limit (SP = FFFCh): #SS
         * (its handler rm_ss_isr comes back to rm_ss_back); with SP = FFFAh
         * (the last byte FFFFh) a return, SP wrapping to 0 */
        "\tmovw $0xfffc, %sp\n"
        ".globl rm_iret_ss\nrm_iret_ss:\n\tiret\n"
        ".globl rm_ss_back\nrm_ss_back:\n"
        "\tmovw $0x0002, %ss:0xfffe\n\tmovw $0xffff, %ss:0xfffc\n"
        "\tmovw (rm_ret_ip - rm_a), %ax\n\tmovw %ax, %ss:0xfffa\n"
        "\tmovw $0xfffa, %sp\n\tiret\n"
        "\tmovw $0xdead, (rm_ss_cnt - rm_a)\n"
        ".globl rm_ret\nrm_ret:\n\tmovw %sp, (rm_iret_sp - rm_a)\n\tmovw $0xf000, %sp\n"
        "\tmovl %cr0, %eax\n\torl $1, %eax\n\tmovl %eax, %cr0\n"
        "\tljmpl $0x08, $resume_kernel\n"
        ".globl rm_isr\nrm_isr:\n\tpushw %bp\n\tmovw %sp, %bp\n\tpushl %eax\n\tpushl %ecx\n\tpushl %edx\n"
        "\tmovw 2(%bp), %ax\n\tmovw %ax, (rm_ip - rm_a)\n\tincw (rm_cnt - rm_a)\n"
        "\tmovl $0x80b, %ecx\n\txorl %eax, %eax\n\txorl %edx, %edx\n\twrmsr\n" /* EOI */
        "\tpopl %edx\n\tpopl %ecx\n\tpopl %eax\n\tpopw %bp\n\tiret\n"
        ".globl rm_ss_isr\nrm_ss_isr:\n\tmovw %sp, %bp\n\tmovw (%bp), %ax\n\tmovw %ax, (rm_ss_ip - rm_a)\n"
        "\tincw (rm_ss_cnt - rm_a)\n\tljmp *(rm_ss_fp - rm_a)\n"
        ".globl rm_idtr\nrm_idtr:\n\t.word 0x3ff\n\t.long 0x70000 + rm_ivt - rm_a\n"
        ".globl rm_fp\nrm_fp:\n\t.word 0, 0\n"
        ".globl rm_ip\nrm_ip:\n\t.word 0\n.globl rm_cnt\nrm_cnt:\n\t.word 0\n"
        "\t.globl rm_ss_ip\nrm_ss_ip:\n\t.word 0\n.globl rm_ss_cnt\nrm_ss_cnt:\n\t.word 0\n"
        ".globl rm_iret_sp\nrm_iret_sp:\n\t.word 0x7777\n"
        ".globl rm_ret_ip\nrm_ret_ip:\n\t.word 0\n.globl rm_ss_fp\nrm_ss_fp:\n\t.word 0, 0\n"
        "\t.balign 4\n.globl rm_ivt\nrm_ivt:\n\t.fill 256, 4, 0\n"
        ".globl rm_end\nrm_end:\n.code32\n");
extern const uint8_t rm_a[], rm_m1[], rm_isr[], rm_ip[], rm_cnt[], rm_ivt[], rm_end[], rm_fp[], rm_cont[],
    rm_ss_isr[], rm_ss_ip[], rm_ss_cnt[], rm_iret_sp[], rm_iret_ss[], rm_ret_ip[], rm_ss_fp[], rm_ret[],
    rm_ss_back[];
/* rm_call(): as task_jmp, to S_RCODE16:0 (rm_a) */
__asm__(".text\n.globl rm_call\nrm_call:\n\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
        "\tmovl %esp, kern_esp\n\tljmp $0x70, $0\n");
void rm_call(void);

static void test_ss_shadow_real(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
    __asm__ volatile("wrmsr" ::"a"(lo | 0xc00), "d"(hi), "c"(0x1b)); /* x2APIC */
    __asm__ volatile("wrmsr" ::"a"(0x1ff), "d"(0), "c"(0x80f));      /* SVR: enabled */
    uint8_t *dst = (uint8_t *)RM_BASE;
    for (uint32_t i = 0; i < (uint32_t)(rm_end - rm_a); i++)
        dst[i] = rm_a[i];
    volatile uint32_t *ivt = (volatile uint32_t *)(RM_BASE + (uint32_t)(rm_ivt - rm_a));
    ivt[0x44] = 0xffffu << 16 | ((uint32_t)rm_isr - 0xffff0u);
    ivt[12] = 0xffffu << 16 | ((uint32_t)rm_ss_isr - 0xffff0u);
    *(volatile uint32_t *)(RM_BASE + (uint32_t)(rm_ss_fp - rm_a)) = 0xffffu << 16 | ((uint32_t)rm_ss_back - 0xffff0u);
    *(volatile uint16_t *)(RM_BASE + (uint32_t)(rm_ret_ip - rm_a)) = (uint16_t)((uint32_t)rm_ret - 0xffff0u);
    *(volatile uint32_t *)(RM_BASE + (uint32_t)(rm_fp - rm_a)) = 0xffffu << 16 | ((uint32_t)rm_cont - 0xffff0u);
    gdt[S_RCODE16 / 8] = seg_desc(RM_BASE, 0xffff, 0x9b, 0);
    gdt[S_RDATA16 / 8] = seg_desc(RM_BASE, 0xffff, 0x93, 0);
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } id;
    __asm__ volatile("sidt %0" : "=m"(id));
    rm_call();
    __asm__ volatile("lidt %0" ::"m"(id));
    uint16_t ip = *(volatile uint16_t *)(RM_BASE + (uint32_t)(rm_ip - rm_a));
    uint16_t cnt = *(volatile uint16_t *)(RM_BASE + (uint32_t)(rm_cnt - rm_a));
    CHECKX(cnt == 1 && ip == (uint32_t)rm_m1 - 0xffff0u,
           "real mode: the MOV SS shadow ends after one instruction (a later interrupt is not delayed)", ip);
    uint16_t ss_ip = *(volatile uint16_t *)(RM_BASE + (uint32_t)(rm_ss_ip - rm_a));
    uint16_t ss_cnt = *(volatile uint16_t *)(RM_BASE + (uint32_t)(rm_ss_cnt - rm_a));
    uint16_t iret_sp = *(volatile uint16_t *)(RM_BASE + (uint32_t)(rm_iret_sp - rm_a));
    CHECKX(ss_cnt == 1 && ss_ip == (uint32_t)rm_iret_ss - 0xffff0u,
           "real-mode IRET with its frame past SS's limit (SP = FFFCh): #SS at the IRET", ss_ip);
    CHECKX(iret_sp == 0, "real-mode IRET with the frame's last byte at FFFFh returns (SP wraps to 0)", iret_sp);
}

int kmain32(uint32_t magic, const void *mbi)
{
    (void)mbi;
    x86t_puts("vm86: virtual-8086 mode and task-switch kernel\n");
    CHECK(magic == 0x2BADB002, "multiboot 1 magic");
    setup();
    test_vm86_iopl0();
    test_vm86_iopl3();
    test_vm86_iret_limit();
    test_vme();
    test_pvi();
    test_vm86_task();
    test_vm86_task_vip();
    test_task_eip_limit();
    test_call_gate_tss16();
    test_double_fault();
    test_ss_shadow();
    test_ss_shadow_real();
    return x86t_report("vm86");
}
