/* The RISC-V `virt` board: QEMU virt's memory map, so that unmodified
 * OpenSBI, U-Boot and Linux run on it (configs/riscv-virt.ini).
 *
 *   rom_base      boot ROM (reset vector: a0 = hart id, a1 = DTB, jump)
 *   test_base     sifive_test (power-off / reboot / fail)
 *   aclint_base   ACLINT MSWI + MTIMER (CLINT layout), sswi_base: SSWI
 *   plic_base     PLIC (M and S context per hart)
 *   uart_base     16550 UART, PLIC source uart_irq
 *   ram_base      RAM: firmware, kernel, initrd, DTB near the top
 * ELF images that define `tohost` get an HTIF device as well. Opt-in
 * (docs/virtio.md): eight virtio-mmio slots at 0x10001000 (--drive,
 * --virtio-rng, --virtio-console, --net) and the goldfish RTC at 0x101000 (--rtc). */
#include "riscv_virt.h"
#include <elf.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "riscv_virt_bootrom.h"
#include "riscv_virt_fdt.h"
#include "../apic/aclint.h"
#include "../apic/aplic.h"
#include "../apic/imsic.h"
#include "../apic/plic.h"
#include "../cpu/riscv/hart.h"
#include "../cpu/riscv/isa.h"
#include "../cpu/riscv/rv_hart.h"
#include "../devices/framebuffer.h"
#include "../devices/fw_cfg.h"
#include "../devices/goldfish_rtc.h"
#include "../devices/htif.h"
#include "../devices/sifive_test.h"
#include "../devices/uart16550.h"
#include "../devices/virtio_blk.h"
#include "../devices/virtio_console.h"
#include "../devices/virtio_mmio.h"
#include "../devices/virtio_net.h"
#include "../devices/virtio_rng.h"
#include "../loader/elf.h"
#include "../loader/image.h"
#include "../sim/board.h"
#include "../sim/irq.h"

/* ---- config ------------------------------------------------------------ */

#define RVK_STR(sec, k, f) CONFIG_KEY_STR(sec, k, struct rv_virt_config, f)
#define RVK_NUM(sec, k, kind, f) CONFIG_KEY_NUM(sec, k, kind, struct rv_virt_config, f)

/* In the order of configs/riscv-virt.ini (trace headers store this INI). */
static const struct config_key rv_virt_keys[] = {
    CONFIG_KEYS_MACHINE,
    RVK_STR("cpu", "isa", isa),
    RVK_STR("cpu", "mmu", mmu_type),
    RVK_STR("cpu", "mhpm-counters", mhpm_counters), /* empty (not written) = 0 */
    RVK_STR("cpu", "vlen", vlen), /* empty (not written) = 128 */
    RVK_STR("cpu", "triggers", triggers), /* empty (not written): 4 with sdtrig */
    CONFIG_KEYS_MEMORY,
    RVK_NUM("bootrom", "base", CK_U64, rom_base),
    RVK_NUM("bootrom", "size", CK_SIZE, rom_size),
    RVK_NUM("sifive-test", "base", CK_U64, test_base),
    RVK_NUM("aclint", "base", CK_U64, aclint_base),
    RVK_NUM("aclint", "sswi-base", CK_U64, sswi_base),
    RVK_NUM("aclint", "timebase", CK_U64, timebase_hz),
    RVK_NUM("plic", "base", CK_U64, plic_base),
    RVK_NUM("plic", "ndev", CK_U32, plic_ndev),
    RVK_NUM("uart", "base", CK_U64, uart_base),
    RVK_NUM("uart", "irq", CK_U32, uart_irq),
    RVK_NUM("uart", "clock", CK_U64, uart_clock_hz),
    RVK_NUM("load", "bios", CK_U64, bios_addr),
    RVK_NUM("load", "kernel", CK_U64, kernel_addr),
    CONFIG_KEYS_IMAGES,
    /* opt-in devices: empty strings are not written, so the INI of a
     * machine without them (trace headers) is what it always was */
    RVK_STR("virtio", "drive", drives),
    RVK_STR("virtio", "rng", rng),
    RVK_STR("virtio", "console", vcon),
    RVK_STR("virtio", "net", net),
    RVK_STR("rtc", "epoch", rtc_epoch),
    RVK_STR("framebuffer", "size", fb_size),
    RVK_STR("aia", "mode", aia),
    RVK_STR("aia", "guests", aia_guests),
    RVK_STR("fw-cfg", "mmio", fw_cfg),
};

