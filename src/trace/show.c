/* `hvsim trace show FILE [--events LIST] [--hart N[,N..]] [--from T] [--to T]
 * [--no-disasm] [--syntax NAME]`: the timeline as text, one event per line,
 * with argument names decoded (IPI mechanisms and their detail such as the
 * x86 ICR's delivery mode and vector, destination sets, trap causes,
 * privilege levels, SBI calls), code addresses symbolised from the recorded
 * images and the instruction at the pc disassembled (x86: Intel syntax, or
 * AT&T with --syntax att; an architecture with one syntax refuses
 * --syntax). */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archnames.h"
#include "symbols.h"
#include "tools.h"
#include "trace.h"

#define MAX_HARTS 64

static const char usage[] =
    "Usage: hvsim trace show FILE [--events LIST] [--hart N[,N...]] [--from T] [--to T]"
    " [--no-disasm] [--syntax intel|att]\n"
    "  --syntax    x86 assembly syntax (default intel); not for riscv64 traces\n";

/* What the header's machine config says (only the keys show needs). */
struct machine_info {
    char name[64], arch[32];
    uint64_t hz, smp;
};

static int info_handler(void *user, const char *section, const char *name, const char *value)
{
    struct machine_info *mi = user;
    if (strcmp(section, "machine") != 0)
        return 1;
    if (strcmp(name, "name") == 0)
        snprintf(mi->name, sizeof mi->name, "%s", value);
    else if (strcmp(name, "arch") == 0)
        snprintf(mi->arch, sizeof mi->arch, "%s", value);
    else if (strcmp(name, "cpu-hz") == 0)
        mi->hz = strtoull(value, NULL, 0);
    else if (strcmp(name, "smp") == 0)
        mi->smp = strtoull(value, NULL, 0);
    return 1;
}

struct show {
    struct machine_info mi;
    const struct arch_info *arch; /* NULL: unknown, numbers only */
    bool disasm;
    unsigned syntax;              /* trace_arch_syntax number (0: default) */
    const struct symtab *syms;
};

/* ---- names ---- */

static const char *mech_name(uint64_t mech)
{
    const char *n = trace_ipi_mech_name(mech);
    return n[0] == '?' ? NULL : n;
}

/* ---- output buffer ---- */

struct line {
    char buf[1024];
    size_t n;
};

__attribute__((format(printf, 2, 3)))
static void out(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->buf + l->n, sizeof l->buf - l->n, fmt, ap); /* l->n < size */
    va_end(ap);
    if (k > 0)
        l->n += (size_t)k;
    if (l->n >= sizeof l->buf)
        l->n = sizeof l->buf - 1;
}

static void out_hex(struct line *l, const char *name, uint64_t v)
{
    out(l, " %s=0x%llx", name, (unsigned long long)v);
}

/* A vm.exit / vm.entry guest id: -1 (no guest ran: a failed VM entry) as
 * "none" */
static void out_vmid(struct line *l, uint64_t v)
{
    if (v == UINT64_MAX)
        out(l, " vmid=none");
    else
        out(l, " vmid=%llu", (unsigned long long)v);
}

static void out_harts(struct line *l, uint64_t mask)
{
    out(l, "{");
    bool first = true;
    for (unsigned i = 0; i < 64; i++)
        if (mask >> i & 1) {
            out(l, "%s%u", first ? "" : ",", i);
            first = false;
        }
    out(l, "}");
}

static void out_cause(struct line *l, const struct show *s, uint64_t cause)
{
    const char *n = trace_arch_cause(s->arch, cause);
    if (n)
        out(l, " cause=%s", n);
    else
        out_hex(l, "cause", cause);
}

static void out_priv(struct line *l, const struct show *s, uint64_t from, uint64_t to)
{
    const char *f = trace_arch_priv(s->arch, from), *t = trace_arch_priv(s->arch, to);
    if (f && t)
        out(l, " %s->%s", f, t);
    else
        out(l, " from=%llu to=%llu", (unsigned long long)from, (unsigned long long)to);
}

