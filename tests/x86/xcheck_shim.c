/* The decoder seen from decode_xcheck.c: capstone's headers and insn.h
 * both define x86 names (enum x86_insn, X86_REG_RIP, X86_ES...), so the
 * cross-check reaches the decoder through this file only. */
#include "cpu/x86/insn.h"

int xcheck_decode(const uint8_t *p, size_t n, unsigned mode, const char **mn);

int xcheck_decode(const uint8_t *p, size_t n, unsigned mode, const char **mn)
{
    struct x86_insn in;
    int r = x86_decode(p, n, mode, &in);
    *mn = r > 0 ? x86_mnemonic(&in) : "(bad)";
    return r;
}
