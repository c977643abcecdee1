/* `hvsim trace export FILE --format perfetto|chrome|vcd -o OUT`: the
 * timeline of a trace file for outside viewers.
 *
 *   perfetto  a binary Trace proto (ui.perfetto.dev), hand-encoded from the
 *             published TrackEvent protos: trace.proto (Trace.packet = 1),
 *             trace_packet.proto, track_event/track_event.proto,
 *             track_descriptor.proto, thread_descriptor.proto,
 *             process_descriptor.proto, debug_annotation.proto.
 *   chrome    Chrome trace-event JSON ("Trace Event Format": B/E slices,
 *             thread-scoped "i" instants, s/t/f flow events, M metadata).
 *   vcd       IEEE 1364-2005 §18 value change dump (GTKWave and friends).
 *
 * One track per hart ("hart N"). What the tracks show is derived from the
 * events alone (docs/trace-format.md):
 *
 * Trap-handler slices. irq.take/exc.take (cause from to pc) open a slice
 * "<to>: irq|exc <cause>" at privilege `to`. Returns (mret/sret) leave no
 * event, so a handler slice is closed by the next event on that hart that
 * implies the hart left it, with this one rule, applied in file order:
 *   a take from privilege F to T first ends every open handler slice at a
 *   level > F (the hart is back at F) and every one at a level >= T (a
 *   trap to a level whose handler is still open is taken as the next,
 *   sequential trap, not a nested one), then opens its own;
 *   wfi.sleep ends every open handler slice.
 * So slices nest only upwards (S handler -> SBI call into M), depth <= 4.
 * wfi.sleep..wfi.wake is a "wfi" slice. Slices still open at the end of
 * the trace end at its last time.
 *
 * Instants: ipi.send, ipi.deliver, timer.set, timer.fire, irq.claim,
 * irq.complete, sbi.call ("sbi HSM.hart_start", or "sbi eid=0x.. fid=N"
 * when unnamed), vm.exit (with its reason), vm.entry, input. mmio, check
 * and end records are not shown. Names (causes, privileges, timers, calls)
 * come from the architecture registry entry of the recorded `[machine]
 * arch` (src/sim/arch.h); an unknown architecture gets numbers.
 *
 * IPI flow arrows, matched in file order (which is causal order: the
 * scheduler emits events as they happen, while virtual times of different
 * harts interleave within a round):
 *   each destination d of an ipi.send starts a flow; it continues at the
 *   first later ipi.deliver on d of the expected mechanism (MSWI/SSWI: the
 *   same mechanism, sent by the same CPU; SBI IPIs: the deliver with mech
 *   SIP, i.e. M-mode software setting SSIP on d), and ends at the first
 *   later irq.take on d whose cause takes the line of that deliver
 *   (arch_info.cause_line; the rule of `hvsim trace stats`). Direct
 *   mechanisms (MSWI, SSWI, LAPIC, HVIP) deliver at once or not at all: a
 *   direct send that found its line already pending has no deliver, and
 *   ends at the next irq.take of the mechanism's line (arch_info.ipi_line:
 *   3 for MSWI, 1 for SSWI on RISC-V) with the sends it merged with. Several sends may so share one deliver and one take.
 *   x86 LAPIC lines are the vector (fixed, lowest priority) or delivery
 *   mode << 8 (NMI 0x400: the line of irq.take cause NMI), so those flows
 *   end at the irq.take; INIT and SIPI are never taken and end at their
 *   deliver. The ipi.send slice is named with the delivery class
 *   (arch_info.ipi_class: "ipi.send LAPIC SIPI").
 *   A step earlier in virtual time than the previous step of its flow (the
 *   target ran earlier in the same scheduling round) is left out, so that
 *   arrows point forward; a flow left with one point is not drawn.
 *
 * VCD: per hart one wire per interrupt line of the architecture's
 * vcd_lines (RISC-V: msip, ssip, mtip, stip), then in_trap, wfi and the
 * 2-bit vector priv. Pending bits as the events show them: a line without a
 * timer is set by ipi.deliver of that line and cleared by the irq.take of
 * it (the MSWI mechanism's line also follows recorded MMIO writes to the
 * hart's ACLINT MSWI register); a line with a timer is set by timer.fire of
 * that timer and cleared by the next timer.set of it whose deadline is
 * later than its own time. priv/in_trap/wfi follow the slices above (priv
 * starts at the architecture's reset_priv: M for RISC-V, priv spec §3.4). Each signal's changes keep file order:
 * a change never goes earlier in time than the signal's previous change.
 *
 * Times: events carry CPU ticks; ns = ticks * 1e9 / cpu-hz of the recorded
 * machine config. Output is a pure function of the trace file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sim/board.h"
#include "sim/config.h"
#include "sim/vtime.h"
#include "archnames.h"
#include "tools.h"
#include "trace.h"

#define EXIT_HOST_ERROR 2
#define NO_ITEM UINT32_MAX
#define MAX_EVENTS (1u << 28)  /* keeps item and flow indices far below 2^32 */
#define MAX_DEPTH 8          /* open slices per hart (handlers + wfi) */
#define NLINES 0x900         /* interrupt lines a flow can wait on (x86: vectors and
                                delivery mode << 8, up to INIT de-assert 0x800) */
#define NMECH 8              /* enum trace_ipi_mech values, 0 = other */
#define LEVEL_WFI 0xff

enum fmt { FMT_PERFETTO, FMT_CHROME, FMT_VCD };
enum item_type { IT_BEGIN, IT_END, IT_INSTANT };
enum flow_role { FLOW_START, FLOW_STEP, FLOW_END };

/* One loaded event (blobs dropped). */
struct xev {
    uint64_t time, ns;
    uint64_t a[TRACE_MAX_ARGS];
    uint32_t cpu;
    uint16_t kind;
    uint8_t nopt;            /* optional arguments (x86 VMX vm.exit/vm.entry: vpid, inject) */
};

/* One thing drawn on a hart's track. */
struct item {
    uint64_t ns, order;      /* sorted by (ns, order); order is unique */
    uint32_t cpu, ev;        /* ev: the event it shows (NO_ITEM: an end at trace end) */
    uint32_t flow_first, nflow;
    uint8_t type;            /* enum item_type */
    uint8_t wfi_slice;       /* BEGIN/END of a wfi slice */
    /* hart state right after this item (VCD) */
    uint8_t priv, in_trap, in_wfi;
};

