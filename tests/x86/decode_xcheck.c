/* Cross-check of the x86 decoder (src/cpu/x86/decode.c) against capstone
 * (libcapstone 4.0.2, Intel syntax, detail off).
 *
 * (a) Linear sweep of the executable sections of real x86_64 ELF files:
 *     every instruction capstone decodes is decoded by us too; lengths
 *     must be equal, mnemonics equal or in the alias table below.
 * (b) Generated encodings: every opcode of the one-byte, 0F, 0F38 and
 *     0F3A maps x prefixes (none, 66, F3, F2, REX.W) x ModRM/SIB/disp
 *     patterns, in 64-, 32- and 16-bit mode; lengths compared where both
 *     decoders accept the bytes, validity disagreements counted.
 *
 * Prints totals and mismatches by mnemonic; exits 1 on any length
 * mismatch not explained by a documented capstone 4.0.2 bug (known_bug()).
 * Usage: decode_xcheck [ELF...] (defaults below). */
#include <capstone/capstone.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* tests/x86/xcheck_shim.c: x86_decode + x86_mnemonic (insn.h and capstone's
 * headers cannot meet in one file) */
int xcheck_decode(const uint8_t *p, size_t n, unsigned mode, const char **mn);

/* mismatch tallies by "ours|capstone" key */
struct tally {
    char key[64];
    unsigned long n;
    char example[64];
};
#define NTALLY 4096
struct tally_set {
    struct tally t[NTALLY];
    unsigned n;
    unsigned long total;
};

static void tally_add(struct tally_set *s, const char *a, const char *b,
                      const uint8_t *bytes, unsigned len)
{
    char key[64];
    snprintf(key, sizeof key, "%s|%s", a, b);
    s->total++;
    for (unsigned k = 0; k < s->n; k++)
        if (strcmp(s->t[k].key, key) == 0) {
            s->t[k].n++;
            return;
        }
    if (s->n == NTALLY)
        return;
    struct tally *t = &s->t[s->n++];
    snprintf(t->key, sizeof t->key, "%s", key);
    t->n = 1;
    char *e = t->example;
    for (unsigned k = 0; k < len && k < 15 && (size_t)(e - t->example) < sizeof t->example - 4; k++)
        e += sprintf(e, "%02x", bytes[k]);
}

static int cmp_tally(const void *a, const void *b)
{
    const struct tally *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->key, y->key);
}

static void tally_print(struct tally_set *s, const char *what, unsigned max)
{
    qsort(s->t, s->n, sizeof s->t[0], cmp_tally);
    printf("  %s: %lu", what, s->total);
    if (s->n)
        printf(" (%u kinds; ours|capstone  count  example)", s->n);
    printf("\n");
    for (unsigned k = 0; k < s->n && k < max; k++)
        printf("    %-40s %8lu  %s\n", s->t[k].key, s->t[k].n, s->t[k].example);
}

/* Capstone prints some prefixes as part of the mnemonic ("rep stosq",
 * "lock cmpxchg"): strip them before comparing. */
static const char *strip_prefixes(const char *m)
{
    static const char *const pfx[] = { "lock ", "rep ", "repne ", "repe ", "repz ",
                                       "repnz ", "bnd ", "notrack ", "xacquire ",
                                       "xrelease ", "data16 ", "addr32 " };
    for (int again = 1; again;) {
        again = 0;
        for (size_t k = 0; k < sizeof pfx / sizeof pfx[0]; k++) {
            size_t l = strlen(pfx[k]);
            if (strncmp(m, pfx[k], l) == 0) {
                m += l;
                again = 1;
            }
        }
    }
    return m;
}

/* Spelling differences that are not decoding differences: ours | capstone. */
static const char *const aliases[][2] = {
    { "mov", "movabs" },   /* A0-A3 moffs and B8+r imm64 in 64-bit mode */
    { "movq", "movd" },    /* REX.W 0F 6E/7E (MMX): capstone keeps "movd" */
    { "rdpid", "rdseed" }, /* F3 0F C7 /7: capstone 4 has no RDPID */
    { "sfence", "pcommit" }, /* 66 0F AE F8: PCOMMIT, withdrawn from the SDM */
    { "movntps", "movntss" }, /* F3/F2 0F 2B: AMD SSE4a; F2/F3 ignored here */
    { "movntps", "movntsd" },
    { NULL, NULL },
};

