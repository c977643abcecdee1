/* The x86 interpreter: fetch, decode (decode.c), execute one instruction at
 * a time. Semantics from the Intel SDM vol. 2 instruction pages; flags as
 * vol. 1 App. A "EFLAGS Cross-Reference" (flags the SDM calls undefined get
 * the values documented in docs/x86.md). Exceptions leave through
 * x86_raise(), which delivers them and longjmps back to the loop here.
 *
 * REP string instructions execute one iteration per tick with RIP left on
 * the instruction until the count is done, so they are interruptible and
 * restartable and count per iteration in virtual time (REP MOVS / STOS
 * run several iterations at once where nothing can tell: rep_run). */
#include <string.h>
#include "x86_cpu.h"
#include "block.h"
#include "icache.h"
#include "jit.h"
#include "seg.h"
#include "vme.h"
#include "desc_insn.h"
#include "../../apic/lapic.h"
#include "../../sim/bus.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
/* the operand helpers of the hot path: inlined into every handler */
#define HOT static inline __attribute__((always_inline))

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
static inline uint64_t sign_bit(unsigned size) { return 1ull << (8 * size - 1); }
static inline int64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return (int64_t)(v << sh) >> sh;
}

/* A 48-bit linear address is canonical when bits 63:47 are all equal
 * (SDM vol. 1 §3.3.7.1). */
static inline bool noncanonical(uint64_t la) { return (uint64_t)sext(la, 6) != la; }

#define UD() x86_raise(x, X86_EXC_UD, false, 0)
#define GP0() x86_raise(x, X86_EXC_GP, true, 0)

/* ---- registers ------------------------------------------------------------ */

/* Register r of size bytes; byte registers 4..7 are AH..BH without REX
 * (rex: the instruction's REX byte, from x->in or a predecoded slot). */
HOT uint64_t reg_read(const struct x86_cpu *x, unsigned rex, unsigned r, unsigned size)
{
    if (size == 1) {
        if (r >= 4 && r < 8 && !rex)
            return (x->r[r - 4] >> 8) & 0xff;
        return x->r[r] & 0xff;
    }
    return x->r[r] & size_mask(size);
}

/* Writes of 32 bits zero the upper half (SDM vol. 1 §3.4.1.1); 8/16 keep it. */
HOT void reg_write(struct x86_cpu *x, unsigned rex, unsigned r, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        if (r >= 4 && r < 8 && !rex)
            x->r[r - 4] = (x->r[r - 4] & ~0xff00ull) | (v & 0xff) << 8;
        else
            x->r[r] = (x->r[r] & ~0xffull) | (v & 0xff);
        break;
    case 2: x->r[r] = (x->r[r] & ~0xffffull) | (v & 0xffff); break;
    case 4: x->r[r] = v & 0xffffffffull; break;
    default: x->r[r] = v; break;
    }
}

static inline uint64_t get_reg(const struct x86_cpu *x, unsigned r, unsigned size)
{
    return reg_read(x, x->in.rex, r, size);
}
static inline void set_reg(struct x86_cpu *x, unsigned r, unsigned size, uint64_t v)
{
    reg_write(x, x->in.rex, r, size, v);
}

/* ---- addresses ------------------------------------------------------------- */

static inline uint64_t addr_mask(unsigned asize) { return size_mask(asize); }

/* Effective address of a ModRM memory operand (SDM vol. 2 §2.1.5) from
 * its decoded fields (of x->in or of a predecoded slot); next_rip is the
 * base of a RIP-relative one. */
HOT uint64_t ea_sum(const struct x86_cpu *x, int64_t disp, unsigned base, unsigned index,
                              unsigned scale, unsigned asize)
{
    uint64_t a = (uint64_t)disp;
    if (base == X86_REG_RIP)
        a += x->next_rip;
    else if (base != X86_REG_NONE)
        a += x->r[base];
    if (index != X86_REG_NONE)
        a += x->r[index] << scale;
    return a & addr_mask(asize);
}

/* Its segment: the override, else SS for an rSP / rBP base, else DS. */
HOT int ea_seg(unsigned seg, unsigned base)
{
    if (seg != X86_SEG_NONE)
        return (int)seg;
    if (base == RSP || base == RBP)
        return X86_SS;
    return X86_DS;
}

static uint64_t ea_offset(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    return ea_sum(x, i->disp, i->base, i->index, i->scale, i->addrsize);
}

static int default_seg(const struct x86_insn *i) { return ea_seg(i->seg, i->base); }

/* Outside 64-bit mode: the segment must be usable (not loaded with a null
 * selector) and off within its limit — for an expand-down data segment
 * above it (SDM vol. 3A §3.4.5.1, §5.3): else #GP(0), #SS(0) for SS. This
 * is the first byte; linear() notes seg:off and the access at that linear
 * address checks its last byte (seg.c x86_seg_end_check). */
