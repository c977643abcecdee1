/* Intel 8259A pair (see i8259.h). "DS" cites the 8259A data sheet.
 *
 * Guest-visible rules (never a crash): ports are bytes; 2- and 4-byte
 * accesses are split into byte accesses of consecutive ports; every value
 * is accepted (ICW/OCW decoding follows DS "Programming the 8259A"). */
#include "i8259.h"

#include <stdlib.h>
#include <string.h>

struct pic_chip {
    uint8_t irr, isr, imr;
    uint8_t last_level;     /* input levels (edge detection) */
    uint8_t elcr, elcr_mask;
    uint8_t base;           /* ICW2 vector base (bits 7:3) */
    uint8_t icw3;
    uint8_t init_state;     /* 0 ready, 1 want ICW2, 2 want ICW3, 3 want ICW4 */
    bool icw4_wanted, single, ltim;
    bool auto_eoi, rotate_aeoi, sfnm, upm;
    bool read_isr, poll, special_mask;
    uint8_t lowest;         /* priority: IR `lowest+1` is highest (rotation) */
};

struct i8259 {
    struct irq_line intr;
    int intr_level;
    struct pic_chip c[2];   /* 0 master, 1 slave */
};

static uint8_t level_mask(const struct pic_chip *c)
{
    return c->ltim ? 0xff : c->elcr;
}

/* Priority rank of the highest-priority bit in mask (0 = highest), 8 if
 * none. DS "Interrupt Sequence": IR(lowest+1) has priority 0. */
static int prio_rank(const struct pic_chip *c, uint8_t mask)
{
    for (int r = 0; r < 8; r++)
        if (mask & (1u << ((c->lowest + 1 + r) & 7)))
            return r;
    return 8;
}

/* IR number the chip would present at INTA, or -1. */
static int chip_pending(const struct pic_chip *c, bool master)
{
    uint8_t req = c->irr & ~c->imr;
    int r = prio_rank(c, req);
    if (r == 8)
        return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask)
        in_service &= ~c->imr; /* DS OCW3 special mask mode */
    if (master && c->sfnm && !c->single)
        in_service &= ~c->icw3; /* DS special fully nested: slaves may nest */
    if (r >= prio_rank(c, in_service))
        return -1;
    return (c->lowest + 1 + r) & 7;
}

static void chip_input(struct pic_chip *c, int irq, int level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (level_mask(c) & bit) {
        if (level)
            c->irr |= bit;
        else
            c->irr &= ~bit;
    } else if (level && !(c->last_level & bit)) {
        c->irr |= bit; /* rising edge latched until INTA */
    }
    if (level)
        c->last_level |= bit;
    else
        c->last_level &= ~bit;
}

/* Recompute the slave's INT (the master's IR2 input) and INTR. */
static void pic_update(struct i8259 *p)
{
    struct pic_chip *m = &p->c[0];
    if (!m->single)
        chip_input(m, 2, chip_pending(&p->c[1], false) >= 0);
    int lvl = chip_pending(m, true) >= 0;
    if (lvl != p->intr_level) {
        p->intr_level = lvl;
        irq_set(&p->intr, lvl);
    }
}

void i8259_set_irq(void *opaque, int n, int level)
{
    struct i8259 *p = opaque;
    if (n == 2)
        n = 9; /* AT bus: IRQ 2 is IRQ 9 */
    if (n < 0 || n > 15)
        return;
    chip_input(&p->c[n >> 3], n & 7, level != 0);
    pic_update(p);
}

/* DS "Interrupt Sequence": INTA sets the ISR bit and resets the IRR bit
 * (auto-EOI: no ISR bit, rotation if asked). */
static void chip_ack(struct pic_chip *c, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (!(level_mask(c) & bit))
        c->irr &= ~bit; /* a level input's IRR follows its pin */
    if (c->auto_eoi) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= bit;
    }
}