struct fpt {
    uint32_t item;
    uint8_t role;
    uint64_t id;
};

/* An IPI flow being matched: up to send, deliver, take. */
struct flow {
    uint32_t ev[3];
    uint8_t n;
    uint32_t src;            /* the sending CPU */
    uint32_t next;           /* intrusive list of its bucket */
};

/* VCD signals per hart, in declaration order: the architecture's interrupt
 * lines (0 .. nlines-1), then these. */
enum { SIG_IN_TRAP, SIG_WFI, SIG_PRIV, NSIG_HART_STATE };
static const char *const state_sig_names[NSIG_HART_STATE] = { "in_trap", "wfi", "priv" };
#define MAX_VCD_LINES 32
#define VAL_X 0xff

struct chg {
    uint64_t ns, order;
    uint32_t sig;
    uint8_t val;
};

struct hart_state {
    uint8_t level[MAX_DEPTH], from[MAX_DEPTH];
    unsigned depth;
    uint8_t priv;
    uint64_t last_ns;
};

struct exp {
    const char *path;
    struct config cfg;
    unsigned ncpus;
    const struct arch_info *arch; /* NULL: unknown, numbers only */
    const struct arch_vcd_line *lines; /* VCD interrupt-line wires */
    unsigned nlines;
    struct xev *ev;
    size_t nev, evcap;
    uint64_t end_ns;
    struct item *it;
    size_t nit, itcap;
    struct fpt *fp;
    size_t nfp, fpcap;
    uint32_t *anchor;        /* per event: its item, or NO_ITEM */
    uint32_t *perm;          /* items in output order */
    struct hart_state *hs;
    uint64_t nflows;
};

/* ---- small helpers ------------------------------------------------------- */

#define GROW(arr, len, cap)                                                  \
    do {                                                                     \
        if ((len) == (cap)) {                                                \
            (cap) = (cap) ? 2 * (cap) : 1024;                                \
            (arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                 \
        }                                                                    \
    } while (0)

static const char *priv_name(const struct exp *x, uint64_t p, char *buf, size_t len)
{
    const char *n = trace_arch_priv(x->arch, p);
    if (n)
        return n;
    snprintf(buf, len, "P%llu", (unsigned long long)p);
    return buf;
}

/* What the architecture calls its CPUs ("hart", "cpu"): track and wire
 * names. */
static const char *cpu_word(const struct exp *x)
{
    return x->arch && x->arch->cpu_word ? x->arch->cpu_word : "hart";
}

static const char *mech_name(uint64_t m)
{
    return trace_ipi_mech_name(m);
}

/* Arguments shown in hex (addresses, masks, raw values). */
static bool hex_arg(const char *name)
{
    static const char *const hex[] = {
        "pc", "tval", "gpa", "addr", "value", "deadline", "hash", "dest",
        "insn", "inst", "eid", "a0", "a1", "cause", "pending", "inject",
    };
    for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++)
        if (strcmp(name, hex[i]) == 0)
            return true;
    return false;
}

/* The display name of an item's event. */
static void item_name(const struct exp *x, const struct item *it, char *buf, size_t len)
{
    if (it->wfi_slice) {
        snprintf(buf, len, "wfi");
        return;
    }
    const struct xev *e = &x->ev[it->ev];
    char pb[24];
    switch (e->kind) {
    case TK_IRQ_TAKE:
    case TK_EXC_TAKE: {
        const char *cn = trace_arch_cause(x->arch, e->a[0]);
        const char *what = e->kind == TK_IRQ_TAKE ? "irq" : "exc";
        if (cn)
            snprintf(buf, len, "%s: %s %s", priv_name(x, e->a[2], pb, sizeof pb), what, cn);
        else
            snprintf(buf, len, "%s: %s 0x%llx", priv_name(x, e->a[2], pb, sizeof pb), what,
                     (unsigned long long)e->a[0]);
        break;
    }
    case TK_IPI_SEND:
    case TK_IPI_DELIVER: {
        const char *cls = trace_arch_ipi_class(x->arch, e->a[0]); /* x86: "ipi.send LAPIC INIT" */
        if (cls)
            snprintf(buf, len, "%s %s %s", trace_kinds[e->kind].name, mech_name(e->a[0]), cls);
        else
            snprintf(buf, len, "%s %s", trace_kinds[e->kind].name, mech_name(e->a[0]));
        break;
    }
    case TK_TIMER_SET:
    case TK_TIMER_FIRE: {
        const char *tn = trace_arch_timer(x->arch, e->a[0]);
        if (tn)
            snprintf(buf, len, "%s %s", trace_kinds[e->kind].name, tn);
        else
            snprintf(buf, len, "%s %llu", trace_kinds[e->kind].name, (unsigned long long)e->a[0]);
        break;
    }
    case TK_IRQ_CLAIM:
    case TK_IRQ_COMPLETE:
        snprintf(buf, len, "%s src=%llu", trace_kinds[e->kind].name, (unsigned long long)e->a[1]);
        break;
    case TK_SBI_CALL: {
        const char *fn, *ext = trace_arch_call(x->arch, e->a[0], e->a[1], &fn);
        if (ext && fn)
            snprintf(buf, len, "sbi %s.%s", ext, fn);
        else
            snprintf(buf, len, "sbi eid=0x%llx fid=%llu", (unsigned long long)e->a[0],
                     (unsigned long long)e->a[1]);
        break;
    }
    case TK_VM_EXIT: {
        const char *rn = trace_arch_vm_exit(x->arch, e->a[0]);
        if (rn)
            snprintf(buf, len, "vm.exit %s", rn);
        else
            snprintf(buf, len, "vm.exit reason=%llu", (unsigned long long)e->a[0]);
        break;
    }
    case TK_VM_ENTRY: {
        /* an entry that injects an event (x86 VMX, docs/trace-format.md
         * "Optional arguments"): "vm.entry inject EXT_INT vector=0x40" */
        uint64_t inj = e->nopt >= 4 && (e->a[TRACE_VM_ENTRY_INJECT] >> 31 & 1) ? e->a[TRACE_VM_ENTRY_INJECT] : 0;
        char text[48];
        if (inj && trace_arch_vm_inject(x->arch, inj, e->a[TRACE_VM_ENTRY_INJECT_ERR],
                                        e->a[TRACE_VM_ENTRY_INJECT_LEN], text, sizeof text))
            snprintf(buf, len, "vm.entry inject %s", text);
        else if (inj)
            snprintf(buf, len, "vm.entry inject=0x%llx", (unsigned long long)inj);
        else
            snprintf(buf, len, "vm.entry");
        break;
    }
    default:
        snprintf(buf, len, "%s", trace_kinds[e->kind].name);
        break;
    }
}

