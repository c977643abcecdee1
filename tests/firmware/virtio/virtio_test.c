/* virtio_test.c — an M-mode test program for hvsim's opt-in riscv-virt
 * devices (docs/virtio.md), written from the VIRTIO 1.1 specification
 * (§3.1.1 driver initialisation, §2.6 split virtqueues, §5.2 block, §5.4
 * entropy) and the goldfish RTC register list. Runs the same on QEMU virt.
 *
 * It probes what is there and tests each device it finds:
 *   goldfish RTC  time = epoch + virtual time, advancing; an alarm raises
 *                 PLIC source 11 (claimed by polling hart 0's M context)
 *   virtio-blk    capacity; read sector 5 (the image's "HVSIM SECTOR 5");
 *                 write sector 7 (read-only drive: IOERR expected), read
 *                 it back through an indirect descriptor table; flush;
 *                 GET_ID; a read past the end gets IOERR; each completion
 *                 raises the slot's PLIC source
 *   virtio-rng    32 bytes, printed ("rng: <hex>") for the script to compare
 *   virtio-console  a line through the transmit queue; then one receive
 *                 buffer and WFI until input arrives ("vcon: got '...'")
 *   virtio-net    MAC and link status from the config space; two frames
 *                 sent on the loopback wire come back in order into the
 *                 receive buffers (header num_buffers 1, same bytes); a
 *                 frame shorter than an Ethernet header is dropped
 *   bad driver    a head index out of range, a descriptor loop and a buffer
 *                 outside RAM each put the device in DEVICE_NEEDS_RESET with
 *                 a configuration-change interrupt; a reset recovers it
 * Output on the UART; power-off through sifive_test: pass, or fail with a
 * code (the line before says what failed). */
#include <stdint.h>

#define UART 0x10000000ul
#define TEST 0x100000ul
#define PLIC 0x0c000000ul
#define RTC  0x101000ul
#define VIO(n) (0x10001000ul + 0x1000ul * (unsigned long)(n))

volatile uint32_t probe_fault;

/* ---- MMIO and output -------------------------------------------------- */

static inline uint32_t rd32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void wr32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void fence(void) { __asm__ volatile("fence iorw, iorw" ::: "memory"); }

static void putc_(char c)
{
    while (!(*(volatile uint8_t *)(UART + 5) & 0x20))
        ;
    *(volatile uint8_t *)UART = (uint8_t)c;
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void putdec(uint64_t v)
{
    char b[24];
    int n = 0;
    do b[n++] = (char)('0' + v % 10); while (v /= 10);
    while (n) putc_(b[--n]);
}

static void exit_(uint32_t code)
{
    wr32(TEST, code ? 0x3333 | code << 16 : 0x5555);
    for (;;)
        ;
}

static int failures;
static void check(int ok, const char *what)
{
    puts_(ok ? "ok   " : "FAIL ");
    puts_(what);
    putc_('\n');
    if (!ok)
        failures++;
}

void vt_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    puts_("FAIL trap mcause=");
    puthex(cause, 16);
    puts_(" mepc=");
    puthex(epc, 16);
    puts_(" mtval=");
    puthex(tval, 16);
    putc_('\n');
    exit_(99);
}

static void *memset_(void *d, int c, unsigned long n)
{
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}
static int memeq(const void *a, const void *b, unsigned long n)
{
    const uint8_t *x = a, *y = b;
    while (n--)
        if (*x++ != *y++) return 0;
    return 1;
}

/* ---- PLIC: hart 0's M-mode context (0), polled --------------------------- */

static void plic_enable(unsigned src)
{
    wr32(PLIC + 4 * src, 1);
    wr32(PLIC + 0x2000 + 4 * (src / 32), rd32(PLIC + 0x2000 + 4 * (src / 32)) | 1u << (src % 32));
    wr32(PLIC + 0x200000, 0);
}
static uint32_t plic_claim(void) { return rd32(PLIC + 0x200004); }
static void plic_complete(uint32_t id) { wr32(PLIC + 0x200004, id); }

/* ---- goldfish RTC --------------------------------------------------------- */

