/* NS16550A UART (PC16550D datasheet: register map Table II, interrupt
 * identification Table IV).
 *
 * Model:
 *  - transmission completes instantly: THR and the transmitter are always
 *    empty (LSR.THRE and LSR.TEMT read 1); bytes go to console_putc;
 *  - received bytes enter a 16-byte RX FIFO (1 byte when FCR bit 0 is
 *    clear) from the console in uart_poll; a full FIFO leaves the input
 *    waiting in the console, so no byte is ever lost to overrun;
 *  - with FIFOs on, data below the trigger level is reported at once as a
 *    character timeout (IIR 0xc): input arrives in bursts at round
 *    granularity, so waiting four character times would only add latency;
 *  - the modem lines report CTS, DSR and DCD asserted; in loopback (MCR bit
 *    4) they follow RTS/DTR/OUT1/OUT2, transmitted bytes are received back
 *    and console input is not read;
 *  - the divisor latch, LCR and SCR are stored; no baud rate timing.
 *
 * Guest-visible rules (never a crash): registers are bytes at offsets 0..7;
 * an access of 2, 4 or 8 bytes acts on the low byte (reads zero-extend);
 * offsets 8..0xff read as zero and ignore writes; writes to LSR and MSR
 * (factory test / read-only) are ignored. */
#include "uart16550.h"
#include "../trace/emit.h"

#include <stdlib.h>
#include <string.h>
#include "console.h"

/* register offsets */
enum { R_RBR_THR = 0, R_IER = 1, R_IIR_FCR = 2, R_LCR = 3, R_MCR = 4, R_LSR = 5,
       R_MSR = 6, R_SCR = 7 };

#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* THR empty */
#define IER_ELSI  0x04 /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */

#define IIR_NONE    0x01
#define IIR_MSR     0x00
#define IIR_THRE    0x02
#define IIR_RDA     0x04
#define IIR_RLS     0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE   0x01
#define FCR_CLR_RX   0x02
#define FCR_CLR_TX   0x04
#define FCR_TRIGGER  0xc0

#define LCR_DLAB 0x80
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_ERRS 0x1e /* OE, PE, FE, BI */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80
#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08

struct uart16550 {
    struct machine *m;
    struct console *con;
    struct irq_line irq;
    int irq_level;

    uint8_t rx[UART_FIFO];
    unsigned rx_head, rx_count;

    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
    uint8_t lsr_err;    /* OE/PE/FE/BI, cleared by reading LSR */
    uint8_t msr;        /* line bits 7:4 and delta bits 3:0 */
    bool thre_ip;       /* THR-empty interrupt pending (datasheet Table IV) */
};

static unsigned rx_capacity(const struct uart16550 *u)
{
    return (u->fcr & FCR_ENABLE) ? UART_FIFO : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
    static const unsigned level[4] = { 1, 4, 8, 14 };
    return (u->fcr & FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

/* Highest-priority pending interrupt (Table IV), IIR bits 3:0. */
static uint8_t uart_iir_id(const struct uart16550 *u)
{
    if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRS))
        return IIR_RLS;
    if ((u->ier & IER_ERBFI) && u->rx_count >= rx_trigger(u))
        return IIR_RDA;
    if ((u->ier & IER_ERBFI) && u->rx_count > 0)
        return IIR_TIMEOUT;
    if ((u->ier & IER_ETBEI) && u->thre_ip)
        return IIR_THRE;
    if ((u->ier & IER_EDSSI) && (u->msr & 0x0f))
        return IIR_MSR;
    return IIR_NONE;
}

static void uart_update_irq(struct uart16550 *u)
{
    int lvl = uart_iir_id(u) != IIR_NONE;
    if (lvl != u->irq_level) {
        u->irq_level = lvl;
        irq_set(&u->irq, lvl);
    }
}

