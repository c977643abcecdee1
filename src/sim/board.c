/* The table of boards (src/sim/board.h). */
#include "board.h"
#include <string.h>

extern const struct board_ops board_riscv_virt;
extern const struct board_ops board_x86_pc;

static const struct board_ops *const boards[] = {
    &board_riscv_virt, /* the default */
    &board_x86_pc,
};

const struct board_ops *board_by_arch(const char *arch)
{
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (arch && strcmp(boards[i]->arch, arch) == 0)
            return boards[i];
    return NULL;
}

const struct board_ops *board_default(void) { return boards[0]; }

const char *board_arch_list(void) { return "riscv64, x86_64"; }

const struct board_ops *const *board_all(size_t *n)
{
    *n = sizeof boards / sizeof boards[0];
    return boards;
}
