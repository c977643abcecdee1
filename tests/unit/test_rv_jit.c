/* Unit tests for the RISC-V blocks and their compiled code (src/cpu/riscv/
 * block.c, jit.c; docs/architecture.md "Blocks and compiled code").
 *
 * The reference is the interpreter (machine.interp_only, --engine interp): the same program
 * run on two machines, one with compiled blocks and one without, must give
 * the same registers, memory, pc and retired counts after every run() of
 * every budget — budgets that cut blocks anywhere, so virtual time is exact
 * inside blocks too. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "rv_fixture_h.h"
#include "cpu/riscv/jit.h"
#include "cpu/riscv/isa.h"

Suite *rv_jit_suite(void);

#define CODE 0x80001000ull  /* program */
#define DATA 0x80100000ull  /* x10 points here; loads and stores stay within 4 KiB */
#define SUB  0x80003000ull  /* a subroutine for the self-modifying code test */

/* splitmix64 */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A random instruction from what the compiler handles and what it does not
 * (DIV/REM, CSR reads, Zb*: interpreted blocks in between). Registers
 * x1..x9 and x11..x15; x10 is the data pointer. k = index in the program,
 * n = program length (forward branches stay inside it). */
static uint32_t random_insn(uint64_t *s, unsigned k, unsigned n)
{
    static const unsigned regs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15 };
    unsigned rd = regs[1 + rnd(s) % 14], rs1 = regs[rnd(s) % 15], rs2 = regs[rnd(s) % 15];
    int32_t imm = (int32_t)(rnd(s) % 4096) - 2048;
    unsigned pick = (unsigned)(rnd(s) % 100);
    if (pick < 30) {            /* OP / OP-32 */
        static const struct { unsigned f3, f7, opc; } t[] = {
            { 0, 0, 0x33 }, { 0, 0x20, 0x33 }, { 1, 0, 0x33 }, { 2, 0, 0x33 }, { 3, 0, 0x33 },
            { 4, 0, 0x33 }, { 5, 0, 0x33 }, { 5, 0x20, 0x33 }, { 6, 0, 0x33 }, { 7, 0, 0x33 },
            { 0, 1, 0x33 }, { 0, 0, 0x3b }, { 0, 0x20, 0x3b }, { 1, 0, 0x3b }, { 5, 0, 0x3b },
            { 5, 0x20, 0x3b }, { 0, 1, 0x3b }, { 4, 1, 0x33 }, { 7, 1, 0x3b }, { 6, 0x20, 0x33 },
        };
        unsigned i = (unsigned)(rnd(s) % (sizeof t / sizeof t[0]));
        return rvf_r(t[i].opc, rd, t[i].f3, rs1, rs2, t[i].f7);
    }
    if (pick < 55) {            /* OP-IMM / OP-IMM-32 */
        unsigned f3 = (unsigned)(rnd(s) % 8);
        if (f3 == 1)
            return rvf_i(0x13, rd, 1, rs1, imm & 63);
        if (f3 == 5)
            return rvf_i(0x13, rd, 5, rs1, (imm & 63) | (rnd(s) & 1 ? 0x400 : 0));
        if (rnd(s) % 3 == 0) {
            unsigned w = (unsigned)(rnd(s) % 4);
            if (w == 0) return rvf_i(0x1b, rd, 0, rs1, imm);
            if (w == 1) return rvf_i(0x1b, rd, 1, rs1, imm & 31);
            return rvf_i(0x1b, rd, 5, rs1, (imm & 31) | (w == 3 ? 0x400 : 0));
        }
        return rvf_i(0x13, rd, f3, rs1, imm);
    }
    if (pick < 60)
        return rnd(s) & 1 ? rvf_u(0x37, rd, (uint32_t)rnd(s)) : rvf_u(0x17, rd, (uint32_t)rnd(s));
    if (pick < 72) {            /* loads from x10 + [0, 4088) (some misaligned) */
        unsigned f3 = (unsigned)(rnd(s) % 7);
        if (f3 == 3 && rnd(s) % 2) f3 = 6;
        if (f3 == 7) f3 = 4;
        return rvf_i(0x03, rd, f3 == 3 ? 3 : f3, 10, (int32_t)(rnd(s) % 2040));
    }
    if (pick < 84)              /* stores */
        return rvf_s(0x23, (unsigned)(rnd(s) % 4), 10, rs2, (int32_t)(rnd(s) % 2040));
    if (pick < 94 && k + 2 < n) { /* forward branch over 1..4 instructions */
        static const unsigned f3s[] = { 0, 1, 4, 5, 6, 7 };
        unsigned skip = 1 + (unsigned)(rnd(s) % 4);
        if (k + skip >= n) skip = n - k - 1;
        return rvf_b(f3s[rnd(s) % 6], rs1, rs2, (int32_t)(4 * skip));
    }
    if (pick < 97)
        return rvf_r(0x33, rd, 4 + (unsigned)(rnd(s) % 4), rs1, rs2, 1); /* DIV/DIVU/REM/REMU */
    return rvf_csrrs(rd, RVF_INSTRET, 0);
}

