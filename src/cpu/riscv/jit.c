/* Compiled blocks: a small emitter of host x86-64 code for the blocks of
 * the predecoded cache (block.c; docs/architecture.md "Blocks and compiled
 * code").
 *
 * A compiled block is a function  uint64_t f(struct rv_hart *h, uint64_t pc)
 * (rv_jit_fn in jit.h) that runs the block starting at guest address pc and
 * leaves h->pc at the next instruction. It takes its length off
 * h->insn_left when it starts (if the budget does not cover it, it returns
 * at once and the interpreter runs the part that fits). Guest registers
 * stay in h->x[] (every instruction loads its sources and stores its
 * result), so nothing has to be written back on the way out. The code never
 * calls out of itself: a load or store whose TLB probe misses (MMIO, a
 * fault, a watchpoint, a code page, a page-crossing access) gives back the
 * budget from it on and returns before it, and the interpreter executes it;
 * so virtual time is exact at every exit. Exits to the same page jump
 * straight to the target's code once rv_jit_link has patched them.
 *
 * Code is position independent in the guest: pc-relative values are
 * computed from the pc argument, since one physical page (and its slots)
 * may be mapped at several virtual addresses.
 *
 * Only blocks made of the instructions below are compiled; any other block
 * is interpreted (slot->jit = RV_JIT_NONE). */
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "rv_internal.h"
#include "jit.h"
#include "block.h"
#include "../../sim/machine.h"

#define JIT_MAX_INSN_BYTES 96u       /* worst case of one instruction */

_Static_assert(sizeof(struct rv_tlb_entry) == 64 && TLB_SIZE == 256,
               "tlb_probe computes entry addresses with shifts");
_Static_assert(sizeof(struct rv_dinsn) == 16, "slots are 16 bytes");

#if defined(__x86_64__)

struct emit {
    uint8_t *p;
    uint32_t page_off;               /* the block's first pc & 0xfff */
    unsigned blen;
};

static void b1(struct emit *e, unsigned v) { *e->p++ = (uint8_t)v; }
static void b4(struct emit *e, uint32_t v)
{
    memcpy(e->p, &v, 4);
    e->p += 4;
}
static void bytes(struct emit *e, const uint8_t *s, size_t n)
{
    memcpy(e->p, s, n);
    e->p += n;
}
#define EMIT(e, ...) do { static const uint8_t s_[] = { __VA_ARGS__ }; bytes(e, s_, sizeof s_); } while (0)

#define XOFF(r) ((uint32_t)(offsetof(struct rv_hart, x) + 8u * (r)))
#define PCOFF ((uint32_t)offsetof(struct rv_hart, pc))

/* Registers: rbx = h, r13 = pc of the block's first instruction,
 * rax/rcx/rdx scratch. */
static void ld_rax(struct emit *e, unsigned r) { EMIT(e, 0x48, 0x8b, 0x83); b4(e, XOFF(r)); }
static void ld_rcx(struct emit *e, unsigned r) { EMIT(e, 0x48, 0x8b, 0x8b); b4(e, XOFF(r)); }
static void st_rax(struct emit *e, unsigned r) { EMIT(e, 0x48, 0x89, 0x83); b4(e, XOFF(r)); }
static void movsxd_rax_eax(struct emit *e) { EMIT(e, 0x48, 0x63, 0xc0); }
/* lea reg, [r13 + disp] (reg: 0 = rax, 1 = rcx, 2 = rdx) */
static void lea_pc(struct emit *e, unsigned reg, int64_t disp)
{
    EMIT(e, 0x49, 0x8d); b1(e, 0x85 | reg << 3); b4(e, (uint32_t)(int32_t)disp);
}
static void st_pc_rax(struct emit *e) { EMIT(e, 0x48, 0x89, 0x83); b4(e, PCOFF); }
#define ILOFF ((uint32_t)offsetof(struct rv_hart, insn_left))
/* mov eax, r; pop r13; pop rbx; ret */
static void ret_r(struct emit *e, unsigned r)
{
    if (r) {
        b1(e, 0xb8); b4(e, r);
    } else {
        EMIT(e, 0x31, 0xc0);                         /* xor eax, eax */
    }
    EMIT(e, 0x41, 0x5d, 0x5b, 0xc3);
}
/* Leave the block for guest pc r13 + disp (rel: a byte offset from the
 * block's first instruction). Inside the same page the exit is a jump that
 * rv_jit_link later points at the target's compiled code (chaining);
 * until then it returns the address of its rel32 field. */
