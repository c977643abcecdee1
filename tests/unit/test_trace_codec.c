/* Trace codec unit tests: writer -> reader round trip of every event kind
 * with edge values, reader errors on bad files (magic, version, truncation
 * at many points, corrupt records), and --events parsing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/event.h"
#include "trace/trace.h"

#define BIG_BLOB (100 * 1024)

/* A fresh temporary file name (the file exists, empty). */
static void tmp_name(char *buf, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, len, "%s/hvsim-codec-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(buf);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void fill_header(struct trace_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = TRACE_FORMAT_VERSION;
    snprintf(h->hvsim_version, sizeof h->hvsim_version, "9.8.7-test");
    h->seed = UINT64_MAX;
    h->quantum = 1;
    h->max_insns = 1ull << 40;
    h->check_interval = 12345;
    h->event_mask = (1ull << TK_COUNT) - 1;
    snprintf(h->serial, sizeof h->serial, "file:/tmp/some file.out");
    h->nimages = 2;
    snprintf(h->images[0].role, sizeof h->images[0].role, "bios");
    snprintf(h->images[0].path, sizeof h->images[0].path, "/usr/lib/x/fw jump.elf");
    memset(h->images[0].sha256, 'a', 64);
    snprintf(h->images[1].role, sizeof h->images[1].role, "kernel");
    snprintf(h->images[1].path, sizeof h->images[1].path, "/k.elf");
    memset(h->images[1].sha256, '0', 64);
    h->config_ini = strdup("[machine]\nsmp = 4\n\n[cpu]\nquantum = 1\n");
}

/* Deterministic pseudo-random bytes. */
static void fill_blob(uint8_t *b, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (uint8_t)x;
    }
}

/* The test stream: every kind with edge values, times that go backwards
 * between CPUs, TRACE_NO_CPU, check blobs of 0, 100 and 100K bytes, and
 * `filler` ordinary events to cross the codec's buffer boundaries. */
struct stream {
    struct trace_event *ev;
    uint8_t **blobs;
    size_t n;
};

static const uint64_t edge_args[] = { UINT64_MAX, 0, 1ull << 63, 0x7f, 0x80, 0x3fff, 0x4000,
                                      UINT64_MAX - 1 };
static const uint64_t edge_times[] = { 1000, 500, UINT64_MAX, 0, 1ull << 63, 7, 6, UINT64_MAX - 1 };
static const uint32_t edge_cpus[] = { 0, 3, TRACE_NO_CPU, 63, UINT32_MAX - 1, 1 };

static struct stream make_stream(size_t filler)
{
    struct stream s;
    size_t cap = TK_COUNT * 8 + 4 + filler;
    s.ev = calloc(cap, sizeof *s.ev);
    s.blobs = calloc(cap, sizeof *s.blobs);
    s.n = 0;
    for (unsigned rep = 0; rep < 8; rep++)
        for (unsigned k = 0; k < TK_COUNT; k++) {
            struct trace_event *e = &s.ev[s.n++];
            e->kind = (uint16_t)k;
            e->cpu = edge_cpus[(k + rep) % (sizeof edge_cpus / sizeof edge_cpus[0])];
            e->time = edge_times[(k + rep) % (sizeof edge_times / sizeof edge_times[0])];
            for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
                e->a[i] = edge_args[(i + k + rep) % (sizeof edge_args / sizeof edge_args[0])];
        }
    size_t sizes[] = { 0, 100, BIG_BLOB, BIG_BLOB + 3 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct trace_event *e = &s.ev[s.n];
        e->kind = TK_CHECK;
        e->cpu = TRACE_NO_CPU;
        e->time = 1ull << 50;
        e->a[0] = i;
        e->a[1] = 0xdeadbeefcafef00dull ^ i;
        if (sizes[i]) {
            s.blobs[s.n] = malloc(sizes[i]);
            fill_blob(s.blobs[s.n], sizes[i], i);
            e->blob = s.blobs[s.n];
            e->blob_len = sizes[i];
        }
        s.n++;
    }
    for (size_t i = 0; i < filler; i++) {
        struct trace_event *e = &s.ev[s.n++];
        e->kind = (uint16_t)(i % TK_COUNT == TK_CHECK ? TK_IPI_SEND : i % TK_COUNT);
        e->cpu = (uint32_t)(i % 5);
        e->time = 1000000 + i * 3 - (i % 5) * 100;
        for (unsigned a = 0; a < TRACE_MAX_ARGS; a++)
            e->a[a] = i * 0x100000001ull + a;
    }
    return s;
}

