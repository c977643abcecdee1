/* bench.c — CPU-bound bare-metal benchmark for hvsim (`make bench`).
 *
 * A Dhrystone-style mix — integer arithmetic, string copy/compare, small
 * function calls, array and struct updates, a bitwise CRC-32 — run ITERS
 * times in S-mode with Sv39 paging on (4 KiB pages, see bench_setup_vm), so
 * the simulator's TLB and fetch path are exercised as in a real kernel.
 *
 * The result is a 64-bit checksum.  The same source built for the host
 * with -DBENCH_HOST prints the checksum to expect; tests/bench/run.sh passes
 * it in as BENCH_EXPECTED.  At the end the guest prints
 *   bench: iterations N checksum 0x... instret N ok
 * on the 16550 UART at 0x10000000 and powers off through the sifive_test
 * device at 0x100000 (0x5555 = pass, 0x3333 | code << 16 = fail), which
 * behaves the same on QEMU `-M virt` and hvsim's riscv-virt board.
 *
 * Everything uses fixed-width unsigned types so the host and RV64 builds
 * compute the same values (RISC-V char is unsigned, x86's is not).
 */
#include <stddef.h>
#include <stdint.h>

#ifndef ITERS
#define ITERS 450000u      /* ~1e9 instructions on RV64 (gcc 12 -O2) */
#endif

/* ------------------------------------------------------------------ */
/* workload                                                            */
/* ------------------------------------------------------------------ */

enum { ARR = 50, STRLEN = 31 };

struct record {
    struct record *next;
    uint32_t kind;
    uint32_t ival;
    uint32_t enum_val;
    uint8_t str[STRLEN + 1];
};

static struct record rec_a, rec_b;
static uint32_t arr1[ARR];
static uint32_t arr2[ARR][ARR];
static uint8_t str1[STRLEN + 1];
static uint8_t str2[STRLEN + 1];
static uint8_t crcbuf[24];
static uint32_t glob_int;
static uint8_t glob_char;

static const uint8_t STR_A[] = "DHRYSTONE PROGRAM, 1'ST STRING";
static const uint8_t STR_B[] = "DHRYSTONE PROGRAM, 2'ND STRING";

/* out-of-line helpers so the mix contains real calls and returns */
#define NOINLINE __attribute__((noinline))

static NOINLINE void str_copy(uint8_t *d, const uint8_t *s)
{
    while ((*d++ = *s++) != 0)
        ;
}

static NOINLINE int str_cmp(const uint8_t *a, const uint8_t *b)
{
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return (int)*a - (int)*b;
}

static NOINLINE uint32_t func_add(uint32_t a, uint32_t b)
{
    return a + 3u * b;
}

static NOINLINE uint8_t func_char_cmp(uint8_t c1, uint8_t c2)
{
    return c1 == c2 ? 'A' : 'B';
}

static NOINLINE uint32_t func_enum(uint32_t e, uint32_t x)
{
    switch (e & 3u) {
    case 0: return x + 1u;
    case 1: return x > 100u ? 2u : 3u;
    case 2: return x ^ 0x55u;
    default: return x >> 1;
    }
}

static NOINLINE void proc_arrays(uint32_t i, uint32_t v)
{
    uint32_t a = i % ARR;
    uint32_t b = (i * 7u + 3u) % ARR;
    arr1[a] = v;
    arr1[(a + 1) % ARR] = arr1[a] + 1u;
    arr2[a][b] += arr1[b] + v;
    arr2[b][a] = arr2[a][b] ^ i;
    glob_int = a + b;
}

static NOINLINE void proc_record(struct record *r, uint32_t i)
{
    struct record *n = r->next;
    n->kind = r->kind ^ 1u;
    n->ival = func_add(r->ival, i) & 0xffffu;
    n->enum_val = func_enum(r->enum_val + i, n->ival);
    n->str[i % STRLEN] = (uint8_t)('A' + (i % 26u));
    r->ival = n->ival + 5u;
}

static NOINLINE uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint64_t bench_run(uint32_t iters)
{
    uint64_t sum = 0;
    uint32_t x = 12345u, y = 0x9e3779b9u, crc = 0;

    rec_a.next = &rec_b;
    rec_b.next = &rec_a;
    rec_a.kind = 0;
    rec_a.ival = 40;
    rec_a.enum_val = 2;
    str_copy(rec_a.str, STR_A);
    str_copy(rec_b.str, STR_B);
    str_copy(str1, STR_A);
    for (uint32_t k = 0; k < sizeof crcbuf; k++)
        crcbuf[k] = (uint8_t)(k * 37u + 1u);

    for (uint32_t i = 0; i < iters; i++) {
        /* integer arithmetic: an LCG, shifts, a multiply and a divide */
        x = x * 1103515245u + 12345u;
        y ^= x >> 7;
        y = (y << 5) | (y >> 27);
        uint32_t q = (x >> 8) / ((i & 15u) + 1u);
        uint32_t r = (y % 97u) + (q & 0xffu);

        /* strings: copy, patch, compare */
        str_copy(str2, (i & 1u) ? STR_A : STR_B);
        str2[30] = (uint8_t)('0' + i % 10u);
        int c = str_cmp(str1, str2);
        glob_char = func_char_cmp(str1[i % STRLEN], str2[(i + 1) % STRLEN]);

        /* arrays and records */
        proc_arrays(i, r);
        proc_record((i & 1u) ? &rec_b : &rec_a, i);

        /* CRC over a small buffer that changes every iteration */
        crcbuf[i % sizeof crcbuf] ^= (uint8_t)x;
        crc = crc32(crc, crcbuf, sizeof crcbuf);

        sum += (uint64_t)(uint32_t)c + r + glob_char + glob_int +
               rec_a.ival + rec_b.enum_val + arr1[i % ARR];
        sum = (sum << 3) ^ (sum >> 61) ^ crc;
    }
    for (uint32_t a = 0; a < ARR; a++)
        for (uint32_t b = 0; b < ARR; b++)
            sum += arr2[a][b] * (a + 1u);
    sum ^= (uint64_t)crc << 32;
    sum += (uint64_t)x * y;
    sum += (uint64_t)str_cmp(rec_a.str, rec_b.str) & 0xffu;
    return sum;
}

