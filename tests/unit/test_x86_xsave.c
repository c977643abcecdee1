/* Unit tests of the XSAVE feature set (src/cpu/x86/xsave.c) through
 * tests/unit/x86_fixture.h: CPUID with [cpu] xsave off and on, CR4.OSXSAVE,
 * XSETBV / XGETBV outcomes, XSAVE's XSTATE_BV from XINUSE, XRSTOR's init
 * state and header #GPs, and the [cpu] xsave config key (not written into
 * trace headers when off). Expected values from the SDM vol. 1 ch. 13 and
 * vol. 2 (XSAVE, XRSTOR, XGETBV, XSETBV, CPUID leaf 0DH). */
#include <check.h>
#include <stdint.h>

#include "x86_fixture.h"
#include "x86_cpu_option.h"
#include "cpu/x86/fpu.h"
#include "sim/board.h"

Suite *x86_xsave_suite(void);

#define DATA X86F_DATA /* 64-byte aligned; RSI points here */
#define XGETBV 0x0f, 0x01, 0xd0
#define XSETBV 0x0f, 0x01, 0xd1
#define XSAVE_RSI 0x0f, 0xae, 0x26   /* xsave [rsi] */
#define XRSTOR_RSI 0x0f, 0xae, 0x2e  /* xrstor [rsi] */
#define XSAVEOPT_RSI 0x0f, 0xae, 0x36

static struct x86f *fx;

static void setup(void)
{
    fx = x86f_new();
    x86_cpu_set_xsave(fx->c, true);
    fx->x->cr4 |= CR4_OSFXSR | CR4_OSXSAVE;
    /* the x87's initial configuration (vol. 1 §13.6; power-up has FCW
     * 0040H, which is not it) */
    struct x86_fpu *f = &fx->x->fpu;
    f->fcw = FCW_INIT;
    f->fsw = f->fop = f->fcs = f->fds = 0;
    f->ftw = 0;
    f->fip = f->fdp = 0;
    memset(f->st, 0, sizeof f->st);
}
static void teardown(void) { x86f_free(fx); fx = NULL; }

/* Runs code (a HLT appended) with RSI = DATA and EDX:EAX / ECX given. */
static int run(const uint8_t *code, size_t n, uint64_t rax, uint64_t rcx, uint64_t rdx)
{
    uint8_t buf[64];
    ck_assert_uint_lt(n, sizeof buf);
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    fx->x->rip = X86F_CODE;
    x86f_code(fx, X86F_CODE, buf, n + 1);
    x86f_set_reg(fx, RSI, DATA);
    x86f_set_reg(fx, RAX, rax);
    x86f_set_reg(fx, RCX, rcx);
    x86f_set_reg(fx, RDX, rdx);
    return x86f_run_to_hlt(fx, 1000, NULL);
}
#define RUN(a, c, d, ...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; run(c_, sizeof c_, a, c, d); })

