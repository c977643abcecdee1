/* The x86 PC board (configs/x86-pc.ini): RAM from 0, x86_64 CPUs (CPU 0
 * boots, the others wait for a SIPI), COM1 on the I/O port space, and a
 * kernel: an x86-64 ELF entered directly in 64-bit mode (docs/x86.md).
 * The legacy PC devices (PIC, PIT, RTC, fw_cfg, isa-debug-exit) and
 * multiboot come in the next steps of issue 10. */
#include "x86_pc.h"
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "../cpu/x86/x86.h"
#include "../devices/uart16550.h"
#include "../loader/elf.h"
#include "../sim/board.h"
#include "../sim/machine.h"

#define PCK_STR(sec, k, f) CONFIG_KEY_STR(sec, k, struct x86_pc_config, f)
#define PCK_NUM(sec, k, kind, f) CONFIG_KEY_NUM(sec, k, kind, struct x86_pc_config, f)

static const struct config_key x86_pc_keys[] = {
    CONFIG_KEYS_MACHINE,
    PCK_STR("cpu", "model", cpu_model),
    CONFIG_KEYS_MEMORY,
    PCK_NUM("uart", "port", CK_U64, uart_port),
    PCK_NUM("uart", "irq", CK_U32, uart_irq),
    PCK_NUM("uart", "clock", CK_U64, uart_clock_hz),
    PCK_NUM("isa-debug-exit", "port", CK_U64, debug_exit_port),
    PCK_NUM("load", "kernel", CK_U64, kernel_addr),
    CONFIG_KEYS_IMAGES,
};

static void x86_pc_defaults(struct config *c)
{
    struct x86_pc_config *v = (struct x86_pc_config *)(void *)c->board_cfg;
    snprintf(v->cpu_model, sizeof v->cpu_model, "%s", "hvsim-x86_64");
    c->ram_base = 0;
    c->ram_size = 256ull << 20;
    v->uart_port = 0x3f8;
    v->uart_irq = 4;
    v->uart_clock_hz = 1843200;
    v->debug_exit_port = 0xf4;
    v->kernel_addr = 0x100000;
}

static bool x86_pc_validate(const struct config *c, char *err, size_t errlen)
{
    const struct x86_pc_config *v = x86_pc_config(c);
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
        { "isa-debug-exit", v->debug_exit_port, 1 },
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
    pc->a20 = true;
    if (!machine_add_ram(m, err, errlen))
        return false;
    m->ncpus = c->smp;
    for (int i = 0; i < c->smp; i++) {
        m->cpus[i] = x86_cpu_new(m, i, &pc->a20);
        if (!m->cpus[i]) {
            snprintf(err, errlen, "out of memory creating cpu %d", i);
            return false;
        }
        if (i)
            m->cpus[i]->state = CPU_STOPPED; /* application processors wait for a SIPI */
    }
    pc->uart = uart_new(m, m->console, (struct irq_line){ 0 });
    if (!pc->uart || !bus_add_pio(&m->bus, "com1", (uint32_t)v->uart_port, 8, &uart_ops, pc->uart,
                                  err, errlen))
        return false;

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
    if (pc->uart)
        uart_free(pc->uart);
    free(pc);
    m->board_state = NULL;
}

static void x86_pc_copy_state(struct machine *dst, const struct machine *src)
{
    struct x86_pc *d = dst->board_state;
    const struct x86_pc *s = src->board_state;
    d->a20 = s->a20;
    uart_copy_state(d->uart, s->uart);
}

static void x86_pc_round(struct machine *m)
{
    uart_poll(((struct x86_pc *)m->board_state)->uart);
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
