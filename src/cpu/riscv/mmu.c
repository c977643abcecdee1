/* Address translation (Sv39/Sv48, priv spec 1.12 §4.3-§4.4), the software
 * TLB, slow-path loads/stores/fetches and predecoded-page management. */
#include <stdlib.h>
#include "rv_internal.h"
#include "isa.h"
#include "../../sim/machine.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN(p) (((p) >> 10) & ((1ull << 44) - 1))
#define PTE_PBMT (3ull << 61)   /* Svpbmt: page-based memory type */
#define PTE_N (1ull << 63)      /* Svnapot: naturally aligned power-of-2 page */
#define PTE_RSVD (0x7full << 54) /* bits 60:54: reserved, always a page fault */

enum { PERM_R = 1 << ACC_READ, PERM_W = 1 << ACC_WRITE, PERM_X = 1 << ACC_EXEC };

static const int mode_priv[RV_NMODES] = { PRV_U, PRV_S, PRV_S, PRV_M, PRV_U, PRV_S, PRV_S };
static bool mode_virt(int mode) { return mode >= RV_MODE_VU; }

static int page_fault(enum rv_access acc)
{
    static const int c[3] = { EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT, EXC_INSN_PAGE_FAULT };
    return c[acc];
}

static int access_fault(enum rv_access acc)
{
    static const int c[3] = { EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INSN_ACCESS };
    return c[acc];
}

static int guest_page_fault(enum rv_access acc)
{
    static const int c[3] = { EXC_LOAD_GUEST_PAGE_FAULT, EXC_STORE_GUEST_PAGE_FAULT,
                              EXC_INSN_GUEST_PAGE_FAULT };
    return c[acc];
}

static bool is_guest_page_fault(int cause)
{
    return cause == EXC_LOAD_GUEST_PAGE_FAULT || cause == EXC_STORE_GUEST_PAGE_FAULT ||
           cause == EXC_INSN_GUEST_PAGE_FAULT;
}

/* Pseudoinstructions in htinst for a guest-page fault on an implicit access
 * of a VS-stage PTE (§8.6.3, Table 8.12): 64-bit read / write. */
#define TINST_PTE_READ 0x00003000ull
#define TINST_PTE_WRITE 0x00003020ull

void rv_tlb_flush(struct rv_hart *h)
{
    for (int m = 0; m < RV_NMODES; m++)
        for (int i = 0; i < TLB_SIZE; i++) {
            struct rv_tlb_entry *e = &h->tlb[m][i];
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        }
    h->tlb_has_super = false;
    h->fetch_va = TLB_INVALID;
}

void rv_tlb_flush_va(struct rv_hart *h, uint64_t va)
{
    if (h->tlb_has_super) { /* 4 KiB pieces of a superpage: drop them all */
        rv_tlb_flush(h);
        return;
    }
    uint64_t page = va & PAGE_MASK;
    for (int m = 0; m < RV_NMODES; m++) {
        struct rv_tlb_entry *e = &h->tlb[m][(va >> 12) & (TLB_SIZE - 1)];
        if (e->tag_r == page || e->tag_w == page || e->tag_x == page)
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    }
    h->fetch_va = TLB_INVALID;
}

void rv_tlb_drop_writes(struct machine *m, uint64_t pa_page)
{
    for (int c = 0; c < m->ncpus; c++) {
        struct rv_hart *h = RV_HART(m->cpus[c]);
        for (int mode = 0; mode < RV_NMODES; mode++)
            for (int i = 0; i < TLB_SIZE; i++) {
                struct rv_tlb_entry *e = &h->tlb[mode][i];
                if (e->tag_w != TLB_INVALID && e->pa_page == pa_page)
                    e->tag_w = TLB_INVALID;
            }
    }
}

void rv_code_invalidate(void *opaque, struct mem_region *r, uint64_t page_index)
{
    (void)opaque;
    /* Reset in place (never free): a hart may be executing from this page.
     * Every slot becomes UNDECODED and is decoded again on next use. */
    if (r->dcache[page_index])
        memset(r->dcache[page_index], 0, sizeof(struct rv_dpage));
    r->page_flags[page_index] &= (uint8_t)~PAGE_CODE;
}

