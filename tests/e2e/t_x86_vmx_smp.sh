#!/usr/bin/env bash
# VMX on several CPUs at once (docs/vmx.md "VMX on several CPUs"):
# tests/firmware/x86/vmx_smp.c on --smp 2 and 4 with [cpu] vmx = on. Each
# CPU runs its own hypervisor (VMXON region, VMCS, VPID); the guests pass a
# message around the ring of CPUs through their hosts: VMCALL on one CPU,
# an IPI to the next, an external-interrupt exit there while its guest
# spins. Here: the kernel's verdict, the vm.exit counts per reason and the
# guest ids (one VMCS per CPU) in `trace stats`, two runs byte-identical,
# replay, both engines the same, and a few schedules (explore --seeds,
# with --ipi-latency) all passing with the same console.
# Usage: t_x86_vmx_smp.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx_smp.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
# run OUT ARGS... (lib.sh serial_run)
run() { serial_run "$1" -c "$T/vmx.ini" --kernel "$K" --max-insns 50000000 "${@:2}"; }

for n in 2 4; do
    run "$T/s$n.out" --smp "$n" --trace "$T/s$n.hvt" 2>"$T/s$n.err"
    rc=$?
    ints=$((117 + n)) # LIMIT - 2 forwarded answers + the n - 1 last IPIs
    if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/s$n.err" &&
        grep -q "^x86 vmx-smp: $n cpus, 119 VMCALL exits, $ints external-interrupt exits$" "$T/s$n.out" &&
        grep -q "x86 vmx-smp: all checks passed" "$T/s$n.out"; then
        pass "x86 vmx --smp $n: $(grep -o "$n cpus.*" "$T/s$n.out")"
    else
        fail "x86 vmx --smp $n" "exit $rc: $(tail -1 "$T/s$n.err"); $(grep -E "FAIL" "$T/s$n.out" | head -5 | tr '\n' ';')"
    fi
    # trace stats: "vmid vcpu count NAME (0xN)"; one VMCS (vmid) per CPU
    "$HVSIM" trace stats "$T/s$n.hvt" >"$T/stats$n.txt" 2>&1
    calls=$(awk '$4 == "VMCALL" { n += $3 } END { print n + 0 }' "$T/stats$n.txt")
    eint=$(awk '$4 == "EXTERNAL_INTERRUPT" { n += $3 } END { print n + 0 }' "$T/stats$n.txt")
    vmids=$(awk '$1 ~ /^[0-9]+$/ && $4 == "EXTERNAL_INTERRUPT" { print $1 }' "$T/stats$n.txt" | sort -u | wc -l)
    if [ "$calls" = 119 ] && [ "$eint" = "$ints" ] && [ "$vmids" = "$n" ]; then
        pass "x86 vmx --smp $n: trace stats: 119 VMCALL, $ints EXTERNAL_INTERRUPT exits over $n guests (VMCSs)"
    else
        fail "x86 vmx --smp $n trace stats" "VMCALL=$calls EXTERNAL_INTERRUPT=$eint vmids=$vmids; $(head -12 "$T/stats$n.txt" | tr '\n' ';')"
    fi
done
"$HVSIM" trace show "$T/s2.hvt" --events vm >"$T/show.txt" 2>&1
if grep -q "cpu1 .*vm.exit .*reason=EXTERNAL_INTERRUPT" "$T/show.txt" &&
    grep -q "cpu0 .*vm.exit .*reason=EXTERNAL_INTERRUPT" "$T/show.txt" &&
    grep -q "cpu1 .*vm.exit .*reason=VMCALL" "$T/show.txt"; then
    pass "x86 vmx --smp 2: both CPUs take VMCALL and external-interrupt exits (trace show)"
else
    fail "x86 vmx --smp 2 trace show" "$(head -5 "$T/show.txt" | tr '\n' ';')"
fi

run "$T/b.out" --smp 2 --trace "$T/b.hvt" 2>/dev/null
if cmp -s "$T/s2.hvt" "$T/b.hvt" && [ -s "$T/b.hvt" ]; then
    pass "x86 vmx --smp 2: the same run twice gives byte-identical traces"
else
    fail "x86 vmx --smp 2 determinism" "$(cmp "$T/s2.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
run "$T/i.out" --smp 2 --trace "$T/i.hvt" --engine interp 2>/dev/null
if cmp -s "$T/s2.hvt" "$T/i.hvt" && cmp -s "$T/s2.out" "$T/i.out"; then
    pass "x86 vmx --smp 2: --engine interp gives the same trace and console"
else
    fail "x86 vmx --smp 2 engines" "$(cmp "$T/s2.hvt" "$T/i.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/s4.hvt" --serial "file:$T/serial.out" >"$T/r.txt" 2>&1; then
    pass "x86 vmx --smp 4: replay identical"
else
    fail "x86 vmx --smp 4 replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
fi

# other schedules: every seed passes (explore prints one row per distinct
# outcome: "... pass ... N seeds")
TMPDIR=$T "$HVSIM" explore --seeds 1..6 --jobs 2 --keep "$T/keep" --expect "all checks passed" -- \
    -c "$T/vmx.ini" --smp 2 --quantum 700 --ipi-latency 0..3000 --kernel "$K" --max-insns 50000000 \
    >"$T/explore.out" 2>&1
rc=$?
nfail=$(awk '$1 ~ /^[0-9]+$/ && $2 != "pass" { n += $6 } END { print n + 0 }' "$T/explore.out")
npass=$(awk '$1 ~ /^[0-9]+$/ && $2 == "pass" { n += $6 } END { print n + 0 }' "$T/explore.out")
if [ "$rc" -eq 0 ] && [ "$npass" = 6 ] && [ "$nfail" = 0 ]; then
    pass "x86 vmx --smp 2: explore --seeds 1..6 (quantum 700, IPI latency 0-3000 ns): every seed passes"
else
    fail "x86 vmx explore" "exit $rc pass=$npass fail=$nfail: $(head -12 "$T/explore.out" | tr '\n' ';')"
fi
summary
