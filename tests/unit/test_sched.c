/* Unit tests for the deterministic scheduler (src/sim/sched.c) driving real
 * RISC-V harts in a machine built from a config (machine_new/machine_run).
 *
 * The rules under test come from docs/architecture.md "Virtual time and scheduling"
 * and src/sim/sched.h: one retired instruction = one tick of the hart's
 * clock; harts run round-robin in slots of `quantum` instructions; with a
 * seed each round's length and order come from a seeded PRNG (each seed a
 * different, exactly repeatable interleaving); WFI sleeps until an
 * interrupt is pending (priv 1.12 §3.3.3: wake on any locally enabled
 * pending interrupt, regardless of the global enable); when every hart
 * sleeps, time jumps to the next deadline, and with none armed the run ends
 * in a deadlock (EXIT_GUEST_FAIL) instead of hanging.
 *
 * Guest images are raw binaries written to /tmp and loaded as the firmware
 * at 0x80000000. The boot ROM (src/loader/bootrom.c) runs first on every
 * hart: 5 instructions that leave a0 = mhartid and jump to the image. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rv_fixture.h"

Suite *sched_suite(void);

#define BOOTROM_INSNS 5
#define IMG_BASE 0x80000000ull
#define COUNTERS 0x80010000ull /* hart i increments the word at COUNTERS + 8*i */

