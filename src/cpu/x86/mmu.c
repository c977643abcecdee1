/* Linear-address translation and memory access (Intel SDM vol. 3A ch. 4
 * "Paging"): no paging, 32-bit paging (with PSE 4 MiB pages), PAE paging and
 * 4-level paging (2 MiB / 1 GiB pages), accessed/dirty bits, U/S, R/W with
 * CR0.WP, NX, SMEP, SMAP, global pages; a direct-mapped TLB with host
 * pointers for RAM. Segmentation is applied by the caller (exec.c). */
#include <string.h>
#include "gdb.h"
#include "x86_cpu.h"
#include "icache.h"
#include "../../apic/lapic.h"
#include "../../sim/bus.h"
#include "../../sim/machine.h"

/* TLB permission bits */
enum {
    TP_R_SUP = 1u << 0, TP_W_SUP = 1u << 1, TP_X_SUP = 1u << 2,
    TP_R_USR = 1u << 3, TP_W_USR = 1u << 4, TP_X_USR = 1u << 5,
    TP_USER_PAGE = 1u << 6, /* U/S = 1 at every level: SMAP/SMEP apply */
};

/* ---- the TLB's translation contexts (x86_cpu.h struct x86_tlb_ctx) ---- */

static inline unsigned entry_ctx(const struct x86_tlb_entry *t, uint64_t tag)
{
    (void)t;
    return (unsigned)(tag >> X86_TLB_CTX_SHIFT);
}

static inline uint64_t entry_tag(const struct x86_tlb_entry *t)
{
    return t->tag_r | t->tag_w | t->tag_x; /* all three name the same page and context */
}

static inline void entry_drop(struct x86_tlb_entry *t)
{
    t->tag_r = t->tag_w = t->tag_x = 0;
}

/* The paging state an entry's permissions were computed under (walk):
 * CR0.PG/WP/PE, CR4.PSE/PAE/PGE/PCIDE/SMEP/SMAP, EFER.NXE, IA-32e mode,
 * the A20 gate. */
static uint64_t tlb_mode(const struct x86_cpu *x)
{
    uint64_t m = (x->cr0 & (CR0_PG | CR0_WP | CR0_PE)) |
                 (uint64_t)(x->cr4 & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP)) << 32;
    if (x->efer & EFER_NXE)
        m |= 1ull << 63;
    if (x->long_mode)
        m |= 1ull << 62;
    if (x->a20 && !*x->a20)
        m |= 1ull << 61;
    return m;
}

static void ctx_drop(struct x86_cpu *x, unsigned c, bool include_global)
{
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        struct x86_tlb_entry *t = &x->tlb[i];
        uint64_t tag = entry_tag(t);
        if (tag && entry_ctx(t, tag) == c && (include_global || !t->global))
            entry_drop(t);
    }
}

void x86_tlb_flush(struct x86_cpu *x, bool include_global)
{
    for (int i = 0; i < X86_TLB_SIZE; i++)
        if (include_global || !x->tlb[i].global)
            entry_drop(&x->tlb[i]);
    if (include_global && !x->vmx.non_root) {
        /* nothing is cached any more: back to the one root context */
        memset(x->tlb_ctx, 0, sizeof x->tlb_ctx);
        x->tlb_ctx[0].used = true;
        x->tlb_cur = 0;
        x->tlb_victim = 1;
        x->tlb_tag = 0;
        x->tlb_xor = 0;
    }
}

/* Whether context c has the current VPID. */
static inline bool ctx_cur_vpid(const struct x86_cpu *x, unsigned c)
{
    return c == x->tlb_cur || (x->tlb_ctx[c].used && x->tlb_ctx[c].vpid == x->tlb_ctx[x->tlb_cur].vpid);
}

void x86_tlb_flush_vpid(struct x86_cpu *x, bool include_global)
{
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        struct x86_tlb_entry *t = &x->tlb[i];
        uint64_t tag = entry_tag(t);
        if (tag && (include_global || !t->global) && ctx_cur_vpid(x, entry_ctx(t, tag)))
            entry_drop(t);
    }
}

