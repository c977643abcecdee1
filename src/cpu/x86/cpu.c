/* The x86_64 CPU: creation, reset state (Intel SDM vol. 3A §9.1.1 Table 9-1),
 * the mode from CS/SS/EFER, interrupt inputs, and the ISA-neutral cpu_ops
 * glue; the architecture registry entry (arch_x86_64) with capstone
 * disassembly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disasm.h"
#include "fpu.h"
#include "gdb.h"
#include "jit.h"
#include "x86.h"
#include "x86_cpu.h"
#include "../../apic/lapic.h"
#include "../../sim/arch.h"
#include "../../sim/machine.h"
#include "../../trace/event.h"

void x86_update_mode(struct x86_cpu *x)
{
    x->long_mode = (x->efer & EFER_LMA) != 0;
    const struct x86_segment *cs = &x->seg[X86_CS];
    if (!(x->cr0 & CR0_PE)) {
        x->code_size = (cs->attr & SEG_DB) ? 4 : 2;
        x->cpl = 0;
    } else if (x->long_mode && (cs->attr & SEG_L)) {
        x->code_size = 8;
    } else {
        x->code_size = (cs->attr & SEG_DB) ? 4 : 2;
    }
    x->stack_size = x->code_size == 8 ? 8 : (x->seg[X86_SS].attr & SEG_DB) ? 4 : 2;
    x->attn = true;
}

void x86_reset_cpu(struct cpu *c);
static void x86_reset(struct cpu *c)
{
    struct x86_cpu *x = X86(c);
    memset(x->r, 0, sizeof x->r);
    x->r[RDX] = x->cpuid_signature; /* processor signature (CPUID.1:EAX) */
    x->rflags = FL_FIXED1;
    x->rip = 0xfff0;
    for (int s = 0; s < 6; s++)
        x->seg[s] = (struct x86_segment){ .sel = 0, .base = 0, .limit = 0xffff,
                                          .attr = SEG_P | SEG_S | SEG_W_R | SEG_A };
    x->seg[X86_CS] = (struct x86_segment){ .sel = 0xf000, .base = 0xffff0000, .limit = 0xffff,
                                           .attr = SEG_P | SEG_S | SEG_CODE | SEG_W_R | SEG_A };
    x->ldtr = (struct x86_segment){ .limit = 0xffff, .attr = SEG_P | 2 };
    x->tr = (struct x86_segment){ .limit = 0xffff, .attr = SEG_P | 0xb };
    x->gdt_base = x->idt_base = 0;
    x->gdt_limit = x->idt_limit = 0xffff;
    x->cr0 = CR0_ET | CR0_CD | CR0_NW;
    x->cr2 = x->cr3 = x->cr4 = x->cr8 = 0;
    x86_dbg_reset(x); /* DR0-3 0, DR6 FFFF0FF0h, DR7 400h */
    x->efer = 0;
    x->star = x->lstar = x->cstar = x->sfmask = x->kernel_gs_base = 0;
    x->sysenter_cs = x->sysenter_esp = x->sysenter_eip = 0;
    x->tsc_offset = 0;
    x->tsc_aux = 0;
    x->apic_base = 0xfee00000 | 1u << 11 | (c->id == 0 ? 1u << 8 : 0); /* enabled; BSP flag */
    x->pat = 0x0007040600070406ull;
    x->misc_enable = 1; /* fast strings */
    x->mtrr_def_type = 0;
    memset(x->mtrr_fixed, 0, sizeof x->mtrr_fixed);
    memset(x->mtrr_var, 0, sizeof x->mtrr_var);
    x86_fpu_reset(x);
    x->xcr0 = 1; /* x87 only (Table 9-1; xsave.c) */
    x->cpl = 0;
    x->intr = x->nmi_pending = x->nmi_blocked = x->sti_shadow = false;
    x86_monitor_reset(x); /* disarmed (monitor.c) */
    vmx_reset(x);
    x->fault_depth = 0;
    x86_tlb_flush(x, true);
    x86_update_mode(x);
    c->state = CPU_RUNNING;
}

