/* race.S — a real data race for `hvsim explore` (tests/e2e/t_explore.sh).
 *
 * Harts 0 and 1 each increment a shared counter ITERS times with a plain,
 * non-atomic read-modify-write (lw; addi; delay; sw). When a scheduling slot
 * ends between one hart's load and its store, the other hart's increments in
 * between are lost. Which increments are lost depends only on where the
 * slots end, i.e. on --quantum and --sched-seed, so every seed is an exactly
 * repeatable outcome.
 *
 * Hart 1 raises `done` when it has finished; hart 0 then waits for it,
 * prints "counter=N" on the 16550 and powers off through the sifive_test
 * device: pass (0x5555) if N == 2 * ITERS, else fail (0x3333 with code 1 in
 * bits 31:16). Harts >= 2 park. Built with -DRACE_ATOMIC the increment is an
 * amoadd.w instead (RISC-V unprivileged spec, "A" extension §8.4) and every
 * seed passes.
 *
 * Build: riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -static
 *        -mcmodel=medany -T tests/isa/link.ld -o race.elf race.S
 * Run:   hvsim run --smp 2 --bios race.elf --quantum 100 --sched-seed S */

#define ITERS        1000
#define DELAY        4            /* iterations of the delay loop between lw and sw */
#ifndef START_DELAY
#define START_DELAY  6980         /* hart 1's setup loop: the loops overlap near the end */
#endif
#define UART_BASE    0x10000000
#define UART_LSR     5
#define LSR_THRE     0x20
#define TEST_BASE    0x100000
#define TEST_PASS    0x5555
#define TEST_FAIL    0x3333

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    csrr    s2, mhartid
    li      t0, 2
    bgeu    s2, t0, park

    la      s0, counter
    li      s1, ITERS
    beqz    s2, 1f
    li      t2, START_DELAY       /* hart 1: "setup work" first */
0:  addi    t2, t2, -1
    bnez    t2, 0b
1:
#ifdef RACE_ATOMIC
    li      t1, 1
    li      t2, DELAY
2:  addi    t2, t2, -1
    bnez    t2, 2b
    amoadd.w zero, t1, (s0)
#else
    lw      t1, 0(s0)             /* read ...               */
    addi    t1, t1, 1             /* ... increment ...      */
    li      t2, DELAY             /* (the race window)      */
2:  addi    t2, t2, -1
    bnez    t2, 2b
    sw      t1, 0(s0)             /* ... write: not atomic  */
#endif
    addi    s1, s1, -1
    bnez    s1, 1b

    bnez    s2, hart1_done

    /* hart 0: wait for hart 1, report, power off */
    la      t0, done
3:  lw      t1, 0(t0)
    beqz    t1, 3b
    fence   rw, rw
    lw      s3, 0(s0)

    la      a0, msg
    call    puts
    mv      a0, s3
    call    putdec
    li      a0, '\n'
    call    putc

    li      t0, 2 * ITERS
    li      t1, TEST_BASE
    bne     s3, t0, fail
    li      t2, TEST_PASS
    sw      t2, 0(t1)
    j       park
fail:
    li      t2, TEST_FAIL | (1 << 16)
    sw      t2, 0(t1)
park:
    wfi
    j       park

hart1_done:
    fence   rw, rw
    la      t0, done
    li      t1, 1
    sw      t1, 0(t0)
    j       park

/* putc(a0): waits for THR empty, writes the byte. Clobbers t0, t1. */
putc:
    li      t0, UART_BASE
4:  lbu     t1, UART_LSR(t0)
    andi    t1, t1, LSR_THRE
    beqz    t1, 4b
    sb      a0, 0(t0)
    ret

/* puts(a0): NUL-terminated string. Clobbers a0, t0-t3. */
puts:
    mv      t3, ra
    mv      t2, a0
5:  lbu     a0, 0(t2)
    beqz    a0, 6f
    call    putc
    addi    t2, t2, 1
    j       5b
6:  mv      ra, t3
    ret

/* putdec(a0): unsigned decimal. Clobbers a0, t0-t5. */
putdec:
    mv      t5, ra
    la      t2, digits_end
    li      t3, 10
7:  remu    t4, a0, t3
    divu    a0, a0, t3
    addi    t4, t4, '0'
    addi    t2, t2, -1
    sb      t4, 0(t2)
    bnez    a0, 7b
8:  lbu     a0, 0(t2)
    beqz    a0, 9f
    call    putc
    addi    t2, t2, 1
    j       8b
9:  mv      ra, t5
    ret

    .section .rodata
msg:
    .asciz  "counter="

    .data
    .balign 8
counter:
    .word   0
    .balign 64
done:
    .word   0
    .balign 8
digits:
    .space  24
digits_end:
    .byte   0
