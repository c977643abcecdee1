/* Packed integer instructions on MMX (8 bytes, no prefix) and XMM (16
 * bytes, 66) registers: MMX, the integer part of SSE/SSE2, SSSE3 and the
 * integer SSE4.1 instructions (Intel SDM vol. 2, one entry per mnemonic;
 * vol. 1 §9.4, §11.4.3, §12.3-12.10). One function computes every
 * two-operand op over n bytes; the callers load the operands with the
 * checks of their class. */
#include <string.h>
#include "simd.h"

#define UD() x86_raise(x, X86_EXC_UD, false, 0)

static inline int8_t ss8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static inline uint8_t su8(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static inline int16_t ss16(int32_t v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static inline uint16_t su16(int32_t v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

#define SB(v, k) ((int8_t)(v).b[k])
#define SW(v, k) ((int16_t)(v).w[k])
#define SD(v, k) ((int32_t)(v).d[k])
#define SQ(v, k) ((int64_t)(v).q[k])

/* Logical / arithmetic shifts of lanes of esz bytes by count (SDM vol. 2
 * PSRLW..PSLLQ: a count above the lane width gives 0, or the sign for
 * PSRA). kind 0 logical right, 1 arithmetic right, 2 left. */
static void shift_lanes(xmm_t *d, unsigned n, unsigned esz, unsigned kind, uint64_t count)
{
    unsigned bits = 8 * esz;
    for (unsigned k = 0; k < n / esz; k++) {
        uint64_t v, m = bits == 64 ? ~0ull : (1ull << bits) - 1;
        switch (esz) {
        case 2: v = d->w[k]; break;
        case 4: v = d->d[k]; break;
        default: v = d->q[k]; break;
        }
        if (kind == 1) {
            int64_t sv = (int64_t)(v << (64 - bits)) >> (64 - bits);
            v = (uint64_t)(sv >> (count >= bits ? bits - 1 : count)) & m;
        } else if (count >= bits) {
            v = 0;
        } else {
            v = (kind == 0 ? v >> count : v << count) & m;
        }
        switch (esz) {
        case 2: d->w[k] = (uint16_t)v; break;
        case 4: d->d[k] = (uint32_t)v; break;
        default: d->q[k] = v; break;
        }
    }
}

/* The two-operand op of map (0F / 0F38 / 0F3A) and opcode: *d op= *s over
 * n bytes (8: MMX, 16: XMM); imm for the imm8 forms. xmm0: PBLENDVB's
 * implicit mask. Returns false when the op is not one of these. */
static bool int_op(unsigned map, unsigned op, xmm_t *d, const xmm_t *s, unsigned n, uint8_t imm,
                   const xmm_t *xmm0)
{
    xmm_t r;
    memset(&r, 0, sizeof r);
    unsigned nb = n, nw = n / 2, nd = n / 4, nq = n / 8;
    unsigned k;
    if (map == X86_MAP_0F) {
        switch (op) {
        case 0x60: case 0x68: /* PUNPCKLBW / PUNPCKHBW */
            for (k = 0; k < nb / 2; k++) {
                unsigned o = op == 0x68 ? nb / 2 : 0;
                r.b[2 * k] = d->b[o + k];
                r.b[2 * k + 1] = s->b[o + k];
            }
            break;
        case 0x61: case 0x69: /* PUNPCKLWD / PUNPCKHWD */
            for (k = 0; k < nw / 2; k++) {
                unsigned o = op == 0x69 ? nw / 2 : 0;
                r.w[2 * k] = d->w[o + k];
                r.w[2 * k + 1] = s->w[o + k];
            }
            break;
        case 0x62: case 0x6a: /* PUNPCKLDQ / PUNPCKHDQ */
            for (k = 0; k < nd / 2; k++) {
                unsigned o = op == 0x6a ? nd / 2 : 0;
                r.d[2 * k] = d->d[o + k];
                r.d[2 * k + 1] = s->d[o + k];
            }
            break;
        case 0x6c: r.q[0] = d->q[0]; r.q[1] = s->q[0]; break; /* PUNPCKLQDQ */
        case 0x6d: r.q[0] = d->q[1]; r.q[1] = s->q[1]; break; /* PUNPCKHQDQ */
        case 0x63: case 0x67: /* PACKSSWB / PACKUSWB */
            for (k = 0; k < nw; k++) {
                r.b[k] = op == 0x63 ? (uint8_t)ss8(SW(*d, k)) : su8(SW(*d, k));
                r.b[nw + k] = op == 0x63 ? (uint8_t)ss8(SW(*s, k)) : su8(SW(*s, k));
            }
            break;
        case 0x6b: /* PACKSSDW */
            for (k = 0; k < nd; k++) {
                r.w[k] = (uint16_t)ss16(SD(*d, k));
                r.w[nd + k] = (uint16_t)ss16(SD(*s, k));
            }
            break;
        case 0x64: for (k = 0; k < nb; k++) r.b[k] = SB(*d, k) > SB(*s, k) ? 0xff : 0; break;
        case 0x65: for (k = 0; k < nw; k++) r.w[k] = SW(*d, k) > SW(*s, k) ? 0xffff : 0; break;
        case 0x66: for (k = 0; k < nd; k++) r.d[k] = SD(*d, k) > SD(*s, k) ? ~0u : 0; break;
        case 0x74: for (k = 0; k < nb; k++) r.b[k] = d->b[k] == s->b[k] ? 0xff : 0; break;
        case 0x75: for (k = 0; k < nw; k++) r.w[k] = d->w[k] == s->w[k] ? 0xffff : 0; break;
        case 0x76: for (k = 0; k < nd; k++) r.d[k] = d->d[k] == s->d[k] ? ~0u : 0; break;
        case 0xd1: r = *d; shift_lanes(&r, n, 2, 0, s->q[0]); break;
        case 0xd2: r = *d; shift_lanes(&r, n, 4, 0, s->q[0]); break;
        case 0xd3: r = *d; shift_lanes(&r, n, 8, 0, s->q[0]); break;
        case 0xe1: r = *d; shift_lanes(&r, n, 2, 1, s->q[0]); break;
        case 0xe2: r = *d; shift_lanes(&r, n, 4, 1, s->q[0]); break;
        case 0xf1: r = *d; shift_lanes(&r, n, 2, 2, s->q[0]); break;
        case 0xf2: r = *d; shift_lanes(&r, n, 4, 2, s->q[0]); break;
        case 0xf3: r = *d; shift_lanes(&r, n, 8, 2, s->q[0]); break;
        case 0xd4: for (k = 0; k < nq; k++) r.q[k] = d->q[k] + s->q[k]; break;
        case 0xfb: for (k = 0; k < nq; k++) r.q[k] = d->q[k] - s->q[k]; break;
        case 0xd5: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)(SW(*d, k) * SW(*s, k)); break;
        case 0xe5: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)((SW(*d, k) * SW(*s, k)) >> 16); break;
        case 0xe4: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)(((uint32_t)d->w[k] * s->w[k]) >> 16); break;
        case 0xf4: /* PMULUDQ: even dwords */
            for (k = 0; k < nq; k++) r.q[k] = (uint64_t)d->d[2 * k] * s->d[2 * k];
            break;
        case 0xf5: /* PMADDWD (0x8000 * 0x8000 twice wraps to 0x80000000) */
            for (k = 0; k < nd; k++)
                r.d[k] = (uint32_t)((int64_t)SW(*d, 2 * k) * SW(*s, 2 * k) +
                                    (int64_t)SW(*d, 2 * k + 1) * SW(*s, 2 * k + 1));
            break;
        case 0xf6: /* PSADBW: per 8-byte group, the sum in the low word */
            for (k = 0; k < nq; k++) {
                unsigned sum = 0;
                for (unsigned j = 0; j < 8; j++) {
                    int a = d->b[8 * k + j], b = s->b[8 * k + j];
                    sum += (unsigned)(a > b ? a - b : b - a);
                }
                r.q[k] = sum;
            }
            break;
        case 0xd8: for (k = 0; k < nb; k++) r.b[k] = su8(d->b[k] - s->b[k]); break;
        case 0xd9: for (k = 0; k < nw; k++) r.w[k] = su16(d->w[k] - s->w[k]); break;
        case 0xdc: for (k = 0; k < nb; k++) r.b[k] = su8(d->b[k] + s->b[k]); break;
        case 0xdd: for (k = 0; k < nw; k++) r.w[k] = su16(d->w[k] + s->w[k]); break;
        case 0xe8: for (k = 0; k < nb; k++) r.b[k] = (uint8_t)ss8(SB(*d, k) - SB(*s, k)); break;
        case 0xe9: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)ss16(SW(*d, k) - SW(*s, k)); break;
        case 0xec: for (k = 0; k < nb; k++) r.b[k] = (uint8_t)ss8(SB(*d, k) + SB(*s, k)); break;
        case 0xed: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)ss16(SW(*d, k) + SW(*s, k)); break;
        case 0xf8: for (k = 0; k < nb; k++) r.b[k] = (uint8_t)(d->b[k] - s->b[k]); break;
        case 0xf9: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)(d->w[k] - s->w[k]); break;
        case 0xfa: for (k = 0; k < nd; k++) r.d[k] = d->d[k] - s->d[k]; break;
        case 0xfc: for (k = 0; k < nb; k++) r.b[k] = (uint8_t)(d->b[k] + s->b[k]); break;
        case 0xfd: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)(d->w[k] + s->w[k]); break;
        case 0xfe: for (k = 0; k < nd; k++) r.d[k] = d->d[k] + s->d[k]; break;
        case 0xda: for (k = 0; k < nb; k++) r.b[k] = d->b[k] < s->b[k] ? d->b[k] : s->b[k]; break;
        case 0xde: for (k = 0; k < nb; k++) r.b[k] = d->b[k] > s->b[k] ? d->b[k] : s->b[k]; break;
        case 0xea: for (k = 0; k < nw; k++) r.w[k] = SW(*d, k) < SW(*s, k) ? d->w[k] : s->w[k]; break;
        case 0xee: for (k = 0; k < nw; k++) r.w[k] = SW(*d, k) > SW(*s, k) ? d->w[k] : s->w[k]; break;
        case 0xe0: for (k = 0; k < nb; k++) r.b[k] = (uint8_t)((d->b[k] + s->b[k] + 1) >> 1); break;
        case 0xe3: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)((d->w[k] + s->w[k] + 1) >> 1); break;
        case 0xdb: for (k = 0; k < 2; k++) r.q[k] = d->q[k] & s->q[k]; break;
        case 0xdf: for (k = 0; k < 2; k++) r.q[k] = ~d->q[k] & s->q[k]; break;
        case 0xeb: for (k = 0; k < 2; k++) r.q[k] = d->q[k] | s->q[k]; break;
        case 0xef: for (k = 0; k < 2; k++) r.q[k] = d->q[k] ^ s->q[k]; break;
        default: return false;
        }
    } else if (map == X86_MAP_0F38) {
        switch (op) {
        case 0x00: /* PSHUFB */
            for (k = 0; k < nb; k++)
                r.b[k] = (s->b[k] & 0x80) ? 0 : d->b[s->b[k] & (nb - 1)];
            break;
        case 0x01: case 0x05: /* PHADDW / PHSUBW */
            for (k = 0; k < nw / 2; k++) {
                r.w[k] = (uint16_t)(op == 1 ? d->w[2 * k] + d->w[2 * k + 1] : d->w[2 * k] - d->w[2 * k + 1]);
                r.w[nw / 2 + k] = (uint16_t)(op == 1 ? s->w[2 * k] + s->w[2 * k + 1] : s->w[2 * k] - s->w[2 * k + 1]);
            }
            break;
        case 0x02: case 0x06: /* PHADDD / PHSUBD */
            for (k = 0; k < nd / 2; k++) {
                r.d[k] = op == 2 ? d->d[2 * k] + d->d[2 * k + 1] : d->d[2 * k] - d->d[2 * k + 1];
                r.d[nd / 2 + k] = op == 2 ? s->d[2 * k] + s->d[2 * k + 1] : s->d[2 * k] - s->d[2 * k + 1];
            }
            break;
        case 0x03: case 0x07: /* PHADDSW / PHSUBSW */
            for (k = 0; k < nw / 2; k++) {
                int a = SW(*d, 2 * k), b = SW(*d, 2 * k + 1), c = SW(*s, 2 * k), e = SW(*s, 2 * k + 1);
                r.w[k] = (uint16_t)ss16(op == 3 ? a + b : a - b);
                r.w[nw / 2 + k] = (uint16_t)ss16(op == 3 ? c + e : c - e);
            }
            break;
        case 0x04: /* PMADDUBSW: unsigned bytes of dest times signed bytes of source */
            for (k = 0; k < nw; k++)
                r.w[k] = (uint16_t)ss16(d->b[2 * k] * SB(*s, 2 * k) + d->b[2 * k + 1] * SB(*s, 2 * k + 1));
            break;
        case 0x08: for (k = 0; k < nb; k++) r.b[k] = SB(*s, k) < 0 ? (uint8_t)-d->b[k] : s->b[k] ? d->b[k] : 0; break;
        case 0x09: for (k = 0; k < nw; k++) r.w[k] = SW(*s, k) < 0 ? (uint16_t)-d->w[k] : s->w[k] ? d->w[k] : 0; break;
        case 0x0a: for (k = 0; k < nd; k++) r.d[k] = SD(*s, k) < 0 ? -d->d[k] : s->d[k] ? d->d[k] : 0; break;
        case 0x0b: /* PMULHRSW */
            for (k = 0; k < nw; k++)
                r.w[k] = (uint16_t)((((SW(*d, k) * SW(*s, k)) >> 14) + 1) >> 1);
            break;
        case 0x1c: for (k = 0; k < nb; k++) r.b[k] = (uint8_t)(SB(*s, k) < 0 ? -SB(*s, k) : SB(*s, k)); break;
        case 0x1d: for (k = 0; k < nw; k++) r.w[k] = (uint16_t)(SW(*s, k) < 0 ? -SW(*s, k) : SW(*s, k)); break;
        case 0x1e: for (k = 0; k < nd; k++) r.d[k] = SD(*s, k) < 0 ? 0u - s->d[k] : s->d[k]; break;
        /* SSE4.1, XMM only */
        case 0x10: /* PBLENDVB: mask = XMM0 byte MSBs */
            for (k = 0; k < 16; k++) r.b[k] = (xmm0->b[k] & 0x80) ? s->b[k] : d->b[k];
            break;
        case 0x14: /* BLENDVPS */
            for (k = 0; k < 4; k++) r.d[k] = (xmm0->d[k] >> 31) ? s->d[k] : d->d[k];
            break;
        case 0x15: /* BLENDVPD */
            for (k = 0; k < 2; k++) r.q[k] = (xmm0->q[k] >> 63) ? s->q[k] : d->q[k];
            break;
        case 0x20: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)SB(*s, k); break;   /* PMOVSXBW */
        case 0x21: for (k = 0; k < 4; k++) r.d[k] = (uint32_t)SB(*s, k); break;   /* PMOVSXBD */
        case 0x22: for (k = 0; k < 2; k++) r.q[k] = (uint64_t)SB(*s, k); break;   /* PMOVSXBQ */
        case 0x23: for (k = 0; k < 4; k++) r.d[k] = (uint32_t)SW(*s, k); break;   /* PMOVSXWD */
        case 0x24: for (k = 0; k < 2; k++) r.q[k] = (uint64_t)SW(*s, k); break;   /* PMOVSXWQ */
        case 0x25: for (k = 0; k < 2; k++) r.q[k] = (uint64_t)SD(*s, k); break;   /* PMOVSXDQ */
        case 0x30: for (k = 0; k < 8; k++) r.w[k] = s->b[k]; break;               /* PMOVZXBW */
        case 0x31: for (k = 0; k < 4; k++) r.d[k] = s->b[k]; break;
        case 0x32: for (k = 0; k < 2; k++) r.q[k] = s->b[k]; break;
        case 0x33: for (k = 0; k < 4; k++) r.d[k] = s->w[k]; break;
        case 0x34: for (k = 0; k < 2; k++) r.q[k] = s->w[k]; break;
        case 0x35: for (k = 0; k < 2; k++) r.q[k] = s->d[k]; break;
        case 0x28: for (k = 0; k < 2; k++) r.q[k] = (uint64_t)((int64_t)SD(*d, 2 * k) * SD(*s, 2 * k)); break;
        case 0x29: for (k = 0; k < 2; k++) r.q[k] = d->q[k] == s->q[k] ? ~0ull : 0; break;
        case 0x37: for (k = 0; k < 2; k++) r.q[k] = SQ(*d, k) > SQ(*s, k) ? ~0ull : 0; break;
        case 0x2b: /* PACKUSDW */
            for (k = 0; k < 4; k++) {
                r.w[k] = su16(SD(*d, k));
                r.w[4 + k] = su16(SD(*s, k));
            }
            break;
        case 0x38: for (k = 0; k < 16; k++) r.b[k] = SB(*d, k) < SB(*s, k) ? d->b[k] : s->b[k]; break;
        case 0x39: for (k = 0; k < 4; k++) r.d[k] = SD(*d, k) < SD(*s, k) ? d->d[k] : s->d[k]; break;
        case 0x3a: for (k = 0; k < 8; k++) r.w[k] = d->w[k] < s->w[k] ? d->w[k] : s->w[k]; break;
        case 0x3b: for (k = 0; k < 4; k++) r.d[k] = d->d[k] < s->d[k] ? d->d[k] : s->d[k]; break;
        case 0x3c: for (k = 0; k < 16; k++) r.b[k] = SB(*d, k) > SB(*s, k) ? d->b[k] : s->b[k]; break;
        case 0x3d: for (k = 0; k < 4; k++) r.d[k] = SD(*d, k) > SD(*s, k) ? d->d[k] : s->d[k]; break;
        case 0x3e: for (k = 0; k < 8; k++) r.w[k] = d->w[k] > s->w[k] ? d->w[k] : s->w[k]; break;
        case 0x3f: for (k = 0; k < 4; k++) r.d[k] = d->d[k] > s->d[k] ? d->d[k] : s->d[k]; break;
        case 0x40: for (k = 0; k < 4; k++) r.d[k] = (uint32_t)((int64_t)SD(*d, k) * SD(*s, k)); break;
        case 0x41: { /* PHMINPOSUW: the first minimum word and its index */
            unsigned idx = 0;
            for (k = 1; k < 8; k++)
                if (s->w[k] < s->w[idx])
                    idx = k;
            r.w[0] = s->w[idx];
            r.w[1] = (uint16_t)idx;
            break;
        }
        default: return false;
        }
    } else {
        switch (op) {
        case 0x0c: for (k = 0; k < 4; k++) r.d[k] = (imm >> k & 1) ? s->d[k] : d->d[k]; break; /* BLENDPS */
        case 0x0d: for (k = 0; k < 2; k++) r.q[k] = (imm >> k & 1) ? s->q[k] : d->q[k]; break; /* BLENDPD */
        case 0x0e: for (k = 0; k < 8; k++) r.w[k] = (imm >> k & 1) ? s->w[k] : d->w[k]; break; /* PBLENDW */
        case 0x0f: { /* PALIGNR: (dest:src) >> 8*imm, 2n bytes */
            uint8_t t[32];
            memcpy(t, s->b, n);
            memcpy(t + n, d->b, n);
            for (k = 0; k < n; k++)
                r.b[k] = (unsigned)imm + k < 2 * n ? t[imm + k] : 0;
            break;
        }
        case 0x42: { /* MPSADBW: imm[2] selects the dest block, imm[1:0] the source dword */
            unsigned ao = (imm >> 2 & 1) * 4, bo = (imm & 3) * 4;
            for (k = 0; k < 8; k++) {
                unsigned sum = 0;
                for (unsigned j = 0; j < 4; j++) {
                    int a = d->b[ao + k + j], b = s->b[bo + j];
                    sum += (unsigned)(a > b ? a - b : b - a);
                }
                r.w[k] = (uint16_t)sum;
            }
            break;
        }
        default: return false;
        }
    }
    *d = r;
    return true;
}

