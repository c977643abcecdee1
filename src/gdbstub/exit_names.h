/* VM-exit reasons and classes by name for `monitor break-on vmexit`
 * (exit_names.c; docs/gdb.md "Monitor"). */
#ifndef HVSIM_GDBSTUB_EXIT_NAMES_H
#define HVSIM_GDBSTUB_EXIT_NAMES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arch_info;

/* The raw vm.exit reason that architecture a names `name` (as the trace
 * tools print it, arch_info.vm_exit_name), case-insensitive. */
bool gdb_exit_reason_by_name(const struct arch_info *a, const char *name, uint64_t *reason);
/* The enum vmm_exit_class named `name` (vmm_exit_class_name), case-
 * insensitive, or -1. */
int gdb_exit_class_by_name(const char *name);
/* "classes: hypercall ...\nreasons: NAME ...\n" for an error message;
 * snprintf-like into buf[len], returns the length written. */
size_t gdb_exit_names(const struct arch_info *a, char *buf, size_t len);

#endif
