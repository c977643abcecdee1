/* `hvsim trace SUBCOMMAND`: dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools.h"
#include "view/view.h"

int trace_tool_main(int argc, char **argv)
{
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        { "show", trace_cmd_show },   { "diff", trace_cmd_diff },
        { "stats", trace_cmd_stats }, { "export", trace_cmd_export },
        { "view", view_main },
    };
    if (argc >= 2)
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
            if (strcmp(argv[1], cmds[i].name) == 0)
                return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hvsim: trace: %s%s\n"
            "Usage: hvsim trace show|diff|stats|export|view ... (hvsim --help)\n",
            argc >= 2 ? "unknown subcommand " : "missing subcommand", argc >= 2 ? argv[1] : "");
    return 2;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "hvsim: trace: out of memory\n");
        exit(2);
    }
    return q;
}
