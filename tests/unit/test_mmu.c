/* Unit tests for Sv39/Sv48 address translation (src/cpu/riscv/mmu.c).
 *
 * Page tables are built in guest RAM by the tests; rv_translate() is called
 * directly (white box) or S-mode code is run. Spec: RISC-V privileged 1.12
 * §4.3 (Sv32 walk algorithm, §4.3.2, which Sv39/Sv48 follow), §4.4 (Sv39),
 * §4.5 (Sv48), §4.1.11 (satp), §4.2.1 (sfence.vma), §3.1.6.3 (SUM, MXR),
 * §3.7.1 (PMP checks of implicit page-table accesses). Exception causes:
 * Table 3.6 (1/5/7 access faults, 12/13/15 page faults). */
#include <check.h>
#include <stdlib.h>

#include "rv_fixture.h"
#include "cpu/riscv/isa.h"

Suite *mmu_suite(void);

/* PTE bits (§4.3.1, Figure 4.18) */
#define V (1ull << 0)
#define R (1ull << 1)
#define W (1ull << 2)
#define X (1ull << 3)
#define U (1ull << 4)
#define G (1ull << 5)
#define A (1ull << 6)
#define D (1ull << 7)

#define SATP_SV39 (8ull << 60)
#define SATP_SV48 (9ull << 60)

#define PT_BASE 0x80100000ull /* page-table pages are allocated from here */

struct pt {
    struct machine *m;
    struct rv_hart *h;
    uint64_t root;
    uint64_t next;  /* bump allocator for table pages */
    int levels;     /* 3 = Sv39, 4 = Sv48 */
};

static uint64_t pt_alloc(struct pt *p)
{
    uint64_t a = p->next;
    p->next += 4096;
    for (int i = 0; i < 512; i++)
        rvf_w64(p->m, a + 8 * (uint64_t)i, 0);
    return a;
}

static struct pt pt_new(int levels)
{
    struct pt p = { .m = rvf_machine_new(1), .next = PT_BASE, .levels = levels };
    p.h = rvf_hart(p.m, 0);
    p.root = pt_alloc(&p);
    /* S-mode page-table reads are PMP-checked (§3.7.1): allow everything. */
    rvf_pmp_allow_all(p.h);
    rvf_csrw(p.h, RVF_SATP, (levels == 4 ? SATP_SV48 : SATP_SV39) | (p.root >> 12));
    return p;
}

static uint64_t vpn(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 0x1ff; }

