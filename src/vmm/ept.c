/* Intel VMX extended page tables and VPID/EPTP-tagged invalidation
 * (ept.h; docs/vmx_ept.md "EPT"). Section numbers are the Intel SDM's,
 * Vol. 3C. */
#include <stddef.h>
#include "ept.h"

/* ---- EPTP ---- */

static uint64_t above_maxphyaddr(unsigned maxphyaddr)
{
    return maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr;
}

/* §27.2.1.1, "If the 'enable EPT' VM-execution control is 1, the EPTP
 * VM-execution control field must satisfy ...", against EPT_VPID_CAP. */
enum ept_eptp_error ept_eptp_check(uint64_t eptp, unsigned maxphyaddr)
{
    unsigned mt = (unsigned)(eptp & EPTP_MT_MASK);
    if (!(mt == EPT_MT_UC && (EPT_VPID_CAP & EPT_CAP_MT_UC)) &&
        !(mt == EPT_MT_WB && (EPT_VPID_CAP & EPT_CAP_MT_WB)))
        return EPTP_BAD_MEMTYPE;
    if ((eptp & EPTP_PWL_MASK) != EPTP_PWL4)
        return EPTP_BAD_WALK_LENGTH;
    /* bit 6 (A/D) is allowed: EPT_CAP_AD. Bit 7 needs EPT_CAP_SSS. */
    if (eptp & 0xf80)
        return EPTP_RESERVED_LOW;
    if (eptp & above_maxphyaddr(maxphyaddr))
        return EPTP_RESERVED_HIGH;
    return EPTP_OK;
}

const char *ept_eptp_error_name(enum ept_eptp_error e)
{
    static const char *const names[] = {
        [EPTP_OK] = "ok",
        [EPTP_BAD_MEMTYPE] = "memory type",
        [EPTP_BAD_WALK_LENGTH] = "page-walk length",
        [EPTP_RESERVED_LOW] = "reserved bits 11:7",
        [EPTP_RESERVED_HIGH] = "reserved bits above MAXPHYADDR",
    };
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}

/* ---- The walk ---- */

void ept_ctx_init(struct ept_ctx *c, uint64_t eptp, unsigned maxphyaddr,
                  uint64_t (*read)(void *opaque, uint64_t hpa),
                  void (*write)(void *opaque, uint64_t hpa, uint64_t val), void *opaque)
{
    c->pml4 = eptp & EPTP_ADDR_MASK;
    c->rsvd_pa = above_maxphyaddr(maxphyaddr) & EPTP_ADDR_MASK; /* bits 51:M */
    c->ad = (eptp & EPTP_AD) != 0;
    c->read = read;
    c->write = write;
    c->opaque = opaque;
}

enum {
    E_XWR = 0x7,
    E_PS = 1u << 7,         /* PDPTE / PDE: maps a page */
    E_A = 1u << 8,
    E_D = 1u << 9,
};

/* Bits reserved in each kind of entry besides 51:MAXPHYADDR (Tables 29-1 to
 * 29-6 of §29.3.2): PML4E 7:3; PDPTE/PDE referencing a table 6:3 (bit 7 is
 * the 0 that makes them so); 1-GByte PDPTE 29:12; 2-MByte PDE 20:12; PTE
 * none (its bits 5:3 are the memory type, bit 7 is ignored). The memory
 * type of a leaf is checked on its own. Bits 63:52, 11:8 (A, D, the
 * mode-based-execute bit 10 without that control) are ignored. */
static const uint64_t rsvd_table[5] = { 0, 0, 0x78, 0x78, 0xf8 };
static const uint64_t rsvd_leaf[4] = { 0, 0, 0x1ff000, 0x3ffff000 };

/* Memory types 2, 3 and 7 are reserved (§29.3.3.1). */
static bool memtype_reserved(uint64_t e)
{
    unsigned mt = (unsigned)(e >> 3) & 7;
    return mt == 2 || mt == 3 || mt == 7;
}

