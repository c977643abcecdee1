#!/usr/bin/env bash
# The tools on an x86_64 trace (docs/x86.md "Tools"): trace show names
# vectors and CPLs and disassembles in Intel or AT&T syntax (--syntax; a
# riscv64 trace refuses it), trace stats and trace export name the CPUs as
# the registry says ("cpu N"), and hvsim replay diagnoses a divergence with
# x86 register names (a register changed from gdb during the replay).
# Usage: t_x86_tools.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null' EXIT
cd "$ROOT" || exit 2 # the trace header names the kernel by this relative path
K=build/firmware/x86-basic64.elf
CFG=configs/x86-pc.ini

"$HVSIM" run -c "$CFG" --kernel "$K" --serial none --events all --check-interval 10000 \
    --trace "$T/x.hvt" </dev/null 2>"$T/rec.err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$T/x.hvt" ]; then pass "recorded an x86 run (exit 0)"; else
    fail "recorded an x86 run" "exit $rc: $(tail -1 "$T/rec.err")"; fi

# ---- trace show ----
"$HVSIM" trace show "$T/x.hvt" --events exc >"$T/intel.txt" 2>&1
"$HVSIM" trace show "$T/x.hvt" --events exc --syntax intel >"$T/intel2.txt" 2>&1
"$HVSIM" trace show "$T/x.hvt" --events exc --syntax att >"$T/att.txt" 2>&1
rc=$?
expect_line "$T/intel.txt" "# machine x86-pc, arch x86_64, 4 cpus," "show: the header says cpus"
expect_line "$T/intel.txt" "cause=#GP CPL0->CPL0 tval=0x0 pc=0x" "show: #GP with its CPLs"
expect_line "$T/intel.txt" ": mov rax, qword ptr [rcx]" "show: Intel syntax by default"
expect_line "$T/intel.txt" "cause=#PF CPL0->CPL0 tval=0x100000001008" "show: #PF with CR2 as tval"
expect_line "$T/intel.txt" ": mov qword ptr [rcx], 1" "show: the faulting store, Intel syntax"
expect_line "$T/intel.txt" "cause=#UD" "show: #UD named"
if [ "$(grep -c ' exc.take ' "$T/intel.txt")" -eq 6 ]; then pass "show: 6 exceptions (#DE #UD #GP #PF #PF #GP)"; else
    fail "show: exception count" "$(grep -c ' exc.take ' "$T/intel.txt")"; fi
if cmp -s "$T/intel.txt" "$T/intel2.txt"; then pass "show --syntax intel is the default"; else
    fail "show --syntax intel" "$(diff "$T/intel.txt" "$T/intel2.txt" | head -3)"; fi
if [ "$rc" -eq 0 ] && grep -qF ": movq (%rcx), %rax" "$T/att.txt" && grep -qF ": divl %ecx" "$T/att.txt" &&
    grep -qF ": movq \$1, (%rcx)" "$T/att.txt"; then
    pass "show --syntax att: AT&T syntax"
else
    fail "show --syntax att" "exit $rc: $(grep exc.take "$T/att.txt" | head -2)"
fi
"$HVSIM" trace show "$T/x.hvt" --syntax masm >"$T/bad.txt" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "\-\-syntax: unknown syntax 'masm' for x86_64" "$T/bad.txt"; then
    pass "show --syntax masm: exit 2 naming the option"
else
    fail "show --syntax masm" "exit $rc: $(cat "$T/bad.txt")"
fi
"$HVSIM" trace show "$ROOT/traces/minihv-4hart.hvt" --syntax att >"$T/rv.txt" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "\-\-syntax att: riscv64 has one assembly syntax" "$T/rv.txt"; then
    pass "show --syntax on a riscv64 trace: refused clearly (exit 2)"
else
    fail "show --syntax on a riscv64 trace" "exit $rc: $(head -2 "$T/rv.txt")"
fi

# ---- trace stats ----
"$HVSIM" trace stats "$T/x.hvt" >"$T/stats.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -qE "^exc\.take +6 +6 +0$" "$T/stats.txt" &&
    grep -qE "^kind +total +cpu0 " "$T/stats.txt" && grep -qE "^mmio +[0-9]+ +[0-9]+ " "$T/stats.txt"; then
    pass "stats: events per kind and CPU of an x86 trace"
else
    fail "stats" "exit $rc: $(head -8 "$T/stats.txt")"
fi

