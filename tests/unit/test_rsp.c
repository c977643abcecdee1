/* GDB remote protocol codec and RISC-V register map unit tests: framing
 * (good packets, checksums, escapes of every byte value, run-length, 0x03,
 * acks, every split point, oversize, junk), hex and argument parsing,
 * thread ids, the register table and target.xml. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/riscv/gdb_regs.h"
#include "gdbstub/rsp.h"

/* ---- event recorder ---- */

#define MAX_EVENTS 64

struct ev {
    enum rsp_event kind; /* or -1 for Ctrl-C */
    size_t len;
    char data[RSP_MAX_PACKET + 1];
};

struct rec {
    size_t n;
    size_t stop_after; /* callback returns false after this many events (0: never) */
    struct ev ev[MAX_EVENTS];
};

#define EV_CTRLC ((enum rsp_event)-1)

static bool on_pkt(void *opaque, enum rsp_event kind, const char *payload, size_t len)
{
    struct rec *r = opaque;
    ck_assert_ptr_nonnull(payload);
    ck_assert_uint_le(len, RSP_MAX_PACKET);
    ck_assert_int_eq(payload[len], '\0');
    if (kind != RSP_EV_PACKET)
        ck_assert_uint_eq(len, 0);
    ck_assert_uint_lt(r->n, MAX_EVENTS);
    struct ev *e = &r->ev[r->n++];
    e->kind = kind;
    e->len = len;
    memcpy(e->data, payload, len + 1);
    return !(r->stop_after && r->n == r->stop_after);
}

static void on_ctrlc(void *opaque)
{
    struct rec *r = opaque;
    ck_assert_uint_lt(r->n, MAX_EVENTS);
    r->ev[r->n].kind = EV_CTRLC;
    r->ev[r->n].len = 0;
    r->ev[r->n].data[0] = '\0';
    r->n++;
}

static struct rec *rec_new(void)
{
    struct rec *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    return r;
}

static struct rsp_decoder *dec_new(size_t max)
{
    struct rsp_decoder *d = malloc(sizeof *d);
    ck_assert_ptr_nonnull(d);
    rsp_decoder_init(d, max);
    return d;
}

/* Feed a whole buffer; everything must be consumed. */
static void feed(struct rsp_decoder *d, struct rec *r, const void *buf, size_t len)
{
    ck_assert_uint_eq(rsp_feed(d, buf, len, on_pkt, on_ctrlc, r), len);
}

static void feeds(struct rsp_decoder *d, struct rec *r, const char *s)
{
    feed(d, r, s, strlen(s));
}

static void expect_packet(const struct rec *r, size_t i, const void *data, size_t len)
{
    ck_assert_uint_gt(r->n, i);
    ck_assert_msg(r->ev[i].kind == RSP_EV_PACKET, "event %zu is %s, not a packet", i,
                  rsp_event_name(r->ev[i].kind));
    ck_assert_uint_eq(r->ev[i].len, len);
    ck_assert(memcmp(r->ev[i].data, data, len) == 0);
}

static void expect_kind(const struct rec *r, size_t i, enum rsp_event kind)
{
    ck_assert_uint_gt(r->n, i);
    ck_assert_msg(r->ev[i].kind == kind, "event %zu: got %d want %d", i, (int)r->ev[i].kind,
                  (int)kind);
}

/* Frame an arbitrary raw body (no escaping) with a correct checksum. */
static size_t frame_raw(const char *body, size_t n, char *out)
{
    unsigned sum = 0;
    out[0] = '$';
    for (size_t i = 0; i < n; i++) {
        out[1 + i] = body[i];
        sum += (unsigned char)body[i];
    }
    sprintf(out + 1 + n, "#%02x", sum & 0xff);
    return n + 4;
}

/* ---- framing ---- */

START_TEST(good_packets)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    feeds(d, r, "$g#67$qSupported:multiprocess+;swbreak+#1b$#00");
    ck_assert_uint_eq(r->n, 3);
    expect_packet(r, 0, "g", 1);
    expect_packet(r, 1, "qSupported:multiprocess+;swbreak+", 33);
    expect_packet(r, 2, "", 0);
    /* upper-case checksum digits are accepted */
    feeds(d, r, "$OK#9A");
    expect_packet(r, 3, "OK", 2);
    ck_assert_uint_eq(d->stats.packets, 4);
    ck_assert(!rsp_decoder_busy(d));
    free(r);
    free(d);
}
END_TEST

START_TEST(bad_checksum)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    feeds(d, r, "$g#68");
    ck_assert_uint_eq(r->n, 1);
    expect_kind(r, 0, RSP_EV_BAD_CHECKSUM);
    /* non-hex checksum digits: reported, and the byte is looked at again */
    feeds(d, r, "$g#6$g#67");
    ck_assert_uint_eq(r->n, 3);
    expect_kind(r, 1, RSP_EV_BAD_CHECKSUM);
    expect_packet(r, 2, "g", 1);
    feeds(d, r, "$g#+");
    expect_kind(r, 3, RSP_EV_BAD_CHECKSUM);
    expect_kind(r, 4, RSP_EV_ACK);
    feeds(d, r, "$g#z\x03");
    expect_kind(r, 5, RSP_EV_BAD_CHECKSUM);
    expect_kind(r, 6, EV_CTRLC);
    ck_assert_uint_eq(r->n, 7);
    ck_assert_uint_eq(d->stats.bad_checksum, 4);
    free(r);
    free(d);
}
END_TEST

