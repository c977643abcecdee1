/* Multiboot 2 test kernel (ELF32, and the same code in an ELF64 file):
 * checks the magic and the tags (cmdline, boot loader name, modules, basic
 * meminfo, mmap) against what tests/e2e/t_x86_boot.sh passes. */
#include "mb.h"

#define CMDLINE "mb-test alpha=1 beta=two"
static const char *const mod_args[2] = { "first module args", "second" };
static const char *const mod_data[2] = { "hvsim module one", "hvsim module two" };

struct tag {
    uint32_t type, size;
};

int kmain32(uint32_t magic, const uint8_t *info)
{
    x86t_puts("mb2: multiboot 2 kernel\n");
    CHECK(magic == 0x36d76289, "EAX = 0x36d76289");
    CHECK(((uint32_t)info & 7) == 0, "boot information 8-byte aligned");
    uint32_t total = *(const uint32_t *)info;
    int seen_cmd = 0, seen_name = 0, nmods = 0, seen_mem = 0, seen_mmap = 0, seen_end = 0;
    for (uint32_t off = 8; off + 8 <= total;) {
        const struct tag *t = (const struct tag *)(info + off);
        const uint8_t *b = (const uint8_t *)t;
        switch (t->type) {
        case 0: seen_end = 1; break;
        case 1:
            seen_cmd = 1;
            x86t_puts("cmdline: ");
            x86t_puts((const char *)b + 8);
            x86t_puts("\n");
            CHECK(mb_streq((const char *)b + 8, CMDLINE), "cmdline tag");
            break;
        case 2:
            seen_name = 1;
            CHECK(mb_streq((const char *)b + 8, "hvsim"), "boot loader name tag = hvsim");
            break;
        case 3: {
            uint32_t s = *(const uint32_t *)(b + 8), e = *(const uint32_t *)(b + 12);
            x86t_puts("module: ");
            x86t_puts((const char *)b + 16);
            x86t_puts("\n");
            if (nmods < 2) {
                CHECK(mb_streq((const char *)b + 16, mod_args[nmods]), "module string");
                CHECK(e - s == 16 && mb_memeq((const void *)s, mod_data[nmods], 16), "module contents");
            }
            nmods++;
            break;
        }
        case 4:
            seen_mem = 1;
            CHECK(*(const uint32_t *)(b + 8) == 640, "basic meminfo: mem_lower = 640");
            break;
        case 6: {
            seen_mmap = 1;
            uint32_t esz = *(const uint32_t *)(b + 8);
            CHECK(esz == 24, "mmap entry_size 24");
            for (uint32_t i = 16, k = 0; esz && i + esz <= t->size; i += esz, k++) {
                uint64_t base = *(const uint64_t *)(b + i), len = *(const uint64_t *)(b + i + 8);
                x86t_puts("mmap ");
                x86t_puthex(base);
                x86t_puts(" ");
                x86t_puthex(len);
                x86t_puts("\n");
                if (k == 0)
                    CHECK(base == 0 && len == 0xa0000, "mmap[0] = [0, 640K)");
                if (k == 1)
                    CHECK(base == 0x100000, "mmap[1] from 1 MiB");
                CHECK(*(const uint32_t *)(b + i + 16) == 1, "mmap type 1");
            }
            break;
        }
        default: break;
        }
        if (t->type == 0)
            break;
        off += (t->size + 7) & ~7u;
    }
    CHECK(seen_cmd && seen_name && seen_mem && seen_mmap && seen_end, "tags 1, 2, 4, 6 and the end tag");
    CHECK(nmods == 2, "two module tags");
    if (x86t_failures) {
        x86t_puts("mb2: FAILED\n");
        return 1;
    }
    x86t_puts("mb2: all checks passed\n");
    return 0;
}
