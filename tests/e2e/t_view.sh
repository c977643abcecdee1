#!/usr/bin/env bash
# End-to-end tests of `hvsim trace view` (docs/view.md) without a terminal
# or a display: frames of the checked-in minihv trace (traces/, 4 harts,
# 2 VMs, IPIs) are drawn to BMP files with --screenshot, and pixels at
# positions computed from the printed layout are checked: the lane count,
# mode band colours, an IPI arrow between two lanes at the send's time, a
# VM exit marker and its absence under filters. Scripts drive zoom, pan,
# fit, clicks and search through the input handler; the field text of a
# clicked event is `trace show`'s line. Bad inputs and a missing display
# exit 2. Usage: t_view.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
TR="$ROOT/traces/minihv-4hart.hvt"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SDL_VIDEODRIVER=offscreen
unset DISPLAY WAYLAND_DISPLAY


# ---- a tiny BMP reader (24-bit, as SDL_SaveBMP writes an RGB surface) ----
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j "$2" -N 2 "$1" | tr -d ' '; }
# column FILE X: the pixels of column X, top to bottom, one "rrggbb" a line
column() {
    local f=$1 x=$2 off w h bpp row
    off=$(u32 "$f" 10); w=$(u32 "$f" 18); h=$(u32 "$f" 22); bpp=$(u16 "$f" 28)
    row=$(( (w * bpp / 8 + 3) / 4 * 4 ))
    od -An -v -tx1 -w"$row" -j "$off" "$f" |
        awk -v c=$((x * bpp / 8 + 1)) '{ l[NR] = $(c + 2) $(c + 1) $c } END { for (i = NR; i >= 1; i--) print l[i] }'
}
# x_of OUT T: the pixel column of virtual time T in the frame OUT describes
x_of() {
    awk -v t="$2" '/^range /{t0=$2; t1=$3} /^size /{w=$2} /^gutter /{g=$2}
        END { x = g + (t - t0) * (w - g) / (t1 - t0); xi = int(x); if (xi > x) xi--; print xi }' "$1"
}
lane_top() { awk -v l="$2" '$1 == "lane" && $2 == l { print $4 }' "$1"; }
shot() { # NAME ARGS...: $T/NAME.bmp and its layout in $T/NAME.txt
    local n=$1
    shift
    "$HVSIM" trace view "$TR" --screenshot "$T/$n.bmp" "$@" >"$T/$n.txt" 2>"$T/$n.err"
}

