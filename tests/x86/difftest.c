/* Differential tester for the x86 interpreter: real silicon is the oracle
 * (issue 10, item 6).
 *
 * Random sequences of user-mode integer, x87 and SIMD instructions are
 * generated from a table of templates (below), then run
 *   (a) natively, in a forked child, at fixed addresses: the code page at
 *       CODE_VA, a test buffer at BUF_VA (stack included: RSP points into
 *       it), all GPRs and RFLAGS loaded from / stored to a state block at
 *       STATE_VA by a small prologue/epilogue (dt_native_run below);
 *   (b) in hvsim's x86 core through tests/unit/x86_fixture.h, with the
 *       same linear addresses mapped (2 MiB pages) onto RAM;
 * and the 16 GPRs, RFLAGS (less the flags the SDM calls undefined after
 * the instruction that last wrote them), the buffer and the x87/MMX/SSE
 * state (one FXSAVE64 image, section "FP/SIMD state") are compared.
 *
 * With --engines each sequence also runs on the reference interpreter
 * (--engine interp) and on the fast engine (blocks) in short runs of
 * 1..64 instructions, which must agree exactly (registers, all flags,
 * memory, FP/SIMD state, outcome, instruction count).
 *
 * Usage: x86-difftest [--seed S] [--count N] [--keep-going] [--verbose] [--engines]
 * Deterministic from the seed; exit status 1 on any mismatch. On a
 * mismatch the sequence is disassembled, both register sets are printed
 * and prefixes of the sequence are re-run to name the first instruction
 * after which the two disagree. */
#include <cpuid.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "../unit/x86_fixture.h"
#include "cpu/x86/disasm.h"
#include "cpu/x86/fpu.h"
#include "cpu/x86/insn.h"
#include "cpu/x86/optab.h"

/* ---- fixed addresses (the same in the child and in the simulator) ------ */
#define CODE_VA   0x30000000ull /* 64 KiB; the sequence starts here */
#define CODE_SIZE 0x10000ull
#define STATE_VA  0x30100000ull /* struct nstate (native only) */
#define BUF_VA    0x30200000ull
#define BUF_SIZE  0x1000u
#define DATA_END  0xc00u        /* [0, DATA_END): data; above: the stack */
#define STACK0    0xe00u        /* initial RSP = BUF_VA + STACK0 */
/* simulator: CODE_VA's and BUF_VA's 2 MiB pages onto these physical pages */
#define SIM_CODE_PA 0x400000ull
#define SIM_BUF_PA  0x600000ull

/* The native state block; offsets are used by the assembly below. */
struct nstate {
    uint64_t in[16];   /* 0 */
    uint64_t in_flags; /* 128 */
    uint64_t out[16];  /* 136 */
    uint64_t out_flags; /* 264 */
    uint64_t host_rsp; /* 272 */
    uint64_t target;   /* 280: where the prologue jumps (CODE_VA) */
    uint64_t back;     /* 288: where the sequence's trailer jumps (dt_native_back) */
};
_Static_assert(__builtin_offsetof(struct nstate, in_flags) == 128, "layout");
_Static_assert(__builtin_offsetof(struct nstate, out) == 136, "layout");
_Static_assert(__builtin_offsetof(struct nstate, out_flags) == 264, "layout");
_Static_assert(__builtin_offsetof(struct nstate, host_rsp) == 272, "layout");
_Static_assert(__builtin_offsetof(struct nstate, back) == 288, "layout");

/* Prologue/epilogue. STATE_VA < 2 GiB, so every state access is an
 * absolute disp32 operand. The sequence ends with `jmp [STATE_VA+288]`,
 * which lands on dt_native_back; the simulator's copy ends with HLT. */
void dt_native_run(void);
__asm__(".text\n"
        ".globl dt_native_run\n"
        "dt_native_run:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  movq %rsp, 0x30100110\n"
        "  movq $0x30100080, %rsp\n"
        "  popfq\n"
        "  movq 0x30100000, %rax\n movq 0x30100008, %rcx\n movq 0x30100010, %rdx\n"
        "  movq 0x30100018, %rbx\n movq 0x30100028, %rbp\n movq 0x30100030, %rsi\n"
        "  movq 0x30100038, %rdi\n movq 0x30100040, %r8\n movq 0x30100048, %r9\n"
        "  movq 0x30100050, %r10\n movq 0x30100058, %r11\n movq 0x30100060, %r12\n"
        "  movq 0x30100068, %r13\n movq 0x30100070, %r14\n movq 0x30100078, %r15\n"
        "  movq 0x30100020, %rsp\n"
        "  jmp *0x30100118\n"
        ".globl dt_native_back\n"
        "dt_native_back:\n"
        "  movq %rax, 0x30100088\n movq %rcx, 0x30100090\n movq %rdx, 0x30100098\n"
        "  movq %rbx, 0x301000a0\n movq %rsp, 0x301000a8\n movq %rbp, 0x301000b0\n"
        "  movq %rsi, 0x301000b8\n movq %rdi, 0x301000c0\n movq %r8, 0x301000c8\n"
        "  movq %r9, 0x301000d0\n movq %r10, 0x301000d8\n movq %r11, 0x301000e0\n"
        "  movq %r12, 0x301000e8\n movq %r13, 0x301000f0\n movq %r14, 0x301000f8\n"
        "  movq %r15, 0x30100100\n"
        "  movq $0x30100110, %rsp\n"
        "  pushfq\n"
        "  cld\n"
        "  movq 0x30100110, %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n");
void dt_native_back(void);

