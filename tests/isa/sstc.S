/* sstc.S — Sstc: the supervisor timer compare CSR stimecmp.
 *
 * RISC-V "Sstc" extension 1.0 (ratified with the 1.12 privileged spec):
 * menvcfg.STCE (bit 63) enables stimecmp (CSR 0x14d); with STCE = 1,
 * mip.STIP reads (time >= stimecmp) and is no longer writable; S-mode
 * accesses to stimecmp need mcounteren.TM = 1, with STCE = 0 they are
 * illegal (M-mode may still access it).  Privileged spec §3.1.9 (mip/mie),
 * §3.1.8 (mideleg), time CSR from S needs mcounteren.TM (§3.1.11).
 *
 * qemu-machine: virt   (QEMU's spike board has no rdtime, hence no Sstc;
 *                       tests/isa/run.sh runs this one on -M virt)
 */
#include "test_macros.h"

TEST_BEGIN
        /* ---- STCE = 0: no stimecmp for S ---- */
test_2:
        TEST_NUM(2)
        csrw CSR_MENVCFG, zero
        li t0, 0x7                      /* CY TM IR */
        csrw mcounteren, t0
        csrw CSR_STIMECMP, zero         /* M may access it */
        ENTER_S
        TEST_ILLEGAL(3, csrr a0, CSR_STIMECMP)
        TEST_ILLEGAL(4, csrw CSR_STIMECMP, a0)
        GOTO_M

        /* ---- STCE = 1 ---- */
test_5:
        TEST_NUM(5)
        li t0, MENVCFG_STCE
        csrs CSR_MENVCFG, t0
        csrr a0, CSR_MENVCFG
        srli a0, a0, 63
        CHECK_EQ(a0, 1)
        /* stimecmp = 0 <= time: STIP pending */
        csrw CSR_STIMECMP, zero
        csrr a0, mip
        andi a0, a0, MIP_STIP
        CHECK_EQ(a0, MIP_STIP)
        /* stimecmp far in the future: STIP clear */
        li t0, -1
        csrw CSR_STIMECMP, t0
        csrr a0, mip
        andi a0, a0, MIP_STIP
        CHECK_EQ(a0, 0)
        /* STIP is read-only in mip now */
        li t0, MIP_STIP
        csrs mip, t0
        csrr a0, mip
        andi a0, a0, MIP_STIP
        CHECK_EQ(a0, 0)

test_6:         /* S-mode needs mcounteren.TM for stimecmp */
        TEST_NUM(6)
        csrwi mcounteren, 0x5           /* CY IR, no TM */
        ENTER_S
        TEST_ILLEGAL(7, csrr a0, CSR_STIMECMP)
        GOTO_M
        csrwi mcounteren, 0x7

test_8:         /* S-mode timer interrupt, delegated, when time >= stimecmp */
        TEST_NUM(8)
        li t0, MIP_STIP
        csrw mideleg, t0
        csrw mie, t0                    /* STIE */
        ENTER_S
        csrr a1, CSR_STIMECMP
        CHECK_EQ(a1, 0xffffffffffffffff)
        rdtime a2
        addi a2, a2, 100                /* 10 us at 10 MHz */
        EXPECT_TRAP_S(CAUSE_INTERRUPT | IRQ_S_TIMER)
        csrw CSR_STIMECMP, a2
        csrsi sstatus, SSTATUS_SIE
        li t1, 10000000
1:      la t0, trap_frame
        ld t0, TF_EXP_FLAGS(t0)
        beqz t0, 2f
        addi t1, t1, -1
        bnez t1, 1b
        j test_fail                     /* never fired */
2:      csrci sstatus, SSTATUS_SIE
        rdtime a3
        bltu a3, a2, test_fail          /* not before the deadline */
        LOAD_TRAP_FIELD(a0, TF_HANDLER)
        CHECK_EQ(a0, PRV_S)
        /* still pending until stimecmp is rewritten */
        csrr a0, sip
        andi a0, a0, MIP_STIP
        CHECK_EQ(a0, MIP_STIP)
        li t0, -1
        csrw CSR_STIMECMP, t0
        csrr a0, sip
        andi a0, a0, MIP_STIP
        CHECK_EQ(a0, 0)

test_9:         /* a deadline in the past fires at once */
        TEST_NUM(9)
        li t0, MIP_STIP
        csrs sie, t0                    /* the handler cleared it */
        EXPECT_TRAP_S(CAUSE_INTERRUPT | IRQ_S_TIMER)
        rdtime a2
        addi a2, a2, -1
        csrw CSR_STIMECMP, a2
        csrsi sstatus, SSTATUS_SIE
        nop
        nop
        nop
        csrci sstatus, SSTATUS_SIE
        CHECK_TRAPPED
        li t0, -1
        csrw CSR_STIMECMP, t0

test_10:        /* not taken while sstatus.SIE = 0 in S; WFI wakes anyway */
        TEST_NUM(10)
        li t0, MIP_STIP
        csrs sie, t0
        rdtime a2
        addi a2, a2, 50
        csrw CSR_STIMECMP, a2
1:      wfi
        csrr a0, sip
        andi a0, a0, MIP_STIP
        beqz a0, 1b
        rdtime a3
        bltu a3, a2, test_fail
        li t0, -1
        csrw CSR_STIMECMP, t0
        GOTO_M
        csrw mie, zero
        csrw mideleg, zero
        csrw CSR_MENVCFG, zero
TEST_END
