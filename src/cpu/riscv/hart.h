/* Public entry points of the RISC-V hart model. */
#ifndef HVSIM_RV_PUBLIC_H
#define HVSIM_RV_PUBLIC_H
#include <stdbool.h>
#include <stdint.h>
struct machine;
struct cpu;
struct aclint;
struct gdb_arch;

/* A new hart in its reset state (pc = reset_pc, M mode). sv39_only: the
 * MMU has no Sv48 (satp/hgatp refuse those modes). */
struct cpu *rv_hart_new(struct machine *m, int id, uint64_t reset_pc, bool sv39_only);
/* Enable the optional extensions `ext` (isa.h RV_EXT_*, from rv_isa_parse);
 * call before the hart first runs. */
void rv_hart_set_ext(struct cpu *c, uint32_t ext);
/* Implement n (0..29) programmable counters mhpmcounter3..3+n-1 (pmu.c);
 * 0: they read zero, as without the key. Call before the hart first runs. */
/* VLEN in bits (128..1024, a power of two) of the V extension; call
 * before the hart first runs (default 128). */
void rv_hart_set_vlen(struct cpu *c, unsigned vlen);
void rv_hart_set_counters(struct cpu *c, unsigned n);
/* Implement n (0..16) Sdtrig debug triggers (trigger.c); 0: no Sdtrig
 * (tselect.. are illegal), as without the key. Call before the hart first runs. */
void rv_hart_set_triggers(struct cpu *c, unsigned n);
/* The ACLINT whose mtime is the hart's time CSR (and Sstc's time base). */
/* The board has IMSICs (AIA): the hart gets its interrupt files (M, S and
 * geilen guest files, at most 7) and the Smaia/Ssaia CSRs (aia.c). */
void rv_hart_set_aia(struct cpu *c, unsigned geilen);
void rv_hart_connect_aclint(struct cpu *c, struct aclint *a);
/* cpu_ops.guest_id (exec.c): hgatp.VMID while V=1, else -1. */
int64_t rv_guest_id(struct cpu *c);
/* arch_info.vm_exit_class (trap.c): enum vmm_exit_class of an mcause. */
unsigned rv_vm_exit_class(uint64_t reason);
/* The hart's gdb target (gdb_target.c): arch_riscv64.gdb. */
extern const struct gdb_arch rv_gdb_arch;
/* Connect the bus's code-invalidation hook to the RISC-V predecode cache. */
void rv_machine_attach(struct machine *m);
/* Name of value i of the hart's architectural state in check records. */
const char *rv_state_name(unsigned i);
#endif
