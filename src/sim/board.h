/* A board: what turns a config into a machine of one kind (RISC-V `virt`,
 * x86 PC). The engine (src/sim/) knows boards only through this table; a
 * board lives in src/boards/ and owns its CPUs' creation, its devices, its
 * config keys, its boot images and its board-specific state (m->board_state).
 * See docs/architecture.md "Adding a board". */
#ifndef HVSIM_BOARD_H
#define HVSIM_BOARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

struct machine;

struct elf_machine; /* src/loader/elf.h */

struct screen_desc;

struct board_ops {
    const char *name;        /* default [machine] name: "riscv-virt" */
    const char *arch;        /* the [machine] arch that selects it: "riscv64" */

    /* Config: its keys in INI order (with the common CONFIG_KEYS_* groups),
     * the size of its struct in config.board_cfg, its defaults (board keys
     * only; the common ones are set by config_defaults_for) and checks. */
    const struct config_key *keys;
    size_t nkeys;
    size_t config_size;
    void (*config_defaults)(struct config *c);
    bool (*config_validate)(const struct config *c, char *err, size_t errlen);

    /* Images: the firmware used without --bios (NULL: none), and the ELF
     * machines it loads (terminated by machine 0). */
    const char *default_bios;
    const struct elf_machine *elf;

    /* Machine: build memory (RAM through machine_add_ram), CPUs, devices,
     * load images (the bus exists, m->console is open). false + message on
     * a host-side error; free is called in either case. */
    bool (*build)(struct machine *m, char *err, size_t errlen);
    void (*free)(struct machine *m);
    /* Copy device state from src (same config) into dst: machine_clone,
     * after RAM and CPUs were copied. */
    void (*copy_state)(struct machine *dst, const struct machine *src);
    /* Once per scheduler round (device polling such as UART receive). */
    void (*round)(struct machine *m);
    /* `hvsim replay --debug-perturb`: flip one architectural bit on purpose. */
    void (*perturb)(struct machine *m);
    /* Tools (trace export's VCD wires): the CPU whose software-interrupt
     * register a 4-byte MMIO write at addr sets (RISC-V: ACLINT MSWI
     * msip[h]), or -1. NULL: the board has none. */
    int (*ipi_register_cpu)(const struct config *c, uint64_t addr);
    /* `--dump-dtb FILE` (NULL: the board has no device tree). */
    bool (*dump_dtb)(struct machine *m, const char *path, char *err, size_t errlen);
    /* Check records (docs/trace-format.md "Check records"): the board's
     * device state (x86: the IOAPIC and the local APICs) as up to max
     * values, hashed after the pages; the count is the board's to keep
     * fixed for a config. check_name names value i (in buf, or a constant;
     * NULL: unnamed). NULL check_state: no device section (RISC-V). */
    unsigned (*check_state)(struct machine *m, uint64_t *v, unsigned max);
    const char *(*check_name)(unsigned i, char *buf, size_t len);
#define BOARD_MAX_CHECK_STATE 4096
    /* Files the machine reads besides its images (riscv-virt: the --drive
     * files), up to max paths into paths[]; the count. Trace headers record
     * their SHA-256 (role "drive") and replay refuses a changed one. NULL:
     * none. */
    int (*data_files)(const struct config *c, char (*paths)[512], int max);
    /* `--dump-acpi DIR`: the ACPI tables the config gives, one file per
     * table (NULL: the board has none). */
    bool (*dump_acpi)(const struct config *c, const char *dir, char *err, size_t errlen);
    /* The guest screen (src/devices/framebuffer.h), for the live window and
     * `run --screenshot`: false when the machine has none (NULL: never).
     * Reads only; called between rounds. */
    bool (*screen)(struct machine *m, struct screen_desc *d);
};

/* The board a [machine] arch selects; NULL when none. */
const struct board_ops *board_by_arch(const char *arch);
/* The default board (riscv-virt). */
const struct board_ops *board_default(void);
/* "riscv64, x86_64": every arch a config may name (for messages). */
const char *board_arch_list(void);
/* Every board, for tests: n boards at *list. */
const struct board_ops *const *board_all(size_t *n);

#endif
