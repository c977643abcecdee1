/* Random-code kernel for tests/e2e/chaos.sh in 32-bit and 16-bit protected
 * mode (Multiboot 1, paging off, not IA-32e mode): the 64 KiB section .chaos
 * (filled with random bytes by the test, objcopy --update-section) is
 * copied to linear 0x20000 and entered by IRET, IF = 0, IOPL 0:
 *   - x86-chaos-prot32.elf: at CPL 3, through 32-bit code and data
 *     segments of base 0 and limit 3FFFFh, so the random code reaches only
 *     its own 256 KiB (never this kernel, its GDT, IDT or TSS); HLT, CLI,
 *     I/O (no I/O bitmap) and the privileged instructions are #GP. Every
 *     event switches to the TSS's ring-0 stack, so the handler always has
 *     a clean frame.
 *   - x86-chaos-prot16.elf (-DCHAOS_16): the same at CPL 3 with 16-bit code
 *     and stack segments (D = B = 0) based at 0x20000 (IP is 16 bits):
 *     16-bit protected mode.
 *   - x86-chaos-prot32-cpl0.elf (-DCHAOS_CPL0): at CPL 0 on flat segments:
 *     the random code may write control registers (legacy 32-bit, PSE and
 *     PAE paging, CR0.PE = 0), load segments, switch tasks, reach every
 *     port and overwrite this kernel; events use the code's own stack.
 * One ring-0 handler for every vector resumes one byte further (x86
 * instructions have no fixed length: the stream resyncs itself).
 * Whatever happens, hvsim must end with a guest outcome (exit 0, 1 or 3),
 * never a crash or a hang (docs/x86.md "Test kernels"). */
#include "mb.h"

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint32_t t_iomap;
};

static uint64_t gdt[6] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static struct tss32 tss __attribute__((aligned(128)));
static uint8_t stack0[8192] __attribute__((aligned(16)));
__attribute__((section(".chaos"), used)) uint8_t chaos[65536] = { [0 ... 65535] = 0x90 };

#define CODE_AT 0x20000u
#ifdef CHAOS_16
#define ENTRY 0u        /* CS base = CODE_AT */
#else
#define ENTRY CODE_AT
#endif
#ifdef CHAOS_CPL0
#define CODE_SEL "0x08" /* the frame's CS when the event came from the random code */
#else
#define CODE_SEL "0x1b" /* 0x18 | RPL 3 */
#endif

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

/* One handler for every vector: the frame is EIP, CS, EFLAGS (, ESP, SS
 * from CPL 3) with or without an error code before it. The random code's
 * CS at 4(%esp) means no error code (EFLAGS, bit 1 set, never equals it).
 * Resume one byte further. */
__asm__(".text\n"
        ".globl chaos_handler\nchaos_handler:\n"
        "\tcmpl $" CODE_SEL ", 4(%esp)\n\tje 1f\n"
        "\taddl $4, %esp\n"
        "1:\tincl (%esp)\n\tiret\n");
void chaos_handler(void);

int kmain32(uint32_t magic, const void *mbi)
{
    (void)magic, (void)mbi;
#if defined CHAOS_CPL0
    x86t_puts("chaos: random bytes in 32-bit protected mode, CPL 0\n");
#elif defined CHAOS_16
    x86t_puts("chaos: random bytes in 16-bit protected mode, CPL 3\n");
#else
    x86t_puts("chaos: random bytes in 32-bit protected mode, CPL 3\n");
#endif
    gdt[0] = 0;
    gdt[1] = seg_desc(0, 0xfffff, 0x9b, 0xc); /* 0x08 code */
    gdt[2] = seg_desc(0, 0xfffff, 0x93, 0xc); /* 0x10 data */
#ifdef CHAOS_16
    /* 16-bit code runs IP within 64 KiB: the segments start at the code */
    gdt[3] = seg_desc(CODE_AT, 0xffff, 0xfb, 0x0);  /* 0x18 user code: 64 KiB, 16-bit */
    gdt[4] = seg_desc(CODE_AT, 0x1ffff, 0xf3, 0x0); /* 0x20 user data, B = 0 (SP) */
#else
    gdt[3] = seg_desc(0, 0x3ffff, 0xfb, 0x4); /* 0x18 user code: 256 KiB, byte granular, D */
    gdt[4] = seg_desc(0, 0x3ffff, 0xf3, 0x4); /* 0x20 user data */
#endif
    tss.esp0 = (uint32_t)(stack0 + sizeof stack0);
    tss.ss0 = 0x10;
    tss.t_iomap = 0xffffu << 16; /* the I/O map base beyond the limit: no bitmap */
    gdt[5] = seg_desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0); /* 0x28 */
    for (int v = 0; v < 256; v++) /* 32-bit interrupt gates, DPL 3 (INT n from any CPL) */
        idt[v] = ((uint32_t)chaos_handler & 0xffff) | (uint64_t)0x08 << 16 | (uint64_t)0xee << 40 |
                 (uint64_t)((uint32_t)chaos_handler >> 16) << 48;
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    uint8_t *dst = (uint8_t *)CODE_AT;
    for (uint32_t i = 0; i < sizeof chaos; i++)
        dst[i] = chaos[i];
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } gd = { sizeof gdt - 1, (uint32_t)gdt },
                                                                    id = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1\n\tljmp $0x08, $1f\n1:\n\tmov $0x10, %%ax\n\tmov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\tmov %%ax, %%ss\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x28, %%ax\n\tltr %%ax\n\tmov %2, %%esp\n\t"
#ifdef CHAOS_CPL0
                     "pushl $0x2\n\tpushl $0x08\n\tpushl %3\n\t"
#else
                     "mov $0x23, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "pushl $0x23\n\tpushl $0xfff0\n\tpushl $0x2\n\tpushl $0x1b\n\tpushl %3\n\t"
#endif
                     "xor %%eax, %%eax\n\txor %%ebx, %%ebx\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
                     "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%ebp, %%ebp\n\tiret"
                     ::"m"(gd), "m"(id), "r"(stack0 + sizeof stack0), "i"(ENTRY) : "eax", "memory");
    return 1; /* not reached */
}