HOT void seg_check(struct x86_cpu *x, int s, uint64_t off)
{
    const struct x86_segment *g = &x->seg[s];
    bool bad;
    if (unlikely(!(g->attr & SEG_P)))
        bad = (x->cr0 & CR0_PE) != 0;
    else if (unlikely((g->attr & (SEG_CODE | SEG_CE)) == SEG_CE)) /* expand-down data */
        bad = off <= g->limit || off > ((g->attr & SEG_DB) ? 0xffffffffull : 0xffffull);
    else
        bad = off > g->limit;
    if (unlikely(bad))
        x86_raise(x, s == X86_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
}

/* Linear address of seg:off; canonical check in 64-bit mode (#GP(0), or
 * #SS(0) for the stack segment: SDM vol. 3A §3.3.7.1). */
HOT uint64_t linear(struct x86_cpu *x, int s, uint64_t off)
{
    if (x->code_size == 8) {
        uint64_t la = off + ((s == X86_FS || s == X86_GS) ? x->seg[s].base : 0);
        if (noncanonical(la))
            x86_raise(x, s == X86_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
        return la;
    }
    seg_check(x, s, off);
    uint64_t la = (x->seg[s].base + off) & 0xffffffffull;
    x86_seg_note(x, s, off, la);
    /* Within 7 bytes of the end of the segment, the access's last byte may
     * be beyond it: drop the page's TLB entry so that the fast handlers'
     * inline access (fmem_read / fmem_write) misses and goes through
     * x86_read / x86_write, which check it (hvsim may drop a translation
     * at any time: SDM vol. 3A §4.10.2). Elsewhere nothing changes. */
    const struct x86_segment *g = &x->seg[s];
    uint64_t end = (g->attr & (SEG_CODE | SEG_CE)) == SEG_CE ? ((g->attr & SEG_DB) ? 0xffffffffull : 0xffff)
                                                                : g->limit;
    /* A segment whose type forbids writes (code, read-only data) or reads
     * (execute-only code): the same, so that the access's type is checked
     * by x86_read / x86_write (seg.c x86_seg_end_check). */
    if (unlikely(off + 7 > end) || unlikely(!x86_seg_type_allows(x, g, true)))
        x86_tlb_flush_page(x, la);
    return la;
}

static uint64_t ea_linear(struct x86_cpu *x)
{
    return linear(x, default_seg(&x->in), ea_offset(x));
}

/* For simd*.c (x86_cpu.h). */
uint64_t x86_ea_linear(struct x86_cpu *x) { return ea_linear(x); }
uint64_t x86_linear(struct x86_cpu *x, int s, uint64_t off) { return linear(x, s, off); }
uint64_t x86_modrm_linear(struct x86_cpu *x, int *seg, uint64_t *off)
{
    int s = default_seg(&x->in);
    uint64_t o = ea_offset(x);
    if (seg)
        *seg = s;
    if (off)
        *off = o;
    return linear(x, s, o);
}

/* Data accesses: x86_read / x86_write with the TLB hit in line (the probe
 * of mmu.c tlb_get: tag page << 3 | access class << 1 | 1 | context; class 1 user,
 * 2 supervisor with SMAP overridden by RFLAGS.AC, else 0) for an access
 * inside one page of RAM, and the dirty marking of write_in_page. A miss,
 * a page crossing, a page without a host mapping, an unaligned access at
 * CPL 3 (the #AC check), debugger watchpoints and enabled DR0-DR3 data
 * breakpoints go to x86_read /
 * x86_write, which do everything else. */
static inline unsigned mem_class(const struct x86_cpu *x)
{
    return x->cpl == 3 ? 1 : ((x->cr4 & CR4_SMAP) && (x->rflags & FL_AC)) ? 2 : 0;
}

HOT uint64_t mem_read(struct x86_cpu *x, uint64_t la, unsigned size)
{
    uint64_t a = x->long_mode ? la : la & 0xffffffffull;
    const struct x86_tlb_entry *t = X86_TLB_AT(x, a);
    if (likely((a & 0xfff) + size <= 4096 && t->tag_r == ((a >> 12) << 3 | mem_class(x) << 1 | 1 | x->tlb_tag) &&
               t->host && !x->cpu.nwps && !x->dbg_data && !((a & (size - 1)) && x->cpl == 3))) {
        uint64_t v = 0;
        memcpy(&v, t->host + (a & 0xfff), size);
        return v;
    }
    x->blk_exit = true; /* MMIO, a TLB refill, ...: end the block (run_blocks) */
    return x86_read(x, la, size);
}

HOT void mem_write(struct x86_cpu *x, uint64_t la, unsigned size, uint64_t v)
{
    uint64_t a = x->long_mode ? la : la & 0xffffffffull;
    const struct x86_tlb_entry *t = X86_TLB_AT(x, a);
    if (likely((a & 0xfff) + size <= 4096 && t->tag_w == ((a >> 12) << 3 | mem_class(x) << 1 | 1 | x->tlb_tag) &&
               t->host_w && !x->cpu.nwps && !x->dbg_data && !((a & (size - 1)) && x->cpl == 3))) {
        memcpy(t->host_w + (a & 0xfff), &v, size);
        struct mem_region *r = x->m->ram;
        uint64_t pa = t->pa | (a & 0xfff);
        if (unlikely(!r || pa - r->base >= r->size)) /* a board with several RAM regions (PC) */
            r = bus_find_mem(&x->m->bus, pa);
        if (r)
            r->dirty[(pa - r->base) >> 12] = 1; /* bus_mark_dirty of one page */
        return;
    }
    x->blk_exit = true; /* MMIO, a code page, a TLB refill, ...: end the block (run_blocks) */
    x86_write(x, la, size, v);
}

/* The r/m operand. */
static uint64_t rm_read(struct x86_cpu *x, unsigned size)
{
    if (x->in.mod == 3)
        return get_reg(x, x->in.rm, size);
    return mem_read(x, ea_linear(x), size);
}

static void rm_write(struct x86_cpu *x, unsigned size, uint64_t v)
{
    if (x->in.mod == 3)
        set_reg(x, x->in.rm, size, v);
    else
        mem_write(x, ea_linear(x), size, v & size_mask(size));
}

/* ---- stack ----------------------------------------------------------------- */

static uint64_t sp_mask(const struct x86_cpu *x) { return size_mask(x->stack_size); }

HOT void push(struct x86_cpu *x, unsigned size, uint64_t v)
{
    uint64_t sp = (x->r[RSP] - size) & sp_mask(x);
    mem_write(x, linear(x, X86_SS, sp), size, v);
    x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | sp;
}

HOT uint64_t pop(struct x86_cpu *x, unsigned size)
{
    uint64_t sp = x->r[RSP] & sp_mask(x);
    uint64_t v = mem_read(x, linear(x, X86_SS, sp), size);
    x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | ((sp + size) & sp_mask(x));
    return v;
}

/* ---- flags ---------------------------------------------------------------- */

static inline bool parity8(uint64_t v) { return !__builtin_parity((unsigned)(v & 0xff)); }

static inline void set_flags(struct x86_cpu *x, uint64_t mask, uint64_t val)
{
    x->rflags = (x->rflags & ~mask) | (val & mask);
}

/* Flags are assembled without branches (the bit positions of FL_*): the
 * host predicts data-dependent branches badly. */
HOT uint64_t szp(uint64_t res, unsigned size)
{
    res &= size_mask(size);
    return (uint64_t)(res == 0) << 6 |                     /* ZF */
           ((res >> (8 * size - 1)) & 1) << 7 |             /* SF */
           (uint64_t)parity8(res) << 2;                     /* PF */
}

/* bit (8 * size - 1) of v as OF (bit 11) */
HOT uint64_t of_bit(uint64_t v, unsigned size) { return ((v >> (8 * size - 1)) & 1) << 11; }

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

#if defined(__x86_64__) && !defined(HVSIM_NO_HOST_FLAGS)
/* On an x86-64 host, ADD, SUB (CMP, NEG) and the logic operations take
 * their flags from the host's instruction of the same size: LAHF gives
 * SF ZF AF PF CF, SETO gives OF, all six defined by the SDM for ADD/SUB
 * (vol. 2 "ADD", "SUB"); for AND/OR/XOR AF is undefined and is cleared
 * as in the portable code below (CF = OF = 0 are defined). The same
 * values as the portable computation, in a third of the host
 * instructions (docs/x86.md "Performance"). */
#define HOST_ALU_ASM(INSN, SUF, REG)                                                    \
    __asm__(INSN SUF " %" REG "[b], %" REG "[r]\n\tlahf\n\tseto %b[o]"                \
            : [r] "+r"(r), [o] "=&r"(o), "=&a"(ah)                                     \
            : [b] "r"(b)                                                               \
            : "cc")
/* the logic operations clear OF (and CF): no SETO */
#define HOST_LOGIC_ASM(INSN, SUF, REG)                                                  \
    __asm__(INSN SUF " %" REG "[b], %" REG "[r]\n\tlahf"                                \
            : [r] "+r"(r), "=&a"(ah)                                                   \
            : [b] "r"(b)                                                               \
            : "cc")
#define HOST_SIZES(ASM, INSN)                                                            \
    switch (size) {                                                                      \
    case 1: ASM(INSN, "b", "b"); break;                                                  \
    case 2: ASM(INSN, "w", "w"); break;                                                  \
    case 4: ASM(INSN, "l", "k"); break;                                                  \
    default: ASM(INSN, "q", "q"); break;                                                 \
    }
#define HOST_ALU_SIZES(INSN) HOST_SIZES(HOST_ALU_ASM, INSN)
#define HOST_LOGIC_SIZES(INSN) HOST_SIZES(HOST_LOGIC_ASM, INSN)
HOT bool host_alu(struct x86_cpu *x, unsigned op, uint64_t a, uint64_t b, unsigned size,
                  uint64_t *res)
{
    uint64_t r = a, o = 0, ah;
    switch (op) {
    case ALU_ADD: HOST_ALU_SIZES("add"); break;
    case ALU_SUB: case ALU_CMP: HOST_ALU_SIZES("sub"); break;
    case ALU_AND: HOST_LOGIC_SIZES("and"); break;
    case ALU_OR: HOST_LOGIC_SIZES("or"); break;
    case ALU_XOR: HOST_LOGIC_SIZES("xor"); break;
    default: return false; /* ADC, SBB: the portable code */
    }
    uint64_t keep = op == ALU_ADD || op == ALU_SUB || op == ALU_CMP ? 0xd5 : 0xc5;
    set_flags(x, FL_ARITH, ((ah >> 8) & keep) | (o & 1) << 11);
    *res = r & size_mask(size);
    return true;
}
#undef HOST_ALU_SIZES
#undef HOST_LOGIC_SIZES
#undef HOST_SIZES
#undef HOST_LOGIC_ASM
#undef HOST_ALU_ASM
#endif

/* The eight ALU operations of opcodes 00-3F / 80-83 with their flags. */
static uint64_t alu(struct x86_cpu *x, unsigned op, uint64_t a, uint64_t b, unsigned size)
{
    uint64_t m = size_mask(size);
    a &= m;
    b &= m;
    uint64_t res, f;
#if defined(__x86_64__) && !defined(HVSIM_NO_HOST_FLAGS)
    if (host_alu(x, op, a, b, size, &res))
        return res;
#endif
    unsigned carry_in = (op == ALU_ADC || op == ALU_SBB) && (x->rflags & FL_CF) ? 1 : 0;
    switch (op) {
    case ALU_ADD:
    case ALU_ADC: {
        unsigned __int128 wide = (unsigned __int128)a + b + carry_in;
        res = (uint64_t)wide & m;
        f = szp(res, size);
        f |= size == 8 ? (uint64_t)(wide >> 64) & 1 : (((uint64_t)wide) >> (8 * size)) & 1; /* CF */
        f |= of_bit((a ^ res) & (b ^ res), size);
        f |= (a ^ b ^ res) & FL_AF;
        set_flags(x, FL_ARITH, f);
        return res;
    }
    case ALU_SUB:
    case ALU_SBB:
    case ALU_CMP: {
        res = (a - b - carry_in) & m;
        f = szp(res, size);
        f |= (uint64_t)((unsigned __int128)a < (unsigned __int128)b + carry_in); /* CF */
        f |= of_bit((a ^ b) & (a ^ res), size);
        f |= (a ^ b ^ res) & FL_AF;
        set_flags(x, FL_ARITH, f);
        return res;
    }
    case ALU_OR: res = a | b; break;
    case ALU_AND: res = a & b; break;
    default: res = a ^ b; break;
    }
    /* logic: CF = OF = 0, AF undefined (cleared, like current hardware) */
    set_flags(x, FL_ARITH, szp(res, size));
    return res;
}

/* Condition codes tttn (SDM vol. 2 App. B.1.4.7). */
static bool cond(const struct x86_cpu *x, unsigned cc)
{
    uint64_t f = x->rflags;
    bool r;
    switch (cc >> 1) {
    case 0: r = f & FL_OF; break;
    case 1: r = f & FL_CF; break;
    case 2: r = f & FL_ZF; break;
    case 3: r = (f & FL_CF) || (f & FL_ZF); break;
    case 4: r = f & FL_SF; break;
    case 5: r = f & FL_PF; break;
    case 6: r = !!(f & FL_SF) != !!(f & FL_OF); break;
    default: r = (f & FL_ZF) || (!!(f & FL_SF) != !!(f & FL_OF)); break;
    }
    return (cc & 1) ? !r : r;
}

static uint64_t inc_dec(struct x86_cpu *x, uint64_t a, unsigned size, bool dec)
{
    uint64_t m = size_mask(size), sb = sign_bit(size);
    uint64_t res = (dec ? a - 1 : a + 1) & m;
    uint64_t f = szp(res, size);
    f |= (uint64_t)(dec ? (a & m) == sb : res == sb) << 11; /* OF */
    f |= (a ^ res) & FL_AF;
    set_flags(x, FL_ARITH & ~FL_CF, f); /* CF unchanged */
    return res;
}

/* Group 2 shifts and rotates (C0/C1/D0-D3): ROL ROR RCL RCR SHL SHR SAL SAR. */
static uint64_t shift(struct x86_cpu *x, unsigned op, uint64_t a, unsigned count, unsigned size)
{
    uint64_t m = size_mask(size), sb = sign_bit(size);
    unsigned bits = 8 * size;
    count &= size == 8 ? 63 : 31;
    a &= m;
    if (!count)
        return a; /* flags unchanged */
    uint64_t res = a, f = x->rflags;
    bool cf = f & FL_CF;
#if defined(__x86_64__) && !defined(HVSIM_NO_HOST_FLAGS)
    if (size >= 4 && op >= 4) {
        /* SHL/SHR/SAR of 32/64 bits (count 1..width-1 here): CF, SF, ZF,
         * PF from the host instruction (LAHF; defined for a count other
         * than 0, SDM vol. 2 "SAL/SAR/SHL/SHR"), AF cleared and OF as
         * below (defined only for a count of 1), the same values as the
         * portable code */
        uint64_t ah;
        unsigned char cnt = (unsigned char)count;
        if (op == 5) {
            if (size == 8) __asm__("shrq %%cl, %[r]\n\tlahf" : [r] "+r"(res), "=&a"(ah) : "c"(cnt) : "cc");
            else __asm__("shrl %%cl, %k[r]\n\tlahf" : [r] "+r"(res), "=&a"(ah) : "c"(cnt) : "cc");
        } else if (op == 7) {
            if (size == 8) __asm__("sarq %%cl, %[r]\n\tlahf" : [r] "+r"(res), "=&a"(ah) : "c"(cnt) : "cc");
            else __asm__("sarl %%cl, %k[r]\n\tlahf" : [r] "+r"(res), "=&a"(ah) : "c"(cnt) : "cc");
        } else {
            if (size == 8) __asm__("shlq %%cl, %[r]\n\tlahf" : [r] "+r"(res), "=&a"(ah) : "c"(cnt) : "cc");
            else __asm__("shll %%cl, %k[r]\n\tlahf" : [r] "+r"(res), "=&a"(ah) : "c"(cnt) : "cc");
        }
        res &= m;
        uint64_t fl = (ah >> 8) & 0xc5, of;
        if (op == 5)
            of = (uint64_t)(count == 1) * of_bit(a, size);
        else if (op == 7)
            of = 0;
        else
            of = (uint64_t)(((res >> (bits - 1)) & 1) != (fl & 1)) << 11;
        x->rflags = (f & ~(uint64_t)FL_ARITH) | fl | of;
        return res;
    }
#endif
    switch (op) {
    case 0: { /* ROL */
        unsigned c = count % bits;
        res = c ? ((a << c) | (a >> (bits - c))) & m : a;
        cf = res & 1;
        f = (f & ~(uint64_t)(FL_CF | FL_OF)) | (cf ? FL_CF : 0) |
            ((!!(res & sb) != cf) ? FL_OF : 0);
        break;
    }
    case 1: { /* ROR */
        unsigned c = count % bits;
        res = c ? ((a >> c) | (a << (bits - c))) & m : a;
        cf = res & sb;
        f = (f & ~(uint64_t)(FL_CF | FL_OF)) | (cf ? FL_CF : 0) |
            (((res ^ (res << 1)) & sb) ? FL_OF : 0);
        break;
    }
    case 2: { /* RCL */
        unsigned c = count % (bits + 1);
        for (unsigned k = 0; k < c; k++) {
            bool out = res & sb;
            res = ((res << 1) | (cf ? 1 : 0)) & m;
            cf = out;
        }
        f = (f & ~(uint64_t)(FL_CF | FL_OF)) | (cf ? FL_CF : 0) |
            ((!!(res & sb) != cf) ? FL_OF : 0);
        break;
    }
    case 3: { /* RCR */
        unsigned c = count % (bits + 1);
        bool of = (!!(a & sb)) != cf;
        for (unsigned k = 0; k < c; k++) {
            bool out = res & 1;
            res = (res >> 1) | (cf ? sb : 0);
            cf = out;
        }
        f = (f & ~(uint64_t)(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
        break;
    }
    case 4:
    case 6: /* SHL/SAL */
        res = count < 64 ? (a << count) & m : 0;
        cf = count <= bits ? (a >> (bits - count)) & 1 : 0;
        f = (f & ~(uint64_t)FL_ARITH) | szp(res, size) | (uint64_t)cf |
            (uint64_t)(((res >> (bits - 1)) & 1) != cf) << 11;
        break;
    case 5: /* SHR */
        res = a >> count;
        cf = (a >> (count - 1)) & 1;
        f = (f & ~(uint64_t)FL_ARITH) | szp(res, size) | (uint64_t)cf |
            (uint64_t)(count == 1) * of_bit(a, size);
        break;
    default: { /* SAR */
        int64_t s = sext(a, size);
        res = (uint64_t)(s >> (count > 63 ? 63 : count)) & m;
        cf = (uint64_t)(s >> (count - 1 > 63 ? 63 : count - 1)) & 1;
        f = (f & ~(uint64_t)FL_ARITH) | szp(res, size) | (uint64_t)cf;
        break;
    }
    }
    x->rflags = f;
    return res;
}

/* ---- port I/O ---------------------------------------------------------------- */

/* CPL > IOPL in protected mode, and always in virtual-8086 mode (SDM vol.
 * 3A §20.2.8.1): the TSS I/O permission bitmap decides (vol. 1 §18.5.2). */
static void io_check(struct x86_cpu *x, uint32_t port, unsigned size)
{
    if (!(x->cr0 & CR0_PE) || (!(x->rflags & FL_VM) && x->cpl <= ((x->rflags >> 12) & 3)))
        return;
    if (x->tr.limit < 0x67)
        GP0();
    uint32_t base = (uint32_t)x86_read_as(x, x->tr.base + 0x66, 2, false);
    uint32_t byte = base + port / 8;
    if (byte + 1 > x->tr.limit)
        GP0();
    uint32_t bits = (uint32_t)x86_read_as(x, x->tr.base + byte, 2, false);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        GP0();
}

/* VMX non-root: after the privilege checks, an I/O exit (src/vmm/vmx_nonroot.c);
 * string / REP / immediate from the instruction (IN/OUT/INS/OUTS only run
 * from x->in) */
static void vmx_io(struct x86_cpu *x, uint32_t port, unsigned size, bool in)
{
    uint8_t op = x->in.opcode;
    bool string = op >= 0x6c && op <= 0x6f;
    vmx_nr_io(x, port & 0xffff, size, in, string, string && x->in.rep, op >= 0xe4 && op <= 0xe7);
}

static uint64_t port_in(struct x86_cpu *x, uint32_t port, unsigned size)
{
    io_check(x, port, size);
    if (unlikely(x->vmx.non_root))
        vmx_io(x, port, size, true);
    if (unlikely(x->dbg_io)) /* DR0-DR3 I/O breakpoints (debug.c) */
        x86_dbg_io_access(x, port & 0xffff, size);
    uint64_t v;
    if (!bus_pio_read(&x->m->bus, port & 0xffff, size, &v))
        v = size_mask(size); /* nobody decodes the port: the bus floats high */
    return v;
}

static void port_out(struct x86_cpu *x, uint32_t port, unsigned size, uint64_t v)
{
    io_check(x, port, size);
    if (unlikely(x->vmx.non_root))
        vmx_io(x, port, size, false);
    if (unlikely(x->dbg_io))
        x86_dbg_io_access(x, port & 0xffff, size);
    bus_pio_write(&x->m->bus, port & 0xffff, size, v & size_mask(size));
}

/* ---- control registers ----------------------------------------------------- */

static void write_cr0(struct x86_cpu *x, uint64_t v)
{
    v |= CR0_ET;
    if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        GP0();
    if (unlikely(x->vmx.on) && !vmx_cr_fixed_ok(x, 0, v))
        GP0(); /* IA32_VMX_CR0_FIXED0/1 in VMX operation (SDM vol. 3C §23.8) */
    if (unlikely(x->vmx.non_root) && x->vmx.ept) /* the PDPTE registers of PAE paging (src/vmm) */
        vmx_nr_pae_cr_write(x, v, x->cr3, x->cr4, false);
    if ((v & CR0_PG) && !(x->cr0 & CR0_PG) && (x->efer & EFER_LME)) {
        /* entering long mode needs PAE (SDM vol. 3A §9.8.5) */
        if (!(x->cr4 & CR4_PAE))
            GP0();
        x->efer |= EFER_LMA;
    }
    if (!(v & CR0_PG) && (x->cr0 & CR0_PG) && x->long_mode) {
        if (x->code_size == 8)
            GP0(); /* leave long mode from compatibility mode only */
        x->efer &= ~(uint64_t)EFER_LMA;
    }
    x->cr0 = v;
    x86_tlb_flush_vpid(x, true);
    x86_update_mode(x);
}

static void write_cr4(struct x86_cpu *x, uint64_t v)
{
    const uint64_t known = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE |
                           CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP |
                           CR4_FSGSBASE | CR4_PCIDE | CR4_SMEP | CR4_SMAP;
    if (v & ~(known | (vmx_available(&x->vmx) ? CR4_VMXE : 0) | (x->xsave ? CR4_OSXSAVE : 0)))
        GP0();
    if (unlikely(x->vmx.on) && !vmx_cr_fixed_ok(x, 4, v))
        GP0(); /* VMXE and the FIXED bits in VMX operation (SDM vol. 3C §23.8) */
    if (x->long_mode && !(v & CR4_PAE))
        GP0();
    /* PCIDE: only in IA-32e mode and with CR3[11:0] = 0 (SDM vol. 2 "MOV
     * to/from Control Registers") */
    if ((v & CR4_PCIDE) && !(x->cr4 & CR4_PCIDE) && (!x->long_mode || (x->cr3 & 0xfff)))
        GP0();
    if (unlikely(x->vmx.non_root) && x->vmx.ept) /* the PDPTE registers of PAE paging (src/vmm) */
        vmx_nr_pae_cr_write(x, x->cr0, x->cr3, v, false);
    x->cr4 = v;
    x86_tlb_flush_vpid(x, true);
}

/* HLT with IF = 0 ends only by NMI, INIT or SIPI (SDM vol. 2 "HLT"); the
 * board has no NMI source, so only another CPU that is running, or asleep
 * with IF = 1 (an interrupt can wake it) or in an MWAIT that will end
 * (monitor.c), could ever send one. When none is left the machine can
 * never wake: the run ends (a periodic device timer would otherwise keep
 * the scheduler jumping through virtual time forever). MWAIT with IF = 0
 * and ECX[0] = 0 asks the same (monitor.c). */
bool x86_hlt_can_wake(const struct x86_cpu *x)
{
    struct machine *m = x->m;
    for (int i = 0; i < m->ncpus; i++) {
        const struct cpu *c = m->cpus[i];
        if (c == &x->cpu || !c || c->ops->arch != CPU_ARCH_X86_64)
            continue;
        const struct x86_cpu *o = X86((struct cpu *)c);
        if (c->state == CPU_RUNNING ||
            (c->state == CPU_SLEEPING && ((o->rflags & FL_IF) || o->nmi_pending)))
            return true;
        /* in MWAIT (monitor.c): its line was written, or a masked
         * interrupt may end it (ECX[0] = 1) */
        if (c->state == CPU_SLEEPING && o->mwait_sleep && (o->mon_trig || o->mwait_intr))
            return true;
    }
    return false;
}

/* ---- one instruction ------------------------------------------------------ */

/* A near branch of operand size opsize. */
HOT void branch_to(struct x86_cpu *x, unsigned opsize, uint64_t target)
{
    if (x->code_size != 8)
        target &= opsize == 2 ? 0xffff : 0xffffffffull;
    else if (unlikely(noncanonical(target)))
        GP0(); /* at the branch, not at the target (SDM vol. 2 "JMP" 64-bit mode exceptions) */
    x->next_rip = target;
}

static void jump(struct x86_cpu *x, uint64_t target) { branch_to(x, x->in.opsize, target); }

/* String instruction iteration: returns false when a REP count is zero. */
static bool rep_begin(struct x86_cpu *x)
{
    if (!(x->in.prefixes & (X86_PFX_REP | X86_PFX_REPNE)))
        return true;
    uint64_t cnt = x->r[RCX] & addr_mask(x->in.addrsize);
    return cnt != 0;
}

/* After one iteration: count down and stay on the instruction until done
 * (cmps/scas: also stop when the condition fails). */
static void rep_end(struct x86_cpu *x, bool is_cmp)
{
    if (!(x->in.prefixes & (X86_PFX_REP | X86_PFX_REPNE)))
        return;
    uint64_t am = addr_mask(x->in.addrsize);
    uint64_t cnt = ((x->r[RCX] & am) - 1) & am;
    x->r[RCX] = (x->r[RCX] & ~am) | cnt;
    if (x->in.addrsize == 4)
        x->r[RCX] &= 0xffffffffull;
    /* RF = 1 between iterations: an event taken there pushes RF = 1 and
     * the next iteration is no new instruction breakpoint (SDM vol. 3A
     * §17.3.1.1); cleared when the instruction completes */
    x->rflags &= ~(uint64_t)FL_RF;
    if (!cnt)
        return;
    if (is_cmp) {
        bool zf = x->rflags & FL_ZF;
        if ((x->in.rep == 0xf3 && !zf) || (x->in.rep == 0xf2 && zf))
            return;
    }
    x->rflags |= FL_RF;
    x->next_rip = x->rip; /* the next tick runs the next iteration */
}

static void str_advance(struct x86_cpu *x, unsigned reg, unsigned size)
{
    uint64_t am = addr_mask(x->in.addrsize);
    uint64_t v = x->r[reg] & am;
    v = (x->rflags & FL_DF) ? v - size : v + size;
    x->r[reg] = x->in.addrsize == 4 ? (v & am) : (x->r[reg] & ~am) | (v & am);
}

static uint64_t src_la(struct x86_cpu *x)
{
    int s = x->in.seg != X86_SEG_NONE ? x->in.seg : X86_DS;
    return linear(x, s, x->r[RSI] & addr_mask(x->in.addrsize));
}

static uint64_t dst_la(struct x86_cpu *x)
{
    return linear(x, X86_ES, x->r[RDI] & addr_mask(x->in.addrsize));
}

/* ---- REP MOVS / REP STOS in runs ----------------------------------------- */

/* How many whole elements of size bytes, from the one at page offset off
 * on in the direction of DF, lie inside its 4 KiB page. */
static inline uint64_t rep_in_page(unsigned off, unsigned size, bool down)
{
    if (down)
        return off + size <= 4096 ? off / size + 1 : 0;
    return (4096 - off) / size;
}

/* The host address of a data access of size bytes at la when the TLB
 * holds it for RAM with the tag mem_read / mem_write would hit (write:
 * host_w, which is NULL for a page with predecoded code or a watchpoint);
 * else NULL. */
static inline uint8_t *rep_host(struct x86_cpu *x, uint64_t la, bool write, uint64_t *pa)
{
    const struct x86_tlb_entry *t = X86_TLB_AT(x, la);
    uint64_t tag = (la >> 12) << 3 | mem_class(x) << 1 | 1 | x->tlb_tag;
    uint8_t *h = write ? (t->tag_w == tag ? t->host_w : NULL) : (t->tag_r == tag ? t->host : NULL);
    if (!h)
        return NULL;
    *pa = t->pa | (la & 0xfff);
    return h + (la & 0xfff);
}

/* The source of a REP MOVS whose page shares its TLB entry with the
 * destination's: each iteration one at a time refills the entry for the
 * source (a page walk) and then for the destination (another), the last
 * two fills (mmu.c tlb_get records them), which the previous iteration
 * made. The walks of the next iterations give what those gave, and change
 * nothing (A and D are set), while the paging entries they read stay as
 * they are: the run's stores go to the destination page only, so none of
 * those entries may be in it (nor in MMIO, which a read could change).
 * Then the source's translation is the recorded one; else NULL. */
static uint8_t *rep_host_evicted(struct x86_cpu *x, uint64_t sla, uint64_t dla, uint64_t dpa, uint64_t *spa,
                                 uint64_t seq0)
{
    const struct x86_tlb_fill *fd = &x->fills[x->fill_last], *fs = &x->fills[x->fill_last ^ 1];
    uint64_t cls = mem_class(x) << 1 | 1 | x->tlb_tag;
    /* both fills by the iteration just run (seq0: the count before it),
     * whose store went to this destination page (its element just before
     * dla's in the direction of DF lies in the page) after the walks */
    unsigned size = x->in.opsize, off = (unsigned)(dla & 0xfff);
    bool prev_in_page = (x->rflags & FL_DF) ? off + 2 * size <= 4096 : off >= size;
    if (fs->seq <= seq0 || fd->seq <= seq0 || !prev_in_page ||
        X86_TLB_AT(x, sla) != X86_TLB_AT(x, dla) || (sla >> 12) == (dla >> 12) || fd->acc != 1 ||
        fd->tag != ((dla >> 12) << 3 | cls) || fs->acc != 0 || fs->tag != ((sla >> 12) << 3 | cls) ||
        !fs->host || fs->ept || fd->ept || fs->n > X86_FILL_PTES || fd->n > X86_FILL_PTES)
        return NULL;
    for (int k = 0; k < 2; k++) {
        const struct x86_tlb_fill *f = k ? fd : fs;
        for (unsigned j = 0; j < f->n; j++)
            if ((f->pte[j] >> 12) == (dpa >> 12) || !bus_find_mem(&x->m->bus, f->pte[j]))
                return NULL;
    }
    *spa = fs->pa | (sla & 0xfff);
    return fs->host + (sla & 0xfff);
}

/* After one iteration of REP MOVS / REP STOS (exec_string) that left more
 * to do (RF set, RIP kept): the next iterations at once, as many as the
 * per-iteration path would run before anything can differ (docs/x86.md
 * "Performance" item 4h). Each iteration is a tick of its own there, with
 * the loop's checks (budget, attn, debugger breakpoints, run state)
 * between them; none of them can change while iterations only read and
 * write RAM through TLB hits, so the run is bounded by the budget
 * (insn_left: its last iteration is where the loop would stop), by RCX,
 * and by the page ends of both operands (the next page goes through
 * x86_read / x86_write, which fill the TLB or fault exactly as one
 * iteration does; the next call of exec_string continues from there).
 * Not taken where an iteration does more than a RAM access: a debug
 * register enabled, a debugger watchpoint or breakpoint, TF (a #DB per
 * iteration), a source that misses the TLB (except one evicted by the
 * destination: rep_host_evicted), a store into a page with predecoded
 * code (host_w NULL: the
 * bus path invalidates it), MMIO, #AC possible, outside 64-bit mode or
 * 64-bit addressing (segment limits, wrap), an instruction that did not
 * come from the predecoded cache or is no longer there (insn_raw NULL, a
 * miss: the next iteration would fetch or predecode again), and `--engine
 * interp`, the reference it is tested against. */
static void rep_run(struct x86_cpu *x, bool stos, uint64_t seq0)
{
    const struct x86_insn *i = &x->in;
    const struct cpu *c = &x->cpu;
    if (!(x->rflags & FL_RF) || x->code_size != 8 || i->addrsize != 8 || !x->insn_raw || !x->in_run ||
        !x->insn_left || x->attn || c->nbps || c->nwps || c->state != CPU_RUNNING || x->m->interp_only ||
        (x->rflags & FL_TF) || x->dbg_insn || x->dbg_data || x->dbg_io)
        return;
    /* the next iteration's step() would find this instruction in the
     * predecoded cache through a TLB hit: iteration 1 has neither evicted
     * the code page's entry (a refill could walk changed page tables) nor
     * reset the page (a store into it through the bus) */
    const struct x86_tlb_entry *ct = X86_TLB_AT(x, x->rip);
    if (ct->tag_x != x86_fetch_tag(x, x->rip) || !ct->dpage || ct->dpage->code_size != 8 ||
        ct->dpage->idx[x->rip & 0xfff] - 1u >= X86_DPAGE_SLOTS)
        return;
    unsigned size = i->opsize;
    bool down = x->rflags & FL_DF;
    uint64_t n = x->r[RCX] < x->insn_left ? x->r[RCX] : x->insn_left;
    uint64_t dla = x->r[RDI]; /* ES: base 0 in 64-bit mode */
    uint64_t dpa, spa = 0;
    uint8_t *d = NULL, *s = NULL;
    if (noncanonical(dla) || (x->cpl == 3 && (dla & (size - 1))) || !(d = rep_host(x, dla, true, &dpa)))
        return;
    uint64_t k = rep_in_page((unsigned)(dla & 0xfff), size, down);
    if (k < n)
        n = k;
    if (!stos) {
        int sg = i->seg != X86_SEG_NONE ? i->seg : X86_DS;
        uint64_t sla = x->r[RSI] + ((sg == X86_FS || sg == X86_GS) ? x->seg[sg].base : 0);
        if (noncanonical(sla) || (x->cpl == 3 && (sla & (size - 1))) ||
            !((s = rep_host(x, sla, false, &spa)) || (s = rep_host_evicted(x, sla, dla, dpa, &spa, seq0))))
            return;
        k = rep_in_page((unsigned)(sla & 0xfff), size, down);
        if (k < n)
            n = k;
    }
    if (!n)
        return;
    uint64_t bytes = n * size;
    /* the lowest element of each range */
    uint8_t *dlo = down ? d - (bytes - size) : d;
    uint64_t dpalo = down ? dpa - (bytes - size) : dpa;
    if (stos) {
        uint64_t v = x->r[RAX];
        if (size == 1) {
            memset(dlo, (int)(v & 0xff), bytes);
        } else {
            for (uint64_t e = 0; e < bytes; e += size)
                memcpy(dlo + e, &v, size);
        }
    } else {
        uint8_t *slo = down ? s - (bytes - size) : s;
        uintptr_t du = (uintptr_t)dlo, su = (uintptr_t)slo;
        /* element by element in the direction of DF reads only bytes not
         * written yet when the destination is behind the source in that
         * direction or the ranges do not overlap: then it is memmove */
        if (du + bytes <= su || su + bytes <= du || (down ? du >= su : du <= su)) {
            memmove(dlo, slo, bytes);
        } else {
            ptrdiff_t step = down ? -(ptrdiff_t)size : (ptrdiff_t)size;
            for (uint64_t e = 0; e < n; e++, d += step, s += step) {
                uint64_t v;
                memcpy(&v, s, size);
                memcpy(d, &v, size);
            }
        }
        x->r[RSI] = down ? x->r[RSI] - bytes : x->r[RSI] + bytes;
    }
    struct mem_region *r = x->m->ram; /* write_in_page's dirty marking */
    if (!r || dpalo - r->base >= r->size)
        r = bus_find_mem(&x->m->bus, dpalo);
    if (r)
        bus_mark_dirty(r, dpalo, bytes);
    x->r[RDI] = down ? x->r[RDI] - bytes : x->r[RDI] + bytes;
    x->r[RCX] -= n;
    x->insn_left -= n; /* a tick each */
    x->rep_fast += n;
    if (!x->r[RCX]) { /* the last iteration: rep_end's completion */
        x->rflags &= ~(uint64_t)FL_RF;
        x->next_rip = x->rip + i->len;
    }
}

static void exec_string(struct x86_cpu *x, uint8_t op)
{
    unsigned size = x->in.opsize;
    uint64_t seq0 = x->fill_seq; /* rep_run: the TLB fills of this iteration */
    if (!rep_begin(x))
        return;
    switch (op) {
    case 0xa4: case 0xa5: /* MOVS */
        x86_write(x, dst_la(x), size, x86_read(x, src_la(x), size));
        str_advance(x, RSI, size);
        str_advance(x, RDI, size);
        rep_end(x, false);
        rep_run(x, false, seq0);
        break;
    case 0xa6: case 0xa7: { /* CMPS */
        uint64_t a = x86_read(x, src_la(x), size), b = x86_read(x, dst_la(x), size);
        alu(x, ALU_CMP, a, b, size);
        str_advance(x, RSI, size);
        str_advance(x, RDI, size);
        rep_end(x, true);
        break;
    }
    case 0xaa: case 0xab: /* STOS */
        x86_write(x, dst_la(x), size, get_reg(x, RAX, size));
        str_advance(x, RDI, size);
        rep_end(x, false);
        rep_run(x, true, seq0);
        break;
    case 0xac: case 0xad: /* LODS */
        set_reg(x, RAX, size, x86_read(x, src_la(x), size));
        str_advance(x, RSI, size);
        rep_end(x, false);
        break;
    case 0xae: case 0xaf: /* SCAS */
        alu(x, ALU_CMP, get_reg(x, RAX, size), x86_read(x, dst_la(x), size), size);
        str_advance(x, RDI, size);
        rep_end(x, true);
        break;
    case 0x6c: case 0x6d: { /* INS */
        unsigned s = size > 4 ? 4 : size;
        uint64_t la = dst_la(x);
        uint64_t v = port_in(x, (uint32_t)x->r[RDX] & 0xffff, s);
        x86_write(x, la, s, v);
        str_advance(x, RDI, s);
        rep_end(x, false);
        break;
    }
    default: { /* 6E/6F OUTS */
        unsigned s = size > 4 ? 4 : size;
        port_out(x, (uint32_t)x->r[RDX] & 0xffff, s, x86_read(x, src_la(x), s));
        str_advance(x, RSI, s);
        rep_end(x, false);
        break;
    }
    }
}

static void do_div(struct x86_cpu *x, unsigned size, bool is_signed)
{
    uint64_t d = rm_read(x, size);
    if (!d)
        x86_raise(x, X86_EXC_DE, false, 0);
    uint64_t m = size_mask(size);
    if (size == 1) {
        uint16_t n = (uint16_t)x->r[RAX];
        if (is_signed) {
            int q = (int16_t)n / (int8_t)d, r = (int16_t)n % (int8_t)d;
            if (q > 127 || q < -128) x86_raise(x, X86_EXC_DE, false, 0);
            x->r[RAX] = (x->r[RAX] & ~0xffffull) | (uint8_t)q | (uint64_t)(uint8_t)r << 8;
        } else {
            unsigned q = n / (uint8_t)d, r = n % (uint8_t)d;
            if (q > 0xff) x86_raise(x, X86_EXC_DE, false, 0);
            x->r[RAX] = (x->r[RAX] & ~0xffffull) | q | (uint64_t)r << 8;
        }
        return;
    }
    unsigned bits = 8 * size;
    unsigned __int128 n = ((unsigned __int128)(x->r[RDX] & m) << bits) | (x->r[RAX] & m);
    uint64_t q, r;
    if (is_signed) {
        __int128 sn = (__int128)(n << (128 - 2 * bits)) >> (128 - 2 * bits);
        __int128 sd = sext(d, size);
        __int128 sq = sn / sd, sr = sn % sd;
        __int128 lim = (__int128)1 << (bits - 1);
        if (sq >= lim || sq < -lim)
            x86_raise(x, X86_EXC_DE, false, 0);
        q = (uint64_t)sq;
        r = (uint64_t)sr;
    } else {
        unsigned __int128 uq = n / d;
        if (uq >> bits)
            x86_raise(x, X86_EXC_DE, false, 0);
        q = (uint64_t)uq;
        r = (uint64_t)(n % d);
    }
    set_reg(x, RAX, size, q);
    set_reg(x, RDX, size, r);
}

static void do_mul(struct x86_cpu *x, unsigned size, bool is_signed)
{
    uint64_t b = rm_read(x, size), m = size_mask(size);
    uint64_t a = x->r[RAX] & m;
    unsigned bits = 8 * size;
    uint64_t lo, hi;
    bool over;
    if (is_signed) {
        __int128 p = (__int128)sext(a, size) * sext(b, size);
        lo = (uint64_t)p & m;
        hi = (uint64_t)(p >> bits) & m;
        over = p != (__int128)sext(lo, size);
    } else {
        unsigned __int128 p = (unsigned __int128)a * b;
        lo = (uint64_t)p & m;
        hi = (uint64_t)(p >> bits) & m;
        over = hi != 0;
    }
    if (size == 1)
        x->r[RAX] = (x->r[RAX] & ~0xffffull) | lo | hi << 8;
    else {
        set_reg(x, RAX, size, lo);
        set_reg(x, RDX, size, hi);
    }
    /* CF = OF = high half significant; SF/ZF/AF/PF undefined: from lo */
    set_flags(x, FL_ARITH, szp(lo, size) | (over ? FL_CF | FL_OF : 0));
}

static uint64_t imul2(struct x86_cpu *x, uint64_t a, uint64_t b, unsigned size)
{
    __int128 p = (__int128)sext(a, size) * sext(b, size);
    uint64_t lo = (uint64_t)p & size_mask(size);
    bool over = p != (__int128)sext(lo, size);
    set_flags(x, FL_ARITH, szp(lo, size) | (over ? FL_CF | FL_OF : 0));
    return lo;
}

static void far_jump_real(struct x86_cpu *x, uint16_t sel, uint64_t off)
{
    x86_load_seg_real(x, X86_CS, sel);
    x->next_rip = off;
}

/* The stack pointer for privilege level dpl from the TSS (legacy: SS too;
 * a 16-bit TSS's SP and SS, SDM vol. 3A §5.8.5), #TS(TSS selector) beyond
 * its limit (trap.c). */
static uint64_t tss_sp(struct x86_cpu *x, unsigned dpl, uint16_t *ss)
{
    return x86_tss_stack(x, 0, dpl, 0, ss);
}

/* The byte-granular limit of a code/data descriptor (scaled by G). */
static uint64_t seg_limit_of(uint64_t lo)
{
    uint64_t l = (lo & 0xffff) | ((lo >> 48) & 0xf) << 16;
    return (lo >> 55) & 1 ? l << 12 | 0xfff : l;
}

/* Far CALL/JMP through a call gate (SDM vol. 3A §5.8.3-5.8.6; §5.8.3.1 the
 * 16-byte gates of IA-32e mode; vol. 2 "CALL" far): gate DPL >= CPL and >=
 * the selector's RPL (#GP(gate)), present (#NP(gate)); the target a code
 * segment of DPL <= CPL (a JMP: == CPL unless conforming), present, 64-bit
 * in IA-32e mode. A CALL to a more privileged nonconforming segment takes
 * the TSS stack of that level and pushes the old SS:RSP, then CS:RIP (IA-32e
 * mode: 8-byte pushes, SS = null selector). Outside IA-32e mode the gate's
 * parameter count (bits 4:0 of its second doubleword) of words (16-bit
 * gate) or doublewords (32-bit gate) are read from the caller's stack (at
 * the old CPL, through the old SS: its limit check and #SS/#PF there come
 * after the new stack's #TS/#SS checks, before the switch) and pushed
 * between the old SS:ESP and CS:EIP in the same order (§5.8.5, Figure
 * "Stack Switching During an Interprivilege-Level Call"); RETF n releases
 * them (ret_outer). IA-32e gates have no count. */
static void call_gate(struct x86_cpu *x, uint16_t gsel, uint64_t glo, bool call)
{
    unsigned gattr = (unsigned)(glo >> 40) & 0xff, gdpl = (gattr >> 5) & 3;
    uint32_t gerr = gsel & ~3u;
    if (gdpl < x->cpl || gdpl < (gsel & 3u))
        x86_raise(x, X86_EXC_GP, true, gerr);
    if (!(gattr & SEG_P))
        x86_raise(x, X86_EXC_NP, true, gerr);
    uint16_t tsel = (uint16_t)(glo >> 16);
    uint64_t toff = (glo & 0xffff) | ((glo >> 48) & 0xffff) << 16;
    bool gate32 = (gattr & 0xf) == 0xc;
    unsigned psize = x->long_mode ? 8 : gate32 ? 4 : 2;
    if (x->long_mode) {
        uint64_t lo2, hi;
        if (!x86_desc_read(x, gsel, &lo2, &hi, true) || ((hi >> 40) & 0x1f))
            x86_raise(x, X86_EXC_GP, true, gerr); /* the upper half's type must be 0 */
        toff |= (hi & 0xffffffffull) << 32;
    } else {
        if (!gate32)
            toff &= 0xffff;
    }
    if ((tsel & ~3u) == 0)
        GP0();
    uint64_t clo;
    if (!x86_desc_read(x, tsel, &clo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, tsel & ~3u);
    unsigned cattr = (unsigned)(clo >> 40) & 0xff, cdpl = (cattr >> 5) & 3;
    bool conforming = (cattr & SEG_CE) != 0;
    if (!(cattr & SEG_S) || !(cattr & SEG_CODE) || cdpl > x->cpl || (!call && !conforming && cdpl != x->cpl))
        x86_raise(x, X86_EXC_GP, true, tsel & ~3u);
    if (!(cattr & SEG_P))
        x86_raise(x, X86_EXC_NP, true, tsel & ~3u);
    if (x->long_mode && (!((clo >> 53) & 1) || ((clo >> 54) & 1)))
        x86_raise(x, X86_EXC_GP, true, tsel & ~3u);
    unsigned ncpl = conforming ? x->cpl : cdpl;
    /* the gate's offset within the target's limit, else #GP(0) (vol. 2
     * "CALL", "JMP"; a CALL to an inner level checks it after the stack) */
    if (!x->long_mode && !(call && ncpl < x->cpl) && toff > seg_limit_of(clo))
        GP0();
    if (!call) {
        x86_desc_set_accessed(x, tsel, clo);
        x86_load_cs(x, tsel, clo, x->cpl);
        x->next_rip = toff;
        return;
    }
    uint64_t ret_cs = x->seg[X86_CS].sel, ret_rip = x->next_rip;
    if (ncpl < x->cpl) {
        uint16_t nss;
        uint64_t sp = tss_sp(x, ncpl, &nss), old_ss = x->seg[X86_SS].sel, old_sp = x->r[RSP];
        struct x86_segment nseg = { .sel = (uint16_t)ncpl, .attr = (uint16_t)(SEG_S | SEG_W_R | SEG_P | (ncpl << SEG_DPL_SHIFT)) };
        uint64_t sp_mask_n = ~0ull;
        if (!x->long_mode) {
            uint64_t slo;
            if ((nss & ~3u) == 0 || !x86_desc_read(x, nss, &slo, NULL, false))
                x86_raise(x, X86_EXC_TS, true, nss & ~3u);
            unsigned sa = (unsigned)(slo >> 40) & 0xff;
            if ((nss & 3u) != ncpl || ((sa >> 5) & 3) != ncpl || !(sa & SEG_S) || (sa & SEG_CODE) || !(sa & SEG_W_R))
                x86_raise(x, X86_EXC_TS, true, nss & ~3u);
            if (!(sa & SEG_P))
                x86_raise(x, X86_EXC_SS, true, nss & ~3u);
            x86_seg_from_desc(&nseg, nss, slo | (1ull << 40), 0);
            sp_mask_n = (nseg.attr & SEG_DB) ? 0xffffffffull : 0xffff;
            /* "new stack does not have room for parameters plus 16 (8)
             * bytes": #SS(new SS) (vol. 2 "CALL"), then the EIP (below) */
            unsigned n = 4 + ((unsigned)(glo >> 32) & 0x1f);
            for (unsigned k = 1; k <= n; k++)
                if (!x86_seg_range_ok(&nseg, (sp - k * psize) & sp_mask_n, psize))
                    x86_raise(x, X86_EXC_SS, true, nss & ~3u);
            if (toff > seg_limit_of(clo))
                GP0();
        } else if (noncanonical(sp)) {
            x86_raise(x, X86_EXC_SS, true, 0);
        }
        /* the parameters, after the new stack's checks (vol. 2 "CALL"
         * CALL-GATE-TO-INNER-PRIVILEGE), before anything is committed */
        unsigned nparam = x->long_mode ? 0 : (unsigned)(glo >> 32) & 0x1f;
        uint64_t param[31];
        for (unsigned k = 0; k < nparam; k++)
            param[k] = mem_read(x, linear(x, X86_SS, (old_sp + k * psize) & sp_mask(x)), psize);
        uint64_t frame[4 + 31] = { old_ss, old_sp };
        for (unsigned k = 0; k < nparam; k++)
            frame[2 + k] = param[nparam - 1 - k]; /* the deepest parameter first */
        frame[2 + nparam] = ret_cs;
        frame[3 + nparam] = ret_rip;
        for (unsigned k = 0; k < 4 + nparam; k++) {
            sp = (sp - psize) & sp_mask_n;
            x86_write_as(x, (nseg.base + sp) & (x->long_mode ? ~0ull : 0xffffffffull), psize,
                         frame[k] & size_mask(psize), false);
        }
        x86_desc_set_accessed(x, tsel, clo);
        x86_load_cs(x, tsel, clo, ncpl);
        x->seg[X86_SS] = nseg;
        x86_update_mode(x);
        x->r[RSP] = x->long_mode ? sp : (x->r[RSP] & ~sp_mask_n) | sp;
    } else {
        push(x, psize, ret_cs);
        push(x, psize, ret_rip);
        x86_desc_set_accessed(x, tsel, clo);
        x86_load_cs(x, tsel, clo, x->cpl);
    }
    x->next_rip = toff;
}

/* Far RET to an outer privilege level (SDM vol. 2 "RET" RETURN-TO-OUTER-
 * PRIVILEGE-LEVEL): the CS popped has RPL > CPL; then RSP and SS are popped
 * (after releasing imm bytes), SS is checked at the new level, and data
 * segments the outer level may not use are nulled. */
static void ret_outer(struct x86_cpu *x, uint16_t sel, uint64_t off, unsigned size, unsigned imm)
{
    uint64_t clo;
    if ((sel & ~3u) == 0 || !x86_desc_read(x, sel, &clo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, sel & ~3u);
    unsigned a = (unsigned)(clo >> 40) & 0xff, dpl = (a >> 5) & 3, rpl = sel & 3u;
    if (!(a & SEG_S) || !(a & SEG_CODE) || ((a & SEG_CE) ? dpl > rpl : dpl != rpl))
        x86_raise(x, X86_EXC_GP, true, sel & ~3u);
    if (!(a & SEG_P))
        x86_raise(x, X86_EXC_NP, true, sel & ~3u);
    x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | ((x->r[RSP] + imm) & sp_mask(x));
    uint64_t nsp = pop(x, size);
    uint16_t nss = (uint16_t)pop(x, size);
    x86_desc_set_accessed(x, sel, clo);
    x86_load_cs(x, sel, clo, rpl);
    x86_load_seg(x, X86_SS, nss);
    x->r[RSP] = x->stack_size == 8 ? nsp + imm : (nsp + imm) & sp_mask(x);
    x->next_rip = x->code_size == 8 ? off : off & (size == 2 ? 0xffff : 0xffffffffull);
    for (int s = X86_ES; s <= X86_GS; s++) {
        struct x86_segment *g = &x->seg[s];
        if (s == X86_CS || s == X86_SS)
            continue;
        unsigned d = (g->attr >> SEG_DPL_SHIFT) & 3;
        bool conf_code = (g->attr & SEG_CODE) && (g->attr & SEG_CE);
        if (!conf_code && d < rpl && !(x->long_mode && (s == X86_FS || s == X86_GS))) {
            g->sel = 0;
            g->attr = 0;
        }
    }
}

/* Far JMP/CALL to a code segment or through a call gate in protected/long
 * mode (a TSS or task gate: task.c). */
static void far_transfer(struct x86_cpu *x, uint16_t sel, uint64_t off, bool call, unsigned opsize)
{
    if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM)) {
        if (call) {
            push(x, opsize, x->seg[X86_CS].sel);
            push(x, opsize, x->next_rip);
        }
        far_jump_real(x, sel, off);
        return;
    }
    uint64_t lo;
    if ((sel & ~3u) == 0 || !x86_desc_read(x, sel, &lo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, sel & ~3u);
    unsigned attr = (unsigned)(lo >> 40) & 0xff, dpl = (attr >> 5) & 3, rpl = sel & 3;
    if (!(attr & SEG_S) && ((attr & 0xf) == 0xc || (!x->long_mode && (attr & 0xf) == 0x4))) {
        call_gate(x, sel, lo, call);
        return;
    }
    if (!(attr & SEG_S) && !x->long_mode && ((attr & 0xf) == 0x5 || (attr & 0xf) == 0x9 || (attr & 0xf) == 0xb ||
                                             (attr & 0xf) == 0x1 || (attr & 0xf) == 0x3)) {
        x86_task_far(x, sel, lo, call); /* task gate or 32/16-bit TSS (task.c) */
        return;
    }
    if (!(attr & SEG_S) || !(attr & SEG_CODE))
        x86_raise(x, X86_EXC_GP, true, sel & ~3u);
    if ((attr & SEG_CE) ? dpl > x->cpl : (rpl > x->cpl || dpl != x->cpl))
        x86_raise(x, X86_EXC_GP, true, sel & ~3u);
    if (!(attr & SEG_P))
        x86_raise(x, X86_EXC_NP, true, sel & ~3u);
    if (call) {
        push(x, opsize, x->seg[X86_CS].sel);
        push(x, opsize, x->next_rip);
    }
    x86_desc_set_accessed(x, sel, lo);
    x86_load_cs(x, sel, lo, x->cpl);
    x->next_rip = x->code_size == 8 ? off : off & (opsize == 2 ? 0xffff : 0xffffffffull);
}

static void mov_to_cr(struct x86_cpu *x, unsigned cr, uint64_t v)
{
    switch (cr) {
    case 0: write_cr0(x, x->code_size == 8 ? v : v & 0xffffffffull); break;
    case 2: x->cr2 = v; break;
    case 3: {
        /* With CR4.PCIDE, CR3[11:0] is the PCID and bit 63 of the source
         * asks not to invalidate (SDM vol. 3A §4.10.4.1). The TLB holds the
         * current PCID's translations only (and global ones): a switch to
         * another PCID drops the others, which the SDM allows (a processor
         * may invalidate more than required, §4.10.4.1). */
        bool pcide = (x->cr4 & CR4_PCIDE) != 0;
        bool noflush = pcide && (v >> 63);
        uint64_t old = x->cr3, nv;
        if (x->long_mode)
            nv = v & (pcide ? 0x000fffffffffffffull : 0x000ffffffffff018ull);
        else
            nv = v & 0xffffffffull;
        if (unlikely(x->vmx.non_root) && x->vmx.ept) /* the PDPTE registers of PAE paging (src/vmm) */
            vmx_nr_pae_cr_write(x, x->cr0, nv, x->cr4, true);
        x->cr3 = nv;
        if (!noflush || ((old ^ x->cr3) & 0xfff))
            x86_tlb_flush_vpid(x, false); /* the current VPID's (SDM vol. 3C §29.4.3.1) */
        break;
    }
    case 4: write_cr4(x, v); break;
    case 8: if (v >> 4) GP0(); x->cr8 = v; if (x->lapic) lapic_set_tpr(x->lapic, (uint32_t)v << 4); break;
    default: UD();
    }
}

static uint64_t mov_from_cr(struct x86_cpu *x, unsigned cr)
{
    switch (cr) {
    case 0: return x->cr0;
    case 2: return x->cr2;
    case 3: return x->cr3;
    case 4: return x->cr4;
    case 8: return x->cr8;
    default: UD();
    }
}

static void need_cpl0(struct x86_cpu *x)
{
    if (x->cpl != 0 && (x->cr0 & CR0_PE))
        GP0();
}

/* LDS LES LSS LFS LGS r, m16:16/32/64 (SDM vol. 2 "LDS/LES/LFS/LGS/LSS"):
 * the offset, then the selector after it; the segment load's checks
 * come before the register is written. Register forms are #UD. */
static void load_far_ptr(struct x86_cpu *x, int s)
{
    struct x86_insn *i = &x->in;
    if (i->mod == 3)
        UD();
    unsigned size = i->opsize;
    uint64_t la = ea_linear(x);
    uint64_t off = x86_read(x, la, size);
    uint16_t sel = (uint16_t)x86_read(x, la + size, 2);
    x86_load_seg(x, s, sel);
    set_reg(x, i->reg, size, off);
}

/* 0F-map instructions. */
static void exec_0f(struct x86_cpu *x)
{
    struct x86_insn *i = &x->in;
    unsigned size = i->opsize;
    uint8_t op = i->opcode;
    /* Jcc, SETcc, CMOVcc, MOVZX, MOVSX, IMUL r, r/m and the hint NOPs
     * have fast handlers (below): not here */
    switch (op) {
    case 0x00: { /* group 6: SLDT STR LLDT LTR VERR VERW */
        unsigned r = i->modrm >> 3 & 7;
        if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM))
            UD();
        switch (r) {
        case 0: case 1: /* SLDT / STR */
            if (unlikely(x->vmx.non_root)) /* descriptor-table exiting (src/vmm) */
                vmx_nr_desc_table(x, true, r);
            rm_write(x, i->mod == 3 ? size : 2, r ? x->tr.sel : x->ldtr.sel);
            return;
        case 2: case 3: { /* LLDT / LTR (SDM vol. 2; vol. 3A §7.2.4) */
            need_cpl0(x);
            if (unlikely(x->vmx.non_root))
                vmx_nr_desc_table(x, true, r);
            uint16_t sel = (uint16_t)rm_read(x, 2);
            if ((sel & ~3u) == 0 && r == 2) {
                x->ldtr = (struct x86_segment){ .sel = sel };
                return;
            }
            uint64_t lo, hi = 0;
            if ((sel & 4) || (sel & ~3u) == 0 || !x86_desc_read(x, sel, &lo, &hi, x->long_mode))
                x86_raise(x, X86_EXC_GP, true, sel & ~3u);
            unsigned type = (unsigned)(lo >> 40) & 0x1f; /* S and type */
            bool okt = r == 2 ? type == 0x02 : (type == 0x09 || (!x->long_mode && type == 0x01));
            if (!okt)
                x86_raise(x, X86_EXC_GP, true, sel & ~3u);
            if (!((lo >> 47) & 1))
                x86_raise(x, X86_EXC_NP, true, sel & ~3u);
            struct x86_segment *dst = r == 2 ? &x->ldtr : &x->tr;
            x86_seg_from_desc(dst, sel, lo, x->long_mode ? (hi ? hi : 0) : 0);
            if (x->long_mode)
                dst->base |= (hi & 0xffffffffull) << 32;
            if (r == 3) { /* mark the TSS busy in the GDT */
                x86_write_as(x, x->gdt_base + (sel & ~7u) + 5, 1, (uint8_t)(lo >> 40) | 2, false);
                dst->attr |= 2;
            }
            return;
        }
        case 4: case 5: /* VERR / VERW: ZF = accessible (desc_insn.c) */
            set_flags(x, FL_ZF, x86_verify(x, (uint16_t)rm_read(x, 2), r == 5) ? FL_ZF : 0);
            return;
        default: UD();
        }
    }
    case 0x02: case 0x03: { /* LAR / LSL r, r/m16 (desc_insn.c): ZF = loaded */
        if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM))
            UD();
        uint16_t sel = (uint16_t)rm_read(x, 2);
        uint32_t v;
        bool ok = op == 0x02 ? x86_lar(x, sel, &v) : x86_lsl(x, sel, &v);
        if (ok) /* 16-bit: the low word (LAR: AND FF00H); 64-bit: zero-extended */
            set_reg(x, i->reg, size, size == 2 ? v & 0xffff : v);
        set_flags(x, FL_ZF, ok ? FL_ZF : 0);
        return;
    }
    case 0x01: {
        unsigned r = i->modrm >> 3 & 7;
        if (i->mod == 3) {
            if (i->modrm == 0xf8 && x->code_size == 8) { /* SWAPGS */
                need_cpl0(x);
                uint64_t t = x->seg[X86_GS].base;
                x->seg[X86_GS].base = x->kernel_gs_base;
                x->kernel_gs_base = t;
                return;
            }
            if (i->modrm == 0xf9) { /* RDTSCP: CR4.TSD as RDTSC */
                if ((x->cr4 & CR4_TSD) && x->cpl != 0 && (x->cr0 & CR0_PE))
                    GP0();
                if (unlikely(x->vmx.non_root))
                    vmx_nr_rdtsc(x, true);
                uint64_t tsc = cpu_now(&x->cpu) + x->tsc_offset;
                x->r[RAX] = (uint32_t)tsc;
                x->r[RDX] = tsc >> 32;
                x->r[RCX] = (uint32_t)x->tsc_aux;
                return;
            }
            if (i->modrm == 0xc8 || i->modrm == 0xc9) { /* MONITOR / MWAIT (monitor.c; #UD without [cpu] monitor = on) */
                if (i->modrm == 0xc8)
                    x86_exec_monitor(x);
                else
                    x86_exec_mwait(x);
                return;
            }
            if (i->modrm == 0xd0) { /* XGETBV (xsave.c; #UD without [cpu] xsave = on) */
                x86_xgetbv(x);
                return;
            }
            if (i->modrm == 0xd1) { /* XSETBV (xsave.c) */
                x86_xsetbv(x);
                return;
            }
            if (i->modrm == 0xca || i->modrm == 0xcb) { /* CLAC / STAC */
                need_cpl0(x);
                if (i->modrm == 0xcb) x->rflags |= FL_AC; else x->rflags &= ~(uint64_t)FL_AC;
                return;
            }
            if (i->modrm >= 0xc1 && i->modrm <= 0xc4) { /* VMCALL VMLAUNCH VMRESUME VMXOFF */
                static const enum vmx_op ops[4] = { VMX_OP_VMCALL, VMX_OP_VMLAUNCH,
                                                    VMX_OP_VMRESUME, VMX_OP_VMXOFF };
                vmx_exec(x, ops[i->modrm - 0xc1]); /* src/vmm/vmx.c */
                return;
            }
            if (r == 4) { /* SMSW r */
                set_reg(x, i->rm, size, x->cr0 & size_mask(size));
                return;
            }
            UD();
        }
        uint64_t la = ea_linear(x);
        unsigned bsz = x->code_size == 8 ? 8 : 4;
        if (unlikely(x->vmx.non_root) && r <= 3) { /* descriptor-table exiting (src/vmm) */
            if (r >= 2)
                need_cpl0(x);
            vmx_nr_desc_table(x, false, r);
        }
        switch (r) {
        case 0: /* SGDT */
            x86_write(x, la, 2, x->gdt_limit);
            x86_write(x, la + 2, bsz, x->gdt_base);
            return;
        case 1: /* SIDT */
            x86_write(x, la, 2, x->idt_limit);
            x86_write(x, la + 2, bsz, x->idt_base);
            return;
        case 2: case 3: { /* LGDT / LIDT */
            need_cpl0(x);
            uint16_t lim = (uint16_t)x86_read(x, la, 2);
            uint64_t base = x86_read(x, la + 2, bsz);
            if (x->code_size != 8 && size == 2)
                base &= 0xffffff;
            if (r == 2) { x->gdt_limit = lim; x->gdt_base = base; }
            else { x->idt_limit = lim; x->idt_base = base; }
            return;
        }
        case 4: /* SMSW m16 */
            x86_write(x, la, 2, x->cr0 & 0xffff);
            return;
        case 6: { /* LMSW */
            need_cpl0(x);
            uint64_t v = x86_read(x, la, 2) & 0xf;
            if (unlikely(x->vmx.non_root)) /* CR0 guest/host mask (src/vmm) */
                v = vmx_nr_lmsw(x, (uint16_t)x86_read(x, la, 2), la);
            write_cr0(x, (x->cr0 & ~0xeull) | v | (x->cr0 & CR0_PE));
            return;
        }
        case 7: /* INVLPG */
            need_cpl0(x);
            if (unlikely(x->vmx.non_root))
                vmx_nr_invlpg(x, la);
            x86_tlb_flush_page(x, la);
            return;
        default: UD();
        }
    }
    case 0x05: /* SYSCALL (SDM vol. 2 "SYSCALL") */
        if (!(x->efer & EFER_SCE) || !x->long_mode)
            UD();
        x->r[RCX] = x->next_rip;
        x->r[R11] = x->rflags;
        x->rflags &= ~(x->sfmask | FL_RF);
        x->rflags |= FL_FIXED1;
        {
            uint16_t cs = (uint16_t)(x->star >> 32) & 0xfffc;
            struct x86_segment *c = &x->seg[X86_CS], *s = &x->seg[X86_SS];
            c->sel = cs; c->base = 0; c->limit = 0xffffffff;
            c->attr = SEG_A | SEG_W_R | SEG_CODE | SEG_S | SEG_P | SEG_L | SEG_G;
            s->sel = (uint16_t)(cs + 8); s->base = 0; s->limit = 0xffffffff;
            s->attr = SEG_A | SEG_W_R | SEG_S | SEG_P | SEG_DB | SEG_G;
            x->cpl = 0;
            x86_update_mode(x);
        }
        x->next_rip = x->lstar;
        return;
    case 0x07: /* SYSRET */
        if (!(x->efer & EFER_SCE) || !x->long_mode || x->code_size != 8)
            UD();
        need_cpl0(x);
        if (size == 8 && noncanonical(x->r[RCX]))
            GP0();
        {
            uint16_t base = (uint16_t)(x->star >> 48);
            struct x86_segment *c = &x->seg[X86_CS], *s = &x->seg[X86_SS];
            c->sel = (uint16_t)((size == 8 ? base + 16 : base) | 3); c->base = 0; c->limit = 0xffffffff;
            c->attr = (uint16_t)(SEG_A | SEG_W_R | SEG_CODE | SEG_S | SEG_P | SEG_G | (3 << SEG_DPL_SHIFT) |
                      (size == 8 ? SEG_L : SEG_DB));
            s->sel = (uint16_t)((base + 8) | 3);
            s->attr = (uint16_t)(s->attr | (3 << SEG_DPL_SHIFT));
            x->cpl = 3;
            x->rflags = (x->r[R11] & 0x3c7fd7) | FL_FIXED1;
            x86_update_mode(x);
        }
        x->next_rip = size == 8 ? x->r[RCX] : (uint32_t)x->r[RCX];
        return;
    case 0x34: { /* SYSENTER (SDM vol. 2 "SYSENTER") */
        uint16_t cs = (uint16_t)x->sysenter_cs;
        if (!(x->cr0 & CR0_PE) || (cs & 0xfffc) == 0)
            GP0();
        x->rflags &= ~(uint64_t)(FL_VM | FL_IF | FL_RF);
        struct x86_segment *c = &x->seg[X86_CS], *s = &x->seg[X86_SS];
        c->sel = cs & 0xfffc; c->base = 0; c->limit = 0xffffffff;
        c->attr = SEG_A | SEG_W_R | SEG_CODE | SEG_S | SEG_P | SEG_G | (x->long_mode ? SEG_L : SEG_DB);
        s->sel = (uint16_t)((cs & 0xfffc) + 8); s->base = 0; s->limit = 0xffffffff;
        s->attr = SEG_A | SEG_W_R | SEG_S | SEG_P | SEG_DB | SEG_G;
        x->cpl = 0;
        x86_update_mode(x);
        x->r[RSP] = x->long_mode ? x->sysenter_esp : (uint32_t)x->sysenter_esp;
        x->next_rip = x->long_mode ? x->sysenter_eip : (uint32_t)x->sysenter_eip;
        return;
    }
    case 0x35: { /* SYSEXIT; REX.W: to 64-bit code (SDM vol. 2 "SYSEXIT") */
        uint16_t cs = (uint16_t)x->sysenter_cs;
        if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM) || (cs & 0xfffc) == 0)
            GP0();
        need_cpl0(x);
        bool to64 = size == 8;
        if (to64 && (noncanonical(x->r[RDX]) || noncanonical(x->r[RCX])))
            GP0();
        struct x86_segment *c = &x->seg[X86_CS], *s = &x->seg[X86_SS];
        c->sel = (uint16_t)((cs + (to64 ? 32 : 16)) | 3); c->base = 0; c->limit = 0xffffffff;
        c->attr = (uint16_t)(SEG_A | SEG_W_R | SEG_CODE | SEG_S | SEG_P | SEG_G | (3 << SEG_DPL_SHIFT) |
                             (to64 ? SEG_L : SEG_DB));
        s->sel = (uint16_t)((cs + (to64 ? 40 : 24)) | 3); s->base = 0; s->limit = 0xffffffff;
        s->attr = (uint16_t)(SEG_A | SEG_W_R | SEG_S | SEG_P | SEG_DB | SEG_G | (3 << SEG_DPL_SHIFT));
        x->cpl = 3;
        x86_update_mode(x);
        x->r[RSP] = to64 ? x->r[RCX] : (uint32_t)x->r[RCX];
        x->next_rip = to64 ? x->r[RDX] : (uint32_t)x->r[RDX];
        return;
    }
    case 0x06: /* CLTS */
        need_cpl0(x);
        if (unlikely(x->vmx.non_root) && !vmx_nr_clts(x))
            return; /* CR0.TS host-owned: unchanged */
        x->cr0 &= ~(uint64_t)CR0_TS;
        return;
    case 0x08: /* INVD */
    case 0x09: /* WBINVD: no caches are modelled, so nothing to write back (CPL 0 only) */
        need_cpl0(x);
        if (unlikely(x->vmx.non_root)) /* INVD always exits, WBINVD by its control (src/vmm) */
            vmx_nr_simple(x, op == 0x08 ? VMX_EXIT_INVD : VMX_EXIT_WBINVD);
        return;
    case 0x0b: /* UD2 */
    case 0xb9: /* UD1 */
    case 0xff: /* UD0 */
        UD();
    case 0x20: { /* MOV r, CRn */
        need_cpl0(x);
        uint64_t v = mov_from_cr(x, i->reg);
        if (unlikely(x->vmx.non_root)) /* CR3/CR8-store exiting, CR0/CR4 read shadows */
            v = vmx_nr_mov_from_cr(x, i->reg, i->rm, v);
        x->r[i->rm] = x->code_size == 8 ? v : (uint32_t)v;
        return;
    }
    case 0x22: { /* MOV CRn, r */
        need_cpl0(x);
        uint64_t v = x->r[i->rm];
        if (unlikely(x->vmx.non_root)) { /* CR exits, CR0/CR4 guest/host masks */
            v = vmx_nr_mov_to_cr(x, i->reg, i->rm, v);
            if (i->reg == 8 && vmx_nr_cr8_write(x, v))
                return; /* the virtual TPR (use TPR shadow) */
        }
        mov_to_cr(x, i->reg, v);
        return;
    }
    case 0x21: /* MOV r, DRn (debug.c) */
        if (unlikely(x->vmx.non_root) && x->cpl == 0)
            vmx_nr_mov_dr(x, i->reg, i->rm, false);
        x->r[i->rm] = x86_mov_from_dr(x, i->reg);
        return;
    case 0x23: /* MOV DRn, r */
        if (unlikely(x->vmx.non_root) && x->cpl == 0)
            vmx_nr_mov_dr(x, i->reg, i->rm, true);
        x86_mov_to_dr(x, i->reg, x->r[i->rm]);
        return;
    case 0x78: case 0x79: /* VMREAD / VMWRITE (src/vmm/vmx.c) */
        vmx_exec(x, op == 0x78 ? VMX_OP_VMREAD : VMX_OP_VMWRITE);
        return;
    case 0x30: { /* WRMSR */
        need_cpl0(x);
        if (unlikely(x->vmx.non_root) && vmx_nr_msr(x, true))
            return; /* MSR bitmaps; virtualized x2APIC MSRs */
        uint64_t v = (x->r[RDX] << 32) | (uint32_t)x->r[RAX];
        if (!x86_wrmsr(x, (uint32_t)x->r[RCX], v))
            GP0();
        return;
    }
    case 0x31: { /* RDTSC: one instruction = one tick (docs/x86.md) */
        if ((x->cr4 & CR4_TSD) && x->cpl != 0 && (x->cr0 & CR0_PE))
            GP0();
        if (unlikely(x->vmx.non_root))
            vmx_nr_rdtsc(x, false);
        uint64_t tsc = cpu_now(&x->cpu) + x->tsc_offset;
        x->r[RAX] = (uint32_t)tsc;
        x->r[RDX] = tsc >> 32;
        return;
    }
    case 0x33: /* RDPMC: no performance counters are modelled (#UD), but
                  RDPMC exiting sees it first in VMX non-root operation */
        if (unlikely(x->vmx.non_root)) {
            if ((x->cr0 & CR0_PE) && x->cpl != 0 && !(x->cr4 & CR4_PCE))
                GP0(); /* before the exit (SDM vol. 3C §26.1.1) */
            vmx_nr_rdpmc(x);
        }
        UD();
    case 0x32: { /* RDMSR */
        need_cpl0(x);
        if (unlikely(x->vmx.non_root) && vmx_nr_msr(x, false))
            return;
        uint64_t v;
        if (!x86_rdmsr(x, (uint32_t)x->r[RCX], &v))
            GP0();
        x->r[RAX] = (uint32_t)v;
        x->r[RDX] = v >> 32;
        return;
    }
    case 0xa2: { /* CPUID */
        if (unlikely(x->vmx.non_root))
            vmx_nr_cpuid(x); /* always a VM exit */
        uint32_t out[4];
        x86_cpuid(x, (uint32_t)x->r[RAX], (uint32_t)x->r[RCX], out);
        x->r[RAX] = out[0];
        x->r[RBX] = out[1];
        x->r[RCX] = out[2];
        x->r[RDX] = out[3];
        return;
    }
    case 0xa0: push(x, size, x->seg[X86_FS].sel); return;
    case 0xa8: push(x, size, x->seg[X86_GS].sel); return;
    case 0xa1: case 0xa9: {
        uint16_t sel = (uint16_t)pop(x, size);
        x86_load_seg(x, op == 0xa1 ? X86_FS : X86_GS, sel);
        return;
    }
    case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba: { /* BT BTS BTR BTC */
        unsigned which = op == 0xba ? (i->modrm >> 3 & 7) - 4 : (op >> 3) & 3;
        uint64_t bit;
        uint64_t la = 0;
        uint64_t v;
        if (op == 0xba) {
            bit = i->imm & (8 * size - 1);
            v = rm_read(x, size);
        } else {
            int64_t off = sext(get_reg(x, i->reg, size), size);
            if (i->mod == 3) {
                bit = (uint64_t)off & (8 * size - 1);
                v = get_reg(x, i->rm, size);
            } else {
                /* a register bit offset addresses memory beyond the operand */
                int64_t byte_off = (off >> (size == 8 ? 6 : size == 4 ? 5 : 4)) * (int64_t)size;
                la = ea_linear(x) + (uint64_t)byte_off;
                if (x->code_size != 8) la &= 0xffffffffull;
                bit = (uint64_t)off & (8 * size - 1);
                v = x86_read(x, la, size);
            }
        }
        bool cf = (v >> bit) & 1;
        set_flags(x, FL_CF, cf ? FL_CF : 0);
        if (which == 0)
            return;
        uint64_t nv = which == 1 ? v | 1ull << bit : which == 2 ? v & ~(1ull << bit) : v ^ 1ull << bit;
        if (op != 0xba && i->mod != 3)
            x86_write(x, la, size, nv);
        else
            rm_write(x, size, nv);
        return;
    }
    case 0xa4: case 0xa5: case 0xac: case 0xad: { /* SHLD / SHRD */
        unsigned cnt = (op & 1 ? (unsigned)x->r[RCX] : (unsigned)i->imm) & (size == 8 ? 63 : 31);
        uint64_t d = rm_read(x, size), s = get_reg(x, i->reg, size);
        if (!cnt) {
            /* flags and value unchanged, but a 32-bit register destination
             * is still written: its upper half is zeroed (SDM vol. 1
             * §3.4.1.1), as for the other shifts by 0 */
            if (i->mod == 3)
                rm_write(x, size, d);
            return;
        }
        unsigned bits = 8 * size;
        uint64_t res;
        bool cf;
        if (op <= 0xa5) {
            unsigned __int128 w = ((unsigned __int128)d << bits) | s;
            res = (uint64_t)(cnt < bits ? (w << cnt) >> bits : (w << (cnt - bits))) & size_mask(size);
            if (cnt > bits) res = 0;
            cf = (d >> (bits - cnt)) & 1;
        } else {
            unsigned __int128 w = ((unsigned __int128)s << bits) | d;
            res = (uint64_t)(w >> cnt) & size_mask(size);
            cf = (d >> (cnt - 1)) & 1;
        }
        bool of = ((res ^ d) & sign_bit(size)) != 0;
        set_flags(x, FL_ARITH, szp(res, size) | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
        rm_write(x, size, res);
        return;
    }
    case 0xb0: case 0xb1: { /* CMPXCHG */
        unsigned s = op == 0xb0 ? 1 : size;
        uint64_t d = rm_read(x, s), a = get_reg(x, RAX, s);
        alu(x, ALU_CMP, a, d, s);
        if (a == d)
            rm_write(x, s, get_reg(x, i->reg, s));
        else {
            if (i->mod != 3) rm_write(x, s, d); /* the destination is always written */
            set_reg(x, RAX, s, d);
        }
        return;
    }
    case 0xbc: case 0xbd: { /* BSF / BSR (F3: TZCNT / LZCNT) */
        uint64_t v = rm_read(x, size);
        if (i->rep == 0xf3) {
            unsigned n = !v ? 8 * size : op == 0xbc ? (unsigned)__builtin_ctzll(v)
                                                     : (unsigned)__builtin_clzll(v) - (64 - 8 * size);
            set_reg(x, i->reg, size, n);
            set_flags(x, FL_CF | FL_ZF, (!v ? FL_CF : 0) | (n == 0 ? FL_ZF : 0));
            return;
        }
        if (!v) {
            set_flags(x, FL_ZF, FL_ZF); /* destination unchanged (as hardware does) */
            return;
        }
        set_flags(x, FL_ZF, 0);
        set_reg(x, i->reg, size, op == 0xbc ? (unsigned)__builtin_ctzll(v) : 63 - (unsigned)__builtin_clzll(v));
        return;
    }
    case 0xb8: { /* POPCNT (F3) */
        if (i->rep != 0xf3) UD();
        uint64_t v = rm_read(x, size);
        set_reg(x, i->reg, size, (uint64_t)__builtin_popcountll(v));
        x->rflags &= ~(uint64_t)FL_ARITH;
        if (!v) x->rflags |= FL_ZF;
        return;
    }
    case 0xc0: case 0xc1: { /* XADD */
        unsigned s = op == 0xc0 ? 1 : size;
        uint64_t d = rm_read(x, s), r = get_reg(x, i->reg, s);
        uint64_t sum = alu(x, ALU_ADD, d, r, s);
        /* SDM vol. 2 XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. A
         * memory destination is written first: its address may use the
         * source register (XADD [RCX], CH), and a faulting write must leave
         * the register unchanged (found by x86-difftest --gen tables) */
        if (i->mod != 3) {
            rm_write(x, s, sum);
            set_reg(x, i->reg, s, d);
        } else {
            set_reg(x, i->reg, s, d);
            rm_write(x, s, sum);
        }
        return;
    }
    case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        uint64_t v = get_reg(x, i->reg, size); /* BSWAP */
        set_reg(x, i->reg, size, size == 8 ? __builtin_bswap64(v) : size == 4 ? __builtin_bswap32((uint32_t)v) : 0);
        return;
    }
    case 0xc7: { /* CMPXCHG8B/16B (group 9 /1), RDRAND etc. not modelled */
        if ((i->modrm >> 3 & 7) >= 6 && i->mod != 3) { /* VMPTRLD VMCLEAR VMXON / VMPTRST */
            vmx_exec(x, (i->modrm >> 3 & 7) == 7 ? VMX_OP_VMPTRST
                        : i->mandatory == 0x66 ? VMX_OP_VMCLEAR
                        : i->mandatory == 0xf3 ? VMX_OP_VMXON : VMX_OP_VMPTRLD);
            return;
        }
        if ((i->modrm >> 3 & 7) != 1 || i->mod == 3) UD();
        unsigned s = size == 8 ? 8 : 4;
        uint64_t la = ea_linear(x);
        if (s == 8 && (la & 15)) GP0();
        uint64_t lo = x86_read(x, la, s), hi = x86_read(x, la + s, s);
        uint64_t m = size_mask(s);
        if (lo == (x->r[RAX] & m) && hi == (x->r[RDX] & m)) {
            x86_write(x, la, s, x->r[RBX]);
            x86_write(x, la + s, s, x->r[RCX]);
            set_flags(x, FL_ZF, FL_ZF);
        } else {
            x86_write(x, la, s, lo);
            x86_write(x, la + s, s, hi);
            set_reg(x, RAX, s, lo);
            set_reg(x, RDX, s, hi);
            set_flags(x, FL_ZF, 0);
        }
        return;
    }
    case 0xae: { /* group 15: fences; FXSAVE/FXRSTOR/LDMXCSR/STMXCSR in fxsave.c */
        unsigned r = i->modrm >> 3 & 7;
        if (i->mod == 3 && r >= 5)
            return; /* LFENCE MFENCE SFENCE: memory is sequentially consistent */
        if (i->mod != 3 && r == 7)
            return; /* CLFLUSH */
        if (i->mod != 3 && r <= 3 && !i->rep) {
            x86_exec_fxsave_group(x);
            return;
        }
        if (x86_exec_xsave_group(x)) /* XSAVE XRSTOR XSAVEOPT with [cpu] xsave = on (xsave.c) */
            return;
        UD();
    }
    case 0xb2: case 0xb4: case 0xb5: /* LSS LFS LGS */
        load_far_ptr(x, op == 0xb2 ? X86_SS : op == 0xb4 ? X86_FS : X86_GS);
        return;
    default:
        if (x86_exec_simd(x))
            return;
        UD();
    }
}

