/* start.S — machine-mode entry of the hvsim CPU benchmark.
 *
 * Runs at 0x80000000 in M-mode (QEMU virt and hvsim riscv-virt both jump
 * there for -bios/--bios).  Sets up a PMP entry so S-mode may touch memory
 * (priv 1.12 §3.7.1), builds the Sv39 page tables in C (bench_setup_vm:
 * 4 KiB pages over the image, a gigapage over the devices), turns on
 * translation and enters bench_main in S-mode with mret.  Every trap is
 * fatal: trap_m reports it on the UART and powers off with failure.
 */
        .section .text.init, "ax", @progbits
        .globl _start
_start:
        csrr t0, mhartid
        bnez t0, park
        la sp, __stack_top
        la t0, trap_m
        csrw mtvec, t0
        csrw mie, zero
        csrw medeleg, zero
        csrw mideleg, zero
        csrw satp, zero
        /* PMP entry 0: NAPOT over everything, RWX for S/U */
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        /* S-mode may read cycle / time / instret */
        li t0, 7
        csrw mcounteren, t0
        /* clear .bss */
        la t0, __bss_start
        la t1, __bss_end
1:      bgeu t0, t1, 2f
        sd zero, 0(t0)
        addi t0, t0, 8
        j 1b
2:      call bench_setup_vm             /* a0 = satp value */
        csrw satp, a0
        sfence.vma
        /* mstatus: MPP = S, FS = Initial, MPIE = 0 */
        li t0, (3 << 11) | (3 << 13) | (1 << 7) | (1 << 3)
        csrc mstatus, t0
        li t0, (1 << 11) | (1 << 13)
        csrs mstatus, t0
        la t0, trap_s
        csrw stvec, t0
        la t0, bench_main
        csrw mepc, t0
        mret

park:   wfi
        j park

        .balign 4
trap_m:
        la sp, __stack_top
        csrr a0, mcause
        csrr a1, mepc
        csrr a2, mtval
        tail bench_trap

        .balign 4
trap_s:                                 /* nothing is delegated */
        li a0, -1
        csrr a1, sepc
        csrr a2, stval
        tail bench_trap