/* One page-table walk (§4.3.2), shared by the three kinds of tables:
 * single-stage Sv39/Sv48 (satp), the VS stage (vsatp: the table lives in
 * guest-physical memory, every PTE access goes through the G stage), and
 * the G stage (hgatp: Sv39x4/Sv48x4, 11-bit top index, PTE.U required,
 * checked as U-mode accesses, §8.5.1). */
struct walk_req {
    uint64_t root;        /* physical (or, VS stage, guest-physical) root */
    int levels;           /* 3 or 4 */
    int top_bits;         /* index bits of the top level: 9, or 11 for x4 */
    bool vs_stage, g_stage;
    int priv;             /* PRV_S / PRV_U (ignored for the G stage) */
    bool sum, mxr;
    bool hlvx;            /* HLVX: execute permission stands in for read */
    bool debug;           /* a debugger's look: no A/D updates, no side effects */
    bool pbmt, napot;     /* Svpbmt usable in this stage (xenvcfg.PBMTE), Svnapot */
};

/* Fault details for the trap: guest-physical address and htinst value. */
struct walk_fault {
    uint64_t gpa, tinst;
};

static int gstage(struct rv_hart *h, uint64_t gpa, enum rv_access acc, bool hlvx, bool debug,
                  uint64_t *pa, unsigned *perm, bool *super);

/* Reads (write=false) or updates a PTE; VS-stage PTEs are guest-physical. */
static int pte_access(struct rv_hart *h, const struct walk_req *w, uint64_t addr, bool write,
                      uint64_t *pte, enum rv_access acc, struct walk_fault *f)
{
    uint64_t pa = addr;
    if (w->vs_stage) {
        unsigned gp;
        bool sup;
        int r = gstage(h, addr, write ? ACC_WRITE : ACC_READ, false, w->debug, &pa, &gp, &sup);
        if (r) {
            /* the fault is reported for the original access type (§8.6.3) */
            f->gpa = addr;
            f->tinst = write ? TINST_PTE_WRITE : TINST_PTE_READ;
            return is_guest_page_fault(r) ? guest_page_fault(acc) : access_fault(acc);
        }
    }
    struct bus *bus = &h->m->bus;
    /* PTE accesses are S-level implicit accesses checked by PMP (§3.7.1) */
    if (!rv_pmp_ok(h, pa, 8, write ? ACC_WRITE : ACC_READ, PRV_S))
        return access_fault(acc);
    if (!write) { /* the common case: a PTE in RAM */
        const uint8_t *p = bus_host_ptr(bus, pa, 8);
        if (p) {
            *pte = rv_load_le(p, 8);
            return 0;
        }
    }
    bool ok = write ? bus_write(bus, pa, 8, *pte) : bus_read(bus, pa, 8, pte);
    return ok ? 0 : access_fault(acc);
}

