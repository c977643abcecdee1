/* SSE4.2 string compares (PCMPESTRI/M, PCMPISTRI/M: SDM vol. 2 §4.1 "Imm8
 * control byte operation"), AES-NI (SDM vol. 2 AESENC..AESKEYGENASSIST,
 * with the round functions of FIPS-197 §5) and PCLMULQDQ. */
#include <string.h>
#include "simd.h"

/* ---- PCMPxSTRx ------------------------------------------------------------- */

/* Element e of v: bytes or words, signed or not (imm8[1:0], §4.1.2). */
static int elem(const xmm_t *v, unsigned e, unsigned fmt)
{
    switch (fmt & 3) {
    case 0: return v->b[e];
    case 1: return v->w[e];
    case 2: return (int8_t)v->b[e];
    default: return (int16_t)v->w[e];
    }
}

/* Implicit length: elements before the first zero one. */
static unsigned ilen(const xmm_t *v, unsigned n, unsigned fmt)
{
    unsigned k = 0;
    while (k < n && elem(v, k, fmt) != 0)
        k++;
    return k;
}

/* Explicit length: |reg| saturated to n (§4.1.2). */
static unsigned elen(uint64_t r, bool w, unsigned n)
{
    int64_t v = w ? (int64_t)r : (int64_t)(int32_t)r;
    uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return a > n ? n : (unsigned)a;
}

static void exec_pcmpstr(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    unsigned imm = (unsigned)i->imm & 0xff, op = i->opcode;
    unsigned fmt = imm & 3, agg = imm >> 2 & 3, pol = imm >> 4 & 3;
    unsigned n = (fmt & 1) ? 8 : 16;
    bool explicit_len = op == 0x60 || op == 0x61, index = op & 1;
    xmm_t b;
    simd_check_sse(x);
    simd_rm_xmm(x, &b, 16, false); /* unaligned allowed (SDM vol. 2 PCMPESTRI) */
    const xmm_t *a = XR(x, i->reg);
    unsigned la, lb;
    if (explicit_len) {
        bool w = i->opsize == 8;
        la = elen(x->r[RAX], w, n);
        lb = elen(x->r[RDX], w, n);
    } else {
        la = ilen(a, n, fmt);
        lb = ilen(&b, n, fmt);
    }
    /* IntRes1 (§4.1.4); a: xmm1 (the set / ranges / needle), b: xmm2/m128,
     * j indexes b. Invalid elements follow the override table §4.1.3. */
    uint32_t r1 = 0;
    for (unsigned j = 0; j < n; j++) {
        bool bit = false;
        switch (agg) {
        case 0: /* equal any */
            for (unsigned k = 0; k < la && j < lb; k++)
                bit |= elem(a, k, fmt) == elem(&b, j, fmt);
            break;
        case 1: /* ranges: a[2k] <= b[j] <= a[2k+1] */
            for (unsigned k = 0; k + 1 < n && j < lb; k += 2) {
                bool ge = k < la && elem(&b, j, fmt) >= elem(a, k, fmt);
                bool le = k + 1 < la && elem(&b, j, fmt) <= elem(a, k + 1, fmt);
                bit |= ge && le;
            }
            break;
        case 2: /* equal each: both invalid -> true, one invalid -> false */
            if (j >= la && j >= lb)
                bit = true;
            else if (j < la && j < lb)
                bit = elem(a, j, fmt) == elem(&b, j, fmt);
            break;
        default: /* equal ordered: a occurs in b at j */
            bit = true;
            for (unsigned k = 0, m = j; k < n - j; k++, m++) {
                bool t;
                if (k >= la)
                    t = true;              /* needle ended */
                else if (m >= lb)
                    t = false;             /* haystack ended, needle not */
                else
                    t = elem(a, k, fmt) == elem(&b, m, fmt);
                bit &= t;
            }
            break;
        }
        r1 |= (uint32_t)bit << j;
    }
    uint32_t all = (1u << n) - 1, r2 = r1;
    if (pol == 1)
        r2 = ~r1 & all;
    else if (pol == 3)
        r2 = (r1 ^ ((1u << lb) - 1)) & all; /* negate where b is valid */
    if (index) {
        unsigned idx = n;
        if (r2)
            idx = (imm & 0x40) ? 31u - (unsigned)__builtin_clz(r2) : (unsigned)__builtin_ctz(r2);
        x->r[RCX] = idx; /* ECX, zero-extended */
    } else {
        xmm_t m;
        memset(&m, 0, sizeof m);
        if (imm & 0x40) {
            for (unsigned k = 0; k < n; k++)
                if (r2 >> k & 1) {
                    if (n == 16)
                        m.b[k] = 0xff;
                    else
                        m.w[k] = 0xffff;
                }
        } else {
            m.d[0] = r2;
        }
        *XR(x, 0) = m;
    }
    /* flags (§4.1.6): CF = IntRes2 != 0, ZF = b has an invalid element,
     * SF = a has one, OF = IntRes2[0], AF = PF = 0 */
    x->rflags = (x->rflags & ~(uint64_t)FL_ARITH) | (r2 ? FL_CF : 0) | (lb < n ? FL_ZF : 0) |
                (la < n ? FL_SF : 0) | ((r2 & 1) ? FL_OF : 0);
}

/* ---- AES (FIPS-197 §5.1, §5.3) ------------------------------------------------- */

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1)
            p ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

