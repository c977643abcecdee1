/* The tagged TLB under VMX (docs/vmx.md "TLB"; SDM vol. 3C §29.4 "Caching
 * translation information"): run by tests/e2e/t_x86_vmx_tlb.sh with
 * [cpu] vmx = on. The host changes a mapping (a PTE of the page tables it
 * shares with the guest, or an EPT entry) without invalidating and checks
 * what the guest, or the host itself, then reads:
 *   - a stale mapping survives where the SDM lets it: across VM exits and
 *     entries with "enable VPID", an INVVPID of another VPID, an INVEPT of
 *     another EP4TA, INVEPT for a linear (EPT off) mapping, a guest's MOV to
 *     CR3 in another VPID, INVVPID all-context for root's VPID 0, a
 *     single-context-retaining-globals INVVPID for a global page;
 *   - and is gone after the invalidation that names it: INVVPID types 0-3,
 *     INVEPT single- and all-context, the guest's own MOV to CR3 / INVLPG,
 *     and a VM entry/exit without "enable VPID" (VPID 0's mappings, root's
 *     included).
 * A processor may always invalidate more (§29.4.3), so reading the new
 * value after an invalidation is required and reading the old one where
 * none happened is what proves the tags (hvsim keeps every entry it may).
 * The test pages sit at TLB-distinct linear pages (la[19:12] = E0H-E3H,
 * away from the kernel's own pages) so nothing else evicts them. Output on
 * COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"

#define XBASE 0x8000000000ull  /* PML4 entry 1: mapped by xpdpt below */
#define V_LIN (XBASE + 0xe0000) /* guest test page (linear mappings) */
#define V_GLB (XBASE + 0xe1000) /* the same, with G = 1 */
#define V_HOST (XBASE + 0xe2000) /* the host's test page (root, VPID 0) */
#define V_EPT (XBASE + 0xe3000) /* guest test page through EPT (combined mappings) */
#define PTE_P 1u
#define PTE_W 2u
#define PTE_G 0x100u

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));
static uint64_t xpdpt[512] __attribute__((aligned(4096)));
static uint64_t xpd[512] __attribute__((aligned(4096)));
static uint64_t xpt[512] __attribute__((aligned(4096)));
static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t ept_pd[512] __attribute__((aligned(4096)));
static uint64_t ept_pt[512] __attribute__((aligned(4096)));
#define VAL_A 0xaaaa0000aaaa0001ull
#define VAL_B 0xbbbb0000bbbb0002ull

/* The guests: read (%rbx) into RAX, VMCALL. guest_cr3 reloads CR3 first
 * (MOV to CR3: the current VPID's non-global mappings go), guest_invlpg
 * runs INVLPG (%rbx) first. */
void guest_read(void);
void guest_cr3(void);
void guest_invlpg(void);
__asm__(".text\n"
        ".globl guest_read\nguest_read:\n\t"
        "mov (%rbx), %rax\n\tvmcall\n\tud2\n"
        ".globl guest_cr3\nguest_cr3:\n\t"
        "mov %cr3, %rcx\n\tmov %rcx, %cr3\n\tmov (%rbx), %rax\n\tvmcall\n\tud2\n"
        ".globl guest_invlpg\nguest_invlpg:\n\t"
        "invlpg (%rbx)\n\tmov (%rbx), %rax\n\tvmcall\n\tud2\n");

static int launched;

/* Runs guest code fn reading la with the given VPID (0: "enable VPID" off)
 * and EPT on or off; returns what it read (0 on an unexpected exit). */
static uint64_t guest_reads(void (*fn)(void), uint64_t la, uint16_t vpid, int ept)
{
    uint32_t proc2 = (vpid ? 1u << 5 : 0) | (ept ? 1u << 1 : 0);
    vmw(PROC, vmx_adjust(0x48e, proc2 ? 1u << 31 : 0));
    vmw(PROC2, proc2);
    vmw(V_VPID, vpid);
    vmw(G_RIP, (uint64_t)fn);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    struct gregs g = { 0 };
    g.rbx = la;
    uint64_t r = vm_enter(&g, !launched);
    launched = 1;
    CHECKX(r == 0, "VM entry", r | vmr(INSN_ERROR) << 16);
    uint64_t reason = vmr(EXIT_REASON);
    CHECKX(reason == 18, "the guest exits with VMCALL", reason);
    return reason == 18 ? g.rax : 0;
}

