/* fw_cfg: the traditional I/O interface and the MMIO interface with DMA
 * (see fw_cfg.h). */
#include "fw_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sim/bus.h"

struct fw_cfg_item {
    uint16_t key;
    uint8_t *data;
    uint32_t len;
    char name[FW_CFG_MAX_FILE_PATH]; /* files only */
};

struct fw_cfg {
    struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
    int nitems;
    int nfiles;
    uint16_t selector;
    uint32_t offset;
    struct bus *dma_bus; /* MMIO front end with DMA (fw_cfg_enable_dma) */
    uint64_t dma_addr;   /* the DMA address register as written so far */
};

static struct fw_cfg_item *find_item(struct fw_cfg *f, uint16_t key)
{
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].key == key)
            return &f->items[i];
    return NULL;
}

static bool set_item(struct fw_cfg *f, uint16_t key, const void *data, size_t len, bool replace,
                     char *err, size_t errlen)
{
    struct fw_cfg_item *it = find_item(f, key);
    if (it && !replace) {
        snprintf(err, errlen, "fw_cfg: key 0x%x is already set", key);
        return false;
    }
    if (len > UINT32_MAX) {
        snprintf(err, errlen, "fw_cfg: item 0x%x is too large", key);
        return false;
    }
    if (!it) {
        if (f->nitems == FW_CFG_MAX_ITEMS) {
            snprintf(err, errlen, "fw_cfg: too many items (max %d)", FW_CFG_MAX_ITEMS);
            return false;
        }
        it = &f->items[f->nitems++];
        memset(it, 0, sizeof *it);
        it->key = key;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        snprintf(err, errlen, "fw_cfg: out of memory");
        return false;
    }
    if (len)
        memcpy(copy, data, len);
    free(it->data);
    it->data = copy;
    it->len = (uint32_t)len;
    return true;
}

bool fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, size_t len, char *err, size_t errlen)
{
    if (key == FW_CFG_FILE_DIR || key == FW_CFG_INVALID) {
        snprintf(err, errlen, "fw_cfg: key 0x%x is reserved", key);
        return false;
    }
    return set_item(f, key, data, len, false, err, errlen);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* FW_CFG_FILE_DIR: be32 count, then 64-byte entries. */
static bool rebuild_dir(struct fw_cfg *f, char *err, size_t errlen)
{
    size_t len = 4 + (size_t)f->nfiles * 64;
    uint8_t *d = calloc(1, len);
    if (!d) {
        snprintf(err, errlen, "fw_cfg: out of memory");
        return false;
    }
    put_be32(d, (uint32_t)f->nfiles);
    for (int i = 0; i < f->nfiles; i++) {
        const struct fw_cfg_item *it = find_item(f, (uint16_t)(FW_CFG_FILE_FIRST + i));
        uint8_t *e = d + 4 + (size_t)i * 64;
        put_be32(e, it->len);
        e[4] = (uint8_t)(it->key >> 8);
        e[5] = (uint8_t)it->key;
        memcpy(e + 8, it->name, FW_CFG_MAX_FILE_PATH);
    }
    bool ok = set_item(f, FW_CFG_FILE_DIR, d, len, true, err, errlen);
    free(d);
    return ok;
}

bool fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, size_t len, char *err, size_t errlen)
{
    size_t n = strlen(name);
    if (n == 0 || n >= FW_CFG_MAX_FILE_PATH) {
        snprintf(err, errlen, "fw_cfg: file name \"%s\" must be 1..%d bytes", name, FW_CFG_MAX_FILE_PATH - 1);
        return false;
    }
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].key >= FW_CFG_FILE_FIRST && f->items[i].key < FW_CFG_WRITE_CHANNEL &&
            strcmp(f->items[i].name, name) == 0) {
            snprintf(err, errlen, "fw_cfg: file \"%s\" already exists", name);
            return false;
        }
    uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles);
    if (key >= FW_CFG_WRITE_CHANNEL || !set_item(f, key, data, len, false, err, errlen))
        return false;
    memcpy(find_item(f, key)->name, name, n + 1);
    f->nfiles++;
    return rebuild_dir(f, err, errlen);
}

static void le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct fw_cfg *fw_cfg_new(const struct fw_cfg_config *cfg)
{
    struct fw_cfg *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    char err[128];
    uint8_t b[8];
    const char *cmd = cfg->cmdline ? cfg->cmdline : "";
    size_t cl = strlen(cmd) + 1;
    bool ok = fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, "QEMU", 4, err, sizeof err);
    le(b, 1, 4); /* bit 0: traditional interface; bit 1 (DMA) clear */
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_ID, b, 4, err, sizeof err);
    le(b, cfg->ram_size, 8);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_RAM_SIZE, b, 8, err, sizeof err);
    le(b, cfg->nb_cpus, 2);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_NB_CPUS, b, 2, err, sizeof err);
    le(b, cfg->max_cpus, 2);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_MAX_CPUS, b, 2, err, sizeof err);
    le(b, cfg->cmdline_addr, 4);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_CMDLINE_ADDR, b, 4, err, sizeof err);
    le(b, cl, 4);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_CMDLINE_SIZE, b, 4, err, sizeof err);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_CMDLINE_DATA, cmd, cl, err, sizeof err);
    ok = ok && rebuild_dir(f, err, sizeof err);
    if (!ok) {
        fw_cfg_free(f);
        return NULL;
    }
    f->selector = FW_CFG_SIGNATURE;
    return f;
}

void fw_cfg_free(struct fw_cfg *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nitems; i++)
        free(f->items[i].data);
    free(f);
}

