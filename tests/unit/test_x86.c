/* Unit tests for the x86_64 interpreter through tests/unit/x86_fixture.h:
 * hand-checked results of a few instructions (flags of ADD/SUB/ADC/SBB at
 * the overflow boundaries, SDM vol. 1 App. A and vol. 2 "ADD".."SBB"),
 * #DE, a page fault's CR2 and error code (vol. 3A §4.7) and REP MOVSB's
 * restartable iterations (vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). */
#include <check.h>
#include <stdint.h>

#include "x86_fixture.h"

Suite *x86_suite(void);

#define FL6 (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Runs `code` (a HLT is appended) at X86F_CODE with RAX/RBX and the flags
 * given; returns what x86f_run_to_hlt returned. */
static int run_code(struct x86f *f, const uint8_t *code, size_t n, uint64_t rax, uint64_t rbx,
                    uint64_t flags)
{
    uint8_t buf[64];
    ck_assert_uint_lt(n, sizeof buf);
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, buf, n + 1);
    x86f_set_reg(f, RAX, rax);
    x86f_set_reg(f, RBX, rbx);
    x86f_set_flags(f, flags);
    return x86f_run_to_hlt(f, 1000, NULL);
}

struct flag_case {
    uint8_t code[4];
    uint8_t len;
    uint64_t rax, rbx, flags_in;
    uint64_t result, flags_out; /* RAX afterwards; the six arithmetic flags */
};

/* Each case checked by hand against the SDM's definitions: CF = unsigned
 * carry/borrow out of the operand, OF = signed overflow, AF = carry/borrow
 * out of bit 3, PF = even parity of the low byte. */
static const struct flag_case flag_cases[] = {
    /* add eax, ebx: 0x7fffffff + 1 = 0x80000000: OF, SF, AF, PF (low byte 0) */
    { { 0x01, 0xd8 }, 2, 0x7fffffff, 1, 0, 0x80000000, FL_OF | FL_SF | FL_AF | FL_PF },
    /* add al, bl: 0x80 + 0x80 = 0x100: CF, OF, ZF, PF; upper RAX bits kept */
    { { 0x00, 0xd8 }, 2, 0x1234580, 0x80, 0, 0x1234500, FL_CF | FL_OF | FL_ZF | FL_PF },
    /* sub eax, ebx: 0x80000000 - 1 = 0x7fffffff: OF, AF, PF (0xff) */
    { { 0x29, 0xd8 }, 2, 0x80000000, 1, 0, 0x7fffffff, FL_OF | FL_AF | FL_PF },
    /* sub rax, rbx: 0 - 1: CF, SF, AF, PF */
    { { 0x48, 0x29, 0xd8 }, 3, 0, 1, 0, ~0ull, FL_CF | FL_SF | FL_AF | FL_PF },
    /* adc rax, rbx with CF = 1: 0x7fff..ff + 0 + 1 = 0x8000..00: OF, SF, AF, PF */
    { { 0x48, 0x11, 0xd8 }, 3, 0x7fffffffffffffffull, 0, FL_CF, 0x8000000000000000ull,
      FL_OF | FL_SF | FL_AF | FL_PF },
    /* adc rax, rbx with CF = 1: ~0 + 0 + 1 = 0: CF, ZF, AF, PF, no OF */
    { { 0x48, 0x11, 0xd8 }, 3, ~0ull, 0, FL_CF, 0, FL_CF | FL_ZF | FL_AF | FL_PF },
    /* adc ax, bx with CF = 1: 0xffff + 0xffff + 1 = 0x1ffff: CF, SF, AF, PF */
    { { 0x66, 0x11, 0xd8 }, 3, 0xffff, 0xffff, FL_CF, 0xffff, FL_CF | FL_SF | FL_AF | FL_PF },
    /* sbb al, bl with CF = 1: 0x80 - 0 - 1 = 0x7f: OF, AF; no CF */
    { { 0x18, 0xd8 }, 2, 0x80, 0, FL_CF, 0x7f, FL_OF | FL_AF },
    /* sbb eax, ebx with CF = 1: 0 - 0 - 1 = 0xffffffff: CF, SF, AF, PF */
    { { 0x19, 0xd8 }, 2, 0, 0, FL_CF, 0xffffffff, FL_CF | FL_SF | FL_AF | FL_PF },
    /* sbb eax, ebx with CF = 1: 5 - 4 - 1 = 0: ZF, PF only */
    { { 0x19, 0xd8 }, 2, 5, 4, FL_CF, 0, FL_ZF | FL_PF },
};

