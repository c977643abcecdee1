/* pmp.S — physical memory protection.
 *
 * Privileged spec 1.12 §3.7: pmpcfg/pmpaddr (RV64: pmpcfg0 holds entries
 * 0-7), address matching OFF/TOR/NA4/NAPOT (table 3.10), priority (the
 * lowest-numbered entry matching any byte decides, and it must match all
 * bytes — in every mode, §3.7.1), S/U accesses need a matching entry with
 * the permission, M-mode is only bound by locked entries, a locked entry
 * ignores writes.
 * Violations: instruction access fault 1, load access fault 5, store/AMO
 * access fault 7, mtval = the address.  Needs at least 8 PMP entries and a
 * grain of 4 bytes (NA4).
 *
 *   entry 0  NA4    pmp_data + 0            R
 *   entry 1  NAPOT  pmp_data + 4K (4 KiB)   none
 *   entry 2  OFF    (bottom of the TOR range: pmp_data + 8K)
 *   entry 3  TOR    [pmp_data + 8K, + 12K)  R W
 *   entry 4  NAPOT  pmp_xonly (4 KiB)       X
 *   entry 5  NAPOT  pmp_ronly (4 KiB)       R
 *   entry 6  NAPOT  pmp_locked (4 KiB)      R, locked  (set at the end)
 *   entry 7  NAPOT  everything              R W X      (the rest)
 */
#include "test_macros.h"

#define NAPOT_4K(reg, label)                                            \
        la reg, label; srli reg, reg, 2; ori reg, reg, 0x1ff

#define CFG(i, v) ((v) << (8 * (i)))

TEST_BEGIN
        NAPOT_4K(t0, pmp_data + 4096)   /* entry 1 first: entry 0 is live */
        csrw pmpaddr1, t0
        la t0, pmp_data + 8192
        srli t0, t0, 2
        csrw pmpaddr2, t0
        la t0, pmp_data + 12288
        srli t0, t0, 2
        csrw pmpaddr3, t0
        NAPOT_4K(t0, pmp_xonly)
        csrw pmpaddr4, t0
        NAPOT_4K(t0, pmp_ronly)
        csrw pmpaddr5, t0
        NAPOT_4K(t0, pmp_locked)
        csrw pmpaddr6, t0
        li t0, -1
        csrw pmpaddr7, t0
        la t0, pmp_data
        srli t0, t0, 2
        csrw pmpaddr0, t0
        li t0, CFG(0, PMP_NA4 | PMP_R) | CFG(1, PMP_NAPOT) | CFG(2, PMP_OFF) | CFG(3, PMP_TOR | PMP_R | PMP_W) | CFG(4, PMP_NAPOT | PMP_X) | CFG(5, PMP_NAPOT | PMP_R) | CFG(6, PMP_OFF) | CFG(7, PMP_NAPOT | PMP_R | PMP_W | PMP_X)
        csrw pmpcfg0, t0
        sfence.vma                      /* §3.7.2: order PMP changes */
test_2:         /* the configuration reads back */
        TEST_NUM(2)
        csrr a0, pmpcfg0
        CHECK_REG_EQ(a0, t0)
        /* initial data (M-mode is not bound by unlocked entries) */
        la a1, pmp_data
        li t1, 0x22222222               /* (an sd would straddle entry 0) */
        sw t1, 0(a1)
        li t1, 0x11111111
        sw t1, 4(a1)
        li t2, 4096
        add a1, a1, t2
        li t1, 0x3333333344444444
        sd t1, 0(a1)
        la a1, pmp_ronly
        li t1, 0x5555555566666666
        sd t1, 0(a1)

        ENTER_S
        /* ---- NA4: exactly 4 bytes, read-only ---- */
        TEST_CASE(3, a0, 0x22222222, la a1, pmp_data; lwu a0, 0(a1))
        TEST_CASE(4, a0, 0x2222, la a1, pmp_data; lhu a0, 2(a1))
        TEST_CASE(5, a0, 0x11111111, la a1, pmp_data; lwu a0, 4(a1))      /* entry 7 */
test_6:
        TEST_NUM(6)
        la a1, pmp_data
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a1)
        sw zero, 0(a1)
        CHECK_TRAPPED
        addi a2, a1, 3
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a2)
        sb zero, 3(a1)
        CHECK_TRAPPED
        /* an 8-byte load matching only half of the NA4 entry fails */
        EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a1)
        ld a0, 0(a1)
        CHECK_TRAPPED
        /* the word after it is RWX through entry 7 */
        li t1, 0x77
        sw t1, 4(a1)
        lw a0, 4(a1)
        CHECK_EQ(a0, 0x77)
        /* an AMO needs W: store/AMO access fault */
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a1)
        amoadd.w a0, t1, (a1)
        CHECK_TRAPPED

        /* ---- NAPOT with no permissions ---- */
test_7:
        TEST_NUM(7)
        la a1, pmp_data + 4096
        EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a1)
        ld a0, 0(a1)
        CHECK_TRAPPED
        li t1, 4088
        add a2, a1, t1                  /* last dword of the region */
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a2)
        sd a0, 0(a2)
        CHECK_TRAPPED
