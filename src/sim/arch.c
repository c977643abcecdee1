/* The table of architectures (src/sim/arch.h). */
#include "arch.h"
#include <string.h>

extern const struct arch_info arch_riscv64;
extern const struct arch_info arch_x86_64;

static const struct arch_info *const arch_table[] = {
    &arch_riscv64,
    &arch_x86_64,
};

const struct arch_info *arch_by_id(unsigned id)
{
    for (size_t i = 0; i < sizeof arch_table / sizeof arch_table[0]; i++)
        if (arch_table[i]->id == id)
            return arch_table[i];
    return NULL;
}

const struct arch_info *arch_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof arch_table / sizeof arch_table[0]; i++)
        if (name && strcmp(arch_table[i]->name, name) == 0)
            return arch_table[i];
    return NULL;
}