#ifdef BENCH_HOST
/* ------------------------------------------------------------------ */
/* host build: print the checksum the guest must produce              */
/* ------------------------------------------------------------------ */
#include <stdio.h>

int main(void)
{
    printf("0x%016llx\n", (unsigned long long)bench_run(ITERS));
    return 0;
}

#elif !defined(BENCH_WORKLOAD_ONLY) /* x86/bench_x86.c brings its own */
/* ------------------------------------------------------------------ */
/* bare-metal side                                                     */
/* ------------------------------------------------------------------ */

#define UART_BASE   0x10000000ul
#define UART_THR    0
#define UART_LSR    5
#define LSR_THRE    0x20
#define SIFIVE_TEST 0x100000ul
#define TEST_PASS   0x5555u
#define TEST_FAIL   0x3333u

/* gcc may emit calls to these for struct/array code even freestanding */
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    while (n--)
        *dp++ = (uint8_t)c;
    return d;
}

static void uart_putc(char ch)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
    while ((uart[UART_LSR] & LSR_THRE) == 0)
        ;
    uart[UART_THR] = (uint8_t)ch;
}

static void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void uart_hex(uint64_t v)
{
    uart_puts("0x");
    for (int sh = 60; sh >= 0; sh -= 4)
        uart_putc("0123456789abcdef"[(v >> sh) & 15u]);
}

static void uart_dec(uint64_t v)
{
    char buf[21];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        uart_putc(buf[--n]);
}

static __attribute__((noreturn)) void power_off(uint32_t code)
{
    volatile uint32_t *t = (volatile uint32_t *)SIFIVE_TEST;
    *t = code == 0 ? TEST_PASS : (TEST_FAIL | (code << 16));
    for (;;)
        __asm__ volatile("wfi");
}

/* called from start.S for any trap (mcause = -1: a trap in S-mode) */
void __attribute__((noreturn)) bench_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    uart_puts("bench: unexpected trap cause ");
    uart_hex(cause);
    uart_puts(" epc ");
    uart_hex(epc);
    uart_puts(" tval ");
    uart_hex(tval);
    uart_puts("\n");
    power_off(2);
}

/* ---- Sv39 page tables (priv 1.12 §4.4), built in M-mode ---- */
#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define RAM_BASE 0x80000000ul
#define NL0 4                           /* 4 x 2 MiB of 4 KiB pages */

extern char __image_end[];
static uint64_t pt_root[512] __attribute__((aligned(4096)));
static uint64_t pt_l1[512] __attribute__((aligned(4096)));
static uint64_t pt_l0[NL0][512] __attribute__((aligned(4096)));

static uint64_t pte(uint64_t pa, uint64_t flags)
{
    return (pa >> 12) << 10 | flags;
}

/* Returns the satp value: Sv39, root = pt_root. */
uint64_t bench_setup_vm(void)
{
    uint64_t end = (uint64_t)(uintptr_t)__image_end;
    uint64_t npages = (end - RAM_BASE + 4095u) / 4096u;

    if (npages > NL0 * 512u)
        power_off(3);                  /* image too big for the map */
    /* devices (UART, sifive_test): identity gigapage 0..1 GiB, no X */
    pt_root[0] = pte(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    /* 0x80000000..: level 1 -> level 0 tables -> 4 KiB pages */
    pt_root[2] = pte((uint64_t)(uintptr_t)pt_l1, PTE_V);
    for (uint64_t t = 0; t < NL0; t++)
        pt_l1[t] = pte((uint64_t)(uintptr_t)pt_l0[t], PTE_V);
    for (uint64_t p = 0; p < npages; p++)
        pt_l0[p / 512u][p % 512u] =
            pte(RAM_BASE + p * 4096u, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    return (8ul << 60) | ((uint64_t)(uintptr_t)pt_root >> 12);
}

static uint64_t rd_instret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

/* S-mode entry (mret from start.S), paging on */
void __attribute__((noreturn)) bench_main(void)
{
    uint64_t i0 = rd_instret();
    uint64_t sum = bench_run(ITERS);
    uint64_t i1 = rd_instret();

    uart_puts("bench: iterations ");
    uart_dec(ITERS);
    uart_puts(" checksum ");
    uart_hex(sum);
    uart_puts(" instret ");
    uart_dec(i1 - i0);
#ifdef BENCH_EXPECTED
    if (sum != (uint64_t)BENCH_EXPECTED) {
        uart_puts(" MISMATCH expected ");
        uart_hex((uint64_t)BENCH_EXPECTED);
        uart_puts("\n");
        power_off(1);
    }
    uart_puts(" ok\n");
#else
    uart_puts(" unchecked\n");
#endif
    power_off(0);
}
#endif
