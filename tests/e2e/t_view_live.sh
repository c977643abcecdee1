#!/usr/bin/env bash
# End-to-end tests of `hvsim run ... --display sdl` (docs/view.md "The live
# window"), without a terminal:
#  1. bad --display values, --display with --gdb, and no display at all
#     exit 2 with a message (SDL's, when SDL_Init fails);
#  2. the window does not change the run: U-Boot on 4 harts with a window
#     (SDL's offscreen driver, asked for by name) and without one give
#     byte-identical traces;
#  3. a real window on Xvfb, keys sent through the X server (xdotool):
#     minihv started paused, a step of hart 0 at reset (pc 0x1000 ->
#     0x1004), "run to the next ipi.send" and "to the next vm.exit" stop
#     after the first of each (the times of traces/minihv-4hart.hvt), a
#     step of hart 1, resume to the end: the trace equals the plain run's,
#     and replays identical;
#     sdl,hold keeps the window after the run; an echo payload whose hart
#     waits with nothing armed is woken by keys typed into the window (no
#     deadlock), and replays identical;
#  4. a U-Boot session typed into the window (stop autoboot, `version`,
#     pause and resume, `poweroff`): the typed bytes are the trace's input
#     records, and `hvsim replay` reproduces the session and its output;
#  5. the window closed mid-run (a WM_DELETE_WINDOW client message, as a
#     window manager's close button sends; q): running, after steps, at a
#     paused start, in the idle wait (3c): exit 0, and the trace (its
#     host stop record) replays identical, end record included.
# Section 3 and 4 are skipped with a SKIP line when Xvfb or xdotool is
# missing (scripts/deps.sh installs both). Usage: t_view_live.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
MINIHV="$ROOT/build/firmware/minihv.elf"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset DISPLAY WAYLAND_DISPLAY SDL_VIDEODRIVER


# ---- 1. bad input, no display ----
expect_status "--display foo: exit 2" 2 "$HVSIM" run --kernel "$UBOOT" --display foo
expect_line "$T/err" "--display: 'foo' is not none or sdl[,paused][,hold]" "--display foo: message"
expect_status "--display sdl,bogus: exit 2" 2 "$HVSIM" run --kernel "$UBOOT" --display sdl,bogus
expect_status "--display sdl with --gdb: exit 2" 2 "$HVSIM" run --kernel "$UBOOT" --display sdl --gdb 51234
expect_line "$T/err" "--display sdl and --gdb cannot be used together" "--display sdl with --gdb: message"
expect_status "no display: exit 2" 2 "$HVSIM" run --kernel "$UBOOT" --max-insns 1000 --display sdl
expect_line "$T/err" "hvsim: --display sdl: no display" "no display: message"
expect_status "an unknown SDL video driver: exit 2" 2 env SDL_VIDEODRIVER=nosuch \
    "$HVSIM" run --kernel "$UBOOT" --max-insns 1000 --display sdl
expect_line "$T/err" "no display: SDL_Init: " "an unknown SDL video driver: SDL_Init's message"

# ---- 2. the window does not change the run ----
rec() { "$HVSIM" run --smp 4 --kernel "$UBOOT" --max-insns 60000000 --serial none \
            --check-interval 5000000 --trace "$@" </dev/null 2>>"$T/rec.err"; }
rec "$T/plain.hvt"
rec "$T/none.hvt" --display none
SDL_VIDEODRIVER=offscreen rec "$T/live.hvt" --display sdl
if [ -s "$T/plain.hvt" ] && cmp -s "$T/plain.hvt" "$T/live.hvt"; then
    pass "U-Boot on 4 harts with --display sdl (offscreen driver): byte-identical trace"
else
    fail "U-Boot with --display sdl: byte-identical trace" "$(cmp "$T/plain.hvt" "$T/live.hvt" 2>&1; tail -2 "$T/rec.err")"
fi
if cmp -s "$T/plain.hvt" "$T/none.hvt"; then pass "--display none: byte-identical trace"; else
    fail "--display none: byte-identical trace"; fi

# ---- 3, 4. a real window under Xvfb ----
if ! xvfb_start 1400x1000; then
    summary
    exit
fi

