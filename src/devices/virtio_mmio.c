/* virtio-mmio transport, modern (version 2) register layout, split
 * virtqueues (see virtio_mmio.h). Section numbers: Virtual I/O Device
 * (VIRTIO) Version 1.1. */
#include "virtio_mmio.h"

#include <stdlib.h>
#include <string.h>
#include "../sim/machine.h"

/* §4.2.2 Table 4.1 "MMIO Device Register Layout". */
enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac,          /* virtio 1.2: shared memory regions (none here) */
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

/* InterruptStatus bits (§4.2.2). */
enum { INT_USED_BUFFER = 1, INT_CONFIG_CHANGE = 2 };

/* Split virtqueue descriptor flags (§2.6.5). */
enum { DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4 };
#define AVAIL_F_NO_INTERRUPT 1u
#define DESC_SIZE 16u

struct vq {
    uint32_t num;          /* QueueNum */
    uint32_t ready;        /* QueueReady */
    uint64_t desc, driver, device;
    uint16_t last_avail;   /* next avail ring entry the device consumes */
    uint16_t used_idx;     /* the device's copy of used->idx */
};

struct virtio_mmio {
    struct machine *m;
    const struct virtio_device_ops *ops;
    void *dev;
    struct irq_line irq;
    int timer;             /* machine timer of request completion; -1: none */

    /* registers */
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint64_t driver_features;
    uint32_t status, int_status;
    int irq_level;
    struct vq q[VIRTIO_MAX_QUEUES];
    uint32_t notified;     /* queues notified since the last completion */

    struct virtio_chain chain; /* scratch: the request being handled */
};

static uint64_t offered_features(const struct virtio_mmio *t)
{
    return VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | (t->ops ? t->ops->features(t->dev) : 0);
}

static void update_irq(struct virtio_mmio *t)
{
    int lvl = t->int_status != 0;
    if (lvl != t->irq_level) {
        t->irq_level = lvl;
        irq_set(&t->irq, lvl);
    }
}

/* The device enters its error state (§2.1.2): DEVICE_NEEDS_RESET and,
 * once the driver is up, a configuration-change notification. */
