/* RISC-V register map and target description for gdb (see gdb_regs.h).
 *
 * Each register is listed once, in an X-macro list per feature; the same
 * lists expand into the target description text and into the lookup table,
 * so the two cannot disagree.  Entries: X(name, regnum, bits, kind, index or
 * CSR number, gdb type).  The CSR list holds what the hart model implements
 * (src/cpu/riscv/csr.c), minus the hpmcounter/mhpmcounter/mhpmevent banks
 * (read-only zero; 87 registers of noise in "info all-registers") and the
 * pmpcfg/pmpaddr entries past the 16 implemented ones.  CSR numbers: priv
 * spec 20211203 Table 2.2-2.5 (U, S, HS/VS, M). */
#include "gdb_regs.h"

#include <string.h>

/* org.gnu.gdb.riscv.cpu: x1 (ra) and pc are code pointers, x2 (sp) and
 * x8 (s0/fp) data pointers, for gdb's display. */
#define RV_CPU_REGS(X) \
    X(x0, 0, 64, RV_GDB_GPR, 0, "int") \
    X(x1, 1, 64, RV_GDB_GPR, 1, "code_ptr") \
    X(x2, 2, 64, RV_GDB_GPR, 2, "data_ptr") \
    X(x3, 3, 64, RV_GDB_GPR, 3, "int") \
    X(x4, 4, 64, RV_GDB_GPR, 4, "int") \
    X(x5, 5, 64, RV_GDB_GPR, 5, "int") \
    X(x6, 6, 64, RV_GDB_GPR, 6, "int") \
    X(x7, 7, 64, RV_GDB_GPR, 7, "int") \
    X(x8, 8, 64, RV_GDB_GPR, 8, "data_ptr") \
    X(x9, 9, 64, RV_GDB_GPR, 9, "int") \
    X(x10, 10, 64, RV_GDB_GPR, 10, "int") \
    X(x11, 11, 64, RV_GDB_GPR, 11, "int") \
    X(x12, 12, 64, RV_GDB_GPR, 12, "int") \
    X(x13, 13, 64, RV_GDB_GPR, 13, "int") \
    X(x14, 14, 64, RV_GDB_GPR, 14, "int") \
    X(x15, 15, 64, RV_GDB_GPR, 15, "int") \
    X(x16, 16, 64, RV_GDB_GPR, 16, "int") \
    X(x17, 17, 64, RV_GDB_GPR, 17, "int") \
    X(x18, 18, 64, RV_GDB_GPR, 18, "int") \
    X(x19, 19, 64, RV_GDB_GPR, 19, "int") \
    X(x20, 20, 64, RV_GDB_GPR, 20, "int") \
    X(x21, 21, 64, RV_GDB_GPR, 21, "int") \
    X(x22, 22, 64, RV_GDB_GPR, 22, "int") \
    X(x23, 23, 64, RV_GDB_GPR, 23, "int") \
    X(x24, 24, 64, RV_GDB_GPR, 24, "int") \
    X(x25, 25, 64, RV_GDB_GPR, 25, "int") \
    X(x26, 26, 64, RV_GDB_GPR, 26, "int") \
    X(x27, 27, 64, RV_GDB_GPR, 27, "int") \
    X(x28, 28, 64, RV_GDB_GPR, 28, "int") \
    X(x29, 29, 64, RV_GDB_GPR, 29, "int") \
    X(x30, 30, 64, RV_GDB_GPR, 30, "int") \
    X(x31, 31, 64, RV_GDB_GPR, 31, "int") \
    X(pc, 32, 64, RV_GDB_PC, 0, "code_ptr") \
/* end RV_CPU_REGS */

/* org.gnu.gdb.riscv.fpu: D extension, so 64-bit registers viewed as a union
 * of single (NaN-boxed in the low half) and double. */
