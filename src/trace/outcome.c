/* Outcomes of explore runs: verdicts, console signatures, outcome rows,
 * --json / --junit results and reading them back for --merge
 * (docs/explore.md "Outcomes"). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "outcome.h"

const char *verdict_name(enum verdict v)
{
    return v == VERDICT_PASS ? "pass" : v == VERDICT_HANG ? "hang" : "fail";
}

bool verdict_parse(const char *s, enum verdict *v)
{
    if (strcmp(s, "pass") == 0)
        *v = VERDICT_PASS;
    else if (strcmp(s, "fail") == 0)
        *v = VERDICT_FAIL;
    else if (strcmp(s, "hang") == 0)
        *v = VERDICT_HANG;
    else
        return false;
    return true;
}

static bool is_hex(int c) { return isxdigit((unsigned char)c) != 0; }
static bool is_word(int c) { return isalnum((unsigned char)c) || c == '_'; }

char *outcome_mask(const char *t, size_t len)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        bool boundary = i == 0 || !is_word(t[i - 1]);
        /* 0x1234abcd */
        if (boundary && t[i] == '0' && i + 2 < len && (t[i + 1] == 'x' || t[i + 1] == 'X') &&
            is_hex(t[i + 2])) {
            size_t j = i + 2;
            while (j < len && is_hex(t[j]))
                j++;
            memcpy(out + o, "0x#", 3);
            o += 3;
            i = j;
            continue;
        }
        /* a bare hex word of 8+ digits with a decimal digit in it (addresses) */
        if (boundary && is_hex(t[i])) {
            size_t j = i;
            bool digit = false;
            while (j < len && is_hex(t[j]))
                digit |= isdigit((unsigned char)t[j++]) != 0;
            if (digit && j - i >= 8 && (j == len || !is_word(t[j]))) {
                out[o++] = '#';
                i = j;
                continue;
            }
        }
        if (isdigit((unsigned char)t[i])) {
            while (i < len && isdigit((unsigned char)t[i]))
                i++;
            out[o++] = '#';
            continue;
        }
        out[o++] = t[i] ? t[i] : ' ';
        i++;
    }
    out[o] = 0;
    return out;
}

/* The line of text around offset off (no newline), into buf. */
static void line_at(const char *text, size_t len, size_t off, char *buf, size_t buflen)
{
    size_t a = off, b = off;
    while (a > 0 && text[a - 1] != '\n')
        a--;
    while (b < len && text[b] != '\n')
        b++;
    while (b > a && (text[b - 1] == '\r' || text[b - 1] == ' '))
        b--;
    size_t n = b - a < buflen - 1 ? b - a : buflen - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = isprint((unsigned char)text[a + i]) ? text[a + i] : '.';
    buf[n] = 0;
}

/* The last non-empty line of text. */
static void last_line(const char *text, size_t len, char *buf, size_t buflen)
{
    size_t e = len;
    while (e > 0 && isspace((unsigned char)text[e - 1]))
        e--;
    if (e == 0) {
        snprintf(buf, buflen, "(no output)");
        return;
    }
    line_at(text, len, e - 1, buf, buflen);
}

