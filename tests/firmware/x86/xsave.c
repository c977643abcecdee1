/* x86_64 self-checking test kernel for the XSAVE feature set (SDM vol. 1
 * ch. 13; vol. 2 "XSAVE", "XRSTOR", "XSAVEOPT", "XGETBV", "XSETBV",
 * "CPUID" leaf 0DH), run by tests/e2e/t_x86_xsave.sh twice:
 *   - with [cpu] xsave = on: CPUID.1:ECX.XSAVE and OSXSAVE (= CR4.OSXSAVE),
 *     leaf 0DH sub-leaves 0, 1, 2; #UD of XGETBV / XSETBV / XSAVE / XRSTOR
 *     with CR4.OSXSAVE = 0; XCR0 = 1 at reset; XSETBV's #GP(0) for ECX != 0,
 *     bit 0 clear (0, 2), AVX (bit 2, not supported), bit 32, and at CPL 3,
 *     RCX/RAX/RDX[63:32] ignored; XGETBV at CPL 3, ECX = 1
 *     (XCR0 & XINUSE); XSAVE / XSAVE64 / XSAVEOPT legacy
 *     region = the FXSAVE / FXSAVE64 image, XSTATE_BV from XINUSE for the
 *     requested components only, the rest of the header and bytes 416-511
 *     untouched, RFBM = XCR0 & EDX:EAX; XRSTOR round trip, init state for
 *     XSTATE_BV[i] = 0 (x87: FCW 037FH, empty tags; XMM 0) with MXCSR still
 *     loaded, partial restores; #GP(0) for a misaligned area, XCOMP_BV != 0,
 *     header bytes 16-23 != 0, XSTATE_BV outside XCR0, a reserved MXCSR
 *     bit (only when MXCSR is loaded), with the state unchanged; #NM with
 *     CR0.TS (not for XGETBV);
 *   - with xsave = off: no XSAVE / OSXSAVE in CPUID, max basic leaf 0BH,
 *     CR4.OSXSAVE is #GP, XGETBV / XSETBV / XSAVE are #UD.
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "x86t.h"

#define USER_FN(name, body)                                                      \
    void name(void);                                                             \
    __asm__(".pushsection .user.text, \"ax\"\n\t.globl " #name "\n" #name ":\n\t" \
            body "\n\tud2\n\t.popsection")
X86T_USER_DATA static uint8_t ustack[1024];
#define USTACK ((uint64_t)(ustack + sizeof ustack - 64))
X86T_USER_DATA uint64_t u_xcr0;
USER_FN(u_xgetbv, "xor %ecx, %ecx\n\txgetbv\n\tmov %eax, u_xcr0(%rip)");
USER_FN(u_xsetbv, "xor %ecx, %ecx\n\txor %edx, %edx\n\tmov $3, %eax\n\txsetbv");

enum { CR4_OSFXSR = 1u << 9, CR4_OSXSAVE = 1u << 18, CR0_TS = 1u << 3 };
enum { HDR = 512, AREA = 576 };

/* The faulting-instruction harness: RAX, RCX, RDX, RSI come from these
 * (RSI: the area), then insn runs; the handler resumes after it. */
