#!/usr/bin/env bash
# Linux 6.1 x86_64 (tests/firmware/linux, build.sh x86_64) on the x86-pc
# board through the Linux boot protocol (bzImage, docs/x86.md "Linux boot"),
# first one CPU with the 8259 PIC and the PIT (noapic nolapic): the kernel
# finds the ACPI tables and the MP table, runs /init, which prints its
# line, runs its thread ring and powers off through isa-debug-exit (exit 0).
# The run is traced and replays identically, and takes no #GP or #UD (no
# MSR or instruction Linux uses is missing). Then 4 CPUs with the local
# APICs and the IOAPIC (INIT-SIPI-SIPI, IPIs, the LAPIC timer), traced,
# replayed and run twice, with what the trace shows (INIT-SIPI-SIPI per AP,
# the IPI vectors, the TSC-deadline timer on every CPU, COM1 through IOAPIC
# pin 4); --smp 2 and 8; explore over four seeds; power-off through ACPI S5
# (hvsim.poweroff=acpi), acpi=off (MP table only), an --initrd where Linux
# finds it, and the bad inputs (malformed bzImage, an initrd that does not
# fit: exit 2 naming the file; more CPUs than a machine has: exit 2).
# Skipped, with the reason, only when the image cannot be built.
# Usage: t_x86_linux.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
BZ=$(bash "$ROOT/tests/firmware/linux/build.sh" x86_64 2>"$T/build.err" | tail -n1)
if [ ! -f "$BZ" ]; then
    echo "SKIP t_x86_linux: the Linux x86_64 image cannot be built: $(tail -3 "$T/build.err")"
    exit 0
fi
APPEND="console=ttyS0 earlyprintk=serial noapic nolapic"
MAX=${HVSIM_X86_LINUX_MAX:-4000000000}
linux() { # OUT ARGS... : run the image, console to OUT
    local out=$1; shift
    "$HVSIM" run --machine x86-pc --kernel "$BZ" --serial "file:$out" --max-insns "$MAX" "$@" \
        </dev/null 2>"$out.err"
}

linux "$T/boot.out" --smp 1 --append "$APPEND" --trace "$T/boot.hvt" --events irq,exc
rc=$?
if [ "$rc" -eq 0 ]; then pass "Linux x86_64 boots to /init and powers off with exit 0"; else
    fail "Linux x86_64 boot" "exit $rc: $(tail -1 "$T/boot.out.err"); last console lines: $(tail -5 "$T/boot.out")"; fi
for line in "Linux version 6.1" "ACPI: RSDP 0x00000000000F" "ACPI: FACP" "ACPI: APIC" \
            "init: hvsim x86_64 Linux test image, 1 CPUs online" \
            "init: token ring over 1 threads: 50 passes (want 50)" "init: PASS, powering off"; do
    expect_line "$T/boot.out" "$line" "console: $line"
done
if grep -q "isa-debug-exit: guest wrote 0x0" "$T/boot.out.err"; then
    pass "/init ended the run through isa-debug-exit"
else
    fail "/init ended the run through isa-debug-exit" "$(tail -2 "$T/boot.out.err")"
fi
if grep -q "ACPI Error\|ACPI BIOS Error\|ACPI Warning" "$T/boot.out"; then
    fail "no ACPI errors or warnings" "$(grep "ACPI Error\|ACPI BIOS\|ACPI Warning" "$T/boot.out" | head -3)"
else
    pass "no ACPI errors or warnings"
fi
expect_line "$T/boot.out" "ACPI: Interpreter enabled" "console: ACPI interpreter enabled (DSDT loaded)"
expect_line "$T/boot.out" "Intel MultiProcessor Specification v1.4" "console: the MP table is found"
if "$HVSIM" replay "$T/boot.hvt" >"$T/replay.txt" 2>&1; then pass "the Linux x86_64 trace replays identically"; else
    fail "the Linux x86_64 trace replays" "$(head -5 "$T/replay.txt")"; fi
# Every MSR and instruction Linux uses at boot is there (clause 1 of issue
# 10, docs/x86_coverage.md): the traced boot takes no #GP (an unknown MSR
# is #GP, which rdmsr_safe would hide) and no #UD.
"$HVSIM" trace show "$T/boot.hvt" --events exc >"$T/boot-exc.txt" 2>&1
nbad=$(grep -cE "exc\.take +cause=#(GP|UD)" "$T/boot-exc.txt")
if [ "$nbad" -eq 0 ] && grep -q "events shown" "$T/boot-exc.txt"; then
    pass "the Linux boot takes no #GP (no missing MSR) and no #UD"
else
    fail "the Linux boot takes no #GP and no #UD" "$nbad: $(grep -m3 -E "cause=#(GP|UD)" "$T/boot-exc.txt" | tr '\n' ';')"