/* " vm86": the code mode of a take's "from" (bits 15:8), when named */
static void out_mode(struct line *l, const struct show *s, uint64_t from)
{
    const char *n = trace_arch_mode(s->arch, TRACE_TAKE_MODE(from));
    if (n)
        out(l, " %s", n);
}

/* " pc=0x... at sym+0xoff: insn"; mode: the code mode the event recorded
 * (TRACE_TAKE_MODE; 0 = the architecture's default), passed to the
 * disassembler in bits 15:8 of the syntax number (src/sim/arch.h) */
static void out_pc_mode(struct line *l, const struct show *s, uint64_t pc, uint64_t insn, unsigned mode)
{
    out_hex(l, "pc", pc);
    uint64_t off;
    const char *sym = s->syms ? symtab_lookup(s->syms, pc, &off) : NULL;
    if (sym)
        out(l, " at %s+0x%llx", sym, (unsigned long long)off);
    if (!s->disasm || !s->arch)
        return;
    char text[96];
    text[0] = 0;
    size_t got = 0;
    unsigned sx = s->syntax | mode << 8;
    if (insn)
        got = trace_arch_disasm_bits_as(s->arch, sx, insn, pc, text, sizeof text);
    /* not recorded, or cut to 8 bytes (an x86 instruction of 9-15 bytes,
     * e.g. movabs [moffs64], eax): the recorded image's bytes at pc */
    if (!insn || (!got && s->arch->max_insn_len > 8)) {
        uint8_t code[16];
        size_t n = s->syms ? symtab_read_code(s->syms, pc, code, sizeof code) : 0;
        bool same = n >= 8; /* the image must hold the recorded bytes */
        for (unsigned i = 0; insn && same && i < 8; i++)
            same = code[i] == (uint8_t)(insn >> (8 * i));
        if (!insn || same)
            trace_arch_disasm_as(s->arch, sx, code, n, pc, text, sizeof text);
    }
    if (text[0])
        out(l, ": %s", text);
}

static void out_pc(struct line *l, const struct show *s, uint64_t pc, uint64_t insn)
{
    out_pc_mode(l, s, pc, insn, 0);
}

/* A guest (V=1) pc is a guest virtual address: the host images say nothing
 * about it, so it gets no symbol; insn (if known) is still disassembled. */
static void out_guest_pc(struct line *l, const struct show *s, uint64_t pc, uint64_t insn)
{
    out_hex(l, "pc", pc);
    out(l, " (guest)");
    char text[96];
    if (s->disasm && trace_arch_disasm_bits_as(s->arch, s->syntax, insn, pc, text, sizeof text))
        out(l, ": %s", text);
}

/* Traced privileges 4 (VU) and 5 (VS) run with V=1. */
static bool guest_priv(uint64_t priv) { return priv >= 4; }

static void out_irq_line(struct line *l, const struct show *s, uint64_t line)
{
    const char *n = trace_arch_line(s->arch, line);
    if (n)
        out(l, " line=%s", n);
    else
        out(l, " line=%llu", (unsigned long long)line);
}

