/* The APLIC (see aplic.h), written from the RISC-V Advanced Interrupt
 * Architecture 1.0, chapter 4: §4.5 the domain control region, §4.7 the
 * precise effects on pending bits, §4.8 direct delivery (IDCs), §4.9
 * forwarding by MSIs. */
#include "aplic.h"

#include <stdlib.h>
#include <string.h>
#include "../cpu/riscv/rv_hart.h"
#include "../sim/config.h"
#include "../sim/cpu.h"
#include "../sim/machine.h"

enum { ROOT = 0, CHILD = 1 };
/* sourcecfg (§4.5.2) */
#define CFG_D (1u << 10)
enum { SM_INACTIVE = 0, SM_DETACHED = 1, SM_EDGE1 = 4, SM_EDGE0 = 5, SM_LEVEL1 = 6,
       SM_LEVEL0 = 7 };
#define WORDS ((APLIC_MAX_SOURCES + 1) / 32)
/* domaincfg (§4.5.1) */
#define DOMAINCFG_RO 0x80000000u
#define DOMAINCFG_IE (1u << 8)
#define DOMAINCFG_DM (1u << 2)

/* Register offsets of a domain's control region (§4.5, Table 4.1). */
enum {
    R_DOMAINCFG = 0x0000, R_SOURCECFG = 0x0004, R_MMSIADDRCFG = 0x1bc0,
    R_MMSIADDRCFGH = 0x1bc4, R_SMSIADDRCFG = 0x1bc8, R_SMSIADDRCFGH = 0x1bcc,
    R_SETIP = 0x1c00, R_SETIPNUM = 0x1cdc, R_IN_CLRIP = 0x1d00, R_CLRIPNUM = 0x1ddc,
    R_SETIE = 0x1e00, R_SETIENUM = 0x1edc, R_CLRIE = 0x1f00, R_CLRIENUM = 0x1fdc,
    R_SETIPNUM_LE = 0x2000, R_SETIPNUM_BE = 0x2004, R_GENMSI = 0x3000, R_TARGET = 0x3004,
};
/* IDC registers (§4.8.1) */
enum { IDC_IDELIVERY = 0x00, IDC_IFORCE = 0x04, IDC_ITHRESHOLD = 0x08, IDC_TOPI = 0x18,
       IDC_CLAIMI = 0x1c };

struct idc {
    uint32_t idelivery, iforce, ithreshold;
    int out; /* the level last driven to the hart */
};

struct domain {
    uint32_t cfg; /* domaincfg's IE and DM */
    uint32_t sourcecfg[APLIC_MAX_SOURCES + 1];
    uint32_t target[APLIC_MAX_SOURCES + 1];
    uint32_t pending[WORDS], enabled[WORDS];
    struct idc idc[CONFIG_MAX_CPUS];
};

struct aplic {
    struct machine *m;
    int nharts;
    unsigned nsrc;
    bool msi;                /* DM = 1 supported (the harts have IMSICs) */
    uint32_t wire[WORDS];    /* the devices' levels */
    struct domain d[2];
};

static bool bit(const uint32_t *a, unsigned i) { return (a[i / 32] >> (i % 32)) & 1; }
static void put(uint32_t *a, unsigned i, bool v)
{
    if (v)
        a[i / 32] |= 1u << (i % 32);
    else
        a[i / 32] &= ~(1u << (i % 32));
}

struct aplic *aplic_new(struct machine *m, int nharts, unsigned nsources, bool msi)
{
    if (nharts < 1 || nharts > CONFIG_MAX_CPUS || nsources < 1 || nsources > APLIC_MAX_SOURCES)
        return NULL;
    struct aplic *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->m = m;
    a->nharts = nharts;
    a->nsrc = nsources;
    a->msi = msi;
    return a; /* §4.6: domaincfg (IE, DM) resets to 0; the rest starts at 0 */
}

void aplic_free(struct aplic *a)
{
    free(a);
}

void aplic_copy_state(struct aplic *dst, const struct aplic *src)
{
    memcpy(dst->wire, src->wire, sizeof dst->wire);
    memcpy(dst->d, src->d, sizeof dst->d);
}

uint64_t aplic_region_size(const struct aplic *a)
{
    uint64_t end = APLIC_IDC_OFF + (uint64_t)a->nharts * APLIC_IDC_SIZE;
    return (end + 0xfff) & ~0xfffull;
}

