#!/usr/bin/env bash
# Sdtrig debug triggers (docs/riscv.md "Debug triggers (Sdtrig)"): the ISA
# test sdtrig.S passes on both engines with byte-identical traces, twice
# the same bytes, and replays; sdtrig_off.S (default board: the trigger CSRs
# are illegal); without [cpu] triggers the count defaults to 4; the DTB's
# riscv,isa names sdtrig only when enabled; OpenSBI boots with triggers;
# bad [cpu] triggers values exit 2 naming the key.
# Usage: t_rv_sdtrig.sh HVSIM   (needs build/isa/sdtrig*.elf: make isa-build)
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
ELF=$ROOT/build/isa/sdtrig.elf
OFF=$ROOT/build/isa/sdtrig_off.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
BASE=rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc
printf '[cpu]\nisa = %s_sdtrig\ntriggers = 4\n' "$BASE" >"$T/trig.ini"

if [ -f "$ELF" ]; then
    ok=1
    for eng in fast interp; do
        "$HVSIM" run -c "$T/trig.ini" --smp 1 --bios "$ELF" --serial none --max-insns 2000000 \
            --engine "$eng" --events all --check-interval 200 --trace "$T/t.$eng.hvt" \
            </dev/null >"$T/t.$eng.out" 2>&1
        rc=$?
        if [ "$rc" -ne 0 ]; then
            fail "sdtrig on --engine $eng" "exit $rc: $(tail -1 "$T/t.$eng.out")"
            ok=0
        fi
    done
    if [ "$ok" = 1 ]; then
        nbp=$("$HVSIM" trace show "$T/t.fast.hvt" 2>/dev/null | grep -c "cause=breakpoint")
        if cmp -s "$T/t.fast.hvt" "$T/t.interp.hvt" && [ "$nbp" -ge 25 ]; then
            pass "sdtrig: passes on both engines, byte-identical traces (all events, $nbp breakpoints)"
        else
            fail "sdtrig: the engines' traces differ"
        fi
        "$HVSIM" run -c "$T/trig.ini" --smp 1 --bios "$ELF" --serial none --max-insns 2000000 \
            --events all --check-interval 200 --trace "$T/t.again.hvt" </dev/null >/dev/null 2>&1
        if cmp -s "$T/t.fast.hvt" "$T/t.again.hvt"; then
            pass "sdtrig: the same run twice records the same bytes"
        else
            fail "sdtrig: two runs differ"
        fi
        if "$HVSIM" replay "$T/t.fast.hvt" >"$T/replay.txt" 2>&1; then
            pass "sdtrig: the recording replays"
        else
            fail "sdtrig: replay" "$(tail -2 "$T/replay.txt")"
        fi
    fi
    # sdtrig without [cpu] triggers: 4 triggers (the test enumerates 4)
    "$HVSIM" run --isa "${BASE}_sdtrig" --smp 1 --bios "$ELF" --serial none \
        --max-insns 2000000 </dev/null >"$T/t4.out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "sdtrig in --isa without [cpu] triggers: 4 triggers"
    else
        fail "sdtrig default count" "exit $rc: $(tail -1 "$T/t4.out")"
    fi
    # 2 triggers: enumeration (test 2: tselect 3 must read back) fails
    printf '[cpu]\nisa = %s_sdtrig\ntriggers = 2\n' "$BASE" >"$T/t2.ini"
    "$HVSIM" run -c "$T/t2.ini" --smp 1 --bios "$ELF" --serial none \
        --max-insns 2000000 </dev/null >"$T/t2.out" 2>&1
    if grep -qF "HTIF exit code 2," "$T/t2.out"; then
        pass "triggers = 2: tselect = 3 does not exist (test 2 fails)"
    else
        fail "triggers = 2" "$(tail -1 "$T/t2.out")"
    fi
    # the default board has no triggers: the same program fails at test 2
    "$HVSIM" run --smp 1 --bios "$ELF" --serial none --max-insns 2000000 \
        </dev/null >"$T/t0.out" 2>&1
    rc=$?
    if [ "$rc" -eq 1 ]; then
        pass "sdtrig.S on the default board fails (exit 1): no triggers"
    else
        fail "sdtrig.S on the default board" "exit $rc"
    fi
else
    fail "sdtrig" "missing $ELF (make isa-build)"
fi

if [ -f "$OFF" ]; then
    ok=1
    for eng in fast interp; do
        "$HVSIM" run --smp 1 --bios "$OFF" --serial none --max-insns 2000000 --engine "$eng" \
            --trace "$T/off.$eng.hvt" </dev/null >"$T/off.$eng.out" 2>&1 || ok=0
    done
    if [ "$ok" = 1 ] && cmp -s "$T/off.fast.hvt" "$T/off.interp.hvt"; then
        pass "sdtrig_off: trigger CSRs illegal on the default board, both engines"
    else
        fail "sdtrig_off" "$(tail -1 "$T/off.fast.out")"
    fi
else
    fail "sdtrig_off" "missing $OFF (make isa-build)"
fi

"$HVSIM" run -c "$T/trig.ini" --smp 2 --dump-dtb "$T/trig.dtb" </dev/null >/dev/null 2>&1
"$HVSIM" run --smp 2 --dump-dtb "$T/def.dtb" </dev/null >/dev/null 2>&1
isa=$(fdtget "$T/trig.dtb" /cpus/cpu@1 riscv,isa 2>&1)
disa=$(fdtget "$T/def.dtb" /cpus/cpu@1 riscv,isa 2>&1)
if [ "$isa" = "${BASE}_sdtrig" ] && [ "$disa" = "$BASE" ]; then
    pass "DTB: riscv,isa names sdtrig only when enabled"