static uint8_t data_read(struct fw_cfg *f)
{
    /* The write-channel bit selects the same item for reading (QEMU masks
     * it with FW_CFG_ENTRY_MASK, keeping the arch-local bit). */
    struct fw_cfg_item *it = find_item(f, (uint16_t)(f->selector & ~FW_CFG_WRITE_CHANNEL));
    if (!it || f->offset >= it->len)
        return 0;
    return it->data[f->offset++];
}

static bool fwc_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    if (off >= FW_CFG_PORTS || size != 1)
        return false;
    *val = data_read(opaque);
    return true;
}

static bool fwc_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct fw_cfg *f = opaque;
    if (size == 2 && off == 0) {
        f->selector = (uint16_t)val;
        f->offset = 0;
        return true;
    }
    if (size == 1 && off < FW_CFG_PORTS)
        return true; /* data writes: ignored */
    return false;
}

const struct mmio_ops fw_cfg_ops = { .read = fwc_read, .write = fwc_write };

void fw_cfg_copy_state(struct fw_cfg *dst, const struct fw_cfg *src)
{
    dst->selector = src->selector;
    dst->offset = src->offset;
    dst->dma_addr = src->dma_addr;
}

/* ---- the MMIO interface --------------------------------------------------- */

enum { MMIO_DATA = 0, MMIO_SELECTOR = 8, MMIO_DMA = 16 };
enum { DMA_CTL_ERROR = 1, DMA_CTL_READ = 2, DMA_CTL_SKIP = 4, DMA_CTL_SELECT = 8,
       DMA_CTL_WRITE = 0x10 };
#define DMA_SIGNATURE 0x51454d5520434647ull /* "QEMU CFG" */

void fw_cfg_enable_dma(struct fw_cfg *f, struct bus *bus)
{
    uint8_t b[4];
    char err[128];
    f->dma_bus = bus;
    le(b, 3, 4); /* FW_CFG_ID: traditional interface + DMA */
    set_item(f, FW_CFG_ID, b, 4, true, err, sizeof err);
}

static uint64_t bswap(uint64_t v, unsigned size)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < size; i++)
        r = r << 8 | ((v >> (8 * i)) & 0xff);
    return r;
}

/* Guest RAM only (no device registers, no ROM): byte by byte through the
 * bus, which marks pages written and drops predecoded code as a CPU store
 * does. */
static bool ram_ok(struct bus *b, uint64_t pa, uint64_t len, bool write)
{
    struct mem_region *r = bus_find_mem(b, pa);
    return r && len <= r->size - (pa - r->base) && !(write && r->readonly);
}

static uint64_t ram_be(struct bus *b, uint64_t pa, unsigned size)
{
    uint64_t v = 0, x;
    for (unsigned i = 0; i < size; i++) {
        bus_read(b, pa + i, 1, &x);
        v = v << 8 | (x & 0xff);
    }
    return v;
}

static void ram_put_be32(struct bus *b, uint64_t pa, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        bus_write(b, pa + i, 1, (v >> (24 - 8 * i)) & 0xff);
}

static void dma_run(struct fw_cfg *f, uint64_t desc)
{
    struct bus *b = f->dma_bus;
    if (!ram_ok(b, desc, 16, true))
        return; /* nowhere to report it */
    uint32_t ctl = (uint32_t)ram_be(b, desc, 4);
    uint32_t len = (uint32_t)ram_be(b, desc + 4, 4);
    uint64_t addr = ram_be(b, desc + 8, 8);
    if (ctl & DMA_CTL_SELECT) {
        f->selector = (uint16_t)(ctl >> 16);
        f->offset = 0;
    }
    uint32_t result = 0;
    if (ctl & DMA_CTL_WRITE) {
        result = DMA_CTL_ERROR; /* items are read-only */
    } else if (ctl & DMA_CTL_READ) {
        if (!ram_ok(b, addr, len, true)) {
            result = DMA_CTL_ERROR;
        } else {
            for (uint32_t i = 0; i < len; i++)
                bus_write(b, addr + i, 1, data_read(f));
        }
    } else if (ctl & DMA_CTL_SKIP) {
        for (uint32_t i = 0; i < len; i++)
            (void)data_read(f);
    }
    ram_put_be32(b, desc, result);
}

static bool mmio_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct fw_cfg *f = opaque;
    *val = 0;
    if (off == MMIO_DATA && (size == 1 || size == 2 || size == 4 || size == 8)) {
        for (unsigned i = 0; i < size; i++)
            *val |= (uint64_t)data_read(f) << (8 * i);
    } else if (f->dma_bus && off >= MMIO_DMA && off + size <= MMIO_DMA + 8) {
        /* the signature's bytes in string order */
        for (unsigned i = 0; i < size; i++)
            *val |= ((DMA_SIGNATURE >> (8 * (7 - (off - MMIO_DMA) - i))) & 0xff) << (8 * i);
    }
    return true;
}

static bool mmio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct fw_cfg *f = opaque;
    if (off == MMIO_SELECTOR && size == 2) {
        f->selector = (uint16_t)bswap(val, 2);
        f->offset = 0;
    } else if (f->dma_bus && off == MMIO_DMA && size == 8) {
        f->dma_addr = bswap(val, 8);
        dma_run(f, f->dma_addr);
    } else if (f->dma_bus && off == MMIO_DMA && size == 4) {
        f->dma_addr = bswap(val, 4) << 32;
    } else if (f->dma_bus && off == MMIO_DMA + 4 && size == 4) {
        f->dma_addr = (f->dma_addr & ~0xffffffffull) | bswap(val, 4);
        dma_run(f, f->dma_addr);
    }
    return true; /* data writes and everything else: ignored */
}

const struct mmio_ops fw_cfg_mmio_ops = { .read = mmio_read, .write = mmio_write };
