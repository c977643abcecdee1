/* The descriptor-inspecting instructions LAR, LSL, VERR and VERW (SDM vol.
 * 2): they never fault on a bad selector, they report through ZF. Internal
 * to src/cpu/x86/. */
#ifndef HVSIM_X86_DESC_INSN_H
#define HVSIM_X86_DESC_INSN_H
#include <stdbool.h>
#include <stdint.h>
#include "x86_cpu.h"

/* LAR: the second descriptor doubleword masked by 00FFFF00H into *ar (the
 * SDM's mask is 00FxFF00H, bits 19:16 — the limit's — "x", undefined; real
 * silicon returns the limit bits there (tests/x86/difftest.c), so do we);
 * false (ZF = 0) when the selector is null, outside the table, not visible
 * at CPL/RPL or of a type Table "Segment and Gate Types" rejects. */
bool x86_lar(struct x86_cpu *x, uint16_t sel, uint32_t *ar);
/* LSL: the byte-granular segment limit (scaled by G) into *limit. */
bool x86_lsl(struct x86_cpu *x, uint16_t sel, uint32_t *limit);
/* VERR (write = false) / VERW (write = true). */
bool x86_verify(struct x86_cpu *x, uint16_t sel, bool write);
#endif
