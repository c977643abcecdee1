#!/usr/bin/env bash
# The x86 CPU test kernels (tests/firmware/x86/{exceptions,paging,syscall,
# misc}.c, docs/x86.md "Test kernels"; exceptions.c also checks the debug
# registers, below): each checks itself and exits through
# isa-debug-exit with 0 when every check passed; each run twice gives
# byte-identical traces. Usage: t_x86_cpu.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CFG=$ROOT/configs/x86-pc.ini

for k in exceptions paging syscall misc; do
    K=$ROOT/build/firmware/x86-$k.elf
    [ -f "$ROOT/tests/firmware/x86/$k.c" ] || continue
    "$HVSIM" run -c "$CFG" --smp 1 --kernel "$K" --serial "file:$T/$k.out" --max-insns 50000000 \
        --trace "$T/$k.hvt" </dev/null 2>"$T/$k.err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "isa-debug-exit: guest wrote 0x0" "$T/$k.err" &&
        grep -q "x86 $k: all checks passed" "$T/$k.out"; then
        pass "x86 $k kernel: $(grep -o "all checks passed.*" "$T/$k.out")"
    else
        fail "x86 $k kernel" "exit $rc: $(tail -1 "$T/$k.err"); $(grep -E "FAIL|unexpected" "$T/$k.out" | head -5 | tr '\n' ';')"
    fi
    "$HVSIM" run -c "$CFG" --smp 1 --kernel "$K" --serial "file:$T/$k.out" --max-insns 50000000 \
        --trace "$T/$k.2.hvt" </dev/null 2>/dev/null
    if cmp -s "$T/$k.hvt" "$T/$k.2.hvt" && [ -s "$T/$k.hvt" ]; then
        pass "x86 $k kernel: the same run twice gives byte-identical traces"
    else
        fail "x86 $k determinism" "$(cmp "$T/$k.hvt" "$T/$k.2.hvt" 2>&1 | head -1)"
    fi
done
# Debug registers (exceptions kernel, test_debug_registers): the trace shows
# the #DB of the general detect (at the MOV DR), the instruction breakpoint
# taken three times on the same instruction (RF lets it run each time), the
# data breakpoints (traps: pc after the access) and the one in REP STOSB
# (pc at the REP, which has iterations left).
"$HVSIM" run -c "$CFG" --smp 1 --kernel "$ROOT/build/firmware/x86-exceptions.elf" --serial "file:$T/db.out" \
    --max-insns 50000000 --events all --trace "$T/db.hvt" </dev/null 2>/dev/null
"$HVSIM" trace show "$T/db.hvt" --events exc >"$T/db.txt" 2>&1
ndb=$(grep -c "cause=#DB" "$T/db.txt")
ninc=$(grep -c "cause=#DB .*: inc ecx" "$T/db.txt")
if [ "$ndb" -ge 10 ] && [ "$ninc" -eq 3 ] && grep -q "cause=#DB .*: mov rax, dr0" "$T/db.txt" &&
    grep -q "cause=#DB .*: rep stosb" "$T/db.txt" && grep -q "all checks passed" "$T/db.out"; then
    pass "debug registers: #DB for general detect, an instruction breakpoint (3 times with RF), data breakpoints, REP STOSB"
else
    fail "debug registers in the trace" "$ndb #DB, $ninc at inc ecx; $(grep -m3 "cause=#DB" "$T/db.txt")"
fi

# Task switches in 32-bit protected mode (the multiboot 1 kernel, mb1.c
# task_switch_test: CALL to a TSS and IRET with NT, JMP through a task gate
# and back); its other checks need t_x86_boot.sh's --append/--module.
"$HVSIM" run -c "$CFG" --smp 1 --kernel "$ROOT/build/firmware/x86-mb1.elf" --serial "file:$T/ts.out" \
    --max-insns 5000000 </dev/null 2>"$T/ts.err"
if grep -q "task switches: CALL/IRET and JMP through a task gate: done" "$T/ts.out" &&
    ! grep -q "FAIL: .*\(TSS\|task\|CR0.TS\|LTR\)" "$T/ts.out"; then
    pass "task switches: CALL to a TSS, IRET with NT, JMP through a task gate (32-bit protected mode)"
else
    fail "task switches" "$(grep -E "FAIL|task" "$T/ts.out" | head -3 | tr '\n' ';') $(tail -1 "$T/ts.err")"
fi

