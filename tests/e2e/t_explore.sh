#!/usr/bin/env bash
# hvsim explore on a program with a real data race (tests/firmware/race):
# different seeds give different outcomes, the table is repeatable, kept
# traces replay, shards partition the seed range, usage errors exit 2.
# Usage: t_explore.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
scratch_tmpdir

if ! race_fw "$T/race.elf" race.S 2>"$T/cc.err" ||
    ! race_fw "$T/race-atomic.elf" race.S -DRACE_ATOMIC 2>>"$T/cc.err"; then
    fail "build race.S" "$(head -3 "$T/cc.err")"
    summary
    exit 1
fi
RUN=(--smp 2 --bios "$T/race.elf" --quantum 100 --max-insns 10000000)

# table_seeds FILE: one line "SEED EXIT SIGNATURE VERDICT" per seed of the
# table (rows: outcome verdict exit signature trace count seeds)
table_seeds() {
    awk 'NF == 7 && $1 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ {
        n = split($7, parts, ",")
        for (i = 1; i <= n; i++) {
            m = split(parts[i], r, "-")
            lo = r[1]; hi = (m == 2 ? r[2] : r[1])
            for (s = lo; s <= hi; s++) print s, $3, $4, $2
        }
    }' "$1" | sort -n
}

# 1. Seeds 1..6: at least two distinct outcomes (some seeds lose updates).
"$HVSIM" explore --seeds 1..6 --jobs 2 --keep "$T/keep" -- "${RUN[@]}" >"$T/a.out" 2>"$T/a.err"
rc=$?
outcomes=$(table_seeds "$T/a.out" | awk '{ print $2, $3, $4 }' | sort -u | wc -l)
nseeds=$(table_seeds "$T/a.out" | wc -l)
if [ "$nseeds" -eq 6 ] && [ "$outcomes" -ge 1 ]; then
    pass "explore lists outcomes for all 6 seeds ($outcomes distinct)"
else
    fail "explore table" "exit $rc, $nseeds seeds: $(head -5 "$T/a.out" "$T/a.err")"
fi
# Rows are (verdict, exit, masked console): "counter=1874" and "counter=1902"
# are one row, and the trace hash (different for every seed) splits none.
rows=$(grep -cE '^ +[0-9]+  (pass|fail|hang) ' "$T/a.out")
if [ "$outcomes" -ge 2 ] && [ "$rows" -eq 2 ] && grep -q 'console "counter=#"' "$T/a.out"; then
    pass "the race gives two outcome rows, pass and fail, console masked to 'counter=#'"
else
    fail "the race gives two outcome rows (pass/fail)" "$(cat "$T/a.out")"
fi
nfail=$(table_seeds "$T/a.out" | awk '$2 != 0' | wc -l)
if [ "$nfail" -ge 1 ]; then
    if [ "$rc" -eq 1 ]; then
        pass "some seed lost an update: explore exits 1"
    else
        fail "explore exit status with failing seeds" "exit $rc"
    fi
else
    fail "some seed loses an update (widen the race window in race.S)" "$(cat "$T/a.out")"
fi

# 2. Repeatable: the same exploration (with another --jobs) prints the same.
"$HVSIM" explore --seeds 1..6 --jobs 1 --keep "$T/keep" -- "${RUN[@]}" >"$T/b.out" 2>&1
if cmp -s "$T/a.out" "$T/b.out"; then
    pass "the same explore twice prints the same table"
else
    fail "explore is repeatable" "$(diff "$T/a.out" "$T/b.out" | head -6)"
fi

# 3. Exactly the failing seeds' traces are kept, and each replays.
want=$(table_seeds "$T/a.out" | awk '$2 != 0 { print "seed-" $1 ".hvt" }' | sort)
have=$(cd "$T/keep" 2>/dev/null && ls | sort)
if [ "$want" = "$have" ]; then
    pass "traces kept for exactly the failing seeds ($(echo $have))"
else
    fail "kept traces" "want '$(echo $want)', have '$(echo $have)'"