test_8:
        TEST_NUM(8)
        la a1, pmp_data + 4096
        EXPECT_TRAP_TVAL_REG(CAUSE_FETCH_ACCESS, a1)
        jalr ra, 0(a1)
        CHECK_TRAPPED

        /* ---- TOR: [base, top) read/write, no execute ---- */
test_9:
        TEST_NUM(9)
        la a1, pmp_data + 8192
        li t1, 0xabcdef
        sd t1, 0(a1)
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xabcdef)
        li t2, 4088
        add a2, a1, t2                  /* last dword below top */
        sd t1, 0(a2)
        ld a0, 0(a2)
        CHECK_EQ(a0, 0xabcdef)
        EXPECT_TRAP_TVAL_REG(CAUSE_FETCH_ACCESS, a1)
        jalr ra, 0(a1)
        CHECK_TRAPPED
        /* the top itself is outside (it is pmp_ronly: entry 5, R) */
        addi a2, a2, 8
        ld a0, 0(a2)
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a2)
        sd t1, 0(a2)
        CHECK_TRAPPED

        /* ---- execute-only and read-only pages ---- */
        TEST_CASE(10, a0, 0x5a, li a0, 0; la t0, pmp_xonly; jalr ra, 0(t0))
test_11:
        TEST_NUM(11)
        la a1, pmp_xonly
        EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a1)
        lw a0, 0(a1)
        CHECK_TRAPPED
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a1)
        sw a0, 0(a1)
        CHECK_TRAPPED
        TEST_CASE(12, a0, 0x5555555566666666, la a1, pmp_ronly; ld a0, 0(a1))
test_13:
        TEST_NUM(13)
        la a1, pmp_ronly
        EXPECT_TRAP_TVAL_REG(CAUSE_FETCH_ACCESS, a1)
        jalr ra, 0(a1)
        CHECK_TRAPPED

        /* ---- U-mode is checked the same way ---- */
test_14:
        TEST_NUM(14)
        la a1, pmp_data + 4096
        EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a1)
        ENTER_U_FROM_S
        ld a0, 0(a1)
        la a2, pmp_ronly
        ld a3, 0(a2)
        li a0, 0
        la t0, pmp_xonly
        jalr ra, 0(t0)
        GOTO_M
        CHECK_TRAPPED
        CHECK_EQ(a3, 0x5555555566666666)
        CHECK_EQ(a0, 0x5a)

        /* ---- M-mode ignores unlocked entries ---- */
test_15:
        TEST_NUM(15)
        la a1, pmp_data
        li t1, 0x12345678
        sw t1, 0(a1)
        lwu a0, 0(a1)
        CHECK_EQ(a0, 0x12345678)
        /* ... but a partial match fails even in M (irrespective of L) */
        EXPECT_TRAP_TVAL_REG(CAUSE_LOAD_ACCESS, a1)
        ld a0, 0(a1)
        CHECK_TRAPPED
        la a1, pmp_data + 4096
        ld a0, 0(a1)
        CHECK_EQ(a0, 0x3333333344444444)
        la a1, pmp_ronly
        sd zero, 8(a1)
        li a0, 0
        la t0, pmp_data + 8192 + 16     /* TOR region: not X for S/U */
        li t1, 0x00008067               /* ret */
        sw t1, 0(t0)
        li t1, 0x05a00513               /* li a0, 0x5a */
        sw t1, -4(t0)
        fence.i
        addi t0, t0, -4
        jalr ra, 0(t0)
        CHECK_EQ(a0, 0x5a)

        /* ---- a locked entry binds M-mode and ignores writes ---- */
test_16:
        TEST_NUM(16)
        la a1, pmp_locked
        li t1, 0xfeed
        sd t1, 0(a1)                    /* still unlocked: fine */
        li t0, CFG(6, PMP_NAPOT | PMP_R | PMP_L)
        csrs pmpcfg0, t0
        sfence.vma
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xfeed)
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a1)
        sd zero, 0(a1)
        CHECK_TRAPPED
        ld a0, 0(a1)
        CHECK_EQ(a0, 0xfeed)
        /* writes to the locked cfg byte and its pmpaddr are ignored */
        li t0, CFG(6, 0xff)
        csrc pmpcfg0, t0
        csrr a0, pmpcfg0
        srli a0, a0, 48
        andi a0, a0, 0xff
        CHECK_EQ(a0, PMP_NAPOT | PMP_R | PMP_L)
        csrr a2, pmpaddr6
        csrw pmpaddr6, zero
        csrr a3, pmpaddr6
        CHECK_REG_EQ(a2, a3)
        addi a2, a1, 4
        EXPECT_TRAP_TVAL_REG(CAUSE_STORE_ACCESS, a2)
        sw zero, 4(a1)
        CHECK_TRAPPED
        /* ... while the other entries stay writable */
        csrw pmpaddr5, zero
        csrr a0, pmpaddr5
        CHECK_EQ(a0, 0)
TEST_END

        .text
        .balign 4096
pmp_xonly:
        li a0, 0x5a
        ret
        .balign 4096

        .data
        .balign 4096
pmp_data:   .skip 3 * 4096
pmp_ronly:  .skip 4096
pmp_locked: .skip 4096