static void needs_reset(struct virtio_mmio *t)
{
    if (t->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    t->status |= VIRTIO_STATUS_NEEDS_RESET;
    if (t->status & VIRTIO_STATUS_DRIVER_OK) {
        t->int_status |= INT_CONFIG_CHANGE;
        update_irq(t);
    }
}

static void device_reset(struct virtio_mmio *t)
{
    t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
    t->driver_features = 0;
    t->status = t->int_status = 0;
    t->notified = 0;
    memset(t->q, 0, sizeof t->q);
    if (t->timer >= 0)
        machine_timer_arm(t->m, t->timer, UINT64_MAX);
    update_irq(t);
    if (t->ops && t->ops->reset)
        t->ops->reset(t->dev);
}

/* ---- guest memory (device DMA): RAM only ------------------------------- */

/* Guest RAM [pa, pa+len) as host bytes, or NULL when any part of it is not
 * in one memory region (MMIO, holes, wrap-around). */
static uint8_t *guest_ram(struct virtio_mmio *t, uint64_t pa, uint64_t len, bool write)
{
    struct mem_region *r = bus_find_mem(&t->m->bus, pa);
    if (!r || len > r->size - (pa - r->base) || (write && r->readonly))
        return NULL;
    return r->host + (pa - r->base);
}

static bool dma_read(struct virtio_mmio *t, uint64_t pa, void *buf, uint64_t len)
{
    if (len == 0)
        return true;
    const uint8_t *p = guest_ram(t, pa, len, false);
    if (!p)
        return false;
    memcpy(buf, p, len);
    return true;
}

/* A device write into guest RAM: marks the pages written (check records)
 * and drops predecoded code of the pages it touches, like a CPU store. */
static bool dma_write(struct virtio_mmio *t, uint64_t pa, const void *buf, uint64_t len)
{
    if (len == 0)
        return true;
    uint8_t *p = guest_ram(t, pa, len, true);
    if (!p)
        return false;
    memcpy(p, buf, len);
    struct mem_region *r = bus_find_mem(&t->m->bus, pa);
    bus_mark_dirty(r, pa, len);
    for (uint64_t a = pa & ~0xfffull; a < pa + len; a += 0x1000) {
        uint64_t lo = a < pa ? pa : a, hi = a + 0x1000 < pa + len ? a + 0x1000 : pa + len;
        if (r->page_flags[(a - r->base) >> 12])
            bus_mem_store_notify(&t->m->bus, r, lo, (unsigned)(hi - lo));
    }
    return true;
}

static bool rd16(struct virtio_mmio *t, uint64_t pa, uint16_t *v)
{
    uint8_t b[2];
    if (!dma_read(t, pa, b, 2))
        return false;
    *v = (uint16_t)(b[0] | b[1] << 8);
    return true;
}

static bool wr16(struct virtio_mmio *t, uint64_t pa, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    return dma_write(t, pa, b, 2);
}

static bool wr32(struct virtio_mmio *t, uint64_t pa, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    return dma_write(t, pa, b, 4);
}

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static bool read_desc(struct virtio_mmio *t, uint64_t table, uint32_t i, struct desc *d)
{
    uint8_t b[DESC_SIZE];
    if (!dma_read(t, table + (uint64_t)i * DESC_SIZE, b, DESC_SIZE))
        return false;
    d->addr = 0;
    for (int k = 7; k >= 0; k--)
        d->addr = d->addr << 8 | b[k];
    d->len = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
    d->flags = (uint16_t)(b[12] | b[13] << 8);
    d->next = (uint16_t)(b[14] | b[15] << 8);
    return true;
}

static bool add_seg(struct virtio_chain *c, const struct desc *d)
{
    bool w = (d->flags & DESC_F_WRITE) != 0;
    /* §2.6.4.2: device-readable descriptors come before writable ones. */
    if (!w && c->nwrite)
        return false;
    if (c->nread + c->nwrite == VIRTIO_CHAIN_MAX)
        return false;
    c->seg[c->nread + c->nwrite] = (struct virtio_seg){ d->addr, d->len };
    if (w) {
        c->nwrite++;
        c->write_len += d->len;
    } else {
        c->nread++;
        c->read_len += d->len;
    }
    return true;
}

/* Walks the descriptor chain at `head` of queue vq into t->chain. false:
 * malformed (index out of range, loop, nested indirect table, ...). */
static bool walk_chain(struct virtio_mmio *t, const struct vq *vq, uint16_t head)
{
    struct virtio_chain *c = &t->chain;
    c->head = head;
    c->nread = c->nwrite = 0;
    c->read_len = c->write_len = 0;
    uint32_t i = head;
    for (uint32_t steps = 0;; steps++) {
        struct desc d;
        if (i >= vq->num || steps >= vq->num || !read_desc(t, vq->desc, i, &d))
            return false; /* §2.6.5: a chain is at most Queue Size long */
        if (d.flags & DESC_F_INDIRECT) {
            /* §2.6.5.3.1: not with NEXT, a multiple of 16 bytes, and no
             * indirect descriptor inside an indirect table. */
            if ((d.flags & DESC_F_NEXT) || d.len == 0 || d.len % DESC_SIZE ||
                d.len / DESC_SIZE > VIRTIO_CHAIN_MAX)
                return false;
            uint32_t n = d.len / DESC_SIZE, j = 0;
            for (uint32_t k = 0;; k++) {
                struct desc e;
                if (j >= n || k >= n || !read_desc(t, d.addr, j, &e))
                    return false;
                if ((e.flags & DESC_F_INDIRECT) || !add_seg(c, &e))
                    return false;
                if (!(e.flags & DESC_F_NEXT))
                    break;
                j = e.next;
            }
            return true;
        }
        if (!add_seg(c, &d))
            return false;
        if (!(d.flags & DESC_F_NEXT))
            return true;
        i = d.next;
    }
}

static bool chain_copy(struct virtio_mmio *t, const struct virtio_chain *c, bool write,
                       uint64_t off, void *buf, uint64_t len)
{
    unsigned first = write ? c->nread : 0, n = write ? c->nwrite : c->nread;
    uint8_t *p = buf;
    for (unsigned s = first; s < first + n && len; s++) {
        uint64_t sl = c->seg[s].len;
        if (off >= sl) {
            off -= sl;
            continue;
        }
        uint64_t k = sl - off < len ? sl - off : len;
        if (write ? !dma_write(t, c->seg[s].addr + off, p, k)
                  : !dma_read(t, c->seg[s].addr + off, p, k))
            return false;
        p += k;
        len -= k;
        off = 0;
    }
    return len == 0;
}

bool virtio_chain_read(struct virtio_mmio *t, const struct virtio_chain *c, uint64_t off,
                       void *buf, uint64_t len)
{
    return chain_copy(t, c, false, off, buf, len);
}

bool virtio_chain_write(struct virtio_mmio *t, const struct virtio_chain *c, uint64_t off,
                        const void *buf, uint64_t len)
{
    return chain_copy(t, c, true, off, (void *)buf, len);
}

/* Consumes every available chain of queue qi (§2.6.13 device side). false:
 * the driver broke the queue's rules. */
static bool process_queue(struct virtio_mmio *t, unsigned qi, bool *used_any)
{
    struct vq *vq = &t->q[qi];
    if (!vq->ready)
        return true;
    uint16_t avail_idx, avail_flags;
    if (!rd16(t, vq->driver, &avail_flags) || !rd16(t, vq->driver + 2, &avail_idx))
        return false;
    /* never trust the index: more new entries than the ring holds is an error */
    if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
        return false;
    bool any = false;
    while (vq->last_avail != avail_idx) {
        if (t->ops->ready && !t->ops->ready(t->dev, qi))
            break;
        uint16_t head;
        if (!rd16(t, vq->driver + 4 + 2ull * (vq->last_avail % vq->num), &head))
            return false;
        if (!walk_chain(t, vq, head))
            return false;
        int64_t written = t->ops->request(t->dev, t, qi, &t->chain);
        if (written < 0 || (uint64_t)written > t->chain.write_len)
            return false;
        /* used ring entry, then the index (§2.6.8) */
        uint64_t e = vq->device + 4 + 8ull * (vq->used_idx % vq->num);
        if (!wr32(t, e, head) || !wr32(t, e + 4, (uint32_t)written))
            return false;
        vq->used_idx++;
        if (!wr16(t, vq->device + 2, vq->used_idx))
            return false;
        vq->last_avail++;
        any = true;
    }
    /* §2.6.7.1 without VIRTIO_F_EVENT_IDX: interrupt unless suppressed */
    if (any && !(avail_flags & AVAIL_F_NO_INTERRUPT))
        *used_any = true;
    return true;
}

static void complete(void *opaque, struct machine *m, uint64_t now)
{
    struct virtio_mmio *t = opaque;
    uint32_t which = t->notified;
    t->notified = 0;
    if (!t->ops || (t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) ||
        !(t->status & VIRTIO_STATUS_DRIVER_OK))
        return;
    bool used = false;
    for (unsigned q = 0; q < t->ops->nqueues; q++) {
        if (!(which & (1u << q)))
            continue;
        if (!process_queue(t, q, &used)) {
            needs_reset(t);
            break;
        }
    }
    if (used) {
        t->int_status |= INT_USED_BUFFER;
        update_irq(t);
    }
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned q)
{
    if (!t->ops || q >= t->ops->nqueues || t->timer < 0 || (t->notified & (1u << q)))
        return;
    if (!t->notified)
        machine_timer_arm(t->m, t->timer,
                          machine_now(t->m) + (uint64_t)((unsigned __int128)VIRTIO_COMPLETION_NS *
                                                         t->m->cfg.cpu_hz / 1000000000u));
    t->notified |= 1u << q;
}

bool virtio_mmio_queue_live(const struct virtio_mmio *t, unsigned q)
{
    return t->ops && q < t->ops->nqueues && t->q[q].ready &&
           (t->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) ==
               VIRTIO_STATUS_DRIVER_OK;
}

/* QueueReady = 1 with an unusable layout is a driver error (§2.6: the queue
 * size is a power of 2 at most QueueNumMax; §2.6 alignment: descriptor
 * table 16, available ring 2, used ring 4; all three in RAM). */
static bool queue_ok(struct virtio_mmio *t, const struct vq *vq)
{
    uint64_t n = vq->num;
    if (n == 0 || n > VIRTIO_QUEUE_MAX || (n & (n - 1)))
        return false;
    if ((vq->desc & 15) || (vq->driver & 1) || (vq->device & 3))
        return false;
    return guest_ram(t, vq->desc, DESC_SIZE * n, false) &&
           guest_ram(t, vq->driver, 6 + 2 * n, false) &&
           guest_ram(t, vq->device, 6 + 8 * n, true);
}

/* ---- registers ----------------------------------------------------------- */

static struct vq *cur_q(struct virtio_mmio *t)
{
    unsigned nq = t->ops ? t->ops->nqueues : 0;
    return t->queue_sel < nq ? &t->q[t->queue_sel] : NULL;
}

static bool vm_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct virtio_mmio *t = opaque;
    if (off >= VIRTIO_MMIO_SIZE)
        return false;
    *val = 0;
    if (off >= REG_CONFIG) {
        if (t->ops && t->ops->config_read)
            t->ops->config_read(t->dev, off - REG_CONFIG, size, val);
        return true;
    }
    /* §4.2.2.2: control registers are 32-bit aligned accesses; others read 0 */
    if (size != 4 || (off & 3))
        return true;
    struct vq *q = cur_q(t);
    uint64_t f = offered_features(t);
    switch (off) {
    case REG_MAGIC: *val = VIRTIO_MMIO_MAGIC; break;
    case REG_VERSION: *val = VIRTIO_MMIO_VERSION; break;
    case REG_DEVICE_ID: *val = t->ops ? t->ops->device_id : 0; break;
    case REG_VENDOR_ID: *val = VIRTIO_MMIO_VENDOR; break;
    case REG_DEVICE_FEATURES:
        *val = t->dev_features_sel == 0 ? (uint32_t)f : t->dev_features_sel == 1 ? f >> 32 : 0;
        break;
    case REG_QUEUE_NUM_MAX: *val = q ? VIRTIO_QUEUE_MAX : 0; break;
    case REG_QUEUE_READY: *val = q ? q->ready : 0; break;
    case REG_INTERRUPT_STATUS: *val = t->int_status; break;
    case REG_STATUS: *val = t->status; break;
    case REG_QUEUE_NUM: *val = q ? q->num : 0; break;
    case REG_QUEUE_DESC_LOW: *val = q ? (uint32_t)q->desc : 0; break;
    case REG_QUEUE_DESC_HIGH: *val = q ? q->desc >> 32 : 0; break;
    case REG_QUEUE_DRIVER_LOW: *val = q ? (uint32_t)q->driver : 0; break;
    case REG_QUEUE_DRIVER_HIGH: *val = q ? q->driver >> 32 : 0; break;
    case REG_QUEUE_DEVICE_LOW: *val = q ? (uint32_t)q->device : 0; break;
    case REG_QUEUE_DEVICE_HIGH: *val = q ? q->device >> 32 : 0; break;
    /* no shared memory regions: length -1 (virtio 1.2 §4.2.2) */
    case REG_SHM_LEN_LOW: case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW: case REG_SHM_BASE_HIGH: *val = 0xffffffffu; break;
    case REG_CONFIG_GENERATION: *val = 0; break;
    default: break; /* write-only or reserved: 0 */
    }
    return true;
}