# ---- 1. the whole trace: one lane per hart ----
expect_status "screenshot exits 0" 0 "$HVSIM" trace view "$TR" --screenshot "$T/fit.bmp"
cp "$T/out" "$T/fit.txt"
expect_eq "BMP is 1280x720, 24 bits" "$(u32 "$T/fit.bmp" 18)x$(u32 "$T/fit.bmp" 22)x$(u16 "$T/fit.bmp" 28)" "1280x720x24"
expect_eq "layout: 4 lanes" "$(awk '/^lanes /{print $2}' "$T/fit.txt")" 4
# count mode bands down the first pixel column of the lanes
xband=$(x_of "$T/fit.txt" 2100000)
bands=$(column "$T/fit.bmp" "$xband" | head -n $((720 - 96)) |
    awk '/^(d55e00|0072b2|009e73|e69f00|f0e442|bbbbbb)$/ { if (!in_band) n++; in_band = 1; next }
         { in_band = 0 } END { print n + 0 }')
expect_eq "4 mode bands in the picture" "$bands" 4
# harts reset in M: lane 0's band starts vermillion (M)
top0=$(lane_top "$T/fit.txt" 0)
expect_eq "lane 0 starts in M" "$(bmp_pixel "$T/fit.bmp" "$xband" $((top0 + 9)))" d55e00
shot fit2
if cmp -s "$T/fit.bmp" "$T/fit2.bmp"; then pass "the same frame twice is byte-identical"; else fail "the same frame twice is byte-identical"; fi

# ---- 2. an IPI: cpu0 ipi.send MSWI dest={1} at 13682410, delivered at once ----
shot ipi --from 13682000 --to 13683000
xs=$(x_of "$T/ipi.txt" 13682410)
top1=$(lane_top "$T/ipi.txt" 1)
gap=$((top1 - 3))   # between lane 0 and lane 1: only an arrow draws there
expect_eq "IPI arrow between lanes 0 and 1 at the send's column" "$(bmp_pixel "$T/ipi.bmp" "$xs" "$gap")" cc0088
expect_eq "no arrow 20 px earlier" "$(bmp_pixel "$T/ipi.bmp" $((xs - 20)) "$gap")" f7f7f7
expect_eq "no arrow between lanes 1 and 2 there" "$(bmp_pixel "$T/ipi.bmp" "$xs" $(($(lane_top "$T/ipi.txt" 2) - 3)))" f7f7f7
shot noipi --from 13682000 --to 13683000 --hide ipi
expect_eq "--hide ipi: no arrow" "$(bmp_pixel "$T/noipi.bmp" "$xs" "$gap")" f7f7f7
shot noipi2 --from 13682000 --to 13683000 --script "key p"
expect_eq "key p hides IPIs" "$(bmp_pixel "$T/noipi2.bmp" "$xs" "$gap")" f7f7f7
shot ipi2 --from 13682000 --to 13683000 --script "key p; key p"
expect_eq "key p twice shows them again" "$(bmp_pixel "$T/ipi2.bmp" "$xs" "$gap")" cc0088

# ---- 3. a VM exit: cpu0 vm.entry vmid=1 at 14194890, vm.exit ecall-VS at 14194921 ----
shot vm --from 14194900 --to 14194950
top0=$(lane_top "$T/vm.txt" 0)
xe=$(x_of "$T/vm.txt" 14194921)
vmrow=$((top0 + $(awk '$1 == "lane" && $2 == 0 { print $12 }' "$T/vm.txt") + 3))
expect_eq "vm.exit hypercall marker (class colour)" "$(bmp_pixel "$T/vm.bmp" "$xe" "$vmrow")" 0072b2
expect_eq "guest (VS) band before the exit" "$(bmp_pixel "$T/vm.bmp" "$(x_of "$T/vm.txt" 14194910)" $((top0 + 9)))" e69f00
expect_eq "HS band after the exit" "$(bmp_pixel "$T/vm.bmp" "$(x_of "$T/vm.txt" 14194940)" $((top0 + 9)))" 0072b2
shot vm2 --from 14194900 --to 14194950 --vm 2
expect_eq "--vm 2: no marker of vmid 1" "$(bmp_pixel "$T/vm2.bmp" "$xe" "$vmrow")" ffffff
shot vm3 --from 14194900 --to 14194950 --script "key SV"
expect_eq "shift-V (first VM: vmid 1) keeps the marker" "$(bmp_pixel "$T/vm3.bmp" "$xe" "$vmrow")" 0072b2
shot vm4 --from 14194900 --to 14194950 --script "key SV; key SV"
expect_eq "shift-V twice (vmid 2) drops it" "$(bmp_pixel "$T/vm4.bmp" "$xe" "$vmrow")" ffffff

# ---- 4. clicking shows trace show's line; search ----
"$HVSIM" trace show "$TR" >"$T/show.txt"
shot click --from 14194900 --to 14194950 --script "click $xe $vmrow"
sel=$(sed -n 's/^selected: //p' "$T/click.txt")
want=$(grep -F "cpu0    vm.exit" "$T/show.txt" | grep -F " 14194921 " | head -1)
expect_eq "click: the field text is trace show's line" "$sel" "$want"
shot hover --from 14194900 --to 14194950 --script "hover $xe $vmrow; hover 80 $vmrow"
expect_eq "hover: trace show's line" "$(sed -n 's/^hover: //p' "$T/hover.txt" | head -1)" "$want"
expect_eq "hover off every event: nothing" "$(sed -n 's/^hover: //p' "$T/hover.txt" | tail -1)" "nothing"
shot click2 --from 14194900 --to 14194950 --script "click $xe $(($(lane_top "$T/vm.txt" 3) + 5))"
if grep -q "^selected:" "$T/click2.txt"; then fail "click on an empty spot selects nothing"; else pass "click on an empty spot selects nothing"; fi
shot search --script "range 13682411 13682412; search ipi.send"
# in time order (the file interleaves harts), file order within a time
awk '$4 == "ipi.send" && $1 >= 13682411' "$T/show.txt" | sort -s -n -k1,1 >"$T/sends.txt"
want=$(sed -n 1p "$T/sends.txt")
expect_eq "search: the next ipi.send" "$(sed -n 's/^selected: //p' "$T/search.txt")" "$want"
shot search2 --script "range 13682411 13682412; search ipi.send; key Tab; search ipi.send"
n=$(grep -c "^selected:" "$T/search2.txt")
second=$(sed -n 2p "$T/sends.txt")
expect_eq "search again: the one after" "$(sed -n 's/^selected: //p' "$T/search2.txt" | tail -1)" "$second"
expect_eq "two selections" "$n" 2

# ---- 5. zoom, pan and fit state transitions ----
rng() { awk '/^range /{ printf "%.0f %.0f\n", $2, $3 }' "$1"; }
shot z --script "range 1000 2000; zoom 2"
expect_eq "zoom 2 about the centre" "$(rng "$T/z.txt")" "1250 1750"
shot z2 --script "range 1000 2000; key -"
expect_eq "key - zooms out" "$(rng "$T/z2.txt")" "500 2500"
shot p --script "range 1000 2208; drag 700 600"
expect_eq "drag left 100 px pans 100 ticks later" "$(rng "$T/p.txt")" "1100 2308"
shot p2 --script "range 1000 2208; key Right"
expect_eq "Right pans by an eighth" "$(rng "$T/p2.txt")" "1151 2359"
shot w --script "range 1000 2208; wheel 1 72"
expect_eq "wheel up at the left edge zooms 1.25x there" "$(rng "$T/w.txt")" "1000 1966"
shot f --script "range 1000 2000; key f"
expect_eq "key f fits the trace" "$(rng "$T/f.txt")" "$(rng "$T/fit.txt")"
shot g --script "range 1000 2000; goto 5000"
expect_eq "goto centres a time" "$(rng "$T/g.txt")" "4500 5500"
shot g2 --script "range 1000 2000; key g; key 5; key 0; key 0; key 0; key Return"
expect_eq "g 5000 Enter goes to a time" "$(rng "$T/g2.txt")" "4500 5500"

# ---- PNG pictures (libpng) ----
expect_status "screenshot as PNG" 0 "$HVSIM" trace view "$TR" --screenshot "$T/p.png" --from 13682000 --to 13683000
expect_eq "PNG signature" "$(od -An -tx1 -N 8 "$T/p.png" | tr -d ' ')" 89504e470d0a1a0a
expect_eq "PNG IHDR 1280x720, 8-bit RGB" "$(od -An -tx1 -j 16 -N 10 "$T/p.png" | tr -d ' ')" 00000500000002d00802
if command -v pngfix >/dev/null; then
    expect_status "pngfix finds the PNG sound" 0 pngfix "$T/p.png"
fi
expect_status "PNG into a missing directory: exit 2" 2 "$HVSIM" trace view "$TR" --screenshot "$T/no/p.png"

# trace export --format png: the same picture, as high as the lanes need
expect_status "export --format png" 0 "$HVSIM" trace export "$TR" --format png -o "$T/e.png" \
    --from 13682000 --to 13683000 --width 1000
expect_eq "export png: quiet" "$(wc -c <"$T/out")" 0
expect_eq "export png: 1000 wide, 28 + 4 x 70 + 96 high" "$(od -An -tx1 -j 16 -N 8 "$T/e.png" | tr -d ' ')" 000003e800000194
expect_status "export png needs a .png name" 2 "$HVSIM" trace export "$TR" --format png -o "$T/e.bmp"
expect_status "export png: bad --width" 2 "$HVSIM" trace export "$TR" --format png -o "$T/e.png" --width 9
expect_status "export png: a non-trace" 2 "$HVSIM" trace export "$ROOT/Makefile" --format png -o "$T/e.png"
expect_line "$T/err" "$ROOT/Makefile: not an hvsim trace" "export png: a non-trace named"
expect_status "export chrome still works" 0 "$HVSIM" trace export "$TR" --format chrome -o "$T/e.json"

# ---- 6. measuring, bad input, no display ----
expect_status "--measure prints frames/s" 0 "$HVSIM" trace view "$TR" --measure 20
if grep -qE "^measure: 20 frames 1280x720, 9963 events: [0-9.]+ frames/s" "$T/out"; then
    pass "--measure report"; else fail "--measure report" "$(cat "$T/out")"; fi
expect_status "not a trace: exit 2" 2 "$HVSIM" trace view "$ROOT/Makefile" --screenshot "$T/x.bmp"
expect_line "$T/err" "hvsim: trace view: $ROOT/Makefile: not an hvsim trace" "not a trace: message names the file"
head -c 3000 "$TR" >"$T/cut.hvt"
expect_status "truncated trace: exit 2" 2 "$HVSIM" trace view "$T/cut.hvt" --screenshot "$T/x.bmp"
expect_line "$T/err" "$T/cut.hvt: truncated" "truncated trace: message"
expect_status "missing file: exit 2" 2 "$HVSIM" trace view "$T/none.hvt"
expect_status "bad option: exit 2" 2 "$HVSIM" trace view "$TR" --zoom 3
expect_status "bad script: exit 2" 2 "$HVSIM" trace view "$TR" --script "frobnicate" --screenshot "$T/x.bmp"
expect_line "$T/err" "--script: bad command 'frobnicate'" "bad script: message"
expect_status "bad --hide: exit 2" 2 "$HVSIM" trace view "$TR" --hide nosuch --screenshot "$T/x.bmp"
expect_status "no such video driver: exit 2" 2 env SDL_VIDEODRIVER=nosuch "$HVSIM" trace view "$TR"
expect_line "$T/err" "hvsim: trace view: no display: SDL_Init: nosuch not available" "no display: SDL's error named"
expect_status "no display at all: exit 2" 2 env -u SDL_VIDEODRIVER XDG_RUNTIME_DIR=/nonexistent "$HVSIM" trace view "$TR"
expect_line "$T/err" "hvsim: trace view: no display" "no display at all: message"
expect_status "window on the offscreen driver, q quits" 0 timeout 20 "$HVSIM" trace view "$TR" --script "key q"
expect_status "trace view --help" 0 "$HVSIM" trace view --help
expect_line "$T/out" "--screenshot" "help names --screenshot"
# ---- 7. a real window under Xvfb: keys from the X server, the frame read back ----
if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null; then
    echo "SKIP real window: Xvfb or xdotool missing (scripts/deps.sh installs xvfb, xdotool)"
else
    Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$T/dispno" 2>"$T/xvfb.err" &
    XPID=$!
    trap 'kill $XPID 2>/dev/null; wait $XPID 2>/dev/null; rm -rf "$T"' EXIT
    i=0
    while [ ! -s "$T/dispno" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ ! -s "$T/dispno" ]; then
        echo "SKIP real window: Xvfb did not start: $(head -c 200 "$T/xvfb.err")"
    else
        XD=:$(head -1 "$T/dispno")
        ( DISPLAY=$XD SDL_VIDEODRIVER= timeout 60 "$HVSIM" trace view "$TR" --save-on-quit "$T/win.bmp" \
            >"$T/win.txt" 2>"$T/win.err"; echo "rc $?" >"$T/win.rc" ) &
        VPID=$!
        W=$(DISPLAY=$XD timeout 30 xdotool search --sync --onlyvisible --name "hvsim trace view" | head -1)
        if [ -n "$W" ]; then pass "window appears on the X server"; else fail "window appears on the X server" "$(cat "$T/win.err")"; fi
        DISPLAY=$XD xdotool windowfocus --sync "$W" 2>/dev/null
        DISPLAY=$XD xdotool key plus
        sleep 0.5
        DISPLAY=$XD xdotool key q
        wait "$VPID"
        expect_eq "q closes the window, exit 0" "$(cat "$T/win.rc")" "rc 0"
        # '+' zooms 2x about the centre of the fitted range
        want=$(awk '/^range /{ c = ($2 + $3) / 2; q = ($3 - $2) / 4; printf "%.0f %.0f\n", c - q, c + q }' "$T/fit.txt")
        expect_eq "the + key from X zoomed 2x" "$(rng "$T/win.txt")" "$want"
        ncol=$(column "$T/win.bmp" 700 | sort -u | wc -l)
        if [ "$ncol" -ge 5 ]; then pass "the window's frame is not blank ($ncol colours in a column)"; else
            fail "the window's frame is not blank" "$ncol colours"; fi
        expect_eq "the window shows lane 0 in M (OpenSBI, before 13 ms)" "$(bmp_pixel "$T/win.bmp" 700 $((top0 + 9)))" d55e00
    fi
fi

expect_status "hvsim trace --help" 0 "$HVSIM" trace --help
expect_line "$T/out" "view FILE" "trace --help names view"
"$HVSIM" --help >"$T/out"
expect_line "$T/out" "trace view FILE" "hvsim --help names trace view"
summary
