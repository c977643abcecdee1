/* vfhmin.S — vfh.S with Zvfhmin alone ([cpu] isa zfhmin_zvfhmin): the
 * binary16 <-> binary32 conversions work, every other binary16 vector FP
 * instruction is illegal.
 *
 * hvsim-isa: rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_zfhmin_zvfhmin_sstc
 * qemu-skip: QEMU 7.2 has no Zvfhmin-only configuration
 */
#define VFH_MIN 1
#include "vfh.S"