int i8259_ack(struct i8259 *p)
{
    struct pic_chip *m = &p->c[0], *s = &p->c[1];
    int irq = chip_pending(m, true), vec;
    if (irq < 0) {
        vec = m->base + 7; /* spurious IRQ 7: no ISR bit (DS) */
    } else {
        chip_ack(m, irq);
        if (irq == 2 && !m->single) {
            int sirq = chip_pending(s, false);
            if (sirq < 0) {
                vec = s->base + 7; /* spurious IRQ 15 */
            } else {
                chip_ack(s, sirq);
                vec = s->base + sirq;
            }
        } else {
            vec = m->base + irq;
        }
    }
    pic_update(p);
    return vec & 0xff;
}

int i8259_intr(const struct i8259 *p)
{
    return p->intr_level;
}

static void chip_eoi_bit(struct pic_chip *c, int irq, bool rotate)
{
    c->isr &= (uint8_t)~(1u << irq);
    if (rotate)
        c->lowest = (uint8_t)irq;
}

static void chip_write(struct i8259 *p, struct pic_chip *c, unsigned port, uint8_t v)
{
    if (port == 0) {
        if (v & 0x10) { /* ICW1 */
            uint8_t lvl = level_mask(c);
            c->irr &= lvl & c->last_level; /* edge sense reset (DS ICW1) */
            c->isr = 0;
            c->imr = 0;
            c->lowest = 7;
            c->special_mask = false;
            c->read_isr = false;
            c->poll = false;
            c->auto_eoi = false;
            c->rotate_aeoi = false;
            c->sfnm = false;
            c->upm = false;
            c->icw4_wanted = v & 0x01;
            c->single = v & 0x02;
            c->ltim = v & 0x08;
            c->init_state = 1;
        } else if (v & 0x08) { /* OCW3 */
            if (v & 0x04)
                c->poll = true;
            if (v & 0x02)
                c->read_isr = v & 0x01;
            if (v & 0x40)
                c->special_mask = (v & 0x20) != 0;
        } else { /* OCW2: R SL EOI in bits 7:5, level in 2:0 */
            int irq = v & 7;
            switch (v >> 5) {
            case 0: /* rotate in auto-EOI mode: clear */
                c->rotate_aeoi = false;
                break;
            case 4: /* set */
                c->rotate_aeoi = true;
                break;
            case 1: /* non-specific EOI */
            case 5: { /* rotate on non-specific EOI */
                int r = prio_rank(c, c->isr);
                if (r < 8)
                    chip_eoi_bit(c, (c->lowest + 1 + r) & 7, (v >> 5) == 5);
                break;
            }
            case 3: /* specific EOI */
                chip_eoi_bit(c, irq, false);
                break;
            case 7: /* rotate on specific EOI */
                chip_eoi_bit(c, irq, true);
                break;
            case 6: /* set priority: irq becomes the lowest */
                c->lowest = (uint8_t)irq;
                break;
            default: /* 2: no operation */
                break;
            }
        }
    } else {
        switch (c->init_state) {
        case 1: /* ICW2 */
            c->base = v & 0xf8;
            c->init_state = c->single ? (c->icw4_wanted ? 3 : 0) : 2;
            break;
        case 2: /* ICW3 */
            c->icw3 = v;
            c->init_state = c->icw4_wanted ? 3 : 0;
            break;
        case 3: /* ICW4 */
            c->upm = v & 0x01;
            c->auto_eoi = v & 0x02;
            c->sfnm = v & 0x10;
            c->init_state = 0;
            break;
        default: /* OCW1 */
            c->imr = v;
            break;
        }
    }
    pic_update(p);
}

