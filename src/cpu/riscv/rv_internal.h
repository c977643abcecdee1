/* Internal interfaces between the parts of the RISC-V hart model. */
#ifndef HVSIM_RV_INTERNAL_H
#define HVSIM_RV_INTERNAL_H
#include <string.h>
#include "rv_hart.h"
#include "rv_ops.h"
#include "../../sim/bus.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define PAGE_MASK (~0xfffull)

/* ---- traps (trap.c) ---- */
/* Take a synchronous exception at h->pc (priv 1.12 §3.1.15-§3.1.17, §4.1.8). */
void rv_exception(struct rv_hart *h, uint64_t cause, uint64_t tval);
/* The same with a guest physical address (htval/mtval2 = gpa >> 2) and a
 * transformed instruction (htinst/mtinst) for the H extension (§8.6.3). */
void rv_exception_g(struct rv_hart *h, uint64_t cause, uint64_t tval, uint64_t gpa, uint64_t tinst);
/* If an enabled interrupt is pending, take it; returns true when taken. */
bool rv_take_interrupt(struct rv_hart *h);
/* Pending and enabled interrupts (mip & mie), ignoring global enables. */
uint64_t rv_mip(const struct rv_hart *h);
void rv_mret(struct rv_hart *h);
void rv_sret(struct rv_hart *h);
/* Recompute fetch_mode/data_mode after priv or mstatus changes. */
void rv_update_modes(struct rv_hart *h);
void rv_set_priv(struct rv_hart *h, int priv);

/* ---- CSRs (csr.c) ---- */
/* Read/modify/write of a CSR for the Zicsr instructions. `write` says whether
 * the instruction writes (csrrw always; csrrs/c only when rs1/uimm != 0).
 * Returns 0 or an exception cause (illegal instruction). */
/* AIA (aia.c): the IMSIC's interrupt files and their CSRs. */
void rv_aia_update(struct rv_hart *h);   /* recompute MEIP/SEIP/VSEIP/SGEIP, hgeip */
void rv_aia_reset(struct rv_hart *h);
bool rv_aia_plic_line(struct rv_hart *h, int line, int level); /* true: taken */
void rv_aia_msi(struct rv_hart *h, unsigned file, unsigned id, bool from_cpu, uint32_t src);
int rv_aia_csr_check(struct rv_hart *h, unsigned csr, bool write); /* 0 or the exception */
/* mvien/hvien views of sip/sie/vsip/vsie/hvip (after the base value) and
 * the writes of their independent bits (before the base write, which may
 * adjust *v: mip.SEIP is read-only while mvien bit 9 is set) */
void rv_aia_view(const struct rv_hart *h, unsigned csr, uint64_t *v);
void rv_aia_pre_write(struct rv_hart *h, unsigned csr, uint64_t *v);
/* Interrupts beyond mip & mie: S-level virtual interrupts (mvien) and
 * VS-level ones chosen by vstopi (hvien, hvictl, hviprio); the cause to
 * take, with aia.force saying how (trap.c). */
int rv_aia_take(struct rv_hart *h, uint64_t hs_real, bool hs_on, bool vs_on); /* -1: none */
bool rv_aia_extra(const struct rv_hart *h);     /* any of that state set: use rv_aia_take */
/* M level: the interrupt of `set` (pending, enabled, not delegated) to take
 * by the M-level iprio array; -1 while that array is all zero (the default
 * order: the caller's). */
int rv_aia_m_pick(const struct rv_hart *h, uint64_t set);
uint64_t rv_aia_wake(const struct rv_hart *h);  /* non-zero: such an interrupt is pending */
bool rv_aia_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v);
bool rv_aia_csr_write(struct rv_hart *h, unsigned csr, uint64_t v);
void rv_aia_write_hgeie(struct rv_hart *h, uint64_t v);
uint64_t rv_aia_vgein_mask(const struct rv_hart *h);
int rv_csr_op(struct rv_hart *h, unsigned csr, bool write, uint64_t (*modify)(uint64_t old, uint64_t arg),
              uint64_t arg, uint64_t *old_out);
/* Plain access without permission checks (gdb, tests). false = no such CSR. */
bool rv_csr_read_raw(struct rv_hart *h, unsigned csr, uint64_t *val);
/* Write with the CSR's WARL rules but no privilege check (a debugger). */
bool rv_csr_write_raw(struct rv_hart *h, unsigned csr, uint64_t val);
uint64_t rv_read_time(struct rv_hart *h);
void rv_stimecmp_update(struct rv_hart *h);
void rv_vstimecmp_update(struct rv_hart *h);

