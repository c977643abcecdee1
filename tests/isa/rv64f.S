/* rv64f.S — F extension (single precision) on RV64.
 *
 * Unprivileged spec 20191213 chapter 11: arithmetic with fflags (§11.6),
 * canonical NaN 0x7fc00000 (§11.3), FMIN/FMAX, FSGNJ*, compares (§11.8),
 * FCLASS (§11.9), conversions with the saturation rules of table 11.4 and
 * RV64 sign extension of 32-bit integer results (§11.7), FMV.X.W
 * (sign-extends) / FMV.W.X (§11.7), FLW/FSW (§11.5).  NaN-boxing (§12.2,
 * D present): a single value in a 64-bit f register has the upper 32 bits
 * all ones; FLW/FMV.W.X/single results produce that, and an input that is
 * not properly boxed is treated as the canonical NaN.
 *
 * Every value was computed from the IEEE 754-2008 definitions (exact
 * rational result, one rounding; tininess after rounding).  The FP CSRs and
 * mstatus.FS are covered in rv64d.S.
 */
#include "test_macros.h"

TEST_BEGIN

        /* FADD/FSUB (§11.6 / §12.4): correctly rounded, exceptions in fflags */
        TEST_FP_S_OP2(2, fadd.s, 0, 0x40400000, 0x3f800000, 0x40000000)
        TEST_FP_S_OP2(3, fadd.s, 0, 0x3fa00000, 0x40200000, 0xbfa00000)
        TEST_FP_S_OP2(4, fadd.s, NX, 0x3f800000, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2(5, fadd.s, 0, 0x3f800001, 0x3f800000, 0x34000000)
        TEST_FP_S_OP2(6, fadd.s, 0, 0x0, 0xbfc00000, 0x3fc00000)
        TEST_FP_S_OP2(7, fadd.s, OF|NX, 0x7f800000, 0x7f7fffff, 0x7f7fffff)
        TEST_FP_S_OP2(8, fadd.s, 0, 0x2, 0x1, 0x1)
        TEST_FP_S_OP2(9, fadd.s, 0, 0x800000, 0x800000, 0x80000000)
        TEST_FP_S_OP2(10, fadd.s, NX, 0x40401062, 0x3a83126f, 0x40400000)
        TEST_FP_S_OP2_RM(11, fadd.s, rne, NX, 0x3f800000, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2_RM(12, fadd.s, rne, NX, 0xbf800000, 0xbf800000, 0xb3800000)
        TEST_FP_S_OP2_RM(13, fadd.s, rne, NX, 0x3f800001, 0x3f800000, 0x33c00000)
        TEST_FP_S_OP2_RM(14, fadd.s, rtz, NX, 0x3f800000, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2_RM(15, fadd.s, rtz, NX, 0xbf800000, 0xbf800000, 0xb3800000)
        TEST_FP_S_OP2_RM(16, fadd.s, rtz, NX, 0x3f800000, 0x3f800000, 0x33c00000)
        TEST_FP_S_OP2_RM(17, fadd.s, rdn, NX, 0x3f800000, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2_RM(18, fadd.s, rdn, NX, 0xbf800001, 0xbf800000, 0xb3800000)
        TEST_FP_S_OP2_RM(19, fadd.s, rdn, NX, 0x3f800000, 0x3f800000, 0x33c00000)
        TEST_FP_S_OP2_RM(20, fadd.s, rup, NX, 0x3f800001, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2_RM(21, fadd.s, rup, NX, 0xbf800000, 0xbf800000, 0xb3800000)
        TEST_FP_S_OP2_RM(22, fadd.s, rup, NX, 0x3f800001, 0x3f800000, 0x33c00000)
        TEST_FP_S_OP2_RM(23, fadd.s, rmm, NX, 0x3f800001, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2_RM(24, fadd.s, rmm, NX, 0xbf800001, 0xbf800000, 0xb3800000)
        TEST_FP_S_OP2_RM(25, fadd.s, rmm, NX, 0x3f800001, 0x3f800000, 0x33c00000)
        TEST_FP_S_OP2_RM(26, fadd.s, rtz, OF|NX, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff)
        TEST_FP_S_OP2_RM(27, fadd.s, rup, OF|NX, 0xff7fffff, 0xff7fffff, 0xff7fffff)
        TEST_FP_S_OP2(28, fadd.s, NV, 0x7fc00000, 0x7f800000, 0xff800000)
        TEST_FP_S_OP2(29, fadd.s, 0, 0x7f800000, 0x7f800000, 0x3f800000)
        TEST_FP_S_OP2(30, fadd.s, 0, 0x7fc00000, 0x7fc00123, 0x3f800000)
        TEST_FP_S_OP2(31, fadd.s, NV, 0x7fc00000, 0x7f800001, 0x3f800000)
        TEST_FP_S_OP2(32, fadd.s, 0, 0x80000000, 0x80000000, 0x80000000)
        TEST_FP_S_OP2(33, fadd.s, 0, 0x0, 0x0, 0x80000000)
        TEST_FP_S_OP2(34, fsub.s, 0, 0x0, 0x3f800000, 0x3f800000)
        TEST_FP_S_OP2(35, fsub.s, 0, 0xc0000000, 0x40400000, 0x40a00000)
        TEST_FP_S_OP2(36, fsub.s, 0, 0x3f7fffff, 0x3f800000, 0x33800000)
        TEST_FP_S_OP2(37, fsub.s, 0, 0x7fffff, 0x800000, 0x1)
        TEST_FP_S_OP2(38, fsub.s, NX, 0xff7fffff, 0xc0000000, 0x7f7fffff)
        TEST_FP_S_OP2_RM(39, fsub.s, rdn, 0, 0x80000000, 0x3f800000, 0x3f800000)
        TEST_FP_S_OP2(40, fsub.s, NV, 0x7fc00000, 0x7f800000, 0x7f800000)

        /* FMUL */
        TEST_FP_S_OP2(41, fmul.s, 0, 0x40c00000, 0x40000000, 0x40400000)
        TEST_FP_S_OP2(42, fmul.s, 0, 0xc0700000, 0xbfc00000, 0x40200000)
        TEST_FP_S_OP2(43, fmul.s, NX, 0x3e99999a, 0x3dcccccd, 0x40400000)
        TEST_FP_S_OP2(44, fmul.s, OF|NX, 0x7f800000, 0x7f7fffff, 0x40000000)
        TEST_FP_S_OP2(45, fmul.s, 0, 0x400000, 0x800000, 0x3f000000)
        TEST_FP_S_OP2(46, fmul.s, UF|NX, 0x400000, 0x800001, 0x3f000000)
        TEST_FP_S_OP2(47, fmul.s, UF|NX, 0x0, 0x800000, 0x800000)
        TEST_FP_S_OP2(48, fmul.s, 0, 0x80000000, 0x80000000, 0x40a00000)
        TEST_FP_S_OP2(49, fmul.s, 0, 0xfffffe, 0x7fffff, 0x40000000)
        TEST_FP_S_OP2_RM(50, fmul.s, rtz, OF|NX, 0x7f7fffff, 0x7f7fffff, 0x40000000)
        TEST_FP_S_OP2_RM(51, fmul.s, rup, NX, 0x3e99999a, 0x3dcccccd, 0x40400000)
        TEST_FP_S_OP2_RM(52, fmul.s, rdn, UF|NX, 0x400000, 0x800001, 0x3f000000)
        TEST_FP_S_OP2(53, fmul.s, NV, 0x7fc00000, 0x7f800000, 0x0)
        TEST_FP_S_OP2(54, fmul.s, 0, 0x7f800000, 0xff800000, 0xc0000000)
        TEST_FP_S_OP2(55, fmul.s, NV, 0x7fc00000, 0x7f800001, 0x0)

        /* FDIV / FSQRT */
        TEST_FP_S_OP2(56, fdiv.s, 0, 0x40400000, 0x40c00000, 0x40000000)
        TEST_FP_S_OP2(57, fdiv.s, NX, 0x3eaaaaab, 0x3f800000, 0x40400000)
        TEST_FP_S_OP2(58, fdiv.s, NX, 0xbeaaaaab, 0xbf800000, 0x40400000)
        TEST_FP_S_OP2(59, fdiv.s, OF|NX, 0x7f800000, 0x7f7fffff, 0x3f000000)
        TEST_FP_S_OP2(60, fdiv.s, 0, 0x200000, 0x800000, 0x40800000)
        TEST_FP_S_OP2(61, fdiv.s, UF|NX, 0x200000, 0x3f800000, 0x7f7fffff)
        TEST_FP_S_OP2_RM(62, fdiv.s, rup, NX, 0x3eaaaaab, 0x3f800000, 0x40400000)
        TEST_FP_S_OP2_RM(63, fdiv.s, rtz, NX, 0x3eaaaaaa, 0x3f800000, 0x40400000)
        TEST_FP_S_OP2_RM(64, fdiv.s, rdn, NX, 0xbeaaaaab, 0xbf800000, 0x40400000)
        TEST_FP_S_OP2(65, fdiv.s, DZ, 0x7f800000, 0x3f800000, 0x0)
        TEST_FP_S_OP2(66, fdiv.s, DZ, 0xff800000, 0xbf800000, 0x0)
        TEST_FP_S_OP2(67, fdiv.s, DZ, 0xff800000, 0x3f800000, 0x80000000)
        TEST_FP_S_OP2(68, fdiv.s, NV, 0x7fc00000, 0x0, 0x0)
        TEST_FP_S_OP2(69, fdiv.s, NV, 0x7fc00000, 0x7f800000, 0x7f800000)
        TEST_FP_S_OP2(70, fdiv.s, 0, 0x0, 0x3f800000, 0x7f800000)
        TEST_FP_S_OP2(71, fdiv.s, 0, 0x7fc00000, 0x7fc00000, 0x0)
        TEST_FP_S_OP1(72, fsqrt.s, 0, 0x40000000, 0x40800000)
        TEST_FP_S_OP1(73, fsqrt.s, NX, 0x3fb504f3, 0x40000000)
        TEST_FP_S_OP1(74, fsqrt.s, 0, 0x3f000000, 0x3e800000)
        TEST_FP_S_OP1(75, fsqrt.s, NX, 0x1a3504f3, 0x1)
        TEST_FP_S_OP1(76, fsqrt.s, NX, 0x5f7fffff, 0x7f7fffff)
        TEST_FP_S_OP1(77, fsqrt.s, NX, 0x3b4f3e37, 0x3727c5ac)
        TEST_FP_S_OP1_RM(78, fsqrt.s, rup, NX, 0x3fb504f4, 0x40000000)
        TEST_FP_S_OP1_RM(79, fsqrt.s, rdn, NX, 0x3fb504f3, 0x40000000)
        TEST_FP_S_OP1(80, fsqrt.s, NV, 0x7fc00000, 0xbf800000)
        TEST_FP_S_OP1(81, fsqrt.s, 0, 0x80000000, 0x80000000)
        TEST_FP_S_OP1(82, fsqrt.s, 0, 0x7f800000, 0x7f800000)
        TEST_FP_S_OP1(83, fsqrt.s, NV, 0x7fc00000, 0xff800000)
        TEST_FP_S_OP1(84, fsqrt.s, NV, 0x7fc00000, 0x7f800001)

        /* FMIN/FMAX (§11.6, 2.2 semantics): -0 < +0, a single NaN operand is ignored, sNaN raises NV */
        TEST_FP_S_OP2(85, fmin.s, 0, 0x3f800000, 0x3f800000, 0x40000000)
        TEST_FP_S_OP2(86, fmax.s, 0, 0x40000000, 0x3f800000, 0x40000000)
        TEST_FP_S_OP2(87, fmin.s, 0, 0xc0000000, 0xbf800000, 0xc0000000)
        TEST_FP_S_OP2(88, fmax.s, 0, 0xbf800000, 0xbf800000, 0xc0000000)
        TEST_FP_S_OP2(89, fmin.s, 0, 0x80000000, 0x0, 0x80000000)
        TEST_FP_S_OP2(90, fmin.s, 0, 0x80000000, 0x80000000, 0x0)
        TEST_FP_S_OP2(91, fmax.s, 0, 0x0, 0x0, 0x80000000)
        TEST_FP_S_OP2(92, fmax.s, 0, 0x0, 0x80000000, 0x0)
        TEST_FP_S_OP2(93, fmin.s, 0, 0x40400000, 0x7fc00123, 0x40400000)
        TEST_FP_S_OP2(94, fmax.s, 0, 0x40400000, 0x40400000, 0x7fc00123)
        TEST_FP_S_OP2(95, fmin.s, NV, 0x40400000, 0x7f800001, 0x40400000)
        TEST_FP_S_OP2(96, fmax.s, NV, 0x40400000, 0x40400000, 0x7f800001)
        TEST_FP_S_OP2(97, fmin.s, 0, 0x7fc00000, 0x7fc00123, 0x7fc00123)
        TEST_FP_S_OP2(98, fmax.s, NV, 0x7fc00000, 0x7f800001, 0x7fc00000)
        TEST_FP_S_OP2(99, fmin.s, 0, 0xff800000, 0xff800000, 0x7f7fffff)
        TEST_FP_S_OP2(100, fmax.s, 0, 0x7f800000, 0x7f800000, 0x7f7fffff)

        /* fused multiply-add: one rounding of a*b+c (§11.6) */
        TEST_FP_S_OP3(101, fmadd.s, 0, 0x40e00000, 0x40000000, 0x40400000, 0x3f800000)
        TEST_FP_S_OP3(102, fmsub.s, 0, 0x40a00000, 0x40000000, 0x40400000, 0x3f800000)
        TEST_FP_S_OP3(103, fnmsub.s, 0, 0xc0a00000, 0x40000000, 0x40400000, 0x3f800000)
        TEST_FP_S_OP3(104, fnmadd.s, 0, 0xc0e00000, 0x40000000, 0x40400000, 0x3f800000)
        TEST_FP_S_OP3(105, fmadd.s, 0, 0x34000000, 0x3f800000, 0x3f800001, 0xbf800000)
        TEST_FP_S_OP3(106, fmadd.s, 0, 0xa8800000, 0x3f800001, 0x3f7ffffe, 0xbf800000)
        TEST_FP_S_OP3(107, fmsub.s, NX, 0xbf333333, 0x3dcccccd, 0x40400000, 0x3f800000)
        TEST_FP_S_OP3(108, fmadd.s, 0, 0x7f7fffff, 0x7f7fffff, 0x40000000, 0xff7fffff)
        TEST_FP_S_OP3_RM(109, fmadd.s, rtz, 0, 0x40500000, 0x3fc00000, 0x3fc00000, 0x3f800000)
        TEST_FP_S_OP3_RM(110, fmadd.s, rup, NX, 0x3f800003, 0x3f800001, 0x3f800001, 0x0)
        TEST_FP_S_OP3(111, fmadd.s, NV, 0x7fc00000, 0x7f800000, 0, 0x3f800000)
        TEST_FP_S_OP3(112, fmadd.s, NV, 0x7fc00000, 0x7f800000, 0x3f800000, 0xff800000)
        TEST_FP_S_OP3(113, fnmadd.s, 0, 0x7fc00000, 0x3f800000, 0x3f800000, 0x7fc00123)
        TEST_FP_S_OP3(114, fmadd.s, NV, 0x7fc00000, 0x7f800001, 0x3f800000, 0x3f800000)

        /* sign injection: bit operations only, NaN payloads kept, no flags */
        TEST_FP_S_OP2(115, fsgnj.s, 0, 0xbfc00000, 0x3fc00000, 0xc0000000)
        TEST_FP_S_OP2(116, fsgnj.s, 0, 0x3fc00000, 0xbfc00000, 0x40000000)
        TEST_FP_S_OP2(117, fsgnj.s, 0, 0xbfc00000, 0xbfc00000, 0xc0000000)
        TEST_FP_S_OP2(118, fsgnj.s, 0, 0xffc00123, 0x7fc00123, 0x80000000)
        TEST_FP_S_OP2(119, fsgnj.s, 0, 0x7f800001, 0x7f800001, 0x0)
        TEST_FP_S_OP2(120, fsgnjn.s, 0, 0x3fc00000, 0x3fc00000, 0xc0000000)
        TEST_FP_S_OP2(121, fsgnjn.s, 0, 0xbfc00000, 0xbfc00000, 0x40000000)
        TEST_FP_S_OP2(122, fsgnjn.s, 0, 0x3fc00000, 0xbfc00000, 0xc0000000)
        TEST_FP_S_OP2(123, fsgnjn.s, 0, 0x7fc00123, 0x7fc00123, 0x80000000)
        TEST_FP_S_OP2(124, fsgnjn.s, 0, 0xff800001, 0x7f800001, 0x0)
        TEST_FP_S_OP2(125, fsgnjx.s, 0, 0xbfc00000, 0x3fc00000, 0xc0000000)
        TEST_FP_S_OP2(126, fsgnjx.s, 0, 0xbfc00000, 0xbfc00000, 0x40000000)
        TEST_FP_S_OP2(127, fsgnjx.s, 0, 0x3fc00000, 0xbfc00000, 0xc0000000)
        TEST_FP_S_OP2(128, fsgnjx.s, 0, 0xffc00123, 0x7fc00123, 0x80000000)
        TEST_FP_S_OP2(129, fsgnjx.s, 0, 0x7f800001, 0x7f800001, 0x0)
        /* fmv.s, fneg.s and fabs.s are sign-injection pseudo-instructions */
        TEST_FP_S_OP1(130, fneg.s, 0, 0xc0400000, 0x40400000)
        TEST_FP_S_OP1(131, fabs.s, 0, 0x40400000, 0xc0400000)
        TEST_FP_S_OP1(132, fmv.s, 0, 0x7f800001, 0x7f800001)

        /* FEQ (quiet), FLT/FLE (signaling): NaN operands give 0 */
        TEST_FP_S_CMP(133, feq.s, 0, 1, 0x3f800000, 0x3f800000)
        TEST_FP_S_CMP(134, feq.s, 0, 0, 0x3f800000, 0x40000000)
        TEST_FP_S_CMP(135, feq.s, 0, 1, 0x0, 0x80000000)
        TEST_FP_S_CMP(136, feq.s, 0, 0, 0x7fc00000, 0x3f800000)
        TEST_FP_S_CMP(137, feq.s, 0, 0, 0x7fc00000, 0x7fc00000)
        TEST_FP_S_CMP(138, feq.s, NV, 0, 0x7f800001, 0x3f800000)
        TEST_FP_S_CMP(139, flt.s, 0, 1, 0x3f800000, 0x40000000)
        TEST_FP_S_CMP(140, flt.s, 0, 0, 0x40000000, 0x3f800000)
        TEST_FP_S_CMP(141, flt.s, 0, 0, 0x3f800000, 0x3f800000)
        TEST_FP_S_CMP(142, flt.s, 0, 0, 0x80000000, 0x0)
        TEST_FP_S_CMP(143, flt.s, 0, 1, 0xff800000, 0xff7fffff)
        TEST_FP_S_CMP(144, flt.s, NV, 0, 0x7fc00000, 0x3f800000)
        TEST_FP_S_CMP(145, flt.s, NV, 0, 0x3f800000, 0x7f800001)
        TEST_FP_S_CMP(146, fle.s, 0, 1, 0x3f800000, 0x40000000)
        TEST_FP_S_CMP(147, fle.s, 0, 0, 0x40000000, 0x3f800000)
        TEST_FP_S_CMP(148, fle.s, 0, 1, 0x3f800000, 0x3f800000)
        TEST_FP_S_CMP(149, fle.s, 0, 1, 0x80000000, 0x0)
        TEST_FP_S_CMP(150, fle.s, 0, 0, 0xc0000000, 0xc0400000)
        TEST_FP_S_CMP(151, fle.s, NV, 0, 0x7fc00000, 0x7fc00000)

        /* FCLASS (table 11.5): one bit set */
        TEST_FP_S_CLASS(152, fclass.s, 0x1, 0xff800000)
        TEST_FP_S_CLASS(153, fclass.s, 0x2, 0xbf800000)
        TEST_FP_S_CLASS(154, fclass.s, 0x4, 0x80000001)
        TEST_FP_S_CLASS(155, fclass.s, 0x8, 0x80000000)
        TEST_FP_S_CLASS(156, fclass.s, 0x10, 0x0)
        TEST_FP_S_CLASS(157, fclass.s, 0x20, 0x7fffff)
        TEST_FP_S_CLASS(158, fclass.s, 0x40, 0x7f7fffff)
        TEST_FP_S_CLASS(159, fclass.s, 0x80, 0x7f800000)
        TEST_FP_S_CLASS(160, fclass.s, 0x100, 0x7f800001)
        TEST_FP_S_CLASS(161, fclass.s, 0x200, 0x7fc00000)
        TEST_FP_S_CLASS(162, fclass.s, 0x200, 0x7fc00123)

        /* FCVT to integer (table 11.4): rounding, saturation, NV; 32-bit results sign-extended on RV64 */
        TEST_FP_S_TOINT(163, fcvt.w.s, rne, 0, 0x1, 0x3f800000)
        TEST_FP_S_TOINT(164, fcvt.w.s, rne, 0, 0xffffffffffffffff, 0xbf800000)
        TEST_FP_S_TOINT(165, fcvt.w.s, rne, NX, 0x2, 0x3fc00000)
        TEST_FP_S_TOINT(166, fcvt.w.s, rne, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(167, fcvt.w.s, rtz, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(168, fcvt.w.s, rdn, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(169, fcvt.w.s, rup, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(170, fcvt.w.s, rmm, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(171, fcvt.w.s, rne, NX, 0xfffffffffffffffe, 0xc0200000)
        TEST_FP_S_TOINT(172, fcvt.w.s, rtz, NX, 0xfffffffffffffffe, 0xc0200000)
        TEST_FP_S_TOINT(173, fcvt.w.s, rdn, NX, 0xfffffffffffffffd, 0xc0200000)
        TEST_FP_S_TOINT(174, fcvt.w.s, rup, NX, 0xfffffffffffffffe, 0xc0200000)
        TEST_FP_S_TOINT(175, fcvt.w.s, rmm, NX, 0xfffffffffffffffd, 0xc0200000)
        TEST_FP_S_TOINT(176, fcvt.w.s, rne, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(177, fcvt.w.s, rne, 0, 0x0, 0x0)
        TEST_FP_S_TOINT(178, fcvt.w.s, rne, 0, 0x0, 0x80000000)
        TEST_FP_S_TOINT(179, fcvt.w.s, rtz, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(180, fcvt.w.s, rtz, 0, 0x40000000, 0x4e800000)
        TEST_FP_S_TOINT(181, fcvt.w.s, rtz, NV, 0x7fffffff, 0x4f000000)
        TEST_FP_S_TOINT(182, fcvt.w.s, rtz, NV, 0x7fffffff, 0x4f800000)
        TEST_FP_S_TOINT(183, fcvt.w.s, rtz, 0, 0xffffffff80000000, 0xcf000000)
        TEST_FP_S_TOINT(184, fcvt.w.s, rtz, NV, 0x7fffffff, 0x5f000000)
        TEST_FP_S_TOINT(185, fcvt.w.s, rtz, NV, 0xffffffff80000000, 0xdf000000)
        TEST_FP_S_TOINT(186, fcvt.w.s, rtz, NV, 0x7fffffff, 0x5f800000)
        TEST_FP_S_TOINT(187, fcvt.w.s, rtz, NV, 0x7fffffff, 0x4f32d05e)
        TEST_FP_S_TOINT(188, fcvt.w.s, rtz, NV, 0x7fffffff, 0x7f7fffff)
        TEST_FP_S_TOINT(189, fcvt.w.s, rtz, NV, 0x7fffffff, 0x7f800000)
        TEST_FP_S_TOINT(190, fcvt.w.s, rtz, NV, 0xffffffff80000000, 0xff800000)
        TEST_FP_S_TOINT(191, fcvt.w.s, rtz, NV, 0x7fffffff, 0x7fc00000)
        TEST_FP_S_TOINT(192, fcvt.w.s, rtz, NV, 0x7fffffff, 0x7f800001)
        TEST_FP_S_TOINT(193, fcvt.wu.s, rne, 0, 0x1, 0x3f800000)
        TEST_FP_S_TOINT(194, fcvt.wu.s, rne, NV, 0x0, 0xbf800000)
        TEST_FP_S_TOINT(195, fcvt.wu.s, rne, NX, 0x2, 0x3fc00000)
        TEST_FP_S_TOINT(196, fcvt.wu.s, rne, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(197, fcvt.wu.s, rtz, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(198, fcvt.wu.s, rdn, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(199, fcvt.wu.s, rup, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(200, fcvt.wu.s, rmm, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(201, fcvt.wu.s, rne, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(202, fcvt.wu.s, rtz, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(203, fcvt.wu.s, rdn, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(204, fcvt.wu.s, rup, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(205, fcvt.wu.s, rmm, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(206, fcvt.wu.s, rne, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(207, fcvt.wu.s, rne, 0, 0x0, 0x0)
        TEST_FP_S_TOINT(208, fcvt.wu.s, rne, 0, 0x0, 0x80000000)
        TEST_FP_S_TOINT(209, fcvt.wu.s, rtz, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(210, fcvt.wu.s, rtz, 0, 0x40000000, 0x4e800000)
        TEST_FP_S_TOINT(211, fcvt.wu.s, rtz, 0, 0xffffffff80000000, 0x4f000000)
        TEST_FP_S_TOINT(212, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x4f800000)
        TEST_FP_S_TOINT(213, fcvt.wu.s, rtz, NV, 0x0, 0xcf000000)
        TEST_FP_S_TOINT(214, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x5f000000)
        TEST_FP_S_TOINT(215, fcvt.wu.s, rtz, NV, 0x0, 0xdf000000)
        TEST_FP_S_TOINT(216, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x5f800000)
        TEST_FP_S_TOINT(217, fcvt.wu.s, rtz, 0, 0xffffffffb2d05e00, 0x4f32d05e)
        TEST_FP_S_TOINT(218, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x7f7fffff)
        TEST_FP_S_TOINT(219, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x7f800000)
        TEST_FP_S_TOINT(220, fcvt.wu.s, rtz, NV, 0x0, 0xff800000)
        TEST_FP_S_TOINT(221, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x7fc00000)
        TEST_FP_S_TOINT(222, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x7f800001)
        TEST_FP_S_TOINT(223, fcvt.l.s, rne, 0, 0x1, 0x3f800000)
        TEST_FP_S_TOINT(224, fcvt.l.s, rne, 0, 0xffffffffffffffff, 0xbf800000)
        TEST_FP_S_TOINT(225, fcvt.l.s, rne, NX, 0x2, 0x3fc00000)
        TEST_FP_S_TOINT(226, fcvt.l.s, rne, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(227, fcvt.l.s, rtz, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(228, fcvt.l.s, rdn, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(229, fcvt.l.s, rup, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(230, fcvt.l.s, rmm, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(231, fcvt.l.s, rne, NX, 0xfffffffffffffffe, 0xc0200000)
        TEST_FP_S_TOINT(232, fcvt.l.s, rtz, NX, 0xfffffffffffffffe, 0xc0200000)
        TEST_FP_S_TOINT(233, fcvt.l.s, rdn, NX, 0xfffffffffffffffd, 0xc0200000)
        TEST_FP_S_TOINT(234, fcvt.l.s, rup, NX, 0xfffffffffffffffe, 0xc0200000)
        TEST_FP_S_TOINT(235, fcvt.l.s, rmm, NX, 0xfffffffffffffffd, 0xc0200000)
        TEST_FP_S_TOINT(236, fcvt.l.s, rne, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(237, fcvt.l.s, rne, 0, 0x0, 0x0)
        TEST_FP_S_TOINT(238, fcvt.l.s, rne, 0, 0x0, 0x80000000)
        TEST_FP_S_TOINT(239, fcvt.l.s, rtz, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(240, fcvt.l.s, rtz, 0, 0x40000000, 0x4e800000)
        TEST_FP_S_TOINT(241, fcvt.l.s, rtz, 0, 0x80000000, 0x4f000000)
        TEST_FP_S_TOINT(242, fcvt.l.s, rtz, 0, 0x100000000, 0x4f800000)
        TEST_FP_S_TOINT(243, fcvt.l.s, rtz, 0, 0xffffffff80000000, 0xcf000000)
        TEST_FP_S_TOINT(244, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x5f000000)
        TEST_FP_S_TOINT(245, fcvt.l.s, rtz, 0, 0x8000000000000000, 0xdf000000)
        TEST_FP_S_TOINT(246, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x5f800000)
        TEST_FP_S_TOINT(247, fcvt.l.s, rtz, 0, 0xb2d05e00, 0x4f32d05e)
        TEST_FP_S_TOINT(248, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x7f7fffff)
        TEST_FP_S_TOINT(249, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x7f800000)
        TEST_FP_S_TOINT(250, fcvt.l.s, rtz, NV, 0x8000000000000000, 0xff800000)
        TEST_FP_S_TOINT(251, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x7fc00000)
        TEST_FP_S_TOINT(252, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x7f800001)
        TEST_FP_S_TOINT(253, fcvt.lu.s, rne, 0, 0x1, 0x3f800000)
        TEST_FP_S_TOINT(254, fcvt.lu.s, rne, NV, 0x0, 0xbf800000)
        TEST_FP_S_TOINT(255, fcvt.lu.s, rne, NX, 0x2, 0x3fc00000)
        TEST_FP_S_TOINT(257, fcvt.lu.s, rne, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(258, fcvt.lu.s, rtz, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(259, fcvt.lu.s, rdn, NX, 0x2, 0x40200000)
        TEST_FP_S_TOINT(260, fcvt.lu.s, rup, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(261, fcvt.lu.s, rmm, NX, 0x3, 0x40200000)
        TEST_FP_S_TOINT(262, fcvt.lu.s, rne, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(263, fcvt.lu.s, rtz, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(264, fcvt.lu.s, rdn, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(265, fcvt.lu.s, rup, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(266, fcvt.lu.s, rmm, NV, 0x0, 0xc0200000)
        TEST_FP_S_TOINT(267, fcvt.lu.s, rne, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(268, fcvt.lu.s, rne, 0, 0x0, 0x0)
        TEST_FP_S_TOINT(269, fcvt.lu.s, rne, 0, 0x0, 0x80000000)
        TEST_FP_S_TOINT(270, fcvt.lu.s, rtz, NX, 0x0, 0xbf000000)
        TEST_FP_S_TOINT(271, fcvt.lu.s, rtz, 0, 0x40000000, 0x4e800000)
        TEST_FP_S_TOINT(272, fcvt.lu.s, rtz, 0, 0x80000000, 0x4f000000)
        TEST_FP_S_TOINT(273, fcvt.lu.s, rtz, 0, 0x100000000, 0x4f800000)
        TEST_FP_S_TOINT(274, fcvt.lu.s, rtz, NV, 0x0, 0xcf000000)
        TEST_FP_S_TOINT(275, fcvt.lu.s, rtz, 0, 0x8000000000000000, 0x5f000000)
        TEST_FP_S_TOINT(276, fcvt.lu.s, rtz, NV, 0x0, 0xdf000000)
        TEST_FP_S_TOINT(277, fcvt.lu.s, rtz, NV, 0xffffffffffffffff, 0x5f800000)
        TEST_FP_S_TOINT(278, fcvt.lu.s, rtz, 0, 0xb2d05e00, 0x4f32d05e)
        TEST_FP_S_TOINT(279, fcvt.lu.s, rtz, NV, 0xffffffffffffffff, 0x7f7fffff)
        TEST_FP_S_TOINT(280, fcvt.lu.s, rtz, NV, 0xffffffffffffffff, 0x7f800000)
        TEST_FP_S_TOINT(281, fcvt.lu.s, rtz, NV, 0x0, 0xff800000)
        TEST_FP_S_TOINT(282, fcvt.lu.s, rtz, NV, 0xffffffffffffffff, 0x7fc00000)
        TEST_FP_S_TOINT(283, fcvt.lu.s, rtz, NV, 0xffffffffffffffff, 0x7f800001)

        /* FCVT from integer: .W/.WU use rs1[31:0]; results rounded per rm */
        TEST_FP_S_FROMINT(284, fcvt.s.w, 0, 0x0, 0x0)
        TEST_FP_S_FROMINT(285, fcvt.s.wu, 0, 0x0, 0x0)
        TEST_FP_S_FROMINT(286, fcvt.s.w, 0, 0x3f800000, 0x1)
        TEST_FP_S_FROMINT(287, fcvt.s.wu, 0, 0x3f800000, 0x1)
        TEST_FP_S_FROMINT(288, fcvt.s.w, 0, 0xbf800000, 0xffffffffffffffff)
        TEST_FP_S_FROMINT(289, fcvt.s.wu, NX, 0x4f800000, 0xffffffffffffffff)
        TEST_FP_S_FROMINT(290, fcvt.s.w, NX, 0x4f000000, 0x7fffffff)
        TEST_FP_S_FROMINT(291, fcvt.s.wu, NX, 0x4f000000, 0x7fffffff)
        TEST_FP_S_FROMINT(292, fcvt.s.w, 0, 0xcf000000, 0x80000000)
        TEST_FP_S_FROMINT(293, fcvt.s.wu, 0, 0x4f000000, 0x80000000)
        TEST_FP_S_FROMINT(294, fcvt.s.w, 0, 0xbf800000, 0xffffffff)
        TEST_FP_S_FROMINT(295, fcvt.s.wu, NX, 0x4f800000, 0xffffffff)
        TEST_FP_S_FROMINT(296, fcvt.s.w, 0, 0x40a00000, 0x1234567800000005)
        TEST_FP_S_FROMINT(297, fcvt.s.wu, 0, 0x40a00000, 0x1234567800000005)
        TEST_FP_S_FROMINT(298, fcvt.s.w, NX, 0x4db3bb91, 0x16777217)
        TEST_FP_S_FROMINT(299, fcvt.s.wu, NX, 0x4db3bb91, 0x16777217)
        TEST_FP_S_FROMINT(300, fcvt.s.l, 0, 0x0, 0x0)
        TEST_FP_S_FROMINT(301, fcvt.s.lu, 0, 0x0, 0x0)
        TEST_FP_S_FROMINT(302, fcvt.s.l, 0, 0x3f800000, 0x1)
        TEST_FP_S_FROMINT(303, fcvt.s.lu, 0, 0x3f800000, 0x1)
        TEST_FP_S_FROMINT(304, fcvt.s.l, 0, 0xbf800000, 0xffffffffffffffff)
        TEST_FP_S_FROMINT(305, fcvt.s.lu, NX, 0x5f800000, 0xffffffffffffffff)
        TEST_FP_S_FROMINT(306, fcvt.s.l, NX, 0x5f000000, 0x7fffffffffffffff)
        TEST_FP_S_FROMINT(307, fcvt.s.lu, NX, 0x5f000000, 0x7fffffffffffffff)
        TEST_FP_S_FROMINT(308, fcvt.s.l, 0, 0xdf000000, 0x8000000000000000)
        TEST_FP_S_FROMINT(309, fcvt.s.lu, 0, 0x5f000000, 0x8000000000000000)
        TEST_FP_S_FROMINT(310, fcvt.s.l, NX, 0x5a000000, 0x20000000000001)
        TEST_FP_S_FROMINT(311, fcvt.s.lu, NX, 0x5a000000, 0x20000000000001)
        TEST_FP_S_FROMINT(312, fcvt.s.l, NX, 0x5b91a2b4, 0x123456789abcdef)
        TEST_FP_S_FROMINT(313, fcvt.s.lu, NX, 0x5b91a2b4, 0x123456789abcdef)
        TEST_FP_S_FROMINT_RM(314, fcvt.s.l, rtz, NX, 0x4c000000, 0x2000003)
        TEST_FP_S_FROMINT_RM(315, fcvt.s.l, rtz, NX, 0xcc000000, 0xfffffffffdfffffd)
        TEST_FP_S_FROMINT_RM(316, fcvt.s.l, rdn, NX, 0x4c000000, 0x2000003)
        TEST_FP_S_FROMINT_RM(317, fcvt.s.l, rdn, NX, 0xcc000001, 0xfffffffffdfffffd)
        TEST_FP_S_FROMINT_RM(318, fcvt.s.l, rup, NX, 0x4c000001, 0x2000003)
        TEST_FP_S_FROMINT_RM(319, fcvt.s.l, rup, NX, 0xcc000000, 0xfffffffffdfffffd)
        TEST_FP_S_FROMINT_RM(320, fcvt.s.l, rmm, NX, 0x4c000001, 0x2000003)
        TEST_FP_S_FROMINT_RM(321, fcvt.s.l, rmm, NX, 0xcc000001, 0xfffffffffdfffffd)

        /* FMV.X.W sign-extends bit 31; FMV.W.X NaN-boxes (§11.7, §12.2) */
        TEST_CASE(400, a0, 0xffffffff80000001, li a1, 0x80000001; fmv.w.x ft2, a1; fmv.x.w a0, ft2)
        TEST_CASE(401, a0, 0x7f800001, li a1, 0xffffffff7f800001; fmv.w.x ft2, a1; fmv.x.w a0, ft2)
        TEST_CASE(402, a0, 0xffffffff3f800000, li a1, 0x123456783f800000; fmv.w.x ft2, a1; fmv.x.d a0, ft2)
        /* FMV.X.W takes the low 32 bits even of an unboxed value */
        TEST_CASE(403, a0, 0x40490fdb, li a1, 0x0000000040490fdb; fmv.d.x ft2, a1; fmv.x.w a0, ft2)

        /* FLW NaN-boxes; FSW stores the low 32 bits only */
test_404:
        TEST_NUM(404)
        la a1, fdata
        flw ft0, 0(a1)
        fmv.x.d a0, ft0
        CHECK_EQ(a0, 0xffffffff7f800001)        /* sNaN loaded unchanged */
        flw ft1, 4(a1)
        fmv.x.d a0, ft1
        CHECK_EQ(a0, 0xffffffffc0490fdb)
        fsw ft1, 8(a1)
        fsw ft0, 12(a1)
        ld a0, 8(a1)
        CHECK_EQ(a0, 0x7f800001c0490fdb)
        /* FSW of an unboxed register stores its low word unchanged */
        li t0, 0x123456789abcdef0
        fmv.d.x ft2, t0
        fsw ft2, 8(a1)
        lwu a0, 8(a1)
        CHECK_EQ(a0, 0x9abcdef0)
        csrr a0, fflags
        CHECK_EQ(a0, 0)

        /* improperly NaN-boxed inputs are the canonical NaN (§12.2) */
#define UNBOXED_OP2(n, inst, flags, result, hi1, hi2)                   \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, hi1; fmv.d.x fa1, t0;                                    \
        li t0, hi2; fmv.d.x fa2, t0;                                    \
        inst fa0, fa1, fa2;                                             \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

        /* 1.0 with upper bits not all ones + 2.0 boxed -> canonical NaN */
        UNBOXED_OP2(410, fadd.s, 0, 0x7fc00000, 0x000000003f800000, 0xffffffff40000000)
        UNBOXED_OP2(411, fmul.s, 0, 0x7fc00000, 0xffffffff3f800000, 0xfffffffe40000000)
        /* fmin/fmax ignore a (canonical) NaN operand */
        UNBOXED_OP2(412, fmin.s, 0, 0x40000000, 0x7fffffff3f800000, 0xffffffff40000000)
        /* sign injection: an unboxed operand reads as 0x7fc00000 */
        UNBOXED_OP2(413, fsgnj.s, 0, 0xffc00000, 0x000000003f800000, 0xffffffffbf800000)
        UNBOXED_OP2(414, fsgnj.s, 0, 0x3f800000, 0xffffffff3f800000, 0x00000000bf800000)
test_415:       /* compare with an unboxed operand: quiet NaN */
        TEST_NUM(415)
        li t0, 0x000000003f800000
        fmv.d.x fa1, t0
        feq.s a0, fa1, fa1
        CHECK_EQ(a0, 0)
        CHECK_FFLAGS(0)
        fclass.s a0, fa1
        CHECK_EQ(a0, 1 << 9)
        fcvt.d.s fa0, fa1
        fmv.x.d a0, fa0
        CHECK_EQ(a0, 0x7ff8000000000000)
        CHECK_FFLAGS(0)

        /* single ops on the same register as a double: boxed again */
test_416:
        TEST_NUM(416)
        li t0, 0xffffffff3f800000           /* boxed 1.0f */
        fmv.d.x fa3, t0
        fadd.s fa3, fa3, fa3
        fmv.x.d a0, fa3
        CHECK_EQ(a0, 0xffffffff40000000)
TEST_END

        .data
        .balign 8
fdata:
        .word 0x7f800001                /* sNaN */
        .word 0xc0490fdb                /* -pi */
        .dword 0
