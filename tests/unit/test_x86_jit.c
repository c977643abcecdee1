/* Unit tests for the x86 core's compiled blocks (src/cpu/x86/jit.c;
 * docs/x86.md "Performance" item 4g).
 *
 * The reference is the interpreter (machine.interp_only, --engine interp):
 * the same random 64-bit code run on two machines, one compiling every
 * block the first time it starts (x86_jit.hot = 0) and one without compiled
 * code, must give the same registers, RFLAGS, RIP, memory and retired
 * counts after every run() of random budgets 1..60 (and sometimes up to
 * 400) — budgets that cut blocks anywhere, so virtual time is exact inside
 * compiled blocks too. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "x86_fixture.h"
#include "cpu/x86/icache.h"
#include "cpu/x86/jit.h"

Suite *x86_jit_suite(void);

#define DATA X86F_DATA      /* rbp points here: random operands in [rbp + 0..127] */
#define LOOPS 40

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct code {
    uint8_t b[16384];
    unsigned n;
    int rip_disp;  /* enc(): where the disp32 of a RIP-relative operand is, or -1 */
    bool has_rip;  /* some instruction has one */
    unsigned call[64], ncall; /* rel32 fields of CALLs to the leaf (patched at the end) */
};
static void put(struct code *c, unsigned v) { c->b[c->n++] = (uint8_t)v; }
static void put4(struct code *c, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put(c, (v >> (8 * i)) & 0xff);
}

/* registers the random code may change: rax rcx rdx rbx rsi rdi r8-r11
 * (rsp: the stack, rbp: the data pointer, r15: the loop counter) */
static const unsigned pool[] = { 0, 1, 2, 3, 6, 7, 8, 9, 10, 11 };
static unsigned preg(uint64_t *s) { return pool[rnd(s) % 10]; }

/* [66] [REX] opcode modrm for a register operand pair or [rbp + disp8] /
 * RIP-relative / absolute memory operands of size sz. Byte operands: with
 * REX (pool registers) or without (4-7 = AH..BH, registers 0-3 only). */
struct opnd {
    bool mem;
    unsigned rm;
};
#define X 0x100u /* enc(): reg is an opcode extension */
static void enc(struct code *c, uint64_t *s, unsigned sz, const uint8_t *opc, unsigned nopc, unsigned reg,
                struct opnd o, uint64_t base_la)
{
    bool ext = reg & X; /* reg is an opcode extension, not a register */
    reg &= ~X;
    bool high = sz == 1 && !(reg >= 8) && !(o.rm >= 8) && rnd(s) % 3 == 0;
    if (high) { /* AH..BH forms: registers 0..7 without REX (4..7 = high bytes of 0..3) */
        if (!ext) {
            reg &= 3;
            reg += (rnd(s) & 1) ? 4 : 0;
        }
        if (!o.mem) {
            o.rm &= 3;
            o.rm += (rnd(s) & 1) ? 4 : 0;
        }
    }
    if (sz == 2)
        put(c, 0x66);
    unsigned rex = (sz == 8 ? 8u : 0) | (reg >= 8 ? 4u : 0) | (!o.mem && o.rm >= 8 ? 1u : 0);
    if (rex || (sz == 1 && !high))
        put(c, 0x40 | rex);
    for (unsigned i = 0; i < nopc; i++)
        put(c, opc[i]);
    unsigned mode = o.mem ? (unsigned)(rnd(s) % 4) : 3;
    if (!o.mem) {
        put(c, 0xc0 | (reg & 7) << 3 | (o.rm & 7));
    } else if (mode == 0) { /* RIP-relative into the data page */
        put(c, (reg & 7) << 3 | 5);
        c->rip_disp = (int)c->n; /* patched by fix_rip: it needs the end of the instruction */
        c->has_rip = true;
        c->n += 4;
    } else if (mode == 1) { /* absolute [disp32] */
        put(c, (reg & 7) << 3 | 4);
        put(c, 0x25);
        put4(c, (uint32_t)(DATA + rnd(s) % 120));
    } else { /* [rbp + disp8] */
        put(c, 0x40 | (reg & 7) << 3 | 5);
        put(c, (unsigned)(rnd(s) % 120));
    }
    (void)base_la;
}
/* an instruction just emitted with enc() that has a RIP-relative operand
 * and imm_bytes of immediate after the displacement: fix its disp32 */
