/* start.S — M-mode entry of the virtio test program (hart 0 only; others
 * park). Traps go to trap_m: a load from an absent device is skipped
 * (probe_fault set), every other trap is fatal (vt_trap). The program is
 * built without the C extension, so every instruction is 4 bytes. */
        .section .text.init, "ax", @progbits
        .globl _start
_start:
        csrr t0, mhartid
        bnez t0, park
        la sp, __stack_top
        la t0, trap_m
        csrw mtvec, t0
        csrw mie, zero
        la t0, __bss_start
        la t1, __bss_end
1:      bgeu t0, t1, 2f
        sd zero, 0(t0)
        addi t0, t0, 8
        j 1b
2:      call vt_main
park:   wfi
        j park

        .balign 4
trap_m:
        addi sp, sp, -16
        sd t0, 0(sp)
        sd t1, 8(sp)
        csrr t0, mcause
        li t1, 5                        /* load access fault: a probe */
        bne t0, t1, fatal
        la t0, probe_fault
        li t1, 1
        sw t1, 0(t0)
        csrr t0, mepc
        addi t0, t0, 4
        csrw mepc, t0
        ld t0, 0(sp)
        ld t1, 8(sp)
        addi sp, sp, 16
        mret
fatal:
        csrr a0, mcause
        csrr a1, mepc
        csrr a2, mtval
        tail vt_trap
