/* Helpers for the H-extension unit tests (test_hext.c), on top of
 * rv_fixture.h: hypervisor CSR numbers and instruction encodings (priv spec
 * 20211203 chapter 8, Table 2.3; unpriv 20191213 chapter 24), page tables
 * for both translation stages (Sv39/Sv48 for the VS stage, Sv39x4/Sv48x4
 * for the G stage: 16 KiB root with an 11-bit top index, §8.5.1), and a
 * single-step runner that runs one instruction in any of M/HS/U/VS/VU and
 * reports which trap, if any, it took. */
#ifndef HVSIM_TEST_RV_FIXTURE_H_H
#define HVSIM_TEST_RV_FIXTURE_H_H
#include "rv_fixture.h"

/* ---- CSR numbers (priv 20211203 Table 2.3) ----------------------------- */
enum {
    RVH_HSTATUS = 0x600, RVH_HEDELEG = 0x602, RVH_HIDELEG = 0x603, RVH_HIE = 0x604,
    RVH_HTIMEDELTA = 0x605, RVH_HCOUNTEREN = 0x606, RVH_HGEIE = 0x607, RVH_HENVCFG = 0x60a,
    RVH_HTVAL = 0x643, RVH_HIP = 0x644, RVH_HVIP = 0x645, RVH_HTINST = 0x64a,
    RVH_HGATP = 0x680, RVH_HGEIP = 0xe12,
    RVH_VSSTATUS = 0x200, RVH_VSIE = 0x204, RVH_VSTVEC = 0x205, RVH_VSSCRATCH = 0x240,
    RVH_VSEPC = 0x241, RVH_VSCAUSE = 0x242, RVH_VSTVAL = 0x243, RVH_VSIP = 0x244,
    RVH_VSTIMECMP = 0x24d, RVH_VSATP = 0x280,
    RVH_MTINST = 0x34a, RVH_MTVAL2 = 0x34b,
};

/* ---- PTE bits (priv §4.3.1) and translation modes ---------------------- */
#define RVH_V (1ull << 0)
#define RVH_R (1ull << 1)
#define RVH_W (1ull << 2)
#define RVH_X (1ull << 3)
#define RVH_U (1ull << 4)
#define RVH_A (1ull << 6)
#define RVH_D (1ull << 7)
#define RVH_SV39 (8ull << 60)   /* satp/vsatp Sv39, hgatp Sv39x4 */
#define RVH_SV48 (9ull << 60)   /* satp/vsatp Sv48, hgatp Sv48x4 */

/* ---- memory layout ------------------------------------------------------ */
#define RVH_VSTVEC_ADDR 0x80030000ull   /* VS trap vector (direct or vectored) */
#define RVH_PT_BASE     0x80400000ull   /* page-table pages are allocated from here */
#define RVH_JSELF       0x0000006fu     /* jal x0, 0: a vector that stays put */

