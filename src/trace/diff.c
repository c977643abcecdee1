/* hvsim trace diff A B [--ignore KINDS] [--context N]
 *
 * Streams two traces side by side and reports the first event that differs
 * (kind, cpu, virtual time or any argument; check records compare by their
 * sequence number and state hash, and when the hashes differ the blobs say
 * which register or page differs first). Events of the kinds in --ignore are
 * skipped on both sides before comparing. Header differences in hvsim
 * version, seed, quantum, limits, configuration or images are reported as
 * "# note:" lines; different event masks make the traces incomparable and
 * fail unless --ignore covers every kind recorded by only one side.
 *
 * Exit status: 0 equivalent, 1 different, 2 host error (bad option, file). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "archnames.h"
#include "tools.h"
#include "trace.h"

#define DIFF_MAX_CONTEXT 10000
#define DIFF_DEFAULT_CONTEXT 5

struct diff_opts {
    const char *path[2];
    uint64_t ignore;      /* kinds skipped on both sides */
    unsigned context;     /* events shown before the divergence */
};

/* One side of the comparison. */
struct diff_side {
    const char *path;
    struct trace_reader *r;
    struct trace_event ev;  /* current event (blob owned by the reader) */
    uint64_t record;        /* record number of ev in its file (0-based) */
    int state;              /* 1 event, 0 end, -1 error */
};

/* The compared events before the current one: identical on both sides by
 * construction, so one ring holds them, with each side's record number. */
struct diff_ctx_entry {
    struct trace_event ev;  /* blob cleared: the reader reuses its buffer */
    uint64_t record[2];
};

static void diff_usage(FILE *f)
{
    fputs("Usage: hvsim trace diff A.hvt B.hvt [--ignore KINDS] [--context N]\n"
          "Compares two traces event by event (kind, cpu, time, arguments; check\n"
          "records by their state hash). --ignore skips kinds on both sides (groups\n"
          "like ipi,timer or names like ipi.send; all; default). --context N shows the\n"
          "N events before the first difference (default 5).\n"
          "Exit 0: equivalent; 1: different (first difference shown); 2: error.\n",
          f);
}

static int diff_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One message naming the bad option or value; status 2. */
static int diff_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hvsim: trace diff: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    return 2;
}


/* Returns -1 to go on, else an exit status. */
static int diff_parse_args(int argc, char **argv, struct diff_opts *o)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            diff_usage(stdout);
            return 0;
        } else if (strcmp(a, "--ignore") == 0 || strcmp(a, "--context") == 0) {
            if (i + 1 >= argc)
                return diff_error("%s: missing value", a);
            const char *v = argv[++i];
            if (a[2] == 'i') {
                char err[256];
                if (!trace_parse_kinds(v, "--ignore", &o->ignore, err, sizeof err))
                    return diff_error("%s", err);
            } else {
                char *end;
                errno = 0;
                unsigned long long n = strtoull(v, &end, 10);
                if (!*v || *end || errno || v[0] == '-' || n > DIFF_MAX_CONTEXT)
                    return diff_error("--context: '%s' is not a number (0..%d)", v, DIFF_MAX_CONTEXT);
                o->context = (unsigned)n;
            }
        } else if (a[0] == '-' && a[1]) {
            return diff_error("unknown option '%s'", a);
        } else if (npos < 2) {
            o->path[npos++] = a;
        } else {
            return diff_error("unexpected argument '%s' (two trace files expected)", a);
        }
    }
    if (npos < 2) {
        fputs("hvsim: trace diff: two trace files expected\n", stderr);
        diff_usage(stderr);
        return 2;
    }
    return -1;
}

/* Names the kinds in mask, comma-separated: a group ("irq") when the mask
 * holds all of its kinds, else the kinds' own names ("irq.take"). */
static void kinds_list(uint64_t mask, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (unsigned k = 0; k < TK_COUNT; k++) {
        if (!(mask >> k & 1))
            continue;
        const char *group = trace_kinds[k].group;
        uint64_t gm = 0;
        for (unsigned j = 0; j < TK_COUNT; j++)
            if (strcmp(trace_kinds[j].group, group) == 0)
                gm |= 1ull << j;
        bool whole = (mask & gm) == gm;
        n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s",
                              n ? "," : "", whole ? group : trace_kinds[k].name);
        if (whole)
            mask &= ~gm;
    }
}

