/* The x86 PC board (configs/x86-pc.ini): RAM with the PC hole (docs/x86.md
 * "PC memory map"), x86_64 CPUs (CPU 0 boots, the others wait for a SIPI),
 * one local APIC per CPU and an IOAPIC (docs/x86.md "Interrupts and SMP"),
 * the firmware tables (MP, ACPI) at 0xf0000 and the ACPI PM1a blocks, and a
 * kernel chosen by what the image is: a Linux bzImage entered in 64-bit
 * mode (src/loader/linux_x86.c), a multiboot 1/2 kernel entered
 * in 32-bit protected mode (src/loader/multiboot.c), else an x86-64 ELF
 * entered directly in 64-bit mode (docs/x86.md "Boot"). The legacy PC
 * devices are x86_pc_devices.c: PIC pair, PIT, RTC/CMOS, ports
 * 0x61/0x80/0x92, fw_cfg, isa-debug-exit, COM1. */
#include "x86_pc.h"
#include "x86_pc_acpi.h"
#include "x86_pc_mptable.h"
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "../apic/ioapic.h"
#include "../apic/lapic.h"
#include "../cpu/x86/x86.h"
#include "../devices/acpi_pm.h"
#include "../devices/fw_cfg.h"
#include "../devices/framebuffer.h"
#include "../devices/i8259.h"
#include "../devices/vbe_dispi.h"
#include "../devices/vga.h"
#include "../loader/elf.h"
#include "../loader/image.h"
#include "../loader/linux_x86.h"
#include "../loader/multiboot.h"
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
    PCK_STR("cpu", "vmx", vmx),
    PCK_STR("cpu", "xsave", xsave), /* empty = off, not written (trace headers unchanged) */
    PCK_STR("cpu", "monitor", monitor), /* empty = off, not written (trace headers unchanged) */
    CONFIG_KEYS_MEMORY,
    PCK_NUM("memory", "below-4g", CK_SIZE, below_4g),
    PCK_NUM("uart", "port", CK_U64, uart_port),
    PCK_NUM("uart", "irq", CK_U32, uart_irq),
    PCK_NUM("uart", "clock", CK_U64, uart_clock_hz),
    PCK_NUM("isa-debug-exit", "port", CK_U64, debug_exit_port),
    PCK_NUM("isa-debug-exit", "size", CK_U32, debug_exit_size),
    PCK_NUM("fw-cfg", "port", CK_U64, fw_cfg_port),
    PCK_NUM("rtc", "epoch", CK_U64, rtc_epoch),
    PCK_NUM("load", "kernel", CK_U64, kernel_addr),
    CONFIG_KEYS_IMAGES,
    PCK_STR("load", "modules", modules),
    PCK_STR("vga", "text", vga), /* opt-in: empty is not written (trace headers unchanged) */
    PCK_STR("vga", "lfb", lfb),  /* likewise */
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
    snprintf(v->vmx, sizeof v->vmx, "%s", "off");
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
    v->below_4g = 3ull << 30;
}

