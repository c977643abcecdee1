/* COM1 output, isa-debug-exit and the IDT of the x86_64 test kernels. */
#include "x86t.h"

int x86t_failures, x86t_checks;
volatile uint64_t x86t_last_vector = ~0ull, x86t_last_error, x86t_last_cr2, x86t_last_rip;
volatile uint64_t x86t_resume;
volatile int x86t_traps;
volatile uint64_t x86t_last_cs, x86t_last_rflags, x86t_last_rsp, x86t_last_ss;
volatile uint64_t x86t_resume_rsp;
int (*volatile x86t_hook)(struct x86t_frame *f);

void x86t_puts(const char *s)
{
    for (; *s; s++) {
        while (!(inb(0x3f8 + 5) & 0x20)) /* LSR.THRE */
            ;
        outb(0x3f8, (uint8_t)*s);
    }
}

void x86t_puthex(uint64_t v)
{
    char b[19];
    b[0] = '0';
    b[1] = 'x';
    for (int i = 0; i < 16; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
    b[18] = 0;
    x86t_puts(b);
}

void x86t_putdec(uint64_t v)
{
    char b[21];
    int i = 20;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    x86t_puts(b + i);
}

int x86t_report(const char *name)
{
    x86t_puts("x86 ");
    x86t_puts(name);
    if (x86t_failures) {
        x86t_puts(": FAILED\n");
        return 1;
    }
    x86t_puts(": all checks passed (");
    x86t_putdec((uint64_t)x86t_checks);
    x86t_puts(" checks)\n");
    return 0;
}

void x86t_exit(int code)
{
    outl(0xf4, (uint32_t)code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

#ifdef __x86_64__ /* the 64-bit IDT; the 32-bit multiboot kernels use only the above */
void x86t_trap(struct x86t_frame *f)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    x86t_last_vector = f->vector;
    x86t_last_error = f->error;
    x86t_last_cr2 = cr2;
    x86t_last_rip = f->rip;
    x86t_last_cs = f->cs;
    x86t_last_rflags = f->rflags;
    x86t_last_rsp = f->rsp;
    x86t_last_ss = f->ss;
    x86t_traps++;
    if (x86t_hook && x86t_hook(f))
        return;
    if (f->vector == 32)
        return; /* a software interrupt: return after it */
    if (f->vector == 3)
        return; /* #BP is a trap: rip is already past int3 */
    if (!x86t_resume) {
        x86t_puts("unexpected exception ");
        x86t_puthex(f->vector);
        x86t_puts(" at ");
        x86t_puthex(f->rip);
        x86t_puts("\n");
        x86t_exit(3);
    }
    f->rip = x86t_resume;
    f->rflags &= ~0x100ull; /* TF: a single-step test resumes without it */
    x86t_resume = 0;
    if (x86t_resume_rsp) {
        f->rsp = x86t_resume_rsp;
        f->cs = 0x08;
        f->ss = 0x10;
        f->rflags = 2;
        x86t_resume_rsp = 0;
    }
}

struct idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

#define STUBS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(10) X(11) X(12) X(13) X(14) X(16) X(17) X(32)
/* the stubs x86t_sys_init adds (vector 18..19, 33.., see start.S) */
#define STUBS2(X) X(18) X(19) X(33) X(48) X(128)
#define DECL(n) void x86t_vec##n(void);
STUBS(DECL)
STUBS2(DECL)

static void set_gate(int n, void (*fn)(void), unsigned dpl)
{
    uint64_t a = (uint64_t)fn;
    idt[n] = (struct idt_gate){ .off0 = (uint16_t)a, .sel = 0x08, .ist = 0,
                                .type = (uint8_t)(0x8e | dpl << 5), .off1 = (uint16_t)(a >> 16),
                                .off2 = (uint32_t)(a >> 32), .zero = 0 };
}

void x86t_idt_init(void)
{
#define SET(n) set_gate(n, x86t_vec##n, n == 3 || n == 32 ? 3 : 0);
    STUBS(SET)
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) d = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(d));
}

/* ---- GDT, TSS, user page (x86t_sys_init) ---------------------------------- */

static void (*const stub_of[256])(void) = {
#define ST(n) [n] = x86t_vec##n,
    STUBS(ST) STUBS2(ST)
};

