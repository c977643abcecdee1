/* Control and status registers (priv spec 1.12 chapters 2-4; Sstc).
 * Access rules come from the CSR number itself (§2.1): bits 11:10 == 3 is
 * read-only, bits 9:8 give the lowest privilege that may access it. */
#include "rv_internal.h"
#include "isa.h"
#include "pmu.h"
#include "trigger.h"
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
    /* H extension (priv 20211203 Table 2.3) */
    CSR_HSTATUS = 0x600, CSR_HEDELEG = 0x602, CSR_HIDELEG = 0x603, CSR_HIE = 0x604,
    CSR_HTIMEDELTA = 0x605, CSR_HCOUNTEREN = 0x606, CSR_HGEIE = 0x607, CSR_HENVCFG = 0x60a,
    CSR_HTVAL = 0x643, CSR_HIP = 0x644, CSR_HVIP = 0x645, CSR_HTINST = 0x64a,
    CSR_HGATP = 0x680, CSR_HGEIP = 0xe12,
    CSR_VSSTATUS = 0x200, CSR_VSIE = 0x204, CSR_VSTVEC = 0x205, CSR_VSSCRATCH = 0x240,
    CSR_VSEPC = 0x241, CSR_VSCAUSE = 0x242, CSR_VSTVAL = 0x243, CSR_VSIP = 0x244,
    CSR_VSTIMECMP = 0x24d, CSR_VSATP = 0x280,
    CSR_MTINST = 0x34a, CSR_MTVAL2 = 0x34b,
    CSR_SCOUNTOVF = 0xda0, /* Sscofpmf */
};

#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)
#define MIP_VSSIP (1ull << IRQ_VSSI)
#define MIP_VSTIP (1ull << IRQ_VSTI)
#define MIP_VSEIP (1ull << IRQ_VSEI)
#define MIP_SGEIP (1ull << IRQ_SGEI)
#define S_INTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define VS_INTS (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)
#define MSTATUS_UXL_64 (2ull << 32)
/* mideleg bits that are read-only one with the H extension (§8.4.1) */
#define H_INTS (VS_INTS | MIP_SGEIP)
#define ALL_INTS (S_INTS | MIP_MSIP | MIP_MTIP | MIP_MEIP | H_INTS)
/* Sscofpmf: LCOFI (13) in mip/mie/mideleg/sip/sie; zero without it */
static uint64_t lcof(const struct rv_hart *h)
{
    return (h->ext & RV_EXT_SSCOFPMF) ? 1ull << IRQ_LCOFI : 0;
}

/* Access failures: the exception a CSR instruction raises. */
enum { CSR_OK = 0, CSR_ILLEGAL = EXC_ILLEGAL_INSN, CSR_VIRTUAL = EXC_VIRTUAL_INSN };

#define MENVCFG_FIOM (1ull << 0)
#define MENVCFG_STCE (1ull << 63)

/* The CMO 1.0 enables in menvcfg/henvcfg/senvcfg (bit positions in
 * rv_internal.h), writable only when the hart has Zicbom / Zicboz; else
 * read-only zero as before. CBIE is WARL: the reserved value 10b reads 00. */
static uint64_t envcfg_cbo(const struct rv_hart *h, uint64_t v)
{
    uint64_t m = ((h->ext & RV_EXT_ZICBOM) ? ENVCFG_CBIE | ENVCFG_CBCFE : 0) |
                 ((h->ext & RV_EXT_ZICBOZ) ? ENVCFG_CBZE : 0);
    v &= m;
    if ((v & ENVCFG_CBIE) == (2ull << 4))
        v &= ~ENVCFG_CBIE;
    return v;
}

#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
                       MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
                       MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPV | MSTATUS_GVA)
#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | \
                      MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
/* Writable bits of vsstatus (§8.2.10); UXL reads 2. */
#define VSSTATUS_WMASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
                        MSTATUS_MXR)
#define HSTATUS_WMASK (HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTVM | \
                       HSTATUS_VTW | HSTATUS_VTSR)
/* hedeleg: exceptions 9-11 and 20-23 cannot go to VS (§8.2.2) */
#define HEDELEG_WMASK 0xb1ffull

