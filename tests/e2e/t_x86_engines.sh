#!/usr/bin/env bash
# The x86 core's two engines (docs/architecture.md "Engines", docs/x86.md
# "Performance"): every x86 test kernel runs on --engine interp (the
# reference interpreter) and on --engine fast (blocks), recording all
# events and a state-hash check record every 20000 instructions (registers
# and the pages written since the last one); the two traces, consoles and
# exit statuses must be byte-identical. Then the same for the first
# HVSIM_X86_ENGINES_LINUX instructions (default 150e6; 0 skips) of the x86
# Linux boot (tests/firmware/linux, skipped when the image cannot be built)
# on one CPU and on two.
# Usage: t_x86_engines.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CFG=$ROOT/configs/x86-pc.ini
FW=$ROOT/build/firmware

# both NAME ARGS...: the run on each engine (the console goes to the same
# file name, which the trace header records); compares the two
both() {
    local name=$1 e rc_interp rc_fast
    shift
    for e in interp fast; do
        "$HVSIM" run --engine $e "$@" --serial "file:$T/serial.out" --events all \
            --check-interval 20000 --trace "$T/$e.hvt" </dev/null >/dev/null 2>"$T/$e.err"
        eval "rc_$e=$?"
        mv "$T/serial.out" "$T/$e.out"
    done
    if [ ! -s "$T/fast.hvt" ]; then
        fail "x86 engines, $name" "no trace (exit $rc_fast: $(tail -1 "$T/fast.err"))"
    elif [ "$rc_interp" -eq "$rc_fast" ] && cmp -s "$T/interp.hvt" "$T/fast.hvt" &&
        cmp -s "$T/interp.out" "$T/fast.out" && cmp -s "$T/interp.err" "$T/fast.err"; then
        pass "x86 engines, $name: interp and fast give the same exit ($rc_fast), console and trace ($(stat -c %s "$T/fast.hvt") bytes)"
    else
        fail "x86 engines, $name" "exit interp $rc_interp fast $rc_fast; $(cmp "$T/interp.hvt" "$T/fast.hvt" 2>&1 | head -1)
$("$HVSIM" trace diff "$T/interp.hvt" "$T/fast.hvt" 2>&1 | head -8)"
    fi
}

for k in basic64 smc x87 exceptions paging syscall misc tasks mb1 mb2-64 vm86 desc; do
    if [ ! -f "$FW/x86-$k.elf" ]; then
        fail "x86 engines, $k" "$FW/x86-$k.elf missing (make firmware)"
        continue
    fi
    both "$k" -c "$CFG" --smp 1 --kernel "$FW/x86-$k.elf" --max-insns 50000000
done
# the test hypervisor: VMX root and non-root on both engines
sed 's/^vmx = off$/vmx = on/' "$CFG" >"$T/vmx.ini"
if grep -q "^vmx = on$" "$T/vmx.ini" && [ -f "$FW/x86-vmx.elf" ]; then
    both "vmx (root and non-root)" -c "$T/vmx.ini" --smp 1 --kernel "$FW/x86-vmx.elf" --max-insns 50000000
else
    fail "x86 engines, vmx" "no 'vmx = off' line in $CFG or $FW/x86-vmx.elf missing"
fi
both "smp --smp 4" -c "$CFG" --smp 4 --kernel "$FW/x86-smp.elf" --max-insns 60000000
both "ipirace --smp 2" -c "$CFG" --smp 2 --kernel "$FW/x86-ipirace.elf" --max-insns 60000000

# Random code (the chaos kernels' .chaos section, as in chaos.sh) in 64-bit
# mode at CPL 0 and CPL 3, compatibility mode and real mode.
s=0
for kname in x86-chaos x86-chaos-user x86-chaos-compat x86-chaos-real; do
    s=$((s + 1))
    LC_ALL=C awk -v s="$((s + 5000))" 'BEGIN { srand(s); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' </dev/null |
        LC_ALL=C head -c 65536 >"$T/chaos.bin"
    if [ "$kname" != x86-chaos-user ]; then
        LC_ALL=C tr '\364' '\365' <"$T/chaos.bin" >"$T/chaos.tmp" && mv "$T/chaos.tmp" "$T/chaos.bin"
    fi
    cp "$FW/$kname.elf" "$T/chaos.elf" && objcopy --update-section .chaos="$T/chaos.bin" "$T/chaos.elf" &&
        both "random code ($kname)" -c "$CFG" --smp 1 --kernel "$T/chaos.elf" --max-insns 2000000
done

LINUX_MAX=${HVSIM_X86_ENGINES_LINUX:-150000000}
if [ "$LINUX_MAX" != 0 ]; then
    BZ=$(bash "$ROOT/tests/firmware/linux/build.sh" x86_64 2>"$T/build.err" | tail -n1)
    if [ -f "$BZ" ]; then
        both "Linux boot, first $LINUX_MAX instructions, --smp 1" --machine x86-pc --smp 1 --kernel "$BZ" \
            --append "console=ttyS0 earlyprintk=serial noapic nolapic" --max-insns "$LINUX_MAX"
        both "Linux boot, first $LINUX_MAX instructions, --smp 2" --machine x86-pc --smp 2 --kernel "$BZ" \
            --append "console=ttyS0 earlyprintk=serial" --max-insns "$LINUX_MAX"
    else
        echo "SKIP x86 engines on Linux: the image cannot be built: $(tail -1 "$T/build.err")"
    fi
fi
summary
