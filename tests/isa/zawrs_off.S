/* zawrs_off.S — zawrs.S on the default board (no isa line): Zawrs is
 * disabled there, so wrs.nto/wrs.sto raise illegal-instruction with mtval =
 * the instruction (qemu-skip: the default board only). */
#define EXT_OFF 1
#include "zawrs.S"
