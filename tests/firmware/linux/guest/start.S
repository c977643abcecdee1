/* Entry and trap vector of the launcher's guests (both VMs). The guests run
 * in VS mode with translation off (vsatp = 0), so addresses are GPAs.
 *
 * Entry (vCPU0 from the launcher's KVM_SET_ONE_REG, vCPU1 from KVM's SBI HSM
 * hart_start): a0 = vCPU id, a1 = opaque (unused). Each vCPU gets its own
 * stack; tp holds the vCPU id for the trap handler. RAM is zero when the
 * launcher starts the VM, so .bss needs no clearing (and must not be cleared
 * by vCPU1, which starts later). */
#include "kvmtest.h"

#define STACK_SIZE 4096
#define MAX_VCPUS  2

    .section .text.start, "ax"
    .globl _start
_start:
    li      t0, MAX_VCPUS
    bgeu    a0, t0, park
    mv      tp, a0
    la      sp, guest_stacks
    addi    t0, a0, 1
    slli    t0, t0, 12                  /* (id + 1) * STACK_SIZE */
    add     sp, sp, t0
    la      t0, trap_entry
    csrw    stvec, t0                   /* vstvec, direct mode */
    call    guest_main                  /* a0 = vCPU id */
park:
    wfi
    j       park

/* Interrupts and exceptions of either vCPU: save the caller-saved registers,
 * call guest_trap(scause, sepc, stval), return with sret. */
    .text
    .balign 4
trap_entry:
    addi    sp, sp, -128
    sd      ra, 0(sp)
    sd      t0, 8(sp)
    sd      t1, 16(sp)
    sd      t2, 24(sp)
    sd      a0, 32(sp)
    sd      a1, 40(sp)
    sd      a2, 48(sp)
    sd      a3, 56(sp)
    sd      a4, 64(sp)
    sd      a5, 72(sp)
    sd      a6, 80(sp)
    sd      a7, 88(sp)
    sd      t3, 96(sp)
    sd      t4, 104(sp)
    sd      t5, 112(sp)
    sd      t6, 120(sp)
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    guest_trap
    ld      ra, 0(sp)
    ld      t0, 8(sp)
    ld      t1, 16(sp)
    ld      t2, 24(sp)
    ld      a0, 32(sp)
    ld      a1, 40(sp)
    ld      a2, 48(sp)
    ld      a3, 56(sp)
    ld      a4, 64(sp)
    ld      a5, 72(sp)
    ld      a6, 80(sp)
    ld      a7, 88(sp)
    ld      t3, 96(sp)
    ld      t4, 104(sp)
    ld      t5, 112(sp)
    ld      t6, 120(sp)
    addi    sp, sp, 128
    sret

    .bss
    .balign 16
    .globl guest_stacks
guest_stacks:
    .space  STACK_SIZE * MAX_VCPUS
