#!/usr/bin/env bash
# The XSAVE feature set (docs/x86.md "XSAVE"): the self-checking kernel
# tests/firmware/x86/xsave.c with [cpu] xsave = on (CPUID.1 XSAVE/OSXSAVE
# and leaf 0DH, XCR0 and XSETBV's #GP rules, XGETBV incl. ECX = 1, XSAVE /
# XSAVE64 / XSAVEOPT against FXSAVE's image, XSTATE_BV, XRSTOR round trips
# and init state, #GP for misalignment and reserved header bits, #UD with
# CR4.OSXSAVE = 0, #NM with CR0.TS) and with the default (off: none of it
# reported, all #UD, CR4.OSXSAVE #GP); the trace shows the exceptions at
# the instructions that raised them; two runs and the interpreter give the
# same trace; it replays; a bad [cpu] xsave value is refused.
# Usage: t_x86_xsave.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-xsave.elf
sed 's/^vmx = off$/vmx = off\nxsave = on/' "$ROOT/configs/x86-pc.ini" >"$T/on.ini"
# run OUT CFG ARGS... (lib.sh serial_run)
run() { serial_run "$1" -c "$2" --smp 1 --kernel "$K" --max-insns 5000000 "${@:3}"; }

run "$T/a.out" "$T/on.ini" --events all --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 xsave (xsave = on): all checks passed" "$T/a.out"; then
    pass "x86 xsave = on: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 xsave = on" "exit $rc: $(tail -1 "$T/a.err"); $(grep FAIL "$T/a.out" | head -5 | tr '\n' ';')"
fi

"$HVSIM" trace show "$T/a.hvt" --events exc >"$T/show.txt" 2>&1
for want in "#UD: xgetbv" "#UD: xsetbv" "#UD: xsave" "#UD: xrstor" "#UD: xsaveopt" "#GP: xsetbv" \
    "#GP: xgetbv" "#NM: xsave" "#NM: xrstor" "#GP: xsave" "#GP: xsaveopt" "#GP: xrstor"; do
    c=${want%%:*} i=${want#*: }
    if grep -qE "cause=$c .*: $i( |$)" "$T/show.txt"; then
        pass "trace: $c at $i"
    else
        fail "trace: $c at $i" "$(grep -m3 "cause=$c" "$T/show.txt" | tr '\n' ';')"
    fi
done

run "$T/b.out" "$T/on.ini" --events all --trace "$T/b.hvt" 2>/dev/null
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86 xsave: the same run twice gives byte-identical traces"
else
    fail "x86 xsave determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
run "$T/i.out" "$T/on.ini" --events all --trace "$T/i.hvt" --engine interp 2>/dev/null
if cmp -s "$T/a.hvt" "$T/i.hvt" && cmp -s "$T/a.out" "$T/i.out"; then
    pass "x86 xsave: --engine interp and fast give the same trace and console"
else
    fail "x86 xsave engines" "$(cmp "$T/a.hvt" "$T/i.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" --serial "file:$T/replay.out" >"$T/r.txt" 2>&1; then
    pass "x86 xsave: replay identical (the header carries xsave = on)"
else
    fail "x86 xsave replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
fi

run "$T/off.out" "$ROOT/configs/x86-pc.ini" 2>"$T/off.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "x86 xsave (xsave = off): all checks passed" "$T/off.out"; then
    pass "x86 xsave = off (default): $(grep -o "all checks passed.*" "$T/off.out")"
else
    fail "x86 xsave = off" "exit $rc: $(tail -1 "$T/off.err"); $(grep FAIL "$T/off.out" | head -5 | tr '\n' ';')"
fi

sed 's/^vmx = off$/vmx = off\nxsave = maybe/' "$ROOT/configs/x86-pc.ini" >"$T/bad.ini"
"$HVSIM" run -c "$T/bad.ini" --kernel "$K" --max-insns 1000 </dev/null >"$T/bad.out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "\[cpu\] xsave 'maybe' must be off or on" "$T/bad.out"; then
    pass "[cpu] xsave = maybe: exit 2 naming the key"
else
    fail "[cpu] xsave = maybe" "exit $rc: $(head -2 "$T/bad.out" | tr '\n' ';')"
fi
summary
