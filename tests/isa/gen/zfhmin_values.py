#!/usr/bin/env python3
"""Known answers for tests/isa/zfhmin.S: FCVT.H.S / FCVT.H.D in every
rounding mode with their fflags, and the widening FCVT.S.H / FCVT.D.H.

Written from IEEE 754-2008 §4.3 (rounding), §7.4-7.5 (overflow, underflow
with tininess detected after rounding, as the RISC-V "F" chapter requires)
and Zfh 1.0 (binary16: 1 sign, 5 exponent, 10 fraction bits; NaN results
are the canonical NaN 0x7e00; a signaling NaN input raises NV). The method
is independent of hvsim's: every finite binary16 value is enumerated as an
exact fraction and the input is placed between its two neighbours.

    python3 tests/isa/gen/zfhmin_values.py > /tmp/x   (the test lines)
"""
import bisect
import math
import struct
from fractions import Fraction as F

NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16
RNE, RTZ, RDN, RUP, RMM = range(5)
RM_NAMES = ["rne", "rtz", "rdn", "rup", "rmm"]


def half_value(bits):
    e, m = (bits >> 10) & 31, bits & 1023
    v = F(m, 1 << 24) if e == 0 else F(1024 + m, 1 << 10) * F(2) ** (e - 15)
    return -v if bits & 0x8000 else v


POS = [(half_value(b), b) for b in range(0x7c00)]  # +0 .. 65504, increasing
VALS = [v for v, _ in POS]
MAXF = VALS[-1]
MIN_NORMAL = F(1, 1 << 14)


def pick(a, lo, hi, lo_even, neg, rm):
    """Choose between neighbours lo < a < hi (magnitudes)."""
    if rm == RTZ:
        return lo
    if rm == RUP:
        return lo if neg else hi
    if rm == RDN:
        return hi if neg else lo
    if a - lo != hi - a:
        return lo if a - lo < hi - a else hi
    return hi if rm == RMM else (lo if lo_even else hi)


def to_half(x, rm):
    """x: an exact Fraction (non-zero, finite). Returns (bits, flags)."""
    neg = x < 0
    a = -x if neg else x
    sign = 0x8000 if neg else 0
    if a >= 65536:  # rounds above the largest finite value in every mode
        to_inf = rm in (RNE, RMM) or (rm == RUP and not neg) or (rm == RDN and neg)
        return sign | (0x7c00 if to_inf else 0x7bff), OF | NX
    i = bisect.bisect_left(VALS, a)
    if i < len(VALS) and VALS[i] == a:
        return sign | POS[i][1], 0
    if i == len(VALS):  # between 65504 and 65536 (exclusive): 65536 stands for the next binade
        lo, hi, lo_bits, hi_bits = MAXF, F(65536), 0x7bff, 0x7c00
    else:
        lo, hi, lo_bits, hi_bits = VALS[i - 1], VALS[i], POS[i - 1][1], POS[i][1]
    r = pick(a, lo, hi, lo_bits % 2 == 0, neg, rm)
    if r == F(65536):
        return sign | 0x7c00, OF | NX
    flags = NX
    # tininess after rounding: a < 2^-14 rounded to 11 bits with an unbounded
    # exponent; only (2^-14 - 2^-25, 2^-14) can round up to 2^-14
    if a < MIN_NORMAL:
        lo11 = MIN_NORMAL - F(1, 1 << 25)
        tiny = not (a > lo11 and pick(a, lo11, MIN_NORMAL, False, neg, rm) == MIN_NORMAL)
        if tiny:
            flags |= UF
    return sign | (lo_bits if r == lo else hi_bits), flags


def sext16(b):
    return b - 0x10000 if b & 0x8000 else b


def f64_bits(v): return struct.unpack("<Q", struct.pack("<d", v))[0]
def f32_bits(v): return struct.unpack("<I", struct.pack("<f", v))[0]


DOUBLES = [1.0, -2.5, 0.1, 1 / 3, 65504.0, 65519.99, 65520.0, -65520.0, 65536.0, 1e10, -1e10,
           2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 2.0 ** -14 - 2.0 ** -26,
           -(2.0 ** -14 - 2.0 ** -26), 2.0 ** -14 - 2.0 ** -25, 1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11,
           -(1 + 2.0 ** -11), 1.5 * 2.0 ** -24, 2.5 * 2.0 ** -24, 1e-30, -1e-30, 1e-300, 123.456]
SPECIAL_D = [(0x0000000000000000, 0x0000, 0), (0x8000000000000000, 0x8000, 0),
             (0x7ff0000000000000, 0x7c00, 0), (0xfff0000000000000, 0xfc00, 0),
             (0x7ff8000000000001, 0x7e00, 0), (0x7ff0000000000001, 0x7e00, NV)]
SPECIAL_S = [(0x00000000, 0x0000, 0), (0x80000000, 0x8000, 0), (0x7f800000, 0x7c00, 0),
             (0xff800000, 0xfc00, 0), (0x7fc00001, 0x7e00, 0), (0x7f800001, 0x7e00, NV)]
HALVES = [0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x83ff, 0x3555, 0x7c00, 0xfc00]


def main():
    n = 2
    out = []

    def num():
        nonlocal n
        while n % 256 == 0:
            n += 1
        v = n
        n += 1
        return v

    for d in DOUBLES:
        for rm in range(5):
            b, fl = to_half(F(d), rm)
            out.append(f"TEST_H_CVT({num()}, fcvt.h.d, fmv.d.x, {RM_NAMES[rm]}, {f64_bits(d):#x}, "
                       f"{sext16(b)}, {fl})")
    for src, b, fl in SPECIAL_D:
        out.append(f"TEST_H_CVT({num()}, fcvt.h.d, fmv.d.x, rne, {src:#x}, {sext16(b)}, {fl})")
    for d in DOUBLES:
        f = struct.unpack("<f", struct.pack("<f", d))[0]  # the float nearest d: exact input
        if math.isinf(f) or (f == 0 and d != 0):
            continue
        for rm in range(5):
            b, fl = to_half(F(f), rm)
            out.append(f"TEST_H_CVT({num()}, fcvt.h.s, fmv.w.x, {RM_NAMES[rm]}, {f32_bits(f):#x}, "
                       f"{sext16(b)}, {fl})")
    for src, b, fl in SPECIAL_S:
        out.append(f"TEST_H_CVT({num()}, fcvt.h.s, fmv.w.x, rne, {src:#x}, {sext16(b)}, {fl})")
    # widening: exact
    for h in HALVES + [0x7e00, 0x7d00]:
        e = (h >> 10) & 31
        if e == 31 and h & 1023:
            sb, db, fl = 0x7fc00000, 0x7ff8000000000000, (0 if h & 0x200 else NV)
        elif e == 31:
            sb = 0xff800000 if h & 0x8000 else 0x7f800000
            db = 0xfff0000000000000 if h & 0x8000 else 0x7ff0000000000000
            fl = 0
        else:
            v = half_value(h)
            fv = float(v) if v != 0 else (-0.0 if h & 0x8000 else 0.0)
            sb, db, fl = f32_bits(fv), f64_bits(fv), 0
        out.append(f"TEST_H_WIDEN({num()}, fcvt.s.h, fmv.x.w, {h:#x}, {sb - (1 << 32) if sb >> 31 else sb}, {fl})")
        out.append(f"TEST_H_WIDEN({num()}, fcvt.d.h, fmv.x.d, {h:#x}, {db:#x}, {fl})")
    for line in out:
        print("        " + line)


if __name__ == "__main__":
    main()