void outcome_judge(struct seed_result *r, const struct outcome_rules *rules, const char *console,
                   size_t len)
{
    /* regexec needs a NUL-terminated string: NUL bytes become spaces */
    char *text = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        text[i] = console[i] ? console[i] : ' ';
    text[len] = 0;
    char *masked = rules->sig == SIG_RAW ? NULL : outcome_mask(text, len);
    const char *sig = rules->sig == SIG_RAW ? text : masked;
    size_t siglen = strlen(sig);

    r->verdict = VERDICT_PASS;
    r->reason[0] = 0;
    last_line(sig, siglen, r->sig_text, sizeof r->sig_text);
    regmatch_t mt;
    if (r->status == 3) {
        r->verdict = VERDICT_HANG;
        snprintf(r->reason, sizeof r->reason, "hang: the instruction limit was reached (exit 3)");
    } else if (r->status != 0) {
        r->verdict = VERDICT_FAIL;
        if (r->status < 0)
            snprintf(r->reason, sizeof r->reason, "hvsim run died of signal %d", -r->status);
        else
            snprintf(r->reason, sizeof r->reason, "exit status %d", r->status);
    }
    if (rules->fail_on && regexec(rules->fail_on, text, 1, &mt, 0) == 0) {
        char line[120];
        line_at(text, len, (size_t)mt.rm_so, line, sizeof line);
        if (r->verdict == VERDICT_PASS) {
            r->verdict = VERDICT_FAIL;
            snprintf(r->reason, sizeof r->reason, "console matches --fail-on: %s", line);
        }
        /* the matching line names the row better than the last one */
        if (rules->sig != SIG_NONE) {
            char *m = rules->sig == SIG_RAW ? NULL : outcome_mask(line, strlen(line));
            snprintf(r->sig_text, sizeof r->sig_text, "%s", m ? m : line);
            free(m);
        }
    }
    if (rules->expect && regexec(rules->expect, text, 1, &mt, 0) != 0 &&
        r->verdict == VERDICT_PASS) {
        r->verdict = VERDICT_FAIL;
        snprintf(r->reason, sizeof r->reason, "console lacks --expect '%s'", rules->expect_src);
    }
    if (rules->sig == SIG_NONE) {
        r->sig_hash = 0;
        snprintf(r->sig_text, sizeof r->sig_text, "-");
    } else {
        r->sig_hash = XXH3_64bits(sig, siglen);
    }
    free(masked);
    free(text);
}

static int cmp_key(const void *pa, const void *pb)
{
    const struct seed_result *a = *(const struct seed_result *const *)pa;
    const struct seed_result *b = *(const struct seed_result *const *)pb;
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    CMP(verdict);
    CMP(status);
    CMP(sig_hash);
    CMP(seed);
#undef CMP
    return 0;
}

static bool same_key(const struct seed_result *a, const struct seed_result *b)
{
    return a->verdict == b->verdict && a->status == b->status && a->sig_hash == b->sig_hash;
}

unsigned outcome_group(struct seed_result *res, size_t n)
{
    struct seed_result **by = malloc((n ? n : 1) * sizeof *by);
    size_t *leader = malloc((n ? n : 1) * sizeof *leader);
    for (size_t i = 0; i < n; i++)
        by[i] = &res[i];
    qsort(by, n, sizeof *by, cmp_key);
    for (size_t i = 0; i < n;) { /* the first of a group has the smallest seed */
        size_t j = i;
        while (j < n && same_key(by[i], by[j]))
            leader[by[j++] - res] = (size_t)(by[i] - res);
        i = j;
    }
    unsigned count = 0;
    for (size_t i = 0; i < n; i++)
        res[i].outcome = leader[i] == i ? ++count : res[leader[i]].outcome;
    free(leader);
    free(by);
    return count;
}

static void print_seeds(const struct seed_result *res, size_t n, unsigned k)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (res[i].outcome != k)
            continue;
        size_t j = i;
        while (j + 1 < n && res[j + 1].outcome == k && res[j + 1].seed == res[j].seed + 1)
            j++;
        printf("%s%" PRIu64, any ? "," : "", res[i].seed);
        if (j > i)
            printf("-%" PRIu64, res[j].seed);
        any = true;
        i = j;
    }
}

