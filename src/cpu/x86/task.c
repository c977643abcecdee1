/* Task switches outside IA-32e mode (Intel SDM vol. 3A ch. 7) between
 * 32-bit TSSs and 16-bit (286-format, §7.6 "16-Bit Task-State Segment")
 * TSSs: a far JMP or CALL to an available TSS descriptor or to a task gate
 * in the GDT/LDT, an interrupt or exception through a task gate in the IDT
 * (§6.12.2), and IRET with EFLAGS.NT = 1 (back to the task in the
 * previous-task link).
 * The steps of §7.3:
 *
 *  - Before anything changes (faults of the old task): JMP/CALL: the TSS
 *    descriptor's (or task gate's) DPL must be >= CPL and >= the selector's
 *    RPL, else #GP(selector); the gate's P bit, else #NP(selector); a task
 *    gate names a TSS in the GDT (TI = 0), else #GP(TSS selector). An
 *    interrupt through a task gate (vol. 2 "INT n" TASK-GATE): the TSS
 *    selector in the GDT, available, else #GP(TSS selector + EXT). The new
 *    TSS must be available (#GP(TSS selector)), present (#NP) and its limit
 *    >= 67h (32-bit) / 2Bh (16-bit) (#TS(TSS selector)). IRET: the linked
 *    TSS must be a busy TSS in the GDT (#TS(TSS selector)). The new TSS is
 *    read whole first (a #PF there is a fault of the old task).
 *  - Then the old task's state (EIP of the return point, EFLAGS (NT
 *    cleared for IRET), the GPRs, the selectors, in the old TSS's format)
 *    is written into its TSS; JMP and IRET clear its busy bit; CALL and
 *    interrupts write the old TR into the new TSS's link field and set NT
 *    in the new EFLAGS; JMP, CALL and interrupts set the new busy bit; TR
 *    and CR0.TS are loaded: the commit point.
 *  - After it (faults in the new task's context, §7.3 step 13, Table 7-1,
 *    vol. 3A "Interrupt 10—Invalid TSS Exception" Table 6-6): CR3 (32-bit
 *    TSS, with CR0.PG), EFLAGS, EIP, the GPRs and every selector (CPL =
 *    CS.RPL) are loaded first, each segment's hidden part unusable; then
 *    the descriptors are qualified in the order LDTR, CS, SS, DS, ES, FS,
 *    GS: a bad LDT selector (TI = 1, beyond the GDT, not an LDT, not
 *    present) is #TS(LDT); CS null, beyond its table, not code, DPL !=
 *    RPL (non-conforming) or DPL > RPL (conforming) is #TS(CS), CS not
 *    present #NP(CS); SS null, beyond its table, not a writable data
 *    segment, RPL or DPL != CPL is #TS(SS), SS not present #SS(SS); a data
 *    segment beyond its table, a system or execute-only code segment, or
 *    (data / non-conforming code) DPL < CPL or < RPL is #TS(sel), not
 *    present #NP(sel). Error codes carry EXT = 1 when the switch was for
 *    a hardware interrupt or an exception.
 *  - A 16-bit TSS has no CR3 (kept), FS, GS (kept), I/O map or T flag;
 *    its GPR fields load the low 16 bits and FLAGS the low 16 bits of
 *    EFLAGS (§7.6: the upper halves "are modified and not maintained":
 *    here the GPRs' are kept, EFLAGS' cleared).
 *  - The T flag of a 32-bit TSS (offset 64h bit 0, §7.2.1): after the
 *    switch, before the new task's first instruction, #DB with DR6.BT
 *    (debug.c x86_dbg_task_trap).
 *  - A new EIP beyond the new CS limit is #GP(0) (#GP(EXT) through a
 *    task gate in the IDT) in the new task, before the T flag's #DB.
 *  - EFLAGS.VM = 1 in a 32-bit TSS: a virtual-8086 task (ch. 20): CPL 3,
 *    ES..GS loaded as 8086 segments (selector * 16), no descriptor checks
 *    but the LDT's. The I/O map base of the new TSS applies through TR as
 *    for LTR. */
