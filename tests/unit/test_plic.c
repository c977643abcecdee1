/* PLIC unit tests: priorities, threshold, enables, claim order, complete,
 * level-triggered re-pending, context-to-hart mapping, access rules. */
#include <check.h>
#include <stdlib.h>

#include "apic/plic.h"
#include "cpu/riscv/rv_hart.h"
#include "sim/cpu.h"
#include "sim/irq.h"
#include "sim/machine.h"

#define NCPU 2
#define NDEV 40

#define PRIO(s)      (4u * (s))
#define PENDING(w)   (0x1000u + 4u * (w))
#define ENABLE(c, w) (0x2000u + 0x80u * (c) + 4u * (w))
#define THRESH(c)    (0x200000u + 0x1000u * (c))
#define CLAIM(c)     (0x200004u + 0x1000u * (c))

struct fake_cpu {
    struct cpu cpu;
    int irq[16];
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
    struct plic *p;
};

static struct fixture *fx_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ck_assert_ptr_nonnull(f);
    f->m = calloc(1, sizeof(*f->m));
    ck_assert_ptr_nonnull(f->m);
    f->m->cfg.cpu_hz = 1000000000ull;
    f->m->ncpus = NCPU;
    for (int i = 0; i < NCPU; i++) {
        f->cpu[i].cpu.ops = &fake_ops;
        f->cpu[i].cpu.m = f->m;
        f->cpu[i].cpu.id = i;
        f->m->cpus[i] = &f->cpu[i].cpu;
    }
    f->p = plic_new(f->m, NDEV, NCPU);
    ck_assert_ptr_nonnull(f->p);
    return f;
}

static void fx_free(struct fixture *f)
{
    plic_free(f->p);
    free(f->m);
    free(f);
}

static uint32_t rd(struct fixture *f, uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    ck_assert(plic_ops.read(f->p, off, 4, &v));
    ck_assert_uint_le(v, 0xffffffffu);
    return (uint32_t)v;
}

static void wr(struct fixture *f, uint64_t off, uint32_t v)
{
    ck_assert(plic_ops.write(f->p, off, 4, v));
}

static void enable(struct fixture *f, int ctx, uint32_t src)
{
    uint32_t w = rd(f, ENABLE(ctx, src / 32));
    wr(f, ENABLE(ctx, src / 32), w | (1u << (src % 32)));
}

START_TEST(claim_order_by_priority_then_id)
{
    struct fixture *f = fx_new();
    wr(f, PRIO(3), 1);
    wr(f, PRIO(5), 2);
    wr(f, PRIO(7), 2);
    wr(f, PRIO(33), 3);
    enable(f, 0, 3);
    enable(f, 0, 5);
    enable(f, 0, 7);
    enable(f, 0, 33);
    plic_set_irq(f->p, 7, 1);
    plic_set_irq(f->p, 5, 1);
    plic_set_irq(f->p, 3, 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);
    ck_assert_uint_eq(rd(f, PENDING(0)), (1u << 3) | (1u << 5) | (1u << 7));
    plic_set_irq(f->p, 33, 1);
    ck_assert_uint_eq(rd(f, PENDING(1)), 1u << 1);

    ck_assert_uint_eq(rd(f, CLAIM(0)), 33);
    ck_assert_uint_eq(rd(f, CLAIM(0)), 5); /* tie with 7: lowest id */
    ck_assert_uint_eq(rd(f, CLAIM(0)), 7);
    ck_assert_uint_eq(rd(f, CLAIM(0)), 3);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_uint_eq(rd(f, CLAIM(0)), 0);
    ck_assert_uint_eq(rd(f, PENDING(0)), 0);
    fx_free(f);
}
END_TEST

START_TEST(priority_zero_and_threshold_mask)
{
    struct fixture *f = fx_new();
    enable(f, 0, 4);
    plic_set_irq(f->p, 4, 1);
    /* priority 0 never interrupts */
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_uint_eq(rd(f, PENDING(0)), 1u << 4);
    ck_assert_uint_eq(plic_claim(f->p, 0), 0);

    wr(f, PRIO(4), 2);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);
    /* needs priority strictly above the threshold */
    wr(f, THRESH(0), 2);
    ck_assert_uint_eq(rd(f, THRESH(0)), 2);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_uint_eq(plic_claim(f->p, 0), 0);
    wr(f, THRESH(0), 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);
    ck_assert_uint_eq(plic_claim(f->p, 0), 4);

    /* WARL: 3 bits */
    wr(f, PRIO(4), 0xff);
    ck_assert_uint_eq(rd(f, PRIO(4)), 7);
    wr(f, THRESH(0), 0x1f);
    ck_assert_uint_eq(rd(f, THRESH(0)), 7);
    fx_free(f);
}
END_TEST

