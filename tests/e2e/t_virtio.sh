#!/usr/bin/env bash
# The opt-in riscv-virt devices (docs/virtio.md): virtio-blk, virtio-rng,
# virtio-console, virtio-net (loopback/sink wire, pcap capture) and the
# goldfish RTC driven by our M-mode test program
# (build/firmware/virtio-test.elf, tests/firmware/virtio/), Debian's U-Boot
# reading a file from an ext2 disk image, determinism (two runs, replay,
# --engine interp), the DTB nodes, and host-side mistakes (exit 2).
# Usage: t_virtio.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
ROOT=$(cd ../.. && pwd)
FW=$ROOT/build/firmware/virtio-test.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -f "$FW" ]; then
    fail "virtio-test.elf" "missing: make firmware"
    summary
    exit 1
fi

# A 1 MiB disk: sector 5 "HVSIM SECTOR 5", sector 7 "ORIGINAL SECTOR 7".
mkdisk() {
    dd if=/dev/zero of="$1" bs=512 count=2048 status=none
    printf 'HVSIM SECTOR 5' | dd of="$1" bs=512 seek=5 conv=notrunc status=none
    printf 'ORIGINAL SECTOR 7' | dd of="$1" bs=512 seek=7 conv=notrunc status=none
}
sector() { dd if="$1" bs=512 skip="$2" count=1 status=none | tr -d '\0' | head -c "${3:-20}"; }

