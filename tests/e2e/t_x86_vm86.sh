#!/usr/bin/env bash
# The virtual-8086 / task-switch / call-gate kernel (tests/firmware/x86/
# vm86.c, docs/x86.md "Virtual-8086 mode"): it checks itself and exits
# through isa-debug-exit with 0; the same run twice gives byte-identical
# traces; its trace shows the #NP folded into the #DF between the #GP and
# the #DF, and `trace show` disassembles its 32-bit code as 32-bit code
# (LDS, C5 /r, is a VEX prefix in 64-bit mode) and the #GP of the
# virtual-8086 code with the CPL 3 it ran at, and a real-mode pc as a
# linear address; VIF = VIP = 1 faults at the instruction's start; a
# real-mode IRET past SS's limit is #SS; ipi.send carries the sender's
# code mode and linear pc (real, 16-bit protected with a CS base, flat
# 32-bit). Usage: t_x86_vm86.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CFG=$ROOT/configs/x86-pc.ini
K=$ROOT/build/firmware/x86-vm86.elf

x86_selfcheck_twice "$HVSIM" "$T" vm86 "$CFG" "$K"

"$HVSIM" trace show "$T/vm861.hvt" --events exc >"$T/vm86.txt" 2>&1
"$HVSIM" trace show "$T/vm861.hvt" --events exc --syntax att >"$T/vm86att.txt" 2>&1
# #GP(FFF8h) from LDS, its gate not present: #NP(13 * 8 + 2 + EXT = 6Bh), then #DF(0), in that order
if grep -A1 "cause=#GP CPL0->CPL0 prot32 tval=0xfff8 " "$T/vm86.txt" | grep -q "cause=#NP CPL0->CPL0 prot32 tval=0x6b " &&
    grep -A2 "cause=#GP CPL0->CPL0 prot32 tval=0xfff8 " "$T/vm86.txt" | grep -q "cause=#DF CPL0->CPL0 prot32 tval=0x0 "; then
    pass "the #NP folded into a #DF is on the timeline: #GP(0xfff8), #NP(0x6b), #DF(0)"
else
    fail "#NP before #DF" "$(grep -E "#NP|#DF" "$T/vm86.txt" | head -3 | tr '\n' ';')"
fi
# 32-bit code disassembled as 32-bit (as 64-bit, C5 01 is a VEX prefix)
if grep -q "cause=#GP .*tval=0xfff8 .*: lds eax, ptr \[ecx\]" "$T/vm86.txt" &&
    grep -q "cause=#GP .*tval=0xfff8 .*: ldsl (%ecx), %eax" "$T/vm86att.txt"; then
    pass "trace show: 32-bit code disassembled in 32-bit mode (lds eax, ptr [ecx]; AT&T ldsl (%ecx), %eax)"
else
    fail "trace show 32-bit disassembly" "$(grep "tval=0xfff8" "$T/vm86.txt" "$T/vm86att.txt" | head -2 | tr '\n' ';')"
fi
# the virtual-8086 code's #GPs at CPL 3: 8 of program A, 2 of B, 1 of the task, 1 of D, 4 of E, 4 of F,
# 2 of G entered by IRET (VIF = VIP = 1 at its start; VIF = 0: its HLT), 1 of G entered by a task switch
nvm=$(grep -c "cause=#GP CPL3->CPL0 vm86 tval=0x0 " "$T/vm86.txt")
if [ "$nvm" -eq 23 ]; then
    pass "virtual-8086 #GP(0) at CPL 3 on the timeline ($nvm)"
else
    fail "virtual-8086 #GP count" "$nvm"
fi
# real mode with CS base FFFF0h (code run from the image at FFFF:IP): the
# irq.take pc is the linear address, where trace show finds the bytes
"$HVSIM" trace show "$T/vm861.hvt" --events irq >"$T/vm86irq.txt" 2>&1
m1=$(nm "$K" | awk '$3 == "rm_m1" { print $1 }' | sed 's/^0*//')
if [ -n "$m1" ] && grep -q "irq.take .*cause=int 0x44 CPL0->CPL0 real pc=0x$m1: nop" "$T/vm86irq.txt"; then
    pass "trace show: a real-mode pc is CS base + IP (0x$m1, rm_m1: nop)"