/* Writes the image to a fresh temporary file; the caller unlinks it. */
static void write_image(char *path, size_t len, const uint32_t *w, size_t n)
{
    snprintf(path, len, "/tmp/hvsim-sched-test-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++) {
        uint8_t b[4] = { (uint8_t)w[i], (uint8_t)(w[i] >> 8), (uint8_t)(w[i] >> 16),
                         (uint8_t)(w[i] >> 24) };
        ck_assert_uint_eq(fwrite(b, 1, 4, f), 4);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static struct machine *build_keep(int smp, uint64_t quantum, uint64_t seed, const uint32_t *w,
                                  size_t n, char *keep_path);

static struct machine *build(int smp, uint64_t quantum, uint64_t seed, const uint32_t *w, size_t n)
{
    return build_keep(smp, quantum, seed, w, n, NULL);
}

/* keep_path (64 bytes): the image file is kept there for the caller to
 * unlink (machine_clone reloads the images). */
static struct machine *build_keep(int smp, uint64_t quantum, uint64_t seed, const uint32_t *w,
                                  size_t n, char *keep_path)
{
    struct config c;
    config_defaults(&c);
    c.smp = smp;
    c.quantum = quantum;
    c.sched_seed = seed;
    c.ram_size = 16ull << 20;
    char path[64];
    write_image(path, sizeof path, w, n);
    snprintf(c.bios, sizeof c.bios, "%s", path);
    char err[512];
    struct machine *m = machine_new(&c, "none", err, sizeof err);
    if (keep_path)
        snprintf(keep_path, 64, "%s", path);
    else
        unlink(path);
    ck_assert_msg(m != NULL, "machine_new: %s", err);
    return m;
}

/* Each hart: t0 = COUNTERS + 8*hartid; loop { ld; addi; sd; j loop }.
 * 3 set-up instructions, then 4 per iteration with the store third. */
static const uint32_t counter_loop[] = {
    0x00010297, /* auipc t0, 0x10        t0 = 0x80010000 */
    0x00351313, /* slli  t1, a0, 3 */
    0x006282b3, /* add   t0, t0, t1 */
    0x0002b383, /* ld    t2, 0(t0)       <- loop */
    0x00138393, /* addi  t2, t2, 1 */
    0x0072b023, /* sd    t2, 0(t0) */
    0xff5ff06f, /* jal   x0, -12         -> loop */
};
#define SETUP_INSNS 3

/* Stores completed after a hart retired r instructions in total. */
static uint64_t expected_count(uint64_t r)
{
    uint64_t loop = r - BOOTROM_INSNS - SETUP_INSNS;
    return (loop + 1) / 4; /* the store is the 3rd of each 4 */
}

static uint64_t counter(struct machine *m, int hart)
{
    uint64_t v = 0;
    ck_assert(bus_read(&m->bus, COUNTERS + 8 * (uint64_t)hart, 8, &v));
    return v;
}

/* The encodings above are the ones the fixture's encoders produce. */
START_TEST(test_image_encoding)
{
    ck_assert_uint_eq(counter_loop[0], rvf_u(0x17, 5, 0x10000));
    ck_assert_uint_eq(counter_loop[1], rvf_i(0x13, 6, 1, 10, 3));
    ck_assert_uint_eq(counter_loop[2], rvf_r(0x33, 5, 0, 5, 6, 0));
    ck_assert_uint_eq(counter_loop[3], rvf_ld(7, 5, 0));
    ck_assert_uint_eq(counter_loop[4], rvf_addi(7, 7, 1));
    ck_assert_uint_eq(counter_loop[5], rvf_sd(7, 5, 0));
    ck_assert_uint_eq(counter_loop[6], rvf_j(0, -12));
}
END_TEST

/* smp 2, quantum 1000, 10000 instructions: 5 rounds of 1000 + 1000, so
 * each hart retires 5000 and virtual time is 5000 ticks. */
START_TEST(test_round_robin_share)
{
    struct machine *m = build(2, 1000, 0, counter_loop, 7);
    ck_assert_int_eq(machine_run(m, 10000), EXIT_MAX_INSNS);
    ck_assert_uint_eq(m->sched.total_retired, 10000);
    ck_assert_uint_eq(m->cpus[0]->retired, 5000);
    ck_assert_uint_eq(m->cpus[1]->retired, 5000);
    ck_assert_uint_eq(m->sched.round_start, 5000);
    ck_assert_uint_eq(m->sched.rounds, 5);
    ck_assert_uint_eq(counter(m, 0), expected_count(5000));
    ck_assert_uint_eq(counter(m, 1), expected_count(5000));
    ck_assert_uint_eq(expected_count(5000), 1248);
    machine_free(m);
}
END_TEST

/* The limit can end a round in the middle: 2500 = 1000 + 1000 | 500 + 0. */
START_TEST(test_limit_mid_round)
{
    struct machine *m = build(2, 1000, 0, counter_loop, 7);
    ck_assert_int_eq(machine_run(m, 2500), EXIT_MAX_INSNS);
    ck_assert_uint_eq(m->cpus[0]->retired, 1500);
    ck_assert_uint_eq(m->cpus[1]->retired, 1000);
    ck_assert_uint_eq(counter(m, 0), expected_count(1500));
    ck_assert_uint_eq(counter(m, 1), expected_count(1000));
    machine_free(m);
}
END_TEST

/* Four harts, quantum 250: N = 4000 -> 1000 each, time 1000. */
START_TEST(test_round_robin_four)
{
    struct machine *m = build(4, 250, 0, counter_loop, 7);
    ck_assert_int_eq(machine_run(m, 4000), EXIT_MAX_INSNS);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(m->cpus[i]->retired, 1000);
        ck_assert_uint_eq(counter(m, i), expected_count(1000));
    }
    ck_assert_uint_eq(m->sched.round_start, 1000);
    machine_free(m);
}
END_TEST

static void retired_of(struct machine *m, uint64_t *r)
{
    for (int i = 0; i < m->ncpus; i++)
        r[i] = m->cpus[i]->retired;
}

/* Same config and seed: identical per-hart counts and memory. A different
 * seed: a different split. Every split adds up to N, and no hart gets more
 * than one maximal slot (3Q/2) ahead of the other. */
START_TEST(test_seed_repeatable)
{
    const uint64_t N = 20001, Q = 1000;
    uint64_t r1[2], r2[2], r3[2];
    struct machine *a = build(2, Q, 12345, counter_loop, 7);
    struct machine *b = build(2, Q, 12345, counter_loop, 7);
    struct machine *c = build(2, Q, 987654321, counter_loop, 7);
    ck_assert_int_eq(machine_run(a, N), EXIT_MAX_INSNS);
    ck_assert_int_eq(machine_run(b, N), EXIT_MAX_INSNS);
    ck_assert_int_eq(machine_run(c, N), EXIT_MAX_INSNS);
    retired_of(a, r1);
    retired_of(b, r2);
    retired_of(c, r3);
    ck_assert_uint_eq(r1[0] + r1[1], N);
    ck_assert_uint_eq(r3[0] + r3[1], N);
    ck_assert_uint_eq(r1[0], r2[0]);
    ck_assert_uint_eq(r1[1], r2[1]);
    ck_assert_uint_eq(a->sched.round_start, b->sched.round_start);
    ck_assert_int_eq(memcmp(a->ram->host, b->ram->host, a->ram->size), 0);
    ck_assert(r1[0] != r3[0]);
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_eq(counter(a, i), expected_count(r1[i]));
        ck_assert_uint_eq(counter(c, i), expected_count(r3[i]));
    }
    uint64_t d1 = r1[0] > r1[1] ? r1[0] - r1[1] : r1[1] - r1[0];
    uint64_t d3 = r3[0] > r3[1] ? r3[0] - r3[1] : r3[1] - r3[0];
    ck_assert_uint_le(d1, Q + Q / 2);
    ck_assert_uint_le(d3, Q + Q / 2);
    machine_free(a);
    machine_free(b);
    machine_free(c);
}
END_TEST