static enum ept_status violation(struct ept_result *r, unsigned acc, bool gpt_write,
                                 unsigned perm)
{
    uint64_t q = 0;
    if (acc & EPT_ACC_READ)
        q |= EPT_QUAL_READ;
    if (acc & EPT_ACC_WRITE)
        q |= EPT_QUAL_WRITE;
    if (acc & EPT_ACC_FETCH)
        q |= EPT_QUAL_FETCH;
    /* Table 28-7 bit 1: a guest paging-structure access that counts as a
     * write (EPTP[6]) sets both bit 0 and bit 1. */
    if (gpt_write)
        q |= EPT_QUAL_READ | EPT_QUAL_WRITE;
    q |= (uint64_t)perm << 3; /* bits 5:3: R, W, X of the entries used */
    if (acc & EPT_ACC_GLA) {
        q |= EPT_QUAL_GLA_VALID;
        if (!(acc & EPT_ACC_GPT))
            q |= EPT_QUAL_GLA_XLATE;
    }
    r->status = EPT_VIOLATION;
    r->perm = perm;
    r->qual = q;
    return EPT_VIOLATION;
}

static enum ept_status misconfig(struct ept_result *r)
{
    r->status = EPT_MISCONFIG;
    r->perm = 0;
    return EPT_MISCONFIG;
}

enum ept_status ept_translate(const struct ept_ctx *c, uint64_t gpa, unsigned acc,
                              struct ept_result *r)
{
    *r = (struct ept_result){ .status = EPT_OK };
    bool debug = (acc & EPT_ACC_DEBUG) != 0;
    /* §29.3.3.2 / §29.3.5: with EPTP[6], guest paging-structure accesses
     * are writes -- except the PDPTE loads of MOV to CR (no linear
     * address), which stay reads. */
    bool gpt_write = c->ad && (acc & EPT_ACC_GPT) && (acc & EPT_ACC_GLA);
    bool is_write = (acc & EPT_ACC_WRITE) || gpt_write;
    unsigned need = ((acc & EPT_ACC_READ) ? EPT_PERM_R : 0) | (is_write ? EPT_PERM_W : 0) |
                    ((acc & EPT_ACC_FETCH) ? EPT_PERM_X : 0);

    /* 4-level EPT translates bits 47:0 (§29.3.2); a wider gpa has no
     * translation (this model's choice: a violation, nothing read). */
    if (gpa >> 48)
        return violation(r, acc, gpt_write, 0);

    uint64_t entry_pa[4], entries[4];
    int n = 0;
    uint64_t table = c->pml4;
    unsigned perm = EPT_PERM_R | EPT_PERM_W | EPT_PERM_X;
    int level;
    unsigned shift = 39; /* gpa bits 47:39 index the PML4 table */
    uint64_t e = 0;
    for (level = 4;; level--, shift -= 9) {
        uint64_t epa = table | (((gpa >> shift) & 0x1ff) << 3);
        e = c->read(c->opaque, epa);
        entry_pa[n] = epa;
        entries[n] = e;
        n++;
        r->level = level;
        r->entry = e;
        unsigned xwr = (unsigned)(e & E_XWR);
        /* Not present: bits 2:0 = 000b; the rest is ignored (§29.3.2). */
        if (!xwr)
            return violation(r, acc, gpt_write, 0);
        /* §29.3.3.1: write without read (010b, 110b); execute-only (100b)
         * is allowed (EPT_CAP_EXEC_ONLY). */
        if ((xwr & EPT_PERM_W) && !(xwr & EPT_PERM_R))
            return misconfig(r);
        bool leaf = level == 1 || (level != 4 && (e & E_PS));
        uint64_t rsvd = c->rsvd_pa | (leaf ? rsvd_leaf[level] : rsvd_table[level]);
        if ((e & rsvd) || (leaf && memtype_reserved(e)))
            return misconfig(r);
        perm &= xwr;
        if (leaf)
            break;
        table = e & EPTP_ADDR_MASK;
    }

    /* §29.3.3.2: an access not allowed by every entry used. Checked after
     * the walk: a misconfiguration anywhere on the path comes first (an
     * EPT violation is one "whose translation does not cause an EPT
     * misconfiguration"). */
    if (!debug && (need & ~perm))
        return violation(r, acc, gpt_write, perm);