START_TEST(enables_gate_sources)
{
    struct fixture *f = fx_new();
    wr(f, PRIO(9), 1);
    plic_set_irq(f->p, 9, 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_uint_eq(plic_claim(f->p, 0), 0);
    enable(f, 0, 9);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);
    wr(f, ENABLE(0, 0), 0);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    /* source 0 and ids above ndev are hardwired off */
    wr(f, ENABLE(0, 0), 0xffffffff);
    ck_assert_uint_eq(rd(f, ENABLE(0, 0)), 0xfffffffe);
    wr(f, ENABLE(0, 1), 0xffffffff);
    ck_assert_uint_eq(rd(f, ENABLE(0, 1)), (1u << (NDEV - 32 + 1)) - 1);
    wr(f, ENABLE(0, 5), 0xffffffff);
    ck_assert_uint_eq(rd(f, ENABLE(0, 5)), 0);
    fx_free(f);
}
END_TEST

START_TEST(complete_repends_while_line_high)
{
    struct fixture *f = fx_new();
    wr(f, PRIO(10), 1);
    enable(f, 0, 10);
    plic_set_irq(f->p, 10, 1);
    ck_assert_uint_eq(rd(f, CLAIM(0)), 10);
    ck_assert_uint_eq(rd(f, PENDING(0)), 0);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    /* line still high while in service: not pending */
    plic_set_irq(f->p, 10, 1);
    ck_assert_uint_eq(rd(f, PENDING(0)), 0);
    wr(f, CLAIM(0), 10);
    ck_assert_uint_eq(rd(f, PENDING(0)), 1u << 10);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);

    /* claim again, drop the line, complete: nothing pending */
    ck_assert_uint_eq(rd(f, CLAIM(0)), 10);
    plic_set_irq(f->p, 10, 0);
    wr(f, CLAIM(0), 10);
    ck_assert_uint_eq(rd(f, PENDING(0)), 0);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);

    /* a line that drops before the claim withdraws the request */
    plic_set_irq(f->p, 10, 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);
    plic_set_irq(f->p, 10, 0);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_uint_eq(plic_claim(f->p, 0), 0);
    fx_free(f);
}
END_TEST

START_TEST(complete_ignores_wrong_ids)
{
    struct fixture *f = fx_new();
    wr(f, PRIO(2), 1);
    enable(f, 0, 2);
    plic_set_irq(f->p, 2, 1);
    ck_assert_uint_eq(plic_claim(f->p, 0), 2);
    /* not enabled for ctx 1, not in service, out of range: ignored */
    plic_complete(f->p, 1, 2);
    plic_complete(f->p, 0, 3);
    plic_complete(f->p, 0, 0);
    plic_complete(f->p, 0, 1000);
    plic_complete(f->p, 99, 2);
    wr(f, CLAIM(0), 0xffffffff);
    ck_assert_uint_eq(rd(f, PENDING(0)), 0);
    plic_complete(f->p, 0, 2);
    ck_assert_uint_eq(rd(f, PENDING(0)), 1u << 2);
    /* bad sources on the input side are ignored */
    plic_set_irq(f->p, 0, 1);
    plic_set_irq(f->p, NDEV + 1, 1);
    plic_set_irq(f->p, -5, 1);
    ck_assert_uint_eq(rd(f, PENDING(0)), 1u << 2);
    ck_assert_uint_eq(rd(f, PENDING(1)), 0);
    fx_free(f);
}
END_TEST

START_TEST(contexts_map_to_harts_and_modes)
{
    struct fixture *f = fx_new();
    wr(f, PRIO(1), 1);
    wr(f, PRIO(2), 1);
    plic_set_irq(f->p, 1, 1);
    plic_set_irq(f->p, 2, 1);

    enable(f, 1, 1); /* hart 0 S-mode */
    ck_assert_int_eq(f->cpu[0].irq[IRQ_SEI], 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_SEI], 0);

    enable(f, 2, 2); /* hart 1 M-mode */
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MEI], 1);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_SEI], 0);

    enable(f, 3, 2); /* hart 1 S-mode */
    ck_assert_int_eq(f->cpu[1].irq[IRQ_SEI], 1);

    /* a claim by one context takes the source from all others */
    ck_assert_uint_eq(rd(f, CLAIM(3)), 2);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_MEI], 0);
    ck_assert_int_eq(f->cpu[1].irq[IRQ_SEI], 0);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_SEI], 1);
    /* the threshold is per context */
    wr(f, THRESH(1), 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_SEI], 0);
    ck_assert_uint_eq(rd(f, THRESH(0)), 0);
    fx_free(f);
}
END_TEST

