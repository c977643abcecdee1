/* The ISA-neutral CPU interface: everything the scheduler, devices, trace and
 * gdbstub know about a CPU. A CPU model embeds struct cpu as its first member
 * and fills in ops. */
#ifndef HVSIM_CPU_H
#define HVSIM_CPU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct cpu;

/* An interrupt message, as opposed to a level on a wire: what an x86 local
 * APIC receives from another APIC's ICR, an IOAPIC redirection entry or an
 * MSI (Intel SDM vol. 3A §10.6.1, "Delivery Mode"). ISA-neutral: the
 * scheduler only queues and orders them. */
enum cpu_msg_mode {
    CPU_MSG_FIXED = 0,
    CPU_MSG_LOWEST = 1,       /* lowest priority (the sender arbitrated) */
    CPU_MSG_SMI = 2,
    CPU_MSG_NMI = 4,
    CPU_MSG_INIT = 5,
    CPU_MSG_SIPI = 6,         /* start-up: vector = start page (CS:IP = vv00:0000) */
    CPU_MSG_EXTINT = 7,
    CPU_MSG_INIT_DEASSERT = 8, /* INIT level de-assert (SDM §10.6.1, level 0) */
    /* RISC-V AIA: an MSI to one of the hart's IMSIC interrupt files
     * (vector = the file: 0 M, 1 S, 1+g guest g; eiid = the identity) */
    CPU_MSG_IMSIC = 16,
};
struct cpu_msg {
    uint8_t mode;             /* enum cpu_msg_mode */
    uint8_t vector;
    uint8_t level_triggered;  /* trigger mode: 1 level, 0 edge */
    uint8_t source_kind;      /* 0 a CPU (source = its id), 1 a device */
    uint32_t source;
    uint16_t eiid;            /* CPU_MSG_IMSIC: interrupt identity (1..2047) */
};

enum cpu_state {
    CPU_RUNNING,  /* executes instructions in its slots */
    CPU_SLEEPING, /* WFI/HLT: waits for an interrupt; wakes when
                     ops->wake_pending() is non-zero */
    CPU_STOPPED,  /* executes nothing: powered off, or x86 wait-for-SIPI.
                     Its clock still follows virtual time, its timers fire
                     and its queued interrupt changes/messages are applied
                     at their times; only the CPU model itself leaves this
                     state (e.g. on a SIPI message). (SBI HSM "stopped" is a
                     guest-level notion: such a hart runs OpenSBI's loop.) */
};

/* A per-CPU deadline: when the CPU's clock reaches `deadline`, `fire` runs
 * (at an instruction boundary of that CPU, or while it sleeps). Devices use
 * these for timers (mtimecmp, stimecmp, LAPIC timer). */
#define CPU_MAX_TIMERS 4
struct cpu_timer {
    uint64_t deadline; /* UINT64_MAX = disarmed */
    void (*fire)(void *opaque, struct cpu *cpu);
    void *opaque;
};

