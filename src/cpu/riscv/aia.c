/* The hart's IMSIC and the Smaia/Ssaia CSRs that reach it (RISC-V Advanced
 * Interrupt Architecture 1.0, chapter 3 "Incoming MSI Controller" and
 * chapter 2 "Control and Status Registers"; docs/riscv.md "AIA").
 *
 * Interrupt files: M (0), S (1) and guest g = 1..GEILEN (1 + g), each with
 * RV_AIA_IDS identities (1..255). An MSI (a store to the file's
 * seteipnum_le, src/apic/imsic.c) reaches the hart as a CPU message and sets
 * a pending bit. A file's signal — its lowest pending-and-enabled identity
 * below eithreshold (when non-zero), with eidelivery = 1 — is mip.MEIP (M),
 * mip.SEIP (S) or hgeip bit g (guest g); hgeip & hgeie gives mip.SGEIP and
 * hgeip bit hstatus.VGEIN gives mip.VSEIP (priv spec §8.2.x, AIA §3.8).
 *
 * M and S files also take eidelivery = 0x40000000 (AIA §3.9.1: delivery
 * from a PLIC), their reset value: then the PLIC's MEIP/SEIP lines stand in
 * for the file, so firmware and kernels that know only the PLIC run
 * unchanged on a board with IMSICs.
 *
 * The M- and S-level iprio arrays (§5.1.x "Configuring priorities of
 * major interrupts", via *iselect 0x30-0x3e) are writable for the
 * interrupts the hart has and order mtopi/stopi and the interrupt taken;
 * all zero (reset) is the default order. Interrupt filtering and virtual interrupts
 * (§5.3 mvien/mvip for S level, §6.3.2 hvien/hvip/hvictl for VS level),
 * hviprio1/2 and vstopi (§6.3.3) are below "filtering and virtual
 * interrupts". The APLIC is src/apic/aplic.c. */
#include "rv_internal.h"
#include "pmu.h"
#include "isa.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

enum {
    CSR_SISELECT = 0x150, CSR_SIREG = 0x151, CSR_STOPEI = 0x15c,
    CSR_VSISELECT = 0x250, CSR_VSIREG = 0x251, CSR_VSTOPEI = 0x25c,
    CSR_MISELECT = 0x350, CSR_MIREG = 0x351, CSR_MTOPEI = 0x35c,
    CSR_MTOPI = 0xfb0, CSR_STOPI = 0xdb0, CSR_MVIEN = 0x308, CSR_MVIP = 0x309,
    CSR_HVIEN = 0x608, CSR_HVICTL = 0x609, CSR_HVIPRIO1 = 0x646, CSR_HVIPRIO2 = 0x647,
    CSR_VSTOPI = 0xeb0, CSR_SIE = 0x104, CSR_SIP = 0x144, CSR_HVIP = 0x645, CSR_VSIE = 0x204,
    CSR_VSIP = 0x244, CSR_MIP = 0x344, CSR_VSTIMECMP = 0x24d,
};
enum { AIA_OK = 0, AIA_ILLEGAL = EXC_ILLEGAL_INSN, AIA_VIRTUAL = EXC_VIRTUAL_INSN };

#define MIP_EXT_BITS ((1ull << IRQ_MEI) | (1ull << IRQ_SEI) | (1ull << IRQ_VSEI) | (1ull << IRQ_SGEI))

/* ---- interrupt files (§3.8, §3.9) ----------------------------------------- */

/* The highest-priority (lowest) pending-and-enabled identity that passes
 * eithreshold, 0 when none (§3.9: *topei). */
static unsigned file_top(const struct rv_imsic_file *f)
{
    for (unsigned w = 0; w < RV_AIA_WORDS; w++) {
        uint64_t x = f->eip[w] & f->eie[w];
        if (!x)
            continue;
        unsigned id = w * 64 + (unsigned)__builtin_ctzll(x);
        return f->eithreshold && id >= f->eithreshold ? 0 : id;
    }
    return 0;
}

static bool file_signal(const struct rv_imsic_file *f)
{
    return f->eidelivery == 1 && file_top(f) != 0;
}

static unsigned vgein(const struct rv_hart *h)
{
    return (unsigned)((h->hstatus & HSTATUS_VGEIN) >> 12);
}

