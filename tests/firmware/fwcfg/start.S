/* start.S — M-mode entry of the fw_cfg test program (hart 0; the others
 * park). Any trap is fatal: fw_trap reports it and fails. */
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
2:      call fw_main
park:   wfi
        j park

        .balign 4
trap_m:
        csrr a0, mcause
        csrr a1, mepc
        csrr a2, mtval
        tail fw_trap
