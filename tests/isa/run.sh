#!/usr/bin/env bash
# Run hvsim's ISA tests.
#
#   bash tests/isa/run.sh HVSIM ELF...
#
# Each ELF is a self-checking bare-metal program (tests/isa/*.S) that reports
# through HTIF tohost: hvsim exits 0 when the test passed.  Prints
# "PASS name" / "FAIL name (exit N)" per test and a closing
# "N passed, M failed" line; exits non-zero if any test failed.
#
# HVSIM_ISA_QEMU=1 validates the tests themselves on QEMU instead of hvsim:
# every test is rebuilt from tests/isa/NAME.S with -DISA_QEMU (which skips
# the few parts QEMU lacks, see tests/isa/README.md) into build/isa-qemu/ and
# run on `qemu-system-riscv64 -M spike -icount shift=0` (HTIF: exit status =
# tohost >> 1, so 0 = pass, else the failing test number mod 256).  A test whose source contains "qemu-machine: virt" runs on
# `-M virt` instead and is built with -DISA_QEMU_VIRT (exit through the
# sifive_test device).  HVSIM is then ignored.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 HVSIM [ELF...]" >&2
    exit 2
fi
HVSIM=$1
shift

here=$(cd "$(dirname "$0")" && pwd)
qemu=${HVSIM_ISA_QEMU:-0}
qemu_out=${HVSIM_ISA_QEMU_OUT:-build/isa-qemu}
logdir=${HVSIM_ISA_LOGDIR:-build/isa-logs}
mkdir -p "$logdir"

RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
ISA_FLAGS="-march=rv64gc_zba_zbb_zbs -mabi=lp64d -nostdlib -nostartfiles -static
           -mcmodel=medany -T $here/link.ld -I$here"

if [ "$qemu" != "0" ] && ! command -v qemu-system-riscv64 >/dev/null; then
    echo "run.sh: qemu-system-riscv64 not found (package qemu-system-misc)" >&2
    exit 2
fi
if [ "$qemu" = "0" ] && [ ! -x "$HVSIM" ]; then
    echo "run.sh: simulator '$HVSIM' not found or not executable" >&2
    exit 2
fi

passed=0
failed=0
failed_names=""

for elf in "$@"; do
    name=$(basename "$elf" .elf)
    log="$logdir/$name.log"
    if [ "$qemu" != "0" ]; then
        src="$here/$name.S"
        if [ ! -f "$src" ]; then
            echo "FAIL $name (no source $src for the QEMU build)"
            failed=$((failed + 1)); failed_names="$failed_names $name"
            continue
        fi
        if grep -q "qemu-skip" "$src"; then
            echo "SKIP $name (qemu-skip:$(sed -n 's/.*qemu-skip:\(.*\)/\1/p' "$src" | head -n 1))"
            continue
        fi
        machine=spike
        if grep -q "qemu-machine: virt" "$src"; then
            machine=virt
        fi
        mkdir -p "$qemu_out"
        qelf="$qemu_out/$name.elf"
        mdef=$(echo "$machine" | tr a-z A-Z)
        # shellcheck disable=SC2086
        if ! $RV_CC $ISA_FLAGS -DISA_QEMU -DISA_QEMU_$mdef -o "$qelf" "$src" >"$log" 2>&1; then
            echo "FAIL $name (build for QEMU failed, see $log)"
            failed=$((failed + 1)); failed_names="$failed_names $name"
            continue
        fi
        extra=""
        [ "$machine" = virt ] && extra="-m 256M"
        # "qemu-cpu: SPEC" picks QEMU's -cpu (its extension properties)
        qcpu=$(sed -n 's/.*qemu-cpu: *\([A-Za-z0-9_,=]*\).*/\1/p' "$src" | head -n 1)
        [ -n "$qcpu" ] && extra="$extra -cpu $qcpu"
        # shellcheck disable=SC2086
        # -icount: instret/cycle count instructions (as on hvsim), not host ticks
        timeout 10 qemu-system-riscv64 -M "$machine" $extra -smp 1 -nographic \
            -icount shift=0 -bios "$qelf" </dev/null >>"$log" 2>&1
        rc=$?
    else
        # A source line "hvsim-isa: STRING" runs the test with that [cpu] isa
        # (optional extensions, docs/riscv.md); without one, the default
        # board (those extensions disabled).
        cfg=()
        src="$here/$name.S"
        isa=""
        [ -f "$src" ] && isa=$(sed -n 's/.*hvsim-isa: *\([A-Za-z0-9_]*\).*/\1/p' "$src" | head -n 1)
        # Lines "hvsim-cpu: KEY = VALUE" add further [cpu] keys (e.g.
        # mhpm-counters = 4) to that configuration.
        if [ -n "$isa" ]; then
            { printf '[cpu]\nisa = %s\n' "$isa"
              [ -f "$src" ] && sed -n 's/.*hvsim-cpu: *\([a-z0-9-]* *= *[A-Za-z0-9_]*\).*/\1/p' "$src"
            } >"$logdir/$name.ini"
            cfg=(-c "$logdir/$name.ini")
        fi
        timeout 60 "$HVSIM" run "${cfg[@]}" --smp 1 --bios "$elf" --serial none \
            --max-insns 20000000 ${HVSIM_ISA_ENGINE:+--engine "$HVSIM_ISA_ENGINE"} </dev/null >"$log" 2>&1
        rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name (exit $rc)"
        failed=$((failed + 1)); failed_names="$failed_names $name"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
