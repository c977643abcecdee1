/* Compiled blocks (jit.c): host x86-64 code for blocks of the predecoded
 * cache. */
#ifndef HVSIM_RV_JIT_H
#define HVSIM_RV_JIT_H
#include <stdint.h>
#include "rv_hart.h"

#define RV_JIT_NONE 0xffffu /* struct rv_dinsn.jit: this block is interpreted */

/* Runs the block whose first instruction is at guest address pc, and the
 * blocks chained to it. Each block takes its length off h->insn_left when
 * it starts (a block the budget does not cover is left to the interpreter)
 * and leaves h->pc at the next instruction. Returns 0; RV_JIT_MISS when
 * the instruction at h->pc is a load/store that needs the slow path (its
 * block gave back the budget from it on); or the address of an exit not yet
 * linked to the code of its target at h->pc (rv_jit_link). */
typedef uint64_t (*rv_jit_fn)(struct rv_hart *h, uint64_t pc);
#define RV_JIT_MISS 1u

#define JIT_CODE_BYTES (16u << 20)
#define JIT_MAX_BLOCKS 65000u        /* slot jit values below: block indices */
#define JIT_COUNT_BASE 65000u        /* from here to RV_JIT_NONE: times started, not compiled yet */
#define JIT_HOT 4u

struct rv_jit_block {
    const struct rv_dinsn *owner;    /* the slot this code was compiled for */
    uint32_t off;                    /* into buf: the entry from C */
    uint32_t chain;                  /* into buf: the entry from another block */
};

/* One code cache per machine (kept by hart 0; harts run on one host
 * thread). A slot's jit index is valid while its block's owner is the slot:
 * a flush empties the cache and a reset slot has jit 0. */
struct rv_jit {
    uint8_t *buf;
    uint32_t used;
    uint32_t nblocks;                /* blocks[0] is unused: 0 = none */
    uint64_t flushes;
    struct rv_jit_block blocks[JIT_MAX_BLOCKS];
};

/* The compiled code of the blen-instruction block starting at slot first
 * (compiling it if needed), or NULL when the block is interpreted. */
rv_jit_fn rv_jit_code(struct rv_hart *h, struct rv_dinsn *first, unsigned blen, uint64_t pc);
/* Points the exit whose rel32 field is at site (a return value of a
 * rv_jit_fn) at the code of the block at slot target (pc, in the same page),
 * compiling it if needed. */
void rv_jit_link(struct rv_hart *h, uint64_t site, struct rv_dinsn *target, uint64_t pc);
/* The compiled code of the block at slot first if there is some already. */
static inline rv_jit_fn rv_jit_lookup(const struct rv_hart *h, const struct rv_dinsn *first)
{
    const struct rv_jit *j = h->jit;
    unsigned i = first->jit;
    if (j && i < j->nblocks && j->blocks[i].owner == first)
        return (rv_jit_fn)(void *)(j->buf + j->blocks[i].off);
    return (rv_jit_fn)0;
}
/* Release the code cache if this hart owns it. */
void rv_jit_free(struct rv_hart *h);

#endif
