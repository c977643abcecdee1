/* fwcfg_test.c — an M-mode test program for the fw_cfg device of
 * riscv-virt ([fw-cfg] mmio = on; docs/riscv.md "fw_cfg"), written from
 * QEMU's docs/specs/fw_cfg.rst (MMIO interface, DMA interface, the file
 * directory) and the qemu,fw-cfg-mmio DT binding. Run with --smp 2 and
 * --append "hello fw_cfg" on the default 256 MiB and [cpu] isa.
 *
 * Checks: the signature "QEMU" through 1-byte and 4-byte data reads (the
 * selector is big-endian), FW_CFG_ID = 3 (DMA), the DMA register's "QEMU
 * CFG", NB_CPUS, RAM_SIZE, the file directory (big-endian) naming
 * opt/hvsim/isa, that file read by DMA (64-bit and two 32-bit address
 * writes), a DMA skip, a refused DMA write and a buffer outside RAM (error
 * bit), an unknown selector and reads past an item's end returning 0.
 * Output on the UART; power-off through sifive_test: pass, or fail with the
 * number of failed checks. */
#include <stdint.h>

#define UART 0x10000000ul
#define TEST 0x100000ul
#define FWCFG 0x10100000ul
#define DATA (FWCFG + 0)
#define SEL (FWCFG + 8)
#define DMA (FWCFG + 16)
#define ISA "rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc"

static inline void fence(void) { __asm__ volatile("fence iorw, iorw" ::: "memory"); }
static void putc_(char c)
{
    while (!(*(volatile uint8_t *)(UART + 5) & 0x20))
        ;
    *(volatile uint8_t *)UART = (uint8_t)c;
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v)
{
    for (int i = 15; i >= 0; i--)
        putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void exit_(uint32_t code)
{
    *(volatile uint32_t *)TEST = code ? 0x3333 | code << 16 : 0x5555;
    for (;;)
        ;
}
static int failures;
static void check(int ok, const char *what)
{
    puts_(ok ? "ok   " : "FAIL ");
    puts_(what);
    putc_('\n');
    if (!ok)
        failures++;
}

void fw_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    puts_("FAIL trap mcause=");
    puthex(cause);
    puts_(" mepc=");
    puthex(epc);
    puts_(" mtval=");
    puthex(tval);
    putc_('\n');
    exit_(99);
}

static uint16_t be16(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }
static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }
static uint64_t be64(uint64_t v) { return __builtin_bswap64(v); }
static void select_(uint16_t key) { *(volatile uint16_t *)SEL = be16(key); fence(); }
static uint8_t rd8(void) { return *(volatile uint8_t *)DATA; }
static uint16_t rd16(void) { return *(volatile uint16_t *)DATA; }
static uint32_t rd32(void) { return *(volatile uint32_t *)DATA; }
static uint64_t rd64(void) { return *(volatile uint64_t *)DATA; }
static int streq(const char *a, const char *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}
static unsigned strlen_(const char *s) { unsigned n = 0; while (s[n]) n++; return n; }

struct dma_desc { uint32_t control, length; uint64_t address; } __attribute__((aligned(16)));
static volatile struct dma_desc desc;
static char buf[128];

enum { CTL_ERROR = 1, CTL_READ = 2, CTL_SKIP = 4, CTL_SELECT = 8, CTL_WRITE = 0x10 };

/* one transfer; split = the address as two 32-bit writes (high, then low) */
static uint32_t dma(uint32_t control, uint32_t len, uint64_t addr, int split)
{
    desc.control = be32(control);
    desc.length = be32(len);
    desc.address = be64(addr);
    fence();
    uint64_t a = (uint64_t)(uintptr_t)&desc;
    if (split) {
        *(volatile uint32_t *)DMA = be32((uint32_t)(a >> 32));
        *(volatile uint32_t *)(DMA + 4) = be32((uint32_t)a);
    } else {
        *(volatile uint64_t *)DMA = be64(a);
    }
    fence();
    return be32(desc.control);
}

