/* The IMSICs' MMIO windows (see imsic.h). */
#include "imsic.h"

#include <stdlib.h>
#include "../sim/cpu.h"
#include "../sim/machine.h"
#include "../trace/emit.h"

struct imsic {
    struct machine *m;
    int nharts;
    unsigned geilen, guest_bits;
};

struct imsic *imsic_new(struct machine *m, int nharts, unsigned geilen)
{
    struct imsic *im = calloc(1, sizeof *im);
    if (!im)
        return NULL;
    im->m = m;
    im->nharts = nharts;
    im->geilen = geilen;
    while ((1u << im->guest_bits) < 1 + geilen)
        im->guest_bits++;
    return im;
}

void imsic_free(struct imsic *im)
{
    free(im);
}

uint64_t imsic_m_size(const struct imsic *im) { return (uint64_t)im->nharts * IMSIC_PAGE; }
uint64_t imsic_s_size(const struct imsic *im)
{
    return (uint64_t)im->nharts * (IMSIC_PAGE << im->guest_bits);
}
unsigned imsic_guest_bits(const struct imsic *im) { return im->guest_bits; }

static bool imsic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    (void)opaque, (void)off, (void)size;
    *val = 0; /* seteipnum_le/_be read zero; the rest is read-only zero */
    return true;
}

/* An MSI of identity `id` to interrupt file `file` of hart `h`. */
static void msi(struct imsic *im, int h, unsigned file, uint64_t off, unsigned size, uint64_t id)
{
    /* §3.3: only naturally aligned 32-bit writes to seteipnum_le count */
    if (size != 4 || (off & (IMSIC_PAGE - 1)) != 0 || h >= im->nharts)
        return;
    struct machine *m = im->m;
    struct cpu *target = m->cpus[h];
    uint64_t now = machine_now(m);
    const struct cpu *cur = m->sched.current;
    TRACE(m, TK_IPI_SEND, trace_cpu_id(m), now, IPI_MECH_IMSIC, 1ull << h, trace_cur_pc(m),
          trace_cur_insn(m));
    struct cpu_msg msg = { .mode = CPU_MSG_IMSIC, .vector = (uint8_t)file,
                           .source_kind = cur ? 0 : 1, .source = cur ? (uint32_t)cur->id : 0,
                           .eiid = (uint16_t)(id > 0xffff ? 0 : id) };
    cpu_deliver_msg(target, cur, now, &msg);
}

static bool imsic_m_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    msi(opaque, (int)(off / IMSIC_PAGE), 0, off, size, val & 0xffffffffu);
    return true;
}

static bool imsic_s_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct imsic *im = opaque;
    uint64_t group = IMSIC_PAGE << im->guest_bits;
    unsigned page = (unsigned)((off % group) / IMSIC_PAGE); /* 0 S, g guest g */
    if (page > im->geilen)
        return true; /* a page without a file: read-only zero */
    msi(im, (int)(off / group), 1 + page, off, size, val & 0xffffffffu);
    return true;
}

const struct mmio_ops imsic_m_ops = { .read = imsic_read, .write = imsic_m_write };
const struct mmio_ops imsic_s_ops = { .read = imsic_read, .write = imsic_s_write };