static struct machine *machine_with(const uint32_t *code, size_t n, bool interp)
{
    struct machine *m = rvf_machine_new(1);
    rvf_code(m, CODE, code, n);
    struct rv_hart *h = rvf_hart(m, 0);
    m->interp_only = interp; /* what --engine interp sets */
    h->pc = CODE;
    rv_set_priv(h, PRV_M);
    h->x[10] = DATA;
    for (unsigned i = 0; i < 512; i++)
        rvf_w64(m, DATA + 8 * i, 0x0123456789abcdefull * (i + 1));
    return m;
}

static void check_same(struct machine *a, struct machine *b, const char *what, unsigned step)
{
    struct rv_hart *ha = rvf_hart(a, 0), *hb = rvf_hart(b, 0);
    ck_assert_msg(ha->pc == hb->pc, "%s step %u: pc %llx vs %llx", what, step,
                  (unsigned long long)ha->pc, (unsigned long long)hb->pc);
    /* one assertion per check: each costs a write in check's protocol */
    if (memcmp(ha->x, hb->x, sizeof ha->x) != 0) {
        for (int r = 0; r < 32; r++)
            ck_assert_msg(ha->x[r] == hb->x[r], "%s step %u: x%d %llx vs %llx", what, step, r,
                          (unsigned long long)ha->x[r], (unsigned long long)hb->x[r]);
    }
    ck_assert_uint_eq(a->cpus[0]->retired, b->cpus[0]->retired);
    const uint8_t *ma = a->ram->host + (DATA - RVF_RAM), *mb = b->ram->host + (DATA - RVF_RAM);
    ck_assert_msg(memcmp(ma, mb, 4096) == 0, "%s step %u: data memory differs", what, step);
}

/* Random straight-line code with forward branches, ending in a loop back to
 * the start: compiled and interpreted give the same state after every
 * run(), with budgets from 1 to 60. */
START_TEST(test_differential_random)
{
    uint64_t seed = 0x5eed0000ull + (uint64_t)_i;
    enum { N = 300 };
    uint32_t code[N + 1];
    for (unsigned k = 0; k < N; k++)
        code[k] = random_insn(&seed, k, N);
    code[N] = rvf_j(0, -(int32_t)(4 * N)); /* jal x0, start */
    struct machine *jit = machine_with(code, N + 1, false);
    struct machine *ref = machine_with(code, N + 1, true);
    uint64_t total = 0;
    for (unsigned step = 0; total < 6000; step++) {
        uint64_t budget = 1 + rnd(&seed) % 60;
        uint64_t ra = rvf_run(jit, 0, budget), rb = rvf_run(ref, 0, budget);
        ck_assert_uint_eq(ra, rb);
        ck_assert_uint_eq(ra, budget); /* nothing here stops a run early */
        total += ra;
        check_same(jit, ref, "random", step);
    }
    /* the compiled engine did compile something */
    ck_assert_ptr_nonnull(rvf_hart(jit, 0)->jit);
    ck_assert_uint_gt(rvf_hart(jit, 0)->jit->nblocks, 1);
    ck_assert_ptr_null(rvf_hart(ref, 0)->jit);
    rvf_machine_free(jit);
    rvf_machine_free(ref);
}
END_TEST

/* Self-modifying code: a subroutine is called often enough to be
 * compiled, then the guest rewrites its first instruction with a store and
 * calls it again: the new instruction runs (the store reset the page's
 * slots and so dropped the code). */
