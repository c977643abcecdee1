#!/bin/bash
# build.sh OUTDIR — build minihv and its guest with the bare-metal RISC-V GCC.
#   OUTDIR/minihv.elf        the hypervisor (fw_jump payload at 0x80200000)
#   OUTDIR/minihv-guest.elf  the guest (GPA 0x80000000), for symbols/disassembly
#   OUTDIR/minihv-guest.bin  the raw guest image embedded in minihv.elf
# Extra compiler flags for both: MINIHV_CFLAGS (e.g. -DMINIHV_BREAK,
# -DMINIHV_VERBOSE, -DMHV_PINGPONG=10).
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "$0")" && pwd)
CC=${RV_CC:-riscv64-unknown-elf-gcc}
OBJCOPY=${RV_OBJCOPY:-riscv64-unknown-elf-objcopy}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# rv64imac: no FP state to switch. gcc 12 does not accept "h" in -march; the
# few H instructions are wrapped in ".option arch, +h" (see H_INSN in minihv.h).
# No -g: debug info records build paths and temporary file names, and the ELF
# must be the same bytes in any checkout (golden traces store its SHA-256).
# The symbol table stays, so traces still symbolise.
common=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2
        -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-pic
        -fno-stack-protector -fno-tree-loop-distribute-patterns
        -nostdlib -nostartfiles -static -Wl,--no-warn-rwx-segments -I"$src" ${MINIHV_CFLAGS:-})

# Compile each source to a named object first: a one-step compile+link would
# leave gcc's random temporary file names in the symbol table.
obj() { # SRC [FLAGS...] -> prints the object path
    local f=$1; shift
    local o="$out/obj/$(basename "${f%.*}").o"
    mkdir -p "$out/obj"
    "$CC" "${common[@]}" "$@" -c -o "$o" "$f"
    echo "$o"
}
gobjs=$(obj "$src/guest_start.S"; obj "$src/guest.c")
# shellcheck disable=SC2086
"$CC" "${common[@]}" -T "$src/guest.ld" -o "$out/minihv-guest.elf" $gobjs
"$OBJCOPY" -O binary "$out/minihv-guest.elf" "$out/minihv-guest.bin"

hobjs=$(for f in start.S hv.c sbi.c vuart.c gstage.c; do obj "$src/$f"; done
        obj "$src/guest_blob.S" -DGUEST_BIN="\"$out/minihv-guest.bin\"")
# shellcheck disable=SC2086
"$CC" "${common[@]}" -T "$src/link.ld" -o "$out/minihv.elf" $hobjs
echo "minihv: built $out/minihv.elf"