void rv_aia_update(struct rv_hart *h)
{
    struct rv_aia *a = &h->aia;
    if (!a->on)
        return;
    const struct rv_imsic_file *m = &a->file[RV_AIA_FILE_M], *s = &a->file[RV_AIA_FILE_S];
    bool mei = m->eidelivery == RV_AIA_EIDELIVERY_PLIC ? a->plic_mei : file_signal(m);
    bool sei = s->eidelivery == RV_AIA_EIDELIVERY_PLIC ? a->plic_sei : file_signal(s);
    uint64_t hgeip = 0;
    for (unsigned g = 1; g <= a->geilen; g++)
        if (file_signal(&a->file[1 + g]))
            hgeip |= 1ull << g;
    a->hgeip = hgeip;
    uint64_t bits = (mei ? 1ull << IRQ_MEI : 0) | (sei ? 1ull << IRQ_SEI : 0) |
                    (((hgeip >> vgein(h)) & 1) && vgein(h) ? 1ull << IRQ_VSEI : 0) |
                    ((hgeip & a->hgeie) ? 1ull << IRQ_SGEI : 0);
    h->mip_hw = (h->mip_hw & ~MIP_EXT_BITS) | bits;
    h->attn = 1;
}

void rv_aia_reset(struct rv_hart *h)
{
    struct rv_aia *a = &h->aia;
    bool on = a->on;
    unsigned geilen = a->geilen;
    memset(a, 0, sizeof *a);
    a->on = on;
    a->geilen = geilen;
    /* §3.9.1: reset gives 0x40000000 where supported (M and S files) */
    a->file[RV_AIA_FILE_M].eidelivery = RV_AIA_EIDELIVERY_PLIC;
    a->file[RV_AIA_FILE_S].eidelivery = RV_AIA_EIDELIVERY_PLIC;
}

bool rv_aia_plic_line(struct rv_hart *h, int line, int level)
{
    if (!h->aia.on || (line != IRQ_MEI && line != IRQ_SEI))
        return false;
    if (line == IRQ_MEI)
        h->aia.plic_mei = level != 0;
    else
        h->aia.plic_sei = level != 0;
    rv_aia_update(h);
    return true;
}

void rv_aia_msi(struct rv_hart *h, unsigned file, unsigned id, bool from_cpu, uint32_t src)
{
    struct rv_aia *a = &h->aia;
    /* §3.3: a write of an identity that is not implemented is ignored */
    if (!a->on || file > 1 + a->geilen || id == 0 || id > RV_AIA_IDS)
        return;
    a->file[file].eip[id / 64] |= 1ull << (id % 64);
    int line = file == RV_AIA_FILE_M ? IRQ_MEI : file == RV_AIA_FILE_S ? IRQ_SEI : IRQ_VSEI;
    if (from_cpu) /* an IPI; a device's MSI (the APLIC's) shows as the irq.take it causes */
        TRACE(h->m, TK_IPI_DELIVER, h->cpu.id, cpu_now(&h->cpu), IPI_MECH_IMSIC, (uint64_t)line,
              (uint64_t)src);
    rv_aia_update(h);
}

/* ---- CSRs (§2.3 indirect access, §3.8 file registers, §3.9 *topei) --------- */

/* The file behind an ireg/topei CSR: -1 when vsireg/vstopei has no valid
 * hstatus.VGEIN. */
static int csr_file(const struct rv_hart *h, unsigned csr)
{
    switch (csr) {
    case CSR_MIREG: case CSR_MTOPEI: return RV_AIA_FILE_M;
    case CSR_SIREG: case CSR_STOPEI: return RV_AIA_FILE_S;
    }
    unsigned g = vgein(h);
    return g >= 1 && g <= h->aia.geilen ? (int)(1 + g) : -1;
}

static uint64_t *iselect_of(struct rv_hart *h, unsigned ireg)
{
    return ireg == CSR_MIREG ? &h->aia.miselect
         : ireg == CSR_SIREG ? &h->aia.siselect : &h->aia.vsiselect;
}

/* Which register an *iselect value names (§2.3, §3.8). */
enum isel { ISEL_NONE, ISEL_IPRIO, ISEL_RESERVED, ISEL_EIDELIVERY, ISEL_EITHRESHOLD, ISEL_EIP,
            ISEL_EIE };
static enum isel isel_kind(uint64_t sel, bool vs)
{
    if (sel >= 0x30 && sel <= 0x3f) /* RV64: odd iprio registers do not exist; */
        return vs || (sel & 1) ? ISEL_NONE : ISEL_IPRIO; /* VS level has no iprio array */
    if (sel == 0x70) return ISEL_EIDELIVERY;
    if (sel == 0x72) return ISEL_EITHRESHOLD;
    if (sel >= 0x70 && sel <= 0x7f) return ISEL_RESERVED;
    if (sel >= 0x80 && sel <= 0xbf) return (sel & 1) ? ISEL_NONE : ISEL_EIP; /* RV64: odd ones */
    if (sel >= 0xc0 && sel <= 0xff) return (sel & 1) ? ISEL_NONE : ISEL_EIE; /* do not exist */
    return ISEL_NONE;
}

