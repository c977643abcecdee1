/* 16550 UART unit tests (with the console in file: mode and injected input),
 * plus the sifive_test power-off device. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/console.h"
#include "devices/sifive_test.h"
#include "devices/uart16550.h"
#include "sim/irq.h"
#include "sim/machine.h"

enum { THR = 0, RBR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

struct irq_rec {
    int level;
    int calls;
};

static void rec_set(void *opaque, int n, int level)
{
    struct irq_rec *r = opaque;
    (void)n;
    r->level = level;
    r->calls++;
}

struct fixture {
    struct machine *m;
    struct console *con;
    struct uart16550 *u;
    struct irq_rec irq;
    char path[128];
};

static struct fixture *fx_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char err[256] = "", spec[160];
    ck_assert_ptr_nonnull(f);
    f->m = calloc(1, sizeof(*f->m));
    snprintf(f->path, sizeof(f->path), "/tmp/hvsim_uart_test_%ld.txt", (long)getpid());
    snprintf(spec, sizeof(spec), "file:%s", f->path);
    f->con = console_new(spec, err, sizeof(err));
    ck_assert_msg(f->con != NULL, "%s", err);
    struct irq_line line = { .set = rec_set, .opaque = &f->irq, .n = 10 };
    f->u = uart_new(f->m, f->con, line);
    ck_assert_ptr_nonnull(f->u);
    return f;
}

static void fx_free(struct fixture *f)
{
    uart_free(f->u);
    console_free(f->con);
    unlink(f->path);
    free(f->m);
    free(f);
}

static uint8_t rd(struct fixture *f, unsigned reg)
{
    uint64_t v = 0xdeadbeef;
    ck_assert(uart_ops.read(f->u, reg, 1, &v));
    ck_assert_uint_le(v, 0xff);
    return (uint8_t)v;
}

static void wr(struct fixture *f, unsigned reg, uint8_t v)
{
    ck_assert(uart_ops.write(f->u, reg, 1, v));
}

static size_t slurp(const char *path, char *buf, size_t len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t n = fread(buf, 1, len - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return n;
}

static void inject(struct fixture *f, const char *s)
{
    ck_assert_uint_eq(console_inject(f->con, (const uint8_t *)s, strlen(s)), strlen(s));
}

START_TEST(thr_reaches_console)
{
    struct fixture *f = fx_new();
    char buf[64];
    for (const char *s = "hello\nwor"; *s; s++)
        wr(f, THR, (uint8_t)*s);
    /* flushed at the newline */
    ck_assert_uint_eq(slurp(f->path, buf, sizeof(buf)), 6);
    ck_assert_str_eq(buf, "hello\n");
    /* a round's poll flushes the partial line */
    uart_poll(f->u);
    slurp(f->path, buf, sizeof(buf));
    ck_assert_str_eq(buf, "hello\nwor");
    /* wider access: the low byte */
    ck_assert(uart_ops.write(f->u, THR, 4, 0x12345621));
    console_flush(f->con);
    slurp(f->path, buf, sizeof(buf));
    ck_assert_str_eq(buf, "hello\nwor!");
    fx_free(f);
}
END_TEST

START_TEST(reset_state_and_lsr)
{
    struct fixture *f = fx_new();
    ck_assert_uint_eq(rd(f, IER), 0);
    ck_assert_uint_eq(rd(f, IIR), 0x01);
    ck_assert_uint_eq(rd(f, LCR), 0);
    ck_assert_uint_eq(rd(f, LSR), 0x60);
    ck_assert_uint_eq(rd(f, MSR), 0xb0);
    wr(f, THR, 'x');
    ck_assert_uint_eq(rd(f, LSR), 0x60); /* instant transmit */
    inject(f, "a");
    uart_poll(f->u);
    ck_assert_uint_eq(rd(f, LSR), 0x61);
    ck_assert_uint_eq(rd(f, RBR), 'a');
    ck_assert_uint_eq(rd(f, LSR), 0x60);
    ck_assert_uint_eq(rd(f, RBR), 0); /* empty FIFO */
    ck_assert_int_eq(f->irq.calls, 0);
    wr(f, SCR, 0x5a);
    ck_assert_uint_eq(rd(f, SCR), 0x5a);
    wr(f, LSR, 0); /* ignored */
    ck_assert_uint_eq(rd(f, LSR), 0x60);
    fx_free(f);
}
END_TEST

