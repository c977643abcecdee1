#!/usr/bin/env bash
# Real Linux KVM on the x86-pc board (docs/x86_kvm.md): Linux 6.1 x86_64
# with KVM and kvm_intel built in (tests/firmware/linux/build_x86_64_kvm.sh)
# on 4 CPUs with `[cpu] vmx = on` and `vendor = GenuineIntel`. The kernel's
# kvm_intel initialises without complaint and /dev/kvm exists; our /init
# (init_x86_kvm.c) is a KVM launcher: VM 1 (1 vCPU in 64-bit mode) prints
# through port-I/O exits and reports a checksum of its console bytes, VM 2
# (2 vCPUs, in-kernel irqchip) plays IPI ping-pong through the x2APIC and
# reports a checksum of the order the IPIs were taken in. Checked here: the
# result, the kernel's and launcher's lines, the vm.exit reasons in `trace
# stats` with APICv (default) and with kvm_intel.enable_apicv=0 (then the
# IPIs as VM-entry event injections, per VMCS with its VPID), the same
# run twice byte for byte, replay, --engine interp, Perfetto export, the
# golden digest, --smp 1/2/8, 10 explore seeds; vmx = off (kvm_intel
# finds no VMX, no /dev/kvm, exit 1) and the default vendor (Linux does not
# run its Intel setup, so IA32_FEATURE_CONTROL is never locked: "disabled
# by bios", exit 1).
# Skipped, with the reason, only when the image cannot be built.
# Usage: t_x86_kvm.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
BZ=$(bash "$ROOT/tests/firmware/linux/build_x86_64_kvm.sh" 2>"$T/build.err" | tail -n1)
if [ ! -f "$BZ" ]; then
    echo "SKIP t_x86_kvm: the Linux x86_64 KVM image cannot be built: $(tail -3 "$T/build.err")"
    exit 0
fi
# GenuineIntel: Linux locks IA32_FEATURE_CONTROL (VMX on) only from its Intel
# code. Model 0x5c (Goldmont): a model Linux 6.1 lists as not affected by
# L1TF; with the default 0x2f (Westmere-EX) and our 52 physical address
# bits KVM's MMU setup WARNs (arch/x86/kvm/mmu/spte.c: L1TF-affected parts
# have at most 46), and perf's Westmere-EX uncore driver writes an MSR the
# model does not have (0xc00).
sed -e 's/^vmx = off$/vmx = on/' -e 's/^vendor = HvsimVirtCPU$/vendor = GenuineIntel/' \
    -e 's/^model-number = 0x2f$/model-number = 0x5c/' "$ROOT/configs/x86-pc.ini" >"$T/kvm.ini"
grep -q "^vmx = on" "$T/kvm.ini" && grep -q "^vendor = GenuineIntel" "$T/kvm.ini" &&
    grep -q "^model-number = 0x5c" "$T/kvm.ini" ||
    { fail "kvm.ini from configs/x86-pc.ini" "no vmx/vendor line to change"; summary; exit; }
APPEND="console=ttyS0 earlyprintk=serial"
MAX=${HVSIM_X86_KVM_MAX:-3000000000}
linux() { # CFG OUT ARGS... : 4 CPUs, console to OUT
    local cfg=$1 out=$2
    shift 2
    "$HVSIM" run -c "$cfg" --smp 4 --kernel "$BZ" --append "$APPEND" --serial "file:$out" \
        --max-insns "$MAX" "$@" </dev/null 2>"$out.err"
}

linux "$T/kvm.ini" "$T/a.out" --trace "$T/a.hvt" --events vm,ipi
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.out.err"; then
    pass "Linux x86_64 with KVM: /init's VMs pass, exit 0 through isa-debug-exit"
else
    fail "Linux x86_64 with KVM" "exit $rc: $(tail -1 "$T/a.out.err"); $(grep -E "kvm|FAIL" "$T/a.out" | tail -5 | tr '\n' ';')"
