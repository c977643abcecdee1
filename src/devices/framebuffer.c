/* The simple-framebuffer's size (see framebuffer.h). The framebuffer itself
 * is plain guest RAM: the guest draws with ordinary stores, and nothing
 * here runs while it does. */
#include "framebuffer.h"
#include <stdlib.h>

bool fb_parse_size(const char *s, uint32_t *w, uint32_t *h)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long a = strtoul(s, &end, 10);
    if (*end != 'x' || end[1] < '0' || end[1] > '9')
        return false;
    unsigned long b = strtoul(end + 1, &end, 10);
    if (*end || a < 1 || a > 4096 || b < 1 || b > 4096)
        return false;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return true;
}

uint64_t fb_region_size(uint32_t w, uint32_t h)
{
    const uint64_t align = 2ull << 20;
    return ((uint64_t)w * 4 * h + align - 1) & ~(align - 1);
}
