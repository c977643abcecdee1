/* GDB Remote Serial Protocol packet codec (GDB manual, appendix E "Remote
 * Serial Protocol", E.1 Overview; E.8 Interrupts).  See rsp.h. */
#include "gdbstub/rsp.h"

#include <limits.h>
#include <string.h>

#define RSP_ESC 0x7d      /* '}' */
#define RSP_RLE 0x2a      /* '*' */
#define RSP_CTRLC 0x03
#define RSP_RLE_BIAS 29   /* E.1: a repeat count n is sent as n + 29 */

const char *rsp_event_name(enum rsp_event ev)
{
    switch (ev) {
    case RSP_EV_PACKET: return "packet";
    case RSP_EV_BAD_CHECKSUM: return "bad-checksum";
    case RSP_EV_MALFORMED: return "malformed";
    case RSP_EV_OVERSIZE: return "oversize";
    case RSP_EV_ACK: return "ack";
    case RSP_EV_NAK: return "nak";
    }
    return "?";
}

int rsp_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ------------------------------------------------------------------ */
/* decoder                                                             */

void rsp_decoder_init(struct rsp_decoder *dec, size_t max)
{
    memset(&dec->stats, 0, sizeof dec->stats);
    if (max == 0 || max > RSP_MAX_PACKET)
        max = RSP_MAX_PACKET;
    if (max < RSP_MIN_PACKET)
        max = RSP_MIN_PACKET;
    dec->max = max;
    rsp_decoder_reset(dec);
}

void rsp_decoder_reset(struct rsp_decoder *dec)
{
    dec->state = RSP_S_IDLE;
    dec->len = 0;
    dec->sum = 0;
    dec->csum_hi = 0;
    dec->fault = RSP_F_NONE;
    dec->buf[0] = '\0';
}

bool rsp_decoder_busy(const struct rsp_decoder *dec)
{
    return dec->state != RSP_S_IDLE;
}

static void start_packet(struct rsp_decoder *dec)
{
    dec->state = RSP_S_BODY;
    dec->len = 0;
    dec->sum = 0;
    dec->fault = RSP_F_NONE;
}

/* Append `count` copies of byte c to the payload; switches to the oversize
 * fault when the limit would be passed (nothing is buffered from then on). */
static void append(struct rsp_decoder *dec, uint8_t c, size_t count)
{
    if (dec->fault != RSP_F_NONE)
        return;
    if (count > dec->max - dec->len) {
        dec->fault = RSP_F_OVERSIZE;
        return;
    }
    memset(dec->buf + dec->len, c, count);
    dec->len += count;
}

/* Deliver one event; returns the callback's "keep going". */
static bool emit(struct rsp_decoder *dec, enum rsp_event ev, rsp_packet_fn cb, void *opaque)
{
    switch (ev) {
    case RSP_EV_PACKET: dec->stats.packets++; break;
    case RSP_EV_BAD_CHECKSUM: dec->stats.bad_checksum++; break;
    case RSP_EV_MALFORMED: dec->stats.malformed++; break;
    case RSP_EV_OVERSIZE: dec->stats.oversize++; break;
    case RSP_EV_ACK: dec->stats.acks++; break;
    case RSP_EV_NAK: dec->stats.naks++; break;
    }
    if (!cb)
        return true;
    if (ev == RSP_EV_PACKET) {
        dec->buf[dec->len] = '\0';
        return cb(opaque, ev, dec->buf, dec->len);
    }
    return cb(opaque, ev, "", 0);
}

/* The packet ended (checksum complete, ok = checksum matched): report it. */
static bool finish(struct rsp_decoder *dec, bool ok, rsp_packet_fn cb, void *opaque)
{
    enum rsp_event ev;
    if (dec->fault == RSP_F_OVERSIZE)
        ev = RSP_EV_OVERSIZE;
    else if (!ok)
        ev = RSP_EV_BAD_CHECKSUM;
    else if (dec->fault == RSP_F_MALFORMED)
        ev = RSP_EV_MALFORMED;
    else
        ev = RSP_EV_PACKET;
    dec->state = RSP_S_IDLE;
    bool go = emit(dec, ev, cb, opaque);
    dec->len = 0;
    dec->fault = RSP_F_NONE;
    return go;
}

