/* The MONITOR / MWAIT VM exits (docs/vmx.md; SDM vol. 3C §26.1.3,
 * §26.1.1, §28.2.1), run by tests/e2e/t_x86_mwait.sh with [cpu] vmx = on.
 * Each guest is a few instructions of this kernel in non-root operation.
 * With [cpu] monitor = on:
 *   - "MONITOR exiting": MONITOR exits with basic reason 39, instruction
 *     length 3, qualification 0 -- also with ECX = 1 and with a
 *     non-canonical RAX (those #GP(0)s come after the exit);
 *   - "MWAIT exiting": MWAIT exits with reason 36, length 3, and the
 *     qualification 1 when the guest's MONITOR armed the monitor, 0 when
 *     nothing is armed or a store to the line disarmed it; also with
 *     ECX = 2 (its #GP(0) comes after the exit);
 *   - without the controls both run in the guest: MWAIT after a store to
 *     the armed line, or unarmed, falls through (the VMCALL after it
 *     exits, 18); ECX = 2 / ECX = 1 raise #GP(0) in the guest (exception
 *     bitmap: reason 0, interruption information 80000B0DH);
 *   - a guest asleep in MWAIT is woken by a VMX-preemption-timer exit
 *     (52), which saves activity state 0 (active: MWAIT's wait is not the
 *     HLT state) and RIP after the MWAIT.
 * With monitor = off: MONITOR / MWAIT exiting set, both #UD, and the #UD
 * comes before the exit (§26.1.1): reason 0, information 80000306H.
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));
static volatile uint8_t line[64] __attribute__((aligned(64)));

void g_monitor(void);
void g_mwait(void);
void g_mon_mwait(void);
void g_mon_store_mwait(void);
void g_mwait_vmcall(void);
void g_mwait_sleep(void);
void g_mwait_sleep_after(void);
__asm__(".text\n"
        ".globl g_monitor\ng_monitor:\n\tmonitor\n\tud2\n"
        ".globl g_mwait\ng_mwait:\n\tmwait\n\tud2\n"
        ".globl g_mon_mwait\ng_mon_mwait:\n\tmonitor\n\tmwait\n\tud2\n"
        ".globl g_mon_store_mwait\ng_mon_store_mwait:\n\tmonitor\n\tmovb $1, (%rax)\n\tmwait\n\tvmcall\n\tud2\n"
        ".globl g_mwait_vmcall\ng_mwait_vmcall:\n\tmwait\n\tvmcall\n\tud2\n"
        ".globl g_mwait_sleep\ng_mwait_sleep:\n\tmonitor\n\tmwait\n"
        ".globl g_mwait_sleep_after\ng_mwait_sleep_after:\n\tud2\n");

#define MWAIT_EXIT (1u << 10)
#define MONITOR_EXIT (1u << 29)
#define EQ(what, got, want) CHECKX((got) == (want), what, got)

static int launched;

/* Runs guest fn with registers g, primary controls proc, pin controls
 * pin; the exit reason (~0 on a failed entry). */
static uint64_t run_pin(void (*fn)(void), struct gregs *g, uint32_t proc, uint32_t pin)
{
    vmw(PROC, vmx_adjust(0x48e, proc));
    vmw(PIN, vmx_adjust(0x48d, pin));
    vmw(G_RIP, (uint64_t)fn);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    vmw(G_RFLAGS, 2);
    vmw(G_ACTIVITY, 0);
    uint64_t r = vm_enter(g, !launched);
    launched = 1;
    CHECKX(r == 0, "VM entry", r | vmr(INSN_ERROR) << 16);
    return r == 0 ? vmr(EXIT_REASON) : ~0ull;
}
static uint64_t run(void (*fn)(void), struct gregs *g, uint32_t proc) { return run_pin(fn, g, proc, 0); }
static struct gregs regs(uint64_t rax, uint64_t rcx)
{
    struct gregs g = { 0 };
    g.rax = rax;
    g.rcx = rcx;
    return g;
}

static void test_off(void)
{
    /* §26.1.1: the #UD (no MONITOR/MWAIT) has priority over the exits */
    vmw(EXC_BITMAP, 1u << 6);
    struct gregs g = regs((uint64_t)line, 0);
    EQ("monitor = off: MONITOR with MONITOR exiting #UDs first (reason 0)", run(g_monitor, &g, MONITOR_EXIT), 0);
    EQ("  interruption information 80000306H", vmr(EXIT_INTR_INFO), 0x80000306u);
    g = regs(0, 0);
    EQ("monitor = off: MWAIT with MWAIT exiting #UDs first (reason 0)", run(g_mwait, &g, MWAIT_EXIT), 0);
    EQ("  interruption information 80000306H", vmr(EXIT_INTR_INFO), 0x80000306u);
    vmw(EXC_BITMAP, 0);
}