/* ---- instruction encoders (priv 20211203 §8.3, unpriv ch. 24) ----------- */
/* HLV/HLVX: funct7 | rs2 (variant) | rs1 | 100 | rd | 1110011 */
static inline uint32_t rvh_hlv(unsigned f7, unsigned variant, unsigned rd, unsigned rs1)
{
    return rvf_r(0x73, rd, 4, rs1, variant, f7);
}
static inline uint32_t rvh_hlv_b(unsigned rd, unsigned rs1) { return rvh_hlv(0x30, 0, rd, rs1); }
static inline uint32_t rvh_hlv_bu(unsigned rd, unsigned rs1) { return rvh_hlv(0x30, 1, rd, rs1); }
static inline uint32_t rvh_hlv_h(unsigned rd, unsigned rs1) { return rvh_hlv(0x32, 0, rd, rs1); }
static inline uint32_t rvh_hlv_hu(unsigned rd, unsigned rs1) { return rvh_hlv(0x32, 1, rd, rs1); }
static inline uint32_t rvh_hlvx_hu(unsigned rd, unsigned rs1) { return rvh_hlv(0x32, 3, rd, rs1); }
static inline uint32_t rvh_hlv_w(unsigned rd, unsigned rs1) { return rvh_hlv(0x34, 0, rd, rs1); }
static inline uint32_t rvh_hlv_wu(unsigned rd, unsigned rs1) { return rvh_hlv(0x34, 1, rd, rs1); }
static inline uint32_t rvh_hlvx_wu(unsigned rd, unsigned rs1) { return rvh_hlv(0x34, 3, rd, rs1); }
static inline uint32_t rvh_hlv_d(unsigned rd, unsigned rs1) { return rvh_hlv(0x36, 0, rd, rs1); }
/* HSV: funct7 | rs2 (src) | rs1 | 100 | 00000 | 1110011 */
static inline uint32_t rvh_hsv(unsigned f7, unsigned rs2, unsigned rs1) { return rvf_r(0x73, 0, 4, rs1, rs2, f7); }
static inline uint32_t rvh_hsv_b(unsigned rs2, unsigned rs1) { return rvh_hsv(0x31, rs2, rs1); }
static inline uint32_t rvh_hsv_h(unsigned rs2, unsigned rs1) { return rvh_hsv(0x33, rs2, rs1); }
static inline uint32_t rvh_hsv_w(unsigned rs2, unsigned rs1) { return rvh_hsv(0x35, rs2, rs1); }
static inline uint32_t rvh_hsv_d(unsigned rs2, unsigned rs1) { return rvh_hsv(0x37, rs2, rs1); }
/* HFENCE.VVMA (funct7 0010001) / HFENCE.GVMA (funct7 0110001), funct3 000 */
static inline uint32_t rvh_hfence_vvma(unsigned rs1, unsigned rs2) { return rvf_r(0x73, 0, 0, rs1, rs2, 0x11); }
static inline uint32_t rvh_hfence_gvma(unsigned rs1, unsigned rs2) { return rvf_r(0x73, 0, 0, rs1, rs2, 0x31); }
/* Loads, stores and an AMO by name */
static inline uint32_t rvh_lw(unsigned rd, unsigned rs1, int32_t imm) { return rvf_i(0x03, rd, 2, rs1, imm); }
static inline uint32_t rvh_sw(unsigned rs2, unsigned rs1, int32_t imm) { return rvf_s(0x23, 2, rs1, rs2, imm); }
/* AMO: funct5 | aq | rl | rs2 | rs1 | funct3 | rd | 0101111 */
static inline uint32_t rvh_amo(unsigned f5, bool aq, bool rl, unsigned f3, unsigned rd, unsigned rs1,
                               unsigned rs2)
{
    return rvf_r(0x2f, rd, f3, rs1, rs2, (f5 << 2) | (aq ? 2u : 0u) | (rl ? 1u : 0u));
}
/* RVC (unpriv Table 16.5/16.6): c.lw / c.ld / c.sd with x8..x15 registers.
 * off must be a multiple of 4 (c.lw, < 128) or 8 (c.ld/c.sd, < 256). */
static inline uint16_t rvh_c_lw(unsigned rdp, unsigned rs1p, unsigned off)
{
    return (uint16_t)(2u << 13 | ((off >> 3) & 7u) << 10 | (rs1p - 8) << 7 | ((off >> 2) & 1u) << 6 |
                      ((off >> 6) & 1u) << 5 | (rdp - 8) << 2 | 0u);
}
static inline uint16_t rvh_c_ld(unsigned rdp, unsigned rs1p, unsigned off)
{
    return (uint16_t)(3u << 13 | ((off >> 3) & 7u) << 10 | (rs1p - 8) << 7 | ((off >> 6) & 3u) << 5 |
                      (rdp - 8) << 2 | 0u);
}
static inline uint16_t rvh_c_sd(unsigned rs2p, unsigned rs1p, unsigned off)
{
    return (uint16_t)(7u << 13 | ((off >> 3) & 7u) << 10 | (rs1p - 8) << 7 | ((off >> 6) & 3u) << 5 |
                      (rs2p - 8) << 2 | 0u);
}

/* ---- page tables --------------------------------------------------------- */
/* A bump allocator for table pages in RAM (zeroed). The VS-stage tables are
 * guest-physical: they are built at PA == GPA, so the G stage must map their
 * pages one to one (rvh_env_new() maps all of RAM that way). */
struct rvh_pt {
    struct machine *m;
    uint64_t next;
};

static inline uint64_t rvh_alloc(struct rvh_pt *p, uint64_t size)
{
    p->next = (p->next + size - 1) & ~(size - 1);
    uint64_t a = p->next;
    p->next += size;
    for (uint64_t o = 0; o < size; o += 8)
        rvf_w64(p->m, a + o, 0);
    return a;
}

/* Index of va at `level` for a table with `levels` levels; the top level of
 * an x4 (G-stage) table has 11 index bits (§8.5.1). */