static const char *const regname[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                         "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };

#define FLAGS_CMP (FL_ARITH | FL_DF)

/* ---- FP/SIMD state (x87, MMX, SSE): one FXSAVE64 image in, one out -------------- */
/* The whole x87/MMX/SSE state is loaded by dt_simd_pro with one FXRSTOR64
 * (the GPR prologue jumps to it instead of the sequence) and stored by
 * dt_simd_epi with one FXSAVE64 (the sequence's trailer jumps to it instead
 * of dt_native_back), with absolute addresses only, so that no GPR or flag
 * changes. One image for everything: the MMX registers are the significands
 * of the x87 registers (SDM vol. 1 §9.5), so loading the x87 part and the
 * MMX/SSE part separately would let one overwrite the other (MOVQ to MMi
 * sets TOP = 0, every tag and bits 79:64 of Ri; EMMS empties the tags).
 * Image layout (SDM vol. 1 Table 10-4, 64-bit): FCW 0, FSW 2, abridged FTW
 * 4, MXCSR 24, ST(i) at 32 + 16 i, XMMi at 160 + 16 i. In at SSTATE_IN,
 * out at SSTATE_OUT; after the FXSAVE64 the stub gives the host back a
 * clean x87 (FNINIT) and its MXCSR 1F80h. */
#define SSTATE_IN    (STATE_VA + 0x800)
#define SSTATE_OUT   (STATE_VA + 0xa00)
#define SSTATE_JMP   (STATE_VA + 0xc00) /* where dt_simd_pro jumps (CODE_VA); +8: host MXCSR */
#define SSTATE_FAULT (STATE_VA + 0xc10) /* native SIGFPE: the RIP of the faulting instruction */
struct simd_state {
    uint8_t fx[512] __attribute__((aligned(16))); /* the FXSAVE64 image */
    /* a SIMD FP exception (native SIGFPE, hvsim #XM): where, and (hvsim)
     * the buffer bytes its exception frame overwrote */
    uint64_t fault_rip;
    uint32_t frame_lo, frame_hi;
};
#define FX_FCW   0
#define FX_FSW   2
#define FX_FTW   4
#define FX_MXCSR 24
#define FX_ST    32
#define FX_XMM   160
void dt_simd_pro(void);
void dt_simd_epi(void);
__asm__(".text\n"
        ".globl dt_simd_pro\n"
        "dt_simd_pro:\n"
        "  fxrstor64 0x30100800\n"
        "  jmp *0x30100c00\n"
        ".globl dt_simd_epi\n"
        "dt_simd_epi:\n"
        "  fxsave64 0x30100a00\n"
        "  fninit\n"
        "  ldmxcsr 0x30100c08\n" /* the host's 0x1f80 back */
        "  jmp dt_native_back\n");

static uint16_t fx_r16(const uint8_t *fx, unsigned off) { uint16_t v; memcpy(&v, fx + off, 2); return v; }
static uint32_t fx_mxcsr(const uint8_t *fx) { uint32_t v; memcpy(&v, fx + FX_MXCSR, 4); return v; }
static void fx_set_mxcsr(uint8_t *fx, uint32_t v) { memcpy(fx + FX_MXCSR, &v, 4); }
static const uint8_t *fx_xmm(const uint8_t *fx, int r) { return fx + FX_XMM + 16 * r; }
/* MMi is the significand of physical register Ri = ST((i - TOP) mod 8) */
static unsigned fx_mm_slot(const uint8_t *fx, int r) { return (unsigned)(r - (fx_r16(fx, FX_FSW) >> 11 & 7)) & 7; }
static uint64_t fx_mm(const uint8_t *fx, int r)
{
    uint64_t v;
    memcpy(&v, fx + FX_ST + 16 * fx_mm_slot(fx, r), 8);
    return v;
}
static void fx_set_mm(uint8_t *fx, int r, uint64_t v) { memcpy(fx + FX_ST + 16 * fx_mm_slot(fx, r), &v, 8); }

/* ---- random numbers (splitmix64) --------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }
static bool chance(unsigned pct) { return rn(100) < pct; }

/* Interesting values: boundaries more often than uniform. */
static uint64_t rval(void)
{
    static const uint64_t special[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
        0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1, 0x100000000ull,
    };
    switch (rn(8)) {
    case 0: case 1: return special[rn(sizeof special / sizeof special[0])];
    case 2: return rnd() & 0xff;
    case 3: return (uint64_t)(int64_t)(int8_t)rnd();
    case 4: return rnd() & 0xffffffff;
    default: return rnd();
    }
}

/* ---- the generated sequence ----------------------------------------------------- */

#define SEQ_MAX_BYTES 4096
#define SEQ_MAX_INSNS 256

struct seq {
    uint8_t code[SEQ_MAX_BYTES];
    unsigned len;
    unsigned ninsn;
    struct {
        unsigned off;        /* start in code[] */
        const char *tmpl;    /* template name, NULL for set-up instructions */
        uint32_t undef_after; /* flags undefined after this instruction */
    } insn[SEQ_MAX_INSNS];
    /* initial state */
    uint64_t r[16];
    uint64_t flags;
    uint8_t buf[BUF_SIZE];
    struct simd_state simd;
};

/* --mode compat (table mode only): the sequence runs in compatibility mode,
 * a 32-bit code segment in long mode (natively selector 23h, Linux's
 * 32-bit user code; in hvsim CS.L = 0, CS.D = 1) */
static bool compat;

/* Generator state. */
struct gen {
    struct seq *s;
    uint32_t undef;  /* arithmetic flags currently undefined */
    uint64_t rsp;    /* the value RSP has at this point of the sequence */
    bool df;
    bool flags_done; /* the template already accounted for its flags */
    const char *cur; /* template name for the next instruction emitted */
    bool host_lzcnt, host_tzcnt, host_popcnt;
    bool host_bmi1, host_bmi2, host_adx, host_movbe;
    bool host_sse4, host_sse42; /* SSSE3 + SSE4.1; SSE4.2 (+ CRC32) + AES + PCLMULQDQ */
    bool host_sha;    /* SHA extensions (table mode) */
    bool host_clwb, host_clflushopt; /* table mode */
    bool host_xsave;  /* XSAVE, OSXSAVE and XCR0 with x87 and SSE (templates `xsave`) */
};

/* One instruction to encode. Register numbers: 0..15; byte registers: 0..15
 * (4..7 = SPL..DIL, need REX) or 16..19 = AH..BH (no REX allowed). */
struct mop {
    bool mem;
    int reg;
    int base;   /* -1 none, -2 RIP, else 0..15 */
    int index;  /* -1 none */
    int scale;
    int64_t disp;
    int dsz;    /* 0, 1, 4 */
    bool sib;   /* force a SIB byte */
    bool a32;   /* 67 prefix */
    uint64_t target; /* RIP-relative: the linear address wanted */
    /* set-up: values for base and index (emitted before the instruction) */
    bool set_base, set_index;
    uint64_t base_val, index_val;
};

struct ins {
    int osz;         /* 1, 2, 4, 8: 66 for 2, REX.W for 8 (unless no_w) */
    bool no_w;
    uint8_t pfx;     /* F2/F3 (mandatory or REP), 0: none */
    bool lock;
    int map;         /* 0: one byte, 1: 0F, 2: 0F 38, 3: 0F 3A */
    uint8_t op;
    int oreg;        /* "+r" opcodes: the register, else -1 */
    bool modrm;
    int reg;         /* ModRM.reg: a register or an opcode extension */
    bool reg_is_ext; /* reg is /digit */
    bool reg_byte, rm_byte; /* the operand is a byte register */
    struct mop rm;
    int isz;
    uint64_t imm;
    bool rex40;      /* force an (empty) REX */
};

static bool needs_rex_byte(int r) { return r >= 4 && r < 16; }
static bool is_high8(int r) { return r >= 16; }

/* Encodes in into out; returns the length or 0 when the operand choice
 * cannot be encoded (AH..BH with REX). */
static unsigned encode(const struct ins *in, uint64_t at, uint8_t *out)
{
    uint8_t b[32];
    unsigned n = 0;
    int rex = 0;
    bool rex_needed = in->rex40, rex_forbidden = false;
    const struct mop *m = &in->rm;
    if (in->osz == 8 && !in->no_w) rex |= 8;
    if (in->modrm && !in->reg_is_ext) {
        int r = in->reg;
        if (in->reg_byte && is_high8(r)) { rex_forbidden = true; r -= 12; }
        else if (in->reg_byte && needs_rex_byte(r) && r < 8) rex_needed = true;
        if (r >= 8) rex |= 4;
    }
    int rmcode = 0;
    if (in->modrm) {
        if (!m->mem) {
            int r = m->reg;
            if (in->rm_byte && is_high8(r)) { rex_forbidden = true; r -= 12; }
            else if (in->rm_byte && needs_rex_byte(r) && r < 8) rex_needed = true;
            if (r >= 8) rex |= 1;
            rmcode = r & 7;
        } else {
            if (m->base >= 8) rex |= 1;
            if (m->index >= 8) rex |= 2;
        }
    }
    if (in->oreg >= 0) {
        int r = in->oreg;
        if (in->osz == 1 && is_high8(r)) { rex_forbidden = true; r -= 12; }
        else if (in->osz == 1 && needs_rex_byte(r) && r < 8) rex_needed = true;
        if (r >= 8) rex |= 1;
    }
    if (rex_forbidden && (rex || rex_needed))
        return 0;
    if (in->lock) b[n++] = 0xf0;
    if (m->a32 && in->modrm && m->mem) b[n++] = 0x67;
    if (in->osz == 2) b[n++] = 0x66;
    if (in->pfx) b[n++] = in->pfx;
    if (rex || rex_needed) b[n++] = (uint8_t)(0x40 | rex);
    if (in->map >= 1) b[n++] = 0x0f;
    if (in->map == 2) b[n++] = 0x38; /* SIMD templates: 0F 38 and 0F 3A */
    if (in->map == 3) b[n++] = 0x3a;
    b[n++] = (uint8_t)(in->op | (in->oreg >= 0 ? (is_high8(in->oreg) ? in->oreg - 12 : in->oreg) & 7 : 0));
    unsigned disp_at = 0, dsz = 0;
    if (in->modrm) {
        int reg = in->reg_is_ext ? in->reg : (in->reg_byte && is_high8(in->reg) ? in->reg - 12 : in->reg);
        reg &= 7;
        if (!m->mem) {
            b[n++] = (uint8_t)(0xc0 | reg << 3 | rmcode);
        } else if (m->base == -2) {
            b[n++] = (uint8_t)(reg << 3 | 5);
            dsz = 4;
        } else if (m->base == -1) {
            b[n++] = (uint8_t)(reg << 3 | 4);
            b[n++] = (uint8_t)(m->scale << 6 | (m->index < 0 ? 4 : m->index & 7) << 3 | 5);
            dsz = 4;
        } else {
            int mod = m->dsz == 0 ? 0 : m->dsz == 1 ? 1 : 2;
            if (mod == 0 && (m->base & 7) == 5)
                return 0; /* the caller gives RBP/R13 a displacement */
            dsz = (unsigned)m->dsz;
            if (m->index >= 0 || m->sib || (m->base & 7) == 4) {
                b[n++] = (uint8_t)(mod << 6 | reg << 3 | 4);
                b[n++] = (uint8_t)(m->scale << 6 | (m->index < 0 ? 4 : m->index & 7) << 3 | (m->base & 7));
            } else {
                b[n++] = (uint8_t)(mod << 6 | reg << 3 | (m->base & 7));
            }
        }
        disp_at = n;
        n += dsz;
    }
    unsigned imm_at = n;
    n += (unsigned)in->isz;
    int64_t disp = m->disp;
    if (in->modrm && m->mem && m->base == -2)
        disp = (int64_t)(m->target - (at + n));
    for (unsigned k = 0; k < dsz; k++)
        b[disp_at + k] = (uint8_t)((uint64_t)disp >> (8 * k));
    for (int k = 0; k < in->isz; k++)
        b[imm_at + (unsigned)k] = (uint8_t)(in->imm >> (8 * k));
    if (n > 15)
        return 0;
    memcpy(out, b, n);
    return n;
}

static void emit_bytes(struct gen *g, const uint8_t *b, unsigned n, const char *tmpl)
{
    struct seq *s = g->s;
    if (s->len + n + 16 > SEQ_MAX_BYTES || s->ninsn + 1 >= SEQ_MAX_INSNS) {
        fprintf(stderr, "difftest: sequence too long\n");
        exit(2);
    }
    s->insn[s->ninsn].off = s->len;
    s->insn[s->ninsn].tmpl = tmpl;
    s->insn[s->ninsn].undef_after = g->undef;
    s->ninsn++;
    memcpy(s->code + s->len, b, n);
    s->len += n;
}

/* Flags: the instruction about to be emitted writes `wr`, of which `und`
 * are undefined (SDM). */
static void set_undef_after(struct gen *g, uint32_t wr, uint32_t und)
{
    g->undef = (g->undef & ~wr) | und;
    g->s->insn[g->s->ninsn - 1].undef_after = g->undef;
}

/* MOV r64, imm (B8+r with REX.W for imm64, or B8+r imm32 zero-extended). */
static void emit_mov_imm(struct gen *g, int r, uint64_t v)
{
    uint8_t b[10];
    unsigned n = 0;
    if (v >> 32) {
        b[n++] = (uint8_t)(0x48 | (r >= 8));
        b[n++] = (uint8_t)(0xb8 | (r & 7));
        for (int k = 0; k < 8; k++) b[n++] = (uint8_t)(v >> (8 * k));
    } else {
        if (r >= 8) b[n++] = 0x41;
        b[n++] = (uint8_t)(0xb8 | (r & 7));
        for (int k = 0; k < 4; k++) b[n++] = (uint8_t)(v >> (8 * k));
    }
    emit_bytes(g, b, n, NULL);
}

/* Makes the flags in `need` defined: CMP RSP, imm32 (RSP is always known)
 * writes all six. */
static void need_flags(struct gen *g, uint32_t need)
{
    if (!(g->undef & need))
        return;
    uint32_t imm = (uint32_t)rval();
    uint8_t b[7] = { 0x48, 0x81, 0xfc, (uint8_t)imm, (uint8_t)(imm >> 8), (uint8_t)(imm >> 16),
                     (uint8_t)(imm >> 24) };
    if (compat) /* no REX: CMP ESP, imm32 */
        emit_bytes(g, b + 1, 6, NULL);
    else
        emit_bytes(g, b, 7, NULL);
    set_undef_after(g, FL_ARITH, 0);
}

/* Emits the set-up of in's memory operand, then in. false: not encodable
 * (nothing emitted). */
static bool emit_ins(struct gen *g, struct ins *in)
{
    uint8_t b[16];
    uint64_t at = CODE_VA + g->s->len; /* provisional, for the length check */
    if (!encode(in, at, b))
        return false;
    if (in->modrm && in->rm.mem) {
        if (in->rm.set_base) emit_mov_imm(g, in->rm.base, in->rm.base_val);
        if (in->rm.set_index) emit_mov_imm(g, in->rm.index, in->rm.index_val);
    }
    unsigned n = encode(in, CODE_VA + g->s->len, b);
    emit_bytes(g, b, n, g->cur);
    return true;
}

/* ---- operands ------------------------------------------------------------------- */

/* A destination register of size sz (never RSP / SPL). */
static int pick_dst(int sz)
{
    for (;;) {
        int r = sz == 1 ? (int)rn(20) : (int)rn(16);
        if (r != RSP)
            return r;
    }
}
/* A source register (RSP allowed). */
static int pick_src(int sz) { return sz == 1 ? (int)rn(20) : (int)rn(16); }
static int pick_size(void) { static const int s[4] = { 1, 2, 4, 8 }; return s[rn(4)]; }
static int pick_size_nb(void) { static const int s[3] = { 2, 4, 8 }; return s[rn(3)]; }

/* A memory operand for an access of sz bytes at buffer offset off (within
 * the buffer). avoid: a register the instruction needs unchanged (-1: none). */
static void mem_at(struct gen *g, struct mop *m, uint64_t la, int avoid1, int avoid2)
{
    memset(m, 0, sizeof *m);
    m->mem = true;
    m->index = -1;
    unsigned form = rn(20);
    if (form == 0) { /* RIP-relative */
        m->base = -2;
        m->target = la;
        return;
    }
    m->a32 = chance(10);
    uint64_t amask = m->a32 ? 0xffffffffull : ~0ull;
    if (form == 1) { /* no base: disp32 [+ index] */
        m->base = -1;
        m->disp = (int64_t)la;
        m->dsz = 4;
        if (chance(50)) {
            do m->index = (int)rn(16); while (m->index == RSP || m->index == avoid1 || m->index == avoid2);
            m->scale = (int)rn(4);
            int64_t iv = (int64_t)rn(16) - 4;
            m->disp = (int64_t)la - (iv << m->scale);
            m->set_index = true;
            m->index_val = (uint64_t)iv & (m->a32 ? 0xffffffffull : ~0ull);
            if (m->a32) m->index_val |= rnd() << 32;
        }
        return;
    }
    if (form == 2 && (g->rsp & ~0xffffffffull) == 0) { /* RSP-based */
        m->base = RSP;
    } else {
        do m->base = (int)rn(16); while (m->base == RSP || m->base == avoid1 || m->base == avoid2);
        m->set_base = true;
    }
    switch (rn(3)) {
    case 0: m->dsz = 0; m->disp = 0; break;
    case 1: m->dsz = 1; m->disp = (int8_t)rnd(); break;
    default: m->dsz = 4; m->disp = (int32_t)(rn(0x20000) - 0x10000); break;
    }
    if ((m->base & 7) == 5 && m->dsz == 0) { m->dsz = 1; m->disp = (int8_t)rnd(); }
    int64_t iv = 0;
    if (chance(40)) {
        do m->index = (int)rn(16); while (m->index == RSP || m->index == avoid1 || m->index == avoid2);
        m->scale = (int)rn(4);
        if (m->index == m->base && !m->set_base) m->index = -1;
    }
    m->sib = chance(15);
    if (m->index >= 0) {
        if (m->index == m->base) {
            /* the same register twice: base + (base << scale) */
            uint64_t want = (la - (uint64_t)m->disp) & amask;
            if (want % ((1u << m->scale) + 1)) {
                m->disp += (int64_t)(want % ((1u << m->scale) + 1));
                m->dsz = 4;
            }
            m->base_val = ((la - (uint64_t)m->disp) & amask) / ((1u << m->scale) + 1);
            if (m->a32) m->base_val |= rnd() << 32;
            return;
        }
        iv = (int64_t)rn(32) - 8;
        m->set_index = true;
        m->index_val = (uint64_t)iv & amask;
        if (m->a32) m->index_val |= rnd() << 32;
    }
    if (m->base == RSP) {
        m->disp = (int64_t)la - (int64_t)g->rsp - (iv << m->scale);
        m->dsz = 4;
        return;
    }
    m->base_val = (la - (uint64_t)m->disp - ((uint64_t)iv << m->scale)) & amask;
    if (m->a32) m->base_val |= rnd() << 32;
}

/* Offset in the data part of the buffer for sz bytes (aligned sometimes). */
static uint64_t data_la(unsigned sz)
{
    uint64_t off = rn(DATA_END - 16);
    if (chance(50)) off &= ~(uint64_t)(sz - 1);
    return BUF_VA + off;
}

/* r/m operand of size sz: register (dst or src) or memory in the buffer. */
static void pick_rm(struct gen *g, struct ins *in, int sz, bool is_dst, int pct_mem)
{
    if (chance((unsigned)pct_mem)) {
        int avoid = in->modrm && !in->reg_is_ext ? in->reg : -1;
        if (avoid >= 16) avoid -= 16;
        mem_at(g, &in->rm, data_la((unsigned)sz), avoid, -1);
    } else {
        in->rm.mem = false;
        in->rm.reg = is_dst ? pick_dst(sz) : pick_src(sz);
    }
    in->rm_byte = sz == 1;
}

static void ins_init(struct ins *in, int osz)
{
    memset(in, 0, sizeof *in);
    in->osz = osz;
    in->oreg = -1;
}

static int imm_size_for(int osz) { return osz == 1 ? 1 : osz == 2 ? 2 : 4; }

static uint64_t imm_of(int isz)
{
    uint64_t v = rval();
    return isz == 1 ? (uint64_t)(int64_t)(int8_t)v : isz == 2 ? (uint64_t)(int64_t)(int16_t)v
                                                              : (uint64_t)(int64_t)(int32_t)v;
}

/* A memory-destination instruction may take LOCK sometimes. */
static void maybe_lock(struct ins *in)
{
    if (in->rm.mem && chance(15))
        in->lock = true;
}

/* ---- templates ------------------------------------------------------------------- */

struct tmpl;
typedef bool (*gen_fn)(struct gen *g, const struct tmpl *t);

/* fl_wr: flags the instruction writes; fl_und: those of them the SDM calls
 * undefined; fl_rd: flags it reads. a, b: template parameters. */
struct tmpl {
    const char *name;
    gen_fn gen;
    int a, b;
    unsigned weight;
    uint32_t fl_wr, fl_und, fl_rd;
    const char *sdm; /* where the flags are defined */
};

#define ALL FL_ARITH
#define OSZPC (FL_OF | FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)


/* ALU r/m, r (a = op 0..7) and ALU r, r/m (b = 1). */
static bool g_alu_rm(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size();
    ins_init(&in, sz);
    in.op = (uint8_t)(t->a * 8 + (t->b ? 2 : 0) + (sz == 1 ? 0 : 1));
    in.modrm = true;
    in.reg = t->b ? pick_dst(sz) : pick_src(sz);
    in.reg_byte = sz == 1;
    pick_rm(g, &in, sz, !t->b && t->a != 7, 40);
    if (!t->b && t->a != 7) maybe_lock(&in);
    return emit_ins(g, &in);
}

static bool g_alu_acc(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size();
    ins_init(&in, sz);
    in.op = (uint8_t)(t->a * 8 + 4 + (sz == 1 ? 0 : 1));
    in.isz = imm_size_for(sz);
    in.imm = imm_of(in.isz);
    return emit_ins(g, &in);
}

/* 80 /a ib, 81 /a iz, 83 /a ib */
static bool g_grp1(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size();
    ins_init(&in, sz);
    bool ib = sz != 1 && chance(50);
    in.op = sz == 1 ? 0x80 : ib ? 0x83 : 0x81;
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = t->a;
    in.isz = ib ? 1 : imm_size_for(sz);
    in.imm = imm_of(in.isz);
    pick_rm(g, &in, sz, t->a != 7, 40);
    if (t->a != 7) maybe_lock(&in);
    return emit_ins(g, &in);
}

/* TEST r/m, r (84/85); TEST acc, imm (A8/A9); TEST r/m, imm (F6/F7 /0) */
static bool g_test(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size();
    ins_init(&in, sz);
    switch (rn(3)) {
    case 0:
        in.op = sz == 1 ? 0x84 : 0x85;
        in.modrm = true;
        in.reg = pick_src(sz);
        in.reg_byte = sz == 1;
        pick_rm(g, &in, sz, false, 40);
        break;
    case 1:
        in.op = sz == 1 ? 0xa8 : 0xa9;
        in.isz = imm_size_for(sz);
        in.imm = imm_of(in.isz);
        break;
    default:
        in.op = sz == 1 ? 0xf6 : 0xf7;
        in.modrm = true;
        in.reg_is_ext = true;
        in.reg = rn(2); /* /1 is an alias of /0 */
        in.isz = imm_size_for(sz);
        in.imm = imm_of(in.isz);
        pick_rm(g, &in, sz, false, 40);
        break;
    }
    (void)t;
    return emit_ins(g, &in);
}

/* F6/F7 or FE/FF group with /a on r/m (INC DEC NOT NEG) */
static bool g_unary(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size();
    ins_init(&in, sz);
    in.op = (uint8_t)(t->b + (sz == 1 ? 0 : 1));
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = t->a;
    pick_rm(g, &in, sz, true, 40);
    maybe_lock(&in);
    return emit_ins(g, &in);
}

/* MUL / IMUL r/m (F6/F7 /4 /5) */
static bool g_mul1(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size();
    ins_init(&in, sz);
    in.op = sz == 1 ? 0xf6 : 0xf7;
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = t->a;
    pick_rm(g, &in, sz, false, 40);
    return emit_ins(g, &in);
}

/* IMUL r, r/m (0F AF) and IMUL r, r/m, imm (69 / 6B) */
static bool g_imul(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size_nb();
    ins_init(&in, sz);
    in.modrm = true;
    in.reg = pick_dst(sz);
    if (t->a == 2) {
        in.map = 1;
        in.op = 0xaf;
    } else if (chance(50)) {
        in.op = 0x6b;
        in.isz = 1;
        in.imm = imm_of(1);
    } else {
        in.op = 0x69;
        in.isz = imm_size_for(sz);
        in.imm = imm_of(in.isz);
    }
    pick_rm(g, &in, sz, false, 40);
    return emit_ins(g, &in);
}

/* DIV / IDIV (F6/F7 /6 /7): dividend, divisor chosen so that the quotient
 * fits (no #DE): the divisor in a register or in the buffer (stored first
 * with MOV r/m, r). */
static bool g_div(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size();
    bool sgn = t->a == 7;
    unsigned bits = 8 * (unsigned)sz;
    uint64_t m = sz == 8 ? ~0ull : (1ull << bits) - 1;
    uint64_t d;
    do d = rval() & m; while (!d);
    if (chance(30)) d = (rnd() % 17 + 1) & m;
    __int128 sd = sgn ? (__int128)((int64_t)(d << (64 - bits)) >> (64 - bits)) : (__int128)d;
    /* quotient q with |q| in range, remainder r with |r| < |d|, sign of n */
    unsigned __int128 n;
    if (sgn) {
        __int128 lim = (__int128)1 << (bits - 1);
        __int128 q = (__int128)(int64_t)rnd() % lim;
        if (chance(10)) q = chance(50) ? lim - 1 : -lim;
        __int128 ad = sd < 0 ? -sd : sd;
        __int128 r = (__int128)(rnd() % (uint64_t)(ad > (__int128)~0ull ? ~0ull : (uint64_t)ad));
        __int128 nn = q * sd;
        /* the remainder takes the dividend's sign */
        if (nn < 0 || (nn == 0 && chance(50))) nn -= r; else nn += r;
        __int128 qq = nn / sd;
        if (qq >= lim || qq < -lim) return false;
        n = (unsigned __int128)nn;
    } else {
        unsigned __int128 lim = (unsigned __int128)1 << bits;
        unsigned __int128 q = (unsigned __int128)rnd() % lim;
        if (chance(10)) q = lim - 1;
        unsigned __int128 r = rnd() % d;
        n = q * d + r;
    }
    struct ins in;
    ins_init(&in, sz);
    in.op = sz == 1 ? 0xf6 : 0xf7;
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = t->a;
    int dreg = -1;
    if (chance(40)) {
        mem_at(g, &in.rm, data_la((unsigned)sz), RAX, RDX);
        in.rm_byte = sz == 1;
    } else {
        do dreg = pick_dst(sz); while (dreg == RAX || dreg == RDX || dreg == 16 || dreg == 18 ||
                                       (sz == 1 && dreg == 4));
        in.rm.reg = dreg;
        in.rm_byte = sz == 1;
    }
    /* dividend: AX for bytes, else rDX:rAX */
    uint64_t lo = (uint64_t)n, hi = (uint64_t)(n >> bits);
    if (sz == 1) {
        emit_mov_imm(g, RAX, (rnd() & ~0xffffull) | ((uint64_t)n & 0xffff));
    } else {
        emit_mov_imm(g, RAX, sz == 8 ? lo : (rnd() & ~m) | (lo & m));
        emit_mov_imm(g, RDX, sz == 8 ? hi : (rnd() & ~m) | (hi & m));
    }
    if (in.rm.mem) {
        /* MOV r/m, imm would be shorter but is limited to imm32: store the
         * divisor from RBX..., through a scratch register not used by the
         * address */
        int scratch = RCX;
        while (scratch == RAX || scratch == RDX || scratch == in.rm.base || scratch == in.rm.index ||
               scratch == RSP)
            scratch = (int)rn(16);
        if (scratch >= 4 && scratch < 8 && sz == 1) {
            /* a byte store from SPL..DIL needs REX: fine through encode */
        }
        emit_mov_imm(g, scratch, d);
        struct ins st = in;
        st.reg_is_ext = false;
        st.reg = scratch;
        st.reg_byte = sz == 1;
        st.op = sz == 1 ? 0x88 : 0x89;
        g->cur = NULL;
        if (!emit_ins(g, &st)) return false;
        in.rm.set_base = in.rm.set_index = false; /* already set up by the store */
        g->cur = t->name;
    } else if (dreg >= 16) { /* CH / BH: bits 15:8 of RCX / RBX */
        emit_mov_imm(g, dreg - 16, (rnd() & ~0xff00ull) | d << 8);
    } else {
        emit_mov_imm(g, dreg, d);
    }
    return emit_ins(g, &in);
}

/* Shifts and rotates: C0/C1 ib, D0/D1 (1), D2/D3 (CL); /a.
 * SDM vol. 2 "SAL/SAR/SHL/SHR" and "RCL/RCR/ROL/ROR": count masked to 5 bits
 * (6 with REX.W); 0: no flag changes; SHL/SHR/SAR: AF undefined, OF
 * undefined unless the count is 1, CF undefined for SHL/SHR when the count
 * >= the operand size; rotates: OF undefined unless the count is 1. */
static bool g_shift(struct gen *g, const struct tmpl *t)
{
    static const uint8_t counts[] = { 0, 1, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255 };
    int sz = pick_size();
    struct ins in;
    ins_init(&in, sz);
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = t->a;
    pick_rm(g, &in, sz, true, 40);
    int form = (int)rn(3);
    int count = -1; /* unknown */
    if (form == 0) {
        in.op = sz == 1 ? 0xc0 : 0xc1;
        in.isz = 1;
        in.imm = chance(70) ? counts[rn(sizeof counts)] : rnd() & 0xff;
        count = (int)in.imm;
    } else if (form == 1) {
        in.op = sz == 1 ? 0xd0 : 0xd1;
        count = 1;
    } else {
        in.op = sz == 1 ? 0xd2 : 0xd3;
        if (in.rm.mem ? (in.rm.base == RCX || in.rm.index == RCX) : false) return false;
        if (chance(70)) {
            count = counts[rn(sizeof counts)];
            uint8_t b[2] = { 0xb1, (uint8_t)count }; /* mov cl, imm8 */
            emit_bytes(g, b, 2, NULL);
        }
    }
    bool rot = t->a < 4;
    uint32_t wr = rot ? (FL_CF | FL_OF) : OSZPC;
    need_flags(g, t->fl_rd);
    if (!emit_ins(g, &in))
        return false;
    g->flags_done = true;
    if (count < 0) {
        /* count unknown: any of the outcomes */
        set_undef_after(g, 0, wr & (rot ? FL_OF : (FL_OF | FL_AF | FL_CF)));
        return true;
    }
    int c = count & (sz == 8 ? 63 : 31);
    if (!c)
        return true; /* flags unchanged */
    uint32_t und = 0;
    if (c != 1) und |= FL_OF;
    if (!rot) {
        und |= FL_AF;
        if ((t->a == 4 || t->a == 5 || t->a == 6) && c >= 8 * sz) und |= FL_CF;
    }
    set_undef_after(g, wr, und);
    return true;
}

/* SHLD / SHRD (0F A4 ib, A5 CL, AC ib, AD CL). SDM vol. 2 "SHLD"/"SHRD":
 * count masked to 5 (6) bits; 0: nothing; CF SF ZF PF defined, AF
 * undefined, OF undefined unless count = 1; count > operand size:
 * destination and flags undefined (not generated). */
static bool g_shxd(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size_nb();
    struct ins in;
    ins_init(&in, sz);
    in.map = 1;
    in.modrm = true;
    in.reg = pick_src(sz);
    pick_rm(g, &in, sz, true, 40);
    int count;
    do count = (int)(chance(50) ? rn(8) * 8 + rn(3) : rn(256));
    while (sz == 2 && (count & 31) > 16);
    bool cl = chance(50);
    in.op = (uint8_t)((t->a ? 0xac : 0xa4) + (cl ? 1 : 0));
    if (cl) {
        if (in.reg == RCX || (in.rm.mem && (in.rm.base == RCX || in.rm.index == RCX)) ||
            (!in.rm.mem && in.rm.reg == RCX))
            return false;
        uint8_t b[2] = { 0xb1, (uint8_t)count };
        emit_bytes(g, b, 2, NULL);
    } else {
        in.isz = 1;
        in.imm = (uint64_t)count;
    }
    maybe_lock(&in);
    in.lock = false;
    if (!emit_ins(g, &in))
        return false;
    g->flags_done = true;
    int c = count & (sz == 8 ? 63 : 31);
    if (c)
        set_undef_after(g, OSZPC, FL_AF | (c != 1 ? FL_OF : 0));
    return true;
}

/* BT/BTS/BTR/BTC r/m, r (0F A3/AB/B3/BB) and r/m, imm8 (0F BA /4-7).
 * A register bit offset reaches memory outside the operand (SDM vol. 2
 * "BT"): the offset register gets a small signed value (random upper bits
 * beyond the operand size). */
static bool g_bt(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size_nb();
    struct ins in;
    ins_init(&in, sz);
    in.map = 1;
    in.modrm = true;
    if (t->b) { /* imm */
        in.op = 0xba;
        in.reg_is_ext = true;
        in.reg = 4 + t->a;
        in.isz = 1;
        in.imm = rnd() & 0xff;
        pick_rm(g, &in, sz, t->a != 0, 40);
    } else {
        static const uint8_t ops[4] = { 0xa3, 0xab, 0xb3, 0xbb };
        in.op = ops[t->a];
        in.reg = pick_src(sz);
        if (chance(50)) {
            if (in.reg == RSP) in.reg = RBX;
            uint64_t la = BUF_VA + 0x400 + rn(0x300);
            mem_at(g, &in.rm, la, in.reg, -1);
            int64_t off = (int64_t)rn(4096) - 2048;
            uint64_t m = sz == 8 ? ~0ull : (1ull << (8 * sz)) - 1;
            uint64_t v = sz == 8 ? (uint64_t)off : (rnd() & ~m) | ((uint64_t)off & m);
            emit_mov_imm(g, in.reg, v);
        } else {
            in.rm.mem = false;
            in.rm.reg = t->a ? pick_dst(sz) : pick_src(sz);
        }
    }
    if (t->a) maybe_lock(&in);
    return emit_ins(g, &in);
}

/* BSF/BSR (0F BC/BD), TZCNT/LZCNT (F3 0F BC/BD), POPCNT (F3 0F B8). A zero
 * source leaves BSF/BSR's destination undefined (SDM vol. 2 "BSF"): then
 * the destination is redefined by a MOV right after. */
static bool g_bitscan(struct gen *g, const struct tmpl *t)
{
    if ((t->a == 2 && !g->host_tzcnt) || (t->a == 3 && !g->host_lzcnt) ||
        (t->a == 4 && !g->host_popcnt))
        return false;
    int sz = pick_size_nb();
    struct ins in;
    ins_init(&in, sz);
    in.map = 1;
    in.modrm = true;
    in.reg = pick_dst(sz);
    static const uint8_t ops[5] = { 0xbc, 0xbd, 0xbc, 0xbd, 0xb8 };
    in.op = ops[t->a];
    if (t->a >= 2) in.pfx = 0xf3;
    pick_rm(g, &in, sz, false, 40);
    bool zero_possible = true;
    if (t->a < 2 && !in.rm.mem) {
        if (in.rm.reg == RSP) return false;
        uint64_t v = chance(10) ? 0 : rval() | (1ull << rn(8 * (unsigned)sz));
        if (in.rm.reg == in.reg) v |= 1;
        emit_mov_imm(g, in.rm.reg, v);
        zero_possible = v == 0 || (v & ((sz == 8 ? 0 : 1ull << 8 * sz) - 1)) == 0;
    }
    if (!emit_ins(g, &in))
        return false;
    if (t->a < 2 && zero_possible)
        emit_mov_imm(g, in.reg, rval());
    return true;
}

static bool g_bswap(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    ins_init(&in, chance(50) ? 4 : 8);
    in.map = 1;
    in.op = 0xc8;
    in.oreg = pick_dst(4);
    (void)t;
    return emit_ins(g, &in);
}

static uint32_t cc_reads(int cc)
{
    static const uint32_t r[8] = { FL_OF, FL_CF, FL_ZF, FL_CF | FL_ZF, FL_SF, FL_PF,
                                   FL_SF | FL_OF, FL_ZF | FL_SF | FL_OF };
    return r[cc >> 1];
}

/* CMOVcc r, r/m (0F 40+cc); SETcc r/m8 (0F 90+cc) */
static bool g_cc(struct gen *g, const struct tmpl *t)
{
    int cc = (int)rn(16);
    need_flags(g, cc_reads(cc));
    struct ins in;
    int sz = t->a ? 1 : pick_size_nb();
    ins_init(&in, sz);
    in.map = 1;
    in.modrm = true;
    if (t->a) {
        in.op = (uint8_t)(0x90 + cc);
        in.reg_is_ext = true;
        in.reg = 0;
        in.osz = 4;
        pick_rm(g, &in, 1, true, 40);
    } else {
        in.op = (uint8_t)(0x40 + cc);
        in.reg = pick_dst(sz);
        pick_rm(g, &in, sz, false, 40);
    }
    return emit_ins(g, &in);
}

/* XCHG r/m, r (86/87), XCHG rAX, r (90+r); XADD (0F C0/C1); CMPXCHG (0F B0/B1) */
static bool g_xchg(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size();
    struct ins in;
    ins_init(&in, sz);
    if (t->a == 0 && sz != 1 && chance(30)) {
        in.op = 0x90;
        in.oreg = pick_dst(sz);
        return emit_ins(g, &in);
    }
    in.modrm = true;
    in.reg = pick_dst(sz);
    in.reg_byte = sz == 1;
    if (t->a == 0) in.op = sz == 1 ? 0x86 : 0x87;
    else { in.map = 1; in.op = (uint8_t)((t->a == 1 ? 0xc0 : 0xb0) + (sz == 1 ? 0 : 1)); }
    pick_rm(g, &in, sz, true, 50);
    maybe_lock(&in);
    return emit_ins(g, &in);
}

/* MOVZX/MOVSX (0F B6/B7/BE/BF), MOVSXD (63) */
static bool g_movx(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size_nb();
    ins_init(&in, sz);
    in.modrm = true;
    in.reg = pick_dst(sz);
    int ssz;
    if (t->a == 2) { /* MOVSXD */
        in.op = 0x63;
        if (chance(80)) in.osz = 8;
        else in.osz = 4;
        ssz = 4;
    } else {
        in.map = 1;
        bool word = chance(50);
        in.op = (uint8_t)((t->a ? 0xbe : 0xb6) + (word ? 1 : 0));
        ssz = word ? 2 : 1;
    }
    pick_rm(g, &in, ssz, false, 40);
    return emit_ins(g, &in);
}

/* LEA (8D): the address is only computed: random base/index values, all
 * forms, 16/32/64-bit destination, 32-bit addresses with 67. */
static bool g_lea(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int sz = pick_size_nb();
    ins_init(&in, sz);
    in.op = 0x8d;
    in.modrm = true;
    in.reg = pick_dst(sz);
    mem_at(g, &in.rm, data_la(1), -1, -1);
    if (chance(50)) in.rm.set_base = in.rm.set_index = false; /* whatever they hold */
    (void)t;
    return emit_ins(g, &in);
}

/* one-byte, no operands: CBW/CWDE/CDQE 98, CWD/CDQ/CQO 99, LAHF, SAHF, CLC,
 * STC, CMC (a = opcode; b = 1: all operand sizes) */
static bool g_simple(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    ins_init(&in, t->b ? pick_size_nb() : 4);
    in.op = (uint8_t)t->a;
    if (!t->b && chance(20)) in.rex40 = true;
    return emit_ins(g, &in);
}

/* MOVS CMPS STOS LODS SCAS (a = the byte opcode), REP/REPE/REPNE, DF 0/1,
 * 64- or 32-bit addresses. */
static bool g_string(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size();
    bool cmp = t->a == 0xa6 || t->a == 0xae;
    int rep = rn(3); /* 0 none, 1 F3, 2 F2 */
    if (!cmp && rep == 2) rep = 1;
    bool a32 = chance(15);
    bool df = chance(50);
    if (df != g->df || chance(20)) {
        uint8_t b = df ? 0xfd : 0xfc; /* STD / CLD */
        emit_bytes(g, &b, 1, NULL);
        g->df = df;
    }
    unsigned cnt = rep ? rn(14) : 1;
    uint64_t hi = a32 ? rnd() << 32 : 0;
    emit_mov_imm(g, RSI, hi | (BUF_VA + 0x300 + rn(0x180)));
    emit_mov_imm(g, RDI, (a32 ? rnd() << 32 : 0) | (BUF_VA + 0x780 + rn(0x180)));
    if (rep) emit_mov_imm(g, RCX, (a32 ? rnd() << 32 : 0) | cnt);
    if (t->a == 0xae && chance(50)) emit_mov_imm(g, RAX, rval());
    uint8_t b[4];
    unsigned n = 0;
    if (a32) b[n++] = 0x67;
    if (sz == 2) b[n++] = 0x66;
    if (rep) b[n++] = rep == 1 ? 0xf3 : 0xf2;
    if (sz == 8) b[n++] = 0x48;
    b[n++] = (uint8_t)(t->a + (sz == 1 ? 0 : 1));
    need_flags(g, 0);
    emit_bytes(g, b, n, t->name);
    g->flags_done = true;
    if (cmp && (cnt || !rep))
        set_undef_after(g, OSZPC, 0);
    return true;
}

/* PUSH r / POP r (50+r / 58+r, 16 or 64 bits), PUSH imm (68/6A), PUSH r/m
 * (FF /6), POP r/m (8F /0); RSP stays inside the stack part of the buffer. */
static bool g_stack(struct gen *g, const struct tmpl *t)
{
    int sz = chance(20) ? 2 : 8;
    struct ins in;
    ins_init(&in, sz);
    in.no_w = true;
    bool push = t->a == 0;
    if (push && g->rsp - (uint64_t)sz < BUF_VA + DATA_END + 8) return false;
    if (!push && g->rsp + (uint64_t)sz > BUF_VA + BUF_SIZE) return false;
    switch (rn(3)) {
    case 0:
        in.op = push ? 0x50 : 0x58;
        in.oreg = push ? (int)rn(16) : pick_dst(8);
        break;
    case 1:
        if (push) {
            bool ib = chance(50);
            in.op = ib ? 0x6a : 0x68;
            in.isz = ib ? 1 : imm_size_for(sz);
            in.imm = imm_of(in.isz);
        } else {
            in.op = 0x58;
            in.oreg = pick_dst(8);
        }
        break;
    default:
        in.modrm = true;
        in.reg_is_ext = true;
        in.op = push ? 0xff : 0x8f;
        in.reg = push ? 6 : 0;
        if (chance(50)) {
            mem_at(g, &in.rm, data_la((unsigned)sz), -1, -1);
            if (!push && in.rm.base == RSP) return false; /* EA after the pop: not modelled here */
        } else {
            in.rm.reg = push ? (int)rn(16) : pick_dst(8);
        }
        break;
    }
    if (!emit_ins(g, &in))
        return false;
    g->rsp += push ? -(uint64_t)sz : (uint64_t)sz;
    return true;
}

/* MOV r/m, r; r, r/m; r/m, imm; r, imm (88-8B, C6/C7, B0+r, B8+r) */
static bool g_mov(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size();
    struct ins in;
    ins_init(&in, sz);
    switch (rn(3)) {
    case 0:
        in.modrm = true;
        in.reg_byte = sz == 1;
        if (chance(50)) { in.op = sz == 1 ? 0x88 : 0x89; in.reg = pick_src(sz); pick_rm(g, &in, sz, true, 50); }
        else { in.op = sz == 1 ? 0x8a : 0x8b; in.reg = pick_dst(sz); pick_rm(g, &in, sz, false, 50); }
        break;
    case 1:
        in.op = sz == 1 ? 0xc6 : 0xc7;
        in.modrm = true;
        in.reg_is_ext = true;
        in.isz = imm_size_for(sz);
        in.imm = imm_of(in.isz);
        pick_rm(g, &in, sz, true, 50);
        break;
    default:
        in.op = sz == 1 ? 0xb0 : 0xb8;
        in.oreg = pick_dst(sz);
        in.isz = sz == 8 && chance(50) ? 8 : imm_size_for(sz);
        if (sz == 8 && in.isz == 4) in.no_w = true, in.osz = 4;
        in.imm = in.isz == 8 ? rval() : imm_of(in.isz);
        break;
    }
    (void)t;
    return emit_ins(g, &in);
}

/* A multi-precision chain: ADD then 1-4 ADC (or SUB then SBB) over
 * registers and buffer words. */
static bool g_chain(struct gen *g, const struct tmpl *t)
{
    int sz = pick_size();
    int n = 2 + (int)rn(4);
    for (int k = 0; k < n; k++) {
        struct ins in;
        ins_init(&in, sz);
        int aop = k == 0 ? (t->a ? 5 : 0) : (t->a ? 3 : 2);
        bool to_rm = chance(50);
        in.op = (uint8_t)(aop * 8 + (to_rm ? 0 : 2) + (sz == 1 ? 0 : 1));
        in.modrm = true;
        in.reg = to_rm ? pick_src(sz) : pick_dst(sz);
        in.reg_byte = sz == 1;
        pick_rm(g, &in, sz, to_rm, 50);
        if (!emit_ins(g, &in))
            return k > 0;
        set_undef_after(g, OSZPC, 0);
    }
    g->flags_done = true;
    return true;
}

struct result {
    uint64_t r[16];
    uint64_t flags;
    uint8_t buf[BUF_SIZE];
    struct simd_state simd;
    int fault;       /* native: signal number; sim: vector + 1000; 0: none */
    uint64_t insns;  /* sim: instructions retired (without the final HLT) */
    uint64_t chunks; /* sim in short runs (sim_chunks): a hash of rip, the
                        registers and RFLAGS at the end of each run */
};

static struct x86f *fx;
static struct nstate *nst;
/* ---- SIMD templates (MMX, SSE..SSE4.2) ------------------------------------------ */
/* One row per instruction form: map (1 0F, 2 0F38, 3 0F3A), mandatory
 * prefix, opcode, operand kind, memory operand size (0: register only),
 * and SO_* flags. RCPPS/RSQRTPS are left out: their results are
 * approximations that differ between implementations (SDM vol. 2 RCPPS:
 * relative error <= 1.5 * 2^-12), so the host is no oracle for them. */
enum {
    SK_XX,   /* xmm (reg), xmm/m */
    SK_XST,  /* xmm/m (rm, written), xmm (reg) */
    SK_MM,   /* mm, mm/m */
    SK_MST,  /* mm/m, mm */
    SK_XM,   /* xmm, mm/m */
    SK_MX,   /* mm, xmm/m */
    SK_XG,   /* xmm, r/m32|64 */
    SK_GX,   /* r/m32|64 (rm, written), xmm (reg) */
    SK_RX,   /* r32|64 (reg), xmm/m */
    SK_MG,   /* mm, r/m32|64 */
    SK_GM,   /* r/m32|64, mm */
    SK_RM,   /* r32|64 (reg), mm (rm) */
    SK_XSH,  /* shift group: xmm (rm), /digit, imm8 */
    SK_MSH,  /* shift group: mm (rm), /digit, imm8 */
};
enum {
    SO_IB = 1,     /* imm8 */
    SO_U = 2,      /* a 16-byte memory operand may be misaligned */
    SO_MO = 4,     /* memory operand only */
    SO_W = 8,      /* REX.W selects a 64-bit GPR operand */
    SO_FL = 16,    /* writes the arithmetic flags (all defined) */
};
struct sop {
    uint8_t cls, map, pfx, op, kind, msz, ext;
    uint8_t fl;
};
enum { SC_MOV, SC_FP, SC_INT, SC_MMX, SC_SSE4, SC_SSE42 };

#define R(cls, map, pfx, op, kind, msz, fl) { cls, map, pfx, op, kind, msz, 0, fl }
#define RS(cls, pfx, op, kind, ext) { cls, 1, pfx, op, kind, 0, ext, SO_IB }
/* packed FP arithmetic: ps pd ss sd */
#define FP4(op) R(SC_FP, 1, 0, op, SK_XX, 16, 0), R(SC_FP, 1, 0x66, op, SK_XX, 16, 0), \
                R(SC_FP, 1, 0xf3, op, SK_XX, 4, 0), R(SC_FP, 1, 0xf2, op, SK_XX, 8, 0)
/* MMX and its SSE2 66 form */
#define INT2(op) R(SC_MMX, 1, 0, op, SK_MM, 8, 0), R(SC_INT, 1, 0x66, op, SK_XX, 16, 0)
#define SSSE3(op) R(SC_MMX, 2, 0, op, SK_MM, 8, 0), R(SC_SSE4, 2, 0x66, op, SK_XX, 16, 0)
#define S41(op, msz) R(SC_SSE4, 2, 0x66, op, SK_XX, msz, 0)
static const struct sop sops[] = {
    /* moves */
    R(SC_MOV, 1, 0, 0x10, SK_XX, 16, SO_U), R(SC_MOV, 1, 0x66, 0x10, SK_XX, 16, SO_U),
    R(SC_MOV, 1, 0xf3, 0x10, SK_XX, 4, 0), R(SC_MOV, 1, 0xf2, 0x10, SK_XX, 8, 0),
    R(SC_MOV, 1, 0, 0x11, SK_XST, 16, SO_U), R(SC_MOV, 1, 0x66, 0x11, SK_XST, 16, SO_U),
    R(SC_MOV, 1, 0xf3, 0x11, SK_XST, 4, 0), R(SC_MOV, 1, 0xf2, 0x11, SK_XST, 8, 0),
    R(SC_MOV, 1, 0, 0x12, SK_XX, 8, 0), R(SC_MOV, 1, 0x66, 0x12, SK_XX, 8, SO_MO),
    R(SC_MOV, 1, 0xf3, 0x12, SK_XX, 16, 0), R(SC_MOV, 1, 0xf2, 0x12, SK_XX, 8, 0),
    R(SC_MOV, 1, 0, 0x13, SK_XST, 8, SO_MO), R(SC_MOV, 1, 0x66, 0x13, SK_XST, 8, SO_MO),
    R(SC_MOV, 1, 0, 0x16, SK_XX, 8, 0), R(SC_MOV, 1, 0x66, 0x16, SK_XX, 8, SO_MO),
    R(SC_MOV, 1, 0xf3, 0x16, SK_XX, 16, 0),
    R(SC_MOV, 1, 0, 0x17, SK_XST, 8, SO_MO), R(SC_MOV, 1, 0x66, 0x17, SK_XST, 8, SO_MO),
    R(SC_MOV, 1, 0, 0x28, SK_XX, 16, 0), R(SC_MOV, 1, 0x66, 0x28, SK_XX, 16, 0),
    R(SC_MOV, 1, 0, 0x29, SK_XST, 16, 0), R(SC_MOV, 1, 0x66, 0x29, SK_XST, 16, 0),
    R(SC_MOV, 1, 0, 0x2b, SK_XST, 16, SO_MO), R(SC_MOV, 1, 0x66, 0x2b, SK_XST, 16, SO_MO),
    R(SC_MOV, 1, 0, 0x50, SK_RX, 0, 0), R(SC_MOV, 1, 0x66, 0x50, SK_RX, 0, 0),
    R(SC_MOV, 1, 0x66, 0x6e, SK_XG, 4, SO_W), R(SC_MOV, 1, 0x66, 0x7e, SK_GX, 4, SO_W),
    R(SC_MOV, 1, 0, 0x6e, SK_MG, 4, SO_W), R(SC_MOV, 1, 0, 0x7e, SK_GM, 4, SO_W),
    R(SC_MOV, 1, 0, 0x6f, SK_MM, 8, 0), R(SC_MOV, 1, 0, 0x7f, SK_MST, 8, 0),
    R(SC_MOV, 1, 0x66, 0x6f, SK_XX, 16, 0), R(SC_MOV, 1, 0xf3, 0x6f, SK_XX, 16, SO_U),
    R(SC_MOV, 1, 0x66, 0x7f, SK_XST, 16, 0), R(SC_MOV, 1, 0xf3, 0x7f, SK_XST, 16, SO_U),
    R(SC_MOV, 1, 0xf3, 0x7e, SK_XX, 8, 0), R(SC_MOV, 1, 0x66, 0xd6, SK_XST, 8, 0),
    R(SC_MOV, 1, 0xf3, 0xd6, SK_XM, 0, 0), R(SC_MOV, 1, 0xf2, 0xd6, SK_MX, 0, 0),
    R(SC_MOV, 1, 0, 0xe7, SK_MST, 8, SO_MO), R(SC_MOV, 1, 0x66, 0xe7, SK_XST, 16, SO_MO),
    R(SC_MOV, 1, 0xf2, 0xf0, SK_XX, 16, SO_MO | SO_U),
    R(SC_MOV, 2, 0x66, 0x2a, SK_XX, 16, SO_MO),
    /* FP */
    FP4(0x51), FP4(0x58), FP4(0x59), FP4(0x5c), FP4(0x5d), FP4(0x5e), FP4(0x5f),
    R(SC_FP, 1, 0, 0x14, SK_XX, 16, 0), R(SC_FP, 1, 0x66, 0x14, SK_XX, 16, 0),
    R(SC_FP, 1, 0, 0x15, SK_XX, 16, 0), R(SC_FP, 1, 0x66, 0x15, SK_XX, 16, 0),
    R(SC_FP, 1, 0, 0x54, SK_XX, 16, 0), R(SC_FP, 1, 0x66, 0x55, SK_XX, 16, 0),
    R(SC_FP, 1, 0, 0x56, SK_XX, 16, 0), R(SC_FP, 1, 0x66, 0x57, SK_XX, 16, 0),
    R(SC_FP, 1, 0, 0x2a, SK_XM, 8, 0), R(SC_FP, 1, 0x66, 0x2a, SK_XM, 8, 0),
    R(SC_FP, 1, 0xf3, 0x2a, SK_XG, 4, SO_W), R(SC_FP, 1, 0xf2, 0x2a, SK_XG, 4, SO_W),
    R(SC_FP, 1, 0, 0x2c, SK_MX, 8, 0), R(SC_FP, 1, 0x66, 0x2c, SK_MX, 16, 0),
    R(SC_FP, 1, 0, 0x2d, SK_MX, 8, 0), R(SC_FP, 1, 0x66, 0x2d, SK_MX, 16, 0),
    R(SC_FP, 1, 0xf3, 0x2c, SK_RX, 4, SO_W), R(SC_FP, 1, 0xf2, 0x2c, SK_RX, 8, SO_W),
    R(SC_FP, 1, 0xf3, 0x2d, SK_RX, 4, SO_W), R(SC_FP, 1, 0xf2, 0x2d, SK_RX, 8, SO_W),
    R(SC_FP, 1, 0, 0x2e, SK_XX, 4, SO_FL), R(SC_FP, 1, 0x66, 0x2e, SK_XX, 8, SO_FL),
    R(SC_FP, 1, 0, 0x2f, SK_XX, 4, SO_FL), R(SC_FP, 1, 0x66, 0x2f, SK_XX, 8, SO_FL),
    R(SC_FP, 1, 0, 0x5a, SK_XX, 8, 0), R(SC_FP, 1, 0x66, 0x5a, SK_XX, 16, 0),
    R(SC_FP, 1, 0xf3, 0x5a, SK_XX, 4, 0), R(SC_FP, 1, 0xf2, 0x5a, SK_XX, 8, 0),
    R(SC_FP, 1, 0, 0x5b, SK_XX, 16, 0), R(SC_FP, 1, 0x66, 0x5b, SK_XX, 16, 0),
    R(SC_FP, 1, 0xf3, 0x5b, SK_XX, 16, 0),
    R(SC_FP, 1, 0x66, 0xe6, SK_XX, 16, 0), R(SC_FP, 1, 0xf3, 0xe6, SK_XX, 8, 0),
    R(SC_FP, 1, 0xf2, 0xe6, SK_XX, 16, 0),
    R(SC_FP, 1, 0, 0xc2, SK_XX, 16, SO_IB), R(SC_FP, 1, 0x66, 0xc2, SK_XX, 16, SO_IB),
    R(SC_FP, 1, 0xf3, 0xc2, SK_XX, 4, SO_IB), R(SC_FP, 1, 0xf2, 0xc2, SK_XX, 8, SO_IB),
    R(SC_FP, 1, 0, 0xc6, SK_XX, 16, SO_IB), R(SC_FP, 1, 0x66, 0xc6, SK_XX, 16, SO_IB),
    R(SC_FP, 1, 0x66, 0x7c, SK_XX, 16, 0), R(SC_FP, 1, 0xf2, 0x7c, SK_XX, 16, 0),
    R(SC_FP, 1, 0x66, 0x7d, SK_XX, 16, 0), R(SC_FP, 1, 0xf2, 0x7d, SK_XX, 16, 0),
    R(SC_FP, 1, 0x66, 0xd0, SK_XX, 16, 0), R(SC_FP, 1, 0xf2, 0xd0, SK_XX, 16, 0),
    /* packed integer, MMX and SSE2 */
    INT2(0x60), INT2(0x61), INT2(0x62), INT2(0x63), INT2(0x64), INT2(0x65), INT2(0x66),
    INT2(0x67), INT2(0x68), INT2(0x69), INT2(0x6a), INT2(0x6b),
    R(SC_INT, 1, 0x66, 0x6c, SK_XX, 16, 0), R(SC_INT, 1, 0x66, 0x6d, SK_XX, 16, 0),
    INT2(0x74), INT2(0x75), INT2(0x76),
    INT2(0xd1), INT2(0xd2), INT2(0xd3), INT2(0xd4), INT2(0xd5), INT2(0xd8), INT2(0xd9),
    INT2(0xda), INT2(0xdb), INT2(0xdc), INT2(0xdd), INT2(0xde), INT2(0xdf), INT2(0xe0),
    INT2(0xe1), INT2(0xe2), INT2(0xe3), INT2(0xe4), INT2(0xe5), INT2(0xe8), INT2(0xe9),
    INT2(0xea), INT2(0xeb), INT2(0xec), INT2(0xed), INT2(0xee), INT2(0xef), INT2(0xf1),
    INT2(0xf2), INT2(0xf3), INT2(0xf4), INT2(0xf5), INT2(0xf6), INT2(0xf8), INT2(0xf9),
    INT2(0xfa), INT2(0xfb), INT2(0xfc), INT2(0xfd), INT2(0xfe),
    R(SC_MMX, 1, 0, 0x70, SK_MM, 8, SO_IB), R(SC_INT, 1, 0x66, 0x70, SK_XX, 16, SO_IB),
    R(SC_INT, 1, 0xf3, 0x70, SK_XX, 16, SO_IB), R(SC_INT, 1, 0xf2, 0x70, SK_XX, 16, SO_IB),
    RS(SC_MMX, 0, 0x71, SK_MSH, 2), RS(SC_MMX, 0, 0x71, SK_MSH, 4), RS(SC_MMX, 0, 0x71, SK_MSH, 6),
    RS(SC_MMX, 0, 0x72, SK_MSH, 2), RS(SC_MMX, 0, 0x72, SK_MSH, 4), RS(SC_MMX, 0, 0x72, SK_MSH, 6),
    RS(SC_MMX, 0, 0x73, SK_MSH, 2), RS(SC_MMX, 0, 0x73, SK_MSH, 6),
    RS(SC_INT, 0x66, 0x71, SK_XSH, 2), RS(SC_INT, 0x66, 0x71, SK_XSH, 4), RS(SC_INT, 0x66, 0x71, SK_XSH, 6),
    RS(SC_INT, 0x66, 0x72, SK_XSH, 2), RS(SC_INT, 0x66, 0x72, SK_XSH, 4), RS(SC_INT, 0x66, 0x72, SK_XSH, 6),
    RS(SC_INT, 0x66, 0x73, SK_XSH, 2), RS(SC_INT, 0x66, 0x73, SK_XSH, 3), RS(SC_INT, 0x66, 0x73, SK_XSH, 6),
    RS(SC_INT, 0x66, 0x73, SK_XSH, 7),
    R(SC_MMX, 1, 0, 0xc4, SK_MG, 2, SO_IB), R(SC_INT, 1, 0x66, 0xc4, SK_XG, 2, SO_IB),
    R(SC_MMX, 1, 0, 0xc5, SK_RM, 0, SO_IB), R(SC_INT, 1, 0x66, 0xc5, SK_RX, 0, SO_IB),
    R(SC_MMX, 1, 0, 0xd7, SK_RM, 0, 0), R(SC_INT, 1, 0x66, 0xd7, SK_RX, 0, 0),
    /* SSSE3 */
    SSSE3(0x00), SSSE3(0x01), SSSE3(0x02), SSSE3(0x03), SSSE3(0x04), SSSE3(0x05), SSSE3(0x06),
    SSSE3(0x07), SSSE3(0x08), SSSE3(0x09), SSSE3(0x0a), SSSE3(0x0b), SSSE3(0x1c), SSSE3(0x1d),
    SSSE3(0x1e),
    R(SC_MMX, 3, 0, 0x0f, SK_MM, 8, SO_IB), R(SC_SSE4, 3, 0x66, 0x0f, SK_XX, 16, SO_IB),
    /* SSE4.1 */
    S41(0x10, 16), S41(0x14, 16), S41(0x15, 16), R(SC_SSE4, 2, 0x66, 0x17, SK_XX, 16, SO_FL),
    S41(0x20, 8), S41(0x21, 4), S41(0x22, 2), S41(0x23, 8), S41(0x24, 4), S41(0x25, 8),
    S41(0x30, 8), S41(0x31, 4), S41(0x32, 2), S41(0x33, 8), S41(0x34, 4), S41(0x35, 8),
    S41(0x28, 16), S41(0x29, 16), S41(0x2b, 16), S41(0x37, 16), S41(0x38, 16), S41(0x39, 16),
    S41(0x3a, 16), S41(0x3b, 16), S41(0x3c, 16), S41(0x3d, 16), S41(0x3e, 16), S41(0x3f, 16),
    S41(0x40, 16), S41(0x41, 16),
    R(SC_SSE4, 3, 0x66, 0x08, SK_XX, 16, SO_IB), R(SC_SSE4, 3, 0x66, 0x09, SK_XX, 16, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x0a, SK_XX, 4, SO_IB), R(SC_SSE4, 3, 0x66, 0x0b, SK_XX, 8, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x0c, SK_XX, 16, SO_IB), R(SC_SSE4, 3, 0x66, 0x0d, SK_XX, 16, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x0e, SK_XX, 16, SO_IB), R(SC_SSE4, 3, 0x66, 0x42, SK_XX, 16, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x40, SK_XX, 16, SO_IB), R(SC_SSE4, 3, 0x66, 0x41, SK_XX, 16, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x21, SK_XX, 4, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x14, SK_GX, 1, SO_IB), R(SC_SSE4, 3, 0x66, 0x15, SK_GX, 2, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x16, SK_GX, 4, SO_IB | SO_W), R(SC_SSE4, 3, 0x66, 0x17, SK_GX, 4, SO_IB),
    R(SC_SSE4, 3, 0x66, 0x20, SK_XG, 1, SO_IB), R(SC_SSE4, 3, 0x66, 0x22, SK_XG, 4, SO_IB | SO_W),
    /* SSE4.2 string compares (ECX or XMM0, flags), AES-NI, PCLMULQDQ */
    R(SC_SSE42, 3, 0x66, 0x60, SK_XX, 16, SO_IB | SO_U | SO_FL | SO_W),
    R(SC_SSE42, 3, 0x66, 0x61, SK_XX, 16, SO_IB | SO_U | SO_FL | SO_W),
    R(SC_SSE42, 3, 0x66, 0x62, SK_XX, 16, SO_IB | SO_U | SO_FL),
    R(SC_SSE42, 3, 0x66, 0x63, SK_XX, 16, SO_IB | SO_U | SO_FL),
    R(SC_SSE42, 2, 0x66, 0xdb, SK_XX, 16, 0), R(SC_SSE42, 2, 0x66, 0xdc, SK_XX, 16, 0),
    R(SC_SSE42, 2, 0x66, 0xdd, SK_XX, 16, 0), R(SC_SSE42, 2, 0x66, 0xde, SK_XX, 16, 0),
    R(SC_SSE42, 2, 0x66, 0xdf, SK_XX, 16, 0), R(SC_SSE42, 3, 0x66, 0xdf, SK_XX, 16, SO_IB),
    R(SC_SSE42, 3, 0x66, 0x44, SK_XX, 16, SO_IB),
};
#define NSOPS (sizeof sops / sizeof sops[0])
#undef R
#undef RS

/* An MMX register number; now and then with REX.R/B set (ignored for MMX
 * registers: SDM vol. 2 §2.2.1.2). */
static int pick_mm(void) { return (int)rn(8) + (chance(10) ? 8 : 0); }

/* One random instruction of class t->a. */
static bool g_simd(struct gen *g, const struct tmpl *t)
{
    const struct sop *o;
    do o = &sops[rn(NSOPS)]; while (o->cls != t->a);
    if ((o->map >= 2 && !g->host_sse4) || (o->cls == SC_SSE42 && !g->host_sse42))
        return false; /* the host could not run it */
    struct ins in;
    bool w = (o->fl & SO_W) && chance(50);
    ins_init(&in, w ? 8 : 4);
    in.map = o->map;
    in.op = o->op;
    in.pfx = o->pfx;
    in.modrm = true;
    if (o->fl & SO_IB) {
        in.isz = 1;
        in.imm = rnd() & 0xff;
    }
    unsigned msz = o->msz ? o->msz : 16;
    if (w && msz == 4 && o->kind != SK_XX) msz = 8;
    bool mem = o->msz && ((o->fl & SO_MO) || chance(35));
    int gsz = w ? 8 : 4;
    /* reg field */
    switch (o->kind) {
    case SK_XX: case SK_XST: case SK_XM: case SK_XG: case SK_GX: in.reg = (int)rn(16); break;
    case SK_MM: case SK_MST: case SK_MX: case SK_MG: case SK_GM: in.reg = pick_mm(); break;
    case SK_RX: case SK_RM: in.reg = pick_dst(gsz); break;
    default: in.reg_is_ext = true; in.reg = o->ext; break;
    }
    /* r/m field */
    if (mem) {
        uint64_t la;
        if (msz == 16 && !(o->fl & SO_U))
            la = BUF_VA + (rn(DATA_END - 16) & ~15u);
        else
            la = data_la(msz);
        mem_at(g, &in.rm, la, in.reg_is_ext || o->kind == SK_RX || o->kind == SK_RM ? -1 : -1, -1);
        if (o->kind == SK_RX || o->kind == SK_RM) /* the base/index must not be the destination */
            if (in.rm.base == in.reg || in.rm.index == in.reg) return false;
    } else {
        in.rm.mem = false;
        switch (o->kind) {
        case SK_XX: case SK_XST: case SK_MX: case SK_RX: case SK_XSH: in.rm.reg = (int)rn(16); break;
        case SK_MM: case SK_MST: case SK_XM: case SK_RM: case SK_MSH: in.rm.reg = pick_mm(); break;
        case SK_XG: case SK_MG: in.rm.reg = pick_src(gsz); break;
        default: in.rm.reg = pick_dst(gsz); break; /* SK_GX SK_GM */
        }
    }
    if (!emit_ins(g, &in))
        return false;
    /* (U)COMIS* and PTEST write all six flags, defined; the others none */
    if (o->fl & SO_FL)
        set_undef_after(g, FL_ARITH, 0);
    g->flags_done = true;
    return true;
}

/* MASKMOVQ / MASKMOVDQU (bytes to [RDI], DS), MOVNTI m32|64, r, EMMS. */
static bool g_simd_misc(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    switch (rn(4)) {
    case 0: case 1: {
        bool x = chance(50);
        emit_mov_imm(g, RDI, BUF_VA + rn(DATA_END - 16));
        ins_init(&in, 4);
        in.map = 1;
        in.op = 0xf7;
        in.pfx = x ? 0x66 : 0;
        in.modrm = true;
        in.reg = x ? (int)rn(16) : (int)rn(8);
        in.rm.reg = x ? (int)rn(16) : (int)rn(8);
        break;
    }
    case 2: {
        int sz = chance(50) ? 8 : 4;
        ins_init(&in, sz);
        in.map = 1;
        in.op = 0xc3;
        in.modrm = true;
        in.reg = pick_src(sz);
        mem_at(g, &in.rm, data_la((unsigned)sz), in.reg, -1);
        break;
    }
    default: {
        static const uint8_t emms[2] = { 0x0f, 0x77 };
        emit_bytes(g, emms, 2, g->cur);
        g->flags_done = true;
        return true;
    }
    }
    (void)t;
    g->flags_done = true;
    return emit_ins(g, &in);
}

/* ---- SIMD initial state, the simulator side, comparison -------------------------- */

/* A 32-bit lane: a float worth testing. */
static uint32_t simd_f32(void)
{
    static const uint32_t special[] = {
        0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
        0xffc00000u, 0x7fa00000u /* SNaN */, 0x00000001u, 0x807fffffu, 0x00800000u,
        0x7f7fffffu, 0x4f000000u /* 2^31 */, 0xcf000000u, 0x3f000000u /* 0.5 */, 0x3fc00000u,
        0x4b000000u /* 2^23 */, 0x5f000000u /* 2^63 */,
    };
    switch (rn(6)) {
    case 0: return special[rn(sizeof special / sizeof special[0])];
    case 1: { float f = (float)((int)rn(2001) - 1000) / (float)(1 + rn(8)); uint32_t u; memcpy(&u, &f, 4); return u; }
    case 2: return (uint32_t)rval();
    default: return (uint32_t)(((uint32_t)rn(2) << 31) | ((100 + rn(56)) << 23) | (rnd() & 0x7fffff));
    }
}
/* A 64-bit lane: a double worth testing. */
static uint64_t simd_f64(void)
{
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff4000000000000ull /* SNaN */,
        1, 0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
        0x41e0000000000000ull /* 2^31 */, 0xc1e0000000000000ull, 0x43e0000000000000ull /* 2^63 */,
        0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x47efffffe0000000ull /* FLT_MAX */,
        0x36a0000000000000ull /* 2^-149 */,
    };
    switch (rn(6)) {
    case 0: return special[rn(sizeof special / sizeof special[0])];
    case 1: { double d = (double)((int)rn(2001) - 1000) / (double)(1 + rn(8)); uint64_t u; memcpy(&u, &d, 8); return u; }
    case 2: return rval();
    default: return ((uint64_t)rn(2) << 63) | ((uint64_t)(900 + rn(250)) << 52) | (rnd() & 0xfffffffffffffull);
    }
}