#include "x86_cpu.h"
#include "seg.h"

enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };

/* The two TSS formats: field width, offsets (§7.2.1 Figure 7-2, §7.6
 * "16-Bit Task-State Segment"), how many segment selectors (ES CS SS DS
 * [FS GS]). */
struct tss_fmt {
    unsigned w, eip, eflags, gpr, seg, nseg, ldt, min_limit, size;
};
static const struct tss_fmt fmt32 = { 4, 0x20, 0x24, 0x28, 0x48, 6, 0x60, 0x67, 0x68 };
static const struct tss_fmt fmt16 = { 2, 0x0e, 0x10, 0x12, 0x22, 4, 0x2a, 0x2b, 0x2c };
enum { TSS32_CR3 = 0x1c, TSS32_T = 0x64, TSS_LINK = 0x00 };

/* TSS descriptor types (S = 0): available / busy, 16- / 32-bit */
static bool tss_avail(unsigned t5) { return t5 == 0x09 || t5 == 0x01; }
static bool tss_busy(unsigned t5) { return t5 == 0x0b || t5 == 0x03; }
static const struct tss_fmt *fmt_of(unsigned type) { return (type & 8) ? &fmt32 : &fmt16; }

static _Noreturn void fault(struct x86_cpu *x, int v, uint16_t sel, uint32_t ext)
{
    x86_raise(x, v, true, (sel & ~3u) | ext);
}

static void set_busy(struct x86_cpu *x, uint16_t sel, bool busy)
{
    uint64_t a = x->gdt_base + (sel & ~7u) + 5;
    uint8_t b = (uint8_t)x86_read_as(x, a, 1, false);
    x86_write_as(x, a, 1, busy ? (b | 2) : (b & ~2u), false);
}

static uint32_t field(const uint8_t *img, unsigned off, unsigned w)
{
    uint32_t v = img[off] | (uint32_t)img[off + 1] << 8;
    if (w == 4)
        v |= (uint32_t)img[off + 2] << 16 | (uint32_t)img[off + 3] << 24;
    return v;
}

/* ---- the new task's segments, after the commit point ----------------------- */

static void load_ldt(struct x86_cpu *x, uint16_t ldt, uint32_t ext)
{
    if ((ldt & ~3u) == 0) {
        x->ldtr = (struct x86_segment){ .sel = ldt };
        return;
    }
    uint64_t lo;
    if ((ldt & 4) || !x86_desc_read(x, ldt, &lo, NULL, false) || ((lo >> 40) & 0x1f) != 0x02 ||
        !((lo >> 47) & 1))
        fault(x, X86_EXC_TS, ldt, ext);
    x86_seg_from_desc(&x->ldtr, ldt, lo, 0);
}

static void load_cs(struct x86_cpu *x, uint16_t cs, uint32_t ext)
{
    uint64_t lo;
    if ((cs & ~3u) == 0 || !x86_desc_read(x, cs, &lo, NULL, false))
        fault(x, X86_EXC_TS, cs, ext);
    unsigned a = (unsigned)(lo >> 40) & 0xff, dpl = (a >> 5) & 3, rpl = cs & 3u;
    if (!(a & SEG_S) || !(a & SEG_CODE) || ((a & SEG_CE) ? dpl > rpl : dpl != rpl))
        fault(x, X86_EXC_TS, cs, ext);
    if (!(a & SEG_P))
        fault(x, X86_EXC_NP, cs, ext);
    x86_desc_set_accessed(x, cs, lo);
    x86_load_cs(x, cs, lo, rpl);
}

