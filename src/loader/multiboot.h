/* Multiboot 1 and Multiboot 2 kernels (the GNU Multiboot Specification
 * 0.6.96 and Multiboot2 Specification 2.0): finding and checking the header,
 * loading the image (ELF32/ELF64 program headers, or the header's address
 * fields: the "a.out kludge" / the address tag), placing the modules and
 * writing the boot information structure. ISA-neutral: the board says where
 * RAM is and where the information goes, then starts its CPU in the state
 * the spec requires (EAX = magic, EBX = info address). docs/x86.md "Boot". */
#ifndef HVSIM_LOADER_MULTIBOOT_H
#define HVSIM_LOADER_MULTIBOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;

#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_BOOT_MAGIC 0x2BADB002u   /* EAX at entry */
#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB2_BOOT_MAGIC 0x36d76289u   /* EAX at entry */
#define MB1_SEARCH 8192u             /* the header lies in the first 8 KiB */
#define MB2_SEARCH 32768u            /* ... 32 KiB */

/* A RAM range for the memory map (type 1, available). */
struct mb_ram {
    uint64_t base, size;
};

/* A module: its file and its string (NULL: ""). */
struct mb_module {
    const char *path;
    const char *args;
};

struct mb_params {
    const char *kernel;            /* path (messages name it) */
    const uint8_t *image;          /* the whole file */
    size_t image_size;
    const char *cmdline;           /* --append (NULL: "") */
    const char *loader_name;       /* "hvsim" */
    const struct mb_module *mods;  /* in order: module 1, 2, ... */
    int nmods;
    const struct mb_ram *ram;      /* available RAM, ascending, non-overlapping */
    int nram;
    uint64_t load_min;             /* the image and modules must lie at or above */
    uint64_t info_base, info_size; /* where the boot information goes (in RAM, below load_min) */
    bool ega_text;                 /* MB2: a framebuffer info tag (8) of type 2, EGA text 80x25 at 0xb8000 (x86-pc --vga) */
    /* A linear framebuffer the loader may hand over when the kernel asks
     * for graphics (MB2 tag 5, MB1 flag 2 with mode_type 0): at lfb_addr,
     * the default mode lfb_w x lfb_h x lfb_bpp (lfb_w 0: none); a request
     * is honoured when lfb_mode_ok accepts it, else the default is given.
     * Only direct-colour modes (15, 16, 24, 32 bits) are announced. */
    uint64_t lfb_addr;
    uint32_t lfb_w, lfb_h, lfb_bpp;
    bool (*lfb_mode_ok)(uint32_t w, uint32_t h, uint32_t bpp);
};

/* Where the kernel starts. */
struct mb_entry {
    int version;         /* 1 or 2 */
    uint32_t entry;      /* EIP */
    uint32_t magic;      /* EAX */
    uint32_t info;       /* EBX: physical address of the boot information */
    uint64_t load_start, load_end; /* what the image occupies [start, end) */
    uint64_t mods_end;   /* end of the last module (load_end when none) */
    /* the graphics mode announced (fb_w 0: none): the board sets it up */
    uint32_t fb_w, fb_h, fb_bpp;
};

/* Which header the image has: 2 (a Multiboot 2 magic in the first 32 KiB,
 * 8-byte aligned), else 1 (a Multiboot 1 magic in the first 8 KiB, 4-byte
 * aligned), else 0. Only the magic is looked at: a bad checksum is found by
 * mb_load. */
int mb_detect(const uint8_t *image, size_t size);

/* Checks the header, loads the image and the modules, writes the boot
 * information. False + a message naming the file on any problem: bad
 * checksum, header beyond the file, an unsupported required flag or tag,
 * load addresses outside RAM, a module that does not fit. */
bool mb_load(struct bus *b, const struct mb_params *p, struct mb_entry *out, char *err,
             size_t errlen);

#endif
