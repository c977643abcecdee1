/* Machine configuration: parsed from an INI file (libinih) or the embedded
 * default (configs/riscv-virt.ini), then overridden by command-line options. */
#ifndef HVSIM_CONFIG_H
#define HVSIM_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_CPUS 64

struct config {
    char name[64];          /* [machine] name, e.g. "riscv-virt" */
    char arch[16];          /* [machine] arch: "riscv64" */
    int smp;                /* [machine] smp */
    uint64_t cpu_hz;        /* [machine] cpu-hz: instructions per virtual second */
    uint64_t quantum;       /* [machine] quantum (instructions per slot) */
    uint64_t sched_seed;    /* [machine] sched-seed (0 = fixed quanta, fixed order) */
    char isa[128];          /* [cpu] isa string for the DTB, e.g. rv64imafdc_zicsr... */
    char mmu_type[16];      /* [cpu] mmu: sv39 | sv48 */

    uint64_t ram_base, ram_size;       /* [memory] base, size */
    uint64_t rom_base, rom_size;       /* [bootrom] base, size */
    uint64_t test_base;                /* [sifive-test] base */
    uint64_t aclint_base;              /* [aclint] base (MSWI at +0, MTIMER at +0x4000) */
    uint64_t sswi_base;                /* [aclint] sswi-base */
    uint64_t timebase_hz;              /* [aclint] timebase */
    uint64_t plic_base;                /* [plic] base */
    uint32_t plic_ndev;                /* [plic] ndev */
    uint64_t uart_base;                /* [uart] base */
    uint32_t uart_irq;                 /* [uart] irq */
    uint64_t uart_clock_hz;            /* [uart] clock */

    uint64_t bios_addr;                /* [load] bios: raw-image load address */
    uint64_t kernel_addr;              /* [load] kernel */

    /* Images and boot arguments (set by options; may be set in [load]). */
    char bios[512], kernel[512], initrd[512], dtb[512], append[1024];
};

/* Defaults (equal to configs/riscv-virt.ini). */
void config_defaults(struct config *c);
/* Parse INI text into c (on top of what is there). On error returns false and
 * writes "FILE:LINE: message" into err. `what` names the source in errors. */
bool config_parse_string(struct config *c, const char *text, const char *what,
                         char *err, size_t errlen);
bool config_parse_file(struct config *c, const char *path, char *err, size_t errlen);
/* Checks values and that no two device windows overlap. */
bool config_validate(const struct config *c, char *err, size_t errlen);

/* Parses sizes like "256M", "1G", "0x1000", "4096". */
bool config_parse_size(const char *s, uint64_t *out);
bool config_parse_u64(const char *s, uint64_t *out);

/* Writes c as INI text that config_parse_string reads back to the same
 * values. Returns the length it needs (like snprintf). */
size_t config_to_ini(const struct config *c, char *buf, size_t len);

/* The embedded default config text (generated from configs/riscv-virt.ini). */
extern const char config_default_ini[];

#endif
