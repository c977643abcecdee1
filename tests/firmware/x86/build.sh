#!/usr/bin/env bash
# Builds our x86_64 test kernels with the host gcc (freestanding, no SSE):
#   build.sh OUTDIR   ->  OUTDIR/x86-basic64.elf, x86-smc.elf, x86-smp.elf, x86-ipirace.elf, x86-pausespin.elf, x86-{exceptions,paging,syscall,misc}.elf,
#                         x86-chaos{,-user,-compat,-real,-vm86,-prot32,-prot16,-prot32-cpl0}.elf,
#                         x86-x87.elf (x87.c with the x87 enabled, still no SSE),
#                         x86-xsave.elf (xsave.c: XSAVE/XRSTOR/XGETBV/XSETBV, CPUID 0DH),
#                         x86-mb*.elf/.bin (multiboot), x86-tasks.elf (task switches, debug),
#                         x86-vm86.elf (virtual-8086 mode, task switches, call gates),
#                         x86-desc.elf (LAR LSL VERR VERW ARPL, call-gate parameters),
#                         x86-mwait.elf, x86-vmx_mwait.elf (MONITOR / MWAIT, their VM exits)
# Reproducible: no -g, fixed link order, no build ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
CC=${X86_CC:-gcc}
# gcc assembles a .S given on a link command line into a temporary object
# whose random name (/tmp/ccXXXXXX.o) ld writes into the symbol table as
# the FILE symbol, so two builds differed. cc_build takes the arguments of
# a gcc command and first assembles each .S into an object named after the
# source (ld records the basename: start.o), with the same flags.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nobj=0
cc_build() {
    local a skip=0 flags=() srcs=() args=()
    for a in "$@"; do
        if [ "$skip" = 1 ]; then skip=0; continue; fi
        case $a in
        -o) skip=1 ;;
        -l*|*.c|*.o|*.S) ;;
        *) flags+=("$a") ;;
        esac
    done
    for a in "$@"; do
        case $a in
        *.S)
            nobj=$((nobj + 1))
            mkdir -p "$work/$nobj"
            local o="$work/$nobj/$(basename "${a%.S}").o"
            "$CC" "${flags[@]}" -c -o "$o" "$a"
            args+=("$o") ;;
        *) args+=("$a") ;;
        esac
    done
    "$CC" "${args[@]}"
}
CFLAGS="-m64 -O2 -ffreestanding -fno-pic -no-pie -mno-red-zone -mgeneral-regs-only -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $here/link.ld"
# shellcheck disable=SC2086
cc_build $CFLAGS -o "$out/x86-basic64.elf" "$here/start.S" "$here/lib.c" "$here/basic64.c"
# the CPU kernels (docs/x86.md "Test kernels"): .user at 0x200000
CPUFLAGS=${CFLAGS/link.ld/link-cpu.ld}
for k in exceptions paging syscall misc vmx xsave; do
    [ -f "$here/$k.c" ] || continue
    # shellcheck disable=SC2086
    cc_build $CPUFLAGS -o "$out/x86-$k.elf" "$here/start.S" "$here/lib.c" "$here/$k.c"