/* capstone prints CMPPS/CMPPD/CMPSS/CMPSD with an imm8 < 8 as the
 * pseudo-ops "cmpeqps", "cmpnlesd"... and PCLMULQDQ as "pclmullqhqdq"...
 * (SDM "CMPPS" Table 3-4, "PCLMULQDQ" Table 4-13) */
static int pseudo_op(const char *ours, const char *cs)
{
    size_t lo = strlen(ours), lc = strlen(cs);
    if (strncmp(ours, "cmp", 3) == 0 && lo == 5 && strncmp(cs, "cmp", 3) == 0 && lc > 5 &&
        strcmp(ours + 3, cs + lc - 2) == 0)
        return 1;
    return strcmp(ours, "pclmulqdq") == 0 && strncmp(cs, "pclmul", 6) == 0;
}

static int mnemonic_ok(const char *ours, const char *cs)
{
    if (strcmp(ours, cs) == 0 || pseudo_op(ours, cs))
        return 1;
    for (size_t k = 0; aliases[k][0]; k++)
        if (strcmp(ours, aliases[k][0]) == 0 && strcmp(cs, aliases[k][1]) == 0)
            return 1;
    return 0;
}

/* Skips legacy prefixes and REX; returns the opcode position and the
 * escape-map (0 one-byte, 1 0F, 2 0F38, 3 0F3A). */
static unsigned opcode_at(const uint8_t *b, unsigned n, unsigned mode, unsigned *map,
                          int *has66)
{
    unsigned i = 0;
    *has66 = 0;
    while (i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf0 || b[i] == 0xf2 ||
                     b[i] == 0xf3 || b[i] == 0x26 || b[i] == 0x2e || b[i] == 0x36 ||
                     b[i] == 0x3e || b[i] == 0x64 || b[i] == 0x65 ||
                     (mode == 8 && (b[i] & 0xf0) == 0x40))) {
        if (b[i] == 0x66)
            *has66 = 1;
        i++;
    }
    *map = 0;
    if (i + 1 < n && b[i] == 0x0f) {
        *map = 1;
        i++;
        if (i + 1 < n && (b[i] == 0x38 || b[i] == 0x3a)) {
            *map = b[i] == 0x38 ? 2 : 3;
            i++;
        }
    }
    return i;
}

/* Documented capstone 4.0.2 length bugs (we follow the Intel SDM); returns
 * 1 when the bytes are such a case:
 *  - 66 on a near branch in 64-bit mode (E8, E9, 0F 80-8F): capstone
 *    decodes a rel16 (AMD's reading); Intel ignores 66 there, the operand
 *    size is forced to 64 and the displacement stays rel32 (SDM vol. 2
 *    App. A.2.5 "f64", "Jcc", "CALL", "JMP" 64-bit mode notes);
 *  - UD0 (0F FF) and UD1 (0F B9) have a ModRM byte (SDM vol. 2 "UD"):
 *    capstone ends them after the opcode;
 *  - 66 together with F2/F3 on an instruction for which neither is a
 *    mandatory prefix (66 F2 68 iw, 66 F2 E8 cw): capstone drops the 66 and
 *    reads an imm32/rel32; the F2/F3 is ignored (or BND) and 66 still sets
 *    a 16-bit operand size (SDM vol. 2 §2.1.1, §2.2.1.2);
 *  - 66 REX.W C2 iw (RET imm16): capstone reads 4 immediate bytes; RET's
 *    immediate is always 16 bits. */
static int known_bug(const uint8_t *b, unsigned n, unsigned mode, int ours, int theirs);

