/* The x86 local APIC, one per CPU (Intel SDM vol. 3A ch. 10 "Advanced
 * Programmable Interrupt Controller (APIC)"; ch. 11 in newer editions), in
 * xAPIC mode (a 4 KiB MMIO page at IA32_APIC_BASE) and x2APIC mode (MSRs
 * 0x800-0x8ff). docs/x86.md "Interrupts and SMP" lists what is modelled.
 *
 * All the local APICs of a machine live in one struct lapic_sys, which
 * routes interrupt messages (ICR, IOAPIC) to their destinations through the
 * engine's message seam (cpu_deliver_msg: a message takes effect on the
 * target when its clock reaches the sender's time). The CPU model reaches
 * its own APIC through the functions below; nothing here is called on
 * another CPU's behalf except through messages. */
#ifndef HVSIM_LAPIC_H
#define HVSIM_LAPIC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct cpu;
struct cpu_msg;
struct lapic;
struct lapic_sys;

#define LAPIC_DEFAULT_BASE 0xfee00000u

/* xAPIC register offsets (SDM vol. 3A Table 10-1); x2APIC MSR = 0x800 +
 * offset / 16 (Table 10-6). */
enum {
    LAPIC_ID = 0x20, LAPIC_VER = 0x30, LAPIC_TPR = 0x80, LAPIC_APR = 0x90, LAPIC_PPR = 0xa0,
    LAPIC_EOI = 0xb0, LAPIC_RRD = 0xc0, LAPIC_LDR = 0xd0, LAPIC_DFR = 0xe0, LAPIC_SVR = 0xf0,
    LAPIC_ISR = 0x100, LAPIC_TMR = 0x180, LAPIC_IRR = 0x200, LAPIC_ESR = 0x280,
    LAPIC_LVT_CMCI = 0x2f0, LAPIC_ICR_LO = 0x300, LAPIC_ICR_HI = 0x310,
    LAPIC_LVT_TIMER = 0x320, LAPIC_LVT_THERMAL = 0x330, LAPIC_LVT_PERF = 0x340,
    LAPIC_LVT_LINT0 = 0x350, LAPIC_LVT_LINT1 = 0x360, LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_ICR = 0x380, LAPIC_TIMER_CCR = 0x390, LAPIC_TIMER_DCR = 0x3e0,
    LAPIC_SELF_IPI = 0x3f0, /* x2APIC only (MSR 0x83f) */
};

/* ESR bits (SDM vol. 3A Figure 10-9). */
enum {
    LAPIC_ESR_SEND_ACCEPT = 1u << 2, LAPIC_ESR_RECV_ACCEPT = 1u << 3,
    LAPIC_ESR_REDIRECTABLE = 1u << 4, LAPIC_ESR_SEND_ILLEGAL = 1u << 5,
    LAPIC_ESR_RECV_ILLEGAL = 1u << 6, LAPIC_ESR_ILLEGAL_REG = 1u << 7,
};

/* IA32_APIC_BASE bits. */
enum { APIC_BASE_BSP = 1u << 8, APIC_BASE_EXTD = 1u << 10, APIC_BASE_EN = 1u << 11 };

/* ipi.send "mech" of an ICR write: lo = ICR[31:0], dest = its destination
 * field (xAPIC ICR[63:56], x2APIC ICR[63:32]); docs/trace-format.md. */
uint64_t lapic_trace_mech(uint32_t lo, uint32_t dest);
/* Its fields, for the tools that name them (arch_x86_64.ipi_detail). */
#define LAPIC_TRACE_ICR(mech) ((uint32_t)((mech) >> 8) & 0xfffffu)
#define LAPIC_TRACE_DEST(mech) ((uint32_t)((mech) >> 32))

/* timer.set / timer.fire "timer" numbers on x86 (arch_x86_64.timer_name). */
enum { LAPIC_TRACE_TIMER = 0, LAPIC_TRACE_TSC_DEADLINE = 1 };

/* The APICs of CPUs 0..ncpus-1 of m (m->cpus[] must be x86 CPUs; one
 * cpu_timer is taken on each). APIC ID = CPU index. NULL on a bad
 * argument or a CPU without a free timer. */
