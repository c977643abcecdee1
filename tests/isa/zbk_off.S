/* zbk_off.S — zbk.S on the default board (no hvsim-isa line): Zbc, Zbkb,
 * Zbkc and Zbkx are disabled there, so each of their instructions raises
 * illegal-instruction with mtval = the instruction.
 * qemu-skip: the default board only (QEMU 7.2 enables Zbc by default) */
#define EXT_OFF 1
#include "zbk.S"
