#!/usr/bin/env bash
# MONITOR / MWAIT (docs/x86.md "MONITOR and MWAIT") and their VM exits
# (docs/vmx.md): tests/firmware/x86/mwait.c on --smp 2 with [cpu] monitor
# = on (CPUID leaf 5, fall-through when unarmed or triggered, a wake-up by
# the other CPU's store into the line and not its store to the next line,
# by an interrupt, by a masked interrupt with ECX[0] = 1, #GP/#PF/#UD) and
# off (CPUID bit and leaf 5 zero, both #UD); tests/firmware/x86/vmx_mwait.c
# with vmx = on (exits 39 / 36, instruction length, the MWAIT qualification,
# exceptions before / after the exits, a guest asleep in MWAIT) with
# monitor = on and off. The timeline has the MWAIT's wfi.sleep and its
# wfi.wake (pending 2: the store); the same run twice gives byte-identical
# traces, --engine interp and fast the same trace, the trace replays; a bad
# [cpu] monitor value is refused; other seeds and quanta pass. Linux with
# monitor = on idles in MWAIT.
# Usage: t_x86_mwait.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-mwait.elf
KV=$ROOT/build/firmware/x86-vmx_mwait.elf
CFG=$ROOT/configs/x86-pc.ini
sed 's/^vmx = off$/vmx = off\nmonitor = on/' "$CFG" >"$T/on.ini"
sed 's/^vmx = off$/vmx = on\nmonitor = on/' "$CFG" >"$T/von.ini"
sed 's/^vmx = off$/vmx = on/' "$CFG" >"$T/voff.ini"
# run OUT CFG KERNEL SMP ARGS... (lib.sh serial_run)
run() { serial_run "$1" -c "$2" --kernel "$3" --smp "$4" --max-insns 50000000 "${@:5}"; }