struct cpu_ops {
    void (*reset)(struct cpu *cpu);
    /* Execute up to budget instructions; return the number retired. May
     * return early (WFI -> state CPU_SLEEPING, machine exit requested, a
     * timer deadline reached). */
    uint64_t (*run)(struct cpu *cpu, uint64_t budget);
    /* Set an interrupt input line of the CPU (RISC-V: a mip bit number). */
    void (*set_irq)(struct cpu *cpu, int line, int level);
    /* Receive an interrupt message (x86 local APIC: fixed, NMI, INIT,
     * SIPI...); NULL for CPUs that only have lines. */
    void (*irq_msg)(struct cpu *cpu, const struct cpu_msg *msg);
    /* Non-zero when a sleeping CPU must wake: the pending, enabled
     * interrupts (RISC-V: mip & mie). */
    uint64_t (*wake_pending)(struct cpu *cpu);
    /* gdb and tracing helpers (may be NULL until implemented). */
    uint64_t (*get_pc)(struct cpu *cpu);
    void (*free)(struct cpu *cpu);
    /* Architectural state for trace check records, in a fixed order (names:
     * arch_by_id(arch)->state_name(i), src/sim/arch.h). Writes up to max
     * values, returns the count. */
    unsigned (*arch_state)(struct cpu *cpu, uint64_t *vals, unsigned max);
    /* The bytes of the instruction at the current pc, when known: copies
     * up to max of them (in memory order) to buf and returns the
     * instruction's length, 0 if unknown. Lets device-side trace events show
     * the instruction that caused them. */
    unsigned (*insn_bytes)(struct cpu *cpu, uint8_t *buf, unsigned max);
    /* Forget cached translations (also restarts dirty-page tracking). */
    void (*flush_tlb)(struct cpu *cpu);
    unsigned arch;          /* CPU_ARCH_* */
    /* Copy every piece of state of src (a CPU of another machine of the same
     * shape) into dst, keeping dst's links to its own machine (snapshots). */
    void (*copy_state)(struct cpu *dst, const struct cpu *src);
    /* The guest this CPU is running: -1 when it is not running one (host,
     * hypervisor or bare-metal code), else the guest's id (RISC-V: hgatp.VMID
     * while V=1; x86: the current-VMCS pointer). Breakpoint
     * guest filters and vm.exit/vm.entry events use it (src/vmm/). NULL: the
     * CPU never runs guests (read it through vmm_guest_id()). */
    int64_t (*guest_id)(struct cpu *cpu);
    /* The address-space tag of the guest this CPU runs: -1 when it is not
     * running one, else x86's VPID (0 when "enable VPID" is 0: the guest's
     * mappings are VPID 0000H's, SDM vol. 3C §29.1). Breakpoint filters of
     * the form CPU_GUEST_BY_TAG | tag use it (`monitor guest vpid N`).
     * NULL: the architecture has no such tag (RISC-V: the VMID is guest_id). */
    int64_t (*guest_tag)(struct cpu *cpu);
};

enum { CPU_ARCH_RISCV64 = 1, CPU_ARCH_X86_64 = 2 };

/* cpu.bp_guest: a filter on the guest's tag (ops->guest_tag) rather than
 * its id. */
#define CPU_GUEST_BY_TAG (INT64_C(1) << 62)

/* An interrupt-line change or an interrupt message sent by another CPU (or
 * a device acting in its slot), applied when this CPU's clock reaches the
 * sender's time (so no CPU sees an effect before its cause in virtual
 * time). line >= 0: set_irq(line, level); line < 0: irq_msg(&msg). */
#define CPU_MAX_DEFERRED 64
struct cpu_irq_change {
    uint64_t time;
    int line, level;
    struct cpu_msg msg;
};

struct cpu {
    const struct cpu_ops *ops;
    struct machine *m;
    int id;                 /* hart id / APIC id */
    enum cpu_state state;
    uint64_t clock;         /* ticks at the start of the current run() call */
    uint64_t run_budget;    /* budget of the current run() call */
    uint64_t *run_left;     /* model's count of instructions left in run() */
    uint64_t retired;       /* instructions retired in total */
    bool yielded;           /* gave up the rest of its slot (cpu_yield) */
    struct cpu_timer timers[CPU_MAX_TIMERS];
    int ntimers;
    struct cpu_irq_change deferred[CPU_MAX_DEFERRED]; /* sorted by time */
    int ndeferred;
    /* Debugger breakpoints (shared by all CPUs of a machine): a CPU model
     * stops before executing an instruction at one of these pcs, sets
     * bp_hit and returns from run(). bp_skip_pc: resume over it once. */
    const uint64_t *bps;
    int nbps;
    bool bp_hit;
    uint64_t bp_skip_pc;
    int64_t bp_guest;       /* >= 0: breakpoints fire only in that guest (ops->guest_id),
                             * or with CPU_GUEST_BY_TAG set only while ops->guest_tag
                             * reports the other bits: cpu_guest_match) */
    /* Debugger watchpoints: a CPU model reports a matching load/store after
     * it completes (wp_hit, wp_addr, wp_kind) and ends its run. */
    const struct cpu_watch *wps;
    int nwps;
    bool wp_hit;
    uint64_t wp_addr;
    int wp_kind;
};

/* A watchpoint: [addr, addr+len) of virtual addresses; kind as gdb's Z
 * packets: 2 write, 3 read, 4 access. */
struct cpu_watch {
    uint64_t addr, len;
    int kind;
};