/* Must equal configs/riscv-virt.ini (a unit test checks). */
static void rv_virt_defaults(struct config *c)
{
    struct rv_virt_config *v = rv_virt_config_mut(c);
    snprintf(v->isa, sizeof v->isa, "%s", "rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc");
    snprintf(v->mmu_type, sizeof v->mmu_type, "%s", "sv48");
    c->ram_base = 0x80000000;
    c->ram_size = 256ull << 20;
    v->rom_base = 0x1000;
    v->rom_size = 0x1000;
    v->test_base = 0x100000;
    v->aclint_base = 0x2000000;
    v->sswi_base = 0x2f00000;
    v->timebase_hz = 10000000;
    v->plic_base = 0xc000000;
    v->plic_ndev = 96; /* like QEMU virt (riscv,ndev = <0x60>) */
    v->uart_base = 0x10000000;
    v->uart_irq = 10;
    v->uart_clock_hz = 3686400;
    v->bios_addr = 0x80000000;
    v->kernel_addr = 0x80200000;
}

/* Splits the '|'-joined drive specs into out[] (copies); returns the count
 * or -1 when there are too many or one is too long. */
static int drive_specs(const struct rv_virt_config *v, char out[][512])
{
    int n = 0;
    for (const char *p = v->drives; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (n == RV_VIRT_MAX_DRIVES || len >= 512)
            return -1;
        memcpy(out[n], p, len);
        out[n++][len] = 0;
        p = bar ? bar + 1 : p + len;
    }
    return n;
}

/* seed of the virtio-rng: "on" = the run's sched-seed, else a number */
static bool rng_seed(const struct config *c, uint64_t *seed)
{
    const char *s = rv_virt_config(c)->rng;
    if (strcmp(s, "on") == 0) {
        *seed = c->sched_seed;
        return true;
    }
    return config_parse_u64(s, seed);
}

static bool rv_virt_validate_optin(const struct config *c, char *err, size_t errlen)
{
    const struct rv_virt_config *v = rv_virt_config(c);
    char specs[RV_VIRT_MAX_DRIVES][512];
    int n = drive_specs(v, specs);
    if (n < 0) {
        snprintf(err, errlen, "[virtio] drive: at most %d drives (of at most 511 characters)",
                 RV_VIRT_MAX_DRIVES);
        return false;
    }
    for (int i = 0; i < n; i++)
        if (!virtio_blk_spec_ok(specs[i], err, errlen))
            return false;
    if (v->vcon[0] && strcmp(v->vcon, "on") != 0) {
        snprintf(err, errlen, "[virtio] console '%s' is not 'on'", v->vcon);
        return false;
    }
    if (v->net[0] && !virtio_net_spec_ok(v->net, err, errlen))
        return false;
    uint64_t x;
    if (v->rng[0] && !rng_seed(c, &x)) {
        snprintf(err, errlen, "[virtio] rng '%s' is not 'on' or a seed", v->rng);
        return false;
    }
    if (v->aia[0] && strcmp(v->aia, "none") != 0 && !rv_virt_has_imsic(v, NULL) &&
        !rv_virt_has_aplic(v)) {
        snprintf(err, errlen, "[aia] mode '%s' is not none, imsic, aplic or aplic-imsic", v->aia);
        return false;
    }
    if (v->aia_guests[0] && (v->aia_guests[1] || v->aia_guests[0] < '0' || v->aia_guests[0] > '7')) {
        snprintf(err, errlen, "[aia] guests '%s' is not a number of guest interrupt files 0..7",
                 v->aia_guests);
        return false;
    }
    if (v->aia_guests[0] && !rv_virt_has_imsic(v, NULL)) {
        snprintf(err, errlen, "[aia] guests needs [aia] mode = imsic or aplic-imsic");
        return false;
    }
    if (v->rtc_epoch[0] && (!config_parse_u64(v->rtc_epoch, &x) || x > UINT64_MAX / 1000000000u)) {
        snprintf(err, errlen, "[rtc] epoch '%s' is not a number of seconds since 1970",
                 v->rtc_epoch);
        return false;
    }
    if (v->fw_cfg[0] && strcmp(v->fw_cfg, "on") != 0) {
        snprintf(err, errlen, "[fw-cfg] mmio '%s' is not 'on'", v->fw_cfg);
        return false;
    }
    uint32_t fw, fh;
    if (v->fb_size[0] && !fb_parse_size(v->fb_size, &fw, &fh)) {
        snprintf(err, errlen, "[framebuffer] size '%s' is not WxH (1..4096 each)", v->fb_size);
        return false;
    }
    if (v->fb_size[0] && fb_region_size(fw, fh) > c->ram_size / 2) {
        snprintf(err, errlen, "[framebuffer] size '%s' needs %" PRIu64 " bytes, more than half "
                 "of the RAM", v->fb_size, fb_region_size(fw, fh));
        return false;
    }
    uint32_t need = v->rtc_epoch[0] ? RV_VIRT_RTC_IRQ
                  : rv_virt_has_virtio(v) ? RV_VIRT_VIRTIO_IRQ + RV_VIRT_VIRTIO_SLOTS - 1 : 0;
    if (need > v->plic_ndev) {
        snprintf(err, errlen, "[plic] ndev %" PRIu32 " is too small for the virtio/RTC sources "
                 "(1..%" PRIu32 ")", v->plic_ndev, need);
        return false;
    }
    if ((rv_virt_has_virtio(v) && v->uart_irq >= RV_VIRT_VIRTIO_IRQ &&
         v->uart_irq < RV_VIRT_VIRTIO_IRQ + RV_VIRT_VIRTIO_SLOTS) ||
        (v->rtc_epoch[0] && v->uart_irq == RV_VIRT_RTC_IRQ)) {
        snprintf(err, errlen, "[uart] irq %" PRIu32 " is a virtio/RTC source", v->uart_irq);
        return false;
    }
    return true;
}