/* capstone 4.0.2 in 16-bit mode ignores mandatory prefixes (66 0F 58 prints
 * "addps", F3 0F BD "bsr", 66 0F 38 DC is rejected) and prints 98/99 as
 * "cwde"/"cdq": in 16-bit mode, instructions with a 66/F2/F3 prefix or
 * opcode 98/99 are compared by length only, when both decode them. */
static int cs16_prefix_bug(const uint8_t *b, size_t n, unsigned mode)
{
    if (mode != 2)
        return 0;
    unsigned map;
    int has66;
    unsigned i = opcode_at(b, (unsigned)n, mode, &map, &has66);
    for (unsigned k = 0; k < i; k++)
        if (b[k] == 0x66 || b[k] == 0xf2 || b[k] == 0xf3)
            return 1;
    return i < n && map == 0 && (b[i] == 0x98 || b[i] == 0x99);
}

/* Prefix corner cases where capstone 4.0.2 reads the operand size or the
 * mandatory prefix differently (mnemonic only; the lengths agree):
 *  - 66 with F2/F3: capstone drops the 66 (see known_bug()); we keep it as
 *    the operand size, or as the mandatory prefix of an SSE row that has
 *    no F2/F3 form (66 F2 0F 28: we say movapd, capstone movaps);
 *  - 66 with REX.W: REX.W takes precedence (SDM vol. 2 §2.2.1.2), also for
 *    the "d64" PUSHF/POPF (capstone prints popf, we popfq);
 *  - F3 REX.W 90: PAUSE for us, "xchg" for capstone (48 90 is "nop" for
 *    both);
 *  - two REX prefixes: only the last counts (§2.2.1). */
static int known_mn_diff(const uint8_t *b, size_t n, unsigned mode)
{
    unsigned map, i, nrex = 0;
    int has66, rep = 0, rexw = 0;
    i = opcode_at(b, (unsigned)n, mode, &map, &has66);
    for (unsigned k = 0; k < i; k++) {
        rep |= b[k] == 0xf2 || b[k] == 0xf3;
        if (mode == 8 && (b[k] & 0xf0) == 0x40) {
            nrex++;
            rexw |= (b[k] & 8) != 0;
        }
    }
    if (has66 && (rep || rexw))
        return 1;
    if (rep && rexw && map == 0 && i < n && b[i] == 0x90)
        return 1;
    return nrex > 1;
}

static int known_bug(const uint8_t *b, unsigned n, unsigned mode, int ours, int theirs)
{
    unsigned map;
    int has66;
    unsigned i = opcode_at(b, n, mode, &map, &has66);
    if (i >= n)
        return 0;
    uint8_t op = b[i];
    if (mode == 8 && has66 && ((map == 0 && (op == 0xe8 || op == 0xe9)) ||
                               (map == 1 && (op & 0xf0) == 0x80)) && theirs == ours - 2)
        return 1;
    if (map == 1 && (op == 0xff || op == 0xb9) && theirs < ours)
        return 1;
    int rep = 0, rexw = 0;
    for (unsigned k = 0; k < i; k++) {
        rep |= b[k] == 0xf2 || b[k] == 0xf3;
        if (mode == 8 && (b[k] & 0xf8) == 0x48 && k + 1 == i)
            rexw = 1;
    }
    if (has66 && rep && theirs == ours + 2)
        return 1;
    if (has66 && rexw && map == 0 && op == 0xc2 && theirs == ours + 2)
        return 1;
    return 0;
}

struct stats {
    unsigned long compared, len_bad, len_known, cs16_skipped;
    struct tally_set mn, mn_known, len, known, ours_bad, cs_bad;
};

static struct stats *stats_new(void)
{
    struct stats *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    return s;
}

