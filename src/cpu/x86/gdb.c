/* The x86_64 target of the gdb stub (struct gdb_arch of src/gdbstub/arch.h,
 * reached through arch_x86_64.gdb): the register map and target
 * description, register access, the debugger's address translation, the
 * qThreadExtraInfo line and the watchpoint check of the memory paths.
 *
 * Written from the GDB manual, "Target Descriptions" and "Standard Target
 * Features: i386 Features":
 *   org.gnu.gdb.i386.core      rax..r15, rip, eflags, cs ss ds es fs gs,
 *                              st0..st7, fctrl fstat ftag fiseg fioff
 *                              foseg fooff fop                 (required)
 *   org.gnu.gdb.i386.sse       xmm0..xmm15, mxcsr
 *   org.gnu.gdb.i386.segments  fs_base, gs_base
 *   org.hvsim.x86.sys          (ours) control registers, EFER, CPL, the
 *                              other segment bases, descriptor tables,
 *                              XCR0 (last: the numbers before it stay)
 * gdb's amd64 port numbers the core and SSE registers in exactly this
 * order (rax 0 ... gs 23, st0 24, fctrl 32, xmm0 40, mxcsr 56); the
 * description carries no regnum attributes, so the remote numbers are the
 * positions in the document, which is the order of x86_gdb_regs[] below.
 * Registers of a feature gdb does not know are still shown and writable
 * ("info registers cr0", "p $efer").
 *
 * Values: the x87 registers come from struct x86_fpu: stN is the physical
 * register R[(TOP + N) & 7] (SDM vol. 1 §8.1.2), 10 bytes (significand,
 * then sign and exponent); ftag is the full 16-bit tag word of FSTENV,
 * rebuilt from the abridged FXSAVE tag the CPU keeps the way SDM vol. 1
 * §10.5.1 describes (valid / zero / special / empty from the register's
 * contents), and a ftag write keeps only "empty or not".
 *
 * Writes: general registers, rip, eflags (its reserved bits keep their
 * fixed values), fs_base/gs_base and the other bases, cr2, cr3 (flushes
 * the TLB), cr8, x87 and SSE state. Segment selectors, cr0, cr4, EFER, CPL
 * and the descriptor-table registers change the mode or need descriptor
 * checks, so gdb cannot write them (E01), nor XCR0 (XSETBV's checks),
 * except with the value they already hold (so a whole 'G' packet is accepted). */
#include <stdio.h>
#include <string.h>
#include "../../gdbstub/arch.h"
#include "gdb.h"
#include "x86_cpu.h"

enum x86_gdb_kind {
    XG_GPR,     /* r[idx] */
    XG_RIP,
    XG_EFLAGS,
    XG_SEL,     /* seg[idx].sel */
    XG_ST,      /* ST(idx) */
    XG_FPCTL,   /* idx: 0 fctrl 1 fstat 2 ftag 3 fiseg 4 fioff 5 foseg 6 fooff 7 fop */
    XG_XMM,     /* xmm[idx] */
    XG_MXCSR,
    XG_BASE,    /* seg[idx].base */
    XG_CR,      /* cr0, cr2, cr3, cr4, cr8 (idx) */
    XG_EFER,
    XG_SYS,     /* idx: 0 cpl 1 gdtr_base 2 gdtr_limit 3 idtr_base 4 idtr_limit 5 ldtr 6 tr
                   7 kernel_gs_base 8 xcr0 */
};

struct x86_gdb_reg {
    const char *name;
    int bits;
    int kind;
    int idx;
};

/* One list per feature: X(name, bits, kind, idx, "type", "other attributes").
 * The same lists expand into the description text and the lookup table. */
