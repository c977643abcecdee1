/* The x86 side of the gdb stub (src/cpu/x86/gdb.c): the struct gdb_arch
 * reached through arch_x86_64.gdb, and the watchpoint check the memory
 * access paths of mmu.c call. Internal to src/cpu/x86/. */
#ifndef HVSIM_X86_GDB_H
#define HVSIM_X86_GDB_H
#include <stdbool.h>
#include <stdint.h>

struct x86_cpu;
struct gdb_arch;

extern const struct gdb_arch x86_gdb_arch;

/* A data access of size bytes at linear address la has completed: if it
 * touches a debugger watchpoint (cpu.wps), note the hit (cpu.wp_hit,
 * wp_addr, wp_kind) and end the run after this instruction. Callers test
 * x->cpu.nwps first, so a run without watchpoints pays one compare. */
void x86_gdb_watch_check(struct x86_cpu *x, uint64_t la, unsigned size, bool write);

/* The CPU's mode as tools name it: "real", "vm86", "prot16", "prot32",
 * "compat" or "long64" (docs/x86.md "Tools"). */
const char *x86_mode_name(const struct x86_cpu *x);

#endif
