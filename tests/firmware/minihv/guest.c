/* guest.c — the test guest minihv runs in every VM (same image, own copy).
 *
 * Runs in VS mode with vsatp = Bare at GPA 0x80000000; talks to the
 * hypervisor only through SBI ecalls and the virtual UART at GPA 0x10000000.
 *
 * vCPU0                                  vCPU1
 *   ebreak (handled here: hedeleg)         ebreak
 *   arm timer                              arm timer, ready1 = 1
 *   for i in 1..N:                         on each VS software interrupt:
 *     seq = i; IPI -> vCPU1   ---------->    check seq, seq_sum += seq,
 *     wait (wfi) for pong i   <----------    IPI -> vCPU0
 *   wait for K timer ticks                 wait for N pings and K ticks
 *   wait for done1                         done1 = 1; SBI HSM hart_stop
 *   alias test, checksum, report to minihv,
 *   print result on the UART, SBI SRST shutdown
 * Every timer interrupt re-arms the timer until K have been taken. */
#include "protocol.h"

#define csr_read(c) ({ uint64_t v__; \
    __asm__ volatile("csrr %0, " #c : "=r"(v__) :: "memory"); v__; })
#define csr_write(c, v) __asm__ volatile("csrw " #c ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(c, v)   __asm__ volatile("csrs " #c ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(c, v) __asm__ volatile("csrc " #c ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define fence()         __asm__ volatile("fence rw, rw" ::: "memory")

#define SIE_BIT     (1UL << 1)      /* sstatus.SIE */
#define SSIP        (1UL << 1)      /* sip/sie: supervisor software */
#define STIP        (1UL << 5)      /* sip/sie: supervisor timer */
#define INTR        (1UL << 63)

static struct {
    uint64_t seq;                   /* ping sequence number, written by vCPU0 */
    uint64_t pings_seen, pongs_seen, seq_sum, order_errors;
    uint64_t ticks[2], ebreaks[2];
    uint64_t ready1, done1;
} volatile S;

static uint64_t vm_number;

struct sbiret { long error; long value; };

static struct sbiret sbi(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
                         uint64_t a2)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r6 __asm__("a6") = fid;
    register uint64_t r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ (long)r0, (long)r1 };
}

static void set_timer(uint64_t t) { sbi(SBI_EXT_TIME, 0, t, 0, 0); }
#ifdef MHV_AIA
/* an MSI straight into each target vCPU's guest interrupt file: no exit */
static void send_ipi(uint64_t mask)
{
    for (unsigned v = 0; mask; v++, mask >>= 1)
        if (mask & 1)
            *(volatile uint32_t *)(GUEST_IMSIC_GPA + 0x1000UL * v) = MHV_IPI_EIID;
}
#define SEIP        (1UL << 9)      /* sip/sie: supervisor external */
#else
static void send_ipi(uint64_t mask) { sbi(SBI_EXT_IPI, 0, mask, 0, 0); }
#endif
static uint64_t rdtime(void) { return csr_read(time); }

/* ---- virtual UART -------------------------------------------------------- */
static void putc_uart(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)VUART_GPA;
    while (!(uart[VUART_LSR] & 0x20))
        ;
    uart[VUART_THR] = (uint8_t)c;
}

static void puts_uart(const char *s)
{
    while (*s)
        putc_uart(*s++);
}

static void putnum(uint64_t v, unsigned base, int width)
{
    char tmp[20];
    int i = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (width-- > i)
        putc_uart('0');
    while (i)
        putc_uart(tmp[--i]);
}

static void fail(const char *what, uint64_t v) __attribute__((noreturn));
static void fail(const char *what, uint64_t v)
{
    puts_uart("vm");
    putnum(vm_number, 10, 0);
    puts_uart(": FAIL: ");
    puts_uart(what);
    puts_uart(" 0x");
    putnum(v, 16, 0);
    putc_uart('\n');
    sbi(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_SYSFAIL, 0);
    for (;;)
        __asm__ volatile("wfi");
}

/* ---- VS-mode trap handler (called from guest_vector) --------------------- */
void guest_trap(void)
{
    uint64_t cause = csr_read(scause);
    unsigned me = (unsigned)csr_read(sscratch);

#ifdef MHV_AIA
    /* external interrupt from the guest file: csrrw stopei (vstopei) reads
     * the identity and claims it */
    uint64_t eiid = 0;
    if (cause == (INTR | 9))
        __asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(eiid) :: "memory");
    if (cause == (INTR | 9) && (eiid >> 16) != MHV_IPI_EIID)
        fail("unexpected external interrupt identity", eiid >> 16);
    if (cause == (INTR | 9)) {
#else
    if (cause == (INTR | 1)) {                 /* software interrupt: an IPI */
        csr_clear(sip, SSIP);
#endif
        if (me == 1) {
            uint64_t seq = S.seq;
            if (seq != S.pings_seen + 1)
                S.order_errors++;
            S.seq_sum += seq;
            S.pings_seen++;
            send_ipi(1UL << 0);                /* pong */
        } else {
            S.pongs_seen++;
        }
    } else if (cause == (INTR | 5)) {          /* timer interrupt */
        S.ticks[me]++;
        if (S.ticks[me] < MHV_TICKS)
            set_timer(rdtime() + MHV_TICK_DELTA);
        else
            set_timer(~0UL);
    } else if (cause == 3) {                   /* ebreak, delegated by hedeleg */
        uint64_t epc = csr_read(sepc);
        uint16_t insn = *(volatile uint16_t *)epc;
        S.ebreaks[me]++;
        csr_write(sepc, epc + ((insn & 3) == 3 ? 4 : 2));
    } else {
        fail("unexpected trap, scause", cause);
    }
}