#define X86_CORE_REGS(X) \
    X(rax, 64, XG_GPR, RAX, "int64", "") \
    X(rbx, 64, XG_GPR, RBX, "int64", "") \
    X(rcx, 64, XG_GPR, RCX, "int64", "") \
    X(rdx, 64, XG_GPR, RDX, "int64", "") \
    X(rsi, 64, XG_GPR, RSI, "int64", "") \
    X(rdi, 64, XG_GPR, RDI, "int64", "") \
    X(rbp, 64, XG_GPR, RBP, "data_ptr", "") \
    X(rsp, 64, XG_GPR, RSP, "data_ptr", "") \
    X(r8, 64, XG_GPR, R8, "int64", "") \
    X(r9, 64, XG_GPR, R9, "int64", "") \
    X(r10, 64, XG_GPR, R10, "int64", "") \
    X(r11, 64, XG_GPR, R11, "int64", "") \
    X(r12, 64, XG_GPR, R12, "int64", "") \
    X(r13, 64, XG_GPR, R13, "int64", "") \
    X(r14, 64, XG_GPR, R14, "int64", "") \
    X(r15, 64, XG_GPR, R15, "int64", "") \
    X(rip, 64, XG_RIP, 0, "code_ptr", "") \
    X(eflags, 32, XG_EFLAGS, 0, "i386_eflags", "") \
    X(cs, 32, XG_SEL, X86_CS, "int32", "") \
    X(ss, 32, XG_SEL, X86_SS, "int32", "") \
    X(ds, 32, XG_SEL, X86_DS, "int32", "") \
    X(es, 32, XG_SEL, X86_ES, "int32", "") \
    X(fs, 32, XG_SEL, X86_FS, "int32", "") \
    X(gs, 32, XG_SEL, X86_GS, "int32", "") \
    X(st0, 80, XG_ST, 0, "i387_ext", "") \
    X(st1, 80, XG_ST, 1, "i387_ext", "") \
    X(st2, 80, XG_ST, 2, "i387_ext", "") \
    X(st3, 80, XG_ST, 3, "i387_ext", "") \
    X(st4, 80, XG_ST, 4, "i387_ext", "") \
    X(st5, 80, XG_ST, 5, "i387_ext", "") \
    X(st6, 80, XG_ST, 6, "i387_ext", "") \
    X(st7, 80, XG_ST, 7, "i387_ext", "") \
    X(fctrl, 32, XG_FPCTL, 0, "int", " group=\"float\"") \
    X(fstat, 32, XG_FPCTL, 1, "int", " group=\"float\"") \
    X(ftag, 32, XG_FPCTL, 2, "int", " group=\"float\"") \
    X(fiseg, 32, XG_FPCTL, 3, "int", " group=\"float\"") \
    X(fioff, 32, XG_FPCTL, 4, "int", " group=\"float\"") \
    X(foseg, 32, XG_FPCTL, 5, "int", " group=\"float\"") \
    X(fooff, 32, XG_FPCTL, 6, "int", " group=\"float\"") \
    X(fop, 32, XG_FPCTL, 7, "int", " group=\"float\"")

#define X86_SSE_REGS(X) \
    X(xmm0, 128, XG_XMM, 0, "vec128", "") \
    X(xmm1, 128, XG_XMM, 1, "vec128", "") \
    X(xmm2, 128, XG_XMM, 2, "vec128", "") \
    X(xmm3, 128, XG_XMM, 3, "vec128", "") \
    X(xmm4, 128, XG_XMM, 4, "vec128", "") \
    X(xmm5, 128, XG_XMM, 5, "vec128", "") \
    X(xmm6, 128, XG_XMM, 6, "vec128", "") \
    X(xmm7, 128, XG_XMM, 7, "vec128", "") \
    X(xmm8, 128, XG_XMM, 8, "vec128", "") \
    X(xmm9, 128, XG_XMM, 9, "vec128", "") \
    X(xmm10, 128, XG_XMM, 10, "vec128", "") \
    X(xmm11, 128, XG_XMM, 11, "vec128", "") \
    X(xmm12, 128, XG_XMM, 12, "vec128", "") \
    X(xmm13, 128, XG_XMM, 13, "vec128", "") \
    X(xmm14, 128, XG_XMM, 14, "vec128", "") \
    X(xmm15, 128, XG_XMM, 15, "vec128", "") \
    X(mxcsr, 32, XG_MXCSR, 0, "i386_mxcsr", " group=\"vector\"")

