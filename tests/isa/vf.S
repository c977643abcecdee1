/* vf.S — vector floating point of the "V" extension 1.0 (V §13, §14.3,
 * §14.4, §16.2, §16.3.6, cited "V §n") and the register-group overlap
 * rules of V §5.2, at VLEN 128, SEW 32 and 64: mstatus.FS Off (illegal),
 * fflags from active elements only, frm (every rounding mode, a reserved
 * frm), NaN boxing of f operands, canonical NaNs, masks; arithmetic, FMA,
 * min/max, sign injection, compares, classify, merge and moves, the
 * conversions (single-width, widening, narrowing, rtz, rod), sqrt and the
 * 7-bit estimates, reductions, slides; binary16 (Zvfh) is not implemented:
 * illegal. Expected values: tests/isa/gen/vf_values.py (a reference model
 * from IEEE 754 and the spec), simple ones by hand (comments give them).
 * Tail/mask-agnostic elements are checked as undisturbed only where hvsim
 * documents it; those checks and the FS Dirty rule (hvsim: Dirty only when
 * a flag or an f register changed) are skipped on QEMU.
 *
 * hvsim-isa: rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_sstc
 * qemu-cpu: rv64,v=true,vlen=128,elen=64
 */
#include "test_macros.h"
        .option arch, +v

#define MSTATUS_VS_INIT  (1 << 9)

/* store the e32 group v3 (vl = 4), a0 = dwords 0 and 1 */
#define TV32(n, lo, hi, ...)                                            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        __VA_ARGS__;                                                    \
        la t0, dst; vse32.v v3, (t0);                                   \
        ld a0, 0(t0); CHECK_EQ(a0, lo);                                 \
        ld a0, 8(t0); CHECK_EQ(a0, hi)

/* the e64 group v8 (EMUL 2 under e32 m1), four elements */
#define TD4(n, e0, e1, e2, e3, ...)                                     \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        __VA_ARGS__;                                                    \
        la t0, dst; vsetivli t1, 4, e64, m2, tu, mu; vse64.v v8, (t0);  \
        vsetivli t1, 4, e32, m1, tu, mu;                                \
        ld a0, 0(t0); CHECK_EQ(a0, e0);                                 \
        ld a0, 8(t0); CHECK_EQ(a0, e1);                                 \
        ld a0, 16(t0); CHECK_EQ(a0, e2);                                \
        ld a0, 24(t0); CHECK_EQ(a0, e3)

/* mask v6: first byte (vl <= 8), v6 cleared first */
#define TM(n, expected, ...)                                            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        vmv.v.i v6, 0;                                                  \
        __VA_ARGS__;                                                    \
        la t0, dst; vsm.v v6, (t0); lbu a0, 0(t0);                      \
        CHECK_EQ(a0, expected)

/* fflags after code, cleared before */
#define TFLAGS(n, expected, ...)                                        \
        TEST_CASE(n, a0, expected, csrwi fflags, 0; __VA_ARGS__; csrr a0, fflags)

/* e32, vl = 4: v1 = {1.5, -2, 0.25, 100}, v2 = {0.5, 3, -0.25, 4},
 * v3 = {1, 2, 3, 4}; fa0 = 10.0, fa1 = 1.5 */
#define SETUP                                                           \
        vsetivli t0, 4, e32, m1, tu, mu;                                \
        la t0, fa; vle32.v v1, (t0); la t0, fb; vle32.v v2, (t0);       \
        la t0, fc; vle32.v v3, (t0);                                    \
        li t0, 0x41200000; fmv.w.x fa0, t0;                             \
        li t0, 0x3fc00000; fmv.w.x fa1, t0
#define V3C     la t0, fc; vle32.v v3, (t0)

