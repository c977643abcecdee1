/* `hvsim trace stats FILE`: event counts per kind and CPU, IPI latencies per
 * (mechanism, source, destination) and, where the architecture names the
 * delivery class of an ipi.send (x86: the ICR's delivery mode, arch_info
 * ipi_class), per (mechanism, class, source, destination); a VM-exit reason
 * histogram.
 *
 * IPI matching, in file (emission) order: an ipi.send from CPU s to each
 * destination d waits for the first later ipi.deliver on d of the expected
 * mechanism (MSWI/SSWI: the same mechanism, sent by s; SBI: the SIP
 * injection OpenSBI makes on d), then for the first later irq.take on d whose
 * cause takes the delivered line (the architecture's cause_line; RISC-V: line 3
 * MSI, line 1 SSI). Sends that find the line already pending are coalesced
 * with it: every waiting send is satisfied by the same deliver and take
 * (not x86 LAPIC messages: each ipi.deliver answers one send). x86 posted
 * interrupts (on_posted) chain onto the notification's LAPIC send. Latencies
 * are differences of virtual times and can be negative, because each hart
 * keeps its own clock inside a scheduling round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archnames.h"
#include "tools.h"
#include "trace.h"

#define MAX_DEST 64          /* destinations are a 64-bit mask */
#define CPU_COLS 64          /* per-CPU columns; higher ids are summed in "other" */

static const char usage[] = "Usage: hvsim trace stats FILE\n";

static const char *mech_name(uint64_t mech)
{
    return trace_ipi_mech_name(mech);
}

/* ---- growable sample lists ---- */

struct samples {
    int64_t *v;
    size_t n, cap;
};