static void simd_fill16(uint8_t *p)
{
    switch (rn(4)) {
    case 0: for (int k = 0; k < 4; k++) { uint32_t v = simd_f32(); memcpy(p + 4 * k, &v, 4); } break;
    case 1: for (int k = 0; k < 2; k++) { uint64_t v = simd_f64(); memcpy(p + 8 * k, &v, 8); } break;
    default: for (int k = 0; k < 2; k++) { uint64_t v = rval(); memcpy(p + 8 * k, &v, 8); } break;
    }
}

/* ---- x87 (templates `x87 *`) ----------------------------------------------------
 *
 * Every sequence starts from a random x87 state in the FXRSTOR64 image (the
 * SIMD part is filled in by simd_init_seq) and its FXSAVE64 image at the
 * end is compared: FCW, FSW, the abridged tag word and the eight 80-bit
 * registers (MXCSR and the XMM registers are the SIMD part's). Not
 * compared:
 *  - FOP, FIP/FCS, FDP/FDS: recent Intel parts deprecate FCS/FDS and update
 *    FOP/FDP only on unmasked exceptions (CPUID.(7,0):EBX bits 6 and 13),
 *    and AMD's FXSAVE stores them only when FSW.ES is set (AMD APM vol. 5
 *    FXSAVE) — the model records them always (docs/x86.md);
 *  - the condition codes an instruction leaves undefined (SDM vol. 2, each
 *    instruction's "FPU Flags Affected"), tracked like the EFLAGS mask in
 *    undef_after bits 16..31 (FSW bit b at bit 16 + b).
 * Exceptions stay masked (FCW bits 0-5 set) so that native runs never take
 * #MF (SIGFPE). Not generated: the transcendentals (host libm in the model
 * against the silicon's microcode, documented in fpu_x87.c), FNSTENV /
 * FNSAVE (they store FIP/FDP) and FLDENV / FRSTOR (unit tests cover them). */
