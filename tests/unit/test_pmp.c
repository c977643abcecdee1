/* Unit tests for physical memory protection (src/cpu/riscv/pmp.c and the
 * pmpcfg/pmpaddr CSRs in csr.c).
 *
 * Spec: RISC-V privileged 1.12 §3.7 "Physical Memory Protection":
 * §3.7.1 pmpcfg layout (R=bit0, W=bit1, X=bit2, A=bits4:3, L=bit7; R=0/W=1
 * reserved; RV64 has only even pmpcfg registers), address matching
 * (Table 3.10: OFF=0, TOR=1, NA4=2, NAPOT=3; pmpaddr holds address bits
 * 55:2), locking, and "Priority and Matching Logic". */
#include <check.h>
#include <stdlib.h>

#include "rv_fixture.h"

Suite *pmp_suite(void);

enum { PR = 1, PW = 2, PX = 4, TOR = 1 << 3, NA4 = 2 << 3, NAPOT = 3 << 3, L = 0x80 };

/* Sets entry i's address and configuration through the CSRs (M mode). */
static void set_entry(struct rv_hart *h, int i, uint64_t addr, uint8_t cfg)
{
    rvf_csrw(h, RVF_PMPADDR0 + (unsigned)i, addr);
    unsigned reg = RVF_PMPCFG0 + 2 * (unsigned)(i / 8);
    uint64_t v = rvf_csrr(h, reg);
    unsigned sh = 8 * (unsigned)(i % 8);
    v = (v & ~(0xffull << sh)) | ((uint64_t)cfg << sh);
    rvf_csrw(h, reg, v);
}

static uint8_t cfg_of(struct rv_hart *h, int i)
{
    return (uint8_t)(rvf_csrr(h, RVF_PMPCFG0 + 2 * (unsigned)(i / 8)) >> (8 * (i % 8)));
}

/* NAPOT pmpaddr for a naturally aligned power-of-two region >= 8 bytes. */
static uint64_t napot(uint64_t base, uint64_t size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

static bool ok(struct rv_hart *h, uint64_t pa, unsigned size, enum rv_access acc, int priv)
{
    return rv_pmp_ok(h, pa, size, acc, priv);
}

static struct machine *new_m(struct rv_hart **h)
{
    struct machine *m = rvf_machine_new(1);
    *h = rvf_hart(m, 0);
    return m;
}

/* ---- address matching (Table 3.10) ---------------------------------------- */

/* Entry 0 in TOR mode matches [0, pmpaddr0 << 2). */
START_TEST(test_tor_entry0)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x1000 >> 2, TOR | PR);
    ck_assert(ok(h, 0x0, 8, ACC_READ, PRV_S));
    ck_assert(ok(h, 0xffc, 4, ACC_READ, PRV_U));
    ck_assert(!ok(h, 0x0, 8, ACC_WRITE, PRV_S));
    ck_assert(!ok(h, 0x800, 4, ACC_EXEC, PRV_S));
    ck_assert(!ok(h, 0x1000, 4, ACC_READ, PRV_S)); /* no match */
    ck_assert(ok(h, 0x1000, 4, ACC_READ, PRV_M));
    rvf_machine_free(m);
}
END_TEST

/* Entry i in TOR mode matches [pmpaddr(i-1) << 2, pmpaddr(i) << 2). */
START_TEST(test_tor_range)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x80000000 >> 2, 0); /* OFF: only supplies the bottom */
    set_entry(h, 1, 0x80002000 >> 2, TOR | PR | PW);
    ck_assert(!ok(h, 0x7ffffffc, 4, ACC_READ, PRV_S));
    ck_assert(ok(h, 0x80000000, 4, ACC_READ, PRV_S));
    ck_assert(ok(h, 0x80001ff8, 8, ACC_WRITE, PRV_S));
    ck_assert(!ok(h, 0x80001ff8, 8, ACC_EXEC, PRV_S));
    ck_assert(!ok(h, 0x80002000, 4, ACC_READ, PRV_S));
    /* pmpaddr(i-1) >= pmpaddr(i): the entry matches nothing */
    set_entry(h, 0, 0x80003000 >> 2, 0);
    ck_assert(!ok(h, 0x80001000, 4, ACC_READ, PRV_S));
    rvf_machine_free(m);
}
END_TEST

