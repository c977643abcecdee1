/* h_hlv.S — hypervisor virtual-machine loads and stores (H extension 1.0,
 * privileged spec 20211203 §8.3.2) through a two-stage map.
 *
 * HLV.B/BU/H/HU/W/WU/D, HLVX.HU/WU and HSV.B/H/W/D execute in M, HS and U
 * (hstatus.HU) with V=0 and access memory as though V=1: VS-stage
 * translation under vsatp (Sv39) and G-stage translation under hgatp
 * (Sv39x4, §8.5), at the privilege in hstatus.SPVP (VS when 1, VU when 0).
 * vsstatus.SUM/MXR apply (HS-level SUM does not), HS-level MXR applies to
 * both stages. HLVX needs execute instead of read permission at both stages
 * and raises load exceptions. Faults: VS-stage ones are page faults 13/15,
 * G-stage ones guest-page faults 21/23 with mtval2/htval = GPA >> 2
 * (§8.2.7, §8.4.4); the trap writes mstatus.GVA / hstatus.GVA = 1 (the tval
 * is a guest virtual address) while MPV/SPV stay 0 (§8.2.1, §8.4.1);
 * mtinst/htinst hold the transformed instruction (rs1 = Addr. Offset = 0)
 * or, for a fault on a VS-stage PTE, the pseudoinstruction 0x3000 (§8.6.3).
 * HLV/HSV in U-mode need hstatus.HU, HFENCE is never allowed there.
 *
 * Guest-physical space (G stage):
 *   GPA 0x80000000-0xbfffffff   identity GiB (U RWX): RAM, incl. the VS tables
 *   GPA_DATA  0x100000000       -> pg_data (U RW)
 *   GPA_XONLY 0x100001000       -> pg_x (U X, execute-only)
 *   GPA_HOLE  0x100002000       not mapped
 * Guest-virtual space (VS stage, tables at GPA = PA):
 *   GVA_S    0x40000000  R W      -> GPA_DATA
 *   GVA_U    0x40001000  U R W    -> GPA_DATA (same page)
 *   GVA_VX   0x40002000  X        -> pg_x (identity GPA)
 *   GVA_GX   0x40003000  R X      -> GPA_XONLY
 *   GVA_HOLE 0x40004000  R W      -> GPA_HOLE
 *   GVA_NONE 0x40005000  invalid
 *   GVA_PT   0x40200000  level-1 PTE points to GPA_PTHOLE (unmapped)
 */
#include "test_macros.h"
        .option arch, +h

#define HSTATUS_GVA  (1 << 6)
#define HSTATUS_SPV  (1 << 7)
#define HSTATUS_SPVP (1 << 8)
#define HSTATUS_HU   (1 << 9)
#define MSTATUS_GVA_BIT 38
#define MODE_SV39    (8 << 60)           /* vsatp Sv39, hgatp Sv39x4 */

#define CAUSE_LOAD_GPF  21
#define CAUSE_STORE_GPF 23

#define GPA_DATA   0x100000000
#define GPA_XONLY  0x100001000
#define GPA_HOLE   0x100002000
#define GPA_PTHOLE 0x100003000
#define GVA_S      0x40000000
#define GVA_U      0x40001000
#define GVA_VX     0x40002000
#define GVA_GX     0x40003000
#define GVA_HOLE   0x40004000
#define GVA_NONE   0x40005000
#define GVA_PT     0x40203000

#define G_LEAF  (PTE_V | PTE_U | PTE_A)
#define VS_RW   (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

/* QEMU 7.2 deviations (README.md): its validation build fences after
 * changes of hstatus.SPVP and vsstatus.SUM/MXR (not needed by the spec),
 * expects load access faults (5) for VS-stage faults of HLV, a load
 * guest-page fault for HSV whose VS-stage PTE read faults, mtval = 0 for an
 * HLV that is illegal in U-mode, no mstatus.GVA for HLV faults taken in M,
 * and skips the vsstatus.SUM (15, 16), HLVX, MXR and mtinst/htinst checks. */