#define X87_CC_SHIFT 16
#define X87_C0 0x0100u
#define X87_C1 0x0200u
#define X87_C2 0x0400u
#define X87_C3 0x4000u
#define X87_CC (X87_C0 | X87_C1 | X87_C2 | X87_C3)

static void x87_put80(uint8_t *p, uint16_t se, uint64_t m)
{
    memcpy(p, &m, 8);
    memcpy(p + 8, &se, 2);
}

/* An interesting 80-bit value: small integers, halves, random normals,
 * signed zeros and infinities, NaNs, denormals, range boundaries, and
 * rarely the unsupported encodings (unnormals, pseudo-NaNs). */
static void x87_rand80(uint16_t *se, uint64_t *m)
{
    uint16_t s = chance(40) ? 0x8000 : 0;
    switch (rn(14)) {
    case 0: case 1: case 2: { /* an integer or half of 1..1000 */
        uint64_t v = 1 + rn(1000);
        int e = 63 - __builtin_clzll(v);
        *m = v << (63 - e);
        *se = (uint16_t)(s | (0x3fff + e - (chance(30) ? 1 : 0)));
        return;
    }
    case 3: case 4: case 5: /* a random normal of moderate size */
        *m = rnd() | 1ull << 63;
        *se = (uint16_t)(s | (0x3fff - 40 + rn(80)));
        return;
    case 6: *m = rnd() | 1ull << 63; *se = (uint16_t)(s | (1 + rn(0x7ffd))); return;
    case 7: *m = 0; *se = s; return;
    case 8: *m = 1ull << 63; *se = s | 0x7fff; return;
    case 9: *m = (chance(50) ? 3ull << 62 : 1ull << 63) | (rnd() >> 2 & -(uint64_t)chance(50));
        if (*m == 1ull << 63) *m |= 1;
        *se = s | 0x7fff; return; /* QNaN / SNaN */
    case 10: *m = rnd() >> rn(64); *se = s; if (!*m) *m = 1; return; /* denormal */
    case 11: /* near the integer ranges 2^15, 2^31, 2^63 */
        *m = (1ull << 63) | (chance(50) ? rnd() >> 40 : 0);
        *se = (uint16_t)(s | (0x3fff + (int[]){ 14, 15, 30, 31, 62, 63 }[rn(6)]));
        return;
    case 12: *m = rnd() | 1ull << 63; *se = (uint16_t)(s | (chance(50) ? 0x7ffe : 1)); return;
    default: /* unsupported: unnormal, pseudo-infinity/NaN, pseudo-denormal */
        *m = rnd() & ~(1ull << 63);
        *se = (uint16_t)(s | (chance(50) ? 0x7fff : chance(50) ? 0 : 1 + rn(0x7ffe)));
        if (!(*se & 0x7fff)) *m |= 1ull << 63;
        return;
    }
}

/* The x87 part of the initial image: random PC (24/53/64 bits), RC,
 * exception flags (ES and B clear: every exception is masked), condition
 * codes, TOP, tags and registers. */
static void x87_state_init(uint8_t *fx)
{
    static const unsigned pcs[3] = { 0, 2, 3 };
    uint16_t fcw = (uint16_t)(0x007f | pcs[rn(3)] << 8 | rn(4) << 10);
    uint16_t fsw = (uint16_t)((rnd() & (0x7f | X87_CC)) | rn(8) << 11);
    memcpy(fx + FX_FCW, &fcw, 2);
    memcpy(fx + FX_FSW, &fsw, 2);
    fx[FX_FTW] = (uint8_t)(rnd() | rnd()); /* about 3/4 valid */
    for (unsigned i = 0; i < 8; i++) {
        uint16_t se;
        uint64_t m;
        x87_rand80(&se, &m);
        x87_put80(fx + FX_ST + 16 * i, se, m);
    }
}

/* The value a memory operand of kind k (0 m32fp, 1 m64fp, 2 m16int,
 * 3 m32int, 4 m64int, 5 m80fp, 6 m80bcd) reads: written into the buffer. */
static void x87_mem_value(struct seq *s, uint64_t la, unsigned k)
{
    uint8_t *p = s->buf + (la - BUF_VA);
    uint16_t se;
    uint64_t m;
    switch (k) {
    case 0: case 1: { /* a float / double with the same variety */
        long double v;
        x87_rand80(&se, &m);
        if ((se & 0x7fff) == 0x7fff || !(m >> 63)) {
            uint32_t f = chance(50) ? 0x7f800000 | (uint32_t)rnd() : (uint32_t)rnd() & 0x807fffff;
            uint64_t d = chance(50) ? 0x7ff0000000000000ull | rnd() : rnd() & 0x800fffffffffffffull;
            if (k == 0) memcpy(p, &f, 4); else memcpy(p, &d, 8);
            return;
        }
        se = (uint16_t)((se & 0x8000) | (0x3fff - 20 + rn(40)));
        memset(&v, 0, sizeof v);
        memcpy(&v, &m, 8);
        memcpy((char *)&v + 8, &se, 2);
        if (k == 0) { float f = (float)v; memcpy(p, &f, 4); }
        else { double d = (double)v; memcpy(p, &d, 8); }
        return;
    }
    case 2: { uint16_t v = (uint16_t)(chance(50) ? rn(200) - 100 : rnd()); memcpy(p, &v, 2); return; }
    case 3: { uint32_t v = (uint32_t)(chance(50) ? rn(20000) - 10000 : rnd()); memcpy(p, &v, 4); return; }
    case 4: { uint64_t v = chance(50) ? rn(20000) - 10000 : rnd(); memcpy(p, &v, 8); return; }
    case 5: x87_rand80(&se, &m); x87_put80(p, se, m); return;
    default: /* packed BCD with valid digits (invalid ones are undefined, SDM FBLD) */
        for (unsigned i = 0; i < 9; i++)
            p[i] = (uint8_t)(rn(10) << 4 | rn(10));
        p[9] = chance(50) ? 0x80 : 0;
        return;
    }
}

/* Emits an x87 instruction op /digit with a buffer operand of kind k. */
static bool x87_emit_mem(struct gen *g, uint8_t op, int digit, unsigned k, bool value)
{
    static const unsigned size[7] = { 4, 8, 2, 4, 8, 10, 10 };
    struct ins in;
    ins_init(&in, 4);
    in.op = op;
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = digit;
    uint64_t la = data_la(size[k]);
    mem_at(g, &in.rm, la, -1, -1);
    if (!emit_ins(g, &in))
        return false;
    if (value)
        x87_mem_value(g->s, la, k);
    return true;
}

static void x87_emit_reg(struct gen *g, uint8_t op, uint8_t modrm)
{
    uint8_t b[2] = { op, modrm };
    emit_bytes(g, b, 2, g->cur);
}

/* After an x87 instruction: it writes the condition codes `wr`, of which
 * `und` are undefined. */
static void x87_cc(struct gen *g, unsigned wr, unsigned und)
{
    uint32_t u = g->undef >> X87_CC_SHIFT;
    u = (u & ~wr) | und;
    set_undef_after(g, 0, 0);
    g->undef = (g->undef & 0xffffu) | u << X87_CC_SHIFT;
    g->s->insn[g->s->ninsn - 1].undef_after = g->undef;
    g->flags_done = true;
}
/* the common case: C1 defined, C0 C2 C3 undefined */
#define X87_C1_ONLY(g) x87_cc(g, X87_CC, X87_C0 | X87_C2 | X87_C3)

/* FLDCW m16 of a random control word with every exception masked (PC 01
 * is reserved: not generated), after a MOV that puts it in the buffer */
static bool x87_fldcw(struct gen *g)
{
    struct ins in;
    ins_init(&in, 4);
    in.op = 0xd9;
    in.modrm = true;
    in.reg_is_ext = true;
    in.reg = 5;
    uint64_t la = data_la(2);
    mem_at(g, &in.rm, la, -1, -1);
    uint8_t b[16];
    if (!encode(&in, CODE_VA + g->s->len, b))
        return false;
    uint16_t cw = (uint16_t)(rnd() | 0x3f);
    if (((cw >> 8) & 3) == 1)
        cw ^= 0x100;
    /* set-up: mov word [la], cw (an earlier store may have hit la) */
    uint8_t mv[10] = { 0x66, 0xc7, 0x04, 0x25, (uint8_t)la, (uint8_t)(la >> 8),
                       (uint8_t)(la >> 16), (uint8_t)(la >> 24), (uint8_t)cw, (uint8_t)(cw >> 8) };
    emit_bytes(g, mv, 10, NULL);
    if (!emit_ins(g, &in))
        return false;
    x87_cc(g, X87_CC, X87_CC);
    return true;
}

/* t->a: 0 arithmetic, 1 loads, 2 stores, 3 compares, 4 FCOMI, 5 FCMOVcc,
 * 6 FXCH and the rest, 7 control word changes */
static bool g_x87(struct gen *g, const struct tmpl *t)
{
    unsigned i = rn(8);
    switch (t->a) {
    case 0: { /* FADD FMUL FSUB FSUBR FDIV FDIVR */
        static const unsigned ops[6] = { 0, 1, 4, 5, 6, 7 };
        unsigned op = ops[rn(6)];
        if (chance(50)) {
            static const uint8_t opc[3] = { 0xd8, 0xdc, 0xde };
            x87_emit_reg(g, opc[rn(3)], (uint8_t)(0xc0 | op << 3 | i));
        } else {
            unsigned k = rn(4); /* m32fp m64fp m16int m32int */
            static const uint8_t opc[4] = { 0xd8, 0xdc, 0xde, 0xda };
            if (!x87_emit_mem(g, opc[k], (int)op, k, true))
                return false;
        }
        X87_C1_ONLY(g);
        return true;
    }
    case 1: /* FLD m32/m64/m80/ST(i), FILD m16/m32/m64, constants, FBLD */
        switch (rn(9)) {
        case 0: if (!x87_emit_mem(g, 0xd9, 0, 0, true)) return false; break;
        case 1: if (!x87_emit_mem(g, 0xdd, 0, 1, true)) return false; break;
        case 2: if (!x87_emit_mem(g, 0xdb, 5, 5, true)) return false; break;
        case 3: x87_emit_reg(g, 0xd9, (uint8_t)(0xc0 | i)); break;
        case 4: if (!x87_emit_mem(g, 0xdf, 0, 2, true)) return false; break;
        case 5: if (!x87_emit_mem(g, 0xdb, 0, 3, true)) return false; break;
        case 6: if (!x87_emit_mem(g, 0xdf, 5, 4, true)) return false; break;
        case 7: x87_emit_reg(g, 0xd9, (uint8_t)(0xe8 + rn(7))); break;
        default: if (!x87_emit_mem(g, 0xdf, 4, 6, true)) return false; break;
        }
        X87_C1_ONLY(g);
        return true;
    case 2: /* FST/FSTP m32 m64 m80 ST(i), FIST/FISTP, FISTTP, FBSTP */
        switch (rn(12)) {
        case 0: if (!x87_emit_mem(g, 0xd9, 2 + (int)rn(2), 0, false)) return false; break;
        case 1: if (!x87_emit_mem(g, 0xdd, 2 + (int)rn(2), 1, false)) return false; break;
        case 2: if (!x87_emit_mem(g, 0xdb, 7, 5, false)) return false; break;
        case 3: x87_emit_reg(g, 0xdd, (uint8_t)(0xd0 | rn(2) << 3 | i)); break;
        case 4: if (!x87_emit_mem(g, 0xdf, 2 + (int)rn(2), 2, false)) return false; break;
        case 5: if (!x87_emit_mem(g, 0xdb, 2 + (int)rn(2), 3, false)) return false; break;
        case 6: if (!x87_emit_mem(g, 0xdf, 7, 4, false)) return false; break;
        case 7: if (!x87_emit_mem(g, 0xdf, 1, 2, false)) return false; break;
        case 8: if (!x87_emit_mem(g, 0xdb, 1, 3, false)) return false; break;
        case 9: if (!x87_emit_mem(g, 0xdd, 1, 4, false)) return false; break;
        case 10: if (!x87_emit_mem(g, 0xdf, 6, 6, false)) return false; break;
        default: x87_emit_reg(g, 0xdd, (uint8_t)(0xd8 | i)); break;
            /* not the D9 D8+i alias: AMD silicon executes it as FSTP
             * without the stack-underflow check (no IE/SF, nothing
             * written), the model as Intel's alias of FSTP */
        }
        X87_C1_ONLY(g);
        return true;
    case 3: /* FCOM FCOMP FCOMPP FUCOM FUCOMP FUCOMPP FICOM FICOMP FTST FXAM */
        switch (rn(8)) {
        case 0: x87_emit_reg(g, 0xd8, (uint8_t)(0xd0 | rn(2) << 3 | i)); break;
        case 1: x87_emit_reg(g, 0xdd, (uint8_t)(0xe0 | rn(2) << 3 | i)); break;
        case 2: if (rn(2)) x87_emit_reg(g, 0xde, 0xd9); else x87_emit_reg(g, 0xda, 0xe9); break;
        case 3: { unsigned k = rn(2); /* D8 m32fp, DC m64fp */
            if (!x87_emit_mem(g, k ? 0xdc : 0xd8, 2 + (int)rn(2), k, true)) return false;
            break; }
        case 4: { unsigned k = rn(2); /* DE m16int, DA m32int */
            if (!x87_emit_mem(g, k ? 0xda : 0xde, 2 + (int)rn(2), 2 + k, true)) return false;
            break; }
        case 5: x87_emit_reg(g, 0xd9, 0xe4); break;
        default: x87_emit_reg(g, 0xd9, 0xe5); break;
        }
        x87_cc(g, X87_CC, 0);
        return true;
    case 4: /* FCOMI FCOMIP FUCOMI FUCOMIP: ZF PF CF, OF SF AF cleared, C1 */
        x87_emit_reg(g, rn(2) ? 0xdb : 0xdf, (uint8_t)((rn(2) ? 0xf0 : 0xe8) | i));
        set_undef_after(g, OSZPC, 0);
        /* C1: Intel SDM FCOMI "set to 0"; AMD silicon leaves it (seen here) */
        x87_cc(g, X87_C1, X87_C1);
        return true;
    case 5: /* FCMOVcc */
        x87_emit_reg(g, rn(2) ? 0xda : 0xdb, (uint8_t)(0xc0 | rn(4) << 3 | i));
        x87_cc(g, 0, 0); /* C1 only on a stack underflow (0 on both sides) */
        return true;
    case 7: /* rounding / precision changes: FLDCW, then arithmetic under it */
        return x87_fldcw(g);
    default:
        switch (rn(18)) {
        case 0: case 1: case 2: x87_emit_reg(g, 0xd9, (uint8_t)(0xc8 | i)); X87_C1_ONLY(g); return true; /* FXCH */
        case 3: x87_emit_reg(g, 0xd9, 0xe0); X87_C1_ONLY(g); return true;  /* FCHS */
        case 4: x87_emit_reg(g, 0xd9, 0xe1); X87_C1_ONLY(g); return true;  /* FABS */
        case 5: x87_emit_reg(g, 0xd9, 0xfa); X87_C1_ONLY(g); return true;  /* FSQRT */
        case 6: x87_emit_reg(g, 0xd9, 0xfc); X87_C1_ONLY(g); return true;  /* FRNDINT */
        case 7: x87_emit_reg(g, 0xd9, 0xfd); X87_C1_ONLY(g); return true;  /* FSCALE */
        case 8: x87_emit_reg(g, 0xd9, 0xf4); X87_C1_ONLY(g); return true;  /* FXTRACT */
        case 9: x87_emit_reg(g, 0xd9, rn(2) ? 0xf8 : 0xf5); x87_cc(g, X87_CC, 0); return true; /* FPREM(1) */
        case 10: x87_emit_reg(g, 0xdd, (uint8_t)(0xc0 | i)); x87_cc(g, X87_CC, X87_CC); return true; /* FFREE */
        case 11: x87_emit_reg(g, 0xdf, (uint8_t)(0xc0 | i)); x87_cc(g, X87_CC, X87_CC); return true; /* FFREEP */
        case 12: x87_emit_reg(g, 0xd9, rn(2) ? 0xf6 : 0xf7); X87_C1_ONLY(g); return true; /* FDECSTP FINCSTP */
        case 13: x87_emit_reg(g, 0xd9, 0xd0); x87_cc(g, X87_CC, X87_CC); return true; /* FNOP */
        case 14: x87_emit_reg(g, 0xdb, 0xe2); x87_cc(g, X87_CC, X87_CC); return true; /* FNCLEX */
        case 15: x87_emit_reg(g, 0xdb, 0xe3); x87_cc(g, X87_CC, 0); return true; /* FNINIT */
        case 16: /* FNSTCW m16 */
            if (!x87_emit_mem(g, 0xd9, 7, 2, false)) return false;
            x87_cc(g, X87_CC, X87_CC);
            return true;
        default:
            if (rn(2)) { /* FWAIT */
                uint8_t b = 0x9b;
                emit_bytes(g, &b, 1, g->cur);
                x87_cc(g, X87_CC, X87_CC);
                return true;
            }
            /* FNSTSW m16 / AX: only while every condition code is defined */
            if (g->undef >> X87_CC_SHIFT)
                return false;
            if (rn(2)) x87_emit_reg(g, 0xdf, 0xe0);
            else if (!x87_emit_mem(g, 0xdd, 7, 2, false)) return false;
            x87_cc(g, X87_CC, X87_CC);
            return true;
        }
    }
}

