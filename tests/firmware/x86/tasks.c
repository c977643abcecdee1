/* The task-switch / debug kernel (Multiboot 1, 32-bit protected mode, no
 * paging; docs/x86.md "Test kernels"): task gates in the IDT (INT n, an
 * exception with an error code, #DF on its own TSS), #TS / #NP / #SS with
 * the SDM's error codes for a new task's bad selectors (Intel SDM vol. 3A
 * §7.3 Table 7-1, "Interrupt 10" Table 6-6) raised in the new task's
 * context, a 16-bit TSS, the TSS T flag (#DB, DR6.BT), I/O breakpoints
 * (DR7 R/W = 10b, CR4.DE) and single-step. Reports on COM1, exits through
 * isa-debug-exit (0 = every check passed). */
#include "mb.h"

/* ---- descriptors ------------------------------------------------------------ */

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint32_t t_iomap; /* bit 0: T (debug trap); 31:16: I/O map base */
};
struct tss16 { /* SDM vol. 3A §7.6 "16-Bit Task-State Segment" */
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags, ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
};
_Static_assert(sizeof(struct tss32) == 0x68, "32-bit TSS");
_Static_assert(sizeof(struct tss16) == 0x2c, "16-bit TSS");

enum {
    S_CODE = 0x08, S_DATA = 0x10,
    S_TSS_A = 0x18,   /* the main task */
    S_TSS_G = 0x20,   /* INT 40h through a task gate */
    S_TSS_E = 0x28,   /* #GP (13) */
    S_TSS_D = 0x30,   /* #DF (8) */
    S_TSS_TS = 0x38,  /* #TS (10) */
    S_TSS_NP = 0x40,  /* #NP (11) */
    S_TSS_SS = 0x48,  /* #SS (12) */
    S_TSS_BAD = 0x50, /* the task whose selectors are made bad */
    S_TSS_T = 0x58,   /* T = 1 */
    S_TSS16 = 0x60,   /* a 16-bit TSS */
    S_CODE16 = 0x68, S_DATA16 = 0x70,
    S_NPDATA = 0x78,  /* data, P = 0 */
    S_XOCODE = 0x80,  /* execute-only code */
    S_LDT = 0x88,     /* an LDT: entry 0 flat data */
    S_TSS_IRQ = 0x90, /* the timer interrupt (vector 20h) */
    S_TSS_E2 = 0x98,  /* #GP with no room for its error code */
    S_GDT_END = 0xa0,
    S_BEYOND = 0x1f8, /* beyond the GDT limit */
};
enum { T_A, T_G, T_E, T_D, T_TS, T_NP, T_SS, T_BAD, T_T, T_IRQ, T_E2, NTSS };

static uint64_t gdt[S_GDT_END / 8] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static uint64_t ldt[1] __attribute__((aligned(8)));
struct tss32 tss[NTSS] __attribute__((aligned(128)));
struct tss16 tss16 __attribute__((aligned(64)));
static uint8_t stacks[NTSS][2048] __attribute__((aligned(16)));
uint8_t data16[0x200] __attribute__((aligned(16)));

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}
static uint32_t tss_type(uint16_t sel) { return (uint32_t)(gdt[sel / 8] >> 40) & 0xf; }
static void set_gate(int v, uint32_t off, uint16_t sel, unsigned access)
{
    idt[v] = (off & 0xffff) | (uint64_t)sel << 16 | (uint64_t)access << 40 | (uint64_t)(off >> 16) << 48;
}
static void task_gate(int v, uint16_t tss_sel) { set_gate(v, 0, tss_sel, 0x85); }
static uint16_t str_sel(void)
{
    uint16_t v;
    __asm__ volatile("str %0" : "=r"(v));
    return v;
}
static uint32_t rd_dr6(void) { uint32_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static void wr_dr6(uint32_t v) { __asm__ volatile("mov %0, %%dr6" ::"r"(v)); }
static void wr_dr7(uint32_t v) { __asm__ volatile("mov %0, %%dr7" ::"r"(v)); }
static void wr_dr0(uint32_t v) { __asm__ volatile("mov %0, %%dr0" ::"r"(v)); }
static void wr_dr1(uint32_t v) { __asm__ volatile("mov %0, %%dr1" ::"r"(v)); }
static uint32_t rd_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void wr_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v)); }

/* ---- handlers ----------------------------------------------------------------- */

/* Interrupt-gate stubs for vectors 0-31 (a 0 for the error code where the
 * CPU pushes none), then exc_common: the GPRs, on_exc(frame), iret. */
struct frame {
    uint32_t edi, esi, ebp, esp_, ebx, edx, ecx, eax, vector, error, eip, cs, eflags;
};
__asm__(".text\n"
        ".macro stub v\n"
        "stub\\v:\n"
        ".if (\\v - 8) * (\\v - 10) * (\\v - 11) * (\\v - 12) * (\\v - 13) * (\\v - 14) * (\\v - 17)\n"
        "\tpushl $0\n"
        ".endif\n"
        "\tpushl $\\v\n\tjmp exc_common\n"
        ".endm\n"
        ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "stub \\v\n"
        ".endr\n"
        /* the pushal layout, pushed one by one (PUSHA/POPA are not modelled) */
        "exc_common:\n\tpushl %eax\n\tpushl %ecx\n\tpushl %edx\n\tpushl %ebx\n\tpushl %esp\n\tpushl %ebp\n"
        "\tpushl %esi\n\tpushl %edi\n\tpushl %esp\n\tcall on_exc\n\taddl $4, %esp\n"
        "\tpopl %edi\n\tpopl %esi\n\tpopl %ebp\n\taddl $4, %esp\n\tpopl %ebx\n\tpopl %edx\n\tpopl %ecx\n\tpopl %eax\n"
        "\taddl $8, %esp\n\tiret\n"
        ".section .rodata\n.globl stub_table\nstub_table:\n"
        ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        ".long stub\\v\n"
        ".endr\n.text\n");
