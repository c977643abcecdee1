/* The engine's seams for a second board, proven without any real CPU model
 * (docs/architecture.md "Adding a board"): a test board with fake CPUs that
 * follow a script, built by machine_new from a config like any board.
 *
 * - an interrupt message sent to a stopped (wait-for-SIPI) CPU arrives at
 *   the sender's virtual time, whichever of the two runs first in a round;
 * - a port-I/O device is reached through the I/O port space and the access
 *   is on the timeline (an mmio event with the port flag);
 * - a machine-level timer fires exactly at its virtual deadline, with every
 *   CPU's clock there and no CPU past it;
 * - a board that is not RISC-V plugs in with its own config keys. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/board.h"
#include "sim/bus.h"
#include "sim/config.h"
#include "sim/cpu.h"
#include "sim/machine.h"
#include "trace/emit.h"
#include "trace_capture.h"

/* ---- a fake CPU ---------------------------------------------------------- */

#define FAKE_ARCH 0x7e57
#define MAX_LOG 16

/* One scripted action at an instruction count of the CPU. */
enum { ACT_NONE, ACT_SEND_SIPI, ACT_SEND_FIXED, ACT_OUTB, ACT_INB, ACT_STOP_MACHINE };
struct fake_action {
    uint64_t at;       /* executed before instruction number `at` (0-based) */
    int what;
    int target;        /* ACT_SEND_*: CPU; ACT_OUTB/INB: port */
    uint64_t value;
};

struct fake_cpu {
    struct cpu cpu;
    const struct fake_action *script;
    int nscript;
    uint64_t executed;            /* instructions executed */
    uint64_t first_insn_time;     /* virtual time of its first instruction */
    uint64_t last_insn_time;
    uint64_t pc;
    struct { uint64_t time; struct cpu_msg msg; } log[MAX_LOG];
    int nlog;
    uint64_t inb_value;
    bool inb_ok;
    uint64_t acted;               /* actions done for instructions < acted */
};

static struct fake_cpu *FAKE(struct cpu *c) { return (struct fake_cpu *)c; }

static void fake_reset(struct cpu *c) { (void)c; }

static void fake_act(struct fake_cpu *f, const struct fake_action *a)
{
    struct machine *m = f->cpu.m;
    uint64_t now = cpu_now(&f->cpu);
    switch (a->what) {
    case ACT_SEND_SIPI:
    case ACT_SEND_FIXED: {
        struct cpu_msg msg = { .mode = a->what == ACT_SEND_SIPI ? CPU_MSG_SIPI : CPU_MSG_FIXED,
                               .vector = (uint8_t)a->value, .source = (uint32_t)f->cpu.id };
        cpu_deliver_msg(m->cpus[a->target], &f->cpu, now, &msg);
        break;
    }
    case ACT_OUTB:
        bus_pio_write(&m->bus, (uint32_t)a->target, 1, a->value);
        break;
    case ACT_INB:
        f->inb_ok = bus_pio_read(&m->bus, (uint32_t)a->target, 1, &f->inb_value);
        break;
    case ACT_STOP_MACHINE:
        machine_request_exit(m, EXIT_PASS, "script done");
        break;
    }
}

static uint64_t fake_run(struct cpu *c, uint64_t budget)
{
    struct fake_cpu *f = FAKE(c);
    uint64_t left = budget;
    c->run_left = &left;
    while (left && c->state == CPU_RUNNING) {
        uint64_t now = cpu_now(c);
        if (f->acted <= f->executed) {
            f->acted = f->executed + 1;
            for (int i = 0; i < f->nscript; i++)
                if (f->script[i].at == f->executed)
                    fake_act(f, &f->script[i]);
            if (!left)
                break; /* the action ended the run (exit requested) */
        }
        if (!f->executed)
            f->first_insn_time = now;
        f->last_insn_time = now;
        f->executed++;
        f->pc += 1;
        left--;
    }
    c->run_left = NULL;
    return budget - left;
}

static void fake_set_irq(struct cpu *c, int line, int level) { (void)c; (void)line; (void)level; }

static void fake_irq_msg(struct cpu *c, const struct cpu_msg *msg)
{
    struct fake_cpu *f = FAKE(c);
    if (f->nlog < MAX_LOG) {
        f->log[f->nlog].time = cpu_now(c);
        f->log[f->nlog].msg = *msg;
        f->nlog++;
    }
    /* Wait-for-SIPI: a start-up message starts the CPU at page `vector`. */
    if (msg->mode == CPU_MSG_SIPI && c->state == CPU_STOPPED) {
        f->pc = (uint64_t)msg->vector << 12;
        c->state = CPU_RUNNING;
    }
}

