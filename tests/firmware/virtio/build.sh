#!/usr/bin/env bash
# Builds the virtio test program: build.sh OUTDIR -> OUTDIR/virtio-test.elf
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
"$RV_CC" -march=rv64g -mabi=lp64d -mcmodel=medany -O2 -g -ffreestanding -fno-builtin \
    -nostdlib -nostartfiles -static -Wall -Wextra -T "$here/link.ld" \
    -o "$out/virtio-test.elf" "$here/start.S" "$here/virtio_test.c" -lgcc
