/* guest_start.S — entry and VS-mode trap vector of the minihv test guest.
 *
 * Runs in VS mode, vsatp = Bare, linked for GPA 0x80000000. minihv enters
 * every vCPU here with a0 = vCPU id (0 or 1), a1 = 0, a2 = VM number.
 * The CSR names below are the S-mode ones; in VS mode they reach the VS CSRs
 * (sstatus -> vsstatus, stvec -> vstvec, ...). */

#define GUEST_STACK  4096

    .section .text.entry, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, guest_stacks
    addi    t0, a0, 1
    slli    t0, t0, 12                /* GUEST_STACK */
    add     sp, sp, t0
    csrw    sscratch, a0              /* the trap handler's "who am I" */
    la      t0, guest_vector
    csrw    stvec, t0
    mv      a1, a2
    call    guest_main                /* (vcpu, vm) */
1:  wfi
    j       1b

    .align 2
guest_vector:
    addi    sp, sp, -128
    sd      ra,   0(sp)
    sd      t0,   8(sp)
    sd      t1,  16(sp)
    sd      t2,  24(sp)
    sd      t3,  32(sp)
    sd      t4,  40(sp)
    sd      t5,  48(sp)
    sd      t6,  56(sp)
    sd      a0,  64(sp)
    sd      a1,  72(sp)
    sd      a2,  80(sp)
    sd      a3,  88(sp)
    sd      a4,  96(sp)
    sd      a5, 104(sp)
    sd      a6, 112(sp)
    sd      a7, 120(sp)
    call    guest_trap
    ld      ra,   0(sp)
    ld      t0,   8(sp)
    ld      t1,  16(sp)
    ld      t2,  24(sp)
    ld      t3,  32(sp)
    ld      t4,  40(sp)
    ld      t5,  48(sp)
    ld      t6,  56(sp)
    ld      a0,  64(sp)
    ld      a1,  72(sp)
    ld      a2,  80(sp)
    ld      a3,  88(sp)
    ld      a4,  96(sp)
    ld      a5, 104(sp)
    ld      a6, 112(sp)
    ld      a7, 120(sp)
    addi    sp, sp, 128
    sret

    .bss
    .align 12
    .globl guest_stacks
guest_stacks:
    .space  2 * GUEST_STACK
