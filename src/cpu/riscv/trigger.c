/* Sdtrig debug triggers: RISC-V Debug Specification 1.0, chapter "Sdtrig"
 * (Trigger Module) and its register descriptions (tselect, tdata1-3,
 * tinfo, tcontrol, mcontrol, mcontrol6, icount, itrigger, etrigger).
 * docs/riscv.md "Debug triggers (Sdtrig)" lists what is implemented.
 *
 * Every trigger supports types 2, 3, 4, 5, 6 and 15 (disabled), action 0
 * only (raise a breakpoint exception; there is no Debug Mode, so dmode is
 * read-only 0 for the guest). The debugger (gdb's `monitor hwtrig on`) may
 * own triggers: mcontrol6 with dmode = 1 and action = 1, which stop the
 * hart for gdb instead (rv_trig_debugger). While an address/data or an instruction-count trigger is
 * armed, the hart runs one instruction at a time on the interpreter
 * (h->trig_per_insn, as pmu.c's per-instruction events) and exec.c calls
 * rv_trig_insn_start before each instruction; otherwise triggers cost
 * nothing per instruction.
 *
 * Context matching (Sdtrig "Machine Context", "Supervisor Context",
 * textra64): mcontext (hcontext from HS mode) holds 14 bits, scontext 34
 * bits (the sizes the spec recommends for RV64 with H); tdata3 of types
 * 2-6 is textra64 with every field: a trigger only matches while the
 * context its mhselect/sselect names equals mhvalue/svalue. */
#include "trigger.h"
#include "rv_internal.h"
#include "isa.h"

/* tdata1 type field (bits 63:60). */
enum { TT_NONE = 0, TT_MCONTROL = 2, TT_ICOUNT = 3, TT_ITRIGGER = 4, TT_ETRIGGER = 5,
       TT_MCONTROL6 = 6, TT_DISABLED = 15 };
#define TYPE(v) ((unsigned)((v) >> 60))
#define BIT(n) (1ull << (n))
#define FIELD(v, hi, lo) (((v) >> (lo)) & ((2ull << ((hi) - (lo))) - 1))

/* mcontrol (type 2) and mcontrol6 (type 6) common bits */
#define MC_LOAD    BIT(0)
#define MC_STORE   BIT(1)
#define MC_EXECUTE BIT(2)
#define MC_U       BIT(3)
#define MC_S       BIT(4)
#define MC_M       BIT(6)
#define MC_CHAIN   BIT(11)
#define T_DMODE    BIT(59)            /* only the debugger writes the trigger */
#define MC_ACTION1 (1ull << 12)       /* action (15:12) = 1: enter Debug Mode */
/* mcontrol: maskmax 58:53, sizehi 22:21, hit 20, select 19, timing 18, sizelo 17:16 */
#define MC2_MASKMAX (63ull << 53)
#define MC2_HIT    BIT(20)
#define MC2_SELECT BIT(19)
/* mcontrol6: hit1 25, vs 24, vu 23, hit0 22, select 21, size 18:16 */
#define MC6_HIT1   BIT(25)
#define MC6_VS     BIT(24)
#define MC6_VU     BIT(23)
#define MC6_HIT0   BIT(22)
#define MC6_SELECT BIT(21)
/* icount: vs 26, vu 25, hit 24, count 23:10, m 9, pending 8, s 7, u 6 */
#define IC_VS      BIT(26)
#define IC_VU      BIT(25)
#define IC_HIT     BIT(24)
#define IC_COUNT_SHIFT 10
#define IC_COUNT   (0x3fffull << IC_COUNT_SHIFT)
#define IC_PENDING BIT(8)
/* itrigger/etrigger: hit 58, vs 12, vu 11, (itrigger nmi 10), m 9, s 7, u 6 */
#define XT_HIT     BIT(58)
/* icount/itrigger/etrigger share m 9, s 7, u 6 */
#define T_M BIT(9)
#define T_S BIT(7)
#define T_U BIT(6)

/* textra64 (tdata3 of types 2-6): mhvalue 63:51, mhselect 50:48,
 * sbytemask 40:36, svalue 35:2, sselect 1:0 */
#define TX_MHVALUE(t)   FIELD(t, 63, 51)
#define TX_MHSELECT(t)  ((unsigned)FIELD(t, 50, 48))
#define TX_SBYTEMASK(t) ((unsigned)FIELD(t, 40, 36))
#define TX_SVALUE(t)    FIELD(t, 35, 2)
#define TX_SSELECT(t)   ((unsigned)FIELD(t, 1, 0))
/* the implemented widths: mcontext.hcontext 14 bits (H: the spec's
 * recommended RV64 maximum), scontext.data 34 bits (= svalue), VMIDMAX 14
 * and ASIDMAX 16 (priv spec, RV64) */
#define MCONTEXT_MASK 0x3fffull
#define SCONTEXT_MASK ((1ull << 34) - 1)

/* tcontrol (Debug 1.0 "Trigger Control") */
#define TCONTROL_MTE  BIT(3)
#define TCONTROL_MPTE BIT(7)

