/* trace_emit and check records: periodic hashes of every CPU's architectural
 * state and of the RAM pages written since the previous check, so that a
 * replay that diverges can say which register or page differs first.
 *
 * Check blob (docs/trace-format.md):
 *   varint ncpus; per CPU: varint id, varint arch, varint n, n x u64 LE
 *   varint npages; per page: varint physical page number, u64 LE XXH3 hash
 *   boards with device state only (board_ops.check_state; x86 PC: the
 *   IOAPIC and local APICs): varint n, n x u64 LE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "../sim/arch.h"
#include "../sim/board.h"
#include "emit.h"

void trace_emit(struct trace *t, const struct trace_event *ev)
{
    t->sink(t->sink_opaque, ev);
}

struct blob {
    uint8_t *p;
    size_t len, cap;
};

static void blob_need(struct blob *b, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 256;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort(); /* host out of memory */
    }
}

static void put_v(struct blob *b, uint64_t v)
{
    blob_need(b, 10);
    while (v >= 0x80) {
        b->p[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (uint8_t)v;
}

static void put_u64(struct blob *b, uint64_t v)
{
    blob_need(b, 8);
    for (int i = 0; i < 8; i++)
        b->p[b->len++] = (uint8_t)(v >> (8 * i));
}

/* A CPU's check-record state: exactly its architecture's nstate values (or
 * nstate_max, for a CPU with the optional state: docs/riscv.md). A
 * CPU of an unregistered architecture or one that reports another count
 * would make check records silently incomplete: a simulator bug. */
static unsigned cpu_check_state(struct cpu *c, uint64_t vals[ARCH_MAX_STATE])
{
    const struct arch_info *a = arch_by_id(c->ops->arch);
    if (!a || a->nstate == 0 || a->nstate > ARCH_MAX_STATE) {
        fprintf(stderr, "hvsim: bug: cpu %d: architecture %u %s (check records need 1..%u "
                        "state values)\n", c->id, c->ops->arch,
                a ? "declares a bad state count" : "is not in the registry", ARCH_MAX_STATE);
        abort();
    }
    unsigned n = c->ops->arch_state(c, vals, ARCH_MAX_STATE);
    if (n != a->nstate && (n != a->nstate_max || n > ARCH_MAX_STATE)) {
        fprintf(stderr, "hvsim: bug: cpu %d (%s) reported %u state values, its architecture "
                        "declares %u\n", c->id, a->name, n, a->nstate);
        abort();
    }
    return n;
}

void trace_check(struct machine *m)
{
    struct trace *t = m->trace;
    struct blob b = { 0 };
    put_v(&b, (uint64_t)m->ncpus);
    for (int i = 0; i < m->ncpus; i++) {
        struct cpu *c = m->cpus[i];
        uint64_t vals[ARCH_MAX_STATE];
        unsigned n = cpu_check_state(c, vals);
        put_v(&b, (uint64_t)c->id);
        put_v(&b, c->ops->arch);
        put_v(&b, n);
        for (unsigned k = 0; k < n; k++)
            put_u64(&b, vals[k]);
    }
    /* pages written since the last check, in address order */
    size_t npos = b.len, count = 0;
    put_v(&b, 0); /* placeholder, rewritten below */
    struct blob pages = { 0 };
    for (int r = 0; r < m->bus.nmem; r++) {
        struct mem_region *reg = &m->bus.mem[r];
        for (uint64_t p = 0; p < (reg->size >> 12); p++) {
            if (!reg->dirty[p])
                continue;
            reg->dirty[p] = 0;
            put_v(&pages, (reg->base >> 12) + p);
            put_u64(&pages, XXH3_64bits(reg->host + (p << 12), 4096));
            count++;
        }
    }
    b.len = npos;
    put_v(&b, count);
    blob_need(&b, pages.len);
    if (pages.len) /* no page written: pages.p is NULL (memcpy from NULL is UB) */
        memcpy(b.p + b.len, pages.p, pages.len);
    b.len += pages.len;
    free(pages.p);
    if (m->board && m->board->check_state) {
        uint64_t *dev = malloc(BOARD_MAX_CHECK_STATE * sizeof *dev);
        if (!dev)
            abort(); /* host out of memory */
        unsigned n = m->board->check_state(m, dev, BOARD_MAX_CHECK_STATE);
        put_v(&b, n);
        for (unsigned k = 0; k < n; k++)
            put_u64(&b, dev[k]);
        free(dev);
    }
    /* Fast write mappings would let writes skip the dirty marks: drop them. */
    for (int i = 0; i < m->ncpus; i++)
        m->cpus[i]->ops->flush_tlb(m->cpus[i]);

    struct trace_event ev = { .time = m->sched.round_start, .cpu = TRACE_NO_CPU,
                              .kind = TK_CHECK, .a = { t->check_seq++, XXH3_64bits(b.p, b.len) },
                              .blob = b.p, .blob_len = b.len };
    trace_emit(t, &ev);
    free(b.p);
}

/* ---- comparing two blobs ---- */
struct cur {
    const uint8_t *p, *end;
};

static bool get_v(struct cur *c, uint64_t *v)
{
    uint64_t x = 0;
    for (int s = 0; s < 70 && c->p < c->end; s += 7) {
        uint8_t b = *c->p++;
        x |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

static bool get_u64(struct cur *c, uint64_t *v)
{
    if (c->end - c->p < 8)
        return false;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)c->p[i] << (8 * i);
    c->p += 8;
    *v = x;
    return true;
}

/* The name of state value k of a CPU of architecture id arch_id. */
static const char *state_name(const struct arch_info *arch, uint64_t arch_id, uint64_t k)
{
    const struct arch_info *a = arch && arch->id == arch_id ? arch : arch_by_id((unsigned)arch_id);
    unsigned n = a ? (a->nstate_max > a->nstate ? a->nstate_max : a->nstate) : 0;
    return a && a->state_name && k < n ? a->state_name((unsigned)k) : NULL;
}

bool trace_check_diff(const struct arch_info *arch, const uint8_t *a, size_t alen,
                      const uint8_t *b, size_t blen, char *out, size_t outlen)
{
    if (alen == blen && memcmp(a, b, alen) == 0)
        return false;
    struct cur x = { a, a + alen }, y = { b, b + blen };
    uint64_t na, nb;
    if (!get_v(&x, &na) || !get_v(&y, &nb) || na != nb) {
        snprintf(out, outlen, "different CPU counts or corrupt check record");
        return true;
    }
    for (uint64_t i = 0; i < na; i++) {
        uint64_t ida, idb, archa, archb, ca, cb;
        if (!get_v(&x, &ida) || !get_v(&y, &idb) || !get_v(&x, &archa) || !get_v(&y, &archb) ||
            !get_v(&x, &ca) || !get_v(&y, &cb) || ca != cb || archa != archb) {
            snprintf(out, outlen, "corrupt check record");
            return true;
        }
        for (uint64_t k = 0; k < ca; k++) {
            uint64_t va, vb;
            if (!get_u64(&x, &va) || !get_u64(&y, &vb)) {
                snprintf(out, outlen, "corrupt check record");
                return true;
            }
            if (va != vb) {
                const char *name = state_name(arch, archa, k);
                char num[32];
                if (!name) {
                    snprintf(num, sizeof num, "#%llu", (unsigned long long)k);
                    name = num;
                }
                snprintf(out, outlen, "cpu %llu register %s: recorded 0x%llx, replayed 0x%llx",
                         (unsigned long long)ida, name, (unsigned long long)va,
                         (unsigned long long)vb);
                return true;
            }
        }
    }
    uint64_t pa, pb;
    if (!get_v(&x, &pa) || !get_v(&y, &pb)) {
        snprintf(out, outlen, "corrupt check record");
        return true;
    }
    /* Pages are listed in address order: walk both lists like a merge. */
    uint64_t ia = 0, ib = 0, pga = 0, pgb = 0, ha = 0, hb = 0;
    bool have_a = false, have_b = false;
    for (;;) {
        if (!have_a && ia < pa) { get_v(&x, &pga); get_u64(&x, &ha); have_a = true; ia++; }
        if (!have_b && ib < pb) { get_v(&y, &pgb); get_u64(&y, &hb); have_b = true; ib++; }
        if (!have_a && !have_b)
            break;
        if (have_a && have_b && pga == pgb) {
            if (ha != hb) {
                snprintf(out, outlen, "memory page 0x%llx differs", (unsigned long long)(pga << 12));
                return true;
            }
            have_a = have_b = false;
        } else if (!have_b || (have_a && pga < pgb)) {
            snprintf(out, outlen, "memory page 0x%llx written in the recording only",
                     (unsigned long long)(pga << 12));
            return true;
        } else {
            snprintf(out, outlen, "memory page 0x%llx written in the replay only",
                     (unsigned long long)(pgb << 12));
            return true;
        }
    }
    /* the board's device state, where it has one (check_state) */
    if (x.p < x.end || y.p < y.end) {
        uint64_t da = 0, db = 0;
        if (!get_v(&x, &da) || !get_v(&y, &db) || da != db) {
            snprintf(out, outlen, "different device state counts or corrupt check record");
            return true;
        }
        const struct board_ops *board = arch ? board_by_arch(arch->name) : NULL;
        for (uint64_t k = 0; k < da; k++) {
            uint64_t va, vb;
            if (!get_u64(&x, &va) || !get_u64(&y, &vb)) {
                snprintf(out, outlen, "corrupt check record");
                return true;
            }
            if (va == vb)
                continue;
            char buf[64];
            const char *name = board && board->check_name && k <= UINT32_MAX
                                   ? board->check_name((unsigned)k, buf, sizeof buf) : NULL;
            if (!name) {
                snprintf(buf, sizeof buf, "#%llu", (unsigned long long)k);
                name = buf;
            }
            snprintf(out, outlen, "device state %s: recorded 0x%llx, replayed 0x%llx", name,
                     (unsigned long long)va, (unsigned long long)vb);
            return true;
        }
    }
    snprintf(out, outlen, "check records differ");
    return true;
}
