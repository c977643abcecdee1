/* Per-architecture registry: everything the ISA-neutral tools (trace check,
 * show, stats, export, symbols) and the gdb stub need to name, decode and
 * debug one CPU architecture. The engine and the tools reach an architecture
 * only through this table; each CPU model provides one `struct arch_info`
 * (RISC-V: src/cpu/riscv/arch.c) and src/sim/arch.c lists them.
 * See docs/architecture.md "Adding an architecture". */
#ifndef HVSIM_ARCH_H
#define HVSIM_ARCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gdb_arch;

/* An interrupt line worth a VCD signal in `trace export --format vcd`. */
struct arch_vcd_line {
    const char *name;   /* "msip" */
    int line;           /* the cpu_ops.set_irq line / ipi.deliver line */
};

struct arch_info {
    unsigned id;              /* CPU_ARCH_* (src/sim/cpu.h) */
    const char *name;         /* [machine] arch in a config: "riscv64" */
    const char *cpu_word;     /* what its CPUs are called: "hart", "cpu" */

    /* Check records: arch_state() returns nstate values; state_name(i)
     * names value i ("pc", "a0", ...). nstate <= ARCH_MAX_STATE. */
    unsigned nstate;
    const char *(*state_name)(unsigned i);

    /* Names for trace tools; NULL result = no name (the tool prints the
     * number). cause: irq.take / exc.take cause; priv: privilege or mode
     * encoding of irq.take from/to; vm_exit: vm.exit reason. */
    const char *(*cause_name)(uint64_t cause);
    const char *(*priv_name)(uint64_t priv);
    const char *(*vm_exit_name)(uint64_t reason);

    /* Instructions: bytes as the trace records them (little-endian, the
     * first byte at the pc). insn_len: length of the instruction whose first
     * bytes are `bits` (0: cannot tell). disasm: snprintf semantics. */
    unsigned max_insn_len;
    unsigned (*insn_len)(uint64_t bits);
    size_t (*disasm)(const uint8_t *bytes, size_t n, uint64_t pc, char *buf, size_t len);

    /* Interrupt lines shown as VCD wires (terminated by a NULL name). */
    const struct arch_vcd_line *vcd_lines;

    /* gdb remote protocol: target description and register access (NULL:
     * the gdb stub refuses machines of this architecture). */
    const struct gdb_arch *gdb;
    /* The enum vmm_exit_class (src/vmm/vmm.h) of a vm.exit reason (NULL: every exit is "other"). */
    unsigned (*vm_exit_class)(uint64_t reason);
};

/* The most values any architecture's arch_state() may return (a check
 * record's per-CPU array). */
#define ARCH_MAX_STATE 512

/* Lookups; NULL when unknown. */
const struct arch_info *arch_by_id(unsigned id);
const struct arch_info *arch_by_name(const char *name);

#endif