START_TEST(alu_flags)
{
    struct x86f *f = x86f_new();
    const struct flag_case *t = &flag_cases[_i];
    int r = run_code(f, t->code, t->len, t->rax, t->rbx, t->flags_in);
    ck_assert_int_eq(r, X86F_HALTED);
    ck_assert_msg(x86f_reg(f, RAX) == t->result, "case %d: rax %#llx, want %#llx", _i,
                  (unsigned long long)x86f_reg(f, RAX), (unsigned long long)t->result);
    ck_assert_msg((x86f_flags(f) & FL6) == t->flags_out, "case %d: flags %#llx, want %#llx", _i,
                  (unsigned long long)(x86f_flags(f) & FL6), (unsigned long long)t->flags_out);
    x86f_free(f);
}
END_TEST

/* #DE (SDM vol. 2 "DIV"): divisor 0, and a quotient too big for EAX; a
 * fault, so the pushed RIP is the DIV itself and no register changed. */
START_TEST(div_de)
{
    struct x86f *f = x86f_new();
    static const uint8_t div_ebx[] = { 0xf7, 0xf3 };
    ck_assert_int_eq(run_code(f, div_ebx, 2, 100, 0, 0), X86_EXC_DE);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), X86F_CODE);
    ck_assert_uint_eq(x86f_reg(f, RAX), 100);

    /* EDX:EAX = 2:0 / 1: the quotient 0x200000000 does not fit */
    x86f_reset_cpu(f, X86F_CODE);
    uint8_t code[] = { 0xf7, 0xf3, 0xf4 };
    x86f_code(f, X86F_CODE, code, sizeof code);
    x86f_set_reg(f, RAX, 0);
    x86f_set_reg(f, RDX, 2);
    x86f_set_reg(f, RBX, 1);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86_EXC_DE);
    ck_assert_uint_eq(x86f_reg(f, RDX), 2);

    /* and a good one: 7:5 / 0x10 (unsigned) */
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, code, sizeof code);
    x86f_set_reg(f, RAX, 5);
    x86f_set_reg(f, RDX, 7);
    x86f_set_reg(f, RBX, 0x10);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x70000000);
    ck_assert_uint_eq(x86f_reg(f, RDX), 5);
    x86f_free(f);
}
END_TEST

/* XADD m8, r8 whose source register is part of the address (SDM vol. 2
 * XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP): the sum goes to the
 * address computed before CH changes. Found by x86-difftest --gen tables
 * (hvsim wrote CH first, then the sum to [new RCX - 0x10]). */
START_TEST(xadd_src_in_address)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[2][6] = {
        { 0x0f, 0xc0, 0x69, 0xf0, 0xf4 },       /* xadd [rcx - 0x10], ch */
        { 0xf0, 0x0f, 0xc0, 0x69, 0xf0, 0xf4 }, /* lock xadd [rcx - 0x10], ch */
    };
    for (int k = 0; k < 2; k++) {
        x86f_reset_cpu(f, X86F_CODE);
        x86f_code(f, X86F_CODE, code[k], 5u + (unsigned)k);
        uint64_t rcx = X86F_DATA + 0x3f10; /* CH = 0x3f; [rcx - 0x10] = DATA + 0x3f00 */
        x86f_w64(f, X86F_DATA + 0x3f00, 0x0c);
        x86f_w64(f, X86F_DATA + 0x0c00, 0x55); /* where the wrong address would point */
        x86f_set_reg(f, RCX, rcx);
        ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
        ck_assert_uint_eq(x86f_reg(f, RCX), X86F_DATA + 0x0c10);            /* CH = old dest */
        ck_assert_uint_eq(x86f_r64(f, X86F_DATA + 0x3f00), 0x0c + 0x3f);     /* dest = sum */
        ck_assert_uint_eq(x86f_r64(f, X86F_DATA + 0x0c00), 0x55);            /* untouched */
    }
    /* register form, the same register twice: DEST = TEMP is written last */
    static const uint8_t same[] = { 0x0f, 0xc1, 0xc0, 0xf4 }; /* xadd eax, eax */
    ck_assert_int_eq(run_code(f, same, sizeof same, 21, 0, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 42);
    x86f_free(f);
}
END_TEST

/* DAA DAS AAA AAS AAM AAD in 32-bit code (compatibility mode: the fixture's
 * CS with L = 0, D = 1): SDM vol. 2 pseudo-code and its DAA/DAS examples;
 * the results agree with an AMD host (x86-difftest --gen tables --mode
 * compat). */
