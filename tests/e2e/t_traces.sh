#!/usr/bin/env bash
# Golden traces: every traces/goldens.txt entry is re-recorded with today's
# hvsim and must be equivalent to the committed golden (hvsim trace diff),
# and the golden itself must replay (hvsim replay); the reference engine
# (--engine interp) must record byte for byte the same trace. A failure here means the
# simulator's timing or behaviour changed: see traces/README.md.
# Usage: t_traces.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
LIST=$ROOT/traces/goldens.txt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$ROOT" # goldens name our own firmware relative to the top (build/firmware/...)

n=0
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    name=${line%%:*}
    read -r -a args <<<"${line#*:}"
    golden=$ROOT/traces/$name
    n=$((n + 1))
    if [ ! -f "$golden" ]; then
        fail "$name" "golden missing (make traces-update)"
        continue
    fi
    "$HVSIM" run "${args[@]}" --trace "$T/$name" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    if [ "$rc" -eq 2 ] || [ ! -s "$T/$name" ]; then
        fail "$name: re-record" "exit $rc: $(tail -1 "$T/$name.err")"
        continue
    fi
    if "$HVSIM" trace diff "$golden" "$T/$name" >"$T/$name.diff" 2>&1; then
        pass "$name: re-recording is equivalent ($(tail -1 "$T/$name.diff"))"
    else
        fail "$name: re-recording differs from the golden" "$(grep -v '^# note' "$T/$name.diff" | head -12)"
    fi
    # The reference interpreter (--engine interp) records the same bytes
    # as the default engine (docs/architecture.md "Engines").
    "$HVSIM" run "${args[@]}" --engine interp --trace "$T/$name.interp" </dev/null >/dev/null 2>"$T/$name.ierr"
    if cmp -s "$T/$name" "$T/$name.interp"; then
        pass "$name: --engine interp records a byte-identical trace"
    else
        fail "$name: --engine interp records a different trace" \
            "$("$HVSIM" trace diff "$T/$name.interp" "$T/$name" 2>&1 | grep -v '^# note' | head -12)"
    fi
    if "$HVSIM" replay "$golden" >"$T/$name.replay" 2>&1; then
        pass "$name: golden replays ($(head -1 "$T/$name.replay"))"
    else
        fail "$name: golden does not replay" "$(head -6 "$T/$name.replay")"
    fi
done <"$LIST"
if [ "$n" -ge 1 ]; then pass "goldens listed: $n"; else fail "goldens listed" "none in $LIST"; fi

# The comparison is not vacuous: another interleaving of the first golden's
# run is reported as a difference (exit 1) with both events shown.
first=$(grep -v '^#' "$LIST" | grep -m1 ':')
name=${first%%:*}
read -r -a args <<<"${first#*:}"
"$HVSIM" run "${args[@]}" --sched-seed 7 --trace "$T/seeded.hvt" </dev/null >/dev/null 2>&1
"$HVSIM" trace diff "$ROOT/traces/$name" "$T/seeded.hvt" >"$T/seeded.diff" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^traces differ at event' "$T/seeded.diff" &&
    grep -q '^  A: ' "$T/seeded.diff" && grep -q '^  B: ' "$T/seeded.diff" &&
    grep -q '^# note: seed differs' "$T/seeded.diff"; then
    pass "trace diff: another seed differs (exit 1, both events, header note)"
else
    fail "trace diff: another seed differs" "exit $rc: $(head -5 "$T/seeded.diff")"
fi

# Host-side mistakes: one message, exit 2.
"$HVSIM" trace diff "$ROOT/traces/$name" "$T/missing.hvt" >"$T/e1" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "missing.hvt" "$T/e1"; then
    pass "trace diff: missing file exits 2 naming it"
else
    fail "trace diff: missing file" "exit $rc: $(head -2 "$T/e1")"
fi
"$HVSIM" trace diff "$ROOT/traces/$name" "$ROOT/traces/$name" --ignore nosuchkind >"$T/e2" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "nosuchkind" "$T/e2"; then
    pass "trace diff: unknown --ignore kind exits 2 naming it"
else
    fail "trace diff: unknown --ignore kind" "exit $rc: $(head -2 "$T/e2")"
fi

summary