extern const uint32_t stub_table[32];

volatile uint32_t exc_count, exc_vector, exc_error, exc_eip, exc_dr6, exc_tr;
volatile uint32_t fault_resume; /* nonzero: the interrupted context resumes there */
volatile uint32_t ss_left;      /* single-step #DBs still to take before TF is cleared */

void on_exc(struct frame *f)
{
    exc_count++;
    exc_vector = f->vector;
    exc_error = f->error;
    exc_eip = f->eip;
    exc_tr = str_sel();
    if (f->vector == 1) {
        exc_dr6 = rd_dr6();
        if (ss_left && --ss_left == 0)
            f->eflags &= ~0x100u;
        return;
    }
    if (!fault_resume) {
        x86t_puts("unexpected exception ");
        x86t_puthex(f->vector);
        x86t_puts(" at ");
        x86t_puthex(f->eip);
        x86t_puts("\nFAIL\n");
        x86t_exit(1);
    }
    f->eip = fault_resume;
    fault_resume = 0;
}

/* The handler tasks (one TSS each): record ESP at entry, take the error
 * code (if the vector has one) off the task's stack, on_task_exc, IRET
 * back to the interrupted task (NT = 1), and from the next switch to the
 * task again from the top. */
__asm__(".text\n"
        ".macro taskent name, vec, haserr\n"
        "\\name:\n\tmovl %esp, task_entry_esp\n"
        ".if \\haserr\n\tpopl %eax\n.else\n\txorl %eax, %eax\n.endif\n"
        "\tpushl %eax\n\tpushl $\\vec\n\tcall on_task_exc\n\taddl $8, %esp\n\tiret\n\tjmp \\name\n"
        ".endm\n"
        "taskent task_g, 0x40, 0\n"
        "taskent task_e, 13, 1\n"
        "taskent task_d, 8, 1\n"
        "taskent task_ts, 10, 1\n"
        "taskent task_np, 11, 1\n"
        "taskent task_ss, 12, 1\n"
        "taskent task_irq, 0x20, 0\n"
        /* the task with bad selectors, once they are fixed; the T task */
        "task_bad:\n\tincl bad_count\n\tiret\n\tjmp task_bad\n"
        "task_t:\n\tincl t_count\n\tiret\n\tjmp task_t\n"
        "task_ret:\n\tiret\n\tjmp task_ret\n"
        /* the 16-bit task: CS base = code16, DS = SS = data16 */
        ".code16\n"
        ".globl code16\ncode16:\n\tincw %ds:0\n\tmovw %sp, %ds:2\n\tiret\n\tjmp code16\n"
        ".globl code16_end\ncode16_end:\n"
        /* the 16-bit #GP task: SP at entry, the error code (a word), and
         * task A resumed at fault_resume (ES = flat data, 32-bit offsets) */
        ".globl code16_err\ncode16_err:\n\tmovw %sp, %ds:8\n\tpopw %ds:4\n\tincw %ds:6\n"
        "\taddr32 movl %es:fault_resume, %eax\n\taddr32 movl %eax, %es:tss+0x20\n\tiret\n\tjmp code16_err\n"
        /* the 16-bit task entered by JMP: JMPs back to task A */
        ".globl code16_jmp\ncode16_jmp:\n\tincw %ds:10\n\tpushfw\n\tpopw %ds:12\n\tljmp $0x18, $0\n\tjmp code16_jmp\n"
        ".code32\n");
void task_g(void), task_e(void), task_d(void), task_ts(void), task_np(void), task_ss(void), task_irq(void);
void task_bad(void), task_t(void), task_ret(void);
extern const uint8_t code16[], code16_end[], code16_err[], code16_jmp[];

volatile uint32_t task_entry_esp, task_count, task_vec, task_err, task_link, task_flags, task_tr;
volatile uint32_t task_a_eip, task_a_esp, task_link_busy, bad_count, t_count;

static int tss_index(uint16_t sel)
{
    return sel == S_TSS_IRQ ? T_IRQ : sel == S_TSS_E2 ? T_E2 : (sel - S_TSS_A) / 8;
}
static struct tss32 *tss_of(uint16_t sel) { return &tss[tss_index(sel)]; }

