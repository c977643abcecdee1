/* Unit tests for the x86 core's REP MOVS / REP STOS runs (src/cpu/x86/exec.c
 * rep_run; docs/x86.md "Performance" item 4h).
 *
 * The reference is the interpreter (machine.interp_only, --engine interp),
 * which runs every iteration as a tick of its own: the same program on two
 * machines, one with runs (the fast engine) and one without, must give the
 * same registers, RFLAGS, RIP, retired counts, TSC (RDTSC after the string
 * instruction) and memory after every x86f_run() of random budgets, which
 * end runs anywhere — and with an NMI raised between two of them, which
 * interrupts the instruction mid-way (its RIP and RF = 1 pushed, SDM vol. 3A
 * §17.3.1.1). Each case also checks that the fast machine did run
 * iterations at once (x86_cpu.rep_fast) where it should and did not where
 * it must not (a store into the instruction's own code page). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "x86_fixture.h"

Suite *x86_rep_suite(void);

#define AREA      X86F_DATA  /* 64 KiB of random bytes the programs work on */
#define AREA_SIZE 0x10000u
#define AREA2     (X86F_DATA + 0x100000) /* 1 MiB on: its pages share TLB entries with AREA's */

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct rep_case {
    const char *name;
    uint8_t op;        /* 0xa4/0xa5 MOVS, 0xaa/0xab STOS */
    unsigned size;     /* 1, 2, 4, 8 */
    bool down;         /* DF */
    uint64_t count;    /* RCX */
    uint64_t rsi, rdi; /* linear = physical (identity map) */
};

/* [66] [REX.W] F3 op; RDTSC; HLT at X86F_CODE. */
static unsigned program(uint8_t *b, const struct rep_case *k)
{
    unsigned n = 0;
    if (k->size == 2)
        b[n++] = 0x66;
    b[n++] = 0xf3;
    if (k->size == 8)
        b[n++] = 0x48;
    b[n++] = (uint8_t)(k->size == 1 ? k->op & ~1u : k->op | 1u);
    b[n++] = 0x0f;
    b[n++] = 0x31; /* RDTSC */
    b[n++] = 0xf4; /* HLT */
    return n;
}

static struct x86f *machine_for(const struct rep_case *k, bool interp, uint64_t seed)
{
    struct x86f *f = x86f_new();
    f->m->interp_only = interp;
    uint8_t code[16];
    x86f_code(f, X86F_CODE, code, program(code, k));
    uint64_t s = seed;
    for (unsigned i = 0; i < AREA_SIZE; i += 8) {
        x86f_w64(f, AREA + i, rnd(&s));
        x86f_w64(f, AREA2 + i, rnd(&s));
    }
    f->x->r[RAX] = rnd(&s);
    f->x->r[RCX] = k->count;
    f->x->r[RSI] = k->rsi;
    f->x->r[RDI] = k->rdi;
    x86f_set_flags(f, (k->down ? FL_DF : 0) | (rnd(&s) & FL_ARITH));
    return f;
}

