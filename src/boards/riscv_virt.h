/* The RISC-V `virt` board (QEMU virt memory map): RV64GC+H harts, boot ROM,
 * ACLINT, PLIC, 16550 UART, sifive_test, HTIF (for ELF test programs), a
 * generated device tree. Its config keys and state; the board itself is
 * `board_riscv_virt` (src/sim/board.h). */
#ifndef HVSIM_BOARDS_RISCV_VIRT_H
#define HVSIM_BOARDS_RISCV_VIRT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../sim/config.h"

struct machine;
struct aclint;
struct plic;
struct uart16550;
struct sifive_test;
struct htif;
struct virtio_mmio;
struct virtio_blk;
struct virtio_rng;
struct virtio_console;
struct imsic;
struct aplic;
struct virtio_net;
struct goldfish_rtc;
struct fw_cfg;

/* The board's own config keys (configs/riscv-virt.ini), in config.board_cfg. */
struct rv_virt_config {
    char isa[256];                     /* [cpu] isa string for the DTB (at most 255 characters) */
    char mmu_type[16];                 /* [cpu] mmu: sv39 | sv48 */
    char mhpm_counters[8];             /* [cpu] mhpm-counters: 0..29, empty = 0 (docs/riscv.md) */
    char vlen[8];                      /* [cpu] vlen: 128..1024 with v in isa, empty = 128 (docs/riscv.md "Vector") */
    char triggers[8];                  /* [cpu] triggers: 1..16 with sdtrig in isa, empty = 4 (docs/riscv.md) */
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
    /* Opt-in devices (docs/virtio.md): empty = absent, and then neither
     * they nor their DTB nodes exist (the default board is unchanged). */
    char drives[1024];                 /* [virtio] drive: FILE[,ro][,snapshot], '|'-joined */
    char fb_size[16];                  /* [framebuffer] size: WxH (docs/riscv.md "Framebuffer") */
    char rng[24];                      /* [virtio] rng: "on" (seed = sched-seed) or a seed */
    char vcon[8];                      /* [virtio] console: "on" */
    char net[16];                      /* [virtio] net: "loopback" or "sink" */
    char rtc_epoch[24];                /* [rtc] epoch: seconds since 1970 at virtual time 0 */
    char aia[16];                      /* [aia] mode: "none" or "imsic" (docs/riscv.md "AIA") */
    char aia_guests[8];                /* [aia] guests: guest interrupt files per hart, 0..7 */
    char fw_cfg[8];                    /* [fw-cfg] mmio: "on" (docs/riscv.md "fw_cfg") */
};

/* QEMU virt's addresses and PLIC sources of the opt-in devices. */
#define RV_VIRT_VIRTIO_BASE   0x10001000ull  /* slot n at base + n * 0x1000 */
#define RV_VIRT_VIRTIO_SLOTS  8
#define RV_VIRT_VIRTIO_IRQ    1              /* slot n: PLIC source 1 + n */
#define RV_VIRT_MAX_DRIVES    4
#define RV_VIRT_RTC_BASE      0x101000ull
#define RV_VIRT_RTC_IRQ       11
#define RV_VIRT_IMSIC_M_BASE  0x24000000ull  /* machine-level interrupt files */
#define RV_VIRT_IMSIC_S_BASE  0x28000000ull  /* supervisor-level + guest files */
#define RV_VIRT_APLIC_M_BASE  0x0c000000ull  /* APLIC root domain (in the PLIC's place) */
#define RV_VIRT_APLIC_S_BASE  0x0d000000ull  /* APLIC supervisor-level child domain */
#define RV_VIRT_APLIC_SOURCES 96u            /* like QEMU virt */
#define RV_VIRT_FW_CFG_BASE   0x10100000ull  /* QEMU's fw_cfg, MMIO interface */

static inline bool rv_virt_has_virtio(const struct rv_virt_config *v)
{
    return v->drives[0] || v->rng[0] || v->vcon[0] || v->net[0];
}

/* [aia] mode = imsic (IMSICs beside the PLIC) or aplic-imsic (IMSICs and
 * an APLIC in MSI mode, no PLIC): the harts have IMSICs; *guests = GEILEN */
static inline bool rv_virt_has_imsic(const struct rv_virt_config *v, unsigned *guests)
{
    if (guests)
        *guests = v->aia_guests[0] ? (unsigned)(v->aia_guests[0] - '0') : 0;
    return !strcmp(v->aia, "imsic") || !strcmp(v->aia, "aplic-imsic");
}

/* [aia] mode = aplic or aplic-imsic: an APLIC (M root + S child domain)
 * takes the PLIC's place, like QEMU virt's aia=aplic / aia=aplic-imsic */
static inline bool rv_virt_has_aplic(const struct rv_virt_config *v)
{
    return !strcmp(v->aia, "aplic") || !strcmp(v->aia, "aplic-imsic");
}

static inline const struct rv_virt_config *rv_virt_config(const struct config *c)
{
    return (const struct rv_virt_config *)(const void *)c->board_cfg;
}
static inline struct rv_virt_config *rv_virt_config_mut(struct config *c)
{
    return (struct rv_virt_config *)(void *)c->board_cfg;
}

/* The board's devices and boot state (m->board_state). */
struct rv_virt {
    struct mem_region *rom;
    struct aclint *aclint;
    struct plic *plic;
    struct uart16550 *uart;
    struct sifive_test *test;
    struct htif *htif;
    struct virtio_mmio *virtio[RV_VIRT_VIRTIO_SLOTS]; /* NULL: no virtio-mmio */
    struct virtio_blk *blk[RV_VIRT_MAX_DRIVES];
    int nblk;
    struct virtio_rng *rng;
    struct virtio_console *vcon;
    struct imsic *imsic;                 /* [aia] mode = imsic, aplic-imsic */
    struct aplic *aplic;                 /* [aia] mode = aplic, aplic-imsic (then no PLIC) */
    struct virtio_net *net;
    int vcon_slot;
    struct goldfish_rtc *rtc;
    struct fw_cfg *fw_cfg;               /* [fw-cfg] mmio = on */
    void *dtb;              /* the device tree handed to the firmware */
    size_t dtb_size;
    uint64_t dtb_addr;
    uint64_t initrd_start, initrd_end;
    uint64_t entry;         /* where the boot ROM jumps */
};

static inline struct rv_virt *rv_virt(const struct machine *m);

#include "../sim/machine.h"
static inline struct rv_virt *rv_virt(const struct machine *m)
{
    return (struct rv_virt *)m->board_state;
}

/* The opt-in simple-framebuffer ([framebuffer] size): false when there is
 * none; else its base (the top fb_region_size bytes of RAM) and size. */
bool rv_virt_fb(const struct config *c, uint64_t *base, uint32_t *w, uint32_t *h);

/* [cpu] mhpm-counters as a number in *n (may be NULL); false if malformed. */
bool rv_virt_mhpm_count(const struct rv_virt_config *v, unsigned *n);
/* The number of Sdtrig triggers: 0 without sdtrig in [cpu] isa, else
 * [cpu] triggers (1..16, empty = 4). false + err if malformed. */
bool rv_virt_trigger_count(const struct rv_virt_config *v, unsigned *n, char *err, size_t errlen);
/* VLEN in bits: [cpu] vlen (128..1024, a power of two; empty = 128; only
 * with v in [cpu] isa). false + err if malformed. */
bool rv_virt_vlen(const struct rv_virt_config *v, unsigned *vlen, char *err, size_t errlen);

#endif
