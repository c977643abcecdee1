/* v_off.S — v.S on the default board (no isa line): V is disabled there,
 * so misa.V is 0, mstatus.VS is read-only zero and the vector instructions
 * and CSRs raise illegal-instruction with mtval = the instruction.
 * qemu-skip: the default board only */
#define EXT_OFF 1
#include "v.S"
