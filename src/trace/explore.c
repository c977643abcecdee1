/* hvsim explore --seeds A..B [OPTIONS] -- RUN-OPTIONS
 * hvsim explore --merge A.json B.json... [--json OUT] [--junit OUT]
 *
 * Schedule exploration: runs `hvsim run RUN-OPTIONS --sched-seed S --serial
 * file:TMP --trace TMP.hvt` once per seed S as a child process (this same
 * executable, at most --jobs at a time, stdin from /dev/null), judges every
 * run (src/trace/outcome.c: verdict from the exit status, --fail-on,
 * --expect; console signature with numbers masked) and prints one table row
 * per distinct (verdict, exit status, signature), in the order of each
 * row's first seed, so the output does not depend on --jobs or on host
 * scheduling. The trace of every seed that did not pass is kept as
 * DIR/seed-S.hvt for `hvsim replay`; the rest are deleted. --json/--junit
 * write the results; --merge reads --json files of several shards back.
 *
 * --shard I/N takes the seeds s with (s - A) % N == I - 1, so N machines
 * (a Slurm array, GNU parallel) can split one range. --guided picks each
 * run's --stall/--skew/--ipi-latency (src/trace/guided.c), steered by the
 * interleaving coverage; --random-perturb is its unsteered baseline.
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
#include "outcome.h"
#include "guided.h"
#include <regex.h>

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
    const char *fail_on, *expect; /* --fail-on, --expect: extended regular expressions */
    enum sig_mode sig;        /* --signature */
    const char *json, *junit; /* --json FILE, --junit FILE */
    char **merge;             /* --merge FILE...: no runs, combine --json results */
    int nmerge;
    const char *minimize;     /* --minimize FILE.hvt */
    bool guided;              /* --guided: perturbations chosen per run (guided.h) */
    bool random_perturb;      /* --random-perturb: drawn fresh per run, no steering */
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
    regex_t fail_on_re, expect_re;
    struct outcome_rules rules;
    /* interleaving coverage: the distinct cross-CPU successions seen (keys
     * of cover_key), a set kept sorted */
    uint32_t *cover;
    size_t ncover, capcover;
    bool host_error;          /* a run or a file operation failed on the host side */
    /* --guided: each run's perturbations; coverage is counted per batch in
     * seed order (not as runs finish), so the corpus is deterministic */
    struct guided guide;
    struct guided_cfg *gcfg;
    bool defer_cover;
    size_t first_fail_run;    /* 1-based run number of the first failure, 0: none */
    /* the firmware (the trace header's "bios" image) of the lowest seed
     * with a trace, for the summary line: failures may be the firmware's */
    size_t fw_idx;            /* index + 1 of that seed; 0: none seen yet */
    bool fw_none;             /* its header has no bios image */
    char fw_path[512], fw_sha256[65];
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
    fputs("Usage: hvsim explore --seeds A..B [OPTIONS] -- RUN-OPTIONS\n"
          "       hvsim explore --merge A.json B.json... [--json OUT] [--junit OUT]\n"
          "Runs `hvsim run RUN-OPTIONS --sched-seed S` for every seed S in A..B (each a\n"
          "different, repeatable interleaving; RUN-OPTIONS may add perturbations such as\n"
          "--ipi-latency, --stall, --skew, --strategy) and prints the distinct outcomes:\n"
          "verdict, exit status, console signature, a trace hash, how many seeds and\n"
          "which. Traces of seeds that did not pass are kept in DIR (default\n"
          "./explore-traces) as seed-S.hvt for `hvsim replay`.\n"
          "  --jobs N          runs at a time (default: the number of online CPUs)\n"
          "  --shard I/N       only the seeds S with (S - A) % N == I - 1 (1 <= I <= N)\n"
          "  --keep DIR        where failing traces go\n"
          "  --fail-on REGEX   console output matching REGEX (POSIX extended) fails a seed\n"
          "  --expect REGEX    console output not matching REGEX fails a seed\n"
          "  --signature masked|raw|none  how console output splits outcome rows\n"
          "                    (default masked: numbers and hex addresses masked)\n"
          "  --json FILE       machine-readable results (one line per seed)\n"
          "  --junit FILE      JUnit XML (one testcase per seed)\n"
          "  --merge FILE...   combine the --json results of several shards (no runs)\n"
          "  --guided          choose --stall/--skew/--ipi-latency per run, steering toward\n"
          "                    perturbations that showed new cross-CPU successions\n"
          "  --random-perturb  the same per-run choice without steering (the baseline\n"
          "                    --guided is measured against)\n"
          "  --minimize FILE.hvt  the smallest set of the trace's perturbations that still\n"
          "                    fails (judged with --fail-on/--expect), kept in DIR\n"
          "Verdicts: pass; fail (exit status 1 or a signal, --fail-on matched,\n"
          "--expect missing); hang (--max-insns reached, exit 3).\n"
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
        if (strcmp(a, "--guided") == 0 || strcmp(a, "--random-perturb") == 0) {
            o->guided = true;
            o->random_perturb |= a[2] == 'r';
            continue;
        }
        if (strcmp(a, "--merge") == 0) {
            o->merge = argv + i + 1;
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
                i++;
                o->nmerge++;
            }
            if (!o->nmerge)
                return explore_error("--merge: missing FILE.json");
            continue;
        }
        static const char *const opts[] = { "--seeds", "--jobs", "--shard", "--keep",
                                            "--fail-on", "--expect", "--signature",
                                            "--json", "--junit", "--minimize" };
        size_t nopts = sizeof opts / sizeof opts[0];
        const char *v;
        size_t which = tool_opt_value(argc, argv, &i, opts, nopts, &v);
        if (which == nopts) {
            if (a[0] == '-')
                return explore_error("unknown option '%s' (RUN-OPTIONS go after --)", a);
            return explore_error("unexpected argument '%s' (RUN-OPTIONS go after --)", a);
        }
        const char *opt = opts[which];
        if (!v)
            return explore_error("%s: missing value", opt);
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
        } else if (strcmp(opt, "--fail-on") == 0 || strcmp(opt, "--expect") == 0) {
            if (!*v)
                return explore_error("%s: empty regular expression", opt);
            *(opt[2] == 'f' ? &o->fail_on : &o->expect) = v;
        } else if (strcmp(opt, "--signature") == 0) {
            if (strcmp(v, "masked") == 0)
                o->sig = SIG_MASKED;
            else if (strcmp(v, "raw") == 0)
                o->sig = SIG_RAW;
            else if (strcmp(v, "none") == 0)
                o->sig = SIG_NONE;
            else
                return explore_error("--signature: '%s' is not masked, raw or none", v);
        } else if (strcmp(opt, "--minimize") == 0) {
            if (!*v)
                return explore_error("--minimize: empty file name");
            o->minimize = v;
        } else if (strcmp(opt, "--json") == 0 || strcmp(opt, "--junit") == 0) {
            if (!*v)
                return explore_error("%s: empty file name", opt);
            *(opt[3] == 's' ? &o->json : &o->junit) = v;
        } else {
            if (!*v)
                return explore_error("--keep: empty directory name");
            o->keep = v;
        }
    }
    if (o->minimize) {
        if (o->has_seeds || o->nmerge || i < argc)
            return explore_error("--minimize FILE.hvt takes no --seeds, --merge or RUN-OPTIONS "
                                 "(the trace header has them)");
        return -1;
    }
    if (o->nmerge) {
        if (o->has_seeds || i < argc)
            return explore_error("--merge combines --json files: no --seeds, no RUN-OPTIONS");
        return -1;
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
        static const char *const pert[] = { "--stall", "--skew", "--ipi-latency" };
        for (size_t j = 0; o->guided && j < sizeof pert / sizeof pert[0]; j++) {
            size_t n = strlen(pert[j]);
            if (strncmp(o->run_argv[k], pert[j], n) == 0 &&
                (o->run_argv[k][n] == 0 || o->run_argv[k][n] == '='))
                return explore_error("--guided/--random-perturb choose %s: RUN-OPTIONS must not "
                                     "contain it", pert[j]);
        }
    }
    if (o->guided && o->shard_n > 1)
        return explore_error("--guided does not split into --shard (each shard would steer alone)");
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
    char **argv = calloc((size_t)x->o.run_argc + 16, sizeof *argv);
    argv[n++] = "hvsim";
    argv[n++] = "run";
    for (int i = 0; i < x->o.run_argc; i++)
        argv[n++] = x->o.run_argv[i];
    char gbuf[3][48];
    const char *gargv[6];
    int gn = x->gcfg ? guided_args(&x->gcfg[idx], gbuf, gargv) : 0;
    for (int i = 0; i < gn; i++)
        argv[n++] = (char *)gargv[i];
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

