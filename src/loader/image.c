/* Raw and ELF boot images. */
#include "loader/image.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader/elf.h"
#include "sim/bus.h"

static FILE *open_regular(const char *path, uint64_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    *size = (uint64_t)st.st_size;
    return f;
}

void *image_read_file(const char *path, uint64_t max, size_t *size, char *err, size_t errlen)
{
    uint64_t n;
    FILE *f = open_regular(path, &n, err, errlen);
    if (!f)
        return NULL;
    if (n > max || n >= SIZE_MAX) {
        snprintf(err, errlen, "%s: file too large (%" PRIu64 " bytes, at most %" PRIu64 ")",
                 path, n, max);
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)n + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory reading %" PRIu64 " bytes", path, n);
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, (size_t)n, f);
    bool rerr = ferror(f);
    fclose(f);
    if (rerr || got != n) {
        /* Also catches a file that shrank between fstat and read. */
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *size = (size_t)n;
    return buf;
}

bool image_load_raw(struct bus *b, const char *path, uint64_t addr, uint64_t *size_out,
                    char *err, size_t errlen)
{
    uint64_t n;
    FILE *f = open_regular(path, &n, err, errlen);
    if (!f)
        return false;
    if (n == 0) {
        snprintf(err, errlen, "%s: empty image", path);
        fclose(f);
        return false;
    }
    if (addr + n < addr) {
        snprintf(err, errlen, "%s: %" PRIu64 " bytes at 0x%" PRIx64 " wrap the address space",
                 path, n, addr);
        fclose(f);
        return false;
    }
    /* Chunked: a file far larger than guest memory is never held in host
     * memory; bus_load fails at the first byte outside memory. */
    uint8_t chunk[16 * 1024];
    uint64_t done = 0;
    while (done < n) {
        size_t want = n - done < sizeof chunk ? (size_t)(n - done) : sizeof chunk;
        size_t got = fread(chunk, 1, want, f);
        if (got != want) {
            snprintf(err, errlen, "%s: read error", path);
            fclose(f);
            return false;
        }
        if (!bus_load(b, addr + done, chunk, got)) {
            snprintf(err, errlen,
                     "%s: %" PRIu64 " bytes at [0x%" PRIx64 ", 0x%" PRIx64
                     ") do not fit in guest memory",
                     path, n, addr, addr + n);
            fclose(f);
            return false;
        }
        done += got;
    }
    fclose(f);
    if (size_out)
        *size_out = n;
    return true;
}

bool image_load(struct bus *b, const char *path, const struct elf_machine *accept,
                uint64_t raw_addr, uint64_t *entry_out,
                struct elf_image **elf_out, char *err, size_t errlen)
{
    if (elf_out)
        *elf_out = NULL;
    if (elf_is_elf(path)) {
        struct elf_image *e = elf_open(path, accept, err, errlen);
        if (!e)
            return false;
        if (!elf_load(e, b, err, errlen)) {
            elf_close(e);
            return false;
        }
        if (entry_out)
            *entry_out = elf_entry(e);
        if (elf_out)
            *elf_out = e;
        else
            elf_close(e);
        return true;
    }
    if (!image_load_raw(b, path, raw_addr, NULL, err, errlen))
        return false;
    if (entry_out)
        *entry_out = raw_addr;
    return true;
}