#define RV_FPU_REGS(X) \
    X(f0, 33, 64, RV_GDB_FPR, 0, "riscv_double") \
    X(f1, 34, 64, RV_GDB_FPR, 1, "riscv_double") \
    X(f2, 35, 64, RV_GDB_FPR, 2, "riscv_double") \
    X(f3, 36, 64, RV_GDB_FPR, 3, "riscv_double") \
    X(f4, 37, 64, RV_GDB_FPR, 4, "riscv_double") \
    X(f5, 38, 64, RV_GDB_FPR, 5, "riscv_double") \
    X(f6, 39, 64, RV_GDB_FPR, 6, "riscv_double") \
    X(f7, 40, 64, RV_GDB_FPR, 7, "riscv_double") \
    X(f8, 41, 64, RV_GDB_FPR, 8, "riscv_double") \
    X(f9, 42, 64, RV_GDB_FPR, 9, "riscv_double") \
    X(f10, 43, 64, RV_GDB_FPR, 10, "riscv_double") \
    X(f11, 44, 64, RV_GDB_FPR, 11, "riscv_double") \
    X(f12, 45, 64, RV_GDB_FPR, 12, "riscv_double") \
    X(f13, 46, 64, RV_GDB_FPR, 13, "riscv_double") \
    X(f14, 47, 64, RV_GDB_FPR, 14, "riscv_double") \
    X(f15, 48, 64, RV_GDB_FPR, 15, "riscv_double") \
    X(f16, 49, 64, RV_GDB_FPR, 16, "riscv_double") \
    X(f17, 50, 64, RV_GDB_FPR, 17, "riscv_double") \
    X(f18, 51, 64, RV_GDB_FPR, 18, "riscv_double") \
    X(f19, 52, 64, RV_GDB_FPR, 19, "riscv_double") \
    X(f20, 53, 64, RV_GDB_FPR, 20, "riscv_double") \
    X(f21, 54, 64, RV_GDB_FPR, 21, "riscv_double") \
    X(f22, 55, 64, RV_GDB_FPR, 22, "riscv_double") \
    X(f23, 56, 64, RV_GDB_FPR, 23, "riscv_double") \
    X(f24, 57, 64, RV_GDB_FPR, 24, "riscv_double") \
    X(f25, 58, 64, RV_GDB_FPR, 25, "riscv_double") \
    X(f26, 59, 64, RV_GDB_FPR, 26, "riscv_double") \
    X(f27, 60, 64, RV_GDB_FPR, 27, "riscv_double") \
    X(f28, 61, 64, RV_GDB_FPR, 28, "riscv_double") \
    X(f29, 62, 64, RV_GDB_FPR, 29, "riscv_double") \
    X(f30, 63, 64, RV_GDB_FPR, 30, "riscv_double") \
    X(f31, 64, 64, RV_GDB_FPR, 31, "riscv_double") \
    X(fflags, 66, 32, RV_GDB_FCSR, 0x001, "int") \
    X(frm, 67, 32, RV_GDB_FCSR, 0x002, "int") \
    X(fcsr, 68, 32, RV_GDB_FCSR, 0x003, "int") \
/* end RV_FPU_REGS */

/* org.gnu.gdb.riscv.csr: C(name, regnum = 65 + csr, csr), all 64-bit;
 * V(...) the vector CSRs (V 1.0 §3), described only when the hart has V. */
