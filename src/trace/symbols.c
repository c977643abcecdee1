/* Symbolisation for the trace tools: .symtab FUNC/OBJECT symbols and the
 * executable PT_LOAD bytes of the images named in a trace header (ELF
 * format: System V gABI, "Symbol Table" and "Program Header"). All offsets
 * libelf reports are checked against the file size before use. */
#include "symbols.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/elf.h"
#include "tools.h"
#include "trace.h"

#define UNSIZED_REACH 0x10000 /* how far past a size-0 symbol addresses belong to it */
#define COVER_SCAN 64         /* symbols scanned back for an enclosing sized one */

struct sym {
    uint64_t addr, size;
    size_t name;      /* offset in the name pool */
    int rank;         /* higher wins among symbols at the same address */
    int image;
};

struct seg {
    uint64_t vaddr, paddr, filesz, memsz;
    uint8_t *bytes;   /* file bytes of executable segments, else NULL */
};

struct image_note {
    char role[16];
    char name[512];   /* file name without directories */
    char status[96];  /* empty: loaded */
    size_t nsyms;
};

struct symtab {
    struct sym *syms;
    size_t nsyms, cap;
    char *pool;
    size_t pool_len, pool_cap;
    struct seg *segs;
    size_t nsegs, segs_cap;
    struct image_note notes[TRACE_MAX_IMAGES];
    int nnotes;
};

static size_t pool_add(struct symtab *st, const char *s)
{
    size_t n = strlen(s) + 1;
    if (st->pool_len + n > st->pool_cap) {
        st->pool_cap = (st->pool_len + n) * 2 + 4096;
        st->pool = xrealloc(st->pool, st->pool_cap);
    }
    memcpy(st->pool + st->pool_len, s, n);
    st->pool_len += n;
    return st->pool_len - n;
}

static void add_sym(struct symtab *st, const struct sym *s)
{
    if (st->nsyms == st->cap) {
        st->cap = st->cap * 2 + 256;
        st->syms = xrealloc(st->syms, st->cap * sizeof *st->syms);
    }
    st->syms[st->nsyms++] = *s;
}

static void add_seg(struct symtab *st, const struct seg *s)
{
    if (st->nsegs == st->segs_cap) {
        st->segs_cap = st->segs_cap * 2 + 8;
        st->segs = xrealloc(st->segs, st->segs_cap * sizeof *st->segs);
    }
    st->segs[st->nsegs++] = *s;
}

/* Segments and symbols of one ELF file; false + note->status on error. */
static bool load_elf(struct symtab *st, int image, const char *path, struct image_note *note)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(note->status, sizeof note->status, "unreadable");
        return false;
    }
    Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t fsize = 0;
    const char *raw = e ? elf_rawfile(e, &fsize) : NULL;
    GElf_Ehdr eh;
    if (!e || elf_kind(e) != ELF_K_ELF || !raw || !gelf_getehdr(e, &eh)) {
        snprintf(note->status, sizeof note->status, "corrupt ELF");
        if (e)
            elf_end(e);
        close(fd);
        return false;
    }
    size_t first_seg = st->nsegs, first_sym = st->nsyms;
    bool ok = true;

    size_t nph = 0;
    if (elf_getphdrnum(e, &nph) != 0)
        ok = false;
    for (size_t i = 0; ok && i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            ok = false;
            break;
        }
        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset || ph.p_filesz > ph.p_memsz) {
            ok = false;
            break;
        }
        struct seg s = { ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_memsz, NULL };
        if ((ph.p_flags & PF_X) && ph.p_filesz) {
            s.bytes = xrealloc(NULL, ph.p_filesz);
            memcpy(s.bytes, raw + ph.p_offset, ph.p_filesz);
        }
        add_seg(st, &s);
    }

    for (Elf_Scn *scn = NULL; ok && (scn = elf_nextscn(e, scn)) != NULL;) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) {
            ok = false;
            break;
        }
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d || sh.sh_entsize == 0) {
            ok = false;
            break;
        }
        size_t n = d->d_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sy;
            if (!gelf_getsym(d, (int)i, &sy))
                break;
            unsigned type = GELF_ST_TYPE(sy.st_info);
            if ((type != STT_FUNC && type != STT_OBJECT) || sy.st_shndx == SHN_UNDEF)
                continue;
            const char *name = elf_strptr(e, sh.sh_link, sy.st_name);
            if (!name || !*name)
                continue;
            struct sym s = { .addr = sy.st_value, .size = sy.st_size, .image = image };
            /* at one address prefer functions, then sized, then global symbols */
            s.rank = (type == STT_FUNC) * 4 + (sy.st_size != 0) * 2 +
                     (GELF_ST_BIND(sy.st_info) != STB_LOCAL);
            s.name = pool_add(st, name);
            add_sym(st, &s);
        }
    }
    elf_end(e);
    close(fd);
    if (!ok) {
        /* drop what this image added */
        for (size_t i = first_seg; i < st->nsegs; i++)
            free(st->segs[i].bytes);
        st->nsegs = first_seg;
        st->nsyms = first_sym;
        snprintf(note->status, sizeof note->status, "corrupt ELF");
        return false;
    }
    note->nsyms = st->nsyms - first_sym;
    return true;
}

