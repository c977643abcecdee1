/* Trace tools (`hvsim trace ...`) and schedule exploration (`hvsim explore`).
 * Each returns the command's exit status. argv[0] is the subcommand name. */
#ifndef HVSIM_TRACE_TOOLS_H
#define HVSIM_TRACE_TOOLS_H

/* hvsim trace show|diff|stats|export ...: dispatches on argv[1]. */
int trace_tool_main(int argc, char **argv);
int trace_cmd_show(int argc, char **argv);
int trace_cmd_diff(int argc, char **argv);
int trace_cmd_stats(int argc, char **argv);
int trace_cmd_export(int argc, char **argv);
/* hvsim explore --seeds A..B [--jobs N] [--shard I/N] [--keep DIR] -- RUN-OPTIONS */
int explore_main(int argc, char **argv);

/* realloc that ends the tool with exit 2 (host error) when memory runs out. */
#include <stddef.h>
void *xrealloc(void *p, size_t n);

#endif