static void fix_rip(struct code *c, uint64_t code_la, uint64_t *s)
{
    if (c->rip_disp < 0)
        return;
    uint64_t next = code_la + c->n;
    uint32_t d = (uint32_t)(DATA + rnd(s) % 120 - next);
    memcpy(&c->b[c->rip_disp], &d, 4);
    c->rip_disp = -1;
}

static void imm(struct code *c, unsigned sz, uint64_t v)
{
    if (sz == 1)
        put(c, v & 0xff);
    else if (sz == 2)
        put(c, v & 0xff), put(c, (v >> 8) & 0xff);
    else
        put4(c, (uint32_t)v);
}

/* One random instruction (or a short group: PUSH/POP, Jcc over the next
 * ones) at the end of c; code_la: where c->b[0] runs. */
static unsigned jcc_depth; /* inside the code a Jcc skips: no Jcc there */
static void random_insn(struct code *c, uint64_t *s, uint64_t code_la)
{
    static const unsigned szs[] = { 1, 2, 4, 4, 8, 8 };
    unsigned sz = szs[rnd(s) % 6];
    unsigned pick = (unsigned)(rnd(s) % 100);
    unsigned start = c->n, immb = 0;
    c->rip_disp = -1;
    struct opnd reg = { false, preg(s) }, mem = { true, 0 };
    struct opnd o = rnd(s) % 3 == 0 ? mem : reg;
    uint8_t op[3];
    if (pick < 22) { /* ALU r/m, r and r, r/m */
        unsigned aop = (unsigned)(rnd(s) % 8), dir = (unsigned)(rnd(s) % 2);
        op[0] = (uint8_t)(aop << 3 | dir << 1 | (sz == 1 ? 0 : 1));
        enc(c, s, sz, op, 1, preg(s), o, code_la);
    } else if (pick < 34) { /* ALU r/m, imm (81, 83) */
        unsigned aop = (unsigned)(rnd(s) % 8);
        bool short_imm = sz != 1 && rnd(s) % 2;
        op[0] = sz == 1 ? 0x80 : short_imm ? 0x83 : 0x81;
        enc(c, s, sz, op, 1, aop | X, o, code_la);
        immb = short_imm || sz == 1 ? 1 : sz == 2 ? 2 : 4;
        imm(c, immb == 1 ? 1 : immb, rnd(s));
    } else if (pick < 40) { /* TEST r/m, r; TEST r/m, imm */
        if (rnd(s) % 2) {
            op[0] = sz == 1 ? 0x84 : 0x85;
            enc(c, s, sz, op, 1, preg(s), o, code_la);
        } else {
            op[0] = sz == 1 ? 0xf6 : 0xf7;
            enc(c, s, sz, op, 1, X, o, code_la);
            immb = sz == 1 ? 1 : sz == 2 ? 2 : 4;
            imm(c, immb, rnd(s));
        }
    } else if (pick < 50) { /* MOV r/m, r; r, r/m; r/m, imm; r, imm */
        unsigned k = (unsigned)(rnd(s) % 4);
        if (k < 2) {
            op[0] = (uint8_t)(0x88 | k << 1 | (sz == 1 ? 0 : 1));
            enc(c, s, sz, op, 1, preg(s), o, code_la);
        } else if (k == 2) {
            op[0] = sz == 1 ? 0xc6 : 0xc7;
            enc(c, s, sz, op, 1, X, o, code_la);
            immb = sz == 1 ? 1 : sz == 2 ? 2 : 4;
            imm(c, immb, rnd(s));
        } else {
            unsigned r = preg(s);
            if (sz == 8) put(c, 0x48 | (r >> 3));
            else if (r >= 8) put(c, 0x41);
            put(c, 0xb8 + (r & 7));
            if (sz == 8) { put4(c, (uint32_t)rnd(s)); put4(c, (uint32_t)rnd(s)); }
            else put4(c, (uint32_t)rnd(s));
        }
    } else if (pick < 54) { /* LEA r, [b + i*s + d] / [b + d] / [d] / [rip + d]; 64 or 32 bits, 0x67 */
        unsigned r = preg(s), b = preg(s), i = preg(s), form = (unsigned)(rnd(s) % 6);
        bool w = rnd(s) % 3 != 0;
        if (rnd(s) % 4 == 0)
            put(c, 0x67); /* 32-bit address */
        if (form >= 4 && rnd(s) % 2)
            b = RSP; /* [rsp + d]: base rsp needs a SIB byte */
        unsigned rex = (w ? 8u : 0) | (r >> 3) << 2 | (form < 3 ? (i >> 3) << 1 : 0) | (b >> 3);
        if (rex)
            put(c, 0x40 | rex);
        put(c, 0x8d);
        if (form < 3) {
            put(c, 0x80 | (r & 7) << 3 | 4);
            put(c, (unsigned)(rnd(s) % 4) << 6 | (i & 7) << 3 | (b & 7));
        } else if (form == 3) {
            put(c, (r & 7) << 3 | 4); /* [disp32] (no base, no index) */
            put(c, 0x25);
        } else {
            put(c, 0x80 | (r & 7) << 3 | (b & 7));
            if ((b & 7) == 4)
                put(c, 0x24);
        }
        put4(c, (uint32_t)rnd(s));
    } else if (pick < 60) { /* INC DEC NOT NEG */
        unsigned k = (unsigned)(rnd(s) % 4);
        op[0] = k < 2 ? (sz == 1 ? 0xfe : 0xff) : (sz == 1 ? 0xf6 : 0xf7);
        enc(c, s, sz, op, 1, k | X, o, code_la);
    } else if (pick < 68) { /* shifts and rotates of registers by imm / 1 / CL */
        unsigned g = (unsigned)(rnd(s) % 8);
        if (g == 2 || g == 3) g += 2;
        if (rnd(s) % 3 == 0) { /* by CL, often a count of 0, 1 or past the width */
            static const uint8_t counts[] = { 0, 1, 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0x9f,
                                              0x20, 0x40, 0x41, 0x21 };
            if (rnd(s) % 4) { put(c, 0xb1); put(c, counts[rnd(s) % 22]); } /* mov cl, imm8 */
            op[0] = sz == 1 ? 0xd2 : 0xd3;
            enc(c, s, sz, op, 1, g | X, reg, code_la);
            if (rnd(s) % 2) { /* SETcc of a register: the flags it left are read */
                unsigned r = preg(s);
                put(c, 0x40 | (r >> 3));
                put(c, 0x0f); put(c, 0x90 | (unsigned)(rnd(s) % 16)); put(c, 0xc0 | (r & 7));
            }
            fix_rip(c, code_la, s);
            return;
        }
        bool one = rnd(s) % 4 == 0;
        op[0] = one ? (sz == 1 ? 0xd0 : 0xd1) : (sz == 1 ? 0xc0 : 0xc1);
        enc(c, s, sz, op, 1, g | X, reg, code_la);
        if (!one) { put(c, (unsigned)(rnd(s) % 70)); immb = 1; }
    } else if (pick < 74) { /* MOVZX MOVSX MOVSXD */
        unsigned k = (unsigned)(rnd(s) % 5), dsz = rnd(s) % 2 ? 8 : 4;
        if (k == 4) {
            op[0] = 0x63;
            enc(c, s, 8, op, 1, preg(s), o, code_la);
        } else {
            op[0] = 0x0f;
            op[1] = (uint8_t)(k < 2 ? 0xb6 + k : 0xbe + (k - 2));
            /* the source size is the opcode's; REX only for W / extended registers */
            unsigned r = preg(s);
            if (rnd(s) % 5 == 0) dsz = 2;
            enc(c, s, dsz, op, 2, r, o, code_la);
        }
    } else if (pick < 79) { /* IMUL r, r/m; IMUL r, r/m, imm */
        unsigned isz = rnd(s) % 2 ? 8 : 4;
        if (rnd(s) % 2) {
            op[0] = 0x0f; op[1] = 0xaf;
            enc(c, s, isz, op, 2, preg(s), o, code_la);
        } else {
            op[0] = 0x69;
            enc(c, s, isz, op, 1, preg(s), o, code_la);
            immb = 4;
            put4(c, (uint32_t)rnd(s));
        }
    } else if (pick < 84) { /* CMOVcc, SETcc */
        unsigned cc = (unsigned)(rnd(s) % 16);
        if (rnd(s) % 2) {
            op[0] = 0x0f; op[1] = (uint8_t)(0x40 | cc);
            enc(c, s, rnd(s) % 2 ? 8 : 4, op, 2, preg(s), o, code_la);
        } else {
            op[0] = 0x0f; op[1] = (uint8_t)(0x90 | cc);
            enc(c, s, 1, op, 2, X, o, code_la);
        }
    } else if (pick < 88) { /* PUSH r / imm then POP r */
        unsigned a = preg(s), b = preg(s);
        if (rnd(s) % 3 == 0) { put(c, 0x6a); put(c, (unsigned)rnd(s) & 0xff); }
        else { if (a >= 8) put(c, 0x41); put(c, 0x50 + (a & 7)); }
        if (b >= 8) put(c, 0x41);
        put(c, 0x58 + (b & 7));
    } else if (pick < 94 && !jcc_depth) { /* Jcc over the next one or two instructions */
        unsigned cc = (unsigned)(rnd(s) % 16);
        static struct code t;
        t.n = 0;
        jcc_depth++;
        unsigned k = 1 + (unsigned)(rnd(s) % 2);
        for (unsigned i = 0; i < k; i++) {
            unsigned p0 = t.n;
            /* no RIP-relative operands in the skipped code (its address moves) */
            do {
                t.n = p0;
                t.has_rip = false;
                random_insn(&t, s, 0);
            } while (t.has_rip || t.n > 100);
        }
        jcc_depth--;
        put(c, 0x70 | cc);
        put(c, t.n);
        memcpy(c->b + c->n, t.b, t.n);
        c->n += t.n;
        return;
    } else if (pick < 96) { /* no fast handler: BSWAP, PUSHF/POP (interpreted between blocks) */
        unsigned r = preg(s);
        if (rnd(s) % 2) { put(c, 0x48 | (r >> 3)); put(c, 0x0f); put(c, 0xc8 + (r & 7)); }
        else { put(c, 0x9c); if (r >= 8) put(c, 0x41); put(c, 0x58 + (r & 7)); }
    } else if (pick < 97 && !jcc_depth && c->ncall < 64) { /* CALL the leaf (after the HLT) */
        put(c, 0xe8);
        c->call[c->ncall++] = c->n;
        put4(c, 0);
    } else if (pick < 98 && rnd(s) % 2) { /* DIV r32/64 by a register, the quotient fitting */
        unsigned r = preg(s), w = rnd(s) % 2 ? 8u : 0;
        if (r == RAX || r == RDX)
            r = RBX;
        put(c, 0x48 | (r >> 3)); put(c, 0x81); put(c, 0xc8 | (r & 7)); put4(c, 0x100); /* or r, 0x100 */
        put(c, 0x48); put(c, 0x81); put(c, 0xe2); put4(c, 0xff);                 /* and rdx, 0xff */
        put(c, 0x40 | w | (r >> 3)); put(c, 0xf7); put(c, 0xf0 | (r & 7));        /* div r */
    } else if (pick < 98) { /* CDQ / CQO, CWDE / CDQE: fast handlers not compiled (calls) */
        if (rnd(s) % 2) put(c, 0x48);
        put(c, rnd(s) % 2 ? 0x98 : 0x99);
    } else { /* ADC / SBB with a register */
        op[0] = (uint8_t)((rnd(s) % 2 ? 0x10 : 0x18) | (sz == 1 ? 0 : 1));
        enc(c, s, sz, op, 1, preg(s), reg, code_la);
    }
    (void)start;
    (void)immb;
    fix_rip(c, code_la, s);
}

