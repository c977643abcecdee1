/* Fuzz harness for the GDB remote protocol packet decoder (src/gdbstub/rsp.c).
 *
 * Two ways to run it (see tests/fuzz/README.md):
 *   - libFuzzer:  clang -DLIBFUZZER -g -O1 -fsanitize=fuzzer,address,undefined \
 *                   -Isrc tests/fuzz/rsp_fuzz.c src/gdbstub/rsp.c -o rsp_fuzz
 *   - standalone: cc -Isrc tests/fuzz/rsp_fuzz.c src/gdbstub/rsp.c -o rsp_fuzz
 *                 ./rsp_fuzz [ITERATIONS [SEED]]   (default 200000, fixed seed)
 *     a deterministic mutation fuzzer: well-formed packet streams, then
 *     mutated (bit flips, protocol metacharacters inserted, bytes dropped,
 *     truncation, junk), fed in random splits.
 *
 * Properties checked on every input (abort() on violation, so it works
 * without assert and under any -DNDEBUG):
 *   - no crash / sanitizer report;
 *   - every reported packet is at most the decoder's limit, NUL-terminated,
 *     and non-packet events carry no payload;
 *   - the bytes consumed equal the bytes fed;
 *   - the event counts match the decoder's counters;
 *   - the same input gives the same events however it is split;
 *   - every decoded packet re-encodes (rsp_encode) into a frame that decodes
 *     back to the same payload;
 *   - the argument parsers accept or reject every payload without crashing;
 *   - standalone mode, unmutated streams: exactly the packets generated. */
#include "gdbstub/rsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "rsp_fuzz: check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                               \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

