#!/usr/bin/env bash
# The x87 FPU and FXSAVE on the x86-pc board (docs/x86.md "x87"): the
# self-checking kernel tests/firmware/x86/x87.c passes (FNINIT state, exact
# results, #NM with CR0.TS/EM, #MF with CR0.NE and an unmasked #Z,
# FXSAVE/FXRSTOR round trip and #GP, LDMXCSR/STMXCSR, FNSAVE/FRSTOR) and
# exits 0 through isa-debug-exit; the trace shows the #NM, #MF and #GP it
# provoked at the instructions that raised them; the same run twice gives
# byte-identical traces. Usage: t_x86_fpu.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-x87.elf
CFG=$ROOT/configs/x86-pc.ini

# both traced runs write the console to the same file (the trace header
# records it); the copies keep each run's output
run() { # NAME ARGS...
    local n=$1; shift
    "$HVSIM" run -c "$CFG" --kernel "$K" --serial "file:$T/s.out" --max-insns 5000000 "$@" </dev/null 2>"$T/$n.err"
    local rc=$?
    cp "$T/s.out" "$T/$n.out"
    return $rc
}

run a --events all --trace "$T/a.hvt"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err"; then
    pass "x86 x87 kernel: exit 0 through isa-debug-exit"
else
    fail "x86 x87 kernel" "exit $rc: $(tail -1 "$T/a.err"); $(grep FAIL "$T/a.out" | head -3)"
fi
expect_line "$T/a.out" "x86 x87: all checks passed" "x86 x87 kernel: every check passed (COM1)"

"$HVSIM" trace show "$T/a.hvt" --events exc >"$T/show.txt" 2>&1
nm=$(grep -c "cause=#NM" "$T/show.txt")
if [ "$nm" -eq 4 ] && grep -q "cause=#NM .*: fld1" "$T/show.txt" && grep -q "cause=#NM .*: wait" "$T/show.txt" &&
    grep -q "cause=#NM .*: fxsave" "$T/show.txt"; then
    pass "trace: four #NM (fld1 with TS and EM, fwait with TS+MP, fxsave with TS)"
else
    fail "#NM in the trace" "$nm found; $(grep -m3 cause= "$T/show.txt")"
fi
if [ "$(grep -c "cause=#MF" "$T/show.txt")" -eq 2 ] && grep -q "cause=#MF .*: wait" "$T/show.txt"; then
    pass "trace: #MF at the fwait and the fld1 after an unmasked zero divide"
else
    fail "#MF in the trace" "$(grep -m3 "cause=#MF" "$T/show.txt")"
fi
if grep -q "cause=#GP .*: fxsave" "$T/show.txt" && grep -q "cause=#GP .*: ldmxcsr" "$T/show.txt" &&
    grep -q "cause=#UD .*: fxsave" "$T/show.txt"; then
    pass "trace: #GP for a misaligned fxsave and a reserved MXCSR bit, #UD for fxsave with EM"
else
    fail "#GP/#UD in the trace" "$(grep -m4 "cause=#[GU]" "$T/show.txt")"
fi

run b --events all --trace "$T/b.hvt"
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86 x87: the same run twice gives byte-identical traces"
else
    fail "x86 x87 determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.out" 2>&1; then
    pass "x86 x87: the trace replays"
else
    fail "x86 x87 replay" "$(head -3 "$T/replay.out")"
fi
summary
