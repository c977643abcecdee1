/* The RISC-V side of the gdb stub (the struct gdb_arch of src/gdbstub/arch.h,
 * reached through arch_riscv64.gdb): registers per gdb_regs.h, the hart's
 * debugger translation (two-stage when V=1), a description line. */
#include <stdio.h>
#include <string.h>
#include "../../gdbstub/arch.h"
#include "gdb_regs.h"
#include "hart.h"
#include "trigger.h"
#include "rv_internal.h"
#include "isa.h"
#include "vector.h"

static void put_le(uint8_t *buf, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *buf, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)buf[i] << (8 * i);
    return v;
}

/* The description of this hart: with V, the one of its VLEN. */
static const char *rv_target_xml(struct cpu *c, const char *annex, size_t *len)
{
    struct rv_hart *h = RV_HART(c);
    return rv_gdb_target_xml(annex, (h->ext & RV_EXT_V) ? h->vec.vlenb * 8u : 0, len);
}

static bool rv_reg_read(struct cpu *c, int regnum, uint8_t *buf, size_t *nbytes)
{
    struct rv_hart *h = RV_HART(c);
    const struct rv_gdb_reg *r = rv_gdb_reg_by_regnum(regnum);
    if (!r)
        return false;
    if ((r->kind == RV_GDB_VREG || r->kind == RV_GDB_VCSR) && !(h->ext & RV_EXT_V))
        return false; /* not in this hart's description */
    if (r->kind == RV_GDB_VREG) {
        *nbytes = h->vec.vlenb;
        memcpy(buf, h->vec.reg + (size_t)r->csr * h->vec.vlenb, h->vec.vlenb);
        return true;
    }
    uint64_t v = 0;
    switch (r->kind) {
    case RV_GDB_GPR: v = r->csr ? h->x[r->csr] : 0; break;
    case RV_GDB_PC: v = h->pc; break;
    case RV_GDB_FPR: v = h->f[r->csr]; break;
    case RV_GDB_FCSR:
    case RV_GDB_CSR:
    case RV_GDB_VCSR:
        if (!rv_csr_read_raw(h, r->csr, &v))
            v = 0; /* described but not implemented: reads 0 */
        break;
    case RV_GDB_PRIV: v = (uint64_t)h->priv; break;
    case RV_GDB_VIRT: v = h->virt; break;
    default: return false;
    }
    *nbytes = (size_t)r->bits / 8;
    put_le(buf, v, *nbytes);
    return true;
}

/* A vector CSR written from gdb.  vl and vtype are read-only to the hart
 * (only vset{i}vl{i} set them, V §6) but a debugger may set them as such an
 * instruction would: a vtype that vsetvl would refuse sets vill and vl = 0
 * (V §3.4.4), vl is clamped to VLMAX of the current vtype (V §6.3: vl <=
 * VLMAX always).  vlenb is fixed; the others follow their WARL rules. */
static bool rv_vcsr_write_dbg(struct rv_hart *h, unsigned csr, uint64_t v)
{
    if (csr == 0xc21) { /* vtype */
        uint64_t vlmax = rv_vec_vlmax(v, h->vec.vlenb);
        h->vec.vtype = vlmax ? v : RV_VTYPE_VILL;
        if (!vlmax)
            h->vec.vl = 0;
        else if (h->vec.vl > vlmax)
            h->vec.vl = vlmax;
        return true;
    }
    if (csr == 0xc20) { /* vl */
        uint64_t vlmax = (h->vec.vtype & RV_VTYPE_VILL) ? 0 : rv_vec_vlmax(h->vec.vtype, h->vec.vlenb);
        h->vec.vl = v < vlmax ? v : vlmax;
        return true;
    }
    return rv_csr_write_raw(h, csr, v); /* vlenb: read-only, refused */
}

static bool rv_reg_write(struct cpu *c, int regnum, const uint8_t *buf, size_t nbytes)
{
    struct rv_hart *h = RV_HART(c);
    const struct rv_gdb_reg *r = rv_gdb_reg_by_regnum(regnum);
    if (!r)
        return false;
    if (r->kind == RV_GDB_VREG || r->kind == RV_GDB_VCSR) {
        if (!(h->ext & RV_EXT_V))
            return false;
        if (r->kind == RV_GDB_VREG) {
            if (nbytes != h->vec.vlenb)
                return false;
            memcpy(h->vec.reg + (size_t)r->csr * h->vec.vlenb, buf, nbytes);
            return true;
        }
    }
    if (nbytes != (size_t)r->bits / 8)
        return false;
    uint64_t v = get_le(buf, nbytes);
    switch (r->kind) {
    case RV_GDB_GPR:
        if (r->csr)
            h->x[r->csr] = v;
        return true;
    case RV_GDB_PC:
        h->pc = v & ~1ull;
        h->fetch_va = TLB_INVALID;
        return true;
    case RV_GDB_FPR:
        h->f[r->csr] = v;
        return true;
    case RV_GDB_FCSR:
    case RV_GDB_CSR:
        return rv_csr_write_raw(h, r->csr, v); /* WARL rules apply */
    case RV_GDB_VCSR:
        return rv_vcsr_write_dbg(h, r->csr, v);
    default:
        return false; /* the privilege and V are read-only from gdb */
    }
}

static bool rv_translate_dbg(struct cpu *c, uint64_t va, bool write, uint64_t *pa)
{
    return rv_debug_translate(RV_HART(c), va, write, pa);
}

static void rv_describe(struct cpu *c, char *buf, size_t len)
{
    static const char *const priv[4] = { "U", "S", "?", "M" };
    struct rv_hart *h = RV_HART(c);
    int n = snprintf(buf, len, "hart %d, %s%s-mode%s", c->id, h->virt ? "V" : "",
                     priv[h->priv & 3], c->state == CPU_SLEEPING ? ", in WFI" : "");
    int64_t vmid = rv_guest_id(c);
    if (vmid >= 0 && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", guest VMID %lld", (long long)vmid);
}

/* Sdtrig triggers owned by the debugger (trigger.c rv_trig_debugger). */
static int rv_hw_trigger(struct cpu *c, bool insert, int type, uint64_t addr, uint64_t len)
{
    return rv_trig_debugger(RV_HART(c), insert, type, addr, len);
}

const struct gdb_arch rv_gdb_arch = {
    .target_xml = rv_target_xml,
    .g_nregs = RV_GDB_G_NREGS,
    .reg_read = rv_reg_read,
    .reg_write = rv_reg_write,
    .translate = rv_translate_dbg,
    .describe = rv_describe,
    .hw_trigger = rv_hw_trigger,
};