struct lapic_sys *lapic_sys_new(struct machine *m, int ncpus);
void lapic_sys_free(struct lapic_sys *s);
struct lapic *lapic_of(struct lapic_sys *s, int cpu);
/* Who gives the vector of an ExtINT interrupt (the 8259's INTA). */
void lapic_sys_set_extint(struct lapic_sys *s, int (*ack)(void *opaque), void *opaque);
/* Called on every EOI of a level-triggered vector (the IOAPIC's remote IRR,
 * SDM vol. 3A §10.8.5). */
void lapic_sys_set_eoi_listener(struct lapic_sys *s, void (*eoi)(void *opaque, uint8_t vector),
                                void *opaque);
void lapic_sys_copy_state(struct lapic_sys *dst, const struct lapic_sys *src);
/* Check records (docs/trace-format.md "Check records"): one APIC's
 * guest-visible state and timer as LAPIC_CHECK_N values, and their names
 * ("tpr", "isr.0-63", ...). */
#define LAPIC_CHECK_N 34
void lapic_check_state(const struct lapic *l, uint64_t v[LAPIC_CHECK_N]);
const char *lapic_check_name(unsigned i);

/* A message from a device (IOAPIC redirection entry, SDM vol. 3A §10.6 /
 * 82093AA): routed like an ICR message (dest: 8-bit xAPIC destination;
 * logical: dest_mode 1); lowest priority arbitrates. Not an ipi.send. */
void lapic_sys_device_msg(struct lapic_sys *s, unsigned mode, uint8_t vector, bool level,
                          bool logical, uint32_t dest, uint32_t source);

/* Power-on state of one APIC (SDM vol. 3A §10.4.7.1); init: the INIT
 * state (the same except the APIC ID and IA32_APIC_BASE, kept). */
void lapic_reset(struct lapic *l, bool init);
/* The state a PC BIOS leaves the bootstrap APIC in (MP spec 1.4 §3.6.2.2,
 * virtual wire mode): software-enabled, spurious vector 0xff, LINT0
 * ExtINT, LINT1 NMI. */
void lapic_virtual_wire(struct lapic *l);

/* ---- what the CPU model calls (its own APIC, at its own time) ---- */

/* Is pa inside this APIC's xAPIC page (enabled, not x2APIC)? */
bool lapic_mmio_claims(const struct lapic *l, uint64_t pa);
/* xAPIC register access at physical address pa (the page offset picks
 * the register; 32-bit registers, other sizes read 0 / are dropped). Never
 * fails. Traced as mmio events. */
uint64_t lapic_mmio_read(struct lapic *l, uint64_t pa, unsigned size);
void lapic_mmio_write(struct lapic *l, uint64_t pa, unsigned size, uint64_t val);
/* MSRs: IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0), x2APIC 0x800-0x8ff.
 * Returns -1 when msr is not the APIC's, 0 for #GP, 1 for done. */
int lapic_rdmsr(struct lapic *l, uint32_t msr, uint64_t *val);
int lapic_wrmsr(struct lapic *l, uint32_t msr, uint64_t val);
/* MOV to CR8 (TPR[7:4] = CR8[3:0], SDM vol. 3A §10.8.6.1). */
void lapic_set_tpr(struct lapic *l, uint32_t tpr);
/* INTA: the vector to take (moves it from IRR to ISR), the 8259's vector
 * for ExtINT, the spurious vector when nothing is left. opaque: struct lapic. */
int lapic_ack(void *opaque);
/* A write to the EOI register (the posted-interrupt processing of VMX
 * dismisses the notification interrupt so, SDM vol. 3C §30.6). */
void lapic_write_eoi(struct lapic *l);
/* The CPU's LINT0/LINT1 pins (the 8259's INTR, NMI). */
void lapic_set_lint(struct lapic *l, int pin, int level);
/* An interrupt message reached this APIC (at its CPU's time). Returns true
 * when the CPU must act on it itself (NMI, INIT, SIPI); fixed, lowest
 * priority and ExtINT end here. Records ipi.deliver for IPIs. */
bool lapic_accept(struct lapic *l, const struct cpu_msg *msg);
/* CPUID bits: x2APIC and TSC-deadline are offered; APIC while enabled. */
bool lapic_hw_enabled(const struct lapic *l);

#endif
