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
    int timer;          /* timer.fire/timer.set "timer" that drives it, -1: none */
};

struct arch_info {
    unsigned id;              /* CPU_ARCH_* (src/sim/cpu.h) */
    const char *name;         /* [machine] arch in a config: "riscv64" */
    const char *cpu_word;     /* what its CPUs are called: "hart", "cpu" */

    /* Check records: arch_state() returns nstate values — or exactly
     * nstate_max for a CPU with optional state (a RISC-V hart with V; 0:
     * no such state); state_name(i) names value i ("pc", "a0", ...) below
     * the larger. nstate <= ARCH_MAX_STATE, nstate_max too. */
    unsigned nstate, nstate_max;
    const char *(*state_name)(unsigned i);

    /* Names for trace tools; NULL result = no name (the tool prints the
     * number). cause: irq.take / exc.take cause; priv: privilege or mode
     * encoding of irq.take from/to; vm_exit: vm.exit reason. */
    const char *(*cause_name)(uint64_t cause);
    const char *(*priv_name)(uint64_t priv);
    const char *(*vm_exit_name)(uint64_t reason);
    /* The code mode in bits 15:8 of an irq.take / exc.take "from"
     * (TRACE_TAKE_MODE; x86: "vm86", "prot32", ...); NULL for mode 0 (the
     * default, or not recorded) and when unnamed. */
    const char *(*mode_name)(uint64_t mode);

    /* Instructions: bytes as the trace records them (little-endian, the
     * first byte at the pc). insn_len: length of the instruction whose first
     * bytes are `bits` (0: cannot tell). disasm: snprintf semantics. */
    unsigned max_insn_len;
    unsigned (*insn_len)(uint64_t bits);
    size_t (*disasm)(const uint8_t *bytes, size_t n, uint64_t pc, char *buf, size_t len);
    /* Assembly syntaxes (`trace show --syntax`), NULL-terminated, the first
     * one being disasm's ("intel", "att"); disasm_syntax prints syntax
     * number s & 0xff of that list, in the code mode s >> 8 (the
     * TRACE_TAKE_MODE of an event, 0: the default mode; x86: 16/32/64-bit).
     * NULL: the architecture has one syntax and one mode. */
    const char *const *syntaxes;
    size_t (*disasm_syntax)(const uint8_t *bytes, size_t n, uint64_t pc, unsigned s, char *buf,
                            size_t len);

    /* Interrupt lines shown as VCD wires (terminated by a NULL name). */
    const struct arch_vcd_line *vcd_lines;

    /* gdb remote protocol: target description and register access (NULL:
     * the gdb stub refuses machines of this architecture). */
    const struct gdb_arch *gdb;

    /* Interrupt lines in trace events: ipi_line(mech) is the line an IPI
     * mechanism (enum trace_ipi_mech) sets on its target (-1: none / not
     * this architecture's); cause_line(cause) is the line an irq.take cause
     * takes (-1: not an interrupt line). */
    int (*ipi_line)(uint64_t mech);
    int (*cause_line)(uint64_t cause);

    /* Firmware / hypervisor calls (sbi.call eid fid): the extension's name,
     * and in *fn its function's name (NULL when unnamed); NULL when the
     * extension is unknown. */
    const char *(*call_name)(uint64_t eid, uint64_t fid, const char **fn);

    /* timer.set / timer.fire "timer" numbers ("mtimecmp"); NULL: unnamed. */
    const char *(*timer_name)(uint64_t timer);

    /* The instruction a trap argument holds, as a trace's insn argument
     * encodes instructions (first bytes little-endian; 0: none): exc_insn
     * from an exc.take's cause and tval, exit_insn from a vm.exit's inst. */
    uint64_t (*exc_insn)(uint64_t cause, uint64_t tval);
    uint64_t (*exit_insn)(uint64_t inst);

    /* The privilege a CPU resets into, encoded like irq.take from/to (-1:
     * unknown): where the timeline's privilege starts. */
    int reset_priv;

    /* Name of interrupt line n (ipi.deliver line, wfi.wake pending bit n):
     * "MSI"; NULL: unnamed. */
    const char *(*line_name)(unsigned line);

    /* The enum vmm_exit_class (src/vmm/vmm.h) of a vm.exit reason (NULL: every exit is "other"). */
    unsigned (*vm_exit_class)(uint64_t reason);

    /* The detail an ipi.send "mech" carries above its mechanism (bits 63:8,
     * TRACE_IPI_DETAIL; x86: the ICR): in words ("INIT", "SIPI vector=0x08",
     * "fixed vector=0xfd all-but-self"), snprintf semantics, 0 and an empty
     * buf when there is none; ipi_class its delivery class for statistics
     * ("fixed", "INIT", ...), NULL when none. NULL hooks: no detail. */
    size_t (*ipi_detail)(uint64_t mech, char *buf, size_t len);
    const char *(*ipi_class)(uint64_t mech);

    /* The event a vm.entry injects (its optional "inject" argument, the
     * architecture's event information; x86: the VM-entry interruption-
     * information field, SDM vol. 3C §24.8.3) in words: vm_inject_name
     * the event with its error code err (when the information says one is
     * delivered) and instruction length ilen ("EXT_INT vector=0x40",
     * "HW_EXC #GP(0)", "SW_INT int 0x80 len=2"), snprintf semantics;
     * vm_inject_class its type for statistics ("EXT_INT", "NMI", ...), NULL
     * when unnamed. NULL hooks: the tools print numbers. */
    size_t (*vm_inject_name)(uint64_t info, uint64_t err, uint64_t ilen, char *buf, size_t len);
    const char *(*vm_inject_class)(uint64_t info);

    /* `trace show`'s name for a vm.exit's inst argument (x86: "insn",
     * the exiting instruction's bytes); NULL: "htinst" (RISC-V). */
    const char *vm_exit_inst_label;
};

/* The most values any architecture's arch_state() may return (a check
 * record's per-CPU array). */
#define ARCH_MAX_STATE 512

/* Lookups; NULL when unknown. */
const struct arch_info *arch_by_id(unsigned id);
const struct arch_info *arch_by_name(const char *name);

#endif
