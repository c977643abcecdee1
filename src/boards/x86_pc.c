/* The x86 PC board (configs/x86-pc.ini): RAM from 0, x86_64 CPUs (CPU 0
 * boots, the others wait for a SIPI), COM1 on the I/O port space, and a
 * kernel: an x86-64 ELF entered directly in 64-bit mode (docs/x86.md).
 * The legacy PC devices are x86_pc_devices.c: PIC pair, PIT, RTC/CMOS,
 * ports 0x61/0x80/0x92, fw_cfg, isa-debug-exit. Multiboot comes next. */
#include "x86_pc.h"
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "../cpu/x86/x86.h"
#include "../devices/i8259.h"
#include "../loader/elf.h"
#include "../sim/board.h"
#include "../sim/machine.h"

#define PCK_STR(sec, k, f) CONFIG_KEY_STR(sec, k, struct x86_pc_config, f)
#define PCK_NUM(sec, k, kind, f) CONFIG_KEY_NUM(sec, k, kind, struct x86_pc_config, f)

static const struct config_key x86_pc_keys[] = {
    CONFIG_KEYS_MACHINE,
    PCK_STR("cpu", "model", cpu_model),
    PCK_STR("cpu", "triple-fault", triple_fault),
    PCK_STR("cpu", "vendor", cpu_vendor),
    PCK_NUM("cpu", "family", CK_U32, cpu_family),
    PCK_NUM("cpu", "model-number", CK_U32, cpu_model_nr),
    PCK_NUM("cpu", "stepping", CK_U32, cpu_stepping),
    CONFIG_KEYS_MEMORY,
    PCK_NUM("uart", "port", CK_U64, uart_port),
    PCK_NUM("uart", "irq", CK_U32, uart_irq),
    PCK_NUM("uart", "clock", CK_U64, uart_clock_hz),
    PCK_NUM("isa-debug-exit", "port", CK_U64, debug_exit_port),
    PCK_NUM("isa-debug-exit", "size", CK_U32, debug_exit_size),
    PCK_NUM("fw-cfg", "port", CK_U64, fw_cfg_port),
    PCK_NUM("rtc", "epoch", CK_U64, rtc_epoch),
    PCK_NUM("load", "kernel", CK_U64, kernel_addr),
    CONFIG_KEYS_IMAGES,
};

static void x86_pc_defaults(struct config *c)
{
    struct x86_pc_config *v = (struct x86_pc_config *)(void *)c->board_cfg;
    snprintf(v->cpu_model, sizeof v->cpu_model, "%s", "hvsim-x86_64");
    snprintf(v->triple_fault, sizeof v->triple_fault, "%s", "exit");
    snprintf(v->cpu_vendor, sizeof v->cpu_vendor, "%s", "HvsimVirtCPU");
    v->cpu_family = 6;
    v->cpu_model_nr = 0x2f;
    v->cpu_stepping = 1;
    c->ram_base = 0;
    c->ram_size = 256ull << 20;
    v->uart_port = 0x3f8;
    v->uart_irq = 4;
    v->uart_clock_hz = 1843200;
    v->debug_exit_port = 0xf4;
    v->debug_exit_size = 4;
    v->fw_cfg_port = 0x510;
    v->rtc_epoch = 946684800; /* 2000-01-01 00:00:00 UTC */
    v->kernel_addr = 0x100000;
}

