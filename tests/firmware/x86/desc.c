/* The descriptor-instruction kernel (Multiboot 1, 32-bit protected mode, no
 * paging; docs/x86.md "Test kernels"), Intel SDM vol. 2 "LAR", "LSL",
 * "VERR/VERW", "ARPL", vol. 3A §5.8.5:
 *  1. LAR, LSL, VERR and VERW on a table of descriptors (data and code of
 *     each kind, conforming code, not present, all 16 system types, an LDT
 *     entry, null and beyond-limit selectors) with RPL 0 and 3, at CPL 0 and
 *     again at CPL 3: ZF, the access rights (masked 00FxFF00H), the limit
 *     scaled by G, the destination untouched when ZF = 0, 16-bit operand
 *     size, a memory source;
 *  2. ARPL: ZF and the RPL adjust, register and memory destinations;
 *  3. a 32-bit call gate with a parameter count of 3 from CPL 3 to CPL 0:
 *     the three doublewords copied from the caller's stack to the ring-0
 *     stack between SS:ESP and CS:EIP, and RETF 12 back (both stacks
 *     released);
 *  4. a 16-bit call gate with a parameter count of 2 from 16-bit CPL-3
 *     code: two words copied, RETF 4 back.
 * Reports on COM1, exits through isa-debug-exit (0 = every check passed). */
#include <stdbool.h>
#include "mb.h"

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint32_t t_iomap;
};

enum {
    S_CODE = 0x08, S_DATA = 0x10, S_TSS = 0x18, S_UCODE = 0x20, S_UDATA = 0x28,
    S_CGATE32 = 0x30, S_CGATE16 = 0x38, S_UCODE16 = 0x40, S_UDATA16 = 0x48, S_KCODE16 = 0x50,
    S_LDT = 0x58,
    S_T0 = 0x60,   /* the tested code/data descriptors: S_T0 + 8 * k */
    S_SYS = 0x100, /* system descriptors of type 0..15, DPL 3: S_SYS + 8 * type */
    S_KCODE1 = 0x180, S_CGATE1 = 0x188, S_SS1 = 0x190, /* the ring-1 call gate and its stack */
    S_GDT_END = 0x198,
    S_BEYOND = 0x1f8, /* beyond the GDT limit */
};

static uint64_t gdt[S_GDT_END / 8] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static struct tss32 tss __attribute__((aligned(128)));
static uint8_t stack0[4096] __attribute__((aligned(16))), ustack[4096] __attribute__((aligned(16)));
static uint8_t ustack16[0x1000] __attribute__((aligned(16)));

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}
static uint64_t call_gate(uint16_t sel, uint32_t off, unsigned access, unsigned count)
{
    return (off & 0xffff) | (uint64_t)sel << 16 | (uint64_t)(count & 0x1f) << 32 | (uint64_t)access << 40 |
           (uint64_t)(off >> 16) << 48;
}
static void set_gate(int v, uint32_t off, uint16_t sel, unsigned access)
{
    idt[v] = call_gate(sel, off, access, 0);
}

/* ---- handlers: vectors 0-31 are failures, INT 30h (DPL 3) resumes the kernel ---- */

__asm__(".text\n"
        ".macro stub v\n"
        "stub\\v:\n"
        ".if (\\v - 8) * (\\v - 10) * (\\v - 11) * (\\v - 12) * (\\v - 13) * (\\v - 14) * (\\v - 17)\n"
        "\tpushl $0\n"
        ".endif\n"
        "\tpushl $\\v\n\tjmp exc_common\n"
        ".endm\n"
        ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,48\n"
        "stub \\v\n"
        ".endr\n"
        "exc_common:\n\tmovl $0x10, %eax\n\tmov %ax, %ds\n\tmov %ax, %es\n"
        "\tpushl %esp\n\tcall on_exc\n"
        /* back to the kernel where to_user left it */
        "resume_kernel:\n\tmovl $0x10, %eax\n\tmov %ax, %ds\n\tmov %ax, %es\n\tmov %ax, %fs\n\tmov %ax, %gs\n"
        "\tmov %ax, %ss\n\tmovl kern_esp, %esp\n\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n"
        /* to_user(frame): saves the kernel's context, IRETs with ESP = frame */
        ".globl to_user\nto_user:\n\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
        "\tmovl %esp, kern_esp\n\tmovl 20(%esp), %esp\n\tiret\n"
        ".section .rodata\n.globl stub_table\nstub_table:\n"
        ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,48\n"
        ".long stub\\v\n"
        ".endr\n.text\n");