/* ---- loading ------------------------------------------------------------- */

static bool mswi_reg(const struct exp *x, const struct xev *e, unsigned *hart)
{
    /* A memory-space write (port writes have bit 1 of `write` set) to the
     * board's IPI register of a CPU (RISC-V: ACLINT MSWI msip). */
    if (e->kind != TK_MMIO || e->a[3] != 1 || e->a[1] != 4 || !x->cfg.board ||
        !x->cfg.board->ipi_register_cpu)
        return false;
    int h = x->cfg.board->ipi_register_cpu(&x->cfg, e->a[0]);
    if (h < 0 || h >= (int)x->ncpus)
        return false;
    *hart = (unsigned)h;
    return true;
}

static bool load(struct exp *x, char *err, size_t errlen)
{
    struct trace_reader *r = trace_reader_open(x->path, err, errlen);
    if (!r)
        return false;
    const struct trace_header *h = trace_reader_header(r);
    config_defaults(&x->cfg);
    char cerr[256];
    char what[600];
    snprintf(what, sizeof what, "%s (recorded config)", x->path);
    if (!config_parse_string(&x->cfg, h->config_ini ? h->config_ini : "", what, cerr,
                             sizeof cerr)) {
        snprintf(err, errlen, "%s", cerr);
        trace_reader_close(r);
        return false;
    }
    if (x->cfg.smp < 1 || x->cfg.smp > CONFIG_MAX_CPUS || x->cfg.cpu_hz == 0) {
        snprintf(err, errlen, "%s: recorded config has smp %d, cpu-hz %llu", x->path,
                 x->cfg.smp, (unsigned long long)x->cfg.cpu_hz);
        trace_reader_close(r);
        return false;
    }
    x->ncpus = (unsigned)x->cfg.smp;
    x->arch = arch_by_name(x->cfg.arch);
    x->lines = x->arch ? x->arch->vcd_lines : NULL;
    x->nlines = 0;
    while (x->lines && x->lines[x->nlines].name && x->nlines < MAX_VCD_LINES)
        x->nlines++;

    struct trace_event ev;
    int rc;
    uint64_t maxt = 0;
    while ((rc = trace_reader_next(r, &ev, err, errlen)) == 1) {
        if (ev.time > maxt)
            maxt = ev.time;
        if (ev.kind == TK_CHECK || ev.kind == TK_END)
            continue;
        if (ev.cpu == TRACE_NO_CPU)
            continue;
        if (ev.cpu >= x->ncpus) {
            snprintf(err, errlen, "%s: record %llu (%s) names cpu %u, but the machine has %u",
                     x->path, (unsigned long long)trace_reader_count(r) - 1,
                     trace_kinds[ev.kind].name, ev.cpu, x->ncpus);
            rc = -1;
            break;
        }
        struct xev e = { .time = ev.time, .cpu = ev.cpu, .kind = ev.kind, .nopt = ev.nopt };
        memcpy(e.a, ev.a, sizeof e.a);
        unsigned hart;
        if (ev.kind == TK_MMIO && !mswi_reg(x, &e, &hart))
            continue; /* only MSWI writes matter (VCD msip) */
        if (x->nev >= MAX_EVENTS) {
            snprintf(err, errlen, "%s: more than %u events: too many to export", x->path,
                     MAX_EVENTS);
            rc = -1;
            break;
        }
        e.ns = vtime_ticks_to_dev(ev.time, x->cfg.cpu_hz, 1000000000u);
        GROW(x->ev, x->nev, x->evcap);
        x->ev[x->nev++] = e;
    }
    trace_reader_close(r);
    if (rc < 0)
        return false;
    x->end_ns = vtime_ticks_to_dev(maxt, x->cfg.cpu_hz, 1000000000u);
    return true;
}

/* ---- slices and instants ------------------------------------------------- */

static uint32_t add_item(struct exp *x, uint32_t cpu, uint64_t ns, uint64_t order, uint32_t ev,
                         uint8_t type, bool wfi)
{
    GROW(x->it, x->nit, x->itcap);
    struct hart_state *s = &x->hs[cpu];
    bool trap = false, sleeping = false;
    for (unsigned i = 0; i < s->depth; i++) {
        if (s->level[i] == LEVEL_WFI)
            sleeping = true;
        else
            trap = true;
    }
    x->it[x->nit] = (struct item){
        .ns = ns, .order = order, .cpu = cpu, .ev = ev, .type = type, .wfi_slice = wfi,
        .priv = s->priv, .in_trap = trap, .in_wfi = sleeping,
    };
    return (uint32_t)x->nit++;
}

/* Ends the top open slice of a hart. */
static void pop(struct exp *x, uint32_t cpu, uint64_t ns, uint64_t order, uint32_t ev)
{
    struct hart_state *s = &x->hs[cpu];
    s->depth--;
    bool wfi = s->level[s->depth] == LEVEL_WFI;
    if (!wfi)
        s->priv = s->from[s->depth]; /* back where the trap came from */
    add_item(x, cpu, ns, order, ev, IT_END, wfi);
}

static void push(struct exp *x, uint32_t cpu, uint64_t ns, uint64_t order, uint32_t ev,
                 uint8_t level, uint8_t from)
{
    struct hart_state *s = &x->hs[cpu];
    if (s->depth == MAX_DEPTH) /* only odd privilege numbers get here */
        pop(x, cpu, ns, order++, ev);
    s->level[s->depth] = level;
    s->from[s->depth] = from;
    s->depth++;
    if (level != LEVEL_WFI)
        s->priv = level;
    uint32_t id = add_item(x, cpu, ns, order, ev, IT_BEGIN, level == LEVEL_WFI);
    if (level != LEVEL_WFI)
        x->anchor[ev] = id;
}

/* Where the timeline's privilege starts (VAL_X: unknown). */
static uint8_t reset_priv(const struct exp *x)
{
    return x->arch && x->arch->reset_priv >= 0 && x->arch->reset_priv < LEVEL_WFI
               ? (uint8_t)x->arch->reset_priv
               : VAL_X;
}

