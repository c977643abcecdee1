/* GDB Remote Serial Protocol: packet framing codec and argument helpers.
 *
 * ISA-neutral and I/O-free: the decoder is fed whatever bytes the socket
 * produced and reports complete packets, framing errors, acks and the
 * interrupt byte through callbacks; the encoder frames a reply payload.
 * Written from the GDB manual, appendix "Remote Serial Protocol":
 *   - E.1 Overview: '$' packet-data '#' two hex digits of checksum (the
 *     modulo-256 sum of the bytes between '$' and '#', as sent); '+'/'-'
 *     acknowledgments; binary data escapes '}' 0x7d followed by the byte
 *     XOR 0x20 ('#', '$', '}' and '*' must be escaped); run-length
 *     encoding "c*N" = the character c repeated N-29 more times.
 *   - E.8 Interrupts: a lone 0x03 byte outside a packet is Ctrl-C.
 *
 * No allocation, no globals: a decoder is a plain value embedded in its
 * owner (the connection). */
#ifndef HVSIM_GDBSTUB_RSP_H
#define HVSIM_GDBSTUB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest decoded payload a decoder accepts (advertise it to gdb as
 * qSupported "PacketSize=4000", hex). */
#define RSP_MAX_PACKET 16384u

/* Smallest configurable maximum (rsp_decoder_init clamps to it). */
#define RSP_MIN_PACKET 64u

/* What the decoder reports through its packet callback. */
enum rsp_event {
    RSP_EV_PACKET,       /* a good packet: payload/len valid; reply '+' */
    RSP_EV_BAD_CHECKSUM, /* checksum mismatch or non-hex checksum digits:
                          * the packet was dropped; reply '-' */
    RSP_EV_MALFORMED,    /* checksum fine but the body cannot be decoded
                          * (dangling '}' escape, '*' with nothing to repeat
                          * or a repeat count below 29): dropped; reply '-' */
    RSP_EV_OVERSIZE,     /* decoded payload would exceed the maximum: the
                          * rest of the packet is skipped (nothing buffered)
                          * and this is reported once it ends, at '#xx' or
                          * at the next '$' that resynchronises the stream;
                          * reply '-' */
    RSP_EV_ACK,          /* '+' outside a packet */
    RSP_EV_NAK,          /* '-' outside a packet: retransmit the last reply */
};

const char *rsp_event_name(enum rsp_event ev);

/* Packet callback.  For RSP_EV_PACKET, payload holds len decoded bytes
 * (escapes and run-length expanded; may contain NUL for binary packets)
 * followed by a terminating NUL at payload[len], so text packets can be
 * parsed as C strings.  The buffer is the decoder's and only valid during
 * the call.  For the other events payload is "" and len is 0.
 * Return true to keep decoding the rest of the chunk, false to make
 * rsp_feed return right after this event (e.g. the server wants to resume
 * the machine before it looks at later bytes). */
typedef bool (*rsp_packet_fn)(void *opaque, enum rsp_event ev, const char *payload, size_t len);

/* Interrupt callback: a 0x03 byte outside a packet (inside a packet 0x03 is
 * just data). */
typedef void (*rsp_ctrlc_fn)(void *opaque);

enum rsp_dec_state {
    RSP_S_IDLE,    /* between packets: '$', '+', '-', 0x03 or junk */
    RSP_S_BODY,    /* inside '$' ... '#' */
    RSP_S_ESC,     /* after '}' */
    RSP_S_RLE,     /* after '*': expecting the repeat count */
    RSP_S_CSUM1,   /* after '#': first checksum digit */
    RSP_S_CSUM2,   /* second checksum digit */
};

/* Why the packet being read will be dropped (decided before its end). */
enum rsp_dec_fault {
    RSP_F_NONE,
    RSP_F_MALFORMED, /* -> RSP_EV_MALFORMED, unless the checksum is bad */
    RSP_F_OVERSIZE,  /* -> RSP_EV_OVERSIZE */
};

/* Running counters (for the monitor command and tests). */
struct rsp_dec_stats {
    uint64_t packets;      /* RSP_EV_PACKET */
    uint64_t bad_checksum; /* RSP_EV_BAD_CHECKSUM */
    uint64_t malformed;    /* RSP_EV_MALFORMED */
    uint64_t oversize;     /* RSP_EV_OVERSIZE */
    uint64_t acks, naks, ctrlc;
    uint64_t junk;         /* bytes ignored between packets */
    uint64_t restarts;     /* '$' inside an unfinished packet (it is dropped) */
};

struct rsp_decoder {
    enum rsp_dec_state state;
    size_t max;          /* payload limit, <= RSP_MAX_PACKET */
    size_t len;          /* decoded bytes so far */
    uint8_t sum;         /* running checksum of the raw body */
    uint8_t csum_hi;     /* first checksum digit's value */
    enum rsp_dec_fault fault;
    struct rsp_dec_stats stats;
    char buf[RSP_MAX_PACKET + 1];
};

/* Reset to the idle state with payload limit `max` (0 = RSP_MAX_PACKET;
 * values are clamped to [RSP_MIN_PACKET, RSP_MAX_PACKET]); counters
 * cleared. */
void rsp_decoder_init(struct rsp_decoder *dec, size_t max);

/* Forget any partial packet (e.g. after a reconnect); counters are kept. */
void rsp_decoder_reset(struct rsp_decoder *dec);

/* True while the decoder is inside an unfinished packet. */
bool rsp_decoder_busy(const struct rsp_decoder *dec);