static void exec_insn(struct x86_cpu *x, const struct x86_dinsn *d);

/* BMI1 / BMI2 (VEX-encoded GPR instructions; SDM vol. 2 "ANDN" ... "SHRX").
 * The decoder accepts only these (decode.c vex_bmi). Flags: SF/ZF from the
 * result where the SDM defines them, OF = 0; AF/PF are undefined (AF
 * cleared, PF from the result, as the logic instructions here do). */
static void exec_vex_bmi(struct x86_cpu *x)
{
    const struct x86_insn *i = &x->in;
    unsigned s = i->opsize, bits = 8 * s;
    uint64_t m = size_mask(s);
    uint64_t src = rm_read(x, s), v = x->r[i->vvvv] & m, res;
    unsigned pp = i->mandatory == 0x66 ? 1 : i->mandatory == 0xf3 ? 2 : i->mandatory == 0xf2 ? 3 : 0;
    if (i->map == X86_MAP_0F3A) { /* RORX */
        unsigned c = (unsigned)i->imm & (bits - 1);
        set_reg(x, i->reg, s, c ? ((src >> c) | (src << (bits - c))) & m : src);
        return;
    }
    switch (i->opcode) {
    case 0xf2: /* ANDN r, vvvv, r/m */
        res = ~v & src & m;
        set_flags(x, FL_ARITH, szp(res, s));
        set_reg(x, i->reg, s, res);
        return;
    case 0xf3: { /* BLSR /1, BLSMSK /2, BLSI /3: vvvv = f(r/m) */
        unsigned r = (i->modrm >> 3) & 7;
        bool cf;
        if (r == 1) { res = (src - 1) & src & m; cf = src == 0; }
        else if (r == 2) { res = ((src - 1) ^ src) & m; cf = src == 0; }
        else { res = (-src) & src & m; cf = src != 0; }
        set_flags(x, FL_ARITH, szp(res, s) | (cf ? FL_CF : 0));
        set_reg(x, i->vvvv, s, res);
        return;
    }
    case 0xf5:
        if (pp == 0) { /* BZHI r, r/m, vvvv */
            unsigned n = (unsigned)(v & 0xff);
            res = n < bits ? src & ((1ull << n) - 1) : src;
            set_flags(x, FL_ARITH, szp(res, s) | (n > bits - 1 ? FL_CF : 0));
            set_reg(x, i->reg, s, res);
        } else { /* PEXT (F3) / PDEP (F2) r, vvvv, r/m (mask) */
            uint64_t mask = src, out = 0;
            unsigned k = 0;
            for (unsigned b = 0; b < bits; b++) {
                if (!((mask >> b) & 1))
                    continue;
                if (pp == 2)
                    out |= ((v >> b) & 1) << k;
                else
                    out |= ((v >> k) & 1) << b;
                k++;
            }
            set_reg(x, i->reg, s, out);
        }
        return;
    case 0xf6: { /* MULX r (high), vvvv (low), r/m * rDX: no flags */
        unsigned __int128 p = (unsigned __int128)(x->r[RDX] & m) * src;
        set_reg(x, i->vvvv, s, (uint64_t)p & m);
        set_reg(x, i->reg, s, (uint64_t)(p >> bits) & m); /* the high half wins when equal */
        return;
    }
    default: /* F7: BEXTR / SHLX (66) / SARX (F3) / SHRX (F2) r, r/m, vvvv */
        if (pp == 0) {
            unsigned start = (unsigned)(v & 0xff), len = (unsigned)((v >> 8) & 0xff);
            res = start < bits ? src >> start : 0;
            if (len < 64)
                res &= (1ull << len) - 1;
            res &= m;
            set_flags(x, FL_ARITH, szp(res, s) & ~(uint64_t)(FL_SF | FL_PF));
            set_reg(x, i->reg, s, res);
            return;
        }
        unsigned c = (unsigned)v & (bits - 1);
        res = pp == 1 ? src << c : pp == 3 ? src >> c : (uint64_t)(sext(src, s) >> c);
        set_reg(x, i->reg, s, res & m);
        return;
    }
}

