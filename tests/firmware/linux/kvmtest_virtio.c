/* The KVM launcher's virtio console: a virtio-mmio device (modern interface,
 * "Virtual I/O Device (VIRTIO) Version 1.2" §4.2) of type console (§5.3)
 * served in user space. Its window has no KVM memory slot, so each guest
 * load or store there is a G-stage page fault that KVM 6.1 decodes
 * (arch/riscv/kvm/vcpu_insn.c) and forwards as KVM_EXIT_MMIO; the launcher
 * passes it to ktv_mmio.
 *
 * What it does: the register file of §4.2.2 with feature negotiation
 * (VIRTIO_F_VERSION_1 only, §2.2), the device status (§2.1), two split
 * virtqueues (§2.7; port 0's receiveq and transmitq, §5.3.2). A
 * QueueNotify of the transmitq consumes every available chain at once, in
 * the notifying vCPU's thread: the bytes of its device-readable descriptors
 * go to stdout as lines prefixed "vmN virtio: ", the used ring gets (head,
 * 0), and InterruptStatus bit 0 is set; the caller then raises the VM's
 * interrupt (KVM_INTERRUPT: VS-level external interrupt of vCPU0). The
 * receiveq never gets input: its buffers stay available.
 *
 * A driver error (a bad ring address, a descriptor loop, a device-writable
 * buffer in the transmitq, ...) is recorded in d->error and puts the device
 * in DEVICE_NEEDS_RESET (§2.1.2), with a configuration change interrupt once
 * DRIVER_OK is set; the launcher fails the VM on it. Nothing a guest writes
 * makes the launcher read or write outside the VM's RAM. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmtest_virtio.h"

void ktv_init(struct ktv *d, int vm, unsigned char *ram, uint64_t ram_gpa, uint64_t ram_size)
{
    memset(d, 0, sizeof *d);
    d->vm = vm;
    d->ram = ram;
    d->ram_gpa = ram_gpa;
    d->ram_size = ram_size;
}

/* Guest RAM [gpa, gpa + len) as a pointer, or NULL when it is not all RAM. */
static unsigned char *gmem(const struct ktv *d, uint64_t gpa, uint64_t len)
{
    if (gpa < d->ram_gpa || len > d->ram_size || gpa - d->ram_gpa > d->ram_size - len)
        return NULL;
    return d->ram + (gpa - d->ram_gpa);
}

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void wr32(unsigned char *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }

/* The device's level-triggered line: high while InterruptStatus != 0. */
static int irq_change(struct ktv *d, uint32_t before)
{
    if (!before && d->int_status) {
        d->irqs++;
        return 1;
    }
    if (before && !d->int_status)
        return 0;
    return -1;
}

static void driver_error(struct ktv *d, const char *fmt, ...)
{
    if (!d->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->error, sizeof d->error, fmt, ap);
        va_end(ap);
    }
    d->status |= VIO_S_NEEDS_RESET;
    if (d->status & VIO_S_DRIVER_OK)
        d->int_status |= 2;     /* configuration change notification (§2.1.2) */
}

static void reset(struct ktv *d)
{
    d->status = 0;
    d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
    d->drv_features = 0;
    d->int_status = 0;
    memset(d->q, 0, sizeof d->q);
    d->resets++;
}

static void emit_line(struct ktv *d)
{
    char buf[300];
    d->line[d->linelen] = 0;
    int n = snprintf(buf, sizeof buf - 1, "vm%d virtio: %s", d->vm, d->line);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t w = write(1, buf, (size_t)n);     /* one write: lines never interleave */
    (void)w;
    if (!d->lines++)
        memcpy(d->first_line, d->line, d->linelen + 1);
    d->linelen = 0;
}

static void con_put(struct ktv *d, const unsigned char *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] != '\n')
            d->line[d->linelen++] = (char)p[i];
        if (p[i] == '\n' || d->linelen >= sizeof d->line - 1)
            emit_line(d);
    }
    d->bytes += len;
}

/* QueueReady = 1: the areas must be aligned (§2.7: 16, 2, 4) and in RAM. */
static void queue_enable(struct ktv *d, struct ktv_queue *q)
{
    uint32_t n = q->num;
    if (!n || n > KT_VIRTIO_QMAX || (n & (n - 1))) {
        driver_error(d, "queue %u: QueueNum %u (want a power of 2 up to %u)",
                     d->queue_sel, n, KT_VIRTIO_QMAX);
        return;
    }
    if ((q->desc & 15) || (q->driver & 1) || (q->device & 3) ||
        !gmem(d, q->desc, 16ull * n) || !gmem(d, q->driver, 6 + 2ull * n) ||
        !gmem(d, q->device, 6 + 8ull * n)) {
        driver_error(d, "queue %u: bad ring addresses desc %#llx avail %#llx used %#llx",
                     d->queue_sel, (unsigned long long)q->desc,
                     (unsigned long long)q->driver, (unsigned long long)q->device);
        return;
    }
    q->ready = 1;
    q->last_avail = q->used_idx = 0;
}

