#!/usr/bin/env bash
# Builds the screen test programs (docs/view.md "The guest screen"):
#   build.sh OUTDIR -> OUTDIR/fb-test.elf (RISC-V simple-framebuffer, M mode)
#                      OUTDIR/vga-test.elf (x86-64 ELF: VGA text mode)
#                      OUTDIR/vga-mb2.elf (Multiboot 2: the EGA text framebuffer tag)
#                      OUTDIR/gfx-dispi.elf, gfx-13h.elf (x86-64: VBE DISPI, mode 13h)
#                      OUTDIR/gfx-mb2.elf, gfx-mb1.elf (Multiboot 2 / 1: the RGB framebuffer info)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
RV_CC=${RV_CC:-riscv64-unknown-elf-gcc}
"$RV_CC" -march=rv64g -mabi=lp64d -mcmodel=medany -O2 -ffreestanding -fno-builtin \
    -nostdlib -nostartfiles -static -Wall -Wextra -T "$here/link.ld" \
    -o "$out/fb-test.elf" "$here/start.S" "$here/fb_test.c" -lgcc
x86=$here/../x86
CC=${X86_CC:-gcc}
"$CC" -m64 -O2 -ffreestanding -fno-pic -no-pie -mno-red-zone -mgeneral-regs-only \
    -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra \
    -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$x86/link.ld" \
    -I"$x86" -o "$out/vga-test.elf" "$x86/start.S" "$x86/lib.c" "$here/vga_test.c"
# the Multiboot 2 kernel asking for the framebuffer info tag (32-bit)
"$CC" -m32 -O2 -ffreestanding -fno-pic -no-pie -mgeneral-regs-only -fno-stack-protector \
    -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra -nostdlib -static \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$x86/mb.ld" -I"$x86" -DMB2_ASK=8 \
    -o "$out/vga-mb2.elf" "$x86/mb2_header.S" "$x86/mb_start.S" "$x86/lib.c" "$here/vga_mb2.c" -lgcc
# graphics (docs/x86.md "Linear framebuffer"): the VBE DISPI switch and mode
# 13h (x86-64 ELF), the Multiboot 2 RGB framebuffer tag (32-bit)
for v in DISPI:gfx-dispi 13H:gfx-13h; do
    "$CC" -m64 -O2 -ffreestanding -fno-pic -no-pie -mno-red-zone -mgeneral-regs-only \
        -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra \
        -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$x86/link.ld" \
        -I"$x86" -DGFX_${v%%:*} -o "$out/${v#*:}.elf" "$x86/start.S" "$x86/lib.c" "$here/gfx_test.c"
done
"$CC" -m32 -O2 -ffreestanding -fno-pic -no-pie -mgeneral-regs-only -fno-stack-protector \
    -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra -nostdlib -static \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$x86/mb.ld" -I"$x86" -DMB2_ASK=8 -DMB2_FB=0 \
    -o "$out/gfx-mb2.elf" "$x86/mb2_header.S" "$x86/mb_start.S" "$x86/lib.c" "$here/gfx_mb2.c" -lgcc
"$CC" -m32 -O2 -ffreestanding -fno-pic -no-pie -mgeneral-regs-only -fno-stack-protector \
    -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra -nostdlib -static \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$x86/mb.ld" -I"$x86" -DMB1_VIDEO -DGFX_MB1 \
    -o "$out/gfx-mb1.elf" "$x86/mb1_header.S" "$x86/mb_start.S" "$x86/lib.c" "$here/gfx_mb2.c" -lgcc