START_TEST(cpuid_off_and_on)
{
    uint32_t o[4];
    x86_cpu_set_xsave(fx->c, false);
    fx->x->cr4 &= ~(uint64_t)CR4_OSXSAVE;
    x86_cpuid(fx->x, 0, 0, o);
    ck_assert_uint_eq(o[0], 0xb);
    x86_cpuid(fx->x, 1, 0, o);
    ck_assert_uint_eq(o[2] & (3u << 26), 0);
    x86_cpuid(fx->x, 0xd, 0, o);
    ck_assert_uint_eq(o[0] | o[1] | o[2] | o[3], 0);
    /* off: OSXSAVE is a reserved CR4 bit, the instructions #UD */
    x86f_set_reg(fx, RAX, CR4_PAE | CR4_OSXSAVE);
    ck_assert_int_eq(RUN(CR4_PAE | CR4_OSXSAVE, 0, 0, 0x0f, 0x22, 0xe0), X86_EXC_GP); /* mov cr4, rax */
    fx->x->cr4 |= CR4_OSXSAVE; /* as if it were set: still #UD without XSAVE */
    ck_assert_int_eq(RUN(0, 0, 0, XGETBV), X86_EXC_UD);
    ck_assert_int_eq(RUN(3, 0, 0, XSAVE_RSI), X86_EXC_UD);

    x86_cpu_set_xsave(fx->c, true);
    fx->x->cr4 &= ~(uint64_t)CR4_OSXSAVE;
    x86_cpuid(fx->x, 0, 0, o);
    ck_assert_uint_eq(o[0], 0xd);
    x86_cpuid(fx->x, 1, 0, o);
    ck_assert_uint_eq(o[2] & (3u << 26), 1u << 26);
    ck_assert_int_eq(RUN(CR4_PAE | CR4_OSXSAVE, 0, 0, 0x0f, 0x22, 0xe0), X86F_HALTED);
    x86_cpuid(fx->x, 1, 0, o);
    ck_assert_uint_eq(o[2] & (3u << 26), 3u << 26); /* OSXSAVE mirrors CR4 */
    x86_cpuid(fx->x, 0xd, 0, o);
    ck_assert_uint_eq(o[0], 3);
    ck_assert_uint_eq(o[1], 576);
    ck_assert_uint_eq(o[2], 576);
    ck_assert_uint_eq(o[3], 0);
    x86_cpuid(fx->x, 0xd, 1, o);
    ck_assert_uint_eq(o[0], 5);
    ck_assert_uint_eq(o[1] | o[2] | o[3], 0);
    for (uint32_t sub = 2; sub < 64; sub++) {
        x86_cpuid(fx->x, 0xd, sub, o);
        ck_assert_uint_eq(o[0] | o[1] | o[2] | o[3], 0);
    }
}
END_TEST

START_TEST(xsetbv_xgetbv)
{
    ck_assert_uint_eq(fx->x->xcr0, 1); /* reset value */
    ck_assert_int_eq(RUN(0, 0, 0, XGETBV), X86F_HALTED);
    ck_assert_uint_eq(fx->x->r[RAX], 1);
    ck_assert_uint_eq(fx->x->r[RDX], 0);
    ck_assert_int_eq(RUN(3, 1, 0, XSETBV), X86_EXC_GP);
    ck_assert_int_eq(RUN(2, 0, 0, XSETBV), X86_EXC_GP);
    ck_assert_int_eq(RUN(0, 0, 0, XSETBV), X86_EXC_GP);
    ck_assert_int_eq(RUN(7, 0, 0, XSETBV), X86_EXC_GP);
    ck_assert_int_eq(RUN(3, 0, 1, XSETBV), X86_EXC_GP);
    ck_assert_uint_eq(fx->x->xcr0, 1);
    ck_assert_int_eq(RUN(0xdead000000000003ull, 0xbeef00000000ull, 0xf00000000ull, XSETBV), X86F_HALTED);
    ck_assert_uint_eq(fx->x->xcr0, 3);
    ck_assert_int_eq(RUN(0, 2, 0, XGETBV), X86_EXC_GP);
    /* XGETBV ECX = 1: XCR0 & XINUSE; the fixture's state is the initial
     * configuration (setup): nothing in use */
    ck_assert_int_eq(RUN(~0ull, 1, ~0ull, XGETBV), X86F_HALTED);
    ck_assert_uint_eq(fx->x->r[RAX], 0);
    ck_assert_uint_eq(fx->x->r[RDX], 0);
    fx->x->fpu.xmm[15].q[1] = 1; /* in use in 64-bit mode */
    ck_assert_int_eq(RUN(0, 1, 0, XGETBV), X86F_HALTED);
    ck_assert_uint_eq(fx->x->r[RAX], 2);
    /* CR4.OSXSAVE = 0: #UD; CPL 3 XSETBV is covered by the test kernel */
    fx->x->cr4 &= ~(uint64_t)CR4_OSXSAVE;
    ck_assert_int_eq(RUN(0, 0, 0, XGETBV), X86_EXC_UD);
    ck_assert_int_eq(RUN(3, 0, 0, XSETBV), X86_EXC_UD);
    ck_assert_int_eq(RUN(3, 0, 0, XRSTOR_RSI), X86_EXC_UD);
    ck_assert_uint_eq(fx->x->xcr0, 3);
}
END_TEST

