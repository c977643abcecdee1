#!/usr/bin/env bash
# x86 interrupts and SMP (tests/firmware/x86/smp.c, docs/x86.md "Interrupts
# and SMP"): INIT-SIPI-SIPI bring-up of every CPU with --smp 1/2/4/8,
# per-CPU IDT IPI handlers, every ICR delivery mode and destination form,
# lowest-priority arbitration, TPR masking and nesting, ESR, the software-
# disabled state, IOAPIC level (COM1) and edge (PIT on pin 2) interrupts,
# the LAPIC timer in one-shot, periodic and TSC-deadline modes, INIT
# keeping SSE state, x2APIC. The same run twice gives byte-identical
# traces, the trace replays, other --sched-seed values still pass, and the
# timeline shows the INIT/SIPI sequence and every ICR write in words, the
# IPI latencies (per CPU pair and delivery mode) and, exported, the IPI
# flows. PAUSE ends a spinning CPU's slot (pausespin.c). The racy IPI
# handshake (ipirace.c) fails under some seeds: explore finds them and the
# failing trace replays.
# Usage: t_x86_smp.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-smp.elf
CFG=$ROOT/configs/x86-pc.ini

run() { # NAME ARGS... (the serial file name is in the trace header: always the same)
    local name=$1; shift
    "$HVSIM" run -c "$CFG" --kernel "$K" --serial "file:$T/serial.out" --max-insns 60000000 "$@" \
        </dev/null 2>"$T/$name.err"
    local rc=$?
    cp "$T/serial.out" "$T/$name.out"
    return $rc
}

for n in 1 2 4 8; do
    run smp$n --smp "$n"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^smp: $n cpus, [0-9]* checks, 0 failures" "$T/smp$n.out"; then
        pass "x86 smp --smp $n: $(grep '^smp:' "$T/smp$n.out")"
    else
        fail "x86 smp --smp $n" "exit $rc: $(tail -1 "$T/smp$n.err"); $(grep FAIL "$T/smp$n.out" | head -5)"
    fi
done

run a --smp 4 --events all --check-interval 1000 --trace "$T/a.hvt"
run b --smp 4 --events all --check-interval 1000 --trace "$T/b.hvt"
if [ -s "$T/a.hvt" ] && cmp -s "$T/a.hvt" "$T/b.hvt"; then
    pass "x86 smp: the same run twice gives byte-identical traces"
else
    fail "x86 smp determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.out" 2>&1; then
    pass "x86 smp: the trace replays"
else
    fail "x86 smp replay" "$(head -3 "$T/replay.out")"
fi

for s in 1 2 3; do
    run seed$s --smp 4 --sched-seed "$s"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^smp: 4 cpus, [0-9]* checks, 0 failures" "$T/seed$s.out"; then
        pass "x86 smp --smp 4 --sched-seed $s passes"
    else
        fail "x86 smp --sched-seed $s" "exit $rc: $(grep FAIL "$T/seed$s.out" | head -3)"
    fi
done

# the timeline: INIT, SIPI, SIPI to each AP (INIT de-asserts go to every
# CPU: one per AP brought up); fixed IPIs taken
"$HVSIM" trace show "$T/a.hvt" --events ipi >"$T/ipi.txt" 2>&1
for c in 1 2 3; do
    seq=$(grep "cpu$c  *ipi.deliver" "$T/ipi.txt" | grep -v INIT-deassert | head -3 |
          sed 's/.*line=\(.*\) src=.*/\1/' | tr '\n' ',')
    nd=$(grep -c "cpu$c  *ipi.deliver.*INIT-deassert" "$T/ipi.txt")
    if [ "$seq" = "INIT,SIPI 0x08,SIPI 0x08," ] && [ "$nd" -ge 3 ]; then
        pass "x86 smp: cpu $c receives INIT, SIPI, SIPI (and the INIT de-asserts)"
    else
        fail "x86 smp INIT/SIPI on cpu $c" "got '$seq'"
    fi
done
# every ICR write in words (docs/trace-format.md "IPI mechanisms"): to each
# AP an INIT, then two SIPIs with vector 0x08 (the trampoline at 0x8000)
for c in 1 2 3; do
    seq=$(grep "cpu0  *ipi.send  *LAPIC .* dest={$c} " "$T/ipi.txt" | head -3 |
          sed 's/.*ipi.send *LAPIC \(.*\) dest=.*/\1/' | tr '\n' ',')
    if [ "$seq" = "INIT phys=0x$c,SIPI vector=0x08 phys=0x$c,SIPI vector=0x08 phys=0x$c," ]; then
        pass "x86 smp: ipi.send names INIT, SIPI vector=0x08, SIPI to cpu $c"
    else
        fail "x86 smp ipi.send INIT/SIPI to cpu $c" "got '$seq'"
    fi
