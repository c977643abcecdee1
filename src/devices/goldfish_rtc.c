/* Goldfish RTC (see goldfish_rtc.h). */
#include "goldfish_rtc.h"

#include <stdlib.h>
#include "../sim/machine.h"

enum {
    TIME_LOW = 0x00,
    TIME_HIGH = 0x04,
    ALARM_LOW = 0x08,
    ALARM_HIGH = 0x0c,
    IRQ_ENABLED = 0x10,
    CLEAR_ALARM = 0x14,
    ALARM_STATUS = 0x18,
    CLEAR_INTERRUPT = 0x1c,
};

struct goldfish_rtc {
    struct machine *m;
    struct irq_line irq;
    int timer;
    uint64_t offset_ns;     /* RTC time - virtual time (ns) */
    uint32_t time_high;     /* latched by a TIME_LOW read / written by the guest */
    uint64_t alarm;         /* ns, RTC time */
    uint32_t alarm_high_next;
    bool armed, irq_enabled;
    int level;
};

static uint64_t ticks_to_ns(const struct machine *m, uint64_t t)
{
    return (uint64_t)((unsigned __int128)t * 1000000000u / m->cfg.cpu_hz);
}

/* The first tick at which the virtual time reaches ns (rounded up). */
static uint64_t ns_to_ticks(const struct machine *m, uint64_t ns)
{
    unsigned __int128 t = ((unsigned __int128)ns * m->cfg.cpu_hz + 999999999u) / 1000000000u;
    return t > UINT64_MAX - 1 ? UINT64_MAX - 1 : (uint64_t)t;
}

static uint64_t now_ns(struct goldfish_rtc *r)
{
    return r->offset_ns + ticks_to_ns(r->m, machine_now(r->m));
}

static void set_level(struct goldfish_rtc *r, int level)
{
    if (level != r->level) {
        r->level = level;
        irq_set(&r->irq, level);
    }
}

static void alarm_fire(void *opaque, struct machine *m, uint64_t now)
{
    struct goldfish_rtc *r = opaque;
    r->armed = false;
    if (r->irq_enabled)
        set_level(r, 1);
}

static void arm(struct goldfish_rtc *r)
{
    uint64_t now = now_ns(r);
    uint64_t vt = r->alarm <= now ? machine_now(r->m) : ns_to_ticks(r->m, r->alarm - r->offset_ns);
    r->armed = true;
    machine_timer_arm(r->m, r->timer, vt);
}

static bool rtc_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct goldfish_rtc *r = opaque;
    if (off >= GOLDFISH_RTC_SIZE)
        return false;
    *val = 0;
    if (size != 4)
        return true;
    switch (off) {
    case TIME_LOW: {
        uint64_t t = now_ns(r);
        r->time_high = (uint32_t)(t >> 32);
        *val = (uint32_t)t;
        break;
    }
    case TIME_HIGH: *val = r->time_high; break;
    case ALARM_LOW: *val = (uint32_t)r->alarm; break;
    case ALARM_HIGH: *val = (uint32_t)(r->alarm >> 32); break;
    case IRQ_ENABLED: *val = r->irq_enabled; break;
    case ALARM_STATUS: *val = r->armed; break;
    default: break;
    }
    return true;
}

static bool rtc_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct goldfish_rtc *r = opaque;
    if (off >= GOLDFISH_RTC_SIZE)
        return false;
    if (size != 4)
        return true;
    uint32_t v = (uint32_t)val;
    switch (off) {
    case TIME_LOW: {
        /* setting the clock moves the offset; an armed alarm keeps its RTC time */
        uint64_t t = (uint64_t)r->time_high << 32 | v;
        r->offset_ns = t - ticks_to_ns(r->m, machine_now(r->m));
        if (r->armed)
            arm(r);
        break;
    }
    case TIME_HIGH: r->time_high = v; break;
    case ALARM_HIGH: r->alarm_high_next = v; break;
    case ALARM_LOW:
        r->alarm = (uint64_t)r->alarm_high_next << 32 | v;
        arm(r);
        break;
    case IRQ_ENABLED:
        r->irq_enabled = v & 1;
        break;
    case CLEAR_ALARM:
        r->armed = false;
        machine_timer_arm(r->m, r->timer, UINT64_MAX);
        break;
    case CLEAR_INTERRUPT: set_level(r, 0); break;
    default: break;
    }
    return true;
}

const struct mmio_ops goldfish_rtc_ops = { .read = rtc_read, .write = rtc_write };

struct goldfish_rtc *goldfish_rtc_new(struct machine *m, uint64_t epoch_ns, struct irq_line irq)
{
    struct goldfish_rtc *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->irq = irq;
    r->offset_ns = epoch_ns;
    r->timer = machine_timer_alloc(m, alarm_fire, r);
    return r;
}

void goldfish_rtc_free(struct goldfish_rtc *r)
{
    free(r);
}

void goldfish_rtc_copy_state(struct goldfish_rtc *dst, const struct goldfish_rtc *src)
{
    dst->offset_ns = src->offset_ns;
    dst->time_high = src->time_high;
    dst->alarm = src->alarm;
    dst->alarm_high_next = src->alarm_high_next;
    dst->armed = src->armed;
    dst->irq_enabled = src->irq_enabled;
    dst->level = src->level;
}
