/* MONITOR / MWAIT and the address monitor (Intel SDM vol. 2 "MONITOR",
 * "MWAIT", "CPUID" leaf 05H; vol. 3A §9.10.4 "MONITOR/MWAIT Address
 * Range"), with [cpu] monitor = on (docs/x86.md "MONITOR and MWAIT").
 * Without it both are #UD (exec.c), as CPUID.1:ECX.MONITOR = 0 says.
 *
 *  - Both are CPL 0 only: #UD elsewhere (no IA32_MISC_ENABLE ring-3
 *    MONITOR feature), in virtual-8086 mode too. In VMX non-root operation
 *    "MONITOR exiting" / "MWAIT exiting" exit (39 / 36, src/vmm) after the
 *    #UD checks and before every other check (vol. 3C §26.1.1: only #UD
 *    and privilege-based faults come before an instruction's exit).
 *  - MONITOR: ECX (extensions) must be 0, else #GP(0); EDX (hints) is
 *    ignored. DS:rAX (segment override allowed, rAX by the address size)
 *    is checked and translated as a one-byte load (#GP/#SS, #PF, EPT); the
 *    monitor arms the 64-byte line of its physical address (leaf 5: the
 *    smallest and largest line are both 64 bytes).
 *  - A store by any CPU or device to the armed line triggers the monitor
 *    (disarms it). The page of an armed line carries PAGE_MONITOR
 *    (src/sim/bus.h): no CPU keeps a fast store mapping of it, so every
 *    store to it reaches bus_mem_store_notify() and monitor_store() here,
 *    exactly like the stores to code pages (icache.c); stores to other
 *    pages pay nothing. A store is seen in the storing CPU's instruction,
 *    so the wake-up is as deterministic as the scheduler. Stores to a line
 *    outside RAM (MMIO) cannot be watched: such a monitor is armed but
 *    only the other break events end its MWAIT.
 *  - MWAIT: ECX bits above 0 are reserved: #GP(0). EAX (the C-state hint)
 *    is ignored: there is one wait state, C1 (leaf 5 EDX = 10H). With the
 *    monitor armed and not triggered the CPU sleeps as HLT does (through
 *    the scheduler, `wfi.sleep` with the bytes 0F 01 C9 as insn), until a store to the
 *    line (`wfi.wake` pending 2), an unmasked interrupt, a masked one when
 *    ECX[0] = 1 (leaf 5 ECX[1]), an NMI, INIT or a VM exit (pending 1);
 *    unarmed, MWAIT falls through as a NOP. On waking the CPU continues
 *    after the MWAIT (taking the interrupt first if it is unmasked) and
 *    the monitor is disarmed: the next wait needs a new MONITOR, which the
 *    SDM's usage (MONITOR, check, MWAIT in a loop) always does.
 *    With IF = 0 and ECX[0] = 0, when no other CPU runs or could be woken,
 *    the run ends as for such a HLT ("the machine is dead"): only a device
 *    could still store to the line, which hvsim does not wait for.
 *  - INIT and reset disarm the monitor. */
#include "x86_cpu.h"
#include "icache.h"
#include "../../sim/bus.h"
#include "../../sim/machine.h"
#include "../../vmm/vmx.h"
#include "../../trace/emit.h"

#define MON_LINE 64u

/* The region and page index of pa when it is RAM (NULL otherwise). */
static struct mem_region *ram_page(struct machine *m, uint64_t pa, uint64_t *pi)
{
    struct mem_region *r = bus_find_mem(&m->bus, pa);
    if (r)
        *pi = (pa - r->base) >> 12;
    return r;
}

/* The monitor of x is no longer armed: the page keeps PAGE_MONITOR while
 * another CPU's armed line is on it. (TLB entries that lost their fast
 * store mapping get it back at their next fill, as after PAGE_CODE.) */
static void disarm(struct x86_cpu *x)
{
    if (!x->mon_armed)
        return;
    x->mon_armed = false;
    struct machine *m = x->m;
    uint64_t pi;
    struct mem_region *r = ram_page(m, x->mon_pa, &pi);
    if (!r)
        return;
    for (int i = 0; i < m->ncpus; i++) {
        struct cpu *c = m->cpus[i];
        if (!c || c->ops->arch != CPU_ARCH_X86_64)
            continue;
        const struct x86_cpu *o = X86(c);
        if (o->mon_armed && (o->mon_pa >> 12) == (x->mon_pa >> 12))
            return;
    }
    r->page_flags[pi] &= (uint8_t)~PAGE_MONITOR;
}

/* bus_mem_store_notify: a store of size bytes at pa into a PAGE_MONITOR
 * page triggers every monitor armed on a line it touches. */
static void monitor_store(void *opaque, uint64_t pa, unsigned size)
{
    struct machine *m = opaque;
    for (int i = 0; i < m->ncpus; i++) {
        struct cpu *c = m->cpus[i];
        if (!c || c->ops->arch != CPU_ARCH_X86_64)
            continue;
        struct x86_cpu *o = X86(c);
        if (!o->mon_armed || pa >= o->mon_pa + MON_LINE || pa + size <= o->mon_pa)
            continue;
        disarm(o);
        if (o->mwait_sleep)
            o->mon_trig = true; /* x86_mwait_wake: the scheduler wakes it */
    }
}