bool rv_virt_fb(const struct config *c, uint64_t *base, uint32_t *w, uint32_t *h)
{
    const struct rv_virt_config *v = rv_virt_config(c);
    uint32_t fw, fh;
    if (!v->fb_size[0] || !fb_parse_size(v->fb_size, &fw, &fh))
        return false;
    if (base)
        *base = c->ram_base + c->ram_size - fb_region_size(fw, fh);
    if (w)
        *w = fw;
    if (h)
        *h = fh;
    return true;
}

/* [cpu] mhpm-counters: the number of programmable counters (empty = 0). */
bool rv_virt_mhpm_count(const struct rv_virt_config *v, unsigned *n)
{
    uint64_t x = 0;
    if (v->mhpm_counters[0] && (!config_parse_u64(v->mhpm_counters, &x) || x > 29))
        return false;
    if (n)
        *n = (unsigned)x;
    return true;
}

bool rv_virt_trigger_count(const struct rv_virt_config *v, unsigned *n, char *err, size_t errlen)
{
    uint32_t ext = 0;
    char e[256];
    uint64_t x = 4;
    bool sdtrig = rv_isa_parse(v->isa, &ext, e, sizeof e) && (ext & RV_EXT_SDTRIG);
    if (v->triggers[0] && (!config_parse_u64(v->triggers, &x) || x < 1 || x > 16)) {
        snprintf(err, errlen, "[cpu] triggers '%s' is not a number from 1 to 16", v->triggers);
        return false;
    }
    if (v->triggers[0] && !sdtrig) {
        snprintf(err, errlen, "[cpu] triggers '%s' needs sdtrig in [cpu] isa", v->triggers);
        return false;
    }
    *n = sdtrig ? (unsigned)x : 0;
    return true;
}

/* [cpu] vlen: VLEN of the V extension (empty = 128). */
bool rv_virt_vlen(const struct rv_virt_config *v, unsigned *vlen, char *err, size_t errlen)
{
    uint32_t ext = 0;
    char e[256];
    uint64_t x = 128;
    bool has_v = rv_isa_parse(v->isa, &ext, e, sizeof e) && (ext & RV_EXT_V);
    if (v->vlen[0] && (!config_parse_u64(v->vlen, &x) || x < 128 || x > 1024 || (x & (x - 1)))) {
        snprintf(err, errlen, "[cpu] vlen '%s' is not a power of two from 128 to 1024", v->vlen);
        return false;
    }
    if (v->vlen[0] && !has_v) {
        snprintf(err, errlen, "[cpu] vlen '%s' needs v in [cpu] isa", v->vlen);
        return false;
    }
    *vlen = (unsigned)x;
    return true;
}

