/* sbi.c — minihv's calls down to the SBI implementation below it (OpenSBI
 * under QEMU and hvsim), a spinlock, and a tiny formatted console.
 * Calling convention: SBI spec v1.0 §3 (a7 = EID, a6 = FID, a0-a5 args;
 * returns a0 = error, a1 = value). */
#include "minihv.h"

struct sbiret sbi_ecall(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
                        uint64_t a2)
{
    register uint64_t r_a0 __asm__("a0") = a0;
    register uint64_t r_a1 __asm__("a1") = a1;
    register uint64_t r_a2 __asm__("a2") = a2;
    register uint64_t r_a6 __asm__("a6") = fid;
    register uint64_t r_a7 __asm__("a7") = eid;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

void sbi_console_putchar(int c)
{
    /* legacy extension 0x01: present in OpenSBI 1.x */
    sbi_ecall(SBI_EXT_0_1_PUTCHAR, 0, (uint64_t)(uint8_t)c, 0, 0);
}

void sbi_set_timer(uint64_t t)
{
    sbi_ecall(SBI_EXT_TIME, 0, t, 0, 0);
}

long sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base)
{
    return sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0).error;
}

long sbi_hart_start(uint64_t hartid, uint64_t addr, uint64_t opaque)
{
    return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, addr, opaque).error;
}

void sbi_system_reset(uint32_t type, uint32_t reason)
{
    sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0);
}

long sbi_probe(uint64_t eid)
{
    struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, eid, 0, 0);
    return r.error ? 0 : r.value;
}

/* ---- lock ---------------------------------------------------------------- */
void spin_lock(volatile uint32_t *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (*l)
            ;
}

void spin_unlock(volatile uint32_t *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

volatile uint32_t console_lock;

void con_puts_locked(const char *s)
{
    while (*s)
        sbi_console_putchar(*s++);
}

/* ---- formatting: %s %c %d %u %x %lx %lu %ld %% with optional 0-pad width -- */
struct outbuf { char *p; size_t n, len; };

static void ob_put(struct outbuf *o, char c)
{
    if (o->len + 1 < o->n)
        o->p[o->len] = c;
    o->len++;
}

static void ob_num(struct outbuf *o, uint64_t v, unsigned base, int neg,
                   int width, char pad)
{
    char tmp[24];
    int i = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        tmp[i++] = '-';
    while (width-- > i)
        ob_put(o, pad);
    while (i)
        ob_put(o, tmp[--i]);
}

int hv_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct outbuf o = { buf, n, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            ob_put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s)
                ob_put(&o, *s++);
            break;
        }
        case 'c':
            ob_put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            ob_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            ob_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0,
                   width, pad);
            break;
        case 'x':
            ob_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0,
                   width, pad);
            break;
        case '%':
            ob_put(&o, '%');
            break;
        default:
            ob_put(&o, '?');
            break;
        }
    }
    if (n)
        buf[o.len < n ? o.len : n - 1] = 0;
    return (int)o.len;
}

int hv_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = hv_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

void hv_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    spin_lock(&console_lock);
    con_puts_locked(buf);
    spin_unlock(&console_lock);
}

void hv_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* no lock: the holder may be the one that failed */
    con_puts_locked("minihv: PANIC: ");
    con_puts_locked(buf);
    con_puts_locked("\n");
    sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
    for (;;)
        __asm__ volatile("wfi");
}

/* ---- the two functions the compiler may call on its own ---------------- */
void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
