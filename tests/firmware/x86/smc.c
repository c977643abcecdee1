/* Self-modifying code on the x86 core (docs/x86.md "Performance"): the
 * interpreter caches decoded instructions per physical page, and a store
 * into a page with cached instructions must drop them. Each case runs an
 * instruction, rewrites it, and runs it again; a stale decode returns the
 * old immediate.
 *   1. same page: the routine patches the immediate of its own next
 *      instruction (the store and the patched instruction share a page);
 *   2. across pages: code in .text rewrites a routine in another page;
 *   3. aliases: a page also mapped at another linear address (a 4 KiB
 *      page of our own): written through one linear address, run through
 *      the other, both ways, with a TLB entry of the alias that predates
 *      the page's first run;
 *   4. a loop whose body is rewritten between passes (many decodes of the
 *      same page in between);
 *   5. a whole routine replaced by a different-length one.
 * Reports on COM1, exits through isa-debug-exit (0 = pass). */
#include "x86t.h"

/* 1. Same page: mov %edi, patch+1(%rip); patch: mov $imm32, %eax; ret */
__asm__(".section .smc_same, \"awx\", @progbits\n"
        ".balign 4096\n"
        ".globl smc_same\n"
        "smc_same:\n"
        "    movl %edi, smc_same_patch+1(%rip)\n"
        "smc_same_patch:\n"
        "    movl $0x11111111, %eax\n"
        "    ret\n"
        ".balign 4096\n"
        ".text\n");
uint32_t smc_same(uint32_t v);

/* 2.-5.: a page of its own for generated code */
static uint8_t buf[4096] __attribute__((aligned(4096), section(".data.smc_buf")));
static uint8_t buf2[4096] __attribute__((aligned(4096), section(".data.smc_buf")));
typedef uint32_t (*fn_t)(void);

/* B8 imm32 C3: mov $imm, %eax; ret */
static void emit_mov_ret(volatile uint8_t *p, uint32_t imm)
{
    p[0] = 0xb8;
    p[1] = (uint8_t)imm;
    p[2] = (uint8_t)(imm >> 8);
    p[3] = (uint8_t)(imm >> 16);
    p[4] = (uint8_t)(imm >> 24);
    p[5] = 0xc3;
}

static uint32_t call_at(uint64_t la)
{
    return ((fn_t)la)();
}

/* The alias: linear ALIAS maps the physical page of buf2 with a 4 KiB page
 * of a page table of our own hung into the boot tables (docs/x86.md "ELF64
 * entry": 4-level, identity). Its TLB set differs from buf2's (the TLB is
 * direct-mapped by linear page). */
#define ALIAS 0x40080000ull
static uint64_t alias_pt[512] __attribute__((aligned(4096)));

static void map_alias(uint64_t pa)
{
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    const uint64_t m = 0x000ffffffffff000ull;
    uint64_t *pml4 = (uint64_t *)(cr3 & m);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & m);
    uint64_t *pd = (uint64_t *)(pdpt[1] & m);
    alias_pt[(ALIAS >> 12) & 511] = pa | 0x3; /* P | RW */
    pd[0] = (uint64_t)alias_pt | 0x3;
    __asm__ volatile("invlpg (%0)" ::"r"(ALIAS) : "memory");
}

int kmain(void)
{
    x86t_idt_init();

    /* 1 */
    CHECK(smc_same(0x22222222) == 0x22222222, "same page: first patch");
    CHECK(smc_same(0x33333333) == 0x33333333, "same page: instruction patched after it ran");
    CHECK(smc_same(0x44444444) == 0x44444444, "same page: third patch");

    /* 2 */
    emit_mov_ret(buf, 1);
    CHECK(call_at((uint64_t)buf) == 1, "across pages: first run");
    emit_mov_ret(buf, 2);
    CHECK(call_at((uint64_t)buf) == 2, "across pages: rewritten immediate");
    buf[1] = 3; /* one byte */
    CHECK(call_at((uint64_t)buf) == 3, "across pages: one-byte store");

    /* 3: a page not run yet, first stored to through the alias (so the
     * alias's TLB entry predates the page becoming a code page) */
    map_alias((uint64_t)buf2);
    volatile uint8_t *alias = (volatile uint8_t *)ALIAS;
    emit_mov_ret(alias, 4);
    CHECK(call_at((uint64_t)buf2) == 4, "alias: store through the alias, run the original");
    alias[1] = 5;
    CHECK(call_at((uint64_t)buf2) == 5, "alias: second store through the alias");
    CHECK(call_at((uint64_t)alias) == 5, "alias: run through the alias");
    buf2[1] = 6;
    CHECK(call_at((uint64_t)alias) == 6, "alias: store to the original, run the alias");
    alias[1] = 7;
    CHECK(call_at((uint64_t)alias) == 7, "alias: store and run through the alias");
    CHECK(call_at((uint64_t)buf2) == 7, "alias: run the original again");

    /* 4 */
    uint32_t sum = 0;
    for (uint32_t k = 0; k < 100; k++) {
        buf[1] = (uint8_t)k;
        sum += call_at((uint64_t)buf);
    }
    CHECK(sum == 4950, "loop: rewritten between calls");

    /* 5: xor %eax,%eax; add $imm8,%eax (83 C0 ib); ret -- then back */
    volatile uint8_t *b = buf;
    b[0] = 0x31; b[1] = 0xc0; b[2] = 0x83; b[3] = 0xc0; b[4] = 0x2a; b[5] = 0xc3;
    CHECK(call_at((uint64_t)buf) == 42, "different instruction boundaries");
    emit_mov_ret(buf, 0x12345678);
    CHECK(call_at((uint64_t)buf) == 0x12345678, "back to the first layout");

    if (x86t_failures)
        return 1;
    x86t_puts("x86 smc: all checks passed\n");
    return 0;
}