uint64_t rv_read_time(struct rv_hart *h)
{
    return aclint_mtime_at(h->aclint, cpu_now(&h->cpu));
}

/* Sstc for VS (§8.2.x vstimecmp): VSTIP follows (time + htimedelta >=
 * vstimecmp) while henvcfg.STCE (and menvcfg.STCE) are set. */
void rv_vstimecmp_update(struct rv_hart *h)
{
    if (!(h->henvcfg & MENVCFG_STCE) || !(h->menvcfg & MENVCFG_STCE)) {
        h->mip_hw &= ~MIP_VSTIP;
        cpu_timer_arm(&h->cpu, h->vstimecmp_timer, UINT64_MAX);
        return;
    }
    /* Guest time is host time + htimedelta, modulo 2^64 (KVM makes the
     * delta "negative"): compare in guest time, and arm the timer at the
     * host time when the guest's clock will reach vstimecmp. */
    uint64_t host_now = rv_read_time(h);
    uint64_t guest_now = host_now + h->htimedelta;
    if (guest_now >= h->vstimecmp) {
        h->mip_hw |= MIP_VSTIP;
        cpu_timer_arm(&h->cpu, h->vstimecmp_timer, UINT64_MAX);
    } else {
        uint64_t target = host_now + (h->vstimecmp - guest_now);
        h->mip_hw &= ~MIP_VSTIP;
        cpu_timer_arm(&h->cpu, h->vstimecmp_timer,
                      target < host_now ? UINT64_MAX : aclint_mtime_to_ticks(h->aclint, target));
    }
    h->attn = 1;
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
        cpu_timer_arm(&h->cpu, h->stimecmp_timer, aclint_mtime_to_ticks(h->aclint, h->stimecmp));
    }
    h->attn = 1;
}

/* mstatus/sstatus/vsstatus.VS are writable with the V extension (priv
 * §3.1.6.6; read-only zero without it). */
static uint64_t vs_wmask(const struct rv_hart *h)
{
    return (h->ext & RV_EXT_V) ? MSTATUS_VS : 0;
}

static uint64_t status_sd(uint64_t s)
{
    bool dirty = (s & MSTATUS_FS) == MSTATUS_FS || (s & MSTATUS_XS) == MSTATUS_XS ||
                 (s & MSTATUS_VS) == MSTATUS_VS;
    return dirty ? s | MSTATUS_SD : s & ~MSTATUS_SD;
}

/* Counter access from below M needs the mcounteren bit (else illegal),
 * in V=1 the hcounteren bit (else virtual instruction), and from U/VU the
 * scounteren bit (§3.1.11, §4.1.5, §8.2.5). */
static int counter_access(const struct rv_hart *h, unsigned idx)
{
    if (h->priv < PRV_M && !(h->mcounteren >> idx & 1))
        return CSR_ILLEGAL;
    if (h->virt && !(h->hcounteren >> idx & 1))
        return CSR_VIRTUAL;
    if (h->priv == PRV_U && !(h->scounteren >> idx & 1))
        return h->virt ? CSR_VIRTUAL : CSR_ILLEGAL;
    return CSR_OK;
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
    if (h->nhpm)
        rv_pmu_settle(h, false); /* counters 3..: count up to here under the old bits */
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
    if (h->nhpm) {
        rv_pmu_resume(h, old & ~v);
        rv_pmu_rearm(h);
    }
}

/* The value of a CSR, without access checks (those are csr_access's).
 * false: no such CSR. */
