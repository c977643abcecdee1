/* Machine configuration: INI parsing (libinih), defaults, validation. */
#include "sim/config.h"
#include "sim/board.h"

#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- numbers ---------------------------------------------------------- */

/* Decimal or 0x-hex, no sign, no trailing characters, no overflow. */
bool config_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    int base = 10;
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    uint64_t v = 0;
    if (!*p)
        return false;
    for (; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return true;
}

/* A number with an optional binary suffix K, M, G or T (either case). */
bool config_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    size_t n = strlen(s);
    unsigned shift = 0;
    switch (s[n - 1]) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: break;
    }
    char buf[64];
    if (shift) {
        /* "0x1000K" would be odd but is well defined; a bare suffix is not. */
        if (n - 1 == 0 || n - 1 >= sizeof buf)
            return false;
        memcpy(buf, s, n - 1);
        buf[n - 1] = '\0';
        s = buf;
    }
    uint64_t v;
    if (!config_parse_u64(s, &v))
        return false;
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* ---- key tables and defaults ----------------------------------------- */

/* The field a key names in c. */
static void *key_field(const struct config *c, const struct config_key *k)
{
    const unsigned char *base = k->home == CK_BOARD ? c->board_cfg : (const unsigned char *)c;
    return (void *)(base + k->offset);
}

static const struct config_key *board_keys(const struct config *c, size_t *n)
{
    const struct board_ops *b = c->board ? c->board : board_default();
    *n = b->nkeys;
    return b->keys;
}

void config_defaults_for(struct config *c, const struct board_ops *board)
{
    memset(c, 0, sizeof *c);
    c->board = board;
    snprintf(c->name, sizeof c->name, "%s", board->name);
    snprintf(c->arch, sizeof c->arch, "%s", board->arch);
    c->smp = 4;
    c->cpu_hz = 1000000000;
    c->quantum = 10000;
    c->sched_seed = 0;
    board->config_defaults(c);
}

/* (must equal configs/riscv-virt.ini; a unit test checks) */
void config_defaults(struct config *c)
{
    config_defaults_for(c, board_default());
}

bool config_check_keys(const struct board_ops *board, char *err, size_t errlen)
{
    static const struct config_key common[] = { CONFIG_KEYS_MACHINE, CONFIG_KEYS_MEMORY,
                                                CONFIG_KEYS_IMAGES };
    if (board->config_size > CONFIG_BOARD_BYTES) {
        snprintf(err, errlen, "board %s: config struct of %zu bytes exceeds %d", board->name,
                 board->config_size, CONFIG_BOARD_BYTES);
        return false;
    }
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        int seen = 0;
        for (size_t j = 0; j < board->nkeys; j++)
            if (board->keys[j].home == CK_COMMON && board->keys[j].offset == common[i].offset)
                seen++;
        if (seen != 1) {
            snprintf(err, errlen, "board %s: common key [%s] %s listed %d times", board->name,
                     common[i].section, common[i].key, seen);
            return false;
        }
    }
    for (size_t i = 0; i < board->nkeys; i++) {
        const struct config_key *k = &board->keys[i];
        size_t width = k->kind == CK_STR ? k->size : k->kind == CK_U32 || k->kind == CK_INT ? 4 : 8;
        if (k->home == CK_BOARD && k->offset + width > board->config_size) {
            snprintf(err, errlen, "board %s: key [%s] %s lies outside its config struct",
                     board->name, k->section, k->key);
            return false;
        }
        for (size_t j = i + 1; j < board->nkeys; j++)
            if (!strcmp(k->section, board->keys[j].section) && !strcmp(k->key, board->keys[j].key)) {
                snprintf(err, errlen, "board %s: key [%s] %s listed twice", board->name,
                         k->section, k->key);
                return false;
            }
    }
    return true;
}

/* ---- parsing ---------------------------------------------------------- */

