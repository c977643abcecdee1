/* x86_64 self-checking test kernel: integer instructions, flags, string
 * operations, exceptions through a 64-bit IDT, CPUID/MSRs/TSC. Prints
 * through COM1; exits through isa-debug-exit (0 = every check passed).
 * Expected values come from the Intel SDM's definitions, written out here
 * by hand. */
#include <stdint.h>
#include "x86t.h"

static volatile uint64_t sink;

/* Expect `vector` (and error code `err`, if err >= 0) from the instruction
 * in `insn` (a string of asm), resuming after it. */
#define EXPECT_FAULT(name, vector, err, insn, ...)                                   \
    do {                                                                             \
        x86t_last_vector = ~0ull;                                                    \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t" \
                         insn "\n1:" ::__VA_ARGS__ : "rax", "rcx", "rdx", "memory");  \
        CHECK(x86t_last_vector == (vector), name ": vector");                        \
        if ((err) >= 0)                                                              \
            CHECK(x86t_last_error == (uint64_t)(err), name ": error code");          \
    } while (0)

static uint64_t fib(uint64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static void test_arith(void)
{
    volatile uint64_t a = 0x123456789abcdef0ull, b = 0x0fedcba987654321ull;
    CHECK(a + b == 0x2222222222222211ull, "add");
    CHECK(a - b == 0x02468acf13579bcfull, "sub");
    CHECK((a ^ b) == 0x1dd99dd11dd99dd1ull, "xor");
    unsigned __int128 p = (unsigned __int128)a * b;
    CHECK((uint64_t)(p >> 64) == 0x0121fa00ad77d742ull && (uint64_t)p == 0x2236d88fe5618cf0ull, "mul 64x64");
    volatile int64_t s = -1000000007;
    volatile int64_t d = 37;
    CHECK(s / d == -27027027 && s % d == -8, "idiv");
    volatile uint32_t u = 0xffffffffu;
    CHECK(u / 7 == 613566756u && u % 7 == 3, "div 32");
    CHECK(fib(20) == 6765, "call/ret recursion");
    volatile uint64_t sh = 0x8000000000000001ull;
    CHECK((sh >> 63) == 1 && (sh << 1) == 2 && ((int64_t)sh >> 62) == -2, "shifts");
    uint64_t r;
    __asm__("mov %1, %0; rol $4, %0" : "=r"(r) : "r"(0xf00000000000000full));
    CHECK(r == 0xff, "rol");
    __asm__("mov %1, %0; bswap %0" : "=r"(r) : "r"(0x0102030405060708ull));
    CHECK(r == 0x0807060504030201ull, "bswap");
    uint64_t lo = 0xffffffffffffffffull, hi = 0;
    __asm__("add $1, %0; adc $0, %1" : "+r"(lo), "+r"(hi));
    CHECK(lo == 0 && hi == 1, "add/adc carry chain");
    uint8_t of, cf;
    __asm__("mov $0x7f, %%al; add $1, %%al; seto %0; setc %1" : "=r"(of), "=r"(cf) : : "rax");
    CHECK(of == 1 && cf == 0, "add OF/CF");
    __asm__("mov $0x80, %%al; sub $1, %%al; seto %0; setc %1" : "=r"(of), "=r"(cf) : : "rax");
    CHECK(of == 1 && cf == 0, "sub OF/CF");
    uint64_t idx;
    __asm__("bsf %1, %0" : "=r"(idx) : "r"(0x100ull));
    CHECK(idx == 8, "bsf");
    __asm__("bsr %1, %0" : "=r"(idx) : "r"(0x100ull));
    CHECK(idx == 8, "bsr");
    __asm__("popcnt %1, %0" : "=r"(idx) : "r"(0xf0f0ull));
    CHECK(idx == 8, "popcnt");
    __asm__("lzcnt %1, %0" : "=r"(idx) : "r"(1ull));
    CHECK(idx == 63, "lzcnt");
    uint64_t v = 0x10, old = 0x10, nv = 0x20;
    __asm__ volatile("lock cmpxchg %2, %1" : "+a"(old), "+m"(v) : "r"(nv));
    CHECK(v == 0x20 && old == 0x10, "lock cmpxchg");
    uint64_t x = 5;
    uint64_t add = 3;
    __asm__ volatile("lock xadd %0, %1" : "+r"(add), "+m"(x));
    CHECK(x == 8 && add == 5, "lock xadd");
    uint64_t cmov = 1;
    __asm__("cmp $2, %1; cmovl %2, %0" : "+r"(cmov) : "r"(1ull), "r"(42ull));
    CHECK(cmov == 42, "cmovl");
}

static void test_strings(void)
{
    static char src[64] = "deterministic x86 on hvsim";
    static char dst[64];
    uint64_t n = 27;
    void *d = dst, *s = src;
    __asm__ volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    CHECK(n == 0 && dst[0] == 'd' && dst[26] == 0 && dst[25] == 'm', "rep movsb forward");
    static uint64_t q[8];
    uint64_t cnt = 8;
    void *qd = q;
    __asm__ volatile("cld; rep stosq" : "+D"(qd), "+c"(cnt) : "a"(0x5a5a5a5a5a5a5a5aull) : "memory");
    CHECK(q[0] == 0x5a5a5a5a5a5a5a5aull && q[7] == q[0] && cnt == 0, "rep stosq");
    /* backward copy with DF = 1 */
    static char b1[8] = "abcdefg", b2[8];
    void *bd = b2 + 6, *bs = b1 + 6;
    uint64_t bn = 7;
    __asm__ volatile("std; rep movsb; cld" : "+D"(bd), "+S"(bs), "+c"(bn) : : "memory");
    CHECK(b2[0] == 'a' && b2[6] == 'g' && (char *)bd + 1 == b2, "rep movsb backward (DF=1)");
    /* strlen with repne scasb */
    void *sp = src;
    uint64_t c = ~0ull;
    __asm__ volatile("cld; repne scasb" : "+D"(sp), "+c"(c) : "a"(0) : "memory");
    CHECK(~c - 1 == 26, "repne scasb");
    /* repe cmpsb stops at the first difference */
    static const char s1[] = "hypervisor", s2[] = "hyperwall";
    const void *p1 = s1, *p2 = s2;
    uint64_t k = 10;
    __asm__ volatile("cld; repe cmpsb" : "+S"(p1), "+D"(p2), "+c"(k) : : "memory");
    CHECK(k == 4 && (const char *)p1 - s1 == 6, "repe cmpsb");
}

static void test_exceptions(void)
{
    EXPECT_FAULT("#DE", 0, -1, "xor %%ecx, %%ecx\n\tdiv %%ecx");
    EXPECT_FAULT("#UD", 6, -1, "ud2");
    EXPECT_FAULT("#GP non-canonical", 13, 0, "movabs $0x0000800000000000, %%rcx\n\tmov (%%rcx), %%rax");
    EXPECT_FAULT("#PF read", 14, 0, "movabs $0x0000100000000000, %%rcx\n\tmov (%%rcx), %%rax");
    CHECK(x86t_last_cr2 == 0x0000100000000000ull, "#PF read: CR2");
    EXPECT_FAULT("#PF write", 14, 2, "movabs $0x0000100000001008, %%rcx\n\tmovq $1, (%%rcx)");
    CHECK(x86t_last_cr2 == 0x0000100000001008ull, "#PF write: CR2");
    EXPECT_FAULT("#GP wrmsr unknown", 13, 0, "mov $0x12345, %%ecx\n\txor %%eax, %%eax\n\txor %%edx, %%edx\n\twrmsr");
    int before = x86t_traps;
    __asm__ volatile("int3" ::: "memory");
    CHECK(x86t_traps == before + 1 && x86t_last_vector == 3, "int3 (trap, returns after it)");
    __asm__ volatile("int $32" ::: "memory");
    CHECK(x86t_traps == before + 2 && x86t_last_vector == 32, "int $32");
}

static void test_system(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    CHECK(b == 0x69737648 && d == 0x7269566d && c == 0x55504374, "cpuid vendor HvsimVirtCPU");
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
    CHECK(d & (1u << 29), "cpuid long mode");
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
    CHECK(lo & (1u << 10), "EFER.LMA");
    uint64_t t0, t1;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    t0 = (uint64_t)hi << 32 | lo;
    for (volatile int i = 0; i < 100; i++)
        ;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    t1 = (uint64_t)hi << 32 | lo;
    CHECK(t1 > t0 + 100, "rdtsc advances with instructions");
    __asm__ volatile("wrmsr" ::"c"(0xc0000102u), "a"(0x1234u), "d"(0u)); /* KERNEL_GS_BASE */
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000102u));
    CHECK(lo == 0x1234 && hi == 0, "wrmsr/rdmsr KERNEL_GS_BASE");
}

int kmain(void)
{
    x86t_puts("x86 basic64: start\n");
    x86t_idt_init();
    test_arith();
    test_strings();
    test_exceptions();
    test_system();
    sink = 1;
    if (x86t_failures) {
        x86t_puts("x86 basic64: FAILED\n");
        return 1;
    }
    x86t_puts("x86 basic64: all checks passed\n");
    return 0;
}