done
cc_build $CFLAGS -o "$out/x86-smc.elf" "$here/start.S" "$here/lib.c" "$here/smc.c"
# the SMP / APIC kernel (docs/x86.md "Interrupts and SMP")
cc_build $CFLAGS -o "$out/x86-smp.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/smp.c"
cc_build $CFLAGS -o "$out/x86-ipirace.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/ipirace.c"
# PAUSE ends the spinning CPU's slot (docs/x86.md "Interrupts and SMP")
cc_build $CFLAGS -o "$out/x86-pausespin.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/pausespin.c"
# random-code kernels for tests/e2e/chaos.sh (.chaos is filled by the test)
cc_build $CFLAGS -o "$out/x86-chaos.elf" "$here/chaos.S"
cc_build $CFLAGS -DCHAOS_USER -o "$out/x86-chaos-user.elf" "$here/chaos.S"
cc_build $CFLAGS -DCHAOS_COMPAT -o "$out/x86-chaos-compat.elf" "$here/chaos.S"
cc_build $CFLAGS -DCHAOS_REAL -o "$out/x86-chaos-real.elf" "$here/chaos.S"
# the x87 kernel: x87.c may use the x87 (long double), nothing of SSE/MMX
X87FLAGS="${CFLAGS/-mgeneral-regs-only/-mno-sse -mno-mmx -m80387}"
$CC $CFLAGS -c -o "$out/x86t-lib.o" "$here/lib.c"
# shellcheck disable=SC2086
cc_build $X87FLAGS -o "$out/x86-x87.elf" "$here/start.S" "$out/x86t-lib.o" "$here/x87.c"
rm -f "$out/x86t-lib.o"
# 32-bit multiboot kernels (-m32, libgcc for 64-bit arithmetic): mb1 as
# ELF32 and as a flat binary through the header's address fields (a.out
# kludge); mb2 as ELF32 and the same code in an ELF64 container.
M32="-m32 -O2 -ffreestanding -fno-pic -no-pie -mgeneral-regs-only -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -Wall -Wextra -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $here/mb.ld"
MB_COMMON="$here/mb_start.S $here/mb_lib.c $here/lib.c $here/mb_modes.S"
# shellcheck disable=SC2086
cc_build $M32 -o "$out/x86-mb1.elf" "$here/mb1_header.S" $MB_COMMON "$here/mb1.c" -lgcc
# shellcheck disable=SC2086
cc_build $M32 -DAOUT_KLUDGE -o "$out/x86-mb1-aout.elf" "$here/mb1_header.S" $MB_COMMON "$here/mb1.c" -lgcc
objcopy -O binary "$out/x86-mb1-aout.elf" "$out/x86-mb1-aout.bin"
# shellcheck disable=SC2086
cc_build $M32 -o "$out/x86-mb2.elf" "$here/mb2_header.S" $MB_COMMON "$here/mb2.c" -lgcc
objcopy -O elf64-x86-64 "$out/x86-mb2.elf" "$out/x86-mb2-64.elf"
# mb2 variants: the address tag in a flat binary; a required (refused) and an
# optional (ignored) framebuffer tag; a required request for tag 8 (refused)
# shellcheck disable=SC2086
cc_build $M32 -DMB2_ADDR -o "$out/x86-mb2-addr.elf" "$here/mb2_header.S" $MB_COMMON "$here/mb2.c" -lgcc
objcopy -O binary "$out/x86-mb2-addr.elf" "$out/x86-mb2-addr.bin"
# the task-switch / debug kernel (multiboot 1, 32-bit protected mode)
cc_build $M32 -o "$out/x86-tasks.elf" "$here/mb1_header.S" "$here/mb_start.S" "$here/mb_lib.c" "$here/lib.c" \
    "$here/tasks.c" -lgcc
# random code in virtual-8086 mode for tests/e2e/chaos.sh (.chaos is filled by the test)
cc_build $M32 -o "$out/x86-chaos-vm86.elf" "$here/mb1_header.S" "$here/mb_start.S" "$here/mb_lib.c" "$here/lib.c" \
    "$here/chaos_vm86.c" -lgcc
# random code in protected mode (32-bit at CPL 3 and CPL 0, 16-bit at CPL 3) for tests/e2e/chaos.sh
cc_build $M32 -o "$out/x86-chaos-prot32.elf" "$here/mb1_header.S" "$here/mb_start.S" "$here/mb_lib.c" "$here/lib.c" \
    "$here/chaos_prot32.c" -lgcc
cc_build $M32 -DCHAOS_16 -o "$out/x86-chaos-prot16.elf" "$here/mb1_header.S" "$here/mb_start.S" \
    "$here/mb_lib.c" "$here/lib.c" "$here/chaos_prot32.c" -lgcc
cc_build $M32 -DCHAOS_CPL0 -o "$out/x86-chaos-prot32-cpl0.elf" "$here/mb1_header.S" "$here/mb_start.S" \
    "$here/mb_lib.c" "$here/lib.c" "$here/chaos_prot32.c" -lgcc
# the virtual-8086 / task-switch / call-gate kernel (multiboot 1, 32-bit protected mode)
cc_build $M32 -o "$out/x86-vm86.elf" "$here/mb1_header.S" "$here/mb_start.S" "$here/mb_lib.c" "$here/lib.c" \
    "$here/vm86.c" -lgcc
# LAR LSL VERR VERW ARPL and call-gate parameter copying (docs/x86.md "Test kernels")
cc_build $M32 -o "$out/x86-desc.elf" "$here/mb1_header.S" "$here/mb_start.S" "$here/mb_lib.c" "$here/lib.c" \
    "$here/desc.c" -lgcc
