/* Exceptions and interrupts (Intel SDM vol. 3A ch. 6): delivery through the
 * real-mode IVT, 32-bit protected-mode IDT gates (interrupt and trap gates,
 * privilege change through the TSS stack) and 64-bit IDT gates (IST, the
 * 16-byte aligned stack frame), task gates outside IA-32e mode (a task
 * switch: task.c); double fault by the contributory/page-fault
 * classes of §6.15 Table 6-5; a fault while delivering #DF is a triple
 * fault (machine exit or reset, as the board configures); IRET. */
#include <string.h>
#include "x86_cpu.h"
#include "seg.h"
#include "vme.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

static bool contributory(int v)
{
    return v == X86_EXC_DE || (v >= X86_EXC_TS && v <= X86_EXC_GP);
}

/* Shutdown (SDM vol. 3A §6.15 "Interrupt 8"): as the board configures,
 * [cpu] triple-fault = exit (the run ends, guest failure) or reset (a PC
 * chipset resets the machine on shutdown: the board's hook puts every CPU
 * and the devices back to their power-on state, RAM keeps its contents;
 * without a hook only this CPU resets). */
static _Noreturn void triple_fault(struct x86_cpu *x)
{
    x->fault_depth = 0;
    if (x->vmx.non_root)
        vmx_nr_triple_fault(x); /* a VM exit (src/vmm/vmx_nonroot.c) */
    if (x->triple_fault_resets) {
        if (x->reset_machine)
            x->reset_machine(x->reset_opaque);
        else
            x86_reset_cpu(&x->cpu);
        longjmp(x->fault_jb, 2);
    }
    machine_request_exit(x->m, EXIT_GUEST_FAIL, "triple fault (shutdown)");
    x->cpu.state = CPU_STOPPED;
    longjmp(x->fault_jb, 2);
}

/* Which exception a fault during delivery of `first` becomes (Table 6-5). */
static int combine(int first, int second)
{
    if (first == X86_EXC_DF)
        return -1; /* triple fault */
    if ((contributory(first) && contributory(second)) ||
        (first == X86_EXC_PF && (contributory(second) || second == X86_EXC_PF)))
        return X86_EXC_DF;
    return second;
}

/* The CPL an exception's handler runs at: the "to" of its exc.take
 * (docs/trace-format.md). 0 in real mode and from virtual-8086 mode (only a
 * nonconforming DPL-0 handler is allowed there); else the DPL of the IDT
 * gate's code segment, the current CPL for a conforming one. Read without
 * side effects (gdb's translation, RAM only: no accessed bits, no TLB fill,
 * no fault), and only when the event is traced; a gate or descriptor it
 * cannot read, or a task gate, gives the current CPL. */
static bool peek64(struct x86_cpu *x, uint64_t la, uint64_t *v)
{
    *v = 0;
    for (unsigned i = 0; i < 8; i++) {
        uint64_t pa;
        const uint8_t *h;
        if (!x86_debug_translate(x, la + i, &pa) || !(h = bus_host_ptr(&x->m->bus, pa, 1)))
            return false;
        *v |= (uint64_t)*h << (8 * i);
    }
    return true;
}

unsigned x86_event_cpl(struct x86_cpu *x, int vector)
{
    if (!(x->cr0 & CR0_PE) || (x->rflags & FL_VM))
        return 0;
    unsigned gsize = x->long_mode ? 16 : 8;
    uint64_t glo, clo;
    if ((unsigned)vector * gsize + gsize - 1 > x->idt_limit ||
        !peek64(x, x->idt_base + (uint64_t)vector * gsize, &glo) || ((glo >> 40) & 0x1f) == 0x5)
        return x->cpl;
    uint16_t sel = (uint16_t)(glo >> 16);
    uint64_t base = (sel & 4) ? x->ldtr.base : x->gdt_base, limit = (sel & 4) ? x->ldtr.limit : x->gdt_limit;
    if ((sel & ~3u) == 0 || (sel & ~7u) + 7u > limit || !peek64(x, base + (sel & ~7u), &clo))
        return x->cpl;
    unsigned cattr = (unsigned)(clo >> 40) & 0xff;
    if ((cattr & SEG_CE) && (cattr & SEG_CODE))
        return x->cpl;
    return (cattr >> 5) & 3;
}

