/* Compiled blocks of the x86 core: a small emitter of host x86-64 code for
 * the blocks of the predecoded cache (block.c; docs/x86.md "Performance"
 * item 4g, docs/architecture.md "Blocks and compiled code"). The RISC-V
 * core's jit.c has the same design.
 *
 * A compiled block is a function  uint64_t f(struct x86_cpu *x, uint64_t rip)
 * (x86_jit_fn in jit.h) that runs the block starting at linear address rip
 * and leaves x->rip at the next instruction. It takes its length off
 * x->insn_left when it starts; if the budget does not cover it, it returns
 * at once and the interpreter runs the part that fits. Eight guest
 * registers and the budget live in host registers from the entry from C
 * to the return to it, across chained blocks (pin[], LEFT); the others
 * stay in x->r[]. Code is position independent in the guest (rip values are
 * computed from the rip argument, held in r13), since one physical page
 * may be mapped at several linear addresses.
 *
 * Instructions: MOV, LEA, the ALU group, TEST, INC/DEC, NEG/NOT, MOVZX/
 * MOVSX/MOVSXD, CMOVcc, SETcc, PUSH/POP, CALL/RET/JMP/Jcc, NOPs, IMUL,
 * DIV of 32/64 bits and register shifts are emitted as host code (the
 * flags the host leaves undefined computed as exec.c does: shift_flags,
 * shift_cl_flags, imul_flags; ROL/ROR and 8/16-bit shifts by CL only where
 * their flags are dead). Every other instruction of a
 * block (the blocks of block.c hold only instructions with a fast handler)
 * is a call of its fast handler with x->rip, next_rip, insn_raw and the
 * budget exactly as the interpreter has them, so it behaves, faults and
 * takes its slow paths exactly there; a slow path (blk_exit) ends the run
 * after it.
 *
 * Memory: a load or store probes the TLB inline as exec.c mem_read /
 * mem_write do (the same tags, the same entries, no page crossing, a host
 * mapping, and for stores the dirty mark of the main RAM region); a miss
 * (MMIO, a code page, a fault to come, another RAM region) gives back the
 * budget from that instruction on and returns before it with x->rip at it,
 * and the interpreter runs it (X86_JIT_MISS). So virtual time, faults,
 * interrupts and self-modifying code behave as in the interpreter: the
 * code never runs past an instruction whose effects it does not own.
 *
 * Flags: the six arithmetic flags come from the host instruction of the
 * same operation and size where the SDM defines them all and the
 * interpreter computes the same values (ADD/ADC/SUB/SBB/CMP/NEG/INC/DEC;
 * AND/OR/XOR/TEST with AF cleared as exec.c does; shifts by 1). Inside a
 * block they stay in the host's EFLAGS or in r12 (PUSHFQ; POP r12), from
 * one chained block to the next in r12, and reach x->rflags only when the
 * code returns or calls a fast handler; flags that a later instruction of
 * the block overwrites before anything reads them, with no exit between,
 * are not kept at all (a backward liveness pass).
 *
 * Chaining: an exit to the same page is a jmp rel32 that first returns its
 * own address; x86_jit_link then points it at the target block's entry
 * (which checks the budget). Exits to other pages and RETs go through
 * dispatch_stub: run_blocks' lookup inline, checked at every jump, so
 * nothing across pages needs invalidating. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include "jit.h"
#include "block.h"
#include "../../sim/bus.h"
#include "../../sim/machine.h"

#if defined(__x86_64__)

#define MAX_INSN_BYTES 512u /* worst case of one instruction's code */
#define COLD_BYTES 128u     /* worst case of one instruction's miss path (emit_cold) */
_Static_assert(sizeof(struct x86_dinsn) == 32 && sizeof(struct x86_jit_block) == 16,
               "RET's lookup computes slot and block addresses with shifts");

/* host registers */
enum { A = 0, C = 1, D = 2, B = 3, BP = 5, SI = 6, DI = 7, H8 = 8, H9, H10, H11, H12, H13, H14, H15 };

/* Guest registers kept in host registers (from the entry from C to every
 * return to it, across chained blocks): pin[g] is the host register of
 * guest register g, or -1 (x->r[g] holds it). The others' home stays
 * x->r[]: the epilogue stores the pinned ones there, a call of a fast
 * handler stores them before and loads them after. The budget
 * (x->insn_left) is kept the same way in rbp (LEFT). */
enum { LEFT = BP };
static const int8_t pin[16] = {
    [RAX] = H8, [RCX] = H9, [RDX] = H10, [RBX] = SI, [RSP] = H15, [RBP] = DI, [RSI] = H11, [RDI] = H14,
    [R8] = -1, [R9] = -1, [R10] = -1, [R11] = -1, [R12] = -1, [R13] = -1, [R14] = -1, [R15] = -1,
};
enum { M_REG, M_DISP, M_BASE }; /* r/m: register; [rm + disp32]; [rm] */

struct flst {
    bool hf;  /* the host's EFLAGS hold the guest's six flags */
    bool rv;  /* r12 holds them (an image of the host's EFLAGS) */
    bool mv;  /* x->rflags holds them */
    bool afz; /* hf / rv: AF must read 0 (logic operations) */
};

struct misses {
    uint8_t *at[8];       /* the branches to the path */
    unsigned n;
    struct flst fl;       /* the flags as they were before the instruction */
    unsigned k;           /* the instruction: its index in the block, */
    uint32_t off;         /* its byte offset */
};

struct emit {
    uint8_t *p;
    uint32_t page_off;    /* the block's first rip & 0xfff */
    unsigned n;           /* instructions in the block */
    struct x86_cpu *x;
    struct flst fl;
    bool fail;            /* something could not be compiled: interpret the block */
    bool stats;           /* count (x86_jit.stats) */
    struct x86_jit *j;
    const struct x86_dpage *pg; /* the block's page */
    uint8_t *ret;         /* the block's return to C */
    struct misses *cold;  /* [X86_BLOCK_MAX] miss paths, emitted after the code */
    unsigned ncold;
    uint8_t *disp;        /* the block's jump to the code of the rip in rax (dispatch_stub) */
    bool hib;             /* an AH..BH operand of a pinned register: compile
                             that instruction as a call (compile) */
};

static void b1(struct emit *e, unsigned v) { *e->p++ = (uint8_t)v; }
static void b2(struct emit *e, unsigned v) { b1(e, v & 0xff); b1(e, (v >> 8) & 0xff); }
static void b4(struct emit *e, uint32_t v) { memcpy(e->p, &v, 4); e->p += 4; }
static void b8(struct emit *e, uint64_t v) { memcpy(e->p, &v, 8); e->p += 8; }
static void bytes(struct emit *e, const uint8_t *s, size_t n) { memcpy(e->p, s, n); e->p += n; }
#define EMIT(e, ...) do { static const uint8_t s_[] = { __VA_ARGS__ }; bytes(e, s_, sizeof s_); } while (0)

static bool fits32(int64_t v) { return v == (int64_t)(int32_t)v; }
#define OFF(f) ((int32_t)offsetof(struct x86_cpu, f))
static int32_t roff(unsigned r) { return OFF(r) + 8 * (int32_t)r; }
/* guest register r of size sz: AH..BH (4-7 without REX) are byte 1 of r - 4 */
static int32_t groff(unsigned rex, unsigned r, unsigned sz)
{
    return (sz == 1 && r >= 4 && r < 8 && !rex) ? roff(r - 4) + 1 : roff(r);
}

/* One instruction with a ModRM operand: [66] [REX] opcode (1-3 bytes,
 * most significant first) ModRM [SIB] [disp32]. Byte registers used are
 * al, cl, dl only (no REX needed for them). */
static void op_rmx(struct emit *e, bool p66, bool w, bool byte, uint32_t opc, unsigned nopc, unsigned reg,
                   int mode, unsigned rm, int32_t disp)
{
    if (p66)
        b1(e, 0x66);
    unsigned rex = (w ? 8u : 0) | (reg >= 8 ? 4u : 0) | (rm >= 8 ? 1u : 0);
    /* byte registers 4..7 are spl..dil only with a REX prefix (else ah..bh) */
    if (rex || (byte && ((reg >= 4 && reg < 8) || (mode == M_REG && rm >= 4 && rm < 8))))
        b1(e, 0x40 | rex);
    for (unsigned i = nopc; i-- > 0;)
        b1(e, (opc >> (8 * i)) & 0xff);
    reg &= 7;
    unsigned r = rm & 7;
    switch (mode) {
    case M_REG: b1(e, 0xc0 | reg << 3 | r); break;
    case M_DISP:
        b1(e, 0x80 | reg << 3 | r);
        if (r == 4)
            b1(e, 0x24);
        b4(e, (uint32_t)disp);
        break;
    default:
        if (r == 5) {
            b1(e, 0x40 | reg << 3 | r);
            b1(e, 0);
        } else {
            b1(e, reg << 3 | r);
            if (r == 4)
                b1(e, 0x24);
        }
        break;
    }
}

static void op_rm(struct emit *e, bool p66, bool w, uint32_t opc, unsigned nopc, unsigned reg, int mode,
                  unsigned rm, int32_t disp)
{
    op_rmx(e, p66, w, false, opc, nopc, reg, mode, rm, disp);
}

/* loads / stores of host register h: guest registers ([rbx + off]) and
 * memory through a host pointer in register p. Loads of 1 and 2 bytes
 * zero-extend; a 4-byte guest register store writes 8 bytes (h is
 * zero-extended: every 32-bit host operation leaves it so). */
static void ld_at(struct emit *e, unsigned sz, unsigned h, int mode, unsigned base, int32_t off)
{
    switch (sz) {
    case 1: op_rm(e, false, false, 0x0fb6, 2, h, mode, base, off); break;
    case 2: op_rm(e, false, false, 0x0fb7, 2, h, mode, base, off); break;
    case 4: op_rm(e, false, false, 0x8b, 1, h, mode, base, off); break;
    default: op_rm(e, false, true, 0x8b, 1, h, mode, base, off); break;
    }
}
static void ldr(struct emit *e, unsigned sz, unsigned h, int32_t off) { ld_at(e, sz, h, M_DISP, B, off); }
static void ldp(struct emit *e, unsigned sz, unsigned h, unsigned p) { ld_at(e, sz, h, M_BASE, p, 0); }
static void str_(struct emit *e, unsigned sz, unsigned h, int32_t off)
{
    switch (sz) {
    case 1: op_rm(e, false, false, 0x88, 1, h, M_DISP, B, off); break;
    case 2: op_rm(e, true, false, 0x89, 1, h, M_DISP, B, off); break;
    default: op_rm(e, false, true, 0x89, 1, h, M_DISP, B, off); break;
    }
}
static void stp(struct emit *e, unsigned sz, unsigned h, unsigned p)
{
    switch (sz) {
    case 1: op_rm(e, false, false, 0x88, 1, h, M_BASE, p, 0); break;
    case 2: op_rm(e, true, false, 0x89, 1, h, M_BASE, p, 0); break;
    case 4: op_rm(e, false, false, 0x89, 1, h, M_BASE, p, 0); break;
    default: op_rm(e, false, true, 0x89, 1, h, M_BASE, p, 0); break;
    }
}
/* guest register r of size sz (rex: the instruction has a REX prefix; 1-byte
 * registers 4..7 without it are AH..BH) into host register h, zero-extended
 * as ldr does; the host's flags are kept */