/* Interleaving coverage (docs/explore.md): in the order the scheduler ran
 * them, an event of an ipi/irq/vm/wfi/timer.fire kind on CPU y right after
 * one on CPU x != y is a cross-CPU succession (x, kind -> y, kind). The
 * distinct successions of each CPU pair over all seeds is its coverage. */
static bool cover_kind(unsigned k)
{
    return k == TK_IPI_SEND || k == TK_IPI_DELIVER || k == TK_IRQ_TAKE || k == TK_VM_EXIT ||
           k == TK_VM_ENTRY || k == TK_WFI_SLEEP || k == TK_WFI_WAKE || k == TK_TIMER_FIRE;
}

static uint32_t cover_key(unsigned x, unsigned kx, unsigned y, unsigned ky)
{
    unsigned a = x < y ? x : y, b = x < y ? y : x;
    return (uint32_t)((a * 64 + b) << 11 | (x > y) << 10 | (kx & 31) << 5 | (ky & 31));
}

static void cover_add(struct explore *x, uint32_t key)
{
    size_t lo = 0, hi = x->ncover;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->cover[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->ncover && x->cover[lo] == key)
        return;
    if (x->ncover == x->capcover) {
        x->capcover = x->capcover ? 2 * x->capcover : 256;
        x->cover = realloc(x->cover, x->capcover * sizeof *x->cover);
    }
    memmove(x->cover + lo + 1, x->cover + lo, (x->ncover - lo) * sizeof *x->cover);
    x->cover[lo] = key;
    x->ncover++;
}