START_TEST(dlab_selects_divisor)
{
    struct fixture *f = fx_new();
    char buf[16];
    wr(f, IER, 0x05);
    wr(f, LCR, 0x83);
    wr(f, DLL, 0x12);
    wr(f, DLM, 0x34);
    ck_assert_uint_eq(rd(f, DLL), 0x12);
    ck_assert_uint_eq(rd(f, DLM), 0x34);
    ck_assert_uint_eq(rd(f, LCR), 0x83);
    wr(f, LCR, 0x03);
    ck_assert_uint_eq(rd(f, IER), 0x05);
    wr(f, LCR, 0x83);
    ck_assert_uint_eq(rd(f, DLL), 0x12);
    /* DLL writes never transmit */
    console_flush(f->con);
    ck_assert_uint_eq(slurp(f->path, buf, sizeof(buf)), 0);
    fx_free(f);
}
END_TEST

START_TEST(thre_interrupt_cycle)
{
    struct fixture *f = fx_new();
    wr(f, FCR, 0x01);
    ck_assert_uint_eq(rd(f, IIR), 0xc1);
    wr(f, IER, 0x02);
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_int_eq(f->irq.calls, 1);
    ck_assert_uint_eq(rd(f, IIR), 0xc2); /* clears THRE */
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(rd(f, IIR), 0xc1);
    wr(f, THR, 'z');
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(rd(f, IIR), 0xc2);
    ck_assert_int_eq(f->irq.level, 0);
    /* IER write re-arms it */
    wr(f, IER, 0x02);
    ck_assert_int_eq(f->irq.level, 1);
    wr(f, IER, 0x00);
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_int_eq(f->irq.calls, 6);
    fx_free(f);
}
END_TEST

START_TEST(iir_priorities)
{
    struct fixture *f = fx_new();
    wr(f, FCR, 0x01); /* FIFO on, trigger 1 */
    wr(f, IER, 0x0f);
    /* THRE pending, then data arrives: data wins */
    ck_assert_int_eq(f->irq.level, 1);
    inject(f, "ab");
    uart_poll(f->u);
    ck_assert_uint_eq(rd(f, IIR), 0xc4);
    ck_assert_uint_eq(rd(f, RBR), 'a');
    ck_assert_uint_eq(rd(f, IIR), 0xc4);
    ck_assert_uint_eq(rd(f, RBR), 'b');
    /* now THRE */
    ck_assert_uint_eq(rd(f, IIR), 0xc2);
    ck_assert_uint_eq(rd(f, IIR), 0xc1);
    ck_assert_int_eq(f->irq.level, 0);

    /* modem status is last: loopback changes the lines */
    wr(f, IER, 0x08);
    ck_assert_int_eq(f->irq.level, 0);
    wr(f, MCR, 0x10); /* loop, all outputs off: CTS, DSR, DCD drop */
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(rd(f, IIR), 0xc0);
    ck_assert_uint_eq(rd(f, MSR), 0x0b);
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(rd(f, MSR), 0x00);
    wr(f, MCR, 0x1f);
    ck_assert_uint_eq(rd(f, MSR), 0xfb);
    wr(f, MCR, 0x1b); /* OUT1 off: RI trailing edge */
    ck_assert_uint_eq(rd(f, MSR), 0xb4);

    /* line status beats everything: loopback overrun of a full FIFO */
    wr(f, IER, 0x0f);
    for (int i = 0; i < 17; i++)
        wr(f, THR, (uint8_t)('A' + i));
    ck_assert_uint_eq(rd(f, IIR), 0xc6);
    ck_assert_uint_eq(rd(f, LSR), 0x63); /* DR, OE, THRE, TEMT */
    ck_assert_uint_eq(rd(f, LSR), 0x61); /* OE cleared by the read */
    ck_assert_uint_eq(rd(f, IIR), 0xc4);
    ck_assert_uint_eq(rd(f, RBR), 'A');
    fx_free(f);
}
END_TEST

