/* The Linux x86 boot protocol, 64-bit entry (Documentation/x86/boot.rst of
 * Linux 6.1, "64-bit Boot Protocol"; the zero page of
 * Documentation/x86/zero-page.rst): recognising a bzImage by its setup
 * header, loading the protected-mode kernel, placing the initrd and the
 * command line and filling struct boot_params. ISA-neutral like the
 * multiboot loader: the board says where RAM is (its e820 map) and where
 * the zero page and command line go, then enters the kernel in 64-bit mode
 * at `entry` with RSI = `boot_params`. docs/x86.md "Linux boot". */
#ifndef HVSIM_LOADER_LINUX_X86_H
#define HVSIM_LOADER_LINUX_X86_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;

#define LX_MIN_VERSION 0x020c   /* 2.12: xloadflags, XLF_KERNEL_64 */
#define LX_E820_MAX 128         /* entries in boot_params.e820_table */
#define LX_ZERO_PAGE 4096       /* sizeof(struct boot_params) */

enum { LX_E820_RAM = 1, LX_E820_RESERVED = 2, LX_E820_ACPI = 3 };

struct lx_e820 {
    uint64_t addr, size;
    uint32_t type;
};

struct lx_params {
    const char *kernel;            /* path (messages name it) */
    const uint8_t *image;          /* the whole bzImage */
    size_t image_size;
    const char *cmdline;           /* --append (NULL: "") */
    const char *initrd;            /* path, NULL or "": none */
    const struct lx_e820 *e820;    /* the memory map, ascending */
    int ne820;
    uint64_t boot_params;          /* where the zero page goes (RAM, 4 KiB) */
    uint64_t cmdline_addr;         /* where the command line goes (RAM) */
    uint64_t load_min;             /* kernel and initrd at or above (1 MiB) */
    uint64_t acpi_rsdp;            /* boot_params.acpi_rsdp_addr (0: the kernel searches) */
    bool vga_text;                 /* screen_info: an 80x25 VGA text console (x86-pc --vga) */
    /* screen_info: a VESA linear framebuffer (VIDEO_TYPE_VLFB) instead,
     * lfb_w x lfb_h x lfb_bpp at lfb_addr, lfb_size bytes (lfb_w 0: none) */
    uint64_t lfb_addr, lfb_size;
    uint32_t lfb_w, lfb_h, lfb_bpp;
};

struct lx_entry {
    uint64_t entry;                /* load address + 0x200: startup_64 */
    uint64_t boot_params;          /* RSI */
    uint64_t load_addr;            /* where the protected-mode kernel went */
    uint64_t init_size;            /* [load_addr, load_addr + init_size) belongs to the kernel */
    uint64_t initrd_addr, initrd_size; /* 0, 0: none */
    uint16_t version;              /* boot protocol version of the image */
};

/* True if the image starts with a Linux setup header (boot_flag 0xAA55 at
 * 0x1FE, "HdrS" at 0x202): a bzImage, whatever its version. */
bool lx_detect(const uint8_t *img, size_t n);

/* Checks the setup header, loads the kernel, the initrd and the command
 * line and writes boot_params. False with a message naming the file for a
 * malformed or unsupported image (version below 2.12, no 64-bit entry),
 * a command line longer than cmdline_size, an initrd that cannot be read
 * or does not fit below initrd_addr_max, a kernel that does not fit in
 * RAM. */
bool lx_load(struct bus *b, const struct lx_params *p, struct lx_entry *e, char *err,
             size_t errlen);

#endif