static void check_same(struct x86f *a, struct x86f *b, const char *what, unsigned step)
{
    struct x86_cpu *xa = a->x, *xb = b->x;
    ck_assert_msg(xa->rip == xb->rip, "%s step %u: rip %llx vs %llx", what, step,
                  (unsigned long long)xa->rip, (unsigned long long)xb->rip);
    for (int r = 0; r < 16; r++)
        ck_assert_msg(xa->r[r] == xb->r[r], "%s step %u: r%d %llx vs %llx", what, step, r,
                      (unsigned long long)xa->r[r], (unsigned long long)xb->r[r]);
    ck_assert_msg(xa->rflags == xb->rflags, "%s step %u: rflags %llx vs %llx", what, step,
                  (unsigned long long)xa->rflags, (unsigned long long)xb->rflags);
    ck_assert_msg(a->c->retired == b->c->retired, "%s step %u: retired %llu vs %llu", what, step,
                  (unsigned long long)a->c->retired, (unsigned long long)b->c->retired);
    ck_assert_int_eq(a->c->state, b->c->state);
    static uint8_t da[AREA_SIZE], db[AREA_SIZE];
    x86f_read(a, AREA, da, sizeof da);
    x86f_read(b, AREA, db, sizeof db);
    ck_assert_msg(memcmp(da, db, sizeof da) == 0, "%s step %u: memory differs", what, step);
    x86f_read(a, AREA2, da, sizeof da);
    x86f_read(b, AREA2, db, sizeof db);
    ck_assert_msg(memcmp(da, db, sizeof da) == 0, "%s step %u: memory (2) differs", what, step);
    x86f_read(a, X86F_PML4, da, 0x3000);
    x86f_read(b, X86F_PML4, db, 0x3000);
    ck_assert_msg(memcmp(da, db, 0x3000) == 0, "%s step %u: page tables differ", what, step);
    x86f_read(a, X86F_CODE, da, 4096);
    x86f_read(b, X86F_CODE, db, 4096);
    ck_assert_msg(memcmp(da, db, 4096) == 0, "%s step %u: the code page differs", what, step);
    x86f_read(a, X86F_STACK - 4096, da, 4096);
    x86f_read(b, X86F_STACK - 4096, db, 4096);
    ck_assert_msg(memcmp(da, db, 4096) == 0, "%s step %u: the stack differs", what, step);
}

/* Runs both to their HLT in budgets from the seed (budget 0: one run of
 * everything), comparing after every run; nmi_at > 0: an NMI is raised on
 * both before that run (the IDT's vector 2 is a HLT). Returns the fast
 * machine's rep_fast. */
static uint64_t run_both(const struct rep_case *k, uint64_t seed, uint64_t max_budget, unsigned nmi_at)
{
    struct x86f *fast = machine_for(k, false, seed), *ref = machine_for(k, true, seed);
    uint64_t s = seed ^ 0x5555;
    unsigned step = 0;
    for (; step < 200000 && fast->c->state == CPU_RUNNING; step++) {
        if (nmi_at && step == nmi_at) {
            fast->x->nmi_pending = ref->x->nmi_pending = true;
            fast->x->attn = ref->x->attn = true;
        }
        uint64_t budget = max_budget ? 1 + rnd(&s) % max_budget : 1000000;
        uint64_t ra = x86f_run(fast, budget), rb = x86f_run(ref, budget);
        ck_assert_msg(ra == rb, "%s step %u: ran %llu vs %llu", k->name, step, (unsigned long long)ra,
                      (unsigned long long)rb);
        check_same(fast, ref, k->name, step);
    }
    ck_assert_msg(fast->c->state == CPU_SLEEPING, "%s: no HLT", k->name);
    ck_assert_uint_eq(ref->x->rep_fast, 0); /* the reference runs one at a time */
    uint64_t got = fast->x->rep_fast;
    x86f_free(fast);
    x86f_free(ref);
    return got;
}

