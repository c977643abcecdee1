/* Intel 8254 PIT (see i8254.h). Mode behaviour follows the 82C54 data
 * sheet's "Mode Definitions" section; "DS" below cites it.
 *
 * Model. Every counter keeps the PIT clock edge at which its count N was
 * loaded into the counting element (CE) and how many clock edges counting
 * was suspended since (gate low in modes 0, 2, 3, 4). The CE value and the
 * OUT level at any clock edge c are computed from those (pit_elapsed):
 * nothing is stepped, nothing reads host time.
 *
 *  - DS "the count is loaded on the next CLK pulse after it is written":
 *    a count written at clock c enters the CE at edge c+1 and the counter
 *    decrements from edge c+2 on; mode 0's OUT therefore rises N+1 clocks
 *    after the write (DS mode 0), mode 2's first interrupt comes N+1
 *    clocks after the write and then every N clocks.
 *  - Modes 2 and 3: a count written while counting takes effect at the end
 *    of the current period (mode 2) or half-cycle (mode 3) (DS); the gate
 *    going low forces OUT high and stops counting, its rising edge reloads.
 *  - Modes 1 and 5 count from a gate rising edge (trigger), with the count
 *    last written.
 *  - Mode 0: writing the first byte of a two-byte count stops counting and
 *    sets OUT low (DS mode 0).
 *  - Counts of 1 are illegal in modes 2 and 3 (DS): here mode 2 with N = 1
 *    keeps OUT low and mode 3 with N = 1 keeps OUT high (no edges).
 *  - Mode 3 CE values follow DS: even N counts N, N-2, ..., 2 in each half;
 *    odd N counts N, N-1, N-3, ..., 2 while high ((N+1)/2 clocks) and
 *    N, N-3, ..., 2 while low ((N-1)/2 clocks).
 *  - BCD counting (control word bit 0): counts are decoded from BCD when
 *    written (non-BCD digits are taken at face value) and encoded when read.
 *  - Reading the control word port returns 0 (it is write-only; QEMU
 *    returns 0 too).
 *
 * Guest-visible rules (never a crash): ports are bytes; 2- and 4-byte
 * accesses are split into byte accesses of consecutive ports (what the ISA
 * bus does with an 8-bit device); any value is accepted. */
#include "i8254.h"

#include <stdlib.h>
#include <string.h>
#include "../sim/machine.h"
#include "../sim/vtime.h"

#define NEVER UINT64_MAX

struct pit_channel {
    uint8_t ctrl;           /* bits 5:0 of the last control word (status byte) */
    uint8_t mode;           /* 0..5 (6, 7 are aliases of 2, 3) */
    uint8_t rw;             /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    bool write_msb;         /* rw 3: the next write is the MSB */
    uint8_t write_lsb;
    bool read_msb;          /* rw 3: the next unlatched read is the MSB */
    uint16_t latch;         /* counter latch (DS "Counter Latch Command") */
    uint8_t latch_left;     /* bytes of it left to read */
    bool status_latched;    /* read-back status (DS "Read-Back Command") */
    uint8_t status;

    bool has_cr;            /* a count was written since the control word */
    uint32_t cr;            /* that count: 1..65536 (1..10000 BCD) */
    uint32_t n;             /* count of the current cycle */
    uint64_t load_clk;      /* edge at which n entered the CE; NEVER: none */
    uint64_t stop_clk;      /* counting suspended since this edge; NEVER: counting */
    uint64_t stopped;       /* edges suspended after load_clk */
    uint32_t phase;         /* mode 3: position in the period at load_clk */
    uint32_t pending_n;     /* mode 2/3: count written while counting ... */
    uint32_t pending_phase;
    uint64_t pending_clk;   /* ... loaded at this edge; NEVER: none */
    uint64_t null_until;    /* status NULL COUNT while clk < null_until */
    bool gate;
};

struct i8254 {
    struct machine *m;
    struct irq_line irq;
    int timer;
    int irq_level;          /* channel 0's OUT as last sent on irq */
    uint64_t irq_clk;       /* clock up to which channel 0's edges were sent */
    struct pit_channel ch[3];
};

/* ---- time ------------------------------------------------------------------- */

static uint64_t pit_clk(struct i8254 *p)
{
    return vtime_ticks_to_dev(machine_now(p->m), p->m->cfg.cpu_hz, I8254_HZ);
}

static uint64_t pit_clk_to_ticks(const struct i8254 *p, uint64_t clk)
{
    return clk == NEVER ? NEVER : vtime_dev_to_ticks_ceil(clk, p->m->cfg.cpu_hz, I8254_HZ);
}

