/* x86_64 self-checking test kernel: 4-level paging (Intel SDM vol. 3A ch. 4)
 * — 4 KiB, 2 MiB and 1 GiB pages, accessed/dirty bits (§4.8), NX with
 * EFER.NXE and the reserved XD bit without it, CR0.WP, SMEP and SMAP with
 * STAC/CLAC and RFLAGS.AC (§4.6), the #PF error codes and CR2 (§4.7),
 * INVLPG, global pages across CR3 writes, PCID with the CR3 bit-63
 * no-flush rule and INVPCID types 0-3 (§4.10).
 *
 * Checks marked "(model)" expect a stale translation that the TLB may keep
 * until it is invalidated: hardware is allowed to drop it earlier, hvsim
 * keeps it (docs/x86.md "TLB"); every other check is what the SDM
 * requires. The test pages live at T = 0x8000000000 (PML4 entry 1). */
#include <stdint.h>
#include "x86t.h"

#define T 0x0000008000000000ull
#define PG_P 1ull
#define PG_W 2ull
#define PG_U 4ull
#define PG_A 0x20ull
#define PG_D 0x40ull
#define PG_PS 0x80ull
#define PG_G 0x100ull
#define PG_XD (1ull << 63)

static volatile uint64_t pdpt[512] __attribute__((aligned(4096)));
static volatile uint64_t pd[512] __attribute__((aligned(4096)));
static volatile uint64_t pt[512] __attribute__((aligned(4096)));
static uint8_t pages[16][4096] __attribute__((aligned(4096)));
static uint64_t cr3_base;

static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }
static inline uint8_t rd8(uint64_t va) { return *(volatile uint8_t *)va; }
static inline void wr8(uint64_t va, uint8_t v) { *(volatile uint8_t *)va = v; }
/* Test page i is at T + (0x80 + i) * 4 KiB: TLB slots (page number mod
 * 256) that the kernel's own pages (0x100000-0x17ffff) do not use, so the
 * (model) checks see no eviction. */
static uint64_t va(int i) { return T + (uint64_t)(0x80 + i) * 4096; }
static void map(int i, int page, uint64_t flags) { pt[0x80 + i] = (uint64_t)pages[page] | flags; }

/* Reads / writes / calls at va and reports the exception vector (or ~0). */
static uint64_t try_access(uint64_t a, int kind)
{
    x86t_last_vector = ~0ull;
    x86t_last_error = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"
                     "mov %%rsp, x86t_resume_rsp(%%rip)\n\t"
                     "cmp $1, %1\n\tjb 3f\n\tje 4f\n\tcall *%0\n\tjmp 1f\n"
                     "3:\tmovb (%0), %%al\n\tjmp 1f\n"
                     "4:\tmovb $0x5a, (%0)\n"
                     "1:\tmovq $0, x86t_resume(%%rip)\n\tmovq $0, x86t_resume_rsp(%%rip)"
                     ::"r"(a), "r"((uint64_t)kind) : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
                       "r10", "r11", "memory", "cc");
    return x86t_last_vector;
}
enum { READ = 0, WRITE = 1, CALL = 2 };

#define PF(name, a, kind, err)                                                        \
    do {                                                                              \
        uint64_t v_ = try_access(a, kind);                                            \
        CHECKX(v_ == 14, name ": #PF", v_);                                           \
        CHECKX(x86t_last_error == (err), name ": error code", x86t_last_error);       \
        CHECKX(x86t_last_cr2 == (a), name ": CR2", x86t_last_cr2);                   \
    } while (0)
#define OK(name, a, kind)                                                             \
    do {                                                                              \
        uint64_t v_ = try_access(a, kind);                                            \
        CHECKX(v_ == ~0ull, name ": no exception", v_);                               \
    } while (0)

static void setup(void)
{
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    cr3_base = read_cr3() & ~0xfffull;
    pml4[1] = (uint64_t)pdpt | PG_P | PG_W | PG_U;
    pdpt[0] = (uint64_t)pd | PG_P | PG_W | PG_U;
    pdpt[1] = 0 | PG_P | PG_W | PG_PS;          /* T + 1 GiB -> 0: a 1 GiB page */
    pd[0] = (uint64_t)pt | PG_P | PG_W | PG_U;
    pd[1] = 0x400000 | PG_P | PG_W | PG_PS;     /* T + 2 MiB -> 4 MiB: a 2 MiB page */
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 4096; k++)
            pages[i][k] = (uint8_t)(0x10 * i + 1);
        map(i, i, PG_P | PG_W);
    }
    write_cr3(read_cr3());
}