static void format_event(struct line *l, const struct show *s, const struct trace_event *ev)
{
    const uint64_t *a = ev->a;
    switch (ev->kind) {
    case TK_IPI_SEND: {
        const char *m = mech_name(a[0]);
        if (m)
            out(l, " %s", m);
        else
            out(l, " mech=%llu", (unsigned long long)TRACE_IPI_MECH(a[0]));
        /* the mechanism's detail (x86: the ICR's delivery mode, vector,
         * destination form), numbers when the architecture cannot name it */
        char detail[96];
        if (trace_arch_ipi_detail(s->arch, a[0], detail, sizeof detail))
            out(l, " %s", detail);
        else if (TRACE_IPI_DETAIL(a[0]))
            out_hex(l, "detail", TRACE_IPI_DETAIL(a[0]));
        out(l, " dest=");
        if (a[1] == 0 && a[0] == IPI_MECH_SBI)
            out(l, "?"); /* legacy send_ipi: the mask is in guest memory */
        else
            out_harts(l, a[1]);
        if (a[0] == IPI_MECH_VSBI) {
            out_guest_pc(l, s, a[2], a[3]); /* dest: the guest's vCPU numbers */
        } else {
            const char *mn = trace_arch_mode(s->arch, TRACE_IPI_MODE(a[0])); /* x86: " real" */
            if (mn)
                out(l, " %s", mn);
            out_pc_mode(l, s, a[2], a[3], TRACE_IPI_MODE(a[0]));
        }
        break;
    }
    case TK_IPI_DELIVER: {
        const char *m = mech_name(a[0]);
        if (m)
            out(l, " %s", m);
        else
            out(l, " mech=%llu", (unsigned long long)a[0]);
        out_irq_line(l, s, a[1]);
        if (TRACE_IPI_MECH(a[0]) == IPI_MECH_POSTED) /* the notification vector */
            out(l, " notify=0x%02llx", (unsigned long long)(TRACE_IPI_DETAIL(a[0]) & 0xff));
        out(l, " src=%llu", (unsigned long long)a[2]);
        break;
    }
    case TK_IRQ_TAKE:
        out_cause(l, s, a[0]);
        out_priv(l, s, TRACE_TAKE_PRIV(a[1]), a[2]);
        out_mode(l, s, a[1]);
        if (guest_priv(TRACE_TAKE_PRIV(a[1])))
            out_guest_pc(l, s, a[3], 0);
        else
            out_pc_mode(l, s, a[3], 0, (unsigned)TRACE_TAKE_MODE(a[1]));
        break;
    case TK_EXC_TAKE:
        out_cause(l, s, a[0]);
        out_priv(l, s, TRACE_TAKE_PRIV(a[1]), a[2]);
        out_mode(l, s, a[1]);
        out_hex(l, "tval", a[4]);
        /* a tval that holds the instruction (RISC-V: illegal instruction) */
        if (guest_priv(TRACE_TAKE_PRIV(a[1])))
            out_guest_pc(l, s, a[3], trace_arch_exc_insn(s->arch, a[0], a[4]));
        else
            out_pc_mode(l, s, a[3], trace_arch_exc_insn(s->arch, a[0], a[4]), (unsigned)TRACE_TAKE_MODE(a[1]));
        break;
    case TK_IRQ_CLAIM: case TK_IRQ_COMPLETE:
        out(l, " ctx=%llu src=%llu", (unsigned long long)a[0], (unsigned long long)a[1]);
        break;
    case TK_TIMER_SET: case TK_TIMER_FIRE: {
        const char *tn = trace_arch_timer(s->arch, a[0]);
        if (tn)
            out(l, " %s", tn);
        else
            out(l, " timer=%llu", (unsigned long long)a[0]);
        if (a[1] == UINT64_MAX)
            out(l, " value=off");
        else
            out(l, " value=%llu", (unsigned long long)a[1]);
        if (ev->kind == TK_TIMER_SET) {
            if (a[2] == UINT64_MAX)
                out(l, " deadline=never");
            else
                out(l, " deadline=%llu", (unsigned long long)a[2]);
        }
        break;
    }
    case TK_WFI_SLEEP: {
        /* x86: the code mode HLT ran in (TRACE_WFI_MODE), named and
         * disassembled in like a take's */
        const char *mn = trace_arch_mode(s->arch, TRACE_WFI_MODE(a[1]));
        if (mn)
            out(l, " %s", mn);
        out_pc_mode(l, s, a[0], TRACE_WFI_INSN(a[1]), (unsigned)TRACE_WFI_MODE(a[1]));
        break;
    }
    case TK_WFI_WAKE:
        out_hex(l, "pending", a[0]);
        if (s->arch && s->arch->line_name && a[0]) {
            out(l, " {");
            bool first = true;
            for (unsigned i = 0; i < 64; i++) {
                const char *n = a[0] >> i & 1 ? trace_arch_line(s->arch, i) : NULL;
                if (a[0] >> i & 1) {
                    if (n)
                        out(l, "%s%s", first ? "" : ",", n);
                    else
                        out(l, "%s%u", first ? "" : ",", i);
                    first = false;
                }
            }
            out(l, "}");
        }
        break;
    case TK_SBI_CALL: {
        const char *fn, *ext = trace_arch_call(s->arch, a[0], a[1], &fn);
        if (ext && fn)
            out(l, " %s.%s", ext, fn);
        else if (ext)
            out(l, " %s fid=%llu", ext, (unsigned long long)a[1]);
        else
            out(l, " eid=0x%llx fid=%llu", (unsigned long long)a[0], (unsigned long long)a[1]);
        out_hex(l, "a0", a[2]);
        out_hex(l, "a1", a[3]);
        if (trace_arch_priv(s->arch, a[5]))
            out(l, " from %s", trace_arch_priv(s->arch, a[5]));
        else
            out(l, " from=%llu", (unsigned long long)a[5]);
        if (guest_priv(a[5]))
            out_guest_pc(l, s, a[4], 0);
        else
            out_pc(l, s, a[4], 0);
        break;
    }
    case TK_VM_EXIT: {
        const char *n = trace_arch_vm_exit(s->arch, a[0]);
        if (n)
            out(l, " reason=%s", n);
        else
            out(l, " reason=0x%llx", (unsigned long long)a[0]);
        out_vmid(l, a[5]);
        if (trace_vm_vpid(ev) >= 0) /* x86 VMX (docs/trace-format.md "Optional arguments") */
            out(l, " vpid=%lld", (long long)trace_vm_vpid(ev));
        out_hex(l, "gpa", a[3]);
        out_hex(l, "tval", a[2]);
        if (a[4]) { /* RISC-V htinst: the transformed trapping instruction; x86: its bytes */
            char text[96];
            out_hex(l, s->arch && s->arch->vm_exit_inst_label ? s->arch->vm_exit_inst_label : "htinst",
                    a[4]);
            if (s->disasm &&
                trace_arch_disasm_bits_as(s->arch, s->syntax, trace_arch_exit_insn(s->arch, a[4]),
                                          0, text, sizeof text))
                out(l, " (%s)", text);
        }
        out_guest_pc(l, s, a[1], 0);
        break;
    }
    case TK_VM_ENTRY: {
        out_vmid(l, a[1]);
        if (trace_vm_vpid(ev) >= 0)
            out(l, " vpid=%lld", (long long)trace_vm_vpid(ev));
        uint64_t inj = trace_vm_inject(ev);
        if (inj) { /* the event the entry injects: "inject EXT_INT vector=0x40" */
            char text[96];
            if (trace_arch_vm_inject(s->arch, inj, a[TRACE_VM_ENTRY_INJECT_ERR],
                                     a[TRACE_VM_ENTRY_INJECT_LEN], text, sizeof text))
                out(l, " inject %s", text);
            else
                out(l, " inject=0x%llx err=0x%llx ilen=%llu", (unsigned long long)inj,
                    (unsigned long long)a[TRACE_VM_ENTRY_INJECT_ERR],
                    (unsigned long long)a[TRACE_VM_ENTRY_INJECT_LEN]);
        }
        out_guest_pc(l, s, a[0], 0);
        break;
    }
    case TK_MMIO:
        /* write: bit 0 = write, bit 1 = I/O port space (x86 IN/OUT) */
        out(l, " %s%s 0x%llx size=%llu value=0x%llx", a[3] & 1 ? "write" : "read",
            a[3] & 2 ? " port" : "", (unsigned long long)a[0], (unsigned long long)a[1],
            (unsigned long long)a[2]);
        break;
    case TK_INPUT:
        out(l, " byte=0x%02llx", (unsigned long long)a[0]);
        if (a[0] >= 0x20 && a[0] < 0x7f)
            out(l, " '%c'", (char)a[0]);
        break;
    case TK_CHECK:
        out(l, " seq=%llu hash=0x%016llx", (unsigned long long)a[0], (unsigned long long)a[1]);
        break;
    case TK_MARK:
        out(l, " #%llu \"%.*s\"", (unsigned long long)a[0], (int)(ev->blob_len > 200 ? 200 : ev->blob_len),
            ev->blob ? (const char *)ev->blob : "");
        break;
    case TK_GDB_SCHED:
        if (trace_is_host_stop(ev)) { /* src/view/live.c: the live window closed */
            static const char *const where[3] = { "after its round hook", "before its round hook",
                                                  "inside it" };
            out(l, " host stop (the live window closed) at=%llu round=%llu %s", (unsigned long long)a[0],
                (unsigned long long)(a[3] - 1), a[4] < 3 ? where[a[4]] : "?");
            break;
        }
        goto generic;
    case TK_END: {
        static const char *const st[] = { "success", "failure", "host error", "insn limit" };
        out(l, " status=%llu", (unsigned long long)a[0]);
        if (a[0] < 4)
            out(l, " (%s)", st[a[0]]);
        out(l, " insns=%llu", (unsigned long long)a[1]);
        break;
    }
    default:
    generic:
        for (unsigned i = 0; i < trace_kinds[ev->kind].nargs; i++)
            out_hex(l, "a", a[i]);
        break;
    }
}