START_TEST(test_na4)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x80000010 >> 2, NA4 | PX);
    ck_assert(ok(h, 0x80000010, 4, ACC_EXEC, PRV_S));
    ck_assert(ok(h, 0x80000012, 2, ACC_EXEC, PRV_U));
    ck_assert(!ok(h, 0x80000010, 4, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000014, 4, ACC_EXEC, PRV_S));
    ck_assert(!ok(h, 0x8000000c, 4, ACC_EXEC, PRV_S));
    rvf_machine_free(m);
}
END_TEST

START_TEST(test_napot_4k)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    ck_assert_uint_eq(napot(0x80004000, 4096), (0x80004000 >> 2) | 0x1ff);
    set_entry(h, 0, napot(0x80004000, 4096), NAPOT | PR | PW);
    ck_assert(ok(h, 0x80004000, 8, ACC_READ, PRV_S));
    ck_assert(ok(h, 0x80004ff8, 8, ACC_WRITE, PRV_S));
    ck_assert(!ok(h, 0x80004800, 4, ACC_EXEC, PRV_S));
    ck_assert(!ok(h, 0x80005000, 4, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80003ffc, 4, ACC_READ, PRV_S));
    /* 8-byte NAPOT (pmpaddr ...0 with no trailing ones) */
    set_entry(h, 1, napot(0x80008000, 8), NAPOT | PR);
    ck_assert_uint_eq(napot(0x80008000, 8), 0x80008000 >> 2);
    ck_assert(ok(h, 0x80008000, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80008008, 4, ACC_READ, PRV_S));
    rvf_machine_free(m);
}
END_TEST

/* pmpaddr all ones in NAPOT mode covers the whole physical address space. */
START_TEST(test_napot_all)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, ~0ull, NAPOT | PR | PW | PX);
    ck_assert_uint_eq(rvf_csrr(h, RVF_PMPADDR0), (1ull << 54) - 1); /* bits 55:2 */
    ck_assert(ok(h, 0, 8, ACC_READ, PRV_U));
    ck_assert(ok(h, 0x80000000, 8, ACC_WRITE, PRV_S));
    ck_assert(ok(h, 0x1000, 4, ACC_EXEC, PRV_S));
    ck_assert(ok(h, (1ull << 56) - 8, 8, ACC_READ, PRV_S));
    rvf_machine_free(m);
}
END_TEST

/* ---- priority and matching logic --------------------------------------------- */

/* The lowest-numbered entry that matches any byte decides (§3.7.1). */
START_TEST(test_priority)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x80000100 >> 2, NA4);                     /* no permissions */
    set_entry(h, 1, napot(0x80000000, 4096), NAPOT | PR | PW | PX);
    ck_assert(!ok(h, 0x80000100, 4, ACC_READ, PRV_S));
    ck_assert(ok(h, 0x80000104, 4, ACC_READ, PRV_S));
    ck_assert(ok(h, 0x800000fc, 4, ACC_WRITE, PRV_S));
    /* reversed: a permissive low entry wins over a restrictive high one */
    set_entry(h, 0, 0x80000100 >> 2, NA4 | PR);
    set_entry(h, 1, napot(0x80000000, 4096), NAPOT);
    ck_assert(ok(h, 0x80000100, 4, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000104, 4, ACC_READ, PRV_S));
    rvf_machine_free(m);
}
END_TEST

/* An entry that matches some but not all bytes of an access makes it fail,
 * irrespective of L/R/W/X and even in M mode. */
START_TEST(test_partial_match)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x80000100 >> 2, NA4 | PR | PW | PX);
    set_entry(h, 1, napot(0x80000000, 4096), NAPOT | PR | PW | PX);
    ck_assert(ok(h, 0x80000100, 4, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000100, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x800000fc, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000100, 8, ACC_READ, PRV_M));
    /* straddling the top of a NAPOT region */
    ck_assert(!ok(h, 0x80000ffc, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000ffc, 8, ACC_READ, PRV_M));
    rvf_machine_free(m);
}
END_TEST

