/* v.S — the "V" vector extension 1.0 (RISC-V "V" Standard Extension for
 * Vector Operations 1.0, cited "V §n"): misa.V, mstatus.VS (Off: illegal;
 * Dirty after use; SD), vsetvli/vsetivli/vsetvl (VLMAX, AVL rules, vill),
 * unit-stride/strided/indexed/whole-register/mask loads and stores, masks,
 * a fault with vstart and a restart, vl = 0, integer arithmetic, compares,
 * merges and moves, reductions, mask logicals, vcpop/vfirst/vid, slides and
 * gathers. Every expected value is worked out by hand from the spec's
 * definitions (comments give the elements). VLENB (VLEN/8) is 16 here; the
 * wrapper v256.S builds this file with VLENB 32 for [cpu] vlen = 256.
 * Tail/mask-agnostic elements are checked as undisturbed only where hvsim
 * documents it (the spec allows either): those checks are skipped on QEMU.
 * v_off.S: the default board (no v), where every vector instruction and
 * vector CSR is illegal and mstatus.VS is read-only zero.
 *
 * hvsim-isa: rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_sstc
 * qemu-cpu: rv64,v=true,vlen=128,elen=64
 */
#include "test_macros.h"
        .option arch, +v

#ifndef VLENB
#define VLENB 16
#endif
#define MSTATUS_VS_INIT  (1 << 9)
#define MSTATUS_VS_DIRTY (3 << 9)
#define MISA_V (1 << 21)
#define VILL (1 << 63)

/* store v3 as 4 x e32 into dst, a0 = dwords 0 and 1 */
#define TV32(n, lo, hi, ...)                                            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        __VA_ARGS__;                                                    \
        la t0, dst; vse32.v v3, (t0);                                   \
        ld a0, 0(t0); CHECK_EQ(a0, lo);                                 \
        ld a0, 8(t0); CHECK_EQ(a0, hi)

/* store the e32 group v8 (under SEW 16: EMUL 2), a0 = dwords 0 and 1 */
#define TW(n, lo, hi, ...)                                              \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        __VA_ARGS__;                                                    \
        la t0, dst; vse32.v v8, (t0);                                   \
        ld a0, 0(t0); CHECK_EQ(a0, lo);                                 \
        ld a0, 8(t0); CHECK_EQ(a0, hi)

/* mask v4: first byte (vl <= 8) */
#define TM(n, expected, ...)                                            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        vmv.v.i v4, 0;                                                  \
        __VA_ARGS__;                                                    \
        la t0, dst; vsm.v v4, (t0); lbu a0, 0(t0);                      \
        CHECK_EQ(a0, expected)

/* dst := 64 bytes of `fill` */
#define FILL_DST(fill)                                                  \
        la t0, dst; li t1, fill; li t2, 8;                              \
8890:   sd t1, 0(t0); addi t0, t0, 8; addi t2, t2, -1; bnez t2, 8890b

/* e32, vl = 4; v1 = {10, 20, -10, 0x80000000}, v2 = {3, 7, 4, -1}, the
 * rest of v1/v2 zero (VLEN 256: elements 4..7) */
#define SETUP32                                                         \
        vsetvli t0, x0, e32, m1; vmv.v.i v1, 0; vmv.v.i v2, 0;          \
        vsetivli t0, 4, e32, m1, tu, mu;                                \
        la t0, w32a; vle32.v v1, (t0); la t0, w32b; vle32.v v2, (t0)

TEST_BEGIN

#ifdef EXT_OFF
        /* the default board: no V */
        TEST_CASE(2, a0, 0, csrr a0, misa; li t0, MISA_V; and a0, a0, t0)
        TEST_CASE(3, a0, 0, li t0, MSTATUS_VS; csrs mstatus, t0; csrr a0, mstatus;
                  and a0, a0, t0)
        TEST_ILLEGAL(4, vsetvli a0, x0, e8, m1)
        TEST_ILLEGAL(5, csrr a0, vlenb)
        la a1, src8
        TEST_ILLEGAL(6, vle8.v v1, (a1))
        TEST_ILLEGAL(7, vadd.vv v1, v2, v3)