START_TEST(test_smc_recompiles)
{
    const uint32_t sub[] = {
        rvf_addi(5, 5, 1),                 /* becomes addi x5, x5, 100 */
        rvf_i(0x67, 0, 0, 1, 0),           /* jalr x0, 0(x1) */
    };
    uint32_t patched = rvf_addi(5, 5, 100);
    const uint32_t prog[] = {
        rvf_u(0x17, 6, (uint32_t)(SUB - CODE)), /* auipc x6: x6 = SUB */
        rvf_addi(8, 0, 10),
        rvf_i(0x67, 1, 0, 6, 0),           /* 2: jalr x1, 0(x6): x5 += 1 */
        rvf_addi(8, 8, -1),
        rvf_b(1, 8, 0, -8),                /* bne x8, x0, 2 */
        rvf_lui(7, patched + ((patched & 0x800) << 1)),
        rvf_i(0x1b, 7, 0, 7, (int32_t)(patched << 20) >> 20), /* x7 = patched (addiw) */
        rvf_s(0x23, 2, 6, 7, 0),           /* sw x7, 0(x6) */
        rvf_addi(8, 0, 10),
        rvf_i(0x67, 1, 0, 6, 0),           /* 9: call: x5 += 100 */
        rvf_addi(8, 8, -1),
        rvf_b(1, 8, 0, -8),                /* bne x8, x0, 9 */
        rvf_j(0, 0),                       /* 12: loop here */
    };
    for (int interp = 0; interp < 2; interp++) {
        struct machine *m = machine_with(prog, sizeof prog / 4, interp);
        rvf_code(m, SUB, sub, 2);
        struct rv_hart *h = rvf_hart(m, 0);
        h->x[5] = 0;
        rvf_run(m, 0, 300);
        ck_assert_uint_eq(h->x[5], 1010);
        ck_assert_uint_eq(h->pc, CODE + 4 * 12);
        if (!interp)
            ck_assert_uint_gt(h->jit->nblocks, 1);
        rvf_machine_free(m);
    }
}
END_TEST

/* A load that misses the TLB fast path inside a compiled block (here: a
 * load access fault from unmapped space) traps at exactly its own
 * instruction: mepc, and the retired count up to it. */
START_TEST(test_fault_mid_block)
{
    const uint32_t prog[] = {
        rvf_addi(5, 0, 1),
        rvf_addi(5, 5, 2),
        rvf_lui(6, 0x10000000u),           /* x6 = 0x10000000: nothing mapped here in this fixture */
        rvf_ld(7, 6, 8),                   /* load access fault */
        rvf_addi(5, 5, 4),
        rvf_j(0, 0),
    };
    for (int interp = 0; interp < 2; interp++) {
        struct machine *m = machine_with(prog, sizeof prog / 4, interp);
        struct rv_hart *h = rvf_hart(m, 0);
        h->mtvec = RVF_MTVEC;
        const uint32_t loop = rvf_j(0, 0);
        rvf_code(m, RVF_MTVEC, &loop, 1);
        /* a budget that cuts the block (interpreted), then one that
         * covers it (compiled: the load leaves the code before itself) */
        uint64_t r = rvf_run(m, 0, 4);
        ck_assert_uint_eq(r, 4);
        ck_assert_uint_eq(h->mepc, CODE + 12);
        ck_assert_uint_eq(h->mcause, 5);     /* load access fault */
        ck_assert_uint_eq(h->pc, RVF_MTVEC);
        ck_assert_uint_eq(h->x[5], 3);
        for (unsigned rep = 0; rep < JIT_HOT + 2; rep++) { /* compiled after JIT_HOT starts */
            h->pc = CODE;
            h->x[5] = 0;
            r = rvf_run(m, 0, 10);
            ck_assert_uint_eq(r, 10);
            ck_assert_uint_eq(h->x[5], 3);
            ck_assert_uint_eq(h->mepc, CODE + 12);
            ck_assert_uint_eq(h->pc, RVF_MTVEC);
            ck_assert_uint_eq(m->cpus[0]->retired, 4 + 10 * (rep + 1));
        }
        if (!interp)
            ck_assert_uint_gt(h->jit->nblocks, 1);
        rvf_machine_free(m);
    }
}
END_TEST

/* ---- random code under Sv39, with compressed instructions and faults ----
 * S mode with paging: the code is mapped at two virtual pages that are not
 * contiguous in physical memory (it crosses from one to the other), x8
 * points at a writable data page and x10 at the start of the read-only page
 * after it, so 32-bit stores at x10 + [0, 2047] take store page faults in
 * the middle of blocks (and loads there do not). An M-mode handler skips
 * the faulting (always 32-bit) instruction. Compressed arithmetic, loads
 * and stores are mixed in. Both engines must agree after every run() of
 * budgets 1..60: registers, pc, privilege, retired count, trap CSRs and
 * both data pages. */