START_TEST(xsave_header_and_xinuse)
{
    fx->x->xcr0 = 3;
    /* XINUSE = 0: XSTATE_BV[1:0] = 0, the other bits as they were */
    x86f_w64(fx, DATA + 512, 0xf0);
    x86f_w64(fx, DATA + 520, 0x1111);
    ck_assert_int_eq(RUN(~0ull, 0, ~0ull, XSAVE_RSI), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 512), 0xf0);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 520), 0x1111); /* XCOMP_BV not written */
    /* x87 in use only */
    fx->x->fpu.fcw = 0x027f;
    ck_assert_int_eq(RUN(3, 0, 0, XSAVEOPT_RSI), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 512), 0xf1);
    /* XMM7 in use: bit 1, unless RFBM leaves SSE out */
    fx->x->fpu.xmm[7].q[0] = 5;
    ck_assert_int_eq(RUN(1, 0, 0, XSAVE_RSI), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 512), 0xf1);
    ck_assert_int_eq(RUN(2, 0, 0, XSAVE_RSI), X86F_HALTED);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 512), 0xf3);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 160 + 7 * 16), 5);
    /* #GP(0): misaligned */
    fx->x->rip = X86F_CODE;
    ck_assert_int_eq(RUN(3, 0, 0, 0x0f, 0xae, 0x66, 0x20 /* xsave [rsi+0x20] */), X86_EXC_GP);
}
END_TEST

START_TEST(xrstor_init_and_faults)
{
    fx->x->xcr0 = 3;
    struct x86_fpu *f = &fx->x->fpu;
    f->fcw = 0x0a7f;
    f->fsw = 0x3800;
    f->ftw = 0x80;
    f->st[7].mant = 0x8000000000000000ull;
    f->st[7].sexp = 0x3fff;
    f->xmm[3].q[1] = 9;
    /* header: XSTATE_BV = 0 (both to their initial configuration), MXCSR
     * loaded anyway */
    for (unsigned i = 0; i < 576; i += 8)
        x86f_w64(fx, DATA + i, 0x5555555555555555ull);
    x86f_w64(fx, DATA + 512, 0);
    x86f_w64(fx, DATA + 520, 0);
    x86f_w64(fx, DATA + 528, 0);
    uint32_t mx = 0x1f40;
    x86f_write(fx, DATA + 24, &mx, 4);
    /* header reserved bytes 16-23, XCOMP_BV, XSTATE_BV outside XCR0,
     * MXCSR reserved bits: #GP(0), nothing changed */
    x86f_w64(fx, DATA + 528, 1);
    ck_assert_int_eq(RUN(3, 0, 0, XRSTOR_RSI), X86_EXC_GP);
    x86f_w64(fx, DATA + 528, 0);
    x86f_w64(fx, DATA + 520, 1ull << 63);
    ck_assert_int_eq(RUN(3, 0, 0, XRSTOR_RSI), X86_EXC_GP);
    x86f_w64(fx, DATA + 520, 0);
    x86f_w64(fx, DATA + 512, 4);
    ck_assert_int_eq(RUN(3, 0, 0, XRSTOR_RSI), X86_EXC_GP);
    x86f_w64(fx, DATA + 512, 0);
    ck_assert_uint_eq(f->fcw, 0x0a7f);
    ck_assert_uint_eq(f->xmm[3].q[1], 9);
    /* RFBM = 2: SSE initialized, MXCSR loaded, x87 kept */
    ck_assert_int_eq(RUN(2, 0, 0, XRSTOR_RSI), X86F_HALTED);
    ck_assert_uint_eq(f->xmm[3].q[1], 0);
    ck_assert_uint_eq(f->mxcsr, 0x1f40);
    ck_assert_uint_eq(f->fcw, 0x0a7f);
    /* RFBM = 1: x87 initialized */
    ck_assert_int_eq(RUN(1, 0, 0, XRSTOR_RSI), X86F_HALTED);
    ck_assert_uint_eq(f->fcw, 0x037f);
    ck_assert_uint_eq(f->fsw, 0);
    ck_assert_uint_eq(f->ftw, 0);
    ck_assert_uint_eq(f->st[7].mant | f->st[7].sexp, 0);
    /* a reserved MXCSR bit only matters when MXCSR is loaded */
    uint32_t bad = 0x10000;
    x86f_write(fx, DATA + 24, &bad, 4);
    ck_assert_int_eq(RUN(1, 0, 0, XRSTOR_RSI), X86F_HALTED);
    ck_assert_int_eq(RUN(3, 0, 0, XRSTOR_RSI), X86_EXC_GP);
    /* CR0.TS: #NM */
    fx->x->cr0 |= CR0_TS;
    ck_assert_int_eq(RUN(1, 0, 0, XRSTOR_RSI), X86_EXC_NM);
    ck_assert_int_eq(RUN(1, 0, 0, XGETBV), X86F_HALTED);
}
END_TEST