/* A digest of the event sequence (order-sensitive) plus counts. */
struct sink {
    size_t max;
    uint64_t hash;
    uint64_t events;
    uint64_t packets;
    /* optional oracle: packets expected, in order */
    const uint8_t *const *want;
    const size_t *want_len;
    size_t nwant, seen;
    bool oracle_ok;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

/* Run the argument parsers over a payload: results are irrelevant, only
 * that they return. */
static void poke_parsers(const char *p, size_t len)
{
    uint64_t a, l, v;
    const char *d;
    size_t dl;
    uint8_t buf[64];
    const uint8_t *bin;
    long tid;
    if (len == 0)
        return;
    (void)rsp_parse_addr_len(p + 1, len - 1, &a, &l);
    (void)rsp_parse_addr_len_data(p + 1, len - 1, &a, &l, &d, &dl);
    (void)rsp_parse_mem_write(p + 1, len - 1, &a, &l, buf, sizeof buf);
    (void)rsp_parse_mem_write_bin(p + 1, len - 1, &a, &l, &bin);
    (void)rsp_parse_hex_u64(p, len, &v);
    (void)rsp_parse_hex_prefix(p + 1, p + len, &v);
    (void)rsp_parse_thread_id_n(p + 1, len - 1, &tid);
    (void)rsp_parse_thread_id(p, &tid); /* stops at an embedded NUL: fine */
    (void)rsp_hex_decode(p, len, buf, sizeof buf, &dl);
    (void)rsp_hex_decode_le(p, len, &v);
}

static bool on_packet(void *opaque, enum rsp_event ev, const char *payload, size_t len)
{
    struct sink *s = opaque;
    CHECK(payload != NULL);
    CHECK(len <= s->max);
    CHECK(len <= RSP_MAX_PACKET);
    CHECK(payload[len] == '\0');
    CHECK(ev == RSP_EV_PACKET || len == 0);
    CHECK(ev >= RSP_EV_PACKET && ev <= RSP_EV_NAK);
    s->events++;
    s->hash = mix(s->hash, (uint64_t)ev * 1000003u + len);
    for (size_t i = 0; i < len; i++)
        s->hash = mix(s->hash, (uint8_t)payload[i]);
    if (ev != RSP_EV_PACKET)
        return true;
    s->packets++;
    if (s->want) {
        if (s->seen < s->nwant && s->want_len[s->seen] == len &&
            memcmp(s->want[s->seen], payload, len) == 0)
            s->seen++;
        else
            s->oracle_ok = false;
    }
    poke_parsers(payload, len);
    return true;
}

static void on_ctrlc(void *opaque)
{
    struct sink *s = opaque;
    s->events++;
    s->hash = mix(s->hash, 0xc7);
}

/* Encode a decoded payload and decode the frame again with a second
 * decoder: exactly one packet, the same bytes. */
struct roundtrip {
    const char *want;
    size_t len;
    size_t seen;
};

static bool rt_cb(void *opaque, enum rsp_event ev, const char *payload, size_t len)
{
    struct roundtrip *rt = opaque;
    CHECK(ev == RSP_EV_PACKET);
    CHECK(len == rt->len);
    CHECK(memcmp(payload, rt->want, len) == 0);
    rt->seen++;
    return true;
}

struct repacket {
    char *frame;
    size_t cap;
    struct rsp_decoder *dec;
};

static bool reencode_cb(void *opaque, enum rsp_event ev, const char *payload, size_t len)
{
    struct repacket *r = opaque;
    if (ev != RSP_EV_PACKET)
        return true;
    size_t n = rsp_encode(payload, len, r->frame, r->cap);
    CHECK(n == rsp_encoded_len(payload, len));
    CHECK(n >= len + 4 && n <= 2 * len + 4);
    struct roundtrip rt = { payload, len, 0 };
    rsp_decoder_init(r->dec, 0);
    CHECK(rsp_feed(r->dec, r->frame, n, rt_cb, NULL, &rt) == n);
    CHECK(rt.seen == 1);
    return true;
}

/* Feed `data` to a decoder in pieces whose sizes come from `splits`
 * (0 = one piece).  Returns the sink's digest. */
static uint64_t run_split(struct rsp_decoder *dec, size_t max, const uint8_t *data, size_t size,
                          uint64_t splits, struct sink *s)
{
    rsp_decoder_init(dec, max);
    s->max = dec->max;
    size_t off = 0;
    while (off < size) {
        size_t chunk = size - off;
        if (splits) {
            size_t c = 1 + (size_t)(splits % 97);
            splits = splits * 6364136223846793005ull + 1442695040888963407ull;
            if (c < chunk)
                chunk = c;
        }
        size_t used = rsp_feed(dec, data + off, chunk, on_packet, on_ctrlc, s);
        CHECK(used == chunk);
        off += chunk;
    }
    const struct rsp_dec_stats *st = &dec->stats;
    CHECK(s->events == st->packets + st->bad_checksum + st->malformed + st->oversize + st->acks +
                           st->naks + st->ctrlc);
    CHECK(s->packets == st->packets);
    return s->hash;
}

/* The per-input work shared by both modes.  The first byte picks the
 * decoder limit (small limits exercise the oversize path) and the split
 * pattern. */
static void one_input(const uint8_t *data, size_t size, const uint8_t *const *want,
                      const size_t *want_len, size_t nwant)
{
    static const size_t limits[] = { 0, RSP_MIN_PACKET, 100, 1000 };
    size_t max = 0;
    uint64_t splits = 0x1234;
    if (size > 0) {
        max = limits[data[0] & 3];
        splits += data[0] >> 2;
    }
    struct rsp_decoder *dec = malloc(2 * sizeof *dec);
    CHECK(dec != NULL);

    struct sink whole = { .hash = 1 };
    whole.want = want;
    whole.want_len = want_len;
    whole.nwant = nwant;
    whole.oracle_ok = true;
    uint64_t h1 = run_split(dec, max, data, size, 0, &whole);
    if (want)
        CHECK(whole.oracle_ok && whole.seen == nwant);

    struct sink pieces = { .hash = 1 };
    uint64_t h2 = run_split(dec, max, data, size, splits, &pieces);
    CHECK(h1 == h2);
    CHECK(whole.events == pieces.events);

    /* every decoded packet survives encode -> decode */
    size_t cap = 2 * RSP_MAX_PACKET + 8;
    struct repacket rp = { malloc(cap), cap, dec + 1 };
    CHECK(rp.frame != NULL);
    rsp_decoder_init(dec, max);
    CHECK(rsp_feed(dec, data, size, reencode_cb, NULL, &rp) == size);
    free(rp.frame);
    free(dec);
}

#ifdef LIBFUZZER

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_input(data, size, NULL, NULL, 0);
    return 0;
}

