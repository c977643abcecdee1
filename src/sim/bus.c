/* Physical bus: memory regions with host backing, MMIO windows of devices. */
#include "bus.h"
#include "machine.h"
#include "../trace/emit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 12

void bus_init(struct bus *b)
{
    memset(b, 0, sizeof(*b));
}

void bus_free(struct bus *b)
{
    for (int i = 0; i < b->nmem; i++) {
        free(b->mem[i].host);
        free(b->mem[i].page_flags);
        free(b->mem[i].dcache);
        free(b->mem[i].dirty);
    }
    b->nmem = 0;
    b->nmmio = 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Checks [base, base+size) against every region; fills err on a clash. */
static bool range_free(struct bus *b, const char *name, uint64_t base, uint64_t size,
                       char *err, size_t errlen)
{
    if (size == 0 || base + size < base) {
        if (err)
            snprintf(err, errlen, "%s: empty or wrapping range at 0x%llx", name,
                     (unsigned long long)base);
        return false;
    }
    /* every memory region, then every MMIO window */
    for (int i = 0; i < b->nmem + b->nmmio; i++) {
        const char *rname = i < b->nmem ? b->mem[i].name : b->mmio[i - b->nmem].name;
        uint64_t rbase = i < b->nmem ? b->mem[i].base : b->mmio[i - b->nmem].base;
        uint64_t rsize = i < b->nmem ? b->mem[i].size : b->mmio[i - b->nmem].size;
        if (overlaps(base, size, rbase, rsize)) {
            if (err)
                snprintf(err, errlen, "%s [0x%llx-0x%llx) overlaps %s [0x%llx-0x%llx)", name,
                         (unsigned long long)base, (unsigned long long)(base + size), rname,
                         (unsigned long long)rbase, (unsigned long long)(rbase + rsize));
            return false;
        }
    }
    return true;
}

struct mem_region *bus_add_mem(struct bus *b, const char *name, uint64_t base, uint64_t size,
                               bool readonly, char *err, size_t errlen)
{
    if (b->nmem == BUS_MAX_MEM) {
        if (err)
            snprintf(err, errlen, "%s: too many memory regions", name);
        return NULL;
    }
    if ((base | size) & ((1u << PAGE_SHIFT) - 1)) {
        if (err)
            snprintf(err, errlen, "%s: base and size must be multiples of 4 KiB", name);
        return NULL;
    }
    if (!range_free(b, name, base, size, err, errlen))
        return NULL;
    uint64_t pages = size >> PAGE_SHIFT;
    uint8_t *host = calloc(1, size);
    uint8_t *flags = calloc(pages, 1);
    void **dc = calloc(pages, sizeof(void *));
    uint8_t *dirty = calloc(pages, 1);
    if (!host || !flags || !dc || !dirty) {
        free(host);
        free(flags);
        free(dc);
        free(dirty);
        if (err)
            snprintf(err, errlen, "%s: cannot allocate %llu bytes", name, (unsigned long long)size);
        return NULL;
    }
    struct mem_region *r = &b->mem[b->nmem++];
    *r = (struct mem_region){ .name = name, .base = base, .size = size, .host = host,
                              .readonly = readonly, .page_flags = flags, .dcache = dc,
                              .dirty = dirty };
    return r;
}

struct mmio_region *bus_add_mmio(struct bus *b, const char *name, uint64_t base, uint64_t size,
                                 const struct mmio_ops *ops, void *opaque, char *err, size_t errlen)
{
    if (b->nmmio == BUS_MAX_MMIO) {
        if (err)
            snprintf(err, errlen, "%s: too many MMIO regions", name);
        return NULL;
    }
    if (!range_free(b, name, base, size, err, errlen))
        return NULL;
    struct mmio_region *r = &b->mmio[b->nmmio++];
    *r = (struct mmio_region){ .name = name, .base = base, .size = size, .ops = ops, .opaque = opaque };
    return r;
}

struct mem_region *bus_find_mem(struct bus *b, uint64_t pa)
{
    for (int i = 0; i < b->nmem; i++)
        if (pa - b->mem[i].base < b->mem[i].size)
            return &b->mem[i];
    return NULL;
}

struct mmio_region *bus_find_mmio(struct bus *b, uint64_t pa)
{
    for (int i = 0; i < b->nmmio; i++)
        if (pa - b->mmio[i].base < b->mmio[i].size)
            return &b->mmio[i];
    return NULL;
}

uint8_t *bus_host_ptr(struct bus *b, uint64_t pa, uint64_t len)
{
    struct mem_region *r = bus_find_mem(b, pa);
    if (!r || len > r->size - (pa - r->base))
        return NULL;
    return r->host + (pa - r->base);
}

void bus_mem_store_notify(struct bus *b, struct mem_region *r, uint64_t pa, unsigned size)
{
    uint64_t first = (pa - r->base) >> PAGE_SHIFT;
    uint64_t last = (pa + size - 1 - r->base) >> PAGE_SHIFT;
    for (uint64_t p = first; p <= last && p < (r->size >> PAGE_SHIFT); p++) {
        uint8_t f = r->page_flags[p];
        if ((f & PAGE_CODE) && b->code_invalidate)
            b->code_invalidate(b->code_opaque, r, p);
        if ((f & PAGE_WATCH) && b->watch_fn)
            b->watch_fn(b->watch_opaque, pa, size);
        if ((f & PAGE_MONITOR) && b->monitor_store)
            b->monitor_store(b->monitor_opaque, pa, size);
    }
}

/* Little-endian helpers for accesses that the host cannot do in one go. */
static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

bool bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val)
{
    struct mem_region *r = bus_find_mem(b, pa);
    if (r) {
        if (size > r->size - (pa - r->base))
            return false;
        *val = load_le(r->host + (pa - r->base), size);
        return true;
    }
    struct mmio_region *d = bus_find_mmio(b, pa);
    if (d && size <= d->size - (pa - d->base)) {
        uint64_t v = 0;
        if (!d->ops->read || !d->ops->read(d->opaque, pa - d->base, size, &v))
            return false;
        if (size < 8)
            v &= (1ull << (8 * size)) - 1;
        *val = v;
        if (b->m)
            TRACE(b->m, TK_MMIO, trace_cpu_id(b->m), machine_now(b->m), pa, size, v, 0);
        return true;
    }
    return false;
}