/* A machine stopped mid-run (sched.stop_at) and copied with machine_clone
 * (the debugger's snapshots) goes on exactly like the original: same
 * per-hart counts, same RAM, same virtual time. Seeded, so the schedule's
 * PRNG state must be copied too. */
START_TEST(test_clone_mid_run)
{
    const uint64_t N = 60001, Q = 700;
    char img[64];
    struct machine *a = build_keep(2, Q, 777, counter_loop, 7, img);
    a->max_insns = N;
    a->sched.stop_at = 23457; /* not a round boundary */
    ck_assert_int_eq(sched_run(a), SCHED_DEBUG_STOP);
    a->sched.stop_at = 0;
    a->sched.stopped_cpu = NULL;
    char err[256];
    struct machine *b = machine_clone(a, err, sizeof err);
    unlink(img);
    ck_assert_msg(b != NULL, "machine_clone: %s", err);
    ck_assert_int_eq(sched_run(a), EXIT_MAX_INSNS);
    ck_assert_int_eq(sched_run(b), EXIT_MAX_INSNS);
    uint64_t ra[2], rb[2];
    retired_of(a, ra);
    retired_of(b, rb);
    ck_assert_uint_eq(ra[0], rb[0]);
    ck_assert_uint_eq(ra[1], rb[1]);
    ck_assert_uint_eq(a->sched.round_start, b->sched.round_start);
    ck_assert_int_eq(memcmp(a->ram->host, b->ram->host, a->ram->size), 0);
    ck_assert_uint_gt(counter(b, 0), 0);
    machine_free(a);
    machine_free(b);
}
END_TEST

/* machine_clone copies memory page by page and skips pages the host has
 * never mapped (they are zero, src/sim/machine.c pages_maybe_nonzero):
 * data written anywhere (first and last page, a page's last byte), a
 * page of the loaded image zeroed again (the copy, freshly built, has the
 * image there) and a page read but never written all come out the same,
 * in a copy of the copy too. */
