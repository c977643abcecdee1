/* Unit tests of MONITOR / MWAIT (src/cpu/x86/monitor.c) through
 * tests/unit/x86_fixture.h: CPUID with [cpu] monitor off and on, #UD when
 * off, MONITOR arming the 64-byte line (PAGE_MONITOR on its page, no fast
 * store mapping left), a device store (bus_write) into the line -- not
 * one to the next line -- triggering it and clearing the page flag,
 * #GP(0) for ECX / a non-canonical address (CPL 3's #UD: tests/firmware/x86/mwait.c),
 * MWAIT falling through unarmed and sleeping armed until a store
 * (wake_pending 2) or, with ECX[0] = 1, a masked interrupt (1), a
 * snapshot's copy still watching, and the [cpu] monitor config key (not written into
 * trace headers when off).
 * Expected values from the SDM vol. 2 "MONITOR", "MWAIT", "CPUID" leaf
 * 05H. */
#include <check.h>
#include <stdint.h>

#include "x86_fixture.h"
#include "x86_cpu_option.h"
#include "sim/board.h"

Suite *x86_mwait_suite(void);

/* a 64-byte line in a data page whose TLB slot no code or stack page of
 * the fixture shares (the TLB is direct-mapped by la[19:12]) */
#define LINE (X86F_DATA + 0x5040)
#define MONITOR 0x0f, 0x01, 0xc8
#define MWAIT 0x0f, 0x01, 0xc9

static struct x86f *fx;

static void setup(void)
{
    fx = x86f_new();
    x86_cpu_set_monitor(fx->c, true);
}
static void teardown(void) { x86f_free(fx); fx = NULL; }

/* Runs code (a HLT appended) with RAX / RCX given. */
static int run(const uint8_t *code, size_t n, uint64_t rax, uint64_t rcx)
{
    uint8_t buf[64];
    ck_assert_uint_lt(n, sizeof buf);
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    fx->c->state = CPU_RUNNING;
    fx->x->rip = X86F_CODE;
    x86f_code(fx, X86F_CODE, buf, n + 1);
    x86f_set_reg(fx, RAX, rax);
    x86f_set_reg(fx, RCX, rcx);
    x86f_set_reg(fx, RDX, 0);
    return x86f_run_to_hlt(fx, 1000, NULL);
}
#define RUN(a, c, ...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; run(c_, sizeof c_, a, c); })

static uint8_t page_flags(uint64_t pa) { return fx->m->ram->page_flags[(pa - fx->m->ram->base) >> 12]; }

START_TEST(cpuid_off_and_on)
{
    uint32_t r[4];
    x86_cpu_set_monitor(fx->c, false);
    x86_cpuid(fx->x, 1, 0, r);
    ck_assert_uint_eq(r[2] & 8, 0);
    x86_cpuid(fx->x, 5, 0, r);
    ck_assert_uint_eq(r[0] | r[1] | r[2] | r[3], 0);
    ck_assert_int_eq(RUN(LINE, 0, MONITOR), 6); /* #UD */
    ck_assert_int_eq(RUN(0, 0, MWAIT), 6);
    x86_cpu_set_monitor(fx->c, true);
    x86_cpuid(fx->x, 1, 0, r);
    ck_assert_uint_eq(r[2] & 8, 8);
    x86_cpuid(fx->x, 5, 0, r);
    ck_assert_uint_eq(r[0], 64);
    ck_assert_uint_eq(r[1], 64);
    ck_assert_uint_eq(r[2], 3);
    ck_assert_uint_eq(r[3], 0x10);
}
END_TEST

START_TEST(monitor_arms_and_device_store_triggers)
{
    ck_assert_int_eq(RUN(LINE + 9, 0, MONITOR), X86F_HALTED);
    ck_assert(fx->x->mon_armed);
    ck_assert_uint_eq(fx->x->mon_pa, LINE);
    ck_assert(page_flags(LINE) & PAGE_MONITOR);
    ck_assert_ptr_null(X86_TLB_AT(fx->x, LINE)->host_w); /* no fast store mapping */
    /* the next line and the one before: still armed */
    ck_assert(bus_write(&fx->m->bus, LINE + 64, 8, 1));
    ck_assert(bus_write(&fx->m->bus, LINE - 8, 8, 1));
    ck_assert(fx->x->mon_armed);
    /* a store that ends in the line's first byte triggers it */
    ck_assert(bus_write(&fx->m->bus, LINE - 3, 4, 1));
    ck_assert(!fx->x->mon_armed);
    ck_assert_uint_eq(page_flags(LINE) & PAGE_MONITOR, 0);
    /* MWAIT after the trigger falls through */
    ck_assert_int_eq(RUN(0, 0, MWAIT), X86F_HALTED);
    ck_assert_uint_eq(fx->x->rip, X86F_CODE + 4); /* past the appended HLT: not asleep in MWAIT */
    ck_assert(!fx->x->mwait_sleep);
}
END_TEST

