#!/usr/bin/env bash
# Self-modifying code on the x86 core (tests/firmware/x86/smc.c, docs/x86.md
# "Performance"): instructions rewritten after they ran — on the same page,
# from another page, through another linear alias of the physical page, in
# a loop, with other instruction boundaries — run as rewritten (the
# predecoded page is dropped on the store). The kernel passes and exits 0,
# the run is deterministic (byte-identical traces with state checks) and
# replays. Usage: t_x86_smc.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-smc.elf
CFG=$ROOT/configs/x86-pc.ini

run() { # NAME ARGS...
    local name=$1; shift
    "$HVSIM" run -c "$CFG" --kernel "$K" --serial "file:$T/serial.out" --max-insns 10000000 "$@" \
        </dev/null 2>"$T/$name.err"
}

run a --smp 1 --events all --check-interval 100 --trace "$T/a.hvt"
rc=$?
cp "$T/serial.out" "$T/a.out"
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err"; then
    pass "x86 smc: exit 0 through isa-debug-exit"
else
    fail "x86 smc" "exit $rc: $(tail -1 "$T/a.err"); $(grep FAIL "$T/a.out" | head -5)"
fi
expect_line "$T/a.out" "x86 smc: all checks passed" "x86 smc: rewritten instructions run as rewritten (COM1)"

run b --smp 1 --events all --check-interval 100 --trace "$T/b.hvt"
if [ -s "$T/a.hvt" ] && cmp -s "$T/a.hvt" "$T/b.hvt"; then
    pass "x86 smc: the same run twice gives byte-identical traces"
else
    fail "x86 smc determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.out" 2>&1; then
    pass "x86 smc: the trace replays"
else
    fail "x86 smc replay" "$(head -3 "$T/replay.out")"
fi

run c --smp 2
rc=$?
if [ "$rc" -eq 0 ] && grep -q "x86 smc: all checks passed" "$T/serial.out"; then
    pass "x86 smc --smp 2: passes with a second CPU present"
else
    fail "x86 smc --smp 2" "exit $rc: $(tail -1 "$T/c.err")"
fi
summary