static void free_stream(struct stream *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->blobs[i]);
    free(s->blobs);
    free(s->ev);
}

static void write_stream(const char *path, const struct stream *s)
{
    struct trace_header h;
    char err[512] = "";
    fill_header(&h);
    struct trace_writer *w = trace_writer_open(path, &h, err, sizeof err);
    trace_header_free(&h);
    ck_assert_msg(w != NULL, "%s", err);
    for (size_t i = 0; i < s->n; i++)
        if (!trace_writer_put(w, &s->ev[i]))
            ck_abort_msg("trace_writer_put failed at event %zu", i);
    ck_assert_uint_eq(trace_writer_count(w), s->n);
    ck_assert_msg(trace_writer_close(w, err, sizeof err), "%s", err);
}

static void check_stream(const char *path, const struct stream *s)
{
    char err[512] = "";
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    const struct trace_header *h = trace_reader_header(r);
    ck_assert_uint_eq(h->version, TRACE_FORMAT_VERSION);
    ck_assert_str_eq(h->hvsim_version, "9.8.7-test");
    ck_assert_uint_eq(h->seed, UINT64_MAX);
    ck_assert_uint_eq(h->quantum, 1);
    ck_assert_uint_eq(h->max_insns, 1ull << 40);
    ck_assert_uint_eq(h->check_interval, 12345);
    ck_assert_uint_eq(h->event_mask, (1ull << TK_COUNT) - 1);
    ck_assert_str_eq(h->serial, "file:/tmp/some file.out");
    ck_assert_int_eq(h->nimages, 2);
    ck_assert_str_eq(h->images[0].role, "bios");
    ck_assert_str_eq(h->images[0].path, "/usr/lib/x/fw jump.elf");
    ck_assert_int_eq((int)strlen(h->images[0].sha256), 64);
    ck_assert_str_eq(h->images[1].role, "kernel");
    ck_assert_str_eq(h->images[1].path, "/k.elf");
    ck_assert_str_eq(h->config_ini, "[machine]\nsmp = 4\n\n[cpu]\nquantum = 1\n");

    /* check's assertions log every call: compare first, assert on a mismatch */
    struct trace_event ev;
    for (size_t i = 0; i < s->n; i++) {
        const struct trace_event *want = &s->ev[i];
        int rc = trace_reader_next(r, &ev, err, sizeof err);
        if (rc != 1)
            ck_abort_msg("event %zu: rc %d: %s", i, rc, err);
        if (ev.kind != want->kind || ev.cpu != want->cpu || ev.time != want->time)
            ck_abort_msg("event %zu: kind %u cpu %u time %llu, want kind %u cpu %u time %llu", i,
                         ev.kind, ev.cpu, (unsigned long long)ev.time, want->kind, want->cpu,
                         (unsigned long long)want->time);
        for (unsigned a = 0; a < TRACE_MAX_ARGS; a++) {
            /* only the kind's arguments are stored; the rest read as 0 */
            uint64_t expect = a < trace_kinds[want->kind].nargs ? want->a[a] : 0;
            if (ev.a[a] != expect)
                ck_abort_msg("event %zu (%s) arg %u: %llx != %llx", i,
                             trace_kinds[want->kind].name, a, (unsigned long long)ev.a[a],
                             (unsigned long long)expect);
        }
        size_t want_len = want->kind == TK_CHECK ? want->blob_len : 0;
        if (ev.blob_len != want_len || (want_len && memcmp(ev.blob, want->blob, want_len) != 0))
            ck_abort_msg("event %zu: blob of %zu bytes differs (want %zu bytes)", i, ev.blob_len,
                         want_len);
    }
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 0);
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 0);
    ck_assert_uint_eq(trace_reader_count(r), s->n);
    trace_reader_close(r);
}