static bool x86_pc_validate(const struct config *c, char *err, size_t errlen)
{
    const struct x86_pc_config *v = x86_pc_config(c);
    uint32_t sig;
    if (strcmp(v->triple_fault, "exit") != 0 && strcmp(v->triple_fault, "reset") != 0) {
        snprintf(err, errlen, "[cpu] triple-fault '%s' must be exit or reset", v->triple_fault);
        return false;
    }
    if (v->vga[0] && strcmp(v->vga, "on") != 0) {
        snprintf(err, errlen, "[vga] text '%s' must be on (or absent)", v->vga);
        return false;
    }
    uint32_t lw, lh, lbpp;
    if (v->lfb[0] && !vbe_parse_mode(v->lfb, &lw, &lh, &lbpp)) {
        snprintf(err, errlen, "[vga] lfb '%s' must be WxHxBPP: BPP 8, 15, 16, 24 or 32, W a "
                 "multiple of 8 up to %u, H up to %u, within %u MiB (e.g. 1024x768x32)",
                 v->lfb, VBE_MAX_XRES, VBE_MAX_YRES, VBE_LFB_SIZE >> 20);
        return false;
    }
    if (strcmp(v->vmx, "off") != 0 && strcmp(v->vmx, "on") != 0) {
        snprintf(err, errlen, "[cpu] vmx '%s' must be off or on", v->vmx);
        return false;
    }
    if (v->xsave[0] && strcmp(v->xsave, "off") != 0 && strcmp(v->xsave, "on") != 0) {
        snprintf(err, errlen, "[cpu] xsave '%s' must be off or on", v->xsave);
        return false;
    }
    if (v->monitor[0] && strcmp(v->monitor, "off") != 0 && strcmp(v->monitor, "on") != 0) {
        snprintf(err, errlen, "[cpu] monitor '%s' must be off or on", v->monitor);
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
    if (v->below_4g < (2ull << 20) || v->below_4g > 0xe0000000ull || (v->below_4g & 0xfff)) {
        snprintf(err, errlen, "[memory] below-4g 0x%" PRIx64 " must be a multiple of 4K in "
                 "2M..3.5G (the PCI hole starts at 3.5 GiB at the latest)", v->below_4g);
        return false;
    }
    if (c->ram_size < (2ull << 20)) {
        snprintf(err, errlen, "[memory] size 0x%" PRIx64 " is below 2M (the PC board needs RAM "
                 "above 1 MiB)", c->ram_size);
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
        { "acpi-pm", PC_ACPI_PM1A_EVT, 6 },
    };
    return config_windows_check(w, sizeof w / sizeof w[0], err, errlen);
}

/* ---- the machine ------------------------------------------------------ */

/* The PC memory map (docs/x86.md "PC memory map"): [memory] size bytes of
 * RAM laid out from 0 with the legacy hole 640 KiB-1 MiB left out (VGA
 * window and option/BIOS ROMs on a real PC: nothing here, reads give all
 * ones, writes are dropped), at most [memory] below-4g below 4 GiB and the
 * rest from 4 GiB. */
enum {
    PC_LOW_END = 0xa0000,     /* 640 KiB */
    PC_HIGH_START = 0x100000, /* 1 MiB */
};

static int pc_ram_ranges(const struct config *c, struct mb_ram r[3])
{
    uint64_t below = c->ram_size < x86_pc_config(c)->below_4g ? c->ram_size
                                                               : x86_pc_config(c)->below_4g;
    int n = 0;
    r[n++] = (struct mb_ram){ 0, below < PC_LOW_END ? below : PC_LOW_END };
    if (below > PC_HIGH_START)
        r[n++] = (struct mb_ram){ PC_HIGH_START, below - PC_HIGH_START };
    if (c->ram_size > below)
        r[n++] = (struct mb_ram){ 1ull << 32, c->ram_size - below };
    return n;
}

static bool add_ram(struct machine *m, char *err, size_t errlen)
{
    static const char *const names[3] = { "ram-low", "ram", "ram-high" };
    struct mb_ram r[3];
    int n = pc_ram_ranges(&m->cfg, r);
    for (int i = 0; i < n; i++) {
        struct mem_region *reg = bus_add_mem(&m->bus, names[i], r[i].base, r[i].size, false,
                                             err, errlen);
        if (!reg)
            return false;
        if (i == 1)
            m->ram = reg; /* the main RAM: 1 MiB up */
    }
    return true;
}

/* Where the boot paths put their structures (docs/x86.md "Boot"): all in
 * the RAM below 640 KiB, out of a kernel's way at 1 MiB. */
enum {
    BOOT_GDT = 0x1000,    /* null, 0x08 code (64-bit, or 32-bit for multiboot), 0x10 flat data */
    BOOT_PML4 = 0x2000,
    BOOT_PDPT = 0x3000,
    BOOT_PD = 0x4000,     /* 4 pages: the first 4 GiB in 2 MiB pages */
    MB_INFO = 0x10000,    /* multiboot information: [0x10000, 0x90000) */
    MB_INFO_SIZE = 0x80000,
    BOOT_STACK = 0x9f000, /* initial RSP / ESP */
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

/* The firmware tables (docs/x86.md "Firmware tables"): the MP floating
 * pointer and configuration table at 0xf0000, the ACPI tables after them,
 * in a RAM window of the BIOS area that no memory map calls RAM (the rest of
 * the hole still reads all ones). */
enum { PC_FW_BASE = 0xf0000, PC_FW_SIZE = 0x4000 };

static bool pc_fw_tables(const struct config *c, uint8_t *buf, struct pc_acpi *acpi,
                         size_t *acpi_off, char *err, size_t errlen)
{
    const struct x86_pc_config *v = x86_pc_config(c);
    uint32_t sig = 0;
    size_t mp;
    x86_cpuid_signature(v->cpu_family, v->cpu_model_nr, v->cpu_stepping, &sig);
    if (!pc_mptable_build(buf, PC_FW_SIZE, PC_FW_BASE, c->smp, sig, &mp, err, errlen))
        return false;
    *acpi_off = (mp + 15) & ~(size_t)15;
    return pc_acpi_build(buf + *acpi_off, PC_FW_SIZE - *acpi_off, PC_FW_BASE + *acpi_off,
                         c->smp, (uint8_t)c->smp, acpi, err, errlen);
}

static bool add_fw_tables(struct machine *m, char *err, size_t errlen)
{
    uint8_t *buf = calloc(1, PC_FW_SIZE);
    struct pc_acpi acpi;
    size_t off;
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = pc_fw_tables(&m->cfg, buf, &acpi, &off, err, errlen) &&
              bus_add_mem(&m->bus, "bios-tables", PC_FW_BASE, PC_FW_SIZE, false, err, errlen) &&
              bus_load(&m->bus, PC_FW_BASE, buf, PC_FW_SIZE);
    free(buf);
    return ok;
}

static bool x86_pc_dump_acpi(const struct config *c, const char *dir, char *err, size_t errlen)
{
    uint8_t *buf = calloc(1, PC_FW_SIZE);
    struct pc_acpi acpi;
    size_t off;
    bool ok = buf && pc_fw_tables(c, buf, &acpi, &off, err, errlen) &&
              pc_acpi_dump(buf + off, &acpi, dir, err, errlen);
    if (!buf)
        snprintf(err, errlen, "out of memory");
    free(buf);
    return ok;
}

/* The PIC's INTR output: a level on CPU 0's INTR line (its local APIC's
 * LINT0 pin), at the cause's virtual time (docs/architecture.md
 * "Cross-CPU changes"). */
static void x86_pc_reset(void *opaque);

static void intr_to_cpu0(void *opaque, int n, int level)
{
    (void)n;
    struct machine *m = opaque;
    struct cpu *c = m->cpus[0];
    cpu_deliver_irq(c, m->sched.current, machine_now(m), X86_LINE_INTR, level);
}

/* ISA IRQ n -> IOAPIC pin: identity except the PIT's IRQ 0 on pin 2, as on
 * PCs (the ACPI MADT has an interrupt source override IRQ 0 -> GSI 2). */
static void isa_to_ioapic(void *opaque, int n, int level)
{
    ioapic_set_irq(opaque, n == 0 ? 2 : n, level);
}

/* INTA: the vector the PIC gives (SDM vol. 3A §6.3; 8259A data sheet). */
static int pic_ack(void *opaque)
{
    return i8259_ack(opaque);
}

/* fw_cfg "etc/e820": the RAM map as QEMU's fw_cfg gives it to firmware,
 * packed 20-byte entries (u64 address, u64 length, u32 type 1 = RAM), the
 * same ranges as the multiboot memory map. */
static bool add_e820(struct fw_cfg *f, const struct mb_ram *r, int n, char *err, size_t errlen)
{
    uint8_t e[3 * 20] = { 0 };
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 8; k++) {
            e[20 * i + k] = (uint8_t)(r[i].base >> (8 * k));
            e[20 * i + 8 + k] = (uint8_t)(r[i].size >> (8 * k));
            e[20 * i + 16] = 1;
        }
    return fw_cfg_add_file(f, "etc/e820", e, 20 * (size_t)n, err, errlen);
}

#define PC_MAX_MODULES 16
#define PC_MAX_KERNEL (1ull << 30)

/* Modules: --initrd as module 1 (its string: the file name), then [load]
 * modules (--module FILE[,ARGS], in order; the string is ARGS, or the file
 * name without ARGS). The strings point into `buf`. */
static int pc_modules(const struct config *c, char *buf, size_t buflen,
                      struct mb_module mods[PC_MAX_MODULES], char *err, size_t errlen)
{
    int n = 0;
    if (c->initrd[0])
        mods[n++] = (struct mb_module){ c->initrd, c->initrd };
    snprintf(buf, buflen, "%s", x86_pc_config(c)->modules);
    for (char *save = NULL, *e = strtok_r(buf, "|", &save); e; e = strtok_r(NULL, "|", &save)) {
        if (n == PC_MAX_MODULES) {
            snprintf(err, errlen, "--module: more than %d modules", PC_MAX_MODULES);
            return -1;
        }
        char *comma = strchr(e, ',');
        if (comma)
            *comma = '\0';
        if (!*e) {
            snprintf(err, errlen, "--module: empty file name");
            return -1;
        }
        mods[n++] = (struct mb_module){ e, comma ? comma + 1 : e };
    }
    return n;
}

static void pc_lfb_mode(const struct config *c, uint32_t *w, uint32_t *h, uint32_t *bpp);

/* A multiboot kernel: loaded, its modules and boot information placed, CPU
 * 0 in 32-bit protected mode at its entry (MB1 §3.2, MB2 §3.3). */
static bool boot_multiboot(struct machine *m, const uint8_t *img, size_t n, char *err,
                           size_t errlen)
{
    const struct config *c = &m->cfg;
    char modbuf[sizeof x86_pc_config(c)->modules];
    struct mb_module mods[PC_MAX_MODULES];
    int nmods = pc_modules(c, modbuf, sizeof modbuf, mods, err, errlen);
    if (nmods < 0)
        return false;
    struct mb_ram ram[3];
    struct mb_params p = {
        .kernel = c->kernel, .image = img, .image_size = n, .cmdline = c->append,
        .loader_name = "hvsim", .mods = mods, .nmods = nmods, .ram = ram,
        .nram = pc_ram_ranges(c, ram), .load_min = PC_HIGH_START,
        .info_base = MB_INFO, .info_size = MB_INFO_SIZE,
        .ega_text = ((struct x86_pc *)m->board_state)->vga != NULL,
        .lfb_addr = VBE_LFB_BASE, .lfb_mode_ok = vbe_mode_ok,
    };
    struct x86_pc *pc = m->board_state;
    if (pc->vbe)
        pc_lfb_mode(c, &p.lfb_w, &p.lfb_h, &p.lfb_bpp);
    struct mb_entry e;
    if (!mb_load(&m->bus, &p, &e, err, errlen))
        return false;
    /* the graphics mode announced: set as a boot loader's firmware call would */
    if (e.fb_w && !vbe_set_mode(pc->vbe, e.fb_w, e.fb_h, e.fb_bpp)) {
        snprintf(err, errlen, "--kernel %s: framebuffer mode %ux%ux%u cannot be set",
                 c->kernel, e.fb_w, e.fb_h, e.fb_bpp);
        return false;
    }
    /* A flat GDT (the specs leave GDTR undefined; a valid one is kinder). */
    if (!put64(m, BOOT_GDT, 0) || !put64(m, BOOT_GDT + 8, 0x00cf9b000000ffffull) ||
        !put64(m, BOOT_GDT + 16, 0x00cf93000000ffffull)) {
        snprintf(err, errlen, "[memory] must cover the boot GDT at 0x%x", BOOT_GDT);
        return false;
    }
    pc->dev.a20 = true; /* both specs: A20 enabled */
    x86_cpu_enter_protected_mode(m->cpus[0], e.entry, e.magic, e.info, BOOT_STACK, BOOT_GDT, 23);
    return true;
}

/* An x86-64 ELF without a multiboot header: 64-bit mode at e_entry. */
static bool boot_elf64(struct machine *m, char *err, size_t errlen)
{
    const struct config *c = &m->cfg;
    const struct x86_pc_config *v = x86_pc_config(c);
    if (v->modules[0]) {
        snprintf(err, errlen, "--module: --kernel %s has no multiboot header (modules are "
                 "for multiboot kernels)", c->kernel);
        return false;
    }
    struct elf_image *elf = NULL;
    uint64_t entry;
    if (!machine_load_image(m, "--kernel", c->kernel, v->kernel_addr, &entry, &elf, err, errlen))
        return false;
    bool is64 = elf_is_64bit(elf);
    elf_close(elf);
    if (!is64) {
        snprintf(err, errlen, "--kernel %s: a 32-bit ELF without a multiboot header (hvsim "
                 "boots multiboot 1/2 kernels and x86-64 ELF files)", c->kernel);
        return false;
    }
    if (!build_long_mode_tables(m)) {
        snprintf(err, errlen, "[memory] must cover the boot structures below 0x%x", BOOT_STACK);
        return false;
    }
    x86_cpu_enter_long_mode(m->cpus[0], entry, BOOT_PML4, BOOT_GDT, 23, BOOT_STACK);
    return true;
}

/* A bzImage: the Linux 64-bit boot protocol (docs/x86.md "Linux boot"):
 * boot_params and the command line below 640 KiB, the kernel and initrd
 * above 1 MiB, the e820 map = the RAM ranges plus the BIOS area with the
 * firmware tables (reserved); CPU 0 in 64-bit mode with the boot page
 * tables (the first 4 GiB identity-mapped), CS 0x10, DS/ES/SS 0x18, RSI =
 * boot_params. */
enum { LX_BOOT_PARAMS = 0x10000, LX_CMDLINE = 0x11000 };

static bool boot_linux(struct machine *m, const uint8_t *img, size_t n, char *err, size_t errlen)
{
    const struct config *c = &m->cfg;
    if (x86_pc_config(c)->modules[0]) {
        snprintf(err, errlen, "--module: --kernel %s is a bzImage (modules are for multiboot "
                 "kernels; use --initrd)", c->kernel);
        return false;
    }
    struct mb_ram ram[3];
    int nram = pc_ram_ranges(c, ram);
    struct lx_e820 map[4];
    int ne = 0;
    for (int i = 0; i < nram; i++) {
        if (ram[i].base == PC_HIGH_START)
            map[ne++] = (struct lx_e820){ PC_FW_BASE, PC_HIGH_START - PC_FW_BASE,
                                          LX_E820_RESERVED };
        map[ne++] = (struct lx_e820){ ram[i].base, ram[i].size, LX_E820_RAM };
    }
    struct lx_params p = {
        .kernel = c->kernel, .image = img, .image_size = n, .cmdline = c->append,
        .initrd = c->initrd, .e820 = map, .ne820 = ne, .boot_params = LX_BOOT_PARAMS,
        .cmdline_addr = LX_CMDLINE, .load_min = PC_HIGH_START, .acpi_rsdp = 0,
        .vga_text = ((struct x86_pc *)m->board_state)->vga != NULL,
        .lfb_addr = VBE_LFB_BASE, .lfb_size = VBE_LFB_SIZE,
    };
    struct x86_pc *pc = m->board_state;
    if (pc->vbe) { /* [vga] lfb: Linux gets the framebuffer in its mode, enabled */
        pc_lfb_mode(c, &p.lfb_w, &p.lfb_h, &p.lfb_bpp);
        vbe_set_mode(pc->vbe, p.lfb_w, p.lfb_h, p.lfb_bpp);
    }
    struct lx_entry e;
    if (!lx_load(&m->bus, &p, &e, err, errlen))
        return false;
    /* The protocol's GDT: __BOOT_CS 0x10 (64-bit code), __BOOT_DS 0x18. */
    if (!build_long_mode_tables(m) || !put64(m, BOOT_GDT + 8, 0) ||
        !put64(m, BOOT_GDT + 16, 0x00af9b000000ffffull) ||
        !put64(m, BOOT_GDT + 24, 0x00cf93000000ffffull)) {
        snprintf(err, errlen, "[memory] must cover the boot structures below 0x%x", BOOT_STACK);
        return false;
    }
    pc->dev.a20 = true;
    x86_cpu_enter_long_mode(m->cpus[0], e.entry, BOOT_PML4, BOOT_GDT, 31, BOOT_STACK);
    x86_cpu_set_boot_selectors(m->cpus[0], 0x10, 0x18);
    x86_cpu_set_gpr(m->cpus[0], 6, e.boot_params); /* RSI */
    return true;
}

/* [vga] text = on: the VGA window 0xa0000-0xbffff as RAM (in no memory
 * map) and the VGA ports (docs/x86.md "VGA text mode"). */
static bool add_vga(struct machine *m, struct x86_pc *pc, char *err, size_t errlen)
{
    struct mem_region *r = bus_add_mem(&m->bus, "vga", VGA_MEM_BASE, VGA_MEM_SIZE, false, err,
                                       errlen);
    if (!r)
        return false;
    pc->vga = vga_new(r->host);
    if (!pc->vga) {
        snprintf(err, errlen, "vga: out of memory");
        return false;
    }
    if (!bus_add_pio(&m->bus, "vga", VGA_PORT_BASE, VGA_PORTS, &vga_port_ops, pc->vga, err,
                     errlen))
        return false;
    if (!x86_pc_config(&m->cfg)->lfb[0])
        return true;
    /* [vga] lfb: the VBE DISPI ports and the linear framebuffer (RAM in
     * the PCI hole, in no memory map; docs/x86.md "Linear framebuffer") */
    pc->vbe = calloc(1, sizeof *pc->vbe);
    if (!pc->vbe) {
        snprintf(err, errlen, "vga: out of memory");
        return false;
    }
    pc->vbe->bus = &m->bus;
    pc->vbe->lfb = bus_add_mem(&m->bus, "vga-lfb", VBE_LFB_BASE, VBE_LFB_SIZE, false, err, errlen);
    if (!pc->vbe->lfb)
        return false;
    vbe_reset(pc->vbe);
    return bus_add_pio(&m->bus, "vbe-dispi", VBE_PORT_BASE, VBE_PORTS, &vbe_port_ops, pc->vbe,
                       err, errlen) != NULL;
}

/* The mode [vga] lfb names (validated). */
static void pc_lfb_mode(const struct config *c, uint32_t *w, uint32_t *h, uint32_t *bpp)
{
    vbe_parse_mode(x86_pc_config(c)->lfb, w, h, bpp);
}

static bool x86_pc_screen(struct machine *m, struct screen_desc *d)
{
    struct x86_pc *pc = m->board_state;
    if (!pc || !pc->vga)
        return false;
    if (pc->vbe) { /* an enabled VBE mode shows instead of the VGA */
        uint8_t dac[256][3], mask;
        vga_dac(pc->vga, dac, &mask);
        if (vbe_screen(pc->vbe, dac, mask, d))
            return true;
    }
    return vga_screen(pc->vga, d);
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
    if (!add_ram(m, err, errlen) || !add_fw_tables(m, err, errlen))
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
        x86_cpu_set_vmx(m->cpus[i], strcmp(v->vmx, "on") == 0);
        x86_cpu_set_xsave(m->cpus[i], strcmp(v->xsave, "on") == 0);
        x86_cpu_set_monitor(m->cpus[i], strcmp(v->monitor, "on") == 0);
        x86_cpu_set_reset_hook(m->cpus[i], x86_pc_reset, m);
    }
    /* Interrupts (docs/x86.md "Interrupts and SMP"): APIC ID i on CPU i;
     * application processors wait for INIT-SIPI-SIPI; the bootstrap APIC
     * in virtual wire mode as a BIOS leaves it; the IOAPIC (ID = ncpus). */
    pc->apics = lapic_sys_new(m, c->smp);
    if (!pc->apics) {
        snprintf(err, errlen, "out of memory creating the local APICs");
        return false;
    }
    for (int i = 0; i < c->smp; i++)
        x86_cpu_attach_lapic(m->cpus[i], lapic_of(pc->apics, i), i != 0);
    lapic_virtual_wire(lapic_of(pc->apics, 0));
    pc->ioapic = ioapic_new(pc->apics, (uint8_t)c->smp);
    if (!pc->ioapic) {
        snprintf(err, errlen, "out of memory creating the IOAPIC");
        return false;
    }
    if (!bus_add_mmio(&m->bus, "ioapic", IOAPIC_DEFAULT_BASE, IOAPIC_SIZE, &ioapic_ops,
                      pc->ioapic, err, errlen))
        return false;
    lapic_sys_set_eoi_listener(pc->apics, ioapic_eoi, pc->ioapic);
    /* The legacy devices; the PIC's INTR goes to CPU 0's LINT0, every ISA
     * IRQ to the PIC and the IOAPIC. */
    struct mb_ram ram[3];
    int nram = pc_ram_ranges(c, ram);
    struct x86_pc_devices_config dc;
    x86_pc_devices_config_default(&dc);
    dc.intr = (struct irq_line){ intr_to_cpu0, m, 0 };
    dc.isa_also = (struct irq_line){ isa_to_ioapic, pc->ioapic, 0 };
    dc.com1_port = (uint32_t)v->uart_port;
    dc.com1_irq = v->uart_irq;
    dc.debug_exit_port = (uint32_t)v->debug_exit_port;
    dc.debug_exit_size = v->debug_exit_size;
    dc.fw_cfg_port = (uint32_t)v->fw_cfg_port;
    dc.ram_above_4g = ram[nram - 1].base == (1ull << 32) ? ram[nram - 1].size : 0;
    dc.ram_below_4g = c->ram_size - dc.ram_above_4g;
    dc.ncpus = dc.max_cpus = (unsigned)c->smp;
    dc.rtc_epoch = (int64_t)v->rtc_epoch;
    dc.cmdline = c->append;
    if (!x86_pc_devices_add(m, &pc->dev, &dc, err, errlen))
        return false;
    lapic_sys_set_extint(pc->apics, pic_ack, pc->dev.pic);
    /* The FADT's PM1a event and control blocks (S5 power-off). */
    pc->pm = acpi_pm_new(m, PC_ACPI_SLP_TYP_S5);
    if (!pc->pm) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!bus_add_pio(&m->bus, "acpi-pm1a-evt", PC_ACPI_PM1A_EVT, 4, &acpi_pm_ops,
                                acpi_pm_evt(pc->pm), err, errlen) ||
        !bus_add_pio(&m->bus, "acpi-pm1a-cnt", PC_ACPI_PM1A_CNT, 2, &acpi_pm_ops,
                     acpi_pm_cnt(pc->pm), err, errlen))
        return false;
    if (pc->dev.fw_cfg && !add_e820(pc->dev.fw_cfg, ram, nram, err, errlen))
        return false;
    if ((v->vga[0] || v->lfb[0]) && !add_vga(m, pc, err, errlen))
        return false;

    /* Boot: the image decides (docs/x86.md "Boot"). */
    if (c->bios[0] && strcmp(c->bios, "none") != 0) {
        snprintf(err, errlen, "--bios: the x86-pc board has no firmware yet; use --kernel "
                 "(a multiboot kernel or an x86-64 ELF)");
        return false;
    }
    if (!c->kernel[0]) {
        snprintf(err, errlen, "the x86-pc board needs --kernel FILE (a multiboot kernel or an "
                 "x86-64 ELF)");
        return false;
    }
    size_t n;
    uint8_t *img = image_read_file(c->kernel, PC_MAX_KERNEL, &n, err, errlen);
    if (!img) {
        char why[400];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "--kernel %s", why);
        return false;
    }
    bool ok;
    if (lx_detect(img, n))
        ok = boot_linux(m, img, n, err, errlen);
    else if (mb_detect(img, n))
        ok = boot_multiboot(m, img, n, err, errlen);
    else if (n >= 4 && memcmp(img, "\177ELF", 4) == 0)
        ok = boot_elf64(m, err, errlen);
    else {
        snprintf(err, errlen, "--kernel %s: neither a multiboot kernel (no header in the first "
                 "32 KiB) nor an ELF file nor a bzImage (no setup header)", c->kernel);
        ok = false;
    }
    free(img);
    return ok;
}