START_TEST(test_clone_memory)
{
    char img[64];
    struct machine *a = build_keep(1, 1000, 0, counter_loop, 7, img);
    struct mem_region *r = a->ram;
    uint64_t last = r->size - 4096;
    memset(r->host, 0, 4096);                       /* the image's page, zeroed */
    r->host[4096 + 17] = 0x5a;                      /* page 1 */
    r->host[5 * 4096 + 4095] = 0xa5;                /* page 5, its last byte */
    memset(r->host + 100 * 4096 + 8, 0x33, 5000);   /* pages 100..101 */
    r->host[last + 4095] = 1;                       /* the last page */
    volatile uint8_t sink = r->host[200 * 4096];    /* read, never written */
    (void)sink;
    char err[256];
    struct machine *b = machine_clone(a, err, sizeof err);
    ck_assert_msg(b != NULL, "machine_clone: %s", err);
    struct machine *c = machine_clone(b, err, sizeof err);
    unlink(img);
    ck_assert_msg(c != NULL, "machine_clone: %s", err);
    for (int i = 0; i < a->bus.nmem; i++) {
        ck_assert_uint_eq(a->bus.mem[i].size, b->bus.mem[i].size);
        ck_assert_msg(memcmp(a->bus.mem[i].host, b->bus.mem[i].host, a->bus.mem[i].size) == 0,
                      "region %s differs in the copy", a->bus.mem[i].name);
        ck_assert_msg(memcmp(a->bus.mem[i].host, c->bus.mem[i].host, a->bus.mem[i].size) == 0,
                      "region %s differs in the copy of the copy", a->bus.mem[i].name);
    }
    ck_assert_uint_eq(c->ram->host[5 * 4096 + 4095], 0xa5);
    ck_assert_uint_eq(c->ram->host[0], 0);
    machine_free(a);
    machine_free(b);
    machine_free(c);
}
END_TEST

/* Every hart in WFI with no interrupt enabled and nothing armed: the run
 * ends as a deadlock (guest failure) after a handful of instructions. */
START_TEST(test_wfi_deadlock)
{
    static const uint32_t img[] = {
        0x30401073, /* csrw mie, zero */
        0x10500073, /* wfi */
        0xffdff06f, /* j .-4 */
    };
    ck_assert_uint_eq(img[0], rvf_csrrw(0, RVF_MIE, 0));
    ck_assert_uint_eq(img[2], rvf_j(0, -4));
    struct machine *m = build(2, 1000, 0, img, 3);
    ck_assert_int_eq(machine_run(m, 0), EXIT_GUEST_FAIL);
    ck_assert(strstr(m->exit_reason, "deadlock") != NULL);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(m->cpus[i]->state, CPU_SLEEPING);
        ck_assert_uint_eq(m->cpus[i]->retired, BOOTROM_INSNS + 2);
    }
    machine_free(m);
}
END_TEST

/* WFI with mtimecmp armed (MTIE set, MIE clear): time jumps to the deadline
 * (mtimecmp 1000000 at 10 MHz = 0.1 s = 100000000 ticks at 1 GHz), the hart
 * wakes without trapping (§3.3.3), reads time and powers off. */
START_TEST(test_wfi_time_jump)
{
    static const uint32_t img[] = {
        0x00010417, /* auipc s0, 0x10            s0 = 0x80010000 */
        0x020042b7, /* lui   t0, 0x2004          mtimecmp[0] */
        0x000f4337, /* lui   t1, 0xf4 */
        0x24030313, /* addi  t1, t1, 576         t1 = 1000000 */
        0x0062b023, /* sd    t1, 0(t0) */
        0x08000393, /* li    t2, 0x80            MTIE */
        0x30439073, /* csrw  mie, t2 */
        0x10500073, /* wfi */
        0xc0102e73, /* rdtime t3 */
        0x01c43023, /* sd    t3, 0(s0) */
        0x001002b7, /* lui   t0, 0x100           sifive_test */
        0x00005337, /* lui   t1, 0x5 */
        0x55530313, /* addi  t1, t1, 0x555       0x5555 = pass */
        0x0062a023, /* sw    t1, 0(t0) */
        0x0000006f, /* j . */
    };
    ck_assert_uint_eq(img[1], rvf_lui(5, 0x2004000));
    ck_assert_uint_eq(img[3], rvf_addi(6, 6, 576));
    ck_assert_uint_eq(img[4], rvf_sd(6, 5, 0));
    ck_assert_uint_eq(img[6], rvf_csrrw(0, RVF_MIE, 7));
    ck_assert_uint_eq(img[8], rvf_csrrs(28, RVF_TIME, 0));
    ck_assert_uint_eq(img[9], rvf_sd(28, 8, 0));
    ck_assert_uint_eq(img[13], rvf_s(0x23, 2, 5, 6, 0));
    const uint64_t Q = 1000, deadline = 100000000;
    struct machine *m = build(1, Q, 0, img, 15);
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    ck_assert_uint_ge(m->sched.round_start, deadline);
    ck_assert_uint_le(m->sched.round_start, deadline + Q);
    ck_assert_uint_lt(m->sched.total_retired, 50);
    uint64_t t = 0;
    ck_assert(bus_read(&m->bus, 0x80010000, 8, &t));
    ck_assert_uint_ge(t, 1000000);
    ck_assert_uint_lt(t, 1000010);
    struct rv_hart *h = RV_HART(m->cpus[0]);
    ck_assert_uint_eq(h->mcause, 0); /* no trap was taken: MIE = 0 */
    ck_assert(rv_mip(h) & (1u << IRQ_MTI));
    machine_free(m);
}
END_TEST