/* CRC32C (polynomial 11EDC6F41H, bit-reflected: SDM vol. 2 "CRC32") of the
 * low n bytes of v, from crc. */
static uint32_t crc32c(uint32_t crc, uint64_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        crc ^= (uint8_t)(v >> (8 * k));
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
    }
    return crc;
}

/* The integer opcodes of the 0F38 map: MOVBE, CRC32, ADCX/ADOX, INVPCID.
 * False: not one of them (the SIMD engine may claim the opcode). */
static bool exec_0f38_int(struct x86_cpu *x)
{
    struct x86_insn *i = &x->in;
    unsigned size = i->opsize;
    switch (i->opcode) {
    case 0xf0: case 0xf1:
        if (i->mandatory == 0xf2) { /* CRC32 r32/r64, r/m8 / r/m16/32/64 */
            unsigned s = i->opcode == 0xf0 ? 1 : size;
            unsigned dsz = (i->rex & 8) ? 8 : 4;
            uint32_t crc = crc32c((uint32_t)x->r[i->reg], rm_read(x, s), s);
            set_reg(x, i->reg, dsz, crc);
            return true;
        }
        if (i->mod == 3 || (i->prefixes & X86_PFX_REP))
            UD();
        if (i->opcode == 0xf0) { /* MOVBE r, m */
            uint64_t v = rm_read(x, size);
            set_reg(x, i->reg, size, size == 8 ? __builtin_bswap64(v)
                                   : size == 4 ? __builtin_bswap32((uint32_t)v)
                                               : __builtin_bswap16((uint16_t)v));
        } else { /* MOVBE m, r */
            uint64_t v = get_reg(x, i->reg, size);
            rm_write(x, size, size == 8 ? __builtin_bswap64(v)
                              : size == 4 ? __builtin_bswap32((uint32_t)v)
                                          : __builtin_bswap16((uint16_t)v));
        }
        return true;
    case 0xf6: { /* ADCX (66) / ADOX (F3): add with CF / OF only */
        if (i->mandatory != 0x66 && i->mandatory != 0xf3)
            return false;
        unsigned s = (i->rex & 8) ? 8 : 4;
        uint64_t fl = i->mandatory == 0x66 ? FL_CF : FL_OF;
        uint64_t a = get_reg(x, i->reg, s), b = rm_read(x, s);
        unsigned __int128 w = (unsigned __int128)a + b + ((x->rflags & fl) ? 1 : 0);
        bool c = s == 8 ? (w >> 64) != 0 : ((uint64_t)w >> 32) != 0;
        set_reg(x, i->reg, s, (uint64_t)w);
        set_flags(x, fl, c ? fl : 0);
        return true;
    }
    case 0x82: { /* INVPCID r, m128 (SDM vol. 2 "INVPCID") */
        if (i->mandatory != 0x66)
            return false;
        if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM))
            UD();
        if (unlikely(x->vmx.non_root)) /* "enable INVPCID": #UD (src/vmm) */
            vmx_nr_invpcid(x, i->reg, false);
        need_cpl0(x);
        if (unlikely(x->vmx.non_root)) /* INVLPG exiting */
            vmx_nr_invpcid(x, i->reg, true);
        uint64_t type = x->code_size == 8 ? x->r[i->reg] : (uint32_t)x->r[i->reg];
        uint64_t la = ea_linear(x);
        uint64_t desc = x86_read(x, la, 8), addr = x86_read(x, la + 8, 8);
        if (type > 3 || (desc >> 12))
            GP0();
        bool pcide = (x->cr4 & CR4_PCIDE) != 0;
        uint64_t pcid = desc & 0xfff, cur = pcide ? (x->cr3 & 0xfff) : 0;
        switch (type) {
        case 0: /* individual address, not global */
            if (noncanonical(addr) || (!pcide && pcid))
                GP0();
            if (pcid == cur) /* the TLB holds only the current PCID */
                x86_tlb_flush_page_ex(x, addr, false);
            return true;
        case 1: /* single context, not global */
            if (!pcide && pcid)
                GP0();
            if (pcid == cur)
                x86_tlb_flush_vpid(x, false);
            return true;
        /* in VMX root operation: VPID 0's (SDM vol. 3C §29.4.3.1) */
        case 2: x86_tlb_flush_vpid(x, true); return true;   /* all, globals included */
        default: x86_tlb_flush_vpid(x, false); return true; /* all but globals */
        }
    }
    default:
        return false;
    }
}