START_TEST(rx_fifo_and_interrupt)
{
    struct fixture *f = fx_new();
    wr(f, FCR, 0x81); /* FIFO on, trigger 8 */
    wr(f, IER, 0x01);
    ck_assert_int_eq(f->irq.level, 0);
    inject(f, "0123456789abcdefghij"); /* 20 bytes */
    uart_poll(f->u);
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(console_consumed(f->con), 16);
    ck_assert_uint_eq(rd(f, IIR), 0xc4);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(rd(f, RBR), (uint8_t)"0123456789abcdef"[i]);
    /* 7 left: below the trigger, reported as a timeout */
    ck_assert_uint_eq(rd(f, IIR), 0xcc);
    for (int i = 9; i < 16; i++)
        ck_assert_uint_eq(rd(f, RBR), (uint8_t)"0123456789abcdef"[i]);
    ck_assert_int_eq(f->irq.level, 0);
    /* An LSR read with an empty FIFO pulls the next waiting byte */
    ck_assert_uint_eq(rd(f, LSR) & 1, 1);
    ck_assert_uint_eq(console_consumed(f->con), 17);
    uart_poll(f->u);
    ck_assert_uint_eq(console_consumed(f->con), 20);
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(rd(f, IIR), 0xcc);
    /* FCR bit 1 clears the RX FIFO */
    wr(f, FCR, 0x83);
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(rd(f, LSR), 0x60);
    fx_free(f);
}
END_TEST

START_TEST(rx_without_fifo_holds_one_byte)
{
    struct fixture *f = fx_new();
    wr(f, IER, 0x01);
    inject(f, "xyz");
    uart_poll(f->u);
    ck_assert_uint_eq(console_consumed(f->con), 1);
    ck_assert_uint_eq(rd(f, IIR), 0x04);
    ck_assert_uint_eq(rd(f, RBR), 'x');
    ck_assert_int_eq(f->irq.level, 0);
    uart_poll(f->u);
    ck_assert_uint_eq(rd(f, RBR), 'y');
    uart_poll(f->u);
    ck_assert_uint_eq(rd(f, RBR), 'z');
    ck_assert(!console_has_input(f->con));
    fx_free(f);
}
END_TEST

/* Input typed before the guest set up the port survives a FIFO reset: bytes
 * enter the receiver only on an LSR poll or with RX interrupts enabled. */
START_TEST(early_input_waits_for_the_guest)
{
    struct fixture *f = fx_new();
    inject(f, "ab");
    uart_poll(f->u);
    ck_assert_uint_eq(console_consumed(f->con), 0);
    wr(f, FCR, 0x07); /* firmware init: enable and clear FIFOs */
    ck_assert_uint_eq(rd(f, LSR) & 1, 1);
    ck_assert_uint_eq(rd(f, RBR), 'a');
    ck_assert_uint_eq(rd(f, LSR) & 1, 1);
    ck_assert_uint_eq(rd(f, RBR), 'b');
    ck_assert_uint_eq(rd(f, LSR) & 1, 0);
    fx_free(f);
}
END_TEST

START_TEST(loopback_returns_data)
{
    struct fixture *f = fx_new();
    char buf[16];
    wr(f, FCR, 0x01);
    wr(f, MCR, 0x10);
    wr(f, THR, 'q');
    inject(f, "c"); /* console input is disconnected in loopback */
    uart_poll(f->u);
    ck_assert_uint_eq(rd(f, LSR), 0x61);
    ck_assert_uint_eq(rd(f, RBR), 'q');
    ck_assert_uint_eq(rd(f, LSR), 0x60);
    ck_assert_uint_eq(console_consumed(f->con), 0);
    wr(f, MCR, 0x00);
    uart_poll(f->u);
    ck_assert_uint_eq(rd(f, LSR), 0x61); /* polled receive pulls 'c' */
    ck_assert_uint_eq(rd(f, RBR), 'c');
    ck_assert_uint_eq(slurp(f->path, buf, sizeof(buf)), 0);
    fx_free(f);
}
END_TEST

