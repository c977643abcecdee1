#!/usr/bin/env bash
# End-to-end tests of `hvsim trace show` and `hvsim trace stats`: a 4-hart
# OpenSBI + U-Boot boot recorded with every event kind, filters, statistics,
# broken trace files, and symbolisation + disassembly with a small
# bare-metal ELF that has symbols. Usage: t_show.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# count FILE ERE: number of lines matching
count() { grep -cE -- "$2" "$1"; }
# expect_eq NAME GOT WANT
# expect_status NAME WANT CMD...: exit status of CMD (stderr kept in $T/err)

# ---- 1. a 4-hart boot: OpenSBI starts harts 1-3 with ACLINT MSWI IPIs ----
"$HVSIM" run --smp 4 --bios "$OPENSBI" --kernel "$UBOOT" --max-insns 60000000 --serial none \
    --trace "$T/boot.hvt" --events all </dev/null >/dev/null 2>"$T/rec.err"
rc=$?
expect_eq "record 4-hart boot (instruction limit)" "$rc" 3

expect_status "show exits 0" 0 "$HVSIM" trace show "$T/boot.hvt"
cp "$T/out" "$T/all.txt"
expect_line "$T/all.txt" "# hvsim trace v1, hvsim 0.1.0, seed 0, quantum 10000, images: bios=$OPENSBI kernel=$UBOOT" \
    "show header summary"
expect_line "$T/all.txt" "# symbols: bios fw_jump.elf: no symbols; kernel uboot.elf: no symbols" \
    "stripped Debian images give no symbols"
# OpenSBI's boot hart wakes each secondary with one msip write (sw a4,0(a5)).
for h in 1 2 3; do
    expect_eq "ipi.send MSWI cpu0 -> {$h}, disassembled" \
        "$(count "$T/all.txt" "cpu0 +ipi\.send +MSWI dest=\{$h\} pc=0x[0-9a-f]+: sw a4,0\(a5\)$")" 1
    expect_eq "ipi.deliver MSWI on cpu$h" \
        "$(count "$T/all.txt" "cpu$h +ipi\.deliver +MSWI line=MSI src=0$")" 1
    expect_eq "wfi.wake of cpu$h names MSI" "$(count "$T/all.txt" "cpu$h +wfi\.wake +pending=0x8 \{MSI\}$")" 1
done
expect_eq "exactly 3 ipi.send" "$(count "$T/all.txt" " ipi\.send ")" 3
expect_line "$T/all.txt" "cause=illegal-insn M->M" "exc.take cause and privileges decoded"
expect_eq "check records print seq and hash only" \
    "$(count "$T/all.txt" "^ +[0-9]+ +[0-9.]+us +- +check +seq=[0-9]+ hash=0x[0-9a-f]{16}$")" \
    "$(count "$T/all.txt" " check ")"
expect_line "$T/all.txt" "end          status=3 (insn limit)" "end record"
total=$(count "$T/all.txt" "^ +[0-9]+ ")
expect_line "$T/all.txt" "# $total of $total events shown" "trailer counts every event"

# --hart: only that CPU's events, as many as the full listing has
"$HVSIM" trace show "$T/boot.hvt" --hart 1 >"$T/h1.txt"
n_h1=$(count "$T/h1.txt" "^ +[0-9]+ ")
expect_eq "--hart 1 keeps cpu1's events" "$n_h1" "$(count "$T/all.txt" "us cpu1 ")"
expect_eq "--hart 1 shows no other cpu" "$(count "$T/h1.txt" "us (cpu[023]|  +- ) ")" 0
if [ "$n_h1" -gt 0 ] && [ "$n_h1" -lt "$total" ]; then
    pass "--hart 1 is a proper subset"
else
    fail "--hart 1 is a proper subset" "$n_h1 of $total"
fi
"$HVSIM" trace show "$T/boot.hvt" --hart 1,2 >"$T/h12.txt"
expect_eq "--hart 1,2" "$(count "$T/h12.txt" "^ +[0-9]+ ")" \
    "$(count "$T/all.txt" "us cpu[12] ")"

