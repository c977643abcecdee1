#!/usr/bin/env python3
"""Known-answer values for tests/isa/zbk.S and zicond.S, computed by a
reference model written here from the specifications (not from hvsim's C):

  RISC-V Bit-Manipulation 1.0.0, Zbc: clmul / clmulh / clmulr are the low
  64 bits, the high 64 bits and bits 126..63 of the 128-bit carry-less
  (GF(2)[x]) product of rs1 and rs2.
  RISC-V Scalar Cryptography 1.0.0 (RV64): pack = rs2[31:0] ++ rs1[31:0];
  packh = zext(rs2[7:0] ++ rs1[7:0]); packw = sext32(rs2[15:0] ++ rs1[15:0]);
  brev8 reverses the bit order inside every byte; xperm8 / xperm4 replace
  every byte / nibble i of rs2 by element rs2[i] of rs1 (0 when the index is
  out of range: >= 8 bytes; nibble indices are always < 16).
  Zicond 1.0: czero.eqz = rs2 == 0 ? 0 : rs1; czero.nez = rs2 != 0 ? 0 : rs1.

Prints the test lines (python3 tests/isa/gen/ext_values.py zbk|zicond).
"""
import sys

M = (1 << 64) - 1


def gf2_mul(a, b):
    """Carry-less product as polynomials: add (xor) shifted copies."""
    p = 0
    for i in range(64):
        if b >> i & 1:
            p ^= a << i
    return p  # up to 127 bits


def clmul(a, b): return gf2_mul(a, b) & M
def clmulh(a, b): return gf2_mul(a, b) >> 64
def clmulr(a, b): return (gf2_mul(a, b) >> 63) & M


def pack(a, b): return ((b & 0xffffffff) << 32) | (a & 0xffffffff)
def packh(a, b): return ((b & 0xff) << 8) | (a & 0xff)


def packw(a, b):
    v = ((b & 0xffff) << 16) | (a & 0xffff)
    return v | (M ^ 0xffffffff) if v >> 31 else v


def brev8(a):
    out = b""
    for byte in a.to_bytes(8, "little"):
        out += bytes([int(format(byte, "08b")[::-1], 2)])
    return int.from_bytes(out, "little")


def xperm(a, b, w):
    n = 64 // w
    elems = [(a >> (w * i)) & ((1 << w) - 1) for i in range(n)]
    r = 0
    for i in range(n):
        idx = (b >> (w * i)) & ((1 << w) - 1)
        r |= (elems[idx] if idx < n else 0) << (w * i)
    return r


def czero_eqz(a, b): return 0 if b == 0 else a
def czero_nez(a, b): return 0 if b != 0 else a


def lcg(seed):
    while True:  # Knuth's MMIX LCG: fixed operands, no dependence on Python's random
        seed = (seed * 6364136223846793005 + 1442695040888963407) & M
        yield seed


PAIRS = [
    (0, 0), (1, 1), (0xffffffffffffffff, 0xffffffffffffffff), (0x8000000000000000, 3),
    (0x123456789abcdef0, 0xfedcba9876543210), (0xdeadbeefcafef00d, 0x0706050403020100),
    (0x0123456789abcdef, 0x0f0e0d0c0b0a0908), (0x0123456789abcdef, 0xfedcba9876543210),
    (0x00000000ffffffff, 0x00000000ffffffff), (0xa5a5a5a5a5a5a5a5, 0x0000000000000002),
]
g = lcg(0x5eed)
PAIRS += [(next(g), next(g)) for _ in range(4)]


def emit(kind):
    n = 2
    if kind == "zbk":
        ops = [("clmul", clmul), ("clmulh", clmulh), ("clmulr", clmulr), ("pack", pack),
               ("packh", packh), ("packw", packw), ("xperm4", xperm4), ("xperm8", xperm8)]
        for name, f in ops:
            print(f"        /* {name} */")
            for a, b in PAIRS:
                print(f"        EXT_RR({n}, {name}, {f(a, b):#x}, {a:#x}, {b:#x})")
                n += 1
        print("        /* brev8 */")
        for a, _ in PAIRS:
            print(f"        EXT_R({n}, brev8, {brev8(a):#x}, {a:#x})")
            n += 1
    else:
        for name, f in [("CZERO_EQZ", czero_eqz), ("CZERO_NEZ", czero_nez)]:
            for a, b in PAIRS[:8] + [(5, 0), (0x8000000000000000, 0), (0, 7)]:
                print(f"        EXT_RR({n}, {name}, {f(a, b):#x}, {a:#x}, {b:#x})")
                n += 1


def xperm4(a, b): return xperm(a, b, 4)
def xperm8(a, b): return xperm(a, b, 8)


if __name__ == "__main__":
    emit(sys.argv[1] if len(sys.argv) > 1 else "zbk")