_Noreturn void x86_raise(struct x86_cpu *x, int vector, bool has_err, uint32_t err)
{
    if (x->undo_rsp_valid) { /* POP r/m faulted writing its destination: RSP as before */
        x->r[RSP] = x->undo_rsp;
        x->undo_rsp_valid = false;
    }
    /* VMX non-root: the exception bitmap, before delivery and before the
     * double-fault rules; an exception during the delivery of an event
     * exits with that event as IDT-vectoring information (#PF: the MMU
     * asked before writing CR2; src/vmm/vmx_nonroot.c) */
    if (__builtin_expect(x->vmx.non_root, 0) && vector != X86_EXC_PF)
        vmx_nr_exception(x, vector, has_err, err, VMX_EV_HW, 0);
    if (x->fault_depth) {
        /* a fault while delivering an exception */
        int v = combine(x->fault_depth == 2 ? X86_EXC_DF : x->pending_vector, vector);
        if (v != vector) {
            /* the exception folded into the #DF (or the triple fault) is
             * still on the timeline, before it: exc.take with its vector
             * and error code (CR2 for #PF), then the #DF */
            TRACE(x->m, TK_EXC_TAKE, x->cpu.id, cpu_now(&x->cpu), (uint64_t)vector, x86_trace_from(x),
                  x86_event_cpl(x, vector), x86_trace_pc(x), vector == X86_EXC_PF ? x->cr2 : err);
        }
        if (v < 0)
            triple_fault(x);
        if (v == X86_EXC_DF) {
            x->fault_depth = 2;
            x->pending_vector = X86_EXC_DF;
            if (__builtin_expect(x->vmx.non_root, 0)) {
                /* a #DF that exits is not "during event delivery" */
                x->vmx.deliv_info = 0;
                vmx_nr_exception(x, X86_EXC_DF, true, 0, VMX_EV_HW, 0);
            }
            vmx_delivering(&x->vmx, VMX_EV_HW, 0);
            TRACE(x->m, TK_EXC_TAKE, x->cpu.id, cpu_now(&x->cpu), (uint64_t)X86_EXC_DF, x86_trace_from(x),
                  x86_event_cpl(x, X86_EXC_DF), x86_trace_pc(x), 0);
            x86_deliver(x, X86_EXC_DF, true, 0, false, x->rip);
            x->fault_depth = 0;
            longjmp(x->fault_jb, 1);
        }
    }
    x->fault_depth = 1;
    x->pending_vector = vector;
    /* the EFLAGS image of a fault-class exception has RF = 1, except #DB
     * for an instruction breakpoint (SDM vol. 3A §17.3.1.1); the delivery
     * then clears RF */
    if (!x->dbg_ibp_fault)
        x->rflags |= FL_RF;
    x->dbg_ibp_fault = false;
    vmx_delivering(&x->vmx, VMX_EV_HW, 0);
    TRACE(x->m, TK_EXC_TAKE, x->cpu.id, cpu_now(&x->cpu), (uint64_t)vector, x86_trace_from(x),
          x86_event_cpl(x, vector), x86_trace_pc(x), vector == X86_EXC_PF ? x->cr2 : err);
    x86_deliver(x, vector, has_err, err, false, x->rip);
    x->fault_depth = 0;
    longjmp(x->fault_jb, 1);
}

/* ---- stacks ---------------------------------------------------------------- */

/* ext: the EXT bit of an error code raised while delivering an event (SDM
 * vol. 3A §6.13): 1 unless the event is INT n / INT3 / INTO. */
static void push_la(struct x86_cpu *x, uint32_t ext_bit, uint64_t *sp, uint64_t ss_base, unsigned ssize,
                    unsigned size, uint64_t v)
{
    *sp -= size;
    if (ssize == 2)
        *sp &= 0xffff;
    else if (ssize == 4)
        *sp &= 0xffffffffull;
    /* a non-canonical stack in IA-32e mode: #SS (SDM vol. 2 "INT n" IA-32e) */
    if (x->long_mode && ssize == 8 && (uint64_t)(((int64_t)(*sp << 16)) >> 16) != *sp)
        x86_raise(x, X86_EXC_SS, true, ext_bit);
    x86_write_as(x, ss_base + *sp, size, v, false);
}