/* Entries are 4 KiB pieces; la may lie in a 2 MiB / 4 MiB / 1 GiB page
 * whose other pieces INVLPG must drop too (SDM vol. 3A §4.10.4.1): every
 * entry whose page (of its recorded size) holds la goes. In VMX, those of
 * the current VPID, for every EP4TA (SDM vol. 3C §29.4.3.1). */
void x86_tlb_flush_page_ex(struct x86_cpu *x, uint64_t la, bool include_global)
{
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        struct x86_tlb_entry *t = &x->tlb[i];
        uint64_t tag = entry_tag(t);
        if (!tag || (t->global && !include_global) || !ctx_cur_vpid(x, entry_ctx(t, tag)))
            continue;
        /* the tag holds la[63:12] in bits 54:3; the context bits above go
         * out with the shift */
        uint64_t diff = ((tag >> 3) << 12) ^ la;
        if (!(diff >> t->pshift))
            entry_drop(t);
    }
}

void x86_tlb_flush_page(struct x86_cpu *x, uint64_t la)
{
    x86_tlb_flush_page_ex(x, la, true);
}

void x86_tlb_set_context(struct x86_cpu *x, uint16_t vpid, bool ept, uint64_t ep4ta)
{
    if (!ept)
        ep4ta = 0;
    unsigned c = X86_TLB_CTXS;
    for (unsigned i = 0; i < X86_TLB_CTXS; i++) {
        const struct x86_tlb_ctx *k = &x->tlb_ctx[i];
        if (k->used && k->vpid == vpid && k->ept == ept && k->ep4ta == ep4ta) {
            c = i;
            break;
        }
    }
    if (c == X86_TLB_CTXS) {
        /* a new context: a free one, else the oldest taken (round robin,
         * never the current one), whose entries go */
        for (unsigned i = 0; i < X86_TLB_CTXS && c == X86_TLB_CTXS; i++)
            if (!x->tlb_ctx[i].used)
                c = i;
        if (c == X86_TLB_CTXS) {
            c = x->tlb_victim % X86_TLB_CTXS;
            if (c == x->tlb_cur)
                c = (c + 1) % X86_TLB_CTXS;
            x->tlb_victim = (uint8_t)((c + 1) % X86_TLB_CTXS);
        }
        ctx_drop(x, c, true);
        x->tlb_ctx[c] = (struct x86_tlb_ctx){ .used = true, .ept = ept, .vpid = vpid, .ep4ta = ep4ta,
                                              .cr3 = x->cr3, .mode = tlb_mode(x) };
    } else if (x->tlb_ctx[c].cr3 != x->cr3 || x->tlb_ctx[c].mode != tlb_mode(x)) {
        /* its entries were made under another CR3 / paging mode (the VMCS
         * changed the guest's, or this is another guest's CR3 under the same
         * tag): drop them rather than apply stale permissions */
        ctx_drop(x, c, true);
        x->tlb_ctx[c].cr3 = x->cr3;
        x->tlb_ctx[c].mode = tlb_mode(x);
    }
    x->tlb_cur = (uint8_t)c;
    x->tlb_tag = (uint64_t)c << X86_TLB_CTX_SHIFT;
    x->tlb_xor = X86_TLB_CTX_XOR(c);
}

void x86_tlb_invalidate(struct x86_cpu *x, const struct ept_inval *inv)
{
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        struct x86_tlb_entry *t = &x->tlb[i];
        uint64_t tag = entry_tag(t);
        if (!tag)
            continue;
        const struct x86_tlb_ctx *k = &x->tlb_ctx[entry_ctx(t, tag)];
        /* every entry is a linear (EPT off) or combined (EPT on) mapping;
         * the model caches no guest-physical mapping (ept.c reads the EPT
         * afresh on every walk) */
        struct ept_tlb_tag et = { .ept = k->ept, .linear = true, .global = t->global,
                                  .vpid = k->vpid, .ep4ta = k->ep4ta,
                                  .addr = ((tag >> 3) << 12), .pshift = t->pshift };
        if (!k->used || ept_inval_hits(inv, &et))
            entry_drop(t);
    }
}

