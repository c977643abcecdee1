/* RISC-V disassembly and names for tools (trace show, gdb stub, UI), built
 * on the interpreter's own decoder (rv_decode): what is printed is what the
 * hart executes. Output follows GNU objdump's conventions: ABI register
 * names, objdump's pseudo-instructions (li, mv, ret, j, beqz, csrr, fmv.d,
 * ...), decimal immediates and offsets, lui/auipc upper immediates in hex,
 * branch and jump targets as absolute hex addresses. Compressed instructions
 * print as the base instruction they expand to ("c.addi sp,-16" prints
 * "addi sp,sp,-16"); encodings the hart rejects print "unknown 0x...". */
#ifndef HVSIM_RV_DISASM_H
#define HVSIM_RV_DISASM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Disassembles the instruction in raw (a 16-bit parcel in the low half when
 * its low bits are not 11) located at pc into buf. snprintf semantics:
 * returns the length of the full text; buf (if len > 0) is always
 * NUL-terminated. */
size_t rv_disasm(uint32_t raw, uint64_t pc, char *buf, size_t len);

/* A V 1.0 instruction (OP-V, or LOAD-FP/STORE-FP with a vector width) into
 * buf, as rv_disasm prints it; 0 (buf "") when the encoding is unassigned
 * or reserved (disasm_vec.c). */
size_t rv_disasm_vec(uint32_t raw, char *buf, size_t len);

/* ABI names of x0..x31 ("zero", "ra", ...) and f0..f31 ("ft0", ...);
 * "?" out of range. */
const char *rv_xreg_name(unsigned r);
const char *rv_freg_name(unsigned r);

/* Name of CSR number csr ("mstatus", "pmpaddr3", "mhpmcounter5") into buf.
 * Unnamed CSRs give "0x7c0" and false. */
bool rv_csr_name(unsigned csr, char *buf, size_t len);

/* Trap cause names (priv 1.12 Table 3.6, H extension §8.6.2): interrupts
 * (bit 63 set) "SSI", "MSI", "STI", "SEI"...; exceptions "ecall-S",
 * "load-page-fault"... NULL when the cause has no name. */
const char *rv_cause_name(uint64_t cause);

/* Privilege level names as trace records encode them: 0 "U", 1 "S", 3 "M",
 * and with V=1 (H extension) 4 "VU", 5 "VS"; NULL otherwise. */
const char *rv_priv_name(uint64_t priv);

#endif
