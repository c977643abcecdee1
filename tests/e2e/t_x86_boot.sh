#!/usr/bin/env bash
# x86-pc boot (docs/x86.md "Boot", "PC memory map"): the Multiboot 1 kernel
# (ELF32 and the a.out-kludge flat binary) and the Multiboot 2 kernel (ELF32
# and ELF64) pass with --append and two --module's: they check the boot
# information, the memory map (also with RAM above 4 GiB) and the mode
# switches; --initrd is module 1; malformed images, a missing module and
# --machine bogus exit 2 naming the culprit; the same run twice gives
# byte-identical traces. Usage: t_x86_boot.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
FW=$ROOT/build/firmware
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf 'hvsim module one' >"$T/m1"
printf 'hvsim module two' >"$T/m2"
APPEND="mb-test alpha=1 beta=two"

boot() { # NAME KERNEL [ARGS...]: run with the test's command line and modules
    local name=$1 k=$2
    shift 2
    "$HVSIM" run --machine x86-pc --smp 1 --kernel "$k" --append "$APPEND" \
        --module "$T/m1,first module args" --module "$T/m2,second" \
        --serial "file:$T/$name.out" --max-insns 2000000 "$@" </dev/null 2>"$T/$name.err"
}

expect_pass() { # NAME KERNEL LINE... : exit 0 and these lines on COM1
    local name=$1 k=$2 rc
    shift 2
    boot "$name" "$k"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "$name: exit 0 ($(grep -c . "$T/$name.out") lines on COM1)"
    else
        fail "$name" "exit $rc: $(tail -1 "$T/$name.err"); $(grep FAIL "$T/$name.out" | head -3)"
    fi
    for l in "$@"; do
        expect_line "$T/$name.out" "$l" "$name: '$l'"
    done
}

MB_LINES=("cmdline: $APPEND" "module: first module args" "module: second"
    "mmap 0x0000000000000000 0x00000000000a0000" "mmap 0x0000000000100000 0x000000000ff00000")
expect_pass mb1-elf32 "$FW/x86-mb1.elf" "${MB_LINES[@]}" "mb1: all checks passed" \
    "long mode: 64-bit, compatibility, 64-bit, protected: ok" \
    "real mode: segment:offset, A20 wrap off/on, back to protected: ok"
expect_pass mb1-aout "$FW/x86-mb1-aout.bin" "${MB_LINES[@]}" "mb1: all checks passed" \
    "long mode: 64-bit, compatibility, 64-bit, protected: ok"
expect_pass mb2-elf32 "$FW/x86-mb2.elf" "${MB_LINES[@]}" "mb2: all checks passed"
expect_pass mb2-elf64 "$FW/x86-mb2-64.elf" "${MB_LINES[@]}" "mb2: all checks passed"
expect_pass mb2-addr-tag "$FW/x86-mb2-addr.bin" "${MB_LINES[@]}" "mb2: all checks passed"
expect_pass mb2-optional-fb "$FW/x86-mb2-fbopt.elf" "mb2: all checks passed"

# RAM above 4 GiB: 96M with at most 64M below 4 GiB
cat >"$T/high.ini" <<'INI'
[machine]
name = x86-pc
arch = x86_64
smp = 1
[memory]
size = 96M
below-4g = 64M
INI
boot high "$FW/x86-mb1.elf" -c "$T/high.ini"
rc=$?
if [ "$rc" -eq 0 ] && grep -qF "mmap 0x0000000100000000 0x0000000002000000 ram" "$T/high.out" &&
    grep -qF "mmap 0x0000000000100000 0x0000000003f00000 ram" "$T/high.out" &&
    grep -qF "RAM above 4 GiB, protected: ok" "$T/high.out"; then
    pass "below-4g 64M, 96M: 63M from 1 MiB, 32M at 4 GiB, written from long mode"
else
    fail "RAM above 4 GiB" "exit $rc: $(grep -E 'mmap|FAIL' "$T/high.out" | head -4)"
fi

# --initrd is module 1 (its string: the file name), --module's follow
"$HVSIM" run --machine x86-pc --smp 1 --kernel "$FW/x86-mb1.elf" --append "$APPEND" \
    --initrd "$T/m1" --module "$T/m2,second" --serial "file:$T/initrd.out" </dev/null 2>"$T/initrd.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "module: $T/m1" "$T/initrd.out" &&
    grep -qF "FAIL: module string" "$T/initrd.out" && ! grep -qF "FAIL: module contents" "$T/initrd.out"; then
    pass "--initrd: module 1 with its file name as string (the kernel sees the difference: exit 1)"
else
    fail "--initrd as module 1" "exit $rc: $(grep -E 'module|FAIL' "$T/initrd.out" | head -4)"
fi
# a guest check that fails is exit 1
boot wrongcmd "$FW/x86-mb2.elf" --append "something else"
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "FAIL: cmdline tag" "$T/wrongcmd.out"; then
    pass "mb2 with another command line: FAIL line, exit 1"
else
    fail "mb2 wrong cmdline" "exit $rc"
fi