static uint64_t rtc_now(void)
{
    uint32_t lo = rd32(RTC + 0x00);
    return (uint64_t)rd32(RTC + 0x04) << 32 | lo;
}

static void test_rtc(void)
{
    uint64_t t1 = rtc_now();
    puts_("rtc: seconds ");
    putdec(t1 / 1000000000u);
    putc_('\n');
    for (volatile int i = 0; i < 20000; i++)
        ;
    uint64_t t2 = rtc_now();
    check(t2 > t1, "rtc: time advances");
    /* alarm 200 us from now, interrupt enabled */
    plic_enable(11);
    uint64_t alarm = t2 + 200000;
    wr32(RTC + 0x10, 1);
    wr32(RTC + 0x0c, (uint32_t)(alarm >> 32));
    wr32(RTC + 0x08, (uint32_t)alarm);
    check(rd32(RTC + 0x18) == 1, "rtc: alarm armed");
    uint32_t id = 0;
    for (long i = 0; i < 50000000 && !id; i++)
        id = plic_claim();
    uint64_t t3 = rtc_now();
    check(id == 11, "rtc: alarm raised PLIC source 11");
    check(t3 >= alarm, "rtc: not before the alarm time");
    check(rd32(RTC + 0x18) == 0, "rtc: alarm status clear after firing");
    wr32(RTC + 0x1c, 1);
    if (id)
        plic_complete(id);
    check(plic_claim() == 0, "rtc: line low after CLEAR_INTERRUPT");
}

/* ---- virtio-mmio driver (§4.2.3) ----------------------------------------- */

enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014,
    DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034,
    QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060,
    INT_ACK = 0x064, STATUS = 0x070, DESC_LO = 0x080, DESC_HI = 0x084, DRIVER_LO = 0x090,
    DRIVER_HI = 0x094, DEVICE_LO = 0x0a0, DEVICE_HI = 0x0a4, CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 64 };
enum { F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4 };
#define QN 8

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vq {
    struct desc d[QN];
    struct { uint16_t flags, idx, ring[QN], used_event; } avail;
    uint8_t pad[4096 - QN * 16 - 2 * (QN + 3)];
    struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QN]; uint16_t avail_event; } used;
} __attribute__((aligned(4096)));

static struct vq vqs[8][2];
static struct desc indirect[4] __attribute__((aligned(16)));
static uint16_t last_used[8][2];


/* §3.1.1 with queues 0..nq-1 of QN entries; offers back VERSION_1 and
 * the device-specific bits of `want_lo` the device offers. */
