/* MC146818A RTC + CMOS RAM (see cmos_rtc.h). "DS" cites the MC146818A data
 * sheet.
 *
 * Guest-visible rules (never a crash): ports are bytes; a 2-byte access
 * covers index and data port in order (index write, then data), a 4-byte
 * access is rejected; any index (bit 7 = NMI disable, bits 6:0 the
 * register) and any value is accepted: out-of-range time fields written by
 * the guest are clamped when the clock takes them, never rejected. */
#include "cmos_rtc.h"

#include <stdlib.h>
#include <string.h>
#include "../sim/machine.h"
#include "../sim/vtime.h"

enum { R_SEC = 0, R_ASEC = 1, R_MIN = 2, R_AMIN = 3, R_HOUR = 4, R_AHOUR = 5, R_DOW = 6,
       R_DAY = 7, R_MON = 8, R_YEAR = 9, R_A = 0x0a, R_B = 0x0b, R_C = 0x0c, R_D = 0x0d,
       R_CENTURY = 0x32 };

#define A_UIP  0x80
#define B_SET  0x80
#define B_PIE  0x40
#define B_AIE  0x20
#define B_UIE  0x10
#define B_DM   0x04 /* 1 binary, 0 BCD */
#define B_24H  0x02
#define C_IRQF 0x80
#define C_PF   0x40 /* the flag bits line up with their enables in B */
#define C_AF   0x20
#define C_UF   0x10
#define D_VRT  0x80

#define RTC_XTAL 32768u
#define NEVER UINT64_MAX

struct cmos_rtc {
    struct machine *m;
    struct irq_line irq;
    bool *nmi_off;
    int timer;
    int64_t epoch;
    uint8_t regs[128];
    uint8_t index;
    int64_t offset;     /* seconds the guest moved its clock by */
    uint8_t flags;      /* C: PF, AF, UF */
    int irq_level;
    uint64_t seen;      /* virtual time up to which events were looked at */
};

/* ---- calendar (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms") ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t cmos_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cmos_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ---- time ------------------------------------------------------------------- */

static uint64_t cpu_hz(const struct cmos_rtc *r) { return r->m->cfg.cpu_hz; }

static uint64_t vsec(const struct cmos_rtc *r, uint64_t t) { return t / cpu_hz(r); }

static int64_t rtc_now_secs(struct cmos_rtc *r, uint64_t t)
{
    return r->epoch + (int64_t)vsec(r, t) + r->offset;
}

int64_t cmos_rtc_time(struct cmos_rtc *r)
{
    return rtc_now_secs(r, machine_now(r->m));
}