int x86_tlb_ctx_entries(const struct x86_cpu *x, uint16_t vpid, bool ept, uint64_t ep4ta)
{
    for (unsigned c = 0; c < X86_TLB_CTXS; c++) {
        const struct x86_tlb_ctx *k = &x->tlb_ctx[c];
        if (!k->used || k->vpid != vpid || k->ept != ept || k->ep4ta != (ept ? ep4ta : 0))
            continue;
        int n = 0;
        for (int i = 0; i < X86_TLB_SIZE; i++) {
            uint64_t tag = entry_tag(&x->tlb[i]);
            n += tag && entry_ctx(&x->tlb[i], tag) == c;
        }
        return n;
    }
    return -1;
}

static uint64_t pa_mask_a20(const struct x86_cpu *x, uint64_t pa)
{
    if (x->a20 && !*x->a20)
        pa &= ~(1ull << 20);
    return pa;
}

static uint64_t phys_read(struct x86_cpu *x, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    if (x->lapic && lapic_mmio_claims(x->lapic, pa)) /* the xAPIC page (per CPU) */
        return lapic_mmio_read(x->lapic, pa, size);
    if (!bus_read(&x->m->bus, pa, size, &v))
        v = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; /* unclaimed: all ones */
    return v;
}

static void phys_write(struct x86_cpu *x, uint64_t pa, unsigned size, uint64_t v)
{
    if (x->lapic && lapic_mmio_claims(x->lapic, pa)) {
        lapic_mmio_write(x->lapic, pa, size, v);
        return;
    }
    bus_write(&x->m->bus, pa, size, v); /* unclaimed writes are dropped */
}

/* VMX "virtualize APIC accesses" (docs/vmx.md "APIC virtualization"): the
 * guest's accesses to the APIC-access page go to src/vmm/vmx_apic.c. */
static inline bool apic_access_page(const struct x86_cpu *x, uint64_t pa)
{
    return __builtin_expect(x->vmx.non_root, 0) && (pa & ~0xfffull) == x->vmx.apic_page;
}

/* EPT (docs/vmx.md "EPT and VPID"): in VMX non-root operation with
 * "enable EPT" every physical address of the guest is guest-physical and
 * goes through vmx_ept_translate, which exits to the host on a violation
 * or misconfiguration (a debug probe returns *ok = false instead). */
static inline bool ept_on(const struct x86_cpu *x)
{
    return __builtin_expect(x->vmx.non_root && x->vmx.ept, 0);
}
static uint64_t ept_gpa(struct x86_cpu *x, uint64_t gpa, unsigned acc, uint64_t la, bool debug,
                        bool *ok)
{
    struct ept_result r;
    uint64_t hpa = vmx_ept_translate(x, gpa, acc | (debug ? EPT_ACC_DEBUG : 0), la, &r);
    if (r.status != EPT_OK)
        *ok = false;
    return hpa;
}

/* #PF at la: CR2 = la, unless the VMX exception bitmap makes it a VM exit
 * (src/vmm/vmx_nonroot.c: the exit reports la and leaves CR2 alone). */
static _Noreturn void page_fault(struct x86_cpu *x, uint64_t la, uint32_t err)
{
    if (__builtin_expect(x->vmx.non_root, 0))
        vmx_nr_exception(x, X86_EXC_PF, true, err, VMX_EV_HW, la);
    x->cr2 = la;
    x86_raise(x, X86_EXC_PF, true, err);
}

/* Page walk. Returns the physical address of la, or raises #PF. Sets A/D
 * bits. *perm receives TP_* for the whole page; *page_size its size. */
