#!/usr/bin/env bash
# Recording and replay: an interactive U-Boot session replays bit for bit
# from its trace (console input included); the same run twice gives
# byte-identical trace files; a deliberate divergence is diagnosed down to
# the register; a changed image or a corrupt trace is refused.
# Usage: t_replay.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# 1. Record a session driven through the console.
uboot_session "$HVSIM" "$T" session --trace "$T/session.hvt"
if [ "$rc" -eq 0 ] && [ -s "$T/session.hvt" ]; then pass "recorded an interactive session"; else
    fail "recorded an interactive session" "exit $rc: $(tail -2 "$T/session.err")"; fi

"$HVSIM" replay "$T/session.hvt" --serial "file:$T/replay.out" >"$T/replay.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "replay identical" "$T/replay.txt"; then
    pass "replay of the session is identical"
else
    fail "replay of the session is identical" "exit $rc: $(head -6 "$T/replay.txt")"
fi
if cmp -s "$T/session.out" "$T/replay.out"; then
    pass "replayed console output equals the recorded one (input fed at recorded times)"
else
    fail "replayed console output equals the recorded one" "$(diff "$T/session.out" "$T/replay.out" | head -5)"
fi

# 2. The same run twice: byte-identical trace files.
rec() { "$HVSIM" run --smp 4 --kernel "$UBOOT" --max-insns 120000000 --serial none \
            --check-interval 5000000 --trace "$1" "${@:2}" </dev/null 2>/dev/null; }
rec "$T/a.hvt"; rec "$T/b.hvt"
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "same run twice: byte-identical traces"
else
    fail "same run twice: byte-identical traces"
fi
rec "$T/s.hvt" --sched-seed 7 --events all
"$HVSIM" replay "$T/s.hvt" >"$T/s.txt" 2>&1
if [ $? -eq 0 ]; then pass "seeded run with all events replays identically"; else
    fail "seeded run with all events replays" "$(head -5 "$T/s.txt")"; fi

# 2b. Either engine replays the other's recording (replay --engine).
"$HVSIM" replay "$T/s.hvt" --engine interp -v >"$T/si.txt" 2>&1
rc=$?
"$HVSIM" run --engine interp --smp 4 --kernel "$UBOOT" --max-insns 120000000 --serial none \
    --check-interval 5000000 --trace "$T/ai.hvt" </dev/null 2>/dev/null
"$HVSIM" replay "$T/ai.hvt" --engine fast >"$T/ai.txt" 2>&1
rc2=$?
if [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && cmp -s "$T/a.hvt" "$T/ai.hvt" &&
    grep -q "(engine interp)" "$T/si.txt"; then
    pass "replay --engine interp of a fast recording, and fast of an interp recording, identical"
else
    fail "replay --engine across engines" "exit $rc/$rc2: $(head -3 "$T/si.txt" "$T/ai.txt")"
fi
"$HVSIM" replay "$T/s.hvt" --engine jit >"$T/bad.txt" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "\-\-engine: 'jit' is not interp or fast" "$T/bad.txt"; then
    pass "replay --engine with a bad value: exit 2 naming it"
else
    fail "replay --engine bad value" "exit $rc: $(cat "$T/bad.txt")"
fi

# 3. A deliberate divergence is found and explained.
"$HVSIM" replay "$T/a.hvt" --debug-perturb 60000000 >"$T/div.txt" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "replay DIVERGED" "$T/div.txt" &&
    grep -q "recorded:" "$T/div.txt" && grep -q "replayed:" "$T/div.txt" &&
    grep -q "first state difference: cpu [0-9] register" "$T/div.txt"; then
    pass "divergence diagnosed to a register"
else
    fail "divergence diagnosed" "exit $rc: $(cat "$T/div.txt")"
fi

# 4. A changed image is refused.
cp "$UBOOT" "$T/uboot.elf"
"$HVSIM" run --smp 2 --kernel "$T/uboot.elf" --max-insns 2000000 --serial none \
    --trace "$T/img.hvt" </dev/null 2>/dev/null
printf '\x01' | dd of="$T/uboot.elf" bs=1 seek=4096 conv=notrunc status=none
"$HVSIM" replay "$T/img.hvt" >"$T/img.txt" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "uboot.elf has changed since the recording" "$T/img.txt"; then
    pass "replay refuses a changed image"
else
    fail "replay refuses a changed image" "exit $rc: $(cat "$T/img.txt")"
fi

# 5. Corrupt and truncated traces: exit 2 with a message naming the file.
printf 'garbage' >"$T/garbage.hvt"
head -c 3000 "$T/a.hvt" >"$T/trunc.hvt"
for f in garbage trunc missing; do
    "$HVSIM" replay "$T/$f.hvt" >"$T/bad.txt" 2>&1
    rc=$?
    if [ "$rc" -eq 2 ] && grep -q "$f.hvt" "$T/bad.txt"; then pass "replay rejects $f trace"; else
        fail "replay rejects $f trace" "exit $rc: $(head -3 "$T/bad.txt")"; fi
done
summary