/* Major interrupts 0..63 in default priority order (AIA §5.1, Table 5.1
 * and its note's plan for the local interrupts 16-23 and 32-47: 47, 23,
 * ..., 40 above the M interrupts, 39, 19, ..., 32 below LCOFI 13 and 14).
 * hvsim's choice for the rest: 15 after 14, the custom interrupts 24-31
 * and 48-63 below all standard ones, then the reserved 0, 4, 8. */
static const uint8_t default_order[64] = {
    47, 23, 46, 45, 22, 44, 43, 21, 42, 41, 20, 40,
    IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI, IRQ_SGEI, IRQ_VSEI, IRQ_VSSI, IRQ_VSTI,
    IRQ_LCOFI, 14, 15,
    39, 19, 38, 37, 18, 36, 35, 17, 34, 33, 16, 32,
    24, 25, 26, 27, 28, 29, 30, 31,
    48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    0, 4, 8,
};

/* n's place in default_order (0 = highest). */
static unsigned rank(unsigned n)
{
    for (unsigned i = 0; i < 64; i++)
        if (default_order[i] == n)
            return i;
    return 64;
}

/* ---- major-interrupt priorities (AIA §5.1 "Configuring priorities of
 * major interrupts at machine level", §5.4 "... at supervisor level") ---- */

#define BIT(n) (1ull << (n))
#define LOCAL_BITS (~0x1fffull) /* major interrupts 13..63 */

/* The iprio bytes that exist (each 8 bits: IPRIOLEN 8, the IMSIC's 255
 * identities). M level: the interrupts whose mie bit is writable — SSI,
 * MSI, STI, MTI, SEI, and LCOFI with Sscofpmf — except MEI (its number is
 * the controller's: read-only zero by the spec) and the H extension's
 * VSSI/VSTI/VSEI/SGEI (always delegated to HS: their M-level numbers are
 * ignored, "should be read-only zeros"). S level: the interrupts whose bit
 * sie or hie can hold — SSI, STI (mideleg), 13..63 (mvien; LCOFI also by
 * mideleg), VSSI, VSTI, VSEI and, with guest files, SGEI (hie) — except SEI
 * (read-only zero by the spec). Every other byte is read-only zero. */
static uint64_t iprio_mask(const struct rv_hart *h, bool s_level)
{
    if (!s_level)
        return BIT(IRQ_SSI) | BIT(IRQ_MSI) | BIT(IRQ_STI) | BIT(IRQ_MTI) | BIT(IRQ_SEI) |
               ((h->ext & RV_EXT_SSCOFPMF) ? BIT(IRQ_LCOFI) : 0);
    return BIT(IRQ_SSI) | BIT(IRQ_STI) | BIT(IRQ_VSSI) | BIT(IRQ_VSTI) | BIT(IRQ_VSEI) |
           (h->aia.geilen ? BIT(IRQ_SGEI) : 0) | LOCAL_BITS;
}

/* iprio k (even k: RV64) = the bytes of interrupts 4k .. 4k+7. */
static uint64_t iprio_read(const struct rv_hart *h, bool s_level, unsigned k)
{
    const uint8_t *ip = s_level ? h->aia.iprio_s : h->aia.iprio_m;
    uint64_t v = 0;
    for (unsigned b = 0; b < 8; b++)
        v |= (uint64_t)ip[4 * k + b] << (8 * b);
    return v;
}

static void iprio_write(struct rv_hart *h, bool s_level, unsigned k, uint64_t v)
{
    struct rv_aia *a = &h->aia;
    uint8_t *ip = s_level ? a->iprio_s : a->iprio_m;
    uint64_t mask = iprio_mask(h, s_level);
    for (unsigned b = 0; b < 8; b++) {
        unsigned n = 4 * k + b;
        if (mask >> n & 1)
            ip[n] = (uint8_t)(v >> (8 * b));
    }
    bool on = false;
    for (unsigned n = 0; n < 64; n++)
        on |= ip[n] != 0;
    if (s_level)
        a->iprio_s_on = on;
    else
        a->iprio_m_on = on;
    h->attn = 1;
}

/* The priority number the external interrupt controller gives the level's
 * external interrupt (MEI: the M file, SEI: the S file): the file's top
 * identity while it delivers (eidelivery 1), else 256 — a line from the
 * APLIC in direct mode or the PLIC (eidelivery 0x40000000) carries no
 * number, and neither does an SEI from mvip or the software-writable SEIP
 * (§5.4: "assigned a priority number of 256"). */
