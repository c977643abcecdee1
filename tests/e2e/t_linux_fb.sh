#!/usr/bin/env bash
# Linux 6.1 (tests/firmware/linux) on the riscv-virt framebuffer
# (--framebuffer 640x480: the DT's simple-framebuffer node): simplefb binds
# to it, fbcon draws the virtual terminal on it, and with console=tty0 the
# kernel log is on the screen. Checks: the kernel's own lines about it; the
# --screenshot picture (PPM) has text (grey-on-black glyph pixels) in most of
# its 30 text rows, and none without console=tty0 (only the cursor); two runs
# give the same picture and byte-identical traces; replay is identical.
# Usage: t_linux_fb.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
IMAGE=$(bash "$ROOT/tests/firmware/linux/build.sh" riscv 2>"$T/build.err" | tail -n1)
if [ ! -f "$IMAGE" ]; then
    fail "build the Linux image" "$(tail -5 "$T/build.err")"
    summary
    exit 1
fi
# VM 1 only: the KVM part is not what this test is about.
boot() { # NAME APPEND ARGS...: console to $T/con.out (one name: the trace header records it)
    local name=$1 append=$2
    shift 2
    "$HVSIM" run --smp 2 --kernel "$IMAGE" --append "$append kvmtest.vm=1" --framebuffer 640x480 --max-insns 3000000000 \
        --serial "file:$T/con.out" --screenshot "$T/$name.ppm" "$@" </dev/null 2>"$T/$name.err"
    rc=$?
    mv "$T/con.out" "$T/$name.out"
}
# Pixels of a binary PPM (P6, maxval 255) that are not black, and the number
# of 16-pixel text rows that hold any.
ppm_lit() {
    local hdr
    hdr=$(head -3 "$1" | wc -c)
    tail -c +$((hdr + 1)) "$1" | od -An -v -tx1 -w3 | tr -d ' ' |
        awk -v w="$(head -2 "$1" | tail -1 | cut -d' ' -f1)" '
            $1 != "000000" { n++; rows[int(int((NR - 1) / w) / 16)] = 1 }
            END { r = 0; for (k in rows) r++; print n + 0, r }'
}

boot fb1 "console=tty0 console=ttyS0 earlycon" --trace "$T/fb1.hvt"
expect_eq "Linux with --framebuffer 640x480 and console=tty0: exit 0" "$rc" 0
expect_line "$T/fb1.out" "simple-framebuffer 8fe00000.framebuffer: framebuffer at 0x8fe00000, 0x12c000 bytes" \
    "simplefb binds to the DT node (640*480*4 bytes at 0x8fe00000)"
expect_line "$T/fb1.out" "simple-framebuffer 8fe00000.framebuffer: format=a8r8g8b8, mode=640x480x32, linelength=2560" \
    "simplefb: a8r8g8b8 640x480, stride 2560"
expect_line "$T/fb1.out" "Console: switching to colour frame buffer device 80x30" "fbcon takes the screen: 80x30 cells"
expect_line "$T/fb1.out" "printk: console [tty0] enabled" "the kernel log goes to tty0"
expect_line "$T/fb1.out" "init: PASS, powering off" "/init still passes (its output on ttyS0, the last console=)"
expect_eq "picture: 640x480" "$(ppm_size "$T/fb1.ppm")" "640 480"
read -r lit rows <<<"$(ppm_lit "$T/fb1.ppm")"
if [ "${lit:-0}" -ge 20000 ] && [ "${rows:-0}" -ge 25 ]; then
    pass "picture: the kernel log on screen ($lit lit pixels in $rows of 30 text rows)"
else
    fail "picture: the kernel log on screen" "$lit lit pixels in $rows text rows"
fi

boot fb2 "console=tty0 console=ttyS0 earlycon" --trace "$T/fb2.hvt"
if [ "$rc" -eq 0 ] && cmp -s "$T/fb1.ppm" "$T/fb2.ppm"; then pass "two runs: the same picture"; else
    fail "two runs: the same picture" "exit $rc, $(cmp "$T/fb1.ppm" "$T/fb2.ppm" 2>&1)"; fi
if cmp -s "$T/fb1.out" "$T/fb2.out" && cmp -s "$T/fb1.hvt" "$T/fb2.hvt"; then
    pass "two runs: the same console bytes and byte-identical traces"
else
    fail "two runs: byte-identical traces" "$("$HVSIM" trace diff "$T/fb1.hvt" "$T/fb2.hvt" 2>&1 | head -6)"
fi
if "$HVSIM" replay "$T/fb1.hvt" >"$T/replay.txt" 2>&1; then pass "replay identical"; else
    fail "replay identical" "$(head -5 "$T/replay.txt")"; fi

# Without console=tty0 fbcon still takes the screen, but the log is not on it.
boot fb3 "console=ttyS0 earlycon"
expect_eq "without console=tty0: exit 0" "$rc" 0
expect_line "$T/fb3.out" "Console: switching to colour frame buffer device 80x30" "without console=tty0: fbcon still binds"
read -r lit3 rows3 <<<"$(ppm_lit "$T/fb3.ppm")"
if [ "${lit3:-0}" -lt 1000 ]; then
    pass "without console=tty0: the screen is (nearly) empty ($lit3 lit pixels)"
else
    fail "without console=tty0: the screen is empty" "$lit3 lit pixels in $rows3 rows"
fi
summary
