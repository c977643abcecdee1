/* virtio block device backed by a host file (see virtio_blk.h). Section
 * numbers: VIRTIO 1.1 §5.2. */
#include "virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512u
#define CHUNK  65536u               /* snapshot overlay granule */
#define MAX_REQUEST (4u << 20)      /* larger transfers get IOERR (host work bound; Linux sends <= 1.25 MiB by default) */
#define SEG_MAX 126u                /* config seg_max: like QEMU, queue size - 2 */

/* §5.2.6 request types and status values */
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };
#define ID_BYTES 20u

struct virtio_blk {
    char path[512];
    int fd;
    bool ro, snapshot;
    uint64_t size;          /* bytes, a multiple of SECTOR */
    uint8_t **overlay;      /* snapshot: one CHUNK copy per written chunk */
    uint64_t nchunks;
    uint8_t buf[CHUNK];     /* transfer scratch */
};

/* Splits FILE[,ro][,snapshot]; false + message for an unknown option. */
static bool parse_spec(const char *spec, char *path, size_t pathlen, bool *ro, bool *snap,
                       char *err, size_t errlen)
{
    const char *comma = strchr(spec, ',');
    size_t n = comma ? (size_t)(comma - spec) : strlen(spec);
    if (n == 0 || n >= pathlen) {
        snprintf(err, errlen, "--drive '%s': expected FILE[,ro][,snapshot]", spec);
        return false;
    }
    memcpy(path, spec, n);
    path[n] = 0;
    *ro = *snap = false;
    while (comma) {
        const char *opt = comma + 1;
        comma = strchr(opt, ',');
        size_t k = comma ? (size_t)(comma - opt) : strlen(opt);
        if (k == 2 && !strncmp(opt, "ro", 2))
            *ro = true;
        else if (k == 8 && !strncmp(opt, "snapshot", 8))
            *snap = true;
        else {
            snprintf(err, errlen, "--drive '%s': unknown option '%.*s' (ro, snapshot)", spec,
                     (int)k, opt);
            return false;
        }
    }
    return true;
}

bool virtio_blk_spec_path(const char *spec, char *path, size_t len)
{
    char err[8];
    bool ro, snap;
    return parse_spec(spec, path, len, &ro, &snap, err, sizeof err);
}

bool virtio_blk_spec_ok(const char *spec, char *err, size_t errlen)
{
    char path[512];
    bool ro, snap;
    return parse_spec(spec, path, sizeof path, &ro, &snap, err, errlen);
}

struct virtio_blk *virtio_blk_open(const char *spec, char *err, size_t errlen)
{
    struct virtio_blk *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "--drive: out of memory");
        return NULL;
    }
    b->fd = -1;
    if (!parse_spec(spec, b->path, sizeof b->path, &b->ro, &b->snapshot, err, errlen))
        goto fail;
    b->fd = open(b->path, (b->ro || b->snapshot) ? O_RDONLY : O_RDWR);
    struct stat st;
    if (b->fd < 0 || fstat(b->fd, &st) != 0) {
        snprintf(err, errlen, "--drive %s: %s", b->path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0 || st.st_size % SECTOR) {
        snprintf(err, errlen,
                 "--drive %s: not a regular file whose size is a non-zero multiple of %u bytes",
                 b->path, SECTOR);
        goto fail;
    }
    b->size = (uint64_t)st.st_size;
    if (b->snapshot) {
        b->nchunks = (b->size + CHUNK - 1) / CHUNK;
        b->overlay = calloc(b->nchunks, sizeof *b->overlay);
        if (!b->overlay) {
            snprintf(err, errlen, "--drive %s: out of memory", b->path);
            goto fail;
        }
    }
    return b;
fail:
    virtio_blk_free(b);
    return NULL;
}

void virtio_blk_free(struct virtio_blk *b)
{
    if (!b)
        return;
    for (uint64_t i = 0; b->overlay && i < b->nchunks; i++)
        free(b->overlay[i]);
    free(b->overlay);
    if (b->fd >= 0)
        close(b->fd);
    free(b);
}

void virtio_blk_copy_state(struct virtio_blk *dst, const struct virtio_blk *src)
{
    for (uint64_t i = 0; dst->overlay && i < dst->nchunks && i < src->nchunks; i++) {
        if (!src->overlay[i]) {
            free(dst->overlay[i]);
            dst->overlay[i] = NULL;
            continue;
        }
        if (!dst->overlay[i] && !(dst->overlay[i] = malloc(CHUNK)))
            continue; /* out of memory: the snapshot reads the file there */
        memcpy(dst->overlay[i], src->overlay[i], CHUNK);
    }
}

/* ---- storage: the file, or the overlay on top of it ---------------------- */

/* The whole of [off, off+n) read (write false) or written (write true),
 * across short transfers and EINTR. */