static uint8_t enc(const struct cmos_rtc *r, unsigned v)
{
    v %= 100;
    return (r->regs[R_B] & B_DM) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned dec(const struct cmos_rtc *r, uint8_t v)
{
    return (r->regs[R_B] & B_DM) ? v : (v >> 4) * 10u + (v & 15);
}

static uint8_t enc_hour(const struct cmos_rtc *r, unsigned h)
{
    if (r->regs[R_B] & B_24H)
        return enc(r, h);
    unsigned h12 = h % 12 == 0 ? 12 : h % 12;
    return (uint8_t)(enc(r, h12) | (h >= 12 ? 0x80 : 0));
}

/* The time registers (and century) for time s, in the current format. */
static void rtc_fill(struct cmos_rtc *r, int64_t s)
{
    int64_t days = floor_div(s, 86400), sod = s - days * 86400, y;
    unsigned mon, day;
    cmos_civil_from_days(days, &y, &mon, &day);
    if (y < 0)
        y = 0; /* before year 0: not representable, show 0000 */
    r->regs[R_SEC] = enc(r, (unsigned)(sod % 60));
    r->regs[R_MIN] = enc(r, (unsigned)(sod / 60 % 60));
    r->regs[R_HOUR] = enc_hour(r, (unsigned)(sod / 3600));
    r->regs[R_DOW] = enc(r, (unsigned)(((days + 4) % 7 + 7) % 7 + 1)); /* 1970-01-01: Thursday = 5 */
    r->regs[R_DAY] = enc(r, day);
    r->regs[R_MON] = enc(r, mon);
    r->regs[R_YEAR] = enc(r, (unsigned)(y % 100));
    r->regs[R_CENTURY] = enc(r, (unsigned)(y / 100 % 100));
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The time the registers hold (guest-written values clamped). */
static int64_t rtc_parse(const struct cmos_rtc *r)
{
    unsigned sec = clamp(dec(r, r->regs[R_SEC]), 0, 59);
    unsigned min = clamp(dec(r, r->regs[R_MIN]), 0, 59);
    uint8_t hr = r->regs[R_HOUR];
    unsigned hour;
    if (r->regs[R_B] & B_24H)
        hour = clamp(dec(r, hr), 0, 23);
    else
        hour = clamp(dec(r, hr & 0x7f), 1, 12) % 12 + ((hr & 0x80) ? 12 : 0);
    unsigned day = clamp(dec(r, r->regs[R_DAY]), 1, 31);
    unsigned mon = clamp(dec(r, r->regs[R_MON]), 1, 12);
    int64_t year = clamp(dec(r, r->regs[R_CENTURY]), 0, 99) * 100 + clamp(dec(r, r->regs[R_YEAR]), 0, 99);
    return cmos_days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

static bool is_time_reg(unsigned i)
{
    return i == R_SEC || i == R_MIN || i == R_HOUR || i == R_DOW || i == R_DAY || i == R_MON ||
           i == R_YEAR || i == R_CENTURY;
}

static bool uip(const struct cmos_rtc *r, uint64_t t)
{
    if (r->regs[R_B] & B_SET)
        return false;
    uint64_t hz = cpu_hz(r);
    uint64_t win = (uint64_t)(((unsigned __int128)2228 * hz + 999999) / 1000000);
    if (win >= hz)
        win = hz - 1;
    return t % hz >= hz - win;
}

/* Periodic interrupt period in 32.768 kHz clocks (DS Table 5): RS 1 and 2
 * give 256 and 128 Hz, RS n >= 3 gives 65536 >> n Hz; RS 0: none. */
static uint64_t periodic_clocks(const struct cmos_rtc *r)
{
    unsigned rs = r->regs[R_A] & 15;
    return rs == 0 ? 0 : rs == 1 ? 128 : rs == 2 ? 256 : 1ull << (rs - 1);
}

static bool alarm_match(const struct cmos_rtc *r, int64_t s)
{
    struct cmos_rtc tmp = *r;
    rtc_fill(&tmp, s);
    static const int pairs[3][2] = { { R_SEC, R_ASEC }, { R_MIN, R_AMIN }, { R_HOUR, R_AHOUR } };
    for (int i = 0; i < 3; i++) {
        uint8_t a = r->regs[pairs[i][1]];
        if (a < 0xc0 && a != tmp.regs[pairs[i][0]])
            return false;
    }
    return true;
}

/* Set the flags of the events in (seen, t], then IRQ 8 and the timer. */
static void rtc_advance(struct cmos_rtc *r, uint64_t t)
{
    if (t > r->seen) {
        uint64_t hz = cpu_hz(r);
        if (!(r->regs[R_B] & B_SET) && vsec(r, t) > vsec(r, r->seen)) {
            r->flags |= C_UF;
            if (alarm_match(r, rtc_now_secs(r, t)))
                r->flags |= C_AF;
        }
        uint64_t p = periodic_clocks(r);
        if (p && vtime_ticks_to_dev(t, hz, RTC_XTAL) / p > vtime_ticks_to_dev(r->seen, hz, RTC_XTAL) / p)
            r->flags |= C_PF;
        r->seen = t;
    }
    uint8_t en = r->regs[R_B] & (B_PIE | B_AIE | B_UIE);
    int lvl = (r->flags & en) != 0;
    if (lvl != r->irq_level) {
        r->irq_level = lvl;
        irq_set(&r->irq, lvl);
    }
    /* The next event that could change IRQ 8 (a flag already set changes
     * nothing until C is read). */
    uint64_t next = NEVER, p = periodic_clocks(r), hz = cpu_hz(r);
    if ((en & B_PIE) && p && !(r->flags & C_PF))
        next = vtime_dev_to_ticks_ceil((vtime_ticks_to_dev(t, hz, RTC_XTAL) / p + 1) * p, hz, RTC_XTAL);
    if ((((en & B_UIE) && !(r->flags & C_UF)) || ((en & B_AIE) && !(r->flags & C_AF))) &&
        !(r->regs[R_B] & B_SET)) {
        uint64_t s = (vsec(r, t) + 1) * hz;
        if (s < next)
            next = s;
    }
    machine_timer_arm(r->m, r->timer, next);
}

static void rtc_timer_fire(void *opaque, struct machine *m, uint64_t now)
{
    (void)m;
    rtc_advance(opaque, now);
}

/* ---- registers ---------------------------------------------------------------- */

static uint8_t rtc_reg_read(struct cmos_rtc *r, unsigned i)
{
    uint64_t t = machine_now(r->m);
    rtc_advance(r, t);
    if (is_time_reg(i)) {
        if (!(r->regs[R_B] & B_SET))
            rtc_fill(r, rtc_now_secs(r, t));
        return r->regs[i];
    }
    switch (i) {
    case R_A:
        return (uint8_t)((r->regs[R_A] & 0x7f) | (uip(r, t) ? A_UIP : 0));
    case R_C: {
        uint8_t v = r->flags;
        if (v & r->regs[R_B] & (B_PIE | B_AIE | B_UIE))
            v |= C_IRQF;
        r->flags = 0;
        rtc_advance(r, t); /* lowers IRQ 8, re-arms */
        return v;
    }
    case R_D:
        return D_VRT;
    default:
        return r->regs[i];
    }
}

static void rtc_reg_write(struct cmos_rtc *r, unsigned i, uint8_t v)
{
    uint64_t t = machine_now(r->m);
    rtc_advance(r, t);
    bool set = r->regs[R_B] & B_SET;
    if (is_time_reg(i)) {
        if (!set)
            rtc_fill(r, rtc_now_secs(r, t));
        r->regs[i] = v;
        if (!set) /* running: the clock goes on from the new value */
            r->offset = rtc_parse(r) - (r->epoch + (int64_t)vsec(r, t));
    } else if (i == R_A) {
        r->regs[R_A] = v & 0x7f;
    } else if (i == R_B) {
        if ((v & B_SET) && !set) {
            rtc_fill(r, rtc_now_secs(r, t)); /* freeze the registers */
            v &= (uint8_t)~B_UIE;           /* DS: SET clears UIE */
        }
        if (v & B_SET)
            v &= (uint8_t)~B_UIE;
        r->regs[R_B] = v;
        if (set && !(v & B_SET))
            r->offset = rtc_parse(r) - (r->epoch + (int64_t)vsec(r, t));
    } else if (i == R_C || i == R_D) {
        /* read-only */
    } else {
        r->regs[i] = v;
    }
    rtc_advance(r, t);
}

static bool rtc_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct cmos_rtc *r = opaque;
    if (off >= CMOS_RTC_PORTS || size == 0 || size > 2 || off + size > CMOS_RTC_PORTS)
        return false;
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        uint8_t b = off + k == 0 ? 0xff : rtc_reg_read(r, r->index);
        v |= (uint64_t)b << (8 * k);
    }
    *val = v;
    return true;
}

static bool rtc_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct cmos_rtc *r = opaque;
    if (off >= CMOS_RTC_PORTS || size == 0 || size > 2 || off + size > CMOS_RTC_PORTS)
        return false;
    for (unsigned k = 0; k < size; k++) {
        uint8_t b = (uint8_t)(val >> (8 * k));
        if (off + k == 0) {
            r->index = b & 0x7f;
            if (r->nmi_off)
                *r->nmi_off = (b & 0x80) != 0;
        } else {
            rtc_reg_write(r, r->index, b);
        }
    }
    return true;
}

