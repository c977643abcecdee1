/* Trace file codec (docs/trace-format.md):
 *   "HVSIMTRC" | u32 LE format version | u32 LE header length | header text
 *   | zstd stream of records
 * Record: u8 kind | varint cpu+1 | zigzag varint (time - previous time)
 *         | nargs varints | CHECK and MARK: varint blob length, blob bytes. */
#include "trace.h"
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define REC_MAX (1 + 10 + 10 + TRACE_MAX_ARGS * 10 + 10 + 10)
#define MAX_BLOB (1u << 24)

void trace_header_free(struct trace_header *h)
{
    free(h->config_ini);
    h->config_ini = NULL;
}

bool trace_sha256_file(const char *path, char out[65], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    bool ok = !ferror(f);
    fclose(f);
    unsigned char md[32];
    unsigned mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        snprintf(err, errlen, "%s: read error", path);
        return false;
    }
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return true;
}

/* ---- varints ---- */
static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* ---- writer ---- */
struct trace_writer {
    FILE *f;
    ZSTD_CCtx *z;
    uint8_t in[1 << 16];
    size_t in_len;
    uint8_t *out;
    size_t out_cap;
    uint64_t last_time, count;
    bool failed;
};

static void header_text(const struct trace_header *h, char **text, size_t *len)
{
    size_t cap = 4096 + (h->config_ini ? strlen(h->config_ini) : 0) + (size_t)h->nimages * 700;
    char *t = malloc(cap);
    size_t n = 0;
    n += (size_t)snprintf(t + n, cap - n,
                          "hvsim-version %s\nseed %llu\nquantum %llu\nmax-insns %llu\n"
                          "check-interval %llu\nevent-mask 0x%llx\nserial %s\n",
                          h->hvsim_version, (unsigned long long)h->seed,
                          (unsigned long long)h->quantum, (unsigned long long)h->max_insns,
                          (unsigned long long)h->check_interval,
                          (unsigned long long)h->event_mask, h->serial);
    if (h->perturb[0]) /* only with perturbations: other headers stay as they were */
        n += (size_t)snprintf(t + n, cap - n, "perturb %s\n", h->perturb);
    for (int i = 0; i < h->nimages; i++)
        n += (size_t)snprintf(t + n, cap - n, "image %s %s %s\n", h->images[i].role,
                              h->images[i].sha256, h->images[i].path);
    n += (size_t)snprintf(t + n, cap - n, "config\n%s", h->config_ini ? h->config_ini : "");
    *text = t;
    *len = n;
}

static bool flush_in(struct trace_writer *w, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = { w->in, w->in_len, 0 };
    bool done;
    do {
        ZSTD_outBuffer out = { w->out, w->out_cap, 0 };
        size_t rem = ZSTD_compressStream2(w->z, &out, &in, mode);
        if (ZSTD_isError(rem))
            return false;
        if (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos)
            return false;
        done = mode == ZSTD_e_end ? rem == 0 : in.pos == in.size;
    } while (!done);
    w->in_len = 0;
    return true;
}

struct trace_writer *trace_writer_open(const char *path, const struct trace_header *h,
                                       char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "--trace %s: %s", path, strerror(errno));
        return NULL;
    }
    struct trace_writer *w = calloc(1, sizeof(*w));
    w->f = f;
    w->z = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, 3);
    w->out_cap = ZSTD_CStreamOutSize();
    w->out = malloc(w->out_cap);
    char *text;
    size_t len;
    header_text(h, &text, &len);
    uint8_t pre[16];
    memcpy(pre, TRACE_MAGIC, 8);
    uint32_t v = TRACE_FORMAT_VERSION, l = (uint32_t)len;
    for (int i = 0; i < 4; i++) {
        pre[8 + i] = (uint8_t)(v >> (8 * i));
        pre[12 + i] = (uint8_t)(l >> (8 * i));
    }
    bool ok = fwrite(pre, 1, 16, f) == 16 && fwrite(text, 1, len, f) == len;
    free(text);
    if (!ok) {
        snprintf(err, errlen, "--trace %s: write error", path);
        trace_writer_close(w, NULL, 0);
        return NULL;
    }
    return w;
}

