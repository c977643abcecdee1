/* Basic blocks for the x86 fast engine (docs/x86.md "Performance").
 *
 * A block is a run of predecoded instructions in one 4 KiB page, in
 * consecutive slots of its struct x86_dpage, each run by a fast handler
 * (exec.c), ending after a control transfer (Jcc, JMP, CALL, RET) or
 * before an instruction that has no fast handler, at the page end or after
 * X86_BLOCK_MAX instructions. Its length is cached in the page's blen[]
 * at its first slot, so the run loop (exec.c run_blocks) checks the budget,
 * interrupts and breakpoints once per block instead of once per
 * instruction.
 *
 * Validity: blen[k] describes slots k.. of the page's current decode.
 * Decoding slot k (icache.c) zeroes blen[k]; a reset page (a store into
 * it, another code size, a full page) refills its slots from 0 in order,
 * so slot k is decoded again (zeroing blen[k]) before any slot after it
 * is, and the index (idx[]) reaches slot k only once it is. A store that
 * resets the page during a block takes the slow store path, which ends the
 * block after that instruction (exec.c mem_write, x86_cpu.blk_exit). */
#include "block.h"

/* Fast-handler instructions after which the next one is not the next in
 * the page: Jcc, JMP rel, CALL rel, RET (near). */
static bool ends_block(const struct x86_insn *in)
{
    uint8_t op = in->opcode;
    if (in->map == X86_MAP_0F)
        return op >= 0x80 && op <= 0x8f;
    if (in->map != X86_MAP_1)
        return true; /* no fast handler there today: never inside a block */
    return (op >= 0x70 && op <= 0x7f) || op == 0xe8 || op == 0xe9 || op == 0xeb || op == 0xc2 ||
           op == 0xc3;
}

unsigned x86_block_build(struct x86_cpu *x, struct x86_dpage *p, unsigned k, uint64_t la)
{
    unsigned n = 0, j = k;
    uint64_t page = la & ~0xfffull;
    for (;;) {
        const struct x86_dinsn *d = &p->d[j];
        if (!d->fast)
            break;
        n++;
        if (ends_block(&p->full[j]))
            break;
        unsigned next = d->off + d->len;
        if (next >= 4096)
            break; /* the page ends */
        if (j + 1 == p->n) {
            /* decode the next instruction now, into slot j + 1, unless it
             * is decoded elsewhere already or the page is full (a full
             * page restarts on the next fill: the block would vanish) */
            if (p->idx[next] || p->n >= X86_DPAGE_SLOTS - 1)
                break;
            const struct x86_dpage *q;
            if (!x86_icache_fill(x, page | next, &q) || q != p)
                break;
        }
        if (j + 1 >= p->n || p->d[j + 1].off != next || p->idx[next] != j + 2)
            break; /* the next instruction is not in the next slot */
        if (n == X86_BLOCK_MAX)
            break;
        j++;
    }
    if (!n)
        return 0;
    p->blen[k] = (uint8_t)n;
    /* Dead flags: a slot followed in the block by an instruction that
     * overwrites all six arithmetic flags from registers only (with only
     * instructions between that neither touch the flags nor fault: MOV,
     * LEA, ...) runs its twin without flags (exec.c x86_fast_noflags) when
     * it is not the last
     * of the block that runs it (exec.c run_blocks runs the last one with
     * its full handler: the next instruction may then be reached through
     * an interrupt, a budget stop or another block). Slot j + 1 is the next
     * instruction for as long as both slots stay decoded, and a reset page
     * refills bfn[] with the full handlers (icache.c). */
    for (unsigned i = k; i + 1 < k + n; i++) {
        x86_fast_fn nf = x86_fast_noflags(&p->full[i]);
        unsigned m = i + 1;
        while (m + 1 < k + n && x86_fast_flags_pass(&p->full[m]))
            m++;
        p->bfn[i] = nf && x86_fast_writes_flags(&p->full[m]) ? nf : p->d[i].fast;
    }
    return n;
}
