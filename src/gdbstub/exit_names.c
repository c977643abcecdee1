/* `monitor break-on vmexit NAME`: VM-exit reasons by the names the trace
 * tools print (arch_info.vm_exit_name: x86 "EPT_VIOLATION", "IO", RISC-V
 * "ecall-VS", "store-guest-page-fault", "VSEI"...), compared without regard
 * to case. The architectures' tables are the only source of the names:
 * this file walks the reasons they can name. */
#include "exit_names.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "../sim/arch.h"
#include "../vmm/vmm.h"

/* The raw reasons walked: 0-255 (x86 basic exit reasons, SDM vol. 3C
 * Appendix C, end below 80; RISC-V exception causes below 64) and the
 * interrupt causes 0-63 with bit 63 set (RISC-V mcause of an interrupt).
 * Bits 31:16 of an x86 exit reason (failed entry...) are not names. */
#define PLAIN_REASONS 256u
#define IRQ_REASONS 64u

static uint64_t nth_reason(unsigned i)
{
    return i < PLAIN_REASONS ? i : 1ull << 63 | (i - PLAIN_REASONS);
}

bool gdb_exit_reason_by_name(const struct arch_info *a, const char *name, uint64_t *reason)
{
    if (!a || !a->vm_exit_name || !name || !*name)
        return false;
    for (unsigned i = 0; i < PLAIN_REASONS + IRQ_REASONS; i++) {
        const char *n = a->vm_exit_name(nth_reason(i));
        if (n && strcasecmp(n, name) == 0) {
            *reason = nth_reason(i);
            return true;
        }
    }
    return false;
}

int gdb_exit_class_by_name(const char *name)
{
    for (unsigned c = 0; name && c < VMM_EXIT_CLASS_COUNT; c++)
        if (strcasecmp(vmm_exit_class_name(c), name) == 0)
            return (int)c;
    return -1;
}

/* Appends a then b to buf[len] at *n; truncates at the end. */
static void put(char *buf, size_t len, size_t *n, const char *a, const char *b)
{
    if (*n + 1 >= len)
        return;
    int k = snprintf(buf + *n, len - *n, "%s%s", a, b);
    if (k > 0)
        *n = *n + (size_t)k < len ? *n + (size_t)k : len - 1;
}

size_t gdb_exit_names(const struct arch_info *a, char *buf, size_t len)
{
    size_t n = 0, col = 8;
    if (len)
        buf[0] = 0;
    put(buf, len, &n, "classes:", "");
    for (unsigned c = 0; c < VMM_EXIT_CLASS_COUNT; c++)
        put(buf, len, &n, " ", vmm_exit_class_name(c));
    put(buf, len, &n, "\nreasons:", "");
    for (unsigned i = 0; a && a->vm_exit_name && i < PLAIN_REASONS + IRQ_REASONS; i++) {
        const char *name = a->vm_exit_name(nth_reason(i));
        if (!name)
            continue;
        if (col + 1 + strlen(name) > 78) { /* lines of at most 78 columns */
            put(buf, len, &n, "\n ", "");
            col = 1;
        }
        put(buf, len, &n, " ", name);
        col += 1 + strlen(name);
    }
    put(buf, len, &n, "\n", "");
    return n;
}