START_TEST(encode_basic)
{
    char out[64];
    ck_assert_uint_eq(rsp_encode("OK", 2, out, sizeof out), 6);
    ck_assert_str_eq(out, "$OK#9a");
    ck_assert_uint_eq(rsp_encode("", 0, out, sizeof out), 4);
    ck_assert_str_eq(out, "$#00");
    ck_assert_uint_eq(rsp_encode("a#b", 3, out, sizeof out), 8);
    ck_assert(memcmp(out, "$a}\x03" "b#", 6) == 0);
    ck_assert_uint_eq(rsp_encoded_len("$#}*", 4), 12);
    /* exactly fitting (no room for the NUL) and too small */
    memset(out, 'Z', sizeof out);
    ck_assert_uint_eq(rsp_encode("OK", 2, out, 6), 6);
    ck_assert_int_eq(out[6], 'Z');
    ck_assert_uint_eq(rsp_encode("OK", 2, out, 5), 0);
    ck_assert_uint_eq(rsp_encode("OK", 2, NULL, 64), 0);
}
END_TEST

/* Every byte value survives encode -> decode, alone and in context. */
START_TEST(escape_round_trip_every_byte)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    char out[64];
    for (int b = 0; b < 256; b++) {
        uint8_t payload[3] = { 'X', (uint8_t)b, 'Y' };
        for (size_t off = 0; off < 2; off++) {
            const uint8_t *p = payload + off * 1;
            size_t plen = off ? 1 : 3;
            size_t n = rsp_encode(p, plen, out, sizeof out);
            ck_assert_uint_eq(n, rsp_encoded_len(p, plen));
            bool special = b == '#' || b == '$' || b == '}' || b == '*';
            ck_assert_uint_eq(n, plen + 4 + special);
            r->n = 0;
            feed(d, r, out, n);
            ck_assert_uint_eq(r->n, 1);
            expect_packet(r, 0, p, plen);
        }
    }
    /* all 256 values in one packet, twice over */
    uint8_t all[512];
    for (int i = 0; i < 512; i++)
        all[i] = (uint8_t)i;
    char big[1200];
    size_t n = rsp_encode(all, sizeof all, big, sizeof big);
    ck_assert_uint_eq(n, 512 + 4 + 8);
    r->n = 0;
    feed(d, r, big, n);
    ck_assert_uint_eq(r->n, 1);
    expect_packet(r, 0, all, sizeof all);
    free(r);
    free(d);
}
END_TEST

START_TEST(run_length)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    char f[256];
    /* E.1: "0* " is 0 followed by ' ' - 29 = 3 more zeros */
    static const struct { const char *raw, *want; } cases[] = {
        { "0* ", "0000" },
        { "0*!", "00000" },
        { "0*\"", "000000" },
        { "0*\"0", "0000000" },
        { "a0*%b", "a000000000b" },   /* '%' = 37: 8 more */
        { "x*\x1d", "x" },             /* count 29: no repeat */
        { "}]*!", "}}}}}" },           /* repeats the decoded (unescaped) byte */
        { "0*\"*\"", "00000000000" },  /* a run after a run */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = frame_raw(cases[i].raw, strlen(cases[i].raw), f);
        r->n = 0;
        feed(d, r, f, n);
        ck_assert_uint_eq(r->n, 1);
        expect_packet(r, 0, cases[i].want, strlen(cases[i].want));
    }
    /* '~' = 126: 97 more */
    size_t n = frame_raw("1*~", 3, f);
    r->n = 0;
    feed(d, r, f, n);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->ev[0].len, 98);
    for (size_t i = 0; i < 98; i++)
        ck_assert_int_eq(r->ev[0].data[i], '1');
    /* malformed: nothing to repeat, count below 29, '*' or '}' right before '#' */
    static const char *bad[] = { "* ", "0*\x1c", "ab*", "ab}", "*" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = frame_raw(bad[i], strlen(bad[i]), f);
        r->n = 0;
        feed(d, r, f, n);
        ck_assert_uint_eq(r->n, 1);
        expect_kind(r, 0, RSP_EV_MALFORMED);
    }
    /* malformed body with a wrong checksum is a checksum error */
    r->n = 0;
    feeds(d, r, "$*#00");
    expect_kind(r, 0, RSP_EV_BAD_CHECKSUM);
    /* the stream continues normally */
    feeds(d, r, "$g#67");
    expect_packet(r, 1, "g", 1);
    free(r);
    free(d);
}
END_TEST

START_TEST(ctrlc_and_acks)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    /* 0x03 outside is an interrupt, inside a packet it is data */
    char f[32];
    size_t n = frame_raw("X\x03Y", 3, f);
    feeds(d, r, "+-\x03");
    feed(d, r, f, n);
    feeds(d, r, "+\x03");
    ck_assert_uint_eq(r->n, 6);
    expect_kind(r, 0, RSP_EV_ACK);
    expect_kind(r, 1, RSP_EV_NAK);
    expect_kind(r, 2, EV_CTRLC);
    expect_packet(r, 3, "X\x03Y", 3);
    expect_kind(r, 4, RSP_EV_ACK);
    expect_kind(r, 5, EV_CTRLC);
    ck_assert_uint_eq(d->stats.acks, 2);
    ck_assert_uint_eq(d->stats.naks, 1);
    ck_assert_uint_eq(d->stats.ctrlc, 2);
    /* NULL callbacks: counted only */
    ck_assert_uint_eq(rsp_feed(d, "\x03$g#67+", 7, NULL, NULL, NULL), 7);
    ck_assert_uint_eq(d->stats.ctrlc, 3);
    ck_assert_uint_eq(d->stats.packets, 2);
    ck_assert_uint_eq(r->n, 6);
    free(r);
    free(d);
}
END_TEST

