/* virtio-mmio transport, virtio-rng and goldfish RTC unit tests on a bare
 * machine (bus + RAM, no CPUs): register semantics, completion on virtual
 * time, and random driver garbage that must end in a completion or
 * DEVICE_NEEDS_RESET, never a crash or a write outside RAM. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/console.h"
#include "devices/goldfish_rtc.h"
#include "devices/virtio_console.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_rng.h"
#include "sim/irq.h"
#include "sim/machine.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x100000ull

struct irq_rec {
    int level, calls;
};
static void rec_set(void *opaque, int n, int level)
{
    struct irq_rec *r = opaque;
    (void)n;
    r->level = level;
    r->calls++;
}

struct vfx {
    struct machine *m;
    struct virtio_rng *rng;
    struct virtio_mmio *t;
    struct irq_rec irq;
};

static struct vfx *vfx_new(uint64_t seed)
{
    struct vfx *f = calloc(1, sizeof *f);
    char err[200];
    f->m = calloc(1, sizeof *f->m);
    f->m->cfg.cpu_hz = 1000000000;
    bus_init(&f->m->bus);
    f->m->ram = bus_add_mem(&f->m->bus, "ram", RAM_BASE, RAM_SIZE, false, err, sizeof err);
    ck_assert_ptr_nonnull(f->m->ram);
    f->rng = virtio_rng_new(seed);
    f->t = virtio_mmio_new(f->m, &virtio_rng_ops, f->rng, (struct irq_line){ rec_set, &f->irq, 1 });
    ck_assert_ptr_nonnull(f->t);
    return f;
}

static void vfx_free(struct vfx *f)
{
    virtio_mmio_free(f->t);
    virtio_rng_free(f->rng);
    bus_free(&f->m->bus);
    free(f->m);
    free(f);
}

static uint32_t rd(struct vfx *f, uint64_t off)
{
    uint64_t v = 0;
    ck_assert(virtio_mmio_ops.read(f->t, off, 4, &v));
    return (uint32_t)v;
}
static void wr(struct vfx *f, uint64_t off, uint32_t v)
{
    ck_assert(virtio_mmio_ops.write(f->t, off, 4, v));
}

static uint8_t *ram(struct vfx *f, uint64_t pa) { return f->m->ram->host + (pa - RAM_BASE); }
static void put16(struct vfx *f, uint64_t pa, uint16_t v) { memcpy(ram(f, pa), &v, 2); }
static uint16_t get16(struct vfx *f, uint64_t pa) { uint16_t v; memcpy(&v, ram(f, pa), 2); return v; }

#define DESC  (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED  (RAM_BASE + 0x3000)
#define BUF   (RAM_BASE + 0x4000)

/* §3.1.1 up to DRIVER_OK with an 8-entry queue 0. */
static void drv_init(struct vfx *f)
{
    wr(f, 0x070, 0);
    wr(f, 0x070, 1 | 2);
    wr(f, 0x024, 1);
    wr(f, 0x020, 1); /* VERSION_1 */
    wr(f, 0x070, 1 | 2 | 8);
    ck_assert_uint_eq(rd(f, 0x070) & 8, 8);
    wr(f, 0x030, 0);
    wr(f, 0x038, 8);
    wr(f, 0x080, (uint32_t)DESC);
    wr(f, 0x084, (uint32_t)(DESC >> 32));
    wr(f, 0x090, (uint32_t)AVAIL);
    wr(f, 0x094, (uint32_t)(AVAIL >> 32));
    wr(f, 0x0a0, (uint32_t)USED);
    wr(f, 0x0a4, (uint32_t)(USED >> 32));
    wr(f, 0x044, 1);
    wr(f, 0x070, 1 | 2 | 8 | 4);
}

/* Fires the machine timers due at `now` (the scheduler's job). */
static void advance(struct vfx *f, uint64_t now)
{
    f->m->sched.round_start = now;
    machine_fire_due_timers(f->m, now);
}