fi
cp "$T/boot.out" "$T/first.out"
cp "$T/boot.hvt" "$T/first.hvt"
linux "$T/boot.out" --smp 1 --append "$APPEND" --trace "$T/boot.hvt" --events irq,exc
if cmp -s "$T/boot.hvt" "$T/first.hvt" && cmp -s "$T/boot.out" "$T/first.out"; then
    pass "two runs: byte-identical traces and console"
else
    fail "two runs: byte-identical traces and console"
fi

# 4 CPUs through the APICs: ACPI's MADT, INIT-SIPI-SIPI, the IOAPIC in
# symmetric I/O mode, IPIs between the CPUs (the token ring's wake-ups).
SMP_APPEND="console=ttyS0 earlyprintk=serial"
SMP_EVENTS=ipi,irq,timer,mmio
linux "$T/smp.out" --smp 4 --append "$SMP_APPEND" --trace "$T/smp.hvt" --events "$SMP_EVENTS"
rc=$?
if [ "$rc" -eq 0 ]; then pass "Linux x86_64 --smp 4 with the APICs: /init passes, exit 0"; else
    fail "Linux x86_64 --smp 4 with the APICs" "exit $rc: $(tail -1 "$T/smp.out.err"); $(tail -5 "$T/smp.out")"; fi
for line in "ACPI: Using ACPI (MADT) for SMP configuration information" \
            "IOAPIC[0]: apic_id 4, version 32, address 0xfec00000, GSI 0-23" \
            "APIC: Switch to symmetric I/O mode setup" "smp: Brought up 1 node, 4 CPUs" \
            "init: hvsim x86_64 Linux test image, 4 CPUs online" \
            "init: token ring over 4 threads: 200 passes (want 200)"; do
    expect_line "$T/smp.out" "$line" "smp console: $line"
done
"$HVSIM" trace stats "$T/smp.hvt" >"$T/smp.stats" 2>&1
if grep -Eq "^ *LAPIC 0->[123] +[1-9]" "$T/smp.stats" && grep -Eq "^ *LAPIC [123]->0 +[1-9]" "$T/smp.stats"; then
    pass "Linux --smp 4: IPIs both ways between CPU 0 and the others in the trace"
else
    fail "Linux --smp 4 IPIs in the trace" "$(head -30 "$T/smp.stats")"
fi
"$HVSIM" trace show "$T/smp.hvt" --no-disasm >"$T/smp.show" 2>&1
# INIT-SIPI-SIPI per AP (MP spec B.4, SDM vol. 3A 8.4.4.1): each AP gets an
# INIT, then two SIPIs with the same vector, all from CPU 0, in that order.
# The patterns name only the delivered line, not how ipi.send prints its
# delivery mode.
"$HVSIM" trace show "$T/smp.hvt" --events ipi >"$T/smp.ipi" 2>&1
for ap in 1 2 3; do
    grep -E " cpu$ap +ipi\.deliver .*line=(INIT|SIPI)" "$T/smp.ipi" | grep -v INIT-deassert >"$T/ap$ap.ipi"
    seq=$(grep -oE "line=(INIT|SIPI 0x[0-9a-f]+)" "$T/ap$ap.ipi" | tr '\n' ' ')
    if echo "$seq" | grep -qE "^line=INIT line=(SIPI 0x[0-9a-f]+) line=\1 $" &&
        [ "$(grep -c " src=0" "$T/ap$ap.ipi")" -eq 3 ]; then
        pass "trace show --events ipi: cpu$ap gets INIT, SIPI, SIPI from cpu0"
    else
        fail "trace show --events ipi: INIT-SIPI-SIPI for cpu$ap" "'$seq'"
    fi
done
nfixed=$(grep -cE "ipi\.deliver .*line=int" "$T/smp.ipi")
nsend=$(grep -cE "ipi\.send" "$T/smp.ipi")
if [ "$nfixed" -ge 100 ] && [ "$nsend" -ge 100 ]; then
    pass "trace show --events ipi: $nfixed fixed-vector IPIs delivered ($nsend ICR writes)"
else
    fail "fixed-vector IPIs in trace show --events ipi" "$nfixed delivered, $nsend sent"
fi
# The reschedule IPI (vector 0xfd in Linux 6.1's irq_vectors.h) and the
# function-call IPIs (0xfb, 0xfc) are taken on every CPU.
for cpu in 0 1 2 3; do
    v=$(grep -E " cpu$cpu +irq\.take .*cause=int 0xf[bcd] " "$T/smp.show" | grep -oE "0xf[bcd]" | sort -u | tr '\n' ' ')
    case "$v" in *0xfb*) pass "cpu$cpu takes IPI vectors: $v" ;;
        *) fail "cpu$cpu takes the function-call IPI vector 0xfb" "'$v'" ;; esac