static void set_sp(struct x86_cpu *x, uint64_t sp, unsigned ssize)
{
    if (ssize == 2)
        x->r[RSP] = (x->r[RSP] & ~0xffffull) | (sp & 0xffff);
    else
        x->r[RSP] = ssize == 4 ? (sp & 0xffffffffull) : sp;
}

/* ---- delivery ------------------------------------------------------------- */

static void deliver_real(struct x86_cpu *x, int vector, uint64_t return_rip)
{
    uint64_t ent = x->idt_base + 4u * (unsigned)vector;
    if (4u * (unsigned)vector + 3 > x->idt_limit)
        x86_raise(x, X86_EXC_GP, true, (uint32_t)vector * 8 + 2);
    uint32_t v = (uint32_t)x86_read_as(x, ent, 4, false);
    uint32_t ext = 0;
    uint64_t sp = x->r[RSP] & 0xffff;
    uint64_t ssb = x->seg[X86_SS].base;
    push_la(x, ext, &sp, ssb, 2, 2, x->rflags & 0xffff);
    push_la(x, ext, &sp, ssb, 2, 2, x->seg[X86_CS].sel);
    push_la(x, ext, &sp, ssb, 2, 2, return_rip & 0xffff);
    set_sp(x, sp, 2);
    x->rflags &= ~(uint64_t)(FL_IF | FL_TF | FL_AC | FL_RF);
    x86_load_seg_real(x, X86_CS, (uint16_t)(v >> 16));
    x->rip = v & 0xffff;
}

/* The stack pointer for privilege level dpl (or IST n) from the TSS: the
 * 64-bit TSS in IA-32e mode, else the 32-bit or the 16-bit TSS by TR's type
 * (SDM vol. 3A §5.8.5, §7.6); #TS(TR + EXT) beyond its limit. Interrupts
 * and call gates (exec.c) share it. */
uint64_t x86_tss_stack(struct x86_cpu *x, uint32_t ext_bit, unsigned dpl, unsigned ist, uint16_t *ss)
{
    uint64_t base = x->tr.base;
    if (x->long_mode) {
        uint64_t off = ist ? 0x24 + 8ull * (ist - 1) : 4 + 8ull * dpl;
        if (off + 7 > x->tr.limit)
            x86_raise(x, X86_EXC_TS, true, (x->tr.sel & ~3u) | ext_bit);
        *ss = 0;
        return x86_read_as(x, base + off, 8, false);
    }
    if (!(x->tr.attr & 8)) {
        /* a 16-bit TSS (§7.6 "16-Bit Task-State Segment"): SP at 2 + 4 * dpl, then SS */
        uint64_t off16 = 2 + 4ull * dpl;
        if (off16 + 3 > x->tr.limit)
            x86_raise(x, X86_EXC_TS, true, (x->tr.sel & ~3u) | ext_bit);
        *ss = (uint16_t)x86_read_as(x, base + off16 + 2, 2, false);
        return x86_read_as(x, base + off16, 2, false);
    }
    uint64_t off = 4 + 8ull * dpl;
    if (off + 5 > x->tr.limit)
        x86_raise(x, X86_EXC_TS, true, (x->tr.sel & ~3u) | ext_bit);
    *ss = (uint16_t)x86_read_as(x, base + off + 4, 2, false);
    return x86_read_as(x, base + off, 4, false);
}

static void deliver(struct x86_cpu *x, int vector, bool has_err, uint32_t err, bool soft,
                    uint64_t return_rip);

void x86_deliver(struct x86_cpu *x, int vector, bool has_err, uint32_t err, bool soft,
                 uint64_t return_rip)
{
    if (__builtin_expect(x->vmx.non_root, 0)) /* IDT-vectoring information (src/vmm) */
        vmx_deliver_begin(&x->vmx, (unsigned)vector, has_err && (x->cr0 & CR0_PE), err, soft); /* real mode: no error code */
    deliver(x, vector, has_err, err, soft, return_rip);
    x->vmx.deliv_info = 0; /* delivered: no longer an IDT-vectoring event */
}

