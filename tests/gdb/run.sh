#!/usr/bin/env bash
# gdb-multiarch sessions against the gdb stub (tests/gdb/*.gdb).
# Usage: run.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ../e2e/lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null' EXIT
if ! command -v gdb-multiarch >/dev/null; then
    fail "gdb-multiarch installed" "run scripts/deps.sh"
    summary
    exit 1
fi
MINIHV=$ROOT/build/firmware/minihv.elf
[ -n "${MINIHV_ELF:-}" ] && MINIHV=$MINIHV_ELF
# start_stub ERRFILE HVSIM-ARGS...: starts hvsim with --gdb PORT on a free
# port (tries a few: another process may hold one); sets PORT and PID.
start_stub() {
    local err=$1 try
    shift
    for try in 1 2 3 4 5; do
        PORT=$((20000 + ($$ * 7 + try * 977 + RANDOM) % 40000))
        "$HVSIM" "$@" --gdb "$PORT" --gdb-wait </dev/null >"$err.out" 2>"$err" &
        PID=$!
        for _ in $(seq 50); do grep -q "gdb stub\|cannot listen" "$err" 2>/dev/null && break; sleep 0.1; done
        grep -q "gdb stub" "$err" && return 0
        wait "$PID" 2>/dev/null
        PID=
    done
    return 1
}

start_stub "$T/hvsim.err" run --smp 4 --kernel "$MINIHV" --serial "file:$T/console" \
    --trace "$T/session.hvt"
sed "s/:PORT/:$PORT/" minihv.gdb >"$T/session.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/session.gdb" "$MINIHV" >"$T/gdb.out" 2>&1
grc=$?
wait "$PID"
rc=$?
PID=
check() { # NAME REGEX
    if grep -qE -- "$2" "$T/gdb.out"; then pass "$1"; else fail "$1" "no /$2/ in the gdb output"; fi
}
check "info threads lists 4 harts" "Thread 4"
check "breakpoint at a symbol stops there (thread 1)" "Thread 1 hit Breakpoint 1, 0x[0-9a-f]+ in hv_boot"
check "the stop is symbolised" "hv_boot \\+ [0-9]+ in section"
check "a CSR reads through the target description (mhartid)" "^\\\$1 = 0x0$"
check "privilege register reads HS (1)" "PRIV=1"
check "a CSR written from gdb reads back" "SSCRATCH=0x1234"
check "monitor phys on: x reads a physical address" "0x80200000[^:]*:[[:space:]]+0x[0-9a-f]{8}"
check "monitor trace-mark" "trace mark #0 written"
check "stepi advances the pc" "STEP pc=0x80200c5"
check "x/i disassembles" "=> 0x80200c5"
check "breakpoint in the trap handler: a guest ecall (scause 10, a VM exit)" "TRAP pc=0x802008[0-9a-f]+ scause=0xa$"
check "monitor guest 2 + breakpoint: stops in VM 2 (hart 2 or 3) in VS mode" "Thread [34] hit Breakpoint [0-9]+, 0x0*800002f4"
check "... the guest's registers: VS (priv 1, virt 1)" "GUEST pc=0x800002f4 priv=1 virt=1"
check "... x/i reads the guest instruction through both stages" "=> 0x800002f4:[[:space:]]+ecall"
check "stepi over the guest's ecall: the hypervisor handles it and the guest goes on" "GSTEP pc=0x800002f8 priv=1 virt=1"
check "stepi of a plain guest instruction stays in VS mode" "GSTEP2 pc=0x800002f[a-f]+ priv=1 virt=1"
check "thread switch shows another hart's pc" "T3 pc=0x"
check "monitor harts" "hart 3, "
check "monitor break-on vmexit 0x17: stops after a guest store fault (vUART)" "VMEXIT scause=0x17 htval=0x400000[0-9]$"
check "... at minihv's trap vector" "hv_trap_vector in section"
check "monitor guest vpid on RISC-V: refused (no VPIDs)" "^this architecture has no VPIDs"
check "monitor guest 2 answers with the guest id" "breakpoints fire only in guest 2$"
check "monitor break-on vmexit with an unknown class: usage" "usage: monitor break-on vmexit \\[REASON\\|CLASS\\]"
check "monitor break-on vmexit hypercall (an exit class)" "stopping after every vm.exit of class hypercall"
check "... stops after the next guest ecall (scause 10), in HS" "VMHCALL scause=0xa virt=0$"
check "monitor break-on vmexit ECALL-vs: a RISC-V cause by name, any case" \
    "stopping after every vm.exit with reason 0xa \\(ecall-VS\\)$"
check "... stops after the next guest ecall, in HS" "VMNAMED scause=0xa virt=0$"
check "a write watchpoint on a variable stops after the store" "Hardware watchpoint [0-9]+: \*\(int \*\)&harts_go"
check "... with the new value, after the amoswap that wrote it" "WATCH harts_go=1 pc=0x80200(31c|2a6)"
if [ "$rc" -eq 0 ] && grep -q "minihv: all VMs passed" "$T/console"; then
    pass "after the session the run finishes with exit 0"
else
    fail "after the session the run finishes with exit 0" "exit $rc, gdb exit $grc: $(tail -3 "$T/hvsim.err")"
fi
if "$HVSIM" trace show "$T/session.hvt" --events mark 2>&1 | grep -q 'mark .*"gdb was here"'; then
    pass "the mark is in the trace (trace show --events mark)"
else
    fail "the mark is in the trace"
fi
# The session changed the schedule (scheduler-locked steps, gdb's step over
# a breakpoint); the trace carries those changes (gdb.sched) and the
# breakpoints armed at each resume, so the replay matches (docs/gdb.md).
if "$HVSIM" replay "$T/session.hvt" >"$T/session.replay" 2>&1 && grep -q "replay identical" "$T/session.replay"; then
    pass "the recorded gdb session replays identically (hvsim replay)"
else
    fail "the recorded gdb session replays identically" "$(head -4 "$T/session.replay")"
fi
[ "$FAILED" -eq 0 ] || sed -n 1,80p "$T/gdb.out"

# Reverse execution: reverse-stepi over scheduler-locked steps and over a
# breakpoint stop, by re-execution from reset (docs/gdb.md).
start_stub "$T/rev.err" run --smp 4 --kernel "$MINIHV" --serial none
sed "s/:PORT/:$PORT/" reverse.gdb >"$T/reverse.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/reverse.gdb" "$MINIHV" >"$T/rev.out" 2>&1
wait "$PID"
rc=$?
PID=
r0=$(grep -oE '^R0 pc=0x[0-9a-f]+ sp=0x[0-9a-f]+' "$T/rev.out" | sed 's/^R0 //')
b0=$(grep -oE '^B0 pc=0x[0-9a-f]+ sp=0x[0-9a-f]+' "$T/rev.out" | sed 's/^B0 //')
r1=$(grep -oE '^R1 pc=0x[0-9a-f]+' "$T/rev.out" | sed 's/^R1 //')
b1=$(grep -oE '^B1 pc=0x[0-9a-f]+' "$T/rev.out" | sed 's/^B1 //')
f1=$(grep -oE '^F1 pc=0x[0-9a-f]+' "$T/rev.out" | sed 's/^F1 //')
if [ -n "$r0" ] && [ "$r0" = "$b0" ] && [ -n "$r1" ] && [ "$r1" = "$b1" ] && [ "$f1" = "$r1" ]; then
    pass "reverse-stepi twice returns to the same pc and sp; stepi forward again matches"