/* The page flag and the bus hook of x's armed line. */
static void watch_line(struct x86_cpu *x)
{
    struct machine *m = x->m;
    uint64_t pi;
    struct mem_region *r = ram_page(m, x->mon_pa, &pi);
    if (!r)
        return; /* MMIO: no store can be watched (see above) */
    if (!m->bus.monitor_store) {
        m->bus.monitor_store = monitor_store;
        m->bus.monitor_opaque = m;
    }
    if (!(r->page_flags[pi] & PAGE_MONITOR)) {
        r->page_flags[pi] |= PAGE_MONITOR;
        x86_tlb_drop_writes(m, x->mon_pa & ~0xfffull); /* every CPU's stores to it take the bus */
    }
}

static void arm(struct x86_cpu *x, uint64_t pa)
{
    disarm(x);
    x->mon_pa = pa & ~(uint64_t)(MON_LINE - 1);
    x->mon_armed = true;
    watch_line(x);
}

/* #UD without the feature or outside CPL 0 (real mode is CPL 0; virtual-
 * 8086 mode is CPL 3). */
static void check_ud(struct x86_cpu *x)
{
    if (!x->monitor || x->cpl != 0)
        x86_raise(x, X86_EXC_UD, false, 0);
}

void x86_exec_monitor(struct x86_cpu *x)
{
    check_ud(x);
    if (__builtin_expect(x->vmx.non_root, 0))
        vmx_nr_simple(x, VMX_EXIT_MONITOR); /* MONITOR exiting (src/vmm) */
    if ((uint32_t)x->r[RCX] != 0)
        x86_raise(x, X86_EXC_GP, true, 0); /* no extensions are defined */
    unsigned as = x->in.addrsize;
    uint64_t off = x->r[RAX] & (as == 8 ? ~0ull : as == 4 ? 0xffffffffull : 0xffffull);
    int s = x->in.seg != X86_SEG_NONE ? x->in.seg : X86_DS;
    uint64_t la = x86_linear(x, s, off);
    if (x->code_size != 8)
        x86_seg_end_check(x, la, 1, false);
    if (!x->long_mode)
        la &= 0xffffffffull;
    arm(x, x86_translate(x, la, 0, false)); /* a load's checks (CPL 0: supervisor) */
}

void x86_exec_mwait(struct x86_cpu *x)
{
    check_ud(x);
    if (__builtin_expect(x->vmx.non_root, 0))
        vmx_nr_mwait(x, x->mon_armed); /* MWAIT exiting (src/vmm) */
    uint32_t ecx = (uint32_t)x->r[RCX];
    if (ecx & ~1u)
        x86_raise(x, X86_EXC_GP, true, 0);
    if (!x->mon_armed)
        return; /* not armed, or triggered since MONITOR: a NOP */
    uint64_t pc = x86_trace_pc(x);
    x->rip = x->next_rip;
    x->mwait_sleep = true;
    x->mwait_intr = ecx & 1;
    x->mon_trig = false;
    /* as HLT (exec.c): with IF = 0, ECX[0] = 0 and no CPU left that
     * could store to the line or send an NMI, nothing ever wakes it */
    if (!(x->rflags & FL_IF) && !(ecx & 1) && !x->nmi_pending && !x->vmx.non_root && !x86_hlt_can_wake(x))
        machine_request_exit(x->m, EXIT_GUEST_FAIL,
                             "MWAIT with IF = 0 and no CPU left to wake it: the machine is dead");
    x->cpu.state = CPU_SLEEPING;
    TRACE(x->m, TK_WFI_SLEEP, x->cpu.id, cpu_now(&x->cpu), pc,
          0xc9010f | (uint64_t)x86_trace_mode(x) << 56); /* the bytes 0F 01 C9; TRACE_WFI_MODE */
    cpu_end_run(&x->cpu);
}

uint64_t x86_mwait_wake(struct x86_cpu *x)
{
    if (x->mon_trig)
        return 2;
    if (x->nmi_pending || (x->intr && ((x->rflags & FL_IF) || x->mwait_intr)))
        return 1;
    return 0;
}

void x86_mwait_resume(struct x86_cpu *x)
{
    x->mwait_sleep = x->mwait_intr = x->mon_trig = false;
    /* a VM exit that woke it saves activity state "active": MWAIT's wait
     * is not the HLT state (vol. 3C §25.4.2, §28.3.4) */
    x->vmx.woke_for_exit = false;
    disarm(x);
}

void x86_monitor_reset(struct x86_cpu *x)
{
    if (x->m)
        disarm(x);
    x->mon_armed = x->mon_trig = x->mwait_sleep = x->mwait_intr = false;
}

void x86_monitor_restored(struct x86_cpu *x)
{
    if (x->mon_armed) /* a snapshot's copy: its machine's page needs the flag too */
        watch_line(x);
}
