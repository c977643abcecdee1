/* Machine assembly from a config: memory map, CPUs, devices, images. */
#include "machine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../apic/aclint.h"
#include "../apic/plic.h"
#include "../cpu/riscv/hart.h"
#include "../devices/console.h"
#include "../devices/htif.h"
#include "../devices/sifive_test.h"
#include "../devices/uart16550.h"
#include "../loader/bootrom.h"
#include "../loader/elf.h"
#include "../loader/fdt.h"
#include "../loader/image.h"
#include "irq.h"
#include "../cpu/riscv/rv_hart.h"
#include "../trace/record.h"
#include <libfdt.h>

void machine_request_exit(struct machine *m, int code, const char *reason)
{
    if (!m->exit_requested) {
        m->exit_requested = true;
        m->exit_code = code;
        snprintf(m->exit_reason, sizeof m->exit_reason, "%s", reason);
    }
    if (m->sched.current)
        cpu_end_run(m->sched.current);
}

uint64_t machine_now(struct machine *m)
{
    return m->sched.current ? cpu_now(m->sched.current) : m->sched.round_start;
}

static bool add_mmio(struct machine *m, const char *name, uint64_t base, uint64_t size,
                     const struct mmio_ops *ops, void *dev, char *err, size_t errlen)
{
    if (!dev) {
        snprintf(err, errlen, "%s: cannot create device", name);
        return false;
    }
    return bus_add_mmio(&m->bus, name, base, size, ops, dev, err, errlen) != NULL;
}

/* Loads an image (ELF at its physical addresses, raw at raw_addr); picks up
 * HTIF symbols from ELF images. */
static bool load_image(struct machine *m, const char *what, const char *path, uint64_t raw_addr,
                       uint64_t *entry, char *err, size_t errlen)
{
    struct elf_image *elf = NULL;
    char e2[400];
    if (!image_load(&m->bus, path, raw_addr, entry, &elf, e2, sizeof e2)) {
        snprintf(err, errlen, "%s: %s", what, e2);
        return false;
    }
    if (elf) {
        uint64_t tohost, fromhost = 0;
        if (!m->htif && elf_symbol(elf, "tohost", &tohost)) {
            elf_symbol(elf, "fromhost", &fromhost);
            m->htif = htif_new(m, m->console, tohost, fromhost, e2, sizeof e2);
            if (!m->htif) {
                snprintf(err, errlen, "%s: %s: %s", what, path, e2);
                elf_close(elf);
                return false;
            }
        }
        elf_close(elf);
    }
    return true;
}

static void round_hook(void *opaque, struct machine *m)
{
    (void)opaque;
    if (m->trace)
        trace_round(m);
    if (m->gdb_poll)
        m->gdb_poll(m->gdb_opaque);
    if (m->perturb_at && m->sched.total_retired >= m->perturb_at) {
        /* `hvsim replay --debug-perturb N`: a deliberate divergence (bit 4 of
         * hart 0's sp) to show and test the divergence diagnosis. */
        RV_HART(m->cpus[0])->x[2] ^= 16;
        m->perturb_at = 0;
    }
    uart_poll(m->uart);
    if (console_quit_requested(m->console))
        machine_request_exit(m, EXIT_PASS, "quit from the console (Ctrl-A x)");
    if (m->progress && m->sched.total_retired >= m->progress_next) {
        fprintf(stderr, "\r[hvsim] %llu M instructions, virtual time %.3f s ",
                (unsigned long long)(m->sched.total_retired / 1000000),
                (double)m->sched.round_start / (double)m->cfg.cpu_hz);
        m->progress_next = m->sched.total_retired + 200000000ull;
    }
}

static bool idle_hook(void *opaque, struct machine *m)
{
    (void)opaque;
    console_flush(m->console);
    if (console_has_input(m->console))
        return true; /* replayed input due now */
    return console_input_open(m->console) && console_wait_input(m->console);
}

struct machine *machine_new(const struct config *cfg, const char *serial_spec, char *err, size_t errlen)
{
    struct machine *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    const struct config *c = &m->cfg;
    bus_init(&m->bus);
    rv_machine_attach(m);
    sched_init(&m->sched, c->quantum, c->sched_seed);
    m->sched.round_hook = round_hook;
    m->sched.idle_hook = idle_hook;
    m->sched.round_hook_opaque = m;

