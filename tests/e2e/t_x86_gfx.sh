#!/usr/bin/env bash
# End-to-end tests of the x86 PC's graphics (docs/x86.md "Linear
# framebuffer", "VGA text mode"; docs/view.md "The guest screen"):
#  1. bad [vga] lfb / --vga values exit 2 naming the option or key;
#  2. a Multiboot 2 kernel with a required framebuffer tag (5, asking
#     1024x768x32) gets the direct-RGB framebuffer info tag (its checks)
#     and the DISPI mode set; its eight colour bars are in the picture;
#     with --vga lfb=800x600x16 or an 8-bit default the request is still
#     honoured; without lfb the tag is refused (exit 2); a Multiboot 1
#     kernel with header flag 2 gets info flag 12 and draws the same;
#  3. VBE DISPI: an x86-64 kernel switches to 800x600x16 through ports
#     0x1ce/0x1cf, draws 16-bit bars on the second page and pans to it;
#  4. VGA mode 13h programmed through the registers: 320x200 quadrants
#     in DAC colours;
#  5. determinism: two runs give byte-identical traces and pictures, and
#     neither the picture nor the live window (SDL offscreen) changes the
#     trace.
# Usage: t_x86_gfx.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset DISPLAY WAYLAND_DISPLAY SDL_VIDEODRIVER

pixels() { # NAME FILE "X Y RRGGBB WHAT"...
    local name=$1 f=$2
    shift 2
    for p in "$@"; do
        set -- $p
        expect_eq "$name: pixel ($1,$2) $4" "$(ppm_pixel "$f" "$1" "$2")" "$3"
    done
}
run() { "$HVSIM" run --machine x86-pc --smp 1 "$@" </dev/null; }

if ! bash "$ROOT/tests/firmware/fb/build.sh" "$T/fw" >"$T/build.log" 2>&1; then
    fail "tests/firmware/fb builds" "$(tail -5 "$T/build.log")"
    summary
    exit
fi
MB2="$T/fw/gfx-mb2.elf"
DISPI="$T/fw/gfx-dispi.elf"
M13="$T/fw/gfx-13h.elf"

# ---- 1. bad input ----
for bad in 1001x768x32 1024x768x12 0x768x32 1024x768 4096x4096x32 abc; do
    expect_status "--vga lfb=$bad: exit 2" 2 run --kernel "$DISPI" --vga "lfb=$bad"
    expect_line "$T/err" "[vga] lfb '$bad' must be WxHxBPP" "--vga lfb=$bad: the message names the key"
done
expect_status "--vga=bogus: exit 2" 2 run --kernel "$DISPI" --vga=bogus
expect_line "$T/err" "--vga bogus: expected lfb=WxHxBPP" "--vga=bogus: the message names the option"
printf '[machine]\narch = x86_64\n[vga]\nlfb = 640x480x7\n' >"$T/bad.ini"
expect_status "[vga] lfb = 640x480x7 in a config: exit 2" 2 "$HVSIM" run -c "$T/bad.ini" --kernel "$DISPI"
expect_line "$T/err" "[vga] lfb '640x480x7'" "[vga] lfb in a config: the message names the key"
expect_status "--vga lfb on riscv-virt: exit 2" 2 "$HVSIM" run --bios none --kernel "$DISPI" --vga lfb=640x480x32

# ---- 2. Multiboot 2 framebuffer tag ----
run --vga lfb=1024x768x32 --kernel "$MB2" --screenshot "$T/mb2.ppm" --trace "$T/mb2a.hvt" \
    >"$T/mb2.out" 2>"$T/mb2.err"
expect_eq "gfx-mb2: exit 0" "$?" 0
expect_line "$T/mb2.out" "x86 gfx-mb2: all checks passed" "gfx-mb2: the tag and DISPI checks pass"
expect_eq "gfx-mb2: picture 1024x768" "$(ppm_size "$T/mb2.ppm")" "1024 768"
pixels gfx-mb2 "$T/mb2.ppm" "64 400 000000 black-bar" "192 400 ff0000 red-bar" "320 400 00ff00 green-bar" \
    "448 400 ffff00 yellow-bar" "576 400 0000ff blue-bar" "704 767 ff00ff magenta-bar" \
    "832 0 00ffff cyan-bar" "1023 767 ffffff white-bar" "2 2 ffffff square" "10 2 000000 beside-the-square" \
    "127 100 000000 last-black-column" "128 100 ff0000 first-red-column"
run --vga=lfb=800x600x16 --kernel "$MB2" --screenshot "$T/mb2b.ppm" >"$T/mb2b.out" 2>&1
expect_eq "gfx-mb2 with an 800x600x16 default: the 1024x768x32 request honoured, exit 0" "$?" 0
expect_eq "gfx-mb2 with an 800x600x16 default: picture 1024x768" "$(ppm_size "$T/mb2b.ppm")" "1024 768"
expect_status "gfx-mb2 with an 8-bit default: its 32-bit request honoured, exit 0" 0 \
    run --vga lfb=1024x768x8 --kernel "$MB2"
expect_status "gfx-mb2 with a text-only VGA: exit 2" 2 run --vga --kernel "$MB2"
expect_line "$T/err" "requires tag 5 (framebuffer)" "gfx-mb2 with a text-only VGA: refused as before"