static void gget(struct emit *e, unsigned sz, unsigned h, unsigned rex, unsigned r)
{
    bool hi = sz == 1 && r >= 4 && r < 8 && !rex;
    int p = pin[hi ? r - 4 : r];
    if (p < 0) {
        ldr(e, sz, h, groff(rex, r, sz));
        return;
    }
    if (hi) {
        e->hib = true;
        return;
    }
    switch (sz) {
    case 1: op_rmx(e, false, false, true, 0x0fb6, 2, h, M_REG, (unsigned)p, 0); break; /* movzx h, p8 */
    case 2: op_rm(e, false, false, 0x0fb7, 2, h, M_REG, (unsigned)p, 0); break;        /* movzx h, p16 */
    case 4: op_rm(e, false, false, 0x8b, 1, h, M_REG, (unsigned)p, 0); break;          /* mov h32, p32 */
    default: op_rm(e, false, true, 0x8b, 1, h, M_REG, (unsigned)p, 0); break;          /* mov h, p */
    }
}
/* host register h into guest register r of size sz: as the instruction
 * writes it (1 and 2 bytes keep the rest, 4 zero-extends; h is zero-extended
 * for str_'s 8-byte store); the host's flags are kept */
static void gput(struct emit *e, unsigned sz, unsigned h, unsigned rex, unsigned r)
{
    bool hi = sz == 1 && r >= 4 && r < 8 && !rex;
    int p = pin[hi ? r - 4 : r];
    if (p < 0) {
        str_(e, sz, h, groff(rex, r, sz));
        return;
    }
    if (hi) {
        e->hib = true;
        return;
    }
    op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0x88 : 0x89, 1, h, M_REG, (unsigned)p, 0); /* mov p, h */
}
/* add / sub imm8 to the 64-bit guest register r (changes the host's flags) */
static void gaddi(struct emit *e, unsigned r, int8_t v)
{
    int p = pin[r];
    unsigned ext = v < 0 ? 5 : 0; /* sub : add */
    if (p < 0)
        op_rm(e, false, true, 0x83, 1, ext, M_DISP, B, roff(r));
    else
        op_rm(e, false, true, 0x83, 1, ext, M_REG, (unsigned)p, 0);
    b1(e, (unsigned)(v < 0 ? -v : v));
}
/* the host register that holds guest register r of size sz (as gget), or
 * -1: not pinned, or AH..BH */
static int hreg(unsigned sz, unsigned rex, unsigned r)
{
    if (sz == 1 && r >= 4 && r < 8 && !rex)
        return -1;
    return pin[r];
}
/* mov p, imm (p a pinned register; sz 4 or 8: p's upper half as the
 * guest's MOV leaves it) */
static void movi_h(struct emit *e, unsigned sz, unsigned p, uint64_t v)
{
    if (sz == 4 || v <= 0xffffffffu) {
        if (p >= 8)
            b1(e, 0x41);
        b1(e, 0xb8 + (p & 7));                          /* mov p32, imm32 */
        b4(e, (uint32_t)v);
    } else if (fits32((int64_t)v)) {
        op_rm(e, false, true, 0xc7, 1, 0, M_REG, p, 0); /* mov p, simm32 */
        b4(e, (uint32_t)v);
    } else {
        b1(e, 0x48 | (p >= 8 ? 1u : 0));
        b1(e, 0xb8 + (p & 7));                          /* mov p, imm64 */
        b8(e, v);
    }
}

/* all pinned guest registers and the budget to x->r[], x->insn_left /
 * from them (flags kept) */
static void spill_all(struct emit *e)
{
    op_rm(e, false, true, 0x89, 1, LEFT, M_DISP, B, OFF(insn_left));
    for (unsigned g = 0; g < 16; g++)
        if (pin[g] >= 0)
            op_rm(e, false, true, 0x89, 1, (unsigned)pin[g], M_DISP, B, roff(g));
}
static void fill_all(struct emit *e)
{
    op_rm(e, false, true, 0x8b, 1, LEFT, M_DISP, B, OFF(insn_left));
    for (unsigned g = 0; g < 16; g++)
        if (pin[g] >= 0)
            op_rm(e, false, true, 0x8b, 1, (unsigned)pin[g], M_DISP, B, roff(g));
}
/* mov r64, imm64 (r < 8) */
static void mov_imm64(struct emit *e, unsigned r, uint64_t v)
{
    if (v <= 0xffffffffu) {
        b1(e, 0xb8 + r); /* mov r32, imm32 zero-extends */
        b4(e, (uint32_t)v);
    } else {
        b1(e, 0x48);
        b1(e, 0xb8 + r);
        b8(e, v);
    }
}
static void imm_sz(struct emit *e, unsigned sz, uint64_t v)
{
    if (sz == 1)
        b1(e, (unsigned)v);
    else if (sz == 2)
        b2(e, (unsigned)v);
    else
        b4(e, (uint32_t)v);
}
static void patch_to_here(struct emit *e, uint8_t *rel)
{
    uint32_t v = (uint32_t)(e->p - (rel + 4));
    memcpy(rel, &v, 4);
}
static uint8_t *jcc32(struct emit *e, unsigned cc)
{
    b1(e, 0x0f);
    b1(e, 0x80 | cc);
    uint8_t *r = e->p;
    b4(e, 0);
    return r;
}
static uint8_t *jmp32(struct emit *e)
{
    b1(e, 0xe9);
    uint8_t *r = e->p;
    b4(e, 0);
    return r;
}
enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5 };

/* return to C: the block's return path (compile: the pinned registers
 * home, the host's registers restored) */
static void epilogue(struct emit *e)
{
    b1(e, 0xe9);
    b4(e, (uint32_t)(e->ret - (e->p + 4)));
}
static void ret_code(struct emit *e, unsigned v)
{
    if (v) {
        b1(e, 0xb8);
        b4(e, v);
    } else {
        EMIT(e, 0x31, 0xc0);
    }
    epilogue(e);
}
/* lea reg, [r13 + disp] */
static void lea_pc(struct emit *e, unsigned reg, int64_t disp)
{
    op_rm(e, false, true, 0x8d, 1, reg, M_DISP, H13, (int32_t)disp);
}

/* ---- flags ------------------------------------------------------------------ */

#define ARITH_MASK 0x8d5u
static void capture(struct emit *e) { EMIT(e, 0x9c, 0x41, 0x5c); } /* pushfq; pop r12 */
/* x->rflags = (x->rflags & ~ARITH) | (r12 & mask) (clobbers rax, rcx, flags) */
static void merge(struct emit *e, bool afz)
{
    ldr(e, 8, A, OFF(rflags));
    EMIT(e, 0x48, 0x25); b4(e, ~ARITH_MASK);          /* and rax, ~0x8d5 */
    EMIT(e, 0x44, 0x89, 0xe1);                        /* mov ecx, r12d */
    EMIT(e, 0x81, 0xe1); b4(e, afz ? ARITH_MASK & ~0x10u : ARITH_MASK);
    EMIT(e, 0x48, 0x09, 0xc8);                        /* or rax, rcx */
    str_(e, 8, A, OFF(rflags));
}
/* In an exit path: the flags of state s into x->rflags. */
static void flags_exit(struct emit *e, const struct flst *s)
{
    if (s->mv)
        return;
    if (s->rv) {
        merge(e, s->afz);
    } else if (s->hf) {
        capture(e);
        merge(e, s->afz);
    } else {
        e->fail = true; /* flags dead at an exit: the liveness pass is wrong */
    }
}
/* Before code that changes the host's flags: keep them in r12 if they are
 * still needed (live) and nowhere else. */
static void flags_safe(struct emit *e, bool live)
{
    if (e->fl.hf && !e->fl.rv && !e->fl.mv) {
        if (live)
            capture(e);
        e->fl = (struct flst){ .rv = live, .afz = e->fl.afz };
    } else {
        e->fl.hf = false;
    }
}
/* A host condition code true when guest condition cc holds (tttn, SDM vol.
 * 2 App. B.1.4.7): cc itself while the host's flags are the guest's, else
 * a test of r12 or x->rflags (clobbers eax, ecx). */
static unsigned cc_eval(struct emit *e, unsigned cc)
{
    if (e->fl.hf)
        return cc;
    if (e->fl.rv)
        EMIT(e, 0x44, 0x89, 0xe0);                    /* mov eax, r12d */
    else if (e->fl.mv)
        ldr(e, 4, A, OFF(rflags));
    else
        e->fail = true;
    static const uint32_t bit[6] = { 0x800, 0x1, 0x40, 0x41, 0x80, 0x4 };
    unsigned t = cc >> 1;
    if (t < 6) {
        b1(e, 0xa9); b4(e, bit[t]);                    /* test eax, bit */
    } else {
        EMIT(e, 0x89, 0xc1, 0xc1, 0xe9, 0x04, 0x31, 0xc1); /* mov ecx, eax; shr ecx, 4; xor ecx, eax */
        if (t == 6) {
            EMIT(e, 0xf7, 0xc1); b4(e, 0x80);          /* test ecx, 0x80: SF != OF */
        } else {
            EMIT(e, 0x81, 0xe1); b4(e, 0x80);          /* and ecx, 0x80 */
            b1(e, 0x25); b4(e, 0x40);                  /* and eax, 0x40 */
            EMIT(e, 0x09, 0xc1);                       /* or ecx, eax: ZF or SF != OF */
        }
    }
    return (cc & 1) ? CC_E : CC_NE;
}
/* host CF = guest CF (before ADC, SBB, INC, DEC) */
static void load_cf(struct emit *e)
{
    if (e->fl.hf)
        return;
    if (e->fl.rv)
        EMIT(e, 0x41, 0x0f, 0xba, 0xe4, 0x00);        /* bt r12d, 0 */
    else if (e->fl.mv)
        op_rm(e, false, false, 0x0fba, 2, 4, M_DISP, B, OFF(rflags)), b1(e, 0); /* bt dword [rflags], 0 */
    else
        e->fail = true;
}
/* after an instruction that wrote all six flags from the host: where they are */
static void produced(struct emit *e, bool live_after, bool afz)
{
    e->fl = (struct flst){ .hf = live_after, .afz = afz };
}

/* After a host SHL/SHR/SAR by a count of 2 or more (CF, SF, ZF and PF as
 * exec.c shift() has them; OF and AF undefined on the host): OF as shift()
 * sets it, 0 for SHR and SAR, MSB(result) xor CF = SF xor CF for SHL; AF
 * cleared. The flags end in r12 (clobbers eax, ecx). */