fi
for line in "smp: Brought up 1 node, 4 CPUs" \
            "init: hvsim x86_64 Linux KVM test image, 4 CPUs online" \
            "init: /dev/kvm present (char 10:232, KVM API 12)" \
            "init: KVM_CREATE_VM works" \
            "vm1: hello from a KVM guest in 64-bit mode on vCPU 0, CPUID vendor GenuineIntel" \
            "kvmtest: vm1 passed: console checksum 0x" \
            "vm2: vCPU 0 got every answer from vCPU 1" \
            "kvmtest: vm2 passed: ping-pong 100 checksum 0x" \
            "kvmtest: all VMs passed" "init: PASS, powering off"; do
    expect_line "$T/a.out" "$line" "console: $line"
done
# kvm_intel's complaints (arch/x86/kvm/vmx/vmx.c, x86.c, arch/x86/kernel/cpu/feat_ctl.c)
# and any kernel warning
bad=$(grep -E "disabled by bios|disabled by BIOS|no hardware support|VMX not|inadequate fpu|PAT\[0\] is not WB|feature inconsistency|VMX is disabled|unchecked MSR|CAP should not exist|Inconsistent VM-Entry|vmwrite failed|vmread failed|WARNING:|Call Trace|BUG:|Oops" "$T/a.out" | head -3)
if [ -z "$bad" ]; then
    pass "no complaint from kvm_intel, no kernel warning"
else
    fail "kernel complaints" "$bad"
fi

# VM exits by reason (trace stats: "vmid vcpu count NAME (0xN)")
# Fixed by the guest programs: VM 1 prints 80 bytes + 2 checksum OUTs, VM 2
# 41 + 2 + "done"; one CPUID; VM 2's WRMSRs: 2 x (IA32_APIC_BASE + SVR) +
# 100 pings + 100 pongs, + 200 EOIs when they exit: with APICv (our VMX
# reports virtual-interrupt delivery, so kvm_intel's enable_apicv defaults
# to on) the x2APIC EOI write is virtualized and never exits; with
# kvm_intel.enable_apicv=0 every EOI is a WRMSR exit. At least: VM 1's HLT
# and one per ping vCPU 1 waits for, a few EPT violations (KVM maps guest
# pages when first touched). Three VMCSs (guest ids): VM 1's vCPU and VM
# 2's two.
exit_counts() { # TRACE WANT-WRMSR NAME
    "$HVSIM" trace stats "$1" >"$T/stats.txt" 2>&1
    count() { vm_exit_count "$T/stats.txt" "$1"; }
    local nio ncpuid nhlt nept nwr next nvmcs
    nio=$(count IO); ncpuid=$(count CPUID); nhlt=$(count HLT); nept=$(count EPT_VIOLATION)
    nwr=$(count WRMSR); next=$(count EXTERNAL_INTERRUPT)
    nvmcs=$(awk '$4 ~ /^[A-Z_]+$/ && $1 ~ /^[0-9]+$/ { v[$1] = 1 } END { print length(v) }' "$T/stats.txt")
    if [ "$nio" = 126 ] && [ "$ncpuid" = 1 ] && [ "$nwr" = "$2" ] && [ "$nhlt" -ge 101 ] &&
        [ "$nept" -ge 3 ] && [ "$nvmcs" = 3 ]; then
        pass "$3: vm.exit IO=$nio CPUID=$ncpuid WRMSR=$nwr HLT=$nhlt EPT_VIOLATION=$nept EXTERNAL_INTERRUPT=$next, $nvmcs VMCSs"
    else
        fail "$3: vm.exit counts" "IO=$nio(want 126) CPUID=$ncpuid(1) WRMSR=$nwr($2) HLT=$nhlt(>=101) EPT_VIOLATION=$nept(>=3) VMCSs=$nvmcs(3)"
    fi
}
exit_counts "$T/a.hvt" 204 "APICv (default)"