#define PG_CODE_VA  0x40000c00ull          /* program start, 1 KiB before a page end */
#define PG_CODE_PA1 0x80005000ull          /* VA 0x40000000 */
#define PG_CODE_PA2 0x80003000ull          /* VA 0x40001000: below PA1 */
#define PG_DATA_VA  0x40100000ull          /* RW; the next page is R only */
#define PG_DATA_PA  0x80100000ull

static uint64_t pg_code_pa(uint64_t va)
{
    return ((va >> 12) == 0x40000 ? PG_CODE_PA1 : PG_CODE_PA2) + (va & 0xfff);
}

/* Random regular registers: x1..x7, x9, x11..x15 (x8, x10 hold the data
 * pointers, x31 is the trap handler's); compressed ones: x9, x11..x15. */
static unsigned pg_reg(uint64_t *s)
{
    static const unsigned r[] = { 1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13, 14, 15 };
    return r[rnd(s) % 13];
}
static unsigned pg_creg(uint64_t *s)
{
    static const unsigned r[] = { 9, 11, 12, 13, 14, 15 };
    return r[rnd(s) % 6];
}

/* One random compressed instruction (unpriv spec ch. 16, Tables 16.5-16.7). */
static uint16_t pg_rvc(uint64_t *s)
{
    unsigned rd = pg_reg(s), rs2 = pg_reg(s), cd = pg_creg(s), cs = pg_creg(s);
    unsigned imm = (unsigned)(rnd(s) % 63) + 1; /* 1..63: never the hint/reserved 0 */
    switch (rnd(s) % 10) {
    case 0: return (uint16_t)(0u << 13 | (imm >> 5 & 1) << 12 | rd << 7 | (imm & 31) << 2 | 1); /* c.addi */
    case 1: return (uint16_t)(2u << 13 | (imm >> 5 & 1) << 12 | rd << 7 | (imm & 31) << 2 | 1); /* c.li */
    case 2: return (uint16_t)(1u << 13 | (imm >> 5 & 1) << 12 | rd << 7 | (imm & 31) << 2 | 1); /* c.addiw */
    case 3: return (uint16_t)(0u << 13 | (imm >> 5 & 1) << 12 | rd << 7 | (imm & 31) << 2 | 2); /* c.slli */
    case 4: return (uint16_t)(4u << 13 | (rnd(s) & 1) << 12 | rd << 7 | rs2 << 2 | 2); /* c.mv / c.add */
    case 5: /* c.srli / c.srai / c.andi */
        return (uint16_t)(4u << 13 | (imm >> 5 & 1) << 12 | (unsigned)(rnd(s) % 3) << 10 |
                          (cd - 8) << 7 | (imm & 31) << 2 | 1);
    case 6: /* c.sub c.xor c.or c.and c.subw c.addw */
        return (uint16_t)(4u << 13 | (rnd(s) % 2) << 12 | 3u << 10 | (cd - 8) << 7 |
                          (unsigned)(rnd(s) % 4 & ((rnd(s) & 1) ? 3 : 1)) << 5 | (cs - 8) << 2 | 1);
    case 7: return rvh_c_ld(cd, rnd(s) & 1 ? 8 : 10, 8 * (unsigned)(rnd(s) % 32));
    case 8: return rvh_c_lw(cd, rnd(s) & 1 ? 8 : 10, 4 * (unsigned)(rnd(s) % 32));
    default: return rvh_c_sd(cs, 8, 8 * (unsigned)(rnd(s) % 32));
    }
}

struct pg_insn { uint32_t bits; unsigned len; int branch_skip; };

