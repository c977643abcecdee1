#!/usr/bin/env python3
"""Differential check of hvsim's vector floating point against QEMU (a
second, independent V 1.0 implementation): writes a bare-metal RV64 program
of random vector FP instructions (random SEW 8..64, LMUL 1/2, 1, 2, 4, vl,
frm, masks, operands including NaNs/infinities/subnormals) that prints the
whole vector register file and fflags through the HTIF console at the end.
Run the same ELF on `hvsim` (with v and zvfh) and on `qemu-system-riscv64
-M spike -cpu rv64,v=true,vlen=128,elen=64,Zfh=true`: the two outputs must
be identical.

The generator only emits encodings on which the V spec leaves no choice
and QEMU 7.2 is known to agree (tests/isa/README.md lists its deviations):
no reserved frm, no rtz/rod conversions (QEMU 7.2 aborts on them), no
overlapping register groups, v0 only as the mask, tail- and
mask-undisturbed (tu, mu), no vfredusum (its order is free).

    python3 tests/isa/gen/vf_diff.py SEED N > /tmp/vfdiff.S
    (see tests/isa/README.md "Vector FP differential")
"""
import random
import sys

VLENB = 16

SINGLE_VV = ['vfadd.vv', 'vfsub.vv', 'vfmul.vv', 'vfdiv.vv', 'vfmin.vv', 'vfmax.vv',
             'vfsgnj.vv', 'vfsgnjn.vv', 'vfsgnjx.vv']
SINGLE_VF = ['vfadd.vf', 'vfsub.vf', 'vfrsub.vf', 'vfmul.vf', 'vfdiv.vf', 'vfrdiv.vf',
             'vfmin.vf', 'vfmax.vf', 'vfsgnj.vf', 'vfsgnjn.vf', 'vfsgnjx.vf']
FMA = ['vfmacc', 'vfnmacc', 'vfmsac', 'vfnmsac', 'vfmadd', 'vfnmadd', 'vfmsub', 'vfnmsub']
CMP_VV = ['vmfeq.vv', 'vmfne.vv', 'vmflt.vv', 'vmfle.vv']
CMP_VF = ['vmfeq.vf', 'vmfne.vf', 'vmflt.vf', 'vmfle.vf', 'vmfgt.vf', 'vmfge.vf']
UNARY = ['vfsqrt.v', 'vfrsqrt7.v', 'vfrec7.v', 'vfclass.v', 'vfcvt.xu.f.v', 'vfcvt.x.f.v',
         'vfcvt.f.xu.v', 'vfcvt.f.x.v']
WIDE_VV = ['vfwadd.vv', 'vfwsub.vv', 'vfwmul.vv', 'vfwmacc.vv', 'vfwnmacc.vv', 'vfwmsac.vv',
           'vfwnmsac.vv']
WIDE_VF = ['vfwadd.vf', 'vfwsub.vf', 'vfwmul.vf', 'vfwmacc.vf', 'vfwnmacc.vf']
WIDE_W = ['vfwadd.wv', 'vfwsub.wv', 'vfwadd.wf', 'vfwsub.wf']
WCVT = ['vfwcvt.xu.f.v', 'vfwcvt.x.f.v', 'vfwcvt.f.xu.v', 'vfwcvt.f.x.v', 'vfwcvt.f.f.v']
NCVT = ['vfncvt.xu.f.w', 'vfncvt.x.f.w', 'vfncvt.f.xu.w', 'vfncvt.f.x.w', 'vfncvt.f.f.w']
RED = ['vfredosum.vs', 'vfredmin.vs', 'vfredmax.vs']
WRED = ['vfwredosum.vs']

SPECIAL = {
    16: [0, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x3c00,
         0xbc00, 0x3555, 0x4200],
    32: [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 1, 0x007fffff,
         0x00800000, 0x7f7fffff, 0x3f800000, 0xbf800000, 0x3eaaaaab, 0x4f000000, 0x40490fdb],
    64: [0, 1 << 63, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
         0x7ff0000000000001, 1, 0x000fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,
         0x3ff0000000000000, 0xbff0000000000000, 0x3fd5555555555555, 0x43e0000000000000],
}


