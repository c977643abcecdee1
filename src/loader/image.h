/* Loading boot images (firmware, kernel, initrd) into guest memory: raw
 * binaries at a given address, ELF files at their physical addresses. */
#ifndef HVSIM_LOADER_IMAGE_H
#define HVSIM_LOADER_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;
struct elf_image;

/* Copies the whole file to [addr, addr + size) with bus_load. False + a
 * message naming the file when it cannot be read, is empty, or does not fit
 * in memory. *size_out (may be NULL) gets the file size. */
bool image_load_raw(struct bus *b, const char *path, uint64_t addr, uint64_t *size_out,
                    char *err, size_t errlen);

/* ELF (recognised by its magic; accept: as elf_open) or raw. ELF: segments at p_paddr, *entry_out
 * = e_entry, *elf_out (may be NULL) gets the open image for symbol lookups
 * (caller elf_close()s it). Raw: loaded at raw_addr, *entry_out = raw_addr,
 * *elf_out = NULL. */
struct elf_machine;
bool image_load(struct bus *b, const char *path, const struct elf_machine *accept,
                uint64_t raw_addr, uint64_t *entry_out,
                struct elf_image **elf_out, char *err, size_t errlen);

/* Reads a whole regular file into a malloc'ed buffer (one extra NUL byte
 * after the data). NULL + "PATH: reason" when it cannot be opened, is not a
 * regular file, or is larger than max bytes. */
void *image_read_file(const char *path, uint64_t max, size_t *size, char *err, size_t errlen);

#endif