    uint64_t size = 1ull << shift;
    uint64_t leaf = entries[n - 1];
    /* §29.3.5: A in every entry used, D in the leaf for a write. */
    if (c->ad && !debug) {
        for (int i = 0; i < n; i++) {
            uint64_t ne = entries[i] | E_A;
            if (i == n - 1 && is_write)
                ne |= E_D;
            if (ne != entries[i]) {
                c->write(c->opaque, entry_pa[i], ne);
                entries[i] = ne;
            }
        }
        leaf = entries[n - 1];
    }
    r->hpa = (leaf & EPTP_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
    r->page_size = size;
    r->perm = perm;
    r->tlb_perm = c->ad && !(leaf & E_D) ? perm & ~(unsigned)EPT_PERM_W : perm;
    r->memtype = (unsigned)(leaf >> 3) & 7;
    r->ipat = (leaf >> 6) & 1;
    r->entry = leaf;
    return EPT_OK;
}

/* ---- INVEPT / INVVPID (ch. 31 pseudocode) ---- */

int ept_invept_type_check(uint64_t type)
{
    if (type == 1 && (EPT_VPID_CAP & EPT_CAP_INVEPT_SINGLE))
        return 0;
    if (type == 2 && (EPT_VPID_CAP & EPT_CAP_INVEPT_ALL))
        return 0;
    return EPT_VMERR_INVALID_OPERAND;
}

int ept_invvpid_type_check(uint64_t type)
{
    static const uint64_t bit[4] = { EPT_CAP_INVVPID_ADDR, EPT_CAP_INVVPID_SINGLE,
                                     EPT_CAP_INVVPID_ALL, EPT_CAP_INVVPID_SINGLE_G };
    return type < 4 && (EPT_VPID_CAP & bit[type]) ? 0 : EPT_VMERR_INVALID_OPERAND;
}

int ept_invept(uint64_t type, uint64_t desc_lo, uint64_t desc_hi, unsigned maxphyaddr,
               struct ept_inval *inv)
{
    (void)desc_hi; /* bits 127:64 reserved, not checked */
    if (ept_invept_type_check(type))
        return EPT_VMERR_INVALID_OPERAND;
    if (type == 1) {
        /* "IF VM entry with the 'enable EPT' VM execution control set to 1
         * would fail due to the EPTP value in INVEPT_DESC" */
        if (ept_eptp_check(desc_lo, maxphyaddr) != EPTP_OK)
            return EPT_VMERR_INVALID_OPERAND;
        *inv = (struct ept_inval){ .kind = EPT_INV_EPT_SINGLE, .ep4ta = desc_lo & EPTP_ADDR_MASK };
    } else {
        *inv = (struct ept_inval){ .kind = EPT_INV_EPT_ALL };
    }
    return 0;
}

static bool canonical(uint64_t la, unsigned bits)
{
    int64_t s = (int64_t)(la << (64 - bits)) >> (64 - bits);
    return (uint64_t)s == la;
}

int ept_invvpid(uint64_t type, uint64_t desc_lo, uint64_t desc_hi, unsigned la_bits,
                struct ept_inval *inv)
{
    if (ept_invvpid_type_check(type))
        return EPT_VMERR_INVALID_OPERAND;
    if (desc_lo >> 16) /* INVVPID_DESC[63:16] must be 0 */
        return EPT_VMERR_INVALID_OPERAND;
    uint16_t vpid = (uint16_t)desc_lo;
    if (type != 2 && vpid == 0)
        return EPT_VMERR_INVALID_OPERAND;
    if (type == 0 && !canonical(desc_hi, la_bits))
        return EPT_VMERR_INVALID_OPERAND;
    static const enum ept_inv_kind kind[4] = { EPT_INV_VPID_ADDR, EPT_INV_VPID_SINGLE,
                                               EPT_INV_VPID_ALL,
                                               EPT_INV_VPID_SINGLE_KEEP_GLOBAL };
    *inv = (struct ept_inval){ .kind = kind[type], .vpid = type == 2 ? 0 : vpid,
                               .la = type == 0 ? desc_hi : 0 };
    return 0;
}

/* §29.4.3.1 "Operations that Invalidate Cached Mappings". */
bool ept_inval_hits(const struct ept_inval *inv, const struct ept_tlb_tag *t)
{
    switch (inv->kind) {
    case EPT_INV_EPT_SINGLE: /* guest-physical and combined mappings of the EP4TA */
        return t->ept && t->ep4ta == inv->ep4ta;
    case EPT_INV_EPT_ALL:
        return t->ept;
    case EPT_INV_VPID_ADDR: /* linear and combined, all PCIDs and EP4TAs */
        return t->linear && t->vpid == inv->vpid &&
               !((t->addr ^ inv->la) >> (t->pshift < 64 ? t->pshift : 63));
    case EPT_INV_VPID_SINGLE:
        return t->linear && t->vpid == inv->vpid;
    case EPT_INV_VPID_ALL:
        return t->linear && t->vpid != 0;
    case EPT_INV_VPID_SINGLE_KEEP_GLOBAL:
        return t->linear && t->vpid == inv->vpid && !t->global;
    }
    return false;
}