void fw_main(void)
{
    puts_("fwcfg-test: start\n");
    select_(0x00);
    char sig[5] = { (char)rd8(), (char)rd8(), (char)rd8(), (char)rd8(), 0 };
    check(streq(sig, "QEMU", 4), "signature: \"QEMU\" with byte reads (big-endian selector 0)");
    select_(0x00);
    check(rd32() == ('Q' | 'E' << 8 | 'M' << 16 | (uint32_t)'U' << 24),
          "signature: one 4-byte read gives the bytes in string order");
    check(rd8() == 0 && rd64() == 0, "reads past the item's end return 0");
    select_(0x01);
    check(rd32() == 3, "FW_CFG_ID = 3 (traditional interface + DMA)");
    char dsig[9];
    for (int i = 0; i < 8; i++)
        dsig[i] = (char)*(volatile uint8_t *)(DMA + i);
    check(streq(dsig, "QEMU CFG", 8) && *(volatile uint64_t *)DMA == be64(0x51454d5520434647ull),
          "the DMA register reads \"QEMU CFG\"");
    select_(0x05);
    check(rd16() == 2, "FW_CFG_NB_CPUS = 2 (--smp 2)");
    select_(0x03);
    check(rd64() == 256ull << 20, "FW_CFG_RAM_SIZE = 256 MiB");
    select_(0x1234);
    check(rd64() == 0, "an unknown selector reads 0");

    /* the file directory: be32 count, then { be32 size, be16 select, u16, name[56] } */
    select_(0x19);
    uint32_t count = be32(rd32());
    check(count >= 1, "file directory: at least one file");
    uint32_t size = 0;
    uint16_t key = 0;
    for (uint32_t f = 0; f < count && f < 16; f++) {
        uint32_t fsize = be32(rd32());
        uint16_t fsel = be16(rd16());
        (void)rd16();
        char name[56];
        for (int i = 0; i < 56; i += 8) {
            uint64_t w = rd64();
            for (int k = 0; k < 8; k++)
                name[i + k] = (char)(w >> (8 * k));
        }
        if (streq(name, "opt/hvsim/isa", 14)) {
            size = fsize;
            key = fsel;
        }
    }
    check(key >= 0x20 && size == strlen_(ISA), "file directory: opt/hvsim/isa, its size and selector");

    check(dma((uint32_t)key << 16 | CTL_SELECT | CTL_READ, size, (uint64_t)(uintptr_t)buf, 0) == 0 &&
              streq(buf, ISA, size),
          "DMA (one 64-bit address write): select + read the file, control back to 0");
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = 0;
    check(dma((uint32_t)key << 16 | CTL_SELECT | CTL_READ, 4, (uint64_t)(uintptr_t)buf, 1) == 0 &&
              streq(buf, "rv64", 4) && buf[4] == 0,
          "DMA (two 32-bit address writes): 4 bytes");
    check(dma(CTL_READ, 3, (uint64_t)(uintptr_t)buf, 0) == 0 && streq(buf, "ima", 3),
          "DMA read goes on at the item's offset");
    check(dma(0x15u << 16 | CTL_SELECT | CTL_SKIP, 6, 0, 0) == 0 && rd8() == 'f' && rd8() == 'w',
          "DMA select + skip 6 of the command line, then data reads: \"fw\"");
    check(dma(CTL_WRITE, 4, (uint64_t)(uintptr_t)buf, 0) & CTL_ERROR, "DMA write: refused (error bit)");
    check(dma(0x19u << 16 | CTL_SELECT | CTL_READ, 4, 0x1000, 0) & CTL_ERROR,
          "DMA read into the boot ROM: error bit");
    puts_(failures ? "fwcfg-test: FAILED\n" : "fwcfg-test: PASS\n");
    exit_((uint32_t)failures);
}