static void shift_flags(struct emit *e, bool right)
{
    capture(e);
    if (!right) {
        EMIT(e, 0x44, 0x89, 0xe0, 0x44, 0x89, 0xe1);  /* mov eax, r12d; mov ecx, r12d */
        EMIT(e, 0xc1, 0xe0, 0x04, 0xc1, 0xe1, 0x0b);  /* shl eax, 4 (SF); shl ecx, 11 (CF) */
        EMIT(e, 0x31, 0xc8, 0x25); b4(e, 0x800);     /* xor eax, ecx; and eax, OF */
    }
    EMIT(e, 0x41, 0x81, 0xe4); b4(e, ~0x810u);       /* and r12d, ~(OF | AF) */
    if (!right)
        EMIT(e, 0x41, 0x09, 0xc4);                   /* or r12d, eax */
    e->fl = (struct flst){ .rv = true };
}
/* After a host SHL/SHR/SAR of 32/64 bits by ecx (1..mask): the flags of
 * exec.c shift() in r12 — the host's CF SF ZF PF; OF: SHL SF xor CF,
 * SHR the host's for a count of 1 (the operand's MSB) else 0, SAR 0; AF
 * cleared. Clobbers eax (and ecx for SHL). */
static void shift_cl_flags(struct emit *e, unsigned aop)
{
    if (aop == 5) {
        capture(e);
        EMIT(e, 0x83, 0xf9, 0x01, 0x74, 0x07);         /* cmp ecx, 1; je +7 */
        EMIT(e, 0x41, 0x81, 0xe4); b4(e, ~0x800u);     /* and r12d, ~OF */
        EMIT(e, 0x41, 0x83, 0xe4, 0xef);               /* and r12d, ~AF */
        e->fl = (struct flst){ .rv = true };
    } else {
        shift_flags(e, aop == 7);
    }
}
/* After a host IMUL of size sz (4, 8) whose result is in host register h:
 * the flags of exec.c imul2 — CF = OF = the host's (the product did not
 * fit), SF ZF PF of the result, AF 0 — in r12 (clobbers edx). */
static void imul_flags(struct emit *e, unsigned sz, unsigned h)
{
    EMIT(e, 0x0f, 0x92, 0xc2);                        /* setc dl */
    op_rm(e, false, sz == 8, 0x85, 1, h, M_REG, h, 0); /* test h, h */
    capture(e);
    EMIT(e, 0x0f, 0xb6, 0xd2, 0x69, 0xd2); b4(e, 0x801); /* movzx edx, dl; imul edx, edx, OF | CF */
    EMIT(e, 0x41, 0x81, 0xe4); b4(e, ~0x10u);        /* and r12d, ~AF */
    EMIT(e, 0x41, 0x09, 0xd4);                       /* or r12d, edx */
    e->fl = (struct flst){ .rv = true };
}

/* With HVSIM_X86_JIT_STATS: x86_jit.run += v (clobbers rax, flags) */
static void stat_add(struct emit *e, uint64_t *ctr, int32_t v)
{
    if (!e->stats || !v)
        return;
    mov_imm64(e, A, (uint64_t)(uintptr_t)ctr);
    EMIT(e, 0x48, 0x81, 0x00); b4(e, (uint32_t)v);  /* add qword [rax], v */
}

/* ---- exits ------------------------------------------------------------------- */

/* Leave for rip r13 + rel (a byte offset from the block's first
 * instruction) with flags state s. Inside the page: a jmp rel32 that
 * x86_jit_link points at the target's code; until then it returns the
 * address of its rel32 field. */
/* In an exit path to another block: the flags of state s into r12, where
 * every block entry finds them (with AF as the guest has it). */
static void flags_r12(struct emit *e, const struct flst *s)
{
    if (s->rv || s->hf) {
        if (!s->rv)
            capture(e);
        if (s->afz)
            EMIT(e, 0x41, 0x83, 0xe4, 0xef);            /* and r12d, ~0x10 */
    } else if (s->mv) {
        op_rm(e, false, true, 0x8b, 1, H12, M_DISP, B, OFF(rflags)); /* mov r12, [rflags] */
    } else {
        e->fail = true;
    }
}

static void exit_far(struct emit *e, const struct flst *s);
static void exit_to(struct emit *e, const struct flst *s, int64_t rel)
{
    int64_t in_page = (int64_t)e->page_off + rel;
    if (!fits32(rel)) {
        e->fail = true;
        return;
    }
    if (in_page < 0 || in_page >= 4096) {
        lea_pc(e, A, rel);
        exit_far(e, s);
        return;
    }
    /* chained: the flags stay in r12; written back if it returns */
    flags_r12(e, s);
    if (rel)
        lea_pc(e, H13, rel); /* (a loop to the block's start keeps it) */
    uint8_t *site = jmp32(e);
    merge(e, false);
    op_rm(e, false, true, 0x89, 1, H13, M_DISP, B, OFF(rip)); /* mov [rip], r13 */
    EMIT(e, 0x48, 0x8d, 0x05);                              /* lea rax, [rip + site - next] */
    b4(e, (uint32_t)(site - (e->p + 4)));
    epilogue(e);
}
/* Go on at the rip in rax (canonical, or matching no fetch tag): to its
 * block's code through dispatch_stub, else back to C. */
static void exit_far(struct emit *e, const struct flst *s)
{
    flags_r12(e, s);
    b1(e, 0xe9);
    b4(e, (uint32_t)(e->disp - (e->p + 4)));
}
/* Leave for the rip in rax (clobbered by flags_exit after the store). */
static void exit_rax(struct emit *e, const struct flst *s)
{
    str_(e, 8, A, OFF(rip));
    flags_exit(e, s);
    ret_code(e, X86_JIT_DONE);
}

/* Exit paths of one instruction (k-th, at byte offset off) that return
 * before it for the interpreter: the branches to them are collected and
 * the paths are emitted after the block's code (emit_cold), out of the
 * way of the code that runs. */
static void miss_jcc(struct emit *e, struct misses *m, unsigned cc)
{
    if (m->n < 8)
        m->at[m->n++] = jcc32(e, cc);
    else
        e->fail = true;
}
static void miss_paths(struct emit *e, struct misses *m, unsigned k, uint32_t off)
{
    if (!m->n)
        return;
    if (e->ncold >= X86_BLOCK_MAX) {
        e->fail = true;
        return;
    }
    m->k = k;
    m->off = off;
    e->cold[e->ncold++] = *m;
    m->n = 0;
}
static void emit_cold(struct emit *e)
{
    for (unsigned c = 0; c < e->ncold; c++) {
        struct misses *m = &e->cold[c];
        for (unsigned i = 0; i < m->n; i++)
            patch_to_here(e, m->at[i]);
        flags_exit(e, &m->fl);
        op_rm(e, false, true, 0x81, 1, 0, M_REG, LEFT, 0); /* add left, n - k */
        b4(e, e->n - m->k);
        stat_add(e, &e->j->run, -(int32_t)(e->n - m->k));
        lea_pc(e, A, m->off);
        str_(e, 8, A, OFF(rip));
        ret_code(e, X86_JIT_MISS);
    }
    e->ncold = 0;
}

/* rcx, rax = a canonical 64-bit value? else miss */
static void canon_check(struct emit *e, struct misses *m)
{
    EMIT(e, 0x48, 0x89, 0xc1, 0x48, 0xc1, 0xe1, 0x10, 0x48, 0xc1, 0xf9, 0x10, 0x48, 0x39, 0xc1);
    /* mov rcx, rax; shl rcx, 16; sar rcx, 16; cmp rcx, rax */
    miss_jcc(e, m, CC_NE);
}

/* ---- memory ----------------------------------------------------------------- */

/* rax = the effective address (offset) of the ModRM memory operand of d
 * (exec.c ea_sum: disp + base + index << scale, RIP-relative from the next
 * instruction, masked to the address size). */
static void emit_ea_to(struct emit *e, const struct x86_dinsn *d, uint32_t off, unsigned dst, bool w)
{
    if (d->addrsize != 8 && d->addrsize != 4) {
        e->fail = true;
        return;
    }
    if (d->base == X86_REG_RIP) {
        op_rm(e, false, w, 0x8d, 1, dst, M_DISP, H13, (int32_t)((int64_t)off + d->len + d->disp)); /* lea dst, [r13 + d] */
    } else {
        bool base = d->base != X86_REG_NONE, index = d->index != X86_REG_NONE;
        unsigned hb = A, hx = C; /* the base and index in host registers */
        if (base) {
            if (pin[d->base] >= 0)
                hb = (unsigned)pin[d->base];
            else
                ldr(e, 8, A, roff(d->base));
        }
        if (index) {
            if (pin[d->index] >= 0)
                hx = (unsigned)pin[d->index];
            else
                ldr(e, 8, C, roff(d->index));
        }
        if (index || (base && (d->disp || hb != dst))) {
            /* lea dst, [hb + hx*s + disp32] / [hx*s + disp32] / [hb + disp32] */
            unsigned rex = (w ? 8u : 0) | (dst >= 8 ? 4u : 0) | (index && hx >= 8 ? 2u : 0) |
                           (base && hb >= 8 ? 1u : 0);
            if (rex)
                b1(e, 0x40 | rex);
            b1(e, 0x8d);
            if (index && base) {
                b1(e, 0x84 | (dst & 7) << 3); b1(e, (unsigned)d->scale << 6 | (hx & 7) << 3 | (hb & 7));
            } else if (index) {
                b1(e, 0x04 | (dst & 7) << 3); b1(e, (unsigned)d->scale << 6 | (hx & 7) << 3 | 5);
            } else {
                b1(e, 0x80 | (dst & 7) << 3 | (hb & 7));
                if ((hb & 7) == 4)
                    b1(e, 0x24);
            }
            b4(e, (uint32_t)d->disp);
        } else if (!base) {
            if (w) {
                op_rm(e, false, true, 0xc7, 1, 0, M_REG, dst, 0); b4(e, (uint32_t)d->disp); /* mov dst, simm32 */
            } else {
                if (dst >= 8)
                    b1(e, 0x41);
                b1(e, 0xb8 + (dst & 7)); b4(e, (uint32_t)d->disp);                      /* mov dst32, imm32 */
            }
        } else if (!w) {
            op_rm(e, false, false, 0x89, 1, dst, M_REG, dst, 0);                         /* mov dst32, dst32 */
        }
    }
    if (d->addrsize == 4 && w)
        op_rm(e, false, false, 0x89, 1, dst, M_REG, dst, 0);                             /* mov dst32, dst32 */
}
/* rax = the effective address */
static void emit_ea(struct emit *e, const struct x86_dinsn *d, uint32_t off) { emit_ea_to(e, d, off, A, true); }
/* rax = the linear address: FS / GS add their base (64-bit mode) */
static void emit_la(struct emit *e, const struct x86_dinsn *d, uint32_t off)
{
    emit_ea(e, d, off);
    if (d->seg == X86_FS || d->seg == X86_GS)
        op_rm(e, false, true, 0x03, 1, A, M_DISP, B, OFF(seg) + (int32_t)(d->seg * sizeof(struct x86_segment) +
                                                                   offsetof(struct x86_segment, base)));
}