/* One hart asleep until a deadline while the other keeps running: the
 * sleeper's slots do not retire anything and the runner gets only its own
 * quantum per round (the sleeper's slot passes in virtual time). */
START_TEST(test_sleeper_and_runner)
{
    /* hart 0 sleeps (nothing enabled), hart 1 counts */
    static const uint32_t img[] = {
        0x00051663, /* bnez a0, +12 */
        0x10500073, /* wfi */
        0xffdff06f, /* j .-4 */
        0x00010297, /* auipc t0, 0x10 (pc = +12: t0 = 0x8001000c) */
        0xff428293, /* addi t0, t0, -12   -> 0x80010000 */
        0x0002b383, /* ld    t2, 0(t0)  <- loop */
        0x00138393, /* addi  t2, t2, 1 */
        0x0072b023, /* sd    t2, 0(t0) */
        0xff5ff06f, /* j loop */
    };
    ck_assert_uint_eq(img[0], rvf_b(1, 10, 0, 12));
    ck_assert_uint_eq(img[4], rvf_addi(5, 5, -12));
    struct machine *m = build(2, 1000, 0, img, 9);
    ck_assert_int_eq(machine_run(m, 10000), EXIT_MAX_INSNS);
    ck_assert_uint_eq(m->cpus[0]->retired, BOOTROM_INSNS + 2);
    ck_assert_uint_eq(m->cpus[1]->retired, 10000 - BOOTROM_INSNS - 2);
    ck_assert_int_eq(m->cpus[0]->state, CPU_SLEEPING);
    /* 10 rounds of 1000 ticks (the first also holds hart 0's 7) */
    ck_assert_uint_ge(m->sched.round_start, 10000);
    ck_assert_uint_le(m->sched.round_start, 11000);
    machine_free(m);
}
END_TEST


/* cpu_yield (x86 PAUSE's path, src/sim/cpu.h): a CPU model that yields
 * after every instruction. The wrapper runs the hart one instruction and
 * yields as a model does from inside run() (run_left set). */
static const struct cpu_ops *yield_orig;
static struct cpu_ops yield_ops;
static uint64_t yield_run(struct cpu *c, uint64_t budget)
{
    c->run_budget = 1; /* the model counts from run_budget */
    uint64_t n = yield_orig->run(c, 1);
    c->run_budget = budget;
    uint64_t left = budget - n; /* as the model's count would be */
    c->run_left = &left;
    cpu_yield(c);
    c->run_left = NULL;
    return c->run_budget; /* cpu_end_run took what was left off: n */
}

