/* Blocks of the predecoded cache: straight-line runs of instructions with
 * a precomputed length (block.c). */
#ifndef HVSIM_RV_BLOCK_H
#define HVSIM_RV_BLOCK_H
#include <stdint.h>
#include "rv_hart.h"

#define RV_BLOCK_MAX 255 /* struct rv_dinsn.blen is 8 bits */

/* Decode the instruction at pc (in the current fetch page) into slot d; the
 * page becomes a code page (stores to it take the slow path). */
void rv_decode_slot(struct rv_hart *h, struct rv_dinsn *d, uint64_t pc);
/* Number of instructions of the block starting at slot `first` (pc in the
 * current fetch page), at least 1; decodes its slots and caches the count
 * in first->blen. */
unsigned rv_block_len(struct rv_hart *h, struct rv_dinsn *first, uint64_t pc);

#endif
