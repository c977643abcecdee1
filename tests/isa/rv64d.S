/* rv64d.S — D extension (double precision) and the shared FP CSRs.
 *
 * Unprivileged spec 20191213 chapter 12 (D) with chapter 11 (F) rules:
 * fcsr/frm/fflags (§11.2), NaN generation: operations that produce a NaN
 * give the canonical NaN 0x7ff8000000000000 (§11.3), fflags exceptions,
 * rounding modes incl. dynamic (§11.2, invalid modes are illegal
 * instructions), FMIN/FMAX -0 < +0 and NaN rules, FCVT saturation table
 * 11.4, FCLASS table 11.5, FMV.X.D/FMV.D.X (§12.5), FLD/FSD, FCVT.S.D and
 * FCVT.D.S (§12.5), the NaN-boxing of single values (§12.2).
 * Privileged spec 1.12 §3.1.6.6: mstatus.FS = Off makes FP instructions
 * illegal; writing FP state sets FS to Dirty and SD.
 *
 * Every value was computed from the IEEE 754-2008 definitions (exact
 * rational result, one rounding; tininess after rounding).
 */
#include "test_macros.h"

#define FCVT_D_S(n, flags, result, v1)                                  \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.w.x fa1, t0;                                     \
        fcvt.d.s fa0, fa1;                                              \
        fmv.x.d a0, fa0;                                                \
        CHECK_FFLAGS(flags);                                            \
        CHECK_EQ(a0, result)

#define FCVT_S_D(n, rm, flags, result, v1)                              \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        csrwi fflags, 0;                                                \
        li t0, v1; fmv.d.x fa1, t0;                                     \
        fcvt.s.d fa0, fa1, rm;                                          \
        CHECK_FFLAGS(flags);                                            \
        CHECK_S_RESULT(fa0, result)

