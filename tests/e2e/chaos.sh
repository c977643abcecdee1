#!/usr/bin/env bash
# "The guest can never crash the simulator": run pseudo-random instruction
# streams (fixed seeds, so every run is the same) on 2 harts and check that
# hvsim ends with a guest-level outcome (exit 0, 1 or 3) and, under the
# sanitizer build, without any ASan/UBSan report. Usage: chaos.sh HVSIM [N]
set -u
HVSIM=$(realpath "$1")
N=${2:-12}
cd "$(dirname "$0")"
. ./lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# Prologue (M mode): li t0,1; slli t0,t0,31; addi t0,t0,0x100; csrw mtvec,t0;
# li t2,-1; csrw pmpaddr0,t2; li t1,0x1f; csrw pmpcfg0,t1; jr t0 — traps land
# in the random code, PMP entry 0 (NAPOT, RWX) covers everything so S/U code
# runs too.
PROLOGUE='93 02 10 00 93 92 f2 01 93 82 02 10 73 90 52 30 93 03 f0 ff 73 90 03 3b 13 03 f0 01 73 10 03 3a 67 80 02 00'
for seed in $(seq 1 "$N"); do
    img="$T/chaos$seed.bin"
    {
        for b in $PROLOGUE; do printf "\\x$b"; done
        head -c $((256 - 36)) /dev/zero
        LC_ALL=C awk -v s="$seed" 'BEGIN { srand(s); printf "%s", "" ; for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' </dev/null
    } | LC_ALL=C head -c 65536 >"$img"
    "$HVSIM" run --smp 2 --bios "$img" --serial none --max-insns 3000000 </dev/null >/dev/null 2>"$T/err"
    rc=$?
    if { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; } &&
        ! grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$T/err"; then
        pass "random guest code, seed $seed (exit $rc)"
    else
        fail "random guest code, seed $seed" "exit $rc: $(head -5 "$T/err")"
    fi
done
summary