/* No match: M succeeds; S and U fail because PMP entries are implemented
 * (even if every entry is OFF). */
START_TEST(test_no_match)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    /* all OFF (reset) */
    ck_assert(ok(h, 0x80000000, 8, ACC_READ, PRV_M));
    ck_assert(ok(h, 0x80000000, 8, ACC_WRITE, PRV_M));
    ck_assert(ok(h, 0x80000000, 4, ACC_EXEC, PRV_M));
    ck_assert(!ok(h, 0x80000000, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000000, 8, ACC_READ, PRV_U));
    /* one entry elsewhere */
    set_entry(h, 3, napot(0x90000000, 4096), NAPOT | PR | PW | PX);
    ck_assert(ok(h, 0x80000000, 8, ACC_WRITE, PRV_M));
    ck_assert(!ok(h, 0x80000000, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80000000, 4, ACC_EXEC, PRV_U));
    ck_assert(ok(h, 0x90000000, 8, ACC_READ, PRV_U));
    rvf_machine_free(m);
}
END_TEST

/* Unlocked entries do not restrict M; locked ones do (and S/U too). */
START_TEST(test_lock_applies_to_m)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, napot(0x80000000, 4096), NAPOT); /* no permissions, unlocked */
    ck_assert(ok(h, 0x80000000, 8, ACC_READ, PRV_M));
    ck_assert(ok(h, 0x80000000, 8, ACC_WRITE, PRV_M));
    ck_assert(ok(h, 0x80000000, 4, ACC_EXEC, PRV_M));
    ck_assert(!ok(h, 0x80000000, 8, ACC_READ, PRV_S));

    set_entry(h, 1, napot(0x80001000, 4096), L | NAPOT | PR); /* locked, R only */
    ck_assert(ok(h, 0x80001000, 8, ACC_READ, PRV_M));
    ck_assert(!ok(h, 0x80001000, 8, ACC_WRITE, PRV_M));
    ck_assert(!ok(h, 0x80001000, 4, ACC_EXEC, PRV_M));
    ck_assert(ok(h, 0x80001000, 8, ACC_READ, PRV_S));
    ck_assert(!ok(h, 0x80001000, 8, ACC_WRITE, PRV_U));
    rvf_machine_free(m);
}
END_TEST

/* ---- CSR behaviour ---------------------------------------------------------- */

/* A locked entry ignores writes to its pmpcfg byte and pmpaddr register;
 * the other bytes of the same pmpcfg register stay writable. */
START_TEST(test_locked_ignores_writes)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    uint64_t a0 = napot(0x80000000, 4096);
    set_entry(h, 0, a0, L | NAPOT | PR);
    ck_assert_int_eq(cfg_of(h, 0), L | NAPOT | PR);
    /* writes are ignored, not trapped */
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPCFG0, 0x1f1f), 0);
    ck_assert_int_eq(cfg_of(h, 0), L | NAPOT | PR);
    ck_assert_int_eq(cfg_of(h, 1), NAPOT | PR | PW | PX);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPADDR0, 0x12345), 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_PMPADDR0), a0);
    /* and the protection is unchanged */
    ck_assert(!ok(h, 0x80000000, 8, ACC_WRITE, PRV_M));
    rvf_machine_free(m);
}
END_TEST

/* A locked TOR entry i also locks pmpaddr(i-1); a locked NAPOT entry does
 * not. */