static inline uint64_t rvh_idx(uint64_t va, int level, int levels, bool x4)
{
    unsigned bits = (x4 && level == levels - 1) ? 11 : 9;
    return (va >> (12 + 9 * level)) & ((1ull << bits) - 1);
}

/* Address of the PTE for va at `level` in the table rooted at root,
 * creating pointer PTEs (and table pages) above it. */
static inline uint64_t rvh_pte_addr(struct rvh_pt *p, uint64_t root, int levels, bool x4, uint64_t va,
                                    int level)
{
    uint64_t table = root;
    for (int i = levels - 1; i > level; i--) {
        uint64_t a = table + 8 * rvh_idx(va, i, levels, x4);
        uint64_t pte = rvf_r64(p->m, a);
        if (!(pte & RVH_V)) {
            uint64_t next = rvh_alloc(p, 4096);
            pte = ((next >> 12) << 10) | RVH_V;
            rvf_w64(p->m, a, pte);
        }
        table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return table + 8 * rvh_idx(va, level, levels, x4);
}

/* Leaf at `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB) mapping
 * va -> pa with flags; returns the PTE's address. */
static inline uint64_t rvh_map(struct rvh_pt *p, uint64_t root, int levels, bool x4, uint64_t va,
                               uint64_t pa, uint64_t flags, int level)
{
    uint64_t a = rvh_pte_addr(p, root, levels, x4, va, level);
    rvf_w64(p->m, a, ((pa >> 12) << 10) | flags);
    return a;
}

/* ---- the environment ------------------------------------------------------ */
struct rvh_env {
    struct machine *m;
    struct rv_hart *h;
    struct rvh_pt pt;
    uint64_t groot;     /* G-stage root (16 KiB) */
    int glevels;        /* 3 = Sv39x4, 4 = Sv48x4 */
    uint64_t vsroot;    /* VS-stage root, 0 while vsatp is bare */
    int vslevels;
};

/* CSR write/read from M-mode with V=0 (privilege and V restored). */
static inline void rvh_csrw(struct rv_hart *h, unsigned csr, uint64_t v)
{
    bool virt = h->virt;
    h->virt = false;
    rvf_csrw(h, csr, v);
    h->virt = virt;
    rv_update_modes(h);
}
static inline uint64_t rvh_csrr(struct rv_hart *h, unsigned csr) { return rvf_csrr(h, csr); }

static inline void rvh_fill_vector(struct machine *m, uint64_t base)
{
    for (int i = 0; i < 16; i++)
        rvf_w32(m, base + 4 * (uint64_t)i, RVH_JSELF);
}

/* A machine with one hart, PMP open, trap vectors holding `j .` (so that the
 * instruction run after an interrupt stays at the vector), and hgatp in
 * mode gmode (RVH_SV39 / RVH_SV48 / 0) with all of RAM mapped one to one at
 * the G stage by one 1 GiB leaf (U, RWX, A, D); vsatp bare. */
static inline struct rvh_env rvh_env_new(uint64_t gmode)
{
    struct rvh_env e = { .m = rvf_machine_new(1) };
    e.h = rvf_hart(e.m, 0);
    e.pt.m = e.m;
    e.pt.next = RVH_PT_BASE;
    rvf_pmp_allow_all(e.h);
    rvh_fill_vector(e.m, RVF_MTVEC);
    rvh_fill_vector(e.m, RVF_STVEC);
    rvh_fill_vector(e.m, RVH_VSTVEC_ADDR);
    e.h->mtvec = RVF_MTVEC;
    e.h->stvec = RVF_STVEC;
    e.h->vstvec = RVH_VSTVEC_ADDR;
    if (gmode) {
        e.glevels = gmode == RVH_SV48 ? 4 : 3;
        e.groot = rvh_alloc(&e.pt, 16384);
        rvh_map(&e.pt, e.groot, e.glevels, true, 0x80000000ull, 0x80000000ull,
                RVH_V | RVH_R | RVH_W | RVH_X | RVH_U | RVH_A | RVH_D, 2);
        rvh_csrw(e.h, RVH_HGATP, gmode | (e.groot >> 12));
    }
    return e;
}

static inline void rvh_env_free(struct rvh_env *e) { rvf_machine_free(e->m); }

/* G-stage leaf gpa -> pa. */
static inline uint64_t rvh_gmap(struct rvh_env *e, uint64_t gpa, uint64_t pa, uint64_t flags, int level)
{
    return rvh_map(&e->pt, e->groot, e->glevels, true, gpa, pa, flags, level);
}

/* Turns on the VS stage (vsatp mode vsmode) with a new root table that maps
 * the first GiB of RAM one to one (VS-mode RWX, no U) so the code and the
 * trap vectors stay reachable. */
static inline void rvh_vs_on(struct rvh_env *e, uint64_t vsmode)
{
    e->vslevels = vsmode == RVH_SV48 ? 4 : 3;
    e->vsroot = rvh_alloc(&e->pt, 4096);
    rvh_map(&e->pt, e->vsroot, e->vslevels, false, 0x80000000ull, 0x80000000ull,
            RVH_V | RVH_R | RVH_W | RVH_X | RVH_A | RVH_D, 2);
    rvh_csrw(e->h, RVH_VSATP, vsmode | (e->vsroot >> 12));
}

/* VS-stage leaf gva -> gpa (the table pages are at PA == GPA). */
static inline uint64_t rvh_vsmap(struct rvh_env *e, uint64_t gva, uint64_t gpa, uint64_t flags, int level)
{
    return rvh_map(&e->pt, e->vsroot, e->vslevels, false, gva, gpa, flags, level);
}

/* ---- running one instruction ------------------------------------------------ */
enum { RVH_NONE = -1, RVH_TO_HS = 1, RVH_TO_M = 3, RVH_TO_VS = 5 };
#define RVH_SENTINEL 0xdeadull

/* Where the last rvh_step trapped, and with which cause register value. */
struct rvh_trap {
    int to;
    uint64_t cause;
};

/* Runs one instruction at pc (a virtual address in the given V/privilege)
 * whose encoding is first written at physical address pa (len 2 or 4).
 * Traps are recognised by the cause register they wrote. */
static inline struct rvh_trap rvh_step_at(struct rvh_env *e, bool virt, int priv, uint64_t pc, uint64_t pa,
                                          uint32_t insn, int len)
{
    struct rv_hart *h = e->h;
    if (len == 2)
        ck_assert(bus_write(&e->m->bus, pa, 2, insn & 0xffff));
    else
        rvf_w32(e->m, pa, insn);
    h->mcause = h->scause = h->vscause = RVH_SENTINEL;
    h->pc = pc;
    h->cpu.state = CPU_RUNNING;
    h->virt = virt;
    rv_set_priv(h, priv);
    uint64_t n = rvf_run(e->m, 0, 1);
    ck_assert_uint_eq(n, 1);
    struct rvh_trap t = { RVH_NONE, 0 };
    if (h->mcause != RVH_SENTINEL) {
        t.to = RVH_TO_M;
        t.cause = h->mcause;
    } else if (h->scause != RVH_SENTINEL) {
        t.to = RVH_TO_HS;
        t.cause = h->scause;
    } else if (h->vscause != RVH_SENTINEL) {
        t.to = RVH_TO_VS;
        t.cause = h->vscause;
    }
    return t;
}

/* One instruction at RVF_CODE (identity-mapped in every environment). */
static inline struct rvh_trap rvh_step(struct rvh_env *e, bool virt, int priv, uint32_t insn)
{
    return rvh_step_at(e, virt, priv, RVF_CODE, RVF_CODE, insn, 4);
}
static inline struct rvh_trap rvh_step16(struct rvh_env *e, bool virt, int priv, uint16_t insn)
{
    return rvh_step_at(e, virt, priv, RVF_CODE, RVF_CODE, insn, 2);
}

/* Asserts a trap to `to` with exception cause `cause`. */
#define RVH_ASSERT_TRAP(t, where, c)                                                         \
    do {                                                                                     \
        struct rvh_trap t_ = (t);                                                            \
        ck_assert_msg(t_.to == (where) && t_.cause == (uint64_t)(c),                         \
                      "expected trap to %d cause %#llx, got to %d cause %#llx", (int)(where),  \
                      (unsigned long long)(c), t_.to, (unsigned long long)t_.cause);          \
    } while (0)
#define RVH_ASSERT_NO_TRAP(t)                                                                \
    do {                                                                                     \
        struct rvh_trap t_ = (t);                                                            \
        ck_assert_msg(t_.to == RVH_NONE, "unexpected trap to %d cause %#llx", t_.to,          \
                      (unsigned long long)t_.cause);                                         \
    } while (0)

#endif
