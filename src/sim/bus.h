/* Physical address space: memory regions (RAM, ROM) with host backing and
 * MMIO regions served by device callbacks. ISA-neutral. */
#ifndef HVSIM_BUS_H
#define HVSIM_BUS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

/* A device's register window. Offsets are relative to the region base.
 * read/write return false for an access the device rejects (the CPU turns
 * that into an access fault). size is 1, 2, 4 or 8. */
struct mmio_ops {
    bool (*read)(void *opaque, uint64_t off, unsigned size, uint64_t *val);
    bool (*write)(void *opaque, uint64_t off, unsigned size, uint64_t val);
};

/* Per-page flags of memory regions (page = 4 KiB). A page with any flag set
 * never gets a fast-path write mapping in a CPU's TLB, so every store to it
 * goes through bus_mem_store_notify(). */
enum {
    PAGE_CODE  = 1u << 0, /* holds predecoded instructions */
    PAGE_WATCH = 1u << 1, /* a device watches stores (HTIF tohost) */
    PAGE_MONITOR = 1u << 2, /* a CPU's armed address monitor (x86 MONITOR/MWAIT) */
};

struct mem_region {
    const char *name;
    uint64_t base, size;
    uint8_t *host;        /* size bytes */
    bool readonly;        /* ROM: guest stores fault */
    uint8_t *page_flags;  /* one byte per 4 KiB page */
    void **dcache;        /* one slot per page: CPU model's predecoded page */
    uint8_t *dirty;       /* one byte per page: written since the last check */
};

struct mmio_region {
    const char *name;
    uint64_t base, size;
    const struct mmio_ops *ops;
    void *opaque;
};

/* A device's window in the I/O port space (x86 IN/OUT: 64 KiB of ports,
 * SDM vol 1 §18.3). Same ops as MMIO; offsets relative to the first port. */
struct pio_region {
    const char *name;
    uint32_t base, size;
    const struct mmio_ops *ops;
    void *opaque;
};

#define BUS_MAX_MEM  8
#define BUS_MAX_MMIO 32
#define BUS_MAX_PIO  32
#define BUS_PIO_SPACE 0x10000u   /* ports 0..0xffff */

/* Called for every store into a PAGE_WATCH page (after the bytes land). */
typedef void (*bus_watch_fn)(void *opaque, uint64_t pa, unsigned size);

struct bus {
    struct mem_region mem[BUS_MAX_MEM];
    int nmem;
    struct mmio_region mmio[BUS_MAX_MMIO];
    int nmmio;
    struct pio_region pio[BUS_MAX_PIO];   /* the I/O port space */
    int npio;
    bus_watch_fn watch_fn;
    void *watch_opaque;
    /* Called when a page's predecoded instructions must be dropped
     * (a store hit a PAGE_CODE page). Set by the CPU model. */
    void (*code_invalidate)(void *opaque, struct mem_region *r, uint64_t page_index);
    void *code_opaque;
    /* Called for every store into a PAGE_MONITOR page (after the bytes
     * land): the CPU model's address monitors (x86 MONITOR). */
    void (*monitor_store)(void *opaque, uint64_t pa, unsigned size);
    void *monitor_opaque;
    struct machine *m;    /* owner (for mmio trace events); may be NULL */
};

/* Marks the pages of [pa, pa+len) in r as written. */
static inline void bus_mark_dirty(struct mem_region *r, uint64_t pa, uint64_t len)
{
    for (uint64_t p = (pa - r->base) >> 12; p <= (pa + len - 1 - r->base) >> 12; p++)
        r->dirty[p] = 1;
}

void bus_init(struct bus *b);
void bus_free(struct bus *b);
/* Adds a region; returns NULL and fills err (if given) when it overlaps an
 * existing one or the table is full. */
struct mem_region *bus_add_mem(struct bus *b, const char *name, uint64_t base,
                               uint64_t size, bool readonly, char *err, size_t errlen);
struct mmio_region *bus_add_mmio(struct bus *b, const char *name, uint64_t base,
                                 uint64_t size, const struct mmio_ops *ops,
                                 void *opaque, char *err, size_t errlen);

/* A device window of `size` ports at `base` in the I/O port space; NULL +
 * err when it leaves the 64 KiB space, overlaps another or the table is
 * full. */
struct pio_region *bus_add_pio(struct bus *b, const char *name, uint32_t base, uint32_t size,
                               const struct mmio_ops *ops, void *opaque, char *err,
                               size_t errlen);
struct pio_region *bus_find_pio(struct bus *b, uint32_t port);
/* Port I/O (size 1, 2 or 4). false when no device has the port or the
 * device rejects the access: the CPU model decides what that means (on a PC
 * a read of an unclaimed port gives all ones, a write is dropped). Each
 * access a device serves is an `mmio` trace event with bit 1 of its `write`
 * argument set (docs/trace-format.md). */
bool bus_pio_read(struct bus *b, uint32_t port, unsigned size, uint64_t *val);
bool bus_pio_write(struct bus *b, uint32_t port, unsigned size, uint64_t val);

/* Lookups; NULL when pa is not inside any region. */
struct mem_region *bus_find_mem(struct bus *b, uint64_t pa);
struct mmio_region *bus_find_mmio(struct bus *b, uint64_t pa);

/* Host pointer for [pa, pa+len) when wholly inside one memory region. */
uint8_t *bus_host_ptr(struct bus *b, uint64_t pa, uint64_t len);

/* Slow-path physical accesses (any alignment, any region kind). Return false
 * for an access fault (unmapped, ROM write, device rejection). */
bool bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val);
bool bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val);

/* Must be called after any store into a memory region page with flags set. */
void bus_mem_store_notify(struct bus *b, struct mem_region *r, uint64_t pa, unsigned size);

/* Host-side loading (images, DTB): copies into memory regions, ignoring the
 * ROM flag. Returns false if any byte falls outside memory regions. */
bool bus_load(struct bus *b, uint64_t pa, const void *data, uint64_t len);

#endif