#define TLBE(f) (OFF(tlb) + (int32_t)offsetof(struct x86_tlb_entry, f))
#define TLBE_SHIFT 6
_Static_assert(sizeof(struct x86_tlb_entry) == 1u << TLBE_SHIFT, "the probe scales the TLB index by a shift");
enum { P_READ = 1, P_WRITE = 2 };
/* The TLB probe of exec.c mem_read / mem_write for a size-byte access at
 * the linear address in rax (64-bit mode: long_mode, no masking): the entry
 * X86_TLB_AT, its tag for the access (with the last byte's page: a page
 * crossing misses), a host mapping; for stores the dirty mark of the
 * board's main RAM region (a page in another region misses). Hit: rax =
 * the host address. Clobbers rcx, rdx. */
/* op reg64, qword [rbx + rdx + disp32] (a field of the TLB entry at rdx) */
static void tlbe_op(struct emit *e, unsigned opc, unsigned reg, int32_t disp)
{
    b1(e, 0x48 | (reg >= 8 ? 4u : 0));
    b1(e, opc);
    b1(e, 0x84 | (reg & 7) << 3);
    b1(e, 0x13); /* SIB: base rbx, index rdx, scale 1 */
    b4(e, (uint32_t)disp);
}
static void probe(struct emit *e, struct misses *m, unsigned size, unsigned kind)
{
    const struct mem_region *ram = e->x->m->ram;
    /* rdx = the entry's offset in x->tlb[]: (((la >> 12) ^ tlb_xor) & (SIZE - 1)) << TLBE_SHIFT */
    EMIT(e, 0x89, 0xc2, 0xc1, 0xea); b1(e, 12 - TLBE_SHIFT); /* mov edx, eax; shr edx, 12 - shift */
    op_rm(e, false, false, 0x33, 1, D, M_DISP, B, OFF(jit_txor)); /* xor edx, [jit_txor] */
    EMIT(e, 0x81, 0xe2); b4(e, (X86_TLB_SIZE - 1u) << TLBE_SHIFT); /* and edx, mask */
    EMIT(e, 0x48, 0x8d, 0x48); b1(e, size - 1);          /* lea rcx, [rax + size - 1] */
    EMIT(e, 0x48, 0xc1, 0xe9, 0x0c, 0x48, 0xc1, 0xe1, 0x03); /* shr rcx, 12; shl rcx, 3 */
    op_rm(e, false, true, 0x0b, 1, C, M_DISP, B, OFF(jit_dtag)); /* or rcx, [jit_dtag] */
    if (kind & P_READ) {
        tlbe_op(e, 0x3b, C, TLBE(tag_r));                 /* cmp rcx, [rbx + rdx + tag_r] */
        miss_jcc(e, m, CC_NE);
    }
    if (kind & P_WRITE) {
        tlbe_op(e, 0x3b, C, TLBE(tag_w));
        miss_jcc(e, m, CC_NE);
    }
    tlbe_op(e, 0x8b, C, (kind & P_WRITE) ? TLBE(host_w) : TLBE(host)); /* mov rcx, [rbx + rdx + host] */
    EMIT(e, 0x48, 0x85, 0xc9);                          /* test rcx, rcx */
    miss_jcc(e, m, CC_E);
    EMIT(e, 0x25, 0xff, 0x0f, 0x00, 0x00);              /* and eax, 0xfff */
    EMIT(e, 0x48, 0x01, 0xc8);                          /* add rax, rcx */
    if (kind & P_WRITE) {
        if (!ram || !ram->dirty) {
            uint8_t *j = jmp32(e);
            if (m->n < 8)
                m->at[m->n++] = j;
            else
                e->fail = true;
            return;
        }
        tlbe_op(e, 0x8b, C, TLBE(pa));                    /* mov rcx, [rbx + rdx + pa] */
        if (ram->base < 0x80000000u && ram->size < 0x80000000u) {
            EMIT(e, 0x48, 0x81, 0xe9); b4(e, (uint32_t)ram->base); /* sub rcx, base */
            EMIT(e, 0x48, 0x81, 0xf9); b4(e, (uint32_t)ram->size); /* cmp rcx, size */
        } else {
            mov_imm64(e, D, ram->base);
            EMIT(e, 0x48, 0x29, 0xd1);                  /* sub rcx, rdx */
            mov_imm64(e, D, ram->size);
            EMIT(e, 0x48, 0x39, 0xd1);                  /* cmp rcx, rdx */
        }
        miss_jcc(e, m, CC_AE);
        EMIT(e, 0x48, 0xc1, 0xe9, 0x0c);                /* shr rcx, 12 */
        mov_imm64(e, D, (uint64_t)(uintptr_t)ram->dirty);
        EMIT(e, 0xc6, 0x04, 0x0a, 0x01);                /* mov byte [rdx + rcx], 1 */
    }
}

/* ---- instructions ----------------------------------------------------------- */

/* What the liveness pass needs of an instruction and whether it is
 * emitted as host code (else: a call of its fast handler). */
struct props {
    bool native;
    bool use;   /* reads the flags, or may leave the block before it runs */
    bool w6;    /* writes all six (when native) */
};

enum kind {
    K_CALLOUT, K_NOP, K_ALU, K_TEST, K_MOV, K_MOVI, K_LEA, K_EXT, K_SHIFT, K_GRP3, K_INCDEC,
    K_IMUL, K_CMOV, K_SETCC, K_JCC, K_JMP, K_CALL, K_RET, K_PUSH, K_POP, K_PUSHI, K_DIV,
};

struct ci {
    const struct x86_dinsn *d;
    const struct x86_insn *in;
    const uint8_t *raw;
    x86_fast_fn fn;
    uint32_t off;   /* from the block's first byte */
    uint8_t kind;
    uint8_t sz;     /* operand size */
    uint8_t aop;    /* ALU operation / shift operation / group 3 op */
    bool mem;       /* the r/m operand is memory */
    bool live_after, live_before;
    uint64_t count; /* shift count */
    bool cl;        /* shift by CL */
};

enum { J_OR = 1, J_ADC = 2, J_SBB = 3, J_AND = 4, J_XOR = 6, J_CMP = 7 };

/* classify c (kind, size) */
static void classify(struct ci *c)
{
    const struct x86_insn *in = c->in;
    const struct x86_dinsn *d = c->d;
    uint8_t op = in->opcode;
    c->kind = K_CALLOUT;
    c->mem = d->mod != 3;
    unsigned r = d->reg & 7, osz = (op & 1) ? d->opsize : 1;
    if (in->map == X86_MAP_0F) {
        if (op >= 0x80 && op <= 0x8f) { c->kind = K_JCC; return; }
        if (op >= 0x40 && op <= 0x4f) { c->kind = K_CMOV; c->sz = d->opsize; return; }
        if (op >= 0x90 && op <= 0x9f) { c->kind = K_SETCC; c->sz = 1; return; }
        if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) { c->kind = K_EXT; c->sz = d->opsize; return; }
        if (op == 0xaf) { if (d->opsize >= 4) { c->kind = K_IMUL; c->sz = d->opsize; } return; }
        if (op == 0x0d || (op >= 0x18 && op <= 0x1f)) { c->kind = K_NOP; return; }
        return;
    }
    if (in->map != X86_MAP_1)
        return;
    if (op < 0x40 && (op & 7) < 6) {
        c->kind = K_ALU;
        c->aop = op >> 3;
        c->sz = (uint8_t)osz;
        if ((op & 7) >= 4)
            c->mem = false;
        return;
    }
    if (op >= 0x50 && op <= 0x57) { if (d->opsize == 8) c->kind = K_PUSH; return; }
    if (op >= 0x58 && op <= 0x5f) { if (d->opsize == 8) c->kind = K_POP; return; }
    if (op >= 0x70 && op <= 0x7f) { c->kind = K_JCC; return; }
    if (op >= 0xb0 && op <= 0xbf) { c->kind = K_MOVI; c->sz = op < 0xb8 ? 1 : d->opsize; c->mem = false; return; }
    switch (op) {
    case 0x63: c->kind = K_EXT; c->sz = d->opsize; return;
    case 0x68: case 0x6a: if (d->opsize == 8) c->kind = K_PUSHI; return;
    case 0x69: case 0x6b: if (d->opsize >= 4) { c->kind = K_IMUL; c->sz = d->opsize; } return;
    case 0x80: case 0x81: case 0x83: c->kind = K_ALU; c->aop = (uint8_t)r; c->sz = (uint8_t)osz; return;
    case 0x84: case 0x85: case 0xa8: case 0xa9:
        c->kind = K_TEST; c->sz = (uint8_t)osz;
        if (op >= 0xa8) c->mem = false;
        return;
    case 0x88: case 0x89: case 0x8a: case 0x8b: case 0xc6: case 0xc7: c->kind = K_MOV; c->sz = (uint8_t)osz; return;
    case 0x8d: c->kind = K_LEA; c->sz = d->opsize; c->mem = false; return;
    case 0x90: if (!(in->prefixes & X86_PFX_REP)) c->kind = K_NOP; c->mem = false; return;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        /* register shifts and rotates (RCL/RCR: calls). An 8/16-bit
         * SHL/SHR/SAR by an immediate count of the width or more leaves
         * flags the host does not define: a call. */
        if (!c->mem && r != 2 && r != 3) {
            c->aop = (uint8_t)r; c->sz = (uint8_t)osz;
            c->cl = op >= 0xd2;
            c->count = (op >= 0xd0 ? 1 : d->imm) & (osz == 8 ? 63 : 31);
            if (c->cl || osz >= 4 || r < 4 || c->count < 8 * osz)
                c->kind = K_SHIFT;
        }
        return;
    case 0xc3: if (d->opsize == 8) c->kind = K_RET; return;
    case 0xe8: if (d->opsize == 8) c->kind = K_CALL; return;
    case 0xe9: case 0xeb: c->kind = K_JMP; return;
    case 0xf6: case 0xf7:
        if (r <= 3) { c->kind = K_GRP3; c->aop = (uint8_t)r; c->sz = (uint8_t)osz; }
        else if (r == 6 && op == 0xf7 && d->opsize >= 4) { c->kind = K_DIV; c->sz = d->opsize; }
        return;
    case 0xfe: case 0xff: if (r <= 1) { c->kind = K_INCDEC; c->aop = (uint8_t)r; c->sz = op == 0xfe ? 1 : d->opsize; } return;
    default: return;
    }
}

