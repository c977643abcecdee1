/* zihint_on.S — zihint.S with Zihintpause, Zihintntl and Zicbop named in
 * the ISA string: the hints behave exactly as on the default board.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_zihintpause_zihintntl_zicbop
 */
#include "zihint.S"
