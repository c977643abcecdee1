#!/bin/bash
# qemu-check.sh — cross-check minihv on QEMU (the reference H-extension model):
# a normal build must print "minihv: all VMs passed", a -DMINIHV_BREAK build
# must print "minihv: FAILED". Needs qemu-system-riscv64 and Debian's opensbi.
# (QEMU exits 0 either way: OpenSBI reports the failure as sifive_test
# FINISHER_FAIL with code 0, which QEMU turns into exit status 0.)
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minihv-qemu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() {  # run ELF LOG
    timeout 60 qemu-system-riscv64 -M virt -cpu rv64,h=true -smp 4 -m 256M \
        -nographic -bios "$fw" -kernel "$1" > "$2" 2>&1 || true
}

bash "$src/build.sh" "$tmp/ok" > /dev/null
MINIHV_CFLAGS=-DMINIHV_BREAK bash "$src/build.sh" "$tmp/bad" > /dev/null
run "$tmp/ok/minihv.elf" "$tmp/ok.log"
run "$tmp/bad/minihv.elf" "$tmp/bad.log"

rc=0
if grep -q '^minihv: all VMs passed' "$tmp/ok.log"; then
    echo "PASS: minihv on QEMU: all VMs passed"
else
    echo "FAIL: minihv on QEMU did not pass:"; tail -20 "$tmp/ok.log"; rc=1
fi
if grep -q '^minihv: FAILED' "$tmp/bad.log" && ! grep -q 'all VMs passed' "$tmp/bad.log"; then
    echo "PASS: minihv -DMINIHV_BREAK on QEMU reports FAILED"
else
    echo "FAIL: minihv -DMINIHV_BREAK on QEMU did not report failure:"; tail -20 "$tmp/bad.log"; rc=1
fi
exit $rc