static void test_sizes_ad(void)
{
    CHECK(rd8(va(3)) == 0x31, "4 KiB page: data through the mapping");
    *(volatile uint64_t *)0x400008 = 0x1122334455667788ull;
    CHECK(*(volatile uint64_t *)(T + (2ull << 20) + 8) == 0x1122334455667788ull, "2 MiB page");
    static volatile uint64_t marker = 0xfeedface12345678ull;
    CHECK(*(volatile uint64_t *)(T + (1ull << 30) + (uint64_t)&marker) == marker, "1 GiB page");
    CHECK(pdpt[1] & PG_A, "1 GiB page: A set in the PDPTE");
    CHECK(!(pdpt[1] & PG_D), "1 GiB page read only: D clear");
    *(volatile uint8_t *)(T + (2ull << 20) + 16) = 1;
    CHECK((pd[1] & (PG_A | PG_D)) == (PG_A | PG_D), "2 MiB page written: A and D set in the PDE");
    /* A/D on a fresh 4 KiB PTE */
    map(1, 1, PG_P | PG_W);
    invlpg(va(1));
    (void)rd8(va(1));
    CHECK((pt[0x81] & (PG_A | PG_D)) == PG_A, "read: A set, D clear in the PTE");
    CHECK(pd[0] & PG_A, "A set in the PDE on the walk");
    wr8(va(1), 7);
    CHECK((pt[0x81] & (PG_A | PG_D)) == (PG_A | PG_D), "write after a read (page in the TLB clean): D set");
}

static void test_nx_wp(void)
{
    pages[2][0] = 0xc3; /* ret */
    map(2, 2, PG_P | PG_W);
    invlpg(va(2));
    OK("call into an executable page", va(2), CALL);
    map(2, 2, PG_P | PG_W | PG_XD);
    invlpg(va(2));
    PF("NX: fetch from an XD page", va(2), CALL, 0x11);
    OK("NX: reads of an XD page are fine", va(2), READ);
    /* XD without EFER.NXE is a reserved bit */
    wrmsr(0xc0000080, rdmsr(0xc0000080) & ~(1ull << 11));
    PF("XD with NXE = 0: reserved bit", va(2), READ, 0x9);
    wrmsr(0xc0000080, rdmsr(0xc0000080) | (1ull << 11));
    map(2, 2, PG_P | PG_W);
    invlpg(va(2));

    map(3, 3, PG_P); /* read-only, supervisor */
    invlpg(va(3));
    PF("WP = 1: supervisor write to a read-only page", va(3), WRITE, 0x3);
    write_cr0(read_cr0() & ~(1ull << 16));
    OK("WP = 0: supervisor write to a read-only page", va(3), WRITE);
    CHECK(pages[3][0] == 0x5a, "WP = 0: the write landed");
    write_cr0(read_cr0() | (1ull << 16));
    PF("WP = 1 again", va(3), WRITE, 0x3);
}

static void test_smep_smap(void)
{
    pages[4][0] = 0xc3;
    map(4, 4, PG_P | PG_W | PG_U);
    map(5, 5, PG_P | PG_W | PG_U);
    invlpg(va(4));
    invlpg(va(5));
    OK("SMEP off: supervisor call into a user page", va(4), CALL);
    write_cr4(read_cr4() | (1u << 20));
    PF("SMEP: supervisor fetch from a user page", va(4), CALL, 0x11);
    write_cr4(read_cr4() & ~(1ull << 20));

    OK("SMAP off: supervisor read of a user page", va(5), READ);
    write_cr4(read_cr4() | (1u << 21));
    PF("SMAP: supervisor read of a user page", va(5), READ, 0x1);
    PF("SMAP: supervisor write to a user page", va(5), WRITE, 0x3);
    __asm__ volatile("stac");
    OK("SMAP with STAC: read", va(5), READ);
    OK("SMAP with STAC: write", va(5), WRITE);
    __asm__ volatile("clac");
    PF("SMAP after CLAC", va(5), READ, 0x1);
    __asm__ volatile("pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq" ::: "memory", "cc");
    OK("SMAP with RFLAGS.AC set by POPF", va(5), READ);
    __asm__ volatile("clac");
    OK("SMAP: supervisor pages unaffected", va(6), READ);
    write_cr4(read_cr4() & ~(1ull << 21));
}

