#!/usr/bin/env bash
# race-picture.sh HVSIM [OUT.png] — the README's picture of the lost-IPI race
# (docs/examples/lost-ipi.md), `make race-picture`.
#
# Boots the RISC-V Linux/KVM image (tests/firmware/linux/build.sh riscv,
# cached) with the race-free OpenSBI (tests/firmware/opensbi/build.sh; Debian's
# fw_jump.elf if it cannot be built) on 4 harts, without the start handshake
# (kvmtest.nohandshake=1 kvmtest.vm=2), once per scheduling seed from 0 up,
# until a seed hangs AND its trace shows the lost IPI:
#   - guest vCPU0 (VS mode, hart A) calls SBI HSM hart_start for vCPU1 (entry
#     address E), then sends vCPU1 an SBI IPI (`ipi.send vSBI` on hart A);
#   - KVM on hart A kicks hart B (`ipi.send SBI dest={B}`: the picture's arrow);
#   - vCPU1 (hart B) enters the guest at E (the reset KVM queued) and sleeps;
#   - no `ipi.deliver HVIP line=VSSI` ever follows the send, and no hart
#     enters that guest again to the end of the run (--max-insns).
# Which seeds lose depends on the kernel image and the board, so no seed is
# fixed here. The window of the picture spans hart_start .. vCPU1's last
# sleep, with a margin; it is drawn by `hvsim trace export --format png`.
#
# Environment: RACE_SEEDS (default 0..63), RACE_IMAGE (another Linux/KVM
# Image instead of build.sh's), RACE_KEEP=DIR keeps the chosen
# trace there as seed-S.hvt. Exit status 0 written, 1 no losing seed in
# range (or a run failed), 2 usage/environment.
set -euo pipefail
die() { echo "race-picture: $1" >&2; exit "${2:-2}"; }
[ $# -ge 1 ] || die "usage: $0 HVSIM [OUT.png]"
HVSIM=$(realpath "$1")
[ -x "$HVSIM" ] || die "$1: not an executable (build it: make)"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${2:-$ROOT/docs/lost-ipi.png}
SEEDS=${RACE_SEEDS:-0..63}
case $SEEDS in
*..*) S0=${SEEDS%..*}; S1=${SEEDS#*..} ;;
*) die "RACE_SEEDS=$SEEDS: expected A..B" ;;
esac
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

if [ -n "${RACE_IMAGE:-}" ]; then
    IMAGE=$RACE_IMAGE
    [ -f "$IMAGE" ] || die "RACE_IMAGE=$IMAGE: no such file"
else
    IMAGE=$(bash "$ROOT/tests/firmware/linux/build.sh" riscv 2>"$W/build.err" | tail -n1) || true
    [ -f "$IMAGE" ] || die "tests/firmware/linux/build.sh riscv failed: $(tail -5 "$W/build.err")" 1
fi
FWARGS=()
if FW=$(bash "$ROOT/tests/firmware/opensbi/build.sh" 2>"$W/osbi.err"); then
    FWARGS=(--bios "$FW")
else
    echo "race-picture: race-free OpenSBI not built ($(tail -1 "$W/osbi.err")); using Debian's fw_jump.elf" >&2
fi
APPEND="console=ttyS0 earlycon kvmtest.nohandshake=1 kvmtest.vm=2"
echo "race-picture: image $IMAGE"
echo "race-picture: firmware ${FW:-the default (Debian fw_jump.elf)}"