def rand_bytes(rng):
    """VLENB bytes of mixed special and random elements of a random width."""
    out = b''
    while len(out) < VLENB:
        w = rng.choice([16, 32, 64])
        v = rng.choice(SPECIAL[w]) if rng.random() < 0.5 else rng.getrandbits(w)
        out += v.to_bytes(w // 8, 'little')
    return out[:VLENB]


def groups(rng, sizes):
    """Non-overlapping aligned register groups of the given sizes, none v0."""
    used = {0}
    res = []
    for n in sizes:
        while True:
            r = rng.randrange(n, 32, n) if n > 1 else rng.randrange(1, 32)
            regs = set(range(r, r + n))
            if r + n <= 32 and not regs & used:
                used |= regs
                res.append(r)
                break
    return res


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    p = []
    emit = p.append
    for _ in range(count):
        sew = rng.choice([8, 16, 32, 64, 16, 32, 64])
        frac = sew < 64 and rng.random() < 0.2         # LMUL 1/2
        lmul = 1 if frac else rng.choice([1, 1, 2, 4])
        vlmax = (VLENB * 8 // sew // 2) if frac else lmul * VLENB * 8 // sew
        vl = rng.randrange(0, vlmax + 1)
        lm = 'mf2' if frac else f'm{lmul}'
        emit(f'li t0, {vl}; vsetvli t1, t0, e{sew}, {lm}, tu, mu; csrwi frm, {rng.randrange(5)}')
        if frac:
            lmul = 1                           # one register; 2 * LMUL = 1 register too
            wide_regs = 1
        else:
            wide_regs = 2 * lmul
        m = '' if rng.random() < 0.5 else ', v0.t'
        f = f'f{rng.randrange(32)}'
        kind = rng.choice(['single', 'single', 'fma', 'cmp', 'unary', 'wide', 'wide', 'cvt',
                           'red', 'move'])
        if kind in ('wide', 'cvt') and sew == 64:
            kind = 'single'
        if sew == 8:                           # only the integer side of a conversion
            kind = 'cvt8'
        if kind == 'single':
            d, a, b = groups(rng, [lmul] * 3)
            if rng.random() < 0.5:
                emit(f'{rng.choice(SINGLE_VV)} v{d}, v{a}, v{b}{m}')
            else:
                emit(f'{rng.choice(SINGLE_VF)} v{d}, v{a}, {f}{m}')
        elif kind == 'fma':
            d, a, b = groups(rng, [lmul] * 3)
            op = rng.choice(FMA)
            if rng.random() < 0.5:
                emit(f'{op}.vv v{d}, v{b}, v{a}{m}')
            else:
                emit(f'{op}.vf v{d}, {f}, v{a}{m}')
        elif kind == 'cmp':
            d, a, b = groups(rng, [1, lmul, lmul])
            if rng.random() < 0.5:
                emit(f'{rng.choice(CMP_VV)} v{d}, v{a}, v{b}{m}')
            else:
                emit(f'{rng.choice(CMP_VF)} v{d}, v{a}, {f}{m}')
        elif kind == 'unary':
            d, a = groups(rng, [lmul] * 2)
            emit(f'{rng.choice(UNARY)} v{d}, v{a}{m}')
        elif kind == 'wide':
            w = rng.choice(['vv', 'vf', 'w'])
            if w == 'w':
                op = rng.choice(WIDE_W)
                d, a, b = groups(rng, [wide_regs, wide_regs, lmul])
                emit(f'{op} v{d}, v{a}, {f if op.endswith("f") else "v%d" % b}{m}')
            elif w == 'vv':
                op = rng.choice(WIDE_VV)
                d, a, b = groups(rng, [wide_regs, lmul, lmul])
                emit(f'{op} v{d}, v{b}, v{a}{m}' if 'macc' in op or 'msac' in op
                     else f'{op} v{d}, v{a}, v{b}{m}')
            else:
                op = rng.choice(WIDE_VF)
                d, a = groups(rng, [wide_regs, lmul])
                emit(f'{op} v{d}, {f}, v{a}{m}' if 'macc' in op or 'msac' in op
                     else f'{op} v{d}, v{a}, {f}{m}')
        elif kind == 'cvt':
            if rng.random() < 0.5:
                d, a = groups(rng, [wide_regs, lmul])
                emit(f'{rng.choice(WCVT)} v{d}, v{a}{m}')
            else:
                d, a = groups(rng, [lmul, wide_regs])
                emit(f'{rng.choice(NCVT)} v{d}, v{a}{m}')
        elif kind == 'cvt8':                   # Zvfh: int8 <-> binary16
            if rng.random() < 0.5:
                d, a = groups(rng, [wide_regs, lmul])
                emit(f'{rng.choice(["vfwcvt.f.xu.v", "vfwcvt.f.x.v"])} v{d}, v{a}{m}')
            else:
                d, a = groups(rng, [lmul, wide_regs])
                emit(f'{rng.choice(["vfncvt.xu.f.w", "vfncvt.x.f.w"])} v{d}, v{a}{m}')
        elif kind == 'red':
            if sew < 64 and rng.random() < 0.3:
                d, a, b = groups(rng, [1, lmul, 1])
                emit(f'{rng.choice(WRED)} v{d}, v{a}, v{b}{m}')
            else:
                d, a, b = groups(rng, [1, lmul, 1])
                emit(f'{rng.choice(RED)} v{d}, v{a}, v{b}{m}')
        else:
            d, a = groups(rng, [lmul, lmul])
            emit(rng.choice([f'vfmv.v.f v{d}, {f}', f'vfmv.s.f v{d}, {f}',
                             f'vfmerge.vfm v{d}, v{a}, {f}, v0', f'vfslide1down.vf v{d}, v{a}, {f}{m}',
                             f'vfslide1up.vf v{d}, v{a}, {f}{m}',
                             f'vfmv.f.s {f}, v{a}']))
    print('/* generated by tests/isa/gen/vf_diff.py %d %d */' % (seed, count))
    print('''#include "test_macros.h"
        .option arch, +v, +zfh
TEST_BEGIN
        li t0, 1 << 9; csrs mstatus, t0
        la t0, vinit; vl8re8.v v0, (t0); addi t0, t0, 128; vl8re8.v v8, (t0)
        addi t0, t0, 128; vl8re8.v v16, (t0); addi t0, t0, 128; vl8re8.v v24, (t0)
        la t0, finit''')
    for i in range(32):
        print(f'        fld f{i}, {8 * i}(t0)')
    print('        csrwi fflags, 0')
    for line in p:
        print('        ' + line)
    print('''        la t0, out; vs8r.v v0, (t0); addi t0, t0, 128; vs8r.v v8, (t0)
        addi t0, t0, 128; vs8r.v v16, (t0); addi t0, t0, 128; vs8r.v v24, (t0)
        addi t0, t0, 128; csrr t1, fflags; sd t1, 0(t0)''')
    for i in range(32):
        print(f'        fsd f{i}, {8 + 8 * i}(t0)')
    print('''        /* print out[] (512 + 8 + 256 bytes) as hex through HTIF putchar */
        la s0, out; li s1, 776
9:      lbu s2, 0(s0); srli a0, s2, 4; call hexdig; andi a0, s2, 15; call hexdig
        addi s0, s0, 1; addi s1, s1, -1; andi t0, s1, 31; bnez t0, 8f
        li a0, 10 - 48; call putc0
8:      bnez s1, 9b
        PASS
hexdig: li t0, 10; blt a0, t0, 7f; addi a0, a0, 39
7:      /* fall through */
putc0:  addi a0, a0, 48
        li t0, 1; slli t0, t0, 56; li t1, 1; slli t1, t1, 48; or t0, t0, t1; or t0, t0, a0
        la t1, tohost; sd t0, 0(t1)
6:      la t1, fromhost; ld t2, 0(t1); beqz t2, 6b; sd zero, 0(t1)
        ret
TEST_END
        .data
        .align 6''')
    print('vinit:')
    for _ in range(32):
        print('        .byte ' + ', '.join(str(b) for b in rand_bytes(rng)))
    print('        .align 3\nfinit:')
    for _ in range(32):
        w = rng.choice([16, 32, 64])
        v = rng.choice(SPECIAL[w]) if rng.random() < 0.5 else rng.getrandbits(w)
        box = {16: 0xffffffffffff0000, 32: 0xffffffff00000000, 64: 0}[w]
        if rng.random() < 0.1:
            box = 0                            # not NaN-boxed
        print(f'        .dword {box | v:#x}')
    print('        .align 6\nout:    .zero 1024')


if __name__ == '__main__':
    main()