#else
        /* ---- misa, mstatus.VS (V §3.2) ---- */
        TEST_CASE(2, a0, MISA_V, csrr a0, misa; li t0, MISA_V; and a0, a0, t0)
        li t0, MSTATUS_VS; csrc mstatus, t0               /* VS = Off */
        TEST_ILLEGAL(3, vsetvli a0, x0, e8, m1)
        TEST_ILLEGAL(4, csrr a0, vlenb)
        TEST_ILLEGAL(5, csrr a0, vl)
        la a1, src8
        TEST_ILLEGAL(6, vle8.v v1, (a1))
        TEST_ILLEGAL(7, vadd.vv v1, v2, v3)
        TEST_ILLEGAL(8, csrwi vxrm, 1)
        /* VS = Initial; SD clear (FS is Dirty from TEST_BEGIN: clear it too) */
        li t0, MSTATUS_FS; csrc mstatus, t0; li t0, MSTATUS_FS_INIT; csrs mstatus, t0
        li t0, MSTATUS_VS_INIT; csrs mstatus, t0
        TEST_CASE(9, a0, MSTATUS_VS_INIT, csrr a0, mstatus; li t0, MSTATUS_VS; and a0, a0, t0)
        TEST_CASE(10, a0, 0, csrr a0, mstatus; srli a0, a0, 63)
        /* reset: vill set, vl = 0 (V §3.11) */
        TEST_CASE(11, a0, VILL, csrr a0, vtype)
        TEST_CASE(12, a0, 0, csrr a0, vl)
        TEST_CASE(13, a0, VLENB, csrr a0, vlenb)
        /* a vector instruction makes VS Dirty, and SD reads 1 */
        TEST_CASE(14, a0, VLENB, vsetvli a0, x0, e8, m1)
        TEST_CASE(15, a0, MSTATUS_VS_DIRTY, csrr a0, mstatus; li t0, MSTATUS_VS; and a0, a0, t0)
        TEST_CASE(16, a0, 1, csrr a0, mstatus; srli a0, a0, 63)
        /* sstatus.VS is the same field */
        TEST_CASE(17, a0, MSTATUS_VS_DIRTY, csrr a0, sstatus; li t0, MSTATUS_VS; and a0, a0, t0)
        /* vxrm/vxsat/vcsr (V §3.8) */
        TEST_CASE(18, a0, 7, csrwi vxrm, 3; csrwi vxsat, 1; csrr a0, vcsr)
        TEST_CASE(19, a0, 2, csrwi vcsr, 0x14; csrr a0, vxrm)  /* 0x14: vxrm 2, vxsat 0 */
        TEST_CASE(20, a0, 0, csrr a0, vxsat; csrwi vcsr, 0)

        /* ---- vsetvl (V §6) ---- */
        TEST_CASE(21, a0, 5, li a1, 5; vsetvli a0, a1, e32, m2, ta, ma)  /* VLMAX 2*VLEN/32 */
        TEST_CASE(22, a0, 0xd1, csrr a0, vtype)             /* vsew 2 << 3, vlmul 1, vta, vma */
        TEST_CASE(23, a0, 5, csrr a0, vl)
        /* AVL > VLMAX: vl = VLMAX = VLEN * 2 / 64 */
        TEST_CASE(24, a0, VLENB / 4, li a1, 1000; vsetvli a0, a1, e64, m2)
        /* vsetivli: VLMAX = VLEN / 2 / 16 */
        TEST_CASE(25, a0, VLENB / 4, vsetivli a0, 31, e16, mf2)
        TEST_CASE(26, a0, 3, vsetivli a0, 3, e16, mf2)
        /* e64 with LMUL 1/2 exceeds ELEN * LMUL: vill, vl = 0 */
        TEST_CASE(27, a0, 0, li a1, 4; vsetvli a0, a1, e64, mf2)
        TEST_CASE(28, a0, VILL, csrr a0, vtype)
        /* e8, mf8: VLMAX = VLEN / 64 */
        TEST_CASE(29, a0, VLENB / 8, vsetvli a0, x0, e8, mf8)
        TEST_CASE(30, a0, 0x05, csrr a0, vtype)
        /* vsetvl: vlmul 4 reserved, vsew 4 (e128) unsupported, bit 8 reserved */
        TEST_CASE(31, a0, 0, li a2, 0x04; vsetvl a0, x0, a2)
        TEST_CASE(32, a0, VILL, csrr a0, vtype)
        TEST_CASE(33, a0, 0, li a2, 0x20; vsetvl a0, x0, a2)
        TEST_CASE(34, a0, 0, li a2, 0x118; vsetvl a0, x0, a2)
        TEST_CASE(35, a0, VLENB / 8, li a2, 0x18; vsetvl a0, x0, a2) /* e64 m1 */
        /* rs1 = rd = x0: keep vl (same SEW/LMUL ratio: e32 m1 -> e16 mf2) */
        TEST_CASE(36, a0, 3, vsetivli x0, 3, e32, m1; vsetvli x0, x0, e16, mf2; csrr a0, vl)
        TEST_CASE(37, a0, 0x0f, csrr a0, vtype)             /* vsew 1, vlmul 111 (mf2) */
        /* a vsetvl writes vstart = 0 */
        TEST_CASE(38, a0, 0, csrwi vstart, 5; vsetivli x0, 1, e8, m1; csrr a0, vstart)
        /* vstart holds VLEN - 1 at most (V §3.7) */
        TEST_CASE(39, a0, VLENB * 8 - 1, li t0, -1; csrw vstart, t0; csrr a0, vstart;
                  csrwi vstart, 0)

        /* ---- unit-stride loads/stores (V §7.4) ---- */
        FILL_DST(-1)
        TEST_CASE(40, a0, 0x0807060504030201, vsetivli t0, 8, e8, m1; la a1, src8;
                  vle8.v v1, (a1); la a2, dst; vse8.v v1, (a2); ld a0, 0(a2))
        FILL_DST(-1)
        TEST_CASE(41, a0, 0xffffffff04030201, vsetivli t0, 4, e8, m1; la a1, src8;
                  vle8.v v1, (a1); la a2, dst; vse8.v v1, (a2); ld a0, 0(a2))
        FILL_DST(-1)
        TEST_CASE(42, a0, 0xffffffff0c0b0a09, vsetivli t0, 3, e32, m1; la a1, src8;
                  vle32.v v1, (a1); la a2, dst; vse32.v v1, (a2); ld a0, 8(a2))
        TEST_CASE(43, a0, 0x100f0e0d0c0b0a09, vsetivli t0, 2, e64, m1; la a1, src8;
                  vle64.v v1, (a1); la a2, dst; vse64.v v1, (a2); ld a0, 8(a2))
        FILL_DST(-1)
        TEST_CASE(44, a0, 0xffffffff06050403, vsetivli t0, 2, e16, m1; la a1, src8 + 2;
                  vle16.v v1, (a1); la a2, dst; vse16.v v1, (a2); ld a0, 0(a2))
        /* ---- strided (V §7.5) ---- */
        FILL_DST(-1)
        TEST_CASE(45, a0, 0xffffffff0a070401, vsetivli t0, 4, e8, m1; la a1, src8; li a3, 3;
                  vlse8.v v1, (a1), a3; la a2, dst; vse8.v v1, (a2); ld a0, 0(a2))
        TEST_CASE(46, a0, 0x0102030405060708, vsetivli t0, 8, e8, m1; la a1, src8 + 7;
                  li a3, -1; vlse8.v v1, (a1), a3; la a2, dst; vse8.v v1, (a2); ld a0, 0(a2))
        FILL_DST(-1)
        /* e16 elements 0x0201, 0x0403 stored 4 bytes apart */
        TEST_CASE(47, a0, 0xffff0403ffff0201, vsetivli t0, 2, e16, m1; la a1, src8;
                  vle16.v v1, (a1); la a2, dst; li a3, 4; vsse16.v v1, (a2), a3; ld a0, 0(a2))
        /* ---- indexed (V §7.6): byte offsets {5, 0, 2, 7} ---- */
        FILL_DST(-1)
        TEST_CASE(48, a0, 0xffffffff08030106, vsetivli t0, 4, e8, m1; la a1, idx8;
                  vle8.v v2, (a1); la a1, src8; vluxei8.v v3, (a1), v2; la a2, dst;
                  vse8.v v3, (a2); ld a0, 0(a2))
        /* e32 data, 8-bit offsets {4, 0} (index EMUL 1/4) */
        TEST_CASE(49, a0, 0x0403020108070605, vsetivli t0, 2, e32, m1; la a1, idx8b;
                  vsetivli t0, 2, e8, m1; vle8.v v2, (a1); vsetivli t0, 2, e32, m1;
                  la a1, src8; vloxei8.v v3, (a1), v2; la a2, dst; vse32.v v3, (a2);
                  ld a0, 0(a2))
        /* indexed stores: v1 = {1, 2} to offsets {3, 1} */
        FILL_DST(-1)
        TEST_CASE(50, a0, 0xffffffff01ff02ff, vsetivli t0, 2, e8, m1; la a1, idx8c;
                  vle8.v v2, (a1); la a1, src8; vle8.v v1, (a1); la a2, dst;
                  vsoxei8.v v1, (a2), v2; ld a0, 0(a2))
        FILL_DST(-1)
        TEST_CASE(51, a0, 0xffffffff01ff02ff, vsetivli t0, 2, e8, m1; la a2, dst;
                  vsuxei8.v v1, (a2), v2; ld a0, 0(a2))
        /* ---- masks (V §5.3): v0 = 0b0101 ---- */
        FILL_DST(0)
        TEST_CASE(52, a0, 0xff03ff01, vsetivli t0, 4, e8, m1; li t1, 5; vmv.s.x v0, t1;
                  vmv.v.i v4, -1; la a1, src8; vle8.v v4, (a1), v0.t; la a2, dst;
                  vse8.v v4, (a2); ld a0, 0(a2))
        FILL_DST(0)
        TEST_CASE(53, a0, 0x00030001, la a1, src8; vle8.v v1, (a1); la a2, dst;
                  vse8.v v1, (a2), v0.t; ld a0, 0(a2))
        /* a masked instruction may not write v0 (V §5.3): reserved, illegal here */
        TEST_ILLEGAL(54, vle8.v v0, (a1), v0.t)
        /* ---- segments (V §7.8): vlseg2e8 de-interleaves ---- */
        FILL_DST(-1)
        TEST_CASE(55, a0, 0xffffffff07050301, vsetivli t0, 4, e8, m1; la a1, src8;
                  vlseg2e8.v v6, (a1); la a2, dst; vse8.v v6, (a2); ld a0, 0(a2))
        TEST_CASE(56, a0, 0xffffffff08060402, vse8.v v7, (a2); ld a0, 0(a2))
        /* ---- whole registers (V §7.9): ignore vl and vtype (even vill) ---- */
        FILL_DST(-1)
        TEST_CASE(57, a0, (0x0807060504030201 + (VLENB - 8) * 0x0101010101010101),
                  li a2, 0x20; vsetvl t0, x0, a2; la a1, src8; vl1re8.v v5, (a1);
                  la a2, dst; vs1r.v v5, (a2); ld a0, VLENB - 8(a2))
        TEST_CASE(58, a0, 0x100f0e0d0c0b0a09,
                  vl2re32.v v6, (a1); la a2, dst; vs2r.v v6, (a2); ld a0, 8(a2))
        TEST_CASE(59, a0, (0x0807060504030201 + (2 * VLENB - 8) * 0x0101010101010101),
                  ld a0, 2 * VLENB - 8(a2))
        TEST_CASE(60, a0, 0x0807060504030201 + (VLENB * 7) * 0x0101010101010101,
                  vl8re64.v v8, (a1); vsetivli t0, 1, e64, m1; vmv.x.s a0, v15)
        /* ... whose group must be aligned (vl2re8.v v5: illegal) */
        TEST_ILLEGAL(61, .word 0x22850287)
        /* mew = 1 is reserved */
        TEST_ILLEGAL(62, .word 0x12050087)
        /* ---- mask load/store (V §7.4): ceil(vl / 8) bytes ---- */
        FILL_DST(-1)
        TEST_CASE(63, a0, 0xffffffffffff0201, vsetivli t0, 10, e8, m1; la a1, src8;
                  vlm.v v1, (a1); la a2, dst; vsm.v v1, (a2); ld a0, 0(a2))
        /* ---- vl = 0: no element, no access (address 0 is unmapped) ---- */
        TEST_CASE(64, a0, 0x0807060504030201, vsetivli t0, 8, e8, m1; la a1, src8;
                  vle8.v v1, (a1); vsetivli t0, 0, e8, m1; li a1, 0; vle8.v v1, (a1);
                  vse8.v v1, (a1); vadd.vi v1, v1, 1; vsetivli t0, 8, e8, m1;
                  la a2, dst; vse8.v v1, (a2); ld a0, 0(a2))
        /* ---- a fault sets vstart (V §3.7, §7.7); the access restarts there ----
         * negative stride from 0x80000002: elements 0..2 are RAM, element 3
         * (0x7fffffff) has nothing: load access fault, tval = the address */
        li a1, 0x80000002; li a3, -1; li a4, 0x7fffffff
        TEST_CASE(65, a0, 3, vsetivli t0, 8, e8, m1;
                  EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a4); vlse8.v v1, (a1), a3;
                  CHECK_TRAPPED; csrr a0, vstart)
        TEST_CASE(66, a0, 3, li a4, 0x7fffffff; EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a4);
                  csrwi vstart, 0; vsse8.v v1, (a1), a3; CHECK_TRAPPED; csrr a0, vstart)
        /* restart at vstart = 2: elements 0, 1 stay, vstart reads 0 after */
        FILL_DST(-1)
        TEST_CASE(67, a0, 0xffffffff04030000, vsetivli t0, 4, e8, m1; vmv.v.i v1, 0;
                  csrwi vstart, 2; la a1, src8; vle8.v v1, (a1); la a2, dst;
                  vse8.v v1, (a2); ld a0, 0(a2))
        TEST_CASE(68, a0, 0, csrr a0, vstart)

        /* ---- fault-only-first (V §7.7) ---- */
        FILL_DST(-1)
        TEST_CASE(69, a0, 0x0807060504030201, vsetivli t0, 8, e8, m1; la a1, src8;
                  vle8ff.v v1, (a1); la a2, dst; vse8.v v1, (a2); ld a0, 0(a2))
        TEST_CASE(169, a0, 8, csrr a0, vl)
        /* element 0 faults: the trap is taken, vl stays */
        li a1, 0x7ffffffe
        TEST_CASE(170, a0, 0x7ffffffe, EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a1);
                  vle8ff.v v1, (a1); CHECK_TRAPPED; mv a0, a1)
