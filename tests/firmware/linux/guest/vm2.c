/* VM 2 (2 vCPUs): IPI ping-pong through the SBI IPI extension.
 *
 * vCPU0 (started by the launcher) prints what it will do, starts vCPU1 with
 * SBI HSM hart_start, optionally waits until vCPU1 says it is ready, then sends
 * N IPIs to vCPU1, each time waiting for vCPU1's answering IPI. Every IPI is
 * taken by guest_trap (supervisor software interrupt, sip.SSIP cleared there),
 * which counts it and mixes (vCPU, count) into the shared checksum; vCPU1's
 * handler answers each IPI with one to vCPU0. At the end vCPU0 reports the
 * checksum through MMIO, prints it and shuts down with the legacy SBI
 * shutdown. HSM, IPI and WFI are handled inside KVM; only the console, the
 * MMIO store and the shutdown reach the launcher.
 *
 * The race (kvmtest.nohandshake=1, sh->handshake == 0): vCPU0 sends its first
 * IPI right after hart_start returns. KVM's hart_start only queues a reset
 * request for vCPU1 (KVM_REQ_VCPU_RESET) and wakes its thread; the reset,
 * done when vCPU1's thread next enters the guest, clears vCPU1's pending
 * interrupts. If the IPI lands before that reset it is lost: vCPU1 waits
 * forever, and so does vCPU0. With the handshake vCPU0 first waits until
 * vCPU1 has set sh->ready, which vCPU1 only does after its reset and after
 * enabling its interrupts. */
#include "guest.h"

static volatile struct kt_shared *const sh = (volatile struct kt_shared *)KT_SHARED_GPA;

static unsigned long read_tp(void)
{
    unsigned long v;
    __asm__ volatile ("mv %0, tp" : "=r"(v));
    return v;
}

static void send_ipi(unsigned long to)
{
    sh->sent[read_tp()]++;
    fence();        /* counts and checksum visible before the IPI */
    sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1UL << to, 0, 0);
}

static void fail(const char *what, long code)
{
    struct line l;
    l.n = 0;
    l_str(&l, "vm2: FAILED: ");
    l_str(&l, what);
    l_str(&l, " ");
    l_hex(&l, (unsigned long)code);
    l_str(&l, "\n");
    l_print(&l);
    shutdown_legacy();
}

static void enable_ipis(void)
{
    csr_set(sie, SIE_SSIE);
    csr_set(sstatus, SSTATUS_SIE);
}

/* Wait until received[0] reaches `count`. The check and the WFI run with
 * sstatus.SIE clear, so an IPI arriving in between is not taken before the
 * WFI (which would then sleep for good): it stays pending and WFI returns. */
static void wait_received0(unsigned long count)
{
    for (;;) {
        csr_clear(sstatus, SSTATUS_SIE);
        if (sh->received[0] >= count) {
            csr_set(sstatus, SSTATUS_SIE);
            return;
        }
        wfi();
        csr_set(sstatus, SSTATUS_SIE);    /* take the IPI here */
    }
}

void guest_main(unsigned long id)
{
    if (id == 1) {
        enable_ipis();
        fence();
        sh->ready = 1;
        for (;;)
            wfi();      /* all work is done in guest_trap */
    }

    unsigned long n = sh->n;
    struct line l;
    l.n = 0;
    l_str(&l, "vm2: 2 vCPUs, ");
    l_dec(&l, n);
    l_str(&l, sh->handshake ? " IPI round trips, start handshake on\n"
                            : " IPI round trips, no start handshake\n");
    l_print(&l);

    sh->checksum = KT_FNV_OFFSET;
    enable_ipis();
    fence();
    struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, KT_RAM_GPA, 0);
    if (r.error)
        fail("hart_start error", r.error);
    for (unsigned long i = sh->delay; i; i--)
        __asm__ volatile ("nop");
    if (sh->handshake)
        while (!sh->ready)
            __asm__ volatile ("" ::: "memory");

    sh->ready_at_ipi1 = sh->ready;
    for (unsigned long i = 1; i <= n; i++) {
        send_ipi(1);
        wait_received0(i);
    }

    unsigned long sum = sh->checksum;
    sh->done = 1;
    mmio_result(sum);
    l.n = 0;
    l_str(&l, "vm2: ping-pong ");
    l_dec(&l, n);
    l_str(&l, " checksum ");
    l_hex(&l, sum);
    l_str(&l, "\n");
    l_print(&l);
    shutdown_legacy();
}

void guest_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
    unsigned long me = read_tp();

    if (cause != (CAUSE_INTR | IRQ_S_SOFT)) {
        (void)epc;
        (void)tval;
        fail(me ? "vCPU1 unexpected trap, scause" : "vCPU0 unexpected trap, scause",
             (long)cause);
    }
    csr_clear(sip, SIE_SSIE);       /* acknowledge the IPI */
    unsigned long count = sh->received[me] + 1;
    sh->checksum = kt_mix(sh->checksum, me, count);
    sh->received[me] = count;
    if (me == 1)
        send_ipi(0);                /* pong */
}