static int run_compat(struct x86f *f, const uint8_t *code, size_t n, uint64_t rax, uint64_t flags)
{
    uint8_t buf[16];
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, buf, n + 1);
    f->x->seg[X86_CS].attr = (uint16_t)((f->x->seg[X86_CS].attr & ~SEG_L) | SEG_DB);
    x86_update_mode(f->x);
    ck_assert_uint_eq(f->x->code_size, 4);
    x86f_set_reg(f, RAX, rax);
    x86f_set_flags(f, flags);
    return x86f_run_to_hlt(f, 100, NULL);
}

START_TEST(bcd_adjust)
{
    struct x86f *f = x86f_new();
    static const uint8_t daa[] = { 0x27 }, das[] = { 0x2f }, aaa[] = { 0x37 }, aas[] = { 0x3f };
    static const uint8_t aam10[] = { 0xd4, 0x0a }, aad10[] = { 0xd5, 0x0a }, aam0[] = { 0xd4, 0x00 };
    /* SDM DAA example: 79H + 35H = AEH, DAA -> 14H, CF = AF = 1 */
    ck_assert_int_eq(run_compat(f, daa, 1, 0xae, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x14);
    ck_assert_uint_eq(x86f_flags(f) & (FL_CF | FL_AF), FL_CF | FL_AF);
    /* SDM DAS example: 35H - 47H = EEH, DAS -> 88H, CF = AF = 1 */
    ck_assert_int_eq(run_compat(f, das, 1, 0xee, FL_CF), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x88);
    ck_assert_uint_eq(x86f_flags(f) & (FL_CF | FL_AF), FL_CF | FL_AF);
    /* DAA without adjustment: 45H stays, CF = AF = 0 */
    ck_assert_int_eq(run_compat(f, daa, 1, 0x45, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x45);
    ck_assert_uint_eq(x86f_flags(f) & (FL_CF | FL_AF), 0);
    /* AAA: AX + 106H (AL = FAH carries into AH twice), AL AND 0FH */
    ck_assert_int_eq(run_compat(f, aaa, 1, 0x01fa, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x0300);
    ck_assert_uint_eq(x86f_flags(f) & (FL_CF | FL_AF), FL_CF | FL_AF);
    /* AAS: AX - 6 (borrows from AH), AH - 1, AL AND 0FH */
    ck_assert_int_eq(run_compat(f, aas, 1, 0x0203, FL_AF), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x000d);
    ck_assert_uint_eq(x86f_flags(f) & (FL_CF | FL_AF), FL_CF | FL_AF);
    /* AAM 10: 79 = 7 * 10 + 9; AAD 10: back */
    ck_assert_int_eq(run_compat(f, aam10, 2, 0x4f, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x0709);
    ck_assert_int_eq(run_compat(f, aad10, 2, 0x0709, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x4f);
    ck_assert_uint_eq(x86f_flags(f) & FL_ZF, 0);
    /* AAM 0: #DE */
    ck_assert_int_eq(run_compat(f, aam0, 2, 0x4f, 0), X86_EXC_DE);
    x86f_free(f);
}
END_TEST

/* Segment types on data accesses in protected mode (SDM vol. 3A §5.5 and
 * the §3.4.5.1 type table; vol. 2 MOV: #GP(0) for a non-writable
 * destination segment): compatibility mode, DS / CS attributes cleared of
 * `clear_ds` / `clear_cs`, RBX = X86F_DATA holding 0x11. Found by
 * x86-difftest --mode compat: a write through CS passed. */
static int run_seg(struct x86f *f, const uint8_t *code, size_t n, uint16_t clear_ds, uint16_t clear_cs)
{
    uint8_t buf[16];
    memcpy(buf, code, n);
    buf[n] = 0xf4;
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, buf, n + 1);
    f->x->seg[X86_CS].attr = (uint16_t)((f->x->seg[X86_CS].attr & ~SEG_L & ~clear_cs) | SEG_DB);
    f->x->seg[X86_DS].attr = (uint16_t)(f->x->seg[X86_DS].attr & ~clear_ds);
    x86_update_mode(f->x);
    ck_assert_uint_eq(f->x->code_size, 4);
    uint32_t v = 0x11;
    ck_assert(bus_write(&f->m->bus, X86F_DATA, 4, v));
    x86f_set_reg(f, RBX, X86F_DATA);
    x86f_set_reg(f, RAX, 0x22);
    return x86f_run_to_hlt(f, 100, NULL);
}

static uint64_t data_word(struct x86f *f)
{
    uint64_t v = 0;
    ck_assert(bus_read(&f->m->bus, X86F_DATA, 4, &v));
    return v;
}

START_TEST(segment_types)
{
    struct x86f *f = x86f_new();
    static const uint8_t st[] = { 0x89, 0x03 }, rmw[] = { 0x01, 0x03 }, ld[] = { 0x8b, 0x03 };
    static const uint8_t cs_st[] = { 0x2e, 0x89, 0x03 }, cs_ld[] = { 0x2e, 0x8b, 0x03 };
    ck_assert(f->x->seg[X86_DS].attr & SEG_W_R);
    ck_assert(f->x->seg[X86_CS].attr & SEG_W_R); /* the fixture's code segment is readable */
    /* writable data: store, read-modify-write and load run */
    ck_assert_int_eq(run_seg(f, st, 2, 0, 0), X86F_HALTED);
    ck_assert_uint_eq(data_word(f), 0x22);
    ck_assert_int_eq(run_seg(f, rmw, 2, 0, 0), X86F_HALTED);
    ck_assert_uint_eq(data_word(f), 0x33);
    /* read-only data: the store and the read-modify-write are #GP(0) and
     * leave memory alone, the load runs */
    ck_assert_int_eq(run_seg(f, st, 2, SEG_W_R, 0), X86_EXC_GP);
    ck_assert_uint_eq(data_word(f), 0x11);
    ck_assert_int_eq(run_seg(f, rmw, 2, SEG_W_R, 0), X86_EXC_GP);
    ck_assert_uint_eq(data_word(f), 0x11);
    ck_assert_int_eq(run_seg(f, ld, 2, SEG_W_R, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x11);
    /* a readable code segment: CS: loads run, CS: stores are #GP(0) */
    ck_assert_int_eq(run_seg(f, cs_ld, 3, 0, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x11);
    ck_assert_int_eq(run_seg(f, cs_st, 3, 0, 0), X86_EXC_GP);
    ck_assert_uint_eq(data_word(f), 0x11);
    /* an execute-only code segment: a CS: load is #GP(0) too */
    ck_assert_int_eq(run_seg(f, cs_ld, 3, 0, SEG_W_R), X86_EXC_GP);
    x86f_free(f);
}
END_TEST

/* #PF: CR2 = the linear address, error code (SDM vol. 3A §4.7 Figure
 * 4-12) P = 0 for a not-present page, W for a write; P = 1 for a write to
 * a read-only page with CR0.WP = 1 at CPL 0. The handler's frame has the
 * error code at [RSP] and the faulting RIP above it. */
START_TEST(page_fault)
{
    struct x86f *f = x86f_new();
    static const uint8_t load[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x40 }; /* mov rax, [0x40000000] */
    static const uint8_t store[] = { 0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x00, 0x40 }; /* mov [0x40000000], rax */
    ck_assert_int_eq(run_code(f, load, sizeof load, 0x55, 0, 0), X86_EXC_PF);
    ck_assert_uint_eq(f->x->cr2, 0x40000000);
    uint64_t sp = x86f_reg(f, RSP);
    ck_assert_uint_eq(x86f_r64(f, sp), 0);
    ck_assert_uint_eq(x86f_r64(f, sp + 8), X86F_CODE);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x55);

    ck_assert_int_eq(run_code(f, store, sizeof store, 0x55, 0, 0), X86_EXC_PF);
    ck_assert_uint_eq(f->x->cr2, 0x40000000);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), PF_W);

    /* present and read-only: the load works, the store faults with P|W */
    x86f_map_2m(f, 0x40000000, X86F_DATA, X86F_PTE_P);
    x86f_w64(f, X86F_DATA, 0x1122334455667788ull);
    ck_assert_int_eq(run_code(f, load, sizeof load, 0, 0, 0), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RAX), 0x1122334455667788ull);
    ck_assert_int_eq(run_code(f, store, sizeof store, 1, 0, 0), X86_EXC_PF);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), PF_P | PF_W);
    ck_assert_uint_eq(x86f_r64(f, X86F_DATA), 0x1122334455667788ull);
    x86f_free(f);
}
END_TEST

