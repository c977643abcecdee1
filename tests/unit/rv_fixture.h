/* Shared fixture for the RISC-V hart unit tests (test_decode.c, test_csr.c,
 * test_mmu.c, test_pmp.c, test_sched.c): a minimal machine (one or more
 * harts, 16 MiB of RAM at 0x80000000, the ACLINT for time and timers),
 * instruction encoders for the base formats of the unprivileged spec
 * (20191213 §2.2-§2.3, Figures 2.2/2.3) and helpers that run one
 * instruction at a chosen privilege level and report the trap it took. */
#ifndef HVSIM_TEST_RV_FIXTURE_H
#define HVSIM_TEST_RV_FIXTURE_H
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "apic/aclint.h"
#include "boards/riscv_virt.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/rv_hart.h"
#include "cpu/riscv/rv_internal.h"
#include "cpu/riscv/rv_ops.h"
#include "sim/bus.h"
#include "sim/config.h"
#include "sim/machine.h"

/* ---- memory layout used by the tests ---------------------------------- */
#define RVF_RAM      0x80000000ull
#define RVF_RAM_SIZE (16ull << 20)
#define RVF_CODE     0x80000000ull /* rvf_step() places its instruction here */
#define RVF_MTVEC    0x80010000ull /* M-mode trap vector */
#define RVF_STVEC    0x80020000ull /* S-mode trap vector */

/* ---- CSR numbers (priv 1.12 Tables 2.2-2.6) ---------------------------- */
enum {
    RVF_FFLAGS = 0x001, RVF_FRM = 0x002, RVF_FCSR = 0x003,
    RVF_CYCLE = 0xc00, RVF_TIME = 0xc01, RVF_INSTRET = 0xc02, RVF_HPMCOUNTER3 = 0xc03,
    RVF_SSTATUS = 0x100, RVF_SIE = 0x104, RVF_STVEC_CSR = 0x105, RVF_SCOUNTEREN = 0x106,
    RVF_SSCRATCH = 0x140, RVF_SEPC = 0x141, RVF_SCAUSE = 0x142, RVF_STVAL = 0x143,
    RVF_SIP = 0x144, RVF_STIMECMP = 0x14d, RVF_SATP = 0x180,
    RVF_MVENDORID = 0xf11, RVF_MHARTID = 0xf14,
    RVF_MSTATUS = 0x300, RVF_MISA = 0x301, RVF_MEDELEG = 0x302, RVF_MIDELEG = 0x303,
    RVF_MIE = 0x304, RVF_MTVEC_CSR = 0x305, RVF_MCOUNTEREN = 0x306, RVF_MENVCFG = 0x30a,
    RVF_MSCRATCH = 0x340, RVF_MEPC = 0x341, RVF_MCAUSE = 0x342, RVF_MTVAL = 0x343,
    RVF_MIP = 0x344, RVF_PMPCFG0 = 0x3a0, RVF_PMPCFG1 = 0x3a1, RVF_PMPCFG2 = 0x3a2,
    RVF_PMPADDR0 = 0x3b0, RVF_MCYCLE = 0xb00, RVF_MINSTRET = 0xb02,
};

/* ---- instruction encoders (unpriv spec §2.2-§2.3) ---------------------- */
static inline uint32_t rvf_r(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, unsigned rs2,
                             unsigned f7)
{
    return (f7 & 0x7fu) << 25 | (rs2 & 31u) << 20 | (rs1 & 31u) << 15 | (f3 & 7u) << 12 |
           (rd & 31u) << 7 | (opc & 0x7fu);
}
static inline uint32_t rvf_i(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfffu) << 20 | (rs1 & 31u) << 15 | (f3 & 7u) << 12 |
           (rd & 31u) << 7 | (opc & 0x7fu);
}
static inline uint32_t rvf_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7fu) << 25 | (rs2 & 31u) << 20 | (rs1 & 31u) << 15 | (f3 & 7u) << 12 |
           (u & 31u) << 7 | (opc & 0x7fu);
}
/* B-type: imm[12|10:5] rs2 rs1 funct3 imm[4:1|11] 1100011 */
static inline uint32_t rvf_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 12) & 1u) << 31 | ((u >> 5) & 0x3fu) << 25 | (rs2 & 31u) << 20 |
           (rs1 & 31u) << 15 | (f3 & 7u) << 12 | ((u >> 1) & 0xfu) << 8 | ((u >> 11) & 1u) << 7 |
           0x63u;
}
/* U-type: imm is the full 32-bit value (low 12 bits ignored). */
static inline uint32_t rvf_u(uint32_t opc, unsigned rd, uint32_t imm)
{
    return (imm & 0xfffff000u) | (rd & 31u) << 7 | (opc & 0x7fu);
}
/* J-type: imm[20|10:1|11|19:12] rd 1101111 */
static inline uint32_t rvf_j(unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 20) & 1u) << 31 | ((u >> 1) & 0x3ffu) << 21 | ((u >> 11) & 1u) << 20 |
           ((u >> 12) & 0xffu) << 12 | (rd & 31u) << 7 | 0x6fu;
}