/* Compatibility mode (a 32-bit code segment in IA-32e mode): XMM0-7 only
 * are saved, initialized and looked at for XINUSE (vol. 1 §13.5.2, §13.6). */
START_TEST(compat_mode_xmm0_7)
{
    struct x86_cpu *x = fx->x;
    x->xcr0 = 3;
    x->seg[X86_CS].attr = SEG_P | SEG_S | SEG_CODE | SEG_W_R | SEG_A | SEG_DB | SEG_G;
    x86_update_mode(x);
    ck_assert_uint_eq(x->code_size, 4);
    x->fpu.xmm[0].q[0] = 0x1111;
    x->fpu.xmm[8].q[0] = 0x8888;
    for (unsigned i = 0; i < 576; i += 8)
        x86f_w64(fx, DATA + i, 0xa5a5a5a5a5a5a5a5ull);
    x86f_w64(fx, DATA + 512, 0);
    ck_assert_int_eq(RUN(2, 0, 0, XSAVE_RSI), X86F_HALTED); /* xsave [esi] */
    ck_assert_uint_eq(x86f_r64(fx, DATA + 160), 0x1111);
    ck_assert_uint_eq(x86f_r64(fx, DATA + 288), 0xa5a5a5a5a5a5a5a5ull); /* XMM8 not written */
    ck_assert_uint_eq(x86f_r64(fx, DATA + 512), 2);
    /* XSTATE_BV = 0: XMM0-7 initialized, XMM8 kept */
    x86f_w64(fx, DATA + 512, 0);
    x86f_w64(fx, DATA + 520, 0);
    x86f_w64(fx, DATA + 528, 0);
    ck_assert_int_eq(RUN(2, 0, 0, XRSTOR_RSI), X86F_HALTED);
    ck_assert_uint_eq(x->fpu.xmm[0].q[0], 0);
    ck_assert_uint_eq(x->fpu.xmm[8].q[0], 0x8888);
    /* XINUSE[1] looks at XMM0-7 only here */
    ck_assert_int_eq(RUN(0, 1, 0, XGETBV), X86F_HALTED);
    ck_assert_uint_eq(x->r[RAX] & 2, 0);
}
END_TEST

