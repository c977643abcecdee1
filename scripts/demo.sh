#!/usr/bin/env bash
# The default demo of `make run`: Debian's OpenSBI (fw_jump) and U-Boot on
# the 4-hart default machine, console on this terminal (Ctrl-A x quits).
set -eu
cd "$(dirname "$0")/.."
echo "hvsim demo: OpenSBI v1.1 + U-Boot 2023.01 on 4 harts (Ctrl-A x to quit)" >&2
exec build/hvsim run --smp 4 \
    --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
    --kernel /usr/lib/u-boot/qemu-riscv64_smode/uboot.elf "$@"