/* Feed `len` bytes of the incoming stream (any split is fine: a packet may
 * span many calls).  Events are reported in stream order.  on_ctrlc may be
 * NULL (0x03 is then counted and ignored); on_packet may be NULL (events
 * are only counted).  Returns the number of bytes consumed: `len`, unless a
 * callback returned false, in which case the bytes after that event are
 * left for the next call. */
size_t rsp_feed(struct rsp_decoder *dec, const void *buf, size_t len, rsp_packet_fn on_packet,
                rsp_ctrlc_fn on_ctrlc, void *opaque);

/* ---- encoder ---- */

/* Bytes rsp_encode needs for this payload: '$' + escaped body + '#' + 2
 * (without a terminating NUL). */
size_t rsp_encoded_len(const void *payload, size_t len);

/* Frame `payload` as "$body#cs" into out, escaping '#', '$', '}' and '*' as
 * '}' (byte ^ 0x20) so any byte values, including NUL, survive.  No
 * run-length compression.  Returns the framed length, or 0 (out untouched
 * beyond outlen) if it does not fit in outlen.  A NUL is appended when
 * there is room for it (not counted). */
size_t rsp_encode(const void *payload, size_t len, char *out, size_t outlen);

/* ---- hex helpers ---- */

/* Value of one hex digit (either case), or -1. */
int rsp_hex_digit(int c);

/* Hex of `len` bytes, two lowercase digits per byte, in memory order
 * (m replies, qRcmd output).  Writes 2*len chars plus a NUL; returns 2*len,
 * or 0 if outlen < 2*len + 1. */
size_t rsp_hex_encode(const void *data, size_t len, char *out, size_t outlen);

/* Decode exactly hexlen hex digits (even, either case) into bytes.
 * false on an odd count, a non-hex character, or more than outmax bytes. */
bool rsp_hex_decode(const char *hex, size_t hexlen, void *out, size_t outmax, size_t *outlen);

/* Register value in target byte order (little-endian): the low `nbytes`
 * (1..8) bytes of v as 2*nbytes hex digits, plus a NUL.  Returns 2*nbytes
 * (out must hold 2*nbytes + 1), or 0 for a bad nbytes. */
size_t rsp_hex_encode_le(uint64_t v, unsigned nbytes, char *out);

/* Inverse: hexlen must be even, 2..16 digits (1..8 bytes, little-endian).
 * false on junk. */
bool rsp_hex_decode_le(const char *hex, size_t hexlen, uint64_t *v);

/* ---- argument parsing (all: false on junk or overflow, outputs untouched
 * or unspecified on failure) ---- */

/* Big-endian hex number spanning exactly s[0..n): 1+ digits, value must fit
 * in 64 bits (leading zeros allowed). */
bool rsp_parse_hex_u64(const char *s, size_t n, uint64_t *v);

/* Parse a hex number at the start of [s, end): returns a pointer just past
 * it, or NULL if there is no digit or it overflows 64 bits.  Building block
 * for "Z0,addr,kind;cond" and friends. */
const char *rsp_parse_hex_prefix(const char *s, const char *end, uint64_t *v);

/* "addr,length" spanning exactly s[0..n) (m packet arguments, Z packets
 * use rsp_parse_hex_prefix).  Rejects a range that wraps past 2^64
 * (addr + length - 1 > UINT64_MAX). */
bool rsp_parse_addr_len(const char *s, size_t n, uint64_t *addr, uint64_t *length);

/* "addr,length:DATA" spanning s[0..n): data points just after ':' and
 * datalen is the count of bytes up to s+n (binary for X, hex for M; not
 * validated here).  Same range check as rsp_parse_addr_len. */
bool rsp_parse_addr_len_data(const char *s, size_t n, uint64_t *addr, uint64_t *length,
                             const char **data, size_t *datalen);

/* M packet arguments "addr,length:XX...": the hex must hold exactly
 * `length` bytes and length <= outmax; the bytes are decoded into out. */
bool rsp_parse_mem_write(const char *s, size_t n, uint64_t *addr, uint64_t *length, void *out,
                         size_t outmax);

/* X packet arguments "addr,length:BINARY" (payload already unescaped by the
 * decoder): the data must be exactly `length` bytes. */
bool rsp_parse_mem_write_bin(const char *s, size_t n, uint64_t *addr, uint64_t *length,
                             const uint8_t **data);

/* Thread ids (E.2 "thread-id"): hex "1f", "-1" (all threads), "0" (any
 * thread), or the multiprocess form "pPID.TID" / "pPID" (= all threads of
 * PID, reported as -1).  The whole NUL-terminated string must be a thread
 * id.  On success *tid is the thread (-1 all, 0 any, else the id); the
 * process part is checked for syntax only.  Ids must fit in a long. */
bool rsp_parse_thread_id(const char *s, long *tid);

/* The same for a thread id spanning exactly s[0..n) (e.g. inside vCont). */
bool rsp_parse_thread_id_n(const char *s, size_t n, long *tid);

/* qXfer read reply (E.4 "qXfer:object:read:annex:offset,length"): the
 * payload "m" + doc[offset, offset+length) when more follows, or "l" + the
 * final part ("l" alone when offset is at or past the end).  The chunk is
 * also capped at outmax - 1 bytes.  Returns the payload length written to
 * out (binary: pass it to rsp_encode, which escapes), or 0 if outmax < 1. */
size_t rsp_xfer_chunk(const void *doc, size_t doclen, uint64_t offset, uint64_t length, char *out,
                      size_t outmax);

#endif
