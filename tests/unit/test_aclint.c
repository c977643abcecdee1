/* ACLINT unit tests: MSWI, MTIMER (mtime/mtimecmp/MTIP timers), SSWI. */
#include <check.h>
#include <stdlib.h>

#include "apic/aclint.h"
#include "cpu/riscv/rv_hart.h"
#include "sim/cpu.h"
#include "sim/machine.h"

#define NCPU 2

struct fake_cpu {
    struct cpu cpu;      /* first */
    int irq[16];         /* last level per mip bit */
    int calls[16];
};

static void fake_set_irq(struct cpu *c, int line, int level)
{
    struct fake_cpu *f = (struct fake_cpu *)c;
    if (line >= 0 && line < 16) {
        f->irq[line] = level;
        f->calls[line]++;
    }
}

static const struct cpu_ops fake_ops = { .set_irq = fake_set_irq };

struct fixture {
    struct machine *m;
    struct fake_cpu cpu[NCPU];
    struct aclint *a;
};

static struct fixture *fx_new(uint64_t cpu_hz, uint64_t timebase)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ck_assert_ptr_nonnull(f);
    f->m = calloc(1, sizeof(*f->m));
    ck_assert_ptr_nonnull(f->m);
    f->m->cfg.cpu_hz = cpu_hz;
    f->m->ncpus = NCPU;
    for (int i = 0; i < NCPU; i++) {
        f->cpu[i].cpu.ops = &fake_ops;
        f->cpu[i].cpu.m = f->m;
        f->cpu[i].cpu.id = i;
        f->m->cpus[i] = &f->cpu[i].cpu;
    }
    f->a = aclint_new(f->m, NCPU, timebase);
    ck_assert_ptr_nonnull(f->a);
    return f;
}

static struct fixture *fx_default(void)
{
    return fx_new(1000000000ull, 10000000ull);
}

static void fx_free(struct fixture *f)
{
    aclint_free(f->a);
    free(f->m);
    free(f);
}

/* Make CPU h the running one at clock `clock`. */
static void at(struct fixture *f, int h, uint64_t clock)
{
    f->cpu[h].cpu.clock = clock;
    f->m->sched.current = &f->cpu[h].cpu;
}

static uint64_t rd(const struct mmio_ops *ops, struct fixture *f, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    ck_assert(ops->read(f->a, off, size, &v));
    return v;
}

static void wr(const struct mmio_ops *ops, struct fixture *f, uint64_t off, unsigned size,
               uint64_t v)
{
    ck_assert(ops->write(f->a, off, size, v));
}

/* ---- MSWI ---------------------------------------------------------------- */

START_TEST(mswi_sets_and_clears_msip)
{
    struct fixture *f = fx_default();
    wr(&aclint_mswi_ops, f, 4, 4, 1);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MSI], 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MSI], 0);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 4, 4), 1);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 0, 4), 0);
    wr(&aclint_mswi_ops, f, 4, 4, 0);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MSI], 0);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 4, 4), 0);
    /* only bit 0 counts */
    wr(&aclint_mswi_ops, f, 0, 4, 0xfffffffe);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MSI], 0);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 0, 4), 0);
    wr(&aclint_mswi_ops, f, 0, 4, 0x3);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MSI], 1);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 0, 4), 1);
    fx_free(f);
}
END_TEST

START_TEST(mswi_bad_accesses)
{
    struct fixture *f = fx_default();
    uint64_t v;
    ck_assert(!aclint_mswi_ops.write(f->a, 0, 8, 1));
    ck_assert(!aclint_mswi_ops.write(f->a, 0, 1, 1));
    ck_assert(!aclint_mswi_ops.write(f->a, 2, 4, 1));
    ck_assert(!aclint_mswi_ops.read(f->a, 0, 2, &v));
    ck_assert(!aclint_mswi_ops.read(f->a, ACLINT_MSWI_SIZE, 4, &v));
    ck_assert_int_eq(f->cpu[0].calls[IRQ_MSI], 0);
    /* a hart that does not exist: read zero, write ignored */
    wr(&aclint_mswi_ops, f, 4 * NCPU, 4, 1);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 4 * NCPU, 4), 0);
    ck_assert_uint_eq(rd(&aclint_mswi_ops, f, 0x3ffc, 4), 0);
    fx_free(f);
}
END_TEST

/* ---- MTIMER ------------------------------------------------------------- */

START_TEST(mtimecmp_resets_to_max)
{
    struct fixture *f = fx_default();
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 0, 8), UINT64_MAX);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 8, 4), 0xffffffffu);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 12, 4), 0xffffffffu);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), UINT64_MAX);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    fx_free(f);
}
END_TEST

