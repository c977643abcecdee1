/* fb_test.c: a bare-metal M-mode test of riscv-virt's simple-framebuffer
 * (hvsim run --bios none --kernel fb-test.elf --framebuffer WxH; docs/riscv.md
 * "Framebuffer"). From the device tree (a1 at entry; the devicetree
 * specification's flattened format, big-endian) it finds the node whose
 * compatible is "simple-framebuffer" and checks the binding's properties
 * (reg, width, height, stride = 4 * width, format "a8r8g8b8"), that
 * /reserved-memory holds a no-map node covering the pixels and that they
 * lie inside /memory. Then it draws a known picture (tests/e2e/t_fb.sh
 * checks its pixels): a dark blue background 0x202040; a 16x16 red
 * 0xff0000 square at (8,8), green 0x00ff00 at (32,8), blue 0x0000ff at
 * (56,8); a white 0xffffff diagonal from (0,32) one pixel right per row
 * until the bottom or the right edge; the bottom-right pixel yellow
 * 0xffff00. It reads the pixels back, prints "fb: WxH stride S at 0xADDR"
 * and powers off (sifive_test): pass, or fail with a code after a line
 * saying what was wrong. */
#include <stdint.h>

#define UART 0x10000000ul
#define TEST 0x100000ul

void *memset(void *d, int c, unsigned long n) /* what gcc calls for = { 0 } */
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

static void putc_(char c)
{
    while (!(*(volatile uint8_t *)(UART + 5) & 0x20))
        ;
    *(volatile uint8_t *)UART = (uint8_t)c;
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v)
{
    puts_("0x");
    int i = 60;
    while (i > 0 && !(v >> i))
        i -= 4;
    for (; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}
static void putdec(uint64_t v)
{
    char b[24];
    int n = 0;
    do b[n++] = (char)('0' + v % 10); while (v /= 10);
    while (n) putc_(b[--n]);
}
static void __attribute__((noreturn)) exit_(uint32_t code)
{
    *(volatile uint32_t *)TEST = code ? 0x3333 | code << 16 : 0x5555;
    for (;;)
        ;
}
static void fail(const char *what, uint32_t code)
{
    puts_("fb: FAIL ");
    puts_(what);
    putc_('\n');
    exit_(code);
}
void fb_trap(uint64_t cause, uint64_t epc)
{
    puts_("fb: trap cause ");
    puthex(cause);
    puts_(" at ");
    puthex(epc);
    putc_('\n');
    exit_(99);
}

/* ---- the flattened device tree ---- */

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static uint64_t be64(const void *p) { return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4); }
static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}
static int strstarts(const char *s, const char *prefix)
{
    while (*prefix && *s == *prefix)
        s++, prefix++;
    return !*prefix;
}
/* a compatible list (NUL-separated) names c */
static int compat_has(const char *list, uint32_t len, const char *c)
{
    for (uint32_t i = 0; i < len;) {
        if (streq(list + i, c))
            return 1;
        while (i < len && list[i])
            i++;
        i++;
    }
    return 0;
}