/* tinfo: version 1 (ratified 1.0) in 31:24, supported types in 15:0 */
#define TINFO_VALUE ((1ull << 24) | BIT(TT_MCONTROL) | BIT(TT_ICOUNT) | BIT(TT_ITRIGGER) | \
                     BIT(TT_ETRIGGER) | BIT(TT_MCONTROL6) | BIT(TT_DISABLED))

/* Interrupts an itrigger can select (the ones the hart has: priv 1.12
 * §3.1.9, §8.2.3, Sscofpmf's 13) and exception causes an etrigger can
 * select (priv Table 3.6 and §8.6: 0-13, 15, 20-23). */
#define ITRIGGER_MASK 0x3eeeull
#define ETRIGGER_MASK (0xbfffull | (0xfull << 20))

/* The mode a hart runs in, as one number: 0 U, 1 S/HS, 3 M, 4 VU, 5 VS. */
static int cur_mode(const struct rv_hart *h) { return h->priv + (h->virt ? 4 : 0); }
static int mode_of(int priv, bool virt) { return priv + (virt ? 4 : 0); }

/* The mode-enable bit of tdata1 v for mode md. */
static bool mode_enabled(uint64_t v, int md)
{
    unsigned t = TYPE(v);
    uint64_t m, s, u, vs = 0, vu = 0;
    if (t == TT_MCONTROL || t == TT_MCONTROL6) {
        m = MC_M; s = MC_S; u = MC_U;
        if (t == TT_MCONTROL6) { vs = MC6_VS; vu = MC6_VU; } /* type 2 has no VS/VU bits */
    } else if (t == TT_ICOUNT) {
        m = T_M; s = T_S; u = T_U; vs = IC_VS; vu = IC_VU;
    } else if (t == TT_ITRIGGER || t == TT_ETRIGGER) {
        m = T_M; s = T_S; u = T_U; vs = BIT(12); vu = BIT(11);
    } else {
        return false;
    }
    switch (md) {
    case 0: return v & u;
    case 1: return v & s;
    case 3: return v & m;
    case 4: return vu && (v & vu);
    case 5: return vs && (v & vs);
    }
    return false;
}

/* Re-entrancy ("Native Triggers"): action-0 triggers neither match nor
 * fire in M mode while tcontrol.mte = 0; in HS mode while breakpoints are
 * delegated (medeleg[3]) and sstatus.SIE = 0; in VS mode while they are
 * delegated to VS (medeleg[3] and hedeleg[3]) and vsstatus.SIE = 0. */
static bool inhibited(const struct rv_hart *h, int md)
{
    bool deleg = h->medeleg & BIT(EXC_BREAKPOINT);
    switch (md) {
    case 3: return !(h->tcontrol & TCONTROL_MTE);
    case 1: return deleg && !(h->mstatus & MSTATUS_SIE);
    case 5: return deleg && (h->hedeleg & BIT(EXC_BREAKPOINT)) && !(h->vsstatus & MSTATUS_SIE);
    }
    return false;
}

static bool any_mode(uint64_t v)
{
    for (int md = 0; md < 6; md++)
        if (mode_enabled(v, md))
            return true;
    return false;
}

/* Recompute h->trig_per_insn: an execute/load/store trigger or a counting
 * (or pending) icount needs every instruction seen. */
static void update(struct rv_hart *h)
{
    bool on = h->trig_fire;
    for (unsigned i = 0; i < h->ntrig && !on; i++) {
        uint64_t v = h->tdata1[i];
        switch (TYPE(v)) {
        case TT_MCONTROL: case TT_MCONTROL6:
            on = (v & (MC_LOAD | MC_STORE | MC_EXECUTE)) && any_mode(v);
            break;
        case TT_ICOUNT:
            on = (v & IC_PENDING) || ((v & IC_COUNT) && any_mode(v));
            break;
        }
    }
    if (on && !h->trig_per_insn) {
        h->trig_start_mode = h->trig_irq_mode = -1;
        h->interp_only = true; /* from the next block on (exec.c) */
    }
    h->trig_per_insn = on;
    h->attn = 1;
}

void rv_trig_reset(struct rv_hart *h)
{
    if (h->ntrig > RV_TRIG_MAX)
        h->ntrig = RV_TRIG_MAX;
    h->tselect = 0;
    h->tcontrol = 0;
    h->mcontext = h->scontext = 0;
    for (unsigned i = 0; i < RV_TRIG_MAX; i++) {
        h->tdata1[i] = i < h->ntrig ? (uint64_t)TT_DISABLED << 60 : 0;
        h->tdata2[i] = h->tdata3[i] = 0;
    }
    h->trig_fire = false;
    h->trig_halt = h->trig_dbg = false;
    h->trig_fire_tval = 0;
    h->trig_ld.pend = false;
    h->trig_tval0 = false;
    h->trig_per_insn = false;
    h->trig_start_mode = h->trig_irq_mode = -1;
}

/* ---- tdata1 / tdata2 WARL rules ---- */

static bool legal_match(unsigned m)
{
    return m <= 5 || m == 8 || m == 9 || m == 12 || m == 13;
}