/* INIT (SDM vol. 3A §9.1, Table 9-1 "Following INIT"): the power-on
 * state except what INIT leaves: the x87 FPU, MXCSR and the XMM registers,
 * XCR0, CR0.CD/NW, the TSC, the MTRRs, PAT, MISC_ENABLE and IA32_APIC_BASE; the
 * local APIC has taken its INIT state already (lapic_accept). Then an
 * application processor waits for a SIPI (§8.4.2); the bootstrap
 * processor (IA32_APIC_BASE.BSP) runs from the reset vector. */
static void x86_init(struct cpu *c)
{
    struct x86_cpu *x = X86(c);
    struct x86_fpu fpu = x->fpu;
    uint64_t xcr0 = x->xcr0; /* INIT keeps XCR0 (Table 9-1) */
    uint64_t cr0_cache = x->cr0 & (CR0_CD | CR0_NW), tsc_offset = x->tsc_offset;
    uint64_t pat = x->pat, misc = x->misc_enable, def = x->mtrr_def_type, base = x->apic_base;
    uint64_t feature_control = x->vmx.feature_control; /* an MSR: INIT keeps it */
    uint64_t fixed[11], var[16];
    memcpy(fixed, x->mtrr_fixed, sizeof fixed);
    memcpy(var, x->mtrr_var, sizeof var);
    x86_reset(c);
    x->fpu = fpu;
    x->xcr0 = xcr0;
    x->cr0 = (x->cr0 & ~(uint64_t)(CR0_CD | CR0_NW)) | cr0_cache;
    x->tsc_offset = tsc_offset;
    x->pat = pat;
    x->misc_enable = misc;
    x->mtrr_def_type = def;
    memcpy(x->mtrr_fixed, fixed, sizeof fixed);
    memcpy(x->mtrr_var, var, sizeof var);
    x->apic_base = base;
    x->vmx.feature_control = feature_control;
    if (!(base & 0x100)) { /* an AP waits for a SIPI; the BSP restarts at F000:FFF0 (§8.4.1) */
        x->wait_sipi = true;
        c->state = CPU_STOPPED;
    }
}

/* Interrupt inputs: line 0 = INTR (level, from the PIC), line 1 = NMI
 * (edge). With a local APIC they are its LINT0 and LINT1 pins; the APIC
 * drives x->intr itself. */
static void x86_set_irq(struct cpu *c, int line, int level)
{
    struct x86_cpu *x = X86(c);
    if (x->lapic && (line == X86_LINE_INTR || line == X86_LINE_NMI)) {
        lapic_set_lint(x->lapic, line == X86_LINE_INTR ? 0 : 1, level);
        return;
    }
    if (line == X86_LINE_INTR)
        x->intr = level != 0;
    else if (line == X86_LINE_NMI && level)
        x->nmi_pending = true;
    x->attn = true; /* looked at before the next instruction */
}

/* Interrupt messages, at this CPU's time (the engine applies them when its
 * clock reaches the sender's): the local APIC takes fixed, lowest-priority
 * and ExtINT ones; the CPU acts on NMI, INIT and SIPI. A SIPI starts a CPU
 * in wait-for-SIPI in real mode at CS = vector << 8, IP = 0 (SDM vol. 3A
 * §8.4.4.1); one to a CPU not waiting is ignored. */
