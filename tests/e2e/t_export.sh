#!/usr/bin/env bash
# hvsim trace export: a short 4-hart OpenSBI + U-Boot boot recorded with
# --events all, exported as Perfetto protobuf, Chrome JSON and VCD, each
# checked with an outside tool (protoc --decode_raw, jq, awk on the VCD
# grammar); a tiny M-mode program in which hart 3 IPIs harts 0-2 checks the
# whole send -> deliver -> irq.take chain and msip rising and falling; the
# host-side mistakes exit 2 with a message.
# Usage: t_export.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for tool in jq protoc; do
    command -v "$tool" >/dev/null || { fail "needs $tool (bash scripts/deps.sh)"; summary; exit 1; }
done

# ---- 1. the boot: OpenSBI wakes harts 1-3 with ACLINT MSWI IPIs ----------
"$HVSIM" run --smp 4 --kernel "$UBOOT" --max-insns 60000000 --serial none \
    --trace "$T/boot.hvt" --events all 2>"$T/boot.err"
rc=$?
if [ "$rc" -eq 3 ] && [ -s "$T/boot.hvt" ]; then pass "recorded a 4-hart boot"; else
    fail "recorded a 4-hart boot" "exit $rc: $(tail -1 "$T/boot.err")"; fi

for fmt in perfetto chrome vcd; do
    if "$HVSIM" trace export "$T/boot.hvt" --format $fmt -o "$T/boot.$fmt" 2>"$T/$fmt.err" &&
        [ -s "$T/boot.$fmt" ]; then
        pass "export --format $fmt"
    else
        fail "export --format $fmt" "$(cat "$T/$fmt.err")"
    fi
done

# ---- chrome JSON ----
J=$T/boot.chrome
if jq -e '.traceEvents | length > 0' "$J" >/dev/null 2>&1 &&
    [ "$(jq -r '.displayTimeUnit' "$J")" = ns ]; then pass "chrome: valid JSON"; else
    fail "chrome: valid JSON" "$(jq . "$J" 2>&1 >/dev/null | head -2)"; fi
n=$(jq '[.traceEvents[] | select(.ph == "M" and .name == "thread_name")] | length' "$J")
names=$(jq -r '[.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] | join(",")' "$J")
if [ "$n" = 4 ] && [ "$names" = "hart 0,hart 1,hart 2,hart 3" ]; then
    pass "chrome: 4 thread_name entries"; else fail "chrome: 4 thread_name entries" "$n: $names"; fi
