#!/usr/bin/env bash
# Boards through the command line (docs/architecture.md "Configuration"):
# [machine] arch picks the board; the x86-pc config is read and checked and
# the run says clearly that the x86_64 CPU does not exist yet (exit 2);
# board-specific keys are refused on the other board, naming file, line and
# the board's sections; a trace's recorded config of the RISC-V board still
# round-trips through replay; an ELF of the wrong machine names both.
# Usage: t_boards.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# 1. The x86 PC config parses and validates; without a kernel it says what
#    it needs, with a RISC-V ELF it names both machines.
"$HVSIM" run -c "$ROOT/configs/x86-pc.ini" </dev/null >"$T/x86.out" 2>"$T/x86.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "the x86-pc board needs --kernel FILE (a multiboot kernel or an x86-64 ELF)" "$T/x86.err"; then
    pass "x86-pc: config accepted, no kernel: clear message (exit 2)"
else
    fail "x86-pc without a kernel" "exit $rc: $(head -2 "$T/x86.err")"
fi
"$HVSIM" run -c "$ROOT/configs/x86-pc.ini" --kernel "$ROOT/build/firmware/minihv.elf" </dev/null \
    >/dev/null 2>"$T/x86rv.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "not an x86-64 or i386 ELF file (e_machine 243" "$T/x86rv.err"; then
    pass "x86-pc refuses a RISC-V ELF naming both machines"
else
    fail "x86-pc refuses a RISC-V ELF" "exit $rc: $(head -2 "$T/x86rv.err")"
fi

# 2. A RISC-V key on the x86 board is an error naming the line and the board.
sed 's/^\[isa-debug-exit\]/[plic]/' "$ROOT/configs/x86-pc.ini" >"$T/bad-x86.ini"
"$HVSIM" run -c "$T/bad-x86.ini" </dev/null >/dev/null 2>"$T/bad.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -qE "bad-x86.ini:[0-9]+: unknown section \[plic\] \(board x86-pc has" "$T/bad.err"; then
    pass "x86-pc: a [plic] section is refused naming file, line and the board's sections"
else
    fail "x86-pc: [plic] refused" "exit $rc: $(head -2 "$T/bad.err")"
fi

# 3. An architecture nobody implements.
printf '[machine]\narch = mips64\n' >"$T/mips.ini"
"$HVSIM" run -c "$T/mips.ini" </dev/null >/dev/null 2>"$T/mips.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "mips.ini:2: \[machine\] arch 'mips64' is not supported (riscv64, x86_64)" "$T/mips.err"; then
    pass "unknown arch: exit 2 naming file, line and the supported ones"
else
    fail "unknown arch" "exit $rc: $(head -2 "$T/mips.err")"
fi

# 4. The RISC-V board from its own file (same as the embedded default).
"$HVSIM" run -c "$ROOT/configs/riscv-virt.ini" --smp 1 --bios "$ROOT/build/isa/rv64i_alu.elf" \
    --serial none </dev/null >/dev/null 2>"$T/rv.err"
rc=$?
if [ "$rc" -eq 0 ]; then pass "riscv-virt from configs/riscv-virt.ini runs an ISA test"; else
    fail "riscv-virt from its file" "exit $rc: $(tail -1 "$T/rv.err")"; fi

# 5. The RISC-V board refuses an x86 ELF, naming what it accepts.
"$HVSIM" run --smp 1 --bios /bin/true --serial none </dev/null >/dev/null 2>"$T/elf.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "/bin/true: not a RISC-V ELF file (e_machine 62, x86-64)" "$T/elf.err"; then
    pass "riscv-virt refuses an x86-64 ELF naming both machines"
else
    fail "riscv-virt refuses an x86-64 ELF" "exit $rc: $(head -2 "$T/elf.err")"
fi

# 6. --dump-dtb belongs to boards with a device tree.
"$HVSIM" run -c "$ROOT/configs/x86-pc.ini" --kernel "$ROOT/build/firmware/x86-basic64.elf" \
    --dump-dtb "$T/x.dtb" </dev/null >/dev/null 2>"$T/dtb.err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -e "$T/x.dtb" ] && grep -q "the x86-pc board has no device tree" "$T/dtb.err"; then
    pass "x86-pc --dump-dtb: exit 2 naming the board, no file"
else
    fail "x86-pc --dump-dtb" "exit $rc: $(head -2 "$T/dtb.err")"
fi

# QEMU's options (users of qemu-system-riscv64 -M virt type them first): exit
# 2 naming hvsim's equivalent; a value that starts with '-' is not one;
# --machine virt (QEMU's name) is riscv-virt
for q in "-M virt:--machine riscv-virt" "-machine virt,aia=aplic:--aia MODE" "-m 256M:--mem SIZE" \
         "-smp 4:--smp N" "-nographic:--serial" "-cpu rv64:--isa STRING" \
         "-device virtio-rng-device:--virtio-rng" "-netdev user,id=n:--net loopback|sink" \
         "-s:--gdb 1234" "-drive file=d.img,if=none:--drive FILE"; do
    # shellcheck disable=SC2086
    "$HVSIM" run ${q%%:*} --max-insns 10 </dev/null >/dev/null 2>"$T/q.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF "is a QEMU option" "$T/q.err" && grep -qF -- "${q#*:}" "$T/q.err"; then
        pass "QEMU's '${q%%:*}': exit 2 naming ${q#*:}"
    else
        fail "QEMU's '${q%%:*}'" "exit $rc: $(cat "$T/q.err")"
    fi
done
"$HVSIM" run --machine virt --append "-m -smp" --smp 1 --max-insns 1000 </dev/null >/dev/null 2>"$T/qv.err"
rc=$?
if [ "$rc" -eq 3 ]; then
    pass "--machine virt is riscv-virt; '--append \"-m -smp\"' is a value, not QEMU options"
else
    fail "--machine virt / --append with dashes" "exit $rc: $(cat "$T/qv.err")"
fi

summary