static struct x86f *machine_with(const struct code *c, bool interp, uint64_t seed)
{
    struct x86f *f = x86f_new();
    f->m->interp_only = interp;
    x86f_code(f, X86F_CODE, c->b, c->n);
    uint64_t s = seed;
    for (unsigned i = 0; i < 512; i++)
        x86f_w64(f, DATA + 8 * i, rnd(&s));
    for (unsigned r = 0; r < 16; r++)
        f->x->r[r] = rnd(&s);
    f->x->r[RSP] = X86F_STACK;
    f->x->r[RBP] = DATA;
    f->x->r[R15] = LOOPS;
    x86f_set_flags(f, rnd(&s) & FL_ARITH);
    if (!interp) {
        struct x86_jit *j = x86_jit_of(f->x);
        ck_assert_ptr_nonnull(j);
        j->hot = 0; /* compile every block the first time it starts */
    }
    return f;
}

static void check_same(struct x86f *a, struct x86f *b, const char *what, unsigned step)
{
    struct x86_cpu *xa = a->x, *xb = b->x;
    ck_assert_msg(xa->rip == xb->rip, "%s step %u: rip %llx vs %llx", what, step,
                  (unsigned long long)xa->rip, (unsigned long long)xb->rip);
    if (memcmp(xa->r, xb->r, sizeof xa->r) != 0) {
        for (int r = 0; r < 16; r++)
            ck_assert_msg(xa->r[r] == xb->r[r], "%s step %u rip %llx: r%d %llx vs %llx", what, step,
                          (unsigned long long)xa->rip, r, (unsigned long long)xa->r[r],
                          (unsigned long long)xb->r[r]);
    }
    ck_assert_msg(xa->rflags == xb->rflags, "%s step %u rip %llx: rflags %llx vs %llx", what, step,
                  (unsigned long long)xa->rip, (unsigned long long)xa->rflags, (unsigned long long)xb->rflags);
    ck_assert_uint_eq(a->c->retired, b->c->retired);
    uint8_t da[4096], db[4096];
    x86f_read(a, DATA, da, sizeof da);
    x86f_read(b, DATA, db, sizeof db);
    ck_assert_msg(memcmp(da, db, sizeof da) == 0, "%s step %u: data memory differs", what, step);
    x86f_read(a, X86F_STACK - 4096, da, sizeof da);
    x86f_read(b, X86F_STACK - 4096, db, sizeof db);
    ck_assert_msg(memcmp(da, db, sizeof da) == 0, "%s step %u: stack differs", what, step);
}