static unsigned ext_number(const struct rv_hart *h, bool s_level)
{
    const struct rv_imsic_file *f = &h->aia.file[s_level ? RV_AIA_FILE_S : RV_AIA_FILE_M];
    unsigned top = f->eidelivery == 1 ? file_top(f) : 0;
    return top ? top : 256;
}

/* The highest-priority interrupt of `set` at M or S level (§5.1 Table
 * "Effect of the machine-level iprio array", §5.4 its S-level twin), -1
 * when set is empty; *iprio its IPRIO field for mtopi/stopi. Each
 * interrupt gets a key: the external interrupt its controller's number;
 * another one its iprio number when non-zero, else 0 when the default
 * order puts it above the external interrupt and 257 (below everything,
 * 256 included) when below. The lowest key wins, ties by the default
 * order — so an all-zero array is exactly the default order. IPRIO is the
 * key in 1..255, 0 for 0, 255 for 256 and up. */
static int pick(const struct rv_hart *h, uint64_t set, bool s_level, unsigned *iprio)
{
    const uint8_t *ip = s_level ? h->aia.iprio_s : h->aia.iprio_m;
    unsigned ext = s_level ? IRQ_SEI : IRQ_MEI, ext_rank = rank(ext);
    int best = -1;
    unsigned best_key = 0;
    for (unsigned i = 0; i < 64; i++) { /* default order: a later equal key loses */
        unsigned n = default_order[i];
        if (!(set >> n & 1))
            continue;
        unsigned key = n == ext ? ext_number(h, s_level) : ip[n] ? ip[n] : i < ext_rank ? 0 : 257;
        if (best < 0 || key < best_key) {
            best = (int)n;
            best_key = key;
        }
    }
    if (iprio)
        *iprio = best_key >= 256 ? 255 : best_key;
    return best;
}

/* *topi (§5.1 mtopi, §5.4 stopi): the highest-priority interrupt of `set`
 * in bits 27:16 and its IPRIO in 7:0 (the full form: the arrays are not
 * all read-only zero). */
static uint64_t topi(const struct rv_hart *h, uint64_t set, bool s_level)
{
    unsigned iprio;
    int n = pick(h, set, s_level, &iprio);
    return n < 0 ? 0 : (uint64_t)n << 16 | iprio;
}

int rv_aia_m_pick(const struct rv_hart *h, uint64_t set)
{
    return h->aia.iprio_m_on ? pick(h, set, false, NULL) : -1;
}

/* ---- filtering and virtual interrupts (Smaia §5.3, Ssaia §6.3) ------------------ */

#define VS_BITS (BIT(IRQ_VSSI) | BIT(IRQ_VSTI) | BIT(IRQ_VSEI))
/* mvien: bits 1 (SSI), 9 (SEI) and 13..63 writable (§5.3: the others are
 * reserved, read-only zero) */
#define MVIEN_MASK (BIT(IRQ_SSI) | BIT(IRQ_SEI) | LOCAL_BITS)
/* hvictl: VTI (30), IID 21:16 (6 bits implemented, §6.3.2 "at least 6"),
 * DPR (9), IPRIOM (8), IPRIO 7:0 */
#define HVICTL_MASK (BIT(30) | 0x3full << 16 | BIT(9) | BIT(8) | 0xffull)
/* hviprio1: the priorities of 1 (15:8), 5 (31:24), 13 (47:40), 14 (55:48)
 * and 15 (63:56); bytes 0, 2 and 4 are reserved, read-only zero.
 * hviprio2: 16..23, all eight bytes. All fields are 8 bits. */
#define HVIPRIO1_MASK (0xffull << 8 | 0xffull << 24 | 0xffffffull << 40)

/* The writable mvip bits (§5.3): 1, 5 (while mip.STIP is writable:
 * menvcfg.STCE = 0), 9 and 13..63. Bits 1 and 9 are aliases of mip's SSIP
 * and software-writable SEIP while their mvien bit is 0, separate bits
 * (kept in aia.mvip) while it is 1; 13..63 are always separate. */
static uint64_t mvip_read(const struct rv_hart *h)
{
    const struct rv_aia *a = &h->aia;
    uint64_t alias = (BIT(IRQ_SSI) | BIT(IRQ_SEI)) & ~a->mvien;
    if (!(h->menvcfg & (1ull << 63)))
        alias |= BIT(IRQ_STI);
    return (h->mip_sw & alias) | (a->mvip & ~alias & MVIEN_MASK);
}

