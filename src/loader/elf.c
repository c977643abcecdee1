/* ELF images via libelf. The file is read into memory once; libelf parses it
 * with elf_memory(), and every offset/size it reports is checked against the
 * file size before use. */
#include "loader/elf.h"

#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/image.h"
#include "sim/bus.h"

/* Largest ELF file accepted (vmlinux with debug info stays well below). */
#define ELF_MAX_FILE (4ull << 30)

struct elf_seg {
    uint64_t offset, filesz, paddr, memsz;
};

struct elf_image {
    char *path;
    char *buf;
    size_t size;
    Elf *elf;
    uint64_t entry;
    struct elf_seg *segs; /* PT_LOAD segments, in program header order */
    size_t nsegs;
    size_t *seg_index;    /* program header index of each segment (messages) */
};

static const char *machine_name(unsigned m)
{
    static const struct { unsigned em; const char *name; } names[] = {
        { EM_386, "i386" },       { EM_X86_64, "x86-64" }, { EM_ARM, "ARM" },
        { EM_AARCH64, "AArch64" }, { EM_PPC64, "PowerPC64" }, { EM_S390, "s390" },
        { EM_MIPS, "MIPS" },      { EM_LOONGARCH, "LoongArch" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].em == m)
            return names[i].name;
    return "unknown";
}

bool elf_is_elf(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char m[SELFMAG];
    bool ok = fread(m, 1, SELFMAG, f) == SELFMAG && memcmp(m, ELFMAG, SELFMAG) == 0;
    fclose(f);
    return ok;
}

void elf_close(struct elf_image *e)
{
    if (!e)
        return;
    if (e->elf)
        elf_end(e->elf);
    free(e->buf);
    free(e->path);
    free(e->segs);
    free(e->seg_index);
    free(e);
}

/* end = off + len without overflow, and end <= limit. */
static bool range_within(uint64_t off, uint64_t len, uint64_t limit)
{
    return off <= limit && len <= limit - off;
}

const struct elf_machine elf_machines_riscv64[] = { { EM_RISCV, 64, "RISC-V" }, { 0, 0, NULL } };