static bool x86_pc_validate(const struct config *c, char *err, size_t errlen)
{
    const struct x86_pc_config *v = x86_pc_config(c);
    uint32_t sig;
    if (strcmp(v->triple_fault, "exit") != 0 && strcmp(v->triple_fault, "reset") != 0) {
        snprintf(err, errlen, "[cpu] triple-fault '%s' must be exit or reset", v->triple_fault);
        return false;
    }
    if (strlen(v->cpu_vendor) != 12) {
        snprintf(err, errlen, "[cpu] vendor '%s' must be 12 characters (CPUID.0 EBX/EDX/ECX)", v->cpu_vendor);
        return false;
    }
    if (!x86_cpuid_signature(v->cpu_family, v->cpu_model_nr, v->cpu_stepping, &sig)) {
        snprintf(err, errlen, "[cpu] family %" PRIu32 " model-number %" PRIu32 " stepping %" PRIu32
                 " do not fit CPUID.1:EAX (family 1..270, model 0..255 and above 15 only for family 6"
                 " or >= 15, stepping 0..15)", v->cpu_family, v->cpu_model_nr, v->cpu_stepping);
        return false;
    }
    if (v->debug_exit_size < 1 || v->debug_exit_size > 4) {
        snprintf(err, errlen, "[isa-debug-exit] size %" PRIu32 " is out of range (1..4)",
                 v->debug_exit_size);
        return false;
    }
    if (v->fw_cfg_port > 0xfffe) {
        snprintf(err, errlen, "[fw-cfg] port 0x%" PRIx64 " is not an I/O port pair", v->fw_cfg_port);
        return false;
    }
    if (c->ram_size > (3ull << 30)) {
        snprintf(err, errlen, "[memory] size above 3 GiB is not supported yet (no RAM above 4 GiB)");
        return false;
    }
    if (c->ram_base != 0) {
        snprintf(err, errlen, "[memory] base must be 0 on the PC board");
        return false;
    }
    if (v->uart_port > 0xfff8 || v->debug_exit_port > 0xffff) {
        snprintf(err, errlen, "[uart] port 0x%" PRIx64 " / [isa-debug-exit] port 0x%" PRIx64
                 " must be I/O ports (0..0xffff)", v->uart_port, v->debug_exit_port);
        return false;
    }
    /* ISA IRQs 0..15 (IOAPIC pins 0..23 on a PC). */
    if (v->uart_irq > 15) {
        snprintf(err, errlen, "[uart] irq %" PRIu32 " is not an ISA IRQ (0..15)", v->uart_irq);
        return false;
    }
    if (v->uart_clock_hz == 0) {
        snprintf(err, errlen, "[uart] clock must be > 0");
        return false;
    }
    const struct config_window w[] = {
        { "uart", v->uart_port, 8 },
        { "isa-debug-exit", v->debug_exit_port, v->debug_exit_size },
        { "fw-cfg", v->fw_cfg_port, v->fw_cfg_port ? 2 : 0 },
        { "pic", 0x20, 2 }, { "pit", 0x40, 4 }, { "rtc", 0x70, 2 },
    };
    return config_windows_check(w, sizeof w / sizeof w[0], err, errlen);
}

/* ---- the machine ------------------------------------------------------ */

/* Where the ELF64 long-mode entry puts its boot structures (docs/x86.md
 * "ELF64 entry"): all below 640 KiB, out of a kernel's way at 1 MiB. */
enum {
    BOOT_GDT = 0x1000,    /* null, 0x08 64-bit code, 0x10 flat data */
    BOOT_PML4 = 0x2000,
    BOOT_PDPT = 0x3000,
    BOOT_PD = 0x4000,     /* 4 pages: the first 4 GiB in 2 MiB pages */
    BOOT_STACK = 0x9f000, /* initial RSP */
};

static bool put64(struct machine *m, uint64_t pa, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return bus_load(&m->bus, pa, b, 8);
}

/* Identity map of the first 4 GiB (2 MiB pages, writable, supervisor) and
 * a flat GDT; false if RAM does not cover them. */
static bool build_long_mode_tables(struct machine *m)
{
    bool ok = put64(m, BOOT_GDT, 0) &&
              put64(m, BOOT_GDT + 8, 0x00af9b000000ffffull) &&  /* code: L=1, P, DPL0 */
              put64(m, BOOT_GDT + 16, 0x00cf93000000ffffull) && /* data: flat, writable */
              put64(m, BOOT_PML4, BOOT_PDPT | 3);
    for (int i = 0; ok && i < 4; i++)
        ok = put64(m, BOOT_PDPT + 8 * i, (BOOT_PD + 0x1000ull * i) | 3);
    for (int i = 0; ok && i < 4 * 512; i++)
        ok = put64(m, BOOT_PD + 8ull * i, ((uint64_t)i << 21) | 0x83); /* P, RW, PS */
    return ok;
}

/* The PIC's INTR output: a level on CPU 0's INTR line, at the cause's
 * virtual time (docs/architecture.md "Cross-CPU changes"). */
static void intr_to_cpu0(void *opaque, int n, int level)
{
    (void)n;
    struct machine *m = opaque;
    struct cpu *c = m->cpus[0];
    cpu_deliver_irq(c, m->sched.current, machine_now(m), X86_LINE_INTR, level);
}

/* INTA: the vector the PIC gives (SDM vol. 3A §6.3; 8259A data sheet). */
static int pic_ack(void *opaque)
{
    return i8259_ack(opaque);
}