/* A stream of several packets gives the same events however it is split. */
START_TEST(split_feeds)
{
    char stream[512];
    size_t len = 0;
    const char *pre = "junk+\x03";
    memcpy(stream, pre, strlen(pre));
    len += strlen(pre);
    len += rsp_encode("qSupported:xmlRegisters=i386", 28, stream + len, sizeof stream - len);
    stream[len++] = '-';
    len += rsp_encode("X1000,4:\x00#$}", 12, stream + len, sizeof stream - len);
    len += frame_raw("m0*\"", 4, stream + len);
    len += rsp_encode("vCont;s:p1.2;c", 14, stream + len, sizeof stream - len);
    memcpy(stream + len, "$g#00", 5); /* bad checksum */
    len += 5;

    struct rsp_decoder *d = dec_new(0);
    struct rec *ref = rec_new(), *r = rec_new();
    feed(d, ref, stream, len);
    ck_assert_uint_eq(ref->n, 8);
    expect_kind(ref, 0, RSP_EV_ACK);
    expect_kind(ref, 1, EV_CTRLC);
    expect_packet(ref, 2, "qSupported:xmlRegisters=i386", 28);
    expect_kind(ref, 3, RSP_EV_NAK);
    expect_packet(ref, 4, "X1000,4:\x00#$}", 12);
    expect_packet(ref, 5, "m000000", 7);
    expect_packet(ref, 6, "vCont;s:p1.2;c", 14);
    expect_kind(ref, 7, RSP_EV_BAD_CHECKSUM);

    /* two pieces, at every boundary */
    for (size_t cut = 0; cut <= len; cut++) {
        rsp_decoder_init(d, 0);
        r->n = 0;
        feed(d, r, stream, cut);
        feed(d, r, stream + cut, len - cut);
        ck_assert_uint_eq(r->n, ref->n);
        for (size_t i = 0; i < ref->n; i++) {
            ck_assert_int_eq(r->ev[i].kind, ref->ev[i].kind);
            ck_assert_uint_eq(r->ev[i].len, ref->ev[i].len);
            ck_assert(memcmp(r->ev[i].data, ref->ev[i].data, ref->ev[i].len) == 0);
        }
    }
    /* three pieces */
    for (size_t a = 0; a <= len; a += 3) {
        for (size_t b = a; b <= len; b += 5) {
            rsp_decoder_init(d, 0);
            r->n = 0;
            feed(d, r, stream, a);
            feed(d, r, stream + a, b - a);
            feed(d, r, stream + b, len - b);
            ck_assert_uint_eq(r->n, ref->n);
            for (size_t i = 0; i < ref->n; i++)
                ck_assert_int_eq(r->ev[i].kind, ref->ev[i].kind);
        }
    }
    /* byte by byte */
    rsp_decoder_init(d, 0);
    r->n = 0;
    for (size_t i = 0; i < len; i++)
        feed(d, r, stream + i, 1);
    ck_assert_uint_eq(r->n, ref->n);
    for (size_t i = 0; i < ref->n; i++)
        ck_assert_int_eq(r->ev[i].kind, ref->ev[i].kind);
    free(r);
    free(ref);
    free(d);
}
END_TEST

/* A callback returning false stops rsp_feed right after that event. */
START_TEST(callback_stops_feed)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    const char *s = "$g#67$?#3f+";
    size_t len = strlen(s);
    r->stop_after = 1;
    size_t used = rsp_feed(d, s, len, on_pkt, on_ctrlc, r);
    ck_assert_uint_eq(used, 5);
    ck_assert_uint_eq(r->n, 1);
    r->stop_after = 0;
    feed(d, r, s + used, len - used);
    ck_assert_uint_eq(r->n, 3);
    expect_packet(r, 1, "?", 1);
    expect_kind(r, 2, RSP_EV_ACK);
    /* a stop on an event that re-examines its byte leaves that byte */
    rsp_decoder_init(d, 0);
    r->n = 0;
    r->stop_after = 1;
    used = rsp_feed(d, "$g#6$g#67", 9, on_pkt, on_ctrlc, r);
    ck_assert_uint_eq(used, 4);
    expect_kind(r, 0, RSP_EV_BAD_CHECKSUM);
    r->stop_after = 0;
    feed(d, r, "$g#67" , 5);
    expect_packet(r, 1, "g", 1);
    free(r);
    free(d);
}
END_TEST

START_TEST(oversize)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    size_t cap = 2 * RSP_MAX_PACKET + 64;
    char *payload = malloc(cap), *f = malloc(2 * cap);
    memset(payload, 'a', cap);
    /* exactly the maximum is fine */
    size_t n = rsp_encode(payload, RSP_MAX_PACKET, f, 2 * cap);
    feed(d, r, f, n);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->ev[0].len, RSP_MAX_PACKET);
    /* one more byte is dropped and reported once the packet ends */
    n = rsp_encode(payload, RSP_MAX_PACKET + 1, f, 2 * cap);
    r->n = 0;
    feed(d, r, f, n);
    feeds(d, r, "$g#67");
    ck_assert_uint_eq(r->n, 2);
    expect_kind(r, 0, RSP_EV_OVERSIZE);
    expect_packet(r, 1, "g", 1);
    /* an endless packet: nothing until the next '$' resynchronises */
    r->n = 0;
    feeds(d, r, "$");
    for (int i = 0; i < 5; i++)
        feed(d, r, payload, cap);
    ck_assert_uint_eq(r->n, 0);
    ck_assert(rsp_decoder_busy(d));
    feeds(d, r, "$g#67");
    ck_assert_uint_eq(r->n, 2);
    expect_kind(r, 0, RSP_EV_OVERSIZE);
    expect_packet(r, 1, "g", 1);
    /* run-length expansion past the maximum */
    rsp_decoder_init(d, 64);
    ck_assert_uint_eq(d->max, 64);
    r->n = 0;
    n = frame_raw("0*~", 3, f); /* 98 bytes */
    feed(d, r, f, n);
    n = frame_raw("0*]", 3, f); /* 1 + 64 = 65 bytes */
    feed(d, r, f, n);
    n = frame_raw("0*\\", 3, f); /* 1 + 63 = 64 bytes */
    feed(d, r, f, n);
    ck_assert_uint_eq(r->n, 3);
    expect_kind(r, 0, RSP_EV_OVERSIZE);
    expect_kind(r, 1, RSP_EV_OVERSIZE);
    expect_kind(r, 2, RSP_EV_PACKET);
    ck_assert_uint_eq(r->ev[2].len, 64);
    ck_assert_uint_eq(d->stats.oversize, 2);
    /* limits are clamped */
    rsp_decoder_init(d, 1);
    ck_assert_uint_eq(d->max, RSP_MIN_PACKET);
    rsp_decoder_init(d, RSP_MAX_PACKET * 4);
    ck_assert_uint_eq(d->max, RSP_MAX_PACKET);
    free(payload);
    free(f);
    free(r);
    free(d);
}
END_TEST

