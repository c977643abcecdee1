/* LAR, LSL, VERR, VERW (SDM vol. 2 "LAR—Load Access Rights Byte", "LSL—Load
 * Segment Limit", "VERR/VERW—Verify a Segment for Reading or Writing").
 *
 * Each reads the descriptor a selector names, like a segment load, but never
 * faults on it (a page fault reading the table still is one): a null
 * selector, an offset beyond the GDT/LDT limit (or a TI = 1 selector with no
 * LDT), a descriptor not visible at the current privilege (DPL < CPL or
 * DPL < RPL; conforming code segments are exempt, except for VERW which
 * never accepts code) or a type the instruction does not accept clears ZF
 * and leaves the destination alone. The accepted system types are tables
 * below; all code and data segments are accepted by LAR and LSL. In
 * IA-32e mode an accepted system descriptor is 16 bytes: both halves
 * within the table, the upper half's type field 0 (type_ok). */
#include "x86_cpu.h"
#include "seg.h"
#include "desc_insn.h"

/* System descriptor types (S = 0) accepted, bit n = type n. LAR: Intel's
 * Table "Segment and Gate Types" (vol. 2 LAR): protected mode 1 2 3 4 5 9 B
 * C; IA-32e mode only 9 B C — the table marks the LDT (type 2) "No" in
 * IA-32e mode for LAR (AMD's manual accepts it; we follow Intel). LSL:
 * protected mode 1 2 3 9 B, IA-32e mode 2 9 B (no gates: they have no
 * limit). */
#define T(n) (1u << (n))
static const uint16_t lar_sys[2] = { T(1) | T(2) | T(3) | T(4) | T(5) | T(9) | T(0xb) | T(0xc),
                                     T(9) | T(0xb) | T(0xc) };
static const uint16_t lsl_sys[2] = { T(1) | T(2) | T(3) | T(9) | T(0xb), T(2) | T(9) | T(0xb) };
#undef T

/* The descriptor of sel when the privilege check passes: false for a null
 * selector, one outside the table or one not visible at max(CPL, RPL). */
static bool visible(struct x86_cpu *x, uint16_t sel, uint64_t *lo)
{
    if ((sel & ~3u) == 0 || !x86_desc_read(x, sel, lo, NULL, false))
        return false;
    unsigned a = (unsigned)(*lo >> 40) & 0xff, dpl = (a >> 5) & 3;
    bool conforming = (a & SEG_S) && (a & SEG_CODE) && (a & SEG_CE);
    return conforming || (dpl >= x->cpl && dpl >= (sel & 3u));
}

/* In IA-32e mode a system descriptor is 16 bytes (SDM vol. 3A §3.5, §7.2.3,
 * §5.8.3.1): its upper half must be within the table too, and its type
 * field (bits 12:8 of the fourth doubleword) must be 0, else the
 * descriptor is invalid for LAR/LSL (ZF = 0) as it would be for a load. */
static bool type_ok(struct x86_cpu *x, uint16_t sel, uint64_t lo, const uint16_t sys[2])
{
    unsigned a = (unsigned)(lo >> 40) & 0xff;
    if (a & SEG_S)
        return true;
    if (!(sys[x->long_mode ? 1 : 0] >> (a & 0xf) & 1))
        return false;
    if (!x->long_mode)
        return true;
    uint64_t lo2, hi;
    return x86_desc_read(x, sel, &lo2, &hi, true) && ((hi >> 40) & 0x1f) == 0;
}

bool x86_lar(struct x86_cpu *x, uint16_t sel, uint32_t *ar)
{
    uint64_t lo;
    if (!visible(x, sel, &lo) || !type_ok(x, sel, lo, lar_sys))
        return false;
    *ar = (uint32_t)(lo >> 32) & 0x00ffff00u; /* 19:16 (SDM: "x"): as silicon, desc_insn.h */
    return true;
}

bool x86_lsl(struct x86_cpu *x, uint16_t sel, uint32_t *limit)
{
    uint64_t lo;
    if (!visible(x, sel, &lo) || !type_ok(x, sel, lo, lsl_sys))
        return false;
    uint32_t l = (uint32_t)((lo & 0xffff) | ((lo >> 48) & 0xf) << 16);
    if ((lo >> 55) & 1) /* G: 4-KByte units */
        l = l << 12 | 0xfff;
    *limit = l;
    return true;
}

/* VERR: a readable segment (data, or code with R set); VERW: a writable
 * data segment. Conforming code is exempt from the privilege check (it
 * only matters for VERR: VERW rejects code anyway). */
bool x86_verify(struct x86_cpu *x, uint16_t sel, bool write)
{
    uint64_t lo;
    if (!visible(x, sel, &lo))
        return false;
    unsigned a = (unsigned)(lo >> 40) & 0xff;
    if (!(a & SEG_S))
        return false;
    if (write)
        return !(a & SEG_CODE) && (a & SEG_W_R);
    return !(a & SEG_CODE) || (a & SEG_W_R);
}