static void test_invlpg_global(void)
{
    /* INVLPG drops exactly the page (and its global entry) */
    map(6, 6, PG_P | PG_W);
    map(7, 7, PG_P | PG_W);
    write_cr3(read_cr3());
    CHECK(rd8(va(6)) == 0x61 && rd8(va(7)) == 0x71, "two pages mapped");
    map(6, 7, PG_P | PG_W);
    map(7, 6, PG_P | PG_W);
    CHECK(rd8(va(6)) == 0x61, "(model) PTE changed, no invalidation: the old translation");
    invlpg(va(6));
    CHECK(rd8(va(6)) == 0x71, "INVLPG: the new translation");
    CHECK(rd8(va(7)) == 0x71, "(model) INVLPG drops only its page");
    invlpg(va(7));
    CHECK(rd8(va(7)) == 0x61, "INVLPG of the other page");

    /* INVLPG of one 4 KiB piece of a 2 MiB page drops the whole page */
    uint64_t big = T + (2ull << 20);
    *(volatile uint64_t *)(0x400000 + 0x3000) = 1;
    *(volatile uint64_t *)(0x600000 + 0x3000) = 2;
    *(volatile uint64_t *)(0x400000 + 0x5000) = 3;
    *(volatile uint64_t *)(0x600000 + 0x5000) = 4;
    CHECK(*(volatile uint64_t *)(big + 0x3000) == 1 && *(volatile uint64_t *)(big + 0x5000) == 3, "2 MiB page: two pieces");
    pd[1] = 0x600000 | PG_P | PG_W | PG_PS;
    invlpg(big + 0x1000);
    CHECK(*(volatile uint64_t *)(big + 0x3000) == 2 && *(volatile uint64_t *)(big + 0x5000) == 4,
          "INVLPG of any address in a 2 MiB page drops all of it");

    /* global pages survive a CR3 write; toggling CR4.PGE drops them */
    map(8, 8, PG_P | PG_W | PG_G);
    map(9, 9, PG_P | PG_W);
    invlpg(va(8));
    invlpg(va(9));
    CHECK(rd8(va(8)) == 0x81 && rd8(va(9)) == 0x91, "global and non-global page");
    map(8, 9, PG_P | PG_W | PG_G);
    map(9, 8, PG_P | PG_W);
    write_cr3(read_cr3());
    CHECK(rd8(va(8)) == 0x81, "(model) a global translation survives a CR3 write");
    CHECK(rd8(va(9)) == 0x81, "a CR3 write drops non-global translations");
    write_cr4(read_cr4() & ~(1ull << 7));
    write_cr4(read_cr4() | (1ull << 7));
    CHECK(rd8(va(8)) == 0x91, "toggling CR4.PGE drops global translations");
    map(8, 8, PG_P | PG_W);
    map(9, 9, PG_P | PG_W);
    write_cr4(read_cr4() & ~(1ull << 7));
    write_cr4(read_cr4() | (1ull << 7));
}

static void invpcid(uint64_t type, uint64_t pcid, uint64_t addr)
{
    struct { uint64_t pcid, addr; } d = { pcid, addr };
    __asm__ volatile("invpcid %1, %0" ::"r"(type), "m"(d) : "memory");
}

