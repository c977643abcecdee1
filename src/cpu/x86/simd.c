/* MMX and SSE..SSE4.2 (Intel SDM vol. 1 ch. 9-12, vol. 2). Not modelled
 * yet: no opcode is claimed, so they are #UD (the CPUID bits are clear). */
#include "x86_cpu.h"

bool x86_exec_simd(struct x86_cpu *x)
{
    (void)x;
    return false;
}
