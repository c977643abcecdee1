/* RISC-V register map for gdb: register numbers, the target description
 * (qXfer:features:read) and a table the stub reads hart state through.
 *
 * Written from the GDB manual, "Target Description Format" and "Standard
 * Target Features: RISC-V Features":
 *   org.gnu.gdb.riscv.cpu      x0..x31, pc                  (required)
 *   org.gnu.gdb.riscv.fpu      f0..f31, fflags, frm, fcsr
 *   org.gnu.gdb.riscv.csr      the standard CSRs
 *   org.gnu.gdb.riscv.virtual  "priv": privilege level in bits 1:0
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
 * fflags/frm/fcsr live in the fpu feature (the hart has an FPU).
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
};

struct rv_gdb_reg {
    int regnum;       /* remote register number (p/P, g order) */
    const char *name; /* name in the target description */
    int bits;         /* size in the packets: 64, 32 (fflags/frm/fcsr), 8 (priv, virt) */
    int kind;         /* enum rv_gdb_kind */
    unsigned csr;     /* GPR/FPR index or CSR number, see the kinds */
};

#define RV_GDB_REGNUM_X0 0
#define RV_GDB_REGNUM_PC 32
#define RV_GDB_REGNUM_F0 33
#define RV_GDB_REGNUM_CSR0 65 /* regnum of CSR n = RV_GDB_REGNUM_CSR0 + n */
#define RV_GDB_REGNUM_PRIV (RV_GDB_REGNUM_CSR0 + 4096)
#define RV_GDB_REGNUM_VIRT (RV_GDB_REGNUM_PRIV + 1)
#define RV_GDB_G_NREGS 65     /* x0..x31, pc, f0..f31 */

/* The whole table, sorted by ascending regnum (the g packet order). */
const struct rv_gdb_reg *rv_gdb_regs(size_t *count);

/* Lookup; NULL when there is no such register (reply E.. to p/P). */
const struct rv_gdb_reg *rv_gdb_reg_by_regnum(int regnum);
const struct rv_gdb_reg *rv_gdb_reg_by_name(const char *name);

/* Target description documents for qXfer:features:read.  annex
 * "target.xml" is the whole description (all features inline, so it is the
 * only document gdb asks for).  Returns a static NUL-terminated string and
 * stores its length in *len (if len is non-NULL), or NULL for an unknown
 * annex (reply E00). */
const char *rv_gdb_target_xml(const char *annex, size_t *len);

#endif