#define X86_SEGMENT_REGS(X) \
    X(fs_base, 64, XG_BASE, X86_FS, "int", "") \
    X(gs_base, 64, XG_BASE, X86_GS, "int", "")

#define X86_SYS_REGS(X) \
    X(cr0, 64, XG_CR, 0, "int64", " group=\"system\"") \
    X(cr2, 64, XG_CR, 2, "data_ptr", " group=\"system\"") \
    X(cr3, 64, XG_CR, 3, "int64", " group=\"system\"") \
    X(cr4, 64, XG_CR, 4, "int64", " group=\"system\"") \
    X(cr8, 64, XG_CR, 8, "int64", " group=\"system\"") \
    X(efer, 64, XG_EFER, 0, "int64", " group=\"system\"") \
    X(cpl, 8, XG_SYS, 0, "uint8", " group=\"system\"") \
    X(es_base, 64, XG_BASE, X86_ES, "int64", " group=\"system\"") \
    X(cs_base, 64, XG_BASE, X86_CS, "int64", " group=\"system\"") \
    X(ss_base, 64, XG_BASE, X86_SS, "int64", " group=\"system\"") \
    X(ds_base, 64, XG_BASE, X86_DS, "int64", " group=\"system\"") \
    X(kernel_gs_base, 64, XG_SYS, 7, "int64", " group=\"system\"") \
    X(gdtr_base, 64, XG_SYS, 1, "int64", " group=\"system\"") \
    X(gdtr_limit, 32, XG_SYS, 2, "int32", " group=\"system\"") \
    X(idtr_base, 64, XG_SYS, 3, "int64", " group=\"system\"") \
    X(idtr_limit, 32, XG_SYS, 4, "int32", " group=\"system\"") \
    X(ldtr, 32, XG_SYS, 5, "int32", " group=\"system\"") \
    X(tr, 32, XG_SYS, 6, "int32", " group=\"system\"") \
    X(xcr0, 64, XG_SYS, 8, "int64", " group=\"system\"")

#define X86_GDB_TABLE(name, bits, kind, idx, type, extra) { #name, bits, kind, idx },
static const struct x86_gdb_reg x86_gdb_regs[] = {
    X86_CORE_REGS(X86_GDB_TABLE) X86_SSE_REGS(X86_GDB_TABLE) X86_SEGMENT_REGS(X86_GDB_TABLE)
    X86_SYS_REGS(X86_GDB_TABLE)
};
#define X86_GDB_NREGS ((int)(sizeof x86_gdb_regs / sizeof x86_gdb_regs[0]))

#define X86_GDB_XML(name, bits, kind, idx, type, extra) \
    "  <reg name=\"" #name "\" bitsize=\"" #bits "\" type=\"" type "\"" extra "/>\n"

/* The flags and vector types are those of gdb's own i386 feature files
 * (the bit names of SDM vol. 1 §3.4.3 RFLAGS and §10.2.3 MXCSR). */
