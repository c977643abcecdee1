#!/usr/bin/env bash
# minihv, our own test hypervisor (tests/firmware/minihv), under Debian's
# OpenSBI on 4 harts: 2 VMs x 2 vCPUs doing IPI ping-pong and timer
# interrupts through the H extension. Asserts its success lines and exit 0,
# the VM exits by reason that its protocol implies, the virtual IPIs, that
# the trace is byte-identical run to run and on the reference engine
# (--engine interp), and that it replays.
# Usage: t_minihv.sh HVSIM   (needs build/firmware/minihv.elf: make firmware)
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
MINIHV=$(realpath ../../build/firmware/minihv.elf 2>/dev/null || true)
[ -n "${MINIHV_ELF:-}" ] && MINIHV=$(realpath "$MINIHV_ELF")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ ! -f "$MINIHV" ]; then
    fail "minihv.elf built" "missing: run make firmware"
    summary
    exit 1
fi

"$HVSIM" run --smp 4 --kernel "$MINIHV" --trace "$T/a.hvt" </dev/null >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "poweroff" "$T/err"; then pass "minihv exits 0 through SBI SRST"; else
    fail "minihv exits 0" "exit $rc: $(tail -1 "$T/err")"; fi
expect_line "$T/out" "minihv: all VMs passed" "minihv: all VMs passed"
for vm in 0 1; do
    if grep -q "minihv: vm$vm: result ping-pong 100 timer 5 checksum .* reset reason 0: PASS" "$T/out"; then
        pass "vm$vm result line PASS"; else fail "vm$vm result line PASS"; fi
done

# VM exits by reason, per VM, as the guest/hypervisor protocol implies:
# vCPU 0 of each VM makes 109 SBI calls and 114+114 virtual-UART accesses
# (load + store guest-page faults), vCPU 1 makes 108 SBI calls; each vCPU
# takes 100 host IPIs (SSI) and 5 host timer interrupts (STI) while in V=1.
"$HVSIM" trace show "$T/a.hvt" --events vm.exit --no-disasm >"$T/vm.txt" 2>&1
count() { grep -c -- "$1" "$T/vm.txt"; }
for vmid in 1 2; do
    for want in "ecall-VS:217" "load-guest-page-fault:114" "store-guest-page-fault:114" \
                "reason=SSI:200" "reason=STI:10"; do
        what=${want%%:*} n=${want##*:}
        got=$(grep -- "vmid=$vmid " "$T/vm.txt" | grep -c -- "$what")
        if [ "$got" -eq "$n" ]; then pass "vmid $vmid: $n vm.exit $what"; else
            fail "vmid $vmid: vm.exit $what" "expected $n, got $got"; fi
    done
done
# Guest-page faults carry the guest-physical address of the virtual UART.
if grep "load-guest-page-fault" "$T/vm.txt" | grep -q "gpa=0x10000005" &&
    ! grep "guest-page-fault" "$T/vm.txt" | grep -vq "gpa=0x1000000"; then
    pass "guest-page faults report the UART's guest-physical addresses"
else
    fail "guest-page faults report the UART's guest-physical addresses"
fi

# Virtual IPIs: 100 guest SBI IPIs per vCPU (vSBI), each injected by minihv
# through hvip.VSSIP (ipi.deliver HVIP) on the target's hart.
"$HVSIM" trace show "$T/a.hvt" --events ipi --no-disasm >"$T/ipi.txt" 2>&1
vsbi=$(grep -c "ipi.send *vSBI" "$T/ipi.txt")
hvip=$(grep -c "ipi.deliver *HVIP" "$T/ipi.txt")
if [ "$vsbi" -eq 400 ] && [ "$hvip" -ge 400 ]; then pass "400 guest IPIs sent, $hvip injected via hvip"; else
    fail "guest IPIs" "vSBI $vsbi (want 400), HVIP $hvip (want >= 400)"; fi

# Determinism and replay.
"$HVSIM" run --smp 4 --kernel "$MINIHV" --trace "$T/b.hvt" --serial none </dev/null 2>/dev/null
"$HVSIM" run --smp 4 --kernel "$MINIHV" --trace "$T/c.hvt" --serial none </dev/null 2>/dev/null
if cmp -s "$T/b.hvt" "$T/c.hvt"; then pass "minihv twice: byte-identical traces"; else
    fail "minihv twice: byte-identical traces"; fi
"$HVSIM" run --engine interp --smp 4 --kernel "$MINIHV" --trace "$T/i.hvt" --serial none </dev/null 2>/dev/null
if cmp -s "$T/b.hvt" "$T/i.hvt"; then pass "minihv on --engine interp: a byte-identical trace"; else
    fail "minihv on --engine interp: a byte-identical trace" \
        "$("$HVSIM" trace diff "$T/i.hvt" "$T/b.hvt" 2>&1 | head -8)"; fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.txt" 2>&1; then pass "minihv trace replays identically"; else
    fail "minihv trace replays" "$(head -5 "$T/replay.txt")"; fi

# A broken guest checksum is reported as a failure (exit 1).
B=$T/broken
if MINIHV_CFLAGS=-DMINIHV_BREAK bash ../firmware/minihv/build.sh "$B" >/dev/null 2>&1; then
    "$HVSIM" run --smp 4 --kernel "$B/minihv.elf" --serial "file:$T/broken.out" </dev/null 2>/dev/null
    rc=$?
    if [ "$rc" -eq 1 ] && grep -q "minihv: FAILED" "$T/broken.out"; then
        pass "a wrong VM result makes hvsim exit 1"; else
        fail "a wrong VM result makes hvsim exit 1" "exit $rc"; fi
else
    fail "build minihv -DMINIHV_BREAK"
fi
summary