# The x86 test kernels build byte-reproducibly: two builds into two
# directories give identical files (no temporary object name in the symbol
# table: build.sh cc_build).
if bash "$ROOT/tests/firmware/x86/build.sh" "$T/fw1" >/dev/null 2>&1 &&
    bash "$ROOT/tests/firmware/x86/build.sh" "$T/fw2" >/dev/null 2>&1; then
    nf=0
    ndiff=0
    for f in "$T"/fw1/*; do
        nf=$((nf + 1))
        cmp -s "$f" "$T/fw2/$(basename "$f")" || ndiff=$((ndiff + 1))
    done
    if [ "$nf" -gt 10 ] && [ "$ndiff" -eq 0 ] && ! readelf -s "$T"/fw1/*.elf 2>/dev/null | grep -q "FILE .* cc[A-Za-z0-9]*\.o"; then
        pass "x86 test kernels: two builds are byte-identical ($nf files)"
    else
        fail "x86 kernel build reproducibility" "$ndiff of $nf files differ"
    fi
else
    fail "x86 kernel build" "tests/firmware/x86/build.sh failed"
fi
# hvsim --help names trace show's --syntax
if "$HVSIM" --help | grep -q "trace show .*" && "$HVSIM" --help | grep -q -- "--syntax intel|att"; then
    pass "hvsim --help: trace show --syntax intel|att"
else
    fail "hvsim --help" "no --syntax intel|att"
fi

# [cpu] vendor / family / model-number / stepping reach CPUID (the misc
# kernel prints them; its own checks still pass: family 6)
sed 's/^vendor = .*/vendor = GenuineIntel/; s/^model-number = .*/model-number = 0x55/; s/^stepping = .*/stepping = 4/' \
    "$CFG" >"$T/model.ini"
"$HVSIM" run -c "$T/model.ini" --smp 1 --kernel "$ROOT/build/firmware/x86-misc.elf" --serial "file:$T/model.out" \
    --max-insns 50000000 </dev/null 2>"$T/model.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "cpuid: vendor GenuineIntel signature 0x0000000000050654" "$T/model.out"; then
    pass "[cpu] vendor, family, model-number, stepping: CPUID.0 and CPUID.1:EAX as configured"
else
    fail "[cpu] CPUID model" "exit $rc: $(grep cpuid "$T/model.out")"
fi
sed 's/^vendor = .*/vendor = short/' "$CFG" >"$T/bad.ini"
"$HVSIM" run -c "$T/bad.ini" --kernel "$ROOT/build/firmware/x86-misc.elf" </dev/null 2>"$T/bad.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "\[cpu\] vendor 'short' must be 12 characters" "$T/bad.err"; then
    pass "[cpu] vendor of the wrong length: exit 2 naming the key"
else
    fail "[cpu] bad vendor" "exit $rc: $(cat "$T/bad.err")"
fi

# A triple fault (IDT limit 0, then ud2: #UD -> #GP -> #DF -> shutdown in the
# random-code kernel's .chaos section): [cpu] triple-fault = exit ends the
# run with status 1; = reset restarts the CPU at F000:FFF0 (real mode; the
# trace's pc is the linear address FFFFFFF0h: CS base FFFF0000h).
printf '\x6a\x00\x6a\x00\x0f\x01\x1c\x24\x0f\x0b' >"$T/tf.bin" # push 0; push 0; lidt (rsp); ud2
head -c 65536 /dev/zero | LC_ALL=C tr '\0' '\220' >"$T/pad.bin"
cat "$T/tf.bin" "$T/pad.bin" | head -c 65536 >"$T/chaos.bin"
cp "$ROOT/build/firmware/x86-chaos.elf" "$T/tf.elf"
objcopy --update-section .chaos="$T/chaos.bin" "$T/tf.elf"
"$HVSIM" run -c "$CFG" --smp 1 --kernel "$T/tf.elf" --serial none --max-insns 100000 </dev/null 2>"$T/tf.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "triple fault (shutdown)" "$T/tf.err"; then
    pass "triple fault, [cpu] triple-fault = exit: exit status 1"
else
    fail "triple fault (exit)" "exit $rc: $(cat "$T/tf.err")"
fi
sed 's/^triple-fault = .*/triple-fault = reset/' "$CFG" >"$T/reset.ini"
"$HVSIM" run -c "$T/reset.ini" --smp 1 --kernel "$T/tf.elf" --serial none --max-insns 100000 \
    --events exc --trace "$T/tf.hvt" </dev/null 2>"$T/tf2.err"