static void push(struct samples *s, int64_t x)
{
    if (s->n == s->cap) {
        s->cap = s->cap * 2 + 16;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = x;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- IPI pairs ---- */

struct pair {
    uint64_t mech;           /* the mechanism (bits 7:0 of ipi.send's mech) */
    const char *cls;         /* delivery class (arch ipi_class), NULL: all of the pair */
    uint32_t src, dst;
    uint64_t sends;
    struct samples deliver, take;
};

struct waiting {             /* one send waiting at one destination */
    size_t pair;
    size_t cls_pair;         /* its (class, src, dst) row, or SIZE_MAX */
    uint64_t time;
    uint32_t src;
    uint64_t deliver_mech;
    uint64_t line;           /* once delivered */
    bool delivered;
};

struct queue {
    struct waiting *w;
    size_t n, cap;
};

struct trace_stats {
    /* counts */
    uint64_t count[TK_COUNT][CPU_COLS + 2]; /* columns: cpus, other, no cpu */
    bool cpu_seen[CPU_COLS + 2];
    uint64_t total;
    uint64_t first_time, last_time;
    bool any;
    uint64_t end_insns;
    bool have_end;
    /* IPIs */
    struct pair *pairs;
    size_t npairs;
    struct queue q[MAX_DEST];
    /* the notification of the last posted-interrupt processing per CPU */
    struct posted_from { bool valid; uint64_t at, time; uint32_t src; } posted[MAX_DEST];
    /* VM exits: (vmid, vcpu, reason) -> count */
    struct vmexit { uint64_t vmid; uint32_t vcpu; uint64_t reason, count; } *exits;
    size_t nexits;
    /* x86 VMX (vm.exit / vm.entry with their optional VPID, docs/trace-format.md
     * "Optional arguments"): (vmid, vcpu, vpid) -> entries, exits, injections;
     * (vmid, vcpu, injection type, vector) -> count */
    struct vmvpid { uint64_t vmid; uint32_t vcpu; uint64_t vpid, entries, exits, injected; } *vpids;
    size_t nvpids;
    struct vminj { uint64_t vmid; uint32_t vcpu; unsigned type, vector; uint64_t count; } *injs;
    size_t ninjs;
};

static size_t pair_index(struct trace_stats *st, uint64_t mech, const char *cls, uint32_t src,
                         uint32_t dst)
{
    for (size_t i = 0; i < st->npairs; i++)
        if (st->pairs[i].mech == mech && st->pairs[i].cls == cls && st->pairs[i].src == src &&
            st->pairs[i].dst == dst)
            return i;
    st->pairs = xrealloc(st->pairs, (st->npairs + 1) * sizeof *st->pairs);
    memset(&st->pairs[st->npairs], 0, sizeof *st->pairs);
    st->pairs[st->npairs].mech = mech;
    st->pairs[st->npairs].cls = cls;
    st->pairs[st->npairs].src = src;
    st->pairs[st->npairs].dst = dst;
    return st->npairs++;
}

static void on_send(struct trace_stats *st, const struct arch_info *arch,
                    const struct trace_event *ev)
{
    uint64_t mech = TRACE_IPI_MECH(ev->a[0]), dest = ev->a[1];
    uint64_t want = mech == IPI_MECH_SBI ? IPI_MECH_SIP : mech;
    const char *cls = trace_arch_ipi_class(arch, ev->a[0]);
    for (unsigned d = 0; d < MAX_DEST; d++) {
        if (!(dest >> d & 1))
            continue;
        size_t p = pair_index(st, mech, NULL, ev->cpu, d);
        st->pairs[p].sends++;
        size_t cp = SIZE_MAX;
        if (cls) {
            cp = pair_index(st, mech, cls, ev->cpu, d);
            st->pairs[cp].sends++;
        }
        struct queue *q = &st->q[d];
        if (q->n == q->cap) {
            q->cap = q->cap * 2 + 8;
            q->w = xrealloc(q->w, q->cap * sizeof *q->w);
        }
        q->w[q->n++] = (struct waiting){ .pair = p, .cls_pair = cp, .time = ev->time,
                                         .src = ev->cpu, .deliver_mech = want };
    }
}

static void enqueue(struct queue *q, struct waiting w)
{
    if (q->n == q->cap) {
        q->cap = q->cap * 2 + 8;
        q->w = xrealloc(q->w, q->cap * sizeof *q->w);
    }
    q->w[q->n++] = w;
}

/* x86 posted-interrupt processing (ipi.deliver POSTED, vector = line, the
 * notification vector in mech bits 15:8) on CPU d: the notification's
 * LAPIC send, delivered to d and not taken (the processing consumes it
 * instead of an irq.take), counts as taken there and becomes a send of the
 * (POSTED, its sender, d) pair, delivered now and waiting for the guest's
 * irq.take of the vector. The other vectors of the same processing (same
 * time) belong to the same notification. Without a recorded notification
 * the pair is (POSTED, d, d). */
static void on_posted(struct trace_stats *st, const struct trace_event *ev)
{
    struct queue *q = &st->q[ev->cpu];
    uint64_t nv = TRACE_IPI_DETAIL(ev->a[0]) & 0xff;
    struct posted_from *pf = &st->posted[ev->cpu];
    if (!pf->valid || pf->at != ev->time) {
        *pf = (struct posted_from){ .valid = true, .at = ev->time, .src = ev->cpu, .time = ev->time };
        for (size_t i = 0; i < q->n; i++) {
            struct waiting *w = &q->w[i];
            if (!w->delivered || w->deliver_mech != IPI_MECH_LAPIC || w->line != nv)
                continue;
            push(&st->pairs[w->pair].take, (int64_t)(ev->time - w->time));
            if (w->cls_pair != SIZE_MAX)
                push(&st->pairs[w->cls_pair].take, (int64_t)(ev->time - w->time));
            pf->src = w->src;
            pf->time = w->time;
            memmove(w, w + 1, (q->n - i - 1) * sizeof *w);
            q->n--;
            break;
        }
    }
    size_t p = pair_index(st, IPI_MECH_POSTED, NULL, pf->src, ev->cpu);
    st->pairs[p].sends++;
    push(&st->pairs[p].deliver, (int64_t)(ev->time - pf->time));
    enqueue(q, (struct waiting){ .pair = p, .cls_pair = SIZE_MAX, .time = pf->time, .src = pf->src,
                                 .deliver_mech = IPI_MECH_POSTED, .line = ev->a[1],
                                 .delivered = true });
}

static void on_deliver(struct trace_stats *st, const struct trace_event *ev)
{
    if (ev->cpu >= MAX_DEST)
        return;
    struct queue *q = &st->q[ev->cpu];
    uint64_t mech = TRACE_IPI_MECH(ev->a[0]), line = ev->a[1], src = ev->a[2];
    if (mech == IPI_MECH_POSTED) {
        on_posted(st, ev);
        return;
    }
    for (size_t i = 0; i < q->n; i++) {
        struct waiting *w = &q->w[i];
        if (w->delivered || w->deliver_mech != mech || (mech != IPI_MECH_SIP && w->src != src))
            continue;
        w->delivered = true;
        w->line = line;
        push(&st->pairs[w->pair].deliver, (int64_t)(ev->time - w->time));
        if (w->cls_pair != SIZE_MAX)
            push(&st->pairs[w->cls_pair].deliver, (int64_t)(ev->time - w->time));
        if (mech == IPI_MECH_LAPIC)
            break; /* x86 messages are not coalesced: one deliver per send */
    }
}

static void on_take(struct trace_stats *st, const struct arch_info *arch,
                    const struct trace_event *ev)
{
    int line = trace_arch_cause_line(arch, ev->a[0]);
    if (ev->cpu >= MAX_DEST || line < 0)
        return;
    struct queue *q = &st->q[ev->cpu];
    size_t k = 0;
    for (size_t i = 0; i < q->n; i++) {
        struct waiting *w = &q->w[i];
        if (w->delivered && (uint64_t)line == w->line) {
            push(&st->pairs[w->pair].take, (int64_t)(ev->time - w->time));
            if (w->cls_pair != SIZE_MAX)
                push(&st->pairs[w->cls_pair].take, (int64_t)(ev->time - w->time));
        } else
            q->w[k++] = *w;
    }
    q->n = k;
}

static void on_vm_exit(struct trace_stats *st, const struct trace_event *ev)
{
    uint64_t vmid = ev->a[5], reason = ev->a[0];
    for (size_t i = 0; i < st->nexits; i++) {
        struct vmexit *x = &st->exits[i];
        if (x->vmid == vmid && x->vcpu == ev->cpu && x->reason == reason) {
            x->count++;
            return;
        }
    }
    st->exits = xrealloc(st->exits, (st->nexits + 1) * sizeof *st->exits);
    st->exits[st->nexits++] = (struct vmexit){ vmid, ev->cpu, reason, 1 };
}

static struct vmvpid *vpid_row(struct trace_stats *st, uint64_t vmid, uint32_t vcpu, uint64_t vpid)
{
    for (size_t i = 0; i < st->nvpids; i++) {
        struct vmvpid *v = &st->vpids[i];
        if (v->vmid == vmid && v->vcpu == vcpu && v->vpid == vpid)
            return v;
    }
    st->vpids = xrealloc(st->vpids, (st->nvpids + 1) * sizeof *st->vpids);
    st->vpids[st->nvpids] = (struct vmvpid){ vmid, vcpu, vpid, 0, 0, 0 };
    return &st->vpids[st->nvpids++];
}

/* vm.exit / vm.entry with a VPID (x86 VMX): the VPID table; an entry's
 * injection: the injection table */
static void on_vm_vpid(struct trace_stats *st, const struct trace_event *ev)
{
    int64_t vpid = trace_vm_vpid(ev);
    if (vpid < 0)
        return;
    uint64_t vmid = ev->kind == TK_VM_EXIT ? ev->a[5] : ev->a[1];
    struct vmvpid *v = vpid_row(st, vmid, ev->cpu, (uint64_t)vpid);
    if (ev->kind == TK_VM_EXIT) {
        v->exits++;
        return;
    }
    v->entries++;
    uint64_t inj = trace_vm_inject(ev);
    if (!inj)
        return;
    v->injected++;
    unsigned type = (inj >> 8) & 7, vector = inj & 0xff;
    for (size_t i = 0; i < st->ninjs; i++) {
        struct vminj *x = &st->injs[i];
        if (x->vmid == vmid && x->vcpu == ev->cpu && x->type == type && x->vector == vector) {
            x->count++;
            return;
        }
    }
    st->injs = xrealloc(st->injs, (st->ninjs + 1) * sizeof *st->injs);
    st->injs[st->ninjs++] = (struct vminj){ vmid, ev->cpu, type, vector, 1 };
}

void trace_stats_add(struct trace_stats *st, const struct arch_info *arch,
                     const struct trace_event *ev)
{
    size_t col = ev->cpu == TRACE_NO_CPU ? CPU_COLS + 1 : ev->cpu < CPU_COLS ? ev->cpu : CPU_COLS;
    st->count[ev->kind][col]++;
    st->cpu_seen[col] = true;
    st->total++;
    if (!st->any || ev->time < st->first_time)
        st->first_time = ev->time;
    if (!st->any || ev->time > st->last_time)
        st->last_time = ev->time;
    st->any = true;
    switch (ev->kind) {
    case TK_IPI_SEND: on_send(st, arch, ev); break;
    case TK_IPI_DELIVER: on_deliver(st, ev); break;
    case TK_IRQ_TAKE: on_take(st, arch, ev); break;
    case TK_VM_EXIT:
        on_vm_exit(st, ev);
        on_vm_vpid(st, ev);
        break;
    case TK_VM_ENTRY: on_vm_vpid(st, ev); break;
    case TK_END:
        st->end_insns = ev->a[1];
        st->have_end = true;
        break;
    }
}

/* ---- report ---- */

static void print_counts(const struct trace_stats *st, FILE *f)
{
    fprintf(f, "\nevents per kind and cpu:\n%-14s %10s", "kind", "total");
    for (size_t c = 0; c < CPU_COLS + 2; c++) {
        if (!st->cpu_seen[c])
            continue;
        char name[16];
        if (c < CPU_COLS)
            snprintf(name, sizeof name, "cpu%zu", c);
        else
            snprintf(name, sizeof name, "%s", c == CPU_COLS ? "cpu64+" : "-");
        fprintf(f, " %9s", name);
    }
    fputc('\n', f);
    uint64_t col_total[CPU_COLS + 2] = { 0 };
    for (unsigned k = 0; k < TK_COUNT; k++) {
        uint64_t sum = 0;
        for (size_t c = 0; c < CPU_COLS + 2; c++)
            sum += st->count[k][c];
        if (!sum)
            continue;
        fprintf(f, "%-14s %10llu", trace_kinds[k].name, (unsigned long long)sum);
        for (size_t c = 0; c < CPU_COLS + 2; c++) {
            if (!st->cpu_seen[c])
                continue;
            fprintf(f, " %9llu", (unsigned long long)st->count[k][c]);
            col_total[c] += st->count[k][c];
        }
        fputc('\n', f);
    }
    fprintf(f, "%-14s %10llu", "total", (unsigned long long)st->total);
    for (size_t c = 0; c < CPU_COLS + 2; c++)
        if (st->cpu_seen[c])
            fprintf(f, " %9llu", (unsigned long long)col_total[c]);
    fputc('\n', f);
}

/* "min/median/p99/max" of s (sorted here); "-" when empty. Nearest-rank
 * percentiles. */
static void summarize(struct samples *s, char *buf, size_t len)
{
    if (!s->n) {
        snprintf(buf, len, "-");
        return;
    }
    qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    size_t med = (s->n - 1) / 2, p99 = (99 * s->n + 99) / 100 - 1;
    if (p99 >= s->n)
        p99 = s->n - 1;
    snprintf(buf, len, "%lld/%lld/%lld/%lld", (long long)s->v[0], (long long)s->v[med],
             (long long)s->v[p99], (long long)s->v[s->n - 1]);
}

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (!x->cls != !y->cls)
        return x->cls ? 1 : -1; /* the per-pair rows first */
    if (x->cls && strcmp(x->cls, y->cls))
        return strcmp(x->cls, y->cls);
    if (x->mech != y->mech)
        return x->mech < y->mech ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return (x->dst > y->dst) - (x->dst < y->dst);
}

static void print_ipis(struct trace_stats *st, uint64_t event_mask, FILE *f)
{
    fprintf(f, "\nipi latency, virtual ticks (min/median/p99/max):\n");
    if (!(event_mask >> TK_IPI_SEND & 1)) {
        fprintf(f, "  ipi.send was not recorded (event-mask 0x%llx)\n",
                (unsigned long long)event_mask);
        return;
    }
    if (!st->npairs) {
        fprintf(f, "  no IPIs\n");
        return;
    }
    qsort(st->pairs, st->npairs, sizeof *st->pairs, cmp_pair);
    fprintf(f, "  %-5s %-9s %7s %9s %-28s %9s %s\n", "mech", "src->dst", "sends", "delivered",
            "send->deliver", "taken", "send->irq.take");
    size_t i = 0;
    for (; i < st->npairs && !st->pairs[i].cls; i++) {
        struct pair *p = &st->pairs[i];
        char pr[32], dl[96], tk[96];
        snprintf(pr, sizeof pr, "%u->%u", p->src, p->dst);
        summarize(&p->deliver, dl, sizeof dl);
        summarize(&p->take, tk, sizeof tk);
        fprintf(f, "  %-5s %-9s %7llu %9zu %-28s %9zu %s\n", mech_name(p->mech), pr,
                (unsigned long long)p->sends, p->deliver.n, dl, p->take.n, tk);
    }
    /* the same per delivery class, where the architecture names one (x86:
     * the ICR's delivery mode); none on RISC-V */
    if (i < st->npairs) {
        fprintf(f, "\nipi latency per delivery mode, virtual ticks (min/median/p99/max):\n");
        fprintf(f, "  %-5s %-13s %-9s %7s %9s %-28s %9s %s\n", "mech", "mode", "src->dst",
                "sends", "delivered", "send->deliver", "taken", "send->irq.take");
    }
    for (; i < st->npairs; i++) {
        struct pair *p = &st->pairs[i];
        char pr[32], dl[96], tk[96];
        snprintf(pr, sizeof pr, "%u->%u", p->src, p->dst);
        summarize(&p->deliver, dl, sizeof dl);
        summarize(&p->take, tk, sizeof tk);
        fprintf(f, "  %-5s %-13s %-9s %7llu %9zu %-28s %9zu %s\n", mech_name(p->mech), p->cls,
                pr, (unsigned long long)p->sends, p->deliver.n, dl, p->take.n, tk);
    }
    if (!(event_mask >> TK_IPI_DELIVER & 1))
        fprintf(f, "  (ipi.deliver was not recorded)\n");
    if (!(event_mask >> TK_IRQ_TAKE & 1))
        fprintf(f, "  (irq.take was not recorded)\n");
}

static int cmp_exit(const void *a, const void *b)
{
    const struct vmexit *x = a, *y = b;
    if (x->vmid != y->vmid)
        return x->vmid < y->vmid ? -1 : 1;
    if (x->vcpu != y->vcpu)
        return x->vcpu < y->vcpu ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->reason > y->reason) - (x->reason < y->reason);
}