/* Runs both to their HLT in random budgets, comparing after every run. */
static void run_both(struct x86f *jit, struct x86f *ref, uint64_t *s, const char *what)
{
    for (unsigned step = 0; step < 100000; step++) {
        /* mostly 1..60 (cuts inside blocks), sometimes up to 400 (whole
         * chains of compiled blocks) */
        uint64_t budget = 1 + rnd(s) % (rnd(s) % 4 ? 60 : 400);
        uint64_t ra = x86f_run(jit, budget), rb = x86f_run(ref, budget);
        ck_assert_uint_eq(ra, rb);
        check_same(jit, ref, what, step);
        ck_assert_int_eq(jit->c->state, ref->c->state);
        if (ref->c->state != CPU_RUNNING)
            return;
    }
    ck_abort_msg("%s: no HLT", what);
}

/* Random code in a loop (LOOPS times: the blocks are compiled and run
 * compiled, chained inside the page), ending in HLT. */
START_TEST(test_differential_random)
{
    uint64_t seed = 0x86a17000ull + (uint64_t)_i;
    static struct code c;
    c.n = 0;
    c.ncall = 0;
    /* odd runs: the code starts 256 bytes before a page's end (blocks end
     * at the page boundary and go on on the next page, branches cross it)
     * and the leaf is on the page after the HLT's: exits, CALLs and RETs
     * across pages (jit.c dispatch_stub) */
    bool far = _i % 2 == 1;
    if (far) {
        put(&c, 0xe9); put4(&c, 0xf00 - 5); /* jmp over the padding */
        memset(c.b + c.n, 0xcc, 0xf00 - c.n);
        c.n = 0xf00;
    }
    unsigned n = 40 + (unsigned)(rnd(&seed) % 80);
    for (unsigned k = 0, c0 = c.n; k < n && c.n < c0 + 3000; k++)
        random_insn(&c, &seed, X86F_CODE);
    /* dec r15; jnz start; hlt */
    put(&c, 0x49); put(&c, 0xff); put(&c, 0xcf);
    put(&c, 0x0f); put(&c, 0x85); put4(&c, (uint32_t)-(int32_t)(c.n + 4));
    put(&c, 0xf4);
    unsigned hlt_end = c.n;
    if (far) {
        unsigned to = ((c.n + 0xfffu) & ~0xfffu) + 0x10;
        memset(c.b + c.n, 0xcc, to - c.n);
        c.n = to;
    }
    /* the leaf: lea rax, [rax + rcx*2 + 5]; add rdx, rax; ret */
    unsigned leaf = c.n;
    static const uint8_t leaf_code[] = { 0x48, 0x8d, 0x44, 0x48, 0x05, 0x48, 0x01, 0xc2, 0xc3 };
    memcpy(c.b + c.n, leaf_code, sizeof leaf_code);
    c.n += sizeof leaf_code;
    for (unsigned i = 0; i < c.ncall; i++) {
        uint32_t rel = (uint32_t)(leaf - (c.call[i] + 4));
        memcpy(&c.b[c.call[i]], &rel, 4);
    }
    struct x86f *jit = machine_with(&c, false, seed), *ref = machine_with(&c, true, seed);
    run_both(jit, ref, &seed, "random");
    ck_assert_int_eq(ref->c->state, CPU_SLEEPING);
    ck_assert_uint_eq(ref->x->rip, X86F_CODE + hlt_end); /* its own HLT, no exception */
    /* the compiled engine did compile something */
    ck_assert_uint_gt(jit->x->jit->compiled, 0);
    ck_assert_ptr_null(ref->x->jit);
    x86f_free(jit);
    x86f_free(ref);
}
END_TEST