/* Address of the PTE for va at `level`, creating pointer PTEs above it. */
static uint64_t pte_addr(struct pt *p, uint64_t va, int level)
{
    uint64_t table = p->root;
    for (int i = p->levels - 1; i > level; i--) {
        uint64_t a = table + 8 * vpn(va, i);
        uint64_t pte = rvf_r64(p->m, a);
        if (!(pte & V)) {
            uint64_t next = pt_alloc(p);
            pte = ((next >> 12) << 10) | V; /* pointer: R=W=X=0 */
            rvf_w64(p->m, a, pte);
        }
        table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return table + 8 * vpn(va, level);
}

/* Maps va -> pa with a leaf at `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB,
 * 3 = 512 GiB). Returns the PTE's address. */
static uint64_t map(struct pt *p, uint64_t va, uint64_t pa, uint64_t flags, int level)
{
    uint64_t a = pte_addr(p, va, level);
    rvf_w64(p->m, a, ((pa >> 12) << 10) | flags);
    return a;
}

static void pt_free(struct pt *p) { rvf_machine_free(p->m); }

static int tr(struct pt *p, uint64_t va, enum rv_access acc, int mode, uint64_t *pa)
{
    *pa = 0xdeadbeef;
    return rv_translate(p->h, va, acc, mode, pa);
}

/* ---- leaves of every size ------------------------------------------------ */

START_TEST(test_sv39_4k)
{
    struct pt p = pt_new(3);
    map(&p, 0x12345000, 0x80234000, V | R | W | X | A | D, 0);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x12345678, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80234678);
    ck_assert_int_eq(tr(&p, 0x12345ff8, ACC_WRITE, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80234ff8);
    ck_assert_int_eq(tr(&p, 0x12345000, ACC_EXEC, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80234000);
    /* the neighbouring pages are not mapped */
    ck_assert_int_eq(tr(&p, 0x12346000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_PAGE_FAULT);
    ck_assert_int_eq(tr(&p, 0x12344fff, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_PAGE_FAULT);
    pt_free(&p);
}
END_TEST

START_TEST(test_sv39_2m)
{
    struct pt p = pt_new(3);
    map(&p, 0x40200000, 0x80400000, V | R | W | A | D, 1);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x40212345, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80412345);
    ck_assert_int_eq(tr(&p, 0x403ffff8, ACC_WRITE, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x805ffff8);
    ck_assert_int_eq(tr(&p, 0x40400000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_PAGE_FAULT);
    pt_free(&p);
}
END_TEST

START_TEST(test_sv39_1g)
{
    struct pt p = pt_new(3);
    map(&p, 0xc0000000, 0x80000000, V | R | A, 2);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0xc0012345, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80012345);
    ck_assert_int_eq(tr(&p, 0xfffffff0, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0xbffffff0);
    pt_free(&p);
}
END_TEST

START_TEST(test_sv48_leaves)
{
    struct pt p = pt_new(4);
    uint64_t pa;
    /* 512 GiB leaf at level 3 with PPN 0 (aligned): identity for [512G, 1T)
     * shifted by 512 GiB. */
    map(&p, 0x8000000000ull, 0, V | R | W | A | D, 3);
    ck_assert_int_eq(tr(&p, 0x8000000000ull + 0x80001234, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80001234);
    ck_assert_int_eq(tr(&p, 0xfffffffff8ull, ACC_WRITE, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x7ffffffff8ull);
    /* 1 GiB, 2 MiB and 4 KiB leaves under Sv48 */
    map(&p, 0x40000000, 0x80000000, V | R | A, 2);
    ck_assert_int_eq(tr(&p, 0x40000100, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80000100);
    map(&p, 0x10000000000ull, 0x80200000, V | R | A, 1);
    ck_assert_int_eq(tr(&p, 0x10000012345ull, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80212345);
    /* top page of the positive half */
    map(&p, 0x7ffffffff000ull, 0x80300000, V | R | A, 0);
    ck_assert_int_eq(tr(&p, 0x7ffffffff008ull, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80300008);
    pt_free(&p);
}
END_TEST

/* Bare mode and M-mode: no translation. */
START_TEST(test_bare_and_m)
{
    struct pt p = pt_new(3);
    uint64_t pa;
    /* M-mode ignores satp */
    ck_assert_int_eq(tr(&p, 0x80001234, ACC_READ, RV_MODE_M, &pa), 0);
    ck_assert_uint_eq(pa, 0x80001234);
    /* with translation on, the same va faults in S (nothing mapped) */
    ck_assert_int_eq(tr(&p, 0x80001234, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_PAGE_FAULT);
    rvf_csrw(p.h, RVF_SATP, 0);
    ck_assert_int_eq(tr(&p, 0x80001234, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80001234);
    pt_free(&p);
}
END_TEST

/* ---- faults (§4.3.2 steps 2-6) ---------------------------------------- */

/* Each kind of access gets its own page-fault cause. */
static void expect_pf(struct pt *p, uint64_t va, int mode)
{
    uint64_t pa;
    ck_assert_int_eq(tr(p, va, ACC_READ, mode, &pa), EXC_LOAD_PAGE_FAULT);
    ck_assert_int_eq(tr(p, va, ACC_WRITE, mode, &pa), EXC_STORE_PAGE_FAULT);
    ck_assert_int_eq(tr(p, va, ACC_EXEC, mode, &pa), EXC_INSN_PAGE_FAULT);
}

START_TEST(test_fault_invalid_pte)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, R | W | X | A | D, 0); /* V=0 */
    expect_pf(&p, 0x10000000, RV_MODE_S);
    /* invalid at an upper level (nothing mapped in this gigabyte) */
    expect_pf(&p, 0x50000000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* R=0, W=1 is reserved (§4.3.1) -> page fault, for every access kind. */
START_TEST(test_fault_w_without_r)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, V | W | A | D, 0);
    map(&p, 0x10001000, 0x80200000, V | W | X | A | D, 0);
    expect_pf(&p, 0x10000000, RV_MODE_S);
    expect_pf(&p, 0x10001000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* A pointer PTE at level 0 (i < 0 in step 4) -> page fault. */
START_TEST(test_fault_pointer_at_level0)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, V, 0);
    expect_pf(&p, 0x10000000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* Misaligned superpage: PPN low bits not zero (step 6). */
START_TEST(test_fault_misaligned_superpage)
{
    struct pt p = pt_new(3);
    map(&p, 0x40200000, 0x80201000, V | R | W | X | A | D, 1);   /* 2 MiB, ppn[0] != 0 */
    map(&p, 0x80000000, 0x80200000, V | R | W | X | A | D, 2);   /* 1 GiB, ppn[1] != 0 */
    expect_pf(&p, 0x40200000, RV_MODE_S);
    expect_pf(&p, 0x80000000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* Upper half of the address space: bits 63:39 (Sv39) / 63:48 (Sv48) all
 * equal to bit 38 / 47 are valid addresses (§4.4.1, §4.5.1).
 *
 * (Fixed bug: mmu.c walk() checked canonical form with
 * `((int64_t)va << (64 - vabits)) >> (64 - vabits)`; a left shift of a
 * negative value (and a signed shift that overflows) is undefined in C, and
 * the UBSan build (`make asan`, -fno-sanitize-recover) aborts with "left
 * shift of negative value" for every upper-half or non-canonical va, i.e.
 * guest input crashes the simulator (docs/architecture.md: the guest can never crash the simulator). Passes in the
 * normal build; excluded from the suite (with test_fault_noncanonical) so
 * that `make asan` keeps running, until mmu.c is fixed. */
START_TEST(test_upper_half)
{
    struct pt p = pt_new(3);
    uint64_t pa;
    map(&p, 0xffffffffc0000000ull, 0x80000000, V | R | A, 2);
    ck_assert_int_eq(tr(&p, 0xffffffffc0000010ull, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80000010);
    pt_free(&p);

    p = pt_new(4);
    map(&p, 0xffff800000000000ull, 0x80301000, V | R | A, 0);
    ck_assert_int_eq(tr(&p, 0xffff800000000010ull, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80301010);
    map(&p, 0xfffffffffffff000ull, 0x80302000, V | R | A, 0);
    ck_assert_int_eq(tr(&p, 0xfffffffffffffff8ull, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80302ff8);
    pt_free(&p);
}
END_TEST

/* Bits 63:39 (Sv39) / 63:48 (Sv48) must equal bit 38 / 47, else page fault
 * (§4.4.1, §4.5.1).
 * (Fixed bug: undefined behaviour in the canonical check, see test_upper_half.
 * Excluded from the suite until mmu.c is fixed. */
START_TEST(test_fault_noncanonical)
{
    struct pt p = pt_new(3);
    map(&p, 0x0, 0x80000000, V | R | W | X | A | D, 2);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x1000, ACC_READ, RV_MODE_S, &pa), 0);
    /* the same low bits with a non-canonical upper part */
    expect_pf(&p, 0x0000008000001000ull, RV_MODE_S);
    expect_pf(&p, 0x0000004000001000ull, RV_MODE_S);
    expect_pf(&p, 0x8000000000001000ull, RV_MODE_S);
    pt_free(&p);

    p = pt_new(4);
    map(&p, 0x0, 0x0, V | R | W | X | A | D, 3);
    ck_assert_int_eq(tr(&p, 0x80001000, ACC_READ, RV_MODE_S, &pa), 0);
    expect_pf(&p, 0x0000800080001000ull, RV_MODE_S);
    expect_pf(&p, 0x0001000080001000ull, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* U pages from S: fault unless SUM; never executable from S (§4.3.1,
 * §3.1.6.3). S pages from U: fault. */
START_TEST(test_fault_user_supervisor)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, V | R | W | X | U | A | D, 0);
    map(&p, 0x10001000, 0x80201000, V | R | W | X | A | D, 0);
    uint64_t pa;
    /* U page */
    expect_pf(&p, 0x10000000, RV_MODE_S);
    ck_assert_int_eq(tr(&p, 0x10000010, ACC_READ, RV_MODE_S_SUM, &pa), 0);
    ck_assert_uint_eq(pa, 0x80200010);
    ck_assert_int_eq(tr(&p, 0x10000010, ACC_WRITE, RV_MODE_S_SUM, &pa), 0);
    ck_assert_int_eq(tr(&p, 0x10000010, ACC_EXEC, RV_MODE_S_SUM, &pa), EXC_INSN_PAGE_FAULT);
    ck_assert_int_eq(tr(&p, 0x10000010, ACC_READ, RV_MODE_U, &pa), 0);
    ck_assert_int_eq(tr(&p, 0x10000010, ACC_EXEC, RV_MODE_U, &pa), 0);
    /* S page */
    expect_pf(&p, 0x10001000, RV_MODE_U);
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_EXEC, RV_MODE_S, &pa), 0);
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_EXEC, RV_MODE_S_SUM, &pa), 0);
    pt_free(&p);
}
END_TEST

/* MXR makes execute-only pages readable (not writable) (§3.1.6.3). */
START_TEST(test_mxr)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, V | X | A | D, 0);
    map(&p, 0x10001000, 0x80201000, V | X | U | A | D, 0);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_PAGE_FAULT);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_EXEC, RV_MODE_S, &pa), 0);
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_READ, RV_MODE_U, &pa), EXC_LOAD_PAGE_FAULT);
    rvf_csrw(p.h, RVF_MSTATUS, MSTATUS_MXR);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, 0x80200000);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_WRITE, RV_MODE_S, &pa), EXC_STORE_PAGE_FAULT);
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_READ, RV_MODE_U, &pa), 0);
    /* MXR does not override the U/S check: still no SUM */
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_PAGE_FAULT);
    pt_free(&p);
}
END_TEST