static bool rv_virt_validate(const struct config *c, char *err, size_t errlen)
{
    const struct rv_virt_config *v = rv_virt_config(c);
    uint32_t ext;
    if (!rv_isa_parse(v->isa, &ext, err, errlen)) /* rv64 + implemented extensions */
        return false;
    if (!rv_virt_mhpm_count(v, NULL)) {
        snprintf(err, errlen, "[cpu] mhpm-counters '%s' is not a number from 0 to 29",
                 v->mhpm_counters);
        return false;
    }
    unsigned ntrig, vlen;
    if (!rv_virt_trigger_count(v, &ntrig, err, errlen) || !rv_virt_vlen(v, &vlen, err, errlen))
        return false;
    if (strcmp(v->mmu_type, "sv39") != 0 && strcmp(v->mmu_type, "sv48") != 0) {
        snprintf(err, errlen, "[cpu] mmu '%s' is not sv39 or sv48", v->mmu_type);
        return false;
    }
    if (v->rom_size == 0 || (v->rom_size & 0xfff) || (v->rom_base & 0xfff)) {
        snprintf(err, errlen,
                 "[bootrom] base 0x%" PRIx64 " / size 0x%" PRIx64
                 " must be multiples of 4 KiB (size > 0)",
                 v->rom_base, v->rom_size);
        return false;
    }
    /* The DTB carries these as single 32-bit cells. */
    if (v->timebase_hz == 0 || v->timebase_hz > UINT32_MAX) {
        snprintf(err, errlen, "[aclint] timebase %" PRIu64 " is out of range (1..%" PRIu32 ")",
                 v->timebase_hz, UINT32_MAX);
        return false;
    }
    if (v->uart_clock_hz == 0 || v->uart_clock_hz > UINT32_MAX) {
        snprintf(err, errlen, "[uart] clock %" PRIu64 " is out of range (1..%" PRIu32 ")",
                 v->uart_clock_hz, UINT32_MAX);
        return false;
    }
    /* A PLIC has sources 1..1023 (RISC-V PLIC spec, "Interrupt Sources"). */
    if (v->plic_ndev < 1 || v->plic_ndev > 1023) {
        snprintf(err, errlen, "[plic] ndev %" PRIu32 " is out of range (1..1023)", v->plic_ndev);
        return false;
    }
    if (v->uart_irq < 1 || v->uart_irq > v->plic_ndev) {
        snprintf(err, errlen, "[uart] irq %" PRIu32 " is not a PLIC source (1..%" PRIu32 ")",
                 v->uart_irq, v->plic_ndev);
        return false;
    }
    /* The mtimer window's base is aclint base + 0x4000: it wraps too when
     * the base is near the top. */
    if (v->aclint_base + ACLINT_MTIMER_OFF < v->aclint_base) {
        snprintf(err, errlen,
                 "aclint mtimer window at 0x%" PRIx64 " size 0x%x wraps past the end of the "
                 "address space",
                 v->aclint_base + ACLINT_MTIMER_OFF, ACLINT_MTIMER_SIZE);
        return false;
    }
    if (!rv_virt_validate_optin(c, err, errlen))
        return false;
    bool vio = rv_virt_has_virtio(v), rtc = v->rtc_epoch[0] != 0;
    unsigned guests = 0;
    bool imsic = rv_virt_has_imsic(v, &guests);
    unsigned gpages = 1;
    while (gpages < 1 + guests)
        gpages *= 2;
    bool aplic = rv_virt_has_aplic(v);
    const struct config_window w[] = {
        { "aplic-m", aplic ? RV_VIRT_APLIC_M_BASE : 0, aplic ? 0x8000ull : 0 },
        { "aplic-s", aplic ? RV_VIRT_APLIC_S_BASE : 0, aplic ? 0x8000ull : 0 },
        { "imsic-m", imsic ? RV_VIRT_IMSIC_M_BASE : 0, imsic ? (uint64_t)c->smp * 0x1000 : 0 },
        { "imsic-s", imsic ? RV_VIRT_IMSIC_S_BASE : 0,
          imsic ? (uint64_t)c->smp * gpages * 0x1000 : 0 },
        { "virtio-mmio", vio ? RV_VIRT_VIRTIO_BASE : 0, vio ? RV_VIRT_VIRTIO_SLOTS * 0x1000ull : 0 },
        { "goldfish-rtc", rtc ? RV_VIRT_RTC_BASE : 0, rtc ? GOLDFISH_RTC_SIZE : 0 },
        { "fw-cfg", v->fw_cfg[0] ? RV_VIRT_FW_CFG_BASE : 0, v->fw_cfg[0] ? FW_CFG_MMIO_SIZE : 0 },
        { "bootrom", v->rom_base, v->rom_size },
        { "sifive-test", v->test_base, SIFIVE_TEST_SIZE },
        { "aclint mswi", v->aclint_base, ACLINT_MSWI_SIZE },
        { "aclint mtimer", v->aclint_base + ACLINT_MTIMER_OFF, ACLINT_MTIMER_SIZE },
        { "aclint sswi", v->sswi_base, ACLINT_SSWI_SIZE },
        { "plic", aplic ? 0 : v->plic_base, aplic ? 0 : PLIC_SIZE },
        { "uart", v->uart_base, UART_SIZE },
        { "memory", c->ram_base, c->ram_size },
    };
    return config_windows_check(w, sizeof w / sizeof w[0], err, errlen);
}

/* ---- building the machine --------------------------------------------- */

static bool add_mmio(struct machine *m, const char *name, uint64_t base, uint64_t size,
                     const struct mmio_ops *ops, void *dev, char *err, size_t errlen)
{
    if (!dev) {
        snprintf(err, errlen, "%s: cannot create device", name);
        return false;
    }
    return bus_add_mmio(&m->bus, name, base, size, ops, dev, err, errlen) != NULL;
}