    m->bus.m = m;
    m->rom = bus_add_mem(&m->bus, "bootrom", c->rom_base, c->rom_size, true, err, errlen);
    if (!m->rom)
        goto fail;
    m->ram = bus_add_mem(&m->bus, "ram", c->ram_base, c->ram_size, false, err, errlen);
    if (!m->ram)
        goto fail;

    m->ncpus = c->smp;
    for (int i = 0; i < c->smp; i++) {
        m->cpus[i] = rv_hart_new(m, i);
        if (!m->cpus[i]) {
            snprintf(err, errlen, "out of memory creating hart %d", i);
            goto fail;
        }
    }

    snprintf(m->serial_spec, sizeof m->serial_spec, "%s", serial_spec ? serial_spec : "stdio");
    m->console = console_new(m->serial_spec, err, errlen);
    if (!m->console)
        goto fail;
    m->aclint = aclint_new(m, m->ncpus, c->timebase_hz);
    m->plic = plic_new(m, c->plic_ndev, m->ncpus);
    if (!add_mmio(m, "aclint-mswi", c->aclint_base, ACLINT_MSWI_SIZE, &aclint_mswi_ops, m->aclint, err, errlen) ||
        !add_mmio(m, "aclint-mtimer", c->aclint_base + ACLINT_MTIMER_OFF, ACLINT_MTIMER_SIZE,
                  &aclint_mtimer_ops, m->aclint, err, errlen) ||
        !add_mmio(m, "aclint-sswi", c->sswi_base, ACLINT_SSWI_SIZE, &aclint_sswi_ops, m->aclint, err, errlen) ||
        !add_mmio(m, "plic", c->plic_base, PLIC_SIZE, &plic_ops, m->plic, err, errlen))
        goto fail;
    m->uart = uart_new(m, m->console, (struct irq_line){ plic_set_irq, m->plic, (int)c->uart_irq });
    if (!add_mmio(m, "uart", c->uart_base, UART_SIZE, &uart_ops, m->uart, err, errlen))
        goto fail;
    m->test = sifive_test_new(m);
    if (!add_mmio(m, "sifive-test", c->test_base, SIFIVE_TEST_SIZE, &sifive_test_ops, m->test, err, errlen))
        goto fail;

    /* Images: firmware at bios_addr (raw) or its ELF addresses, then the
     * kernel; the boot ROM jumps to the firmware, or to the kernel when
     * there is none. */
    const char *bios = c->bios[0] ? c->bios : MACHINE_DEFAULT_BIOS;
    bool have_bios = strcmp(bios, "none") != 0;
    uint64_t bios_entry = 0, kernel_entry = 0;
    if (have_bios && !load_image(m, "--bios", bios, c->bios_addr, &bios_entry, err, errlen))
        goto fail;
    if (c->kernel[0] && !load_image(m, "--kernel", c->kernel, c->kernel_addr, &kernel_entry, err, errlen))
        goto fail;
    if (!have_bios && !c->kernel[0]) {
        snprintf(err, errlen, "--bios none needs --kernel FILE");
        goto fail;
    }
    m->entry = have_bios ? bios_entry : kernel_entry;

    /* DTB near the top of RAM (like QEMU); the initrd just below it. */
    m->dtb_addr = fdt_default_addr(c, 0x10000);
    if (c->initrd[0]) {
        size_t isz;
        void *data = image_read_file(c->initrd, c->ram_size, &isz, err, errlen);
        if (!data)
            goto fail;
        uint64_t start = (m->dtb_addr - isz) & ~0xfffull;
        if (isz >= m->dtb_addr - c->ram_base || start < c->kernel_addr + 0x2000000) {
            free(data);
            snprintf(err, errlen, "--initrd %s: %zu bytes do not fit in RAM", c->initrd, isz);
            goto fail;
        }
        bus_load(&m->bus, start, data, isz);
        free(data);
        m->initrd_start = start;
        m->initrd_end = start + isz;
    }
    if (c->dtb[0])
        m->dtb = fdt_read_file(c->dtb, &m->dtb_size, err, errlen);
    else
        m->dtb = fdt_build(c, m->initrd_start, m->initrd_end, err, errlen);
    if (!m->dtb)
        goto fail;
    if (c->dtb[0] == 0)
        m->dtb_size = fdt_totalsize(m->dtb);
    if (m->dtb_size > 0x10000 && !c->dtb[0]) {
        snprintf(err, errlen, "generated device tree too large (%zu bytes)", m->dtb_size);
        goto fail;
    }
    m->dtb_addr = fdt_default_addr(c, m->dtb_size);
    if (!bus_load(&m->bus, m->dtb_addr, m->dtb, m->dtb_size)) {
        snprintf(err, errlen, "device tree does not fit in RAM");
        goto fail;
    }
    if (!bootrom_build(m->rom->host, m->rom->size, m->entry, m->dtb_addr)) {
        snprintf(err, errlen, "[bootrom] size 0x%llx is too small for the reset code",
                 (unsigned long long)m->rom->size);
        goto fail;
    }
    m->progress = isatty(2) && !isatty(1);
    m->progress_next = 200000000ull;
    return m;

fail:
    machine_free(m);
    return NULL;
}