/* 32-bit paging (not PAE) with CR4.PSE (SDM vol. 3A §4.3, Figures 4-4
 * and 4-5): a PDE with PS = 1 maps a 4 MiB page (bits 31:22 of the
 * address), one with PS = 0 a page table of 4 KiB pages; the accessed flag
 * of the 4 MiB PDE on a read, accessed and dirty of the PTE on a write
 * (§4.8); a not-present PDE is #PF with CR2 and error code 0 (write: W),
 * delivered through a 32-bit interrupt gate. */
#define P32_PD   0x20000ull
#define P32_PT   0x21000ull
#define P32_IDT  0x22000ull
#define P32_PF   0x23000ull /* the #PF handler: HLT */
START_TEST(paging32_pse_4m)
{
    struct x86f *f = x86f_new();
    struct x86_cpu *x = f->x;
    for (unsigned i = 0; i < 1024; i++) {
        uint32_t z = 0;
        x86f_write(f, P32_PD + 4 * i, &z, 4);
        x86f_write(f, P32_PT + 4 * i, &z, 4);
    }
    uint32_t e;
    for (uint32_t i = 0; i < 4; i++) { /* linear 0-16 MiB identity: 4 MiB pages, P RW PS */
        e = i << 22 | 0x83;
        x86f_write(f, P32_PD + 4 * i, &e, 4);
    }
    e = 0x800000 | 0x83; /* linear 40000000H -> 800000H, a 4 MiB page */
    x86f_write(f, P32_PD + 4 * 0x100, &e, 4);
    e = (uint32_t)P32_PT | 0x03; /* linear 40400000H: a page table */
    x86f_write(f, P32_PD + 4 * 0x101, &e, 4);
    e = 0x900000 | 0x03; /* its page 5 -> 900000H */
    x86f_write(f, P32_PT + 4 * 5, &e, 4);
    /* a 32-bit code segment 18h, the #PF gate (32-bit interrupt gate) */
    x86f_w64(f, X86F_GDT + 0x18, 0x00cf9b000000ffffull);
    x86f_w64(f, P32_IDT + 8 * 14, (P32_PF & 0xffff) | 0x18ull << 16 | 0x8eull << 40 | (P32_PF >> 16) << 48);
    uint8_t hlt = 0xf4;
    x86f_write(f, P32_PF, &hlt, 1);
    x86f_w64(f, 0x800120, 0x1122334455667788ull);
    /* legacy protected mode, 32-bit paging with PSE */
    x->efer = 0;
    x->cr4 = CR4_PSE;
    x->cr3 = P32_PD;
    x->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
    x->gdt_limit = 31;
    x->idt_base = P32_IDT;
    x->idt_limit = 0x7ff;
    x->seg[X86_CS] = (struct x86_segment){ .sel = 0x18, .base = 0, .limit = 0xffffffff,
                                           .attr = SEG_P | SEG_S | SEG_CODE | SEG_W_R | SEG_A | SEG_DB | SEG_G };
    for (int s = 0; s < 6; s++)
        if (s != X86_CS)
            x->seg[s] = (struct x86_segment){ .sel = 0x10, .base = 0, .limit = 0xffffffff,
                                              .attr = SEG_P | SEG_S | SEG_W_R | SEG_A | SEG_DB | SEG_G };
    x86_update_mode(x);
    x86_tlb_flush(x, true);
    ck_assert_uint_eq(x->code_size, 4);
    /* mov eax, [40000123h]; mov [40405abch], eax; hlt */
    static const uint8_t code[] = { 0xa1, 0x23, 0x01, 0x00, 0x40, 0xa3, 0xbc, 0x5a, 0x40, 0x40, 0xf4 };
    x86f_code(f, X86F_CODE, code, sizeof code);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(x->rip, X86F_CODE + sizeof code);
    ck_assert_uint_eq(x->r[RAX] & 0xffffffffu, 0x22334455u); /* bytes 123h..126h of the 4 MiB page */
    uint32_t v;
    x86f_read(f, 0x900abc, &v, 4); /* PTE 5 -> 900000H, offset ABCh */
    ck_assert_uint_eq(v, 0x22334455u);
    x86f_read(f, P32_PD + 4 * 0x100, &v, 4);
    ck_assert_uint_eq(v & 0x60, 0x20); /* 4 MiB PDE: accessed, not dirty */
    x86f_read(f, P32_PD + 4 * 0x101, &v, 4);
    ck_assert_uint_eq(v & 0x20, 0x20); /* PDE of the page table: accessed */
    x86f_read(f, P32_PT + 4 * 5, &v, 4);
    ck_assert_uint_eq(v & 0x60, 0x60); /* PTE: accessed and dirty */
    /* not present: #PF, CR2, error code 0 at [ESP] */
    static const uint8_t miss[] = { 0xa1, 0x00, 0x00, 0x80, 0x40, 0xf4 }; /* mov eax, [40800000h] */
    x86f_code(f, X86F_CODE, miss, sizeof miss);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(x->rip, P32_PF + 1);
    ck_assert_uint_eq(x->cr2, 0x40800000u);
    x86f_read(f, x->r[RSP] & 0xffffffffu, &v, 4);
    ck_assert_uint_eq(v, 0);
    x86f_read(f, (x->r[RSP] & 0xffffffffu) + 4, &v, 4);
    ck_assert_uint_eq(v, X86F_CODE);
    x86f_free(f);
}
END_TEST

