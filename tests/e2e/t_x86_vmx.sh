#!/usr/bin/env bash
# Intel VMX (docs/vmx.md): our own test hypervisor tests/firmware/x86/vmx.c
# on the x86-pc board with [cpu] vmx = on. It checks VMX operation and
# every VMfail error number itself, failed VM entries (controls, host
# state, guest state, MSR loading), and the exits a 64-bit guest causes
# (reason, qualification, length, interruption information), interrupt
# window, external interrupts with and without acknowledge, NMI, INIT, CR3 /
# MOV-DR / INVLPG exiting, the preemption timer (also in a halted guest),
# a triple fault, INS/OUTS, CR8 and CLTS exits, event injection and the
# MSR-load/store areas, EPT violations and a misconfiguration, INVEPT/INVVPID,
# IDT-vectoring information (EPT violations and #PF exits during event
# delivery, #DF), NMI unblocking by IRET, virtual NMIs and the NMI window,
# MTF, PAUSE and PAUSE-loop exiting, RDTSCP, INVD, WBINVD, descriptor-table
# exits, INVPCID, task switches in a 32-bit guest, VMRESUME error 26 and the
# saved STI / MOV-SS blocking, the activity states shutdown and wait-for-SIPI. Here: the outcome, the vm.exit counts by
# reason in `trace stats`, the same run twice byte for byte, replay, the
# kernel with vmx = off (no VMX reported: its first checks fail, VMX
# instructions are #UD) and a bad [cpu] vmx value (exit 2 naming it).
# Usage: t_x86_vmx.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-vmx.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
run() { "$HVSIM" run -c "$1" --smp 1 --kernel "$K" --serial "file:$2" --max-insns 50000000 "${@:3}" </dev/null; }

run "$T/vmx.ini" "$T/a.out" --trace "$T/a.hvt" 2>"$T/a.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.err" &&
    grep -q "x86 vmx: all checks passed" "$T/a.out"; then
    pass "x86 vmx hypervisor: $(grep -o "all checks passed.*" "$T/a.out")"
else
    fail "x86 vmx hypervisor" "exit $rc: $(tail -1 "$T/a.err"); $(grep -E "FAIL|unexpected" "$T/a.out" | head -5 | tr '\n' ';')"
fi

# vm.exit per reason (trace stats: "vmid vcpu count NAME (0xN)")
"$HVSIM" trace stats "$T/a.hvt" >"$T/stats.txt" 2>&1
want="EXCEPTION_NMI=11 IO=3 CPUID=3 HLT=1 RDTSC=1 RDPMC=1 VMCALL=16 VMXOFF=1 VMREAD=1 CR_ACCESS=6 DR_ACCESS=1 INVLPG=1 TRIPLE_FAULT=1 RDMSR=1 WRMSR=1 PREEMPTION_TIMER=6 INTERRUPT_WINDOW=1 EXTERNAL_INTERRUPT=3 INIT=2 INVALID_GUEST=8 MSR_LOADING=1 EPT_VIOLATION=11 EPT_MISCONFIG=1 INVEPT=1 INVVPID=1 NMI_WINDOW=3 MTF=4 PAUSE=2 RDTSCP=1 INVD=2 WBINVD=1 GDTR_IDTR=2 LDTR_TR=3 INVPCID=1 TASK_SWITCH=2"
bad=$(vm_exit_mismatch "$T/stats.txt" "$want")
# failed entries ran no guest: vmid "-"
total=$(awk '($1 ~ /^[0-9]+$/ || $1 == "-") && $2 ~ /^[0-9]+$/ && $4 ~ /^[A-Z_]+$/ { n += $3 } END { print n + 0 }' "$T/stats.txt")
if [ -z "$bad" ] && [ "$total" = 105 ] && grep -Eq "^ +- +0 +8 +INVALID_GUEST \(0x80000021\)" "$T/stats.txt" &&
    grep -Eq "^ +- +0 +1 +MSR_LOADING \(0x80000022\)" "$T/stats.txt"; then
    pass "trace stats: vm.exit by reason ($want; failed entries 0x80000021, 0x80000022 with vmid -)"
else
    fail "vm.exit counts" "$bad total=$total"
