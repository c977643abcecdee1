/* Prologue of the random-code test (tests/e2e/chaos.sh), at 0x80000000.
 * PMP entry 0 covers everything (RWX) so S/U/VS code may run; every trap
 * lands in a handler that skips the trapping instruction (mepc += 4) and
 * returns to the mode it came from, so the random words after 0x80000100
 * are all executed, one by one, in M mode or (with -DVS) in VS mode, where
 * they may do anything to hgatp, vsatp, hstatus, HLV/HSV, CSRs, MMIO... */
        .section .text
        .globl _start
_start:
        li      t0, 1
        slli    t0, t0, 31              /* t0 = 0x80000000 */
        addi    t1, t0, 0x80
        csrw    mtvec, t1
        li      t2, -1
        csrw    pmpaddr0, t2
        li      t1, 0x1f                /* NAPOT, RWX */
        csrw    pmpcfg0, t1
        addi    t0, t0, 0x100
        csrw    mepc, t0
#ifdef VS
        li      t1, 1
        slli    t1, t1, 39              /* mstatus.MPV */
        li      t2, 0x800               /* MPP = S */
        or      t1, t1, t2
#else
        li      t1, 0x1800              /* MPP = M */
#endif
        csrs    mstatus, t1
        mret
        .org    0x80
handler:
        csrr    t0, mepc
        addi    t0, t0, 4
        csrw    mepc, t0
        mret
        .org    0x100