/* libinih calls our reader once per line (or per INI_MAX_LINE-sized chunk of
 * a longer line) and increments its own line counter each time; counting
 * calls here gives the handler the same line number without needing the
 * INI_HANDLER_LINENO build option. */
struct parse_ctx {
    struct config *c;
    const char *what;
    const char *pos;   /* reader position in the text */
    int line;          /* number of the line last handed to inih */
    int err_line;      /* line of the first error (0 = none) */
    char msg[256];     /* first error, without the "FILE:LINE: " prefix */
    bool check_sections; /* pass 2: unknown [sections] are errors */
    char arch[32];     /* pass 1: the [machine] arch found, and its line */
    int arch_line;
};

static void ctx_error(struct parse_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ctx_error(struct parse_ctx *x, const char *fmt, ...)
{
    if (x->err_line)
        return; /* keep the first one */
    x->err_line = x->line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
}

static bool section_known(const struct config *c, const char *name, size_t len)
{
    size_t n;
    const struct config_key *keys = board_keys(c, &n);
    for (size_t i = 0; i < n; i++)
        if (strlen(keys[i].section) == len && memcmp(keys[i].section, name, len) == 0)
            return true;
    return false;
}

/* "[machine] [cpu] ...": the sections of c's board, for messages. */
static void section_list(const struct config *c, char *buf, size_t len)
{
    size_t n;
    const struct config_key *keys = board_keys(c, &n);
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(keys[i].section, keys[i - 1].section))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s[%s]", used ? " " : "", keys[i].section);
    }
}

/* inih reports keys, not section headers: catch an unknown [section] even
 * when it holds no keys. */
static void check_section_line(struct parse_ctx *x, const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line != '[')
        return;
    const char *start = line + 1;
    const char *end = strchr(start, ']');
    if (!end)
        return; /* inih reports the syntax error */
    if (x->check_sections && !section_known(x->c, start, (size_t)(end - start)))
    {
        char list[256];
        section_list(x->c, list, sizeof list);
        ctx_error(x, "unknown section [%.*s] (board %s has %s)", (int)(end - start), start,
                  x->c->board ? x->c->board->name : "?", list);
    }
}

static char *ctx_reader(char *str, int num, void *stream)
{
    struct parse_ctx *x = stream;
    if (!*x->pos || num < 2)
        return NULL;
    const char *nl = strchr(x->pos, '\n');
    size_t linelen = nl ? (size_t)(nl - x->pos) + 1 : strlen(x->pos);
    x->line++;
    if (linelen > (size_t)num - 1) {
        /* inih would split it and parse the tail as a line of its own. */
        ctx_error(x, "line too long (more than %d characters)", num - 3);
        return NULL;
    }
    memcpy(str, x->pos, linelen);
    str[linelen] = '\0';
    x->pos += linelen;
    check_section_line(x, str);
    return str;
}

static bool store_value(struct parse_ctx *x, const struct config_key *k, const char *section,
                        const char *value)
{
    char *field = key_field(x->c, k);
    uint64_t v;
    switch (k->kind) {
    case CK_STR: {
        size_t n = strlen(value);
        if (n >= k->size) {
            ctx_error(x, "value of '%s' in [%s] is too long (at most %zu characters)",
                      k->key, section, k->size - 1);
            return false;
        }
        memcpy(field, value, n + 1);
        return true;
    }
    case CK_SIZE:
        if (!config_parse_size(value, &v)) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a size (e.g. 4096, 0x1000, 4K, 256M, 1G)",
                      k->key, section, value);
            return false;
        }
        memcpy(field, &v, sizeof v);
        return true;
    case CK_U64:
        if (!config_parse_u64(value, &v)) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a number", k->key, section, value);
            return false;
        }
        memcpy(field, &v, sizeof v);
        return true;
    case CK_U32:
        if (!config_parse_u64(value, &v) || v > UINT32_MAX) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a number (0..%" PRIu32 ")",
                      k->key, section, value, UINT32_MAX);
            return false;
        } else {
            uint32_t v32 = (uint32_t)v;
            memcpy(field, &v32, sizeof v32);
        }
        return true;
    case CK_INT:
        if (!config_parse_u64(value, &v) || v > INT_MAX) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a number (0..%d)", k->key, section,
                      value, INT_MAX);
            return false;
        } else {
            int vi = (int)v;
            memcpy(field, &vi, sizeof vi);
        }
        return true;
    }
    return false;
}