static void stats_print(const char *name, struct stats *s)
{
    printf("%s: %lu instructions compared, %lu length mismatches (%lu known capstone bugs), "
           "%lu mnemonic mismatches, %lu we reject / capstone accepts, %lu we accept / capstone rejects",
           name, s->compared, s->len_bad + s->len_known, s->len_known, s->mn.total,
           s->ours_bad.total, s->cs_bad.total);
    if (s->cs16_skipped)
        printf(", %lu by length only (capstone 16-bit prefix bug)", s->cs16_skipped);
    printf("\n");
    tally_print(&s->len, "length mismatches", 40);
    tally_print(&s->known, "length mismatches from known capstone bugs", 12);
    tally_print(&s->mn, "mnemonic mismatches", 40);
    tally_print(&s->mn_known, "mnemonic differences in documented prefix corner cases", 8);
    tally_print(&s->ours_bad, "rejected by us only (ours|capstone)", 40);
    tally_print(&s->cs_bad, "rejected by capstone only", 40);
}

static unsigned cs_mode_of(unsigned size)
{
    return size == 8 ? CS_MODE_64 : size == 4 ? CS_MODE_32 : CS_MODE_16;
}

/* Compares one encoding; cs_ok/ci from capstone. */
static void compare(struct stats *st, const uint8_t *b, size_t n, unsigned mode,
                    int cs_ok, const cs_insn *ci)
{
    const char *om;
    int r = xcheck_decode(b, n, mode, &om);
    if (cs16_prefix_bug(b, n, mode)) {
        /* compare lengths only */
        if (r > 0 && cs_ok) {
            st->compared++;
            st->cs16_skipped++;
            if ((unsigned)r != ci->size && !known_bug(b, (unsigned)n, mode, r, ci->size)) {
                st->len_bad++;
                tally_add(&st->len, om, strip_prefixes(ci->mnemonic), b, ci->size);
            } else if ((unsigned)r != ci->size) {
                st->len_known++;
            }
        } else {
            st->cs16_skipped++;
        }
        return;
    }
    if (!cs_ok) {
        if (r > 0)
            tally_add(&st->cs_bad, om, "-", b, (unsigned)r);
        return;
    }
    const char *cm = strip_prefixes(ci->mnemonic);
    if (r <= 0) {
        tally_add(&st->ours_bad, r == 0 ? "(trunc)" : r == -2 ? "(toolong)" : "(bad)", cm,
                  b, ci->size);
        return;
    }
    st->compared++;
    if ((unsigned)r != ci->size) {
        char a[40], c[40];
        snprintf(a, sizeof a, "%s/%d", om, r);
        snprintf(c, sizeof c, "%s/%u", cm, ci->size);
        if (known_bug(b, (unsigned)n, mode, r, ci->size)) {
            st->len_known++;
            tally_add(&st->known, a, c, b, ci->size > (unsigned)r ? ci->size : (unsigned)r);
        } else {
            st->len_bad++;
            tally_add(&st->len, a, c, b, ci->size > (unsigned)r ? ci->size : (unsigned)r);
        }
        return;
    }
    if (!mnemonic_ok(om, cm)) {
        if (known_mn_diff(b, n, mode))
            tally_add(&st->mn_known, om, cm, b, (unsigned)r);
        else
            tally_add(&st->mn, om, cm, b, (unsigned)r);
    }
}

/* (a) executable sections of an ELF64 x86_64 file, linear sweep */
static int sweep_elf(csh h, const char *path, unsigned mode, struct stats *st)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) < 0 || (size_t)sb.st_size < sizeof(Elf64_Ehdr)) {
        close(fd);
        return -1;
    }
    const uint8_t *f = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED)
        return -1;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_X86_64 || eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) >
        (uint64_t)sb.st_size) {
        munmap((void *)f, (size_t)sb.st_size);
        return -1;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    cs_insn *ci = cs_malloc(h);
    for (unsigned k = 0; k < eh->e_shnum; k++) {
        if (sh[k].sh_type != SHT_PROGBITS || !(sh[k].sh_flags & SHF_EXECINSTR) ||
            sh[k].sh_offset + sh[k].sh_size > (uint64_t)sb.st_size)
            continue;
        const uint8_t *code = f + sh[k].sh_offset;
        size_t size = sh[k].sh_size;
        uint64_t addr = sh[k].sh_addr;
        while (size) {
            const uint8_t *c = code;
            size_t sz = size;
            uint64_t a = addr;
            size_t lim = sz < 15 ? sz : 15;
            if (cs_disasm_iter(h, &c, &sz, &a, ci)) {
                compare(st, code, lim, mode, 1, ci);
                code += ci->size;
                size -= ci->size;
                addr += ci->size;
            } else {
                compare(st, code, lim, mode, 0, NULL);
                code++;
                size--;
                addr++;
            }
        }
    }
    cs_free(ci, 1);
    munmap((void *)f, (size_t)sb.st_size);
    return 0;
}