static void print_exits(struct trace_stats *st, const struct arch_info *arch, FILE *f)
{
    fprintf(f, "\nvm exits per (vmid, vcpu):\n");
    if (!st->nexits) {
        fprintf(f, "  no VM exits\n");
        return;
    }
    qsort(st->exits, st->nexits, sizeof *st->exits, cmp_exit);
    fprintf(f, "  %6s %6s %10s  %s\n", "vmid", "vcpu", "count", "reason");
    for (size_t i = 0; i < st->nexits; i++) {
        const struct vmexit *x = &st->exits[i];
        const char *n = trace_arch_vm_exit(arch, x->reason);
        char vcpu[16];
        if (x->vcpu == TRACE_NO_CPU)
            snprintf(vcpu, sizeof vcpu, "-");
        else
            snprintf(vcpu, sizeof vcpu, "%u", x->vcpu);
        char vmid[24]; /* -1: no guest ran (a failed VM entry) */
        if (x->vmid == UINT64_MAX)
            snprintf(vmid, sizeof vmid, "-");
        else
            snprintf(vmid, sizeof vmid, "%llu", (unsigned long long)x->vmid);
        fprintf(f, "  %6s %6s %10llu  ", vmid, vcpu, (unsigned long long)x->count);
        if (n)
            fprintf(f, "%s (0x%llx)\n", n, (unsigned long long)x->reason);
        else
            fprintf(f, "0x%llx\n", (unsigned long long)x->reason);
    }
}

