/* Machine configuration: INI parsing (libinih), defaults, validation. */
#include "sim/config.h"

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

/* ---- the key table ---------------------------------------------------- */

enum key_kind {
    K_STR,   /* char array of `size` bytes */
    K_U64,   /* uint64_t, plain number */
    K_SIZE,  /* uint64_t, number with K/M/G/T suffix */
    K_U32,   /* uint32_t */
    K_INT,   /* int (non-negative) */
};

struct key_desc {
    const char *section;
    const char *key;
    enum key_kind kind;
    size_t offset;
    size_t size; /* K_STR only */
};

#define STR(sec, k, f) { sec, k, K_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f) }
#define NUM(sec, k, kind, f) { sec, k, kind, offsetof(struct config, f), 0 }

/* Every key hvsim understands; each comment in config.h names its key. */
static const struct key_desc config_keys[] = {
    STR("machine", "name", name),
    STR("machine", "arch", arch),
    NUM("machine", "smp", K_INT, smp),
    NUM("machine", "cpu-hz", K_U64, cpu_hz),
    NUM("machine", "quantum", K_U64, quantum),
    NUM("machine", "sched-seed", K_U64, sched_seed),
    STR("cpu", "isa", isa),
    STR("cpu", "mmu", mmu_type),
    NUM("memory", "base", K_U64, ram_base),
    NUM("memory", "size", K_SIZE, ram_size),
    NUM("bootrom", "base", K_U64, rom_base),
    NUM("bootrom", "size", K_SIZE, rom_size),
    NUM("sifive-test", "base", K_U64, test_base),
    NUM("aclint", "base", K_U64, aclint_base),
    NUM("aclint", "sswi-base", K_U64, sswi_base),
    NUM("aclint", "timebase", K_U64, timebase_hz),
    NUM("plic", "base", K_U64, plic_base),
    NUM("plic", "ndev", K_U32, plic_ndev),
    NUM("uart", "base", K_U64, uart_base),
    NUM("uart", "irq", K_U32, uart_irq),
    NUM("uart", "clock", K_U64, uart_clock_hz),
    NUM("load", "bios", K_U64, bios_addr),
    NUM("load", "kernel", K_U64, kernel_addr),
    /* Image paths and boot arguments; normally given as options. */
    STR("load", "bios-file", bios),
    STR("load", "kernel-file", kernel),
    STR("load", "initrd-file", initrd),
    STR("load", "dtb-file", dtb),
    STR("load", "append", append),
};

#undef STR
#undef NUM

/* ---- defaults (must equal configs/riscv-virt.ini; a unit test checks) -- */

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", "riscv-virt");
    snprintf(c->arch, sizeof c->arch, "%s", "riscv64");
    c->smp = 4;
    c->cpu_hz = 1000000000;
    c->quantum = 10000;
    c->sched_seed = 0;
    snprintf(c->isa, sizeof c->isa, "%s", "rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc");
    snprintf(c->mmu_type, sizeof c->mmu_type, "%s", "sv48");
    c->ram_base = 0x80000000;
    c->ram_size = 256ull << 20;
    c->rom_base = 0x1000;
    c->rom_size = 0x1000;
    c->test_base = 0x100000;
    c->aclint_base = 0x2000000;
    c->sswi_base = 0x2f00000;
    c->timebase_hz = 10000000;
    c->plic_base = 0xc000000;
    c->plic_ndev = 95;
    c->uart_base = 0x10000000;
    c->uart_irq = 10;
    c->uart_clock_hz = 3686400;
    c->bios_addr = 0x80000000;
    c->kernel_addr = 0x80200000;
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

static bool section_known(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
        if (strlen(config_keys[i].section) == len &&
            memcmp(config_keys[i].section, name, len) == 0)
            return true;
    return false;
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
    if (!section_known(start, (size_t)(end - start)))
        ctx_error(x, "unknown section [%.*s]", (int)(end - start), start);
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

static bool store_value(struct parse_ctx *x, const struct key_desc *k, const char *section,
                        const char *value)
{
    char *field = (char *)x->c + k->offset;
    uint64_t v;
    switch (k->kind) {
    case K_STR: {
        size_t n = strlen(value);
        if (n >= k->size) {
            ctx_error(x, "value of '%s' in [%s] is too long (at most %zu characters)",
                      k->key, section, k->size - 1);
            return false;
        }
        memcpy(field, value, n + 1);
        return true;
    }
    case K_SIZE:
        if (!config_parse_size(value, &v)) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a size (e.g. 4096, 0x1000, 4K, 256M, 1G)",
                      k->key, section, value);
            return false;
        }
        memcpy(field, &v, sizeof v);
        return true;
    case K_U64:
        if (!config_parse_u64(value, &v)) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a number", k->key, section, value);
            return false;
        }
        memcpy(field, &v, sizeof v);
        return true;
    case K_U32:
        if (!config_parse_u64(value, &v) || v > UINT32_MAX) {
            ctx_error(x, "'%s' in [%s]: '%s' is not a number (0..%" PRIu32 ")",
                      k->key, section, value, UINT32_MAX);
            return false;
        } else {
            uint32_t v32 = (uint32_t)v;
            memcpy(field, &v32, sizeof v32);
        }
        return true;
    case K_INT:
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
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
        const struct key_desc *k = &config_keys[i];
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

