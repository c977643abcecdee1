/* x86_64 self-checking test kernel: string instructions with DF set, REP
 * counts (0, large, 32-bit address size, interrupted by the PIT and
 * single-stepped per iteration: SDM vol. 2 "REP/REPE/REPZ/REPNE/REPNZ",
 * vol. 3A §17.3.1.4), division faults (#DE on a zero divisor and on
 * quotient overflow, INT64_MIN / -1), the CPUID leaves a kernel relies on,
 * MSR read-back and #GP on bad values / unknown MSRs, TSC and
 * RDTSCP/TSC_AUX, CR4.TSD; MOVBE, CRC32, ADCX/ADOX; LAR LSL VERR VERW in
 * IA-32e mode (its descriptor-type table), MOVSXD; the documented ELF64
 * entry state (docs/x86.md "ELF64 entry"), TSC = one tick per instruction
 * and per REP iteration, IA32_MISC_ENABLE (bit 22 limits CPUID.0:EAX). */
#include <stdint.h>
#include "x86t.h"

#define USER_FN(name, body)                                                      \
    void name(void);                                                             \
    __asm__(".pushsection .user.text, \"ax\"\n\t.globl " #name "\n" #name ":\n\t" \
            body "\n\tud2\n\t.popsection")
USER_FN(u_rdtsc, "rdtsc");
USER_FN(u_rdtscp, "rdtscp");
X86T_USER_DATA static uint8_t ustack[1024];
#define USTACK ((uint64_t)(ustack + sizeof ustack - 64))

#define BIG 300000
static uint8_t src[BIG], dst[BIG];

/* ---- interrupts and single-step during REP -------------------------------- */

static volatile int irqs, db_traps, bad_irq_rip;
static volatile uint64_t rep_rip, rep_next;
static volatile uint64_t de_rax, de_rdx;

static int hook(struct x86t_frame *f)
{
    if (f->vector == 32) { /* IRQ0 through the 8259 */
        irqs++;
        if (f->rip != rep_rip)
            bad_irq_rip++;
        outb(0x20, 0x20); /* EOI */
        return 1;
    }
    if (f->vector == 1 && rep_rip) { /* single-step of a REP */
        db_traps++;
        if (f->rip != (f->rcx ? rep_rip : rep_next))
            bad_irq_rip++;
        if (!f->rcx)
            f->rflags &= ~0x100ull;
        return 1;
    }
    if (f->vector == 0) {
        de_rax = f->rax;
        de_rdx = f->rdx;
    }
    return 0;
}

static void pic_pit_init(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 4); outb(0xa1, 2);
    outb(0x21, 1); outb(0xa1, 1);
    outb(0x21, 0xfe); outb(0xa1, 0xff); /* IRQ0 only */
    outb(0x43, 0x34);                   /* channel 0, lo/hi, mode 2 */
    outb(0x40, 50);                     /* 50 PIT clocks: ~42 us of virtual time */
    outb(0x40, 0);
}