extern const uint32_t stub_table[33];
void to_user(const uint32_t *frame);
volatile uint32_t kern_esp;

struct exc_frame { uint32_t vector, error, eip, cs, eflags; };
static volatile int expect_fault;       /* a fault of the CPL-3 code is the test's outcome */
static volatile struct exc_frame fault; /* the last one */
void on_exc(struct exc_frame *f)
{
    if (f->vector == 0x30)
        return; /* resume_kernel */
    if (expect_fault && (f->cs & 3) == 3) {
        fault = *f;
        return; /* resume_kernel */
    }
    x86t_puts("unexpected exception ");
    x86t_puthex(f->vector);
    x86t_puts(" error ");
    x86t_puthex(f->error);
    x86t_puts(" at ");
    x86t_puthex(f->eip);
    x86t_puts("\nFAIL\n");
    x86t_exit(1);
}

/* ---- 1. LAR LSL VERR VERW ------------------------------------------------------------ */

struct probe { uint32_t lar, lsl, lar16; uint8_t zlar, zlsl, zlar16, verr, verw; };
#define UNTOUCHED 0xdeadbeefu

static void probe(uint16_t sel, struct probe *p)
{
    uint32_t a = UNTOUCHED, l = UNTOUCHED, a16 = UNTOUCHED;
    uint8_t za, zl, z16, r, w;
    __asm__ volatile("larl %k2, %0\n\tsetz %1" : "+r"(a), "=q"(za) : "r"((uint32_t)sel) : "cc");
    __asm__ volatile("lsll %k2, %0\n\tsetz %1" : "+r"(l), "=q"(zl) : "r"((uint32_t)sel) : "cc");
    __asm__ volatile("larw %w2, %w0\n\tsetz %1" : "+r"(a16), "=q"(z16) : "r"((uint32_t)sel) : "cc");
    __asm__ volatile("verr %w1\n\tsetz %0" : "=q"(r) : "r"(sel) : "cc");
    __asm__ volatile("verw %w1\n\tsetz %0" : "=q"(w) : "r"(sel) : "cc");
    *p = (struct probe){ a, l, a16, za, zl, z16, r, w };
}

/* The tested code/data descriptors (S_T0 + 8 * k), what SDM vol. 2 says of
 * them: LAR and LSL accept every code/data type; VERR a data segment or a
 * readable code segment; VERW a writable data segment; a conforming code
 * segment is visible whatever CPL/RPL, any other only when DPL >= CPL and
 * DPL >= RPL. */
static const struct cd {
    uint32_t limit; uint8_t access, flags; bool rd, wr, conf; uint32_t blimit; const char *what;
} cds[] = {
    { 0xfffff, 0x93, 0xc, true, true, false, 0xffffffffu, "data DPL 0 RW, G = 1" },
    { 0x01234, 0xf1, 0x4, true, false, false, 0x1234, "data DPL 3 read-only, accessed" },
    { 0x00fff, 0xd3, 0x4, true, true, false, 0xfff, "data DPL 2 RW" },
    { 0x00012, 0xf7, 0xc, true, true, false, 0x12fff, "data DPL 3 RW expand-down, G = 1" },
    { 0xabcde, 0x99, 0x4, false, false, false, 0xabcde, "code DPL 0 execute-only" },
    { 0x0ffff, 0x9f, 0x4, true, false, true, 0xffff, "code DPL 0 readable conforming" },
    { 0x0ffff, 0x9d, 0x0, false, false, true, 0xffff, "code DPL 0 execute-only conforming" },
    { 0x00001, 0xfb, 0xc, true, false, false, 0x1fff, "code DPL 3 readable, G = 1" },
    { 0x0ffff, 0x53, 0x4, true, true, false, 0xffff, "data DPL 2 RW not present" },
    { 0x0ffff, 0xbb, 0x4, true, false, false, 0xffff, "code DPL 1 readable" },
};
#define NCD (sizeof cds / sizeof cds[0])
/* Protected-mode system types (Table "Segment and Gate Types") LAR accepts:
 * 1 2 3 4 5 9 B C; LSL: 1 2 3 9 B. */