static int do_walk(struct rv_hart *h, const struct walk_req *w, uint64_t va, enum rv_access acc,
                   uint64_t *pa, unsigned *perm, bool *super, struct walk_fault *f)
{
    int (*pf)(enum rv_access) = w->g_stage ? guest_page_fault : page_fault;
    uint64_t a = w->root;
    for (int i = w->levels - 1; i >= 0; i--) {
        unsigned bits = i == w->levels - 1 ? (unsigned)w->top_bits : 9;
        uint64_t pte_addr = a + ((va >> (12 + 9 * i)) & ((1ull << bits) - 1)) * 8;
        uint64_t pte;
        int r = pte_access(h, w, pte_addr, false, &pte, acc, f);
        if (r)
            return r;
        /* Step 3: reserved bits or encodings set -> page fault. PBMT (62:61)
         * is reserved unless Svpbmt is usable here (priv 20211203 ch. 7:
         * menvcfg.PBMTE for the single stage and the G stage, henvcfg.PBMTE
         * for the VS stage), and so is its value 3; N (63) unless Svnapot
         * (ch. 6). In a non-leaf PTE both fields are reserved. */
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RSVD) ||
            ((pte & PTE_PBMT) && (!w->pbmt || (pte & PTE_PBMT) == PTE_PBMT)) ||
            ((pte & PTE_N) && !w->napot))
            return pf(acc);
        if (!(pte & (PTE_R | PTE_X))) { /* pointer to the next level */
            if (i == 0 || (pte & (PTE_U | PTE_A | PTE_D | PTE_PBMT | PTE_N)))
                return pf(acc);
            a = PTE_PPN(pte) << 12;
            continue;
        }
        /* Leaf: permissions (§4.3.2 step 5; G stage: §8.5.1) */
        unsigned p = 0;
        if (w->hlvx)
            p |= (pte & PTE_X) ? PERM_R : 0;
        else if ((pte & PTE_R) || (w->mxr && (pte & PTE_X)))
            p |= PERM_R;
        if (pte & PTE_W) p |= PERM_W;
        if (pte & PTE_X) p |= PERM_X;
        if (w->g_stage) {
            if (!(pte & PTE_U))
                p = 0; /* every G-stage access is a U-mode access */
        } else if (pte & PTE_U) {
            if (w->priv == PRV_S)
                p = w->sum ? p & ~(unsigned)PERM_X : 0; /* S never executes U pages */
        } else if (w->priv == PRV_U) {
            p = 0;
        }
        if (!(p & (1u << acc)))
            return pf(acc);
        uint64_t ppn = PTE_PPN(pte);
        uint64_t low = (1ull << (9 * i)) - 1;
        if (ppn & low) /* misaligned superpage (step 6) */
            return pf(acc);
        if (pte & PTE_N) {
            /* Svnapot (ch. 6, Table 6.1): only the 64 KiB size exists, a
             * level-0 leaf with ppn[3:0] = 1000b; every other N = 1 leaf is
             * a reserved encoding. The translation takes ppn[3:0] from the
             * VA's vpn[0][3:0]. */
            if (i != 0 || (ppn & 0xf) != 0x8)
                return pf(acc);
            ppn &= ~0xfull;
            low = 0xf;
        }
        /* A/D update in hardware (step 7) */
        uint64_t need = PTE_A | (acc == ACC_WRITE ? PTE_D : 0);
        if ((pte & need) != need && !w->debug) {
            pte |= need;
            r = pte_access(h, w, pte_addr, true, &pte, acc, f);
            if (r)
                return r;
        }
        if (!(pte & PTE_D))
            p &= ~(unsigned)PERM_W; /* first write must come back to set D */
        *pa = ((ppn | ((va >> 12) & low)) << 12) | (va & 0xfff);
        *perm = p;
        *super = i > 0 || (pte & PTE_N); /* sfence.vma of one page drops all 16 */
        return 0;
    }
    return pf(acc);
}

/* Single-stage Sv39/Sv48 under satp. */
static int walk(struct rv_hart *h, uint64_t va, enum rv_access acc, int priv, bool sum,
                uint64_t *pa, unsigned *perm, bool *super)
{
    int levels = (h->satp >> 60) == 9 ? 4 : 3;
    int vabits = 12 + 9 * levels;
    /* va bits 63..vabits-1 must be all zeros or all ones (§4.4.1, §4.5.1) */
    uint64_t upper = va & (~0ull << (vabits - 1));
    if (upper != 0 && upper != ~0ull << (vabits - 1))
        return page_fault(acc);
    struct walk_req w = { .root = (h->satp & ((1ull << 44) - 1)) << 12, .levels = levels,
                          .top_bits = 9, .priv = priv, .sum = sum,
                          .mxr = h->mstatus & MSTATUS_MXR,
                          .pbmt = h->menvcfg & ENVCFG_PBMTE,
                          .napot = h->ext & RV_EXT_SVNAPOT };
    struct walk_fault f;
    return do_walk(h, &w, va, acc, pa, perm, super, &f);
}

/* G stage (§8.5.1): guest-physical -> physical under hgatp. */
static int gstage(struct rv_hart *h, uint64_t gpa, enum rv_access acc, bool hlvx, bool debug,
                  uint64_t *pa, unsigned *perm, bool *super)
{
    unsigned mode = (unsigned)(h->hgatp >> 60);
    if (mode == 0) {
        *pa = gpa;
        *perm = PERM_R | PERM_W | PERM_X;
        *super = false;
        return 0;
    }
    int levels = mode == 9 ? 4 : 3;
    if (gpa >> (12 + 9 * levels + 2)) /* bits above the x4 width must be zero */
        return guest_page_fault(acc);
    struct walk_req w = { .root = (h->hgatp & ((1ull << 44) - 1)) << 12, .levels = levels,
                          .top_bits = 11, .g_stage = true, .mxr = h->mstatus & MSTATUS_MXR,
                          .hlvx = hlvx, .debug = debug,
                          .pbmt = h->menvcfg & ENVCFG_PBMTE,
                          .napot = h->ext & RV_EXT_SVNAPOT };
    struct walk_fault f;
    return do_walk(h, &w, gpa, acc, pa, perm, super, &f);
}