/* ---- source state ------------------------------------------------------------ */

/* The domain where source i is active, -1 when it is active in none. */
static int active_in(const struct aplic *a, unsigned i)
{
    if (i < 1 || i > a->nsrc)
        return -1;
    uint32_t r = a->d[ROOT].sourcecfg[i];
    if (!(r & CFG_D))
        return (r & 7) != SM_INACTIVE ? ROOT : -1;
    return (a->d[CHILD].sourcecfg[i] & 7) != SM_INACTIVE ? CHILD : -1;
}

static unsigned sm(const struct aplic *a, int dom, unsigned i)
{
    return a->d[dom].sourcecfg[i] & 7;
}

static bool is_level(unsigned mode) { return mode == SM_LEVEL1 || mode == SM_LEVEL0; }

/* §4.5.2: the rectified input (0 for detached or inactive). */
static bool rectified(const struct aplic *a, int dom, unsigned i)
{
    unsigned mode = sm(a, dom, i);
    if (mode < SM_EDGE1)
        return false;
    bool inverted = mode == SM_EDGE0 || mode == SM_LEVEL0;
    return bit(a->wire, i) != inverted;
}

static bool msi_mode(const struct aplic *a, int dom)
{
    return a->d[dom].cfg & DOMAINCFG_DM;
}

/* §4.7: a write to setip/setipnum sets the pending bit if possible */
static void sw_set_pending(struct aplic *a, int dom, unsigned i)
{
    if (active_in(a, i) != dom)
        return;
    unsigned mode = sm(a, dom, i);
    if (is_level(mode) && (!msi_mode(a, dom) || !rectified(a, dom, i)))
        return; /* direct mode: the pending bit is the input; MSI mode: only while high */
    put(a->d[dom].pending, i, true);
}

/* ... a write to in_clrip/clripnum clears it if possible */
static void sw_clear_pending(struct aplic *a, int dom, unsigned i)
{
    if (active_in(a, i) != dom)
        return;
    if (is_level(sm(a, dom, i)) && !msi_mode(a, dom))
        return;
    put(a->d[dom].pending, i, false);
}

/* ---- delivery ------------------------------------------------------------------- */

/* The IDC's topi for hart h (§4.8.1.4): the pending-and-enabled source
 * targeting h with the lowest priority number (then the lowest number)
 * below a non-zero ithreshold; 0 for none. */
static uint32_t topi(const struct aplic *a, int dom, int h)
{
    const struct domain *d = &a->d[dom];
    uint32_t best = 0, best_prio = 256;
    for (unsigned i = 1; i <= a->nsrc; i++) {
        if (!bit(d->pending, i) || !bit(d->enabled, i) || active_in(a, i) != dom)
            continue;
        if ((int)(d->target[i] >> 18) != h)
            continue;
        uint32_t prio = d->target[i] & 0xff;
        if (d->idc[h].ithreshold && prio >= d->idc[h].ithreshold)
            continue;
        if (prio < best_prio) {
            best_prio = prio;
            best = i;
        }
    }
    return best ? best << 16 | best_prio : 0;
}

/* MSI delivery mode (§4.9): each pending-and-enabled source goes out as an
 * MSI to its target's interrupt file and stops pending. */
static void forward_msis(struct aplic *a, int dom)
{
    struct domain *d = &a->d[dom];
    struct machine *m = a->m;
    for (unsigned i = 1; i <= a->nsrc; i++) {
        if (!bit(d->pending, i) || !bit(d->enabled, i) || active_in(a, i) != dom)
            continue;
        put(d->pending, i, false);
        uint32_t t = d->target[i];
        int h = (int)(t >> 18);
        if (h >= a->nharts)
            continue; /* no such hart: the write goes nowhere */
        unsigned guest = (t >> 12) & 0x3f;
        struct cpu_msg msg = { .mode = CPU_MSG_IMSIC,
                               .vector = (uint8_t)(dom == ROOT ? 0 : 1 + guest),
                               .source_kind = 1, .source = i, .eiid = (uint16_t)(t & 0x7ff) };
        cpu_deliver_msg(m->cpus[h], m->sched.current, machine_now(m), &msg);
    }
}