# --events: groups and kind names
"$HVSIM" trace show "$T/boot.hvt" --events ipi >"$T/ipi.txt"
expect_eq "--events ipi: sends and delivers only" "$(count "$T/ipi.txt" "^ +[0-9]+ ")" 6
"$HVSIM" trace show "$T/boot.hvt" --events ipi.send >"$T/send.txt"
expect_eq "--events ipi.send" "$(count "$T/send.txt" "^ +[0-9]+ ")" 3
"$HVSIM" trace show "$T/boot.hvt" --events mmio,wfi >"$T/mw.txt"
expect_eq "--events mmio,wfi" "$(count "$T/mw.txt" "^ +[0-9]+ ")" \
    "$(count "$T/all.txt" " (mmio|wfi\.sleep|wfi\.wake) ")"

# --from/--to: an inclusive window of virtual time around the 2nd and 3rd IPI
t2=$(grep -E " ipi\.send +MSWI dest=\{2\}" "$T/all.txt" | awk '{print $1}')
t3=$(grep -E " ipi\.send +MSWI dest=\{3\}" "$T/all.txt" | awk '{print $1}')
"$HVSIM" trace show "$T/boot.hvt" --events ipi --from "$t2" --to "$t3" >"$T/win.txt"
expect_eq "--from/--to window: 2 sends + 2 delivers" "$(count "$T/win.txt" "^ +[0-9]+ ")" 4
"$HVSIM" trace show "$T/boot.hvt" --from "$t2" --to "$t3" >"$T/win2.txt"
expect_eq "--from/--to matches the times in the full listing" "$(count "$T/win2.txt" "^ +[0-9]+ ")" \
    "$(awk -v a="$t2" -v b="$t3" '/^ +[0-9]+ / && $1 >= a && $1 <= b' "$T/all.txt" | wc -l)"
"$HVSIM" trace show "$T/boot.hvt" --to 0 >"$T/none.txt"
expect_line "$T/none.txt" "# 0 of $total events shown" "--to 0 shows nothing"

# stats
expect_status "stats exits 0" 0 "$HVSIM" trace stats "$T/boot.hvt"
cp "$T/out" "$T/stats.txt"
expect_line "$T/stats.txt" "events per kind and cpu:" "stats per-kind table"
expect_eq "stats table header has the 4 cpus" \
    "$(count "$T/stats.txt" "^kind +total +cpu0 +cpu1 +cpu2 +cpu3 +-$")" 1
expect_eq "stats: ipi.send row (3, all from cpu0)" \
    "$(count "$T/stats.txt" "^ipi\.send +3 +3 +0 +0 +0 +0$")" 1
expect_eq "stats: ipi.deliver row (one per secondary)" \
    "$(count "$T/stats.txt" "^ipi\.deliver +3 +0 +1 +1 +1 +0$")" 1
expect_eq "stats: total row matches show" "$(awk '$1 == "total" {print $2}' "$T/stats.txt")" "$total"
expect_eq "stats: IPI latency line for 0->1 (1 sent, 1 delivered at once)" \
    "$(count "$T/stats.txt" "^ +MSWI +0->1 +1 +1 +0/0/0/0 +")" 1
expect_line "$T/stats.txt" "no VM exits" "stats: no VM exits on this board"