static int vio_init(int slot, uint32_t want_lo, int nq)
{
    unsigned long b = VIO(slot);
    wr32(b + STATUS, 0);
    wr32(b + STATUS, S_ACK);
    wr32(b + STATUS, S_ACK | S_DRIVER);
    wr32(b + DEV_FEAT_SEL, 1);
    uint32_t hi = rd32(b + DEV_FEAT);
    wr32(b + DEV_FEAT_SEL, 0);
    uint32_t lo = rd32(b + DEV_FEAT);
    if (!(hi & 1))
        return 0; /* no VERSION_1 */
    wr32(b + DRV_FEAT_SEL, 1);
    wr32(b + DRV_FEAT, 1);
    wr32(b + DRV_FEAT_SEL, 0);
    wr32(b + DRV_FEAT, lo & want_lo);
    wr32(b + STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(rd32(b + STATUS) & S_FEATURES_OK))
        return 0;
    for (int qi = 0; qi < nq; qi++) {
        struct vq *q = &vqs[slot][qi];
        memset_(q, 0, sizeof *q);
        last_used[slot][qi] = 0;
        wr32(b + QUEUE_SEL, (uint32_t)qi);
        if (rd32(b + QUEUE_NUM_MAX) < QN)
            return 0;
        wr32(b + QUEUE_NUM, QN);
        wr32(b + DESC_LO, (uint32_t)(uintptr_t)q->d);
        wr32(b + DESC_HI, (uint32_t)((uint64_t)(uintptr_t)q->d >> 32));
        wr32(b + DRIVER_LO, (uint32_t)(uintptr_t)&q->avail);
        wr32(b + DRIVER_HI, (uint32_t)((uint64_t)(uintptr_t)&q->avail >> 32));
        wr32(b + DEVICE_LO, (uint32_t)(uintptr_t)&q->used);
        wr32(b + DEVICE_HI, (uint32_t)((uint64_t)(uintptr_t)&q->used >> 32));
        wr32(b + QUEUE_READY, 1);
    }
    wr32(b + STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    plic_enable(1 + (unsigned)slot);
    return rd32(b + STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void vio_post(int slot, int qi, uint16_t head)
{
    struct vq *q = &vqs[slot][qi];
    q->avail.ring[q->avail.idx % QN] = head;
    fence();
    q->avail.idx++;
    fence();
    wr32(VIO(slot) + QUEUE_NOTIFY, (uint32_t)qi);
}

/* The used entry that came for queue qi: its len; acknowledges the
 * interrupt and checks it raised the slot's PLIC source (irq_seen). */
static int irq_seen;
static long vio_take(int slot, int qi)
{
    unsigned long b = VIO(slot);
    struct vq *q = &vqs[slot][qi];
    fence();
    long len = q->used.ring[last_used[slot][qi] % QN].len;
    last_used[slot][qi]++;
    uint32_t id = plic_claim();
    irq_seen = id == 1u + (unsigned)slot && (rd32(b + INT_STATUS) & 1);
    wr32(b + INT_ACK, rd32(b + INT_STATUS));
    if (id)
        plic_complete(id);
    return len;
}

/* Makes `head` of queue qi available, notifies, and polls for the used
 * entry; returns its len, or -1 when none came. */
static long vio_submit_q(int slot, int qi, uint16_t head)
{
    volatile uint16_t *used_idx = &vqs[slot][qi].used.idx;
    vio_post(slot, qi, head);
    for (long i = 0; i < 20000000; i++)
        if (*used_idx != last_used[slot][qi])
            return vio_take(slot, qi);
    return -1;
}
static long vio_submit(int slot, uint16_t head) { return vio_submit_q(slot, 0, head); }

/* ---- virtio-blk (§5.2) ---------------------------------------------------- */

struct blk_hdr { uint32_t type, reserved; uint64_t sector; };
static struct blk_hdr hdr;
static uint8_t data[512] __attribute__((aligned(16)));
static volatile uint8_t status;

/* One request: header, data (len bytes; none for len 0), status. Through an
 * indirect table when `ind`. Returns the status byte, or -1 on no answer. */
static int blk_req(int slot, uint32_t type, uint64_t sector, uint32_t len, int ind, long *used)
{
    struct desc *d = ind ? indirect : vqs[slot][0].d;
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status = 0xff;
    int n = 0;
    d[n++] = (struct desc){ (uintptr_t)&hdr, sizeof hdr, F_NEXT, 1 };
    if (len)
        d[n++] = (struct desc){ (uintptr_t)data, len, (uint16_t)(F_NEXT | (type == 0 || type == 8 ? F_WRITE : 0)), 2 };
    d[n - 1].next = (uint16_t)n;
    d[n++] = (struct desc){ (uintptr_t)&status, 1, F_WRITE, 0 };
    if (ind)
        vqs[slot][0].d[0] = (struct desc){ (uintptr_t)indirect, (uint32_t)(n * sizeof(struct desc)), F_INDIRECT, 0 };
    long u = vio_submit(slot, 0);
    if (used)
        *used = u;
    return u < 0 ? -1 : status;
}

/* a sector: the tag, then (pattern) i*7 or (image) zeros */
static void fill(uint8_t *p, const char *tag, int pattern)
{
    for (int i = 0; i < 512; i++)
        p[i] = pattern ? (uint8_t)(i * 7) : 0;
    for (int i = 0; tag[i]; i++)
        p[i] = (uint8_t)tag[i];
}

static void test_blk(int slot)
{
    unsigned long b = VIO(slot);
    puts_("blk: slot ");
    putdec((uint64_t)slot);
    putc_('\n');
    check(vio_init(slot, 1u << 5 | 1u << 9 | 1u << 28, 1), "blk: driver init (FEATURES_OK, DRIVER_OK)");
    int ro = (rd32(b + DEV_FEAT) >> 5) & 1;
    uint64_t cap = rd32(b + CONFIG) | (uint64_t)rd32(b + CONFIG + 4) << 32;
    puts_("blk: capacity ");
    putdec(cap);
    puts_(ro ? " ro\n" : " rw\n");
    long used;

    memset_(data, 0, sizeof data);
    check(blk_req(slot, 0, 5, 512, 0, &used) == 0 && used == 513, "blk: read sector 5");
    check(irq_seen, "blk: completion raised the slot's PLIC source");
    check(memeq(data, "HVSIM SECTOR 5", 14), "blk: sector 5 holds the image's text");

    fill(data, "GUEST WROTE SECTOR 7", 1);
    int st = blk_req(slot, 1, 7, 512, 0, &used);
    if (ro)
        check(st == 1 && used == 1, "blk: write to a read-only drive gets IOERR");
    else
        check(st == 0 && used == 1, "blk: write sector 7");

    memset_(data, 0, sizeof data);
    check(blk_req(slot, 0, 7, 512, 1, &used) == 0 && used == 513,
          "blk: read sector 7 back (indirect descriptors)");
    uint8_t want[512];
    fill(want, ro ? "ORIGINAL SECTOR 7" : "GUEST WROTE SECTOR 7", !ro);
    check(memeq(data, want, 512), ro ? "blk: sector 7 unchanged" : "blk: sector 7 reads back");

    check(blk_req(slot, 4, 0, 0, 0, &used) == 0, "blk: flush");
    memset_(data, 0, sizeof data);
    check(blk_req(slot, 8, 0, 20, 0, &used) == 0 && used >= 1, "blk: GET_ID");
    puts_("blk: id ");
    for (int i = 0; i < 20 && data[i]; i++)
        putc_((char)data[i]);
    putc_('\n');
    check(blk_req(slot, 0, cap, 512, 0, &used) == 1, "blk: read past the end gets IOERR");
    check(blk_req(slot, 99, 0, 0, 0, &used) == 2, "blk: unknown request type gets UNSUPP");
}

/* ---- virtio-rng (§5.4) ---------------------------------------------------- */

static void test_rng(int slot)
{
    check(vio_init(slot, 0, 1), "rng: driver init");
    memset_(data, 0, 32);
    vqs[slot][0].d[0] = (struct desc){ (uintptr_t)data, 32, F_WRITE, 0 };
    long used = vio_submit(slot, 0);
    check(used == 32, "rng: 32 bytes");
    check(irq_seen, "rng: completion raised the slot's PLIC source");
    puts_("rng: ");
    for (int i = 0; i < 32; i++)
        puthex(data[i], 2);
    putc_('\n');
    int nonzero = 0;
    for (int i = 0; i < 32; i++)
        nonzero |= data[i];
    check(nonzero != 0, "rng: bytes are not all zero");
}

/* ---- virtio-console (§5.3): transmit, then receive with WFI -------------- */

static char rxbuf[16];
static const char hello[] = "vcon: hello from virtio-console\n";

static void test_console(int slot)
{
    check(vio_init(slot, 0, 2), "vcon: driver init (2 queues)");
    vqs[slot][1].d[0] = (struct desc){ (uintptr_t)hello, sizeof hello - 1, 0, 0 };
    check(vio_submit_q(slot, 1, 0) == 0, "vcon: transmit done");
    /* receive: one buffer, then sleep until its interrupt (the host waits
     * for console input while every hart sleeps with nothing armed) */
    vqs[slot][0].d[0] = (struct desc){ (uintptr_t)rxbuf, sizeof rxbuf, F_WRITE, 0 };
    puts_("vcon: waiting for input\n");
    vio_post(slot, 0, 0);
    volatile uint16_t *used_idx = &vqs[slot][0].used.idx;
    __asm__ volatile("csrs mie, %0" ::"r"(1ul << 11)); /* MEIE; mstatus.MIE stays 0 */
    while (*used_idx == last_used[slot][0])
        __asm__ volatile("wfi");
    __asm__ volatile("csrc mie, %0" ::"r"(1ul << 11));
    long n = vio_take(slot, 0);
    check(n >= 1 && n <= (long)sizeof rxbuf, "vcon: received input");
    check(irq_seen, "vcon: receive raised the slot's PLIC source");
    puts_("vcon: got '");
    for (long i = 0; i < n; i++)
        putc_(rxbuf[i] >= 32 && rxbuf[i] < 127 ? rxbuf[i] : '.');
    puts_("'\n");
}

/* ---- virtio-net (§5.1) on the loopback wire ------------------------------ */

#define NET_HDR 12
static uint8_t netrx[2][NET_HDR + 1514] __attribute__((aligned(16)));
static uint8_t nettx[NET_HDR + 64] __attribute__((aligned(16)));

/* frame k: to and from our MAC, EtherType 0x88b5 (local experimental),
 * 46 bytes of payload; returns its length (without the header) */
static unsigned net_frame(const uint8_t *mac, int k)
{
    uint8_t *f = nettx + NET_HDR;
    memset_(nettx, 0, sizeof nettx);
    for (int i = 0; i < 6; i++)
        f[i] = f[6 + i] = mac[i];
    f[12] = 0x88, f[13] = 0xb5;
    for (int i = 0; i < 46; i++)
        f[14 + i] = (uint8_t)(k * 31 + i);
    return 60;
}

static void test_net(int slot)
{
    unsigned long b = VIO(slot);
    check(vio_init(slot, 1u << 5 | 1u << 16, 2), "net: driver init (MAC, STATUS; 2 queues)");
    uint8_t mac[6];
    for (int i = 0; i < 6; i++)
        mac[i] = *(volatile uint8_t *)(b + CONFIG + (unsigned long)i);
    puts_("net: mac ");
    for (int i = 0; i < 6; i++) {
        puthex(mac[i], 2);
        if (i < 5) putc_(':');
    }
    putc_('\n');
    check((*(volatile uint16_t *)(b + CONFIG + 6) & 1) == 1, "net: link up");
    /* two receive buffers, posted before anything is sent */
    struct vq *rq = &vqs[slot][0];
    for (int i = 0; i < 2; i++) {
        memset_(netrx[i], 0xee, sizeof netrx[i]);
        rq->d[i] = (struct desc){ (uintptr_t)netrx[i], sizeof netrx[i], F_WRITE, 0 };
        rq->avail.ring[rq->avail.idx % QN] = (uint16_t)i;
        fence();
        rq->avail.idx++;
    }
    fence();
    wr32(b + QUEUE_NOTIFY, 0);
    for (int k = 0; k < 2; k++) {
        unsigned len = net_frame(mac, k);
        vqs[slot][1].d[0] = (struct desc){ (uintptr_t)nettx, NET_HDR + len, 0, 0 };
        check(vio_submit_q(slot, 1, 0) == 0, k ? "net: frame 2 sent" : "net: frame 1 sent");
        volatile uint16_t *used_idx = &rq->used.idx;
        long n = -1;
        for (long i = 0; i < 20000000 && n < 0; i++)
            if (*used_idx != last_used[slot][0])
                n = vio_take(slot, 0);
        check(n == NET_HDR + (long)len, k ? "net: frame 2 came back, header + 60 bytes"
                                          : "net: frame 1 came back, header + 60 bytes");
        check(irq_seen, "net: receive raised the slot's PLIC source");
        check(netrx[k][10] == 1 && netrx[k][11] == 0 && netrx[k][0] == 0 && netrx[k][1] == 0,
              "net: received header: num_buffers 1, no flags, GSO none");
        check(memeq(netrx[k] + NET_HDR, nettx + NET_HDR, len), "net: the same bytes, in order");
    }
    /* a runt (10 bytes after the header) is dropped: sent, nothing comes back */
    vqs[slot][1].d[0] = (struct desc){ (uintptr_t)nettx, NET_HDR + 10, 0, 0 };
    check(vio_submit_q(slot, 1, 0) == 0, "net: runt frame consumed");
    for (volatile long i = 0; i < 200000; i++)
        ;
    check(rq->used.idx == 2, "net: runt frame dropped, not delivered");
}

/* ---- a driver breaking the rules ----------------------------------------- */

static void test_bad(int slot, int is_blk)
{
    static const char *const what[3] = {
        "bad: head index out of range -> NEEDS_RESET + config interrupt",
        "bad: descriptor loop -> NEEDS_RESET + config interrupt",
        "bad: buffer outside RAM -> NEEDS_RESET + config interrupt",
    };
    unsigned long b = VIO(slot);
    for (int k = 0; k < 3; k++) {
        vio_init(slot, 0, 1);
        struct vq *q = &vqs[slot][0];
        uint16_t head = 0;
        if (k == 0)
            head = 200;
        else if (k == 1)
            q->d[0] = (struct desc){ (uintptr_t)data, 16, F_NEXT, 0 };
        else
            q->d[0] = (struct desc){ 0x20000000ul, 16, 0, 0 }; /* not RAM */
        if (k == 2 && is_blk) /* a header the device must read */
            q->d[0].flags = F_NEXT, q->d[0].next = 1,
            q->d[1] = (struct desc){ (uintptr_t)&status, 1, F_WRITE, 0 };
        if (k == 2 && !is_blk)
            q->d[0].flags = F_WRITE;
        q->avail.ring[q->avail.idx % QN] = head;
        fence();
        q->avail.idx++;
        fence();
        wr32(b + QUEUE_NOTIFY, 0);
        uint32_t st = 0;
        for (long i = 0; i < 20000000 && !(st & S_NEEDS_RESET); i++)
            st = rd32(b + STATUS);
        uint32_t id = plic_claim();
        int ok = (st & S_NEEDS_RESET) && (rd32(b + INT_STATUS) & 2) && id == 1u + (unsigned)slot &&
                 q->used.idx == 0;
        wr32(b + INT_ACK, 3);
        if (id)
            plic_complete(id);
        check(ok, what[k]);
    }
    /* a reset recovers the device */
    if (is_blk) {
        check(vio_init(slot, 0, 1) && !(rd32(b + STATUS) & S_NEEDS_RESET), "bad: reset clears NEEDS_RESET");
        check(blk_req(slot, 0, 5, 512, 0, 0) == 0 && memeq(data, "HVSIM SECTOR 5", 14),
              "bad: the device works again after the reset");
    }
}

void vt_main(void)
{
    puts_("virtio-test: start\n");
    probe_fault = 0;
    (void)rd32(RTC);
    if (!probe_fault)
        test_rtc();
    else
        puts_("rtc: none\n");
    int first_blk = -1, any = 0, seen = 0;
    for (int slot = 0; slot < 8; slot++) {
        probe_fault = 0;
        uint32_t magic = rd32(VIO(slot) + MAGIC);
        if (probe_fault || magic != 0x74726976)
            continue;
        if (rd32(VIO(slot) + VERSION) != 2) {
            check(0, "virtio: version 2 (modern) device");
            continue;
        }
        uint32_t id = rd32(VIO(slot) + DEVICE_ID);
        seen |= id != 0;
        if (id == 2) {
            test_blk(slot);
            if (first_blk < 0)
                first_blk = slot;
            any = 1;
        } else if (id == 4) {
            test_rng(slot);
            any = 1;
        } else if (id == 3) {
            test_console(slot);
        } else if (id == 1) {
            test_net(slot);
        }
    }
    if (any) {
        int slot = first_blk;
        if (slot < 0)
            for (int s = 0; s < 8; s++)
                if (rd32(VIO(s) + MAGIC) == 0x74726976 && rd32(VIO(s) + DEVICE_ID) == 4)
                    slot = s;
        test_bad(slot, first_blk >= 0);
    } else if (!seen) {
        puts_("virtio: no devices\n");
    }
    puts_(failures ? "virtio-test: FAILED\n" : "virtio-test: PASS\n");
    exit_((uint32_t)failures);
}