/* One chain of the transmitq, from `head`: print its bytes. Returns 0 on a
 * driver error. */
static int tx_chain(struct ktv *d, struct ktv_queue *q, uint16_t head)
{
    uint32_t i = head;
    for (uint32_t count = 0;; count++) {
        if (i >= q->num || count >= q->num) {
            driver_error(d, "transmitq: %s at descriptor %u (chain from %u)",
                         i >= q->num ? "index out of range" : "loop", i, head);
            return 0;
        }
        const unsigned char *e = gmem(d, q->desc + 16ull * i, 16);
        uint64_t addr = rd64(e);
        uint32_t len = rd32(e + 8);
        uint16_t flags = rd16(e + 12), next = rd16(e + 14);
        if (flags & (VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_INDIRECT)) {
            driver_error(d, "transmitq: descriptor %u has flags %#x (device-writable or "
                         "indirect, not offered)", i, flags);
            return 0;
        }
        const unsigned char *buf = gmem(d, addr, len);
        if (!buf) {
            driver_error(d, "transmitq: descriptor %u: buffer %#llx+%u is not in RAM", i,
                         (unsigned long long)addr, len);
            return 0;
        }
        con_put(d, buf, len);
        if (!(flags & VIRTQ_DESC_F_NEXT))
            return 1;
        i = next;
    }
}

/* QueueNotify: consume every available chain of the transmitq. */
static void notify(struct ktv *d, uint32_t qi)
{
    d->notifies++;
    if (!(d->status & VIO_S_DRIVER_OK) || qi >= KT_VIRTIO_NQUEUES || !d->q[qi].ready) {
        driver_error(d, "QueueNotify %u before DRIVER_OK or of a queue not ready", qi);
        return;
    }
    if (qi == VIO_CON_RXQ)
        return;     /* no input: receive buffers stay available */
    struct ktv_queue *q = &d->q[qi];
    unsigned char *avail = gmem(d, q->driver, 6 + 2ull * q->num);
    unsigned char *used = gmem(d, q->device, 6 + 8ull * q->num);
    uint16_t idx = rd16(avail + 2);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);    /* ring entries after idx */
    if ((uint16_t)(idx - q->last_avail) > q->num) {
        driver_error(d, "transmitq: avail idx %u is more than %u past %u", idx, q->num,
                     q->last_avail);
        return;
    }
    int done = 0;
    while (q->last_avail != idx) {
        uint16_t head = rd16(avail + 4 + 2 * (q->last_avail % q->num));
        if (!tx_chain(d, q, head))
            return;
        unsigned char *u = used + 4 + 8 * (q->used_idx % q->num);
        wr32(u, head);
        wr32(u + 4, 0);     /* the device wrote nothing into the chain */
        q->used_idx++;
        q->last_avail++;
        d->chains++;
        done++;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);    /* used entries before idx (§2.7.8.2) */
    wr16(used + 2, q->used_idx);
    if (done && !(rd16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT))
        d->int_status |= 1;
}

static uint32_t reg_read(struct ktv *d, uint64_t off)
{
    struct ktv_queue *q = d->queue_sel < KT_VIRTIO_NQUEUES ? &d->q[d->queue_sel] : NULL;
    switch (off) {
    case VIO_MAGIC: return VIO_MAGIC_VALUE;
    case VIO_VERSION: return VIO_VERSION_MODERN;
    case VIO_DEVICE_ID: return VIO_ID_CONSOLE;
    case VIO_VENDOR_ID: return KT_VIRTIO_VENDOR;
    case VIO_DEV_FEATURES:
        return d->dev_features_sel == VIO_F_VERSION_1 / 32 ? 1u << (VIO_F_VERSION_1 % 32) : 0;
    case VIO_QUEUE_NUM_MAX: return q ? KT_VIRTIO_QMAX : 0;
    case VIO_QUEUE_READY: return q ? q->ready : 0;
    case VIO_INT_STATUS: return d->int_status;
    case VIO_STATUS: return d->status;
    case VIO_SHM_LEN_LO: case VIO_SHM_LEN_HI: case VIO_SHM_BASE_LO: case VIO_SHM_BASE_HI:
        return 0xffffffffu;     /* no shared memory region (§4.2.2) */
    case VIO_CONFIG_GEN: return 0;
    default: return 0;
    }
}

