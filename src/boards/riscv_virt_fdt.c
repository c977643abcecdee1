/* DTB generation with libfdt's sequential-write API. The layout follows the
 * device tree QEMU's virt board hands to firmware (compatibles, reg layout,
 * interrupt wiring; see /work/shared/reference/qemu-virt-smp4.dts and the
 * Devicetree Specification v0.4), minus devices hvsim does not model. */
#include "boards/riscv_virt_fdt.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/image.h"
#include "sim/config.h"
#include "boards/riscv_virt.h"
#include "cpu/riscv/isa.h"
#include "cpu/riscv/pmu.h"
#include "devices/framebuffer.h"

/* Interrupt causes used as cells of interrupts-extended towards a
 * riscv,cpu-intc (RISC-V priv spec, mcause interrupt codes). */
enum {
    IRQ_S_SOFT = 1,
    IRQ_M_SOFT = 3,
    IRQ_M_TIMER = 7,
    IRQ_S_EXT = 9,
    IRQ_M_EXT = 11,
};

/* Register window sizes advertised in the tree. */
#define CLINT_REG_SIZE  0x10000ull   /* MSWI + MTIMER, CLINT-compatible */
#define PLIC_REG_SIZE   0x600000ull
#define TEST_REG_SIZE   0x1000ull
#define UART_REG_SIZE   0x100ull

/* sifive_test / syscon values (QEMU's sifive_test device interface). */
#define SYSCON_POWEROFF 0x5555
#define SYSCON_REBOOT   0x7777

#define FDT_MAX_BLOB (1u << 20)

/* Sequential-write state: the first libfdt error sticks, later calls are
 * no-ops, so the builder below reads as a plain list of nodes. */
struct fdtw {
    void *fdt;
    int err;
};

static void w_check(struct fdtw *w, int rc)
{
    if (rc < 0 && !w->err)
        w->err = rc;
}

static void w_begin(struct fdtw *w, const char *name)
{
    if (!w->err)
        w_check(w, fdt_begin_node(w->fdt, name));
}

static void w_end(struct fdtw *w)
{
    if (!w->err)
        w_check(w, fdt_end_node(w->fdt));
}

static void w_prop(struct fdtw *w, const char *name, const void *val, int len)
{
    if (!w->err)
        w_check(w, fdt_property(w->fdt, name, val, len));
}

static void w_str(struct fdtw *w, const char *name, const char *s)
{
    w_prop(w, name, s, (int)strlen(s) + 1);
}

static void w_u32(struct fdtw *w, const char *name, uint32_t v)
{
    fdt32_t be = cpu_to_fdt32(v);
    w_prop(w, name, &be, sizeof be);
}

static void w_u64(struct fdtw *w, const char *name, uint64_t v)
{
    fdt64_t be = cpu_to_fdt64(v);
    w_prop(w, name, &be, sizeof be);
}

