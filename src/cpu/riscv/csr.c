/* Control and status registers (priv spec 1.12 chapters 2-4; Sstc).
 * Access rules come from the CSR number itself (§2.1): bits 11:10 == 3 is
 * read-only, bits 9:8 give the lowest privilege that may access it. */
#include "rv_internal.h"
#include "../../sim/machine.h"
#include "../../apic/aclint.h"
#include "../../trace/emit.h"

enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_STIMECMP = 0x14d, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
    CSR_MIP = 0x344, CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af, CSR_PMPADDR0 = 0x3b0,
    CSR_PMPADDR63 = 0x3ef, CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03, CSR_MHPMCOUNTER31 = 0xb1f,
};

#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)
#define S_INTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define ALL_INTS (S_INTS | MIP_MSIP | MIP_MTIP | MIP_MEIP)

#define MENVCFG_FIOM (1ull << 0)
#define MENVCFG_STCE (1ull << 63)

#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
                       MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
                       MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | \
                      MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)

uint64_t rv_read_time(struct rv_hart *h)
{
    return aclint_mtime_at(h->m->aclint, cpu_now(&h->cpu));
}

/* Sstc: STIP follows (time >= stimecmp) while menvcfg.STCE is set. */
void rv_stimecmp_update(struct rv_hart *h)
{
    if (!(h->menvcfg & MENVCFG_STCE)) {
        h->mip_hw &= ~MIP_STIP;
        cpu_timer_arm(&h->cpu, h->stimecmp_timer, UINT64_MAX);
        return;
    }
    if (rv_read_time(h) >= h->stimecmp) {
        h->mip_hw |= MIP_STIP;
        cpu_timer_arm(&h->cpu, h->stimecmp_timer, UINT64_MAX);
    } else {
        h->mip_hw &= ~MIP_STIP;
        cpu_timer_arm(&h->cpu, h->stimecmp_timer, aclint_mtime_to_ticks(h->m->aclint, h->stimecmp));
    }
    h->attn = 1;
}

static uint64_t status_sd(uint64_t s)
{
    bool dirty = (s & MSTATUS_FS) == MSTATUS_FS || (s & MSTATUS_XS) == MSTATUS_XS ||
                 (s & MSTATUS_VS) == MSTATUS_VS;
    return dirty ? s | MSTATUS_SD : s & ~MSTATUS_SD;
}

/* Counter access from S/U needs the mcounteren (and for U, scounteren) bit
 * (§3.1.11, §4.1.5). */
static bool counter_allowed(const struct rv_hart *h, unsigned idx)
{
    if (h->priv < PRV_M && !(h->mcounteren >> idx & 1))
        return false;
    if (h->priv < PRV_S && !(h->scounteren >> idx & 1))
        return false;
    return true;
}

/* Counter values including the instruction in flight (an instruction that
 * is executing has already been counted as a tick). A CSR instruction reads
 * the value from before itself (Zicsr §9.1), i.e. raw - 1 inside a run. */
static uint64_t instret_raw(const struct rv_hart *h)
{
    const struct cpu *c = &h->cpu;
    uint64_t in_run = c->run_left ? c->run_budget - *c->run_left : 0;
    return c->retired + in_run - h->instret_adj + h->instret_off;
}

static uint64_t in_flight(const struct rv_hart *h) { return h->cpu.run_left ? 1 : 0; }

/* mcountinhibit.CY/IR (priv §3.1.13) freeze a counter at its value. */
#define INHIBIT_CY 1u
#define INHIBIT_IR 4u

static uint64_t cycle_read(const struct rv_hart *h)
{
    if (h->mcountinhibit & INHIBIT_CY)
        return h->cycle_frozen;
    return cpu_now(&h->cpu) - in_flight(h) + h->cycle_off;
}

static uint64_t instret(const struct rv_hart *h)
{
    if (h->mcountinhibit & INHIBIT_IR)
        return h->instret_frozen;
    return instret_raw(h) - in_flight(h);
}

/* A write replaces the increment of the writing instruction: the next
 * instruction reads exactly v. */