fi
bad=0
for f in "$T"/keep/*.hvt; do
    [ -e "$f" ] || continue
    if ! "$HVSIM" replay "$f" >"$T/replay.out" 2>&1; then
        bad=$((bad + 1))
        echo "  $(basename "$f"): $(head -3 "$T/replay.out")"
    fi
done
if [ "$bad" -eq 0 ] && [ -n "$have" ]; then
    pass "every kept trace replays (exit 0)"
else
    fail "kept traces replay" "$bad failed"
fi
if grep -q "hvsim replay $T/keep/seed-" "$T/a.out"; then
    pass "explore prints how to replay a kept trace"
else
    fail "explore prints how to replay" "$(tail -3 "$T/a.out")"
fi
if [ -z "$(ls -A "$T/tmp")" ]; then
    pass "no temporary files left behind"
else
    fail "temporary files left behind" "$(ls -A "$T/tmp" | head -3)"
fi

# 4. Shards 1/2 and 2/2 partition the range with the same per-seed outcomes.
"$HVSIM" explore --seeds 1..6 --shard 1/2 --keep "$T/keep1" -- "${RUN[@]}" >"$T/s1.out" 2>&1
"$HVSIM" explore --seeds 1..6 --shard 2/2 --keep "$T/keep2" -- "${RUN[@]}" >"$T/s2.out" 2>&1
s1=$(table_seeds "$T/s1.out" | awk '{ print $1 }' | tr '\n' ' ')
s2=$(table_seeds "$T/s2.out" | awk '{ print $1 }' | tr '\n' ' ')
if [ "$s1" = "1 3 5 " ] && [ "$s2" = "2 4 6 " ]; then
    pass "shard 1/2 runs 1,3,5 and shard 2/2 runs 2,4,6"
else
    fail "shard seeds" "1/2: '$s1', 2/2: '$s2'"
fi
if [ "$(cat <(table_seeds "$T/s1.out") <(table_seeds "$T/s2.out") | sort -n)" = "$(table_seeds "$T/a.out")" ]; then
    pass "shards together cover exactly the full run, with the same outcomes"
else
    fail "shards cover the full run" "$(diff <(cat <(table_seeds "$T/s1.out") <(table_seeds "$T/s2.out") | sort -n) <(table_seeds "$T/a.out") | head -4)"
fi

# 5. With an atomic increment every seed passes: exit 0, nothing kept.
"$HVSIM" explore --seeds 1..6 --keep "$T/keep-atomic" -- --smp 2 --bios "$T/race-atomic.elf" \
    --quantum 100 --max-insns 10000000 >"$T/atomic.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^all 6 seeds passed" "$T/atomic.out" && [ ! -e "$T/keep-atomic" ]; then
    pass "atomic increments: every seed passes, exit 0, no traces kept"
else
    fail "atomic increments" "exit $rc: $(cat "$T/atomic.out" | head -5)"
fi

# 6. Outcomes that mean something: --fail-on turns a passing console into a
#    failure (trace kept), --expect a missing line, --max-insns a hang.
"$HVSIM" explore --seeds 1..6 --jobs 2 --keep "$T/keep-fo" --fail-on 'counter=2000' \
    --json "$T/fo.json" --junit "$T/fo.xml" -- "${RUN[@]}" >"$T/fo.out" 2>&1
rc=$?
npass=$(table_seeds "$T/a.out" | awk '$2 == 0' | wc -l)
fo=$(table_seeds "$T/fo.out" | awk '$2 == 0 && $4 == "fail"' | wc -l)
if [ "$rc" -eq 1 ] && [ "$fo" -eq "$npass" ] && [ "$npass" -ge 1 ] &&
    [ "$(ls "$T/keep-fo" | wc -l)" -eq 6 ] && grep -q "console matches --fail-on: counter=2000" "$T/fo.out"; then
    pass "--fail-on: the $npass exit-0 seeds fail, all 6 traces kept"
else
    fail "--fail-on" "exit $rc, $fo of $npass: $(head -8 "$T/fo.out")"
fi
if [ "$(grep -c '{"seed": ' "$T/fo.json")" -eq 6 ] && grep -q '"verdict": "fail", "exit": 0, "reason": "console matches --fail-on' "$T/fo.json" &&
    grep -q 'tests="6" failures="6"' "$T/fo.xml" && [ "$(grep -c '<failure ' "$T/fo.xml")" -eq 6 ]; then
    pass "--json has 6 result lines, --junit 6 failing testcases"
else
    fail "--json/--junit" "$(head -c 600 "$T/fo.json") $(head -4 "$T/fo.xml")"
fi
"$HVSIM" explore --seeds 1..2 --keep "$T/keep-ex" --expect 'brought-up 2 CPUs' -- --smp 2 \
    --bios "$T/race-atomic.elf" --quantum 100 --max-insns 10000000 >"$T/ex.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "console lacks --expect 'brought-up 2 CPUs'" "$T/ex.out" &&
    [ "$(ls "$T/keep-ex" | wc -l)" -eq 2 ]; then
    pass "--expect: exit-0 runs without the line fail, traces kept"
else
    fail "--expect" "exit $rc: $(head -5 "$T/ex.out")"
fi
"$HVSIM" explore --seeds 1..2 --keep "$T/keep-hang" -- --smp 2 --bios "$T/race-atomic.elf" \
    --quantum 100 --max-insns 2000 >"$T/hang.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -qE '^ +1  hang +3 ' "$T/hang.out"; then
    pass "--max-insns reached: verdict hang (exit 3)"
else
    fail "hang verdict" "exit $rc: $(head -4 "$T/hang.out")"
fi

# 7. Shards' --json results merge into the table of the whole range.
"$HVSIM" explore --seeds 1..6 --shard 1/2 --keep "$T/keep1" --json "$T/m1.json" -- "${RUN[@]}" >/dev/null 2>&1
"$HVSIM" explore --seeds 1..6 --shard 2/2 --keep "$T/keep2" --json "$T/m2.json" -- "${RUN[@]}" >/dev/null 2>&1
"$HVSIM" explore --merge "$T/m2.json" "$T/m1.json" --json "$T/m.json" >"$T/m.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && [ "$(table_seeds "$T/m.out")" = "$(table_seeds "$T/a.out")" ] &&
    [ "$(grep -c '{"seed": ' "$T/m.json")" -eq 6 ]; then
    pass "explore --merge of two shards = the full run's table (exit 1: failures)"
else
    fail "explore --merge" "exit $rc: $(diff <(table_seeds "$T/m.out") <(table_seeds "$T/a.out") | head -5)"
fi
"$HVSIM" explore --merge "$T/m1.json" "$T/m1.json" >"$T/u.out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "seed 1 appears twice" "$T/u.out"; then
    pass "explore --merge refuses overlapping shards (exit 2)"
else
    fail "explore --merge overlapping" "exit $rc: $(head -2 "$T/u.out")"
fi

# 8. Usage errors: one message naming the problem, exit 2, nothing run.
usage() { # NAME EXPECTED-TEXT ARGS...
    local name=$1 text=$2
    shift 2
    "$HVSIM" explore "$@" >"$T/u.out" 2>&1
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$T/u.out"; then
        pass "usage error: $name"
    else
        fail "usage error: $name" "exit $rc: $(head -2 "$T/u.out")"
    fi
}
usage "no --seeds" "--seeds" -- "${RUN[@]}"
usage "reversed range" "'6..1'" --seeds 6..1 -- "${RUN[@]}"
usage "bad range" "'x..3'" --seeds x..3 -- "${RUN[@]}"
usage "no -- RUN-OPTIONS" "RUN-OPTIONS" --seeds 1..6
usage "--jobs 0" "--jobs" --seeds 1..6 --jobs 0 -- "${RUN[@]}"
usage "--shard 3/2" "--shard" --seeds 1..6 --shard 3/2 -- "${RUN[@]}"
usage "--shard 1/0" "--shard" --seeds 1..6 --shard 1/0 -- "${RUN[@]}"
usage "RUN-OPTIONS with --trace" "--trace" --seeds 1..6 -- "${RUN[@]}" --trace "$T/x.hvt"
usage "RUN-OPTIONS with --sched-seed" "--sched-seed" --seeds 1..6 -- "${RUN[@]}" --sched-seed 3
usage "RUN-OPTIONS with --serial" "--serial" --seeds 1..6 -- "${RUN[@]}" --serial=none
usage "runs failing with a host error" "/nonexistent.elf" --seeds 1..6 -- --smp 2 --bios /nonexistent.elf
usage "bad --fail-on regex" "--fail-on: '('" --seeds 1..6 --fail-on '(' -- "${RUN[@]}"
usage "bad --signature" "--signature" --seeds 1..6 --signature fuzzy -- "${RUN[@]}"
usage "--merge a missing file" "/nonexistent.json" --merge /nonexistent.json
usage "--merge a file that is no result" "not a file written by hvsim explore" --merge "$ROOT/Makefile"

summary