static uint64_t walk(struct x86_cpu *x, uint64_t la, int acc, bool user, unsigned *perm,
                     uint64_t *page_size, bool *global, bool debug, bool *ok)
{
    bool nxe = (x->efer & EFER_NXE) != 0;
    bool pae = (x->cr4 & CR4_PAE) != 0;
    int levels = x->long_mode ? 4 : pae ? 3 : 2;
    unsigned pte_size = pae ? 8 : 4;
    uint64_t table = x->cr3 & (pae ? 0x000ffffffffff000ull : 0xfffff000ull);
    bool rw = true, us = true, nx = false;
    uint64_t entries[5];
    uint64_t entry_pa[5];
    int n = 0;
    uint64_t pa = 0, psize = 4096;
    bool g = false;
    /* I/D: a fetch with NXE (PAE paging) or SMEP (SDM vol. 3A §4.7) */
    bool smep = (x->cr4 & CR4_SMEP) != 0;
    bool ept = ept_on(x);
    uint32_t err = (acc == 1 ? PF_W : 0) | (user ? PF_U : 0) |
                   (acc == 2 && ((nxe && pae) || smep) ? PF_I : 0);
    if (ok)
        *ok = true;

    if (levels == 3) {
        /* PDPTE from CR3 (bits 31:5), index la[31:30] (SDM §4.4.1) */
        uint64_t pdpte_pa = (x->cr3 & 0xffffffe0u) + ((la >> 30) & 3) * 8, pdpte;
        if (ept && x->vmx.pdpte_regs) {
            /* the PDPTEs the VM entry loaded from the guest PDPTE fields
             * (SDM vol. 3C §27.3.2.4; src/vmm/vmx.h) */
            pdpte = x->vmx.pdpte[(la >> 30) & 3];
        } else {
            /* outside VMX, without EPT (the table at CR3 is read at each
             * walk: the model has no PDPTE registers there), or registers
             * the VMX part did not load (state a debugger wrote) */
            if (ept) {
                /* a PDPTE load has no guest-linear address (EPT_ACC_GLA clear) */
                pdpte_pa = ept_gpa(x, pdpte_pa, EPT_ACC_READ | EPT_ACC_GPT, la, debug, ok);
                if (debug && !*ok)
                    return 0;
            }
            pdpte = phys_read(x, pdpte_pa, 8);
        }
        if (!(pdpte & 1) || (pdpte & 0x1e6)) {
            if (debug) { *ok = false; return 0; }
            page_fault(x, la, err | ((pdpte & 1) ? PF_P | PF_RSVD : 0));
        }
        table = pdpte & 0x000ffffffffff000ull;
        levels = 2; /* PD, PT follow */
    }
    int shift = levels == 4 ? 39 : pae ? 21 : 22;
    unsigned idx_bits = pae ? 9 : 10;
    for (int level = levels; level >= 1; level--) {
        uint64_t idx = (la >> shift) & ((1u << idx_bits) - 1);
        uint64_t epa = table + idx * pte_size;
        uint64_t e;
        if (ept) {
            uint64_t hpa = ept_gpa(x, epa, EPT_ACC_READ | EPT_ACC_GPT | EPT_ACC_GLA, la, debug, ok);
            if (debug && !*ok)
                return 0;
            e = phys_read(x, hpa, pte_size);
        } else {
            e = phys_read(x, epa, pte_size);
        }
        if (x->fill_rec) { /* tlb_get's record of this fill */
            struct x86_tlb_fill *lg = &x->fills[x->fill_last ^ 1];
            if (lg->n < X86_FILL_PTES)
                lg->pte[lg->n] = epa;
            lg->n++;
        }
        entries[n] = e;
        entry_pa[n] = epa;
        n++;
        if (!(e & 1)) {
            if (debug) { *ok = false; return 0; }
            page_fault(x, la, err);
        }
        /* reserved bits: physical-address bits above 52 (we model 52-bit
         * MAXPHYADDR... keep it simple: bits 51:MAXPHYADDR are zero with
         * MAXPHYADDR 52), and XD without NXE */
        bool rsvd = pae && !nxe && (e >> 63);
        if (!(e & 2))
            rw = false;
        if (!(e & 4))
            us = false;
        if (pae && (e >> 63))
            nx = true;
        bool large = (level == 2 && (e & 0x80) && (pae || (x->cr4 & CR4_PSE))) ||
                     (level == 3 && (e & 0x80) && levels == 4);
        if (level == 4 && (e & 0x80))
            rsvd = true; /* PS must be 0 in a PML4E */
        if (rsvd) {
            if (debug) { *ok = false; return 0; }
            page_fault(x, la, err | PF_P | PF_RSVD);
        }
        if (large || level == 1) {
            if (level == 1) {
                psize = 4096;
                pa = (e & (pae ? 0x000ffffffffff000ull : 0xfffff000ull)) | (la & 0xfff);
            } else if (level == 2) {
                if (pae) {
                    psize = 2ull << 20;
                    pa = (e & 0x000fffffffe00000ull) | (la & (psize - 1));
                } else {
                    /* 4 MiB page: bits 31:22, plus PSE-36 bits 20:13 -> 39:32 */
                    psize = 4ull << 20;
                    pa = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32 | (la & (psize - 1));
                }
            } else {
                psize = 1ull << 30;
                pa = (e & 0x000fffffc0000000ull) | (la & (psize - 1));
            }
            g = (e & 0x100) && (x->cr4 & CR4_PGE);
            break;
        }
        table = e & (pae ? 0x000ffffffffff000ull : 0xfffff000ull);
        shift -= idx_bits;
    }

    /* Access rights (SDM §4.6). */
    unsigned p = 0;
    bool wp = (x->cr0 & CR0_WP) != 0;
    p |= TP_R_SUP;
    if (rw || !wp)
        p |= TP_W_SUP;
    if (!nx || !nxe)
        p |= TP_X_SUP;
    if (us) {
        p |= TP_R_USR | TP_USER_PAGE;
        if (rw)
            p |= TP_W_USR;
        if (!nx || !nxe)
            p |= TP_X_USR;
        /* SMEP: no supervisor fetch from user pages (§4.6.1) */
        if (x->cr4 & CR4_SMEP)
            p &= ~TP_X_SUP;
    }
    if (!debug) {
        unsigned need = acc == 0 ? (user ? TP_R_USR : TP_R_SUP)
                      : acc == 1 ? (user ? TP_W_USR : TP_W_SUP)
                                 : (user ? TP_X_USR : TP_X_SUP);
        bool smap = !user && us && acc != 2 && (x->cr4 & CR4_SMAP) && !(x->rflags & FL_AC);
        if (!(p & need) || smap) {
            page_fault(x, la, err | PF_P);
        }
        /* A and D bits (§4.8): A at every level, D on the leaf for writes */
        for (int i = 0; i < n; i++) {
            uint64_t e = entries[i];
            uint64_t ne = e | 0x20;
            if (i == n - 1 && acc == 1)
                ne |= 0x40;
            if (ne != e) {
                uint64_t wpa = entry_pa[i];
                if (ept) /* the guest's A/D update is a write to its paging structure */
                    wpa = ept_gpa(x, wpa, EPT_ACC_READ | EPT_ACC_WRITE | EPT_ACC_GPT | EPT_ACC_GLA,
                                  la, false, NULL);
                phys_write(x, wpa, pte_size, ne);
            }
        }
        /* A page not yet dirty stays non-writable in the TLB, so the first
         * write comes back here to set D. */
        if (acc != 1 && !(entries[n - 1] & 0x40))
            p &= ~(TP_W_SUP | TP_W_USR);
    }
    *perm = p;
    *page_size = psize;
    *global = g;
    return pa;
}

