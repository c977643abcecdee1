#!/usr/bin/env bash
# End-to-end tests of the guest screen (docs/view.md "The guest screen"):
#  1. bad --framebuffer / --vga / --screenshot / config values exit 2;
#  2. RISC-V: tests/firmware/fb's program finds the simple-framebuffer in
#     the DTB (also read back with dtc: the binding's properties and the
#     reserved-memory no-map node), draws, exits 0; the picture's pixels
#     (--screenshot, PPM) are the ones it drew, and its raw pixels hash to
#     a known value; a PNG of the same is a valid PNG of the same size;
#     without --framebuffer the DTB has no such node;
#  3. x86: the VGA kernel's checks pass (and a Multiboot 2 kernel finds
#     the EGA text framebuffer tag); the picture shows its text
#     colours, the cursor and the known hash (font: console-setup-linux's
#     Uni2-VGA16); without --vga the board is the old one (0xb8000 reads
#     all ones: the multiboot kernels' check);
#  4. the screen never changes the run: traces with and without
#     --screenshot and --display sdl (offscreen) are byte-identical;
#  4b. Linux: RISC-V boots with --framebuffer and reserves it; x86 with
#     --vga and console=tty0 uses vgacon (skipped without the images);
#  5. the live window on Xvfb (skipped without Xvfb/xdotool): the guest
#     screen right of the timeline in F12 pictures (RISC-V, x86 text).
# Usage: t_fb.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset DISPLAY WAYLAND_DISPLAY SDL_VIDEODRIVER

# the raw pixels' hash (not the file's: the header is text)
ppm_hash() { tail -c +$(($(head -3 "$1" | wc -c) + 1)) "$1" | sha256sum | cut -c1-16; }

if ! bash "$ROOT/tests/firmware/fb/build.sh" "$T/fw" >"$T/build.log" 2>&1; then
    fail "tests/firmware/fb builds" "$(tail -5 "$T/build.log")"
    summary
    exit
fi
FB="$T/fw/fb-test.elf"
VGA="$T/fw/vga-test.elf"

# ---- 1. bad input ----
expect_status "--framebuffer 0x10: exit 2" 2 "$HVSIM" run --bios none --kernel "$FB" --framebuffer 0x10
expect_status "--framebuffer 5000x10: exit 2" 2 "$HVSIM" run --bios none --kernel "$FB" --framebuffer 5000x10
expect_status "--framebuffer abc: exit 2" 2 "$HVSIM" run --bios none --kernel "$FB" --framebuffer abc
expect_line "$T/err" "--framebuffer: 'abc' is not WxH" "--framebuffer abc: the message names the option"
expect_status "--framebuffer on x86-pc: exit 2" 2 "$HVSIM" run --machine x86-pc --kernel "$VGA" --framebuffer 64x64
expect_status "--vga on riscv-virt: exit 2" 2 "$HVSIM" run --bios none --kernel "$FB" --vga
expect_status "--framebuffer larger than half the RAM: exit 2" 2 \
    "$HVSIM" run --bios none --kernel "$FB" --mem 16M --framebuffer 4096x4096
expect_line "$T/err" "[framebuffer] size '4096x4096' needs" "too large: the message names the key"
expect_status "--screenshot without a screen: exit 2" 2 "$HVSIM" run --bios none --kernel "$FB" --screenshot "$T/x.ppm"
expect_line "$T/err" "has no screen" "--screenshot without a screen: says so"
printf '[machine]\narch = x86_64\n[vga]\ntext = maybe\n' >"$T/badvga.ini"
expect_status "[vga] text = maybe: exit 2" 2 "$HVSIM" run -c "$T/badvga.ini" --kernel "$VGA"
expect_line "$T/err" "[vga] text 'maybe'" "[vga] text = maybe: the message names the key"
expect_status "--screenshot into a missing directory: exit 2" 2 \
    "$HVSIM" run --bios none --kernel "$FB" --framebuffer 64x64 --screenshot "$T/no/such/x.ppm"