static void rx_clear(struct uart16550 *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

/* Returns false (and flags an overrun) when the FIFO is full. */
static bool rx_push(struct uart16550 *u, uint8_t ch)
{
    if (u->rx_count >= rx_capacity(u)) {
        u->lsr_err |= LSR_OE;
        return false;
    }
    u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = ch;
    u->rx_count++;
    return true;
}

static uint8_t rx_pop(struct uart16550 *u)
{
    if (u->rx_count == 0)
        return 0;
    uint8_t ch = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_FIFO;
    u->rx_count--;
    return ch;
}

/* Modem status inputs: fixed "cable connected", or the MCR outputs looped
 * back (datasheet, MCR bit 4). Changes set the delta bits. */
static void uart_update_msr(struct uart16550 *u)
{
    uint8_t lines;
    if (u->mcr & MCR_LOOP) {
        lines = ((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        lines = MSR_CTS | MSR_DSR | MSR_DCD;
    }
    uint8_t old = u->msr & 0xf0, diff = old ^ lines, delta = u->msr & 0x0f;
    if (diff & MSR_CTS)
        delta |= MSR_DCTS;
    if (diff & MSR_DSR)
        delta |= MSR_DDSR;
    if ((old & MSR_RI) && !(lines & MSR_RI))
        delta |= MSR_TERI;
    if (diff & MSR_DCD)
        delta |= MSR_DDCD;
    u->msr = lines | delta;
}

struct uart16550 *uart_new(struct machine *m, struct console *con, struct irq_line irq)
{
    struct uart16550 *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->m = m;
    u->con = con;
    u->irq = irq;
    u->msr = MSR_CTS | MSR_DSR | MSR_DCD; /* no deltas at reset */
    return u;
}

void uart_free(struct uart16550 *u)
{
    free(u);
}

void uart_poll(struct uart16550 *u)
{
    if (!u)
        return;
    console_flush(u->con); /* partial lines (prompts) show up once a round */
    console_poll(u->con);
    /* In loopback the serial input is disconnected from the receiver.
     * Bytes move into the receiver only while the guest asked for receive
     * interrupts; a polling guest pulls them with its LSR reads (see
     * uart_pull). Host input typed before the guest set the port up (and
     * reset the FIFOs) therefore waits instead of being lost. */
    if (!(u->mcr & MCR_LOOP) && (u->ier & IER_ERBFI)) {
        while (u->rx_count < rx_capacity(u) && console_has_input(u->con)) {
            int ch = console_getc(u->con);
            if (ch < 0)
                break;
            TRACE(u->m, TK_INPUT, trace_cpu_id(u->m), machine_now(u->m), (uint64_t)ch);
            rx_push(u, (uint8_t)ch);
        }
    }
    uart_update_irq(u);
}

static uint8_t uart_reg_read(struct uart16550 *u, unsigned reg)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v = 0;
    switch (reg) {
    case R_RBR_THR:
        v = dlab ? u->dll : rx_pop(u);
        break;
    case R_IER:
        v = dlab ? u->dlm : u->ier;
        break;
    case R_IIR_FCR: {
        uint8_t id = uart_iir_id(u);
        v = id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
        if (id == IIR_THRE)
            u->thre_ip = false; /* reading IIR with THRE as source clears it */
        break;
    }
    case R_LCR:
        v = u->lcr;
        break;
    case R_MCR:
        v = u->mcr;
        break;
    case R_LSR:
        if (u->rx_count == 0 && !(u->mcr & MCR_LOOP) && console_has_input(u->con)) {
            int ch = console_getc(u->con); /* polled receive */
            TRACE(u->m, TK_INPUT, trace_cpu_id(u->m), machine_now(u->m), (uint64_t)ch);
            rx_push(u, (uint8_t)ch);
        }
        v = (u->rx_count ? LSR_DR : 0) | u->lsr_err | LSR_THRE | LSR_TEMT;
        u->lsr_err = 0;
        break;
    case R_MSR:
        v = u->msr;
        u->msr &= 0xf0;
        break;
    case R_SCR:
        v = u->scr;
        break;
    }
    uart_update_irq(u);
    return v;
}

static void uart_reg_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (reg) {
    case R_RBR_THR:
        if (dlab) {
            u->dll = v;
            break;
        }
        if (u->mcr & MCR_LOOP)
            rx_push(u, v);
        else
            console_putc(u->con, v);
        u->thre_ip = true; /* THR is empty again at once */
        break;
    case R_IER:
        if (dlab) {
            u->dlm = v;
            break;
        }
        u->ier = v & 0x0f;
        u->thre_ip = true; /* THR is always empty: re-arm THRE */
        break;
    case R_IIR_FCR:
        if ((v ^ u->fcr) & FCR_ENABLE)
            rx_clear(u); /* changing the FIFO mode resets the FIFOs */
        if (v & FCR_CLR_RX)
            rx_clear(u);
        /* FCR_CLR_TX: the transmitter is always empty */
        u->fcr = (v & FCR_ENABLE) ? (v & (FCR_ENABLE | FCR_TRIGGER)) : 0;
        break;
    case R_LCR:
        u->lcr = v;
        break;
    case R_MCR:
        u->mcr = v & 0x1f;
        uart_update_msr(u);
        break;
    case R_LSR:
    case R_MSR:
        break; /* factory test / read-only: ignored */
    case R_SCR:
        u->scr = v;
        break;
    }
    uart_update_irq(u);
}

static bool uart_size_ok(uint64_t off, unsigned size)
{
    return off < UART_SIZE && (size == 1 || size == 2 || size == 4 || size == 8);
}

static bool uart_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct uart16550 *u = opaque;
    if (!uart_size_ok(off, size))
        return false;
    *val = off < 8 ? uart_reg_read(u, (unsigned)off) : 0;
    return true;
}

static bool uart_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct uart16550 *u = opaque;
    if (!uart_size_ok(off, size))
        return false;
    if (off < 8)
        uart_reg_write(u, (unsigned)off, (uint8_t)val);
    return true;
}

const struct mmio_ops uart_ops = { .read = uart_read, .write = uart_write };

void uart_copy_state(struct uart16550 *dst, const struct uart16550 *src)
{
    dst->irq_level = src->irq_level;
    memcpy(dst->rx, src->rx, sizeof dst->rx);
    dst->rx_head = src->rx_head;
    dst->rx_count = src->rx_count;
    dst->ier = src->ier;
    dst->fcr = src->fcr;
    dst->lcr = src->lcr;
    dst->mcr = src->mcr;
    dst->scr = src->scr;
    dst->dll = src->dll;
    dst->dlm = src->dlm;
    dst->lsr_err = src->lsr_err;
    dst->msr = src->msr;
    dst->thre_ip = src->thre_ip;
}
