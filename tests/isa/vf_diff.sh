#!/usr/bin/env bash
# Vector FP differential against QEMU (tests/isa/README.md "Vector FP
# differential"): for each seed, tests/isa/gen/vf_diff.py writes a program
# of N random vector FP instructions that prints the vector register file,
# the f registers and fflags through the HTIF console; it runs on HVSIM
# (v, zfh, zvfh) and on qemu-system-riscv64 -M spike, and the two outputs
# must be identical. Needs qemu-system-riscv64 (package qemu-system-misc).
#
#   bash tests/isa/vf_diff.sh HVSIM [FIRST_SEED [COUNT [N]]]
set -u
HVSIM=$1
first=${2:-1}
count=${3:-20}
n=${4:-300}
here=$(cd "$(dirname "$0")" && pwd)
RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
command -v qemu-system-riscv64 >/dev/null || { echo "vf_diff.sh: qemu-system-riscv64 not found" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '[cpu]\nisa = rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_zfh_zvfh_sstc\n' >"$T/vfh.ini"
bad=0
for s in $(seq "$first" $((first + count - 1))); do
    python3 "$here/gen/vf_diff.py" "$s" "$n" >"$T/d.S"
    if ! $RV_CC -march=rv64gc_zba_zbb_zbs -mabi=lp64d -nostdlib -nostartfiles -static \
            -mcmodel=medany -T "$here/link.ld" -I"$here" -o "$T/d.elf" "$T/d.S" 2>"$T/cc.err"; then
        echo "FAIL seed $s: build ($(head -1 "$T/cc.err"))"; bad=$((bad + 1)); continue
    fi
    timeout 60 "$HVSIM" run -c "$T/vfh.ini" --smp 1 --bios "$T/d.elf" --max-insns 50000000 \
        </dev/null >"$T/h.out" 2>"$T/h.err"
    hr=$?
    timeout 60 qemu-system-riscv64 -M spike -cpu rv64,v=true,vlen=128,elen=64,Zfh=true -smp 1 \
        -nographic -icount shift=0 -bios "$T/d.elf" </dev/null >"$T/q.out" 2>"$T/q.err"
    qr=$?
    if [ "$hr" -ne 0 ] || [ "$qr" -ne 0 ]; then
        echo "FAIL seed $s: exit hvsim $hr, qemu $qr"; bad=$((bad + 1))
    elif ! cmp -s "$T/h.out" "$T/q.out"; then
        echo "FAIL seed $s: outputs differ (python3 tests/isa/gen/vf_diff.py $s $n)"; bad=$((bad + 1))
    else
        echo "PASS seed $s"
    fi
done
echo "$((count - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
