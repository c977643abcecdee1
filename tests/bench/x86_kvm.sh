#!/usr/bin/env bash
# Linux 6.1 + KVM on x86_64 to power-off (`make bench`, called by
# tests/bench/run.sh for BENCH_ARCH=all and x86): tests/bench/x86_kvm.sh HVSIM
#
# The image and configuration of tests/e2e/t_x86_kvm.sh (docs/x86_kvm.md):
# the KVM image (tests/firmware/linux/build_x86_64_kvm.sh) on 4 CPUs with
# vmx = on, vendor GenuineIntel, model 0x5c; /init runs two KVM guests (VM
# 1 prints through port I/O, VM 2 plays 100 IPI round trips) and powers
# off. Every hvsim run must print "kvmtest: all VMs passed".
#   1. hvsim, BENCH_KVM_RUNS times (default 3): wall and CPU (user+sys)
#      seconds (the best of the runs), hvsim's instruction count, MIPS;
#   2. qemu-system-x86_64 -cpu max,+vmx (TCG): whether the guest Linux gets
#      VMX at all (the host has no VMX for -accel kvm: /proc/cpuinfo);
#   3. Bochs (Debian's bochs, built with VMX): the same bzImage from a
#      disk image with SYSLINUX (Bochs has no direct Linux loader), 4 CPUs
#      of its corei7_skylake_x model. BENCH_BOCHS_TIMEOUT (seconds, default
#      1800) bounds the run; BENCH_BOCHS=off skips it.
# A peer that cannot run the workload prints "NAME: could not ..." with
# what it printed, not a time. Exits 1 when hvsim's run fails.
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 HVSIM" >&2
    exit 2
fi
HVSIM=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
bench_digits=2 # seconds with 2 decimals (bench_timed)
out=${BENCH_OUT:-build/bench}/x86-kvm
mkdir -p "$out"
status=0

BZ=$(bash "$root/tests/firmware/linux/build_x86_64_kvm.sh" 2>"$out/build.err" | tail -n1)
if [ ! -f "$BZ" ]; then
    echo "bench x86 KVM: skipped: the Linux x86_64 KVM image cannot be built ($(tail -1 "$out/build.err"))"
    exit 0
fi
APPEND="console=ttyS0 earlyprintk=serial"

# ---- 1. hvsim ----
sed -e 's/^vmx = off$/vmx = on/' -e 's/^vendor = HvsimVirtCPU$/vendor = GenuineIntel/' \
    -e 's/^model-number = 0x2f$/model-number = 0x5c/' "$root/configs/x86-pc.ini" >"$out/kvm.ini"
best_wall="" best_cpu="" insns=""
for i in $(seq "${BENCH_KVM_RUNS:-3}"); do
    bench_timed "$out/hvsim$i" "$HVSIM" run -c "$out/kvm.ini" --smp 4 --kernel "$BZ" --append "$APPEND" \
        --serial stdio --max-insns 3000000000
    if [ "$rc" -ne 0 ] || ! grep -q "kvmtest: all VMs passed" "$out/hvsim$i.out"; then
        echo "bench x86 KVM: hvsim run $i exited $rc without 'kvmtest: all VMs passed' (see $out/hvsim$i.*)"
        status=1
        continue
    fi
    insns=$(bench_hvsim_insns "$out/hvsim$i.err")
    best_wall=$(awk -v a="$wall" -v b="${best_wall:-1e9}" 'BEGIN { print (a < b) ? a : b }')
    best_cpu=$(awk -v a="$cpu" -v b="${best_cpu:-1e9}" 'BEGIN { print (a < b) ? a : b }')
done
echo "bench: Linux 6.1 x86_64 + KVM (2 KVM guests, t_x86_kvm.sh's configuration) to power-off on 4 CPUs"
echo "bench: ${insns:-?} instructions (hvsim's count), best of ${BENCH_KVM_RUNS:-3} runs"
printf "%-30s %8s %8s %10s\n" "run" "wall s" "CPU s" "MIPS(CPU)"
[ -n "$best_cpu" ] && printf "%-30s %8s %8s %10s\n" "hvsim" "$best_wall" "$best_cpu" "$(bench_mips "$insns" "$best_cpu")"

# ---- 2. QEMU TCG ----
if grep -qw vmx /proc/cpuinfo && [ -e /dev/kvm ]; then
    hostvmx="the host has VMX and /dev/kvm"
else
    hostvmx="the host CPU has no VMX (/proc/cpuinfo) and there is no /dev/kvm, so no -accel kvm"