static void cycle_write(struct rv_hart *h, uint64_t v)
{
    h->cycle_frozen = v;
    h->cycle_off = v - cpu_now(&h->cpu);
}

static void instret_write(struct rv_hart *h, uint64_t v)
{
    h->instret_frozen = v;
    h->instret_off += v - instret_raw(h);
}

static void countinhibit_write(struct rv_hart *h, uint64_t v)
{
    uint64_t old = h->mcountinhibit;
    v &= 0xfffffffd; /* bit 1 (TM) is read-only zero */
    if ((v & ~old) & INHIBIT_CY)
        h->cycle_frozen = cycle_read(h);
    if ((v & ~old) & INHIBIT_IR)
        h->instret_frozen = instret(h);
    h->mcountinhibit = v;
    /* Counting resumes from the frozen value after this instruction. */
    if ((old & ~v) & INHIBIT_CY)
        cycle_write(h, h->cycle_frozen);
    if ((old & ~v) & INHIBIT_IR)
        instret_write(h, h->instret_frozen);
}

/* Returns false for a CSR that does not exist or may not be read here. */
static bool csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_FFLAGS: *v = h->fflags; return true;
    case CSR_FRM: *v = h->frm; return true;
    case CSR_FCSR: *v = (uint64_t)h->frm << 5 | h->fflags; return true;
    case CSR_CYCLE:
        if (!counter_allowed(h, 0)) return false;
        /* fallthrough */
    case CSR_MCYCLE: *v = cycle_read(h); return true;
    case CSR_TIME:
        if (!counter_allowed(h, 1)) return false;
        *v = rv_read_time(h);
        return true;
    case CSR_INSTRET:
        if (!counter_allowed(h, 2)) return false;
        /* fallthrough */
    case CSR_MINSTRET: *v = instret(h); return true;
    case CSR_SSTATUS: *v = status_sd(h->mstatus) & SSTATUS_MASK; return true;
    case CSR_SIE: *v = h->mie & h->mideleg; return true;
    case CSR_STVEC: *v = h->stvec; return true;
    case CSR_SCOUNTEREN: *v = h->scounteren; return true;
    case CSR_SENVCFG: *v = h->senvcfg; return true;
    case CSR_SSCRATCH: *v = h->sscratch; return true;
    case CSR_SEPC: *v = h->sepc; return true;
    case CSR_SCAUSE: *v = h->scause; return true;
    case CSR_STVAL: *v = h->stval; return true;
    case CSR_SIP: *v = rv_mip(h) & h->mideleg; return true;
    case CSR_STIMECMP:
        if (h->priv < PRV_M && (!(h->menvcfg & MENVCFG_STCE) || !(h->mcounteren & 2)))
            return false;
        *v = h->stimecmp;
        return true;
    case CSR_SATP:
        if (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM)) return false;
        *v = h->satp;
        return true;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
        *v = 0;
        return true;
    case CSR_MHARTID: *v = h->mhartid; return true;
    case CSR_MSTATUS: *v = status_sd(h->mstatus); return true;
    case CSR_MISA: *v = h->misa; return true;
    case CSR_MEDELEG: *v = h->medeleg; return true;
    case CSR_MIDELEG: *v = h->mideleg; return true;
    case CSR_MIE: *v = h->mie; return true;
    case CSR_MTVEC: *v = h->mtvec; return true;
    case CSR_MCOUNTEREN: *v = h->mcounteren; return true;
    case CSR_MENVCFG: *v = h->menvcfg; return true;
    case CSR_MCOUNTINHIBIT: *v = h->mcountinhibit; return true;
    case CSR_MSCRATCH: *v = h->mscratch; return true;
    case CSR_MEPC: *v = h->mepc; return true;
    case CSR_MCAUSE: *v = h->mcause; return true;
    case CSR_MTVAL: *v = h->mtval; return true;
    case CSR_MIP: *v = rv_mip(h); return true;
    }
    if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
        if (!counter_allowed(h, csr - 0xc00)) return false;
        *v = 0; /* hpm counters are implemented as read-only zero */
        return true;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *v = 0;
        return true;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned n = csr - CSR_PMPCFG0;
        if (n & 1) return false;       /* RV64: odd pmpcfg registers do not exist */
        if (n >= 4) { *v = 0; return true; } /* entries 16..63 not implemented */
        uint64_t x = 0;
        for (int i = 7; i >= 0; i--)
            x = x << 8 | h->pmpcfg[n * 4 + (unsigned)i];
        *v = x;
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        unsigned n = csr - CSR_PMPADDR0;
        *v = n < 16 ? h->pmpaddr[n] : 0;
        return true;
    }
    return false;
}