done
missing=""
for w in "cpu0 *ipi.send *LAPIC fixed vector=0x40 phys=0x1 dest={1} " \
         "cpu1 *ipi.deliver *LAPIC line=int 0x40 src=0" \
         "cpu0 *ipi.send *LAPIC INIT-deassert dest={0,1,2,3} " \
         "cpu0 *ipi.send *LAPIC fixed vector=0x40 all-but-self dest={1,2,3} " \
         "cpu0 *ipi.send *LAPIC fixed vector=0x40 all dest={0,1,2,3} " \
         "cpu0 *ipi.send *LAPIC fixed vector=0x40 self dest={0} " \
         "cpu0 *ipi.send *LAPIC fixed vector=0x40 logical=0x6 dest={1,2} " \
         "cpu0 *ipi.send *LAPIC lowest vector=0x4[0-9a-f] logical=0xe dest={[123]} " \
         "cpu0 *ipi.send *LAPIC NMI phys=0x1 dest={1} " \
         "cpu1 *ipi.deliver *LAPIC line=NMI src=0"; do
    grep -q "$w" "$T/ipi.txt" || missing="$missing [$w]"
done
# the ICR store is a 9-byte movabs (the trace keeps 8 bytes): disassembled
# from the recorded image
grep -q "cpu0 *ipi.send *LAPIC INIT phys=0x1 dest={1} pc=0x[0-9a-f]* at send_ipi+0x[0-9a-f]*: movabs dword ptr \[0xfee00300\], eax" \
    "$T/ipi.txt" || missing="$missing [movabs at the ipi.send pc]"
if [ -z "$missing" ]; then
    pass "x86 smp: ipi.send names fixed/lowest/NMI, vectors, shorthands and logical destinations"
else
    fail "x86 smp ipi events" "missing$missing"
fi
"$HVSIM" trace show "$T/a.hvt" --events irq,timer >"$T/irq.txt" 2>&1
if grep -q "cpu1 *irq.take *cause=int 0x40" "$T/irq.txt" &&
   grep -q "cpu1 *irq.complete *ctx=1 src=64" "$T/irq.txt" &&
   grep -q "timer.set *tsc-deadline" "$T/irq.txt" && grep -q "timer.fire *lapic-timer" "$T/irq.txt" &&
   grep -q "cpu1 *irq.take *cause=NMI" "$T/irq.txt"; then
    pass "x86 smp: irq.take / irq.complete (EOI), NMI, LAPIC and TSC-deadline timer events"
else
    fail "x86 smp irq/timer events" "$(grep -c irq.take "$T/irq.txt") irq.take"
fi
"$HVSIM" trace stats "$T/a.hvt" >"$T/stats.txt" 2>&1
if grep -Eq "^ *LAPIC 0->1 +[1-9][0-9]* +[1-9][0-9]* " "$T/stats.txt" &&
   grep -Eq "^ *LAPIC 0->3 +[1-9]" "$T/stats.txt"; then
    pass "x86 smp: trace stats gives IPI latency per CPU pair"
else
    fail "x86 smp stats" "$(grep -A6 'ipi latency' "$T/stats.txt")"
fi
if grep -Eq "^ *LAPIC fixed +0->1 +[1-9][0-9]* +[1-9][0-9]* .* [1-9][0-9]* [-0-9]+/" "$T/stats.txt" &&
   grep -Eq "^ *LAPIC INIT +0->2 +1 +1 " "$T/stats.txt" &&
   grep -Eq "^ *LAPIC SIPI +0->3 +2 +2 " "$T/stats.txt" &&
   grep -Eq "^ *LAPIC NMI +0->1 +1 +1 " "$T/stats.txt"; then
    pass "x86 smp: trace stats breaks IPI latency down per delivery mode"
else
    fail "x86 smp stats per delivery mode" "$(grep -A12 'per delivery mode' "$T/stats.txt")"
fi

# Perfetto / Chrome export (as tests/e2e/t_export.sh does for RISC-V): the
# IPI flows, send on cpu 0 -> ipi.deliver on the target -> its irq.take
"$HVSIM" trace export "$T/a.hvt" --format perfetto -o "$T/a.perfetto" 2>"$T/exp.err" &&
    "$HVSIM" trace export "$T/a.hvt" --format chrome -o "$T/a.chrome" 2>>"$T/exp.err" ||
    fail "x86 smp export" "$(cat "$T/exp.err")"
if command -v protoc >/dev/null && command -v jq >/dev/null; then
    protoc --decode_raw <"$T/a.perfetto" >"$T/a.pftxt" 2>"$T/protoc.err"
    start=$(awk '$1 == "47:" {print $2}' "$T/a.pftxt" | sort -u)
    end=$(awk '$1 == "48:" {print $2}' "$T/a.pftxt" | sort -u)
    common=$(comm -12 <(echo "$start") <(echo "$end") | grep -c .)
    if [ "$common" -ge 30 ] && grep -qF '"ipi.send LAPIC SIPI"' "$T/a.pftxt" &&
       grep -qF '"ipi.send LAPIC fixed"' "$T/a.pftxt"; then
        pass "x86 smp: perfetto export has $common IPI flows and names the delivery modes"
    else
        fail "x86 smp perfetto flows" "$common flows; $(head -2 "$T/protoc.err")"
    fi
    chain=$(jq -r '[.traceEvents[] | select(.ph == "s" or .ph == "t" or .ph == "f")] | group_by(.id)
                   | map(map(.ph + (.tid | tostring)) | join("")) | .[]' "$T/a.chrome" | sort | uniq -c |
            awk '{printf "%s:%s ", $2, $1}')
    if echo " $chain" | grep -Eq " s0t1f1:[1-9]" && echo " $chain" | grep -Eq " s0t3f3:[1-9]" &&
       echo " $chain" | grep -Eq " s0f2:[1-9]"; then
        pass "x86 smp: flows send -> deliver -> irq.take (and INIT/SIPI send -> deliver)"
    else
        fail "x86 smp export flow chains" "$chain"
    fi