static void format_hash(bool has, uint64_t h, char *buf, size_t len)
{
    if (has)
        snprintf(buf, len, "%016" PRIx64, h);
    else
        snprintf(buf, len, "-");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t outcome_print_table(const struct seed_result *res, size_t n, unsigned rows,
                           const char *title, const char *keep_dir)
{
    printf("%s: %zu run%s, %u distinct outcome%s\n", title, n, n == 1 ? "" : "s", rows,
           rows == 1 ? "" : "s");
    printf("%7s  %-7s  %5s  %-16s  %-16s  %6s  %s\n", "outcome", "verdict", "exit", "signature",
           "trace", "count", "seeds");
    size_t failed = 0;
    uint64_t *th = malloc((n ? n : 1) * sizeof *th);
    for (unsigned k = 1; k <= rows; k++) {
        const struct seed_result *first = NULL;
        size_t count = 0, nt = 0;
        for (size_t i = 0; i < n; i++)
            if (res[i].outcome == k) {
                first = first ? first : &res[i];
                count++;
                if (res[i].has_trace)
                    th[nt++] = res[i].trace_hash;
            }
        qsort(th, nt, sizeof *th, cmp_u64);
        size_t distinct = 0;
        for (size_t i = 0; i < nt; i++)
            distinct += i == 0 || th[i] != th[i - 1];
        char st[16], sh[20], trh[20];
        if (first->status < 0)
            snprintf(st, sizeof st, "sig%d", -first->status);
        else
            snprintf(st, sizeof st, "%d", first->status);
        format_hash(true, first->sig_hash, sh, sizeof sh);
        format_hash(first->has_trace, first->trace_hash, trh, sizeof trh);
        printf("%7u  %-7s  %5s  %-16s  %-16s  %6zu  ", k, verdict_name(first->verdict), st, sh,
               trh, count);
        print_seeds(res, n, k);
        printf("\n");
        printf("%7s  console \"%s\"; %zu distinct trace%s", "", first->sig_text, distinct,
               distinct == 1 ? "" : "s");
        if (first->verdict != VERDICT_PASS)
            printf("; %s", first->reason);
        printf("\n");
        if (first->verdict != VERDICT_PASS)
            failed += count;
    }
    free(th);
    if (!failed) {
        printf("all %zu seeds passed\n", n);
        return 0;
    }
    printf("%zu of %zu seeds did not pass; their traces are kept in %s/, replay with:\n", failed,
           n, keep_dir);
    for (unsigned k = 1; k <= rows; k++) {
        const struct seed_result *first = NULL;
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (res[i].outcome == k) {
                first = first ? first : &res[i];
                count++;
            }
        if (first->verdict == VERDICT_PASS)
            continue;
        printf("  outcome %u: hvsim replay %s/seed-%" PRIu64 ".hvt", k, keep_dir, first->seed);
        if (count > 1)
            printf("   (and %zu more seed-S.hvt of this outcome)", count - 1);
        printf("\n");
    }
    return failed;
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_hash(FILE *f, bool has, uint64_t h)
{
    if (has)
        fprintf(f, "\"%016" PRIx64 "\"", h);
    else
        fputs("null", f);
}

bool outcome_write_json(const char *path, const struct seed_result *res, size_t n,
                        const char *const *run_args, int nrun, const char *keep_dir,
                        char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "--json %s: %s", path, strerror(errno));
        return false;
    }
    fputs("{\n  \"tool\": \"hvsim explore\",\n  \"format\": 1,\n  \"keep\": ", f);
    json_str(f, keep_dir);
    fputs(",\n  \"run_options\": [", f);
    for (int i = 0; i < nrun; i++) {
        fputs(i ? ", " : "", f);
        json_str(f, run_args[i]);
    }
    fputs("],\n  \"results\": [\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct seed_result *r = &res[i];
        fprintf(f, "    {\"seed\": %" PRIu64 ", \"verdict\": \"%s\", \"exit\": %d, \"reason\": ",
                r->seed, verdict_name(r->verdict), r->status);
        json_str(f, r->reason);
        fprintf(f, ", \"signature\": \"%016" PRIx64 "\", \"signature_text\": ", r->sig_hash);
        json_str(f, r->sig_text);
        fputs(", \"console_hash\": ", f);
        json_hash(f, r->has_console, r->console_hash);
        fputs(", \"trace_hash\": ", f);
        json_hash(f, r->has_trace, r->trace_hash);
        fprintf(f, ", \"trace_kept\": %s}%s\n", r->trace_kept ? "true" : "false",
                i + 1 < n ? "," : "");
    }
    fputs("  ]\n}\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "--json %s: write error", path);
        return false;
    }
    return true;
}

static void xml_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
        }
    }
}

bool outcome_write_junit(const char *path, const struct seed_result *res, size_t n,
                         const char *keep_dir, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "--junit %s: %s", path, strerror(errno));
        return false;
    }
    size_t failures = 0;
    for (size_t i = 0; i < n; i++)
        failures += res[i].verdict != VERDICT_PASS;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites>\n"
               "<testsuite name=\"hvsim explore\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            n, failures);
    for (size_t i = 0; i < n; i++) {
        const struct seed_result *r = &res[i];
        fprintf(f, "  <testcase classname=\"explore\" name=\"seed-%" PRIu64 "\"", r->seed);
        if (r->verdict == VERDICT_PASS) {
            fputs("/>\n", f);
            continue;
        }
        fprintf(f, ">\n    <failure type=\"%s\" message=\"", verdict_name(r->verdict));
        xml_str(f, r->reason);
        fputs("\">outcome ", f);
        fprintf(f, "%u, console \"", r->outcome);
        xml_str(f, r->sig_text);
        fputs("\"", f);
        if (r->trace_kept) {
            fputs(", replay: hvsim replay ", f);
            xml_str(f, keep_dir);
            fprintf(f, "/seed-%" PRIu64 ".hvt", r->seed);
        }
        fputs("</failure>\n  </testcase>\n", f);
    }
    fputs("</testsuite>\n</testsuites>\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "--junit %s: write error", path);
        return false;
    }
    return true;
}