#define RV_CSR_REGS(C, V) \
    V(vstart, 73, 0x008) \
    V(vxsat, 74, 0x009) \
    V(vxrm, 75, 0x00a) \
    V(vcsr, 80, 0x00f) \
    C(sstatus, 321, 0x100) \
    C(sie, 325, 0x104) \
    C(stvec, 326, 0x105) \
    C(scounteren, 327, 0x106) \
    C(senvcfg, 331, 0x10a) \
    C(sscratch, 385, 0x140) \
    C(sepc, 386, 0x141) \
    C(scause, 387, 0x142) \
    C(stval, 388, 0x143) \
    C(sip, 389, 0x144) \
    C(stimecmp, 398, 0x14d) \
    C(satp, 449, 0x180) \
    C(vsstatus, 577, 0x200) \
    C(vsie, 581, 0x204) \
    C(vstvec, 582, 0x205) \
    C(vsscratch, 641, 0x240) \
    C(vsepc, 642, 0x241) \
    C(vscause, 643, 0x242) \
    C(vstval, 644, 0x243) \
    C(vsip, 645, 0x244) \
    C(vstimecmp, 654, 0x24d) \
    C(vsatp, 705, 0x280) \
    C(mstatus, 833, 0x300) \
    C(misa, 834, 0x301) \
    C(medeleg, 835, 0x302) \
    C(mideleg, 836, 0x303) \
    C(mie, 837, 0x304) \
    C(mtvec, 838, 0x305) \
    C(mcounteren, 839, 0x306) \
    C(menvcfg, 843, 0x30a) \
    C(mcountinhibit, 865, 0x320) \
    C(mscratch, 897, 0x340) \
    C(mepc, 898, 0x341) \
    C(mcause, 899, 0x342) \
    C(mtval, 900, 0x343) \
    C(mip, 901, 0x344) \
    C(mtinst, 907, 0x34a) \
    C(mtval2, 908, 0x34b) \
    C(pmpcfg0, 993, 0x3a0) \
    C(pmpcfg2, 995, 0x3a2) \
    C(pmpaddr0, 1009, 0x3b0) \
    C(pmpaddr1, 1010, 0x3b1) \
    C(pmpaddr2, 1011, 0x3b2) \
    C(pmpaddr3, 1012, 0x3b3) \
    C(pmpaddr4, 1013, 0x3b4) \
    C(pmpaddr5, 1014, 0x3b5) \
    C(pmpaddr6, 1015, 0x3b6) \
    C(pmpaddr7, 1016, 0x3b7) \
    C(pmpaddr8, 1017, 0x3b8) \
    C(pmpaddr9, 1018, 0x3b9) \
    C(pmpaddr10, 1019, 0x3ba) \
    C(pmpaddr11, 1020, 0x3bb) \
    C(pmpaddr12, 1021, 0x3bc) \
    C(pmpaddr13, 1022, 0x3bd) \
    C(pmpaddr14, 1023, 0x3be) \
    C(pmpaddr15, 1024, 0x3bf) \
    C(hstatus, 1601, 0x600) \
    C(hedeleg, 1603, 0x602) \
    C(hideleg, 1604, 0x603) \
    C(hie, 1605, 0x604) \
    C(htimedelta, 1606, 0x605) \
    C(hcounteren, 1607, 0x606) \
    C(hgeie, 1608, 0x607) \
    C(henvcfg, 1611, 0x60a) \
    C(htval, 1668, 0x643) \
    C(hip, 1669, 0x644) \
    C(hvip, 1670, 0x645) \
    C(htinst, 1675, 0x64a) \
    C(hgatp, 1729, 0x680) \
    C(mcycle, 2881, 0xb00) \
    C(minstret, 2883, 0xb02) \
    C(cycle, 3137, 0xc00) \
    C(time, 3138, 0xc01) \
    C(instret, 3139, 0xc02) \
    V(vl, 3169, 0xc20) \
    V(vtype, 3170, 0xc21) \
    V(vlenb, 3171, 0xc22) \
    C(hgeip, 3667, 0xe12) \
    C(mvendorid, 3922, 0xf11) \
    C(marchid, 3923, 0xf12) \
    C(mimpid, 3924, 0xf13) \
    C(mhartid, 3925, 0xf14) \
    C(mconfigptr, 3926, 0xf15) \
/* end RV_CSR_REGS */

/* org.gnu.gdb.riscv.virtual: "priv" (the manual: one byte, privilege level
 * in the low two bits) and hvsim's "virt" (the V bit). */
#define RV_VIRT_REGS(X) \
    X(priv, 4161, 8, RV_GDB_PRIV, 0, "int") \
    X(virt, 4162, 8, RV_GDB_VIRT, 0, "int") \
/* end RV_VIRT_REGS */