START_TEST(test_yield_ends_slot)
{
    struct machine *m = build(2, 1000, 0, counter_loop, 7);
    yield_orig = m->cpus[0]->ops;
    yield_ops = *yield_orig;
    yield_ops.run = yield_run;
    m->cpus[0]->ops = &yield_ops;
    /* five rounds: hart 0 one instruction then idle to its slot end, hart
     * 1 the whole slot; every clock at the round boundary */
    ck_assert_int_eq(machine_run(m, 5 * 1001), EXIT_MAX_INSNS);
    ck_assert_uint_eq(m->cpus[0]->retired, 5);
    ck_assert_uint_eq(m->cpus[1]->retired, 5000);
    ck_assert_uint_eq(m->sched.round_start, 5000);
    ck_assert_uint_eq(m->cpus[0]->clock, 5000);
    ck_assert_uint_eq(m->cpus[1]->clock, 5000);
    ck_assert(!m->cpus[0]->yielded); /* a new slot starts without it */
    ck_assert_uint_eq(counter(m, 1), expected_count(5000));
    /* outside run() it does nothing */
    cpu_yield(m->cpus[1]);
    ck_assert(!m->cpus[1]->yielded);
    m->cpus[0]->ops = yield_orig;
    machine_free(m);
}
END_TEST

/* ---- perturbations (src/sim/perturb.h, docs/explore.md) ---- */

/* Options parse into the canonical text, which parses back to the same
 * values (the trace header's "perturb" line); none given = "". */
START_TEST(test_perturb_spec_roundtrip)
{
    struct perturb_cfg p = { 0 }, q;
    char err[256], text[256], text2[256];
    perturb_format(&p, text, sizeof text);
    ck_assert_str_eq(text, "");
    ck_assert(!perturb_any(&p));
    ck_assert(perturb_parse_option(&p, "ipi-latency", "1us..2ms", err, sizeof err));
    ck_assert(perturb_parse_option(&p, "stall", "0.0005:100ms", err, sizeof err));
    ck_assert(perturb_parse_option(&p, "skew", "25", err, sizeof err));
    ck_assert(perturb_parse_option(&p, "strategy", "pct:3", err, sizeof err));
    ck_assert_uint_eq(p.ipi_min_ns, 1000);
    ck_assert_uint_eq(p.ipi_max_ns, 2000000);
    ck_assert_uint_eq(p.stall_ppb, 500000);
    ck_assert_uint_eq(p.stall_max_ns, 100000000);
    perturb_format(&p, text, sizeof text);
    ck_assert_str_eq(text, "ipi-latency=1000..2000000 stall=0.0005:100000000 skew=25 strategy=pct:3");
    ck_assert(perturb_parse_spec(&q, text, err, sizeof err));
    perturb_format(&q, text2, sizeof text2);
    ck_assert_str_eq(text, text2);
    ck_assert(!perturb_parse_option(&p, "stall", "1.5:1ms", err, sizeof err));
    ck_assert(strstr(err, "--stall") != NULL);
    ck_assert(!perturb_parse_option(&p, "ipi-latency", "9..3", err, sizeof err));
    ck_assert(!perturb_parse_spec(&q, "skew", err, sizeof err));
}
END_TEST

/* The interrupt-message hook: a CPU-to-CPU change arrives MIN..MAX later,
 * never out of send order for one target; a CPU's change to itself, or a
 * device's outside any slot, is not delayed; without --ipi-latency the
 * time is unchanged. */
START_TEST(test_ipi_latency_hook)
{
    struct machine *m = build(2, 1000, 7, counter_loop, 7);
    struct cpu *c0 = m->cpus[0], *c1 = m->cpus[1];
    ck_assert_uint_eq(sched_msg_time(m, c1, c0, 5000), 5000);
    struct perturb_cfg p = { .ipi_min_ns = 100, .ipi_max_ns = 900 }; /* 1 GHz: ticks = ns */
    sched_set_perturb(m, &p);
    uint64_t last = 0;
    bool varied = false;
    for (uint64_t t = 10000; t < 10400; t += 4) {
        uint64_t at = sched_msg_time(m, c1, c0, t);
        ck_assert_uint_ge(at, t + 100);
        ck_assert_uint_le(at, t + 900 > last ? t + 900 : last);
        ck_assert_uint_ge(at, last);
        varied |= last && at != last + 4;
        last = at;
    }
    ck_assert(varied);
    ck_assert_uint_eq(sched_msg_time(m, c1, c1, 20000), 20000);
    ck_assert_uint_eq(sched_msg_time(m, c1, NULL, 20000), 20000);
    machine_free(m);
}
END_TEST