/* One line per CPU pair with successions: "cpu0-cpu1 7". */
static void print_coverage(const struct explore *x)
{
    if (!x->ncover) {
        printf("interleaving coverage: no cross-CPU successions of ipi/irq/vm/wfi/timer events\n");
        return;
    }
    printf("interleaving coverage (distinct cross-CPU successions of ipi/irq/vm/wfi/timer events):");
    for (size_t i = 0; i < x->ncover;) {
        uint32_t pair = x->cover[i] >> 11;
        size_t j = i;
        while (j < x->ncover && x->cover[j] >> 11 == pair)
            j++;
        printf(" cpu%u-cpu%u %zu", pair / 64, pair % 64, j - i);
        i = j;
    }
    printf("\n");
}

/* XXH3 of the decoded event stream (kind, cpu, time, arguments; check
 * records by their state hash, not their blob): independent of the header,
 * which names the seed and the temporary files. false if unreadable. */
static bool hash_trace(struct explore *x, const char *path, uint64_t *h)
{
    unsigned prev_cpu = UINT32_MAX, prev_kind = 0;
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
        for (unsigned i = 0; i < trace_kinds[ev.kind].nargs + ev.nopt; i++)
            n += put_le(rec + n, ev.a[i], 8);
        XXH3_64bits_update(st, rec, n);
        if (!x->defer_cover && cover_kind(ev.kind) && ev.cpu < 64) {
            if (prev_cpu != UINT32_MAX && prev_cpu != ev.cpu)
                cover_add(x, cover_key(prev_cpu, prev_kind, ev.cpu, ev.kind));
            prev_cpu = ev.cpu;
            prev_kind = ev.kind;
        }
    }
    trace_reader_close(r);
    *h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return rc == 0;
}