void on_task_exc(uint32_t vec, uint32_t err)
{
    uint32_t fl;
    __asm__ volatile("pushfl; popl %0" : "=r"(fl));
    task_count++;
    task_vec = vec;
    task_err = err;
    task_flags = fl;
    task_tr = str_sel();
    struct tss32 *me = tss_of((uint16_t)task_tr);
    task_link = me->link;
    task_link_busy = tss_type((uint16_t)me->link);
    task_a_eip = tss[T_A].eip;
    task_a_esp = tss[T_A].esp;
    if (vec == 0x20)
        outb(0x20, 0x20); /* EOI */
    if (task_tr == S_TSS_D && me->link == S_TSS_E2) {
        /* #DF from the error code push of the #GP task switch: give that
         * task a usable stack; it IRETs back to task A */
        struct tss32 *e = &tss[T_E2];
        e->eip = (uint32_t)task_ret;
        e->ss = S_DATA;
        e->esp = (uint32_t)(stacks[T_E2] + sizeof stacks[T_E2]);
    }
    if (me->link == S_TSS_BAD) {
        /* the new task's context: the faulting selectors are in its TSS
         * now; make them good, IRET runs it */
        struct tss32 *b = &tss[T_BAD];
        b->cs = S_CODE;
        b->ss = b->ds = b->es = b->fs = b->gs = S_DATA;
        b->ldt = 0;
    }
    if (fault_resume) { /* task A took a fault: resume it further on */
        tss[T_A].eip = fault_resume;
        fault_resume = 0;
    }
}

static void init_tss(int t, void (*entry)(void))
{
    struct tss32 *s = &tss[t];
    *s = (struct tss32){ 0 };
    s->eip = (uint32_t)entry;
    s->eflags = 2;
    s->esp = (uint32_t)(stacks[t] + sizeof stacks[t]);
    s->cs = S_CODE;
    s->ss = s->ds = s->es = s->fs = s->gs = S_DATA;
    s->t_iomap = (uint32_t)sizeof(struct tss32) << 16;
    uint16_t sel = t == T_IRQ ? S_TSS_IRQ : t == T_E2 ? S_TSS_E2 : (uint16_t)(S_TSS_A + 8 * t);
    gdt[sel / 8] = seg_desc((uint32_t)s, sizeof *s - 1, 0x89, 0);
}

static void setup(void)
{
    gdt[0] = 0;
    gdt[S_CODE / 8] = seg_desc(0, 0xfffff, 0x9b, 0xc);
    gdt[S_DATA / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
    static void (*const entries[NTSS])(void) = { 0,        task_g,   task_e, task_d, task_ts,
                                                 task_np,  task_ss,  task_bad, task_t, task_irq, task_ret };
    for (int t = 0; t < NTSS; t++)
        init_tss(t, entries[t]);
    tss[T_T].t_iomap |= 1;
    gdt[S_TSS16 / 8] = seg_desc((uint32_t)&tss16, sizeof tss16 - 1, 0x81, 0);
    gdt[S_CODE16 / 8] = seg_desc((uint32_t)code16, 0xff, 0x9b, 0);
    gdt[S_DATA16 / 8] = seg_desc((uint32_t)data16, sizeof data16 - 1, 0x93, 0);
    gdt[S_NPDATA / 8] = seg_desc(0, 0xfffff, 0x13, 0xc);
    gdt[S_XOCODE / 8] = seg_desc(0, 0xfffff, 0x99, 0xc);
    ldt[0] = seg_desc(0, 0xfffff, 0x93, 0xc);
    gdt[S_LDT / 8] = seg_desc((uint32_t)ldt, sizeof ldt - 1, 0x82, 0);
    for (int v = 0; v < 32; v++)
        set_gate(v, stub_table[v], S_CODE, 0x8e);
    task_gate(0x40, S_TSS_G);
    task_gate(13, S_TSS_E);
    task_gate(8, S_TSS_D);
    task_gate(10, S_TSS_TS);
    task_gate(11, S_TSS_NP);
    task_gate(12, S_TSS_SS);
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } gd = { sizeof gdt - 1, (uint32_t)gdt },
                                                                    id = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1\n\tljmp $0x08, $1f\n1:\n\tmov $0x10, %%ax\n\tmov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\tmov %%ax, %%ss\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x18, %%ax\n\tltr %%ax" ::"m"(gd), "m"(id) : "eax", "memory");
}

/* ---- 1. task gates in the IDT ---------------------------------------------------- */