static void load_data(struct x86_cpu *x, int s, uint16_t sel, uint32_t ext)
{
    struct x86_segment *g = &x->seg[s];
    if ((sel & ~3u) == 0 && s != X86_SS) {
        *g = (struct x86_segment){ .sel = sel };
        return;
    }
    uint64_t lo;
    if ((sel & ~3u) == 0 || !x86_desc_read(x, sel, &lo, NULL, false))
        fault(x, X86_EXC_TS, sel, ext);
    unsigned a = (unsigned)(lo >> 40) & 0xff, dpl = (a >> 5) & 3, rpl = sel & 3u;
    bool code = (a & SEG_CODE) != 0;
    if (s == X86_SS) {
        if (!(a & SEG_S) || code || !(a & SEG_W_R) || rpl != x->cpl || dpl != x->cpl)
            fault(x, X86_EXC_TS, sel, ext);
        if (!(a & SEG_P))
            fault(x, X86_EXC_SS, sel, ext);
    } else {
        if (!(a & SEG_S) || (code && !(a & SEG_W_R)))
            fault(x, X86_EXC_TS, sel, ext);
        if (!(code && (a & SEG_CE)) && (dpl < x->cpl || dpl < rpl))
            fault(x, X86_EXC_TS, sel, ext);
        if (!(a & SEG_P))
            fault(x, X86_EXC_NP, sel, ext);
    }
    x86_desc_set_accessed(x, sel, lo);
    x86_seg_from_desc(g, sel, lo | (1ull << 40), 0);
}

/* ---- the switch -------------------------------------------------------------- */

/* Switches to the TSS tss_sel (descriptor lo, checked by the caller for
 * type and privilege), saving ret as the old task's EIP. Returns whether
 * the new TSS's T flag asks for a #DB. */
