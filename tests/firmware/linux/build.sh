#!/bin/bash
# build.sh riscv  — build (or find in the cache) hvsim's Linux/KVM test kernel.
# build.sh x86_64 — the same for the x86_64 PC board: a bzImage.
#
# Linux 6.1 from Debian's linux-source-6.1, `make tinyconfig` + riscv.config
# (x86_64.config), with a built-in uncompressed initramfs holding our /init
# (riscv: init.c and the KVM launcher kvmtest.c with the guests of guest/;
# also rootfs.ext4, an ext4 image with rootinit.c as /sbin/init, for a root
# filesystem on virtio-blk;
# x86_64: init_x86.c). See README.md.
#
# The result lives outside the repository, in
#   ${HVSIM_CACHE:-/var/cache/hvsim}/linux/riscv-<key>/Image
#   ${HVSIM_CACHE:-/var/cache/hvsim}/linux/x86_64-<key>/bzImage
# where <key> hashes everything the image is made of: this script and the
# files of this directory that belong to the target (riscv: all but the x86
# ones; x86_64: x86_64.config and init_x86.c) and the versions of the Debian
# packages that go into it. A rerun
# with nothing changed only prints the path. The kernel objects are kept in
# .../linux/obj-riscv-<linux-source version>, so a change to the initramfs
# sources only rebuilds the user programs and relinks the kernel.
#
# Progress and errors go to stderr; the last (only) line on stdout is the
# absolute path of the Image. Exit status: 0 built or cached, 1 build error
# (with the tail of the build log), 2 usage or environment error.
# Environment: HVSIM_CACHE (cache root), HVSIM_JOBS (make -j, default 2).
set -euo pipefail

die() { echo "build.sh: $*" >&2; exit 2; }
note() { echo "build.sh: $*" >&2; }

target=${1:-}
case $target in
riscv|x86_64) ;;
*) die "usage: $0 riscv|x86_64" ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$target" = x86_64 ]; then
    exec bash "$here/build_x86_64.sh" "$here"
fi

# ---- Debian packages (apt-get only when something is missing) -------------------
PKGS="linux-source-6.1 gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
      libc6-dev-riscv64-cross make gcc libc6-dev flex bison bc cpio xz-utils e2fsprogs"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    note "installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi

# ---- cache key --------------------------------------------------------------------
pkgver() { dpkg-query -W -f='${Package} ${Version}\n' "$@"; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
cc_pkg=$(dpkg-query -W -f='${Depends}' gcc-riscv64-linux-gnu | grep -o 'gcc-[0-9]*-riscv64-linux-gnu' | head -n1)
key=$( {
    echo "hvsim linux riscv v1"
    pkgver linux-source-6.1 gcc-riscv64-linux-gnu ${cc_pkg:+"$cc_pkg"} \
           binutils-riscv64-linux-gnu libc6-dev-riscv64-cross linux-libc-dev-riscv64-cross
    cd "$here" && find . -type f ! -name README.md ! -name '*~' ! -name '*x86*' -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum
} | sha256sum | cut -c1-16)

cache=${HVSIM_CACHE:-/var/cache/hvsim}/linux
out=$cache/riscv-$key
if [ -f "$out/Image" ]; then
    echo "$out/Image"
    exit 0
fi
mkdir -p "$cache" || die "cannot create the cache directory $cache (set HVSIM_CACHE)"
cache=$(cd "$cache" && pwd)
out=$cache/riscv-$key

# One build at a time per cache (make test and make run may race).
exec 9>"$cache/.lock-riscv"
flock 9
if [ -f "$out/Image" ]; then
    echo "$out/Image"
    exit 0
fi

t0=$(date +%s)
# Housekeeping under the lock: work directories of failed builds, and all but
# the 4 newest results.
rm -rf "$cache"/work-riscv-*
# shellcheck disable=SC2012
{ ls -1dt "$cache"/riscv-*/ 2>/dev/null || true; } | tail -n +5 | xargs -r rm -rf
work=$cache/work-riscv-$key
mkdir -p "$work"
log=$work/build.log
: >"$log"
note "building Linux $srcver for riscv (key $key), log: $log"

fail() {
    echo "build.sh: $* -- last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
}
run() { # run CMD... with output to the log; fail with the log tail
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "failed: $*"
}

# ---- kernel source, unpacked once per linux-source version --------------------------
srcdir=$cache/src-$srcver
src=$srcdir/linux-source-6.1
if [ ! -f "$srcdir/.unpacked" ]; then
    note "unpacking /usr/src/linux-source-6.1.tar.xz into $srcdir"
    rm -rf "$srcdir"
    mkdir -p "$srcdir"
    run tar -C "$srcdir" -xJf /usr/src/linux-source-6.1.tar.xz
    [ -f "$src/Makefile" ] || fail "no $src/Makefile after unpacking"
    touch "$srcdir/.unpacked"
fi

# ---- user programs: guests, launcher, /init ---------------------------------------
CROSS=riscv64-linux-gnu-
stage=$work/initramfs
mkdir -p "$stage" "$work/guest"
# Guests: bare metal, VS mode, no FP, linked at GPA 0x80000000.
gflags=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -Wall -Wextra
        -ffreestanding -fno-builtin -fno-pic -fno-stack-protector
        -fno-tree-loop-distribute-patterns -nostdlib -nostartfiles -static -no-pie
        -I"$here" -I"$here/guest")