/* CPUID reports only what is implemented (issue 10 clause 1): for every
 * feature bit of leaves 1, 7 and 80000001H that names instructions, one
 * of them runs (no #UD) when the bit is set; for the bits of features the
 * model does not have (AVX, FMA, RDRAND, ...) the bit is clear and the
 * instruction is #UD. The fixture's CPU has no local APIC, VMX or XSAVE. */
struct cpuid_insn {
    uint32_t leaf, reg, bit; /* reg: 0 EAX 1 EBX 2 ECX 3 EDX */
    const char *what;
    uint8_t code[8];
    size_t n;
};
static int run_feature(struct x86f *f, const struct cpuid_insn *c)
{
    uint8_t buf[16];
    memcpy(buf, c->code, c->n);
    buf[c->n] = 0xf4;
    x86f_reset_cpu(f, X86F_CODE);
    f->x->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    x86f_code(f, X86F_CODE, buf, c->n + 1);
    x86f_set_reg(f, RCX, 0x10); /* RDMSR: IA32_TSC */
    x86f_set_reg(f, RAX, 2);    /* INVPCID type 2 */
    x86f_set_reg(f, RSP, X86F_STACK - 0x400);
    x86f_w64(f, X86F_STACK - 0x400, 0); /* [rsp]: a zero INVPCID descriptor */
    x86f_w64(f, X86F_STACK - 0x3f8, 0);
    return x86f_run_to_hlt(f, 100, NULL);
}
START_TEST(cpuid_only_implemented)
{
    static const struct cpuid_insn t[] = {
#define I(l, r, b, w, ...) { l, r, b, w, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) }
        I(1, 3, 0, "FPU: fld1", 0xd9, 0xe8),
        I(1, 3, 4, "TSC: rdtsc", 0x0f, 0x31),
        I(1, 3, 5, "MSR: rdmsr", 0x0f, 0x32),
        I(1, 3, 8, "CX8: cmpxchg8b [rsp]", 0x0f, 0xc7, 0x0c, 0x24),
        I(1, 3, 15, "CMOV: cmove eax, ecx", 0x0f, 0x44, 0xc1),
        I(1, 3, 23, "MMX: paddb mm0, mm1", 0x0f, 0xfc, 0xc1),
        I(1, 3, 24, "FXSR: fxsave [rsp]", 0x0f, 0xae, 0x04, 0x24),
        I(1, 3, 25, "SSE: addps", 0x0f, 0x58, 0xc1),
        I(1, 3, 26, "SSE2: addpd", 0x66, 0x0f, 0x58, 0xc1),
        I(1, 2, 0, "SSE3: addsubpd", 0x66, 0x0f, 0xd0, 0xc1),
        I(1, 2, 1, "PCLMULQDQ", 0x66, 0x0f, 0x3a, 0x44, 0xc1, 0x00),
        I(1, 2, 9, "SSSE3: pshufb", 0x66, 0x0f, 0x38, 0x00, 0xc1),
        I(1, 2, 13, "CX16: cmpxchg16b [rsp]", 0x48, 0x0f, 0xc7, 0x0c, 0x24),
        I(1, 2, 19, "SSE4.1: ptest", 0x66, 0x0f, 0x38, 0x17, 0xc1),
        I(1, 2, 20, "SSE4.2: crc32 eax, cl", 0xf2, 0x0f, 0x38, 0xf0, 0xc1),
        I(1, 2, 22, "MOVBE: movbe eax, [rsp]", 0x0f, 0x38, 0xf0, 0x04, 0x24),
        I(1, 2, 23, "POPCNT", 0xf3, 0x0f, 0xb8, 0xc1),
        I(1, 2, 25, "AES: aesenc", 0x66, 0x0f, 0x38, 0xdc, 0xc1),
        I(7, 1, 3, "BMI1: andn eax, ecx, ecx", 0xc4, 0xe2, 0x70, 0xf2, 0xc1),
        I(7, 1, 8, "BMI2: pdep eax, ecx, ecx", 0xc4, 0xe2, 0x73, 0xf5, 0xc1),
        I(7, 1, 10, "INVPCID: invpcid rax, [rsp]", 0x66, 0x0f, 0x38, 0x82, 0x04, 0x24),
        I(7, 1, 19, "ADX: adcx eax, ecx", 0x66, 0x0f, 0x38, 0xf6, 0xc1),
        I(7, 1, 20, "SMAP: clac", 0x0f, 0x01, 0xca),
        I(0x80000001, 2, 0, "LAHF64: lahf", 0x9f),
        I(0x80000001, 2, 5, "LZCNT", 0xf3, 0x0f, 0xbd, 0xc1),
        I(0x80000001, 3, 27, "RDTSCP", 0x0f, 0x01, 0xf9),
        /* not implemented: clear, and #UD */
        I(1, 2, 12, "FMA: vfmadd132ps", 0xc4, 0xe2, 0x71, 0x98, 0xc1),
        I(1, 2, 26, "XSAVE (off): xgetbv", 0x0f, 0x01, 0xd0),
        I(1, 2, 28, "AVX: vaddps", 0xc5, 0xf0, 0x58, 0xc1),
        I(1, 2, 29, "F16C: vcvtph2ps", 0xc4, 0xe2, 0x79, 0x13, 0xc1),
        I(1, 2, 30, "RDRAND: rdrand eax", 0x0f, 0xc7, 0xf0),
        I(7, 1, 5, "AVX2: vpaddd ymm", 0xc5, 0xfd, 0xfe, 0xc1),
        I(7, 1, 18, "RDSEED: rdseed eax", 0x0f, 0xc7, 0xf8),
        I(7, 1, 29, "SHA: sha1rnds4", 0x0f, 0x3a, 0xcc, 0xc1, 0x00),
        I(7, 2, 22, "RDPID: rdpid rax", 0xf3, 0x0f, 0xc7, 0xf8),
        I(0x80000001, 2, 6, "SSE4a: extrq", 0x66, 0x0f, 0x78, 0xc0, 0x00, 0x00),
#undef I
    };
    struct x86f *f = x86f_new();
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint32_t o[4];
        x86_cpuid(f->x, t[i].leaf, 0, o);
        bool reported = (o[t[i].reg] >> t[i].bit) & 1;
        int r = run_feature(f, &t[i]);
        if (reported)
            ck_assert_msg(r == X86F_HALTED, "%s: reported, but the instruction gives %d", t[i].what, r);
        else
            ck_assert_msg(r == X86_EXC_UD, "%s: not reported, the instruction gives %d (not #UD)", t[i].what, r);
    }
    x86f_free(f);
}
END_TEST