/* First differing line of two texts: line number (1-based), 0 if equal. */
static unsigned first_line_diff(const char *a, const char *b, char *la, char *lb, size_t len)
{
    unsigned line = 1;
    for (;;) {
        size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
        if (na != nb || memcmp(a, b, na) != 0 || (!a[na]) != (!b[nb])) {
            snprintf(la, len, "%.*s", (int)na, a);
            snprintf(lb, len, "%.*s", (int)nb, b);
            if (!*a && !*b)
                return 0;
            return line;
        }
        if (!a[na])
            return 0;
        a += na + 1;
        b += nb + 1;
        line++;
    }
}

static const struct trace_image *find_image(const struct trace_header *h, const char *role)
{
    for (int i = 0; i < h->nimages; i++)
        if (strcmp(h->images[i].role, role) == 0)
            return &h->images[i];
    return NULL;
}

/* Prints "# note:" lines for header differences that do not by themselves
 * make the timelines incomparable. */
static void note_headers(const struct trace_header *a, const struct trace_header *b)
{
    if (strcmp(a->hvsim_version, b->hvsim_version) != 0)
        printf("# note: hvsim version differs: A %s, B %s\n", a->hvsim_version, b->hvsim_version);
    static const struct { const char *name; size_t off; } nums[] = {
        { "seed", offsetof(struct trace_header, seed) },
        { "quantum", offsetof(struct trace_header, quantum) },
        { "max-insns", offsetof(struct trace_header, max_insns) },
        { "check-interval", offsetof(struct trace_header, check_interval) },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        uint64_t va, vb;
        memcpy(&va, (const char *)a + nums[i].off, sizeof va);
        memcpy(&vb, (const char *)b + nums[i].off, sizeof vb);
        if (va != vb)
            printf("# note: %s differs: A %" PRIu64 ", B %" PRIu64 "\n", nums[i].name, va, vb);
    }
    char la[160], lb[160];
    unsigned line = first_line_diff(a->config_ini ? a->config_ini : "",
                                    b->config_ini ? b->config_ini : "", la, lb, sizeof la);
    if (line)
        printf("# note: machine config differs from line %u: A '%s', B '%s'\n", line, la, lb);
    static const char *const roles[] = { "bios", "kernel", "initrd", "dtb" };
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        const struct trace_image *ia = find_image(a, roles[i]), *ib = find_image(b, roles[i]);
        if (!ia && !ib)
            continue;
        if (!ia || !ib)
            printf("# note: %s image only in %s: %s\n", roles[i], ia ? "A" : "B",
                   ia ? ia->path : ib->path);
        else if (strcmp(ia->sha256, ib->sha256) != 0)
            printf("# note: %s image differs: A %s (sha256 %.16s...), B %s (sha256 %.16s...)\n",
                   roles[i], ia->path, ia->sha256, ib->path, ib->sha256);
        else if (strcmp(ia->path, ib->path) != 0)
            printf("# note: %s image path differs (same contents): A %s, B %s\n", roles[i],
                   ia->path, ib->path);
    }
}

/* Advances a side to its next event not in the ignore mask. */
static void side_next(struct diff_side *s, uint64_t ignore, char *err, size_t errlen)
{
    for (;;) {
        s->record = trace_reader_count(s->r);
        s->state = trace_reader_next(s->r, &s->ev, err, errlen);
        if (s->state != 1 || !(ignore >> s->ev.kind & 1))
            return;
    }
}

static void print_event(const char *prefix, const struct trace_event *ev)
{
    char line[512];
    trace_format_event(ev, line, sizeof line);
    printf("%s%s\n", prefix, line);
}

/* Explains what differs between two events, e.g. "time 120 vs 125". */
static void explain(const struct arch_info *arch, const struct trace_event *a,
                    const struct trace_event *b)
{
    if (a->kind != b->kind) {
        printf("  kind differs: %s vs %s\n", trace_kinds[a->kind].name, trace_kinds[b->kind].name);
        return;
    }
    printf("  differs in:");
    if (a->cpu != b->cpu)
        printf(" cpu");
    if (a->time != b->time)
        printf(" time (%+" PRId64 ")", (int64_t)(b->time - a->time));
    unsigned nopt = a->nopt < b->nopt ? a->nopt : b->nopt;
    for (unsigned i = 0; i < trace_kinds[a->kind].nargs + nopt; i++)
        if (a->a[i] != b->a[i]) {
            char name[16];
            printf(" %s", trace_arg_name(a->kind, i, name, sizeof name));
        }
    if (a->nopt && b->nopt && a->nopt != b->nopt)
        printf(" optional arguments (%u vs %u)", a->nopt, b->nopt);
    printf("\n");
    if (a->kind == TK_CHECK && a->a[1] != b->a[1]) {
        char why[256];
        if (trace_check_diff(arch, a->blob, a->blob_len, b->blob, b->blob_len, why, sizeof why))
            printf("  first state difference: %s\n", why);
    }
}