static void update(struct aplic *a, int dom)
{
    struct domain *d = &a->d[dom];
    bool ie = d->cfg & DOMAINCFG_IE;
    if (msi_mode(a, dom) && ie)
        forward_msis(a, dom);
    struct machine *m = a->m;
    for (int h = 0; h < a->nharts; h++) {
        struct idc *c = &d->idc[h];
        int out = !msi_mode(a, dom) && ie && c->idelivery && (c->iforce || topi(a, dom, h));
        if (out != c->out) {
            c->out = out;
            cpu_deliver_irq(m->cpus[h], m->sched.current, machine_now(m),
                            dom == ROOT ? IRQ_MEI : IRQ_SEI, out);
        }
    }
}

static void update_all(struct aplic *a)
{
    update(a, ROOT);
    update(a, CHILD);
}

/* §4.7: the wire of source src changed */
void aplic_set_irq(void *opaque, int src, int level)
{
    struct aplic *a = opaque;
    if (!a || src < 1 || (unsigned)src > a->nsrc)
        return;
    unsigned i = (unsigned)src;
    int dom = active_in(a, i);
    bool old = dom >= 0 && rectified(a, dom, i);
    put(a->wire, i, level != 0);
    if (dom < 0)
        return;
    bool now = rectified(a, dom, i);
    unsigned mode = sm(a, dom, i);
    uint32_t *pend = a->d[dom].pending;
    if (mode == SM_EDGE1 || mode == SM_EDGE0) {
        if (!old && now)
            put(pend, i, true);
    } else if (is_level(mode)) {
        if (!msi_mode(a, dom))
            put(pend, i, now);       /* direct: the pending bit follows the input */
        else if (!now)
            put(pend, i, false);
        else if (!old)
            put(pend, i, true);      /* MSI mode: set on the rising edge */
    }
    update(a, dom);
}

/* ---- registers ---------------------------------------------------------------- */

static void write_sourcecfg(struct aplic *a, int dom, unsigned i, uint32_t v)
{
    struct domain *d = &a->d[dom];
    if (i < 1 || i > a->nsrc)
        return;
    if (dom == CHILD && !(a->d[ROOT].sourcecfg[i] & CFG_D))
        return; /* not delegated here: read-only zero */
    uint32_t nv;
    if (v & CFG_D)
        nv = dom == ROOT ? CFG_D : 0; /* one child (index 0); a leaf cannot delegate */
    else {
        unsigned mode = v & 7;
        nv = (mode == 2 || mode == 3) ? SM_INACTIVE : mode; /* reserved: WARL -> inactive */
    }
    bool was_active = active_in(a, i) == dom;
    d->sourcecfg[i] = nv;
    if (dom == ROOT && (nv & CFG_D) == 0 && a->d[CHILD].sourcecfg[i]) {
        /* taken back from the child: its state there is gone */
        a->d[CHILD].sourcecfg[i] = 0;
        put(a->d[CHILD].pending, i, false);
        put(a->d[CHILD].enabled, i, false);
        a->d[CHILD].target[i] = 0;
    }
    if (active_in(a, i) != dom) {
        /* inactive here: pending, enable and target read zero (§4.5.2) */
        put(d->pending, i, false);
        put(d->enabled, i, false);
        d->target[i] = 0;
    } else {
        if (!was_active)
            d->target[i] = msi_mode(a, dom) ? 0 : 1; /* IPRIO at least 1 */
        /* a level source that is high now is pending (direct mode) */
        unsigned mode = nv & 7;
        if (is_level(mode) && !msi_mode(a, dom))
            put(d->pending, i, rectified(a, dom, i));
    }
    update_all(a);
}

static void write_target(struct aplic *a, int dom, unsigned i, uint32_t v)
{
    if (active_in(a, i) != dom)
        return;
    uint32_t hart = (v >> 18) & 0x3fff;
    if (msi_mode(a, dom)) {
        uint32_t guest = dom == CHILD ? (v >> 12) & 0x3f : 0;
        a->d[dom].target[i] = hart << 18 | guest << 12 | (v & 0x7ff);
    } else {
        uint32_t prio = v & 0xff; /* IPRIOLEN 8; 0 becomes 1 (§4.5.16) */
        a->d[dom].target[i] = hart << 18 | (prio ? prio : 1);
    }
    update(a, dom);
}