/* MOV SS / POP SS (not LSS): SDM vol. 3A §6.8.3, interrupts, debug
 * exceptions and single-step traps are inhibited until the boundary after
 * the next instruction. */
static bool loads_ss(const struct x86_insn *i)
{
    return i->map == X86_MAP_1 && (i->opcode == 0x17 || (i->opcode == 0x8e && (i->modrm >> 3 & 7) == X86_SS));
}

/* Single-step (SDM vol. 3A §17.3.1.4): with TF set before an instruction,
 * #DB (DR6.BS) is taken as a trap after it, a REP string instruction
 * after each iteration; not after INT n / INT3 / INTO / INT1, whose
 * delivery clears TF, nor after an instruction that faulted, nor after
 * MOV SS / POP SS (the next instruction's trap follows it). */
static void exec_one(struct x86_cpu *x, const struct x86_dinsn *d)
{
    if (likely(!(x->rflags & FL_TF))) {
        exec_insn(x, d);
        return;
    }
    exec_insn(x, d);
    const struct x86_insn *i = &x->in;
    if (i->map == X86_MAP_1 && (i->opcode == 0xcc || i->opcode == 0xcd || i->opcode == 0xce ||
                                i->opcode == 0xf1))
        return;
    if (loads_ss(i))
        return;
    x->rip = x->next_rip;
    x86_dbg_single_step(x); /* DR6.BS, traced (debug.c) */
    x->next_rip = x->rip;
}

/* PAUSE (F3 90): a spin-wait hint (SDM vol. 2 "PAUSE"), which hvsim takes
 * through the scheduler like HLT: after VMX PAUSE exiting / PAUSE-loop
 * exiting (src/vmm, which exit before the instruction completes), it
 * retires as one instruction and ends the CPU's slot (cpu_yield), so a
 * spinning CPU lets the others of the machine run instead of burning its
 * quantum. Not while VMX PAUSE-loop exiting watches it (non-root, CPL 0,
 * the control set): that loop is timed in ticks (PLE_Gap), which a yield
 * would stretch to a slot, and ended by the hypervisor's exit; such a PAUSE
 * stays a NOP as before. blk_exit: it ends a block (run_blocks, a compiled block's
 * callout) like a slow memory path that ends the run. No trace record (as
 * RISC-V's Zihintpause pause records none). */
static void pause_yield(struct x86_cpu *x)
{
    if (unlikely(x->vmx.non_root) && !vmx_nr_pause(x))
        return; /* PAUSE-loop exiting times the loop: no yield (src/vmm) */
    x->blk_exit = true;
    cpu_yield(&x->cpu);
}

/* x->in; d: the same instruction as a slot (struct x86_dinsn, icache.h),
 * whose fast handler, when it has one, is the only implementation of its
 * semantics (the fast paths below): the cases here are the instructions
 * without one. */