static void x86_irq_msg(struct cpu *c, const struct cpu_msg *msg)
{
    struct x86_cpu *x = X86(c);
    if (x->lapic && !lapic_accept(x->lapic, msg))
        return;
    switch (msg->mode) {
    case CPU_MSG_NMI:
        x->nmi_pending = true;
        x->attn = true;
        break;
    case CPU_MSG_INIT:
        if (x->vmx.on) {
            /* blocked in VMX root operation, a VM exit in non-root
             * operation (SDM vol. 3C §23.8, §26.2): src/vmm/vmx*.c */
            x->vmx.init_pending = true;
            x->attn = true;
            break;
        }
        x86_init(c);
        /* an INIT this CPU sent itself (its ICR write in progress): the
         * instruction ends here, as after a triple-fault reset */
        if (x->in_run && c->m->sched.current == c)
            longjmp(x->fault_jb, 2);
        break;
    case CPU_MSG_SIPI:
        if (x->vmx.non_root) { /* a VM exit in wait-for-SIPI, else discarded (src/vmm) */
            vmx_nr_sipi(x, msg->vector);
            break;
        }
        if (x->wait_sipi && c->state == CPU_STOPPED) {
            x86_load_seg_real(x, X86_CS, (uint16_t)(msg->vector << 8));
            x->rip = 0;
            x->wait_sipi = false;
            c->state = CPU_RUNNING;
            x->attn = true;
        }
        break;
    default:
        break;
    }
}

static uint64_t x86_wake_pending(struct cpu *c)
{
    struct x86_cpu *x = X86(c);
    /* HLT ends on an unmasked interrupt or an NMI (SDM vol. 2 "HLT"); a
     * guest entered in shutdown or wait-for-SIPI only for a VM exit */
    if (x->vmx.non_root && x->vmx.activity)
        return vmx_nr_wake(x);
    if (x->mwait_sleep) { /* MWAIT's break events (monitor.c) */
        uint64_t w = x86_mwait_wake(x);
        return w ? w : (x->vmx.non_root && vmx_nr_wake(x));
    }
    return (x->intr && (x->rflags & FL_IF)) || x->nmi_pending ||
           (x->vmx.non_root && vmx_nr_wake(x)); /* VM exits wake a halted guest */
}

static uint64_t x86_get_pc(struct cpu *c) { return X86(c)->rip; }

static void x86_free(struct cpu *c)
{
    x86_jit_free(X86(c));
    free(c);
}

/* ---- state for check records ------------------------------------------------ */

static const char *const x86_state_names[] = {
    "rip", "rflags", "cpl", "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    "es", "cs", "ss", "ds", "fs", "gs", "es.base", "cs.base", "ss.base", "ds.base", "fs.base",
    "gs.base", "cs.attr", "ss.attr", "ldtr", "tr", "tr.base", "gdtr.base", "gdtr.limit",
    "idtr.base", "idtr.limit", "cr0", "cr2", "cr3", "cr4", "cr8", "efer", "star", "lstar",
    "cstar", "sfmask", "kernel_gs_base", "tsc_offset", "tsc_aux", "apic_base", "pat",
    "intr", "nmi",
};
#define X86_NSTATE (sizeof x86_state_names / sizeof x86_state_names[0])

static const char *x86_state_name(unsigned i)
{
    return i < X86_NSTATE ? x86_state_names[i] : NULL;
}

static unsigned x86_arch_state(struct cpu *c, uint64_t *v, unsigned max)
{
    struct x86_cpu *x = X86(c);
    if (max < X86_NSTATE)
        return 0;
    unsigned n = 0;
    v[n++] = x->rip;
    v[n++] = x->rflags;
    v[n++] = x->cpl;
    for (int i = 0; i < 16; i++)
        v[n++] = x->r[i];
    for (int s = 0; s < 6; s++)
        v[n++] = x->seg[s].sel;
    for (int s = 0; s < 6; s++)
        v[n++] = x->seg[s].base;
    v[n++] = x->seg[X86_CS].attr;
    v[n++] = x->seg[X86_SS].attr;
    v[n++] = x->ldtr.sel;
    v[n++] = x->tr.sel;
    v[n++] = x->tr.base;
    v[n++] = x->gdt_base;
    v[n++] = x->gdt_limit;
    v[n++] = x->idt_base;
    v[n++] = x->idt_limit;
    v[n++] = x->cr0;
    v[n++] = x->cr2;
    v[n++] = x->cr3;
    v[n++] = x->cr4;
    v[n++] = x->cr8;
    v[n++] = x->efer;
    v[n++] = x->star;
    v[n++] = x->lstar;
    v[n++] = x->cstar;
    v[n++] = x->sfmask;
    v[n++] = x->kernel_gs_base;
    v[n++] = x->tsc_offset;
    v[n++] = x->tsc_aux;
    v[n++] = x->apic_base;
    v[n++] = x->pat;
    v[n++] = x->intr;
    v[n++] = x->nmi_pending;
    return n;
}

