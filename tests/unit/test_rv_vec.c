/* Unit tests of the V 1.0 vector state (src/cpu/riscv/vector.c): the
 * VLMAX / vill table of vsetvl, the AVL rule, and the mstatus.VS /
 * vsstatus.VS rules with the H extension. Expected values are worked out
 * from the "V" spec 1.0: §3.4 (SEW = 8 << vsew, LMUL = 2^vlmul, vlmul 100
 * reserved, fractional LMUL needs SEW <= LMUL * ELEN, ELEN = 64 here), §3.4
 * VLMAX = LMUL * VLEN / SEW, §6.3 (vl = AVL when AVL <= VLMAX), §3.2 and
 * priv §8.2.10 (VS in mstatus and vsstatus). */
#include <check.h>
#include "rv_fixture_h.h"
#include "../../src/cpu/riscv/vector.h"
#include "../../src/cpu/riscv/isa.h"

/* VLMAX at VLEN = 128 for vsew 0..7 (rows) x vlmul 0..7 (columns: m1 m2 m4
 * m8 reserved mf8 mf4 mf2); 0 = vill. */
static const unsigned vlmax128[8][8] = {
    /* e8  */ { 16, 32, 64, 128, 0, 2, 4, 8 },
    /* e16 */ { 8, 16, 32, 64, 0, 0, 2, 4 },   /* mf8: 16 > 64/8 */
    /* e32 */ { 4, 8, 16, 32, 0, 0, 0, 2 },    /* mf4: 32 > 64/4 */
    /* e64 */ { 2, 4, 8, 16, 0, 0, 0, 0 },     /* mf2: 64 > 64/2 */
    /* e128..e1024: SEW > ELEN */
    { 0 }, { 0 }, { 0 }, { 0 },
};

START_TEST(test_vlmax_table)
{
    for (unsigned vsew = 0; vsew < 8; vsew++)
        for (unsigned vlmul = 0; vlmul < 8; vlmul++) {
            uint64_t vt = vsew << 3 | vlmul;
            /* VLEN 128 .. 1024: the table scaled by VLEN / 128 */
            for (unsigned vlenb = 16; vlenb <= 128; vlenb *= 2)
                for (uint64_t pol = 0; pol < 4; pol++) /* vta/vma change nothing */
                    ck_assert_msg(rv_vec_vlmax(vt | pol << 6, vlenb) == vlmax128[vsew][vlmul] * (vlenb / 16),
                                  "vsew %u vlmul %u vlenb %u", vsew, vlmul, vlenb);
        }
}
END_TEST

START_TEST(test_vlmax_reserved_bits)
{
    ck_assert_uint_eq(rv_vec_vlmax(0x00, 16), 16);
    ck_assert_uint_eq(rv_vec_vlmax(0x100, 16), 0);            /* bit 8 reserved */
    ck_assert_uint_eq(rv_vec_vlmax(1ull << 62, 16), 0);
    ck_assert_uint_eq(rv_vec_vlmax(RV_VTYPE_VILL | 0x00, 16), 0); /* vill from vsetvl rs2 */
}
END_TEST

START_TEST(test_vl_for)
{
    ck_assert_uint_eq(rv_vec_vl_for(0, 8), 0);
    ck_assert_uint_eq(rv_vec_vl_for(5, 8), 5);
    ck_assert_uint_eq(rv_vec_vl_for(8, 8), 8);
    ck_assert_uint_eq(rv_vec_vl_for(9, 8), 8);
    ck_assert_uint_eq(rv_vec_vl_for(UINT64_MAX, 2), 2);
}
END_TEST

#define VS_OFF 0ull
#define VS_INIT (1ull << 9)
#define VS_DIRTY (3ull << 9)
#define CSR_VLENB 0xc22
/* vsetvli a0, a1, e32, m1 */
#define VSETVLI_A0_A1_E32 0x0105f557u

/* With V=1 the vector unit needs both mstatus.VS and vsstatus.VS non-Off;
 * using it makes both Dirty. */