static void test_task_gates(void)
{
    uint32_t esi = 0, top_g = (uint32_t)(stacks[T_G] + sizeof stacks[T_G]);
    task_count = 0;
    __asm__ volatile("mov $0x13572468, %%esi\n\tint $0x40\n\tmov %%esi, %0" : "=m"(esi) : : "esi", "memory", "cc");
    CHECKX(task_count == 1 && task_vec == 0x40, "INT 40h through a task gate runs the task", task_count);
    CHECKX(task_tr == S_TSS_G && task_link == S_TSS_A && (task_flags & 0x4000),
           "INT through a task gate: TR = the new TSS, link = the old, NT = 1", task_link);
    CHECKX(task_entry_esp == top_g, "INT n through a task gate: no error code on the new stack", task_entry_esp);
    CHECKX(task_link_busy == 0xb, "the interrupted task stays busy (nesting)", task_link_busy);
    CHECK(esi == 0x13572468 && str_sel() == S_TSS_A && tss_type(S_TSS_A) == 0xb && tss_type(S_TSS_G) == 0x9,
          "IRET returns to the interrupted task: its registers, TR, busy bits");
    __asm__ volatile("clts");

    /* #GP(selector) through a task gate: the error code on the new task's
     * stack, task A's EIP saved at the faulting instruction */
    uint32_t top_e = (uint32_t)(stacks[T_E] + sizeof stacks[T_E]), at = 0, ds = 0;
    task_count = 0;
    __asm__ volatile("movl $1f, fault_resume\n\tmovl $2f, %0\n\tmov %2, %%cx\n2:\n\tmov %%cx, %%ds\n1:\n\tmov %%ds, %1"
                     : "=m"(at), "=r"(ds) : "i"(S_BEYOND) : "ecx", "memory", "cc");
    CHECKX(task_count == 1 && task_vec == 13 && task_err == S_BEYOND,
           "#GP through a task gate: error code = the selector, on the new task's stack", task_err);
    CHECKX(task_entry_esp == top_e - 4, "#GP through a task gate: the error code pushed (4 bytes)", task_entry_esp);
    CHECKX(task_a_eip == at, "#GP through a task gate: the old task's EIP = the faulting instruction", task_a_eip);
    CHECK(task_link == S_TSS_A && ds == S_DATA && str_sel() == S_TSS_A,
          "#GP through a task gate: IRET back to task A, its DS from its TSS");
    __asm__ volatile("clts");

    /* an IDT entry with S = 1 (type 5 as a data descriptor) is no task
     * gate: INT 41h is #GP(41h * 8 + 2) */
    set_gate(0x41, 0, S_TSS_G, 0x95);
    task_count = 0;
    __asm__ volatile("movl $1f, fault_resume\n\tint $0x41\n1:" ::: "memory", "cc");
    __asm__ volatile("clts");
    CHECKX(task_count == 1 && task_vec == 13 && task_err == 0x41 * 8 + 2,
           "INT through an IDT entry with S = 1: #GP(vector * 8 + 2), no task switch", task_err);

    /* #DF through a task gate: #DE with its gate not present -> #NP
     * during the delivery -> #DF (error code 0) on its own TSS */
    uint32_t top_d = (uint32_t)(stacks[T_D] + sizeof stacks[T_D]);
    idt[0] &= ~(1ull << 47);
    task_count = 0;
    __asm__ volatile("movl $1f, fault_resume\n\tmovl $2f, %0\n\txorl %%eax, %%eax\n\txorl %%edx, %%edx\n\t"
                     "xorl %%ecx, %%ecx\n2:\n\tdivl %%ecx\n1:" : "=m"(at) : : "eax", "ecx", "edx", "memory", "cc");
    idt[0] |= 1ull << 47;
    CHECKX(task_count == 1 && task_vec == 8 && task_err == 0 && task_entry_esp == top_d - 4,
           "#DF through a task gate: the double-fault task runs, error code 0 on its stack", task_count);
    CHECKX(task_link == S_TSS_A && task_a_eip == at && str_sel() == S_TSS_A,
           "#DF through a task gate: linked to task A (EIP at the DIV), IRET back", task_a_eip);
    __asm__ volatile("clts");

    /* #GP through a task gate to a task whose SS has no room for the
     * error code (limit 0Fh, ESP = 2): #SS in the new task -> #DF, whose
     * task is linked to the #GP task */
    init_tss(T_E2, task_ret);
    tss[T_E2].ss = S_NPDATA;
    tss[T_E2].esp = 2;
    gdt[S_NPDATA / 8] = seg_desc((uint32_t)stacks[T_BAD], 0xf, 0x93, 0x4);
    task_gate(13, S_TSS_E2);
    task_count = 0;
    __asm__ volatile("movl $1f, fault_resume\n\tmov %0, %%cx\n\tmov %%cx, %%ds\n1:" : : "i"(S_BEYOND)
                     : "ecx", "memory", "cc");
    task_gate(13, S_TSS_E);
    gdt[S_NPDATA / 8] = seg_desc(0, 0xfffff, 0x13, 0xc);
    __asm__ volatile("clts");
    CHECKX(task_count == 1 && task_vec == 8 && task_tr == S_TSS_D && task_link == S_TSS_E2,
           "task gate, error code beyond the new SS limit: #SS in the new task -> #DF", task_link);
    CHECK(str_sel() == S_TSS_A && tss_type(S_TSS_E2) == 0x9 && tss[T_E2].link == S_TSS_A,
          "the #GP task (linked to A) IRETs back after the #DF task fixed it");

    /* a hardware interrupt (the PIT's IRQ 0 through the 8259, vector 20h)
     * through a task gate: A is interrupted in HLT and resumed after it */
    task_gate(0x20, S_TSS_IRQ);
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 4); outb(0xa1, 2);
    outb(0x21, 1); outb(0xa1, 1);
    outb(0x21, 0xfe); outb(0xa1, 0xff); /* IRQ 0 only */
    outb(0x43, 0x30);                   /* channel 0, lo/hi, mode 0: one interrupt */
    outb(0x40, 50);
    outb(0x40, 0);
    task_count = 0;
    __asm__ volatile("movl $1f, %0\n\tmov $0x5a5a5a5a, %%esi\n\tsti\n\thlt\n1:\n\tcli\n\tmov %%esi, %1"
                     : "=m"(at), "=m"(esi) : : "esi", "memory", "cc");
    outb(0x21, 0xff);
    __asm__ volatile("clts");
    CHECKX(task_count == 1 && task_vec == 0x20 && task_tr == S_TSS_IRQ && task_link == S_TSS_A &&
               (task_flags & 0x4000) && !(task_flags & 0x200),
           "IRQ 0 through a task gate: the task runs (NT = 1, IF from its TSS = 0), linked to A", task_count);
    CHECKX(task_a_eip == at && esi == 0x5a5a5a5a && str_sel() == S_TSS_A && tss_type(S_TSS_IRQ) == 0x9,
           "IRQ 0 through a task gate: A saved after its HLT, IRET back", task_a_eip);
    x86t_puts("task gates in the IDT: INT n, #GP with error code, #DF on its own TSS, IRQ 0: done\n");
}