START_TEST(mtimecmp_in_past_raises_now)
{
    struct fixture *f = fx_default();
    at(f, 0, 1000); /* mtime 10 */
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8), 10);
    wr(&aclint_mtimer_ops, f, 8, 8, 5); /* hart 1, written by hart 0 */
    /* hart 1's clock (0) is behind the writer's (1000): the line changes
     * when hart 1 reaches tick 1000 (no effect before its cause) */
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MTI], 0);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), 1000);
    f->cpu[1].cpu.clock = 1000;
    cpu_fire_due_timers(&f->cpu[1].cpu);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MTI], 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), UINT64_MAX);
    /* equal counts as reached */
    wr(&aclint_mtimer_ops, f, 0, 8, 10);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 1);
    /* moving it to the future lowers MTIP again */
    wr(&aclint_mtimer_ops, f, 0, 8, 11);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), 1100);
    fx_free(f);
}
END_TEST

START_TEST(mtimecmp_future_arms_exact_deadline)
{
    struct fixture *f = fx_default();
    /* no CPU running: round_start is the time (0) */
    wr(&aclint_mtimer_ops, f, 0, 8, 5);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), 500);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), UINT64_MAX);

    f->cpu[0].cpu.clock = 499;
    cpu_fire_due_timers(&f->cpu[0].cpu);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    f->cpu[0].cpu.clock = 500;
    cpu_fire_due_timers(&f->cpu[0].cpu);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 1);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), UINT64_MAX);
    fx_free(f);
}
END_TEST

START_TEST(mtimecmp_32bit_halves)
{
    struct fixture *f = fx_default();
    at(f, 1, 0);
    /* low half first: the high half is still all ones, far future */
    wr(&aclint_mtimer_ops, f, 8, 4, 20);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 8, 8), 0xffffffff00000014ull);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MTI], 0);
    wr(&aclint_mtimer_ops, f, 12, 4, 0);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 8, 8), 20);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), 2000);
    /* high half of mtime reads its upper 32 bits */
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF + 4, 4), 0);
    fx_free(f);
}
END_TEST

START_TEST(mtime_write_moves_deadlines)
{
    struct fixture *f = fx_default();
    wr(&aclint_mtimer_ops, f, 0, 8, 100);
    wr(&aclint_mtimer_ops, f, 8, 8, 40);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), 10000);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), 4000);

    /* at tick 1000 (mtime 10) the guest sets mtime to 50 */
    at(f, 0, 1000);
    wr(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8, 50);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8), 50);
    /* hart 1's mtimecmp 40 is now in the past: MTIP rises when hart 1's
     * clock reaches the writer's tick 1000 */
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), 1000);
    f->cpu[1].cpu.clock = 1000;
    cpu_fire_due_timers(&f->cpu[1].cpu);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MTI], 1);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), UINT64_MAX);
    /* hart 0: 50 more mtime units from tick 1000 */
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), 6000);
    ck_assert_uint_eq(aclint_mtime_at(f->a, 6000), 100);
    ck_assert_uint_eq(aclint_mtime_to_ticks(f->a, 100), 6000);
    ck_assert_uint_eq(aclint_mtime_to_ticks(f->a, 0), 0);

    /* time runs on from the new value */
    at(f, 1, 3000);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8), 70);

    /* setting mtime back lowers MTIP and re-arms */
    wr(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8, 0);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MTI], 0);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[1].cpu), 3000 + 4000);
    ck_assert_uint_eq(aclint_mtime_to_ticks(f->a, 40), 7000);

    /* 32-bit write of mtime's low half keeps the high half */
    wr(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF + 4, 4, 1);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8), 1ull << 32);
    wr(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 4, 7);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8), (1ull << 32) | 7);
    /* both mtimecmps are far below: MTIP on both (hart 0, at tick 1000,
     * sees the change of hart 1's write at tick 3000 when it gets there) */
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 0);
    f->cpu[0].cpu.clock = 3000;
    cpu_fire_due_timers(&f->cpu[0].cpu);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MTI], 1);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MTI], 1);
    fx_free(f);
}
END_TEST

START_TEST(mtime_reads_exact_mid_slot)
{
    struct fixture *f = fx_default();
    uint64_t left = 300;
    f->cpu[0].cpu.clock = 10000;
    f->cpu[0].cpu.run_budget = 1000;
    f->cpu[0].cpu.run_left = &left; /* 700 retired in this run() */
    f->m->sched.current = &f->cpu[0].cpu;
    ck_assert_uint_eq(aclint_mtime_now(f->a), 107);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, ACLINT_MTIME_OFF, 8), 107);
    f->cpu[0].cpu.run_left = NULL;
    f->m->sched.current = NULL;
    f->m->sched.round_start = 2500;
    ck_assert_uint_eq(aclint_mtime_now(f->a), 25);
    fx_free(f);
}
END_TEST

