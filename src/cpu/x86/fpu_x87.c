/* The x87 FPU (Intel SDM vol. 1 ch. 8): the escape opcodes D8-DF and
 * FWAIT. Not modelled yet: every x87 instruction is #UD (CPUID.1:EDX.FPU
 * is clear, so software must not use them). */
#include <string.h>
#include "x86_cpu.h"

void x86_fpu_reset(struct x86_cpu *x)
{
    /* SDM vol. 3A §9.1.1 Table 9-1 (power-up): FCW 0040H, FSW 0, tags
     * empty, MXCSR 1F80H, registers zero. */
    memset(&x->fpu, 0, sizeof x->fpu);
    x->fpu.fcw = 0x0040;
    x->fpu.mxcsr = 0x1f80;
}

void x86_exec_x87(struct x86_cpu *x)
{
    x86_raise(x, X86_EXC_UD, false, 0);
}