# ---- 2. RISC-V simple-framebuffer ----
"$HVSIM" run --smp 1 --bios none --kernel "$FB" --framebuffer 320x200 --screenshot "$T/fb.ppm" \
    --trace "$T/fb1.hvt" </dev/null >"$T/fb.out" 2>"$T/fb.err"
expect_eq "fb-test: exit 0" "$?" 0
expect_line "$T/fb.out" "fb: 320x200 stride 1280 at 0x8fe00000 (reserved no-map 0x8fe00000+0x200000)" \
    "fb-test: found the node (the top 2 MiB of 256 MiB RAM)"
expect_line "$T/fb.out" "fb: all checks passed" "fb-test: the binding's checks pass"
expect_eq "picture: 320x200" "$(ppm_size "$T/fb.ppm")" "320 200"
for p in "0 0 202040 background" "10 10 ff0000 red-square" "40 20 00ff00 green-square" \
         "60 8 0000ff blue-square" "0 32 ffffff diagonal-start" "150 182 ffffff diagonal" \
         "151 182 202040 beside-the-diagonal" "319 199 ffff00 bottom-right" "7 7 202040 outside-red"; do
    set -- $p
    expect_eq "picture: pixel ($1,$2) $4" "$(ppm_pixel "$T/fb.ppm" "$1" "$2")" "$3"
done
expect_eq "picture: raw pixel hash" "$(ppm_hash "$T/fb.ppm")" "0fe24c4d791b06ef"
"$HVSIM" run --smp 1 --bios none --kernel "$FB" --framebuffer 320x200 --screenshot "$T/fb.png" \
    </dev/null >/dev/null 2>&1
expect_eq "PNG: signature" "$(head -c 8 "$T/fb.png" | od -An -tx1 | tr -d ' ')" "89504e470d0a1a0a"
expect_eq "PNG: IHDR 320x200, 8-bit RGB" "$(od -An -tx1 -j16 -N10 "$T/fb.png" | tr -d ' ')" "00000140000000c80802"
if command -v pngfix >/dev/null; then
    if pngfix "$T/fb.png" >/dev/null 2>&1; then pass "PNG: pngfix finds no error"; else fail "PNG: pngfix" "$(pngfix "$T/fb.png" 2>&1 | head -2)"; fi
fi
"$HVSIM" run --smp 1 --bios none --kernel "$FB" --framebuffer 320x200 --dump-dtb "$T/fb.dtb" >/dev/null 2>&1
"$HVSIM" run --smp 1 --bios none --kernel "$FB" --dump-dtb "$T/plain.dtb" >/dev/null 2>&1
if command -v dtc >/dev/null; then
    dtc -I dtb -O dts "$T/fb.dtb" >"$T/fb.dts" 2>/dev/null
    dtc -I dtb -O dts "$T/plain.dtb" >"$T/plain.dts" 2>/dev/null
    for l in 'compatible = "simple-framebuffer";' 'format = "a8r8g8b8";' 'width = <0x140>;' \
             'height = <0xc8>;' 'stride = <0x500>;' 'reg = <0x00 0x8fe00000 0x00 0x3e800>;' \
             'no-map;' 'reg = <0x00 0x8fe00000 0x00 0x200000>;' 'reserved-memory {'; do
        expect_line "$T/fb.dts" "$l" "DTB: $l"
    done
    if grep -q "framebuffer\|reserved-memory" "$T/plain.dts"; then
        fail "DTB without --framebuffer: no framebuffer node"; else pass "DTB without --framebuffer: no framebuffer node"; fi
fi