static uint64_t legal_tdata1(uint64_t v)
{
    unsigned t = TYPE(v);
    uint64_t r = (uint64_t)t << 60; /* dmode (59) stays 0: no Debug Mode */
    switch (t) {
    case TT_MCONTROL: {
        r |= MC2_MASKMAX; /* NAPOT ranges up to 2^63 bytes */
        unsigned size = (unsigned)(FIELD(v, 22, 21) << 2 | FIELD(v, 17, 16));
        if (size > 5)
            size = 0; /* 0 any, 1/2/4/8 bytes (1, 2, 3, 5), 48-bit (4) */
        r |= (uint64_t)(size >> 2) << 21 | (uint64_t)(size & 3) << 16;
        r |= v & (MC2_HIT | MC2_SELECT | MC_CHAIN | MC_M | MC_S | MC_U | MC_EXECUTE | MC_STORE |
                  MC_LOAD);
        /* timing (18) read-only 0: every match fires "before"; action 0 only */
        unsigned m = (unsigned)FIELD(v, 10, 7);
        r |= (uint64_t)(legal_match(m) ? m : 0) << 7;
        break;
    }
    case TT_MCONTROL6: {
        unsigned size = (unsigned)FIELD(v, 18, 16);
        r |= (uint64_t)(size == 7 ? 0 : size) << 16;
        r |= v & (MC6_HIT1 | MC6_VS | MC6_VU | MC6_HIT0 | MC6_SELECT | MC_CHAIN | MC_M | MC_S |
                  MC_U | MC_EXECUTE | MC_STORE | MC_LOAD);
        /* uncertain (26) and uncertainen (5) read-only 0; action 0 only */
        unsigned m = (unsigned)FIELD(v, 10, 7);
        r |= (uint64_t)(legal_match(m) ? m : 0) << 7;
        break;
    }
    case TT_ICOUNT:
        r |= v & (IC_VS | IC_VU | IC_HIT | IC_COUNT | T_M | IC_PENDING | T_S | T_U);
        break;
    case TT_ITRIGGER: /* nmi (10) read-only 0: the hart has no NMIs */
    case TT_ETRIGGER:
        r |= v & (XT_HIT | BIT(12) | BIT(11) | T_M | T_S | T_U);
        break;
    default:
        /* 0 ("writing 0 must disable the trigger"), 15 and every type not
         * implemented: disabled (type 15), the other bits ignored */
        r = (uint64_t)TT_DISABLED << 60;
        break;
    }
    return r;
}

static uint64_t legal_tdata2(uint64_t t1, uint64_t v)
{
    switch (TYPE(t1)) {
    case TT_ITRIGGER: return v & ITRIGGER_MASK;
    case TT_ETRIGGER: return v & ETRIGGER_MASK;
    case TT_MCONTROL6: {
        /* NAPOT: maskmax6 = 63; bits 62:0 all ones clear bit 62 (tdata2 WARL) */
        unsigned m = (unsigned)FIELD(t1, 10, 7);
        if ((m == 1 || m == 9) && (v & ~BIT(63)) == ~BIT(63))
            v &= ~BIT(62);
        return v;
    }
    }
    return v;
}

/* textra64 WARL: every field kept; the reserved mhselect values 3 and 7
 * and sselect 3 read 0 (ignore) with their value field; bits 47:41 are 0.
 * The same for every type (a disabled trigger's tdata3 takes any value
 * one of its types supports). */
static uint64_t legal_tdata3(uint64_t v)
{
    uint64_t r = v & ~(0x7full << 41);
    unsigned mh = TX_MHSELECT(v);
    if (mh == 3 || mh == 7)
        r &= ~(0x1fffull << 51 | 7ull << 48);
    if (TX_SSELECT(v) == 3)
        r &= ~(0x1full << 36 | ((1ull << 34) - 1) << 2 | 3ull);
    return r;
}

/* Does trigger i's textra allow a match now, for an event in mode md (0 U,
 * 1 S/HS, 3 M, 4 VU, 5 VS)? Sdtrig textra32/64: mhselect 4 compares the
 * low 13 bits of mcontext with mhvalue; 1/5 its low 14 bits with
 * {mhvalue, mhselect[2]}; 2/6 hgatp.VMID with the low VMIDMAX bits of
 * {mhvalue, mhselect[2]}. sselect 1 compares scontext with svalue, the
 * bytes sbytemask names ignored; 2 the ASID of satp (vsatp for an event
 * in VS/VU) with the low ASIDMAX bits of svalue. These apply in every
 * mode, M included (the spec's commentary). */
static bool textra_ok(const struct rv_hart *h, unsigned i, int md)
{
    uint64_t t = h->tdata3[i];
    if (!t)
        return true;
    uint64_t mh = TX_MHVALUE(t) << 1 | TX_MHSELECT(t) >> 2;
    switch (TX_MHSELECT(t)) {
    case 4: if ((h->mcontext & 0x1fff) != TX_MHVALUE(t)) return false; break;
    case 1: case 5: if ((h->mcontext & MCONTEXT_MASK) != mh) return false; break;
    case 2: case 6: if (FIELD(h->hgatp, 57, 44) != (mh & 0x3fff)) return false; break;
    }
    switch (TX_SSELECT(t)) {
    case 1: {
        uint64_t mask = SCONTEXT_MASK;
        unsigned bm = TX_SBYTEMASK(t);
        for (unsigned b = 0; b < 5; b++)
            if (bm >> b & 1)
                mask &= ~(0xffull << (8 * b));
        if ((h->scontext & mask) != (TX_SVALUE(t) & mask))
            return false;
        break;
    }
    case 2: {
        uint64_t satp = md >= 4 ? h->vsatp : h->satp;
        if (FIELD(satp, 59, 44) != (TX_SVALUE(t) & 0xffff))
            return false;
        break;
    }
    }
    return true;
}

