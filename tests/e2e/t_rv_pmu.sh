#!/usr/bin/env bash
# Programmable counters and Sscofpmf (docs/riscv.md "Performance counters"):
# the ISA test hpm.S (exact counts, inhibit, mode filters, counteren traps,
# overflow -> LCOFI in S with scountovf) passes on both engines with
# byte-identical traces and replays; the DTB gets the riscv,pmu node only
# when [cpu] mhpm-counters > 0; Debian's OpenSBI 1.1 then finds the
# counters and Sscofpmf; a bad count is an error naming the key (exit 2).
# Usage: t_rv_pmu.sh HVSIM   (needs build/isa/hpm.elf: make isa-build)
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
ELF=$ROOT/build/isa/hpm.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
BASE=rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc
printf '[cpu]\nisa = %s_sscofpmf\nmhpm-counters = 4\n' "$BASE" >"$T/pmu.ini"

# 1. hpm.S on both engines: pass, same trace bytes; the recording replays
if [ -f "$ELF" ]; then
    ok=1
    for eng in fast interp; do
        "$HVSIM" run -c "$T/pmu.ini" --smp 1 --bios "$ELF" --serial none --max-insns 2000000 \
            --engine "$eng" --trace "$T/hpm.$eng.hvt" </dev/null >"$T/hpm.$eng.out" 2>&1
        rc=$?
        if [ "$rc" -ne 0 ]; then
            fail "hpm on --engine $eng" "exit $rc: $(tail -1 "$T/hpm.$eng.out")"
            ok=0
        fi
    done
    if [ "$ok" = 1 ]; then
        if cmp -s "$T/hpm.fast.hvt" "$T/hpm.interp.hvt"; then
            pass "hpm: passes on both engines, byte-identical traces"
        else
            fail "hpm: the engines' traces differ"
        fi
        "$HVSIM" run -c "$T/pmu.ini" --smp 1 --bios "$ELF" --serial none --max-insns 2000000 \
            --trace "$T/hpm.again.hvt" </dev/null >/dev/null 2>&1
        if cmp -s "$T/hpm.fast.hvt" "$T/hpm.again.hvt"; then
            pass "hpm: the same run twice records the same bytes"
        else
            fail "hpm: two runs differ"
        fi
        if "$HVSIM" replay "$T/hpm.fast.hvt" >"$T/replay.txt" 2>&1; then
            pass "hpm: the recording replays"
        else
            fail "hpm: replay" "$(tail -2 "$T/replay.txt")"
        fi
    fi
    # without the counters the same program fails (they read zero)
    "$HVSIM" run --isa "${BASE}_sscofpmf" --smp 1 --bios "$ELF" --serial none \
        --max-insns 2000000 </dev/null >"$T/hpm0.out" 2>&1
    rc=$?
    if [ "$rc" -eq 1 ]; then
        pass "hpm without [cpu] mhpm-counters: the counters read zero, the test fails (exit 1)"
    else
        fail "hpm without counters" "exit $rc: $(tail -1 "$T/hpm0.out")"
    fi
else
    fail "hpm" "missing $ELF (make isa-build)"
fi

# 2. the DTB: a riscv,pmu node with counters, none by default
"$HVSIM" run -c "$T/pmu.ini" --smp 2 --dump-dtb "$T/pmu.dtb" </dev/null >/dev/null 2>&1
"$HVSIM" run --smp 2 --dump-dtb "$T/def.dtb" </dev/null >/dev/null 2>&1
compat=$(fdtget "$T/pmu.dtb" /pmu compatible 2>&1)
map=$(fdtget "$T/pmu.dtb" /pmu riscv,event-to-mhpmcounters 2>&1)
sel=$(fdtget "$T/pmu.dtb" /pmu riscv,event-to-mhpmevent 2>&1)
if [ "$compat" = "riscv,pmu" ] && [ "$map" = "1 1 120 2 2 120" ] && [ "$sel" = "1 0 1 2 0 2" ]; then
    pass "DTB: /pmu riscv,pmu maps cycles and instructions to mhpmcounter3..6"
else
    fail "DTB /pmu" "compatible '$compat' map '$map' sel '$sel'"
fi
if ! fdtget "$T/def.dtb" /pmu compatible >/dev/null 2>&1; then
    pass "default DTB: no /pmu node"
else
    fail "default DTB has a /pmu node"
fi

# 3. OpenSBI 1.1 (Debian) sees the counters and Sscofpmf
if [ -f "$OPENSBI" ]; then
    printf '[cpu]\nisa = %s_sscofpmf\nmhpm-counters = 8\n' "$BASE" >"$T/sbi.ini"
    "$HVSIM" run -c "$T/sbi.ini" --bios "$OPENSBI" --smp 1 --max-insns 30000000 \
        </dev/null >"$T/sbi.out" 2>&1
    expect_line "$T/sbi.out" "Boot HART MHPM Count      : 8" "OpenSBI: MHPM Count 8"
    expect_line "$T/sbi.out" "Boot HART ISA Extensions  : sscofpmf,time,sstc" "OpenSBI: Sscofpmf found"
    expect_line "$T/sbi.out" "Boot HART MIDELEG         : 0x0000000000003666" "OpenSBI: LCOFI delegated to S"
    "$HVSIM" run --bios "$OPENSBI" --smp 1 --max-insns 30000000 </dev/null >"$T/sbi0.out" 2>&1
    expect_line "$T/sbi0.out" "Boot HART MHPM Count      : 0" "OpenSBI on the default board: MHPM Count 0"
else
    fail "OpenSBI" "missing $OPENSBI"
fi

# 4. bad values: exit 2 naming the key
for bad in 30 x -1; do
    printf '[cpu]\nmhpm-counters = %s\n' "$bad" >"$T/bad.ini"
    "$HVSIM" run -c "$T/bad.ini" --max-insns 10 </dev/null >/dev/null 2>"$T/bad.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF "mhpm-counters" "$T/bad.err"; then
        pass "mhpm-counters = $bad: exit 2 naming the key"
    else
        fail "mhpm-counters = $bad" "exit $rc: $(cat "$T/bad.err")"
    fi
done

summary