static bool switch_to(struct x86_cpu *x, uint16_t tss_sel, uint64_t lo, int reason, uint64_t ret,
                      uint32_t ext)
{
    /* VMX non-root: a task switch is a VM exit once the selector and
     * descriptor checks before this pass (SDM vol. 3C §26.1.2; src/vmm) */
    if (__builtin_expect(x->vmx.non_root, 0))
        vmx_nr_task_switch(x, tss_sel, reason == TS_CALL ? 0 : reason == TS_IRET ? 1 : reason == TS_JMP ? 2 : 3);
    /* the new TSS: present, large enough; read whole first */
    if (!((lo >> 47) & 1))
        fault(x, X86_EXC_NP, tss_sel, ext);
    const struct tss_fmt *nf = fmt_of((unsigned)(lo >> 40) & 0xf);
    struct x86_segment nt;
    x86_seg_from_desc(&nt, tss_sel, lo, 0);
    if (nt.limit < nf->min_limit)
        fault(x, X86_EXC_TS, tss_sel, ext);
    uint8_t img[0x68];
    for (unsigned i = 0; i < nf->size; i += 4) {
        uint32_t v = (uint32_t)x86_read_as(x, (nt.base + i) & 0xffffffffull, 4, false);
        img[i] = (uint8_t)v, img[i + 1] = (uint8_t)(v >> 8), img[i + 2] = (uint8_t)(v >> 16),
        img[i + 3] = (uint8_t)(v >> 24);
    }

    /* the old task's state into its TSS, in its format */
    const struct tss_fmt *of = fmt_of(x->tr.attr & 0xf);
    uint64_t ob = x->tr.base;
    uint32_t fl = (uint32_t)x->rflags;
    if (reason == TS_IRET)
        fl &= ~(uint32_t)FL_NT;
    x86_write_as(x, ob + of->eip, of->w, (uint32_t)ret, false);
    x86_write_as(x, ob + of->eflags, of->w, fl, false);
    for (unsigned r = 0; r < 8; r++)
        x86_write_as(x, ob + of->gpr + of->w * r, of->w, (uint32_t)x->r[r], false);
    for (unsigned s = 0; s < of->nseg; s++) /* ES CS SS DS FS GS */
        x86_write_as(x, ob + of->seg + of->w * s, 2, x->seg[s].sel, false);
    uint16_t old_tr = x->tr.sel;
    if (reason == TS_JMP || reason == TS_IRET)
        set_busy(x, old_tr, false);
    uint32_t nfl = field(img, nf->eflags, nf->w);
    if (reason == TS_CALL || reason == TS_INT) {
        x86_write_as(x, nt.base + TSS_LINK, 2, old_tr, false);
        nfl |= FL_NT;
    }
    if (reason != TS_IRET)
        set_busy(x, tss_sel, true);
    nt.attr |= 2; /* busy */
    x->tr = nt;
    x->cr0 |= CR0_TS;

    /* commit point: the new task's state, then its segments qualified */
    if (nf == &fmt32) {
        if (x->cr0 & CR0_PG) {
            x->cr3 = field(img, TSS32_CR3, 4);
            x86_tlb_flush(x, false);
        }
        /* EFLAGS.VM = 1: a virtual-8086 task (in IA-32e mode there are no
         * task switches) */
        x->rflags = (nfl & 0x3f7fd5) | FL_FIXED1;
        for (unsigned r = 0; r < 8; r++)
            x->r[r] = field(img, nf->gpr + 4 * r, 4);
    } else {
        x->rflags = (nfl & 0xffff) | FL_FIXED1;
        for (unsigned r = 0; r < 8; r++)
            x->r[r] = (x->r[r] & ~0xffffull) | field(img, nf->gpr + 2 * r, 2);
    }
    x->rip = x->next_rip = field(img, nf->eip, nf->w);
    uint16_t sel[6];
    for (unsigned s = 0; s < 6; s++)
        sel[s] = s < nf->nseg ? (uint16_t)field(img, nf->seg + nf->w * s, 2) : x->seg[s].sel;
    uint16_t ldt = (uint16_t)field(img, nf->ldt, 2);
    x->ldtr = (struct x86_segment){ .sel = ldt };
    if (x->rflags & FL_VM) {
        /* a virtual-8086 task (§7.3 step 12, ch. 20): CPL 3, the selectors
         * loaded as 8086 segments (base = selector * 16, no descriptor),
         * the LDT as for any task */
        x->cpl = 3;
        for (unsigned s = 0; s < 6; s++)
            x86_load_seg_real(x, (int)s, sel[s]);
        x86_update_mode(x);
        load_ldt(x, ldt, ext);
        x->attn = true;
        return img[TSS32_T] & 1;
    }
    for (unsigned s = 0; s < nf->nseg; s++)
        x->seg[s] = (struct x86_segment){ .sel = sel[s] };
    /* until CS is qualified its hidden part is unusable; its D bit says
     * 32-bit code for a 32-bit TSS, so that a #TS(LDT / CS) raised before
     * is traced with the new task's likely code mode (x86_trace_from) */
    if (nf == &fmt32)
        x->seg[X86_CS].attr = SEG_DB;
    x->cpl = sel[X86_CS] & 3u;
    x86_update_mode(x);
    load_ldt(x, ldt, ext);
    load_cs(x, sel[X86_CS], ext);
    static const int order[5] = { X86_SS, X86_DS, X86_ES, X86_FS, X86_GS };
    for (unsigned k = 0; k < 5; k++)
        if ((unsigned)order[k] < nf->nseg)
            load_data(x, order[k], sel[order[k]], ext);
    x86_update_mode(x);
    x->attn = true;
    return nf == &fmt32 && (img[TSS32_T] & 1);
}

/* The new task's EIP must be within its CS limit (vol. 2 "JMP"/"CALL"/
 * "IRET" task switch, "INT n" TASK-GATE: after the switch, the error code
 * pushed): else #GP(0) (#GP(EXT) for an event through a task gate), in the
 * new task. Then the T flag's #DB (debug.c) as a trap before the new task's
 * first instruction; the callers' next_rip follows. */
static void t_trap(struct x86_cpu *x, bool t, uint32_t ext)
{
    if (x->rip > x->seg[X86_CS].limit)
        x86_raise(x, X86_EXC_GP, true, ext);
    if (!t)
        return;
    x86_dbg_task_trap(x);
    x->next_rip = x->rip;
}