static void x86_pc_free(struct machine *m)
{
    struct x86_pc *pc = m->board_state;
    if (!pc)
        return;
    x86_pc_devices_free(&pc->dev);
    ioapic_free(pc->ioapic);
    lapic_sys_free(pc->apics);
    acpi_pm_free(pc->pm);
    vga_free(pc->vga);
    free(pc->vbe);
    free(pc);
    m->board_state = NULL;
}

/* Triple fault with [cpu] triple-fault = reset (x86_cpu_set_reset_hook): a
 * PC chipset resets the machine on shutdown. Every CPU goes back to its
 * power-on state (CPU 0 at F000:FFF0, the others waiting for a SIPI, as
 * at build), the devices to theirs (x86_pc_devices_reset), the PIC's INTR
 * output low; RAM keeps its contents. */
static void x86_pc_reset(void *opaque)
{
    struct machine *m = opaque;
    struct x86_pc *pc = m->board_state;
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->ops->reset(m->cpus[i]);
        m->cpus[i]->state = CPU_RUNNING;
        /* the local APICs as at power-up (APs wait for INIT-SIPI-SIPI) */
        lapic_reset(lapic_of(pc->apics, i), false);
        x86_cpu_attach_lapic(m->cpus[i], lapic_of(pc->apics, i), i != 0);
    }
    lapic_virtual_wire(lapic_of(pc->apics, 0));
    ioapic_reset(pc->ioapic);
    if (pc->vga)
        vga_reset(pc->vga);
    if (pc->vbe)
        vbe_reset(pc->vbe);
    if (!x86_pc_devices_reset(m, &pc->dev))
        machine_request_exit(m, EXIT_HOST_ERROR, "machine reset: out of memory");
    intr_to_cpu0(m, 0, 0);
}

