/* Debug registers (Intel SDM vol. 3A ch. 17 §17.2, §17.3): MOV to/from
 * DR0-DR7, instruction, data and I/O breakpoints, the RF flag, the #DB
 * traps of single-step and of a task's T flag.
 *
 *  - MOV DRn (vol. 2 "MOV—Move to/from Debug Registers"), checked in this
 *    order: #GP(0) at CPL > 0 (virtual-8086 mode included); #UD for DR8-15
 *    (REX.R) and, with CR4.DE = 1, for DR4/DR5 (with CR4.DE = 0 they alias
 *    DR6/DR7); #DB (a fault, DR6.BD set, DR7.GD cleared) when DR7.GD = 1;
 *    #GP(0) for a 64-bit-mode write of a 1 to bits 63:32 of DR6 or DR7.
 *    Outside 64-bit mode the registers are read and written as 32 bits.
 *  - DR6 reads its reserved bits as the SDM shows them (FFFF0FF0h with B0-3,
 *    BD, BS, BT writable: no RTM, no bus-lock detection); DR7 keeps bit 10
 *    set and bits 11, 12, 14, 15 clear.
 *  - Breakpoints enabled by Ln or Gn (LE/GE are accepted and ignored: every
 *    breakpoint is exact). R/Wn = 00: instruction breakpoint at the linear
 *    address of the instruction's first byte (LENn = 00; other lengths are
 *    undefined and never match), a fault before the instruction unless
 *    RFLAGS.RF = 1. R/Wn = 01 (writes) and 11 (reads or writes): data
 *    breakpoints on any byte of the LENn-aligned range (1, 2, 8, 4 bytes),
 *    a trap after the instruction (after the iteration of a REP string
 *    instruction). Every data access counts, implicit ones (stack pushes
 *    of an event delivery, descriptor reads) included.
 *  - R/Wn = 10 with CR4.DE = 1: I/O breakpoints (§17.2.4, §17.2.5) on IN,
 *    OUT, INS and OUTS whose ports [port, port + size) meet the LENn-
 *    aligned range at DRn (the port number), a trap after the instruction
 *    (after the iteration of REP INS/OUTS) with DR6.Bn, as a data
 *    breakpoint; only an access that passed the IOPL / I/O bitmap check
 *    counts. With CR4.DE = 0 the SDM leaves R/W = 10 undefined: here such
 *    a breakpoint never matches (and CR4.DE may be set later without
 *    rewriting DR7).
 *  - DR6.Bn of each breakpoint that matched is set (B0-B3 are never
 *    cleared by the CPU; a single-step in the same instruction adds BS to
 *    the same #DB). The T flag of a new task's TSS sets BT (task.c).
 *  - Every #DB is traced as exc.take (TK_EXC_TAKE), faults through
 *    x86_raise, the traps (data / I/O breakpoints, single-step, T flag)
 *    here, with pc = the instruction the handler returns to.
 *  - RF (§17.3.1.1): cleared at the start of each instruction after the
 *    instruction-breakpoint check; the EFLAGS image of a fault-class
 *    exception has RF = 1 (except #DB for an instruction breakpoint)
 *    (trap.c); a REP string instruction keeps RF = 1 between its
 *    iterations, so an event between them pushes RF = 1 and the next
 *    iteration is not an instruction breakpoint again (exec.c rep_end);
 *    IRET loads RF from the stack.
 *
 * While a breakpoint (of any kind) is enabled or RF is set the interpreter runs one
 * instruction at a time through the slow path (exec.c step_debug): the
 * fast handlers and the predecoded slots do not look at breakpoints. */
#include "x86_cpu.h"
#include "../../trace/emit.h"

#define DR6_FIXED1 0xffff0ff0ull
#define DR6_WRITABLE 0x0000e00full /* B0-B3, BD, BS, BT */
#define DR7_FIXED1 0x400ull
#define DR7_WRITABLE 0xffff23ffull /* L/G 0-3, LE, GE, GD, R/W and LEN 0-3 */
#define DR6_BD (1u << 13)
#define DR6_BS (1u << 14)
#define DR6_BT (1u << 15)
#define DR7_GD (1u << 13)