/* ---- 2. #TS / #NP / #SS for the new task's selectors ------------------------------- */

struct bad_case {
    const char *what;
    uint16_t ldt, cs, ss, ds, es, fs, gs;
    int vector; /* -1: none */
    uint32_t err;
};

static void run_bad(const struct bad_case *c)
{
    init_tss(T_BAD, task_bad);
    struct tss32 *b = &tss[T_BAD];
    b->ldt = c->ldt, b->cs = c->cs, b->ss = c->ss, b->ds = c->ds, b->es = c->es, b->fs = c->fs, b->gs = c->gs;
    task_count = 0;
    task_vec = ~0u;
    uint32_t n0 = bad_count, ret = 0, esi = 0;
    __asm__ volatile("movl $1f, %0\n\tmov $0xfeedf00d, %%esi\n\tlcall %2, $0\n1:\n\tmov %%esi, %1"
                     : "=m"(ret), "=m"(esi) : "i"(S_TSS_BAD) : "esi", "memory", "cc");
    __asm__ volatile("clts");
    if (c->vector < 0) {
        CHECKX(task_count == 0 && bad_count == n0 + 1, c->what, task_vec);
        return;
    }
    CHECKX(task_count == 1 && task_vec == (uint32_t)c->vector, c->what, task_vec);
    CHECKX(task_err == c->err, c->what, task_err);
    /* raised in the new task's context: the handler is linked to the bad
     * task (busy), task A's state was saved before (EIP after the CALL) */
    CHECKX(task_link == S_TSS_BAD && task_link_busy == 0xb && task_a_eip == ret, c->what, task_link);
    CHECKX(bad_count == n0 + 1 && esi == 0xfeedf00d && str_sel() == S_TSS_A, c->what, bad_count);
}

#define OK_SEGS S_CODE, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA
static const struct bad_case bad_cases[] = {
    { "all good: no fault", 0, OK_SEGS, -1, 0 },
    { "a valid LDT, DS and FS from it: no fault", S_LDT, S_CODE, S_DATA, 0x04, S_DATA, 0x04, S_DATA, -1, 0 },
    { "LDT selector not an LDT: #TS(LDT)", S_DATA, OK_SEGS, 10, S_DATA },
    { "LDT selector with TI = 1: #TS(LDT)", S_LDT | 4, OK_SEGS, 10, S_LDT | 4 },
    { "LDT selector beyond the GDT: #TS(LDT)", S_BEYOND, OK_SEGS, 10, S_BEYOND },
    { "CS null: #TS(0)", 0, 0, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA, 10, 0 },
    { "CS a data segment: #TS(CS)", 0, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA, 10, S_DATA },
    { "CS RPL 3 != DPL 0: #TS(CS)", 0, S_CODE | 3, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA, 10, S_CODE },
    { "SS null: #TS(0)", 0, S_CODE, 0, S_DATA, S_DATA, S_DATA, S_DATA, 10, 0 },
    { "SS execute-only code: #TS(SS)", 0, S_CODE, S_XOCODE, S_DATA, S_DATA, S_DATA, S_DATA, 10, S_XOCODE },
    { "SS RPL 1 != CPL: #TS(SS)", 0, S_CODE, S_DATA | 1, S_DATA, S_DATA, S_DATA, S_DATA, 10, S_DATA },
    { "SS not present: #SS(SS)", 0, S_CODE, S_NPDATA, S_DATA, S_DATA, S_DATA, S_DATA, 12, S_NPDATA },
    { "DS execute-only code: #TS(DS)", 0, S_CODE, S_DATA, S_XOCODE, S_DATA, S_DATA, S_DATA, 10, S_XOCODE },
    { "ES beyond the GDT: #TS(ES)", 0, S_CODE, S_DATA, S_DATA, S_BEYOND, S_DATA, S_DATA, 10, S_BEYOND },
    { "FS not present: #NP(FS)", 0, S_CODE, S_DATA, S_DATA, S_DATA, S_NPDATA, S_DATA, 11, S_NPDATA },
    { "GS a TSS: #TS(GS)", 0, S_CODE, S_DATA, S_DATA, S_DATA, S_DATA, S_TSS_A, 10, S_TSS_A },
    { "order: LDT before CS", S_LDT | 4, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA, S_DATA, 10, S_LDT | 4 },
    { "order: CS before SS", 0, S_DATA, S_XOCODE, S_DATA, S_DATA, S_DATA, S_DATA, 10, S_DATA },
    { "order: SS before DS", 0, S_CODE, S_XOCODE, S_BEYOND, S_DATA, S_DATA, S_DATA, 10, S_XOCODE },
    { "order: DS before ES", 0, S_CODE, S_DATA, S_BEYOND, S_XOCODE, S_DATA, S_DATA, 10, S_BEYOND },
    { "order: ES before FS before GS", 0, S_CODE, S_DATA, S_DATA, S_DATA, S_NPDATA, S_XOCODE, 11, S_NPDATA },
};

/* Faults before the commit point are the old task's: the CALL that
 * faults is resumed further on by the handler task (link = task A). */