#ifdef ISA_QEMU
#define QEMU_FENCE hfence.vvma; hfence.gvma
#define HLV_PF CAUSE_LOAD_ACCESS
#define HSV_PT_GPF CAUSE_LOAD_GPF
#else
#define QEMU_FENCE
#define HLV_PF CAUSE_LOAD_PAGE_FAULT
#define HSV_PT_GPF CAUSE_STORE_GPF
#endif

/* Fail unless CSR csr == val (uses a5) */
#define CHECK_CSR(csr, val) csrr a5, csr; CHECK_EQ(a5, val)
/* Fail unless mstatus.GVA/MPV at the last M trap were gva/mpv (uses a5) */
#ifdef ISA_QEMU
#define CHECK_GVA_MPV(gva, mpv)                                         \
        LOAD_TRAP_FIELD(a5, TF_STATUS);                                 \
        srli a5, a5, MSTATUS_GVA_BIT + 1; andi a5, a5, 1;               \
        CHECK_EQ(a5, (mpv))
#else
#define CHECK_GVA_MPV(gva, mpv)                                         \
        LOAD_TRAP_FIELD(a5, TF_STATUS);                                 \
        srli a5, a5, MSTATUS_GVA_BIT; andi a5, a5, 3;                   \
        CHECK_EQ(a5, (gva) | ((mpv) << 1))
#endif
/* reg = the instruction at label with rs1 (bits 19:15) cleared: the
 * transformed instruction of an access with Addr. Offset 0 (uses t6) */
#define TRANSFORMED(reg, label)                                         \
        la reg, label; lwu reg, 0(reg);                                 \
        li t6, ~(0x1f << 15); and reg, reg, t6

TEST_BEGIN
        /* ---- tables (M-mode, physical) ---- */
        PT_SET_ABS(g_root, 2, 0x80000000, G_LEAF | PTE_RWX | PTE_D)
        PT_LINK(g_root, 4, g_l1)
        PT_LINK(g_l1, 0, g_l0)
        PT_SET(g_l0, 0, pg_data, G_LEAF | PTE_R | PTE_W | PTE_D)
        PT_SET(g_l0, 1, pg_x, G_LEAF | PTE_X)
        PT_SET_ABS(vs_root, 2, 0x80000000, PTE_V | PTE_RWX | PTE_A | PTE_D)
        PT_LINK(vs_root, 1, vs_l1)
        PT_LINK(vs_l1, 0, vs_l0)
        PT_SET_ABS(vs_l1, 1, GPA_PTHOLE, PTE_V)
        PT_SET_ABS(vs_l0, 0, GPA_DATA, VS_RW)
        PT_SET_ABS(vs_l0, 1, GPA_DATA, VS_RW | PTE_U)
        PT_SET(vs_l0, 2, pg_x, PTE_V | PTE_X | PTE_A)
        PT_SET_ABS(vs_l0, 3, GPA_XONLY, PTE_V | PTE_R | PTE_X | PTE_A)
        PT_SET_ABS(vs_l0, 4, GPA_HOLE, VS_RW)
        la t0, g_root; srli t0, t0, 12; li t1, MODE_SV39; or t0, t0, t1
        csrw hgatp, t0
        la t0, vs_root; srli t0, t0, 12; li t1, MODE_SV39; or t0, t0, t1
        csrw vsatp, t0
        hfence.gvma
        hfence.vvma
        li t0, HSTATUS_SPVP
        csrw hstatus, t0
        csrwi vsstatus, 0
        la t0, pg_data; li t1, 0xf1f2f3f4f5f6f7f8; sd t1, 0(t0)
        la t0, pg_x; li t1, 0x123456789abcdef0; sd t1, 0(t0)

        /* ---- every load width, as VS (SPVP = 1), from M-mode ---- */
        TEST_CASE(2, a0, 0xfffffffffffffff8, li a1, GVA_S; hlv.b a0, (a1))
        TEST_CASE(3, a0, 0xf8, li a1, GVA_S; hlv.bu a0, (a1))
        TEST_CASE(4, a0, 0xfffffffffffff7f8, li a1, GVA_S; hlv.h a0, (a1))
        TEST_CASE(5, a0, 0xf7f8, li a1, GVA_S; hlv.hu a0, (a1))
        TEST_CASE(6, a0, 0xfffffffff5f6f7f8, li a1, GVA_S; hlv.w a0, (a1))
        TEST_CASE(7, a0, 0xf5f6f7f8, li a1, GVA_S; hlv.wu a0, (a1))
        TEST_CASE(8, a0, 0xf1f2f3f4f5f6f7f8, li a1, GVA_S; hlv.d a0, (a1))
        TEST_CASE(9, a0, 0xfffffffff1f2f3f4, li a1, GVA_S + 4; hlv.w a0, (a1))
        TEST_CASE(10, a0, 0xfffffffffffff3f4, li a1, GVA_S + 4; hlv.h a0, (a1))

        /* ---- stores land in the page the G stage names ---- */
        TEST_CASE(11, a0, 0x3333333322220011,
                  li a2, 0x1111111111111111; li a1, GVA_S + 0x10; hsv.b a2, (a1);
                  li a2, 0x2222222222222222; li a1, GVA_S + 0x12; hsv.h a2, (a1);
                  li a2, 0x3333333333333333; li a1, GVA_S + 0x14; hsv.w a2, (a1);
                  la a3, pg_data; ld a0, 0x10(a3))
        TEST_CASE(12, a0, 0x0123456789abcdef,
                  li a2, 0x0123456789abcdef; li a1, GVA_S + 0x18; hsv.d a2, (a1);
                  la a3, pg_data; ld a0, 0x18(a3))

        /* ---- SPVP selects VU / VS; vsstatus.SUM ---- */
        TEST_CASE(13, a0, 0x0123456789abcdef,
                  li t0, HSTATUS_SPVP; csrc hstatus, t0; QEMU_FENCE; li a1, GVA_U + 0x18; hlv.d a0, (a1))
        TEST_TRAP_TVAL(14, HLV_PF, GVA_S + 8, li a1, GVA_S + 8; hlv.d a0, (a1))
        CHECK_GVA_MPV(1, 0)
        CHECK_CSR(mtval2, 0)
        li t0, HSTATUS_SPVP
        csrs hstatus, t0
        QEMU_FENCE