TEST_BEGIN
        li t0, MSTATUS_VS_INIT; csrs mstatus, t0
        SETUP
        csrwi fflags, 0
        /* ---- mstatus.FS Off: every vector FP instruction is illegal (V §13) ---- */
        li t0, MSTATUS_FS; csrc mstatus, t0
        TEST_ILLEGAL(2, vfadd.vv v3, v1, v2)
        TEST_ILLEGAL(3, vfmv.f.s fa2, v1)
        TEST_ILLEGAL(4, vfmerge.vfm v3, v2, fa0, v0)
        li t0, MSTATUS_FS_INIT; csrs mstatus, t0

        /* ---- single-width arithmetic (V §13.2, §13.4) ---- */
        TV32(5, 0x3f80000040000000, 0x42d0000000000000, vfadd.vv v3, v1, v2) /* {2, 1, +0, 104} */
#ifndef ISA_QEMU
        /* exact results raise no flag: FS stays Initial (hvsim) */
        TEST_CASE(6, a0, MSTATUS_FS_INIT, csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
#endif
        TV32(7, 0xc0a000003f800000, 0x42c000003f000000, vfsub.vv v3, v1, v2) /* {1, -5, .5, 96} */
        TV32(8, 0x4140000041080000, 0xc2b40000411c0000, vfrsub.vf v3, v1, fa0) /* 10 - v1 */
        TV32(9, 0xc0c000003f400000, 0x43c80000bd800000, vfmul.vv v3, v1, v2)
        TEST_CASE(10, a0, 0, csrr a0, fflags)
        /* -2/3: inexact, NX; FS becomes Dirty */
        TV32(11, 0xbf2aaaab40400000, 0x41c80000bf800000, vfdiv.vv v3, v1, v2)
        TEST_CASE(12, a0, 1, csrr a0, fflags)
#ifndef ISA_QEMU
        /* (QEMU 7.2 leaves FS Initial here; V §13: "must set FS to Dirty") */
        TEST_CASE(13, a0, MSTATUS_FS_DIRTY, csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
#endif
        TV32(14, 0xc0a0000040d55555, 0x3dcccccd42200000, vfrdiv.vf v3, v1, fa0) /* 10 / v1 */
        /* the dynamic rounding mode frm: RTZ, RDN, RUP, RMM */
        TV32(15, 0xbf2aaaaa40400000, 0x41c80000bf800000, csrwi frm, 1; vfdiv.vv v3, v1, v2)
        TV32(16, 0xbf2aaaab40400000, 0x41c80000bf800000, csrwi frm, 2; vfdiv.vv v3, v1, v2)
        TV32(17, 0xbf2aaaaa40400000, 0x41c80000bf800000, csrwi frm, 3; vfdiv.vv v3, v1, v2)
        TV32(18, 0xbf2aaaab40400000, 0x41c80000bf800000, csrwi frm, 4; vfdiv.vv v3, v1, v2)
        /* a reserved frm: what rounds is illegal, sign injection and min are not */
        csrwi frm, 5
        TEST_ILLEGAL(19, vfdiv.vv v3, v1, v2)
        TEST_ILLEGAL(20, vfwadd.vv v8, v1, v2)
        TEST_ILLEGAL(21, vfcvt.x.f.v v3, v1)
#ifndef ISA_QEMU
        /* (QEMU 7.2 traps every vector FP instruction under a reserved frm) */
        TV32(22, 0xc0000000bfc00000, 0xc2c80000be800000, vfsgnjn.vf v3, v1, fa0)
#endif
        csrwi frm, 0
        /* masked (v0 = 0b0101): inactive elements keep vd and raise no flag
         * (element 1, -2/3, is inactive) (V §13.1) */
        li t0, 5; vmv.s.x v0, t0
        V3C
        TV32(23, 0x4000000040400000, 0x40800000bf800000, csrwi fflags, 0; vfdiv.vv v3, v1, v2, v0.t)
        TEST_CASE(24, a0, 0, csrr a0, fflags)
        /* division by zero: DZ, +-inf */
        TFLAGS(25, 8, fmv.w.x fa2, x0; vfdiv.vf v3, v1, fa2)
        TV32(26, 0xff8000007f800000, 0x7f8000007f800000)

        /* ---- fused multiply-add (V §13.6): vs1 = v1, vs2 = v2, vd = v3 ---- */
        TV32(27, 0xc08000003fe00000, 0x43ca0000403c0000, V3C; vfmacc.vv v3, v1, v2)
        TV32(28, 0x40800000bfe00000, 0xc3ca0000c03c0000, V3C; vfnmacc.vv v3, v1, v2)
        TV32(29, 0xc1000000be800000, 0x43c60000c0440000, V3C; vfmsac.vv v3, v1, v2)
        TV32(30, 0x410000003e800000, 0xc3c6000040440000, V3C; vfnmsac.vv v3, v1, v2)
        TV32(31, 0xbf80000040000000, 0x43ca00003f000000, V3C; vfmadd.vv v3, v1, v2)
        TV32(32, 0x3f800000c0000000, 0xc3ca0000bf000000, V3C; vfnmadd.vv v3, v1, v2)
        TV32(33, 0xc0e000003f800000, 0x43c600003f800000, V3C; vfmsub.vv v3, v1, v2)
        TV32(34, 0x40e00000bf800000, 0xc3c60000bf800000, V3C; vfnmsub.vv v3, v1, v2)
        /* .vf: 1.5 * vs2 + vd = {1.75, 6.5, 2.625, 10} */
        TV32(35, 0x40d000003fe00000, 0x4120000040280000, V3C; vfmacc.vf v3, fa1, v2)

        /* ---- min/max, sign injection (V §13.11, §13.12): v4 = {qNaN, -0,
         * sNaN, 1}, v5 = {2, +0, 3, qNaN} ---- */
        la t0, fnan; vle32.v v4, (t0); la t0, fnan2; vle32.v v5, (t0)
        TV32(36, 0x8000000040000000, 0x3f80000040400000, csrwi fflags, 0; vfmin.vv v3, v4, v5)
        TEST_CASE(37, a0, 0x10, csrr a0, fflags)                 /* sNaN: NV */
        TV32(38, 0x0000000040000000, 0x3f80000040400000, vfmax.vv v3, v4, v5)
        TV32(39, 0x800000007fc00000, 0x3f8000007fc00000, vfmax.vv v3, v4, v4) /* NaN, NaN: canonical */
        TV32(40, 0x400000003fc00000, 0x42c80000be800000, vfsgnj.vv v3, v1, v2)
        TV32(41, 0xc0000000bfc00000, 0xc2c800003e800000, vfsgnjn.vv v3, v1, v2)
        TV32(42, 0xc00000003fc00000, 0x42c80000be800000, vfsgnjx.vv v3, v1, v2)
        TFLAGS(43, 0, vfsgnjx.vv v3, v4, v4)                     /* no flag, even for sNaN */

        /* ---- compares (V §13.13) into v6 ---- */
        TM(44, 0x2, vmflt.vv v6, v1, v2)
        TM(45, 0x2, vmfle.vv v6, v1, v2)
        TM(46, 0xf, vmfeq.vv v6, v1, v1)
        TM(47, 0xf, vmfne.vv v6, v1, v2)
        TM(48, 0x8, vmfgt.vf v6, v1, fa0)
        TM(49, 0x9, vmfge.vf v6, v1, fa1)
        TM(50, 0x6, vmflt.vf v6, v1, fa1)       /* {F, T, T, F} */
        /* NaNs: vmfeq false, vmfne true; vmfeq signals only on sNaN */
        TM(51, 0x2, vmfeq.vv v6, v4, v5)
        TM(52, 0xd, vmfne.vv v6, v4, v5)
        li t0, 9; vmv.s.x v0, t0                /* elements 0 and 3: quiet NaNs only */
        TFLAGS(53, 0, vmfeq.vv v6, v4, v5, v0.t)
        TFLAGS(54, 0x10, vmflt.vv v6, v4, v5, v0.t)
        TFLAGS(55, 0x10, vmfeq.vv v6, v4, v5)
        /* ---- classify (V §13.14): qNaN 1<<9, -0 1<<3, sNaN 1<<8, +normal 1<<6 ---- */
        TV32(56, 0x0000000800000200, 0x0000004000000100, vfclass.v v3, v4)

        /* ---- merge and moves (V §13.15, §13.16, §16.2), v0 = 0b0101 ---- */
        li t0, 5; vmv.s.x v0, t0
        TV32(57, 0x4040000041200000, 0x4080000041200000, vfmerge.vfm v3, v2, fa0, v0)
        TV32(58, 0x4120000041200000, 0x4120000041200000, vfmv.v.f v3, fa0)
        /* an f operand that is not NaN-boxed reads as the canonical NaN */
        li t0, 0x3f800000; fmv.d.x fa2, t0
        TV32(59, 0x7fc000007fc00000, 0x7fc000007fc00000, vfmv.v.f v3, fa2)
        TV32(60, 0x4000000041200000, 0x4080000040400000, V3C; vfmv.s.f v3, fa0)
        TEST_CASE(61, a0, 0xffffffff3fc00000, vfmv.f.s fa3, v1; fmv.x.d a0, fa3) /* boxed */
        /* vfmv.f.s ignores vl (V §16.2) */
        TEST_CASE(62, a0, 0xffffffff3fc00000, vsetivli t0, 0, e32, m1; fmv.d.x fa3, x0;
                  vfmv.f.s fa3, v1; fmv.x.d a0, fa3)
        SETUP

        /* ---- conversions (V §13.17-§13.19): v7 = {2.5, -2.75, -1, 3e9} ---- */
        la t0, fcv; vle32.v v7, (t0)
        TV32(63, 0xfffffffd00000002, 0x7fffffffffffffff, csrwi fflags, 0; vfcvt.x.f.v v3, v7)
        TEST_CASE(64, a0, 0x11, csrr a0, fflags)                /* NV (3e9), NX */
#ifndef ISA_QEMU /* (QEMU 7.2 aborts translating the rtz/rod conversions) */
        TV32(65, 0xfffffffe00000002, 0x7fffffffffffffff, vfcvt.rtz.x.f.v v3, v7)
#endif
        TV32(66, 0x0000000000000002, 0xb2d05e0000000000, vfcvt.xu.f.v v3, v7) /* negatives: 0, NV */
        TV32(67, 0x0000000000000003, 0xb2d05e0000000000, csrwi frm, 3; vfcvt.xu.f.v v3, v7;
             csrwi frm, 0)                                /* RUP: 2.5 -> 3 */
        /* v8 = ints {1, -1, 0x7fffffff, 16777217} */
        la t0, icv; vle32.v v8, (t0)
        TV32(68, 0xbf8000003f800000, 0x4b8000004f000000, vfcvt.f.x.v v3, v8)
        TV32(69, 0x4f8000003f800000, 0x4b8000004f000000, vfcvt.f.xu.v v3, v8)
        /* widening: f32 -> f64, f32 -> i64 */
        TD4(70, 0x3ff8000000000000, 0xc000000000000000, 0x3fd0000000000000, 0x4059000000000000,
            vfwcvt.f.f.v v8, v1)
        TD4(71, 2, 0xfffffffffffffffd, 0xffffffffffffffff, 0xb2d05e00, vfwcvt.x.f.v v8, v7)
#ifndef ISA_QEMU /* (QEMU 7.2 aborts translating the rtz/rod conversions) */
        TD4(72, 2, 0xfffffffffffffffe, 0xffffffffffffffff, 0xb2d05e00, vfwcvt.rtz.x.f.v v8, v7)
#endif
        /* i16 -> f32 (SEW 16: the destination is binary32, legal without Zvfh) */
        la t0, h16; vsetivli t1, 4, e16, mf2, tu, mu; vle16.v v9, (t0)
        TV32(73, 0xbf8000003f800000, 0xc700000046fffe00, vsetivli t1, 4, e16, mf2, tu, mu;
             vfwcvt.f.x.v v3, v9; vsetivli t1, 4, e32, m1, tu, mu)
        /* narrowing f64 -> f32: v8 = {1/3, 1 + 2^-30, 1e40, -1e40} */
        la t0, dcv; vsetivli t1, 4, e64, m2, tu, mu; vle64.v v8, (t0); vsetivli t1, 4, e32, m1, tu, mu
        TV32(74, 0x3f8000003eaaaaab, 0xff8000007f800000, csrwi fflags, 0; vfncvt.f.f.w v3, v8)
        TEST_CASE(75, a0, 5, csrr a0, fflags)                   /* OF, NX */
        /* round to odd: inexact -> odd LSB; out of range -> largest finite */
#ifndef ISA_QEMU /* (QEMU 7.2 aborts translating the rtz/rod conversions) */
        TV32(76, 0x3f8000013eaaaaab, 0xff7fffff7f7fffff, vfncvt.rod.f.f.w v3, v8)
#endif
        /* f32 -> i16: {2.5, -2.75, 40000, -1} -> {2, -3, 0x7fff (NV), -1} */
        la t0, fcv2; vle32.v v8, (t0)
        TEST_CASE(77, a0, 0xffff7ffffffd0002, vsetivli t1, 4, e16, mf2, tu, mu; vfncvt.x.f.w v3, v8;
                  la t0, dst; vse16.v v3, (t0); ld a0, 0(t0); vsetivli t1, 4, e32, m1, tu, mu)
        /* u64 2^40 + 1 -> f32 2^40 (NX) */
        TEST_CASE(78, a0, 0x53800000, li t0, 0x10000000001; vsetivli t1, 1, e64, m1;
                  vmv.v.x v8, t0; vsetivli t1, 1, e32, mf2; vfncvt.f.xu.w v3, v8; vmv.x.s a0, v3;
                  vsetivli t1, 4, e32, m1, tu, mu)

        /* ---- widening arithmetic (V §13.3, §13.5, §13.7) ---- */
        SETUP
        TD4(79, 0x4000000000000000, 0x3ff0000000000000, 0, 0x405a000000000000, vfwadd.vv v8, v1, v2)
        TD4(80, 0x400c000000000000, 0xbff0000000000000, 0x3fd0000000000000, 0x4069800000000000,
            vfwadd.wv v8, v8, v1)
        TD4(81, 0x402e000000000000, 0xc034000000000000, 0x4004000000000000, 0x408f400000000000,
            vfwmul.vf v8, v1, fa0)
        TD4(82, 0x402f800000000000, 0xc03a000000000000, 0x4003800000000000, 0x4095e00000000000,
            vfwmacc.vv v8, v1, v2)
        /* the product of f32 1/3 and 3 is exact in binary64 (no f32 rounding) */
        TEST_CASE(83, a0, 0x3ff0000008000000, li t0, 0x3eaaaaab; fmv.w.x fa2, t0; li t0, 0x40400000;
                  fmv.w.x fa3, t0; vsetivli t1, 1, e32, mf2; vfmv.v.f v9, fa2; vfwmul.vf v10, v9, fa3;
                  vsetivli t1, 1, e64, m1; vmv.x.s a0, v10; vsetivli t1, 4, e32, m1, tu, mu)

        /* ---- sqrt and the estimates (V §13.8-§13.10) ---- */
        la t0, fsq; vle32.v v4, (t0)                    /* {4, 2.25, 0.0625, -1} */
        TV32(84, 0x3fc0000040000000, 0x7fc000003e800000, csrwi fflags, 0; vfsqrt.v v3, v4)
        TEST_CASE(85, a0, 0x10, csrr a0, fflags)
        /* the spec's examples (V §13.9, §13.10) and 4, 0.1 / 3, -0.1 */
        la t0, frs; vle32.v v4, (t0)
        TV32(86, 0x1f8200005f080000, 0x404a00003eff0000, vfrsqrt7.v v3, v4)
        la t0, frc; vle32.v v4, (t0)
        TV32(87, 0x002140007e900000, 0xc12000003eaa0000, vfrec7.v v3, v4)
        /* 1/(smallest subnormal) overflows: +inf in RNE, the largest finite in RTZ */
        li t0, 1; vmv.v.x v4, t0
        TV32(88, 0x7f8000007f800000, 0x7f8000007f800000, csrwi fflags, 0; vfrec7.v v3, v4)
        TEST_CASE(89, a0, 5, csrr a0, fflags)
        TV32(90, 0x7f7fffff7f7fffff, 0x7f7fffff7f7fffff, csrwi frm, 1; vfrec7.v v3, v4; csrwi frm, 0)
        /* rsqrt7: -0 -> -inf (DZ), -1 -> canonical NaN (NV) */
        li t0, 0x80000000; vmv.v.x v4, t0
        TFLAGS(91, 8, vfrsqrt7.v v3, v4)
        TEST_CASE(92, a0, 0xff800000, vmv.x.s a0, v3; zext.w a0, a0)
        SETUP

        /* ---- reductions (V §14.3, §14.4): v11[0] = 10 ---- */
        vfmv.s.f v11, fa0
        TEST_CASE(93, a0, 0x42db8000, vfredosum.vs v3, v1, v11; vmv.x.s a0, v3; zext.w a0, a0) /* 109.75 */
        TEST_CASE(94, a0, 0x42db8000, vfredusum.vs v3, v1, v11; vmv.x.s a0, v3; zext.w a0, a0)
        TEST_CASE(95, a0, 0x42c80000, vfredmax.vs v3, v1, v11; vmv.x.s a0, v3; zext.w a0, a0)
        TEST_CASE(96, a0, 0xc0000000, vfredmin.vs v3, v1, v11; vmv.x.s a0, v3; zext.w a0, a0)
        /* no active element: vs1[0] copied as is (an sNaN too), no flag */
        li t0, 0x7f800001; vmv.s.x v12, t0; vmv.v.i v0, 0
        TEST_CASE(97, a0, 0x7f800001, csrwi fflags, 0; vfredosum.vs v3, v1, v12, v0.t;
                  vmv.x.s a0, v3; zext.w a0, a0)
        TEST_CASE(98, a0, 0, csrr a0, fflags)
        TEST_CASE(99, a0, 0x7f800001, vfredmax.vs v3, v1, v12, v0.t; vmv.x.s a0, v3; zext.w a0, a0)
        /* widening: 10.0 (binary64) + the widened elements */
        TEST_CASE(100, a0, 0x405b700000000000, li t0, 0x4024000000000000; vsetivli t1, 1, e64, m1;
                  vmv.s.x v13, t0; vsetivli t1, 4, e32, m1, tu, mu; vfwredosum.vs v3, v1, v13;
                  vsetivli t1, 1, e64, m1; vmv.x.s a0, v3; vsetivli t1, 4, e32, m1, tu, mu)
        /* vl = 0: vd untouched; vstart != 0: illegal */
        TEST_CASE(101, a0, 0x3f800000, V3C; vsetivli t1, 0, e32, m1; vfredosum.vs v3, v1, v11;
                  vsetivli t1, 4, e32, m1, tu, mu; vmv.x.s a0, v3)
        csrwi vstart, 1
        TEST_ILLEGAL(102, vfredosum.vs v3, v1, v11)
        csrwi vstart, 0

        /* ---- slides (V §16.3.6) ---- */
        TV32(103, 0x3fc0000041200000, 0x3e800000c0000000, vfslide1up.vf v3, v1, fa0)
        TV32(104, 0x3e800000c0000000, 0x4120000042c80000, vfslide1down.vf v3, v1, fa0)
        TEST_ILLEGAL(105, vfslide1up.vf v1, v1, fa0)     /* vd overlaps vs2 */

        /* ---- SEW 64 ---- */
        li t0, 0x3ff0000000000000; fmv.d.x fa4, t0
        la t0, d64; vsetivli t1, 2, e64, m1; vle64.v v14, (t0)     /* {0.5, -3} */
        TEST_CASE(106, a0, 0x3ff8000000000000, vfadd.vf v3, v14, fa4; vmv.x.s a0, v3)
        TEST_CASE(107, a0, 0x3fe0000000000000, vfmv.f.s fa5, v14; fmv.x.d a0, fa5)
        TEST_CASE(108, a0, 0xfffffffffffffffd, vslidedown.vi v15, v14, 1; vfcvt.x.f.v v3, v15;
                  vmv.x.s a0, v3)
        TEST_CASE(109, a0, 0x3fd5400000000000, li t0, 0x4008000000000000; vmv.v.x v3, t0;
                  vfrec7.v v3, v3; vmv.x.s a0, v3)        /* 1/3 to 7 bits */
        TEST_ILLEGAL(110, vfwadd.vv v8, v14, v14)        /* 2 x SEW > ELEN */
        TEST_ILLEGAL(111, vfwcvt.f.f.v v8, v14)

        /* ---- SEW 16 and 8: no Zvfh, so binary16 operands are reserved ---- */
#ifndef ISA_QEMU
        /* (QEMU 7.2's rv64 cpu has Zfh and runs binary16 vector FP) */
        vsetivli t1, 4, e16, m1
        TEST_ILLEGAL(112, vfadd.vv v3, v1, v2)
        TEST_ILLEGAL(113, vfmv.f.s fa2, v1)
        TEST_ILLEGAL(114, vfwcvt.f.f.v v8, v1)           /* binary16 source */
        TEST_ILLEGAL(115, vfncvt.f.f.w v3, v8)           /* binary16 destination */
        vsetivli t1, 4, e8, m1
        TEST_ILLEGAL(116, vfwcvt.f.x.v v8, v1)           /* i8 -> binary16 */
        TEST_ILLEGAL(117, vfncvt.x.f.w v3, v8)           /* binary16 -> i8 */
#endif

        /* ---- V §5.2 overlap rules (also integer) ---- */
        vsetivli t1, 4, e32, m1
        TEST_ILLEGAL(118, vfwadd.vv v2, v2, v4)          /* wide vd's low half = vs2 */
        TEST_CASE(119, a0, 0, vfwadd.vv v2, v3, v4; li a0, 0) /* the high half: legal */
        TEST_ILLEGAL(120, vfncvt.f.f.w v3, v2)           /* narrow vd in the source's high half */
        TEST_CASE(121, a0, 0, vfncvt.f.f.w v2, v2; li a0, 0)
        TEST_ILLEGAL(122, vfwadd.wv v2, v2, v2)          /* one register read with two EEWs */
        TEST_ILLEGAL(123, vfwcvt.f.f.v v4, v4)
#ifndef ISA_QEMU /* (QEMU 7.2 accepts v0 as data under v0.t) */
        TEST_ILLEGAL(124, vfadd.vv v3, v0, v2, v0.t)     /* v0 as data and as the mask */
#endif
        vsetivli t1, 4, e32, m2
        TEST_ILLEGAL(125, vmfeq.vv v3, v2, v4)           /* a mask in a source group's high half */
        TEST_CASE(126, a0, 0, vmfeq.vv v2, v2, v4; li a0, 0)
        TEST_ILLEGAL(127, vmseq.vv v5, v4, v2)
        TEST_ILLEGAL(128, vmadc.vv v3, v2, v4)
        vsetivli t1, 4, e16, m1
        TEST_ILLEGAL(129, vwadd.vv v2, v2, v4)
        TEST_CASE(130, a0, 0, vwadd.vv v2, v3, v4; li a0, 0)
        TEST_ILLEGAL(131, vnsrl.wi v3, v2, 0)
        TEST_CASE(132, a0, 0, vnsrl.wi v2, v2, 0; li a0, 0)
        TEST_ILLEGAL(133, vwmacc.vv v2, v2, v4)
        vsetivli t1, 4, e32, m1
#ifndef ISA_QEMU
        /* (QEMU 7.2 accepts this overlap; V §5.2 allows none when the
         * source EMUL is below 1) */
        TEST_ILLEGAL(134, vzext.vf2 v2, v2)              /* source EMUL 1/2 < 1: no overlap */
#endif
#ifndef ISA_QEMU
        /* (QEMU 7.2 aborts translating these: decode_save_opc assertion) */
        vsetivli t1, 4, e32, m4
        TEST_ILLEGAL(135, vzext.vf2 v4, v4)              /* source (EMUL 2) in the low half */
        TEST_CASE(136, a0, 0, vzext.vf2 v4, v6; li a0, 0)
#endif
        vsetivli t1, 4, e32, m1
#ifndef ISA_QEMU /* (QEMU 7.2 accepts v0 as data under v0.t) */
        TEST_ILLEGAL(137, vadd.vv v3, v0, v2, v0.t)
        TEST_ILLEGAL(138, vredsum.vs v1, v2, v0, v0.t)
        TEST_ILLEGAL(139, vluxei32.v v4, (a1), v0, v0.t)
        TEST_ILLEGAL(140, vrgatherei16.vv v4, v8, v8)    /* v8 read as e32 and as e16 */
#endif
        la a1, dst
        TEST_ILLEGAL(141, vluxei64.v v5, (a1), v4)       /* e32 data in the e64 index group's high half */
        TEST_ILLEGAL(142, vluxseg2ei32.v v4, (a1), v5)   /* a segment field on the index */
#ifndef ISA_QEMU /* (QEMU 7.2 accepts these two-EEW reads) */
        TEST_ILLEGAL(144, vsuxei8.v v4, (a1), v4)        /* e32 data and e8 index in v4 */
        TEST_ILLEGAL(145, vse32.v v0, (a1), v0.t)        /* v0: data and mask */
#endif
#ifndef ISA_QEMU /* (QEMU 7.2 accepts a register read with two EEWs) */
        TEST_ILLEGAL(143, vwredsum.vs v1, v2, v2)        /* v2: e32 elements and the e64 scalar */
#endif
        PASS
TEST_END

        .data
        .align 6
dst:    .zero 64
        .align 3
fa:     .word 0x3fc00000, 0xc0000000, 0x3e800000, 0x42c80000   /* 1.5, -2, 0.25, 100 */
fb:     .word 0x3f000000, 0x40400000, 0xbe800000, 0x40800000   /* 0.5, 3, -0.25, 4 */
fc:     .word 0x3f800000, 0x40000000, 0x40400000, 0x40800000   /* 1, 2, 3, 4 */
fnan:   .word 0x7fc00001, 0x80000000, 0x7f800001, 0x3f800000   /* qNaN, -0, sNaN, 1 */
fnan2:  .word 0x40000000, 0x00000000, 0x40400000, 0x7fc00000   /* 2, +0, 3, qNaN */
fcv:    .word 0x40200000, 0xc0300000, 0xbf800000, 0x4f32d05e   /* 2.5, -2.75, -1, 3e9 */
fcv2:   .word 0x40200000, 0xc0300000, 0x471c4000, 0xbf800000   /* 2.5, -2.75, 40000, -1 */
icv:    .word 1, 0xffffffff, 0x7fffffff, 16777217
fsq:    .word 0x40800000, 0x40100000, 0x3d800000, 0xbf800000   /* 4, 2.25, 0.0625, -1 */
frs:    .word 0x00718abc, 0x7f765432, 0x40800000, 0x3dcccccd
frc:    .word 0x00718abc, 0x7f765432, 0x40400000, 0xbdcccccd
h16:    .half 1, 0xffff, 32767, 0x8000
        .align 3
dcv:    .dword 0x3fd5555555555555, 0x3ff0000000400000, 0x483d6329f1c35ca5, 0xc83d6329f1c35ca5
d64:    .dword 0x3fe0000000000000, 0xc008000000000000          /* 0.5, -3 */
