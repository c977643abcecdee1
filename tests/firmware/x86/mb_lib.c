/* Strings and fw_cfg for the 32-bit multiboot test kernels (mb.h). */
#include "mb.h"

int mb_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int mb_memeq(const void *a, const void *b, uint32_t n)
{
    const uint8_t *x = a, *y = b;
    for (uint32_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

void mb_put(const char *label, uint64_t v)
{
    x86t_puts(label);
    x86t_puts(" ");
    x86t_puthex(v);
    x86t_puts("\n");
}

static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }

void fwcfg_read(uint16_t key, void *buf, uint32_t n)
{
    outw(0x510, key);
    for (uint32_t i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = inb(0x511);
}

/* FW_CFG_FILE_DIR (0x19): be32 count, then 64-byte entries (be32 size,
 * be16 select, u16 reserved, char name[56]). */
uint16_t fwcfg_find(const char *name, uint32_t *size)
{
    uint8_t b[64];
    outw(0x510, 0x19);
    for (int i = 0; i < 4; i++)
        b[i] = inb(0x511);
    uint32_t count = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    for (uint32_t e = 0; e < count; e++) {
        for (int i = 0; i < 64; i++)
            b[i] = inb(0x511);
        if (mb_streq((const char *)b + 8, name)) {
            *size = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
            return (uint16_t)(b[4] << 8 | b[5]);
        }
    }
    return 0;
}