static void set_pte(uint64_t la, const void *page, unsigned flags)
{
    xpt[(la >> 12) & 511] = (uint64_t)page | PTE_P | PTE_W | flags;
}
static void set_ept(const void *gpa_page, const void *hpa_page)
{
    ept_pt[((uint64_t)gpa_page >> 12) & 511] = (uint64_t)hpa_page | EPT_WB | EPT_RWX;
}
static uint64_t host_read(uint64_t la) { return *(volatile uint64_t *)la; }

#define SEES(what, got, want) CHECKX((got) == (want), what, got)

/* Linear mappings (EPT off) of VPIDs 1 and 2. */
static void test_vpid(void)
{
    set_pte(V_LIN, page_a, 0);
    set_pte(V_GLB, page_a, PTE_G);
    SEES("VPID 1 reads page A", guest_reads(guest_read, V_LIN, 1, 0), VAL_A);
    SEES("VPID 1 reads page A (global PTE)", guest_reads(guest_read, V_GLB, 1, 0), VAL_A);
    set_pte(V_LIN, page_b, 0);
    set_pte(V_GLB, page_b, PTE_G);
    SEES("VPID 2 reads the new mapping (its own tag)", guest_reads(guest_read, V_LIN, 2, 0), VAL_B);
    SEES("VPID 1 keeps its stale mapping across exit and entry", guest_reads(guest_read, V_LIN, 1, 0), VAL_A);
    SEES("VPID 1 keeps its stale global mapping", guest_reads(guest_read, V_GLB, 1, 0), VAL_A);

    CHECK(invvpid(0, 2, V_LIN) == 0, "invvpid individual-address, VPID 2");
    CHECK(invept(2, 0) == 0, "invept all-context");
    SEES("INVVPID of VPID 2 and INVEPT leave VPID 1's linear mapping", guest_reads(guest_read, V_LIN, 1, 0), VAL_A);
    CHECK(invvpid(0, 1, V_LIN + 0x123) == 0, "invvpid individual-address, VPID 1");
    SEES("after INVVPID individual-address", guest_reads(guest_read, V_LIN, 1, 0), VAL_B);
    SEES("INVVPID individual-address drops only its page", guest_reads(guest_read, V_GLB, 1, 0), VAL_A);

    set_pte(V_LIN, page_a, 0);
    CHECK(invvpid(3, 1, 0) == 0, "invvpid single-context retaining globals");
    SEES("after INVVPID type 3: the non-global page is new", guest_reads(guest_read, V_LIN, 1, 0), VAL_A);
    SEES("after INVVPID type 3: the global page is kept", guest_reads(guest_read, V_GLB, 1, 0), VAL_A);
    CHECK(invvpid(1, 1, 0) == 0, "invvpid single-context");
    SEES("after INVVPID single-context: the global page too", guest_reads(guest_read, V_GLB, 1, 0), VAL_B);

    /* both VPIDs cache A, the PTE moves to B: INVVPID all-context */
    set_pte(V_LIN, page_a, 0);
    SEES("VPID 1 reads A", guest_reads(guest_read, V_LIN, 1, 0), VAL_A);
    SEES("VPID 2 reads A", guest_reads(guest_read, V_LIN, 2, 0), VAL_A);
    set_pte(V_LIN, page_b, 0);
    SEES("VPID 1 stale", guest_reads(guest_read, V_LIN, 1, 0), VAL_A);
    SEES("VPID 2 stale", guest_reads(guest_read, V_LIN, 2, 0), VAL_A);
    CHECK(invvpid(2, 0, 0) == 0, "invvpid all-context");
    SEES("after INVVPID all-context (VPID 1)", guest_reads(guest_read, V_LIN, 1, 0), VAL_B);
    SEES("after INVVPID all-context (VPID 2)", guest_reads(guest_read, V_LIN, 2, 0), VAL_B);

    /* the guest's MOV to CR3 and INVLPG: its own VPID only */
    set_pte(V_LIN, page_a, 0);
    SEES("VPID 2 stale before VPID 1's MOV to CR3", guest_reads(guest_read, V_LIN, 2, 0), VAL_B);
    SEES("VPID 1's MOV to CR3 drops its mapping", guest_reads(guest_cr3, V_LIN, 1, 0), VAL_A);
    SEES("VPID 2 keeps its mapping after VPID 1's MOV to CR3", guest_reads(guest_read, V_LIN, 2, 0), VAL_B);
    SEES("VPID 2's INVLPG drops its mapping", guest_reads(guest_invlpg, V_LIN, 2, 0), VAL_A);
    set_pte(V_LIN, page_b, 0);
    SEES("VPID 1 reads the global page (B)", guest_reads(guest_cr3, V_GLB, 1, 0), VAL_B);
    set_pte(V_GLB, page_a, PTE_G);
    SEES("a global mapping survives the guest's MOV to CR3", guest_reads(guest_cr3, V_GLB, 1, 0), VAL_B);
    SEES("INVLPG drops a global page", guest_reads(guest_invlpg, V_GLB, 1, 0), VAL_A);
}

