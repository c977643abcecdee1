#!/usr/bin/env bash
# The x86_64 part of the hvsim CPU benchmark (`make bench`, called by
# tests/bench/run.sh): tests/bench/x86/run.sh HVSIM
#
# Builds the 64-bit code (start.S + bench_x86.c + the workload of
# tests/bench/bench.c, 4-level paging with 4 KiB pages, ~1e9 instructions)
# into one Multiboot 1 image, build/bench/x86-bench-mb.elf (ELF32 by
# objcopy -O elf32-i386, entry _start32: a 32-bit stub enters long mode),
# and runs that same file
#   1. on hvsim:            HVSIM run -c configs/x86-pc.ini --smp 1 --kernel x86-bench-mb.elf
#   2. on QEMU with icount: qemu-system-x86_64 -machine pc ... -icount shift=0
#   3. on plain QEMU TCG    (no icount)
# (hvsim boots any image with a Multiboot header through Multiboot, so an
# ELF64 of the same bytes would enter _start64 in 32-bit mode: one image.)
# Every run must print the checksum of a host build of the same source and
# exit through isa-debug-exit with 0 (hvsim status 0, QEMU status 1 =
# (0 << 1) | 1), else this script exits 1.
#
# Instructions: hvsim's retired count (exact). The program is deterministic
# and QEMU runs the same instructions from the same Multiboot entry, so the
# same count gives QEMU's MIPS. Reported: wall and CPU (user+sys) seconds,
# MIPS from CPU time, speed ratios hvsim/QEMU.
# Environment: X86_BENCH_ITERS (default 420000), HOST_CC, BENCH_OUT.
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 HVSIM" >&2
    exit 2
fi
HVSIM=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/../lib.sh"
out=${BENCH_OUT:-build/bench}
HOST_CC=${HOST_CC:-gcc}
iters=${X86_BENCH_ITERS:-420000}
mkdir -p "$out"

# ---- build ----
if ! $HOST_CC -O2 -DBENCH_HOST -DITERS="${iters}u" -o "$out/x86-bench_host" "$here/../bench.c"; then
    echo "x86 bench: host build failed" >&2
    exit 2
fi
expected=$("$out/x86-bench_host")
flags=(-m64 -O2 -ffreestanding -fno-builtin -fno-pic -no-pie -mno-red-zone -mgeneral-regs-only
       -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra
       -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=4096
       -T "$here/link.ld" -DITERS="${iters}u" -DBENCH_EXPECTED="$expected")
srcs=("$here/start.S" "$here/bench_x86.c")
mb=$out/x86-bench-mb.elf
if ! $HOST_CC "${flags[@]}" -Wl,-e,_start32 -o "$out/x86-bench-mb64.elf" "${srcs[@]}" ||
   ! objcopy -O elf32-i386 "$out/x86-bench-mb64.elf" "$mb"; then
    echo "x86 bench: build failed" >&2
    exit 2
fi
echo "x86 bench: $mb built, expected checksum $expected"

status=0
check_run() {   # name log expected-rc
    if [ "$rc" -ne "$3" ]; then
        echo "x86 bench: $1 exited with status $rc, not $3 (see $2.out / $2.err)"
        status=1
    elif ! grep -q "checksum $expected ok" "$2.out"; then
        echo "x86 bench: $1 did not report checksum $expected (see $2.out)"
        status=1
    fi
}

# ---- 1. hvsim ----
insns=""
hv_cpu="" hv_wall=""
if [ -x "$HVSIM" ]; then
    bench_timed "$out/x86-hvsim" timeout 1200 "$HVSIM" run -c "$root/configs/x86-pc.ini" --smp 1 \
        --kernel "$mb" --serial stdio
    hv_cpu=$cpu hv_wall=$wall
    check_run hvsim "$out/x86-hvsim" 0
    insns=$(bench_hvsim_insns "$out/x86-hvsim.err")
else
    echo "x86 bench: simulator '$HVSIM' not found, hvsim run skipped"
    status=1
fi

# ---- 2./3. QEMU (Multiboot image) ----
qi_cpu="" qt_cpu="" qi_wall="" qt_wall=""
if command -v qemu-system-x86_64 >/dev/null; then
    qemu=(qemu-system-x86_64 -machine pc -smp 1 -m 128M -nographic -no-reboot -nic none
          -monitor none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$mb")
    bench_timed "$out/x86-qemu-icount" timeout 600 "${qemu[@]}" -icount shift=0
    qi_cpu=$cpu qi_wall=$wall
    check_run "qemu -icount" "$out/x86-qemu-icount" 1
    bench_timed "$out/x86-qemu-tcg" timeout 600 "${qemu[@]}"
    qt_cpu=$cpu qt_wall=$wall
    check_run "qemu tcg" "$out/x86-qemu-tcg" 1
else
    echo "x86 bench: qemu-system-x86_64 not found, QEMU runs skipped"
fi

# ---- report ----
echo "x86 bench: ${insns:-unknown} instructions per run (hvsim's retired count; QEMU runs the same program)"
printf "%-16s %10s %10s %12s\n" "x86 run" "wall s" "CPU s" "MIPS (CPU)"
[ -n "$hv_cpu" ] && printf "%-16s %10s %10s %12s\n" "hvsim" "$hv_wall" "$hv_cpu" "$(bench_mips "$insns" "$hv_cpu")"
[ -n "$qi_cpu" ] && printf "%-16s %10s %10s %12s\n" "qemu -icount" "$qi_wall" "$qi_cpu" "$(bench_mips "$insns" "$qi_cpu")"
[ -n "$qt_cpu" ] && printf "%-16s %10s %10s %12s\n" "qemu tcg" "$qt_wall" "$qt_cpu" "$(bench_mips "$insns" "$qt_cpu")"
if [ -n "$hv_cpu" ] && [ -n "$qi_cpu" ]; then
    bench_ratios "x86 " "$hv_cpu" "$qi_cpu" "$qt_cpu"
fi
exit $status
