/* hsm.c — does SBI HSM hart_start start each hart where it was asked to?
 *
 * An S-mode payload for OpenSBI fw_jump on the riscv-virt board. The boot
 * hart (whichever OpenSBI's cold-boot lottery picked) starts every other
 * hart with SBI HSM hart_start (SBI spec v1.0, chapter 9, EID 0x48534D,
 * FID 0): hart K at its own address hsm_entry_K with its own opaque value
 * HSM_OPAQUE(K). The SBI spec says the hart then begins in S mode at that
 * address with a0 = its hartid and a1 = the opaque value. Each secondary
 * checks exactly that on arrival:
 *
 *   - it runs at hsm_entry_K: start.S calls hsm_secondary(K, a0, a1);
 *   - a0 == K (the hart asked to start at hsm_entry_K is the one that came);
 *   - a1 == HSM_OPAQUE(K).
 *
 * A hart that comes to the cold-boot entry _start (0x80200000) instead of
 * its hsm_entry_K also fails the check: start.S sees that a boot hart is
 * already running and calls hsm_stale_entry(). Any mismatch is printed on
 * the UART ("HSM MISMATCH: ...") and ends the run through the sifive_test
 * finisher with FAIL (0x3333, code 1): `hvsim run` exits 1. When every hart
 * that hart_start accepted has arrived correctly the boot hart prints
 * "hsm: N secondary harts started ..." and finishes with PASS (0x5555).
 * A hart that never arrives keeps the boot hart waiting: the run ends at
 * --max-insns (exit 3, explore's verdict "hang"). There is deliberately no
 * timeout in virtual time: perturbations (--stall, --skew) may delay a hart
 * for any time, and that is not a failure of hart_start.
 *
 * The test has no timing of its own that decides anything: the harts are
 * started one after the other as fast as the boot hart can, and pass/fail
 * is only the check above. (OpenSBI 1.1 sometimes sends the target to the
 * stale cold-boot address: docs/examples/sbi-hsm-race.md.)
 *
 * Hart count: hart_start is tried for hartids 0 .. HSM_MAX_HARTS-1; the SBI
 * error SBI_ERR_INVALID_PARAM means "no such hart" and ends the probing.
 * Build: tests/firmware/hsm/build.sh OUTDIR */
#include <stdint.h>
#include "hsm.h"

#define UART_BASE    0x10000000ul   /* 16550, [uart] base */
#define UART_LSR     5
#define LSR_THRE     0x20
#define TEST_BASE    0x100000ul     /* sifive_test finisher, [sifive-test] base */
#define TEST_PASS    0x5555u
#define TEST_FAIL    0x3333u

#define SBI_EXT_HSM          0x48534D
#define SBI_HSM_HART_START   0
#define SBI_ERR_INVALID_PARAM (-3)

/* Distinct per hart, and not an address or a small number a stale
 * register could hold by chance. */
#define HSM_OPAQUE(k) (0x5eed0000c0de0000ul + 0x1111ul * (uint64_t)(k))

extern char hsm_entry_0[]; /* start.S: hsm_entry_K = hsm_entry_0 + K * HSM_ENTRY_STRIDE */

/* All written state is initialised data (see link.ld): nothing clears it. */
volatile uint32_t hsm_booted = 0;         /* claimed by the first hart at _start */
static volatile uint32_t print_lock = 0;
static volatile uint32_t arrived[HSM_MAX_HARTS] = { 0 };
static volatile uint64_t req_addr[HSM_MAX_HARTS] = { 0 };
static volatile uint64_t req_opaque[HSM_MAX_HARTS] = { 0 };
static volatile uint32_t requested[HSM_MAX_HARTS] = { 0 };

