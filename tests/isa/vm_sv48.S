/* vm_sv48.S — Sv48 virtual memory from S-mode.
 *
 * Privileged spec 1.12 §4.5 (Sv48: 4 levels, 48-bit VAs sign-extended from
 * bit 47, 512 GiB "terapages" at level 3), §4.3.2 walk, misaligned
 * superpages fault (§4.3.2 step 6), A/D updated by hardware, page faults
 * 12/13/15 with mtval = VA.  The detailed permission checks are shared with
 * Sv39 and live in vm_sv39.S; this file checks the 4-level walk.
 *
 * Address space:
 *   VA 0x0000000000000000 +1G  identity gigapage (devices)
 *   VA 0x0000000080000000 +2M  identity 4 KiB pages (this program)
 *   VA 0x0000000080200000 ...  identity 2 MiB pages
 *   VA 0x00000000a0000000      4 KiB test window
 *   VA 0x00000000a0200000      2 MiB page -> PA 0x80000000
 *   VA 0x0000000100000000      1 GiB page -> PA 0x80000000
 *   VA 0x0000008000000000      512 GiB page -> PA 0 (non-canonical in Sv39)
 *   VA 0x0000010000000000      misaligned 512 GiB page (PA 0x40000000)
 */
#include "test_macros.h"

#define RAM       0x80000000
#define VA_4K     0xa0000000
#define VA_2M     0xa0200000
#define VA_1G     0x100000000
#define VA_512G   0x8000000000
#define VA_512G_BAD 0x10000000000
#define VA_NONCANON 0x0001000000000000   /* bit 48 != bit 47 */
#define VA_HIGH   0xffff800000000000      /* canonical, VPN[3] = 256: unmapped */

#define WIN(i) (VA_4K + (i) * 4096)
#define P_RW      0
#define P_INVALID 1
#define P_NOAD    2
#define P_CODE    3
#define NPAGES    4

#define PTE_S_RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define LA_ALIAS(reg, label, window)                                    \
        la reg, label; li t6, (window) - RAM; add reg, reg, t6