else
    fail "reverse-stepi" "$(grep -E '^(R|B|F)[0-9]' "$T/rev.out" | tr '\n' ' ')"
fi
t0=$(grep -oE '^T0 pc=0x[0-9a-f]+' "$T/rev.out" | sed 's/^T0 pc=//')
tb=$(grep -oE '^TB pc=0x[0-9a-f]+' "$T/rev.out" | sed 's/^TB pc=//')
if [ -n "$t0" ] && [ -n "$tb" ] && [ $((t0 - tb)) -ge 2 ] && [ $((t0 - tb)) -le 4 ] &&
    grep -qE "hv_handle_trap \+ [0-9]+ in section" "$T/rev.out"; then
    pass "reverse-stepi from a breakpoint stop goes back one instruction ($tb)"
else
    fail "reverse-stepi from a breakpoint stop" "$(grep -E '^T[0B]|symbol' "$T/rev.out" | head -3)"
fi
t1=$(grep -oE '^T1 .*' "$T/rev.out" | sed 's/^T1 //')
t2=$(grep -oE '^T2 .*' "$T/rev.out" | sed 's/^T2 //')
rcs=$(grep -oE '^RC .*' "$T/rev.out" | sed 's/^RC //')
if [ -n "$t1" ] && [ "$t1" = "$rcs" ] && [ "$t1" != "$t2" ]; then
    pass "reverse-continue returns to the previous breakpoint stop (same pc, sepc, sp, a0)"
else
    fail "reverse-continue" "T1 '$t1' T2 '$t2' RC '$rcs'"
fi
if [ "$rc" -eq 0 ]; then pass "after reverse steps the run still finishes with exit 0"; else
    fail "after reverse steps the run finishes" "exit $rc: $(tail -2 "$T/rev.err")"; fi

# monitor hwtrig on: hbreak/watch through the harts' Sdtrig triggers
# (tests/gdb/hwtrig*.gdb; docs/gdb.md "Hardware breakpoints through the
# harts' triggers").
SDTRIG_ISA=rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_sdtrig
start_stub "$T/hwt.err" run --smp 4 --isa "$SDTRIG_ISA" --kernel "$MINIHV" --serial "file:$T/hwt.console"
sed "s/:PORT/:$PORT/" hwtrig.gdb >"$T/hwtrig.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/hwtrig.gdb" "$MINIHV" >"$T/hwt.out" 2>&1
wait "$PID"
rc=$?
PID=
hcheck() { # FILE NAME REGEX
    if grep -qE -- "$3" "$1"; then pass "$2"; else fail "$2" "no /$3/ in $1: $(grep -v '^\[' "$1" | head -12 | tr '\n' '|')"; fi
}
hcheck "$T/hwt.out" "monitor hwtrig on" "hbreak/watch use the harts' Sdtrig triggers"
hcheck "$T/hwt.out" "hbreak through a trigger stops at hv_boot" "^HB pc=0x80200c52"
hcheck "$T/hwt.out" "watch through a store trigger: gdb steps over the store, new value 1" "^HW harts_go=1 pc=0x80200(31c|2a6)"
hcheck "$T/hwt.out" "hbreak in the trap handler stops twice (resume over the trigger once)" "^HT2 pc=0x802008"
hcheck "$T/hwt.out" "monitor hwtrig off" "hbreak/watch use the simulator's breakpoints"
if [ "$rc" -eq 0 ] && grep -q "minihv: all VMs passed" "$T/hwt.console"; then
    pass "hwtrig: after the session minihv finishes with exit 0"
else
    fail "hwtrig: the run finishes" "exit $rc: $(tail -2 "$T/hwt.err")"
fi
start_stub "$T/hwn.err" run --smp 4 --kernel "$MINIHV" --serial none
sed "s/:PORT/:$PORT/" hwtrig_none.gdb >"$T/hwtrig_none.gdb"
timeout 60 gdb-multiarch -batch -nx -x "$T/hwtrig_none.gdb" "$MINIHV" >"$T/hwn.out" 2>&1
wait "$PID"
PID=
hcheck "$T/hwn.out" "hwtrig without sdtrig: the hbreak cannot be inserted" "Could not insert hardware breakpoints"
printf '[cpu]\nisa = %s\ntriggers = 1\n' "$SDTRIG_ISA" >"$T/one.ini"
start_stub "$T/hw1.err" run -c "$T/one.ini" --smp 4 --kernel "$MINIHV" --serial none
sed "s/:PORT/:$PORT/" hwtrig_one.gdb >"$T/hwtrig_one.gdb"
timeout 60 gdb-multiarch -batch -nx -x "$T/hwtrig_one.gdb" "$MINIHV" >"$T/hw1.out" 2>&1
wait "$PID"
PID=
hcheck "$T/hw1.out" "hwtrig with [cpu] triggers = 1: the hbreak stops ..." "^ONE pc=0x80200c52"
hcheck "$T/hw1.out" "... and a watchpoint besides it does not fit (one trigger)" "Could not insert hardware breakpoints"

# Vector registers (tests/gdb/vector.gdb; docs/gdb.md "Vector registers"):
# tests/isa/v.S on a V hart at VLEN 128.
V_ISA=rv64imafdcvh_zicsr_zifencei_zba_zbb_zbs_sstc
VELF=$ROOT/build/isa/v.elf
start_stub "$T/vec.err" run --smp 1 --isa "$V_ISA" --bios "$VELF" --serial none
sed "s/:PORT/:$PORT/" vector.gdb >"$T/vector.gdb"
timeout 60 gdb-multiarch -batch -nx -x "$T/vector.gdb" "$VELF" >"$T/vec.out" 2>&1
wait "$PID"
rc=$?
PID=
hcheck "$T/vec.out" "vector: the vector CSRs through the description (vlenb 16, vl 4, e32 m1)" \
    "^VLENB=16 VL=4 VTYPE=0x10$"
hcheck "$T/vec.out" "... p/x \$v3.w: the guest's vadd.vv result, 32-bit elements" \
    "^\\\$[0-9]+ = \\{0xd, 0x1b, 0xfffffffa, 0x7fffffff\\}$"
hcheck "$T/vec.out" "... p/x \$v1.d: the same register as 64-bit elements" \
    "^\\\$[0-9]+ = \\{0x140000000a, 0x80000000fffffff6\\}$"
hcheck "$T/vec.out" "... p \$v2.b[4]: a byte element (7)" "^\\\$[0-9]+ = 7$"
hcheck "$T/vec.out" "... p \$v1: the whole register as the union b/h/w/d/q" \
    "^\\\$[0-9]+ = \\{b = \\{10, 0, 0, 0, 20, .*w = \\{10, 20, 4294967286, 2147483648\\}, d = .*q = \\{"
