#!/usr/bin/env bash
# VMX "unrestricted guest" (docs/vmx.md "Unrestricted guest"): our test
# hypervisor tests/firmware/x86/vmx_ug.c checks the capability bit, each
# VM-entry check the control adds or relaxes (failing in turn, and the
# relaxed ones passing), event injection into a real-mode guest, and a
# guest that boots like a real-mode boot loader from CS:IP = 1000H:0
# through protected mode to long mode, printing through I/O exits, taking
# interrupts and exceptions through its IVT, halting, and switching CR0
# under the guest/host mask; once with EPT at an offset, once identity.
# Also an NMI injected into a real-mode guest (blocking by NMI until its
# handler's IRET), an EPT violation during its delivery (IDT-vectoring),
# task switches through a task gate (INT 41H, an injected NMI) and by IRET.
# With --smp 2: CPU 1 runs a real-mode guest AP in wait-for-SIPI; CPU 0's
# SIPI (vector 10H) exits there (reason 4) and the guest starts at 1000H:0.
# And EPT under a 32-bit paging guest and a PAE guest.
# Here: its verdict, the vm.exit counts by reason from `trace stats`, the
# exits of the boot guest in `trace show`, two runs byte-identical,
# --engine interp giving the same trace and console as fast, replay, and
# vmx = off (exit 1).
# Usage: t_x86_vmx_ug.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx_ug.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
# run INI OUT ARGS... (lib.sh serial_run)
run() { serial_run "$2" -c "$1" --smp 2 --kernel "$K" --events all --max-insns 5000000 "${@:3}"; }

run "$T/vmx.ini" "$T/a.out" --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 vmx-ug: all checks passed" "$T/a.out"; then
    pass "x86 vmx unrestricted guest: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 vmx unrestricted guest" "exit $rc: $(tail -1 "$T/a.err"); $(grep -E "FAIL" "$T/a.out" | head -5 | tr '\n' ';')"
fi
# the boot guest's console, forwarded by the host from its I/O exits (twice)
if [ "$(grep -c -x -E "real|prot|lme|long" "$T/a.out")" = 8 ]; then
    pass "the real-mode guest printed real/prot/lme/long through I/O exits, twice"
else
    fail "boot guest console" "$(tr '\n' ' ' <"$T/a.out" | head -c 300)"
fi

# vm.exit per reason (trace stats: "vmid vcpu count NAME (0xN)"): per boot
# guest 19 OUT exits, the #GP, HLT, the CR0.PG access, VMCALL; 13 CPUID
# probes; the EPT violation during an injected NMI's delivery; task
# switches through a task gate (INT 41H, an injected NMI) and by IRET; 18
# failed entries (exit reason 33); on CPU 1 the SIPI, 5 OUT exits, HLT
"$HVSIM" trace stats "$T/a.hvt" >"$T/stats.txt" 2>&1
want="IO=43 EXCEPTION_NMI=2 HLT=3 CR_ACCESS=2 VMCALL=2 CPUID=13 TASK_SWITCH=3 EPT_VIOLATION=1 SIPI=1 INVALID_GUEST=18"
bad=$(vm_exit_mismatch "$T/stats.txt" "$want")
total=$(awk '$1 ~ /^[0-9-]+$/ && $2 ~ /^[0-9]+$/ && $4 ~ /^[A-Z_]+$/ { n += $3 } END { print n + 0 }' "$T/stats.txt")
if [ -z "$bad" ] && [ "$total" = 88 ]; then
    pass "trace stats: vm.exit by reason ($want, 88 in all)"
else
    fail "vm.exit counts" "$bad total=$total"
fi
"$HVSIM" trace show "$T/a.hvt" --events vm >"$T/show.txt" 2>&1
if [ "$(grep -c "vm.exit .*reason=HLT .*insn=0xf4 (hlt) pc=0x1001a (guest)" "$T/show.txt")" = 3 ] &&
    [ "$(grep -c "vm.exit .*reason=CR_ACCESS .*insn=0xc0220f" "$T/show.txt")" = 2 ] &&
    [ "$(grep -c "vm.exit .*reason=INVALID_GUEST vmid=none" "$T/show.txt")" = 18 ] &&
    [ "$(grep -c "vm.exit .*reason=INVALID_GUEST vmid=none .*pc=0x1[0-9a-f]\{4\} (guest)" "$T/show.txt")" = 17 ] &&
    [ "$(grep -c "vm.exit .*reason=TASK_SWITCH .*tval=0xc0000020" "$T/show.txt")" = 2 ] &&
    grep -q "vm.exit .*reason=TASK_SWITCH .*tval=0x40000028 insn=0xcf" "$T/show.txt" &&
    grep -q "vm.exit .*reason=EPT_VIOLATION .*gpa=0x2fffe tval=0x182" "$T/show.txt" &&
    grep -q "cpu1 .*vm.exit .*reason=SIPI .*tval=0x10 " "$T/show.txt" &&
    [ "$(grep -c "vm.entry" "$T/show.txt")" = 70 ]; then
    pass "trace show: the real-mode HLT at 1000:1A = linear 1001AH (3: both boots and the AP), the MOV to CR0 exits, task switches (task gate x2, IRET), the EPT violation at 2FFFEH, the SIPI exit on cpu1 (vector 10H), 18 failed entries (17 at a real-mode guest's linear pc, CS.base 10000H + IP), 70 entries"
else
    fail "trace show" "$(grep -E "HLT|CR_ACCESS" "$T/show.txt" | head -4 | tr '\n' ';')"
fi

run "$T/vmx.ini" "$T/b.out" --trace "$T/b.hvt" 2>/dev/null
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86 vmx unrestricted guest: the same run twice gives byte-identical traces"
else
    fail "x86 vmx unrestricted guest determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
run "$T/vmx.ini" "$T/i.out" --trace "$T/i.hvt" --engine interp 2>/dev/null
if cmp -s "$T/a.hvt" "$T/i.hvt" && cmp -s "$T/a.out" "$T/i.out"; then
    pass "x86 vmx unrestricted guest: --engine interp and fast give the same trace and console"
else
    fail "x86 vmx unrestricted guest engines" "$(cmp "$T/a.hvt" "$T/i.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" --serial "file:$T/serial.out" >"$T/r.txt" 2>&1; then
    pass "x86 vmx unrestricted guest: replay identical"
else
    fail "x86 vmx unrestricted guest replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
fi
run "$ROOT/configs/x86-pc.ini" "$T/off.out" 2>/dev/null
rc=$?
if [ "$rc" -eq 1 ] && grep -q "x86 vmx-ug: no VMX" "$T/off.out"; then
    pass "vmx = off: no VMX reported, the hypervisor fails (exit 1)"
else
    fail "vmx = off" "exit $rc: $(tail -1 "$T/off.out")"
fi
summary