static void pmp_changed(struct rv_hart *h)
{
    h->pmp_active = false;
    for (int i = 0; i < 16; i++)
        if (h->pmpcfg[i] & 0x18)
            h->pmp_active = true;
    rv_tlb_flush(h);
}

static bool pmp_locked(const struct rv_hart *h, unsigned i)
{
    return h->pmpcfg[i] & 0x80;
}

/* Writes a CSR that passed the access checks; returns false when it does
 * not exist (illegal instruction). WARL fields keep legal values only. */
static bool csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    switch (csr) {
    case CSR_FFLAGS: h->fflags = v & 0x1f; break;
    case CSR_FRM: h->frm = v & 7; break;
    case CSR_FCSR: h->fflags = v & 0x1f; h->frm = (v >> 5) & 7; break;
    case CSR_SSTATUS: {
        uint64_t w = SSTATUS_MASK & MSTATUS_WMASK;
        uint64_t old = h->mstatus;
        h->mstatus = (h->mstatus & ~w) | (v & w);
        if ((old ^ h->mstatus) & MSTATUS_MXR)
            rv_tlb_flush(h);
        rv_update_modes(h);
        h->attn = 1;
        break;
    }
    case CSR_SIE: h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg & S_INTS); h->attn = 1; break;
    case CSR_STVEC: h->stvec = (v & 3) >= 2 ? (v & ~3ull) | (h->stvec & 3) : v; break;
    case CSR_SCOUNTEREN: h->scounteren = v & 0xffffffff; break;
    case CSR_SENVCFG: h->senvcfg = v & MENVCFG_FIOM; break;
    case CSR_SSCRATCH: h->sscratch = v; break;
    case CSR_SEPC: h->sepc = v & ~1ull; break;
    case CSR_SCAUSE: h->scause = v; break;
    case CSR_STVAL: h->stval = v; break;
    case CSR_SIP: {
        uint64_t m = h->mideleg & MIP_SSIP;
        h->mip_sw = (h->mip_sw & ~m) | (v & m);
        h->attn = 1;
        break;
    }
    case CSR_STIMECMP:
        h->stimecmp = v;
        rv_stimecmp_update(h);
        TRACE(h->m, TK_TIMER_SET, h->cpu.id, cpu_now(&h->cpu), TRACE_TIMER_STIMECMP, v,
              h->cpu.timers[h->stimecmp_timer].deadline);
        break;
    case CSR_SATP: {
        uint64_t mode = v >> 60;
        if (mode != 0 && mode != 8 && mode != 9)
            break; /* WARL: unsupported modes leave satp unchanged (§4.1.11) */
        if (mode == 9 && h->m->cfg.mmu_type[2] == '3')
            break; /* sv39-only configuration */
        h->satp = v & (0xfull << 60 | 0xffffull << 44 | 0xfffffffffffull);
        rv_tlb_flush(h);
        break;
    }
    case CSR_MSTATUS: {
        uint64_t old = h->mstatus;
        uint64_t n = (old & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK);
        if (((n & MSTATUS_MPP) >> 11) == 2)
            n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP); /* MPP=2 is reserved */
        h->mstatus = n;
        if ((old ^ n) & MSTATUS_MXR)
            rv_tlb_flush(h);
        rv_update_modes(h);
        h->attn = 1;
        break;
    }
    case CSR_MISA: break; /* WARL, not writable */
    case CSR_MEDELEG: h->medeleg = v & 0xb3ff; break; /* ecall-from-M (11) cannot be delegated */
    case CSR_MIDELEG: h->mideleg = v & S_INTS; h->attn = 1; break;
    case CSR_MIE: h->mie = v & ALL_INTS; h->attn = 1; break;
    case CSR_MTVEC: h->mtvec = (v & 3) >= 2 ? (v & ~3ull) | (h->mtvec & 3) : v; break;
    case CSR_MCOUNTEREN: h->mcounteren = v & 0xffffffff; break;
    case CSR_MENVCFG:
        h->menvcfg = v & (MENVCFG_FIOM | MENVCFG_STCE);
        rv_stimecmp_update(h);
        break;
    case CSR_MCOUNTINHIBIT: countinhibit_write(h, v); break;
    case CSR_MSCRATCH: h->mscratch = v; break;
    case CSR_MEPC: h->mepc = v & ~1ull; break;
    case CSR_MCAUSE: h->mcause = v; break;
    case CSR_MTVAL: h->mtval = v; break;
    case CSR_MIP: {
        uint64_t m = MIP_SSIP | MIP_SEIP | ((h->menvcfg & MENVCFG_STCE) ? 0 : MIP_STIP);
        if ((v & ~h->mip_sw & MIP_SSIP)) /* M-mode software injects an S-level IPI */
            TRACE(h->m, TK_IPI_DELIVER, h->cpu.id, cpu_now(&h->cpu), IPI_MECH_SIP, IRQ_SSI,
                  (uint64_t)h->cpu.id);
        h->mip_sw = (h->mip_sw & ~m) | (v & m);
        h->attn = 1;
        break;
    }
    case CSR_MCYCLE: cycle_write(h, v); break;
    case CSR_MINSTRET: instret_write(h, v); break;
    default:
        if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
            (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31))
            break; /* read-only zero counters: writes ignored */
        if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
            unsigned n = csr - CSR_PMPCFG0;
            if (n & 1) return false;
            if (n >= 4) break;
            for (unsigned i = 0; i < 8; i++) {
                unsigned e = n * 4 + i;
                uint8_t b = (uint8_t)(v >> (8 * i));
                if (pmp_locked(h, e))
                    continue;
                if ((b & 3) == 2) /* W without R is reserved: keep R=W=0 */
                    b &= (uint8_t)~3;
                h->pmpcfg[e] = b & 0x9f;
            }
            pmp_changed(h);
            break;
        }
        if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
            unsigned n = csr - CSR_PMPADDR0;
            if (n >= 16) break;
            /* A locked entry's address is locked; so is the address below a
             * locked TOR entry (§3.7.1). */
            if (pmp_locked(h, n))
                break;
            if (n + 1 < 16 && pmp_locked(h, n + 1) && ((h->pmpcfg[n + 1] >> 3) & 3) == 1)
                break;
            h->pmpaddr[n] = v & ((1ull << 54) - 1);
            pmp_changed(h);
            break;
        }
        return false;
    }
    return true;
}