static void fmt_vmid(char *buf, size_t len, uint64_t vmid)
{
    if (vmid == UINT64_MAX) /* no guest ran (a failed VM entry) */
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%llu", (unsigned long long)vmid);
}

static int cmp_vpid(const void *a, const void *b)
{
    const struct vmvpid *x = a, *y = b;
    if (x->vmid != y->vmid)
        return x->vmid < y->vmid ? -1 : 1;
    if (x->vcpu != y->vcpu)
        return x->vcpu < y->vcpu ? -1 : 1;
    return (x->vpid > y->vpid) - (x->vpid < y->vpid);
}

static int cmp_inj(const void *a, const void *b)
{
    const struct vminj *x = a, *y = b;
    if (x->vmid != y->vmid)
        return x->vmid < y->vmid ? -1 : 1;
    if (x->vcpu != y->vcpu)
        return x->vcpu < y->vcpu ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return (x->vector > y->vector) - (x->vector < y->vector);
}

/* Only for traces whose vm records carry a VPID (x86 VMX): others (RISC-V,
 * x86 traces recorded before it) print as before. Rows are key=value
 * words, so that scripts reading the exit table's columns ("vmid vcpu
 * count NAME (0xN)") never take them for exit rows. */
static void print_vpids(struct trace_stats *st, const struct arch_info *arch, FILE *f)
{
    if (!st->nvpids)
        return;
    qsort(st->vpids, st->nvpids, sizeof *st->vpids, cmp_vpid);
    fprintf(f, "\nvm entries per (vmid, vcpu) with the VPID:\n");
    for (size_t i = 0; i < st->nvpids; i++) {
        const struct vmvpid *v = &st->vpids[i];
        char vmid[24];
        fmt_vmid(vmid, sizeof vmid, v->vmid);
        fprintf(f, "  vmid=%s vcpu=%u vpid=%llu entries=%llu exits=%llu injected=%llu\n", vmid,
                v->vcpu, (unsigned long long)v->vpid, (unsigned long long)v->entries,
                (unsigned long long)v->exits, (unsigned long long)v->injected);
    }
    fprintf(f, "\nvm event injections per (vmid, vcpu):\n");
    if (!st->ninjs) {
        fprintf(f, "  no injections\n");
        return;
    }
    qsort(st->injs, st->ninjs, sizeof *st->injs, cmp_inj);
    for (size_t i = 0; i < st->ninjs; i++) {
        const struct vminj *x = &st->injs[i];
        char vmid[24], type[16];
        fmt_vmid(vmid, sizeof vmid, x->vmid);
        const char *tn = trace_arch_vm_inject_class(arch, (uint64_t)x->type << 8);
        if (!tn) {
            snprintf(type, sizeof type, "type%u", x->type);
            tn = type;
        }
        fprintf(f, "  vmid=%s vcpu=%u count=%llu inject=%s vector=0x%02x\n", vmid, x->vcpu,
                (unsigned long long)x->count, tn, x->vector);
    }
}