START_TEST(test_registers)
{
    struct vfx *f = vfx_new(0);
    ck_assert_uint_eq(rd(f, 0x000), 0x74726976);
    ck_assert_uint_eq(rd(f, 0x004), 2);
    ck_assert_uint_eq(rd(f, 0x008), 4);
    wr(f, 0x014, 1);
    ck_assert_uint_eq(rd(f, 0x010) & 1, 1); /* VERSION_1 offered */
    /* FEATURES_OK refused without VERSION_1, and for bits not offered */
    wr(f, 0x070, 1 | 2 | 8);
    ck_assert_uint_eq(rd(f, 0x070) & 8, 0);
    wr(f, 0x070, 0);
    wr(f, 0x024, 1);
    wr(f, 0x020, 1 | 2);
    wr(f, 0x070, 1 | 2 | 8);
    ck_assert_uint_eq(rd(f, 0x070) & 8, 0);
    /* a queue size that is not a power of 2: NEEDS_RESET at QueueReady */
    wr(f, 0x070, 0);
    wr(f, 0x030, 0);
    wr(f, 0x038, 6);
    wr(f, 0x080, (uint32_t)DESC);
    wr(f, 0x090, (uint32_t)AVAIL);
    wr(f, 0x0a0, (uint32_t)USED);
    wr(f, 0x044, 1);
    ck_assert_uint_eq(rd(f, 0x070) & 64, 64);
    ck_assert_uint_eq(rd(f, 0x044), 0);
    /* reset clears it; a queue that is not there reads QueueNumMax 0 */
    wr(f, 0x070, 0);
    ck_assert_uint_eq(rd(f, 0x070), 0);
    wr(f, 0x030, 3);
    ck_assert_uint_eq(rd(f, 0x034), 0);
    /* 8-bit access to a control register: ignored, reads 0 */
    uint64_t v = 1;
    ck_assert(virtio_mmio_ops.read(f->t, 0, 1, &v));
    ck_assert_uint_eq(v, 0);
    vfx_free(f);
}
END_TEST

/* A request completes at notify time + VIRTIO_COMPLETION_NS, not before. */
START_TEST(test_completion_time)
{
    struct vfx *f = vfx_new(42);
    drv_init(f);
    uint8_t d[16] = { 0 };
    uint64_t a = BUF;
    memcpy(d, &a, 8);
    d[8] = 64;   /* len */
    d[12] = 2;   /* WRITE */
    memcpy(ram(f, DESC), d, 16);
    put16(f, AVAIL + 4, 0);
    put16(f, AVAIL + 2, 1);
    f->m->sched.round_start = 1000;
    wr(f, 0x050, 0);
    advance(f, 1000 + VIRTIO_COMPLETION_NS - 1);
    ck_assert_uint_eq(get16(f, USED + 2), 0);
    ck_assert_int_eq(f->irq.level, 0);
    advance(f, 1000 + VIRTIO_COMPLETION_NS);
    ck_assert_uint_eq(get16(f, USED + 2), 1);
    uint32_t len;
    memcpy(&len, ram(f, USED + 8), 4);
    ck_assert_uint_eq(len, 64);
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(rd(f, 0x060), 1);
    wr(f, 0x064, 1);
    ck_assert_int_eq(f->irq.level, 0);
    /* the same seed gives the same bytes, another seed others */
    uint8_t first[64];
    memcpy(first, ram(f, BUF), 64);
    struct vfx *g = vfx_new(42), *h = vfx_new(43);
    uint8_t out[2][64];
    struct vfx *fs[2] = { g, h };
    for (int k = 0; k < 2; k++) {
        drv_init(fs[k]);
        memcpy(ram(fs[k], DESC), d, 16);
        put16(fs[k], AVAIL + 2, 1);
        wr(fs[k], 0x050, 0);
        advance(fs[k], VIRTIO_COMPLETION_NS);
        memcpy(out[k], ram(fs[k], BUF), 64);
    }
    ck_assert(memcmp(first, out[0], 64) == 0);
    ck_assert(memcmp(first, out[1], 64) != 0);
    vfx_free(g);
    vfx_free(h);
    vfx_free(f);
}
END_TEST

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Random descriptor tables and rings (one device, reset between rounds):
 * each notify ends with used entries or NEEDS_RESET (+ config interrupt);
 * RAM outside the queue and buffer area is never written. */
