#!/usr/bin/env bash
# Race hunting with perturbations that model real hardware (docs/explore.md):
# a start-up race that needs one CPU >= 50 ms of virtual time behind
# (tests/firmware/race/startup_race.S) is never found by the default
# scheduler, is found with --stall and with --skew, and its kept traces
# replay; --ipi-latency delays IPIs by exactly what it says; no option =
# byte-identical traces; bad values exit 2.
# Usage: t_race_hunt.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
scratch_tmpdir

if ! race_fw "$T/sr.elf" startup_race.S 2>"$T/cc.err" || ! race_fw "$T/race.elf" race.S 2>>"$T/cc.err"; then
    fail "build the race firmware" "$(head -3 "$T/cc.err")"
    summary
    exit 1
fi
RUN=(--smp 2 --bios "$T/sr.elf" --max-insns 200000000)
JUDGE=(--jobs 2 --fail-on 'BUG' --expect 'brought-up 2 CPUs')

# fails FILE: the number of seeds with verdict fail in an explore table
fails() { awk 'NF == 7 && $2 == "fail" { n += $6 } END { print n + 0 }' "$1"; }

# 1. The firmware passes as it should without perturbations, and the run
#    exits 0 even when cpu1 is lost: only the console says so.
"$HVSIM" run "${RUN[@]}" --serial "file:$T/plain.out" 2>"$T/plain.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "brought-up 2 CPUs" "$T/plain.out"; then
    pass "startup_race without perturbations: brought-up 2 CPUs"
else
    fail "startup_race plain run" "exit $rc: $(cat "$T/plain.out" "$T/plain.err")"
fi

# 2. No perturbation option, or a zero one: byte-identical traces.
"$HVSIM" run "${RUN[@]}" --serial none --sched-seed 5 --trace "$T/a.hvt" 2>/dev/null
"$HVSIM" run "${RUN[@]}" --serial none --sched-seed 5 --trace "$T/b.hvt" --ipi-latency 0..0 \
    --skew 0 --strategy random 2>/dev/null
if cmp -s "$T/a.hvt" "$T/b.hvt" && ! head -c 300 "$T/a.hvt" | grep -qa '^perturb'; then
    pass "--ipi-latency 0..0 --skew 0 --strategy random: trace byte-identical to none"
else
    fail "zero perturbations are byte-identical" "$(cmp "$T/a.hvt" "$T/b.hvt")"
fi

# 3. The default scheduler never finds it: every seed passes.
N=24
"$HVSIM" explore --seeds 1..$N "${JUDGE[@]}" --keep "$T/k0" -- "${RUN[@]}" >"$T/e0.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^all $N seeds passed" "$T/e0.out"; then
    pass "explore, default perturbations: 0 of $N seeds find the start-up race"
else
    fail "explore default" "exit $rc: $(head -8 "$T/e0.out")"
fi

# 4. With stalls it does; every kept trace replays and shows the bug.
"$HVSIM" explore --seeds 1..$N "${JUDGE[@]}" --keep "$T/k1" --json "$T/e1.json" -- "${RUN[@]}" \
    --stall 0.001:100ms >"$T/e1.out" 2>&1
rc=$?
n1=$(fails "$T/e1.out")
if [ "$rc" -eq 1 ] && [ "$n1" -ge 1 ] && grep -q 'console "BUG: IPI before cpu# was ready"' "$T/e1.out"; then
    pass "explore --stall 0.001:100ms: $n1 of $N seeds find the start-up race"
else
    fail "explore --stall" "exit $rc, $n1 fails: $(head -8 "$T/e1.out")"
fi
first=$(ls "$T/k1"/seed-*.hvt 2>/dev/null | head -1)
if [ -n "$first" ] && "$HVSIM" replay "$first" --serial "file:$T/r1.out" >"$T/r1.txt" 2>&1 &&
    grep -q "BUG: IPI before cpu1 was ready" "$T/r1.out" && grep -q "cpu1 did not come online" "$T/r1.out"; then
    pass "a stalled seed replays identically ($(basename "$first")) and shows the lost IPI"
else
    fail "replay of a stalled seed" "$(head -4 "$T/r1.txt" 2>/dev/null)"
fi
if [ -n "$first" ] && head -c 400 "$first" | grep -qa '^perturb stall=0.001:100000000$'; then
    pass "the trace header records the perturbation (perturb stall=0.001:100000000)"
else
    fail "trace header perturb line" "$(head -c 300 "$first" | strings | head -10)"