static const uint16_t lar_sys = 0x1a3e, lsl_sys = 0x0a0e;
#define SYS_LIMIT(t) (0x100u + (t))

/* the selectors probed: the code/data table, the system types, an LDT
 * entry (DPL 3 data), the null selector and one beyond the GDT limit */
#define NSEL (NCD + 16 + 3)
static uint16_t sel_of(unsigned k)
{
    if (k < NCD)
        return (uint16_t)(S_T0 + 8 * k);
    if (k < NCD + 16)
        return (uint16_t)(S_SYS + 8 * (k - NCD));
    static const uint16_t rest[3] = { 0x04 | 0, 0, S_BEYOND };
    return rest[k - NCD - 16];
}
struct probe res[2][2][NSEL]; /* [CPL 0/3][RPL 0/3][selector] */

static void probe_all(int cpl)
{
    for (unsigned k = 0; k < NSEL; k++) {
        probe(sel_of(k), &res[cpl == 3][0][k]);
        probe((uint16_t)(sel_of(k) | 3), &res[cpl == 3][1][k]);
    }
}

static void check_one(int cpl, int rpl, unsigned k)
{
    const struct probe *p = &res[cpl == 3][rpl == 3][k];
    uint64_t d;
    bool lar_ok, lsl_ok, rd, wr, conf;
    uint32_t lim;
    if (k < NCD) {
        d = gdt[S_T0 / 8 + k];
        lar_ok = lsl_ok = true;
        rd = cds[k].rd, wr = cds[k].wr, conf = cds[k].conf;
        lim = cds[k].blimit;
    } else if (k < NCD + 16) {
        unsigned t = k - NCD;
        d = gdt[S_SYS / 8 + t];
        lar_ok = lar_sys >> t & 1, lsl_ok = lsl_sys >> t & 1;
        rd = wr = conf = false;
        lim = SYS_LIMIT(t);
    } else if (k == NCD + 16) { /* LDT entry 0: DPL 3 RW data, limit 0x777 */
        d = ldt[0];
        lar_ok = lsl_ok = rd = wr = true, conf = false;
        lim = 0x777;
    } else { /* null, beyond the limit */
        d = 0;
        lar_ok = lsl_ok = rd = wr = conf = false;
        lim = 0;
    }
    unsigned dpl = (unsigned)(d >> 45) & 3;
    bool vis = conf || (dpl >= (unsigned)cpl && dpl >= (unsigned)rpl);
    bool la = vis && lar_ok, ls = vis && lsl_ok;
    uint32_t ar = (uint32_t)(d >> 32) & 0x00f0ff00u;
    static char what[96];
    const char *pre = cpl ? "CPL 3 " : "CPL 0 ";
    char *w = what;
    for (const char *s = pre; *s; s++) *w++ = *s;
    *w++ = 'R'; *w++ = 'P'; *w++ = 'L'; *w++ = ' '; *w++ = (char)('0' + rpl); *w++ = ' ';
    const char *nm = k < NCD ? cds[k].what : k < NCD + 16 ? "system type" : k == NCD + 16 ? "LDT data" : "null / beyond";
    for (const char *s = nm; *s && w < what + 70; s++) *w++ = *s;
    if (k >= NCD && k < NCD + 16) {
        *w++ = ' ';
        *w++ = "0123456789abcdef"[k - NCD];
    }
    *w++ = ':'; *w++ = ' '; *w = 0;
    char *tail = w;
#define TAG(s) do { char *q = tail; for (const char *c = (s); *c; c++) *q++ = *c; *q = 0; } while (0)
    TAG("LAR ZF and value");
    /* bits 19:16 are "x" in the SDM's mask 00FxFF00H: not compared */
    CHECKX(p->zlar == la && (la ? (p->lar & ~0x000f0000u) == ar : p->lar == UNTOUCHED), what, p->lar);
    TAG("LAR r16: AND FF00H, upper half kept");
    CHECKX(p->zlar16 == la && p->lar16 == (la ? ((UNTOUCHED & 0xffff0000u) | (ar & 0xff00)) : UNTOUCHED), what,
           p->lar16);
    TAG("LSL ZF and the limit scaled by G");
    CHECKX(p->zlsl == ls && p->lsl == (ls ? lim : UNTOUCHED), what, p->lsl);
    TAG("VERR");
    CHECKX(p->verr == (vis && rd), what, p->verr);
    TAG("VERW");
    CHECKX(p->verw == (vis && wr && !conf), what, p->verw);
#undef TAG
}

