/* zbkc.S — Zbkc alone (Scalar Cryptography 1.0.0 §2.2): clmul and clmulh
 * execute, while clmulr (Zbc only), pack (Zbkb) and xperm8 (Zbkx) stay
 * illegal instructions. Values: tests/isa/gen/ext_values.py (clmul rows).
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_zbkc
 * qemu-cpu: rv64,zbc=false,zbkc=true
 */
#include "test_macros.h"
        .option arch, +zbc, +zbkb, +zbkc, +zbkx

TEST_BEGIN
        TEST_RR_OP(2, clmul, 0xa0789828c810f00, 0x123456789abcdef0, 0xfedcba9876543210)
        TEST_RR_OP(3, clmulh, 0x1, 0x8000000000000000, 0x3)
        TEST_RR_OP(4, clmul, 0x4b4b4b4b4b4b4b4a, 0xa5a5a5a5a5a5a5a5, 0x2)
        TEST_ILLEGAL(5, clmulr a0, a1, a2)
        TEST_ILLEGAL(6, pack a0, a1, a2)
        TEST_ILLEGAL(7, xperm8 a0, a1, a2)
        TEST_ILLEGAL(8, brev8 a0, a1)
TEST_END