bool rv_trig_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    unsigned i = (unsigned)h->tselect;
    switch (csr) {
    case CSR_TSELECT: *v = h->tselect; return true;
    case CSR_TDATA1: *v = h->tdata1[i]; return true;
    case CSR_TDATA2: *v = h->tdata2[i]; return true;
    case CSR_TDATA3: *v = h->tdata3[i]; return true;
    case CSR_TINFO: *v = TINFO_VALUE; return true;
    case CSR_TCONTROL: *v = h->tcontrol; return true;
    case CSR_MCONTEXT: case CSR_HCONTEXT: *v = h->mcontext; return true;
    case CSR_SCONTEXT: *v = h->scontext; return true;
    }
    return false;
}

bool rv_trig_csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    unsigned i = (unsigned)h->tselect;
    switch (csr) {
    case CSR_TSELECT:
        /* WARL: an index without a trigger leaves tselect unchanged, so
         * reading back tells a debugger where the triggers end */
        if (v < h->ntrig)
            h->tselect = v;
        return true;
    case CSR_TDATA1:
        if (h->tdata1[i] & T_DMODE)
            return true; /* the debugger's: writes from M-mode are ignored */
        h->tdata1[i] = legal_tdata1(v);
        /* icount written by this instruction: count holds what was
         * written, this instruction does not decrement it */
        h->trig_start_mode = -1;
        update(h);
        return true;
    case CSR_TDATA2:
        if (!(h->tdata1[i] & T_DMODE))
            h->tdata2[i] = legal_tdata2(h->tdata1[i], v);
        return true;
    case CSR_TDATA3:
        if (!(h->tdata1[i] & T_DMODE))
            h->tdata3[i] = legal_tdata3(v);
        return true;
    case CSR_TINFO: /* read-only: writes are ignored (tinfo is not in the 0xc00 range) */
        return true;
    case CSR_TCONTROL:
        h->tcontrol = v & (TCONTROL_MTE | TCONTROL_MPTE);
        return true;
    case CSR_MCONTEXT: case CSR_HCONTEXT: /* one register (hcontext: HS mode's view) */
        h->mcontext = v & MCONTEXT_MASK;
        return true;
    case CSR_SCONTEXT:
        h->scontext = v & SCONTEXT_MASK;
        return true;
    }
    return false;
}

/* ---- address/data matching (mcontrol, mcontrol6) ---- */

/* One compare value v against tdata2 t for match modes 0-5. */
static bool match1(unsigned mode, uint64_t v, uint64_t t)
{
    switch (mode) {
    case 0: return v == t;
    case 1: {
        /* NAPOT: the bits above the least-significant 0 of tdata2 */
        unsigned z = (unsigned)__builtin_ctzll(~t | BIT(63));
        uint64_t mask = z >= 63 ? 0 : ~0ull << (z + 1);
        return (v & mask) == (t & mask);
    }
    case 2: return v >= t;
    case 3: return v < t;
    case 4: return ((v & 0xffffffffull) & (t >> 32)) == (t & 0xffffffffull);
    case 5: return ((v >> 32) & (t >> 32)) == (t & 0xffffffffull);
    }
    return false;
}

/* Compare values lo..lo+n-1 (n >= 1): any of them matching; modes 8, 9, 12
 * and 13 match when their positive mode (-8) would not. */
static bool match_range(unsigned mode, uint64_t lo, uint64_t n, uint64_t t)
{
    unsigned base = mode & 7;
    bool any = false;
    for (uint64_t k = 0; k < n && !any; k++)
        any = match1(base, lo + k, t);
    return mode >= 8 ? !any : any;
}

/* Access size in bytes that a size field asks for (0 = any). */
static unsigned want_size(uint64_t v)
{
    if (TYPE(v) == TT_MCONTROL6) {
        static const uint8_t sz6[8] = { 0, 1, 2, 4, 6, 8, 16, 0 };
        return sz6[FIELD(v, 18, 16)];
    }
    static const uint8_t sz2[8] = { 0, 1, 2, 4, 6, 8, 0, 0 };
    return sz2[FIELD(v, 22, 21) << 2 | FIELD(v, 17, 16)];
}

static bool is_select_data(uint64_t v)
{
    return v & (TYPE(v) == TT_MCONTROL6 ? MC6_SELECT : MC2_SELECT);
}

/* What one instruction does, as seen by address/data triggers. */
struct access {
    uint64_t pc, raw;
    unsigned len;            /* instruction length (2 or 4) */
    bool load, store, cbo;   /* memory access kinds */
    uint64_t va;             /* effective address */
    unsigned size;           /* bytes accessed (cbo: the 64-byte block) */
    bool has_data;           /* store data known (not AMOs: unspecified by the spec) */
    uint64_t data;
    unsigned rd;             /* a load's destination (32: x0's sink) */
    bool fp;                 /* ... in the f registers */
};

