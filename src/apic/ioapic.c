/* The I/O APIC (ioapic.h; 82093AA data sheet §3.2 "Register
 * Description"). A redirection entry's delivery:
 *  - edge (trigger bit 15 = 0): a message on each rising edge of the
 *    asserted input (polarity bit 13: 1 = active low) while unmasked;
 *  - level: a message while the input is asserted, unmasked and the
 *    remote IRR (bit 14) is clear; sending sets the remote IRR; an EOI for
 *    the entry's vector (a local APIC's broadcast, or the EOI register)
 *    clears it, and a still-asserted input sends again.
 * Unmasking an entry whose level input is asserted sends it. Delivery
 * status (bit 12) reads 0: a message leaves at once. */
#include "ioapic.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lapic.h"
#include "../sim/cpu.h"

#define RTE_MASK (1ull << 16)
#define RTE_LEVEL (1ull << 15)
#define RTE_RIRR (1ull << 14)
#define RTE_LOW (1ull << 13)
/* writable: vector, delivery mode, dest mode, polarity, trigger, mask, dest */
#define RTE_RW (0xff000000000000ffull | 0x700 | 1ull << 11 | RTE_LOW | RTE_LEVEL | RTE_MASK)

struct ioapic_regs {
    uint32_t sel;
    uint32_t id;                  /* bits 27:24 */
    uint64_t rte[IOAPIC_PINS];
    bool in[IOAPIC_PINS];         /* input pin levels */
};

struct ioapic {
    struct lapic_sys *apics;
    struct ioapic_regs r;
};

struct ioapic *ioapic_new(struct lapic_sys *apics, uint8_t id)
{
    struct ioapic *io = calloc(1, sizeof *io);
    if (!io)
        return NULL;
    io->apics = apics;
    io->r.id = (uint32_t)(id & 0xf) << 24;
    ioapic_reset(io);
    return io;
}

void ioapic_reset(struct ioapic *io)
{
    io->r.sel = 0;
    for (int i = 0; i < IOAPIC_PINS; i++)
        io->r.rte[i] = RTE_MASK; /* reset: masked (data sheet §3.2.4) */
}

void ioapic_free(struct ioapic *io) { free(io); }

static bool asserted(const struct ioapic *io, int n)
{
    return io->r.in[n] != ((io->r.rte[n] & RTE_LOW) != 0);
}

static void send(struct ioapic *io, int n)
{
    uint64_t e = io->r.rte[n];
    unsigned mode = (unsigned)(e >> 8) & 7;
    bool level = (e & RTE_LEVEL) != 0;
    if (level && (mode == CPU_MSG_FIXED || mode == CPU_MSG_LOWEST))
        io->r.rte[n] |= RTE_RIRR;
    lapic_sys_device_msg(io->apics, mode, (uint8_t)e, level, (e >> 11) & 1,
                         (uint32_t)(e >> 56), (uint32_t)n);
}

/* Level entries: send when asserted, unmasked and not waiting for an EOI. */
static void poll_level(struct ioapic *io, int n)
{
    uint64_t e = io->r.rte[n];
    if ((e & RTE_LEVEL) && !(e & RTE_MASK) && !(e & RTE_RIRR) && asserted(io, n))
        send(io, n);
}

void ioapic_set_irq(void *opaque, int n, int level)
{
    struct ioapic *io = opaque;
    if (n < 0 || n >= IOAPIC_PINS)
        return;
    bool was = asserted(io, n);
    io->r.in[n] = level != 0;
    uint64_t e = io->r.rte[n];
    if (e & RTE_LEVEL)
        poll_level(io, n);
    else if (!was && asserted(io, n) && !(e & RTE_MASK))
        send(io, n);
}

void ioapic_eoi(void *opaque, uint8_t vector)
{
    struct ioapic *io = opaque;
    for (int n = 0; n < IOAPIC_PINS; n++)
        if ((io->r.rte[n] & RTE_RIRR) && (uint8_t)io->r.rte[n] == vector) {
            io->r.rte[n] &= ~RTE_RIRR;
            poll_level(io, n);
        }
}

static uint32_t reg_read(const struct ioapic *io, uint32_t idx)
{
    switch (idx) {
    case 0: return io->r.id;
    case 1: return IOAPIC_VERSION | (IOAPIC_PINS - 1) << 16;
    case 2: return io->r.id; /* arbitration ID = ID */
    default:
        if (idx >= 0x10 && idx < 0x10 + 2 * IOAPIC_PINS) {
            uint64_t e = io->r.rte[(idx - 0x10) / 2];
            return idx & 1 ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0;
    }
}

static void reg_write(struct ioapic *io, uint32_t idx, uint32_t v)
{
    if (idx == 0) {
        io->r.id = v & 0x0f000000u;
        return;
    }
    if (idx < 0x10 || idx >= 0x10 + 2 * IOAPIC_PINS)
        return; /* version, arbitration ID: read-only; others: nothing */
    int n = (int)(idx - 0x10) / 2;
    uint64_t e = io->r.rte[n];
    uint64_t nv = idx & 1 ? (e & 0xffffffffull) | (uint64_t)v << 32 : (e & ~0xffffffffull) | v;
    io->r.rte[n] = (nv & RTE_RW) | (e & RTE_RIRR);
    if (!(io->r.rte[n] & RTE_LEVEL))
        io->r.rte[n] &= ~RTE_RIRR; /* remote IRR is undefined for edge entries: 0 */
    poll_level(io, n);
}

static bool io_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct ioapic *io = opaque;
    *val = 0;
    if (off == 0 && (size == 4 || size == 1))
        *val = io->r.sel;
    else if (off == 0x10 && size == 4)
        *val = reg_read(io, io->r.sel);
    return true;
}

static bool io_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct ioapic *io = opaque;
    if (off == 0 && (size == 4 || size == 1))
        io->r.sel = (uint32_t)val & 0xff;
    else if (off == 0x10 && size == 4)
        reg_write(io, io->r.sel, (uint32_t)val);
    else if (off == 0x40 && size == 4)
        ioapic_eoi(io, (uint8_t)val); /* EOI register (version 0x20) */
    return true;
}

const struct mmio_ops ioapic_ops = { .read = io_read, .write = io_write };

uint64_t ioapic_redir(const struct ioapic *io, int n)
{
    return n >= 0 && n < IOAPIC_PINS ? io->r.rte[n] : 0;
}

void ioapic_check_state(const struct ioapic *io, uint64_t v[IOAPIC_CHECK_N])
{
    uint64_t pins = 0;
    for (int i = 0; i < IOAPIC_PINS; i++)
        pins |= (uint64_t)io->r.in[i] << i;
    v[0] = io->r.sel;
    v[1] = io->r.id;
    v[2] = pins;
    for (int i = 0; i < IOAPIC_PINS; i++)
        v[3 + i] = io->r.rte[i];
}

const char *ioapic_check_name(unsigned i, char *buf, size_t len)
{
    static const char *const first[3] = { "sel", "id", "pins" };
    if (i < 3)
        return first[i];
    if (i >= IOAPIC_CHECK_N)
        return NULL;
    snprintf(buf, len, "redir%u", i - 3);
    return buf;
}

void ioapic_copy_state(struct ioapic *dst, const struct ioapic *src)
{
    dst->r = src->r;
}
