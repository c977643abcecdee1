/* The PC board's legacy devices (src/devices/{i8254,i8259,cmos_rtc,fw_cfg,
 * pc_misc,isa_debug_exit}.c, src/boards/x86_pc_devices.c) on a machine
 * with a fake CPU (tests/unit/fake_cpu.h).
 *
 * Direct tests drive ports between rounds: machine_now() is then the round
 * start, which the test sets (at()). Run tests let the fake CPU do the
 * port I/O and take interrupts at instruction boundaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boards/x86_pc_devices.h"
#include "devices/cmos_rtc.h"
#include "devices/fw_cfg.h"
#include "devices/i8254.h"
#include "devices/i8259.h"
#include "devices/pc_misc.h"
#include "sim/board.h"
#include "sim/config.h"
#include "sim/machine.h"
#include "sim/vtime.h"
#include "fake_cpu.h"

/* ---- a PC-like test board ------------------------------------------------- */

struct pcdev_test_config {
    uint64_t above_4g;
};

static const struct config_key pcdev_keys[] = {
    CONFIG_KEYS_MACHINE,
    CONFIG_KEYS_MEMORY,
    CONFIG_KEY_NUM("test", "above4g", CK_U64, struct pcdev_test_config, above_4g),
    CONFIG_KEYS_IMAGES,
};

static void pcdev_defaults(struct config *c)
{
    c->ram_base = 0;
    c->ram_size = 32 << 20;
    c->smp = 1;
}

static bool pcdev_validate(const struct config *c, char *err, size_t errlen)
{
    (void)c;
    (void)err;
    (void)errlen;
    return true;
}

#define MAX_TAKEN 16
struct pcdev_board {
    struct x86_pc_devices d;
    struct { uint64_t time; int vector; } taken[MAX_TAKEN];
    int ntaken;
};

