/* The x86 PC board (configs/x86-pc.ini): its config keys and state. The
 * memory map, the firmware tables and the boot paths (Linux bzImage,
 * multiboot 1/2, ELF64 long-mode entry) are in docs/x86.md "PC memory map",
 * "Firmware tables" and "Boot". */
#ifndef HVSIM_BOARDS_X86_PC_H
#define HVSIM_BOARDS_X86_PC_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/config.h"

struct x86_pc_config {
    char cpu_model[64];     /* [cpu] model: CPUID model described in the config */
    char triple_fault[8];   /* [cpu] triple-fault: exit (default) or reset */
    char cpu_vendor[16];    /* [cpu] vendor: CPUID.0 string, 12 characters */
    uint32_t cpu_family, cpu_model_nr, cpu_stepping; /* [cpu] family/model/stepping */
    char vmx[8];            /* [cpu] vmx: off (default) or on (Intel VMX, docs/vmx.md) */
    char monitor[8];        /* [cpu] monitor: on, off or empty (= off, the default; not written
                               into trace headers): MONITOR / MWAIT (docs/x86.md) */
    char xsave[8];          /* [cpu] xsave: on, off or empty (= off, the default; not written
                               into trace headers): XSAVE for x87/SSE (docs/x86.md "XSAVE") */
    uint64_t uart_port;     /* [uart] port: COM1 I/O base (0x3f8) */
    uint32_t uart_irq;      /* [uart] irq: ISA IRQ (4) */
    uint64_t uart_clock_hz; /* [uart] clock */
    uint64_t debug_exit_port; /* [isa-debug-exit] port (0xf4, QEMU's) */
    uint32_t debug_exit_size; /* [isa-debug-exit] size: 1..4 ports (4, as kvm-unit-tests use it) */
    uint64_t fw_cfg_port;   /* [fw-cfg] port (0x510; 0: none) */
    uint64_t rtc_epoch;     /* [rtc] epoch: seconds since 1970 UTC at virtual time 0 */
    uint64_t kernel_addr;   /* [load] kernel: raw-image load address */
    uint64_t below_4g;      /* [memory] below-4g: RAM below 4 GiB at most (3G); the rest at 4 GiB */
    char modules[1024];     /* [load] modules: FILE[,ARGS]|FILE[,ARGS]... (--module) */
    char vga[8];            /* [vga] text: "on" (--vga) or empty = none (docs/x86.md "VGA text mode") */
    char lfb[24];           /* [vga] lfb: WxHxBPP (--vga lfb=...) or empty = none (docs/x86.md "Linear framebuffer") */
};

/* The board's state (m->board_state): the legacy devices. */
#include "x86_pc_devices.h"
struct lapic_sys;
struct acpi_pm;
struct ioapic;
struct vga;
struct vbe_dispi;
struct x86_pc {
    struct x86_pc_devices dev;  /* PIC, PIT, RTC, COM1, fw_cfg, isa-debug-exit, A20 */
    struct lapic_sys *apics;    /* the local APICs (src/apic/lapic.c) */
    struct ioapic *ioapic;      /* at 0xfec00000 (src/apic/ioapic.c) */
    struct acpi_pm *pm;         /* the FADT's PM1a blocks (x86_pc_acpi.h): S5 power-off */
    struct vga *vga;            /* [vga] text = on (or lfb): VGA text mode (src/devices/vga.h), else NULL */
    struct vbe_dispi *vbe;      /* [vga] lfb: VBE DISPI + linear framebuffer (src/devices/vbe_dispi.h), else NULL */
};

static inline const struct x86_pc_config *x86_pc_config(const struct config *c)
{
    return (const struct x86_pc_config *)(const void *)c->board_cfg;
}

#endif