if "$HVSIM" replay "$T/a.hvt" >"$T/replay.txt" 2>&1; then pass "the KVM run's trace replays identically"; else
    fail "the KVM run's trace replays" "$(head -3 "$T/replay.txt" | tr '\n' ';')"; fi
mv "$T/a.hvt" "$T/first.hvt"
mv "$T/a.out" "$T/first.out" # the trace header names the console file: the same name again
linux "$T/kvm.ini" "$T/a.out" --trace "$T/a.hvt" --events vm,ipi
if cmp -s "$T/a.hvt" "$T/first.hvt" && cmp -s "$T/a.out" "$T/first.out"; then
    pass "two runs: byte-identical traces and console"
else
    fail "two runs: byte-identical traces and console" "$(cmp "$T/a.hvt" "$T/first.hvt" 2>&1 | head -1)"
fi

# kvm_intel.enable_apicv=0: the same VMs pass, every EOI exits
APPEND="console=ttyS0 earlyprintk=serial kvm_intel.enable_apicv=0"
linux "$T/kvm.ini" "$T/noapicv.out" --trace "$T/noapicv.hvt" --events vm,ipi
rc=$?
if [ "$rc" -eq 0 ] && grep -q "kvmtest: all VMs passed" "$T/noapicv.out"; then
    pass "kvm_intel.enable_apicv=0: the VMs pass, exit 0"
else
    fail "kvm_intel.enable_apicv=0" "exit $rc: $(grep -E "kvm|FAIL" "$T/noapicv.out" | tail -3 | tr '\n' ';')"
fi
exit_counts "$T/noapicv.hvt" 404 "enable_apicv=0"
# Without APICv KVM delivers VM 2's IPIs by VM-entry event injection
# (docs/trace-format.md "Optional arguments", `trace stats` key=value
# rows): the 100 pongs (41H) into vCPU 0's VMCS, the 100 pings (40H, and
# a start-up IPI or two) into vCPU 1's, as external interrupts; the two
# vCPUs, running at once, have different VPIDs.
pong=$(sed -n 's/^  vmid=\([0-9]*\) vcpu=[0-9]* count=100 inject=EXT_INT vector=0x41$/\1/p' "$T/stats.txt")
ping=$(awk '/^  vmid=.* inject=EXT_INT vector=0x40$/ { split($3, c, "="); if (c[2] >= 100) { split($1, v, "="); print v[2] } }' "$T/stats.txt")
vp() { sed -n "s/^  vmid=$1 vcpu=[0-9]* vpid=\([0-9]*\) .*/\1/p" "$T/stats.txt"; }
ninj=$(grep -c "^  vmid=.* inject=" "$T/stats.txt")
if [ -n "$pong" ] && [ -n "$ping" ] && [ "$pong" != "$ping" ] && [ "$ninj" = 2 ] &&
    [ -n "$(vp "$pong")" ] && [ -n "$(vp "$ping")" ] && [ "$(vp "$pong")" != "$(vp "$ping")" ]; then
    pass "enable_apicv=0: 100 EXT_INT 0x41 injections into VMCS $pong (VPID $(vp "$pong")), >= 100 EXT_INT 0x40 into VMCS $ping (VPID $(vp "$ping"))"
else
    fail "enable_apicv=0: injections" "pong '$pong' ping '$ping' rows $ninj: $(sed -n '/^vm entries per/,$p' "$T/stats.txt" | head -8 | tr '\n' ';')"
fi
APPEND="console=ttyS0 earlyprintk=serial"

# vmx = off: CPUID.1:ECX.VMX = 0, kvm_intel finds no VMX, no /dev/kvm.
sed 's/^vmx = on$/vmx = off/' "$T/kvm.ini" >"$T/off.ini"
linux "$T/off.ini" "$T/off.out"
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "kvm: no hardware support for 'kvm_intel'" "$T/off.out" &&
    grep -qF "init: no /dev/kvm" "$T/off.out"; then
    pass "vmx = off: \"kvm: no hardware support for 'kvm_intel'\", no /dev/kvm, exit 1"