# window NAME: the id of the visible window titled "hvsim run..." (focused)
window() {
    local i=0
    W=
    while [ -z "$W" ] && [ "$i" -lt 150 ]; do # (retried: a closing window can fail a search)
        W=$(xdotool search --onlyvisible --name "hvsim run" 2>/dev/null | tail -1)
        [ -n "$W" ] || sleep 0.2
        i=$((i + 1))
    done
    if [ -n "$W" ]; then pass "$1: the window appears on the X server"; else
        fail "$1: the window appears" "$(cat "$T/$1.err")"; fi
    xdotool windowfocus --sync "$W" 2>/dev/null
}
# close_window: closes window $W as a window manager's close button does
# (ICCCM WM_DELETE_WINDOW client message: SDL's window close, then
# SDL_QUIT), with a 20-line Xlib client built here (xdotool has no
# window close without a window manager)
if [ ! -x "$T/wm_close" ]; then
    cat >"$T/wm_close.c" <<'C'
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    Display *d = argc == 2 ? XOpenDisplay(NULL) : NULL;
    if (!d)
        return 2;
    XEvent e = { 0 };
    e.xclient.type = ClientMessage;
    e.xclient.window = (Window)strtoul(argv[1], NULL, 0);
    e.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
    e.xclient.format = 32;
    e.xclient.data.l[0] = (long)XInternAtom(d, "WM_DELETE_WINDOW", False);
    e.xclient.data.l[1] = CurrentTime;
    int ok = XSendEvent(d, e.xclient.window, False, NoEventMask, &e);
    XCloseDisplay(d);
    return ok ? 0 : 1;
}
C
    cc -o "$T/wm_close" "$T/wm_close.c" -lX11 2>"$T/wm_close.err" || fail "wm_close builds" "$(head -2 "$T/wm_close.err")"
fi
close_window() { "$T/wm_close" "$W"; }
# replays_at_close NAME WHAT: the run ended by closing its window (exit 0,
# "the live window was closed"); its trace has the host stop and replays
# identical, end record included (docs/view.md "The live window")
replays_at_close() {
    expect_eq "$2: the window's close ends the run, exit 0" "$(cat "$T/$1.rc")" "rc 0"
    expect_line "$T/$1.err" "hvsim: the live window was closed" "$2: the stop is reported"
    "$HVSIM" replay "$T/$1.hvt" >"$T/$1-replay.txt" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ] && grep -q "replay identical" "$T/$1-replay.txt"; then
        pass "$2: replays identical ($(cut -d: -f2 "$T/$1-replay.txt" | head -1 | sed 's/^ //'))"
    else
        fail "$2: replays identical" "exit $rc: $(head -4 "$T/$1-replay.txt" | tr '\n' ';')"
    fi
}
# key_wait NAME KEYS TEXT [COUNT]: type KEYS, wait for TEXT in the live report
key_wait() {
    xdotool key --window "$W" $2
    wait_for "$T/$1.err" "$3" "${4:-1}" 60
}

# 3. minihv, started paused: step, run to ipi.send, to vm.exit, step hart 1
if [ ! -f "$MINIHV" ]; then
    fail "minihv.elf built" "missing: run make firmware"