/* A '$' inside an unfinished packet: the partial packet is dropped (as gdb
 * itself does) and a new one starts.  An oversize packet is still reported,
 * so the sender gets its '-'. */
static bool restart(struct rsp_decoder *dec, rsp_packet_fn cb, void *opaque)
{
    bool go = true;
    dec->stats.restarts++;
    if (dec->fault == RSP_F_OVERSIZE)
        go = emit(dec, RSP_EV_OVERSIZE, cb, opaque);
    start_packet(dec);
    return go;
}

size_t rsp_feed(struct rsp_decoder *dec, const void *buf, size_t len, rsp_packet_fn on_packet,
                rsp_ctrlc_fn on_ctrlc, void *opaque)
{
    const uint8_t *p = buf;
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        bool go = true;
        bool consumed = true;
        switch (dec->state) {
        case RSP_S_IDLE:
            if (c == '$') {
                start_packet(dec);
            } else if (c == '+') {
                go = emit(dec, RSP_EV_ACK, on_packet, opaque);
            } else if (c == '-') {
                go = emit(dec, RSP_EV_NAK, on_packet, opaque);
            } else if (c == RSP_CTRLC) {
                dec->stats.ctrlc++;
                if (on_ctrlc)
                    on_ctrlc(opaque);
            } else {
                dec->stats.junk++;
            }
            break;
        case RSP_S_BODY:
            if (c == '$') {
                go = restart(dec, on_packet, opaque);
            } else if (c == '#') {
                dec->state = RSP_S_CSUM1;
            } else {
                dec->sum = (uint8_t)(dec->sum + c);
                if (c == RSP_ESC) {
                    dec->state = RSP_S_ESC;
                } else if (c == RSP_RLE) {
                    /* repeats the previous decoded byte: there must be one */
                    if (dec->len == 0 && dec->fault == RSP_F_NONE)
                        dec->fault = RSP_F_MALFORMED;
                    dec->state = RSP_S_RLE;
                } else {
                    append(dec, c, 1);
                }
            }
            break;
        case RSP_S_ESC:
        case RSP_S_RLE:
            /* '#' and '$' keep their framing meaning even here: a
             * conforming sender never escapes or counts with them, and
             * honouring them keeps the stream in sync after garbage. */
            if (c == '$') {
                go = restart(dec, on_packet, opaque);
            } else if (c == '#') {
                if (dec->fault == RSP_F_NONE)
                    dec->fault = RSP_F_MALFORMED;
                dec->state = RSP_S_CSUM1;
            } else {
                dec->sum = (uint8_t)(dec->sum + c);
                if (dec->state == RSP_S_ESC) {
                    append(dec, c ^ 0x20, 1);
                } else if (c < RSP_RLE_BIAS) {
                    if (dec->fault == RSP_F_NONE)
                        dec->fault = RSP_F_MALFORMED;
                } else if (dec->len > 0) {
                    append(dec, (uint8_t)dec->buf[dec->len - 1], (size_t)(c - RSP_RLE_BIAS));
                }
                dec->state = RSP_S_BODY;
            }
            break;
        case RSP_S_CSUM1:
        case RSP_S_CSUM2: {
            int d = rsp_hex_digit(c);
            if (d < 0) {
                /* Not a checksum: report it and let the idle state look at
                 * this byte again ('$' starts the next packet, 0x03 is an
                 * interrupt...). */
                go = finish(dec, false, on_packet, opaque);
                consumed = false;
            } else if (dec->state == RSP_S_CSUM1) {
                dec->csum_hi = (uint8_t)d;
                dec->state = RSP_S_CSUM2;
            } else {
                uint8_t want = (uint8_t)(dec->csum_hi << 4 | d);
                go = finish(dec, want == dec->sum, on_packet, opaque);
            }
            break;
        }
        }
        if (consumed)
            i++;
        if (!go)
            break;
    }
    return i;
}

/* ------------------------------------------------------------------ */
/* encoder                                                             */

static bool needs_escape(uint8_t c)
{
    return c == '#' || c == '$' || c == RSP_ESC || c == RSP_RLE;
}

