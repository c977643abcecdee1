/* x86 disassembly through capstone (see disasm.h). */
#include "disasm.h"
#include <capstone/capstone.h>
#include <stdio.h>

const char *const x86_syntaxes[] = { "intel", "att", NULL };

size_t x86_disasm_syntax(const uint8_t *bytes, size_t n, uint64_t pc, unsigned s, char *buf,
                         size_t len)
{
    /* bits 15:8 of s: the code mode an event recorded (x86_cpu.h
     * X86_TMODE_*: 0 64-bit; 2, 5, 7 32-bit; the others 16-bit) */
    unsigned mode = (s >> 8) & 0xff;
    s &= 0xff;
    cs_mode cm = mode == 0 || mode > 7 ? CS_MODE_64 : (mode == 2 || mode == 5 || mode == 7) ? CS_MODE_32 : CS_MODE_16;
    csh h;
    if (cs_open(CS_ARCH_X86, cm, &h) != CS_ERR_OK)
        return (size_t)snprintf(buf, len, "(no disassembler)");
    if (s == 1)
        cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_insn *insn;
    size_t count = cs_disasm(h, bytes, n, pc, 1, &insn);
    size_t r;
    if (count) {
        r = insn[0].op_str[0]
                ? (size_t)snprintf(buf, len, "%s %s", insn[0].mnemonic, insn[0].op_str)
                : (size_t)snprintf(buf, len, "%s", insn[0].mnemonic);
        cs_free(insn, count);
    } else {
        r = (size_t)snprintf(buf, len, "(bad)");
    }
    cs_close(&h);
    return r;
}

size_t x86_disasm(const uint8_t *bytes, size_t n, uint64_t pc, char *buf, size_t len)
{
    return x86_disasm_syntax(bytes, n, pc, 0, buf, len);
}