/* A task gate in the IDT in IA-32e mode is #GP(vector * 8 + 2) (SDM vol.
 * 3A §6.14.1: only 64-bit interrupt and trap gates; task switches are not
 * supported in IA-32e mode), and so is IRET with NT = 1 (#GP(0)); outside
 * it both are task switches (task.c, the tasks test kernel). */
START_TEST(task_gate_long_mode)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = { 0xcd, 0x40 }; /* int 0x40 */
    x86f_w64(f, X86F_IDT + 16 * 0x40, 0x18ull << 16 | 0xe5ull << 40); /* task gate, DPL 3, P */
    x86f_w64(f, X86F_IDT + 16 * 0x40 + 8, 0);
    ck_assert_int_eq(run_code(f, code, sizeof code, 0, 0, 0), X86_EXC_GP);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), 0x40 * 8 + 2);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP) + 8), X86F_CODE);
    /* IRETQ with RFLAGS.NT = 1 in IA-32e mode, a valid frame: #GP(0) at
     * the IRETQ (with NT = 0 the same code runs to its HLT) */
    static const uint8_t iret[] = {
        0x48, 0x89, 0xe0,                         /* mov rax, rsp */
        0x6a, 0x10, 0x50, 0x9c, 0x6a, 0x08,       /* push 0x10; push rax; pushfq; push 0x08 */
        0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* lea rcx, [rip + 3] (the HLT) */
        0x51, 0x48, 0xcf,                         /* push rcx; iretq */
    };
    ck_assert_int_eq(run_code(f, iret, sizeof iret, 0, 0, 0), X86F_HALTED);
    ck_assert_int_eq(run_code(f, iret, sizeof iret, 0, 0, FL_NT), X86_EXC_GP);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP)), 0);
    ck_assert_uint_eq(x86f_r64(f, x86f_reg(f, RSP) + 8), X86F_CODE + 17);
    x86f_free(f);
}
END_TEST

