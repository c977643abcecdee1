/* Segmentation (Intel SDM vol. 3A ch. 3 and §5.5-5.8): descriptor loads from
 * the GDT/LDT with the checks real code depends on, real-mode and
 * virtual-8086-mode loads (selector * 16), the CPU's mode from CS. */
#include "x86_cpu.h"
#include "seg.h"

bool x86_desc_read(struct x86_cpu *x, uint16_t sel, uint64_t *lo, uint64_t *hi, bool sys16)
{
    uint64_t base, limit;
    if (sel & 4) { /* LDT */
        if (!(x->ldtr.attr & SEG_P) || (x->ldtr.sel & ~3) == 0)
            return false;
        base = x->ldtr.base;
        limit = x->ldtr.limit;
    } else {
        base = x->gdt_base;
        limit = x->gdt_limit;
    }
    uint64_t off = sel & ~7u;
    if (off + (sys16 ? 15 : 7) > limit)
        return false;
    *lo = x86_read_as(x, base + off, 8, false);
    if (hi)
        *hi = sys16 ? x86_read_as(x, base + off + 8, 8, false) : 0;
    return true;
}

void x86_desc_set_accessed(struct x86_cpu *x, uint16_t sel, uint64_t lo)
{
    if (lo & (1ull << 40))
        return;
    uint64_t base = (sel & 4) ? x->ldtr.base : x->gdt_base;
    x86_write_as(x, base + (sel & ~7u) + 5, 1, (uint8_t)(lo >> 40) | 1, false);
}

void x86_seg_from_desc(struct x86_segment *s, uint16_t sel, uint64_t lo, uint64_t hi)
{
    s->sel = sel;
    s->base = ((lo >> 16) & 0xffffff) | ((lo >> 56) & 0xff) << 24;
    if (hi && !((lo >> 44) & 1)) /* 16-byte system descriptor: base 63:32 */
        s->base |= (hi & 0xffffffffull) << 32;
    uint32_t limit = (uint32_t)((lo & 0xffff) | ((lo >> 48) & 0xf) << 16);
    s->attr = (uint16_t)(((lo >> 40) & 0xff) | ((lo >> 52) & 0xf) << 12);
    if (s->attr & SEG_G)
        limit = (limit << 12) | 0xfff;
    s->limit = limit;
}

void x86_load_seg_real(struct x86_cpu *x, int s, uint16_t sel)
{
    struct x86_segment *g = &x->seg[s];
    g->sel = sel;
    g->base = (uint64_t)sel << 4;
    if ((x->cr0 & CR0_PE) && (x->rflags & FL_VM)) {
        /* virtual-8086 mode (SDM vol. 3A §20.1.1): base = selector * 16,
         * limit FFFFh, a 16-bit read/write (CS: readable code) segment of
         * DPL 3, whatever the descriptor cache held before */
        g->limit = 0xffff;
        g->attr = (uint16_t)(SEG_P | SEG_S | SEG_W_R | SEG_A | (3u << SEG_DPL_SHIFT) |
                             (s == X86_CS ? SEG_CODE : 0));
        if (s == X86_CS || s == X86_SS)
            x86_update_mode(x);
        return;
    }
    /* real mode keeps the cached limit and attributes (SDM §20.1.1):
     * "unreal" mode works as on hardware. A segment that was unusable (P =
     * 0: a null selector loaded in protected mode, or one a VM entry made
     * unusable, SDM vol. 3C §25.4.1) becomes usable with the state a data
     * segment has after reset (SDM vol. 3A, "Processor Management and
     * Initialization", the power-up/reset state table: limit FFFFH,
     * present, read/write, accessed): real mode has no descriptor to
     * take it from, and the load makes the register usable again */
    if (!(g->attr & SEG_P)) {
        g->limit = 0xffff;
        g->attr = (uint16_t)(SEG_P | SEG_S | SEG_W_R | SEG_A | (s == X86_CS ? SEG_CODE : 0));
    }
    if (s == X86_CS)
        x86_update_mode(x);
}

/* Protected / long mode data or stack segment load (MOV Sreg, POP Sreg,
 * LDS...: SDM vol. 2 "MOV—Move to Segment Register"). */
