/* bench_x86.c — the x86_64 side of the hvsim CPU benchmark (`make bench`).
 *
 * The workload is tests/bench/bench.c (the same Dhrystone-style mix as the
 * RISC-V bench), built with -m64 for long mode. start.S enters here in
 * 64-bit mode with the benchmark's own page tables: 4-level paging with
 * 4 KiB pages over the first 8 MiB (image, stack, tables), so fetches and
 * data accesses go through the simulator's TLB as in a real kernel.
 *
 * At the end it prints on COM1 (16550 at port 0x3f8)
 *   bench: iterations N checksum 0x... ok
 * and writes 0 (pass) or 1 (fail) to isa-debug-exit (port 0xf4): hvsim
 * exits 0 / 1, QEMU exits (v << 1) | 1 = 1 / 3. */
#define BENCH_WORKLOAD_ONLY
#include "../bench.c"

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

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

static void com1_putc(char ch)
{
    while (!(inb(0x3f8 + 5) & 0x20)) /* LSR.THRE */
        ;
    outb(0x3f8, (uint8_t)ch);
}

static void com1_puts(const char *s)
{
    while (*s)
        com1_putc(*s++);
}

static void com1_hex(uint64_t v)
{
    com1_puts("0x");
    for (int sh = 60; sh >= 0; sh -= 4)
        com1_putc("0123456789abcdef"[(v >> sh) & 15u]);
}

static void com1_dec(uint64_t v)
{
    char buf[21];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        com1_putc(buf[--n]);
}

static __attribute__((noreturn)) void debug_exit(uint32_t code)
{
    outl(0xf4, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- 4-level paging with 4 KiB pages (SDM vol. 3A §4.5) ---- */
#define NPT 4                               /* 4 page tables x 2 MiB = 8 MiB */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[NPT][512] __attribute__((aligned(4096)));

/* Returns the CR3 value (start.S loads it). P | RW, A and D preset. */
uint64_t bench_setup_paging(void)
{
    const uint64_t f = 0x1 | 0x2 | 0x20 | 0x40;
    pml4[0] = (uint64_t)(uintptr_t)pdpt | f;
    pdpt[0] = (uint64_t)(uintptr_t)pd | f;
    for (uint64_t t = 0; t < NPT; t++) {
        pd[t] = (uint64_t)(uintptr_t)pt[t] | f;
        for (uint64_t p = 0; p < 512; p++)
            pt[t][p] = ((t * 512 + p) << 12) | f;
    }
    return (uint64_t)(uintptr_t)pml4;
}

void __attribute__((noreturn)) bench_x86_main(void)
{
    uint64_t sum = bench_run(ITERS);
    com1_puts("bench: iterations ");
    com1_dec(ITERS);
    com1_puts(" checksum ");
    com1_hex(sum);
#ifdef BENCH_EXPECTED
    if (sum != (uint64_t)BENCH_EXPECTED) {
        com1_puts(" MISMATCH expected ");
        com1_hex((uint64_t)BENCH_EXPECTED);
        com1_puts("\n");
        debug_exit(1);
    }
    com1_puts(" ok\n");
#else
    com1_puts(" unchecked\n");
#endif
    debug_exit(0);
}