volatile uint64_t arg_a, arg_c, arg_d;
uint8_t *volatile arg_p;
#define TRY(name, vector, err, insn)                                                       \
    do {                                                                                   \
        x86t_last_vector = ~0ull;                                                          \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"       \
                         "mov arg_c(%%rip), %%rcx\n\tmov arg_d(%%rip), %%rdx\n\t"          \
                         "mov arg_p(%%rip), %%rsi\n\tmov arg_a(%%rip), %%rax\n\t" insn "\n1:" \
                         ::: "rax", "rcx", "rdx", "rsi", "memory");                         \
        x86t_resume = 0;                                                                   \
        CHECKX(x86t_last_vector == (uint64_t)(vector), name, x86t_last_vector);            \
        if ((err) >= 0 && x86t_last_vector == (uint64_t)(vector))                          \
            CHECKX(x86t_last_error == (uint64_t)(err), name ": error code 0", x86t_last_error); \
    } while (0)
#define SET(a, c, d, p) (arg_a = (a), arg_c = (c), arg_d = (d), arg_p = (p))

static uint8_t area[4][4096] __attribute__((aligned(4096)));
static uint8_t fx[512] __attribute__((aligned(16)));

static uint64_t xgetbv(uint32_t c)
{
    uint32_t a, d;
    __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(c));
    return (uint64_t)d << 32 | a;
}
static void xsetbv(uint64_t v)
{
    __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
#define XOP(name, insn)                                                                  \
    static void name(uint8_t *p, uint64_t m)                                             \
    {                                                                                    \
        __asm__ volatile(insn " (%0)" ::"r"(p), "a"((uint32_t)m), "d"((uint32_t)(m >> 32)) \
                         : "memory");                                                    \
    }
XOP(xsave, "xsave")
XOP(xsave64, "xsave64")
XOP(xsaveopt, "xsaveopt")
XOP(xrstor, "xrstor")
XOP(xrstor64, "xrstor64")

static uint64_t rd64(const uint8_t *p) { return *(const uint64_t *)p; }
static void wr64(uint8_t *p, uint64_t v) { *(uint64_t *)p = v; }
static void fill(uint8_t *p, unsigned n, uint8_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = v;
}
static int same(const uint8_t *a, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}
static int all(const uint8_t *a, unsigned n, uint8_t v)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i] != v)
            return 0;
    return 1;
}

/* A recognisable x87 / SSE state: three x87 pushes, FCW 0A7FH, XMMi =
 * i * 0x0101.. + 1, MXCSR 1F80H | FZ (8000H). */