/* Shifts and rotates by CL and by immediates of every size, with the
 * counts where the flags are subtle (0, 1, the width, past it, past the
 * mask), each followed by PUSHFQ / POP (the flags it left are read, and
 * PUSHFQ ends the block): the same registers and flags as the
 * interpreter. */
START_TEST(test_shifts)
{
    static struct code c;
    c.n = 0;
    c.ncall = 0;
    static const uint8_t counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65 };
    static const unsigned szs[] = { 1, 2, 4, 8 }, ops[] = { 0, 1, 4, 5, 7 };
    uint64_t seed = 0x5b1f7ull;
    for (unsigned si = 0; si < 4; si++)
        for (unsigned oi = 0; oi < 5; oi++)
            for (unsigned ci = 0; ci < 15; ci++) {
                unsigned sz = szs[si], g = ops[oi], r = preg(&seed);
                if (r == RCX)
                    r = RAX;
                bool cl = (ci + oi) % 2 == 0;
                uint8_t op = cl ? (sz == 1 ? 0xd2 : 0xd3) : (sz == 1 ? 0xc0 : 0xc1);
                uint64_t v = rnd(&seed);
                if (ci % 2)
                    v |= 0x8000000080008080ull; /* the sign bits of every size */
                put(&c, 0x48 | (r >> 3)); put(&c, 0xb8 + (r & 7));  /* mov r, imm64 */
                put4(&c, (uint32_t)v); put4(&c, (uint32_t)(v >> 32));
                if (cl) { put(&c, 0xb1); put(&c, counts[ci]); }      /* mov cl, count */
                if (sz == 2) put(&c, 0x66);
                put(&c, 0x40 | (sz == 8 ? 8u : 0) | (r >> 3));
                put(&c, op); put(&c, 0xc0 | g << 3 | (r & 7));
                if (!cl) put(&c, counts[ci]);
                put(&c, 0x9c);                                     /* pushfq */
                put(&c, 0x5a);                                     /* pop rdx */
                put(&c, 0x48); put(&c, 0x31); put(&c, 0xd3);       /* xor rbx, rdx */
                put(&c, 0x48); put(&c, 0xc1); put(&c, 0xc3); put(&c, 0x07); /* rol rbx, 7 */
            }
    /* dec r15; jnz start; hlt */
    put(&c, 0x49); put(&c, 0xff); put(&c, 0xcf);
    put(&c, 0x0f); put(&c, 0x85); put4(&c, (uint32_t)-(int32_t)(c.n + 4));
    put(&c, 0xf4);
    for (unsigned k = 0; k < 3; k++) {
        uint64_t s = seed + k;
        struct x86f *jit = machine_with(&c, false, s), *ref = machine_with(&c, true, s);
        run_both(jit, ref, &s, "shifts");
        ck_assert_int_eq(ref->c->state, CPU_SLEEPING);
        x86f_free(jit);
        x86f_free(ref);
    }
}
END_TEST

