/* RISC-V register map for gdb: register numbers, the target description
 * (qXfer:features:read) and a table the stub reads hart state through.
 *
 * Written from the GDB manual, "Target Description Format" and "Standard
 * Target Features: RISC-V Features":
 *   org.gnu.gdb.riscv.cpu      x0..x31, pc                  (required)
 *   org.gnu.gdb.riscv.fpu      f0..f31, fflags, frm, fcsr
 *   org.gnu.gdb.riscv.csr      the standard CSRs
 *   org.gnu.gdb.riscv.virtual  "priv": privilege level in bits 1:0
 *   org.gnu.gdb.riscv.vector   v0..v31, all VLEN bits wide  (only with V)
 *
 * Numbering.  Remote (p/P packet) register numbers are whatever the target
 * description says; every <reg> here carries an explicit regnum attribute
 * following the layout gdb's RISC-V port uses internally, so the remote and
 * gdb numbers agree:
 *   x0..x31 = 0..31, pc = 32, f0..f31 = 33..64,
 *   CSR n   = 65 + n   (fflags 66, frm 67, fcsr 68, mstatus 833, hgatp 1729)
 *   priv    = 65 + 4096 = 4161
 *   virt    = 4162     (hvsim extension, in the virtual feature: 1 when the
 *                       hart runs with V=1, i.e. in VS/VU mode)
 *   v0..v31 = 4163..4194 (only when the hart has V; gdb numbers them
 *                       4162.. internally, after priv, but the remote
 *                       number is the description's: one past virt)
 * fflags/frm/fcsr live in the fpu feature (the hart has an FPU).
 *
 * Vector (V 1.0, [cpu] isa with v).  gdb's RISC-V port takes the vector
 * feature as present when it holds v0..v31, all of one bitsize (VLEN; gdb
 * derives its vlen from it); the vector CSRs vstart, vxsat, vxrm, vcsr, vl,
 * vtype and vlenb are ordinary CSRs to gdb, so they join the csr feature
 * (regnum 65 + csr as every CSR).  Each v register's type is a union of
 * element vectors: b (uint8 x VLENB), h (uint16), w (uint32), d (uint64),
 * q (uint128), so `p $v1.w` shows 32-bit elements.  A hart without V gets
 * the description without any of them (byte-identical to the one before
 * V), and p/P of their numbers fail there.  There is one description per
 * VLEN (128, 256, 512, 1024), static text like the rest.
 *
 * 'g' packet.  gdb lays out the g reply as every described register in
 * ascending regnum order; a reply that stops early is fine (gdb fetches the
 * rest with 'p').  RV_GDB_G_NREGS is the recommended prefix: x0..x31, pc,
 * f0..f31 (65 x 8 bytes).
 *
 * RV64 only (the hart model is RV64GC + H). */
#ifndef HVSIM_RV_GDB_REGS_H
#define HVSIM_RV_GDB_REGS_H

#include <stddef.h>

/* How the stub obtains a register's value from the hart. */
enum rv_gdb_kind {
    RV_GDB_GPR,  /* x[csr]   (csr = 0..31; x0 reads 0, writes ignored) */
    RV_GDB_PC,   /* pc */
    RV_GDB_FPR,  /* f[csr]   (csr = 0..31), 64 bits, NaN-boxed singles */
    RV_GDB_FCSR, /* fflags/frm/fcsr: csr = 0x001/0x002/0x003, parts of fcsr */
    RV_GDB_CSR,  /* CSR number csr, read/written without privilege checks */
    RV_GDB_PRIV, /* current privilege level: 0 U, 1 S, 3 M (V not included) */
    RV_GDB_VIRT, /* current virtualisation mode V: 0 or 1 */
    RV_GDB_VREG, /* vector register v[csr] (csr = 0..31), VLEN bits (only with V) */
    RV_GDB_VCSR, /* vector CSR number csr (only with V); vl and vtype are
                  * writable from gdb: vtype per vsetvl's rules (an invalid
                  * one sets vill and vl = 0), vl clamped to VLMAX */
};

struct rv_gdb_reg {
    int regnum;       /* remote register number (p/P, g order) */
    const char *name; /* name in the target description */
    int bits;         /* size in the packets: 64, 32 (fflags/frm/fcsr), 8 (priv,
                       * virt), 0 for the v registers (VLEN: the hart's) */
    int kind;         /* enum rv_gdb_kind */
    unsigned csr;     /* GPR/FPR index or CSR number, see the kinds */
};

#define RV_GDB_REGNUM_X0 0
#define RV_GDB_REGNUM_PC 32
#define RV_GDB_REGNUM_F0 33
#define RV_GDB_REGNUM_CSR0 65 /* regnum of CSR n = RV_GDB_REGNUM_CSR0 + n */
#define RV_GDB_REGNUM_PRIV (RV_GDB_REGNUM_CSR0 + 4096)
#define RV_GDB_REGNUM_VIRT (RV_GDB_REGNUM_PRIV + 1)
#define RV_GDB_REGNUM_V0 (RV_GDB_REGNUM_VIRT + 1)
#define RV_GDB_G_NREGS 65     /* x0..x31, pc, f0..f31 */

/* The whole table, sorted by ascending regnum (the g packet order). */
const struct rv_gdb_reg *rv_gdb_regs(size_t *count);

/* Lookup; NULL when there is no such register (reply E.. to p/P). */
const struct rv_gdb_reg *rv_gdb_reg_by_regnum(int regnum);
const struct rv_gdb_reg *rv_gdb_reg_by_name(const char *name);

/* Target description documents for qXfer:features:read.  annex
 * "target.xml" is the whole description (all features inline, so it is the
 * only document gdb asks for).  vlen: the hart's VLEN in bits when it has
 * V (128, 256, 512 or 1024), 0 without V (any other value: NULL).  Returns a static NUL-terminated string and
 * stores its length in *len (if len is non-NULL), or NULL for an unknown
 * annex (reply E00). */
const char *rv_gdb_target_xml(const char *annex, unsigned vlen, size_t *len);

#endif
