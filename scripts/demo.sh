#!/usr/bin/env bash
# The demo of `make run` (DEMO=minihv|linux|uboot|all, default all):
# Every demo boots the race-free OpenSBI (Debian's 1.1 with our SBI HSM
# hart_start fix, tests/firmware/opensbi/build.sh, built once and cached;
# docs/examples/sbi-hsm-race.md), or Debian's own fw_jump.elf if that
# cannot be built here; the demo says which.
#  1. minihv, our own hypervisor, under OpenSBI on 4 harts: 2 VMs x
#     2 vCPUs ping-pong virtual IPIs; the timeline is recorded and the
#     commands to look at it are printed;
#  2. Linux 6.1 + KVM (tests/firmware/linux, built once and cached) on 4
#     harts running two KVM guests, to power-off;
#  3. OpenSBI + U-Boot 2023.01 on 4 harts, console on this terminal
#     (Ctrl-A x quits).
set -eu
cd "$(dirname "$0")/.."
demo=${DEMO:-all}
mkdir -p build/demo
if fw=$(bash tests/firmware/opensbi/build.sh 2>build/demo/opensbi.log); then
    echo "== firmware: $fw (OpenSBI 1.1 with our hart_start fix)" >&2
else
    fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
    echo "== firmware: $fw (Debian's OpenSBI 1.1; the race-free build failed, see build/demo/opensbi.log)" >&2
fi
if [ "$demo" = all ] || [ "$demo" = minihv ]; then
    trace=build/demo/minihv.hvt
    echo "== hvsim demo: minihv (2 VMs x 2 vCPUs, H extension) on 4 harts" >&2
    build/hvsim run --smp 4 --bios "$fw" --kernel build/firmware/minihv.elf --trace "$trace" </dev/null
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
    build/hvsim run --smp 4 --bios "$fw" --kernel "$image" --append "console=ttyS0 earlycon" \
        --trace build/demo/linux-kvm.hvt </dev/null
    echo "== timeline: build/hvsim trace stats build/demo/linux-kvm.hvt" >&2
fi
if [ "$demo" = all ] || [ "$demo" = uboot ]; then
    echo "== hvsim demo: OpenSBI + U-Boot 2023.01 on 4 harts (Ctrl-A x to quit)" >&2
    exec build/hvsim run --smp 4 \
        --bios "$fw" \
        --kernel /usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
fi
