/* The RISC-V gdb target (src/cpu/riscv/gdb_target.c) on a hart with and
 * without V: which description it serves, and reads and writes of the v
 * registers and vector CSRs through the p/P entry points (docs/gdb.md
 * "Vector registers"). Expected values: V 1.0 §3.4 (vtype, VLMAX), §6.3
 * (vl <= VLMAX), §3.8 (vcsr = vxrm << 1 | vxsat). */
#include <check.h>
#include <string.h>
#include "gdbstub/arch.h"
#include "rv_fixture.h"
#include "sim/arch.h"
#include "cpu/riscv/gdb_regs.h"
#include "cpu/riscv/isa.h"
#include "cpu/riscv/vector.h"

static const struct gdb_arch *rv_gdb(void)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_RISCV64);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(a->gdb);
    return a->gdb;
}

static int regnum(const char *name)
{
    const struct rv_gdb_reg *r = rv_gdb_reg_by_name(name);
    ck_assert_msg(r != NULL, "no %s", name);
    return r->regnum;
}

static uint64_t rd64(struct cpu *c, const char *name)
{
    uint8_t b[GDB_REG_MAX_BYTES];
    size_t nb = 0;
    ck_assert_msg(rv_gdb()->reg_read(c, regnum(name), b, &nb), "read %s", name);
    ck_assert_uint_eq(nb, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static bool wr64(struct cpu *c, const char *name, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return rv_gdb()->reg_write(c, regnum(name), b, 8);
}

/* Without V: the description has no vector feature and the vector
 * registers are not there (p/P fail), whatever their table entries. */
START_TEST(test_no_v)
{
    struct machine *m = rvf_machine_new(1);
    struct cpu *c = m->cpus[0];
    size_t len;
    const char *x = rv_gdb()->target_xml(c, "target.xml", &len);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_eq(x, rv_gdb_target_xml("target.xml", 0, &len));
    ck_assert_ptr_null(strstr(x, "org.gnu.gdb.riscv.vector"));
    uint8_t b[GDB_REG_MAX_BYTES];
    size_t nb;
    ck_assert(!rv_gdb()->reg_read(c, RV_GDB_REGNUM_V0, b, &nb));
    ck_assert(!rv_gdb()->reg_read(c, regnum("vlenb"), b, &nb));
    memset(b, 0, sizeof b);
    ck_assert(!rv_gdb()->reg_write(c, RV_GDB_REGNUM_V0 + 1, b, 16));
    ck_assert(!wr64(c, "vstart", 1));
    rvf_machine_free(m);
}
END_TEST

/* With V at VLEN 128 and 1024: the description of that VLEN; v registers
 * read and write VLENB bytes in element order (byte i of the packet is
 * byte i of the register, little-endian elements); a write of another size
 * is refused and changes nothing. */
START_TEST(test_vregs)
{
    unsigned vlen = _i ? 1024 : 128, vlenb = vlen / 8;
    struct machine *m = rvf_machine_new(1);
    struct cpu *c = m->cpus[0];
    struct rv_hart *h = rvf_hart(m, 0);
    rv_hart_set_ext(c, RV_EXT_V);
    rv_hart_set_vlen(c, vlen);
    rv_vec_reset(h);
    size_t len;
    const char *x = rv_gdb()->target_xml(c, "target.xml", &len);
    ck_assert_ptr_eq(x, rv_gdb_target_xml("target.xml", vlen, &len));
    char want[80];
    snprintf(want, sizeof want, "<reg name=\"v7\" bitsize=\"%u\" regnum=\"%d\"", vlen, RV_GDB_REGNUM_V0 + 7);
    ck_assert_ptr_nonnull(strstr(x, want));

    /* the hart's state, read through gdb */
    for (unsigned i = 0; i < vlenb; i++)
        h->vec.reg[5 * vlenb + i] = (uint8_t)(0xa0 + i);
    uint8_t b[GDB_REG_MAX_BYTES];
    size_t nb = 0;
    ck_assert(rv_gdb()->reg_read(c, RV_GDB_REGNUM_V0 + 5, b, &nb));
    ck_assert_uint_eq(nb, vlenb);
    for (unsigned i = 0; i < vlenb; i++)
        ck_assert_uint_eq(b[i], (uint8_t)(0xa0 + i));
    ck_assert(rv_gdb()->reg_read(c, RV_GDB_REGNUM_V0 + 4, b, &nb));
    ck_assert_uint_eq(b[0], 0);

    /* written through gdb: the hart's v31, and nothing else */
    for (unsigned i = 0; i < vlenb; i++)
        b[i] = (uint8_t)(i * 3 + 1);
    ck_assert(rv_gdb()->reg_write(c, RV_GDB_REGNUM_V0 + 31, b, vlenb));
    for (unsigned i = 0; i < vlenb; i++)
        ck_assert_uint_eq(h->vec.reg[31 * vlenb + i], (uint8_t)(i * 3 + 1));
    ck_assert_uint_eq(h->vec.reg[30 * vlenb + vlenb - 1], 0);
    ck_assert(!rv_gdb()->reg_write(c, RV_GDB_REGNUM_V0 + 30, b, vlenb / 2));
    ck_assert_uint_eq(h->vec.reg[30 * vlenb], 0);
    ck_assert(!rv_gdb()->reg_read(c, RV_GDB_REGNUM_V0 + 32, b, &nb)); /* no v32 */
    rvf_machine_free(m);
}
END_TEST

/* The vector CSRs: vlenb reads VLEN/8 and is read-only; vtype written from
 * gdb follows vsetvl (an unsupported one sets vill, vl = 0); vl is clamped
 * to VLMAX; vcsr and vxrm/vxsat are views of one state. */
START_TEST(test_vcsrs)
{
    struct machine *m = rvf_machine_new(1);
    struct cpu *c = m->cpus[0];
    struct rv_hart *h = rvf_hart(m, 0);
    rv_hart_set_ext(c, RV_EXT_V);
    rv_hart_set_vlen(c, 256);
    rv_vec_reset(h);
    ck_assert_uint_eq(rd64(c, "vlenb"), 32);
    ck_assert(!wr64(c, "vlenb", 64));
    ck_assert_uint_eq(rd64(c, "vlenb"), 32);
    ck_assert_uint_eq(rd64(c, "vtype"), RV_VTYPE_VILL); /* reset: vill, vl 0 */
    ck_assert_uint_eq(rd64(c, "vl"), 0);
    ck_assert(wr64(c, "vl", 3));                    /* vill: VLMAX 0 */
    ck_assert_uint_eq(rd64(c, "vl"), 0);
    /* e32, m2, ta: VLMAX = 2 * 256 / 32 = 16 */
    uint64_t e32m2 = 2u << 3 | 1u | 1u << 6;
    ck_assert(wr64(c, "vtype", e32m2));
    ck_assert_uint_eq(h->vec.vtype, e32m2);
    ck_assert(wr64(c, "vl", 20));
    ck_assert_uint_eq(h->vec.vl, 16);
    ck_assert(wr64(c, "vl", 9));
    ck_assert_uint_eq(rd64(c, "vl"), 9);
    /* e64, mf8 is unsupported (SEW > LMUL * ELEN): vill, vl 0 */
    ck_assert(wr64(c, "vtype", 3u << 3 | 5u));
    ck_assert_uint_eq(h->vec.vtype, RV_VTYPE_VILL);
    ck_assert_uint_eq(h->vec.vl, 0);
    /* e8, m1: VLMAX 32; a smaller VLMAX clamps a larger vl */
    ck_assert(wr64(c, "vtype", 0));
    ck_assert(wr64(c, "vl", 32));
    ck_assert(wr64(c, "vtype", 3u << 3)); /* e64 m1: VLMAX 4 */
    ck_assert_uint_eq(rd64(c, "vl"), 4);
    ck_assert(wr64(c, "vcsr", 0x5));      /* vxrm 2, vxsat 1 */
    ck_assert_uint_eq(rd64(c, "vxrm"), 2);
    ck_assert_uint_eq(rd64(c, "vxsat"), 1);
    ck_assert(wr64(c, "vstart", 7));
    ck_assert_uint_eq(h->vec.vstart, 7);
    rvf_machine_free(m);
}
END_TEST

Suite *rv_gdb_suite(void)
{
    Suite *s = suite_create("rv_gdb");
    TCase *tc = tcase_create("vector");
    tcase_add_test(tc, test_no_v);
    tcase_add_loop_test(tc, test_vregs, 0, 2);
    tcase_add_test(tc, test_vcsrs);
    suite_add_tcase(s, tc);
    return s;
}