static void setup_probe_descs(void)
{
    for (unsigned k = 0; k < NCD; k++)
        gdt[S_T0 / 8 + k] = seg_desc(0x10000 * k, cds[k].limit, cds[k].access, cds[k].flags);
    for (unsigned t = 0; t < 16; t++) /* S = 0, DPL 3, P = 1, limit 100h + type, base 12345678h */
        gdt[S_SYS / 8 + t] = seg_desc(0x12345678, SYS_LIMIT(t), 0xe0 | t, 0);
    ldt[0] = seg_desc(0x9000, 0x777, 0xf3, 0x4);
    gdt[S_LDT / 8] = seg_desc((uint32_t)ldt, sizeof ldt - 1, 0x82, 0);
    uint16_t l = S_LDT;
    __asm__ volatile("lldt %0" ::"r"(l));
}

static void test_lar_lsl_cpl0(void)
{
    probe_all(0);
    for (unsigned k = 0; k < NSEL; k++) {
        check_one(0, 0, k);
        check_one(0, 3, k);
    }
    /* a memory source operand; the upper 16 bits of a register source ignored */
    static uint16_t msel = S_T0 + 8;
    uint32_t a = 0, l = 0;
    uint8_t za, zl;
    __asm__ volatile("larl %2, %0\n\tsetz %1" : "=r"(a), "=q"(za) : "m"(msel) : "cc");
    __asm__ volatile("lsll %k2, %0\n\tsetz %1" : "=r"(l), "=q"(zl) : "r"(0xffff0000u | (S_T0 + 8)) : "cc");
    CHECKX(za && (a & ~0x000f0000u) == 0x0040f100u, "LAR r32, m16", a);
    CHECKX(zl && l == 0x1234, "LSL r32, r32: only the low 16 bits are the selector", l);
}

/* ---- 2. ARPL -------------------------------------------------------------------------- */

static void test_arpl(void)
{
    uint32_t d = 0xabcd0011u;
    uint8_t z;
    __asm__ volatile("arpl %w2, %w0\n\tsetz %1" : "+r"(d), "=q"(z) : "r"(0x5553u) : "cc");
    CHECKX(z && d == 0xabcd0013u, "ARPL r16: RPL 1 < 3: raised to 3, ZF = 1, the upper half kept", d);
    d = 0x0012;
    __asm__ volatile("arpl %w2, %w0\n\tsetz %1" : "+r"(d), "=q"(z) : "r"(0x0001u) : "cc");
    CHECKX(!z && d == 0x0012, "ARPL r16: RPL 2 >= 1: unchanged, ZF = 0", d);
    d = 0x0012;
    __asm__ volatile("arpl %w2, %w0\n\tsetz %1" : "+r"(d), "=q"(z) : "r"(0xfff2u) : "cc");
    CHECKX(!z && d == 0x0012, "ARPL r16: equal RPLs: unchanged, ZF = 0", d);
    static volatile uint16_t m[2] = { 0x1230, 0x7777 };
    __asm__ volatile("arpl %w2, %0\n\tsetz %1" : "+m"(m[0]), "=q"(z) : "r"(0x0002u) : "cc");
    CHECKX(z && m[0] == 0x1232 && m[1] == 0x7777, "ARPL m16: RPL 0 -> 2, ZF = 1, one word written", m[0]);
}

