/* The predecoded instruction cache of the x86 interpreter (icache.c,
 * docs/x86.md "Performance"): decoded instructions per physical 4 KiB page
 * of RAM, found through the fetch TLB entry of the instruction's linear
 * page (struct x86_tlb_entry.dpage). */
#ifndef HVSIM_X86_ICACHE_H
#define HVSIM_X86_ICACHE_H
#include "x86_cpu.h"

struct mem_region;
struct x86_dinsn;

/* A fast handler (fastpath in exec.c) runs a predecoded instruction whose
 * whole semantics it implements; NULL: the interpreter's exec_one. */
typedef void (*x86_fast_fn)(struct x86_cpu *x, const struct x86_dinsn *d);

/* The hot part of a slot, 32 bytes: what the loop and the fast handlers
 * read (fields as in struct x86_insn; for group opcodes reg & 7 is
 * ModRM.reg). The full decode is the page's full[] at the same index. */
struct x86_dinsn {
    x86_fast_fn fast;         /* NULL: exec_one with full[] */
    uint64_t imm;
    int32_t disp;             /* fast handlers only: fits (ModRM displacements) */
    uint8_t len, opcode, opsize, addrsize;
    uint8_t reg, rm, base, index;
    uint8_t rex, seg;
    uint16_t off : 12;        /* its page offset (run_straight: the next slot) */
    uint16_t mod : 2, scale : 2;
};

#define X86_DPAGE_SLOTS 1024  /* decoded instructions a page holds before it restarts */
#define X86_DSLOT_SLOW 0xffff /* idx: this offset always takes the slow path */

struct x86_dpage {
    struct x86_dinsn d[X86_DPAGE_SLOTS] __attribute__((aligned(64))); /* on cache lines */
    struct x86_insn full[X86_DPAGE_SLOTS]; /* the decoder's results */
    uint8_t raw[X86_DPAGE_SLOTS][16];      /* their bytes (cpu_ops.insn_bytes), zero-padded,
                                              and in byte 15 their length (x86_cpu.insn_raw) */
    uint16_t idx[4096];       /* page offset -> slot + 1; 0 = not decoded */
    uint8_t blen[X86_DPAGE_SLOTS]; /* instructions of the block starting at
                                      the slot, 0: not known yet (block.c) */
    x86_fast_fn bfn[X86_DPAGE_SLOTS]; /* the handler a block runs the slot with
                                         when it is not the block's last: d[].fast
                                         or its twin without flags (block.c) */
    uint16_t jit[X86_DPAGE_SLOTS]; /* jit.c: the compiled code of the block
                                      starting at the slot (index, start count or
                                      none), 0: not known yet */
    uint16_t n;               /* slots in use */
    uint8_t code_size;        /* the code size the slots were decoded for (0: none) */
};

/* The TLB tag a fetch at la checks (mmu.c tlb_get: page << 3 | class << 1 | 1
 * | the translation context). */
static inline uint64_t x86_fetch_tag(const struct x86_cpu *x, uint64_t la)
{
    unsigned cls = x->cpl == 3 ? 1 : ((x->cr4 & CR4_SMAP) && (x->rflags & FL_AC)) ? 2 : 0;
    return (la >> 12) << 3 | cls << 1 | 1 | x->tlb_tag;
}

struct x86_dinsn *x86_icache_fill(struct x86_cpu *x, uint64_t la, const struct x86_dpage **page);

/* The predecoded instruction at linear address la (*page: its page), or
 * NULL when it must take the slow path (fetch TLB miss, not RAM, crosses a
 * page, undecodable, invalid LOCK). Never faults. */
static inline const struct x86_dinsn *x86_icache_get(struct x86_cpu *x, uint64_t la,
                                                     const struct x86_dpage **page)
{
    const struct x86_tlb_entry *t = X86_TLB_AT(x, la);
    const struct x86_dpage *p = t->dpage;
    if (__builtin_expect(t->tag_x == x86_fetch_tag(x, la) && p && p->code_size == x->code_size, 1)) {
        unsigned i = p->idx[la & 0xfff];
        if (__builtin_expect(i - 1u < X86_DPAGE_SLOTS, 1)) {
            *page = p;
            return &p->d[i - 1];
        }
    }
    return x86_icache_fill(x, la, page);
}

/* exec.c: the fast handler for a decoded instruction, or NULL. */
x86_fast_fn x86_fast_select(const struct x86_insn *in);

/* exec.c, for block.c: the twin of in's fast handler that computes no
 * flags (NULL: none), and whether in writes all six arithmetic flags
 * without reading them, from registers only (never faults, no slow path). */
x86_fast_fn x86_fast_noflags(const struct x86_insn *in);
bool x86_fast_writes_flags(const struct x86_insn *in);
/* exec.c, for block.c: in neither reads nor writes the arithmetic flags and
 * never faults (MOV, MOVZX/MOVSX/MOVSXD of registers, MOV r, imm, LEA). */
bool x86_fast_flags_pass(const struct x86_insn *in);

/* The slot of a decoded instruction, with its fast handler (or NULL).
 * The interpreter runs the instructions that have one through it whether
 * they come from a predecoded page or from the slow path's fetch and
 * decode: the handler is their only implementation. */
void x86_dinsn_init(struct x86_dinsn *d, const struct x86_insn *in);

/* bus.code_invalidate: a store hit a code page (any CPU, a device, the
 * debugger, a host-side load). */
void x86_code_invalidate(void *opaque, struct mem_region *r, uint64_t page_index);

/* mmu.c: no CPU keeps a fast store mapping of physical page pa_page. */
void x86_tlb_drop_writes(struct machine *m, uint64_t pa_page);

#endif