void x86t_set_gate(int n, unsigned dpl, unsigned ist, int present)
{
    uint64_t a = (uint64_t)stub_of[n];
    idt[n] = (struct idt_gate){ .off0 = (uint16_t)a, .sel = 0x08, .ist = (uint8_t)ist,
                                .type = (uint8_t)((present ? 0x80 : 0) | 0x0e | dpl << 5),
                                .off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32), .zero = 0 };
}

void x86t_set_gate_sel(int n, uint16_t sel) { idt[n].sel = sel; }

/* code/data descriptors: base 0, limit 4 GiB (G), access byte, flags nibble */
#define DESC(access, flags) (0xffffull | 0xfull << 48 | (uint64_t)(access) << 40 | (uint64_t)(flags) << 52)
uint64_t x86t_gdt[X86T_GDT_END / 8] __attribute__((aligned(16))) = {
    [X86T_KCODE / 8] = DESC(0x9b, 0xa),    /* P DPL0 code RA, L G */
    [X86T_KDATA / 8] = DESC(0x93, 0xc),    /* P DPL0 data WA, B G */
    [X86T_UCODE32 / 8] = DESC(0xfb, 0xc),  /* P DPL3 code, D G */
    [X86T_UDATA / 8] = DESC(0xf3, 0xc),
    [X86T_UCODE64 / 8] = DESC(0xfb, 0xa),
    [X86T_UDATA2 / 8] = DESC(0xf3, 0xc),
    [X86T_KCODE32 / 8] = DESC(0x9b, 0xc),  /* compatibility mode, CPL 0 */
    [X86T_NPDATA / 8] = DESC(0x13, 0xc),   /* P = 0 */
    [X86T_KDATA16 / 8] = 0xfffull | 0x93ull << 40,
};
struct x86t_tss x86t_tss __attribute__((aligned(16)));

__attribute__((aligned(16))) static uint8_t ist1_stack[8192];
__attribute__((aligned(16))) static uint8_t rsp0_stack[16384];

static void user_page(void)
{
    /* the boot tables (docs/x86.md "ELF64 entry"): PML4 -> PDPT -> PD with
     * 2 MiB pages; U = 1 on the path to 0x200000 and on that PDE only */
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & 0x000ffffffffff000ull);
    uint64_t *pd = (uint64_t *)(pdpt[0] & 0x000ffffffffff000ull);
    pml4[0] |= 4;
    pdpt[0] |= 4;
    pd[1] |= 4;
    write_cr3(read_cr3());
}

void x86t_sys_init(void)
{
    uint64_t t = (uint64_t)&x86t_tss;
    uint32_t lim = sizeof x86t_tss - 1;
    x86t_gdt[X86T_TSS / 8] = (lim & 0xffff) | (t & 0xffffff) << 16 | 0x89ull << 40 |
                             (uint64_t)(lim >> 16 & 0xf) << 48 | (t >> 24 & 0xff) << 56;
    x86t_gdt[X86T_TSS / 8 + 1] = t >> 32;
    x86t_gdt[X86T_TSS2 / 8] = 0x57 | (t & 0xffffff) << 16 | 0x89ull << 40 | (t >> 24 & 0xff) << 56;
    x86t_gdt[X86T_TSS2 / 8 + 1] = t >> 32;
    x86t_tss.rsp[0] = (uint64_t)(rsp0_stack + sizeof rsp0_stack);
    x86t_tss.ist[0] = (uint64_t)(ist1_stack + sizeof ist1_stack);
    x86t_tss.iomap = 104;
    for (unsigned i = 0; i < sizeof x86t_tss.iobitmap; i++)
        x86t_tss.iobitmap[i] = 0xff;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) g = { sizeof x86t_gdt - 1, (uint64_t)x86t_gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "mov $0x10, %%eax\n\tmov %%eax, %%ds\n\tmov %%eax, %%es\n\tmov %%eax, %%ss\n\t"
                     "pushq $0x08\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
                     "mov $0x40, %%eax\n\tltr %%ax" ::"m"(g) : "rax", "memory");
#define SET2(n) x86t_set_gate(n, 0, 0, 1);
    STUBS2(SET2)
    user_page();
}
#endif