rc=$?
"$HVSIM" trace show "$T/tf.hvt" --events exc >"$T/tf.show" 2>&1
if ! grep -q "triple fault" "$T/tf2.err" && grep -q "instruction limit reached" "$T/tf2.err" &&
    grep -q "cause=#UD CPL0->CPL0 real tval=0x0 pc=0xfffffff0" "$T/tf.show"; then
    pass "triple fault, [cpu] triple-fault = reset: the CPU restarts at the reset vector"
else
    fail "triple fault (reset)" "exit $rc: $(tail -1 "$T/tf2.err"); $(grep -c exc.take "$T/tf.show") exceptions"
fi
# A triple fault with reset resets the machine, not only the CPU: the
# payload puts a real-mode #UD handler at 0000:7000 (RAM survives the
# reset) that exits through isa-debug-exit with PIC IMR | COM1 scratch,
# sets IMR = 5Ah and SCR = 77h, then triple-faults. After the reset the
# CPU runs the all-ones bytes at F000:FFF0 (#UD): the devices are back at
# power-on, so the handler reports 0 (a CPU-only reset reports 7Fh).
#   0000:7000: in al,21h; mov ah,al; mov dx,3ffh; in al,dx; or al,ah; out 0f4h,al; hlt
printf '%b' '\x48\xb8\xe4\x21\x88\xc4\xba\xff\x03\xec\x48\x89\x04\x25\x00\x70\x00\x00' \
    '\x48\xb8\x08\xe0\xe6\xf4\xf4\x00\x00\x00\x48\x89\x04\x25\x08\x70\x00\x00' \
    '\xc7\x04\x25\x18\x00\x00\x00\x00\x70\x00\x00' '\xb0\x5a\xe6\x21\x66\xba\xff\x03\xb0\x77\xee' \
    '\x6a\x00\x6a\x00\x0f\x01\x1c\x24\x0f\x0b' >"$T/mr.bin"
cat "$T/mr.bin" "$T/pad.bin" | head -c 65536 >"$T/mr.chaos"
cp "$ROOT/build/firmware/x86-chaos.elf" "$T/mr.elf"
objcopy --update-section .chaos="$T/mr.chaos" "$T/mr.elf"
for smp in 1 2; do
    "$HVSIM" run -c "$T/reset.ini" --smp $smp --kernel "$T/mr.elf" --serial none --max-insns 100000 \
        </dev/null 2>"$T/mr.err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "guest wrote 0x0 " "$T/mr.err"; then
        pass "triple fault with reset (--smp $smp): PIC mask and COM1 scratch back at power-on, RAM kept"
    else
        fail "triple fault machine reset (--smp $smp)" "exit $rc: $(tail -1 "$T/mr.err")"
    fi
done
# The random-code kernels of tests/e2e/chaos.sh really run their bytes in
# compatibility mode and in real mode: a payload that exits with 0 there
# (real mode: after a #UD that the IVT handler resumes one byte further).
chaos_payload() { # NAME KERNEL BYTES
    printf "$3" >"$T/$1.bin"
    cat "$T/$1.bin" "$T/pad.bin" | head -c 65536 >"$T/$1.chaos"
    cp "$ROOT/build/firmware/$2" "$T/$1.elf"
    objcopy --update-section .chaos="$T/$1.chaos" "$T/$1.elf"
    timeout 120 "$HVSIM" run -c "$CFG" --smp 1 --kernel "$T/$1.elf" --serial none --max-insns 1000000 </dev/null 2>"$T/$1.err"
}
chaos_payload compat x86-chaos-compat.elf '\x66\xba\xf4\x00\x31\xc0\xef\xf4' # mov dx,0xf4; xor eax,eax; out dx,eax (32-bit)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "guest wrote 0x0" "$T/compat.err"; then
    pass "chaos kernel in compatibility mode runs its bytes as 32-bit code"
else
    fail "chaos compat kernel" "exit $rc: $(tail -1 "$T/compat.err")"
fi
chaos_payload real x86-chaos-real.elf '\x0f\x0b\xc0\xba\xf4\x00\x66\x31\xc0\x66\xef\xf4' # ud2; (or ax,ax); mov dx,0xf4; xor eax,eax; out dx,eax (16-bit)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "guest wrote 0x0" "$T/real.err"; then
    pass "chaos kernel in real mode runs its bytes as 16-bit code, #UD through the IVT"
