/* x86 disassembly through capstone (see disasm.h). */
#include "disasm.h"
#include <capstone/capstone.h>
#include <stdio.h>

size_t x86_disasm(const uint8_t *bytes, size_t n, uint64_t pc, char *buf, size_t len)
{
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
        return (size_t)snprintf(buf, len, "(no disassembler)");
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