static bool csr_value_base(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_FFLAGS: *v = h->fflags; return true;
    case CSR_FRM: *v = h->frm; return true;
    case CSR_FCSR: *v = (uint64_t)h->frm << 5 | h->fflags; return true;
    case CSR_CYCLE: case CSR_MCYCLE: *v = cycle_read(h); return true;
    case CSR_TIME: *v = rv_read_time(h) + (h->virt ? h->htimedelta : 0); return true;
    case CSR_INSTRET: case CSR_MINSTRET: *v = instret(h); return true;
    case CSR_SSTATUS: *v = status_sd(h->mstatus) & SSTATUS_MASK; return true;
    case CSR_SIE: *v = h->mie & h->mideleg & (S_INTS | lcof(h)); return true;
    case CSR_STVEC: *v = h->stvec; return true;
    case CSR_SCOUNTEREN: *v = h->scounteren; return true;
    case CSR_SENVCFG: *v = h->senvcfg; return true;
    case CSR_SSCRATCH: *v = h->sscratch; return true;
    case CSR_SEPC: *v = h->sepc; return true;
    case CSR_SCAUSE: *v = h->scause; return true;
    case CSR_STVAL: *v = h->stval; return true;
    case CSR_SIP: *v = rv_mip(h) & h->mideleg & (S_INTS | lcof(h)); return true;
    case CSR_STIMECMP: *v = h->stimecmp; return true;
    case CSR_SATP: *v = h->satp; return true;
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
    case CSR_MTINST: *v = h->mtinst; return true;
    case CSR_MTVAL2: *v = h->mtval2; return true;
    case CSR_SCOUNTOVF: {
        /* Sscofpmf: OF of each counter, seen below M only where mcounteren
         * (and in VS, hcounteren) allows that counter */
        if (!(h->ext & RV_EXT_SSCOFPMF))
            return false;
        uint64_t m = rv_pmu_overflow_bits(h);
        if (h->priv < PRV_M)
            m &= h->mcounteren;
        if (h->virt)
            m &= h->hcounteren;
        *v = m;
        return true;
    }
    /* hypervisor CSRs (§8.2) */
    case CSR_HSTATUS: *v = h->hstatus | (2ull << 32); return true; /* VSXL = 64-bit */
    case CSR_HEDELEG: *v = h->hedeleg; return true;
    case CSR_HIDELEG: *v = h->hideleg; return true;
    case CSR_HIE: *v = h->mie & H_INTS; return true;
    case CSR_HTIMEDELTA: *v = h->htimedelta; return true;
    case CSR_HCOUNTEREN: *v = h->hcounteren; return true;
    case CSR_HGEIE: *v = h->aia.hgeie; return true; /* 0 without guest files */
    case CSR_HGEIP: *v = h->aia.hgeip; return true;
    case CSR_HENVCFG: *v = h->henvcfg; return true;
    case CSR_HTVAL: *v = h->htval; return true;
    case CSR_HIP: *v = rv_mip(h) & H_INTS; return true;
    case CSR_HVIP: *v = h->mip_sw & VS_INTS; return true;
    case CSR_HTINST: *v = h->htinst; return true;
    case CSR_HGATP: *v = h->hgatp; return true;
    /* VS CSRs; vsip/vsie show the delegated VS bits at S positions (§8.2.12) */
    case CSR_VSSTATUS: *v = status_sd(h->vsstatus) | MSTATUS_UXL_64; return true;
    case CSR_VSIE: *v = (h->mie & h->hideleg & VS_INTS) >> 1; return true;
    case CSR_VSTVEC: *v = h->vstvec; return true;
    case CSR_VSSCRATCH: *v = h->vsscratch; return true;
    case CSR_VSEPC: *v = h->vsepc; return true;
    case CSR_VSCAUSE: *v = h->vscause; return true;
    case CSR_VSTVAL: *v = h->vstval; return true;
    case CSR_VSIP: *v = (rv_mip(h) & h->hideleg & VS_INTS) >> 1; return true;
    case CSR_VSTIMECMP: *v = h->vstimecmp; return true;
    case CSR_VSATP: *v = h->vsatp; return true;
    }
    /* counters beyond [cpu] mhpm-counters read zero (pmu.c) */
    if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
        *v = rv_pmu_counter_read(h, csr - CSR_CYCLE);
        return true;
    }
    if (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) {
        *v = rv_pmu_counter_read(h, csr - CSR_MCYCLE);
        return true;
    }
    if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) {
        *v = rv_pmu_event_read(h, csr - CSR_MCOUNTINHIBIT);
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
    if ((h->ext & RV_EXT_V) && rv_vec_csr_read(h, csr, v)) /* V 1.0 (vector.c) */
        return true;
    if (h->ntrig && rv_trig_csr_read(h, csr, v)) /* Sdtrig: only with triggers (trigger.c) */
        return true;
    return rv_aia_csr_read(h, csr, v); /* Smaia/Ssaia when the board has IMSICs */
}

