/* x86_64 self-checking x87 test kernel: FNINIT state, computations with
 * exact expected bit patterns, compiler-generated long double code, #NM
 * with CR0.TS (and FWAIT with MP), #MF with CR0.NE and an unmasked
 * exception, FXSAVE/FXRSTOR round trip and its #GP on a misaligned
 * operand, LDMXCSR/STMXCSR, FNSAVE/FRSTOR, CPUID. Built without SSE
 * (-mno-sse -m80387: long double is x87 code). Prints through COM1, exits
 * through isa-debug-exit (0 = every check passed). */
#include <stdint.h>
#include "x86t.h"

#define EXPECT_FAULT(name, vector, insn, ...)                                        \
    do {                                                                             \
        x86t_last_vector = ~0ull;                                                    \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t" \
                         insn "\n1:" ::__VA_ARGS__ : "rax", "rcx", "rdx", "memory");  \
        x86t_resume = 0;                                                             \
        CHECK(x86t_last_vector == (vector), name);                                   \
    } while (0)

struct f80 {
    uint64_t m;
    uint16_t se;
} __attribute__((packed));

static uint8_t fxa[512] __attribute__((aligned(16)));
static uint8_t fxb[512] __attribute__((aligned(16)));
static uint8_t fsave_area[108];


static uint16_t fnstsw(void) { uint16_t v; __asm__ volatile("fnstsw %0" : "=m"(v)); return v; }
static uint16_t fnstcw(void) { uint16_t v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static void fldcw(uint16_t v) { __asm__ volatile("fldcw %0" ::"m"(v)); }

static int same80(const struct f80 *a, uint16_t se, uint64_t m) { return a->se == se && a->m == m; }

static void test_init(void)
{
    __asm__ volatile("fninit");
    CHECK(fnstcw() == 0x037f, "fninit: FCW 037F");
    CHECK(fnstsw() == 0, "fninit: FSW 0");
    uint16_t ax;
    __asm__ volatile("fld1\n\tfnstsw %%ax\n\tfstp %%st(0)" : "=a"(ax));
    CHECK(ax == 0x3800, "fnstsw ax: TOP 7 after a push");
}

static void test_compute(void)
{
    struct f80 r;
    __asm__ volatile("fninit");
    /* 1 + pi: the halved 65-bit sum is a tie, to even */
    __asm__ volatile("fld1\n\tfldpi\n\tfaddp\n\tfstpt %0" : "=m"(r));
    CHECK(same80(&r, 0x4001, 0x8487ed5110b4611aull), "fld1 + fldpi");
    CHECK((fnstsw() & 0x3f) == 0x20, "fadd: PE only");
    /* sqrt(2) */
    __asm__ volatile("fninit\n\tfld1\n\tfld1\n\tfaddp\n\tfsqrt\n\tfstpt %0" : "=m"(r));
    CHECK(same80(&r, 0x3fff, 0xb504f333f9de6484ull), "fsqrt 2");
    /* 1/3 with RC toward zero (FCW 0F7F) truncates: ...AAAA */
    fldcw(0x0f7f);
    __asm__ volatile("fld1\n\tfilds %1\n\t.byte 0xde, 0xf9 /* fdivp st(1), st: 1 / 3 */\n\tfstpt %0" : "=m"(r) : "m"(*(const int16_t[]){ 3 }));
    CHECK(same80(&r, 0x3ffd, 0xaaaaaaaaaaaaaaaaull), "1/3 toward zero");
    /* precision control single (FCW 007F): 1/3 to 24 bits = AAAAAB << 40 */
    fldcw(0x007f);
    __asm__ volatile("fld1\n\tfilds %1\n\t.byte 0xde, 0xf9 /* fdivp st(1), st: 1 / 3 */\n\tfstpt %0" : "=m"(r) : "m"(*(const int16_t[]){ 3 }));
    CHECK(same80(&r, 0x3ffd, 0xaaaaab0000000000ull), "1/3 at PC = 24 bits");
    __asm__ volatile("fninit");
    /* FIST rounds per RC (2.5 -> 2 to nearest even), FISTTP truncates */
    int32_t i32 = 0;
    int64_t i64 = 0;
    long double two5 = 2.5L;
    __asm__ volatile("fldt %2\n\tfistl %0\n\tfisttpll %1" : "=m"(i32), "=m"(i64) : "m"(two5));
    CHECK(i32 == 2 && i64 == 2, "fist / fisttp of 2.5");
    /* FBSTP of -12345 */
    uint8_t bcd[10];
    __asm__ volatile("fildl %1\n\tfbstp %0" : "=m"(bcd) : "m"(*(const int32_t[]){ -12345 }));
    CHECK(bcd[0] == 0x45 && bcd[1] == 0x23 && bcd[2] == 0x01 && bcd[9] == 0x80, "fbstp -12345");
    /* FCOMI: 1 < 2 sets CF */
    uint8_t below;
    __asm__ volatile("fld1\n\tfld1\n\tfadd %%st(0), %%st(0)\n\tfld1\n\tfcomip %%st(1), %%st\n\tsetb %0\n\t"
                     "fstp %%st(0)\n\tfstp %%st(0)" : "=r"(below));
    CHECK(below == 1, "fcomip 1 < 2");
    /* compiler-generated x87 code: sum 1..100, product 10!, a division */
    volatile long double sum = 0, prod = 1;
    for (int k = 1; k <= 100; k++)
        sum += k;
    for (int k = 1; k <= 10; k++)
        prod *= k;
    CHECK(sum == 5050.0L, "long double sum 1..100");
    CHECK(prod == 3628800.0L, "long double 10!");
    CHECK((long long)(prod / sum) == 718, "long double division and conversion");
    /* FSIN(0) = 0, FCOS(0) = 1, FPTAN pushes 1 */
    __asm__ volatile("fldz\n\tfcos\n\tfstpt %0" : "=m"(r));
    CHECK(same80(&r, 0x3fff, 0x8000000000000000ull), "fcos 0");
    CHECK((fnstsw() & 0x3800) == 0, "stack balanced");
}

static void test_nm(void)
{
    uint64_t cr0 = read_cr0();
    write_cr0(cr0 | 8); /* TS */
    EXPECT_FAULT("#NM: fld1 with CR0.TS", 7, "fld1");
    EXPECT_FAULT("FWAIT with TS, MP = 0: no #NM", ~0ull, "fwait");
    write_cr0(cr0 | 8 | 2); /* TS MP */
    EXPECT_FAULT("#NM: fwait with CR0.TS and MP", 7, "fwait");
    write_cr4(read_cr4() | 0x200); /* OSFXSR */
    EXPECT_FAULT("#NM: fxsave with CR0.TS", 7, "fxsave %0", "m"(fxa));
    __asm__ volatile("clts");
    EXPECT_FAULT("after CLTS: fld1 runs", ~0ull, "fld1\n\tfstp %%st(0)");
    write_cr0(cr0 | 4); /* EM */
    EXPECT_FAULT("#NM: fld1 with CR0.EM", 7, "fld1");
    EXPECT_FAULT("#UD: fxsave with CR0.EM", 6, "fxsave %0", "m"(fxa));
    write_cr0(cr0);
}

static void test_mf(void)
{
    uint64_t cr0 = read_cr0();
    CHECK(cr0 & 0x20, "entry state has CR0.NE");
    __asm__ volatile("fninit");
    fldcw(0x037b); /* ZE unmasked */
    /* 1/0: no result, ES set; the #MF comes at the next waiting insn */
    __asm__ volatile("fld1\n\tfldz\n\t.byte 0xde, 0xf9 /* fdivp st(1), st: 1 / 0 */");
    uint16_t sw = fnstsw();
    CHECK((sw & 0x8084) == 0x8084, "unmasked #Z: ZE, ES, B");
    EXPECT_FAULT("#MF on fwait with CR0.NE", 16, "fwait");
    EXPECT_FAULT("#MF on the next x87 instruction", 16, "fld1");
    __asm__ volatile("fnclex");
    EXPECT_FAULT("after FNCLEX: no #MF", ~0ull, "fwait");
    __asm__ volatile("fninit");
}

static void test_fxsave(void)
{
    write_cr4(read_cr4() | 0x200); /* OSFXSR */
    __asm__ volatile("fninit\n\tfld1\n\tfldpi\n\tfldl2e");
    fldcw(0x0a7f);
    __asm__ volatile("fxsave %0" : "=m"(fxa));
    CHECK(fxa[0] == 0x7f && fxa[1] == 0x0a, "fxsave: FCW");
    CHECK(fxa[4] == 0xe0, "fxsave: abridged tags (R5-R7)");
    CHECK(*(uint32_t *)(fxa + 24) == 0x1f80, "fxsave: MXCSR");
    CHECK(same80((struct f80 *)(fxa + 48), 0x4000, 0xc90fdaa22168c235ull), "fxsave: ST(1) = pi");
    __asm__ volatile("fninit\n\tfldz");
    __asm__ volatile("fxrstor %0" ::"m"(fxa));
    __asm__ volatile("fxsave %0" : "=m"(fxb));
    int same = 1;
    for (int k = 0; k < 288; k++) /* x87 part, MXCSR, XMM0-7 */
        same &= fxa[k] == fxb[k];
    CHECK(same, "fxrstor / fxsave round trip");
    struct f80 r;
    __asm__ volatile("fstpt %0" : "=m"(r));
    CHECK(same80(&r, 0x3fff, 0xb8aa3b295c17f0bcull), "after fxrstor: ST(0) = log2(e)");
    EXPECT_FAULT("#GP: misaligned fxsave", 13, "fxsave 8+%0", "m"(fxa));
    /* MXCSR */
    uint32_t mx = 0x7f80 | 0x6000, back = 0;
    __asm__ volatile("ldmxcsr %1\n\tstmxcsr %0" : "=m"(back) : "m"(mx));
    CHECK(back == mx, "ldmxcsr / stmxcsr");
    static uint32_t bad = 0x10000;
    EXPECT_FAULT("#GP: ldmxcsr with a reserved bit", 13, "ldmxcsr %0", "m"(bad));
    mx = 0x1f80;
    __asm__ volatile("ldmxcsr %0" ::"m"(mx));
    __asm__ volatile("fninit");
}

static void test_fsave(void)
{
    __asm__ volatile("fninit\n\tfld1\n\tfldln2\n\tfnsave %0" : "=m"(fsave_area));
    CHECK(fnstcw() == 0x037f && (fnstsw() & 0x3800) == 0, "fnsave reinitializes");
    CHECK(*(uint16_t *)(fsave_area + 8) == 0x0fff, "fnsave: full tag word");
    __asm__ volatile("frstor %0" ::"m"(fsave_area));
    struct f80 r;
    __asm__ volatile("fstpt %0" : "=m"(r));
    CHECK(same80(&r, 0x3ffe, 0xb17217f7d1cf79acull), "frstor: ST(0) = ln 2");
    __asm__ volatile("fninit");
}

static void test_cpuid(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    CHECK(d & 1, "CPUID.1:EDX.FPU");
    CHECK(d & (1u << 24), "CPUID.1:EDX.FXSR");
}

int kmain(void)
{
    x86t_puts("x86 x87: start\n");
    x86t_idt_init();
    test_cpuid();
    test_init();
    test_compute();
    test_nm();
    test_mf();
    test_fxsave();
    test_fsave();
    if (x86t_failures) {
        x86t_puts("x86 x87: FAILED\n");
        return 1;
    }
    x86t_puts("x86 x87: all checks passed\n");
    return 0;
}