/* Notes the firmware image a run's trace header records (role "bios"),
 * keeping the lowest seed's so the summary does not depend on --jobs. */
static void note_firmware(struct explore *x, size_t idx, const char *path)
{
    if (x->fw_idx && x->fw_idx <= idx + 1)
        return;
    char err[512];
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    if (!r)
        return;
    const struct trace_header *h = trace_reader_header(r);
    x->fw_idx = idx + 1;
    x->fw_none = true;
    for (int i = 0; i < h->nimages; i++)
        if (strcmp(h->images[i].role, "bios") == 0) {
            snprintf(x->fw_path, sizeof x->fw_path, "%s", h->images[i].path);
            snprintf(x->fw_sha256, sizeof x->fw_sha256, "%s", h->images[i].sha256);
            x->fw_none = false;
        }
    trace_reader_close(r);
}

/* "firmware: PATH (sha256 ...)": which firmware the runs booted, since a
 * failure may be a race in the firmware rather than in the code under test
 * (docs/explore.md "Firmware races"). */
static void print_firmware(const struct explore *x)
{
    if (!x->fw_idx)
        return;
    bool own = false;
    for (int i = 0; i < x->o.run_argc; i++)
        own |= strncmp(x->o.run_argv[i], "--bios", 6) == 0 &&
               (x->o.run_argv[i][6] == 0 || x->o.run_argv[i][6] == '=');
    if (x->fw_none)
        printf("firmware: none%s\n", own ? " (--bios none)" : "");
    else
        printf("firmware: %s (sha256 %.16s...%s)\n", x->fw_path, x->fw_sha256,
               own ? ", from --bios" : ", the board's default; --bios FILE boots another");
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

/* The console output of a run (at most EXPLORE_MAX_CONSOLE bytes: its
 * end, where a failure shows), malloc'ed; NULL if there is none. */
#define EXPLORE_MAX_CONSOLE (4u << 20)
static char *read_console(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size > (long)EXPLORE_MAX_CONSOLE)
            fseek(f, size - (long)EXPLORE_MAX_CONSOLE, SEEK_SET);
        else
            fseek(f, 0, SEEK_SET);
    }
    char *buf = malloc(EXPLORE_MAX_CONSOLE);
    *len = fread(buf, 1, EXPLORE_MAX_CONSOLE, f);
    fclose(f);
    return buf;
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
    r->has_trace = hash_trace(x, hvt, &r->trace_hash);
    if (r->has_trace)
        note_firmware(x, idx, hvt);
    size_t clen = 0;
    char *console = read_console(out, &clen);
    outcome_judge(r, &x->rules, console ? console : "", clen);
    free(console);
    if (r->verdict != VERDICT_PASS && r->status != 2 && access(hvt, F_OK) == 0) {
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
        r->trace_kept = ok;
    }
    unlink(out);
    if (!x->defer_cover)
        unlink(hvt); /* (--guided: after its coverage is counted) */
    unlink(log);
}

/* Runs every seed, --jobs at a time. Stops starting new runs after a host
 * error. */
