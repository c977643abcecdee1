#!/usr/bin/env bash
# "The guest can never crash the simulator": run pseudo-random instruction
# streams (fixed seeds, so every run is the same) on 2 RISC-V harts and on
# the x86 PC board (64-bit mode at CPL 0 and CPL 3, compatibility mode, real
# mode: tests/firmware/x86/
# chaos.S; virtual-8086 mode: chaos_vm86.c; 32-bit protected mode at CPL 3
# and CPL 0, 16-bit protected mode: chaos_prot32.c) and check that hvsim ends with a guest-level outcome (exit 0, 1
# or 3) and, under the sanitizer build, without any ASan/UBSan report.
# On RISC-V, every seed also runs on the reference interpreter (--engine
# interp) and must record a byte-identical trace (docs/architecture.md
# "Engines").
# Usage: chaos.sh HVSIM [N]
set -u
HVSIM=$(realpath "$1")
N=${2:-12}
cd "$(dirname "$0")"
. ./lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# random_bytes SEED FILE: 64 KiB of awk's srand(SEED) bytes
random_bytes() {
    LC_ALL=C awk -v s="$1" 'BEGIN { srand(s); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' </dev/null |
        LC_ALL=C head -c 65536 >"$2"
}
# x86_chaos KERNEL BIN NAME: KERNEL with its .chaos section replaced by BIN,
# run on one CPU; passes with a guest-level exit (0, 1, 3) and no sanitizer
# report. NAME: the check's text after "x86 random code, ".
x86_chaos() {
    local elf=${2%.bin}.elf rc
    cp "$1" "$elf"
    objcopy --update-section .chaos="$2" "$elf" || { fail "x86 random code, ${3%%,*}" "objcopy"; return; }
    # exceptions traced: exc.take reads the IDT gate and descriptor of each
    # one without side effects (trap.c x86_event_cpl), random tables included
    "$HVSIM" run -c "$ROOT/configs/x86-pc.ini" --smp 1 --kernel "$elf" --serial none \
        --max-insns 2000000 --events exc --trace "$T/x86.hvt" </dev/null >/dev/null 2>"$T/err"
    rc=$?
    if { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; } &&
        ! grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$T/err"; then
        pass "x86 random code, $3 (exit $rc: $(tail -1 "$T/err" | cut -c8-40))"
    else
        fail "x86 random code, $3" "exit $rc: $(head -5 "$T/err")"
    fi
}
# Prologues (chaos_prologue.S): odd seeds run the random words in M mode,
# even seeds in VS mode (H extension); every trap skips one word.
for v in M VS; do
    riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -c $([ $v = VS ] && echo -DVS) \
        -o "$T/pro$v.o" chaos_prologue.S &&
        riscv64-unknown-elf-objcopy -O binary -j .text "$T/pro$v.o" "$T/pro$v.bin" || {
        fail "assemble the $v prologue"; summary; exit 1; }
done
for seed in $(seq 1 "$N"); do
    img="$T/chaos$seed.bin"
    {
        if [ $((seed % 2)) -eq 0 ]; then cat "$T/proVS.bin"; else cat "$T/proM.bin"; fi
        LC_ALL=C awk -v s="$seed" 'BEGIN { srand(s); printf "%s", "" ; for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' </dev/null
    } | LC_ALL=C head -c 65536 >"$img"
    # Every seed (M and VS mode alike) also runs on the reference
    # interpreter (--engine interp); both record their check records, every
    # 20000 instructions a hash of every hart's registers and of the pages
    # written since the last one (events would only add recording time), and
    # the traces must be byte-identical.
    engines="fast interp"
    rec=(--events check,end --check-interval 20000)
    for e in $engines; do
        "$HVSIM" run --engine $e --smp 2 --bios "$img" --serial none --max-insns 3000000 \
            ${rec[@]+"${rec[@]}" --trace "$T/$e.hvt"} </dev/null >/dev/null 2>"$T/err.$e"
        echo $? >"$T/rc.$e"
    done
    rc=$(cat "$T/rc.fast")
    what="random guest code, seed $seed, $([ $((seed % 2)) -eq 0 ] && echo VS || echo M) mode"
    if { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; } &&
        ! grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$T/err.fast"; then
        pass "$what (exit $rc)"
    else
        fail "$what" "exit $rc: $(head -5 "$T/err.fast")"
    fi
    rci=$(cat "$T/rc.interp")
    if [ "$rci" -eq "$rc" ] && ! grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$T/err.interp" &&
        cmp -s "$T/fast.hvt" "$T/interp.hvt"; then
        pass "$what: --engine interp, the same exit and a byte-identical trace"
    else
        fail "$what: --engine interp differs" "exit $rci (fast $rc): $(head -3 "$T/err.interp")