static void test_pcid(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    int has_pcid = (r[2] >> 17) & 1;
    cpuid(7, 0, r);
    int has_invpcid = (r[1] >> 10) & 1;
    CHECK(has_pcid && has_invpcid, "CPUID reports PCID and INVPCID");
    if (!has_pcid || !has_invpcid)
        return;
    write_cr3(cr3_base | 8); /* PWT: CR3[11:0] != 0 */
    EXPECT_EXC("#GP setting CR4.PCIDE with CR3[11:0] != 0", 13, 0,
               "mov %%cr4, %%rcx\n\tbts $17, %%rcx\n\tmov %%rcx, %%cr4");
    write_cr3(cr3_base);
    write_cr4(read_cr4() | (1u << 17));
    CHECK(read_cr4() & (1u << 17), "CR4.PCIDE set");
    write_cr3(cr3_base | 1);
    CHECK((read_cr3() & 0xfff) == 1, "CR3[11:0] is the PCID");

    map(10, 10, PG_P | PG_W);
    map(11, 11, PG_P | PG_W);
    invlpg(va(10));
    invlpg(va(11));
    CHECK(rd8(va(10)) == 0xa1, "PCID 1: page 10");
    map(10, 11, PG_P | PG_W);
    write_cr3(cr3_base | 1 | 1ull << 63);
    CHECK((read_cr3() >> 63) == 0, "CR3 bit 63 is not stored");
    CHECK(rd8(va(10)) == 0xa1, "(model) CR3 write with bit 63: no invalidation");
    write_cr3(cr3_base | 1);
    CHECK(rd8(va(10)) == 0xb1, "CR3 write without bit 63 invalidates the PCID");
    map(10, 10, PG_P | PG_W);
    write_cr3(cr3_base | 2 | 1ull << 63);
    CHECK(rd8(va(10)) == 0xa1, "PCID 2 does not use PCID 1's translations");

    /* INVPCID (PCID 2 current) */
    (void)rd8(va(11));
    map(8, 8, PG_P | PG_W | PG_G);
    invlpg(va(8));
    CHECK(rd8(va(8)) == 0x81, "a global page");
    map(10, 11, PG_P | PG_W);
    map(11, 10, PG_P | PG_W);
    map(8, 9, PG_P | PG_W | PG_G);
    invpcid(0, 1, va(10));
    CHECK(rd8(va(10)) == 0xa1, "(model) INVPCID type 0 for another PCID keeps the current one's");
    invpcid(0, 2, va(10));
    CHECK(rd8(va(10)) == 0xb1, "INVPCID type 0: the address");
    CHECK(rd8(va(11)) == 0xb1, "(model) INVPCID type 0: only the address");
    invpcid(0, 2, va(8));
    CHECK(rd8(va(8)) == 0x81, "(model) INVPCID type 0 keeps global translations");
    invpcid(1, 2, 0);
    CHECK(rd8(va(11)) == 0xa1, "INVPCID type 1: the PCID's translations");
    CHECK(rd8(va(8)) == 0x81, "(model) INVPCID type 1 keeps global translations");
    map(11, 11, PG_P | PG_W);
    invpcid(3, 0, 0);
    CHECK(rd8(va(11)) == 0xb1, "INVPCID type 3: all non-global");
    CHECK(rd8(va(8)) == 0x81, "(model) INVPCID type 3 keeps global translations");
    invpcid(2, 0, 0);
    CHECK(rd8(va(8)) == 0x91, "INVPCID type 2: global translations too");
    map(8, 8, PG_P | PG_W);
    map(10, 10, PG_P | PG_W);
    invpcid(2, 0, 0);

    EXPECT_EXC("#GP INVPCID type 4", 13, 0, "mov $4, %%ecx\n\tinvpcid (%%rsp), %%rcx");
    static struct { uint64_t pcid, addr; } bad1 = { 0x1000, 0 }, bad2 = { 2, 0x0000800000000000ull };
    EXPECT_EXC("#GP INVPCID descriptor bits 63:12", 13, 0, "mov $1, %%ecx\n\tinvpcid %0, %%rcx", "m"(bad1));
    EXPECT_EXC("#GP INVPCID type 0, non-canonical address", 13, 0, "xor %%ecx, %%ecx\n\tinvpcid %0, %%rcx", "m"(bad2));
    write_cr3(cr3_base);
    write_cr4(read_cr4() & ~(1ull << 17));
}

int kmain(void)
{
    x86t_puts("x86 paging: start\n");
    x86t_idt_init();
    x86t_sys_init();
    setup();
    test_sizes_ad();
    test_nx_wp();
    test_smep_smap();
    test_invlpg_global();
    test_pcid();
    return x86t_report("paging");
}