/* in-page or not: the branch target's offset from the block start */
static int64_t branch_rel(const struct ci *c) { return (int64_t)c->off + c->d->len + (int64_t)c->d->imm; }

static struct props props_of(const struct emit *e, const struct ci *c)
{
    struct props p = { .native = true };
    bool mem = c->mem;
    switch (c->kind) {
    case K_CALLOUT: return (struct props){ .native = false, .use = true };
    case K_NOP: case K_MOVI: case K_LEA: return p;
    case K_MOV: case K_EXT: p.use = mem; return p;
    case K_ALU: p.use = mem || c->aop == J_ADC || c->aop == J_SBB; p.w6 = true;
        if (c->sz == 8 && !fits32((int64_t)c->d->imm)) p = (struct props){ .use = true };
        return p;
    case K_TEST: p.use = mem; p.w6 = true; return p;
    case K_GRP3: p.use = mem; p.w6 = c->aop != 2; return p;
    case K_INCDEC: p.use = true; p.w6 = true; return p;
    case K_SHIFT:
        if (c->cl) {
            /* a count of 0 keeps the flags (not w6); 32/64-bit SHL/SHR/SAR
             * set them as the immediate forms do (shift_cl); rotates and
             * 8/16-bit shifts (a count past the width) only when they are dead */
            if ((c->sz < 4 || c->aop < 4) && c->live_after) return (struct props){ .use = true };
            return p;
        }
        if (!c->count) return p; /* flags unchanged */
        /* SHL/SHR/SAR: the host's CF SF ZF PF; OF as exec.c shift() has it
         * for a count above 1 (shift_flags) */
        if (c->aop >= 4) { p.w6 = true; return p; }
        /* ROL/ROR write two flags: host code only when they are dead */
        if (c->live_after) return (struct props){ .use = true };
        return p;
    case K_IMUL: /* (imul_flags) */
        p.use = mem; p.w6 = true; return p;
    case K_DIV: p.use = true; return p; /* (flags unchanged; its #DE check leaves before it) */
    case K_CMOV: case K_SETCC: case K_JCC: p.use = true; return p;
    case K_JMP: case K_CALL: {
        int64_t t = (int64_t)e->page_off + branch_rel(c);
        p.use = c->kind == K_CALL || t < 0 || t >= 4096;
        return p;
    }
    case K_RET: case K_PUSH: case K_POP: case K_PUSHI: p.use = true; return p;
    }
    return (struct props){ .use = true };
}

/* r/m operand of size sz into host register h (memory: probe for kind;
 * the host address stays in rdx) */
static void rm_load(struct emit *e, struct ci *c, struct misses *m, unsigned sz, unsigned h, unsigned kind)
{
    if (!c->mem) {
        gget(e, sz, h, c->d->rex, c->d->rm);
        return;
    }
    emit_la(e, c->d, c->off);
    probe(e, m, sz, kind);
    EMIT(e, 0x48, 0x89, 0xc2);                          /* mov rdx, rax */
    ldp(e, sz, h, D);
}
static void rm_store(struct emit *e, struct ci *c, unsigned sz, unsigned h)
{
    if (!c->mem)
        gput(e, sz, h, c->d->rex, c->d->rm);
    else
        stp(e, sz, h, D);
}

/* the host ALU instruction op eax, ecx / eax, imm of size sz */
static void alu_rr(struct emit *e, unsigned aop, unsigned sz)
{
    op_rm(e, sz == 2, sz == 8, (aop << 3) | (sz == 1 ? 0u : 1u), 1, C, M_REG, A, 0);
}
static void alu_ri(struct emit *e, unsigned aop, unsigned sz, uint64_t imm)
{
    op_rm(e, sz == 2, sz == 8, sz == 1 ? 0x80 : 0x81, 1, aop, M_REG, A, 0);
    imm_sz(e, sz, imm);
}

static void callout(struct emit *e, struct ci *c, unsigned k, bool last)
{
    struct flst s = e->fl;
    flags_exit(e, &s);
    unsigned back = e->n - k - 1;
    if (back) {
        op_rm(e, false, true, 0x81, 1, 0, M_REG, LEFT, 0); b4(e, back); /* add left, back */
    }
    lea_pc(e, A, c->off);
    str_(e, 8, A, OFF(rip));
    lea_pc(e, A, (int64_t)c->off + c->d->len);
    str_(e, 8, A, OFF(next_rip));
    mov_imm64(e, A, (uint64_t)(uintptr_t)c->raw);
    str_(e, 8, A, OFF(insn_raw));
    spill_all(e); /* the handler works on x->r[] (and may change any of them) */
    EMIT(e, 0x48, 0x89, 0xdf);                          /* mov rdi, rbx */
    EMIT(e, 0x48, 0xbe); b8(e, (uint64_t)(uintptr_t)c->d); /* mov rsi, d */
    EMIT(e, 0x48, 0xb8); b8(e, (uint64_t)(uintptr_t)c->fn); /* mov rax, fn */
    EMIT(e, 0xff, 0xd0);                                /* call rax */
    fill_all(e);
    stat_add(e, &e->j->run_callouts, 1);
    e->fl = (struct flst){ .mv = true };
    op_rm(e, false, false, 0x80, 1, 7, M_DISP, B, OFF(blk_exit)); b1(e, 0); /* cmp byte [blk_exit], 0 */
    uint8_t *ok = jcc32(e, CC_E);
    stat_add(e, &e->j->run, -(int32_t)back);
    ldr(e, 8, A, OFF(next_rip));
    str_(e, 8, A, OFF(rip));
    ret_code(e, X86_JIT_CHECK);
    patch_to_here(e, ok);
    if (back) {
        op_rm(e, false, true, 0x81, 1, 5, M_REG, LEFT, 0); b4(e, back); /* sub left, back */
    }
    if (last && (c->in->opcode == 0xc2 || c->in->opcode == 0xc3 || c->in->opcode == 0xe8 ||
                 c->in->opcode == 0xe9 || c->in->opcode == 0xeb ||
                 (c->in->opcode >= 0x70 && c->in->opcode <= 0x7f) ||
                 (c->in->map == X86_MAP_0F && c->in->opcode >= 0x80 && c->in->opcode <= 0x8f))) {
        ldr(e, 8, A, OFF(next_rip)); /* a branch: where it went */
        exit_rax(e, &e->fl);
    }
}

