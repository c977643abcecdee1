/* hvsim explore --minimize FILE.hvt [--fail-on R] [--expect R] [--keep DIR]
 *
 * The smallest set of perturbations (docs/explore.md "Perturbations") that
 * still reproduces a failing run: re-runs the recorded machine (config,
 * images, seed, --max-insns from the trace header) with every subset of
 * the recorded perturbation kinds, smallest first, judges each run like
 * explore does (src/trace/outcome.c), and keeps the first subset whose run
 * fails with the same verdict and console signature as the full set. The
 * minimised run is kept as DIR/minimized-seed-S.hvt (it replays), the
 * same seed without perturbations as DIR/unperturbed-seed-S.hvt, and the
 * first event where the two depart is shown with `hvsim trace diff
 * --ignore check` (the timeline's words). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../sim/perturb.h"
#include "outcome.h"
#include "tools.h"
#include "trace.h"

#define MIN_SELF "/proc/self/exe"

/* Runs this executable with argv (stdout+stderr to log, stdin /dev/null).
 * Returns the exit status, -signal, or -1000 if it could not start. */
static int run_child(char *const argv[], const char *log)
{
    fflush(stdout);
    fflush(stderr);
    pid_t p = fork();
    if (p < 0)
        return -1000;
    if (p == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in >= 0 && out >= 0 && dup2(in, 0) == 0 && dup2(out, 1) == 1 && dup2(out, 2) == 2)
            execv(MIN_SELF, argv);
        _exit(127);
    }
    int st;
    while (waitpid(p, &st, 0) < 0)
        if (errno != EINTR)
            return -1000;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    size_t cap = 1 << 16;
    char *b = malloc(cap);
    size_t n;
    while ((n = fread(b + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap && cap < (64u << 20))
            b = realloc(b, cap *= 2);
        else if (*len == cap)
            break;
    }
    fclose(f);
    return b;
}

struct min_ctx {
    const struct trace_header *h;
    char tmp[4096], cfg_path[4200];
    struct outcome_rules rules;
};

/* One run with perturbations p (NULL: none); trace to trace_path (or none). */
static bool min_run(struct min_ctx *x, const struct perturb_cfg *p, const char *trace_path,
                    struct seed_result *r)
{
    char out[4200], log[4200], seed[24], maxi[24], serial[4300];
    snprintf(out, sizeof out, "%s/console.out", x->tmp);
    snprintf(log, sizeof log, "%s/run.log", x->tmp);
    snprintf(serial, sizeof serial, "file:%s", out);
    snprintf(seed, sizeof seed, "%" PRIu64, x->h->seed);
    snprintf(maxi, sizeof maxi, "%" PRIu64, x->h->max_insns);
    char *argv[64];
    int n = 0;
    argv[n++] = "hvsim";
    argv[n++] = "run";
    argv[n++] = "-c";
    argv[n++] = x->cfg_path;
    for (int i = 0; i < x->h->nimages && n < 40; i++) {
        static char opt[TRACE_MAX_IMAGES][24];
        snprintf(opt[i], sizeof opt[i], "--%s", x->h->images[i].role);
        argv[n++] = opt[i];
        argv[n++] = (char *)x->h->images[i].path;
    }
    argv[n++] = "--sched-seed";
    argv[n++] = seed;
    argv[n++] = "--max-insns";
    argv[n++] = maxi;
    argv[n++] = "--serial";
    argv[n++] = serial;
    if (trace_path) {
        argv[n++] = "--trace";
        argv[n++] = (char *)trace_path;
    }
    char spec[512] = "";
    if (p)
        perturb_format(p, spec, sizeof spec);
    char vals[4][128];
    int nv = 0;
    for (char *save = NULL, *tok = strtok_r(spec, " ", &save); tok && nv < 4;
         tok = strtok_r(NULL, " ", &save), nv++) {
        char *eq = strchr(tok, '=');
        *eq = 0;
        snprintf(vals[nv], sizeof vals[nv], "--%s=%s", tok, eq + 1);
        argv[n++] = vals[nv];
    }
    argv[n] = NULL;
    memset(r, 0, sizeof *r);
    r->seed = x->h->seed;
    r->status = run_child(argv, log);
    if (r->status == -1000 || r->status == 2) {
        size_t ll;
        char *l = slurp(log, &ll);
        fprintf(stderr, "hvsim: explore --minimize: the re-run failed on the host side: %.*s",
                (int)(ll > 300 ? 300 : ll), l ? l : "(no message)\n");
        free(l);
        unlink(out);
        unlink(log);
        return false;
    }
    size_t clen;
    char *con = slurp(out, &clen);
    outcome_judge(r, &x->rules, con ? con : "", clen);
    free(con);
    unlink(out);
    unlink(log);
    return true;
}