hcheck "$T/vec.out" "... info registers vector lists v0..v31" "^v31 +\\{"
hcheck "$T/vec.out" "... info registers vl" "^vl +0x4[[:space:]]+4$"
hcheck "$T/vec.out" "... a v1 element written from gdb reads back from the stub" "^V1W0=1010$"
hcheck "$T/vec.out" "... and the guest's vsub.vv/vse32.v use it (1010 - 3)" "^DST0=1007$"
hcheck "$T/vec.out" "... vtype/vl written from gdb: vl clamped to VLMAX 2 of e64,m1" "^VTYPE2=0x18 VL2=2$"
if [ "$rc" -eq 0 ]; then pass "vector: after the session v.S passes (exit 0)"; else
    fail "vector: the run finishes with exit 0" "exit $rc: $(tail -2 "$T/vec.err")"; fi

# The x86_64 target: x86-basic64.elf on the x86-pc board, 4 CPUs
# (tests/gdb/x86.gdb; docs/gdb.md "x86_64").
X86K=$ROOT/build/firmware/x86-basic64.elf
start_stub "$T/x86.err" run -c "$ROOT/configs/x86-pc.ini" --kernel "$X86K" --serial "file:$T/x86.console"
sed "s/:PORT/:$PORT/" x86.gdb >"$T/x86.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/x86.gdb" "$X86K" >"$T/x86.out" 2>&1
wait "$PID"
rc=$?
PID=
xline() { grep -E "^$1 " "$T/x86.out" | head -1 | sed "s/^$1 //"; }
entry=$(readelf -h "$X86K" | awk '/Entry point/ {print $4}')
fib=0x$(nm "$X86K" | awk '$3 == "fib" {print $1}' | sed 's/^0*//')
xcheck() { # NAME REGEX
    if grep -qE -- "$2" "$T/x86.out"; then pass "x86: $1"; else fail "x86: $1" "no /$2/ in the gdb output"; fi
}
if [ -n "$entry" ] && [ "$(xline ENTRY)" = "rip=$entry" ]; then
    pass "x86: rip at attach is the ELF entry ($entry)"
else
    fail "x86: rip at attach is the ELF entry" "ENTRY '$(xline ENTRY)', ELF entry '$entry'"
fi
xcheck "info registers rip is symbolised" "^rip +$entry +$entry <_start>"
xcheck "info threads: CPU 0 in 64-bit mode" "Thread 1 \(cpu 0, long64 CPL0\)"
xcheck "info threads: the APs wait for a SIPI (thread 4 = cpu 3)" "Thread 4 \(cpu 3, real CPL0, wait-for-SIPI\)"
xcheck "control registers, EFER, selectors, CPL, GDTR, RSP and RFLAGS: the documented ELF64 entry state" \
    "^SYS cr0=0x80010031 cr3=0x2000 cr4=0xa0 efer=0xd01 cs=0x8 ss=0x10 cpl=0 gdtr=0x1000 rsp=0x9f000 eflags=0x2$"
xcheck "x87/SSE control registers at reset (FCW 0x40, FTW 5555H (SDM vol. 3A Table 9-1), MXCSR 0x1f80)" \
    "^FPU fctrl=0x40 ftag=0x5555 mxcsr=0x1f80$"
xcheck "a breakpoint on a symbol stops there" "Thread 1 hit Breakpoint 1, $(printf '0x%016x' "$fib") in fib"
[ "$(xline FIB)" = "rip=$fib" ] && pass "x86: rip at the breakpoint is fib ($fib)" ||
    fail "x86: rip at the breakpoint" "FIB '$(xline FIB)', fib at $fib"
xcheck "memory through paging: the return address on the stack is in kmain" "^kmain \+ [0-9]+ in section .text"
next=$(grep -oE '^   0x[0-9a-f]+ <fib\+[0-9]+>' "$T/x86.out" | head -1 | awk '{print $1}')
[ -n "$next" ] && [ "$(xline STEP)" = "rip=$next" ] && pass "x86: stepi goes to the next instruction ($next)" ||
    fail "x86: stepi" "STEP '$(xline STEP)', x/2i said '$next'"
if [ "$(grep -E '^TRAP ' "$T/x86.out" | tr '\n' ' ')" = "TRAP vec=0 TRAP vec=6 TRAP vec=13 err=0 " ]; then
    pass "x86: a hardware breakpoint in the trap handler sees #DE, #UD, #GP (error 0)"
else
    fail "x86: hbreak in the trap handler" "$(grep -E '^TRAP ' "$T/x86.out" | tr '\n' ' ')"
fi
t1=$(xline T1); t2=$(xline T2); rcs=$(xline RC)
case "$t1" in *"vec=14 cr2=0x100000000000") pass "x86: #PF read with CR2 through gdb" ;;
    *) fail "x86: #PF read with CR2" "T1 '$t1'" ;; esac
case "$t2" in *"vec=14 cr2=0x100000001008") pass "x86: #PF write with CR2 through gdb" ;;
    *) fail "x86: #PF write with CR2" "T2 '$t2'" ;; esac
if [ -n "$t1" ] && [ "$rcs" = "$t1" ] && [ "$t1" != "$t2" ]; then
    pass "x86: reverse-continue returns to the previous breakpoint stop (same rip, rsp, rdi, vector, CR2)"
else
    fail "x86: reverse-continue" "T1 '$t1' T2 '$t2' RC '$rcs'"