static uint32_t bits_of(const struct aplic *a, int dom, const uint32_t *arr, unsigned k)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; b++) {
        unsigned i = k * 32 + b;
        if (i >= 1 && i <= a->nsrc && active_in(a, i) == dom && bit(arr, i))
            v |= 1u << b;
    }
    return v;
}

static bool domain_read(struct aplic *a, int dom, uint64_t off, unsigned size, uint64_t *val)
{
    struct domain *d = &a->d[dom];
    *val = 0;
    if (size != 4 || (off & 3))
        return true; /* §4.5: other accesses are ignored (read 0) */
    uint32_t o = (uint32_t)off;
    if (o == R_DOMAINCFG) {
        *val = DOMAINCFG_RO | d->cfg;
    } else if (o >= R_SOURCECFG && o < R_SOURCECFG + 4 * APLIC_MAX_SOURCES) {
        unsigned i = (o - R_SOURCECFG) / 4 + 1;
        *val = i <= a->nsrc ? d->sourcecfg[i] : 0;
    } else if (o == R_MMSIADDRCFGH && dom == ROOT && a->msi) {
        *val = 0x80000000u; /* L: the MSI addresses are hardwired (§4.5.3) */
    } else if (o >= R_SETIP && o < R_SETIP + 4 * WORDS) {
        *val = bits_of(a, dom, d->pending, (o - R_SETIP) / 4);
    } else if (o >= R_IN_CLRIP && o < R_IN_CLRIP + 4 * WORDS) {
        /* the rectified inputs */
        unsigned k = (o - R_IN_CLRIP) / 4;
        for (unsigned b = 0; b < 32; b++) {
            unsigned i = k * 32 + b;
            if (i >= 1 && i <= a->nsrc && active_in(a, i) == dom && rectified(a, dom, i))
                *val |= 1u << b;
        }
    } else if (o >= R_SETIE && o < R_SETIE + 4 * WORDS) {
        *val = bits_of(a, dom, d->enabled, (o - R_SETIE) / 4);
    } else if (o >= R_TARGET && o < R_TARGET + 4 * APLIC_MAX_SOURCES) {
        unsigned i = (o - R_TARGET) / 4 + 1;
        *val = i <= a->nsrc && active_in(a, i) == dom ? d->target[i] : 0;
    } else if (o >= APLIC_IDC_OFF && o < APLIC_IDC_OFF + (uint32_t)a->nharts * APLIC_IDC_SIZE) {
        int h = (int)((o - APLIC_IDC_OFF) / APLIC_IDC_SIZE);
        struct idc *c = &d->idc[h];
        switch ((o - APLIC_IDC_OFF) % APLIC_IDC_SIZE) {
        case IDC_IDELIVERY: *val = c->idelivery; break;
        case IDC_IFORCE: *val = c->iforce; break;
        case IDC_ITHRESHOLD: *val = c->ithreshold; break;
        case IDC_TOPI: *val = topi(a, dom, h); break;
        case IDC_CLAIMI: {
            /* §4.8.1.5: topi, and claims it (edge/detached: no longer
             * pending); 0 clears iforce */
            uint32_t t = topi(a, dom, h);
            *val = t;
            if (!t)
                c->iforce = 0;
            else if (!is_level(sm(a, dom, t >> 16)))
                put(d->pending, t >> 16, false);
            update(a, dom);
            break;
        }
        }
    }
    /* setipnum, clripnum, setienum, clrienum, clrie, setipnum_le/be and
     * genmsi (Busy never set: sent at once) read zero */
    return true;
}