struct trace_stats *trace_stats_new(void)
{
    struct trace_stats *st = xrealloc(NULL, sizeof *st);
    memset(st, 0, sizeof *st);
    return st;
}

void trace_stats_print(struct trace_stats *st, const struct arch_info *arch, uint64_t event_mask,
                       FILE *f)
{
    print_counts(st, f);
    print_ipis(st, event_mask, f);
    print_exits(st, arch, f);
    print_vpids(st, arch, f);
}

void trace_stats_free(struct trace_stats *st)
{
    for (size_t i = 0; i < st->npairs; i++) {
        free(st->pairs[i].deliver.v);
        free(st->pairs[i].take.v);
    }
    free(st->pairs);
    for (unsigned d = 0; d < MAX_DEST; d++)
        free(st->q[d].w);
    free(st->exits);
    free(st->vpids);
    free(st->injs);
    free(st);
}

int trace_cmd_stats(int argc, char **argv)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "hvsim: trace stats: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
        if (file) {
            fprintf(stderr, "hvsim: trace stats: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        }
        file = argv[i];
    }
    if (!file) {
        fprintf(stderr, "hvsim: trace stats: missing trace file\n%s", usage);
        return 2;
    }
    char err[512];
    struct trace_reader *r = trace_reader_open(file, err, sizeof err);
    if (!r) {
        fprintf(stderr, "hvsim: trace stats: %s\n", err);
        return 2;
    }
    const struct trace_header *h = trace_reader_header(r);
    char arch_name[64];
    const struct arch_info *arch = trace_header_arch(h, arch_name, sizeof arch_name);

    struct trace_stats *st = trace_stats_new();
    struct trace_event ev;
    int got;
    while ((got = trace_reader_next(r, &ev, err, sizeof err)) == 1)
        trace_stats_add(st, arch, &ev);
    if (got == 0 && !st->have_end) {
        /* the recorder always finishes with `end`: the file was cut short */
        snprintf(err, sizeof err, "%s: truncated: no end record after %llu records", file,
                 (unsigned long long)trace_reader_count(r));
        got = -1;
    }
    if (got < 0) {
        /* statistics of a partial file would mislead: refuse */
        fprintf(stderr, "hvsim: trace stats: %s\n", err);
        trace_stats_free(st);
        trace_reader_close(r);
        return 2;
    }
    printf("# %s: %llu events", file, (unsigned long long)st->total);
    if (st->any)
        printf(", virtual time %llu..%llu", (unsigned long long)st->first_time,
               (unsigned long long)st->last_time);
    if (st->have_end)
        printf(", %llu instructions", (unsigned long long)st->end_insns);
    printf("\n");
    trace_stats_print(st, arch, h->event_mask, stdout);
    trace_stats_free(st);
    trace_reader_close(r);
    return 0;
}