/* Recomputes what the loop and the memory accesses look at. */
static void dbg_update(struct x86_cpu *x)
{
    uint64_t d7 = x->dr[7];
    bool insn = false, data = false, io = false;
    for (unsigned n = 0; n < 4; n++) {
        if (!((d7 >> (2 * n)) & 3))
            continue;
        unsigned rw = (unsigned)(d7 >> (16 + 4 * n)) & 3;
        if (rw == 0)
            insn = true;
        else if (rw == 2)
            io = true; /* matches only with CR4.DE = 1, looked at per access */
        else
            data = true;
    }
    x->dbg_insn = insn;
    x->dbg_data = data;
    x->dbg_io = io;
    x->attn = true; /* the loop picks step_debug up from the next instruction */
}

void x86_dbg_reset(struct x86_cpu *x)
{
    for (int n = 0; n < 6; n++)
        x->dr[n] = 0;
    x->dr[6] = DR6_FIXED1;
    x->dr[7] = DR7_FIXED1;
    x->dbg_hits = 0;
    x->dbg_ss_held = false;
    dbg_update(x);
}

/* #DB as a fault (general detect, instruction breakpoint): rip stays at
 * the instruction. An instruction-breakpoint #DB pushes RF as it is (0). */
static _Noreturn void db_fault(struct x86_cpu *x, uint32_t dr6_bits, bool ibp)
{
    if (__builtin_expect(x->vmx.non_root, 0)) {
        /* exception bitmap bit 1 (src/vmm): a #DB that exits writes
         * neither DR6 nor DR7 (SDM vol. 3C §28.1), the DR6 bits are the
         * exit qualification (Table 28-1: B0-B3, BD), and the saved
         * RFLAGS is the image the delivery would push (§28.3.3): RF = 1
         * for general detect, as it is for an instruction breakpoint */
        uint64_t fl = x->rflags;
        if (!ibp)
            x->rflags |= FL_RF;
        vmx_nr_exception(x, X86_EXC_DB, false, 0, VMX_EV_HW, dr6_bits);
        x->rflags = fl; /* no exit: delivered below as before */
    }
    x->dr[6] |= dr6_bits;
    if (dr6_bits & DR6_BD)
        x->dr[7] &= ~(uint64_t)DR7_GD; /* §17.2.4: cleared on entering the handler */
    x->dbg_ibp_fault = ibp;
    x86_raise(x, X86_EXC_DB, false, 0);
}

/* The register number of MOV DRn after the #GP / #UD / #DB checks. */
static unsigned dr_index(struct x86_cpu *x, unsigned reg)
{
    if ((x->cr0 & CR0_PE) && x->cpl != 0) /* protected and virtual-8086 mode */
        x86_raise(x, X86_EXC_GP, true, 0);
    if (reg >= 8 || ((reg == 4 || reg == 5) && (x->cr4 & CR4_DE)))
        x86_raise(x, X86_EXC_UD, false, 0);
    if (x->dr[7] & DR7_GD)
        db_fault(x, DR6_BD, false);
    return reg == 4 || reg == 5 ? reg + 2 : reg;
}

uint64_t x86_mov_from_dr(struct x86_cpu *x, unsigned reg)
{
    unsigned n = dr_index(x, reg);
    return x->code_size == 8 ? x->dr[n] : (uint32_t)x->dr[n];
}

void x86_mov_to_dr(struct x86_cpu *x, unsigned reg, uint64_t v)
{
    unsigned n = dr_index(x, reg);
    if (x->code_size != 8)
        v = (uint32_t)v;
    else if (n >= 6 && (v >> 32))
        x86_raise(x, X86_EXC_GP, true, 0);
    if (n == 6)
        v = (v & DR6_WRITABLE) | DR6_FIXED1;
    else if (n == 7)
        v = (v & DR7_WRITABLE) | DR7_FIXED1;
    x->dr[n] = v;
    if (n == 7 || n < 4)
        dbg_update(x);
}

