#!/usr/bin/env bash
# hvsim CPU benchmark (`make bench`): tests/bench/run.sh HVSIM
#
# Builds build/bench/bench.elf (S-mode, Sv39 with 4 KiB pages, a
# Dhrystone-style mix, ~1e9 instructions), then runs it
#   1. on hvsim:            HVSIM run --smp 1 --bios bench.elf --serial stdio
#   2. on QEMU with icount: qemu-system-riscv64 -M virt ... -icount shift=0
#   3. on plain QEMU TCG    (no icount)
# and prints, for each, the CPU time (user + sys of the process, not wall
# time), the instruction count and MIPS, and the ratio hvsim / QEMU.
# The instruction count is hvsim's ("hvsim: <reason>, N instructions" on
# stderr); if hvsim did not produce one, the instret the guest measured
# under QEMU icount is used for all three.
#
# Each run must print the expected checksum (computed by a host build of
# the same source) and exit 0, else this script exits 1.
# Environment: BENCH_ITERS (iterations, default from bench.c), RV_CC,
# BENCH_ARCH (all, riscv or x86; default all).
#
# 4. also: replay of the traced boot demo; 4b. the program on --smp
#    1..64 (one busy hart); 4c. reverse-stepi ~1e9 instructions in (gdb).
# 6. the x86_64 benchmark (tests/bench/x86/run.sh): the same workload in
#    long mode on hvsim, QEMU -icount shift=0 and QEMU TCG.
# 7. Linux 6.1 x86_64 + KVM to power-off (tests/bench/x86_kvm.sh): hvsim,
#    and whether QEMU TCG and Bochs can run it at all.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 HVSIM" >&2
    exit 2
fi
HVSIM=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
case ${BENCH_ARCH:-all} in
    x86) # 6. and 7. only
        st=0
        bash "$here/x86/run.sh" "$HVSIM" || st=1
        bash "$here/x86_kvm.sh" "$HVSIM" || st=1
        exit $st ;;
    all|riscv) ;;
    *) echo "bench: BENCH_ARCH=${BENCH_ARCH}: expected all, riscv or x86" >&2; exit 2 ;;
esac
out=${BENCH_OUT:-build/bench}
RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
HOST_CC=${HOST_CC:-gcc}
mkdir -p "$out"

iters_def=""
if [ -n "${BENCH_ITERS:-}" ]; then
    iters_def="-DITERS=${BENCH_ITERS}u"
fi

# ---- build ----
# shellcheck disable=SC2086
if ! $HOST_CC -O2 -DBENCH_HOST $iters_def -o "$out/bench_host" "$here/bench.c"; then
    echo "bench: host build failed" >&2
    exit 2
fi
expected=$("$out/bench_host")
# shellcheck disable=SC2086
if ! $RV_CC -O2 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding \
        -fno-builtin -nostdlib -nostartfiles -static -Wall -Wextra \
        -T "$here/link.ld" $iters_def -DBENCH_EXPECTED="$expected" \
        -o "$out/bench.elf" "$here/start.S" "$here/bench.c" -lgcc; then
    echo "bench: cross build failed" >&2
    exit 2
fi
elf="$out/bench.elf"
echo "bench: $elf built, expected checksum $expected"

status=0
check_run() {   # name log
    if [ "$rc" -ne 0 ]; then
        echo "bench: $1 exited with status $rc (see $2.out / $2.err)"
        status=1
    elif ! grep -q "checksum $expected.* ok" "$2.out"; then
        echo "bench: $1 did not report checksum $expected (see $2.out)"
        status=1
    fi
}

# ---- 1. hvsim ----
insns=""
hv_cpu=""
if [ -x "$HVSIM" ]; then
    bench_timed "$out/hvsim" timeout 1200 "$HVSIM" run --smp 1 --bios "$elf" --serial stdio
    hv_cpu=$cpu
    check_run hvsim "$out/hvsim"
    insns=$(bench_hvsim_insns "$out/hvsim.err")
else
    echo "bench: simulator '$HVSIM' not found, hvsim run skipped"
    status=1
fi

# ---- 2./3. QEMU ----
qi_cpu=""
qt_cpu=""
if command -v qemu-system-riscv64 >/dev/null; then
    qemu="qemu-system-riscv64 -M virt -smp 1 -m 256M -nographic -bios $elf"
    # shellcheck disable=SC2086
    bench_timed "$out/qemu-icount" timeout 600 $qemu -icount shift=0
    qi_cpu=$cpu
    check_run "qemu -icount" "$out/qemu-icount"
    # shellcheck disable=SC2086
    bench_timed "$out/qemu-tcg" timeout 600 $qemu
    qt_cpu=$cpu
    check_run "qemu tcg" "$out/qemu-tcg"
    if [ -z "$insns" ]; then
        insns=$(grep -oE 'instret [0-9]+' "$out/qemu-icount.out" | grep -oE '[0-9]+')
        [ -n "$insns" ] && echo "bench: instruction count from the guest's instret under QEMU icount"
    fi
