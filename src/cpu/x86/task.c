/* Task switches between 32-bit TSSs outside IA-32e mode (Intel SDM vol. 3A
 * ch. 7): a far JMP or CALL to an available 32-bit TSS descriptor or to a
 * task gate in the GDT/LDT, and IRET with EFLAGS.NT = 1 (back to the task
 * in the previous-task link). The steps of §7.3:
 *
 *  - JMP/CALL: the TSS descriptor's (or task gate's) DPL must be >= CPL and
 *    >= the selector's RPL, else #GP(selector); the gate's or TSS's P bit,
 *    else #NP(selector); a task gate names a TSS in the GDT (TI = 0), else
 *    #GP(TSS selector). The new TSS must be available (#GP(TSS selector))
 *    and its limit >= 67h (#TS(TSS selector)). IRET: the linked TSS must
 *    be a busy 32-bit TSS in the GDT (#TS(TSS selector)).
 *  - The new TSS is read whole before anything changes (a #PF there is a
 *    fault of the old task); then the old task's state (EIP of the next
 *    instruction, EFLAGS (NT cleared for IRET), the GPRs, the selectors) is
 *    written into its TSS, JMP and IRET clear its busy bit, CALL writes the
 *    old TR into the new TSS's link field and sets NT in the new EFLAGS,
 *    JMP and CALL set the new busy bit; TR, CR0.TS, CR3 (with CR0.PG), the
 *    LDTR, EFLAGS, EIP, the GPRs and the segment registers are loaded.
 *  - Partial: faults loading the new task's LDTR or segment registers are
 *    raised as the segment loads raise them (#GP/#NP/#SS with the
 *    selector, in the new task), not as #TS; 16-bit TSSs, task gates in
 *    the IDT (#GP as before), virtual-8086 tasks (EFLAGS.VM in the new
 *    TSS) and the T (debug trap) flag are not modelled; the I/O map base
 *    of the new TSS applies through TR as for LTR. */
#include "x86_cpu.h"
#include "seg.h"

enum { TS_JMP, TS_CALL, TS_IRET };

/* 32-bit TSS (§7.2.1 Figure 7-2) offsets */
enum {
    TSS_LINK = 0x00, TSS_CR3 = 0x1c, TSS_EIP = 0x20, TSS_EFLAGS = 0x24, TSS_EAX = 0x28,
    TSS_ES = 0x48, TSS_LDT = 0x60, TSS32_MIN_LIMIT = 0x67,
};

static _Noreturn void fault(struct x86_cpu *x, int v, uint16_t sel)
{
    x86_raise(x, v, true, sel & ~3u);
}

static void set_busy(struct x86_cpu *x, uint16_t sel, bool busy)
{
    uint64_t a = x->gdt_base + (sel & ~7u) + 5;
    uint8_t b = (uint8_t)x86_read_as(x, a, 1, false);
    x86_write_as(x, a, 1, busy ? (b | 2) : (b & ~2u), false);
}

