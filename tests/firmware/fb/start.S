/* start.S: M-mode entry of the RISC-V framebuffer test (hart 0; the others
 * park). a1 = the DTB address (the boot ROM). Any trap is a failure. */
        .section .text.init, "ax", @progbits
        .globl _start
_start:
        csrr t0, mhartid
        bnez t0, park
        la sp, __stack_top
        la t0, trap
        csrw mtvec, t0
        mv a0, a1
        call fb_main
park:   wfi
        j park
        .balign 4
trap:   csrr a0, mcause
        csrr a1, mepc
        tail fb_trap
