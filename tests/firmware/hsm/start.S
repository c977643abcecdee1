/* start.S — entry points of the HSM start test (hsm.c).
 *
 * _start is the cold-boot entry: OpenSBI fw_jump enters it in S mode on its
 * boot hart with a0 = hartid, a1 = the DTB. Only one hart may ever come
 * here: the first one claims `hsm_booted` (amoswap) and runs hsm_boot();
 * any later one is a secondary that OpenSBI sent to the stale cold-boot
 * address instead of the one hart_start asked for: hsm_stale_entry().
 *
 * hsm_entry_K (K = 0 .. HSM_MAX_HARTS-1, HSM_ENTRY_STRIDE bytes apart) is
 * the start address hsm_boot() passes to SBI HSM hart_start for hart K:
 * each entry knows its K and calls hsm_secondary(K, a0, a1), which checks
 * that a0 == K and a1 == the opaque value requested for hart K.
 *
 * Every entry begins with ARRIVED_MARK: an SBI HSM hart_get_status call
 * (its result unused) made with the a0/a1 the hart arrived with, so the
 * trace's sbi.call event of each S-mode entry shows where the hart came in
 * and with what a1 (the opaque value, or a stale one):
 *   sbi.call HSM.hart_get_status a0=0x2 a1=0x82200000 from S pc=... at _start+0xa
 *
 * Stacks: 4 KiB per hart below _stacks_end, chosen by the hartid in a0 at
 * _start and by K at hsm_entry_K (a0 is what is being checked there).
 * Build: tests/firmware/hsm/build.sh OUTDIR */
#include "hsm.h"

/* SBI HSM hart_get_status(a0) keeping a0, a1; clobbers t1, t2, a6, a7. */
.macro ARRIVED_MARK
    mv      t1, a0
    mv      t2, a1
    li      a7, 0x48534D            /* SBI_EXT_HSM */
    li      a6, 2                   /* hart_get_status */
    ecall
    mv      a0, t1
    mv      a1, t2
.endm

    .section .text.entry, "ax", @progbits
    .globl _start
    .type   _start, @function
_start:
    ARRIVED_MARK
    li      t0, HSM_MAX_HARTS
    bgeu    a0, t0, park            /* a hart we have no stack for */
    mv      tp, a0
    la      sp, _stacks_end
    slli    t0, a0, 12
    sub     sp, sp, t0
    la      t0, hsm_booted
    li      t1, 1
    amoswap.w.aqrl t1, t1, (t0)
    bnez    t1, 1f
    call    hsm_boot                /* does not return */
    j       park
1:  call    hsm_stale_entry         /* does not return */
    j       park

    .globl park
    .type   park, @function
park:
    wfi
    j       park

/* The per-hart start addresses, HSM_ENTRY_STRIDE bytes apart. */
.macro HSM_ENTRY k
    .balign HSM_ENTRY_STRIDE
    .globl hsm_entry_\k
    .type   hsm_entry_\k, @function
hsm_entry_\k:
    ARRIVED_MARK
    li      t0, \k
    j       secondary_common        /* (build.sh checks the entries' addresses) */
.endm

    .altmacro
    .set    k, 0
    .rept   HSM_MAX_HARTS
    HSM_ENTRY %k
    .set    k, k + 1
    .endr
    .noaltmacro

    .type   secondary_common, @function
secondary_common:
    mv      tp, t0
    la      sp, _stacks_end
    slli    t1, t0, 12
    sub     sp, sp, t1
    mv      a2, a1
    mv      a1, a0
    mv      a0, t0
    call    hsm_secondary           /* a0 = K, a1 = hartid, a2 = opaque */
    j       park