/* Bits 63:54 are reserved: set -> page fault (§4.4.1, 1.12 without
 * Svpbmt/Svnapot). */
START_TEST(test_fault_reserved_bits)
{
    struct pt p = pt_new(3);
    static const int bit[] = { 54, 58, 61, 62, 63 };
    for (int i = 0; i < 5; i++) {
        uint64_t va = 0x10000000 + 0x1000 * (uint64_t)i;
        map(&p, va, 0x80200000, V | R | W | X | A | D | (1ull << bit[i]), 0);
        expect_pf(&p, va, RV_MODE_S);
    }
    /* the same in a pointer PTE */
    uint64_t a = pte_addr(&p, 0x10000000, 1);
    rvf_w64(p.m, a, rvf_r64(p.m, a) | (1ull << 60));
    map(&p, 0x10000000 + 0x10000, 0x80200000, V | R | W | X | A | D, 0);
    expect_pf(&p, 0x10010000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* Svpbmt (priv 20211203 ch. 7): PTE bits 62:61 are PBMT when the hart has
 * Svpbmt and menvcfg.PBMTE is set (PMA 0, NC 1, IO 2 translate alike: there
 * is no cache to differ); PBMTE clear, the value 3 and a non-leaf PTE with
 * PBMT set stay reserved (page fault, walk step 3). Without Svpbmt
 * menvcfg.PBMTE is read-only zero. */
START_TEST(test_svpbmt)
{
    struct pt p = pt_new(3);
    uint64_t pa;
    rvf_csrw(p.h, RVF_MENVCFG, 1ull << 62);
    ck_assert_uint_eq(rvf_csrr(p.h, RVF_MENVCFG) >> 62 & 1, 0); /* no Svpbmt: RO 0 */
    p.h->ext |= RV_EXT_SVPBMT;
    for (uint64_t t = 1; t <= 3; t++)
        map(&p, 0x10000000 + 0x1000 * t, 0x80200000 + 0x1000 * t, V | R | W | X | A | D | t << 61, 0);
    for (uint64_t t = 1; t <= 3; t++)
        expect_pf(&p, 0x10000000 + 0x1000 * t, RV_MODE_S); /* PBMTE = 0 */
    rvf_csrw(p.h, RVF_MENVCFG, 1ull << 62);
    ck_assert_uint_eq(rvf_csrr(p.h, RVF_MENVCFG) >> 62 & 1, 1);
    for (uint64_t t = 1; t <= 2; t++) {
        ck_assert_int_eq(tr(&p, 0x10000000 + 0x1000 * t + 0x123, ACC_READ, RV_MODE_S, &pa), 0);
        ck_assert_uint_eq(pa, 0x80200000 + 0x1000 * t + 0x123);
        ck_assert_int_eq(tr(&p, 0x10000000 + 0x1000 * t, ACC_WRITE, RV_MODE_S, &pa), 0);
    }
    expect_pf(&p, 0x10003000, RV_MODE_S); /* PBMT = 3: reserved */
    /* a pointer PTE with PBMT set: reserved */
    uint64_t a = pte_addr(&p, 0x20000000, 1);
    map(&p, 0x20000000, 0x80200000, V | R | W | X | A | D, 0);
    ck_assert_int_eq(tr(&p, 0x20000000, ACC_READ, RV_MODE_S, &pa), 0);
    rvf_w64(p.m, a, rvf_r64(p.m, a) | 1ull << 61);
    rvf_csrw(p.h, RVF_MENVCFG, 1ull << 62); /* drop the cached translation */
    rv_tlb_flush(p.h);
    expect_pf(&p, 0x20000000, RV_MODE_S);
    /* clearing PBMTE makes the IO page fault again (the TLB does not keep it) */
    ck_assert_int_eq(tr(&p, 0x10002000, ACC_READ, RV_MODE_S, &pa), 0);
    rvf_csrw(p.h, RVF_MENVCFG, 0);
    expect_pf(&p, 0x10002000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* Svnapot (priv 20211203 ch. 6, Table 6.1): a level-0 leaf with N = 1 and
 * ppn[3:0] = 1000b maps 64 KiB, ppn[3:0] coming from vpn[0][3:0]; any other
 * N = 1 leaf (another ppn[3:0], or a superpage) and N in a pointer PTE are
 * reserved (page fault); without Svnapot bit 63 is reserved. An
 * sfence.vma of one page drops all 16 pages of the translation. */
START_TEST(test_svnapot)
{
    struct pt p = pt_new(3);
    uint64_t pa;
    const uint64_t N = 1ull << 63, va = 0x10010000, base = 0x80250000;
    /* the 16 PTEs of the range, as software writes them */
    for (uint64_t i = 0; i < 16; i++)
        map(&p, va + 0x1000 * i, base + 0x8000, N | V | R | W | X | A | D, 0);
    expect_pf(&p, va + 0x3000, RV_MODE_S); /* no Svnapot yet */
    p.h->ext |= RV_EXT_SVNAPOT;
    for (uint64_t i = 0; i < 16; i++) {
        ck_assert_int_eq(tr(&p, va + 0x1000 * i + 0x48, ACC_READ, RV_MODE_S, &pa), 0);
        ck_assert_uint_eq(pa, base + 0x1000 * i + 0x48);
    }
    ck_assert_int_eq(tr(&p, va + 0xf000, ACC_EXEC, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(pa, base + 0xf000);
    /* other ppn[3:0] patterns are reserved */
    static const uint64_t lowbits[] = { 0x0, 0x1, 0x4, 0x9, 0xc };
    for (int i = 0; i < 5; i++) {
        uint64_t v = 0x10100000 + 0x1000 * (uint64_t)i;
        map(&p, v, base + (lowbits[i] << 12), N | V | R | W | X | A | D, 0);
        expect_pf(&p, v, RV_MODE_S);
    }
    /* N on a 2 MiB leaf, and on a pointer PTE */
    map(&p, 0x10400000, 0x80400000 + 0x8000, N | V | R | W | X | A | D, 1);
    expect_pf(&p, 0x10400000, RV_MODE_S);
    uint64_t a = pte_addr(&p, 0x20000000, 1);
    map(&p, 0x20000000, 0x80200000, V | R | W | X | A | D, 0);
    rvf_w64(p.m, a, rvf_r64(p.m, a) | N);
    expect_pf(&p, 0x20000000, RV_MODE_S);
    pt_free(&p);
}
END_TEST

/* Missing permissions: store to a read-only page, fetch from a non-X page,
 * load from an execute-only page. */
START_TEST(test_fault_permissions)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, V | R | A | D, 0);
    map(&p, 0x10001000, 0x80201000, V | R | W | A | D, 0);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), 0);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_WRITE, RV_MODE_S, &pa), EXC_STORE_PAGE_FAULT);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_EXEC, RV_MODE_S, &pa), EXC_INSN_PAGE_FAULT);
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_WRITE, RV_MODE_S, &pa), 0);
    ck_assert_int_eq(tr(&p, 0x10001000, ACC_EXEC, RV_MODE_S, &pa), EXC_INSN_PAGE_FAULT);
    pt_free(&p);
}
END_TEST

