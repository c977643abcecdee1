/* isa-debug-exit (see isa_debug_exit.h). */
#include "isa_debug_exit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "../sim/machine.h"

struct isa_debug_exit {
    struct machine *m;
    unsigned size;
};

struct isa_debug_exit *isa_debug_exit_new(struct machine *m, unsigned size)
{
    struct isa_debug_exit *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->size = size < 1 ? 1 : size > 4 ? 4 : size;
    return d;
}

void isa_debug_exit_free(struct isa_debug_exit *d)
{
    free(d);
}

void isa_debug_exit_copy_state(struct isa_debug_exit *dst, const struct isa_debug_exit *src)
{
    (void)dst;
    (void)src;
}

static bool ide_ok(const struct isa_debug_exit *d, uint64_t off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && off < d->size && off + size <= d->size;
}

static bool ide_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    if (!ide_ok(opaque, off, size))
        return false;
    *val = ~0ull;
    return true;
}

static bool ide_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct isa_debug_exit *d = opaque;
    if (!ide_ok(d, off, size))
        return false;
    val &= size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
    char reason[128];
    snprintf(reason, sizeof reason, "isa-debug-exit: guest wrote 0x%" PRIx64 " (QEMU exit status %" PRIu64 ")",
             val, (val << 1) | 1);
    machine_request_exit(d->m, val == 0 ? EXIT_PASS : EXIT_GUEST_FAIL, reason);
    return true;
}

const struct mmio_ops isa_debug_exit_ops = { .read = ide_read, .write = ide_write };
