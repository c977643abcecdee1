#!/usr/bin/env bash
# AIA on riscv-virt (docs/riscv.md "AIA"): `--aia imsic[,guests=N]` gives
# every hart an IMSIC (M, S and N guest interrupt files) beside the PLIC.
# Asserts: our test program (tests/firmware/aia) passes on 2 harts with one
# guest file and fails without --aia (the CSRs do not exist); two runs and
# --engine interp record byte-identical traces, replay is identical, the
# MSI is an ipi.send/ipi.deliver with mechanism IMSIC; Debian's OpenSBI
# picks the IMSIC as its IPI device and boots U-Boot; Linux/KVM (its PLIC
# reached through eidelivery = 0x40000000) passes on 4 harts with OpenSBI's
# IPIs as IMSIC MSIs; minihv built with -DMHV_AIA passes with its guests'
# virtual IPIs as MSIs into guest interrupt files (no VM exit, no SBI call);
# the device tree has the riscv,imsics nodes only when
# asked; bad values exit 2.
# The APLIC (--aia aplic: direct delivery; --aia aplic-imsic: MSIs into
# the IMSICs) in the PLIC's place: the test program's APLIC checks, both
# engines, replay, OpenSBI + U-Boot, the device tree.
# Usage: t_aia.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
FW=$ROOT/build/firmware/aia-test.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ ! -f "$FW" ]; then
    fail "aia-test.elf" "missing: make firmware"
    summary
    exit 1
fi

