#!/usr/bin/env bash
# The x86_64 core on the PC board (docs/x86.md): our self-checking kernel
# passes and exits through isa-debug-exit with status 0; the same run twice
# records byte-identical traces; the trace replays; trace show names x86
# exceptions and disassembles with capstone; application processors wait
# for a SIPI (--smp 4 runs the same). Usage: t_x86.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=$ROOT/build/firmware/x86-basic64.elf
CFG=$ROOT/configs/x86-pc.ini

run() { # OUT ARGS...
    local out=$1; shift
    "$HVSIM" run -c "$CFG" --kernel "$K" --serial "file:$out" --max-insns 5000000 "$@" </dev/null 2>"$out.err"
}

# (both traced runs write the console to the same file: the header records it)
run "$T/s.out" --smp 1 --events all --trace "$T/a.hvt"
rc=$?
cp "$T/s.out" "$T/a.out"
cp "$T/s.out.err" "$T/a.out.err"
if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/a.out.err"; then
    pass "x86 basic64: exit 0 through isa-debug-exit"
else
    fail "x86 basic64" "exit $rc: $(tail -1 "$T/a.out.err"); $(grep FAIL "$T/a.out" | head -3)"
fi
expect_line "$T/a.out" "x86 basic64: all checks passed" "x86 basic64: every check passed (COM1)"

run "$T/s.out" --smp 1 --events all --trace "$T/b.hvt"
if cmp -s "$T/a.hvt" "$T/b.hvt" && [ -s "$T/a.hvt" ]; then
    pass "x86: the same run twice gives byte-identical traces"
else
    fail "x86 determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.out" 2>&1; then
    pass "x86: the trace replays ($(head -1 "$T/replay.out"))"
else
    fail "x86 replay" "$(head -3 "$T/replay.out")"
fi
"$HVSIM" trace show "$T/a.hvt" --events exc >"$T/show.txt" 2>&1
if grep -q "cause=#PF CPL0->CPL0 tval=0x100000000000" "$T/show.txt" &&
    grep -q "cause=#DE" "$T/show.txt" && grep -q "div ecx" "$T/show.txt"; then
    pass "trace show: x86 vectors, CR2 and capstone disassembly"
else
    fail "trace show on x86" "$(head -6 "$T/show.txt")"
fi

run "$T/c.out" --smp 4
rc=$?
if [ "$rc" -eq 0 ] && grep -q "cpu1 0, cpu2 0, cpu3 0" "$T/c.out.err"; then
    pass "x86 --smp 4: the application processors wait for a SIPI, the kernel passes"
else
    fail "x86 --smp 4" "exit $rc: $(tail -1 "$T/c.out.err")"
fi

# A guest reporting failure: code that writes 5 to isa-debug-exit (put in
# the random-code kernel's .chaos section) ends the run with status 1.
printf '\x48\xc7\xc0\x05\x00\x00\x00\x66\xba\xf4\x00\xef\xf4' >"$T/fail.bin" # mov rax,5; mov dx,0xf4; out dx,eax; hlt
cp "$ROOT/build/firmware/x86-chaos.elf" "$T/fail.elf"
head -c 65536 /dev/zero | LC_ALL=C tr '\0' '\220' >"$T/pad.bin"
cat "$T/fail.bin" "$T/pad.bin" | head -c 65536 >"$T/chaos.bin"
objcopy --update-section .chaos="$T/chaos.bin" "$T/fail.elf"
"$HVSIM" run -c "$CFG" --kernel "$T/fail.elf" --serial none --max-insns 1000000 </dev/null 2>"$T/fail.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "guest wrote 0x5 (QEMU exit status 11)" "$T/fail.err"; then
    pass "isa-debug-exit 5: exit status 1 naming the value and QEMU's status"
else
    fail "isa-debug-exit failure path" "exit $rc: $(tail -1 "$T/fail.err")"
fi
summary