START_TEST(mtime_tick_conversion_rounds_up)
{
    /* 3 MHz timebase against 1 GHz: 333.33 ticks per mtime unit */
    struct fixture *f = fx_new(1000000000ull, 3000000ull);
    for (uint64_t mt = 1; mt < 50; mt++) {
        uint64_t t = aclint_mtime_to_ticks(f->a, mt);
        ck_assert_uint_ge(aclint_mtime_at(f->a, t), mt);
        ck_assert_uint_lt(aclint_mtime_at(f->a, t - 1), mt);
    }
    /* the armed deadline obeys the same rule */
    wr(&aclint_mtimer_ops, f, 0, 8, 7);
    ck_assert_uint_eq(cpu_next_deadline(&f->cpu[0].cpu), aclint_mtime_to_ticks(f->a, 7));
    ck_assert_uint_eq(aclint_mtime_to_ticks(f->a, UINT64_MAX), UINT64_MAX);
    fx_free(f);
}
END_TEST

START_TEST(mtimer_bad_accesses)
{
    struct fixture *f = fx_default();
    uint64_t v;
    ck_assert(!aclint_mtimer_ops.write(f->a, 0, 1, 1));
    ck_assert(!aclint_mtimer_ops.write(f->a, 0, 2, 1));
    ck_assert(!aclint_mtimer_ops.write(f->a, 4, 8, 1));
    ck_assert(!aclint_mtimer_ops.write(f->a, 2, 4, 1));
    ck_assert(!aclint_mtimer_ops.read(f->a, ACLINT_MTIMER_SIZE, 8, &v));
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 0, 8), UINT64_MAX);
    /* hart that does not exist and the gap: zero, writes ignored */
    wr(&aclint_mtimer_ops, f, 8 * NCPU, 8, 5);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 8 * NCPU, 8), 0);
    ck_assert_uint_eq(rd(&aclint_mtimer_ops, f, 0x7ff0, 8), 0);
    fx_free(f);
}
END_TEST

/* ---- SSWI -------------------------------------------------------------- */

START_TEST(sswi_sets_ssip)
{
    struct fixture *f = fx_default();
    wr(&aclint_sswi_ops, f, 4, 4, 1);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_SSI], 1);
    ck_assert_int_eq(f->cpu[0].calls[IRQ_SSI], 0);
    ck_assert_uint_eq(rd(&aclint_sswi_ops, f, 4, 4), 0);
    /* writing 0 does nothing (the hart clears SSIP itself) */
    f->cpu[1].irq[IRQ_SSI] = 0;
    wr(&aclint_sswi_ops, f, 4, 4, 0);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_SSI], 0);
    ck_assert_int_eq(f->cpu[1].calls[IRQ_SSI], 1);
    /* each write of 1 is a new edge */
    wr(&aclint_sswi_ops, f, 4, 4, 1);
    ck_assert_int_eq(f->cpu[1].calls[IRQ_SSI], 2);
    /* bad size, missing hart */
    ck_assert(!aclint_sswi_ops.write(f->a, 0, 8, 1));
    wr(&aclint_sswi_ops, f, 4 * NCPU, 4, 1);
    ck_assert_int_eq(f->cpu[0].calls[IRQ_SSI], 0);
    fx_free(f);
}
END_TEST

START_TEST(aclint_new_rejects_bad_args)
{
    struct machine *m = calloc(1, sizeof(*m));
    struct fake_cpu c = { .cpu = { .ops = &fake_ops } };
    m->cfg.cpu_hz = 1000000000ull;
    m->ncpus = 1;
    m->cpus[0] = &c.cpu;
    ck_assert_ptr_null(aclint_new(m, 0, 10000000));
    ck_assert_ptr_null(aclint_new(m, 2, 10000000));  /* more than m->ncpus */
    ck_assert_ptr_null(aclint_new(m, 1, 0));
    m->cfg.cpu_hz = 0;
    ck_assert_ptr_null(aclint_new(m, 1, 10000000));
    free(m);
}
END_TEST

Suite *aclint_suite(void)
{
    Suite *s = suite_create("aclint");
    TCase *tc = tcase_create("mswi");
    tcase_add_test(tc, mswi_sets_and_clears_msip);
    tcase_add_test(tc, mswi_bad_accesses);
    suite_add_tcase(s, tc);

    tc = tcase_create("mtimer");
    tcase_add_test(tc, mtimecmp_resets_to_max);
    tcase_add_test(tc, mtimecmp_in_past_raises_now);
    tcase_add_test(tc, mtimecmp_future_arms_exact_deadline);
    tcase_add_test(tc, mtimecmp_32bit_halves);
    tcase_add_test(tc, mtime_write_moves_deadlines);
    tcase_add_test(tc, mtime_reads_exact_mid_slot);
    tcase_add_test(tc, mtime_tick_conversion_rounds_up);
    tcase_add_test(tc, mtimer_bad_accesses);
    suite_add_tcase(s, tc);

    tc = tcase_create("sswi");
    tcase_add_test(tc, sswi_sets_ssip);
    tcase_add_test(tc, aclint_new_rejects_bad_args);
    suite_add_tcase(s, tc);
    return s;
}
