/* The event kind table and --events parsing. */
#include "event.h"
#include <stdio.h>
#include <string.h>

const struct trace_kind_info trace_kinds[TK_COUNT] = {
#define TRACE_KIND_INFO(e, name, group, n, args) { name, group, n, args },
    TRACE_KINDS(TRACE_KIND_INFO)
#undef TRACE_KIND_INFO
};

const struct trace_kind_opt trace_kind_opts[TK_COUNT] = {
    [TK_VM_EXIT] = { 1, "vpid" },
    [TK_VM_ENTRY] = { 4, "vpid inject err ilen" },
};

/* every kind a mask can select; gdb.sched is written regardless */
static uint64_t all_kinds(void)
{
    return ((1ull << TK_COUNT) - 1) & ~(1ull << TK_GDB_SCHED);
}

uint64_t trace_default_mask(void)
{
    uint64_t all = all_kinds();
    return all & ~(1ull << TK_MMIO) & ~(1ull << TK_EXC_TAKE);
}

bool trace_parse_kinds(const char *list, const char *opt, uint64_t *mask, char *err, size_t errlen)
{
    uint64_t m = 0;
    const char *p = list;
    if (!*p) {
        snprintf(err, errlen, "%s: empty list", opt);
        return false;
    }
    while (*p) {
        size_t n = strcspn(p, ",");
        char word[32];
        if (n == 0 || n >= sizeof word) {
            snprintf(err, errlen, "%s: bad list '%s'", opt, list);
            return false;
        }
        memcpy(word, p, n);
        word[n] = 0;
        bool found = false;
        if (strcmp(word, "all") == 0) {
            m |= all_kinds();
            found = true;
        } else if (strcmp(word, "default") == 0) {
            m |= trace_default_mask();
            found = true;
        }
        for (unsigned k = 0; k < TK_COUNT; k++)
            if (strcmp(word, trace_kinds[k].name) == 0 || strcmp(word, trace_kinds[k].group) == 0) {
                m |= 1ull << k;
                found = true;
            }
        if (!found) {
            snprintf(err, errlen, "%s: unknown event kind '%s' (kinds: ipi irq timer wfi sbi vm "
                     "mmio input check exc end, or names like ipi.send; all; default)", opt, word);
            return false;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    *mask = m;
    return true;
}

bool trace_parse_events(const char *list, uint64_t *mask, char *err, size_t errlen)
{
    if (!trace_parse_kinds(list, "--events", mask, err, errlen))
        return false;
    /* input and end records are what replay needs: always on */
    *mask |= (1ull << TK_INPUT) | (1ull << TK_END);
    return true;
}

const char *trace_arg_name(unsigned kind, unsigned i, char *buf, size_t len)
{
    if (kind >= TK_COUNT || i >= trace_kinds[kind].nargs + trace_kind_opts[kind].n)
        return NULL;
    const char *p = trace_kinds[kind].args;
    if (i >= trace_kinds[kind].nargs) {
        i -= trace_kinds[kind].nargs;
        p = trace_kind_opts[kind].args;
    }
    for (unsigned k = 0; k < i; k++) {
        p = strchr(p, ' ');
        if (!p)
            return NULL;
        p++;
    }
    size_t n = strcspn(p, " ");
    if (n >= len)
        n = len - 1;
    memcpy(buf, p, n);
    buf[n] = 0;
    return buf;
}

size_t trace_format_event(const struct trace_event *ev, char *buf, size_t len)
{
    size_t n = 0;
#define OUT(...) n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, __VA_ARGS__)
    OUT("%12llu ", (unsigned long long)ev->time);
    if (ev->cpu == TRACE_NO_CPU)
        OUT("  -   ");
    else
        OUT("cpu%-3u", ev->cpu);
    if (ev->kind >= TK_COUNT) {
        OUT("kind%u", ev->kind);
        return n;
    }
    OUT("%-13s", trace_kinds[ev->kind].name);
    for (unsigned i = 0; i < trace_kinds[ev->kind].nargs + ev->nopt; i++) {
        char name[16];
        trace_arg_name(ev->kind, i, name, sizeof name);
        if (ev->a[i] < 4096)
            OUT(" %s=%llu", name, (unsigned long long)ev->a[i]);
        else
            OUT(" %s=0x%llx", name, (unsigned long long)ev->a[i]);
    }
#undef OUT
    return n;
}

const char *trace_ipi_mech_name(uint64_t mech)
{
    static const char *const names[IPI_MECH_COUNT] = {
        [IPI_MECH_MSWI] = "MSWI", [IPI_MECH_SSWI] = "SSWI",   [IPI_MECH_SBI] = "SBI",
        [IPI_MECH_SIP] = "SIP",   [IPI_MECH_LAPIC] = "LAPIC", [IPI_MECH_HVIP] = "HVIP",
        [IPI_MECH_VSBI] = "vSBI", [IPI_MECH_IMSIC] = "IMSIC", [IPI_MECH_POSTED] = "POSTED",
        [IPI_MECH_VINTR] = "VINTR",
    };
    mech = TRACE_IPI_MECH(mech);
    return mech < IPI_MECH_COUNT && names[mech] ? names[mech] : "?";
}

bool trace_event_equal(const struct trace_event *a, const struct trace_event *b)
{
    if (a->kind != b->kind || a->cpu != b->cpu || a->time != b->time)
        return false;
    /* a record without optional arguments (a trace recorded before them)
     * matches on its own; two that carry some carry the same ones */
    if (a->nopt && b->nopt && a->nopt != b->nopt)
        return false;
    unsigned n = trace_kinds[a->kind].nargs + (a->nopt < b->nopt ? a->nopt : b->nopt);
    for (unsigned i = 0; i < n; i++)
        if (a->a[i] != b->a[i])
            return false;
    return true;
}
