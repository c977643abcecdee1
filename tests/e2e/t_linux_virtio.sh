#!/usr/bin/env bash
# Linux 6.1 (tests/firmware/linux) with its root file system on virtio-blk:
# the image's rootfs.ext4 (made by build.sh with mke2fs -d) as --drive,
# `root=/dev/vda rw rootfstype=ext4 rdinit=/sbin/init`; the disk's own
# /sbin/init (rootinit.c) reads a file, counts boots in /var/boot-count,
# reads /dev/hwrng (virtio-rng), writes to the virtio console, remounts /
# read-only and powers off. Checks: the kernel found the disk and mounted
# ext4 from it; the writes reach a writable drive (the host sees the count
# with debugfs, e2fsck finds the file system clean, a second boot counts 2);
# with ,snapshot the file stays byte-identical; the entropy bytes are the
# same on two runs; two runs give byte-identical traces, replay is identical.
# Usage: t_linux_virtio.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")" || exit 2
# shellcheck source=tests/e2e/lib.sh
. ./lib.sh
ROOT=$(cd ../.. && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
IMAGE=$(bash "$ROOT/tests/firmware/linux/build.sh" riscv 2>"$T/build.err" | tail -n1)
ROOTFS=$(dirname "$IMAGE")/rootfs.ext4
if [ ! -f "$IMAGE" ] || [ ! -f "$ROOTFS" ]; then
    fail "build the Linux image and rootfs.ext4" "$(tail -5 "$T/build.err")"
    summary
    exit 1
fi
APPEND="console=ttyS0 earlycon root=/dev/vda rw rootfstype=ext4 rdinit=/sbin/init"
boot() { # NAME ARGS...: boot from the disk, console to $T/NAME.out, sets rc
    local name=$1
    shift
    "$HVSIM" run --smp 2 --kernel "$IMAGE" --append "$APPEND" --serial "file:$T/$name.out" --max-insns 1000000000 \
        "$@" </dev/null 2>"$T/$name.err"
    rc=$?
}
bootcount() { debugfs -R "cat /var/boot-count" "$1" 2>/dev/null | tr -d '\n'; }

# ---- 1. a writable drive (a copy), with virtio-rng -------------------------
cp "$ROOTFS" "$T/disk.img"
cp "$ROOTFS" "$T/disk.orig"
boot rw --drive "$T/disk.img" --virtio-rng --trace "$T/rw.hvt"
expect_eq "root on virtio-blk: /sbin/init passes and powers off (exit 0)" "$rc" 0
expect_line "$T/rw.out" "virtio_blk virtio0: [vda] 16384 512-byte logical blocks" \
    "the kernel finds the 8 MiB disk as vda"
expect_line "$T/rw.out" "EXT4-fs (vda): mounted filesystem" "ext4 mounted from vda"
expect_line "$T/rw.out" "VFS: Mounted root (ext4 filesystem) on device 254:0." "the root file system is ext4 on 254:0"
expect_line "$T/rw.out" "rootinit: hvsim virtio-blk root" "the disk's /sbin/init runs"
expect_line "$T/rw.out" "rootinit: / is ext4 on /dev/root (rw" "/proc/mounts: / is ext4, read-write"
expect_line "$T/rw.out" "rootinit: /etc/hvsim-disk.txt: a file on hvsim's virtio-blk disk" \
    "reads a file from the disk"
expect_line "$T/rw.out" "rootinit: boot count 1" "first boot: count 1"
expect_line "$T/rw.out" "rootinit: hwrng virtio_rng.0: " "reads 16 bytes of /dev/hwrng from virtio-rng"
if grep -q "virtio-console" "$T/rw.out"; then fail "without --virtio-console: no virtio console line"; else
    pass "without --virtio-console: no virtio console line"; fi
expect_line "$T/rw.out" "rootinit: PASS, powering off" "rootinit: PASS"
if grep -q "FAILED" "$T/rw.out"; then fail "rootinit: no FAILED line" "$(grep FAILED "$T/rw.out")"; else
    pass "rootinit: no FAILED line"; fi
expect_eq "host side: the guest's write reached the file (debugfs: /var/boot-count)" "$(bootcount "$T/disk.img")" 1
if e2fsck -fn "$T/disk.img" >"$T/fsck.out" 2>&1; then pass "host side: e2fsck finds the file system clean after the run"; else
    fail "host side: e2fsck finds the file system clean" "$(tail -4 "$T/fsck.out")"; fi
if cmp -s "$T/disk.img" "$T/disk.orig"; then fail "the writable drive changed"; else pass "the writable drive changed"; fi

# replay: from the disk as it was before the recording (the header hashes it)
cp "$T/disk.img" "$T/disk.after1"
cp "$T/disk.orig" "$T/disk.img"
if "$HVSIM" replay "$T/rw.hvt" >"$T/replay.txt" 2>&1; then pass "the recording replays identically (from the disk's old bytes)"; else
    fail "the recording replays identically" "$(head -5 "$T/replay.txt")"; fi
# the disk after replay: the replay's own writes need not match; use the saved one
cp "$T/disk.after1" "$T/disk.img"

# ---- 2. a second boot from the same file reads the first boot's write ------
# (with the virtio console only)
boot rw2 --drive "$T/disk.img" --virtio-console
expect_eq "second boot: exit 0" "$rc" 0
expect_line "$T/rw2.out" "rootinit: boot count 2" "second boot reads the first one's write: count 2"
expect_line "$T/rw2.out" "rootinit: no hardware RNG (rng_current: none)" "without --virtio-rng: no hardware RNG"
expect_line "$T/rw2.out" "rootinit: hello through virtio-console (/dev/hvc" "writes to the virtio console"
expect_eq "host side: /var/boot-count is 2" "$(bootcount "$T/disk.img")" 2

# ---- 3. snapshot: the guest writes, the file stays as it was ----------------
cp "$ROOTFS" "$T/snap.img"
for n in 1 2; do   # the same --serial file name: the trace header records it
    boot snap --drive "$T/snap.img,snapshot" --virtio-rng --trace "$T/snap$n.hvt"
    echo "$rc" >"$T/snap$n.rc"
    mv "$T/snap.out" "$T/snap$n.out"
done
expect_eq "snapshot drive: exit 0" "$(cat "$T/snap1.rc")" 0
expect_line "$T/snap1.out" "rootinit: boot count 1" "snapshot drive: the guest counts 1"
if cmp -s "$T/snap.img" "$ROOTFS"; then pass "snapshot drive: the file is byte-identical after two runs"; else
    fail "snapshot drive: the file is unchanged"; fi
expect_line "$T/snap2.out" "rootinit: boot count 1" "snapshot drive: the second run counts 1 again"
h1=$(grep -o 'hwrng virtio_rng.0: [0-9a-f]*' "$T/snap1.out")
h2=$(grep -o 'hwrng virtio_rng.0: [0-9a-f]*' "$T/snap2.out")
h0=$(grep -o 'hwrng virtio_rng.0: [0-9a-f]*' "$T/rw.out")
if [ -n "$h1" ] && [ "$h1" = "$h2" ]; then pass "virtio-rng: the same bytes on two runs (${h1##* })"; else
    fail "virtio-rng: the same bytes on two runs" "'$h1' vs '$h2'"; fi
if [ -n "$h0" ] && [ "$h0" = "$h1" ]; then pass "virtio-rng: the same bytes on the writable drive's run"; else
    fail "virtio-rng: the same bytes across runs with the same seed" "'$h0' vs '$h1'"; fi
if cmp -s "$T/snap1.out" "$T/snap2.out" && cmp -s "$T/snap1.hvt" "$T/snap2.hvt"; then
    pass "two runs: the same console bytes and byte-identical traces"
else
    fail "two runs: byte-identical" "$("$HVSIM" trace diff "$T/snap1.hvt" "$T/snap2.hvt" 2>&1 | head -6)"
fi
if "$HVSIM" replay "$T/snap1.hvt" >"$T/replay2.txt" 2>&1; then pass "the snapshot run replays identically"; else
    fail "the snapshot run replays identically" "$(head -5 "$T/replay2.txt")"; fi

# ---- 4. all three devices at once ------------------------------------------
# (ended in an SEI storm on hart 0 before mip.SEIP's read-modify-write was
# fixed: tests/firmware/linux/README.md)
boot all --drive "$T/snap.img,snapshot" --virtio-rng --virtio-console
expect_eq "drive + virtio-rng + virtio-console: exit 0" "$rc" 0
expect_line "$T/all.out" "rootinit: PASS, powering off" "drive + virtio-rng + virtio-console: rootinit passes"
summary