#ifndef ISA_QEMU
        TEST_TRAP_TVAL(15, HLV_PF, GVA_U, li a1, GVA_U; hlv.d a0, (a1))
        /* mstatus.SUM (HS level) does not apply */
        li t0, MSTATUS_SUM
        csrs mstatus, t0
        TEST_TRAP_TVAL(16, HLV_PF, GVA_U, li a1, GVA_U; hlv.d a0, (a1))
        li t0, MSTATUS_SUM
        csrc mstatus, t0
#endif
        TEST_CASE(17, a0, 0xf1f2f3f4f5f6f7f8,
                  li t0, SSTATUS_SUM; csrs vsstatus, t0; QEMU_FENCE; li a1, GVA_U; hlv.d a0, (a1))
        csrwi vsstatus, 0
        QEMU_FENCE

        /* ---- HLVX: execute permission instead of read, at both stages ---- */
#ifndef ISA_QEMU
        TEST_CASE(18, a0, 0x9abcdef0, li a1, GVA_VX; hlvx.wu a0, (a1))
        TEST_CASE(19, a0, 0xdef0, li a1, GVA_VX; hlvx.hu a0, (a1))
        TEST_CASE(20, a0, 0x12345678, li a1, GVA_GX + 4; hlvx.wu a0, (a1))
        TEST_CASE(21, a0, 0x1234, li a1, GVA_GX + 6; hlvx.hu a0, (a1))
#endif
        /* plain HLV on the same pages: VS-stage page fault, G-stage guest-page fault */
        TEST_TRAP_TVAL(22, HLV_PF, GVA_VX, li a1, GVA_VX; hlv.w a0, (a1))
        CHECK_CSR(mtval2, 0)
        TEST_TRAP_TVAL(23, CAUSE_LOAD_GPF, GVA_GX + 4, li a1, GVA_GX + 4; hlv.w a0, (a1))
        CHECK_CSR(mtval2, (GPA_XONLY + 4) >> 2)
        CHECK_GVA_MPV(1, 0)