/* Two-stage translation for V=1 (§8.5): VS stage under vsatp, then G stage.
 * A G-stage fault is a guest-page fault with f->gpa the faulting
 * guest-physical address. */
static int walk2(struct rv_hart *h, uint64_t va, enum rv_access acc, int priv, bool sum, bool hlvx,
                 uint64_t *pa, unsigned *perm, bool *super, struct walk_fault *f)
{
    uint64_t gpa = va;
    unsigned vperm = PERM_R | PERM_W | PERM_X;
    bool vsuper = false;
    unsigned mode = (unsigned)(h->vsatp >> 60);
    bool mxr = (h->mstatus & MSTATUS_MXR) || (h->vsstatus & MSTATUS_MXR);
    if (mode != 0) {
        int levels = mode == 9 ? 4 : 3;
        int vabits = 12 + 9 * levels;
        uint64_t upper = va & (~0ull << (vabits - 1));
        if (upper != 0 && upper != ~0ull << (vabits - 1))
            return page_fault(acc);
        struct walk_req w = { .root = (h->vsatp & ((1ull << 44) - 1)) << 12, .levels = levels,
                              .top_bits = 9, .vs_stage = true, .priv = priv, .sum = sum,
                              .mxr = mxr, .hlvx = hlvx,
                              .pbmt = h->henvcfg & ENVCFG_PBMTE,
                              .napot = h->ext & RV_EXT_SVNAPOT };
        int r = do_walk(h, &w, va, acc, &gpa, &vperm, &vsuper, f);
        if (r)
            return r;
    } else if (hlvx) {
        vperm = PERM_R | PERM_W | PERM_X; /* bare VS stage: no VS permission check */
    }
    unsigned gperm;
    bool gsuper;
    int r = gstage(h, gpa, acc, hlvx, false, pa, &gperm, &gsuper);
    if (r) {
        f->gpa = gpa;
        f->tinst = 0; /* explicit access: the caller adds the transformed instruction */
        return r;
    }
    *perm = vperm & gperm;
    *super = vsuper || gsuper;
    return 0;
}

/* Translation in TLB set `mode`; fills the TLB for RAM pages. */
static int translate_fill(struct rv_hart *h, uint64_t va, enum rv_access acc, int mode, uint64_t *pa_out)
{
    int priv = mode_priv[mode];
    uint64_t pa = 0;
    unsigned perm = PERM_R | PERM_W | PERM_X;
    bool super = false;
    h->fault_gpa = h->fault_tinst = 0;
    if (mode_virt(mode)) {
        struct walk_fault f = { 0, 0 };
        int r = walk2(h, va, acc, priv, mode == RV_MODE_VS_SUM, false, &pa, &perm, &super, &f);
        if (r) {
            h->fault_gpa = f.gpa;
            h->fault_tinst = f.tinst;
            return r;
        }
    } else if (priv == PRV_M || (h->satp >> 60) == 0) {
        pa = va;
    } else {
        int r = walk(h, va, acc, priv, mode == RV_MODE_S_SUM, &pa, &perm, &super);
        if (r)
            return r;
    }
    *pa_out = pa;

    struct mem_region *reg = bus_find_mem(&h->m->bus, pa);
    if (!reg)
        return 0; /* MMIO or unmapped: never in the fast path */
    uint64_t page = pa & PAGE_MASK;
    uint64_t pindex = (page - reg->base) >> 12;
    /* PMP must give the whole page one answer for each kind we cache. */
    if (h->pmp_active || priv != PRV_M)
        for (int k = 0; k < 3; k++)
            if ((perm & (1u << k)) && !rv_pmp_page_ok(h, page, (enum rv_access)k, priv))
                perm &= ~(1u << k);
    if (reg->readonly || (reg->page_flags[pindex] & (PAGE_CODE | PAGE_WATCH)))
        perm &= ~(unsigned)PERM_W;
    if (unlikely(h->cpu.nwps) && cpu_watch_page(&h->cpu, va))
        perm &= ~(unsigned)(PERM_R | PERM_W); /* debugger watchpoints: every access checked */
    struct rv_tlb_entry *e = &h->tlb[mode][(va >> 12) & (TLB_SIZE - 1)];
    uint64_t vpage = va & PAGE_MASK;
    e->tag_r = (perm & PERM_R) ? vpage : TLB_INVALID;
    e->tag_w = (perm & PERM_W) ? vpage : TLB_INVALID;
    if (perm & PERM_W) /* writes may now bypass the bus: count the page as written */
        reg->dirty[pindex] = 1;
    e->tag_x = (perm & PERM_X) ? vpage : TLB_INVALID;
    e->addend = (uintptr_t)(reg->host + (page - reg->base)) - (uintptr_t)vpage;
    e->pa_page = page;
    e->region = reg;
    e->page_index = pindex;
    e->dpage = reg->dcache[pindex];
    if (super)
        h->tlb_has_super = true;
    return 0;
}