/* Root's mappings (VPID 0): kept across entries/exits with VPID, dropped
 * by an entry/exit without it (§29.4.3.3), untouched by INVVPID
 * all-context. */
static void test_root(void)
{
    set_pte(V_HOST, page_a, 0);
    invlpg(V_HOST);
    SEES("host reads page A", host_read(V_HOST), VAL_A);
    set_pte(V_HOST, page_b, 0);
    SEES("host: stale mapping without INVLPG", host_read(V_HOST), VAL_A);
    guest_reads(guest_read, V_LIN, 1, 0);
    SEES("host mapping survives a guest run with VPID 1", host_read(V_HOST), VAL_A);
    CHECK(invvpid(2, 0, 0) == 0, "invvpid all-context");
    SEES("host mapping survives INVVPID all-context (VPID 0 excluded)", host_read(V_HOST), VAL_A);
    CHECK(invept(2, 0) == 0, "invept all-context");
    SEES("host mapping survives INVEPT (a linear mapping)", host_read(V_HOST), VAL_A);
    guest_reads(guest_read, V_LIN, 0, 0);
    SEES("a guest run without VPID flushes VPID 0: host sees page B", host_read(V_HOST), VAL_B);
    /* and the guest without VPID never sees a stale mapping across runs */
    set_pte(V_LIN, page_a, 0);
    SEES("guest without VPID reads page A", guest_reads(guest_read, V_LIN, 0, 0), VAL_A);
    set_pte(V_LIN, page_b, 0);
    SEES("guest without VPID: the entry flushed VPID 0", guest_reads(guest_read, V_LIN, 0, 0), VAL_B);
}

/* Combined mappings (EPT on): the guest's PTE maps V_EPT to guest-physical
 * page_a; the host remaps page_a's EPT entry to page_b. */
static void test_ept(void)
{
    uint64_t eptp = vmxt_ept_identity(ept_pml4, ept_pdpt, ept_pd, ept_pt, 512, 0);
    CHECKX((uint64_t)page_b < (2u << 20), "test pages in the first 2 MiB", (uint64_t)page_b);
    uint64_t other = (uint64_t)ept_pdpt | 3u << 3 | 6; /* a valid EPTP with another EP4TA */
    vmw(V_EPTP, eptp);
    set_pte(V_EPT, page_a, 0);
    SEES("EPT guest (VPID 1) reads page A", guest_reads(guest_read, V_EPT, 1, 1), VAL_A);
    set_ept(page_a, page_b);
    SEES("combined mapping survives exit and entry", guest_reads(guest_read, V_EPT, 1, 1), VAL_A);
    SEES("the same guest without EPT reads through its own tag", guest_reads(guest_read, V_EPT, 1, 0), VAL_A);
    CHECK(invept(1, other) == 0, "invept single-context, another EPTP");
    CHECK(invvpid(1, 2, 0) == 0, "invvpid single-context, VPID 2");
    SEES("INVEPT of another EP4TA, INVVPID of another VPID: still stale", guest_reads(guest_read, V_EPT, 1, 1), VAL_A);
    CHECK(invept(1, eptp) == 0, "invept single-context");
    SEES("after INVEPT single-context", guest_reads(guest_read, V_EPT, 1, 1), VAL_B);
    set_ept(page_a, page_a);
    SEES("stale again", guest_reads(guest_read, V_EPT, 1, 1), VAL_B);
    CHECK(invept(2, 0) == 0, "invept all-context");
    SEES("after INVEPT all-context", guest_reads(guest_read, V_EPT, 1, 1), VAL_A);
    set_ept(page_a, page_b);
    SEES("stale again (2)", guest_reads(guest_read, V_EPT, 1, 1), VAL_A);
    CHECK(invvpid(0, 1, V_EPT) == 0, "invvpid individual-address");
    SEES("INVVPID drops combined mappings too", guest_reads(guest_read, V_EPT, 1, 1), VAL_B);
    set_ept(page_a, page_a);
    SEES("an EPT guest without VPID: no stale mapping across runs", guest_reads(guest_read, V_EPT, 0, 1), VAL_A);
    set_ept(page_a, page_b);
    SEES("... the entry flushed VPID 0's combined mappings", guest_reads(guest_read, V_EPT, 0, 1), VAL_B);
    set_ept(page_a, page_a);
}