static unsigned x86_insn_bytes(struct cpu *c, uint8_t *buf, unsigned max)
{
    struct x86_cpu *x = X86(c);
    unsigned len = x86_cur_insn_len(x);
    if (!x->in_run || !len)
        return 0;
    unsigned n = len < max ? len : max;
    memcpy(buf, x->insn_raw ? x->insn_raw : x->insn_bytes, n);
    return n;
}

static void x86_flush_tlb_op(struct cpu *c) { x86_tlb_flush(X86(c), true); }

static void x86_copy_state(struct cpu *dst, const struct cpu *src)
{
    struct x86_cpu *d = X86(dst);
    struct machine *m = d->m;
    const bool *a20 = d->a20;
    int (*ack)(void *) = d->intr_ack;
    void *ack_opaque = d->intr_opaque;
    struct lapic *lapic = d->lapic; /* dst's own APIC (the board copies its registers) */
    struct x86_jit *jit = d->jit;   /* dst's machine's compiled code (jit.c) */
    bool jit_owner = d->jit_owner;
    cpu_copy_whole(dst, src, sizeof *d);
    d->lapic = lapic;
    d->jit = jit;
    d->jit_owner = jit_owner;
    if (d->insn_raw) { /* bytes in src's predecoded cache (icache.c) */
        memcpy(d->insn_bytes, d->insn_raw, sizeof d->insn_bytes);
        d->insn_len = d->insn_raw[15];
        d->insn_raw = NULL;
    }
    d->m = m;
    d->a20 = a20;
    d->intr_ack = ack;
    d->intr_opaque = ack_opaque;
    d->in_run = false;
    x86_tlb_flush(d, true);
    x86_monitor_restored(d); /* monitor.c: PAGE_MONITOR of an armed line */
}

static int64_t x86_guest_tag(struct cpu *c)
{
    return vmx_guest_vpid(X86(c)); /* -1 outside VMX non-root operation */
}

static int64_t x86_guest_id(struct cpu *c)
{
    return vmx_guest_id(X86(c)); /* -1 outside VMX non-root operation */
}

static const struct cpu_ops x86_cpu_ops = {
    .reset = x86_reset,
    .run = x86_run,
    .set_irq = x86_set_irq,
    .irq_msg = x86_irq_msg,
    .wake_pending = x86_wake_pending,
    .get_pc = x86_get_pc,
    .free = x86_free,
    .arch_state = x86_arch_state,
    .insn_bytes = x86_insn_bytes,
    .flush_tlb = x86_flush_tlb_op,
    .arch = CPU_ARCH_X86_64,
    .copy_state = x86_copy_state,
    .guest_id = x86_guest_id,
    .guest_tag = x86_guest_tag,
};

struct cpu *x86_cpu_new(struct machine *m, int id, const bool *a20)
{
    struct x86_cpu *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->cpu.ops = &x86_cpu_ops;
    x->cpu.m = m;
    x->cpu.id = id;
    x->cpu.bp_guest = -1;
    x->m = m;
    x->a20 = a20;
    memcpy(x->cpuid_vendor, "HvsimVirtCPU", 12);
    x->cpuid_signature = 0x000206f1; /* family 6, model 0x2f, stepping 1 */
    x->vmx.preempt_timer = -1;
    x86_reset(&x->cpu);
    return &x->cpu;
}