static uint64_t fake_wake_pending(struct cpu *c) { (void)c; return 0; }
static uint64_t fake_get_pc(struct cpu *c) { return FAKE(c)->pc; }
static void fake_free(struct cpu *c) { free(c); }
static unsigned fake_state(struct cpu *c, uint64_t *vals, unsigned max)
{
    if (max < 1)
        return 0;
    vals[0] = FAKE(c)->pc;
    return 1;
}
static void fake_flush(struct cpu *c) { (void)c; }
static void fake_copy(struct cpu *dst, const struct cpu *src) { (void)dst; (void)src; }

static const struct cpu_ops fake_ops = {
    .reset = fake_reset,
    .run = fake_run,
    .set_irq = fake_set_irq,
    .irq_msg = fake_irq_msg,
    .wake_pending = fake_wake_pending,
    .get_pc = fake_get_pc,
    .free = fake_free,
    .arch_state = fake_state,
    .flush_tlb = fake_flush,
    .arch = FAKE_ARCH,
    .copy_state = fake_copy,
};

/* ---- a port device ------------------------------------------------------- */

struct post_port {
    uint64_t last_write, writes;
    uint64_t write_time;
    struct machine *m;
};

static bool post_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct post_port *p = opaque;
    *val = p->last_write + off;
    (void)size;
    return true;
}

static bool post_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct post_port *p = opaque;
    (void)off;
    (void)size;
    p->last_write = val;
    p->writes++;
    p->write_time = machine_now(p->m);
    return true;
}

static const struct mmio_ops post_ops = { post_read, post_write };

/* ---- the test board ------------------------------------------------------ */

struct test_board_config {
    uint64_t post_port;  /* [post] port */
    uint64_t timer_at;   /* [timer] deadline (0: none) */
    uint64_t timer_period;
};

/* Per-test script: applied to the fake CPUs after machine_new. */
struct test_script {
    const struct fake_action *script[2];
    int nscript[2];
    bool stopped[2];   /* CPU starts in wait-for-SIPI */
};

struct test_board {
    struct post_port post;
    int timer;
    uint64_t fired[8];
    int nfired;
    uint64_t clocks_at_fire[8][2];
    uint64_t last_insn_before_fire[8];
};

static const struct config_key test_keys[] = {
    CONFIG_KEYS_MACHINE,
    CONFIG_KEYS_MEMORY,
    CONFIG_KEY_NUM("post", "port", CK_U64, struct test_board_config, post_port),
    CONFIG_KEY_NUM("timer", "at", CK_U64, struct test_board_config, timer_at),
    CONFIG_KEY_NUM("timer", "period", CK_U64, struct test_board_config, timer_period),
    CONFIG_KEYS_IMAGES,
};

static void test_defaults(struct config *c)
{
    struct test_board_config *t = (void *)c->board_cfg;
    c->ram_base = 0;
    c->ram_size = 1 << 20;
    c->smp = 2;
    t->post_port = 0x80;
}

static bool test_validate(const struct config *c, char *err, size_t errlen)
{
    (void)c;
    (void)err;
    (void)errlen;
    return true;
}

static void timer_fire(void *opaque, struct machine *m, uint64_t now)
{
    struct test_board *b = opaque;
    const struct test_board_config *t = (const void *)m->cfg.board_cfg;
    if (b->nfired < 8) {
        b->fired[b->nfired] = now;
        for (int i = 0; i < 2; i++)
            b->clocks_at_fire[b->nfired][i] = m->cpus[i]->clock;
        b->last_insn_before_fire[b->nfired] = FAKE(m->cpus[0])->last_insn_time;
        b->nfired++;
    }
    if (t->timer_period)
        machine_timer_arm(m, b->timer, now + t->timer_period);
}

