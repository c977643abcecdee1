/* start.S — M-mode entry of the AIA test program (tests/firmware/aia):
 * hart 0 runs aia_main, hart 1 runs aia_hart1, others park. Every trap goes
 * to aia_trap(mcause, mepc, mtval), which returns the pc to resume at. */
        .section .text.init, "ax", @progbits
        .globl _start
_start:
        csrr t0, mhartid
        li t1, 2
        bgeu t0, t1, park
        la sp, __stack_top
        slli t1, t0, 13                 /* 8 KiB of stack per hart */
        sub sp, sp, t1
        la t1, trap_m
        csrw mtvec, t1
        csrw mie, zero
        bnez t0, 3f
        la t0, __bss_start
        la t1, __bss_end
1:      bgeu t0, t1, 2f
        sd zero, 0(t0)
        addi t0, t0, 8
        j 1b
2:      call aia_main
        j park
3:      call aia_hart1
park:   wfi
        j park

        .balign 4
trap_m:
        addi sp, sp, -128
        sd ra, 0(sp)
        sd t0, 8(sp)
        sd t1, 16(sp)
        sd t2, 24(sp)
        sd a0, 32(sp)
        sd a1, 40(sp)
        sd a2, 48(sp)
        sd a3, 56(sp)
        sd a4, 64(sp)
        sd a5, 72(sp)
        sd a6, 80(sp)
        sd a7, 88(sp)
        sd t3, 96(sp)
        sd t4, 104(sp)
        sd t5, 112(sp)
        sd t6, 120(sp)
        csrr a0, mcause
        csrr a1, mepc
        csrr a2, mtval
        call aia_trap
        csrw mepc, a0
        ld ra, 0(sp)
        ld t0, 8(sp)
        ld t1, 16(sp)
        ld t2, 24(sp)
        ld a0, 32(sp)
        ld a1, 40(sp)
        ld a2, 48(sp)
        ld a3, 56(sp)
        ld a4, 64(sp)
        ld a5, 72(sp)
        ld a6, 80(sp)
        ld a7, 88(sp)
        ld t3, 96(sp)
        ld t4, 104(sp)
        ld t5, 112(sp)
        ld t6, 120(sp)
        addi sp, sp, 128
        mret

/* uint64_t run_lower(int vs): drop to S-mode (vs = 0) or VS-mode (vs = 1)
 * with that level's SIE set; the first trap there lands in lower_vec, which
 * records scause (vscause in VS) and ecalls back to M (aia_trap resumes at
 * lower_ret in M). Returns the recorded cause, 0 when none was taken
 * before the ecall after the nops and a read of sip. */
        .globl run_lower, lower_ret
run_lower:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, lower_vec
        csrw stvec, t0
        csrw 0x205, t0                  /* vstvec */
        la t0, lower_cause
        sd zero, 0(t0)
        li t0, -1
        csrw pmpaddr0, t0               /* S/VS may run everywhere */
        li t0, 0x1f
        csrw pmpcfg0, t0
        li t0, 3 << 11 | 1 << 39        /* MPP, MPV */
        csrc mstatus, t0
        li t0, 1 << 11                  /* MPP = S */
        csrs mstatus, t0
        beqz a0, 1f
        li t0, 1 << 39                  /* MPV = 1: VS */
        csrs mstatus, t0
1:      la t0, lower_code
        csrw mepc, t0
        mret
        .balign 4
lower_code:
        csrsi sstatus, 2                /* SIE (vsstatus.SIE in VS) */
        nop
        nop
        nop
        nop
        csrr t1, sip                    /* (VS-mode: a virtual-instruction trap with hvictl.VTI) */
        ecall
        .balign 4
lower_vec:
        csrr t0, scause
        la t1, lower_cause
        sd t0, 0(t1)
        ecall
lower_ret:
        la t0, lower_cause
        ld a0, 0(t0)
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

        .data
        .balign 8
        .globl lower_cause
lower_cause: .dword 0