static void mvip_write(struct rv_hart *h, uint64_t v)
{
    struct rv_aia *a = &h->aia;
    uint64_t alias = (BIT(IRQ_SSI) | BIT(IRQ_SEI)) & ~a->mvien;
    if (!(h->menvcfg & (1ull << 63)))
        alias |= BIT(IRQ_STI);
    /* a write that sets SSIP injects an S-level IPI, as one to mip does */
    if (v & ~mvip_read(h) & BIT(IRQ_SSI))
        TRACE(h->m, TK_IPI_DELIVER, h->cpu.id, cpu_now(&h->cpu), IPI_MECH_SIP, IRQ_SSI,
              (uint64_t)h->cpu.id);
    h->mip_sw = (h->mip_sw & ~alias) | (v & alias);
    uint64_t sep = MVIEN_MASK & ~alias & ~BIT(IRQ_STI);
    a->mvip = (a->mvip & ~sep) | (v & sep);
    h->attn = 1;
}

/* §5.3: setting mvien bit 9 moves the software-writable SEIP out of mip
 * into mvip (its value is kept); clearing it moves it back. Bit 1's mvip
 * bit keeps its separate value (UNSPECIFIED by the spec). */
static void mvien_write(struct rv_hart *h, uint64_t v)
{
    struct rv_aia *a = &h->aia;
    uint64_t old = a->mvien, nv = v & MVIEN_MASK;
    if ((nv ^ old) & BIT(IRQ_SEI)) {
        if (nv & BIT(IRQ_SEI)) {
            a->mvip = (a->mvip & ~BIT(IRQ_SEI)) | (h->mip_sw & BIT(IRQ_SEI));
            h->mip_sw &= ~BIT(IRQ_SEI);
        } else {
            h->mip_sw = (h->mip_sw & ~BIT(IRQ_SEI)) | (a->mvip & BIT(IRQ_SEI));
            a->mvip &= ~BIT(IRQ_SEI);
        }
    }
    a->mvien = nv;
    h->attn = 1;
}

/* S-level virtual interrupts pending and enabled: sip bits that alias
 * mvip (mideleg 0, mvien 1) with their independent sie bits. */
static uint64_t s_virtual(const struct rv_hart *h)
{
    const struct rv_aia *a = &h->aia;
    return a->mvien & ~h->mideleg & a->mvip & a->sie_v;
}

/* vsip & vsie in VS numbering (§6.3.2): the H extension's VS bits (1, 5, 9
 * from hip's 2, 6, 10 through hideleg) and bits 13..63 from hvip where
 * hvien is set and hideleg is not (hideleg's 13..63 are read-only zero). */
static uint64_t vs_pending(const struct rv_hart *h)
{
    const struct rv_aia *a = &h->aia;
    return ((rv_mip(h) & h->mie & h->hideleg & VS_BITS) >> 1) |
           (a->hvien & ~h->hideleg & a->hvip & a->vsie_v & LOCAL_BITS);
}

/* The priority number hviprio1/2 give VS-level interrupt n (0: none). */
static unsigned vs_prio(const struct rv_aia *a, unsigned n)
{
    switch (n) {
    case 1: return (unsigned)(a->hviprio1 >> 8) & 0xff;
    case 5: return (unsigned)(a->hviprio1 >> 24) & 0xff;
    case 13: case 14: case 15: return (unsigned)(a->hviprio1 >> (40 + 8 * (n - 13))) & 0xff;
    }
    return n >= 16 && n <= 23 ? (unsigned)(a->hviprio2 >> (8 * (n - 16))) & 0xff : 0;
}

/* vstopi (§6.3.3). Candidates: a VS external interrupt (vsip/vsie bit 9)
 * with the priority number of vstopei (a guest file selected and not
 * empty), of hvictl.IPRIO (VGEIN = 0, IID = 9, IPRIO != 0) or 256; with
 * VTI = 0 the other pending-and-enabled VS interrupts with hviprio1/2's
 * numbers; with VTI = 1 and IID != 9 the interrupt IID with IPRIO, ranked
 * against SEI by DPR. Order (Table 6.? as §5.4's for S level): a non-zero
 * number p sits with the external interrupt of number p (ties: default
 * order); 0 means the default place: above every number when the default
 * order puts it above SEI, below all (257) otherwise. IPRIO: 1 with
 * IPRIOM = 0, else the number, 0 or 255 when outside 1..255. */
