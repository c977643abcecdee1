/* hvsim explore --seeds A..B [--jobs N] [--shard I/N] [--keep DIR] -- RUN-OPTIONS
 *
 * Schedule exploration: runs `hvsim run RUN-OPTIONS --sched-seed S --serial
 * file:TMP --trace TMP.hvt` once per seed S as a child process (this same
 * executable, at most --jobs at a time, stdin from /dev/null), classifies
 * every run by (exit status, hash of its console output, hash of its decoded
 * event stream) and prints one table row per distinct outcome, in the order
 * of each outcome's first seed, so the output does not depend on --jobs or
 * on host scheduling. The trace of every seed that did not pass (exit != 0)
 * is kept as DIR/seed-S.hvt for `hvsim replay`; the rest are deleted.
 *
 * --shard I/N takes the seeds s with (s - A) % N == I - 1, so N machines
 * (a Slurm array, GNU parallel) can split one range.
 *
 * Exit status: 0 every seed passed, 1 some seed did not, 2 usage or host
 * error (including a run that itself failed with a host error). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>
#include "tools.h"
#include "trace.h"

#define EXPLORE_MAX_SEEDS 1000000u
#define EXPLORE_MAX_JOBS 1024u
#define EXPLORE_SELF "/proc/self/exe"

struct explore_opts {
    uint64_t first, last;     /* --seeds A..B (inclusive) */
    bool has_seeds;
    unsigned jobs;
    uint64_t shard_i, shard_n; /* 1-based I of N */
    const char *keep;
    char **run_argv;          /* RUN-OPTIONS */
    int run_argc;
};

/* The outcome of one seed. */
struct seed_result {
    uint64_t seed;
    int status;               /* exit status, or -signal */
    bool has_console, has_trace;
    uint64_t console_hash, trace_hash;
    unsigned outcome;         /* 1-based outcome number */
};

/* A running child. */
struct explore_job {
    pid_t pid;                /* 0: free */
    size_t idx;               /* into the results */
};

struct explore {
    struct explore_opts o;
    char tmpdir[4096];
    struct seed_result *res;
    size_t nseeds;
    struct explore_job *jobs;
    bool keep_dir_made;
    bool host_error;          /* a run or a file operation failed on the host side */
};

static int explore_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One message naming the bad option or file; status 2. */
static int explore_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hvsim: explore: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    return 2;
}

static void explore_usage(FILE *f)
{
    fputs("Usage: hvsim explore --seeds A..B [--jobs N] [--shard I/N] [--keep DIR] -- RUN-OPTIONS\n"
          "Runs `hvsim run RUN-OPTIONS --sched-seed S` for every seed S in A..B (each a\n"
          "different, repeatable interleaving) and prints the distinct outcomes: exit\n"
          "status, hash of the console output, hash of the recorded events, how many\n"
          "seeds and which. Traces of seeds that did not pass are kept in DIR (default\n"
          "./explore-traces) as seed-S.hvt for `hvsim replay`.\n"
          "  --jobs N     runs at a time (default: the number of online CPUs)\n"
          "  --shard I/N  only the seeds S with (S - A) % N == I - 1 (1 <= I <= N)\n"
          "RUN-OPTIONS must not contain --sched-seed, --serial or --trace: explore sets them.\n"
          "Exit 0: every seed passed; 1: some seed did not; 2: usage or host error.\n",
          f);
}

