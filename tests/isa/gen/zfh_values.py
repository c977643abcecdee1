#!/usr/bin/env python3
"""Known answers for tests/isa/zfh.S: binary16 fadd/fsub/fmul/fdiv/fsqrt
and fmadd/fmsub/fnmsub/fnmadd in all five rounding modes with fflags
(Zfh 1.0; IEEE 754-2008 §4.3, §5.4, §7). Exact results are computed as
fractions (square roots to 100 extra bits, exact when the operand is a
perfect square) and rounded by zfhmin_values.to_half.

    python3 tests/isa/gen/zfh_values.py
"""
import math
import os
import sys
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zfhmin_values import NV, DZ, RM_NAMES, half_value, sext16, to_half  # noqa: E402

OPS = [0x3c00, 0x3e00, 0x4200, 0x2e66, 0x7bff, 0x0001, 0x0400, 0xc000, 0x3c01, 0x3555,
       0x57d0, 0x0200, 0xbc01, 0x7800, 0x1400]
PAIRS = [(0x3c00, 0x3c01), (0x3e00, 0x2e66), (0x7bff, 0x7bff), (0x0001, 0x0400), (0xc000, 0x3555),
         (0x57d0, 0x3c01), (0x0200, 0x0001), (0xbc01, 0x7800), (0x1400, 0x1400), (0x3555, 0x4200),
         (0x7800, 0xc000), (0x2e66, 0xbc01)]
TRIPLES = [(0x3c01, 0x3c01, 0xbc00), (0x3555, 0x4200, 0xbc00), (0x7bff, 0x3c01, 0x7bff),
           (0x0400, 0x3800, 0x8001), (0x2e66, 0x2e66, 0x2e66), (0x57d0, 0xc000, 0x7800),
           (0x1400, 0x1400, 0x0001), (0x3e00, 0x3e00, 0xc080)]


def hv(b): return half_value(b)


def rounded(x, rm):
    if x == 0:  # exact cancellation of non-zero operands: +0, or -0 in RDN (IEEE 754 §6.3)
        return (0x8000 if rm == 2 else 0), 0
    return to_half(x, rm)


def sqrt_exact(x):
    p, q = x.numerator, x.denominator
    s = math.isqrt(p * q * 4 ** 100)
    v = F(s, q * 2 ** 100)
    if s * s != p * q * 4 ** 100:
        v += F(1, q * 2 ** 101)  # strictly inside (s, s+1): never on a binary16 grid point
    return v


def main():
    n = [2]
    out = []

    def num():
        while n[0] % 256 == 0:
            n[0] += 1
        n[0] += 1
        return n[0] - 1

    for a, b in PAIRS:
        for name, f in [("fadd.h", lambda x, y: x + y), ("fsub.h", lambda x, y: x - y),
                        ("fmul.h", lambda x, y: x * y), ("fdiv.h", lambda x, y: x / y)]:
            for rm in range(5):
                r, fl = rounded(f(hv(a), hv(b)), rm)
                out.append(f"TEST_H_RR({num()}, {name}, {RM_NAMES[rm]}, {a:#x}, {b:#x}, {sext16(r)}, {fl})")
    for a in [0x3c00, 0x4200, 0x3555, 0x0001, 0x7bff, 0x0400, 0x4400, 0x2e66]:
        for rm in range(5):
            r, fl = rounded(sqrt_exact(hv(a)), rm)
            out.append(f"TEST_H_R({num()}, fsqrt.h, {RM_NAMES[rm]}, {a:#x}, {sext16(r)}, {fl})")
    for a, b, c in TRIPLES:
        for name, f in [("fmadd.h", lambda x, y, z: x * y + z), ("fmsub.h", lambda x, y, z: x * y - z),
                        ("fnmsub.h", lambda x, y, z: -(x * y) + z), ("fnmadd.h", lambda x, y, z: -(x * y) - z)]:
            for rm in range(5):
                r, fl = rounded(f(hv(a), hv(b), hv(c)), rm)
                out.append(f"TEST_H_R4({num()}, {name}, {RM_NAMES[rm]}, {a:#x}, {b:#x}, {c:#x}, {sext16(r)}, {fl})")
    for line in out:
        print("        " + line)


if __name__ == "__main__":
    main()