done
# The LAPIC timer in TSC-deadline mode (SDM vol. 3A 10.5.4.1): Linux says
# so, arms IA32_TSC_DEADLINE on every CPU and takes LOCAL_TIMER_VECTOR
# (0xec) when it fires.
expect_line "$T/smp.out" "TSC deadline timer available" "smp console: TSC deadline timer available"
for cpu in 0 1 2 3; do
    ns=$(grep -cE " cpu$cpu +timer\.set +tsc-deadline value=[0-9]+" "$T/smp.show")
    nf=$(grep -cE " cpu$cpu +timer\.fire +tsc-deadline" "$T/smp.show")
    nt=$(grep -cE " cpu$cpu +irq\.take .*cause=int 0xec " "$T/smp.show")
    if [ "$ns" -ge 3 ] && [ "$nf" -ge 3 ] && [ "$nt" -ge "$nf" ]; then
        pass "cpu$cpu: LAPIC TSC-deadline timer armed $ns times, fired $nf, vector 0xec taken $nt"
    else
        fail "cpu$cpu: LAPIC TSC-deadline timer" "set $ns fire $nf take $nt"
    fi
done
# COM1 through the IOAPIC (82093AA: IOREGSEL at 0xfec00000, IOWIN at +0x10;
# redirection entry n at registers 0x10+2n, 0x11+2n): the last value Linux
# wrote to pin 4's low word is unmasked (bit 16 clear) and its vector is
# taken by a CPU.
red4=$(awk '$4 == "mmio" && $5 == "write" && $6 == "0xfec00000" { idx = $8 }
            $4 == "mmio" && $5 == "write" && $6 == "0xfec00010" && idx == "value=0x18" { v = $8 }
            END { sub("value=", "", v); print v }' "$T/smp.show")
if [ -n "$red4" ] && [ $((red4 & 0x10000)) -eq 0 ] && [ $((red4 & 0xff)) -ge 32 ]; then
    vec=$(printf '0x%x' $((red4 & 0xff)))
    ncom=$(grep -cE "irq\.take .*cause=int $vec " "$T/smp.show")
    if [ "$ncom" -ge 1 ]; then
        pass "COM1 through the IOAPIC: pin 4 = $red4 (vector $vec, unmasked), taken $ncom times"
    else
        fail "COM1 through the IOAPIC" "pin 4 = $red4 but no irq.take of vector $vec"
    fi
else
    fail "COM1 through the IOAPIC: pin 4 programmed, unmasked" "last write to entry 4: '$red4'"
fi
if "$HVSIM" replay "$T/smp.hvt" >"$T/smp.replay" 2>&1; then pass "the Linux --smp 4 trace replays identically"; else
    fail "the Linux --smp 4 trace replays" "$(head -5 "$T/smp.replay")"; fi
mv "$T/smp.hvt" "$T/smp1.hvt"
mv "$T/smp.out" "$T/smp1.out" # the trace header names the console file: the same name again
linux "$T/smp.out" --smp 4 --append "$SMP_APPEND" --trace "$T/smp.hvt" --events "$SMP_EVENTS"
if cmp -s "$T/smp.hvt" "$T/smp1.hvt" && cmp -s "$T/smp.out" "$T/smp1.out"; then
    pass "Linux --smp 4 twice: byte-identical traces and console"
else
    fail "Linux --smp 4 twice: byte-identical traces and console"
fi

# --smp 2 and --smp 8 through ACPI (Linux's CONFIG_NR_CPUS is 8).
for n in 2 8; do
    linux "$T/smp$n.out" --smp $n --append "$SMP_APPEND"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qF "smp: Brought up 1 node, $n CPUs" "$T/smp$n.out" &&
        grep -qF "init: hvsim x86_64 Linux test image, $n CPUs online" "$T/smp$n.out" &&
        grep -qF "init: token ring over $n threads: $((50 * n)) passes (want $((50 * n)))" "$T/smp$n.out"; then
        pass "Linux --smp $n: $n CPUs brought up, /init sees $n CPUs online, token ring passes, exit 0"
    else
        fail "Linux --smp $n" "exit $rc: $(grep -E "Brought up|CPUs online|token ring" "$T/smp$n.out" | tr '\n' ' '); $(tail -1 "$T/smp$n.out.err")"
    fi
done

# hvsim explore (docs/explore.md): four scheduling seeds, four different
# interleavings of the 4-CPU boot, each passing.
(cd "$T" && "$HVSIM" explore --seeds 1..4 --jobs 2 --keep "$T/explore" --expect '^init: PASS, powering off' \
    -- --machine x86-pc --smp 4 --kernel "$BZ" --append "$SMP_APPEND" --max-insns "$MAX" \
    >"$T/explore.txt" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "all 4 seeds passed" "$T/explore.txt" &&
    grep -qE "console \"init: PASS, powering off\"; [234] distinct traces" "$T/explore.txt"; then
    pass "explore --seeds 1..4 on Linux --smp 4: every seed passes, the interleavings differ"
else
    fail "explore --seeds 1..4 on Linux --smp 4" "exit $rc: $(cat "$T/explore.txt")"
fi

# ACPI S5: /init leaves isa-debug-exit alone, Linux writes SLP_TYP 5 + SLP_EN.
linux "$T/s5.out" --smp 1 --append "$APPEND hvsim.poweroff=acpi"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "ACPI S5 power-off" "$T/s5.out.err" && grep -q "reboot: Power down" "$T/s5.out"; then
    pass "poweroff through ACPI S5 (PM1a_CNT): exit 0"
else
    fail "poweroff through ACPI S5" "exit $rc: $(tail -1 "$T/s5.out.err"); $(tail -3 "$T/s5.out")"
fi

# acpi=off: the CPUs come from the MP table.
linux "$T/noacpi.out" --smp 2 --append "$APPEND acpi=off"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "Intel MultiProcessor Specification v1.4" "$T/noacpi.out" &&
    grep -q "Processors: 2" "$T/noacpi.out" && ! grep -q "ACPI: RSDP" "$T/noacpi.out"; then
    pass "acpi=off --smp 2: the MP table lists 2 processors, /init passes"
else
    fail "acpi=off --smp 2" "exit $rc: $(grep -E "MultiProcessor|Processors:" "$T/noacpi.out"); $(tail -2 "$T/noacpi.out")"
fi

# --initrd: placed below initrd_addr_max at the top of RAM; Linux reports it.
head -c 300000 /dev/zero >"$T/initrd.img"
linux "$T/initrd.out" --smp 1 --mem 128M --initrd "$T/initrd.img" --append "$APPEND"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "RAMDISK: \[mem 0x07fb6000-0x07ffffff\]" "$T/initrd.out"; then
    pass "--initrd: Linux finds 300000 bytes at 0x7fb6000 (top of 128M, page-aligned)"
else
    fail "--initrd" "exit $rc: $(grep RAMDISK "$T/initrd.out"); $(tail -1 "$T/initrd.out.err")"
fi

# Bad input: exit 2 naming the file.
expect_exit2() { # NAME TEXT ARGS...
    local name=$1 text=$2 rc
    shift 2
    "$HVSIM" run --machine x86-pc "$@" </dev/null >/dev/null 2>"$T/$name.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$T/$name.err"; then pass "$name: exit 2, '$text'"; else
        fail "$name" "exit $rc: $(cat "$T/$name.err")"; fi
}
head -c 2048 "$BZ" >"$T/short.bz"
expect_exit2 truncated-bzimage "--kernel $T/short.bz: malformed setup header" --kernel "$T/short.bz"
cp "$BZ" "$T/old.bz"
printf '\x0b\x02' | dd of="$T/old.bz" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
expect_exit2 old-protocol "--kernel $T/old.bz: boot protocol 2.11" --kernel "$T/old.bz"
head -c $((40 << 20)) /dev/zero >"$T/big.img"
expect_exit2 initrd-too-big "--initrd $T/big.img: 41943040 bytes do not fit" --mem 32M --kernel "$BZ" --initrd "$T/big.img"
expect_exit2 initrd-missing "--initrd $T/nope.img" --kernel "$BZ" --initrd "$T/nope.img"
expect_exit2 bzimage-module "--module: --kernel $BZ is a bzImage" --kernel "$BZ" --module "$T/initrd.img"
# More CPUs than a machine has (CONFIG_MAX_CPUS 64; the MP table and the
# MADT could describe 254 xAPIC IDs, tests/unit/test_pc_tables.c): exit 2
# naming the option or the config file, before any table is built.
expect_exit2 smp-65 "--smp 65: out of range, a machine has 1..64 CPUs" --smp 65 --kernel "$BZ"
expect_exit2 smp-0 "--smp 0: out of range" --smp 0 --kernel "$BZ"
sed 's/^smp = 4$/smp = 65/' "$ROOT/configs/x86-pc.ini" >"$T/smp65.ini"
if "$HVSIM" run -c "$T/smp65.ini" --kernel "$BZ" </dev/null >/dev/null 2>"$T/smp65ini.err"; then rc=0; else rc=$?; fi
if [ "$rc" -eq 2 ] && grep -qF "$T/smp65.ini: [machine] smp 65 is out of range (1..64)" "$T/smp65ini.err"; then
    pass "smp = 65 in a config file: exit 2 naming the file"
else
    fail "smp = 65 in a config file" "exit $rc: $(cat "$T/smp65ini.err")"
fi
summary
