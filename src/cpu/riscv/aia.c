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
 * mtopi/stopi report the default priority order with IPRIO 1; mvien is
 * read-only zero and mvip aliases mip's SSIP/STIP/SEIP (the minimal form).
 * Not implemented yet: vstopi, the major-interrupt priority
 * arrays (iprio: read-only zero through mireg/sireg), 
 * hvien/hvictl/hviprio (Smaia/Ssaia interrupt filtering and injection),
 * the APLIC. */
#include "rv_internal.h"
#include "pmu.h"
#include "../../sim/machine.h"
#include "../../trace/emit.h"

enum {
    CSR_SISELECT = 0x150, CSR_SIREG = 0x151, CSR_STOPEI = 0x15c,
    CSR_VSISELECT = 0x250, CSR_VSIREG = 0x251, CSR_VSTOPEI = 0x25c,
    CSR_MISELECT = 0x350, CSR_MIREG = 0x351, CSR_MTOPEI = 0x35c,
    CSR_MTOPI = 0xfb0, CSR_STOPI = 0xdb0, CSR_MVIEN = 0x308, CSR_MVIP = 0x309,
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

/* Major interrupts in default priority order (AIA §5.1, Table 5.1: M
 * external/software/timer, S ..., SGEI, VS ..., LCOFI). */
static const uint8_t default_order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI,
                                         IRQ_SGEI, IRQ_VSEI, IRQ_VSSI, IRQ_VSTI, IRQ_LCOFI };

/* *topi (§5.3.3 mtopi, §5.4.2 stopi): the highest-priority interrupt of
 * `set` in bits 27:16 and its priority in 7:0 — always 1 here, the
 * simplified form the spec allows when the iprio array is read-only zero. */
static uint64_t topi(uint64_t set)
{
    for (unsigned i = 0; i < sizeof default_order; i++)
        if (set >> default_order[i] & 1)
            return (uint64_t)default_order[i] << 16 | 1;
    return 0;
}

/* mvip with mvien = 0 (§5.3.4): bits 1 (SSIP), 9 (the software-writable
 * SEIP) and 5 (STIP, while mip.STIP is writable: menvcfg.STCE = 0) are
 * aliases of mip; the rest read-only zero. */
static uint64_t mvip_mask(const struct rv_hart *h)
{
    return (1ull << IRQ_SSI) | (1ull << IRQ_SEI) |
           ((h->menvcfg & (1ull << 63)) ? 0 : 1ull << IRQ_STI);
}

int rv_aia_csr_check(struct rv_hart *h, unsigned csr)
{
    int fail = h->virt ? AIA_VIRTUAL : AIA_ILLEGAL;
    switch (csr) {
    case CSR_STOPI:
        /* in VS-mode stopi is vstopi, which is not implemented yet */
        return h->virt ? AIA_VIRTUAL : AIA_OK;
    case CSR_VSTOPEI: case CSR_VSIREG:
        if (csr_file(h, csr) < 0)
            return fail; /* no guest file selected (§2.3, §3.9) */
        if (csr == CSR_VSTOPEI)
            return AIA_OK;
        /* fall through */
    case CSR_MIREG: case CSR_SIREG:
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
    case CSR_MVIEN: *v = 0; return true; /* §5.3.4: the minimal form, read-only zero */
    case CSR_MVIP: *v = h->mip_sw & mvip_mask(h); return true;
    case CSR_MTOPI: /* pending, enabled, not delegated: traps to M */
        *v = topi(rv_mip(h) & h->mie & ~h->mideleg);
        return true;
    case CSR_STOPI: /* delegated to HS and not on to VS */
        *v = topi(rv_mip(h) & h->mie & h->mideleg & ~h->hideleg);
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
        default: break; /* iprio: read-only zero; reserved: zero */
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
    case CSR_MVIEN: return true; /* read-only zero */
    case CSR_MVIP: {
        uint64_t m = mvip_mask(h);
        h->mip_sw = (h->mip_sw & ~m) | (v & m);
        h->attn = 1;
        return true;
    }
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
