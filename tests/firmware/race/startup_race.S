/* startup_race.S — an SMP start-up race that only a CPU falling far behind
 * in virtual time can hit (tests/e2e/t_race_hunt.sh, docs/explore.md).
 *
 * Hart 1 (the "secondary") enables machine software interrupts (the IPI,
 * mie.MSIE and mstatus.MIE) as its very first step, then does its start-up
 * work (WORK_ITERS iterations of a 2-instruction loop: 20 ms of virtual time
 * at 1 GHz when it runs at full speed) and only then marks itself `ready`
 * and waits for the IPI. The bug: an IPI that arrives before `ready` is
 * taken, reported ("BUG: IPI before cpu1 was ready") and dropped, so the
 * secondary never comes online.
 *
 * Hart 0 (the "boot CPU") sleeps IPI_DELAY_MS (70 ms of mtime) before it
 * sends the IPI (ACLINT MSWI msip[1]): 50 ms more than the secondary needs.
 * Under the default scheduler every CPU retires one instruction per tick,
 * so hart 1 is ready after 20 ms whatever the seed; only a CPU that is
 * 50 ms behind — a stall (--stall) or a slow CPU (--skew) — loses the IPI.
 *
 * Hart 0 then waits up to TIMEOUT_MS for `online` (WFI on its timer, 1 ms
 * at a time) and prints "brought-up 2 CPUs" or "cpu1 did not come online".
 * Either way it powers off with PASS (sifive_test 0x5555): the run exits 0,
 * like a kernel that boots with one CPU missing. Only the console tells:
 * `hvsim explore --fail-on BUG` or `--expect 'brought-up 2 CPUs'`.
 *
 * RISC-V privileged spec: mie/mip MSIP (bit 3), MTIP (bit 7) §3.1.9; WFI
 * wakes on a pending enabled interrupt even with mstatus.MIE = 0 §3.3.3;
 * ACLINT MSWI/MTIMER (CLINT layout) at 0x2000000.
 *
 * Build: riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -static
 *        -mcmodel=medany -T tests/isa/link.ld -o startup_race.elf startup_race.S
 * Run:   hvsim run --smp 2 --bios startup_race.elf [--stall 0.0005:100ms] */

#ifndef WORK_ITERS
#define WORK_ITERS   10000000     /* 2 instructions each: 20 ms at 1 GHz */
#endif
#define MTIME_PER_MS 10000        /* [aclint] timebase 10 MHz */
#define IPI_DELAY_MS 70
#define TIMEOUT_MS   500

#define ACLINT       0x2000000
#define MSIP1        (ACLINT + 4)
#define MTIMECMP0    (ACLINT + 0x4000)
#define MTIME        (ACLINT + 0xbff8)
#define UART_BASE    0x10000000
#define UART_LSR     5
#define LSR_THRE     0x20
#define TEST_BASE    0x100000
#define TEST_PASS    0x5555

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    csrr    s2, mhartid
    beqz    s2, boot_cpu
    li      t0, 1
    beq     s2, t0, secondary
park:
    wfi
    j       park

/* ---- hart 0: wait IPI_DELAY_MS, send the IPI, wait for cpu1 ---- */
boot_cpu:
    li      t0, 0x80              /* mie.MTIE: WFI wakes on the timer (MIE stays 0) */
    csrw    mie, t0
    li      a0, IPI_DELAY_MS
    call    sleep_ms
    li      t0, MSIP1             /* the IPI to cpu1 */
    li      t1, 1
    sw      t1, 0(t0)
ipi_sent:
    li      s3, TIMEOUT_MS
1:  la      t0, online
    lw      t1, 0(t0)
    bnez    t1, 2f
    beqz    s3, 3f
    addi    s3, s3, -1
    li      a0, 1
    call    sleep_ms
    j       1b
2:  la      a0, msg_ok
    call    puts
    j       4f
3:  la      a0, msg_missing
    call    puts
4:  li      t0, TEST_BASE
    li      t1, TEST_PASS
    sw      t1, 0(t0)
    j       park

/* sleep_ms(a0): WFI until mtime passes now + a0 ms. Clobbers t0-t2. */
sleep_ms:
    li      t0, MTIME
    ld      t1, 0(t0)
    li      t2, MTIME_PER_MS
    mul     t2, t2, a0
    add     t1, t1, t2
    li      t0, MTIMECMP0
    sd      t1, 0(t0)
5:  wfi
    li      t0, MTIME
    ld      t2, 0(t0)
    bltu    t2, t1, 5b
    li      t0, MTIMECMP0         /* disarm: mtimecmp = all ones */
    li      t1, -1
    sd      t1, 0(t0)
    ret

/* ---- hart 1: IPIs on first (the bug), then start-up work, then ready ---- */
secondary:
    la      t0, ipi_handler
    csrw    mtvec, t0
    li      t0, 0x8               /* mie.MSIE */
    csrw    mie, t0
    csrsi   mstatus, 0x8          /* mstatus.MIE */
secondary_work:                   /* (tests/gdb/hold.gdb parks cpu1 here) */
    li      t2, WORK_ITERS
6:  addi    t2, t2, -1
    bnez    t2, 6b
    la      t0, ready
    li      t1, 1
    sw      t1, 0(t0)
7:  wfi                           /* the IPI brings cpu1 online */
    la      t0, online
    lw      t1, 0(t0)
    beqz    t1, 7b
    j       park

/* Machine software interrupt on hart 1: clear msip; online if ready, else
 * the bug. Uses only a0-a5 (the interrupted code uses t0-t2). */
    .balign 4
ipi_handler:
    li      a1, MSIP1
    sw      zero, 0(a1)
    la      a1, ready
    lw      a2, 0(a1)
    beqz    a2, 8f
    la      a1, online
    li      a2, 1
    sw      a2, 0(a1)
    mret
8:  la      a0, msg_bug
    mv      a5, ra
    call    puts
    mv      ra, a5
    mret

/* puts(a0): NUL-terminated string to the 16550. Clobbers a0-a4. */
puts:
    li      a1, UART_BASE
9:  lbu     a2, 0(a0)
    beqz    a2, 11f
10: lbu     a3, UART_LSR(a1)
    andi    a3, a3, LSR_THRE
    beqz    a3, 10b
    sb      a2, 0(a1)
    addi    a0, a0, 1
    j       9b
11: ret

    .section .rodata
msg_ok:
    .asciz  "brought-up 2 CPUs\n"
msg_missing:
    .asciz  "cpu1 did not come online\n"
msg_bug:
    .asciz  "BUG: IPI before cpu1 was ready\n"

    .data
    .balign 64
ready:
    .word   0
    .balign 64
online:
    .word   0