static bool parse_u64(const char *s, uint64_t *v)
{
    if (!*s || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *v = x;
    return true;
}

/* "A..B" or "A". */
static bool parse_seeds(const char *s, uint64_t *a, uint64_t *b)
{
    const char *dots = strstr(s, "..");
    if (!dots)
        return parse_u64(s, a) && (*b = *a, true);
    char first[32];
    size_t n = (size_t)(dots - s);
    if (n == 0 || n >= sizeof first)
        return false;
    memcpy(first, s, n);
    first[n] = 0;
    return parse_u64(first, a) && parse_u64(dots + 2, b) && *a <= *b;
}

/* "I/N" with 1 <= I <= N. */
static bool parse_shard(const char *s, uint64_t *i, uint64_t *n)
{
    const char *slash = strchr(s, '/');
    char first[32];
    if (!slash || slash == s || (size_t)(slash - s) >= sizeof first)
        return false;
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = 0;
    return parse_u64(first, i) && parse_u64(slash + 1, n) && *n >= 1 && *i >= 1 && *i <= *n;
}

/* The options explore sets itself, and whether arg names one of them (in
 * full, with =VALUE, or as an unambiguous getopt_long abbreviation). */
static const char *forbidden_option(const char *arg)
{
    static const char *const names[] = { "sched-seed", "serial", "trace" };
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    if (n < 2) /* "--s" is ambiguous (smp, sched-seed, serial): run rejects it */
        return NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (n <= strlen(names[i]) && strncmp(name, names[i], n) == 0)
            return names[i];
    return NULL;
}

/* Returns -1 to go on, else an exit status. */
static int explore_parse_args(int argc, char **argv, struct explore_opts *o)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            explore_usage(stdout);
            return 0;
        }
        static const char *const opts[] = { "--seeds", "--jobs", "--shard", "--keep" };
        const char *opt = NULL, *v = NULL;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            size_t n = strlen(opts[k]);
            if (strncmp(a, opts[k], n) == 0 && (a[n] == 0 || a[n] == '=')) {
                opt = opts[k];
                v = a[n] == '=' ? a + n + 1 : NULL;
            }
        }
        if (!opt) {
            if (a[0] == '-')
                return explore_error("unknown option '%s' (RUN-OPTIONS go after --)", a);
            return explore_error("unexpected argument '%s' (RUN-OPTIONS go after --)", a);
        }
        if (!v) {
            if (i + 1 >= argc)
                return explore_error("%s: missing value", opt);
            v = argv[++i];
        }
        if (strcmp(opt, "--seeds") == 0) {
            if (!parse_seeds(v, &o->first, &o->last))
                return explore_error("--seeds: '%s' is not a range A..B of seeds (A <= B)", v);
            o->has_seeds = true;
        } else if (strcmp(opt, "--jobs") == 0) {
            uint64_t n;
            if (!parse_u64(v, &n) || n < 1 || n > EXPLORE_MAX_JOBS)
                return explore_error("--jobs: '%s' is not a number (1..%u)", v, EXPLORE_MAX_JOBS);
            o->jobs = (unsigned)n;
        } else if (strcmp(opt, "--shard") == 0) {
            if (!parse_shard(v, &o->shard_i, &o->shard_n))
                return explore_error("--shard: '%s' is not I/N with 1 <= I <= N", v);
        } else {
            if (!*v)
                return explore_error("--keep: empty directory name");
            o->keep = v;
        }
    }
    if (!o->has_seeds)
        return explore_error("missing --seeds A..B (try 'hvsim explore --help')");
    if (i >= argc)
        return explore_error("missing '-- RUN-OPTIONS' (the options of hvsim run, after --)");
    o->run_argv = argv + i + 1;
    o->run_argc = argc - i - 1;
    for (int k = 0; k < o->run_argc; k++) {
        const char *name = forbidden_option(o->run_argv[k]);
        if (name)
            return explore_error("RUN-OPTIONS must not contain --%s%s%s%s: explore sets "
                                 "--sched-seed, --serial and --trace for every seed", name,
                                 strcmp(o->run_argv[k] + 2, name) ? " ('" : "",
                                 strcmp(o->run_argv[k] + 2, name) ? o->run_argv[k] : "",
                                 strcmp(o->run_argv[k] + 2, name) ? "')" : "");
    }
    return -1;
}

static void tmp_path(const struct explore *x, uint64_t seed, const char *ext, char *buf,
                     size_t len)
{
    snprintf(buf, len, "%s/seed-%" PRIu64 ".%s", x->tmpdir, seed, ext);
}

