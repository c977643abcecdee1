/* Wiring of the PC's legacy devices (see x86_pc_devices.h). */
#include "x86_pc_devices.h"

#include <stdio.h>
#include <string.h>
#include "../devices/cmos_rtc.h"
#include "../devices/fw_cfg.h"
#include "../devices/i8254.h"
#include "../devices/i8259.h"
#include "../devices/isa_debug_exit.h"
#include "../devices/pc_misc.h"
#include "../devices/uart16550.h"
#include "../sim/bus.h"
#include "../sim/machine.h"

void x86_pc_devices_config_default(struct x86_pc_devices_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->com1_port = 0x3f8;
    cfg->com1_irq = 4;
    cfg->debug_exit_port = 0xf4;
    cfg->debug_exit_size = 4;
    cfg->fw_cfg_port = 0x510;
    cfg->ncpus = cfg->max_cpus = 1;
    cfg->rtc_epoch = 946684800; /* 2000-01-01 00:00:00 UTC */
}

static bool add_pio(struct machine *m, const char *name, uint32_t base, uint32_t size,
                    const struct mmio_ops *ops, void *opaque, char *err, size_t errlen)
{
    return bus_add_pio(&m->bus, name, base, size, ops, opaque, err, errlen) != NULL;
}

static bool oom(const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: out of memory", what);
    return false;
}

/* An ISA IRQ line: the PIC input and, on boards with an IOAPIC, its pin. */
static void isa_irq(void *opaque, int n, int level)
{
    struct x86_pc_devices *d = opaque;
    i8259_set_irq(d->pic, n, level);
    if (d->isa_also.set)
        d->isa_also.set(d->isa_also.opaque, n, level);
}

bool x86_pc_devices_add(struct machine *m, struct x86_pc_devices *d,
                        const struct x86_pc_devices_config *cfg, char *err, size_t errlen)
{
    if (cfg->com1_port && cfg->com1_irq > 15) {
        snprintf(err, errlen, "[uart] irq %u is not an ISA IRQ (0..15)", cfg->com1_irq);
        return false;
    }
    if (cfg->debug_exit_size > 4) {
        snprintf(err, errlen, "[isa-debug-exit] size %u must be 1..4", cfg->debug_exit_size);
        return false;
    }
    d->a20 = true; /* as the CPU's reset leaves it on QEMU: direct kernel boot needs it */
    d->nmi_disabled = false;

    d->isa_also = cfg->isa_also;
    d->pic = i8259_new(cfg->intr);
    if (!d->pic)
        return oom("pic", err, errlen);
    if (!add_pio(m, "pic-master", 0x20, 2, &i8259_master_ops, d->pic, err, errlen) ||
        !add_pio(m, "pic-slave", 0xa0, 2, &i8259_slave_ops, d->pic, err, errlen) ||
        !add_pio(m, "elcr", 0x4d0, 2, &i8259_elcr_ops, d->pic, err, errlen))
        return false;

    d->pit = i8254_new(m, (struct irq_line){ isa_irq, d, 0 });
    if (!d->pit)
        return oom("pit", err, errlen);
    if (!add_pio(m, "pit", 0x40, I8254_PORTS, &i8254_ops, d->pit, err, errlen))
        return false;

    d->misc = pc_misc_new(m, d->pit, &d->a20);
    if (!d->misc)
        return oom("port 0x61/0x80/0x92", err, errlen);
    if (!add_pio(m, "nmi-sc", 0x61, 1, &pc_misc_port61_ops, d->misc, err, errlen) ||
        !add_pio(m, "post", 0x80, 1, &pc_misc_port80_ops, d->misc, err, errlen) ||
        !add_pio(m, "port92", 0x92, 1, &pc_misc_port92_ops, d->misc, err, errlen))
        return false;

    const struct cmos_rtc_config rc = { .epoch = cfg->rtc_epoch, .ram_below_4g = cfg->ram_below_4g,
                                        .ram_above_4g = cfg->ram_above_4g };
    d->rtc = cmos_rtc_new(m, &rc, (struct irq_line){ isa_irq, d, 8 }, &d->nmi_disabled);
    if (!d->rtc)
        return oom("rtc", err, errlen);
    if (!add_pio(m, "rtc", 0x70, CMOS_RTC_PORTS, &cmos_rtc_ops, d->rtc, err, errlen))
        return false;

    if (cfg->debug_exit_size) {
        d->debug_exit = isa_debug_exit_new(m, cfg->debug_exit_size);
        if (!d->debug_exit)
            return oom("isa-debug-exit", err, errlen);
        if (!add_pio(m, "isa-debug-exit", cfg->debug_exit_port, cfg->debug_exit_size,
                     &isa_debug_exit_ops, d->debug_exit, err, errlen))
            return false;
    }

    if (cfg->fw_cfg_port) {
        const struct fw_cfg_config fc = {
            .ram_size = cfg->ram_below_4g + cfg->ram_above_4g,
            .nb_cpus = (uint16_t)cfg->ncpus,
            .max_cpus = (uint16_t)(cfg->max_cpus ? cfg->max_cpus : cfg->ncpus),
            .cmdline = cfg->cmdline,
            .cmdline_addr = cfg->cmdline_addr,
        };
        d->fw_cfg = fw_cfg_new(&fc);
        if (!d->fw_cfg)
            return oom("fw_cfg", err, errlen);
        if (!add_pio(m, "fw_cfg", cfg->fw_cfg_port, FW_CFG_PORTS, &fw_cfg_ops, d->fw_cfg, err, errlen))
            return false;
    }

    if (cfg->com1_port) {
        d->com1 = uart_new(m, m->console, (struct irq_line){ isa_irq, d, (int)cfg->com1_irq });
        if (!d->com1)
            return oom("com1", err, errlen);
        if (!add_pio(m, "com1", cfg->com1_port, 8, &uart_ops, d->com1, err, errlen))
            return false;
    }
    return true;
}