#define OLD_TASK_FAULT(what, vec, err, sel)                                                   \
    do {                                                                                      \
        uint32_t at_;                                                                         \
        task_count = 0;                                                                       \
        __asm__ volatile("movl $1f, fault_resume\n\tmovl $2f, %0\n2:\n\tlcall %1, $0\n1:"     \
                         : "=m"(at_) : "i"(sel) : "memory", "cc");                            \
        __asm__ volatile("clts");                                                             \
        CHECKX(task_count == 1 && task_vec == (vec) && task_err == (err), what, task_err);    \
        CHECKX(task_link == S_TSS_A && task_a_eip == at_ && str_sel() == S_TSS_A, what, task_a_eip); \
    } while (0)

static void test_old_task_faults(void)
{
    OLD_TASK_FAULT("CALL to a busy TSS: #GP(TSS) in the old task", 13, S_TSS_A, S_TSS_A);
    init_tss(T_BAD, task_bad);
    uint64_t d = gdt[S_TSS_BAD / 8];
    gdt[S_TSS_BAD / 8] = (d & ~0xffffull) | 0x60; /* limit 60h < 67h */
    OLD_TASK_FAULT("CALL to a TSS with limit < 67h: #TS(TSS) in the old task", 10, S_TSS_BAD, S_TSS_BAD);
    gdt[S_TSS_BAD / 8] = d & ~(1ull << 47);
    OLD_TASK_FAULT("CALL to a TSS not present: #NP(TSS) in the old task", 11, S_TSS_BAD, S_TSS_BAD);
    gdt[S_TSS_BAD / 8] = d;
    CHECK(tss_type(S_TSS_BAD) == 0x9 && tss[T_BAD].link == 0, "a refused task switch changes neither TSS");
}

static void test_bad_selectors(void)
{
    test_old_task_faults();
    for (unsigned k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++)
        run_bad(&bad_cases[k]);
    /* an exception (#UD) through a task gate to a task with a bad DS: the
     * #TS error code has EXT = 1 */
    init_tss(T_BAD, task_bad);
    tss[T_BAD].ds = S_XOCODE;
    task_gate(6, S_TSS_BAD);
    task_count = 0;
    uint32_t n0 = bad_count;
    __asm__ volatile("movl $1f, fault_resume\n\tud2\n1:" ::: "memory");
    set_gate(6, stub_table[6], S_CODE, 0x8e);
    __asm__ volatile("clts");
    CHECKX(task_count == 1 && task_vec == 10 && task_err == (S_XOCODE | 1) && bad_count == n0 + 1,
           "#UD through a task gate to a task with a bad DS: #TS(DS | EXT)", task_err);
    x86t_puts("#TS/#NP/#SS for a new task's bad LDT, CS, SS, DS, ES, FS, GS: done\n");
}

/* ---- 3. a 16-bit TSS, the T flag ----------------------------------------------------- */

static void test_tss16_and_t(void)
{
    tss16 = (struct tss16){ 0 };
    tss16.ip = 0;
    tss16.flags = 2;
    tss16.sp = sizeof data16;
    tss16.cs = S_CODE16;
    tss16.ss = tss16.ds = tss16.es = S_DATA16;
    *(volatile uint16_t *)data16 = 0;
    uint32_t esi = 0;
    for (int k = 0; k < 2; k++)
        __asm__ volatile("mov $0x24681357, %%esi\n\tlcall %1, $0\n\tmov %%esi, %0" : "=m"(esi) : "i"(S_TSS16)
                         : "esi", "memory", "cc");
    __asm__ volatile("clts");
    CHECKX(*(volatile uint16_t *)data16 == 2, "CALL to a 16-bit TSS runs its 16-bit task (twice)", *(volatile uint16_t *)data16);
    CHECKX(*(volatile uint16_t *)(data16 + 2) == sizeof data16, "16-bit task: SP from its TSS", *(volatile uint16_t *)(data16 + 2));
    CHECK(esi == 0x24681357 && str_sel() == S_TSS_A && tss_type(S_TSS16) == 0x1 && tss16.link == S_TSS_A,
          "IRET from the 16-bit task: back to task A, the 16-bit TSS available, its link = A");
    CHECKX(tss16.ip == (uint32_t)(code16_end - code16) - 2, "16-bit task: IP saved in its TSS after its IRET", tss16.ip);

    /* #GP through a task gate to a 16-bit TSS: the error code pushed as a word */
    tss16 = (struct tss16){ 0 };
    tss16.ip = (uint16_t)(code16_err - code16);
    tss16.flags = 2;
    tss16.sp = sizeof data16;
    tss16.cs = S_CODE16;
    tss16.ss = tss16.ds = S_DATA16;
    tss16.es = S_DATA;
    task_gate(13, S_TSS16);
    __asm__ volatile("movl $1f, fault_resume\n\tmov %0, %%cx\n\tmov %%cx, %%ds\n1:" : : "i"(S_BEYOND) : "ecx", "memory", "cc");
    task_gate(13, S_TSS_E);
    fault_resume = 0;
    __asm__ volatile("clts");
    volatile uint16_t *w = (volatile uint16_t *)data16;
    CHECKX(w[3] == 1 && w[2] == S_BEYOND, "#GP through a task gate to a 16-bit TSS: its error code", w[2]);
    CHECKX(w[4] == sizeof data16 - 2, "#GP through a task gate to a 16-bit TSS: a word pushed", w[4]);
    CHECK(tss16.link == S_TSS_A && str_sel() == S_TSS_A && tss_type(S_TSS16) == 0x1,
          "#GP through a task gate to a 16-bit TSS: IRET back to task A");

    /* JMP to a 16-bit TSS and a JMP back: no link, NT = 0, busy bits */
    tss16 = (struct tss16){ 0 };
    tss16.ip = (uint16_t)(code16_jmp - code16);
    tss16.flags = 2;
    tss16.sp = sizeof data16;
    tss16.cs = S_CODE16;
    tss16.ss = tss16.ds = tss16.es = S_DATA16;
    w[5] = 0;
    __asm__ volatile("mov $0x31415926, %%esi\n\tljmp %1, $0\n\tmov %%esi, %0" : "=m"(esi) : "i"(S_TSS16)
                     : "esi", "memory", "cc");
    __asm__ volatile("clts");
    CHECKX(w[5] == 1 && !(w[6] & 0x4000), "JMP to a 16-bit TSS: its task runs with NT = 0", w[6]);
    CHECK(esi == 0x31415926 && tss16.link == 0 && str_sel() == S_TSS_A && tss_type(S_TSS_A) == 0xb &&
              tss_type(S_TSS16) == 0x1,
          "JMP from the 16-bit task back to A: no link, A busy, the 16-bit TSS available");

    /* T = 1 in the new TSS: #DB before its first instruction, DR6.BT */
    wr_dr6(0);
    exc_count = 0;
    t_count = 0;
    __asm__ volatile("lcall %0, $0" : : "i"(S_TSS_T) : "memory", "cc");
    __asm__ volatile("clts");
    CHECKX(exc_count == 1 && exc_vector == 1 && exc_eip == (uint32_t)task_t && exc_tr == S_TSS_T,
           "TSS T flag: #DB in the new task before its first instruction", exc_eip);
    CHECKX(exc_dr6 & 0x8000, "TSS T flag: DR6.BT", exc_dr6);
    CHECK(t_count == 1 && str_sel() == S_TSS_A, "TSS T flag: the task runs after the #DB, IRET back");
    x86t_puts("16-bit TSS (CALL, IRET, JMP, #GP through a task gate) and the TSS T flag: done\n");
}