static unsigned need_bit(int acc, bool user)
{
    return acc == 0 ? (user ? TP_R_USR : TP_R_SUP)
         : acc == 1 ? (user ? TP_W_USR : TP_W_SUP)
                    : (user ? TP_X_USR : TP_X_SUP);
}

/* The privilege class a TLB entry was checked for: user, supervisor, or
 * supervisor with SMAP overridden by RFLAGS.AC (SDM §4.6). */
static unsigned access_class(const struct x86_cpu *x, bool user)
{
    if (user)
        return 1;
    return (x->cr4 & CR4_SMAP) && (x->rflags & FL_AC) ? 2 : 0;
}

/* TLB entry for la, filling it on a miss; raises #PF. */
static struct x86_tlb_entry *tlb_get(struct x86_cpu *x, uint64_t la, int acc, bool user)
{
    uint64_t page = la >> 12;
    struct x86_tlb_entry *t = X86_TLB_AT(x, la);
    uint64_t tag = (page << 3) | (access_class(x, user) << 1) | 1 | x->tlb_tag;
    uint64_t *tagp = acc == 0 ? &t->tag_r : acc == 1 ? &t->tag_w : &t->tag_x;
    if (*tagp == tag)
        return t;
    uint64_t pa, psize = 4096;
    unsigned perm = TP_R_SUP | TP_W_SUP | TP_X_SUP | TP_R_USR | TP_W_USR | TP_X_USR;
    bool global = false;
    struct x86_tlb_fill *lg = &x->fills[x->fill_last ^ 1];
    lg->tag = 0; /* (stays 0 when the walk faults) */
    lg->n = 0;
    if (x->cr0 & CR0_PG) {
        x->fill_rec = true;
        pa = walk(x, la, acc, user, &perm, &psize, &global, false, NULL);
        x->fill_rec = false;
    } else {
        pa = x->long_mode ? la : la & 0xffffffffull;
    }
    pa = pa_mask_a20(x, pa);
    /* the paging state this context's entries are made under */
    x->tlb_ctx[x->tlb_cur].cr3 = x->cr3;
    x->tlb_ctx[x->tlb_cur].mode = tlb_mode(x);
    if (ept_on(x)) {
        /* the combined LA -> HPA mapping: the guest's permissions ANDed
         * with EPT's, the smaller of the two page sizes (SDM vol. 3C
         * §29.4.2) */
        struct ept_result r;
        unsigned f = (acc == 0 ? EPT_ACC_READ : acc == 1 ? EPT_ACC_WRITE : EPT_ACC_FETCH) | EPT_ACC_GLA;
        pa = vmx_ept_translate(x, pa, f, la, &r);
        if (!(r.tlb_perm & EPT_PERM_R))
            perm &= ~(unsigned)(TP_R_SUP | TP_R_USR);
        if (!(r.tlb_perm & EPT_PERM_W))
            perm &= ~(unsigned)(TP_W_SUP | TP_W_USR);
        if (!(r.tlb_perm & EPT_PERM_X))
            perm &= ~(unsigned)(TP_X_SUP | TP_X_USR);
        if (r.page_size < psize)
            psize = r.page_size;
    }
    pa &= ~0xfffull;
    /* SMAP: a supervisor data access to a user page needs RFLAGS.AC */
    bool smap_block = !user && (perm & TP_USER_PAGE) && (x->cr4 & CR4_SMAP) &&
                      !(x->rflags & FL_AC);
    t->tag_r = (perm & need_bit(0, user)) && !smap_block ? tag : 0;
    t->tag_w = (perm & need_bit(1, user)) && !smap_block ? tag : 0;
    t->tag_x = (perm & need_bit(2, user)) ? tag : 0;
    t->pa = pa;
    t->host = t->host_w = bus_host_ptr(&x->m->bus, pa, 4096);
    if ((x->lapic && lapic_mmio_claims(x->lapic, pa)) || apic_access_page(x, pa))
        t->host = t->host_w = NULL; /* the xAPIC page hides RAM under it */
    t->dpage = NULL;
    t->global = global;
    t->pshift = (uint8_t)__builtin_ctzll(psize);
    /* Stores to pages with code/watch flags take the slow path (bus), which
     * drops the page's predecoded instructions (icache.c). */
    if (t->host) {
        struct mem_region *r = bus_find_mem(&x->m->bus, pa);
        if (r && r->page_flags[(pa - r->base) >> 12])
            t->host_w = NULL;
    }
    lg->tag = acc == 0 ? t->tag_r : acc == 1 ? t->tag_w : t->tag_x;
    lg->acc = acc;
    lg->ept = ept_on(x);
    lg->host = acc == 1 ? t->host_w : t->host;
    lg->pa = pa;
    lg->seq = ++x->fill_seq;
    x->fill_last ^= 1;
    return t;
}

