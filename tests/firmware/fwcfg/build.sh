#!/usr/bin/env bash
# Builds the fw_cfg test program: build.sh OUTDIR -> OUTDIR/fwcfg-test.elf
# (linked like the virtio test program, at 0x80000000 for --bios).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
"$RV_CC" -march=rv64g -mabi=lp64d -mcmodel=medany -O2 -g -ffreestanding -fno-builtin \
    -nostdlib -nostartfiles -static -Wall -Wextra -T "$here/../virtio/link.ld" \
    -o "$out/fwcfg-test.elf" "$here/start.S" "$here/fwcfg_test.c" -lgcc
