/* Random-code kernel for tests/e2e/chaos.sh in virtual-8086 mode
 * (Multiboot 1, 32-bit protected mode, paging off): the 64 KiB section
 * .chaos (filled with random bytes by the test, objcopy --update-section)
 * is copied to 2000:0000 and entered by IRET with EFLAGS.VM = 1, IOPL 0,
 * IF 0. Every interrupt or exception from virtual-8086 mode lands in a
 * ring-0 handler (Intel SDM vol. 3A §20.3.1.1) that resumes one byte
 * further (x86 instructions have no fixed length: the stream resyncs
 * itself). With IOPL 0 CLI/STI/PUSHF/POPF/INT n/IRET and HLT are #GP, and
 * the TSS has no I/O bitmap, so every IN/OUT is #GP: the random code
 * cannot reach devices, but it may write any memory below 10FFF0h (this
 * kernel too). Whatever happens, hvsim must end with a guest outcome
 * (exit 0, 1 or 3), never a crash or a hang. */
#include "mb.h"

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint32_t t_iomap;
};

static uint64_t gdt[4] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static struct tss32 tss __attribute__((aligned(128)));
static uint8_t stack0[8192] __attribute__((aligned(16)));
__attribute__((section(".chaos"), used)) uint8_t chaos[65536] = { [0 ... 65535] = 0x90 };

#define VM_CS 0x2000u

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

/* One handler for every vector: from VM86 the frame is EIP, CS, EFLAGS
 * (VM = 1), ... with or without an error code before it; the CS slot is a
 * selector (bit 17 clear), so EFLAGS.VM at 8(%esp) means no error code, at
 * 12(%esp) one. Resume one byte further (IP wraps in its segment);
 * anything else (the handler's own world was hit) ends the run (exit 1). */
__asm__(".text\n"
        ".globl chaos_handler\nchaos_handler:\n"
        "\ttestl $0x20000, 8(%esp)\n\tjnz 1f\n"
        "\ttestl $0x20000, 12(%esp)\n\tjz 2f\n"
        "\taddl $4, %esp\n"
        "1:\tincw (%esp)\n\tiret\n"
        "2:\tmovw $0xf4, %dx\n\tmovl $1, %eax\n\toutl %eax, %dx\n3:\thlt\n\tjmp 3b\n");
void chaos_handler(void);


int kmain32(uint32_t magic, const void *mbi)
{
    (void)magic, (void)mbi;
    x86t_puts("chaos: random bytes in virtual-8086 mode\n");
    gdt[0] = 0;
    gdt[1] = seg_desc(0, 0xfffff, 0x9b, 0xc); /* 0x08 code */
    gdt[2] = seg_desc(0, 0xfffff, 0x93, 0xc); /* 0x10 data */
    tss.esp0 = (uint32_t)(stack0 + sizeof stack0);
    tss.ss0 = 0x10;
    tss.t_iomap = 0xffffu << 16; /* the I/O map base beyond the limit: no bitmap */
    gdt[3] = seg_desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0); /* 0x18 */
    for (int v = 0; v < 256; v++) /* 32-bit interrupt gates, DPL 3 (INT3/INTO/INT1 from VM86) */
        idt[v] = ((uint32_t)chaos_handler & 0xffff) | (uint64_t)0x08 << 16 | (uint64_t)0xee << 40 |
                 (uint64_t)((uint32_t)chaos_handler >> 16) << 48;
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    uint8_t *dst = (uint8_t *)(VM_CS << 4);
    for (uint32_t i = 0; i < sizeof chaos; i++)
        dst[i] = chaos[i];
    static const uint32_t frame[9] = { 0, VM_CS, 0x20002, 0xfff0, 0x3000, 0x3000, 0x3000, 0x3000, 0x3000 };
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } gd = { sizeof gdt - 1, (uint32_t)gdt },
                                                                    id = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1\n\tljmp $0x08, $1f\n1:\n\tmov $0x10, %%ax\n\tmov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\tmov %%ax, %%ss\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x18, %%ax\n\tltr %%ax\n\t"
                     "movl %2, %%esp\n\tiret" ::"m"(gd), "m"(id), "r"(frame) : "eax", "memory");
    return 1; /* not reached */
}
