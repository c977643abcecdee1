/* The x87 environment and state images: FNSTENV / FLDENV (14 or 28 bytes)
 * and FNSAVE / FRSTOR (94 or 108 bytes) in the four layouts of Intel SDM
 * vol. 1 §8.1.10 Figures 8-9 .. 8-12 (32-bit or 16-bit operand size;
 * protected mode, or real / virtual-8086 mode), and the full tag word
 * (§8.1.7 Figure 8-7, §10.5.1.1 Table 10-3).
 *
 * Reserved fields of the images are written as zero. In the real-mode
 * layouts the instruction and operand pointers are the 20/32-bit linear
 * addresses (CS or DS base + offset) and no selectors are stored; FLDENV
 * there loads them into FIP/FDP with FCS = FDS = 0. */
#include <string.h>
#include "fpu.h"

uint16_t x86_fpu_full_tags(const struct x86_cpu *x)
{
    uint16_t t = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned tag;
        const struct x86_fpreg *r = &x->fpu.st[p];
        unsigned e = r->sexp & 0x7fff;
        if (!(x->fpu.ftw >> p & 1))
            tag = 3;                         /* empty */
        else if (e == 0x7fff)
            tag = 2;                         /* NaN, infinity */
        else if (e == 0)
            tag = r->mant ? 2 : 1;           /* denormal : zero */
        else
            tag = (r->mant >> 63) ? 0 : 2;   /* valid : unnormal */
        t |= (uint16_t)(tag << (2 * p));
    }
    return t;
}

uint8_t x86_fpu_abridge_tags(uint16_t ftw)
{
    uint8_t a = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((ftw >> (2 * p)) & 3) != 3)
            a |= (uint8_t)(1u << p);
    return a;
}

static bool real_format(const struct x86_cpu *x)
{
    return !(x->cr0 & CR0_PE) || (x->rflags & FL_VM);
}

/* Writes the environment at la; returns its size (14 or 28). */
static unsigned store_env(struct x86_cpu *x, uint64_t la)
{
    const struct x86_fpu *f = &x->fpu;
    bool o16 = x->in.opsize == 2, real = real_format(x);
    uint16_t tags = x86_fpu_full_tags(x);
    uint64_t ip = f->fip, dp = f->fdp;
    if (real) {
        ip = (ip + ((uint64_t)f->fcs << 4)) & 0xffffffffull;
        dp = (dp + ((uint64_t)f->fds << 4)) & 0xffffffffull;
    }
    unsigned n = o16 ? 14 : 28;
    /* probe both ends first: the store is all or nothing */
    x86_translate(x, la, 1, x->cpl == 3);
    x86_translate(x, x->long_mode ? la + n - 1 : (la + n - 1) & 0xffffffffull, 1, x->cpl == 3);
    if (o16) {
        x86_write(x, la + 0, 2, f->fcw);
        x86_write(x, la + 2, 2, f->fsw);
        x86_write(x, la + 4, 2, tags);
        x86_write(x, la + 6, 2, ip & 0xffff);
        if (real) {
            x86_write(x, la + 8, 2, ((ip >> 16) & 0xf) << 12 | (f->fop & 0x7ff));
            x86_write(x, la + 10, 2, dp & 0xffff);
            x86_write(x, la + 12, 2, ((dp >> 16) & 0xf) << 12);
        } else {
            x86_write(x, la + 8, 2, f->fcs);
            x86_write(x, la + 10, 2, dp & 0xffff);
            x86_write(x, la + 12, 2, f->fds);
        }
        return n;
    }
    x86_write(x, la + 0, 4, f->fcw);
    x86_write(x, la + 4, 4, f->fsw);
    x86_write(x, la + 8, 4, tags);
    if (real) {
        x86_write(x, la + 12, 4, ip & 0xffff);
        x86_write(x, la + 16, 4, ((ip >> 16) & 0xffff) << 12 | (f->fop & 0x7ff));
        x86_write(x, la + 20, 4, dp & 0xffff);
        x86_write(x, la + 24, 4, ((dp >> 16) & 0xffff) << 12);
    } else {
        x86_write(x, la + 12, 4, ip & 0xffffffffull);
        x86_write(x, la + 16, 4, (uint64_t)(f->fop & 0x7ff) << 16 | f->fcs);
        x86_write(x, la + 20, 4, dp & 0xffffffffull);
        x86_write(x, la + 24, 4, f->fds);
    }
    return n;
}