void x86_pc_devices_free(struct x86_pc_devices *d)
{
    if (!d)
        return;
    uart_free(d->com1);
    fw_cfg_free(d->fw_cfg);
    isa_debug_exit_free(d->debug_exit);
    cmos_rtc_free(d->rtc);
    pc_misc_free(d->misc);
    i8254_free(d->pit);
    i8259_free(d->pic);
    memset(d, 0, sizeof *d);
}

void x86_pc_devices_round(struct x86_pc_devices *d)
{
    if (d->com1)
        uart_poll(d->com1);
}

bool x86_pc_devices_reset(struct machine *m, struct x86_pc_devices *d)
{
    /* the power-on state is what a new device has: copied from one */
    struct i8259 *pic = i8259_new((struct irq_line){ 0 });
    struct pc_misc *misc = pc_misc_new(m, d->pit, &d->a20);
    struct uart16550 *com1 = d->com1 ? uart_new(m, NULL, (struct irq_line){ 0 }) : NULL;
    bool ok = pic && misc && (com1 || !d->com1);
    if (ok) {
        i8259_copy_state(d->pic, pic);
        pc_misc_copy_state(d->misc, misc);
        if (com1)
            uart_copy_state(d->com1, com1);
        i8254_reset(d->pit);
        d->a20 = true;
        d->nmi_disabled = false;
    }
    uart_free(com1);
    pc_misc_free(misc);
    i8259_free(pic);
    return ok;
}

void x86_pc_devices_copy_state(struct x86_pc_devices *dst, const struct x86_pc_devices *src)
{
    i8259_copy_state(dst->pic, src->pic);
    i8254_copy_state(dst->pit, src->pit);
    pc_misc_copy_state(dst->misc, src->misc);
    cmos_rtc_copy_state(dst->rtc, src->rtc);
    if (dst->debug_exit && src->debug_exit)
        isa_debug_exit_copy_state(dst->debug_exit, src->debug_exit);
    if (dst->fw_cfg && src->fw_cfg)
        fw_cfg_copy_state(dst->fw_cfg, src->fw_cfg);
    if (dst->com1 && src->com1)
        uart_copy_state(dst->com1, src->com1);
    dst->a20 = src->a20;
    dst->nmi_disabled = src->nmi_disabled;
}