/* Loads an image and picks up HTIF symbols (tohost/fromhost) from ELF
 * images, like riscv-tests programs expect. */
static bool load_image(struct machine *m, const char *what, const char *path, uint64_t raw_addr,
                       uint64_t *entry, char *err, size_t errlen)
{
    struct rv_virt *b = rv_virt(m);
    struct elf_image *elf = NULL;
    if (!machine_load_image(m, what, path, raw_addr, entry, &elf, err, errlen))
        return false;
    if (elf) {
        uint64_t tohost, fromhost = 0;
        char e2[400];
        if (!b->htif && elf_symbol(elf, "tohost", &tohost)) {
            elf_symbol(elf, "fromhost", &fromhost);
            b->htif = htif_new(m, m->console, tohost, fromhost, e2, sizeof e2);
            if (!b->htif) {
                snprintf(err, errlen, "%s: %s: %s", what, path, e2);
                elf_close(elf);
                return false;
            }
        }
        elf_close(elf);
    }
    return true;
}

/* A device's interrupt wire: into the PLIC, or the APLIC in its place. */
static struct irq_line device_irq(struct rv_virt *b, int src)
{
    if (b->aplic)
        return (struct irq_line){ aplic_set_irq, b->aplic, src };
    return (struct irq_line){ plic_set_irq, b->plic, src };
}

/* The opt-in devices: virtio-mmio slots (drives first, then the entropy
 * device, the console, the network card; the other slots empty) and the goldfish RTC. */
static bool build_optin(struct machine *m, char *err, size_t errlen)
{
    const struct config *c = &m->cfg;
    const struct rv_virt_config *v = rv_virt_config(c);
    struct rv_virt *b = rv_virt(m);
    if (rv_virt_has_virtio(v)) {
        static const char *const names[RV_VIRT_VIRTIO_SLOTS] = {
            "virtio-mmio0", "virtio-mmio1", "virtio-mmio2", "virtio-mmio3",
            "virtio-mmio4", "virtio-mmio5", "virtio-mmio6", "virtio-mmio7",
        };
        char specs[RV_VIRT_MAX_DRIVES][512];
        int n = drive_specs(v, specs);
        for (int i = 0; i < n; i++) {
            b->blk[i] = virtio_blk_open(specs[i], err, errlen);
            if (!b->blk[i])
                return false;
            b->nblk = i + 1;
        }
        uint64_t seed = 0;
        if (v->rng[0]) {
            rng_seed(c, &seed);
            if (!(b->rng = virtio_rng_new(seed))) {
                snprintf(err, errlen, "virtio-rng: out of memory");
                return false;
            }
        }
        if (v->vcon[0] && !(b->vcon = virtio_console_new(m, m->console))) {
            snprintf(err, errlen, "virtio-console: out of memory");
            return false;
        }
        if (v->net[0] && !(b->net = virtio_net_new(m, v->net))) {
            snprintf(err, errlen, "virtio-net: out of memory");
            return false;
        }
        /* drives, then the entropy device, the console, the network card */
        int rng_slot = b->rng ? b->nblk : -1;
        b->vcon_slot = b->vcon ? b->nblk + (b->rng ? 1 : 0) : -1;
        int net_slot = b->net ? b->nblk + (b->rng ? 1 : 0) + (b->vcon ? 1 : 0) : -1;
        for (int slot = 0; slot < RV_VIRT_VIRTIO_SLOTS; slot++) {
            const struct virtio_device_ops *ops = NULL;
            void *dev = NULL;
            if (slot < b->nblk)
                ops = &virtio_blk_ops, dev = b->blk[slot];
            else if (slot == rng_slot)
                ops = &virtio_rng_ops, dev = b->rng;
            else if (slot == b->vcon_slot)
                ops = &virtio_console_ops, dev = b->vcon;
            else if (slot == net_slot)
                ops = &virtio_net_ops, dev = b->net;
            struct irq_line irq = device_irq(b, RV_VIRT_VIRTIO_IRQ + slot);
            b->virtio[slot] = virtio_mmio_new(m, ops, dev, irq);
            if (!add_mmio(m, names[slot], RV_VIRT_VIRTIO_BASE + 0x1000ull * (uint64_t)slot,
                          VIRTIO_MMIO_SIZE, &virtio_mmio_ops, b->virtio[slot], err, errlen))
                return false;
        }
    }
    unsigned guests = 0;
    if (rv_virt_has_imsic(v, &guests)) {
        for (int i = 0; i < m->ncpus; i++)
            rv_hart_set_aia(m->cpus[i], guests);
        if (!(b->imsic = imsic_new(m, m->ncpus, guests))) {
            snprintf(err, errlen, "imsic: out of memory");
            return false;
        }
        if (!add_mmio(m, "imsic-m", RV_VIRT_IMSIC_M_BASE, imsic_m_size(b->imsic), &imsic_m_ops,
                      b->imsic, err, errlen) ||
            !add_mmio(m, "imsic-s", RV_VIRT_IMSIC_S_BASE, imsic_s_size(b->imsic), &imsic_s_ops,
                      b->imsic, err, errlen))
            return false;
    }
    if (v->rtc_epoch[0]) {
        uint64_t epoch = 0;
        config_parse_u64(v->rtc_epoch, &epoch);
        b->rtc = goldfish_rtc_new(m, epoch * 1000000000u,
                                  device_irq(b, RV_VIRT_RTC_IRQ));
        if (!add_mmio(m, "goldfish-rtc", RV_VIRT_RTC_BASE, GOLDFISH_RTC_SIZE, &goldfish_rtc_ops,
                      b->rtc, err, errlen))
            return false;
    }
    if (v->fw_cfg[0]) { /* QEMU's fw_cfg, MMIO interface with DMA (docs/riscv.md "fw_cfg") */
        const struct fw_cfg_config fc = { .ram_size = c->ram_size, .nb_cpus = (uint16_t)c->smp,
                                          .max_cpus = (uint16_t)c->smp, .cmdline = c->append };
        char e2[160];
        if (!(b->fw_cfg = fw_cfg_new(&fc)) ||
            !fw_cfg_add_file(b->fw_cfg, "opt/hvsim/isa", v->isa, strlen(v->isa), e2, sizeof e2)) {
            snprintf(err, errlen, "fw-cfg: out of memory");
            return false;
        }
        fw_cfg_enable_dma(b->fw_cfg, &m->bus);
        if (!add_mmio(m, "fw-cfg", RV_VIRT_FW_CFG_BASE, FW_CFG_MMIO_SIZE, &fw_cfg_mmio_ops,
                      b->fw_cfg, err, errlen))
            return false;
    }
    return true;
}