static bool mode_gate_stops(unsigned mode)
{
    return mode == 0 || mode == 2 || mode == 3 || mode == 4;
}

/* Edges counted since the load edge (which is e = 0); -1 before it. */
static int64_t pit_elapsed(const struct pit_channel *ch, uint64_t c)
{
    if (ch->load_clk == NEVER || c < ch->load_clk)
        return -1;
    uint64_t end = c;
    if (ch->stop_clk < end)
        end = ch->stop_clk;
    if (end < ch->load_clk)
        end = ch->load_clk;
    uint64_t e = end - ch->load_clk;
    return (int64_t)(e > ch->stopped ? e - ch->stopped : 0);
}

/* Mode 3: clocks OUT is high in each period (DS: N/2 even, (N+1)/2 odd). */
static uint32_t sq_high(uint32_t n) { return (n + 1) / 2; }

/* Apply a mode 2/3 count that was written while counting, once its edge
 * (the end of the period / half-cycle) has come. */
static void pit_normalize(struct pit_channel *ch, uint64_t c)
{
    if (ch->pending_clk != NEVER && c >= ch->pending_clk) {
        ch->n = ch->pending_n;
        ch->load_clk = ch->pending_clk;
        ch->phase = ch->pending_phase;
        ch->stopped = 0;
        ch->pending_clk = NEVER;
    }
}

static int pit_out_at(const struct pit_channel *ch, uint64_t c)
{
    int64_t e = pit_elapsed(ch, c);
    uint32_t n = ch->n;
    switch (ch->mode) {
    case 0: /* interrupt on terminal count: low until the CE reaches 0 */
        return e >= 0 && (uint64_t)e >= n;
    case 1: /* one-shot: low from the trigger's load edge to terminal count */
        return !(e >= 0 && (uint64_t)e < n);
    case 2: /* rate generator: low for the one clock the CE holds 1 */
        if (!ch->gate || e < 0)
            return 1;
        return n < 2 ? 0 : (uint64_t)e % n != n - 1;
    case 3: /* square wave */
        if (!ch->gate || e < 0 || n < 2)
            return 1;
        return ((uint64_t)e + ch->phase) % n < sq_high(n);
    default: /* 4, 5: strobe: low for the one clock the CE holds 0 */
        return !(e >= 0 && (uint64_t)e == n);
    }
}

static uint32_t pit_ce_at(const struct pit_channel *ch, uint64_t c)
{
    int64_t e = pit_elapsed(ch, c);
    uint32_t n = ch->n, mod = ch->bcd ? 10000 : 65536;
    if (e < 0 || n == 0)
        return n % mod;
    switch (ch->mode) {
    case 2:
        return (n - (uint32_t)((uint64_t)e % n)) % mod;
    case 3: {
        uint32_t r = (uint32_t)(((uint64_t)e + ch->phase) % n), h = sq_high(n), v;
        if (n % 2 == 0)
            v = r < h ? n - 2 * r : n - 2 * (r - h);
        else if (r < h)
            v = r == 0 ? n : n + 1 - 2 * r;
        else
            v = r == h ? n : n - 1 - 2 * (r - h);
        return v % mod;
    }
    default: { /* counts down through terminal count and wraps */
        int64_t v = ((int64_t)n - e) % mod;
        return (uint32_t)(v < 0 ? v + mod : v);
    }
    }
}

/* First edge after c at which OUT may change (NEVER: none while nothing
 * is written and no gate changes). Candidates are checked by the caller. */
static uint64_t pit_next_candidate(const struct pit_channel *ch, uint64_t c)
{
    if (ch->load_clk == NEVER)
        return NEVER;
    if (c < ch->load_clk)
        return ch->load_clk;
    if (ch->stop_clk != NEVER && ch->mode != 1 && ch->mode != 5)
        return NEVER; /* suspended: only a gate change restarts it */
    uint64_t e = (uint64_t)pit_elapsed(ch, c), n = ch->n;
    switch (ch->mode) {
    case 0:
    case 1:
        return e < n ? c + (n - e) : NEVER;
    case 2: {
        if (n < 2)
            return NEVER;
        uint64_t r = e % n;
        return r < n - 1 ? c + (n - 1 - r) : c + 1;
    }
    case 3: {
        if (n < 2)
            return NEVER;
        uint64_t r = (e + ch->phase) % n, h = sq_high((uint32_t)n);
        return r < h ? c + (h - r) : c + (n - r);
    }
    default:
        return e < n ? c + (n - e) : e == n ? c + 1 : NEVER;
    }
}

