/* Architecture-dependent names and decoding for the trace tools, through the
 * architecture registry (src/sim/arch.h). The tools never name a RISC-V (or
 * x86) thing themselves: they ask the arch_info of the trace's `[machine]
 * arch`. Every helper accepts a NULL arch (an architecture this build does
 * not know) and then names nothing, so the tools print numbers. */
#ifndef HVSIM_TRACE_ARCHNAMES_H
#define HVSIM_TRACE_ARCHNAMES_H
#include <stddef.h>
#include <stdint.h>
#include "../sim/arch.h"

struct trace_header;

/* The recorded machine's architecture: `[machine] arch` of the header's
 * config (absent: the config default, "riscv64"). Its name goes to
 * name[len]; NULL when the registry does not know it. */
const struct arch_info *trace_header_arch(const struct trace_header *h, char *name, size_t len);

/* Names, or NULL (unnamed / unknown architecture). */
const char *trace_arch_cause(const struct arch_info *a, uint64_t cause);
const char *trace_arch_priv(const struct arch_info *a, uint64_t priv);
const char *trace_arch_mode(const struct arch_info *a, uint64_t mode);
const char *trace_arch_vm_exit(const struct arch_info *a, uint64_t reason);
const char *trace_arch_timer(const struct arch_info *a, uint64_t timer);
const char *trace_arch_line(const struct arch_info *a, uint64_t line);
/* ipi.send "mech" detail in words (0, "" when none) and its class (NULL:
 * none), arch_info.ipi_detail / ipi_class. */
size_t trace_arch_ipi_detail(const struct arch_info *a, uint64_t mech, char *buf, size_t len);
const char *trace_arch_ipi_class(const struct arch_info *a, uint64_t mech);
/* vm.entry's injected event in words (0, "" when unnamed) and its type
 * (NULL: unnamed), arch_info.vm_inject_name / vm_inject_class. */
size_t trace_arch_vm_inject(const struct arch_info *a, uint64_t info, uint64_t err, uint64_t ilen,
                            char *buf, size_t len);
const char *trace_arch_vm_inject_class(const struct arch_info *a, uint64_t info);
/* The call's extension name (NULL: unknown); *fn its function (or NULL). */
const char *trace_arch_call(const struct arch_info *a, uint64_t eid, uint64_t fid, const char **fn);

/* Interrupt lines (-1: none / unknown): the line an IPI mechanism sets, the
 * line an irq.take cause takes. */
int trace_arch_ipi_line(const struct arch_info *a, uint64_t mech);
int trace_arch_cause_line(const struct arch_info *a, uint64_t cause);

/* The instruction an exc.take (cause, tval) or a vm.exit (inst) carries,
 * in insn-argument form; 0 when none. */
uint64_t trace_arch_exc_insn(const struct arch_info *a, uint64_t cause, uint64_t tval);
uint64_t trace_arch_exit_insn(const struct arch_info *a, uint64_t inst);

/* Disassembly of n instruction bytes at pc, or of an instruction as a trace
 * argument records it (the first up to 8 bytes, little-endian; 0 = not
 * recorded). snprintf semantics; 0 and an empty buf when it cannot. */
size_t trace_arch_disasm(const struct arch_info *a, const uint8_t *bytes, size_t n, uint64_t pc,
                         char *buf, size_t len);
size_t trace_arch_disasm_bits(const struct arch_info *a, uint64_t bits, uint64_t pc, char *buf,
                              size_t len);
/* The same in assembly syntax s (trace_arch_syntax; 0: the default). */
size_t trace_arch_disasm_as(const struct arch_info *a, unsigned s, const uint8_t *bytes, size_t n,
                            uint64_t pc, char *buf, size_t len);
size_t trace_arch_disasm_bits_as(const struct arch_info *a, unsigned s, uint64_t bits, uint64_t pc,
                                 char *buf, size_t len);
/* The number of assembly syntax `name` of the architecture ("intel",
 * "att"), -1 when it has no such syntax (or only one syntax). */
int trace_arch_syntax(const struct arch_info *a, const char *name);

#endif