size_t trace_show_format(const struct arch_info *arch, const struct symtab *syms, bool disasm,
                         const struct trace_event *ev, char *buf, size_t len)
{
    struct show s = { .arch = arch, .disasm = disasm, .syms = syms };
    struct line l = { .n = 0 };
    format_event(&l, &s, ev);
    l.buf[l.n] = 0;
    if (len)
        snprintf(buf, len, "%s", l.buf);
    return l.n;
}

/* ---- options ---- */

static bool parse_u64(const char *opt, const char *v, uint64_t *out_v)
{
    char *end;
    errno = 0;
    if (!v || !*v || *v == '-' || *v == '+' || *v == ' ') {
        fprintf(stderr, "hvsim: trace show: %s: expected a number, got '%s'\n", opt, v ? v : "");
        return false;
    }
    unsigned long long x = strtoull(v, &end, 0);
    if (errno || *end) {
        fprintf(stderr, "hvsim: trace show: %s: bad number '%s'\n", opt, v);
        return false;
    }
    *out_v = x;
    return true;
}

struct opts {
    const char *file;
    uint64_t mask;
    uint64_t from, to;
    uint32_t *harts;
    size_t nharts;
    bool no_disasm;
    const char *syntax;
};

static bool parse_harts(const char *v, struct opts *o)
{
    char buf[256];
    if (!v || !*v || strlen(v) >= sizeof buf) {
        fprintf(stderr, "hvsim: trace show: --hart: expected a hart number or list, got '%s'\n",
                v ? v : "");
        return false;
    }
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        uint64_t n;
        if (!parse_u64("--hart", t, &n))
            return false;
        if (n >= TRACE_NO_CPU) {
            fprintf(stderr, "hvsim: trace show: --hart: %s is out of range\n", t);
            return false;
        }
        o->harts = realloc(o->harts, (o->nharts + 1) * sizeof *o->harts);
        o->harts[o->nharts++] = (uint32_t)n;
    }
    if (!o->nharts) {
        fprintf(stderr, "hvsim: trace show: --hart: expected a hart number or list, got '%s'\n", v);
        return false;
    }
    return true;
}