/* Address, then rank; remaining ties (same address and rank) go to the
 * earlier image and then the earlier symbol in the file: deterministic. */
static int sym_cmp(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    if (x->image != y->image)
        return x->image < y->image ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name;
}

struct symtab *symtab_load(const struct trace_header *h)
{
    struct symtab *st = xrealloc(NULL, sizeof *st);
    memset(st, 0, sizeof *st);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return st;
    for (int i = 0; i < h->nimages && i < TRACE_MAX_IMAGES; i++) {
        const struct trace_image *im = &h->images[i];
        if (!strcmp(im->role, "drive"))
            continue; /* a disk, not a program */
        struct image_note *note = &st->notes[st->nnotes++];
        const char *base = strrchr(im->path, '/');
        snprintf(note->role, sizeof note->role, "%s", im->role);
        snprintf(note->name, sizeof note->name, "%s", base ? base + 1 : im->path);
        if (!elf_is_elf(im->path)) {
            bool readable = access(im->path, R_OK) == 0;
            snprintf(note->status, sizeof note->status, "%s", readable ? "not ELF" : "unreadable");
            continue;
        }
        char sha[65], err[256];
        if (!trace_sha256_file(im->path, sha, err, sizeof err)) {
            snprintf(note->status, sizeof note->status, "unreadable");
            continue;
        }
        if (im->sha256[0] && strcmp(sha, im->sha256) != 0) {
            snprintf(note->status, sizeof note->status, "changed since recording, not used");
            continue;
        }
        load_elf(st, i, im->path, note);
    }
    if (st->nsyms > 1)
        qsort(st->syms, st->nsyms, sizeof *st->syms, sym_cmp);
    /* one symbol per address: the best-ranked */
    size_t w = 0;
    for (size_t r = 0; r < st->nsyms; r++)
        if (w == 0 || st->syms[w - 1].addr != st->syms[r].addr)
            st->syms[w++] = st->syms[r];
    st->nsyms = w;
    return st;
}

void symtab_free(struct symtab *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nsegs; i++)
        free(st->segs[i].bytes);
    free(st->segs);
    free(st->syms);
    free(st->pool);
    free(st);
}

size_t symtab_count(const struct symtab *st) { return st->nsyms; }

static const struct sym *find(const struct symtab *st, uint64_t addr)
{
    /* last symbol with s.addr <= addr */
    size_t lo = 0, hi = st->nsyms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct sym *s = &st->syms[lo - 1];
    if (s->size ? addr - s->addr < s->size : addr - s->addr < UNSIZED_REACH)
        return s;
    /* a label-sized symbol may sit inside a larger enclosing one */
    for (size_t k = 1; k < COVER_SCAN && k < lo; k++) {
        const struct sym *p = &st->syms[lo - 1 - k];
        if (p->size && addr - p->addr < p->size)
            return p;
    }
    return NULL;
}

const char *symtab_lookup(const struct symtab *st, uint64_t addr, uint64_t *off)
{
    const struct sym *s = find(st, addr);
    if (!s) {
        /* code running at its load (physical) address, e.g. before paging */
        for (size_t i = 0; i < st->nsegs && !s; i++) {
            const struct seg *g = &st->segs[i];
            if (g->paddr != g->vaddr && addr - g->paddr < g->memsz)
                s = find(st, g->vaddr + (addr - g->paddr));
            if (s)
                addr = g->vaddr + (addr - g->paddr);
        }
    }
    if (!s)
        return NULL;
    if (off)
        *off = addr - s->addr;
    return st->pool + s->name;
}

size_t symtab_read_code(const struct symtab *st, uint64_t addr, uint8_t *buf, size_t max)
{
    for (int physical = 0; physical < 2; physical++)
        for (size_t i = 0; i < st->nsegs; i++) {
            const struct seg *g = &st->segs[i];
            uint64_t base = physical ? g->paddr : g->vaddr;
            if (!g->bytes || addr < base || addr - base >= g->filesz)
                continue;
            size_t n = g->filesz - (addr - base) < max ? (size_t)(g->filesz - (addr - base)) : max;
            memcpy(buf, g->bytes + (addr - base), n);
            return n;
        }
    return 0;
}

size_t symtab_describe(const struct symtab *st, char *buf, size_t len)
{
    size_t n = 0;
    if (len)
        buf[0] = 0;
    for (int i = 0; i < st->nnotes; i++) {
        const struct image_note *no = &st->notes[i];
        char what[128];
        if (no->status[0])
            snprintf(what, sizeof what, "%s", no->status);
        else if (no->nsyms)
            snprintf(what, sizeof what, "%zu symbols", no->nsyms);
        else
            snprintf(what, sizeof what, "no symbols");
        size_t room = n < len ? len - n : 0;
        int k = snprintf(room ? buf + n : NULL, room, "%s%s %s: %s", i ? "; " : "", no->role,
                         no->name, what);
        if (k > 0)
            n += (size_t)k;
    }
    return n;
}