/* ---- 3. CPL 3: the probes again, and the 32-bit call gate with 3 parameters ------------ */

/* cg32_target: the ring-0 end of S_CGATE32 (DS is the CPL-3 flat data
 * segment, DPL 3, still usable at CPL 0): ESP, SS and the 7 doublewords of
 * the frame, then RETF 12. u_cg32: pushes 3 parameters, calls the gate. */
__asm__(".text\n"
        ".globl cg32_target\ncg32_target:\n"
        "\tmovl %esp, cg32_esp\n\tmovw %ss, %ax\n\tmovw %ax, cg32_ss\n"
        "\txorl %ecx, %ecx\n"
        "1:\tmovl %ss:(%esp,%ecx,4), %eax\n\tmovl %eax, cg32_frame(,%ecx,4)\n\tincl %ecx\n\tcmpl $7, %ecx\n\tjb 1b\n"
        "\tlret $12\n"
        ".globl u_cg32\nu_cg32:\n"
        "\tmovl %esp, u_esp_before\n"
        "\tpushl $0x33333333\n\tpushl $0x22222222\n\tpushl $0x11111111\n"
        "\tlcall $0x33, $0\n"    /* S_CGATE32 | 3: the offset is ignored */
        ".globl u_cg32_ret\nu_cg32_ret:\n"
        "\tmovl %esp, u_esp_after\n\tmovw %ss, %ax\n\tmovw %ax, u_ss_after\n\tret\n");
void cg32_target(void);
void u_cg32(void);
extern const uint8_t u_cg32_ret[];
volatile uint32_t cg32_esp, cg32_frame[7], u_esp_before, u_esp_after;
volatile uint16_t cg32_ss, u_ss_after;

void user_main(void)
{
    probe_all(3);
    u_cg32();
    __asm__ volatile("int $0x30");
    for (;;) {
    }
}

static void test_cpl3(void)
{
    uint32_t frame[5] = { (uint32_t)user_main, S_UCODE | 3, 2, (uint32_t)(ustack + sizeof ustack - 16),
                          S_UDATA | 3 };
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"((uint32_t)(S_UDATA | 3)) : "memory");
    to_user(frame); /* INT 30h: resume_kernel reloads DS = ES = S_DATA */
    for (unsigned k = 0; k < NSEL; k++) {
        check_one(3, 0, k);
        check_one(3, 3, k);
    }
    uint32_t top = tss.esp0;
    CHECKX(cg32_esp == top - 28, "32-bit call gate, 3 parameters: 7 doublewords on the ring-0 stack", cg32_esp);
    CHECKX(cg32_ss == S_DATA, "32-bit call gate: SS from the TSS's SS0", cg32_ss);
    CHECKX(cg32_frame[0] == (uint32_t)u_cg32_ret && cg32_frame[1] == (S_UCODE | 3),
           "32-bit call gate: the return EIP and CS below the parameters", cg32_frame[0]);
    CHECKX(cg32_frame[2] == 0x11111111 && cg32_frame[3] == 0x22222222 && cg32_frame[4] == 0x33333333,
           "32-bit call gate: the 3 parameters copied in their order", cg32_frame[2]);
    CHECKX(cg32_frame[5] == u_esp_before - 12 && cg32_frame[6] == (S_UDATA | 3),
           "32-bit call gate: the caller's SS:ESP (pointing at the parameters) above them", cg32_frame[5]);
    CHECKX(u_esp_after == u_esp_before && u_ss_after == (S_UDATA | 3),
           "RETF 12 to CPL 3: both stacks released, ESP as before the pushes", u_esp_after);
}