static bool x86_pc_build(struct machine *m, char *err, size_t errlen)
{
    const struct config *c = &m->cfg;
    const struct x86_pc_config *v = x86_pc_config(c);
    struct x86_pc *pc = calloc(1, sizeof *pc);
    if (!pc) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    m->board_state = pc;
    if (!machine_add_ram(m, err, errlen))
        return false;
    m->ncpus = c->smp;
    for (int i = 0; i < c->smp; i++) {
        m->cpus[i] = x86_cpu_new(m, i, &pc->dev.a20);
        if (!m->cpus[i]) {
            snprintf(err, errlen, "out of memory creating cpu %d", i);
            return false;
        }
        uint32_t sig = 0;
        x86_cpuid_signature(v->cpu_family, v->cpu_model_nr, v->cpu_stepping, &sig);
        x86_cpu_set_model(m->cpus[i], v->cpu_vendor, sig);
        x86_cpu_set_triple_fault_reset(m->cpus[i], strcmp(v->triple_fault, "reset") == 0);
        if (i)
            m->cpus[i]->state = CPU_STOPPED; /* application processors wait for a SIPI */
    }
    /* The legacy devices; the PIC's INTR goes to CPU 0 (the local APIC's
     * LINT0 routing comes with the APIC issue). */
    struct x86_pc_devices_config dc;
    x86_pc_devices_config_default(&dc);
    dc.intr = (struct irq_line){ intr_to_cpu0, m, 0 };
    dc.com1_port = (uint32_t)v->uart_port;
    dc.com1_irq = v->uart_irq;
    dc.debug_exit_port = (uint32_t)v->debug_exit_port;
    dc.debug_exit_size = v->debug_exit_size;
    dc.fw_cfg_port = (uint32_t)v->fw_cfg_port;
    dc.ram_below_4g = c->ram_size;
    dc.ram_above_4g = 0;
    dc.ncpus = dc.max_cpus = (unsigned)c->smp;
    dc.rtc_epoch = (int64_t)v->rtc_epoch;
    dc.cmdline = c->append;
    if (!x86_pc_devices_add(m, &pc->dev, &dc, err, errlen))
        return false;
    x86_cpu_connect_intr(m->cpus[0], pic_ack, pc->dev.pic);

    /* Boot: an ELF64 kernel entered in 64-bit mode. */
    if (c->bios[0] && strcmp(c->bios, "none") != 0) {
        snprintf(err, errlen, "--bios: the x86-pc board has no firmware yet; use --kernel ELF64");
        return false;
    }
    if (!c->kernel[0]) {
        snprintf(err, errlen, "the x86-pc board needs --kernel FILE (an x86-64 ELF)");
        return false;
    }
    struct elf_image *elf = NULL;
    uint64_t entry;
    if (!machine_load_image(m, "--kernel", c->kernel, v->kernel_addr, &entry, &elf, err, errlen))
        return false;
    if (!elf) {
        snprintf(err, errlen, "--kernel %s: raw kernels are not supported yet (need an x86-64 ELF)",
                 c->kernel);
        return false;
    }
    bool is64 = elf_is_64bit(elf);
    elf_close(elf);
    if (!is64) {
        snprintf(err, errlen, "--kernel %s: 32-bit (multiboot) kernels are not supported yet",
                 c->kernel);
        return false;
    }
    if (c->ram_size < BOOT_STACK || !build_long_mode_tables(m)) {
        snprintf(err, errlen, "[memory] must cover the boot structures below 0x%x", BOOT_STACK);
        return false;
    }
    x86_cpu_enter_long_mode(m->cpus[0], entry, BOOT_PML4, BOOT_GDT, 23, BOOT_STACK);
    return true;
}

static void x86_pc_free(struct machine *m)
{
    struct x86_pc *pc = m->board_state;
    if (!pc)
        return;
    x86_pc_devices_free(&pc->dev);
    free(pc);
    m->board_state = NULL;
}

static void x86_pc_copy_state(struct machine *dst, const struct machine *src)
{
    struct x86_pc *d = dst->board_state;
    const struct x86_pc *s = src->board_state;
    x86_pc_devices_copy_state(&d->dev, &s->dev);
}

static void x86_pc_round(struct machine *m)
{
    x86_pc_devices_round(&((struct x86_pc *)m->board_state)->dev);
}

/* Multiboot kernels are ELF32 i386; 64-bit kernels ELF64 x86-64. */
static const struct elf_machine x86_pc_elf[] = {
    { EM_X86_64, 64, "x86-64" }, { EM_386, 32, "i386" }, { 0, 0, NULL },
};

const struct board_ops board_x86_pc = {
    .name = "x86-pc",
    .arch = "x86_64",
    .keys = x86_pc_keys,
    .nkeys = sizeof x86_pc_keys / sizeof x86_pc_keys[0],
    .config_size = sizeof(struct x86_pc_config),
    .config_defaults = x86_pc_defaults,
    .config_validate = x86_pc_validate,
    .default_bios = NULL,
    .elf = x86_pc_elf,
    .build = x86_pc_build,
    .free = x86_pc_free,
    .copy_state = x86_pc_copy_state,
    .round = x86_pc_round,
};
