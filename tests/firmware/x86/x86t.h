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
void x86t_putdec(uint64_t v);
/* The verdict line of a self-checking kernel: "x86 NAME: FAILED" (returns
 * 1) or "x86 NAME: all checks passed (N checks)" (returns 0), from
 * x86t_failures / x86t_checks; e2e scripts grep for it. */
int x86t_report(const char *name);
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

/* More of the last exception's frame (saved CS, RFLAGS, RSP, SS). */
extern volatile uint64_t x86t_last_cs, x86t_last_rflags, x86t_last_rsp, x86t_last_ss;
/* When nonzero together with x86t_resume: the handler also resumes with
 * this RSP at CPL 0 (CS 0x08, SS 0x10, RFLAGS 0x2): the way back from
 * code run at CPL 3 or in compatibility mode (x86t_user_call). */
extern volatile uint64_t x86t_resume_rsp;
/* Called first for every exception / interrupt when set; returning
 * nonzero ends the handling there (the frame may be edited). */
extern int (*volatile x86t_hook)(struct x86t_frame *f);

/* The GDT of x86t_sys_init (selectors; RPL 0). SYSRET with STAR[63:48] =
 * 0x18 and SYSEXIT with SYSENTER_CS = 0x08 find their segments here. */
enum {
    X86T_KCODE = 0x08, X86T_KDATA = 0x10, X86T_UCODE32 = 0x18, X86T_UDATA = 0x20,
    X86T_UCODE64 = 0x28, X86T_UDATA2 = 0x30, X86T_KCODE32 = 0x38, X86T_TSS = 0x40,
    X86T_NPDATA = 0x50,  /* a data segment with P = 0 */
    X86T_KDATA16 = 0x58, /* a 16-bit data segment, limit 0xfff */
    X86T_TSS2 = 0x60,    /* 16 bytes: the same TSS with limit 0x57 (no IST7) */
    X86T_CGATE3 = 0x70,  /* 16 bytes: room for a call gate (filled by a test) */
    X86T_CGATE0 = 0x80,  /* 16 bytes: another */
    X86T_GDT_END = 0x90,
};
extern uint64_t x86t_gdt[X86T_GDT_END / 8];
/* The 64-bit TSS (SDM vol. 3A §7.7) followed by an I/O permission bitmap
 * of all ports (bit set = denied) and the closing 0xff byte. */
struct x86t_tss {
    uint32_t r0;
    uint64_t rsp[3];
    uint64_t r1;
    uint64_t ist[7];
    uint64_t r2;
    uint16_t r3, iomap;
    uint8_t iobitmap[8192 + 1];
} __attribute__((packed));
extern struct x86t_tss x86t_tss;
/* Loads the GDT above, the TSS (RSP0 = a trap stack, IST1 = a second
 * stack, every port denied) and makes the 2 MiB page at 0x200000 (the
 * .user section: x86t_user_* code and data) user-accessible. */
void x86t_sys_init(void);
/* Sets IDT gate n: handler stub of vector n (or fn), DPL, IST, type
 * (0xe interrupt gate, 0xf trap gate), present. */
void x86t_set_gate(int n, unsigned dpl, unsigned ist, int present);
void x86t_set_gate_sel(int n, uint16_t sel);
/* Runs fn at CPL 3 (CS 0x2b, SS 0x23) with RSP = user_rsp and RFLAGS =
 * rflags until it takes an exception; returns that vector. fn lives in the
 * .user section and ends in an exception (ud2 when it simply finishes). */
uint64_t x86t_user_call(void (*fn)(void), uint64_t user_rsp, uint64_t rflags);
/* The same to a code segment cs (e.g. X86T_KCODE32: compatibility mode at
 * CPL 0, the stack stays the kernel's). */
uint64_t x86t_far_call(uint64_t rip, uint16_t cs, uint16_t ss, uint64_t rsp, uint64_t rflags);

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* Expect `vector` (and error code `err`, if err >= 0) from the asm in
 * insn, resuming after it (kernel mode). */
#define EXPECT_EXC(name, vector, err, insn, ...)                                     \
    do {                                                                             \
        x86t_last_vector = ~0ull;                                                    \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t" \
                         insn "\n1:" ::__VA_ARGS__ : "rax", "rcx", "rdx", "memory");  \
        x86t_resume = 0;                                                             \
        CHECK(x86t_last_vector == (uint64_t)(vector), name ": vector");              \
        if ((err) >= 0)                                                              \
            CHECK(x86t_last_error == (uint64_t)(err), name ": error code");          \
    } while (0)
/* CHECKX(cond, what, value): CHECK that also prints a value on failure. */
#define CHECKX(c, what, val)                                               \
    do {                                                                   \
        x86t_checks++;                                                     \
        if (!(c)) {                                                        \
            x86t_puts("FAIL: ");                                           \
            x86t_puts(what);                                               \
            x86t_puts(" (got ");                                           \
            x86t_puthex((uint64_t)(val));                                  \
            x86t_puts(")\n");                                              \
            x86t_failures++;                                               \
        }                                                                  \
    } while (0)
/* Code and data of the .user section (the user-accessible 2 MiB page). */
#define X86T_USER_DATA __attribute__((section(".user.data"), aligned(16)))

/* CHECK(cond, what): counts and reports a failure. */
extern int x86t_failures, x86t_checks;
#define CHECK(c, what)                                                     \
    do {                                                                   \
        x86t_checks++;                                                     \
        if (!(c)) {                                                        \
            x86t_puts("FAIL: ");                                           \
            x86t_puts(what);                                               \
            x86t_puts("\n");                                               \
            x86t_failures++;                                               \
        }                                                                  \
    } while (0)
#endif
