/* fw_cfg traditional I/O interface (see fw_cfg.h). */
#include "fw_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
}