static bool rv_virt_build(struct machine *m, char *err, size_t errlen)
{
    const struct config *c = &m->cfg;
    const struct rv_virt_config *v = rv_virt_config(c);
    struct rv_virt *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    m->board_state = b;
    rv_machine_attach(m);

    b->rom = bus_add_mem(&m->bus, "bootrom", v->rom_base, v->rom_size, true, err, errlen);
    if (!b->rom || !machine_add_ram(m, err, errlen))
        return false;

    m->ncpus = c->smp;
    bool sv39_only = strcmp(v->mmu_type, "sv39") == 0;
    uint32_t ext = 0;
    if (!rv_isa_parse(v->isa, &ext, err, errlen))
        return false;
    unsigned nhpm = 0;
    rv_virt_mhpm_count(v, &nhpm);
    unsigned ntrig = 0;
    if (!rv_virt_trigger_count(v, &ntrig, err, errlen))
        return false;
    unsigned vlen = 128;
    if (!rv_virt_vlen(v, &vlen, err, errlen))
        return false;
    for (int i = 0; i < c->smp; i++) {
        m->cpus[i] = rv_hart_new(m, i, v->rom_base, sv39_only);
        if (!m->cpus[i]) {
            snprintf(err, errlen, "out of memory creating hart %d", i);
            return false;
        }
        rv_hart_set_ext(m->cpus[i], ext);
        rv_hart_set_counters(m->cpus[i], nhpm);
        rv_hart_set_triggers(m->cpus[i], ntrig);
        rv_hart_set_vlen(m->cpus[i], vlen);
    }

    b->aclint = aclint_new(m, m->ncpus, v->timebase_hz);
    for (int i = 0; b->aclint && i < m->ncpus; i++)
        rv_hart_connect_aclint(m->cpus[i], b->aclint);
    if (!add_mmio(m, "aclint-mswi", v->aclint_base, ACLINT_MSWI_SIZE, &aclint_mswi_ops, b->aclint, err, errlen) ||
        !add_mmio(m, "aclint-mtimer", v->aclint_base + ACLINT_MTIMER_OFF, ACLINT_MTIMER_SIZE,
                  &aclint_mtimer_ops, b->aclint, err, errlen) ||
        !add_mmio(m, "aclint-sswi", v->sswi_base, ACLINT_SSWI_SIZE, &aclint_sswi_ops, b->aclint, err, errlen))
        return false;
    if (rv_virt_has_aplic(v)) { /* the APLIC in the PLIC's place (docs/riscv.md "AIA") */
        b->aplic = aplic_new(m, m->ncpus, RV_VIRT_APLIC_SOURCES, rv_virt_has_imsic(v, NULL));
        if (!b->aplic) {
            snprintf(err, errlen, "aplic: out of memory");
            return false;
        }
        if (!add_mmio(m, "aplic-m", RV_VIRT_APLIC_M_BASE, aplic_region_size(b->aplic), &aplic_m_ops,
                      b->aplic, err, errlen) ||
            !add_mmio(m, "aplic-s", RV_VIRT_APLIC_S_BASE, aplic_region_size(b->aplic), &aplic_s_ops,
                      b->aplic, err, errlen))
            return false;
    } else {
        b->plic = plic_new(m, v->plic_ndev, m->ncpus);
        if (!add_mmio(m, "plic", v->plic_base, PLIC_SIZE, &plic_ops, b->plic, err, errlen))
            return false;
    }
    b->uart = uart_new(m, m->console, device_irq(b, (int)v->uart_irq));
    if (!add_mmio(m, "uart", v->uart_base, UART_SIZE, &uart_ops, b->uart, err, errlen))
        return false;
    b->test = sifive_test_new(m);
    if (!add_mmio(m, "sifive-test", v->test_base, SIFIVE_TEST_SIZE, &sifive_test_ops, b->test, err, errlen))
        return false;
    if (!build_optin(m, err, errlen))
        return false;

    /* Images: firmware at bios_addr (raw) or its ELF addresses, then the
     * kernel; the boot ROM jumps to the firmware, or to the kernel when
     * there is none. */
    const char *bios = machine_bios_path(c);
    bool have_bios = bios[0] != 0;
    uint64_t bios_entry = 0, kernel_entry = 0;
    if (have_bios && !load_image(m, "--bios", bios, v->bios_addr, &bios_entry, err, errlen))
        return false;
    if (c->kernel[0] && !load_image(m, "--kernel", c->kernel, v->kernel_addr, &kernel_entry, err, errlen))
        return false;
    if (!have_bios && !c->kernel[0]) {
        snprintf(err, errlen, "--bios none needs --kernel FILE");
        return false;
    }
    b->entry = have_bios ? bios_entry : kernel_entry;

    /* DTB near the top of RAM (like QEMU); the initrd just below it. */
    b->dtb_addr = fdt_default_addr(c, 0x10000);
    if (c->initrd[0]) {
        size_t isz;
        void *data = image_read_file(c->initrd, c->ram_size, &isz, err, errlen);
        if (!data)
            return false;
        uint64_t start = (b->dtb_addr - isz) & ~0xfffull;
        if (isz >= b->dtb_addr - c->ram_base || start < v->kernel_addr + 0x2000000) {
            free(data);
            snprintf(err, errlen, "--initrd %s: %zu bytes do not fit in RAM", c->initrd, isz);
            return false;
        }
        bus_load(&m->bus, start, data, isz);
        free(data);
        b->initrd_start = start;
        b->initrd_end = start + isz;
    }
    if (c->dtb[0])
        b->dtb = fdt_read_file(c->dtb, &b->dtb_size, err, errlen);
    else
        b->dtb = fdt_build(c, b->initrd_start, b->initrd_end, err, errlen);
    if (!b->dtb)
        return false;
    if (c->dtb[0] == 0)
        b->dtb_size = fdt_totalsize(b->dtb);
    if (b->dtb_size > 0x10000 && !c->dtb[0]) {
        snprintf(err, errlen, "generated device tree too large (%zu bytes)", b->dtb_size);
        return false;
    }
    b->dtb_addr = fdt_default_addr(c, b->dtb_size);
    if (!bus_load(&m->bus, b->dtb_addr, b->dtb, b->dtb_size)) {
        snprintf(err, errlen, "device tree does not fit in RAM");
        return false;
    }
    if (!bootrom_build(b->rom->host, b->rom->size, b->entry, b->dtb_addr)) {
        snprintf(err, errlen, "[bootrom] size 0x%llx is too small for the reset code",
                 (unsigned long long)b->rom->size);
        return false;
    }
    return true;
}

