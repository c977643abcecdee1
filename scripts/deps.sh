#!/usr/bin/env bash
# Install every Debian package hvsim's build, tests and benchmarks need.
# A no-op (no apt-get call at all) when everything is already installed.
set -eu

# bochs..mtools: make bench's Linux x86_64 + KVM peer (tests/bench/x86_kvm.sh:
# Debian's Bochs has VMX; SYSLINUX on a FAT disk image boots the bzImage).
# gcc-12-multilib, not gcc-multilib: the latter conflicts with the riscv64
# cross compiler in Debian 12; -m32 kernels link with -lgcc from it.
PKGS="
  build-essential pkg-config
  libelf-dev libfdt-dev libcapstone-dev check libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core libpng-dev libzstd-dev
  console-setup-linux
  libssl-dev libinih-dev libxxhash-dev
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  opensbi u-boot-qemu
  xvfb xdotool
  gdb-multiarch device-tree-compiler qemu-system-misc qemu-system-x86 protobuf-compiler jq
  gcc-12-multilib acpica-tools
  linux-source-6.1 gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross
  flex bison bc cpio xz-utils
  e2fsprogs
  dpkg-dev patch
  bochs bochs-term bochsbios vgabios syslinux syslinux-common mtools
"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
