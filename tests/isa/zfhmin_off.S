/* zfhmin_off.S — zfhmin.S on the default board (no isa line): Zfhmin is
 * disabled there, so its instructions raise illegal-instruction with mtval =
 * the instruction.
 * qemu-skip: the default board only */
#define EXT_OFF 1
#include "zfhmin.S"