static void test_exits(void)
{
    struct gregs g = regs((uint64_t)line, 0);
    EQ("MONITOR with MONITOR exiting: reason 39", run(g_monitor, &g, MONITOR_EXIT), 39);
    EQ("MONITOR: instruction length 3", vmr(EXIT_INSN_LEN), 3);
    EQ("MONITOR: qualification 0", vmr(EXIT_QUAL), 0);
    EQ("MONITOR: guest RIP at the MONITOR", vmr(G_RIP), (uint64_t)g_monitor);
    g = regs((uint64_t)line, 1);
    EQ("MONITOR ECX = 1 with MONITOR exiting: the exit comes before #GP (39)", run(g_monitor, &g, MONITOR_EXIT), 39);
    g = regs(0x0000900000000000ull, 0);
    EQ("MONITOR non-canonical with MONITOR exiting: the exit comes before #GP (39)",
       run(g_monitor, &g, MONITOR_EXIT), 39);

    g = regs(0, 0);
    EQ("MWAIT with MWAIT exiting, nothing armed: reason 36", run(g_mwait, &g, MWAIT_EXIT), 36);
    EQ("MWAIT: instruction length 3", vmr(EXIT_INSN_LEN), 3);
    EQ("MWAIT unarmed: qualification 0", vmr(EXIT_QUAL), 0);
    g = regs((uint64_t)line, 0);
    EQ("MONITOR then MWAIT with MWAIT exiting only: reason 36", run(g_mon_mwait, &g, MWAIT_EXIT), 36);
    EQ("MWAIT after the guest's MONITOR: qualification 1 (armed)", vmr(EXIT_QUAL), 1);
    EQ("  guest RIP at the MWAIT (the MONITOR ran in the guest)", vmr(G_RIP), (uint64_t)g_mon_mwait + 3);
    g = regs(0, 2);
    EQ("MWAIT ECX = 2 with MWAIT exiting: the exit comes before #GP (36)", run(g_mwait, &g, MWAIT_EXIT), 36);
    EQ("  still armed across the exits: qualification 1", vmr(EXIT_QUAL), 1);
    g = regs((uint64_t)line, 0);
    EQ("MONITOR, a store to the line, MWAIT with MWAIT exiting: 36", run(g_mon_store_mwait, &g, MWAIT_EXIT), 36);
    EQ("  the store disarmed the monitor: qualification 0", vmr(EXIT_QUAL), 0);
    CHECK(line[0] == 1, "the guest's store landed");
}

static void test_no_controls(void)
{
    struct gregs g = regs((uint64_t)line, 0);
    EQ("no controls: MONITOR, store, MWAIT falls through to the VMCALL (18)", run(g_mon_store_mwait, &g, 0), 18);
    g = regs(0, 0);
    EQ("no controls: unarmed MWAIT falls through to the VMCALL (18)", run(g_mwait_vmcall, &g, 0), 18);
    vmw(EXC_BITMAP, 1u << 13);
    g = regs(0, 2);
    EQ("no controls: MWAIT ECX = 2 #GPs in the guest (reason 0)", run(g_mwait, &g, 0), 0);
    EQ("  interruption information 80000B0DH, error code 0", vmr(EXIT_INTR_INFO), 0x80000b0du);
    g = regs((uint64_t)line, 1);
    EQ("no controls: MONITOR ECX = 1 #GPs in the guest (reason 0)", run(g_monitor, &g, 0), 0);
    EQ("  interruption information 80000B0DH", vmr(EXIT_INTR_INFO), 0x80000b0du);
    vmw(EXC_BITMAP, 0);
    /* asleep in MWAIT (IF = 0, nothing stores to the line): the
     * preemption timer's exit wakes it */
    vmw(PREEMPT, 2000);
    g = regs((uint64_t)line, 0);
    EQ("no controls: a guest asleep in MWAIT, woken by the preemption timer (52)",
       run_pin(g_mwait_sleep, &g, 0, PIN_PREEMPT), 52);
    EQ("  activity state saved: 0 (active, not HLT)", vmr(G_ACTIVITY), 0);
    EQ("  guest RIP after the MWAIT", vmr(G_RIP), (uint64_t)g_mwait_sleep_after);
}

int kmain(void)
{
    x86t_puts("x86 vmx-mwait: start\n");
    x86t_idt_init();
    x86t_sys_init();
    vmxt_start("vmx-mwait", vmxon_region, vmcs);
    vmxt_setup((uint64_t)g_monitor, (uint64_t)(guest_stack + sizeof guest_stack), 0, 0, 0, X86T_TSS,
               (uint64_t)&x86t_tss);
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 3))) {
        test_off();
        return vmxt_finish("vmx-mwait (monitor = off)", vmcs);
    }
    test_exits();
    test_no_controls();
    return vmxt_finish("vmx-mwait (monitor = on)", vmcs);
}