/* (b) generated encodings */
struct mpat {
    uint8_t modrm_low;  /* mod and rm bits; reg is varied */
    uint8_t extra[6];   /* SIB / displacement bytes that follow */
    uint8_t nextra;
};

static const struct mpat mpats[] = {
    { 0x00, { 0 }, 0 },                          /* [rax] / [bx+si] */
    { 0x04, { 0x24 }, 1 },                       /* SIB [rsp] */
    { 0x04, { 0x25, 0x78, 0x56, 0x34, 0x12 }, 5 }, /* SIB no base, disp32 */
    { 0x04, { 0x8d }, 1 },                       /* SIB [rbp+rcx*4] mod 00: disp32 */
    { 0x05, { 0x78, 0x56, 0x34, 0x12 }, 4 },     /* RIP / disp32 */
    { 0x06, { 0x34, 0x12 }, 2 },                 /* [rsi] / 16-bit disp16 */
    { 0x44, { 0x64, 0x80 }, 2 },                 /* SIB disp8 */
    { 0x45, { 0x7f }, 1 },                       /* [rbp+disp8] */
    { 0x80, { 0x78, 0x56, 0x34, 0x12 }, 4 },     /* disp32 / disp16 */
    { 0x84, { 0xe5, 0x78, 0x56, 0x34, 0x12 }, 5 }, /* SIB disp32 */
    { 0xc0, { 0 }, 0 }, { 0xc1, { 0 }, 0 }, { 0xc2, { 0 }, 0 }, { 0xc3, { 0 }, 0 },
    { 0xc4, { 0 }, 0 }, { 0xc5, { 0 }, 0 }, { 0xc6, { 0 }, 0 }, { 0xc7, { 0 }, 0 },
};

static void generate(csh h, unsigned mode, struct stats *st)
{
    /* prefix sets; REX ones (0x4x) only in 64-bit mode */
    static const uint8_t pfx[][3] = { { 0 }, { 0x66 }, { 0xf3 }, { 0xf2 }, { 0x48 },
                                      { 0x67 }, { 0x41 }, { 0x66, 0x4c }, { 0xf0 },
                                      { 0xf3, 0x48 }, { 0x66, 0xf2 }, { 0x64, 0x67 } };
    static const unsigned npfx = sizeof pfx / sizeof pfx[0];
    static const uint8_t esc[4][2] = { { 0 }, { 0x0f }, { 0x0f, 0x38 }, { 0x0f, 0x3a } };
    static const uint8_t esclen[4] = { 0, 1, 2, 2 };
    cs_insn *ci = cs_malloc(h);
    for (unsigned p = 0; p < npfx; p++) {
        int rex = 0;
        for (unsigned k = 0; k < 3; k++)
            rex |= (pfx[p][k] & 0xf0) == 0x40;
        if (rex && mode != 8)
            continue;
        for (unsigned map = 0; map < 4; map++) {
            for (unsigned op = 0; op < 256; op++) {
                if (map == 0 && (op == 0x0f || op == 0x26 || op == 0x2e || op == 0x36 ||
                                 op == 0x3e || (op >= 0x64 && op <= 0x67) || op == 0xf0 ||
                                 op == 0xf2 || op == 0xf3 || (mode == 8 && (op & 0xf0) == 0x40)))
                    continue;
                if (map == 1 && (op == 0x38 || op == 0x3a))
                    continue;
                for (unsigned reg = 0; reg < 8; reg++) {
                    for (size_t m = 0; m < sizeof mpats / sizeof mpats[0]; m++) {
                        uint8_t b[32];
                        unsigned len = 0;
                        for (unsigned k = 0; k < 3 && pfx[p][k]; k++)
                            b[len++] = pfx[p][k];
                        for (unsigned e = 0; e < esclen[map]; e++)
                            b[len++] = esc[map][e];
                        b[len++] = (uint8_t)op;
                        b[len++] = (uint8_t)(mpats[m].modrm_low | (reg << 3));
                        memcpy(b + len, mpats[m].extra, mpats[m].nextra);
                        len += mpats[m].nextra;
                        /* immediates */
                        static const uint8_t tail[] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                                        0x77, 0x88, 0x99, 0xaa, 0xbb };
                        memcpy(b + len, tail, sizeof tail);
                        len += sizeof tail;
                        size_t n = len < 15 ? len : 15;
                        const uint8_t *c = b;
                        size_t sz = n;
                        uint64_t a = 0x1000;
                        int ok = cs_disasm_iter(h, &c, &sz, &a, ci);
                        compare(st, b, n, mode, ok, ci);
                    }
                }
            }
        }
    }
    cs_free(ci, 1);
}