/* A page became a code page: no CPU may keep a fast store mapping of it. */
void x86_tlb_drop_writes(struct machine *m, uint64_t pa_page)
{
    for (int c = 0; c < m->ncpus; c++) {
        if (m->cpus[c]->ops->arch != CPU_ARCH_X86_64)
            continue;
        struct x86_cpu *o = X86(m->cpus[c]);
        for (int i = 0; i < X86_TLB_SIZE; i++)
            if (o->tlb[i].pa == pa_page)
                o->tlb[i].host_w = NULL;
    }
}

uint64_t x86_translate(struct x86_cpu *x, uint64_t la, int acc, bool user)
{
    struct x86_tlb_entry *t = tlb_get(x, la, acc, user);
    return t->pa | (la & 0xfff);
}

bool x86_debug_translate(struct x86_cpu *x, uint64_t la, uint64_t *pa)
{
    bool ok = true;
    uint64_t p;
    if (!(x->cr0 & CR0_PG)) {
        p = pa_mask_a20(x, x->long_mode ? la : la & 0xffffffffull);
    } else {
        unsigned perm;
        uint64_t psize;
        bool global;
        p = walk(x, la, 0, false, &perm, &psize, &global, true, &ok);
        if (!ok)
            return false;
        p = pa_mask_a20(x, p);
    }
    if (ept_on(x)) /* the guest-physical address through EPT */
        p = ept_gpa(x, p, EPT_ACC_READ | EPT_ACC_GLA, la, true, &ok);
    *pa = p;
    return ok;
}