static uint64_t vstopi(const struct rv_hart *h)
{
    const struct rv_aia *a = &h->aia;
    uint64_t set = vs_pending(h);
    unsigned iid_ctl = (unsigned)(a->hvictl >> 16) & 0x3f, ipr_ctl = (unsigned)a->hvictl & 0xff;
    bool vti = a->hvictl >> 30 & 1;
    unsigned sei2 = 2 * rank(IRQ_SEI);
    bool have = false;
    unsigned best = 0, best_key = 0, best_rank = 0;
#define CAND(iid_, key_, rank_)                                                                    \
    do {                                                                                           \
        if (!have || (key_) < best_key || ((key_) == best_key && (rank_) < best_rank)) {          \
            have = true;                                                                           \
            best = (iid_), best_key = (key_), best_rank = (rank_);                                 \
        }                                                                                          \
    } while (0)
    if (set >> IRQ_SEI & 1) {
        unsigned g = vgein(h), key = 256;
        unsigned top = g >= 1 && g <= a->geilen ? file_top(&a->file[1 + g]) : 0;
        if (top)
            key = top;
        else if (g == 0 && iid_ctl == IRQ_SEI && ipr_ctl)
            key = ipr_ctl;
        CAND(IRQ_SEI, key, sei2);
    }
    if (!vti) {
        for (unsigned n = 0; n < 64; n++) {
            if (n == IRQ_SEI || !(set >> n & 1))
                continue;
            unsigned p = vs_prio(a, n), r = 2 * rank(n);
            CAND(n, p ? p : r < sei2 ? 0 : 257, r);
        }
    } else if (iid_ctl != IRQ_SEI) {
        bool dpr = a->hvictl >> 9 & 1;
        CAND(iid_ctl, ipr_ctl ? ipr_ctl : dpr ? 257 : 0, dpr ? sei2 + 1 : sei2 - 1);
    }
#undef CAND
    if (!have)
        return 0;
    unsigned iprio = !(a->hvictl >> 8 & 1) ? 1 : best_key >= 1 && best_key <= 255 ? best_key
                   : best_key == 0 ? 0 : 255;
    return (uint64_t)best << 16 | iprio;
}

bool rv_aia_extra(const struct rv_hart *h)
{
    const struct rv_aia *a = &h->aia;
    return a->mvien | a->hvien | a->hvictl | a->hviprio1 | a->hviprio2 || a->iprio_s_on;
}

int rv_aia_take(struct rv_hart *h, uint64_t hs_real, bool hs_on, bool vs_on)
{
    struct rv_aia *a = &h->aia;
    uint64_t hs = hs_real | (hs_on ? s_virtual(h) : 0);
    if (hs) { /* S level: ordered by the S-level iprio array (all zero: the default order) */
        int n = pick(h, hs, true, NULL);
        a->force = (hs_real >> n & 1) ? 0 : 1;
        return n;
    }
    if (!vs_on)
        return -1;
    uint64_t t = vstopi(h);
    if (!t)
        return -1;
    unsigned iid = (unsigned)(t >> 16);
    bool vti_inject = (a->hvictl >> 30 & 1) && iid == ((a->hvictl >> 16) & 0x3f) && iid != IRQ_SEI;
    if (!vti_inject && (iid == IRQ_SSI || iid == IRQ_STI || iid == IRQ_SEI)) {
        a->force = 0; /* hip's VSSI/VSTI/VSEI through hideleg: the H extension's path */
        return (int)iid + 1;
    }
    a->force = 2;
    return (int)iid;
}

uint64_t rv_aia_wake(const struct rv_hart *h)
{
    const struct rv_aia *a = &h->aia;
    uint64_t x = s_virtual(h) | (a->hvien & ~h->hideleg & a->hvip & a->vsie_v & LOCAL_BITS);
    if ((a->hvictl >> 30 & 1) && ((a->hvictl >> 16) & 0x3f) != IRQ_SEI)
        x |= BIT(63);
    return x;
}

void rv_aia_view(const struct rv_hart *h, unsigned csr, uint64_t *v)
{
    const struct rv_aia *a = &h->aia;
    switch (csr) {
    case CSR_SIP: *v |= a->mvien & ~h->mideleg & a->mvip; break;
    case CSR_SIE: *v |= a->mvien & ~h->mideleg & a->sie_v; break;
    case CSR_VSIP: *v |= a->hvien & ~h->hideleg & a->hvip & LOCAL_BITS; break;
    case CSR_VSIE: *v |= a->hvien & ~h->hideleg & a->vsie_v & LOCAL_BITS; break;
    case CSR_HVIP: *v |= a->hvip & LOCAL_BITS; break;
    }
}