static bool test_build(struct machine *m, char *err, size_t errlen)
{
    const struct test_board_config *t = (const void *)m->cfg.board_cfg;
    struct test_board *b = calloc(1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    m->board_state = b;
    b->post.m = m;
    if (!machine_add_ram(m, err, errlen))
        return false;
    m->ncpus = m->cfg.smp;
    for (int i = 0; i < m->ncpus; i++) {
        struct fake_cpu *f = calloc(1, sizeof *f);
        ck_assert_ptr_nonnull(f);
        f->cpu.ops = &fake_ops;
        f->cpu.m = m;
        f->cpu.id = i;
        f->cpu.state = CPU_RUNNING;
        m->cpus[i] = &f->cpu;
    }
    if (!bus_add_pio(&m->bus, "post", (uint32_t)t->post_port, 1, &post_ops, &b->post, err, errlen))
        return false;
    b->timer = machine_timer_alloc(m, timer_fire, b);
    if (t->timer_at)
        machine_timer_arm(m, b->timer, t->timer_at);
    return true;
}

static void test_free(struct machine *m) { free(m->board_state); }

static const struct board_ops test_board = {
    .name = "test-board",
    .arch = "fake",
    .keys = test_keys,
    .nkeys = sizeof test_keys / sizeof test_keys[0],
    .config_size = sizeof(struct test_board_config),
    .config_defaults = test_defaults,
    .config_validate = test_validate,
    .build = test_build,
    .free = test_free,
};

/* ---- helpers --------------------------------------------------------------- */

static struct machine *new_machine(const struct test_script *ts, const char *ini)
{
    struct config c;
    char err[256] = "";
    config_defaults_for(&c, &test_board);
    c.quantum = 100;
    if (ini)
        ck_assert_msg(config_parse_string(&c, ini, "test.ini", err, sizeof err), "%s", err);
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
    struct machine *m = machine_new(&c, "none", err, sizeof err);
    ck_assert_msg(m != NULL, "machine_new: %s", err);
    for (int i = 0; ts && i < 2; i++) { /* the script, and who waits for a SIPI */
        struct fake_cpu *f = FAKE(m->cpus[i]);
        f->script = ts->script[i];
        f->nscript = ts->nscript[i];
        if (ts->stopped[i])
            f->cpu.state = CPU_STOPPED;
    }
    return m;
}

static struct test_board *TB(struct machine *m) { return m->board_state; }

/* ---- tests ------------------------------------------------------------------ */

/* CPU 0 runs first in each round and sends a SIPI at its instruction 50
 * (time 50) to CPU 1, stopped: CPU 1's clock is behind, so the message waits
 * in its queue and starts it at exactly 50, not at the round start. */
START_TEST(sipi_to_stopped_cpu_arrives_at_sender_time)
{
    static const struct fake_action s0[] = { { 50, ACT_SEND_SIPI, 1, 0x9a }, { 400, ACT_STOP_MACHINE, 0, 0 } };
    const struct test_script ts = { .script = { s0, NULL }, .nscript = { 2, 0 }, .stopped = { false, true } };
    struct machine *m = new_machine(&ts, NULL);
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    struct fake_cpu *t = FAKE(m->cpus[1]);
    ck_assert_int_eq(t->nlog, 1);
    ck_assert_uint_eq(t->log[0].msg.mode, CPU_MSG_SIPI);
    ck_assert_uint_eq(t->log[0].msg.vector, 0x9a);
    ck_assert_uint_eq(t->log[0].msg.source, 0);
    ck_assert_uint_eq(t->log[0].time, 50);          /* the sender's time */
    ck_assert_uint_eq(t->first_insn_time, 50);      /* started there, not before */
    ck_assert_uint_eq(t->pc, 0x9a000 + t->executed);
    ck_assert_uint_eq(m->cpus[1]->state, CPU_RUNNING);
    machine_free(m);
}
END_TEST

/* The other order: the stopped CPU 0 has had its slot (its clock is at the
 * round end) when CPU 1 sends at time 50: it applies at once, and CPU 0's
 * first instruction is in the next round, still after its cause. */
START_TEST(sipi_to_cpu_that_ran_first_never_acts_early)
{
    static const struct fake_action s1[] = { { 50, ACT_SEND_SIPI, 0, 0x10 }, { 400, ACT_STOP_MACHINE, 0, 0 } };
    const struct test_script ts = { .script = { NULL, s1 }, .nscript = { 0, 2 }, .stopped = { true, false } };
    struct machine *m = new_machine(&ts, NULL);
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    struct fake_cpu *t = FAKE(m->cpus[0]);
    ck_assert_int_eq(t->nlog, 1);
    ck_assert_uint_ge(t->log[0].time, 50);
    ck_assert_uint_eq(t->first_insn_time, 100);     /* the next round's start */
    machine_free(m);
}
END_TEST

/* A fixed message to a running CPU later in the round is taken at the
 * sender's time: the target's run is cut at that instruction boundary. */
START_TEST(fixed_message_to_running_cpu_at_sender_time)
{
    static const struct fake_action s0[] = { { 30, ACT_SEND_FIXED, 1, 0xec }, { 120, ACT_SEND_FIXED, 1, 0xed },
                                             { 400, ACT_STOP_MACHINE, 0, 0 } };
    const struct test_script ts = { .script = { s0, NULL }, .nscript = { 3, 0 } };
    struct machine *m = new_machine(&ts, NULL);
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    struct fake_cpu *t = FAKE(m->cpus[1]);
    ck_assert_int_eq(t->nlog, 2);
    ck_assert_uint_eq(t->log[0].msg.vector, 0xec);
    ck_assert_uint_eq(t->log[0].time, 30);
    ck_assert_uint_eq(t->log[1].msg.vector, 0xed);
    ck_assert_uint_eq(t->log[1].time, 120);
    machine_free(m);
}
END_TEST

/* With every CPU stopped and nothing queued, the run ends (exit 1). */
START_TEST(all_stopped_ends_the_run)
{
    const struct test_script ts = { .stopped = { true, true } };
    struct machine *m = new_machine(&ts, NULL);
    ck_assert_int_eq(machine_run(m, 0), EXIT_GUEST_FAIL);
    ck_assert_str_eq(m->exit_reason, "every CPU is stopped");
    machine_free(m);
}
END_TEST

/* OUT to port 0x80 reaches the device through the I/O space and is an mmio
 * event with flags 3 (port | write); IN from it and from a port nobody has. */
START_TEST(port_io_reaches_device_and_timeline)
{
    static const struct fake_action s0[] = { { 10, ACT_OUTB, 0x80, 0x1a5 }, { 20, ACT_INB, 0x80, 0 },
                                             { 30, ACT_STOP_MACHINE, 0, 0 } };
    const struct test_script ts = { .script = { s0, NULL }, .nscript = { 3, 0 } };
    struct machine *m = new_machine(&ts, NULL);
    struct ev_log cap;
    ev_log_attach(&cap, m, ~0ull);
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    struct test_board *b = TB(m);
    ck_assert_uint_eq(b->post.writes, 1);
    ck_assert_uint_eq(b->post.last_write, 0xa5); /* a byte port keeps one byte */
    ck_assert_uint_eq(b->post.write_time, 10);
    ck_assert(FAKE(m->cpus[0])->inb_ok);
    ck_assert_uint_eq(FAKE(m->cpus[0])->inb_value, 0xa5);
    int found = 0;
    for (int i = 0; i < cap.n; i++) {
        const struct trace_event *e = &cap.ev[i];
        if (e->kind != TK_MMIO)
            continue;
        ck_assert_uint_eq(e->cpu, 0);
        ck_assert_uint_eq(e->a[0], 0x80);
        ck_assert_uint_eq(e->a[1], 1);
        ck_assert_uint_eq(e->a[2], 0xa5);
        if (found == 0) {
            ck_assert_uint_eq(e->a[3], 3); /* port write */
            ck_assert_uint_eq(e->time, 10);
        } else {
            ck_assert_uint_eq(e->a[3], 2); /* port read */
            ck_assert_uint_eq(e->time, 20);
        }
        found++;
    }
    ck_assert_int_eq(found, 2);
    /* a port nobody has: no device, no event; the CPU model decides */
    uint64_t v = 0;
    ck_assert(!bus_pio_read(&m->bus, 0x81, 1, &v));
    ck_assert(!bus_pio_write(&m->bus, 0xffff, 2, 0));
    ck_assert_int_eq(cap.n, found); /* nothing else on the timeline */
    machine_free(m);
}
END_TEST

START_TEST(port_windows_checked)
{
    struct machine *m = new_machine(NULL, NULL);
    char err[256];
    struct post_port p = { 0 };
    ck_assert_ptr_null(bus_add_pio(&m->bus, "dup", 0x7f, 2, &post_ops, &p, err, sizeof err));
    ck_assert_msg(strstr(err, "overlap post") != NULL, "%s", err);
    ck_assert_ptr_null(bus_add_pio(&m->bus, "big", 0xfff0, 0x20, &post_ops, &p, err, sizeof err));
    ck_assert_msg(strstr(err, "outside the I/O space") != NULL, "%s", err);
    ck_assert_ptr_nonnull(bus_add_pio(&m->bus, "top", 0xfff0, 0x10, &post_ops, &p, err, sizeof err));
    machine_free(m);
}
END_TEST

/* A timer at 250 with quantum 100 ends the round [200, 300) at 250: it
 * fires when both CPU clocks are 250 and CPU 0's last instruction was at
 * 249. Re-armed from its handler it is periodic (250, 500, 750). */
START_TEST(machine_timer_fires_at_deadline)
{
    static const struct fake_action s0[] = { { 900, ACT_STOP_MACHINE, 0, 0 } };
    const struct test_script ts = { .script = { s0, NULL }, .nscript = { 1, 0 } };
    struct machine *m = new_machine(&ts, "[timer]\nat = 250\nperiod = 250\n");
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    struct test_board *b = TB(m);
    ck_assert_int_eq(b->nfired, 3);
    for (int i = 0; i < 3; i++) {
        uint64_t t = 250 * (uint64_t)(i + 1);
        ck_assert_uint_eq(b->fired[i], t);
        ck_assert_uint_eq(b->clocks_at_fire[i][0], t);
        ck_assert_uint_eq(b->clocks_at_fire[i][1], t);
        ck_assert_uint_eq(b->last_insn_before_fire[i], t - 1);
    }
    machine_free(m);
}
END_TEST

/* All CPUs stopped, a timer armed: time jumps to it (no busy rounds), and a
 * SIPI sent from the timer handler starts a CPU at that time. */
static void sipi_from_timer(void *opaque, struct machine *m, uint64_t now)
{
    (void)opaque;
    struct cpu_msg msg = { .mode = CPU_MSG_SIPI, .vector = 1, .source_kind = 1 };
    cpu_deliver_msg(m->cpus[1], NULL, now, &msg);
}

START_TEST(machine_timer_wakes_stopped_machine)
{
    static const struct fake_action s1[] = { { 5, ACT_STOP_MACHINE, 0, 0 } };
    const struct test_script ts = { .script = { NULL, s1 }, .nscript = { 0, 1 }, .stopped = { true, true } };
    struct machine *m = new_machine(&ts, NULL);
    int t = machine_timer_alloc(m, sipi_from_timer, NULL);
    machine_timer_arm(m, t, 1000000);
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    ck_assert_uint_eq(FAKE(m->cpus[1])->first_insn_time, 1000000);
    ck_assert_uint_lt(m->sched.rounds, 20); /* jumped, did not step 10,000 rounds */
    machine_free(m);
}
END_TEST

/* The board's own keys round-trip through config_to_ini, and keys of other
 * boards are refused. */
START_TEST(board_config_keys)
{
    struct config c;
    char err[256] = "", ini[2048];
    config_defaults_for(&c, &test_board);
    ck_assert(config_check_keys(&test_board, err, sizeof err));
    ck_assert(config_parse_string(&c, "[post]\nport = 0x3f8\n", "t.ini", err, sizeof err));
    ck_assert_uint_eq(((struct test_board_config *)(void *)c.board_cfg)->post_port, 0x3f8);
    config_to_ini(&c, ini, sizeof ini);
    ck_assert_msg(strstr(ini, "[post]\nport = 0x3f8\n") != NULL, "%s", ini);
    struct config d;
    config_defaults_for(&d, &test_board);
    ck_assert_msg(config_parse_string(&d, ini, "round-trip", err, sizeof err), "%s", err);
    ck_assert_int_eq(memcmp(&c, &d, sizeof c), 0);
    ck_assert(!config_parse_string(&c, "[plic]\nbase = 0\n", "t.ini", err, sizeof err));
    ck_assert_msg(strstr(err, "unknown section [plic]") != NULL, "%s", err);
    /* every real board's table is complete */
    size_t n;
    const struct board_ops *const *all = board_all(&n);
    ck_assert_uint_ge(n, 2);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(config_check_keys(all[i], err, sizeof err), "%s", err);
        /* replay's path: a board's INI parsed onto the default config
         * switches to that board and gives the same values */
        struct config a, r;
        config_defaults_for(&a, all[i]);
        a.smp = 3;
        config_to_ini(&a, ini, sizeof ini);
        config_defaults(&r);
        ck_assert_msg(config_parse_string(&r, ini, all[i]->name, err, sizeof err), "%s", err);
        ck_assert_ptr_eq(r.board, all[i]);
        ck_assert_int_eq(memcmp(&a, &r, sizeof a), 0);
        ck_assert_msg(config_validate(&r, err, sizeof err), "%s: %s", all[i]->name, err);
    }
}
END_TEST

Suite *board_suite(void)
{
    Suite *s = suite_create("board");
    TCase *tc = tcase_create("seams");
    tcase_add_test(tc, sipi_to_stopped_cpu_arrives_at_sender_time);
    tcase_add_test(tc, sipi_to_cpu_that_ran_first_never_acts_early);
    tcase_add_test(tc, fixed_message_to_running_cpu_at_sender_time);
    tcase_add_test(tc, all_stopped_ends_the_run);
    tcase_add_test(tc, port_io_reaches_device_and_timeline);
    tcase_add_test(tc, port_windows_checked);
    tcase_add_test(tc, machine_timer_fires_at_deadline);
    tcase_add_test(tc, machine_timer_wakes_stopped_machine);
    tcase_add_test(tc, board_config_keys);
    suite_add_tcase(s, tc);
    return s;
}