static void switch_to(struct x86_cpu *x, uint16_t tss_sel, uint64_t lo, int reason)
{
    /* the new TSS: present, large enough; read whole first */
    if (!((lo >> 47) & 1))
        fault(x, X86_EXC_NP, tss_sel);
    struct x86_segment nt;
    x86_seg_from_desc(&nt, tss_sel, lo, 0);
    if (nt.limit < TSS32_MIN_LIMIT)
        fault(x, X86_EXC_TS, tss_sel);
    uint32_t img[26];
    for (unsigned i = 0; i < 26; i++)
        img[i] = (uint32_t)x86_read_as(x, (nt.base + 4 * i) & 0xffffffffull, 4, false);

    /* the old task's state into its TSS */
    uint64_t ob = x->tr.base;
    uint32_t fl = (uint32_t)x->rflags;
    if (reason == TS_IRET)
        fl &= ~(uint32_t)FL_NT;
    x86_write_as(x, ob + TSS_EIP, 4, (uint32_t)x->next_rip, false);
    x86_write_as(x, ob + TSS_EFLAGS, 4, fl, false);
    for (unsigned r = 0; r < 8; r++)
        x86_write_as(x, ob + TSS_EAX + 4 * r, 4, (uint32_t)x->r[r], false);
    for (unsigned s = 0; s < 6; s++) /* ES CS SS DS FS GS */
        x86_write_as(x, ob + TSS_ES + 4 * s, 4, x->seg[s].sel, false);
    uint16_t old_tr = x->tr.sel;
    if (reason != TS_CALL)
        set_busy(x, old_tr, false);
    if (reason == TS_CALL) {
        x86_write_as(x, nt.base + TSS_LINK, 4, old_tr, false);
        img[TSS_EFLAGS / 4] |= FL_NT;
    }
    if (reason != TS_IRET)
        set_busy(x, tss_sel, true);
    nt.attr |= 2; /* busy */
    x->tr = nt;
    x->cr0 |= CR0_TS;

    /* the new task's state */
    if (x->cr0 & CR0_PG) {
        x->cr3 = img[TSS_CR3 / 4];
        x86_tlb_flush(x, false);
    }
    x->rflags = (img[TSS_EFLAGS / 4] & ~(uint64_t)FL_VM) | FL_FIXED1;
    for (unsigned r = 0; r < 8; r++)
        x->r[r] = img[TSS_EAX / 4 + r];
    x->rip = x->next_rip = img[TSS_EIP / 4];
    /* LDTR, then CS (CPL = its RPL), SS and the data segments, checked as
     * their loads check them */
    uint16_t ldt = (uint16_t)img[TSS_LDT / 4];
    if ((ldt & ~3u) == 0) {
        x->ldtr = (struct x86_segment){ .sel = ldt };
    } else {
        uint64_t llo;
        if ((ldt & 4) || !x86_desc_read(x, ldt, &llo, NULL, false) || ((llo >> 40) & 0x1f) != 0x02)
            fault(x, X86_EXC_TS, ldt);
        if (!((llo >> 47) & 1))
            fault(x, X86_EXC_TS, ldt);
        x86_seg_from_desc(&x->ldtr, ldt, llo, 0);
    }
    uint16_t cs = (uint16_t)img[TSS_ES / 4 + X86_CS];
    uint64_t clo;
    if ((cs & ~3u) == 0 || !x86_desc_read(x, cs, &clo, NULL, false))
        fault(x, X86_EXC_TS, cs);
    unsigned ca = (unsigned)(clo >> 40) & 0xff;
    if (!(ca & SEG_S) || !(ca & SEG_CODE) || ((ca & SEG_CE) ? ((ca >> 5) & 3) > (cs & 3u) : ((ca >> 5) & 3) != (cs & 3u)))
        fault(x, X86_EXC_TS, cs);
    if (!(ca & SEG_P))
        fault(x, X86_EXC_NP, cs);
    x86_desc_set_accessed(x, cs, clo);
    x86_load_cs(x, cs, clo, cs & 3u);
    static const int order[4] = { X86_SS, X86_DS, X86_ES, X86_FS };
    for (unsigned k = 0; k < 5; k++) {
        int s = k < 4 ? order[k] : X86_GS;
        x86_load_seg(x, s, (uint16_t)img[TSS_ES / 4 + s]);
    }
    x86_update_mode(x);
    x->attn = true;
}

void x86_task_far(struct x86_cpu *x, uint16_t sel, uint64_t lo, bool call)
{
    unsigned attr = (unsigned)(lo >> 40) & 0xff, dpl = (attr >> 5) & 3, rpl = sel & 3u;
    if (dpl < x->cpl || dpl < rpl)
        fault(x, X86_EXC_GP, sel);
    uint16_t tss_sel = sel;
    if ((attr & 0xf) == 0x5) { /* task gate (§7.2.5) */
        if (!(attr & SEG_P))
            fault(x, X86_EXC_NP, sel);
        tss_sel = (uint16_t)(lo >> 16);
        if ((tss_sel & 4) || (tss_sel & ~3u) == 0 || !x86_desc_read(x, tss_sel, &lo, NULL, false))
            fault(x, X86_EXC_GP, tss_sel);
    }
    if ((tss_sel & 4) || (((unsigned)(lo >> 40) & 0x1f) != 0x09))
        fault(x, X86_EXC_GP, tss_sel); /* not an available 32-bit TSS in the GDT */
    switch_to(x, tss_sel, lo, call ? TS_CALL : TS_JMP);
}

void x86_task_return(struct x86_cpu *x)
{
    uint16_t link = (uint16_t)x86_read_as(x, x->tr.base + TSS_LINK, 2, false);
    uint64_t lo;
    if ((link & 4) || (link & ~3u) == 0 || !x86_desc_read(x, link, &lo, NULL, false) ||
        ((lo >> 40) & 0x1f) != 0x0b)
        fault(x, X86_EXC_TS, link); /* not a busy 32-bit TSS */
    switch_to(x, link, lo, TS_IRET);
}
