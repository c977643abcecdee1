#!/bin/bash
# build_x86_64_kvm.sh — build (or find in the cache) hvsim's Linux x86_64
# KVM test kernel: the x86_64 image (build_x86_64.sh) with x86_64-kvm.config
# on top of x86_64.config and init_x86_kvm.c (the /init with the KVM
# launcher) instead of init_x86.c.
#
# The default x86_64 image's files and cache key stay untouched: this script
# stages a directory holding copies of build.sh and build_x86_64.sh, an
# x86_64.config that is x86_64.config + x86_64-kvm.config (+ a comment with
# this script's hash), init_x86_kvm.c as init_x86.c and init_x86_lib.h, and
# runs
# build_x86_64.sh on it with its own cache root
#   ${HVSIM_CACHE:-/var/cache/hvsim}/x86_64-kvm/linux/x86_64-<key>/bzImage
# (own lock, own kernel objects: KVM changes task_struct, so sharing the
# default image's objects would rebuild nearly everything on each switch).
# The kernel source unpacked for the other images is reused through a
# symbolic link when it exists. Same conventions as build.sh: last stdout
# line = the bzImage path; exit 0 built or cached, 1 build error, 2 usage or
# environment error.
# Usage: build_x86_64_kvm.sh
set -euo pipefail
die() { echo "build_x86_64_kvm.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for f in build.sh build_x86_64.sh x86_64.config x86_64-kvm.config init_x86_kvm.c init_x86_lib.h; do
    [ -f "$here/$f" ] || die "no $here/$f"
done
root=${HVSIM_CACHE:-/var/cache/hvsim}
kroot=$root/x86_64-kvm
mkdir -p "$kroot/linux" || die "cannot create the cache directory $kroot (set HVSIM_CACHE)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [ -n "$srcver" ] && [ -f "$root/linux/src-$srcver/.unpacked" ] && [ ! -e "$kroot/linux/src-$srcver" ]; then
    ln -s "$(cd "$root/linux/src-$srcver" && pwd)" "$kroot/linux/src-$srcver"
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$here/build.sh" "$here/build_x86_64.sh" "$stage/"
cp "$here/init_x86_kvm.c" "$stage/init_x86.c"
cp "$here/init_x86_lib.h" "$stage/"
{
    cat "$here/x86_64.config"
    echo
    cat "$here/x86_64-kvm.config"
    echo
    echo "# staged by build_x86_64_kvm.sh $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-64)"
} >"$stage/x86_64.config"
HVSIM_CACHE=$kroot bash "$stage/build_x86_64.sh" "$stage"