void x86_load_seg(struct x86_cpu *x, int s, uint16_t sel)
{
    if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM)) {
        x86_load_seg_real(x, s, sel);
        return;
    }
    struct x86_segment *g = &x->seg[s];
    if ((sel & ~3) == 0) {
        /* null selector: allowed for DS/ES/FS/GS; SS only in 64-bit mode at
         * CPL < 3 with RPL == CPL (SDM §5.4.1.1) */
        if (s == X86_SS && !(x->long_mode && x->code_size == 8 && x->cpl != 3 && (sel & 3) == x->cpl))
            x86_raise(x, X86_EXC_GP, true, 0);
        g->sel = sel;
        g->base = 0;
        g->limit = 0;
        g->attr = s == X86_SS ? (uint16_t)(SEG_S | SEG_W_R | SEG_P | ((sel & 3) << SEG_DPL_SHIFT)) : 0;
        if (s == X86_SS)
            x86_update_mode(x);
        return;
    }
    uint64_t lo;
    if (!x86_desc_read(x, sel, &lo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, sel & ~3u);
    unsigned attr = (unsigned)((lo >> 40) & 0xff);
    unsigned dpl = (attr >> 5) & 3, rpl = sel & 3;
    bool sys = !(attr & SEG_S), code = attr & SEG_CODE, wr = attr & SEG_W_R;
    if (s == X86_SS) {
        if (sys || code || !wr || rpl != x->cpl || dpl != x->cpl)
            x86_raise(x, X86_EXC_GP, true, sel & ~3u);
        if (!(attr & SEG_P))
            x86_raise(x, X86_EXC_SS, true, sel & ~3u);
    } else {
        /* data, or readable code; non-conforming needs max(CPL, RPL) <= DPL */
        if (sys || (code && !wr))
            x86_raise(x, X86_EXC_GP, true, sel & ~3u);
        bool conforming = code && (attr & SEG_CE);
        if (!conforming && (rpl > dpl || x->cpl > dpl))
            x86_raise(x, X86_EXC_GP, true, sel & ~3u);
        if (!(attr & SEG_P))
            x86_raise(x, X86_EXC_NP, true, sel & ~3u);
    }
    x86_desc_set_accessed(x, sel, lo);
    x86_seg_from_desc(g, sel, lo | (1ull << 40), 0);
    if (s == X86_SS)
        x86_update_mode(x);
}

/* CS load for far JMP/CALL/RET/IRET and interrupts: the descriptor has been
 * checked by the caller; this installs it with RPL = the new CPL. */
void x86_load_cs(struct x86_cpu *x, uint16_t sel, uint64_t lo, unsigned cpl)
{
    x86_seg_from_desc(&x->seg[X86_CS], (uint16_t)((sel & ~3u) | cpl), lo | (1ull << 40), 0);
    x->cpl = (uint8_t)cpl;
    x86_update_mode(x);
}

/* ---- limits of data accesses and instruction fetches -------------------------- */

/* Offset `last` (the last byte of an access) is within segment g (SDM vol.
 * 3A §5.3): at most the limit, or for an expand-down data segment above
 * the limit and at most FFFFh / FFFFFFFFh (B flag). */
static bool off_in_limit(const struct x86_segment *g, uint64_t last)
{
    if ((g->attr & (SEG_CODE | SEG_CE)) == SEG_CE)
        return last > g->limit && last <= ((g->attr & SEG_DB) ? 0xffffffffull : 0xffffull);
    return last <= g->limit;
}

bool x86_seg_range_ok(const struct x86_segment *g, uint64_t off, unsigned size)
{
    return off_in_limit(g, off) && off_in_limit(g, off + size - 1);
}

/* exec.c's linear() has checked the first byte of seg s at off (linear
 * la): remembered so that the access made at la checks its last byte.
 * Two notes: MOVS/CMPS compute both addresses before their accesses. */
void x86_seg_note(struct x86_cpu *x, int s, uint64_t off, uint64_t la)
{
    struct x86_seg_note *n = &x->seg_note[x->seg_note_next];
    x->seg_note_next ^= 1;
    n->la = la;
    n->off = off;
    n->seg = (int8_t)s;
    n->valid = true;
}

/* A data access of size bytes at la outside 64-bit mode (mmu.c, before
 * anything is read or written): when la is a noted seg:offset, its last
 * byte must be within the limit too, else #GP(0) (#SS(0) for SS). An
 * access at an address computed otherwise (the second half of a far
 * pointer or BOUND pair, implicit system accesses) is not checked here. */
bool x86_seg_end_check(struct x86_cpu *x, uint64_t la, unsigned size, bool write)
{
    for (int k = 0; k < 2; k++) {
        struct x86_seg_note *n = &x->seg_note[k];
        if (!n->valid || n->la != la)
            continue;
        /* a read keeps the note for the write of a read-modify-write */
        n->valid = !write;
        const struct x86_segment *g = &x->seg[n->seg];
        if ((size > 1 && !off_in_limit(g, n->off + size - 1)) || !x86_seg_type_allows(x, g, write))
            x86_raise(x, n->seg == X86_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
        return !write && !x86_seg_type_allows(x, g, true);
    }
    return false;
}

/* The segment type of a data access in protected mode (SDM vol. 3A §5.5,
 * "Privilege level checking when accessing data segments", and §3.4.5.1
 * type table; vol. 2 "MOV": #GP(0) "if the destination is located in a
 * non-writable segment", #SS(0) for SS): a write needs a writable data
 * segment (never a code segment), a read a data segment or a readable
 * code segment. Real mode and virtual-8086 mode check no types. */
bool x86_seg_type_allows(const struct x86_cpu *x, const struct x86_segment *g, bool write)
{
    if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM))
        return true;
    if (g->attr & SEG_CODE)
        return !write && (g->attr & SEG_W_R);
    return !write || (g->attr & SEG_W_R);
}

/* Instruction fetch outside 64-bit mode (SDM vol. 3A §5.3): every byte of
 * the instruction, offsets rip .. last, within the CS limit, else #GP(0)
 * at the instruction. */
_Noreturn void x86_fetch_limit_fault(struct x86_cpu *x)
{
    x86_raise(x, X86_EXC_GP, true, 0);
}