static void test_strings(void)
{
    for (int i = 0; i < BIG; i++)
        src[i] = (uint8_t)(i * 7 + (i >> 8));
    /* a large count, interrupted by the timer: restarts at the instruction */
    pic_pit_init();
    void *d = dst, *s = src;
    uint64_t n = BIG;
    irqs = 0;
    __asm__ volatile("lea 2f(%%rip), %%rax\n\tmov %%rax, rep_rip(%%rip)\n\tsti\n2:\trep movsb\n\tcli"
                     : "+D"(d), "+S"(s), "+c"(n) :: "rax", "memory");
    outb(0x21, 0xff);
    rep_rip = 0;
    int same = 1;
    for (int i = 0; i < BIG; i++)
        same &= dst[i] == src[i];
    CHECK(same && n == 0 && d == dst + BIG && s == src + BIG, "rep movsb of 300000 bytes with timer interrupts");
    CHECKX(irqs >= 2, "the timer interrupted the REP (IRQ0 count)", irqs);
    CHECKX(bad_irq_rip == 0, "each interrupt saved the REP's own RIP", bad_irq_rip);

    /* backward, overlapping (memmove up by 8 bytes), DF = 1 */
    uint64_t *q = (uint64_t *)dst;
    for (int i = 0; i < 1000; i++)
        q[i] = 0x0101010101010101ull * (uint64_t)i;
    d = q + 1000;
    s = q + 999;
    n = 1000;
    __asm__ volatile("std\n\trep movsq\n\tcld" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
    int ok = 1;
    for (int i = 1; i <= 1000; i++)
        ok &= q[i] == 0x0101010101010101ull * (uint64_t)(i - 1);
    CHECK(ok && (uint64_t)d == (uint64_t)q && (uint64_t)s == (uint64_t)q - 8, "rep movsq backward (DF = 1), overlapping");
    /* rep stosw backward */
    uint16_t *w = (uint16_t *)dst;
    d = w + 99;
    n = 100;
    __asm__ volatile("std\n\trep stosw\n\tcld" : "+D"(d), "+c"(n) : "a"(0xbeef) : "memory");
    ok = 1;
    for (int i = 0; i < 100; i++)
        ok &= w[i] == 0xbeef;
    CHECK(ok && (uint64_t)d == (uint64_t)w - 2 && w[100] != 0xbeef, "rep stosw backward: 100 words, RDI one below");
    /* count 0: nothing */
    d = dst;
    s = src;
    n = 0;
    dst[0] = 0x77;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
    CHECK(d == dst && s == src && dst[0] == 0x77, "rep movsb with RCX = 0 does nothing");
    /* repe cmpsq backward stops at the first difference */
    static uint64_t a1[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, a2[8] = { 1, 2, 9, 4, 5, 6, 7, 8 };
    const void *p1 = a1 + 7, *p2 = a2 + 7;
    n = 8;
    uint8_t zf;
    __asm__ volatile("std\n\trepe cmpsq\n\tsetz %3\n\tcld" : "+S"(p1), "+D"(p2), "+c"(n), "=r"(zf) :: "memory");
    CHECK(n == 2 && !zf && p1 == a1 + 1, "repe cmpsq backward stops after the difference");
    /* lodsb with DF = 1 */
    uint64_t rax = 0;
    s = src + 10;
    __asm__ volatile("std\n\tlodsb\n\tlodsb\n\tcld" : "+S"(s), "+a"(rax) :: "memory");
    CHECK((uint8_t)rax == src[9] && s == src + 8, "lodsb twice with DF = 1");
    /* 32-bit address size: ESI/EDI/ECX, upper halves cleared */
    uint64_t rsi = (1ull << 32) | (uint64_t)src, rdi = (1ull << 32) | (uint64_t)dst, rcx = (1ull << 32) | 3;
    dst[0] = dst[1] = dst[2] = 0;
    __asm__ volatile("addr32 rep movsb" : "+S"(rsi), "+D"(rdi), "+c"(rcx) :: "memory");
    CHECK(rcx == 0 && rsi == (uint64_t)src + 3 && rdi == (uint64_t)dst + 3 && dst[2] == src[2],
          "addr32 rep movsb: ECX/ESI/EDI, upper halves zeroed");
    /* single-step: one #DB per iteration, RIP on the REP until the last */
    d = dst;
    s = src;
    n = 5;
    db_traps = 0;
    bad_irq_rip = 0;
    __asm__ volatile("lea 2f(%%rip), %%rax\n\tmov %%rax, rep_rip(%%rip)\n\tlea 3f(%%rip), %%rax\n\tmov %%rax, rep_next(%%rip)\n\t"
                     "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n2:\trep movsb\n3:\tnop"
                     : "+D"(d), "+S"(s), "+c"(n) :: "rax", "memory");
    rep_rip = 0;
    CHECKX(db_traps == 5 && bad_irq_rip == 0, "TF: a #DB after each of 5 REP iterations", db_traps);
}

#define DE(name, setup, insn)                                                         \
    do {                                                                              \
        x86t_last_vector = ~0ull;                                                     \
        __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, x86t_resume(%%rip)\n\t"   \
                         setup "\n\tlea 2f(%%rip), %%rcx\n\tmov %%rcx, rep_next(%%rip)\n\t" \
                         "mov %%r8, %%rax\n2:\t" insn "\n1:"                          \
                         ::: "rax", "rbx", "rcx", "rdx", "r8", "memory");             \
        x86t_resume = 0;                                                              \
        CHECKX(x86t_last_vector == 0 && x86t_last_rip == rep_next, name, x86t_last_vector); \
    } while (0)

static void test_division(void)
{
    DE("#DE divide by 0", "mov $5, %%r8\n\txor %%edx, %%edx\n\txor %%ebx, %%ebx", "div %%rbx");
    DE("#DE unsigned quotient overflow (RDX:RAX = 2^64, /1)", "xor %%r8, %%r8\n\tmov $1, %%edx\n\tmov $1, %%ebx",
       "div %%rbx");
    CHECKX(de_rax == 0 && de_rdx == 1, "#DE leaves RAX/RDX unchanged", de_rdx);
    DE("#DE INT64_MIN / -1", "movabs $0x8000000000000000, %%r8\n\tmov $-1, %%rdx\n\tmov $-1, %%rbx", "idiv %%rbx");
    CHECKX(de_rax == 0x8000000000000000ull && de_rdx == ~0ull, "#DE INT64_MIN / -1: RAX/RDX unchanged", de_rax);
    DE("#DE INT32_MIN / -1", "mov $0x80000000, %%r8d\n\tmov $-1, %%edx\n\tmov $-1, %%ebx", "idiv %%ebx");
    DE("#DE -128 / -1 (8-bit)", "mov $0xff80, %%r8d\n\tmov $-1, %%ebx", "idiv %%bl");
    DE("#DE 8-bit unsigned overflow (0x100 / 1)", "mov $0x100, %%r8d\n\tmov $1, %%ebx", "div %%bl");
    int64_t q, r;
    __asm__("cqo\n\tidiv %3" : "=a"(q), "=&d"(r) : "a"(-7ll), "r"(2ll));
    CHECK(q == -3 && r == -1, "idiv truncates toward zero (-7 / 2 = -3 rem -1)");
    uint64_t uq, ur;
    __asm__("div %4" : "=a"(uq), "=d"(ur) : "a"(0ull), "d"(0xfffffffffffffffeull), "r"(~0ull));
    CHECK(uq == 0xfffffffffffffffeull && ur == 0xfffffffffffffffeull, "div 128/64 at the largest quotient");
}

static void test_cpuid(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    CHECKX(r[0] >= 7, "CPUID.0: max basic leaf >= 7", r[0]);
    char vendor[13];
    for (int i = 0; i < 4; i++) {
        vendor[i] = (char)(r[1] >> (8 * i));
        vendor[4 + i] = (char)(r[3] >> (8 * i));
        vendor[8 + i] = (char)(r[2] >> (8 * i));
    }
    vendor[12] = 0;
    uint32_t r1[4];
    cpuid(1, 0, r1);
    x86t_puts("cpuid: vendor ");
    x86t_puts(vendor);
    x86t_puts(" signature ");
    x86t_puthex(r1[0]);
    x86t_puts("\n");
    cpuid(1, 0, r);
    uint32_t edx_need = 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 11 | 1u << 13 | 1u << 15 | 1u << 16;
    CHECKX((r[3] & edx_need) == edx_need, "CPUID.1:EDX TSC MSR PAE CX8 SEP PGE CMOV PAT", r[3]);
    uint32_t ecx_need = 1u << 13 | 1u << 17 | 1u << 22 | 1u << 23;
    CHECKX((r[2] & ecx_need) == ecx_need, "CPUID.1:ECX CX16 PCID MOVBE POPCNT", r[2]);
    CHECKX(((r[0] >> 8) & 0xf) == 6, "CPUID.1:EAX family 6", r[0]);
    cpuid(7, 0, r);
    uint32_t b7 = 1u << 7 | 1u << 10 | 1u << 19 | 1u << 20;
    CHECKX((r[1] & b7) == b7, "CPUID.7:EBX SMEP INVPCID ADX SMAP", r[1]);
    cpuid(0x80000000u, 0, r);
    CHECKX(r[0] >= 0x80000008u, "CPUID.80000000: max extended leaf", r[0]);
    cpuid(0x80000001u, 0, r);
    uint32_t e1 = 1u << 11 | 1u << 20 | 1u << 26 | 1u << 27 | 1u << 29;
    CHECKX((r[3] & e1) == e1, "CPUID.80000001:EDX SYSCALL NX 1GB RDTSCP LM", r[3]);
    CHECKX((r[2] & 0x21) == 0x21, "CPUID.80000001:ECX LAHF64 LZCNT", r[2]);
    cpuid(0x80000008u, 0, r);
    CHECKX((r[0] & 0xff) >= 36 && ((r[0] >> 8) & 0xff) == 48, "CPUID.80000008: physical >= 36, linear 48 bits", r[0]);
    cpuid(0x80000002u, 0, r);
    CHECK(r[0] != 0, "CPUID brand string present");
}

/* ---- the ELF64 entry state (docs/x86.md "ELF64 entry"), before anything changes it */

static void test_entry_state(void)
{
    CHECKX(read_cr0() == 0x80010031ull, "entry: CR0 = PE PG WP NE ET", read_cr0());
    CHECKX(read_cr4() == 0xa0ull, "entry: CR4 = PAE PGE", read_cr4());
    CHECKX(rdmsr(0xc0000080) == 0xd01ull, "entry: EFER = LME LMA NXE SCE", rdmsr(0xc0000080));
    CHECKX(read_cr3() == 0x2000ull, "entry: CR3 = 0x2000", read_cr3());
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } g;
    __asm__ volatile("sgdt %0" : "=m"(g));
    CHECKX(g.base == 0x1000 && g.limit == 23, "entry: GDT at 0x1000, limit 23", g.base);
    uint16_t cs, ds, es, ss, fs, gs;
    __asm__ volatile("mov %%cs, %0\n\tmov %%ds, %1\n\tmov %%es, %2\n\tmov %%ss, %3\n\tmov %%fs, %4\n\tmov %%gs, %5"
                     : "=r"(cs), "=r"(ds), "=r"(es), "=r"(ss), "=r"(fs), "=r"(gs));
    CHECKX(cs == 0x08 && ds == 0x10 && es == 0x10 && ss == 0x10 && fs == 0x10 && gs == 0x10,
           "entry: CS 0x08, DS ES SS FS GS 0x10", (uint64_t)cs << 16 | ds);
    uint64_t fl;
    __asm__ volatile("pushfq\n\tpop %0" : "=r"(fl));
    CHECKX((fl & ~0x8d5ull) == 0x2, "entry: RFLAGS 0x2 but the arithmetic flags (IF = 0)", fl);
    /* the first 4 GiB identity-mapped with 2 MiB pages, supervisor,
     * writable, executable: PML4 0x2000, PDPT 0x3000, PDs 0x4000-0x7fff */
    const volatile uint64_t *pml4 = (const uint64_t *)0x2000, *pdpt = (const uint64_t *)0x3000,
                            *pd = (const uint64_t *)0x4000;
    int bad = 0;
    if ((pml4[0] & 0x8000000000000fffull & ~0x60ull) != 0x3 || (pml4[0] & ~0xfffull) != 0x3000)
        bad |= 1;
    for (int i = 0; i < 4; i++)
        if ((pdpt[i] & ~0xfffull) != 0x4000ull + 0x1000ull * i || (pdpt[i] & 0x8000000000000007ull) != 0x3)
            bad |= 2;
    for (uint64_t i = 0; i < 2048; i++)
        if ((pd[i] & 0x000ffffffffff000ull) != i << 21 || (pd[i] & 0x8000000000000087ull) != 0x83)
            bad |= 4;
    CHECKX(bad == 0, "entry: 4 GiB identity map of 2 MiB pages (P RW PS, not U, not NX)", bad);
}

/* ---- TSC = virtual time: one tick per instruction, per REP iteration -------- */

static uint64_t tsc_nops(void) /* RDTSC, 2 MOVs, 5 NOPs, RDTSC */
{
    uint64_t d;
    __asm__ volatile("pushfq\n\tcli\n\trdtsc\n\tmov %%eax, %%r8d\n\tmov %%edx, %%r9d\n\t"
                     "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\trdtsc\n\tpopfq\n\t"
                     "shl $32, %%rdx\n\tor %%rdx, %%rax\n\tshl $32, %%r9\n\tor %%r9, %%r8\n\tsub %%r8, %%rax"
                     : "=a"(d) : : "rdx", "r8", "r9", "memory");
    return d;
}

static uint64_t tsc_rep(uint64_t n) /* RDTSC, MOV, REP STOSB of n bytes, RDTSC */
{
    static uint8_t buf[512];
    uint8_t *p = buf;
    uint32_t d;
    __asm__ volatile("pushfq\n\tcli\n\tcld\n\trdtsc\n\tmov %%eax, %%r8d\n\txor %%eax, %%eax\n\t"
                     "rep stosb\n\trdtsc\n\tpopfq\n\tsub %%r8d, %%eax"
                     : "=a"(d), "+c"(n), "+D"(p) : : "rdx", "r8", "memory");
    return d;
}

static void test_msr_tsc(void)
{
    static const uint32_t rw[] = { 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000100, 0xc0000101, 0xc0000102,
                                   0x175, 0x176 };
    for (unsigned i = 0; i < sizeof rw / sizeof rw[0]; i++) {
        uint64_t old = rdmsr(rw[i]);
        wrmsr(rw[i], 0xffffffff81234560ull);
        CHECKX(rdmsr(rw[i]) == 0xffffffff81234560ull, "MSR read-back", rw[i]);
        wrmsr(rw[i], old);
    }
    wrmsr(0xc0000084, 0x47700);
    CHECK(rdmsr(0xc0000084) == 0x47700, "SFMASK read-back");
    wrmsr(0x174, 0x1234);
    CHECK(rdmsr(0x174) == 0x1234, "SYSENTER_CS read-back");
    wrmsr(0x200, 0x12345006ull);
    CHECK(rdmsr(0x200) == 0x12345006ull, "MTRR PhysBase0 read-back");
    uint64_t pat = rdmsr(0x277);
    CHECK(pat == 0x0007040600070406ull, "PAT power-on value");
    wrmsr(0x277, 0x0007010600070106ull);
    CHECK(rdmsr(0x277) == 0x0007010600070106ull, "PAT read-back");
    EXPECT_EXC("#GP PAT reserved type 2", 13, 0, "mov $0x277, %%ecx\n\tmov $2, %%eax\n\txor %%edx, %%edx\n\twrmsr");
    wrmsr(0x277, pat);
    CHECK((rdmsr(0x1b) & 0xfffff900ull) == 0xfee00900ull, "APIC_BASE: 0xfee00000, enabled, BSP");
    EXPECT_EXC("#GP rdmsr unknown MSR", 13, 0, "mov $0xc0000090, %%ecx\n\trdmsr");
    EXPECT_EXC("#GP wrmsr unknown MSR", 13, 0, "mov $0x12345, %%ecx\n\txor %%eax, %%eax\n\txor %%edx, %%edx\n\twrmsr");
    EXPECT_EXC("#GP FS_BASE non-canonical", 13, 0,
               "mov $0xc0000100, %%ecx\n\txor %%eax, %%eax\n\tmov $0x8000, %%edx\n\twrmsr");
    static volatile uint64_t fsvar = 0x1357;
    wrmsr(0xc0000100, (uint64_t)&fsvar);
    uint64_t v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    CHECK(v == 0x1357, "FS_BASE addresses %fs:0");

    /* TSC: written, then counting instructions */
    wrmsr(0x10, 1000000000000ull);
    uint32_t lo, hi, aux;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t t = (uint64_t)hi << 32 | lo;
    CHECKX(t >= 1000000000000ull && t < 1000000000000ull + 1000, "TSC written through the MSR", t);
    wrmsr(0xc0000103, 0x42);
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    uint64_t t2 = (uint64_t)hi << 32 | lo;
    CHECK(aux == 0x42 && t2 > t, "RDTSCP: ECX = TSC_AUX, TSC advanced");
    CHECK(x86t_user_call(u_rdtsc, USTACK, 2) == 6, "RDTSC at CPL 3");
    CHECK(x86t_user_call(u_rdtscp, USTACK, 2) == 6, "RDTSCP at CPL 3");
    write_cr4(read_cr4() | 4); /* TSD */
    CHECK(x86t_user_call(u_rdtsc, USTACK, 2) == 13 && x86t_last_error == 0, "#GP(0) RDTSC at CPL 3 with CR4.TSD");
    CHECK(x86t_user_call(u_rdtscp, USTACK, 2) == 13, "#GP(0) RDTSCP at CPL 3 with CR4.TSD");
    write_cr4(read_cr4() & ~4ull);
    /* RDTSC at time t, MOV, MOV, 5 NOPs: the second RDTSC reads t + 8 */
    CHECKX(tsc_nops() == 8, "TSC: one tick per instruction (RDTSC; 2 MOV; 5 NOP; RDTSC = 8)", tsc_nops());
    /* REP STOSB: one tick per iteration (SDM: each iteration an instruction boundary) */
    uint64_t r10 = tsc_rep(10), r300 = tsc_rep(300), r0 = tsc_rep(0);
    CHECKX(r300 - r10 == 290, "TSC: REP STOSB counts one tick per iteration (300 vs 10)", r300 - r10);
    CHECKX(r10 - r0 == 9, "TSC: REP with RCX = 0 takes one tick, 10 iterations ten", r10 - r0);
    /* IA32_MISC_ENABLE: fast strings at reset; bit 22 (Limit CPUID
     * Maxval, SDM vol. 4 Table 2-2) makes CPUID.0:EAX 2 */
    uint64_t me = rdmsr(0x1a0);
    CHECKX((me & 1) && !(me & (1ull << 22)), "MISC_ENABLE: fast strings, no CPUID limit at reset", me);
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t maxleaf = r[0];
    wrmsr(0x1a0, me | 1ull << 22);
    CHECKX(rdmsr(0x1a0) & (1ull << 22), "MISC_ENABLE bit 22 reads back", rdmsr(0x1a0));
    cpuid(0, 0, r);
    CHECKX(r[0] == 2, "MISC_ENABLE bit 22: CPUID.0:EAX = 2", r[0]);
    wrmsr(0x1a0, me);
    cpuid(0, 0, r);
    CHECKX(r[0] == maxleaf && maxleaf >= 0xb, "MISC_ENABLE bit 22 cleared: CPUID.0:EAX back", r[0]);
}

static void test_newer_integer(void)
{
    uint64_t v = 0x1122334455667788ull, r;
    __asm__ volatile("movbe %1, %0" : "=r"(r) : "m"(v));
    CHECK(r == 0x8877665544332211ull, "MOVBE load (64-bit)");
    uint32_t v32;
    __asm__ volatile("movbe %1, %0" : "=m"(v32) : "r"(0x11223344u));
    CHECK(v32 == 0x44332211u, "MOVBE store (32-bit)");
    uint32_t crc = ~0u;
    const char *s = "123456789";
    for (int i = 0; i < 9; i++)
        __asm__("crc32b %1, %0" : "+r"(crc) : "rm"(s[i]));
    CHECKX(~crc == 0xe3069283u, "CRC32 (CRC-32C of \"123456789\")", ~crc);
    uint64_t c64 = 0;
    __asm__("crc32q %1, %0" : "+r"(c64) : "r"(0x3132333435363738ull));
    uint32_t c8 = 0;
    for (int i = 0; i < 8; i++)
        __asm__("crc32b %1, %0" : "+r"(c8) : "r"((uint8_t)(0x3132333435363738ull >> (8 * i))));
    CHECK(c64 == c8, "CRC32 quadword = eight bytes");
    uint64_t a = ~0ull, b = 0;
    uint8_t cf, of;
    /* ADCX uses and sets CF only; ADOX OF only */
    __asm__("xor %%ecx, %%ecx\n\tstc\n\tadcx %3, %0\n\tsetc %1\n\tseto %2"
            : "+r"(a), "=r"(cf), "=r"(of) : "r"(b) : "rcx", "cc");
    CHECK(a == 0 && cf == 1 && of == 0, "ADCX: ~0 + 0 + CF = 0, CF = 1, OF untouched");
    a = 0x7fffffffffffffffull;
    __asm__("stc\n\tmov $0x7f, %%cl\n\tadd $1, %%cl\n\tadox %3, %0\n\tsetc %1\n\tseto %2"
            : "+r"(a), "=r"(cf), "=r"(of) : "r"(1ull) : "rcx", "cc");
    CHECK(a == 0x8000000000000001ull && cf == 0 && of == 0, "ADOX: adds OF, sets OF only (CF from the add stays)");
}

/* ---- LAR LSL VERR VERW in IA-32e mode, MOVSXD -------------------------------- */

/* SDM vol. 2 LAR/LSL Table "Segment and Gate Types", IA-32e column: LAR
 * takes the 64-bit TSS (9, B) and the 64-bit call gate (C) but not the LDT
 * (2) nor any 16-bit type; LSL the LDT and the TSSs, no gate. 63 /r in
 * 64-bit mode is MOVSXD (ARPL outside it: tests/firmware/x86/desc.c). */
static int lar_of(uint16_t sel, uint64_t *ar)
{
    uint8_t z;
    __asm__ volatile("lar %w2, %0\n\tsetz %1" : "+r"(*ar), "=q"(z) : "r"((uint32_t)sel) : "cc");
    return z;
}
static int lsl_of(uint16_t sel, uint64_t *lim)
{
    uint8_t z;
    __asm__ volatile("lsl %w2, %0\n\tsetz %1" : "+r"(*lim), "=q"(z) : "r"((uint32_t)sel) : "cc");
    return z;
}

/* ARPL in compatibility mode (63 is ARPL wherever CS.L = 0): RPL 0 -> 3 */
void c32_arpl(void);
__asm__(".code32\n.globl c32_arpl\nc32_arpl:\n"
        "\tmov $0x1230, %eax\n\tmov $0x7, %ecx\n\tarpl %cx, %ax\n\tsetz %dl\n"
        "\tmov %eax, arpl_res\n\tmov %dl, arpl_zf\n\tud2\n.code64");
volatile uint32_t arpl_res;
volatile uint8_t arpl_zf;
static uint8_t c32_stack[512] __attribute__((aligned(16)));

static void test_desc_ia32e(void)
{
    uint64_t ar = ~0ull, lim = ~0ull;
    CHECKX(lar_of(X86T_TSS, &ar) && (ar & ~0xf0000ull) == 0x8b00, "IA-32e LAR: busy 64-bit TSS (zero-extended)", ar);
    CHECKX(lsl_of(X86T_TSS, &lim) && lim == sizeof x86t_tss - 1, "IA-32e LSL: 64-bit TSS limit", lim);
    ar = lim = ~0ull;
    CHECKX(lar_of(X86T_UCODE64 | 3, &ar) && (ar & ~0xf0000ull) == 0xa0fb00, "IA-32e LAR: 64-bit code, DPL 3", ar);
    CHECKX(lsl_of(X86T_UCODE64 | 3, &lim) && lim == 0xffffffffull, "IA-32e LSL: G = 1: FFFFFFFFh", lim);
    uint64_t *slot = &x86t_gdt[X86T_CGATE0 / 8], save0 = slot[0], save1 = slot[1];
    static const struct { uint8_t type; int lar, lsl; const char *what; } t[] = {
        { 0x1, 0, 0, "IA-32e: type 1 (16-bit TSS) reserved: LAR and LSL fail" },
        { 0x2, 0, 1, "IA-32e: LDT: LSL yes, LAR no" },
        { 0x3, 0, 0, "IA-32e: type 3 (busy 16-bit TSS) reserved" },
        { 0x4, 0, 0, "IA-32e: type 4 (16-bit call gate) reserved" },
        { 0x5, 0, 0, "IA-32e: type 5 (task gate) reserved" },
        { 0x9, 1, 1, "IA-32e: available 64-bit TSS: both" },
        { 0xc, 1, 0, "IA-32e: 64-bit call gate: LAR yes, LSL no" },
        { 0xe, 0, 0, "IA-32e: 64-bit interrupt gate: neither" },
    };
    for (unsigned k = 0; k < sizeof t / sizeof t[0]; k++) {
        slot[0] = 0x1234 | (uint64_t)(0xe0 | t[k].type) << 40; /* DPL 3, P, limit 1234h */
        slot[1] = 0;
        ar = lim = 0x5555;
        int za = lar_of(X86T_CGATE0 | 3, &ar), zl = lsl_of(X86T_CGATE0 | 3, &lim);
        CHECKX(za == t[k].lar && ar == (za ? (uint64_t)(0xe0 | t[k].type) << 8 : 0x5555) && zl == t[k].lsl &&
                   lim == (zl ? 0x1234 : 0x5555),
               t[k].what, ar);
    }
    /* 16-byte system descriptors (SDM vol. 3A §3.5): the upper half's
     * type field must be 0 and the upper half within the GDT limit */
    static const uint8_t sys16[3] = { 0x2, 0x9, 0xc };
    for (unsigned k = 0; k < 3; k++) {
        slot[0] = 0x1234 | (uint64_t)(0xe0 | sys16[k]) << 40;
        slot[1] = (uint64_t)0x09 << 40; /* type 9 in the upper half */
        ar = lim = 0x5555;
        int za = lar_of(X86T_CGATE0 | 3, &ar), zl = lsl_of(X86T_CGATE0 | 3, &lim);
        CHECKX(!za && !zl && ar == 0x5555 && lim == 0x5555,
               "IA-32e LAR/LSL: a 16-byte system descriptor whose upper type field is not 0 fails", sys16[k]);
        slot[1] = 0;
        struct __attribute__((packed)) { uint16_t lim; uint64_t base; } g, g2;
        __asm__ volatile("sgdt %0" : "=m"(g));
        g2 = g;
        g2.lim = X86T_CGATE0 + 7 + 4; /* the lower half in, the upper one not */
        __asm__ volatile("lgdt %1\n\tlar %w3, %0\n\tsetz %b2\n\tlgdt %4"
                         : "+r"(ar), "+m"(g2), "=&q"(za) : "r"((uint32_t)(X86T_CGATE0 | 3)), "m"(g) : "cc", "memory");
        CHECKX(!(za & 0xff) && ar == 0x5555, "IA-32e LAR: a system descriptor's upper half beyond the GDT limit fails",
               sys16[k]);
    }
    slot[0] = save0;
    slot[1] = save1;
    uint8_t r, w;
    __asm__ volatile("verr %w2\n\tsetz %0\n\tverw %w2\n\tsetz %1" : "=&q"(r), "=&q"(w) : "r"(X86T_KCODE) : "cc");
    CHECK(r && !w, "IA-32e VERR/VERW: readable code: readable, not writable");
    __asm__ volatile("verr %w2\n\tsetz %0\n\tverw %w2\n\tsetz %1" : "=&q"(r), "=&q"(w) : "r"(X86T_NPDATA) : "cc");
    CHECK(r && w, "IA-32e VERR/VERW: P = 0 is not checked");
    uint64_t q = 0x1234567800000000ull;
    __asm__("movslq %k1, %0" : "=r"(q) : "r"(0x80000001u));
    CHECKX(q == 0xffffffff80000001ull, "MOVSXD r64, r32 (63 in 64-bit mode, not ARPL)", q);
    q = ~0ull;
    __asm__(".byte 0x63, 0xc1" : "+a"(q) : "c"(0x7ffffffeu)); /* 63 /r, no REX.W: movsxd eax, ecx */
    CHECKX(q == 0x7ffffffeu, "63 /r without REX.W: a 32-bit move, upper half cleared", q);
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"(X86T_KDATA));
    uint64_t v = x86t_far_call((uint64_t)c32_arpl, X86T_KCODE32, X86T_KDATA, (uint64_t)(c32_stack + sizeof c32_stack), 2);
    CHECKX(v == 6 && arpl_res == 0x1233 && arpl_zf == 1, "ARPL in compatibility mode: RPL 0 -> 3, ZF = 1", arpl_res);
}

static void test_bmi(void)
{
    uint64_t r, h, l;
    uint8_t cf, zf;
    __asm__("andn %2, %1, %0" : "=r"(r) : "r"(0xff00ull), "r"(0x0ff0ull));
    CHECK(r == 0x00f0, "ANDN");
    __asm__("blsr %2, %0\n\tsetc %1" : "=r"(r), "=r"(cf) : "r"(0x58ull) : "cc");
    CHECK(r == 0x50 && !cf, "BLSR");
    __asm__("blsmsk %2, %0\n\tsetc %1" : "=r"(r), "=r"(cf) : "r"(0ull) : "cc");
    CHECK(r == ~0ull && cf, "BLSMSK of 0: all ones, CF");
    __asm__("blsi %2, %0\n\tsetc %1" : "=r"(r), "=r"(cf) : "r"(0x58ull) : "cc");
    CHECK(r == 0x08 && cf, "BLSI");
    __asm__("bzhi %2, %3, %0\n\tsetc %1" : "=r"(r), "=r"(cf) : "r"(12ull), "r"(~0ull) : "cc");
    CHECK(r == 0xfff && !cf, "BZHI 12");
    __asm__("bzhi %2, %3, %0\n\tsetc %1" : "=r"(r), "=r"(cf) : "r"(64ull), "r"(0x1234ull) : "cc");
    CHECK(r == 0x1234 && cf, "BZHI 64: unchanged, CF");
    __asm__("pdep %2, %1, %0" : "=r"(r) : "r"(0x5ull), "r"(0xf0f0ull));
    CHECK(r == 0x0050, "PDEP");
    __asm__("pext %2, %1, %0" : "=r"(r) : "r"(0xabcdull), "r"(0xff00ull));
    CHECK(r == 0xab, "PEXT");
    __asm__("mulx %3, %1, %0" : "=r"(h), "=r"(l) : "d"(~0ull), "r"(2ull));
    CHECK(h == 1 && l == ~1ull, "MULX: high and low halves");
    __asm__("bextr %2, %3, %0\n\tsetz %1" : "=r"(r), "=r"(zf) : "r"(0x0804ull), "r"(0x12345ull) : "cc");
    CHECK(r == 0x34 && !zf, "BEXTR start 4 length 8");
    __asm__("shlx %2, %1, %0" : "=r"(r) : "r"(1ull), "r"(65ull));
    CHECK(r == 2, "SHLX count masked to 6 bits");
    __asm__("sarx %2, %1, %0" : "=r"(r) : "r"(0x8000000000000000ull), "r"(63ull));
    CHECK(r == ~0ull, "SARX");
    __asm__("shrx %2, %1, %0" : "=r"(r) : "r"(0x8000000000000000ull), "r"(63ull));
    CHECK(r == 1, "SHRX");
    __asm__("rorx $8, %1, %0" : "=r"(r) : "r"(0x1122334455667788ull));
    CHECK(r == 0x8811223344556677ull, "RORX");
    uint32_t r32;
    __asm__("rorx $4, %1, %0" : "=r"(r32) : "r"(0x12345678u));
    CHECK(r32 == 0x81234567u, "RORX 32-bit");
    uint32_t rr[4];
    cpuid(7, 0, rr);
    CHECK((rr[1] & 0x108) == 0x108, "CPUID.7:EBX BMI1 BMI2");
}

int kmain(void)
{
    x86t_puts("x86 misc: start\n");
    test_entry_state();
    x86t_idt_init();
    x86t_sys_init();
    x86t_hook = hook;
    test_strings();
    test_division();
    test_cpuid();
    test_msr_tsc();
    test_newer_integer();
    test_bmi();
    test_desc_ia32e();
    return x86t_report("misc");
}