/* htinst/mtinst for a guest-page fault of an explicit load/store/AMO
 * (§8.6.3): the trapping instruction with its address fields zeroed (rs1 =
 * offset 0, immediates 0); a compressed instruction is first expanded to
 * its 32-bit form, and bit 1 of the result is then cleared. */
static uint64_t transformed_insn(struct rv_hart *h)
{
    if ((h->pc & PAGE_MASK) != h->fetch_va || !h->fetch_page)
        return 0;
    const struct rv_dinsn *d = &h->fetch_page->d[(h->pc & 0xfff) >> 1];
    uint32_t raw = d->raw;
    if (d->len == 4) {
        if (((raw & 0x7f) == 0x07 || (raw & 0x7f) == 0x27) &&
            (((raw >> 12) & 7) == 0 || ((raw >> 12) & 7) >= 5))
            return 0; /* vector loads/stores (V 1.0): no transformed form, 0 */
        switch (raw & 0x7f) {
        case 0x03: case 0x07: return raw & 0x00007fffu;          /* loads: keep funct3, rd */
        case 0x23: case 0x27: return raw & 0x01f0707fu;          /* stores: keep rs2, funct3 */
        case 0x2f: case 0x73: return raw & ~(0x1fu << 15);       /* AMOs, HLV/HSV: rs1 = 0 */
        }
        return 0;
    }
    unsigned rd = d->rd == 32 ? 0 : d->rd;
    uint32_t t;
    switch (d->op) { /* the RVC loads and stores, expanded */
    case RV_OP_LW: t = rd << 7 | 2u << 12 | 0x03; break;
    case RV_OP_LD: t = rd << 7 | 3u << 12 | 0x03; break;
    case RV_OP_FLD: t = rd << 7 | 3u << 12 | 0x07; break;
    case RV_OP_SW: t = (uint32_t)d->rs2 << 20 | 2u << 12 | 0x23; break;
    case RV_OP_SD: t = (uint32_t)d->rs2 << 20 | 3u << 12 | 0x23; break;
    case RV_OP_FSD: t = (uint32_t)d->rs2 << 20 | 3u << 12 | 0x27; break;
    default: return 0;
    }
    return t & ~2u;
}

/* Raise a translation or access fault with its H-extension details.
 * offset: faulting address - the instruction's address (a misaligned access
 * that faults on its second page), the "Addr. Offset" field of htinst. */
static void raise_fault_at(struct rv_hart *h, int cause, uint64_t tval, bool explicit_access,
                           unsigned offset)
{
    uint64_t tinst = h->fault_tinst;
    if (is_guest_page_fault(cause) && explicit_access && !tinst) {
        tinst = transformed_insn(h);
        if (tinst)
            tinst |= (uint64_t)(offset & 0x1f) << 15; /* rs1 field (§8.6.3) */
    }
    rv_exception_g(h, (uint64_t)cause, tval, is_guest_page_fault(cause) ? h->fault_gpa : 0, tinst);
}

static void raise_fault(struct rv_hart *h, int cause, uint64_t tval, bool explicit_access)
{
    raise_fault_at(h, cause, tval, explicit_access, 0);
}

int rv_translate(struct rv_hart *h, uint64_t va, enum rv_access acc, int mode, uint64_t *pa)
{
    return translate_fill(h, va, acc, mode, pa);
}