static bool file_io(struct virtio_blk *b, bool write, uint64_t off, uint8_t *p, uint64_t n)
{
    while (n) {
        ssize_t r = write ? pwrite(b->fd, p, n, (off_t)off) : pread(b->fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        off += (uint64_t)r;
        n -= (uint64_t)r;
    }
    return true;
}

static bool file_read(struct virtio_blk *b, uint64_t off, uint8_t *p, uint64_t n)
{
    return file_io(b, false, off, p, n);
}

static bool file_write(struct virtio_blk *b, uint64_t off, const uint8_t *p, uint64_t n)
{
    return file_io(b, true, off, (uint8_t *)p, n);
}

/* [off, off+n) inside one chunk */
static bool store_read(struct virtio_blk *b, uint64_t off, uint8_t *p, uint64_t n)
{
    if (b->overlay && b->overlay[off / CHUNK]) {
        memcpy(p, b->overlay[off / CHUNK] + off % CHUNK, n);
        return true;
    }
    return file_read(b, off, p, n);
}

static bool store_write(struct virtio_blk *b, uint64_t off, const uint8_t *p, uint64_t n)
{
    if (!b->snapshot)
        return file_write(b, off, p, n);
    uint64_t c = off / CHUNK;
    if (!b->overlay[c]) {
        uint8_t *chunk = calloc(1, CHUNK);
        uint64_t base = c * CHUNK, len = b->size - base < CHUNK ? b->size - base : CHUNK;
        if (!chunk || !file_read(b, base, chunk, len)) {
            free(chunk);
            return false;
        }
        b->overlay[c] = chunk;
    }
    memcpy(b->overlay[c] + off % CHUNK, p, n);
    return true;
}

/* ---- requests ------------------------------------------------------------- */

static uint64_t blk_features(void *dev)
{
    const struct virtio_blk *b = dev;
    return VIRTIO_BLK_F_FLUSH | (1ull << 2) /* SEG_MAX */ | (b->ro ? VIRTIO_BLK_F_RO : 0);
}

/* §5.2.4 struct virtio_blk_config: capacity (le64) at 0, size_max at 8,
 * seg_max at 12; the rest reads 0. */
static bool blk_config_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    const struct virtio_blk *b = dev;
    uint8_t cfg[24] = { 0 };
    uint64_t cap = b->size / SECTOR;
    for (int i = 0; i < 8; i++)
        cfg[i] = (uint8_t)(cap >> (8 * i));
    for (int i = 0; i < 4; i++)
        cfg[12 + i] = (uint8_t)(SEG_MAX >> (8 * i));
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        if (off + i < sizeof cfg)
            v |= (uint64_t)cfg[off + i] << (8 * i);
    *val = v;
    return true;
}

/* Moves `len` bytes between the disk at `pos` and the chain's data area
 * (readable bytes from 16 for OUT, writable bytes from 0 for IN). */
static bool transfer(struct virtio_blk *b, struct virtio_mmio *t, const struct virtio_chain *c,
                     bool to_guest, uint64_t pos, uint64_t len, bool *dma_fault)
{
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = CHUNK - (pos + done) % CHUNK;
        if (n > len - done)
            n = len - done;
        if (to_guest) {
            if (!store_read(b, pos + done, b->buf, n))
                return false;
            if (!virtio_chain_write(t, c, done, b->buf, n))
                return *dma_fault = true, false;
        } else {
            if (!virtio_chain_read(t, c, 16 + done, b->buf, n))
                return *dma_fault = true, false;
            if (!store_write(b, pos + done, b->buf, n))
                return false;
        }
        done += n;
    }
    return true;
}

static int64_t blk_request(void *dev, struct virtio_mmio *t, unsigned q, const struct virtio_chain *c)
{
    struct virtio_blk *b = dev;
    uint8_t hdr[16];
    /* §5.2.6.1: a 16-byte header the device reads, a status byte it writes last */
    if (c->read_len < sizeof hdr || c->write_len < 1 || !virtio_chain_read(t, c, 0, hdr, sizeof hdr))
        return -1;
    uint32_t type = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
                    (uint32_t)hdr[3] << 24;
    uint64_t sector = 0;
    for (int i = 15; i >= 8; i--)
        sector = sector << 8 | hdr[i];
    uint64_t data_in = c->write_len - 1;   /* writable bytes before the status */
    uint64_t data_out = c->read_len - sizeof hdr;
    uint8_t status = S_OK;
    uint64_t written = 0;
    bool dma_fault = false;

    switch (type) {
    case T_IN:
    case T_OUT: {
        uint64_t len = type == T_IN ? data_in : data_out;
        if (type == T_OUT && b->ro)
            status = S_IOERR; /* §5.2.6.2: no writes to a read-only device */
        else if (len % SECTOR || len > MAX_REQUEST || sector > b->size / SECTOR ||
                 len > b->size - sector * SECTOR)
            status = S_IOERR;
        else if (!transfer(b, t, c, type == T_IN, sector * SECTOR, len, &dma_fault))
            status = S_IOERR;
        if (dma_fault)
            return -1;
        if (type == T_IN && status == S_OK)
            written = len;
        break;
    }
    case T_FLUSH:
        if (!b->ro && !b->snapshot && fdatasync(b->fd) != 0)
            status = S_IOERR;
        break;
    case T_GET_ID: {
        /* §5.2.6: up to 20 bytes, NUL-padded */
        char id[ID_BYTES] = "hvsim-virtio-blk";
        uint64_t n = data_in < ID_BYTES ? data_in : ID_BYTES;
        if (!virtio_chain_write(t, c, 0, id, n))
            return -1;
        written = n;
        break;
    }
    default:
        status = S_UNSUPP;
        break;
    }
    if (!virtio_chain_write(t, c, c->write_len - 1, &status, 1))
        return -1;
    return (int64_t)(written + 1);
}

const struct virtio_device_ops virtio_blk_ops = {
    .name = "virtio-blk",
    .device_id = 2,
    .nqueues = 1,
    .features = blk_features,
    .config_read = blk_config_read,
    .request = blk_request,
};