static const struct rep_case cases[] = {
    /* name, op, size, DF, RCX, RSI, RDI */
    { "stosb up", 0xaa, 1, false, 9000, 0, AREA + 0x123 },
    { "stosw up", 0xab, 2, false, 5000, 0, AREA + 0x1001 },
    { "stosd up", 0xab, 4, false, 3000, 0, AREA + 0x2ffe }, /* elements across page ends */
    { "stosq up", 0xab, 8, false, 2100, 0, AREA + 0x40 },
    { "stosb down", 0xaa, 1, true, 9000, 0, AREA + 0xf000 },
    { "stosw down", 0xab, 2, true, 5000, 0, AREA + 0xf001 },
    { "stosd down", 0xab, 4, true, 3000, 0, AREA + 0xeffe },
    { "stosq down", 0xab, 8, true, 2100, 0, AREA + 0xfff8 },
    { "movsb up", 0xa4, 1, false, 9000, AREA + 0x10, AREA + 0x8321 },
    { "movsw up", 0xa5, 2, false, 3000, AREA + 0x3, AREA + 0x9000 },
    { "movsd up", 0xa5, 4, false, 3000, AREA + 0xffe, AREA + 0x8002 },
    { "movsq up", 0xa5, 8, false, 1500, AREA + 0x4, AREA + 0x8000 },
    { "movsb down", 0xa4, 1, true, 9000, AREA + 0x7fff, AREA + 0xf000 },
    { "movsq down", 0xa5, 8, true, 1500, AREA + 0x7ff8, AREA + 0xfffc },
    /* overlapping: the destination ahead of the source in the direction
     * of DF (a pattern repeated: element by element), and behind it */
    { "movsb overlap +1", 0xa4, 1, false, 9000, AREA + 0x100, AREA + 0x101 },
    { "movsd overlap +3", 0xa5, 4, false, 3000, AREA + 0x100, AREA + 0x103 },
    { "movsq overlap +24", 0xa5, 8, false, 1500, AREA + 0x100, AREA + 0x118 },
    { "movsb overlap -1", 0xa4, 1, false, 9000, AREA + 0x101, AREA + 0x100 },
    { "movsb down overlap -1", 0xa4, 1, true, 9000, AREA + 0x9001, AREA + 0x9000 },
    { "movsw down overlap -3", 0xa5, 2, true, 4000, AREA + 0x9003, AREA + 0x9000 },
    { "movsb down overlap +1", 0xa4, 1, true, 9000, AREA + 0x9000, AREA + 0x9001 },
    { "movsq same", 0xa5, 8, false, 1000, AREA + 0x200, AREA + 0x200 },
    /* source and destination pages in one TLB entry (mmu.c evicts the one
     * by the other at every iteration: rep_host_evicted) */
    { "movsq aliased", 0xa5, 8, false, 3000, AREA + 0x10, AREA2 + 0x18 },
    { "movsb aliased down", 0xa4, 1, true, 9000, AREA2 + 0x8000, AREA + 0x7ff0 },
    /* count 0 and 1 */
    { "stosb count 0", 0xaa, 1, false, 0, 0, AREA },
    { "movsq count 0", 0xa5, 8, false, 0, AREA, AREA + 0x100 },
    { "movsb count 1", 0xa4, 1, false, 1, AREA, AREA + 0x100 },
};

START_TEST(test_rep_cases)
{
    const struct rep_case *k = &cases[_i];
    uint64_t seed = 0x1234 + (uint64_t)_i;
    /* in one go, in budgets that end runs anywhere, and with an NMI */
    uint64_t whole = run_both(k, seed, 0, 0);
    run_both(k, seed, 50, 0);
    run_both(k, seed, 700, 0);
    run_both(k, seed, 300, 3);
    /* (fewer where the code page and a data page share a TLB entry: the
     * refills between iterations are not skipped) */
    if (k->count >= 1000)
        ck_assert_msg(whole > k->count / 4, "%s: %llu iterations at once", k->name,
                      (unsigned long long)whole);
    else
        ck_assert_msg(whole < 1 + k->count, "%s", k->name);
}
END_TEST

/* A REP STOSB over its own code page: the stores go through the bus,
 * which resets the predecoded page as one at a time does (NOPs replace
 * the program's HLT and those after it, so the CPU runs on to the first
 * HLT left). */
