#!/usr/bin/env bash
# The x86 CPU test kernels (tests/firmware/x86/{exceptions,paging,syscall,
# misc}.c, docs/x86.md "Test kernels"): each checks itself and exits through
# isa-debug-exit with 0 when every check passed; each run twice gives
# byte-identical traces. Usage: t_x86_cpu.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CFG=$ROOT/configs/x86-pc.ini

for k in exceptions paging syscall misc; do
    K=$ROOT/build/firmware/x86-$k.elf
    [ -f "$ROOT/tests/firmware/x86/$k.c" ] || continue
    "$HVSIM" run -c "$CFG" --smp 1 --kernel "$K" --serial "file:$T/$k.out" --max-insns 50000000 \
        --trace "$T/$k.hvt" </dev/null 2>"$T/$k.err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/$k.err" &&
        grep -q "x86 $k: all checks passed" "$T/$k.out"; then
        pass "x86 $k kernel: every check passed ($(grep -c . "$T/$k.out") console lines)"
    else
        fail "x86 $k kernel" "exit $rc: $(tail -1 "$T/$k.err"); $(grep -E "FAIL|unexpected" "$T/$k.out" | head -5 | tr '\n' ';')"
    fi
    "$HVSIM" run -c "$CFG" --smp 1 --kernel "$K" --serial "file:$T/$k.out" --max-insns 50000000 \
        --trace "$T/$k.2.hvt" </dev/null 2>/dev/null
    if cmp -s "$T/$k.hvt" "$T/$k.2.hvt" && [ -s "$T/$k.hvt" ]; then
        pass "x86 $k kernel: the same run twice gives byte-identical traces"
    else
        fail "x86 $k determinism" "$(cmp "$T/$k.hvt" "$T/$k.2.hvt" 2>&1 | head -1)"
    fi
done
summary