/* The memory access of instruction d (unpriv 20191213: loads/stores
 * address rs1 + imm; A, HLV/HSV and CBO address rs1). Sdtrig "A
 * Extension": LR is a load, SC a store (failing ones too: unspecified),
 * AMOs both; "Cache Operations": cbo.* match as stores on the whole block. */
static void describe(const struct rv_hart *h, const struct rv_dinsn *d, struct access *a)
{
    uint64_t base = h->x[d->rs1], xs = h->x[d->rs2], fs = h->f[d->rs2];
    unsigned sz = 0;
    bool ld = false, st = false, imm = true, fp = false;
    switch (d->op) {
    case RV_OP_LB: case RV_OP_LBU: sz = 1; ld = true; break;
    case RV_OP_LH: case RV_OP_LHU: sz = 2; ld = true; break;
    case RV_OP_LW: case RV_OP_LWU: sz = 4; ld = true; break;
    case RV_OP_LD: sz = 8; ld = true; break;
    case RV_OP_FLH: sz = 2; ld = true; break;
    case RV_OP_FLW: sz = 4; ld = true; break;
    case RV_OP_FLD: sz = 8; ld = true; break;
    case RV_OP_SB: sz = 1; st = true; break;
    case RV_OP_SH: sz = 2; st = true; break;
    case RV_OP_SW: sz = 4; st = true; break;
    case RV_OP_SD: sz = 8; st = true; break;
    case RV_OP_FSH: sz = 2; st = fp = true; break;
    case RV_OP_FSW: sz = 4; st = fp = true; break;
    case RV_OP_FSD: sz = 8; st = fp = true; break;
    case RV_OP_LR_W: sz = 4; ld = true; imm = false; break;
    case RV_OP_LR_D: sz = 8; ld = true; imm = false; break;
    case RV_OP_SC_W: sz = 4; st = true; imm = false; break;
    case RV_OP_SC_D: sz = 8; st = true; imm = false; break;
    case RV_OP_AMO_W: sz = 4; ld = st = true; imm = false; break;
    case RV_OP_AMO_D: sz = 8; ld = st = true; imm = false; break;
    case RV_OP_HLV_B: case RV_OP_HLV_BU: sz = 1; ld = true; imm = false; break;
    case RV_OP_HLV_H: case RV_OP_HLV_HU: case RV_OP_HLVX_HU: sz = 2; ld = true; imm = false; break;
    case RV_OP_HLV_W: case RV_OP_HLV_WU: case RV_OP_HLVX_WU: sz = 4; ld = true; imm = false; break;
    case RV_OP_HLV_D: sz = 8; ld = true; imm = false; break;
    case RV_OP_HSV_B: sz = 1; st = true; imm = false; break;
    case RV_OP_HSV_H: sz = 2; st = true; imm = false; break;
    case RV_OP_HSV_W: sz = 4; st = true; imm = false; break;
    case RV_OP_HSV_D: sz = 8; st = true; imm = false; break;
    case RV_OP_CBO_CLEAN: case RV_OP_CBO_FLUSH: case RV_OP_CBO_INVAL: case RV_OP_CBO_ZERO:
        a->cbo = a->store = true;
        a->va = base;
        a->size = RV_CBO_BLOCK;
        return;
    default:
        return;
    }
    a->load = ld;
    a->store = st;
    a->rd = d->rd;
    a->fp = fp || d->op == RV_OP_FLH || d->op == RV_OP_FLW || d->op == RV_OP_FLD;
    a->va = base + (imm ? (uint64_t)(int64_t)d->imm : 0);
    a->size = sz;
    if (st && !ld) {
        uint64_t v = fp ? fs : xs;
        a->has_data = true;
        a->data = sz == 8 ? v : v & ((1ull << (8 * sz)) - 1);
    }
}

/* Does trigger v match access a? kinds: the kinds considered in this pass
 * (MC_EXECUTE and/or MC_LOAD | MC_STORE). *tval: the compare address. */
static bool mc_match(uint64_t v, uint64_t t2, const struct access *a, uint64_t kinds,
                     uint64_t *tval)
{
    unsigned mode = (unsigned)FIELD(v, 10, 7), size = want_size(v);
    bool data = is_select_data(v);
    /* len 0: before the fetch, the instruction (size, bits) is unknown */
    if ((v & kinds & MC_EXECUTE) && (!size || size == a->len) && (a->len || !data)) {
        bool hit = data ? match_range(mode, a->raw, 1, a->len == 2 ? t2 & 0xffff : t2 & 0xffffffff)
                        : match_range(mode, a->pc, 1, t2);
        if (hit) {
            *tval = a->pc;
            return true;
        }
    }
    bool ld = (v & kinds & MC_LOAD) && a->load, st = (v & kinds & MC_STORE) && a->store;
    if (!ld && !st)
        return false;
    if (a->cbo) {
        /* only size 0, select 0; compare values: every byte of the block */
        if (size || data || !match_range(mode, a->va & ~(uint64_t)(RV_CBO_BLOCK - 1),
                                         RV_CBO_BLOCK, t2))
            return false;
        *tval = a->va;
        return true;
    }
    if (size && size != a->size)
        return false;
    bool hit;
    if (data) {
        /* store data (timing before); load data is compared after the
         * load (rv_trig_insn_end) */
        if (!st || !a->has_data)
            return false;
        uint64_t tm = a->size == 8 ? t2 : t2 & ((1ull << (8 * a->size)) - 1);
        hit = match_range(mode, a->data, 1, tm);
    } else {
        hit = match_range(mode, a->va, a->size, t2); /* every byte accessed */
    }
    if (hit)
        *tval = a->va;
    return hit;
}