START_TEST(junk_and_restart)
{
    struct rsp_decoder *d = dec_new(0);
    struct rec *r = rec_new();
    /* junk between packets is skipped and counted */
    feeds(d, r, "hello#12 world\r\n$g#67\xff\xfe");
    ck_assert_uint_eq(r->n, 1);
    expect_packet(r, 0, "g", 1);
    ck_assert_uint_eq(d->stats.junk, 18);
    /* '$' inside a packet drops the partial one */
    feeds(d, r, "$m1000,$g#67");
    ck_assert_uint_eq(r->n, 2);
    expect_packet(r, 1, "g", 1);
    ck_assert_uint_eq(d->stats.restarts, 1);
    /* '$' right after an escape or a run marker too */
    feeds(d, r, "$a}$g#67$a*$g#67");
    ck_assert_uint_eq(r->n, 4);
    expect_packet(r, 3, "g", 1);
    /* reset forgets a partial packet */
    feeds(d, r, "$m10");
    ck_assert(rsp_decoder_busy(d));
    rsp_decoder_reset(d);
    ck_assert(!rsp_decoder_busy(d));
    feeds(d, r, ",4#00");
    ck_assert_uint_eq(r->n, 4);
    ck_assert_str_eq(rsp_event_name(RSP_EV_OVERSIZE), "oversize");
    free(r);
    free(d);
}
END_TEST

static bool count_pkt(void *opaque, enum rsp_event kind, const char *payload, size_t len)
{
    size_t *events = opaque;
    ck_assert_uint_le(len, 64);
    ck_assert_int_eq(payload[len], '\0');
    ck_assert(kind == RSP_EV_PACKET || len == 0);
    (*events)++;
    return true;
}

static void count_ctrlc(void *opaque)
{
    (*(size_t *)opaque)++;
}

/* Deterministic random bytes must never crash or misreport. */
START_TEST(random_junk)
{
    struct rsp_decoder *d = dec_new(64);
    size_t events = 0;
    uint64_t x = 0x1234567;
    uint8_t buf[4096];
    static const uint8_t alphabet[] = { '$', '#', '}', '*', '+', '-', 3, '0', 'a', 'F', ' ', '~' };
    for (int round = 0; round < 64; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (x >> 40) & 1 ? alphabet[(x >> 8) % sizeof alphabet] : (uint8_t)x;
        }
        size_t off = 0;
        while (off < sizeof buf) {
            size_t chunk = 1 + (size_t)((x >> 20) % 300);
            if (chunk > sizeof buf - off)
                chunk = sizeof buf - off;
            size_t used = rsp_feed(d, buf + off, chunk, count_pkt, count_ctrlc, &events);
            ck_assert_uint_eq(used, chunk);
            off += chunk;
            x = x * 6364136223846793005ull + 1442695040888963407ull;
        }
    }
    const struct rsp_dec_stats *st = &d->stats;
    ck_assert_uint_eq(events, st->packets + st->bad_checksum + st->malformed + st->oversize +
                                  st->acks + st->naks + st->ctrlc);
    ck_assert_uint_gt(st->packets, 0);
    ck_assert_uint_gt(st->bad_checksum, 0);
    free(d);
}
END_TEST

/* ---- hex and arguments ---- */

