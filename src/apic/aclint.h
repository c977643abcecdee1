/* RISC-V ACLINT (Advanced Core Local Interruptor, spec v1.0-rc4) in the
 * CLINT-compatible layout used by QEMU's virt board:
 *
 *   base + 0x0000  MSWI   window 0x4000: msip[h]      32-bit at 4*h
 *   base + 0x4000  MTIMER window 0x8000: mtimecmp[h]  64-bit at 8*h,
 *                                        mtime        64-bit at 0x7ff8
 *   sswi-base      SSWI   window 0x4000: setssip[h]   32-bit at 4*h
 *
 * mtime is derived from virtual time: mtime = ticks * timebase / cpu_hz plus
 * an offset that guest writes to mtime adjust. Each hart's MTIP is the level
 * mtime >= mtimecmp[h], kept exact with one per-CPU timer (src/sim/cpu.h). */
#ifndef HVSIM_ACLINT_H
#define HVSIM_ACLINT_H
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct aclint;

/* Window sizes of the three register blocks. */
#define ACLINT_MSWI_SIZE   0x4000u
#define ACLINT_MTIMER_SIZE 0x8000u
#define ACLINT_SSWI_SIZE   0x4000u
#define ACLINT_MTIMER_OFF  0x4000u  /* MTIMER base relative to the MSWI base */
#define ACLINT_MTIME_OFF   0x7ff8u  /* mtime inside the MTIMER window */

/* Creates the ACLINT for harts 0..ncpus-1 of m (m->cpus[] must already
 * exist: one cpu_timer is allocated on each). Returns NULL when ncpus is out
 * of range, a CPU is missing, a frequency is zero or a CPU has no free timer.
 * The opaque pointer of all three mmio_ops is the returned struct aclint. */
struct aclint *aclint_new(struct machine *m, int ncpus, uint64_t timebase_hz);
void aclint_free(struct aclint *a);

extern const struct mmio_ops aclint_mswi_ops;
extern const struct mmio_ops aclint_mtimer_ops;
extern const struct mmio_ops aclint_sswi_ops;

/* mtime at a CPU clock value (ticks), including the guest-written offset. */
uint64_t aclint_mtime_at(struct aclint *a, uint64_t ticks);
/* Smallest tick t with aclint_mtime_at(t) >= mtime (0 if already reached at
 * tick 0, UINT64_MAX if never). Used for Sstc stimecmp deadlines too. */
uint64_t aclint_mtime_to_ticks(struct aclint *a, uint64_t mtime);

/* Current mtime as seen by the accessing CPU (or the round time when no CPU
 * is running): what a guest read of mtime returns now. */
uint64_t aclint_mtime_now(struct aclint *a);

/* Copy the guest-visible state of src into dst (same machine shape):
 * machine snapshots for a debugger. */
void aclint_copy_state(struct aclint *dst, const struct aclint *src);

/* Copy the guest-visible state of src into dst (same machine shape):
 * machine snapshots for a debugger. */
void aclint_copy_state(struct aclint *dst, const struct aclint *src);

#endif
