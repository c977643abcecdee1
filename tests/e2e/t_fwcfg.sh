#!/usr/bin/env bash
# QEMU's fw_cfg on riscv-virt ([fw-cfg] mmio = on; docs/riscv.md "fw_cfg"):
# the MMIO interface at 0x10100000 with DMA. Asserts: the M-mode test
# program (tests/firmware/fwcfg) passes all its checks (signature, ID,
# items, the big-endian file directory, DMA read/skip/errors); without the
# key the device is absent (the program's first read faults, exit 1) and the
# DTB has no fw-cfg node; with it the DTB has QEMU virt's node; two runs and
# --engine interp record byte-identical traces, replay is identical;
# OpenSBI + U-Boot boot with it; a bad value exits 2.
# Usage: t_fwcfg.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! bash "$ROOT/tests/firmware/fwcfg/build.sh" "$T" >"$T/build.out" 2>&1; then
    fail "build fwcfg-test.elf" "$(tail -3 "$T/build.out")"
    summary
    exit 1
fi
printf '[fw-cfg]\nmmio = on\n' >"$T/on.ini"
fw() { # NAME ARGS...: the test program, sets rc
    local name=$1
    shift
    "$HVSIM" run --smp 2 --bios "$T/fwcfg-test.elf" --append "hello fw_cfg" "$@" </dev/null \
        >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

fw a -c "$T/on.ini" --trace "$T/a.hvt"
n=$(grep -c '^ok' "$T/a.out")
if [ "$rc" -eq 0 ] && grep -q '^fwcfg-test: PASS' "$T/a.out" && [ "$n" -ge 16 ]; then
    pass "fwcfg-test passes with [fw-cfg] mmio = on ($n checks)"
else
    fail "fwcfg-test" "exit $rc: $(grep -m3 -E '^FAIL|^fwcfg' "$T/a.out")"
fi
expect_line "$T/a.out" "ok   file directory: opt/hvsim/isa, its size and selector" "file directory (big-endian)"
expect_line "$T/a.out" "ok   DMA (one 64-bit address write): select + read the file, control back to 0" "DMA read"
fw off
if [ "$rc" -eq 1 ] && grep -q '^FAIL trap mcause=0000000000000007 mepc=[0-9a-f]* mtval=0000000010100008' "$T/off.out"; then
    pass "without the key there is no device (the selector store faults: store access fault)"
else
    fail "without [fw-cfg]" "exit $rc: $(tail -1 "$T/off.out")"
fi
fw b -c "$T/on.ini" --trace "$T/b.hvt"
fw c -c "$T/on.ini" --trace "$T/c.hvt" --engine interp
if [ -s "$T/a.hvt" ] && cmp -s "$T/a.hvt" "$T/b.hvt" && cmp -s "$T/a.hvt" "$T/c.hvt" &&
    "$HVSIM" replay "$T/a.hvt" >/dev/null 2>&1; then
    pass "two runs and --engine interp byte-identical, replay identical"
else
    fail "determinism/replay"
fi

"$HVSIM" run -c "$T/on.ini" --dump-dtb "$T/on.dtb" >/dev/null 2>&1
"$HVSIM" run --dump-dtb "$T/off.dtb" >/dev/null 2>&1
dtc -I dtb -O dts "$T/on.dtb" >"$T/on.dts" 2>/dev/null
if grep -A4 'fw-cfg@10100000 {' "$T/on.dts" | grep -q 'compatible = "qemu,fw-cfg-mmio"' &&
    grep -A4 'fw-cfg@10100000 {' "$T/on.dts" | grep -q 'reg = <0x00 0x10100000 0x00 0x18>' &&
    grep -A4 'fw-cfg@10100000 {' "$T/on.dts" | grep -q 'dma-coherent' &&
    ! dtc -I dtb -O dts "$T/off.dtb" 2>/dev/null | grep -q fw-cfg; then
    pass "dtb: fw-cfg@10100000 (qemu,fw-cfg-mmio, 0x18 bytes, dma-coherent) only when on"
else
    fail "dtb fw-cfg node" "$(grep -A4 fw-cfg "$T/on.dts" | head -5)"
fi

"$HVSIM" run -c "$T/on.ini" --smp 2 --kernel "$UBOOT" --max-insns 150000000 </dev/null >"$T/sbi.out" 2>&1
expect_line "$T/sbi.out" "Hit any key to stop autoboot" "OpenSBI 1.1 + U-Boot boot with fw_cfg"

printf '[fw-cfg]\nmmio = yes\n' >"$T/bad.ini"
"$HVSIM" run -c "$T/bad.ini" </dev/null >/dev/null 2>"$T/bad.err"
r=$?
if [ "$r" -eq 2 ] && grep -qF "[fw-cfg] mmio 'yes' is not 'on'" "$T/bad.err"; then
    pass "bad value: [fw-cfg] mmio = yes exits 2"
else
    fail "bad value" "exit $r: $(head -2 "$T/bad.err")"
fi
summary