$("$HVSIM" trace diff "$T/interp.hvt" "$T/fast.hvt" 2>&1 | head -8)"
    fi
done
# x86: the random bytes replace the .chaos section of a kernel built by
# `make firmware` and run in 64-bit mode at CPL 0 (seed % 4 = 0), at CPL 3
# (1), in compatibility mode (2) and in real mode (3) (then virtual-8086
# mode, below); outside CPL 3 the
# byte F4 (HLT, which would end the stream with IF = 0) is turned into F5
# (CMC).
ROOT=$(cd ../.. && pwd)
for seed in $(seq 1 "$N"); do
    mode=$((seed % 4))
    case $mode in
    0) kname=x86-chaos.elf; what="64-bit, CPL 0" ;;
    1) kname=x86-chaos-user.elf; what="64-bit, CPL 3" ;;
    2) kname=x86-chaos-compat.elf; what="compatibility mode" ;;
    *) kname=x86-chaos-real.elf; what="real mode" ;;
    esac
    kernel=$ROOT/build/firmware/$kname
    if [ ! -f "$kernel" ]; then
        fail "x86 random code" "$kernel missing (make firmware)"
        break
    fi
    random_bytes "$((seed + 1000))" "$T/x86-$seed.bin"
    if [ $mode != 1 ]; then
        LC_ALL=C tr '\364' '\365' <"$T/x86-$seed.bin" >"$T/x86-$seed.tmp" && mv "$T/x86-$seed.tmp" "$T/x86-$seed.bin"
    fi
    x86_chaos "$kernel" "$T/x86-$seed.bin" "seed $seed, $what"
done
# x86 virtual-8086 mode (tests/firmware/x86/chaos_vm86.c): a quarter as
# many seeds (from 5001), the bytes as they come (HLT is #GP there)
kernel=$ROOT/build/firmware/x86-chaos-vm86.elf
for seed in $(seq 1 $(((N + 3) / 4))); do
    if [ ! -f "$kernel" ]; then
        fail "x86 random code in virtual-8086 mode" "$kernel missing (make firmware)"
        break
    fi
    random_bytes "$((seed + 5000))" "$T/vm86-$seed.bin"
    x86_chaos "$kernel" "$T/vm86-$seed.bin" "seed $seed, virtual-8086 mode"
done
# x86 protected mode, paging off (tests/firmware/x86/chaos_prot32.c): a
# quarter as many seeds (from 6001), in turn 32-bit at CPL 3, 32-bit at CPL
# 0 (F4 -> F5 as above), 16-bit at CPL 3
for seed in $(seq 1 $(((N + 3) / 4))); do
    case $((seed % 3)) in
    1) kname=x86-chaos-prot32.elf; what="32-bit protected mode, CPL 3" ;;
    2) kname=x86-chaos-prot32-cpl0.elf; what="32-bit protected mode, CPL 0" ;;
    *) kname=x86-chaos-prot16.elf; what="16-bit protected mode, CPL 3" ;;
    esac
    kernel=$ROOT/build/firmware/$kname
    if [ ! -f "$kernel" ]; then
        fail "x86 random code in 32-bit protected mode" "$kernel missing (make firmware)"
        break
    fi
    random_bytes "$((seed + 6000))" "$T/p32-$seed.bin"
    if [ $((seed % 3)) -eq 2 ]; then
        LC_ALL=C tr '\364' '\365' <"$T/p32-$seed.bin" >"$T/p32-$seed.tmp" && mv "$T/p32-$seed.tmp" "$T/p32-$seed.bin"
    fi
    x86_chaos "$kernel" "$T/p32-$seed.bin" "seed $seed, $what"
done
summary