else
    echo "bench: qemu-system-riscv64 not found, QEMU runs skipped"
fi

# ---- report ----
echo "bench: ${insns:-unknown} instructions per run"
printf "%-16s %10s %12s\n" "run" "CPU s" "MIPS"
[ -n "$hv_cpu" ] && printf "%-16s %10s %12s\n" "hvsim" "$hv_cpu" "$(bench_mips "$insns" "$hv_cpu")"
[ -n "$qi_cpu" ] && printf "%-16s %10s %12s\n" "qemu -icount" "$qi_cpu" "$(bench_mips "$insns" "$qi_cpu")"
[ -n "$qt_cpu" ] && printf "%-16s %10s %12s\n" "qemu tcg" "$qt_cpu" "$(bench_mips "$insns" "$qt_cpu")"
if [ -n "$hv_cpu" ] && [ -n "$qi_cpu" ]; then
    bench_ratios "" "$hv_cpu" "$qi_cpu" "$qt_cpu"
fi
# ---- 4. cost of tracing on the boot demo (4 harts, OpenSBI + U-Boot) ----
uboot=/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
if [ -x "$HVSIM" ] && [ -f "$uboot" ]; then
    boot_n=${BENCH_BOOT_INSNS:-1000000000}
    bench_timed "$out/boot-plain" "$HVSIM" run --smp 4 --kernel "$uboot" --serial none \
        --max-insns "$boot_n"
    plain_cpu=$cpu
    bench_timed "$out/boot-trace" "$HVSIM" run --smp 4 --kernel "$uboot" --serial none \
        --max-insns "$boot_n" --trace "$out/boot.hvt"
    trace_cpu=$cpu
    bench_timed "$out/boot-all" "$HVSIM" run --smp 4 --kernel "$uboot" --serial none \
        --max-insns "$boot_n" --trace "$out/boot-all.hvt" --events all
    all_cpu=$cpu
    echo "bench: boot demo, $boot_n instructions on 4 harts"
    printf "%-28s %10s %12s %10s\n" "run" "CPU s" "MIPS" "trace B"
    for v in "no trace:$plain_cpu:" "--trace (default events):$trace_cpu:$out/boot.hvt" \
             "--trace --events all:$all_cpu:$out/boot-all.hvt"; do
        name=${v%%:*}; rest=${v#*:}; c=${rest%%:*}; f=${rest#*:}
        size=-; [ -n "$f" ] && size=$(stat -c %s "$f")
        printf "%-28s %10s %12s %10s\n" "$name" "$c" \
            "$(awk -v n="$boot_n" -v c="$c" 'BEGIN { if (c > 0) printf "%.1f", n / c / 1e6 }')" "$size"
    done
    awk -v p="$plain_cpu" -v t="$trace_cpu" -v a="$all_cpu" 'BEGIN { if (p > 0) {
        printf "tracing overhead: default events %+.1f%%, all events %+.1f%%\n",
               (t - p) / p * 100, (a - p) / p * 100 } }'
    # replay of the default-events trace: rebuilds the machine, records
    # again and compares (goal: >= 90% of the speed of the run)
    bench_timed "$out/boot-replay" "$HVSIM" replay "$out/boot.hvt"
    if [ "$rc" -ne 0 ]; then
        echo "bench: hvsim replay $out/boot.hvt exited with status $rc (see $out/boot-replay.out)"
        status=1
    fi
    awk -v p="$plain_cpu" -v t="$trace_cpu" -v r="$cpu" -v n="$boot_n" 'BEGIN { if (r > 0) {
        printf "replay: %s s CPU (%.1f MIPS), %.0f%% of the speed of the traced run, %.0f%% of the plain run\n",
               r, n / r / 1e6, t / r * 100, p / r * 100 } }'
fi
# ---- 4b. many harts, one busy: the CPU-bound program on --smp N ----
# Harts 1.. park in WFI with nothing armed; every round still visits them
# (docs/architecture.md "Many harts"). CPU time for the same work.
if [ -x "$HVSIM" ]; then
    echo "bench: the CPU-bound program on --smp N (hart 0 works, the others sleep)"
    printf "%-10s %10s %12s\n" "--smp" "CPU s" "vs --smp 1"
    smp1=""
    for n in ${BENCH_SMP:-1 2 4 8 16 64}; do
        bench_timed "$out/smp$n" "$HVSIM" run --smp "$n" --bios "$elf" --serial stdio
        check_run "hvsim --smp $n" "$out/smp$n"
        [ -z "$smp1" ] && smp1=$cpu
        printf "%-10s %10s %12s\n" "$n" "$cpu" \
            "$(awk -v a="$cpu" -v b="$smp1" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')"
    done