/* Real mode (CR0.PE = 0, CPL 0; SDM vol. 2 XSAVE/XRSTOR/XSETBV "Real-Address
 * Mode Exceptions"): 16-bit addressing through DS's base, the legacy
 * region in the non-64-bit layout (FIP/FCS, FDP/FDS; XMM0-7 only), XSETBV
 * allowed (CPL 0), and the #GP/#UD/#NM through the interrupt vector table. */
#define RM_DS     0x2000u            /* DS = 2000h: base 20000h */
#define RM_AREA   0x40u              /* DS:SI, 64-byte aligned linear 20040h */
#define RM_CODE   0x7000u
#define RM_VEC(v) (0x500u + (v))     /* IVT vector v -> 0000:0500h + v, a HLT */

static void real_mode(struct x86_cpu *x)
{
    x->cr0 &= ~(uint64_t)(CR0_PE | CR0_PG);
    x->efer = 0;
    for (int s = 0; s < 6; s++)
        x->seg[s] = (struct x86_segment){ .sel = 0, .base = 0, .limit = 0xffff,
                                          .attr = SEG_P | SEG_S | SEG_W_R | SEG_A };
    x->seg[X86_CS].attr |= SEG_CODE;
    x->seg[X86_DS].sel = RM_DS;
    x->seg[X86_DS].base = RM_DS << 4;
    x->cpl = 0;
    x->idt_base = 0;
    x->idt_limit = 0x3ff;
    for (unsigned v = 0; v < 32; v++) { /* IVT: offset, segment 0 */
        uint32_t e = RM_VEC(v);
        x86f_write(fx, 4 * v, &e, 4);
        uint8_t hlt = 0xf4;
        x86f_write(fx, RM_VEC(v), &hlt, 1);
    }
    x86_update_mode(x);
    x86_tlb_flush(x, true);
    x->r[RSP] = 0x6000;
}

/* Runs 16-bit code at 0000:7000h with SI = si; returns the vector taken
 * through the IVT, or -1 for the code's own HLT. */
static int run16(const uint8_t *code, size_t n, uint16_t si, uint64_t rax, uint64_t rcx, uint64_t rdx)
{
    uint8_t buf[32];
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    x86f_code(fx, RM_CODE, buf, n + 1);
    x86f_set_reg(fx, RSI, si);
    x86f_set_reg(fx, RAX, rax);
    x86f_set_reg(fx, RCX, rcx);
    x86f_set_reg(fx, RDX, rdx);
    ck_assert_int_eq(x86f_run_to_hlt(fx, 1000, NULL), X86F_HALTED);
    uint64_t at = fx->x->rip - 1;
    if (at >= RM_VEC(0) && at < RM_VEC(32))
        return (int)(at - RM_VEC(0));
    ck_assert_uint_eq(at, RM_CODE + n);
    return -1;
}
#define RUN16(si, a, c, d, ...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; run16(c_, sizeof c_, si, a, c, d); })
#define XSAVE_SI16  0x0f, 0xae, 0x24 /* xsave [si] (16-bit addressing) */
#define XRSTOR_SI16 0x0f, 0xae, 0x2c /* xrstor [si] */