fi

cov() { sed -n 's/^interleaving coverage (.*): cpu0-cpu1 \([0-9]*\)$/\1/p' "$1"; }
c0=$(cov "$T/e0.out"); c1=$(cov "$T/e1.out")
if [ -n "$c0" ] && [ -n "$c1" ] && [ "$c0" -ge 1 ] && [ "$c1" -gt "$c0" ]; then
    pass "interleaving coverage cpu0-cpu1: $c0 successions by default, $c1 with stalls"
else
    fail "interleaving coverage" "default '$c0', stall '$c1': $(grep coverage "$T/e0.out" "$T/e1.out")"
fi

# 5. With skewed CPU speeds it does too.
"$HVSIM" explore --seeds 1..40 "${JUDGE[@]}" --keep "$T/k2" -- "${RUN[@]}" --skew 90 >"$T/e2.out" 2>&1
rc=$?
n2=$(fails "$T/e2.out")
if [ "$rc" -eq 1 ] && [ "$n2" -ge 1 ]; then
    pass "explore --skew 90: $n2 of 40 seeds find the start-up race"
else
    fail "explore --skew" "exit $rc, $n2 fails: $(head -8 "$T/e2.out")"
fi
first=$(ls "$T/k2"/seed-*.hvt 2>/dev/null | head -1)
if [ -n "$first" ] && "$HVSIM" replay "$first" >"$T/r2.txt" 2>&1; then
    pass "a skewed seed replays identically ($(basename "$first"))"
else
    fail "replay of a skewed seed" "$(head -4 "$T/r2.txt" 2>/dev/null)"
fi

# 6. IPI latency can only delay the IPI: it never finds this race, and a
#    fixed 5 ms latency makes the run end 5 ms of virtual time later.
vt() { sed -n 's/.*virtual time \([0-9]*\) ns.*/\1/p' "$1"; }
"$HVSIM" run "${RUN[@]}" --serial none 2>"$T/l0.err"
"$HVSIM" run "${RUN[@]}" --serial none --ipi-latency 5ms..5ms 2>"$T/l5.err"
d=$(( $(vt "$T/l5.err") - $(vt "$T/l0.err") ))
if [ "$d" -ge 4990000 ] && [ "$d" -le 5010000 ]; then
    pass "--ipi-latency 5ms..5ms: the run ends $d ns later (the IPI arrives 5 ms late)"
else
    fail "--ipi-latency delays the IPI" "difference $d ns: $(cat "$T/l0.err" "$T/l5.err")"
fi
"$HVSIM" explore --seeds 1..6 "${JUDGE[@]}" --keep "$T/k3" -- "${RUN[@]}" --ipi-latency 0..10ms >"$T/e3.out" 2>&1
if [ "$?" -eq 0 ]; then
    pass "--ipi-latency 0..10ms: every seed passes (latency only makes the IPI later)"
else
    fail "--ipi-latency explore" "$(head -6 "$T/e3.out")"
fi

# 7. Perturbed runs are repeatable: the same seed twice, identical traces;
#    PCT on the lost-update race too, and its traces replay.
P=(--stall 0.001:100ms --skew 30 --ipi-latency 100..20us)
"$HVSIM" run "${RUN[@]}" "${P[@]}" --serial none --sched-seed 7 --trace "$T/p1.hvt" 2>/dev/null
"$HVSIM" run "${RUN[@]}" "${P[@]}" --serial none --sched-seed 7 --trace "$T/p2.hvt" 2>/dev/null
if cmp -s "$T/p1.hvt" "$T/p2.hvt" && "$HVSIM" replay "$T/p1.hvt" >/dev/null 2>&1; then
    pass "stall + skew + ipi-latency: the same seed twice gives identical traces, and it replays"
else
    fail "perturbed runs are repeatable" "$(cmp "$T/p1.hvt" "$T/p2.hvt")"