TEST_BEGIN
        PT_LINK(l3, 0, l2)
        PT_SET_ABS(l3, VPN3(VA_512G), 0, PTE_S_RWX_AD)
        PT_SET_ABS(l3, VPN3(VA_512G_BAD), 0x40000000, PTE_S_RWX_AD)
        PT_SET_ABS(l2, 0, 0, PTE_S_RWX_AD)
        PT_LINK(l2, 2, l1)
        PT_SET_ABS(l2, VPN2(VA_1G), RAM, PTE_S_RWX_AD)
        PT_LINK(l1, 0, l0_low)
        PT_FILL(l1, 1, 127, RAM + 0x200000, 21, PTE_S_RWX_AD)
        PT_LINK(l1, VPN1(VA_4K), l0_win)
        PT_SET_ABS(l1, VPN1(VA_2M), RAM, PTE_S_RWX_AD)
        PT_FILL(l0_low, 0, 512, RAM, 12, PTE_S_RWX_AD)
        PT_SET(l0_win, P_RW, vmdata + P_RW * 4096, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        PT_SET(l0_win, P_INVALID, vmdata + P_INVALID * 4096, PTE_R | PTE_W)
        PT_SET(l0_win, P_NOAD, vmdata + P_NOAD * 4096, PTE_V | PTE_R | PTE_W)
        PT_SET(l0_win, P_CODE, vm_func, PTE_V | PTE_R | PTE_X | PTE_A)
        la t0, vmdata
        li t1, 0xc0de0000
        li t2, NPAGES
1:      sd t1, 0(t0)
        li t3, 4096
        add t0, t0, t3
        addi t1, t1, 1
        addi t2, t2, -1
        bnez t2, 1b

        SATP_ON(l3, SATP_MODE_SV48)
test_2:
        TEST_NUM(2)
        csrr a0, satp
        srli a0, a0, 60
        CHECK_EQ(a0, 9)
        ENTER_S

        /* ---- data through every page size ---- */
        TEST_CASE(3, a0, 0xc0de0000, li a1, WIN(P_RW); ld a0, 0(a1))
        TEST_CASE(4, a0, 0xc0de0000, LA_ALIAS(a1, vmdata, VA_2M); ld a0, 0(a1))
        TEST_CASE(5, a0, 0xc0de0000, LA_ALIAS(a1, vmdata, VA_1G); ld a0, 0(a1))
        TEST_CASE(6, a0, 0xc0de0000, LA_ALIAS(a1, vmdata, VA_512G + RAM); ld a0, 0(a1))
        TEST_CASE(7, a0, 0x4455, LA_ALIAS(a1, vmdata, VA_512G + RAM); li a2, 0x4455; sd a2, 8(a1); li a3, WIN(P_RW); ld a0, 8(a3))
        /* a device through the terapage: mtime via VA_512G + CLINT_MTIME */
test_8:
        TEST_NUM(8)
        li a1, VA_512G + CLINT_MTIME
        li a2, CLINT_MTIME
        ld a3, 0(a2)
        ld a4, 0(a1)
        bltu a4, a3, test_fail

        /* ---- fetch through 4 KiB and 512 GiB pages ---- */
        TEST_CASE(9, a0, 0x5a, li a0, 0; li t0, WIN(P_CODE); jalr ra, 0(t0))
        TEST_CASE(10, a0, 0x5a, li a0, 0; LA_ALIAS(t0, vm_func, VA_512G + RAM); jalr ra, 0(t0))
        TEST_CASE(11, a0, 0x5a, li a0, 0; LA_ALIAS(t0, vm_func, VA_1G); jalr ra, 0(t0))

        /* ---- faults ---- */
        TEST_TRAP_TVAL(12, CAUSE_LOAD_PAGE_FAULT, WIN(P_INVALID), li a1, WIN(P_INVALID); ld a0, 0(a1))
        TEST_TRAP_TVAL(13, CAUSE_STORE_PAGE_FAULT, WIN(P_INVALID) + 8, li a1, WIN(P_INVALID); sd a0, 8(a1))
        TEST_TRAP_TVAL(14, CAUSE_FETCH_PAGE_FAULT, WIN(P_INVALID), li t0, WIN(P_INVALID); jalr ra, 0(t0))
        TEST_TRAP_TVAL(15, CAUSE_LOAD_PAGE_FAULT, VA_512G_BAD + RAM, li a1, VA_512G_BAD + RAM; ld a0, 0(a1))
        TEST_TRAP_TVAL(16, CAUSE_LOAD_PAGE_FAULT, VA_NONCANON, li a1, VA_NONCANON; ld a0, 0(a1))
        TEST_TRAP_TVAL(17, CAUSE_STORE_PAGE_FAULT, VA_NONCANON, li a1, VA_NONCANON; sd a0, 0(a1))
        TEST_TRAP_TVAL(18, CAUSE_LOAD_PAGE_FAULT, VA_HIGH, li a1, VA_HIGH; ld a0, 0(a1))
        TEST_TRAP_TVAL(19, CAUSE_LOAD_PAGE_FAULT, 0x7fffffff000, li a1, 0x7fffffff000; ld a0, 0(a1))   /* L3 entry empty */

        /* ---- hardware A/D at level 0 of a 4-level walk ---- */
test_20:
        TEST_NUM(20)
        la a3, l0_win + P_NOAD * 8
        li a1, WIN(P_NOAD)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0002)
        ld a0, 0(a3)
        andi a0, a0, PTE_A | PTE_D
        CHECK_EQ(a0, PTE_A)
        sd a0, 8(a1)
        ld a0, 0(a3)
        andi a0, a0, PTE_A | PTE_D
        CHECK_EQ(a0, PTE_A | PTE_D)

        /* ---- switching to Sv39 with the same root makes the terapage
         *      VA non-canonical ---- */
test_21:
        TEST_NUM(21)
        GOTO_M
        la t0, l2                       /* as an Sv39 root: same lower map */
        srli t0, t0, 12
        li t1, SATP_MODE_SV39
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        ENTER_S
        li a1, WIN(P_RW)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xc0de0000)
        LA_ALIAS(a1, vmdata, VA_512G + RAM)
        EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_PAGE_FAULT, a1)
        ld a0, 0(a1)
        CHECK_TRAPPED
        GOTO_M
        csrw satp, zero
        sfence.vma
TEST_END

        .text
        .balign 4096
vm_func:
        li a0, 0x5a
        ret
        .balign 4096

        .bss
        .balign 4096
l3:     .skip 4096
l2:     .skip 4096
l1:     .skip 4096
l0_low: .skip 4096
l0_win: .skip 4096
vmdata: .skip 4096 * NPAGES