else
    fail "vmx = off" "exit $rc: $(grep -E "kvm|init:" "$T/off.out" | head -4 | tr '\n' ';')"
fi
# The default vendor: Linux runs its generic CPU setup, which never locks
# IA32_FEATURE_CONTROL (init_ia32_feat_ctl is Intel/Centaur/Zhaoxin code).
sed 's/^vendor = GenuineIntel$/vendor = HvsimVirtCPU/' "$T/kvm.ini" >"$T/vendor.ini"
linux "$T/vendor.ini" "$T/vendor.out"
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "kvm: support for 'kvm_intel' disabled by bios" "$T/vendor.out" &&
    grep -qF "init: no /dev/kvm" "$T/vendor.out"; then
    pass "vendor HvsimVirtCPU: \"kvm: support for 'kvm_intel' disabled by bios\", exit 1"
else
    fail "vendor HvsimVirtCPU" "exit $rc: $(grep -E "kvm|init:" "$T/vendor.out" | head -4 | tr '\n' ';')"
fi
# Perfetto export of the KVM run; the same run on --engine interp; the
# golden digest (per-kind/per-CPU event counts and the VM-exit table of
# `trace stats`, traces/linux-x86-kvm.stats; HVSIM_TRACES_UPDATE=1 rewrites
# it); --smp 1/2/8; 10 scheduling seeds through explore.
if "$HVSIM" trace export "$T/first.hvt" --format perfetto -o "$T/kvm.pftrace" 2>"$T/exp.err" &&
    [ -s "$T/kvm.pftrace" ]; then
    pass "trace export --format perfetto of the KVM run ($(stat -c %s "$T/kvm.pftrace") bytes)"
else
    fail "perfetto export" "$(head -2 "$T/exp.err")"
fi
mv "$T/first.out" "$T/a.out"
linux "$T/kvm.ini" "$T/a.out" --trace "$T/interp.hvt" --events vm,ipi --engine interp
if cmp -s "$T/interp.hvt" "$T/first.hvt"; then
    pass "--engine interp: the byte-identical trace"
else
    fail "--engine interp" "$("$HVSIM" trace diff "$T/interp.hvt" "$T/first.hvt" 2>&1 | head -4 | tr '\n' ';')"
fi
"$HVSIM" trace stats "$T/first.hvt" >"$T/stats.txt" 2>&1
digest() { sed -n '/^events per kind/,/^$/p;/^vm exits per/,$p' "$1"; }
GOLD=$ROOT/traces/linux-x86-kvm.stats
if [ "${HVSIM_TRACES_UPDATE:-0}" = 1 ]; then
    digest "$T/stats.txt" >"$GOLD"
    echo "t_x86_kvm: wrote $GOLD"
fi
if [ -f "$GOLD" ] && diff <(digest "$T/stats.txt") "$GOLD" >"$T/digest.diff"; then
    pass "event counts equal the golden digest (traces/linux-x86-kvm.stats)"
else
    fail "event counts equal the golden digest" "$(head -8 "$T/digest.diff")"
fi
for n in 1 2 8; do
    "$HVSIM" run -c "$T/kvm.ini" --smp "$n" --kernel "$BZ" --append "$APPEND" --serial "file:$T/smp$n.out" \
        --max-insns "$MAX" </dev/null 2>"$T/smp$n.err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "kvmtest: all VMs passed" "$T/smp$n.out"; then
        pass "--smp $n: all VMs passed"
    else
        fail "--smp $n" "exit $rc: $(tail -2 "$T/smp$n.out" | tr '\n' ';')"
    fi
done
"$HVSIM" explore --seeds 1..10 --jobs 2 --keep "$T/keep" -- -c "$T/kvm.ini" --smp 4 --kernel "$BZ" \
    --append "$APPEND" --max-insns "$MAX" >"$T/explore.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    pass "10 scheduling seeds: all pass"
else
    fail "10 scheduling seeds" "exit $rc: $(tail -6 "$T/explore.txt" | tr '\n' ';')"
fi
summary