static const char x86_target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "  <flags id=\"i386_eflags\" size=\"4\">\n"
    "    <field name=\"CF\" start=\"0\" end=\"0\"/>\n"
    "    <field name=\"\" start=\"1\" end=\"1\"/>\n"
    "    <field name=\"PF\" start=\"2\" end=\"2\"/>\n"
    "    <field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "    <field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
    "    <field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "    <field name=\"TF\" start=\"8\" end=\"8\"/>\n"
    "    <field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "    <field name=\"DF\" start=\"10\" end=\"10\"/>\n"
    "    <field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "    <field name=\"NT\" start=\"14\" end=\"14\"/>\n"
    "    <field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "    <field name=\"VM\" start=\"17\" end=\"17\"/>\n"
    "    <field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "    <field name=\"VIF\" start=\"19\" end=\"19\"/>\n"
    "    <field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "    <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "  </flags>\n"
    X86_CORE_REGS(X86_GDB_XML)
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.sse\">\n"
    "  <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
    "  <vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
    "  <vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
    "  <vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
    "  <vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
    "  <vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
    "  <union id=\"vec128\">\n"
    "    <field name=\"v4_float\" type=\"v4f\"/>\n"
    "    <field name=\"v2_double\" type=\"v2d\"/>\n"
    "    <field name=\"v16_int8\" type=\"v16i8\"/>\n"
    "    <field name=\"v8_int16\" type=\"v8i16\"/>\n"
    "    <field name=\"v4_int32\" type=\"v4i32\"/>\n"
    "    <field name=\"v2_int64\" type=\"v2i64\"/>\n"
    "    <field name=\"uint128\" type=\"uint128\"/>\n"
    "  </union>\n"
    "  <flags id=\"i386_mxcsr\" size=\"4\">\n"
    "    <field name=\"IE\" start=\"0\" end=\"0\"/>\n"
    "    <field name=\"DE\" start=\"1\" end=\"1\"/>\n"
    "    <field name=\"ZE\" start=\"2\" end=\"2\"/>\n"
    "    <field name=\"OE\" start=\"3\" end=\"3\"/>\n"
    "    <field name=\"UE\" start=\"4\" end=\"4\"/>\n"
    "    <field name=\"PE\" start=\"5\" end=\"5\"/>\n"
    "    <field name=\"DAZ\" start=\"6\" end=\"6\"/>\n"
    "    <field name=\"IM\" start=\"7\" end=\"7\"/>\n"
    "    <field name=\"DM\" start=\"8\" end=\"8\"/>\n"
    "    <field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
    "    <field name=\"OM\" start=\"10\" end=\"10\"/>\n"
    "    <field name=\"UM\" start=\"11\" end=\"11\"/>\n"
    "    <field name=\"PM\" start=\"12\" end=\"12\"/>\n"
    "    <field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
    "  </flags>\n"
    X86_SSE_REGS(X86_GDB_XML)
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
    X86_SEGMENT_REGS(X86_GDB_XML)
    "</feature>\n"
    "<feature name=\"org.hvsim.x86.sys\">\n"
    X86_SYS_REGS(X86_GDB_XML)
    "</feature>\n"
    "</target>\n";

static const char *x86_gdb_target_xml(struct cpu *c, const char *annex, size_t *len)
{
    (void)c; /* one description for every x86 CPU */
    if (strcmp(annex, "target.xml") != 0)
        return NULL;
    if (len)
        *len = sizeof x86_target_xml - 1;
    return x86_target_xml;
}

/* ---- values ------------------------------------------------------------------ */

static unsigned fpu_top(const struct x86_fpu *f) { return (f->fsw >> 11) & 7; }

/* The 2-bit tag of physical register i (SDM vol. 1 §8.1.7: 00 valid,
 * 01 zero, 10 special, 11 empty), from the abridged tag and the contents
 * (vol. 1 §10.5.1, FXSAVE's tag recreation). */
static unsigned fpu_full_tag(const struct x86_fpu *f, unsigned i)
{
    if (!(f->ftw & (1u << i)))
        return 3;
    const struct x86_fpreg *r = &f->st[i];
    unsigned exp = r->sexp & 0x7fff;
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return r->mant == 0 ? 1 : 2;
    return (r->mant >> 63) ? 0 : 2; /* J bit clear: unnormal, special */
}

static uint16_t fpu_tag_word(const struct x86_fpu *f)
{
    uint16_t t = 0;
    for (unsigned i = 0; i < 8; i++)
        t |= (uint16_t)(fpu_full_tag(f, i) << (2 * i));
    return t;
}

static void put_le(uint8_t *buf, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n && i < 8; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *buf, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)buf[i] << (8 * i);
    return v;
}