/* Mark trigger i as fired (hit bits). */
static void set_hit(struct rv_hart *h, unsigned i)
{
    switch (TYPE(h->tdata1[i])) {
    case TT_MCONTROL: h->tdata1[i] |= MC2_HIT; break;
    case TT_MCONTROL6: h->tdata1[i] = (h->tdata1[i] & ~MC6_HIT1) | MC6_HIT0; break; /* 1 = before */
    case TT_ICOUNT: h->tdata1[i] |= IC_HIT; break;
    case TT_ITRIGGER: case TT_ETRIGGER: h->tdata1[i] |= XT_HIT; break;
    }
}

/* One pass over the triggers with chains (mcontrol "chain": a chain fires
 * when all its triggers match the same instruction; the action is the
 * last one's). Returns true and *tval when a chain (or a lone trigger)
 * fires. */
static bool mc_pass(struct rv_hart *h, const struct access *a, uint64_t kinds, int md,
                    uint64_t *tval, bool dbg_only, unsigned *which)
{
    bool chain_ok = true;
    unsigned start = 0;
    for (unsigned i = 0; i < h->ntrig; i++) {
        uint64_t v = h->tdata1[i];
        unsigned t = TYPE(v);
        bool mc = (t == TT_MCONTROL || t == TT_MCONTROL6) && (!dbg_only || (v & T_DMODE));
        uint64_t tv = 0;
        bool hit = mc && chain_ok && mode_enabled(v, md) && textra_ok(h, i, md) &&
                   mc_match(v, h->tdata2[i], a, kinds, &tv);
        if (hit)
            *tval = tv;
        if (mc && (v & MC_CHAIN)) {
            chain_ok = hit;
            continue;
        }
        if (hit) {
            for (unsigned k = start; k <= i; k++)
                set_hit(h, k);
            *which = i;
            return true;
        }
        chain_ok = true;
        start = i + 1;
    }
    return false;
}

/* A load data trigger: mcontrol6 with load and select = 1, not in a chain
 * (a chain's triggers must all match with the same timing; load data
 * fires "after"). mcontrol (type 2) has timing read-only 0 ("before"), so
 * its load data triggers never match. */
static bool is_load_data(const struct rv_hart *h, unsigned i)
{
    uint64_t v = h->tdata1[i];
    if (TYPE(v) != TT_MCONTROL6 || !(v & MC_LOAD) || !(v & MC6_SELECT) || (v & MC_CHAIN))
        return false;
    if (i > 0) {
        uint64_t p = h->tdata1[i - 1];
        if ((TYPE(p) == TT_MCONTROL || TYPE(p) == TT_MCONTROL6) && (p & MC_CHAIN))
            return false;
    }
    return true;
}

/* Trigger i matched the instruction at pc (timing before): action 0
 * raises a breakpoint exception; the debugger's (dmode, action 1) stop the
 * hart for gdb before the instruction — as a breakpoint (execute) or a
 * watchpoint at the access's address — unless gdb resumes from this very
 * pc (bp_skip_pc: the instruction runs once). false: it must not run. */
static bool fire(struct rv_hart *h, unsigned i, uint64_t pc, uint64_t tval, uint64_t kinds)
{
    h->pc = pc;
    if (!(h->tdata1[i] & T_DMODE)) {
        rv_exception(h, EXC_BREAKPOINT, tval);
        return false;
    }
    struct cpu *c = &h->cpu;
    if (c->bp_skip_pc == pc) {
        c->bp_skip_pc = UINT64_MAX;
        return true;
    }
    if (kinds & MC_EXECUTE) {
        c->bp_hit = true;
    } else {
        uint64_t t = h->tdata1[i] & (MC_LOAD | MC_STORE);
        c->wp_hit = true;
        c->wp_addr = tval;
        c->wp_kind = t == MC_STORE ? 2 : t == MC_LOAD ? 3 : 4; /* watch, rwatch, awatch */
    }
    h->trig_halt = true;
    cpu_end_run(c);
    return false;
}