/* A debugger watchpoint hit: the access has completed; the run ends after
 * this instruction and the scheduler reports the stop. */
static void watch_check(struct rv_hart *h, uint64_t va, unsigned size, bool write)
{
    const struct cpu_watch *w = cpu_watch_hit(&h->cpu, va, size, write);
    if (w && !h->cpu.wp_hit) {
        h->cpu.wp_hit = true;
        h->cpu.wp_addr = va;
        h->cpu.wp_kind = w->kind;
        cpu_end_run(&h->cpu);
    }
}

/* Translate + PMP for one piece of a data access that stays in one page. */
static int data_pa(struct rv_hart *h, uint64_t va, unsigned size, enum rv_access acc, uint64_t *pa)
{
    int r = translate_fill(h, va, acc, h->data_mode, pa);
    if (r)
        return r;
    if (!rv_pmp_ok(h, *pa, size, acc, mode_priv[h->data_mode]))
        return access_fault(acc);
    return 0;
}

bool rv_load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    struct bus *bus = &h->m->bus;
    uint64_t pa;
    if ((va & 0xfff) + size > 4096) { /* crosses a page: byte by byte */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t b;
            int r = data_pa(h, va + i, 1, ACC_READ, &pa);
            if (!r && !bus_read(bus, pa, 1, &b))
                r = EXC_LOAD_ACCESS;
            if (r) {
                raise_fault_at(h, r, va + i, true, i);
                return false;
            }
            v |= b << (8 * i);
        }
        *val = v;
        return true;
    }
    int r = data_pa(h, va, size, ACC_READ, &pa);
    if (!r && !bus_read(bus, pa, size, val))
        r = EXC_LOAD_ACCESS;
    if (r) {
        raise_fault(h, r, va, true);
        return false;
    }
    if (unlikely(h->cpu.nwps))
        watch_check(h, va, size, false);
    return true;
}

/* CMO 1.0 ("Cache-Block Management Instructions"): a management operation
 * may access the block when a load or a store may; if neither, the fault is
 * reported as a store fault (page, guest-page or access fault). cbo.zero is
 * a store of the block. */
bool rv_cbo(struct rv_hart *h, uint64_t va, bool zero)
{
    uint64_t base = va & ~(uint64_t)(RV_CBO_BLOCK - 1), pa;
    int r = zero ? data_pa(h, base, RV_CBO_BLOCK, ACC_WRITE, &pa)
                 : data_pa(h, base, RV_CBO_BLOCK, ACC_READ, &pa);
    if (r && !zero)
        r = data_pa(h, base, RV_CBO_BLOCK, ACC_WRITE, &pa);
    if (r) {
        raise_fault(h, r, va, true);
        return false;
    }
    if (!zero)
        return true;
    for (unsigned i = 0; i < RV_CBO_BLOCK; i += 8) {
        if (!bus_write(&h->m->bus, pa + i, 8, 0)) {
            rv_exception(h, EXC_STORE_ACCESS, va);
            return false;
        }
    }
    if (unlikely(h->cpu.nwps))
        watch_check(h, base, RV_CBO_BLOCK, true);
    return true;
}

bool rv_store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val)
{
    struct bus *bus = &h->m->bus;
    uint64_t pa, pa2 = 0;
    unsigned first = size;
    if ((va & 0xfff) + size > 4096) {
        /* Crosses a page: check both pieces before writing anything. */
        first = 4096 - (unsigned)(va & 0xfff);
        uint64_t va2 = va + first;
        int r = data_pa(h, va2, size - first, ACC_WRITE, &pa2);
        if (r) {
            raise_fault_at(h, r, va2, true, first);
            return false;
        }
    }
    int r = data_pa(h, va, first, ACC_WRITE, &pa);
    if (r) {
        raise_fault(h, r, va, true);
        return false;
    }
    if (first == size) {
        if (!bus_write(bus, pa, size, val)) {
            rv_exception(h, EXC_STORE_ACCESS, va);
            return false;
        }
        if (unlikely(h->cpu.nwps))
            watch_check(h, va, size, true);
        return true;
    }
    for (unsigned i = 0; i < size; i++) {
        uint64_t p = i < first ? pa + i : pa2 + (i - first);
        if (!bus_write(bus, p, 1, (val >> (8 * i)) & 0xff)) {
            rv_exception(h, EXC_STORE_ACCESS, va + i);
            return false;
        }
    }
    return true;
}