/* The edge after c where OUT changes; NEVER if none. */
static uint64_t pit_next_change(struct pit_channel *ch, uint64_t c)
{
    int out = pit_out_at(ch, c);
    uint64_t k = c;
    for (int i = 0; i < 4; i++) {
        uint64_t cand = pit_next_candidate(ch, k);
        if (ch->pending_clk != NEVER && ch->pending_clk > k && ch->pending_clk < cand)
            cand = ch->pending_clk;
        if (cand == NEVER)
            return NEVER;
        struct pit_channel tmp = *ch;
        pit_normalize(&tmp, cand);
        if (pit_out_at(&tmp, cand) != out)
            return cand;
        k = cand;
        if (ch->pending_clk != NEVER && cand >= ch->pending_clk)
            return cand; /* re-evaluated from there by the caller */
    }
    return NEVER;
}

/* ---- channel 0 -> IRQ0 -------------------------------------------------------- */

static void pit_irq_out(struct i8254 *p, int level)
{
    if (level != p->irq_level) {
        p->irq_level = level;
        irq_set(&p->irq, level);
    }
}

/* Send channel 0's OUT edges up to clock c, then arm the timer for the
 * next one. Called from the timer (at the edge's exact tick) and after every
 * guest write that changes channel 0. A late timer (armed inside a running
 * round for a time in that round) delivers the edges it missed at once, a
 * bounded number of them, so a short period never loses its last edge. */
static void pit_irq_sync(struct i8254 *p, uint64_t c)
{
    struct pit_channel *ch = &p->ch[0];
    for (int i = 0; i < 64; i++) {
        uint64_t k = pit_next_change(ch, p->irq_clk);
        if (k == NEVER || k > c)
            break;
        pit_normalize(ch, k);
        pit_irq_out(p, pit_out_at(ch, k));
        p->irq_clk = k;
    }
    pit_normalize(ch, c);
    if (c > p->irq_clk)
        p->irq_clk = c;
    pit_irq_out(p, pit_out_at(ch, c));
    machine_timer_arm(p->m, p->timer, pit_clk_to_ticks(p, pit_next_change(ch, c)));
}

static void pit_timer_fire(void *opaque, struct machine *m, uint64_t now)
{
    struct i8254 *p = opaque;
    pit_irq_sync(p, vtime_ticks_to_dev(now, m->cfg.cpu_hz, I8254_HZ));
}

/* ---- programming ---------------------------------------------------------------- */

static uint32_t bcd_decode(uint16_t v)
{
    return (v >> 12 & 15) * 1000u + (v >> 8 & 15) * 100u + (v >> 4 & 15) * 10u + (v & 15);
}