/* A few instructions by name (opcodes: unpriv spec chapter 24). */
static inline uint32_t rvf_addi(unsigned rd, unsigned rs1, int32_t imm) { return rvf_i(0x13, rd, 0, rs1, imm); }
static inline uint32_t rvf_lui(unsigned rd, uint32_t imm) { return rvf_u(0x37, rd, imm); }
static inline uint32_t rvf_ld(unsigned rd, unsigned rs1, int32_t imm) { return rvf_i(0x03, rd, 3, rs1, imm); }
static inline uint32_t rvf_sd(unsigned rs2, unsigned rs1, int32_t imm) { return rvf_s(0x23, 3, rs1, rs2, imm); }
static inline uint32_t rvf_csrrw(unsigned rd, unsigned csr, unsigned rs1) { return rvf_i(0x73, rd, 1, rs1, (int32_t)csr); }
static inline uint32_t rvf_csrrs(unsigned rd, unsigned csr, unsigned rs1) { return rvf_i(0x73, rd, 2, rs1, (int32_t)csr); }
static inline uint32_t rvf_csrrc(unsigned rd, unsigned csr, unsigned rs1) { return rvf_i(0x73, rd, 3, rs1, (int32_t)csr); }
static inline uint32_t rvf_csrrwi(unsigned rd, unsigned csr, unsigned uimm) { return rvf_i(0x73, rd, 5, uimm, (int32_t)csr); }
static inline uint32_t rvf_csrrsi(unsigned rd, unsigned csr, unsigned uimm) { return rvf_i(0x73, rd, 6, uimm, (int32_t)csr); }
static inline uint32_t rvf_csrrci(unsigned rd, unsigned csr, unsigned uimm) { return rvf_i(0x73, rd, 7, uimm, (int32_t)csr); }
#define RVF_ECALL  0x00000073u
#define RVF_EBREAK 0x00100073u
#define RVF_MRET   0x30200073u
#define RVF_SRET   0x10200073u
#define RVF_WFI    0x10500073u
#define RVF_SFENCE_VMA_ALL 0x12000073u /* sfence.vma x0, x0 */
static inline uint32_t rvf_sfence_vma(unsigned rs1, unsigned rs2) { return rvf_r(0x73, 0, 0, rs1, rs2, 0x09); }

/* ---- the machine ------------------------------------------------------- */

/* ncpus harts, RAM, ACLINT (not mapped on the bus: only its time base and
 * timers are used by CSR reads of time/stimecmp). */
static inline struct machine *rvf_machine_new(int ncpus)
{
    struct machine *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    config_defaults(&m->cfg);
    m->cfg.smp = ncpus;
    m->board = m->cfg.board;
    struct rv_virt *board = calloc(1, sizeof *board);
    ck_assert_ptr_nonnull(board);
    m->board_state = board;
    bus_init(&m->bus);
    rv_machine_attach(m);
    char err[256];
    m->ram = bus_add_mem(&m->bus, "ram", RVF_RAM, RVF_RAM_SIZE, false, err, sizeof err);
    ck_assert_msg(m->ram != NULL, "%s", err);
    m->ncpus = ncpus;
    for (int i = 0; i < ncpus; i++) {
        m->cpus[i] = rv_hart_new(m, i, rv_virt_config(&m->cfg)->rom_base, false);
        ck_assert_ptr_nonnull(m->cpus[i]);
    }
    board->aclint = aclint_new(m, ncpus, rv_virt_config(&m->cfg)->timebase_hz);
    ck_assert_ptr_nonnull(board->aclint);
    for (int i = 0; i < ncpus; i++)
        rv_hart_connect_aclint(m->cpus[i], board->aclint);
    return m;
}

static inline void rvf_machine_free(struct machine *m) { machine_free(m); }

static inline struct rv_hart *rvf_hart(struct machine *m, int i) { return RV_HART(m->cpus[i]); }