uint8_t *rv_amo_ptr(struct rv_hart *h, uint64_t va, unsigned size, bool load_only)
{
    enum rv_access acc = load_only ? ACC_READ : ACC_WRITE;
    if (va & (size - 1)) { /* AMOs and LR/SC must be naturally aligned */
        rv_exception(h, load_only ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, va);
        return NULL;
    }
    struct rv_tlb_entry *e = &h->tlb[h->data_mode][(va >> 12) & (TLB_SIZE - 1)];
    if ((load_only ? e->tag_r : e->tag_w) == (va & PAGE_MASK))
        return (uint8_t *)(uintptr_t)(va + e->addend);
    uint64_t pa;
    int r = data_pa(h, va, size, acc, &pa);
    if (r) {
        raise_fault(h, r, va, true);
        return NULL;
    }
    struct mem_region *reg = bus_find_mem(&h->m->bus, pa);
    if (!reg || (!load_only && reg->readonly)) { /* no atomics on MMIO (PMA) */
        rv_exception(h, load_only ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS, va);
        return NULL;
    }
    if (!load_only && reg->page_flags[(pa - reg->base) >> 12])
        bus_mem_store_notify(&h->m->bus, reg, pa, size); /* drop predecoded code first */
    if (!load_only)
        bus_mark_dirty(reg, pa, size);
    if (unlikely(h->cpu.nwps)) /* reported once the AMO has completed */
        watch_check(h, va, size, !load_only);
    return reg->host + (pa - reg->base);
}

static struct rv_dpage *dpage_of(struct mem_region *reg, uint64_t pindex)
{
    struct rv_dpage *dp = reg->dcache[pindex];
    if (!dp) {
        dp = calloc(1, sizeof(*dp));
        if (!dp)
            abort(); /* host out of memory */
        reg->dcache[pindex] = dp;
    }
    return dp;
}

bool rv_fetch_refill(struct rv_hart *h)
{
    uint64_t va = h->pc;
    struct rv_tlb_entry *e = &h->tlb[h->fetch_mode][(va >> 12) & (TLB_SIZE - 1)];
    if (e->tag_x != (va & PAGE_MASK)) {
        uint64_t pa;
        int r = translate_fill(h, va, ACC_EXEC, h->fetch_mode, &pa);
        if (!r && !rv_pmp_ok(h, pa, 2, ACC_EXEC, mode_priv[h->fetch_mode]))
            r = EXC_INSN_ACCESS;
        if (!r && !bus_find_mem(&h->m->bus, pa))
            r = EXC_INSN_ACCESS; /* executing from MMIO or unmapped space */
        if (r) {
            raise_fault(h, r, va, false);
            return false;
        }
        if (e->tag_x != (va & PAGE_MASK)) {
            /* Executable but not cacheable (PMP splits the page): use the
             * page for this one instruction only. */
            struct mem_region *reg = bus_find_mem(&h->m->bus, pa);
            uint64_t pindex = (pa - reg->base) >> 12;
            h->fetch_page = dpage_of(reg, pindex);
            h->fetch_region = reg;
            h->fetch_pindex = pindex;
            h->fetch_va = TLB_INVALID;
            return true;
        }
    }
    h->fetch_page = e->dpage = dpage_of(e->region, e->page_index);
    h->fetch_region = e->region;
    h->fetch_pindex = e->page_index;
    h->fetch_va = va & PAGE_MASK;
    return true;
}

bool rv_fetch_cross(struct rv_hart *h, uint32_t *raw)
{
    /* Low parcel from the current page, high parcel from the next one;
     * tval of a fault on the second page is its address (§3.1.16). */
    uint32_t v = 0;
    for (int part = 0; part < 2; part++) {
        uint64_t va = h->pc + 2 * (uint64_t)part;
        uint64_t pa, b;
        int r = translate_fill(h, va, ACC_EXEC, h->fetch_mode, &pa);
        if (!r && !rv_pmp_ok(h, pa, 2, ACC_EXEC, mode_priv[h->fetch_mode]))
            r = EXC_INSN_ACCESS;
        if (!r && (!bus_find_mem(&h->m->bus, pa) || !bus_read(&h->m->bus, pa, 2, &b)))
            r = EXC_INSN_ACCESS;
        if (r) {
            raise_fault(h, r, va, false);
            return false;
        }
        v |= (uint32_t)b << (16 * part);
    }
    *raw = v;
    return true;
}