/* Sleep until *p >= v. Interrupts are masked while testing the condition so
 * a wakeup cannot slip in between the test and the wfi (wfi still wakes on a
 * pending, locally enabled interrupt with sstatus.SIE = 0). */
static void wait_for(volatile uint64_t *p, uint64_t v)
{
    for (;;) {
        csr_clear(sstatus, SIE_BIT);
        if (*p >= v)
            break;
        __asm__ volatile("wfi");
        csr_set(sstatus, SIE_BIT);
    }
    csr_set(sstatus, SIE_BIT);
}

void guest_main(uint64_t vcpu, uint64_t vm)
{
    vm_number = vm;
    if (vcpu > 1)
        for (;;)
            __asm__ volatile("wfi");

    struct sbiret r = sbi(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    if (r.error || r.value < 2)
        fail("SBI spec version", (uint64_t)r.value);

#ifdef MHV_AIA
    /* our guest interrupt file (siselect/sireg are vsiselect/vsireg here):
     * eidelivery = 1, identity MHV_IPI_EIID enabled */
    __asm__ volatile("csrw 0x150, %0\n csrw 0x151, %1" :: "r"(0x70UL), "r"(1UL) : "memory");
    __asm__ volatile("csrw 0x150, %0\n csrw 0x151, %1"
                     :: "r"(0xc0UL), "r"(1UL << MHV_IPI_EIID) : "memory");
    csr_write(sie, SEIP | STIP);
#else
    csr_write(sie, SSIP | STIP);
#endif
    csr_set(sstatus, SIE_BIT);
    __asm__ volatile("ebreak");
    set_timer(rdtime() + MHV_TICK_DELTA);

    if (vcpu == 1) {
        fence();
        S.ready1 = 1;
        wait_for(&S.pings_seen, MHV_PINGPONG);
        wait_for(&S.ticks[1], MHV_TICKS);
        fence();
        S.done1 = 1;
        sbi(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
        fail("HSM hart_stop returned", 0);
    }

    /* Compressed MMIO accesses too (htinst bits 1:0 = 01 when transformed):
     * c.lw from RBR (reads 0), c.sw to offset 4 (ignored). */
    {
        register uint64_t base __asm__("a4") = VUART_GPA;
        register uint64_t val __asm__("a5") = 0x1234;
        __asm__ volatile(".option push\n.option rvc\n"
                         "c.lw a5, 0(a4)\n"
                         "c.sw a5, 4(a4)\n"
                         ".option pop"
                         : "+r"(val) : "r"(base) : "memory");
        if (val != 0)
            fail("c.lw from the UART returned", val);
    }

    puts_uart("vm");
    putnum(vm, 10, 0);
    puts_uart(": guest up, IPI ping-pong x");
    putnum(MHV_PINGPONG, 10, 0);
    puts_uart(", ");
    putnum(MHV_TICKS, 10, 0);
    puts_uart(" timer ticks per vCPU\n");

    while (!S.ready1)
        ;
    for (uint64_t i = 1; i <= MHV_PINGPONG; i++) {
        S.seq = i;
        fence();
        send_ipi(1UL << 1);                    /* ping */
        wait_for(&S.pongs_seen, i);
    }
    wait_for(&S.ticks[0], MHV_TICKS);
    while (!S.done1)
        ;
    fence();

    /* the high (>= 2^39) alias must show the same memory as GUEST_ALIAS_OF */
    volatile uint64_t *orig = (volatile uint64_t *)(GUEST_ALIAS_OF + 0x100);
    volatile uint64_t *alias = (volatile uint64_t *)(GUEST_ALIAS_GPA + 0x100);
    uint64_t magic = 0x6d696e6968760000ULL | vm;
    *orig = 0;
    *alias = magic;
    uint64_t alias_ok = *orig == magic && *alias == magic;

    struct mhv_observed o = {
        .vm_id = vm,
        .pings_seen = S.pings_seen,
        .pongs_seen = S.pongs_seen,
        .seq_sum = S.seq_sum,
        .order_errors = S.order_errors,
        .ticks0 = S.ticks[0],
        .ticks1 = S.ticks[1],
        .ebreaks = S.ebreaks[0] + S.ebreaks[1],
        .alias_ok = alias_ok,
    };
    uint64_t sum = mhv_checksum(&o);
#ifdef MINIHV_BREAK
    sum ^= 1;                                  /* deliberately wrong: minihv must say FAIL */
#endif
    sbi(SBI_EXT_MINIHV, MHV_FID_REPORT_RESULT, sum, o.pongs_seen, o.ticks0);

    puts_uart("vm");
    putnum(vm, 10, 0);
    puts_uart(": ping-pong ");
    putnum(o.pongs_seen, 10, 0);
    puts_uart(" timer ");
    putnum(o.ticks0, 10, 0);
    puts_uart(" checksum 0x");
    putnum(sum, 16, 16);
    putc_uart('\n');

    sbi(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE, 0);
    fail("SRST returned", 0);
}