static uint8_t clamp_level(uint64_t p) { return p < LEVEL_WFI ? (uint8_t)p : LEVEL_WFI - 1; }

static void build_items(struct exp *x)
{
    x->hs = xrealloc(NULL, x->ncpus * sizeof(*x->hs));
    memset(x->hs, 0, x->ncpus * sizeof(*x->hs));
    for (unsigned c = 0; c < x->ncpus; c++)
        x->hs[c].priv = reset_priv(x);
    x->anchor = xrealloc(NULL, (x->nev ? x->nev : 1) * sizeof(*x->anchor));
    for (size_t i = 0; i < x->nev; i++)
        x->anchor[i] = NO_ITEM;

    for (size_t i = 0; i < x->nev; i++) {
        const struct xev *e = &x->ev[i];
        struct hart_state *s = &x->hs[e->cpu];
        uint64_t order = (uint64_t)i << 8;
        uint32_t ev = (uint32_t)i;
        switch (e->kind) {
        case TK_IRQ_TAKE:
        case TK_EXC_TAKE:
        case TK_WFI_SLEEP:
        case TK_WFI_WAKE: {
            /* the hart's own events: keep its slices in order on its track */
            uint64_t ns = e->ns > s->last_ns ? e->ns : s->last_ns;
            s->last_ns = ns;
            /* a wfi slice ends at the wake, or at whatever the hart does next */
            if (s->depth && s->level[s->depth - 1] == LEVEL_WFI)
                pop(x, e->cpu, ns, order++, ev);
            if (e->kind == TK_WFI_WAKE)
                break;
            if (e->kind == TK_WFI_SLEEP) {
                while (s->depth)
                    pop(x, e->cpu, ns, order++, ev);
                push(x, e->cpu, ns, order, ev, LEVEL_WFI, 0);
                break;
            }
            uint8_t from = clamp_level(TRACE_TAKE_PRIV(e->a[1])), to = clamp_level(e->a[2]);
            while (s->depth && (s->level[s->depth - 1] > from || s->level[s->depth - 1] >= to))
                pop(x, e->cpu, ns, order++, ev);
            s->priv = from;
            push(x, e->cpu, ns, order, ev, to, from);
            break;
        }
        case TK_IPI_SEND:
        case TK_IPI_DELIVER:
        case TK_IRQ_CLAIM:
        case TK_IRQ_COMPLETE:
        case TK_TIMER_SET:
        case TK_TIMER_FIRE:
        case TK_SBI_CALL:
        case TK_VM_EXIT:
        case TK_VM_ENTRY:
        case TK_INPUT:
            x->anchor[i] = add_item(x, e->cpu, e->ns, order | 0x80, ev, IT_INSTANT, false);
            break;
        default:
            break;
        }
    }
    /* close what is still open at the end of the trace */
    for (unsigned c = 0; c < x->ncpus; c++) {
        struct hart_state *s = &x->hs[c];
        uint64_t ns = x->end_ns > s->last_ns ? x->end_ns : s->last_ns;
        uint64_t order = ((uint64_t)x->nev << 8) + (uint64_t)c * MAX_DEPTH;
        while (s->depth)
            pop(x, c, ns, order++, NO_ITEM);
    }
}

/* ---- IPI flows ----------------------------------------------------------- */

static bool direct_mech(uint64_t m)
{
    return m == IPI_MECH_MSWI || m == IPI_MECH_SSWI || m == IPI_MECH_LAPIC || m == IPI_MECH_HVIP;
}


static void add_fpt(struct exp *x, uint32_t item, uint8_t role, uint64_t id)
{
    GROW(x->fp, x->nfp, x->fpcap);
    x->fp[x->nfp++] = (struct fpt){ .item = item, .role = role, .id = id };
}

/* Turns a matched flow into flow points, leaving out backward steps. */
static void emit_flow(struct exp *x, const struct flow *f)
{
    uint32_t items[3];
    unsigned n = 0;
    for (unsigned i = 0; i < f->n; i++) {
        uint32_t it = x->anchor[f->ev[i]];
        if (it == NO_ITEM)
            continue;
        if (n && x->it[it].ns < x->it[items[n - 1]].ns)
            continue;
        items[n++] = it;
    }
    if (n < 2)
        return;
    uint64_t id = ++x->nflows;
    for (unsigned i = 0; i < n; i++)
        add_fpt(x, items[i], i == 0 ? FLOW_START : i == n - 1 ? FLOW_END : FLOW_STEP, id);
}

/* Ends every flow of a bucket at event ev (NO_ITEM: where they got). */
static void end_bucket(struct exp *x, struct flow *fl, uint32_t *head, uint32_t ev)
{
    for (uint32_t f = *head; f != NO_ITEM; f = fl[f].next) {
        if (ev != NO_ITEM)
            fl[f].ev[fl[f].n++] = ev;
        emit_flow(x, &fl[f]);
    }
    *head = NO_ITEM;
}

