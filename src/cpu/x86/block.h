/* Basic blocks over the predecoded cache of the x86 core (block.c,
 * docs/x86.md "Performance", docs/architecture.md "Engines"). */
#ifndef HVSIM_X86_BLOCK_H
#define HVSIM_X86_BLOCK_H
#include "icache.h"

#define X86_BLOCK_MAX 255 /* instructions in one block (x86_dpage.blen is a byte) */

/* The length of the block that starts at slot k of page p (whose linear
 * page is that of la, the slot's address), computed once and cached in
 * p->blen[k]: the run of consecutive instructions from slot k, each with a
 * fast handler, in decode order in consecutive slots, ending after a
 * control transfer, before an instruction without a fast handler, at the
 * page end or at X86_BLOCK_MAX. Decodes the following instructions of the
 * page when they are not decoded yet (decoding never faults). 0: slot k has
 * no fast handler (not a block). */
unsigned x86_block_build(struct x86_cpu *x, struct x86_dpage *p, unsigned k, uint64_t la);

#endif