else
    fail "DTB riscv,isa" "with: '$isa' default: '$disa'"
fi

if [ -f "$OPENSBI" ]; then
    "$HVSIM" run -c "$T/trig.ini" --bios "$OPENSBI" --smp 1 --max-insns 30000000 \
        </dev/null >"$T/sbi.out" 2>&1
    expect_line "$T/sbi.out" "Boot HART MEDELEG         : 0x0000000000f0b509" "OpenSBI boots with triggers"
else
    fail "OpenSBI" "missing $OPENSBI"
fi

for bad in 0 17 x; do
    printf '[cpu]\nisa = %s_sdtrig\ntriggers = %s\n' "$BASE" "$bad" >"$T/bad.ini"
    "$HVSIM" run -c "$T/bad.ini" --max-insns 10 </dev/null >/dev/null 2>"$T/bad.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF "[cpu] triggers" "$T/bad.err"; then
        pass "triggers = $bad: exit 2 naming the key"
    else
        fail "triggers = $bad" "exit $rc: $(cat "$T/bad.err")"
    fi
done
printf '[cpu]\ntriggers = 2\n' >"$T/nosd.ini"
"$HVSIM" run -c "$T/nosd.ini" --max-insns 10 </dev/null >/dev/null 2>"$T/nosd.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -qF "needs sdtrig" "$T/nosd.err"; then
    pass "triggers without sdtrig in [cpu] isa: exit 2"
else
    fail "triggers without sdtrig" "exit $rc: $(cat "$T/nosd.err")"
fi

# random code with triggers armed (as chaos.sh, in M and VS mode): every
# load/store (mcontrol6 napot over the low half of the address space),
# icount every 7 instructions, an execute range, an etrigger; the handler
# skips the instruction. Both engines: a guest-level exit, identical traces.
for v in M VS; do
    cat >"$T/pro$v.S" <<'ASM'
        .section .text
        .globl _start
_start:
        li      t0, 1
        slli    t0, t0, 31
        addi    t1, t0, 0x100
        csrw    mtvec, t1
        li      t2, -1
        csrw    pmpaddr0, t2
        li      t1, 0x1f
        csrw    pmpcfg0, t1
        csrwi   0x7a5, 8                /* tcontrol.mte */
        csrwi   0x7a0, 0                /* mcontrol6 ld/st, napot, all modes */
        li      t1, 0x3fffffffffffffff
        csrw    0x7a2, t1
        li      t1, (6 << 60) | (3 << 23) | (1 << 7) | 0x5b
        csrw    0x7a1, t1
        csrwi   0x7a0, 1                /* icount 7, all modes */
        li      t1, (3 << 60) | (3 << 25) | (7 << 10) | 0x2c0
        csrw    0x7a1, t1
        csrwi   0x7a0, 2                /* execute >= 0x80000400, 32-bit insns */
        li      t1, 0x80000400
        csrw    0x7a2, t1
        li      t1, (6 << 60) | (3 << 23) | (3 << 16) | (2 << 7) | 0x5c
        csrw    0x7a1, t1
        csrwi   0x7a0, 3                /* etrigger: illegal instruction, all modes */
        li      t1, 4
        csrw    0x7a2, t1
        li      t1, (5 << 60) | (3 << 11) | 0x2c0
        csrw    0x7a1, t1
        addi    t0, t0, 0x200
        csrw    mepc, t0
#ifdef VS
        li      t1, 1
        slli    t1, t1, 39
        li      t2, 0x800
        or      t1, t1, t2
#else
        li      t1, 0x1800
#endif
        csrs    mstatus, t1
        mret
        .org    0x100
handler:
        csrr    t0, mepc
        addi    t0, t0, 4
        csrw    mepc, t0
        mret
        .org    0x200
ASM
    riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -c $([ $v = VS ] && echo -DVS) \
        -o "$T/pro$v.o" "$T/pro$v.S" &&
        riscv64-unknown-elf-objcopy -O binary -j .text "$T/pro$v.o" "$T/pro$v.bin" || {
        fail "assemble the $v trigger prologue"; continue; }
    for seed in 1 2 3; do
        img="$T/chaos$v$seed.bin"
        { cat "$T/pro$v.bin"
          LC_ALL=C awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' </dev/null
        } | LC_ALL=C head -c 65536 >"$img"
        for e in fast interp; do
            "$HVSIM" run -c "$T/trig.ini" --engine $e --smp 2 --bios "$img" --serial none \
                --max-insns 1000000 --events all --check-interval 20000 \
                --trace "$T/c.$e.hvt" </dev/null >/dev/null 2>"$T/c.$e.err"
            echo $? >"$T/c.$e.rc"
        done
        rc=$(cat "$T/c.fast.rc")
        rci=$(cat "$T/c.interp.rc")
        if { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; } && [ "$rci" -eq "$rc" ] &&
            cmp -s "$T/c.fast.hvt" "$T/c.interp.hvt"; then
            pass "random code with triggers armed, $v mode, seed $seed: exit $rc, engines identical"
        else
            fail "random code with triggers, $v seed $seed" "exit $rc / $rci: $(head -3 "$T/c.fast.err")"
        fi
    done
done

summary