/* S CSRs that V=1 redirects to their VS counterpart (§8.2: VS CSR = S CSR
 * number + 0x100). */
/* ... with the AIA's additions to sip/sie/vsip/vsie/hvip (mvien, hvien) */
static bool csr_value(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    if (!csr_value_base(h, csr, v))
        return false;
    if (h->aia.on)
        rv_aia_view(h, csr, v);
    return true;
}

static bool redirected_in_vs(unsigned csr)
{
    switch (csr) {
    case CSR_SSTATUS: case CSR_SIE: case CSR_STVEC: case CSR_SSCRATCH: case CSR_SEPC:
    case CSR_SCAUSE: case CSR_STVAL: case CSR_SIP: case CSR_STIMECMP: case CSR_SATP:
    case 0x150: case 0x151: case 0x15c: /* siselect, sireg, stopei (AIA §2.3) */
        return true;
    }
    return false;
}

static bool is_counter(unsigned csr) { return csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31; }

/* The access rules (§2.1, §3.1.6.5, §8.6.1): CSR_OK with *pcsr the CSR to
 * operate on, or the exception to raise. In V=1 an access that HS mode
 * could make is a virtual-instruction exception rather than illegal. */
static int csr_access_std(struct rv_hart *h, unsigned *pcsr, bool write)
{
    unsigned csr = *pcsr;
    unsigned level = (csr >> 8) & 3; /* 0 U, 1 S, 2 hypervisor/VS, 3 M */
    uint64_t dummy;
    if (!csr_value(h, csr, &dummy) || (write && (csr >> 10) == 3))
        return CSR_ILLEGAL;
    if (level == 3)
        return h->priv == PRV_M ? CSR_OK : CSR_ILLEGAL;
    bool fp = csr >= CSR_FFLAGS && csr <= CSR_FCSR;
    if (fp && (!(h->mstatus & MSTATUS_FS) || (h->virt && !(h->vsstatus & MSTATUS_FS))))
        return CSR_ILLEGAL;
    if ((h->ext & RV_EXT_V) && rv_vec_is_csr(csr) && !rv_vec_csr_ok(h))
        return CSR_ILLEGAL; /* V §3.2: mstatus.VS (vsstatus.VS) Off */
    bool sstc = h->menvcfg & MENVCFG_STCE, tm = h->mcounteren & 2;
    if (h->virt) {
        if (level == 2 || (level == 1 && h->priv == PRV_U))
            return CSR_VIRTUAL;
        if (level == 1) {
            if (csr == CSR_SATP && (h->hstatus & HSTATUS_VTVM))
                return CSR_VIRTUAL;
            if (csr == CSR_STIMECMP) {
                if (!sstc || !tm)
                    return CSR_ILLEGAL;
                if (!(h->henvcfg & MENVCFG_STCE) || !(h->hcounteren & 2))
                    return CSR_VIRTUAL;
            }
            if (redirected_in_vs(csr))
                *pcsr = csr + 0x100;
            return CSR_OK;
        }
        return is_counter(csr) ? counter_access(h, csr - CSR_CYCLE) : CSR_OK;
    }
    int need = level == 2 ? PRV_S : (int)level;
    if (h->priv < need)
        return CSR_ILLEGAL;
    if ((csr == CSR_SATP || csr == CSR_HGATP) && h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))
        return CSR_ILLEGAL;
    if ((csr == CSR_STIMECMP || csr == CSR_VSTIMECMP) && h->priv < PRV_M && (!sstc || !tm))
        return CSR_ILLEGAL;
    return is_counter(csr) ? counter_access(h, csr - CSR_CYCLE) : CSR_OK;
}

/* ... and the AIA's rules for the indirectly accessed registers */
static int csr_access(struct rv_hart *h, unsigned *pcsr, bool write)
{
    int r = csr_access_std(h, pcsr, write);
    return r == CSR_OK && h->aia.on ? rv_aia_csr_check(h, *pcsr, write) : r;
}

