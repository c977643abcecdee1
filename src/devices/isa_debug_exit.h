/* QEMU's isa-debug-exit device: a write ends the run. On QEMU, a write of
 * value v (of the access's size) makes QEMU exit with status (v << 1) | 1,
 * so a guest can never make QEMU report 0. kvm-unit-tests-style kernels
 * (run with -device isa-debug-exit,iobase=0xf4,iosize=0x4) write 0 for
 * success, which their runner reads back as QEMU status 1.
 *
 * hvsim maps that convention onto its own exit status:
 *   v == 0  ->  EXIT_PASS (0)
 *   v != 0  ->  EXIT_GUEST_FAIL (1)
 * with the reason "isa-debug-exit: guest wrote 0x<v> (QEMU exit status
 * <(v << 1) | 1>)", so the QEMU status a test runner would have seen is on
 * record (a shell sees it modulo 256).
 *
 * The window is `size` ports (1..4) at the configured port (QEMU's default
 * is 0x501, 2 ports; kvm-unit-tests use 0xf4, 4 ports). A write of 1, 2 or 4
 * bytes inside it acts; reads return all ones (QEMU's device has no read
 * side). */
#ifndef HVSIM_ISA_DEBUG_EXIT_H
#define HVSIM_ISA_DEBUG_EXIT_H
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct isa_debug_exit;

struct isa_debug_exit *isa_debug_exit_new(struct machine *m, unsigned size);
void isa_debug_exit_free(struct isa_debug_exit *d);
/* Stateless apart from its wiring: nothing to copy for snapshots. */
void isa_debug_exit_copy_state(struct isa_debug_exit *dst, const struct isa_debug_exit *src);

extern const struct mmio_ops isa_debug_exit_ops;

#endif