static bool domain_write(struct aplic *a, int dom, uint64_t off, unsigned size, uint64_t val)
{
    struct domain *d = &a->d[dom];
    if (size != 4 || (off & 3))
        return true;
    uint32_t o = (uint32_t)off, v = (uint32_t)val;
    if (o == R_DOMAINCFG) {
        uint32_t dm = a->msi ? (v & DOMAINCFG_DM) : 0; /* WARL: MSI mode needs IMSICs */
        if (dm != (d->cfg & DOMAINCFG_DM)) /* §4.5.16: the targets become unspecified */
            for (unsigned i = 1; i <= a->nsrc; i++)
                if (active_in(a, i) == dom)
                    d->target[i] = dm ? 0 : 1;
        d->cfg = (v & DOMAINCFG_IE) | dm;
        update_all(a);
    } else if (o >= R_SOURCECFG && o < R_SOURCECFG + 4 * APLIC_MAX_SOURCES) {
        write_sourcecfg(a, dom, (o - R_SOURCECFG) / 4 + 1, v);
    } else if (o >= R_SETIP && o < R_SETIP + 4 * WORDS) {
        for (unsigned b = 0; b < 32; b++)
            if (v >> b & 1)
                sw_set_pending(a, dom, (o - R_SETIP) / 4 * 32 + b);
        update(a, dom);
    } else if (o == R_SETIPNUM || o == R_SETIPNUM_LE) {
        sw_set_pending(a, dom, v);
        update(a, dom);
    } else if (o >= R_IN_CLRIP && o < R_IN_CLRIP + 4 * WORDS) {
        for (unsigned b = 0; b < 32; b++)
            if (v >> b & 1)
                sw_clear_pending(a, dom, (o - R_IN_CLRIP) / 4 * 32 + b);
        update(a, dom);
    } else if (o == R_CLRIPNUM) {
        sw_clear_pending(a, dom, v);
        update(a, dom);
    } else if ((o >= R_SETIE && o < R_SETIE + 4 * WORDS) || (o >= R_CLRIE && o < R_CLRIE + 4 * WORDS)) {
        bool set = o < R_CLRIE;
        unsigned k = (o - (set ? R_SETIE : R_CLRIE)) / 4;
        for (unsigned b = 0; b < 32; b++) {
            unsigned i = k * 32 + b;
            if ((v >> b & 1) && active_in(a, i) == dom)
                put(d->enabled, i, set);
        }
        update(a, dom);
    } else if (o == R_SETIENUM || o == R_CLRIENUM) {
        if (active_in(a, v) == dom)
            put(d->enabled, v, o == R_SETIENUM);
        update(a, dom);
    } else if (o == R_GENMSI) {
        if (!msi_mode(a, dom))
            return true; /* read-only zero in direct mode */
        int h = (int)(v >> 18);
        if (h < a->nharts) {
            struct cpu_msg msg = { .mode = CPU_MSG_IMSIC, .vector = (uint8_t)(dom == ROOT ? 0 : 1),
                                   .source_kind = 1, .source = 0, .eiid = (uint16_t)(v & 0x7ff) };
            cpu_deliver_msg(a->m->cpus[h], a->m->sched.current, machine_now(a->m), &msg);
        }
    } else if (o >= R_TARGET && o < R_TARGET + 4 * APLIC_MAX_SOURCES) {
        write_target(a, dom, (o - R_TARGET) / 4 + 1, v);
    } else if (o >= APLIC_IDC_OFF && o < APLIC_IDC_OFF + (uint32_t)a->nharts * APLIC_IDC_SIZE) {
        int h = (int)((o - APLIC_IDC_OFF) / APLIC_IDC_SIZE);
        struct idc *c = &d->idc[h];
        switch ((o - APLIC_IDC_OFF) % APLIC_IDC_SIZE) {
        case IDC_IDELIVERY: c->idelivery = v & 1; break;
        case IDC_IFORCE: c->iforce = v & 1; break;
        case IDC_ITHRESHOLD: c->ithreshold = v & 0xff; break;
        default: break; /* topi, claimi: writes ignored */
        }
        update(a, dom);
    }
    /* mmsiaddrcfg & co.: locked (L = 1), writes ignored */
    return true;
}

static bool m_read(void *o, uint64_t off, unsigned size, uint64_t *val) { return domain_read(o, ROOT, off, size, val); }
static bool m_write(void *o, uint64_t off, unsigned size, uint64_t val) { return domain_write(o, ROOT, off, size, val); }
static bool s_read(void *o, uint64_t off, unsigned size, uint64_t *val) { return domain_read(o, CHILD, off, size, val); }
static bool s_write(void *o, uint64_t off, unsigned size, uint64_t val) { return domain_write(o, CHILD, off, size, val); }

const struct mmio_ops aplic_m_ops = { .read = m_read, .write = m_write };
const struct mmio_ops aplic_s_ops = { .read = s_read, .write = s_write };