/* Self-modifying code inside a compiled loop: the loop stores a new
 * immediate into its own MOV each iteration; every iteration must see the
 * value just stored (the store into the code page leaves the compiled
 * block, resets the page and its code is compiled again). */
START_TEST(test_smc)
{
    static const uint8_t prog[] = {
        0xb8, 0x00, 0x00, 0x00, 0x00,             /* 0: mov eax, imm32 (rewritten) */
        0x01, 0xc3,                               /* 5: add ebx, eax */
        0xff, 0xc1,                               /* 7: inc ecx */
        0x89, 0x0d, 0xf2, 0xff, 0xff, 0xff,       /* 9: mov [rip - 14], ecx: the imm32 at 1 */
        0x49, 0xff, 0xcf,                         /* 15: dec r15 */
        0x75, 0xec,                               /* 18: jnz 0 */
        0xf4,                                     /* 20: hlt */
    };
    static struct code c;
    c.n = sizeof prog;
    memcpy(c.b, prog, sizeof prog);
    uint64_t seed = 1;
    struct x86f *jit = machine_with(&c, false, 7), *ref = machine_with(&c, true, 7);
    jit->x->r[RBX] = ref->x->r[RBX] = 0;
    jit->x->r[RCX] = ref->x->r[RCX] = 0;
    run_both(jit, ref, &seed, "smc");
    /* mov eax, 0 then 1, 2, ...: the sum of 0..LOOPS-1 */
    ck_assert_uint_eq(jit->x->r[RBX], (uint64_t)LOOPS * (LOOPS - 1) / 2);
    x86f_free(jit);
    x86f_free(ref);
}
END_TEST