START_TEST(test_garbage)
{
    uint64_t s = 12345;
    int completed = 0, resets = 0;
    struct vfx *f = vfx_new(7);
    static uint8_t canary[0x1000];
    memset(canary, 0xa5, sizeof canary);
    memset(ram(f, RAM_BASE + 0x80000), 0xa5, 0x1000); /* never a buffer */
    for (int iter = 0; iter < 3000; iter++) {
        memset(ram(f, RAM_BASE), 0, 0x10000);
        drv_init(f); /* starts with a reset */
        f->m->sched.round_start = 0;
        for (int i = 0; i < 8 * 16; i += 4) {
            uint32_t r = (uint32_t)lcg(&s);
            memcpy(ram(f, DESC + (uint64_t)i), &r, 4);
        }
        for (int i = 0; i < 8; i++) {
            /* addresses: mostly our buffer area, sometimes anywhere */
            uint64_t a = lcg(&s) % 4 ? BUF + (lcg(&s) % 0x8000) : (lcg(&s) << 20 | lcg(&s));
            memcpy(ram(f, DESC + 16ull * (uint64_t)i), &a, 8);
            uint32_t len = lcg(&s) % 3 ? (uint32_t)(lcg(&s) % 0x2000) : (uint32_t)lcg(&s) << 1;
            memcpy(ram(f, DESC + 16ull * (uint64_t)i + 8), &len, 4);
            uint16_t next = (uint16_t)(lcg(&s) % 3 ? lcg(&s) % 8 : lcg(&s));
            memcpy(ram(f, DESC + 16ull * (uint64_t)i + 14), &next, 2);
        }
        for (int i = 0; i < 8; i++)
            put16(f, AVAIL + 4 + 2ull * (uint64_t)i, (uint16_t)(lcg(&s) % 5 ? lcg(&s) % 8 : lcg(&s)));
        uint16_t idx = (uint16_t)(lcg(&s) % 4 ? lcg(&s) % 9 : lcg(&s));
        put16(f, AVAIL + 2, idx);
        wr(f, 0x050, 0);
        advance(f, VIRTIO_COMPLETION_NS);
        uint32_t st = rd(f, 0x070);
        if (st & 64) {
            resets++;
            ck_assert_uint_eq(rd(f, 0x060) & 2, 2);
            ck_assert_int_eq(f->irq.level, 1);
        } else {
            ck_assert_uint_eq(get16(f, USED + 2), idx);
            completed++;
        }
        ck_assert(memcmp(ram(f, RAM_BASE + 0x80000), canary, sizeof canary) == 0);
        wr(f, 0x064, 3);
    }
    vfx_free(f);
    /* both outcomes happen, so the test is not vacuous */
    ck_assert_int_gt(completed, 100);
    ck_assert_int_gt(resets, 100);
}
END_TEST