static uint64_t read_in_page(struct x86_cpu *x, uint64_t la, unsigned size, bool user)
{
    struct x86_tlb_entry *t = tlb_get(x, la, 0, user);
    if (t->host) {
        uint64_t v = 0;
        memcpy(&v, t->host + (la & 0xfff), size);
        return v;
    }
    if (apic_access_page(x, t->pa))
        return vmx_nr_apic_access(x, la & 0xfff, size, 0, 0);
    return phys_read(x, t->pa | (la & 0xfff), size);
}

static void write_in_page(struct x86_cpu *x, uint64_t la, unsigned size, uint64_t v, bool user)
{
    struct x86_tlb_entry *t = tlb_get(x, la, 1, user);
    if (t->host_w) {
        memcpy(t->host_w + (la & 0xfff), &v, size);
        struct mem_region *r = x->m->ram;
        uint64_t pa = t->pa | (la & 0xfff);
        if (!r || pa - r->base >= r->size) /* a board with several RAM regions (PC) */
            r = bus_find_mem(&x->m->bus, pa);
        if (r)
            bus_mark_dirty(r, pa, size);
        return;
    }
    if (apic_access_page(x, t->pa)) {
        vmx_nr_apic_access(x, la & 0xfff, size, 1, v);
        return;
    }
    phys_write(x, t->pa | (la & 0xfff), size, v);
}

uint64_t x86_read_as(struct x86_cpu *x, uint64_t la, unsigned size, bool user)
{
    if (!x->long_mode)
        la &= 0xffffffffull;
    uint64_t v = 0;
    if (((la & 0xfff) + size) <= 4096) {
        v = read_in_page(x, la, size, user);
    } else {
        /* Crossing a page: translate both pages first (a fault on either
         * is raised before anything is read), then byte by byte. */
        tlb_get(x, la, 0, user);
        tlb_get(x, la + size - 1, 0, user);
        for (unsigned i = 0; i < size; i++)
            v |= read_in_page(x, la + i, 1, user) << (8 * i);
    }
    if (__builtin_expect(x->cpu.nwps != 0, 0)) /* debugger watchpoints (gdb.c) */
        x86_gdb_watch_check(x, la, size, false);
    if (__builtin_expect(x->dbg_data, 0)) /* DR0-DR3 data breakpoints (debug.c) */
        x86_dbg_data_access(x, la, size, false);
    return v;
}

