/* What the gdb stub needs to know about a CPU architecture: its target
 * description and how to reach registers and translate addresses. The stub
 * itself (gdbstub.c) is ISA-neutral and finds an architecture's gdb_arch in
 * the architecture registry (src/sim/arch.h, arch_info.gdb); RISC-V's is
 * src/cpu/riscv/gdb_target.c. */
#ifndef HVSIM_GDBSTUB_ARCH_H
#define HVSIM_GDBSTUB_ARCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;

/* The largest register in bytes (a RISC-V v register at VLEN 1024). */
#define GDB_REG_MAX_BYTES 128

struct gdb_arch {
    /* qXfer:features:read documents (NULL: unknown annex); c: the CPU the
     * description is for (a RISC-V hart's depends on its V and VLEN). */
    const char *(*target_xml)(struct cpu *c, const char *annex, size_t *len);
    /* registers in the 'g' packet: regnums 0 .. g_nregs-1 */
    int g_nregs;
    /* A register's value, little-endian, *nbytes bytes (at most
     * GDB_REG_MAX_BYTES). false: no such register. */
    bool (*reg_read)(struct cpu *c, int regnum, uint8_t *buf, size_t *nbytes);
    bool (*reg_write)(struct cpu *c, int regnum, const uint8_t *buf, size_t nbytes);
    /* Debugger view of an address in the CPU's current mode; no side effects. */
    bool (*translate)(struct cpu *c, uint64_t va, bool write, uint64_t *pa);
    /* One line about the CPU for qThreadExtraInfo / `monitor harts`. */
    void (*describe)(struct cpu *c, char *buf, size_t len);
    /* `monitor hwtrig on` (docs/gdb.md): Z1-Z4 insert (or remove) one of
     * the CPU's own debug triggers: type 1 execute at addr, 2 write, 3
     * read, 4 access over [addr, addr+len). 0 done, -1 none free (or not
     * expressible), -2 the CPU has no triggers. NULL: no such triggers. */
    int (*hw_trigger)(struct cpu *c, bool insert, int type, uint64_t addr, uint64_t len);
};

#endif
