#!/usr/bin/env bash
# VMX behaviours no other kernel runs (docs/vmx.md "Gaps closed"):
# tests/firmware/x86/vmx_gaps.c checks #DB exits of I/O breakpoints,
# instruction breakpoints and general detect (qualification, RIP, RF, DR6 /
# DR7 untouched), the saved RFLAGS.RF of fault, trap, instruction, timer
# and EPT exits (SDM vol. 3C §28.3.3), every VM-entry check row no other
# kernel fails (each failing in turn: VMfailValid 7 / 8, exit 33),
# CR3-target values, save / load IA32_PAT, VMREAD / VMWRITE with memory operands (root and the
# guest's exits), INVPCID in a guest (#UD, its own #GP, exit 58), a
# real-mode guest's MOV to an unusable DS, and the guest PDPTE fields of
# PAE guests (loaded at entry with EPT, reloaded by MOV to CR3, saved at
# exit, the entry check with qualification 2). Here: its verdict, the
# vm.exit count per reason in `trace stats`, two runs byte-identical, the
# interpreter engine giving the same trace, replay; then the VMX abort
# kernels (indicator 1: MSR-store area, 2: host PDPTEs, 4: MSR-load
# area): exit status 1
# with the indicator in the message, and with [cpu] triple-fault = reset
# the machine reset whose real-mode #UD handler reports the indicator
# read from the VMCS region through isa-debug-exit; indicator 2: a 32-bit
# PAE host whose host CR3 has an invalid PDPTE.
# Usage: t_x86_vmx_gaps.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx_gaps.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
sed 's/^triple-fault = .*/triple-fault = reset/' "$T/vmx.ini" >"$T/reset.ini"
# run OUT ARGS... (lib.sh serial_run)
run() { serial_run "$1" -c "$T/vmx.ini" --smp 1 --kernel "$K" --events all --max-insns 5000000 "${@:2}"; }

run "$T/a.out" --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 vmx-gaps: all checks passed" "$T/a.out"; then
    pass "x86 vmx gaps: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 vmx gaps" "exit $rc: $(tail -1 "$T/a.err"); $(grep -E "FAIL" "$T/a.out" | head -5 | tr '\n' ';')"
fi
# EXCEPTION_NMI: 5 #DB (I/O twice, single step + data breakpoint,
# instruction breakpoint, general detect), INVPCID's #UD and #GP, the PAE
# guest's MOV to CR3 #GP, the RF group's #UD, #GP, #PF and INT3;
# PREEMPTION_TIMER: the RF group's timer at 0; VMCALL: the I/O breakpoint with CR4.DE = 0, after
# the instruction breakpoint and general detect, INVPCID type 2, the seven
# reads of the INVPCID TLB test, the 64-bit guest with bad PDPTE fields,
# the MOV to a CR3-target value and the PAT guest; CR_ACCESS: the two MOVs
# to CR3 that are not a target value;
# CPUID: the real-mode guest, the PAE guests (fields, MOV CR3, MOV CR4 TSD
# and PGE, the table rewritten after MOV CR3, a not-present field, no EPT),
# the RF group's CPUID entered with RF = 1, the entry-rows group's two
# valid entries;
# EPT_VIOLATION: the PDPTE load of a MOV to CR3 from unmapped GPA
# 40000000H, the RF group's read of GPA 40000000H and its INT 20H and #UD
# pushing onto GPA 40000FF8H; INVALID_GUEST: the three PDPTE entry checks
# and the entry-rows group's 38 guest-state rows
"$HVSIM" trace stats "$T/a.hvt" >"$T/stats.txt" 2>&1
want="EXCEPTION_NMI=12 VMCALL=14 VMREAD=1 VMWRITE=1 INVPCID=1 CPUID=11 EPT_VIOLATION=4 INVALID_GUEST=41 PREEMPTION_TIMER=1 CR_ACCESS=2"
bad=$(vm_exit_mismatch "$T/stats.txt" "$want")
if [ -z "$bad" ]; then
    pass "x86 vmx gaps: trace stats, vm.exit by reason ($want)"
else
    fail "x86 vmx gaps: vm.exit by reason" "$bad"
fi
same_run_checks "x86 vmx gaps"

# VMX abort: shutdown ends the run (status 1) naming the indicator; the
# vm.exit that aborted (the 64-bit guest's VMCALL; for indicator 2 the
# 32-bit host's guest's CPUID) is the last VMX event
for n in 1 2 4; do
    A=$ROOT/build/firmware/x86-vmx_abort$n.elf
    case $n in
    1) what="saving guest MSRs" reason=VMCALL ;;
    2) what="the host PDPTEs" reason=CPUID ;;
    4) what="loading host MSRs" reason=VMCALL ;;
    esac
    serial_run "$T/ab$n.out" -c "$T/vmx.ini" --smp 1 --kernel "$A" --max-insns 5000000 \
        --events vm --trace "$T/ab$n.hvt" 2>"$T/ab$n.err"
    rc=$?
    "$HVSIM" trace show "$T/ab$n.hvt" --events vm >"$T/ab$n.show" 2>&1
    if [ "$rc" -eq 1 ] && grep -q "VMX abort, indicator $n: $what (shutdown)" "$T/ab$n.err" &&
        grep -q "aborts now" "$T/ab$n.out" &&
        [ "$(grep -E "vm\.(entry|exit)" "$T/ab$n.show" | tail -1 | grep -c "vm.exit .*reason=$reason")" = 1 ]; then
        pass "VMX abort $n ($what): exit status 1, the message, the $reason exit last on the timeline"
    else
        fail "VMX abort $n" "exit $rc: $(tail -1 "$T/ab$n.err")"
    fi
    # with triple-fault = reset: the machine resets, F000:FFF0 is #UD, the
    # kernel's real-mode handler sends the indicator to isa-debug-exit
    serial_run "$T/abr$n.out" -c "$T/reset.ini" --smp 1 --kernel "$A" --max-insns 5000000 \
        --events vm,exc --trace "$T/abr$n.hvt" 2>"$T/abr$n.err"
    rc=$?
    "$HVSIM" trace show "$T/abr$n.hvt" >"$T/abr$n.show" 2>&1
    if [ "$rc" -eq 1 ] && grep -q "isa-debug-exit: guest wrote 0x$n (QEMU exit status $((n * 2 + 1)))" "$T/abr$n.err" &&
        grep -A1 "vm.exit .*reason=$reason" "$T/abr$n.show" | grep -q "exc.take .*cause=#UD CPL0->CPL0 real .*pc=0xfffffff0"; then
        pass "VMX abort $n, triple-fault = reset: the machine resets and reads indicator $n in the VMCS region"
    else
        fail "VMX abort $n (reset)" "exit $rc: $(tail -1 "$T/abr$n.err")"
    fi
done
summary