/* Bytes of the memory source operand: 16 (aligned) for XMM, 8 for MMX,
 * less for the PUNPCKL* MMX forms (m32) and PMOVSX/ZX (SDM vol. 2). */
static unsigned src_size(unsigned map, unsigned op, bool xmm, bool *align)
{
    *align = xmm;
    if (map == X86_MAP_0F && !xmm && op >= 0x60 && op <= 0x62)
        return 4;
    if (map == X86_MAP_0F38 && ((op >= 0x20 && op <= 0x25) || (op >= 0x30 && op <= 0x35))) {
        *align = false;
        switch (op & 0xf) {
        case 0: case 3: case 5: return 8;
        case 1: case 4: return 4;
        default: return 2;
        }
    }
    return xmm ? 16 : 8;
}

/* dest (reg) op= source (r/m): the operand loads and the class checks. */
static bool binop(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    bool xmm = i->mandatory == 0x66, align;
    unsigned size = src_size(i->map, i->opcode, xmm, &align);
    xmm_t d, s;
    memset(&d, 0, sizeof d);
    memset(&s, 0, sizeof s);
    if (xmm) {
        simd_check_sse(x);
        d = *XR(x, i->reg);
        simd_rm_xmm(x, &s, size, align);
        int_op(i->map, i->opcode, &d, &s, 16, (uint8_t)i->imm, XR(x, 0));
        *XR(x, i->reg) = d;
    } else {
        simd_check_mmx(x);
        d.q[0] = mm_get(x, i->reg);
        if (i->mod == 3)
            s.q[0] = mm_get(x, i->rm);
        else
            s.q[0] = x86_read(x, simd_ea(x), size);
        int_op(i->map, i->opcode, &d, &s, 8, (uint8_t)i->imm, XR(x, 0));
        mm_set(x, i->reg, d.q[0]);
    }
    return true;
}