void x86_write_as(struct x86_cpu *x, uint64_t la, unsigned size, uint64_t v, bool user)
{
    if (!x->long_mode)
        la &= 0xffffffffull;
    if (((la & 0xfff) + size) <= 4096) {
        write_in_page(x, la, size, v, user);
    } else {
        tlb_get(x, la, 1, user);
        tlb_get(x, la + size - 1, 1, user);
        for (unsigned i = 0; i < size; i++)
            write_in_page(x, la + i, 1, v >> (8 * i), user);
    }
    if (__builtin_expect(x->cpu.nwps != 0, 0)) /* debugger watchpoints (gdb.c) */
        x86_gdb_watch_check(x, la, size, true);
    if (__builtin_expect(x->dbg_data, 0)) /* DR0-DR3 data breakpoints (debug.c) */
        x86_dbg_data_access(x, la, size, true);
}

/* Alignment check (SDM vol. 3A §6.15 "Interrupt 17"): CR0.AM, RFLAGS.AC,
 * CPL 3, an unaligned 2/4/8-byte data reference: #AC(0). */
static void align_check(struct x86_cpu *x, uint64_t la, unsigned size)
{
    if (x->cpl == 3 && (la & (size - 1)) && (x->cr0 & CR0_AM) && (x->rflags & FL_AC))
        x86_raise(x, X86_EXC_AC, true, 0);
}

uint64_t x86_read(struct x86_cpu *x, uint64_t la, unsigned size)
{
    if (__builtin_expect(x->code_size != 8, 0) && x86_seg_end_check(x, la, size, false)) {
        /* the segment limit of the last byte and the type (seg.c); a
         * segment that forbids writes: the TLB entry the read fills is
         * dropped, so the store of a read-modify-write comes back here */
        align_check(x, la, size);
        uint64_t v = x86_read_as(x, la, size, x->cpl == 3);
        x86_tlb_flush_page(x, la);
        return v;
    }
    align_check(x, la, size);
    return x86_read_as(x, la, size, x->cpl == 3);
}

void x86_write(struct x86_cpu *x, uint64_t la, unsigned size, uint64_t v)
{
    if (__builtin_expect(x->code_size != 8, 0)) /* the segment limit of the last byte (seg.c) */
        x86_seg_end_check(x, la, size, true);
    align_check(x, la, size);
    x86_write_as(x, la, size, v, x->cpl == 3);
}

unsigned x86_fetch(struct x86_cpu *x, uint64_t la, uint8_t *buf, unsigned n)
{
    unsigned got = 0;
    while (got < n) {
        uint64_t a = la + got;
        if (!x->long_mode && x->code_size != 8)
            a &= 0xffffffffull;
        unsigned in_page = 4096 - (unsigned)(a & 0xfff);
        unsigned k = n - got < in_page ? n - got : in_page;
        if (got) {
            /* the next page is needed only if the decoder asks: fetch what
             * the first page has and let the caller ask again */
            break;
        }
        struct x86_tlb_entry *t = tlb_get(x, a, 2, x->cpl == 3);
        if (t->host) {
            memcpy(buf + got, t->host + (a & 0xfff), k);
        } else if (apic_access_page(x, t->pa)) {
            vmx_nr_apic_access(x, a & 0xfff, 1, 2, 0); /* a fetch: an APIC-access exit */
        } else {
            for (unsigned i = 0; i < k; i++)
                buf[got + i] = (uint8_t)phys_read(x, t->pa | ((a + i) & 0xfff), 1);
        }
        got += k;
    }
    return got;
}