else
    "$HVSIM" run --smp 4 --kernel "$MINIHV" --trace "$T/mh-plain.hvt" </dev/null >/dev/null 2>&1
    ( cd "$T" && timeout 120 "$HVSIM" run --smp 4 --kernel "$MINIHV" --trace "$T/mh.hvt" --display sdl,paused \
        </dev/null >"$T/mh.out" 2>"$T/mh.err"; echo "rc $?" >"$T/mh.rc" ) &
    LPID=$!
    window mh
    wait_for "$T/mh.err" "paused at 0 instructions" 1 30
    key_wait mh F6 "step hart0"
    expect_line "$T/mh.err" "hvsim: live: step hart0: pc 0x1000 -> 0x1004, its instruction 1" \
        "F6 at reset: one instruction of hart 0 (the boot ROM's first)"
    key_wait mh F7 "stopped after"
    expect_eq "F7: stops after the first ipi.send (13682410 MSWI, as in traces/minihv-4hart.hvt)" \
        "$(grep -o "stopped after .*" "$T/mh.err" | head -1 | awk '{print $3, $5, $6, $7}')" \
        "13682410 cpu0 ipi.send MSWI"
    key_wait mh F8 "stopped after" 2
    expect_eq "F8: stops after the first vm.exit (14194921 ecall-VS vmid 1)" \
        "$(grep -o "stopped after .*" "$T/mh.err" | sed -n 2p | awk '{print $3, $5, $6, $7, $8}')" \
        "14194921 cpu0 vm.exit reason=ecall-VS vmid=1"
    key_wait mh "F4 F6" "step hart1"
    if grep -qE "hvsim: live: step hart1: pc 0x[0-9a-f]+ -> 0x[0-9a-f]+, its instruction [0-9]+" "$T/mh.err"; then
        pass "F4 F6: one instruction of the selected lane's CPU (hart 1)"
    else
        fail "F4 F6: a step of hart 1" "$(tail -3 "$T/mh.err")"
    fi
    key_wait mh F12 "saved hvsim-live-1.bmp"
    # the frame: lane 0 in M (OpenSBI) right of the gutter, the selected
    # lane's bar (hart 1, after F4) left of its label
    expect_eq "F12: the live frame shows lane 0's band in M" "$(bmp_pixel "$T/hvsim-live-1.bmp" 80 $((28 + 9)))" d55e00
    expect_eq "F12: the selected lane (hart 1) is marked" "$(bmp_pixel "$T/hvsim-live-1.bmp" 1 $((28 + 70 + 30)))" 0000a0
    xdotool key --window "$W" F5
    wait "$LPID"
    expect_eq "F5 resumes: minihv runs to its poweroff, exit 0" "$(cat "$T/mh.rc")" "rc 0"
    expect_line "$T/mh.out" "minihv: all VMs passed" "minihv passes with the window"
    if cmp -s "$T/mh-plain.hvt" "$T/mh.hvt"; then
        pass "paused, stepped, stopped at an IPI and a VM exit: the trace equals the plain run's"
    else
        fail "stops do not change the run" "$(cmp "$T/mh-plain.hvt" "$T/mh.hvt" 2>&1)"
    fi
fi

# 3b. sdl,hold: the window stays after the run, with its timeline, until q
if [ -f "$MINIHV" ]; then
    rm -f "$T/hold.rc" "$T/hvsim-live-1.bmp"
    ( cd "$T" && timeout 120 "$HVSIM" run --smp 4 --kernel "$MINIHV" --trace "$T/hold.hvt" \
        --display sdl,hold </dev/null >/dev/null 2>"$T/hold.err"; echo "rc $?" >"$T/hold.rc" ) &
    LPID=$!
    window hold
    wait_for "$T/hold.err" "the machine ended" 1 60
    sleep 0.5
    if [ ! -e "$T/hold.rc" ]; then pass "sdl,hold: the window stays after the machine ended"; else
        fail "sdl,hold: the window stays" "$(cat "$T/hold.rc"; tail -2 "$T/hold.err")"; fi
    key_wait hold F12 "saved hvsim-live-1.bmp"
    # the whole run fitted: 4 lanes, each in M (OpenSBI) early on
    n=$(for y in $((28 + 9)) $((28 + 70 + 9)) $((28 + 140 + 9)) $((28 + 210 + 9)); do
            bmp_pixel "$T/hvsim-live-1.bmp" 200 "$y"; done | grep -c d55e00)
    expect_eq "sdl,hold: the final frame shows all 4 lanes (in M at the start)" "$n" 4
    xdotool key --window "$W" q 2>/dev/null # (the window may be gone before the key's release)
    wait "$LPID"
    expect_eq "sdl,hold: q closes it, exit 0" "$(cat "$T/hold.rc")" "rc 0"
    if cmp -s "$T/mh-plain.hvt" "$T/hold.hvt"; then pass "sdl,hold: the plain run's trace"; else
        fail "sdl,hold: the plain run's trace"; fi
    sleep 0.5
fi

