/* vm_sv39.S — Sv39 virtual memory from S-mode (and U-mode, and M with MPRV).
 *
 * Privileged spec 1.12 §4.3.2 (address translation algorithm), §4.4 (Sv39:
 * 3 levels, 39-bit VAs sign-extended from bit 38), §4.3.1 (PTE bits; W
 * without R is reserved; a superpage whose low PPN fields are not zero is
 * misaligned and faults), §4.1.1 SUM / MXR, §3.1.6.3 MPRV, §4.3.1 A/D
 * updates (hvsim updates A and D in hardware — Svadu behaviour), §4.2.1
 * SFENCE.VMA.  Page faults: fetch 12, load 13, store/AMO 15, with
 * mtval/stval = the faulting virtual address (§3.1.16).
 *
 * Address space:
 *   VA 0x00000000-0x3fffffff   identity gigapage (devices)
 *   VA 0x80000000-0x801fffff   identity 4 KiB pages (this program); the
 *                              page user_page is also U-accessible
 *   VA 0x80200000-0x8fffffff   identity 2 MiB pages
 *   VA 0xa0000000 + 4K*i       4 KiB test window (table below)
 *   VA 0xa0200000              2 MiB page -> PA 0x80000000
 *   VA 0xa0400000              misaligned 2 MiB page (PA 0x80001000)
 *   VA 0x100000000             1 GiB page -> PA 0x80000000
 *   VA 0x140000000             misaligned 1 GiB page (PA 0x80200000)
 */
#include "test_macros.h"

#define RAM      0x80000000
#define VA_4K    0xa0000000
#define VA_2M    0xa0200000
#define VA_2M_BAD 0xa0400000
#define VA_1G    0x100000000
#define VA_1G_BAD 0x140000000
#define VA_NONCANON 0x0000008000000000   /* bit 39 != bit 38 */
#define VA_HIGH  0xffffffc000000000      /* canonical, VPN[2] = 256: unmapped */

/* window page i */
#define WIN(i) (VA_4K + (i) * 4096)
#define P_RW      0      /* R W A D */
#define P_RO      1      /* R A */
#define P_INVALID 2      /* V = 0 */
#define P_USER    3      /* U R W X A D */
#define P_XONLY   4      /* X A */
#define P_NOAD    5      /* R W, A = D = 0 */
#define P_REMAP   6      /* R W A D, remapped during the test */
#define P_WONLY   7      /* W only: reserved encoding */
#define P_CODE    8      /* R X A: vm_func */
#define NPAGES    9

/* reg = the 2M/1G alias of a RAM label (uses t6) */
#define LA_ALIAS(reg, label, window)                                    \
        la reg, label; li t6, (window) - RAM; add reg, reg, t6

#define PTE_S_RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

