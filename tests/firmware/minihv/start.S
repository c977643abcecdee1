/* start.S — minihv entry points and the HS-mode trap vector.
 *
 * _start:              boot hart, from OpenSBI fw_jump: a0 = hartid, a1 = DTB
 * hv_secondary_entry:  other harts, from SBI HSM hart_start: a0 = hartid
 * hv_trap_vector:      stvec; every trap into HS mode lands here
 * hv_enter_guest:      restore a vCPU's registers and sret into VS mode
 *
 * Convention: while a guest runs, sscratch holds the hart's struct hart *;
 * while minihv itself runs, sscratch is 0. So the vector can tell a trap from
 * the guest (save its context, handle, resume) from a trap in minihv itself
 * (a bug: report and stop). minihv runs with sstatus.SIE = 0, so only
 * exceptions can reach the vector from HS mode. */

#define NR_HARTS       4
#define HV_STACK_SIZE  8192
#define H_HV_SP        0x100      /* offsetof(struct hart, hv_sp) */

    .section .text.entry, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    li      t0, NR_HARTS
    bgeu    a0, t0, park              /* a hart minihv has no vCPU for */
    /* stack: hv_stacks + (hartid + 1) * HV_STACK_SIZE */
    la      sp, hv_stacks
    addi    t0, a0, 1
    li      t1, HV_STACK_SIZE
    mul     t0, t0, t1
    add     sp, sp, t0
    /* clear .bss (nothing else runs yet: secondaries are still stopped) */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  csrw    sscratch, zero
    la      t0, hv_trap_vector
    csrw    stvec, t0
    call    hv_boot                   /* (hartid, dtb); does not return */
    j       park

    .globl hv_secondary_entry
    .align 2
hv_secondary_entry:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    li      t0, NR_HARTS
    bgeu    a0, t0, park
    la      sp, hv_stacks
    addi    t0, a0, 1
    li      t1, HV_STACK_SIZE
    mul     t0, t0, t1
    add     sp, sp, t0
    csrw    sscratch, zero
    la      t0, hv_trap_vector
    csrw    stvec, t0
    call    hv_secondary              /* (hartid); does not return */
park:
    csrw    sie, zero
3:  wfi
    j       3b

/* ---------------------------------------------------------------------- */
    .text
    .globl hv_trap_vector
    .align 2
hv_trap_vector:
    csrrw   tp, sscratch, tp          /* tp = struct hart *, sscratch = guest tp */
    beqz    tp, trap_from_hs
    sd      x1,   1*8(tp)
    sd      x2,   2*8(tp)
    sd      x3,   3*8(tp)
    sd      x5,   5*8(tp)
    sd      x6,   6*8(tp)
    sd      x7,   7*8(tp)
    sd      x8,   8*8(tp)
    sd      x9,   9*8(tp)
    sd      x10, 10*8(tp)
    sd      x11, 11*8(tp)
    sd      x12, 12*8(tp)
    sd      x13, 13*8(tp)
    sd      x14, 14*8(tp)
    sd      x15, 15*8(tp)
    sd      x16, 16*8(tp)
    sd      x17, 17*8(tp)
    sd      x18, 18*8(tp)
    sd      x19, 19*8(tp)
    sd      x20, 20*8(tp)
    sd      x21, 21*8(tp)
    sd      x22, 22*8(tp)
    sd      x23, 23*8(tp)
    sd      x24, 24*8(tp)
    sd      x25, 25*8(tp)
    sd      x26, 26*8(tp)
    sd      x27, 27*8(tp)
    sd      x28, 28*8(tp)
    sd      x29, 29*8(tp)
    sd      x30, 30*8(tp)
    sd      x31, 31*8(tp)
    csrrw   t0, sscratch, zero        /* guest tp; sscratch = 0 while in minihv */
    sd      t0,   4*8(tp)
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    ld      sp, H_HV_SP(tp)
    mv      a0, tp
    call    hv_handle_trap            /* returns only to resume this guest */
    mv      a0, tp                    /* tp is never touched by C code */
    /* fall through */

    .globl hv_enter_guest
hv_enter_guest:                       /* a0 = struct hart * */
    mv      tp, a0
    csrw    sscratch, tp
    ld      x1,   1*8(tp)
    ld      x2,   2*8(tp)
    ld      x3,   3*8(tp)
    ld      x5,   5*8(tp)
    ld      x6,   6*8(tp)
    ld      x7,   7*8(tp)
    ld      x8,   8*8(tp)
    ld      x9,   9*8(tp)
    ld      x10, 10*8(tp)
    ld      x11, 11*8(tp)
    ld      x12, 12*8(tp)
    ld      x13, 13*8(tp)
    ld      x14, 14*8(tp)
    ld      x15, 15*8(tp)
    ld      x16, 16*8(tp)
    ld      x17, 17*8(tp)
    ld      x18, 18*8(tp)
    ld      x19, 19*8(tp)
    ld      x20, 20*8(tp)
    ld      x21, 21*8(tp)
    ld      x22, 22*8(tp)
    ld      x23, 23*8(tp)
    ld      x24, 24*8(tp)
    ld      x25, 25*8(tp)
    ld      x26, 26*8(tp)
    ld      x27, 27*8(tp)
    ld      x28, 28*8(tp)
    ld      x29, 29*8(tp)
    ld      x30, 30*8(tp)
    ld      x31, 31*8(tp)
    ld      tp,   4*8(tp)
    sret                              /* hstatus.SPV = 1, sstatus.SPP = 1: to VS */

trap_from_hs:
    csrrw   tp, sscratch, tp          /* undo the swap: sscratch = 0, tp as it was */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    hv_hs_trap                /* reports and powers off; no return */
    j       park

    .bss
    .align 12
    .globl hv_stacks
hv_stacks:
    .space  NR_HARTS * HV_STACK_SIZE