static void rv_virt_free(struct machine *m)
{
    struct rv_virt *b = rv_virt(m);
    if (!b)
        return;
    if (b->aclint) aclint_free(b->aclint);
    if (b->plic) plic_free(b->plic);
    aplic_free(b->aplic);
    if (b->uart) uart_free(b->uart);
    if (b->test) sifive_test_free(b->test);
    if (b->htif) htif_free(b->htif);
    for (int i = 0; i < RV_VIRT_VIRTIO_SLOTS; i++)
        virtio_mmio_free(b->virtio[i]);
    for (int i = 0; i < b->nblk; i++)
        virtio_blk_free(b->blk[i]);
    virtio_rng_free(b->rng);
    virtio_console_free(b->vcon);
    virtio_net_free(b->net);
    goldfish_rtc_free(b->rtc);
    imsic_free(b->imsic);
    fw_cfg_free(b->fw_cfg);
    free(b->dtb);
    free(b);
    m->board_state = NULL;
}

static void rv_virt_copy_state(struct machine *dst, const struct machine *src)
{
    struct rv_virt *d = rv_virt(dst);
    const struct rv_virt *s = rv_virt(src);
    aclint_copy_state(d->aclint, s->aclint);
    if (d->plic && s->plic)
        plic_copy_state(d->plic, s->plic);
    if (d->aplic && s->aplic)
        aplic_copy_state(d->aplic, s->aplic);
    uart_copy_state(d->uart, s->uart);
    for (int i = 0; i < RV_VIRT_VIRTIO_SLOTS; i++)
        if (d->virtio[i] && s->virtio[i])
            virtio_mmio_copy_state(d->virtio[i], s->virtio[i]);
    for (int i = 0; i < d->nblk && i < s->nblk; i++)
        virtio_blk_copy_state(d->blk[i], s->blk[i]);
    if (d->rng && s->rng)
        virtio_rng_copy_state(d->rng, s->rng);
    if (d->vcon && s->vcon)
        virtio_console_copy_state(d->vcon, s->vcon);
    if (d->net && s->net)
        virtio_net_copy_state(d->net, s->net);
    if (d->rtc && s->rtc)
        goldfish_rtc_copy_state(d->rtc, s->rtc);
    if (d->fw_cfg && s->fw_cfg)
        fw_cfg_copy_state(d->fw_cfg, s->fw_cfg);
}