/* Scalar value of a register up to 64 bits (not ST/XMM). */
static uint64_t scalar_read(const struct x86_cpu *x, const struct x86_gdb_reg *r)
{
    const struct x86_fpu *f = &x->fpu;
    switch (r->kind) {
    case XG_GPR: return x->r[r->idx];
    case XG_RIP: return x->rip;
    case XG_EFLAGS: return x->rflags & 0xffffffffu;
    case XG_SEL: return x->seg[r->idx].sel;
    case XG_FPCTL:
        switch (r->idx) {
        case 0: return f->fcw;
        case 1: return f->fsw;
        case 2: return fpu_tag_word(f);
        case 3: return f->fcs;
        case 4: return f->fip & 0xffffffffu;
        case 5: return f->fds;
        case 6: return f->fdp & 0xffffffffu;
        default: return f->fop & 0x7ff;
        }
    case XG_MXCSR: return f->mxcsr;
    case XG_BASE: return x->seg[r->idx].base;
    case XG_CR:
        switch (r->idx) {
        case 0: return x->cr0;
        case 2: return x->cr2;
        case 3: return x->cr3;
        case 4: return x->cr4;
        default: return x->cr8;
        }
    case XG_EFER: return x->efer;
    case XG_SYS:
        switch (r->idx) {
        case 0: return x->cpl;
        case 1: return x->gdt_base;
        case 2: return x->gdt_limit;
        case 3: return x->idt_base;
        case 4: return x->idt_limit;
        case 5: return x->ldtr.sel;
        case 6: return x->tr.sel;
        case 7: return x->kernel_gs_base;
        default: return x->xcr0;
        }
    default: return 0;
    }
}

static bool x86_reg_read(struct cpu *c, int regnum, uint8_t *buf, size_t *nbytes)
{
    if (regnum < 0 || regnum >= X86_GDB_NREGS)
        return false;
    const struct x86_cpu *x = X86(c);
    const struct x86_gdb_reg *r = &x86_gdb_regs[regnum];
    *nbytes = (size_t)r->bits / 8;
    if (r->kind == XG_ST) {
        const struct x86_fpreg *p = &x->fpu.st[(fpu_top(&x->fpu) + (unsigned)r->idx) & 7];
        put_le(buf, p->mant, 8);
        put_le(buf + 8, p->sexp, 2);
    } else if (r->kind == XG_XMM) {
        memcpy(buf, x->fpu.xmm[r->idx].b, 16);
    } else {
        put_le(buf, scalar_read(x, r), *nbytes);
    }
    return true;
}

/* Writable bits of RFLAGS from gdb: the defined flags (SDM vol. 1 §3.4.3);
 * bit 1 stays 1, the reserved bits 0. */
#define X86_GDB_RFLAGS_MASK \
    (FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_RF | FL_VM | FL_AC | FL_VIF | FL_VIP | FL_ID)