/* ---- reading --json files back (the lines outcome_write_json writes) ---- */

/* The value after "key": in line, or NULL. */
static const char *json_field(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(line, pat);
    return p ? p + strlen(pat) : NULL;
}

/* A JSON string at p into buf; false if malformed. */
static bool json_read_str(const char *p, char *buf, size_t len)
{
    if (!p || *p != '"')
        return false;
    size_t o = 0;
    for (p++; *p && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                unsigned v;
                if (sscanf(p + 1, "%4x", &v) != 1)
                    return false;
                c = (char)v;
                p += 4;
            } else if (*p == 'n') {
                c = '\n';
            } else if (*p == '"' || *p == '\\' || *p == '/') {
                c = *p;
            } else {
                return false;
            }
        }
        if (o + 1 < len)
            buf[o++] = c;
    }
    buf[o] = 0;
    return *p == '"';
}

static bool json_read_hash(const char *p, bool *has, uint64_t *h)
{
    if (!p)
        return false;
    if (strncmp(p, "null", 4) == 0) {
        *has = false;
        *h = 0;
        return true;
    }
    char s[24];
    char *end;
    if (!json_read_str(p, s, sizeof s) || strlen(s) != 16)
        return false;
    *h = strtoull(s, &end, 16);
    *has = true;
    return *end == 0;
}

bool outcome_read_json(const char *path, struct seed_result **res, size_t *n, char *keep,
                       size_t keeplen, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "--merge %s: %s", path, strerror(errno));
        return false;
    }
    char line[4096];
    size_t lineno = 0, cap = *n;
    bool tool = false;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        const char *p;
        if (strstr(line, "\"tool\": \"hvsim explore\""))
            tool = true;
        if ((p = json_field(line, "keep")) && !strstr(line, "\"seed\"")) {
            char k[4096];
            if (json_read_str(p, k, sizeof k) && !keep[0])
                snprintf(keep, keeplen, "%s", k);
            continue;
        }
        if (!strstr(line, "{\"seed\": "))
            continue;
        struct seed_result r = { 0 };
        char verdict[16];
        unsigned long long seed;
        bool has_sig;
        p = json_field(line, "seed");
        bool ok = tool && p && sscanf(p, "%llu", &seed) == 1;
        r.seed = seed;
        ok = ok && json_read_str(json_field(line, "verdict"), verdict, sizeof verdict) &&
             verdict_parse(verdict, &r.verdict);
        ok = ok && (p = json_field(line, "exit")) && sscanf(p, "%d", &r.status) == 1;
        ok = ok && json_read_str(json_field(line, "reason"), r.reason, sizeof r.reason);
        ok = ok && json_read_hash(json_field(line, "signature"), &has_sig, &r.sig_hash) && has_sig;
        ok = ok && json_read_str(json_field(line, "signature_text"), r.sig_text, sizeof r.sig_text);
        ok = ok && json_read_hash(json_field(line, "console_hash"), &r.has_console, &r.console_hash);
        ok = ok && json_read_hash(json_field(line, "trace_hash"), &r.has_trace, &r.trace_hash);
        ok = ok && (p = json_field(line, "trace_kept"));
        if (ok)
            r.trace_kept = strncmp(p, "true", 4) == 0;
        if (!ok) {
            snprintf(err, errlen, "--merge %s:%zu: not a result line of an explore --json file",
                     path, lineno);
            fclose(f);
            return false;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            *res = realloc(*res, cap * sizeof **res);
        }
        (*res)[(*n)++] = r;
    }
    fclose(f);
    if (!tool) {
        snprintf(err, errlen, "--merge %s: not a file written by hvsim explore --json", path);
        return false;
    }
    return true;
}