static void x86_pc_copy_state(struct machine *dst, const struct machine *src)
{
    struct x86_pc *d = dst->board_state;
    const struct x86_pc *s = src->board_state;
    x86_pc_devices_copy_state(&d->dev, &s->dev);
    lapic_sys_copy_state(d->apics, s->apics);
    ioapic_copy_state(d->ioapic, s->ioapic);
    if (d->pm && s->pm)
        acpi_pm_copy_state(d->pm, s->pm);
    if (d->vga && s->vga)
        vga_copy_state(d->vga, s->vga);
    if (d->vbe && s->vbe) {
        d->vbe->index = s->vbe->index;
        memcpy(d->vbe->reg, s->vbe->reg, sizeof d->vbe->reg);
    }
}

/* Check records: the IOAPIC, then each CPU's local APIC (so that a replay
 * diverging in interrupt-controller state is caught at the next check). */
static unsigned x86_pc_check_state(struct machine *m, uint64_t *v, unsigned max)
{
    struct x86_pc *pc = m->board_state;
    unsigned n = 0;
    if (max < IOAPIC_CHECK_N + (unsigned)m->ncpus * LAPIC_CHECK_N)
        return 0;
    ioapic_check_state(pc->ioapic, v);
    n += IOAPIC_CHECK_N;
    for (int i = 0; i < m->ncpus; i++, n += LAPIC_CHECK_N) {
        const struct lapic *l = lapic_of(pc->apics, i);
        if (l)
            lapic_check_state(l, v + n);
        else
            memset(v + n, 0, LAPIC_CHECK_N * sizeof *v);
    }
    return n;
}

/* "ioapic.redir3", "lapic2.tpr" */
static const char *x86_pc_check_name(unsigned i, char *buf, size_t len)
{
    char part[32];
    const char *p;
    if (i < IOAPIC_CHECK_N) {
        p = ioapic_check_name(i, part, sizeof part);
        snprintf(buf, len, "ioapic.%s", p ? p : "?");
    } else {
        i -= IOAPIC_CHECK_N;
        p = lapic_check_name(i % LAPIC_CHECK_N);
        snprintf(buf, len, "lapic%u.%s", i / LAPIC_CHECK_N, p ? p : "?");
    }
    return buf;
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
    .check_state = x86_pc_check_state,
    .check_name = x86_pc_check_name,
    .dump_acpi = x86_pc_dump_acpi,
    .screen = x86_pc_screen,
};