#ifndef ISA_QEMU
        /* HLVX on a readable but not executable VS page: a load page fault */
        TEST_TRAP_TVAL(24, CAUSE_LOAD_PAGE_FAULT, GVA_S, li a1, GVA_S; hlvx.wu a0, (a1))

        /* ---- MXR: vsstatus.MXR for the VS stage only, mstatus.MXR for both ---- */
        TEST_CASE(25, a0, 0xffffffff9abcdef0,
                  li t0, SSTATUS_MXR; csrs vsstatus, t0; QEMU_FENCE; li a1, GVA_VX; hlv.w a0, (a1))
        TEST_TRAP_TVAL(26, CAUSE_LOAD_GPF, GVA_GX, li a1, GVA_GX; hlv.w a0, (a1))
        csrwi vsstatus, 0
        li t0, MSTATUS_MXR
        csrs mstatus, t0
        QEMU_FENCE
        TEST_CASE(27, a0, 0x9abcdef0, li a1, GVA_GX; hlv.wu a0, (a1))
        TEST_CASE(28, a0, 0x9abcdef0, li a1, GVA_VX; hlv.wu a0, (a1))
        li t0, MSTATUS_MXR
        csrc mstatus, t0
        QEMU_FENCE
#endif

        /* ---- guest-page faults: mtval = GVA, mtval2 = GPA >> 2, mtinst ---- */
test_29:
        TEST_NUM(29)
        li a1, GVA_HOLE + 8
        EXPECT_TRAP_TVAL(CAUSE_LOAD_GPF, GVA_HOLE + 8)
8901:   hlv.d a0, (a1)
        CHECK_TRAPPED
        CHECK_CSR(mtval2, (GPA_HOLE + 8) >> 2)
        CHECK_GVA_MPV(1, 0)
#ifndef ISA_QEMU
        TRANSFORMED(a4, 8901b)
        csrr a5, mtinst
        CHECK_REG_EQ(a4, a5)
#endif
test_30:
        TEST_NUM(30)
        li a1, GVA_HOLE + 0x20
        li a2, 0x5a5a
        EXPECT_TRAP_TVAL(CAUSE_STORE_GPF, GVA_HOLE + 0x20)
8902:   hsv.w a2, (a1)
        CHECK_TRAPPED
        CHECK_CSR(mtval2, (GPA_HOLE + 0x20) >> 2)
#ifndef ISA_QEMU
        TRANSFORMED(a4, 8902b)
        csrr a5, mtinst
        CHECK_REG_EQ(a4, a5)
#endif
        /* VS stage invalid: a page fault, no GPA */
        TEST_TRAP_TVAL(31, HLV_PF, GVA_NONE + 0x30, li a1, GVA_NONE + 0x30; hlv.d a0, (a1))
        CHECK_CSR(mtval2, 0)
        /* a VS-stage PTE at an unmapped GPA: htval = the PTE's GPA, 0x3000 */
        TEST_TRAP_TVAL(32, CAUSE_LOAD_GPF, GVA_PT, li a1, GVA_PT; hlv.d a0, (a1))
        CHECK_CSR(mtval2, (GPA_PTHOLE + 3 * 8) >> 2)
#ifndef ISA_QEMU
        CHECK_CSR(mtinst, 0x3000)