/* --events through trace_parse_events; input and end records are only
 * shown when the list asks for them (the parser always adds them because
 * recording needs them). */
static bool parse_events(const char *v, uint64_t *mask)
{
    char err[256];
    if (!v || !trace_parse_events(v, mask, err, sizeof err)) {
        fprintf(stderr, "hvsim: trace show: %s\n", v ? err : "--events: missing list");
        return false;
    }
    bool want_forced = false;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (!strcmp(t, "all") || !strcmp(t, "default") || !strcmp(t, "input") || !strcmp(t, "end"))
            want_forced = true;
    if (!want_forced)
        *mask &= ~((1ull << TK_INPUT) | (1ull << TK_END));
    return true;
}

/* Returns -1 to go on, else an exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    o->mask = (1ull << TK_COUNT) - 1;
    o->to = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (a[0] != '-' || !a[1]) {
            if (o->file) {
                fprintf(stderr, "hvsim: trace show: unexpected argument '%s'\n%s", a, usage);
                return 2;
            }
            o->file = a;
            continue;
        }
        if (!strcmp(a, "--no-disasm")) {
            o->no_disasm = true;
            continue;
        }
        static const char *const with_value[] = { "--events", "--hart", "--from", "--to",
                                                  "--syntax" };
        const char *v;
        size_t which = tool_opt_value(argc, argv, &i, with_value, 5, &v);
        if (which < 5 && !v) {
            fprintf(stderr, "hvsim: trace show: %s needs a value\n%s", a, usage);
            return 2;
        }
        bool ok;
        switch (which) {
        case 0: ok = parse_events(v, &o->mask); break;
        case 1: ok = parse_harts(v, o); break;
        case 2: ok = parse_u64("--from", v, &o->from); break;
        case 3: ok = parse_u64("--to", v, &o->to); break;
        case 4: o->syntax = v; ok = true; break;
        default:
            fprintf(stderr, "hvsim: trace show: unknown option '%s'\n%s", a, usage);
            return 2;
        }
        if (!ok)
            return 2;
    }
    if (!o->file) {
        fprintf(stderr, "hvsim: trace show: missing trace file\n%s", usage);
        return 2;
    }
    if (o->from > o->to) {
        fprintf(stderr, "hvsim: trace show: --from %llu is after --to %llu\n",
                (unsigned long long)o->from, (unsigned long long)o->to);
        return 2;
    }
    return -1;
}

static bool selected(const struct opts *o, const struct trace_event *ev)
{
    if (!(o->mask >> ev->kind & 1) || ev->time < o->from || ev->time > o->to)
        return false;
    if (!o->nharts)
        return true;
    for (size_t i = 0; i < o->nharts; i++)
        if (o->harts[i] == ev->cpu)
            return true;
    return false;
}

/* "12345.678us" from ticks at hz (integer arithmetic: deterministic). */
static void fmt_us(char *buf, size_t len, uint64_t t, uint64_t hz)
{
    uint64_t whole = hz ? t / hz : 0, rem = hz ? t % hz : 0;
    if (!hz || hz > UINT64_MAX / 1000000000ull || whole > UINT64_MAX / 1000000ull - 1) {
        snprintf(buf, len, "?us");
        return;
    }
    uint64_t ns = rem * 1000000000ull / hz; /* < 1e9 */
    snprintf(buf, len, "%llu.%03lluus", (unsigned long long)(whole * 1000000ull + ns / 1000),
             (unsigned long long)(ns % 1000));
}