static void lock(void)
{
    while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void unlock(void)
{
    __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static void putc_(char c)
{
    volatile uint8_t *u = (volatile uint8_t *)UART_BASE;
    while (!(u[UART_LSR] & LSR_THRE))
        ;
    u[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

static void puthex(uint64_t v)
{
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    puts_(buf + i);
}

static void putdec(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(buf + i);
}

static __attribute__((noreturn)) void finish(uint32_t code)
{
    *(volatile uint32_t *)TEST_BASE = code;
    for (;;)
        __asm__ volatile("wfi");
}

static __attribute__((noreturn)) void fail(void)
{
    finish(TEST_FAIL | 1u << 16);
}

struct sbiret {
    long error;
    long value;
};

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a6 __asm__("a6") = fid;
    register long r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbiret){ r_a0, r_a1 };
}

/* hart K's start address: hsm_entry_K in start.S */
static uint64_t entry_of(unsigned k)
{
    return (uint64_t)(uintptr_t)hsm_entry_0 + (uint64_t)k * HSM_ENTRY_STRIDE;
}

/* Prints "HSM MISMATCH: hart H entered at PC with a0=.. a1=..; hart_start
 * asked: ..." and fails the run. */
static __attribute__((noreturn)) void mismatch(uint64_t hart, uint64_t pc, uint64_t a0,
                                               uint64_t a1, unsigned k)
{
    lock();
    puts_("HSM MISMATCH: hart ");
    putdec(hart);
    puts_(" entered S mode at ");
    puthex(pc);
    if (pc == HSM_COLD_ENTRY)
        puts_(" (the cold-boot entry)");
    puts_(" with a0=");
    puthex(a0);
    puts_(" a1=");
    puthex(a1);
    puts_("; hart_start asked for hart ");
    putdec(k);
    if (k < HSM_MAX_HARTS && requested[k]) {
        puts_(" at ");
        puthex(req_addr[k]);
        puts_(" with opaque ");
        puthex(req_opaque[k]);
    } else {
        puts_(": nothing (no hart_start for it)");
    }
    puts_("\n");
    unlock();
    fail();
}

/* A hart at _start after the boot hart: it should be at hsm_entry_K. */
void __attribute__((noreturn)) hsm_stale_entry(uint64_t hartid, uint64_t a1)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    mismatch(hartid, HSM_COLD_ENTRY, hartid, a1, (unsigned)hartid);
}

/* A hart at hsm_entry_K with a0 = hartid, a1 = opaque. */
void hsm_secondary(uint64_t k, uint64_t hartid, uint64_t opaque)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!requested[k] || hartid != k || opaque != req_opaque[k])
        mismatch(hartid, entry_of((unsigned)k), hartid, opaque, (unsigned)k);
    __atomic_store_n(&arrived[k], 1, __ATOMIC_RELEASE);
}

void __attribute__((noreturn)) hsm_boot(uint64_t hartid, uint64_t dtb)
{
    (void)dtb;
    lock();
    puts_("hsm: boot hart ");
    putdec(hartid);
    puts_(", starting the others with SBI HSM hart_start\n");
    unlock();

    unsigned started = 0;
    for (unsigned k = 0; k < HSM_MAX_HARTS; k++) {
        if (k == hartid)
            continue;
        req_addr[k] = entry_of(k);
        req_opaque[k] = HSM_OPAQUE(k);
        requested[k] = 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, (long)k,
                                   (long)req_addr[k], (long)req_opaque[k]);
        if (r.error == SBI_ERR_INVALID_PARAM) { /* no hart k: done */
            requested[k] = 0;
            break;
        }
        if (r.error) {
            lock();
            puts_("HSM MISMATCH: hart_start of hart ");
            putdec(k);
            puts_(" failed with SBI error ");
            putdec((uint64_t)-r.error);
            puts_("\n");
            unlock();
            fail();
        }
        started++;
    }

    for (unsigned k = 0; k < HSM_MAX_HARTS; k++)
        while (requested[k] && !__atomic_load_n(&arrived[k], __ATOMIC_ACQUIRE))
            ;
    lock();
    puts_("hsm: ");
    putdec(started);
    puts_(" secondary harts started, each at its own address with its own opaque value\n");
    unlock();
    finish(TEST_PASS);
}
