/* zicond_off.S — zicond.S on the default board (no isa line): Zicond is
 * disabled there, so czero.eqz/nez raise illegal-instruction with mtval =
 * the instruction (qemu-skip: the default board only). */
#define EXT_OFF 1
#include "zicond.S"
