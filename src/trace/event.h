/* Timeline events: the vocabulary of hvsim traces (docs/trace-format.md).
 * ISA-neutral: the RISC-V and x86 models emit the
 * same kinds. Every event has a virtual time, a CPU id, a kind and up to
 * TRACE_MAX_ARGS 64-bit arguments whose meaning the kind's table row names. */
#ifndef HVSIM_TRACE_EVENT_H
#define HVSIM_TRACE_EVENT_H
#include <stddef.h>
#include <stdint.h>

/* A kind's own arguments (at most 6), then its optional ones (below). */
#define TRACE_MAX_ARGS 10

/* X(ENUM, "name", "group", nargs, "arg names") — append only: the enum
 * value is the kind's number in the file format. */
#define TRACE_KINDS(X) \
    X(IPI_SEND,     "ipi.send",     "ipi",   4, "mech dest pc insn") \
    X(IPI_DELIVER,  "ipi.deliver",  "ipi",   3, "mech line src") \
    X(IRQ_TAKE,     "irq.take",     "irq",   4, "cause from to pc") \
    X(IRQ_CLAIM,    "irq.claim",    "irq",   2, "ctx src") \
    X(IRQ_COMPLETE, "irq.complete", "irq",   2, "ctx src") \
    X(TIMER_SET,    "timer.set",    "timer", 3, "timer value deadline") \
    X(TIMER_FIRE,   "timer.fire",   "timer", 2, "timer value") \
    X(WFI_SLEEP,    "wfi.sleep",    "wfi",   2, "pc insn") \
    X(WFI_WAKE,     "wfi.wake",     "wfi",   1, "pending") \
    X(SBI_CALL,     "sbi.call",     "sbi",   6, "eid fid a0 a1 pc from") \
    X(VM_EXIT,      "vm.exit",      "vm",    6, "reason pc tval gpa inst vmid") \
    X(VM_ENTRY,     "vm.entry",     "vm",    2, "pc vmid") \
    X(MMIO,         "mmio",         "mmio",  4, "addr size value write") \
    X(INPUT,        "input",        "input", 1, "byte") \
    X(CHECK,        "check",        "check", 2, "seq hash") \
    X(EXC_TAKE,     "exc.take",     "exc",   5, "cause from to pc tval") \
    X(END,          "end",          "end",   2, "status insns") \
    X(MARK,         "mark",         "mark",  1, "seq") \
    X(GDB_SCHED,    "gdb.sched",    "gdb",   5, "at end held addr guest")

/* Optional trailing arguments (docs/trace-format.md "Optional
 * arguments"): a record whose kind byte has bit 7 set (TRACE_KIND_OPT)
 * carries, after the kind's own arguments, a varint count n and n more
 * varints, the kind's optional arguments in table order. Only the
 * architectures that have them write them (x86 VMX: the VPID of vm.exit
 * and vm.entry, the event vm.entry injects); records without them are
 * byte for byte as before, and traces recorded before them read as
 * records with none. A reader keeps the ones it knows (in
 * trace_event.a after the kind's own, count in .nopt) and skips the
 * rest. */
#define TRACE_KIND_OPT 0x80u
#define TRACE_MAX_OPT 4
#define TRACE_OPT_SKIP_MAX 16 /* more in one record: corrupt */
struct trace_kind_opt {
    unsigned n;          /* optional arguments the kind knows (<= TRACE_MAX_OPT) */
    const char *args;    /* their names, space-separated */
};

enum trace_kind {
#define TRACE_KIND_ENUM(e, name, group, n, args) TK_##e,
    TRACE_KINDS(TRACE_KIND_ENUM)
#undef TRACE_KIND_ENUM
    TK_COUNT
};

extern const struct trace_kind_opt trace_kind_opts[TK_COUNT];

/* vm.exit's and vm.entry's optional arguments (x86 VMX; absent on RISC-V
 * and in traces recorded before them):
 *   vm.exit  a[6] vpid: the VPID the guest ran with (0: "enable VPID" off)
 *   vm.entry a[2] vpid: likewise;
 *            a[3] inject: the VM-entry interruption-information field when
 *                 the entry injected an event (§27.6: vector 7:0, type
 *                 10:8, deliver error code 11, valid 31), a[4] its error
 *                 code (when bit 11), a[5] the VM-entry instruction length
 *                 (software interrupt / exception types 4-6): present
 *                 (nopt 4) only on an entry that injects. */
enum {
    TRACE_VM_EXIT_VPID = 6,
    TRACE_VM_ENTRY_VPID = 2,
    TRACE_VM_ENTRY_INJECT = 3,
    TRACE_VM_ENTRY_INJECT_ERR = 4,
    TRACE_VM_ENTRY_INJECT_LEN = 5,
};
/* trace_vm_vpid, trace_vm_inject: below struct trace_event. */

