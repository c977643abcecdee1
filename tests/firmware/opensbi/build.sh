#!/bin/bash
# build.sh — build (or find in the cache) a race-free OpenSBI fw_jump.elf for
# hvsim's RISC-V board: the OpenSBI source of the installed `opensbi`
# package's version from Debian's archive (`apt-get source`), with our fix
# for the SBI HSM hart_start race (docs/examples/sbi-hsm-race.md) applied
# from the *.patch files of this directory, cross-compiled with Debian's
# riscv64-linux-gnu toolchain (what Debian's opensbi and qemu packages build
# it with): PLATFORM=generic, the fw_jump image. Use it with
# `hvsim run --bios PATH` (README.md).
#
# The source: Debian's opensbi source package of the installed version; when
# the archive does not serve its files, the OpenSBI tree that Debian's qemu
# source package carries in roms/opensbi, if it is the same upstream version
# (checked; see "the source" below).
#
# The result lives outside the repository, in
#   ${HVSIM_CACHE:-/var/cache/hvsim}/opensbi/fw_jump-<key>/fw_jump.elf
# where <key> hashes everything the image is made of: the opensbi source
# version, this script, the patches, and the versions of the toolchain
# packages. A rerun with nothing changed only prints the path.
#
# The source needs a deb-src entry: when apt knows no source of this opensbi
# version, the script writes /etc/apt/sources.list.d/hvsim-deb-src.sources with
# the URIs/Suites/Components of the deb822 `Types: deb` entries of
# /etc/apt/sources.list.d/debian.sources, as `Types: deb-src`, and runs
# `apt-get update` (root, or sudo).
#
# Progress and errors go to stderr; the last (only) line on stdout is the
# absolute path of fw_jump.elf. Exit status: 0 built or cached, 1 build
# error (patch or compiler; with the tail of the log), 2 usage or
# environment error (no source package to be had, no toolchain, no cache).
# Environment: HVSIM_CACHE (cache root), HVSIM_JOBS (make -j, default 2).
set -euo pipefail

die() { echo "build.sh: $*" >&2; exit 2; }
note() { echo "build.sh: $*" >&2; }