/* ---- 4. the 16-bit call gate with 2 parameters ------------------------------------------ */

/* cpl3_16 (CS base = cpl3_16, SS = S_UDATA16, SP = FF0h): two words, a far
 * CALL through S_CGATE16, INT 30h. ring0_16 (CS base = ring0_16, a 32-bit
 * SS from the 32-bit TSS): ESP, SS and the six words, RETF 4. */
__asm__(".text\n.code16\n"
        ".globl cpl3_16\ncpl3_16:\n"
        "\taddr32 movw %sp, u16_sp_before\n"
        "\tpushw $0x2222\n\tpushw $0x1111\n"
        "\tlcall $0x3b, $0\n"   /* S_CGATE16 | 3 */
        ".globl cpl3_16_after\ncpl3_16_after:\n"
        "\taddr32 movw %sp, u16_sp_after\n"
        "\tint $0x30\n"
        ".globl ring0_16\nring0_16:\n"
        "\taddr32 movl %esp, cg16_esp\n"
        "\tmovw %ss, %ax\n\taddr32 movw %ax, cg16_ss\n"
        "\tmovl %ss:(%esp), %eax\n\taddr32 movl %eax, cg16_frame\n"
        "\tmovl %ss:4(%esp), %eax\n\taddr32 movl %eax, cg16_frame+4\n"
        "\tmovl %ss:8(%esp), %eax\n\taddr32 movl %eax, cg16_frame+8\n"
        "\tlret $4\n"
        ".code32\n");
extern const uint8_t cpl3_16[], ring0_16[], cpl3_16_after[];
volatile uint32_t cg16_esp, cg16_frame[3];
volatile uint16_t cg16_ss, u16_sp_before, u16_sp_after;

static void test_gate16(void)
{
    uint32_t frame[5] = { 0, S_UCODE16 | 3, 2, 0xff0, S_UDATA16 | 3 };
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"((uint32_t)(S_UDATA | 3)) : "memory");
    to_user(frame);
    uint32_t top = tss.esp0;
    uint16_t w[6];
    for (int k = 0; k < 6; k++)
        w[k] = (uint16_t)(cg16_frame[k / 2] >> (16 * (k & 1)));
    CHECKX(cg16_esp == top - 12, "16-bit call gate, 2 parameters: 6 words on the ring-0 stack", cg16_esp);
    CHECKX(cg16_ss == S_DATA, "16-bit call gate: SS from the TSS's SS0", cg16_ss);
    CHECKX(w[0] == (uint16_t)(cpl3_16_after - cpl3_16) && w[1] == (S_UCODE16 | 3),
           "16-bit call gate: the return IP and CS as words", w[0]);
    CHECKX(w[2] == 0x1111 && w[3] == 0x2222, "16-bit call gate: the 2 parameter words copied in their order",
           cg16_frame[1]);
    CHECKX(w[4] == 0xff0 - 4 && w[5] == (S_UDATA16 | 3), "16-bit call gate: the caller's SS:SP above them",
           cg16_frame[2]);
    CHECKX(u16_sp_before == 0xff0 && u16_sp_after == 0xff0, "RETF 4 to CPL 3: SP as before the pushes",
           u16_sp_after);
}

/* ---- 5. a call gate to ring 1: the new stack's checks (vol. 2 "CALL") ------------------ */

/* u_cg1: CPL 3, a far CALL through S_CGATE1 (no parameters) to ring1_target,
 * which notes that it ran and goes back to the kernel by INT 30h. */