enum { M_DATA, M_INSN, M_IO };

/* The enabled breakpoints of kind `kind` (M_INSN: R/W 00 at la; M_DATA:
 * R/W 01 for a write, 11 for a read or write; M_IO: R/W 10) whose range
 * holds a byte of [la, la + size). */
static unsigned matches(const struct x86_cpu *x, uint64_t la, unsigned size, int kind, bool write)
{
    bool insn = kind == M_INSN;
    static const uint64_t lens[4] = { 1, 2, 8, 4 }; /* LENn 00 01 10 11 (§17.2.5) */
    uint64_t d7 = x->dr[7], amask = x->long_mode ? ~0ull : 0xffffffffull;
    unsigned hit = 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!((d7 >> (2 * n)) & 3))
            continue;
        unsigned rw = (unsigned)(d7 >> (16 + 4 * n)) & 3, len = (unsigned)(d7 >> (18 + 4 * n)) & 3;
        uint64_t a = x->dr[n] & amask;
        if (insn) {
            if (rw == 0 && len == 0 && a == (la & amask))
                hit |= 1u << n;
            continue;
        }
        if (kind == M_IO ? rw != 2 : (rw == 0 || rw == 2 || (rw == 1 && !write)))
            continue;
        uint64_t lo = a & ~(lens[len] - 1), hi = lo + lens[len] - 1;
        uint64_t alo = la & amask, ahi = alo + size - 1;
        if (alo <= hi && ahi >= lo)
            hit |= 1u << n;
    }
    return hit;
}

void x86_dbg_insn_check(struct x86_cpu *x, uint64_t la)
{
    if (!x->dbg_insn || (x->rflags & FL_RF))
        return;
    unsigned hit = matches(x, la, 1, M_INSN, false);
    if (hit)
        db_fault(x, hit, true);
}

void x86_dbg_data_access(struct x86_cpu *x, uint64_t la, unsigned size, bool write)
{
    x->dbg_hits |= (uint8_t)matches(x, la, size, M_DATA, write);
}

void x86_dbg_io_access(struct x86_cpu *x, uint32_t port, unsigned size)
{
    if (x->cr4 & CR4_DE)
        x->dbg_hits |= (uint8_t)matches(x, port, size, M_IO, false);
}

/* A #DB trap now with DR6 |= bits, returning to rip. */
static void db_trap(struct x86_cpu *x, uint32_t dr6_bits)
{
    if (__builtin_expect(x->vmx.non_root, 0)) /* exception bitmap: the bits are the qualification (src/vmm) */
        vmx_nr_exception(x, X86_EXC_DB, false, 0, VMX_EV_HW, dr6_bits);
    vmx_delivering(&x->vmx, VMX_EV_HW, 0);
    x->dr[6] |= dr6_bits;
    TRACE(x->m, TK_EXC_TAKE, x->cpu.id, cpu_now(&x->cpu), (uint64_t)X86_EXC_DB, x86_trace_from(x),
          x86_event_cpl(x, X86_EXC_DB), x86_trace_pc(x), 0);
    x86_deliver(x, X86_EXC_DB, false, 0, false, x->rip);
}

void x86_dbg_single_step(struct x86_cpu *x)
{
    unsigned hit = x->dbg_hits; /* data breakpoints of the same instruction */
    x->dbg_hits = 0;
    db_trap(x, DR6_BS | hit);
}

void x86_dbg_task_trap(struct x86_cpu *x)
{
    db_trap(x, DR6_BT);
}

void x86_dbg_data_trap(struct x86_cpu *x)
{
    unsigned hit = x->dbg_hits;
    x->dbg_hits = 0;
    if (!hit)
        return;
    db_trap(x, hit);
}