int trace_cmd_diff(int argc, char **argv)
{
    struct diff_opts o = { .context = DIFF_DEFAULT_CONTEXT };
    int rc = diff_parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;

    char err[512];
    struct diff_side s[2] = { { .path = o.path[0] }, { .path = o.path[1] } };
    for (int i = 0; i < 2; i++) {
        s[i].r = trace_reader_open(s[i].path, err, sizeof err);
        if (!s[i].r) {
            fprintf(stderr, "hvsim: trace diff: %s\n", err);
            trace_reader_close(s[0].r);
            return 2;
        }
    }
    const struct trace_header *ha = trace_reader_header(s[0].r);
    const struct trace_header *hb = trace_reader_header(s[1].r);
    note_headers(ha, hb);
    char arch_name[64];
    const struct arch_info *arch = trace_header_arch(ha, arch_name, sizeof arch_name);
    uint64_t only = (ha->event_mask ^ hb->event_mask) & ~o.ignore & ((1ull << TK_COUNT) - 1);
    if (only) {
        char ka[256], kb[256];
        kinds_list(only & ha->event_mask, ka, sizeof ka);
        kinds_list(only & hb->event_mask, kb, sizeof kb);
        printf("traces differ: they record different event kinds (only in A: %s; only in B: %s)\n"
               "  compare the rest with --ignore %s%s%s\n",
               *ka ? ka : "none", *kb ? kb : "none", ka, *ka && *kb ? "," : "", kb);
        trace_reader_close(s[0].r);
        trace_reader_close(s[1].r);
        return 1;
    }

    struct diff_ctx_entry *ring = o.context ? calloc(o.context, sizeof *ring) : NULL;
    uint64_t index = 0; /* compared events so far */
    int ret = 0;
    for (;;) {
        side_next(&s[0], o.ignore, err, sizeof err);
        if (s[0].state < 0)
            break;
        side_next(&s[1], o.ignore, err, sizeof err);
        if (s[1].state < 0)
            break;
        if (s[0].state == 0 && s[1].state == 0)
            break;
        if (s[0].state == 1 && s[1].state == 1 && trace_event_equal(&s[0].ev, &s[1].ev)) {
            if (o.context) {
                struct diff_ctx_entry *e = &ring[index % o.context];
                e->ev = s[0].ev;
                e->ev.blob = NULL;
                e->ev.blob_len = 0;
                e->record[0] = s[0].record;
                e->record[1] = s[1].record;
            }
            index++;
            continue;
        }
        /* The first difference. */
        ret = 1;
        printf("traces differ at event %" PRIu64, index);
        for (int i = 0; i < 2; i++) {
            if (s[i].state == 1)
                printf("%srecord %" PRIu64 " of %s", i ? ", " : " (", s[i].record, s[i].path);
            else
                printf("%s%s has ended", i ? ", " : " (", s[i].path);
        }
        printf(")\n");
        uint64_t n = index < o.context ? index : o.context;
        if (n)
            printf("  the %" PRIu64 " event%s before it (identical in both: record in A/B):\n", n,
                   n == 1 ? "" : "s");
        for (uint64_t k = index - n; k < index; k++) {
            const struct diff_ctx_entry *e = &ring[k % o.context];
            char rec[48], prefix[64];
            snprintf(rec, sizeof rec, "#%" PRIu64 "/#%" PRIu64, e->record[0], e->record[1]);
            snprintf(prefix, sizeof prefix, "    %-13s ", rec);
            print_event(prefix, &e->ev);
        }
        for (int i = 0; i < 2; i++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "  %c: ", i ? 'B' : 'A');
            if (s[i].state == 1)
                print_event(prefix, &s[i].ev);
            else
                printf("%s(end of trace after %" PRIu64 " events)\n", prefix, index);
        }
        if (s[0].state == 1 && s[1].state == 1)
            explain(arch, &s[0].ev, &s[1].ev);
        break;
    }
    if (s[0].state < 0 || s[1].state < 0) {
        fprintf(stderr, "hvsim: trace diff: %s\n", err);
        ret = 2;
    } else if (ret == 0) {
        printf("traces equivalent: %" PRIu64 " event%s\n", index, index == 1 ? "" : "s");
    }
    free(ring);
    trace_reader_close(s[0].r);
    trace_reader_close(s[1].r);
    return ret;
}