static struct machine *pg_machine(const struct pg_insn *p, unsigned n, bool interp)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    m->interp_only = interp;
    rvf_pmp_allow_all(h);
    struct rvh_pt pt = { .m = m, .next = RVH_PT_BASE };
    uint64_t root = rvh_alloc(&pt, 4096);
    rvh_map(&pt, root, 3, false, 0x40000000ull, PG_CODE_PA1, RVH_V | RVH_R | RVH_X | RVH_A, 0);
    rvh_map(&pt, root, 3, false, 0x40001000ull, PG_CODE_PA2, RVH_V | RVH_R | RVH_X | RVH_A, 0);
    rvh_map(&pt, root, 3, false, PG_DATA_VA, PG_DATA_PA, RVH_V | RVH_R | RVH_W | RVH_A | RVH_D, 0);
    rvh_map(&pt, root, 3, false, PG_DATA_VA + 4096, PG_DATA_PA + 4096, RVH_V | RVH_R | RVH_A, 0);
    /* the program, halfword by halfword through its virtual addresses */
    uint64_t va = PG_CODE_VA;
    for (unsigned k = 0; k < n; k++) {
        for (unsigned i = 0; i < p[k].len; i += 2)
            ck_assert(bus_write(&m->bus, pg_code_pa(va + i), 2, (p[k].bits >> (8 * i)) & 0xffff));
        va += p[k].len;
    }
    const uint32_t handler[] = {
        rvf_csrrs(31, RVF_MEPC, 0), rvf_addi(31, 31, 4), rvf_csrrw(0, RVF_MEPC, 31),
        0x30200073u, /* mret */
    };
    rvf_code(m, RVF_MTVEC, handler, 4);
    h->mtvec = RVF_MTVEC;
    rvf_csrw(h, RVF_MCOUNTEREN, 7);
    rvf_csrw(h, RVF_SATP, RVH_SV39 | (root >> 12));
    for (unsigned i = 0; i < 1024; i++)
        rvf_w64(m, PG_DATA_PA + 8 * i, 0x0f1e2d3c4b5a6978ull * (i + 3));
    rv_set_priv(h, PRV_S);
    h->pc = PG_CODE_VA;
    h->x[8] = PG_DATA_VA;
    h->x[10] = PG_DATA_VA + 4096;
    return m;
}

START_TEST(test_differential_paged)
{
    uint64_t seed = 0x9a6e0000ull + (uint64_t)_i;
    enum { N = 500 };
    struct pg_insn p[N + 1];
    for (unsigned k = 0; k < N; k++) {
        unsigned pick = (unsigned)(rnd(&seed) % 100);
        p[k] = (struct pg_insn){ .len = 4 };
        if (pick < 40) {
            p[k] = (struct pg_insn){ pg_rvc(&seed), 2, 0 };
        } else if (pick < 55) {          /* loads/stores at x10 + [-2048, 2047] or x8 + [0, 2047] */
            bool at10 = rnd(&seed) & 1;
            int32_t off = at10 ? (int32_t)(rnd(&seed) % 4096) - 2048 : (int32_t)(rnd(&seed) % 2048);
            unsigned base = at10 ? 10 : 8;
            if (rnd(&seed) & 1)
                p[k].bits = rvf_s(0x23, (unsigned)(rnd(&seed) % 4), base, pg_reg(&seed), off);
            else
                p[k].bits = rvf_i(0x03, pg_reg(&seed), (unsigned)(rnd(&seed) % 7), base, off);
        } else if (pick < 65 && k + 2 < N) { /* forward branch over 1..4 instructions */
            static const unsigned f3s[] = { 0, 1, 4, 5, 6, 7 };
            p[k].bits = rvf_b(f3s[rnd(&seed) % 6], pg_reg(&seed), pg_reg(&seed), 0);
            p[k].branch_skip = 1 + (int)(rnd(&seed) % 4);
            if (k + (unsigned)p[k].branch_skip >= N)
                p[k].branch_skip = (int)(N - k - 1);
        } else if (pick < 68) {
            p[k].bits = rvf_csrrs(pg_reg(&seed), RVF_INSTRET, 0);
        } else {                         /* 32-bit arithmetic from the M-mode generator */
            uint32_t w;
            do
                w = random_insn(&seed, 0, 1);
            while ((w & 0x7f) == 0x03 || (w & 0x7f) == 0x23 || (w & 0x7f) == 0x63 ||
                   (w & 0x7f) == 0x73 || ((w >> 7) & 31) == 8 || ((w >> 7) & 31) == 10);
            p[k].bits = w;
        }
    }
    /* branch offsets: to the start of instruction k + skip */
    for (unsigned k = 0; k < N; k++) {
        if (!p[k].branch_skip)
            continue;
        int32_t off = 0;
        for (unsigned j = k; j < k + (unsigned)p[k].branch_skip; j++)
            off += (int32_t)p[j].len;
        uint32_t b = p[k].bits;
        p[k].bits = rvf_b((b >> 12) & 7, (b >> 15) & 31, (b >> 20) & 31, off);
    }
    int32_t total = 0;
    for (unsigned k = 0; k < N; k++)
        total += (int32_t)p[k].len;
    p[N] = (struct pg_insn){ rvf_j(0, -total), 4, 0 };

    struct machine *jit = pg_machine(p, N + 1, false);
    struct machine *ref = pg_machine(p, N + 1, true);
    struct rv_hart *ha = rvf_hart(jit, 0), *hb = rvf_hart(ref, 0);
    bool trapped = false;
    uint64_t done = 0;
    for (unsigned step = 0; done < 8000; step++) {
        uint64_t budget = 1 + rnd(&seed) % 60;
        uint64_t ra = rvf_run(jit, 0, budget), rb = rvf_run(ref, 0, budget);
        ck_assert_uint_eq(ra, rb);
        done += ra;
        ck_assert_msg(ha->pc == hb->pc, "step %u: pc %llx vs %llx", step,
                      (unsigned long long)ha->pc, (unsigned long long)hb->pc);
        if (memcmp(ha->x, hb->x, sizeof ha->x) != 0)
            for (int r = 0; r < 32; r++)
                ck_assert_msg(ha->x[r] == hb->x[r], "step %u: x%d %llx vs %llx", step, r,
                              (unsigned long long)ha->x[r], (unsigned long long)hb->x[r]);
        ck_assert_int_eq(ha->priv, hb->priv);
        ck_assert_uint_eq(jit->cpus[0]->retired, ref->cpus[0]->retired);
        ck_assert_uint_eq(ha->mepc, hb->mepc);
        ck_assert_uint_eq(ha->mcause, hb->mcause);
        ck_assert_uint_eq(ha->mtval, hb->mtval);
        ck_assert_msg(memcmp(jit->ram->host + (PG_DATA_PA - RVF_RAM),
                             ref->ram->host + (PG_DATA_PA - RVF_RAM), 8192) == 0,
                      "step %u: data pages differ", step);
        trapped |= ha->mcause == EXC_STORE_PAGE_FAULT;
    }
    ck_assert_msg(trapped, "no store page fault in 8000 instructions");
    ck_assert_ptr_nonnull(ha->jit);
    ck_assert_uint_gt(ha->jit->nblocks, 1);
    ck_assert_ptr_null(hb->jit);
    rvf_machine_free(jit);
    rvf_machine_free(ref);
}
END_TEST

