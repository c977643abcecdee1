/* RISC-V's entry in the architecture registry (src/sim/arch.h). */
#include "../../sim/arch.h"
#include "../../sim/cpu.h"
#include "hart.h"

const struct arch_info arch_riscv64 = {
    .id = CPU_ARCH_RISCV64,
    .name = "riscv64",
    .cpu_word = "hart",
    .state_name = rv_state_name,
    .gdb = &rv_gdb_arch,
    .vm_exit_class = rv_vm_exit_class,
};
