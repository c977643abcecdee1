#!/usr/bin/env bash
# The demo of `make run` (DEMO=minihv|linux|uboot|all, default all):
#  1. minihv, our own hypervisor, under Debian's OpenSBI on 4 harts: 2 VMs x
#     2 vCPUs ping-pong virtual IPIs; the timeline is recorded and the
#     commands to look at it are printed;
#  2. Linux 6.1 + KVM (tests/firmware/linux, built once and cached) on 4
#     harts running two KVM guests, to power-off;
#  3. OpenSBI v1.1 + U-Boot 2023.01 on 4 harts, console on this terminal
#     (Ctrl-A x quits).
set -eu
cd "$(dirname "$0")/.."
demo=${DEMO:-all}
mkdir -p build/demo
if [ "$demo" = all ] || [ "$demo" = minihv ]; then
    trace=build/demo/minihv.hvt
    echo "== hvsim demo: minihv (2 VMs x 2 vCPUs, H extension) on 4 harts" >&2
    build/hvsim run --smp 4 --kernel build/firmware/minihv.elf --trace "$trace" </dev/null
    cat >&2 <<TXT

== The timeline went to $trace. Look at it with:
   build/hvsim trace show $trace --events ipi,vm --hart 2 | head -40
   build/hvsim trace stats $trace          # IPI latencies, VM exits per VM and vCPU
   build/hvsim trace export $trace --format perfetto -o build/demo/minihv.pftrace
                                           # open in https://ui.perfetto.dev
   build/hvsim replay $trace               # bit-for-bit replay check

TXT
fi
if [ "$demo" = all ] || [ "$demo" = linux ]; then
    echo "== hvsim demo: Linux 6.1 + KVM, two KVM guests, on 4 harts (image built once, then cached)" >&2
    image=$(bash tests/firmware/linux/build.sh riscv | tail -n1)
    build/hvsim run --smp 4 --kernel "$image" --append "console=ttyS0 earlycon" \
        --trace build/demo/linux-kvm.hvt </dev/null
    echo "== timeline: build/hvsim trace stats build/demo/linux-kvm.hvt" >&2
fi
if [ "$demo" = all ] || [ "$demo" = uboot ]; then
    echo "== hvsim demo: OpenSBI v1.1 + U-Boot 2023.01 on 4 harts (Ctrl-A x to quit)" >&2
    exec build/hvsim run --smp 4 \
        --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
        --kernel /usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
fi