# ---- 2. host-side errors: exit 2 and a message naming the thing ----
size=$(stat -c %s "$T/boot.hvt")
head -c $((size / 2)) "$T/boot.hvt" >"$T/trunc.hvt"
expect_status "show: truncated trace exits 2" 2 "$HVSIM" trace show "$T/trunc.hvt"
expect_line "$T/err" "$T/trunc.hvt" "show: truncated trace message names the file"
expect_status "stats: truncated trace exits 2" 2 "$HVSIM" trace stats "$T/trunc.hvt"
expect_line "$T/err" "$T/trunc.hvt" "stats: truncated trace message names the file"
head -c 100 "$T/boot.hvt" >"$T/short.hvt"
expect_status "show: trace cut inside the header exits 2" 2 "$HVSIM" trace show "$T/short.hvt"
expect_line "$T/err" "$T/short.hvt" "show: cut header message names the file"
head -c 20000 /dev/urandom >"$T/garbage.hvt"
expect_status "show: garbage file exits 2" 2 "$HVSIM" trace show "$T/garbage.hvt"
expect_line "$T/err" "$T/garbage.hvt: not an hvsim trace" "show: garbage message names the file"
expect_status "stats: garbage file exits 2" 2 "$HVSIM" trace stats "$T/garbage.hvt"
expect_line "$T/err" "$T/garbage.hvt" "stats: garbage message names the file"
# a valid header followed by garbage instead of the zstd stream
hlen=$(( $(od -An -tu4 -j12 -N4 "$T/boot.hvt") + 16 ))
{ head -c "$hlen" "$T/boot.hvt"; head -c 5000 /dev/urandom; } >"$T/body.hvt"
expect_status "show: corrupt event stream exits 2" 2 "$HVSIM" trace show "$T/body.hvt"
expect_line "$T/err" "$T/body.hvt" "show: corrupt stream message names the file"
expect_status "show: missing file exits 2" 2 "$HVSIM" trace show "$T/nope.hvt"
expect_line "$T/err" "$T/nope.hvt" "show: missing file message names it"
expect_status "show: --hart x exits 2" 2 "$HVSIM" trace show "$T/boot.hvt" --hart x
expect_line "$T/err" "--hart" "show: bad --hart message names the option"
expect_status "show: --from 1k exits 2" 2 "$HVSIM" trace show "$T/boot.hvt" --from 1k
expect_line "$T/err" "--from" "show: bad --from message names the option"
expect_status "show: --from after --to exits 2" 2 "$HVSIM" trace show "$T/boot.hvt" --from 10 --to 5
expect_status "show: --events bogus exits 2" 2 "$HVSIM" trace show "$T/boot.hvt" --events bogus
expect_line "$T/err" "bogus" "show: bad --events message names the word"
expect_status "show: unknown option exits 2" 2 "$HVSIM" trace show "$T/boot.hvt" --frobnicate
expect_line "$T/err" "--frobnicate" "show: unknown option message names it"
expect_status "show: --to without a value exits 2" 2 "$HVSIM" trace show "$T/boot.hvt" --to
expect_status "show: no file exits 2" 2 "$HVSIM" trace show
expect_status "stats: unknown option exits 2" 2 "$HVSIM" trace stats "$T/boot.hvt" --bogus
expect_status "stats: two files exit 2" 2 "$HVSIM" trace stats "$T/boot.hvt" "$T/boot.hvt"

# ---- 3. symbols and disassembly: a bare-metal ELF with symbols ----
# Hart 0 writes hart 1's msip in send_ipi (ACLINT MSWI), then makes an SBI
# sPI call from S mode that its M-mode handler turns into the same write.
# Hart 1 idles in S mode in wfi; its M-mode handler forwards the machine
# software interrupt as SSIP (like OpenSBI) and its S-mode handler counts
# the IPIs. Hart 0 powers off through sifive_test after the second one.
cat >"$T/ipi.S" <<'EOF'
#define MSIP1 0x2000004
#define TEST  0x100000
    .section .text.init
    .globl _start
    .type _start, @function
_start:
    li t0, -1                   /* PMP entry 0: all memory, RWX, for S mode */
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    csrr t0, mhartid
    bnez t0, secondary
    li t1, 30000                /* let hart 1 settle in wfi */
1:  addi t1, t1, -1
    bnez t1, 1b
    call send_ipi               /* IPI 1: msip write from M mode */
    la t2, flag
2:  lw t3, 0(t2)
    beqz t3, 2b
    la t0, m_ecall              /* IPI 2: SBI sPI call from S mode */
    csrw mtvec, t0
    la t0, s_main
    csrw mepc, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x800                /* MPP = S */
    csrs mstatus, t0
    mret
    .size _start, .-_start

    .globl send_ipi
    .type send_ipi, @function
send_ipi:
    li t0, MSIP1
    li t1, 1
    sw t1, 0(t0)
    ret
    .size send_ipi, .-send_ipi

    .type s_main, @function
s_main:
    li a7, 0x735049             /* SBI IPI extension: send_ipi(mask 0b10, base 0) */
    li a6, 0
    li a0, 2
    li a1, 0
    ecall
    la t2, flag
1:  lw t3, 0(t2)
    li t4, 2
    bne t3, t4, 1b
    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
2:  j 2b
    .size s_main, .-s_main

    .align 2
    .type m_ecall, @function
m_ecall:
    call send_ipi
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    mret
    .size m_ecall, .-m_ecall

    .type secondary, @function
secondary:
    la t0, m_swi
    csrw mtvec, t0
    la t0, s_swi
    csrw stvec, t0
    li t0, 2                    /* SSI handled in S mode */
    csrw mideleg, t0
    li t0, 0xa                  /* mie: MSIE | SSIE */
    csrw mie, t0
    la t0, s_idle
    csrw mepc, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x802                /* MPP = S, SIE */
    csrs mstatus, t0
    mret
    .size secondary, .-secondary

    .type s_idle, @function