# RISC-V Linux keeps off the reserved framebuffer (skipped without the image)
IMAGE=$(bash "$ROOT/tests/firmware/linux/build.sh" riscv 2>"$T/rbuild.err" | tail -n1)
if [ -f "$IMAGE" ]; then
    "$HVSIM" run --kernel "$IMAGE" --append "console=ttyS0 earlycon" --serial "file:$T/rl0.out" </dev/null 2>/dev/null
    "$HVSIM" run --kernel "$IMAGE" --append "console=ttyS0 earlycon" --framebuffer 640x480 \
        --serial "file:$T/rl1.out" </dev/null 2>/dev/null
    expect_eq "RISC-V Linux with --framebuffer: boots to /init's PASS, exit 0" "$?" 0
    expect_line "$T/rl1.out" "init: PASS" "RISC-V Linux with --framebuffer: init passes"
    r0=$(grep -o '[0-9]*K reserved' "$T/rl0.out" | tr -dc 0-9)
    r1=$(grep -o '[0-9]*K reserved' "$T/rl1.out" | tr -dc 0-9)
    if [ -n "$r0" ] && [ -n "$r1" ] && [ $((r1 - r0)) -ge 2048 ]; then
        pass "RISC-V Linux: the framebuffer's 2 MiB are reserved (${r0}K -> ${r1}K)"; else
        fail "RISC-V Linux: the framebuffer reserved" "'$r0' -> '$r1'"; fi
else
    echo "SKIP RISC-V Linux: the image cannot be built: $(tail -1 "$T/rbuild.err")"
fi

# ---- 3. x86 VGA text mode ----
"$HVSIM" run --machine x86-pc --smp 1 --vga --kernel "$VGA" --screenshot "$T/vga.ppm" \
    --trace "$T/vga1.hvt" </dev/null >"$T/vga.out" 2>"$T/vga.err"
expect_eq "vga-test: exit 0" "$?" 0
expect_line "$T/vga.out" "x86 vga: all checks passed" "vga-test: the register and memory checks pass"
expect_eq "text picture: 640x400 (80x25 cells of 8x16)" "$(ppm_size "$T/vga.ppm")" "640 400"
# cells: (col*8 + x, row*16 + y)
for p in "152 0 0000aa row-0-blue" "632 0 0000aa row-0-blue-to-the-end" \
         "4 24 000000 block-attr-0" "12 24 0000aa block-attr-1-blue" "52 24 aa5500 block-attr-6-brown" \
         "60 24 aaaaaa block-attr-7-grey" "124 24 ffffff block-attr-f-white" "132 24 000000 after-the-blocks" \
         "80 384 aa0000 bottom-row-red" "88 384 000000 after-bottom-line" \
         "43 46 aaaaaa cursor-scan-line-14" "43 47 aaaaaa cursor-scan-line-15" "43 45 000000 above-the-cursor"; do
    set -- $p
    expect_eq "text picture: pixel ($1,$2) $4" "$(ppm_pixel "$T/vga.ppm" "$1" "$2")" "$3"
done
# a glyph: 'h' (cell 0,0) has white pixels in its cell, the space after "mode" none
n=0; for y in 4 6 8 10; do for x in 1 2 5 6; do
    [ "$(ppm_pixel "$T/vga.ppm" "$x" "$y")" = ffffff ] && n=$((n + 1)); done; done
if [ "$n" -ge 4 ]; then pass "text picture: the 'h' glyph is drawn ($n of 16 samples white)"; else
    fail "text picture: the 'h' glyph" "$n white samples"; fi
expect_eq "text picture: raw pixel hash (font Uni2-VGA16)" "$(ppm_hash "$T/vga.ppm")" "dfaec79e591379e0"
"$HVSIM" run --machine x86-pc --smp 1 --kernel "$VGA" </dev/null >"$T/novga.out" 2>&1
expect_eq "vga-test without --vga: its checks fail (the hole reads all ones), exit 1" "$?" 1

# Multiboot 2: the framebuffer info tag (EGA text) with --vga; refused without
"$HVSIM" run --machine x86-pc --smp 1 --vga --kernel "$T/fw/vga-mb2.elf" --screenshot "$T/mb2.ppm" \
    </dev/null >"$T/mb2.out" 2>"$T/mb2.err"
expect_eq "multiboot2 kernel asking for tag 8, --vga: exit 0" "$?" 0
expect_line "$T/mb2.out" "x86 vga-mb2: all checks passed" "multiboot2: tag 8 is EGA text 80x25 at 0xb8000"
expect_eq "multiboot2: its text through the tag's address (green background)" \
    "$(ppm_pixel "$T/mb2.ppm" 7 0)" 00aa00