/* The whole line of an event: time, µs, cpu, kind, fields. */
static void show_line(struct line *l, const struct show *s, const struct trace_event *ev)
{
    l->n = 0;
    char us[40];
    fmt_us(us, sizeof us, ev->time, s->mi.hz);
    out(l, "%12llu %14s ", (unsigned long long)ev->time, us);
    if (ev->cpu == TRACE_NO_CPU)
        out(l, "   -   ");
    else
        out(l, "cpu%-4u ", ev->cpu);
    out(l, "%-12s", trace_kinds[ev->kind].name);
    format_event(l, s, ev);
    l->buf[l->n] = 0;
}

size_t trace_show_line(const struct arch_info *arch, const struct symtab *syms, bool disasm,
                       unsigned syntax, uint64_t hz, const struct trace_event *ev, char *buf,
                       size_t len)
{
    struct show s = { .mi = { .hz = hz }, .arch = arch, .disasm = disasm, .syntax = syntax,
                      .syms = syms };
    struct line l;
    show_line(&l, &s, ev);
    if (len)
        snprintf(buf, len, "%s", l.buf);
    return l.n;
}

static void print_header(const struct trace_header *h, const struct show *s, FILE *f)
{
    fprintf(f, "# hvsim trace v%u, hvsim %s, seed %llu, quantum %llu, images:", h->version,
            h->hvsim_version, (unsigned long long)h->seed, (unsigned long long)h->quantum);
    for (int i = 0; i < h->nimages; i++)
        fprintf(f, " %s=%s", h->images[i].role, h->images[i].path);
    if (!h->nimages)
        fprintf(f, " none");
    fprintf(f, "\n# machine %s, arch %s, %llu %ss, %llu Hz, max-insns %llu, event-mask 0x%llx\n",
            s->mi.name[0] ? s->mi.name : "?", s->mi.arch[0] ? s->mi.arch : "?",
            (unsigned long long)s->mi.smp,
            s->arch && s->arch->cpu_word ? s->arch->cpu_word : "hart", (unsigned long long)s->mi.hz,
            (unsigned long long)h->max_insns, (unsigned long long)h->event_mask);
    char desc[1024];
    symtab_describe(s->syms, desc, sizeof desc);
    fprintf(f, "# symbols: %s\n", h->nimages ? desc : "no images");
}