TEST_BEGIN
        /* ---- build the page tables (M-mode, physical) ---- */
        PT_SET_ABS(root, 0, 0, PTE_S_RWX_AD)                   /* 1G identity */
        PT_LINK(root, 2, l1)
        PT_SET_ABS(root, VPN2(VA_1G), RAM, PTE_S_RWX_AD)
        PT_SET_ABS(root, VPN2(VA_1G_BAD), RAM + 0x200000, PTE_S_RWX_AD)
        PT_LINK(l1, 0, l0_low)
        PT_FILL(l1, 1, 127, RAM + 0x200000, 21, PTE_S_RWX_AD)
        PT_LINK(l1, VPN1(VA_4K), l0_win)
        PT_SET_ABS(l1, VPN1(VA_2M), RAM, PTE_S_RWX_AD)
        PT_SET_ABS(l1, VPN1(VA_2M_BAD), RAM + 0x1000, PTE_S_RWX_AD)
        PT_FILL(l0_low, 0, 512, RAM, 12, PTE_S_RWX_AD)
        /* user_page: U, R, X (not W) */
        la t0, user_page
        li t1, RAM
        sub t0, t0, t1
        srli t0, t0, 12 - 3
        la t1, l0_low
        add t1, t1, t0
        ld t2, 0(t1)
        andi t2, t2, ~PTE_W
        ori t2, t2, PTE_U
        sd t2, 0(t1)
        /* the 4 KiB window */
        PT_SET(l0_win, P_RW, vmdata + P_RW * 4096, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        PT_SET(l0_win, P_RO, vmdata + P_RO * 4096, PTE_V | PTE_R | PTE_A)
        PT_SET(l0_win, P_INVALID, vmdata + P_INVALID * 4096, PTE_R | PTE_W | PTE_A | PTE_D)
        PT_SET(l0_win, P_USER, vmdata + P_USER * 4096, PTE_V | PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
        PT_SET(l0_win, P_XONLY, vmdata + P_XONLY * 4096, PTE_V | PTE_X | PTE_A)
        PT_SET(l0_win, P_NOAD, vmdata + P_NOAD * 4096, PTE_V | PTE_R | PTE_W)
        PT_SET(l0_win, P_REMAP, vmdata + P_REMAP * 4096, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        PT_SET(l0_win, P_WONLY, vmdata + P_WONLY * 4096, PTE_V | PTE_W | PTE_A | PTE_D)
        PT_SET(l0_win, P_CODE, vm_func, PTE_V | PTE_R | PTE_X | PTE_A)
        /* page k of vmdata starts with 0xc0de0000 + k */
        la t0, vmdata
        li t1, 0xc0de0000
        li t2, NPAGES + 1
1:      sd t1, 0(t0)
        li t3, 4096
        add t0, t0, t3
        addi t1, t1, 1
        addi t2, t2, -1
        bnez t2, 1b

        SATP_ON(root, SATP_MODE_SV39)
test_2:         /* satp reads back (mode 8, root PPN) */
        TEST_NUM(2)
        csrr a0, satp
        la t0, root
        srli t0, t0, 12
        li t1, SATP_MODE_SV39
        or t0, t0, t1
        CHECK_REG_EQ(a0, t0)
        ENTER_S

        /* ---- loads / stores through 4 KiB, 2 MiB, 1 GiB pages ---- */
        TEST_CASE(3, a0, 0xc0de0000, li a1, WIN(P_RW); ld a0, 0(a1))
        TEST_CASE(4, a0, 0xc0de0000, LA_ALIAS(a1, vmdata, VA_2M); ld a0, 0(a1))
        TEST_CASE(5, a0, 0xc0de0000, LA_ALIAS(a1, vmdata, VA_1G); ld a0, 0(a1))
        TEST_CASE(6, a0, 0x1234, li a1, WIN(P_RW); li a2, 0x1234; sw a2, 8(a1); la a3, vmdata; lw a0, 8(a3))
        TEST_CASE(7, a0, 0x5678, LA_ALIAS(a1, vmdata, VA_1G); li a2, 0x5678; sh a2, 16(a1); li a3, WIN(P_RW); lhu a0, 16(a3))
        TEST_CASE(8, a0, 0x9a, LA_ALIAS(a1, vmdata, VA_2M); li a2, 0x9a; sb a2, 24(a1); LA_ALIAS(a3, vmdata, VA_1G); lbu a0, 24(a3))
        TEST_CASE(9, a0, 0x1234, li a1, WIN(P_RW); li a2, 0x1000; addi a1, a1, 8; amoadd.w a0, a2, (a1))
        /* devices through the identity gigapage */
        TEST_CASE(10, a0, 0, li a1, CLINT_MTIMECMP + 8; ld a0, -8(a1); li a0, 0)

        /* ---- instruction fetch through 4 KiB, 2 MiB, 1 GiB pages ---- */
        TEST_CASE(11, a0, 0x5a, li a0, 0; li t0, WIN(P_CODE); jalr ra, 0(t0))
        TEST_CASE(12, a0, 0x5a, li a0, 0; LA_ALIAS(t0, vm_func, VA_2M); jalr ra, 0(t0))
        TEST_CASE(13, a0, 0x5a, li a0, 0; LA_ALIAS(t0, vm_func, VA_1G); jalr ra, 0(t0))

        /* ---- permission faults (to M: nothing delegated) ---- */
test_14:        /* store to a read-only page: 15, memory unchanged */
        TEST_NUM(14)
        li a1, WIN(P_RO)
        li a2, 0x77
        EXPECT_TRAP_TVAL(CAUSE_STORE_PAGE_FAULT, WIN(P_RO) + 8)
        sd a2, 8(a1)
        CHECK_TRAPPED
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0001)
        ld a0, 8(a1)
        CHECK_EQ(a0, 0)
        EXPECT_TRAP_TVAL(CAUSE_STORE_PAGE_FAULT, WIN(P_RO))
        amoswap.d a0, a2, (a1)                  /* AMO: store page fault */
        CHECK_TRAPPED
        TEST_TRAP_TVAL(15, CAUSE_LOAD_PAGE_FAULT, WIN(P_INVALID) + 0x10, li a1, WIN(P_INVALID); ld a0, 0x10(a1))
        TEST_TRAP_TVAL(16, CAUSE_STORE_PAGE_FAULT, WIN(P_INVALID) + 0xff8, li a1, WIN(P_INVALID) + 0x800; sd a0, 0x7f8(a1))
        TEST_TRAP_TVAL(17, CAUSE_LOAD_PAGE_FAULT, WIN(P_WONLY), li a1, WIN(P_WONLY); ld a0, 0(a1))
        TEST_TRAP_TVAL(18, CAUSE_STORE_PAGE_FAULT, WIN(P_WONLY), li a1, WIN(P_WONLY); sd a0, 0(a1))
        /* the destination of a faulting load is untouched */
        TEST_CASE(19, a0, 0x4321, li a0, 0x4321; li a1, WIN(P_INVALID); EXPECT_TRAP(CAUSE_LOAD_PAGE_FAULT); lw a0, 0(a1); CHECK_TRAPPED)

test_20:        /* fetch from a page without X: 12, mepc = mtval = target */
        TEST_NUM(20)
        li t0, WIN(P_RW) + 0x40
        EXPECT_TRAP_TVAL(CAUSE_FETCH_PAGE_FAULT, WIN(P_RW) + 0x40)
        jalr ra, 0(t0)
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a0, TF_EPC)
        CHECK_EQ(a0, WIN(P_RW) + 0x40)
        TEST_TRAP_TVAL(21, CAUSE_FETCH_PAGE_FAULT, WIN(P_INVALID), li t0, WIN(P_INVALID); jalr ra, 0(t0))
        TEST_TRAP_TVAL(22, CAUSE_FETCH_PAGE_FAULT, WIN(P_WONLY), li t0, WIN(P_WONLY); jalr ra, 0(t0))

        /* ---- SUM (§4.1.1.2): S access to U pages ---- */
        TEST_TRAP_TVAL(23, CAUSE_LOAD_PAGE_FAULT, WIN(P_USER), li a1, WIN(P_USER); ld a0, 0(a1))
        TEST_TRAP_TVAL(24, CAUSE_STORE_PAGE_FAULT, WIN(P_USER), li a1, WIN(P_USER); sd a0, 0(a1))
test_25:
        TEST_NUM(25)
        li t0, SSTATUS_SUM
        csrs sstatus, t0
        /* S never executes from a U page, SUM or not */
        li t0, WIN(P_USER) + 0x100
        EXPECT_TRAP_TVAL(CAUSE_FETCH_PAGE_FAULT, WIN(P_USER) + 0x100)
        jalr ra, 0(t0)
        CHECK_TRAPPED
        li a1, WIN(P_USER)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0003)
        li a2, 0xabc
        sd a2, 8(a1)
        ld a0, 8(a1)
        CHECK_EQ(a0, 0xabc)