/* The x87 part of two FXSAVE images differs (cc_undef: FSW bits not
 * compared). */
static bool x87_differs(const uint8_t *a, const uint8_t *b, unsigned cc_undef)
{
    if (fx_r16(a, FX_FCW) != fx_r16(b, FX_FCW) || ((fx_r16(a, FX_FSW) ^ fx_r16(b, FX_FSW)) & ~cc_undef) ||
        a[FX_FTW] != b[FX_FTW])
        return true;
    for (unsigned i = 0; i < 8; i++)
        if (memcmp(a + FX_ST + 16 * i, b + FX_ST + 16 * i, 10))
            return true;
    return false;
}

static void x87_print_image(const char *who, const uint8_t *p)
{
    uint16_t fsw = fx_r16(p, FX_FSW);
    printf("  x87 %-6s fcw %04x fsw %04x (top %u) ftw %02x\n", who, fx_r16(p, FX_FCW), fsw, fsw >> 11 & 7,
           p[FX_FTW]);
    for (unsigned i = 0; i < 8; i++) {
        uint16_t se;
        uint64_t m;
        memcpy(&m, p + FX_ST + 16 * i, 8);
        memcpy(&se, p + FX_ST + 8 + 16 * i, 2);
        printf("      st%u %04x:%016llx%s", i, se, (unsigned long long)m, i % 3 == 2 ? "\n" : "");
    }
    printf("\n");
}

static void x87_report(const struct seq *s, const uint8_t *n, const uint8_t *m, uint32_t undef)
{
    unsigned cc_undef = undef >> X87_CC_SHIFT;
    if (!x87_differs(n, m, cc_undef))
        return;
    printf("  x87 state differs (FSW bits not compared: %04x):\n", cc_undef);
    x87_print_image("start", s->simd.fx);
    x87_print_image("native", n);
    x87_print_image("hvsim", m);
}

/* ---- the FP/SIMD state of a run --------------------------------------------------- */

/* Random XMM registers and MXCSR (every exception masked; rounding, DAZ,
 * FTZ and the sticky flags random), in half of the sequences random MMX
 * values in the x87 significands (else x87 values), and FP values in part
 * of the buffer's data. */
static void simd_init_seq(struct seq *s)
{
    uint8_t *fx = s->simd.fx;
    for (int r = 0; r < 16; r++)
        simd_fill16(fx + FX_XMM + 16 * r);
    if (chance(50))
        for (int r = 0; r < 8; r++)
            fx_set_mm(fx, r, rval());
    uint32_t mxcsr = 0x1f80 | (uint32_t)rn(4) << 13 | (chance(20) ? 0x40u : 0) |
                     (chance(20) ? 0x8000u : 0) | (uint32_t)(rnd() & 0x3f);
    /* some exceptions unmasked: #XM against SIGFPE. Underflow stays
     * and overflow stay masked: see docs/x86.md (PE with OE/UE unmasked) */
    if (chance(25))
        mxcsr &= ~((uint32_t)(rnd() & 0x27) << 7);
    fx_set_mxcsr(fx, mxcsr);
    for (unsigned i = 0; i < DATA_END; i += 16)
        if (chance(50))
            simd_fill16(s->buf + i);
}

static void simd_native_in(const struct seq *s)
{
    memcpy((void *)(uintptr_t)SSTATE_IN, s->simd.fx, 512);
    memset((void *)(uintptr_t)SSTATE_OUT, 0, 512);
    *(uint64_t *)(uintptr_t)SSTATE_JMP = CODE_VA;
    *(uint32_t *)(uintptr_t)(SSTATE_JMP + 8) = 0x1f80;
    *(uint64_t *)(uintptr_t)SSTATE_FAULT = 0;
    nst->target = (uint64_t)(uintptr_t)dt_simd_pro;
    nst->back = (uint64_t)(uintptr_t)dt_simd_epi;
}
static void simd_native_out(struct result *res)
{
    memcpy(res->simd.fx, (void *)(uintptr_t)SSTATE_OUT, 512);
    res->simd.fault_rip = *(uint64_t *)(uintptr_t)SSTATE_FAULT;
    res->simd.frame_lo = res->simd.frame_hi = 0;
}

/* hvsim: FXRSTOR64 / FXSAVE64 ([SIM_FX_PA + off]) run by a snippet at CPL 0
 * outside the sequence (the fixture's identity-mapped low memory), so that
 * the model loads and stores the state as the native stubs do; false when
 * it faulted. */
#define SIM_FX_PA 0x700000ull /* snippet; images at +SSTATE_IN / +SSTATE_OUT offsets */
#define SIM_FX_IN  (SIM_FX_PA + 0x800)
#define SIM_FX_OUT (SIM_FX_PA + 0xa00)
static bool simd_sim_snippet(uint8_t digit, uint64_t pa)
{
    uint32_t a = (uint32_t)pa;
    uint8_t code[10] = { 0x48, 0x0f, 0xae, (uint8_t)(digit << 3 | 4), 0x25,
                         (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16), (uint8_t)(a >> 24), 0xf4 };
    uint64_t rip = fx->x->rip;
    enum cpu_state st = fx->c->state;
    x86f_code(fx, SIM_FX_PA, code, sizeof code);
    int r = x86f_run_to_hlt(fx, 10, NULL);
    fx->x->rip = rip;
    fx->c->state = st;
    return r == X86F_HALTED;
}

/* The simulated CPU: OSFXSR and OSXMMEXCPT set (as Linux runs the native
 * side), the state from the image (FXRSTOR64 gets MXCSR within the
 * model's MXCSR_MASK, which has every bit the generator sets, DAZ
 * included; MXCSR is then set as is). */
static bool simd_sim_in(const struct seq *s)
{
    struct x86_cpu *x = fx->x;
    x->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
    x->xcr0 = 3; /* x87 | SSE: what RFBM can name (templates `xsave`) */
    uint8_t img[512];
    memcpy(img, s->simd.fx, 512);
    fx_set_mxcsr(img, fx_mxcsr(img) & X86_MXCSR_MASK);
    x86f_write(fx, SIM_FX_IN, img, 512);
    bool ok = simd_sim_snippet(1, SIM_FX_IN);
    x->fpu.mxcsr = fx_mxcsr(s->simd.fx);
    return ok;
}
static bool simd_sim_out(struct result *res)
{
    struct x86_cpu *x = fx->x;
    memset(res->simd.fx, 0, 512);
    bool ok = simd_sim_snippet(0, SIM_FX_OUT);
    x86f_read(fx, SIM_FX_OUT, res->simd.fx, 512);
    res->simd.fault_rip = 0;
    res->simd.frame_lo = res->simd.frame_hi = 0;
    /* #XM: the state at the fault is in the exception frame on the test
     * stack (RIP, CS, RFLAGS, RSP, SS; no error code: SDM vol. 3A §6.14.1) */
    uint64_t sp = x->r[RSP];
    if (res->fault == 1000 + X86_EXC_XM && sp >= BUF_VA && sp + 40 <= BUF_VA + BUF_SIZE) {
        const uint8_t *fr = res->buf + (sp - BUF_VA);
        uint64_t rsp0;
        memcpy(&res->simd.fault_rip, fr, 8);
        memcpy(&res->flags, fr + 16, 8);
        memcpy(&rsp0, fr + 24, 8);
        res->r[RSP] = rsp0;
        res->simd.frame_lo = (uint32_t)(sp - BUF_VA);
        res->simd.frame_hi = (uint32_t)(rsp0 - BUF_VA);
        if (res->simd.frame_hi > BUF_SIZE || res->simd.frame_hi < res->simd.frame_lo)
            res->simd.frame_hi = res->simd.frame_lo;
    }
    return ok;
}

/* The flags undefined before the instruction at rip (a fault stops the
 * sequence there), from the sequence run last. */
static const struct seq *simd_seq;
static uint32_t simd_undef_before(uint64_t rip)
{
    for (unsigned k = 1; simd_seq && k < simd_seq->ninsn; k++)
        if (CODE_VA + simd_seq->insn[k].off == rip)
            return simd_seq->insn[k - 1].undef_after;
    return 0;
}

/* Both took a SIMD FP exception at the same instruction. */
static bool simd_fault_pair(const struct result *n, const struct result *m)
{
    return n->fault == SIGFPE && m->fault == 1000 + X86_EXC_XM && n->simd.fault_rip &&
           n->simd.fault_rip == m->simd.fault_rip;
}

/* The buffers, less the bytes of hvsim's #XM frame (natively the signal
 * frame is on the alternate stack). */
static bool simd_buf_differs(const struct result *n, const struct result *m)
{
    unsigned lo = m->simd.frame_lo, hi = m->simd.frame_hi;
    return memcmp(n->buf, m->buf, lo) != 0 || memcmp(n->buf + hi, m->buf + hi, BUF_SIZE - hi) != 0;
}

/* XMM registers, MXCSR and the x87 part (which includes MMX). */
static bool simd_differs(const struct result *n, const struct result *m, uint32_t undef)
{
    return memcmp(n->simd.fx + FX_XMM, m->simd.fx + FX_XMM, 256) ||
           fx_mxcsr(n->simd.fx) != fx_mxcsr(m->simd.fx) ||
           x87_differs(n->simd.fx, m->simd.fx, undef >> X87_CC_SHIFT);
}

static void simd_report(const struct seq *s, const struct result *n, const struct result *m, uint32_t undef)
{
    for (int r = 0; r < 16; r++)
        if (memcmp(fx_xmm(n->simd.fx, r), fx_xmm(m->simd.fx, r), 16)) {
            uint64_t a[2], b[2];
            memcpy(a, fx_xmm(n->simd.fx, r), 16);
            memcpy(b, fx_xmm(m->simd.fx, r), 16);
            printf("  xmm%-2d  %016llx%016llx   %016llx%016llx   <--\n", r, (unsigned long long)a[1],
                   (unsigned long long)a[0], (unsigned long long)b[1], (unsigned long long)b[0]);
        }
    for (int r = 0; r < 8; r++)
        if (fx_mm(n->simd.fx, r) != fx_mm(m->simd.fx, r))
            printf("  mm%d     %016llx   %016llx   <--\n", r, (unsigned long long)fx_mm(n->simd.fx, r),
                   (unsigned long long)fx_mm(m->simd.fx, r));
    uint32_t a = fx_mxcsr(n->simd.fx), b = fx_mxcsr(m->simd.fx);
    printf("  mxcsr   %08x           %08x%s\n", a, b, a != b ? "   <--" : "");
    x87_report(s, n->simd.fx, m->simd.fx, undef);
}


/* ---- LAR LSL VERR VERW: the host's GDT, mirrored ------------------------------------- */
/* The selectors a Linux process sees depend on the host kernel (here:
 * 0x2b user data and 0x33 64-bit user code, DPL 3; 0x23, the 32-bit user
 * code, absent when the kernel runs without IA-32 emulation; 0x7b, the
 * per-CPU CPUNODE segment whose limit is the CPU and node number). The
 * sequences run natively at CPL 3 and in hvsim at CPL 0 (the fixture),
 * so at start-up (desc_probe_host) the parent probes GDT slots 0..511 with
 * LAR/LSL at RPL 3 and hvsim gets a GDT (X86F_GDT, limit FFFh) whose slot
 * is a descriptor rebuilt from what LAR/LSL returned (access byte and
 * flags, the limit unscaled by G; base 0) where the host's is visible, and
 * zero where it is not (null, DPL < 3 or absent: ZF = 0 on both sides).
 * Slots 1 and 2 are the fixture's own CPL-0 code/data (visible at CPL 0,
 * not natively): never generated. A read-only data segment (CPUNODE) is
 * not given to LSL (its limit differs between host CPUs). An LDT selector
 * (TI = 1) fails on both sides: no LDT (modify_ldt'd entries were not
 * visible to LAR on the host this was written on, so the LDT is not used). */
#define DESC_SLOTS 512
static uint64_t host_desc[DESC_SLOTS];
static bool host_vis[DESC_SLOTS], host_lsl_ok[DESC_SLOTS];
static unsigned host_nvis;
/* LAR's bits 19:16 are undefined (SDM mask 00FxFF00H): hvsim returns the
 * descriptor's limit bits there, as the AMD EPYC this was written on does.
 * A host that returns something else (host_lar_x_bad) gets no LAR on a
 * visible descriptor whose limit bits 19:16 are nonzero. */
static bool host_lar_x_bad;

static void desc_probe_host(void)
{
    for (unsigned k = 0; k < DESC_SLOTS; k++) {
        uint32_t sel = k * 8 | 3, ar = 0, lim = 0;
        uint8_t za, zl;
        __asm__ volatile("larl %k2, %0\n\tsetz %1" : "+r"(ar), "=q"(za) : "r"(sel) : "cc");
        __asm__ volatile("lsll %k2, %0\n\tsetz %1" : "+r"(lim), "=q"(zl) : "r"(sel) : "cc");
        if (!za || k == 1 || k == 2)
            continue;
        uint32_t raw = (ar >> 23 & 1) ? lim >> 12 : lim; /* G */
        if (zl && (ar & 0xf0000u) != (raw & 0xf0000u))
            host_lar_x_bad = true;
        host_desc[k] = (raw & 0xffff) | (uint64_t)((ar & 0x00f0ff00u) | (raw & 0xf0000u)) << 32;
        host_vis[k] = true;
        host_nvis++;
        /* LSL where it succeeded, but not on a read-only data segment */
        host_lsl_ok[k] = zl && !(!(ar >> 11 & 1) && (ar >> 12 & 1) && !(ar >> 9 & 1));
    }
}

static uint16_t desc_pick_sel(bool for_lsl, bool for_lar)
{
    uint16_t rpl = (uint16_t)rn(4);
    for (;;) {
        unsigned kind = rn(8), k;
        switch (kind) {
        case 0: return rpl;                                           /* null */
        case 1: return (uint16_t)(rnd() | 4);                         /* TI = 1: no LDT */
        case 2: k = 3 + rn(DESC_SLOTS - 3); break;                    /* any slot */
        default:                                                      /* a visible one */
            if (!host_nvis)
                continue;
            do k = 3 + rn(DESC_SLOTS - 3); while (!host_vis[k] && !(rn(64) == 0));
            break;
        }
        if (for_lsl && host_vis[k] && !host_lsl_ok[k])
            continue;
        if (for_lar && host_lar_x_bad && (host_desc[k] >> 48 & 0xf))
            continue;
        return (uint16_t)(k * 8 | rpl);
    }
}

/* LAR r, r/m16 (0F 02), LSL r, r/m16 (0F 03) with 16/32/64-bit destinations;
 * VERR / VERW r/m16 (0F 00 /4 /5). The selector is put into the source
 * register (random upper bits: ignored) or into the buffer word read. */
static bool g_desc(struct gen *g, const struct tmpl *t)
{
    struct ins in;
    int op = t->a; /* 0 LAR, 1 LSL, 2 VERR, 3 VERW */
    ins_init(&in, pick_size_nb());
    in.map = 1;
    in.modrm = true;
    if (op < 2) {
        in.op = (uint8_t)(2 + op);
        in.reg = pick_dst(in.osz);
    } else {
        in.op = 0x00;
        in.reg = op == 2 ? 4 : 5;
        in.reg_is_ext = true;
    }
    uint16_t sel = desc_pick_sel(op == 1, op == 0);
    if (chance(30)) {
        uint64_t la = data_la(2);
        mem_at(g, &in.rm, la, in.reg_is_ext ? -1 : in.reg, -1);
        g->s->buf[la - BUF_VA] = (uint8_t)sel;
        g->s->buf[la - BUF_VA + 1] = (uint8_t)(sel >> 8);
    } else {
        int r;
        do r = pick_src(2); while (r == RSP || (!in.reg_is_ext && r == in.reg && chance(50)));
        in.rm.mem = false;
        in.rm.reg = r;
        emit_mov_imm(g, r, (rnd() & ~0xffffull) | sel);
    }
    return emit_ins(g, &in);
}

/* ---- XSAVE (templates `xsave`, `xgetbv`) ---------------------------------------------
 *
 * The simulated CPU has [cpu] xsave = on with XCR0 = 3 and CR4.OSXSAVE
 * (sim_init, simd_sim_in); the host's XCR0 has more (AVX...), so every
 * instruction mask is a subset of 3: RFBM = XCR0 & EDX:EAX is the same on
 * both sides.
 *  - `xsave`: RDI = a 64-byte aligned area in the data part of the buffer;
 *    its header's XSTATE_BV, XCOMP_BV and bytes 16-23 zeroed; XSAVE64 with
 *    EDX:EAX = RFBM (0..3): the legacy region and XSTATE_BV compared
 *    through the buffer. Then FOP, FIP, FDP and MXCSR_MASK in the area are
 *    overwritten with 0 (not compared: see the x87 part above; the AMD host
 *    this was written on reports MXCSR_MASK 2FFFFH, its misaligned-SSE bit
 *    17, the model 0000FFFFH), as are the FSW condition codes an earlier
 *    x87 instruction left undefined; the state is disturbed (FNINIT or PCMPEQD
 *    of an XMM register) and, often with XSTATE_BV bits cleared first (the
 *    component's initial configuration), XRSTOR64 with a subset of RFBM
 *    restores it. XSTATE_BV's requested bits are set to 1 in the area
 *    before anything reads it: they are XINUSE, which silicon may report
 *    as 1 for a state in its initial configuration (SDM vol. 1 §13.6),
 *    which the model reports as 0 (after an initializing XRSTOR, a random
 *    SSE operation that leaves every XMM register 0 does it), so only
 *    "the bits outside RFBM are not written" is compared there; the
 *    test kernel x86-xsave.elf checks the model's XSTATE_BV values.
 *  - `xgetbv`: ECX = 0, EAX AND 3, EDX = 0 (XOR). XGETBV with ECX = 1
 *    (XINUSE) is not generated: silicon's tracking is its own.
 * Not generated: XSAVEOPT (its modified optimization makes what it writes
 * depend on the silicon's tracking of the last XRSTOR; in the model it is
 * XSAVE), the 32-bit-layout XSAVE / XRSTOR (FCS / FDS, deprecated on
 * recent parts), faults (#GP of misalignment and reserved header bits:
 * the test kernel x86-xsave.elf covers them). */
static bool g_xsave(struct gen *g, const struct tmpl *t)
{
    if (!g->host_xsave)
        return false;
    if (t->a == 1) {
        static const uint8_t xor_ecx[] = { 0x31, 0xc9 }, xgetbv[] = { 0x0f, 0x01, 0xd0 },
                             and_eax[] = { 0x83, 0xe0, 0x03 }, xor_edx[] = { 0x31, 0xd2 };
        /* XOR and AND: OF CF 0, SF ZF PF from the result, AF undefined */
        emit_bytes(g, xor_ecx, 2, NULL);
        set_undef_after(g, FL_ARITH, FL_AF);
        emit_bytes(g, xgetbv, 3, g->cur);
        emit_bytes(g, and_eax, 3, NULL);
        set_undef_after(g, FL_ARITH, FL_AF);
        emit_bytes(g, xor_edx, 2, NULL);
        set_undef_after(g, FL_ARITH, FL_AF);
        g->flags_done = true;
        return true;
    }
    g->flags_done = true; /* only the AND below writes flags */
    unsigned off = 64 * rn((DATA_END - 576) / 64 + 1);
    unsigned rfbm = rn(4), rfbm2 = rfbm & (unsigned)rn(4);
    emit_mov_imm(g, RDI, BUF_VA + off);
    emit_mov_imm(g, RDX, 0);
    for (unsigned h = 0; h < 24; h += 8) { /* mov qword [rdi+512+h], 0 */
        const uint8_t zhdr[] = { 0x48, 0xc7, 0x87, (uint8_t)h, 0x02, 0x00, 0x00, 0, 0, 0, 0 };
        emit_bytes(g, zhdr, sizeof zhdr, NULL);
    }
    emit_mov_imm(g, RAX, rfbm);
    static const uint8_t xsave64[] = { 0x48, 0x0f, 0xae, 0x27 }; /* xsave64 [rdi] */
    emit_bytes(g, xsave64, sizeof xsave64, g->cur);
    static const uint8_t fop[] = { 0x66, 0xc7, 0x47, 0x06, 0, 0 };       /* mov word [rdi+6], 0: FOP */
    static const uint8_t fip[] = { 0x48, 0xc7, 0x47, 0x08, 0, 0, 0, 0 }; /* mov qword [rdi+8], 0: FIP */
    static const uint8_t fdp[] = { 0x48, 0xc7, 0x47, 0x10, 0, 0, 0, 0 }; /* mov qword [rdi+16], 0: FDP */
    static const uint8_t msk[] = { 0xc7, 0x47, 0x1c, 0, 0, 0, 0 };       /* mov dword [rdi+28], 0: MXCSR_MASK */
    emit_bytes(g, fop, sizeof fop, NULL);
    emit_bytes(g, fip, sizeof fip, NULL);
    emit_bytes(g, fdp, sizeof fdp, NULL);
    emit_bytes(g, msk, sizeof msk, NULL);
    if (rfbm) { /* XSTATE_BV[i] = XINUSE[i]: 1 for every requested one (see above) */
        const uint8_t orb[] = { 0x48, 0x83, 0x8f, 0x00, 0x02, 0x00, 0x00, (uint8_t)rfbm }; /* or qword [rdi+512], rfbm */
        emit_bytes(g, orb, sizeof orb, NULL);
        set_undef_after(g, FL_ARITH, FL_AF);
    }
    /* FSW condition codes an earlier x87 instruction left undefined (the
     * FXSAVE64 comparison masks them; here they are in the buffer) */
    unsigned cc = (g->undef >> X87_CC_SHIFT) & X87_CC;
    if (cc) {
        uint16_t m = (uint16_t)~cc;
        const uint8_t andw[] = { 0x66, 0x81, 0x67, 0x02, (uint8_t)m, (uint8_t)(m >> 8) }; /* and word [rdi+2], ~cc */
        emit_bytes(g, andw, sizeof andw, NULL);
        set_undef_after(g, FL_ARITH, FL_AF);
    }
    int k = (int)rn(16);
    uint8_t dist[5];
    if (chance(50)) {
        dist[0] = 0xdb; dist[1] = 0xe3; /* fninit */
        emit_bytes(g, dist, 2, NULL);
    } else {
        dist[0] = 0x66; dist[1] = (uint8_t)(0x40 | (k >= 8 ? 5 : 0)); dist[2] = 0x0f; dist[3] = 0x76;
        dist[4] = (uint8_t)(0xc0 | (k & 7) << 3 | (k & 7)); /* pcmpeqd xmmk, xmmk */
        emit_bytes(g, dist, 5, NULL);
    }
    unsigned keep = chance(60) ? 3 : rn(3); /* XSTATE_BV bits left */
    if (keep != 3) {
        uint8_t andb[] = { 0x48, 0x83, 0xa7, 0x00, 0x02, 0x00, 0x00, (uint8_t)keep }; /* and qword [rdi+512], keep */
        emit_bytes(g, andb, sizeof andb, NULL);
        set_undef_after(g, FL_ARITH, FL_AF);
    }
    emit_mov_imm(g, RAX, rfbm2);
    static const uint8_t xrstor64[] = { 0x48, 0x0f, 0xae, 0x2f }; /* xrstor64 [rdi] */
    emit_bytes(g, xrstor64, sizeof xrstor64, g->cur);
    return true;
}