START_TEST(round_trip_every_kind)
{
    char path[256];
    tmp_name(path, sizeof path);
    struct stream s = make_stream(0);
    write_stream(path, &s);
    check_stream(path, &s);
    free_stream(&s);
    unlink(path);
}
END_TEST

START_TEST(round_trip_many_events)
{
    /* Enough records to cross the writer's and reader's buffers many times,
     * with the 100K blobs in between. */
    char path[256];
    tmp_name(path, sizeof path);
    struct stream s = make_stream(200000);
    write_stream(path, &s);
    check_stream(path, &s);
    free_stream(&s);
    unlink(path);
}
END_TEST

START_TEST(round_trip_empty)
{
    char path[256], err[512] = "";
    tmp_name(path, sizeof path);
    struct stream s = { 0 };
    write_stream(path, &s);
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    struct trace_event ev;
    ck_assert_int_eq(trace_reader_next(r, &ev, err, sizeof err), 0);
    ck_assert_uint_eq(trace_reader_count(r), 0);
    trace_reader_close(r);
    unlink(path);
}
END_TEST

/* Whole file into memory. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert(f != NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert(f != NULL);
    ck_assert_uint_eq(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* Reads a (possibly broken) trace to its end. Returns the last rc of
 * trace_reader_next, or -2 if the open failed; err holds the message. */
static int read_all(const char *path, uint64_t *count, char *err, size_t errlen)
{
    err[0] = 0;
    *count = 0;
    struct trace_reader *r = trace_reader_open(path, err, errlen);
    if (!r)
        return -2;
    struct trace_event ev;
    int rc;
    while ((rc = trace_reader_next(r, &ev, err, errlen)) == 1)
        (*count)++;
    trace_reader_close(r);
    return rc;
}

START_TEST(bad_magic)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    spit(path, "NOTATRACE-AT-ALL-xxxxxxxx", 25);
    uint64_t n;
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) && strstr(err, "magic"), "%s", err);
    /* an empty file and a missing one */
    spit(path, "", 0);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    unlink(path);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
}
END_TEST

START_TEST(wrong_version)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    struct stream s = make_stream(0);
    write_stream(path, &s);
    free_stream(&s);
    size_t len;
    uint8_t *b = slurp(path, &len);
    b[8] = TRACE_FORMAT_VERSION + 1; /* u32 LE version after the magic */
    spit(path, b, len);
    uint64_t n;
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) && strstr(err, "version"), "%s", err);
    b[8] = TRACE_FORMAT_VERSION;
    b[11] = 0x80; /* version 0x80000001 */
    spit(path, b, len);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) && strstr(err, "version"), "%s", err);
    free(b);
    unlink(path);
}
END_TEST

START_TEST(truncated_at_many_points)
{
    char path[256], cut[256], err[512];
    tmp_name(path, sizeof path);
    tmp_name(cut, sizeof cut);
    struct stream s = make_stream(5000);
    write_stream(path, &s);
    size_t len;
    uint8_t *b = slurp(path, &len);
    uint32_t hlen = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 |
                    (uint32_t)b[15] << 24;
    size_t body = 16 + hlen;
    ck_assert_uint_lt(body, len);
    size_t points[] = { 0, 1, 7, 8, 11, 12, 15, 16, 17, 16 + hlen / 2, body - 1, body,
                        body + 1, body + 4, body + 13, body + (len - body) / 3,
                        body + (len - body) / 2, len - 100, len - 9, len - 4, len - 1 };
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        size_t at = points[i];
        spit(cut, b, at);
        uint64_t n;
        int rc = read_all(cut, &n, err, sizeof err);
        if (rc == -2) {
            ck_assert_msg(at <= body, "cut at %zu/%zu: open failed: %s", at, len, err);
        } else if (rc == 0) {
            /* a file cut right after its header reads as an empty trace */
            ck_assert_msg(at == body && n == 0, "cut at %zu/%zu: clean end after %llu of %zu",
                          at, len, (unsigned long long)n, s.n);
            continue;
        } else {
            ck_assert_msg(rc == -1, "cut at %zu: rc %d", at, rc);
            ck_assert_msg(n < s.n, "cut at %zu: all %llu events read", at, (unsigned long long)n);
        }
        ck_assert_msg(strstr(err, cut) != NULL, "cut at %zu: message does not name the file: %s",
                      at, err);
    }
    free(b);
    free_stream(&s);
    unlink(path);
    unlink(cut);
}
END_TEST