struct elf_image *elf_open(const char *path, const struct elf_machine *accept, char *err,
                           size_t errlen)
{
    struct elf_image *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    e->path = strdup(path);
    if (!e->path) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    e->buf = image_read_file(path, ELF_MAX_FILE, &e->size, err, errlen);
    if (!e->buf)
        goto fail;

    const unsigned char *id = (const unsigned char *)e->buf;
    if (e->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0) {
        snprintf(err, errlen, "%s: not an ELF file", path);
        goto fail;
    }
    if (e->size < EI_NIDENT) {
        snprintf(err, errlen, "%s: truncated ELF file (%zu bytes)", path, e->size);
        goto fail;
    }
    /* The machine the board accepts, from e_machine (offset 18 in both
     * classes) before libelf parses anything. */
    unsigned bits = id[EI_CLASS] == ELFCLASS64 ? 64 : id[EI_CLASS] == ELFCLASS32 ? 32 : 0;
    unsigned em = e->size >= 20 ? (unsigned)((unsigned char)e->buf[18] | (unsigned char)e->buf[19] << 8) : 0;
    const struct elf_machine *want = accept ? accept : elf_machines_riscv64;
    const struct elf_machine *match = NULL;
    for (const struct elf_machine *a = want; a->machine; a++)
        if (a->machine == em && (!match || a->class_bits == bits))
            match = a;
    if (match && match->class_bits != bits) {
        snprintf(err, errlen, "%s: not a %u-bit ELF file (ELFCLASS%s)", path, match->class_bits,
                 bits == 32 ? "32" : bits == 64 ? "64" : "NONE/invalid");
        goto fail;
    }
    if (!bits) {
        snprintf(err, errlen, "%s: not a 32- or 64-bit ELF file (ELFCLASSNONE/invalid)", path);
        goto fail;
    }
    if (id[EI_DATA] != ELFDATA2LSB) {
        snprintf(err, errlen, "%s: not a little-endian ELF file", path);
        goto fail;
    }
    size_t ehsize = bits == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    size_t phsize = bits == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    if (e->size < ehsize) {
        snprintf(err, errlen, "%s: truncated ELF file (%zu bytes, header needs %zu)", path,
                 e->size, ehsize);
        goto fail;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        snprintf(err, errlen, "%s: libelf: %s", path, elf_errmsg(-1));
        goto fail;
    }
    e->elf = elf_memory(e->buf, e->size);
    if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
        snprintf(err, errlen, "%s: corrupt ELF file: %s", path, elf_errmsg(-1));
        goto fail;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(e->elf, &eh)) {
        snprintf(err, errlen, "%s: corrupt ELF header: %s", path, elf_errmsg(-1));
        goto fail;
    }
    if (!match || eh.e_machine != em) {
        char names[128] = "";
        for (const struct elf_machine *a = want; a->machine; a++)
            if (!strstr(names, a->name))
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         names[0] ? " or " : "", a->name);
        snprintf(err, errlen, "%s: not a%s %s ELF file (e_machine %u, %s)", path,
                 strchr("AEIOUaeioux", names[0]) ? "n" : "", names, (unsigned)eh.e_machine,
                 machine_name(eh.e_machine));
        goto fail;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        snprintf(err, errlen, "%s: not an executable ELF file (e_type %u)", path,
                 (unsigned)eh.e_type);
        goto fail;
    }
    e->entry = eh.e_entry;

    /* libelf clamps the program header count to what fits in the file, so
     * check the header's own count first (PN_XNUM: the real count is in
     * section 0 and libelf's number is all there is). */
    if (eh.e_phnum != PN_XNUM &&
        !range_within(eh.e_phoff, (uint64_t)eh.e_phnum * phsize, e->size)) {
        snprintf(err, errlen,
                 "%s: truncated ELF file: %u program headers at offset 0x%" PRIx64
                 " extend beyond the end of the file (%zu bytes)",
                 path, (unsigned)eh.e_phnum, (uint64_t)eh.e_phoff, e->size);
        goto fail;
    }
    size_t phnum;
    if (elf_getphdrnum(e->elf, &phnum) != 0) {
        snprintf(err, errlen, "%s: corrupt program header count: %s", path, elf_errmsg(-1));
        goto fail;
    }
    if (phnum == 0) {
        snprintf(err, errlen, "%s: no PT_LOAD segments (no program headers)", path);
        goto fail;
    }
    if (eh.e_phentsize != phsize ||
        !range_within(eh.e_phoff, (uint64_t)phnum * phsize, e->size)) {
        snprintf(err, errlen,
                 "%s: truncated ELF file: %zu program headers at offset 0x%" PRIx64
                 " extend beyond the end of the file (%zu bytes)",
                 path, phnum, (uint64_t)eh.e_phoff, e->size);
        goto fail;
    }
    e->segs = calloc(phnum, sizeof *e->segs);
    e->seg_index = calloc(phnum, sizeof *e->seg_index);
    if (!e->segs || !e->seg_index) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e->elf, (int)i, &ph)) {
            snprintf(err, errlen, "%s: corrupt program header %zu: %s", path, i,
                     elf_errmsg(-1));
            goto fail;
        }
        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_filesz > ph.p_memsz) {
            snprintf(err, errlen,
                     "%s: segment %zu: file size 0x%" PRIx64 " exceeds memory size 0x%" PRIx64,
                     path, i, (uint64_t)ph.p_filesz, (uint64_t)ph.p_memsz);
            goto fail;
        }
        if (!range_within(ph.p_offset, ph.p_filesz, e->size)) {
            snprintf(err, errlen,
                     "%s: truncated ELF file: segment %zu (offset 0x%" PRIx64 ", 0x%" PRIx64
                     " bytes) extends beyond the end of the file (%zu bytes)",
                     path, i, (uint64_t)ph.p_offset, (uint64_t)ph.p_filesz, e->size);
            goto fail;
        }
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr) {
            snprintf(err, errlen,
                     "%s: segment %zu at 0x%" PRIx64 " (0x%" PRIx64
                     " bytes) wraps the address space",
                     path, i, (uint64_t)ph.p_paddr, (uint64_t)ph.p_memsz);
            goto fail;
        }
        e->segs[e->nsegs] = (struct elf_seg){ ph.p_offset, ph.p_filesz, ph.p_paddr, ph.p_memsz };
        e->seg_index[e->nsegs] = i;
        e->nsegs++;
    }
    if (e->nsegs == 0) {
        snprintf(err, errlen, "%s: no PT_LOAD segments", path);
        goto fail;
    }
    return e;

fail:
    elf_close(e);
    return NULL;
}

bool elf_is_64bit(const struct elf_image *e)
{
    return e->buf[EI_CLASS] == ELFCLASS64;
}

uint64_t elf_entry(const struct elf_image *e)
{
    return e->entry;
}

const char *elf_path(const struct elf_image *e)
{
    return e->path;
}

bool elf_load(const struct elf_image *e, struct bus *b, char *err, size_t errlen)
{
    static const uint8_t zeros[4096];
    for (size_t i = 0; i < e->nsegs; i++) {
        const struct elf_seg *s = &e->segs[i];
        if (s->memsz == 0)
            continue;
        bool ok = true;
        if (s->filesz)
            ok = bus_load(b, s->paddr, e->buf + s->offset, s->filesz);
        /* Zero-fill (.bss): chunked; bounded by guest memory size because
         * bus_load fails at the first chunk outside memory. */
        for (uint64_t a = s->paddr + s->filesz, end = s->paddr + s->memsz; ok && a < end;) {
            uint64_t n = end - a < sizeof zeros ? end - a : sizeof zeros;
            ok = bus_load(b, a, zeros, n);
            a += n;
        }
        if (!ok) {
            snprintf(err, errlen,
                     "%s: segment %zu [0x%" PRIx64 ", 0x%" PRIx64 ") is outside guest memory",
                     e->path, e->seg_index[i], s->paddr, s->paddr + s->memsz);
            return false;
        }
    }
    return true;
}

bool elf_symbol(const struct elf_image *e, const char *name, uint64_t *value)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e->elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d)
            continue;
        size_t n = d->d_size / sh.sh_entsize;
        for (size_t i = 1; i < n && i <= INT_MAX; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(d, (int)i, &sym))
                break;
            const char *s = elf_strptr(e->elf, sh.sh_link, sym.st_name);
            if (s && strcmp(s, name) == 0 && sym.st_shndx != SHN_UNDEF) {
                *value = sym.st_value;
                return true;
            }
        }
    }
    return false;
}