# ---- trace export ----
"$HVSIM" trace export "$T/x.hvt" --format chrome -o "$T/x.json" 2>"$T/exp.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -qF '"args":{"name":"cpu 3"}' "$T/x.json" &&
    [ "$(grep -cF '"name":"CPL0: exc #PF"' "$T/x.json")" -eq 2 ] && grep -qF '"name":"CPL0: exc #DE"' "$T/x.json"; then
    pass "export chrome: tracks 'cpu N', slices named by vector"
else
    fail "export chrome" "exit $rc: $(head -c 400 "$T/x.json") $(cat "$T/exp.err")"
fi
"$HVSIM" trace export "$T/x.hvt" --format vcd -o "$T/x.vcd" 2>"$T/exp.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -qF '$comment machine x86-pc, 4 cpus,' "$T/x.vcd" &&
    grep -qE '^\$var wire 1 . cpu0_in_trap \$end$' "$T/x.vcd" && grep -qE '^\$var wire 2 . cpu3_priv \[1:0\] \$end$' "$T/x.vcd"; then
    pass "export vcd: wires per cpu"
else
    fail "export vcd" "exit $rc: $(head -8 "$T/x.vcd") $(cat "$T/exp.err")"
fi
"$HVSIM" trace export "$T/x.hvt" --format perfetto -o "$T/x.pb" 2>"$T/exp.err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(strings "$T/x.pb" | grep -c 'cpu 2')" -ge 1 ] &&
    [ "$(strings "$T/x.pb" | grep -c 'CPL0: exc #GP')" -eq 2 ]; then
    pass "export perfetto: cpu tracks, #GP slices"
else
    fail "export perfetto" "exit $rc: $(strings "$T/x.pb" | head -5) $(cat "$T/exp.err")"
fi

# ---- replay ----
"$HVSIM" replay "$T/x.hvt" >"$T/rep.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "replay identical" "$T/rep.txt"; then pass "replay of the x86 run is identical"; else
    fail "replay of the x86 run" "exit $rc: $(head -3 "$T/rep.txt")"; fi

# replay_gdb NAME GDB-COMMANDS: a replay under gdb that changes a register at
# the first breakpoint on fib; the output of the replay in $T/NAME.out.
replay_gdb() {
    local name=$1 cmds=$2 try
    for try in 1 2 3 4 5; do
        PORT=$((20000 + ($$ * 11 + try * 1277 + RANDOM) % 40000))
        "$HVSIM" replay "$T/x.hvt" --gdb "$PORT" --gdb-wait </dev/null >"$T/$name.out" 2>"$T/$name.err" &
        PID=$!
        for _ in $(seq 50); do grep -q "gdb stub\|cannot listen" "$T/$name.err" 2>/dev/null && break; sleep 0.1; done
        grep -q "gdb stub" "$T/$name.err" && break
        wait "$PID" 2>/dev/null
        PID=
    done
    [ -n "${PID:-}" ] || return 1
    printf 'set pagination off\nset confirm off\ntarget remote :%s\nbreak fib\ncontinue\n%s\ndelete\ncontinue\n' \
        "$PORT" "$cmds" >"$T/$name.gdb"
    timeout 60 gdb-multiarch -batch -nx -x "$T/$name.gdb" "$K" >"$T/$name.gdbout" 2>&1
    wait "$PID"
    REPLAY_RC=$?
    PID=
}
diverged() { # NAME REGEX
    local name=$1
    if [ "${REPLAY_RC:-}" -eq 1 ] && grep -q "replay DIVERGED" "$T/$name.out" &&
        grep -qE -- "$2" "$T/$name.out"; then
        pass "replay diagnoses an x86 divergence: $(grep 'first state difference' "$T/$name.out" | sed 's/^ *//')"
    else
        fail "replay divergence ($name)" "exit ${REPLAY_RC:-?}: $(cat "$T/$name.out") $(tail -3 "$T/$name.gdbout")"
    fi
}
REPLAY_RC=
replay_gdb cr2 'set $cr2 = 0x1234'
diverged cr2 "first state difference: cpu 0 register cr2: recorded 0x0, replayed 0x1234$"
REPLAY_RC=
replay_gdb fsbase 'set $fs_base = 0x5000'
diverged fsbase "first state difference: cpu 0 register fs\.base: recorded 0x0, replayed 0x5000$"
REPLAY_RC=
replay_gdb rflags 'set $eflags = $eflags | 0x400'
diverged rflags "first state difference: cpu 0 register rflags: recorded 0x[0-9a-f]+, replayed 0x[0-9a-f]*[4-7cdef][0-9a-f]{2}$"
summary