# Multiboot 1: header flag 2 (linear graphics, 1024x768x32) -> info flag 12
run --vga lfb=1024x768x32 --kernel "$T/fw/gfx-mb1.elf" --screenshot "$T/mb1.ppm" >"$T/mb1.out" 2>&1
expect_eq "gfx-mb1: exit 0" "$?" 0
expect_line "$T/mb1.out" "x86 gfx-mb1: all checks passed" "gfx-mb1: the flag 12 fields and DISPI checks pass"
if cmp -s "$T/mb1.ppm" "$T/mb2.ppm"; then pass "gfx-mb1: the same picture as gfx-mb2"; else fail "gfx-mb1: the same picture as gfx-mb2"; fi
expect_status "gfx-mb1 with a text-only VGA: exit 2" 2 run --vga --kernel "$T/fw/gfx-mb1.elf"
expect_line "$T/err" "requires flag bit 2 (video mode)" "gfx-mb1 with a text-only VGA: refused"

# ---- 3. VBE DISPI mode switch ----
run --vga lfb=1024x768x32 --kernel "$DISPI" --screenshot "$T/dispi.ppm" >"$T/dispi.out" 2>&1
expect_eq "gfx-dispi: exit 0" "$?" 0
expect_line "$T/dispi.out" "x86 gfx-dispi: all checks passed" "gfx-dispi: the register checks pass"
expect_eq "gfx-dispi: picture 800x600 (the mode switched to)" "$(ppm_size "$T/dispi.ppm")" "800 600"
pixels gfx-dispi "$T/dispi.ppm" "0 0 ff0000 red" "199 599 ff0000 red-end" "200 300 00ff00 green" \
    "500 300 0000ff blue" "799 599 ffffff white"
printf '[machine]\narch = x86_64\n[vga]\nlfb = 640x480x32\n' >"$T/lfb.ini"
run -c "$T/lfb.ini" --kernel "$DISPI" >"$T/dispi2.out" 2>&1
expect_eq "gfx-dispi with [vga] lfb in a config (VGA implied): exit 0" "$?" 0

# ---- 4. VGA mode 13h ----
run --vga --kernel "$M13" --screenshot "$T/m13.ppm" >"$T/m13.out" 2>&1
expect_eq "gfx-13h: exit 0" "$?" 0
expect_line "$T/m13.out" "x86 gfx-13h: all checks passed" "gfx-13h: the checks pass"
expect_eq "gfx-13h: picture 320x200" "$(ppm_size "$T/m13.ppm")" "320 200"
pixels gfx-13h "$T/m13.ppm" "0 0 ffffff origin-103" "1 0 ff0000 top-left-100" "159 99 ff0000 top-left-end" \
    "160 0 00ff00 top-right-101" "0 100 0000ff bottom-left-102" "200 150 ffffff bottom-right-103" \
    "319 199 ff0000 last-pixel-100"

# ---- 5. determinism ----
run --vga lfb=1024x768x32 --kernel "$MB2" --screenshot "$T/mb2c.ppm" --trace "$T/mb2b.hvt" >/dev/null 2>&1
if cmp -s "$T/mb2a.hvt" "$T/mb2b.hvt"; then pass "gfx-mb2 twice: byte-identical traces"; else fail "gfx-mb2 twice: byte-identical traces"; fi
if cmp -s "$T/mb2.ppm" "$T/mb2c.ppm"; then pass "gfx-mb2 twice: byte-identical pictures"; else fail "gfx-mb2 twice: byte-identical pictures"; fi
run --vga lfb=1024x768x32 --kernel "$MB2" --trace "$T/mb2n.hvt" >/dev/null 2>&1
if cmp -s "$T/mb2a.hvt" "$T/mb2n.hvt"; then pass "gfx-mb2: --screenshot does not change the trace"; else fail "gfx-mb2: --screenshot does not change the trace"; fi
for k in "$DISPI" "$M13"; do
    n=$(basename "$k" .elf)
    o="--vga"
    [ "$n" = gfx-dispi ] && o="--vga lfb=1024x768x32"
    run $o --kernel "$k" --trace "$T/$n-1.hvt" --screenshot "$T/$n-1.ppm" >/dev/null 2>&1
    run $o --kernel "$k" --trace "$T/$n-2.hvt" --screenshot "$T/$n-2.ppm" >/dev/null 2>&1
    if cmp -s "$T/$n-1.hvt" "$T/$n-2.hvt" && cmp -s "$T/$n-1.ppm" "$T/$n-2.ppm"; then
        pass "$n twice: byte-identical trace and picture"; else fail "$n twice: byte-identical trace and picture"; fi
done
for k in "$MB2" "$DISPI" "$M13"; do # the live window (SDL offscreen) changes nothing either
    n=$(basename "$k" .elf)
    o="--vga lfb=1024x768x32"
    [ "$n" = gfx-13h ] && o="--vga"
    [ "$n" = gfx-mb2 ] && ref="$T/mb2a.hvt" || ref="$T/$n-1.hvt"
    SDL_VIDEODRIVER=offscreen "$HVSIM" run --machine x86-pc --smp 1 $o --kernel "$k" --display sdl \
        --trace "$T/$n-sdl.hvt" </dev/null >/dev/null 2>"$T/$n-sdl.err"
    expect_eq "$n with --display sdl (offscreen): exit 0" "$?" 0
    if cmp -s "$ref" "$T/$n-sdl.hvt"; then pass "$n: --display sdl does not change the trace"; else
        fail "$n: --display sdl does not change the trace" "$(tail -1 "$T/$n-sdl.err")"; fi
done
"$HVSIM" replay "$T/mb2a.hvt" >"$T/replay.out" 2>&1
expect_eq "gfx-mb2: the trace replays" "$?" 0

summary
