/* VMX on several CPUs at once (docs/vmx.md "VMX on several CPUs"): run by
 * tests/e2e/t_x86_vmx_smp.sh with [cpu] vmx = on and --smp 2..4. Every
 * CPU enters VMX operation with its own VMXON region and VMCS (its own
 * GDT and TSS for the host state, VPID = CPU + 1) and runs a 64-bit guest
 * with external-interrupt exiting and "acknowledge interrupt on exit".
 * The guests pass a message around the ring of CPUs through their hosts:
 * guest k receives m in RAX, answers m + 1 with VMCALL; its host puts it
 * in CPU k+1's mailbox and sends that CPU a fixed IPI (vector 50H) while
 * CPU k+1's guest spins, which exits there as an external interrupt
 * (reason 1, interruption information 80000050H); that host EOIs, and
 * resumes its guest with the message. At LIMIT the CPU that sees it sends
 * every other CPU a last IPI; each leaves VMX operation. Checks: every
 * exit's reason and vector, each message arriving at the CPU it was sent
 * to with the value expected there, the counts of both exits per CPU.
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"
#include "x86t_smp.h"

#define MAXCPU 4
#define VEC 0x50
#define LIMIT 120 /* the last message */

static uint8_t vmxon_region[MAXCPU][4096] __attribute__((aligned(4096)));
static uint8_t vmcs[MAXCPU][4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[MAXCPU][4096] __attribute__((aligned(4096)));
static uint8_t ap_stacks[MAXCPU][16384] __attribute__((aligned(16)));
static uint64_t gdt[MAXCPU][6] __attribute__((aligned(16)));
static uint8_t tss[MAXCPU][128] __attribute__((aligned(16)));

static uint32_t ncpus;
static volatile uint32_t ready, finished, done, alive;
static volatile uint64_t mailbox[MAXCPU];
static volatile uint32_t n_vmcall[MAXCPU], n_extint[MAXCPU], bad[MAXCPU];
static volatile uint64_t last_msg;

/* the guests: guest_answer gets m in RAX and answers m + 1 by VMCALL;
 * guest_spin waits (for an external-interrupt exit) */
void guest_answer(void);
void guest_spin(void);
__asm__(".text\n"
        ".globl guest_answer\nguest_answer:\n\t"
        "inc %rax\n\tvmcall\n\tud2\n"
        ".globl guest_spin\nguest_spin:\n\t"
        "jmp guest_spin\n");

static int wait_ge(volatile uint32_t *p, uint32_t want) { return tsc_wait_ge(p, want, 200000000); }

/* smp_tramp.S's interrupt stubs call this; nothing here enables
 * interrupts (the hosts run with IF = 0, the IPIs are acknowledged by the
 * VM exits), so any call is a failure */
void smp_irq(uint64_t v)
{
    x86t_puts("FAIL: interrupt in the host, vector ");
    x86t_puthex(v);
    x86t_puts("\n");
    x86t_failures++;
}

static uint64_t idt_base;
static uint16_t idt_limit;

/* One CPU's hypervisor: the ring of messages, until done. */
static void hypervisor(unsigned id)
{
    lapic_write(LAPIC_SVR, 0x1ff);
    if (vmxt_load(vmxon_region[id], vmcs[id])) {
        bad[id]++;
        return;
    }
    vmxt_setup(id == 0 ? (uint64_t)guest_answer : (uint64_t)guest_spin,
               (uint64_t)(guest_stack[id] + 4096), 0, P2_VPID, PIN_EXT, 0x20, (uint64_t)tss[id]);
    vmw(EXIT_CTLS, vmx_adjust(0x48f, EXIT_HOST64 | EXIT_ACK)); /* acknowledge interrupt on exit */
    vmw(V_VPID, id + 1);
    struct gregs g = { 0 };
    g.rax = 1; /* CPU 0's guest answers message 1 first */
    unsigned next = (id + 1) % ncpus;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    wait_ge(&ready, ncpus); /* every CPU's APIC and VMCS are set up */
    for (int launched = 0;; launched = 1) {
        if (vm_enter(&g, !launched) != 0) {
            bad[id]++;
            break;
        }
        uint64_t reason = vmr(EXIT_REASON);
        if (reason == 18) { /* VMCALL: the guest's answer goes to the next CPU */
            n_vmcall[id]++;
            uint64_t m = g.rax;
            if (m % ncpus != (id + 2) % ncpus) /* CPU id answers m = id + 1 (mod n) */
                bad[id]++;
            vmw(G_RIP, (uint64_t)guest_spin);
            if (m >= LIMIT) {
                last_msg = m;
                done = 1;
                for (unsigned k = 0; k < ncpus; k++)
                    if (k != id)
                        lapic_ipi(k, VEC);
                break;
            }
            mailbox[next] = m;
            lapic_ipi(next, VEC);
        } else if (reason == 1) { /* the IPI: acknowledged by the exit */
            n_extint[id]++;
            uint64_t info = vmr(EXIT_INTR_INFO);
            if (info != (0x80000000u | VEC))
                bad[id]++;
            lapic_write(LAPIC_EOI, 0);
            if (done)
                break;
            uint64_t m = mailbox[id];
            mailbox[id] = 0;
            if (!m || m % ncpus != (id + 1) % ncpus)
                bad[id]++;
            g.rax = m;
            vmw(G_RIP, (uint64_t)guest_answer);
        } else {
            x86t_puts("FAIL: unexpected exit reason ");
            x86t_puthex(reason);
            x86t_puts("\n");
            bad[id]++;
            break;
        }
    }
    if (vmclear((uint64_t)vmcs[id]) || vmxoff())
        bad[id]++;
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
}

void smp_ap_entry(uint64_t id)
{
    vmxt_cpu_tables(gdt[id], tss[id], idt_base, idt_limit);
    __atomic_fetch_add(&alive, 1, __ATOMIC_SEQ_CST);
    if (id < MAXCPU)
        hypervisor((unsigned)id);
    for (;;)
        __asm__ volatile("cli\n\thlt");
}

int kmain(void)
{
    x86t_puts("x86 vmx-smp: start\n");
    x86t_idt_init();
    idt_base = vmxt_table_base(&idt_limit, 1);
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 5))) {
        x86t_puts("x86 vmx-smp: no VMX\n");
        x86t_exit(1);
    }
    ncpus = fw_cfg_ncpus();
    if (ncpus < 2 || ncpus > MAXCPU) {
        x86t_puts("FAIL: --smp must be 2..4\n");
        return 1;
    }
    vmxt_cpu_tables(gdt[0], tss[0], idt_base, idt_limit);
    /* the 8259s masked: no PIT interrupt (through LINT0) may exit the
     * guests, only the IPIs */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    CHECKX(lapic_read(LAPIC_ID) >> 24 == 0, "BSP APIC ID 0", lapic_read(LAPIC_ID));
    smp_tramp_install_low(ap_stacks);
    lapic_write(LAPIC_SVR, 0x1ff);
    for (unsigned i = 1; i < ncpus; i++) {
        smp_start_ap(i);
        delay(2000);
    }
    CHECKX(wait_ge(&alive, ncpus - 1), "every AP came up", alive);
    hypervisor(0);
    CHECKX(wait_ge(&finished, ncpus), "every CPU left VMX operation", finished);
    CHECKX(last_msg == LIMIT, "the ring reached LIMIT", last_msg);
    uint32_t calls = 0, ints = 0;
    for (unsigned i = 0; i < ncpus; i++) {
        CHECKX(bad[i] == 0, "no unexpected exit, vector, message or VMfail on this CPU", i << 8 | bad[i]);
        /* messages 1..LIMIT-1 are answered, m by CPU (m - 1) mod n */
        uint32_t want = 0;
        for (unsigned m = 1; m < LIMIT; m++)
            want += (m - 1) % ncpus == i;
        CHECKX(n_vmcall[i] == want, "VMCALL exits of this CPU", (uint64_t)i << 32 | n_vmcall[i]);
        calls += n_vmcall[i];
        ints += n_extint[i];
    }
    /* every answer but the last is an IPI; the last one's sender stops
     * each other CPU with one more */
    CHECKX(calls == LIMIT - 1, "VMCALL exits in all", calls);
    CHECKX(ints == LIMIT - 2 + ncpus - 1, "external-interrupt exits in all", ints);
    x86t_puts("x86 vmx-smp: ");
    x86t_putdec(ncpus);
    x86t_puts(" cpus, ");
    x86t_putdec(calls);
    x86t_puts(" VMCALL exits, ");
    x86t_putdec(ints);
    x86t_puts(" external-interrupt exits\n");
    return x86t_report("vmx-smp");
}