/* ---- 4. I/O breakpoints, single-step ----------------------------------------------- */

#define IO_DB(what, insn, want)                                                                 \
    do {                                                                                        \
        uint32_t after_;                                                                        \
        exc_count = 0;                                                                          \
        wr_dr6(0);                                                                              \
        __asm__ volatile("movl $1f, %0\n\tmovl $0, %%eax\n\t" insn "\n1:" : "=m"(after_) : : "eax", "edx", "memory"); \
        if (want) {                                                                             \
            CHECKX(exc_count == 1 && exc_vector == 1 && exc_eip == after_, what, exc_count);    \
            CHECKX((exc_dr6 & 0xf) == (want), what, exc_dr6);                                   \
        } else {                                                                                \
            CHECKX(exc_count == 0, what, exc_count);                                            \
        }                                                                                       \
    } while (0)

static uint8_t outs_buf[4] = { 1, 2, 3, 4 };

static void test_io_breakpoints(void)
{
    wr_cr4(rd_cr4() | 8); /* CR4.DE */
    wr_dr0(0x80);
    wr_dr7(0x400 | 1 | 2u << 16); /* L0, R/W0 = 10 (I/O), LEN0 = 1 byte */
    IO_DB("I/O breakpoint: OUT to the port, #DB trap after it, DR6.B0", "outb %%al, $0x80", 1);
    IO_DB("I/O breakpoint: IN from the port", "inb $0x80, %%al", 1);
    IO_DB("I/O breakpoint: OUT DX", "movw $0x80, %%dx\n\toutb %%al, %%dx", 1);
    IO_DB("I/O breakpoint: another port does not match", "outb %%al, $0x81", 0);
    IO_DB("I/O breakpoint: a word access covering the port", "movw $0x7f, %%dx\n\tinw %%dx, %%ax", 1);
    wr_dr7(0x400 | 1 | 2u << 16 | 1u << 18); /* LEN0 = 2 bytes: ports 80h-81h */
    IO_DB("I/O breakpoint LEN 2: port 81h matches", "outb %%al, $0x81", 1);
    IO_DB("I/O breakpoint LEN 2: port 82h does not", "outb %%al, $0x82", 0);
    /* a data breakpoint on linear address 80h is not an I/O breakpoint */
    wr_dr7(0x400 | 1 | 1u << 16);
    IO_DB("a data (write) breakpoint at 80h: OUT to port 80h does not match", "outb %%al, $0x80", 0);
    /* DR1 on port 80h, REP OUTSB of 3 bytes: a #DB after each iteration */
    wr_dr1(0x80);
    wr_dr7(0x400 | 4 | 2u << 20);
    exc_count = 0;
    wr_dr6(0);
    __asm__ volatile("cld\n\tmovl %0, %%esi\n\tmovl $3, %%ecx\n\tmovw $0x80, %%dx\n\trep outsb"
                     : : "r"(outs_buf) : "esi", "ecx", "edx", "memory");
    CHECKX(exc_count == 3 && (exc_dr6 & 0xf) == 2, "I/O breakpoint (DR1): REP OUTSB, a #DB per iteration, DR6.B1",
           exc_count);
    /* CR4.DE = 0: R/W = 10 is undefined; here it never matches */
    wr_cr4(rd_cr4() & ~8u);
    wr_dr7(0x400 | 1 | 2u << 16);
    IO_DB("I/O breakpoint with CR4.DE = 0: no #DB (documented choice)", "outb %%al, $0x80", 0);
    wr_dr7(0x400);
    x86t_puts("I/O breakpoints (DR7 R/W = 10b, CR4.DE): done\n");

    /* single-step: TF set by POPF, a #DB after each of the next three
     * instructions (DR6.BS); the handler clears TF on the third */
    exc_count = 0;
    wr_dr6(0);
    ss_left = 3;
    __asm__ volatile("pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop" ::: "memory", "cc");
    CHECKX(exc_count == 3 && (exc_dr6 & 0x4000), "single-step: three #DB traps with DR6.BS", exc_count);
    x86t_puts("single-step: done\n");
}