/* HLV/HLVX/HSV (priv 20211203 §8.3.2): an explicit access translated as if
 * V=1 at the privilege in hstatus.SPVP (vsstatus.SUM/MXR apply), never
 * cached in the TLB. A page-crossing access is split into bytes. */
bool rv_hlsv(struct rv_hart *h, uint64_t va, unsigned size, bool store, bool hlvx, uint64_t *val)
{
    if ((va & 0xfff) + size > 4096 && size > 1) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t b = store ? (*val >> (8 * i)) & 0xff : 0;
            if (!rv_hlsv(h, va + i, 1, store, hlvx, &b))
                return false;
            v |= b << (8 * i);
        }
        if (!store)
            *val = v;
        return true;
    }
    int priv = (h->hstatus & HSTATUS_SPVP) ? PRV_S : PRV_U;
    enum rv_access acc = store ? ACC_WRITE : ACC_READ;
    bool sum = priv == PRV_S && (h->vsstatus & MSTATUS_SUM);
    struct walk_fault f = { 0, 0 };
    uint64_t pa;
    unsigned perm;
    bool super;
    int r = walk2(h, va, acc, priv, sum, hlvx, &pa, &perm, &super, &f);
    /* HLVX: the physical memory must grant execute and read (§8.3.2) */
    if (!r && (!rv_pmp_ok(h, pa, size, acc, priv) || (hlvx && !rv_pmp_ok(h, pa, size, ACC_EXEC, priv))))
        r = access_fault(acc);
    if (!r && !(store ? bus_write(&h->m->bus, pa, size, *val) : bus_read(&h->m->bus, pa, size, val)))
        r = access_fault(acc);
    if (r) {
        h->hlsv = true; /* the trap records a guest virtual address (GVA = 1) */
        h->fault_gpa = f.gpa;
        h->fault_tinst = f.tinst;
        raise_fault(h, r, va, true);
        h->hlsv = false;
        return false;
    }
    return true;
}

/* The debugger's view (gdb stub): translate va as the hart's current
 * privilege would fetch it (two-stage when V=1), without touching A/D bits,
 * the TLB or any trap state. false when unmapped or not permitted. */
bool rv_debug_translate(struct rv_hart *h, uint64_t va, bool write, uint64_t *pa)
{
    enum rv_access acc = write ? ACC_WRITE : ACC_READ;
    int mode = h->fetch_mode;
    int priv = mode_priv[mode];
    unsigned perm;
    bool super;
    struct walk_fault f = { 0, 0 };
    if (mode_virt(mode)) {
        unsigned m2 = (unsigned)(h->vsatp >> 60);
        uint64_t gpa = va;
        if (m2 != 0) {
            int levels = m2 == 9 ? 4 : 3;
            struct walk_req w = { .root = (h->vsatp & ((1ull << 44) - 1)) << 12, .levels = levels,
                                  .top_bits = 9, .vs_stage = true, .priv = PRV_S, .sum = true,
                                  .mxr = true, .debug = true,
                                  .pbmt = h->henvcfg & ENVCFG_PBMTE,
                                  .napot = h->ext & RV_EXT_SVNAPOT };
            if (do_walk(h, &w, va, ACC_READ, &gpa, &perm, &super, &f))
                return false;
        }
        return gstage(h, gpa, acc, false, true, pa, &perm, &super) == 0;
    }
    if (priv == PRV_M || (h->satp >> 60) == 0) {
        *pa = va;
        return true;
    }
    int levels = (h->satp >> 60) == 9 ? 4 : 3;
    struct walk_req w = { .root = (h->satp & ((1ull << 44) - 1)) << 12, .levels = levels,
                          .top_bits = 9, .priv = PRV_S, .sum = true, .mxr = true, .debug = true,
                          .pbmt = h->menvcfg & ENVCFG_PBMTE, .napot = h->ext & RV_EXT_SVNAPOT };
    (void)acc;
    return do_walk(h, &w, va, ACC_READ, pa, &perm, &super, &f) == 0;
}