[ $# -eq 0 ] || die "usage: $0 (no arguments; prints the path of fw_jump.elf)"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# ---- Debian packages (apt-get only when something is missing) -------------------
PKGS="opensbi dpkg-dev gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu make patch"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    note "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
CROSS=riscv64-linux-gnu-
command -v "${CROSS}gcc" >/dev/null || die "no ${CROSS}gcc (package gcc-riscv64-linux-gnu)"

# ---- cache key --------------------------------------------------------------------
ver=$(dpkg-query -W -f='${Version}' opensbi)      # e.g. 1.1-2
pkgver() { dpkg-query -W -f='${Package} ${Version}\n' "$@"; }
cc_pkg=$(dpkg-query -W -f='${Depends}' gcc-riscv64-linux-gnu | grep -o 'gcc-[0-9]*-riscv64-linux-gnu' | head -n1)
patches=$(cd "$here" && LC_ALL=C ls -1 -- *.patch 2>/dev/null) || die "no *.patch in $here"
key=$( {
    echo "hvsim opensbi fw_jump v1"
    echo "opensbi source $ver"
    pkgver gcc-riscv64-linux-gnu ${cc_pkg:+"$cc_pkg"} binutils-riscv64-linux-gnu
    cd "$here" && sha256sum build.sh $patches
} | sha256sum | cut -c1-16)

cache=${HVSIM_CACHE:-/var/cache/hvsim}/opensbi
out=$cache/fw_jump-$key
if [ -f "$out/fw_jump.elf" ]; then
    echo "$out/fw_jump.elf"
    exit 0
fi
mkdir -p "$cache" || die "cannot create the cache directory $cache (set HVSIM_CACHE)"
cache=$(cd "$cache" && pwd)
out=$cache/fw_jump-$key

# One build at a time per cache.
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/fw_jump.elf" ]; then
    echo "$out/fw_jump.elf"
    exit 0
fi

t0=$(date +%s)
rm -rf "$cache"/work-*
# shellcheck disable=SC2012
{ ls -1dt "$cache"/fw_jump-*/ 2>/dev/null || true; } | tail -n +5 | xargs -r rm -rf
work=$cache/work-$key
mkdir -p "$work"
log=$work/build.log
: >"$log"
note "building OpenSBI $ver fw_jump with $(echo $patches) (key $key), log: $log"

fail() {
    echo "build.sh: $* -- last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
}
run() { # run CMD... with output to the log; fail with the log tail
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "failed: $*"
}

# ---- the source, fetched and unpacked once per version ---------------------------
# First choice: Debian's opensbi source package of the installed version
# (Debian's patches applied by dpkg-source). When the archive does not serve
# its files (this project's build machines get a 404 for them), the OpenSBI
# tree that Debian's qemu source package carries in roms/opensbi (Debian's
# qemu builds its own OpenSBI firmware from it), provided its version
# (include/sbi/sbi_version.h) is the opensbi package's upstream version.
has_source() { # PACKAGE [VERSION]
    local versions
    versions=$(apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p')
    if [ -n "${2:-}" ]; then grep -qxF -- "$2" <<<"$versions"; else [ -n "$versions" ]; fi
}
ensure_deb_src() { # PACKAGE [VERSION]: a deb-src entry that knows PACKAGE
    has_source "$@" && return 0
    local list=/etc/apt/sources.list.d/hvsim-deb-src.sources
    local deb=/etc/apt/sources.list.d/debian.sources
    [ -f "$deb" ] || die "apt knows no source of $1 and there is no $deb to derive a deb-src entry from; add a deb-src entry for the archive of the opensbi package"
    note "apt knows no source of $1: writing $list (deb-src of $deb) and running apt-get update"
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[ \t]*deb([ \t]|\n|$)/ { sub(/Types:[ \t]*deb/, "Types: deb-src"); print }' "$deb" |
        $SUDO tee "$list" >/dev/null || die "cannot write $list"
    $SUDO apt-get update -qq >&2 || die "apt-get update failed"
    has_source "$@" || die "the archive of $deb has no source of $1${2:+ $2}"
}
fetch() { # DIR PACKAGE[=VERSION]: apt-get source --download-only into DIR
    mkdir -p "$1"
    echo "+ apt-get source --download-only $2 (in $1)" >>"$log"
    # apt-get checks the files against the archive's signed Sources index.
    (cd "$1" && apt-get source -qq --download-only "$2") >>"$log" 2>&1
}
upver=${ver#*:}
upver=${upver%-*}                                 # e.g. 1.1
srcdir=$cache/src-$ver
if [ ! -f "$srcdir/.unpacked" ]; then
    rm -rf "$srcdir"
    mkdir -p "$srcdir"
    ensure_deb_src opensbi "$ver"
    note "apt-get source opensbi=$ver"
    if fetch "$srcdir/dl" "opensbi=$ver"; then
        run dpkg-source -x "$(ls "$srcdir"/dl/opensbi_*.dsc)" "$srcdir/opensbi"
        echo "source: Debian source package opensbi $ver" >"$srcdir/ORIGIN"
    else
        note "the archive did not serve the files of source package opensbi $ver ($(grep -m1 -o '[0-9]\{3\}  *Not Found' "$log" || echo 'see the log')); taking OpenSBI $upver from Debian's qemu source package (roms/opensbi)"
        ensure_deb_src qemu
        rm -rf "$srcdir/dl"
        fetch "$srcdir/dl" qemu || {
            grep -E '^(E|W):' "$log" | tail -n 4 >&2
            die "apt-get source failed for both opensbi=$ver and qemu: no OpenSBI source to be had from the archive"
        }
        qdsc=$(ls "$srcdir"/dl/qemu_*.dsc)
        qver=$(sed -n 's/^Version: //p' "$qdsc")
        orig=$(ls "$srcdir"/dl/qemu_*.orig.tar.*)
        # Debian's qemu patches are for qemu; none may touch roms/opensbi.
        run tar -C "$srcdir/dl" -xf "$(ls "$srcdir"/dl/qemu_*.debian.tar.*)" debian/patches
        if grep -l 'roms/opensbi/' "$srcdir"/dl/debian/patches/* >>"$log" 2>&1; then
            die "Debian's qemu $qver patches roms/opensbi (see $log); this script does not apply qemu's patches"
        fi
        run tar -C "$srcdir/dl" -xf "$orig" --wildcards '*/roms/opensbi/*'
        run mv "$srcdir"/dl/*/roms/opensbi "$srcdir/opensbi"
        v=$(awk '/define OPENSBI_VERSION_MAJOR/ { M = $3 } /define OPENSBI_VERSION_MINOR/ { m = $3 }
                 END { print M "." m }' "$srcdir/opensbi/include/sbi/sbi_version.h")
        [ "$v" = "$upver" ] ||
            die "Debian's qemu $qver carries OpenSBI $v, not $upver (the installed opensbi $ver)"
        echo "source: OpenSBI $v from Debian source package qemu $qver ($(basename "$orig"), roms/opensbi)" >"$srcdir/ORIGIN"
    fi
    rm -rf "$srcdir/dl"
    [ -f "$srcdir/opensbi/Makefile" ] || fail "no Makefile in the unpacked source"
    touch "$srcdir/.unpacked"
fi
note "$(cat "$srcdir/ORIGIN")"

# ---- our patches on a copy of the source, then the build --------------------------
src=$work/opensbi
run cp -a "$srcdir/opensbi" "$src"
for p in $patches; do
    note "applying $p"
    echo "+ patch -p1 < $here/$p" >>"$log"
    (cd "$src" && patch -p1 --forward --batch <"$here/$p") >>"$log" 2>&1 ||
        fail "$p does not apply to OpenSBI $ver"
done
# -ffile-prefix-map: the ELF's debug info names /hvsim-opensbi, not the
# work directory, so the image (and its SHA-256 in trace headers) does not
# depend on the cache's path. OPENSBI_VERSION_GIT: the boot banner says
# "OpenSBI v1.1-hvsim-hsm-fix" instead of Debian's "OpenSBI v1.1", so a
# console shows which firmware ran.
run make -C "$src" -j"${HVSIM_JOBS:-2}" O="$work/obj" PLATFORM=generic \
    CROSS_COMPILE="$CROSS" CC="${CROSS}gcc -ffile-prefix-map=$work=/hvsim-opensbi" \
    OPENSBI_VERSION_GIT="v$upver-hvsim-hsm-fix" FW_JUMP=y
fw=$work/obj/platform/generic/firmware/fw_jump.elf
[ -f "$fw" ] || fail "no $fw after the build"

mkdir -p "$out.tmp"
cp "$fw" "$out.tmp/fw_jump.elf"
cp "$work/obj/platform/generic/firmware/fw_jump.bin" "$out.tmp/" 2>/dev/null || true
{
    cat "$srcdir/ORIGIN"
    echo "patches: $(echo $patches)"
    pkgver gcc-riscv64-linux-gnu ${cc_pkg:+"$cc_pkg"} binutils-riscv64-linux-gnu
    echo "built in $(( $(date +%s) - t0 )) s"
} >"$out.tmp/BUILDINFO"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -rf "$work"
note "built in $(( $(date +%s) - t0 )) s: $out/fw_jump.elf"
echo "$out/fw_jump.elf"
