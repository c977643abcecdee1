/* VM 1 (1 vCPU): asks the SBI implementation (KVM) who it is, prints a line
 * through the legacy console, reports the FNV-1a hash of that line through
 * MMIO and prints it, then drives the launcher's virtio console
 * (guest/virtio.h): probe, VIRTIO_F_VERSION_1, transmitq, one message, used
 * ring and interrupt checked; reports the verdict in the shared block and on
 * the SBI console, then shuts down with SBI SRST.
 * What the launcher sees: KVM_EXIT_RISCV_SBI per character, one KVM_EXIT_MMIO
 * for the result register and one per virtio register access, one
 * KVM_EXIT_SYSTEM_EVENT (shutdown). The base-extension calls are handled
 * inside KVM. */
#include "guest.h"
#include "virtio.h"

static volatile struct kt_shared *const sh = (volatile struct kt_shared *)KT_SHARED_GPA;

static const struct { const char *name; unsigned long eid; } probe[] = {
    { "time", SBI_EXT_TIME }, { "ipi", SBI_EXT_IPI }, { "rfence", SBI_EXT_RFENCE },
    { "hsm", SBI_EXT_HSM }, { "srst", SBI_EXT_SRST },
};

void guest_main(unsigned long id)
{
    struct line l; l.n = 0;
    unsigned long spec = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0).value;
    unsigned long impl = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0).value;

    l_str(&l, "vm1: hello from a KVM guest on vCPU ");
    l_dec(&l, id);
    l_str(&l, ": SBI ");
    l_dec(&l, (spec >> 24) & 0x7f);
    l_str(&l, ".");
    l_dec(&l, spec & 0xffffff);
    l_str(&l, impl == 3 ? ", implementation KVM" : ", implementation ");
    if (impl != 3)
        l_dec(&l, impl);
    l_str(&l, ", extensions");
    for (unsigned long i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        if (sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, probe[i].eid, 0, 0).value > 0) {
            l_str(&l, " ");
            l_str(&l, probe[i].name);
        }
    }
    l_str(&l, "\n");
    l_print(&l);

    unsigned long sum = kt_fnv(KT_FNV_OFFSET, l.s, l.n);
    sh->checksum = sum;
    sh->done = 1;
    mmio_result(sum);

    struct line m; m.n = 0;
    l_str(&m, "vm1: console checksum ");
    l_hex(&m, sum);
    l_str(&m, "\n");
    l_print(&m);

    static const char msg_a[] = KT_VIRTIO_MSG_A, msg_b[] = KT_VIRTIO_MSG_B;
    struct vio_result r = vio_console_init();
    if (r.step == VIO_OK)
        r = vio_console_send(msg_a, sizeof msg_a - 1, msg_b, sizeof msg_b - 1);
    sh->virtio = r.step;
    struct line v; v.n = 0;
    if (r.step == VIO_OK) {
        l_str(&v, "vm1: virtio console: sent ");
        l_dec(&v, sizeof msg_a - 1 + sizeof msg_b - 1);
        l_str(&v, " bytes in a 2-descriptor chain, used ring id ");
        l_dec(&v, vio_used.ring[0].id);
        l_str(&v, " len ");
        l_dec(&v, vio_used.ring[0].len);
        l_str(&v, ", ");
        l_dec(&v, vio_irqs);
        l_str(&v, " interrupt, InterruptStatus ");
        l_hex(&v, vio_irq_status);
    } else {
        l_str(&v, "vm1: virtio FAILED at step ");
        l_dec(&v, r.step);
        l_str(&v, ": ");
        l_str(&v, r.why);
        l_str(&v, " ");
        l_hex(&v, r.value);
    }
    l_str(&v, "\n");
    l_print(&v);
    shutdown_srst();
}

void guest_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
    if (cause == (CAUSE_INTR | IRQ_S_EXT)) {     /* the virtio console's line */
        vio_irq();
        return;
    }
    struct line l; l.n = 0;
    l_str(&l, "vm1: unexpected trap, scause ");
    l_hex(&l, cause);
    l_str(&l, " sepc ");
    l_hex(&l, epc);
    l_str(&l, " stval ");
    l_hex(&l, tval);
    l_str(&l, "\n");
    l_print(&l);
    shutdown_srst();
}