static bool pcdev_build(struct machine *m, char *err, size_t errlen)
{
    const struct pcdev_test_config *t = (const void *)m->cfg.board_cfg;
    struct pcdev_board *b = calloc(1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    m->board_state = b;
    if (!machine_add_ram(m, err, errlen))
        return false;
    ck_assert(fake_cpus_add(m, m->cfg.smp));
    struct x86_pc_devices_config dc;
    x86_pc_devices_config_default(&dc);
    dc.intr = fake_cpu_intr_line(m->cpus[0]);
    dc.ram_below_4g = m->cfg.ram_size;
    dc.ram_above_4g = t->above_4g;
    dc.ncpus = (unsigned)m->cfg.smp;
    dc.max_cpus = 4;
    dc.cmdline = "console=ttyS0 hvsim";
    dc.cmdline_addr = 0x20000;
    return x86_pc_devices_add(m, &b->d, &dc, err, errlen);
}

static void pcdev_free(struct machine *m)
{
    struct pcdev_board *b = m->board_state;
    if (b)
        x86_pc_devices_free(&b->d);
    free(b);
}

static void pcdev_copy(struct machine *dst, const struct machine *src)
{
    struct pcdev_board *d = dst->board_state;
    const struct pcdev_board *s = src->board_state;
    x86_pc_devices_copy_state(&d->d, &s->d);
}

static void pcdev_round(struct machine *m)
{
    x86_pc_devices_round(&((struct pcdev_board *)m->board_state)->d);
}

static const struct board_ops pcdev_board = {
    .name = "pcdev-test",
    .arch = "fake-pc",
    .keys = pcdev_keys,
    .nkeys = sizeof pcdev_keys / sizeof pcdev_keys[0],
    .config_size = sizeof(struct pcdev_test_config),
    .config_defaults = pcdev_defaults,
    .config_validate = pcdev_validate,
    .build = pcdev_build,
    .free = pcdev_free,
    .copy_state = pcdev_copy,
    .round = pcdev_round,
};

static struct machine *pc_machine_serial(const char *ini, const char *serial)
{
    struct config c;
    char err[256] = "";
    config_defaults_for(&c, &pcdev_board);
    c.quantum = 100000;
    if (ini)
        ck_assert_msg(config_parse_string(&c, ini, "test.ini", err, sizeof err), "%s", err);
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
    struct machine *m = machine_new(&c, serial, err, sizeof err);
    ck_assert_msg(m != NULL, "machine_new: %s", err);
    return m;
}

static struct machine *pc_machine(const char *ini) { return pc_machine_serial(ini, "none"); }

static struct pcdev_board *PB(struct machine *m) { return m->board_state; }

static void at(struct machine *m, uint64_t t) { m->sched.round_start = t; }

static void outb(struct machine *m, uint32_t port, uint8_t v)
{
    ck_assert_msg(bus_pio_write(&m->bus, port, 1, v), "outb 0x%x", port);
}

static uint8_t inb(struct machine *m, uint32_t port)
{
    uint64_t v = 0;
    ck_assert_msg(bus_pio_read(&m->bus, port, 1, &v), "inb 0x%x", port);
    return (uint8_t)v;
}

/* Tick of PIT clock edge k at the default 1 GHz. */
static uint64_t pit_t(uint64_t k) { return vtime_dev_to_ticks_ceil(k, 1000000000, I8254_HZ); }

/* ---- i8254 ---------------------------------------------------------------- */

static uint16_t pit_latch_read(struct machine *m, int ch)
{
    outb(m, 0x43, (uint8_t)(ch << 6));    /* counter latch */
    uint8_t lo = inb(m, 0x40 + (uint32_t)ch);
    return (uint16_t)(lo | inb(m, 0x40 + (uint32_t)ch) << 8);
}

static void pit_program(struct machine *m, int ch, int mode, uint16_t n)
{
    outb(m, 0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
    outb(m, 0x40 + (uint32_t)ch, (uint8_t)n);
    outb(m, 0x40 + (uint32_t)ch, (uint8_t)(n >> 8));
}

/* Mode 2 (rate generator), data sheet: loaded on the clock after the write,
 * counts N..1, OUT low while the count is 1, then reload: period N. */
START_TEST(pit_mode2_counts_and_out)
{
    struct machine *m = pc_machine(NULL);
    struct i8254 *p = PB(m)->d.pit;
    at(m, pit_t(1000));
    pit_program(m, 0, 2, 100);                 /* written at clock 1000 */
    ck_assert_int_eq(i8254_get_out(p, 0), 1);
    at(m, pit_t(1001));
    ck_assert_uint_eq(pit_latch_read(m, 0), 100);
    at(m, pit_t(1001 + 37));
    ck_assert_uint_eq(pit_latch_read(m, 0), 63);
    at(m, pit_t(1100) - 1);                    /* just before edge 1100 */
    ck_assert_uint_eq(pit_latch_read(m, 0), 2);
    at(m, pit_t(1100));
    ck_assert_uint_eq(pit_latch_read(m, 0), 1);
    ck_assert_int_eq(i8254_get_out(p, 0), 0);
    at(m, pit_t(1101));
    ck_assert_uint_eq(pit_latch_read(m, 0), 100);
    ck_assert_int_eq(i8254_get_out(p, 0), 1);
    at(m, pit_t(1200));
    ck_assert_int_eq(i8254_get_out(p, 0), 0);  /* every N clocks */
    /* the machine timer is armed for channel 0's next edge (clock 1201) */
    ck_assert_uint_eq(m->timers[0].deadline, pit_t(1100));
    machine_free(m);
}
END_TEST

/* Mode 3, data sheet: even N high N/2 and low N/2; odd N high (N+1)/2, low
 * (N-1)/2, counts N, N-1, N-3, ... while high and N, N-3, ... while low. */
START_TEST(pit_mode3_square_wave)
{
    struct machine *m = pc_machine(NULL);
    struct i8254 *p = PB(m)->d.pit;
    at(m, pit_t(500));
    pit_program(m, 1, 3, 10);
    for (int k = 0; k < 30; k++) {
        at(m, pit_t(501 + (uint64_t)k));
        ck_assert_int_eq(i8254_get_out(p, 1), (k % 10) < 5);
        ck_assert_uint_eq(pit_latch_read(m, 1), 10 - 2 * (unsigned)(k % 5));
    }
    at(m, pit_t(2000));
    pit_program(m, 1, 3, 7);
    static const unsigned ce7[7] = { 7, 6, 4, 2, 7, 4, 2 };
    for (int k = 0; k < 21; k++) {
        at(m, pit_t(2001 + (uint64_t)k));
        ck_assert_int_eq(i8254_get_out(p, 1), (k % 7) < 4);
        ck_assert_uint_eq(pit_latch_read(m, 1), ce7[k % 7]);
    }
    machine_free(m);
}
END_TEST

/* Mode 0, data sheet: OUT low after the control word, high N+1 clocks after
 * the count is written, and the counter wraps on past 0. */
START_TEST(pit_mode0_terminal_count)
{
    struct machine *m = pc_machine(NULL);
    struct i8254 *p = PB(m)->d.pit;
    at(m, pit_t(300));
    outb(m, 0x43, 0x30);
    ck_assert_int_eq(i8254_get_out(p, 0), 0);
    outb(m, 0x40, 50);
    at(m, pit_t(310));
    ck_assert_int_eq(i8254_get_out(p, 0), 0);   /* first byte written: stopped, low */
    outb(m, 0x40, 0);                           /* count 50 written at clock 310 */
    ck_assert_uint_eq(m->timers[0].deadline, pit_t(361)); /* one-shot IRQ0 edge */
    machine_fire_due_timers(m, pit_t(361));
    ck_assert_uint_eq(m->timers[0].deadline, UINT64_MAX); /* nothing after it */
    at(m, pit_t(360));
    ck_assert_int_eq(i8254_get_out(p, 0), 0);
    ck_assert_uint_eq(pit_latch_read(m, 0), 1);
    at(m, pit_t(361));
    ck_assert_int_eq(i8254_get_out(p, 0), 1);
    ck_assert_uint_eq(pit_latch_read(m, 0), 0);
    at(m, pit_t(362));
    ck_assert_uint_eq(pit_latch_read(m, 0), 0xffff);
    ck_assert_int_eq(i8254_get_out(p, 0), 1);
    machine_free(m);
}
END_TEST

/* Counter latch holds the count of the latch time until both bytes are
 * read; a second latch before that is ignored. Unlatched reads are live. */
START_TEST(pit_latch_while_counting)
{
    struct machine *m = pc_machine(NULL);
    at(m, pit_t(0));
    pit_program(m, 2, 2, 1000);
    outb(m, 0x61, 1);                          /* gate channel 2 on at clock 0 */
    at(m, pit_t(0));
    pit_program(m, 2, 2, 1000);                /* reload with the gate high */
    at(m, pit_t(101));
    outb(m, 0x43, 0x80);                       /* latch channel 2: count 900 */
    at(m, pit_t(201));
    outb(m, 0x43, 0x80);                       /* ignored */
    ck_assert_uint_eq(inb(m, 0x42), 900 & 0xff);
    at(m, pit_t(301));
    ck_assert_uint_eq(inb(m, 0x42), 900 >> 8);
    at(m, pit_t(401));                         /* live: LSB then MSB of 600 */
    ck_assert_uint_eq(inb(m, 0x42), 600 & 0xff);
    ck_assert_uint_eq(inb(m, 0x42), 600 >> 8);
    machine_free(m);
}
END_TEST

/* Read-back: status (OUT, NULL COUNT, control bits) first, then the count. */
START_TEST(pit_read_back)
{
    struct machine *m = pc_machine(NULL);
    at(m, pit_t(50));
    pit_program(m, 0, 2, 0x1234);
    outb(m, 0x43, 0xc2);                       /* count + status of counter 0 */
    ck_assert_uint_eq(inb(m, 0x40), 0x80 | 0x40 | 0x34); /* OUT high, null count */
    ck_assert_uint_eq(inb(m, 0x40), 0x34);     /* count not loaded yet: N */
    ck_assert_uint_eq(inb(m, 0x40), 0x12);
    at(m, pit_t(51 + 0x10));
    outb(m, 0x43, 0xe2);                       /* status only */
    ck_assert_uint_eq(inb(m, 0x40), 0x80 | 0x34);
    outb(m, 0x43, 0xd2);                       /* count only */
    ck_assert_uint_eq(inb(m, 0x40), 0x24);
    ck_assert_uint_eq(inb(m, 0x40), 0x12);
    /* the control port reads 0; wide accesses are split into bytes */
    ck_assert_uint_eq(inb(m, 0x43), 0);
    uint64_t v;
    ck_assert(bus_pio_read(&m->bus, 0x40, 4, &v));
    ck_assert(!bus_pio_read(&m->bus, 0x42, 4, &v)); /* leaves the window */
    machine_free(m);
}
END_TEST

/* Linux's TSC calibration: channel 2 gated through port 0x61 bit 0, mode 0,
 * poll bit 5 (OUT); gate low suspends counting; bit 4 toggles per read. */
START_TEST(pit_channel2_via_port61)
{
    struct machine *m = pc_machine(NULL);
    at(m, pit_t(10));
    outb(m, 0x61, (uint8_t)((inb(m, 0x61) & ~0x02) | 0x01));
    outb(m, 0x43, 0xb0);
    outb(m, 0x42, 1000 & 0xff);
    outb(m, 0x42, 1000 >> 8);                  /* clock 10: OUT high at 1011 */
    at(m, pit_t(1010));
    uint8_t a = inb(m, 0x61), b = inb(m, 0x61);
    ck_assert_uint_eq(a & 0x20, 0);
    ck_assert_uint_eq((a ^ b) & 0x10, 0x10);   /* refresh toggle */
    ck_assert_uint_eq(a & 0x0f, 0x01);
    at(m, pit_t(1011));
    ck_assert_uint_eq(inb(m, 0x61) & 0x20, 0x20);
    /* gate low for 100 clocks delays terminal count by 100 */
    at(m, pit_t(2000));
    outb(m, 0x43, 0xb0);
    outb(m, 0x42, 100);
    outb(m, 0x42, 0);                          /* TC at 2101 with the gate high */
    at(m, pit_t(2050));
    outb(m, 0x61, 0);
    at(m, pit_t(2150));
    outb(m, 0x61, 1);
    at(m, pit_t(2200));
    ck_assert_uint_eq(inb(m, 0x61) & 0x20, 0);
    at(m, pit_t(2201));
    ck_assert_uint_eq(inb(m, 0x61) & 0x20, 0x20);
    machine_free(m);
}
END_TEST

/* ---- i8259 ----------------------------------------------------------------- */

static void pic_linux_init(struct machine *m)
{
    outb(m, 0x20, 0x11); outb(m, 0x21, 0x20); outb(m, 0x21, 0x04); outb(m, 0x21, 0x01);
    outb(m, 0xa0, 0x11); outb(m, 0xa1, 0x28); outb(m, 0xa1, 0x02); outb(m, 0xa1, 0x01);
    outb(m, 0x21, 0xff);
    outb(m, 0xa1, 0xff);
}

/* A PIC with the timer kept quiet (channel 0 in mode 0 with its OUT high
 * after terminal count, no further edges). */
static struct machine *pic_machine(void)
{
    struct machine *m = pc_machine(NULL);
    at(m, 0);
    outb(m, 0x43, 0x30);
    outb(m, 0x40, 1);
    outb(m, 0x40, 0);
    at(m, pit_t(10));
    pic_linux_init(m);
    return m;
}

START_TEST(pic_linux_init_mask_and_eoi)
{
    struct machine *m = pic_machine();
    struct i8259 *p = PB(m)->d.pic;
    struct fake_cpu *f = fake_of(m->cpus[0]);
    ck_assert_uint_eq(inb(m, 0x21), 0xff);
    i8259_set_irq(p, 1, 1);
    ck_assert_int_eq(f->intr, 0);              /* masked */
    ck_assert_uint_eq(inb(m, 0x20), 0x02);     /* IRR (OCW3 default) */
    outb(m, 0x21, 0xfd);                       /* unmask IRQ 1 */
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(i8259_ack(p), 0x21);
    ck_assert_int_eq(f->intr, 0);
    outb(m, 0x20, 0x0b);                       /* OCW3: read ISR */
    ck_assert_uint_eq(inb(m, 0x20), 0x02);
    outb(m, 0x20, 0x20);                       /* non-specific EOI */
    ck_assert_uint_eq(inb(m, 0x20), 0x00);
    i8259_set_irq(p, 1, 0);
    i8259_set_irq(p, 1, 1);                    /* a new edge */
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(i8259_ack(p), 0x21);
    outb(m, 0x20, 0x61);                       /* specific EOI for IR1 */
    ck_assert_uint_eq(i8259_isr(p, 0), 0);
    i8259_set_irq(p, 1, 1);                    /* no edge: nothing */
    ck_assert_int_eq(f->intr, 0);
    machine_free(m);
}
END_TEST

START_TEST(pic_priority)
{
    struct machine *m = pic_machine();
    struct i8259 *p = PB(m)->d.pic;
    struct fake_cpu *f = fake_of(m->cpus[0]);
    outb(m, 0x21, 0x00);
    i8259_set_irq(p, 3, 1);
    i8259_set_irq(p, 1, 1);
    ck_assert_int_eq(i8259_ack(p), 0x21);      /* IR1 before IR3 */
    ck_assert_int_eq(f->intr, 0);              /* IR3 waits: lower than IR1 in service */
    i8259_set_irq(p, 0, 1);
    ck_assert_int_eq(f->intr, 1);              /* IR0 preempts */
    ck_assert_int_eq(i8259_ack(p), 0x20);
    ck_assert_uint_eq(i8259_isr(p, 0), 0x03);
    outb(m, 0x20, 0x20);                       /* EOI -> IR0 */
    ck_assert_uint_eq(i8259_isr(p, 0), 0x02);
    ck_assert_int_eq(f->intr, 0);
    outb(m, 0x20, 0x20);                       /* EOI -> IR1 */
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(i8259_ack(p), 0x23);
    outb(m, 0x20, 0x20);
    /* rotate on non-specific EOI: the serviced IR becomes the lowest */
    i8259_set_irq(p, 4, 1);
    ck_assert_int_eq(i8259_ack(p), 0x24);
    outb(m, 0x20, 0xa0);
    i8259_set_irq(p, 5, 1);
    i8259_set_irq(p, 3, 0);
    i8259_set_irq(p, 3, 1);
    ck_assert_int_eq(i8259_ack(p), 0x25);      /* 5 now outranks 3 */
    machine_free(m);
}
END_TEST

START_TEST(pic_cascade_through_ir2)
{
    struct machine *m = pic_machine();
    struct i8259 *p = PB(m)->d.pic;
    struct fake_cpu *f = fake_of(m->cpus[0]);
    outb(m, 0x21, 0xfb);                       /* only the cascade */
    outb(m, 0xa1, 0xfb);                       /* only IRQ 10 */
    i8259_set_irq(p, 10, 1);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(i8259_ack(p), 0x2a);
    ck_assert_uint_eq(i8259_isr(p, 0), 0x04);
    ck_assert_uint_eq(i8259_isr(p, 1), 0x04);
    i8259_set_irq(p, 10, 0);
    outb(m, 0xa0, 0x20);
    outb(m, 0x20, 0x20);
    ck_assert_uint_eq(i8259_isr(p, 0) | i8259_isr(p, 1), 0);
    /* IRQ 2 from the bus is IRQ 9 on an AT */
    outb(m, 0xa1, 0xfd);
    i8259_set_irq(p, 2, 1);
    ck_assert_int_eq(i8259_ack(p), 0x29);
    machine_free(m);
}
END_TEST

/* A level request that goes away before INTA: spurious IRQ 7 (no ISR bit);
 * on the slave, spurious IRQ 15 with the master's IR2 in service. */
START_TEST(pic_spurious_and_auto_eoi)
{
    struct machine *m = pic_machine();
    struct i8259 *p = PB(m)->d.pic;
    struct fake_cpu *f = fake_of(m->cpus[0]);
    outb(m, 0x4d0, 0x20);                      /* IRQ 5 level */
    outb(m, 0x4d1, 0x08);                      /* IRQ 11 level */
    ck_assert_uint_eq(inb(m, 0x4d0), 0x20);
    outb(m, 0x21, 0x00);
    outb(m, 0xa1, 0x00);
    i8259_set_irq(p, 5, 1);
    ck_assert_int_eq(f->intr, 1);
    i8259_set_irq(p, 5, 0);
    ck_assert_int_eq(f->intr, 0);
    ck_assert_int_eq(i8259_ack(p), 0x27);
    ck_assert_uint_eq(i8259_isr(p, 0), 0);
    i8259_set_irq(p, 11, 1);                   /* latches the master's IR2 edge */
    i8259_set_irq(p, 11, 0);
    ck_assert_int_eq(i8259_ack(p), 0x2f);
    ck_assert_uint_eq(i8259_isr(p, 1), 0);
    ck_assert_uint_eq(i8259_isr(p, 0), 0x04);
    outb(m, 0x20, 0x20);
    /* auto-EOI (ICW4 = 0x03): no ISR bit after INTA */
    outb(m, 0x20, 0x11); outb(m, 0x21, 0x20); outb(m, 0x21, 0x04); outb(m, 0x21, 0x03);
    i8259_set_irq(p, 6, 1);
    ck_assert_int_eq(i8259_ack(p), 0x26);
    ck_assert_uint_eq(i8259_isr(p, 0), 0);
    /* poll command */
    i8259_set_irq(p, 4, 1);
    outb(m, 0x20, 0x0c);
    ck_assert_uint_eq(inb(m, 0x20), 0x84);
    outb(m, 0x20, 0x0c);
    ck_assert_uint_eq(inb(m, 0x20), 0x00);
    machine_free(m);
}
END_TEST

/* ---- CMOS RTC ----------------------------------------------------------------- */

static uint8_t cmos(struct machine *m, uint8_t idx)
{
    outb(m, 0x70, idx);
    return inb(m, 0x71);
}

static void cmos_w(struct machine *m, uint8_t idx, uint8_t v)
{
    outb(m, 0x70, idx);
    outb(m, 0x71, v);
}

#define SEC 1000000000ull

START_TEST(rtc_time_from_virtual_time)
{
    struct machine *m = pc_machine(NULL);
    at(m, 0);
    ck_assert_uint_eq(cmos(m, 0x09), 0x00);    /* 2000-01-01 00:00:00, BCD */
    ck_assert_uint_eq(cmos(m, 0x32), 0x20);
    ck_assert_uint_eq(cmos(m, 0x08), 0x01);
    ck_assert_uint_eq(cmos(m, 0x07), 0x01);
    ck_assert_uint_eq(cmos(m, 0x06), 0x07);    /* a Saturday */
    ck_assert_uint_eq(cmos(m, 0x0b), 0x02);
    ck_assert_uint_eq(cmos(m, 0x0d), 0x80);
    at(m, (13 * 3600 + 5 * 60 + 9) * SEC + SEC / 2);
    ck_assert_uint_eq(cmos(m, 0x04), 0x13);
    ck_assert_uint_eq(cmos(m, 0x02), 0x05);
    ck_assert_uint_eq(cmos(m, 0x00), 0x09);
    cmos_w(m, 0x0b, 0x04);                     /* binary, 12-hour */
    ck_assert_uint_eq(cmos(m, 0x04), 0x81);    /* 1 PM */
    ck_assert_uint_eq(cmos(m, 0x00), 9);
    /* UIP: high in the 2228 us before each second boundary */
    at(m, 10 * SEC - 1000);
    ck_assert_uint_eq(cmos(m, 0x0a), 0xa6);
    at(m, 10 * SEC);
    ck_assert_uint_eq(cmos(m, 0x0a), 0x26);
    at(m, 10 * SEC - 2228000 - 1);
    ck_assert_uint_eq(cmos(m, 0x0a), 0x26);
    /* NMI disable bit of the index port */
    outb(m, 0x70, 0x8f);
    ck_assert(PB(m)->d.nmi_disabled);
    ck_assert_uint_eq(inb(m, 0x70), 0xff);
    outb(m, 0x70, 0x0f);
    ck_assert(!PB(m)->d.nmi_disabled);
    machine_free(m);
}
END_TEST

START_TEST(rtc_set_time_and_memory_bytes)
{
    struct machine *m = pc_machine("[test]\nabove4g = 0x40000000\n");
    at(m, 5 * SEC);
    cmos_w(m, 0x0b, 0x82);                     /* SET */
    cmos_w(m, 0x32, 0x19);
    cmos_w(m, 0x09, 0x99);
    cmos_w(m, 0x08, 0x12);
    cmos_w(m, 0x07, 0x31);
    cmos_w(m, 0x04, 0x23);
    cmos_w(m, 0x02, 0x59);
    cmos_w(m, 0x00, 0x58);
    at(m, 7 * SEC);
    ck_assert_uint_eq(cmos(m, 0x00), 0x58);    /* frozen while SET */
    ck_assert_uint_eq(cmos(m, 0x0a) & 0x80, 0);
    cmos_w(m, 0x0b, 0x02);                     /* run from 1999-12-31 23:59:58 */
    at(m, 9 * SEC);
    ck_assert_uint_eq(cmos(m, 0x00), 0x00);
    ck_assert_uint_eq(cmos(m, 0x04), 0x00);
    ck_assert_uint_eq(cmos(m, 0x09), 0x00);
    ck_assert_uint_eq(cmos(m, 0x32), 0x20);
    ck_assert_int_eq(cmos_rtc_time(PB(m)->d.rtc), 946684800);
    /* 32 MiB below 4 GiB, 1 GiB above */
    ck_assert_uint_eq(cmos(m, 0x15) | cmos(m, 0x16) << 8, 640);
    ck_assert_uint_eq(cmos(m, 0x17) | cmos(m, 0x18) << 8, 31 * 1024);
    ck_assert_uint_eq(cmos(m, 0x30) | cmos(m, 0x31) << 8, 31 * 1024);
    ck_assert_uint_eq(cmos(m, 0x34) | cmos(m, 0x35) << 8, 256);
    ck_assert_uint_eq(cmos(m, 0x5b) | cmos(m, 0x5c) << 8 | cmos(m, 0x5d) << 16, 0x4000);
    cmos_w(m, 0x40, 0xa5);                     /* plain CMOS RAM */
    ck_assert_uint_eq(cmos(m, 0x40), 0xa5);
    ck_assert_int_eq(cmos_days_from_civil(2000, 3, 1), 11017);
    machine_free(m);
}
END_TEST

/* Periodic interrupt (1024 Hz: 32 clocks of 32.768 kHz) raises IRQ 8 at
 * the boundary through the machine timer; reading C clears it. */
START_TEST(rtc_periodic_and_update_flags)
{
    struct machine *m = pic_machine();
    struct i8259 *p = PB(m)->d.pic;
    at(m, SEC / 4);
    ck_assert_uint_eq(cmos(m, 0x0c), 0x40); /* PF since time 0 (no second boundary yet), no IRQF */
    cmos_w(m, 0x0b, 0x42);                     /* PIE */
    int t = -1;
    for (int i = 0; i < m->ntimers; i++)
        if (m->timers[i].deadline != UINT64_MAX && m->timers[i].deadline > SEC / 4)
            t = i;
    ck_assert_int_ge(t, 0);
    uint64_t k32 = vtime_ticks_to_dev(SEC / 4, SEC, 32768) / 32 * 32 + 32;
    uint64_t due = vtime_dev_to_ticks_ceil(k32, SEC, 32768);
    ck_assert_uint_eq(m->timers[t].deadline, due);
    machine_fire_due_timers(m, due);
    ck_assert_uint_eq(i8259_irr(p, 1) & 1, 1); /* IRQ 8 */
    at(m, due);
    ck_assert_uint_eq(cmos(m, 0x0c), 0xc0);
    ck_assert_uint_eq(cmos(m, 0x0c), 0x00);
    machine_free(m);
}
END_TEST

/* ---- fw_cfg ------------------------------------------------------------------- */

static void fw_sel(struct machine *m, uint16_t key)
{
    ck_assert(bus_pio_write(&m->bus, 0x510, 2, key));
}

static uint64_t fw_le(struct machine *m, uint16_t key, int n)
{
    fw_sel(m, key);
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)inb(m, 0x511) << (8 * i);
    return v;
}

START_TEST(fw_cfg_items_and_directory)
{
    struct machine *m = pc_machine("[test]\nabove4g = 0x40000000\n");
    char sig[5] = "";
    fw_sel(m, FW_CFG_SIGNATURE);
    for (int i = 0; i < 4; i++)
        sig[i] = (char)inb(m, 0x511);
    ck_assert_str_eq(sig, "QEMU");
    ck_assert_uint_eq(inb(m, 0x511), 0);       /* past the end */
    ck_assert_uint_eq(fw_le(m, FW_CFG_ID, 4), 1);
    ck_assert_uint_eq(fw_le(m, FW_CFG_NB_CPUS, 2), 1);
    ck_assert_uint_eq(fw_le(m, FW_CFG_MAX_CPUS, 2), 4);
    ck_assert_uint_eq(fw_le(m, FW_CFG_RAM_SIZE, 8), (32ull << 20) + (1ull << 30));
    ck_assert_uint_eq(fw_le(m, FW_CFG_CMDLINE_ADDR, 4), 0x20000);
    const char *cl = "console=ttyS0 hvsim";
    ck_assert_uint_eq(fw_le(m, FW_CFG_CMDLINE_SIZE, 4), strlen(cl) + 1);
    char buf[64] = "";
    fw_sel(m, FW_CFG_CMDLINE_DATA);
    for (size_t i = 0; i <= strlen(cl); i++)
        buf[i] = (char)inb(m, 0x511);
    ck_assert_str_eq(buf, cl);
    ck_assert_uint_eq(fw_le(m, 0x1234, 4), 0); /* unknown key */
    /* files: directory is big-endian */
    struct fw_cfg *f = PB(m)->d.fw_cfg;
    char err[128];
    static const uint8_t e820[20] = { 1, 2, 3 };
    ck_assert(fw_cfg_add_file(f, "etc/e820", e820, sizeof e820, err, sizeof err));
    ck_assert(fw_cfg_add_file(f, "etc/boot-fail-wait", "\5\0\0\0", 4, err, sizeof err));
    ck_assert(!fw_cfg_add_file(f, "etc/e820", e820, 1, err, sizeof err));
    fw_sel(m, FW_CFG_FILE_DIR);
    uint8_t dir[4 + 2 * 64];
    for (size_t i = 0; i < sizeof dir; i++)
        dir[i] = inb(m, 0x511);
    ck_assert_uint_eq(dir[0] << 24 | dir[1] << 16 | dir[2] << 8 | dir[3], 2);
    ck_assert_uint_eq(dir[4 + 3], 20);         /* size */
    ck_assert_uint_eq(dir[4 + 4] << 8 | dir[4 + 5], 0x20);
    ck_assert_str_eq((const char *)&dir[4 + 8], "etc/e820");
    ck_assert_uint_eq(dir[68 + 4] << 8 | dir[68 + 5], 0x21);
    ck_assert_str_eq((const char *)&dir[68 + 8], "etc/boot-fail-wait");
    ck_assert_uint_eq(fw_le(m, 0x20, 3), 0x030201);
    /* guest misuse is handled or rejected, never a crash */
    uint64_t v;
    ck_assert(!bus_pio_read(&m->bus, 0x510, 2, &v));
    ck_assert(bus_pio_write(&m->bus, 0x511, 1, 0x55));
    machine_free(m);
}
END_TEST

/* ---- ports 0x92/0x80, isa-debug-exit, and the whole board ------------------------ */

START_TEST(port92_a20_and_reset)
{
    struct machine *m = pc_machine(NULL);
    ck_assert(PB(m)->d.a20);
    ck_assert_uint_eq(inb(m, 0x92), 0x02);
    outb(m, 0x92, 0x00);
    ck_assert(!PB(m)->d.a20);
    outb(m, 0x92, 0x02);
    ck_assert(PB(m)->d.a20);
    outb(m, 0x80, 0x42);
    ck_assert_uint_eq(inb(m, 0x80), 0xff);
    ck_assert_uint_eq(pc_misc_post_code(PB(m)->d.misc), 0x42);
    ck_assert(!m->exit_requested);
    outb(m, 0x92, 0x03);
    ck_assert(m->exit_requested);
    ck_assert_int_eq(m->exit_code, EXIT_PASS);
    ck_assert_str_eq(m->exit_reason, "reset requested via port 0x92 (hvsim does not reboot)");
    machine_free(m);
}
END_TEST

START_TEST(debug_exit_statuses)
{
    static const struct fake_step pass[] = { { 10, FAKE_OUT, 0xf4, 4, 0 } };
    static const struct fake_step fail[] = { { 10, FAKE_OUT, 0xf4, 1, 3 } };
    for (int i = 0; i < 2; i++) {
        struct machine *m = pc_machine(NULL);
        struct fake_cpu *f = fake_of(m->cpus[0]);
        f->script = i ? fail : pass;
        f->nscript = 1;
        int rc = machine_run(m, 1000000);
        if (i == 0) {
            ck_assert_int_eq(rc, EXIT_PASS);
            ck_assert_str_eq(m->exit_reason, "isa-debug-exit: guest wrote 0x0 (QEMU exit status 1)");
        } else {
            ck_assert_int_eq(rc, EXIT_GUEST_FAIL);
            ck_assert_str_eq(m->exit_reason, "isa-debug-exit: guest wrote 0x3 (QEMU exit status 7)");
        }
        ck_assert_uint_eq(f->executed, 10);
        machine_free(m);
    }
}
END_TEST

/* The CPU's interrupt acceptance: INTA, log, EOI. */
static void take_intr(struct fake_cpu *f, uint64_t now)
{
    struct machine *m = f->cpu.m;
    struct pcdev_board *b = m->board_state;
    if (f->executed < 110)
        return; /* IF = 0 until the PIC is set up */
    int vec = i8259_ack(b->d.pic);
    if (b->ntaken < MAX_TAKEN) {
        b->taken[b->ntaken].time = now;
        b->taken[b->ntaken].vector = vec;
        b->ntaken++;
    }
    bus_pio_write(&m->bus, 0x20, 1, 0x20);
}

/* Linux-style PIC init, PIT channel 0 in mode 2 with N = 1000 written at
 * time 1000 (clock 1): IRQ0 -> PIC -> INTR at the ticks of clock edges
 * 1 + 1 + k*1000 (k >= 1), vector 0x20; then COM1 output and exit. (The
 * reset-state PIT's IRQ0 from time 0 is dropped by ICW1: the fake CPU
 * takes interrupts only after the PIC is set up.) */
START_TEST(board_pit_irq0_times_com1_and_exit)
{
    char path[] = "/tmp/hvsim-pcdev-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char serial[64];
    snprintf(serial, sizeof serial, "file:%s", path);
    static const struct fake_step s[] = {
        { 100, FAKE_OUT, 0x20, 1, 0x11 }, { 101, FAKE_OUT, 0x21, 1, 0x20 },
        { 102, FAKE_OUT, 0x21, 1, 0x04 }, { 103, FAKE_OUT, 0x21, 1, 0x01 },
        { 104, FAKE_OUT, 0xa0, 1, 0x11 }, { 105, FAKE_OUT, 0xa1, 1, 0x28 },
        { 106, FAKE_OUT, 0xa1, 1, 0x02 }, { 107, FAKE_OUT, 0xa1, 1, 0x01 },
        { 108, FAKE_OUT, 0x21, 1, 0xfe }, { 109, FAKE_OUT, 0xa1, 1, 0xff },
        { 1000, FAKE_OUT, 0x43, 1, 0x34 }, { 1000, FAKE_OUT, 0x40, 1, 1000 & 0xff },
        { 1000, FAKE_OUT, 0x40, 1, 1000 >> 8 },
        { 2000, FAKE_OUT, 0x3fb, 1, 0x03 }, { 2001, FAKE_OUT, 0x3f8, 1, 'o' },
        { 2002, FAKE_OUT, 0x3f8, 1, 'k' }, { 2003, FAKE_OUT, 0x3f8, 1, '\n' },
        { 2004, FAKE_OUT, 0x3ff, 1, 0x5a }, { 2005, FAKE_IN, 0x3ff, 1, 0 },
        { 2006, FAKE_IN, 0x3fd, 1, 0 },
        { 3500000, FAKE_OUT, 0xf4, 4, 0 },
    };
    struct machine *m = pc_machine_serial(NULL, serial);
    struct fake_cpu *f = fake_of(m->cpus[0]);
    f->script = s;
    f->nscript = sizeof s / sizeof s[0];
    f->intr_hook = take_intr;
    ck_assert_int_eq(machine_run(m, 0), EXIT_PASS);
    ck_assert_str_eq(m->exit_reason, "isa-debug-exit: guest wrote 0x0 (QEMU exit status 1)");
    struct pcdev_board *b = PB(m);
    uint64_t c0 = vtime_ticks_to_dev(1000, SEC, I8254_HZ);
    ck_assert_uint_eq(c0, 1);
    /* 3.5 ms: edges at clocks 1002, 2002, 3002, 4002 (3.36 ms) */
    ck_assert_int_eq(b->ntaken, 4);
    for (int k = 0; k < 4; k++) {
        ck_assert_uint_eq(b->taken[k].time, pit_t(c0 + 1 + 1000 * (uint64_t)(k + 1)));
        ck_assert_int_eq(b->taken[k].vector, 0x20);
    }
    ck_assert_uint_eq(f->in_value[0], 0x5a);   /* COM1 scratch register */
    ck_assert_uint_eq(f->in_value[1] & 0x60, 0x60); /* THRE, TEMT */
    machine_free(m);
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    char out[16] = "";
    size_t n = fread(out, 1, sizeof out - 1, fp);
    fclose(fp);
    unlink(path);
    out[n] = 0;
    ck_assert_str_eq(out, "ok\n");
}
END_TEST

/* A snapshot taken between rounds continues exactly like the original. */
START_TEST(board_clone_continues_identically)
{
    struct machine *m = pc_machine(NULL);
    at(m, pit_t(10));
    pic_linux_init(m);
    pit_program(m, 0, 2, 500);
    cmos_w(m, 0x40, 0x77);
    outb(m, 0x92, 0x00);
    char err[256];
    struct machine *c = machine_clone(m, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(c->timers[0].deadline, m->timers[0].deadline);
    at(m, pit_t(300));
    at(c, pit_t(300));
    ck_assert_uint_eq(pit_latch_read(c, 0), pit_latch_read(m, 0));
    ck_assert_uint_eq(cmos(c, 0x40), 0x77);
    ck_assert(!PB(c)->d.a20);
    ck_assert_uint_eq(inb(c, 0x21), 0xff);
    machine_free(c);
    machine_free(m);
}
END_TEST

/* Any port of every device, any size, any value: handled or rejected. */
START_TEST(guest_input_never_crashes)
{
    struct machine *m = pc_machine(NULL);
    static const uint32_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43,
                                      0x61, 0x70, 0x71, 0x80, 0x92, 0xf4, 0x510, 0x511 };
    uint64_t x = 0x9e3779b97f4a7c15ull, t = 0;
    for (int round = 0; round < 4000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t port = ports[x % (sizeof ports / sizeof ports[0])];
        if (port == 0xf4 || (port == 0x92 && (x >> 8 & 1)))
            continue; /* these end the run: tested above */
        unsigned size = 1u << (x >> 20 & 3);
        t += x >> 40 & 0xfffff;
        at(m, t);
        uint64_t v;
        if (x >> 30 & 1)
            bus_pio_write(&m->bus, port, size, x >> 32);
        else
            bus_pio_read(&m->bus, port, size, &v);
        machine_fire_due_timers(m, t);
    }
    machine_free(m);
}
END_TEST

Suite *pcdev_suite(void)
{
    Suite *s = suite_create("pcdev");
    TCase *tc = tcase_create("pcdev");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, pit_mode2_counts_and_out);
    tcase_add_test(tc, pit_mode3_square_wave);
    tcase_add_test(tc, pit_mode0_terminal_count);
    tcase_add_test(tc, pit_latch_while_counting);
    tcase_add_test(tc, pit_read_back);
    tcase_add_test(tc, pit_channel2_via_port61);
    tcase_add_test(tc, pic_linux_init_mask_and_eoi);
    tcase_add_test(tc, pic_priority);
    tcase_add_test(tc, pic_cascade_through_ir2);
    tcase_add_test(tc, pic_spurious_and_auto_eoi);
    tcase_add_test(tc, rtc_time_from_virtual_time);
    tcase_add_test(tc, rtc_set_time_and_memory_bytes);
    tcase_add_test(tc, rtc_periodic_and_update_flags);
    tcase_add_test(tc, fw_cfg_items_and_directory);
    tcase_add_test(tc, port92_a20_and_reset);
    tcase_add_test(tc, debug_exit_statuses);
    tcase_add_test(tc, board_pit_irq0_times_com1_and_exit);
    tcase_add_test(tc, board_clone_continues_identically);
    tcase_add_test(tc, guest_input_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}