/* org.gnu.gdb.riscv.vector: X(name, regnum, bitsize) with bitsize = VLEN. */
#define RV_VEC_REGS(X, B) \
    X(v0, 4163, B) \
    X(v1, 4164, B) \
    X(v2, 4165, B) \
    X(v3, 4166, B) \
    X(v4, 4167, B) \
    X(v5, 4168, B) \
    X(v6, 4169, B) \
    X(v7, 4170, B) \
    X(v8, 4171, B) \
    X(v9, 4172, B) \
    X(v10, 4173, B) \
    X(v11, 4174, B) \
    X(v12, 4175, B) \
    X(v13, 4176, B) \
    X(v14, 4177, B) \
    X(v15, 4178, B) \
    X(v16, 4179, B) \
    X(v17, 4180, B) \
    X(v18, 4181, B) \
    X(v19, 4182, B) \
    X(v20, 4183, B) \
    X(v21, 4184, B) \
    X(v22, 4185, B) \
    X(v23, 4186, B) \
    X(v24, 4187, B) \
    X(v25, 4188, B) \
    X(v26, 4189, B) \
    X(v27, 4190, B) \
    X(v28, 4191, B) \
    X(v29, 4192, B) \
    X(v30, 4193, B) \
    X(v31, 4194, B) \
/* end RV_VEC_REGS */

/* Every CSR regnum follows gdb's 65 + csr convention. */
#define CHECK_CSR(name, num, csr) \
    _Static_assert((num) == RV_GDB_REGNUM_CSR0 + (csr), "regnum of " #name);
RV_CSR_REGS(CHECK_CSR, CHECK_CSR)
#define CHECK_REG(name, num, bits, kind, idx, type) \
    _Static_assert((kind) != RV_GDB_FCSR || (num) == RV_GDB_REGNUM_CSR0 + (idx), "regnum of " #name);
RV_FPU_REGS(CHECK_REG)
_Static_assert(4161 == RV_GDB_REGNUM_PRIV, "priv regnum");
_Static_assert(4162 == RV_GDB_REGNUM_VIRT, "virt regnum");
_Static_assert(4163 == RV_GDB_REGNUM_V0, "v0 regnum");

/* ---- the table ---- */

#define TABLE_REG(name, num, bits, kind, idx, type) { num, #name, bits, kind, idx },
#define TABLE_CSR(name, num, csr) { num, #name, 64, RV_GDB_CSR, csr },
#define TABLE_VCSR(name, num, csr) { num, #name, 64, RV_GDB_VCSR, csr },
#define TABLE_VREG(name, num, b) { num, #name, 0, RV_GDB_VREG, num - RV_GDB_REGNUM_V0 },

static const struct rv_gdb_reg rv_gdb_table[] = {
    RV_CPU_REGS(TABLE_REG)
    RV_FPU_REGS(TABLE_REG)
    RV_CSR_REGS(TABLE_CSR, TABLE_VCSR)
    RV_VIRT_REGS(TABLE_REG)
    RV_VEC_REGS(TABLE_VREG, 0)
};

#define NREGS (sizeof rv_gdb_table / sizeof rv_gdb_table[0])

const struct rv_gdb_reg *rv_gdb_regs(size_t *count)
{
    if (count)
        *count = NREGS;
    return rv_gdb_table;
}

/* The table is in ascending regnum order (the lists are written that way;
 * the unit test checks it): binary search. */
const struct rv_gdb_reg *rv_gdb_reg_by_regnum(int regnum)
{
    size_t lo = 0, hi = NREGS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rv_gdb_table[mid].regnum == regnum)
            return &rv_gdb_table[mid];
        if (rv_gdb_table[mid].regnum < regnum)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct rv_gdb_reg *rv_gdb_reg_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < NREGS; i++)
        if (strcmp(rv_gdb_table[i].name, name) == 0)
            return &rv_gdb_table[i];
    return NULL;
}

/* ---- the target description ---- */

#define XML_REG(name, num, bits, kind, idx, type) \
    "    <reg name=\"" #name "\" bitsize=\"" #bits "\" regnum=\"" #num "\" type=\"" type "\"/>\n"
#define XML_CSR(name, num, csr) \
    "    <reg name=\"" #name "\" bitsize=\"64\" regnum=\"" #num "\" type=\"int\"/>\n"

#define XML_NONE(name, num, csr)
#define XML_VREG(name, num, bits) \
    "    <reg name=\"" #name "\" bitsize=\"" bits "\" regnum=\"" #num "\" type=\"riscv_vector\"/>\n"

/* The whole document; CSR_V: what the vector CSRs expand to (XML_NONE or
 * XML_CSR), VEC: the vector feature or "". */
