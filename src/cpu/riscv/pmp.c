/* Physical memory protection (priv spec 1.12 §3.7). 16 entries, grain 4
 * bytes. pmpcfg byte: R=bit0 W=bit1 X=bit2 A=bits4:3 L=bit7. */
#include "rv_internal.h"

enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

/* The byte range [lo, hi) covered by entry i, or lo == hi when off. */
static void pmp_range(const struct rv_hart *h, int i, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = h->pmpaddr[i];
    switch ((h->pmpcfg[i] >> 3) & 3) {
    case PMP_TOR:
        *lo = i ? h->pmpaddr[i - 1] << 2 : 0;
        *hi = a << 2;
        break;
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 4;
        break;
    case PMP_NAPOT: {
        /* trailing ones of pmpaddr encode the size: 2^(t+3) bytes */
        int t = __builtin_ctzll(~a);
        if (t >= 54) { *lo = 0; *hi = UINT64_MAX; break; }
        uint64_t size = 1ull << (t + 3);
        *lo = (a << 2) & ~(size - 1);
        *hi = *lo + size;
        break;
    }
    default:
        *lo = *hi = 0;
    }
}

static bool perm_ok(uint8_t cfg, enum rv_access acc)
{
    static const uint8_t need[3] = { 1, 2, 4 };
    return cfg & need[acc];
}

/* The byte ranges depend only on pmpcfg/pmpaddr: computed once per CSR
 * write instead of on every check (page walks check each PTE). */
void rv_pmp_recompute(struct rv_hart *h)
{
    for (int i = 0; i < 16; i++)
        pmp_range(h, i, &h->pmp_lo[i], &h->pmp_hi[i]);
}

bool rv_pmp_ok(const struct rv_hart *h, uint64_t pa, unsigned size, enum rv_access acc, int priv)
{
    uint64_t end = pa + size;
    for (int i = 0; i < 16; i++) {
        uint64_t lo = h->pmp_lo[i], hi = h->pmp_hi[i];
        if (lo >= hi || end <= lo || pa >= hi)
            continue; /* no byte of the access matches */
        if (pa < lo || end > hi)
            return false; /* partial match fails (§3.7.1) */
        uint8_t cfg = h->pmpcfg[i];
        if (priv == PRV_M && !(cfg & 0x80))
            return true; /* unlocked entries do not restrict M-mode */
        return perm_ok(cfg, acc);
    }
    /* No match: M-mode succeeds, S/U fail since entries are implemented. */
    return priv == PRV_M;
}

bool rv_pmp_page_ok(const struct rv_hart *h, uint64_t pa_page, enum rv_access acc, int priv)
{
    uint64_t end = pa_page + 4096;
    for (int i = 0; i < 16; i++) {
        uint64_t lo = h->pmp_lo[i], hi = h->pmp_hi[i];
        if (lo >= hi || end <= lo || pa_page >= hi)
            continue;
        if (pa_page < lo || end > hi)
            return false; /* entry covers part of the page: no fast path */
        uint8_t cfg = h->pmpcfg[i];
        if (priv == PRV_M && !(cfg & 0x80))
            return true;
        return perm_ok(cfg, acc);
    }
    return priv == PRV_M;
}