/* Which opcodes go through binop, and whether they have an MMX form
 * (the decoder has already made prefix forms that do not exist #UD). */
static bool is_binop(unsigned map, unsigned op)
{
    if (map == X86_MAP_0F)
        return (op >= 0x60 && op <= 0x6d) || (op >= 0x74 && op <= 0x76) ||
               (op >= 0xd1 && op <= 0xfe && op != 0xd6 && op != 0xd7 && op != 0xe6 &&
                op != 0xe7 && op != 0xf0 && op != 0xf7);
    if (map == X86_MAP_0F38)
        return op <= 0x0b || op == 0x10 || op == 0x14 || op == 0x15 || (op >= 0x1c && op <= 0x1e) ||
               (op >= 0x20 && op <= 0x25) || (op >= 0x28 && op <= 0x29) || op == 0x2b ||
               (op >= 0x30 && op <= 0x35) || (op >= 0x37 && op <= 0x41);
    return op == 0x0c || op == 0x0d || op == 0x0e || op == 0x0f || op == 0x42;
}

bool simd_exec_int(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    uint8_t p = i->mandatory;
    unsigned op = i->opcode;
    if (is_binop(i->map, op))
        return binop(x);
    if (i->map == X86_MAP_0F3A) {
        switch (op) {
        case 0x14: case 0x15: case 0x16: { /* PEXTRB / PEXTRW / PEXTRD / PEXTRQ r/m, xmm, imm8 */
            simd_check_sse(x);
            const xmm_t *s = XR(x, i->reg);
            unsigned size = op == 0x14 ? 1 : op == 0x15 ? 2 : i->opsize == 8 ? 8 : 4;
            unsigned idx = (unsigned)i->imm & (16 / size - 1);
            uint64_t v = 0;
            memcpy(&v, s->b + idx * size, size);
            if (i->mod == 3)
                gpr_set(x, i->rm, size == 8 ? 8 : 4, v); /* zero-extended (SDM vol. 2 PEXTRB) */
            else
                x86_write(x, simd_ea(x), size, v);
            return true;
        }
        case 0x20: case 0x22: { /* PINSRB / PINSRD / PINSRQ xmm, r/m, imm8 */
            simd_check_sse(x);
            unsigned size = op == 0x20 ? 1 : i->opsize == 8 ? 8 : 4;
            unsigned idx = (unsigned)i->imm & (16 / size - 1);
            uint64_t v = i->mod == 3 ? x->r[i->rm] : x86_read(x, simd_ea(x), size);
            memcpy(XR(x, i->reg)->b + idx * size, &v, size);
            return true;
        }
        default:
            return false;
        }
    }
    if (i->map == X86_MAP_0F38) {
        if (op == 0x17) { /* PTEST: ZF = (s AND d) = 0, CF = (s AND NOT d) = 0 */
            simd_check_sse(x);
            xmm_t s;
            simd_rm_xmm(x, &s, 16, true);
            const xmm_t *d = XR(x, i->reg);
            bool zf = !((s.q[0] & d->q[0]) | (s.q[1] & d->q[1]));
            bool cf = !((s.q[0] & ~d->q[0]) | (s.q[1] & ~d->q[1]));
            x->rflags = (x->rflags & ~(uint64_t)FL_ARITH) | (zf ? FL_ZF : 0) | (cf ? FL_CF : 0);
            return true;
        }
        return false;
    }
    if (i->map != X86_MAP_0F)
        return false;
    switch (op) {
    case 0x70: { /* PSHUFW / PSHUFD / PSHUFHW / PSHUFLW */
        unsigned imm = (unsigned)i->imm & 0xff;
        if (p == 0) {
            simd_check_mmx(x);
            xmm_t s = { .q = { simd_rm_mm(x), 0 } }, r;
            r.q[1] = 0;
            for (unsigned k = 0; k < 4; k++)
                r.w[k] = s.w[imm >> (2 * k) & 3];
            mm_set(x, i->reg, r.q[0]);
            return true;
        }
        simd_check_sse(x);
        xmm_t s, r;
        simd_rm_xmm(x, &s, 16, true);
        r = s;
        for (unsigned k = 0; k < 4; k++) {
            unsigned sel = imm >> (2 * k) & 3;
            if (p == 0x66)
                r.d[k] = s.d[sel];
            else if (p == 0xf3)
                r.w[4 + k] = s.w[4 + sel];
            else
                r.w[k] = s.w[sel];
        }
        *XR(x, i->reg) = r;
        return true;
    }
    case 0x71: case 0x72: case 0x73: { /* shifts by imm8: groups 12-14 */
        unsigned sub = i->modrm >> 3 & 7, count = (unsigned)i->imm & 0xff;
        unsigned esz = op == 0x71 ? 2 : op == 0x72 ? 4 : 8;
        xmm_t d;
        if (p == 0x66) {
            simd_check_sse(x);
            d = *XR(x, i->rm);
        } else {
            simd_check_mmx(x);
            d.q[0] = mm_get(x, i->rm);
            d.q[1] = 0;
        }
        unsigned n = p == 0x66 ? 16 : 8;
        if (sub == 3 || sub == 7) { /* PSRLDQ / PSLLDQ: bytes, count > 15 clears */
            xmm_t r;
            memset(&r, 0, sizeof r);
            for (unsigned k = 0; k < 16; k++) {
                int from = sub == 3 ? (int)(k + count) : (int)k - (int)count;
                if (count < 16 && from >= 0 && from < 16)
                    r.b[k] = d.b[from];
            }
            d = r;
        } else {
            shift_lanes(&d, n, esz, sub == 2 ? 0 : sub == 4 ? 1 : 2, count);
        }
        if (p == 0x66)
            *XR(x, i->rm) = d;
        else
            mm_set(x, i->rm, d.q[0]);
        return true;
    }
    case 0xc4: { /* PINSRW mm|xmm, r32/m16, imm8 */
        unsigned imm = (unsigned)i->imm;
        uint16_t v;
        if (p == 0x66)
            simd_check_sse(x);
        else
            simd_check_mmx(x);
        v = (uint16_t)(i->mod == 3 ? x->r[i->rm] : x86_read(x, simd_ea(x), 2));
        if (p == 0x66) {
            XR(x, i->reg)->w[imm & 7] = v;
        } else {
            xmm_t d = { .q = { mm_get(x, i->reg), 0 } };
            d.w[imm & 3] = v;
            mm_set(x, i->reg, d.q[0]);
        }
        return true;
    }
    case 0xc5: { /* PEXTRW r32/64, mm|xmm, imm8 (zero-extended) */
        unsigned imm = (unsigned)i->imm;
        if (p == 0x66) {
            simd_check_sse(x);
            x->r[i->reg] = XR(x, i->rm)->w[imm & 7];
        } else {
            simd_check_mmx(x);
            x->r[i->reg] = mm_get(x, i->rm) >> (16 * (imm & 3)) & 0xffff;
        }
        return true;
    }
    case 0xd7: { /* PMOVMSKB r32/64, mm|xmm */
        uint64_t m = 0;
        if (p == 0x66) {
            simd_check_sse(x);
            for (unsigned k = 0; k < 16; k++)
                m |= (uint64_t)(XR(x, i->rm)->b[k] >> 7) << k;
        } else {
            simd_check_mmx(x);
            uint64_t v = mm_get(x, i->rm);
            for (unsigned k = 0; k < 8; k++)
                m |= (v >> (8 * k + 7) & 1) << k;
        }
        x->r[i->reg] = m;
        return true;
    }
    default:
        return false;
    }
}
