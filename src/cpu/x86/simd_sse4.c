/* SSE4.2 string compares (PCMPESTRI/M, PCMPISTRI/M), AES-NI and
 * PCLMULQDQ (Intel SDM vol. 2). Not modelled yet. */
#include "simd.h"

bool simd_exec_sse4(struct x86_cpu *x)
{
    (void)x;
    return false;
}
