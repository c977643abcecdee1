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
same_run_checks "x86 vmx tagged TLB"
summary