#define RV_TARGET(CSR_V, VEC) \
    "<?xml version=\"1.0\"?>\n" \
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n" \
    "<target version=\"1.0\">\n" \
    "  <architecture>riscv:rv64</architecture>\n" \
    "  <feature name=\"org.gnu.gdb.riscv.cpu\">\n" \
    RV_CPU_REGS(XML_REG) \
    "  </feature>\n" \
    "  <feature name=\"org.gnu.gdb.riscv.fpu\">\n" \
    "    <union id=\"riscv_double\">\n" \
    "      <field name=\"float\" type=\"ieee_single\"/>\n" \
    "      <field name=\"double\" type=\"ieee_double\"/>\n" \
    "    </union>\n" \
    RV_FPU_REGS(XML_REG) \
    "  </feature>\n" \
    "  <feature name=\"org.gnu.gdb.riscv.csr\">\n" \
    RV_CSR_REGS(XML_CSR, CSR_V) \
    "  </feature>\n" \
    "  <feature name=\"org.gnu.gdb.riscv.virtual\">\n" \
    RV_VIRT_REGS(XML_REG) \
    "  </feature>\n" \
    VEC \
    "</target>\n"

/* The vector feature for VLEN = BITS: element vectors of each width (the
 * counts are VLEN / width) joined in one union, the type of v0..v31. */
#define RV_VEC_FEATURE(BITS, N8, N16, N32, N64, N128) \
    "  <feature name=\"org.gnu.gdb.riscv.vector\">\n" \
    "    <vector id=\"riscv_vb\" type=\"uint8\" count=\"" N8 "\"/>\n" \
    "    <vector id=\"riscv_vh\" type=\"uint16\" count=\"" N16 "\"/>\n" \
    "    <vector id=\"riscv_vw\" type=\"uint32\" count=\"" N32 "\"/>\n" \
    "    <vector id=\"riscv_vd\" type=\"uint64\" count=\"" N64 "\"/>\n" \
    "    <vector id=\"riscv_vq\" type=\"uint128\" count=\"" N128 "\"/>\n" \
    "    <union id=\"riscv_vector\">\n" \
    "      <field name=\"b\" type=\"riscv_vb\"/>\n" \
    "      <field name=\"h\" type=\"riscv_vh\"/>\n" \
    "      <field name=\"w\" type=\"riscv_vw\"/>\n" \
    "      <field name=\"d\" type=\"riscv_vd\"/>\n" \
    "      <field name=\"q\" type=\"riscv_vq\"/>\n" \
    "    </union>\n" \
    RV_VEC_REGS(XML_VREG, BITS) \
    "  </feature>\n"

static const char rv_gdb_target[] = RV_TARGET(XML_NONE, "");
static const char rv_gdb_target_v128[] =
    RV_TARGET(XML_CSR, RV_VEC_FEATURE("128", "16", "8", "4", "2", "1"));
static const char rv_gdb_target_v256[] =
    RV_TARGET(XML_CSR, RV_VEC_FEATURE("256", "32", "16", "8", "4", "2"));
static const char rv_gdb_target_v512[] =
    RV_TARGET(XML_CSR, RV_VEC_FEATURE("512", "64", "32", "16", "8", "4"));
static const char rv_gdb_target_v1024[] =
    RV_TARGET(XML_CSR, RV_VEC_FEATURE("1024", "128", "64", "32", "16", "8"));

const char *rv_gdb_target_xml(const char *annex, unsigned vlen, size_t *len)
{
    if (!annex || strcmp(annex, "target.xml") != 0)
        return NULL;
    const char *doc;
    size_t n;
    switch (vlen) {
    case 0: doc = rv_gdb_target; n = sizeof rv_gdb_target; break;
    case 128: doc = rv_gdb_target_v128; n = sizeof rv_gdb_target_v128; break;
    case 256: doc = rv_gdb_target_v256; n = sizeof rv_gdb_target_v256; break;
    case 512: doc = rv_gdb_target_v512; n = sizeof rv_gdb_target_v512; break;
    case 1024: doc = rv_gdb_target_v1024; n = sizeof rv_gdb_target_v1024; break;
    default: return NULL;
    }
    if (len)
        *len = n - 1;
    return doc;
}