bool config_parse_string(struct config *c, const char *text, const char *what,
                         char *err, size_t errlen)
{
    struct parse_ctx x = { .c = c, .what = what, .pos = text };
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

struct window {
    const char *name;
    uint64_t base, size;
};

bool config_validate(const struct config *c, char *err, size_t errlen)
{
    if (strcmp(c->arch, "riscv64") != 0) {
        snprintf(err, errlen, "[machine] arch '%s' is not supported (riscv64)", c->arch);
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
    if (strncmp(c->isa, "rv64", 4) != 0) {
        snprintf(err, errlen, "[cpu] isa '%s' must start with rv64", c->isa);
        return false;
    }
    if (strcmp(c->mmu_type, "sv39") != 0 && strcmp(c->mmu_type, "sv48") != 0) {
        snprintf(err, errlen, "[cpu] mmu '%s' is not sv39 or sv48", c->mmu_type);
        return false;
    }
    if (c->ram_size == 0 || (c->ram_size & 0xfff) || (c->ram_base & 0xfff)) {
        snprintf(err, errlen,
                 "[memory] base 0x%" PRIx64 " / size 0x%" PRIx64
                 " must be multiples of 4 KiB (size > 0)",
                 c->ram_base, c->ram_size);
        return false;
    }
    if (c->rom_size == 0 || (c->rom_size & 0xfff) || (c->rom_base & 0xfff)) {
        snprintf(err, errlen,
                 "[bootrom] base 0x%" PRIx64 " / size 0x%" PRIx64
                 " must be multiples of 4 KiB (size > 0)",
                 c->rom_base, c->rom_size);
        return false;
    }
    /* The DTB carries these as single 32-bit cells. */
    if (c->timebase_hz == 0 || c->timebase_hz > UINT32_MAX) {
        snprintf(err, errlen, "[aclint] timebase %" PRIu64 " is out of range (1..%" PRIu32 ")",
                 c->timebase_hz, UINT32_MAX);
        return false;
    }
    if (c->uart_clock_hz == 0 || c->uart_clock_hz > UINT32_MAX) {
        snprintf(err, errlen, "[uart] clock %" PRIu64 " is out of range (1..%" PRIu32 ")",
                 c->uart_clock_hz, UINT32_MAX);
        return false;
    }
    /* A PLIC has sources 1..1023 (RISC-V PLIC spec, "Interrupt Sources"). */
    if (c->plic_ndev < 1 || c->plic_ndev > 1023) {
        snprintf(err, errlen, "[plic] ndev %" PRIu32 " is out of range (1..1023)",
                 c->plic_ndev);
        return false;
    }
    if (c->uart_irq < 1 || c->uart_irq > c->plic_ndev) {
        snprintf(err, errlen, "[uart] irq %" PRIu32 " is not a PLIC source (1..%" PRIu32 ")",
                 c->uart_irq, c->plic_ndev);
        return false;
    }

    const struct window w[] = {
        { "bootrom", c->rom_base, c->rom_size },
        { "sifive-test", c->test_base, 0x1000 },
        { "aclint mswi", c->aclint_base, 0x4000 },
        { "aclint mtimer", c->aclint_base + 0x4000, 0x8000 },
        { "aclint sswi", c->sswi_base, 0x4000 },
        { "plic", c->plic_base, 0x600000 },
        { "uart", c->uart_base, 0x100 },
        { "memory", c->ram_base, c->ram_size },
    };
    const size_t nw = sizeof w / sizeof w[0];
    for (size_t i = 0; i < nw; i++) {
        /* The mtimer window's base is aclint base + 0x4000: it wraps too
         * when the base is near the top. */
        if (w[i].base + w[i].size < w[i].base || (i == 3 && c->aclint_base > w[i].base)) {
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
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
        const struct key_desc *k = &config_keys[i];
        const char *f = (const char *)c + k->offset;
        char val[1100];
        switch (k->kind) {
        case K_STR:
            if (!f[0])
                continue; /* empty strings are the default */
            snprintf(val, sizeof val, "%s", f);
            break;
        case K_U32: snprintf(val, sizeof val, "%u", *(const uint32_t *)(const void *)f); break;
        case K_INT: snprintf(val, sizeof val, "%d", *(const int *)(const void *)f); break;
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
