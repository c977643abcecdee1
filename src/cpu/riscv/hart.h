/* Public entry points of the RISC-V hart model. */
#ifndef HVSIM_RV_PUBLIC_H
#define HVSIM_RV_PUBLIC_H
#include <stdint.h>
struct machine;
struct cpu;
struct gdb_arch;

/* A new hart in its reset state (pc = boot ROM base, M mode). */
struct cpu *rv_hart_new(struct machine *m, int id);
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
