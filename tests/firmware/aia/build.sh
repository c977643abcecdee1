#!/usr/bin/env bash
# Builds the AIA test program: build.sh OUTDIR -> OUTDIR/aia-test.elf (linked
# like the virtio test program, at 0x80000000 for --bios).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
"$RV_CC" -march=rv64g -mabi=lp64d -mcmodel=medany -O2 -g -ffreestanding -fno-builtin \
    -nostdlib -nostartfiles -static -Wall -Wextra -T "$here/../virtio/link.ld" \
    -o "$out/aia-test.elf" "$here/start.S" "$here/aia_test.c" -lgcc