static const uint64_t xmm_pat[16][2] __attribute__((aligned(16))) = {
    { 0x0101010101010101ull, 1 }, { 0x0202020202020202ull, 2 }, { 0x0303030303030303ull, 3 },
    { 0x0404040404040404ull, 4 }, { 0x0505050505050505ull, 5 }, { 0x0606060606060606ull, 6 },
    { 0x0707070707070707ull, 7 }, { 0x0808080808080808ull, 8 }, { 0x0909090909090909ull, 9 },
    { 0x0a0a0a0a0a0a0a0aull, 10 }, { 0x0b0b0b0b0b0b0b0bull, 11 }, { 0x0c0c0c0c0c0c0c0cull, 12 },
    { 0x0d0d0d0d0d0d0d0dull, 13 }, { 0x0e0e0e0e0e0e0e0eull, 14 }, { 0x0f0f0f0f0f0f0f0full, 15 },
    { 0x1010101010101010ull, 16 },
};
static void set_state(void)
{
    static const uint16_t fcw = 0x0a7f;
    static const uint32_t mx = 0x9f80;
    __asm__ volatile("fninit\n\tfld1\n\tfldpi\n\tfldl2e\n\tfldcw %0\n\tldmxcsr %1" ::"m"(fcw), "m"(mx));
    __asm__ volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\tmovdqu 32(%0), %%xmm2\n\t"
                     "movdqu 48(%0), %%xmm3\n\tmovdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
                     "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7\n\tmovdqu 128(%0), %%xmm8\n\t"
                     "movdqu 144(%0), %%xmm9\n\tmovdqu 160(%0), %%xmm10\n\tmovdqu 176(%0), %%xmm11\n\t"
                     "movdqu 192(%0), %%xmm12\n\tmovdqu 208(%0), %%xmm13\n\tmovdqu 224(%0), %%xmm14\n\t"
                     "movdqu 240(%0), %%xmm15" ::"r"(xmm_pat) : "memory");
}
static void fxsave_(uint8_t *p) { __asm__ volatile("fxsave (%0)" ::"r"(p) : "memory"); }
static void fxsave64_(uint8_t *p) { __asm__ volatile("fxsave64 (%0)" ::"r"(p) : "memory"); }
static uint32_t stmxcsr(void) { uint32_t v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }
static uint16_t fnstcw(void) { uint16_t v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static uint64_t xmm_lo(int r)
{
    uint64_t v[2] __attribute__((aligned(16)));
    switch (r) {
    case 0: __asm__ volatile("movdqu %%xmm0, %0" : "=m"(v)); break;
    case 7: __asm__ volatile("movdqu %%xmm7, %0" : "=m"(v)); break;
    default: __asm__ volatile("movdqu %%xmm15, %0" : "=m"(v)); break;
    }
    return v[0] | v[1];
}

static void test_cpuid_on(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    CHECKX(r[0] >= 0xd, "CPUID.0: max basic leaf >= 0DH", r[0]);
    cpuid(1, 0, r);
    CHECK(r[2] & (1u << 26), "CPUID.1:ECX.XSAVE");
    CHECK(!(r[2] & (1u << 27)), "CPUID.1:ECX.OSXSAVE = 0 with CR4.OSXSAVE = 0");
    CHECK(!(r[2] & (1u << 28)), "CPUID.1:ECX.AVX = 0");
    cpuid(0xd, 0, r);
    CHECKX(r[0] == 3 && r[3] == 0, "CPUID.(0DH,0):EDX:EAX = 3 (x87, SSE)", r[0]);
    CHECKX(r[1] == 576, "CPUID.(0DH,0):EBX = 576", r[1]);
    CHECKX(r[2] == 576, "CPUID.(0DH,0):ECX = 576", r[2]);
    cpuid(0xd, 1, r);
    CHECKX(r[0] == 5, "CPUID.(0DH,1):EAX = XSAVEOPT | XGETBV1 (no XSAVEC, XSAVES, XFD)", r[0]);
    CHECKX(r[1] == 0 && r[2] == 0 && r[3] == 0, "CPUID.(0DH,1): EBX ECX EDX 0", r[1] | r[2] | r[3]);
    cpuid(0xd, 2, r);
    CHECKX(!(r[0] | r[1] | r[2] | r[3]), "CPUID.(0DH,2): AVX not supported (all 0)", r[0]);
}

static void test_disabled(void)
{
    /* CR4.OSXSAVE = 0: every one of them #UD */
    SET(0, 0, 0, area[0]);
    TRY("XGETBV with CR4.OSXSAVE = 0: #UD", 6, -1, "xgetbv");
    SET(1, 0, 0, area[0]);
    TRY("XSETBV with CR4.OSXSAVE = 0: #UD", 6, -1, "xsetbv");
    SET(3, 0, 0, area[0]);
    TRY("XSAVE with CR4.OSXSAVE = 0: #UD", 6, -1, "xsave (%%rsi)");
    TRY("XRSTOR with CR4.OSXSAVE = 0: #UD", 6, -1, "xrstor (%%rsi)");
    TRY("XSAVEOPT with CR4.OSXSAVE = 0: #UD", 6, -1, "xsaveopt (%%rsi)");
}

static void test_xcr0(void)
{
    write_cr4(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR);
    uint32_t r[4];
    cpuid(1, 0, r);
    CHECK(r[2] & (1u << 27), "CPUID.1:ECX.OSXSAVE = 1 with CR4.OSXSAVE = 1");
    CHECKX(xgetbv(0) == 1, "XCR0 = 1 at reset", xgetbv(0));
    cpuid(0xd, 0, r);
    CHECKX(r[1] == 576, "CPUID.(0DH,0):EBX = 576 with XCR0 = 1", r[1]);
    SET(3, 1, 0, area[0]);
    TRY("XSETBV ECX = 1: #GP(0)", 13, 0, "xsetbv");
    SET(0, 0, 0, area[0]);
    TRY("XSETBV XCR0 = 0 (x87 clear): #GP(0)", 13, 0, "xsetbv");
    SET(2, 0, 0, area[0]);
    TRY("XSETBV XCR0 = 2 (x87 clear): #GP(0)", 13, 0, "xsetbv");
    SET(7, 0, 0, area[0]);
    TRY("XSETBV XCR0 = 7 (AVX not supported): #GP(0)", 13, 0, "xsetbv");
    SET(3, 0, 1, area[0]);
    TRY("XSETBV XCR0 bit 32: #GP(0)", 13, 0, "xsetbv");
    CHECKX(xgetbv(0) == 1, "XCR0 unchanged by the faulting XSETBVs", xgetbv(0));
    SET(0, 2, 0, area[0]);
    TRY("XGETBV ECX = 2: #GP(0)", 13, 0, "xgetbv");
    SET(0, 0x100000001ull, 0, area[0]);
    TRY("XGETBV ECX = 1 with RCX[63:32] set: no fault", ~0ull, -1, "xgetbv");
    SET(3, 0x100000000ull, 0, area[0]);
    TRY("XSETBV with RCX[63:32] set (ignored): no fault", ~0ull, -1, "xsetbv");
    CHECKX(xgetbv(0) == 3, "XCR0 = 3 after XSETBV", xgetbv(0));
    SET(0xffffffff00000003ull, 0, 0xffffffff00000000ull, area[0]);
    xsetbv(1);
    TRY("XSETBV with RAX[63:32] and RDX[63:32] set (ignored): no fault", ~0ull, -1, "xsetbv");
    CHECKX(xgetbv(0) == 3, "XCR0 = 3 from EDX:EAX only", xgetbv(0));
    /* CPL 3: XGETBV works, XSETBV #GP(0) */
    CHECK(x86t_user_call(u_xgetbv, USTACK, 2) == 6 && u_xcr0 == 3, "XGETBV at CPL 3 reads XCR0");
    CHECK(x86t_user_call(u_xsetbv, USTACK, 2) == 13 && x86t_last_error == 0, "XSETBV at CPL 3: #GP(0)");
    /* XGETBV runs with CR0.TS */
    write_cr0(read_cr0() | CR0_TS);
    SET(0, 0, 0, area[0]);
    TRY("XGETBV with CR0.TS: no #NM", ~0ull, -1, "xgetbv");
    SET(3, 0, 0, area[0]);
    TRY("XSAVE with CR0.TS: #NM", 7, -1, "xsave (%%rsi)");
    TRY("XRSTOR with CR0.TS: #NM", 7, -1, "xrstor (%%rsi)");
    __asm__ volatile("clts");
    /* OSXSAVE off and on again: XCR0 keeps its value */
    write_cr4(read_cr4() & ~(uint64_t)CR4_OSXSAVE);
    SET(0, 0, 0, area[0]);
    TRY("XGETBV after clearing CR4.OSXSAVE: #UD", 6, -1, "xgetbv");
    write_cr4(read_cr4() | CR4_OSXSAVE);
    CHECKX(xgetbv(0) == 3, "XCR0 kept while CR4.OSXSAVE was 0", xgetbv(0));
}

static void test_save(void)
{
    uint8_t *a = area[0], *b = area[1];
    /* XSAVE of everything = FXSAVE's image; the rest untouched */
    set_state();
    fxsave_(fx);
    fill(a, AREA, 0xa5);
    wr64(a + HDR, 0);
    xsave(a, ~0ull);
    CHECK(same(a, fx, 24) && same(a + 32, fx + 32, 416 - 32), "XSAVE legacy region = FXSAVE image (x87, XMM0-15)");
    CHECK(same(a + 24, fx + 24, 8), "XSAVE: MXCSR and MXCSR_MASK as FXSAVE's");
    CHECK(all(a + 416, 96, 0xa5), "XSAVE: bytes 416-511 not written");
    CHECKX(rd64(a + HDR) == 3, "XSAVE: XSTATE_BV = 3 (both in use)", rd64(a + HDR));
    CHECK(all(a + HDR + 8, 56, 0xa5), "XSAVE: header bytes 8-63 not written");
    /* XSAVE64 = FXSAVE64 */
    fxsave64_(fx);
    fill(b, AREA, 0);
    xsave64(b, 3);
    CHECK(same(b, fx, 416), "XSAVE64 legacy region = FXSAVE64 image");
    /* XSAVEOPT: the same bytes as XSAVE */
    fill(b, AREA, 0xa5);
    wr64(b + HDR, 0);
    xsaveopt(b, ~0ull);
    CHECK(same(a, b, AREA), "XSAVEOPT writes what XSAVE writes");
    /* RFBM = 1: x87 only; XSTATE_BV[1] keeps the memory's value */
    fxsave_(fx);
    fill(b, AREA, 0xa5);
    wr64(b + HDR, 2);
    xsave(b, 1);
    CHECK(same(b, fx, 24) && same(b + 32, fx + 32, 128), "XSAVE EAX = 1: x87 saved");
    CHECK(all(b + 24, 8, 0xa5) && all(b + 160, 256, 0xa5), "XSAVE EAX = 1: MXCSR and XMM not written");
    CHECKX(rd64(b + HDR) == 3, "XSAVE EAX = 1: XSTATE_BV = 1 | the old bit 1", rd64(b + HDR));
    wr64(b + HDR, 0xf0);
    xsave(b, 1);
    CHECKX(rd64(b + HDR) == 0xf1, "XSAVE EAX = 1: XSTATE_BV bits 7:4 and 1 kept as they were", rd64(b + HDR));
    /* RFBM = XCR0 & EDX:EAX: with XCR0 = 1, EAX = 3 saves x87 only */
    xsetbv(1);
    fill(b, AREA, 0xa5);
    wr64(b + HDR, 0);
    xsave(b, 3);
    CHECK(all(b + 160, 256, 0xa5), "XCR0 = 1: XSAVE EAX = 3 leaves XMM alone");
    CHECKX(rd64(b + HDR) == 1, "XCR0 = 1: XSTATE_BV = 1", rd64(b + HDR));
    xsetbv(3);
    /* EDX:EAX = 0: nothing but the header written back */
    fill(b, AREA, 0xa5);
    xsave(b, 0);
    CHECK(all(b, AREA, 0xa5), "XSAVE EDX:EAX = 0 writes nothing new");
    /* misaligned */
    SET(3, 0, 0, a + 16);
    TRY("XSAVE at a 16-byte (not 64-byte) boundary: #GP(0)", 13, 0, "xsave (%%rsi)");
    TRY("XSAVEOPT misaligned: #GP(0)", 13, 0, "xsaveopt (%%rsi)");
    TRY("XRSTOR misaligned: #GP(0)", 13, 0, "xrstor (%%rsi)");
}

static void test_restore(void)
{
    uint8_t *a = area[0], *b = area[1], *c = area[2];
    set_state();
    fill(a, AREA, 0);
    xsave(a, 3); /* the state of set_state */
    /* round trip */
    __asm__ volatile("fninit\n\tfldz\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm15, %%xmm15" ::: "memory");
    xrstor(a, 3);
    fill(b, AREA, 0);
    xsave(b, 3);
    CHECK(same(a, b, AREA), "XRSTOR / XSAVE round trip");
    CHECKX(xmm_lo(15) == (0x1010101010101010ull | 16), "after XRSTOR: XMM15", xmm_lo(15));
    CHECKX(fnstcw() == 0x0a7f, "after XRSTOR: FCW 0A7FH", fnstcw());
    /* XRSTOR64 of an XSAVE64 image */
    fill(c, AREA, 0);
    xsave64(c, 3);
    __asm__ volatile("fninit" ::: "memory");
    xrstor64(c, 3);
    fill(b, AREA, 0);
    xsave64(b, 3);
    CHECK(same(c, b, AREA), "XRSTOR64 / XSAVE64 round trip");
    /* XINUSE: XGETBV(1) */
    CHECKX(xgetbv(1) == 3, "XGETBV(1) = XCR0 & XINUSE = 3", xgetbv(1));
    /* init state: XSTATE_BV = 0 initializes both; MXCSR is loaded anyway */
    fill(c, AREA, 0x5a);
    wr64(c + HDR, 0);
    wr64(c + HDR + 8, 0);
    wr64(c + HDR + 16, 0);
    *(uint32_t *)(c + 24) = 0x1f00 | 0x40; /* DAZ, RC 00 with all masks but PM */
    xrstor(c, 3);
    CHECKX(fnstcw() == 0x037f, "XRSTOR XSTATE_BV = 0: FCW 037FH", fnstcw());
    CHECKX(stmxcsr() == 0x1f40, "XRSTOR XSTATE_BV = 0: MXCSR loaded from memory all the same", stmxcsr());
    CHECKX(xmm_lo(0) == 0 && xmm_lo(7) == 0 && xmm_lo(15) == 0, "XRSTOR XSTATE_BV = 0: XMM0/7/15 = 0",
           xmm_lo(0) | xmm_lo(7) | xmm_lo(15));
    CHECKX(xgetbv(1) == 0, "XGETBV(1) = 0 in the initial configuration", xgetbv(1));
    fill(b, AREA, 0xa5);
    wr64(b + HDR, ~0ull);
    xsave(b, 3);
    CHECKX(rd64(b + HDR) == ~3ull, "XSAVE in the initial configuration: XSTATE_BV[1:0] = 0, others kept", rd64(b + HDR));
    CHECK(*(uint16_t *)b == 0x037f && b[2] == 0 && b[3] == 0 && b[4] == 0, "XSAVE of the init x87: FCW 037FH, FSW 0, FTW 0");
    CHECK(all(b + 32, 128, 0) && all(b + 160, 256, 0), "XSAVE of the init state: ST0-7 and XMM0-15 0");
    __asm__ volatile("fld1" ::: "memory");
    CHECKX(xgetbv(1) == 1, "XGETBV(1) = 1 after FLD1", xgetbv(1));
    __asm__ volatile("pcmpeqb %%xmm7, %%xmm7" ::: "memory");
    CHECKX(xgetbv(1) == 3, "XGETBV(1) = 3 after XMM7 = all ones", xgetbv(1));
    xsetbv(1);
    CHECKX(xgetbv(1) == 1, "XGETBV(1) with XCR0 = 1: 1", xgetbv(1));
    xsetbv(3);
    /* partial: RFBM = 1 restores x87 only, MXCSR and XMM stay */
    xrstor(a, 1);
    CHECKX(fnstcw() == 0x0a7f, "XRSTOR EAX = 1: x87 restored", fnstcw());
    CHECKX(stmxcsr() == 0x1f40, "XRSTOR EAX = 1: MXCSR not loaded", stmxcsr());
    CHECKX(xmm_lo(7) == ~0ull, "XRSTOR EAX = 1: XMM7 kept", xmm_lo(7));
    /* XSTATE_BV = 1 with RFBM = 3: x87 loaded, SSE initialized */
    wr64(a + HDR, 1);
    xrstor(a, 3);
    CHECKX(xmm_lo(7) == 0, "XRSTOR XSTATE_BV = 1, EAX = 3: XMM7 initialized", xmm_lo(7));
    CHECKX(stmxcsr() == 0x9f80, "  and MXCSR loaded (9F80H)", stmxcsr());
    wr64(a + HDR, 3);
    /* #GP(0) checks, state unchanged */
    set_state();
    fill(b, AREA, 0);
    xsave(b, 3);
    fill(c, AREA, 0);
    wr64(c + HDR, 0);
    wr64(c + HDR + 8, 1);
    SET(3, 0, 0, c);
    TRY("XRSTOR XCOMP_BV = 1: #GP(0)", 13, 0, "xrstor (%%rsi)");
    wr64(c + HDR + 8, 1ull << 63);
    TRY("XRSTOR XCOMP_BV[63] (compacted form, no XSAVEC): #GP(0)", 13, 0, "xrstor (%%rsi)");
    wr64(c + HDR + 8, 0);
    wr64(c + HDR + 16, 0x100);
    TRY("XRSTOR header bytes 16-23 not 0: #GP(0)", 13, 0, "xrstor (%%rsi)");
    wr64(c + HDR + 16, 0);
    wr64(c + HDR, 4);
    TRY("XRSTOR XSTATE_BV bit 2 (not in XCR0): #GP(0)", 13, 0, "xrstor (%%rsi)");
    xsetbv(1);
    wr64(c + HDR, 2);
    SET(1, 0, 0, c);
    TRY("XRSTOR XSTATE_BV bit 1 with XCR0 = 1: #GP(0) (whatever RFBM)", 13, 0, "xrstor (%%rsi)");
    xsetbv(3);
    wr64(c + HDR, 0);
    *(uint32_t *)(c + 24) = 0x10000;
    SET(3, 0, 0, c);
    TRY("XRSTOR EAX = 3 with MXCSR bit 16: #GP(0)", 13, 0, "xrstor (%%rsi)");
    fill(a, AREA, 0);
    xsave(a, 3);
    CHECK(same(a, b, AREA), "the faulting XRSTORs changed nothing");
    SET(1, 0, 0, c);
    TRY("XRSTOR EAX = 1 with MXCSR bit 16: not loaded, no fault", ~0ull, -1, "xrstor (%%rsi)");
    CHECKX(stmxcsr() == 0x9f80, "  MXCSR unchanged", stmxcsr());
    wr64(c + HDR + 24, ~0ull);
    wr64(c + HDR + 56, ~0ull);
    TRY("XRSTOR header bytes 24-63 not 0: no fault", ~0ull, -1, "xrstor (%%rsi)");
    __asm__ volatile("fninit" ::: "memory");
}

static void test_off(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    CHECKX(r[0] == 0xb, "xsave = off: max basic leaf 0BH", r[0]);
    cpuid(1, 0, r);
    CHECK(!(r[2] & (3u << 26)), "xsave = off: CPUID.1:ECX.XSAVE = OSXSAVE = 0");
    cpuid(0xd, 0, r);
    CHECK(!(r[0] | r[1] | r[2] | r[3]), "xsave = off: leaf 0DH reads 0");
    uint64_t cr4 = read_cr4() | CR4_OSXSAVE;
    x86t_last_vector = ~0ull;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\tmov %0, %%cr4\n1:" ::"r"(cr4)
                     : "rax", "memory");
    x86t_resume = 0;
    CHECKX(x86t_last_vector == 13, "xsave = off: MOV to CR4 with OSXSAVE: #GP", x86t_last_vector);
    SET(0, 0, 0, area[0]);
    TRY("xsave = off: XGETBV #UD", 6, -1, "xgetbv");
    SET(1, 0, 0, area[0]);
    TRY("xsave = off: XSETBV #UD", 6, -1, "xsetbv");
    SET(3, 0, 0, area[0]);
    TRY("xsave = off: XSAVE #UD", 6, -1, "xsave (%%rsi)");
    TRY("xsave = off: XRSTOR #UD", 6, -1, "xrstor (%%rsi)");
}

int kmain(void)
{
    x86t_puts("x86 xsave: start\n");
    x86t_idt_init();
    x86t_sys_init();
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 26))) {
        test_off();
        return x86t_report("xsave (xsave = off)");
    }
    test_cpuid_on();
    test_disabled();
    test_xcr0();
    test_save();
    test_restore();
    return x86t_report("xsave (xsave = on)");
}