#define T(name, fn, a, b, w, wr, und, rd, sdm) { name, fn, a, b, w, wr, und, rd, sdm }
#define SDM_ARITH "SDM vol. 1 App. A Table A-2; vol. 2 ADD/ADC/SUB/SBB/CMP"
#define SDM_LOGIC "SDM vol. 2 AND/OR/XOR/TEST: OF CF cleared, AF undefined"
/* ---- 0F38 integer and VEX (BMI1/BMI2) templates ----------------------------------- */

/* MOVBE (0F38 F0/F1, memory only), CRC32 (F2 0F38 F0/F1), ADCX (66 0F38
 * F6), ADOX (F3 0F38 F6). a: 0 MOVBE, 1 CRC32, 2 ADCX, 3 ADOX. */
static bool g_0f38(struct gen *g, const struct tmpl *t)
{
    if ((t->a == 0 && !g->host_movbe) || (t->a == 1 && !g->host_sse42) || (t->a >= 2 && !g->host_adx))
        return false;
    struct ins in;
    ins_init(&in, 4);
    in.map = 2;
    in.modrm = true;
    switch (t->a) {
    case 0: {
        int sz = pick_size_nb();
        in.osz = sz;
        in.op = chance(50) ? 0xf0 : 0xf1;
        in.reg = pick_dst(sz);
        pick_rm(g, &in, sz, in.op == 0xf1, 100);
        break;
    }
    case 1: {
        bool byte = chance(40);
        int ssz = byte ? 1 : pick_size_nb();
        in.pfx = 0xf2;
        in.op = byte ? 0xf0 : 0xf1;
        in.osz = byte ? (chance(50) ? 8 : 4) : ssz; /* F0 with REX.W: a 64-bit destination */
        if (!byte && ssz == 2) { in.osz = 2; }
        in.reg = pick_dst(4);
        pick_rm(g, &in, ssz, false, 40);
        break;
    }
    default:
        in.osz = chance(50) ? 8 : 4;
        in.pfx = t->a == 2 ? 0x66 : 0xf3;
        in.op = 0xf6;
        in.reg = pick_dst(in.osz);
        pick_rm(g, &in, in.osz, false, 40);
        break;
    }
    /* ADCX's 66 is mandatory: encode() emits 66 only for osz 2, so put it
     * in pfx; a 16-bit CRC32 source takes 66 before F2 */
    return emit_ins(g, &in);
}

/* A VEX-encoded BMI instruction (SDM vol. 2 §2.3.5, C4 form): map 2 (0F38)
 * or 3 (0F3A), pp, W, reg, vvvv, r/m (register, or memory [base] with the
 * base set up first), imm8 for RORX. */
static bool emit_vex(struct gen *g, unsigned map, unsigned pp, unsigned w, uint8_t op, int reg, int vvvv,
                     int rmreg, bool mem, unsigned msz, bool imm, uint8_t ib)
{
    uint8_t b[16];
    unsigned n = 0;
    int base = -1;
    if (mem) {
        static const int ok[] = { RAX, RCX, RDX, RBX, RSI, RDI, R8, R9, R10, R11, R14, R15 };
        do base = ok[rn(12)]; while (base == reg || base == vvvv);
        emit_mov_imm(g, base, data_la(msz));
    }
    int rmr = mem ? base : rmreg;
    b[n++] = 0xc4;
    b[n++] = (uint8_t)((!(reg & 8)) << 7 | 1 << 6 | (!(rmr & 8)) << 5 | map);
    b[n++] = (uint8_t)(w << 7 | ((~vvvv) & 15) << 3 | pp);
    b[n++] = op;
    b[n++] = (uint8_t)((mem ? 0 : 0xc0) | (reg & 7) << 3 | (rmr & 7));
    if (imm) b[n++] = ib;
    emit_bytes(g, b, n, g->cur);
    return true;
}

/* a: 0 ANDN, 1 BLSR, 2 BLSMSK, 3 BLSI, 4 BZHI, 5 PEXT, 6 PDEP, 7 MULX,
 * 8 BEXTR, 9 SHLX, 10 SARX, 11 SHRX, 12 RORX */
static bool g_bmi(struct gen *g, const struct tmpl *t)
{
    static const struct { uint8_t op, pp, bmi2; } f[13] = {
        { 0xf2, 0, 0 }, { 0xf3, 0, 0 }, { 0xf3, 0, 0 }, { 0xf3, 0, 0 }, { 0xf5, 0, 1 }, { 0xf5, 2, 1 },
        { 0xf5, 3, 1 }, { 0xf6, 3, 1 }, { 0xf7, 0, 0 }, { 0xf7, 1, 1 }, { 0xf7, 2, 1 }, { 0xf7, 3, 1 },
        { 0xf0, 3, 1 },
    };
    if (f[t->a].bmi2 ? !g->host_bmi2 : !g->host_bmi1)
        return false;
    unsigned w = chance(50);
    unsigned sz = w ? 8 : 4;
    int reg = pick_dst(8), vvvv = pick_dst(8), rm = pick_src(8);
    if (t->a >= 1 && t->a <= 3)
        reg = 1 + (t->a - 1); /* the group's /1 /2 /3; vvvv is the destination */
    if (t->a == 7 && reg == vvvv)
        vvvv = reg == RAX ? RCX : RAX;
    bool mem = chance(30);
    if (t->a == 4 || t->a == 8) /* a useful index / control in vvvv sometimes */
        if (chance(60)) emit_mov_imm(g, vvvv, t->a == 4 ? rn(80) : (rn(80) | rn(80) << 8));
    if (t->a >= 9 && t->a <= 11 && chance(50)) emit_mov_imm(g, vvvv, rn(130));
    if (t->a == 12)
        vvvv = 0; /* RORX: VEX.vvvv must be 1111b (SDM vol. 2 "RORX") */
    return emit_vex(g, t->a == 12 ? 3 : 2, f[t->a].pp, w, f[t->a].op, reg, vvvv, rm, mem, sz, t->a == 12,
                    (uint8_t)rnd());
}

/* ---- table mode (--gen tables): opcodes drawn from the decoder's own tables ------- */

/* Instead of hand-written templates, one instruction is drawn from the
 * decoder's opcode maps (src/cpu/x86/optab.c: one-byte, 0F, 0F38, 0F3A,
 * ModRM.reg groups, x87 escapes): a random map and opcode, a ModRM.reg
 * extension and a mandatory-prefix form that the row defines, register or
 * memory operands (memory into the test buffer, as the templates'
 * mem_at), random REX / REX.W / 66 (operand size where it is one) / 67
 * (with a memory operand) / ignored segment overrides (ES CS SS DS: no
 * effect in 64-bit mode, SDM vol. 1 §3.3.7.1) / F2 F3 on rows where they
 * do not select a form. The bytes are then decoded by x86_decode (the
 * decoder fixes the immediate length) and filtered by mnemonic:
 * tbl_skip lists what cannot run in user mode or natively without side
 * effects, or whose result is implementation-defined; tbl_flags gives the
 * SDM's undefined flags. */

/* Mnemonics (x86_mnemonic, or a variant key) never generated: control
 * flow, stack (RSP tracking is the templates' business), implicit
 * RSI/RDI/RBX memory (string ops, XLAT, MASKMOV), privileged / system /
 * I/O, segment registers and descriptors, host-specific values (CPUID,
 * RDTSC, RDRAND, SGDT...), #DE (DIV/IDIV: the templates pick divisors),
 * control/environment loads with random images (LDMXCSR, FLDCW, FLDENV,
 * FRSTOR, FXRSTOR, XRSTOR), stores of FIP/FDP (FNSTENV, FNSAVE, FXSAVE,
 * XSAVE), x87 transcendentals and RCP/RSQRT approximations (results are
 * implementation-defined: SDM vol. 1 §8.3.10, vol. 2 RCPPS "relative
 * error"), BCD (FBLD of invalid BCD is undefined), TSX/XTEST (absent on
 * AMD), CLZERO (RAX address). */
static const char *const tbl_skip[] = {
    "call", "lcall", "jmp", "ljmp", "ret", "retf", "iret", "int", "int1", "int3", "into",
    "loop", "loope", "loopne", "jrcxz", "jecxz", "jcxz", "syscall", "sysret", "sysenter",
    "sysexit", "hlt", "xbegin", "xabort", "xend", "xtest", "push", "pop", "pushf", "popf",
    "enter", "leave", "movs", "cmps", "stos", "lods", "scas", "ins", "outs", "xlatb",
    "maskmovq", "maskmovdqu", "in", "out", "cli", "sti", "clts", "invd", "wbinvd", "wrmsr",
    "rdmsr", "rdtsc", "rdtscp", "rdpmc", "rdpid", "getsec", "rsm", "cpuid", "invlpg",
    "sldt", "str", "lldt", "ltr", "verr", "verw", "lar", "lsl", "sgdt", "sidt", "lgdt",
    "lidt", "smsw", "lmsw", "swapgs", "monitor", "mwait", "monitorx", "mwaitx", "clzero",
    "vmread", "vmwrite", "vmptrld", "vmptrst", "vmclear", "vmxon", "invept", "invvpid",
    "invpcid", "xgetbv", "xsetbv", "xsave", "xrstor", "xsaveopt", "xsavec", "xsaves",
    "xrstors", "movsb", "cmpsb", "stosb", "lodsb", "scasb", "insb", "outsb", "fxsave", "fxrstor", "ldmxcsr", "rdfsbase", "rdgsbase", "wrfsbase",
    "wrgsbase", "rdrand", "rdseed", "ud0", "ud1", "ud2", "les", "lds", "lss", "lfs", "lgs",
    "div", "idiv", "fldcw", "fldenv", "frstor", "fnstenv", "fnsave", "fbld", "fbstp",
    "f2xm1", "fyl2x", "fptan", "fpatan", "fyl2xp1", "fsin", "fcos", "fsincos", "rcpps",
    "rcpss", "rsqrtps", "rsqrtss", "rdpkru", "wrpkru", "clac", "stac", "encls", "enclu",
    "fsetpm", "mov cr", "bound", "arpl",
    /* D9 D8+i, reserved in SDM App. A.4.2: AMD executes it as FSTP without
     * the empty-ST(0) check (no #IS, no indefinite stored; capstone's name
     * "fstpnce"), hvsim as FSTP (docs/x86.md, vendor differences) */
    "fstpnce", "salc",
};

/* Undefined arithmetic flags after an instruction (SDM vol. 2, each
 * instruction's "Flags Affected"). Shifts and rotates: the count is
 * random, so every flag that some count leaves undefined is masked. */
static const struct { const char *mn; uint32_t und; } tbl_flags[] = {
    { "and", FL_AF }, { "or", FL_AF }, { "xor", FL_AF }, { "test", FL_AF },
    { "shl", FL_OF | FL_AF | FL_CF }, { "sal", FL_OF | FL_AF | FL_CF },
    { "shr", FL_OF | FL_AF | FL_CF }, { "sar", FL_OF | FL_AF | FL_CF },
    { "rol", FL_OF }, { "ror", FL_OF }, { "rcl", FL_OF }, { "rcr", FL_OF },
    { "shld", FL_ARITH }, { "shrd", FL_ARITH },
    { "mul", FL_SF | FL_ZF | FL_AF | FL_PF }, { "imul", FL_SF | FL_ZF | FL_AF | FL_PF },
    { "bt", FL_OF | FL_SF | FL_AF | FL_PF }, { "bts", FL_OF | FL_SF | FL_AF | FL_PF },
    { "btr", FL_OF | FL_SF | FL_AF | FL_PF }, { "btc", FL_OF | FL_SF | FL_AF | FL_PF },
    { "bsf", FL_CF | FL_OF | FL_SF | FL_AF | FL_PF }, { "bsr", FL_CF | FL_OF | FL_SF | FL_AF | FL_PF },
    { "lzcnt", FL_OF | FL_SF | FL_AF | FL_PF }, { "tzcnt", FL_OF | FL_SF | FL_AF | FL_PF },
    /* compatibility mode only (I64) */
    { "daa", FL_OF }, { "das", FL_OF }, { "aaa", FL_OF | FL_SF | FL_ZF | FL_PF },
    { "aas", FL_OF | FL_SF | FL_ZF | FL_PF }, { "aam", FL_OF | FL_AF | FL_CF },
    { "aad", FL_OF | FL_AF | FL_CF },
};

/* x87 condition codes written (wr) and left undefined (und) per
 * mnemonic, as the x87 templates have them (SDM vol. 2, each instruction's
 * "FPU Flags Affected"); not listed: C1 defined, C0 C2 C3 undefined. */
static const struct { const char *mn; unsigned wr, und; } tbl_x87_cc[] = {
    { "fcom", X87_CC, 0 }, { "fcomp", X87_CC, 0 }, { "fcompp", X87_CC, 0 },
    { "fucom", X87_CC, 0 }, { "fucomp", X87_CC, 0 }, { "fucompp", X87_CC, 0 },
    { "ficom", X87_CC, 0 }, { "ficomp", X87_CC, 0 }, { "ftst", X87_CC, 0 },
    { "fxam", X87_CC, 0 }, { "fprem", X87_CC, 0 }, { "fprem1", X87_CC, 0 },
    { "fninit", X87_CC, 0 },
    /* C1: Intel "set to 0", AMD leaves it (docs/x86.md, vendor differences) */
    { "fcomi", X87_C1, X87_C1 }, { "fcomip", X87_C1, X87_C1 },
    { "fucomi", X87_C1, X87_C1 }, { "fucomip", X87_C1, X87_C1 },
    { "ffree", X87_CC, X87_CC }, { "ffreep", X87_CC, X87_CC }, { "fnclex", X87_CC, X87_CC },
    { "fcmovb", 0, 0 }, { "fcmove", 0, 0 }, { "fcmovbe", 0, 0 }, { "fcmovu", 0, 0 },
    { "fcmovnb", 0, 0 }, { "fcmovne", 0, 0 }, { "fcmovnbe", 0, 0 }, { "fcmovnu", 0, 0 },
    { "fnstsw", 0, 0 }, { "fnstcw", 0, 0 }, { "wait", 0, 0 },
};

static bool tbl_in(const char *const *list, unsigned n, const char *mn)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(list[i], mn))
            return true;
    return false;
}

/* The host lacks the feature of mnemonic mn (natively #UD). */
static bool tbl_host_lacks(const struct gen *g, const char *mn, unsigned map, uint8_t op)
{
    if (!strcmp(mn, "popcnt")) return !g->host_popcnt;
    if (!strcmp(mn, "lzcnt")) return !g->host_lzcnt;
    if (!strcmp(mn, "tzcnt")) return !g->host_tzcnt;
    if (!strcmp(mn, "movbe")) return !g->host_movbe;
    if (!strcmp(mn, "adcx") || !strcmp(mn, "adox")) return !g->host_adx;
    if (!strncmp(mn, "sha", 3)) return !g->host_sha;
    if (!strcmp(mn, "clwb")) return !g->host_clwb;
    if (!strcmp(mn, "clflushopt")) return !g->host_clflushopt;
    if (!strcmp(mn, "crc32") || !strncmp(mn, "aes", 3) || !strcmp(mn, "pclmulqdq") ||
        !strcmp(mn, "pcmpgtq") || (map == 3 && op >= 0x60 && op <= 0x63))
        return !g->host_sse42;
    if (map >= 2) return !g->host_sse4;
    return false;
}

/* Variant keys (x86_variants) of the skipped families. */
static bool tbl_skip_variant(const char *mn)
{
    static const char *const fam[] = { "movs", "cmps", "stos", "lods", "scas", "ins", "outs", "push",
                                       "pop", "iret", "xsave", "xrstor", "fx", "retf", "jcxz" };
    if (!strchr(mn, '/'))
        return false;
    for (unsigned i = 0; i < sizeof fam / sizeof fam[0]; i++)
        if (!strncmp(mn, fam[i], strlen(fam[i])))
            return true;
    return false;
}

static bool tbl_same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* A group whose ModRM.reg does not select: the same row eight times. */
static bool tbl_reg_group(const struct x86_group *gr)
{
    for (int k = 1; k < 8; k++)
        for (int f = 0; f < 4; f++)
            if (!tbl_same_str(gr->m[0].mn[f], gr->m[k].mn[f]))
                return false;
    return true;
}

/* One attempt; false: nothing emitted (g->s restored by the caller). */
static bool g_tables_once(struct gen *g)
{
    /* the opcode: 1-byte map half the time */
    unsigned map = chance(50) ? 0 : chance(60) ? 1 : 2 + rn(2);
    uint8_t op = (uint8_t)rnd();
    const struct x86_opdesc *tab = map == 0 ? x86_map1 : map == 1 ? x86_map0f : map == 2 ? x86_map0f38
                                                                                          : x86_map0f3a;
    struct x86_opdesc d = tab[op];
    if (map == 0 && op == 0x63) d = x86_movsxd;
    if (map == 1 && (op == 0x38 || op == 0x3a)) return false;      /* escapes */
    if (map == 0 && (op == 0x0f || (!compat && op >= 0x40 && op <= 0x4f) || op == 0x26 || op == 0x2e ||
                     op == 0x36 || op == 0x3e || (op >= 0x64 && op <= 0x67) || op == 0xf0 ||
                     op == 0xf2 || op == 0xf3))
        return false; /* prefixes, REX, the 0F escape */
    if ((d.f & X86F_I64) && !compat) return false;
    if ((d.f & X86F_O64) && compat) return false;
    unsigned immk = d.f & X86F_IMM_MASK;
    if (immk == X86F_IWB || immk == X86F_AP || (d.f & X86F_CR)) return false;
    bool has_modrm = (d.f & X86F_M) != 0, x87 = (d.f & X86F_X87) != 0;
    bool mem = false;
    int digit = (int)rn(8), rmreg = 0;
    do rmreg = (int)rn(compat ? 8 : 16); while (rmreg == RSP);
    if (has_modrm) {
        mem = chance(50);
        if (d.f & X86F_MO) mem = true;
        if (d.f & X86F_RO) mem = false;
    }
    /* the row for ModRM.reg / mod / rm */
    const char *mn = NULL;
    struct x86_opdesc row = d;
    if (d.f & X86F_GRP) {
        const struct x86_group *gr = &x86_groups[X86F_GRPIDX(d.f)];
        if (mem) row = gr->m[digit];
        else if (gr->rm) row = gr->rm[(digit << 3 | (rmreg & 7)) & 0x3f];
        else row = gr->regsame ? gr->m[digit] : gr->r[digit];
        if (row.f & X86F_MO) { if (!mem) return false; }
        if (row.f & X86F_RO) { if (mem) return false; }
        if (!(row.f & X86F_IMM_MASK)) row.f |= d.f & X86F_IMM_MASK;
    }
    /* the mandatory-prefix form */
    int form = 0;
    if (!x87) {
        int forms[4], nf = 0;
        for (int k = 0; k < 4; k++)
            if (row.mn[k]) forms[nf++] = k;
        if (!nf) return false;
        form = forms[rn((unsigned)nf)];
        mn = row.mn[form];
    } else {
        mn = mem ? x86_x87_mem[op - 0xd8][digit] : x86_x87_reg[op - 0xd8][digit << 3 | (rmreg & 7)];
        if (!mn) return false;
    }
    bool sse = (row.f & X86F_SSE) || map >= 2;
    /* the instruction */
    struct ins in;
    int osz = (row.f & X86F_SZ_MASK) == X86F_B ? 4 : (int[]){ 2, 4, 4, 8, 8 }[rn(compat ? 3 : 5)];
    if (form == 1) osz = 2;                                  /* 66 selects the form */
    else if (osz == 2 && (row.mn[1] || sse)) osz = 4;        /* 66 would select a form */
    ins_init(&in, osz);
    in.map = map;
    in.op = op;
    in.pfx = form == 2 ? 0xf3 : form == 3 ? 0xf2 : 0;
    if (!in.pfx && map == 0 && !row.mn[2] && !row.mn[3] && chance(10)) in.pfx = chance(50) ? 0xf3 : 0xf2;
    in.rex40 = !compat && chance(15);
    if (d.f & X86F_PR) {
        in.oreg = rmreg;
        in.op &= 0xf8;
    } else if (has_modrm) {
        in.modrm = true;
        in.reg_is_ext = (d.f & X86F_GRP) || x87;
        /* groups whose eight members are one instruction (0F38 F0/F1 MOVBE
         * CRC32, 0F 12/16/D6 ...): ModRM.reg is a register, never RSP */
        if ((d.f & X86F_GRP) && tbl_reg_group(&x86_groups[X86F_GRPIDX(d.f)]) && digit == RSP)
            return false;
        if (in.reg_is_ext) in.reg = digit;
        else do in.reg = (int)rn(compat ? 8 : 16); while (in.reg == RSP);
        if (mem) {
            int avoid = in.reg_is_ext ? -1 : in.reg;
            /* the 0F maps: 16-byte aligned (MOVAPS, CMPXCHG16B ...) */
            uint64_t la = map == 0 ? data_la(1u << rn(5)) : BUF_VA + (rn(DATA_END - 32) & ~15u);
            mem_at(g, &in.rm, la, avoid, -1);
            /* compatibility mode: no RIP-relative (mod 00 rm 101 is disp32),
             * no REX, no 67 (16-bit addressing); 32-bit address arithmetic */
            for (int k = 0; compat && k < 50 && (in.rm.base == -2 || in.rm.base >= 8 || in.rm.index >= 8 ||
                                                 in.rm.a32); k++)
                mem_at(g, &in.rm, la, avoid, -1);
            if (compat && (in.rm.base == -2 || in.rm.base >= 8 || in.rm.index >= 8 || in.rm.a32))
                return false;
            if (compat) {
                in.rm.base_val &= 0xffffffffu;
                in.rm.index_val &= 0xffffffffu;
            }
            /* a register bit offset addresses beyond the operand (BT family) */
            if (!strncmp(mn, "bt", 2) && !in.reg_is_ext) return false;
        } else {
            in.rm.reg = x87 ? rmreg & 7 : rmreg;
        }
    }
    if (in.lock == false && (row.f & X86F_LK) && mem && chance(30)) in.lock = true;
    /* the memory operand's set-up, then the bytes with an immediate pad */
    if (in.modrm && in.rm.mem) {
        if (in.rm.set_base) emit_mov_imm(g, in.rm.base, in.rm.base_val);
        if (in.rm.set_index) emit_mov_imm(g, in.rm.index, in.rm.index_val);
    }
    uint8_t pre[4];
    unsigned npre = 0;
    /* compatibility mode: no CS override (a write through CS is #GP, and
     * the tester generates no faulting forms; hvsim's segment type checks
     * are unit-tested: tests/unit/test_x86.c segment_types) */
    while (chance(10) && npre < 2) {
        uint8_t sp = (const uint8_t[]){ 0x26, 0x2e, 0x36, 0x3e }[rn(4)];
        if (!(compat && sp == 0x2e)) pre[npre++] = sp;
    }
    bool moffs = immk == X86F_MOFFS, a32 = moffs && !compat && chance(30);
    if (a32) pre[npre++] = 0x67;
    uint64_t at = CODE_VA + g->s->len;
    uint8_t b[40], body[32];
    unsigned n = encode(&in, at, body);
    if (!n) return false;
    uint8_t pad[8];
    uint64_t iv = rval();
    for (int k = 0; k < 8; k++) pad[k] = (uint8_t)(iv >> (8 * k));
    if (moffs) {
        uint64_t la = BUF_VA + (rn(DATA_END - 16));
        for (int k = 0; k < 8; k++) pad[k] = (uint8_t)(la >> (8 * k));
    }
    memcpy(b, pre, npre);
    memcpy(b + npre, body, n);
    memcpy(b + npre + n, pad, 8);
    struct x86_insn di;
    unsigned csz = compat ? 4 : 8;
    int len = x86_decode(b, npre + n + 8, csz, &di);
    if (len <= 0 || (unsigned)len < npre + n || (unsigned)len > npre + n + 8) return false;
    unsigned immlen = (unsigned)len - npre - n;
    if (in.modrm && in.rm.mem && in.rm.base == -2) { /* RIP-relative: relative to the true end */
        n = encode(&in, at + npre + immlen, body);
        memcpy(b + npre, body, n);
        if (x86_decode(b, npre + n + 8, csz, &di) != len) return false;
    }
    const char *dmn = x86_mnemonic(&di);
    /* filters: by the decoded mnemonic and by the row's */
    char base[32];
    snprintf(base, sizeof base, "%s", dmn);
    if (tbl_in(tbl_skip, sizeof tbl_skip / sizeof tbl_skip[0], base) ||
        tbl_in(tbl_skip, sizeof tbl_skip / sizeof tbl_skip[0], mn) ||
        base[0] == 'j' || tbl_skip_variant(mn) || (map == 1 && op <= 0x01) ||
        (map == 1 && op >= 0x20 && op <= 0x23) || (map == 0 && (op == 0x8c || op == 0x8e)) ||
        tbl_host_lacks(g, base, map, op)) {
        return false;
    }
    /* undefined results: BSWAP r16 (SDM vol. 2 BSWAP), SHLD/SHRD r16 with a
     * count above 16 (SDM vol. 2 SHLD) */
    if (di.opsize == 2 && (!strcmp(base, "bswap") || !strcmp(base, "shld") || !strcmp(base, "shrd"))) {
        return false;
    }
    /* AAM 0 is #DE (natively SIGFPE, which the child takes for #XM) */
    if (!strcmp(base, "aam") && !(di.imm & 0xff))
        return false;
    /* FNSTSW copies the condition codes: only when all are defined */
    if (!strcmp(base, "fnstsw") && (g->undef >> X87_CC_SHIFT))
        return false;
    emit_bytes(g, b, (unsigned)len, g->cur);
    /* flags: the templates' rule, per mnemonic */
    uint32_t und = 0;
    for (unsigned k = 0; k < sizeof tbl_flags / sizeof tbl_flags[0]; k++)
        if (!strcmp(tbl_flags[k].mn, base)) und = tbl_flags[k].und;
    set_undef_after(g, FL_ARITH, und);
    g->flags_done = true;
    if (x87) {
        unsigned k = 0, nk = sizeof tbl_x87_cc / sizeof tbl_x87_cc[0];
        while (k < nk && strcmp(tbl_x87_cc[k].mn, base)) k++;
        if (k < nk) x87_cc(g, tbl_x87_cc[k].wr, tbl_x87_cc[k].und);
        else X87_C1_ONLY(g);
    }
    return true;
}

