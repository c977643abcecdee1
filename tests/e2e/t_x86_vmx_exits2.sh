#!/usr/bin/env bash
# VM exits checked field by field (docs/vmx.md "VM exits"):
# tests/firmware/x86/vmx_exits2.c runs guests that exit through CR8-load /
# CR8-store exiting, INS / OUTS with unconditional I/O exiting, the
# I/O-bitmap wrap rule, the nine VMX instructions and #DB exits (single
# step, a data breakpoint) in the exception bitmap, XSETBV (with
# [cpu] xsave = on: reason 55, and the #UD / #GP that come before the
# exit), and checks reason,
# qualification, instruction information and guest-linear address against
# the SDM vol. 3C. Here: its
# verdict, the vm.exit count per reason in `trace stats`, two runs
# byte-identical, the interpreter engine giving the same trace, replay.
# Usage: t_x86_vmx_exits2.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx_exits2.elf
sed 's/^vmx = off$/vmx = on\nxsave = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
# run OUT ARGS... (lib.sh serial_run)
run() { serial_run "$1" -c "$T/vmx.ini" --smp 1 --kernel "$K" --events all --max-insns 5000000 "${@:2}"; }

run "$T/a.out" --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 vmx-exits2: all checks passed" "$T/a.out"; then
    pass "x86 vmx exits 2: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 vmx exits 2" "exit $rc: $(tail -1 "$T/a.err"); $(grep -E "FAIL" "$T/a.out" | head -5 | tr '\n' ';')"
fi
# IO: INS, OUTS, INW FFFFH twice (the wrap), INW 0000H with its bit set;
# VMCALL: the accesses the bitmaps let through; CR_ACCESS: CR8 both ways;
# EXCEPTION_NMI: the two #DBs (single step, data breakpoint); VMREAD: to a
# register and to memory; XSETBV: two exits (a good and a bad value), and
# its #UD (guest CR4.OSXSAVE = 0) and #GP (CPL 3) as EXCEPTION_NMI; the
# VMCALL after the guest's XGETBV
"$HVSIM" trace stats "$T/a.hvt" >"$T/stats.txt" 2>&1
want="IO=5 VMCALL=4 CR_ACCESS=2 EXCEPTION_NMI=4 XSETBV=2 VMCLEAR=1 VMLAUNCH=1 VMPTRLD=1 VMPTRST=1 VMREAD=2 VMRESUME=1 VMWRITE=1 VMXOFF=1 VMXON=1"
bad=$(vm_exit_mismatch "$T/stats.txt" "$want")
if [ -z "$bad" ]; then
    pass "x86 vmx exits 2: trace stats, vm.exit by reason ($want)"
else
    fail "x86 vmx exits 2: vm.exit by reason" "$bad"
fi
same_run_checks "x86 vmx exits 2"
summary