# 3c. every hart waits with nothing armed: the window waits for keys
# (without it the run ends in a deadlock). A 15-instruction echo payload:
# UART receive interrupts through the PLIC, WFI, echo, poweroff on 'q'.
cat >"$T/echo.S" <<'ASM'
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    li t1, 0x10000000       /* 16550 */
    li t2, 1
    sb t2, 1(t1)            /* IER.ERBFI */
    li t3, 0x0c000000       /* PLIC */
    sw t2, 40(t3)           /* source 10 priority 1 */
    li t4, 0x0c002000
    li t2, 1 << 10
    sw t2, 0(t4)            /* enabled for context 0 (hart 0, M) */
    li t4, 0x0c200000
    sw zero, 0(t4)          /* threshold 0 */
    li t2, 1 << 11
    csrs mie, t2            /* MEIE (mstatus.MIE 0: WFI wakes, no trap) */
loop:
    wfi
    li t4, 0x0c200004
    lw t5, 0(t4)            /* claim */
rx:
    lbu t2, 5(t1)
    andi t2, t2, 1
    beqz t2, done
    lbu a0, 0(t1)
    sb a0, 0(t1)            /* echo */
    li t6, 'q'
    beq a0, t6, quit
    j rx
done:
    sw t5, 0(t4)            /* complete */
    j loop
quit:
    li t4, 0x100000
    li t2, 0x5555
    sw t2, 0(t4)            /* sifive_test: pass */
park:
    wfi
    j park
ASM
if ! ${RV_CC:-riscv64-unknown-elf-gcc} -march=rv64gc -mabi=lp64d -nostdlib -static -mcmodel=medany \
        -T ../isa/link.ld -o "$T/echo.elf" "$T/echo.S" 2>"$T/cc.err"; then
    fail "echo payload builds" "$(head -3 "$T/cc.err")"
else
    expect_status "echo payload without a window, no input: deadlock, exit 1" 1 \
        "$HVSIM" run --bios "$T/echo.elf" --serial none
    ( timeout 120 "$HVSIM" run --bios "$T/echo.elf" --serial "file:$T/echo.out" --trace "$T/echo.hvt" \
        --display sdl </dev/null >/dev/null 2>"$T/echo.err"; echo "rc $?" >"$T/echo.rc" ) &
    LPID=$!
    window echo
    if wait_for "$T/echo.err" "waiting for keys" 1 60; then
        pass "every hart waits, nothing armed: the window waits for keys"
    else
        fail "the window waits for keys" "$(tail -2 "$T/echo.err")"
    fi
    xdotool type --window "$W" --delay 50 ab
    wait_for "$T/echo.out" "ab" 1 30
    xdotool type --window "$W" q 2>/dev/null
    wait "$LPID"
    expect_eq "keys typed while idle wake the payload; q powers it off, exit 0" "$(cat "$T/echo.rc")" "rc 0"
    expect_eq "the payload echoed the typed keys" "$(cat "$T/echo.out")" "abq"
    "$HVSIM" replay "$T/echo.hvt" >"$T/echo-replay.txt" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "replay identical" "$T/echo-replay.txt"; then
        pass "the idle session replays identical"
    else
        fail "the idle session replays identical" "exit $rc: $(head -4 "$T/echo-replay.txt")"
    fi
    sleep 0.5
    # closed in the idle wait (before the next round's hook): a host stop
    ( timeout 120 "$HVSIM" run --bios "$T/echo.elf" --serial none --trace "$T/echo2.hvt" \
        --display sdl </dev/null >/dev/null 2>"$T/echo2.err"; echo "rc $?" >"$T/echo2.rc" ) &
    LPID=$!
    window echo2
    wait_for "$T/echo2.err" "waiting for keys" 1 60
    close_window
    wait "$LPID"
    replays_at_close echo2 "closed in the idle wait (every hart waiting, nothing armed)"
    sleep 0.5
fi

# 4. U-Boot typed into the window; replay reproduces it
( timeout 300 "$HVSIM" run --smp 4 --bios "$OPENSBI" --kernel "$UBOOT" --max-insns 20000000000 \
    --display sdl --serial "file:$T/ub.out" --trace "$T/ub.hvt" \
    </dev/null >/dev/null 2>"$T/ub.err"; echo "rc $?" >"$T/ub.rc" ) &