__asm__(".text\n.globl u_cg1\nu_cg1:\n"
        ".globl u_cg1_call\nu_cg1_call:\n\tlcall $0x18b, $0\n\tint $0x30\n"
        ".globl ring1_target\nring1_target:\n\tmovl %esp, r1_esp\n\tincl r1_count\n\tint $0x30\n");
void u_cg1(void);
void ring1_target(void);
extern const uint8_t u_cg1_call[];
volatile uint32_t r1_esp, r1_count;
static uint8_t stack1[4096] __attribute__((aligned(16)));

/* One CALL through the ring-1 gate with TSS.SS1:ESP1 = ss1:esp1 and S_SS1
 * = d: the fault it raised at the CALL (vector << 16 | error), 0 if it
 * reached ring 1. */
static uint32_t call_ring1(uint16_t ss1, uint32_t esp1, uint64_t d)
{
    gdt[S_SS1 / 8] = d;
    tss.ss1 = ss1;
    tss.esp1 = esp1;
    uint32_t frame[5] = { (uint32_t)u_cg1, S_UCODE | 3, 2, (uint32_t)(ustack + sizeof ustack - 16), S_UDATA | 3 };
    r1_count = 0;
    fault.vector = 0xffff;
    expect_fault = 1;
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"((uint32_t)(S_UDATA | 3)) : "memory");
    to_user(frame);
    expect_fault = 0;
    if (r1_count == 1 && fault.vector == 0xffff)
        return 0;
    if (fault.vector == 0xffff || fault.eip != (uint32_t)u_cg1_call || r1_count)
        return 0xffffffffu;
    return fault.vector << 16 | fault.error;
}

static void test_gate_stack(void)
{
    uint32_t b = (uint32_t)stack1, top = (uint32_t)(stack1 + sizeof stack1);
    uint64_t flat1 = seg_desc(0, 0xfffff, 0xb3, 0xc); /* DPL 1 RW data, 4 GiB */
    uint32_t r = call_ring1(S_SS1 | 1, top, flat1);
    CHECKX(r == 0 && r1_esp == top - 16, "ring-1 call gate: the TSS's SS1:ESP1, 4 doublewords pushed", r);
    CHECKX((r = call_ring1(0, top, flat1)) == (10u << 16 | 0), "ring-1 call gate: SS1 null: #TS(0)", r);
    CHECKX((r = call_ring1(S_SS1 | 0, top, flat1)) == (10u << 16 | S_SS1),
           "ring-1 call gate: SS1's RPL != 1: #TS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, top, seg_desc(0, 0xfffff, 0xd3, 0xc))) == (10u << 16 | S_SS1),
           "ring-1 call gate: SS1's DPL != 1: #TS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, top, seg_desc(0, 0xfffff, 0xb1, 0xc))) == (10u << 16 | S_SS1),
           "ring-1 call gate: SS1 read-only: #TS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, top, seg_desc(0, 0xfffff, 0xbb, 0xc))) == (10u << 16 | S_SS1),
           "ring-1 call gate: SS1 a code segment: #TS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, top, seg_desc(0, 0xfffff, 0x33, 0xc))) == (12u << 16 | S_SS1),
           "ring-1 call gate: SS1 not present: #SS(SS1)", r);
    /* room for 16 bytes: ESP1 = 12 wraps; ESP1 beyond the limit; an
     * expand-down segment whose lowest offset is 1000h */
    CHECKX((r = call_ring1(S_SS1 | 1, 12, seg_desc(b, 0xfff, 0xb3, 0x4))) == (12u << 16 | S_SS1),
           "ring-1 call gate: 12 bytes of room below ESP1 for 16: #SS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, 0x1008, seg_desc(b, 0xfff, 0xb3, 0x4))) == (12u << 16 | S_SS1),
           "ring-1 call gate: ESP1 8 bytes beyond the limit: #SS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, 0x100c, seg_desc(b - 0x1000, 0xfff, 0xb7, 0x4))) == (12u << 16 | S_SS1),
           "ring-1 call gate: expand-down SS1 (limit FFFh), ESP1 100Ch: #SS(SS1)", r);
    CHECKX((r = call_ring1(S_SS1 | 1, 0x1010, seg_desc(b - 0x1000, 0xfff, 0xb7, 0x4))) == 0 && r1_esp == 0x1000,
           "ring-1 call gate: expand-down SS1, ESP1 1010h: the 16 bytes fit", r);
    /* the gate's offset beyond the target's limit: #GP(0) at the CALL */
    gdt[S_KCODE1 / 8] = seg_desc(0, (uint32_t)ring1_target - 1, 0xbb, 0x4);
    CHECKX((r = call_ring1(S_SS1 | 1, top, flat1)) == (13u << 16 | 0),
           "ring-1 call gate: EIP beyond the target's limit: #GP(0)", r);
    gdt[S_KCODE1 / 8] = seg_desc(0, 0xfffff, 0xbb, 0xc);
}