static void run_range(struct explore *x, size_t next, size_t end)
{
    size_t running = 0;
    while (next < end || running) {
        while (!x->host_error && next < end && running < x->o.jobs) {
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

static void run_all(struct explore *x)
{
    run_range(x, 0, x->nseeds);
}

/* The successions of one trace that no earlier run had (added to the
 * coverage); -1 if it cannot be read. */
static long cover_trace(struct explore *x, const char *path)
{
    unsigned prev_cpu = UINT32_MAX, prev_kind = 0;
    char err[512];
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    if (!r)
        return -1;
    size_t before = x->ncover;
    struct trace_event ev;
    while (trace_reader_next(r, &ev, err, sizeof err) == 1)
        if (cover_kind(ev.kind) && ev.cpu < 64) {
            if (prev_cpu != UINT32_MAX && prev_cpu != ev.cpu)
                cover_add(x, cover_key(prev_cpu, prev_kind, ev.cpu, ev.kind));
            prev_cpu = ev.cpu;
            prev_kind = ev.kind;
        }
    trace_reader_close(r);
    return (long)(x->ncover - before);
}

/* --guided: batches of GUIDED_BATCH seeds; before a batch each run gets
 * its perturbations from the guide; after it, in seed order, a run whose
 * trace showed new successions puts its perturbations into the corpus. */
static void run_guided(struct explore *x)
{
    guided_init(&x->guide, x->o.first);
    x->gcfg = calloc(x->nseeds ? x->nseeds : 1, sizeof *x->gcfg);
    x->defer_cover = true;
    for (size_t b = 0; b < x->nseeds && !x->host_error; b += GUIDED_BATCH) {
        size_t end = b + GUIDED_BATCH < x->nseeds ? b + GUIDED_BATCH : x->nseeds;
        for (size_t i = b; i < end; i++)
            x->gcfg[i] = guided_next(&x->guide);
        run_range(x, b, end);
        for (size_t i = b; i < end; i++) {
            struct seed_result *r = &x->res[i];
            char path[4200];
            if (r->trace_kept)
                snprintf(path, sizeof path, "%s/seed-%" PRIu64 ".hvt", x->o.keep, r->seed);
            else
                tmp_path(x, r->seed, "hvt", path, sizeof path);
            if (cover_trace(x, path) > 0 && !x->o.random_perturb)
                guided_keep(&x->guide, &x->gcfg[i]);
            if (!r->trace_kept)
                unlink(path);
            if (r->verdict != VERDICT_PASS && !x->first_fail_run)
                x->first_fail_run = i + 1;
        }
    }
}

/* After the table: the guide's work and each failing seed's perturbations
 * (the kept trace's header has them too: replay needs no option). */
static void print_guided(const struct explore *x)
{
    size_t nfail = 0;
    for (size_t i = 0; i < x->nseeds; i++)
        nfail += x->res[i].verdict != VERDICT_PASS;
    printf("%s: %zu runs in batches of %d, corpus %zu; ",
           x->o.random_perturb ? "random-perturb" : "guided", x->nseeds, GUIDED_BATCH,
           x->guide.ncorpus);
    if (x->first_fail_run)
        printf("first failure at run %zu (seed %" PRIu64 "), %zu failing runs\n",
               x->first_fail_run, x->res[x->first_fail_run - 1].seed, nfail);
    else
        printf("no failure\n");
    size_t shown = 0;
    for (size_t i = 0; i < x->nseeds && shown < 8; i++) {
        if (x->res[i].verdict == VERDICT_PASS)
            continue;
        char f[160];
        guided_format(&x->gcfg[i], f, sizeof f);
        printf("  seed %" PRIu64 ": %s\n", x->res[i].seed, f);
        shown++;
    }
}

/* --json and --junit, when asked for. false after a host error (reported). */
static bool write_results(const struct explore_opts *o, const struct seed_result *res, size_t n)
{
    char err[4400];
    if (o->json && !outcome_write_json(o->json, res, n, (const char *const *)o->run_argv,
                                       o->run_argc, o->keep, err, sizeof err)) {
        explore_error("%s", err);
        return false;
    }
    if (o->junit && !outcome_write_junit(o->junit, res, n, o->keep, err, sizeof err)) {
        explore_error("%s", err);
        return false;
    }
    return true;
}

static int cmp_seed(const void *pa, const void *pb)
{
    const struct seed_result *a = pa, *b = pb;
    return a->seed < b->seed ? -1 : a->seed > b->seed;
}

/* hvsim explore --merge A.json B.json ...: one table for several shards. */
static int merge_main(struct explore_opts *o)
{
    struct seed_result *res = NULL;
    size_t n = 0;
    char keep[4096] = "", err[4400];
    for (int i = 0; i < o->nmerge; i++)
        if (!outcome_read_json(o->merge[i], &res, &n, keep, sizeof keep, err, sizeof err)) {
            free(res);
            return explore_error("%s", err);
        }
    qsort(res, n, sizeof *res, cmp_seed);
    for (size_t i = 1; i < n; i++)
        if (res[i].seed == res[i - 1].seed) {
            uint64_t s = res[i].seed;
            free(res);
            return explore_error("--merge: seed %" PRIu64 " appears twice (overlapping shards?)",
                                 s);
        }
    if (!o->keep)
        o->keep = keep[0] ? keep : "explore-traces";
    unsigned rows = outcome_group(res, n);
    char title[160];
    snprintf(title, sizeof title, "explore: merged %d result file%s", o->nmerge,
             o->nmerge == 1 ? "" : "s");
    size_t failed = outcome_print_table(res, n, rows, title, o->keep);
    int rc = write_results(o, res, n) ? (failed ? 1 : 0) : 2;
    free(res);
    return rc;
}

int explore_main(int argc, char **argv)
{
    struct explore x = { .o = { .shard_i = 1, .shard_n = 1, .keep = "explore-traces" } };
    int rc = explore_parse_args(argc, argv, &x.o);
    if (rc >= 0)
        return rc;
    if (x.o.minimize)
        return explore_minimize(x.o.minimize, x.o.fail_on, x.o.expect, x.o.keep);
    if (x.o.nmerge) {
        x.o.keep = NULL; /* the files name theirs */
        for (int i = 1; i < argc; i++)
            if (strncmp(argv[i], "--keep", 6) == 0)
                x.o.keep = argv[i][6] == '=' ? argv[i] + 7 : argv[i + 1];
        return merge_main(&x.o);
    }
    x.rules = (struct outcome_rules){ .sig = x.o.sig, .fail_on_src = x.o.fail_on,
                                      .expect_src = x.o.expect };
    const char *const res_src[2] = { x.o.fail_on, x.o.expect };
    regex_t *const res_re[2] = { &x.fail_on_re, &x.expect_re };
    for (int i = 0; i < 2; i++) {
        if (!res_src[i])
            continue;
        int e = regcomp(res_re[i], res_src[i], REG_EXTENDED | REG_NEWLINE);
        if (e) {
            char msg[256];
            regerror(e, res_re[i], msg, sizeof msg);
            if (i == 1 && x.rules.fail_on)
                regfree(&x.fail_on_re);
            return explore_error("%s: '%s' is not a regular expression: %s",
                                 i ? "--expect" : "--fail-on", res_src[i], msg);
        }
        *(i ? &x.rules.expect : &x.rules.fail_on) = res_re[i];
    }
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
    if (x.o.guided)
        run_guided(&x);
    else
        run_all(&x);
    rmdir(x.tmpdir);
    if (x.host_error) {
        rc = 2;
    } else {
        unsigned rows = outcome_group(x.res, x.nseeds);
        char title[160];
        int tn = snprintf(title, sizeof title, "explore: seeds %" PRIu64 "..%" PRIu64,
                          x.o.first, x.o.last);
        if (x.o.shard_n > 1)
            snprintf(title + tn, sizeof title - (size_t)tn, " (shard %" PRIu64 "/%" PRIu64 ")",
                     x.o.shard_i, x.o.shard_n);
        size_t failed = outcome_print_table(x.res, x.nseeds, rows, title, x.o.keep);
        print_firmware(&x);
        print_coverage(&x);
        if (x.o.guided)
            print_guided(&x);
        rc = write_results(&x.o, x.res, x.nseeds) ? (failed ? 1 : 0) : 2;
    }
    if (x.rules.fail_on)
        regfree(&x.fail_on_re);
    if (x.rules.expect)
        regfree(&x.expect_re);
    free(x.res);
    free(x.jobs);
    free(x.cover);
    free(x.gcfg);
    return rc;
}
