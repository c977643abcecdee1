/* Outcomes of `hvsim explore` runs (docs/explore.md "Outcomes"): the
 * verdict of one seed (exit status, --fail-on, --expect, hang), the console
 * signature (the output with numbers and addresses masked), the grouping of
 * seeds into outcome rows, and the machine-readable results (--json, --junit)
 * that `hvsim explore --merge` reads back. */
#ifndef HVSIM_OUTCOME_H
#define HVSIM_OUTCOME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_HANG };

/* How the console output becomes a signature (--signature). */
enum sig_mode {
    SIG_MASKED,   /* numbers and hex addresses masked (default) */
    SIG_RAW,      /* the output as it is */
    SIG_NONE,     /* ignored: rows only by verdict and exit status */
};

#define OUTCOME_REASON_MAX 200
#define OUTCOME_SIGTEXT_MAX 72

/* The outcome of one seed. */
struct seed_result {
    uint64_t seed;
    int status;               /* exit status, or -signal */
    enum verdict verdict;
    char reason[OUTCOME_REASON_MAX];     /* why it did not pass ("" for a pass) */
    bool has_console, has_trace;
    uint64_t console_hash, trace_hash;   /* raw console bytes; decoded events */
    uint64_t sig_hash;                   /* the signature under sig_mode */
    char sig_text[OUTCOME_SIGTEXT_MAX];  /* its last non-empty line (or the --fail-on line) */
    bool trace_kept;
    unsigned outcome;         /* 1-based outcome row */
};

/* Judges one run: status, console bytes (len may be 0), the compiled
 * --fail-on / --expect patterns (NULL: not given). Fills verdict, reason,
 * sig_hash and sig_text. */
struct outcome_rules {
    const void *fail_on, *expect;   /* regex_t * */
    const char *fail_on_src, *expect_src;
    enum sig_mode sig;
};
void outcome_judge(struct seed_result *r, const struct outcome_rules *rules, const char *console,
                   size_t len);

/* The console with numbers masked: decimal runs become "#", 0x-prefixed hex
 * and bare hex words of 8+ digits become "0x#"/"#". Returns a malloc'ed
 * NUL-terminated string. */
char *outcome_mask(const char *text, size_t len);

const char *verdict_name(enum verdict v);
bool verdict_parse(const char *s, enum verdict *v);

/* Numbers the outcome rows 1.. in the order of their first seed; results
 * must be in seed order. Returns the number of rows. */
unsigned outcome_group(struct seed_result *res, size_t n);

/* The table (stdout), as docs/explore.md shows it. title: the first line.
 * Returns the number of seeds that did not pass. */
size_t outcome_print_table(const struct seed_result *res, size_t n, unsigned rows,
                           const char *title, const char *keep_dir);

/* --json FILE: one result object per line (explore --merge reads them
 * back). run_args: the RUN-OPTIONS, for the record. */
bool outcome_write_json(const char *path, const struct seed_result *res, size_t n,
                        const char *const *run_args, int nrun, const char *keep_dir,
                        char *err, size_t errlen);
/* --junit FILE: one <testcase> per seed, <failure> for the ones that did not pass. */
bool outcome_write_junit(const char *path, const struct seed_result *res, size_t n,
                         const char *keep_dir, char *err, size_t errlen);
/* Appends the results of a --json file to *res (realloc'ed). The keep
 * directory it names goes to keep (first file's, if keep[0] is 0). */
bool outcome_read_json(const char *path, struct seed_result **res, size_t *n, char *keep,
                       size_t keeplen, char *err, size_t errlen);

#endif