static void set_lo(uint64_t *r, uint64_t v) { *r = (*r & ~0xffffffffull) | (uint32_t)v; }
static void set_hi(uint64_t *r, uint64_t v) { *r = (*r & 0xffffffffull) | (uint64_t)(uint32_t)v << 32; }

static void write_status(struct virtio_mmio *t, uint32_t v)
{
    if (v == 0) {
        device_reset(t);
        return;
    }
    uint32_t old = t->status;
    /* NEEDS_RESET is the device's; the driver cannot set or clear it */
    t->status = (v & 0xff & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET);
    /* §2.2.2: accept FEATURES_OK only for a subset of what was offered,
     * with VERSION_1 (no legacy interface here). */
    if ((t->status & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
        uint64_t f = t->driver_features;
        if ((f & ~offered_features(t)) || !(f & VIRTIO_F_VERSION_1))
            t->status &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
    }
}

static bool vm_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct virtio_mmio *t = opaque;
    if (off >= VIRTIO_MMIO_SIZE)
        return false;
    if (off >= REG_CONFIG || size != 4 || (off & 3))
        return true; /* config space is read-only here; odd accesses ignored */
    struct vq *q = cur_q(t);
    uint32_t v = (uint32_t)val;
    switch (off) {
    case REG_DEVICE_FEATURES_SEL: t->dev_features_sel = v; break;
    case REG_DRIVER_FEATURES_SEL: t->drv_features_sel = v; break;
    case REG_DRIVER_FEATURES:
        /* §3.1.1: features are negotiated before FEATURES_OK */
        if (t->status & VIRTIO_STATUS_FEATURES_OK)
            break;
        if (t->drv_features_sel == 0)
            set_lo(&t->driver_features, v);
        else if (t->drv_features_sel == 1)
            set_hi(&t->driver_features, v);
        break;
    case REG_QUEUE_SEL: t->queue_sel = v; break;
    case REG_QUEUE_NUM: if (q) q->num = v; break;
    case REG_QUEUE_READY:
        if (!q)
            break;
        if ((v & 1) && !q->ready && !queue_ok(t, q)) {
            needs_reset(t);
            break;
        }
        q->ready = v & 1;
        if (q->ready)
            q->last_avail = q->used_idx = 0;
        break;
    case REG_QUEUE_NOTIFY:
        /* the low 16 bits are the queue index (VIRTIO_F_NOTIFICATION_DATA
         * is not offered) */
        virtio_mmio_kick(t, v & 0xffff);
        break;
    case REG_INTERRUPT_ACK:
        t->int_status &= ~v;
        update_irq(t);
        break;
    case REG_STATUS: write_status(t, v); break;
    case REG_QUEUE_DESC_LOW: if (q) set_lo(&q->desc, v); break;
    case REG_QUEUE_DESC_HIGH: if (q) set_hi(&q->desc, v); break;
    case REG_QUEUE_DRIVER_LOW: if (q) set_lo(&q->driver, v); break;
    case REG_QUEUE_DRIVER_HIGH: if (q) set_hi(&q->driver, v); break;
    case REG_QUEUE_DEVICE_LOW: if (q) set_lo(&q->device, v); break;
    case REG_QUEUE_DEVICE_HIGH: if (q) set_hi(&q->device, v); break;
    default: break; /* read-only or reserved: ignored */
    }
    return true;
}

