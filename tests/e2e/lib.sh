# Shared helpers for the end-to-end tests (sourced).
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
PASSED=0
FAILED=0

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=$((FAILED + 1)); }

# scratch_tmpdir: a scratch directory $T, removed on exit, whose tmp/ is
# also TMPDIR (explore keeps its failing traces there).
scratch_tmpdir() {
    T=$(mktemp -d)
    trap 'rm -rf "$T"' EXIT
    mkdir -p "$T/tmp"
    export TMPDIR=$T/tmp
}

# vm_exit_count STATS REASON: the vm.exit count of REASON over every VM
# and vCPU in `trace stats` output STATS ("vmid vcpu count NAME (0xN)").
vm_exit_count() { awk -v r="$2" '$4 == r { n += $3 } END { print n + 0 }' "$1"; }

# vm_exit_mismatch STATS "NAME=N ...": the reasons whose count differs, as
# " NAME=got(want N)" each; empty when all match.
vm_exit_mismatch() {
    local w n bad=""
    for w in $2; do
        n=$(vm_exit_count "$1" "${w%%=*}")
        [ "$n" = "${w#*=}" ] || bad="$bad ${w%%=*}=$n(want ${w#*=})"
    done
    printf '%s' "$bad"
}

# bmp_pixel FILE X Y: "rrggbb" of a BMP's pixel (bottom-up rows padded to
# 4 bytes, 24 or 32 bits per pixel, as SDL_SaveBMP writes them)
bmp_pixel() {
    local f=$1 x=$2 y=$3 off w h bpp row
    off=$(od -An -tu4 -j10 -N4 "$f" | tr -d ' ')
    w=$(od -An -td4 -j18 -N4 "$f" | tr -d ' ')
    h=$(od -An -td4 -j22 -N4 "$f" | tr -d ' ')
    bpp=$(od -An -tu2 -j28 -N2 "$f" | tr -d ' ')
    row=$(((w * bpp / 8 + 3) / 4 * 4))
    od -An -tx1 -j $((off + (h - 1 - y) * row + x * bpp / 8)) -N3 "$f" | awk '{ print $3 $2 $1 }'
}

# xvfb_start WxH: an Xvfb server for the live-window tests: DISPLAY set, the
# server killed (and $T removed) on exit. Returns 1 when Xvfb or xdotool is
# missing (SKIP printed), 2 when the server did not start (FAIL counted).
xvfb_start() {
    if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null; then
        echo "SKIP live window: Xvfb or xdotool missing (scripts/deps.sh installs xvfb, xdotool)"
        return 1
    fi
    Xvfb -displayfd 3 -screen 0 "$1x24" -nolisten tcp 3>"$T/dispno" 2>"$T/xvfb.err" &
    XPID=$!
    trap 'kill $XPID 2>/dev/null; wait $XPID 2>/dev/null; rm -rf "$T"' EXIT
    local i=0
    while [ ! -s "$T/dispno" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ ! -s "$T/dispno" ]; then
        fail "Xvfb starts" "$(head -c 200 "$T/xvfb.err")"
        return 2
    fi
    export DISPLAY=:$(head -1 "$T/dispno")
}

# race_fw OUT SRC [CC-FLAGS...]: the bare-metal RISC-V program
# tests/firmware/race/SRC, linked like the ISA tests ($ROOT = the repository).
race_fw() {
    local out=$1 src=$2
    shift 2
    "${RV_CC:-riscv64-unknown-elf-gcc}" -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static \
        -mcmodel=medany -T "$ROOT/tests/isa/link.ld" "$@" -o "$out" "$ROOT/tests/firmware/race/$src"
}

