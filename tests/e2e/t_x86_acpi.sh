#!/usr/bin/env bash
# x86-pc firmware tables (docs/x86.md "Firmware tables"): `hvsim run
# --dump-acpi DIR` for --smp 1, 4 and 8 writes RSDP, RSDT, XSDT, FACP, FACS,
# DSDT and APIC (MADT); every table's checksum is right (the RSDP's two),
# `iasl -d` disassembles each table with a header (its loader cannot read a
# bare RSDP), the MADT lists n processors with LAPIC IDs 0..n-1 and the
# IOAPIC with ID n at 0xFEC00000, the RSDT/XSDT point at the FADT and MADT,
# the DSDT has \_SB and \_S5; two dumps are byte-identical; bad uses exit 2.
# Usage: t_x86_acpi.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

bytesum() { # FILE [COUNT]: sum of the first COUNT (default all) bytes mod 256
    od -An -tu1 -v ${2:+-N "$2"} "$1" | awk '{for (i = 1; i <= NF; i++) s += $i} END {print s % 256}'
}

if ! command -v iasl >/dev/null; then
    fail "iasl (acpica-tools, scripts/deps.sh) is installed"
    summary
    exit 1
fi

for n in 1 4 8; do
    d=$T/smp$n
    if "$HVSIM" run --machine x86-pc --smp "$n" --dump-acpi "$d" 2>"$T/dump$n.err"; then
        pass "--smp $n: --dump-acpi exit 0"
    else
        fail "--smp $n: --dump-acpi" "$(cat "$T/dump$n.err")"
        continue
    fi
    missing=""
    for t in RSDP RSDT XSDT FACP FACS DSDT APIC; do
        [ -s "$d/$t.dat" ] || missing="$missing $t"
    done
    if [ -z "$missing" ]; then pass "--smp $n: all seven tables written"; else
        fail "--smp $n: tables written" "missing:$missing"; fi
    bad=""
    for t in RSDT XSDT FACP DSDT APIC; do
        [ "$(bytesum "$d/$t.dat")" = 0 ] || bad="$bad $t"
    done
    [ "$(bytesum "$d/RSDP.dat" 20)" = 0 ] || bad="$bad RSDP(20)"
    [ "$(bytesum "$d/RSDP.dat")" = 0 ] || bad="$bad RSDP(36)"
    if [ -z "$bad" ]; then pass "--smp $n: checksums right"; else
        fail "--smp $n: checksums" "wrong:$bad"; fi
    bad=""
    for t in RSDT XSDT FACP FACS DSDT APIC; do
        (cd "$d" && iasl -d "$t.dat" >"$T/iasl-$n-$t.log" 2>&1) && [ -s "$d/$t.dsl" ] || bad="$bad $t"
        ! grep -qiE "^ *(\*\*\*\*|.*error)" "$d/$t.dsl" 2>/dev/null || bad="$bad $t(errors)"
    done
    if [ -z "$bad" ]; then pass "--smp $n: iasl -d reads every table"; else
        fail "--smp $n: iasl -d" "failed:$bad $(tail -3 "$T/iasl-$n-${bad%% *}.log" 2>/dev/null)"; fi
    cpus=$(grep -c "Subtable Type : 00 \[Processor Local APIC\]" "$d/APIC.dsl")
    ids=$(grep "Local Apic ID :" "$d/APIC.dsl" | awk '{print $NF}' | tr '\n' ' ')
    want=$(for ((i = 0; i < n; i++)); do printf '%02X ' "$i"; done)
    if [ "$cpus" = "$n" ] && [ "$ids" = "$want" ]; then
        pass "--smp $n: MADT lists $n CPUs, LAPIC IDs $want"
    else
        fail "--smp $n: MADT CPUs" "$cpus entries, IDs '$ids' (want '$want')"
    fi
    if grep -q "I/O Apic ID : $(printf '%02X' "$n")" "$d/APIC.dsl" && grep -q "Address : FEC00000" "$d/APIC.dsl" &&
        grep -A2 "Source : 00" "$d/APIC.dsl" | grep -q "Interrupt : 00000002" &&
        grep -q "Interrupt Input LINT : 01" "$d/APIC.dsl"; then
        pass "--smp $n: IOAPIC ID $n at 0xFEC00000, IRQ0->GSI2 override, LAPIC NMI on LINT1"
    else
        fail "--smp $n: MADT IOAPIC/ISO/NMI" "$(grep -E "I/O Apic ID|Address|Interrupt" "$d/APIC.dsl")"
    fi
done

d=$T/smp4
if [ "$(grep -c "ACPI Table Address" "$d/XSDT.dsl")" = 2 ] && [ "$(grep -c "ACPI Table Address" "$d/RSDT.dsl")" = 2 ]; then
    pass "RSDT and XSDT point at two tables (FADT, MADT)"
else
    fail "RSDT/XSDT entries" "$(grep "Table Address" "$d/RSDT.dsl" "$d/XSDT.dsl")"
fi
if grep -q "Hardware Reduced (V5) : 0" "$d/FACP.dsl" && grep -q "PM1A Control Block Address : 00000604" "$d/FACP.dsl" &&
    grep -q "SCI Interrupt : 0009" "$d/FACP.dsl"; then
    pass "FADT: PM1a blocks at 0x600/0x604, SCI 9, not hardware-reduced"
else
    fail "FADT fields" "$(grep -E "Hardware Reduced|PM1A|SCI" "$d/FACP.dsl")"
fi
if grep -q 'Scope (\\_SB)' "$d/DSDT.dsl" && grep -q "Name (_S5, Package" "$d/DSDT.dsl"; then
    pass "DSDT: Scope (\\_SB) and \\_S5"
else
    fail "DSDT contents" "$(grep -v '^ \*' "$d/DSDT.dsl")"
fi
"$HVSIM" run --machine x86-pc --smp 4 --dump-acpi "$T/again" 2>/dev/null
if cmp -s "$d/APIC.dat" "$T/again/APIC.dat" && cmp -s "$d/FACP.dat" "$T/again/FACP.dat" &&
    cmp -s "$d/RSDP.dat" "$T/again/RSDP.dat"; then
    pass "two dumps are byte-identical"
else
    fail "two dumps are byte-identical"
fi

# Bad uses: exit 2 with a message naming the option.
"$HVSIM" run --dump-acpi "$T/rv" >/dev/null 2>"$T/rv.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "dump-acpi" "$T/rv.err"; then pass "riscv-virt --dump-acpi: exit 2 naming the option"; else
    fail "riscv-virt --dump-acpi" "exit $rc: $(cat "$T/rv.err")"; fi
"$HVSIM" run --machine x86-pc --dump-acpi "" >/dev/null 2>"$T/empty.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "dump-acpi" "$T/empty.err"; then pass "--dump-acpi '': exit 2"; else
    fail "--dump-acpi ''" "exit $rc: $(cat "$T/empty.err")"; fi
: >"$T/afile"
"$HVSIM" run --machine x86-pc --dump-acpi "$T/afile/sub" >/dev/null 2>"$T/file.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "afile/sub" "$T/file.err"; then pass "--dump-acpi into a non-directory: exit 2 naming it"; else
    fail "--dump-acpi into a non-directory" "exit $rc: $(cat "$T/file.err")"; fi
"$HVSIM" run --machine x86-pc --smp 65 --dump-acpi "$T/big" >/dev/null 2>"$T/big.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "smp" "$T/big.err"; then pass "--smp 65: exit 2 naming --smp"; else
    fail "--smp 65" "exit $rc: $(cat "$T/big.err")"; fi
summary