START_TEST(test_vs_with_h)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rv_hart_set_ext(m->cpus[0], RV_EXT_V);
    rv_vec_reset(h);
    uint64_t v;
    /* HS (V=0): mstatus.VS alone */
    rv_set_priv(h, PRV_S);
    h->mstatus = (h->mstatus & ~MSTATUS_VS) | VS_OFF;
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_VLENB, &v), EXC_ILLEGAL_INSN);
    h->mstatus |= VS_INIT;
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_VLENB, &v), 0);
    ck_assert_uint_eq(v, 16);
    /* VS mode: vsstatus.VS Off -> illegal (not virtual), even with mstatus.VS on */
    h->virt = true;
    rv_update_modes(h);
    h->vsstatus &= ~MSTATUS_VS;
    ck_assert(!rv_vec_csr_ok(h));
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_VLENB, &v), EXC_ILLEGAL_INSN);
    h->vsstatus |= VS_INIT;
    h->mstatus &= ~MSTATUS_VS;
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_VLENB, &v), EXC_ILLEGAL_INSN);
    h->mstatus |= VS_INIT;
    ck_assert_int_eq(rvf_csr_read_at(h, CSR_VLENB, &v), 0);
    /* vsetvli in VS mode: vl = min(7, VLMAX 4), both VS fields Dirty */
    h->x[11] = 7;
    ck_assert(rv_vec_exec(h, VSETVLI_A0_A1_E32));
    ck_assert_uint_eq(h->x[10], 4);
    ck_assert_uint_eq(h->mstatus & MSTATUS_VS, VS_DIRTY);
    ck_assert_uint_eq(h->vsstatus & MSTATUS_VS, VS_DIRTY);
    /* vsstatus.VS is writable through sstatus in VS mode (vs_wmask) */
    ck_assert_int_eq(rvf_csr_write_at(h, 0x100, 0), 0);
    ck_assert_uint_eq(h->vsstatus & MSTATUS_VS, 0);
    ck_assert_uint_eq(h->mstatus & MSTATUS_VS, VS_DIRTY);
    ck_assert(!rv_vec_exec(h, VSETVLI_A0_A1_E32)); /* raises illegal instruction */
    rvf_machine_free(m);
}
END_TEST

/* A vector load in VS mode goes through both stages: element 4 crosses
 * into a guest-physical page the G stage does not map -> load guest-page
 * fault to M (tval = the GVA, mtval2 = GPA >> 2, mtinst = 0: no transformed
 * form for vector accesses), vstart = 4, elements 0..3 loaded; once the page
 * is mapped the same instruction restarts at element 4. */
START_TEST(test_vs_mode_gstage_fault)
{
    struct rvh_env e = rvh_env_new(RVH_SV39);
    struct rv_hart *h = e.h;
    rv_hart_set_ext(e.m->cpus[0], RV_EXT_V);
    rv_vec_reset(h);
    const uint64_t g = RVH_V | RVH_R | RVH_W | RVH_X | RVH_U | RVH_A | RVH_D;
    rvh_gmap(&e, 0xc0000000ull, 0x80500000ull, g, 0);
    rvf_w32(e.m, 0x80500ffcull, 0x44332211u);
    rvf_w32(e.m, 0x80501000ull, 0x88776655u);
    h->mstatus |= VS_INIT;
    h->vsstatus |= VS_INIT;
    h->vec.vtype = 0;                          /* e8, m1 */
    h->vec.vl = 8;
    h->x[6] = 0xc0000ffcull;
    RVH_ASSERT_TRAP(rvh_step(&e, true, PRV_S, 0x02030087u /* vle8.v v1, (x6) */), RVH_TO_M,
                    EXC_LOAD_GUEST_PAGE_FAULT);
    ck_assert_uint_eq(h->mtval, 0xc0001000ull);
    ck_assert_uint_eq(h->mtval2, 0xc0001000ull >> 2);
    ck_assert_uint_eq(h->mtinst, 0);
    ck_assert_uint_eq(h->vec.vstart, 4);
    ck_assert_uint_eq(rv_load_le(h->vec.reg + 16, 4), 0x44332211u);
    ck_assert_uint_eq(h->vsstatus & MSTATUS_VS, VS_DIRTY);
    /* map the page, clear elements 0..3: the restart loads only 4..7 */
    rvh_gmap(&e, 0xc0001000ull, 0x80501000ull, g, 0);
    memset(h->vec.reg + 16, 0, 4);
    RVH_ASSERT_NO_TRAP(rvh_step(&e, true, PRV_S, 0x02030087u));
    ck_assert_uint_eq(rv_load_le(h->vec.reg + 16, 8), 0x8877665500000000ull);
    ck_assert_uint_eq(h->vec.vstart, 0);
    rvh_env_free(&e);
}
END_TEST