static void build_flows(struct exp *x)
{
    /* per CPU: NMECH lists of sends waiting for a deliver, by mechanism,
     * then NLINES lists of delivered sends waiting for an irq.take */
    size_t nb = (size_t)x->ncpus * (NMECH + NLINES);
    uint32_t *head = xrealloc(NULL, nb * sizeof(*head));
    for (size_t i = 0; i < nb; i++)
        head[i] = NO_ITEM;
#define WAIT_DELIVER(c, m) head[(size_t)(c) * (NMECH + NLINES) + (m)]
#define WAIT_TAKE(c, l) head[(size_t)(c) * (NMECH + NLINES) + NMECH + (l)]
    struct flow *fl = NULL;
    size_t nfl = 0, flcap = 0;

    for (size_t i = 0; i < x->nev; i++) {
        const struct xev *e = &x->ev[i];
        uint32_t ev = (uint32_t)i;
        if (e->kind == TK_IPI_SEND) {
            uint64_t mech = TRACE_IPI_MECH(e->a[0]) < NMECH ? TRACE_IPI_MECH(e->a[0]) : 0;
            uint64_t want = mech == IPI_MECH_SBI ? IPI_MECH_SIP : mech;
            for (unsigned d = 0; d < x->ncpus && d < 64; d++) {
                if (!(e->a[1] >> d & 1))
                    continue;
                GROW(fl, nfl, flcap);
                fl[nfl] = (struct flow){ .ev = { ev }, .n = 1, .src = e->cpu,
                                         .next = WAIT_DELIVER(d, want) };
                WAIT_DELIVER(d, want) = (uint32_t)nfl++;
            }
        } else if (e->kind == TK_IPI_DELIVER) {
            uint64_t mech = TRACE_IPI_MECH(e->a[0]) < NMECH ? TRACE_IPI_MECH(e->a[0]) : 0;
            uint64_t line = e->a[1];
            uint32_t f = WAIT_DELIVER(e->cpu, mech), keep = NO_ITEM, *tail = &keep;
            while (f != NO_ITEM) {
                uint32_t next = fl[f].next;
                if (mech != IPI_MECH_SIP && fl[f].src != e->a[2]) {
                    *tail = f; /* someone else's send: still waiting */
                    tail = &fl[f].next;
                } else {
                    fl[f].ev[fl[f].n++] = ev;
                    if (line < NLINES) {
                        fl[f].next = WAIT_TAKE(e->cpu, line);
                        WAIT_TAKE(e->cpu, line) = f;
                    } else {
                        emit_flow(x, &fl[f]);
                    }
                }
                f = next;
            }
            *tail = NO_ITEM;
            WAIT_DELIVER(e->cpu, mech) = keep;
        } else if (e->kind == TK_IRQ_TAKE && trace_arch_cause_line(x->arch, e->a[0]) >= 0 &&
                   trace_arch_cause_line(x->arch, e->a[0]) < NLINES) {
            int line = trace_arch_cause_line(x->arch, e->a[0]);
            end_bucket(x, fl, &WAIT_TAKE(e->cpu, line), ev);
            /* direct sends that found the line pending (no deliver) */
            for (uint64_t m = 1; m < NMECH; m++)
                if (direct_mech(m) && trace_arch_ipi_line(x->arch, m) == line)
                    end_bucket(x, fl, &WAIT_DELIVER(e->cpu, m), ev);
        }
    }
    /* flows that never reached an irq.take: drawn as far as they got */
    for (size_t b = 0; b < nb; b++)
        end_bucket(x, fl, &head[b], NO_ITEM);
#undef WAIT_DELIVER
#undef WAIT_TAKE
    free(fl);
    free(head);
}

/* ---- ordering ------------------------------------------------------------ */