void x86_task_far(struct x86_cpu *x, uint16_t sel, uint64_t lo, bool call)
{
    unsigned attr = (unsigned)(lo >> 40) & 0xff, dpl = (attr >> 5) & 3, rpl = sel & 3u;
    if (dpl < x->cpl || dpl < rpl)
        fault(x, X86_EXC_GP, sel, 0);
    uint16_t tss_sel = sel;
    if ((attr & 0xf) == 0x5) { /* task gate (§7.2.5) */
        if (!(attr & SEG_P))
            fault(x, X86_EXC_NP, sel, 0);
        tss_sel = (uint16_t)(lo >> 16);
        if ((tss_sel & 4) || (tss_sel & ~3u) == 0 || !x86_desc_read(x, tss_sel, &lo, NULL, false))
            fault(x, X86_EXC_GP, tss_sel, 0);
    }
    if ((tss_sel & 4) || !tss_avail((unsigned)(lo >> 40) & 0x1f))
        fault(x, X86_EXC_GP, tss_sel, 0); /* not an available TSS in the GDT */
    t_trap(x, switch_to(x, tss_sel, lo, call ? TS_CALL : TS_JMP, x->next_rip, 0), 0);
}

void x86_task_return(struct x86_cpu *x)
{
    uint16_t link = (uint16_t)x86_read_as(x, x->tr.base + TSS_LINK, 2, false);
    uint64_t lo;
    if ((link & 4) || (link & ~3u) == 0 || !x86_desc_read(x, link, &lo, NULL, false) ||
        !tss_busy((unsigned)(lo >> 40) & 0x1f))
        fault(x, X86_EXC_TS, link, 0); /* not a busy TSS */
    t_trap(x, switch_to(x, link, lo, TS_IRET, x->next_rip, 0), 0);
}

/* An interrupt or exception through a task gate in the IDT (SDM vol. 2
 * "INT n" TASK-GATE, vol. 3A §6.12.2): the gate's DPL and P are checked
 * by trap.c; a switch with nesting (as CALL), the error code, if any,
 * pushed on the new task's stack (a word for a 16-bit TSS; #SS(EXT) in
 * the new task beyond its SS limit). */
void x86_task_interrupt(struct x86_cpu *x, uint64_t gate, bool has_err, uint32_t err, uint32_t ext,
                        uint64_t ret)
{
    uint16_t tss_sel = (uint16_t)(gate >> 16);
    uint64_t lo;
    if ((tss_sel & 4) || !x86_desc_read(x, tss_sel, &lo, NULL, false) ||
        !tss_avail((unsigned)(lo >> 40) & 0x1f))
        fault(x, X86_EXC_GP, tss_sel, ext);
    bool t = switch_to(x, tss_sel, lo, TS_INT, ret, ext);
    if (has_err) {
        unsigned w = (lo >> 43) & 1 ? 4 : 2;
        uint64_t sp = x->r[RSP] - w;
        if (x->stack_size == 2)
            sp &= 0xffff;
        else
            sp &= 0xffffffffull;
        /* "IF stack limit does not allow push of error code THEN #SS(EXT)"
         * (in the new task; expand-down: above the limit, up to FFFFh or
         * FFFFFFFFh by the B flag) */
        const struct x86_segment *ss = &x->seg[X86_SS];
        uint64_t last = sp + w - 1;
        bool fits = (ss->attr & (SEG_CODE | SEG_CE)) == SEG_CE
                        ? sp > ss->limit && last <= ((ss->attr & SEG_DB) ? 0xffffffffull : 0xffffull)
                        : last <= ss->limit;
        if (!fits)
            x86_raise(x, X86_EXC_SS, true, ext);
        x86_write_as(x, (x->seg[X86_SS].base + sp) & 0xffffffffull, w, err, x->cpl == 3);
        if (x->stack_size == 2)
            x->r[RSP] = (x->r[RSP] & ~0xffffull) | sp;
        else
            x->r[RSP] = sp;
    }
    t_trap(x, t, ext);
}