/* Writes magic + version + header + zstd(payload). */
static void write_raw(const char *path, const uint8_t *payload, size_t plen)
{
    const char *hdr = "hvsim-version 0.0\nseed 0\nevent-mask 0x1\nconfig\n[machine]\n";
    size_t hl = strlen(hdr);
    size_t cap = ZSTD_compressBound(plen);
    uint8_t *out = malloc(16 + hl + cap);
    memcpy(out, TRACE_MAGIC, 8);
    for (int i = 0; i < 4; i++) {
        out[8 + i] = (uint8_t)(TRACE_FORMAT_VERSION >> (8 * i));
        out[12 + i] = (uint8_t)(hl >> (8 * i));
    }
    memcpy(out + 16, hdr, hl);
    size_t z = ZSTD_compress(out + 16 + hl, cap, payload, plen, 1);
    ck_assert(!ZSTD_isError(z));
    spit(path, out, 16 + hl + z);
    free(out);
}

START_TEST(corrupt_records)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    uint64_t n;
    /* unknown kind */
    const uint8_t bad_kind[] = { TK_IPI_SEND, 1, 2, 1, 2, 3, 4, 200, 1, 0 };
    write_raw(path, bad_kind, sizeof bad_kind);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -1);
    ck_assert_uint_eq(n, 1);
    ck_assert_msg(strstr(err, path) && strstr(err, "kind"), "%s", err);
    /* a check blob longer than any real one (and than the file) */
    const uint8_t huge_blob[] = { TK_CHECK, 0, 0, 1, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3 };
    write_raw(path, huge_blob, sizeof huge_blob);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    /* a varint that never ends */
    uint8_t endless[40];
    memset(endless, 0xff, sizeof endless);
    endless[0] = TK_INPUT;
    write_raw(path, endless, sizeof endless);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    /* random bytes in place of the compressed stream */
    struct stream s = make_stream(100);
    write_stream(path, &s);
    free_stream(&s);
    size_t len;
    uint8_t *b = slurp(path, &len);
    uint32_t hlen = (uint32_t)b[12] | (uint32_t)b[13] << 8;
    fill_blob(b + 16 + hlen + 8, len - 16 - hlen - 8, 42);
    spit(path, b, len);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    free(b);
    unlink(path);
}
END_TEST

START_TEST(header_errors)
{
    char path[256], err[512];
    tmp_name(path, sizeof path);
    uint64_t n;
    /* a header length beyond the file */
    uint8_t pre[16 + 4];
    memcpy(pre, TRACE_MAGIC, 8);
    pre[8] = TRACE_FORMAT_VERSION, pre[9] = pre[10] = pre[11] = 0;
    pre[12] = 0, pre[13] = 0, pre[14] = 1, pre[15] = 0; /* 64K */
    memcpy(pre + 16, "seed", 4);
    spit(path, pre, sizeof pre);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    /* an absurd header length */
    pre[15] = 0x7f;
    spit(path, pre, sizeof pre);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    /* an unknown header line */
    const char *text = "hvsim-version 1\nfrobnicate 3\nconfig\n";
    uint8_t buf[128];
    size_t tl = strlen(text);
    memcpy(buf, pre, 16);
    buf[12] = (uint8_t)tl, buf[13] = buf[14] = buf[15] = 0;
    memcpy(buf + 16, text, tl);
    spit(path, buf, 16 + tl);
    ck_assert_int_eq(read_all(path, &n, err, sizeof err), -2);
    ck_assert_msg(strstr(err, path) && strstr(err, "frobnicate"), "%s", err);
    unlink(path);
}
END_TEST