run "${CROSS}gcc" "${gflags[@]}" -c -o "$work/guest/start.o" "$here/guest/start.S"
for vm in vm1 vm2; do
    run "${CROSS}gcc" "${gflags[@]}" -c -o "$work/guest/$vm.o" "$here/guest/$vm.c"
    run "${CROSS}gcc" "${gflags[@]}" -T "$here/guest/guest.ld" -Wl,--build-id=none \
        -Wl,--no-warn-rwx-segments -o "$work/guest/$vm.elf" "$work/guest/start.o" "$work/guest/$vm.o"
    run "${CROSS}objcopy" -O binary "$work/guest/$vm.elf" "$work/guest/$vm.bin"
done
# Launcher and /init: static glibc, stripped (no paths or temp names inside).
uflags=(-static -no-pie -O2 -Wall -Wextra -I"$here" -s)
run "${CROSS}gcc" "${uflags[@]}" -I"$work/guest" -c -o "$work/guest_blobs.o" "$here/guest_blobs.S"
run "${CROSS}gcc" "${uflags[@]}" -c -o "$work/kvmtest.o" "$here/kvmtest.c"
run "${CROSS}gcc" "${uflags[@]}" -c -o "$work/kvmtest_virtio.o" "$here/kvmtest_virtio.c"
run "${CROSS}gcc" "${uflags[@]}" -o "$stage/kvmtest" "$work/kvmtest.o" "$work/kvmtest_virtio.o" \
    "$work/guest_blobs.o" -pthread
run "${CROSS}gcc" "${uflags[@]}" -c -o "$work/init.o" "$here/init.c"
run "${CROSS}gcc" "${uflags[@]}" -o "$stage/init" "$work/init.o"
run "${CROSS}gcc" "${uflags[@]}" -c -o "$work/perftest.o" "$here/perftest.c"
run "${CROSS}gcc" "${uflags[@]}" -o "$stage/perftest" "$work/perftest.o"
# gen_init_cpio stores each file's mtime: pin it, so the Image is the same
# bytes on every machine (KBUILD_BUILD_TIMESTAMP pins the other entries).
BUILD_DATE="2024-01-01 00:00:00 UTC"
touch -d "$BUILD_DATE" "$stage/init" "$stage/kvmtest" "$stage/perftest"
cat >"$work/initramfs.list" <<EOF
# generated by tests/firmware/linux/build.sh (gen_init_cpio format)
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /root 0700 0 0
file /init $stage/init 0755 0 0
file /kvmtest $stage/kvmtest 0755 0 0
file /perftest $stage/perftest 0755 0 0
EOF