fi
if command -v qemu-system-x86_64 >/dev/null; then
    # no isa-debug-exit device: /init's lines drain before its power-off
    bench_timed "$out/qemu" timeout 600 qemu-system-x86_64 -M pc -cpu max,+vmx -smp 4 -m 256M -nographic \
        -no-reboot -kernel "$BZ" -append "$APPEND"
    if grep -q "kvmtest: all VMs passed" "$out/qemu.out"; then
        printf "%-30s %8s %8s %10s\n" "qemu-system-x86_64 (TCG)" "$wall" "$cpu" "-"
    else
        why=$(grep -h -m1 -oE "TCG doesn't support requested feature: .*vmx[^ ]* \[bit [0-9]+\]" "$out/qemu.err" "$out/qemu.out" | head -1)
        kvm=$(grep -m1 -E "kvm: |kvm_intel: |VMX not supported" "$out/qemu.out" | tr -d '\r')
        init=$(grep -E "^init: (no /dev/kvm|FAIL)" "$out/qemu.out" | tr -d '\r' | tr '\n' ';' | sed 's/;$//')
        echo "qemu-system-x86_64 (TCG): could not: QEMU says \"${why:-?}\"; the guest Linux says \"${kvm:-?}\"; /init: \"${init:-?}\" (booted to that in ${wall} s wall, ${cpu} s CPU; $hostvmx)"
    fi
else
    echo "qemu-system-x86_64: could not: not installed"
fi

# ---- 3. Bochs ----
bochs_skip=""
for t in bochs mformat mcopy syslinux script; do
    command -v "$t" >/dev/null || bochs_skip="$bochs_skip $t"
done
if [ "${BENCH_BOCHS:-on}" = off ]; then
    echo "bochs: skipped (BENCH_BOCHS=off)"
elif [ -n "$bochs_skip" ]; then
    echo "bochs: could not: not installed (missing:$bochs_skip; scripts/deps.sh installs them)"
else
    # an unpartitioned FAT disk (16 cylinders x 16 heads x 63 sectors) with
    # SYSLINUX, the bzImage and the command line
    img=$out/bochs-hd.img
    rm -f "$img"
    printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL BZIMAGE\n  APPEND %s\n' "$APPEND" >"$out/syslinux.cfg"
    if dd if=/dev/zero of="$img" bs=512 count=16128 status=none &&
        mformat -i "$img" -t 16 -h 16 -s 63 -c 8 :: && mcopy -i "$img" "$BZ" ::/BZIMAGE &&
        mcopy -i "$img" "$out/syslinux.cfg" ::/ && syslinux --install "$img"; then
        cat >"$out/bochsrc" <<EOF
megs: 256
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model=corei7_skylake_x, count=4, ips=100000000
ata0-master: type=disk, path=$img, mode=flat, cylinders=16, heads=16, spt=63
boot: disk
com1: enabled=1, mode=file, dev=$out/bochs.serial
display_library: term
log: $out/bochs.log
panic: action=fatal
EOF
        # Debian's bochs has its debugger built in: it starts at a prompt
        # (commands from -rc); the term display needs a terminal (script)
        printf 'continue\nquit\n' >"$out/bochs.dbg"
        rm -f "$out/bochs.serial"
        bench_timed "$out/bochs" timeout "${BENCH_BOCHS_TIMEOUT:-1800}" \
            script -qec "bochs -q -f $out/bochsrc -rc $out/bochs.dbg" /dev/null
        ticks=$(grep -oE '^[0-9]{11,}' "$out/bochs.log" | tail -1 | sed 's/^0*//')
        # /init's PASS line (the kernel's "kvm: exiting hardware
        # virtualization" at power-off can land inside "kvmtest: all VMs
        # passed": Bochs has no isa-debug-exit, the run ends by ACPI S5)
        if grep -q "^init: PASS, powering off" "$out/bochs.serial" 2>/dev/null &&
            grep -q "^kvmtest: vm1 passed" "$out/bochs.serial" && grep -q "^kvmtest: vm2 passed" "$out/bochs.serial"; then
            printf "%-30s %8s %8s %10s\n" "bochs (corei7_skylake_x)" "$wall" "$cpu" "-"
            echo "bochs: VMs passed, init: PASS (${ticks:-?} Bochs ticks; not hvsim's instructions: BIOS, SYSLINUX, its own timing)"
            awk -v h="$best_cpu" -v b="$cpu" 'BEGIN { if (h > 0 && b > 0) printf "hvsim is %.1fx faster than Bochs (CPU time)\n", b / h }'
        else
            last=$(grep -E "kvm|VMX|init:|kvmtest|Kernel panic|BUG|WARNING" "$out/bochs.serial" 2>/dev/null | tr -d '\r' | tail -3 | tr '\n' ';')
            echo "bochs: could not: no 'init: PASS' after ${wall} s wall, ${cpu} s CPU (exit $rc; last lines: ${last:-none}; see $out/bochs.serial)"
        fi
    else
        echo "bochs: could not: the SYSLINUX disk image could not be made (see above)"
    fi
fi
exit $status
