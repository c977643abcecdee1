#!/usr/bin/env bash
# Layering rule (docs/architecture.md "Layers"): architecture-specific
# headers are included only by their own CPU model, their board(s) and their
# interrupt controllers. The engine, devices, loader, trace tools, gdb stub
# and vmm reach an architecture through src/sim/arch.h and src/sim/board.h.
# Prints every violation as FILE:LINE: include; exit 1 if there is any.
set -u
cd "$(dirname "$0")/.."
bad=0
# arch  header pattern (in the #include string)                 files allowed to include it
# (src/vmm/vmx*.c: the x86 leaf of src/vmm, src/vmm/vmx.h)
rules=(
  "riscv|cpu/riscv/|aclint\.h|plic\.h|boards/riscv_virt|riscv_virt[a-z_]*\.h|^src/cpu/riscv/|^src/boards/riscv_virt|^src/apic/(aclint|plic|aplic|imsic)\.|^src/cpu/riscv/"
  "x86|cpu/x86/|lapic\.h|ioapic\.h|boards/x86_pc|x86_pc[a-z_]*\.h|^src/cpu/x86/|^src/boards/x86_pc|^src/apic/(lapic|ioapic)\.|^src/vmm/vmx[a-z_]*\.[ch]$"
)
for rule in "${rules[@]}"; do
    IFS='|' read -r arch h1 h2 h3 h4 h5 a1 a2 a3 a4 <<<"$rule"
    hdr="($h1|$h2|$h3|$h4|$h5)"
    allowed="($a1|$a2|$a3|$a4)"
    while IFS= read -r hit; do
        file=${hit%%:*}
        if ! [[ $file =~ $allowed ]]; then
            echo "$hit   <- $arch header outside its layer"
            bad=1
        fi
    done < <(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"[^\"]*$hdr" src || true)
done
# The viewer (src/view/, docs/view.md) is a tool: SDL and view headers only
# in src/view/ and the `trace` dispatch (src/trace/tools.c), so the
# simulator never depends on the window.
while IFS= read -r hit; do
    file=${hit%%:*}
    if ! [[ $file =~ ^src/view/|^src/trace/tools\.c$ ]]; then
        echo "$hit   <- viewer/SDL header outside src/view"
        bad=1
    fi
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](SDL[^">]*|[^">]*view/view\.h|view\.h)[">]' src || true)
# `run --display sdl` (src/view/live.h, no SDL in it): only the CLI.
while IFS= read -r hit; do
    file=${hit%%:*}
    if ! [[ $file =~ ^src/view/|^src/main\.c$ ]]; then
        echo "$hit   <- the live window outside src/view and src/main.c"
        bad=1
    fi
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*/)?live\.h"' src || true)
if [ "$bad" = 0 ]; then
    echo "layering: ok (no architecture header outside its CPU model, board and interrupt controllers; SDL only in src/view)"
fi
exit $bad