bool trace_writer_put(struct trace_writer *w, const struct trace_event *ev)
{
    if (w->in_len + REC_MAX + ev->blob_len > sizeof w->in) {
        if (!flush_in(w, ZSTD_e_continue))
            w->failed = true;
    }
    uint8_t rec[REC_MAX];
    size_t n = 0;
    unsigned nopt = ev->nopt < trace_kind_opts[ev->kind].n ? ev->nopt : trace_kind_opts[ev->kind].n;
    rec[n++] = (uint8_t)(ev->kind | (nopt ? TRACE_KIND_OPT : 0));
    n += put_varint(rec + n, (uint64_t)ev->cpu + 1);
    n += put_varint(rec + n, zigzag((int64_t)(ev->time - w->last_time)));
    w->last_time = ev->time;
    for (unsigned i = 0; i < trace_kinds[ev->kind].nargs; i++)
        n += put_varint(rec + n, ev->a[i]);
    if (nopt) { /* optional arguments (event.h TRACE_KIND_OPT) */
        n += put_varint(rec + n, nopt);
        for (unsigned i = 0; i < nopt; i++)
            n += put_varint(rec + n, ev->a[trace_kinds[ev->kind].nargs + i]);
    }
    if (trace_kind_has_blob(ev->kind))
        n += put_varint(rec + n, ev->blob_len);
    memcpy(w->in + w->in_len, rec, n);
    w->in_len += n;
    if (trace_kind_has_blob(ev->kind) && ev->blob_len) {
        /* blobs may exceed the buffer: feed them straight to zstd */
        if (w->in_len + ev->blob_len > sizeof w->in) {
            if (!flush_in(w, ZSTD_e_continue))
                w->failed = true;
            ZSTD_inBuffer in = { ev->blob, ev->blob_len, 0 };
            while (in.pos < in.size) {
                ZSTD_outBuffer out = { w->out, w->out_cap, 0 };
                if (ZSTD_isError(ZSTD_compressStream2(w->z, &out, &in, ZSTD_e_continue)) ||
                    (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos)) {
                    w->failed = true;
                    break;
                }
            }
        } else {
            memcpy(w->in + w->in_len, ev->blob, ev->blob_len);
            w->in_len += ev->blob_len;
        }
    }
    w->count++;
    return !w->failed;
}

uint64_t trace_writer_count(const struct trace_writer *w) { return w->count; }

bool trace_writer_close(struct trace_writer *w, char *err, size_t errlen)
{
    if (!w)
        return true;
    bool ok = !w->failed && flush_in(w, ZSTD_e_end);
    if (fclose(w->f) != 0)
        ok = false;
    ZSTD_freeCCtx(w->z);
    free(w->out);
    free(w);
    if (!ok && err)
        snprintf(err, errlen, "trace: write error (disk full?)");
    return ok;
}

/* ---- reader ---- */
struct trace_reader {
    FILE *f;
    char path[512];
    ZSTD_DCtx *z;
    uint8_t *zin;
    size_t zin_cap, zin_len, zin_pos;
    uint8_t buf[1 << 17];    /* decompressed bytes */
    size_t len, pos;
    bool eof;
    size_t zrc;              /* last ZSTD_decompressStream result: 0 = frame complete */
    uint64_t last_time, count;
    uint8_t *blob;
    size_t blob_cap;
    struct trace_header h;
};

