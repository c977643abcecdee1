/* The x86 TLB's translation contexts (src/cpu/x86/mmu.c, docs/vmx.md
 * "TLB"): entries tagged by VPID and EP4TA coexist, and each invalidation of
 * SDM vol. 3C §29.4.3 drops exactly the entries ept_inval_hits names. On a
 * bare CPU with paging off (linear = physical, no walk), so the entries
 * are filled by x86_translate without memory. */
#include <check.h>
#include <stdlib.h>
#include "cpu/x86/x86.h"
#include "cpu/x86/x86_cpu.h"
#include "sim/bus.h"
#include "sim/config.h"
#include "sim/machine.h"

static struct machine *m;
static struct x86_cpu *x;

static void setup(void)
{
    m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    config_defaults(&m->cfg);
    bus_init(&m->bus);
    m->bus.m = m;
    m->ncpus = 1;
    ck_assert_ptr_nonnull(m->cpus[0] = x86_cpu_new(m, 0, NULL));
    x = X86(m->cpus[0]);
}

static void teardown(void)
{
    machine_free(m);
}

static void fill(uint64_t la, int n)
{
    for (int i = 0; i < n; i++)
        x86_translate(x, la + 4096ull * (uint64_t)i, 0, false);
}

static int count(uint16_t vpid, bool ept, uint64_t ep4ta)
{
    return x86_tlb_ctx_entries(x, vpid, ept, ep4ta);
}

static void inval(enum ept_inv_kind k, uint16_t vpid, uint64_t ep4ta, uint64_t la)
{
    struct ept_inval inv = { .kind = k, .vpid = vpid, .ep4ta = ep4ta, .la = la };
    x86_tlb_invalidate(x, &inv);
}

/* Without VMX there is one context (root, VPID 0) and tags are as before. */
START_TEST(test_root_only)
{
    fill(0x10000, 3);
    ck_assert_int_eq(count(0, false, 0), 3);
    ck_assert_int_eq(count(1, false, 0), -1);
    ck_assert_uint_eq(x->tlb_tag, 0);
    ck_assert_uint_eq(x->tlb_xor, 0);
    x86_tlb_flush_vpid(x, true);
    ck_assert_int_eq(count(0, false, 0), 0);
}
END_TEST

/* The same linear pages in root and in two VPIDs: three sets of entries;
 * switching back finds them (a hit does not refill). */
START_TEST(test_coexist)
{
    fill(0x10000, 4);
    x86_tlb_set_context(x, 1, false, 0);
    ck_assert_int_eq(count(1, false, 0), 0);
    fill(0x10000, 4);
    x86_tlb_set_context(x, 2, false, 0);
    fill(0x10000, 2);
    ck_assert_int_eq(count(0, false, 0), 4);
    ck_assert_int_eq(count(1, false, 0), 4);
    ck_assert_int_eq(count(2, false, 0), 2);
    x86_tlb_set_context(x, 0, false, 0);
    ck_assert_uint_eq(x->tlb_tag, 0);
    const struct x86_tlb_entry *t = X86_TLB_AT(x, 0x10000);
    uint64_t tag = t->tag_r;
    ck_assert_uint_ne(tag, 0);
    fill(0x10000, 1); /* a hit: the entry is unchanged */
    ck_assert_uint_eq(t->tag_r, tag);
    ck_assert_int_eq(count(1, false, 0), 4);
}
END_TEST

/* INVVPID types 0-3 (§29.4.3.1): address, single context, all contexts
 * but VPID 0, single context less globals. */
START_TEST(test_invvpid)
{
    fill(0x10000, 2);                         /* root */
    x86_tlb_set_context(x, 1, false, 0);
    fill(0x10000, 3);
    X86_TLB_AT(x, 0x12000)->global = true;    /* as if the guest's PTE had G */
    x86_tlb_set_context(x, 2, false, 0);
    fill(0x10000, 3);
    x86_tlb_set_context(x, 0, false, 0);

    inval(EPT_INV_VPID_ADDR, 1, 0, 0x11234);  /* the page holding the address */
    ck_assert_int_eq(count(1, false, 0), 2);
    ck_assert_int_eq(count(2, false, 0), 3);
    ck_assert_int_eq(count(0, false, 0), 2);
    inval(EPT_INV_VPID_SINGLE_KEEP_GLOBAL, 1, 0, 0);
    ck_assert_int_eq(count(1, false, 0), 1); /* the global one stays */
    inval(EPT_INV_VPID_SINGLE, 1, 0, 0);
    ck_assert_int_eq(count(1, false, 0), 0);
    ck_assert_int_eq(count(2, false, 0), 3);
    inval(EPT_INV_VPID_ALL, 0, 0, 0);
    ck_assert_int_eq(count(2, false, 0), 0);
    ck_assert_int_eq(count(0, false, 0), 2);  /* VPID 0 is not in "all contexts" */
    inval(EPT_INV_VPID_SINGLE, 0, 0, 0);      /* VM entry / exit without VPID */
    ck_assert_int_eq(count(0, false, 0), 0);
}
END_TEST