# lost_ipi TRACE: prints "A B VMID ENTRY T_START T_SEND T_RESET T_SLEEPA T_SLEEPB"
# when TRACE shows the lost IPI, else a reason on stderr and status 1.
lost_ipi() {
    "$HVSIM" trace show "$1" --events sbi,ipi,vm,wfi --no-disasm >"$W/ev.txt" || return 1
    awk '
    function num(s) { return s + 0 }
    function field(name,   i) { for (i = 5; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2); return "" }
    $1 !~ /^[0-9]+$/ { next }
    { t = num($1); cpu = substr($3, 4); k = $4 }
    # guest vCPU0: hart_start from VS (the first one in the run)
    k == "sbi.call" && $5 == "HSM.hart_start" && / from VS / && ts == "" { ts = t; a = cpu; entry = field("a1") }
    { ev[NR] = t " " cpu " " k " " $0 }
    END {
        if (ts == "") { print "no guest hart_start" > "/dev/stderr"; exit 1 }
        for (i = 1; i <= NR; i++) {
            if (!(i in ev)) continue
            split(ev[i], f, " "); t = num(f[1]); cpu = f[2]; k = f[3]; line = ev[i]
            if (k == "vm.exit" && cpu == a && t == ts && match(line, /vmid=[0-9]+/)) vm = substr(line, RSTART + 5, RLENGTH - 5)
        }
        for (i = 1; i <= NR; i++) {
            if (!(i in ev)) continue
            split(ev[i], f, " "); t = num(f[1]); cpu = f[2]; k = f[3]; line = ev[i]
            if (t < ts) continue
            if (k == "ipi.send" && cpu == a && line ~ / vSBI / && (tsend == "" || t < tsend)) tsend = t
            if (k == "vm.entry" && line ~ ("vmid=" vm " pc=" entry " ") && (treset == "" || t < treset)) { treset = t; b = cpu }
        }
        if (tsend == "") { print "no vSBI send after hart_start" > "/dev/stderr"; exit 1 }
        if (treset == "") { print "vCPU1 never entered the guest at " entry > "/dev/stderr"; exit 1 }
        for (i = 1; i <= NR; i++) {
            if (!(i in ev)) continue
            split(ev[i], f, " "); t = num(f[1]); cpu = f[2]; k = f[3]; line = ev[i]
            if (k == "ipi.deliver" && line ~ /line=VSSI/ && t >= tsend && !bad) { print "the IPI was delivered (ipi.deliver VSSI at " t ")" > "/dev/stderr"; bad = 1 }
            if (k == "vm.entry" && t > lastentry) lastentry = t
            if (k == "ipi.send" && cpu == a && line ~ (" SBI dest=[{]" b "[}]") && t >= ts && t <= tsend) kick = t
            if (k == "wfi.sleep" && cpu == b && t > treset && (sb == "" || t < sb)) sb = t
            if (k == "wfi.sleep" && cpu == a && t > tsend && (sa == "" || t < sa)) sa = t
        }
        if (bad) exit 1
        if (kick == "") { print "no host IPI from hart " a " to hart " b " (no arrow to draw)" > "/dev/stderr"; exit 1 }
        if (sb == "" || sa == "") { print "vCPU0 or vCPU1 never slept" > "/dev/stderr"; exit 1 }
        if (lastentry > (sa > sb ? sa : sb)) { print "a vCPU ran again at " lastentry > "/dev/stderr"; exit 1 }
        print a, b, vm, entry, ts, tsend, treset, sa, sb
    }' "$W/ev.txt"
}

found=""
for ((s = S0; s <= S1; s++)); do
    rc=0
    "$HVSIM" run --smp 4 ${FWARGS[@]+"${FWARGS[@]}"} --kernel "$IMAGE" --append "$APPEND" \
        --max-insns 400000000 --sched-seed "$s" --serial "file:$W/seed-$s.out" \
        --trace "$W/seed-$s.hvt" </dev/null 2>"$W/seed-$s.err" || rc=$?
    case $rc in
    0) echo "race-picture: seed $s: passes (the IPI arrived)"; rm -f "$W/seed-$s.hvt"; continue ;;
    3) ;;
    *) die "seed $s: hvsim run exit $rc: $(tail -2 "$W/seed-$s.err")" 1 ;;
    esac
    if r=$(lost_ipi "$W/seed-$s.hvt" 2>"$W/why"); then
        found=$s
        break
    fi
    echo "race-picture: seed $s: hangs, but not the lost IPI: $(cat "$W/why")"
    rm -f "$W/seed-$s.hvt"
done
[ -n "$found" ] || die "no seed in $SEEDS lost the IPI" 1
read -r A B VM ENTRY TS TSEND TRESET SA SB <<<"$r"
echo "race-picture: seed $found loses the IPI: vCPU0 on hart $A, vCPU1 on hart $B, VMID $VM"
echo "race-picture:   $TS hart $A hart_start (entry $ENTRY); $TSEND hart $A ipi.send vSBI;" \
     "$TRESET hart $B enters at $ENTRY (reset); $SA hart $A sleeps; $SB hart $B sleeps"
# The window: hart_start .. the later sleep, with an eighth before and a
# third after (the sleep goes on to the end of the run).
last=$((SA > SB ? SA : SB))
span=$((last - TS))
FROM=$((TS - span / 8))
TO=$((last + span / 3))
# (from inside $W: the picture's footer names the trace file as given)
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
(cd "$W" && mv "seed-$found.hvt" "lost-ipi-seed-$found.hvt" &&
    "$HVSIM" trace export "lost-ipi-seed-$found.hvt" --format png -o "$OUT" --from "$FROM" --to "$TO" \
        --width 1280 --hide timer,mmio)
if [ -n "${RACE_KEEP:-}" ]; then
    mkdir -p "$RACE_KEEP" && cp "$W/lost-ipi-seed-$found.hvt" "$RACE_KEEP/seed-$found.hvt" &&
        echo "race-picture: trace kept: $RACE_KEEP/seed-$found.hvt"
fi
echo "race-picture: wrote $OUT (seed $found, window $FROM..$TO ticks)"