static uint8_t chip_read(struct i8259 *p, struct pic_chip *c, unsigned port)
{
    if (port == 1)
        return c->imr;
    if (c->poll) {
        /* DS "The Poll Command": the read acts as INTA; bit 7 = request,
         * bits 2:0 = its level. */
        c->poll = false;
        bool master = c == &p->c[0];
        int irq = chip_pending(c, master);
        if (irq < 0)
            return 0;
        chip_ack(c, irq);
        pic_update(p);
        return (uint8_t)(0x80 | irq);
    }
    return c->read_isr ? c->isr : c->irr;
}

static bool pic_access_ok(uint64_t off, unsigned size, unsigned nports)
{
    return off < nports && size >= 1 && size <= 4 && off + size <= nports;
}

static bool pic_read_chip(struct i8259 *p, int chip, uint64_t off, unsigned size, uint64_t *val)
{
    if (!pic_access_ok(off, size, 2))
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)chip_read(p, &p->c[chip], (unsigned)off + i) << (8 * i);
    *val = v;
    return true;
}

static bool pic_write_chip(struct i8259 *p, int chip, uint64_t off, unsigned size, uint64_t val)
{
    if (!pic_access_ok(off, size, 2))
        return false;
    for (unsigned i = 0; i < size; i++)
        chip_write(p, &p->c[chip], (unsigned)off + i, (uint8_t)(val >> (8 * i)));
    return true;
}

static bool master_read(void *o, uint64_t off, unsigned size, uint64_t *val) { return pic_read_chip(o, 0, off, size, val); }
static bool master_write(void *o, uint64_t off, unsigned size, uint64_t val) { return pic_write_chip(o, 0, off, size, val); }
static bool slave_read(void *o, uint64_t off, unsigned size, uint64_t *val) { return pic_read_chip(o, 1, off, size, val); }
static bool slave_write(void *o, uint64_t off, unsigned size, uint64_t val) { return pic_write_chip(o, 1, off, size, val); }

static bool elcr_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct i8259 *p = opaque;
    if (!pic_access_ok(off, size, 2))
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p->c[off + i].elcr << (8 * i);
    *val = v;
    return true;
}

static bool elcr_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct i8259 *p = opaque;
    if (!pic_access_ok(off, size, 2))
        return false;
    for (unsigned i = 0; i < size; i++) {
        struct pic_chip *c = &p->c[off + i];
        c->elcr = (uint8_t)(val >> (8 * i)) & c->elcr_mask;
        /* A level input's request is its pin; an edge input keeps what it
         * latched. */
        c->irr = (uint8_t)((c->irr & ~level_mask(c)) | (c->last_level & level_mask(c)));
    }
    pic_update(p);
    return true;
}

const struct mmio_ops i8259_master_ops = { .read = master_read, .write = master_write };
const struct mmio_ops i8259_slave_ops = { .read = slave_read, .write = slave_write };
const struct mmio_ops i8259_elcr_ops = { .read = elcr_read, .write = elcr_write };

struct i8259 *i8259_new(struct irq_line intr)
{
    struct i8259 *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->intr = intr;
    for (int i = 0; i < 2; i++)
        p->c[i].lowest = 7;
    p->c[0].icw3 = 0x04; /* the slave is on IR2 until ICW3 says otherwise */
    p->c[1].icw3 = 0x02;
    /* PIIX ELCR: IRQ 0, 1, 2, 8 and 13 are always edge triggered. */
    p->c[0].elcr_mask = 0xf8;
    p->c[1].elcr_mask = 0xde;
    return p;
}

void i8259_free(struct i8259 *p)
{
    free(p);
}

uint8_t i8259_irr(const struct i8259 *p, int chip) { return p->c[chip & 1].irr; }
uint8_t i8259_isr(const struct i8259 *p, int chip) { return p->c[chip & 1].isr; }
uint8_t i8259_imr(const struct i8259 *p, int chip) { return p->c[chip & 1].imr; }

void i8259_copy_state(struct i8259 *dst, const struct i8259 *src)
{
    memcpy(dst->c, src->c, sizeof dst->c);
    dst->intr_level = src->intr_level;
}