static void w_cells(struct fdtw *w, const char *name, const uint32_t *cells, size_t n)
{
    fdt32_t be[4 * CONFIG_MAX_CPUS];
    if (n > sizeof be / sizeof be[0]) {
        w_check(w, -FDT_ERR_INTERNAL);
        return;
    }
    for (size_t i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    w_prop(w, name, be, (int)(n * sizeof be[0]));
}

/* reg with #address-cells = #size-cells = 2. */
static void w_reg(struct fdtw *w, uint64_t base, uint64_t size)
{
    const uint32_t cells[4] = { (uint32_t)(base >> 32), (uint32_t)base,
                                (uint32_t)(size >> 32), (uint32_t)size };
    w_cells(w, "reg", cells, 4);
}

static uint32_t ph_cpu(int hart) { return 1 + 2 * (uint32_t)hart; }
static uint32_t ph_intc(int hart) { return 2 + 2 * (uint32_t)hart; }
static uint32_t ph_plic(const struct config *c) { return 2 * (uint32_t)c->smp + 1; }
static uint32_t ph_test(const struct config *c) { return 2 * (uint32_t)c->smp + 2; }
/* after every phandle of the default board, so those stay as they were */
static uint32_t ph_imsic(const struct config *c, int s_level)
{
    return 2 * (uint32_t)c->smp + 16 + (uint32_t)s_level;
}

static uint32_t ph_aplic(const struct config *c, int s_level)
{
    return 2 * (uint32_t)c->smp + 18 + (uint32_t)s_level;
}

/* A device's interrupt: source src of the PLIC, or of the APLIC's
 * supervisor-level domain (two cells: source, IRQ_TYPE_LEVEL_HIGH). */
static void w_dev_irq(struct fdtw *w, const struct config *c, uint32_t src)
{
    if (rv_virt_has_aplic(rv_virt_config(c))) {
        const uint32_t cells[2] = { src, 4 };
        w_cells(w, "interrupts", cells, 2);
        w_u32(w, "interrupt-parent", ph_aplic(c, 1));
    } else {
        w_u32(w, "interrupts", src);
        w_u32(w, "interrupt-parent", ph_plic(c));
    }
}

/* interrupts-extended = <intc(h) irq> for every hart h, in hart order (the
 * AIA controllers: one external interrupt per hart). */
static void w_irq_ext1(struct fdtw *w, const struct config *c, uint32_t irq)
{
    uint32_t cells[2 * CONFIG_MAX_CPUS];
    for (int h = 0; h < c->smp; h++) {
        cells[2 * h] = ph_intc(h);
        cells[2 * h + 1] = irq;
    }
    w_cells(w, "interrupts-extended", cells, 2 * (size_t)c->smp);
}

/* interrupts-extended = <intc(h) a intc(h) b> for every hart h, in hart order. */
static void w_irqs_ext(struct fdtw *w, const struct config *c, uint32_t a, uint32_t b)
{
    uint32_t cells[4 * CONFIG_MAX_CPUS];
    size_t n = 0;
    for (int h = 0; h < c->smp; h++) {
        cells[n++] = ph_intc(h);
        cells[n++] = a;
        cells[n++] = ph_intc(h);
        cells[n++] = b;
    }
    w_cells(w, "interrupts-extended", cells, n);
}

/* The PMU node OpenSBI's generic platform reads (its fdt_pmu.c: compatible
 * "riscv,pmu") to use mhpmcounter3..: which counters can count which SBI
 * event (riscv,event-to-mhpmcounters: <first last counter-bitmap>), the
 * mhpmevent selector of each SBI hardware event (riscv,event-to-mhpmevent:
 * <event select-hi select-lo>), and the raw selectors (riscv,raw-event-
 * to-mhpmcounters: <select-hi select-lo mask-hi mask-lo bitmap>). Selectors:
 * src/cpu/riscv/pmu.h; SBI event numbers: SBI spec v1.0 ch. 11 (hardware
 * general events: 1 cycles, 2 instructions). Only with [cpu] mhpm-counters
 * > 0: the default DTB has no such node. */
static void build_pmu(struct fdtw *w, const struct config *c)
{
    unsigned n = 0;
    if (!rv_virt_mhpm_count(rv_virt_config(c), &n) || n == 0)
        return;
    uint32_t map = (uint32_t)(((1ull << n) - 1) << 3);
    w_begin(w, "pmu");
    w_str(w, "compatible", "riscv,pmu");
    const uint32_t ev_ctr[] = { 1, 1, map, 2, 2, map };
    w_cells(w, "riscv,event-to-mhpmcounters", ev_ctr, sizeof ev_ctr / sizeof ev_ctr[0]);
    const uint32_t ev_sel[] = { 1, 0, RV_HPM_EV_CYCLES, 2, 0, RV_HPM_EV_INSTRET };
    w_cells(w, "riscv,event-to-mhpmevent", ev_sel, sizeof ev_sel / sizeof ev_sel[0]);
    const uint32_t raw[] = {
        0, RV_HPM_EV_EXCEPTIONS, 0xffffffff, 0xffffffff, map,
        0, RV_HPM_EV_INTERRUPTS, 0xffffffff, 0xffffffff, map,
        0, RV_HPM_EV_LOADS, 0xffffffff, 0xffffffff, map,
        0, RV_HPM_EV_STORES, 0xffffffff, 0xffffffff, map,
        0, RV_HPM_EV_BRANCHES_TAKEN, 0xffffffff, 0xffffffff, map,
    };
    w_cells(w, "riscv,raw-event-to-mhpmcounters", raw, sizeof raw / sizeof raw[0]);
    w_end(w);
}

static void build_cpus(struct fdtw *w, const struct config *c)
{
    char name[64], mmu[32];
    snprintf(mmu, sizeof mmu, "riscv,%s", rv_virt_config(c)->mmu_type);
    uint32_t ext = 0;
    char isa_err[256];
    if (!rv_isa_parse(rv_virt_config(c)->isa, &ext, isa_err, sizeof isa_err))
        ext = 0; /* config_validate has reported it */

    w_begin(w, "cpus");
    w_u32(w, "#address-cells", 1);
    w_u32(w, "#size-cells", 0);
    w_u32(w, "timebase-frequency", (uint32_t)rv_virt_config(c)->timebase_hz);
    for (int h = 0; h < c->smp; h++) {
        snprintf(name, sizeof name, "cpu@%x", h);
        w_begin(w, name);
        w_u32(w, "phandle", ph_cpu(h));
        w_str(w, "device_type", "cpu");
        w_u32(w, "reg", (uint32_t)h);
        w_str(w, "status", "okay");
        w_str(w, "compatible", "riscv");
        bool aia = rv_virt_has_imsic(rv_virt_config(c), NULL);
        /* with v: the Zve and Zvl names V implies at this VLEN (isa.c,
         * docs/riscv.md "Vector") in both forms; without, [cpu] isa as is */
        unsigned vlen = 128;
        char verr[256];
        if ((ext & RV_EXT_V) && !rv_virt_vlen(rv_virt_config(c), &vlen, verr, sizeof verr))
            vlen = 128; /* config_validate has reported it */
        char isa[sizeof rv_virt_config(c)->isa + 256];
        if (!rv_isa_string_with_vector(rv_virt_config(c)->isa, vlen, isa, sizeof isa - 16)) {
            memcpy(isa, rv_virt_config(c)->isa, sizeof rv_virt_config(c)->isa); /* cannot happen: it fits */
            isa[sizeof rv_virt_config(c)->isa - 1] = '\0';
        }
        if (aia)
            strcat(isa, "_smaia_ssaia");
        w_str(w, "riscv,isa", isa);
        /* the DT bindings' newer form (riscv/cpus.yaml, extensions.yaml):
         * the base and the extensions the hart implements as a string list,
         * from the same table that parses [cpu] isa (isa.c) */
        w_str(w, "riscv,isa-base", "rv64i");
        char list[768];
        size_t n = rv_isa_extension_list(rv_virt_config(c)->isa, list, sizeof list - 256);
        if ((ext & RV_EXT_V) && n)
            n += rv_isa_vector_list(vlen, list + n, 240);
        if (aia && n) {
            memcpy(list + n, "smaia\0ssaia", 12);
            n += 12;
        }
        if (n)
            w_prop(w, "riscv,isa-extensions", list, (int)n);
        if (ext & RV_EXT_ZICBOM) /* Zicbom/Zicboz: cache-block size (docs/riscv.md) */
            w_u32(w, "riscv,cbom-block-size", RV_CBO_BLOCK);
        if (ext & RV_EXT_ZICBOZ)
            w_u32(w, "riscv,cboz-block-size", RV_CBO_BLOCK);
        if (ext & RV_EXT_ZICBOP) /* DT binding riscv/cpus.yaml: the prefetch block */
            w_u32(w, "riscv,cbop-block-size", RV_CBO_BLOCK);
        w_str(w, "mmu-type", mmu);
        w_begin(w, "interrupt-controller");
        w_u32(w, "#interrupt-cells", 1);
        w_prop(w, "interrupt-controller", NULL, 0);
        w_str(w, "compatible", "riscv,cpu-intc");
        w_u32(w, "phandle", ph_intc(h));
        w_end(w);
        w_end(w);
    }
    w_begin(w, "cpu-map");
    w_begin(w, "cluster0");
    for (int h = 0; h < c->smp; h++) {
        snprintf(name, sizeof name, "core%d", h);
        w_begin(w, name);
        w_u32(w, "cpu", ph_cpu(h));
        w_end(w);
    }
    w_end(w);
    w_end(w);
    w_end(w);
}

static void build_soc(struct fdtw *w, const struct config *c)
{
    char name[64];
    w_begin(w, "soc");
    w_u32(w, "#address-cells", 2);
    w_u32(w, "#size-cells", 2);
    w_str(w, "compatible", "simple-bus");
    w_prop(w, "ranges", NULL, 0);

    snprintf(name, sizeof name, "test@%" PRIx64, rv_virt_config(c)->test_base);
    w_begin(w, name);
    w_u32(w, "phandle", ph_test(c));
    w_reg(w, rv_virt_config(c)->test_base, TEST_REG_SIZE);
    static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
    w_prop(w, "compatible", test_compat, sizeof test_compat);
    w_end(w);

    /* Opt-in (docs/virtio.md): the goldfish RTC, as QEMU virt describes it. */
    if (rv_virt_config(c)->rtc_epoch[0]) {
        snprintf(name, sizeof name, "rtc@%llx", (unsigned long long)RV_VIRT_RTC_BASE);
        w_begin(w, name);
        w_dev_irq(w, c, RV_VIRT_RTC_IRQ);
        w_reg(w, RV_VIRT_RTC_BASE, 0x1000);
        w_str(w, "compatible", "google,goldfish-rtc");
        w_end(w);
    }

    /* One CLINT-compatible node for ACLINT MSWI + MTIMER: OpenSBI 1.1 then
     * sees exactly one IPI device ("aclint-mswi") and one timer. The SSWI
     * is deliberately not described (yet). */
    snprintf(name, sizeof name, "clint@%" PRIx64, rv_virt_config(c)->aclint_base);
    w_begin(w, name);
    w_irqs_ext(w, c, IRQ_M_SOFT, IRQ_M_TIMER);
    w_reg(w, rv_virt_config(c)->aclint_base, CLINT_REG_SIZE);
    static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
    w_prop(w, "compatible", clint_compat, sizeof clint_compat);
    w_end(w);

    if (rv_virt_has_aplic(rv_virt_config(c))) {
        /* the APLIC (riscv,aplic binding): the S-level child domain, then the
         * M-level root that delegates every source to it; direct delivery
         * through the harts' external interrupt lines, or MSIs to the
         * IMSICs (msi-parent) with aplic-imsic */
        bool msi = rv_virt_has_imsic(rv_virt_config(c), NULL);
        for (int s_level = 1; s_level >= 0; s_level--) {
            uint64_t base = s_level ? RV_VIRT_APLIC_S_BASE : RV_VIRT_APLIC_M_BASE;
            snprintf(name, sizeof name, "aplic@%" PRIx64, base);
            w_begin(w, name);
            w_u32(w, "phandle", ph_aplic(c, s_level));
            if (msi) {
                w_u32(w, "msi-parent", ph_imsic(c, s_level));
            } else {
                w_irq_ext1(w, c, s_level ? IRQ_S_EXT : IRQ_M_EXT);
            }
            if (!s_level) {
                w_u32(w, "riscv,children", ph_aplic(c, 1));
                const uint32_t del[3] = { ph_aplic(c, 1), 1, RV_VIRT_APLIC_SOURCES };
                w_cells(w, "riscv,delegate", del, 3);
            }
            w_u32(w, "riscv,num-sources", RV_VIRT_APLIC_SOURCES);
            w_reg(w, base, 0x4000 + 0x20ull * (uint64_t)c->smp);
            w_prop(w, "interrupt-controller", NULL, 0);
            w_u32(w, "#interrupt-cells", 2);
            w_str(w, "compatible", "riscv,aplic");
            w_end(w);
        }
    } else {
        snprintf(name, sizeof name, "plic@%" PRIx64, rv_virt_config(c)->plic_base);
        w_begin(w, name);
        w_u32(w, "phandle", ph_plic(c));
        w_u32(w, "riscv,ndev", rv_virt_config(c)->plic_ndev);
        w_reg(w, rv_virt_config(c)->plic_base, PLIC_REG_SIZE);
        w_irqs_ext(w, c, IRQ_M_EXT, IRQ_S_EXT);
        w_prop(w, "interrupt-controller", NULL, 0);
        static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
        w_prop(w, "compatible", plic_compat, sizeof plic_compat);
        w_u32(w, "#address-cells", 0);
        w_u32(w, "#interrupt-cells", 1);
        w_end(w);
    }

    /* Opt-in ([aia] mode = imsic): the IMSICs as the riscv,imsics binding
     * describes them, M level and S level (with the guest files), beside
     * the PLIC. */
    unsigned guests = 0;
    if (rv_virt_has_imsic(rv_virt_config(c), &guests)) {
        unsigned gbits = 0;
        while ((1u << gbits) < 1 + guests)
            gbits++;
        for (int s_level = 0; s_level < 2; s_level++) {
            uint64_t base = s_level ? RV_VIRT_IMSIC_S_BASE : RV_VIRT_IMSIC_M_BASE;
            uint64_t per_hart = s_level ? 0x1000ull << gbits : 0x1000ull;
            snprintf(name, sizeof name, "imsics@%" PRIx64, base);
            w_begin(w, name);
            w_u32(w, "phandle", ph_imsic(c, s_level));
            w_u32(w, "riscv,num-ids", 255);
            w_reg(w, base, per_hart * (uint64_t)c->smp);
            w_irq_ext1(w, c, s_level ? IRQ_S_EXT : IRQ_M_EXT);
            if (s_level && gbits)
                w_u32(w, "riscv,guest-index-bits", gbits);
            w_prop(w, "msi-controller", NULL, 0);
            w_prop(w, "interrupt-controller", NULL, 0);
            w_u32(w, "#interrupt-cells", 0);
            w_str(w, "compatible", "riscv,imsics");
            w_end(w);
        }
    }

    snprintf(name, sizeof name, "serial@%" PRIx64, rv_virt_config(c)->uart_base);
    w_begin(w, name);
    w_dev_irq(w, c, rv_virt_config(c)->uart_irq);
    w_u32(w, "clock-frequency", (uint32_t)rv_virt_config(c)->uart_clock_hz);
    w_reg(w, rv_virt_config(c)->uart_base, UART_REG_SIZE);
    w_str(w, "compatible", "ns16550a");
    w_end(w);

    /* Opt-in: the eight virtio-mmio slots (empty ones have device ID 0). */
    for (int i = 0; rv_virt_has_virtio(rv_virt_config(c)) && i < RV_VIRT_VIRTIO_SLOTS; i++) {
        uint64_t base = RV_VIRT_VIRTIO_BASE + 0x1000ull * (uint64_t)i;
        snprintf(name, sizeof name, "virtio_mmio@%" PRIx64, base);
        w_begin(w, name);
        w_dev_irq(w, c, RV_VIRT_VIRTIO_IRQ + (uint32_t)i);
        w_reg(w, base, 0x1000);
        w_str(w, "compatible", "virtio,mmio");
        w_end(w);
    }

    w_end(w);
}

static void build_syscon(struct fdtw *w, const struct config *c, const char *node,
                         const char *compat, uint32_t value)
{
    w_begin(w, node);
    w_u32(w, "value", value);
    w_u32(w, "offset", 0);
    w_u32(w, "regmap", ph_test(c));
    w_str(w, "compatible", compat);
    w_end(w);
}

/* The opt-in simple-framebuffer (docs/riscv.md "Framebuffer"): the
 * display binding (Documentation/devicetree/bindings/display/
 * simple-framebuffer.yaml: reg, width, height, stride, format) and a
 * reserved-memory no-map entry (reserved-memory.yaml), so that an OS does
 * not use the pixels as RAM. */
static void build_framebuffer(struct fdtw *w, const struct config *c)
{
    uint64_t base;
    uint32_t fw, fh;
    char name[64];
    if (!rv_virt_fb(c, &base, &fw, &fh))
        return;
    uint64_t size = fb_region_size(fw, fh);
    w_begin(w, "reserved-memory");
    w_u32(w, "#address-cells", 2);
    w_u32(w, "#size-cells", 2);
    w_prop(w, "ranges", NULL, 0);
    snprintf(name, sizeof name, "framebuffer@%" PRIx64, base);
    w_begin(w, name);
    w_reg(w, base, size);
    w_prop(w, "no-map", NULL, 0);
    w_end(w);
    w_end(w);
    w_begin(w, name);
    w_str(w, "compatible", "simple-framebuffer");
    w_reg(w, base, (uint64_t)fw * 4 * fh);
    w_u32(w, "width", fw);
    w_u32(w, "height", fh);
    w_u32(w, "stride", fw * 4);
    w_str(w, "format", "a8r8g8b8");
    w_str(w, "status", "okay");
    w_end(w);
}

static int build_into(void *buf, int bufsize, const struct config *c, uint64_t initrd_start,
                      uint64_t initrd_end)
{
    struct fdtw w = { .fdt = buf };
    char name[96];

    w_check(&w, fdt_create(buf, bufsize));
    if (!w.err)
        w_check(&w, fdt_finish_reservemap(buf));
    w_begin(&w, "");
    w_u32(&w, "#address-cells", 2);
    w_u32(&w, "#size-cells", 2);
    w_str(&w, "compatible", "riscv-virtio");
    w_str(&w, "model", "riscv-virtio,qemu");

    w_begin(&w, "chosen");
    snprintf(name, sizeof name, "/soc/serial@%" PRIx64, rv_virt_config(c)->uart_base);
    w_str(&w, "stdout-path", name);
    if (c->append[0])
        w_str(&w, "bootargs", c->append);
    if (initrd_start || initrd_end) {
        w_u64(&w, "linux,initrd-start", initrd_start);
        w_u64(&w, "linux,initrd-end", initrd_end);
    }
    w_end(&w);

    if (rv_virt_config(c)->fw_cfg[0]) { /* opt-in: QEMU's fw_cfg (qemu,fw-cfg-mmio binding) */
        snprintf(name, sizeof name, "fw-cfg@%llx", (unsigned long long)RV_VIRT_FW_CFG_BASE);
        w_begin(&w, name);
        w_prop(&w, "dma-coherent", NULL, 0);
        w_reg(&w, RV_VIRT_FW_CFG_BASE, 0x18);
        w_str(&w, "compatible", "qemu,fw-cfg-mmio");
        w_end(&w);
    }

    build_syscon(&w, c, "poweroff", "syscon-poweroff", SYSCON_POWEROFF);
    build_syscon(&w, c, "reboot", "syscon-reboot", SYSCON_REBOOT);

    snprintf(name, sizeof name, "memory@%" PRIx64, c->ram_base);
    w_begin(&w, name);
    w_str(&w, "device_type", "memory");
    w_reg(&w, c->ram_base, c->ram_size);
    w_end(&w);

    build_cpus(&w, c);
    build_pmu(&w, c);
    build_soc(&w, c);
    build_framebuffer(&w, c);

    w_end(&w); /* root */
    if (!w.err)
        w_check(&w, fdt_finish(buf));
    return w.err;
}

void *fdt_build(const struct config *c, uint64_t initrd_start, uint64_t initrd_end,
                char *err, size_t errlen)
{
    if (c->smp < 1 || c->smp > CONFIG_MAX_CPUS) {
        snprintf(err, errlen, "device tree: smp %d out of range (1..%d)", c->smp,
                 CONFIG_MAX_CPUS);
        return NULL;
    }
    if (initrd_end < initrd_start) {
        snprintf(err, errlen, "device tree: initrd end 0x%" PRIx64 " below start 0x%" PRIx64,
                 initrd_end, initrd_start);
        return NULL;
    }
    for (int size = 16 * 1024; size <= (int)FDT_MAX_BLOB; size *= 2) {
        void *buf = calloc(1, (size_t)size);
        if (!buf) {
            snprintf(err, errlen, "device tree: out of memory");
            return NULL;
        }
        int rc = build_into(buf, size, c, initrd_start, initrd_end);
        if (rc == 0) {
            void *shrunk = realloc(buf, fdt_totalsize(buf));
            return shrunk ? shrunk : buf;
        }
        free(buf);
        if (rc != -FDT_ERR_NOSPACE) {
            snprintf(err, errlen, "device tree: libfdt: %s", fdt_strerror(rc));
            return NULL;
        }
    }
    snprintf(err, errlen, "device tree: larger than %u bytes", FDT_MAX_BLOB);
    return NULL;
}

void *fdt_read_file(const char *path, size_t *size, char *err, size_t errlen)
{
    size_t n;
    char *buf = image_read_file(path, 16u << 20, &n, err, errlen);
    if (!buf)
        return NULL;
    const char *why = NULL;
    int rc;
    if (n < sizeof(struct fdt_header))
        why = "shorter than a header";
    else if ((rc = fdt_check_header(buf)) != 0)
        why = fdt_strerror(rc);
    else if (fdt_totalsize(buf) > n)
        why = "truncated: totalsize exceeds the file size";
    else if ((rc = fdt_check_full(buf, fdt_totalsize(buf))) != 0)
        why = fdt_strerror(rc);
    if (why) {
        snprintf(err, errlen, "%s is not a device tree blob (%s)", path, why);
        free(buf);
        return NULL;
    }
    *size = fdt_totalsize(buf);
    return buf;
}

bool fdt_write_file(const void *fdt, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    size_t n = fdt_totalsize(fdt);
    bool ok = fwrite(fdt, 1, n, f) == n;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "%s: write error: %s", path, strerror(saved));
        return false;
    }
    return true;
}

uint64_t fdt_default_addr(const struct config *c, size_t size)
{
    const uint64_t cap = 3ull << 30, align = 2ull << 20;
    uint64_t base, ram = c->ram_size;
    uint32_t fw, fh;
    if (rv_virt_fb(c, &base, &fw, &fh)) /* below the framebuffer at the top */
        ram -= fb_region_size(fw, fh);
    uint64_t span = ram < cap ? ram : cap;
    if (size >= span)
        return c->ram_base;
    uint64_t addr = (c->ram_base + span - size) & ~(align - 1);
    return addr < c->ram_base ? c->ram_base : addr;
}