void machine_flush(struct machine *m)
{
    console_flush(m->console);
}

int machine_run(struct machine *m, uint64_t max_insns)
{
    m->max_insns = max_insns;
    int rc = sched_run(m);
    machine_flush(m);
    if (m->progress && m->sched.total_retired >= 200000000ull)
        fputc('\n', stderr);
    return rc;
}

static bool page_is_zero(const uint8_t *p)
{
    uint64_t acc = 0;
    for (int i = 0; i < 4096; i += 64) {
        uint64_t w[8];
        memcpy(w, p + i, sizeof w);
        for (int j = 0; j < 8; j++)
            acc |= w[j];
        if (acc)
            return false;
    }
    return true;
}

struct machine *machine_clone(const struct machine *src, char *err, size_t errlen)
{
    struct machine *m = machine_new(&src->cfg, "none", err, errlen);
    if (!m)
        return NULL;
    for (int i = 0; i < m->bus.nmem && i < src->bus.nmem; i++) {
        struct mem_region *d = &m->bus.mem[i];
        const struct mem_region *s = &src->bus.mem[i];
        /* Page by page, leaving pages that are zero on both sides alone:
         * RAM the guest never touched stays unmapped in the host (calloc'd),
         * so a snapshot costs what the guest has used, not the RAM size. */
        for (uint64_t off = 0; off + 4096 <= d->size; off += 4096) {
            if (!page_is_zero(s->host + off))
                memcpy(d->host + off, s->host + off, 4096);
            else if (!page_is_zero(d->host + off))
                memset(d->host + off, 0, 4096);
        }
        uint64_t tail = d->size & 4095;
        memcpy(d->host + d->size - tail, s->host + s->size - tail, tail);
        memcpy(d->dirty, s->dirty, d->size >> 12);
    }
    for (int i = 0; i < m->ncpus; i++)
        m->cpus[i]->ops->copy_state(m->cpus[i], src->cpus[i]);
    aclint_copy_state(m->aclint, src->aclint);
    plic_copy_state(m->plic, src->plic);
    uart_copy_state(m->uart, src->uart);
    struct sched hooks = m->sched;
    m->sched = src->sched;
    m->sched.round_hook = hooks.round_hook;
    m->sched.idle_hook = hooks.idle_hook;
    m->sched.round_hook_opaque = hooks.round_hook_opaque;
    m->sched.current = NULL;
    m->sched.debug_stop = NULL;
    m->sched.debug_opaque = NULL;
    m->sched.stopped_cpu = NULL;
    m->sched.watch_cpu = NULL;
    m->sched.stop_at = 0;
    m->exit_requested = src->exit_requested;
    m->exit_code = src->exit_code;
    memcpy(m->exit_reason, src->exit_reason, sizeof m->exit_reason);
    m->max_insns = src->max_insns;
    m->perturb_at = src->perturb_at;
    return m;
}

bool machine_dump_dtb(struct machine *m, const char *path, char *err, size_t errlen)
{
    return fdt_write_file(m->dtb, path, err, errlen);
}

void machine_free(struct machine *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->ncpus; i++)
        if (m->cpus[i])
            m->cpus[i]->ops->free(m->cpus[i]);
    if (m->aclint) aclint_free(m->aclint);
    if (m->plic) plic_free(m->plic);
    if (m->uart) uart_free(m->uart);
    if (m->test) sifive_test_free(m->test);
    if (m->htif) htif_free(m->htif);
    if (m->console) console_free(m->console);
    for (int i = 0; i < m->bus.nmem; i++)
        for (uint64_t p = 0; p < (m->bus.mem[i].size >> 12); p++)
            free(m->bus.mem[i].dcache[p]);
    bus_free(&m->bus);
    free(m->dtb);
    free(m);
}
