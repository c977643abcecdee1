/* The scalar FPU's element operations (fpu.c), shared with the vector unit
 * (vector_fp.c: V 1.0 §13, "the vector floating-point instructions have
 * the same behavior as the scalar floating-point instructions with regard
 * to NaNs"). Operands and results are raw fmt-wide bit patterns (not
 * NaN-boxed); rm is a resolved rounding mode (RM_RNE..RM_RMM); every
 * function ORs the IEEE flags it raises (FFLAG_*) into *fl. */
#ifndef HVSIM_RV_FPU_H
#define HVSIM_RV_FPU_H
#include <stdbool.h>
#include <stdint.h>

struct rv_hart;

/* fmt field encoding (unpriv spec, "Format field encoding") */
enum { RV_FMT_S = 0, RV_FMT_D = 1, RV_FMT_H = 2 };
enum rv_fp_op { RV_FOP_ADD, RV_FOP_SUB, RV_FOP_MUL, RV_FOP_DIV, RV_FOP_SQRT, RV_FOP_FMA };

/* rm field (or RM_DYN: frm) -> 0..4, -1 when reserved */
int rv_fp_rm(const struct rv_hart *h, unsigned rm);
/* f[r] as an fmt operand: a narrower value that is not NaN-boxed reads as
 * the canonical NaN */
uint64_t rv_fp_reg(const struct rv_hart *h, unsigned r, int fmt);
/* v NaN-boxed into an f register */
uint64_t rv_fp_box(int fmt, uint64_t v);
uint64_t rv_fp_cnan(int fmt);
uint64_t rv_fp_sign(int fmt);          /* the sign bit */
/* FCLASS: 1 << class (10 bits) */
uint64_t rv_fp_classify(int fmt, uint64_t a);
bool rv_fp_is_nan(int fmt, uint64_t a);
/* add/sub/mul/div/sqrt/fma a*b+c, correctly rounded; NaN results canonical */
uint64_t rv_fp_arith(int fmt, enum rv_fp_op op, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl);
uint64_t rv_fp_minmax(int fmt, bool is_max, uint64_t a, uint64_t b, uint32_t *fl);
/* kind 0 FLE, 1 FLT, 2 FEQ: 1 or 0 */
uint64_t rv_fp_compare(int fmt, unsigned kind, uint64_t a, uint64_t b, uint32_t *fl);
/* kind 0 FSGNJ, 1 FSGNJN, 2 FSGNJX */
uint64_t rv_fp_sgnj(int fmt, unsigned kind, uint64_t a, uint64_t b);
/* float -> integer of `bits` (8..64) bits, signed or not, saturating as
 * FCVT does (Table "Domains of float-to-integer conversions"); the result
 * is truncated to `bits` */
uint64_t rv_fp_to_int(int fmt, uint64_t a, unsigned bits, bool is_signed, int rm, uint32_t *fl);
/* 64-bit integer (signed or unsigned) -> float */
uint64_t rv_fp_from_int(int fmt, uint64_t x, bool is_signed, int rm, uint32_t *fl);
/* float -> float: widening exact, narrowing rounds; NaN -> canonical */
uint64_t rv_fp_convert(int to, int from, uint64_t a, int rm, uint32_t *fl);
#endif