static void exec_insn(struct x86_cpu *x, const struct x86_dinsn *d)
{
    struct x86_insn *i = &x->in;
    unsigned size = i->opsize;
    uint8_t op = i->opcode;

    if (d->fast) {
        d->fast(x, d);
        return;
    }

    if (unlikely(i->vex)) {
        exec_vex_bmi(x);
        return;
    }
    if (i->map == X86_MAP_0F) {
        exec_0f(x);
        return;
    }
    if (i->map != X86_MAP_1) { /* 0F38, 0F3A */
        if (i->map == X86_MAP_0F38 && (op == 0x80 || op == 0x81)) { /* INVEPT / INVVPID */
            vmx_exec(x, op == 0x80 ? VMX_OP_INVEPT : VMX_OP_INVVPID);
            return;
        }
        if (i->map == X86_MAP_0F38 && exec_0f38_int(x))
            return;
        if (x86_exec_simd(x))
            return;
        UD();
    }
    if ((op >= 0xd8 && op <= 0xdf) || op == 0x9b) {
        x86_exec_x87(x);
        return;
    }
    if (op >= 0x91 && op <= 0x97) {
        uint64_t a = get_reg(x, RAX, size);
        set_reg(x, RAX, size, get_reg(x, i->reg, size));
        set_reg(x, i->reg, size, a);
        return;
    }
    if (op >= 0x40 && op <= 0x4f) { /* INC/DEC r (16/32-bit modes) */
        set_reg(x, i->reg, size, inc_dec(x, get_reg(x, i->reg, size), size, op >= 0x48));
        return;
    }
    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e: push(x, size, x->seg[op >> 3].sel); return;
    case 0x07: case 0x17: case 0x1f: {
        if (op == 0x17) /* blocking by MOV SS after it (src/vmm) */
            x->vmx.movss_pos = x86_insn_pos(x);
        uint16_t sel = (uint16_t)pop(x, size);
        x86_load_seg(x, op >> 3, sel);
        if (op == 0x17) x->sti_shadow = x->attn = true; /* ends at the next boundary but one */
        return;
    }
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad:
    case 0xae: case 0xaf:
        exec_string(x, op);
        return;
    case 0x86: case 0x87: { /* XCHG r/m, r (memory: locked) */
        unsigned s = (op & 1) ? size : 1;
        uint64_t a = rm_read(x, s);
        rm_write(x, s, get_reg(x, i->reg, s));
        set_reg(x, i->reg, s, a);
        return;
    }
    case 0x8c: { /* MOV r/m, Sreg */
        unsigned s = i->modrm >> 3 & 7;
        if (s > 5) UD();
        rm_write(x, i->mod == 3 ? size : 2, x->seg[s].sel);
        return;
    }
    case 0x8e: { /* MOV Sreg, r/m */
        unsigned s = i->modrm >> 3 & 7;
        if (s > 5 || s == X86_CS) UD();
        if (s == X86_SS) /* blocking by MOV SS after it (src/vmm) */
            x->vmx.movss_pos = x86_insn_pos(x);
        x86_load_seg(x, (int)s, (uint16_t)rm_read(x, 2));
        if (s == X86_SS) x->sti_shadow = x->attn = true; /* as POP SS */
        return;
    }
    case 0x8f: { /* POP r/m: RSP is incremented before the address is computed;
                  * a fault writing the destination leaves RSP as it was (trap.c) */
        uint64_t old_rsp = x->r[RSP];
        uint64_t v = pop(x, size);
        x->undo_rsp = old_rsp;
        x->undo_rsp_valid = true;
        rm_write(x, size, v);
        x->undo_rsp_valid = false;
        return;
    }
    case 0x90: { /* with REX.B: XCHG r8, rax (NOP and PAUSE have a fast handler) */
        if (!(i->rex & 1)) {
            /* NOP / F3 90 PAUSE here when single-stepped (TF) or decoded by
             * step_slow: not XCHG EAX, EAX, which would zero RAX[63:32] in
             * 64-bit mode (SDM vol. 2 "NOP", "XCHG": 90 without REX.B) */
            if (i->prefixes & X86_PFX_REP)
                pause_yield(x);
            return;
        }
        uint64_t a = get_reg(x, RAX, size);
        set_reg(x, RAX, size, get_reg(x, i->reg, size));
        set_reg(x, i->reg, size, a);
        return;
    }
    case 0x60: { /* PUSHA/PUSHAD (not in 64-bit mode: the decoder's #UD): EAX ECX
                  * EDX EBX, the ESP before, EBP ESI EDI; a fault leaves ESP as before */
        uint64_t sp0 = x->r[RSP];
        x->undo_rsp = sp0;
        x->undo_rsp_valid = true;
        for (unsigned r = 0; r < 8; r++)
            push(x, size, r == RSP ? sp0 : x->r[r]);
        x->undo_rsp_valid = false;
        return;
    }
    case 0x61: { /* POPA/POPAD: EDI ESI EBP, (ESP's slot skipped), EBX EDX ECX EAX */
        uint64_t v[8];
        x->undo_rsp = x->r[RSP];
        x->undo_rsp_valid = true;
        for (unsigned r = 8; r-- > 0;)
            v[r] = pop(x, size);
        x->undo_rsp_valid = false;
        for (unsigned r = 0; r < 8; r++)
            if (r != RSP)
                set_reg(x, r, size, v[r]);
        return;
    }
    case 0x9c: /* PUSHF: VM and RF read as 0 */
        if ((x->rflags & FL_VM) && ((x->rflags >> 12) & 3) < 3) { /* vme.c */
            if (!x86_vme_flags16(x, size)) GP0();
            push(x, 2, x86_vme_pushf_image(x));
            return;
        }
        push(x, size, x->rflags & 0x3c7fd7 & size_mask(size));
        return;
    case 0x9d: { /* POPF (SDM vol. 2 "POPF"; virtual-8086 mode: #GP(0) unless IOPL = 3 or VME) */
        if ((x->rflags & FL_VM) && ((x->rflags >> 12) & 3) < 3) { /* vme.c */
            if (!x86_vme_flags16(x, size)) GP0();
            uint64_t rsp = x->r[RSP], v = pop(x, 2);
            x->r[RSP] = rsp;
            x86_vme_check_flags(x, v);
            pop(x, 2);
            x86_vme_load_flags(x, v);
            return;
        }
        uint64_t v = pop(x, size);
        uint64_t mask = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT |
                        FL_AC | FL_ID;
        if (x->cpl == 0 || !(x->cr0 & CR0_PE)) mask |= FL_IOPL;
        if (x->cpl <= ((x->rflags >> 12) & 3) || !(x->cr0 & CR0_PE)) mask |= FL_IF;
        if (size == 2) mask &= 0xffff;
        x->rflags = (x->rflags & ~mask) | (v & mask) | FL_FIXED1;
        x->attn = true;
        if (x->cr4 & CR4_SMAP) x86_tlb_flush(x, true);
        return;
    }
    /* BCD adjustments (not in 64-bit mode: the decoder says #UD), from
     * the SDM vol. 2 pseudo-code of DAA, DAS, AAA, AAS, AAM, AAD; the
     * flags the SDM leaves undefined are cleared */
    case 0x27: case 0x2f: { /* DAA / DAS */
        unsigned al = x->r[RAX] & 0xff, old_al = al;
        bool old_cf = x->rflags & FL_CF, cf = false, af = false;
        if ((al & 0xf) > 9 || (x->rflags & FL_AF)) {
            cf = old_cf || (op == 0x27 ? al + 6 > 0xff : al < 6);
            al = (op == 0x27 ? al + 6 : al - 6) & 0xff;
            af = true;
        }
        if (old_al > 0x99 || old_cf) {
            al = (op == 0x27 ? al + 0x60 : al - 0x60) & 0xff;
            cf = true;
        } else if (op == 0x27) {
            cf = false; /* DAA's ELSE CF <- 0; DAS keeps the first step's CF */
        }
        x->r[RAX] = (x->r[RAX] & ~0xffull) | al;
        set_flags(x, FL_ARITH, szp(al, 1) | (af ? FL_AF : 0) | (cf ? FL_CF : 0));
        return;
    }
    case 0x37: case 0x3f: { /* AAA / AAS */
        uint64_t ax = x->r[RAX] & 0xffff;
        bool adj = (ax & 0xf) > 9 || (x->rflags & FL_AF);
        if (adj && op == 0x37)
            ax = (ax + 0x106) & 0xffff; /* AX <- AX + 106H */
        else if (adj)
            ax = (ax - 6 - 0x100) & 0xffff; /* AX <- AX - 6; AH <- AH - 1 */
        ax = (ax & 0xff00) | (ax & 0x0f);
        x->r[RAX] = (x->r[RAX] & ~0xffffull) | ax;
        set_flags(x, FL_ARITH, adj ? FL_AF | FL_CF : 0);
        return;
    }
    case 0xd4: case 0xd5: { /* AAM imm8 / AAD imm8 */
        unsigned base = i->imm & 0xff, al = x->r[RAX] & 0xff, ah = (x->r[RAX] >> 8) & 0xff;
        if (op == 0xd4) {
            if (!base)
                x86_raise(x, X86_EXC_DE, false, 0);
            ah = al / base;
            al %= base;
        } else {
            al = (al + ah * base) & 0xff;
            ah = 0;
        }
        x->r[RAX] = (x->r[RAX] & ~0xffffull) | ah << 8 | al;
        set_flags(x, FL_ARITH, szp(al, 1));
        return;
    }
    case 0x9e: /* SAHF */
        set_flags(x, FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF, (x->r[RAX] >> 8) & 0xd5);
        return;
    case 0x9f: /* LAHF */
        x->r[RAX] = (x->r[RAX] & ~0xff00ull) | ((x->rflags & 0xd5) | 2) << 8;
        return;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: { /* MOV moffs */
        unsigned s = (op & 1) ? size : 1;
        int sg = i->seg != X86_SEG_NONE ? i->seg : X86_DS;
        uint64_t la = linear(x, sg, (uint64_t)i->disp & addr_mask(i->addrsize));
        if (op < 0xa2) set_reg(x, RAX, s, x86_read(x, la, s));
        else x86_write(x, la, s, get_reg(x, RAX, s));
        return;
    }
    case 0xc8: { /* ENTER (nesting level 0 and 1+ per SDM) */
        unsigned level = (unsigned)i->imm2 & 31;
        uint64_t frame;
        push(x, size, x->r[RBP] & size_mask(size));
        frame = x->r[RSP] & sp_mask(x);
        for (unsigned k = 1; k < level; k++) {
            uint64_t bp = (x->r[RBP] - k * size) & sp_mask(x);
            push(x, size, x86_read(x, linear(x, X86_SS, bp), size));
        }
        if (level)
            push(x, size, frame);
        set_reg(x, RBP, x->stack_size, frame);
        x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | ((x->r[RSP] - (i->imm & 0xffff)) & sp_mask(x));
        return;
    }
    case 0xc9: /* LEAVE */
        x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | (x->r[RBP] & sp_mask(x));
        set_reg(x, RBP, size, pop(x, size));
        return;
    case 0xca: case 0xcb: { /* RET far */
        uint64_t off = pop(x, size);
        uint16_t sel = (uint16_t)pop(x, size);
        if ((x->cr0 & CR0_PE) && !(x->rflags & FL_VM) && (sel & 3u) > x->cpl) {
            ret_outer(x, sel, off, size, op == 0xca ? (unsigned)(i->imm & 0xffff) : 0);
            return;
        }
        if (op == 0xca)
            x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | ((x->r[RSP] + (i->imm & 0xffff)) & sp_mask(x));
        far_transfer(x, sel, off, false, size);
        return;
    }
    case 0xcc: /* INT3: a trap, rip after it */
        if (unlikely(x->vmx.non_root)) /* exception bitmap (software exception) */
            vmx_nr_exception(x, X86_EXC_BP, false, 0, VMX_EV_SWEXC, 0);
        vmx_delivering(&x->vmx, VMX_EV_SWEXC, x->insn_len);
        x86_deliver(x, X86_EXC_BP, false, 0, true, x->next_rip);
        x->next_rip = x->rip;
        return;
    case 0xcd: /* INT n; virtual-8086 mode: redirected (CR4.VME, vme.c), else #GP(0) unless IOPL = 3 */
        if ((x->rflags & FL_VM) && x86_vme_int(x, (unsigned)(i->imm & 0xff), x->next_rip)) {
            x->next_rip = x->rip;
            return;
        }
        if ((x->rflags & FL_VM) && ((x->rflags >> 12) & 3) < 3) GP0();
        vmx_delivering(&x->vmx, VMX_EV_SWINT, x->insn_len);
        x86_deliver(x, (int)(i->imm & 0xff), false, 0, true, x->next_rip);
        x->next_rip = x->rip;
        return;
    case 0xce: /* INTO (not in 64-bit mode: the decoder says #UD): a trap */
        if (x->rflags & FL_OF) {
            if (unlikely(x->vmx.non_root))
                vmx_nr_exception(x, X86_EXC_OF, false, 0, VMX_EV_SWEXC, 0);
            vmx_delivering(&x->vmx, VMX_EV_SWEXC, x->insn_len);
            x86_deliver(x, X86_EXC_OF, false, 0, true, x->next_rip);
            x->next_rip = x->rip;
        }
        return;
    case 0xf1: /* INT1 / ICEBP: #DB as a trap, no gate DPL check (SDM vol. 2 "INT n") */
        if (unlikely(x->vmx.non_root)) /* exception bitmap (privileged software exception) */
            vmx_nr_exception(x, X86_EXC_DB, false, 0, VMX_EV_PRIV, 0);
        vmx_delivering(&x->vmx, VMX_EV_PRIV, x->insn_len);
        x86_deliver(x, X86_EXC_DB, false, 0, false, x->next_rip);
        x->next_rip = x->rip;
        return;
    case 0xc4: case 0xc5: /* LES / LDS (outside 64-bit mode; VEX there and with mod = 11) */
        load_far_ptr(x, op == 0xc4 ? X86_ES : X86_DS);
        return;
    case 0x63: { /* ARPL r/m16, r16 (16/32-bit protected mode; 64-bit mode: MOVSXD,
                  * decode.c). SDM vol. 2 "ARPL": the destination's RPL raised to
                  * the source's, ZF = 1; else ZF = 0 and it is written back unchanged. */
        if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM))
            UD();
        uint64_t d = rm_read(x, 2), src = get_reg(x, i->reg, 2);
        bool adj = (d & 3) < (src & 3);
        rm_write(x, 2, adj ? (d & ~3ull) | (src & 3) : d);
        set_flags(x, FL_ZF, adj ? FL_ZF : 0);
        return;
    }
    case 0x62: { /* BOUND r, m (16/32-bit modes; memory only): #BR fault */
        uint64_t la = ea_linear(x);
        int64_t idx = sext(get_reg(x, i->reg, size), size);
        int64_t lo = sext(x86_read(x, la, size), size);
        int64_t hi = sext(x86_read(x, la + size, size), size);
        if (idx < lo || idx > hi)
            x86_raise(x, X86_EXC_BR, false, 0);
        return;
    }
    case 0xcf: /* IRET */
        if (unlikely(x->vmx.non_root)) { /* NMI unblocking, also when IRET faults (src/vmm) */
            vmx_nr_iret(x);
            x86_iret(x, size);
            x->vmx.iret_nmi = false;
            x->next_rip = x->rip;
            return;
        }
        x86_iret(x, size);
        x->nmi_blocked = false;
        x->next_rip = x->rip;
        return;
    case 0xe3: { /* JrCXZ */
        if ((x->r[RCX] & addr_mask(i->addrsize)) == 0)
            jump(x, x->next_rip + i->imm);
        return;
    }
    case 0xe0: case 0xe1: case 0xe2: { /* LOOPNE LOOPE LOOP */
        uint64_t am = addr_mask(i->addrsize);
        uint64_t c = ((x->r[RCX] & am) - 1) & am;
        x->r[RCX] = i->addrsize == 4 ? c : (x->r[RCX] & ~am) | c;
        bool zf = x->rflags & FL_ZF;
        if (c && (op == 0xe2 || (op == 0xe1 && zf) || (op == 0xe0 && !zf)))
            jump(x, x->next_rip + i->imm);
        return;
    }
    case 0xe4: case 0xe5: set_reg(x, RAX, op & 1 ? (size > 4 ? 4 : size) : 1,
                                  port_in(x, (uint32_t)i->imm & 0xff, op & 1 ? (size > 4 ? 4 : size) : 1)); return;
    case 0xe6: case 0xe7: port_out(x, (uint32_t)i->imm & 0xff, op & 1 ? (size > 4 ? 4 : size) : 1, x->r[RAX]); return;
    case 0xec: case 0xed: set_reg(x, RAX, op & 1 ? (size > 4 ? 4 : size) : 1,
                                  port_in(x, (uint32_t)x->r[RDX] & 0xffff, op & 1 ? (size > 4 ? 4 : size) : 1)); return;
    case 0xee: case 0xef: port_out(x, (uint32_t)x->r[RDX] & 0xffff, op & 1 ? (size > 4 ? 4 : size) : 1, x->r[RAX]); return;
    case 0xea: /* JMP ptr16:16/32 */
        far_transfer(x, (uint16_t)i->imm2, i->imm & size_mask(size), false, size);
        return;
    case 0x9a:
        far_transfer(x, (uint16_t)i->imm2, i->imm & size_mask(size), true, size);
        return;
    case 0xf4: { /* HLT: sleep until an interrupt (through the scheduler) */
        need_cpl0(x);
        if (unlikely(x->vmx.non_root))
            vmx_nr_hlt(x); /* HLT exiting */
        uint64_t pc = x86_trace_pc(x); /* the HLT's own address, as every x86 record's pc */
        x->rip = x->next_rip;
        if (!(x->rflags & FL_IF) && !x->nmi_pending && !x->vmx.non_root && !x86_hlt_can_wake(x))
            machine_request_exit(x->m, EXIT_GUEST_FAIL,
                                 "HLT with IF = 0 and no CPU left to wake it: the machine is dead");
        x->cpu.state = CPU_SLEEPING;
        TRACE(x->m, TK_WFI_SLEEP, x->cpu.id, cpu_now(&x->cpu), pc,
              0xf4 | (uint64_t)x86_trace_mode(x) << 56); /* TRACE_WFI_MODE */
        cpu_end_run(&x->cpu);
        return;
    }
    case 0xf5: x->rflags ^= FL_CF; return;
    case 0xf8: x->rflags &= ~(uint64_t)FL_CF; return;
    case 0xf9: x->rflags |= FL_CF; return;
    case 0xfc: x->rflags &= ~(uint64_t)FL_DF; return;
    case 0xfd: x->rflags |= FL_DF; return;
    case 0xfa: case 0xfb: /* CLI / STI: IOPL-sensitive; VIF with CR4.VME / PVI (vme.c) */
        if (x86_vif_mode(x)) {
            x86_vif_cli_sti(x, op == 0xfb);
            return;
        }
        if ((x->cr0 & CR0_PE) && x->cpl > ((x->rflags >> 12) & 3)) GP0();
        if (op == 0xfa) x->rflags &= ~(uint64_t)FL_IF;
        else {
            if (!(x->rflags & FL_IF)) {
                x->sti_shadow = true;
                x->vmx.sti_pos = x86_insn_pos(x); /* blocking by STI (src/vmm) */
            }
            x->rflags |= FL_IF;
            x->attn = true;
        }
        return;
    case 0xf6: case 0xf7: {
        unsigned s = (op & 1) ? size : 1;
        switch (i->modrm >> 3 & 7) { /* TEST, NOT, NEG (/0-/3): fast handlers */
        case 4: do_mul(x, s, false); return;
        case 5: do_mul(x, s, true); return;
        case 6: do_div(x, s, false); return;
        default: do_div(x, s, true); return;
        }
    }
    case 0xfe: case 0xff: {
        unsigned r = i->modrm >> 3 & 7;
        unsigned s = op == 0xfe ? 1 : size;
        if (op == 0xfe && r > 1) UD();
        switch (r) {
        case 2: { uint64_t t = rm_read(x, s), ret = x->next_rip; jump(x, t); push(x, s, ret); return; }
        case 4: jump(x, rm_read(x, s)); return;
        case 3: case 5: { /* far CALL/JMP m16:16/32/64 */
            if (i->mod == 3) UD();
            uint64_t la = ea_linear(x);
            uint64_t off = x86_read(x, la, s);
            uint16_t sel = (uint16_t)x86_read(x, la + s, 2);
            far_transfer(x, sel, off, r == 3, s);
            return;
        }
        case 6: push(x, s, rm_read(x, s)); return;
        default: UD();
        }
    }
    default:
        UD();
    }
}

/* ---- the loop ---------------------------------------------------------------- */

static bool take_interrupt(struct x86_cpu *x)
{
    if (unlikely(x->vmx.apic_pending) && x->vmx.non_root)
        vmx_nr_apic_boundary(x); /* APIC-write emulation, trap-like exits (src/vmm) */
    if (x->sti_shadow) {
        x->sti_shadow = false;
        x->attn = true;
        if (unlikely(x->vmx.non_root)) /* the shadow does not block the monitor trap flag */
            vmx_nr_mtf_boundary(x);
        return false;
    }
    if (unlikely(x->vmx.non_root) && vmx_nr_events(x)) /* exits for events (src/vmm) */
        return true;
    if (x->nmi_pending && !x->nmi_blocked) {
        vmx_delivering(&x->vmx, VMX_EV_NMI, 0); /* IDT-vectoring type (src/vmm) */
        x->nmi_pending = false;
        x->nmi_blocked = true;
        TRACE(x->m, TK_IRQ_TAKE, x->cpu.id, cpu_now(&x->cpu), X86_EXC_NMI, x86_trace_from(x), 0, x86_trace_pc(x));
        x86_deliver(x, X86_EXC_NMI, false, 0, false, x->rip);
        return true;
    }
    if (x->intr && (x->rflags & FL_IF) && x->intr_ack) {
        vmx_delivering(&x->vmx, VMX_EV_EXT, 0); /* IDT-vectoring type (src/vmm) */
        int v = x->intr_ack(x->intr_opaque);
        if (v < 0)
            return false;
        TRACE(x->m, TK_IRQ_TAKE, x->cpu.id, cpu_now(&x->cpu), (uint64_t)v, x86_trace_from(x), 0, x86_trace_pc(x));
        x86_deliver(x, v, false, 0, false, x->rip);
        return true;
    }
    if (unlikely(x->rflags & FL_VIP))
        x86_vme_boundary(x); /* VIF and VIP at an instruction start: #GP(0) (vme.c) */
    return false;
}

/* ---- fast paths ------------------------------------------------------------ */

/* Handlers for the hot integer instructions, chosen once at decode time
 * (x86_fast_select, called by icache.c) and run from the predecoded slot
 * (struct x86_dinsn: the fields they need in 32 bytes; for group opcodes
 * reg & 7 is ModRM.reg) without copying it to x->in. Each is the body of
 * its case in exec_one / exec_0f with the operand helpers below, which are
 * those above reading the slot i instead of x->in: same semantics, same
 * flags, same faults. Everything else runs through exec_one. */

