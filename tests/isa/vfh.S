/* vfh.S — Zvfh 1.0 ("Zvfh and Zvfhmin" 1.0): vector floating point at SEW
 * 16 (binary16) on hvsim's V 1.0 (docs/riscv.md "Vector"): arithmetic in
 * the rounding modes with fflags, FMA, overflow, min/max and compares, the
 * binary16 <-> binary32 conversions (Zvfhmin), binary16 <-> 8/16/32-bit
 * integers, the 7-bit estimates, vfmv.f.s / vfmv.v.f NaN boxing (48 one
 * bits), reductions. Values: tests/isa/gen/vf_values.py (h_* lines).
 * vfhmin.S builds this with VFH_MIN for Zvfhmin alone: only vfwcvt.f.f.v
 * and vfncvt[.rod].f.f.w reach binary16; everything else is illegal.
 *
 * hvsim-isa: rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_zfh_zvfh_sstc
 * qemu-cpu: rv64,v=true,vlen=128,elen=64,Zfh=true
 */
#include "test_macros.h"
        .option arch, +v, +zfh

#define MSTATUS_VS_INIT  (1 << 9)

/* v3 as 4 x e16 (vl = 4): one dword */
#define TH(n, val, ...)                                                 \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        __VA_ARGS__;                                                    \
        la t0, dst; vse16.v v3, (t0); ld a0, 0(t0); CHECK_EQ(a0, val)

#ifdef VFH_MIN
#define ARITH(n, val, ...) TEST_ILLEGAL(n, __VA_ARGS__)
#else
#define ARITH(n, val, ...) TH(n, val, __VA_ARGS__)
#endif

/* e16, vl = 4: v1 = {1.5, -2, 0.25, 100}, v2 = {0.5, 3, -0.25, 4}, v3 = {1, 1, 1, 1} */
#define SETUP                                                           \
        vsetivli t0, 4, e16, m1, tu, mu;                                \
        la t0, ha; vle16.v v1, (t0); la t0, hb; vle16.v v2, (t0);       \
        li t0, 0x3c00; vmv.v.x v3, t0

TEST_BEGIN
        li t0, MSTATUS_VS_INIT; csrs mstatus, t0
        SETUP
        csrwi fflags, 0
        ARITH(2, 0x568000003c004000, vfadd.vv v3, v1, v2)     /* {2, 1, +0, 104} */
        ARITH(3, 0x5e40ac00c6003a00, vfmul.vv v3, v1, v2)
        ARITH(4, 0x4e40bc00b9554200, vfdiv.vv v3, v1, v2)     /* -2/3 RNE: 0xb955, NX */
#ifndef VFH_MIN
        TEST_CASE(5, a0, 1, csrr a0, fflags)
#endif
        csrwi frm, 2
        ARITH(6, 0x4e40bc00b9564200, vfdiv.vv v3, v1, v2)    /* RDN */
        csrwi frm, 0
        li t0, 0x3c00; vmv.v.x v3, t0
        ARITH(7, 0x5e443b80c5003f00, vfmacc.vv v3, v1, v2)
        /* overflow: 100 * 1000 -> inf (OF, NX) */
        li t0, 0x63d0; vmv.v.x v4, t0; li t0, 0x5640; vmv.v.x v5, t0
        ARITH(8, 0x7c007c007c007c00, vfmul.vv v3, v4, v5)
        ARITH(9, 0x4400b400c0003800, vfmin.vv v3, v1, v2)     /* {0.5, -2, -0.25, 4} */
        /* scalar operands: NaN-boxed 16-bit values (48 one bits) */
        li t0, 0xffffffffffff4900; fmv.d.x fa0, t0             /* 10.0 */
        ARITH(10, 0x4900490049004900, vfmv.v.f v3, fa0)
        li t0, 0xffffffff00004900; fmv.d.x fa1, t0             /* not boxed: canonical NaN */
        ARITH(11, 0x7e007e007e007e00, vfmv.v.f v3, fa1)