/* Without V, mstatus.VS stays read-only zero (the default board). */
START_TEST(test_vs_readonly_without_v)
{
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rvf_csrw(h, 0x300, h->mstatus | VS_DIRTY);
    ck_assert_uint_eq(h->mstatus & MSTATUS_VS, 0);
    uint64_t v;
    ck_assert(!rv_csr_read_raw(h, CSR_VLENB, &v));
    rv_hart_set_ext(m->cpus[0], RV_EXT_V);
    rvf_csrw(h, 0x300, h->mstatus | VS_DIRTY);
    ck_assert_uint_eq(h->mstatus & MSTATUS_VS, VS_DIRTY);
    ck_assert(rvf_csrr(h, 0x300) >> 63);                       /* SD */
    ck_assert_uint_eq(rvf_csrr(h, 0x301) >> 21 & 1, 1);        /* misa.V */
    rvf_machine_free(m);
}
END_TEST

/* Random vector encodings (OP-V, LOAD-FP/STORE-FP with vector widths) on
 * random vtypes, VLEN 128 and 1024, with base registers in RAM, at its
 * end and unmapped: nothing may crash or leave the state out of range
 * (vl <= VLMAX, vstart < VLEN, vill => vl = 0). A guest never crashes the
 * simulator (docs/riscv.md "Vector"). */
static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(test_fuzz)
{
    static const uint32_t opc[4] = { 0x57, 0x57, 0x07, 0x27 };
    static const uint32_t widths[4] = { 0, 5, 6, 7 };
    uint64_t seed = 0x9e3779b97f4a7c15ull + (uint64_t)_i;
    struct machine *m = rvf_machine_new(1);
    struct rv_hart *h = rvf_hart(m, 0);
    rv_hart_set_ext(m->cpus[0], RV_EXT_V);
    rv_hart_set_vlen(m->cpus[0], _i ? 1024 : 128);
    rv_vec_reset(h);
    for (int n = 0; n < 200000; n++) {
        h->mstatus |= VS_INIT;
        rv_set_priv(h, PRV_M);
        uint64_t r = xs(&seed);
        if (n % 8 == 0) {                      /* a new random vtype/AVL */
            h->x[5] = xs(&seed) & 0x1ff;
            h->x[6] = xs(&seed) % 300;
            ck_assert(rv_vec_exec(h, 0x80000057u | 5u << 20 | 6u << 15 | 7u << 12)); /* vsetvl x0, t1, t0 */
        }
        for (int k = 1; k < 32; k++) {         /* bases: RAM, RAM's end, nowhere */
            uint64_t sel = xs(&seed) % 4;
            h->x[k] = sel == 0 ? RVF_RAM + (xs(&seed) & 0xffff) : sel == 1 ? RVF_RAM + RVF_RAM_SIZE - (xs(&seed) & 0xff)
                    : sel == 2 ? xs(&seed) : (xs(&seed) & 0xff);
        }
        uint32_t raw = (uint32_t)(r >> 7) << 7;
        unsigned o = (unsigned)(r >> 40) & 3;
        raw = (raw & ~0x7fu) | opc[o];
        if (o >= 2)
            raw = (raw & ~(7u << 12)) | widths[(r >> 50) & 3] << 12;
        if (((raw >> 12) & 7) == 7 && opc[o] == 0x57)
            raw &= ~(7u << 12);                /* vset* is covered above */
        rv_vec_exec(h, raw);
        uint64_t vlmax = rv_vec_vlmax(h->vec.vtype, h->vec.vlenb);
        ck_assert_uint_le(h->vec.vl, vlmax);
        ck_assert_uint_lt(h->vec.vstart, (uint64_t)h->vec.vlenb * 8);
        h->vec.vstart = 0;                     /* as if the trap handler finished the restart */
    }
    rvf_machine_free(m);
}
END_TEST

