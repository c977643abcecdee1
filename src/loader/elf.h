/* ELF images (firmware, kernels, test programs) via libelf: validation,
 * loading PT_LOAD segments at their physical addresses, symbol lookup. */
#ifndef HVSIM_LOADER_ELF_H
#define HVSIM_LOADER_ELF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;
struct elf_image;

/* A kind of ELF file a board accepts: e_machine (EM_RISCV, EM_X86_64,
 * EM_386), its class (32 or 64) and a name for messages ("RISC-V"). Lists
 * end with machine 0. */
struct elf_machine {
    unsigned machine;
    unsigned class_bits;
    const char *name;
};
/* RV64 only: the RISC-V board's list, and elf_open's default. */
extern const struct elf_machine elf_machines_riscv64[];

/* Opens and checks an ELF file: readable, a machine and class in `accept`
 * (NULL: elf_machines_riscv64), little-endian, executable, at least one
 * PT_LOAD, every segment inside the file. NULL + a message naming the file
 * otherwise ("not a RISC-V ELF file (e_machine 62, x86-64)"). The file is
 * read into memory; nothing stays open. */
struct elf_image *elf_open(const char *path, const struct elf_machine *accept, char *err,
                           size_t errlen);
/* True when the file starts with the ELF magic (false when unreadable). */
bool elf_is_elf(const char *path);
uint64_t elf_entry(const struct elf_image *e);
/* ELFCLASS64 (else ELFCLASS32). */
bool elf_is_64bit(const struct elf_image *e);
/* Copies every PT_LOAD segment to p_paddr (filesz bytes, then memsz - filesz
 * zero bytes) with bus_load. False + message naming the segment and address
 * when it does not fit in memory. */
bool elf_load(const struct elf_image *e, struct bus *b, char *err, size_t errlen);
/* Value of a symbol from .symtab; false when absent (or no .symtab). */
bool elf_symbol(const struct elf_image *e, const char *name, uint64_t *value);
/* The file name given to elf_open. */
const char *elf_path(const struct elf_image *e);
void elf_close(struct elf_image *e);

#endif
