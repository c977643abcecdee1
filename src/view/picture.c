/* `hvsim trace export FILE --format png -o OUT.png [--from T] [--to T]
 * [--width W] [--hide KINDS] [--vm ID]`: the viewer's picture of a trace
 * without a window (docs/view.md "Pictures"). src/trace/tools.c sends an
 * export whose --format is png here; every other format stays with
 * src/trace/export.c. The picture is as high as the lanes need. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

bool view_export_is_png(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--format") || !strcmp(argv[i], "-f")) && i + 1 < argc)
            return !strcmp(argv[i + 1], "png");
        if (!strcmp(argv[i], "--format=png"))
            return true;
    }
    return false;
}

int view_export_png(int argc, char **argv)
{
    static const char usage[] =
        "Usage: hvsim trace export FILE --format png -o OUT.png [--from T] [--to T] [--width W]\n"
        "                          [--hide KINDS] [--vm ID]\n";
    const char *file = NULL, *out = NULL, *from = NULL, *to = NULL, *width = "1280", *hide = NULL,
               *vm = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
            i++; /* png: how we got here */
            continue;
        }
        if (!strcmp(a, "--format=png"))
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            dst = &out;
        else if (!strcmp(a, "--from"))
            dst = &from;
        else if (!strcmp(a, "--to"))
            dst = &to;
        else if (!strcmp(a, "--width"))
            dst = &width;
        else if (!strcmp(a, "--hide"))
            dst = &hide;
        else if (!strcmp(a, "--vm"))
            dst = &vm;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "hvsim: trace export: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (file) {
            fprintf(stderr, "hvsim: trace export: unexpected argument '%s'\n%s", a, usage);
            return 2;
        } else {
            file = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "hvsim: trace export: %s needs a value\n%s", a, usage);
            return 2;
        }
        *dst = argv[++i];
    }
    if (!file || !out) {
        fprintf(stderr, "hvsim: trace export: missing %s\n%s", file ? "-o OUT.png" : "trace file",
                usage);
        return 2;
    }
    size_t n = strlen(out);
    if (n < 5 || strcmp(out + n - 4, ".png")) {
        fprintf(stderr, "hvsim: trace export: -o %s: a png picture's name ends in .png\n", out);
        return 2;
    }
    char *end;
    long w = strtol(width, &end, 10);
    if (*end || w < VIEW_GUTTER + 100 || w > 16384) {
        fprintf(stderr, "hvsim: trace export: --width: expected %d..16384 pixels, got '%s'\n",
                VIEW_GUTTER + 100, width);
        return 2;
    }
    struct view_opts o = { .file = file, .screenshot = out, .hide = hide, .vm = -1, .w = (int)w,
                           .h = 720, .fit_height = true, .quiet = true };
    if (from) {
        o.from = strtod(from, &end);
        o.has_from = true;
        if (*end || !*from || o.from < 0) {
            fprintf(stderr, "hvsim: trace export: --from: expected a time in ticks, got '%s'\n", from);
            return 2;
        }
    }
    if (to) {
        o.to = strtod(to, &end);
        o.has_to = true;
        if (*end || !*to || o.to < 0 || (from && o.to <= o.from)) {
            fprintf(stderr, "hvsim: trace export: --to: expected a time in ticks after --from, got '%s'\n", to);
            return 2;
        }
    }
    if (vm) {
        o.vm = strtoll(vm, &end, 0);
        if (*end || !*vm || o.vm < 0) {
            fprintf(stderr, "hvsim: trace export: --vm: expected a guest id, got '%s'\n", vm);
            return 2;
        }
    }
    return view_run(&o);
}