int rv_trig_debugger(struct rv_hart *h, bool insert, int type, uint64_t addr, uint64_t len)
{
    if (!h->ntrig)
        return -2;
    static const uint64_t kinds[5] = { 0, MC_EXECUTE, MC_STORE, MC_LOAD, MC_LOAD | MC_STORE };
    if (type < 1 || type > 4)
        return -1;
    uint64_t t2 = addr, match = 0;
    if (type != 1 && len > 1) {
        if ((len & (len - 1)) || (addr & (len - 1)) || len > BIT(62))
            return -1; /* one trigger matches a naturally aligned power-of-two range */
        t2 = addr | (len / 2 - 1);
        match = 1; /* NAPOT */
    }
    uint64_t t1 = (uint64_t)TT_MCONTROL6 << 60 | T_DMODE | MC6_VS | MC6_VU | MC_ACTION1 |
                  match << 7 | MC_M | MC_S | MC_U | kinds[type];
    for (unsigned i = 0; i < h->ntrig; i++) {
        uint64_t v = h->tdata1[i];
        bool mine = (v & T_DMODE) && (v & (MC_EXECUTE | MC_LOAD | MC_STORE)) == kinds[type] &&
                    h->tdata2[i] == t2;
        if (insert && !(v & T_DMODE) && (TYPE(v) == TT_DISABLED || TYPE(v) == TT_NONE)) {
            h->tdata1[i] = t1;
            h->tdata2[i] = t2;
            h->tdata3[i] = 0; /* no context condition */
            break;
        }
        if (!insert && mine) {
            h->tdata1[i] = (uint64_t)TT_DISABLED << 60;
            h->tdata2[i] = 0;
            break;
        }
        if (i + 1 == h->ntrig)
            return -1;
    }
    h->trig_dbg = false;
    for (unsigned i = 0; i < h->ntrig; i++)
        h->trig_dbg |= (h->tdata1[i] & T_DMODE) != 0;
    update(h);
    return 0;
}

bool rv_trig_fetch(struct rv_hart *h, uint64_t pc)
{
    int md = cur_mode(h);
    bool inh = inhibited(h, md);
    /* icount: this instruction counts whether it retires or traps (a
     * fetch fault included) */
    h->trig_start_mode = (int8_t)(inh ? -1 : md);
    /* Priority: an execute address trigger (select 0, any size) comes
     * before the fetch's page and access faults; the ones that need the
     * instruction (size, select = 1) are checked after the fetch. The
     * debugger's triggers are never inhibited. */
    struct access a = { .pc = pc };
    uint64_t tval = 0;
    unsigned i;
    if (mc_pass(h, &a, MC_EXECUTE, md, &tval, inh, &i))
        return fire(h, i, pc, tval, MC_EXECUTE);
    return true;
}

bool rv_trig_insn_start(struct rv_hart *h, const struct rv_dinsn *d, uint64_t pc,
                        struct rv_dinsn *tmp)
{
    int md = cur_mode(h); /* icount's start mode: rv_trig_fetch */
    bool inh = inhibited(h, md); /* then only the debugger's triggers */
    if (inh && !h->trig_dbg)
        return true;
    if (d->op == RV_OP_CROSSPAGE) {
        /* its bytes come from two pages: fetch them now (a fault is the
         * fetch's exception); the interpreter fetches them again */
        uint32_t raw;
        h->pc = pc;
        if (!rv_fetch_cross(h, &raw))
            return false;
        rv_decode_ext(tmp, raw, h->ext);
        d = tmp;
    }
    struct access a = { .pc = pc, .raw = d->raw, .len = d->len };
    describe(h, d, &a);
    uint64_t tval = 0;
    unsigned i;
    /* Priority (Sdtrig "Priority"): execute address/data before, then the
     * load/store ones (a chain counts at its lowest priority). */
    if (mc_pass(h, &a, MC_EXECUTE, md, &tval, inh, &i))
        return fire(h, i, pc, tval, MC_EXECUTE);
    if (mc_pass(h, &a, MC_EXECUTE | MC_LOAD | MC_STORE, md, &tval, inh, &i))
        return fire(h, i, pc, tval, (a.store ? MC_STORE : 0) | (a.load ? MC_LOAD : 0));
    /* a load that a load data trigger may match once it has its value */
    if (a.load && !a.cbo && !inh) {
        for (unsigned i = 0; i < h->ntrig; i++) {
            if (is_load_data(h, i) && mode_enabled(h->tdata1[i], md)) {
                h->trig_ld.pend = true;
                h->trig_ld.fp = a.fp;
                h->trig_ld.rd = (uint8_t)a.rd;
                h->trig_ld.size = (uint8_t)a.size;
                h->trig_ld.va = a.va;
                h->trig_ld.adj = h->instret_adj;
                break;
            }
        }
    }
    return true;
}

/* The load started last retired (instret_adj did not move): compare its
 * value, the access size's low bits of rd (Sdtrig: "any bits beyond the
 * size of the data access will contain 0"), with the load data triggers;
 * a match fires "immediately after" (mcontrol6 hit1:hit0 = 3): xepc = the
 * next instruction, xtval = the load's address. */