START_TEST(hex_codec)
{
    char out[64];
    uint8_t b[16];
    size_t n;
    ck_assert_uint_eq(rsp_hex_encode("\x01\xab\xff\x00", 4, out, sizeof out), 8);
    ck_assert_str_eq(out, "01abff00");
    ck_assert_uint_eq(rsp_hex_encode("ab", 2, out, 4), 0); /* no room for NUL */
    ck_assert_uint_eq(rsp_hex_encode("", 0, out, 1), 0);
    ck_assert_int_eq(out[0], '\0');
    ck_assert(rsp_hex_decode("01ABff00", 8, b, sizeof b, &n));
    ck_assert_uint_eq(n, 4);
    ck_assert(memcmp(b, "\x01\xab\xff\x00", 4) == 0);
    ck_assert(rsp_hex_decode("", 0, b, sizeof b, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert(!rsp_hex_decode("abc", 3, b, sizeof b, &n));    /* odd */
    ck_assert(!rsp_hex_decode("0g", 2, b, sizeof b, &n));     /* junk */
    ck_assert(!rsp_hex_decode(" 1", 2, b, sizeof b, &n));
    ck_assert(!rsp_hex_decode("0011", 4, b, 1, &n));          /* too long */
    for (int i = 0; i < 256; i++)
        ck_assert_int_eq(rsp_hex_digit(i), i >= '0' && i <= '9'   ? i - '0'
                                           : i >= 'a' && i <= 'f' ? i - 'a' + 10
                                           : i >= 'A' && i <= 'F' ? i - 'A' + 10
                                                                  : -1);
    /* little-endian register values */
    ck_assert_uint_eq(rsp_hex_encode_le(0x1122334455667788ull, 8, out), 16);
    ck_assert_str_eq(out, "8877665544332211");
    ck_assert_uint_eq(rsp_hex_encode_le(0x1f, 4, out), 8);
    ck_assert_str_eq(out, "1f000000");
    ck_assert_uint_eq(rsp_hex_encode_le(3, 1, out), 2);
    ck_assert_str_eq(out, "03");
    ck_assert_uint_eq(rsp_hex_encode_le(3, 0, out), 0);
    ck_assert_uint_eq(rsp_hex_encode_le(3, 9, out), 0);
    uint64_t v = 0;
    ck_assert(rsp_hex_decode_le("8877665544332211", 16, &v));
    ck_assert_uint_eq(v, 0x1122334455667788ull);
    ck_assert(rsp_hex_decode_le("0102", 4, &v));
    ck_assert_uint_eq(v, 0x0201);
    ck_assert(!rsp_hex_decode_le("010203040506070809", 18, &v));
    ck_assert(!rsp_hex_decode_le("", 0, &v));
    ck_assert(!rsp_hex_decode_le("012", 3, &v));
    ck_assert(!rsp_hex_decode_le("xx", 2, &v));
    for (unsigned nb = 1; nb <= 8; nb++) {
        uint64_t val = 0xfedcba9876543210ull >> (64 - 8 * nb);
        ck_assert_uint_eq(rsp_hex_encode_le(val, nb, out), 2 * nb);
        ck_assert(rsp_hex_decode_le(out, 2 * nb, &v));
        ck_assert_uint_eq(v, val);
    }
}
END_TEST

START_TEST(parse_numbers)
{
    uint64_t v = 0;
    ck_assert(rsp_parse_hex_u64("ffffffffffffffff", 16, &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert(rsp_parse_hex_u64("00000000000000000000001A", 24, &v)); /* leading zeros */
    ck_assert_uint_eq(v, 0x1a);
    ck_assert(!rsp_parse_hex_u64("10000000000000000", 17, &v)); /* 2^64 */
    ck_assert(!rsp_parse_hex_u64("", 0, &v));
    ck_assert(!rsp_parse_hex_u64("12g", 3, &v));
    ck_assert(!rsp_parse_hex_u64("-1", 2, &v));
    ck_assert(!rsp_parse_hex_u64("0x10", 4, &v));
    ck_assert(rsp_parse_hex_u64("12g", 2, &v)); /* span-limited */
    ck_assert_uint_eq(v, 0x12);
    const char *z = "1,80000000,4;X2,0a";
    const char *e = z + strlen(z), *p;
    uint64_t type, addr, kind;
    p = rsp_parse_hex_prefix(z, e, &type);
    ck_assert(p && *p == ',');
    p = rsp_parse_hex_prefix(p + 1, e, &addr);
    ck_assert(p && *p == ',');
    p = rsp_parse_hex_prefix(p + 1, e, &kind);
    ck_assert(p && *p == ';');
    ck_assert_uint_eq(type, 1);
    ck_assert_uint_eq(addr, 0x80000000u);
    ck_assert_uint_eq(kind, 4);
    ck_assert_ptr_null(rsp_parse_hex_prefix(",", e, &v));
    ck_assert_ptr_null(rsp_parse_hex_prefix(z, z, &v));
}
END_TEST

START_TEST(parse_addr_len)
{
    uint64_t a = 0, l = 0;
#define AL(s) rsp_parse_addr_len(s, strlen(s), &a, &l)
    ck_assert(AL("80000000,4"));
    ck_assert_uint_eq(a, 0x80000000u);
    ck_assert_uint_eq(l, 4);
    ck_assert(AL("0,0"));
    ck_assert(AL("ffffffffffffffff,1"));
    ck_assert(AL("ffffffffffffffff,0"));
    ck_assert(AL("fffffffffffffff0,10"));
    ck_assert(!AL("ffffffffffffffff,2"));  /* wraps */
    ck_assert(!AL("fffffffffffffff1,10")); /* wraps */
    ck_assert(!AL("10000000000000000,1")); /* address overflow */
    ck_assert(!AL("0,10000000000000000")); /* length overflow */
    ck_assert(!AL("1000"));
    ck_assert(!AL("1000,"));
    ck_assert(!AL(",4"));
    ck_assert(!AL("1000,4x"));
    ck_assert(!AL("1000,4:"));
    ck_assert(!AL(" 1000,4"));
    ck_assert(!AL("1000;4"));
    ck_assert(!AL(""));
#undef AL
    const char *data;
    size_t dl;
    const char *s = "2000,3:abcdef";
    ck_assert(rsp_parse_addr_len_data(s, strlen(s), &a, &l, &data, &dl));
    ck_assert_uint_eq(a, 0x2000);
    ck_assert_uint_eq(l, 3);
    ck_assert_uint_eq(dl, 6);
    ck_assert(data == s + 7);
    ck_assert(rsp_parse_addr_len_data("2000,0:", 7, &a, &l, &data, &dl));
    ck_assert_uint_eq(dl, 0);
    ck_assert(!rsp_parse_addr_len_data("2000,3", 6, &a, &l, &data, &dl));
    ck_assert(!rsp_parse_addr_len_data("2000,3;ab", 9, &a, &l, &data, &dl));
    /* M */
    uint8_t buf[4];
    ck_assert(rsp_parse_mem_write("10,3:0a0B0c", 11, &a, &l, buf, sizeof buf));
    ck_assert_uint_eq(a, 0x10);
    ck_assert_uint_eq(l, 3);
    ck_assert(memcmp(buf, "\x0a\x0b\x0c", 3) == 0);
    ck_assert(rsp_parse_mem_write("10,0:", 5, &a, &l, buf, sizeof buf));
    ck_assert(!rsp_parse_mem_write("10,3:0a0b", 9, &a, &l, buf, sizeof buf));     /* short */
    ck_assert(!rsp_parse_mem_write("10,1:0a0b", 9, &a, &l, buf, sizeof buf));     /* long */
    ck_assert(!rsp_parse_mem_write("10,2:0a0g", 9, &a, &l, buf, sizeof buf));     /* junk */
    ck_assert(!rsp_parse_mem_write("10,5:0a0b0c0d0e", 15, &a, &l, buf, sizeof buf)); /* > outmax */
    ck_assert(!rsp_parse_mem_write("10,ffffffffffffffff:00", 22, &a, &l, buf, sizeof buf));
    /* X (already unescaped: binary, may hold NUL and ':') */
    const uint8_t *bin;
    ck_assert(rsp_parse_mem_write_bin("20,3:\x00:}", 8, &a, &l, &bin));
    ck_assert_uint_eq(a, 0x20);
    ck_assert_uint_eq(l, 3);
    ck_assert(memcmp(bin, "\x00:}", 3) == 0);
    ck_assert(rsp_parse_mem_write_bin("20,0:", 5, &a, &l, &bin)); /* X probe */
    ck_assert(!rsp_parse_mem_write_bin("20,4:\x00:}", 8, &a, &l, &bin));
    ck_assert(!rsp_parse_mem_write_bin("20,2:\x00:}", 8, &a, &l, &bin));
}
END_TEST

START_TEST(thread_ids)
{
    static const struct { const char *s; long tid; } good[] = {
        { "0", 0 }, { "-1", -1 }, { "1", 1 }, { "1f", 31 }, { "A", 10 }, { "p1.2", 2 },
        { "p1.-1", -1 }, { "p1.0", 0 }, { "p1", -1 }, { "p-1", -1 }, { "p-1.-1", -1 },
        { "pa.ff", 255 }, { "7fffffffffffffff", 0x7fffffffffffffffL }, { "0001", 1 },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long t = 12345;
        ck_assert_msg(rsp_parse_thread_id(good[i].s, &t), "rejected %s", good[i].s);
        ck_assert_int_eq(t, good[i].tid);
    }
    static const char *bad[] = {
        "", "p", "p.", "p1.", "p.1", "1.2", "-", "-2", "-10", "--1", "x", "1x", "p1.2x", "p1.2.3",
        "8000000000000000", "ffffffffffffffffff", "p-1.2", " 1", "1 ", "P1.2", "p1,2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long t = 12345;
        ck_assert_msg(!rsp_parse_thread_id(bad[i], &t), "accepted '%s'", bad[i]);
    }
    long t;
    ck_assert(!rsp_parse_thread_id(NULL, &t));
    ck_assert(rsp_parse_thread_id_n("p1.3;c", 4, &t)); /* inside vCont */
    ck_assert_int_eq(t, 3);
    ck_assert(!rsp_parse_thread_id_n("p1.3;c", 5, &t));
}
END_TEST

START_TEST(xfer_chunks)
{
    const char *doc = "0123456789";
    char out[16];
    size_t n = rsp_xfer_chunk(doc, 10, 0, 4, out, sizeof out);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(out, "m0123", 5) == 0);
    n = rsp_xfer_chunk(doc, 10, 4, 6, out, sizeof out);
    ck_assert(n == 7 && memcmp(out, "l456789", 7) == 0);
    n = rsp_xfer_chunk(doc, 10, 8, 100, out, sizeof out);
    ck_assert(n == 3 && memcmp(out, "l89", 3) == 0);
    n = rsp_xfer_chunk(doc, 10, 10, 100, out, sizeof out);
    ck_assert(n == 1 && out[0] == 'l');
    n = rsp_xfer_chunk(doc, 10, UINT64_MAX, UINT64_MAX, out, sizeof out);
    ck_assert(n == 1 && out[0] == 'l');
    n = rsp_xfer_chunk(doc, 10, 0, UINT64_MAX, out, 4); /* capped by the buffer */
    ck_assert(n == 4 && memcmp(out, "m012", 4) == 0);
    ck_assert_uint_eq(rsp_xfer_chunk(doc, 10, 0, 4, out, 0), 0);
}
END_TEST

/* ---- RISC-V register map ---- */

START_TEST(riscv_table)
{
    size_t n;
    const struct rv_gdb_reg *t = rv_gdb_regs(&n);
    ck_assert_uint_ge(n, 33 + 35 + 80 + 2);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ck_assert_int_lt(t[i - 1].regnum, t[i].regnum); /* sorted, unique */
        ck_assert_ptr_eq(rv_gdb_reg_by_regnum(t[i].regnum), &t[i]);
        ck_assert_ptr_eq(rv_gdb_reg_by_name(t[i].name), &t[i]);
        if (t[i].kind == RV_GDB_CSR || t[i].kind == RV_GDB_FCSR || t[i].kind == RV_GDB_VCSR) {
            ck_assert_int_eq(t[i].regnum, RV_GDB_REGNUM_CSR0 + (int)t[i].csr);
            ck_assert_uint_lt(t[i].csr, 4096);
        }
    }
    char name[16];
    for (int i = 0; i < 32; i++) {
        snprintf(name, sizeof name, "x%d", i);
        const struct rv_gdb_reg *r = rv_gdb_reg_by_regnum(i);
        ck_assert_ptr_nonnull(r);
        ck_assert_str_eq(r->name, name);
        ck_assert_int_eq(r->kind, RV_GDB_GPR);
        ck_assert_uint_eq(r->csr, (unsigned)i);
        ck_assert_int_eq(r->bits, 64);
        snprintf(name, sizeof name, "f%d", i);
        r = rv_gdb_reg_by_regnum(33 + i);
        ck_assert_ptr_nonnull(r);
        ck_assert_str_eq(r->name, name);
        ck_assert_int_eq(r->kind, RV_GDB_FPR);
        ck_assert_uint_eq(r->csr, (unsigned)i);
        ck_assert_int_eq(r->bits, 64);
    }
    const struct rv_gdb_reg *r = rv_gdb_reg_by_regnum(32);
    ck_assert(r && strcmp(r->name, "pc") == 0 && r->kind == RV_GDB_PC && r->bits == 64);
    ck_assert_ptr_eq(rv_gdb_reg_by_name("f0"), rv_gdb_reg_by_regnum(RV_GDB_REGNUM_F0));
    static const struct { const char *name; int regnum; int kind; unsigned csr; int bits; } want[] = {
        { "fflags", 66, RV_GDB_FCSR, 1, 32 }, { "frm", 67, RV_GDB_FCSR, 2, 32 },
        { "fcsr", 68, RV_GDB_FCSR, 3, 32 },
        { "mstatus", 833, RV_GDB_CSR, 0x300, 64 }, { "mepc", 898, RV_GDB_CSR, 0x341, 64 },
        { "mhartid", 3925, RV_GDB_CSR, 0xf14, 64 }, { "satp", 449, RV_GDB_CSR, 0x180, 64 },
        { "hstatus", 1601, RV_GDB_CSR, 0x600, 64 }, { "hgatp", 1729, RV_GDB_CSR, 0x680, 64 },
        { "vsatp", 705, RV_GDB_CSR, 0x280, 64 }, { "vsstatus", 577, RV_GDB_CSR, 0x200, 64 },
        { "htinst", 1675, RV_GDB_CSR, 0x64a, 64 },
        { "priv", RV_GDB_REGNUM_PRIV, RV_GDB_PRIV, 0, 8 },
        { "virt", RV_GDB_REGNUM_VIRT, RV_GDB_VIRT, 0, 8 },
        /* V 1.0: the vector CSRs at 65 + csr, v0..v31 after virt */
        { "vstart", 73, RV_GDB_VCSR, 0x008, 64 }, { "vcsr", 80, RV_GDB_VCSR, 0x00f, 64 },
        { "vl", 3169, RV_GDB_VCSR, 0xc20, 64 }, { "vtype", 3170, RV_GDB_VCSR, 0xc21, 64 },
        { "vlenb", 3171, RV_GDB_VCSR, 0xc22, 64 },
        { "v0", 4163, RV_GDB_VREG, 0, 0 }, { "v31", 4194, RV_GDB_VREG, 31, 0 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        r = rv_gdb_reg_by_name(want[i].name);
        ck_assert_msg(r != NULL, "no %s", want[i].name);
        ck_assert_int_eq(r->regnum, want[i].regnum);
        ck_assert_int_eq(r->kind, want[i].kind);
        ck_assert_uint_eq(r->csr, want[i].csr);
        ck_assert_int_eq(r->bits, want[i].bits);
    }
    ck_assert_int_eq(RV_GDB_REGNUM_PRIV, 4161);
    /* the hypervisor and VS CSRs the issue asks for */
    static const char *hv[] = {
        "hstatus", "hedeleg", "hideleg", "hie", "hip", "hvip", "hgatp", "htval", "htinst",
        "htimedelta", "henvcfg", "hcounteren", "vsstatus", "vsie", "vsip", "vstvec", "vsscratch",
        "vsepc", "vscause", "vstval", "vsatp", "sstatus", "stvec", "sepc", "scause", "stval",
        "sip", "sie", "sscratch", "medeleg", "mideleg", "mtvec", "mcause", "mtval", "mip", "mie",
        "mscratch", "misa", "mtval2", "mtinst",
    };
    for (size_t i = 0; i < sizeof hv / sizeof hv[0]; i++) {
        r = rv_gdb_reg_by_name(hv[i]);
        ck_assert_msg(r && r->kind == RV_GDB_CSR && r->bits == 64, "csr %s", hv[i]);
    }
    ck_assert_ptr_null(rv_gdb_reg_by_regnum(-1));
    ck_assert_ptr_null(rv_gdb_reg_by_regnum(65));
    ck_assert_ptr_null(rv_gdb_reg_by_regnum(69));
    ck_assert_ptr_null(rv_gdb_reg_by_regnum(100000));
    ck_assert_ptr_null(rv_gdb_reg_by_name("x32"));
    ck_assert_ptr_null(rv_gdb_reg_by_name(NULL));
    /* the recommended g prefix is exactly x0..x31, pc, f0..f31 */
    ck_assert_int_eq(t[RV_GDB_G_NREGS - 1].regnum, 64);
    ck_assert_int_gt(t[RV_GDB_G_NREGS].regnum, 64);
}
END_TEST

/* One description: every register of the table that this VLEN has (the
 * vector ones only with vlen != 0, v0..v31 of VLEN bits) appears with its
 * regnum and size exactly once, and no other; well-formed XML. */
static void check_target_xml(unsigned vlen)
{
    size_t len = 0;
    const char *x = rv_gdb_target_xml("target.xml", vlen, &len);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(len, strlen(x));
    ck_assert_ptr_null(rv_gdb_target_xml("other.xml", vlen, &len));
    ck_assert_ptr_null(rv_gdb_target_xml(NULL, vlen, &len));
    ck_assert_ptr_nonnull(rv_gdb_target_xml("target.xml", vlen, NULL));
    ck_assert(strncmp(x, "<?xml version=\"1.0\"?>", 21) == 0);
    ck_assert_ptr_nonnull(strstr(x, "<architecture>riscv:rv64</architecture>"));
    static const char *features[] = { "org.gnu.gdb.riscv.cpu", "org.gnu.gdb.riscv.fpu",
                                      "org.gnu.gdb.riscv.csr", "org.gnu.gdb.riscv.virtual",
                                      "org.gnu.gdb.riscv.vector" };
    for (size_t i = 0; i < 5; i++) {
        char want[64];
        snprintf(want, sizeof want, "<feature name=\"%s\">", features[i]);
        ck_assert_msg((strstr(x, want) != NULL) == (i < 4 || vlen), "%s with vlen %u", features[i], vlen);
    }
    size_t n, described = 0;
    const struct rv_gdb_reg *t = rv_gdb_regs(&n);
    for (size_t i = 0; i < n; i++) {
        bool vec = t[i].kind == RV_GDB_VREG || t[i].kind == RV_GDB_VCSR;
        char want[128];
        snprintf(want, sizeof want, "<reg name=\"%s\" bitsize=\"%d\" regnum=\"%d\"", t[i].name,
                 t[i].kind == RV_GDB_VREG ? (int)vlen : t[i].bits, t[i].regnum);
        const char *at = strstr(x, want);
        if (vec && !vlen) {
            snprintf(want, sizeof want, "\"%s\"", t[i].name);
            ck_assert_msg(strstr(x, want) == NULL, "%s without V", t[i].name);
            continue;
        }
        ck_assert_msg(at != NULL, "missing %s", want);
        ck_assert_ptr_null(strstr(at + 1, want));
        described++;
    }
    size_t regs = 0;
    for (const char *p = x; (p = strstr(p, "<reg ")) != NULL; p++)
        regs++;
    ck_assert_uint_eq(regs, described);
    ck_assert_uint_eq(described, vlen ? n : n - 39); /* 32 v + 7 vector CSRs */
    /* the registers of each feature are in it */
    const char *csr = strstr(x, "org.gnu.gdb.riscv.csr");
    const char *virt = strstr(x, "org.gnu.gdb.riscv.virtual");
    const char *hgatp = strstr(x, "\"hgatp\"");
    const char *priv = strstr(x, "\"priv\"");
    const char *fcsr = strstr(x, "\"fcsr\"");
    ck_assert(csr < hgatp && hgatp < virt && virt < priv && fcsr < csr);
    if (vlen) {
        const char *vf = strstr(x, "org.gnu.gdb.riscv.vector");
        const char *vl = strstr(x, "\"vlenb\"");
        const char *v31 = strstr(x, "\"v31\"");
        ck_assert(csr < vl && vl < virt && priv < vf && vf < v31);
        /* the union's element vectors cover VLEN bits each */
        char want[96];
        snprintf(want, sizeof want, "<vector id=\"riscv_vb\" type=\"uint8\" count=\"%u\"/>", vlen / 8);
        ck_assert_ptr_nonnull(strstr(x, want));
        snprintf(want, sizeof want, "<vector id=\"riscv_vd\" type=\"uint64\" count=\"%u\"/>", vlen / 64);
        ck_assert_ptr_nonnull(strstr(x, want));
        snprintf(want, sizeof want, "<vector id=\"riscv_vq\" type=\"uint128\" count=\"%u\"/>", vlen / 128);
        ck_assert_ptr_nonnull(strstr(x, want));
    }

    /* well-formed XML (xmllint from libxml2-utils, when installed) */
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_rsp: xmllint not installed, skipping the well-formedness check\n");
        return;
    }
    const char *dir = getenv("TMPDIR");
    char path[256];
    snprintf(path, sizeof path, "%s/hvsim-rsp-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, x, len), (ssize_t)len);
    close(fd);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
    int rc = system(cmd);
    unlink(path);
    ck_assert_int_eq(rc, 0);
}

START_TEST(riscv_target_xml)
{
    static const unsigned vlens[] = { 0, 128, 256, 512, 1024 };
    for (size_t i = 0; i < 5; i++)
        check_target_xml(vlens[i]);
    size_t len;
    ck_assert_ptr_null(rv_gdb_target_xml("target.xml", 64, &len));   /* no such VLEN */
    ck_assert_ptr_null(rv_gdb_target_xml("target.xml", 2048, &len));
    /* the description without V is the one before V: no vector word in it */
    const char *x = rv_gdb_target_xml("target.xml", 0, &len);
    ck_assert_ptr_null(strstr(x, "vector"));
    ck_assert_ptr_null(strstr(x, "\"vl\""));
}
END_TEST

Suite *rsp_suite(void)
{
    Suite *s = suite_create("rsp");
    TCase *tc = tcase_create("codec");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_packets);
    tcase_add_test(tc, bad_checksum);
    tcase_add_test(tc, encode_basic);
    tcase_add_test(tc, escape_round_trip_every_byte);
    tcase_add_test(tc, run_length);
    tcase_add_test(tc, ctrlc_and_acks);
    tcase_add_test(tc, split_feeds);
    tcase_add_test(tc, callback_stops_feed);
    tcase_add_test(tc, oversize);
    tcase_add_test(tc, junk_and_restart);
    tcase_add_test(tc, random_junk);
    tcase_add_test(tc, hex_codec);
    tcase_add_test(tc, parse_numbers);
    tcase_add_test(tc, parse_addr_len);
    tcase_add_test(tc, thread_ids);
    tcase_add_test(tc, xfer_chunks);
    suite_add_tcase(s, tc);
    TCase *tr = tcase_create("riscv_regs");
    tcase_add_test(tr, riscv_table);
    tcase_add_test(tr, riscv_target_xml);
    suite_add_tcase(s, tr);
    return s;
}