/* ---- setup ---------------------------------------------------------------------------- */

static void setup(void)
{
    gdt[0] = 0;
    gdt[S_CODE / 8] = seg_desc(0, 0xfffff, 0x9b, 0xc);
    gdt[S_DATA / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
    gdt[S_UCODE / 8] = seg_desc(0, 0xfffff, 0xfb, 0xc);
    gdt[S_UDATA / 8] = seg_desc(0, 0xfffff, 0xf3, 0xc);
    tss.esp0 = (uint32_t)(stack0 + sizeof stack0);
    tss.ss0 = S_DATA;
    tss.t_iomap = (uint32_t)sizeof tss << 16; /* no I/O bitmap */
    gdt[S_TSS / 8] = seg_desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0);
    /* a 32-bit call gate (type C), DPL 3, 3 doublewords, to S_CODE:cg32_target */
    gdt[S_CGATE32 / 8] = call_gate(S_CODE, (uint32_t)cg32_target, 0xec, 3);
    /* a 16-bit call gate (type 4), DPL 3, 2 words, to S_KCODE16:0 */
    gdt[S_CGATE16 / 8] = call_gate(S_KCODE16, 0, 0xe4, 2);
    gdt[S_UCODE16 / 8] = seg_desc((uint32_t)cpl3_16, 0xffff, 0xfb, 0);
    gdt[S_UDATA16 / 8] = seg_desc((uint32_t)ustack16, 0xffff, 0xf3, 0);
    gdt[S_KCODE16 / 8] = seg_desc((uint32_t)ring0_16, 0xffff, 0x9b, 0);
    /* a 32-bit call gate, DPL 3, to a flat DPL-1 code segment */
    gdt[S_KCODE1 / 8] = seg_desc(0, 0xfffff, 0xbb, 0xc);
    gdt[S_CGATE1 / 8] = call_gate(S_KCODE1, (uint32_t)ring1_target, 0xec, 0);
    outb(0x21, 0xff); /* no external interrupts (PIT, COM1) */
    outb(0xa1, 0xff);
    for (int v = 0; v < 32; v++)
        set_gate(v, stub_table[v], S_CODE, 0x8e);
    set_gate(0x30, stub_table[32], S_CODE, 0xee);
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } gd = { sizeof gdt - 1, (uint32_t)gdt },
                                                                    id = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tlidt %1\n\tljmp $0x08, $1f\n1:\n\tmov $0x10, %%ax\n\tmov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\tmov %%ax, %%ss\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x18, %%ax\n\tltr %%ax" ::"m"(gd), "m"(id) : "eax", "memory");
    setup_probe_descs(); /* LLDT: in the new GDT */
}

int kmain32(uint32_t magic, const void *mbi)
{
    (void)mbi;
    x86t_puts("desc: LAR LSL VERR VERW ARPL and call-gate parameters kernel\n");
    CHECK(magic == 0x2BADB002, "multiboot 1 magic");
    setup();
    test_lar_lsl_cpl0();
    test_arpl();
    test_cpl3();
    test_gate16();
    test_gate_stack();
    return x86t_report("desc");
}
