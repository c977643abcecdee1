/* The x86 PC board: config keys, defaults and checks (configs/x86-pc.ini).
 * Building a machine fails with a clear message until the x86_64 CPU model
 * exists (issue 10); the engine seams it will use (port I/O, interrupt
 * messages, wait-for-SIPI CPUs, machine-level timers) are in src/sim/ and
 * tested with a fake CPU in tests/unit/test_board.c. */
#include "x86_pc.h"
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
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

static bool x86_pc_build(struct machine *m, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "the %s board (arch x86_64) has no CPU model yet: the x86_64 core is issue 10; "
             "its config is checked, nothing can run", m->board->name);
    return false;
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
};