static void exit_to(struct emit *e, int64_t rel)
{
    int64_t in_page = (int64_t)e->page_off + rel;
    if (in_page < 0 || in_page >= 4096) {
        lea_pc(e, 0, rel);
        EMIT(e, 0x48, 0x89, 0x83); b4(e, PCOFF);     /* mov [pc], rax */
        ret_r(e, 0);
        return;
    }
    EMIT(e, 0x4d, 0x8d, 0xad); b4(e, (uint32_t)(int32_t)rel); /* lea r13, [r13 + rel] */
    EMIT(e, 0x4c, 0x89, 0xab); b4(e, PCOFF);         /* mov [pc], r13 */
    EMIT(e, 0xe9); b4(e, 0);                         /* jmp rel32: the link */
    EMIT(e, 0x48, 0x8d, 0x05); b4(e, (uint32_t)-11); /* lea rax, [the rel32 field] */
    EMIT(e, 0x41, 0x5d, 0x5b, 0xc3);                 /* pop r13; pop rbx; ret */
}
static void setcc_rax(struct emit *e, unsigned cc)
{
    EMIT(e, 0x0f); b1(e, 0x90 | cc); EMIT(e, 0xc0, 0x0f, 0xb6, 0xc0); /* setcc al; movzx eax, al */
}

enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_L = 0xc, CC_GE = 0xd };

/* TLB probe of the address in rax for a `size`-byte access (rv_load /
 * rv_store in rv_internal.h): on a hit rax = host address; on a miss jump
 * to the exit, whose two rel32 fields are returned for patching. */
static void tlb_probe(struct emit *e, unsigned size, bool write, uint8_t **miss1, uint8_t **miss2)
{
    const uint32_t tlb = (uint32_t)offsetof(struct rv_hart, tlb);
    const uint32_t tag = write ? (uint32_t)offsetof(struct rv_tlb_entry, tag_w)
                               : (uint32_t)offsetof(struct rv_tlb_entry, tag_r);
    EMIT(e, 0x48, 0x89, 0xc2);                       /* mov rdx, rax */
    EMIT(e, 0x48, 0xc1, 0xea, 0x0c);                 /* shr rdx, 12 */
    EMIT(e, 0x0f, 0xb6, 0xd2);                       /* movzx edx, dl (TLB_SIZE 256) */
    EMIT(e, 0x48, 0x63, 0x8b);                       /* movsxd rcx, [rbx + data_mode] */
    b4(e, (uint32_t)offsetof(struct rv_hart, data_mode));
    EMIT(e, 0x48, 0xc1, 0xe1, 0x08);                 /* shl rcx, 8 */
    EMIT(e, 0x48, 0x01, 0xca);                       /* add rdx, rcx */
    EMIT(e, 0x48, 0xc1, 0xe2, 0x06);                 /* shl rdx, 6 (64-byte entries) */
    EMIT(e, 0x48, 0x01, 0xda);                       /* add rdx, rbx */
    EMIT(e, 0x48, 0x89, 0xc1);                       /* mov rcx, rax */
    EMIT(e, 0x48, 0x81, 0xe1, 0x00, 0xf0, 0xff, 0xff); /* and rcx, ~0xfff */
    EMIT(e, 0x48, 0x3b, 0x8a); b4(e, tlb + tag);     /* cmp rcx, [rdx + tag] */
    EMIT(e, 0x0f, 0x85); *miss1 = e->p; b4(e, 0);    /* jne miss */
    EMIT(e, 0x89, 0xc1);                             /* mov ecx, eax */
    EMIT(e, 0x81, 0xe1, 0xff, 0x0f, 0x00, 0x00);     /* and ecx, 0xfff */
    EMIT(e, 0x81, 0xf9); b4(e, 4096u - size);        /* cmp ecx, 4096 - size */
    EMIT(e, 0x0f, 0x87); *miss2 = e->p; b4(e, 0);    /* ja miss */
    EMIT(e, 0x48, 0x03, 0x82);                       /* add rax, [rdx + addend] */
    b4(e, tlb + (uint32_t)offsetof(struct rv_tlb_entry, addend));
}