static uint8_t sbox[256], isbox[256];

/* The S-box of FIPS-197 §5.1.1: the multiplicative inverse in GF(2^8)
 * (0 maps to 0) followed by the affine transformation with constant 0x63. */
static void aes_init(void)
{
    if (sbox[0])
        return;
    for (unsigned v = 0; v < 256; v++) {
        uint8_t inv = 0;
        for (unsigned c = 1; c < 256 && v; c++)
            if (gmul((uint8_t)v, (uint8_t)c) == 1) {
                inv = (uint8_t)c;
                break;
            }
        uint8_t s = 0x63;
        for (unsigned bit = 0; bit < 8; bit++) {
            unsigned t = (inv >> bit) ^ (inv >> ((bit + 4) & 7)) ^ (inv >> ((bit + 5) & 7)) ^
                         (inv >> ((bit + 6) & 7)) ^ (inv >> ((bit + 7) & 7));
            s ^= (uint8_t)((t & 1) << bit);
        }
        sbox[v] = s;
        isbox[s] = (uint8_t)v;
    }
}

/* The state: byte r + 4c of the register is s[r][c] (FIPS-197 §3.4). */
static void shift_rows(xmm_t *s, bool inv)
{
    xmm_t t = *s;
    for (unsigned r = 0; r < 4; r++)
        for (unsigned c = 0; c < 4; c++)
            s->b[r + 4 * c] = t.b[r + 4 * ((inv ? c + 4 - r : c + r) & 3)];
}

static void sub_bytes(xmm_t *s, bool inv)
{
    for (unsigned k = 0; k < 16; k++)
        s->b[k] = inv ? isbox[s->b[k]] : sbox[s->b[k]];
}

static void mix_columns(xmm_t *s, bool inv)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 }, bwd[4] = { 14, 11, 13, 9 };
    const uint8_t *m = inv ? bwd : fwd;
    for (unsigned c = 0; c < 4; c++) {
        uint8_t a[4];
        memcpy(a, s->b + 4 * c, 4);
        for (unsigned r = 0; r < 4; r++) {
            uint8_t v = 0;
            for (unsigned k = 0; k < 4; k++)
                v ^= gmul(a[k], m[(k + 4 - r) & 3]);
            s->b[4 * c + r] = v;
        }
    }
}

static uint32_t sub_word(uint32_t w)
{
    return (uint32_t)sbox[w & 0xff] | (uint32_t)sbox[w >> 8 & 0xff] << 8 |
           (uint32_t)sbox[w >> 16 & 0xff] << 16 | (uint32_t)sbox[w >> 24] << 24;
}

static void exec_aes(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    xmm_t k, s;
    simd_check_sse(x);
    simd_rm_xmm(x, &k, 16, true);
    aes_init();
    s = *XR(x, i->reg);
    if (i->map == X86_MAP_0F3A) { /* AESKEYGENASSIST xmm1, xmm2/m128, imm8 */
        uint32_t rcon = (uint32_t)i->imm & 0xff, x1 = sub_word(k.d[1]), x3 = sub_word(k.d[3]);
        s.d[0] = x1;
        s.d[1] = ((x1 >> 8) | (x1 << 24)) ^ rcon;
        s.d[2] = x3;
        s.d[3] = ((x3 >> 8) | (x3 << 24)) ^ rcon;
        *XR(x, i->reg) = s;
        return;
    }
    switch (i->opcode) {
    case 0xdb: /* AESIMC */
        s = k;
        mix_columns(&s, true);
        *XR(x, i->reg) = s;
        return;
    case 0xdc: case 0xdd: /* AESENC / AESENCLAST */
        shift_rows(&s, false);
        sub_bytes(&s, false);
        if (i->opcode == 0xdc)
            mix_columns(&s, false);
        break;
    default: /* AESDEC / AESDECLAST */
        shift_rows(&s, true);
        sub_bytes(&s, true);
        if (i->opcode == 0xde)
            mix_columns(&s, true);
        break;
    }
    s.q[0] ^= k.q[0];
    s.q[1] ^= k.q[1];
    *XR(x, i->reg) = s;
}

/* ---- PCLMULQDQ ----------------------------------------------------------------- */

static void exec_pclmul(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    xmm_t s;
    simd_check_sse(x);
    simd_rm_xmm(x, &s, 16, true);
    uint64_t a = XR(x, i->reg)->q[i->imm & 1], b = s.q[i->imm >> 4 & 1], lo = 0, hi = 0;
    for (unsigned k = 0; k < 64; k++)
        if (b >> k & 1) {
            lo ^= a << k;
            hi ^= k ? a >> (64 - k) : 0;
        }
    XR(x, i->reg)->q[0] = lo;
    XR(x, i->reg)->q[1] = hi;
}

bool simd_exec_sse4(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    if (i->mandatory != 0x66)
        return false;
    if (i->map == X86_MAP_0F3A) {
        if (i->opcode >= 0x60 && i->opcode <= 0x63) {
            exec_pcmpstr(x);
            return true;
        }
        if (i->opcode == 0x44) {
            exec_pclmul(x);
            return true;
        }
        if (i->opcode == 0xdf) {
            exec_aes(x);
            return true;
        }
        return false;
    }
    if (i->map == X86_MAP_0F38 && i->opcode >= 0xdb && i->opcode <= 0xdf) {
        exec_aes(x);
        return true;
    }
    return false;
}