/* Starts `hvsim run` for results[idx]; false + message on a host error. */
static bool spawn_run(struct explore *x, size_t idx, pid_t *pid)
{
    uint64_t seed = x->res[idx].seed;
    char seed_s[24], serial[4200], trace[4200], log[4200];
    snprintf(seed_s, sizeof seed_s, "%" PRIu64, seed);
    tmp_path(x, seed, "out", serial + 5, sizeof serial - 5);
    memcpy(serial, "file:", 5);
    tmp_path(x, seed, "hvt", trace, sizeof trace);
    tmp_path(x, seed, "log", log, sizeof log);

    size_t n = 0;
    char **argv = calloc((size_t)x->o.run_argc + 10, sizeof *argv);
    argv[n++] = "hvsim";
    argv[n++] = "run";
    for (int i = 0; i < x->o.run_argc; i++)
        argv[n++] = x->o.run_argv[i];
    char *extra[] = { "--sched-seed", seed_s, "--serial", serial, "--trace", trace };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;

    /* The child reports a failed exec through a close-on-exec pipe. */
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        explore_error("pipe: %s", strerror(errno));
        free(argv);
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t p = fork();
    if (p < 0) {
        explore_error("fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        free(argv);
        return false;
    }
    if (p == 0) {
        close(pfd[0]);
        int in = open("/dev/null", O_RDONLY);
        int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in >= 0 && out >= 0 && dup2(in, 0) == 0 && dup2(out, 1) == 1 && dup2(out, 2) == 2) {
            close(in);
            close(out);
            execv(EXPLORE_SELF, argv);
        }
        int e = errno;
        if (write(pfd[1], &e, sizeof e) < 0) {
            /* nothing more to report */
        }
        _exit(127);
    }
    close(pfd[1]);
    int e = 0;
    ssize_t got;
    do
        got = read(pfd[0], &e, sizeof e);
    while (got < 0 && errno == EINTR);
    close(pfd[0]);
    free(argv);
    if (got > 0) {
        int st;
        while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
        }
        explore_error("cannot start %s run (seed %" PRIu64 "): %s", EXPLORE_SELF, seed,
                      strerror(e));
        return false;
    }
    *pid = p;
    return true;
}

/* XXH3 of a file's bytes; false if it cannot be read. */
static bool hash_file(const char *path, uint64_t *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        XXH3_64bits_update(st, buf, n);
    bool ok = !ferror(f);
    fclose(f);
    *h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return ok;
}

static size_t put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return bytes;
}

/* XXH3 of the decoded event stream (kind, cpu, time, arguments; check
 * records by their state hash, not their blob): independent of the header,
 * which names the seed and the temporary files. false if unreadable. */
static bool hash_trace(const char *path, uint64_t *h)
{
    char err[512];
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    if (!r)
        return false;
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    struct trace_event ev;
    int rc;
    while ((rc = trace_reader_next(r, &ev, err, sizeof err)) == 1) {
        uint8_t rec[2 + 4 + 8 + 8 * TRACE_MAX_ARGS];
        size_t n = put_le(rec, ev.kind, 2);
        n += put_le(rec + n, ev.cpu, 4);
        n += put_le(rec + n, ev.time, 8);
        for (unsigned i = 0; i < trace_kinds[ev.kind].nargs; i++)
            n += put_le(rec + n, ev.a[i], 8);
        XXH3_64bits_update(st, rec, n);
    }
    trace_reader_close(r);
    *h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return rc == 0;
}

static bool mkdir_p(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "--keep %s: name too long", dir);
        return false;
    }
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "--keep %s: cannot create %s: %s", dir, path,
                         strerror(errno));
                return false;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--keep %s: not a directory", dir);
        return false;
    }
    return true;
}

/* rename, or copy + unlink across file systems. */
static bool move_file(const char *from, const char *to, char *err, size_t errlen)
{
    if (rename(from, to) == 0)
        return true;
    if (errno != EXDEV) {
        snprintf(err, errlen, "cannot move %s to %s: %s", from, to, strerror(errno));
        return false;
    }
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    bool ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = false;
    if (!ok) {
        snprintf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
        return false;
    }
    unlink(from);
    return true;
}

/* The first line of a run's log (its error message), for a host error. */
static void first_log_line(const char *log, char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    if (fgets(buf, (int)len, f)) {
        buf[strcspn(buf, "\n")] = 0;
        if (strncmp(buf, "hvsim: ", 7) == 0) /* the run's own prefix */
            memmove(buf, buf + 7, strlen(buf + 7) + 1);
    }
    fclose(f);
}

/* A child ended: record its outcome, keep or delete its files. */
static void finish_run(struct explore *x, size_t idx, int wstatus)
{
    struct seed_result *r = &x->res[idx];
    char out[4200], hvt[4200], log[4200];
    tmp_path(x, r->seed, "out", out, sizeof out);
    tmp_path(x, r->seed, "hvt", hvt, sizeof hvt);
    tmp_path(x, r->seed, "log", log, sizeof log);
    r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);
    if (r->status == 2) {
        char line[512];
        first_log_line(log, line, sizeof line);
        if (!x->host_error)
            explore_error("seed %" PRIu64 ": hvsim run failed with a host error (exit 2): %s",
                          r->seed, line[0] ? line : "(no message)");
        x->host_error = true;
    }
    r->has_console = hash_file(out, &r->console_hash);
    r->has_trace = hash_trace(hvt, &r->trace_hash);
    if (r->status != 0 && r->status != 2 && access(hvt, F_OK) == 0) {
        char err[8600], dst[4200];
        bool ok = x->keep_dir_made || mkdir_p(x->o.keep, err, sizeof err);
        x->keep_dir_made = ok;
        if (ok) {
            snprintf(dst, sizeof dst, "%s/seed-%" PRIu64 ".hvt", x->o.keep, r->seed);
            ok = move_file(hvt, dst, err, sizeof err);
        }
        if (!ok) {
            if (!x->host_error)
                explore_error("%s", err);
            x->host_error = true;
        }
    }
    unlink(out);
    unlink(hvt);
    unlink(log);
}

