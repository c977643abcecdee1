/* FXSAVE / FXRSTOR / LDMXCSR / STMXCSR (0F AE /0../3; Intel SDM vol. 2).
 * Not modelled yet: #UD (CPUID.1:EDX.FXSR and SSE are clear). */
#include "x86_cpu.h"

void x86_exec_fxsave_group(struct x86_cpu *x)
{
    x86_raise(x, X86_EXC_UD, false, 0);
}