s_idle:
    wfi
    j s_idle
    .size s_idle, .-s_idle

    .align 2
    .type m_swi, @function
m_swi:
    li t0, MSIP1
    sw zero, 0(t0)
    csrsi mip, 2
    mret
    .size m_swi, .-m_swi

    .align 2
    .type s_swi, @function
s_swi:
    csrci sip, 2
    la t0, flag
    lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    sret
    .size s_swi, .-s_swi

    .data
    .type flag, @object
flag:
    .word 0
    .size flag, 4
EOF
if riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -mcmodel=medany \
        -T "$ROOT/tests/isa/link.ld" -o "$T/ipi.elf" "$T/ipi.S" 2>"$T/cc.err"; then
    pass "build bare-metal ELF with symbols"
else
    fail "build bare-metal ELF with symbols" "$(head -c 300 "$T/cc.err")"
fi
"$HVSIM" run --smp 2 --bios "$T/ipi.elf" --max-insns 10000000 --serial none \
    --trace "$T/ipi.hvt" --events all </dev/null >/dev/null 2>"$T/rec.err"
expect_eq "bare-metal IPI program powers off" "$?" 0
"$HVSIM" trace show "$T/ipi.hvt" >"$T/ipi.txt"
expect_line "$T/ipi.txt" "# symbols: bios ipi.elf: 9 symbols" "symbols loaded from the ELF"
expect_eq "ipi.send symbolised as send_ipi+0x.. and the store disassembled" \
    "$(count "$T/ipi.txt" "cpu0 +ipi\.send +MSWI dest=\{1\} pc=0x[0-9a-f]+ at send_ipi\+0x8: sw t1,0\(t0\)$")" 2
expect_eq "SBI ipi.send symbolised at the ecall" \
    "$(count "$T/ipi.txt" "cpu0 +ipi\.send +SBI dest=\{1\} pc=0x[0-9a-f]+ at s_main\+0x[0-9a-f]+: ecall$")" 1
expect_eq "sbi.call named" "$(count "$T/ipi.txt" "cpu0 +sbi\.call +IPI\.send_ipi a0=0x2 a1=0x0 from S ")" 1
# irq.take has no instruction argument: the instruction comes from the image
expect_eq "irq.take MSI disassembled from the image" \
    "$(count "$T/ipi.txt" "cpu1 +irq\.take +cause=MSI S->M pc=0x[0-9a-f]+ at s_idle\+0x4: j 0x[0-9a-f]+$")" 2
expect_eq "irq.take SSI S->S" "$(count "$T/ipi.txt" "cpu1 +irq\.take +cause=SSI S->S ")" 2
expect_eq "ipi.deliver SIP" "$(count "$T/ipi.txt" "cpu1 +ipi\.deliver +SIP line=SSI src=1$")" 2
expect_eq "exc.take ecall-S" "$(count "$T/ipi.txt" "cpu0 +exc\.take +cause=ecall-S S->M ")" 1
"$HVSIM" trace show "$T/ipi.hvt" --no-disasm >"$T/nod.txt"
expect_eq "--no-disasm keeps symbols, drops instructions" \
    "$(count "$T/nod.txt" "at send_ipi\+0x8$")" 2
"$HVSIM" trace stats "$T/ipi.hvt" >"$T/ipistats.txt"
expect_eq "stats: MSWI 0->1 sent 2, delivered 2, taken 2" \
    "$(awk '$1 == "MSWI" && $2 == "0->1" {print $3, $4, $6}' "$T/ipistats.txt")" "2 2 2"
expect_eq "stats: SBI 0->1 sent 1, delivered (SIP) 1, taken (SSI) 1" \
    "$(awk '$1 == "SBI" && $2 == "0->1" {print $3, $4, $6}' "$T/ipistats.txt")" "1 1 1"
# An image changed after recording is not used for symbols.
cp "$T/ipi.elf" "$T/ipi2.elf"
"$HVSIM" run --smp 2 --bios "$T/ipi2.elf" --max-insns 10000000 --serial none \
    --trace "$T/ipi2.hvt" --events ipi </dev/null >/dev/null 2>&1
printf 'x' >>"$T/ipi2.elf"
"$HVSIM" trace show "$T/ipi2.hvt" >"$T/ipi2.txt"
expect_line "$T/ipi2.txt" "bios ipi2.elf: changed since recording, not used" "changed image reported"
expect_eq "changed image gives no symbols" "$(count "$T/ipi2.txt" "send_ipi")" 0

summary
