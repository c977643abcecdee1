#!/bin/bash
# build.sh OUTDIR — build the SBI HSM hart_start test (an fw_jump payload)
# with the bare-metal RISC-V GCC: OUTDIR/hsm.elf, entered at 0x80200000.
#   hvsim run --smp 4 --kernel OUTDIR/hsm.elf    (default firmware: OpenSBI fw_jump)
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "$0")" && pwd)
CC=${RV_CC:-riscv64-unknown-elf-gcc}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# No -g (build paths in the ELF would change its SHA-256 per checkout);
# named objects (a one-step build leaves temporary names in the symbols).
# -fno-zero-initialized-in-bss: all state is initialised data (link.ld).
common=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2
        -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-pic
        -fno-stack-protector -fno-zero-initialized-in-bss
        -nostdlib -nostartfiles -static -Wl,--no-warn-rwx-segments -I"$src")
mkdir -p "$out/obj-hsm"
"$CC" "${common[@]}" -c -o "$out/obj-hsm/start.o" "$src/start.S"
"$CC" "${common[@]}" -c -o "$out/obj-hsm/hsm.o" "$src/hsm.c"
"$CC" "${common[@]}" -T "$src/link.ld" -o "$out/hsm.elf" "$out/obj-hsm/start.o" "$out/obj-hsm/hsm.o"
# hsm.c computes hart K's start address as hsm_entry_0 + K * HSM_ENTRY_STRIDE:
# every hsm_entry_K must be exactly there (an entry grown past the stride
# would be pushed to the next boundary by .balign).
stride=$(sed -n 's/^#define HSM_ENTRY_STRIDE *\([0-9]*\).*/\1/p' "$src/hsm.h")
NM=${RV_NM:-riscv64-unknown-elf-nm}
base=$("$NM" "$out/hsm.elf" | awk '$3 == "hsm_entry_0" { print $1 }')
n=0
while read -r addr _ name; do
    k=${name#hsm_entry_}
    if [ $((16#$addr)) -ne $((16#$base + k * stride)) ]; then
        echo "hsm: $name is at 0x$addr, not hsm_entry_0 + $k * $stride" >&2
        exit 1
    fi
    n=$((n + 1))
done < <("$NM" "$out/hsm.elf" | grep -E ' hsm_entry_[0-9]+$')
[ -n "$base" ] && [ "$n" -gt 0 ] || { echo "hsm: no hsm_entry_K symbols" >&2; exit 1; }
echo "hsm: built $out/hsm.elf"