START_TEST(access_rules)
{
    struct fixture *f = fx_new();
    uint64_t v = 0;
    ck_assert(!uart_ops.read(f->u, UART_SIZE, 1, &v));
    ck_assert(!uart_ops.write(f->u, UART_SIZE + 3, 1, 0));
    ck_assert(!uart_ops.read(f->u, 0, 3, &v));
    ck_assert(uart_ops.write(f->u, 0x10, 1, 0x55));
    ck_assert(uart_ops.read(f->u, 0x10, 4, &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(uart_ops.read(f->u, LSR, 8, &v));
    ck_assert_uint_eq(v, 0x60);
    ck_assert(uart_ops.write(f->u, SCR, 2, 0xab12));
    ck_assert_uint_eq(rd(f, SCR), 0x12);
    fx_free(f);
}
END_TEST

START_TEST(console_specs)
{
    char err[256];
    struct console *c = console_new("none", err, sizeof(err));
    ck_assert_ptr_nonnull(c);
    console_putc(c, 'x');
    console_poll(c);
    ck_assert(!console_input_open(c));
    ck_assert(!console_wait_input(c));
    ck_assert_int_eq(console_getc(c), -1);
    console_free(c);

    err[0] = 0;
    ck_assert_ptr_null(console_new("serial0", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "serial0"));
    err[0] = 0;
    ck_assert_ptr_null(console_new("file:/nonexistent-dir/x/out.txt", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x/out.txt"));
    ck_assert_ptr_null(console_new("file:", err, sizeof(err)));
    ck_assert_ptr_null(console_new(NULL, err, sizeof(err)));
}
END_TEST

/* ---- sifive_test -------------------------------------------------------- */

START_TEST(sifive_test_commands)
{
    static const struct {
        uint32_t val;
        int code;
        const char *reason;
    } cases[] = {
        { 0x5555, EXIT_PASS, "poweroff" },
        { 0x3333 | (7u << 16), EXIT_GUEST_FAIL, "guest failure code 7" },
        { 0x7777, EXIT_PASS, "reset requested (hvsim does not reboot)" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct machine *m = calloc(1, sizeof(*m));
        struct sifive_test *t = sifive_test_new(m);
        uint64_t v = 1;
        ck_assert_ptr_nonnull(t);
        ck_assert(sifive_test_ops.read(t, 0, 4, &v));
        ck_assert_uint_eq(v, 0);
        /* ignored: byte write, wrong offset, unknown value */
        ck_assert(sifive_test_ops.write(t, 0, 1, cases[i].val));
        ck_assert(sifive_test_ops.write(t, 4, 4, cases[i].val));
        ck_assert(sifive_test_ops.write(t, 0, 4, 0x1234));
        ck_assert(!sifive_test_ops.write(t, SIFIVE_TEST_SIZE, 4, cases[i].val));
        ck_assert(!m->exit_requested);
        /* 16-bit (OpenSBI's writew) and 32-bit writes both act */
        ck_assert(sifive_test_ops.write(t, 0, (i & 1) ? 4 : 2, cases[i].val & ((i & 1) ? ~0u : 0xffffu)));
        ck_assert(m->exit_requested);
        ck_assert_int_eq(m->exit_code, cases[i].code);
        ck_assert_str_eq(m->exit_reason, cases[i].reason);
        sifive_test_free(t);
        free(m);
    }
}
END_TEST

Suite *uart_suite(void)
{
    Suite *s = suite_create("uart");
    TCase *tc = tcase_create("16550");
    tcase_add_test(tc, thr_reaches_console);
    tcase_add_test(tc, reset_state_and_lsr);
    tcase_add_test(tc, dlab_selects_divisor);
    tcase_add_test(tc, thre_interrupt_cycle);
    tcase_add_test(tc, iir_priorities);
    tcase_add_test(tc, rx_fifo_and_interrupt);
    tcase_add_test(tc, rx_without_fifo_holds_one_byte);
    tcase_add_test(tc, loopback_returns_data);
    tcase_add_test(tc, early_input_waits_for_the_guest);
    tcase_add_test(tc, access_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("console");
    tcase_add_test(tc, console_specs);
    suite_add_tcase(s, tc);

    tc = tcase_create("sifive_test");
    tcase_add_test(tc, sifive_test_commands);
    suite_add_tcase(s, tc);
    return s;
}