void x86_cpu_set_triple_fault_reset(struct cpu *c, bool reset)
{
    X86(c)->triple_fault_resets = reset;
}

/* The VMX-preemption timer expired (src/vmm/vmx_nonroot.c takes the exit
 * between instructions). */
static void vmx_preempt_fire(void *opaque, struct cpu *c)
{
    (void)opaque;
    X86(c)->attn = true;
    cpu_end_run(c);
}

void x86_cpu_set_vmx(struct cpu *c, bool on)
{
    struct x86_cpu *x = X86(c);
    x->vmx.enabled = on;
    if (on && x->vmx.preempt_timer < 0)
        x->vmx.preempt_timer = cpu_timer_alloc(c, vmx_preempt_fire, NULL);
}

void x86_cpu_set_xsave(struct cpu *c, bool on)
{
    /* the XSAVE area's legacy region is the x87's FXSAVE image: no XSAVE
     * where the x87 is #UD (fpu.h X86_HOST_X87) */
    X86(c)->xsave = on && X86_HOST_X87;
}

void x86_cpu_set_monitor(struct cpu *c, bool on)
{
    X86(c)->monitor = on; /* MONITOR / MWAIT (monitor.c) */
}

void x86_cpu_set_reset_hook(struct cpu *c, void (*fn)(void *opaque), void *opaque)
{
    X86(c)->reset_machine = fn;
    X86(c)->reset_opaque = opaque;
}

void x86_cpu_set_model(struct cpu *c, const char vendor[12], uint32_t signature)
{
    struct x86_cpu *x = X86(c);
    memcpy(x->cpuid_vendor, vendor, 12);
    x->cpuid_signature = signature;
    x->r[RDX] = (x->r[RDX] & ~0xffffffffull) | signature; /* the reset value of EDX */
}

void x86_cpu_connect_intr(struct cpu *c, int (*ack)(void *opaque), void *opaque)
{
    X86(c)->intr_ack = ack;
    X86(c)->intr_opaque = opaque;
}

void x86_cpu_enter_long_mode(struct cpu *c, uint64_t entry, uint64_t cr3, uint64_t gdt_base,
                             uint16_t gdt_limit, uint64_t rsp)
{
    struct x86_cpu *x = X86(c);
    x->cr0 = CR0_PE | CR0_PG | CR0_ET | CR0_NE | CR0_WP;
    x->cr4 = CR4_PAE | CR4_PGE;
    x->cr3 = cr3;
    x->efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
    x->gdt_base = gdt_base;
    x->gdt_limit = gdt_limit;
    x->seg[X86_CS] = (struct x86_segment){ .sel = 0x08, .base = 0, .limit = 0xffffffff,
                                           .attr = SEG_P | SEG_S | SEG_CODE | SEG_W_R | SEG_A | SEG_L | SEG_G };
    struct x86_segment data = { .sel = 0x10, .base = 0, .limit = 0xffffffff,
                                .attr = SEG_P | SEG_S | SEG_W_R | SEG_A | SEG_DB | SEG_G };
    x->seg[X86_SS] = x->seg[X86_DS] = x->seg[X86_ES] = x->seg[X86_FS] = x->seg[X86_GS] = data;
    x->rflags = FL_FIXED1;
    x->rip = entry;
    x->r[RSP] = rsp;
    x->cpl = 0;
    x86_tlb_flush(x, true);
    x86_update_mode(x);
}

void x86_cpu_set_boot_selectors(struct cpu *c, uint16_t cs, uint16_t ds)
{
    struct x86_cpu *x = X86(c);
    x->seg[X86_CS].sel = cs;
    x->seg[X86_DS].sel = x->seg[X86_ES].sel = x->seg[X86_SS].sel = ds;
}

void x86_cpu_set_gpr(struct cpu *c, unsigned reg, uint64_t val)
{
    if (reg < 16)
        X86(c)->r[reg] = val;
}