/* A/D (§4.3.2 step 7): the spec allows either a page fault or a hardware
 * update; hvsim updates in hardware: A on any access, D on a store. */
START_TEST(test_ad_update)
{
    struct pt p = pt_new(3);
    uint64_t a1 = map(&p, 0x10000000, 0x80200000, V | R | W, 0);
    uint64_t a2 = map(&p, 0x10001000, 0x80201000, V | R | W, 0);
    uint64_t a3 = map(&p, 0x10002000, 0x80202000, V | X, 0);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), 0);
    uint64_t pte = rvf_r64(p.m, a1);
    ck_assert(pte & A);
    ck_assert(!(pte & D));
    ck_assert_uint_eq(pte & ~(A | D), ((0x80200000ull >> 12) << 10) | V | R | W);

    ck_assert_int_eq(tr(&p, 0x10001000, ACC_WRITE, RV_MODE_S, &pa), 0);
    pte = rvf_r64(p.m, a2);
    ck_assert_uint_eq(pte & (A | D), A | D);

    /* write after a read: D is set by the later store */
    ck_assert_int_eq(tr(&p, 0x10000008, ACC_WRITE, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(rvf_r64(p.m, a1) & (A | D), A | D);

    ck_assert_int_eq(tr(&p, 0x10002000, ACC_EXEC, RV_MODE_S, &pa), 0);
    ck_assert_uint_eq(rvf_r64(p.m, a3) & (A | D), A);

    /* a faulting access does not set A */
    uint64_t a4 = map(&p, 0x10003000, 0x80203000, V | R, 0);
    ck_assert_int_eq(tr(&p, 0x10003000, ACC_WRITE, RV_MODE_S, &pa), EXC_STORE_PAGE_FAULT);
    ck_assert_uint_eq(rvf_r64(p.m, a4) & (A | D), 0);
    pt_free(&p);
}
END_TEST

/* Page-table reads that hit no memory are access faults of the original
 * access type: 5 load, 7 store, 1 fetch (§4.3.2 step 2). */
START_TEST(test_pte_access_fault)
{
    struct pt p = pt_new(3);
    uint64_t pa;
    /* root outside RAM */
    rvf_csrw(p.h, RVF_SATP, SATP_SV39 | (0x40000000ull >> 12));
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_ACCESS);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_WRITE, RV_MODE_S, &pa), EXC_STORE_ACCESS);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_EXEC, RV_MODE_S, &pa), EXC_INSN_ACCESS);
    /* a pointer PTE in RAM leading outside RAM */
    rvf_csrw(p.h, RVF_SATP, SATP_SV39 | (p.root >> 12));
    rvf_w64(p.m, p.root + 8 * vpn(0x10000000, 2), ((0x40000000ull >> 12) << 10) | V);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_ACCESS);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_WRITE, RV_MODE_S, &pa), EXC_STORE_ACCESS);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_EXEC, RV_MODE_S, &pa), EXC_INSN_ACCESS);
    pt_free(&p);
}
END_TEST

