/* Segment descriptors (Intel SDM vol. 3A §3.4.5): reading them from the
 * GDT/LDT and loading segment registers. Internal to src/cpu/x86/. */
#ifndef HVSIM_X86_SEG_H
#define HVSIM_X86_SEG_H
#include <stdbool.h>
#include <stdint.h>
#include "x86_cpu.h"

/* The descriptor of sel (8 bytes, or 16 for a long-mode system descriptor
 * when sys16): false when outside the table limit / no LDT. Supervisor
 * accesses; a page fault is raised. */
bool x86_desc_read(struct x86_cpu *x, uint16_t sel, uint64_t *lo, uint64_t *hi, bool sys16);
/* Sets the accessed bit of a code/data descriptor (if clear). */
void x86_desc_set_accessed(struct x86_cpu *x, uint16_t sel, uint64_t lo);
/* Fills a segment register's hidden part from a descriptor. */
void x86_seg_from_desc(struct x86_segment *s, uint16_t sel, uint64_t lo, uint64_t hi);
/* MOV/POP Sreg, LDS...: checks of SDM vol. 2, then loads (raises). */
void x86_load_seg(struct x86_cpu *x, int s, uint16_t sel);
/* Installs a checked code descriptor as CS at privilege cpl. */
void x86_load_cs(struct x86_cpu *x, uint16_t sel, uint64_t lo, unsigned cpl);
/* The size bytes at offset off of segment g are within its limit
 * (expand-down data: above it, up to FFFFh / FFFFFFFFh by B); off is
 * wrapped to the segment's width by the caller. */
bool x86_seg_range_ok(const struct x86_segment *g, uint64_t off, unsigned size);
#endif