#ifdef VMX_TLB_BENCH
/* x86-vmx_bench.elf (docs/vmx.md "Cost"): an exit-heavy loop for the
 * host-cost measurement: BENCH_EXITS VMCALL exits with VPID 1, the guest
 * touching 8 data pages between two exits, the host 8 of its own. */
#define BENCH_EXITS 200000
static uint64_t bench_data[8][512] __attribute__((aligned(4096)));
static uint64_t host_data[8][512] __attribute__((aligned(4096)));
void guest_bench(void);
__asm__(".text\n.globl guest_bench\nguest_bench:\n\t"
        "xor %eax, %eax\n"
        "1:\tmov %rbx, %rsi\n\tmov $8, %ecx\n"
        "2:\tadd (%rsi), %rax\n\tadd $4096, %rsi\n\tdec %ecx\n\tjnz 2b\n\t"
        "vmcall\n\tjmp 1b\n");

static void bench(void)
{
    vmw(PROC, vmx_adjust(0x48e, 1u << 31));
    vmw(PROC2, 1u << 5);
    vmw(V_VPID, 1);
    vmw(G_RIP, (uint64_t)guest_bench);
    struct gregs g = { 0 };
    g.rbx = (uint64_t)bench_data;
    uint64_t sum = 0;
    for (int i = 0; i < BENCH_EXITS; i++) {
        CHECK(vm_enter(&g, i == 0) == 0, "bench entry");
        vmw(G_RIP, vmr(G_RIP) + 3); /* past the VMCALL */
        for (int k = 0; k < 8; k++)
            sum += host_data[k][i & 511];
    }
    CHECKX(vmr(EXIT_REASON) == 18 && sum == 0, "bench: VMCALL exits", vmr(EXIT_REASON));
}
#endif

int kmain(void)
{
    x86t_puts("x86 vmx-tlb: start\n");
    x86t_idt_init();
    x86t_sys_init();
    for (int i = 0; i < 512; i++) {
        page_a[i] = VAL_A;
        page_b[i] = VAL_B;
    }
    /* PML4[1] (la 8000000000H) -> xpdpt -> xpd -> xpt: 4-KByte test pages */
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    pml4[1] = (uint64_t)xpdpt | PTE_P | PTE_W;
    xpdpt[0] = (uint64_t)xpd | PTE_P | PTE_W;
    xpd[0] = (uint64_t)xpt | PTE_P | PTE_W;
    write_cr4(read_cr4() | 1u << 7); /* PGE: global pages */
    vmxt_start("vmx-tlb", vmxon_region, vmcs);
    vmxt_setup((uint64_t)guest_read, (uint64_t)(guest_stack + sizeof guest_stack), 0, 0, 0,
               X86T_TSS, (uint64_t)&x86t_tss);
#ifdef VMX_TLB_BENCH
    bench();
    if (0) /* built, not run */
#endif
    {
        test_vpid();
        test_root();
        test_ept();
    }
    return vmxt_finish("vmx-tlb", vmcs);
}