# expect_line FILE TEXT NAME: FILE contains the fixed string TEXT
expect_line() {
    if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3" "no line '$2' in $1"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# expect_status NAME WANT CMD...: CMD's exit status is WANT (stdout in
# $T/out, stderr in $T/err, no standard input)
expect_status() {
    local name=$1 want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err" </dev/null
    local rc=$?
    if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name" "exit $rc, expected $want: $(head -c 300 "$T/err")"; fi
}

# ppm_pixel FILE X Y: rrggbb of a binary PPM (P6, maxval 255); ppm_size FILE: "W H"
ppm_pixel() {
    local f=$1 x=$2 y=$3 w hdr
    w=$(head -2 "$f" | tail -1 | cut -d' ' -f1)
    hdr=$(head -3 "$f" | wc -c)
    od -An -tx1 -j$((hdr + 3 * (y * w + x))) -N3 "$f" | tr -d ' \n'
}
ppm_size() { head -2 "$1" | tail -1; }

# serial_run OUT RUN-ARGS...: `hvsim run RUN-ARGS` ($HVSIM, no standard
# input) with the console in one fixed file name — the trace header records
# it, so two runs' traces compare byte for byte — then moved to OUT;
# returns hvsim's exit status
serial_run() {
    local out=$1
    shift
    "$HVSIM" run "$@" --serial "file:$T/serial.out" </dev/null
    local rc=$?
    mv "$T/serial.out" "$out"
    return $rc
}

# wait_for FILE TEXT [COUNT] [SECONDS]: until TEXT occurs COUNT times
wait_for() {
    local file=$1 text=$2 count=${3:-1} secs=${4:-300} i=0
    while [ "$i" -lt $((secs * 10)) ]; do
        if [ "$(grep -cF -- "$text" "$file" 2>/dev/null)" -ge "$count" ]; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# x86_selfcheck_twice HVSIM T NAME CFG KERNEL: runs a self-checking x86 test
# kernel (one CPU, all events) twice into T/NAME1.* and T/NAME2.* (.hvt,
# .out, .err, .rc); passes when the first run exits 0 through isa-debug-exit
# printing "x86 NAME: all checks passed", and when both traces are
# byte-identical.
x86_selfcheck_twice() {
    local hvsim=$1 t=$2 name=$3 cfg=$4 k=$5 n
    for n in 1 2; do
        "$hvsim" run -c "$cfg" --smp 1 --kernel "$k" --serial "file:$t/$name.out" --max-insns 5000000 \
            --events all --trace "$t/$name$n.hvt" </dev/null 2>"$t/$name$n.err"
        echo $? >"$t/$name$n.rc"
        cp "$t/$name.out" "$t/$name$n.out"
    done
    if [ "$(cat "$t/${name}1.rc")" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$t/${name}1.err" &&
        grep -q "x86 $name: all checks passed" "$t/${name}1.out"; then
        pass "x86 $name kernel: $(grep -o "all checks passed.*" "$t/${name}1.out")"
    else
        fail "x86 $name kernel" "exit $(cat "$t/${name}1.rc"): $(tail -1 "$t/${name}1.err"); $(grep -E "FAIL|unexpected" "$t/${name}1.out" | head -5 | tr '\n' ';')"
    fi
    if cmp -s "$t/${name}1.hvt" "$t/${name}2.hvt" && [ -s "$t/${name}1.hvt" ]; then
        pass "x86 $name kernel: the same run twice gives byte-identical traces"
    else
        fail "x86 $name determinism" "$(cmp "$t/${name}1.hvt" "$t/${name}2.hvt" 2>&1 | head -1)"
    fi
}

# same_run_checks LABEL: after the caller's `run OUT ARGS...` (its own
# function: hvsim run with the script's config and kernel) made $T/a.out and
# $T/a.hvt: the same run again gives a byte-identical trace, --engine interp
# the same trace and console, and $T/a.hvt replays identically.
same_run_checks() {
    local l=$1
    run "$T/b.out" --trace "$T/b.hvt" 2>/dev/null
    if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
        pass "$l: the same run twice gives byte-identical traces"
    else
        fail "$l determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
    fi
    run "$T/i.out" --trace "$T/i.hvt" --engine interp 2>/dev/null
    if cmp -s "$T/a.hvt" "$T/i.hvt" && cmp -s "$T/a.out" "$T/i.out"; then
        pass "$l: --engine interp and fast give the same trace and console"
    else
        fail "$l engines" "$(cmp "$T/a.hvt" "$T/i.hvt" 2>&1 | head -1)"
    fi
    if "$HVSIM" replay "$T/a.hvt" --serial "file:$T/serial.out" >"$T/r.txt" 2>&1; then
        pass "$l: replay identical"
    else
        fail "$l replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
    fi
}


summary() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

# uboot_session HVSIM DIR NAME [RUN-OPTIONS...]: boots OpenSBI + U-Boot on 4
# harts with the console on a FIFO and types like a user: a key to stop
# autoboot, `version`, `poweroff`. Output in DIR/NAME.out and NAME.err;
# sets rc to hvsim's exit status.
uboot_session() {
    local hvsim=$1 dir=$2 name=$3 pid
    shift 3
    mkfifo "$dir/$name.in"
    "$hvsim" run --smp 4 --bios "$OPENSBI" --kernel "$UBOOT" --max-insns 20000000000 "$@" \
        <"$dir/$name.in" >"$dir/$name.out" 2>"$dir/$name.err" &
    pid=$!
    exec 3>"$dir/$name.in"
    if wait_for "$dir/$name.out" "Hit any key to stop autoboot"; then
        printf 'x' >&3
        wait_for "$dir/$name.out" "=> " 1 120 && printf 'version\n' >&3
        wait_for "$dir/$name.out" "U-Boot 2023.01" 2 120 && printf 'poweroff\n' >&3
    fi
    wait "$pid"
    rc=$?
    exec 3>&-
}