# shellcheck disable=SC2086
cc_build $M32 -DMB2_FB=0 -o "$out/x86-mb2-fb.elf" "$here/mb2_header.S" $MB_COMMON "$here/mb2.c" -lgcc
# shellcheck disable=SC2086
cc_build $M32 -DMB2_FB=1 -o "$out/x86-mb2-fbopt.elf" "$here/mb2_header.S" $MB_COMMON "$here/mb2.c" -lgcc
# shellcheck disable=SC2086
cc_build $M32 -DMB2_ASK=8 -o "$out/x86-mb2-ask8.elf" "$here/mb2_header.S" $MB_COMMON "$here/mb2.c" -lgcc
# the tagged-TLB hypervisor (docs/vmx.md "TLB") and the VMX-on-several-CPUs
# one (docs/vmx.md "VMX on several CPUs")
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx_tlb.elf" "$here/start.S" "$here/lib.c" "$here/vmx_tlb.c"
# shellcheck disable=SC2086
cc_build $CPUFLAGS -DVMX_TLB_BENCH -o "$out/x86-vmx_bench.elf" "$here/start.S" "$here/lib.c" "$here/vmx_tlb.c"
# shellcheck disable=SC2086
cc_build $CFLAGS -o "$out/x86-vmx_smp.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/vmx_smp.c"
# the unrestricted-guest hypervisor: real-mode guests (docs/vmx.md "Unrestricted guest")
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx_ug.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/vmx_ug.c"
# the APIC-virtualization test hypervisor (docs/vmx.md "APIC virtualization")
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx-apic.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/vmx_apic.c"
# hv2, the multi-VM test hypervisor (docs/vmx.md "hv2"): a multiboot ELF64
# kernel; its guest (hv2_guest.c) may use only its own sections, hence no
# jump tables and no memset/memcpy calls
HV2FLAGS="${CFLAGS/link.ld/hv2.ld} -fno-jump-tables -fno-tree-loop-distribute-patterns -Wl,-z,max-page-size=0x1000"
# shellcheck disable=SC2086
cc_build $HV2FLAGS -o "$out/x86-hv2.elf" "$here/hv2_boot.S" "$here/start.S" "$here/lib.c" \
    "$here/smp_tramp.S" "$here/hv2.c" "$here/hv2_guest.c"
# shellcheck disable=SC2086
cc_build $HV2FLAGS -DHV2_BREAK -o "$out/x86-hv2-break.elf" "$here/hv2_boot.S" "$here/start.S" "$here/lib.c" \
    "$here/smp_tramp.S" "$here/hv2.c" "$here/hv2_guest.c"
# MONITOR / MWAIT on two CPUs (docs/x86.md "MONITOR and MWAIT") and their VM exits
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-mwait.elf" "$here/start.S" "$here/lib.c" "$here/smp_tramp.S" "$here/mwait.c"
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx_mwait.elf" "$here/start.S" "$here/lib.c" "$here/vmx_mwait.c"
# VM exits of docs/vmx.md's former "Not run by a test yet" list (CR8, INS/OUTS, VMX instructions, #DB)
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx_exits2.elf" "$here/start.S" "$here/lib.c" "$here/vmx_exits2.c"
# VMX gaps: #DB exits, VMREAD/VMWRITE memory operands, INVPCID, an unusable
# segment in real mode, the guest PDPTE fields (docs/vmx.md "Gaps closed");
# and the kernels ending in a VMX abort, indicator 1, 2 and 4
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx_gaps.elf" "$here/start.S" "$here/lib.c" "$here/vmx_gaps.c"
# VM-entry checks, one condition at a time (docs/vmx_coverage.md clause 1)
# shellcheck disable=SC2086
cc_build $CPUFLAGS -o "$out/x86-vmx_checks.elf" "$here/start.S" "$here/lib.c" "$here/vmx_checks.c"
# shellcheck disable=SC2086
cc_build $CPUFLAGS -DVMX_ABORT=1 -o "$out/x86-vmx_abort1.elf" "$here/start.S" "$here/lib.c" "$here/vmx_gaps.c"
# shellcheck disable=SC2086
cc_build $CPUFLAGS -DVMX_ABORT=4 -o "$out/x86-vmx_abort4.elf" "$here/start.S" "$here/lib.c" "$here/vmx_gaps.c"
# shellcheck disable=SC2086
cc_build $CPUFLAGS -DVMX_ABORT=2 -o "$out/x86-vmx_abort2.elf" "$here/start.S" "$here/lib.c" "$here/vmx_gaps.c"