/* Runs every seed, --jobs at a time. Stops starting new runs after a host
 * error. */
static void run_all(struct explore *x)
{
    size_t next = 0, running = 0;
    while (next < x->nseeds || running) {
        while (!x->host_error && next < x->nseeds && running < x->o.jobs) {
            size_t slot = 0;
            while (x->jobs[slot].pid)
                slot++;
            if (!spawn_run(x, next, &x->jobs[slot].pid)) {
                x->host_error = true;
                break;
            }
            x->jobs[slot].idx = next++;
            running++;
        }
        if (!running)
            break;
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            explore_error("waitpid: %s", strerror(errno));
            x->host_error = true;
            break;
        }
        for (unsigned s = 0; s < x->o.jobs; s++)
            if (x->jobs[s].pid == p) {
                x->jobs[s].pid = 0;
                running--;
                finish_run(x, x->jobs[s].idx, st);
                break;
            }
    }
}

/* qsort order: by outcome key, then seed. */
static int cmp_key(const void *pa, const void *pb)
{
    const struct seed_result *a = *(const struct seed_result *const *)pa;
    const struct seed_result *b = *(const struct seed_result *const *)pb;
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    CMP(status);
    CMP(has_console);
    CMP(console_hash);
    CMP(has_trace);
    CMP(trace_hash);
    CMP(seed);
#undef CMP
    return 0;
}

static bool same_key(const struct seed_result *a, const struct seed_result *b)
{
    return a->status == b->status && a->has_console == b->has_console &&
           a->console_hash == b->console_hash && a->has_trace == b->has_trace &&
           a->trace_hash == b->trace_hash;
}

/* Numbers the distinct outcomes 1.. in the order of their first seed. */
static unsigned number_outcomes(struct explore *x)
{
    size_t n = x->nseeds;
    struct seed_result **by = malloc((n ? n : 1) * sizeof *by);
    size_t *leader = malloc((n ? n : 1) * sizeof *leader);
    for (size_t i = 0; i < n; i++)
        by[i] = &x->res[i];
    qsort(by, n, sizeof *by, cmp_key);
    /* within a group the first entry has the smallest seed: the leader */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && same_key(by[i], by[j]))
            leader[by[j++] - x->res] = (size_t)(by[i] - x->res);
        i = j;
    }
    unsigned count = 0;
    for (size_t i = 0; i < n; i++) /* results are in seed order */
        x->res[i].outcome = leader[i] == i ? ++count : x->res[leader[i]].outcome;
    free(leader);
    free(by);
    return count;
}

/* The seeds of outcome k in seed order, consecutive ones as ranges: "1-4,7". */
static void print_seeds(const struct explore *x, unsigned k)
{
    bool any = false;
    for (size_t i = 0; i < x->nseeds; i++) {
        if (x->res[i].outcome != k)
            continue;
        size_t j = i;
        while (j + 1 < x->nseeds && x->res[j + 1].outcome == k &&
               x->res[j + 1].seed == x->res[j].seed + 1)
            j++;
        printf("%s%" PRIu64, any ? "," : "", x->res[i].seed);
        if (j > i)
            printf("-%" PRIu64, x->res[j].seed);
        any = true;
        i = j;
    }
}

static void format_status(int status, char *buf, size_t len)
{
    if (status < 0)
        snprintf(buf, len, "sig%d", -status);
    else
        snprintf(buf, len, "%d", status);
}

static void format_hash(bool has, uint64_t h, char *buf, size_t len)
{
    if (has)
        snprintf(buf, len, "%016" PRIx64, h);
    else
        snprintf(buf, len, "-");
}

/* The table of distinct outcomes and where the failing traces are.
 * Returns the number of seeds that did not pass. */