fi
w=$(xline WATCH); rs=$(xline RSTEP); fs=$(xline FSTEP)
xcheck "a write watchpoint stops after the store with the new value" "Hardware watchpoint [0-9]+: \*\(long \*\)&sink"
wr=${w#*rip=}; rr=${rs#*rip=}
if [ "${w%% *}" = "sink=1" ] && [ "${rs%% *}" = "sink=0" ] && [ -n "$rr" ] && [ $((rr)) -lt $((wr)) ] &&
    grep -qE "^=> $rr <kmain\+[0-9]+>:.*<sink>" "$T/x86.out"; then
    pass "x86: reverse-stepi goes back over the store (rip $wr -> $rr, sink 1 -> 0)"
else
    fail "x86: reverse-stepi" "WATCH '$w' RSTEP '$rs'"
fi
[ -n "$w" ] && [ "$fs" = "$w" ] && pass "x86: stepi forward again redoes the store" ||
    fail "x86: stepi after reverse-stepi" "WATCH '$w' FSTEP '$fs'"
xcheck "an XMM register written from gdb reads back" "^XMM3 0x1122334455667788$"
xcheck "monitor harts describes every CPU" "^cpu 3, real CPL0, wait-for-SIPI, pc 0xfff0"
xcheck "another thread's registers: an AP at its reset state" "^CPU2 rip=0xfff0 cs=0xf000 cr0=0x60000010$"
xcheck "the kernel saw no failure so far" "^FAILURES 0$"
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/x86.err"; then
    pass "x86: after the session the kernel passes (exit 0 through isa-debug-exit)"
else
    fail "x86: after the session the kernel passes" "exit $rc: $(tail -2 "$T/x86.err")"
fi
[ "$FAILED" -eq 0 ] || sed -n 1,80p "$T/x86.out"

# x86 VMX non-root operation: x86-vmx.elf (vmx = on), `monitor guest`
# (tests/gdb/x86_vmx.gdb; docs/gdb.md "x86_64").
VMXK=$ROOT/build/firmware/x86-vmx.elf
sed 's/^vmx = off$/vmx = on/' "$ROOT/configs/x86-pc.ini" >"$T/vmx.ini"
start_stub "$T/xv.err" run -c "$T/vmx.ini" --smp 1 --kernel "$VMXK" --serial "file:$T/xv.console"
sed "s/:PORT/:$PORT/" x86_vmx.gdb >"$T/xv.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/xv.gdb" "$VMXK" >"$T/xv.out" 2>&1
wait "$PID"
rc=$?
PID=
vcheck() { # NAME REGEX
    if grep -qE -- "$2" "$T/xv.out"; then pass "x86 vmx: $1"; else fail "x86 vmx: $1" "no /$2/ in the gdb output"; fi
}
vmcs=$(printf '%#x' "0x$(nm "$VMXK" | awk '$3 == "vmcs_a" {print $1}')")
vcheck "monitor guest 1 (no such guest): the guest's breakpoint does not fire, a watchpoint does" \
    "^NOGUEST rip_in_guest_entry=0 exits_seen=1$"
vcheck "monitor guest VMCS: the breakpoint fires in the guest, CPL 0, the guest's CR3" \
    "^GUEST rip_is_after_ud2=1 cpl=0 cr3=0x2000$"
vcheck "info threads names the guest (its VMCS pointer; VPID off: 0)" "Thread 1 \(cpu 0, long64 CPL0, VMX guest $vmcs VPID 0\)"
vcheck "x/i reads the guest's code" "^=> 0x[0-9a-f]+ <guest_after_ud2>:[[:space:]]+movabs \\\$0x8000000000,%rax"
vcheck "stepi in the guest executes one guest instruction" "^GSTEP rax=0x8000000000$"
vcheck "stepi over a guest #PF (exception bitmap): the VM exit, the host's exit stub" "^EXIT rip_is_exit_stub=1$"
vcheck "info threads: back in VMX root operation" "Thread 1 \(cpu 0, long64 CPL0, VMX root\)"
vcheck "monitor guest any: a breakpoint in root operation fires" "^ROOT rip_is_vm_enter=1$"
vcheck "a guest-linear read through the guest's paging and EPT (GPA 3 GiB -> HPA 0)" \
    "^EPTALIAS rip_is_guest_ept=1 via_3g=0x45505431474221 direct=0x45505431474221$"
vcheck "x/i at the EPT guest's RIP" "^=> 0x[0-9a-f]+ <guest_ept>:"
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/xv.err"; then
    pass "x86 vmx: after the session the hypervisor passes (exit 0)"
else
    fail "x86 vmx: after the session the hypervisor passes" "exit $rc: $(tail -2 "$T/xv.err")"
fi
[ "$FAILED" -eq 0 ] || sed -n 1,60p "$T/xv.out"

# `monitor guest vpid N` (tests/gdb/x86_vpid.gdb; docs/gdb.md "VMX
# guests"): x86-vmx_tlb.elf, whose guests share one VMCS and differ only
# in their VPIDs (1, 2, 1, ...).
TLBK=$ROOT/build/firmware/x86-vmx_tlb.elf
start_stub "$T/vp.err" run -c "$T/vmx.ini" --smp 1 --kernel "$TLBK" --serial "file:$T/vp.console"
sed "s/:PORT/:$PORT/" x86_vpid.gdb >"$T/vp.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/vp.gdb" "$TLBK" >"$T/vp.out" 2>&1
wait "$PID"
rc=$?
PID=
pcheck() { # NAME REGEX
    if grep -qE -- "$2" "$T/vp.out"; then pass "x86 vpid: $1"; else fail "x86 vpid: $1" "no /$2/ in the gdb output"; fi
}
pcheck "monitor guest vpid 70000 is refused" "^usage: monitor guest vpid N \\(0 <= N <= 0xffff\\)$"
pcheck "monitor guest vpid 2: the breakpoint fires first in VPID 2's run of guest_read" "^VPID2 rip_is_guest_read=1$"
pcheck "info threads names the guest's VPID (2)" "Thread 1 \\(cpu 0, long64 CPL0, VMX guest 0x[0-9a-f]+ VPID 2\\)"
pcheck "monitor guest vpid 1: the next stop is a VPID 1 run" "^VPID1 rip_is_guest_read=1$"
pcheck "info threads names the guest's VPID (1)" "Thread 1 \\(cpu 0, long64 CPL0, VMX guest 0x[0-9a-f]+ VPID 1\\)"
# The kernel runs to its own end; not to a pass: it checks that stale
# translations survive exits and entries, and every stop and resume of
# the stub drops cached translations (arm_hook's flush_tlb), which the
# architecture allows at any time but those checks see.
if grep -q "isa-debug-exit: guest wrote" "$T/vp.err" && grep -q "x86 vmx-tlb: " "$T/vp.console"; then
    pass "x86 vpid: after the session the kernel runs to its end (isa-debug-exit)"
else
    fail "x86 vpid: after the session the kernel runs to its end" "exit $rc: $(tail -2 "$T/vp.err")"
fi
[ "$FAILED" -eq 0 ] || sed -n 1,60p "$T/vp.out"

# Real Linux KVM (tests/gdb/x86_kvm.gdb, issue 15 item 6): the Linux 6.1
# KVM image (build_x86_64_kvm.sh, t_x86_kvm.sh's configuration) with
# vmlinux's symbols: a breakpoint in the host's vmx_vcpu_run, `monitor
# break-on vmexit` by name, then VM 2's IPI handler in the guest. Its
# guest-linear address comes from the source the image was built from
# (init_x86_kvm.c, part of the image's cache key): CODE_GPA + the offset of
# kg_isr_ping in the guest blob (an object file's symbols), checked in the
# session against the guest's own IDT gate for vector 0x40. Like the Linux
# session above, the run records a trace (no snapshots). Skipped when the
# image cannot be built.
KSRC=$ROOT/tests/firmware/linux/init_x86_kvm.c
KBZ=$(bash "$ROOT/tests/firmware/linux/build_x86_64_kvm.sh" 2>/dev/null | tail -n1)
KVMLINUX=$(dirname "${KBZ:-/nonexistent}")/vmlinux
if [ -f "$KBZ" ] && [ -f "$KVMLINUX" ]; then
    # From the object: the handler's address, the end of vCPU 1's code
    # (the symbol after kg_vm2_cpu1), the handler's first four
    # instructions (objdump, the same AT&T text as gdb's x/i) so the test
    # follows changes to the guest code.
    ping="" pml4="" vec="" cpu1="" cpu1_end=""
    if gcc -c -O2 -o "$T/kvm_init.o" "$KSRC" 2>"$T/kvm_init.err"; then
        sym() { nm "$T/kvm_init.o" | awk -v s="$1" '$3 == s {print "0x" $1}'; }
        def() { awk -v d="$1" '$1 == "#define" && $2 == d {sub(/u$/, "", $3); print $3}' "$KSRC"; }
        code=$(def CODE_GPA) pml4=$(def PML4_GPA) vec=$(def VEC_PING)
        s0=$(sym kg_start) sp=$(sym kg_isr_ping) sc=$(sym kg_vm2_cpu1)
        if [ -n "$code" ] && [ -n "$s0" ] && [ -n "$sp" ] && [ -n "$sc" ]; then
            ping=$(printf '%#x' $((code + sp - s0)))
            cpu1=$(printf '%#x' $((code + sc - s0)))
            se=$(nm "$T/kvm_init.o" | awk '$2 ~ /^[rR]$/ {print $1}' | sort | while read -r v; do
                [ $((0x$v)) -gt $((sc)) ] && { echo "0x$v"; break; }; done)
            [ -n "$se" ] && cpu1_end=$(printf '%#x' $((code + se - s0)))
            objdump -D -j .rodata --start-address=$((sp)) --stop-address=$((sp + 64)) "$T/kvm_init.o" |
                awk -F'\t' '/^ +[0-9a-f]+:\t/ {a = $1; sub(/^ +/, "", a); sub(/:$/, "", a); print a "\t" $3}' |
                head -4 >"$T/isr.txt"
        fi
    fi
    # insn N: "OFFSET<tab>TEXT" of the handler's instruction N (1-based)
    insn() { sed -n "${1}p" "$T/isr.txt"; }
    gaddr() { printf '%#x' $((code + 0x$(insn "$1" | cut -f1) - s0)); }
    if [ -z "$ping" ] || [ -z "$pml4" ] || [ -z "$vec" ] || [ -z "$cpu1_end" ] || [ "$(wc -l <"$T/isr.txt")" -ne 4 ]; then
        fail "x86 KVM: the guest's IPI handler from $KSRC" \
            "no kg_start/kg_isr_ping/kg_vm2_cpu1 symbols, CODE_GPA/PML4_GPA/VEC_PING or disassembly: $(head -2 "$T/kvm_init.err")"
    else
        pushes=$(head -3 "$T/isr.txt" | cut -f2 | grep -c '^push ')
        sed -e 's/^vmx = off$/vmx = on/' -e 's/^vendor = HvsimVirtCPU$/vendor = GenuineIntel/' \
            -e 's/^model-number = 0x2f$/model-number = 0x5c/' "$ROOT/configs/x86-pc.ini" >"$T/kvm.ini"
        start_stub "$T/xk.err" run -c "$T/kvm.ini" --smp 4 --kernel "$KBZ" \
            --append "console=ttyS0 earlyprintk=serial" --serial "file:$T/xk.console" \
            --max-insns 3000000000 --trace "$T/xk.hvt" --events vm
        sed "s/:PORT/:$PORT/" x86_kvm.gdb >"$T/xk.gdb"
        timeout 300 gdb-multiarch -batch -nx -ex "set \$ping = $ping" -ex "set \$vec = $vec" \
            -x "$T/xk.gdb" "$KVMLINUX" </dev/null >"$T/xk.out" 2>&1
        wait "$PID"
        rc=$?
        PID=
        kcheck() { # NAME REGEX
            if grep -qE -- "$2" "$T/xk.out"; then pass "x86 KVM: $1"; else fail "x86 KVM: $1" "no /$2/ in the gdb output"; fi
        }
        kline() { # NAME LINE: that exact line is in the gdb output
            if grep -qxF -- "$2" "$T/xk.out"; then pass "x86 KVM: $1"; else fail "x86 KVM: $1" "no line '$2' in the gdb output"; fi
        }
        vrun=0x$(nm "$KVMLINUX" | awk '$3 == "vmx_vcpu_run" {print $1}' | sed 's/^0*//')
        kcheck "a breakpoint in the host kernel's vmx_vcpu_run (vmlinux symbol) stops there" \
            "^Thread [1-4] hit Breakpoint 1, 0x0*${vrun#0x} in vmx_vcpu_run \(\)$"
        kcheck "... rip is vmx_vcpu_run" "^VCPURUN rip=$vrun$"
        kcheck "... in VMX root operation" "^\* [1-4] +Thread [1-4] \(cpu [0-3], long64 CPL0, VMX root\)"
        kcheck "break-on vmexit with an unknown name: the valid names are listed" \
            "^unknown vm.exit reason or class 'bogus_reason'; REASON is a number or a name:$"
        kcheck "... classes" "^classes: other hypercall guest-page-fault .* exception$"
        kcheck "... and x86 exit-reason names" "^reasons: EXCEPTION_NMI EXTERNAL_INTERRUPT "
        kcheck "... up to VMFUNC" "^  .*VMFUNC$"
        kcheck "break-on vmexit ept_violation (any case) names reason 0x30" \
            "^stopping after every vm.exit with reason 0x30 \(EPT_VIOLATION\)$"
        kcheck "... stops at the host RIP after an EPT violation (vmx_vmexit)" "^EPTEXIT rip=0x[0-9a-f]+ at_vmx_vmexit=1$"
        kcheck "break-on vmexit IO names reason 0x1e" "^stopping after every vm.exit with reason 0x1e \(IO\)$"
        kcheck "... stops at vmx_vmexit after VM 1's port I/O" "^IOEXIT rip=0x[0-9a-f]+ at_vmx_vmexit=1$"
        kcheck "a breakpoint on the guest-linear address of VM 2's IPI handler ($ping) fires in the guest" \
            "^Thread [1-4] hit Breakpoint [0-9]+, $(printf '0x%016x' "$ping") in "
        kcheck "... rip, CS and the guest's CR3 (its PML4 at $pml4)" \
            "^PING rip=$ping is_ping=1 cs=0x8 cr3=$(printf '%#x' "$pml4")$"
        kcheck "... info threads: that CPU in VMX non-root operation (its VMCS)" \
            "^\* [1-4] +Thread [1-4] \(cpu [0-3], long64 CPL0, VMX guest 0x[0-9a-f]+ VPID [0-9]+\)"
        kline "... x/i reads the guest's code through its paging and the EPT ($(insn 1 | cut -f2))" \
            "=> $ping:	$(insn 1 | cut -f2)"
        fr=$(grep -oE '^FRAME rip=0x[0-9a-f]+ cs=0x[0-9a-f]+' "$T/xk.out" | head -1)
        frip=${fr#FRAME rip=}; frip=${frip%% *}
        if [ -n "$frip" ] && [ $((frip)) -gt $((cpu1)) ] && [ $((frip)) -lt $((cpu1_end)) ] && [ "${fr##* }" = cs=0x8 ]; then
            pass "x86 KVM: the interrupt frame on the guest stack: interrupted in vCPU 1's code ($frip)"
        else
            fail "x86 KVM: the interrupt frame" "'$fr', kg_vm2_cpu1 $cpu1 .. $cpu1_end"
        fi
        kline "the guest's IDT gate for vector $vec names the same handler" "GATE handler=$ping"
        kline "three stepi in the guest: at the 4th instruction, $pushes pushes" \
            "GSTEP rip=$(gaddr 4) pushed=$((8 * pushes))"
        kline "... then x/i shows it ($(insn 4 | cut -f2))" "=> $(gaddr 4):	$(insn 4 | cut -f2)"
        kcheck "info registers in the guest" "^rsp +0x[0-9a-f]+ +0x[0-9a-f]+$"
        kline "monitor guest VMCS (from info threads): the next IPI stops on the same vCPU" \
            "PING2 is_ping=1 same_vmcs=1"
        kcheck "... the filter was set" "^breakpoints fire only in guest [0-9]+$"
        nhit=$(grep -c "hit Breakpoint 2, " "$T/xk.out")
        if [ "$nhit" -eq 2 ] && grep -q "^\[Inferior 1 (Remote target) exited normally\]$" "$T/xk.out"; then
            pass "x86 KVM: monitor guest 1 (no such guest): the guest breakpoint stops no more, the run ends under gdb"
        else
            fail "x86 KVM: monitor guest 1" "$nhit stops at the guest breakpoint; $(tail -2 "$T/xk.out")"
        fi
        if [ "$rc" -eq 0 ] && grep -q "kvmtest: all VMs passed" "$T/xk.console" &&
            grep -q "init: PASS, powering off" "$T/xk.console"; then
            pass "x86 KVM: after the session the VMs pass (exit 0)"
        else
            fail "x86 KVM: after the session the VMs pass" "exit $rc: $(tail -2 "$T/xk.err"); $(grep kvmtest "$T/xk.console" | tail -2)"
        fi
        [ "$FAILED" -eq 0 ] || sed -n 1,100p "$T/xk.out"
    fi
else
    echo "SKIP x86 KVM gdb session: the Linux x86_64 KVM image cannot be built"
fi

# A recorded run, replayed under gdb: a breakpoint and continue leave the
# schedule untouched, so the replay still matches the recording.
"$HVSIM" run --smp 4 --kernel "$MINIHV" --serial none --trace "$T/mh.hvt" </dev/null 2>/dev/null
start_stub "$T/replay.err" replay "$T/mh.hvt"
sed "s/:PORT/:$PORT/" replay.gdb >"$T/replay.gdb"
timeout 120 gdb-multiarch -batch -nx -x "$T/replay.gdb" "$MINIHV" >"$T/rgdb.out" 2>&1
wait "$PID"
rc=$?
PID=
if grep -q "RTRAP pc=0x802008[0-9a-f]* scause=0xa" "$T/rgdb.out" && [ "$rc" -eq 0 ] &&
    grep -q "replay identical" "$T/replay.err.out"; then
    pass "replay --gdb: stops at a breakpoint, then the replay is identical"
else
    fail "replay --gdb" "exit $rc: $(tail -3 "$T/replay.err.out" "$T/replay.err" "$T/rgdb.out")"
fi

# Bad input on the wire: junk, bad checksums, an oversized packet, binary
# garbage and a second client; the stub answers and the machine survives.
start_stub "$T/bad.err" run --smp 2 --kernel "$MINIHV" --serial none
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
{
    printf 'garbage%%%%\x01\x02'
    printf '$g#00'                                  # bad checksum -> '-'
    printf '$%s#00' "$(head -c 20000 /dev/zero | tr '\0' 'A')"   # oversized -> '-'
    head -c 2000 /dev/urandom | tr -d '$#'
    printf '$qC#b4'                                 # a good packet after all that
} >&3
exec 4<>"/dev/tcp/127.0.0.1/$PORT"                 # a second client: refused
timeout 2 cat <&4 >"$T/second.txt"
second=$(cat "$T/second.txt")
exec 4<&-
timeout 3 cat <&3 >"$T/reply.txt"
reply=$(tr -d '\0' <"$T/reply.txt")
if echo "$reply" | grep -q -- "-" && echo "$reply" | grep -q 'QC1'; then
    pass "junk, bad checksums and an oversized packet: NAKs, then a good packet is answered"
else
    fail "bad input on the wire" "reply: ${reply:0:200}"
fi
if [ "$second" = '$E01#a6' ]; then pass "a second client is refused"; else
    fail "a second client is refused" "got '$second'"; fi
printf '$k#6b' >&3                                   # kill
exec 3<&-
wait "$PID"
rc=$?
PID=
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then pass "the simulator survives and exits cleanly (exit $rc)"; else
    fail "the simulator survives" "exit $rc: $(tail -3 "$T/bad.err")"; fi
# A client that disconnects in the middle of a packet: the machine goes on
# and finishes by itself.
start_stub "$T/dis.err" run --smp 4 --kernel "$MINIHV" --serial "file:$T/dis.console"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf '$qSupported:multipro' >&3
exec 3<&-
wait "$PID"
rc=$?
PID=
if [ "$rc" -eq 0 ] && grep -q "minihv: all VMs passed" "$T/dis.console"; then
    pass "a client gone mid-packet: the run goes on to exit 0"
else
    fail "a client gone mid-packet" "exit $rc: $(tail -2 "$T/dis.err")"
fi

# The G packet (gdb itself prefers P): read all registers with g, write them
# back with x1 changed, read again; a G cut mid-register changes nothing.
# pkt DATA: DATA framed as an RSP packet with its checksum.
pkt() {
    local d=$1 s=0 i c
    for ((i = 0; i < ${#d}; i++)); do printf -v c '%d' "'${d:i:1}"; s=$(((s + c) % 256)); done
    printf '$%s#%02x' "$d" "$s"
}
# ask DATA: send a packet on fd 3, print the reply's payload.
ask() {
    local r cs
    pkt "$1" >&3
    IFS= read -r -t 10 -d '#' r <&3 || return 1
    read -r -t 10 -n 2 cs <&3
    printf '%s\n' "${r#*\$}"
}
start_stub "$T/G.err" run --smp 1 --kernel "$MINIHV" --serial none
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
ask QStartNoAckMode >/dev/null
g1=$(ask g)
x1=1122334455667788
g2=${g1:0:16}$x1${g1:32}
gok=$(ask "G$g2")
g3=$(ask g)
gbad=$(ask "G${g1:0:32}99999999")      # x0, the old x1, then x2 cut in half
g4=$(ask g)
ask k >/dev/null
exec 3<&-
wait "$PID"
PID=
if [ "${#g1}" -ge 512 ] && [ "$gok" = OK ] && [ "$g3" = "$g2" ] && [ "$g3" != "$g1" ]; then
    pass "G writes all registers; g reads x1 back (${#g1} hex digits)"
else
    fail "G packet" "g '${g1:0:40}' G '$gok' g '${g3:0:40}'"
fi
if [ "$gbad" = E01 ] && [ "$g4" = "$g3" ]; then pass "a G cut mid-register: E01, no register changed"; else
    fail "a malformed G" "reply '$gbad', g after '${g4:0:40}'"; fi

# detach: gdb lets go and the run finishes.
printf 'set pagination off\nset architecture riscv:rv64\ntarget remote :PORT\nbreak hv_boot\ncontinue\ndetach\n' >"$T/detach.gdb"
start_stub "$T/det.err" run --smp 4 --kernel "$MINIHV" --serial "file:$T/det.console"
sed -i "s/:PORT/:$PORT/" "$T/detach.gdb"
timeout 60 gdb-multiarch -batch -nx -x "$T/detach.gdb" "$MINIHV" >"$T/det.out" 2>&1
wait "$PID"
rc=$?
PID=
if [ "$rc" -eq 0 ] && grep -q "Detaching\|detached" "$T/det.out" && grep -q "minihv: all VMs passed" "$T/det.console"; then
    pass "detach at a breakpoint: the run finishes with exit 0"
else
    fail "detach" "exit $rc: $(tail -2 "$T/det.out")"
fi
# gdb holds CPUs (tests/gdb/hold.gdb, docs/gdb.md "Holding CPUs"): with
# scheduler-locking on, continue resumes only the selected CPU; cpu1 parked
# while cpu0 runs 70 ms of virtual time ahead forces the start-up race of
# tests/firmware/race/startup_race.S by hand.
SR=$T/startup_race.elf
if riscv64-unknown-elf-gcc -g -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static \
    -mcmodel=medany -T "$ROOT/tests/isa/link.ld" -o "$SR" "$ROOT/tests/firmware/race/startup_race.S" 2>"$T/sr.err"; then
    start_stub "$T/hold.err" run --smp 2 --bios "$SR" --serial "file:$T/hold.console" --trace "$T/hold.hvt"
    sed "s/:PORT/:$PORT/" hold.gdb >"$T/hold.gdb"
    timeout 60 gdb-multiarch -batch -nx -x "$T/hold.gdb" "$SR" >"$T/hold.out" 2>&1
    wait "$PID"
    rc=$?
    PID=
    work=$(printf '%#x' 0x$(nm "$SR" | awk '$3 == "secondary_work" {print $1}'))
    sent=$(printf '%#x' 0x$(nm "$SR" | awk '$3 == "ipi_sent" {print $1}'))
    hcheck() { # NAME REGEX
        if grep -qE -- "$2" "$T/hold.out"; then pass "hold: $1"; else fail "hold: $1" "no /$2/ in the gdb output"; fi
    }
    hcheck "continue on thread 2 alone reaches secondary_work" "^PARK pc=$work$"
    hcheck "then continue on thread 1 alone reaches ipi_sent, 70 ms of virtual time later" \
        "^SENT pc=$sent$"
    hcheck "... virtual time moved on 70 ms" "^virtual time 700[0-9]{5} ticks"
    hcheck "... while hart 1 stayed parked at secondary_work" "^hart 1, M-mode, pc $work, "
    hcheck "... thread 2's pc is unchanged" "^HELD pc=$work "
    if [ "$rc" -eq 0 ] && grep -q "BUG: IPI before cpu1 was ready" "$T/hold.console" &&
        grep -q "cpu1 did not come online" "$T/hold.console"; then
        pass "hold: released, cpu1 takes the early IPI: the race forced by hand (BUG, cpu1 lost)"
    else
        fail "hold: the race forced by hand" "exit $rc: $(cat "$T/hold.console" 2>/dev/null | head -3)"
    fi
    # the holds are in the recorded trace (gdb.sched): thread 1 held while
    # thread 2 ran to secondary_work, then thread 2 held (docs/gdb.md)
    holds=$("$HVSIM" trace show "$T/hold.hvt" --events gdb 2>&1 | awk '$4 == "gdb.sched" && $7 != "a=0x0" {print $7}' | tr '\n' ' ')
    [ "$holds" = "a=0x1 a=0x2 " ] && pass "hold: the trace records both held continues (gdb.sched held=0x1, 0x2)" ||
        fail "hold: gdb.sched records" "held masks '$holds'"
    if "$HVSIM" replay "$T/hold.hvt" >"$T/hold.replay" 2>&1 && grep -q "replay identical" "$T/hold.replay"; then
        pass "hold: the held session replays identically (the race included)"
    else
        fail "hold: the held session replays identically" "$(head -4 "$T/hold.replay")"
    fi
    [ "$FAILED" -eq 0 ] || sed -n 1,60p "$T/hold.out"
    # gdb non-stop mode (tests/gdb/nonstop.py, docs/gdb.md "Non-stop mode"):
    # the same race forced with CPUs stopping and resuming independently.
    start_stub "$T/ns.err" run --smp 2 --bios "$SR" --serial "file:$T/ns.console" --trace "$T/ns.hvt"
    timeout 120 python3 nonstop.py "$PORT" "$SR" "$T/ns.out" >/dev/null 2>&1
    wait "$PID"
    rc=$?
    PID=
    ns() { grep -v '^>>>' "$T/ns.out" | sed -n "s/^\((gdb) \)*$1 //p" | head -1; }
    ncheck() { # NAME REGEX
        if grep -qE -- "$2" "$T/ns.out"; then pass "non-stop: $1"; else fail "non-stop: $1" "no /$2/ in the gdb output"; fi
    }
    ncheck "attach: thread 1 reported stopped by '?', thread 2 by a %Stop notification" "^Thread 2 stopped\."
    ncheck "continue on thread 2 (thread 1 stopped): the breakpoint stops thread 2" "^Thread 2 hit Breakpoint 1, secondary_work"
    [ "$(ns PARK)" = "pc=$work" ] && pass "non-stop: thread 2 parked at secondary_work" ||
        fail "non-stop: thread 2 parked" "PARK '$(ns PARK)', secondary_work $work"
    ncheck "continue on thread 1 (thread 2 parked): reaches ipi_sent" "^Thread 1 hit Breakpoint 2, ipi_sent"
    [ "$(ns SENT)" = "pc=$sent" ] && pass "non-stop: thread 1 at ipi_sent ($sent)" ||
        fail "non-stop: thread 1 at ipi_sent" "SENT '$(ns SENT)'"
    ncheck "... 70 ms of virtual time later" "^virtual time 700[0-9]{5} ticks"
    [ "$(ns HELD)" = "pc=$work mip=0" ] && pass "non-stop: thread 2 still at secondary_work, the IPI queued for it" ||
        fail "non-stop: thread 2 held" "HELD '$(ns HELD)'"
    ncheck "thread 2 continued in the background: info threads shows it running, thread 1 stopped" \
        "^\* 2 +Thread 2 .*\(running\)"
    step1=$(ns STEP1)
    if [ -n "$step1" ] && [ $((${step1#pc=} - sent)) -eq 4 ]; then
        pass "non-stop: stepi on thread 1 while thread 2 runs: one instruction ($step1)"
    else
        fail "non-stop: stepi on thread 1 while thread 2 runs" "STEP1 '$step1', ipi_sent $sent"
    fi
    if [ "$(grep -A3 '^>>> interrupt' "$T/ns.out" | grep -c '^Thread 2 stopped')" -eq 1 ] &&
        [ "$(ns STOPPED2)" != "" ]; then
        pass "non-stop: interrupt (vCont;t) stops thread 2: a T00 notification ($(ns STOPPED2))"
    else
        fail "non-stop: interrupt stops thread 2" "$(grep -A3 '^>>> interrupt' "$T/ns.out")"
    fi
    if grep -A6 "^>>> info threads" "$T/ns.out" | tail -7 | grep -q running; then
        fail "non-stop: after the interrupt no thread runs" "$(grep -A6 '^>>> info threads' "$T/ns.out" | tail -7)"
    else
        pass "non-stop: after the interrupt no thread runs"
    fi
    if [ "$rc" -eq 0 ] && grep -q "BUG: IPI before cpu1 was ready" "$T/ns.console" &&
        grep -q "cpu1 did not come online" "$T/ns.console"; then
        pass "non-stop: detached, the run ends: the race forced by hand (BUG, cpu1 lost)"
    else
        fail "non-stop: the race forced by hand" "exit $rc: $(head -3 "$T/ns.console" 2>/dev/null)"
    fi
    # the session's holds changed at breakpoint stops and at round starts
    # where gdb's packets paused the machine: both are in the trace
    if "$HVSIM" replay "$T/ns.hvt" >"$T/ns.replay" 2>&1 && grep -q "replay identical" "$T/ns.replay"; then
        pass "non-stop: the recorded session replays identically (hvsim replay)"
    else
        fail "non-stop: the recorded session replays" "$(head -4 "$T/ns.replay")"
    fi
    [ "$FAILED" -eq 0 ] || sed -n 1,120p "$T/ns.out"
else
    fail "build startup_race.S" "$(head -3 "$T/sr.err")"
fi
# Linux 6.1 x86_64 on 4 CPUs with vmlinux's symbols (tests/gdb/x86_linux.gdb,
# issue 11 item 8). The run records a trace: reverse execution is off then,
# so the stub takes no snapshots (an x86-pc snapshot rebuilds the machine
# and copies the RAM Linux touched, every 5M instructions: minutes to the
# first reschedule IPI). Skipped when the image cannot be built.
LBZ=$(bash "$ROOT/tests/firmware/linux/build.sh" x86_64 2>/dev/null | tail -n1)
LVMLINUX=$(dirname "${LBZ:-/nonexistent}")/vmlinux
if [ -f "$LBZ" ] && [ -f "$LVMLINUX" ]; then
    start_stub "$T/xl.err" run --machine x86-pc --smp 4 --kernel "$LBZ" \
        --append "console=ttyS0 earlyprintk=serial" --serial "file:$T/xl.console" \
        --max-insns 4000000000 --trace "$T/xl.hvt" --events ipi
    sed "s/:PORT/:$PORT/" x86_linux.gdb >"$T/xl.gdb"
    timeout 300 gdb-multiarch -batch -nx -x "$T/xl.gdb" "$LVMLINUX" </dev/null >"$T/xl.out" 2>&1
    wait "$PID"
    rc=$?
    PID=
    lcheck() { # NAME REGEX
        if grep -qE -- "$2" "$T/xl.out"; then pass "x86 Linux: $1"; else fail "x86 Linux: $1" "no /$2/ in the gdb output"; fi
    }
    resched=0x$(nm "$LVMLINUX" | awk '$3 == "native_smp_send_reschedule" {print $1}' | sed 's/^0*//')
    lcheck "a thread-specific breakpoint in native_smp_send_reschedule stops CPU 2 (thread 3; reschedule IPI to CPU 0)" \
        "^RESCHED thread=3 rip=$resched target=0$"
    lcheck "... symbolised from vmlinux" "^native_smp_send_reschedule in section .text"
    # scheduler-locking on: four stepi and a continue on thread 3 only; the
    # other CPUs' pc and instruction counts do not move (CPUs 0 and 3 were
    # running, not halted, when the breakpoint hit).
    before=$(sed -n '/^BEFORE$/,/^STEPPED/p' "$T/xl.out" | grep -E '^OTHER[124] ' | tr '\n' ' ')
    after=$(sed -n '/^AFTER$/,/^BREAKIPI/p' "$T/xl.out" | grep -E '^OTHER[124] ' | tr '\n' ' ')
    if [ -n "$before" ] && [ "$before" = "$after" ] && [ "$(echo "$before" | wc -w)" -eq 6 ]; then
        pass "x86 Linux: scheduler-locked steps of CPU 2 leave the other CPUs' rip where it was ($before)"
    else
        fail "x86 Linux: the other CPUs stay stopped" "before '$before' after '$after'"
    fi
    hb=$(sed -n '/^BEFORE$/,/^STEPPED/p' "$T/xl.out" | grep -E '^cpu [013], ' | tr '\n' ' ')
    ha=$(sed -n '/^AFTER$/,/^BREAKIPI/p' "$T/xl.out" | grep -E '^cpu [013], ' | tr '\n' ' ')
    c2b=$(sed -n '/^BEFORE$/,/^STEPPED/p' "$T/xl.out" | grep -E '^cpu 2, ' | grep -oE '[0-9]+ instructions' | cut -d' ' -f1)
    c2a=$(sed -n '/^AFTER$/,/^BREAKIPI/p' "$T/xl.out" | grep -E '^cpu 2, ' | grep -oE '[0-9]+ instructions' | cut -d' ' -f1)
    if [ -n "$hb" ] && [ "$hb" = "$ha" ] && [ "$(echo "$hb" | grep -o 'halted' | wc -l)" -le 1 ] &&
        [ -n "$c2b" ] && [ -n "$c2a" ] && [ "$c2a" -gt "$c2b" ]; then
        pass "x86 Linux: monitor harts: CPU 2 went on $((c2a - c2b)) instructions, CPUs 0, 1, 3 kept pc and count"
    else
        fail "x86 Linux: monitor harts before/after the locked steps" "'$hb' / '$ha', cpu2 $c2b -> $c2a"
    fi
    steps=$(grep -cE '^0x[0-9a-f]+ in native_smp_send_reschedule \(\)$' "$T/xl.out")
    [ "$steps" -eq 4 ] && pass "x86 Linux: four stepi inside native_smp_send_reschedule" ||
        fail "x86 Linux: stepi" "$steps step stops in native_smp_send_reschedule"
    lcheck "... then continue (locked) reaches the APIC send path on CPU 2" \
        "^Thread 3 hit Breakpoint 2, 0x[0-9a-f]+ in __default_send_IPI_dest_field \(\)$"
    lcheck "monitor break-on ipi on x86" "^stopping after every ipi.send$"
    lcheck "... stops CPU 2 right after its ICR write, in the APIC send path" "^BREAKIPI thread=3 "
    lcheck "... symbolised" "^__default_send_IPI_dest_field \+ [0-9]+ in section .text"
    lcheck "monitor break-on ipi 1: stops after an IPI to CPU 1" "^stopping after every ipi.send to hart 1$"
    lcheck "... sent by some CPU from the APIC send path" "^BREAKIPI1 thread=[1-4] rip=0x[0-9a-f]+$"
    if [ "$rc" -eq 0 ] && grep -q "init: PASS, powering off" "$T/xl.console"; then
        pass "x86 Linux: after the session /init passes on 4 CPUs (exit 0)"
    else
        fail "x86 Linux: after the session /init passes" "exit $rc: $(tail -2 "$T/xl.err")"
    fi
    if "$HVSIM" trace show "$T/xl.hvt" --events ipi 2>&1 | grep -qE " cpu0 +ipi\.deliver .*line=int.* src=2"; then
        pass "x86 Linux: the session's trace holds CPU 2's IPIs to CPU 0"
    else
        fail "x86 Linux: the session's trace holds CPU 2's IPIs to CPU 0"
    fi
    [ "$FAILED" -eq 0 ] || sed -n 1,80p "$T/xl.out"
else
    echo "SKIP x86 Linux gdb session: the Linux x86_64 image cannot be built"
fi
summary