# check NAME OUT ERR RC VERDICT
check() {
    if [ "$4" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$3" && grep -q "$5: all checks passed" "$2"; then
        pass "$1: $(grep -o "all checks passed.*" "$2")"
    else
        fail "$1" "exit $4: $(tail -1 "$3"); $(grep FAIL "$2" | head -5 | tr '\n' ';')"
    fi
}

run "$T/a.out" "$T/on.ini" "$K" 2 --events all --trace "$T/a.hvt" 2>"$T/a.err"
check "x86 mwait, monitor = on, --smp 2" "$T/a.out" "$T/a.err" $? "x86 mwait (monitor = on)"
run "$T/off.out" "$CFG" "$K" 2 2>"$T/off.err"
check "x86 mwait, monitor = off (default)" "$T/off.out" "$T/off.err" $? "x86 mwait (monitor = off)"
run "$T/v.out" "$T/von.ini" "$KV" 1 --events all --trace "$T/v.hvt" 2>"$T/v.err"
check "x86 vmx-mwait, monitor = on" "$T/v.out" "$T/v.err" $? "x86 vmx-mwait (monitor = on)"
run "$T/voff.out" "$T/voff.ini" "$KV" 1 2>"$T/voff.err"
check "x86 vmx-mwait, monitor = off" "$T/voff.out" "$T/voff.err" $? "x86 vmx-mwait (monitor = off)"

# the timeline: MWAIT's sleep (disassembled), the store's wake-up (pending 2)
# and the interrupts' (pending 1)
"$HVSIM" trace show "$T/a.hvt" --events wfi >"$T/show.txt" 2>&1
n_sleep=$(grep -c "wfi.sleep .*mwait" "$T/show.txt")
if [ "$n_sleep" -eq 3 ] && grep -q "cpu0 *wfi.wake *pending=0x2" "$T/show.txt" &&
    [ "$(grep -c "cpu0 *wfi.wake *pending=0x1" "$T/show.txt")" -eq 2 ]; then
    pass "trace: 3 MWAIT sleeps on cpu0, woken by the store (pending 2) and twice by the timer (pending 1)"
else
    fail "trace: MWAIT sleeps and wakes" "$n_sleep sleeps; $(head -8 "$T/show.txt" | tr '\n' ';')"
fi
"$HVSIM" trace show "$T/v.hvt" --events vm >"$T/vshow.txt" 2>&1
for r in MONITOR MWAIT; do
    if grep -q "vm.exit *reason=$r .*(${r,,})" "$T/vshow.txt"; then
        pass "trace: vm.exit reason=$r at the ${r,,}"
    else
        fail "trace: vm.exit $r" "$(grep -m3 vm.exit "$T/vshow.txt" | tr '\n' ';')"
    fi
done
if grep -q "vm.exit *reason=MWAIT .*tval=0x1 " "$T/vshow.txt"; then
    pass "trace: an MWAIT exit with qualification 1 (armed)"
else
    fail "trace: MWAIT exit qualification 1" "$(grep -m3 "reason=MWAIT" "$T/vshow.txt" | tr '\n' ';')"
fi

run "$T/b.out" "$T/on.ini" "$K" 2 --events all --trace "$T/b.hvt" 2>/dev/null
if [ -s "$T/a.hvt" ] && cmp -s "$T/a.hvt" "$T/b.hvt"; then
    pass "x86 mwait: the same run twice gives byte-identical traces"
else
    fail "x86 mwait determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
run "$T/i.out" "$T/on.ini" "$K" 2 --events all --trace "$T/i.hvt" --engine interp 2>/dev/null
if cmp -s "$T/a.hvt" "$T/i.hvt" && cmp -s "$T/a.out" "$T/i.out"; then
    pass "x86 mwait: --engine interp and fast give the same trace and console"
else
    fail "x86 mwait engines" "$(cmp "$T/a.hvt" "$T/i.hvt" 2>&1 | head -1)"
fi
run "$T/vi.out" "$T/von.ini" "$KV" 1 --events all --trace "$T/vi.hvt" --engine interp 2>/dev/null
if cmp -s "$T/v.hvt" "$T/vi.hvt" && cmp -s "$T/v.out" "$T/vi.out"; then
    pass "x86 vmx-mwait: --engine interp and fast give the same trace and console"
else
    fail "x86 vmx-mwait engines" "$(cmp "$T/v.hvt" "$T/vi.hvt" 2>&1 | head -1)"
fi
ok=1
for sq in "1 100" "2 1000" "3 50000"; do
    set -- $sq
    run "$T/s.out" "$T/on.ini" "$K" 2 --sched-seed "$1" --quantum "$2" 2>/dev/null
    grep -q "x86 mwait (monitor = on): all checks passed" "$T/s.out" || { ok=0; break; }
done
if [ "$ok" = 1 ]; then
    pass "x86 mwait: other --sched-seed / --quantum values (1/100, 2/1000, 3/50000) still pass"
else
    fail "x86 mwait under seed $1 quantum $2" "$(grep FAIL "$T/s.out" | head -3 | tr '\n' ';')"
fi
for h in a v; do
    if "$HVSIM" replay "$T/$h.hvt" --serial "file:$T/replay.out" >"$T/r.txt" 2>&1; then
        pass "x86 mwait: trace $h replays identically (the header carries monitor = on)"
    else
        fail "x86 mwait replay $h" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
    fi
done

# Linux 6.1 (the image of t_x86_linux.sh) with monitor = on takes MWAIT
# for its idle loop ("using mwait in idle threads", from CPUID.1 MONITOR
# and leaf 5's C1 sub-state): it boots on --smp 2, its /init passes, the
# idle CPUs sleep in MWAIT
# and are woken by the other CPU's stores (polling wake-ups) and by
# interrupts; the same run twice gives byte-identical traces.
BZ=$(bash "$ROOT/tests/firmware/linux/build.sh" x86_64 2>"$T/lbuild.err" | tail -n1)
if [ -f "$BZ" ]; then
    sed 's/^vmx = off$/vmx = off\nmonitor = on/' "$CFG" >"$T/lin.ini"
    for r in 1 2; do
        "$HVSIM" run -c "$T/lin.ini" --kernel "$BZ" --smp 2 --append "console=ttyS0 earlyprintk=serial" \
            --serial "file:$T/lin.out" --max-insns 4000000000 --events wfi --trace "$T/lin$r.hvt" \
            </dev/null 2>"$T/lin.err"
        rc=$?
        cp "$T/lin.out" "$T/lin$r.out"
    done
    "$HVSIM" trace show "$T/lin1.hvt" --events wfi >"$T/lin.show" 2>&1
    ns=$(grep -c "wfi.sleep .*mwait" "$T/lin.show")
    nst=$(grep -c "wfi.wake *pending=0x2" "$T/lin.show")
    if [ "$rc" -eq 0 ] && grep -q "process: using mwait in idle threads" "$T/lin1.out" &&
        grep -q "init: PASS" "$T/lin1.out" && [ "$ns" -gt 10 ] && [ "$nst" -gt 0 ]; then
        pass "Linux --smp 2, monitor = on: MWAIT idle, /init passes, $ns MWAIT sleeps, $nst woken by a store"
    else
        fail "Linux with monitor = on" "exit $rc, $ns MWAIT sleeps, $nst store wakes: $(tail -1 "$T/lin.err"); $(grep -m2 "mwait\|init:" "$T/lin1.out" | tr '\n' ';')"
    fi
    if cmp -s "$T/lin1.hvt" "$T/lin2.hvt" && cmp -s "$T/lin1.out" "$T/lin2.out"; then
        pass "Linux with monitor = on: the same run twice gives byte-identical traces and console"
    else
        fail "Linux with monitor = on: determinism" "$(cmp "$T/lin1.hvt" "$T/lin2.hvt" 2>&1 | head -1)"
    fi
else
    echo "SKIP Linux with monitor = on: the Linux x86_64 image cannot be built: $(tail -1 "$T/lbuild.err")"
fi

sed 's/^vmx = off$/vmx = off\nmonitor = maybe/' "$CFG" >"$T/bad.ini"
"$HVSIM" run -c "$T/bad.ini" --kernel "$K" --max-insns 1000 </dev/null >"$T/bad.out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "\[cpu\] monitor 'maybe' must be off or on" "$T/bad.out"; then
    pass "[cpu] monitor = maybe: exit 2 naming the key"
else
    fail "[cpu] monitor = maybe" "exit $rc: $(head -2 "$T/bad.out" | tr '\n' ';')"
fi
summary