/* The watchpoint an access hits, or NULL. */
static inline const struct cpu_watch *cpu_watch_hit(const struct cpu *c, uint64_t va, uint64_t size,
                                                    bool write)
{
    for (int i = 0; i < c->nwps; i++) {
        const struct cpu_watch *w = &c->wps[i];
        if (va < w->addr + w->len && w->addr < va + size &&
            (w->kind == 4 || (w->kind == 2) == write))
            return w;
    }
    return NULL;
}

/* True when a watchpoint overlaps the 4 KiB page at va. */
static inline bool cpu_watch_page(const struct cpu *c, uint64_t va)
{
    uint64_t page = va & ~0xfffull;
    for (int i = 0; i < c->nwps; i++)
        if (c->wps[i].addr < page + 4096 && page < c->wps[i].addr + c->wps[i].len)
            return true;
    return false;
}

/* True when pc (or, with page set, any address of pc's 4 KiB page) has a
 * breakpoint. */
static inline bool cpu_bp_at(const struct cpu *c, uint64_t pc, bool page)
{
    for (int i = 0; i < c->nbps; i++)
        if (page ? (c->bps[i] >> 12) == (pc >> 12) : c->bps[i] == pc)
            return true;
    return false;
}

/* True when the guest c runs passes the breakpoints' guest filter
 * (bp_guest: any, a guest id, or CPU_GUEST_BY_TAG | a guest tag). */
static inline bool cpu_guest_match(struct cpu *c)
{
    if (c->bp_guest < 0)
        return true;
    if (c->bp_guest & CPU_GUEST_BY_TAG)
        return c->ops->guest_tag && c->ops->guest_tag(c) == (c->bp_guest & ~CPU_GUEST_BY_TAG);
    return c->ops->guest_id && c->ops->guest_id(c) == c->bp_guest;
}

/* The CPU's current tick: exact, also in the middle of run(). */
static inline uint64_t cpu_now(const struct cpu *c)
{
    return c->clock + (c->run_left ? c->run_budget - *c->run_left : 0);
}

/* End the current run() after the instruction in progress (exit requests,
 * interrupts raised for the running CPU). No-op outside run(). */
void cpu_end_run(struct cpu *c);

/* Give up the rest of the current slot after the instruction in progress
 * (x86 PAUSE, a spin-wait hint): the run ends and the CPU retires nothing
 * more until its next slot; meanwhile its clock moves on to the slot end as
 * a sleeping CPU's does (timers fire, queued messages apply at their
 * times), so the other CPUs of the machine run sooner. Deterministic: the
 * slot ends at the same instruction in every run (docs/architecture.md
 * "Virtual time and scheduling"). No-op outside run(). */
void cpu_yield(struct cpu *c);

/* Snapshot copies (cpu_ops.copy_state): copies the CPU model's whole
 * struct of `size` bytes (struct cpu first) from src into dst, then gives
 * dst back what belongs to its own machine: the machine link, its timers'
 * callbacks (with src's deadlines), no run in progress, no debugger
 * breakpoints/watchpoints. The model then restores its own links. */
void cpu_copy_whole(struct cpu *dst, const struct cpu *src, size_t size);

/* Timers: allocate once at machine build time, then arm/disarm freely. */
int cpu_timer_alloc(struct cpu *c, void (*fire)(void *, struct cpu *), void *opaque);
void cpu_timer_arm(struct cpu *c, int t, uint64_t deadline);
uint64_t cpu_next_deadline(const struct cpu *c);
/* Fire every timer whose deadline <= cpu_now(c), and apply the deferred
 * interrupt-line changes that are due. */
void cpu_fire_due_timers(struct cpu *c);

/* Devices change a CPU's interrupt lines through this: `when` is the
 * virtual time of the cause (the sending CPU's clock). If the target's
 * clock is already there, or it is the CPU in its slot, the change is
 * immediate; otherwise it waits until the target's clock reaches `when`. */
void cpu_deliver_irq(struct cpu *target, const struct cpu *current, uint64_t when, int line, int level);
/* The same for an interrupt message (the target must have ops->irq_msg). A
 * message to a stopped CPU waiting for a SIPI arrives the same way. */
void cpu_deliver_msg(struct cpu *target, const struct cpu *current, uint64_t when,
                     const struct cpu_msg *msg);

#endif