else
    fail "chaos real-mode kernel" "exit $rc: $(tail -1 "$T/real.err")"
fi
# 32-bit protected mode (chaos_prot32.c): at CPL 0 the same 32-bit payload
# as for compatibility mode after a #UD the handler resumes one byte further;
# at CPL 3 its OUT is #GP (IOPL 0, no I/O bitmap), taken to the ring-0
# handler: exc.take says CPL3->CPL0 (the handler's CPL, trap.c x86_event_cpl).
chaos_payload p32 x86-chaos-prot32-cpl0.elf '\x0f\x0b\xc0\x66\xba\xf4\x00\x31\xc0\xef\xf4' # ud2; (or eax,eax); mov dx,0xf4; xor eax,eax; out dx,eax
rc=$?
if [ "$rc" -eq 0 ] && grep -q "guest wrote 0x0" "$T/p32.err"; then
    pass "chaos kernel in 32-bit protected mode, CPL 0: runs its bytes as 32-bit code, #UD resumed"
else
    fail "chaos prot32 CPL 0 kernel" "exit $rc: $(tail -1 "$T/p32.err")"
fi
cp "$ROOT/build/firmware/x86-chaos-prot32.elf" "$T/p32u.elf"
objcopy --update-section .chaos="$T/p32.chaos" "$T/p32u.elf"
"$HVSIM" run -c "$CFG" --smp 1 --kernel "$T/p32u.elf" --serial none --max-insns 400000 --events exc \
    --trace "$T/p32u.hvt" </dev/null 2>/dev/null
"$HVSIM" trace show "$T/p32u.hvt" --events exc >"$T/p32u.txt" 2>&1
if grep -q "cause=#UD CPL3->CPL0 prot32 tval=0x0 pc=0x20000" "$T/p32u.txt" &&
    grep -q "cause=#GP CPL3->CPL0 prot32 tval=0x0 pc=0x20009$" "$T/p32u.txt"; then
    pass "chaos kernel in 32-bit protected mode, CPL 3: #UD, then #GP for OUT (IOPL 0, no I/O bitmap)"
else
    fail "chaos prot32 CPL 3 kernel" "$(grep -m3 exc.take "$T/p32u.txt" | tr '\n' ';')"
fi
# 16-bit protected mode (chaos_prot32.c -DCHAOS_16, CPL 3): the 16-bit
# form of the payload (mov dx,0xf4; 66 xor eax,eax; 66 out dx,eax) puts the
# OUT's #GP at 20009h only when decoded as 16-bit code.
printf '\x0f\x0b\xc0\xba\xf4\x00\x66\x31\xc0\x66\xef\xf4' >"$T/p16.bin"
cat "$T/p16.bin" "$T/pad.bin" | head -c 65536 >"$T/p16.chaos"
cp "$ROOT/build/firmware/x86-chaos-prot16.elf" "$T/p16.elf"
objcopy --update-section .chaos="$T/p16.chaos" "$T/p16.elf"
"$HVSIM" run -c "$CFG" --smp 1 --kernel "$T/p16.elf" --serial none --max-insns 400000 --events exc \
    --trace "$T/p16.hvt" </dev/null 2>/dev/null
"$HVSIM" trace show "$T/p16.hvt" --events exc >"$T/p16.txt" 2>&1
if grep -q "cause=#UD CPL3->CPL0 prot16 tval=0x0 pc=0x20000" "$T/p16.txt" &&
    grep -q "cause=#GP CPL3->CPL0 prot16 tval=0x0 pc=0x20009$" "$T/p16.txt"; then
    pass "chaos kernel in 16-bit protected mode, CPL 3: its bytes run as 16-bit code (#GP at the OUT)"
else
    fail "chaos prot16 kernel" "$(grep -m3 exc.take "$T/p16.txt" | tr '\n' ';')"
fi
# HLT with IF = 0 while the PIT ticks (periodic, channel 0): nothing can
# ever wake the only CPU; the run ends (status 1) instead of the scheduler
# jumping from PIT edge to PIT edge forever (found by the real-mode chaos).
chaos_payload dead x86-chaos.elf '\xb0\x34\xe6\x43\xb0\x32\xe6\x40\x30\xc0\xe6\x40\xfa\xf4'
rc=$?
if [ "$rc" -eq 1 ] && grep -q "HLT with IF = 0 and no CPU left to wake it" "$T/dead.err"; then
    pass "cli; hlt with a periodic PIT: the run ends, exit status 1"