void x86_cpu_enter_protected_mode(struct cpu *c, uint32_t entry, uint32_t eax, uint32_t ebx,
                                  uint32_t esp, uint64_t gdt_base, uint16_t gdt_limit)
{
    struct x86_cpu *x = X86(c);
    x->cr0 = CR0_PE | CR0_ET;
    x->cr4 = 0;
    x->efer = 0;
    x->gdt_base = gdt_base;
    x->gdt_limit = gdt_limit;
    x->seg[X86_CS] = (struct x86_segment){ .sel = 0x08, .base = 0, .limit = 0xffffffff,
                                           .attr = SEG_P | SEG_S | SEG_CODE | SEG_W_R | SEG_A | SEG_DB | SEG_G };
    struct x86_segment data = { .sel = 0x10, .base = 0, .limit = 0xffffffff,
                                .attr = SEG_P | SEG_S | SEG_W_R | SEG_A | SEG_DB | SEG_G };
    x->seg[X86_SS] = x->seg[X86_DS] = x->seg[X86_ES] = x->seg[X86_FS] = x->seg[X86_GS] = data;
    for (int i = 0; i < 16; i++)
        x->r[i] = 0;
    x->r[RAX] = eax;
    x->r[RBX] = ebx;
    x->r[RSP] = esp;
    x->rflags = FL_FIXED1;
    x->rip = entry;
    x->cpl = 0;
    x86_tlb_flush(x, true);
    x86_update_mode(x);
}

/* ---- the architecture registry entry ------------------------------------------ */

static const char *const vec_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", NULL, "#TS", "#NP", "#SS",
    "#GP", "#PF", NULL, "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/* Every other vector (reserved ones, external interrupts, INT n) as
 * "int 0xNN". */
#define X86_HEX_NAME(p, h, l) p #h #l,
#define X86_HEX_ROW(p, h) \
    X86_HEX_NAME(p, h, 0) X86_HEX_NAME(p, h, 1) X86_HEX_NAME(p, h, 2) X86_HEX_NAME(p, h, 3) \
    X86_HEX_NAME(p, h, 4) X86_HEX_NAME(p, h, 5) X86_HEX_NAME(p, h, 6) X86_HEX_NAME(p, h, 7) \
    X86_HEX_NAME(p, h, 8) X86_HEX_NAME(p, h, 9) X86_HEX_NAME(p, h, a) X86_HEX_NAME(p, h, b) \
    X86_HEX_NAME(p, h, c) X86_HEX_NAME(p, h, d) X86_HEX_NAME(p, h, e) X86_HEX_NAME(p, h, f)
/* 256 names "P00".."Pff" for a prefix P */
#define X86_HEX_TABLE(p) \
    X86_HEX_ROW(p, 0) X86_HEX_ROW(p, 1) X86_HEX_ROW(p, 2) X86_HEX_ROW(p, 3) X86_HEX_ROW(p, 4) \
    X86_HEX_ROW(p, 5) X86_HEX_ROW(p, 6) X86_HEX_ROW(p, 7) X86_HEX_ROW(p, 8) X86_HEX_ROW(p, 9) \
    X86_HEX_ROW(p, a) X86_HEX_ROW(p, b) X86_HEX_ROW(p, c) X86_HEX_ROW(p, d) X86_HEX_ROW(p, e) \
    X86_HEX_ROW(p, f)
static const char *const int_names[256] = { X86_HEX_TABLE("int 0x") };

static const char *x86_cause_name(uint64_t v)
{
    if (v < 32 && vec_names[v])
        return vec_names[v];
    return v < 256 ? int_names[v] : NULL;
}

/* vm.entry's injected event: the VM-entry interruption-information field
 * (SDM vol. 3C §24.8.3, Table 24-16: vector 7:0, type 10:8, deliver error
 * code 11, valid 31), docs/trace-format.md "Optional arguments". */
static const char *const inject_types[8] = { "EXT_INT", NULL, "NMI", "HW_EXC",
                                             "SW_INT", "PRIV_SW_EXC", "SW_EXC", "OTHER" };