static int ctx_handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *x = user;
    if (x->err_line)
        return 0;
    if (!*section) {
        ctx_error(x, "key '%s' outside any [section]", name);
        return 0;
    }
    bool known_section = false;
    size_t n;
    const struct config_key *keys = board_keys(x->c, &n);
    for (size_t i = 0; i < n; i++) {
        const struct config_key *k = &keys[i];
        if (strcmp(k->section, section) != 0)
            continue;
        known_section = true;
        if (strcmp(k->key, name) == 0)
            return store_value(x, k, section, value) ? 1 : 0;
    }
    if (!known_section)
        ctx_error(x, "unknown section [%s] (key '%s')", section, name);
    else
        ctx_error(x, "unknown key '%s' in [%s]", name, section);
    return 0;
}

/* Pass 1 only looks for [machine] arch (the board decides which keys exist). */
static int arch_handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *x = user;
    if (!strcmp(section, "machine") && !strcmp(name, "arch")) {
        snprintf(x->arch, sizeof x->arch, "%s", value);
        x->arch_line = x->line;
    }
    return 1;
}

bool config_parse_string(struct config *c, const char *text, const char *what,
                         char *err, size_t errlen)
{
    struct parse_ctx p1 = { .c = c, .what = what, .pos = text };
    ini_parse_stream(ctx_reader, &p1, arch_handler, &p1); /* errors: pass 2 reports them */
    if (p1.arch_line) {
        const struct board_ops *b = c->board && !strcmp(c->board->arch, p1.arch)
                                        ? c->board : board_by_arch(p1.arch);
        if (!b) {
            snprintf(err, errlen, "%s:%d: [machine] arch '%s' is not supported (%s)", what,
                     p1.arch_line, p1.arch, board_arch_list());
            return false;
        }
        if (b != c->board)
            config_defaults_for(c, b);
    } else if (!c->board) {
        c->board = board_default();
    }

    struct parse_ctx x = { .c = c, .what = what, .pos = text, .check_sections = true };
    int rc = ini_parse_stream(ctx_reader, &x, ctx_handler, &x);
    if (rc < 0) {
        /* -2: inih could not allocate its line buffer. */
        snprintf(err, errlen, "%s: cannot parse (inih error %d)", what, rc);
        return false;
    }
    if (rc > 0 && (!x.err_line || rc < x.err_line)) {
        /* inih found a line that is neither [section], key = value, nor a
         * comment; our handler was never called for it. */
        snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)",
                 what, rc);
        return false;
    }
    if (x.err_line) {
        snprintf(err, errlen, "%s:%d: %s", what, x.err_line, x.msg);
        return false;
    }
    return true;
}

#define CONFIG_MAX_FILE (1u << 20)

bool config_parse_file(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open config: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return false;
    }
    if (st.st_size > (off_t)CONFIG_MAX_FILE) {
        snprintf(err, errlen, "%s: config file too large (more than %u bytes)", path,
                 CONFIG_MAX_FILE);
        fclose(f);
        return false;
    }
    size_t n = (size_t)st.st_size;
    char *text = malloc(n + 1);
    if (!text) {
        snprintf(err, errlen, "%s: out of memory", path);
        fclose(f);
        return false;
    }
    size_t got = fread(text, 1, n, f);
    bool rerr = ferror(f);
    fclose(f);
    if (rerr || got != n) {
        snprintf(err, errlen, "%s: read error", path);
        free(text);
        return false;
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        snprintf(err, errlen, "%s: not a text file (contains NUL bytes)", path);
        free(text);
        return false;
    }
    bool ok = config_parse_string(c, text, path, err, errlen);
    free(text);
    return ok;
}