/* One instruction as host code; k: its index in the block. */
static void emit_insn(struct emit *e, struct ci *c, unsigned k)
{
    const struct x86_dinsn *d = c->d;
    struct misses m = { .n = 0 };
    unsigned sz = c->sz;
    bool lb = c->live_before, la = c->live_after;
    uint32_t end = c->off + d->len;
    switch (c->kind) {
    case K_NOP:
        break;
    case K_MOVI:
        if ((sz == 4 || sz == 8) && pin[d->reg] >= 0) {
            movi_h(e, sz, (unsigned)pin[d->reg], d->imm);
            break;
        }
        if (sz == 8)
            mov_imm64(e, A, d->imm);
        else
            b1(e, 0xb8), b4(e, (uint32_t)d->imm);
        gput(e, sz, A, d->rex, d->reg);
        break;
    case K_LEA: /* (emit_ea keeps the host's flags: mov and lea only) */
        if ((sz == 4 || sz == 8) && pin[d->reg] >= 0) { /* lea pd, [...] */
            emit_ea_to(e, d, c->off, (unsigned)pin[d->reg], sz == 8 && d->addrsize == 8);
            break;
        }
        emit_ea(e, d, c->off);
        if (sz == 4)
            EMIT(e, 0x89, 0xc0);
        gput(e, sz, A, 1, d->reg);
        break;
    case K_MOV: {
        uint8_t op = c->in->opcode;
        if (!c->mem) { /* register to register / immediate to register */
            unsigned gd = op == 0x8a || op == 0x8b ? d->reg : d->rm;
            int pd = hreg(sz, d->rex, gd);
            if (pd >= 0 && op >= 0xc6) {
                if (sz >= 4) {
                    movi_h(e, sz, (unsigned)pd, d->imm);
                    break;
                }
            } else if (pd >= 0) {
                int ps = hreg(sz, d->rex, op == 0x8a || op == 0x8b ? d->rm : d->reg);
                if (ps >= 0) { /* mov pd, ps */
                    op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0x88 : 0x89, 1, (unsigned)ps, M_REG,
                           (unsigned)pd, 0);
                    break;
                }
            }
        }
        if (c->mem) {
            flags_safe(e, lb);
            m.fl = e->fl;
            int pr = hreg(sz, d->rex, d->reg);
            if (op == 0x8b && sz >= 4 && pr >= 0) { /* mov pr, [m] (32/64 bits) */
                emit_la(e, d, c->off);
                probe(e, &m, sz, P_READ);
                ld_at(e, sz, (unsigned)pr, M_BASE, A, 0);
                break;
            }
            if ((op == 0x88 || op == 0x89) && pr >= 0) { /* mov [m], pr */
                emit_la(e, d, c->off);
                probe(e, &m, sz, P_WRITE);
                op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0x88 : 0x89, 1, (unsigned)pr, M_BASE, A, 0);
                break;
            }
            if (op >= 0xc6) { /* mov [m], imm */
                emit_la(e, d, c->off);
                probe(e, &m, sz, P_WRITE);
                op_rm(e, sz == 2, sz == 8, sz == 1 ? 0xc6 : 0xc7, 1, 0, M_BASE, A, 0);
                imm_sz(e, sz, d->imm);
                break;
            }
        }
        if (op == 0x8a || op == 0x8b) {
            rm_load(e, c, &m, sz, A, P_READ);
            gput(e, sz, A, d->rex, d->reg);
        } else {
            if (c->mem) {
                emit_la(e, d, c->off);
                probe(e, &m, sz, P_WRITE);
                EMIT(e, 0x48, 0x89, 0xc2);              /* mov rdx, rax */
            }
            if (op >= 0xc6) {
                if (sz == 8)
                    mov_imm64(e, A, d->imm);
                else
                    b1(e, 0xb8), b4(e, (uint32_t)d->imm);
            } else {
                gget(e, sz, A, d->rex, d->reg);
            }
            rm_store(e, c, sz, A);
        }
        break;
    }
    case K_EXT: {
        uint8_t op = c->in->opcode;
        unsigned ss = c->in->map == X86_MAP_1 ? 4 : (op == 0xb6 || op == 0xbe) ? 1 : 2;
        bool sx = c->in->map == X86_MAP_1 ? sz == 8 : op >= 0xbe;
        uint32_t opc = c->in->map == X86_MAP_1 ? (sz == 8 ? 0x63 : 0x8b) : op | 0x0f00;
        unsigned nopc = c->in->map == X86_MAP_1 ? 1 : 2;
        bool w = sx && sz == 8;
        /* the result straight into a pinned destination of 32/64 bits (the
         * 32-bit forms zero-extend), else eax */
        unsigned h = sz >= 4 && pin[d->reg] >= 0 ? (unsigned)pin[d->reg] : A;
        if (c->mem) {
            flags_safe(e, lb);
            m.fl = e->fl;
            emit_la(e, d, c->off);
            probe(e, &m, ss, P_READ);
            op_rm(e, false, w, opc, nopc, h, M_BASE, A, 0);
        } else {
            bool hi = ss == 1 && d->rm >= 4 && d->rm < 8 && !d->rex;
            int pr = pin[hi ? d->rm - 4 : d->rm];
            if (pr < 0)
                op_rm(e, false, w, opc, nopc, h, M_DISP, B, groff(d->rex, d->rm, ss));
            else if (hi)
                e->hib = true;
            else
                op_rmx(e, false, w, ss == 1, opc, nopc, h, M_REG, (unsigned)pr, 0);
        }
        if (h == A)
            gput(e, sz, A, 1, d->reg);
        break;
    }
    case K_ALU: case K_TEST: {
        uint8_t op = c->in->opcode;
        unsigned aop = c->kind == K_TEST ? 0 : c->aop;
        bool imm = c->kind == K_ALU ? (op >= 0x80 || (op & 7) >= 4) : op >= 0xa8;
        bool acc = c->kind == K_ALU ? (op < 0x40 && (op & 7) >= 4) : op >= 0xa8;
        bool r_rm = c->kind == K_ALU && op < 0x40 && (op & 7) >= 2 && (op & 7) <= 3; /* reg op= r/m */
        bool cf_in = c->kind == K_ALU && (aop == J_ADC || aop == J_SBB);
        bool wr = c->kind == K_ALU && aop != J_CMP;
        flags_safe(e, lb);
        m.fl = e->fl;
        bool logic = c->kind == K_TEST || aop == J_OR || aop == J_AND || aop == J_XOR;
        int pd = c->mem ? -1 : acc ? hreg(sz, 1, RAX) : hreg(sz, d->rex, r_rm ? d->reg : d->rm);
        if (pd >= 0) { /* the destination pinned: op pd, ps / imm at the guest's size */
            unsigned hs = C;
            if (!imm) {
                unsigned gs = r_rm ? d->rm : d->reg;
                int ps = hreg(sz, d->rex, gs);
                if (ps >= 0)
                    hs = (unsigned)ps;
                else
                    gget(e, sz, C, d->rex, gs);
            }
            if (cf_in)
                load_cf(e);
            if (imm) {
                unsigned opc = c->kind == K_TEST ? (sz == 1 ? 0xf6 : 0xf7) : (sz == 1 ? 0x80 : 0x81);
                op_rmx(e, sz == 2, sz == 8, sz == 1, opc, 1, c->kind == K_TEST ? 0 : aop, M_REG, (unsigned)pd, 0);
                imm_sz(e, sz, d->imm);
            } else {
                unsigned opc = c->kind == K_TEST ? 0x84 : aop << 3;
                op_rmx(e, sz == 2, sz == 8, sz == 1, opc | (sz == 1 ? 0u : 1u), 1, hs, M_REG, (unsigned)pd, 0);
            }
            produced(e, la, logic);
            break;
        }
        if (c->mem && !acc) {
            /* a memory operand with a pinned register or an immediate:
             * op reg, [m] / op [m], reg / op [m], imm on the host address */
            int pr = imm ? 0 : hreg(sz, d->rex, d->reg);
            if (pr >= 0) {
                emit_la(e, d, c->off);
                probe(e, &m, sz, wr && !r_rm ? (P_READ | P_WRITE) : P_READ);
                if (cf_in)
                    load_cf(e);
                if (imm) {
                    op_rm(e, sz == 2, sz == 8, sz == 1 ? 0x80 : 0x81, 1, aop, M_BASE, A, 0);
                    imm_sz(e, sz, d->imm);
                } else {
                    unsigned opc = c->kind == K_TEST ? 0x84 : aop << 3 | (r_rm ? 2u : 0u);
                    op_rmx(e, sz == 2, sz == 8, sz == 1, opc | (sz == 1 ? 0u : 1u), 1, (unsigned)pr, M_BASE, A, 0);
                }
                produced(e, la, logic);
                break;
            }
        }
        /* eax = destination (first) operand, ecx = source */
        if (acc) {
            gget(e, sz, A, 1, RAX);
        } else if (r_rm) {
            rm_load(e, c, &m, sz, C, P_READ);
            gget(e, sz, A, d->rex, d->reg);
        } else {
            rm_load(e, c, &m, sz, A, wr ? (P_READ | P_WRITE) : P_READ);
            if (!imm)
                gget(e, sz, C, d->rex, d->reg);
        }
        if (cf_in)
            load_cf(e);
        if (c->kind == K_TEST) {
            if (imm) {
                op_rm(e, sz == 2, sz == 8, sz == 1 ? 0xf6 : 0xf7, 1, 0, M_REG, A, 0);
                imm_sz(e, sz, d->imm);
            } else {
                op_rm(e, sz == 2, sz == 8, sz == 1 ? 0x84 : 0x85, 1, C, M_REG, A, 0);
            }
        } else if (imm) {
            alu_ri(e, aop, sz, d->imm);
        } else {
            alu_rr(e, aop, sz);
        }
        produced(e, la, logic); /* (the stores below keep the host's flags) */
        if (wr) {
            if (acc)
                gput(e, sz, A, 1, RAX);
            else if (r_rm)
                gput(e, sz, A, d->rex, d->reg);
            else
                rm_store(e, c, sz, A);
        }
        break;
    }
    case K_GRP3: {
        unsigned r = c->aop;
        flags_safe(e, lb);
        m.fl = e->fl;
        int pd = c->mem ? -1 : hreg(sz, d->rex, d->rm);
        if (pd >= 0) { /* test pd, imm / not pd / neg pd */
            op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0xf6 : 0xf7, 1, r <= 1 ? 0 : r, M_REG, (unsigned)pd, 0);
            if (r <= 1)
                imm_sz(e, sz, d->imm);
            if (r != 2)
                produced(e, la, r <= 1);
            break;
        }
        rm_load(e, c, &m, sz, A, r >= 2 ? (P_READ | P_WRITE) : P_READ);
        if (r <= 1) {
            op_rm(e, sz == 2, sz == 8, sz == 1 ? 0xf6 : 0xf7, 1, 0, M_REG, A, 0);
            imm_sz(e, sz, d->imm);
            produced(e, la, true);
        } else {
            op_rm(e, sz == 2, sz == 8, sz == 1 ? 0xf6 : 0xf7, 1, r, M_REG, A, 0); /* not / neg eax */
            if (r == 3)
                produced(e, la, false);
        }
        if (r >= 2)
            rm_store(e, c, sz, A);
        break;
    }
    case K_INCDEC:
        flags_safe(e, true);
        m.fl = e->fl;
        if (!c->mem && hreg(sz, d->rex, d->rm) >= 0) { /* inc / dec pd (CF kept: loaded first) */
            load_cf(e);
            op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0xfe : 0xff, 1, c->aop, M_REG,
                   (unsigned)hreg(sz, d->rex, d->rm), 0);
            produced(e, la, false);
            break;
        }
        rm_load(e, c, &m, sz, A, P_READ | P_WRITE);
        load_cf(e);
        op_rm(e, sz == 2, sz == 8, sz == 1 ? 0xfe : 0xff, 1, c->aop, M_REG, A, 0);
        produced(e, la, false);
        rm_store(e, c, sz, A);
        break;
    case K_SHIFT: {
        unsigned hop = c->aop == 6 ? 4 : c->aop; /* (SAL = SHL) */
        bool live_cl = c->cl && la;              /* (then 32/64 bits, SHL/SHR/SAR) */
        if (c->cl || c->count)
            flags_safe(e, lb);
        if (live_cl) {
            /* the flags before in r12 with AF as the guest has it: a count
             * of 0 leaves them so */
            if (!e->fl.rv)
                op_rm(e, false, true, 0x8b, 1, H12, M_DISP, B, OFF(rflags)); /* mov r12, [rflags] */
            else if (e->fl.afz)
                EMIT(e, 0x41, 0x83, 0xe4, 0xef);                          /* and r12d, ~AF */
            e->fl = (struct flst){ .rv = true };
        }
        int pd = hreg(sz, d->rex, d->rm);
        unsigned h = pd >= 0 ? (unsigned)pd : A; /* shift pd / eax */
        if (pd < 0)
            gget(e, sz, A, d->rex, d->rm);
        else if (sz == 4 && (c->cl || !c->count))
            op_rm(e, false, false, 0x89, 1, h, M_REG, h, 0); /* mov p32, p32: a count of 0 zero-extends too */
        uint8_t *zero = NULL;
        if (c->cl) {
            gget(e, 1, C, 1, RCX);                          /* movzx ecx, cl of the guest */
            if (live_cl) {
                EMIT(e, 0x83, 0xe1); b1(e, sz == 8 ? 63 : 31); /* and ecx, mask */
                if (pd < 0 && sz == 4)
                    gput(e, 4, A, d->rex, d->rm); /* (a count of 0 zero-extends it too) */
                zero = jcc32(e, CC_E);
            }
            op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0xd2 : 0xd3, 1, hop, M_REG, h, 0); /* shift h, cl */
        } else if (c->count) {
            op_rmx(e, sz == 2, sz == 8, sz == 1, sz == 1 ? 0xc0 : 0xc1, 1, hop, M_REG, h, 0);
            b1(e, (unsigned)c->count);
        }
        if (pd < 0)
            gput(e, sz, A, d->rex, d->rm);
        if (live_cl) {
            shift_cl_flags(e, c->aop);
            patch_to_here(e, zero);
        } else if (c->cl) {
            e->fl = (struct flst){ 0 }; /* dead (props_of) */
        } else if (c->count) {
            if (c->aop < 4)
                e->fl = (struct flst){ 0 }; /* dead (props_of) */
            else if (c->count == 1 || !la)
                produced(e, la, true);
            else
                shift_flags(e, c->aop == 5 || c->aop == 7);
        }
        break;
    }
    case K_IMUL: {
        flags_safe(e, lb);
        m.fl = e->fl;
        rm_load(e, c, &m, sz, C, P_READ);
        if (c->in->map == X86_MAP_0F) {
            gget(e, sz, A, 1, d->reg);
            op_rm(e, false, sz == 8, 0x0faf, 2, A, M_REG, C, 0); /* imul eax, ecx */
        } else {
            op_rm(e, false, sz == 8, 0x69, 1, A, M_REG, C, 0);   /* imul eax, ecx, imm32 */
            b4(e, (uint32_t)d->imm);
        }
        if (la)
            imul_flags(e, sz, A);
        else
            e->fl = (struct flst){ 0 }; /* dead */
        gput(e, sz, A, 1, d->reg);
        break;
    }
    case K_CMOV: {
        unsigned cc = c->in->opcode & 0xf;
        if (c->mem) {
            flags_safe(e, true);
            m.fl = e->fl;
            emit_la(e, d, c->off);
            probe(e, &m, sz, P_READ);
            ld_at(e, sz, D, M_BASE, A, 0);
        } else {
            gget(e, sz, D, 1, d->rm);
        }
        unsigned hcc = cc_eval(e, cc); /* (clobbers eax, ecx; the movs below keep the flags) */
        int pd = pin[d->reg];
        if (pd >= 0 && sz >= 4) {
            op_rm(e, false, sz == 8, 0x0f40 | hcc, 2, (unsigned)pd, M_REG, D, 0); /* cmovcc pd, edx */
        } else {
            gget(e, sz, A, 1, d->reg);
            op_rm(e, sz == 2, sz == 8, 0x0f40 | hcc, 2, A, M_REG, D, 0);         /* cmovcc eax, edx */
            gput(e, sz, A, 1, d->reg);
        }
        break;
    }
    case K_SETCC: {
        unsigned cc = c->in->opcode & 0xf;
        if (c->mem) {
            flags_safe(e, true);
            m.fl = e->fl;
            emit_la(e, d, c->off);
            probe(e, &m, 1, P_WRITE);
            EMIT(e, 0x48, 0x89, 0xc2);                  /* mov rdx, rax */
        }
        unsigned hcc = cc_eval(e, cc);
        EMIT(e, 0x0f); b1(e, 0x90 | hcc); b1(e, 0xc0);  /* setcc al */
        if (c->mem)
            stp(e, 1, A, D);
        else
            gput(e, 1, A, d->rex, d->rm);
        break;
    }
    case K_PUSH: case K_PUSHI:
        flags_safe(e, true);
        m.fl = e->fl;
        gget(e, 8, A, 1, RSP);
        EMIT(e, 0x48, 0x83, 0xe8, 0x08);                /* sub rax, 8 */
        probe(e, &m, 8, P_WRITE);
        if (c->kind == K_PUSH)
            gget(e, 8, C, 1, d->reg);
        else
            mov_imm64(e, C, d->imm);
        stp(e, 8, C, A);
        gaddi(e, RSP, -8);
        break;
    case K_POP:
        flags_safe(e, true);
        m.fl = e->fl;
        gget(e, 8, A, 1, RSP);
        probe(e, &m, 8, P_READ);
        ldp(e, 8, C, A);
        gaddi(e, RSP, 8);
        gput(e, 8, C, 1, d->reg);
        break;
    case K_JCC: {
        unsigned cc = c->in->opcode & 0xf;
        m.fl = e->fl;
        unsigned hcc;
        if (e->fl.hf) {
            if (!e->fl.rv && !e->fl.mv)
                capture(e), e->fl.rv = true;
            hcc = cc;
        } else {
            hcc = cc_eval(e, cc);
        }
        struct flst s = e->fl;
        uint8_t *taken = jcc32(e, hcc);
        exit_to(e, &s, end);
        patch_to_here(e, taken);
        int64_t rel = branch_rel(c), t = (int64_t)e->page_off + rel;
        if (t >= 0 && t < 4096) {
            exit_to(e, &s, rel);
        } else {
            s.hf = false;
            m.fl = s;
            if (!fits32(rel)) { e->fail = true; break; }
            lea_pc(e, A, rel);
            canon_check(e, &m);
            exit_far(e, &s);
        }
        break;
    }
    case K_JMP: case K_CALL: {
        int64_t rel = branch_rel(c), t = (int64_t)e->page_off + rel;
        bool in_page = t >= 0 && t < 4096;
        flags_safe(e, true);
        m.fl = e->fl;
        if (!fits32(rel)) { e->fail = true; break; }
        if (!in_page) {
            lea_pc(e, A, rel);
            canon_check(e, &m);
        }
        if (c->kind == K_CALL) {
            gget(e, 8, A, 1, RSP);
            EMIT(e, 0x48, 0x83, 0xe8, 0x08);            /* sub rax, 8 */
            probe(e, &m, 8, P_WRITE);
            lea_pc(e, C, end);
            stp(e, 8, C, A);
            gaddi(e, RSP, -8);
        }
        struct flst s = e->fl;
        if (in_page) {
            exit_to(e, &s, rel);
        } else {
            lea_pc(e, A, rel);
            exit_far(e, &s);
        }
        break;
    }
    case K_RET: {
        flags_safe(e, true);
        m.fl = e->fl;
        gget(e, 8, A, 1, RSP);
        probe(e, &m, 8, P_READ);
        ldp(e, 8, A, A);
        canon_check(e, &m);
        gaddi(e, RSP, 8);
        struct flst s = e->fl;
        exit_far(e, &s); /* to the code of the block returned to, if it has some */
        break;
    }
    case K_DIV: {
        /* DIV r/m32/64 (f_div): edx:eax / src when the quotient fits —
         * rdx < src unsigned, which a divisor of 0 fails too — else the
         * interpreter runs it (#DE). The guest's flags are unchanged. */
        flags_safe(e, true);
        m.fl = e->fl;
        rm_load(e, c, &m, sz, C, P_READ);
        gget(e, sz, A, 1, RAX);
        gget(e, sz, D, 1, RDX);
        op_rm(e, false, sz == 8, 0x39, 1, C, M_REG, D, 0);   /* cmp rdx, rcx */
        miss_jcc(e, &m, CC_AE);
        op_rm(e, false, sz == 8, 0xf7, 1, 6, M_REG, C, 0);   /* div rcx */
        gput(e, sz, A, 1, RAX);
        gput(e, sz, D, 1, RDX);
        break;
    }
    default:
        e->fail = true;
        break;
    }
    miss_paths(e, &m, k, c->off);
}