TEST_BEGIN

        /* FADD/FSUB (§11.6 / §12.4): correctly rounded, exceptions in fflags */
        TEST_FP_D_OP2(2, fadd.d, 0, 0x4008000000000000, 0x3ff0000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(3, fadd.d, 0, 0x3ff4000000000000, 0x4004000000000000, 0xbff4000000000000)
        TEST_FP_D_OP2(4, fadd.d, NX, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2(5, fadd.d, 0, 0x3ff0000000000001, 0x3ff0000000000000, 0x3cb0000000000000)
        TEST_FP_D_OP2(6, fadd.d, 0, 0x0, 0xbff8000000000000, 0x3ff8000000000000)
        TEST_FP_D_OP2(7, fadd.d, OF|NX, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff)
        TEST_FP_D_OP2(8, fadd.d, 0, 0x2, 0x1, 0x1)
        TEST_FP_D_OP2(9, fadd.d, 0, 0x10000000000000, 0x10000000000000, 0x8000000000000000)
        TEST_FP_D_OP2(10, fadd.d, NX, 0x4008020c49ba5e35, 0x3f50624dd2f1a9fc, 0x4008000000000000)
        TEST_FP_D_OP2_RM(11, fadd.d, rne, NX, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2_RM(12, fadd.d, rne, NX, 0xbff0000000000000, 0xbff0000000000000, 0xbca0000000000000)
        TEST_FP_D_OP2_RM(13, fadd.d, rne, NX, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000)
        TEST_FP_D_OP2_RM(14, fadd.d, rtz, NX, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2_RM(15, fadd.d, rtz, NX, 0xbff0000000000000, 0xbff0000000000000, 0xbca0000000000000)
        TEST_FP_D_OP2_RM(16, fadd.d, rtz, NX, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca8000000000000)
        TEST_FP_D_OP2_RM(17, fadd.d, rdn, NX, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2_RM(18, fadd.d, rdn, NX, 0xbff0000000000001, 0xbff0000000000000, 0xbca0000000000000)
        TEST_FP_D_OP2_RM(19, fadd.d, rdn, NX, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca8000000000000)
        TEST_FP_D_OP2_RM(20, fadd.d, rup, NX, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2_RM(21, fadd.d, rup, NX, 0xbff0000000000000, 0xbff0000000000000, 0xbca0000000000000)
        TEST_FP_D_OP2_RM(22, fadd.d, rup, NX, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000)
        TEST_FP_D_OP2_RM(23, fadd.d, rmm, NX, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2_RM(24, fadd.d, rmm, NX, 0xbff0000000000001, 0xbff0000000000000, 0xbca0000000000000)
        TEST_FP_D_OP2_RM(25, fadd.d, rmm, NX, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000)
        TEST_FP_D_OP2_RM(26, fadd.d, rtz, OF|NX, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff)
        TEST_FP_D_OP2_RM(27, fadd.d, rup, OF|NX, 0xffefffffffffffff, 0xffefffffffffffff, 0xffefffffffffffff)
        TEST_FP_D_OP2(28, fadd.d, NV, 0x7ff8000000000000, 0x7ff0000000000000, 0xfff0000000000000)
        TEST_FP_D_OP2(29, fadd.d, 0, 0x7ff0000000000000, 0x7ff0000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP2(30, fadd.d, 0, 0x7ff8000000000000, 0x7ff8000000000123, 0x3ff0000000000000)
        TEST_FP_D_OP2(31, fadd.d, NV, 0x7ff8000000000000, 0x7ff0000000000001, 0x3ff0000000000000)
        TEST_FP_D_OP2(32, fadd.d, 0, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000)
        TEST_FP_D_OP2(33, fadd.d, 0, 0x0, 0x0, 0x8000000000000000)
        TEST_FP_D_OP2(34, fsub.d, 0, 0x0, 0x3ff0000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP2(35, fsub.d, 0, 0xc000000000000000, 0x4008000000000000, 0x4014000000000000)
        TEST_FP_D_OP2(36, fsub.d, 0, 0x3fefffffffffffff, 0x3ff0000000000000, 0x3ca0000000000000)
        TEST_FP_D_OP2(37, fsub.d, 0, 0xfffffffffffff, 0x10000000000000, 0x1)
        TEST_FP_D_OP2(38, fsub.d, NX, 0xffefffffffffffff, 0xc000000000000000, 0x7fefffffffffffff)
        TEST_FP_D_OP2_RM(39, fsub.d, rdn, 0, 0x8000000000000000, 0x3ff0000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP2(40, fsub.d, NV, 0x7ff8000000000000, 0x7ff0000000000000, 0x7ff0000000000000)

        /* FMUL */
        TEST_FP_D_OP2(41, fmul.d, 0, 0x4018000000000000, 0x4000000000000000, 0x4008000000000000)
        TEST_FP_D_OP2(42, fmul.d, 0, 0xc00e000000000000, 0xbff8000000000000, 0x4004000000000000)
        TEST_FP_D_OP2(43, fmul.d, NX, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000000)
        TEST_FP_D_OP2(44, fmul.d, OF|NX, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000)
        TEST_FP_D_OP2(45, fmul.d, 0, 0x8000000000000, 0x10000000000000, 0x3fe0000000000000)
        TEST_FP_D_OP2(46, fmul.d, UF|NX, 0x8000000000000, 0x10000000000001, 0x3fe0000000000000)
        TEST_FP_D_OP2(47, fmul.d, UF|NX, 0x0, 0x10000000000000, 0x10000000000000)
        TEST_FP_D_OP2(48, fmul.d, 0, 0x8000000000000000, 0x8000000000000000, 0x4014000000000000)
        TEST_FP_D_OP2(49, fmul.d, 0, 0x1ffffffffffffe, 0xfffffffffffff, 0x4000000000000000)
        TEST_FP_D_OP2_RM(50, fmul.d, rtz, OF|NX, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x4000000000000000)
        TEST_FP_D_OP2_RM(51, fmul.d, rup, NX, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000000)
        TEST_FP_D_OP2_RM(52, fmul.d, rdn, UF|NX, 0x8000000000000, 0x10000000000001, 0x3fe0000000000000)
        TEST_FP_D_OP2(53, fmul.d, NV, 0x7ff8000000000000, 0x7ff0000000000000, 0x0)
        TEST_FP_D_OP2(54, fmul.d, 0, 0x7ff0000000000000, 0xfff0000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(55, fmul.d, NV, 0x7ff8000000000000, 0x7ff0000000000001, 0x0)

        /* FDIV / FSQRT */
        TEST_FP_D_OP2(56, fdiv.d, 0, 0x4008000000000000, 0x4018000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(57, fdiv.d, NX, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000)
        TEST_FP_D_OP2(58, fdiv.d, NX, 0xbfd5555555555555, 0xbff0000000000000, 0x4008000000000000)
        TEST_FP_D_OP2(59, fdiv.d, OF|NX, 0x7ff0000000000000, 0x7fefffffffffffff, 0x3fe0000000000000)
        TEST_FP_D_OP2(60, fdiv.d, 0, 0x4000000000000, 0x10000000000000, 0x4010000000000000)
        TEST_FP_D_OP2(61, fdiv.d, UF|NX, 0x4000000000000, 0x3ff0000000000000, 0x7fefffffffffffff)
        TEST_FP_D_OP2_RM(62, fdiv.d, rup, NX, 0x3fd5555555555556, 0x3ff0000000000000, 0x4008000000000000)
        TEST_FP_D_OP2_RM(63, fdiv.d, rtz, NX, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000)
        TEST_FP_D_OP2_RM(64, fdiv.d, rdn, NX, 0xbfd5555555555556, 0xbff0000000000000, 0x4008000000000000)
        TEST_FP_D_OP2(65, fdiv.d, DZ, 0x7ff0000000000000, 0x3ff0000000000000, 0x0)
        TEST_FP_D_OP2(66, fdiv.d, DZ, 0xfff0000000000000, 0xbff0000000000000, 0x0)
        TEST_FP_D_OP2(67, fdiv.d, DZ, 0xfff0000000000000, 0x3ff0000000000000, 0x8000000000000000)
        TEST_FP_D_OP2(68, fdiv.d, NV, 0x7ff8000000000000, 0x0, 0x0)
        TEST_FP_D_OP2(69, fdiv.d, NV, 0x7ff8000000000000, 0x7ff0000000000000, 0x7ff0000000000000)
        TEST_FP_D_OP2(70, fdiv.d, 0, 0x0, 0x3ff0000000000000, 0x7ff0000000000000)
        TEST_FP_D_OP2(71, fdiv.d, 0, 0x7ff8000000000000, 0x7ff8000000000000, 0x0)
        TEST_FP_D_OP1(72, fsqrt.d, 0, 0x4000000000000000, 0x4010000000000000)
        TEST_FP_D_OP1(73, fsqrt.d, NX, 0x3ff6a09e667f3bcd, 0x4000000000000000)
        TEST_FP_D_OP1(74, fsqrt.d, 0, 0x3fe0000000000000, 0x3fd0000000000000)
        TEST_FP_D_OP1(75, fsqrt.d, 0, 0x1e60000000000000, 0x1)
        TEST_FP_D_OP1(76, fsqrt.d, NX, 0x5fefffffffffffff, 0x7fefffffffffffff)
        TEST_FP_D_OP1(77, fsqrt.d, NX, 0x3f69e7c6e43390b7, 0x3ee4f8b588e368f1)
        TEST_FP_D_OP1_RM(78, fsqrt.d, rup, NX, 0x3ff6a09e667f3bcd, 0x4000000000000000)
        TEST_FP_D_OP1_RM(79, fsqrt.d, rdn, NX, 0x3ff6a09e667f3bcc, 0x4000000000000000)
        TEST_FP_D_OP1(80, fsqrt.d, NV, 0x7ff8000000000000, 0xbff0000000000000)
        TEST_FP_D_OP1(81, fsqrt.d, 0, 0x8000000000000000, 0x8000000000000000)
        TEST_FP_D_OP1(82, fsqrt.d, 0, 0x7ff0000000000000, 0x7ff0000000000000)
        TEST_FP_D_OP1(83, fsqrt.d, NV, 0x7ff8000000000000, 0xfff0000000000000)
        TEST_FP_D_OP1(84, fsqrt.d, NV, 0x7ff8000000000000, 0x7ff0000000000001)

        /* FMIN/FMAX (§11.6, 2.2 semantics): -0 < +0, a single NaN operand is ignored, sNaN raises NV */
        TEST_FP_D_OP2(85, fmin.d, 0, 0x3ff0000000000000, 0x3ff0000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(86, fmax.d, 0, 0x4000000000000000, 0x3ff0000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(87, fmin.d, 0, 0xc000000000000000, 0xbff0000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(88, fmax.d, 0, 0xbff0000000000000, 0xbff0000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(89, fmin.d, 0, 0x8000000000000000, 0x0, 0x8000000000000000)
        TEST_FP_D_OP2(90, fmin.d, 0, 0x8000000000000000, 0x8000000000000000, 0x0)
        TEST_FP_D_OP2(91, fmax.d, 0, 0x0, 0x0, 0x8000000000000000)
        TEST_FP_D_OP2(92, fmax.d, 0, 0x0, 0x8000000000000000, 0x0)
        TEST_FP_D_OP2(93, fmin.d, 0, 0x4008000000000000, 0x7ff8000000000123, 0x4008000000000000)
        TEST_FP_D_OP2(94, fmax.d, 0, 0x4008000000000000, 0x4008000000000000, 0x7ff8000000000123)
        TEST_FP_D_OP2(95, fmin.d, NV, 0x4008000000000000, 0x7ff0000000000001, 0x4008000000000000)
        TEST_FP_D_OP2(96, fmax.d, NV, 0x4008000000000000, 0x4008000000000000, 0x7ff0000000000001)
        TEST_FP_D_OP2(97, fmin.d, 0, 0x7ff8000000000000, 0x7ff8000000000123, 0x7ff8000000000123)
        TEST_FP_D_OP2(98, fmax.d, NV, 0x7ff8000000000000, 0x7ff0000000000001, 0x7ff8000000000000)
        TEST_FP_D_OP2(99, fmin.d, 0, 0xfff0000000000000, 0xfff0000000000000, 0x7fefffffffffffff)
        TEST_FP_D_OP2(100, fmax.d, 0, 0x7ff0000000000000, 0x7ff0000000000000, 0x7fefffffffffffff)

        /* fused multiply-add: one rounding of a*b+c (§11.6) */
        TEST_FP_D_OP3(101, fmadd.d, 0, 0x401c000000000000, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP3(102, fmsub.d, 0, 0x4014000000000000, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP3(103, fnmsub.d, 0, 0xc014000000000000, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP3(104, fnmadd.d, 0, 0xc01c000000000000, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP3(105, fmadd.d, 0, 0x3cb0000000000000, 0x3ff0000000000000, 0x3ff0000000000001, 0xbff0000000000000)
        TEST_FP_D_OP3(106, fmadd.d, 0, 0xb970000000000000, 0x3ff0000000000001, 0x3feffffffffffffe, 0xbff0000000000000)
        TEST_FP_D_OP3(107, fmsub.d, 0, 0xbc90000000000000, 0x3fd5555555555555, 0x4008000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP3(108, fmadd.d, 0, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff)
        TEST_FP_D_OP3_RM(109, fmadd.d, rtz, 0, 0x400a000000000000, 0x3ff8000000000000, 0x3ff8000000000000, 0x3ff0000000000000)
        TEST_FP_D_OP3_RM(110, fmadd.d, rup, NX, 0x3ff0000000000003, 0x3ff0000000000001, 0x3ff0000000000001, 0x0)
        TEST_FP_D_OP3(111, fmadd.d, NV, 0x7ff8000000000000, 0x7ff0000000000000, 0, 0x3ff0000000000000)
        TEST_FP_D_OP3(112, fmadd.d, NV, 0x7ff8000000000000, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000)
        TEST_FP_D_OP3(113, fnmadd.d, 0, 0x7ff8000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0x7ff8000000000123)
        TEST_FP_D_OP3(114, fmadd.d, NV, 0x7ff8000000000000, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000)

        /* sign injection: bit operations only, NaN payloads kept, no flags */
        TEST_FP_D_OP2(115, fsgnj.d, 0, 0xbff8000000000000, 0x3ff8000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(116, fsgnj.d, 0, 0x3ff8000000000000, 0xbff8000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(117, fsgnj.d, 0, 0xbff8000000000000, 0xbff8000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(118, fsgnj.d, 0, 0xfff8000000000123, 0x7ff8000000000123, 0x8000000000000000)
        TEST_FP_D_OP2(119, fsgnj.d, 0, 0x7ff0000000000001, 0x7ff0000000000001, 0x0)
        TEST_FP_D_OP2(120, fsgnjn.d, 0, 0x3ff8000000000000, 0x3ff8000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(121, fsgnjn.d, 0, 0xbff8000000000000, 0xbff8000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(122, fsgnjn.d, 0, 0x3ff8000000000000, 0xbff8000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(123, fsgnjn.d, 0, 0x7ff8000000000123, 0x7ff8000000000123, 0x8000000000000000)
        TEST_FP_D_OP2(124, fsgnjn.d, 0, 0xfff0000000000001, 0x7ff0000000000001, 0x0)
        TEST_FP_D_OP2(125, fsgnjx.d, 0, 0xbff8000000000000, 0x3ff8000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(126, fsgnjx.d, 0, 0xbff8000000000000, 0xbff8000000000000, 0x4000000000000000)
        TEST_FP_D_OP2(127, fsgnjx.d, 0, 0x3ff8000000000000, 0xbff8000000000000, 0xc000000000000000)
        TEST_FP_D_OP2(128, fsgnjx.d, 0, 0xfff8000000000123, 0x7ff8000000000123, 0x8000000000000000)
        TEST_FP_D_OP2(129, fsgnjx.d, 0, 0x7ff0000000000001, 0x7ff0000000000001, 0x0)
        /* fmv.d, fneg.d and fabs.d are sign-injection pseudo-instructions */
        TEST_FP_D_OP1(130, fneg.d, 0, 0xc008000000000000, 0x4008000000000000)
        TEST_FP_D_OP1(131, fabs.d, 0, 0x4008000000000000, 0xc008000000000000)
        TEST_FP_D_OP1(132, fmv.d, 0, 0x7ff0000000000001, 0x7ff0000000000001)

        /* FEQ (quiet), FLT/FLE (signaling): NaN operands give 0 */
        TEST_FP_D_CMP(133, feq.d, 0, 1, 0x3ff0000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(134, feq.d, 0, 0, 0x3ff0000000000000, 0x4000000000000000)
        TEST_FP_D_CMP(135, feq.d, 0, 1, 0x0, 0x8000000000000000)
        TEST_FP_D_CMP(136, feq.d, 0, 0, 0x7ff8000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(137, feq.d, 0, 0, 0x7ff8000000000000, 0x7ff8000000000000)
        TEST_FP_D_CMP(138, feq.d, NV, 0, 0x7ff0000000000001, 0x3ff0000000000000)
        TEST_FP_D_CMP(139, flt.d, 0, 1, 0x3ff0000000000000, 0x4000000000000000)
        TEST_FP_D_CMP(140, flt.d, 0, 0, 0x4000000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(141, flt.d, 0, 0, 0x3ff0000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(142, flt.d, 0, 0, 0x8000000000000000, 0x0)
        TEST_FP_D_CMP(143, flt.d, 0, 1, 0xfff0000000000000, 0xffefffffffffffff)
        TEST_FP_D_CMP(144, flt.d, NV, 0, 0x7ff8000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(145, flt.d, NV, 0, 0x3ff0000000000000, 0x7ff0000000000001)
        TEST_FP_D_CMP(146, fle.d, 0, 1, 0x3ff0000000000000, 0x4000000000000000)
        TEST_FP_D_CMP(147, fle.d, 0, 0, 0x4000000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(148, fle.d, 0, 1, 0x3ff0000000000000, 0x3ff0000000000000)
        TEST_FP_D_CMP(149, fle.d, 0, 1, 0x8000000000000000, 0x0)
        TEST_FP_D_CMP(150, fle.d, 0, 0, 0xc000000000000000, 0xc008000000000000)
        TEST_FP_D_CMP(151, fle.d, NV, 0, 0x7ff8000000000000, 0x7ff8000000000000)

        /* FCLASS (table 11.5): one bit set */
        TEST_FP_D_CLASS(152, fclass.d, 0x1, 0xfff0000000000000)
        TEST_FP_D_CLASS(153, fclass.d, 0x2, 0xbff0000000000000)
        TEST_FP_D_CLASS(154, fclass.d, 0x4, 0x8000000000000001)
        TEST_FP_D_CLASS(155, fclass.d, 0x8, 0x8000000000000000)
        TEST_FP_D_CLASS(156, fclass.d, 0x10, 0x0)
        TEST_FP_D_CLASS(157, fclass.d, 0x20, 0xfffffffffffff)
        TEST_FP_D_CLASS(158, fclass.d, 0x40, 0x7fefffffffffffff)
        TEST_FP_D_CLASS(159, fclass.d, 0x80, 0x7ff0000000000000)
        TEST_FP_D_CLASS(160, fclass.d, 0x100, 0x7ff0000000000001)
        TEST_FP_D_CLASS(161, fclass.d, 0x200, 0x7ff8000000000000)
        TEST_FP_D_CLASS(162, fclass.d, 0x200, 0x7ff8000000000123)

        /* FCVT to integer (table 11.4): rounding, saturation, NV; 32-bit results sign-extended on RV64 */
        TEST_FP_D_TOINT(163, fcvt.w.d, rne, 0, 0x1, 0x3ff0000000000000)
        TEST_FP_D_TOINT(164, fcvt.w.d, rne, 0, 0xffffffffffffffff, 0xbff0000000000000)
        TEST_FP_D_TOINT(165, fcvt.w.d, rne, NX, 0x2, 0x3ff8000000000000)
        TEST_FP_D_TOINT(166, fcvt.w.d, rne, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(167, fcvt.w.d, rtz, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(168, fcvt.w.d, rdn, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(169, fcvt.w.d, rup, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(170, fcvt.w.d, rmm, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(171, fcvt.w.d, rne, NX, 0xfffffffffffffffe, 0xc004000000000000)
        TEST_FP_D_TOINT(172, fcvt.w.d, rtz, NX, 0xfffffffffffffffe, 0xc004000000000000)
        TEST_FP_D_TOINT(173, fcvt.w.d, rdn, NX, 0xfffffffffffffffd, 0xc004000000000000)
        TEST_FP_D_TOINT(174, fcvt.w.d, rup, NX, 0xfffffffffffffffe, 0xc004000000000000)
        TEST_FP_D_TOINT(175, fcvt.w.d, rmm, NX, 0xfffffffffffffffd, 0xc004000000000000)
        TEST_FP_D_TOINT(176, fcvt.w.d, rne, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(177, fcvt.w.d, rne, 0, 0x0, 0x0)
        TEST_FP_D_TOINT(178, fcvt.w.d, rne, 0, 0x0, 0x8000000000000000)
        TEST_FP_D_TOINT(179, fcvt.w.d, rtz, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(180, fcvt.w.d, rtz, 0, 0x7fffffff, 0x41dfffffffc00000)
        TEST_FP_D_TOINT(181, fcvt.w.d, rtz, NV, 0x7fffffff, 0x41e0000000000000)
        TEST_FP_D_TOINT(182, fcvt.w.d, rtz, NV, 0x7fffffff, 0x41f0000000000000)
        TEST_FP_D_TOINT(183, fcvt.w.d, rtz, 0, 0xffffffff80000000, 0xc1e0000000000000)
        TEST_FP_D_TOINT(184, fcvt.w.d, rtz, NV, 0x7fffffff, 0x43e0000000000000)
        TEST_FP_D_TOINT(185, fcvt.w.d, rtz, NV, 0xffffffff80000000, 0xc3e0000000000000)
        TEST_FP_D_TOINT(186, fcvt.w.d, rtz, NV, 0x7fffffff, 0x43f0000000000000)
        TEST_FP_D_TOINT(187, fcvt.w.d, rtz, NV, 0x7fffffff, 0x41e65a0bc0000000)
        TEST_FP_D_TOINT(188, fcvt.w.d, rtz, NV, 0x7fffffff, 0x7fefffffffffffff)
        TEST_FP_D_TOINT(189, fcvt.w.d, rtz, NV, 0x7fffffff, 0x7ff0000000000000)
        TEST_FP_D_TOINT(190, fcvt.w.d, rtz, NV, 0xffffffff80000000, 0xfff0000000000000)
        TEST_FP_D_TOINT(191, fcvt.w.d, rtz, NV, 0x7fffffff, 0x7ff8000000000000)
        TEST_FP_D_TOINT(192, fcvt.w.d, rtz, NV, 0x7fffffff, 0x7ff0000000000001)
        TEST_FP_D_TOINT(193, fcvt.wu.d, rne, 0, 0x1, 0x3ff0000000000000)
        TEST_FP_D_TOINT(194, fcvt.wu.d, rne, NV, 0x0, 0xbff0000000000000)
        TEST_FP_D_TOINT(195, fcvt.wu.d, rne, NX, 0x2, 0x3ff8000000000000)
        TEST_FP_D_TOINT(196, fcvt.wu.d, rne, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(197, fcvt.wu.d, rtz, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(198, fcvt.wu.d, rdn, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(199, fcvt.wu.d, rup, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(200, fcvt.wu.d, rmm, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(201, fcvt.wu.d, rne, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(202, fcvt.wu.d, rtz, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(203, fcvt.wu.d, rdn, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(204, fcvt.wu.d, rup, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(205, fcvt.wu.d, rmm, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(206, fcvt.wu.d, rne, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(207, fcvt.wu.d, rne, 0, 0x0, 0x0)
        TEST_FP_D_TOINT(208, fcvt.wu.d, rne, 0, 0x0, 0x8000000000000000)
        TEST_FP_D_TOINT(209, fcvt.wu.d, rtz, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(210, fcvt.wu.d, rtz, 0, 0x7fffffff, 0x41dfffffffc00000)
        TEST_FP_D_TOINT(211, fcvt.wu.d, rtz, 0, 0xffffffff80000000, 0x41e0000000000000)
        TEST_FP_D_TOINT(212, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x41f0000000000000)
        TEST_FP_D_TOINT(213, fcvt.wu.d, rtz, NV, 0x0, 0xc1e0000000000000)
        TEST_FP_D_TOINT(214, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x43e0000000000000)
        TEST_FP_D_TOINT(215, fcvt.wu.d, rtz, NV, 0x0, 0xc3e0000000000000)
        TEST_FP_D_TOINT(216, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x43f0000000000000)
        TEST_FP_D_TOINT(217, fcvt.wu.d, rtz, 0, 0xffffffffb2d05e00, 0x41e65a0bc0000000)
        TEST_FP_D_TOINT(218, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x7fefffffffffffff)
        TEST_FP_D_TOINT(219, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x7ff0000000000000)
        TEST_FP_D_TOINT(220, fcvt.wu.d, rtz, NV, 0x0, 0xfff0000000000000)
        TEST_FP_D_TOINT(221, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x7ff8000000000000)
        TEST_FP_D_TOINT(222, fcvt.wu.d, rtz, NV, 0xffffffffffffffff, 0x7ff0000000000001)
        TEST_FP_D_TOINT(223, fcvt.l.d, rne, 0, 0x1, 0x3ff0000000000000)
        TEST_FP_D_TOINT(224, fcvt.l.d, rne, 0, 0xffffffffffffffff, 0xbff0000000000000)
        TEST_FP_D_TOINT(225, fcvt.l.d, rne, NX, 0x2, 0x3ff8000000000000)
        TEST_FP_D_TOINT(226, fcvt.l.d, rne, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(227, fcvt.l.d, rtz, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(228, fcvt.l.d, rdn, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(229, fcvt.l.d, rup, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(230, fcvt.l.d, rmm, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(231, fcvt.l.d, rne, NX, 0xfffffffffffffffe, 0xc004000000000000)
        TEST_FP_D_TOINT(232, fcvt.l.d, rtz, NX, 0xfffffffffffffffe, 0xc004000000000000)
        TEST_FP_D_TOINT(233, fcvt.l.d, rdn, NX, 0xfffffffffffffffd, 0xc004000000000000)
        TEST_FP_D_TOINT(234, fcvt.l.d, rup, NX, 0xfffffffffffffffe, 0xc004000000000000)
        TEST_FP_D_TOINT(235, fcvt.l.d, rmm, NX, 0xfffffffffffffffd, 0xc004000000000000)
        TEST_FP_D_TOINT(236, fcvt.l.d, rne, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(237, fcvt.l.d, rne, 0, 0x0, 0x0)
        TEST_FP_D_TOINT(238, fcvt.l.d, rne, 0, 0x0, 0x8000000000000000)
        TEST_FP_D_TOINT(239, fcvt.l.d, rtz, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(240, fcvt.l.d, rtz, 0, 0x7fffffff, 0x41dfffffffc00000)
        TEST_FP_D_TOINT(241, fcvt.l.d, rtz, 0, 0x80000000, 0x41e0000000000000)
        TEST_FP_D_TOINT(242, fcvt.l.d, rtz, 0, 0x100000000, 0x41f0000000000000)
        TEST_FP_D_TOINT(243, fcvt.l.d, rtz, 0, 0xffffffff80000000, 0xc1e0000000000000)
        TEST_FP_D_TOINT(244, fcvt.l.d, rtz, NV, 0x7fffffffffffffff, 0x43e0000000000000)
        TEST_FP_D_TOINT(245, fcvt.l.d, rtz, 0, 0x8000000000000000, 0xc3e0000000000000)
        TEST_FP_D_TOINT(246, fcvt.l.d, rtz, NV, 0x7fffffffffffffff, 0x43f0000000000000)
        TEST_FP_D_TOINT(247, fcvt.l.d, rtz, 0, 0xb2d05e00, 0x41e65a0bc0000000)
        TEST_FP_D_TOINT(248, fcvt.l.d, rtz, NV, 0x7fffffffffffffff, 0x7fefffffffffffff)
        TEST_FP_D_TOINT(249, fcvt.l.d, rtz, NV, 0x7fffffffffffffff, 0x7ff0000000000000)
        TEST_FP_D_TOINT(250, fcvt.l.d, rtz, NV, 0x8000000000000000, 0xfff0000000000000)
        TEST_FP_D_TOINT(251, fcvt.l.d, rtz, NV, 0x7fffffffffffffff, 0x7ff8000000000000)
        TEST_FP_D_TOINT(252, fcvt.l.d, rtz, NV, 0x7fffffffffffffff, 0x7ff0000000000001)
        TEST_FP_D_TOINT(253, fcvt.lu.d, rne, 0, 0x1, 0x3ff0000000000000)
        TEST_FP_D_TOINT(254, fcvt.lu.d, rne, NV, 0x0, 0xbff0000000000000)
        TEST_FP_D_TOINT(255, fcvt.lu.d, rne, NX, 0x2, 0x3ff8000000000000)
        TEST_FP_D_TOINT(257, fcvt.lu.d, rne, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(258, fcvt.lu.d, rtz, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(259, fcvt.lu.d, rdn, NX, 0x2, 0x4004000000000000)
        TEST_FP_D_TOINT(260, fcvt.lu.d, rup, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(261, fcvt.lu.d, rmm, NX, 0x3, 0x4004000000000000)
        TEST_FP_D_TOINT(262, fcvt.lu.d, rne, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(263, fcvt.lu.d, rtz, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(264, fcvt.lu.d, rdn, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(265, fcvt.lu.d, rup, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(266, fcvt.lu.d, rmm, NV, 0x0, 0xc004000000000000)
        TEST_FP_D_TOINT(267, fcvt.lu.d, rne, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(268, fcvt.lu.d, rne, 0, 0x0, 0x0)
        TEST_FP_D_TOINT(269, fcvt.lu.d, rne, 0, 0x0, 0x8000000000000000)
        TEST_FP_D_TOINT(270, fcvt.lu.d, rtz, NX, 0x0, 0xbfe0000000000000)
        TEST_FP_D_TOINT(271, fcvt.lu.d, rtz, 0, 0x7fffffff, 0x41dfffffffc00000)
        TEST_FP_D_TOINT(272, fcvt.lu.d, rtz, 0, 0x80000000, 0x41e0000000000000)
        TEST_FP_D_TOINT(273, fcvt.lu.d, rtz, 0, 0x100000000, 0x41f0000000000000)
        TEST_FP_D_TOINT(274, fcvt.lu.d, rtz, NV, 0x0, 0xc1e0000000000000)
        TEST_FP_D_TOINT(275, fcvt.lu.d, rtz, 0, 0x8000000000000000, 0x43e0000000000000)
        TEST_FP_D_TOINT(276, fcvt.lu.d, rtz, NV, 0x0, 0xc3e0000000000000)
        TEST_FP_D_TOINT(277, fcvt.lu.d, rtz, NV, 0xffffffffffffffff, 0x43f0000000000000)
        TEST_FP_D_TOINT(278, fcvt.lu.d, rtz, 0, 0xb2d05e00, 0x41e65a0bc0000000)
        TEST_FP_D_TOINT(279, fcvt.lu.d, rtz, NV, 0xffffffffffffffff, 0x7fefffffffffffff)
        TEST_FP_D_TOINT(280, fcvt.lu.d, rtz, NV, 0xffffffffffffffff, 0x7ff0000000000000)
        TEST_FP_D_TOINT(281, fcvt.lu.d, rtz, NV, 0x0, 0xfff0000000000000)
        TEST_FP_D_TOINT(282, fcvt.lu.d, rtz, NV, 0xffffffffffffffff, 0x7ff8000000000000)
        TEST_FP_D_TOINT(283, fcvt.lu.d, rtz, NV, 0xffffffffffffffff, 0x7ff0000000000001)

        /* FCVT from integer: .W/.WU use rs1[31:0]; results rounded per rm */
        TEST_FP_D_FROMINT(284, fcvt.d.w, 0, 0x0, 0x0)
        TEST_FP_D_FROMINT(285, fcvt.d.wu, 0, 0x0, 0x0)
        TEST_FP_D_FROMINT(286, fcvt.d.w, 0, 0x3ff0000000000000, 0x1)
        TEST_FP_D_FROMINT(287, fcvt.d.wu, 0, 0x3ff0000000000000, 0x1)
        TEST_FP_D_FROMINT(288, fcvt.d.w, 0, 0xbff0000000000000, 0xffffffffffffffff)
        TEST_FP_D_FROMINT(289, fcvt.d.wu, 0, 0x41efffffffe00000, 0xffffffffffffffff)
        TEST_FP_D_FROMINT(290, fcvt.d.w, 0, 0x41dfffffffc00000, 0x7fffffff)
        TEST_FP_D_FROMINT(291, fcvt.d.wu, 0, 0x41dfffffffc00000, 0x7fffffff)
        TEST_FP_D_FROMINT(292, fcvt.d.w, 0, 0xc1e0000000000000, 0x80000000)
        TEST_FP_D_FROMINT(293, fcvt.d.wu, 0, 0x41e0000000000000, 0x80000000)
        TEST_FP_D_FROMINT(294, fcvt.d.w, 0, 0xbff0000000000000, 0xffffffff)
        TEST_FP_D_FROMINT(295, fcvt.d.wu, 0, 0x41efffffffe00000, 0xffffffff)
        TEST_FP_D_FROMINT(296, fcvt.d.w, 0, 0x4014000000000000, 0x1234567800000005)
        TEST_FP_D_FROMINT(297, fcvt.d.wu, 0, 0x4014000000000000, 0x1234567800000005)
        TEST_FP_D_FROMINT(298, fcvt.d.w, 0, 0x41b6777217000000, 0x16777217)
        TEST_FP_D_FROMINT(299, fcvt.d.wu, 0, 0x41b6777217000000, 0x16777217)
        TEST_FP_D_FROMINT(300, fcvt.d.l, 0, 0x0, 0x0)
        TEST_FP_D_FROMINT(301, fcvt.d.lu, 0, 0x0, 0x0)
        TEST_FP_D_FROMINT(302, fcvt.d.l, 0, 0x3ff0000000000000, 0x1)
        TEST_FP_D_FROMINT(303, fcvt.d.lu, 0, 0x3ff0000000000000, 0x1)
        TEST_FP_D_FROMINT(304, fcvt.d.l, 0, 0xbff0000000000000, 0xffffffffffffffff)
        TEST_FP_D_FROMINT(305, fcvt.d.lu, NX, 0x43f0000000000000, 0xffffffffffffffff)
        TEST_FP_D_FROMINT(306, fcvt.d.l, NX, 0x43e0000000000000, 0x7fffffffffffffff)
        TEST_FP_D_FROMINT(307, fcvt.d.lu, NX, 0x43e0000000000000, 0x7fffffffffffffff)
        TEST_FP_D_FROMINT(308, fcvt.d.l, 0, 0xc3e0000000000000, 0x8000000000000000)
        TEST_FP_D_FROMINT(309, fcvt.d.lu, 0, 0x43e0000000000000, 0x8000000000000000)
        TEST_FP_D_FROMINT(310, fcvt.d.l, NX, 0x4340000000000000, 0x20000000000001)
        TEST_FP_D_FROMINT(311, fcvt.d.lu, NX, 0x4340000000000000, 0x20000000000001)
        TEST_FP_D_FROMINT(312, fcvt.d.l, NX, 0x43723456789abcdf, 0x123456789abcdef)
        TEST_FP_D_FROMINT(313, fcvt.d.lu, NX, 0x43723456789abcdf, 0x123456789abcdef)
        TEST_FP_D_FROMINT_RM(314, fcvt.d.l, rtz, NX, 0x4350000000000000, 0x40000000000003)
        TEST_FP_D_FROMINT_RM(315, fcvt.d.l, rtz, NX, 0xc350000000000000, 0xffbffffffffffffd)
        TEST_FP_D_FROMINT_RM(316, fcvt.d.l, rdn, NX, 0x4350000000000000, 0x40000000000003)
        TEST_FP_D_FROMINT_RM(317, fcvt.d.l, rdn, NX, 0xc350000000000001, 0xffbffffffffffffd)
        TEST_FP_D_FROMINT_RM(318, fcvt.d.l, rup, NX, 0x4350000000000001, 0x40000000000003)
        TEST_FP_D_FROMINT_RM(319, fcvt.d.l, rup, NX, 0xc350000000000000, 0xffbffffffffffffd)
        TEST_FP_D_FROMINT_RM(320, fcvt.d.l, rmm, NX, 0x4350000000000001, 0x40000000000003)
        TEST_FP_D_FROMINT_RM(321, fcvt.d.l, rmm, NX, 0xc350000000000001, 0xffbffffffffffffd)

        /* FCVT.D.S is exact; FCVT.S.D rounds (§12.5) */
        FCVT_D_S(400, 0, 0x3ff8000000000000, 0x3fc00000)            /* 1.5 */
        FCVT_D_S(401, 0, 0xc7efffffe0000000, 0xff7fffff)            /* -FLT_MAX */
        FCVT_D_S(402, 0, 0x36a0000000000000, 0x00000001)            /* smallest subnormal */
        FCVT_D_S(403, 0, 0x7ff0000000000000, 0x7f800000)            /* +inf */
        FCVT_D_S(404, 0, 0x7ff8000000000000, 0x7fc12345)            /* qNaN -> canonical */
        FCVT_D_S(405, NV, 0x7ff8000000000000, 0x7f800001)           /* sNaN -> NV */
        FCVT_D_S(406, 0, 0x8000000000000000, 0x80000000)            /* -0 */
        FCVT_S_D(407, rne, 0, 0x3fc00000, 0x3ff8000000000000)       /* 1.5 exact */
        FCVT_S_D(408, rne, NX, 0x3eaaaaab, 0x3fd5555555555555)      /* 1/3 */
        FCVT_S_D(409, rtz, NX, 0x3eaaaaaa, 0x3fd5555555555555)
        FCVT_S_D(410, rne, OF|NX, 0x7f800000, 0x47f0000000000000)   /* 2^128 */
        FCVT_S_D(411, rtz, OF|NX, 0x7f7fffff, 0x47f0000000000000)
        FCVT_S_D(412, rne, UF|NX, 0x00000000, 0x3690000000000000)   /* 2^-150: tie to 0 */
        FCVT_S_D(413, rup, UF|NX, 0x00000001, 0x3690000000000000)
        FCVT_S_D(414, rne, 0, 0x00000001, 0x36a0000000000000)       /* exact subnormal */
        FCVT_S_D(415, rne, 0, 0x7fc00000, 0x7ff8000000000123)       /* NaN -> canonical */
        FCVT_S_D(416, rne, NV, 0x7fc00000, 0x7ff0000000000001)      /* sNaN */
        FCVT_S_D(417, rne, 0, 0xff800000, 0xfff0000000000000)       /* -inf */

        /* FMV.X.D / FMV.D.X move bits unchanged (also NaN payloads) */
        TEST_CASE(420, a0, 0x7ff0000000000001, li a1, 0x7ff0000000000001; fmv.d.x ft3, a1; fmv.x.d a0, ft3)
        TEST_CASE(421, a0, 0xfff8000000abcdef, li a1, 0xfff8000000abcdef; fmv.d.x fs11, a1; fmv.x.d a0, fs11)

        /* FLD / FSD: 64-bit transfers, no conversion, no NaN canonicalisation */
test_422:
        TEST_NUM(422)
        la a1, fdata
        fld ft0, 0(a1)
        fld ft1, 8(a1)
        fmv.x.d a0, ft0
        CHECK_EQ(a0, 0x7ff0000000000001)
        fmv.x.d a0, ft1
        CHECK_EQ(a0, 0xc00921fb54442d18)
        fsd ft0, 24(a1)
        fsd ft1, 16(a1)
        ld a0, 16(a1)
        CHECK_EQ(a0, 0xc00921fb54442d18)
        ld a0, 24(a1)
        CHECK_EQ(a0, 0x7ff0000000000001)
        csrr a0, fflags
        CHECK_EQ(a0, 0)

        /* ---- fcsr / frm / fflags (§11.2) ---- */
test_430:       /* fcsr = frm << 5 | fflags; bits above 7 read as zero */
        TEST_NUM(430)
        li a1, 0xffffffff
        csrw fcsr, a1
        csrr a0, fcsr
        CHECK_EQ(a0, 0xff)
        csrr a0, frm
        CHECK_EQ(a0, 7)
        csrr a0, fflags
        CHECK_EQ(a0, 0x1f)
        csrwi fcsr, 0
test_431:       /* frm and fflags are views of fcsr */
        TEST_NUM(431)
        csrwi frm, 3
        csrwi fflags, 0x15
        csrr a0, fcsr
        CHECK_EQ(a0, (3 << 5) | 0x15)
        fsrmi a1, 1                     /* swap: old frm in a1 */
        CHECK_EQ(a1, 3)
        fsflagsi a1, 0x2                /* swap: old flags in a1 */
        CHECK_EQ(a1, 0x15)
        frcsr a0
        CHECK_EQ(a0, (1 << 5) | 0x2)
        csrci fflags, 0x2
        csrs fflags, 0x8
        frflags a0
        CHECK_EQ(a0, 0x8)
        csrwi fcsr, 0
test_432:       /* flags accrue (are ORed), never cleared by instructions */
        TEST_NUM(432)
        li t0, 0x3ff0000000000000
        fmv.d.x fa1, t0
        fmv.d.x fa2, zero
        fdiv.d fa0, fa1, fa2            /* DZ */
        li t0, 0x4008000000000000
        fmv.d.x fa2, t0
        fdiv.d fa0, fa1, fa2            /* NX */
        fadd.d fa0, fa1, fa1            /* exact: adds nothing */
        frflags a0
        CHECK_EQ(a0, DZ | NX)
        csrwi fflags, 0
test_433:       /* dynamic rounding mode (rm = 7) follows frm */
        TEST_NUM(433)
        li t0, 0x3ff0000000000000
        fmv.d.x fa1, t0
        li t0, 0x4008000000000000
        fmv.d.x fa2, t0
        fsrmi 3                         /* RUP */
        fdiv.d fa0, fa1, fa2            /* default assembler rm is dyn */
        fmv.x.d a0, fa0
        CHECK_EQ(a0, 0x3fd5555555555556)
        fsrmi 1                         /* RTZ */
        fdiv.d fa0, fa1, fa2, dyn
        fmv.x.d a0, fa0
        CHECK_EQ(a0, 0x3fd5555555555555)
        fdiv.d fa0, fa1, fa2, rup       /* static rm overrides frm */
        fmv.x.d a0, fa0
        CHECK_EQ(a0, 0x3fd5555555555556)
        fsrmi 0
        csrwi fflags, 0

        /* invalid rounding modes are illegal instructions (§11.2):
         * fadd.d fa0, fa1, fa2 with static rm = 5, 6 and dynamic frm = 5 */
        TEST_TRAP_TVAL(440, CAUSE_ILLEGAL_INSTRUCTION, 0x02c5d553, .word 0x02c5d553)
        TEST_TRAP_TVAL(441, CAUSE_ILLEGAL_INSTRUCTION, 0x02c5e553, .word 0x02c5e553)
test_442:
        TEST_NUM(442)
        fsrmi 5
        EXPECT_TRAP_TVAL(CAUSE_ILLEGAL_INSTRUCTION, 0x02c5f553)
        fadd.d fa0, fa1, fa2, dyn       /* = .word 0x02c5f553 */
        CHECK_TRAPPED
        fsrmi 0

        /* ---- mstatus.FS (priv §3.1.6.6) ---- */
test_450:       /* FS = Off: FP instructions and FP CSRs are illegal */
        TEST_NUM(450)
        li t0, MSTATUS_FS
        csrc mstatus, t0
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        fadd.d fa0, fa1, fa2
        CHECK_TRAPPED
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        csrr a0, fcsr
        CHECK_TRAPPED
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        fmv.x.d a0, fa0
        CHECK_TRAPPED
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
        fld fa0, 0(sp)
        CHECK_TRAPPED
test_451:       /* FS = Initial: a write to an f register makes it Dirty, SD = 1 */
        TEST_NUM(451)
        li t0, MSTATUS_FS_INIT
        csrs mstatus, t0
        csrr a0, mstatus
        srli a0, a0, 63
        CHECK_EQ(a0, 0)
        fmv.d.x fa0, zero
        csrr a0, mstatus
        li t0, MSTATUS_FS
        and a1, a0, t0
        CHECK_EQ(a1, MSTATUS_FS_DIRTY)
        srli a0, a0, 63
        CHECK_EQ(a0, 1)
test_452:       /* FS = Clean + a write to fflags also dirties */
        TEST_NUM(452)
        li t0, MSTATUS_FS
        csrc mstatus, t0
        li t0, 2 << 13
        csrs mstatus, t0
        csrwi fflags, 1
        csrr a0, mstatus
        li t0, MSTATUS_FS
        and a1, a0, t0
        CHECK_EQ(a1, MSTATUS_FS_DIRTY)
        csrwi fflags, 0
TEST_END

        .data
        .balign 8
fdata:
        .dword 0x7ff0000000000001       /* sNaN */
        .dword 0xc00921fb54442d18       /* -pi */
        .dword 0, 0