/* PMP denies the page-table read -> access fault (§3.7.1: implicit
 * accesses for translation are checked at S level). */
START_TEST(test_pte_pmp_fault)
{
    struct pt p = pt_new(3);
    map(&p, 0x10000000, 0x80200000, V | R | W | A | D, 0);
    uint64_t pa;
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), 0);
    /* entry 0: NAPOT 64 KiB over the page tables, no permissions;
     * entry 1: everything else */
    rvf_csrw(p.h, RVF_PMPADDR0, (PT_BASE >> 2) | 0x1fff);
    rvf_csrw(p.h, RVF_PMPADDR0 + 1, (1ull << 54) - 1);
    rvf_csrw(p.h, RVF_PMPCFG0, 0x1f18);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_READ, RV_MODE_S, &pa), EXC_LOAD_ACCESS);
    ck_assert_int_eq(tr(&p, 0x10000000, ACC_WRITE, RV_MODE_S, &pa), EXC_STORE_ACCESS);
    pt_free(&p);
}
END_TEST

/* ---- running S-mode code ------------------------------------------------- */

/* Identity-maps the first GiB of RAM (code, page tables, data) for S. */
static struct pt pt_running(void)
{
    struct pt p = pt_new(3);
    map(&p, 0x80000000, 0x80000000, V | R | W | X | A | D, 2);
    p.h->mtvec = RVF_MTVEC;
    return p;
}