/* gdb.sched: a debugger's change to the schedule in a recorded session
 * (src/gdbstub, docs/gdb.md "Recording a held session"): at = the schedule
 * position (instructions the scheduler ran); a scheduler-locked stepi of
 * the event's CPU (end = held = 0), a continue that held the CPUs of mask
 * `held` from position at to end (cpu = none), or a resume (cpu = none,
 * held = 0) with `end` breakpoints armed, one record each at addr, firing
 * only in guest `guest` (-1: any; gdb's `monitor guest`). Written
 * whatever the
 * event mask (never part of "default" or "all", so headers are unchanged);
 * replay re-applies them and does not compare them.
 * A host stop (cpu = none, held = end = 0, addr = round + 1 != 0): the
 * live window of `hvsim run --display sdl` closed (src/view/live.c),
 * ending the run at schedule position at, round `round`, where guest
 * says (TRACE_HOST_STOP_*); replay ends its run at the same point
 * (docs/view.md "The live window"). */
enum {
    TRACE_HOST_STOP_AFTER_HOOK = 0,  /* between rounds, in or after round `round`'s round hook */
    TRACE_HOST_STOP_BEFORE_HOOK = 1, /* between rounds, before it (the idle wait, a paused start) */
    TRACE_HOST_STOP_IN_ROUND = 2,    /* inside a round, stopped (step, run-to) at position at */
};

/* IPI mechanisms (ipi.send / ipi.deliver "mech"). */
enum trace_ipi_mech {
    IPI_MECH_MSWI = 1,   /* ACLINT MSWI (CLINT msip) write */
    IPI_MECH_SSWI = 2,   /* ACLINT SSWI setssip write */
    IPI_MECH_SBI = 3,    /* SBI IPI call (sPI / legacy send_ipi) */
    IPI_MECH_SIP = 4,    /* M-mode software set mip.SSIP (SBI IPI injection) */
    IPI_MECH_LAPIC = 5,  /* x86 local APIC ICR / x2APIC SELF IPI write (ipi.send: the
                            ICR in bits 63:8, see TRACE_IPI_DETAIL) */
    IPI_MECH_HVIP = 6,   /* RISC-V H: the hypervisor set hvip.VSSIP (virtual IPI injection) */
    IPI_MECH_VSBI = 7,   /* SBI IPI call from a guest (VS mode): dest is the guest's
                            vCPU mask, which only the hypervisor maps to harts */
    IPI_MECH_IMSIC = 8,  /* RISC-V AIA: a store to an IMSIC interrupt file's seteipnum
                            (an MSI; ipi.send dest = the hart mask, ipi.deliver line =
                            MEI/SEI/VSEI for the M/S/guest file) */
    IPI_MECH_POSTED = 9, /* x86 VMX: posted-interrupt processing (SDM vol. 3C §30.6), one
                            ipi.deliver per vector moved from the PIR into VIRR: line =
                            the vector, mech bits 15:8 = the notification vector */
    IPI_MECH_VINTR = 10, /* x86 VMX: virtual-interrupt delivery (§30.2.2) from RVI to the
                            guest: ipi.deliver line = the vector (an irq.take follows) */
    IPI_MECH_COUNT
};
/* The "mech" argument of ipi.send: the mechanism in bits 7:0; bits 63:8
 * hold a mechanism-specific detail, 0 for every mechanism but LAPIC (x86:
 * the ICR write, docs/trace-format.md "IPI mechanisms"; traces recorded
 * before it have 0 there too). ipi.deliver's mech is the bare mechanism. */
#define TRACE_IPI_MECH(m) ((uint64_t)(m) & 0xffu)
#define TRACE_IPI_DETAIL(m) ((uint64_t)(m) >> 8)
/* LAPIC ipi.send: bits 30:28 of mech hold the sending code's x86 code mode
 * (as TRACE_TAKE_MODE of exc.take, docs/trace-format.md "x86 code mode";
 * 0: 64-bit, and traces recorded before it), for its disassembly. */
#define TRACE_IPI_MODE(m) (TRACE_IPI_MECH(m) == IPI_MECH_LAPIC ? (unsigned)((uint64_t)(m) >> 28) & 7u : 0u)
/* The "from" argument of irq.take / exc.take: the privilege in bits 7:0,
 * an architecture's code mode in bits 15:8 (x86: the mode the interrupted
 * code ran in, for its disassembly; 0 for RISC-V and in traces recorded
 * before it; docs/trace-format.md "x86 code mode"). */