START_TEST(parse_events)
{
    uint64_t m = 0;
    char err[256] = "";
    const uint64_t always = 1ull << TK_INPUT | 1ull << TK_END;
    ck_assert_msg(trace_parse_events("ipi", &m, err, sizeof err), "%s", err);
    ck_assert_uint_eq(m, 1ull << TK_IPI_SEND | 1ull << TK_IPI_DELIVER | always);
    ck_assert(trace_parse_events("ipi.send,timer.fire", &m, err, sizeof err));
    ck_assert_uint_eq(m, 1ull << TK_IPI_SEND | 1ull << TK_TIMER_FIRE | always);
    ck_assert(trace_parse_events("all", &m, err, sizeof err));
    /* every kind but gdb.sched, which is written whatever the mask */
    ck_assert_uint_eq(m, ((1ull << TK_COUNT) - 1) & ~(1ull << TK_GDB_SCHED));
    ck_assert(trace_parse_events("default", &m, err, sizeof err));
    ck_assert_uint_eq(m, trace_default_mask() | always);
    ck_assert(!(trace_default_mask() >> TK_MMIO & 1));
    ck_assert(!(trace_default_mask() >> TK_EXC_TAKE & 1));
    ck_assert(trace_parse_events("mmio,exc", &m, err, sizeof err));
    ck_assert_uint_eq(m, 1ull << TK_MMIO | 1ull << TK_EXC_TAKE | always);
}
END_TEST

START_TEST(parse_events_errors)
{
    static const struct { const char *list, *names; } bad[] = {
        { "bogus", "bogus" },
        { "ipi,bogus", "bogus" },
        { "ipi,,irq", "ipi,,irq" },
        { ",ipi", ",ipi" },
        { "IPI", "IPI" },
        { "ipi.sendx", "ipi.sendx" },
        { "averyveryveryveryveryverylongeventname", "averyvery" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t m = 0x1234;
        char err[256] = "";
        ck_assert_msg(!trace_parse_events(bad[i].list, &m, err, sizeof err), "'%s' accepted",
                      bad[i].list);
        ck_assert_msg(strstr(err, bad[i].names) != NULL, "'%s': message '%s'", bad[i].list, err);
        ck_assert_uint_eq(m, 0x1234); /* untouched on error */
    }
}
END_TEST

START_TEST(format_event)
{
    struct trace_event ev = { .time = 42, .cpu = TRACE_NO_CPU, .kind = TK_IPI_SEND,
                              .a = { 1, UINT64_MAX, 0x80000000, 7 } };
    char buf[256];
    size_t n = trace_format_event(&ev, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_msg(strstr(buf, "ipi.send") && strstr(buf, "dest=0xffffffffffffffff") &&
                  strstr(buf, "mech=1"), "%s", buf);
    /* a short buffer truncates but reports the full length */
    char small[8];
    ck_assert_uint_eq(trace_format_event(&ev, small, sizeof small), n);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    char name[16];
    ck_assert_str_eq(trace_arg_name(TK_VM_EXIT, 5, name, sizeof name), "vmid");
    /* then its optional argument (docs/trace-format.md "Optional arguments") */
    ck_assert_str_eq(trace_arg_name(TK_VM_EXIT, 6, name, sizeof name), "vpid");
    ck_assert_ptr_null(trace_arg_name(TK_VM_EXIT, 7, name, sizeof name));
    ck_assert_str_eq(trace_arg_name(TK_VM_ENTRY, 3, name, sizeof name), "inject");
    ck_assert_ptr_null(trace_arg_name(TK_IPI_SEND, 4, name, sizeof name));
    ck_assert_ptr_null(trace_arg_name(TK_COUNT, 0, name, sizeof name));
}
END_TEST

Suite *trace_codec_suite(void)
{
    Suite *s = suite_create("trace_codec");
    TCase *tc = tcase_create("codec");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip_every_kind);
    tcase_add_test(tc, round_trip_many_events);
    tcase_add_test(tc, round_trip_empty);
    tcase_add_test(tc, bad_magic);
    tcase_add_test(tc, wrong_version);
    tcase_add_test(tc, truncated_at_many_points);
    tcase_add_test(tc, corrupt_records);
    tcase_add_test(tc, header_errors);
    tcase_add_test(tc, parse_events);
    tcase_add_test(tc, parse_events_errors);
    tcase_add_test(tc, format_event);
    suite_add_tcase(s, tc);
    return s;
}