/* A load that faults (#PF: linear 0x40000000 is not mapped) in the middle
 * of a block that ran compiled: the exception is taken at that instruction
 * with the registers of the instructions before it and the same count. */
START_TEST(test_fault_mid_block)
{
    static const uint8_t prog[] = {
        0x48, 0x83, 0xc0, 0x01,                   /* add rax, 1 */
        0x48, 0x8b, 0x16,                         /* mov rdx, [rsi] */
        0x48, 0x01, 0xd3,                         /* add rbx, rdx */
        0x48, 0x81, 0xc6, 0x00, 0x00, 0x00, 0x00, /* add rsi, imm32 (patched) */
        0x49, 0xff, 0xcf,                         /* dec r15 */
        0x75, 0xea,                               /* jnz 0 */
        0xf4,
    };
    static struct code c;
    c.n = sizeof prog;
    memcpy(c.b, prog, sizeof prog);
    /* rsi walks up from 0x40000000 - 8 * 30: the 31st load faults */
    uint32_t step = 8;
    memcpy(&c.b[13], &step, 4);
    uint64_t seed = 3;
    struct x86f *jit = machine_with(&c, false, 9), *ref = machine_with(&c, true, 9);
    jit->x->r[RSI] = ref->x->r[RSI] = 0x40000000ull - 8 * 30;
    jit->x->r[RAX] = ref->x->r[RAX] = 0;
    x86f_map_2m(jit, 0x3fe00000, 0xe00000, X86F_PTE_P | X86F_PTE_RW);
    x86f_map_2m(ref, 0x3fe00000, 0xe00000, X86F_PTE_P | X86F_PTE_RW);
    run_both(jit, ref, &seed, "fault");
    /* both stopped in the #PF handler's HLT */
    ck_assert_uint_eq(jit->x->rip, X86F_VECS + 16 * X86_EXC_PF + 1);
    ck_assert_uint_eq(jit->x->r[RAX], 31);
    ck_assert_uint_eq(jit->x->cr2, 0x40000000ull);
    x86f_free(jit);
    x86f_free(ref);
}
END_TEST

