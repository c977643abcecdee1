/* The IMSICs' MMIO side (RISC-V AIA 1.0 §3.3-§3.4): one 4 KiB page per
 * interrupt file with seteipnum_le at offset 0 (seteipnum_be at 4 is
 * ignored: a little-endian system may). Two windows, laid out like QEMU
 * virt's: the machine-level files of harts 0..n-1 at m_base + h * 4 KiB, and
 * per hart a group of 2^k pages at s_base + h * 2^k * 4 KiB holding the
 * supervisor-level file (page 0) and guest files 1..geilen (page g), where
 * 2^k >= 1 + geilen. A naturally aligned 32-bit write of an implemented
 * identity is an MSI: it goes to the hart as a CPU message (so --ipi-latency
 * and the deferred-delivery order apply), recorded as ipi.send (mechanism
 * IMSIC) when a CPU wrote it; the hart records ipi.deliver when the
 * pending bit is set (src/cpu/riscv/aia.c). Reads return zero. */
#ifndef HVSIM_IMSIC_H
#define HVSIM_IMSIC_H
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct imsic;

#define IMSIC_PAGE 0x1000ull

struct imsic *imsic_new(struct machine *m, int nharts, unsigned geilen);
void imsic_free(struct imsic *im);
/* Sizes of the two windows. */
uint64_t imsic_m_size(const struct imsic *im);
uint64_t imsic_s_size(const struct imsic *im);
/* log2 of the pages per hart in the S window (riscv,guest-index-bits) */
unsigned imsic_guest_bits(const struct imsic *im);

extern const struct mmio_ops imsic_m_ops, imsic_s_ops;

#endif