START_TEST(outputs_change_only_on_edges)
{
    struct fixture *f = fx_new();
    wr(f, PRIO(6), 1);
    wr(f, PRIO(8), 1);
    enable(f, 0, 6);
    enable(f, 0, 8);
    ck_assert_int_eq(f->cpu[0].calls[IRQ_MEI], 0);
    plic_set_irq(f->p, 6, 1);
    plic_set_irq(f->p, 8, 1);
    plic_set_irq(f->p, 6, 1);
    ck_assert_int_eq(f->cpu[0].calls[IRQ_MEI], 1);
    ck_assert_uint_eq(plic_claim(f->p, 0), 6);
    ck_assert_int_eq(f->cpu[0].calls[IRQ_MEI], 1); /* 8 still pending */
    ck_assert_uint_eq(plic_claim(f->p, 0), 8);
    ck_assert_int_eq(f->cpu[0].calls[IRQ_MEI], 2);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    ck_assert_int_eq(f->cpu[1].calls[IRQ_MEI], 0);
    fx_free(f);
}
END_TEST

START_TEST(irq_line_drives_source)
{
    struct fixture *f = fx_new();
    struct irq_line line = { .set = plic_set_irq, .opaque = f->p, .n = 10 };
    wr(f, PRIO(10), 1);
    enable(f, 0, 10);
    irq_set(&line, 1);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 1);
    irq_set(&line, 0);
    ck_assert_int_eq(f->cpu[0].irq[IRQ_MEI], 0);
    fx_free(f);
}
END_TEST

START_TEST(access_rules)
{
    struct fixture *f = fx_new();
    uint64_t v;
    /* only aligned 32-bit accesses inside the window */
    ck_assert(!plic_ops.read(f->p, PRIO(1), 1, &v));
    ck_assert(!plic_ops.read(f->p, PRIO(1), 2, &v));
    ck_assert(!plic_ops.read(f->p, PRIO(1), 8, &v));
    ck_assert(!plic_ops.write(f->p, PRIO(1), 8, 1));
    ck_assert(!plic_ops.write(f->p, PRIO(1) + 2, 4, 1));
    ck_assert(!plic_ops.read(f->p, CLAIM(0), 8, &v));
    ck_assert(!plic_ops.read(f->p, PLIC_SIZE, 4, &v));
    ck_assert_uint_eq(rd(f, PRIO(1)), 0);

    /* reserved or absent registers: zero, writes ignored */
    wr(f, PRIO(0), 5);
    ck_assert_uint_eq(rd(f, PRIO(0)), 0);
    wr(f, PRIO(NDEV + 1), 5);
    ck_assert_uint_eq(rd(f, PRIO(NDEV + 1)), 0);
    wr(f, PENDING(0), 0xffffffff);
    ck_assert_uint_eq(rd(f, PENDING(0)), 0);
    wr(f, ENABLE(2 * NCPU, 0), 0xffffffff);
    ck_assert_uint_eq(rd(f, ENABLE(2 * NCPU, 0)), 0);
    wr(f, THRESH(2 * NCPU), 3);
    ck_assert_uint_eq(rd(f, THRESH(2 * NCPU)), 0);
    ck_assert_uint_eq(rd(f, CLAIM(2 * NCPU)), 0);
    ck_assert_uint_eq(rd(f, THRESH(0) + 8), 0);
    ck_assert_uint_eq(rd(f, 0x1f0000), 0);
    ck_assert_uint_eq(rd(f, PLIC_SIZE - 4), 0);
    ck_assert_uint_eq(plic_claim(f->p, -1), 0);
    ck_assert_uint_eq(plic_claim(f->p, 2 * NCPU), 0);

    ck_assert_ptr_null(plic_new(f->m, 0, NCPU));
    ck_assert_ptr_null(plic_new(f->m, 1024, NCPU));
    ck_assert_ptr_null(plic_new(f->m, NDEV, NCPU + 1));
    fx_free(f);
}
END_TEST

Suite *plic_suite(void)
{
    Suite *s = suite_create("plic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, claim_order_by_priority_then_id);
    tcase_add_test(tc, priority_zero_and_threshold_mask);
    tcase_add_test(tc, enables_gate_sources);
    tcase_add_test(tc, complete_repends_while_line_high);
    tcase_add_test(tc, complete_ignores_wrong_ids);
    tcase_add_test(tc, contexts_map_to_harts_and_modes);
    tcase_add_test(tc, outputs_change_only_on_edges);
    tcase_add_test(tc, irq_line_drives_source);
    tcase_add_test(tc, access_rules);
    suite_add_tcase(s, tc);
    return s;
}