START_TEST(mwait_sleeps_until_store)
{
    x86f_set_flags(fx, 0); /* IF = 0 */
    ck_assert_int_eq(RUN(LINE, 0, MONITOR, MWAIT), X86F_HALTED);
    ck_assert(fx->x->mwait_sleep);
    ck_assert_uint_eq(fx->x->rip, X86F_CODE + 6); /* after the MWAIT */
    /* IF = 0, ECX[0] = 0 and no other CPU: the run ends (as HLT's) */
    ck_assert(fx->m->exit_requested);
    ck_assert_msg(strstr(fx->m->exit_reason, "MWAIT with IF = 0"), "%s", fx->m->exit_reason);
    ck_assert_uint_eq(fx->c->ops->wake_pending(fx->c), 0);
    fx->x->intr = true; /* masked (IF = 0, ECX[0] = 0): no break event */
    ck_assert_uint_eq(fx->c->ops->wake_pending(fx->c), 0);
    fx->x->intr = false;
    ck_assert(bus_write(&fx->m->bus, LINE + 63, 1, 0xaa));
    ck_assert_uint_eq(fx->c->ops->wake_pending(fx->c), 2);
    /* running again ends the wait: disarmed, the flags cleared */
    fx->c->state = CPU_RUNNING;
    x86f_run(fx, 1);
    ck_assert(!fx->x->mwait_sleep && !fx->x->mon_trig && !fx->x->mon_armed);
}
END_TEST

START_TEST(mwait_masked_interrupt_and_faults)
{
    x86f_set_flags(fx, 0);
    ck_assert_int_eq(RUN(LINE, 1, MONITOR), 13); /* ECX = 1: #GP(0) */
    ck_assert(!fx->x->mon_armed);
    ck_assert_int_eq(RUN(0, 2, MWAIT), 13);       /* reserved ECX bit: #GP(0) */
    ck_assert_int_eq(RUN(0x0000800000000000ull, 0, MONITOR), 13); /* non-canonical */
    /* ECX[0] = 1: a masked interrupt is a break event */
    ck_assert_int_eq(RUN(LINE, 0, MONITOR), X86F_HALTED);
    fx->m->exit_requested = false; /* the fixture's exception HLTs (IF = 0) asked for it */
    ck_assert_int_eq(RUN(0, 1, MWAIT), X86F_HALTED);
    ck_assert(fx->x->mwait_sleep);
    ck_assert(!fx->m->exit_requested); /* a masked interrupt may still end it */
    ck_assert_uint_eq(fx->c->ops->wake_pending(fx->c), 0);
    fx->x->intr = true;
    ck_assert_uint_eq(fx->c->ops->wake_pending(fx->c), 1);
    fx->x->intr = false;
    fx->c->state = CPU_RUNNING;
    x86f_run(fx, 1);
}
END_TEST

/* a snapshot (copy_state into another machine) keeps the monitor armed
 * and watching: the copy's page gets PAGE_MONITOR and its stores trigger */
START_TEST(snapshot_copy_keeps_watching)
{
    ck_assert_int_eq(RUN(LINE, 0, MONITOR), X86F_HALTED);
    struct x86f *g = x86f_new();
    x86_cpu_set_monitor(g->c, true);
    ck_assert_uint_eq(g->m->ram->page_flags[LINE >> 12] & PAGE_MONITOR, 0);
    g->c->ops->copy_state(g->c, fx->c);
    ck_assert(g->x->mon_armed);
    ck_assert(g->m->ram->page_flags[LINE >> 12] & PAGE_MONITOR);
    ck_assert(bus_write(&g->m->bus, LINE + 1, 1, 5));
    ck_assert(!g->x->mon_armed);
    ck_assert(fx->x->mon_armed); /* the original machine is another one */
    x86f_free(g);
}
END_TEST

START_TEST(config_key)
{
    x86_check_cpu_onoff_key("monitor");
}
END_TEST

Suite *x86_mwait_suite(void)
{
    Suite *s = suite_create("x86_mwait");
    TCase *t = tcase_create("mwait");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, cpuid_off_and_on);
    tcase_add_test(t, monitor_arms_and_device_store_triggers);
    tcase_add_test(t, mwait_sleeps_until_store);
    tcase_add_test(t, mwait_masked_interrupt_and_faults);
    tcase_add_test(t, snapshot_copy_keeps_watching);
    tcase_add_test(t, config_key);
    suite_add_tcase(s, t);
    return s;
}