#ifndef VFH_MIN
        TEST_CASE(12, a0, 0xffffffffffff3e00, vfmv.f.s fa2, v1; fmv.x.d a0, fa2)
        /* compares: v1 < v2 = {F, T, F, F} */
        TEST_CASE(13, a0, 2, vmflt.vv v6, v1, v2; vmv.x.s a0, v6; andi a0, a0, 0xf)
        /* ordered sum: 10 + 1.5 - 2 + 0.25 + 100 = 109.75 (0x56dc) */
        TEST_CASE(14, a0, 0x56dc, vfmv.s.f v7, fa0; vfredosum.vs v8, v1, v7; vmv.x.s a0, v8;
                  zext.h a0, a0)
#endif
        /* Zvfhmin: binary16 <-> binary32 */
        TEST_CASE(15, a0, 0xc00000003fc00000, vfwcvt.f.f.v v8, v1; vsetivli t0, 2, e32, m1;
                  vmv.x.s a0, v8; vslidedown.vi v9, v8, 1; vmv.x.s a1, v9; slli a1, a1, 32;
                  zext.w a0, a0; or a0, a0, a1; vsetivli t0, 4, e16, m1, tu, mu)
        /* f32 1/3 -> f16 0x3555 (NX); 70000 -> inf; rod: 65519 -> 0x7bff, 70000 -> 0x7bff */
        la t0, s32; vsetivli t1, 4, e32, m1; vle32.v v8, (t0); vsetivli t1, 4, e16, mf2, tu, mu
        TH(16, 0x7c007bff7c003555, vfncvt.f.f.w v3, v8)
        TH(17, 0x7bff7bff7bff3555, vfncvt.rod.f.f.w v3, v8)
        vsetivli t0, 4, e16, m1, tu, mu
        /* integers: i8 {1, -1, 127, -128} -> f16; f16 {2.5, -2.75, 300, -1} -> i8 */
        la t0, b8; vsetivli t1, 4, e8, mf2, tu, mu; vle8.v v9, (t0)
        ARITH(18, 0xd80057f0bc003c00, vfwcvt.f.x.v v3, v9)
        la t0, hc; vsetivli t1, 4, e16, m1, tu, mu; vle16.v v10, (t0); vsetivli t1, 4, e8, mf2, tu, mu
#ifdef VFH_MIN
        TEST_ILLEGAL(19, vfncvt.x.f.w v3, v10)
#else
        TEST_CASE(19, a0, 0xff7ffd02, vfncvt.x.f.w v3, v10; la t0, dst; vse8.v v3, (t0); lwu a0, 0(t0))
#endif
        vsetivli t0, 4, e16, m1, tu, mu
        /* vfcvt.x.f.v at e16: {2.5 -> 2, -2.75 -> -3, 300, -1} */
        ARITH(20, 0xffff012cfffd0002, vfcvt.x.f.v v3, v10)
        /* the estimates: rec7 {3, -0.1, max finite -> subnormal}, rsqrt7 {4, 0.1, min subnormal} */
        la t0, hr; vle16.v v11, (t0)
        ARITH(21, 0x7c000100c9003550, vfrec7.v v3, v11)     /* 1/+0: +inf */
        la t0, hs; vle16.v v11, (t0)
        ARITH(22, 0x7c006bf8425037f8, vfrsqrt7.v v3, v11)
        /* widening arithmetic f16 -> f32: 1.5 * 10 = 15 */
#ifndef VFH_MIN
        TEST_CASE(23, a0, 0x41700000, vfwmul.vf v12, v1, fa0; vsetivli t0, 1, e32, m1;
                  vmv.x.s a0, v12; vsetivli t0, 4, e16, m1, tu, mu)
#else
        TEST_ILLEGAL(23, vfwmul.vf v12, v1, fa0)
#endif
        PASS
TEST_END

        .data
        .align 4
dst:    .zero 32
ha:     .half 0x3e00, 0xc000, 0x3400, 0x5640
hb:     .half 0x3800, 0x4200, 0xb400, 0x4400
hc:     .half 0x4100, 0xc180, 0x5cb0, 0xbc00
hr:     .half 0x4200, 0xae66, 0x7bff, 0x0000
hs:     .half 0x4400, 0x2e66, 0x0001, 0x0000
b8:     .byte 1, 0xff, 127, 0x80
        .align 2
s32:    .word 0x3eaaaaab, 0x4788b800, 0x477fef00, 0x4788b800   /* 1/3, 70000, 65519, 70000 */
