/* Guided exploration: the choice of each run's perturbations (guided.h,
 * docs/explore.md "Guided exploration"). */
#include "guided.h"
#include <stdio.h>
#include <string.h>

static uint64_t mix(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    return n ? mix(s) % n : 0;
}

/* 10^(lo..hi) on a log scale, in quarter decades */
static uint64_t log_draw(uint64_t *s, unsigned lo, unsigned hi)
{
    static const double q[4] = { 1.0, 1.778, 3.162, 5.623 };
    unsigned steps = (hi - lo) * 4;
    unsigned k = (unsigned)below(s, steps + 1);
    double v = q[k % 4];
    for (unsigned i = 0; i < lo + k / 4; i++)
        v *= 10;
    return (uint64_t)(v + 0.5);
}

void guided_init(struct guided *g, uint64_t first_seed)
{
    memset(g, 0, sizeof *g);
    g->prng = first_seed ^ 0x6775696465640000ull; /* "guided" */
}

/* A fresh draw: each kind on with probability 1/2 (stall), 1/3 (skew,
 * latency); stall probability 1e-6..1e-2 per CPU per round, MAX 10 us..
 * 300 ms; skew 5..90 %; latency up to 100 ns..10 ms. */
static struct guided_cfg fresh(struct guided *g)
{
    struct guided_cfg c = { 0 };
    if (below(&g->prng, 2) == 0) {
        c.stall_ppm = (uint32_t)log_draw(&g->prng, 0, 4);
        c.stall_max_us = log_draw(&g->prng, 1, 5) * 3;
    }
    if (below(&g->prng, 3) == 0)
        c.skew_pct = 5 + (unsigned)below(&g->prng, 86);
    if (below(&g->prng, 3) == 0)
        c.lat_max_ns = log_draw(&g->prng, 2, 7);
    return c;
}

static uint64_t scale(uint64_t *s, uint64_t v, uint64_t lo, uint64_t hi)
{
    v = below(s, 2) ? v * 4 : v / 4;
    return v < lo ? lo : v > hi ? hi : v;
}

/* One change to a corpus entry: a parameter times or over 4, a kind
 * switched on (fresh value) or off. */
static struct guided_cfg mutate(struct guided *g, struct guided_cfg c)
{
    struct guided_cfg f = fresh(g);
    switch (below(&g->prng, 6)) {
    case 0:
        c.stall_ppm = c.stall_ppm ? (uint32_t)scale(&g->prng, c.stall_ppm, 1, 100000)
                                  : (f.stall_ppm ? f.stall_ppm : 100);
        if (!c.stall_max_us)
            c.stall_max_us = f.stall_max_us ? f.stall_max_us : 3000;
        break;
    case 1:
        c.stall_max_us = c.stall_max_us ? scale(&g->prng, c.stall_max_us, 10, 3000000)
                                        : (f.stall_max_us ? f.stall_max_us : 3000);
        if (!c.stall_ppm)
            c.stall_ppm = 100;
        break;
    case 2:
        c.skew_pct = c.skew_pct ? (c.skew_pct * 2 > 90 ? 90 : c.skew_pct * 2)
                               : 5 + (unsigned)below(&g->prng, 86);
        break;
    case 3:
        c.lat_max_ns = c.lat_max_ns ? scale(&g->prng, c.lat_max_ns, 100, 100000000)
                                    : log_draw(&g->prng, 2, 7);
        break;
    case 4: /* one kind off */
        switch (below(&g->prng, 3)) {
        case 0: c.stall_ppm = 0, c.stall_max_us = 0; break;
        case 1: c.skew_pct = 0; break;
        default: c.lat_max_ns = 0; break;
        }
        break;
    default:
        c.skew_pct = c.skew_pct / 2;
        break;
    }
    return c;
}

struct guided_cfg guided_next(struct guided *g)
{
    /* a quarter fresh (and all of them while the corpus is empty) */
    if (!g->ncorpus || below(&g->prng, 4) == 0)
        return fresh(g);
    return mutate(g, g->corpus[below(&g->prng, g->ncorpus)]);
}

void guided_keep(struct guided *g, const struct guided_cfg *c)
{
    if (g->ncorpus < GUIDED_CORPUS_MAX) {
        g->corpus[g->ncorpus++] = *c;
        return;
    }
    g->corpus[g->next_slot] = *c;
    g->next_slot = (g->next_slot + 1) % GUIDED_CORPUS_MAX;
}

static void fmt_ppm(uint32_t ppm, char *out, size_t len)
{
    /* 0.000001 .. 0.1: the probability as a decimal fraction */
    snprintf(out, len, "0.%06u", ppm % 1000000u);
    if (ppm >= 1000000u)
        snprintf(out, len, "1");
}

int guided_args(const struct guided_cfg *c, char buf[3][48], const char *argv[6])
{
    int n = 0, b = 0;
    if (c->stall_ppm && c->stall_max_us) {
        char p[16];
        fmt_ppm(c->stall_ppm, p, sizeof p);
        snprintf(buf[b], 48, "%s:%lluus", p, (unsigned long long)c->stall_max_us);
        argv[n++] = "--stall";
        argv[n++] = buf[b++];
    }
    if (c->skew_pct) {
        snprintf(buf[b], 48, "%u", c->skew_pct);
        argv[n++] = "--skew";
        argv[n++] = buf[b++];
    }
    if (c->lat_max_ns) {
        snprintf(buf[b], 48, "0..%llu", (unsigned long long)c->lat_max_ns);
        argv[n++] = "--ipi-latency";
        argv[n++] = buf[b++];
    }
    return n;
}

void guided_format(const struct guided_cfg *c, char *out, size_t len)
{
    char buf[3][48];
    const char *argv[6];
    int n = guided_args(c, buf, argv);
    size_t k = 0;
    out[0] = 0;
    for (int i = 0; i < n && k < len; i += 2)
        k += (size_t)snprintf(out + k, len - k, "%s%s=%s", i ? " " : "", argv[i] + 2, argv[i + 1]);
    if (!n)
        snprintf(out, len, "none");
}