else
    fail "cli; hlt with a periodic PIT" "exit $rc: $(tail -1 "$T/dead.err")"
fi
# The task-switch / debug kernel (tests/firmware/x86/tasks.c, multiboot 1,
# 32-bit protected mode): task gates in the IDT (INT n, #GP with its error
# code on the new task's stack, #DF on its own TSS, IRET back), #TS / #NP /
# #SS with the SDM's error codes for a new task's bad LDT/CS/SS/DS/ES/FS/GS
# (in the new task's context, check order, EXT), a 16-bit TSS, the TSS T
# flag, I/O breakpoints, single-step; run twice, byte-identical traces. The
# trace shows the #DE, the #NP of its not-present gate folded into the #DF,
# the #DF, the #TS error codes, and every #DB
# trap (T flag 1, I/O breakpoints 5 + REP OUTSB 3 (one per iteration),
# single-step 3).
K=$ROOT/build/firmware/x86-tasks.elf
x86_selfcheck_twice "$HVSIM" "$T" tasks "$CFG" "$K"
"$HVSIM" trace show "$T/tasks1.hvt" --events exc >"$T/tasks.txt" 2>&1
nts=$(grep -c "cause=#TS" "$T/tasks.txt")
ndb=$(grep -c "cause=#DB" "$T/tasks.txt")
nss=$(grep -c "cause=#DB .*: nop" "$T/tasks.txt")
nrep=$(grep -c "cause=#DB .*: rep outsb" "$T/tasks.txt")
if grep -q "cause=#DE .*div ecx" "$T/tasks.txt" && grep -A1 "cause=#DE" "$T/tasks.txt" | grep -q "cause=#NP .*tval=0x3 .*div ecx" &&
    grep -A2 "cause=#DE" "$T/tasks.txt" | grep -q "cause=#DF .*div ecx" &&
    grep -q "cause=#TS CPL0->CPL0 prot32 tval=0x8c " "$T/tasks.txt" && grep -q "cause=#TS CPL0->CPL0 prot32 tval=0x81 " "$T/tasks.txt" &&
    grep -q "cause=#SS CPL0->CPL0 prot32 tval=0x78 " "$T/tasks.txt" && [ "$nts" -eq 18 ] &&
    [ "$ndb" -eq 12 ] && [ "$nss" -eq 3 ] && [ "$nrep" -eq 2 ]; then
    pass "x86 tasks trace: #DE -> #NP(0x3) -> #DF, $nts #TS with their error codes (EXT in 0x81), $ndb #DB traps incl. 3 single-steps"
else
    fail "x86 tasks trace" "$nts #TS, $ndb #DB, $nss single-step, $nrep REP OUTSB; $(grep -m2 "cause=#D[EF]" "$T/tasks.txt" | tr '\n' ';')"
fi
# its HLT in flat 32-bit code: wfi.sleep names the code mode (prot32) and
# carries the HLT's own linear address (docs/trace-format.md "x86 code mode")
"$HVSIM" trace show "$T/tasks1.hvt" --events wfi.sleep >"$T/tasks-wfi.txt" 2>&1
hpc=$(grep -o "wfi\.sleep  *prot32 pc=0x[0-9a-f]* at kmain32+0x[0-9a-f]*: hlt" "$T/tasks-wfi.txt" | head -1 |
    grep -o "pc=0x[0-9a-f]*" | cut -d= -f2)
if [ -n "$hpc" ] && objdump -d --start-address=$((hpc)) --stop-address=$((hpc + 1)) "$K" |
    grep -qE "^ +${hpc#0x}:[[:space:]]+f4[[:space:]]+hlt"; then
    pass "x86 tasks trace: wfi.sleep of a 32-bit HLT: prot32, pc $hpc is the HLT (objdump)"
else
    fail "x86 tasks trace: wfi.sleep of a 32-bit HLT" "pc '$hpc': $(head -4 "$T/tasks-wfi.txt" | tail -1)"
fi
# The descriptor-instruction kernel (tests/firmware/x86/desc.c, multiboot 1,
# 32-bit protected mode): LAR LSL VERR VERW over every descriptor type x
# CPL 0/3 x RPL 0/3, ARPL, call gates copying 3 doublewords / 2 words of
# parameters to the ring-0 stack and RETF n back; run twice, byte-identical.
x86_selfcheck_twice "$HVSIM" "$T" desc "$CFG" "$ROOT/build/firmware/x86-desc.elf"
summary