aia_run() { # NAME ARGS...: the test program on 2 harts, sets rc
    local name=$1
    shift
    "$HVSIM" run --smp 2 --bios "$FW" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

# ---- the test program --------------------------------------------------------
aia_run a --aia imsic,guests=1 --trace "$T/a.hvt"
n=$(grep -c '^ok' "$T/a.out")
if [ "$rc" -eq 0 ] && grep -q '^aia-test: PASS' "$T/a.out" && [ "$n" -ge 72 ]; then
    pass "aia-test passes on --aia imsic,guests=1 ($n checks)"
else
    fail "aia-test" "exit $rc: $(grep -m3 -E '^FAIL|^aia-test' "$T/a.out")"
fi
expect_line "$T/a.out" "ok   ipi: hart 1 took its machine external interrupt and claimed 7" "MSI IPI to hart 1"
expect_line "$T/a.out" "ok   guest: mip.SGEIP with hgeie bit 1" "guest file: hgeip/hgeie/SGEIP"
# Smaia/Ssaia filtering and virtual interrupts (mvien/mvip, hvien/hvip, hvictl, hviprio, vstopi)
for l in "virtual S interrupt 20 traps to S-mode: scause = 20" \
    "mvien bit 9: the software SEIP moves to mvip (mip.SEIP read-only, 0) and back" \
    "VS interrupt 21 (hvien/hvip) traps to VS-mode: vscause = 21" \
    "hviprio2: 16 with priority 3 goes before VS SSI (default order: SSI first); IPRIOM shows 3" \
    "hvictl VTI, IID 33, IPRIO 7: vstopi = 33 / 7" "... VS-mode takes interrupt 33 (vscause 33)" \
    "hvictl VTI: VS-mode's csrr sip is a virtual-instruction exception"; do
    expect_line "$T/a.out" "ok   $l" "virtual interrupts: $l"
done
aia_run off
if [ "$rc" -eq 1 ] && grep -q "^FAIL aia: miselect does not exist" "$T/off.out"; then
    pass "without --aia the AIA CSRs do not exist (illegal instruction)"
else
    fail "without --aia" "exit $rc: $(tail -1 "$T/off.out")"
fi

# ---- determinism, engines, replay, the timeline -------------------------------
aia_run b --aia imsic,guests=1 --trace "$T/b.hvt"
aia_run c --aia imsic,guests=1 --trace "$T/c.hvt" --engine interp
if [ -s "$T/a.hvt" ] && cmp -s "$T/a.hvt" "$T/b.hvt" && cmp -s "$T/a.hvt" "$T/c.hvt"; then
    pass "two runs and --engine interp record byte-identical traces"
else
    fail "determinism" "traces differ"
fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.out" 2>&1; then
    pass "replay: $(head -1 "$T/replay.out")"
else
    fail "replay" "$(head -3 "$T/replay.out")"
fi
"$HVSIM" trace show "$T/a.hvt" --events ipi >"$T/ipi.txt" 2>&1
if grep -q 'cpu0 *ipi.send *IMSIC dest={1}' "$T/ipi.txt" && grep -q 'cpu1 *ipi.deliver *IMSIC line=MEI src=0' "$T/ipi.txt"; then
    pass "timeline: ipi.send IMSIC dest={1} from hart 0, ipi.deliver line=MEI on hart 1"
else
    fail "timeline: IMSIC ipi events" "$(head -4 "$T/ipi.txt")"
fi
# SSIP injections: two mip writes and two mvip writes (mvien bit 1 clear, then set)
n=$(grep -c 'cpu0 *ipi.deliver *SIP line=SSI' "$T/ipi.txt")
if [ "$n" -eq 4 ]; then
    pass "timeline: mvip writes of SSIP are ipi.deliver SIP events like mip writes (4)"
else
    fail "timeline: SIP injections" "$n ipi.deliver SIP events, expected 4"
fi

# ---- Debian's OpenSBI uses the IMSIC for IPIs --------------------------------
"$HVSIM" run --smp 2 --aia imsic --kernel "$UBOOT" --max-insns 150000000 </dev/null >"$T/sbi.out" 2>&1
expect_line "$T/sbi.out" "Platform IPI Device       : aia-imsic" "OpenSBI 1.1: IPI device aia-imsic"
expect_line "$T/sbi.out" "U-Boot 2023.01" "U-Boot boots on the board with IMSICs"

# ---- Linux/KVM: the PLIC through eidelivery 0x40000000, SBI IPIs as MSIs ------
IMAGE=$(bash "$ROOT/tests/firmware/linux/build.sh" riscv 2>"$T/build.err" | tail -n1)
if [ -f "$IMAGE" ]; then
    "$HVSIM" run --smp 4 --aia imsic,guests=1 --kernel "$IMAGE" --append "console=ttyS0 earlycon" \
        --serial "file:$T/linux.out" --trace "$T/linux.hvt" </dev/null 2>"$T/linux.err"
    rc=$?
    "$HVSIM" trace stats "$T/linux.hvt" >"$T/linux.stats" 2>&1
    imsic=$(awk '$1 == "IMSIC" { s += $3 } END { print s + 0 }' "$T/linux.stats")
    if [ "$rc" -eq 0 ] && grep -q "init: PASS" "$T/linux.out" && [ "$imsic" -ge 100 ]; then
        pass "Linux/KVM on 4 harts with IMSICs passes; $imsic IPIs were IMSIC MSIs"
    else
        fail "Linux/KVM with IMSICs" "exit $rc, $imsic IMSIC sends: $(tail -2 "$T/linux.out")"
    fi
else
    fail "build the Linux/KVM image" "$(tail -3 "$T/build.err")"
fi

# ---- minihv -DMHV_AIA: virtual IPIs through guest interrupt files, no exits --
if MINIHV_CFLAGS=-DMHV_AIA bash "$ROOT/tests/firmware/minihv/build.sh" "$T/mhv" >"$T/mhv.build" 2>&1; then
    mhv() { "$HVSIM" run --smp 4 --aia imsic,guests=1 --kernel "$T/mhv/minihv.elf" "$@" </dev/null; }
    mhv --trace "$T/mhv1.hvt" >"$T/mhv1.out" 2>&1
    rc=$?
    mhv --trace "$T/mhv2.hvt" >"$T/mhv2.out" 2>&1
    "$HVSIM" trace stats "$T/mhv1.hvt" >"$T/mhv.stats" 2>&1
    # guest IPIs: vm0 vCPU1 -> vCPU0 (hart 1 -> 0), vm1 vCPU0 <-> vCPU1 (harts 2, 3)
    s10=$(awk '$1 == "IMSIC" && $2 == "1->0" { print $3 }' "$T/mhv.stats")
    s23=$(awk '$1 == "IMSIC" && $2 == "2->3" { print $3 }' "$T/mhv.stats")
    s32=$(awk '$1 == "IMSIC" && $2 == "3->2" { print $3 }' "$T/mhv.stats")
    if [ "$rc" -eq 0 ] && grep -q "minihv: all VMs passed" "$T/mhv1.out" &&
        [ "$(grep -c 'ping-pong 100 timer 5 checksum' "$T/mhv1.out")" -eq 4 ] &&
        [ "$(grep -c 'host-ipi 0, host-timer 10; virtual IPIs sent 0' "$T/mhv1.out")" -eq 2 ] &&
        [ "${s10:-0}" -eq 100 ] && [ "${s23:-0}" -eq 100 ] && [ "${s32:-0}" -eq 100 ]; then
        pass "minihv (MHV_AIA): 2 VMs x 100 ping-pongs as IMSIC MSIs guest to guest, no IPI exits, no SBI IPI calls"
    else
        fail "minihv MHV_AIA" "exit $rc, IMSIC 1->0 '$s10' 2->3 '$s23' 3->2 '$s32': $(grep -m2 -E 'exits:|FAIL' "$T/mhv1.out")"
    fi
    if ! grep -q 'ecall-VS' "$T/mhv.stats" || [ "$(awk '/ecall-VS/ { s += $3 } END { print s }' "$T/mhv.stats")" -le 40 ]; then
        pass "minihv (MHV_AIA): at most 40 ecall-VS exits in all (the default build: over 400)"
    else
        fail "minihv MHV_AIA ecall exits" "$(grep ecall-VS "$T/mhv.stats")"
    fi
    if cmp -s "$T/mhv1.hvt" "$T/mhv2.hvt" && "$HVSIM" replay "$T/mhv1.hvt" >/dev/null 2>&1; then
        pass "minihv (MHV_AIA): two runs byte-identical, replay identical"
    else
        fail "minihv MHV_AIA determinism/replay"
    fi
else
    fail "build minihv -DMHV_AIA" "$(tail -3 "$T/mhv.build")"
fi

# ---- the APLIC: direct delivery (--aia aplic) and MSIs (--aia aplic-imsic) ----
aia_run ad --aia aplic --trace "$T/ad.hvt"
n=$(grep -c '^ok' "$T/ad.out")
if [ "$rc" -eq 0 ] && grep -q '^aia: APLIC (direct)' "$T/ad.out" && grep -q '^aia-test: PASS' "$T/ad.out" && [ "$n" -ge 28 ]; then
    pass "APLIC direct delivery (--aia aplic): $n checks pass (IDC topi/claimi/iforce/ithreshold, the UART's level wire, delegation to the S domain)"
else
    fail "APLIC direct" "exit $rc: $(grep -m3 -E '^FAIL|^aia' "$T/ad.out")"
fi
aia_run am --aia aplic-imsic,guests=1 --trace "$T/am.hvt"
n=$(grep -c '^ok' "$T/am.out")
if [ "$rc" -eq 0 ] && grep -q '^aia: APLIC (MSI) + IMSIC' "$T/am.out" && grep -q '^aia-test: PASS' "$T/am.out" &&
    grep -q "^ok   aplic-msi: source 6 lands in guest file 1 as identity 4" "$T/am.out" && [ "$n" -ge 83 ]; then
    pass "APLIC MSI delivery (--aia aplic-imsic,guests=1): $n checks pass (MSIs to the M file and to guest file 1, genmsi)"
else
    fail "APLIC MSI" "exit $rc: $(grep -m3 -E '^FAIL|^aia' "$T/am.out")"
fi
for mode_check in "ad:aplic: edge-rising source: pending on the rising edge, claimi takes it, none on the falling edge, clripnum clears" \
    "ad:aplic: edge-falling source: in_clrip inverted, pending (MEIP) on the falling edge only" \
    "ad:aplic: level-low source: pending while the wire is low (clripnum cannot clear it), not when high" \
    "am:aplic-msi: edge sources: rising (mode 4) and falling (mode 5) edges each send one MSI" \
    "am:aplic-msi: level-high source: MSI when the wire rises, setipnum re-sends only while high" \
    "am:aplic-msi: level-low source: MSI when the wire falls, setipnum ignored while high"; do
    expect_line "$T/${mode_check%%:*}.out" "ok   ${mode_check#*:}" "APLIC source modes: ${mode_check#*:}"
done
aia_run ad2 --aia aplic --trace "$T/ad2.hvt" --engine interp
aia_run am2 --aia aplic-imsic,guests=1 --trace "$T/am2.hvt" --engine interp
if cmp -s "$T/ad.hvt" "$T/ad2.hvt" && cmp -s "$T/am.hvt" "$T/am2.hvt" &&
    "$HVSIM" replay "$T/ad.hvt" >/dev/null 2>&1 && "$HVSIM" replay "$T/am.hvt" >/dev/null 2>&1; then
    pass "APLIC: both modes give the same trace on --engine interp and replay identically"
else
    fail "APLIC determinism/replay"
fi
for mode in aplic aplic-imsic; do
    "$HVSIM" run --smp 2 --aia $mode --kernel "$UBOOT" --max-insns 150000000 </dev/null >"$T/$mode.sbi" 2>&1
    if grep -q "U-Boot 2023.01" "$T/$mode.sbi" && grep -q "Hit any key to stop autoboot" "$T/$mode.sbi"; then
        pass "OpenSBI 1.1 + U-Boot boot with --aia $mode ($(grep -o 'Platform IPI Device *: [a-z-]*' "$T/$mode.sbi" | tr -s ' '))"
    else
        fail "OpenSBI + U-Boot with --aia $mode" "$(tail -2 "$T/$mode.sbi")"
    fi
done
"$HVSIM" run --smp 2 --aia aplic-imsic --dump-dtb "$T/am.dtb" >/dev/null 2>&1
dtc -I dtb -O dts "$T/am.dtb" >"$T/am.dts" 2>/dev/null
if [ "$(grep -c 'compatible = "riscv,aplic"' "$T/am.dts")" -eq 2 ] && ! grep -q 'riscv,plic0' "$T/am.dts" &&
    grep -q 'riscv,delegate = <' "$T/am.dts" && grep -q 'msi-parent' "$T/am.dts" &&
    grep -A3 'serial@10000000' "$T/am.dts" | grep -q 'interrupts = <0x0a 0x04>'; then
    pass "dtb (aplic-imsic): two riscv,aplic domains with msi-parent and riscv,delegate, no PLIC, the UART on the S domain"
else
    fail "dtb with --aia aplic-imsic" "$(grep -E 'aplic|plic|msi-parent' "$T/am.dts" | head -4)"
fi

# ---- the device tree ----------------------------------------------------------
"$HVSIM" run --smp 2 --aia imsic,guests=3 --dump-dtb "$T/aia.dtb" >/dev/null 2>&1
dtc -I dtb -O dts "$T/aia.dtb" >"$T/aia.dts" 2>/dev/null
if [ "$(grep -c 'compatible = "riscv,imsics"' "$T/aia.dts")" -eq 2 ] &&
    grep -q 'imsics@24000000' "$T/aia.dts" && grep -q 'imsics@28000000' "$T/aia.dts" &&
    grep -q 'riscv,guest-index-bits = <0x02>' "$T/aia.dts" &&
    grep -q 'reg = <0x00 0x28000000 0x00 0x8000>' "$T/aia.dts" &&
    grep -q 'riscv,isa = "rv64imafdch_.*_smaia_ssaia"' "$T/aia.dts" &&
    fdtget "$T/aia.dtb" /cpus/cpu@1 riscv,isa-extensions | grep -q ' sstc smaia ssaia$'; then
    pass "dtb: M and S riscv,imsics nodes (guests=3: 4 pages per hart), riscv,isa and riscv,isa-extensions with smaia/ssaia"
else
    fail "dtb with --aia" "$(grep -E 'imsics|guest-index|riscv,isa' "$T/aia.dts" | head -4)"
fi
"$HVSIM" run --smp 2 --dump-dtb "$T/plain.dtb" >/dev/null 2>&1
if dtc -I dtb -O dts "$T/plain.dtb" 2>/dev/null | grep -q imsics; then
    fail "dtb: the default board has no IMSIC nodes"
else
    pass "dtb: the default board has no IMSIC nodes"
fi

# ---- bad values ---------------------------------------------------------------
bad() { # NAME TEXT ARGS...
    local name=$1 text=$2
    shift 2
    "$HVSIM" run "$@" </dev/null >/dev/null 2>"$T/bad.err"
    local r=$?
    if [ "$r" -eq 2 ] && grep -qF -- "$text" "$T/bad.err"; then
        pass "bad value: $name exits 2"
    else
        fail "bad value: $name" "exit $r: $(head -2 "$T/bad.err")"
    fi
}
bad "--aia plic" "[aia] mode 'plic' is not none, imsic, aplic or aplic-imsic" --aia plic
bad "--aia aplic,guests=1" "[aia] guests needs [aia] mode = imsic or aplic-imsic" --aia aplic,guests=1
bad "--aia imsic,guests=8" "[aia] guests '8'" --aia imsic,guests=8
bad "--aia imsic,foo" "--aia: 'imsic,foo'" --aia imsic,foo
summary
