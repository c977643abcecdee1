#!/usr/bin/env bash
# live-picture.sh HVSIM [OUT.png] — docs/view-live.png, the live window of a
# running machine (`hvsim run --display sdl`, docs/view.md), `make live-picture`.
#
# On a private Xvfb server (xvfb, xdotool: scripts/deps.sh), minihv on 4
# harts (build/firmware/minihv.elf, `make firmware`) starts paused; the keys
# go through the X server as a user's would: F7 runs to the first IPI sent,
# F8 to the first VM exit, F7 ten times on to more IPIs (the VMs' vCPUs
# start and ping-pong); F2 and + zoom in 128x about that stop and Left
# pans so that it is at five eighths of the width; F12 saves the frame on
# screen (hvsim-live-1.bmp), which becomes OUT as a PNG (a small converter
# built here against libpng, which hvsim itself links); F5 lets minihv run
# to its poweroff. Exit status 0 written, 1 a step failed, 2 missing tools.
set -euo pipefail
die() { echo "live-picture: $1" >&2; exit "${2:-1}"; }
[ $# -ge 1 ] || die "usage: $0 HVSIM [OUT.png]" 2
HVSIM=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${2:-$ROOT/docs/view-live.png}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
MINIHV=${MINIHV:-$(dirname "$HVSIM")/firmware/minihv.elf}
[ -f "$MINIHV" ] || die "$MINIHV missing (make firmware)" 2
if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null; then
    die "Xvfb or xdotool missing (scripts/deps.sh installs xvfb, xdotool)" 2
fi
T=$(mktemp -d)
XPID=''
LPID=''
cleanup() {
    [ -z "$LPID" ] || kill "$LPID" 2>/dev/null || true
    [ -z "$XPID" ] || { kill "$XPID" 2>/dev/null; wait "$XPID" 2>/dev/null; } || true
    rm -rf "$T"
}
trap cleanup EXIT

# BMP (as SDL_SaveBMP writes it: 24 or 32 bits, bottom-up) to PNG.
cat >"$T/bmp2png.c" <<'C'
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static unsigned u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (unsigned)p[3] << 24; }
int main(int argc, char **argv)
{
    FILE *f = argc == 3 ? fopen(argv[1], "rb") : NULL;
    static unsigned char buf[64 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (n < 54 || buf[0] != 'B' || buf[1] != 'M') { fprintf(stderr, "bmp2png: %s: not a BMP\n", argc > 1 ? argv[1] : "?"); return 1; }
    unsigned off = u32(buf + 10), w = u32(buf + 18), bpp = buf[28] | buf[29] << 8;
    int h = (int)u32(buf + 22), up = h > 0;
    if (!up) h = -h;
    size_t row = (w * bpp / 8 + 3) / 4 * 4;
    if ((bpp != 24 && bpp != 32) || off + row * h > n) { fprintf(stderr, "bmp2png: %s: unsupported BMP\n", argv[1]); return 1; }
    unsigned char *rgb = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            const unsigned char *p = buf + off + row * (up ? h - 1 - y : y) + x * bpp / 8;
            unsigned char *q = rgb + ((size_t)y * w + x) * 3;
            q[0] = p[2], q[1] = p[1], q[2] = p[0];
        }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION, img.width = w, img.height = h, img.format = PNG_FORMAT_RGB;
    if (!png_image_write_to_file(&img, argv[2], 0, rgb, 0, NULL)) { fprintf(stderr, "bmp2png: %s: %s\n", argv[2], img.message); return 1; }
    return 0;
}
C
cc -O1 -o "$T/bmp2png" "$T/bmp2png.c" -lpng || die "cannot build the BMP-to-PNG converter (libpng-dev)" 2

Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$T/dispno" 2>"$T/xvfb.err" &
XPID=$!
for _ in $(seq 100); do [ -s "$T/dispno" ] && break; sleep 0.1; done
[ -s "$T/dispno" ] || die "Xvfb did not start: $(head -c 200 "$T/xvfb.err")"
DISPLAY=:$(head -1 "$T/dispno")
export DISPLAY
unset SDL_VIDEODRIVER

# wait_for TEXT COUNT: until the live report (stderr) holds TEXT COUNT times
wait_for() {
    for _ in $(seq 600); do
        [ "$(grep -cF -- "$1" "$T/run.err" 2>/dev/null)" -ge "$2" ] && return 0
        kill -0 "$LPID" 2>/dev/null || die "hvsim ended early: $(tail -3 "$T/run.err")"
        sleep 0.1
    done
    die "no '$1' after 60 s: $(tail -3 "$T/run.err")"
}
key() { xdotool key --window "$W" "$1"; wait_for "$2" "$3"; }

(cd "$T" && exec timeout 300 "$HVSIM" run --smp 4 --kernel "$MINIHV" --display sdl,paused \
    </dev/null >"$T/run.out" 2>"$T/run.err") &
LPID=$!
W=
for _ in $(seq 150); do
    W=$(xdotool search --onlyvisible --name "hvsim run" 2>/dev/null | tail -1) || true
    [ -n "$W" ] && break
    sleep 0.2
done
[ -n "$W" ] || die "the window did not appear: $(tail -3 "$T/run.err")"
xdotool windowfocus --sync "$W" 2>/dev/null || true
wait_for "paused at 0 instructions" 1
key F7 "stopped after" 1
key F8 "stopped after" 2
key F7 "stopped after" 3
key F7 "stopped after" 4
for n in 5 6 7 8 9 10 11 12; do key F7 "stopped after" "$n"; done
# F2: keys to the view; + zooms 2x about the centre (the last stop)
xdotool key --window "$W" F2
for _ in 1 2 3 4 5 6 7; do xdotool key --window "$W" plus; sleep 0.1; done
# Left pans an eighth of the width: the stop at five eighths, the run so far before it
for _ in 1 2 3; do xdotool key --window "$W" Left; sleep 0.1; done
sleep 0.5 # (the window redraws at most 30 times a second)
key F12 "saved hvsim-live-1.bmp" 1
grep -F "stopped after" "$T/run.err" | sed 's/^/live-picture: /'
"$T/bmp2png" "$T/hvsim-live-1.bmp" "$OUT"
xdotool key --window "$W" F5
rc=0
wait "$LPID" || rc=$?
LPID=
[ "$rc" -eq 0 ] || die "minihv did not end with exit 0 after F5 (exit $rc): $(tail -2 "$T/run.err")"
echo "live-picture: wrote $OUT ($(grep -o 'saved hvsim-live-1.bmp ([0-9x]*)' "$T/run.err" | grep -o '[0-9]*x[0-9]*'))"
