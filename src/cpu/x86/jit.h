/* Compiled blocks of the x86 core (jit.c): host x86-64 code for the blocks
 * of the predecoded cache (block.c; docs/architecture.md "Blocks and
 * compiled code", docs/x86.md "Performance" item 4g). */
#ifndef HVSIM_X86_JIT_H
#define HVSIM_X86_JIT_H
#include <stdint.h>
#include "icache.h"

/* Runs the block that starts at linear address rip (64-bit mode) and the
 * blocks chained to it. Each block takes its length off x->insn_left when
 * it starts (a block the budget does not cover returns at once, x->rip at
 * it, for the interpreter) and leaves x->rip at the next instruction.
 * Returns X86_JIT_DONE; X86_JIT_MISS when the instruction at x->rip must be
 * run by the interpreter (a TLB miss, MMIO, a page crossing, a fault to
 * come: the block gave back the budget from it on); X86_JIT_CHECK when an
 * instruction run through its fast handler took a slow memory path
 * (x86_cpu.blk_exit: the next instruction goes through the run loop's
 * checks); or the address of an exit to the same page that is not linked
 * to its target's code yet (x86_jit_link). */
typedef uint64_t (*x86_jit_fn)(struct x86_cpu *x, uint64_t rip);
enum { X86_JIT_DONE = 0, X86_JIT_CHECK = 1, X86_JIT_MISS = 2 };

#define X86_JIT_NONE 0xffffu        /* x86_dpage.jit: this block is not compiled */
#define X86_JIT_MAX_BLOCKS 60000u   /* x86_dpage.jit values below: block indices */
#define X86_JIT_COUNT_BASE 60000u   /* from here to X86_JIT_NONE: times started */
#define X86_JIT_HOT 4u              /* starts before a block is compiled */
#define X86_JIT_CODE_BYTES (32u << 20)

struct x86_jit_block {
    const struct x86_dinsn *owner;  /* the first slot this code was compiled for */
    uint32_t off;                   /* into buf: the entry from C */
    uint32_t chain;                 /* into buf: the entry from another block */
};

/* One code cache per machine (kept by CPU 0; CPUs run on one host thread).
 * A slot's jit index is valid while its block's owner is the slot: a flush
 * empties the cache and decoding a slot zeroes its index (icache.c). */
struct x86_jit {
    uint8_t *buf;
    uint32_t used;
    uint32_t nblocks;               /* blocks[0] is unused: 0 = none */
    uint64_t flushes;
    unsigned hot;                   /* X86_JIT_HOT; the unit tests set 0 */
    uint64_t compiled, callouts;    /* statistics: blocks compiled, instructions
                                       compiled as calls of their fast handler */
    bool stats;                     /* HVSIM_X86_JIT_STATS set: the code counts */
    uint64_t run, run_callouts;     /* with stats: instructions run in compiled
                                       blocks, and of them through calls */
    struct x86_jit_block blocks[X86_JIT_MAX_BLOCKS];
};

/* The compiled code of the n-instruction block at slot k of page p (whose
 * first instruction is at rip), compiling it once it is hot, or NULL while
 * it is interpreted. */
x86_jit_fn x86_jit_code(struct x86_cpu *x, struct x86_dpage *p, unsigned k, unsigned n, uint64_t rip);
/* Points the exit whose rel32 field is at site (a return value of an
 * x86_jit_fn) at the code of the block at slot k of p (n instructions, in
 * the page of the exit), if it has code. */
void x86_jit_link(struct x86_cpu *x, uint64_t site, struct x86_dpage *p, unsigned k, unsigned n,
                  uint64_t rip);
/* The machine's cache (NULL: none could be made). */
struct x86_jit *x86_jit_of(struct x86_cpu *x);
/* Releases the cache if this CPU owns it. */
void x86_jit_free(struct x86_cpu *x);

#endif
