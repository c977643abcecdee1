/* `hvsim trace SUBCOMMAND`: dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools.h"
#include "view/view.h"

/* export --format png is the viewer's picture (src/view/picture.c) */
static int cmd_export(int argc, char **argv)
{
    return view_export_is_png(argc, argv) ? view_export_png(argc, argv)
                                          : trace_cmd_export(argc, argv);
}

int trace_tool_main(int argc, char **argv)
{
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        { "show", trace_cmd_show },   { "diff", trace_cmd_diff },
        { "stats", trace_cmd_stats }, { "export", cmd_export },
        { "view", view_main },
    };
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs("Usage: hvsim trace SUBCOMMAND ... (SUBCOMMAND --help for its options)\n"
              "  show FILE     the timeline as text, one event per line\n"
              "  diff A B      the first difference of two traces\n"
              "  stats FILE    counts per kind and CPU, IPI latencies, VM exits\n"
              "  export FILE   perfetto, chrome JSON or VCD for outside viewers; png: a picture\n"
              "  view FILE     an SDL2 window of the timeline (docs/view.md)\n",
              stdout);
        return 0;
    }
    if (argc >= 2)
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
            if (strcmp(argv[1], cmds[i].name) == 0)
                return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hvsim: trace: %s%s\n"
            "Usage: hvsim trace show|diff|stats|export|view ... (hvsim --help)\n",
            argc >= 2 ? "unknown subcommand " : "missing subcommand", argc >= 2 ? argv[1] : "");
    return 2;
}

size_t tool_opt_value(int argc, char **argv, int *i, const char *const *names, size_t n,
                      const char **value)
{
    const char *a = argv[*i];
    *value = NULL;
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(names[k]);
        if (strncmp(a, names[k], len) || (a[len] != 0 && a[len] != '='))
            continue;
        if (a[len] == '=')
            *value = a + len + 1;
        else if (*i + 1 < argc)
            *value = argv[++*i];
        return k;
    }
    return n;
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