static void deliver(struct x86_cpu *x, int vector, bool has_err, uint32_t err, bool soft,
                    uint64_t return_rip)
{
    if (!(x->cr0 & CR0_PE)) {
        deliver_real(x, vector, return_rip);
        return;
    }
    uint32_t ext = soft ? 0 : 1;
    unsigned gsize = x->long_mode ? 16 : 8;
    uint32_t idt_err = (uint32_t)vector * 8 + 2 + (soft ? 0 : 1);
    if ((unsigned)vector * gsize + gsize - 1 > x->idt_limit)
        x86_raise(x, X86_EXC_GP, true, idt_err);
    uint64_t glo = x86_read_as(x, x->idt_base + (uint64_t)vector * gsize, 8, false);
    uint64_t ghi = x->long_mode ? x86_read_as(x, x->idt_base + (uint64_t)vector * gsize + 8, 8, false) : 0;
    unsigned type = (unsigned)(glo >> 40) & 0xf;
    unsigned gdpl = (unsigned)(glo >> 45) & 3;
    bool gp = (glo >> 47) & 1;
    bool sys = !((glo >> 44) & 1); /* S = 0: a gate, not a code/data descriptor */
    bool gate32 = sys && (type == 0xe || type == 0xf);
    bool gate16 = sys && !x->long_mode && (type == 0x6 || type == 0x7);
    bool task_gate = sys && !x->long_mode && type == 0x5; /* in IA-32e mode: #GP (SDM §6.14.1) */
    if (!gate32 && !gate16 && !task_gate)
        x86_raise(x, X86_EXC_GP, true, idt_err);
    if (soft && gdpl < x->cpl)
        x86_raise(x, X86_EXC_GP, true, idt_err);
    if (!gp)
        x86_raise(x, X86_EXC_NP, true, idt_err);
    if (task_gate) {
        x86_task_interrupt(x, glo, has_err, err, ext, return_rip); /* task.c */
        return;
    }
    bool trap_gate = (type & 1) != 0;
    uint16_t sel = (uint16_t)(glo >> 16);
    uint64_t off = (glo & 0xffff) | ((glo >> 48) & 0xffff) << 16;
    if (x->long_mode)
        off |= (ghi & 0xffffffffull) << 32;
    else if (gate16)
        off &= 0xffff;
    unsigned ist = x->long_mode ? (unsigned)(glo >> 32) & 7 : 0;

    /* the target code segment */
    if ((sel & ~3u) == 0)
        x86_raise(x, X86_EXC_GP, true, 0 + (soft ? 0 : 1));
    uint64_t clo;
    if (!x86_desc_read(x, sel, &clo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, (sel & ~3u) + (soft ? 0 : 1));
    unsigned cattr = (unsigned)(clo >> 40) & 0xff;
    unsigned cdpl = (cattr >> 5) & 3;
    if (!(cattr & SEG_S) || !(cattr & SEG_CODE) || cdpl > x->cpl)
        x86_raise(x, X86_EXC_GP, true, (sel & ~3u) + (soft ? 0 : 1));
    if (!(cattr & SEG_P))
        x86_raise(x, X86_EXC_NP, true, (sel & ~3u) + (soft ? 0 : 1));
    if (x->long_mode && (!((clo >> 53) & 1) || ((clo >> 54) & 1)))
        x86_raise(x, X86_EXC_GP, true, (sel & ~3u) + (soft ? 0 : 1)); /* needs L=1, D=0 */
    bool conforming = (cattr & SEG_CE) != 0;
    /* from virtual-8086 mode only to a nonconforming DPL-0 code segment
     * (vol. 2 "INT n": #GP(selector + EXT)) */
    bool vm86 = (x->rflags & FL_VM) != 0;
    if (vm86 && (conforming || cdpl != 0))
        x86_raise(x, X86_EXC_GP, true, (sel & ~3u) + (soft ? 0 : 1));
    unsigned new_cpl = conforming ? x->cpl : cdpl;

    uint64_t old_ss = x->seg[X86_SS].sel, old_sp = x->r[RSP];
    uint64_t old_flags = x->rflags, old_cs = x->seg[X86_CS].sel;
    uint64_t sp;
    unsigned ssize, psize;
    uint64_t ss_base;

    if (x->long_mode) {
        uint16_t nss = 0;
        sp = (new_cpl < x->cpl || ist) ? x86_tss_stack(x, ext, new_cpl, ist, &nss) : x->r[RSP];
        sp &= ~0xfull; /* 16-byte aligned frame (SDM §6.14.2) */
        ss_base = 0;
        ssize = 8;
        psize = 8;
        uint64_t frame[6];
        int n = 0;
        frame[n++] = old_ss;
        frame[n++] = old_sp;
        frame[n++] = old_flags;
        frame[n++] = old_cs;
        frame[n++] = return_rip;
        if (has_err)
            frame[n++] = err;
        for (int i = 0; i < n; i++)
            push_la(x, ext, &sp, 0, 8, 8, frame[i]);
        if (new_cpl < x->cpl) {
            /* SS = null selector with RPL = new CPL (§6.14.4) */
            x->seg[X86_SS].sel = (uint16_t)new_cpl;
            x->seg[X86_SS].base = 0;
            x->seg[X86_SS].limit = 0;
            x->seg[X86_SS].attr = (uint16_t)(SEG_S | SEG_W_R | SEG_P | SEG_A | (new_cpl << SEG_DPL_SHIFT));
        }
        x->r[RSP] = sp;
    } else {
        psize = gate16 ? 2 : 4;
        if (new_cpl < x->cpl) {
            uint16_t nss;
            sp = x86_tss_stack(x, ext, new_cpl, 0, &nss);
            /* the new SS must be a writable data segment at new_cpl */
            uint64_t slo;
            if ((nss & ~3u) == 0 || !x86_desc_read(x, nss, &slo, NULL, false))
                x86_raise(x, X86_EXC_TS, true, nss & ~3u);
            unsigned sattr = (unsigned)(slo >> 40) & 0xff;
            if ((nss & 3) != new_cpl || ((sattr >> 5) & 3) != new_cpl || !(sattr & SEG_S) ||
                (sattr & SEG_CODE) || !(sattr & SEG_W_R))
                x86_raise(x, X86_EXC_TS, true, nss & ~3u);
            if (!(sattr & SEG_P))
                x86_raise(x, X86_EXC_SS, true, nss & ~3u);
            struct x86_segment nseg;
            x86_seg_from_desc(&nseg, nss, slo, 0);
            ss_base = nseg.base;
            ssize = (nseg.attr & SEG_DB) ? 4 : 2;
            if (vm86) {
                /* INTERRUPT-FROM-VIRTUAL-8086-MODE (vol. 2 "INT n", vol. 3A
                 * §20.3.1.1 Figure 20-5): GS, FS, DS, ES first, each a word
                 * (16-bit gate) or a doubleword (32-bit gate) */
                static const int vseg[4] = { X86_GS, X86_FS, X86_DS, X86_ES };
                for (int k = 0; k < 4; k++)
                    push_la(x, ext, &sp, ss_base, ssize, psize, x->seg[vseg[k]].sel);
            }
            push_la(x, ext, &sp, ss_base, ssize, psize, old_ss);
            push_la(x, ext, &sp, ss_base, ssize, psize, old_sp);
            push_la(x, ext, &sp, ss_base, ssize, psize, old_flags);
            push_la(x, ext, &sp, ss_base, ssize, psize, old_cs);
            push_la(x, ext, &sp, ss_base, ssize, psize, return_rip);
            if (has_err)
                push_la(x, ext, &sp, ss_base, ssize, psize, err);
            x->seg[X86_SS] = nseg;
            x->seg[X86_SS].attr |= SEG_A;
            if (vm86) /* the data segment registers are loaded with null selectors */
                for (int s = X86_ES; s <= X86_GS; s++)
                    if (s != X86_CS && s != X86_SS)
                        x->seg[s] = (struct x86_segment){ .sel = 0 };
        } else {
            sp = x->r[RSP];
            ss_base = x->seg[X86_SS].base;
            ssize = x->stack_size;
            push_la(x, ext, &sp, ss_base, ssize, psize, old_flags);
            push_la(x, ext, &sp, ss_base, ssize, psize, old_cs);
            push_la(x, ext, &sp, ss_base, ssize, psize, return_rip);
            if (has_err)
                push_la(x, ext, &sp, ss_base, ssize, psize, err);
        }
        set_sp(x, sp, ssize);
    }
    x86_load_cs(x, sel, clo, new_cpl);
    x->rip = off;
    x->rflags &= ~(uint64_t)(FL_TF | FL_NT | FL_RF | FL_VM);
    if (!trap_gate)
        x->rflags &= ~(uint64_t)FL_IF;
    x->attn = true;
}

/* The SS an IRET returns with, checked before anything changes (SDM vol. 2
 * "IRET" RETURN-TO-OUTER-PRIVILEGE-LEVEL): RPL = the new CPL, a writable
 * data segment of DPL = RPL (#GP(selector)), present (#SS(selector)). */
static void check_iret_ss(struct x86_cpu *x, uint16_t nss, unsigned rpl)
{
    uint64_t slo;
    if (!x86_desc_read(x, nss, &slo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, nss & ~3u);
    unsigned a = (unsigned)(slo >> 40) & 0xff;
    if ((nss & 3u) != rpl || ((a >> 5) & 3) != rpl || !(a & SEG_S) || (a & SEG_CODE) || !(a & SEG_W_R))
        x86_raise(x, X86_EXC_GP, true, nss & ~3u);
    if (!(a & SEG_P))
        x86_raise(x, X86_EXC_SS, true, nss & ~3u);
}

/* IRET in virtual-8086 mode (vol. 2 "IRET", vol. 3A §20.2.7): #GP(0)
 * unless IOPL = 3 (or CR4.VME and a 16-bit IRET: the image's IF goes to
 * VIF, vme.c); then as in real mode, but VM, IOPL, VIP and VIF keep
 * their values (a 16-bit IRET: IOPL keeps its value). */
static void iret_vm86(struct x86_cpu *x, unsigned opsize)
{
    /* IOPL < 3: only a 16-bit IRET with CR4.VME (vme.c), on VIF */
    bool vme = ((x->rflags >> 12) & 3) < 3;
    if (vme && !x86_vme_flags16(x, opsize))
        x86_raise(x, X86_EXC_GP, true, 0);
    uint64_t ssb = x->seg[X86_SS].base, sp = x->r[RSP] & 0xffff;
    /* "IF top 6 (12) bytes of stack not within stack limits THEN #SS(0)":
     * the frame's last byte, not a wrap to SS:0 */
    if (sp + 3 * opsize - 1 > x->seg[X86_SS].limit)
        x86_raise(x, X86_EXC_SS, true, 0);
    uint64_t rip = x86_read(x, ssb + sp, opsize);
    uint64_t cs = x86_read(x, ssb + ((sp + opsize) & 0xffff), opsize) & 0xffff;
    uint64_t fl = x86_read(x, ssb + ((sp + 2 * opsize) & 0xffff), opsize);
    if (opsize == 4 && rip > 0xffff)
        x86_raise(x, X86_EXC_GP, true, 0); /* beyond the CS limit */
    if (vme)
        x86_vme_check_flags(x, fl); /* TF, or IF while VIP: #GP(0) */
    set_sp(x, sp + 3 * opsize, 2);
    x86_load_seg_real(x, X86_CS, (uint16_t)cs);
    uint64_t mask = (opsize == 2 ? 0xffff : 0x257fd5) & ~(uint64_t)FL_IOPL;
    if (vme)
        x86_vme_load_flags(x, fl);
    else
        x->rflags = (x->rflags & ~mask) | (fl & mask) | FL_FIXED1;
    x->rip = rip & 0xffff;
    x->attn = true;
}

/* RETURN-TO-VIRTUAL-8086-MODE (vol. 2 "IRET"): a 32-bit IRET at CPL 0
 * outside IA-32e mode whose EFLAGS image has VM = 1: EIP, CS, EFLAGS, then
 * ESP, SS, ES, DS, FS, GS (doublewords) are popped, the segments loaded as
 * 8086 segments, CPL 3. All reads come before anything changes. */
static void iret_to_vm86(struct x86_cpu *x, uint64_t rip, uint64_t cs, uint64_t fl, uint64_t ssb,
                         uint64_t sp, unsigned ssize)
{
    uint64_t v[6]; /* ESP SS ES DS FS GS */
    for (int k = 0; k < 6; k++) {
        uint64_t o = sp + 4u * (unsigned)k;
        v[k] = x86_read(x, ssb + (ssize == 2 ? o & 0xffff : o & 0xffffffffull), 4);
    }
    if (rip > 0xffff)
        x86_raise(x, X86_EXC_GP, true, 0); /* beyond the 8086 CS limit */
    x->rflags = (fl & 0x3f7fd5) | FL_FIXED1;
    x->cpl = 3;
    x86_load_seg_real(x, X86_CS, (uint16_t)cs);
    x86_load_seg_real(x, X86_SS, (uint16_t)v[1]);
    x86_load_seg_real(x, X86_ES, (uint16_t)v[2]);
    x86_load_seg_real(x, X86_DS, (uint16_t)v[3]);
    x86_load_seg_real(x, X86_FS, (uint16_t)v[4]);
    x86_load_seg_real(x, X86_GS, (uint16_t)v[5]);
    x->r[RSP] = v[0] & 0xffffffffull;
    x->rip = rip;
    x86_update_mode(x);
    x->attn = true;
}

/* IRET / IRETD / IRETQ (SDM vol. 2 "IRET"): real mode, virtual-8086 mode,
 * same-privilege and outer-privilege returns in protected and long mode,
 * the return to virtual-8086 mode (a task return with NT: task.c). */
void x86_iret(struct x86_cpu *x, unsigned opsize)
{
    if ((x->cr0 & CR0_PE) && (x->rflags & FL_VM)) {
        iret_vm86(x, opsize);
        return;
    }
    if ((x->cr0 & CR0_PE) && (x->rflags & FL_NT)) {
        if (x->long_mode) /* no task return in IA-32e mode (vol. 2 "IRET", §7.7) */
            x86_raise(x, X86_EXC_GP, true, 0);
        x86_task_return(x); /* back to the linked task, nothing popped (task.c) */
        return;
    }
    uint64_t ssb = x->seg[X86_SS].base;
    unsigned ssize = x->stack_size;
    uint64_t sp = x->r[RSP];
    if (ssize == 2)
        sp &= 0xffff;
    else if (ssize == 4)
        sp &= 0xffffffffull;
    /* real-address mode: "IF top 6 (12) bytes of stack not within stack
     * limits THEN #SS" (vol. 2 "IRET"): the frame's last byte within SS's
     * limit, no wrap to SS:0 (expand-down: seg.c) */
    if (!(x->cr0 & CR0_PE) && !x86_seg_range_ok(&x->seg[X86_SS], sp, 3 * opsize))
        x86_raise(x, X86_EXC_SS, true, 0);
    uint64_t rip = x86_read(x, ssb + sp, opsize);
    uint64_t cs = x86_read(x, ssb + sp + opsize, opsize) & 0xffff;
    uint64_t fl = x86_read(x, ssb + sp + 2 * opsize, opsize);
    sp += 3 * opsize;
    if (!(x->cr0 & CR0_PE)) {
        set_sp(x, sp, ssize);
        x86_load_seg_real(x, X86_CS, (uint16_t)cs);
        uint64_t mask = opsize == 2 ? 0xffff : 0x257fd5;
        x->rflags = (x->rflags & ~mask) | (fl & mask) | FL_FIXED1;
        x->rip = rip & (opsize == 2 ? 0xffff : 0xffffffff);
        x->attn = true;
        return;
    }
    if (!x->long_mode && opsize == 4 && (fl & FL_VM) && x->cpl == 0) {
        iret_to_vm86(x, rip, cs, fl, ssb, sp, ssize);
        return;
    }
    uint64_t clo;
    if ((cs & ~3u) == 0 || !x86_desc_read(x, (uint16_t)cs, &clo, NULL, false))
        x86_raise(x, X86_EXC_GP, true, (uint32_t)cs & ~3u);
    unsigned rpl = cs & 3;
    unsigned cattr = (unsigned)(clo >> 40) & 0xff, cdpl = (cattr >> 5) & 3;
    if (!(cattr & SEG_S) || !(cattr & SEG_CODE) || rpl < x->cpl ||
        ((cattr & SEG_CE) ? cdpl > rpl : cdpl != rpl))
        x86_raise(x, X86_EXC_GP, true, (uint32_t)cs & ~3u);
    if (!(cattr & SEG_P))
        x86_raise(x, X86_EXC_NP, true, (uint32_t)cs & ~3u);
    bool to_outer = rpl > x->cpl;
    bool pop_ss = to_outer || (x->long_mode && x->code_size == 8);
    uint64_t nsp = 0, nss = 0;
    if (pop_ss) {
        nsp = x86_read(x, ssb + sp, opsize);
        nss = x86_read(x, ssb + sp + opsize, opsize) & 0xffff;
        sp += 2 * opsize;
    }
    /* RFLAGS: IOPL only at CPL 0, IF only when CPL <= IOPL (§ "IRET") */
    uint64_t mask = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT |
                    FL_RF | FL_AC | FL_ID;
    if (x->cpl == 0)
        mask |= FL_IOPL | FL_VIF | FL_VIP;
    if (x->cpl <= ((x->rflags >> 12) & 3))
        mask |= FL_IF;
    if (opsize == 2)
        mask &= 0xffff;
    x86_desc_set_accessed(x, (uint16_t)cs, clo);
    if (pop_ss) {
        if ((nss & ~3u) == 0) {
            /* a null SS is allowed in 64-bit mode returning to CPL < 3 */
            if (!(x->long_mode && ((clo >> 53) & 1) && rpl != 3))
                x86_raise(x, X86_EXC_GP, true, 0);
        }
    }
    if (pop_ss && (nss & ~3u))
        check_iret_ss(x, (uint16_t)nss, rpl);
    x86_load_cs(x, (uint16_t)cs, clo, rpl);
    x->rflags = (x->rflags & ~mask) | (fl & mask) | FL_FIXED1;
    x->rip = x->code_size == 8 ? rip : rip & (opsize == 2 ? 0xffff : 0xffffffffull);
    if (pop_ss) {
        /* x86_load_cs made CPL = RPL: SS is checked at the new level */
        if ((nss & ~3u) == 0 && x->long_mode) {
            x->seg[X86_SS].sel = (uint16_t)nss;
            x->seg[X86_SS].base = 0;
            x->seg[X86_SS].limit = 0;
            x->seg[X86_SS].attr = (uint16_t)(SEG_S | SEG_W_R | SEG_P | (rpl << SEG_DPL_SHIFT));
            x86_update_mode(x);
        } else {
            x86_load_seg(x, X86_SS, (uint16_t)nss);
        }
        x->r[RSP] = nsp;
        if (to_outer) {
            /* data segments the outer level may not use are nulled */
            for (int s = X86_ES; s <= X86_GS; s++) {
                if (s == X86_CS || s == X86_SS)
                    continue;
                struct x86_segment *g = &x->seg[s];
                unsigned dpl = (g->attr >> SEG_DPL_SHIFT) & 3;
                bool conf_code = (g->attr & SEG_CODE) && (g->attr & SEG_CE);
                if ((s == X86_DS || s == X86_ES || s == X86_FS || s == X86_GS) && !conf_code &&
                    dpl < rpl && !(x->long_mode && (s == X86_FS || s == X86_GS))) {
                    g->sel = 0;
                    g->attr = 0;
                }
            }
        }
    } else {
        set_sp(x, sp, ssize);
    }
    x->attn = true;
}