/* --skew: each hart retires its drawn share of every slot; the same seed
 * gives the same rates and counts, and the rates lie in [100-PCT, 100] %. */
START_TEST(test_skew_rates)
{
    const uint64_t N = 400000, Q = 1000;
    struct perturb_cfg p = { .skew_pct = 60 };
    struct machine *a = build(2, Q, 99, counter_loop, 7), *b = build(2, Q, 99, counter_loop, 7);
    sched_set_perturb(a, &p);
    sched_set_perturb(b, &p);
    ck_assert_int_eq(machine_run(a, N), EXIT_MAX_INSNS);
    ck_assert_int_eq(machine_run(b, N), EXIT_MAX_INSNS);
    uint64_t ra[2], rb[2];
    retired_of(a, ra);
    retired_of(b, rb);
    ck_assert_uint_eq(ra[0], rb[0]);
    ck_assert_uint_eq(ra[1], rb[1]);
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_ge(a->sched.rate[i], 400);
        ck_assert_uint_le(a->sched.rate[i], 1000);
        /* retired/elapsed ticks within 2 % of the rate (slot rounding) */
        double share = (double)ra[i] / (double)a->sched.round_start * 1000.0;
        ck_assert_msg(share > a->sched.rate[i] - 20 && share < a->sched.rate[i] + 20,
                      "hart %d: share %.1f, rate %u", i, share, a->sched.rate[i]);
        ck_assert_uint_eq(counter(a, i), expected_count(ra[i]));
    }
    machine_free(a);
    machine_free(b);
}
END_TEST

/* --stall with P = 1: every hart stalls in every round it is not already
 * stalled in, so over a run the harts retire far fewer instructions than
 * the elapsed ticks, repeatably; the program's results stay consistent. */
START_TEST(test_stall_repeatable)
{
    const uint64_t N = 100000, Q = 1000;
    struct perturb_cfg p = { .stall_ppb = 1000000000u, .stall_max_ns = 3000 };
    struct machine *a = build(2, Q, 5, counter_loop, 7), *b = build(2, Q, 5, counter_loop, 7);
    sched_set_perturb(a, &p);
    sched_set_perturb(b, &p);
    ck_assert_int_eq(machine_run(a, N), EXIT_MAX_INSNS);
    ck_assert_int_eq(machine_run(b, N), EXIT_MAX_INSNS);
    uint64_t ra[2], rb[2];
    retired_of(a, ra);
    retired_of(b, rb);
    ck_assert_uint_eq(ra[0], rb[0]);
    ck_assert_uint_eq(ra[1], rb[1]);
    ck_assert_uint_eq(a->sched.round_start, b->sched.round_start);
    ck_assert_uint_lt(ra[0] + ra[1], a->sched.round_start * 2 * 3 / 4);
    for (int i = 0; i < 2; i++)
        ck_assert_uint_eq(counter(a, i), expected_count(ra[i]));
    machine_free(a);
    machine_free(b);
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_image_encoding);
    tcase_add_test(tc, test_round_robin_share);
    tcase_add_test(tc, test_limit_mid_round);
    tcase_add_test(tc, test_round_robin_four);
    tcase_add_test(tc, test_seed_repeatable);
    tcase_add_test(tc, test_wfi_deadlock);
    tcase_add_test(tc, test_wfi_time_jump);
    tcase_add_test(tc, test_sleeper_and_runner);
    tcase_add_test(tc, test_yield_ends_slot);
    tcase_add_test(tc, test_clone_mid_run);
    tcase_add_test(tc, test_clone_memory);
    tcase_add_test(tc, test_perturb_spec_roundtrip);
    tcase_add_test(tc, test_ipi_latency_hook);
    tcase_add_test(tc, test_skew_rates);
    tcase_add_test(tc, test_stall_repeatable);
    suite_add_tcase(s, tc);
    return s;
}
