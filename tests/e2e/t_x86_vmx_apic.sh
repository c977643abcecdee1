#!/usr/bin/env bash
# VMX APIC virtualization (docs/vmx.md "APIC virtualization"): our test
# hypervisor tests/firmware/x86/vmx_apic.c on the x86-pc board with [cpu]
# vmx = on checks the capability bits, the VM-entry checks of the new
# controls, the TPR shadow (MOV CR8, TPR-below-threshold exits), the
# APIC-access page (APIC-access exits by offset and access type,
# virtualized TPR / register reads and writes, APIC-write exits), x2APIC
# virtualization, virtual-interrupt delivery (priority, EOI virtualization
# and the EOI-exit bitmap, self-IPI virtualization) and posted interrupts
# (the notification pending at entry and arriving in non-root operation),
# the APIC-access page reached through EPT, and (--smp 2) a notification
# sent by the other CPU.
# Here: its verdict, the vm.exit counts by reason from `trace stats`, the
# virtual interrupts taken, two runs byte-identical, --engine interp the
# same trace as the fast engine, replay, and with vmx = off (exit 1).
# Usage: t_x86_vmx_apic.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx-apic.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
run() { "$HVSIM" run -c "$1" --smp 2 --kernel "$K" --serial "file:$2" --max-insns 50000000 "${@:3}" </dev/null; }

run "$T/vmx.ini" "$T/a.out" --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 vmx-apic: all checks passed" "$T/a.out"; then
    pass "x86 vmx-apic hypervisor: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 vmx-apic hypervisor" "exit $rc: $(tail -1 "$T/a.err"); $(grep -E "FAIL|unexpected" "$T/a.out" | head -5 | tr '\n' ';')"
fi

# vm.exit per reason (trace stats: "vmid vcpu count NAME (0xN)")
"$HVSIM" trace stats "$T/a.hvt" >"$T/stats.txt" 2>&1
want="TPR_BELOW=4 APIC_ACCESS=7 APIC_WRITE=3 VIRT_EOI=1 EXTERNAL_INTERRUPT=1 EXCEPTION_NMI=3 VMCALL=12"
bad=$(vm_exit_mismatch "$T/stats.txt" "$want")
total=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $4 ~ /^[A-Z_]+$/ { n += $3 } END { print n + 0 }' "$T/stats.txt")
if [ -z "$bad" ] && [ "$total" = 31 ]; then
    pass "trace stats: vm.exit by reason ($want, 31 in all)"
else
    fail "vm.exit counts" "$bad total=$total"
fi
# the virtual interrupts delivered through the guest IDT (9 irq.take) and
# the four posted-interrupt notifications plus the host's EOI dismissed at
# the local APIC (5 irq.complete)
take=$(awk '$1 == "irq.take" { print $2 }' "$T/stats.txt")
complete=$(awk '$1 == "irq.complete" { print $2 }' "$T/stats.txt")
if [ "$take" = 9 ] && [ "$complete" = 5 ]; then
    pass "9 virtual interrupts taken, 5 EOIs at the local APIC"
else
    fail "irq.take / irq.complete" "take=$take complete=$complete"
fi
"$HVSIM" trace show "$T/a.hvt" --events vm >"$T/show.txt" 2>&1
if grep -q "vm.exit .*reason=APIC_ACCESS .*tval=0x1300" "$T/show.txt" &&
    grep -q "vm.exit .*reason=APIC_ACCESS .*tval=0x2000" "$T/show.txt" &&
    grep -q "vm.exit .*reason=APIC_WRITE .*tval=0x320" "$T/show.txt" &&
    grep -q "vm.exit .*reason=VIRT_EOI .*tval=0x21" "$T/show.txt" &&
    grep -q "vm.exit .*reason=TPR_BELOW" "$T/show.txt"; then
    pass "trace show: APIC_ACCESS (write 300H, fetch), APIC_WRITE 320H, VIRT_EOI 21H, TPR_BELOW by name"
else
    fail "trace show of vm.exit" "$(grep -m3 "vm.exit" "$T/show.txt" | tr '\n' ';')"
fi

# (the same serial path: the trace records the run's options)
cp "$T/a.out" "$T/a1.out"
run "$T/vmx.ini" "$T/a.out" --trace "$T/b.hvt" 2>/dev/null
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86 vmx-apic: the same run twice gives byte-identical traces"
else
    fail "x86 vmx-apic determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
run "$T/vmx.ini" "$T/a.out" --trace "$T/i.hvt" --engine interp 2>/dev/null
if cmp -s "$T/a.hvt" "$T/i.hvt" && cmp -s "$T/a.out" "$T/a1.out"; then
    pass "x86 vmx-apic: --engine interp gives the fast engine's trace and output"
else
    fail "x86 vmx-apic interp vs fast" "$(cmp "$T/a.hvt" "$T/i.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" --serial "file:$T/r.out" >"$T/r.txt" 2>&1; then
    pass "x86 vmx-apic: replay identical"
else
    fail "x86 vmx-apic replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
fi

# vmx = off (the default): no VMX, the hypervisor fails its first check
run "$ROOT/configs/x86-pc.ini" "$T/off.out" 2>"$T/off.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "FAIL: CPUID.1:ECX.VMX" "$T/off.out"; then
    pass "vmx = off: no VMX reported, the hypervisor fails (exit 1)"
else
    fail "vmx = off" "exit $rc: $(head -3 "$T/off.out" | tr '\n' ';')"
fi
summary
