/* x86 disassembly for tools (trace show, gdb, UI) through capstone (Debian's
 * libcapstone 4). Kept apart from insn.h: capstone's headers define their
 * own `enum x86_insn`. */
#ifndef HVSIM_X86_DISASM_H
#define HVSIM_X86_DISASM_H
#include <stddef.h>
#include <stdint.h>
/* One instruction at pc from bytes[0..n) in 64-bit mode, Intel syntax
 * ("mov rax, qword ptr [rbx + 8]"); "(bad)" when capstone cannot decode
 * it. snprintf semantics. */
size_t x86_disasm(const uint8_t *bytes, size_t n, uint64_t pc, char *buf, size_t len);
/* The same in syntax s & 0xff of x86_syntaxes: 0 Intel, 1 AT&T
 * ("movq 8(%rbx), %rax"), for the code mode in bits 15:8 of s (the
 * X86_TMODE_* of an exc.take / irq.take "from", x86_cpu.h: 0 64-bit, 2/5/7
 * 32-bit, 1/3/4/6 16-bit). */
extern const char *const x86_syntaxes[];
size_t x86_disasm_syntax(const uint8_t *bytes, size_t n, uint64_t pc, unsigned s, char *buf,
                         size_t len);
#endif