/* The optional extensions (isa.h): random code that mixes the instructions
 * above with Zicond (compiled), Zbc/Zbkb/Zbkx (blocks with them are
 * interpreted), the Zihintntl/Zicbop hints and pause: with every extension
 * enabled, compiled and interpreted agree after every run. */
static uint32_t random_ext_insn(uint64_t *s, unsigned k, unsigned n)
{
    static const unsigned regs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15 };
    unsigned rd = regs[1 + rnd(s) % 14], rs1 = regs[rnd(s) % 15], rs2 = regs[rnd(s) % 15];
    unsigned pick = (unsigned)(rnd(s) % 100);
    if (pick < 50)
        return random_insn(s, k, n);
    if (pick < 80)              /* czero.eqz / czero.nez */
        return rvf_r(0x33, rd, rnd(s) & 1 ? 7 : 5, rs1, rs2, 0x07);
    static const struct { unsigned f3, f7, opc; } t[] = {
        { 1, 0x05, 0x33 }, { 2, 0x05, 0x33 }, { 3, 0x05, 0x33 }, /* clmul, clmulr, clmulh */
        { 4, 0x04, 0x33 }, { 7, 0x04, 0x33 }, { 4, 0x04, 0x3b }, /* pack, packh, packw */
        { 2, 0x14, 0x33 }, { 4, 0x14, 0x33 },                    /* xperm4, xperm8 */
    };
    if (pick < 94) {
        unsigned i = (unsigned)(rnd(s) % (sizeof t / sizeof t[0]));
        return rvf_r(t[i].opc, rd, t[i].f3, rs1, rs2, t[i].f7);
    }
    switch (rnd(s) % 4) {
    case 0: return rvf_i(0x13, rd, 5, rs1, 0x687);              /* brev8 */
    case 1: return rvf_r(0x33, 0, 0, 0, 2 + (unsigned)(rnd(s) % 4), 0); /* ntl.* */
    case 2: return rvf_i(0x13, 0, 6, rs1, (int32_t)((rnd(s) % 64) << 5 | (rnd(s) % 2 ? 1 : 3))); /* prefetch.r/w */
    default: return 0x0100000f;                                /* pause */
    }
}