/* REP MOVSB runs one iteration per instruction slot with RIP on the
 * instruction until RCX = 0 (docs/x86.md): stopped after 3 slots it has
 * copied 3 bytes with RCX = 2; run on, it finishes; with RCX = 0 it copies
 * nothing. DF = 1 walks down. */
START_TEST(rep_movsb)
{
    struct x86f *f = x86f_new();
    static const uint8_t code[] = { 0xf3, 0xa4, 0xf4 }; /* rep movsb; hlt */
    const uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t zero[8] = { 0 }, got[8];
    x86f_write(f, X86F_DATA, src, sizeof src);
    x86f_write(f, X86F_DATA + 0x100, zero, sizeof zero);
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, code, sizeof code);
    x86f_set_reg(f, RSI, X86F_DATA);
    x86f_set_reg(f, RDI, X86F_DATA + 0x100);
    x86f_set_reg(f, RCX, 5);
    ck_assert_uint_eq(x86f_run(f, 3), 3);
    ck_assert_uint_eq(f->x->rip, X86F_CODE);
    ck_assert_uint_eq(x86f_reg(f, RCX), 2);
    x86f_read(f, X86F_DATA + 0x100, got, sizeof got);
    ck_assert(got[0] == 1 && got[2] == 3 && got[3] == 0);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(f->x->rip, X86F_CODE + 3);
    ck_assert_uint_eq(x86f_reg(f, RCX), 0);
    ck_assert_uint_eq(x86f_reg(f, RSI), X86F_DATA + 5);
    ck_assert_uint_eq(x86f_reg(f, RDI), X86F_DATA + 0x105);
    x86f_read(f, X86F_DATA + 0x100, got, sizeof got);
    ck_assert(memcmp(got, src, 5) == 0 && got[5] == 0);

    /* RCX = 0: nothing moves, the registers stay */
    x86f_write(f, X86F_DATA + 0x100, zero, sizeof zero);
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, code, sizeof code);
    x86f_set_reg(f, RSI, X86F_DATA);
    x86f_set_reg(f, RDI, X86F_DATA + 0x100);
    uint64_t ran;
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, &ran), X86F_HALTED);
    ck_assert_uint_eq(ran, 2);
    ck_assert_uint_eq(x86f_reg(f, RSI), X86F_DATA);
    x86f_read(f, X86F_DATA + 0x100, got, sizeof got);
    ck_assert(memcmp(got, zero, sizeof got) == 0);

    /* DF = 1: from the last byte down */
    x86f_reset_cpu(f, X86F_CODE);
    x86f_code(f, X86F_CODE, code, sizeof code);
    x86f_set_flags(f, FL_DF);
    x86f_set_reg(f, RSI, X86F_DATA + 7);
    x86f_set_reg(f, RDI, X86F_DATA + 0x107);
    x86f_set_reg(f, RCX, 2);
    ck_assert_int_eq(x86f_run_to_hlt(f, 100, NULL), X86F_HALTED);
    ck_assert_uint_eq(x86f_reg(f, RDI), X86F_DATA + 0x105);
    x86f_read(f, X86F_DATA + 0x100, got, sizeof got);
    ck_assert(got[7] == 8 && got[6] == 7 && got[5] == 0);
    x86f_free(f);
}
END_TEST

Suite *x86_suite(void)
{
    Suite *s = suite_create("x86");
    TCase *tc = tcase_create("interp");
    tcase_add_loop_test(tc, alu_flags, 0, (int)(sizeof flag_cases / sizeof flag_cases[0]));
    tcase_add_test(tc, div_de);
    tcase_add_test(tc, xadd_src_in_address);
    tcase_add_test(tc, bcd_adjust);
    tcase_add_test(tc, segment_types);
    tcase_add_test(tc, page_fault);
    tcase_add_test(tc, paging32_pse_4m);
    tcase_add_test(tc, cpuid_only_implemented);
    tcase_add_test(tc, rep_movsb);
    tcase_add_test(tc, task_gate_long_mode);
    suite_add_tcase(s, tc);
    return s;
}