#define TRACE_TAKE_PRIV(f) ((uint64_t)(f) & 0xffu)
#define TRACE_TAKE_MODE(f) (((uint64_t)(f) >> 8) & 0xffu)
/* The "insn" argument of wfi.sleep: the instruction in bits 55:0 (RISC-V:
 * the 32-bit WFI encoding; x86: the HLT byte F4H) and an architecture's
 * code mode in bits 63:56 (x86: the mode HLT ran in, as TRACE_TAKE_MODE;
 * 0 for RISC-V, whose encodings never reach bit 56, for 64-bit x86 code
 * and in traces recorded before it; docs/trace-format.md "x86 code
 * mode"). */
#define TRACE_WFI_INSN(i) ((uint64_t)(i) & 0x00ffffffffffffffull)
#define TRACE_WFI_MODE(i) (((uint64_t)(i) >> 56) & 0xffu)
/* "MSWI", "SSWI", "SBI", "SIP", "LAPIC", "HVIP", "vSBI" (of bits 7:0); "?"
 * when unknown. */
const char *trace_ipi_mech_name(uint64_t mech);

/* Timers (timer.set / timer.fire "timer"). */
enum { TRACE_TIMER_MTIMECMP = 0, TRACE_TIMER_STIMECMP = 1, TRACE_TIMER_VSTIMECMP = 2 };

struct trace_event {
    uint64_t time;            /* virtual time, CPU ticks */
    uint32_t cpu;             /* hart / CPU id (UINT32_MAX: no CPU) */
    uint16_t kind;            /* enum trace_kind */
    uint64_t a[TRACE_MAX_ARGS]; /* the kind's own arguments, then its optional ones */
    uint8_t nopt;             /* optional arguments present (trace_kind_opts) */
    /* CHECK: architectural state blob (docs/trace-format.md); MARK: text */
    const uint8_t *blob;
    size_t blob_len;
};

#define TRACE_NO_CPU UINT32_MAX

/* The VPID of a vm.exit / vm.entry record, -1 when it carries none. */
static inline int64_t trace_vm_vpid(const struct trace_event *e)
{
    if (e->kind == TK_VM_EXIT && e->nopt >= 1)
        return (int64_t)(e->a[TRACE_VM_EXIT_VPID] & 0xffff);
    if (e->kind == TK_VM_ENTRY && e->nopt >= 1)
        return (int64_t)(e->a[TRACE_VM_ENTRY_VPID] & 0xffff);
    return -1;
}

/* The injection of a vm.entry record (its interruption information, bit
 * 31 set), 0 when none. */
static inline uint64_t trace_vm_inject(const struct trace_event *e)
{
    if (e->kind == TK_VM_ENTRY && e->nopt >= 4 && (e->a[TRACE_VM_ENTRY_INJECT] >> 31 & 1))
        return e->a[TRACE_VM_ENTRY_INJECT];
    return 0;
}

/* A gdb.sched record that is a host stop (above). */
static inline int trace_is_host_stop(const struct trace_event *e)
{
    return e->kind == TK_GDB_SCHED && e->cpu == TRACE_NO_CPU && !e->a[1] && !e->a[2] && e->a[3];
}

/* Kinds whose records carry a blob after their arguments. */
static inline int trace_kind_has_blob(unsigned kind) { return kind == TK_CHECK || kind == TK_MARK; }

struct trace_kind_info {
    const char *name;    /* "ipi.send" */
    const char *group;   /* "ipi": what --events selects */
    unsigned nargs;
    const char *args;    /* space-separated argument names */
};
extern const struct trace_kind_info trace_kinds[TK_COUNT];

/* Parses "ipi,irq,timer" (groups or full kind names, "all", "default") into
 * a kind mask. false + message naming the bad word on error. */
#include <stdbool.h>
bool trace_parse_events(const char *list, uint64_t *mask, char *err, size_t errlen);
/* The same without the always-recorded input/end kinds; `opt` names the
 * option in messages ("--ignore"). */
bool trace_parse_kinds(const char *list, const char *opt, uint64_t *mask, char *err, size_t errlen);
/* The kinds recorded without --events: all but mmio and exc.take. */
uint64_t trace_default_mask(void);
/* Name of argument i of a kind, e.g. "dest"; NULL past nargs + the
 * kind's optional arguments. */
const char *trace_arg_name(unsigned kind, unsigned i, char *buf, size_t len);

/* Same kind, cpu, time and arguments (blobs are not compared). Optional
 * arguments: two records that carry some must carry the same ones; a
 * record without any (a trace recorded before them) matches on the kind's
 * own arguments. */
bool trace_event_equal(const struct trace_event *a, const struct trace_event *b);

/* One line: "time cpuN kind arg=value ...". Returns the length needed. */
size_t trace_format_event(const struct trace_event *ev, char *buf, size_t len);

#endif