START_TEST(test_locked_tor_locks_below)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x80000000 >> 2, 0);
    set_entry(h, 1, 0x80002000 >> 2, L | TOR | PR);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPADDR0, 0x1000), 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_PMPADDR0), 0x80000000 >> 2);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPADDR0 + 1, 0x1000), 0);
    ck_assert_uint_eq(rvf_csrr(h, RVF_PMPADDR0 + 1), 0x80002000 >> 2);
    rvf_csrw(h, RVF_PMPADDR0 + 2, 0x2000);
    ck_assert_uint_eq(rvf_csrr(h, RVF_PMPADDR0 + 2), 0x2000);
    /* entry 0's cfg (unlocked, OFF) is still writable */
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPCFG0, (uint64_t)(L | TOR | PR) << 8 | NA4), 0);
    ck_assert_int_eq(cfg_of(h, 0), NA4);
    ck_assert_int_eq(cfg_of(h, 1), L | TOR | PR);

    /* locked NAPOT at entry 3: pmpaddr2 stays writable */
    set_entry(h, 3, napot(0x90000000, 4096), L | NAPOT | PR);
    rvf_csrw(h, RVF_PMPADDR0 + 2, 0x3000);
    ck_assert_uint_eq(rvf_csrr(h, RVF_PMPADDR0 + 2), 0x3000);
    rvf_machine_free(m);
}
END_TEST

/* R=0, W=1 is reserved: such a value is never kept (pmpcfg is WARL). */
START_TEST(test_w_without_r)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    static const uint8_t bad[] = { NAPOT | PW, NAPOT | PW | PX, TOR | PW, PW };
    for (int i = 0; i < 4; i++) {
        set_entry(h, 0, napot(0x80000000, 4096), bad[i]);
        uint8_t c = cfg_of(h, 0);
        ck_assert_msg(!((c & PW) && !(c & PR)), "cfg 0x%02x read back as 0x%02x", bad[i], c);
    }
    rvf_machine_free(m);
}
END_TEST

/* RV64: odd pmpcfg registers do not exist; PMP CSRs are M-only. */
START_TEST(test_pmp_csr_access)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    uint64_t v;
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPCFG1, 0), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_read_at(h, RVF_PMPCFG1, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_read_at(h, RVF_PMPCFG2, &v), 0);
    /* entries 8..15 live in pmpcfg2 */
    set_entry(h, 9, napot(0x80000000, 4096), NAPOT | PR);
    ck_assert_uint_eq((rvf_csrr(h, RVF_PMPCFG2) >> 8) & 0xff, NAPOT | PR);
    ck_assert(ok(h, 0x80000000, 8, ACC_READ, PRV_S));
    rv_set_priv(h, PRV_S);
    ck_assert_int_eq(rvf_csr_read_at(h, RVF_PMPCFG0, &v), EXC_ILLEGAL_INSN);
    ck_assert_int_eq(rvf_csr_write_at(h, RVF_PMPADDR0, 0), EXC_ILLEGAL_INSN);
    rvf_machine_free(m);
}
END_TEST

/* ---- page granularity helper ------------------------------------------------- */

/* rv_pmp_page_ok is true only when one PMP answer holds for the whole 4 KiB
 * page (the TLB caches per page). */
START_TEST(test_page_ok)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, 0x80000100 >> 2, NA4 | PR);                        /* part of page 0 */
    set_entry(h, 1, napot(0x80000000, 0x4000), NAPOT | PR | PW | PX);  /* pages 0..3 */
    set_entry(h, 2, napot(0x80004000, 4096), NAPOT | PR);               /* page 4 */
    set_entry(h, 3, 0x80005800 >> 2, TOR | PR);                         /* 0x80005000-0x800057ff */
    ck_assert(!rv_pmp_page_ok(h, 0x80000000, ACC_READ, PRV_S));
    ck_assert(!rv_pmp_page_ok(h, 0x80000000, ACC_READ, PRV_M));
    ck_assert(rv_pmp_page_ok(h, 0x80001000, ACC_WRITE, PRV_S));
    ck_assert(rv_pmp_page_ok(h, 0x80003000, ACC_EXEC, PRV_U));
    ck_assert(rv_pmp_page_ok(h, 0x80004000, ACC_READ, PRV_S));
    ck_assert(!rv_pmp_page_ok(h, 0x80004000, ACC_WRITE, PRV_S));
    ck_assert(!rv_pmp_page_ok(h, 0x80005000, ACC_READ, PRV_S)); /* TOR covers half */
    ck_assert(!rv_pmp_page_ok(h, 0x80006000, ACC_READ, PRV_S)); /* no match, S */
    ck_assert(rv_pmp_page_ok(h, 0x80006000, ACC_READ, PRV_M));  /* no match, M */
    rvf_machine_free(m);
}
END_TEST