const struct mmio_ops virtio_mmio_ops = { .read = vm_read, .write = vm_write };

/* ---- life cycle ---------------------------------------------------------- */

struct virtio_mmio *virtio_mmio_new(struct machine *m, const struct virtio_device_ops *ops,
                                    void *dev, struct irq_line irq)
{
    if (ops && (ops->nqueues < 1 || ops->nqueues > VIRTIO_MAX_QUEUES || !ops->request ||
                !ops->features))
        return NULL;
    struct virtio_mmio *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->m = m;
    t->ops = ops;
    t->dev = dev;
    t->irq = irq;
    t->timer = ops ? machine_timer_alloc(m, complete, t) : -1;
    return t;
}

void virtio_mmio_free(struct virtio_mmio *t)
{
    free(t);
}

void virtio_mmio_copy_state(struct virtio_mmio *dst, const struct virtio_mmio *src)
{
    dst->dev_features_sel = src->dev_features_sel;
    dst->drv_features_sel = src->drv_features_sel;
    dst->queue_sel = src->queue_sel;
    dst->driver_features = src->driver_features;
    dst->status = src->status;
    dst->int_status = src->int_status;
    dst->irq_level = src->irq_level;
    memcpy(dst->q, src->q, sizeof dst->q);
    dst->notified = src->notified;
}

uint32_t virtio_mmio_status(const struct virtio_mmio *t)
{
    return t->status;
}