# bad input: exit 2 and a message naming the file or option
expect_err() { # NAME TEXT COMMAND...
    local name=$1 text=$2 rc
    shift 2
    "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$T/$name.err"; then
        pass "$name: exit 2, '$(head -1 "$T/$name.err" | cut -c1-110)'"
    else
        fail "$name" "exit $rc: $(head -2 "$T/$name.err")"
    fi
}
patch() { # FILE OFFSET HEXBYTE
    printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
mb1_off() { # FILE: offset of the Multiboot 1 magic
    LC_ALL=C grep -obUaP '\x02\xb0\xad\x1b' "$1" | head -1 | cut -d: -f1
}
run_k() { "$HVSIM" run --machine x86-pc --smp 1 --kernel "$@"; }

cp "$FW/x86-mb1.elf" "$T/badsum.elf"
off=$(mb1_off "$T/badsum.elf")
patch "$T/badsum.elf" $((off + 8)) 00
expect_err bad-checksum "$T/badsum.elf: multiboot header at offset" run_k "$T/badsum.elf"
grep -qF "bad checksum" "$T/bad-checksum.err" && pass "bad checksum: says so" || fail "bad checksum message"

cp "$FW/x86-mb1.elf" "$T/nomagic.elf"
patch "$T/nomagic.elf" "$(mb1_off "$T/nomagic.elf")" 00
expect_err elf32-no-header "$T/nomagic.elf: a 32-bit ELF without a multiboot header" run_k "$T/nomagic.elf"

cp "$FW/x86-mb1.elf" "$T/video.elf"
off=$(mb1_off "$T/video.elf")
patch "$T/video.elf" $((off + 4)) 07
patch "$T/video.elf" $((off + 8)) f7
expect_err required-flag "$T/video.elf: multiboot header requires flag bit 2 (video mode)" run_k "$T/video.elf"

expect_err mb2-required-fb "$FW/x86-mb2-fb.elf: multiboot2 header requires tag 5 (framebuffer)" \
    run_k "$FW/x86-mb2-fb.elf"
expect_err mb2-request "$FW/x86-mb2-ask8.elf: multiboot2 information request for tag type 8" \
    run_k "$FW/x86-mb2-ask8.elf"
cp "$FW/x86-mb2.elf" "$T/mb2sum.elf"
off=$(LC_ALL=C grep -obUaP '\xd6\x50\x52\xe8' "$T/mb2sum.elf" | head -1 | cut -d: -f1)
patch "$T/mb2sum.elf" $((off + 12)) 00
expect_err mb2-bad-checksum "$T/mb2sum.elf: multiboot2 header at offset" run_k "$T/mb2sum.elf"

head -c 4000 "$FW/x86-mb1-aout.bin" >"$T/trunc.bin"
expect_err truncated-aout "$T/trunc.bin: multiboot load_end_addr" run_k "$T/trunc.bin"
head -c 6000 "$FW/x86-mb1.elf" >"$T/trunc.elf"
expect_err truncated-elf "$T/trunc.elf: ELF" run_k "$T/trunc.elf"

cp "$FW/x86-mb1-aout.bin" "$T/high.bin"
for o in 15 19 23 27 31; do patch "$T/high.bin" $o 80; done
expect_err outside-ram "$T/high.bin: load range [0x80100000" run_k "$T/high.bin"

expect_err missing-module "multiboot module 2: $T/nope" \
    run_k "$FW/x86-mb1.elf" --module "$T/m1" --module "$T/nope"
expect_err module-too-big "multiboot module 1: $T/big" \
    sh -c "head -c 3000000 /dev/zero >'$T/big' && '$HVSIM' run --machine x86-pc --mem 2M --kernel '$FW/x86-mb1.elf' --module '$T/big'"
expect_err module-elf64 "--module: --kernel $FW/x86-basic64.elf has no multiboot header" \
    run_k "$FW/x86-basic64.elf" --module "$T/m1"
printf 'not a kernel, just text\n%.0s' 1 2 3 4 5 6 7 8 >"$T/junk"
expect_err not-a-kernel "--kernel $T/junk: neither a multiboot kernel" run_k "$T/junk"
# an ELF64 of another machine (e_machine patched to 243, RISC-V)
cp "$FW/x86-basic64.elf" "$T/rv.elf"
patch "$T/rv.elf" 18 f3
expect_err wrong-elf-machine "$T/rv.elf: not an x86-64 or i386 ELF file (e_machine 243" run_k "$T/rv.elf"
expect_err machine-bogus "--machine: unknown machine 'bogus'" "$HVSIM" run --machine bogus
expect_err machine-mismatch "--machine riscv-virt: -c $ROOT/configs/x86-pc.ini describes a x86_64 machine" \
    "$HVSIM" run --machine riscv-virt -c "$ROOT/configs/x86-pc.ini"

# determinism: the same run twice, byte-identical traces; the trace replays
# (both runs write COM1 to the same file: the trace header records its name)
boot tr "$FW/x86-mb1.elf" --events all --trace "$T/a.hvt"
boot tr "$FW/x86-mb1.elf" --events all --trace "$T/b.hvt"
if [ -s "$T/a.hvt" ] && cmp -s "$T/a.hvt" "$T/b.hvt"; then
    pass "mb1: the same run twice gives byte-identical traces ($(stat -c %s "$T/a.hvt") bytes)"
else
    fail "mb1 determinism" "$(cmp "$T/a.hvt" "$T/b.hvt" 2>&1 | head -1)"
fi
if "$HVSIM" replay "$T/a.hvt" >"$T/replay.out" 2>&1; then
    pass "mb1: the trace replays ($(head -1 "$T/replay.out"))"
else
    fail "mb1 replay" "$(head -3 "$T/replay.out")"
fi
summary