START_TEST(real_mode_xsave)
{
    struct x86_cpu *x = fx->x;
    struct x86_fpu *f = &x->fpu;
    real_mode(x);
    ck_assert_uint_eq(x->code_size, 2);
    /* XSETBV at CPL 0 in real mode; XGETBV reads it back */
    ck_assert_int_eq(RUN16(0, 3, 0, 0, XSETBV), -1);
    ck_assert_uint_eq(x->xcr0, 3);
    ck_assert_int_eq(RUN16(0, 0, 0, 0, XGETBV), -1);
    ck_assert_uint_eq(x->r[RAX] & 0xffffffffu, 3);
    ck_assert_int_eq(RUN16(0, 4 | 3, 0, 0, XSETBV), X86_EXC_GP); /* AVX: not supported */
    /* x87 state with its pointers, XMM0 and XMM8 */
    f->fcs = 0x1234;
    f->fip = 0x5678;
    f->fds = 0x9abc;
    f->fdp = 0xdef0;
    f->ftw = 1;
    f->st[0].mant = 0x8000000000000000ull;
    f->st[0].sexp = 0x3fff;
    f->xmm[0].q[0] = 0x1111;
    f->xmm[8].q[0] = 0x8888;
    for (unsigned i = 0; i < 640; i += 8)
        x86f_w64(fx, (RM_DS << 4) + i, 0xa5a5a5a5a5a5a5a5ull);
    for (unsigned i = 512; i < 576; i += 8) /* the header: XSAVE writes only XSTATE_BV */
        x86f_w64(fx, (RM_DS << 4) + RM_AREA + i, 0);
    ck_assert_int_eq(RUN16(RM_AREA, 3, 0, 0, XSAVE_SI16), -1);
    const uint64_t a = (RM_DS << 4) + RM_AREA;
    ck_assert_uint_eq(x86f_r64(fx, a + 8), 0x123400005678ull);   /* FIP, FCS (non-64-bit layout) */
    ck_assert_uint_eq(x86f_r64(fx, a + 16), 0x9abc0000def0ull);  /* FDP, FDS */
    ck_assert_uint_eq(x86f_r64(fx, a + 160), 0x1111);            /* XMM0 */
    ck_assert_uint_eq(x86f_r64(fx, a + 288), 0xa5a5a5a5a5a5a5a5ull); /* XMM8 not written */
    ck_assert_uint_eq(x86f_r64(fx, a + 512), 3);                 /* XSTATE_BV */
    ck_assert_uint_eq(x86f_r64(fx, RM_AREA + 512), 0);           /* through DS's base, not at DS = 0 */
    /* XRSTOR: XMM0 and FCS from the image, XMM8 kept */
    x86f_w64(fx, a + 160, 0x2222);
    x86f_w64(fx, a + 8, 0x432100005678ull);
    f->xmm[0].q[0] = 0;
    f->fcs = 0;
    ck_assert_int_eq(RUN16(RM_AREA, 3, 0, 0, XRSTOR_SI16), -1);
    ck_assert_uint_eq(f->xmm[0].q[0], 0x2222);
    ck_assert_uint_eq(f->fcs, 0x4321);
    ck_assert_uint_eq(f->xmm[8].q[0], 0x8888);
    /* faults through the IVT: misaligned #GP, CR0.TS #NM, CR4.OSXSAVE = 0 #UD */
    ck_assert_int_eq(RUN16(RM_AREA + 1, 3, 0, 0, XSAVE_SI16), X86_EXC_GP);
    x->cr0 |= CR0_TS;
    ck_assert_int_eq(RUN16(RM_AREA, 3, 0, 0, XSAVE_SI16), X86_EXC_NM);
    x->cr0 &= ~(uint64_t)CR0_TS;
    x->cr4 &= ~(uint64_t)CR4_OSXSAVE;
    ck_assert_int_eq(RUN16(RM_AREA, 3, 0, 0, XSAVE_SI16), X86_EXC_UD);
    ck_assert_int_eq(RUN16(0, 3, 0, 0, XSETBV), X86_EXC_UD);
}
END_TEST

START_TEST(config_key)
{
    x86_check_cpu_onoff_key("xsave");
}
END_TEST

Suite *x86_xsave_suite(void)
{
    Suite *s = suite_create("x86_xsave");
    TCase *t = tcase_create("xsave");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, cpuid_off_and_on);
    tcase_add_test(t, xsetbv_xgetbv);
    tcase_add_test(t, xsave_header_and_xinuse);
    tcase_add_test(t, xrstor_init_and_faults);
    tcase_add_test(t, compat_mode_xmm0_7);
    tcase_add_test(t, real_mode_xsave);
    tcase_add_test(t, config_key);
    suite_add_tcase(s, t);
    return s;
}