static bool g_tables(struct gen *g, const struct tmpl *t)
{
    (void)t;
    for (int tries = 0; tries < 200; tries++) {
        unsigned len0 = g->s->len, n0 = g->s->ninsn;
        uint32_t undef0 = g->undef;
        if (g_tables_once(g))
            return true;
        g->s->len = len0;
        g->s->ninsn = n0;
        g->undef = undef0;
    }
    return false;
}

static const struct tmpl templates[] = {
    T("add rm,r", g_alu_rm, 0, 0, 3, OSZPC, 0, 0, SDM_ARITH),
    T("or rm,r", g_alu_rm, 1, 0, 2, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("adc rm,r", g_alu_rm, 2, 0, 3, OSZPC, 0, FL_CF, SDM_ARITH),
    T("sbb rm,r", g_alu_rm, 3, 0, 3, OSZPC, 0, FL_CF, SDM_ARITH),
    T("and rm,r", g_alu_rm, 4, 0, 2, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("sub rm,r", g_alu_rm, 5, 0, 3, OSZPC, 0, 0, SDM_ARITH),
    T("xor rm,r", g_alu_rm, 6, 0, 2, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("cmp rm,r", g_alu_rm, 7, 0, 2, OSZPC, 0, 0, SDM_ARITH),
    T("add r,rm", g_alu_rm, 0, 1, 2, OSZPC, 0, 0, SDM_ARITH),
    T("or r,rm", g_alu_rm, 1, 1, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("adc r,rm", g_alu_rm, 2, 1, 2, OSZPC, 0, FL_CF, SDM_ARITH),
    T("sbb r,rm", g_alu_rm, 3, 1, 2, OSZPC, 0, FL_CF, SDM_ARITH),
    T("and r,rm", g_alu_rm, 4, 1, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("sub r,rm", g_alu_rm, 5, 1, 2, OSZPC, 0, 0, SDM_ARITH),
    T("xor r,rm", g_alu_rm, 6, 1, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("cmp r,rm", g_alu_rm, 7, 1, 1, OSZPC, 0, 0, SDM_ARITH),
    T("add acc,imm", g_alu_acc, 0, 0, 1, OSZPC, 0, 0, SDM_ARITH),
    T("or acc,imm", g_alu_acc, 1, 0, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("adc acc,imm", g_alu_acc, 2, 0, 1, OSZPC, 0, FL_CF, SDM_ARITH),
    T("sbb acc,imm", g_alu_acc, 3, 0, 1, OSZPC, 0, FL_CF, SDM_ARITH),
    T("and acc,imm", g_alu_acc, 4, 0, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("sub acc,imm", g_alu_acc, 5, 0, 1, OSZPC, 0, 0, SDM_ARITH),
    T("xor acc,imm", g_alu_acc, 6, 0, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("cmp acc,imm", g_alu_acc, 7, 0, 1, OSZPC, 0, 0, SDM_ARITH),
    T("add rm,imm", g_grp1, 0, 0, 2, OSZPC, 0, 0, SDM_ARITH),
    T("or rm,imm", g_grp1, 1, 0, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("adc rm,imm", g_grp1, 2, 0, 2, OSZPC, 0, FL_CF, SDM_ARITH),
    T("sbb rm,imm", g_grp1, 3, 0, 2, OSZPC, 0, FL_CF, SDM_ARITH),
    T("and rm,imm", g_grp1, 4, 0, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("sub rm,imm", g_grp1, 5, 0, 2, OSZPC, 0, 0, SDM_ARITH),
    T("xor rm,imm", g_grp1, 6, 0, 1, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("cmp rm,imm", g_grp1, 7, 0, 2, OSZPC, 0, 0, SDM_ARITH),
    T("test", g_test, 0, 0, 2, OSZPC, FL_AF, 0, SDM_LOGIC),
    T("inc", g_unary, 0, 0xfe, 2, OSZPC & ~FL_CF, 0, 0, "SDM vol. 2 INC: CF unaffected"),
    T("dec", g_unary, 1, 0xfe, 2, OSZPC & ~FL_CF, 0, 0, "SDM vol. 2 DEC: CF unaffected"),
    T("not", g_unary, 2, 0xf6, 1, 0, 0, 0, "SDM vol. 2 NOT: no flags"),
    T("neg", g_unary, 3, 0xf6, 2, OSZPC, 0, 0, "SDM vol. 2 NEG: CF = source != 0"),
    T("mul", g_mul1, 4, 0, 2, OSZPC, FL_SF | FL_ZF | FL_AF | FL_PF, 0,
      "SDM vol. 2 MUL: SF ZF AF PF undefined"),
    T("imul rm", g_mul1, 5, 0, 2, OSZPC, FL_SF | FL_ZF | FL_AF | FL_PF, 0,
      "SDM vol. 2 IMUL: SF ZF AF PF undefined"),
    T("imul r,rm", g_imul, 2, 0, 2, OSZPC, FL_SF | FL_ZF | FL_AF | FL_PF, 0,
      "SDM vol. 2 IMUL: SF ZF AF PF undefined"),
    T("imul r,rm,imm", g_imul, 3, 0, 2, OSZPC, FL_SF | FL_ZF | FL_AF | FL_PF, 0,
      "SDM vol. 2 IMUL: SF ZF AF PF undefined"),
    T("div", g_div, 6, 0, 2, OSZPC, OSZPC, 0, "SDM vol. 2 DIV: CF OF SF ZF AF PF undefined"),
    T("idiv", g_div, 7, 0, 2, OSZPC, OSZPC, 0, "SDM vol. 2 IDIV: CF OF SF ZF AF PF undefined"),
    T("rol", g_shift, 0, 0, 1, 0, 0, 0, "SDM vol. 2 RCL/RCR/ROL/ROR Flags Affected"),
    T("ror", g_shift, 1, 0, 1, 0, 0, 0, "SDM vol. 2 RCL/RCR/ROL/ROR Flags Affected"),
    T("rcl", g_shift, 2, 0, 2, 0, 0, FL_CF, "SDM vol. 2 RCL/RCR/ROL/ROR Flags Affected"),
    T("rcr", g_shift, 3, 0, 2, 0, 0, FL_CF, "SDM vol. 2 RCL/RCR/ROL/ROR Flags Affected"),
    T("shl", g_shift, 4, 0, 2, 0, 0, 0, "SDM vol. 2 SAL/SAR/SHL/SHR Flags Affected"),
    T("shr", g_shift, 5, 0, 2, 0, 0, 0, "SDM vol. 2 SAL/SAR/SHL/SHR Flags Affected"),
    T("sal/6", g_shift, 6, 0, 1, 0, 0, 0, "SDM vol. 2 App. A Table A-6 (C0-D3 /6)"),
    T("sar", g_shift, 7, 0, 2, 0, 0, 0, "SDM vol. 2 SAL/SAR/SHL/SHR Flags Affected"),
    T("shld", g_shxd, 0, 0, 2, 0, 0, 0, "SDM vol. 2 SHLD Flags Affected"),
    T("shrd", g_shxd, 1, 0, 2, 0, 0, 0, "SDM vol. 2 SHRD Flags Affected"),
    T("bt r", g_bt, 0, 0, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BT: ZF unaffected, OF SF AF PF undefined"),
    T("bts r", g_bt, 1, 0, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BTS"),
    T("btr r", g_bt, 2, 0, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BTR"),
    T("btc r", g_bt, 3, 0, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BTC"),
    T("bt imm", g_bt, 0, 1, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BT"),
    T("bts imm", g_bt, 1, 1, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BTS"),
    T("btr imm", g_bt, 2, 1, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BTR"),
    T("btc imm", g_bt, 3, 1, 1, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BTC"),
    T("bsf", g_bitscan, 0, 0, 2, OSZPC, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BSF: ZF defined, CF OF SF AF PF undefined"),
    T("bsr", g_bitscan, 1, 0, 2, OSZPC, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 BSR: ZF defined, CF OF SF AF PF undefined"),
    T("tzcnt", g_bitscan, 2, 0, 2, OSZPC, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 TZCNT: ZF CF defined, OF SF PF AF undefined"),
    T("lzcnt", g_bitscan, 3, 0, 2, OSZPC, FL_OF | FL_SF | FL_AF | FL_PF, 0,
      "SDM vol. 2 LZCNT: ZF CF defined, OF SF PF AF undefined"),
    T("popcnt", g_bitscan, 4, 0, 2, OSZPC, 0, 0, "SDM vol. 2 POPCNT: OF SF AF CF PF cleared"),
    T("bswap", g_bswap, 0, 0, 1, 0, 0, 0, "SDM vol. 2 BSWAP: no flags (16-bit: undefined, not generated)"),
    T("cmovcc", g_cc, 0, 0, 3, 0, 0, 0, "SDM vol. 2 CMOVcc"),
    T("setcc", g_cc, 1, 0, 2, 0, 0, 0, "SDM vol. 2 SETcc"),
    T("xchg", g_xchg, 0, 0, 2, 0, 0, 0, "SDM vol. 2 XCHG: no flags"),
    T("xadd", g_xchg, 1, 0, 2, OSZPC, 0, 0, "SDM vol. 2 XADD: as ADD"),
    T("cmpxchg", g_xchg, 2, 0, 2, OSZPC, 0, 0, "SDM vol. 2 CMPXCHG: as CMP"),
    T("movzx", g_movx, 0, 0, 2, 0, 0, 0, "SDM vol. 2 MOVZX"),
    T("movsx", g_movx, 1, 0, 2, 0, 0, 0, "SDM vol. 2 MOVSX"),
    T("movsxd", g_movx, 2, 0, 1, 0, 0, 0, "SDM vol. 2 MOVSXD"),
    T("lar", g_desc, 0, 0, 1, FL_ZF, 0, 0, "SDM vol. 2 LAR: ZF only"),
    T("lsl", g_desc, 1, 0, 1, FL_ZF, 0, 0, "SDM vol. 2 LSL: ZF only"),
    T("verr", g_desc, 2, 0, 1, FL_ZF, 0, 0, "SDM vol. 2 VERR: ZF only"),
    T("verw", g_desc, 3, 0, 1, FL_ZF, 0, 0, "SDM vol. 2 VERW: ZF only"),
    T("lea", g_lea, 0, 0, 3, 0, 0, 0, "SDM vol. 2 LEA"),
    T("cbw/cwde/cdqe", g_simple, 0x98, 1, 1, 0, 0, 0, "SDM vol. 2 CBW/CWDE/CDQE"),
    T("cwd/cdq/cqo", g_simple, 0x99, 1, 1, 0, 0, 0, "SDM vol. 2 CWD/CDQ/CQO"),
    T("lahf", g_simple, 0x9f, 0, 1, 0, 0, FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF, "SDM vol. 2 LAHF"),
    T("sahf", g_simple, 0x9e, 0, 1, FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF, 0, 0, "SDM vol. 2 SAHF"),
    T("clc", g_simple, 0xf8, 0, 1, FL_CF, 0, 0, "SDM vol. 2 CLC"),
    T("stc", g_simple, 0xf9, 0, 1, FL_CF, 0, 0, "SDM vol. 2 STC"),
    T("cmc", g_simple, 0xf5, 0, 1, FL_CF, 0, FL_CF, "SDM vol. 2 CMC"),
    T("movs", g_string, 0xa4, 0, 2, 0, 0, 0, "SDM vol. 2 MOVS"),
    T("cmps", g_string, 0xa6, 0, 2, 0, 0, 0, "SDM vol. 2 CMPS: as CMP"),
    T("stos", g_string, 0xaa, 0, 2, 0, 0, 0, "SDM vol. 2 STOS"),
    T("lods", g_string, 0xac, 0, 2, 0, 0, 0, "SDM vol. 2 LODS"),
    T("scas", g_string, 0xae, 0, 2, 0, 0, 0, "SDM vol. 2 SCAS: as CMP"),
    T("push", g_stack, 0, 0, 2, 0, 0, 0, "SDM vol. 2 PUSH"),
    T("pop", g_stack, 1, 0, 2, 0, 0, 0, "SDM vol. 2 POP"),
    T("mov", g_mov, 0, 0, 2, 0, 0, 0, "SDM vol. 2 MOV"),
    T("add/adc chain", g_chain, 0, 0, 2, 0, 0, 0, SDM_ARITH),
    T("sub/sbb chain", g_chain, 1, 0, 2, 0, 0, 0, SDM_ARITH),
    T("movbe", g_0f38, 0, 0, 1, 0, 0, 0, "SDM vol. 2 MOVBE: no flags"),
    T("crc32", g_0f38, 1, 0, 1, 0, 0, 0, "SDM vol. 2 CRC32: no flags"),
    T("adcx", g_0f38, 2, 0, 1, FL_CF, 0, FL_CF, "SDM vol. 2 ADCX: CF only"),
    T("adox", g_0f38, 3, 0, 1, FL_OF, 0, FL_OF, "SDM vol. 2 ADOX: OF only"),
    T("andn", g_bmi, 0, 0, 1, OSZPC, FL_AF | FL_PF, 0, "SDM vol. 2 ANDN: AF PF undefined"),
    T("blsr", g_bmi, 1, 0, 1, OSZPC, FL_AF | FL_PF, 0, "SDM vol. 2 BLSR: AF PF undefined"),
    T("blsmsk", g_bmi, 2, 0, 1, OSZPC, FL_AF | FL_PF, 0, "SDM vol. 2 BLSMSK: AF PF undefined"),
    T("blsi", g_bmi, 3, 0, 1, OSZPC, FL_AF | FL_PF, 0, "SDM vol. 2 BLSI: AF PF undefined"),
    T("bzhi", g_bmi, 4, 0, 1, OSZPC, FL_AF | FL_PF, 0, "SDM vol. 2 BZHI: AF PF undefined"),
    T("pext", g_bmi, 5, 0, 1, 0, 0, 0, "SDM vol. 2 PEXT: no flags"),
    T("pdep", g_bmi, 6, 0, 1, 0, 0, 0, "SDM vol. 2 PDEP: no flags"),
    T("mulx", g_bmi, 7, 0, 1, 0, 0, 0, "SDM vol. 2 MULX: no flags"),
    T("bextr", g_bmi, 8, 0, 1, OSZPC, FL_AF | FL_SF | FL_PF, 0, "SDM vol. 2 BEXTR: AF SF PF undefined"),
    T("shlx", g_bmi, 9, 0, 1, 0, 0, 0, "SDM vol. 2 SHLX: no flags"),
    T("sarx", g_bmi, 10, 0, 1, 0, 0, 0, "SDM vol. 2 SARX: no flags"),
    T("shrx", g_bmi, 11, 0, 1, 0, 0, 0, "SDM vol. 2 SHRX: no flags"),
    T("rorx", g_bmi, 12, 0, 1, 0, 0, 0, "SDM vol. 2 RORX: no flags"),
    /* SIMD (MMX, SSE..SSE4.1): rows of sops[] */
    T("sse mov", g_simd, SC_MOV, 0, 8, 0, 0, 0, "SDM vol. 2 MOVAPS..MOVQ"),
    T("sse fp", g_simd, SC_FP, 0, 12, 0, 0, 0, "SDM vol. 2 (U)COMISS/SD set ZF PF CF, clear OF SF AF"),
    T("sse int", g_simd, SC_INT, 0, 10, 0, 0, 0, "SDM vol. 2 PADD..PXOR"),
    T("mmx", g_simd, SC_MMX, 0, 8, 0, 0, 0, "SDM vol. 2 MMX forms"),
    T("sse4", g_simd, SC_SSE4, 0, 10, 0, 0, 0, "SDM vol. 2 SSSE3/SSE4.1; PTEST sets ZF CF, clears the rest"),
    T("sse misc", g_simd_misc, 0, 0, 2, 0, 0, 0, "SDM vol. 2 MASKMOVDQU MOVNTI EMMS"),
    T("sse42 aes", g_simd, SC_SSE42, 0, 5, 0, 0, 0, "SDM vol. 2 §4.1.6 PCMPxSTRx flags; AESENC..; PCLMULQDQ"),
    /* x87 (D8-DF, FWAIT): exceptions masked, no transcendentals */
    T("x87 arith", g_x87, 0, 0, 4, 0, 0, 0, "SDM vol. 2 FADD..FDIVR: C1 round-up, C0 C2 C3 undefined"),
    T("x87 load", g_x87, 1, 0, 4, 0, 0, 0, "SDM vol. 2 FLD/FILD/FBLD/FLD1..: C1, C0 C2 C3 undefined"),
    T("x87 store", g_x87, 2, 0, 3, 0, 0, 0, "SDM vol. 2 FST/FIST/FISTTP/FBSTP: C1, C0 C2 C3 undefined"),
    T("x87 compare", g_x87, 3, 0, 2, 0, 0, 0, "SDM vol. 2 FCOM/FUCOM/FICOM/FTST/FXAM: C0-C3 defined"),
    T("x87 fcomi", g_x87, 4, 0, 1, 0, 0, 0, "SDM vol. 2 FCOMI/FUCOMI: ZF PF CF, OF SF AF 0"),
    T("x87 fcmov", g_x87, 5, 0, 1, 0, 0, FL_CF | FL_ZF | FL_PF, "SDM vol. 2 FCMOVcc"),
    T("x87 misc", g_x87, 6, 0, 3, 0, 0, 0, "SDM vol. 2 FXCH..FWAIT: per instruction"),
    T("x87 fldcw", g_x87, 7, 0, 1, 0, 0, 0, "SDM vol. 2 FLDCW: C0-C3 undefined"),
    /* XSAVE: x87 and SSE components only, REX.W forms (g_xsave) */
    T("xsave", g_xsave, 0, 0, 2, 0, 0, 0, "SDM vol. 1 §13.7, §13.8; vol. 2 XSAVE/XRSTOR"),
    T("xgetbv", g_xsave, 1, 0, 1, 0, 0, 0, "SDM vol. 2 XGETBV; AND/XOR: AF undefined"),
    /* --gen tables only (weight 0): opcodes from the decoder's tables */
    T("tables", g_tables, 0, 0, 0, 0, 0, FL_ARITH, "per mnemonic: tbl_flags (SDM vol. 2 Flags Affected)"),
};
#define NTEMPL (sizeof templates / sizeof templates[0])

/* ---- a sequence ------------------------------------------------------------------ */

static void gen_seq(struct gen *g, struct seq *s, uint64_t seed, const int *only, int nonly)
{
    rng_state = seed;
    memset(s, 0, sizeof *s);
    g->s = s;
    for (int r = 0; r < 16; r++)
        s->r[r] = rval();
    s->r[RSP] = BUF_VA + STACK0;
    g->rsp = s->r[RSP];
    s->flags = FL_FIXED1 | (rnd() & FL_ARITH);
    g->df = chance(30);
    if (g->df) s->flags |= FL_DF;
    g->undef = 0;
    /* buffer: random bytes, some runs of one value (REPE/REPNE find them) */
    for (unsigned i = 0; i < BUF_SIZE; i += 16) {
        unsigned kind = rn(4);
        uint8_t v = (uint8_t)rnd();
        for (unsigned k = 0; k < 16; k++)
            s->buf[i + k] = kind == 0 ? v : kind == 1 ? (uint8_t)(rn(3) ? 0 : 0xff) : (uint8_t)rnd();
    }
    x87_state_init(s->simd.fx);
    simd_init_seq(s);
    unsigned total = 0;
    for (unsigned i = 0; i < NTEMPL; i++)
        total += templates[i].weight;
    unsigned n = 1 + rn(10);
    for (unsigned k = 0; k < n; k++) {
        const struct tmpl *t;
        if (nonly) {
            t = &templates[only[rn((unsigned)nonly)]];
        } else {
            unsigned w = rn(total);
            unsigned i = 0;
            while (w >= templates[i].weight) w -= templates[i++].weight;
            t = &templates[i];
        }
        for (int tries = 0; tries < 20; tries++) {
            unsigned len0 = s->len, n0 = s->ninsn;
            uint32_t undef0 = g->undef;
            bool df0 = g->df;
            g->cur = t->name;
            g->flags_done = false;
            need_flags(g, t->fl_rd);
            if (t->gen(g, t)) {
                if (!g->flags_done) {
                    /* the template's instruction is the last one it emitted,
                     * or (bitscan) the one before a redefining MOV */
                    unsigned last = s->ninsn - 1;
                    while (last > n0 && s->insn[last].tmpl == NULL) last--;
                    uint32_t u = g->undef;
                    u = (u & ~t->fl_wr) | t->fl_und;
                    for (unsigned j = last; j < s->ninsn; j++) s->insn[j].undef_after = u;
                    g->undef = u;
                }
                break;
            }
            s->len = len0; /* undo a partial attempt */
            s->ninsn = n0;
            g->undef = undef0;
            g->df = df0;
        }
    }
}

/* ---- running it ----------------------------------------------------------------- */


static uint8_t *ncode, *nbuf;

/* Compatibility mode: bits 63:32 of RAX..RDI are undefined after it (SDM
 * vol. 1 §3.4.1.1): compared are bits 31:0. */
static void compat_mask(struct result *res)
{
    for (int r = 0; compat && r < 8; r++)
        res->r[r] &= 0xffffffffu;
}
static pid_t child = -1;
static int cmd_fd = -1, resp_fd = -1;

/* SIMD FP exceptions natively: a sequence that unmasks MXCSR exceptions
 * may take SIGFPE; the handler (on its own stack: RSP points into the
 * test buffer) saves the state at the fault as the epilogue would and
 * returns to child_loop. */
static sigjmp_buf simd_fpe_jb;
static void simd_fpe_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    const greg_t *gr = uc->uc_mcontext.gregs;
    static const int map[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI,
                                 REG_RDI, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13,
                                 REG_R14, REG_R15 };
    for (int r = 0; r < 16; r++)
        nst->out[r] = (uint64_t)gr[map[r]];
    nst->out_flags = (uint64_t)gr[REG_EFL];
    /* the kernel's FP context starts with the FXSAVE image (struct
     * _libc_fpstate is its layout) */
    _Static_assert(sizeof(struct _libc_fpstate) == 512, "FXSAVE image");
    memcpy((void *)(uintptr_t)SSTATE_OUT, uc->uc_mcontext.fpregs, 512);
    *(uint64_t *)(uintptr_t)SSTATE_FAULT = (uint64_t)gr[REG_RIP];
    (void)sig;
    (void)si;
    siglongjmp(simd_fpe_jb, 1);
}

static void simd_child_init(void)
{
    static uint8_t altstack[1 << 16];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = simd_fpe_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    if (sigaltstack(&ss, NULL) || sigaction(SIGFPE, &sa, NULL))
        _exit(3);
}

static void child_loop(int in, int out)
{
    simd_child_init();
    for (;;) {
        char c;
        if (read(in, &c, 1) != 1)
            _exit(0);
        unsigned a, b, cc, d;
        __cpuid(0, a, b, cc, d); /* serialize after the parent wrote the code */
        alarm(5);
        if (!sigsetjmp(simd_fpe_jb, 1))
            dt_native_run();
        else
            c = 'F'; /* SIGFPE: state saved by simd_fpe_handler */
        alarm(0);
        if (write(out, &c, 1) != 1)
            _exit(0);
    }
}

static void spawn_child(void)
{
    int p1[2], p2[2];
    if (pipe(p1) || pipe(p2)) { perror("pipe"); exit(2); }
    fflush(NULL);
    child = fork();
    if (child < 0) { perror("fork"); exit(2); }
    if (child == 0) {
        close(p1[1]);
        close(p2[0]);
        child_loop(p1[0], p2[1]);
    }
    close(p1[0]);
    close(p2[1]);
    cmd_fd = p1[1];
    resp_fd = p2[0];
}

static void *map_fixed(uint64_t va, size_t len, int prot)
{
    void *p = mmap((void *)va, len, prot, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || p != (void *)va) {
        fprintf(stderr, "difftest: cannot map %#llx: %s\n", (unsigned long long)va, strerror(errno));
        exit(2);
    }
    return p;
}

/* Compatibility mode natively: dt_simd_pro jumps to COMPAT_IN (64-bit
 * code): MOV DS/ES from COMPAT_SEL (Linux leaves DS = ES = 0 in 64-bit
 * processes; a null DS faults in compatibility mode), then JMP FAR m16:32
 * to 23h:CODE_VA. The sequence's 32-bit trailer is JMP FAR m16:32 to
 * 33h:COMPAT_OUT, which jumps on to [STATE_VA + 288] as the 64-bit
 * trailer does. Far jumps push nothing and leave the flags. */
#define COMPAT_IN   (CODE_VA + 0xe000)
#define COMPAT_OUT  (CODE_VA + 0xf000)
#define COMPAT_SEL  (STATE_VA + 0xd00) /* word 2Bh */
#define COMPAT_FP_IN  (STATE_VA + 0xd08) /* m16:32 23h:CODE_VA */
#define COMPAT_FP_OUT (STATE_VA + 0xd10) /* m16:32 33h:COMPAT_OUT */
static void put_abs32(uint8_t *p, uint64_t a) { uint32_t v = (uint32_t)a; memcpy(p, &v, 4); }
static void compat_native_init(void)
{
    uint8_t *in = ncode + (COMPAT_IN - CODE_VA), *out = ncode + (COMPAT_OUT - CODE_VA);
    static const uint8_t stub_in[21] = { 0x8e, 0x1c, 0x25, 0, 0, 0, 0, 0x8e, 0x04, 0x25, 0, 0, 0, 0,
                                         0xff, 0x2c, 0x25, 0, 0, 0, 0 };
    memcpy(in, stub_in, sizeof stub_in);
    put_abs32(in + 3, COMPAT_SEL);
    put_abs32(in + 10, COMPAT_SEL);
    put_abs32(in + 17, COMPAT_FP_IN);
    static const uint8_t stub_out[7] = { 0xff, 0x24, 0x25, 0, 0, 0, 0 };
    memcpy(out, stub_out, sizeof stub_out);
    put_abs32(out + 3, STATE_VA + 288);
    uint8_t *st = (uint8_t *)nst;
    uint16_t sel = 0x2b;
    memcpy(st + 0xd00, &sel, 2);
    put_abs32(st + 0xd08, CODE_VA);
    sel = 0x23;
    memcpy(st + 0xd0c, &sel, 2);
    put_abs32(st + 0xd10, COMPAT_OUT);
    sel = 0x33;
    memcpy(st + 0xd14, &sel, 2);
}

static void native_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    ncode = map_fixed(CODE_VA, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    nst = map_fixed(STATE_VA, 4096, PROT_READ | PROT_WRITE);
    if (compat)
        compat_native_init();
    nbuf = map_fixed(BUF_VA, BUF_SIZE, PROT_READ | PROT_WRITE);
    spawn_child();
}

/* The first `len` bytes of the sequence, natively. */
static void run_native(const struct seq *s, unsigned len, struct result *res)
{
    memcpy(ncode, s->code, len);
    /* trailer: jmp [STATE_VA + 288] */
    uint8_t tr[7] = { 0xff, 0x24, 0x25 };
    uint32_t a = (uint32_t)(STATE_VA + 288);
    memcpy(tr + 3, &a, 4);
    if (compat) { /* jmp far [COMPAT_FP_OUT] (32-bit code) */
        tr[1] = 0x2d;
        put_abs32(tr + 2, COMPAT_FP_OUT);
    }
    memcpy(ncode + len, tr, sizeof tr);
    memcpy(nst->in, s->r, sizeof s->r);
    nst->in_flags = s->flags;
    nst->target = CODE_VA;
    nst->back = (uint64_t)(uintptr_t)dt_native_back;
    memcpy(nbuf, s->buf, BUF_SIZE);
    memset(nst->out, 0, sizeof nst->out);
    simd_native_in(s);
    if (compat)
        *(uint64_t *)(uintptr_t)SSTATE_JMP = COMPAT_IN;
    res->fault = 0;
    char c = 'r';
    if (write(cmd_fd, &c, 1) == 1 && read(resp_fd, &c, 1) == 1) {
        if (c == 'F')
            res->fault = SIGFPE;
    } else {
        int st = 0;
        waitpid(child, &st, 0);
        res->fault = WIFSIGNALED(st) ? WTERMSIG(st) : 255;
        close(cmd_fd);
        close(resp_fd);
        spawn_child();
    }
    memcpy(res->r, nst->out, sizeof res->r);
    res->flags = nst->out_flags;
    memcpy(res->buf, nbuf, BUF_SIZE);
    simd_native_out(res);
    compat_mask(res);
}

static void sim_init(void)
{
    fx = x86f_new();
    x86_cpu_set_xsave(fx->c, true); /* templates `xsave`, `xgetbv` */
    x86f_map_2m(fx, CODE_VA & ~0x1fffffull, SIM_CODE_PA, X86F_PTE_P | X86F_PTE_RW | X86F_PTE_US);
    x86f_map_2m(fx, BUF_VA, SIM_BUF_PA, X86F_PTE_P | X86F_PTE_RW | X86F_PTE_US);
    for (unsigned k = 3; k < DESC_SLOTS; k++) /* the host's GDT (desc_probe_host) */
        x86f_w64(fx, X86F_GDT + 8 * k, host_desc[k]);
}

/* The engine run_sim uses: --engine fast (blocks, the default) unless
 * sim_interp; sim_chunks: a seed for budgets of 1..64 instructions per
 * run() (0: one run to the end), so that runs end inside blocks. */
static bool sim_interp;
static uint64_t sim_chunks;

static void run_sim(const struct seq *s, unsigned len, struct result *res)
{
    uint64_t code_pa = SIM_CODE_PA + (CODE_VA & 0x1fffff);
    fx->m->interp_only = sim_interp;
    x86f_reset_cpu(fx, CODE_VA);
    fx->x->gdt_limit = 8 * DESC_SLOTS - 1; /* the mirrored host GDT (desc_probe_host) */
    x86f_write(fx, code_pa, s->code, len);
    uint8_t hlt = 0xf4;
    x86f_write(fx, code_pa + len, &hlt, 1);
    x86f_write(fx, SIM_BUF_PA, s->buf, BUF_SIZE);
    memcpy(fx->x->r, s->r, sizeof s->r);
    x86f_set_flags(fx, s->flags);
    bool fx_ok = simd_sim_in(s);
    simd_seq = s;
    struct x86_segment cs64 = fx->x->seg[X86_CS];
    if (compat) { /* CS.L = 0, D = 1: 32-bit code in long mode (SDM vol. 3A §5.2.1) */
        fx->x->seg[X86_CS].attr = (uint16_t)((cs64.attr & ~SEG_L) | SEG_DB);
        fx->x->seg[X86_CS].sel = 0x23;
        x86_update_mode(fx->x);
    }
    uint64_t ran = 0, pre = 0;
    for (uint64_t z = sim_chunks; z && pre < 1000000 && fx->c->state == CPU_RUNNING;) {
        z = z * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t n = 1 + (z >> 58);
        pre += x86f_run(fx, n < 1000000 - pre ? n : 1000000 - pre);
        uint64_t h = res->chunks ^ pre ^ fx->x->rip * 31 ^ fx->x->rflags * 131;
        for (int i = 0; i < 16; i++)
            h = (h ^ fx->x->r[i]) * 0x100000001b3ull;
        res->chunks = h;
    }
    int r = x86f_run_to_hlt(fx, 1000000 - pre, &ran);
    ran += pre;
    res->fault = r == X86F_HALTED ? 0 : r >= 0 ? 1000 + r : 2000 - r;
    if (r == X86F_HALTED && fx->x->rip != CODE_VA + len + 1)
        res->fault = 3000; /* halted somewhere else */
    res->insns = ran ? ran - 1 : 0;
    memcpy(res->r, fx->x->r, sizeof res->r);
    res->flags = fx->x->rflags;
    x86f_read(fx, SIM_BUF_PA, res->buf, BUF_SIZE);
    if (compat) { /* back to 64-bit code for the FXSAVE64 snippet */
        fx->x->seg[X86_CS] = cs64;
        x86_update_mode(fx->x);
    }
    if (!simd_sim_out(res) || !fx_ok)
        res->fault = 4000;
    compat_mask(res);
}

/* Differences between native and sim under the undefined-flags mask. */
static bool differs(const struct result *n, const struct result *m, uint32_t undef)
{
    if ((n->fault || m->fault) && !simd_fault_pair(n, m))
        return true;
    if (n->fault)
        undef = simd_undef_before(n->simd.fault_rip);
    if (memcmp(n->r, m->r, sizeof n->r))
        return true;
    if ((n->flags ^ m->flags) & FLAGS_CMP & ~undef)
        return true;
    if (simd_differs(n, m, undef))
        return true;
    return simd_buf_differs(n, m);
}

static void print_fault(const char *who, int f)
{
    if (!f) return;
    if (f >= 4000) printf("  %s: the FXRSTOR64/FXSAVE64 snippet faulted\n", who);
    else if (f >= 3000) printf("  %s: halted at an unexpected address\n", who);
    else if (f >= 2000) printf("  %s: %s\n", who, f == 2002 ? "ran out of instructions" : "triple fault");
    else if (f >= 1000) printf("  %s: exception vector %d\n", who, f - 1000);
    else printf("  %s: signal %d (%s)\n", who, f, strsignal(f));
}

static void print_flags(uint64_t f)
{
    printf("%#06llx [%s%s%s%s%s%s%s]", (unsigned long long)(f & 0xfff), f & FL_OF ? " OF" : "",
           f & FL_DF ? " DF" : "", f & FL_SF ? " SF" : "", f & FL_ZF ? " ZF" : "",
           f & FL_AF ? " AF" : "", f & FL_PF ? " PF" : "", f & FL_CF ? " CF" : "");
}

static void print_seq(const struct seq *s, unsigned upto)
{
    for (unsigned i = 0; i < s->ninsn; i++) {
        unsigned off = s->insn[i].off, end = i + 1 < s->ninsn ? s->insn[i + 1].off : s->len;
        char dis[128], hex[64] = "";
        x86_disasm(s->code + off, end - off, CODE_VA + off, dis, sizeof dis);
        for (unsigned k = off; k < end; k++)
            snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%02x", s->code[k]);
        printf("  %c%3u  %-30s %-40s %s\n", i + 1 == upto ? '>' : ' ', i + 1, hex, dis,
               s->insn[i].tmpl ? s->insn[i].tmpl : "(set-up)");
    }
}

static void report(const struct seq *s, uint64_t seed, unsigned idx, const struct result *n,
                   const struct result *m, uint32_t undef)
{
    printf("MISMATCH in sequence %u (seed %#llx)\n", idx, (unsigned long long)seed);
    /* find the first instruction after which the two disagree */
    unsigned first = 0;
    for (unsigned k = 1; k <= s->ninsn; k++) {
        unsigned len = k < s->ninsn ? s->insn[k].off : s->len;
        struct result a, b;
        run_native(s, len, &a);
        run_sim(s, len, &b);
        if (differs(&a, &b, s->insn[k - 1].undef_after)) {
            first = k;
            break;
        }
    }
    printf("sequence (%u instructions; '>' marks the first one after which the states differ):\n",
           s->ninsn);
    print_seq(s, first);
    printf("initial: flags ");
    print_flags(s->flags);
    printf("\n");
    for (int r = 0; r < 16; r++)
        printf("  %-3s %016llx%s", regname[r], (unsigned long long)s->r[r], r % 4 == 3 ? "\n" : "");
    print_fault("native", n->fault);
    print_fault("hvsim", m->fault);
    printf("          %-18s %-18s\n", "native", "hvsim");
    for (int r = 0; r < 16; r++)
        printf("  %-3s     %016llx   %016llx%s\n", regname[r], (unsigned long long)n->r[r],
               (unsigned long long)m->r[r], n->r[r] != m->r[r] ? "   <--" : "");
    printf("  flags   ");
    print_flags(n->flags);
    printf("   ");
    print_flags(m->flags);
    printf("   undefined:");
    print_flags(undef);
    printf("%s\n", ((n->flags ^ m->flags) & FLAGS_CMP & ~undef) ? "   <--" : "");
    simd_report(s, n, m, undef);
    for (unsigned i = 0; i < BUF_SIZE; i++)
        if (n->buf[i] != m->buf[i] && (i < m->simd.frame_lo || i >= m->simd.frame_hi)) {
            printf("  buffer differs from +%#x (%#llx): native %02x hvsim %02x\n", i,
                   (unsigned long long)(BUF_VA + i), n->buf[i], m->buf[i]);
            break;
        }
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    unsigned count = 1000;
    bool keep_going = false, verbose = false, engines = false;
    unsigned engine_mismatches = 0;
    int only[NTEMPL], nonly = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc) count = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--keep-going")) keep_going = true;
        else if (!strcmp(argv[i], "--verbose")) verbose = true;
        else if (!strcmp(argv[i], "--engines")) engines = true;
        else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
            const char *m = argv[++i];
            compat = !strcmp(m, "compat");
            if (!compat && strcmp(m, "64")) {
                fprintf(stderr, "%s: --mode 64|compat\n", argv[0]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--gen") && i + 1 < argc) {
            const char *m = argv[++i];
            if (!strcmp(m, "tables")) {
                for (unsigned t = 0; t < NTEMPL; t++)
                    if (!strcmp(templates[t].name, "tables")) only[nonly++] = (int)t;
            } else if (strcmp(m, "templates")) {
                fprintf(stderr, "%s: --gen templates|tables\n", argv[0]);
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            const char *name = argv[++i];
            for (unsigned t = 0; t < NTEMPL; t++)
                if (!strcmp(templates[t].name, name)) only[nonly++] = (int)t;
        } else if (!strcmp(argv[i], "--list")) {
            for (unsigned t = 0; t < NTEMPL; t++)
                printf("%-16s weight %u  %s\n", templates[t].name, templates[t].weight, templates[t].sdm);
            return 0;
        } else {
            fprintf(stderr, "usage: %s [--seed S] [--count N] [--keep-going] [--verbose] [--engines] [--gen templates|tables] [--mode 64|compat] "
                            "[--only TEMPLATE]... [--list]\n", argv[0]);
            return 2;
        }
    }
    if (compat && (nonly != 1 || strcmp(templates[only[0]].name, "tables"))) {
        fprintf(stderr, "%s: --mode compat needs --gen tables\n", argv[0]);
        return 2;
    }
    if (compat) {
        /* the host kernel must give user space a 32-bit code segment at
         * 23h (Linux with IA-32 emulation): LAR at RPL 3, code, D = 1, L = 0 */
        uint64_t acc = 0, sel = 0x23;
        uint8_t zf = 0;
        __asm__ volatile("lar %2, %0; setz %1" : "=r"(acc), "=q"(zf) : "r"(sel));
        if (!zf || !(acc & 0x800) || !(acc & 0x400000) || (acc & 0x200000)) {
            printf("x86-difftest: --mode compat skipped: no 32-bit user code segment 23h on this host\n");
            return 0;
        }
    }
    struct gen g = { 0 };
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        g.host_popcnt = (c >> 23) & 1;
        g.host_movbe = (c >> 22) & 1;
        g.host_sse42 = (c >> 20) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        g.host_bmi1 = (b >> 3) & 1;
        g.host_bmi2 = (b >> 8) & 1;
        g.host_adx = (b >> 19) & 1;
        g.host_sha = (b >> 29) & 1;
        g.host_clwb = (b >> 24) & 1;
        g.host_clflushopt = (b >> 23) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) g.host_tzcnt = (b >> 3) & 1;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) g.host_lzcnt = (c >> 5) & 1;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c >> 26 & 1) && (c >> 27 & 1)) { /* XSAVE, OSXSAVE */
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        g.host_xsave = (lo & 3) == 3;
    }
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        g.host_sse4 = (c >> 9 & 1) && (c >> 19 & 1);
        g.host_sse42 = (c >> 20 & 1) && (c >> 25 & 1) && (c >> 1 & 1);
    }

    desc_probe_host();
    if (host_lar_x_bad)
        fprintf(stderr, "x86-difftest: note: this host's LAR does not return the limit bits 19:16 "
                        "(undefined in the SDM): LAR only on descriptors where they are 0\n");
    native_init();
    sim_init();
    {
        /* generate only what both the host and hvsim's CPU model enumerate
         * (the model has no SHA, for one: the decoder knows the opcodes,
         * the interpreter raises #UD) */
        uint32_t l1[4], l7[4], le[4];
        x86_cpuid(fx->x, 1, 0, l1);
        x86_cpuid(fx->x, 7, 0, l7);
        x86_cpuid(fx->x, 0x80000001u, 0, le);
        g.host_popcnt &= (l1[2] >> 23) & 1;
        g.host_movbe &= (l1[2] >> 22) & 1;
        g.host_sse4 &= (l1[2] >> 9 & 1) && (l1[2] >> 19 & 1);
        g.host_sse42 &= (l1[2] >> 20 & 1) && (l1[2] >> 25 & 1) && (l1[2] >> 1 & 1);
        g.host_bmi1 &= (l7[1] >> 3) & 1;
        g.host_tzcnt &= (l7[1] >> 3) & 1;
        g.host_bmi2 &= (l7[1] >> 8) & 1;
        g.host_adx &= (l7[1] >> 19) & 1;
        g.host_sha &= (l7[1] >> 29) & 1;
        g.host_clwb &= (l7[1] >> 24) & 1;
        g.host_clflushopt &= (l7[1] >> 23) & 1;
        g.host_lzcnt &= (le[2] >> 5) & 1;
    }
    static struct seq s;
    static struct result rn_, rs_;
    uint64_t insns = 0;
    unsigned mismatches = 0;
    unsigned per_tmpl[NTEMPL] = { 0 };
    for (unsigned i = 0; i < count; i++) {
        uint64_t sseed = seed * 0x100000001b3ull + i;
        gen_seq(&g, &s, sseed, only, nonly);
        run_native(&s, s.len, &rn_);
        run_sim(&s, s.len, &rs_);
        insns += rs_.insns;
        if (engines) {
            /* the reference interpreter (--engine interp), in short runs
             * that end inside blocks, must give the fast engine's state
             * exactly: registers, all flags, memory, FP/SIMD state, the
             * outcome and the instruction count (docs/architecture.md
             * "Engines") */
            static struct result ri_, rf_;
            memset(&ri_, 0, sizeof ri_);
            memset(&rf_, 0, sizeof rf_);
            sim_interp = true;
            sim_chunks = sseed | 1;
            run_sim(&s, s.len, &ri_);
            sim_interp = false;
            run_sim(&s, s.len, &rf_); /* the fast engine in the same short runs */
            sim_chunks = 0;
            if (memcmp(&ri_, &rf_, sizeof ri_) || ri_.insns != rs_.insns ||
                memcmp(ri_.r, rs_.r, sizeof ri_.r) || ri_.flags != rs_.flags) {
                engine_mismatches++;
                printf("ENGINE MISMATCH in sequence %u (seed %#llx): --engine interp and fast differ\n", i,
                       (unsigned long long)sseed);
                print_seq(&s, 0);
                print_fault("interp", ri_.fault);
                print_fault("fast", rf_.fault);
                printf("  insns interp %llu fast %llu (one run %llu)\n", (unsigned long long)ri_.insns,
                       (unsigned long long)rf_.insns, (unsigned long long)rs_.insns);
                for (int r = 0; r < 16; r++)
                    if (ri_.r[r] != rf_.r[r])
                        printf("  %-3s interp %016llx fast %016llx\n", regname[r],
                               (unsigned long long)ri_.r[r], (unsigned long long)rf_.r[r]);
                if (!keep_going)
                    break;
            }
        }
        uint32_t undef = s.ninsn ? s.insn[s.ninsn - 1].undef_after : 0;
        if (verbose) {
            printf("sequence %u:\n", i);
            print_seq(&s, 0);
        }
        if (differs(&rn_, &rs_, undef)) {
            mismatches++;
            report(&s, sseed, i, &rn_, &rs_, undef);
            /* which template: the one marked first */
            for (unsigned k = 1; k <= s.ninsn; k++) {
                unsigned len = k < s.ninsn ? s.insn[k].off : s.len;
                struct result x, y;
                run_native(&s, len, &x);
                run_sim(&s, len, &y);
                if (differs(&x, &y, s.insn[k - 1].undef_after)) {
                    const char *name = s.insn[k - 1].tmpl;
                    for (unsigned t = 0; name && t < NTEMPL; t++)
                        if (templates[t].name == name) per_tmpl[t]++;
                    break;
                }
            }
            if (!keep_going)
                break;
        }
    }
    printf("x86-difftest: seed %llu: %u sequences, %llu instructions, %u mismatches",
           (unsigned long long)seed, count, (unsigned long long)insns, mismatches);
    if (engines)
        printf(", %u between --engine interp and fast", engine_mismatches);
    printf("\n");
    mismatches += engine_mismatches;
    if (mismatches && keep_going) {
        for (unsigned t = 0; t < NTEMPL; t++)
            if (per_tmpl[t])
                printf("  %-16s %u\n", templates[t].name, per_tmpl[t]);
    }
    close(cmd_fd);
    waitpid(child, NULL, 0);
    x86f_free(fx);
    return mismatches ? 1 : 0;
}