static const char *x86_vm_inject_class(uint64_t info)
{
    return inject_types[(info >> 8) & 7];
}

static size_t x86_vm_inject_name(uint64_t info, uint64_t err, uint64_t ilen, char *buf, size_t len)
{
    unsigned vec = info & 0xff, type = (info >> 8) & 7;
    const char *tn = inject_types[type];
    int n;
    if (!tn)
        n = snprintf(buf, len, "type%u vector=0x%02x", type, vec);
    else if (type == 0 || type == 7)
        n = snprintf(buf, len, "%s vector=0x%02x", tn, vec);
    else if (type == 2)
        n = snprintf(buf, len, "%s", tn);
    else if (type == 4)
        n = snprintf(buf, len, "%s int 0x%02x", tn, vec);
    else if (vec < 32 && vec_names[vec])
        n = snprintf(buf, len, "%s %s", tn, vec_names[vec]);
    else
        n = snprintf(buf, len, "%s vector=0x%02x", tn, vec);
    if (n >= 0 && (info >> 11 & 1) && type != 4)
        n += snprintf(buf + ((size_t)n < len ? (size_t)n : len), (size_t)n < len ? len - (size_t)n : 0,
                      "(%#llx)", (unsigned long long)(err & 0xffffffffu));
    if (n >= 0 && (type == 4 || type == 5 || type == 6))
        n += snprintf(buf + ((size_t)n < len ? (size_t)n : len), (size_t)n < len ? len - (size_t)n : 0,
                      " len=%llu", (unsigned long long)ilen);
    return n < 0 ? 0 : (size_t)n;
}

/* ipi.deliver lines of the local APIC (lapic.c deliver_line): a vector,
 * or a delivery mode << 8. irq.take of an interrupt: its vector; NMI: 0x400. */
static const char *const sipi_names[256] = { X86_HEX_TABLE("SIPI 0x") };

static const char *x86_line_name(unsigned line)
{
    if (line < 256)
        return int_names[line];
    switch (line) {
    case 0x200: return "SMI";
    case 0x400: return "NMI";
    case 0x500: return "INIT";
    case 0x800: return "INIT-deassert";
    default: return (line & ~0xffu) == 0x600 ? sipi_names[line & 0xff] : NULL;
    }
}

static int x86_cause_line(uint64_t cause)
{
    if (cause == X86_EXC_NMI)
        return 0x400;
    return cause < 256 ? (int)cause : -1;
}

/* ipi.send of the local APIC: its mech carries the ICR write
 * (lapic_trace_mech; ICR fields: SDM vol. 3A Figure 10-12). */
static const char *x86_ipi_class(uint64_t mech)
{
    static const char *const mode[8] = { "fixed", "lowest", "SMI", "reserved",
                                         "NMI", "INIT", "SIPI", "reserved" };
    if (TRACE_IPI_MECH(mech) != IPI_MECH_LAPIC || !TRACE_IPI_DETAIL(mech))
        return NULL;
    uint32_t icr = LAPIC_TRACE_ICR(mech);
    unsigned m = (icr >> 8) & 7;
    if (m == 5 && !(icr >> 14 & 1) && (icr >> 15 & 1))
        return "INIT-deassert"; /* level 0, trigger level (§10.6.1) */
    return mode[m];
}