/* (c) random byte strings (fixed seed): lengths where both decode */
static void random_bytes(csh h, unsigned mode, unsigned long count, struct stats *st)
{
    uint64_t x = 0x9e3779b97f4a7c15ull ^ mode;
    cs_insn *ci = cs_malloc(h);
    for (unsigned long k = 0; k < count; k++) {
        uint8_t b[16];
        for (unsigned j = 0; j < 16; j += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(b + j, &x, 8);
        }
        /* bias towards the interesting maps: sometimes start with 0F */
        if ((x >> 60) < 4)
            b[0] = 0x0f;
        if ((x >> 60) == 4) {
            b[0] = 0x0f;
            b[1] = (x >> 59) & 1 ? 0x38 : 0x3a;
        }
        const uint8_t *c = b;
        size_t sz = 15;
        uint64_t a = 0x1000;
        int ok = cs_disasm_iter(h, &c, &sz, &a, ci);
        compare(st, b, 15, mode, ok, ci);
    }
    cs_free(ci, 1);
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {
        "build/hvsim", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/gdb-multiarch",
        NULL };
    const char *const *files = argc > 1 ? (const char *const *)argv + 1 : defaults;
    unsigned long bad = 0;
    csh h;
    for (size_t k = 0; files[k]; k++) {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
            return 2;
        struct stats *st = stats_new();
        if (sweep_elf(h, files[k], 8, st) < 0) {
            printf("%s: not an x86_64 ELF file, skipped\n", files[k]);
        } else {
            stats_print(files[k], st);
            bad += st->len_bad;
        }
        free(st);
        cs_close(&h);
    }
    static const unsigned modes[] = { 8, 4, 2 };
    for (size_t k = 0; k < 3; k++) {
        if (cs_open(CS_ARCH_X86, cs_mode_of(modes[k]), &h) != CS_ERR_OK)
            return 2;
        struct stats *st = stats_new();
        generate(h, modes[k], st);
        char name[64];
        snprintf(name, sizeof name, "generated, %u-bit mode", modes[k] * 8);
        stats_print(name, st);
        bad += st->len_bad;
        free(st);
        st = stats_new();
        random_bytes(h, modes[k], 300000, st);
        snprintf(name, sizeof name, "random bytes, %u-bit mode", modes[k] * 8);
        stats_print(name, st);
        bad += st->len_bad;
        free(st);
        if (modes[k] != 8) {
            /* 64-bit code swept as if it were 32/16-bit code: real byte
             * patterns in the other modes */
            st = stats_new();
            sweep_elf(h, "/usr/lib/x86_64-linux-gnu/libc.so.6", modes[k], st);
            snprintf(name, sizeof name, "libc.so.6 swept in %u-bit mode", modes[k] * 8);
            stats_print(name, st);
            bad += st->len_bad;
            free(st);
        }
        cs_close(&h);
    }
    printf("x86-xcheck: %s (%lu unexplained length mismatches)\n", bad ? "FAIL" : "ok", bad);
    return bad ? 1 : 0;
}
