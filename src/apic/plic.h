/* RISC-V Platform-Level Interrupt Controller (RISC-V PLIC spec v1.0.0,
 * register map of "sifive,plic-1.0.0"):
 *
 *   0x000000 + 4*src              priority[src]   (src 1..ndev; 3 bits, 0..7)
 *   0x001000 + 4*w                pending bits of sources 32w..32w+31 (RO)
 *   0x002000 + 0x80*ctx + 4*w     enable bits of context ctx
 *   0x200000 + 0x1000*ctx         priority threshold of ctx
 *   0x200004 + 0x1000*ctx         claim (read) / complete (write) of ctx
 *
 * Two contexts per hart like QEMU virt: ctx 2h is hart h's M-mode context
 * (drives mip.MEIP), ctx 2h+1 its S-mode context (drives mip.SEIP).
 * Sources are level-triggered. */
#ifndef HVSIM_PLIC_H
#define HVSIM_PLIC_H
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct plic;

#define PLIC_SIZE         0x600000u
#define PLIC_MAX_SOURCES  1023u      /* ids 1..1023 */
#define PLIC_MAX_PRIORITY 7u         /* DTB riscv,max-priority */

/* Sources 1..ndev (ndev <= PLIC_MAX_SOURCES), 2*ncpus contexts wired to
 * m->cpus[0..ncpus-1]. NULL when the arguments are out of range. */
struct plic *plic_new(struct machine *m, uint32_t ndev, int ncpus);
void plic_free(struct plic *p);

/* Interrupt line input (fits struct irq_line: opaque = the plic, n = source
 * id). Out-of-range sources are ignored. */
void plic_set_irq(void *plic, int src, int level);

extern const struct mmio_ops plic_ops;

/* The claim and complete operations of context ctx, as a guest access to
 * the claim/complete register would do them (also for tests and tracing).
 * plic_claim returns 0 when nothing is claimable or ctx is out of range. */
uint32_t plic_claim(struct plic *p, int ctx);
void plic_complete(struct plic *p, int ctx, uint32_t id);

/* Copy the state of src into dst (same machine shape): snapshots. */
void plic_copy_state(struct plic *dst, const struct plic *src);

/* Copy the state of src into dst (same machine shape): snapshots. */
void plic_copy_state(struct plic *dst, const struct plic *src);

#endif