static void pmp_changed(struct rv_hart *h)
{
    rv_pmp_recompute(h);
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
    if (h->aia.on)
        rv_aia_pre_write(h, csr, &v); /* mvien/hvien bits of sip/sie/vsip/vsie/hvip (aia.c) */
    switch (csr) {
    case CSR_FFLAGS: h->fflags = v & 0x1f; break;
    case CSR_FRM: h->frm = v & 7; break;
    case CSR_FCSR: h->fflags = v & 0x1f; h->frm = (v >> 5) & 7; break;
    case CSR_SSTATUS: {
        uint64_t w = SSTATUS_MASK & (MSTATUS_WMASK | vs_wmask(h));
        uint64_t old = h->mstatus;
        h->mstatus = (h->mstatus & ~w) | (v & w);
        if ((old ^ h->mstatus) & MSTATUS_MXR)
            rv_tlb_flush(h);
        rv_update_modes(h);
        h->attn = 1;
        break;
    }
    case CSR_SIE: {
        uint64_t m = h->mideleg & (S_INTS | lcof(h));
        h->mie = (h->mie & ~m) | (v & m);
        h->attn = 1;
        break;
    }
    case CSR_STVEC: h->stvec = (v & 3) >= 2 ? (v & ~3ull) | (h->stvec & 3) : v; break;
    case CSR_SCOUNTEREN: h->scounteren = v & 0xffffffff; break;
    case CSR_SENVCFG: h->senvcfg = (v & MENVCFG_FIOM) | envcfg_cbo(h, v); break;
    case CSR_SSCRATCH: h->sscratch = v; break;
    case CSR_SEPC: h->sepc = v & ~1ull; break;
    case CSR_SCAUSE: h->scause = v; break;
    case CSR_STVAL: h->stval = v; break;
    case CSR_SIP: {
        uint64_t m = h->mideleg & (MIP_SSIP | lcof(h)); /* LCOFIP: software clears it */
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
    case CSR_SATP: case CSR_VSATP: {
        uint64_t mode = v >> 60;
        if (mode != 0 && mode != 8 && mode != 9)
            break; /* WARL: unsupported modes leave satp unchanged (§4.1.11) */
        if (mode == 9 && h->sv39_only)
            break; /* sv39-only configuration */
        uint64_t val = v & (0xfull << 60 | 0xffffull << 44 | 0xfffffffffffull);
        if (csr == CSR_SATP)
            h->satp = val;
        else
            h->vsatp = val;
        rv_tlb_flush(h);
        break;
    }
    case CSR_HGATP: {
        /* Sv39x4 / Sv48x4 or bare. Unlike satp, a write with an unsupported
         * MODE is not ignored: the fields are WARL one by one, so MODE keeps
         * its old value and VMID/PPN are written; the root is 16 KiB aligned
         * (PPN[1:0] read as zero) (§8.2.18). */
        uint64_t mode = v >> 60;
        bool supported = mode == 0 || mode == 8 || (mode == 9 && !h->sv39_only);
        if (!supported)
            mode = h->hgatp >> 60;
        h->hgatp = mode << 60 | (v & (0x3fffull << 44 | (0xfffffffffffull & ~3ull)));
        rv_tlb_flush(h);
        break;
    }
    case CSR_HSTATUS: {
        /* VGEIN (WLRL 0..GEILEN) exists with guest interrupt files */
        uint64_t vg = v & rv_aia_vgein_mask(h);
        if ((vg >> 12) > h->aia.geilen)
            vg = 0;
        h->hstatus = (v & HSTATUS_WMASK) | vg;
        if (h->aia.on)
            rv_aia_update(h);
        h->attn = 1;
        break;
    }
    case CSR_HEDELEG: h->hedeleg = v & HEDELEG_WMASK; break;
    case CSR_HIDELEG: h->hideleg = v & VS_INTS; h->attn = 1; break;
    case CSR_HIE: h->mie = (h->mie & ~VS_INTS) | (v & VS_INTS); h->attn = 1; break;
    case CSR_HTIMEDELTA:
        h->htimedelta = v;
        rv_vstimecmp_update(h);
        break;
    case CSR_HCOUNTEREN: h->hcounteren = v & 0xffffffff; break;
    case CSR_HGEIE: rv_aia_write_hgeie(h, v); break; /* bits 1..GEILEN */
    case CSR_HENVCFG: {
        /* STCE and PBMTE are read-only zero while menvcfg's bit is 0 (Sstc, Svpbmt) */
        uint64_t old = h->henvcfg;
        h->henvcfg = (v & (MENVCFG_FIOM | (h->menvcfg & (MENVCFG_STCE | ENVCFG_PBMTE)))) |
                     envcfg_cbo(h, v);
        if ((old ^ h->henvcfg) & ENVCFG_PBMTE)
            rv_tlb_flush(h);
        rv_vstimecmp_update(h);
        break;
    }
    case CSR_HTVAL: h->htval = v; break;
    case CSR_HIP: /* only VSSIP is writable, as an alias of hvip.VSSIP */
    case CSR_HVIP: {
        uint64_t m = csr == CSR_HIP ? MIP_VSSIP : VS_INTS;
        if (v & ~h->mip_sw & MIP_VSSIP) /* the hypervisor injects a virtual IPI */
            TRACE(h->m, TK_IPI_DELIVER, h->cpu.id, cpu_now(&h->cpu), IPI_MECH_HVIP, IRQ_VSSI,
                  (uint64_t)h->cpu.id);
        h->mip_sw = (h->mip_sw & ~m) | (v & m);
        h->attn = 1;
        break;
    }
    case CSR_HTINST: h->htinst = v; break;
    case CSR_MTINST: h->mtinst = v; break;
    case CSR_MTVAL2: h->mtval2 = v; break;
    case CSR_VSSTATUS: {
        uint64_t old = h->vsstatus;
        uint64_t wm = VSSTATUS_WMASK | vs_wmask(h);
        h->vsstatus = (old & ~wm) | (v & wm);
        if ((old ^ h->vsstatus) & MSTATUS_MXR)
            rv_tlb_flush(h);
        rv_update_modes(h);
        h->attn = 1;
        break;
    }
    case CSR_VSIE: {
        uint64_t m = h->hideleg & VS_INTS;
        h->mie = (h->mie & ~m) | ((v << 1) & m);
        h->attn = 1;
        break;
    }
    case CSR_VSIP: { /* only SSIP (-> hvip.VSSIP) is writable */
        uint64_t m = h->hideleg & MIP_VSSIP;
        h->mip_sw = (h->mip_sw & ~m) | ((v << 1) & m);
        h->attn = 1;
        break;
    }
    case CSR_VSTVEC: h->vstvec = (v & 3) >= 2 ? (v & ~3ull) | (h->vstvec & 3) : v; break;
    case CSR_VSSCRATCH: h->vsscratch = v; break;
    case CSR_VSEPC: h->vsepc = v & ~1ull; break;
    case CSR_VSCAUSE: h->vscause = v; break;
    case CSR_VSTVAL: h->vstval = v; break;
    case CSR_VSTIMECMP:
        h->vstimecmp = v;
        rv_vstimecmp_update(h);
        TRACE(h->m, TK_TIMER_SET, h->cpu.id, cpu_now(&h->cpu), TRACE_TIMER_VSTIMECMP, v,
              h->cpu.timers[h->vstimecmp_timer].deadline);
        break;
    case CSR_MSTATUS: {
        uint64_t old = h->mstatus;
        uint64_t wm = MSTATUS_WMASK | vs_wmask(h);
        uint64_t n = (old & ~wm) | (v & wm);
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
    /* ecall-from-M (11) cannot be delegated; with H, causes 10 and 20-23 can */
    case CSR_MEDELEG: h->medeleg = v & 0xf0b7ffull; break;
    case CSR_MIDELEG: h->mideleg = (v & (S_INTS | lcof(h))) | H_INTS; h->attn = 1; break;
    case CSR_MIE: h->mie = v & (ALL_INTS | lcof(h)); h->attn = 1; break;
    case CSR_MTVEC: h->mtvec = (v & 3) >= 2 ? (v & ~3ull) | (h->mtvec & 3) : v; break;
    case CSR_MCOUNTEREN: h->mcounteren = v & 0xffffffff; break;
    case CSR_MENVCFG: {
        uint64_t old = h->menvcfg;
        h->menvcfg = (v & (MENVCFG_FIOM | MENVCFG_STCE)) | envcfg_cbo(h, v) |
                     ((h->ext & RV_EXT_SVPBMT) ? v & ENVCFG_PBMTE : 0);
        if (!(h->menvcfg & MENVCFG_STCE))
            h->henvcfg &= ~MENVCFG_STCE;
        /* henvcfg.PBMTE is read-only zero while menvcfg.PBMTE is 0 (Svpbmt) */
        if (!(h->menvcfg & ENVCFG_PBMTE))
            h->henvcfg &= ~ENVCFG_PBMTE;
        if ((old ^ h->menvcfg) & ENVCFG_PBMTE)
            rv_tlb_flush(h); /* the PBMT bits of cached walks change meaning */
        rv_stimecmp_update(h);
        rv_vstimecmp_update(h);
        break;
    }
    case CSR_MCOUNTINHIBIT: countinhibit_write(h, v); break;
    case CSR_MSCRATCH: h->mscratch = v; break;
    case CSR_MEPC: h->mepc = v & ~1ull; break;
    case CSR_MCAUSE: h->mcause = v; break;
    case CSR_MTVAL: h->mtval = v; break;
    case CSR_MIP: {
        /* VSSIP is writable here (an alias of hvip.VSSIP); VSTIP/VSEIP are
         * read-only in mip as in hip (§8.2.3, §8.4.3) */
        uint64_t m = MIP_SSIP | MIP_SEIP | MIP_VSSIP | ((h->menvcfg & MENVCFG_STCE) ? 0 : MIP_STIP) |
                     lcof(h);
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
        if (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) {
            rv_pmu_counter_write(h, csr - CSR_MCYCLE, v); /* ignored beyond the count */
            break;
        }
        if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) {
            rv_pmu_event_write(h, csr - CSR_MCOUNTINHIBIT, v);
            break;
        }
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
        if ((h->ext & RV_EXT_V) && rv_vec_csr_write(h, csr, v))
            break;
        if (h->ntrig && rv_trig_csr_write(h, csr, v))
            break;
        return rv_aia_csr_write(h, csr, v);
    }
    return true;
}

int rv_csr_op(struct rv_hart *h, unsigned csr, bool write, uint64_t (*modify)(uint64_t, uint64_t),
              uint64_t arg, uint64_t *old_out)
{
    int r = csr_access(h, &csr, write);
    if (r)
        return r;
    uint64_t old;
    csr_value(h, csr, &old);
    if (write) {
        /* mip.SEIP reads as the software-writable bit OR the external
         * controller's signal, but only the software bit takes part in the
         * read-modify-write of CSRRS/CSRRC (privileged spec §3.1.9): an
         * M-mode `csrs mip, SSIP` while the PLIC's S line is high must not
         * latch SEIP for ever */
        uint64_t base = csr == CSR_MIP ? (old & ~MIP_SEIP) | (h->mip_sw & MIP_SEIP) : old;
        if (!csr_write(h, csr, modify(base, arg)))
            return CSR_ILLEGAL;
        if (csr >= CSR_FFLAGS && csr <= CSR_FCSR) {
            h->mstatus |= MSTATUS_FS;
            if (h->virt)
                h->vsstatus |= MSTATUS_FS;
        }
        if ((h->ext & RV_EXT_V) && rv_vec_is_csr(csr))
            rv_vec_dirty(h);
    }
    *old_out = old;
    return 0;
}

bool rv_csr_read_raw(struct rv_hart *h, unsigned csr, uint64_t *val)
{
    return csr_value(h, csr, val);
}

bool rv_csr_write_raw(struct rv_hart *h, unsigned csr, uint64_t val)
{
    uint64_t old;
    if (!csr_value(h, csr, &old) || (csr >> 10) == 3)
        return false; /* no such CSR, or read-only */
    return csr_write(h, csr, val);
}