/* ---- validation ------------------------------------------------------- */

bool config_validate(const struct config *c, char *err, size_t errlen)
{
    if (!c->board || strcmp(c->arch, c->board->arch) != 0) {
        snprintf(err, errlen, "[machine] arch '%s' is not supported (%s)", c->arch,
                 board_arch_list());
        return false;
    }
    if (c->smp < 1 || c->smp > CONFIG_MAX_CPUS) {
        snprintf(err, errlen, "[machine] smp %d is out of range (1..%d)", c->smp,
                 CONFIG_MAX_CPUS);
        return false;
    }
    if (c->cpu_hz == 0) {
        snprintf(err, errlen, "[machine] cpu-hz must be > 0");
        return false;
    }
    if (c->quantum == 0) {
        snprintf(err, errlen, "[machine] quantum must be > 0");
        return false;
    }
    if (c->ram_size == 0 || (c->ram_size & 0xfff) || (c->ram_base & 0xfff)) {
        snprintf(err, errlen,
                 "[memory] base 0x%" PRIx64 " / size 0x%" PRIx64
                 " must be multiples of 4 KiB (size > 0)",
                 c->ram_base, c->ram_size);
        return false;
    }
    if (c->ram_base + c->ram_size < c->ram_base) {
        snprintf(err, errlen,
                 "memory window at 0x%" PRIx64 " size 0x%" PRIx64
                 " wraps past the end of the address space",
                 c->ram_base, c->ram_size);
        return false;
    }
    return c->board->config_validate(c, err, errlen);
}

bool config_windows_check(const struct config_window *w, size_t nw, char *err, size_t errlen)
{
    for (size_t i = 0; i < nw; i++) {
        if (w[i].base + w[i].size < w[i].base) {
            snprintf(err, errlen,
                     "%s window at 0x%" PRIx64 " size 0x%" PRIx64
                     " wraps past the end of the address space",
                     w[i].name, w[i].base, w[i].size);
            return false;
        }
    }
    for (size_t i = 0; i < nw; i++) {
        for (size_t j = i + 1; j < nw; j++) {
            uint64_t ai = w[i].base, bi = w[i].base + w[i].size;
            uint64_t aj = w[j].base, bj = w[j].base + w[j].size;
            if (ai < bj && aj < bi) {
                snprintf(err, errlen,
                         "%s [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps %s [0x%" PRIx64
                         ", 0x%" PRIx64 ")",
                         w[i].name, ai, bi, w[j].name, aj, bj);
                return false;
            }
        }
    }
    return true;
}

/* ---- writing a config back as INI (trace headers) ---------------------- */

size_t config_to_ini(const struct config *c, char *buf, size_t len)
{
    size_t n = 0;
    const char *section = "";
    size_t nk;
    const struct config_key *keys = board_keys(c, &nk);
    for (size_t i = 0; i < nk; i++) {
        const struct config_key *k = &keys[i];
        const char *f = key_field(c, k);
        char val[1100];
        switch (k->kind) {
        case CK_STR:
            if (!f[0])
                continue; /* empty strings are the default */
            snprintf(val, sizeof val, "%s", f);
            break;
        case CK_U32: snprintf(val, sizeof val, "%u", *(const uint32_t *)(const void *)f); break;
        case CK_INT: snprintf(val, sizeof val, "%d", *(const int *)(const void *)f); break;
        default:
            snprintf(val, sizeof val, "0x%llx",
                     (unsigned long long)*(const uint64_t *)(const void *)f);
            break;
        }
        if (strcmp(section, k->section) != 0) {
            section = k->section;
            n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "[%s]\n", section);
        }
        n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s = %s\n", k->key, val);
    }
    return n;
}