/* menvcfg/henvcfg/senvcfg cache-block enables (CMO 1.0 "Control and
 * Status Register State"): CBIE (2 bits), CBCFE, CBZE. */
#define ENVCFG_CBIE  (3ull << 4)
#define ENVCFG_CBCFE (1ull << 6)
#define ENVCFG_CBZE  (1ull << 7)
#define ENVCFG_PBMTE (1ull << 62) /* Svpbmt: menvcfg (S and G stage), henvcfg (VS stage) */

/* ---- memory (mmu.c) ---- */
/* Translate va for access `acc` under the current data/fetch regime.
 * Returns 0 and *pa, or an exception cause (page fault / access fault). */
int rv_translate(struct rv_hart *h, uint64_t va, enum rv_access acc, int mode, uint64_t *pa);
bool rv_load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *val);
bool rv_store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val);
/* The memory side of a cache-block operation on the 64-byte block that
 * holds va (CMO 1.0): zero = cbo.zero writes zeros (store permission);
 * otherwise cbo.clean/flush/inval, which need load or store permission and
 * change nothing (memory is coherent, there is no cache). Faults are store
 * faults with tval = va; raises the exception and returns false. */
bool rv_cbo(struct rv_hart *h, uint64_t va, bool zero);
/* Host pointer for an atomic access (naturally aligned, RAM, writable);
 * raises the exception and returns NULL otherwise. */
uint8_t *rv_amo_ptr(struct rv_hart *h, uint64_t va, unsigned size, bool load_only);
/* Slow fetch path: refresh h->fetch_page/fetch_va for h->pc. Raises the
 * exception and returns false on a fault. */
bool rv_fetch_refill(struct rv_hart *h);
/* Fetch a raw instruction that crosses a page boundary at h->pc. */
bool rv_fetch_cross(struct rv_hart *h, uint32_t *raw);
/* HLV/HLVX/HSV access (raises the exception and returns false on a fault). */
bool rv_hlsv(struct rv_hart *h, uint64_t va, unsigned size, bool store, bool hlvx, uint64_t *val);
/* Debugger view: translate without side effects (no A/D, TLB or traps). */
bool rv_debug_translate(struct rv_hart *h, uint64_t va, bool write, uint64_t *pa);
void rv_tlb_flush(struct rv_hart *h);
void rv_tlb_flush_va(struct rv_hart *h, uint64_t va);
/* Drop every hart's fast write mappings of a physical page (it became code). */
void rv_tlb_drop_writes(struct machine *m, uint64_t pa_page);
void rv_code_invalidate(void *opaque, struct mem_region *r, uint64_t page_index);
/* Recompute the PMP entries' ranges after a pmpcfg/pmpaddr change. */
void rv_pmp_recompute(struct rv_hart *h);
/* PMP check of [pa, pa+size) for privilege priv (pmp.c). */
bool rv_pmp_ok(const struct rv_hart *h, uint64_t pa, unsigned size, enum rv_access acc, int priv);
/* True when the whole 4 KiB page at pa has one PMP outcome for priv and acc. */
bool rv_pmp_page_ok(const struct rv_hart *h, uint64_t pa_page, enum rv_access acc, int priv);

static inline uint64_t rv_load_le(const void *p, unsigned size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void rv_store_le(void *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* Fast paths: one TLB probe, then the host pointer. Misaligned accesses
 * inside a page are done by the host (hvsim does not trap on them). */
static inline bool rv_load(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    struct rv_tlb_entry *e = &h->tlb[h->data_mode][(va >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_r == (va & PAGE_MASK) && (va & 0xfff) <= 4096u - size)) {
        *val = rv_load_le((const void *)(uintptr_t)(va + e->addend), size);
        return true;
    }
    return rv_load_slow(h, va, size, val);
}

static inline bool rv_store(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val)
{
    struct rv_tlb_entry *e = &h->tlb[h->data_mode][(va >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_w == (va & PAGE_MASK) && (va & 0xfff) <= 4096u - size)) {
        rv_store_le((void *)(uintptr_t)(va + e->addend), size, val);
        return true;
    }
    return rv_store_slow(h, va, size, val);
}

#endif