run_fw() { # NAME OPTIONS...: runs the test program, sets rc
    local name=$1
    shift
    "$HVSIM" run --smp 1 --bios "$FW" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

# ---- read-write drive, RTC and entropy together -------------------------
mkdisk "$T/rw.img"
run_fw rw --drive "$T/rw.img" --virtio-rng --rtc 1700000000
if [ "$rc" -eq 0 ] && grep -q '^virtio-test: PASS' "$T/rw.out"; then
    pass "rw drive + rng + rtc: the test program passes ($(grep -c '^ok' "$T/rw.out") checks)"
else
    fail "rw drive + rng + rtc" "exit $rc: $(grep -m3 -E '^FAIL|^virtio-test' "$T/rw.out")"
fi
expect_line "$T/rw.out" "ok   blk: read sector 5" "blk: reads the image's sector 5"
expect_line "$T/rw.out" "ok   blk: read sector 7 back (indirect descriptors)" "blk: indirect descriptors"
expect_line "$T/rw.out" "ok   blk: completion raised the slot's PLIC source" "blk: completion interrupt (PLIC source 1)"
expect_line "$T/rw.out" "blk: id hvsim-virtio-blk" "blk: GET_ID"
expect_line "$T/rw.out" "ok   bad: descriptor loop -> NEEDS_RESET + config interrupt" "bad descriptor chain: DEVICE_NEEDS_RESET, no host crash"
expect_line "$T/rw.out" "ok   bad: the device works again after the reset" "bad descriptor chain: a reset recovers"
expect_line "$T/rw.out" "rtc: seconds 1700000000" "rtc: reads the configured epoch"
expect_line "$T/rw.out" "ok   rtc: alarm raised PLIC source 11" "rtc: alarm interrupt (PLIC source 11)"
if [ "$(sector "$T/rw.img" 7)" = "GUEST WROTE SECTOR 7" ]; then
    pass "rw drive: the guest's write reached the file"
else
    fail "rw drive: the guest's write reached the file" "sector 7: '$(sector "$T/rw.img" 7)'"
fi

# ---- the trace header hashes the drive: replay refuses a changed disk ----
mkdisk "$T/rec.img"
run_fw rec --drive "$T/rec.img" --trace "$T/rec.hvt"
"$HVSIM" replay "$T/rec.hvt" >"$T/rec.replay" 2>&1
r=$?
if "$HVSIM" trace show "$T/rec.hvt" 2>/dev/null | head -1 | grep -q "drive=$T/rec.img" && [ "$r" -eq 2 ] &&
    grep -q "drive image $T/rec.img has changed since the recording" "$T/rec.replay"; then
    pass "trace header: the drive's SHA-256; replay after the guest wrote to it refuses (exit 2)"
else
    fail "drive hash in the trace header" "replay exit $r: $(head -2 "$T/rec.replay")"
fi

# ---- snapshot: the same writes, the file unchanged -----------------------
mkdisk "$T/snap.img"
cp "$T/snap.img" "$T/snap.orig"
run_fw snap --drive "$T/snap.img,snapshot"
if [ "$rc" -eq 0 ] && grep -q "ok   blk: sector 7 reads back" "$T/snap.out" && cmp -s "$T/snap.img" "$T/snap.orig"; then
    pass "snapshot drive: the guest reads its own writes, the file is unchanged"
else
    fail "snapshot drive" "exit $rc, cmp: $(cmp "$T/snap.img" "$T/snap.orig" 2>&1)"
fi

# ---- read-only: VIRTIO_BLK_F_RO, writes get IOERR ------------------------
mkdisk "$T/ro.img"
cp "$T/ro.img" "$T/ro.orig"
run_fw ro --drive "$T/ro.img,ro"
if [ "$rc" -eq 0 ] && grep -q "blk: capacity 2048 ro" "$T/ro.out" &&
    grep -q "ok   blk: write to a read-only drive gets IOERR" "$T/ro.out" &&
    grep -q "ok   blk: sector 7 unchanged" "$T/ro.out" && cmp -s "$T/ro.img" "$T/ro.orig"; then
    pass "ro drive: F_RO offered, a write gets IOERR, the file is unchanged"
else
    fail "ro drive" "exit $rc: $(grep -m3 -E '^FAIL|capacity' "$T/ro.out")"
fi

# ---- entropy: from the seed, never the host ------------------------------
run_fw rng1 --virtio-rng
run_fw rng2 --virtio-rng
run_fw rng3 --virtio-rng --sched-seed 3
a=$(grep '^rng: [0-9a-f]' "$T/rng1.out")
b=$(grep '^rng: [0-9a-f]' "$T/rng2.out")
c=$(grep '^rng: [0-9a-f]' "$T/rng3.out")
if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "rng: two runs give the same bytes"; else fail "rng: two runs" "'$a' vs '$b'"; fi
if [ -n "$c" ] && [ "$a" != "$c" ]; then pass "rng: another seed gives other bytes"; else fail "rng: another seed" "'$a' vs '$c'"; fi
expect_line "$T/rng1.out" "ok   bad: buffer outside RAM -> NEEDS_RESET + config interrupt" "rng: a buffer outside RAM -> DEVICE_NEEDS_RESET"

# ---- rtc: another epoch, no RTC without --rtc -----------------------------
run_fw rtc2 --rtc 86400
expect_line "$T/rtc2.out" "rtc: seconds 86400" "rtc: --rtc 86400 reads 86400 s"
run_fw nortc --virtio-rng
expect_line "$T/nortc.out" "rtc: none" "rtc: absent without --rtc"

# ---- virtio-console: output, then input typed once the guest waits -------
mkfifo "$T/con.in"
"$HVSIM" run --smp 1 --bios "$FW" --virtio-console --trace "$T/con.hvt" <"$T/con.in" >"$T/con.out" 2>"$T/con.err" &
pid=$!
exec 3>"$T/con.in"
wait_for "$T/con.out" "vcon: waiting for input" 1 60 && printf 'hv' >&3
wait "$pid"
rc=$?
exec 3>&-
if [ "$rc" -eq 0 ] && grep -q "^vcon: hello from virtio-console" "$T/con.out" &&
    grep -q "^vcon: got 'h" "$T/con.out" && grep -q "ok   vcon: receive raised the slot's PLIC source" "$T/con.out"; then
    pass "virtio-console: transmit reaches the console, typed input reaches the guest"
else
    fail "virtio-console" "exit $rc: $(grep -m3 -E '^vcon|^FAIL' "$T/con.out")"
fi
if "$HVSIM" replay "$T/con.hvt" >"$T/con.replay" 2>&1 &&
    "$HVSIM" trace show "$T/con.hvt" --events input 2>/dev/null | grep -q "byte=0x68 'h'"; then
    pass "virtio-console: the input is recorded and replays ($(head -1 "$T/con.replay"))"
else
    fail "virtio-console replay" "$(head -3 "$T/con.replay")"
fi

# ---- virtio-net: frames on the loopback wire, a pcap capture --------------
# record k of a capture: its 16-byte header's four le32 fields, then its bytes
pcap_rec() { # FILE K -> "sec usec incl orig"
    local off=24 i hdr
    for ((i = 0; i < $2; i++)); do
        hdr=$(od -An -tu4 -j "$off" -N16 "$1")
        off=$((off + 16 + $(echo "$hdr" | awk '{print $3}')))
    done
    od -An -tu4 -j "$off" -N16 "$1" | awk '{print $1, $2, $3, $4}'
}
pcap_bytes() { # FILE K -> hex of frame K
    local off=24 i len
    for ((i = 0; i < $2; i++)); do
        len=$(od -An -tu4 -j $((off + 8)) -N4 "$1" | tr -d ' ')
        off=$((off + 16 + len))
    done
    len=$(od -An -tu4 -j $((off + 8)) -N4 "$1" | tr -d ' ')
    od -An -tx1 -v -j $((off + 16)) -N "$len" "$1" | tr -d ' \n'
}
run_fw net --net loopback --pcap "$T/net.pcap" --trace "$T/net.hvt"
if [ "$rc" -eq 0 ] && grep -q '^virtio-test: PASS' "$T/net.out" &&
    grep -q "ok   net: frame 2 came back, header + 60 bytes" "$T/net.out" &&
    grep -q "ok   net: runt frame dropped, not delivered" "$T/net.out"; then
    pass "net loopback: two frames come back in order, a runt is dropped ($(grep -c '^ok   net' "$T/net.out") checks)"
else
    fail "net loopback" "exit $rc: $(grep -m3 -E '^FAIL|^virtio-test' "$T/net.out")"
fi
expect_line "$T/net.out" "net: mac 52:54:00:12:34:56" "net: MAC from the config space"
magic=$(od -An -tx1 -N4 "$T/net.pcap" 2>/dev/null | tr -d ' ')
r0=$(pcap_rec "$T/net.pcap" 0); r1=$(pcap_rec "$T/net.pcap" 1)
if [ "$magic" = "d4c3b2a1" ] && [ "$(stat -c %s "$T/net.pcap")" -eq $((24 + 4 * (16 + 60))) ] &&
    [ "$(echo "$r0" | cut -d' ' -f3-)" = "60 60" ] &&
    [ "$(pcap_bytes "$T/net.pcap" 0)" = "$(pcap_bytes "$T/net.pcap" 1)" ] &&
    [ "$(pcap_bytes "$T/net.pcap" 0)" != "$(pcap_bytes "$T/net.pcap" 2)" ] &&
    [ "$(echo "$r1" | awk '{print $1 * 1000000 + $2}')" -eq "$(echo "$r0" | awk '{print $1 * 1000000 + $2 + 10}')" ]; then
    pass "pcap: 4 frames (2 sent, 2 received), the echo 10 us of virtual time after the send"
else
    fail "pcap capture" "magic $magic, size $(stat -c %s "$T/net.pcap" 2>/dev/null), rec0 '$r0' rec1 '$r1'"
fi
run_fw net2 --net loopback --pcap "$T/net2.pcap" --engine interp --trace "$T/net2.hvt"
if cmp -s "$T/net.pcap" "$T/net2.pcap" && cmp -s "$T/net.hvt" "$T/net2.hvt" &&
    "$HVSIM" replay "$T/net.hvt" >"$T/net.replay" 2>&1; then
    pass "net: a second run (--engine interp) gives the same capture and trace; replay identical"
else
    fail "net determinism" "$(head -2 "$T/net.replay")"
fi
run_fw sink --net sink --pcap "$T/sink.pcap"
if [ "$rc" -eq 1 ] && grep -q "^FAIL net: frame 1 came back" "$T/sink.out" &&
    [ "$(stat -c %s "$T/sink.pcap")" -eq $((24 + 2 * (16 + 60))) ]; then
    pass "net sink: frames are sent (captured) and never come back"
else
    fail "net sink" "exit $rc, capture $(stat -c %s "$T/sink.pcap" 2>/dev/null) bytes"
fi
# --net pcap:FILE is the same as --net sink --pcap FILE (same capture bytes)
run_fw psink --net "pcap:$T/psink.pcap"
if [ "$rc" -eq 1 ] && cmp -s "$T/psink.pcap" "$T/sink.pcap"; then
    pass "net pcap:FILE: a sink wire captured to FILE (the bytes of --net sink --pcap)"
else
    fail "net pcap:FILE" "exit $rc, capture $(stat -c %s "$T/psink.pcap" 2>/dev/null) bytes"
fi
"$HVSIM" run --smp 1 --bios "$FW" --net "pcap:$T/a.pcap" --pcap "$T/b.pcap" </dev/null >/dev/null 2>"$T/two.err"
if [ $? -eq 2 ] && grep -qF "two capture files" "$T/two.err"; then
    pass "net: pcap:FILE with another --pcap exits 2"
else
    fail "net: two capture files" "$(head -2 "$T/two.err")"
fi
"$HVSIM" run --smp 1 --bios "$FW" --net bogus </dev/null >/dev/null 2>"$T/bad.err"
if [ $? -eq 2 ] && grep -q "net 'bogus' is not 'loopback' or 'sink'" "$T/bad.err"; then
    pass "net: a bad --net value exits 2 naming it"
else
    fail "net: bad --net value" "$(head -2 "$T/bad.err")"
fi
"$HVSIM" run --smp 1 --bios "$FW" --net loopback --pcap "$T/nodir/x.pcap" </dev/null >/dev/null 2>"$T/bad.err"
if [ $? -eq 2 ] && grep -q "pcap $T/nodir/x.pcap" "$T/bad.err"; then
    pass "net: an unwritable --pcap exits 2 naming the file"
else
    fail "net: unwritable --pcap" "$(head -2 "$T/bad.err")"
fi

# ---- determinism: two traced runs, replay, the reference engine -----------
mkdisk "$T/det.img"
opts=(--drive "$T/det.img,snapshot" --virtio-rng --rtc 1700000000 --serial none)
"$HVSIM" run --smp 2 --bios "$FW" "${opts[@]}" --trace "$T/d1.hvt" </dev/null >/dev/null 2>&1
"$HVSIM" run --smp 2 --bios "$FW" "${opts[@]}" --trace "$T/d2.hvt" </dev/null >/dev/null 2>&1
"$HVSIM" run --smp 2 --bios "$FW" "${opts[@]}" --engine interp --trace "$T/d3.hvt" </dev/null >/dev/null 2>&1
if [ -s "$T/d1.hvt" ] && cmp -s "$T/d1.hvt" "$T/d2.hvt" && cmp -s "$T/d1.hvt" "$T/d3.hvt"; then
    pass "determinism: two runs and --engine interp record byte-identical traces"
else
    fail "determinism" "traces differ"
fi
if "$HVSIM" replay "$T/d1.hvt" >"$T/replay.out" 2>&1; then
    pass "replay: $(head -1 "$T/replay.out")"
else
    fail "replay" "$(head -3 "$T/replay.out")"
fi
# the RTC's epoch and the entropy seed are in the header's config (that is
# what lets the replay above rebuild the same clock and bytes)
if strings "$T/d1.hvt" | grep -qx "epoch = 1700000000" && strings "$T/d1.hvt" | grep -qx "rng = on"; then
    pass "trace header: [rtc] epoch = 1700000000 and [virtio] rng = on recorded"
else
    fail "trace header" "no [rtc] epoch / [virtio] rng line"
fi
# explore's seeds on a ,snapshot drive: every seed writes (the test program
# does) into its own overlay, the file never changes
mkdisk "$T/ex.img"
h0=$(sha256sum <"$T/ex.img")
"$HVSIM" explore --seeds 1..3 --jobs 1 --keep "$T/exk" -- --smp 2 --bios "$FW" \
    --drive "$T/ex.img,snapshot" --virtio-rng </dev/null >"$T/ex.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "all 3 seeds passed" "$T/ex.out" && [ "$(sha256sum <"$T/ex.img")" = "$h0" ]; then
    pass "explore: 3 seeds pass on a snapshot drive, the file is unchanged"
else
    fail "explore with a snapshot drive" "exit $rc: $(tail -2 "$T/ex.out")"
fi
"$HVSIM" trace show "$T/d1.hvt" --events irq >"$T/irq.txt" 2>&1
if grep -q 'irq.claim.*src=1$' "$T/irq.txt" && grep -q 'irq.claim.*src=11$' "$T/irq.txt"; then
    pass "timeline: irq.claim of the virtio (1) and RTC (11) sources"
else
    fail "timeline: irq.claim events" "$(head -3 "$T/irq.txt")"
fi

# ---- gdb reverse-continue across virtio completions (snapshots copy the
# devices; a snapshot drive restarts from the same disk) ------------------
if command -v gdb-multiarch >/dev/null; then
    line=$(grep -n 'last_used\[slot\]\[qi\]++;' "$ROOT/tests/firmware/virtio/virtio_test.c" | cut -d: -f1)
    port=$((20000 + $$ % 20000))
    cat >"$T/rev.gdb" <<EOF
set pagination off
set confirm off
set architecture riscv:rv64
target remote :$port
break virtio_test.c:$line
continue
continue
printf "H2 pc=%#lx a0=%#lx sp=%#lx\\n", \$pc, \$a0, \$sp
continue
printf "H3 pc=%#lx a0=%#lx sp=%#lx\\n", \$pc, \$a0, \$sp
reverse-continue
printf "RC pc=%#lx a0=%#lx sp=%#lx\\n", \$pc, \$a0, \$sp
delete
continue
EOF
    mkdisk "$T/gdb.img"
    "$HVSIM" run --smp 1 --bios "$FW" --drive "$T/gdb.img,snapshot" --virtio-rng --rtc 1700000000 \
        --serial none --gdb "$port" --gdb-wait </dev/null >/dev/null 2>"$T/gdbrun.err" &
    pid=$!
    for _ in $(seq 100); do grep -q "gdb stub\|cannot listen" "$T/gdbrun.err" 2>/dev/null && break; sleep 0.1; done
    timeout 120 gdb-multiarch -batch -nx -x "$T/rev.gdb" "$FW" >"$T/rev.out" 2>&1
    wait "$pid"
    rc=$?
    h2=$(grep '^H2 ' "$T/rev.out" | cut -d' ' -f2-)
    h3=$(grep '^H3 ' "$T/rev.out" | cut -d' ' -f2-)
    rcs=$(grep '^RC ' "$T/rev.out" | cut -d' ' -f2-)
    "$HVSIM" run --smp 1 --bios "$FW" --drive "$T/gdb.img,snapshot" --virtio-rng --rtc 1700000000 \
        --serial none </dev/null >/dev/null 2>"$T/plainrun.err"
    n1=$(grep -o '[0-9]* instructions' "$T/gdbrun.err")
    n2=$(grep -o '[0-9]* instructions' "$T/plainrun.err")
    if [ "$rc" -eq 0 ] && [ -n "$h2" ] && [ "$h2" = "$rcs" ] && [ "$h2" != "$h3" ] && [ "$n1" = "$n2" ]; then
        pass "gdb: reverse-continue across virtio completions returns to the previous stop; the run ends as without gdb ($n1)"
    else
        fail "gdb reverse-continue with virtio" "exit $rc, H2 '$h2' H3 '$h3' RC '$rcs', $n1 vs $n2"
    fi
fi

# ---- the device tree: nodes only when asked -------------------------------
"$HVSIM" run --dump-dtb "$T/plain.dtb" >/dev/null 2>&1
"$HVSIM" run --drive "$T/rw.img" --rtc 0 --dump-dtb "$T/dev.dtb" >/dev/null 2>&1
dtc -I dtb -O dts "$T/plain.dtb" >"$T/plain.dts" 2>/dev/null
dtc -I dtb -O dts "$T/dev.dtb" >"$T/dev.dts" 2>/dev/null
if [ -s "$T/plain.dts" ] && ! grep -qE 'virtio,mmio|virtio_mmio|goldfish' "$T/plain.dts"; then
    pass "dtb: the default board has no virtio/RTC nodes"
else
    fail "dtb: default board" "virtio/goldfish nodes present or no dtb"
fi
if [ "$(grep -c 'compatible = "virtio,mmio"' "$T/dev.dts")" -eq 8 ] &&
    grep -q 'virtio_mmio@10001000' "$T/dev.dts" && grep -q 'virtio_mmio@10008000' "$T/dev.dts" &&
    grep -q 'compatible = "google,goldfish-rtc"' "$T/dev.dts" && grep -q 'rtc@101000' "$T/dev.dts"; then
    pass "dtb: 8 virtio,mmio nodes at 0x10001000.. and google,goldfish-rtc at 0x101000"
else
    fail "dtb: device nodes" "$(grep -E 'virtio|goldfish' "$T/dev.dts" | head -3)"
fi

# ---- U-Boot (Debian's u-boot-qemu) reads a file from an ext2 image -------
mkdir -p "$T/fs"
echo "hello from the hvsim virtio disk" >"$T/fs/hello.txt"
if mke2fs -q -t ext2 -b 1024 -d "$T/fs" "$T/ext2.img" 2M >"$T/mke2fs.err" 2>&1; then
    mkfifo "$T/ub.in"
    "$HVSIM" run --smp 2 --kernel "$UBOOT" --drive "$T/ext2.img,snapshot" --max-insns 20000000000 \
        <"$T/ub.in" >"$T/ub.out" 2>"$T/ub.err" &
    pid=$!
    exec 3>"$T/ub.in"
    if wait_for "$T/ub.out" "Hit any key to stop autoboot" 1 120; then
        printf 'x' >&3
        wait_for "$T/ub.out" "=> " 1 60 && printf 'virtio scan; virtio info\n' >&3
        wait_for "$T/ub.out" "Capacity:" 1 60 && printf 'ext4load virtio 0 0x84000000 hello.txt; md.b 0x84000000 0x20\n' >&3
        wait_for "$T/ub.out" "84000010:" 1 60
        printf 'poweroff\n' >&3
    fi
    wait "$pid"
    rc=$?
    exec 3>&-
    if [ "$rc" -eq 0 ] && grep -q "HVSM VirtIO Block Device" "$T/ub.out" &&
        grep -q "Capacity: 2.0 MB" "$T/ub.out" && grep -q "33 bytes read" "$T/ub.out" &&
        grep -q "hello from the h" "$T/ub.out"; then
        pass "U-Boot: virtio info sees the disk, ext4load reads hello.txt"
    else
        fail "U-Boot and the ext2 disk" "exit $rc: $(grep -E 'Device 0|Capacity|bytes read|84000000' "$T/ub.out" | head -4)"
    fi
else
    fail "mke2fs -d" "$(cat "$T/mke2fs.err")"
fi

# ---- host-side mistakes: one message naming the thing, exit 2 -------------
bad() { # NAME TEXT OPTIONS...
    local name=$1 text=$2
    shift 2
    "$HVSIM" run --bios "$FW" "$@" </dev/null >/dev/null 2>"$T/bad.err"
    local r=$?
    if [ "$r" -eq 2 ] && grep -qF -- "$text" "$T/bad.err"; then
        pass "bad input: $name (exit 2, names it)"
    else
        fail "bad input: $name" "exit $r: $(head -2 "$T/bad.err")"
    fi
}
bad "missing drive file" "$T/nosuch.img" --drive "$T/nosuch.img"
bad "unknown drive option" "unknown option 'rw'" --drive "$T/rw.img,rw"
head -c 1000 /dev/zero >"$T/odd.img"
bad "drive size not a multiple of 512" "$T/odd.img" --drive "$T/odd.img"
bad "five drives" "at most 4 drives" --drive "$T/rw.img,ro" --drive "$T/rw.img,ro" --drive "$T/rw.img,ro" --drive "$T/rw.img,ro" --drive "$T/rw.img,ro"
bad "--rtc not a number" "--rtc" --rtc soon
bad "--virtio-rng on x86-pc" "--virtio-rng" --machine x86-pc --virtio-rng

summary
