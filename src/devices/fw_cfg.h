/* QEMU's firmware configuration device, traditional I/O interface (QEMU
 * docs/specs/fw_cfg.rst): a 16-bit selector register at port 0x510 and an
 * 8-bit data register at 0x511. No DMA interface (FW_CFG_ID = 1).
 *
 *  - A 16-bit write to the selector selects an item and rewinds its read
 *    offset to 0. Each byte read from the data register returns the next
 *    byte of the item; past its end, and for an unknown selector, 0.
 *  - Byte reads of either port return data bytes (QEMU's combined port);
 *    byte writes to the data register are ignored (read-only since QEMU
 *    2.4); 16-bit reads and 4-byte accesses are rejected.
 *  - Integer items are little-endian (fw_cfg_add_i16/i32/i64); the file
 *    directory (FW_CFG_FILE_DIR) is big-endian: a u32 count, then per file
 *    { u32 size, u16 select, u16 reserved, char name[56] }. Files get
 *    selectors from FW_CFG_FILE_FIRST (0x20) in the order they are added.
 *
 * What the board provides at creation: the signature "QEMU", FW_CFG_ID,
 * FW_CFG_RAM_SIZE (u64), FW_CFG_NB_CPUS and FW_CFG_MAX_CPUS (u16), the
 * kernel command line (FW_CFG_CMDLINE_ADDR u32, FW_CFG_CMDLINE_SIZE u32 =
 * strlen + 1, FW_CFG_CMDLINE_DATA with its NUL), and an empty directory;
 * fw_cfg_add_file adds named files ("etc/e820"), fw_cfg_add_bytes any
 * other key (arch-local keys 0x8000+ too). Content is host-built and fixed
 * after build; only the selector and offset are guest state. */
#ifndef HVSIM_FW_CFG_H
#define HVSIM_FW_CFG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../sim/bus.h"

struct fw_cfg;

#define FW_CFG_PORTS 2u

enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_KERNEL_ADDR = 0x07,
    FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0a,
    FW_CFG_INITRD_SIZE = 0x0b,
    FW_CFG_BOOT_DEVICE = 0x0c,
    FW_CFG_NUMA = 0x0d,
    FW_CFG_BOOT_MENU = 0x0e,
    FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_WRITE_CHANNEL = 0x4000,
    FW_CFG_ARCH_LOCAL = 0x8000,
    FW_CFG_INVALID = 0xffff,
};

#define FW_CFG_MAX_FILE_PATH 56
#define FW_CFG_MAX_ITEMS 64

struct fw_cfg_config {
    uint64_t ram_size;      /* FW_CFG_RAM_SIZE */
    uint16_t nb_cpus, max_cpus;
    const char *cmdline;    /* NULL = "" */
    uint32_t cmdline_addr;  /* FW_CFG_CMDLINE_ADDR (where a loader puts it) */
};

struct fw_cfg *fw_cfg_new(const struct fw_cfg_config *cfg);
void fw_cfg_free(struct fw_cfg *f);

/* Items (host side, at build time). Data is copied. false when the table
 * is full, the key is taken or the file name is empty or too long (> 55
 * bytes); err names the problem. */
bool fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, size_t len, char *err, size_t errlen);
bool fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, size_t len, char *err, size_t errlen);

extern const struct mmio_ops fw_cfg_ops;

/* The MMIO interface (QEMU docs/specs/fw_cfg.rst, "MMIO", as on QEMU's
 * virt boards; DT binding qemu,fw-cfg-mmio), FW_CFG_MMIO_SIZE bytes:
 *  - +0..+7 data: a read of 1, 2, 4 or 8 bytes at +0 returns the next N
 *    bytes of the item in string order (the byte at the lowest address is
 *    the first one); reads elsewhere in the register return 0; writes are
 *    ignored.
 *  - +8 selector: a 16-bit big-endian write (as on the I/O interface, it
 *    rewinds the offset); reads return 0.
 *  - +16 DMA address, 64-bit big-endian (one 8-byte write, or 4-byte
 *    writes of the high half at +16 then the low half at +20; the write
 *    that completes the low half starts the transfer). Reading it returns
 *    the signature "QEMU CFG" in string order. The transfer runs at once:
 *    the descriptor { be32 control; be32 length; be64 address } in guest
 *    RAM; control bit 3 (select) selects bits 31:16 first, bit 1 (read)
 *    copies `length` bytes of the item (zeros past its end) to `address`,
 *    bit 2 (skip) advances the offset, bit 4 (write) is refused (items are
 *    read-only): control becomes 1 (error); otherwise control is written
 *    back as 0. A descriptor or buffer outside RAM: control = 1 when the
 *    descriptor itself is in RAM, nothing otherwise.
 * fw_cfg_enable_dma(f, bus) turns the DMA register on and sets FW_CFG_ID
 * bit 1; without it the register reads 0 and ignores writes. */
#define FW_CFG_MMIO_SIZE 0x18u
extern const struct mmio_ops fw_cfg_mmio_ops;
struct bus;
void fw_cfg_enable_dma(struct fw_cfg *f, struct bus *bus);

void fw_cfg_copy_state(struct fw_cfg *dst, const struct fw_cfg *src);

#endif