void rv_aia_pre_write(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    struct rv_aia *a = &h->aia;
    uint64_t m;
    switch (csr) {
    case CSR_SIP: /* the mvip aliases (SEIP stays read-only in sip) */
        m = a->mvien & ~h->mideleg & ~BIT(IRQ_SEI);
        a->mvip = (a->mvip & ~m) | (*v & m);
        break;
    case CSR_SIE:
        m = a->mvien & ~h->mideleg;
        a->sie_v = (a->sie_v & ~m) | (*v & m);
        break;
    case CSR_VSIP:
        m = a->hvien & ~h->hideleg & LOCAL_BITS;
        a->hvip = (a->hvip & ~m) | (*v & m);
        break;
    case CSR_VSIE:
        m = a->hvien & ~h->hideleg & LOCAL_BITS;
        a->vsie_v = (a->vsie_v & ~m) | (*v & m);
        break;
    case CSR_HVIP: /* bits 13..63: all writable, as hvien's */
        a->hvip = *v & LOCAL_BITS;
        break;
    case CSR_MIP: /* SEIP is read-only in mip while mvien bit 9 is set */
        if (a->mvien >> IRQ_SEI & 1)
            *v &= ~BIT(IRQ_SEI);
        return;
    default:
        return;
    }
    h->attn = 1;
}


int rv_aia_csr_check(struct rv_hart *h, unsigned csr, bool write)
{
    int fail = h->virt ? AIA_VIRTUAL : AIA_ILLEGAL;
    bool vti = h->aia.hvictl >> 30 & 1;
    switch (csr) {
    case CSR_VSIE: case CSR_VSIP: /* sie/sip from VS-mode with hvictl.VTI (§6.3.2) */
        return h->virt && vti ? AIA_VIRTUAL : AIA_OK;
    case CSR_VSTIMECMP: /* a stimecmp write may clear vsip.STIP: VTI traps it */
        return h->virt && vti && write ? AIA_VIRTUAL : AIA_OK;
    case CSR_STOPEI: case CSR_SIREG:
        /* §5.3: mvien bit 9 takes the S file away from S-mode */
        if (!h->virt && h->priv == PRV_S && (h->aia.mvien >> IRQ_SEI & 1) &&
            (csr == CSR_STOPEI || (h->aia.siselect >= 0x70 && h->aia.siselect <= 0xff)))
            return AIA_ILLEGAL;
        if (csr == CSR_STOPEI)
            return AIA_OK;
        return isel_kind(*iselect_of(h, csr), false) == ISEL_NONE ? fail : AIA_OK;
    case CSR_VSTOPEI: case CSR_VSIREG:
        if (csr_file(h, csr) < 0)
            return fail; /* no guest file selected (§2.3, §3.9) */
        if (csr == CSR_VSTOPEI)
            return AIA_OK;
        /* fall through */
    case CSR_MIREG:
        return isel_kind(*iselect_of(h, csr), csr == CSR_VSIREG) == ISEL_NONE ? fail : AIA_OK;
    }
    return AIA_OK;
}

bool rv_aia_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    struct rv_aia *a = &h->aia;
    if (!a->on)
        return false;
    switch (csr) {
    case CSR_MISELECT: *v = a->miselect; return true;
    case CSR_SISELECT: *v = a->siselect; return true;
    case CSR_MVIEN: *v = a->mvien; return true;
    case CSR_MVIP: *v = mvip_read(h); return true;
    case CSR_HVIEN: *v = a->hvien; return true;
    case CSR_HVICTL: *v = a->hvictl; return true;
    case CSR_HVIPRIO1: *v = a->hviprio1; return true;
    case CSR_HVIPRIO2: *v = a->hviprio2; return true;
    case CSR_VSTOPI: *v = vstopi(h); return true;
    case CSR_MTOPI: /* pending, enabled, not delegated: traps to M */
        *v = topi(h, rv_mip(h) & h->mie & ~h->mideleg, false);
        return true;
    case CSR_STOPI: /* delegated to HS and not on to VS, or virtual (mvien); VS-mode: vstopi */
        *v = h->virt ? vstopi(h)
                     : topi(h, (rv_mip(h) & h->mie & h->mideleg & ~h->hideleg) | s_virtual(h), true);
        return true;
    case CSR_VSISELECT: *v = a->vsiselect; return true;
    case CSR_MTOPEI: case CSR_STOPEI: case CSR_VSTOPEI: {
        int f = csr_file(h, csr);
        unsigned id = f < 0 ? 0 : file_top(&a->file[f]);
        *v = id ? (uint64_t)id << 16 | id : 0; /* identity in 26:16 and 10:0 */
        return true;
    }
    case CSR_MIREG: case CSR_SIREG: case CSR_VSIREG: {
        int f = csr_file(h, csr);
        uint64_t sel = *iselect_of(h, csr);
        *v = 0;
        if (f < 0)
            return true;
        const struct rv_imsic_file *fl = &a->file[f];
        switch (isel_kind(sel, csr == CSR_VSIREG)) {
        case ISEL_EIDELIVERY: *v = fl->eidelivery; break;
        case ISEL_EITHRESHOLD: *v = fl->eithreshold; break;
        case ISEL_EIP: if ((sel - 0x80) / 2 < RV_AIA_WORDS) *v = fl->eip[(sel - 0x80) / 2]; break;
        case ISEL_EIE: if ((sel - 0xc0) / 2 < RV_AIA_WORDS) *v = fl->eie[(sel - 0xc0) / 2]; break;
        case ISEL_IPRIO: *v = iprio_read(h, csr == CSR_SIREG, (unsigned)(sel - 0x30)); break;
        default: break; /* reserved: zero */
        }
        return true;
    }
    }
    return false;
}