static uint16_t bcd_encode(uint32_t v)
{
    v %= 10000;
    return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static void pit_load_now(struct pit_channel *ch, uint32_t n, uint64_t c)
{
    ch->n = n;
    ch->load_clk = c + 1;
    ch->stopped = 0;
    ch->phase = 0;
    ch->pending_clk = NEVER;
    ch->stop_clk = (mode_gate_stops(ch->mode) && !ch->gate) ? c : NEVER;
    ch->null_until = c + 1;
}

static void pit_write_count(struct pit_channel *ch, uint16_t raw, uint64_t c)
{
    uint32_t n = ch->bcd ? bcd_decode(raw) : raw;
    if (n == 0)
        n = ch->bcd ? 10000 : 65536;
    ch->has_cr = true;
    ch->cr = n;
    switch (ch->mode) {
    case 0:
    case 4:
        pit_load_now(ch, n, c);
        break;
    case 2:
    case 3: {
        pit_normalize(ch, c);
        if (ch->load_clk == NEVER || c < ch->load_clk) {
            pit_load_now(ch, n, c);
            break;
        }
        /* Counting: the new count waits for the end of the period (mode 2)
         * or of the half-cycle (mode 3); with the gate low, for its rising
         * edge (DS modes 2 and 3). */
        ch->pending_n = n;
        ch->pending_clk = NEVER;
        ch->null_until = NEVER;
        if (ch->stop_clk != NEVER || !ch->gate)
            break;
        uint64_t e = (uint64_t)pit_elapsed(ch, c), old = ch->n;
        if (old < 2) {
            ch->pending_clk = c + 1;
            ch->pending_phase = 0;
        } else if (ch->mode == 2) {
            ch->pending_clk = c + (old - e % old);
            ch->pending_phase = 0;
        } else {
            uint64_t r = (e + ch->phase) % old, h = sq_high((uint32_t)old);
            ch->pending_clk = r < h ? c + (h - r) : c + (old - r);
            ch->pending_phase = r < h ? sq_high(n) : 0;
        }
        ch->null_until = ch->pending_clk;
        break;
    }
    default: /* 1, 5: used by the next trigger */
        ch->null_until = NEVER;
        break;
    }
}

static void pit_control(struct pit_channel *ch, uint8_t v, uint64_t c)
{
    unsigned mode = (v >> 1) & 7;
    ch->ctrl = v & 0x3f;
    ch->rw = (v >> 4) & 3;
    ch->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
    ch->bcd = v & 1;
    ch->write_msb = false;
    ch->read_msb = false;
    ch->latch_left = 0;
    ch->status_latched = false;
    /* DS: "When a Control Word is written to a Counter, all Control Logic is
     * immediately reset and OUT goes to a known initial state" (low in mode
     * 0, high otherwise); counting waits for a count. */
    ch->has_cr = false;
    ch->load_clk = NEVER;
    ch->stopped = 0;
    ch->phase = 0;
    ch->pending_clk = NEVER;
    ch->stop_clk = (mode_gate_stops(ch->mode) && !ch->gate) ? c : NEVER;
    ch->null_until = NEVER;
}

static void pit_latch_count(struct pit_channel *ch, uint64_t c)
{
    if (ch->latch_left)
        return; /* DS: a second latch before the first is read is ignored */
    pit_normalize(ch, c);
    uint32_t v = pit_ce_at(ch, c);
    ch->latch = ch->bcd ? bcd_encode(v) : (uint16_t)v;
    ch->latch_left = ch->rw == 3 ? 2 : 1;
}

static void pit_latch_status(struct pit_channel *ch, uint64_t c)
{
    if (ch->status_latched)
        return;
    pit_normalize(ch, c);
    ch->status = (uint8_t)(pit_out_at(ch, c) << 7 | (c < ch->null_until) << 6 | ch->ctrl);
    ch->status_latched = true;
}

static void pit_write_port(struct i8254 *p, unsigned port, uint8_t v)
{
    uint64_t c = pit_clk(p);
    int affected = -1;
    if (port == 3) {
        unsigned sc = v >> 6;
        if (sc == 3) { /* read-back: bit 5 = !COUNT, bit 4 = !STATUS, bits 3:1 = counters */
            for (int i = 0; i < 3; i++) {
                if (!(v & (2u << i)))
                    continue;
                if (!(v & 0x20))
                    pit_latch_count(&p->ch[i], c);
                if (!(v & 0x10))
                    pit_latch_status(&p->ch[i], c);
            }
            return;
        }
        if (((v >> 4) & 3) == 0) {
            pit_latch_count(&p->ch[sc], c);
            return;
        }
        pit_control(&p->ch[sc], v, c);
        affected = (int)sc;
    } else {
        struct pit_channel *ch = &p->ch[port];
        switch (ch->rw) {
        case 1:
            pit_write_count(ch, v, c);
            break;
        case 2:
            pit_write_count(ch, (uint16_t)(v << 8), c);
            break;
        default:
            if (!ch->write_msb) {
                ch->write_lsb = v;
                ch->write_msb = true;
                if (ch->mode == 0 && ch->load_clk != NEVER) {
                    ch->load_clk = NEVER; /* DS mode 0: first byte stops counting, OUT low */
                    ch->null_until = NEVER;
                }
            } else {
                ch->write_msb = false;
                pit_write_count(ch, (uint16_t)(ch->write_lsb | v << 8), c);
            }
            break;
        }
        affected = (int)port;
    }
    if (affected == 0)
        pit_irq_sync(p, c);
}

static uint8_t pit_read_port(struct i8254 *p, unsigned port)
{
    if (port == 3)
        return 0;
    struct pit_channel *ch = &p->ch[port];
    if (ch->status_latched) {
        ch->status_latched = false;
        return ch->status;
    }
    if (ch->latch_left) {
        bool msb = ch->rw == 2 || (ch->rw == 3 && ch->latch_left == 1);
        ch->latch_left--;
        return (uint8_t)(msb ? ch->latch >> 8 : ch->latch);
    }
    uint64_t c = pit_clk(p);
    pit_normalize(ch, c);
    uint32_t v = pit_ce_at(ch, c);
    uint16_t w = ch->bcd ? bcd_encode(v) : (uint16_t)v;
    bool msb = ch->rw == 2;
    if (ch->rw == 3) {
        msb = ch->read_msb;
        ch->read_msb = !ch->read_msb;
    }
    return (uint8_t)(msb ? w >> 8 : w);
}

static bool pit_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct i8254 *p = opaque;
    if (off >= I8254_PORTS || size == 0 || size > 4 || off + size > I8254_PORTS)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)pit_read_port(p, (unsigned)off + i) << (8 * i);
    *val = v;
    return true;
}