#ifndef ISA_QEMU
        /* (QEMU 7.2 changes vl here; the spec says vl is not modified) */
        TEST_CASE(173, a0, 8, csrr a0, vl)
        /* hvsim's RAM ends at 0x90000000 (256 MiB): elements 0..2 load, vl = 3,
         * no trap; e16 segments of 2 fields at the end likewise */
        li a1, 0x8ffffffd
        TEST_CASE(171, a0, 3, vsetivli t0, 8, e8, m1; vle8ff.v v1, (a1); csrr a0, vl)
        li a1, 0x8ffffff8
        TEST_CASE(172, a0, 2, vsetivli t0, 8, e16, m1; vlseg2e16ff.v v2, (a1); csrr a0, vl)
#endif

        /* ---- integer arithmetic (V §11), e32, vl = 4 ----
         * v1 = {10, 20, -10, 0x80000000}, v2 = {3, 7, 4, -1} */
        SETUP32
        TV32(70, 0x0000001b0000000d, 0x7ffffffffffffffa, vadd.vv v3, v1, v2)
        TV32(71, 0x0000000d00000007, 0x80000001fffffff2, vsub.vv v3, v1, v2)
        TV32(72, 0x000000500000005a, 0x800000640000006e, li a1, 100; vrsub.vx v3, v1, a1)
        TV32(73, 0x0000001300000009, 0x7ffffffffffffff5, vadd.vi v3, v1, -1)
        TV32(74, 0x0000000400000002, 0x8000000000000004, vand.vv v3, v1, v2)
        TV32(75, 0x000000150000000b, 0x80000001fffffff7, li a1, 1; vor.vx v3, v1, a1)
        TV32(76, 0x000000110000000f, 0x80000005fffffff3, vxor.vi v3, v1, 5)
        /* shifts use the low log2(SEW) bits: v1[3] << 31 */
        TV32(77, 0x00000a0000000050, 0x00000000ffffff60, vsll.vv v3, v1, v2)
        TV32(78, 0x0000000a00000005, 0x400000007ffffffb, vsrl.vi v3, v1, 1)
        TV32(79, 0x0000000a00000005, 0xc0000000fffffffb, li a1, 33; vsra.vx v3, v1, a1)
        TV32(80, 0x0000000700000003, 0x8000000000000004, vminu.vv v3, v1, v2)
        TV32(81, 0x0000000700000003, 0x80000000fffffff6, vmin.vv v3, v1, v2)
        TV32(82, 0x000000140000000f, 0x80000000fffffff6, li a1, 15; vmaxu.vx v3, v1, a1)
        TV32(83, 0x000000140000000a, 0xffffffff00000004, vmax.vv v3, v1, v2)
        TV32(84, 0x0000008c0000001e, 0x80000000ffffffd8, vmul.vv v3, v1, v2)
        TV32(85, 0, 0x00000000ffffffff, vmulh.vv v3, v1, v2)
        TV32(86, 0, 0x7fffffff00000003, vmulhu.vv v3, v1, v2)
        TV32(87, 0, 0x80000000ffffffff, vmulhsu.vv v3, v1, v2)
        TV32(88, 0x0000000200000003, 0x000000003ffffffd, vdivu.vv v3, v1, v2)
        /* signed overflow: 0x80000000 / -1 = 0x80000000, remainder 0 (V §11.11) */
        TV32(89, 0x0000000200000003, 0x80000000fffffffe, vdiv.vv v3, v1, v2)
        TV32(90, 0x0000000600000001, 0x8000000000000002, vremu.vv v3, v1, v2)
        TV32(91, 0x0000000600000001, 0x00000000fffffffe, vrem.vv v3, v1, v2)
        /* division by zero: quotient all ones, remainder the dividend */
        TV32(92, -1, -1, vdivu.vx v3, v1, x0)
        TV32(93, 0x000000140000000a, 0x80000000fffffff6, vrem.vx v3, v1, x0)
        /* multiply-add (V §11.13) */
        TV32(94, 0x000000a000000028, 0x00000000ffffffce, vmv.v.v v3, v1; vmacc.vv v3, v1, v2)
        TV32(95, 0x0000002f00000017, 0xfffffffffffffff0, vmv.v.v v3, v1; li a1, 2;
             vmadd.vx v3, a1, v2)
        TV32(96, 0xffffffdfffffffef, 0xffffffff00000018, vmv.v.v v3, v2; li a1, 2;
             vnmsac.vx v3, a1, v1)
        TV32(97, 0xffffffe300000001, 0x7fffffffffffffe6, vmv.v.v v3, v2; vnmsub.vv v3, v2, v1)
        /* 64-bit elements: vmulhu/vmulh of full words */
        TEST_CASE(98, a0, 0xfffffffffffffffe, vsetivli t0, 1, e64, m1; li a1, -1;
                  vmv.v.x v3, a1; vmulhu.vx v3, v3, a1; vmv.x.s a0, v3)
        TEST_CASE(99, a0, 0, li a1, -1; vmv.v.x v3, a1; vmulh.vx v3, v3, a1; vmv.x.s a0, v3)
        TEST_CASE(100, a0, 0x8000000000000000, li a1, 1; slli a1, a1, 63; vmv.v.x v3, a1;
                  li a2, -1; vdiv.vx v3, v3, a2; vmv.x.s a0, v3)

        /* ---- masked arithmetic, merge, moves; v0 = 0b0101 ---- */
        SETUP32
        li t1, 5; vmv.s.x v0, t1
        TV32(101, 0x0000000700000014, 0xffffffffffffffec, vmv.v.v v3, v2; vadd.vv v3, v1, v1, v0.t)
        TV32(102, 0x000000070000000a, 0xfffffffffffffff6, vmerge.vvm v3, v2, v1, v0)
        TV32(103, 0x0000000700000009, 0xffffffff00000009, vmerge.vim v3, v2, 9, v0)
        TV32(104, 0x0000005500000055, 0x0000005500000055, li a1, 0x55; vmv.v.x v3, a1)
        TV32(105, 0xfffffffdfffffffd, 0xfffffffdfffffffd, vmv.v.i v3, -3)
        TV32(106, 0x0000000700001234, 0xffffffff00000004, vmv.v.v v3, v2; li a1, 0x1234;
             vmv.s.x v3, a1)
        TV32(107, 0x0000000100000000, 0x0000000300000002, vid.v v3)
        TV32(108, 0x0000000700000000, 0xffffffff00000002, vmv.v.v v3, v2; vid.v v3, v0.t)
        TEST_CASE(109, a0, 10, vmv.x.s a0, v1)
        TEST_CASE(110, a0, -10, vslidedown.vi v3, v1, 2; vmv.x.s a0, v3)   /* sign-extended */
        TV32(111, 0x000000140000000a, 0x80000000fffffff6, vmv1r.v v3, v1)
        TEST_ILLEGAL(112, vadd.vv v0, v1, v2, v0.t)
        /* vill: arithmetic is illegal (V §3.4.4) */
        li a2, 0x04; vsetvl t0, x0, a2
        TEST_ILLEGAL(113, vadd.vv v3, v1, v2)
        /* e32, m2: groups must be even (vadd.vv v1, v2, v4: V §3.4.2) */
        vsetivli t0, 4, e32, m2
        TEST_ILLEGAL(114, .word 0x022200d7)
        SETUP32

        /* ---- compares (V §11.8) into v4 ---- */
        TM(115, 0x1, vmseq.vi v4, v1, 10)
        TM(116, 0xf, vmsne.vv v4, v1, v2)
        TM(117, 0x8, vmsltu.vv v4, v1, v2)
        TM(118, 0xc, vmslt.vv v4, v1, v2)
        TM(119, 0xc, vmsle.vi v4, v1, -10)
        TM(120, 0xf, vmsleu.vi v4, v1, -10)  /* -10 as 0xfffffff6, unsigned */
        TM(121, 0xe, li a1, 15; vmsgtu.vx v4, v1, a1)
        TM(122, 0x2, vmsgt.vi v4, v1, 15)
        /* masked compare: inactive bits 1 and 3 keep 1 and 0 (mu) */
        TM(123, 0x2, li a1, 20; vmsltu.vx v4, v2, a1; vmsne.vv v4, v1, v1, v0.t)
        /* ---- add/subtract with carry (V §11.4), v0 = 0b0101 carry/borrow in ---- */
        TV32(180, 0x0000001b0000000e, 0x7ffffffffffffffb, vadc.vvm v3, v1, v2, v0)
        TM(181, 0x8, vmadc.vv v4, v1, v2)
        TM(182, 0xf, vmadc.vim v4, v2, -4, v0)   /* e0: 3 + 0xfffffffc + 1 carries */
        TV32(183, 0x0000000d00000006, 0x80000001fffffff1, vsbc.vvm v3, v1, v2, v0)
        TM(184, 0x7, vmsbc.vv v4, v2, v1)
        TM(185, 0x5, vmsbc.vvm v4, v1, v1, v0)
        /* ---- vzext/vsext (V §11.3): v5 = e16 {1, 0x8000, 0xfffe, 0x7fff} ---- */
        vsetivli t0, 4, e16, m1, tu, mu; la a1, h16; vle16.v v5, (a1)
        vsetivli t0, 4, e32, m1, tu, mu
        TV32(186, 0xffff800000000001, 0x00007ffffffffffe, vsext.vf2 v3, v5)
        TV32(187, 0x0000800000000001, 0x00007fff0000fffe, vzext.vf2 v3, v5)
        TV32(188, 0x0000000000000001, 0xffffff8000000000, vsext.vf4 v3, v5) /* bytes 01 00 00 80 */
        TEST_ILLEGAL(189, vsext.vf8 v3, v5)      /* SEW/8 < 8 */
        /* ---- widening and narrowing (V §11.2, §11.7, §11.12, §11.14, §14.2),
         * e16, vl = 4: v5 = {1, 0x8000, 0xfffe, 0x7fff}, v6 = {3, 2, 0xffff,
         * 0x7fff}; wide results (e32) in v8 */
        vsetivli t0, 4, e16, m1, tu, mu; la a1, h16b; vle16.v v6, (a1)
        TW(200, 0x0000800200000004, 0x0000fffe0001fffd, vwaddu.vv v8, v5, v6)
        TW(201, 0xffff800200000004, 0x0000fffefffffffd, vwadd.vv v8, v5, v6)
        TW(202, 0xffff7fff00000000, 0x00007ffefffffffd, li a1, 1; vwsub.vx v8, v5, a1)
        TW(203, 0xffff000000000003, 0x3fff000100000002, vwmul.vv v8, v5, v6)
        TW(204, 0xffff000000000003, 0x3fff0001fffe0002, vwmulsu.vv v8, v5, v6)
        TW(205, 0x0000800400000007, 0x00017ffd0001fffc, vwaddu.vv v8, v5, v6; vwadd.wv v8, v8, v6)
        TW(206, 0xffff800200000006, 0x0001fffc0001fff9, vwaddu.vv v8, v5, v6; li a1, 2;
           vwmacc.vx v8, a1, v5)
        TW(207, 0x0001000000000003, 0x3fff0001fffd0002, vwmulu.vv v8, v5, v6)
        TEST_CASE(208, a0, 0x03ff0fff00000000, vnsrl.wi v3, v8, 20; la a2, dst; vse16.v v3, (a2);
                  ld a0, 0(a2))
        TEST_CASE(209, a0, 0x03ffffff00000000, li a1, 20; vnsra.wx v3, v8, a1; vse16.v v3, (a2);
                  ld a0, 0(a2))
        TEST_CASE(210, a0, 1, vwredsum.vs v4, v5, v8; vsetivli t0, 1, e32, m1; vmv.x.s a0, v4)
        TEST_CASE(211, a0, 0x20001, vsetivli t0, 4, e16, m1, tu, mu; vwredsumu.vs v4, v5, v8;
                  vsetivli t0, 1, e32, m1; vmv.x.s a0, v4)
        vsetivli t0, 4, e64, m1
        TEST_ILLEGAL(212, vwadd.vv v8, v5, v6)   /* 2 x SEW > ELEN */
        vsetivli t0, 4, e16, m1
        TEST_ILLEGAL(213, vwadd.vv v9, v5, v6)   /* wide group not aligned */
        /* ---- fixed point (V §12), vxrm 0 = rnu unless said ----
         * narrowing clips of v8 = e32 {3, 0x10000, 0xfffd0002, 0x3fff0001} */
        csrwi vxrm, 0; csrwi vxsat, 0; la a2, dst
        TEST_CASE(214, a0, 0xffffffffffff0003, vnclipu.wi v3, v8, 0; vse16.v v3, (a2); ld a0, 0(a2))
        TEST_CASE(215, a0, 1, csrr a0, vxsat)
        TEST_CASE(216, a0, 0x3ffffffd00010000, csrwi vxsat, 0; vnclip.wi v3, v8, 16;
                  vse16.v v3, (a2); ld a0, 0(a2))
        TEST_CASE(217, a0, 0, csrr a0, vxsat)
        TEST_CASE(218, a0, 0x7ffffd0001000000, li a1, 8; vnclip.wx v3, v8, a1; vse16.v v3, (a2);
                  ld a0, 0(a2))
        TEST_CASE(219, a0, 1, csrr a0, vxsat)
        vsetivli t0, 4, e32, m1, tu, mu
        csrwi vxsat, 0
        TV32(220, 0x0000001b0000000d, 0xfffffffffffffffa, vsaddu.vv v3, v1, v2)
        TEST_CASE(221, a0, 1, csrr a0, vxsat)
        TV32(222, 0x0000001b0000000d, 0x80000000fffffffa, vsadd.vv v3, v1, v2)
        TV32(223, 0, 0x7fffffff00000000, vssubu.vv v3, v2, v1)
        TV32(224, 0x0000001300000009, 0x80000000fffffff5, li a1, 1; vssub.vx v3, v1, a1)
        /* averaging add/sub in the four rounding modes */
        TV32(225, 0x0000000e00000007, 0xc0000000fffffffd, csrwi vxrm, 0; vaadd.vv v3, v1, v2)
        TV32(226, 0x0000000e00000006, 0xc0000000fffffffd, csrwi vxrm, 1; vaadd.vv v3, v1, v2)
        TV32(227, 0x0000000d00000006, 0xbffffffffffffffd, csrwi vxrm, 2; vaadd.vv v3, v1, v2)
        TV32(228, 0x0000000d00000007, 0xbffffffffffffffd, csrwi vxrm, 3; vaadd.vv v3, v1, v2)
        csrwi vxrm, 0
        TV32(229, 0x0000000e00000007, 0xc00000007ffffffd, vaaddu.vv v3, v1, v2)
        TV32(230, 0x0000000700000004, 0xc00000017ffffff9, vasubu.vv v3, v1, v2)
        /* vsmul: Q31 x 0.5; MIN x MIN saturates */
        TV32(231, 0x0000000a00000005, 0xc0000000fffffffb, li a1, 0x40000000; vsmul.vx v3, v1, a1)
        TV32(232, 0, 0x7fffffff00000000, csrwi vxsat, 0; vsmul.vv v3, v1, v1)
        TEST_CASE(233, a0, 1, csrr a0, vxsat)
        TV32(234, 0x0000000500000003, 0x200000003ffffffe, vssrl.vi v3, v1, 2)
        TV32(235, 0x0000000500000003, 0xe0000000fffffffe, vssra.vi v3, v1, 2)
        csrwi vxsat, 0

        /* ---- vcompress (V §16.5): mask 0b1010 picks {20, 0x80000000} ---- */
        li t1, 0xa; vmv.s.x v6, t1
        TV32(190, 0x8000000000000014, 0xffffffff00000004, vmv.v.v v3, v2; vcompress.vm v3, v1, v6)

        /* ---- reductions (V §14.1): vd[0] = vs1[0] op vs2[*] ---- */
        TEST_CASE(124, a0, 0xffffffff80000017, vredsum.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(125, a0, -10, vredmaxu.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(126, a0, 20, vredmax.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(127, a0, 0xffffffff80000000, vredmin.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(128, a0, 3, vredminu.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(129, a0, 0, vredand.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(130, a0, -1, vredor.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(131, a0, 0x7fffffeb, vredxor.vs v3, v1, v2; vmv.x.s a0, v3)
        TEST_CASE(132, a0, 3, vredsum.vs v3, v1, v2, v0.t; vmv.x.s a0, v3)  /* 3 + 10 - 10 */
        TEST_CASE(133, a0, 3, vmv.v.v v3, v2; vsetivli t0, 0, e32, m1; vredsum.vs v3, v1, v1;
                  vsetivli t0, 4, e32, m1; vmv.x.s a0, v3)  /* vl = 0: vd unchanged */
        csrwi vstart, 1
        TEST_ILLEGAL(134, vredsum.vs v3, v1, v2)
        csrwi vstart, 0
        /* ---- slides and gathers (V §16.3, §16.4) ---- */
        TV32(135, 0x0000000a00000003, 0xfffffff600000014, vmv.v.v v3, v2; vslideup.vi v3, v1, 1)
        TV32(136, 0x0000000700000003, 0xffffffff00000004, vmv.v.v v3, v2; li a1, 5;
             vslideup.vx v3, v1, a1)
        TV32(137, 0xfffffff600000014, 0x0000000080000000, vslidedown.vi v3, v1, 1)
        TV32(138, 0, 0, li a1, 1; slli a1, a1, 40; vslidedown.vx v3, v1, a1)
        TV32(139, 0x0000000a00000077, 0xfffffff600000014, li a1, 0x77; vslide1up.vx v3, v1, a1)
        TV32(140, 0xfffffff600000014, 0x0000007780000000, li a1, 0x77; vslide1down.vx v3, v1, a1)
        TV32(141, 0x0000000afffffff6, 0x0000000000000014, la a1, idx32; vle32.v v5, (a1);
             vrgather.vv v3, v1, v5)
        TV32(142, 0x8000000080000000, 0x8000000080000000, vrgather.vi v3, v1, 3)
        TV32(143, 0x0000001400000014, 0x0000001400000014, li a1, 1; vrgather.vx v3, v1, a1)
        TV32(144, 0x0000000700000003, 0xffffffff00000014, vmv.v.v v3, v2; vslideup.vi v3, v1, 1, v0.t)
        TEST_ILLEGAL(145, vslideup.vi v1, v1, 1)             /* vd overlaps vs2 */
        /* ---- mask logicals, vcpop, vfirst (V §15), e8, vl = 8 ----
         * v5 = 0b11001010, v6 = 0b10100110 */
        vsetivli t0, 8, e8, m1
        la a1, mask_a; vlm.v v5, (a1); la a1, mask_b; vlm.v v6, (a1)
        TM(146, 0x82, vmand.mm v4, v5, v6)
        TM(147, 0xee, vmor.mm v4, v5, v6)
        TM(148, 0x6c, vmxor.mm v4, v5, v6)
        TM(149, 0x48, vmandn.mm v4, v5, v6)
        TM(150, 0xdb, vmorn.mm v4, v5, v6)
        TM(151, 0x7d, vmnand.mm v4, v5, v6)
        TM(152, 0x11, vmnor.mm v4, v5, v6)
        TM(153, 0x93, vmxnor.mm v4, v5, v6)
        TEST_CASE(154, a0, 4, vcpop.m a0, v5)
        TEST_CASE(155, a0, 1, vfirst.m a0, v5)
        TEST_CASE(156, a0, -1, vmxor.mm v7, v5, v5; vfirst.m a0, v7)
        TEST_CASE(157, a0, 2, li t1, 0x0f; vmv.s.x v0, t1; vcpop.m a0, v5, v0.t)
        TEST_CASE(158, a0, 2, vsetivli t0, 4, e8, m1; vcpop.m a0, v5)
        /* ---- viota, vmsbf/vmsif/vmsof (V §15.4-§15.8): the spec's examples ---- */
        vsetivli t0, 8, e8, m1, tu, mu
        la a2, dst
        TEST_CASE(191, a0, 0x0202020101010100, li t1, 0x91; vmv.s.x v2, t1; viota.m v4, v2;
                  vse8.v v4, (a2); ld a0, 0(a2))
        TEST_CASE(192, a0, 0x0101010501070100, li t1, 0xeb; vmv.s.x v0, t1; la a1, pre8;
                  vle8.v v4, (a1); viota.m v4, v2, v0.t; vse8.v v4, (a2); ld a0, 0(a2))
        li t1, 0x94; vmv.s.x v3, t1
        TM(193, 0x03, vmsbf.m v4, v3)
        TM(194, 0x07, vmsif.m v4, v3)
        TM(195, 0x04, vmsof.m v4, v3)
        li t1, 0xc3; vmv.s.x v0, t1; li t1, 0xd4; vmv.s.x v3, t1
        TM(196, 0x7c, li t1, -1; vmv.s.x v4, t1; vmsof.m v4, v3, v0.t)
        TM(197, 0x3f, li t1, -1; vmv.s.x v4, t1; vmsbf.m v4, v3, v0.t)
        TEST_ILLEGAL(198, vmsbf.m v3, v3)        /* vd overlaps vs2 */
        vsetivli t0, 4, e8, m1
#ifndef ISA_QEMU
        /* mask tails are undisturbed in hvsim (agnostic allows it) */
        TEST_CASE(159, a0, 0xf2, la a1, ones; vlm.v v7, (a1); vmand.mm v7, v5, v6;
                  la t0, dst; vsetivli t1, 8, e8, m1; vsm.v v7, (t0); lbu a0, 0(t0))
        /* rs1 = rd = x0 with a new VLMAX: reserved; vill here */
        TEST_CASE(160, a0, VILL, vsetivli t0, 3, e32, m1; vsetvli x0, x0, e16, m1; csrr a0, vtype)
#endif
        /* vector floating point: vf.S */
#endif /* EXT_OFF */
        PASS
TEST_END

        .data
        .align 6
src8:
        .set i, 1
        .rept 8 * VLENB
        .byte i & 0xff
        .set i, i + 1
        .endr
        .align 6
dst:    .zero 64
        .zero 8 * VLENB
idx8:   .byte 5, 0, 2, 7
idx8b:  .byte 4, 0
idx8c:  .byte 3, 1
mask_a: .byte 0xca
mask_b: .byte 0xa6
ones:   .byte 0xff
        .align 3
w32a:   .word 10, 20, 0xfffffff6, 0x80000000
w32b:   .word 3, 7, 4, 0xffffffff
idx32:  .word 2, 0, 1, 100
h16:    .half 1, 0x8000, 0xfffe, 0x7fff
h16b:   .half 3, 2, 0xffff, 0x7fff
pre8:   .byte 9, 8, 7, 6, 5, 4, 3, 2