bool bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val)
{
    struct mem_region *r = bus_find_mem(b, pa);
    if (r) {
        if (r->readonly || size > r->size - (pa - r->base))
            return false;
        store_le(r->host + (pa - r->base), size, val);
        bus_mark_dirty(r, pa, size);
        uint64_t first = (pa - r->base) >> PAGE_SHIFT;
        uint64_t last = (pa + size - 1 - r->base) >> PAGE_SHIFT;
        if (r->page_flags[first] | r->page_flags[last])
            bus_mem_store_notify(b, r, pa, size);
        return true;
    }
    struct mmio_region *d = bus_find_mmio(b, pa);
    if (d && size <= d->size - (pa - d->base)) {
        if (size < 8)
            val &= (1ull << (8 * size)) - 1;
        if (b->m)
            TRACE(b->m, TK_MMIO, trace_cpu_id(b->m), machine_now(b->m), pa, size, val, 1);
        return d->ops->write && d->ops->write(d->opaque, pa - d->base, size, val);
    }
    return false;
}

bool bus_load(struct bus *b, uint64_t pa, const void *data, uint64_t len)
{
    const uint8_t *src = data;
    while (len) {
        struct mem_region *r = bus_find_mem(b, pa);
        if (!r)
            return false;
        uint64_t off = pa - r->base;
        uint64_t n = r->size - off < len ? r->size - off : len;
        if (src)
            memcpy(r->host + off, src, n);
        else
            memset(r->host + off, 0, n);
        /* predecoded instructions of the pages written are stale */
        for (uint64_t p = off >> PAGE_SHIFT; p <= (off + n - 1) >> PAGE_SHIFT; p++)
            if ((r->page_flags[p] & PAGE_CODE) && b->code_invalidate)
                b->code_invalidate(b->code_opaque, r, p);
        if (src)
            src += n;
        pa += n;
        len -= n;
    }
    return true;
}

/* ---- the I/O port space ------------------------------------------------ */

struct pio_region *bus_add_pio(struct bus *b, const char *name, uint32_t base, uint32_t size,
                               const struct mmio_ops *ops, void *opaque, char *err,
                               size_t errlen)
{
    if (size == 0 || base >= BUS_PIO_SPACE || size > BUS_PIO_SPACE - base) {
        if (err)
            snprintf(err, errlen, "%s: ports [0x%x, 0x%x) are outside the I/O space (0..0xffff)",
                     name, base, base + size);
        return NULL;
    }
    for (int i = 0; i < b->npio; i++) {
        const struct pio_region *o = &b->pio[i];
        if (base < o->base + o->size && o->base < base + size) {
            if (err)
                snprintf(err, errlen, "%s: ports [0x%x, 0x%x) overlap %s [0x%x, 0x%x)", name,
                         base, base + size, o->name, o->base, o->base + o->size);
            return NULL;
        }
    }
    if (b->npio == BUS_MAX_PIO) {
        if (err)
            snprintf(err, errlen, "%s: too many I/O port devices (max %d)", name, BUS_MAX_PIO);
        return NULL;
    }
    struct pio_region *r = &b->pio[b->npio++];
    *r = (struct pio_region){ .name = name, .base = base, .size = size, .ops = ops, .opaque = opaque };
    return r;
}

struct pio_region *bus_find_pio(struct bus *b, uint32_t port)
{
    for (int i = 0; i < b->npio; i++)
        if (port - b->pio[i].base < b->pio[i].size)
            return &b->pio[i];
    return NULL;
}

/* mmio event flags: bit 0 write, bit 1 I/O port space. */
#define PIO_FLAG 2u

bool bus_pio_read(struct bus *b, uint32_t port, unsigned size, uint64_t *val)
{
    struct pio_region *d = bus_find_pio(b, port);
    if (!d || size > d->size - (port - d->base) || !d->ops->read)
        return false;
    uint64_t v = 0;
    if (!d->ops->read(d->opaque, port - d->base, size, &v))
        return false;
    v &= size < 8 ? (1ull << (8 * size)) - 1 : ~0ull;
    *val = v;
    if (b->m)
        TRACE(b->m, TK_MMIO, trace_cpu_id(b->m), machine_now(b->m), port, size, v, PIO_FLAG);
    return true;
}

bool bus_pio_write(struct bus *b, uint32_t port, unsigned size, uint64_t val)
{
    struct pio_region *d = bus_find_pio(b, port);
    if (!d || size > d->size - (port - d->base))
        return false;
    val &= size < 8 ? (1ull << (8 * size)) - 1 : ~0ull;
    if (b->m)
        TRACE(b->m, TK_MMIO, trace_cpu_id(b->m), machine_now(b->m), port, size, val, PIO_FLAG | 1);
    return d->ops->write && d->ops->write(d->opaque, port - d->base, size, val);
}