static size_t print_report(const struct explore *x, unsigned noutcomes)
{
    const struct explore_opts *o = &x->o;
    printf("explore: seeds %" PRIu64 "..%" PRIu64, o->first, o->last);
    if (o->shard_n > 1)
        printf(" (shard %" PRIu64 "/%" PRIu64 ")", o->shard_i, o->shard_n);
    printf(": %zu run%s, %u distinct outcome%s\n", x->nseeds, x->nseeds == 1 ? "" : "s",
           noutcomes, noutcomes == 1 ? "" : "s");
    printf("%7s  %5s  %-16s  %-16s  %6s  %s\n", "outcome", "exit", "console", "trace", "count",
           "seeds");
    size_t failed = 0;
    for (unsigned k = 1; k <= noutcomes; k++) {
        const struct seed_result *first = NULL;
        size_t count = 0;
        for (size_t i = 0; i < x->nseeds; i++)
            if (x->res[i].outcome == k) {
                first = first ? first : &x->res[i];
                count++;
            }
        char st[16], ch[20], th[20];
        format_status(first->status, st, sizeof st);
        format_hash(first->has_console, first->console_hash, ch, sizeof ch);
        format_hash(first->has_trace, first->trace_hash, th, sizeof th);
        printf("%7u  %5s  %-16s  %-16s  %6zu  ", k, st, ch, th, count);
        print_seeds(x, k);
        printf("\n");
        if (first->status != 0)
            failed += count;
    }
    if (!failed) {
        printf("all %zu seeds passed\n", x->nseeds);
        return 0;
    }
    printf("%zu of %zu seeds did not pass; their traces are kept in %s/, replay with:\n", failed,
           x->nseeds, o->keep);
    for (unsigned k = 1; k <= noutcomes; k++) {
        const struct seed_result *first = NULL;
        size_t count = 0;
        for (size_t i = 0; i < x->nseeds; i++)
            if (x->res[i].outcome == k) {
                first = first ? first : &x->res[i];
                count++;
            }
        if (first->status == 0)
            continue;
        printf("  outcome %u: hvsim replay %s/seed-%" PRIu64 ".hvt", k, o->keep, first->seed);
        if (count > 1)
            printf("   (and %zu more seed-S.hvt of this outcome)", count - 1);
        printf("\n");
    }
    return failed;
}

int explore_main(int argc, char **argv)
{
    struct explore x = { .o = { .shard_i = 1, .shard_n = 1, .keep = "explore-traces" } };
    int rc = explore_parse_args(argc, argv, &x.o);
    if (rc >= 0)
        return rc;
    if (!x.o.jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        x.o.jobs = n < 1 ? 1 : n > (long)EXPLORE_MAX_JOBS ? EXPLORE_MAX_JOBS : (unsigned)n;
    }
    /* The shard's seeds: first + (I-1), then every N-th up to last. */
    uint64_t span = x.o.last - x.o.first, off = x.o.shard_i - 1;
    uint64_t count = off > span ? 0 : (span - off) / x.o.shard_n + 1;
    if (count > EXPLORE_MAX_SEEDS)
        return explore_error("--seeds %" PRIu64 "..%" PRIu64 ": %" PRIu64 " runs, at most %u "
                             "per explore (split the range with --shard)",
                             x.o.first, x.o.last, count, EXPLORE_MAX_SEEDS);
    x.nseeds = (size_t)count;
    x.res = calloc(x.nseeds ? x.nseeds : 1, sizeof *x.res);
    for (size_t i = 0; i < x.nseeds; i++)
        x.res[i].seed = x.o.first + off + (uint64_t)i * x.o.shard_n;
    x.jobs = calloc(x.o.jobs, sizeof *x.jobs);

    const char *tmp = getenv("TMPDIR");
    snprintf(x.tmpdir, sizeof x.tmpdir, "%s/hvsim-explore-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(x.tmpdir)) {
        rc = explore_error("cannot create a temporary directory %s: %s", x.tmpdir,
                           strerror(errno));
        free(x.res);
        free(x.jobs);
        return rc;
    }
    run_all(&x);
    rmdir(x.tmpdir);
    if (x.host_error) {
        rc = 2;
    } else {
        unsigned noutcomes = number_outcomes(&x);
        rc = print_report(&x, noutcomes) ? 1 : 0;
    }
    free(x.res);
    free(x.jobs);
    return rc;
}