static bool is_fp_csr(unsigned csr) { return csr >= CSR_FFLAGS && csr <= CSR_FCSR; }

int rv_csr_op(struct rv_hart *h, unsigned csr, bool write, uint64_t (*modify)(uint64_t, uint64_t),
              uint64_t arg, uint64_t *old_out)
{
    unsigned min_priv = (csr >> 8) & 3;
    if ((unsigned)h->priv < min_priv)
        return EXC_ILLEGAL_INSN;
    if (write && (csr >> 10) == 3)
        return EXC_ILLEGAL_INSN; /* read-only CSR */
    if (is_fp_csr(csr) && !(h->mstatus & MSTATUS_FS))
        return EXC_ILLEGAL_INSN;
    uint64_t old;
    if (!csr_read(h, csr, &old))
        return EXC_ILLEGAL_INSN;
    if (write) {
        if (!csr_write(h, csr, modify(old, arg)))
            return EXC_ILLEGAL_INSN;
        if (is_fp_csr(csr))
            h->mstatus |= MSTATUS_FS;
    }
    *old_out = old;
    return 0;
}

bool rv_csr_read_raw(struct rv_hart *h, unsigned csr, uint64_t *val)
{
    int saved = h->priv;
    h->priv = PRV_M;
    bool ok = csr_read(h, csr, val);
    h->priv = saved;
    return ok;
}