# ---- the virtio-blk root filesystem: rootfs.ext4 with /sbin/init (rootinit.c) -------
# Booted with `--drive rootfs.ext4 --append "... root=/dev/vda rw rootfstype=ext4
# rdinit=/sbin/init"` (README.md); the kernel mounts root= on the initramfs'
# /root (prepare_namespace), so the cpio list above has that directory.
# Reproducible bytes: fixed UUID, hash seed
# and creation time (E2FSPROGS_FAKE_TIME), and every inode's four times set
# to BUILD_DATE afterwards with debugfs (mke2fs -d copies the host's atime and
# ctime, which cannot be pinned on the host).
rootdir=$work/rootfs
mkdir -p "$rootdir"/{sbin,etc,var,dev,proc,sys}
run "${CROSS}gcc" "${uflags[@]}" -c -o "$work/rootinit.o" "$here/rootinit.c"
run "${CROSS}gcc" "${uflags[@]}" -o "$rootdir/sbin/init" "$work/rootinit.o"
echo "a file on hvsim's virtio-blk disk" >"$rootdir/etc/hvsim-disk.txt"
chmod 0755 "$rootdir" "$rootdir"/{sbin,etc,var,dev,proc,sys}
chmod 0644 "$rootdir/etc/hvsim-disk.txt"
chmod 0755 "$rootdir/sbin/init"
fake_time=$(date -d "$BUILD_DATE" +%s)
debugfs_time=$(date -u -d "$BUILD_DATE" +%Y%m%d%H%M%S)
rm -f "$work/rootfs.ext4"
run env E2FSPROGS_FAKE_TIME="$fake_time" mke2fs -q -F -t ext4 -b 4096 -L hvsim-root \
    -U 68767369-6d00-4000-8000-000000000001 \
    -E hash_seed=68767369-6d00-4000-8000-000000000002,root_owner=0:0 \
    -d "$rootdir" "$work/rootfs.ext4" 8M
( cd "$rootdir" && { echo /; find . -mindepth 1 | sed 's/^\.//' | LC_ALL=C sort; } |
    while IFS= read -r p; do
        for f in atime ctime mtime crtime; do echo "set_inode_field $p $f $debugfs_time"; done
    done ) >"$work/rootfs.debugfs"
run env E2FSPROGS_FAKE_TIME="$fake_time" debugfs -w -f "$work/rootfs.debugfs" "$work/rootfs.ext4"
run e2fsck -fn "$work/rootfs.ext4"

# ---- kernel configuration -------------------------------------------------------------
obj=$cache/obj-riscv-$srcver
mkdir -p "$obj"
export ARCH=riscv CROSS_COMPILE=$CROSS
export KBUILD_BUILD_TIMESTAMP="$BUILD_DATE" KBUILD_BUILD_USER=hvsim KBUILD_BUILD_HOST=hvsim
export KBUILD_BUILD_VERSION=1
echo "CONFIG_INITRAMFS_SOURCE=\"$work/initramfs.list\"" >"$work/initramfs.config"
run make -C "$src" O="$obj" tinyconfig
run env -C "$src" ./scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" \
    "$here/riscv.config" "$work/initramfs.config"
run make -C "$src" O="$obj" olddefconfig
# Every option the fragment sets must have survived olddefconfig.
bad=""
while IFS= read -r line; do
    case $line in
    CONFIG_*=*)
        sym=${line%%=*}
        grep -qxF -- "$line" "$obj/.config" || bad="$bad $line(got:$(grep -E "^$sym=" "$obj/.config" || echo unset))"
        ;;
    "# CONFIG_"*" is not set")
        sym=${line#\# }
        sym=${sym%% *}
        if grep -qE "^$sym=" "$obj/.config"; then bad="$bad $sym(should be unset)"; fi
        ;;
    esac
done <"$here/riscv.config"
[ -z "$bad" ] || fail "config fragment not applied:$bad"
grep -qxF "CONFIG_INITRAMFS_SOURCE=\"$work/initramfs.list\"" "$obj/.config" ||
    fail "CONFIG_INITRAMFS_SOURCE not applied"

# ---- kernel build --------------------------------------------------------------------
rm -f "$obj/usr/initramfs_data.cpio"     # always regenerate from this initramfs
note "make -j${HVSIM_JOBS:-2} Image (3-10 minutes on 2 cores the first time)"
run nice make -C "$src" O="$obj" -j"${HVSIM_JOBS:-2}" Image

# ---- publish ------------------------------------------------------------------------
res=$work/result
mkdir -p "$res"
cp "$obj/arch/riscv/boot/Image" "$obj/vmlinux" "$obj/System.map" "$res/"
cp "$obj/.config" "$res/config"
cp "$work/guest/vm1.elf" "$work/guest/vm2.elf" "$res/"
cp "$work/rootfs.ext4" "$res/"
cp "$log" "$res/build.log"
rm -rf "$out"
mv "$res" "$out"
rm -rf "$work"
note "built in $(( $(date +%s) - t0 )) s: $out"
echo "$out/Image"