#endif
        TEST_TRAP_TVAL(33, HSV_PT_GPF, GVA_PT, li a1, GVA_PT; hsv.d a1, (a1))
        CHECK_CSR(mtval2, (GPA_PTHOLE + 3 * 8) >> 2)
        /* vsatp bare: GVA = GPA */
        csrr s1, vsatp
        csrwi vsatp, 0
        hfence.vvma
        TEST_CASE(34, a0, 0x0123456789abcdef, li a1, GPA_DATA + 0x18; hlv.d a0, (a1))
        TEST_TRAP_TVAL(35, CAUSE_LOAD_GPF, GPA_HOLE + 0x10, li a1, GPA_HOLE + 0x10; hlv.d a0, (a1))
        CHECK_CSR(mtval2, (GPA_HOLE + 0x10) >> 2)
        csrw vsatp, s1
        hfence.vvma

        /* ---- from HS-mode: faults delegated there write htval/hstatus.GVA ---- */
        li t0, (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT) | (1 << CAUSE_LOAD_GPF) | (1 << CAUSE_STORE_GPF)
        csrw medeleg, t0
        ENTER_S
        TEST_CASE(36, a0, 0xf1f2f3f4f5f6f7f8, li a1, GVA_S; hlv.d a0, (a1))
test_37:
        TEST_NUM(37)
        li a1, GVA_HOLE + 8
        EXPECT_TRAP_S_TVAL(CAUSE_LOAD_GPF, GVA_HOLE + 8)
8903:   hlv.d a0, (a1)
        CHECK_TRAPPED
        CHECK_CSR(htval, (GPA_HOLE + 8) >> 2)
        csrr a5, hstatus
        andi a5, a5, HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP
        CHECK_EQ(a5, HSTATUS_GVA | HSTATUS_SPVP)
#ifndef ISA_QEMU
        TRANSFORMED(a4, 8903b)
        csrr a5, htinst
        CHECK_REG_EQ(a4, a5)
#endif
test_38:
        TEST_NUM(38)
        li a1, GVA_HOLE
        EXPECT_TRAP_S_TVAL(CAUSE_STORE_GPF, GVA_HOLE)
        hsv.d a1, (a1)
        CHECK_TRAPPED
        CHECK_CSR(htval, GPA_HOLE >> 2)
#ifndef ISA_QEMU
test_39:
        TEST_NUM(39)
        li a1, GVA_NONE
        EXPECT_TRAP_S_TVAL(CAUSE_LOAD_PAGE_FAULT, GVA_NONE)
        hlv.w a0, (a1)
        CHECK_TRAPPED
        CHECK_CSR(htval, 0)
        csrr a5, hstatus
        andi a5, a5, HSTATUS_GVA
        CHECK_EQ(a5, HSTATUS_GVA)
#endif
        GOTO_M
        csrwi medeleg, 0

        /* ---- U-mode: HU = 0 illegal, HU = 1 allowed (HFENCE never) ---- */
test_40:
        TEST_NUM(40)
        li a1, GVA_S
#ifdef ISA_QEMU
        EXPECT_TRAP(CAUSE_ILLEGAL_INSTRUCTION)
#else
        la t0, 8904f; lwu t1, 0(t0)
        EXPECT_TRAP_TVAL_REG(CAUSE_ILLEGAL_INSTRUCTION, t1)
#endif
        ENTER_U
8904:   hlv.d a0, (a1)
        GOTO_M
        CHECK_TRAPPED
test_41:
        TEST_NUM(41)
        li t0, HSTATUS_HU
        csrs hstatus, t0
        li a1, GVA_S + 0x20
        li a2, 0x4855
        li a0, 0
        ENTER_U
        hsv.h a2, (a1)
        hlv.hu a0, (a1)
        GOTO_M
        CHECK_EQ(a0, 0x4855)
        la a3, pg_data
        lhu a0, 0x20(a3)
        CHECK_EQ(a0, 0x4855)
test_42:
        TEST_NUM(42)
        la t0, 8905f; lwu t1, 0(t0)
        EXPECT_TRAP_TVAL_REG(CAUSE_ILLEGAL_INSTRUCTION, t1)
        ENTER_U
8905:   hfence.vvma
        GOTO_M
        CHECK_TRAPPED
        csrwi hstatus, 0
TEST_END

        .bss
        .balign 16384
g_root:  .skip 16384
g_l1:    .skip 4096
g_l0:    .skip 4096
vs_root: .skip 4096
vs_l1:   .skip 4096
vs_l0:   .skip 4096
pg_data: .skip 4096
pg_x:    .skip 4096