/* Faulting load/store/fetch in S: mcause, mepc, mtval = faulting va
 * (§3.1.16). */
START_TEST(test_run_page_faults)
{
    struct pt p = pt_running();
    map(&p, 0x10000000, 0x80200000, V | R | A, 0);
    struct rv_hart *h = p.h;
    h->x[10] = 0x10000000;
    /* ld a1, 8(a0): fine */
    rvf_w64(p.m, 0x80200008, 0x1122334455667788ull);
    ck_assert_int_eq(rvf_step(p.m, PRV_S, rvf_ld(11, 10, 8)), -1);
    ck_assert_uint_eq(h->x[11], 0x1122334455667788ull);
    /* sd a1, 16(a0): read-only page -> 15 */
    ck_assert_int_eq(rvf_step(p.m, PRV_S, rvf_sd(11, 10, 16)), EXC_STORE_PAGE_FAULT);
    ck_assert_uint_eq(h->mtval, 0x10000010);
    ck_assert_uint_eq(h->mepc, RVF_CODE);
    /* ld a1, 0x10(a0) with a0 in an unmapped page -> 13 */
    h->x[10] = 0x10001000;
    ck_assert_int_eq(rvf_step(p.m, PRV_S, rvf_ld(11, 10, 0x10)), EXC_LOAD_PAGE_FAULT);
    ck_assert_uint_eq(h->mtval, 0x10001010);
    /* jalr x0, 0(a0) to the non-executable page, then the fetch -> 12 */
    h->x[10] = 0x10000000;
    ck_assert_int_eq(rvf_step(p.m, PRV_S, rvf_i(0x67, 0, 0, 10, 0)), -1);
    ck_assert_uint_eq(h->pc, 0x10000000);
    ck_assert_uint_eq(rvf_run(p.m, 0, 1), 1);
    ck_assert_uint_eq(h->mcause, EXC_INSN_PAGE_FAULT);
    ck_assert_uint_eq(h->mepc, 0x10000000);
    ck_assert_uint_eq(h->mtval, 0x10000000);
    pt_free(&p);
}
END_TEST