fi
# ---- 4c. reverse-stepi ~1e9 instructions into a run (docs/gdb.md) ----
# gdb stops the CPU-bound program at its first uart_puts (after the whole
# workload), steps twice and goes back one instruction: the time of that
# reverse-stepi, from gdb's side (goal: under 1 s).
if [ -x "$HVSIM" ] && command -v gdb-multiarch >/dev/null; then
    port=$((20000 + ($$ * 7 + RANDOM) % 40000))
    "$HVSIM" run --smp 1 --bios "$elf" --serial none --gdb "$port" --gdb-wait \
        </dev/null >"$out/rev-hvsim.out" 2>"$out/rev-hvsim.err" &
    rpid=$!
    for _ in $(seq 50); do grep -q "gdb stub\|cannot listen" "$out/rev-hvsim.err" 2>/dev/null && break; sleep 0.1; done
    {
        echo "set pagination off"
        echo "set confirm off"
        echo "set architecture riscv:rv64"
        echo "target remote :$port"
        echo "break uart_puts"
        echo "continue"
        echo "monitor vtime"
        echo "stepi"
        echo 'printf "S1 pc=%#lx\n", $pc'
        echo "stepi"
        echo "python import time; t0 = time.time()"
        echo "reverse-stepi"
        echo 'python print("REVSTEPI %.3f" % (time.time() - t0))'
        echo 'printf "B1 pc=%#lx\n", $pc'
        echo "kill"
    } >"$out/rev.gdb"
    timeout 600 gdb-multiarch -batch -nx -x "$out/rev.gdb" "$elf" >"$out/rev.out" 2>&1
    wait "$rpid" 2>/dev/null
    s1=$(grep -oE '^S1 pc=0x[0-9a-f]+' "$out/rev.out" | cut -d= -f2)
    b1=$(grep -oE '^B1 pc=0x[0-9a-f]+' "$out/rev.out" | cut -d= -f2)
    at=$(grep -oE '[0-9]+ instructions' "$out/rev.out" | head -1)
    t=$(grep -oE '^REVSTEPI [0-9.]+' "$out/rev.out" | cut -d' ' -f2)
    if [ -n "$t" ] && [ -n "$s1" ] && [ "$s1" = "$b1" ]; then
        echo "bench: reverse-stepi at ${at:-?} into the run: $t s (back to pc $b1)"
    else
        echo "bench: reverse-stepi failed (see $out/rev.out)"
        status=1
    fi
fi
# ---- 5. Linux 6.1 + KVM (tests/firmware/linux) to power-off, 4 harts ----
# Wall time here (the guest's end is a power-off; QEMU -icount is slow
# because it switches harts only every 1e8 instructions, so they spin).
linux_img=$(bash "$here/../firmware/linux/build.sh" riscv 2>/dev/null | tail -n1)
if [ -x "$HVSIM" ] && [ -f "$linux_img" ] && command -v qemu-system-riscv64 >/dev/null; then
    bench_digits=2 # wall seconds with 2 decimals (bench_timed)
    app="console=ttyS0 earlycon"
    bench_timed "$out/linux-hvsim" "$HVSIM" run --smp 4 --kernel "$linux_img" --append "$app" --serial stdio
    hv_w=$wall hv_rc=$rc
    linux_insns=$(grep -oE '[0-9]+ instructions' "$out/linux-hvsim.err" | grep -oE '[0-9]+')
    q="qemu-system-riscv64 -M virt -cpu rv64,h=true -smp 4 -m 256M -nographic -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf -kernel $linux_img"
    # shellcheck disable=SC2086
    bench_timed "$out/linux-qemu-icount" timeout 600 $q -append "$app" -icount shift=0
    qi_w=$wall
    # shellcheck disable=SC2086
    bench_timed "$out/linux-qemu-tcg" timeout 600 $q -append "$app"
    qt_w=$wall
    for f in linux-hvsim linux-qemu-icount linux-qemu-tcg; do
        grep -q "kvmtest: all VMs passed" "$out/$f.out" || { echo "bench: $f did not pass (see $out/$f.out)"; status=1; }
    done
    echo "bench: Linux 6.1 + KVM (2 KVM guests) to power-off on 4 harts, ${linux_insns:-?} instructions (hvsim's count)"
    printf "%-28s %10s %12s\n" "run" "wall s" "MIPS"
    for v in "hvsim:$hv_w" "qemu -icount shift=0:$qi_w" "qemu tcg:$qt_w"; do
        printf "%-28s %10s %12s\n" "${v%%:*}" "${v#*:}" \
            "$(bench_mips "$linux_insns" "${v#*:}")"
    done
    awk -v h="$hv_w" -v q="$qi_w" -v t="$qt_w" 'BEGIN { if (h > 0)
        printf "hvsim is %.1fx faster than qemu -icount, %.2fx plain qemu tcg (wall)\n", q / h, t / h }'
fi
# ---- 6. x86_64 ----
if [ "${BENCH_ARCH:-all}" = all ]; then
    bash "$here/x86/run.sh" "$HVSIM" || status=1
fi
# ---- 7. Linux 6.1 x86_64 + KVM to power-off, 4 CPUs: hvsim, QEMU TCG, Bochs ----
# (tests/bench/x86_kvm.sh; README "x86 Linux + KVM")
if [ "${BENCH_ARCH:-all}" = all ]; then
    bash "$here/x86_kvm.sh" "$HVSIM" || status=1
fi
exit $status
