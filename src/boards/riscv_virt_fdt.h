/* Device tree blobs for the RISC-V virt board: generated from the config
 * with libfdt (QEMU-virt compatible layout), or read from a --dtb file. */
#ifndef HVSIM_LOADER_FDT_H
#define HVSIM_LOADER_FDT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* Builds the DTB for c: a malloc'ed blob of fdt_totalsize() bytes, or NULL +
 * message. initrd_start/initrd_end: both 0 = no initrd. Phandles are
 * deterministic: cpu N = 1 + 2N, its interrupt controller = 2 + 2N, PLIC =
 * 2*smp + 1, sifive-test = 2*smp + 2. PLIC contexts are listed hart by
 * hart, M-mode (cause 11) then S-mode (cause 9): context 2N = hart N M,
 * 2N + 1 = hart N S. */
void *fdt_build(const struct config *c, uint64_t initrd_start, uint64_t initrd_end,
                char *err, size_t errlen);

/* Reads and validates a DTB file (--dtb). Returns a malloc'ed blob and its
 * fdt_totalsize() in *size; NULL + "FILE is not a device tree blob (...)". */
void *fdt_read_file(const char *path, size_t *size, char *err, size_t errlen);

bool fdt_write_file(const void *fdt, const char *path, char *err, size_t errlen);

/* Where to put a DTB of `size` bytes: the end of RAM (at most 3 GiB above
 * the RAM base) minus size, aligned down to 2 MiB; never below the RAM base. */
uint64_t fdt_default_addr(const struct config *c, size_t size);

#endif