/* Through the software TLB: a load first fills a read-only entry (D=0), the
 * store must still come back to set D (§4.3.2 step 7). */
START_TEST(test_run_dirty_after_load)
{
    struct pt p = pt_running();
    uint64_t a = map(&p, 0x10000000, 0x80200000, V | R | W | A, 0);
    struct rv_hart *h = p.h;
    uint32_t code[] = { rvf_ld(11, 10, 0), rvf_sd(12, 10, 8) };
    rvf_code(p.m, RVF_CODE, code, 2);
    h->x[10] = 0x10000000;
    h->x[12] = 42;
    h->pc = RVF_CODE;
    rv_set_priv(h, PRV_S);
    ck_assert_uint_eq(rvf_run(p.m, 0, 1), 1);
    ck_assert_uint_eq(rvf_r64(p.m, a) & D, 0);
    ck_assert_uint_eq(rvf_run(p.m, 0, 1), 1);
    ck_assert_uint_eq(h->pc, RVF_CODE + 8);
    ck_assert_uint_eq(rvf_r64(p.m, a) & D, D);
    ck_assert_uint_eq(rvf_r64(p.m, 0x80200008), 42);
    pt_free(&p);
}
END_TEST

/* sfence.vma (§4.2.1): after a PTE store the old translation may still be
 * used until an sfence.vma; after it, the new one must be used. Checked for
 * sfence.vma with an address and for the global form. */
static void tlb_case(bool global)
{
    struct pt p = pt_running();
    struct rv_hart *h = p.h;
    const uint64_t va = 0x40000000, old_pa = 0x80300000, new_pa = 0x80301000;
    uint64_t pte_a = map(&p, va, old_pa, V | R | W | A | D, 0);
    rvf_w64(p.m, old_pa, 0x1111);
    rvf_w64(p.m, new_pa, 0x2222);
    uint32_t code[] = {
        rvf_ld(11, 10, 0),                        /* ld a1, 0(a0)       */
        rvf_sd(13, 12, 0),                        /* sd a3, 0(a2): PTE  */
        rvf_ld(14, 10, 0),                        /* ld a4, 0(a0)       */
        global ? RVF_SFENCE_VMA_ALL : rvf_sfence_vma(10, 0), /* sfence.vma */
        rvf_ld(15, 10, 0),                        /* ld a5, 0(a0)       */
    };
    rvf_code(p.m, RVF_CODE, code, 5);
    h->x[10] = va;
    h->x[12] = pte_a;
    h->x[13] = ((new_pa >> 12) << 10) | V | R | W | A | D;
    h->pc = RVF_CODE;
    rv_set_priv(h, PRV_S);
    ck_assert_uint_eq(rvf_run(p.m, 0, 5), 5);
    ck_assert_uint_eq(h->pc, RVF_CODE + 20);
    ck_assert_uint_eq(h->x[11], 0x1111);
    ck_assert(h->x[14] == 0x1111 || h->x[14] == 0x2222);
    ck_assert_uint_eq(h->x[15], 0x2222);
    pt_free(&p);
}

START_TEST(test_tlb_sfence_va)
{
    tlb_case(false);
}
END_TEST

START_TEST(test_tlb_sfence_all)
{
    tlb_case(true);
}
END_TEST

/* A superpage entry must also be flushed by an address-specific sfence.vma
 * naming any address inside it. */
START_TEST(test_tlb_sfence_superpage)
{
    struct pt p = pt_running();
    struct rv_hart *h = p.h;
    uint64_t pte_a = map(&p, 0x40000000, 0x80400000, V | R | W | A | D, 1); /* 2 MiB */
    rvf_w64(p.m, 0x80412000, 0x1111);
    rvf_w64(p.m, 0x80612000, 0x2222);
    uint32_t code[] = {
        rvf_ld(11, 10, 0),              /* ld a1, 0(a0) with a0 = va + 0x12000 */
        rvf_sd(13, 12, 0),              /* remap to 0x80600000 */
        rvf_sfence_vma(16, 0),          /* sfence.vma a6 (another 4K page of it) */
        rvf_ld(15, 10, 0),
    };
    rvf_code(p.m, RVF_CODE, code, 4);
    h->x[10] = 0x40012000;
    h->x[16] = 0x40000000;
    h->x[12] = pte_a;
    h->x[13] = ((0x80600000ull >> 12) << 10) | V | R | W | A | D;
    h->pc = RVF_CODE;
    rv_set_priv(h, PRV_S);
    ck_assert_uint_eq(rvf_run(p.m, 0, 4), 4);
    ck_assert_uint_eq(h->x[11], 0x1111);
    ck_assert_uint_eq(h->x[15], 0x2222);
    pt_free(&p);
}
END_TEST