int trace_cmd_show(int argc, char **argv)
{
    struct opts o = { 0 };
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0) {
        free(o.harts);
        return rc;
    }
    char err[512];
    struct trace_reader *r = trace_reader_open(o.file, err, sizeof err);
    if (!r) {
        fprintf(stderr, "hvsim: trace show: %s\n", err);
        free(o.harts);
        return 2;
    }
    const struct trace_header *h = trace_reader_header(r);
    struct show s = { .mi = { .hz = 0 } };
    if (h->config_ini)
        ini_parse_string(h->config_ini, info_handler, &s.mi);
    char arch_name[64];
    s.arch = trace_header_arch(h, arch_name, sizeof arch_name);
    s.disasm = !o.no_disasm;
    if (o.syntax) {
        int sx = trace_arch_syntax(s.arch, o.syntax);
        if (sx < 0) {
            if (s.arch && s.arch->syntaxes)
                fprintf(stderr, "hvsim: trace show: --syntax: unknown syntax '%s' for %s (intel or att)\n",
                        o.syntax, arch_name);
            else
                fprintf(stderr, "hvsim: trace show: --syntax %s: %s has one assembly syntax (--syntax is for x86_64 traces)\n",
                        o.syntax, arch_name);
            trace_reader_close(r);
            free(o.harts);
            return 2;
        }
        s.syntax = (unsigned)sx;
    }
    struct symtab *syms = symtab_load(h);
    s.syms = syms;
    print_header(h, &s, stdout);

    struct trace_event ev;
    uint64_t shown = 0;
    bool ended = false;
    int got;
    while ((got = trace_reader_next(r, &ev, err, sizeof err)) == 1) {
        ended |= ev.kind == TK_END;
        if (!selected(&o, &ev))
            continue;
        struct line l;
        show_line(&l, &s, &ev);
        puts(l.buf);
        shown++;
    }
    rc = 0;
    if (got == 0 && !ended) {
        /* the recorder always finishes with `end`: the file was cut short */
        snprintf(err, sizeof err, "%s: truncated: no end record after %llu records", o.file,
                 (unsigned long long)trace_reader_count(r));
        got = -1;
    }
    if (got < 0) {
        fflush(stdout);
        fprintf(stderr, "hvsim: trace show: %s\n", err);
        rc = 2;
    } else {
        printf("# %llu of %llu events shown\n", (unsigned long long)shown,
               (unsigned long long)trace_reader_count(r));
    }
    symtab_free(syms);
    trace_reader_close(r);
    free(o.harts);
    return rc;
}
