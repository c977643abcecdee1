/* Helpers shared by the launcher's guests: SBI calls, CSR access, console
 * output through the legacy SBI putchar (which Linux 6.1 KVM forwards to the
 * launcher as KVM_EXIT_RISCV_SBI), and a few formatting routines. */
#ifndef GUEST_H
#define GUEST_H

#include "kvmtest.h"

#define SIE_SSIE        (1UL << 1)      /* sie/sip bit 1: supervisor software interrupt */
#define SSTATUS_SIE     (1UL << 1)
#define CAUSE_INTR      (1UL << 63)
#define IRQ_S_SOFT      1

#define csr_read(csr) ({ unsigned long v_; \
    __asm__ volatile ("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_set(csr, v)   __asm__ volatile ("csrs " #csr ", %0" :: "rK"(v) : "memory")
#define csr_clear(csr, v) __asm__ volatile ("csrc " #csr ", %0" :: "rK"(v) : "memory")

static inline void wfi(void) { __asm__ volatile ("wfi" ::: "memory"); }
static inline void fence(void) { __asm__ volatile ("fence rw, rw" ::: "memory"); }

struct sbiret { long error; long value; };

/* SBI calling convention (SBI spec v1.0 ch. 3): a7 = EID, a6 = FID,
 * arguments in a0..a5, error in a0 and value in a1. */
static inline struct sbiret sbi_call(unsigned long eid, unsigned long fid,
                                     unsigned long arg0, unsigned long arg1,
                                     unsigned long arg2)
{
    register unsigned long a0 __asm__("a0") = arg0;
    register unsigned long a1 __asm__("a1") = arg1;
    register unsigned long a2 __asm__("a2") = arg2;
    register unsigned long a6 __asm__("a6") = fid;
    register unsigned long a7 __asm__("a7") = eid;
    __asm__ volatile ("ecall"
                      : "+r"(a0), "+r"(a1)
                      : "r"(a2), "r"(a6), "r"(a7)
                      : "memory");
    return (struct sbiret){ (long)a0, (long)a1 };
}

/* Legacy extensions (SBI v0.1): EID in a7, result in a0 only. */
static inline long sbi_legacy(unsigned long eid, unsigned long arg0)
{
    register unsigned long a0 __asm__("a0") = arg0;
    register unsigned long a7 __asm__("a7") = eid;
    __asm__ volatile ("ecall" : "+r"(a0) : "r"(a7) : "memory", "a1");
    return (long)a0;
}

static inline void putc_sbi(char c) { sbi_legacy(SBI_LEGACY_PUTCHAR, (unsigned char)c); }

/* A line being formatted; printed (and checksummed) as a whole. */
struct line { char s[160]; unsigned long n; };

static inline void l_str(struct line *l, const char *s)
{
    while (*s && l->n < sizeof l->s - 1)
        l->s[l->n++] = *s++;
}

static inline void l_dec(struct line *l, unsigned long v)
{
    char t[24];
    int i = 0;
    do { t[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (i && l->n < sizeof l->s - 1)
        l->s[l->n++] = t[--i];
}

static inline void l_hex(struct line *l, unsigned long v)
{
    l_str(l, "0x");
    for (int sh = 60; sh >= 0; sh -= 4)
        if (l->n < sizeof l->s - 1)
            l->s[l->n++] = "0123456789abcdef"[(v >> sh) & 15];
}

static inline void l_print(const struct line *l)
{
    for (unsigned long i = 0; i < l->n; i++)
        putc_sbi(l->s[i]);
}

/* Report a result through MMIO: a store to a GPA without memory slot, which
 * KVM hands to the launcher as KVM_EXIT_MMIO (len 8, is_write). */
static inline void mmio_result(unsigned long v)
{
    *(volatile unsigned long *)KT_MMIO_RESULT = v;
}

static inline __attribute__((noreturn)) void shutdown_srst(void)
{
    sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN, 0, 0);
    sbi_legacy(SBI_LEGACY_SHUTDOWN, 0);
    for (;;)
        wfi();
}

static inline __attribute__((noreturn)) void shutdown_legacy(void)
{
    sbi_legacy(SBI_LEGACY_SHUTDOWN, 0);
    for (;;)
        wfi();
}

void guest_main(unsigned long id);
void guest_trap(unsigned long cause, unsigned long epc, unsigned long tval);

#endif