/* The operand helpers above for a slot i instead of x->in. */
HOT uint64_t fea_offset(const struct x86_cpu *x, const struct x86_dinsn *i)
{
    return ea_sum(x, i->disp, i->base, i->index, i->scale, i->addrsize);
}
HOT uint64_t fea_linear(struct x86_cpu *x, const struct x86_dinsn *i)
{
    if (likely(x->code_size == 8)) {
        /* linear() in 64-bit mode: only FS and GS (never a default
         * segment) have a base; the segment matters only for the fault */
        uint64_t la = fea_offset(x, i);
        if (unlikely(i->seg == X86_FS || i->seg == X86_GS))
            la += x->seg[i->seg].base;
        if (unlikely(noncanonical(la)))
            x86_raise(x, ea_seg(i->seg, i->base) == X86_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
        return la;
    }
    return linear(x, ea_seg(i->seg, i->base), fea_offset(x, i));
}

HOT uint64_t frm_read(struct x86_cpu *x, const struct x86_dinsn *i, unsigned size)
{
    if (i->mod == 3)
        return reg_read(x, i->rex, i->rm, size);
    return mem_read(x, fea_linear(x, i), size);
}

HOT void frm_write(struct x86_cpu *x, const struct x86_dinsn *i, unsigned size, uint64_t v)
{
    if (i->mod == 3)
        reg_write(x, i->rex, i->rm, size, v);
    else
        mem_write(x, fea_linear(x, i), size, v & size_mask(size));
}

#define FAST(name) static void name(struct x86_cpu *x, const struct x86_dinsn *d)
#define I d
#define OSZ(i) (((i)->opcode & 1) ? (i)->opsize : 1u)

FAST(f_alu_rm_r) /* 00-3D with (op & 7) 0, 1 */
{
    unsigned aop = I->opcode >> 3, s = OSZ(I);
    uint64_t r = alu(x, aop, frm_read(x, I, s), reg_read(x, I->rex, I->reg, s), s);
    if (aop != ALU_CMP) frm_write(x, I, s, r);
}
FAST(f_alu_r_rm) /* (op & 7) 2, 3 */
{
    unsigned aop = I->opcode >> 3, s = OSZ(I);
    uint64_t r = alu(x, aop, reg_read(x, I->rex, I->reg, s), frm_read(x, I, s), s);
    if (aop != ALU_CMP) reg_write(x, I->rex, I->reg, s, r);
}
FAST(f_alu_a_imm) /* (op & 7) 4, 5 */
{
    unsigned aop = I->opcode >> 3, s = OSZ(I);
    uint64_t r = alu(x, aop, reg_read(x, I->rex, RAX, s), I->imm, s);
    if (aop != ALU_CMP) reg_write(x, I->rex, RAX, s, r);
}
FAST(f_alu_rm_imm) /* 80-83 */
{
    unsigned aop = (I->reg & 7), s = OSZ(I);
    uint64_t r = alu(x, aop, frm_read(x, I, s), I->imm, s);
    if (aop != ALU_CMP) frm_write(x, I, s, r);
}
FAST(f_test_rm_r) /* 84, 85 */
{
    unsigned s = OSZ(I);
    alu(x, ALU_AND, frm_read(x, I, s), reg_read(x, I->rex, I->reg, s), s);
}
FAST(f_test_a_imm) /* A8, A9 */
{
    unsigned s = OSZ(I);
    alu(x, ALU_AND, reg_read(x, I->rex, RAX, s), I->imm, s);
}
FAST(f_mov_rm_r) { unsigned s = OSZ(I); frm_write(x, I, s, reg_read(x, I->rex, I->reg, s)); } /* 88, 89 */
FAST(f_mov_r_rm) { unsigned s = OSZ(I); reg_write(x, I->rex, I->reg, s, frm_read(x, I, s)); } /* 8A, 8B */
FAST(f_mov_rm_imm) { frm_write(x, I, OSZ(I), I->imm); }                                   /* C6, C7 */
FAST(f_mov_r8_imm) { reg_write(x, I->rex, I->reg, 1, I->imm); }                                 /* B0-B7 */
FAST(f_mov_r_imm) { reg_write(x, I->rex, I->reg, I->opsize, I->imm); }                          /* B8-BF */
FAST(f_lea) { reg_write(x, I->rex, I->reg, I->opsize, fea_offset(x, I)); }                      /* 8D, mod != 3 */
FAST(f_jcc) /* 70-7F, 0F 80-8F */
{
    if (cond(x, I->opcode & 0xf))
        branch_to(x, I->opsize, x->next_rip + I->imm);
}
FAST(f_jmp) { branch_to(x, I->opsize, x->next_rip + I->imm); } /* E9, EB */
FAST(f_call) /* E8 */
{
    uint64_t ret = x->next_rip;
    branch_to(x, I->opsize, x->next_rip + I->imm); /* the target is checked before the push */
    push(x, I->opsize, ret);
}
FAST(f_ret) /* C3, C2 imm16: a non-canonical target faults with RSP unchanged */
{
    uint64_t sp0 = x->r[RSP];
    uint64_t t = pop(x, I->opsize);
    if (x->code_size == 8 && unlikely(noncanonical(t))) {
        x->r[RSP] = sp0;
        GP0();
    }
    if (I->opcode == 0xc2)
        x->r[RSP] = (x->r[RSP] & ~sp_mask(x)) | ((x->r[RSP] + (I->imm & 0xffff)) & sp_mask(x));
    branch_to(x, I->opsize, t);
}
FAST(f_push_r) { push(x, I->opsize, x->r[I->reg] & size_mask(I->opsize)); } /* 50-57 */
FAST(f_pop_r) { uint64_t v = pop(x, I->opsize); reg_write(x, I->rex, I->reg, I->opsize, v); } /* 58-5F */
FAST(f_incdec_rm) /* FE, FF /0 /1 */
{
    unsigned s = I->opcode == 0xfe ? 1 : I->opsize;
    frm_write(x, I, s, inc_dec(x, frm_read(x, I, s), s, ((I->reg & 7)) == 1));
}
FAST(f_shift) /* C0 C1 D0 D1 D2 D3 */
{
    unsigned op = I->opcode, s = OSZ(I);
    unsigned cnt = op <= 0xc1 ? (unsigned)I->imm : op <= 0xd1 ? 1 : (unsigned)x->r[RCX];
    uint64_t r = shift(x, (I->reg & 7), frm_read(x, I, s), cnt & 0xff, s);
    frm_write(x, I, s, r);
}
FAST(f_movzx) { reg_write(x, I->rex, I->reg, I->opsize, frm_read(x, I, I->opcode == 0xb6 ? 1 : 2)); }
FAST(f_movsx)
{
    unsigned s = I->opcode == 0xbe ? 1 : 2;
    reg_write(x, I->rex, I->reg, I->opsize, (uint64_t)sext(frm_read(x, I, s), s));
}
FAST(f_movsxd) { reg_write(x, I->rex, I->reg, I->opsize, (uint64_t)sext(frm_read(x, I, 4), 4)); }
FAST(f_imul_r_rm)
{
    unsigned s = I->opsize;
    reg_write(x, I->rex, I->reg, s, imul2(x, reg_read(x, I->rex, I->reg, s), frm_read(x, I, s), s));
}
FAST(f_imul_r_rm_imm)
{
    unsigned s = I->opsize;
    reg_write(x, I->rex, I->reg, s, imul2(x, frm_read(x, I, s), I->imm, s));
}
FAST(f_cmov) /* 0F 40-4F: the source is read either way */
{
    unsigned s = I->opsize;
    uint64_t v = frm_read(x, I, s);
    if (cond(x, I->opcode & 0xf))
        reg_write(x, I->rex, I->reg, s, v);
    else if (s == 4)
        reg_write(x, I->rex, I->reg, 4, reg_read(x, I->rex, I->reg, 4));
}
FAST(f_setcc) { frm_write(x, I, 1, cond(x, I->opcode & 0xf)); } /* 0F 90-9F */
FAST(f_nop) { (void)x; (void)d; }                  /* 90 without REX.B; 0F 0D, 0F 18-1F hints */
FAST(f_pause) /* F3 90 (pause_yield) */
{
    (void)d;
    pause_yield(x);
}
FAST(f_cbw) { reg_write(x, I->rex, RAX, I->opsize, (uint64_t)sext(x->r[RAX], I->opsize / 2)); } /* 98 */
FAST(f_cwd) { reg_write(x, I->rex, RDX, I->opsize, (x->r[RAX] & sign_bit(I->opsize)) ? ~0ull : 0); } /* 99 */
FAST(f_grp3) /* F6, F7 /0-/3: TEST r/m, imm; NOT; NEG */
{
    unsigned s = OSZ(I);
    switch (I->reg & 7) {
    case 0: case 1: alu(x, ALU_AND, frm_read(x, I, s), I->imm, s); return;
    case 2: frm_write(x, I, s, ~frm_read(x, I, s)); return;
    default: {
        uint64_t v = frm_read(x, I, s);
        uint64_t r = alu(x, ALU_SUB, 0, v, s);
        frm_write(x, I, s, r);
        return;
    }
    }
}
FAST(f_push_imm) { push(x, I->opsize, I->imm & size_mask(I->opsize)); } /* 68, 6A */
FAST(f_div) /* F7 /6 of 32/64 bits: DIV, as do_div (flags unchanged; #DE for a divisor of 0 or a quotient too wide) */
{
    unsigned s = I->opsize, bits = 8 * s;
    uint64_t dv = frm_read(x, I, s), m = size_mask(s);
    if (!dv)
        x86_raise(x, X86_EXC_DE, false, 0);
    unsigned __int128 n = ((unsigned __int128)(x->r[RDX] & m) << bits) | (x->r[RAX] & m);
    unsigned __int128 uq = n / dv;
    if (uq >> bits)
        x86_raise(x, X86_EXC_DE, false, 0);
    set_reg(x, RAX, s, (uint64_t)uq);
    set_reg(x, RDX, s, (uint64_t)(n % dv));
}


/* Specialisations of the commonest forms for 32- and 64-bit operands, with
 * register and memory operands apart: `flatten` inlines alu() / cond()
 * with a constant operation and size, so no switch remains. Same bodies as
 * the generic handlers above. */
#define SPEC static void __attribute__((flatten))
/* register r as an SZ-byte source (8-bit: AH..BH without REX, reg_read) */
#define RR(n, SZ) ((SZ) == 1 ? reg_read(x, I->rex, (n), 1) : x->r[n])
#define ALU_SPEC(OPN, AOP, SZ)                                                           \
    SPEC f_##OPN##SZ##_rm_r_reg(struct x86_cpu *x, const struct x86_dinsn *d)            \
    {                                                                                    \
        uint64_t r = alu(x, AOP, RR(I->rm, SZ), RR(I->reg, SZ), SZ);                         \
        if (AOP != ALU_CMP) reg_write(x, I->rex, I->rm, SZ, r);                                \
    }                                                                                    \
    SPEC f_##OPN##SZ##_rm_r_mem(struct x86_cpu *x, const struct x86_dinsn *d)            \
    {                                                                                    \
        uint64_t la = fea_linear(x, I);                                                  \
        uint64_t r = alu(x, AOP, mem_read(x, la, SZ), RR(I->reg, SZ), SZ);                 \
        if (AOP != ALU_CMP) mem_write(x, la, SZ, r & size_mask(SZ));                     \
    }                                                                                    \
    SPEC f_##OPN##SZ##_r_rm_reg(struct x86_cpu *x, const struct x86_dinsn *d)            \
    {                                                                                    \
        uint64_t r = alu(x, AOP, RR(I->reg, SZ), RR(I->rm, SZ), SZ);                         \
        if (AOP != ALU_CMP) reg_write(x, I->rex, I->reg, SZ, r);                               \
    }                                                                                    \
    SPEC f_##OPN##SZ##_r_rm_mem(struct x86_cpu *x, const struct x86_dinsn *d)            \
    {                                                                                    \
        uint64_t r = alu(x, AOP, RR(I->reg, SZ), mem_read(x, fea_linear(x, I), SZ), SZ);   \
        if (AOP != ALU_CMP) reg_write(x, I->rex, I->reg, SZ, r);                               \
    }                                                                                    \
    SPEC f_##OPN##SZ##_rm_imm_reg(struct x86_cpu *x, const struct x86_dinsn *d)          \
    {                                                                                    \
        uint64_t r = alu(x, AOP, RR(I->rm, SZ), I->imm, SZ);                               \
        if (AOP != ALU_CMP) reg_write(x, I->rex, I->rm, SZ, r);                                \
    }                                                                                    \
    SPEC f_##OPN##SZ##_rm_imm_mem(struct x86_cpu *x, const struct x86_dinsn *d)          \
    {                                                                                    \
        uint64_t la = fea_linear(x, I);                                                  \
        uint64_t r = alu(x, AOP, mem_read(x, la, SZ), I->imm, SZ);                       \
        if (AOP != ALU_CMP) mem_write(x, la, SZ, r & size_mask(SZ));                     \
    }                                                                                    \
    SPEC f_##OPN##SZ##_a_imm_reg(struct x86_cpu *x, const struct x86_dinsn *d)           \
    {                                                                                    \
        uint64_t r = alu(x, AOP, RR(RAX, SZ), I->imm, SZ);                                 \
        if (AOP != ALU_CMP) reg_write(x, I->rex, RAX, SZ, r);                                  \
    }                                                                                    \
    SPEC f_##OPN##SZ##_a_imm_mem(struct x86_cpu *x, const struct x86_dinsn *d)           \
    {                                                                                    \
        f_##OPN##SZ##_a_imm_reg(x, d); /* no memory form: table filler */                 \
    }
#define ALU_SPEC_SIZES(OPN, AOP) ALU_SPEC(OPN, AOP, 1) ALU_SPEC(OPN, AOP, 4) ALU_SPEC(OPN, AOP, 8)
ALU_SPEC_SIZES(add, ALU_ADD)
ALU_SPEC_SIZES(or, ALU_OR)
ALU_SPEC_SIZES(adc, ALU_ADC)
ALU_SPEC_SIZES(sbb, ALU_SBB)
ALU_SPEC_SIZES(and, ALU_AND)
ALU_SPEC_SIZES(sub, ALU_SUB)
ALU_SPEC_SIZES(xor, ALU_XOR)
ALU_SPEC_SIZES(cmp, ALU_CMP)
#define ALU_TABLE(SZ, FORM)                                                              \
    { f_add##SZ##_##FORM, f_or##SZ##_##FORM, f_adc##SZ##_##FORM, f_sbb##SZ##_##FORM,     \
      f_and##SZ##_##FORM, f_sub##SZ##_##FORM, f_xor##SZ##_##FORM, f_cmp##SZ##_##FORM }
#define ALU_TABLES(FORM)                                                                 \
    { { ALU_TABLE(1, FORM##_reg), ALU_TABLE(4, FORM##_reg), ALU_TABLE(8, FORM##_reg) },   \
      { ALU_TABLE(1, FORM##_mem), ALU_TABLE(4, FORM##_mem), ALU_TABLE(8, FORM##_mem) } }
/* [form: rm_r, r_rm, rm_imm, a_imm][mem][size 1 / 4 / 8][operation] */
static const x86_fast_fn alu_spec[4][2][3][8] = {
    ALU_TABLES(rm_r), ALU_TABLES(r_rm), ALU_TABLES(rm_imm), ALU_TABLES(a_imm),
};

/* Shifts and rotates of a register (C0/C1 imm8, D0/D1 by 1, D2/D3 by CL) */
#define SHIFT_SPEC(G, SZ)                                                                \
    SPEC f_shift##G##_##SZ(struct x86_cpu *x, const struct x86_dinsn *d)                 \
    {                                                                                    \
        unsigned op = I->opcode;                                                         \
        unsigned cnt = op <= 0xc1 ? (unsigned)I->imm : op <= 0xd1 ? 1 : (unsigned)x->r[RCX]; \
        uint64_t r = shift(x, G, x->r[I->rm] & size_mask(SZ), cnt & 0xff, SZ);           \
        reg_write(x, I->rex, I->rm, SZ, r);                                                    \
    }
#define SHIFT_SPEC_SIZES(G) SHIFT_SPEC(G, 4) SHIFT_SPEC(G, 8)
SHIFT_SPEC_SIZES(0) SHIFT_SPEC_SIZES(1) SHIFT_SPEC_SIZES(2) SHIFT_SPEC_SIZES(3)
SHIFT_SPEC_SIZES(4) SHIFT_SPEC_SIZES(5) SHIFT_SPEC_SIZES(6) SHIFT_SPEC_SIZES(7)
static const x86_fast_fn shift_spec[2][8] = {
    { f_shift0_4, f_shift1_4, f_shift2_4, f_shift3_4, f_shift4_4, f_shift5_4, f_shift6_4, f_shift7_4 },
    { f_shift0_8, f_shift1_8, f_shift2_8, f_shift3_8, f_shift4_8, f_shift5_8, f_shift6_8, f_shift7_8 },
};

#define TEST_SPEC(SZ)                                                                    \
    SPEC f_test##SZ##_reg(struct x86_cpu *x, const struct x86_dinsn *d)                  \
    {                                                                                    \
        alu(x, ALU_AND, RR(I->rm, SZ), RR(I->reg, SZ), SZ);                                  \
    }                                                                                    \
    SPEC f_test##SZ##_mem(struct x86_cpu *x, const struct x86_dinsn *d)                  \
    {                                                                                    \
        alu(x, ALU_AND, mem_read(x, fea_linear(x, I), SZ), RR(I->reg, SZ), SZ);            \
    }
TEST_SPEC(1)
TEST_SPEC(4)
TEST_SPEC(8)

#define MOV_SPEC(SZ)                                                                     \
    SPEC f_mov##SZ##_rr(struct x86_cpu *x, const struct x86_dinsn *d)                    \
    {                                                                                    \
        reg_write(x, I->rex, I->rm, SZ, RR(I->reg, SZ));                                         \
    }                                                                                    \
    SPEC f_mov##SZ##_store(struct x86_cpu *x, const struct x86_dinsn *d)                 \
    {                                                                                    \
        mem_write(x, fea_linear(x, I), SZ, RR(I->reg, SZ) & size_mask(SZ));                \
    }                                                                                    \
    SPEC f_mov##SZ##_load(struct x86_cpu *x, const struct x86_dinsn *d)                  \
    {                                                                                    \
        reg_write(x, I->rex, I->reg, SZ, mem_read(x, fea_linear(x, I), SZ));                   \
    }                                                                                    \
    SPEC f_mov##SZ##_rr_r(struct x86_cpu *x, const struct x86_dinsn *d)                  \
    {                                                                                    \
        reg_write(x, I->rex, I->reg, SZ, RR(I->rm, SZ));                                         \
    }
MOV_SPEC(1)
MOV_SPEC(4)
MOV_SPEC(8)

#define NEG_SPEC(SZ) /* F7 /3 of a register */                                        \
    SPEC f_neg##SZ##_reg(struct x86_cpu *x, const struct x86_dinsn *d)                   \
    {                                                                                    \
        reg_write(x, I->rex, I->rm, SZ, alu(x, ALU_SUB, 0, x->r[I->rm], SZ));            \
    }
NEG_SPEC(4)
NEG_SPEC(8)

/* MOVZX to a 32- or 64-bit register: either way the whole register gets
 * the zero-extended value */
#define MOVZX_SPEC(SS)                                                                   \
    SPEC f_movzx##SS##_reg(struct x86_cpu *x, const struct x86_dinsn *d)                 \
    {                                                                                    \
        x->r[I->reg] = reg_read(x, I->rex, I->rm, SS);                                   \
    }                                                                                    \
    SPEC f_movzx##SS##_mem(struct x86_cpu *x, const struct x86_dinsn *d)                 \
    {                                                                                    \
        x->r[I->reg] = mem_read(x, fea_linear(x, I), SS);                                \
    }
MOVZX_SPEC(1)
MOVZX_SPEC(2)

#define JCC_SPEC(CC)                                                                     \
    SPEC f_jcc_##CC(struct x86_cpu *x, const struct x86_dinsn *d)                        \
    {                                                                                    \
        if (cond(x, CC))                                                                 \
            branch_to(x, I->opsize, x->next_rip + I->imm);                                           \
    }
JCC_SPEC(0) JCC_SPEC(1) JCC_SPEC(2) JCC_SPEC(3) JCC_SPEC(4) JCC_SPEC(5) JCC_SPEC(6) JCC_SPEC(7)
JCC_SPEC(8) JCC_SPEC(9) JCC_SPEC(10) JCC_SPEC(11) JCC_SPEC(12) JCC_SPEC(13) JCC_SPEC(14) JCC_SPEC(15)
static const x86_fast_fn jcc_spec[16] = {
    f_jcc_0, f_jcc_1, f_jcc_2, f_jcc_3, f_jcc_4, f_jcc_5, f_jcc_6, f_jcc_7,
    f_jcc_8, f_jcc_9, f_jcc_10, f_jcc_11, f_jcc_12, f_jcc_13, f_jcc_14, f_jcc_15,
};

/* Twins without flags for the blocks of the fast engine (block.c): when
 * the next instruction of the same block overwrites all six arithmetic
 * flags without reading them and cannot fault or take a slow path
 * (x86_fast_writes_flags), nothing can observe this instruction's flags —
 * no exception, interrupt, trace record or budget stop comes between two
 * instructions of a block that has started — so its register forms skip
 * computing them (the result is that of the handler with flags: reg_write
 * masks it to the size). CMP and TEST with dead flags do nothing. */
#define NF_ALU(OPN, OPX, SZ)                                                             \
    SPEC f_##OPN##SZ##_nf_rm_r(struct x86_cpu *x, const struct x86_dinsn *d)             \
    {                                                                                    \
        reg_write(x, I->rex, I->rm, SZ, RR(I->rm, SZ) OPX RR(I->reg, SZ));               \
    }                                                                                    \
    SPEC f_##OPN##SZ##_nf_r_rm(struct x86_cpu *x, const struct x86_dinsn *d)             \
    {                                                                                    \
        reg_write(x, I->rex, I->reg, SZ, RR(I->reg, SZ) OPX RR(I->rm, SZ));              \
    }                                                                                    \
    SPEC f_##OPN##SZ##_nf_rm_imm(struct x86_cpu *x, const struct x86_dinsn *d)           \
    {                                                                                    \
        reg_write(x, I->rex, I->rm, SZ, RR(I->rm, SZ) OPX I->imm);                       \
    }                                                                                    \
    SPEC f_##OPN##SZ##_nf_a_imm(struct x86_cpu *x, const struct x86_dinsn *d)            \
    {                                                                                    \
        reg_write(x, I->rex, RAX, SZ, RR(RAX, SZ) OPX I->imm);                           \
    }
#define NF_ALU_SIZES(OPN, OPX) NF_ALU(OPN, OPX, 1) NF_ALU(OPN, OPX, 4) NF_ALU(OPN, OPX, 8)
NF_ALU_SIZES(add, +)
NF_ALU_SIZES(or, |)
NF_ALU_SIZES(and, &)
NF_ALU_SIZES(sub, -)
NF_ALU_SIZES(xor, ^)
#define NF_TABLE(SZ, FORM)                                                               \
    { f_add##SZ##_nf_##FORM, f_or##SZ##_nf_##FORM, NULL, NULL, f_and##SZ##_nf_##FORM,    \
      f_sub##SZ##_nf_##FORM, f_xor##SZ##_nf_##FORM, f_nop }
#define NF_TABLES(FORM) { NF_TABLE(1, FORM), NF_TABLE(4, FORM), NF_TABLE(8, FORM) }
/* [form: rm_r, r_rm, rm_imm, a_imm][size 1 / 4 / 8][operation]; ADC, SBB
 * (which read CF): none */
static const x86_fast_fn alu_nf[4][3][8] = {
    NF_TABLES(rm_r), NF_TABLES(r_rm), NF_TABLES(rm_imm), NF_TABLES(a_imm),
};
#define NF_NEG(SZ)                                                                       \
    SPEC f_neg##SZ##_nf(struct x86_cpu *x, const struct x86_dinsn *d)                    \
    {                                                                                    \
        reg_write(x, I->rex, I->rm, SZ, 0 - x->r[I->rm]);                                \
    }
NF_NEG(4)
NF_NEG(8)
/* SHL/SAL (G 4, 6), SHR (5), SAR (7) of a 32/64-bit register: the count
 * masked as shift() does; a count of 0 still writes the register (the
 * zero extension of a 32-bit one) */
#define NF_SHIFT(G, SZ)                                                                  \
    SPEC f_shift##G##_##SZ##_nf(struct x86_cpu *x, const struct x86_dinsn *d)            \
    {                                                                                    \
        unsigned op = I->opcode;                                                         \
        unsigned cnt = (op <= 0xc1 ? (unsigned)I->imm : op <= 0xd1 ? 1 : (unsigned)x->r[RCX]) & \
                       ((SZ) == 8 ? 63 : 31);                                            \
        uint64_t a = x->r[I->rm] & size_mask(SZ), r;                                     \
        if ((G) == 5) r = a >> cnt;                                                      \
        else if ((G) == 7) r = (uint64_t)(sext(a, SZ) >> cnt);                           \
        else r = a << cnt;                                                               \
        reg_write(x, I->rex, I->rm, SZ, r);                                              \
    }
NF_SHIFT(4, 4) NF_SHIFT(5, 4) NF_SHIFT(6, 4) NF_SHIFT(7, 4)
NF_SHIFT(4, 8) NF_SHIFT(5, 8) NF_SHIFT(6, 8) NF_SHIFT(7, 8)
static const x86_fast_fn shift_nf[2][4] = {
    { f_shift4_4_nf, f_shift5_4_nf, f_shift6_4_nf, f_shift7_4_nf },
    { f_shift4_8_nf, f_shift5_8_nf, f_shift6_8_nf, f_shift7_8_nf },
};

x86_fast_fn x86_fast_noflags(const struct x86_insn *in)
{
    uint8_t op = in->opcode;
    if (in->map != X86_MAP_1 || in->opsize == 2 || in->prefixes & X86_PFX_LOCK)
        return NULL;
    unsigned sz = in->opsize == 1 ? 0 : in->opsize == 8 ? 2 : 1, r = in->modrm >> 3 & 7;
    bool reg = in->mod == 3;
    if (op < 0x40 && (op & 7) < 4)
        return reg ? alu_nf[(op & 7) <= 1 ? 0 : 1][sz][op >> 3] : NULL;
    if (op < 0x40 && (op & 7) <= 5)
        return alu_nf[3][sz][op >> 3];
    switch (op) {
    case 0x80: case 0x81: case 0x83: return reg ? alu_nf[2][sz][r] : NULL;
    case 0x84: case 0x85: return reg ? f_nop : NULL;
    case 0xf7: return reg && r == 3 ? (sz == 2 ? f_neg8_nf : f_neg4_nf) : NULL;
    case 0xc1: case 0xd1: case 0xd3:
        return reg && r >= 4 && sz ? shift_nf[sz == 2][r - 4] : NULL;
    default: return NULL;
    }
}

bool x86_fast_flags_pass(const struct x86_insn *in)
{
    uint8_t op = in->opcode;
    if (in->prefixes & X86_PFX_LOCK)
        return false;
    bool reg = in->mod == 3;
    if (in->map == X86_MAP_0F) /* MOVZX, MOVSX of registers */
        return reg && (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf);
    if (in->map != X86_MAP_1)
        return false;
    if (op >= 0xb0 && op <= 0xbf) /* MOV r, imm */
        return true;
    switch (op) {
    case 0x88: case 0x89: case 0x8a: case 0x8b: case 0xc6: case 0xc7: case 0x63: return reg;
    case 0x8d: return !reg; /* LEA: no memory access */
    default: return false;
    }
}

bool x86_fast_writes_flags(const struct x86_insn *in)
{
    uint8_t op = in->opcode;
    if (in->map != X86_MAP_1 || in->prefixes & X86_PFX_LOCK)
        return false;
    unsigned r = in->modrm >> 3 & 7;
    bool reg = in->mod == 3;
    if (op < 0x40 && (op & 7) < 6) /* ADD OR AND SUB XOR CMP (not ADC, SBB) */
        return ((op & 7) >= 4 || reg) && (op >> 3) != ALU_ADC && (op >> 3) != ALU_SBB;
    switch (op) {
    case 0x80: case 0x81: case 0x83: return reg && r != ALU_ADC && r != ALU_SBB;
    case 0x84: case 0x85: return reg;
    case 0xf7: return reg && r == 3;
    case 0xc1: case 0xd1: /* SHL SHR SAL SAR of 32/64 bits by a count other than 0 */
        return reg && r >= 4 && in->opsize >= 4 &&
               ((op == 0xd1 ? 1 : in->imm) & (in->opsize == 8 ? 63 : 31)) != 0;
    default: return false;
    }
}
#undef RR
#undef SPEC

/* The specialised handler of in, or NULL. */
static x86_fast_fn fast_spec(const struct x86_insn *in)
{
    uint8_t op = in->opcode;
    bool mem = in->mod != 3;
    if (in->map == X86_MAP_0F) {
        if (op >= 0x80 && op <= 0x8f)
            return jcc_spec[op & 0xf];
        if ((op == 0xb6 || op == 0xb7) && (in->opsize == 4 || in->opsize == 8))
            return op == 0xb6 ? (mem ? f_movzx1_mem : f_movzx1_reg) : (mem ? f_movzx2_mem : f_movzx2_reg);
        return NULL;
    }
    if (in->map != X86_MAP_1)
        return NULL; /* 0F38 / 0F3A: exec_one */
    if (op >= 0x70 && op <= 0x7f)
        return jcc_spec[op & 0xf];
    if (in->opsize == 2)
        return NULL; /* 16-bit operands (66): the generic handlers */
    unsigned sz = in->opsize == 1 ? 0 : in->opsize == 8 ? 2 : 1; /* byte forms: opsize 1 */
    if (op < 0x40 && (op & 7) < 4)
        return alu_spec[(op & 7) <= 1 ? 0 : 1][mem][sz][op >> 3];
    if (op < 0x40 && (op & 7) <= 5)
        return alu_spec[3][0][sz][op >> 3];
    switch (op) {
    case 0xc1: case 0xd1: case 0xd3: return mem ? NULL : shift_spec[sz == 2][in->modrm >> 3 & 7];
    case 0x80: case 0x81: case 0x83: return alu_spec[2][mem][sz][in->modrm >> 3 & 7];
    case 0xf7:
        if (!mem && (in->modrm >> 3 & 7) == 3)
            return sz == 2 ? f_neg8_reg : f_neg4_reg;
        return NULL;
    case 0x84: case 0x85: {
        static const x86_fast_fn t[2][3] = { { f_test1_reg, f_test4_reg, f_test8_reg },
                                              { f_test1_mem, f_test4_mem, f_test8_mem } };
        return t[mem][sz];
    }
    case 0x88: case 0x89: {
        static const x86_fast_fn t[2][3] = { { f_mov1_rr, f_mov4_rr, f_mov8_rr },
                                              { f_mov1_store, f_mov4_store, f_mov8_store } };
        return t[mem][sz];
    }
    case 0x8a: case 0x8b: {
        static const x86_fast_fn t[2][3] = { { f_mov1_rr_r, f_mov4_rr_r, f_mov8_rr_r },
                                              { f_mov1_load, f_mov4_load, f_mov8_load } };
        return t[mem][sz];
    }
    default: return NULL;
    }
}

#undef OSZ
#undef I
#undef FAST

/* The fast handler of a decoded instruction (icache.c asks at decode
 * time), or NULL for exec_one. */
x86_fast_fn x86_fast_select(const struct x86_insn *in)
{
    uint8_t op = in->opcode;
    x86_fast_fn f = fast_spec(in);
    if (f)
        return f;
    if (in->map == X86_MAP_0F) {
        /* the prefixes F2/F3 (BND Jcc, ENDBR, ...) change none of these */
        if (op >= 0x80 && op <= 0x8f) return f_jcc;
        if (op >= 0x40 && op <= 0x4f) return f_cmov;
        if (op >= 0x90 && op <= 0x9f) return f_setcc;
        switch (op) {
        case 0xb6: case 0xb7: return f_movzx;
        case 0xbe: case 0xbf: return f_movsx;
        case 0xaf: return f_imul_r_rm;
        case 0x0d: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d:
        case 0x1e: case 0x1f: return f_nop;
        default: return NULL;
        }
    }
    if (in->map != X86_MAP_1)
        return NULL;
    if (op < 0x40 && (op & 7) < 6) {
        switch (op & 7) {
        case 0: case 1: return f_alu_rm_r;
        case 2: case 3: return f_alu_r_rm;
        default: return f_alu_a_imm;
        }
    }
    if (op >= 0x50 && op <= 0x57) return f_push_r;
    if (op >= 0x58 && op <= 0x5f) return f_pop_r;
    if (op >= 0x70 && op <= 0x7f) return f_jcc;
    if (op >= 0xb0 && op <= 0xb7) return f_mov_r8_imm;
    if (op >= 0xb8 && op <= 0xbf) return f_mov_r_imm;
    switch (op) {
    case 0x63: return in->code_size == 8 ? f_movsxd : NULL;
    case 0x68: case 0x6a: return f_push_imm;
    case 0x69: case 0x6b: return f_imul_r_rm_imm;
    case 0x98: return f_cbw;
    case 0x99: return f_cwd;
    case 0x80: case 0x81: case 0x82: case 0x83: return f_alu_rm_imm;
    case 0x84: case 0x85: return f_test_rm_r;
    case 0x88: case 0x89: return f_mov_rm_r;
    case 0x8a: case 0x8b: return f_mov_r_rm;
    case 0x8d: return in->mod != 3 ? f_lea : NULL;
    case 0x90: return (in->rex & 1) ? NULL : (in->prefixes & X86_PFX_REP) ? f_pause : f_nop;
    case 0xa8: case 0xa9: return f_test_a_imm;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: return f_shift;
    case 0xc2: case 0xc3: return f_ret;
    case 0xc6: case 0xc7: return f_mov_rm_imm;
    case 0xe8: return f_call;
    case 0xe9: case 0xeb: return f_jmp;
    case 0xf6: case 0xf7:
        if (op == 0xf7 && (in->modrm >> 3 & 7) == 6 && in->opsize >= 4)
            return f_div;
        return (in->modrm >> 3 & 7) <= 3 ? f_grp3 : NULL;
    case 0xfe: case 0xff: {
        unsigned r = in->modrm >> 3 & 7;
        return r <= 1 ? f_incdec_rm : NULL;
    }
    default: return NULL;
    }
}

static void step_slow(struct x86_cpu *x, uint64_t la);

/* One instruction: from its predecoded slot when there is one, else
 * through the fetch and decode of step_slow. */
static inline __attribute__((always_inline)) void step(struct x86_cpu *x)
{
    uint64_t la = x->code_size == 8 ? x->rip : (x->seg[X86_CS].base + x->rip) & 0xffffffffull;
    if (x->code_size == 8 && noncanonical(la))
        GP0();
    const struct x86_dpage *p;
    const struct x86_dinsn *d = x86_icache_get(x, la, &p);
    if (likely(d)) {
        /* predecoded (icache.c): what the slow path below would have
         * fetched and decoded, without the fetch and the decode */
        x86_fetch_limit(x, x->rip + d->len - 1); /* CS limit outside 64-bit mode */
        x->insn_raw = p->raw[d - p->d];
        x->next_rip = x->rip + d->len;
        if (x->code_size != 8)
            x->next_rip &= x->code_size == 2 ? 0xffff : 0xffffffffull;
        if (d->fast && !(x->rflags & FL_TF)) { /* TF: exec_one single-steps */
            d->fast(x, d);
        } else {
            x->in = p->full[d - p->d];
            exec_one(x, d);
        }
        x->rip = x->next_rip;
        return;
    }
    step_slow(x, la);
}

static void __attribute__((noinline)) step_slow(struct x86_cpu *x, uint64_t la)
{
    if (x->insn_raw) {
        /* the last instruction's bytes, where the fetch below would find
         * them (a fetch fault leaves them for trace events) */
        memcpy(x->insn_bytes, x->insn_raw, sizeof x->insn_bytes);
        x->insn_len = x->insn_raw[15]; /* icache.h: the length in byte 15 */
        x->insn_raw = NULL;
    }
    x86_fetch_limit(x, x->rip); /* CS limit: the first byte before the fetch, */
    unsigned got = x86_fetch(x, la, x->insn_bytes, 15);
    int len = x86_decode(x->insn_bytes, got, x->code_size, &x->in);
    if (len == X86_DEC_TRUNCATED && got < 15) {
        /* the instruction continues on the next page */
        got += x86_fetch(x, la + got, x->insn_bytes + got, 15 - got);
        len = x86_decode(x->insn_bytes, got, x->code_size, &x->in);
    }
    if (len == X86_DEC_TOO_LONG)
        GP0();
    if (len <= 0)
        UD();
    x86_fetch_limit(x, x->rip + (unsigned)len - 1); /* the last once decoded */
    x->insn_len = (uint8_t)len;
    x->next_rip = x->rip + (unsigned)len;
    if (x->code_size != 8)
        x->next_rip &= x->code_size == 2 ? 0xffff : 0xffffffffull;
    if ((x->in.prefixes & X86_PFX_LOCK) && !((x->in.flags & X86_I_LOCKABLE) && x->in.mod != 3))
        UD();
    struct x86_dinsn d;
    x86_dinsn_init(&d, &x->in);
    exec_one(x, &d);
    x->rip = x->next_rip;
}

/* The 64-bit code page of the last instruction when a fast handler ran
 * it: fast handlers change nothing the fetch depends on (CPL, CR4,
 * RFLAGS.AC and .TF, code size, CS, A20) but the TLB entry (a data access
 * may refill it) and the page's slots (a store may reset them), so the
 * next instruction on that page needs only those two checks. */
struct code_page {
    uint64_t page;                  /* linear page number; ~0: none */
    uint64_t tag;                   /* the fetch TLB tag it was found with */
    const struct x86_tlb_entry *t;  /* that TLB entry */
    const struct x86_dpage *p;      /* its predecoded page */
};

/* One instruction not on the current code page, or without a fast
 * handler: *cp becomes its page when a fast handler runs it in 64-bit
 * mode (returns its slot), else none (NULL). */
static const struct x86_dinsn *__attribute__((noinline)) step_other(struct x86_cpu *x,
                                                                   struct code_page *cp)
{
    uint64_t rip = x->rip;
    cp->page = ~0ull;
    if (x->code_size == 8 && !noncanonical(rip) && !(x->rflags & FL_TF)) {
        const struct x86_dpage *p;
        const struct x86_dinsn *d = x86_icache_get(x, rip, &p);
        if (d && d->fast) {
            x->insn_raw = p->raw[d - p->d];
            x->next_rip = rip + d->len;
            cp->page = rip >> 12;
            cp->t = X86_TLB_AT(x, rip);
            cp->tag = cp->t->tag_x;
            cp->p = p;
            d->fast(x, d);
            x->rip = x->next_rip;
            return d;
        }
    }
    step(x);
    return NULL;
}

/* One instruction while a debug-register breakpoint is enabled or RF is
 * set (debug.c): the instruction-breakpoint check, RF cleared at the start
 * of the instruction, then fetch, decode and exec_one (no fast handler:
 * they do not look at breakpoints), then the #DB of the data breakpoints
 * it hit (SDM vol. 3A §17.3.1). Takes its tick first, as run_straight. */
static void __attribute__((noinline)) step_debug(struct x86_cpu *x)
{
    x->insn_left--;
    uint64_t la = x->code_size == 8 ? x->rip : (x->seg[X86_CS].base + x->rip) & 0xffffffffull;
    x86_dbg_insn_check(x, la);
    x->rflags &= ~(uint64_t)FL_RF;
    if (!x->dbg_ss_held)
        x->dbg_hits = 0;
    x->dbg_ss_held = false;
    if (x->code_size == 8 && noncanonical(la))
        GP0();
    step_slow(x, la);
    if (loads_ss(&x->in)) { /* its data breakpoints: after the next instruction (§6.8.3) */
        x->dbg_ss_held = true;
        return;
    }
    x86_dbg_data_trap(x);
}

/* One instruction with RF set and no debug register enabled (between the
 * iterations of a REP string instruction, rep_end): step_debug's steps
 * without a breakpoint to check — RF cleared at the start of the
 * instruction — through the predecoded cache (step) instead of a fetch
 * and decode per iteration. */
static void __attribute__((noinline)) step_rf(struct x86_cpu *x)
{
    x->insn_left--;
    x->rflags &= ~(uint64_t)FL_RF;
    x->dbg_hits = 0;
    step(x);
}

/* This instruction and the following ones while nothing in the loop below
 * has work (the same checks in the same order). Each takes its tick
 * before it runs. A function of its own: out of reach of x86_run's setjmp,
 * the compiler keeps x in a register; the loop body is the same-page case
 * only (step_other does the rest), so its values stay in registers. */
static void __attribute__((noinline)) run_straight(struct x86_cpu *x)
{
    const struct cpu *c = &x->cpu;
    struct code_page cp = { .page = ~0ull };
    const struct x86_dinsn *d = NULL; /* the slot run last (on cp.p while cp.page is valid) */
    do {
        x->insn_left--;
        uint64_t rip = x->rip;
        if (likely((rip >> 12) == cp.page && cp.t->tag_x == cp.tag && cp.t->dpage == cp.p)) {
            /* slots are in decode order: after an instruction that did not
             * branch, the next slot is usually the next instruction (its
             * offset says; a reset page has n = 0), which spares the index
             * load on the way to the handler */
            const struct x86_dinsn *n = d + 1;
            if (unlikely(n - cp.p->d >= cp.p->n || n->off != (rip & 0xfff))) {
                unsigned i = cp.p->idx[rip & 0xfff];
                n = i - 1u < X86_DPAGE_SLOTS ? &cp.p->d[i - 1] : NULL;
            }
            if (likely(n && n->fast)) {
                d = n;
                x->insn_raw = cp.p->raw[n - cp.p->d];
                x->next_rip = rip + n->len;
                n->fast(x, n);
                x->rip = x->next_rip;
                continue;
            }
        }
        d = step_other(x, &cp);
    } while (likely(x->insn_left && !x->attn && !c->nbps && c->state == CPU_RUNNING));
}

/* The fast engine's run_straight: a whole block (block.c) at a time when
 * the budget covers it, with the loop's checks (budget, interrupts,
 * breakpoints, run state) once per block. Inside a block the checks
 * cannot change: the instructions are fast-handler ones, which change
 * nothing the checks or the fetch depend on except through their slow
 * memory paths (MMIO raising an interrupt or ending the run, a store into
 * a code page resetting it, a TLB refill evicting the code page's entry);
 * those set blk_exit and the block ends after that instruction, so the
 * next one comes back through the checks exactly as in run_straight.
 * Where the block does not fit the budget, or the instruction is not a
 * block start (no fast handler, not 64-bit mode, TF set, not predecoded),
 * one instruction runs through step() as in run_straight. */
static void __attribute__((noinline)) run_blocks(struct x86_cpu *x)
{
    const struct cpu *c = &x->cpu;
    for (;;) {
        uint64_t rip = x->rip;
        const struct x86_tlb_entry *t = X86_TLB_AT(x, rip);
        struct x86_dpage *p = t->dpage;
        /* (a non-canonical rip matches no fetch tag). attn or a debugger
         * breakpoint when called (x86_run has looked at them for this
         * instruction only; take_interrupt sets attn again after an
         * interrupt shadow): this one instruction, then the checks. */
        if (unlikely(x->code_size != 8 || t->tag_x != x86_fetch_tag(x, rip) || !p || p->code_size != 8 ||
                     (x->rflags & FL_TF) || x->attn || c->nbps))
            goto one;
        /* compiled blocks (jit.c): their inline accesses are mem_read /
         * mem_write's fast path, which these keep off (watchpoints, data
         * breakpoints, #AC), with this run's data TLB tag bits */
        bool jit_ok = !x->cpu.nwps && !x->dbg_data && x->stack_size == 8 &&
                      !(x->cpl == 3 && (x->cr0 & CR0_AM) && (x->rflags & FL_AC));
        x->jit_dtag = (uint64_t)mem_class(x) << 1 | 1 | x->tlb_tag;
        x->jit_ftag = x86_fetch_tag(x, 0);
        x->jit_txor = x->tlb_xor * (uint32_t)sizeof(struct x86_tlb_entry);
        /* Blocks on this page one after the other while none takes a slow
         * path: then the TLB entry, the page's slots, the interrupt inputs,
         * the run state and the fetch's inputs are what they were at the
         * checks above, and only the budget can have run out. */
        for (uint64_t page = rip >> 12;;) {
            unsigned k = p->idx[rip & 0xfff] - 1u;
            if (unlikely(k >= X86_DPAGE_SLOTS)) {
                /* not decoded yet: decode it (what step() would do first;
                 * it may restart a full page), then it starts a block */
                const struct x86_dpage *q;
                const struct x86_dinsn *d0 = x86_icache_fill(x, rip, &q);
                if (!d0 || q != p)
                    goto one;
                k = (unsigned)(d0 - p->d);
            }
            unsigned n = p->blen[k];
            if (unlikely(!n) && !(n = x86_block_build(x, p, k, rip)))
                goto one;
            if (unlikely(x->insn_left < n))
                goto one; /* the budget ends inside: one at a time */
            if (jit_ok && p->jit[k] != X86_JIT_NONE) {
                x86_jit_fn fn = x86_jit_code(x, p, k, n, rip);
                if (fn) {
                    x->blk_exit = false;
                    uint64_t r = fn(x, rip);
                    rip = x->rip;
                    if (r == X86_JIT_MISS)
                        goto one; /* the interpreter runs it, then the checks */
                    if (r == X86_JIT_CHECK)
                        goto check;
                    if (r != X86_JIT_DONE && (rip >> 12) == page) {
                        /* an exit to this page not linked yet: link it to
                         * the target's code (the next iteration runs it) */
                        unsigned k2 = p->idx[rip & 0xfff] - 1u, n2;
                        if (k2 < X86_DPAGE_SLOTS && ((n2 = p->blen[k2]) || (n2 = x86_block_build(x, p, k2, rip))))
                            x86_jit_link(x, r, p, k2, n2, rip);
                    }
                    if (unlikely(!x->insn_left))
                        return;
                    if ((rip >> 12) != page)
                        break;
                    continue;
                }
            }
            const struct x86_dinsn *d = &p->d[k], *last = d + n - 1;
            const uint8_t *raw = p->raw[k];
            const x86_fast_fn *fn = &p->bfn[k]; /* block.c: perhaps without flags */
            x->blk_exit = false;
            for (;;) {
                x->insn_left--;
                x->insn_raw = raw;
                x->next_rip = rip + d->len;
                if (d == last) {
                    d->fast(x, d); /* the last: always with its flags */
                    rip = x->next_rip;
                    x->rip = rip;
                    break;
                }
                (*fn)(x, d);
                rip = x->next_rip;
                x->rip = rip;
                if (unlikely(x->blk_exit))
                    break;
                d++;
                fn++;
                raw += sizeof p->raw[0];
            }
            if (unlikely(x->blk_exit))
                goto check;
            if (unlikely(!x->insn_left))
                return;
            if ((rip >> 12) != page)
                break;
        }
        continue; /* another page: the full lookup */
    one:
        x->insn_left--;
        step(x);
    check:
        if (unlikely(!x->insn_left || x->attn || c->nbps || c->state != CPU_RUNNING))
            return;
    }
}

uint64_t x86_run(struct cpu *c, uint64_t budget)
{
    struct x86_cpu *x = X86(c);
    bool fast = !x->m->interp_only; /* --engine (struct machine) */
    x->insn_left = budget;
    c->run_left = &x->insn_left;
    x->in_run = true;
    /* The instruction's tick is taken before it runs (as the RISC-V loop
     * does): HLT, or a device asking the machine to exit, ends the run
     * through cpu_end_run(), which zeroes insn_left and takes what was left
     * off c->run_budget; counting after the instruction would wrap
     * insn_left and report budget + 1 retired. */
    volatile bool counted = false;
    if (setjmp(x->fault_jb)) {
        /* an exception was delivered (or a triple fault stopped the CPU):
         * the faulting attempt took one tick */
        if (!counted && x->insn_left)
            x->insn_left--;
        counted = false;
    }
    if (unlikely(x->mwait_sleep) && c->state == CPU_RUNNING)
        x86_mwait_resume(x); /* woken from MWAIT (monitor.c) */
    while (x->insn_left && c->state == CPU_RUNNING) {
        if (unlikely(x->attn)) {
            x->attn = false;
            if (take_interrupt(x)) {
                /* the delivery took this tick (unless something during it
                 * ended the run: then insn_left is already 0) */
                if (x->insn_left)
                    x->insn_left--;
                continue;
            }
        }
        if (unlikely(c->nbps) && cpu_bp_at(c, x->rip, false) &&
            cpu_guest_match(c)) {
            /* a debugger breakpoint, optionally only in one VMX guest
             * (`monitor guest ID`, ID = the current-VMCS pointer while in
             * non-root operation: cpu_ops.guest_id; `monitor guest vpid N`:
             * cpu_ops.guest_tag) */
            if (c->bp_skip_pc == x->rip) {
                c->bp_skip_pc = UINT64_MAX; /* resuming from it: run it once */
            } else {
                c->bp_hit = true;
                break;
            }
        }
        counted = true;
        if (unlikely(x->dbg_insn || x->dbg_data || x->dbg_io))
            step_debug(x);
        else if (unlikely(x->rflags & FL_RF))
            step_rf(x);
        else if (fast)
            run_blocks(x);
        else
            run_straight(x);
        counted = false;
    }
    x->in_run = false;
    c->run_left = NULL;
    return c->run_budget - x->insn_left;
}
