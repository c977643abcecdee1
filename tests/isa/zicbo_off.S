/* zicbo_off.S — zicbo.S on the default board (no isa line): Zicbom and
 * Zicboz are disabled there, so cbo.* raise illegal-instruction and the
 * envcfg CB bits are read-only zero; prefetch.* stay hints (qemu-skip: the default board only). */
#define EXT_OFF 1
#include "zicbo.S"