/* The jump to another block (exit_far): the rip in rax, the guest's flags
 * in r12. The lookup of run_blocks done inline — the fetch TLB entry of
 * the rip with this run's tag bits (x86_cpu.jit_ftag; a non-canonical rip
 * matches none), its predecoded page of 64-bit code, the slot, the slot's
 * jit index and owner — to the block's chained entry (which checks the
 * budget); else x->rip = rax and back to C, which does the full checks.
 * Within a run nothing else run_blocks checks can change: what could (a
 * slow path of a call: blk_exit) returns to C first. */
static void dispatch_stub(struct emit *e)
{
    _Static_assert(offsetof(struct x86_dpage, d) == 0, "owner = page + slot * 32");
    uint8_t *fail[6];
    str_(e, 8, A, OFF(rip));
    EMIT(e, 0x48, 0x89, 0xc1, 0x48, 0xc1, 0xe9, 0x0c);        /* mov rcx, rax; shr rcx, 12 */
    EMIT(e, 0x89, 0xca);                                      /* mov edx, ecx */
    op_rm(e, false, false, 0x33, 1, D, M_DISP, B, OFF(tlb_xor)); /* xor edx, [tlb_xor] */
    EMIT(e, 0x0f, 0xb6, 0xd2);                                /* movzx edx, dl */
    EMIT(e, 0xc1, 0xe2); b1(e, TLBE_SHIFT);                   /* shl edx, log2(entry size) */
    EMIT(e, 0x48, 0x01, 0xda);                                /* add rdx, rbx */
    EMIT(e, 0x48, 0xc1, 0xe1, 0x03);                          /* shl rcx, 3 */
    op_rm(e, false, true, 0x0b, 1, C, M_DISP, B, OFF(jit_ftag)); /* or rcx, [jit_ftag] */
    op_rm(e, false, true, 0x3b, 1, C, M_DISP, D, TLBE(tag_x));  /* cmp rcx, [rdx + tag_x] */
    fail[0] = jcc32(e, CC_NE);
    op_rm(e, false, true, 0x8b, 1, D, M_DISP, D, TLBE(dpage)); /* mov rdx, [rdx + dpage] */
    EMIT(e, 0x48, 0x85, 0xd2);                                /* test rdx, rdx */
    fail[1] = jcc32(e, CC_E);
    EMIT(e, 0x80, 0xba); b4(e, (uint32_t)offsetof(struct x86_dpage, code_size)); b1(e, 8); /* cmp byte [rdx + code_size], 8 */
    fail[2] = jcc32(e, CC_NE);
    EMIT(e, 0x25, 0xff, 0x0f, 0x00, 0x00);                    /* and eax, 0xfff */
    EMIT(e, 0x0f, 0xb7, 0x8c, 0x42); b4(e, (uint32_t)offsetof(struct x86_dpage, idx)); /* movzx ecx, [rdx + rax*2 + idx] */
    EMIT(e, 0x83, 0xe9, 0x01, 0x81, 0xf9); b4(e, X86_DPAGE_SLOTS); /* sub ecx, 1; cmp ecx, SLOTS */
    fail[3] = jcc32(e, CC_AE);
    EMIT(e, 0x0f, 0xb7, 0x84, 0x4a); b4(e, (uint32_t)offsetof(struct x86_dpage, jit)); /* movzx eax, [rdx + rcx*2 + jit] */
    EMIT(e, 0x49, 0xbd); b8(e, (uint64_t)(uintptr_t)&e->j->nblocks); /* mov r13, &nblocks */
    EMIT(e, 0x41, 0x3b, 0x45, 0x00);                          /* cmp eax, [r13] */
    fail[4] = jcc32(e, CC_AE);
    EMIT(e, 0x48, 0xc1, 0xe0, 0x04);                          /* shl rax, 4 (blocks[] entries) */
    EMIT(e, 0x49, 0xbd); b8(e, (uint64_t)(uintptr_t)e->j->blocks); /* mov r13, blocks */
    EMIT(e, 0x49, 0x01, 0xc5);                                /* add r13, rax */
    EMIT(e, 0x48, 0xc1, 0xe1, 0x05, 0x48, 0x01, 0xd1);        /* shl rcx, 5; add rcx, rdx: the slot */
    EMIT(e, 0x49, 0x3b, 0x4d, 0x00);                          /* cmp rcx, [r13] (owner) */
    fail[5] = jcc32(e, CC_NE);
    EMIT(e, 0x41, 0x8b, 0x4d); b1(e, (unsigned)offsetof(struct x86_jit_block, chain)); /* mov ecx, [r13 + chain] */
    mov_imm64(e, D, (uint64_t)(uintptr_t)e->j->buf);
    EMIT(e, 0x48, 0x01, 0xd1);                                /* add rcx, rdx */
    op_rm(e, false, true, 0x8b, 1, H13, M_DISP, B, OFF(rip)); /* mov r13, [rip] */
    EMIT(e, 0xff, 0xe1);                                      /* jmp rcx */
    for (unsigned i = 0; i < 6; i++)
        patch_to_here(e, fail[i]);
    merge(e, false);
    ret_code(e, X86_JIT_DONE);
}

/* ---- the cache --------------------------------------------------------------- */

