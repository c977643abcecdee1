#!/usr/bin/env bash
# The tagged TLB under VMX (docs/vmx.md "TLB"): tests/firmware/x86/vmx_tlb.c
# changes mappings without invalidating and checks that the stale entry
# survives where SDM vol. 3C §29.4 lets it (VPID / EP4TA tags across VM
# exits and entries, invalidations of other tags) and is gone after the
# INVVPID / INVEPT / MOV to CR3 / INVLPG / VPID-less entry that names it.
# Here: its verdict, the two engines giving the same trace, two runs
# byte-identical, replay.
# Usage: t_x86_vmx_tlb.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx_tlb.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
# run OUT ARGS... (lib.sh serial_run)
run() { serial_run "$1" -c "$T/vmx.ini" --smp 1 --kernel "$K" --events all --max-insns 5000000 "${@:2}"; }

run "$T/a.out" --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 vmx-tlb: all checks passed" "$T/a.out"; then
    pass "x86 vmx tagged TLB: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 vmx tagged TLB" "exit $rc: $(tail -1 "$T/a.err"); $(grep -E "FAIL" "$T/a.out" | head -5 | tr '\n' ';')"
fi
run "$T/b.out" --trace "$T/b.hvt" 2>/dev/null
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86 vmx tagged TLB: the same run twice gives byte-identical traces"
else
    fail "x86 vmx tagged TLB determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
run "$T/i.out" --trace "$T/i.hvt" --engine interp 2>/dev/null
if cmp -s "$T/a.hvt" "$T/i.hvt" && cmp -s "$T/a.out" "$T/i.out"; then
    pass "x86 vmx tagged TLB: --engine interp and fast give the same trace and console"
else
    fail "x86 vmx tagged TLB engines" "$(cmp "$T/a.hvt" "$T/i.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" --serial "file:$T/serial.out" >"$T/r.txt" 2>&1; then
    pass "x86 vmx tagged TLB: replay identical"
else
    fail "x86 vmx tagged TLB replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
fi
summary