static void patch_to_here(struct emit *e, uint8_t *rel)
{
    uint32_t v = (uint32_t)(e->p - (rel + 4));
    memcpy(rel, &v, 4);
}

/* One instruction at byte offset `off` from the block's pc, the k-th
 * (0-based) of the block. Returns false if it is not compiled. */
static bool emit_insn(struct emit *e, const struct rv_dinsn *d, uint32_t off, unsigned k)
{
    unsigned rd = d->rd, rs1 = d->rs1, rs2 = d->rs2;
    int32_t imm = d->imm;
    switch (d->op) {
    case RV_OP_NOP: case RV_OP_FENCE: case RV_OP_FENCE_I:
        return true;
    case RV_OP_LUI:
        EMIT(e, 0x48, 0xc7, 0xc0); b4(e, (uint32_t)imm); st_rax(e, rd); return true;
    case RV_OP_AUIPC:
        lea_pc(e, 0, (int64_t)off + imm); st_rax(e, rd); return true;
#define RR(OPC...) ld_rax(e, rs1); ld_rcx(e, rs2); EMIT(e, OPC); st_rax(e, rd); return true
#define RRW(OPC...) ld_rax(e, rs1); ld_rcx(e, rs2); EMIT(e, OPC); movsxd_rax_eax(e); st_rax(e, rd); return true
#define RI(OPC...) ld_rax(e, rs1); EMIT(e, OPC); b4(e, (uint32_t)imm); st_rax(e, rd); return true
#define SH(OPC...) ld_rax(e, rs1); EMIT(e, OPC); b1(e, (unsigned)imm & 63); st_rax(e, rd); return true
#define SHW(OPC...) ld_rax(e, rs1); EMIT(e, OPC); b1(e, (unsigned)imm & 31); movsxd_rax_eax(e); st_rax(e, rd); return true
    case RV_OP_ADD: RR(0x48, 0x01, 0xc8);
    case RV_OP_SUB: RR(0x48, 0x29, 0xc8);
    case RV_OP_AND: RR(0x48, 0x21, 0xc8);
    case RV_OP_OR: RR(0x48, 0x09, 0xc8);
    case RV_OP_XOR: RR(0x48, 0x31, 0xc8);
    case RV_OP_SLL: RR(0x48, 0xd3, 0xe0);            /* x86 masks the count to 6 bits */
    case RV_OP_SRL: RR(0x48, 0xd3, 0xe8);
    case RV_OP_SRA: RR(0x48, 0xd3, 0xf8);
    case RV_OP_MUL: RR(0x48, 0x0f, 0xaf, 0xc1);
    /* Zicond: xor edx,edx; test rcx,rcx; cmovz/cmovnz rax,rdx */
    case RV_OP_CZERO_EQZ: RR(0x31, 0xd2, 0x48, 0x85, 0xc9, 0x48, 0x0f, 0x44, 0xc2);
    case RV_OP_CZERO_NEZ: RR(0x31, 0xd2, 0x48, 0x85, 0xc9, 0x48, 0x0f, 0x45, 0xc2);
    case RV_OP_SLT: ld_rax(e, rs1); ld_rcx(e, rs2); EMIT(e, 0x48, 0x39, 0xc8); setcc_rax(e, CC_L); st_rax(e, rd); return true;
    case RV_OP_SLTU: ld_rax(e, rs1); ld_rcx(e, rs2); EMIT(e, 0x48, 0x39, 0xc8); setcc_rax(e, CC_B); st_rax(e, rd); return true;
    case RV_OP_ADDW: RRW(0x01, 0xc8);
    case RV_OP_SUBW: RRW(0x29, 0xc8);
    case RV_OP_SLLW: RRW(0xd3, 0xe0);                /* 32-bit: count masked to 5 bits */
    case RV_OP_SRLW: RRW(0xd3, 0xe8);
    case RV_OP_SRAW: RRW(0xd3, 0xf8);
    case RV_OP_MULW: RRW(0x0f, 0xaf, 0xc1);
    case RV_OP_ADDI: RI(0x48, 0x05);                 /* imm32 sign-extended, as in RISC-V */
    case RV_OP_ANDI: RI(0x48, 0x25);
    case RV_OP_ORI: RI(0x48, 0x0d);
    case RV_OP_XORI: RI(0x48, 0x35);
    case RV_OP_SLTI: ld_rax(e, rs1); EMIT(e, 0x48, 0x3d); b4(e, (uint32_t)imm); setcc_rax(e, CC_L); st_rax(e, rd); return true;
    case RV_OP_SLTIU: ld_rax(e, rs1); EMIT(e, 0x48, 0x3d); b4(e, (uint32_t)imm); setcc_rax(e, CC_B); st_rax(e, rd); return true;
    case RV_OP_ADDIW: ld_rax(e, rs1); EMIT(e, 0x05); b4(e, (uint32_t)imm); movsxd_rax_eax(e); st_rax(e, rd); return true;
    case RV_OP_SLLI: SH(0x48, 0xc1, 0xe0);
    case RV_OP_SRLI: SH(0x48, 0xc1, 0xe8);
    case RV_OP_SRAI: SH(0x48, 0xc1, 0xf8);
    case RV_OP_SLLIW: SHW(0xc1, 0xe0);
    case RV_OP_SRLIW: SHW(0xc1, 0xe8);
    case RV_OP_SRAIW: SHW(0xc1, 0xf8);
#undef RR
#undef RRW
#undef RI
#undef SH
#undef SHW
    case RV_OP_LB: case RV_OP_LH: case RV_OP_LW: case RV_OP_LD:
    case RV_OP_LBU: case RV_OP_LHU: case RV_OP_LWU:
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD: {
        static const uint8_t size[RV_OP_COUNT] = {
            [RV_OP_LB] = 1, [RV_OP_LH] = 2, [RV_OP_LW] = 4, [RV_OP_LD] = 8, [RV_OP_LBU] = 1,
            [RV_OP_LHU] = 2, [RV_OP_LWU] = 4, [RV_OP_SB] = 1, [RV_OP_SH] = 2, [RV_OP_SW] = 4,
            [RV_OP_SD] = 8,
        };
        bool store = d->op >= RV_OP_SB && d->op <= RV_OP_SD;
        uint8_t *m1, *m2, *done;
        ld_rax(e, rs1);
        EMIT(e, 0x48, 0x05); b4(e, (uint32_t)imm);   /* add rax, imm */
        tlb_probe(e, size[d->op], store, &m1, &m2);
        switch (d->op) {
        case RV_OP_LB: EMIT(e, 0x48, 0x0f, 0xbe, 0x00); break;  /* movsx rax, byte [rax] */
        case RV_OP_LBU: EMIT(e, 0x0f, 0xb6, 0x00); break;       /* movzx eax, byte [rax] */
        case RV_OP_LH: EMIT(e, 0x48, 0x0f, 0xbf, 0x00); break;  /* movsx rax, word [rax] */
        case RV_OP_LHU: EMIT(e, 0x0f, 0xb7, 0x00); break;       /* movzx eax, word [rax] */
        case RV_OP_LW: EMIT(e, 0x48, 0x63, 0x00); break;        /* movsxd rax, [rax] */
        case RV_OP_LWU: EMIT(e, 0x8b, 0x00); break;             /* mov eax, [rax] */
        case RV_OP_LD: EMIT(e, 0x48, 0x8b, 0x00); break;        /* mov rax, [rax] */
        default: ld_rcx(e, rs2); break;
        }
        switch (d->op) {
        case RV_OP_SB: EMIT(e, 0x88, 0x08); break;              /* mov [rax], cl */
        case RV_OP_SH: EMIT(e, 0x66, 0x89, 0x08); break;        /* mov [rax], cx */
        case RV_OP_SW: EMIT(e, 0x89, 0x08); break;              /* mov [rax], ecx */
        case RV_OP_SD: EMIT(e, 0x48, 0x89, 0x08); break;        /* mov [rax], rcx */
        default: st_rax(e, rd); break;
        }
        EMIT(e, 0xe9); done = e->p; b4(e, 0);        /* jmp done */
        patch_to_here(e, m1);
        patch_to_here(e, m2);
        /* miss: stop before it; give back the budget of the rest */
        EMIT(e, 0x48, 0x81, 0x83); b4(e, ILOFF); b4(e, e->blen - k); /* add [insn_left], n */
        lea_pc(e, 0, off);
        st_pc_rax(e);
        ret_r(e, RV_JIT_MISS);
        patch_to_here(e, done);
        return true;
    }
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU: {
        static const uint8_t cc[RV_OP_COUNT] = {
            [RV_OP_BEQ] = CC_E, [RV_OP_BNE] = CC_NE, [RV_OP_BLT] = CC_L,
            [RV_OP_BGE] = CC_GE, [RV_OP_BLTU] = CC_B, [RV_OP_BGEU] = CC_AE,
        };
        uint8_t *taken;
        ld_rax(e, rs1);
        EMIT(e, 0x48, 0x3b, 0x83); b4(e, XOFF(rs2)); /* cmp rax, [x rs2] */
        EMIT(e, 0x0f); b1(e, 0x80 | cc[d->op]); taken = e->p; b4(e, 0); /* jcc taken */
        exit_to(e, (int64_t)off + d->len);
        patch_to_here(e, taken);
        exit_to(e, (int64_t)off + imm);
        return true;
    }
    case RV_OP_JAL:
        lea_pc(e, 0, (int64_t)off + d->len); st_rax(e, rd);
        exit_to(e, (int64_t)off + imm);
        return true;
    case RV_OP_JALR:
        ld_rax(e, rs1);
        EMIT(e, 0x48, 0x05); b4(e, (uint32_t)imm);   /* add rax, imm */
        EMIT(e, 0x48, 0x83, 0xe0, 0xfe);             /* and rax, ~1 */
        lea_pc(e, 1, (int64_t)off + d->len);
        EMIT(e, 0x48, 0x89, 0x8b); b4(e, XOFF(rd));  /* mov [x rd], rcx */
        st_pc_rax(e);
        ret_r(e, 0);
        return true;
    }
    return false;
}