/* Make at least `need` decompressed bytes available; false at end. */
static bool fill(struct trace_reader *r, size_t need)
{
    while (r->len - r->pos < need) {
        if (r->pos) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        }
        if (r->zin_pos == r->zin_len) {
            if (r->eof)
                return false;
            r->zin_len = fread(r->zin, 1, r->zin_cap, r->f);
            r->zin_pos = 0;
            if (r->zin_len == 0) {
                r->eof = true;
                return false;
            }
        }
        ZSTD_inBuffer in = { r->zin, r->zin_len, r->zin_pos };
        ZSTD_outBuffer out = { r->buf + r->len, sizeof r->buf - r->len, 0 };
        size_t rc = ZSTD_decompressStream(r->z, &out, &in);
        if (ZSTD_isError(rc))
            return false;
        r->zrc = rc;
        r->zin_pos = in.pos;
        r->len += out.pos;
    }
    return true;
}

static bool get_varint(struct trace_reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (!fill(r, 1))
            return false;
        uint8_t b = r->buf[r->pos++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

static bool parse_header(struct trace_reader *r, char *text, char *err, size_t errlen)
{
    struct trace_header *h = &r->h;
    char *line = text;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        unsigned long long v;
        if (strcmp(line, "config") == 0) {
            h->config_ini = strdup(nl ? nl + 1 : "");
            return true;
        } else if (sscanf(line, "hvsim-version %31s", h->hvsim_version) == 1) {
        } else if (sscanf(line, "seed %llu", &v) == 1) { h->seed = v;
        } else if (sscanf(line, "quantum %llu", &v) == 1) { h->quantum = v;
        } else if (sscanf(line, "max-insns %llu", &v) == 1) { h->max_insns = v;
        } else if (sscanf(line, "check-interval %llu", &v) == 1) { h->check_interval = v;
        } else if (sscanf(line, "event-mask %llx", &v) == 1) { h->event_mask = v;
        } else if (strncmp(line, "perturb ", 8) == 0) {
            snprintf(h->perturb, sizeof h->perturb, "%s", line + 8);
        } else if (strncmp(line, "serial ", 7) == 0) {
            snprintf(h->serial, sizeof h->serial, "%s", line + 7);
        } else if (strncmp(line, "image ", 6) == 0 && h->nimages < TRACE_MAX_IMAGES) {
            struct trace_image *im = &h->images[h->nimages];
            int off = 0;
            if (sscanf(line, "image %15s %64s %n", im->role, im->sha256, &off) < 2 || off == 0) {
                snprintf(err, errlen, "%s: corrupt header line '%.60s'", r->path, line);
                return false;
            }
            snprintf(im->path, sizeof im->path, "%s", line + off);
            h->nimages++;
        } else {
            snprintf(err, errlen, "%s: corrupt header line '%.60s'", r->path, line);
            return false;
        }
        line = nl ? nl + 1 : NULL;
    }
    snprintf(err, errlen, "%s: header has no machine config", r->path);
    return false;
}

struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t pre[16];
    if (fread(pre, 1, 16, f) != 16 || memcmp(pre, TRACE_MAGIC, 8) != 0) {
        snprintf(err, errlen, "%s: not an hvsim trace (bad magic)", path);
        fclose(f);
        return NULL;
    }
    uint32_t ver = 0, len = 0;
    for (int i = 0; i < 4; i++) {
        ver |= (uint32_t)pre[8 + i] << (8 * i);
        len |= (uint32_t)pre[12 + i] << (8 * i);
    }
    if (ver != TRACE_FORMAT_VERSION) {
        snprintf(err, errlen, "%s: trace format version %u, this hvsim reads version %d",
                 path, ver, TRACE_FORMAT_VERSION);
        fclose(f);
        return NULL;
    }
    if (len > (1u << 24)) {
        snprintf(err, errlen, "%s: corrupt header (length %u)", path, len);
        fclose(f);
        return NULL;
    }
    char *text = malloc(len + 1);
    if (fread(text, 1, len, f) != len) {
        snprintf(err, errlen, "%s: truncated header", path);
        free(text);
        fclose(f);
        return NULL;
    }
    text[len] = 0;
    struct trace_reader *r = calloc(1, sizeof(*r));
    r->f = f;
    snprintf(r->path, sizeof r->path, "%s", path);
    r->h.version = ver;
    bool ok = parse_header(r, text, err, errlen);
    free(text);
    if (!ok) {
        trace_reader_close(r);
        return NULL;
    }
    r->z = ZSTD_createDCtx();
    r->zin_cap = ZSTD_DStreamInSize();
    r->zin = malloc(r->zin_cap);
    return r;
}

