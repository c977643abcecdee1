/* Symbols and code bytes of the images a trace was recorded with, for the
 * trace tools (and the gdb stub / UI later): ELF .symtab FUNC and OBJECT
 * symbols, and the file bytes of executable PT_LOAD segments. Read with
 * libelf; any ELF class and machine. */
#ifndef HVSIM_TRACE_SYMBOLS_H
#define HVSIM_TRACE_SYMBOLS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trace_header;
struct symtab;

/* Loads every ELF image named in the header. Images that are not ELF, are
 * unreadable or corrupt, or whose SHA-256 differs from the recorded one are
 * skipped (symtab_describe says why); stripped images give no symbols.
 * Never NULL (an empty table when nothing loaded). */
struct symtab *symtab_load(const struct trace_header *h);
void symtab_free(struct symtab *st);

/* The symbol containing addr: the nearest symbol at or below addr whose size
 * covers it, or, for symbols of size 0, that lies within 64 KiB below it.
 * A physical address inside a segment whose p_paddr differs from p_vaddr is
 * also looked up at its virtual address. NULL when none; *off (if off is
 * not NULL) = addr - symbol value. */
const char *symtab_lookup(const struct symtab *st, uint64_t addr, uint64_t *off);

/* Code bytes at addr from the images' executable segments (by virtual, then
 * physical address): copies up to max bytes of the first segment holding
 * addr into buf and returns how many (0 when addr is in no image's file
 * bytes). Which of them form an instruction is the architecture's business
 * (arch_info.disasm). */
size_t symtab_read_code(const struct symtab *st, uint64_t addr, uint8_t *buf, size_t max);

/* Number of symbols loaded. */
size_t symtab_count(const struct symtab *st);

/* One line about each image: "bios fw_jump.elf: no symbols; kernel
 * vmlinux: 41237 symbols; dtb virt.dtb: not ELF". snprintf semantics. */
size_t symtab_describe(const struct symtab *st, char *buf, size_t len);

#endif