/* INVEPT (§29.4.3.1): combined mappings of an EP4TA, of every EP4TA;
 * never linear mappings. INVVPID drops combined mappings of its VPID for
 * every EP4TA. */
START_TEST(test_invept)
{
    const uint64_t A = 0x5000, B = 0x9000;
    x86_tlb_set_context(x, 1, false, 0);
    fill(0x20000, 2);
    x86_tlb_set_context(x, 1, true, A);
    fill(0x20000, 2);
    x86_tlb_set_context(x, 1, true, B);
    fill(0x20000, 3);
    x86_tlb_set_context(x, 2, true, A);
    fill(0x20000, 1);
    x86_tlb_set_context(x, 0, false, 0);
    fill(0x20000, 1);

    inval(EPT_INV_EPT_SINGLE, 0, A, 0);
    ck_assert_int_eq(count(1, true, A), 0);
    ck_assert_int_eq(count(2, true, A), 0);
    ck_assert_int_eq(count(1, true, B), 3);
    ck_assert_int_eq(count(1, false, 0), 2);
    inval(EPT_INV_VPID_ADDR, 1, 0, 0x21000);
    ck_assert_int_eq(count(1, true, B), 2);
    ck_assert_int_eq(count(1, false, 0), 1);
    inval(EPT_INV_EPT_ALL, 0, 0, 0);
    ck_assert_int_eq(count(1, true, B), 0);
    ck_assert_int_eq(count(1, false, 0), 1);
    ck_assert_int_eq(count(0, false, 0), 1);
}
END_TEST

/* MOV to CR3 / INVLPG (x86_tlb_flush_vpid / flush_page) in a guest: the
 * current VPID's entries, all its EP4TAs; other VPIDs and root stay. */
START_TEST(test_current_vpid)
{
    fill(0x30000, 2);
    x86_tlb_set_context(x, 2, false, 0);
    fill(0x30000, 2);
    x86_tlb_set_context(x, 1, true, 0x7000);
    fill(0x30000, 2);
    x86_tlb_set_context(x, 1, false, 0);
    fill(0x30000, 2);
    x86_tlb_flush_page(x, 0x31000);
    ck_assert_int_eq(count(1, false, 0), 1);
    ck_assert_int_eq(count(1, true, 0x7000), 1);
    ck_assert_int_eq(count(2, false, 0), 2);
    ck_assert_int_eq(count(0, false, 0), 2);
    x86_tlb_flush_vpid(x, false);
    ck_assert_int_eq(count(1, false, 0), 0);
    ck_assert_int_eq(count(1, true, 0x7000), 0);
    ck_assert_int_eq(count(2, false, 0), 2);
    ck_assert_int_eq(count(0, false, 0), 2);
}
END_TEST

/* A context whose paging state changed while it was not current (a VMWRITE
 * of the guest's CR0, CR3, ...) loses its entries when it becomes current
 * again; an unchanged one keeps them. */
START_TEST(test_mode_change)
{
    x86_tlb_set_context(x, 1, false, 0);
    fill(0x40000, 3);
    x86_tlb_set_context(x, 0, false, 0);
    x86_tlb_set_context(x, 1, false, 0);
    ck_assert_int_eq(count(1, false, 0), 3);
    x86_tlb_set_context(x, 0, false, 0);
    x->cr3 = 0x8000;
    x86_tlb_set_context(x, 1, false, 0);
    ck_assert_int_eq(count(1, false, 0), 0);
}
END_TEST

/* More contexts than X86_TLB_CTXS: the oldest is reused (round robin,
 * never the current one) and its entries go; others stay. */
START_TEST(test_eviction)
{
    fill(0x50000, 1);
    for (uint16_t v = 1; v < X86_TLB_CTXS; v++) {
        x86_tlb_set_context(x, v, false, 0);
        fill(0x50000, 1);
    }
    for (uint16_t v = 0; v < X86_TLB_CTXS; v++)
        ck_assert_int_eq(count(v, false, 0), 1);
    x86_tlb_set_context(x, 100, false, 0); /* takes context 1 (VPID 1) */
    ck_assert_int_eq(count(100, false, 0), 0);
    ck_assert_int_eq(count(1, false, 0), -1);
    ck_assert_int_eq(count(0, false, 0), 1);
    ck_assert_int_eq(count(2, false, 0), 1);
    /* a full flush in root operation forgets the contexts */
    x86_tlb_set_context(x, 0, false, 0);
    x86_tlb_flush(x, true);
    ck_assert_int_eq(count(100, false, 0), -1);
    ck_assert_int_eq(count(0, false, 0), 0);
}
END_TEST

Suite *x86_tlb_suite(void)
{
    Suite *s = suite_create("x86_tlb");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_root_only);
    tcase_add_test(tc, test_coexist);
    tcase_add_test(tc, test_invvpid);
    tcase_add_test(tc, test_invept);
    tcase_add_test(tc, test_current_vpid);
    tcase_add_test(tc, test_mode_change);
    tcase_add_test(tc, test_eviction);
    suite_add_tcase(s, tc);
    return s;
}