static bool is_jump(unsigned op)
{
    return op == RV_OP_JAL || op == RV_OP_JALR || (op >= RV_OP_BEQ && op <= RV_OP_BGEU);
}

static void jit_flush(struct rv_jit *j)
{
    j->used = 0;
    j->nblocks = 1;
    j->flushes++;
}

static struct rv_jit *jit_of(struct rv_hart *h)
{
    if (h->jit)
        return h->jit;
    /* one cache per machine, kept by hart 0 (harts run on one host thread) */
    struct rv_hart *h0 = RV_HART(h->m->cpus[0]);
    if (!h0->jit) {
        struct rv_jit *j = calloc(1, sizeof(*j));
        if (!j)
            return NULL;
        void *buf = mmap(NULL, JIT_CODE_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (buf == MAP_FAILED) {
            free(j);
            return NULL;
        }
        j->buf = buf;
        jit_flush(j);
        j->flushes = 0;
        h0->jit = j;
        h0->jit_owner = true;
    }
    h->jit = h0->jit;
    return h->jit;
}

rv_jit_fn rv_jit_code(struct rv_hart *h, struct rv_dinsn *first, unsigned blen, uint64_t pc)
{
    if (first->jit == RV_JIT_NONE)
        return NULL;
    struct rv_jit *j = jit_of(h);
    if (!j) {
        first->jit = RV_JIT_NONE;
        return NULL;
    }
    rv_jit_fn fn = rv_jit_lookup(h, first);
    if (fn)
        return fn;
    /* Compile a block once it has started JIT_HOT times: code that runs once
     * (boot, freshly loaded pages) is cheaper to interpret. */
    if (first->jit == 0 || (first->jit >= JIT_COUNT_BASE && first->jit < JIT_COUNT_BASE + JIT_HOT)) {
        first->jit = (uint16_t)(first->jit ? first->jit + 1u : JIT_COUNT_BASE + 1u);
        return NULL;
    }
    /* compile */
    if (j->nblocks >= JIT_MAX_BLOCKS || j->used + (blen + 2) * JIT_MAX_INSN_BYTES > JIT_CODE_BYTES)
        jit_flush(j);
    uint8_t *start = j->buf + j->used;
    struct emit e = { .p = start, .page_off = (uint32_t)(pc & 0xfff), .blen = blen };
    EMIT(&e, 0x53, 0x41, 0x55);                      /* push rbx; push r13 */
    EMIT(&e, 0x48, 0x89, 0xfb, 0x49, 0x89, 0xf5);    /* mov rbx, rdi; mov r13, rsi */
    /* the chained entry (r13 = pc, h->pc = pc): take the block's budget */
    uint8_t *chain = e.p, *short_budget;
    EMIT(&e, 0x48, 0x8b, 0x83); b4(&e, ILOFF);       /* mov rax, [insn_left] */
    EMIT(&e, 0x48, 0x3d); b4(&e, blen);              /* cmp rax, blen */
    EMIT(&e, 0x0f, 0x82); short_budget = e.p; b4(&e, 0); /* jb: the interpreter runs it */
    EMIT(&e, 0x48, 0x2d); b4(&e, blen);              /* sub rax, blen */
    EMIT(&e, 0x48, 0x89, 0x83); b4(&e, ILOFF);       /* mov [insn_left], rax */
    const struct rv_dinsn *d = first;
    uint32_t off = 0;
    bool jumped = false;
    for (unsigned k = 0; k < blen; k++) {
        if (!emit_insn(&e, d, off, k)) {
            first->jit = RV_JIT_NONE;
            return NULL;
        }
        jumped = is_jump(d->op);
        off += d->len;
        d += d->len >> 1;
    }
    if (!jumped)
        exit_to(&e, off);
    patch_to_here(&e, short_budget);
    ret_r(&e, 0);
    uint32_t idx = j->nblocks++;
    j->blocks[idx] = (struct rv_jit_block){ .owner = first, .off = j->used,
                                            .chain = (uint32_t)(chain - j->buf) };
    first->jit = (uint16_t)idx;
    fn = (rv_jit_fn)(void *)start;
    j->used = (uint32_t)(e.p - j->buf);
    j->used = (j->used + 15u) & ~15u;
    return fn;
}

void rv_jit_link(struct rv_hart *h, uint64_t site, struct rv_dinsn *target, uint64_t pc)
{
    struct rv_jit *j = h->jit;
    uint64_t flushes = j->flushes;
    unsigned blen = target->blen ? target->blen : rv_block_len(h, target, pc);
    if (!rv_jit_code(h, target, blen, pc) || j->flushes != flushes)
        return; /* interpreted, or the cache was emptied (site is gone) */
    uint8_t *rel = (uint8_t *)(uintptr_t)site;
    uint8_t *to = j->buf + j->blocks[target->jit].chain;
    uint32_t v = (uint32_t)(to - (rel + 4));
    memcpy(rel, &v, 4);
}

void rv_jit_free(struct rv_hart *h)
{
    if (h->jit && h->jit_owner) {
        munmap(h->jit->buf, JIT_CODE_BYTES);
        free(h->jit);
    }
    h->jit = NULL;
    h->jit_owner = false;
}

#else /* not an x86-64 host: everything is interpreted */

rv_jit_fn rv_jit_code(struct rv_hart *h, struct rv_dinsn *first, unsigned blen, uint64_t pc)
{
    (void)h; (void)blen; (void)pc;
    first->jit = RV_JIT_NONE;
    return NULL;
}

void rv_jit_link(struct rv_hart *h, uint64_t site, struct rv_dinsn *target, uint64_t pc)
{
    (void)h; (void)site; (void)target; (void)pc;
}

void rv_jit_free(struct rv_hart *h)
{
    h->jit = NULL;
    h->jit_owner = false;
}

#endif