else
    fail "x86 smp export" "needs protoc and jq (bash scripts/deps.sh)"
fi

# PAUSE ends the spinning CPU's slot (tests/firmware/x86/pausespin.c): 20
# handshakes spin about one PAUSE each but a quantum's worth of NOPs each;
# the same run twice is identical, and other seeds pass too
P=$ROOT/build/firmware/x86-pausespin.elf
prun() { # NAME ARGS...
    local name=$1; shift
    "$HVSIM" run -c "$CFG" --smp 2 --kernel "$P" --serial "file:$T/pause.out" --max-insns 20000000 \
        --trace "$T/$name.hvt" "$@" </dev/null 2>"$T/$name.err"
    local rc=$?
    cp "$T/pause.out" "$T/$name.out"
    return $rc
}
prun pause1; rc1=$?
prun pause2; rc2=$?
line=$(grep '^pausespin:' "$T/pause1.out")
nop=$(sed -n 's/^pausespin: nop spins \([0-9]*\), pause spins \([0-9]*\)$/\1/p' "$T/pause1.out")
pse=$(sed -n 's/^pausespin: nop spins \([0-9]*\), pause spins \([0-9]*\)$/\2/p' "$T/pause1.out")
if [ "$rc1" -eq 0 ] && grep -q '^PASS' "$T/pause1.out" && [ -n "$nop" ] && [ -n "$pse" ] &&
   [ "$pse" -le 60 ] && [ "$nop" -ge 2000 ]; then
    pass "x86 PAUSE yields: $line ($(grep -o '[0-9]* instructions' "$T/pause1.err"))"
else
    fail "x86 PAUSE yields" "exit $rc1: $line $(tail -1 "$T/pause1.err")"
fi
if [ "$rc2" -eq 0 ] && cmp -s "$T/pause1.hvt" "$T/pause2.hvt" && cmp -s "$T/pause1.out" "$T/pause2.out"; then
    pass "x86 PAUSE yields: the same run twice is byte-identical"
else
    fail "x86 PAUSE yields: determinism" "exit $rc2"
fi
pseeds=""
for seed in 1 2 3; do
    prun pseed$seed --sched-seed "$seed" || pseeds="$pseeds $seed"
done
if [ -z "$pseeds" ]; then
    pass "x86 PAUSE yields: --sched-seed 1..3 pass too"
else
    fail "x86 PAUSE yields: seeds" "failing:$pseeds"
fi

# the racy IPI handshake (tests/firmware/x86/ipirace.c): some seeds with a
# short quantum fail, others pass; explore finds them, the failure replays
R=$ROOT/build/firmware/x86-ipirace.elf
mkdir -p "$T/tmp"
TMPDIR=$T/tmp "$HVSIM" explore --seeds 1..8 --jobs 2 --keep "$T/keep" -- -c "$CFG" --smp 2 \
    --quantum 100 --kernel "$R" --max-insns 10000000 >"$T/explore.out" 2>&1
rc=$?
nfail=$(awk '$1 ~ /^[0-9]+$/ && $2 == "fail" { n += $6 } END { print n + 0 }' "$T/explore.out")
npass=$(awk '$1 ~ /^[0-9]+$/ && $2 == "pass" { n += $6 } END { print n + 0 }' "$T/explore.out")
if [ "$rc" -eq 1 ] && [ "$nfail" -ge 1 ] && [ "$npass" -ge 1 ]; then
    pass "x86 ipi race: explore finds failing ($nfail) and passing ($npass) seeds"
else
    fail "x86 ipi race explore" "exit $rc: $(head -12 "$T/explore.out")"
fi
kept=$(ls "$T"/keep/seed-*.hvt 2>/dev/null | head -1)
if [ -n "$kept" ] && "$HVSIM" replay "$kept" >"$T/rreplay.out" 2>&1 &&
   grep -q "replay identical" "$T/rreplay.out"; then
    pass "x86 ipi race: the failing seed's trace replays ($(basename "$kept"))"
else
    fail "x86 ipi race replay" "$(head -3 "$T/rreplay.out" 2>/dev/null)"
fi
"$HVSIM" run -c "$CFG" --smp 2 --kernel "$R" --serial "file:$T/race.out" </dev/null 2>"$T/race.err"
if [ $? -eq 0 ] && grep -q "the flag was set first" "$T/race.out"; then
    pass "x86 ipi race: passes with the default schedule"
else
    fail "x86 ipi race default" "$(tail -1 "$T/race.err")"
fi
summary