fi
RACE=(--smp 2 --bios "$T/race.elf" --quantum 100 --max-insns 10000000 --strategy pct:2)
"$HVSIM" explore --seeds 1..6 --jobs 2 --keep "$T/k4" -- "${RACE[@]}" >"$T/pct1.out" 2>&1
"$HVSIM" explore --seeds 1..6 --jobs 1 --keep "$T/k4" -- "${RACE[@]}" >"$T/pct2.out" 2>&1
bad=0
for f in "$T"/k4/*.hvt; do
    [ -e "$f" ] && ! "$HVSIM" replay "$f" >/dev/null 2>&1 && bad=$((bad + 1))
done
if cmp -s "$T/pct1.out" "$T/pct2.out" && grep -qE '^ +1  (pass|fail) ' "$T/pct1.out" && [ "$bad" -eq 0 ]; then
    pass "--strategy pct:2 on the lost-update race: repeatable table, kept traces replay"
else
    fail "--strategy pct:2" "$bad replays failed: $(diff "$T/pct1.out" "$T/pct2.out" | head -4)"
fi

# 8. --minimize: of stall + skew + ipi-latency, stall alone reproduces the
#    lost IPI; the minimised run is kept and replays; the diff names the
#    first event where it departs from the unperturbed run.
"$HVSIM" explore --seeds 1..4 "${JUDGE[@]}" --keep "$T/k5" -- "${RUN[@]}" --stall 0.001:100ms \
    --skew 30 --ipi-latency 100..2000 >"$T/e5.out" 2>&1
first=$(ls "$T/k5"/seed-*.hvt 2>/dev/null | head -1)
if [ -n "$first" ]; then
    "$HVSIM" explore --minimize "$first" --fail-on BUG --keep "$T/k5" >"$T/min.out" 2>&1
    rc=$?
    s=$(basename "$first" .hvt)
    if [ "$rc" -eq 1 ] && grep -q "^smallest set that still fails: stall=0.001:100000000  (stall needed)$" "$T/min.out" &&
        "$HVSIM" replay "$T/k5/minimized-$s.hvt" >/dev/null 2>&1 &&
        grep -qE "^  [AB]: +[0-9]+ cpu[01] " "$T/min.out" &&
        grep -qE "^critical ordering: cpu0's timer.fire at t=70[0-9]{6} ns now precedes cpu1's wfi.sleep" "$T/min.out"; then
        pass "--minimize $s: stall alone; the minimised trace replays; cpu0's timer.fire now precedes cpu1's wfi.sleep"
    else
        fail "--minimize" "exit $rc: $(head -12 "$T/min.out")"
    fi
    # within the kind: a smaller stall (MAX, then probability) that still
    # reproduces, every value verified by a run; the kept trace is that run
    within=$(sed -n 's/^smallest within the kinds that still fails: stall=\(0\.[0-9]*\):\([0-9]*\)$/\1 \2/p' "$T/min.out")
    wmax=${within#* }
    if [ -n "$within" ] && [ "$wmax" -lt 100000000 ] &&
        head -c 3000 "$T/k5/minimized-$s.hvt" | grep -aq "^perturb.*stall=${within% *}:$wmax"; then
        pass "--minimize $s within the kind: stall=${within/ /:} still reproduces (MAX was 100 ms); kept and replayed"
        if grep -qE "^critical ordering \(the IPI\): cpu0's ipi.send at t=70[0-9]{6} ns now precedes cpu1's wfi.sleep at t=[0-9]+ ns \(t=200[0-9]{5} ns, before the IPI" "$T/min.out"; then
            pass "--minimize names the IPI: cpu0's ipi.send at t=70 ms now precedes cpu1's wfi.sleep (20 ms before it unperturbed)"
        else
            fail "--minimize names the IPI" "$(grep '^critical' "$T/min.out")"
        fi
    else
        fail "--minimize within the kind" "'$within': $(grep -A3 '^within' "$T/min.out" | head -4)"
    fi
else
    fail "--minimize: a failing seed with three perturbations" "$(head -6 "$T/e5.out")"
fi

# 8b. --guided: per-run perturbations steered toward new cross-CPU
#     successions find the race that the default scheduler never finds
#     (seeds 1..40: first at run 4, 3 failing runs); the choice does not
#     depend on --jobs; a kept failure replays from its header alone.
"$HVSIM" explore --guided --seeds 1..40 "${JUDGE[@]}" --keep "$T/kg" -- "${RUN[@]}" >"$T/g2.out" 2>&1
grc=$?
"$HVSIM" explore --guided --seeds 1..40 --jobs 1 --fail-on BUG --expect 'brought-up 2 CPUs' \
    --keep "$T/kg1" -- "${RUN[@]}" >"$T/g1.out" 2>&1
ng=$(fails "$T/g2.out")
gfirst=$(ls "$T/kg"/seed-*.hvt 2>/dev/null | head -1)
if [ "$grc" -eq 1 ] && [ "$ng" -ge 1 ] && grep -qE "^guided: 40 runs in batches of 8, corpus [1-9][0-9]*; first failure at run [0-9]+" "$T/g2.out" &&
    grep -qE "^  seed [0-9]+: .*stall=" "$T/g2.out"; then
    pass "explore --guided: $ng of 40 runs find the start-up race ($(grep -oE 'first failure at run [0-9]+' "$T/g2.out"))"
else
    fail "explore --guided" "exit $grc: $(tail -6 "$T/g2.out")"
fi
if diff <(grep -v "replay with\|hvsim replay" "$T/g2.out" | sed 's|/kg1\?/|/K/|') \
        <(grep -v "replay with\|hvsim replay" "$T/g1.out" | sed 's|/kg1\?/|/K/|') >/dev/null; then
    pass "explore --guided: --jobs 2 and --jobs 1 choose the same perturbations (same table)"
else
    fail "explore --guided is deterministic" "$(diff "$T/g2.out" "$T/g1.out" | head -6)"
fi
if [ -n "$gfirst" ] && "$HVSIM" replay "$gfirst" 2>&1 | grep -q "replay identical"; then
    pass "explore --guided: the kept failure replays (its perturbations are in the header)"
else
    fail "explore --guided: kept failure replays" "'$gfirst'"
fi
"$HVSIM" explore --random-perturb --seeds 1..8 "${JUDGE[@]}" --keep "$T/kr" -- "${RUN[@]}" >"$T/r.out" 2>&1
if grep -qE "^random-perturb: 8 runs in batches of 8, corpus 0;" "$T/r.out"; then
    pass "explore --random-perturb: the unsteered baseline keeps no corpus"
else
    fail "explore --random-perturb" "$(tail -4 "$T/r.out")"
fi
"$HVSIM" explore --guided --seeds 1..2 -- "${RUN[@]}" --stall 0.001:1ms >"$T/gb.out" 2>&1
rc=$?
"$HVSIM" explore --guided --shard 1/2 --seeds 1..2 -- "${RUN[@]}" >"$T/gs.out" 2>&1
rc2=$?
if [ "$rc" -eq 2 ] && grep -q "choose --stall" "$T/gb.out" && [ "$rc2" -eq 2 ] && grep -q -- "--shard" "$T/gs.out"; then
    pass "explore --guided with --stall in RUN-OPTIONS, or with --shard: exit 2 naming it"
else
    fail "explore --guided bad input" "exit $rc/$rc2: $(cat "$T/gb.out" "$T/gs.out" | head -3)"
fi

# 9. A correct SMP program stays correct under every perturbation: minihv
#    (4 harts, 2 VMs, host and guest IPIs), and its run replays identically.
MINIHV=$ROOT/build/firmware/minihv.elf
if [ -f "$MINIHV" ]; then
    "$HVSIM" run --smp 4 --kernel "$MINIHV" --serial "file:$T/mh.out" --max-insns 500000000 \
        --ipi-latency 100..20us --stall 0.001:2ms --skew 30 --sched-seed 9 --trace "$T/mh.hvt" 2>/dev/null
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "minihv: all VMs passed" "$T/mh.out" &&
        "$HVSIM" replay "$T/mh.hvt" >"$T/mh.replay" 2>&1; then
        pass "minihv under ipi-latency + stall + skew: all VMs passed, replay identical"
    else
        fail "minihv under perturbations" "exit $rc: $(tail -2 "$T/mh.out") $(head -3 "$T/mh.replay")"
    fi
else
    fail "minihv under perturbations" "$MINIHV missing (make firmware)"
fi

# 10. Bad values: one message naming the option, exit 2.
bad_opt() { # TEXT ARGS...
    local text=$1
    shift
    "$HVSIM" run "${RUN[@]}" "$@" >"$T/u.out" 2>&1
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$T/u.out"; then
        pass "bad value: $*"
    else
        fail "bad value: $*" "exit $rc: $(head -2 "$T/u.out")"
    fi
}
bad_opt "--ipi-latency: '5..1'" --ipi-latency 5..1
bad_opt "--ipi-latency: '3x'" --ipi-latency 3x
bad_opt "--stall: '2:1ms'" --stall 2:1ms
bad_opt "--stall: '0.5'" --stall 0.5
bad_opt "--skew: '95'" --skew 95
bad_opt "--strategy: 'pct:0'" --strategy pct:0
bad_opt "--strategy: 'fifo'" --strategy fifo

summary