static int cmp_items(const void *pa, const void *pb, void *arg)
{
    const struct item *it = arg;
    const struct item *a = &it[*(const uint32_t *)pa], *b = &it[*(const uint32_t *)pb];
    if (a->ns != b->ns)
        return a->ns < b->ns ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_fpt(const void *pa, const void *pb)
{
    const struct fpt *a = pa, *b = pb;
    if (a->item != b->item)
        return a->item < b->item ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static void order_items(struct exp *x)
{
    x->perm = xrealloc(NULL, (x->nit ? x->nit : 1) * sizeof(*x->perm));
    for (size_t i = 0; i < x->nit; i++)
        x->perm[i] = (uint32_t)i;
    qsort_r(x->perm, x->nit, sizeof(*x->perm), cmp_items, x->it);
    if (x->nfp) /* fp is NULL without flows: qsort(NULL, 0) is undefined */
        qsort(x->fp, x->nfp, sizeof(*x->fp), cmp_fpt);
    for (size_t i = 0; i < x->nfp; i++) {
        struct item *it = &x->it[x->fp[i].item];
        if (it->nflow++ == 0)
            it->flow_first = (uint32_t)i;
    }
}

/* ---- perfetto ------------------------------------------------------------ */

/* A growable protobuf message (proto encoding: varint keys, wire types
 * 0 varint, 1 fixed64, 2 length-delimited). */
struct pb {
    uint8_t *b;
    size_t len, cap;
};

static void pb_need(struct pb *p, size_t n)
{
    if (p->len + n > p->cap) {
        size_t c = p->cap ? p->cap : 256;
        while (c < p->len + n)
            c *= 2;
        p->b = xrealloc(p->b, c);
        p->cap = c;
    }
}

static void pb_varint(struct pb *p, uint64_t v)
{
    pb_need(p, 10);
    while (v >= 0x80) {
        p->b[p->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p->b[p->len++] = (uint8_t)v;
}

static void pb_key(struct pb *p, unsigned field, unsigned wt) { pb_varint(p, (uint64_t)field << 3 | wt); }

static void pb_uint(struct pb *p, unsigned field, uint64_t v)
{
    pb_key(p, field, 0);
    pb_varint(p, v);
}

static void pb_fixed64(struct pb *p, unsigned field, uint64_t v)
{
    pb_key(p, field, 1);
    pb_need(p, 8);
    for (int i = 0; i < 8; i++)
        p->b[p->len++] = (uint8_t)(v >> (8 * i));
}

static void pb_bytes(struct pb *p, unsigned field, const void *d, size_t n)
{
    pb_key(p, field, 2);
    pb_varint(p, n);
    pb_need(p, n);
    memcpy(p->b + p->len, d, n);
    p->len += n;
}

static void pb_str(struct pb *p, unsigned field, const char *s) { pb_bytes(p, field, s, strlen(s)); }
static void pb_msg(struct pb *p, unsigned field, const struct pb *m) { pb_bytes(p, field, m->b, m->len); }

/* Field numbers (perfetto protos, see the top of this file). */
enum {
    TRACE_PACKET = 1,
    PKT_TIMESTAMP = 8, PKT_SEQ_ID = 10, PKT_TRACK_EVENT = 11, PKT_SEQ_FLAGS = 13,
    PKT_TRACK_DESCRIPTOR = 60,
    TD_UUID = 1, TD_NAME = 2, TD_PROCESS = 3, TD_THREAD = 4,
    PD_PID = 1, PD_PROCESS_NAME = 6,
    THD_PID = 1, THD_TID = 2, THD_THREAD_NAME = 5,
    TE_DEBUG_ANNOTATIONS = 4, TE_TYPE = 9, TE_TRACK_UUID = 11, TE_CATEGORIES = 22,
    TE_NAME = 23, TE_FLOW_IDS = 47, TE_TERMINATING_FLOW_IDS = 48,
    DA_UINT = 3, DA_POINTER = 7, DA_NAME = 10,
    TE_TYPE_SLICE_BEGIN = 1, TE_TYPE_SLICE_END = 2, TE_TYPE_INSTANT = 3,
    SEQ_INCREMENTAL_STATE_CLEARED = 1,
};
#define PF_SEQ 1
#define PF_PROCESS_UUID 1
#define PF_HART_UUID(c) (0x100u + (c))

struct pf {
    FILE *f;
    struct pb pkt, body, sub, ann;
    bool first;
};

static void pf_packet(struct pf *w)
{
    if (w->first) {
        pb_uint(&w->pkt, PKT_SEQ_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
        w->first = false;
    }
    struct pb out = { 0 };
    pb_msg(&out, TRACE_PACKET, &w->pkt);
    fwrite(out.b, 1, out.len, w->f);
    free(out.b);
    w->pkt.len = 0;
}

static void write_perfetto(const struct exp *x, FILE *f)
{
    struct pf w = { .f = f, .first = true };
    char name[96];

    /* the process: the machine */
    w.body.len = w.sub.len = 0;
    pb_uint(&w.body, TD_UUID, PF_PROCESS_UUID);
    snprintf(name, sizeof name, "hvsim %s", x->cfg.name);
    pb_uint(&w.sub, PD_PID, 1);
    pb_str(&w.sub, PD_PROCESS_NAME, name);
    pb_msg(&w.body, TD_PROCESS, &w.sub);
    pb_uint(&w.pkt, PKT_SEQ_ID, PF_SEQ);
    pb_msg(&w.pkt, PKT_TRACK_DESCRIPTOR, &w.body);
    pf_packet(&w);

    /* one thread track per hart; tid = hart + 1 (tid 0 means the idle task) */
    for (unsigned c = 0; c < x->ncpus; c++) {
        w.body.len = w.sub.len = 0;
        snprintf(name, sizeof name, "%s %u", cpu_word(x), c);
        pb_uint(&w.body, TD_UUID, PF_HART_UUID(c));
        pb_str(&w.body, TD_NAME, name);
        pb_uint(&w.sub, THD_PID, 1);
        pb_uint(&w.sub, THD_TID, c + 1);
        pb_str(&w.sub, THD_THREAD_NAME, name);
        pb_msg(&w.body, TD_THREAD, &w.sub);
        pb_uint(&w.pkt, PKT_SEQ_ID, PF_SEQ);
        pb_msg(&w.pkt, PKT_TRACK_DESCRIPTOR, &w.body);
        pf_packet(&w);
    }

    for (size_t k = 0; k < x->nit; k++) {
        const struct item *it = &x->it[x->perm[k]];
        w.body.len = 0;
        pb_uint(&w.body, TE_TYPE,
                it->type == IT_BEGIN ? TE_TYPE_SLICE_BEGIN
                : it->type == IT_END ? TE_TYPE_SLICE_END
                                     : TE_TYPE_INSTANT);
        pb_uint(&w.body, TE_TRACK_UUID, PF_HART_UUID(it->cpu));
        if (it->type != IT_END) {
            item_name(x, it, name, sizeof name);
            pb_str(&w.body, TE_NAME, name);
            if (!it->wfi_slice) {
                const struct xev *e = &x->ev[it->ev];
                pb_str(&w.body, TE_CATEGORIES, trace_kinds[e->kind].group);
                for (unsigned a = 0; a < trace_kinds[e->kind].nargs + e->nopt; a++) {
                    char an[16];
                    trace_arg_name(e->kind, a, an, sizeof an);
                    w.ann.len = 0;
                    pb_str(&w.ann, DA_NAME, an);
                    pb_uint(&w.ann, hex_arg(an) ? DA_POINTER : DA_UINT, e->a[a]);
                    pb_msg(&w.body, TE_DEBUG_ANNOTATIONS, &w.ann);
                }
            } else {
                pb_str(&w.body, TE_CATEGORIES, "wfi");
            }
        }
        for (uint32_t j = 0; j < it->nflow; j++) {
            const struct fpt *p = &x->fp[it->flow_first + j];
            pb_fixed64(&w.body, p->role == FLOW_END ? TE_TERMINATING_FLOW_IDS : TE_FLOW_IDS,
                       p->id);
        }
        pb_uint(&w.pkt, PKT_TIMESTAMP, it->ns);
        pb_uint(&w.pkt, PKT_SEQ_ID, PF_SEQ);
        pb_msg(&w.pkt, PKT_TRACK_EVENT, &w.body);
        pf_packet(&w);
    }
    free(w.pkt.b);
    free(w.body.b);
    free(w.sub.b);
    free(w.ann.b);
}

/* ---- chrome JSON --------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* ts in microseconds with three fractional digits (ns resolution). */
static void json_ts(FILE *f, uint64_t ns)
{
    fprintf(f, "\"ts\":%llu.%03llu", (unsigned long long)(ns / 1000),
            (unsigned long long)(ns % 1000));
}

static void json_args(FILE *f, const struct xev *e)
{
    fputs(",\"args\":{", f);
    for (unsigned a = 0; a < trace_kinds[e->kind].nargs + e->nopt; a++) {
        char an[16];
        trace_arg_name(e->kind, a, an, sizeof an);
        fprintf(f, "%s\"%s\":", a ? "," : "", an);
        /* JSON numbers are doubles: big or address-like values as hex strings */
        if (hex_arg(an) || e->a[a] > (1ull << 53))
            fprintf(f, "\"0x%llx\"", (unsigned long long)e->a[a]);
        else
            fprintf(f, "%llu", (unsigned long long)e->a[a]);
    }
    fputc('}', f);
}

static void write_chrome(const struct exp *x, FILE *f)
{
    char name[96];
    fputs("{\"traceEvents\":[\n", f);
    snprintf(name, sizeof name, "hvsim %s", x->cfg.name);
    fputs("{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":", f);
    json_str(f, name);
    fputs("}}", f);
    for (unsigned c = 0; c < x->ncpus; c++) {
        fprintf(f, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_name\","
                   "\"args\":{\"name\":\"%s %u\"}}", c, cpu_word(x), c);
        fprintf(f, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_sort_index\","
                   "\"args\":{\"sort_index\":%u}}", c, c);
    }
    for (size_t k = 0; k < x->nit; k++) {
        const struct item *it = &x->it[x->perm[k]];
        fprintf(f, ",\n{\"pid\":1,\"tid\":%u,", it->cpu);
        json_ts(f, it->ns);
        if (it->type == IT_END) {
            fputs(",\"ph\":\"E\"}", f);
        } else {
            item_name(x, it, name, sizeof name);
            const struct xev *e = it->wfi_slice ? NULL : &x->ev[it->ev];
            const char *cat = e ? trace_kinds[e->kind].group : "wfi";
            if (it->type == IT_BEGIN)
                fputs(",\"ph\":\"B\"", f);
            else if (e && (e->kind == TK_IPI_SEND || e->kind == TK_IPI_DELIVER))
                fputs(",\"ph\":\"X\",\"dur\":0", f); /* a slice, for flows to bind to */
            else
                fputs(",\"ph\":\"i\",\"s\":\"t\"", f);
            fprintf(f, ",\"cat\":\"%s\",\"name\":", cat);
            json_str(f, name);
            if (e)
                json_args(f, e);
            fputc('}', f);
        }
        for (uint32_t j = 0; j < it->nflow; j++) {
            const struct fpt *p = &x->fp[it->flow_first + j];
            static const char ph[3] = { 's', 't', 'f' };
            fprintf(f, ",\n{\"ph\":\"%c\",\"pid\":1,\"tid\":%u,", ph[p->role], it->cpu);
            json_ts(f, it->ns);
            fprintf(f, ",\"cat\":\"ipi\",\"name\":\"ipi\",\"id\":%llu%s}",
                    (unsigned long long)p->id, p->role == FLOW_START ? "" : ",\"bp\":\"e\"");
        }
    }
    fputs("\n],\"displayTimeUnit\":\"ns\"}\n", f);
}

/* ---- VCD ----------------------------------------------------------------- */

static int cmp_chg(const void *pa, const void *pb)
{
    const struct chg *a = pa, *b = pb;
    if (a->ns != b->ns)
        return a->ns < b->ns ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

struct vcd_build {
    struct chg *c;
    size_t n, cap;
    uint64_t *last;          /* per signal: time of its latest change */
};

static void vcd_change(struct vcd_build *v, uint32_t sig, uint64_t ns, uint64_t order, uint8_t val)
{
    if (ns < v->last[sig])
        ns = v->last[sig];
    v->last[sig] = ns;
    GROW(v->c, v->n, v->cap);
    v->c[v->n++] = (struct chg){ .ns = ns, .order = order, .sig = sig, .val = val };
}

/* VCD identifier codes: printable ASCII 33..126, base 94 (IEEE 1364 §18.2.1). */
static void vcd_id(uint32_t sig, char out[8])
{
    int n = 0;
    do {
        out[n++] = (char)(33 + sig % 94);
        sig /= 94;
    } while (sig && n < 7);
    out[n] = 0;
}

/* Signals per hart, and the index of a hart-state signal. */
static uint32_t nsig_hart(const struct exp *x) { return x->nlines + NSIG_HART_STATE; }
static uint32_t state_sig(const struct exp *x, unsigned which) { return x->nlines + which; }

static void vcd_value(const struct exp *x, FILE *f, uint32_t sig, uint8_t val)
{
    char id[8];
    vcd_id(sig, id);
    if (sig % nsig_hart(x) == state_sig(x, SIG_PRIV)) {
        if (val == VAL_X)
            fprintf(f, "bxx %s\n", id);
        else
            fprintf(f, "b%d%d %s\n", (val >> 1) & 1, val & 1, id);
    } else {
        fprintf(f, "%c%s\n", val == VAL_X ? 'x' : (char)('0' + val), id);
    }
}

static void write_vcd(const struct exp *x, FILE *f)
{
    const uint32_t nper = nsig_hart(x), sig_priv = state_sig(x, SIG_PRIV);
    uint32_t nsig = x->ncpus * nper;
    struct vcd_build v = { 0 };
    v.last = xrealloc(NULL, nsig * sizeof(*v.last));
    memset(v.last, 0, nsig * sizeof(*v.last));
    uint8_t *cur = xrealloc(NULL, nsig), *shown = xrealloc(NULL, nsig);
    for (uint32_t s = 0; s < nsig; s++)
        cur[s] = s % nper == sig_priv ? reset_priv(x) : 0;

    /* pending bits, in file order */
    for (size_t i = 0; i < x->nev; i++) {
        const struct xev *e = &x->ev[i];
        uint32_t base = e->cpu * nper;
        uint64_t order = (uint64_t)i << 8 | 0x40;
        unsigned hart;
        for (uint32_t l = 0; l < x->nlines; l++) {
            const struct arch_vcd_line *w = &x->lines[l];
            switch (e->kind) {
            case TK_IPI_DELIVER:
                if (w->timer < 0 && e->a[1] == (uint64_t)w->line)
                    vcd_change(&v, base + l, e->ns, order, 1);
                break;
            case TK_IRQ_TAKE:
                if (w->timer < 0 && trace_arch_cause_line(x->arch, e->a[0]) == w->line)
                    vcd_change(&v, base + l, e->ns, order, 0);
                break;
            case TK_MMIO:
                if (w->timer < 0 && trace_arch_ipi_line(x->arch, IPI_MECH_MSWI) == w->line &&
                    mswi_reg(x, e, &hart))
                    vcd_change(&v, hart * nper + l, e->ns, order, e->a[2] & 1);
                break;
            case TK_TIMER_FIRE:
            case TK_TIMER_SET:
                if (w->timer < 0 || e->a[0] != (uint64_t)w->timer)
                    break;
                if (e->kind == TK_TIMER_FIRE)
                    vcd_change(&v, base + l, e->ns, order, 1);
                else if (e->a[2] > e->time)
                    vcd_change(&v, base + l, e->ns, order, 0);
                break;
            default:
                break;
            }
        }
    }
    /* hart state from the slices (already in order per hart) */
    for (size_t i = 0; i < x->nit; i++) {
        const struct item *it = &x->it[i];
        if (it->type == IT_INSTANT || it->ev == NO_ITEM)
            continue; /* slices closed by the end of the trace: state unknown */
        uint32_t base = it->cpu * nper;
        vcd_change(&v, base + state_sig(x, SIG_IN_TRAP), it->ns, it->order, it->in_trap);
        vcd_change(&v, base + state_sig(x, SIG_WFI), it->ns, it->order, it->in_wfi);
        vcd_change(&v, base + sig_priv, it->ns, it->order, it->priv > 3 ? VAL_X : it->priv);
    }
    qsort(v.c, v.n, sizeof(*v.c), cmp_chg);

    char mname[sizeof x->cfg.name];
    size_t mn = 0;
    for (const char *p = x->cfg.name; *p && mn + 1 < sizeof mname; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            mname[mn++] = *p; /* nothing that could read as "$end" */
    mname[mn] = 0;
    fprintf(f, "$version hvsim trace export $end\n"
               "$comment machine %s, %u %ss, cpu-hz %llu $end\n"
               "$timescale 1 ns $end\n"
               "$scope module hvsim $end\n",
            mname, x->ncpus, cpu_word(x), (unsigned long long)x->cfg.cpu_hz);
    for (uint32_t s = 0; s < nsig; s++) {
        char id[8];
        vcd_id(s, id);
        uint32_t k = s % nper;
        if (k == sig_priv)
            fprintf(f, "$var wire 2 %s %s%u_priv [1:0] $end\n", id, cpu_word(x), s / nper);
        else
            fprintf(f, "$var wire 1 %s %s%u_%s $end\n", id, cpu_word(x), s / nper,
                    k < x->nlines ? x->lines[k].name : state_sig_names[k - x->nlines]);
    }
    fputs("$upscope $end\n$enddefinitions $end\n", f);

    size_t i = 0;
    for (; i < v.n && v.c[i].ns == 0; i++)
        cur[v.c[i].sig] = v.c[i].val;
    fputs("#0\n$dumpvars\n", f);
    for (uint32_t s = 0; s < nsig; s++)
        vcd_value(x, f, s, cur[s]);
    fputs("$end\n", f);
    memcpy(shown, cur, nsig);
    uint64_t last_ns = 0;
    while (i < v.n) {
        uint64_t ns = v.c[i].ns;
        size_t j = i;
        for (; j < v.n && v.c[j].ns == ns; j++)
            cur[v.c[j].sig] = v.c[j].val;
        bool stamped = false;
        for (size_t k = i; k < j; k++) {
            uint32_t s = v.c[k].sig;
            if (cur[s] == shown[s])
                continue;
            if (!stamped) {
                fprintf(f, "#%llu\n", (unsigned long long)ns);
                stamped = true;
                last_ns = ns;
            }
            vcd_value(x, f, s, cur[s]);
            shown[s] = cur[s];
        }
        i = j;
    }
    if (x->end_ns > last_ns)
        fprintf(f, "#%llu\n", (unsigned long long)x->end_ns);
    free(v.c);
    free(v.last);
    free(cur);
    free(shown);
}

/* ---- the command --------------------------------------------------------- */

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "hvsim: trace export: %s%s\n"
                    "Usage: hvsim trace export FILE --format perfetto|chrome|vcd -o OUT\n",
            msg, arg ? arg : "");
    return EXIT_HOST_ERROR;
}

static void exp_free(struct exp *x)
{
    free(x->ev);
    free(x->it);
    free(x->fp);
    free(x->anchor);
    free(x->perm);
    free(x->hs);
}

int trace_cmd_export(int argc, char **argv)
{
    const char *file = NULL, *format = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) {
            if (i + 1 >= argc)
                return usage("--format needs a value (perfetto, chrome or vcd)", NULL);
            format = argv[++i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            format = a + 9;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc)
                return usage("-o needs a file name", NULL);
            out = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            out = a + 9;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            puts("Usage: hvsim trace export FILE --format perfetto|chrome|vcd -o OUT\n"
                 "Writes the timeline of a trace for outside viewers: one track per hart\n"
                 "with trap-handler and wfi slices, instants for IPIs, timers, SBI calls\n"
                 "and VM exits, and flow arrows from each ipi.send to its ipi.deliver and\n"
                 "irq.take. perfetto: protobuf for ui.perfetto.dev; chrome: trace-event\n"
                 "JSON (chrome://tracing, Perfetto); vcd: pending bits, privilege, wfi\n"
                 "per hart as waveforms (GTKWave). -o - writes to standard output.");
            return 0;
        } else if (a[0] == '-' && a[1] != 0) {
            return usage("unknown option ", a);
        } else if (file) {
            return usage("unexpected argument ", a);
        } else {
            file = a;
        }
    }
    if (!file)
        return usage("missing trace file", NULL);
    if (!format)
        return usage("missing --format (perfetto, chrome or vcd)", NULL);
    if (!out)
        return usage("missing -o OUT", NULL);
    enum fmt fmt;
    if (strcmp(format, "perfetto") == 0)
        fmt = FMT_PERFETTO;
    else if (strcmp(format, "chrome") == 0 || strcmp(format, "json") == 0)
        fmt = FMT_CHROME;
    else if (strcmp(format, "vcd") == 0)
        fmt = FMT_VCD;
    else
        return usage("unknown --format ", format);
    if (!*out)
        return usage("-o: empty file name", NULL);

    struct exp x = { .path = file };
    char err[1024];
    if (!load(&x, err, sizeof err)) {
        fprintf(stderr, "hvsim: trace export: %s\n", err);
        exp_free(&x);
        return EXIT_HOST_ERROR;
    }
    build_items(&x);
    build_flows(&x);
    order_items(&x);

    bool to_stdout = strcmp(out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out, "wb");
    if (!f) {
        fprintf(stderr, "hvsim: trace export: -o %s: %s\n", out, strerror(errno));
        exp_free(&x);
        return EXIT_HOST_ERROR;
    }
    switch (fmt) {
    case FMT_PERFETTO: write_perfetto(&x, f); break;
    case FMT_CHROME: write_chrome(&x, f); break;
    case FMT_VCD: write_vcd(&x, f); break;
    }
    exp_free(&x);
    bool ok = fflush(f) == 0 && !ferror(f);
    int werr = errno;
    if (!to_stdout && fclose(f) != 0 && ok) {
        ok = false;
        werr = errno;
    }
    if (!ok) {
        fprintf(stderr, "hvsim: trace export: -o %s: write error: %s\n", out, strerror(werr));
        struct stat st;
        if (!to_stdout && stat(out, &st) == 0 && S_ISREG(st.st_mode))
            remove(out); /* no partial file (but never a device like /dev/full) */
        return EXIT_HOST_ERROR;
    }
    return 0;
}