static void reg_write(struct ktv *d, uint64_t off, uint32_t v)
{
    struct ktv_queue *q = d->queue_sel < KT_VIRTIO_NQUEUES ? &d->q[d->queue_sel] : NULL;
    switch (off) {
    case VIO_DEV_FEATURES_SEL: d->dev_features_sel = v; return;
    case VIO_DRV_FEATURES_SEL: d->drv_features_sel = v; return;
    case VIO_DRV_FEATURES:
        if (d->status & VIO_S_FEATURES_OK)
            driver_error(d, "DriverFeatures written after FEATURES_OK");
        else if (d->drv_features_sel < 2) {
            unsigned sh = 32 * d->drv_features_sel;
            d->drv_features = (d->drv_features & ~(0xffffffffull << sh)) | (uint64_t)v << sh;
        }
        return;
    case VIO_QUEUE_SEL: d->queue_sel = v; return;
    case VIO_QUEUE_NUM: case VIO_QUEUE_DESC_LO: case VIO_QUEUE_DESC_HI:
    case VIO_QUEUE_DRIVER_LO: case VIO_QUEUE_DRIVER_HI:
    case VIO_QUEUE_DEVICE_LO: case VIO_QUEUE_DEVICE_HI:
        if (!q || q->ready) {
            driver_error(d, "queue register %#llx written for queue %u %s",
                         (unsigned long long)off, d->queue_sel, q ? "while ready" : "(no such queue)");
            return;
        }
        switch (off) {
        case VIO_QUEUE_NUM: q->num = v; break;
        case VIO_QUEUE_DESC_LO: q->desc = (q->desc & ~0xffffffffull) | v; break;
        case VIO_QUEUE_DESC_HI: q->desc = (q->desc & 0xffffffffull) | (uint64_t)v << 32; break;
        case VIO_QUEUE_DRIVER_LO: q->driver = (q->driver & ~0xffffffffull) | v; break;
        case VIO_QUEUE_DRIVER_HI: q->driver = (q->driver & 0xffffffffull) | (uint64_t)v << 32; break;
        case VIO_QUEUE_DEVICE_LO: q->device = (q->device & ~0xffffffffull) | v; break;
        default: q->device = (q->device & 0xffffffffull) | (uint64_t)v << 32; break;
        }
        return;
    case VIO_QUEUE_READY:
        if (!q)
            driver_error(d, "QueueReady for queue %u (no such queue)", d->queue_sel);
        else if (v == 1 && !q->ready)
            queue_enable(d, q);
        else if (v == 0)
            q->ready = 0;
        return;
    case VIO_QUEUE_NOTIFY: notify(d, v); return;
    case VIO_INT_ACK: d->int_status &= ~v; return;
    case VIO_STATUS:
        if (v == 0) {
            reset(d);
            return;
        }
        if (d->status & ~v) {
            driver_error(d, "Status %#x clears bits of %#x (§2.1.2)", v, d->status);
            return;
        }
        if ((v & VIO_S_FEATURES_OK) && !(d->status & VIO_S_FEATURES_OK)) {
            /* §2.2.2 / §6.1: refuse a subset without VERSION_1 or with a bit
             * not offered: FEATURES_OK does not stick. */
            if (d->drv_features != 1ull << VIO_F_VERSION_1)
                v &= ~VIO_S_FEATURES_OK;
        }
        if ((v & VIO_S_DRIVER_OK) && !(v & VIO_S_FEATURES_OK)) {
            driver_error(d, "DRIVER_OK without FEATURES_OK");
            return;
        }
        d->status = v;
        return;
    case VIO_SHM_SEL: case VIO_QUEUE_RESET:
        return;
    default:
        driver_error(d, "write %#x to read-only or unknown register %#llx", v,
                     (unsigned long long)off);
        return;
    }
}

int ktv_mmio(struct ktv *d, uint64_t off, int is_write, uint8_t *data, uint32_t len)
{
    uint32_t before = d->int_status;
    if (is_write)
        d->writes++;
    else
        d->reads++;
    if (off >= VIO_CONFIG) {
        /* Console configuration (cols, rows, max_nr_ports, emerg_wr): only
         * meaningful with features the device does not offer. Reads 0. */
        if (!is_write)
            memset(data, 0, len);
        return -1;
    }
    if (len != 4 || (off & 3)) {
        /* §4.2.2.2: control registers take 32-bit aligned accesses only */
        driver_error(d, "%u-byte %s at register offset %#llx", len,
                     is_write ? "write" : "read", (unsigned long long)off);
        if (!is_write)
            memset(data, 0, len);
        return irq_change(d, before);
    }
    if (is_write) {
        uint32_t v = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                     (uint32_t)data[3] << 24;
        reg_write(d, off, v);
    } else {
        uint32_t v = reg_read(d, off);
        for (int i = 0; i < 4; i++)
            data[i] = (uint8_t)(v >> (8 * i));
    }
    return irq_change(d, before);
}

void ktv_report(const struct ktv *d, char *buf, size_t size)
{
    snprintf(buf, size, "vm%d virtio: %lu reads, %lu writes (%lu MMIO exits), status %#x, "
             "%lu notify, %lu chains, %lu bytes, %d lines, %lu interrupts",
             d->vm, d->reads, d->writes, d->reads + d->writes, d->status, d->notifies,
             d->chains, d->bytes, d->lines, d->irqs);
}
