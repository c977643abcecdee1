/* TEMPORARY (removed when the tools land): weak placeholders so the binary
 * links while trace show/diff/stats/export and explore are being written. */
#include <stdio.h>
#include "tools.h"

#define PENDING(fn, what)                                                    \
    __attribute__((weak)) int fn(int argc, char **argv)                      \
    {                                                                        \
        (void)argc;                                                          \
        (void)argv;                                                          \
        fprintf(stderr, "hvsim: %s is not implemented yet\n", what);         \
        return 2;                                                            \
    }
PENDING(trace_cmd_show, "trace show")
PENDING(trace_cmd_diff, "trace diff")
PENDING(trace_cmd_stats, "trace stats")
PENDING(trace_cmd_export, "trace export")
PENDING(explore_main, "explore")