/* Reads the environment at la (all reads before any state changes). */
static unsigned load_env(struct x86_cpu *x, uint64_t la)
{
    bool o16 = x->in.opsize == 2, real = real_format(x);
    uint16_t fcw, fsw, tags, fop = 0, fcs = 0, fds = 0;
    uint64_t ip, dp;
    unsigned n;
    if (o16) {
        fcw = (uint16_t)x86_read(x, la + 0, 2);
        fsw = (uint16_t)x86_read(x, la + 2, 2);
        tags = (uint16_t)x86_read(x, la + 4, 2);
        ip = x86_read(x, la + 6, 2);
        uint64_t w8 = x86_read(x, la + 8, 2);
        dp = x86_read(x, la + 10, 2);
        uint64_t w12 = x86_read(x, la + 12, 2);
        if (real) {
            ip |= (w8 >> 12) << 16;
            fop = w8 & 0x7ff;
            dp |= (w12 >> 12) << 16;
        } else {
            fcs = (uint16_t)w8;
            fds = (uint16_t)w12;
        }
        n = 14;
    } else {
        fcw = (uint16_t)x86_read(x, la + 0, 2);
        fsw = (uint16_t)x86_read(x, la + 4, 2);
        tags = (uint16_t)x86_read(x, la + 8, 2);
        ip = x86_read(x, la + 12, 4);
        uint64_t w16 = x86_read(x, la + 16, 4);
        dp = x86_read(x, la + 20, 4);
        uint64_t w24 = x86_read(x, la + 24, 4);
        if (real) {
            ip = (ip & 0xffff) | ((w16 >> 12) & 0xffff) << 16;
            fop = w16 & 0x7ff;
            dp = (dp & 0xffff) | ((w24 >> 12) & 0xffff) << 16;
        } else {
            fcs = (uint16_t)w16;
            fop = (w16 >> 16) & 0x7ff;
            fds = (uint16_t)w24;
        }
        n = 28;
    }
    struct x86_fpu *f = &x->fpu;
    f->fcw = (uint16_t)((fcw & 0x1f3f) | 0x0040);
    f->fsw = fsw;
    f->ftw = x86_fpu_abridge_tags(tags);
    f->fip = ip;
    f->fdp = dp;
    f->fcs = fcs;
    f->fds = fds;
    f->fop = fop;
    fpu_update_es(x);
    return n;
}

void x86_fpu_fnstenv(struct x86_cpu *x)
{
    store_env(x, x86_modrm_linear(x, NULL, NULL));
    x->fpu.fcw |= FSW_EXC; /* then masks every exception (FNSTENV) */
    fpu_update_es(x);
}

void x86_fpu_fldenv(struct x86_cpu *x)
{
    load_env(x, x86_modrm_linear(x, NULL, NULL));
}

void x86_fpu_fnsave(struct x86_cpu *x)
{
    uint64_t la = x86_modrm_linear(x, NULL, NULL);
    unsigned n = x->in.opsize == 2 ? 14 : 28;
    x86_translate(x, x->long_mode ? la + n + 79 : (la + n + 79) & 0xffffffffull, 1, x->cpl == 3);
    store_env(x, la);
    for (unsigned i = 0; i < 8; i++) { /* ST(0)..ST(7), in stack order */
        const struct x86_fpreg *r = &x->fpu.st[fpu_phys(x, i)];
        x86_write(x, la + n + 10 * i, 8, r->mant);
        x86_write(x, la + n + 10 * i + 8, 2, r->sexp);
    }
    x86_fpu_init(x);
}

void x86_fpu_frstor(struct x86_cpu *x)
{
    uint64_t la = x86_modrm_linear(x, NULL, NULL);
    unsigned n = x->in.opsize == 2 ? 14 : 28;
    struct x86_fpreg regs[8];
    for (unsigned i = 0; i < 8; i++) {
        regs[i].mant = x86_read(x, la + n + 10 * i, 8);
        regs[i].sexp = (uint16_t)x86_read(x, la + n + 10 * i + 8, 2);
    }
    load_env(x, la);
    for (unsigned i = 0; i < 8; i++)
        x->fpu.st[fpu_phys(x, i)] = regs[i];
}
