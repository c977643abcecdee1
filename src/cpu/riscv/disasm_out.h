/* The disassemblers' output buffer (disasm.c, disasm_vec.c): text appended
 * printf-style into buf[len], snprintf's truncation rules (n counts what
 * would have been written, the buffer stays NUL-terminated). */
#ifndef HVSIM_RV_DISASM_OUT_H
#define HVSIM_RV_DISASM_OUT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct out {
    char *buf;
    size_t len, n;
};

__attribute__((format(printf, 2, 3)))
static inline void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->n < o->len ? o->len - o->n : 0;
    int k = vsnprintf(room ? o->buf + o->n : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k;
}
#endif