LPID=$!
window ub
if wait_for "$T/ub.out" "Hit any key to stop autoboot" 1 120; then
    xdotool type --window "$W" x
    wait_for "$T/ub.out" "=> " 1 120 && xdotool type --window "$W" --delay 30 version &&
        xdotool key --window "$W" Return
    wait_for "$T/ub.out" "U-Boot 2023.01" 2 120
    key_wait ub F5 "paused at"
    key_wait ub F5 "resumed at"
    xdotool type --window "$W" --delay 30 poweroff && xdotool key --window "$W" Return
fi
wait "$LPID"
expect_eq "U-Boot session typed into the window: poweroff, exit 0" "$(cat "$T/ub.rc")" "rc 0"
expect_eq "U-Boot printed its version twice (the typed command ran)" \
    "$(grep -cF "U-Boot 2023.01" "$T/ub.out")" "2"
"$HVSIM" trace show "$T/ub.hvt" --events input >"$T/ub-input.txt" 2>&1
typed=$(grep -o "byte=0x[0-9a-f]*" "$T/ub-input.txt" | sed 's/byte=0x//' | tr '\n' ' ')
want=$(printf 'xversion\rpoweroff\r' | od -An -tx1 -v | tr -s ' \n' ' ' | sed 's/^ //')
expect_eq "the typed keys are the trace's input records, in order (x version\\r poweroff\\r)" \
    "$typed" "$want"
"$HVSIM" replay "$T/ub.hvt" --serial "file:$T/ub-replay.out" >"$T/ub-replay.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "replay identical" "$T/ub-replay.txt"; then
    pass "hvsim replay of the typed session: identical"
else
    fail "replay of the typed session" "exit $rc: $(head -5 "$T/ub-replay.txt")"
fi
if cmp -s "$T/ub.out" "$T/ub-replay.out"; then pass "replayed console output equals the live session's"; else
    fail "replayed console output" "$(diff "$T/ub.out" "$T/ub-replay.out" | head -5)"; fi

# 5. the window closed mid-run (issue 16): the trace records the host stop
# and `hvsim replay` ends where the run ended (the end record too), for a
# close while running (between rounds, in the window's turn), after F6
# steps (inside a round), at a paused start (before the first round), and
# for q (view keys) while running; the idle wait is 3c's
# live_close NAME DISPLAY KEYS WAIT-TEXT: U-Boot on 4 harts with a window,
# KEYS typed once WAIT-TEXT is in its report, then the window closed
live_close() {
    ( cd "$T" && timeout 120 "$HVSIM" run --smp 4 --kernel "$UBOOT" --serial none --trace "$T/$1.hvt" \
        --display "$2" </dev/null >/dev/null 2>"$T/$1.err"; echo "rc $?" >"$T/$1.rc" ) &
    LPID=$!
    window "$1"
    [ -z "$4" ] || wait_for "$T/$1.err" "$4" 1 60
    # one F6 at a time, each once the previous step is reported (two keys
    # typed at once could reach the window as one step)
    local k n=0
    for k in $3; do
        n=$((n + 1))
        key_wait "$1" "$k" "step hart0" "$n"
    done
}
live_close run sdl "" ""
sleep 1.5 # (some rounds of U-Boot's start)
close_window
wait "$LPID"
replays_at_close run "closed while running"
live_close step sdl,paused "F6 F6" "paused at 0 instructions"
close_window
wait "$LPID"
replays_at_close step "closed after two F6 steps (inside a round)"
if grep -q "gdb.sched *host stop (the live window closed) at=2 round=0 inside it" <("$HVSIM" trace show "$T/step.hvt" --events gdb.sched 2>&1); then
    pass "trace show: the host stop is a gdb.sched record (at=2 round=0 inside it)"
else
    fail "host stop record" "$("$HVSIM" trace show "$T/step.hvt" --events gdb.sched 2>&1 | tail -2)"
fi
live_close start sdl,paused "" "paused at 0 instructions"
close_window
wait "$LPID"
replays_at_close start "closed at a paused start (no instruction run)"
live_close q sdl "" ""
sleep 1.5
xdotool key --window "$W" F2 q 2>/dev/null
wait "$LPID"
replays_at_close q "q (view keys) while running"
summary