/* Goldfish RTC: epoch + virtual time; an alarm fires at its virtual time. */
START_TEST(test_rtc)
{
    struct vfx *f = vfx_new(0);
    struct irq_rec irq = { 0, 0 };
    struct goldfish_rtc *r = goldfish_rtc_new(f->m, 5000000000ull, (struct irq_line){ rec_set, &irq, 11 });
    uint64_t v;
    f->m->sched.round_start = 1234;
    ck_assert(goldfish_rtc_ops.read(r, 0x00, 4, &v));
    uint64_t lo = v;
    ck_assert(goldfish_rtc_ops.read(r, 0x04, 4, &v));
    ck_assert_uint_eq(v << 32 | lo, 5000001234ull);
    /* alarm at RTC time 5000002000 = virtual tick 2000 */
    ck_assert(goldfish_rtc_ops.write(r, 0x10, 4, 1));
    ck_assert(goldfish_rtc_ops.write(r, 0x0c, 4, 1));
    ck_assert(goldfish_rtc_ops.write(r, 0x08, 4, (uint32_t)5000002000ull));
    ck_assert_uint_eq(machine_next_deadline(f->m), 2000);
    advance(f, 1999);
    ck_assert_int_eq(irq.level, 0);
    advance(f, 2000);
    ck_assert_int_eq(irq.level, 1);
    ck_assert(goldfish_rtc_ops.read(r, 0x18, 4, &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(goldfish_rtc_ops.write(r, 0x1c, 4, 1));
    ck_assert_int_eq(irq.level, 0);
    /* setting the time moves the clock: TIME_HIGH then TIME_LOW */
    ck_assert(goldfish_rtc_ops.write(r, 0x04, 4, 0));
    ck_assert(goldfish_rtc_ops.write(r, 0x00, 4, 100));
    advance(f, 2500);
    ck_assert(goldfish_rtc_ops.read(r, 0x00, 4, &v));
    ck_assert_uint_eq(v, 600);
    goldfish_rtc_free(r);
    vfx_free(f);
}
END_TEST

/* virtio-console: a receive buffer waits (stays available) until input
 * is taken in a round hook, then gets it VIRTIO_COMPLETION_NS later. */
START_TEST(test_console)
{
    struct vfx *f = vfx_new(0);
    char err[200];
    struct console *con = console_new("none", err, sizeof err);
    ck_assert_ptr_nonnull(con);
    struct virtio_console *vc = virtio_console_new(f->m, con);
    struct irq_rec irq = { 0, 0 };
    struct virtio_mmio *t = virtio_mmio_new(f->m, &virtio_console_ops, vc, (struct irq_line){ rec_set, &irq, 2 });
    struct virtio_mmio *keep = f->t;
    f->t = t;
    drv_init(f); /* queue 0 (receiveq) at DESC/AVAIL/USED */
    uint8_t d[16] = { 0 };
    uint64_t a = BUF;
    memcpy(d, &a, 8);
    d[8] = 16;
    d[12] = 2; /* WRITE */
    memcpy(ram(f, DESC), d, 16);
    put16(f, AVAIL + 2, 1);
    wr(f, 0x050, 0);
    advance(f, VIRTIO_COMPLETION_NS);
    ck_assert_uint_eq(get16(f, USED + 2), 0); /* no input: still available */
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(console_inject(con, (const uint8_t *)"ab", 2), 2);
    f->m->sched.round_start = 50000;
    virtio_console_round(vc, t);
    advance(f, 50000 + VIRTIO_COMPLETION_NS - 1);
    ck_assert_uint_eq(get16(f, USED + 2), 0);
    advance(f, 50000 + VIRTIO_COMPLETION_NS);
    ck_assert_uint_eq(get16(f, USED + 2), 1);
    uint32_t len;
    memcpy(&len, ram(f, USED + 8), 4);
    ck_assert_uint_eq(len, 2);
    ck_assert(memcmp(ram(f, BUF), "ab", 2) == 0);
    ck_assert_int_eq(irq.level, 1);
    f->t = keep;
    virtio_mmio_free(t);
    virtio_console_free(vc);
    console_free(con);
    vfx_free(f);
}
END_TEST

Suite *virtio_suite(void)
{
    Suite *s = suite_create("virtio");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_registers);
    tcase_add_test(tc, test_completion_time);
    tcase_add_test(tc, test_garbage);
    tcase_add_test(tc, test_rtc);
    tcase_add_test(tc, test_console);
    suite_add_tcase(s, tc);
    return s;
}