enum { FDT_BEGIN = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

struct found {
    int fb;                          /* the simple-framebuffer node was seen */
    uint64_t fb_base, fb_size;
    uint32_t width, height, stride;
    int format_ok;
    int reserved_nomap;              /* a /reserved-memory child with no-map covers it */
    uint64_t rsv_base, rsv_size;
    uint64_t mem_base, mem_size;
};

/* One pass over the structure block; depth 1 nodes are the root's children. */
static void scan(const uint8_t *dtb, struct found *f)
{
    const uint8_t *st = dtb + be32(dtb + 8), *strs = dtb + be32(dtb + 12);
    uint32_t off = 0;
    int depth = 0;
    const char *path[8] = { 0 };
    /* properties of the node being read (filled as they come) */
    int is_fb = 0, nomap = 0;
    uint64_t reg_base = 0, reg_size = 0;
    for (;;) {
        uint32_t tok = be32(st + off);
        off += 4;
        if (tok == FDT_BEGIN) {
            const char *name = (const char *)st + off;
            uint32_t n = 0;
            while (name[n])
                n++;
            off += (n + 4) & ~3u;
            if (depth < 8)
                path[depth] = name;
            depth++;
            is_fb = nomap = 0;
            reg_base = reg_size = 0;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(st + off), nameoff = be32(st + off + 4);
            const uint8_t *val = st + off + 8;
            const char *pn = (const char *)strs + nameoff;
            off += 8 + ((len + 3) & ~3u);
            if (streq(pn, "compatible") && compat_has((const char *)val, len, "simple-framebuffer"))
                is_fb = f->fb = 1;
            else if (streq(pn, "reg") && len >= 16) {
                reg_base = be64(val);
                reg_size = be64(val + 8);
            } else if (streq(pn, "no-map"))
                nomap = 1;
            else if (streq(pn, "width") && len == 4)
                f->width = be32(val);
            else if (streq(pn, "height") && len == 4)
                f->height = be32(val);
            else if (streq(pn, "stride") && len == 4)
                f->stride = be32(val);
            else if (streq(pn, "format"))
                f->format_ok = streq((const char *)val, "a8r8g8b8");
        } else if (tok == FDT_END_NODE) {
            /* the node's properties are complete */
            if (is_fb && depth == 2) {
                f->fb_base = reg_base;
                f->fb_size = reg_size;
            }
            if (nomap && depth == 3 && path[1] && streq(path[1], "reserved-memory")) {
                f->reserved_nomap = 1;
                f->rsv_base = reg_base;
                f->rsv_size = reg_size;
            }
            if (depth == 2 && path[1] && strstarts(path[1], "memory@")) {
                f->mem_base = reg_base;
                f->mem_size = reg_size;
            }
            depth--;
            is_fb = nomap = 0; /* (a parent's props come before its children) */
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            break;
        }
    }
}

/* ---- drawing ---- */

static volatile uint32_t *fb;
static uint32_t W, H, S;

static void px(uint32_t x, uint32_t y, uint32_t c)
{
    if (x < W && y < H)
        fb[(uint64_t)y * (S / 4) + x] = 0xff000000u | c;
}
static void rect(uint32_t x0, uint32_t y0, uint32_t w, uint32_t h, uint32_t c)
{
    for (uint32_t y = y0; y < y0 + h; y++)
        for (uint32_t x = x0; x < x0 + w; x++)
            px(x, y, c);
}
static uint32_t expect(uint32_t x, uint32_t y)
{
    if (x == W - 1 && y == H - 1)
        return 0xffff00;
    if (y >= 32 && x == y - 32)
        return 0xffffff;
    if (y >= 8 && y < 24) {
        if (x >= 8 && x < 24) return 0xff0000;
        if (x >= 32 && x < 48) return 0x00ff00;
        if (x >= 56 && x < 72) return 0x0000ff;
    }
    return 0x202040;
}

void fb_main(const uint8_t *dtb)
{
    if (be32(dtb) != 0xd00dfeed)
        fail("no device tree at a1", 2);
    struct found f = { 0 };
    scan(dtb, &f);
    if (!f.fb)
        fail("no simple-framebuffer node", 3);
    if (!f.format_ok)
        fail("format is not a8r8g8b8", 4);
    if (!f.width || !f.height || f.stride != 4 * f.width)
        fail("width/height/stride", 5);
    if (f.fb_size < (uint64_t)f.stride * f.height)
        fail("reg smaller than stride * height", 6);
    if (!f.reserved_nomap || f.rsv_base > f.fb_base ||
        f.rsv_base + f.rsv_size < f.fb_base + f.fb_size)
        fail("no /reserved-memory no-map entry covering the framebuffer", 7);
    if (f.fb_base < f.mem_base || f.fb_base + f.fb_size > f.mem_base + f.mem_size)
        fail("framebuffer outside /memory", 8);
    fb = (volatile uint32_t *)f.fb_base;
    W = f.width;
    H = f.height;
    S = f.stride;
    rect(0, 0, W, H, 0x202040);
    rect(8, 8, 16, 16, 0xff0000);
    rect(32, 8, 16, 16, 0x00ff00);
    rect(56, 8, 16, 16, 0x0000ff);
    for (uint32_t y = 32; y < H && y - 32 < W; y++)
        px(y - 32, y, 0xffffff);
    px(W - 1, H - 1, 0xffff00);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++)
            if ((fb[(uint64_t)y * (S / 4) + x] & 0xffffff) != expect(x, y))
                fail("a pixel does not read back", 9);
    puts_("fb: ");
    putdec(W);
    putc_('x');
    putdec(H);
    puts_(" stride ");
    putdec(S);
    puts_(" at ");
    puthex(f.fb_base);
    puts_(" (reserved no-map ");
    puthex(f.rsv_base);
    puts_("+");
    puthex(f.rsv_size);
    puts_(")\nfb: all checks passed\n");
    exit_(0);
}
