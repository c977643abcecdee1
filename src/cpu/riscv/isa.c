/* ISA string parsing (isa.h). Naming rules: unprivileged spec 20191213
 * chapter 27 ("ISA Extension Naming Conventions"): single-letter extensions
 * after the base, multi-letter ones separated by underscores. */
#include "isa.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; uint32_t bit; } multi[] = {
    /* always present (bit 0: nothing to enable) */
    { "zicsr", 0 }, { "zifencei", 0 }, { "zicntr", 0 }, { "zihpm", 0 }, { "zba", 0 },
    { "zbb", 0 }, { "zbs", 0 }, { "sstc", 0 },
    /* optional */
    { "zicond", RV_EXT_ZICOND }, { "zihintpause", RV_EXT_ZIHINTPAUSE },
    { "zihintntl", RV_EXT_ZIHINTNTL }, { "zbc", RV_EXT_ZBC }, { "zbkb", RV_EXT_ZBKB },
    { "zbkc", RV_EXT_ZBKC }, { "zbkx", RV_EXT_ZBKX }, { "zicbom", RV_EXT_ZICBOM },
    { "zicboz", RV_EXT_ZICBOZ }, { "zicbop", RV_EXT_ZICBOP }, { "zfhmin", RV_EXT_ZFHMIN },
    { "zfh", RV_EXT_ZFH | RV_EXT_ZFHMIN }, { "sscofpmf", RV_EXT_SSCOFPMF },
    { "sdtrig", RV_EXT_SDTRIG }, { "zvfhmin", RV_EXT_ZVFHMIN },
    { "zvfh", RV_EXT_ZVFH | RV_EXT_ZVFHMIN }, { "svpbmt", RV_EXT_SVPBMT },
    { "svnapot", RV_EXT_SVNAPOT }, { "zawrs", RV_EXT_ZAWRS },
};

size_t rv_isa_extension_list(const char *isa, char *buf, size_t len)
{
    uint32_t ext;
    char err[256];
    if (!rv_isa_parse(isa, &ext, err, sizeof err))
        return 0;
    /* single-letter extensions: bit 0 = always implemented */
    static const struct { const char *name; uint32_t bit; } letters[] = {
        { "i", 0 }, { "m", 0 }, { "a", 0 }, { "f", 0 }, { "d", 0 }, { "c", 0 }, { "h", 0 },
        { "v", RV_EXT_V },
    };
    const size_t nletters = sizeof letters / sizeof letters[0];
    size_t n = 0;
    for (size_t i = 0; i < nletters + sizeof multi / sizeof multi[0]; i++) {
        const char *name = i < nletters ? letters[i].name : multi[i - nletters].name;
        uint32_t bit = i < nletters ? letters[i].bit : multi[i - nletters].bit;
        if (bit && (ext & bit) != bit)
            continue; /* optional and not enabled */
        size_t l = strlen(name) + 1;
        if (n + l > len)
            return 0;
        memcpy(buf + n, name, l);
        n += l;
    }
    return n;
}

bool rv_isa_parse(const char *isa, uint32_t *ext, char *err, size_t errlen)
{
    *ext = 0;
    if (strncasecmp(isa, "rv64", 4) != 0) {
        snprintf(err, errlen, "[cpu] isa '%s' must start with rv64", isa);
        return false;
    }
    const char *p = isa + 4;
    /* single letters up to the first '_' or multi-letter prefix (z, s, x) */
    for (; *p && *p != '_'; p++) {
        int ch = tolower((unsigned char)*p);
        if (ch == 'z' || ch == 's' || ch == 'x')
            break;
        if (ch == 'v') { /* V 1.0 (vector.c): the only optional single letter */
            *ext |= RV_EXT_V;
            continue;
        }
        if (!strchr("imafdcgh", ch)) {
            snprintf(err, errlen, "[cpu] isa '%s': extension '%c' is not implemented "
                     "(single letters: i m a f d c g h v)", isa, *p);
            return false;
        }
    }
    while (*p) {
        if (*p == '_') {
            p++;
            continue;
        }
        size_t n = strcspn(p, "_");
        size_t i = 0;
        for (; i < sizeof multi / sizeof multi[0]; i++)
            if (strlen(multi[i].name) == n && strncasecmp(p, multi[i].name, n) == 0)
                break;
        if (i == sizeof multi / sizeof multi[0]) {
            snprintf(err, errlen, "[cpu] isa '%s': extension '%.*s' is not implemented "
                     "(see docs/riscv.md)", isa, (int)n, p);
            return false;
        }
        *ext |= multi[i].bit;
        p += n;
    }
    /* Zvfh 1.0: Zvfhmin needs a vector extension (here: v), Zvfh also
     * Zfhmin (zfh includes it) */
    if ((*ext & RV_EXT_ZVFHMIN) && !(*ext & RV_EXT_V)) {
        snprintf(err, errlen, "[cpu] isa '%s': zvfhmin/zvfh need v", isa);
        return false;
    }
    if ((*ext & RV_EXT_ZVFH) && !(*ext & RV_EXT_ZFHMIN)) {
        snprintf(err, errlen, "[cpu] isa '%s': zvfh needs zfhmin (or zfh)", isa);
        return false;
    }
    return true;
}

size_t rv_isa_vector_list(unsigned vlen, char *buf, size_t len)
{
    /* alphabetical: zve32f zve32x zve64d zve64f zve64x, then zvl<N>b for
     * N = 32 .. vlen sorted as strings */
    static const char *const zve[] = { "zve32f", "zve32x", "zve64d", "zve64f", "zve64x" };
    char names[16][16];
    size_t nn = 0;
    for (unsigned n = 32; n <= vlen && nn < 16; n *= 2)
        snprintf(names[nn++], sizeof names[0], "zvl%ub", n);
    for (size_t i = 1; i < nn; i++)            /* insertion sort by strcmp */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[16];
            memcpy(t, names[j], sizeof t);
            memcpy(names[j], names[j - 1], sizeof t);
            memcpy(names[j - 1], t, sizeof t);
        }
    size_t n = 0;
    for (size_t i = 0; i < 5 + nn; i++) {
        const char *name = i < 5 ? zve[i] : names[i - 5];
        size_t l = strlen(name) + 1;
        if (n + l > len)
            return 0;
        memcpy(buf + n, name, l);
        n += l;
    }
    return n;
}

size_t rv_isa_string_with_vector(const char *isa, unsigned vlen, char *buf, size_t len)
{
    uint32_t ext;
    char err[256], list[256];
    size_t il = strlen(isa);
    if (!rv_isa_parse(isa, &ext, err, sizeof err) || !(ext & RV_EXT_V)) {
        if (il + 1 > len)
            return 0;
        memcpy(buf, isa, il + 1);
        return il;
    }
    size_t ll = rv_isa_vector_list(vlen, list, sizeof list);
    if (!ll)
        return 0;
    /* the insertion point: before the first "_s"/"_x" component */
    size_t at = il;
    for (size_t i = 0; i + 1 < il; i++)
        if (isa[i] == '_' && (tolower((unsigned char)isa[i + 1]) == 's' ||
                              tolower((unsigned char)isa[i + 1]) == 'x')) {
            at = i;
            break;
        }
    if (il + ll + 1 > len)
        return 0;
    size_t n = 0;
    memcpy(buf, isa, at);
    n = at;
    for (size_t i = 0; i < ll; i += strlen(list + i) + 1) {
        buf[n++] = '_';
        size_t l = strlen(list + i);
        memcpy(buf + n, list + i, l);
        n += l;
    }
    memcpy(buf + n, isa + at, il - at + 1);
    return n + il - at;
}