const struct mmio_ops cmos_rtc_ops = { .read = rtc_read, .write = rtc_write };

/* ---- lifetime --------------------------------------------------------------------- */

static void put16(uint8_t *p, uint64_t v)
{
    if (v > 0xffff)
        v = 0xffff;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

struct cmos_rtc *cmos_rtc_new(struct machine *m, const struct cmos_rtc_config *cfg,
                              struct irq_line irq, bool *nmi_off)
{
    struct cmos_rtc *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->irq = irq;
    r->nmi_off = nmi_off;
    r->epoch = cfg->epoch;
    r->timer = machine_timer_alloc(m, rtc_timer_fire, r);
    r->regs[R_A] = 0x26;  /* DV = 010 (32.768 kHz), RS = 0110 (1024 Hz) */
    r->regs[R_B] = B_24H; /* BCD, 24-hour */
    r->regs[0x10] = 0x00; /* no floppy drives */
    r->regs[0x14] = 0x02; /* equipment: math coprocessor, EGA/VGA */
    put16(&r->regs[0x15], 640);
    uint64_t below = cfg->ram_below_4g;
    uint64_t ext_kib = below > (1u << 20) ? (below - (1u << 20)) >> 10 : 0;
    put16(&r->regs[0x17], ext_kib);
    put16(&r->regs[0x30], ext_kib);
    put16(&r->regs[0x34], below > (16u << 20) ? (below - (16u << 20)) >> 16 : 0);
    uint64_t high = cfg->ram_above_4g >> 16;
    if (high > 0xffffff)
        high = 0xffffff;
    r->regs[0x5b] = (uint8_t)high;
    r->regs[0x5c] = (uint8_t)(high >> 8);
    r->regs[0x5d] = (uint8_t)(high >> 16);
    rtc_fill(r, rtc_now_secs(r, 0));
    r->seen = 0;
    return r;
}

void cmos_rtc_free(struct cmos_rtc *r)
{
    free(r);
}

void cmos_rtc_copy_state(struct cmos_rtc *dst, const struct cmos_rtc *src)
{
    memcpy(dst->regs, src->regs, sizeof dst->regs);
    dst->index = src->index;
    dst->offset = src->offset;
    dst->flags = src->flags;
    dst->irq_level = src->irq_level;
    dst->seen = src->seen;
}
