/* Perturbation options: parsing and their canonical text (the scheduler
 * applies them, src/sim/sched.c; docs/explore.md "Perturbations"). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perturb.h"

bool perturb_any(const struct perturb_cfg *p)
{
    return p->ipi_max_ns || p->stall_ppb || p->skew_pct || p->strategy != STRATEGY_RANDOM;
}

static bool parse_num(const char *s, const char **end, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return false;
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 10);
    if (errno)
        return false;
    *v = x;
    *end = e;
    return true;
}

/* "N", "Nns", "Nus", "Nms", "Ns": virtual nanoseconds. */
static bool parse_ns(const char *s, uint64_t *ns)
{
    const char *e;
    uint64_t v;
    if (!parse_num(s, &e, &v))
        return false;
    uint64_t mul = 1;
    if (!*e || strcmp(e, "ns") == 0)
        mul = 1;
    else if (strcmp(e, "us") == 0)
        mul = 1000;
    else if (strcmp(e, "ms") == 0)
        mul = 1000000;
    else if (strcmp(e, "s") == 0)
        mul = 1000000000;
    else
        return false;
    if (v > UINT64_MAX / 4 / mul)
        return false;
    *ns = v * mul;
    return true;
}

/* A probability "0", "1", "0.25", ".001" (at most 9 decimals) in 1e-9. */
static bool parse_prob(const char *s, uint32_t *ppb)
{
    uint64_t whole = 0, frac = 0;
    unsigned digits = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        whole = whole * 10 + (uint64_t)(*p++ - '0'), digits++;
    if (whole > 1 || (digits == 0 && *p != '.'))
        return false;
    unsigned fd = 0;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9' && fd < 9)
            frac = frac * 10 + (uint64_t)(*p++ - '0'), fd++;
        if (fd == 0)
            return false;
    }
    if (*p)
        return false;
    while (fd < 9)
        frac *= 10, fd++;
    uint64_t v = whole * 1000000000u + frac;
    if (v > 1000000000u)
        return false;
    *ppb = (uint32_t)v;
    return true;
}

bool perturb_parse_option(struct perturb_cfg *p, const char *name, const char *val, char *err,
                          size_t errlen)
{
    if (strcmp(name, "ipi-latency") == 0) {
        const char *dots = strstr(val, "..");
        char lo[64];
        uint64_t a = 0, b = 0;
        bool ok;
        if (dots && (size_t)(dots - val) < sizeof lo) {
            memcpy(lo, val, (size_t)(dots - val));
            lo[dots - val] = 0;
            ok = parse_ns(lo, &a) && parse_ns(dots + 2, &b) && a <= b;
        } else {
            ok = !dots && parse_ns(val, &a);
            b = a;
        }
        if (!ok) {
            snprintf(err, errlen, "--ipi-latency: '%s' is not MIN..MAX virtual ns (e.g. "
                     "100..5000, 1us..2ms; MIN <= MAX)", val);
            return false;
        }
        p->ipi_min_ns = a;
        p->ipi_max_ns = b;
        return true;
    }
    if (strcmp(name, "stall") == 0) {
        const char *colon = strchr(val, ':');
        char prob[32];
        uint32_t ppb;
        uint64_t max;
        if (!colon || (size_t)(colon - val) >= sizeof prob) {
            ppb = 0, max = 0;
        } else {
            memcpy(prob, val, (size_t)(colon - val));
            prob[colon - val] = 0;
            if (!parse_prob(prob, &ppb) || !parse_ns(colon + 1, &max))
                max = 0;
        }
        if (!colon || max == 0) {
            snprintf(err, errlen, "--stall: '%s' is not P:MAX (P a probability per CPU and "
                     "round, 0..1; MAX virtual ns > 0, e.g. 0.001:100ms)", val);
            return false;
        }
        p->stall_ppb = ppb;
        p->stall_max_ns = ppb ? max : 0;
        return true;
    }
    if (strcmp(name, "skew") == 0) {
        uint64_t v;
        const char *e;
        if (!parse_num(val, &e, &v) || (*e && strcmp(e, "%") != 0) || v > 90) {
            snprintf(err, errlen, "--skew: '%s' is not a percentage 0..90 (each CPU retires "
                     "at a drawn 100-PCT..100 %% of the rate)", val);
            return false;
        }
        p->skew_pct = (unsigned)v;
        return true;
    }
    if (strcmp(name, "strategy") == 0) {
        uint64_t d;
        const char *e;
        if (strcmp(val, "random") == 0) {
            p->strategy = STRATEGY_RANDOM;
            p->pct_depth = 0;
            return true;
        }
        if (strncmp(val, "pct:", 4) == 0 && parse_num(val + 4, &e, &d) && !*e && d >= 1 &&
            d <= PERTURB_MAX_PCT_DEPTH) {
            p->strategy = STRATEGY_PCT;
            p->pct_depth = (unsigned)d;
            return true;
        }
        snprintf(err, errlen, "--strategy: '%s' is not random or pct:D (1 <= D <= %d)", val,
                 PERTURB_MAX_PCT_DEPTH);
        return false;
    }
    snprintf(err, errlen, "unknown perturbation '%s'", name);
    return false;
}

void perturb_format(const struct perturb_cfg *p, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
#define PUT(...) (n += (size_t)snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
    if (p->ipi_max_ns)
        PUT("%sipi-latency=%" PRIu64 "..%" PRIu64, n ? " " : "", p->ipi_min_ns, p->ipi_max_ns);
    if (p->stall_ppb) {
        char prob[16];
        if (p->stall_ppb == 1000000000u)
            snprintf(prob, sizeof prob, "1");
        else
            snprintf(prob, sizeof prob, "0.%09" PRIu32, p->stall_ppb);
        size_t k = strlen(prob);
        while (k > 3 && prob[k - 1] == '0')
            prob[--k] = 0;
        PUT("%sstall=%s:%" PRIu64, n ? " " : "", prob, p->stall_max_ns);
    }
    if (p->skew_pct)
        PUT("%sskew=%u", n ? " " : "", p->skew_pct);
    if (p->strategy == STRATEGY_PCT)
        PUT("%sstrategy=pct:%u", n ? " " : "", p->pct_depth);
#undef PUT
}

bool perturb_parse_spec(struct perturb_cfg *p, const char *spec, char *err, size_t errlen)
{
    *p = (struct perturb_cfg){ 0 };
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            snprintf(err, errlen, "perturbation '%s' is not NAME=VALUE", tok);
            return false;
        }
        *eq = 0;
        if (!perturb_parse_option(p, tok, eq + 1, err, errlen))
            return false;
    }
    return true;
}

uint64_t perturb_ns_to_ticks(uint64_t ns, uint64_t cpu_hz)
{
    unsigned __int128 t = ((unsigned __int128)ns * cpu_hz + 999999999u) / 1000000000u;
    return t > UINT64_MAX / 4 ? UINT64_MAX / 4 : (uint64_t)t;
}