static bool pit_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct i8254 *p = opaque;
    if (off >= I8254_PORTS || size == 0 || size > 4 || off + size > I8254_PORTS)
        return false;
    for (unsigned i = 0; i < size; i++)
        pit_write_port(p, (unsigned)off + i, (uint8_t)(val >> (8 * i)));
    return true;
}

const struct mmio_ops i8254_ops = { .read = pit_read, .write = pit_write };

/* ---- gates and outputs -------------------------------------------------------------- */

void i8254_set_gate(struct i8254 *p, int chn, int level)
{
    if (chn < 0 || chn > 2)
        return;
    struct pit_channel *ch = &p->ch[chn];
    bool g = level != 0;
    if (g == ch->gate)
        return;
    uint64_t c = pit_clk(p);
    pit_normalize(ch, c);
    ch->gate = g;
    if (!g) {
        if (mode_gate_stops(ch->mode) && ch->stop_clk == NEVER) {
            ch->stop_clk = c;
            if (ch->pending_clk != NEVER) { /* waits for the gate's rising edge now */
                ch->pending_clk = NEVER;
                ch->null_until = NEVER;
            }
        }
    } else if (ch->mode == 0 || ch->mode == 4) {
        if (ch->stop_clk != NEVER) { /* resume counting */
            if (ch->load_clk != NEVER) {
                uint64_t from = ch->stop_clk > ch->load_clk ? ch->stop_clk : ch->load_clk;
                if (c > from)
                    ch->stopped += c - from;
            }
            ch->stop_clk = NEVER;
        }
    } else if (ch->has_cr) {
        /* Modes 1, 5: trigger; modes 2, 3: reload. Both with the count last
         * written, on the next clock (DS). */
        pit_load_now(ch, ch->cr, c);
    } else if (ch->mode == 2 || ch->mode == 3) {
        ch->stop_clk = NEVER;
    }
    if (chn == 0)
        pit_irq_sync(p, c);
}

int i8254_get_gate(const struct i8254 *p, int ch)
{
    return ch >= 0 && ch <= 2 && p->ch[ch].gate;
}

int i8254_get_out(struct i8254 *p, int chn)
{
    if (chn < 0 || chn > 2)
        return 0;
    uint64_t c = pit_clk(p);
    pit_normalize(&p->ch[chn], c);
    return pit_out_at(&p->ch[chn], c);
}

/* ---- lifetime -------------------------------------------------------------------------- */

struct i8254 *i8254_new(struct machine *m, struct irq_line irq0)
{
    struct i8254 *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->m = m;
    p->irq = irq0;
    p->timer = machine_timer_alloc(m, pit_timer_fire, p);
    for (int i = 0; i < 3; i++) {
        struct pit_channel *ch = &p->ch[i];
        ch->gate = i != 2;
        pit_control(ch, (uint8_t)(i << 6 | 0x36), 0); /* mode 3, LSB then MSB, binary */
        pit_write_count(ch, 0, 0);                   /* 65536 */
        ch->load_clk = 0;                            /* counting since time 0 */
        ch->null_until = 0;
    }
    p->irq_level = 0;
    p->irq_clk = 0;
    pit_irq_sync(p, pit_clk(p));
    return p;
}

void i8254_free(struct i8254 *p)
{
    free(p);
}

void i8254_reset(struct i8254 *p)
{
    uint64_t c = pit_clk(p);
    memset(p->ch, 0, sizeof p->ch);
    for (int i = 0; i < 3; i++) { /* as i8254_new, from clock c */
        struct pit_channel *ch = &p->ch[i];
        ch->gate = i != 2;
        pit_control(ch, (uint8_t)(i << 6 | 0x36), c);
        pit_write_count(ch, 0, c);
        ch->load_clk = c;
        ch->null_until = c;
    }
    p->irq_level = 0;
    p->irq_clk = c;
    pit_irq_sync(p, c);
}

void i8254_copy_state(struct i8254 *dst, const struct i8254 *src)
{
    memcpy(dst->ch, src->ch, sizeof dst->ch);
    dst->irq_level = src->irq_level;
    dst->irq_clk = src->irq_clk;
}