START_TEST(test_differential_ext)
{
    uint64_t seed = 0xe7e70000ull + (uint64_t)_i;
    enum { N = 300 };
    uint32_t code[N + 1];
    for (unsigned k = 0; k < N; k++)
        code[k] = random_ext_insn(&seed, k, N);
    code[N] = rvf_j(0, -(int32_t)(4 * N));
    struct machine *jit = machine_with(code, N + 1, false);
    struct machine *ref = machine_with(code, N + 1, true);
    rvf_hart(jit, 0)->ext = rvf_hart(ref, 0)->ext = RV_EXT_ALL;
    uint64_t total = 0;
    for (unsigned step = 0; total < 6000; step++) {
        uint64_t budget = 1 + rnd(&seed) % 60;
        uint64_t ra = rvf_run(jit, 0, budget), rb = rvf_run(ref, 0, budget);
        ck_assert_uint_eq(ra, rb);
        ck_assert_uint_eq(ra, budget);
        total += ra;
        check_same(jit, ref, "ext", step);
    }
    ck_assert_uint_gt(rvf_hart(jit, 0)->jit->nblocks, 1);
    rvf_machine_free(jit);
    rvf_machine_free(ref);
}
END_TEST

/* A compiled Zicond block gives the spec's values (Zicond 1.0: czero.eqz
 * rd = rs2 == 0 ? 0 : rs1; czero.nez rd = rs2 != 0 ? 0 : rs1), and with the
 * extension disabled the same word is an illegal instruction on both
 * engines (mcause 2, mtval = the instruction). */
START_TEST(test_zicond_compiled_and_disabled)
{
    const uint32_t prog[] = {
        rvf_r(0x33, 5, 5, 1, 2, 0x07),     /* czero.eqz x5, x1, x2 */
        rvf_r(0x33, 6, 7, 1, 2, 0x07),     /* czero.nez x6, x1, x2 */
        rvf_r(0x33, 7, 5, 1, 3, 0x07),     /* czero.eqz x7, x1, x3 */
        rvf_r(0x33, 8, 7, 1, 3, 0x07),     /* czero.nez x8, x1, x3 */
        rvf_j(0, -16),
    };
    for (int interp = 0; interp < 2; interp++) {
        struct machine *m = machine_with(prog, sizeof prog / 4, interp);
        struct rv_hart *h = rvf_hart(m, 0);
        h->ext = RV_EXT_ZICOND;
        h->x[1] = 0x1234567890abcdefull; h->x[2] = 0; h->x[3] = 1ull << 63;
        rvf_run(m, 0, 5 * (JIT_HOT + 3));
        ck_assert_uint_eq(h->x[5], 0);
        ck_assert_uint_eq(h->x[6], 0x1234567890abcdefull);
        ck_assert_uint_eq(h->x[7], 0x1234567890abcdefull);
        ck_assert_uint_eq(h->x[8], 0);
        if (!interp)
            ck_assert_uint_gt(h->jit->nblocks, 0);
        rvf_machine_free(m);

        m = machine_with(prog, sizeof prog / 4, interp);
        h = rvf_hart(m, 0);
        h->mtvec = RVF_MTVEC;
        const uint32_t loop = rvf_j(0, 0);
        rvf_code(m, RVF_MTVEC, &loop, 1);
        rvf_run(m, 0, 3);
        ck_assert_uint_eq(h->mcause, 2);
        ck_assert_uint_eq(h->mtval, prog[0]);
        ck_assert_uint_eq(h->mepc, CODE);
        rvf_machine_free(m);
    }
}
END_TEST

Suite *rv_jit_suite(void)
{
    Suite *s = suite_create("rv_jit");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_differential_random, 0, 40);
    tcase_add_loop_test(tc, test_differential_paged, 0, 24);
    tcase_add_test(tc, test_smc_recompiles);
    tcase_add_test(tc, test_fault_mid_block);
    tcase_add_loop_test(tc, test_differential_ext, 0, 24);
    tcase_add_test(tc, test_zicond_compiled_and_disabled);
    suite_add_tcase(s, tc);
    return s;
}