expect_status "multiboot2 kernel requiring tag 8 without --vga: exit 2" 2 \
    "$HVSIM" run --machine x86-pc --smp 1 --kernel "$T/fw/vga-mb2.elf"
expect_line "$T/err" "information request for tag type 8" "without --vga: the message names tag 8"

# ---- 4. the screen does not change the run ----
"$HVSIM" run --smp 1 --bios none --kernel "$FB" --framebuffer 320x200 --trace "$T/fb2.hvt" </dev/null >/dev/null 2>&1
if cmp -s "$T/fb1.hvt" "$T/fb2.hvt"; then pass "RISC-V: the same trace with and without --screenshot"; else
    fail "RISC-V: --screenshot changes the trace"; fi
SDL_VIDEODRIVER=offscreen "$HVSIM" run --smp 1 --bios none --kernel "$FB" --framebuffer 320x200 \
    --trace "$T/fb3.hvt" --display sdl </dev/null >/dev/null 2>"$T/fb3.err"
if cmp -s "$T/fb1.hvt" "$T/fb3.hvt"; then pass "RISC-V: the same trace with --display sdl"; else
    fail "RISC-V: --display sdl changes the trace" "$(tail -2 "$T/fb3.err")"; fi
"$HVSIM" run --machine x86-pc --smp 1 --vga --kernel "$VGA" --trace "$T/vga2.hvt" </dev/null >/dev/null 2>&1
SDL_VIDEODRIVER=offscreen "$HVSIM" run --machine x86-pc --smp 1 --vga --kernel "$VGA" \
    --trace "$T/vga3.hvt" --display sdl </dev/null >/dev/null 2>"$T/vga3.err"
if cmp -s "$T/vga1.hvt" "$T/vga2.hvt" && cmp -s "$T/vga1.hvt" "$T/vga3.hvt"; then
    pass "x86: the same trace with and without --screenshot and --display sdl"; else
    fail "x86: the screen changes the trace" "$(tail -2 "$T/vga3.err")"; fi
"$HVSIM" replay "$T/vga1.hvt" </dev/null >/dev/null 2>"$T/replay.err"
expect_eq "x86 with --vga: replay identical" "$?" 0
"$HVSIM" replay "$T/fb1.hvt" </dev/null >/dev/null 2>"$T/replay.err"
expect_eq "RISC-V with --framebuffer: replay identical" "$?" 0

# ---- 4b. Linux's vgacon on it (console=tty0; skipped without the image) ----
BZ=$(bash "$ROOT/tests/firmware/linux/build.sh" x86_64 2>"$T/lbuild.err" | tail -n1)
if [ -f "$BZ" ]; then
    for n in 1 2; do
        "$HVSIM" run --machine x86-pc --smp 1 --vga --kernel "$BZ" --max-insns 4000000000 \
            --append "console=ttyS0 console=tty0 earlyprintk=serial noapic nolapic" \
            --serial "file:$T/lx.out" --screenshot "$T/lx$n.ppm" </dev/null 2>"$T/lx.err"
        echo $? >"$T/lx$n.rc"
    done
    expect_eq "Linux with --vga: /init passes (exit 0)" "$(cat "$T/lx1.rc")" 0
    expect_line "$T/lx.out" "Console: colour VGA+ 80x25" "Linux: vgacon takes the VGA (screen_info of mode 3)"
    expect_line "$T/lx.out" "printk: console [tty0] enabled" "Linux: console=tty0 is the VGA console"
    # the last lines: "init: PASS, powering off" in grey on black somewhere
    # in rows 20-23 (a letter has grey pixels in its cell), the cursor below
    n=0; for y in $(seq 320 2 382); do for x in 2 3 4 5; do
        [ "$(ppm_pixel "$T/lx1.ppm" "$x" "$y")" = aaaaaa ] && n=$((n + 1)); done; done
    if [ "$n" -ge 8 ]; then pass "Linux: the VGA picture shows text in its last rows ($n samples grey)"; else
        fail "Linux: text on the VGA picture" "$n grey samples"; fi
    if cmp -s "$T/lx1.ppm" "$T/lx2.ppm"; then pass "Linux: the same picture twice"; else
        fail "Linux: the picture differs between two runs"; fi