static size_t x86_ipi_detail(uint64_t mech, char *buf, size_t len)
{
    const char *cls = x86_ipi_class(mech);
    if (len)
        buf[0] = 0;
    if (!cls)
        return 0;
    uint32_t icr = LAPIC_TRACE_ICR(mech), dest = LAPIC_TRACE_DEST(mech);
    unsigned m = (icr >> 8) & 7, sh = (icr >> 18) & 3;
    char vec[24] = "", trig[8] = "", to[32];
    if (m == 0 || m == 1 || m == 6)
        snprintf(vec, sizeof vec, " vector=0x%02x", icr & 0xff);
    if ((m == 0 || m == 1) && (icr >> 15 & 1))
        snprintf(trig, sizeof trig, " level");
    static const char *const shorthand[4] = { NULL, "self", "all", "all-but-self" };
    if (!strcmp(cls, "INIT-deassert"))
        to[0] = 0; /* goes to every APIC whatever the destination */
    else if (sh)
        snprintf(to, sizeof to, " %s", shorthand[sh]);
    else
        snprintf(to, sizeof to, " %s=0x%x", icr >> 11 & 1 ? "logical" : "phys", dest);
    int n = snprintf(buf, len, "%s%s%s%s", cls, vec, trig, to);
    return n < 0 ? 0 : (size_t)n;
}

static const char *x86_timer_name(uint64_t t)
{
    return t == LAPIC_TRACE_TIMER ? "lapic-timer" : t == LAPIC_TRACE_TSC_DEADLINE ? "tsc-deadline" : NULL;
}

static const char *x86_priv_name(uint64_t p)
{
    static const char *const n[4] = { "CPL0", "CPL1", "CPL2", "CPL3" };
    p &= 0xff; /* bits 15:8 of an exc.take / irq.take "from": the code mode */
    return p < 4 ? n[p] : NULL;
}

/* The X86_TMODE_* of an exc.take / irq.take "from" (x86_cpu.h); 0
 * (64-bit, or a trace recorded before the mode was) is not named. */
static const char *x86_mode_name_of(uint64_t m)
{
    static const char *const n[8] = { NULL, "real", "real32", "vm86", "prot16", "prot32", "compat16", "compat32" };
    return m < 8 ? n[m] : NULL;
}

static unsigned x86_insn_len(uint64_t bits)
{
    uint8_t b[8];
    struct x86_insn in;
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(bits >> (8 * i));
    int n = x86_decode(b, 8, 8, &in);
    return n > 0 ? (unsigned)n : 0;
}

/* vm.exit "inst": the exiting instruction's first 8 bytes (src/vmm/vmx_exit.c),
 * already in the trace's instruction encoding */
static uint64_t x86_exit_insn(uint64_t inst) { return inst; }

const struct arch_info arch_x86_64 = {
    .id = CPU_ARCH_X86_64,
    .name = "x86_64",
    .cpu_word = "cpu",
    .nstate = X86_NSTATE,
    .state_name = x86_state_name,
    .cause_name = x86_cause_name,
    .priv_name = x86_priv_name,
    .mode_name = x86_mode_name_of,
    .max_insn_len = 15,
    .insn_len = x86_insn_len,
    .disasm = x86_disasm,
    .syntaxes = x86_syntaxes,
    .disasm_syntax = x86_disasm_syntax,
    .gdb = &x86_gdb_arch,
    .reset_priv = 0,
    .cause_line = x86_cause_line,
    .line_name = x86_line_name,
    .timer_name = x86_timer_name,
    .ipi_detail = x86_ipi_detail,
    .ipi_class = x86_ipi_class,
    .vm_exit_name = vmx_exit_name,
    .vm_inject_name = x86_vm_inject_name,
    .vm_inject_class = x86_vm_inject_class,
    .vm_exit_class = vmx_exit_class,
    .exit_insn = x86_exit_insn,
    .vm_exit_inst_label = "insn",
};

void x86_init_cpu(struct cpu *c) { x86_init(c); }

void x86_reset_cpu(struct cpu *c)
{
    x86_reset(c);
    if (X86(c)->lapic)
        lapic_reset(X86(c)->lapic, false);
}

void x86_cpu_attach_lapic(struct cpu *c, struct lapic *l, bool wait_sipi)
{
    struct x86_cpu *x = X86(c);
    x->lapic = l;
    x->wait_sipi = wait_sipi;
    if (wait_sipi)
        c->state = CPU_STOPPED;
    x86_cpu_connect_intr(c, lapic_ack, l);
}