START_TEST(test_rep_smc)
{
    static const struct rep_case k = { "stosb code page", 0xaa, 1, false, 40, 0, X86F_CODE + 4 };
    for (unsigned v = 0; v < 2; v++) {
        struct x86f *f[2];
        for (int e = 0; e < 2; e++) {
            f[e] = machine_for(&k, e == 1, 7);
            uint8_t hlts[64];
            memset(hlts, 0xf4, sizeof hlts);
            x86f_write(f[e], X86F_CODE + 4, hlts, sizeof hlts); /* from the HLT on */
            f[e]->x->r[RAX] = 0x90; /* NOP */
        }
        unsigned step = 0;
        while (f[0]->c->state == CPU_RUNNING && step < 1000) {
            uint64_t budget = v ? 1 + step % 7 : 100000;
            x86f_run(f[0], budget);
            x86f_run(f[1], budget);
            check_same(f[0], f[1], k.name, step++);
        }
        ck_assert_int_eq(f[0]->c->state, CPU_SLEEPING);
        /* ran on through the NOPs to the first HLT left */
        ck_assert_uint_eq(f[0]->x->rip, X86F_CODE + 4 + 40 + 1);
        ck_assert_uint_eq(f[0]->x->rep_fast, 0);
        x86f_free(f[0]);
        x86f_free(f[1]);
    }
}
END_TEST

/* A REP MOVSQ into the page directory from a page that shares its TLB
 * entry: the source's walk reads the destination page, so every
 * iteration walks again, one at a time (the copy is the directory as it
 * is plus a 2 MiB mapping more at the end, which the walks see). */
START_TEST(test_rep_into_paging)
{
    static const struct rep_case k = { "movsq into the PD", 0xa5, 8, false, 512, X86F_PD + 0x100000, X86F_PD };
    struct x86f *f[2];
    for (int e = 0; e < 2; e++) {
        f[e] = machine_for(&k, e == 1, 11);
        uint8_t pd[4096];
        x86f_read(f[e], X86F_PD, pd, sizeof pd);
        uint64_t extra = 0x600000ull | 0x87; /* P RW US PS */
        memcpy(pd + 4088, &extra, 8);
        x86f_write(f[e], X86F_PD + 0x100000, pd, sizeof pd);
    }
    for (unsigned step = 0; f[0]->c->state == CPU_RUNNING && step < 10000; step++) {
        x86f_run(f[0], 1 + step % 97);
        x86f_run(f[1], 1 + step % 97);
        check_same(f[0], f[1], k.name, step);
    }
    ck_assert_int_eq(f[0]->c->state, CPU_SLEEPING);
    ck_assert_uint_eq(f[0]->x->r[RCX], 0);
    ck_assert_uint_eq(x86f_r64(f[0], X86F_PD + 4088), 0x600000ull | 0x87);
    ck_assert_uint_eq(f[0]->x->rep_fast, 0);
    x86f_free(f[0]);
    x86f_free(f[1]);
}
END_TEST

/* TF set: a #DB after every iteration (SDM vol. 3A §17.3.1.4), never a
 * run; the first #DB lands on the IDT's HLT with RCX one down. */
START_TEST(test_rep_tf)
{
    static const struct rep_case k = { "stosq TF", 0xab, 8, false, 100, 0, AREA };
    struct x86f *f[2];
    for (int e = 0; e < 2; e++) {
        f[e] = machine_for(&k, e == 1, 9);
        f[e]->x->rflags |= FL_TF;
    }
    for (unsigned step = 0; step < 50 && f[0]->c->state == CPU_RUNNING; step++) {
        x86f_run(f[0], 5);
        x86f_run(f[1], 5);
        check_same(f[0], f[1], k.name, step);
    }
    ck_assert_uint_eq(f[0]->x->r[RCX], 99);
    ck_assert_uint_eq(f[0]->x->rep_fast, 0);
    x86f_free(f[0]);
    x86f_free(f[1]);
}
END_TEST

Suite *x86_rep_suite(void)
{
    Suite *s = suite_create("x86_rep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_rep_cases, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_rep_smc);
    tcase_add_test(tc, test_rep_tf);
    tcase_add_test(tc, test_rep_into_paging);
    suite_add_tcase(s, tc);
    return s;
}