else
    fail "real-mode pc" "rm_m1=$m1: $(grep "real" "$T/vm86irq.txt" | head -2 | tr '\n' ';')"
fi
# VIF and VIP both set at an instruction's start (after a CPL-0 IRET, after
# a task switch): #GP(0) with the pc of that instruction, program G's first
# (copied to linear 50000h + its offset from vm_a), not the one after it
sym() { nm "$K" | awk -v s="$1" '$3 == s { print $1 }'; }
g=$(printf '0x%x' $((0x50000 + 0x$(sym vm_g) - 0x$(sym vm_a))))
ng=$(grep -c "cause=#GP CPL3->CPL0 vm86 tval=0x0 pc=$g\$" "$T/vm86.txt")
if [ "$ng" -eq 2 ]; then
    pass "VIF = VIP = 1 at the start of an instruction: #GP(0) at it (pc $g, twice: IRET, task switch)"
else
    fail "VIF/VIP #GP at the instruction start" "pc $g: $ng; $(grep -c "vm86 tval=0x0 pc=" "$T/vm86.txt")"
fi
# real-mode IRET with its frame past SS's limit: #SS at the IRET (linear pc)
ss=$(sym rm_iret_ss | sed 's/^0*//')
if grep -q "exc.take .*cause=#SS CPL0->CPL0 real tval=0x0 pc=0x$ss: iret" "$T/vm86.txt"; then
    pass "real-mode IRET past SS's limit: #SS at the IRET (pc 0x$ss: iret)"
else
    fail "real-mode IRET #SS" "rm_iret_ss=$ss: $(grep "#SS" "$T/vm86.txt" | tail -2 | tr '\n' ';')"
fi
# ipi.send pcs are linear addresses with the code mode (docs/trace-format.md
# "x86 code mode"): from 16-bit protected code whose CS base is ring0_16,
# from real mode at FFFF:IP (x2APIC SELF IPI), from flat 32-bit code
"$HVSIM" trace show "$T/vm861.hvt" --events ipi.send >"$T/vm86ipi.txt" 2>&1
hx() { sym "$1" | sed 's/^0*//'; }
if grep -q "ipi.send .*vector=0x45 phys=0x7f dest={} prot16 pc=0x$(hx cg_ipi): mov dword ptr \[ebx\], 0x45" "$T/vm86ipi.txt"; then
    pass "ipi.send from 16-bit protected code (CS base ring0_16): prot16, linear pc 0x$(hx cg_ipi), disassembled"
else
    fail "ipi.send prot16 linear pc" "cg_ipi=$(hx cg_ipi): $(grep "0x45" "$T/vm86ipi.txt" | head -1)"
fi
if grep -q "ipi.send .*vector=0x44 self dest={0} real pc=0x$(hx rm_wrmsr): wrmsr" "$T/vm86ipi.txt"; then
    pass "ipi.send from real mode (x2APIC SELF IPI at FFFF:IP): real, linear pc 0x$(hx rm_wrmsr): wrmsr"
else
    fail "ipi.send real-mode linear pc" "rm_wrmsr=$(hx rm_wrmsr): $(grep " real " "$T/vm86ipi.txt" | head -1)"
fi
if grep -q "ipi.send .*vector=0x44 self dest={0} prot32 pc=0x[0-9a-f]* at kmain32+0x[0-9a-f]*: mov dword ptr \[0xfee00300\], 0x40044" "$T/vm86ipi.txt"; then
    pass "ipi.send from flat 32-bit code: prot32, disassembled as 32-bit (xAPIC ICR store)"
else
    fail "ipi.send prot32" "$(grep "prot32" "$T/vm86ipi.txt" | head -1)"
fi
# a 64-bit kernel's trace is disassembled as 64-bit as before
"$HVSIM" run -c "$CFG" --smp 1 --kernel "$ROOT/build/firmware/x86-exceptions.elf" --serial none \
    --max-insns 50000000 --events all --trace "$T/exc.hvt" </dev/null 2>/dev/null
"$HVSIM" trace show "$T/exc.hvt" --events exc >"$T/exc.txt" 2>&1
if grep -q "cause=#DB .*: mov rax, dr0" "$T/exc.txt"; then
    pass "trace show: 64-bit code still disassembled as 64-bit"
else
    fail "64-bit disassembly" "$(grep -m1 "cause=#DB" "$T/exc.txt")"
fi
summary