size_t rsp_encoded_len(const void *payload, size_t len)
{
    const uint8_t *p = payload;
    size_t n = len + 4;
    for (size_t i = 0; i < len; i++)
        n += needs_escape(p[i]);
    return n;
}

static const char hexchars[] = "0123456789abcdef";

size_t rsp_encode(const void *payload, size_t len, char *out, size_t outlen)
{
    if (!out || (len && !payload))
        return 0;
    size_t need = rsp_encoded_len(payload, len);
    if (need < len || need > outlen)
        return 0;
    const uint8_t *p = payload;
    size_t o = 0;
    uint8_t sum = 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (needs_escape(c)) {
            out[o++] = (char)RSP_ESC;
            sum = (uint8_t)(sum + RSP_ESC);
            c ^= 0x20;
        }
        out[o++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    out[o++] = '#';
    out[o++] = hexchars[sum >> 4];
    out[o++] = hexchars[sum & 15];
    if (o < outlen)
        out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------------ */
/* hex                                                                 */

size_t rsp_hex_encode(const void *data, size_t len, char *out, size_t outlen)
{
    if (!out || len > (SIZE_MAX - 1) / 2 || outlen < 2 * len + 1 || (len && !data))
        return 0;
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hexchars[p[i] >> 4];
        out[2 * i + 1] = hexchars[p[i] & 15];
    }
    out[2 * len] = '\0';
    return 2 * len;
}

bool rsp_hex_decode(const char *hex, size_t hexlen, void *out, size_t outmax, size_t *outlen)
{
    if ((hexlen & 1) || hexlen / 2 > outmax || (hexlen && (!hex || !out)))
        return false;
    uint8_t *o = out;
    for (size_t i = 0; i < hexlen; i += 2) {
        int hi = rsp_hex_digit((unsigned char)hex[i]);
        int lo = rsp_hex_digit((unsigned char)hex[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        o[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    if (outlen)
        *outlen = hexlen / 2;
    return true;
}

size_t rsp_hex_encode_le(uint64_t v, unsigned nbytes, char *out)
{
    if (nbytes < 1 || nbytes > 8 || !out)
        return 0;
    for (unsigned i = 0; i < nbytes; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i));
        out[2 * i] = hexchars[b >> 4];
        out[2 * i + 1] = hexchars[b & 15];
    }
    out[2 * nbytes] = '\0';
    return 2 * (size_t)nbytes;
}

bool rsp_hex_decode_le(const char *hex, size_t hexlen, uint64_t *v)
{
    uint8_t b[8];
    size_t n;
    if (hexlen < 2 || hexlen > 16 || !rsp_hex_decode(hex, hexlen, b, sizeof b, &n))
        return false;
    uint64_t x = 0;
    for (size_t i = n; i-- > 0;)
        x = x << 8 | b[i];
    *v = x;
    return true;
}

/* ------------------------------------------------------------------ */
/* arguments                                                           */

const char *rsp_parse_hex_prefix(const char *s, const char *end, uint64_t *v)
{
    if (!s || !end || s >= end)
        return NULL;
    uint64_t x = 0;
    const char *p = s;
    for (; p < end; p++) {
        int d = rsp_hex_digit((unsigned char)*p);
        if (d < 0)
            break;
        if (x >> 60)
            return NULL; /* another digit would overflow 64 bits */
        x = x << 4 | (uint64_t)d;
    }
    if (p == s)
        return NULL;
    *v = x;
    return p;
}

bool rsp_parse_hex_u64(const char *s, size_t n, uint64_t *v)
{
    uint64_t x;
    if (!s || n == 0)
        return false;
    const char *end = s + n;
    if (rsp_parse_hex_prefix(s, end, &x) != end)
        return false;
    *v = x;
    return true;
}

static bool range_ok(uint64_t addr, uint64_t length)
{
    return length == 0 || addr <= UINT64_MAX - (length - 1);
}

/* "addr,length" at the start of [s, end): pointer past it or NULL. */
static const char *parse_addr_len(const char *s, const char *end, uint64_t *addr,
                                  uint64_t *length)
{
    uint64_t a, l;
    const char *p = rsp_parse_hex_prefix(s, end, &a);
    if (!p || p >= end || *p != ',')
        return NULL;
    p = rsp_parse_hex_prefix(p + 1, end, &l);
    if (!p || !range_ok(a, l))
        return NULL;
    *addr = a;
    *length = l;
    return p;
}

bool rsp_parse_addr_len(const char *s, size_t n, uint64_t *addr, uint64_t *length)
{
    if (!s)
        return false;
    uint64_t a, l;
    if (parse_addr_len(s, s + n, &a, &l) != s + n)
        return false;
    *addr = a;
    *length = l;
    return true;
}

bool rsp_parse_addr_len_data(const char *s, size_t n, uint64_t *addr, uint64_t *length,
                             const char **data, size_t *datalen)
{
    if (!s)
        return false;
    const char *end = s + n;
    uint64_t a, l;
    const char *p = parse_addr_len(s, end, &a, &l);
    if (!p || p >= end || *p != ':')
        return false;
    p++;
    *addr = a;
    *length = l;
    *data = p;
    *datalen = (size_t)(end - p);
    return true;
}

bool rsp_parse_mem_write(const char *s, size_t n, uint64_t *addr, uint64_t *length, void *out,
                         size_t outmax)
{
    uint64_t a, l;
    const char *d;
    size_t dl, got;
    if (!rsp_parse_addr_len_data(s, n, &a, &l, &d, &dl))
        return false;
    if (l > outmax || dl != 2 * (size_t)l)
        return false;
    if (!rsp_hex_decode(d, dl, out, outmax, &got))
        return false;
    *addr = a;
    *length = l;
    return true;
}

bool rsp_parse_mem_write_bin(const char *s, size_t n, uint64_t *addr, uint64_t *length,
                             const uint8_t **data)
{
    uint64_t a, l;
    const char *d;
    size_t dl;
    if (!rsp_parse_addr_len_data(s, n, &a, &l, &d, &dl))
        return false;
    if (l != (uint64_t)dl)
        return false;
    *addr = a;
    *length = l;
    *data = (const uint8_t *)d;
    return true;
}

/* One id: "-1" or hex; returns pointer past it or NULL.  -1 is returned as
 * -1, other values must fit in a long. */
static const char *parse_one_id(const char *s, const char *end, long *id)
{
    if (s < end && *s == '-') {
        if (end - s >= 2 && s[1] == '1') {
            *id = -1;
            return s + 2;
        }
        return NULL;
    }
    uint64_t v;
    const char *p = rsp_parse_hex_prefix(s, end, &v);
    if (!p || v > (uint64_t)LONG_MAX)
        return NULL;
    *id = (long)v;
    return p;
}

bool rsp_parse_thread_id_n(const char *s, size_t n, long *tid)
{
    if (!s || n == 0)
        return false;
    const char *end = s + n;
    const char *p = s;
    long pid, t;
    if (*p == 'p') {
        /* multiprocess form: pPID[.TID] */
        p = parse_one_id(p + 1, end, &pid);
        if (!p)
            return false;
        if (p == end) {
            *tid = -1; /* all threads of the process */
            return true;
        }
        if (*p != '.')
            return false;
        p = parse_one_id(p + 1, end, &t);
        if (p != end || (pid == -1 && t != -1))
            return false; /* "all processes" only goes with "all threads" */
        *tid = t;
        return true;
    }
    p = parse_one_id(p, end, &t);
    if (p != end)
        return false;
    *tid = t;
    return true;
}

bool rsp_parse_thread_id(const char *s, long *tid)
{
    if (!s)
        return false;
    return rsp_parse_thread_id_n(s, strlen(s), tid);
}

size_t rsp_xfer_chunk(const void *doc, size_t doclen, uint64_t offset, uint64_t length, char *out,
                      size_t outmax)
{
    if (!out || outmax < 1)
        return 0;
    if (!doc || offset >= doclen) {
        out[0] = 'l';
        return 1;
    }
    size_t left = doclen - (size_t)offset;
    size_t n = left;
    if (length < n)
        n = (size_t)length;
    if (outmax - 1 < n)
        n = outmax - 1;
    out[0] = n == left ? 'l' : 'm';
    memcpy(out + 1, (const char *)doc + offset, n);
    return n + 1;
}
