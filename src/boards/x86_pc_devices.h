/* The PC board's legacy ISA devices, added to a machine in one call:
 *
 *   device            ports               interrupt
 *   8259A PIC pair    0x20-0x21, 0xa0-0xa1, ELCR 0x4d0-0x4d1   INTR -> CPU (cfg.intr)
 *   8254 PIT          0x40-0x43           OUT0 -> IRQ 0
 *   port 0x61/0x80/0x92 (pc_misc)         PIT channel 2 gate/OUT, A20, reset
 *   MC146818 RTC/CMOS 0x70-0x71           IRQ 8 (PIC slave input 0)
 *   16550 COM1        cfg.com1_port, 8    cfg.com1_irq (PIC input)
 *   isa-debug-exit    cfg.debug_exit_port, cfg.debug_exit_size
 *   fw_cfg            cfg.fw_cfg_port (selector), +1 (data)
 *
 * The legacy devices sit at their fixed PC ports; COM1, isa-debug-exit and
 * fw_cfg are configurable (size/port 0 leaves a device out). Each device is
 * ISA-neutral (src/devices/); this file only wires them. */
#ifndef HVSIM_BOARDS_X86_PC_DEVICES_H
#define HVSIM_BOARDS_X86_PC_DEVICES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../sim/irq.h"

struct machine;
struct i8259;
struct i8254;
struct pc_misc;
struct cmos_rtc;
struct isa_debug_exit;
struct fw_cfg;
struct uart16550;

struct x86_pc_devices_config {
    struct irq_line intr;       /* the PIC's INTR output (the boot CPU's LINT0/INTR) */
    /* Each ISA IRQ n also goes to isa_also.set(isa_also.opaque, n, level)
     * (the board's IOAPIC routing); set == NULL: the PIC only. */
    struct irq_line isa_also;
    uint32_t com1_port;         /* [uart] port: 0x3f8 (0: no COM1) */
    uint32_t com1_irq;          /* [uart] irq: 4 (ISA IRQ 0..15) */
    uint32_t debug_exit_port;   /* [isa-debug-exit] port: 0xf4 */
    uint32_t debug_exit_size;   /* [isa-debug-exit] size: 4 (1..4; 0: none) */
    uint32_t fw_cfg_port;       /* [fw-cfg] port: 0x510 (0: none) */
    uint64_t ram_below_4g;      /* RAM from address 0 (bytes) */
    uint64_t ram_above_4g;      /* RAM from 4 GiB (bytes) */
    unsigned ncpus, max_cpus;   /* fw_cfg NB_CPUS / MAX_CPUS */
    int64_t rtc_epoch;          /* [rtc] epoch: seconds since 1970 UTC at virtual time 0 */
    const char *cmdline;        /* [load] cmdline (NULL: "") */
    uint32_t cmdline_addr;      /* fw_cfg CMDLINE_ADDR */
};

struct x86_pc_devices {
    struct i8259 *pic;
    struct i8254 *pit;
    struct pc_misc *misc;
    struct cmos_rtc *rtc;
    struct isa_debug_exit *debug_exit;  /* NULL when left out */
    struct fw_cfg *fw_cfg;              /* NULL when left out */
    struct uart16550 *com1;             /* NULL when left out */
    struct irq_line isa_also;           /* see the config */
    bool a20;            /* A20 gate (port 0x92 bit 1); true at reset; the CPU model reads it */
    bool nmi_disabled;   /* port 0x70 bit 7 */
};

/* The defaults above (epoch 2000-01-01 00:00:00 UTC = 946684800, one CPU,
 * no RAM sizes, no INTR receiver). */
void x86_pc_devices_config_default(struct x86_pc_devices_config *cfg);

/* Creates the devices and adds their port windows to m's bus. d must be
 * zeroed and must not move afterwards (the devices point at d->a20 and
 * d->nmi_disabled). On false (err says which window or device), call
 * x86_pc_devices_free(d) all the same. Uses two machine timers (PIT, RTC). */
bool x86_pc_devices_add(struct machine *m, struct x86_pc_devices *d,
                        const struct x86_pc_devices_config *cfg, char *err, size_t errlen);
void x86_pc_devices_free(struct x86_pc_devices *d);
/* Once per scheduler round (the board's round hook): COM1 input. */
void x86_pc_devices_round(struct x86_pc_devices *d);
/* Snapshots: dst built from the same config. */
void x86_pc_devices_copy_state(struct x86_pc_devices *dst, const struct x86_pc_devices *src);
/* A machine reset (triple fault with [cpu] triple-fault = reset): the PIC,
 * the PIT, ports 61h/92h (A20 on) and COM1 to their power-on state; the
 * CMOS RAM and clock (battery-backed), fw_cfg and isa-debug-exit keep
 * theirs. False when out of memory (nothing reset). */
bool x86_pc_devices_reset(struct machine *m, struct x86_pc_devices *d);

#endif