/* ---- through instructions ------------------------------------------------------ */

/* PMP failures raise access faults: load 5, store 7, fetch 1 (Table 3.6),
 * with mtval = the address. */
START_TEST(test_run_access_faults)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, napot(0x80005000, 4096), NAPOT);                  /* no access */
    set_entry(h, 1, (1ull << 54) - 1, NAPOT | PR | PW | PX);         /* the rest */
    h->x[10] = 0x80005000;
    ck_assert_int_eq(rvf_step(m, PRV_S, rvf_ld(11, 10, 8)), EXC_LOAD_ACCESS);
    ck_assert_uint_eq(h->mtval, 0x80005008);
    ck_assert_int_eq(rvf_step(m, PRV_U, rvf_sd(11, 10, 16)), EXC_STORE_ACCESS);
    ck_assert_uint_eq(h->mtval, 0x80005010);
    ck_assert_int_eq(rvf_step(m, PRV_S, rvf_i(0x67, 0, 0, 10, 0x20)), -1); /* jr 0x20(a0) */
    ck_assert_uint_eq(rvf_run(m, 0, 1), 1);
    ck_assert_uint_eq(h->mcause, EXC_INSN_ACCESS);
    ck_assert_uint_eq(h->mepc, 0x80005020);
    /* M-mode is not restricted by the unlocked entry */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_ld(11, 10, 8)), -1);
    /* after the entry opens up, S may load (the TLB must not keep the
     * old verdict: pmp writes flush it) */
    set_entry(h, 0, napot(0x80005000, 4096), NAPOT | PR);
    rvf_w64(m, 0x80005008, 0x77);
    ck_assert_int_eq(rvf_step(m, PRV_S, rvf_ld(11, 10, 8)), -1);
    ck_assert_uint_eq(h->x[11], 0x77);
    rvf_machine_free(m);
}
END_TEST

/* MPRV: M-mode loads and stores are checked with MPP's privilege (§3.1.6.3,
 * §3.7.1), so unlocked entries apply to them. */
START_TEST(test_mprv_uses_mpp)
{
    struct rv_hart *h;
    struct machine *m = new_m(&h);
    set_entry(h, 0, napot(0x80005000, 4096), NAPOT);              /* no access */
    set_entry(h, 1, (1ull << 54) - 1, NAPOT | PR | PW | PX);
    h->x[10] = 0x80005000;
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MPRV); /* MPP = U */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_ld(11, 10, 0)), EXC_LOAD_ACCESS);
    rvf_csrw(h, RVF_MSTATUS, MSTATUS_MPRV | MSTATUS_MPP); /* MPP = M */
    ck_assert_int_eq(rvf_step(m, PRV_M, rvf_ld(11, 10, 0)), -1);
    rvf_machine_free(m);
}
END_TEST

Suite *pmp_suite(void)
{
    Suite *s = suite_create("pmp");
    TCase *tc = tcase_create("match");
    tcase_add_test(tc, test_tor_entry0);
    tcase_add_test(tc, test_tor_range);
    tcase_add_test(tc, test_na4);
    tcase_add_test(tc, test_napot_4k);
    tcase_add_test(tc, test_napot_all);
    tcase_add_test(tc, test_priority);
    tcase_add_test(tc, test_partial_match);
    tcase_add_test(tc, test_no_match);
    tcase_add_test(tc, test_lock_applies_to_m);
    tcase_add_test(tc, test_page_ok);
    suite_add_tcase(s, tc);

    tc = tcase_create("csr");
    tcase_add_test(tc, test_locked_ignores_writes);
    tcase_add_test(tc, test_locked_tor_locks_below);
    tcase_add_test(tc, test_w_without_r);
    tcase_add_test(tc, test_pmp_csr_access);
    suite_add_tcase(s, tc);

    tc = tcase_create("run");
    tcase_add_test(tc, test_run_access_faults);
    tcase_add_test(tc, test_mprv_uses_mpp);
    suite_add_tcase(s, tc);
    return s;
}