static void jit_flush(struct x86_jit *j)
{
    j->used = 0;
    j->nblocks = 1;
    j->flushes++;
}

struct x86_jit *x86_jit_of(struct x86_cpu *x)
{
    if (x->jit)
        return x->jit;
    /* one cache per machine, kept by CPU 0 (CPUs run on one host thread) */
    struct x86_cpu *x0 = X86(x->m->cpus[0]);
    if (!x0->jit) {
        struct x86_jit *j = calloc(1, sizeof *j);
        if (!j)
            return NULL;
        void *buf = mmap(NULL, X86_JIT_CODE_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (buf == MAP_FAILED) {
            free(j);
            return NULL;
        }
        j->buf = buf;
        j->hot = X86_JIT_HOT;
        j->stats = getenv("HVSIM_X86_JIT_STATS") != NULL;
        jit_flush(j);
        j->flushes = 0;
        x0->jit = j;
        x0->jit_owner = true;
    }
    x->jit = x0->jit;
    return x->jit;
}

static x86_jit_fn lookup(const struct x86_jit *j, const struct x86_dpage *p, unsigned k)
{
    unsigned i = p->jit[k];
    if (i < j->nblocks && j->blocks[i].owner == &p->d[k])
        return (x86_jit_fn)(void *)(j->buf + j->blocks[i].off);
    return NULL;
}

static x86_jit_fn compile(struct x86_cpu *x, struct x86_jit *j, struct x86_dpage *p, unsigned k, unsigned n,
                          uint64_t rip)
{
    struct ci cs[X86_BLOCK_MAX];
    if (n > X86_BLOCK_MAX)
        return NULL;
    struct misses cold[X86_BLOCK_MAX];
    struct emit e = { .page_off = (uint32_t)(rip & 0xfff), .n = n, .x = x, .stats = j->stats, .j = j, .pg = p,
                      .cold = cold };
    uint32_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        cs[i] = (struct ci){ .d = &p->d[k + i], .in = &p->full[k + i], .raw = p->raw[k + i],
                             .fn = p->d[k + i].fast, .off = off };
        if (!cs[i].fn)
            return NULL;
        classify(&cs[i]);
        off += p->d[k + i].len;
    }
    if (j->nblocks >= X86_JIT_MAX_BLOCKS || j->used + (n + 2) * MAX_INSN_BYTES > X86_JIT_CODE_BYTES)
        jit_flush(j);
    uint8_t *start, *chain, *entry;
    for (;;) {
        /* liveness of the flags, backwards: live at the block's end */
        bool live = true;
        for (unsigned i = n; i-- > 0;) {
            cs[i].live_after = live;
            struct props pr = props_of(&e, &cs[i]);
            if (!pr.native)
                cs[i].kind = K_CALLOUT;
            live = pr.use || (live && !pr.w6);
            cs[i].live_before = live;
        }
        start = j->buf + j->used;
        e.p = start;
        e.fl = (struct flst){ 0 };
        /* the block's return to C (epilogue jumps here) */
        e.ret = e.p;
        spill_all(&e);
        EMIT(&e, 0x48, 0x83, 0xc4, 0x08, 0x41, 0x5f, 0x41, 0x5e, 0x5d, 0x41, 0x5d, 0x41, 0x5c, 0x5b, 0xc3);
        /* add rsp, 8; pop r15; pop r14; pop rbp; pop r13; pop r12; pop rbx; ret */
        e.disp = e.p;
        dispatch_stub(&e);
        entry = e.p;
        /* push rbx; push r12; push r13; push rbp; push r14; push r15; sub rsp, 8 (calls: rsp 16-aligned) */
        EMIT(&e, 0x53, 0x41, 0x54, 0x41, 0x55, 0x55, 0x41, 0x56, 0x41, 0x57, 0x48, 0x83, 0xec, 0x08);
        EMIT(&e, 0x48, 0x89, 0xfb, 0x49, 0x89, 0xf5);      /* mov rbx, rdi; mov r13, rsi */
        op_rm(&e, false, true, 0x8b, 1, H12, M_DISP, B, OFF(rflags)); /* mov r12, [rflags] */
        fill_all(&e);
        /* the chained entry: the guest's flags are in r12 (exit_to), and
         * x->rflags has them only when entered from C */
        e.fl = (struct flst){ .rv = true };
        chain = e.p;
        op_rm(&e, false, true, 0x81, 1, 5, M_REG, LEFT, 0); b4(&e, n); /* sub left, n */
        uint8_t *short_budget = jcc32(&e, CC_B);
        stat_add(&e, &j->run, (int32_t)n);
        bool ends = false;
        for (unsigned i = 0; i < n && !e.fail; i++) {
            struct ci *c = &cs[i];
            bool last = i + 1 == n;
            if (c->kind == K_CALLOUT) {
                callout(&e, c, i, last);
            } else {
                emit_insn(&e, c, i);
                if (e.hib) { /* AH..BH of a pinned register: this one as a call */
                    c->kind = K_CALLOUT;
                    break;
                }
            }
            ends = c->kind == K_JCC || c->kind == K_JMP || c->kind == K_CALL || c->kind == K_RET ||
                   (c->kind == K_CALLOUT && last && ((c->in->map == X86_MAP_1 && (c->in->opcode == 0xc2 ||
                   c->in->opcode == 0xc3 || c->in->opcode == 0xe8 || c->in->opcode == 0xe9 || c->in->opcode == 0xeb ||
                   (c->in->opcode >= 0x70 && c->in->opcode <= 0x7f))) ||
                   (c->in->map == X86_MAP_0F && c->in->opcode >= 0x80 && c->in->opcode <= 0x8f)));
            if ((size_t)(e.p - start) + (size_t)(e.ncold + 1) * COLD_BYTES > (size_t)(i + 2) * MAX_INSN_BYTES)
                e.fail = true; /* (cannot happen: the worst case is far below) */
        }
        if (!ends && !e.fail) {
            struct flst s = e.fl;
            exit_to(&e, &s, off);
        }
        emit_cold(&e);
        patch_to_here(&e, short_budget);
        op_rm(&e, false, true, 0x81, 1, 0, M_REG, LEFT, 0); b4(&e, n); /* add left, n */
        merge(&e, false);
        op_rm(&e, false, true, 0x89, 1, H13, M_DISP, B, OFF(rip));  /* mov [rip], r13 */
        ret_code(&e, X86_JIT_DONE);
        if (!e.hib)
            break;
        e.hib = false; /* again, with that instruction a call */
    }

    if (e.fail) {
        if (getenv("HVSIM_X86_JIT_DEBUG"))
            fprintf(stderr, "x86 jit: block at %#llx (%u instructions) not compiled\n", (unsigned long long)rip, n);
        return NULL;
    }
    const char *dump = getenv("HVSIM_X86_JIT_DUMP"); /* a directory: each block's code (debugging) */
    if (dump) {
        char fn[512];
        snprintf(fn, sizeof fn, "%s/x86jit_%llx.bin", dump, (unsigned long long)rip);
        FILE *f = fopen(fn, "wb");
        if (f) {
            fwrite(start, 1, (size_t)(e.p - start), f);
            fclose(f);
        }
    }
    uint32_t idx = j->nblocks++;
    j->blocks[idx] = (struct x86_jit_block){ .owner = &p->d[k], .off = (uint32_t)(entry - j->buf),
                                             .chain = (uint32_t)(chain - j->buf) };
    p->jit[k] = (uint16_t)idx;
    j->used = (uint32_t)(e.p - j->buf);
    j->used = (j->used + 15u) & ~15u;
    j->compiled++;
    for (unsigned i = 0; i < n; i++)
        j->callouts += cs[i].kind == K_CALLOUT;
    return (x86_jit_fn)(void *)entry;
}

x86_jit_fn x86_jit_code(struct x86_cpu *x, struct x86_dpage *p, unsigned k, unsigned n, uint64_t rip)
{
    unsigned v = p->jit[k];
    if (v == X86_JIT_NONE)
        return NULL;
    struct x86_jit *j = x->jit ? x->jit : x86_jit_of(x);
    if (!j) {
        p->jit[k] = X86_JIT_NONE;
        return NULL;
    }
    x86_jit_fn fn = lookup(j, p, k);
    if (fn)
        return fn;
    /* compile a block once it has started `hot` times: code that runs
     * once (boot, freshly loaded pages) is cheaper to interpret */
    if (v == 0 || v < X86_JIT_COUNT_BASE) /* not known, or a stale index */
        v = X86_JIT_COUNT_BASE;
    if (v - X86_JIT_COUNT_BASE < j->hot) {
        p->jit[k] = (uint16_t)(v + 1);
        return NULL;
    }
    fn = compile(x, j, p, k, n, rip);
    if (!fn)
        p->jit[k] = X86_JIT_NONE;
    return fn;
}

void x86_jit_link(struct x86_cpu *x, uint64_t site, struct x86_dpage *p, unsigned k, unsigned n, uint64_t rip)
{
    struct x86_jit *j = x->jit;
    uint64_t flushes = j->flushes;
    if (!x86_jit_code(x, p, k, n, rip) || j->flushes != flushes)
        return; /* interpreted, or the cache was emptied (the site is gone) */
    uint8_t *rel = (uint8_t *)(uintptr_t)site;
    uint8_t *to = j->buf + j->blocks[p->jit[k]].chain;
    uint32_t v = (uint32_t)(to - (rel + 4));
    memcpy(rel, &v, 4);
}

void x86_jit_free(struct x86_cpu *x)
{
    if (x->jit && x->jit_owner) {
        if (x->jit->stats)
            fprintf(stderr, "x86 jit: %llu blocks compiled (%llu flushes), %llu instructions run in compiled "
                    "blocks, %llu of them through calls of their fast handler\n",
                    (unsigned long long)x->jit->compiled, (unsigned long long)x->jit->flushes,
                    (unsigned long long)x->jit->run, (unsigned long long)x->jit->run_callouts);
        munmap(x->jit->buf, X86_JIT_CODE_BYTES);
        free(x->jit);
    }
    x->jit = NULL;
    x->jit_owner = false;
}

#else /* not an x86-64 host: every block is interpreted */

x86_jit_fn x86_jit_code(struct x86_cpu *x, struct x86_dpage *p, unsigned k, unsigned n, uint64_t rip)
{
    (void)x; (void)n; (void)rip;
    p->jit[k] = X86_JIT_NONE;
    return NULL;
}
void x86_jit_link(struct x86_cpu *x, uint64_t site, struct x86_dpage *p, unsigned k, unsigned n, uint64_t rip)
{
    (void)x; (void)site; (void)p; (void)k; (void)n; (void)rip;
}
struct x86_jit *x86_jit_of(struct x86_cpu *x) { (void)x; return NULL; }
void x86_jit_free(struct x86_cpu *x)
{
    x->jit = NULL;
    x->jit_owner = false;
}

#endif