fi
"$HVSIM" trace show "$T/a.hvt" --events vm >"$T/show.txt" 2>&1
nentry=$(grep -c "vm.entry" "$T/show.txt")
if grep -q "vm.exit .*reason=CPUID .* insn=0xa20f (cpuid)" "$T/show.txt" &&
    ! grep -q "htinst" "$T/show.txt" &&
    grep -q "vm.exit .*reason=INVALID_GUEST vmid=none " "$T/show.txt" &&
    grep -q "vm.exit .*reason=PAUSE .*(pause)" "$T/show.txt" &&
    grep -q "vm.exit .*reason=EPT_VIOLATION .*tval=0x1181 " "$T/show.txt" &&
    grep -q "vm.exit .*reason=IO .*tval=0x3f80000 .*(out dx, al)" "$T/show.txt" &&
    grep -q "vm.exit .*reason=CR_ACCESS .*tval=0x304 .*(mov cr4, rbx)" "$T/show.txt" &&
    grep -q "vm.exit .*reason=EPT_VIOLATION .*tval=0x1aa" "$T/show.txt" &&
    grep -q "vm.exit .*reason=EPT_MISCONFIG .*gpa=0x[0-9a-f]*018 " "$T/show.txt" &&
    grep -q "vm.exit .*reason=EPT_VIOLATION .*gpa=0x4000 tval=0x81 " "$T/show.txt"; then
    pass "trace show: exit reasons by name, qualification, the exiting instruction's bytes (insn=) disassembled, failed entries vmid=none (EPT violations with qualification and guest-physical address, NMI unblocking by IRET, misconfiguration)"
else
    fail "trace show of vm.exit" "$(grep -m2 "vm.exit" "$T/show.txt" | tr '\n' ';')"
fi
if [ "$nentry" = 96 ]; then
    pass "96 vm.entry events (one per guest run)"
else
    fail "vm.entry events" "$nentry"
fi

# The events the entries inject (docs/trace-format.md "Optional
# arguments"): tests/firmware/x86/vmx.c's accepted vectoring entries, by
# type: #GP(18H) twice (delivered; the second's delivery meets an EPT
# violation), INT 20H length 2 twice (delivered; under MTF), external
# interrupt 30H, #BP (software exception) and #DB (privileged software
# exception) of length 1, one virtual NMI; the entries its checks refuse
# (an NMI under virtual-NMI blocking, a #GP into HLT / shutdown, ...)
# have no vm.entry, and the MTF "other event" (type 7) injects nothing.
inj=$(grep -o " inject .* pc=" "$T/show.txt" | sort | uniq -c | awk '{ $1 = $1; print }' | tr '\n' ';')
want_inj="1 inject EXT_INT vector=0x30 pc=;2 inject HW_EXC #GP(0x18) pc=;1 inject NMI pc=;1 inject PRIV_SW_EXC #DB len=1 pc=;1 inject SW_EXC #BP len=1 pc=;2 inject SW_INT int 0x20 len=2 pc=;"
nvp=$(grep -c "vm\.\(exit\|entry\) .* vpid=[0-9]" "$T/show.txt")
nvm=$(grep -c "vm\.\(exit\|entry\) " "$T/show.txt")
sinj=$(grep -c "^  vmid=[0-9]* vcpu=0 count=[0-9]* inject=" "$T/stats.txt")
if [ "$inj" = "$want_inj" ] && [ "$nvp" = "$nvm" ] && [ "$sinj" = 6 ]; then
    pass "trace show: the 9 injected events by type (EXT_INT, HW_EXC #GP(0x18), NMI, PRIV_SW_EXC #DB, SW_EXC #BP, SW_INT int 0x20 len=2), every vm record with its vpid; trace stats: 6 injection rows"
else
    fail "injections on the timeline" "got '$inj' (want '$want_inj'), vpid on $nvp of $nvm, stats rows $sinj"
fi

run "$T/vmx.ini" "$T/a.out" --trace "$T/b.hvt" 2>/dev/null
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86 vmx: the same run twice gives byte-identical traces"
else
    fail "x86 vmx determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" --serial "file:$T/r.out" >"$T/r.txt" 2>&1; then
    pass "x86 vmx: replay identical"
else
    fail "x86 vmx replay" "$(tail -2 "$T/r.txt" | tr '\n' ';')"
fi

# vmx = off (the default): CPUID.1:ECX.VMX = 0, the hypervisor fails
run "$ROOT/configs/x86-pc.ini" "$T/off.out" 2>"$T/off.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "FAIL: CPUID.1:ECX.VMX" "$T/off.out"; then
    pass "vmx = off: no VMX reported, the hypervisor fails (exit 1)"
else
    fail "vmx = off" "exit $rc: $(head -3 "$T/off.out" | tr '\n' ';')"
fi
sed 's/^vmx = off$/vmx = maybe/' "$ROOT/configs/x86-pc.ini" >"$T/bad.ini"
run "$T/bad.ini" "$T/bad.out" 2>"$T/bad.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "vmx" "$T/bad.err"; then
    pass "[cpu] vmx = maybe: exit 2 ($(head -1 "$T/bad.err"))"
else
    fail "bad [cpu] vmx" "exit $rc: $(head -1 "$T/bad.err")"
fi
summary