#else

/* ---- standalone deterministic mutation fuzzer ---- */

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t below(struct rng *r, size_t n)
{
    return n ? (size_t)(next(r) % n) : 0;
}

static const uint8_t meta[] = { '$', '#', '}', '*', '+', '-', 0x03, '0', 'f', ' ', '~', 0x1c, 0x1d };

#define MAX_PAYLOAD 600
#define MAX_PKTS 6
/* room for the prefix byte, every packet at its largest, acks, and junk
 * spliced in by mutate() */
#define MAX_STREAM (1 + MAX_PKTS * (2 * MAX_PAYLOAD + 4 + 2) + 256)

struct gen {
    uint8_t stream[MAX_STREAM];
    size_t len;
    uint8_t payload[MAX_PKTS][MAX_PAYLOAD];
    const uint8_t *want[MAX_PKTS];
    size_t want_len[MAX_PKTS];
    size_t npkts;
};

static void put(struct gen *g, const void *p, size_t n)
{
    CHECK(n <= MAX_STREAM - g->len);
    memcpy(g->stream + g->len, p, n);
    g->len += n;
}

/* Mostly short lengths, sometimes up to cap - 1. */
static size_t some_len(struct rng *r, size_t cap)
{
    return below(r, below(r, 4) ? 48 : cap);
}

/* A plausible payload: text commands, hex, binary, long runs. */
static size_t make_payload(struct rng *r, uint8_t *p, size_t cap)
{
    static const char *cmds[] = { "g", "?", "qSupported:multiprocess+;swbreak+", "m80000000,40",
                                  "M1000,2:abcd", "X1000,3:", "vCont;s:p1.2;c", "Hgp1.1",
                                  "qXfer:features:read:target.xml:0,ffb", "Z0,80001000,4",
                                  "p41", "P20=0010000080000000", "T1", "qfThreadInfo" };
    size_t n = 0;
    switch (below(r, 4)) {
    case 0: {
        const char *c = cmds[below(r, sizeof cmds / sizeof cmds[0])];
        n = strlen(c);
        memcpy(p, c, n);
        break;
    }
    case 1: /* hex */
        n = some_len(r, cap);
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)"0123456789abcdef"[below(r, 16)];
        break;
    case 2: /* binary, all byte values */
        n = some_len(r, cap);
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)next(r);
        break;
    default: /* runs of one byte (the decoder must not confuse them) */
        n = some_len(r, cap);
        {
            uint8_t c = meta[below(r, sizeof meta)];
            for (size_t i = 0; i < n; i++) {
                if (below(r, 8) == 0)
                    c = (uint8_t)next(r);
                p[i] = c;
            }
        }
        break;
    }
    return n;
}

/* A run-length encoded raw frame of `c` repeated: "c*N" pieces. */
static void put_rle_frame(struct gen *g, struct rng *r, size_t idx)
{
    uint8_t c = (uint8_t)"0123456789abcdefxyz"[below(r, 19)];
    uint8_t body[64];
    size_t bl = 0, dl = 0;
    uint8_t *out = g->payload[idx];
    size_t pieces = 1 + below(r, 6);
    for (size_t k = 0; k < pieces; k++) {
        body[bl++] = c;
        out[dl++] = c;
        if (below(r, 2)) {
            /* counts 3..97 (printable ' '..'~' but not '#' or '$') */
            uint8_t cnt;
            do
                cnt = (uint8_t)(32 + below(r, 95));
            while (cnt == '#' || cnt == '$');
            body[bl++] = '*';
            body[bl++] = cnt;
            for (int i = 0; i < cnt - 29; i++)
                out[dl++] = c;
        }
    }
    unsigned sum = 0;
    for (size_t i = 0; i < bl; i++)
        sum += body[i];
    char tail[4];
    snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
    put(g, "$", 1);
    put(g, body, bl);
    put(g, tail, 3);
    g->want[idx] = out;
    g->want_len[idx] = dl;
}