/* DIV in a compiled loop until its quotient no longer fits: edx grows by
 * one each iteration and the divisor is 8, so the 9th DIV raises #DE
 * (the compiled code leaves it to the interpreter): the exception at that
 * DIV with the state of the iterations before it. */
START_TEST(test_div)
{
    static const uint8_t prog[] = {
        0x48, 0x83, 0xc0, 0x05,                   /* add rax, 5 */
        0x48, 0x89, 0xd6,                         /* mov rsi, rdx */
        0xf7, 0xf1,                               /* div ecx: eax = edx:eax / 8, edx = remainder */
        0x48, 0x01, 0xc3,                         /* add rbx, rax */
        0x48, 0x8d, 0x56, 0x01,                   /* lea rdx, [rsi + 1] */
        0x49, 0xff, 0xcf,                         /* dec r15 */
        0x75, 0xeb,                               /* jnz 0 */
        0xf4,
    };
    static struct code c;
    c.n = sizeof prog;
    memcpy(c.b, prog, sizeof prog);
    uint64_t seed = 5;
    struct x86f *jit = machine_with(&c, false, 11), *ref = machine_with(&c, true, 11);
    for (int k = 0; k < 2; k++) {
        struct x86f *f = k ? ref : jit;
        f->x->r[RAX] = 0x12345678;
        f->x->r[RBX] = 0;
        f->x->r[RCX] = 8;
        f->x->r[RDX] = 0;
    }
    run_both(jit, ref, &seed, "div");
    ck_assert_uint_eq(jit->x->rip, X86F_VECS + 16 * X86_EXC_DE + 1);
    ck_assert_uint_eq(jit->x->r[RSI], 8); /* rdx = 8 when the 9th DIV faulted */
    x86f_free(jit);
    x86f_free(ref);
}
END_TEST

Suite *x86_jit_suite(void)
{
    Suite *s = suite_create("x86_jit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_differential_random, 0, 48);
    tcase_add_test(tc, test_shifts);
    tcase_add_test(tc, test_div);
    tcase_add_test(tc, test_smc);
    tcase_add_test(tc, test_fault_mid_block);
    suite_add_tcase(s, tc);
    return s;
}