# an MSWI flow: starts on an ipi.send MSWI of hart 0, finishes on another hart
flows=$(jq '[.traceEvents[] | select(.ph == "s") | .id] as $s
            | [.traceEvents[] | select(.ph == "f") | .id] as $f
            | [$s[] | select(. as $i | $f | index($i))] | length' "$J")
mswi=$(jq '[.traceEvents[] | select(.ph == "X" and .name == "ipi.send MSWI")] | length' "$J")
if [ "${flows:-0}" -ge 1 ] && [ "${mswi:-0}" -ge 1 ]; then
    pass "chrome: IPI flows start and finish with equal ids ($flows)"; else
    fail "chrome: IPI flows start and finish with equal ids" "flows $flows, MSWI sends $mswi"; fi
unbalanced=$(jq '[.traceEvents[] | select(.ph == "B" or .ph == "E")] | group_by(.tid)
                 | map(select(([.[] | select(.ph == "B")] | length)
                              != ([.[] | select(.ph == "E")] | length))) | length' "$J")
nb=$(jq '[.traceEvents[] | select(.ph == "B")] | length' "$J")
if [ "$unbalanced" = 0 ] && [ "$nb" -ge 1 ]; then pass "chrome: B/E balanced per tid ($nb slices)"; else
    fail "chrome: B/E balanced per tid" "$unbalanced tids unbalanced"; fi
# B/E nest properly on every track (stack never goes negative, ts never decreases)
bad=$(jq '[.traceEvents[] | select(.ph == "B" or .ph == "E")] | group_by(.tid)
          | map(reduce .[] as $e ({d: 0, t: 0, bad: false};
                  .bad = (.bad or $e.ts < .t) | .t = $e.ts
                  | .d += (if $e.ph == "B" then 1 else -1 end) | .bad = (.bad or .d < 0))
                | select(.bad)) | length' "$J")
if [ "$bad" = 0 ]; then pass "chrome: slices nest in time order"; else
    fail "chrome: slices nest in time order" "$bad tracks"; fi

# ---- perfetto ----
if protoc --decode_raw <"$T/boot.perfetto" >"$T/boot.pftxt" 2>"$T/protoc.err"; then
    pass "perfetto: protoc --decode_raw parses it"; else
    fail "perfetto: protoc --decode_raw parses it" "$(head -2 "$T/protoc.err")"; fi
missing=""
for h in 0 1 2 3; do grep -qF "\"hart $h\"" "$T/boot.pftxt" || missing="$missing hart$h"; done
if [ -z "$missing" ]; then pass "perfetto: 4 hart tracks"; else fail "perfetto: 4 hart tracks" "missing$missing"; fi
start=$(awk '$1 == "47:" {print $2}' "$T/boot.pftxt" | sort -u)
end=$(awk '$1 == "48:" {print $2}' "$T/boot.pftxt" | sort -u)
common=$(comm -12 <(echo "$start") <(echo "$end") | grep -c .)
if [ "$common" -ge 1 ]; then pass "perfetto: flow_ids end in terminating_flow_ids ($common)"; else
    fail "perfetto: flow_ids end in terminating_flow_ids"; fi
# packets: track descriptors (60) first, then track events (11) with timestamps
first_te=$(grep -n '^  11 {' "$T/boot.pftxt" | head -1 | cut -d: -f1)
last_td=$(grep -n '^  60 {' "$T/boot.pftxt" | tail -1 | cut -d: -f1)
if [ -n "$first_te" ] && [ -n "$last_td" ] && [ "$last_td" -lt "$first_te" ]; then
    pass "perfetto: track descriptors before events"; else
    fail "perfetto: track descriptors before events"; fi

# ---- VCD ----
V=$T/boot.vcd
vcd_header_ok() {
    grep -q '^\$timescale 1 ns \$end$' "$1" && grep -q '^\$scope module hvsim \$end$' "$1" &&
        grep -q '^\$upscope \$end$' "$1" && grep -q '^\$enddefinitions \$end$' "$1"
}
if vcd_header_ok "$V"; then pass "vcd: header"; else fail "vcd: header"; fi
nvar=$(grep -c '^\$var wire [12] [!-~]* hart[0-3]_[a-z_]* \(\[1:0\] \)\?\$end$' "$V")
nuniq=$(grep '^\$var' "$V" | awk '{print $5}' | sort -u | wc -l)
nids=$(grep '^\$var' "$V" | awk '{print $4}' | sort -u | wc -l)
if [ "$nvar" = 28 ] && [ "$nuniq" = 28 ] && [ "$nids" = 28 ]; then
    pass "vcd: one \$var per signal (28)"; else fail "vcd: one \$var per signal" "$nvar vars, $nuniq names, $nids ids"; fi
# after the header: only #time, value changes of declared ids, $dumpvars/$end
check_body() {
    awk 'BEGIN { bad = 0 }
         /^\$var/ { ids[$4] = $3 }
         /^\$enddefinitions/ { body = 1; next }
         !body { next }
         /^#[0-9]+$/ { t = substr($0, 2) + 0; if (seen && t <= last) { bad = 1; print "time " t " after " last }
                       last = t; seen = 1; next }
         /^\$dumpvars$/ || /^\$end$/ { next }
         /^[01xz][!-~]+$/ { if (!(substr($0, 2) in ids) || ids[substr($0, 2)] != 1) { bad = 1; print "bad " $0 } next }
         /^b[01xz]+ [!-~]+$/ { if (!($2 in ids)) { bad = 1; print "bad " $0 } next }
         { bad = 1; print "bad line: " $0 }
         END { exit bad }' "$1"
}
if out=$(check_body "$V"); then pass "vcd: value changes valid, times strictly increasing"; else
    fail "vcd: value changes valid, times strictly increasing" "$(echo "$out" | head -2)"; fi
# GTKWave's own VCD reader, where installed (package gtkwave, not a dependency)
if command -v vcd2fst >/dev/null && command -v fst2vcd >/dev/null; then
    if vcd2fst "$V" "$T/boot.fst" >/dev/null 2>&1 &&
        [ "$(fst2vcd "$T/boot.fst" 2>/dev/null | grep -c '^#')" = "$(grep -c '^#' "$V")" ]; then
        pass "vcd: GTKWave's vcd2fst reads it"; else fail "vcd: GTKWave's vcd2fst reads it"; fi
fi
# OpenSBI's wake-up IPI sets hart 1's msip (it polls, so nothing clears it here)
vcd_trace() { # FILE SIGNAL: the values SIGNAL takes after the header, one per line
    local id
    id=$(awk -v n="$2" '$1 == "$var" && $5 == n {print $4}' "$1")
    awk -v id="$id" '/^\$enddefinitions/ {b = 1; next} b && substr($0, 2) == id {print substr($0, 1, 1)}' "$1"
}
if [ "$(vcd_trace "$V" hart1_msip | tr -d '\n')" = 01 ]; then pass "vcd: hart1_msip set by the boot IPI"; else
    fail "vcd: hart1_msip set by the boot IPI" "$(vcd_trace "$V" hart1_msip | tr -d '\n')"; fi

# same input, same bytes
"$HVSIM" trace export "$T/boot.hvt" --format perfetto -o "$T/again.perfetto" &&
    cmp -s "$T/boot.perfetto" "$T/again.perfetto" && pass "export is deterministic" ||
    fail "export is deterministic"

# ---- 2. send -> deliver -> irq.take: hart 3 IPIs harts 0-2 ---------------
# Hart 3 runs last in each round, so its IPIs are taken in the next round,
# later in virtual time: every flow can reach its irq.take.
cat >"$T/ipi.S" <<'EOF'
    .section .text.init
    .globl _start
_start:
    csrr  t0, mhartid
    la    t1, handler
    csrw  mtvec, t1
    li    t1, 3
    beq   t0, t1, sender
    li    t1, 8               /* mie.MSIE */
    csrw  mie, t1
    csrsi mstatus, 8          /* mstatus.MIE */
1:  wfi
    j     1b
sender:
    li    t2, 2000
2:  addi  t2, t2, -1
    bnez  t2, 2b
    li    t1, 0x2000000       /* ACLINT MSWI: msip of hart h at +4h */
    li    t2, 1
    sw    t2, 0(t1)
    sw    t2, 4(t1)
    sw    t2, 8(t1)
    la    t3, acks
    li    t5, 3
3:  lw    t4, 0(t3)
    blt   t4, t5, 3b
    li    t1, 0x100000        /* sifive_test: pass */
    li    t2, 0x5555
    sw    t2, 0(t1)
4:  j     4b
handler:                      /* clear own msip, count, no more interrupts */
    csrr  t0, mhartid
    slli  t0, t0, 2
    li    t1, 0x2000000
    add   t1, t1, t0
    sw    zero, 0(t1)
    la    t3, acks
    li    t4, 1
    amoadd.w zero, t4, (t3)
    csrw  mie, zero
    mret
    .data
    .align 3
acks: .word 0
EOF
if riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static \
    -mcmodel=medany -T ../isa/link.ld -o "$T/ipi.elf" "$T/ipi.S" 2>"$T/cc.err" &&
    "$HVSIM" run --smp 4 --bios "$T/ipi.elf" --max-insns 1000000 --serial none \
        --trace "$T/ipi.hvt" --events all 2>"$T/ipi.err"; then
    pass "recorded the IPI program"
else
    fail "recorded the IPI program" "$(cat "$T/cc.err") $(tail -1 "$T/ipi.err")"
fi
"$HVSIM" trace export "$T/ipi.hvt" --format vcd -o "$T/ipi.vcd" &&
    "$HVSIM" trace export "$T/ipi.hvt" --format chrome -o "$T/ipi.chrome" &&
    "$HVSIM" trace export "$T/ipi.hvt" --format perfetto -o "$T/ipi.perfetto" ||
    fail "export the IPI program"
if [ "$(vcd_trace "$T/ipi.vcd" hart1_msip | tr -d '\n')" = 010 ]; then pass "vcd: hart1_msip goes 1 then 0"; else
    fail "vcd: hart1_msip goes 1 then 0" "$(vcd_trace "$T/ipi.vcd" hart1_msip | tr -d '\n')"; fi
if check_body "$T/ipi.vcd" >/dev/null; then pass "vcd: IPI program well formed"; else
    fail "vcd: IPI program well formed"; fi
# each of the 3 flows: s on hart 3, t (deliver) and f (irq.take slice) on the target
chain=$(jq -r '[.traceEvents[] | select(.ph == "s" or .ph == "t" or .ph == "f")] | group_by(.id)
               | map(map(.ph + (.tid | tostring)) | join("")) | join(" ")' "$T/ipi.chrome")
if [ "$chain" = "s3t0f0 s3t1f1 s3t2f2" ]; then pass "chrome: flows send -> deliver -> irq.take"; else
    fail "chrome: flows send -> deliver -> irq.take" "$chain"; fi
takes=$(jq '[.traceEvents[] | select(.ph == "B" and .name == "M: irq MSI")] | length' "$T/ipi.chrome")
if [ "$takes" = 3 ]; then pass "chrome: 3 M-mode software-interrupt slices"; else
    fail "chrome: 3 M-mode software-interrupt slices" "$takes"; fi
nterm=$(protoc --decode_raw <"$T/ipi.perfetto" | grep -c '^ *48: ')
if [ "$nterm" = 3 ]; then pass "perfetto: 3 flows terminate"; else fail "perfetto: 3 flows terminate" "$nterm"; fi

# ---- 3. host-side mistakes: exit 2, one message naming the problem ----------
expect_err() { # NAME PATTERN ARGS...: exit 2, stderr matches PATTERN
    local name=$1 pat=$2
    shift 2
    "$HVSIM" trace export "$@" >"$T/e.out" 2>"$T/e.err"
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -q -- "$pat" "$T/e.err"; then pass "$name"; else
        fail "$name" "exit $rc: $(head -1 "$T/e.err")"; fi
}
expect_err "missing --format" "missing --format" "$T/boot.hvt" -o "$T/x.json"
expect_err "missing -o" "missing -o" "$T/boot.hvt" --format chrome
expect_err "missing trace file" "missing trace file" --format chrome -o "$T/x.json"
expect_err "unknown format" "unknown --format 'svg'\|unknown --format svg" "$T/boot.hvt" --format svg -o "$T/x.svg"
expect_err "unknown option" "unknown option --frobnicate" "$T/boot.hvt" --format vcd -o "$T/x.vcd" --frobnicate
expect_err "missing trace" "$T/nope.hvt: No such file" "$T/nope.hvt" --format vcd -o "$T/x.vcd"
printf 'definitely not a trace' >"$T/junk.hvt"
expect_err "not a trace" "junk.hvt: not an hvsim trace" "$T/junk.hvt" --format vcd -o "$T/x.vcd"
sz=$(stat -c %s "$T/boot.hvt")
head -c $((sz - 20)) "$T/boot.hvt" >"$T/cut.hvt"
expect_err "truncated trace" "cut.hvt: .*\(truncated\|corrupt\)" "$T/cut.hvt" --format perfetto -o "$T/x.pf"
expect_err "unwritable output" "-o $T/no/such/dir/x.vcd: No such file" "$T/boot.hvt" --format vcd -o "$T/no/such/dir/x.vcd"
if [ ! -e "$T/x.vcd" ] && [ ! -e "$T/x.pf" ] && [ ! -e "$T/x.json" ]; then
    pass "no output file after an error"; else fail "no output file after an error"; fi

summary