/* riscv,isa-extensions (the DTB's string list) names "v" exactly when the
 * ISA string enables it, right after the single letters of the base */
START_TEST(test_isa_extension_list_v)
{
    char buf[512];
    size_t n = rv_isa_extension_list("rv64imafdcvh_zicsr_zifencei", buf, sizeof buf);
    static const char with_v[] = "i\0m\0a\0f\0d\0c\0h\0v\0zicsr";
    ck_assert_uint_gt(n, sizeof with_v);
    ck_assert_mem_eq(buf, with_v, sizeof with_v);
    n = rv_isa_extension_list("rv64imafdch_zicsr_zifencei", buf, sizeof buf);
    static const char without_v[] = "i\0m\0a\0f\0d\0c\0h\0zicsr";
    ck_assert_uint_gt(n, sizeof without_v);
    ck_assert_mem_eq(buf, without_v, sizeof without_v);
}
END_TEST

/* The Zve/Zvl names V implies (V 1.0 §18): Zve64d and what it includes,
 * Zvl32b .. Zvl<VLEN>b, alphabetical; in the ISA string before the first
 * s-extension, and the string unchanged without v */
START_TEST(test_isa_vector_names)
{
    char buf[512];
    size_t n = rv_isa_vector_list(128, buf, sizeof buf);
    static const char l128[] = "zve32f\0zve32x\0zve64d\0zve64f\0zve64x\0zvl128b\0zvl32b\0zvl64b";
    ck_assert_uint_eq(n, sizeof l128);
    ck_assert_mem_eq(buf, l128, sizeof l128);
    n = rv_isa_vector_list(1024, buf, sizeof buf);
    static const char l1024[] = "zve32f\0zve32x\0zve64d\0zve64f\0zve64x\0zvl1024b\0zvl128b\0zvl256b\0"
                                "zvl32b\0zvl512b\0zvl64b";
    ck_assert_uint_eq(n, sizeof l1024);
    ck_assert_mem_eq(buf, l1024, sizeof l1024);
    ck_assert_uint_eq(rv_isa_vector_list(128, buf, 20), 0);     /* does not fit */
    n = rv_isa_string_with_vector("rv64imafdcvh_zicsr_zba_sstc_sdtrig", 256, buf, sizeof buf);
    ck_assert_str_eq(buf, "rv64imafdcvh_zicsr_zba_zve32f_zve32x_zve64d_zve64f_zve64x_zvl128b_zvl256b_"
                          "zvl32b_zvl64b_sstc_sdtrig");
    ck_assert_uint_eq(n, strlen(buf));
    n = rv_isa_string_with_vector("rv64gcv", 128, buf, sizeof buf);
    ck_assert_str_eq(buf, "rv64gcv_zve32f_zve32x_zve64d_zve64f_zve64x_zvl128b_zvl32b_zvl64b");
    n = rv_isa_string_with_vector("rv64imafdch_zicsr_sstc", 256, buf, sizeof buf);
    ck_assert_str_eq(buf, "rv64imafdch_zicsr_sstc");
    ck_assert_uint_eq(rv_isa_string_with_vector("rv64gcv", 128, buf, 30), 0);
}
END_TEST

Suite *rv_vec_suite(void);
Suite *rv_vec_suite(void)
{
    Suite *s = suite_create("rv_vec");
    TCase *tc = tcase_create("vset");
    tcase_add_test(tc, test_vlmax_table);
    tcase_add_test(tc, test_vlmax_reserved_bits);
    tcase_add_test(tc, test_vl_for);
    suite_add_tcase(s, tc);
    tc = tcase_create("vs");
    tcase_add_test(tc, test_vs_with_h);
    tcase_add_test(tc, test_vs_readonly_without_v);
    tcase_add_test(tc, test_vs_mode_gstage_fault);
    tcase_add_test(tc, test_isa_extension_list_v);
    tcase_add_test(tc, test_isa_vector_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_fuzz, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