/* A well-formed stream after one prefix byte (it picks the decoder limit
 * and split pattern in one_input): acks, interrupts and packets, no junk
 * inside packets; the oracle lists the packets. */
static void generate(struct gen *g, struct rng *r, uint8_t prefix)
{
    g->len = 0;
    g->npkts = 0;
    put(g, &prefix, 1);
    size_t n = 1 + below(r, MAX_PKTS);
    for (size_t k = 0; k < n; k++) {
        if (below(r, 3) == 0)
            put(g, below(r, 2) ? "+" : "-", 1);
        if (below(r, 8) == 0)
            put(g, "\x03", 1);
        if (below(r, 4) == 0) {
            put_rle_frame(g, r, g->npkts++);
            continue;
        }
        size_t pl = make_payload(r, g->payload[g->npkts], sizeof g->payload[0]);
        char frame[2 * sizeof g->payload[0] + 8];
        size_t fl = rsp_encode(g->payload[g->npkts], pl, frame, sizeof frame);
        CHECK(fl > 0);
        put(g, frame, fl);
        g->want[g->npkts] = g->payload[g->npkts];
        g->want_len[g->npkts] = pl;
        g->npkts++;
    }
}

static void mutate(struct gen *g, struct rng *r)
{
    size_t edits = 1 + below(r, 8);
    for (size_t e = 0; e < edits; e++) {
        size_t at = 1 + below(r, g->len); /* the prefix byte stays */
        if (at > g->len)
            at = g->len;
        switch (below(r, 6)) {
        case 0: /* flip a bit */
            if (at < g->len)
                g->stream[at] ^= (uint8_t)(1u << below(r, 8));
            break;
        case 1: /* overwrite with a metacharacter */
            if (at < g->len)
                g->stream[at] = meta[below(r, sizeof meta)];
            break;
        case 2: /* insert a metacharacter */
            if (g->len < MAX_STREAM) {
                memmove(g->stream + at + 1, g->stream + at, g->len - at);
                g->stream[at] = meta[below(r, sizeof meta)];
                g->len++;
            }
            break;
        case 3: /* drop a byte */
            if (at < g->len) {
                memmove(g->stream + at, g->stream + at + 1, g->len - at - 1);
                g->len--;
            }
            break;
        case 4: /* truncate */
            g->len = at;
            break;
        default: /* splice random junk */
            for (size_t i = below(r, 32); i > 0 && g->len < MAX_STREAM; i--) {
                at = 1 + below(r, g->len);
                memmove(g->stream + at + 1, g->stream + at, g->len - at);
                g->stream[at] = (uint8_t)next(r);
                g->len++;
            }
            break;
        }
    }
}

int main(int argc, char **argv)
{
    unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000ul;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x6864b5eedull;
    struct rng r = { seed };
    struct gen *g = malloc(sizeof *g);
    CHECK(g != NULL);
    unsigned long oracle_runs = 0;
    for (unsigned long it = 0; it < iters; it++) {
        bool clean = below(&r, 4) == 0;
        /* an oracle run needs the default limit (index 0, low bits 00) so
         * every generated packet fits; the prefix is then junk to the
         * decoder */
        uint8_t prefix = (uint8_t)next(&r);
        if (clean)
            prefix = (uint8_t)(prefix & ~3u);
        if (prefix == '$')
            prefix = 0;
        generate(g, &r, prefix);
        if (clean) {
            one_input(g->stream, g->len, g->want, g->want_len, g->npkts);
            oracle_runs++;
        } else {
            mutate(g, &r);
            one_input(g->stream, g->len, NULL, NULL, 0);
        }
    }
    free(g);
    printf("rsp_fuzz: %lu iterations (%lu with an oracle), seed %#llx: ok\n", iters, oracle_runs,
           (unsigned long long)seed);
    return 0;
}

#endif