static void load_data_check(struct rv_hart *h, int md)
{
    h->trig_ld.pend = false;
    if (h->instret_adj != h->trig_ld.adj || md < 0)
        return;
    unsigned sz = h->trig_ld.size;
    uint64_t m = sz >= 8 ? ~0ull : (1ull << (8 * sz)) - 1;
    uint64_t v = (h->trig_ld.fp ? h->f[h->trig_ld.rd & 31] : h->x[h->trig_ld.rd]) & m;
    for (unsigned i = 0; i < h->ntrig; i++) {
        uint64_t t = h->tdata1[i];
        if (!is_load_data(h, i) || !mode_enabled(t, md) || !textra_ok(h, i, md))
            continue;
        unsigned want = want_size(t);
        if (want && want != sz)
            continue;
        if (match_range((unsigned)FIELD(t, 10, 7), v, 1, h->tdata2[i] & m)) {
            h->tdata1[i] = t | MC6_HIT1 | MC6_HIT0; /* 3: immediately after */
            if (!h->trig_fire)
                h->trig_fire_tval = h->trig_ld.va;
            h->trig_fire = true;
        }
    }
}

/* ---- icount, itrigger, etrigger ---- */

void rv_trig_insn_end(struct rv_hart *h)
{
    int sm = h->trig_start_mode, im = h->trig_irq_mode;
    h->trig_start_mode = h->trig_irq_mode = -1;
    h->attn = 1; /* come back here after the next instruction too */
    if (h->trig_ld.pend)
        load_data_check(h, sm);
    if (sm < 0 && im < 0)
        return;
    /* icount matches once per instruction that retires or traps, and per
     * interrupt trap, in an enabled mode */
    for (unsigned i = 0; i < h->ntrig; i++) {
        uint64_t v = h->tdata1[i];
        if (TYPE(v) != TT_ICOUNT)
            continue;
        if (!((sm >= 0 && mode_enabled(v, sm) && textra_ok(h, i, sm)) ||
              (im >= 0 && mode_enabled(v, im) && textra_ok(h, i, im))))
            continue;
        uint64_t count = FIELD(v, 23, 10);
        if (count > 1)
            v = (v & ~IC_COUNT) | (count - 1) << IC_COUNT_SHIFT;
        else if (count == 1)
            v = (v & ~IC_COUNT) | IC_PENDING;
        h->tdata1[i] = v;
    }
}

bool rv_trig_fire_pending(struct rv_hart *h)
{
    int md = cur_mode(h);
    bool fire = false;
    uint64_t tval = 0;
    if (h->trig_fire) {
        h->trig_fire = false;
        fire = !inhibited(h, md);
        tval = h->trig_fire_tval;
        h->trig_fire_tval = 0;
    }
    /* icount: "fires just before any further instructions are executed in
     * a mode where the trigger is enabled", clearing pending */
    if (!inhibited(h, md)) {
        for (unsigned i = 0; i < h->ntrig; i++) {
            uint64_t v = h->tdata1[i];
            if (TYPE(v) == TT_ICOUNT && (v & IC_PENDING) && mode_enabled(v, md)) {
                h->tdata1[i] = (v & ~IC_PENDING) | IC_HIT;
                fire = true;
            }
        }
    }
    update(h);
    if (!fire)
        return false;
    /* tval: 0 for icount/itrigger/etrigger (no address: hstatus/mstatus.GVA
     * = 0, §8.2.1), the load's address for a load data trigger */
    h->trig_tval0 = tval == 0;
    rv_exception(h, EXC_BREAKPOINT, tval);
    return true;
}

bool rv_trig_inhibited(const struct rv_hart *h)
{
    return inhibited(h, cur_mode(h));
}

void rv_trig_trap(struct rv_hart *h, uint64_t cause, bool interrupt, int prev, bool was_virt,
                  bool from_inhibited)
{
    /* tcontrol: a trap into M saves mte in mpte and clears it */
    if (h->priv == PRV_M) {
        uint64_t mte = h->tcontrol & TCONTROL_MTE;
        h->tcontrol = (mte ? TCONTROL_MPTE : 0);
    }
    int from = mode_of(prev, was_virt);
    if (interrupt && !from_inhibited && h->trig_per_insn) /* icount counts it */
        h->trig_irq_mode = (int8_t)from;
    /* itrigger/etrigger: the cause as the handler sees it (VS-level
     * interrupts taken in VS are its S-level ones, §8.6.2) */
    uint64_t c = cause;
    if (interrupt && h->virt && (c == IRQ_VSSI || c == IRQ_VSTI || c == IRQ_VSEI))
        c--;
    unsigned want = interrupt ? TT_ITRIGGER : TT_ETRIGGER;
    bool hit = false;
    for (unsigned i = 0; i < h->ntrig; i++) {
        uint64_t v = h->tdata1[i];
        if (TYPE(v) == want && c < 64 && (h->tdata2[i] >> c & 1) && mode_enabled(v, from) &&
            textra_ok(h, i, from)) {
            /* it fires just before the handler's first instruction
             * (exec.c), unless the handler's mode inhibits triggers
             * (tcontrol.mte = 0 after a trap into M, SIE = 0 in a
             * delegated handler): then it neither matches nor fires */
            if (inhibited(h, cur_mode(h)))
                return;
            h->tdata1[i] = v | XT_HIT;
            hit = true;
        }
    }
    if (hit) {
        h->trig_fire = true;
        update(h);
    }
}

void rv_trig_mret(struct rv_hart *h)
{
    /* MRET: mte = mpte (mpte unchanged) */
    h->tcontrol = (h->tcontrol & TCONTROL_MPTE) | ((h->tcontrol & TCONTROL_MPTE) ? TCONTROL_MTE : 0);
}