else
    echo "SKIP Linux vgacon: the x86_64 image cannot be built: $(tail -1 "$T/lbuild.err")"
fi

# ---- 5. the live window on Xvfb ----
if ! xvfb_start 2000x1000; then
    summary
    exit
fi
( cd "$T" && timeout 120 "$HVSIM" run --smp 1 --bios none --kernel "$FB" --framebuffer 320x200 \
    --trace "$T/fb4.hvt" --display sdl,hold </dev/null >/dev/null 2>"$T/live.err"; echo "rc $?" >"$T/live.rc" ) &
LPID=$!
W=
i=0
while [ -z "$W" ] && [ "$i" -lt 150 ]; do
    W=$(xdotool search --onlyvisible --name "hvsim run" 2>/dev/null | tail -1)
    [ -n "$W" ] || sleep 0.2
    i=$((i + 1))
done
if [ -n "$W" ]; then pass "live: the window appears"; else fail "live: the window appears" "$(cat "$T/live.err")"; fi
wait_for "$T/live.err" "the machine ended" 1 60
xdotool windowfocus --sync "$W" 2>/dev/null
xdotool key --window "$W" F12
wait_for "$T/live.err" "saved hvsim-live-1.bmp" 1 30
expect_line "$T/live.err" "saved hvsim-live-1.bmp (1904x400)" \
    "live: F12 saves the timeline (1280) and the screen box (624) side by side"
# the screen scaled by 1.905 from x 1287: the red square's centre (16,16),
# the green one's (40,16), the blue one's (64,16), the background (100,100)
for p in "1317 30 ff0000 red" "1363 30 00ff00 green" "1409 30 0000ff blue" "1477 190 202040 background"; do
    set -- $p
    expect_eq "live: the guest screen's $4 at ($1,$2)" "$(bmp_pixel "$T/hvsim-live-1.bmp" "$1" "$2")" "$3"
done
expect_eq "live: the timeline still starts at the left (lane 0 band in M)" \
    "$(bmp_pixel "$T/hvsim-live-1.bmp" 200 37)" d55e00
xdotool key --window "$W" q 2>/dev/null
wait "$LPID"
expect_eq "live: q closes it, exit 0" "$(cat "$T/live.rc")" "rc 0"
if cmp -s "$T/fb1.hvt" "$T/fb4.hvt"; then pass "live: the window with the screen keeps the trace"; else
    fail "live: the trace changed"; fi
# x86 VGA text in the window: 640x400 scaled by about 0.95 from x 1287
# (row 24, the red one, from y 367)
rm -f "$T/hvsim-live-1.bmp" "$T/live.rc"
( cd "$T" && timeout 120 "$HVSIM" run --machine x86-pc --smp 1 --vga --kernel "$VGA" \
    --display sdl,hold </dev/null >/dev/null 2>"$T/live2.err"; echo "rc $?" >"$T/live.rc" ) &
LPID=$!
W=
i=0
while [ -z "$W" ] && [ "$i" -lt 150 ]; do
    W=$(xdotool search --onlyvisible --name "hvsim run" 2>/dev/null | tail -1)
    [ -n "$W" ] || sleep 0.2
    i=$((i + 1))
done
wait_for "$T/live2.err" "the machine ended" 1 60
xdotool windowfocus --sync "$W" 2>/dev/null
xdotool key --window "$W" F12
wait_for "$T/live2.err" "saved hvsim-live-1.bmp" 1 30
expect_eq "live x86: row 0 of the VGA text is blue in the window" \
    "$(bmp_pixel "$T/hvsim-live-1.bmp" 1587 5)" 0000aa
expect_eq "live x86: the bottom row is red" "$(bmp_pixel "$T/hvsim-live-1.bmp" 1325 369)" aa0000
expect_eq "live x86: black between them" "$(bmp_pixel "$T/hvsim-live-1.bmp" 1587 200)" 000000
xdotool key --window "$W" q 2>/dev/null
wait "$LPID"
expect_eq "live x86: q closes it, exit 0" "$(cat "$T/live.rc")" "rc 0"
summary