const struct trace_header *trace_reader_header(const struct trace_reader *r) { return &r->h; }
uint64_t trace_reader_count(const struct trace_reader *r) { return r->count; }

int trace_reader_next(struct trace_reader *r, struct trace_event *ev, char *err, size_t errlen)
{
    if (!fill(r, 1)) {
        if (r->eof && r->zin_pos == r->zin_len && r->len == r->pos && r->zrc == 0)
            return 0;
        if (r->eof && r->zrc != 0) {
            snprintf(err, errlen, "%s: truncated after %llu records (the recording was cut short)",
                     r->path, (unsigned long long)r->count);
            return -1;
        }
        snprintf(err, errlen, "%s: corrupt compressed data after %llu records", r->path,
                 (unsigned long long)r->count);
        return -1;
    }
    memset(ev, 0, sizeof(*ev));
    uint8_t kind = r->buf[r->pos++];
    bool has_opt = kind & TRACE_KIND_OPT;
    kind &= (uint8_t)~TRACE_KIND_OPT;
    uint64_t cpu, dt;
    if (kind >= TK_COUNT) {
        snprintf(err, errlen, "%s: record %llu has unknown kind %u", r->path,
                 (unsigned long long)r->count, kind);
        return -1;
    }
    ev->kind = kind;
    bool ok = get_varint(r, &cpu) && get_varint(r, &dt);
    for (unsigned i = 0; ok && i < trace_kinds[kind].nargs; i++)
        ok = get_varint(r, &ev->a[i]);
    if (ok && has_opt) { /* optional arguments: keep the known ones, skip the rest */
        uint64_t nopt, v = 0;
        ok = get_varint(r, &nopt) && nopt >= 1 && nopt <= TRACE_OPT_SKIP_MAX;
        for (uint64_t i = 0; ok && i < nopt; i++) {
            ok = get_varint(r, &v);
            if (i < trace_kind_opts[kind].n) {
                ev->a[trace_kinds[kind].nargs + i] = v;
                ev->nopt = (uint8_t)(i + 1);
            }
        }
    }
    if (ok && trace_kind_has_blob(kind)) {
        uint64_t bl;
        ok = get_varint(r, &bl) && bl <= MAX_BLOB;
        if (ok && bl) {
            if (bl > r->blob_cap) {
                r->blob = realloc(r->blob, bl);
                r->blob_cap = bl;
            }
            for (uint64_t done = 0; ok && done < bl;) {
                ok = fill(r, 1);
                size_t n = r->len - r->pos;
                if (n > bl - done)
                    n = bl - done;
                if (ok) {
                    memcpy(r->blob + done, r->buf + r->pos, n);
                    r->pos += n;
                    done += n;
                }
            }
            ev->blob = r->blob;
            ev->blob_len = bl;
        }
    }
    if (!ok) {
        snprintf(err, errlen, "%s: truncated or corrupt record %llu", r->path,
                 (unsigned long long)r->count);
        return -1;
    }
    ev->cpu = cpu == 0 ? TRACE_NO_CPU : (uint32_t)(cpu - 1);
    r->last_time += (uint64_t)unzigzag(dt);
    ev->time = r->last_time;
    r->count++;
    return 1;
}

void trace_reader_close(struct trace_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    ZSTD_freeDCtx(r->z);
    free(r->zin);
    free(r->blob);
    trace_header_free(&r->h);
    free(r);
}
