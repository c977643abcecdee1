/* COM1 output, isa-debug-exit and the IDT of the x86_64 test kernels. */
#include "x86t.h"

int x86t_failures;
volatile uint64_t x86t_last_vector = ~0ull, x86t_last_error, x86t_last_cr2, x86t_last_rip;
volatile uint64_t x86t_resume;
volatile int x86t_traps;

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
    x86t_traps++;
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
    x86t_resume = 0;
}

struct idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

#define STUBS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(10) X(11) X(12) X(13) X(14) X(16) X(17) X(32)
#define DECL(n) void x86t_vec##n(void);
STUBS(DECL)

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
#endif
