/* Trace tools (`hvsim trace ...`) and schedule exploration (`hvsim explore`).
 * Each returns the command's exit status. argv[0] is the subcommand name. */
#ifndef HVSIM_TRACE_TOOLS_H
#define HVSIM_TRACE_TOOLS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* hvsim trace show|diff|stats|export ...: dispatches on argv[1]. */
int trace_tool_main(int argc, char **argv);
int trace_cmd_show(int argc, char **argv);
int trace_cmd_diff(int argc, char **argv);
int trace_cmd_stats(int argc, char **argv);
int trace_cmd_export(int argc, char **argv);
/* hvsim explore --seeds A..B [--jobs N] [--shard I/N] [--keep DIR] -- RUN-OPTIONS */
int explore_main(int argc, char **argv);
/* hvsim explore --minimize FILE.hvt (src/trace/minimize.c): exit 1 when a
 * failing set was found and kept, 2 on host errors. */
int explore_minimize(const char *file, const char *fail_on, const char *expect,
                     const char *keep);

/* The per-tool formatting behind show and stats, with the architecture
 * passed in (the commands look it up from the trace header: trace_header_arch
 * in archnames.h), so that any arch_info can be exercised. */
struct arch_info;
struct symtab;
struct trace_event;
/* `trace show`'s text for an event's arguments (" cause=SSI S->M pc=..."),
 * without the time/cpu/kind columns. syms may be NULL. snprintf semantics. */
size_t trace_show_format(const struct arch_info *arch, const struct symtab *syms, bool disasm,
                         const struct trace_event *ev, char *buf, size_t len);
/* The whole line `trace show` prints for an event (time, µs at hz, cpu,
 * kind, then trace_show_format's text; syntax: trace_arch_syntax number). */
size_t trace_show_line(const struct arch_info *arch, const struct symtab *syms, bool disasm,
                       unsigned syntax, uint64_t hz, const struct trace_event *ev, char *buf,
                       size_t len);
/* `trace stats`: feed every event of a trace in file order, then print the
 * report (event_mask: the header's, for "was not recorded" notes). */
struct trace_stats;
struct trace_stats *trace_stats_new(void);
void trace_stats_add(struct trace_stats *st, const struct arch_info *arch,
                     const struct trace_event *ev);
void trace_stats_print(struct trace_stats *st, const struct arch_info *arch, uint64_t event_mask,
                       FILE *f);
void trace_stats_free(struct trace_stats *st);

/* The option argv[*i] names among names[0..n), each taking a value as
 * `--opt VALUE` or `--opt=VALUE`: its index (n when it is none of them),
 * with *value set to the value or to NULL when it is missing; *i is advanced
 * past a separate VALUE. Shared by the tools' option loops. */
size_t tool_opt_value(int argc, char **argv, int *i, const char *const *names, size_t n,
                      const char **value);

/* realloc that ends the tool with exit 2 (host error) when memory runs out. */
void *xrealloc(void *p, size_t n);

#endif