#ifndef ISA_QEMU
        /* ... not even right after data accesses to it with SUM = 1
         * (QEMU 7.2's TLB then lets the fetch through) */
        li t0, WIN(P_USER) + 0x100
        EXPECT_TRAP_TVAL(CAUSE_FETCH_PAGE_FAULT, WIN(P_USER) + 0x100)
        jalr ra, 0(t0)
        CHECK_TRAPPED
#endif
        li t0, SSTATUS_SUM
        csrc sstatus, t0

        /* ---- MXR (§4.1.1.3): loads from execute-only pages ---- */
        TEST_TRAP_TVAL(26, CAUSE_LOAD_PAGE_FAULT, WIN(P_XONLY), li a1, WIN(P_XONLY); ld a0, 0(a1))
test_27:
        TEST_NUM(27)
        li t0, SSTATUS_MXR
        csrs sstatus, t0
        li a1, WIN(P_XONLY)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0004)
        EXPECT_TRAP_TVAL(CAUSE_STORE_PAGE_FAULT, WIN(P_XONLY))
        sd a0, 0(a1)                            /* MXR does not grant W */
        CHECK_TRAPPED
        li t0, SSTATUS_MXR
        csrc sstatus, t0

        /* ---- A and D set by hardware (§4.3.1) ---- */