static void rv_virt_round(struct machine *m)
{
    struct rv_virt *b = rv_virt(m);
    uart_poll(b->uart);
    if (b->vcon)
        virtio_console_round(b->vcon, b->virtio[b->vcon_slot]);
}

/* Bit 4 of hart 0's sp. */
static void rv_virt_perturb(struct machine *m)
{
    RV_HART(m->cpus[0])->x[2] ^= 16;
}

/* ACLINT MSWI: one 32-bit msip register per hart at base + 4*h (ACLINT
 * spec §3). */
static int rv_virt_data_files(const struct config *c, char (*paths)[512], int max)
{
    char specs[RV_VIRT_MAX_DRIVES][512];
    int n = drive_specs(rv_virt_config(c), specs), k = 0;
    for (int i = 0; i < n && k < max; i++)
        if (virtio_blk_spec_path(specs[i], paths[k], sizeof paths[k]))
            k++;
    return k;
}

static int rv_virt_ipi_register_cpu(const struct config *c, uint64_t addr)
{
    uint64_t base = rv_virt_config(c)->aclint_base;
    if (addr < base || addr >= base + 4ull * (uint64_t)c->smp || (addr - base) % 4)
        return -1;
    return (int)((addr - base) / 4);
}

/* The simple-framebuffer: plain RAM at the top (docs/riscv.md). */
static bool rv_virt_screen(struct machine *m, struct screen_desc *d)
{
    uint64_t base;
    uint32_t w, h;
    if (!rv_virt_fb(&m->cfg, &base, &w, &h))
        return false;
    size_t len = (size_t)w * 4 * h;
    const uint8_t *p = bus_host_ptr(&m->bus, base, len);
    if (!p)
        return false;
    *d = (struct screen_desc){ .kind = SCREEN_PIXELS, .mem = p, .mem_len = len, .width = w,
                               .height = h, .stride = w * 4, .cursor = UINT32_MAX };
    return true;
}

static bool rv_virt_dump_dtb(struct machine *m, const char *path, char *err, size_t errlen)
{
    return fdt_write_file(rv_virt(m)->dtb, path, err, errlen);
}

const struct board_ops board_riscv_virt = {
    .name = "riscv-virt",
    .arch = "riscv64",
    .keys = rv_virt_keys,
    .nkeys = sizeof rv_virt_keys / sizeof rv_virt_keys[0],
    .config_size = sizeof(struct rv_virt_config),
    .config_defaults = rv_virt_defaults,
    .config_validate = rv_virt_validate,
    /* QEMU does the same with its bundled OpenSBI; "--bios none" boots the
     * kernel directly in M mode. */
    .default_bios = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf",
    .elf = elf_machines_riscv64,
    .build = rv_virt_build,
    .free = rv_virt_free,
    .copy_state = rv_virt_copy_state,
    .round = rv_virt_round,
    .perturb = rv_virt_perturb,
    .ipi_register_cpu = rv_virt_ipi_register_cpu,
    .data_files = rv_virt_data_files,
    .dump_dtb = rv_virt_dump_dtb,
    .screen = rv_virt_screen,
};