static bool x86_reg_write(struct cpu *c, int regnum, const uint8_t *buf, size_t nbytes)
{
    if (regnum < 0 || regnum >= X86_GDB_NREGS)
        return false;
    struct x86_cpu *x = X86(c);
    struct x86_fpu *f = &x->fpu;
    const struct x86_gdb_reg *r = &x86_gdb_regs[regnum];
    if (nbytes != (size_t)r->bits / 8)
        return false;
    if (r->kind == XG_ST) {
        struct x86_fpreg *p = &f->st[(fpu_top(f) + (unsigned)r->idx) & 7];
        p->mant = get_le(buf, 8);
        p->sexp = (uint16_t)get_le(buf + 8, 2);
        return true;
    }
    if (r->kind == XG_XMM) {
        memcpy(f->xmm[r->idx].b, buf, 16);
        return true;
    }
    uint64_t v = get_le(buf, nbytes);
    switch (r->kind) {
    case XG_GPR: x->r[r->idx] = v; return true;
    case XG_RIP:
        x->rip = x->code_size == 8 ? v : v & (x->code_size == 2 ? 0xffff : 0xffffffffull);
        x->attn = true;
        return true;
    case XG_EFLAGS:
        x->rflags = (v & X86_GDB_RFLAGS_MASK) | FL_FIXED1;
        x->attn = true; /* IF may have changed */
        return true;
    case XG_FPCTL:
        switch (r->idx) {
        case 0: f->fcw = (uint16_t)v; break;
        case 1: f->fsw = (uint16_t)v; break;
        case 2: {
            uint8_t t = 0;
            for (unsigned i = 0; i < 8; i++)
                if (((v >> (2 * i)) & 3) != 3)
                    t |= (uint8_t)(1u << i);
            f->ftw = t;
            break;
        }
        case 3: f->fcs = (uint16_t)v; break;
        /* fioff/fooff are gdb's 32-bit views: the upper half of the 64-bit
         * offsets (FXSAVE64) stays */
        case 4: f->fip = (f->fip & ~0xffffffffull) | (v & 0xffffffffu); break;
        case 5: f->fds = (uint16_t)v; break;
        case 6: f->fdp = (f->fdp & ~0xffffffffull) | (v & 0xffffffffu); break;
        default: f->fop = (uint16_t)(v & 0x7ff); break;
        }
        return true;
    case XG_MXCSR:
        /* reserved bits set would be #GP for LDMXCSR (SDM vol. 1 §10.2.3.1) */
        if (v & ~0xffffull)
            return false;
        f->mxcsr = (uint32_t)v;
        return true;
    case XG_BASE:
        x->seg[r->idx].base = v;
        return true;
    case XG_CR:
        if (r->idx == 2) {
            x->cr2 = v;
            return true;
        }
        if (r->idx == 3) {
            x->cr3 = v;
            x86_tlb_flush(x, false); /* as MOV to CR3 (global pages stay) */
            return true;
        }
        if (r->idx == 8) {
            if (v & ~0xfull) /* TPR: bits 3:0 (SDM vol. 3A §10.8.6.1) */
                return false;
            x->cr8 = v;
            x->attn = true;
            return true;
        }
        return v == scalar_read(x, r); /* cr0, cr4: the mode; read-only */
    default:
        /* selectors, EFER, CPL, descriptor tables: read-only */
        return v == scalar_read(x, r);
    }
}

static bool x86_translate_dbg(struct cpu *c, uint64_t va, bool write, uint64_t *pa)
{
    (void)write;
    return x86_debug_translate(X86(c), va, pa);
}

const char *x86_mode_name(const struct x86_cpu *x)
{
    if (!(x->cr0 & CR0_PE))
        return "real";
    if (x->long_mode) /* no virtual-8086 mode in IA-32e mode (SDM vol. 3A §2.2) */
        return x->code_size == 8 ? "long64" : "compat";
    if (x->rflags & FL_VM)
        return "vm86";
    return x->code_size == 4 ? "prot32" : "prot16";
}

static void x86_describe(struct cpu *c, char *buf, size_t len)
{
    const struct x86_cpu *x = X86(c);
    const char *st = c->state == CPU_SLEEPING ? ", halted"
                   : c->state == CPU_STOPPED ? ", wait-for-SIPI" : "";
    char vmx[64] = "";
    if (x->vmx.non_root) /* the ids `monitor guest` takes (cpu_ops.guest_id, guest_tag) */
        snprintf(vmx, sizeof vmx, ", VMX guest %#llx VPID %lld", (unsigned long long)vmx_guest_id(x),
                 (long long)vmx_guest_vpid(x));
    else if (x->vmx.on)
        snprintf(vmx, sizeof vmx, ", VMX root");
    snprintf(buf, len, "cpu %d, %s CPL%u%s%s", c->id, x86_mode_name(x), x->cpl, vmx, st);
}

void x86_gdb_watch_check(struct x86_cpu *x, uint64_t la, unsigned size, bool write)
{
    struct cpu *c = &x->cpu;
    const struct cpu_watch *w = cpu_watch_hit(c, la, size, write);
    if (!w || c->wp_hit)
        return;
    c->wp_hit = true;
    c->wp_addr = la > w->addr ? la : w->addr; /* an address gdb watches */
    c->wp_kind = w->kind;
    cpu_end_run(c); /* after this instruction */
}

const struct gdb_arch x86_gdb_arch = {
    .target_xml = x86_gdb_target_xml,
    .g_nregs = X86_GDB_NREGS,
    .reg_read = x86_reg_read,
    .reg_write = x86_reg_write,
    .translate = x86_translate_dbg,
    .describe = x86_describe,
};
