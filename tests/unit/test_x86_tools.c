/* The x86_64 CPU as tools see it: the gdb register map and target
 * description (src/cpu/x86/gdb.c: x87 stack order, the full tag word,
 * read-only registers), the watchpoint check, and the registry's names and
 * disassembly syntaxes (vectors, "int 0xNN", Intel / AT&T). */
#include <check.h>
#include <string.h>
#include "gdbstub/arch.h"
#include "sim/arch.h"
#include "trace/archnames.h"
#include "x86_fixture.h"

static const struct gdb_arch *x86_gdb(void)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_X86_64);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(a->gdb);
    return a->gdb;
}

/* The remote number of register `name` in the target description (the
 * position of its <reg> element). */
static int regnum_of(const char *name)
{
    size_t len;
    const char *xml = x86_gdb()->target_xml(NULL, "target.xml", &len);
    ck_assert_ptr_nonnull(xml);
    char pat[64];
    snprintf(pat, sizeof pat, "<reg name=\"%s\"", name);
    const char *hit = strstr(xml, pat);
    if (!hit)
        return -1;
    int n = 0;
    for (const char *p = strstr(xml, "<reg name="); p && p < hit; p = strstr(p + 1, "<reg name="))
        n++;
    return n;
}

static uint64_t rd(struct cpu *c, const char *name, size_t want_bytes)
{
    uint8_t b[16];
    size_t n;
    ck_assert(x86_gdb()->reg_read(c, regnum_of(name), b, &n));
    ck_assert_uint_eq(n, want_bytes);
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static bool wr(struct cpu *c, const char *name, uint64_t v, size_t nbytes)
{
    uint8_t b[16] = { 0 };
    for (size_t i = 0; i < nbytes && i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return x86_gdb()->reg_write(c, regnum_of(name), b, nbytes);
}

START_TEST(test_gdb_numbering)
{
    /* gdb's amd64 numbering (amd64-tdep.h): rax 0, rbx 1, rsp 7, rip 16,
     * eflags 17, cs 18, gs 23, st0 24, fctrl 32, fop 39, xmm0 40, mxcsr 56 */
    ck_assert_int_eq(regnum_of("rax"), 0);
    ck_assert_int_eq(regnum_of("rbx"), 1);
    ck_assert_int_eq(regnum_of("rsp"), 7);
    ck_assert_int_eq(regnum_of("r15"), 15);
    ck_assert_int_eq(regnum_of("rip"), 16);
    ck_assert_int_eq(regnum_of("eflags"), 17);
    ck_assert_int_eq(regnum_of("cs"), 18);
    ck_assert_int_eq(regnum_of("gs"), 23);
    ck_assert_int_eq(regnum_of("st0"), 24);
    ck_assert_int_eq(regnum_of("fctrl"), 32);
    ck_assert_int_eq(regnum_of("fop"), 39);
    ck_assert_int_eq(regnum_of("xmm0"), 40);
    ck_assert_int_eq(regnum_of("mxcsr"), 56);
    ck_assert_int_gt(regnum_of("fs_base"), 56);
    ck_assert_int_gt(regnum_of("efer"), regnum_of("gs_base"));
    ck_assert_int_eq(regnum_of("xcr0"), regnum_of("tr") + 1);
    ck_assert_int_eq(x86_gdb()->g_nregs, regnum_of("xcr0") + 1);
    size_t len;
    const char *xml = x86_gdb()->target_xml(NULL, "target.xml", &len);
    ck_assert_uint_eq(len, strlen(xml));
    ck_assert_ptr_nonnull(strstr(xml, "<architecture>i386:x86-64</architecture>"));
    ck_assert_ptr_nonnull(strstr(xml, "org.gnu.gdb.i386.core"));
    ck_assert_ptr_nonnull(strstr(xml, "org.gnu.gdb.i386.sse"));
    ck_assert_ptr_nonnull(strstr(xml, "org.gnu.gdb.i386.segments"));
    ck_assert_ptr_null(x86_gdb()->target_xml(NULL, "other.xml", &len));
    uint8_t b[16];
    size_t n;
    struct x86f *f = x86f_new();
    ck_assert(!x86_gdb()->reg_read(f->c, x86_gdb()->g_nregs, b, &n));
    ck_assert(!x86_gdb()->reg_read(f->c, -1, b, &n));
    x86f_free(f);
}
END_TEST

START_TEST(test_gdb_gprs_and_system)
{
    struct x86f *f = x86f_new();
    struct cpu *c = f->c;
    f->x->r[RBX] = 0x1122334455667788ull;
    f->x->r[RSP] = 0x8000;
    ck_assert_uint_eq(rd(c, "rbx", 8), 0x1122334455667788ull);
    ck_assert_uint_eq(rd(c, "rsp", 8), 0x8000);
    ck_assert(wr(c, "r9", 0xabcdef, 8));
    ck_assert_uint_eq(f->x->r[R9], 0xabcdef);
    ck_assert(!wr(c, "r9", 1, 4)); /* wrong size */
    /* eflags: reserved bits keep their fixed values */
    ck_assert(wr(c, "eflags", 0xffffffffu, 4));
    ck_assert_uint_eq(f->x->rflags, 0x3f7fd7u);
    ck_assert_uint_eq(rd(c, "cs", 4), 0x08);
    ck_assert_uint_eq(rd(c, "cr0", 8), f->x->cr0);
    ck_assert_uint_eq(rd(c, "efer", 8), f->x->efer);
    ck_assert_uint_eq(rd(c, "cpl", 1), 0);
    /* XCR0: 1 at reset (x87); read-only from gdb but for its own value */
    ck_assert_uint_eq(rd(c, "xcr0", 8), 1);
    f->x->xcr0 = 3;
    ck_assert_uint_eq(rd(c, "xcr0", 8), 3);
    ck_assert(!wr(c, "xcr0", 1, 8));
    ck_assert(wr(c, "xcr0", 3, 8));
    ck_assert_uint_eq(f->x->xcr0, 3);
    /* mode-changing registers are read-only, except with their own value */
    ck_assert(!wr(c, "cs", 0x10, 4));
    ck_assert(wr(c, "cs", 0x08, 4));
    ck_assert(!wr(c, "cr0", f->x->cr0 & ~(uint64_t)CR0_PG, 8));
    ck_assert(!wr(c, "efer", 0, 8));
    ck_assert(wr(c, "cr2", 0xdead000, 8));
    ck_assert_uint_eq(f->x->cr2, 0xdead000);
    ck_assert(wr(c, "fs_base", 0x7000, 8));
    ck_assert_uint_eq(f->x->seg[X86_FS].base, 0x7000);
    ck_assert(!wr(c, "cr8", 0x10, 8)); /* TPR is 4 bits */
    char d[128];
    x86_gdb()->describe(c, d, sizeof d);
    ck_assert_str_eq(d, "cpu 0, long64 CPL0");
    /* translation through the current paging: identity for the first 16 MiB */
    uint64_t pa;
    ck_assert(x86_gdb()->translate(c, 0x123456, false, &pa));
    ck_assert_uint_eq(pa, 0x123456);
    ck_assert(!x86_gdb()->translate(c, 0x0000100000000000ull, false, &pa));
    x86f_free(f);
}
END_TEST

START_TEST(test_gdb_x87_sse)
{
    struct x86f *f = x86f_new();
    struct cpu *c = f->c;
    struct x86_fpu *fp = &f->x->fpu;
    /* power-up: FTW 5555H, every register valid and zero (SDM vol. 3A Table 9-1) */
    ck_assert_uint_eq(rd(c, "ftag", 4), 0x5555);
    fp->ftw = 0; /* all empty */
    ck_assert_uint_eq(rd(c, "ftag", 4), 0xffff);
    /* TOP = 6: ST(0) = R6, ST(1) = R7, ST(2) = R0 */
    fp->fsw = 6u << 11;
    fp->st[6] = (struct x86_fpreg){ .mant = 0x8000000000000000ull, .sexp = 0x3fff }; /* 1.0 */
    fp->st[7] = (struct x86_fpreg){ .mant = 0, .sexp = 0x8000 };                    /* -0.0 */
    fp->st[0] = (struct x86_fpreg){ .mant = 0xc000000000000000ull, .sexp = 0x7fff }; /* NaN */
    fp->st[1] = (struct x86_fpreg){ .mant = 0x4000000000000000ull, .sexp = 0x4000 }; /* unnormal */
    fp->ftw = 0xc3; /* R0, R1, R6, R7 in use */
    uint8_t b[16];
    size_t n;
    ck_assert(x86_gdb()->reg_read(c, regnum_of("st0"), b, &n));
    ck_assert_uint_eq(n, 10);
    ck_assert_uint_eq(b[7], 0x80);
    ck_assert_uint_eq(b[8], 0xff);
    ck_assert_uint_eq(b[9], 0x3f);
    ck_assert(x86_gdb()->reg_read(c, regnum_of("st2"), b, &n));
    ck_assert_uint_eq(b[9], 0x7f);
    /* full tag word, by physical register: R0 special (NaN), R1 special
     * (unnormal), R2..R5 empty, R6 valid, R7 zero */
    ck_assert_uint_eq(rd(c, "ftag", 4), 0x4ffa);
    ck_assert(wr(c, "ftag", 0xfff0, 4)); /* R0, R1 in use, the rest empty */
    ck_assert_uint_eq(fp->ftw, 0x03);
    /* writing st1 writes R7 */
    memset(b, 0, sizeof b);
    b[7] = 0x80;
    b[8] = 0x00;
    b[9] = 0x40; /* 2.0 */
    ck_assert(x86_gdb()->reg_write(c, regnum_of("st1"), b, 10));
    ck_assert_uint_eq(fp->st[7].sexp, 0x4000);
    ck_assert_uint_eq(fp->st[7].mant, 0x8000000000000000ull);
    /* SSE */
    fp->xmm[5].q[0] = 0x0102030405060708ull;
    fp->xmm[5].q[1] = 0x1112131415161718ull;
    ck_assert(x86_gdb()->reg_read(c, regnum_of("xmm5"), b, &n));
    ck_assert_uint_eq(n, 16);
    ck_assert_uint_eq(b[0], 0x08);
    ck_assert_uint_eq(b[15], 0x11);
    ck_assert_uint_eq(rd(c, "mxcsr", 4), 0x1f80);
    ck_assert(!wr(c, "mxcsr", 0x10000, 4)); /* reserved bit */
    ck_assert(wr(c, "mxcsr", 0x9fc0, 4));
    ck_assert_uint_eq(fp->mxcsr, 0x9fc0);
    x86f_free(f);
}
END_TEST

START_TEST(test_watchpoint)
{
    struct x86f *f = x86f_new();
    struct cpu_watch w = { .addr = X86F_DATA + 8, .len = 8, .kind = 2 };
    f->c->wps = &w;
    f->c->nwps = 1;
    /* mov qword ptr [rbx], rax (no hit); mov qword ptr [rbx + 8], rax (hit); hlt */
    static const uint8_t code[] = { 0x48, 0x89, 0x03, 0x48, 0x89, 0x43, 0x08, 0x90, 0xf4 };
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, code, sizeof code);
    x86f_set_reg(f, RBX, X86F_DATA);
    x86f_set_reg(f, RAX, 42);
    uint64_t ran = x86f_run(f, 100);
    ck_assert(f->c->wp_hit);
    ck_assert_uint_eq(f->c->wp_addr, X86F_DATA + 8);
    ck_assert_int_eq(f->c->wp_kind, 2);
    ck_assert_uint_eq(ran, 2);                      /* stopped after the store */
    ck_assert_uint_eq(f->x->rip, X86F_CODE + 7);
    ck_assert_uint_eq(x86f_r64(f, X86F_DATA + 8), 42); /* the store completed */
    x86f_free(f);
}
END_TEST

START_TEST(test_names_and_syntax)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_X86_64);
    ck_assert_str_eq(a->cause_name(0), "#DE");
    ck_assert_str_eq(a->cause_name(2), "NMI");
    ck_assert_str_eq(a->cause_name(13), "#GP");
    ck_assert_str_eq(a->cause_name(14), "#PF");
    ck_assert_str_eq(a->cause_name(21), "#CP");
    ck_assert_str_eq(a->cause_name(9), "int 0x09");
    ck_assert_str_eq(a->cause_name(0x20), "int 0x20");
    ck_assert_str_eq(a->cause_name(0xff), "int 0xff");
    ck_assert_ptr_null(a->cause_name(0x100));
    ck_assert_int_eq(trace_arch_syntax(a, "intel"), 0);
    ck_assert_int_eq(trace_arch_syntax(a, "att"), 1);
    ck_assert_int_eq(trace_arch_syntax(a, "masm"), -1);
    ck_assert_int_eq(trace_arch_syntax(arch_by_id(CPU_ARCH_RISCV64), "intel"), -1);
    static const uint8_t mov[] = { 0x48, 0x8b, 0x43, 0x08 }; /* mov rax, [rbx + 8] */
    char buf[96];
    trace_arch_disasm_as(a, 0, mov, sizeof mov, 0x1000, buf, sizeof buf);
    ck_assert_str_eq(buf, "mov rax, qword ptr [rbx + 8]");
    trace_arch_disasm_as(a, 1, mov, sizeof mov, 0x1000, buf, sizeof buf);
    ck_assert_str_eq(buf, "movq 8(%rbx), %rax");
    trace_arch_disasm_bits_as(a, 1, 0x08438b48ull, 0x1000, buf, sizeof buf);
    ck_assert_str_eq(buf, "movq 8(%rbx), %rax");
}
END_TEST

Suite *x86_tools_suite(void)
{
    Suite *s = suite_create("x86_tools");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_gdb_numbering);
    tcase_add_test(tc, test_gdb_gprs_and_system);
    tcase_add_test(tc, test_gdb_x87_sse);
    tcase_add_test(tc, test_watchpoint);
    tcase_add_test(tc, test_names_and_syntax);
    suite_add_tcase(s, tc);
    return s;
}