/* Switching satp to another root, then sfence.vma: translations come from
 * the new root (§4.1.11, §4.2.1). */
START_TEST(test_satp_switch)
{
    struct pt p = pt_running();
    struct rv_hart *h = p.h;
    map(&p, 0x40000000, 0x80300000, V | R | A, 0);
    rvf_w64(p.m, 0x80300000, 0xaaaa);
    rvf_w64(p.m, 0x80301000, 0xbbbb);
    /* second root: same code mapping, data page elsewhere */
    uint64_t root2 = pt_alloc(&p);
    uint64_t saved = p.root;
    p.root = root2;
    map(&p, 0x80000000, 0x80000000, V | R | W | X | A | D, 2);
    map(&p, 0x40000000, 0x80301000, V | R | A, 0);
    p.root = saved;
    uint32_t code[] = {
        rvf_ld(11, 10, 0),
        rvf_csrrw(0, RVF_SATP, 12),
        RVF_SFENCE_VMA_ALL,
        rvf_ld(13, 10, 0),
    };
    rvf_code(p.m, RVF_CODE, code, 4);
    h->x[10] = 0x40000000;
    h->x[12] = SATP_SV39 | (root2 >> 12);
    h->pc = RVF_CODE;
    rv_set_priv(h, PRV_S);
    ck_assert_uint_eq(rvf_run(p.m, 0, 4), 4);
    ck_assert_uint_eq(h->x[11], 0xaaaa);
    ck_assert_uint_eq(h->x[13], 0xbbbb);
    pt_free(&p);
}
END_TEST

/* MPRV: M-mode loads use MPP's privilege and translation (§3.1.6.3). */
START_TEST(test_mprv)
{
    struct pt p = pt_running();
    struct rv_hart *h = p.h;
    map(&p, 0x40000000, 0x80300000, V | R | A, 0);
    rvf_w64(p.m, 0x80300000, 0x4242);
    h->x[10] = 0x40000000;
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MPRV | (1ull << 11)); /* MPP = S */
    ck_assert_int_eq(rvf_step(p.m, PRV_M, rvf_ld(11, 10, 0)), -1);
    ck_assert_uint_eq(h->x[11], 0x4242);
    /* MPP = U: the S page is not accessible */
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MPRV);
    ck_assert_int_eq(rvf_step(p.m, PRV_M, rvf_ld(11, 10, 0)), EXC_LOAD_PAGE_FAULT);
    /* without MPRV, M-mode does not translate: 0x40000000 is not RAM */
    rvf_csrw(h, RVF_MSTATUS, 0);
    ck_assert_int_eq(rvf_step(p.m, PRV_M, rvf_ld(11, 10, 0)), EXC_LOAD_ACCESS);
    pt_free(&p);
}
END_TEST

Suite *mmu_suite(void)
{
    Suite *s = suite_create("mmu");
    TCase *tc = tcase_create("walk");
    tcase_add_test(tc, test_sv39_4k);
    tcase_add_test(tc, test_sv39_2m);
    tcase_add_test(tc, test_sv39_1g);
    tcase_add_test(tc, test_sv48_leaves);
    tcase_add_test(tc, test_bare_and_m);
    tcase_add_test(tc, test_ad_update);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_add_test(tc, test_fault_invalid_pte);
    tcase_add_test(tc, test_fault_w_without_r);
    tcase_add_test(tc, test_fault_pointer_at_level0);
    tcase_add_test(tc, test_fault_misaligned_superpage);
    tcase_add_test(tc, test_fault_noncanonical);
    tcase_add_test(tc, test_upper_half);
    tcase_add_test(tc, test_fault_user_supervisor);
    tcase_add_test(tc, test_mxr);
    tcase_add_test(tc, test_fault_reserved_bits);
    tcase_add_test(tc, test_svpbmt);
    tcase_add_test(tc, test_svnapot);
    tcase_add_test(tc, test_fault_permissions);
    tcase_add_test(tc, test_pte_access_fault);
    tcase_add_test(tc, test_pte_pmp_fault);
    suite_add_tcase(s, tc);

    tc = tcase_create("run");
    tcase_add_test(tc, test_run_page_faults);
    tcase_add_test(tc, test_run_dirty_after_load);
    tcase_add_test(tc, test_tlb_sfence_va);
    tcase_add_test(tc, test_tlb_sfence_all);
    tcase_add_test(tc, test_tlb_sfence_superpage);
    tcase_add_test(tc, test_satp_switch);
    tcase_add_test(tc, test_mprv);
    suite_add_tcase(s, tc);
    return s;
}