/* Guest physical memory accessors (through the bus, so predecoded code is
 * dropped when a store hits it). */
static inline void rvf_w32(struct machine *m, uint64_t pa, uint32_t v)
{
    ck_assert(bus_write(&m->bus, pa, 4, v));
}
static inline void rvf_w64(struct machine *m, uint64_t pa, uint64_t v)
{
    ck_assert(bus_write(&m->bus, pa, 8, v));
}
static inline uint64_t rvf_r64(struct machine *m, uint64_t pa)
{
    uint64_t v = 0;
    ck_assert(bus_read(&m->bus, pa, 8, &v));
    return v;
}
static inline void rvf_code(struct machine *m, uint64_t pa, const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rvf_w32(m, pa + 4 * i, w[i]);
}

/* Runs hart i for up to n instructions the way the scheduler does (the CPU
 * clock advances by what retired). Returns the instructions retired. */
static inline uint64_t rvf_run(struct machine *m, int i, uint64_t n)
{
    struct cpu *c = m->cpus[i];
    m->sched.current = c;
    c->run_budget = n;
    uint64_t r = c->ops->run(c, n);
    c->run_budget = 0;
    c->clock += r;
    c->retired += r;
    m->sched.current = NULL;
    return r;
}

/* CSR access as an M-mode Zicsr write would do it (rv_csr_op with the
 * permission checks of the hart's current privilege). */
static inline uint64_t rvf_wr_fn(uint64_t old, uint64_t arg) { (void)old; return arg; }
static inline int rvf_csr_write_at(struct rv_hart *h, unsigned csr, uint64_t v)
{
    uint64_t old;
    return rv_csr_op(h, csr, true, rvf_wr_fn, v, &old);
}
/* Read at the current privilege: returns 0 or the exception cause. */
static inline int rvf_csr_read_at(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    return rv_csr_op(h, csr, false, rvf_wr_fn, 0, v);
}
/* M-mode write (privilege restored afterwards); must succeed. */
static inline void rvf_csrw(struct rv_hart *h, unsigned csr, uint64_t v)
{
    int saved = h->priv;
    rv_set_priv(h, PRV_M);
    int r = rvf_csr_write_at(h, csr, v);
    rv_set_priv(h, saved);
    ck_assert_msg(r == 0, "M-mode write of CSR 0x%x failed with cause %d", csr, r);
}
static inline uint64_t rvf_csrr(struct rv_hart *h, unsigned csr)
{
    uint64_t v = 0;
    ck_assert_msg(rv_csr_read_raw(h, csr, &v), "CSR 0x%x does not exist", csr);
    return v;
}

/* PMP entry 0 = NAPOT over the whole address space with R/W/X, so that S
 * and U mode may touch memory at all (priv 1.12 §3.7.1: with PMP entries
 * implemented, an S/U access that matches no entry fails). */
static inline void rvf_pmp_allow_all(struct rv_hart *h)
{
    rvf_csrw(h, RVF_PMPADDR0, (1ull << 54) - 1);
    rvf_csrw(h, RVF_PMPCFG0, 0x1f); /* A=NAPOT, X, W, R */
}

/* Executes the single instruction `insn` at RVF_CODE in privilege `priv`,
 * with mtvec = RVF_MTVEC and stvec = RVF_STVEC (direct mode). Returns -1
 * when no trap was taken, else the cause (mcause or scause of the trap
 * taken; *to_s tells which, may be NULL). */
static inline int rvf_step_to(struct machine *m, int priv, uint32_t insn, bool *to_s)
{
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_w32(m, RVF_CODE, insn);
    h->mtvec = RVF_MTVEC;
    h->stvec = RVF_STVEC;
    h->mcause = h->scause = 0xdead;
    h->pc = RVF_CODE;
    h->cpu.state = CPU_RUNNING; /* a previous wfi may have put it to sleep */
    rv_set_priv(h, priv);
    uint64_t n = rvf_run(m, 0, 1);
    ck_assert_uint_eq(n, 1);
    if (to_s)
        *to_s = false;
    if (h->pc == RVF_MTVEC && h->mcause != 0xdead && h->priv == PRV_M)
        return (int)h->mcause;
    if (h->pc == RVF_STVEC && h->scause != 0xdead && h->priv == PRV_S) {
        if (to_s)
            *to_s = true;
        return (int)h->scause;
    }
    return -1;
}
static inline int rvf_step(struct machine *m, int priv, uint32_t insn)
{
    return rvf_step_to(m, priv, insn, NULL);
}

#endif