test_28:
        TEST_NUM(28)
        la a3, l0_win + P_NOAD * 8
        ld a0, 0(a3)
        andi a0, a0, PTE_A | PTE_D
        CHECK_EQ(a0, 0)
        li a1, WIN(P_NOAD)
        ld a0, 0(a1)                            /* read: sets A */
        CHECK_EQ(a0, 0xc0de0005)
        ld a0, 0(a3)
        andi a0, a0, PTE_A | PTE_D
        CHECK_EQ(a0, PTE_A)
        li a2, 0x99
        sd a2, 8(a1)                            /* write: sets D */
        ld a0, 0(a3)
        andi a0, a0, PTE_A | PTE_D
        CHECK_EQ(a0, PTE_A | PTE_D)
        ld a0, 8(a1)
        CHECK_EQ(a0, 0x99)

        /* ---- SFENCE.VMA after changing a PTE (§4.2.1) ---- */
test_29:
        TEST_NUM(29)
        li a1, WIN(P_REMAP)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0006)
        /* point the PTE at vmdata page 9 instead of page 6 */
        la t0, vmdata + NPAGES * 4096
        srli t0, t0, 12
        slli t0, t0, 10
        ori t0, t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        la a3, l0_win + P_REMAP * 8
        sd t0, 0(a3)
        sfence.vma a1, zero
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0009)
        /* invalidate it: the next access faults */
        sd zero, 0(a3)
        sfence.vma
        EXPECT_TRAP_TVAL(CAUSE_LOAD_PAGE_FAULT, WIN(P_REMAP))
        ld a0, 0(a1)
        CHECK_TRAPPED

        /* ---- misaligned superpages and non-canonical addresses ---- */
        TEST_TRAP_TVAL(30, CAUSE_LOAD_PAGE_FAULT, VA_2M_BAD + 8, li a1, VA_2M_BAD; ld a0, 8(a1))
        TEST_TRAP_TVAL(31, CAUSE_STORE_PAGE_FAULT, VA_1G_BAD, li a1, VA_1G_BAD; sd a0, 0(a1))
        TEST_TRAP_TVAL(32, CAUSE_FETCH_PAGE_FAULT, VA_2M_BAD, li t0, VA_2M_BAD; jalr ra, 0(t0))
        TEST_TRAP_TVAL(33, CAUSE_LOAD_PAGE_FAULT, VA_NONCANON, li a1, VA_NONCANON; ld a0, 0(a1))
        TEST_TRAP_TVAL(34, CAUSE_STORE_PAGE_FAULT, VA_NONCANON + 8, li a1, VA_NONCANON; sd a0, 8(a1))
        TEST_TRAP_TVAL(35, CAUSE_LOAD_PAGE_FAULT, VA_HIGH, li a1, VA_HIGH; ld a0, 0(a1))

        /* ---- page fault delegated to S: scause / stval ---- */
        GOTO_M
        li t0, (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_FETCH_PAGE_FAULT)
        csrw medeleg, t0
        ENTER_S
        TEST_CASE(36, a0, PRV_S, li a1, WIN(P_INVALID); EXPECT_TRAP_S_TVAL(CAUSE_LOAD_PAGE_FAULT, WIN(P_INVALID) + 4); lw a0, 4(a1); CHECK_TRAPPED; LOAD_TRAP_FIELD(a0, TF_HANDLER))
        TEST_CASE(37, a0, PRV_S, li t0, WIN(P_RW); EXPECT_TRAP_S_TVAL(CAUSE_FETCH_PAGE_FAULT, WIN(P_RW)); jalr ra, 0(t0); CHECK_TRAPPED; LOAD_TRAP_FIELD(a0, TF_HANDLER))
        GOTO_M
        csrw medeleg, zero

        /* ---- U-mode (code in user_page) ---- */
