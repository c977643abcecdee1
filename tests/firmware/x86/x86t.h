/* Helpers of our x86_64 test kernels: COM1 output, isa-debug-exit, an IDT
 * whose handlers record the exception and resume at a chosen address. */
#ifndef X86T_H
#define X86T_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

void x86t_puts(const char *s);
void x86t_puthex(uint64_t v);
/* isa-debug-exit: 0 = pass (hvsim exit 0), else fail (exit 1) */
void x86t_exit(int code) __attribute__((noreturn));

/* The frame common: in start.S builds. */
struct x86t_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};
/* The last exception taken: vector, error code, CR2, rip; the handler
 * resumes at x86t_resume (set before the faulting instruction). */
extern volatile uint64_t x86t_last_vector, x86t_last_error, x86t_last_cr2, x86t_last_rip;
extern volatile uint64_t x86t_resume;
extern volatile int x86t_traps;
void x86t_idt_init(void);

/* CHECK(cond, what): counts and reports a failure. */
extern int x86t_failures;
#define CHECK(c, what)                                                     \
    do {                                                                   \
        if (!(c)) {                                                        \
            x86t_puts("FAIL: ");                                           \
            x86t_puts(what);                                               \
            x86t_puts("\n");                                               \
            x86t_failures++;                                               \
        }                                                                  \
    } while (0)
#endif