/* ---- 5. PUSHA / POPA ------------------------------------------------------------------ */

static void test_pusha(void)
{
    uint32_t img[8], out[8], sp_before = 0, sp_after = 0;
    __asm__ volatile("movl %%esp, %%ebp\n\tmovl %%esp, %2\n\t"
                     "movl $0x11, %%eax\n\tmovl $0x22, %%ecx\n\tmovl $0x33, %%edx\n\tmovl $0x44, %%ebx\n\t"
                     "pushl %%ebp\n\tmovl $0x55, %%ebp\n\t"
                     "pushal\n\tmovl %%esp, %3\n\t"
                     "movl 0(%%esp), %%eax\n\tmovl %%eax, 0(%0)\n\tmovl 4(%%esp), %%eax\n\tmovl %%eax, 4(%0)\n\t"
                     "movl 8(%%esp), %%eax\n\tmovl %%eax, 8(%0)\n\tmovl 12(%%esp), %%eax\n\tmovl %%eax, 12(%0)\n\t"
                     "movl 16(%%esp), %%eax\n\tmovl %%eax, 16(%0)\n\tmovl 20(%%esp), %%eax\n\tmovl %%eax, 20(%0)\n\t"
                     "movl 24(%%esp), %%eax\n\tmovl %%eax, 24(%0)\n\tmovl 28(%%esp), %%eax\n\tmovl %%eax, 28(%0)\n\t"
                     "movl $0x12345678, 12(%%esp)\n\t" /* the ESP slot: POPAD skips it */
                     "xorl %%eax, %%eax\n\txorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\txorl %%ebx, %%ebx\n\t"
                     "xorl %%ebp, %%ebp\n\tpopal\n\t"
                     "movl %%eax, 0(%1)\n\tmovl %%ecx, 4(%1)\n\tmovl %%edx, 8(%1)\n\tmovl %%ebx, 12(%1)\n\t"
                     "movl %%esp, 16(%1)\n\tmovl %%ebp, 20(%1)\n\tmovl %%esi, 24(%1)\n\tmovl %%edi, 28(%1)\n\tpopl %%ebp"
                     : : "S"(img), "D"(out), "m"(sp_before), "m"(sp_after)
                     : "eax", "ebx", "ecx", "edx", "memory", "cc");
    (void)sp_after;
    /* image from the lowest address: EDI ESI EBP ESP EBX EDX ECX EAX */
    CHECKX(img[7] == 0x11 && img[6] == 0x22 && img[5] == 0x33 && img[4] == 0x44 && img[2] == 0x55 &&
           img[1] == (uint32_t)(uintptr_t)img && img[0] == (uint32_t)(uintptr_t)out,
           "PUSHAD: EAX ECX EDX EBX ESP EBP ESI EDI", img[7]);
    CHECKX(img[3] == sp_before - 4, "PUSHAD: the ESP pushed is the one before it", img[3]);
    CHECKX(out[0] == 0x11 && out[1] == 0x22 && out[2] == 0x33 && out[3] == 0x44 && out[5] == 0x55 &&
           out[6] == (uint32_t)(uintptr_t)img && out[7] == (uint32_t)(uintptr_t)out,
           "POPAD: every register back", out[0]);
    CHECKX(out[4] == sp_before - 4, "POPAD: the ESP slot skipped, ESP past the image", out[4]);

    /* PUSHAD on a 16-byte stack segment: the fifth push is beyond the
     * limit, #SS(0) (a task gate: the handler task sees task A's state),
     * ESP as before the instruction */
    gdt[S_NPDATA / 8] = seg_desc((uint32_t)stacks[T_BAD], 0xf, 0x93, 0x4);
    task_count = 0;
    __asm__ volatile("movl %%esp, %%ebp\n\tmovl %%ss, %%ebx\n\tmovl $1f, fault_resume\n\t"
                     "movw %0, %%ax\n\tmovw %%ax, %%ss\n\tmovl $0x10, %%esp\n\tpushal\n1:\n\t"
                     "movw %%bx, %%ss\n\tmovl %%ebp, %%esp"
                     : : "i"(S_NPDATA) : "eax", "ebx", "memory", "cc");
    gdt[S_NPDATA / 8] = seg_desc(0, 0xfffff, 0x13, 0xc);
    __asm__ volatile("clts");
    CHECKX(task_count == 1 && task_vec == 12 && task_err == 0 && task_a_esp == 0x10,
           "PUSHAD beyond the SS limit: #SS(0), ESP unchanged", task_a_esp);
    x86t_puts("PUSHA/POPA: done\n");
}

int kmain32(uint32_t magic, const void *mbi)
{
    (void)mbi;
    x86t_puts("tasks: task switches and debug kernel\n");
    CHECK(magic == 0x2BADB002, "multiboot 1 magic");
    setup();
    test_task_gates();
    test_bad_selectors();
    test_tss16_and_t();
    test_io_breakpoints();
    test_pusha();
    return x86t_report("tasks");
}
