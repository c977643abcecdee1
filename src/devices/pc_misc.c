/* Port 0x61, 0x80 and 0x92 (see pc_misc.h). */
#include "pc_misc.h"

#include <stdlib.h>
#include "i8254.h"
#include "../sim/machine.h"

struct pc_misc {
    struct machine *m;
    struct i8254 *pit;
    bool *a20;
    uint8_t port61;     /* bits 3:0 as written */
    uint8_t refresh;    /* bit 4 of the next read */
    uint8_t port92;     /* as written (bits 1 and 0 act) */
    uint8_t post;
};

struct pc_misc *pc_misc_new(struct machine *m, struct i8254 *pit, bool *a20)
{
    struct pc_misc *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->m = m;
    p->pit = pit;
    p->a20 = a20;
    return p;
}

void pc_misc_free(struct pc_misc *p)
{
    free(p);
}

void pc_misc_copy_state(struct pc_misc *dst, const struct pc_misc *src)
{
    dst->port61 = src->port61;
    dst->refresh = src->refresh;
    dst->port92 = src->port92;
    dst->post = src->post;
}

uint8_t pc_misc_post_code(const struct pc_misc *p)
{
    return p->post;
}

static bool byte_ok(uint64_t off, unsigned size)
{
    return off == 0 && size == 1;
}

static bool p61_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct pc_misc *p = opaque;
    if (!byte_ok(off, size))
        return false;
    p->refresh ^= 0x10;
    int out = p->pit ? i8254_get_out(p->pit, 2) : 0;
    *val = (p->port61 & 0x0f) | p->refresh | (out ? 0x20 : 0);
    return true;
}

static bool p61_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct pc_misc *p = opaque;
    if (!byte_ok(off, size))
        return false;
    p->port61 = (uint8_t)(val & 0x0f);
    if (p->pit)
        i8254_set_gate(p->pit, 2, (int)(val & 1));
    return true;
}

static bool p80_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    (void)opaque;
    if (!byte_ok(off, size))
        return false;
    *val = 0xff;
    return true;
}

static bool p80_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct pc_misc *p = opaque;
    if (!byte_ok(off, size))
        return false;
    p->post = (uint8_t)val;
    return true;
}

static bool p92_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct pc_misc *p = opaque;
    if (!byte_ok(off, size))
        return false;
    *val = (p->port92 & ~0x02u) | (p->a20 && *p->a20 ? 0x02 : 0);
    return true;
}

static bool p92_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct pc_misc *p = opaque;
    if (!byte_ok(off, size))
        return false;
    uint8_t old = p->port92, v = (uint8_t)val;
    p->port92 = v;
    if (p->a20)
        *p->a20 = (v & 0x02) != 0;
    if ((v & 0x01) && !(old & 0x01))
        machine_request_exit(p->m, EXIT_PASS, "reset requested via port 0x92 (hvsim does not reboot)");
    return true;
}

const struct mmio_ops pc_misc_port61_ops = { .read = p61_read, .write = p61_write };
const struct mmio_ops pc_misc_port80_ops = { .read = p80_read, .write = p80_write };
const struct mmio_ops pc_misc_port92_ops = { .read = p92_read, .write = p92_write };