test_38:
        TEST_NUM(38)
        call user_tests

        /* ---- M-mode with MPRV = 1, MPP = S: loads/stores translated ---- */
test_39:
        TEST_NUM(39)
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs mstatus, t0
        li a1, WIN(P_RW)
        ld a0, 0(a1)
        li t0, MSTATUS_MPRV
        csrc mstatus, t0
        CHECK_EQ(a0, 0xc0de0000)

        /* ---- bare mode again: the window VA is a physical hole ---- */
test_40:
        TEST_NUM(40)
        csrw satp, zero
        sfence.vma
        ENTER_S
        li a1, VA_4K
        EXPECT_TRAP_TVAL(CAUSE_LOAD_ACCESS, VA_4K)
        ld a0, 0(a1)
        CHECK_TRAPPED
        GOTO_M
TEST_END

        .text
        /* reached through WIN(P_CODE) and the 2M/1G aliases */
        .balign 4096
vm_func:
        li a0, 0x5a
        ret

        /* U-accessible code page: called in M-mode, returns in M-mode */
        .balign 4096
user_page:
user_tests:
        mv s2, ra
        /* a U load from an S page faults (expected before entering U) */
        li a1, WIN(P_RW)
        li a3, WIN(P_USER)
        EXPECT_TRAP_TVAL(CAUSE_LOAD_PAGE_FAULT, WIN(P_RW))
        ENTER_U
        li a0, 0x77
        ld a0, 0(a1)                    /* faults: a0 stays 0x77 */
        ld a2, 0(a3)                    /* U page: fine */
        sd a0, 16(a3)
        ld a4, 16(a3)
        GOTO_M
        CHECK_TRAPPED
        LOAD_TRAP_FIELD(a5, TF_STATUS)
        CHECK_EQ(a0, 0x77)
        CHECK_EQ(a2, 0xc0de0003)
        CHECK_EQ(a4, 0x77)
        srli a5, a5, 11                 /* the fault came from U */
        andi a5, a5, 3
        CHECK_EQ(a5, PRV_U)
        /* U fetch from an S page faults */
        li t0, WIN(P_CODE)
        EXPECT_TRAP_TVAL(CAUSE_FETCH_PAGE_FAULT, WIN(P_CODE))
        ENTER_U
        jalr ra, 0(t0)
        GOTO_M
        CHECK_TRAPPED
        mv ra, s2
        ret
        .balign 4096

        .bss
        .balign 4096
root:   .skip 4096
l1:     .skip 4096
l0_low: .skip 4096
l0_win: .skip 4096
vmdata: .skip 4096 * (NPAGES + 1)