bool rv_aia_csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    struct rv_aia *a = &h->aia;
    if (!a->on)
        return false;
    switch (csr) {
    case CSR_MVIEN: mvien_write(h, v); return true;
    case CSR_MVIP: mvip_write(h, v); return true;
    case CSR_HVIEN: a->hvien = v & LOCAL_BITS; h->attn = 1; return true;
    case CSR_HVICTL: a->hvictl = v & HVICTL_MASK; h->attn = 1; return true;
    case CSR_HVIPRIO1: a->hviprio1 = v & HVIPRIO1_MASK; h->attn = 1; return true;
    case CSR_HVIPRIO2: a->hviprio2 = v; h->attn = 1; return true;
    /* *iselect are WARL: at least 0..0xff; we keep 0..0xfff */
    case CSR_MISELECT: a->miselect = v & 0xfff; return true;
    case CSR_SISELECT: a->siselect = v & 0xfff; return true;
    case CSR_VSISELECT: a->vsiselect = v & 0xfff; return true;
    case CSR_MTOPEI: case CSR_STOPEI: case CSR_VSTOPEI: {
        /* §3.9: a write claims the identity the register reads (the value
         * written is ignored) */
        int f = csr_file(h, csr);
        unsigned id = f < 0 ? 0 : file_top(&a->file[f]);
        if (id) {
            a->file[f].eip[id / 64] &= ~(1ull << (id % 64));
            rv_aia_update(h);
        }
        return true;
    }
    case CSR_MIREG: case CSR_SIREG: case CSR_VSIREG: {
        int f = csr_file(h, csr);
        uint64_t sel = *iselect_of(h, csr);
        if (f < 0)
            return true;
        struct rv_imsic_file *fl = &a->file[f];
        /* bit 0 of eip0/eie0 (identity 0) is read-only zero */
        uint64_t keep0 = ~1ull;
        switch (isel_kind(sel, csr == CSR_VSIREG)) {
        case ISEL_EIDELIVERY: /* WARL: 0, 1, and 0x40000000 except in guest files */
            fl->eidelivery = v == 1 ? 1
                           : v == RV_AIA_EIDELIVERY_PLIC && f <= RV_AIA_FILE_S ? RV_AIA_EIDELIVERY_PLIC : 0;
            break;
        case ISEL_EITHRESHOLD: /* WLRL 0..N */
            fl->eithreshold = (uint32_t)(v <= RV_AIA_IDS ? v : RV_AIA_IDS);
            break;
        case ISEL_EIP:
            if ((sel - 0x80) / 2 < RV_AIA_WORDS)
                fl->eip[(sel - 0x80) / 2] = v & ((sel == 0x80) ? keep0 : ~0ull);
            break;
        case ISEL_EIE:
            if ((sel - 0xc0) / 2 < RV_AIA_WORDS)
                fl->eie[(sel - 0xc0) / 2] = v & ((sel == 0xc0) ? keep0 : ~0ull);
            break;
        case ISEL_IPRIO:
            iprio_write(h, csr == CSR_SIREG, (unsigned)(sel - 0x30), v);
            break;
        default: break;
        }
        rv_aia_update(h);
        return true;
    }
    }
    return false;
}

/* hgeie (priv spec §8.2.x): bits 1..GEILEN */
void rv_aia_write_hgeie(struct rv_hart *h, uint64_t v)
{
    uint64_t mask = ((1ull << (h->aia.geilen + 1)) - 1) & ~1ull;
    h->aia.hgeie = v & mask;
    rv_aia_update(h);
}

uint64_t rv_aia_vgein_mask(const struct rv_hart *h)
{
    return h->aia.on && h->aia.geilen ? HSTATUS_VGEIN : 0;
}
