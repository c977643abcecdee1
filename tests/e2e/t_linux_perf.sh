#!/usr/bin/env bash
# perf_event_open(2) inside Linux on hvsim's counters (issue 17 clause 3;
# docs/riscv.md "Performance counters", tests/firmware/linux/README.md):
# the Linux/KVM image booted with the word `perftest` on the command line
# runs /perftest (perftest.c) instead of the KVM launcher, on a board with
# `[cpu] mhpm-counters = 8` and `_sscofpmf`. Linux's riscv_pmu_sbi driver
# gets the counters from OpenSBI's SBI PMU (configured from the DT's
# riscv,pmu node); perftest counts cycles:u, instructions:u and raw event 7
# (taken branches) around a known loop (exact values: 3*ITERS + 7
# instructions, ITERS - 1 taken branches) and takes samples with
# sample_period 100000 -- every sample is an Sscofpmf overflow interrupt
# (LCOFI) that reached Linux. Both engines print the same bytes and the
# run replays; on the default board (no counters, no Sscofpmf) Linux
# offers no mode filtering (nor sampling) and perftest fails.
# Usage: t_linux_perf.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
IMAGE=$(bash "$ROOT/tests/firmware/linux/build.sh" riscv 2>"$T/build.err" | tail -n1)
if [ ! -f "$IMAGE" ]; then
    fail "build the Linux/KVM image" "$(tail -5 "$T/build.err")"
    summary
    exit 1
fi
BASE=rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc
printf '[cpu]\nisa = %s_sscofpmf\nmhpm-counters = 8\n' "$BASE" >"$T/pmu.ini"
APPEND="console=ttyS0 earlycon perftest"
ITERS=1000000
INSNS=$((3 * ITERS + 7))

# 1. on the board with counters: every check of perftest holds
"$HVSIM" run -c "$T/pmu.ini" --kernel "$IMAGE" --smp 2 --append "$APPEND" \
    --serial "file:$T/fast.out" --trace "$T/fast.hvt" </dev/null 2>"$T/fast.err"
rc=$?
expect_eq "perftest on mhpm-counters = 8 + Sscofpmf: exit 0" "$rc" 0
expect_line "$T/fast.out" "riscv-pmu-sbi: SBI PMU extension is available" "Linux: SBI PMU extension found"
if grep -q "sscof extension is not available" "$T/fast.out"; then
    fail "Linux: Sscofpmf found (sampling supported)" "$(grep riscv-pmu-sbi "$T/fast.out")"
else
    pass "Linux: Sscofpmf found (no \"sampling/filtering is not supported\")"
fi
expect_line "$T/fast.out" "perftest: PASS" "perftest: every check holds"
expect_line "$T/fast.out" "init: perftest exited with status 0" "init ran /perftest"
# the figures, checked here again from the printed line
stat=$(grep '^perftest: stat:' "$T/fast.out")
cyc=$(sed -n 's/.* cycles \([0-9]*\) .*/\1/p' <<<"$stat")
ins=$(sed -n 's/.* instructions \([0-9]*\) .*/\1/p' <<<"$stat")
br=$(sed -n 's/.* branches-taken \([0-9]*\) .*/\1/p' <<<"$stat")
if [ "$ins" = "$INSNS" ] && [ "$br" = $((ITERS - 1)) ]; then
    pass "perf stat: instructions:u $ins = 3*$ITERS + 7, r7:u (taken branches) $br = $ITERS - 1"
else
    fail "perf stat: exact counts" "$stat"
fi
if [ -n "$cyc" ] && [ "$cyc" -ge "$INSNS" ] && [ "$cyc" -le $((INSNS + 4)) ]; then
    pass "perf stat: cycles:u $cyc = instructions:u + $((cyc - INSNS)) (one instruction = one tick)"
else
    fail "perf stat: cycles:u" "$stat"
fi
rec=$(grep '^perftest: record:' "$T/fast.out")
ns=$(sed -n 's/.*: \([0-9]*\) samples (\([0-9]*\) with .*/\1/p' <<<"$rec")
nl=$(sed -n 's/.*: \([0-9]*\) samples (\([0-9]*\) with .*/\2/p' <<<"$rec")
if [ "$ns" = $((INSNS / 100000)) ] && [ "$nl" = "$ns" ]; then
    pass "perf record: $ns samples = $INSNS / 100000 overflow interrupts, all IPs in the loop"
else
    fail "perf record: samples" "$rec"
fi
# every sample is an LCOFI (interrupt 13) taken from U to S in the loop
"$HVSIM" trace show "$T/fast.hvt" --events irq --no-disasm >"$T/irq.txt" 2>&1
nirq=$(grep -cE 'irq\.take +cause=LCOFI U->S pc=0x' "$T/irq.txt")
nall=$(grep -c 'cause=LCOFI' "$T/irq.txt")
if [ -n "$ns" ] && [ "$nirq" = "$ns" ] && [ "$nall" = "$ns" ]; then
    pass "trace: $nirq LCOFI interrupts taken U->S, one per sample"
else
    fail "trace: one LCOFI per sample" "$nirq U->S, $nall in all, ${ns:-?} samples"
fi
if "$HVSIM" replay "$T/fast.hvt" >"$T/replay.txt" 2>&1; then pass "the perftest run replays identically"; else
    fail "the perftest run replays identically" "$(head -5 "$T/replay.txt")"; fi

# 2. --engine interp: the same console bytes and trace (the same --serial
#    path: the trace header records it)
mv "$T/fast.out" "$T/fast.keep"
"$HVSIM" run -c "$T/pmu.ini" --kernel "$IMAGE" --smp 2 --append "$APPEND" --engine interp \
    --serial "file:$T/fast.out" --trace "$T/interp.hvt" </dev/null 2>"$T/interp.err"
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$T/fast.out" "$T/fast.keep" && cmp -s "$T/fast.hvt" "$T/interp.hvt"; then
    pass "--engine interp: the same console bytes and a byte-identical trace"
else
    fail "--engine interp identical" "exit $rc; $("$HVSIM" trace diff "$T/fast.hvt" "$T/interp.hvt" 2>&1 | head -4)"
fi

# 3. the default board: no counters beyond mcycle/minstret, no Sscofpmf
"$HVSIM" run --kernel "$IMAGE" --smp 2 --append "$APPEND" \
    --serial "file:$T/plain.out" </dev/null 2>"$T/plain.err"
rc=$?
# Without Sscofpmf the driver offers neither sampling nor mode filtering:
# the first :u event is refused (EINVAL).
if [ "$rc" -eq 1 ] && grep -q "sscof extension is not available" "$T/plain.out" &&
    grep -q "^perftest: perf_event_open(cycles:u): Invalid argument" "$T/plain.out" &&
    grep -q "^perftest: FAIL[[:space:]]*$" "$T/plain.out"; then
    pass "default board: Linux says no Sscofpmf, cycles:u cannot be opened (EINVAL), perftest fails (exit 1)"
else
    fail "default board: perftest fails without counters" "exit $rc: $(grep -E 'perftest|pmu' "$T/plain.out" | head -8)"
fi
summary
