/* v256.S — v.S with VLEN = 256 ([cpu] vlen = 256): every VLMAX, vlenb and
 * whole-register check scales with VLENB.
 *
 * hvsim-isa: rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_sstc
 * hvsim-cpu: vlen = 256
 * qemu-cpu: rv64,v=true,vlen=256,elen=64
 */
#define VLENB 32
#include "v.S"