/* The perturbation kinds a config has, as masks of one kind each. */
enum { K_IPI = 1, K_STALL = 2, K_SKEW = 4, K_PCT = 8 };
static const char *const kind_names[] = { "ipi-latency", "stall", "skew", "strategy" };

static void subset(const struct perturb_cfg *full, unsigned mask, struct perturb_cfg *out)
{
    *out = (struct perturb_cfg){ 0 };
    if (mask & K_IPI) {
        out->ipi_min_ns = full->ipi_min_ns;
        out->ipi_max_ns = full->ipi_max_ns;
    }
    if (mask & K_STALL) {
        out->stall_ppb = full->stall_ppb;
        out->stall_max_ns = full->stall_max_ns;
    }
    if (mask & K_SKEW)
        out->skew_pct = full->skew_pct;
    if (mask & K_PCT) {
        out->strategy = full->strategy;
        out->pct_depth = full->pct_depth;
    }
}

static int popcount(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* The next event of r that is not a check record; false at the end. */
static bool next_event(struct trace_reader *r, struct trace_event *ev)
{
    char err[256];
    while (trace_reader_next(r, ev, err, sizeof err) == 1)
        if (ev->kind != TK_CHECK)
            return true;
    return false;
}

/* The critical ordering in one sentence: at the first event where the
 * failing run (fail) parts from the unperturbed one (plain), fail's event
 * now comes where plain's used to. */
static void print_ordering(const char *plain, const char *fail, uint64_t cpu_hz)
{
    char err[256];
    struct trace_reader *a = trace_reader_open(plain, err, sizeof err);
    struct trace_reader *b = a ? trace_reader_open(fail, err, sizeof err) : NULL;
    if (!b) {
        trace_reader_close(a);
        return;
    }
    struct trace_event ea, eb;
    for (;;) {
        bool ha = next_event(a, &ea), hb = next_event(b, &eb);
        if (!ha || !hb || !trace_event_equal(&ea, &eb)) {
            if (ha && hb) {
                char who_b[24], who_a[24];
                snprintf(who_b, sizeof who_b, eb.cpu == TRACE_NO_CPU ? "the machine" : "cpu%u", eb.cpu);
                snprintf(who_a, sizeof who_a, ea.cpu == TRACE_NO_CPU ? "the machine" : "cpu%u", ea.cpu);
                printf("critical ordering: %s's %s at t=%" PRIu64 " ns now precedes %s's %s "
                       "(t=%" PRIu64 " ns without perturbations)\n", who_b,
                       trace_kinds[eb.kind].name,
                       (uint64_t)((unsigned __int128)eb.time * 1000000000u / cpu_hz), who_a,
                       trace_kinds[ea.kind].name,
                       (uint64_t)((unsigned __int128)ea.time * 1000000000u / cpu_hz));
            }
            break;
        }
    }
    trace_reader_close(a);
    trace_reader_close(b);
}

/* The IPI in the timeline's words: the failing run's first ipi.send (cpu
 * X), and another CPU's event that came before that same IPI without
 * perturbations (its last one before it, the m-th of its kind) but comes
 * after it (or not at all) in the failing run. */
struct ev_lite {
    uint64_t time;
    uint32_t cpu;
    uint16_t kind;
};

static struct ev_lite *load_events(const char *path, size_t *n)
{
    char err[256];
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    *n = 0;
    if (!r)
        return NULL;
    size_t cap = 4096;
    struct ev_lite *v = malloc(cap * sizeof *v);
    struct trace_event ev;
    while (*n < (8u << 20) && next_event(r, &ev)) {
        if (*n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[(*n)++] = (struct ev_lite){ ev.time, ev.cpu, ev.kind };
    }
    trace_reader_close(r);
    return v;
}

static uint64_t to_ns(uint64_t t, uint64_t cpu_hz)
{
    return (uint64_t)((unsigned __int128)t * 1000000000u / cpu_hz);
}

static void print_ipi_ordering(const char *plain, const char *fail, uint64_t cpu_hz)
{
    size_t na, nb;
    struct ev_lite *a = load_events(plain, &na), *b = load_events(fail, &nb);
    size_t ib = 0, ia = 0;
    while (ib < nb && b[ib].kind != TK_IPI_SEND)
        ib++;
    if (!a || ib == nb)
        goto done;
    /* the same IPI without perturbations: the sender's n-th ipi.send */
    size_t nth = 0, k;
    for (k = 0; k < ib; k++)
        nth += b[k].kind == TK_IPI_SEND && b[k].cpu == b[ib].cpu;
    for (ia = 0; ia < na; ia++)
        if (a[ia].kind == TK_IPI_SEND && a[ia].cpu == b[ib].cpu && nth-- == 0)
            break;
    if (ia == na)
        goto done;
    for (size_t y = 0; y < ia; y++) { /* each other CPU's last event before it */
        size_t last = SIZE_MAX;
        uint32_t cy = a[ia - 1 - y].cpu;
        if (cy == a[ia].cpu || cy == TRACE_NO_CPU)
            continue;
        last = ia - 1 - y;
        bool seen_later = false; /* only the first such CPU, nearest the IPI */
        for (size_t z = last + 1; z < ia; z++)
            seen_later |= a[z].cpu == cy;
        if (seen_later)
            continue;
        size_t m = 0;
        for (size_t z = 0; z < last; z++)
            m += a[z].cpu == cy && a[z].kind == a[last].kind;
        size_t jb;
        for (jb = 0; jb < nb; jb++)
            if (b[jb].cpu == cy && b[jb].kind == a[last].kind && m-- == 0)
                break;
        if (jb < ib)
            continue; /* still before the IPI: not this one */
        if (jb < nb)
            printf("critical ordering (the IPI): cpu%u's ipi.send at t=%" PRIu64 " ns now precedes "
                   "cpu%u's %s at t=%" PRIu64 " ns (t=%" PRIu64 " ns, before the IPI, without "
                   "perturbations)\n", b[ib].cpu, to_ns(b[ib].time, cpu_hz), cy,
                   trace_kinds[a[last].kind].name, to_ns(b[jb].time, cpu_hz),
                   to_ns(a[last].time, cpu_hz));
        else
            printf("critical ordering (the IPI): cpu%u's ipi.send at t=%" PRIu64 " ns now precedes "
                   "cpu%u's %s, which no longer happens (t=%" PRIu64 " ns, before the IPI, without "
                   "perturbations)\n", b[ib].cpu, to_ns(b[ib].time, cpu_hz), cy,
                   trace_kinds[a[last].kind].name, to_ns(a[last].time, cpu_hz));
        break;
    }
done:
    free(a);
    free(b);
}

/* ---- within a kind: smaller parameters that still reproduce ----
 * For each kind the subset kept, one parameter at a time: halve it while
 * the run still fails the same way, then bisect between the last value
 * that reproduced and the first that did not (a few steps). The failure is
 * not monotonic in a parameter (a smaller stall probability draws other
 * stall points), so this is a search, not a proof of minimality: every
 * value it reports was verified by a run. */
struct param {
    const char *what;
    uint64_t (*get)(const struct perturb_cfg *p);
    void (*set)(struct perturb_cfg *p, uint64_t v);
    uint64_t lo;
};
static uint64_t get_stall_max(const struct perturb_cfg *p) { return p->stall_max_ns; }
static void set_stall_max(struct perturb_cfg *p, uint64_t v) { p->stall_max_ns = v; }
static uint64_t get_stall_p(const struct perturb_cfg *p) { return p->stall_ppb; }
static void set_stall_p(struct perturb_cfg *p, uint64_t v) { p->stall_ppb = (uint32_t)v; }
static uint64_t get_skew(const struct perturb_cfg *p) { return p->skew_pct; }
static void set_skew(struct perturb_cfg *p, uint64_t v) { p->skew_pct = (unsigned)v; }
static uint64_t get_lat(const struct perturb_cfg *p) { return p->ipi_max_ns; }
static void set_lat(struct perturb_cfg *p, uint64_t v)
{
    p->ipi_max_ns = v;
    if (p->ipi_min_ns > v)
        p->ipi_min_ns = v;
}
static uint64_t get_depth(const struct perturb_cfg *p) { return p->pct_depth; }
static void set_depth(struct perturb_cfg *p, uint64_t v) { p->pct_depth = (unsigned)v; }

static const struct param params[] = {
    { "stall MAX", get_stall_max, set_stall_max, 1 },        /* K_STALL */
    { "stall probability", get_stall_p, set_stall_p, 1 },    /* K_STALL */
    { "skew", get_skew, set_skew, 1 },                       /* K_SKEW */
    { "ipi-latency MAX", get_lat, set_lat, 1 },              /* K_IPI */
    { "pct depth", get_depth, set_depth, 1 },                /* K_PCT */
};
static const unsigned param_kind[] = { K_STALL, K_STALL, K_SKEW, K_IPI, K_PCT };

/* One trial: does p still fail like ref? -1 on a host error. */
static int trial(struct min_ctx *x, const struct perturb_cfg *p, const struct seed_result *ref)
{
    struct seed_result r;
    if (!min_run(x, p, NULL, &r))
        return -1;
    char s2[512];
    perturb_format(p, s2, sizeof s2);
    bool same = r.verdict == ref->verdict && r.sig_hash == ref->sig_hash;
    printf("  %-12s  %-4s exit %d  \"%s\"%s\n", s2, verdict_name(r.verdict), r.status, r.sig_text,
           same ? "  <- reproduces" : "");
    return same;
}

/* Shrinks the parameters of the kinds in mask; false on a host error. */
static bool shrink_within(struct min_ctx *x, struct perturb_cfg *p, unsigned mask,
                          const struct seed_result *ref)
{
    for (size_t k = 0; k < sizeof params / sizeof params[0]; k++) {
        if (!(mask & param_kind[k]))
            continue;
        const struct param *pa = &params[k];
        uint64_t good = pa->get(p), bad = 0;
        bool have_bad = false;
        while (good > pa->lo) {
            uint64_t cand = good / 2 < pa->lo ? pa->lo : good / 2;
            struct perturb_cfg c = *p;
            pa->set(&c, cand);
            int t = trial(x, &c, ref);
            if (t < 0)
                return false;
            if (!t) {
                bad = cand;
                have_bad = true;
                break;
            }
            good = cand;
        }
        for (int step = 0; have_bad && step < 4 && good - bad > 1; step++) {
            uint64_t mid = bad + (good - bad) / 2;
            struct perturb_cfg c = *p;
            pa->set(&c, mid);
            int t = trial(x, &c, ref);
            if (t < 0)
                return false;
            if (t)
                good = mid;
            else
                bad = mid;
        }
        pa->set(p, good);
    }
    return true;
}

int explore_minimize(const char *file, const char *fail_on, const char *expect,
                     const char *keep)
{
    char err[600];
    struct trace_reader *tr = trace_reader_open(file, err, sizeof err);
    if (!tr) {
        fprintf(stderr, "hvsim: explore --minimize: %s\n", err);
        return 2;
    }
    struct min_ctx x = { .h = trace_reader_header(tr) };
    uint64_t cpu_hz = 1000000000u;
    {
        const char *hz = strstr(x.h->config_ini ? x.h->config_ini : "", "cpu-hz = ");
        if (hz)
            cpu_hz = strtoull(hz + 9, NULL, 10);
        if (!cpu_hz)
            cpu_hz = 1000000000u;
    }
    char plain[4400] = "";
    struct perturb_cfg full;
    if (!perturb_parse_spec(&full, x.h->perturb, err, sizeof err)) {
        fprintf(stderr, "hvsim: explore --minimize %s: header: %s\n", file, err);
        trace_reader_close(tr);
        return 2;
    }
    unsigned have = (full.ipi_max_ns ? K_IPI : 0) | (full.stall_ppb ? K_STALL : 0) |
                    (full.skew_pct ? K_SKEW : 0) | (full.strategy == STRATEGY_PCT ? K_PCT : 0);
    regex_t fre, ere;
    x.rules.sig = SIG_MASKED;
    if (fail_on) {
        if (regcomp(&fre, fail_on, REG_EXTENDED | REG_NEWLINE) != 0) {
            fprintf(stderr, "hvsim: explore: --fail-on: '%s' is not a regular expression\n", fail_on);
            trace_reader_close(tr);
            return 2;
        }
        x.rules.fail_on = &fre;
        x.rules.fail_on_src = fail_on;
    }
    if (expect) {
        if (regcomp(&ere, expect, REG_EXTENDED | REG_NEWLINE) != 0) {
            fprintf(stderr, "hvsim: explore: --expect: '%s' is not a regular expression\n", expect);
            if (fail_on)
                regfree(&fre);
            trace_reader_close(tr);
            return 2;
        }
        x.rules.expect = &ere;
        x.rules.expect_src = expect;
    }
    int rc = 2;
    const char *t = getenv("TMPDIR");
    snprintf(x.tmp, sizeof x.tmp, "%s/hvsim-minimize-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(x.tmp)) {
        fprintf(stderr, "hvsim: explore --minimize: cannot create %s: %s\n", x.tmp, strerror(errno));
        goto out;
    }
    snprintf(x.cfg_path, sizeof x.cfg_path, "%s/config.ini", x.tmp);
    FILE *cf = fopen(x.cfg_path, "w");
    if (!cf || fputs(x.h->config_ini, cf) < 0 || fclose(cf) != 0) {
        fprintf(stderr, "hvsim: explore --minimize: cannot write %s\n", x.cfg_path);
        goto out_tmp;
    }
    if (mkdir(keep, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hvsim: explore --minimize: --keep %s: %s\n", keep, strerror(errno));
        goto out_tmp;
    }

    struct seed_result ref;
    if (!min_run(&x, &full, NULL, &ref))
        goto out_tmp;
    char spec[512];
    perturb_format(&full, spec, sizeof spec);
    printf("minimize: %s, seed %" PRIu64 ", perturbations: %s\n", file, x.h->seed,
           spec[0] ? spec : "(none)");
    printf("  all of them:  %-4s exit %d  \"%s\"\n", verdict_name(ref.verdict), ref.status,
           ref.sig_text);
    if (ref.verdict == VERDICT_PASS) {
        printf("the recorded run does not fail under these judgments (give --fail-on/--expect "
               "as for explore)\n");
        rc = 1;
        goto out_tmp;
    }
    unsigned best = have;
    for (int size = 0; size < popcount(have) && best == have; size++)
        for (unsigned m = 0; m <= have; m++) {
            if ((m & ~have) || popcount(m) != size)
                continue;
            struct perturb_cfg p;
            subset(&full, m, &p);
            struct seed_result r;
            if (!min_run(&x, &p, NULL, &r))
                goto out_tmp;
            char s2[512];
            perturb_format(&p, s2, sizeof s2);
            bool same = r.verdict == ref.verdict && r.sig_hash == ref.sig_hash;
            printf("  %-12s  %-4s exit %d  \"%s\"%s\n", s2[0] ? s2 : "none", verdict_name(r.verdict),
                   r.status, r.sig_text, same ? "  <- reproduces" : "");
            if (same) {
                best = m;
                break;
            }
        }
    struct perturb_cfg minp;
    subset(&full, best, &minp);
    char min_spec[512], kept[4400];
    perturb_format(&minp, min_spec, sizeof min_spec);
    printf("smallest set that still fails: %s", min_spec[0] ? min_spec : "none (the seed alone)");
    if (best) {
        printf("  (");
        bool any = false;
        for (int k = 0; k < 4; k++)
            if (best >> k & 1) {
                printf("%s%s", any ? ", " : "", kind_names[k]);
                any = true;
            }
        printf(" needed)");
    }
    printf("\n");
    if (best) {
        printf("within the kinds (halving, then bisecting, each value verified by a run):\n");
        if (!shrink_within(&x, &minp, best, &ref))
            goto out_tmp;
        perturb_format(&minp, min_spec, sizeof min_spec);
        printf("smallest within the kinds that still fails: %s\n", min_spec);
    }
    snprintf(kept, sizeof kept, "%s/minimized-seed-%" PRIu64 ".hvt", keep, x.h->seed);
    snprintf(plain, sizeof plain, "%s/unperturbed-seed-%" PRIu64 ".hvt", keep, x.h->seed);
    struct seed_result r1, r0;
    if (!min_run(&x, &minp, kept, &r1) || !min_run(&x, NULL, plain, &r0))
        goto out_tmp;
    printf("kept: %s   (hvsim replay %s)\n      %s (the same seed, no perturbations)\n",
           kept, kept, plain);
    if (best) {
        /* where it departs from the unperturbed schedule, in the timeline's words */
        printf("where the failing run departs from the same seed without perturbations "
               "(hvsim trace diff):\n");
        char log[4200];
        snprintf(log, sizeof log, "%s/diff.log", x.tmp);
        char *argv[] = { "hvsim", "trace", "diff", plain, kept, "--ignore", "check", "--context", "2", NULL };
        run_child(argv, log);
        size_t dl;
        char *d = slurp(log, &dl);
        if (d)
            fwrite(d, 1, dl, stdout);
        free(d);
        unlink(log);
        print_ordering(plain, kept, cpu_hz);
        print_ipi_ordering(plain, kept, cpu_hz);
    }
    rc = 1;
out_tmp:
    unlink(x.cfg_path);
    rmdir(x.tmp);
out:
    if (fail_on)
        regfree(&fre);
    if (expect)
        regfree(&ere);
    trace_reader_close(tr);
    return rc;
}
