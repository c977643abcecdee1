/* Intel VMX extended page tables (EPT) and VPID/EPTP-tagged invalidation,
 * as a self-contained module the x86 CPU model calls (docs/vmx_ept.md "EPT").
 * It knows the EPT entry format; the caller knows nothing of it: it gets a
 * host-physical address, a page size and the permissions, or an EPT
 * violation with its exit qualification, or an EPT misconfiguration.
 *
 * References are to the Intel SDM (Vol. 3C unless noted): EPTP format
 * Table 25-9 (§25.6.11), VM-entry checks §27.2.1.1, the EPT translation
 * mechanism §29.3.2, misconfigurations §29.3.3.1, violations §29.3.3.2,
 * accessed/dirty flags §29.3.5, cached mappings and their invalidation
 * §29.4, the EPT-violation exit qualification Table 28-7, INVEPT and
 * INVVPID in ch. 31 (VM-instruction error numbers Table 31-1), and
 * IA32_VMX_EPT_VPID_CAP in Vol. 3D Appendix A.10.
 *
 * Nothing here depends on the CPU model: entry reads and A/D writes go
 * through the callbacks in struct ept_ctx. */
#ifndef HVSIM_VMM_EPT_H
#define HVSIM_VMM_EPT_H
#include <stdbool.h>
#include <stdint.h>

/* ---- IA32_VMX_EPT_VPID_CAP (MSR 48CH), SDM Vol. 3D Appendix A.10 ---- */
#define EPT_CAP_EXEC_ONLY        (1ull << 0)  /* execute-only entries (bits 2:0 = 100b) allowed */
#define EPT_CAP_PWL4             (1ull << 6)  /* page-walk length 4 (EPTP[5:3] = 3) */
#define EPT_CAP_PWL5             (1ull << 7)  /* page-walk length 5 (EPTP[5:3] = 4) */
#define EPT_CAP_MT_UC            (1ull << 8)  /* EPTP[2:0] = 0 (UC) allowed */
#define EPT_CAP_MT_WB            (1ull << 14) /* EPTP[2:0] = 6 (WB) allowed */
#define EPT_CAP_PDE_2M           (1ull << 16) /* EPT PDE bit 7 maps a 2-MByte page */
#define EPT_CAP_PDPTE_1G         (1ull << 17) /* EPT PDPTE bit 7 maps a 1-GByte page */
#define EPT_CAP_INVEPT           (1ull << 20) /* INVEPT supported */
#define EPT_CAP_AD               (1ull << 21) /* accessed/dirty flags (EPTP[6]) */
#define EPT_CAP_ADV_EXIT_INFO    (1ull << 22) /* advanced VM-exit info for EPT violations (qual. bits 9-11) */
#define EPT_CAP_SSS              (1ull << 23) /* supervisor shadow-stack control (EPTP[7]) */
#define EPT_CAP_INVEPT_SINGLE    (1ull << 25) /* INVEPT type 1, single-context */
#define EPT_CAP_INVEPT_ALL       (1ull << 26) /* INVEPT type 2, all-context (global) */
#define EPT_CAP_INVVPID          (1ull << 32) /* INVVPID supported */
#define EPT_CAP_INVVPID_ADDR     (1ull << 40) /* INVVPID type 0, individual-address */
#define EPT_CAP_INVVPID_SINGLE   (1ull << 41) /* INVVPID type 1, single-context */
#define EPT_CAP_INVVPID_ALL      (1ull << 42) /* INVVPID type 2, all-context */
#define EPT_CAP_INVVPID_SINGLE_G (1ull << 43) /* INVVPID type 3, single-context retaining globals */
/* bits 53:48: maximum HLAT prefix size (0: HLAT not supported) */

/* What this module implements, exactly: the value IA32_VMX_EPT_VPID_CAP
 * reads as (= 0x00000f0106334141). Not reported, and not implemented: 5-level
 * EPT (bit 7), advanced VM-exit information (bit 22: qualification bits 9-11
 * are 0), supervisor shadow stacks (bit 23), HLAT (bits 53:48 = 0); nor
 * mode-based execute control (a secondary control: qualification bit 6 is
 * 0, entry bit 10 ignored), EPT-violation #VE (bit 63 ignored), sub-page
 * write permissions, page-modification logging. */
#define EPT_VPID_CAP                                                                \
    (EPT_CAP_EXEC_ONLY | EPT_CAP_PWL4 | EPT_CAP_MT_UC | EPT_CAP_MT_WB |             \
     EPT_CAP_PDE_2M | EPT_CAP_PDPTE_1G | EPT_CAP_INVEPT | EPT_CAP_AD |              \
     EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL | EPT_CAP_INVVPID |                 \
     EPT_CAP_INVVPID_ADDR | EPT_CAP_INVVPID_SINGLE | EPT_CAP_INVVPID_ALL |          \
     EPT_CAP_INVVPID_SINGLE_G)

/* ---- EPTP (Table 25-9) ---- */
#define EPTP_MT_MASK    0x7ull          /* bits 2:0: memory type of the EPT paging structures */
#define EPTP_PWL_MASK   0x38ull         /* bits 5:3: page-walk length - 1 */
#define EPTP_PWL4       (3ull << 3)
#define EPTP_AD         (1ull << 6)     /* bit 6: enable accessed/dirty flags */
#define EPTP_ADDR_MASK  0x000ffffffffff000ull /* bits 51:12: the EPT PML4 table (EP4TA) */
#define EPT_MT_UC 0u
#define EPT_MT_WB 6u

/* Why an EPTP fails the VM-entry check of §27.2.1.1 (with "enable EPT" = 1).
 * VM entry then fails with VMfailValid(7), "VM entry with invalid control
 * field(s)"; INVEPT single-context with error 28. */
enum ept_eptp_error {
    EPTP_OK = 0,
    EPTP_BAD_MEMTYPE,     /* bits 2:0 neither UC (0) nor WB (6) */
    EPTP_BAD_WALK_LENGTH, /* bits 5:3 not 3: only 4-level EPT is reported */
    EPTP_RESERVED_LOW,    /* a bit of 11:7 set (bit 7, the supervisor-shadow-
                             stack control, is not reported: it must be 0) */
    EPTP_RESERVED_HIGH,   /* a bit of 63:MAXPHYADDR set */
};
/* The check of §27.2.1.1 for eptp on a CPU of physical-address width
 * maxphyaddr (CPUID.80000008H:EAX[7:0], 36..52). Bit 6 (A/D) is always
 * allowed: EPT_CAP_AD is reported. */
enum ept_eptp_error ept_eptp_check(uint64_t eptp, unsigned maxphyaddr);
/* "ok", "memory type", "page-walk length", "reserved bits 11:7",
 * "reserved bits above MAXPHYADDR"; "?" past the end. */
const char *ept_eptp_error_name(enum ept_eptp_error e);

/* ---- The EPT walk (§29.3.2-§29.3.5) ---- */

/* A translation context: one valid EPTP on one CPU. Build it with
 * ept_ctx_init after ept_eptp_check passed (VM entry, or a VMWRITE of the
 * EPTP of the current VMCS, however the CPU model caches it). */
struct ept_ctx {
    uint64_t pml4;      /* EPTP[51:12] << 12 */
    uint64_t rsvd_pa;   /* entry bits 51:MAXPHYADDR (reserved: misconfiguration) */
    bool ad;            /* EPTP[6]: accessed/dirty flags on */
    /* Reads the 8-byte EPT entry at host-physical hpa (8-aligned). What an
     * unbacked address reads as is the caller's choice (the x86 core reads
     * all ones there: reserved bits set, or memory type 7 in a PTE, so a
     * misconfiguration). */
    uint64_t (*read)(void *opaque, uint64_t hpa);
    /* Writes the 8-byte entry back with A (bit 8) / D (bit 9) set. Called
     * only when EPTP[6] = 1 and a flag changes; the read-modify-write is
     * atomic because one host thread runs the machine. */
    void (*write)(void *opaque, uint64_t hpa, uint64_t val);
    void *opaque;
};
void ept_ctx_init(struct ept_ctx *c, uint64_t eptp, unsigned maxphyaddr,
                  uint64_t (*read)(void *opaque, uint64_t hpa),
                  void (*write)(void *opaque, uint64_t hpa, uint64_t val), void *opaque);

/* access_flags of ept_translate: exactly one of READ/WRITE/FETCH, or
 * READ|WRITE for a read-modify-write (a locked instruction, a guest A/D
 * update): it needs both permissions and a violation reports both bits 0
 * and 1 (Table 28-7 note: whether an RMW sets bit 0 is implementation-
 * specific; here it does when the caller passes READ). */
enum {
    EPT_ACC_READ  = 1u << 0, /* data read (qualification bit 0) */
    EPT_ACC_WRITE = 1u << 1, /* data write (bit 1) */
    EPT_ACC_FETCH = 1u << 2, /* instruction fetch (bit 2) */
    EPT_ACC_GLA   = 1u << 3, /* the access has a guest-linear address
                                (bit 7): set for every access but the
                                PDPTE loads of MOV to CR0/CR3/CR4 with PAE
                                paging (§4.4.1) */
    EPT_ACC_GPT   = 1u << 4, /* the access is to a guest paging-structure
                                entry (a walk read, or an A/D update), not
                                to the translation of the linear address:
                                bit 8 clear. With EPTP[6] = 1 it counts as
                                a write for permissions (a violation then
                                sets bits 0 and 1) and for the dirty flag
                                (§29.3.3.2, §29.3.5) -- unless EPT_ACC_GLA
                                is clear (a PDPTE load), which stays a read */
    EPT_ACC_DEBUG = 1u << 5, /* debugger probe: no permission check, no
                                A/D update (not-present and misconfigured
                                entries still fail) */
};

enum ept_status {
    EPT_OK = 0,
    EPT_VIOLATION,  /* basic exit reason 48 */
    EPT_MISCONFIG,  /* basic exit reason 49: qualification undefined (0) */
};

/* Effective permissions (the AND of bits 2:0 of the entries used). */
enum { EPT_PERM_R = 1u << 0, EPT_PERM_W = 1u << 1, EPT_PERM_X = 1u << 2 };

/* Exit qualification of an EPT violation (Table 28-7). */
#define EPT_QUAL_READ      (1ull << 0)
#define EPT_QUAL_WRITE     (1ull << 1)
#define EPT_QUAL_FETCH     (1ull << 2)
#define EPT_QUAL_READABLE  (1ull << 3)  /* AND of bit 0 of the entries used */
#define EPT_QUAL_WRITABLE  (1ull << 4)  /* AND of bit 1 */
#define EPT_QUAL_EXECUTABLE (1ull << 5) /* AND of bit 2 */
#define EPT_QUAL_GLA_VALID (1ull << 7)  /* the guest linear-address field is valid */
#define EPT_QUAL_GLA_XLATE (1ull << 8)  /* (with bit 7) the access was to the
                                           translation of the linear address,
                                           not to a guest paging-structure entry */
#define EPT_QUAL_NMI_UNBLOCK (1ull << 12) /* set by the caller (IRET, §28.2.1) */

struct ept_result {
    enum ept_status status;
    uint64_t hpa;       /* EPT_OK: the host-physical address of gpa */
    uint64_t page_size; /* EPT_OK: 4 KiB, 2 MiB or 1 GiB, the EPT page holding gpa */
    /* EPT_OK and EPT_VIOLATION: EPT_PERM_* of the translation (on a
     * violation, of the entries walked so far: 0 past a not-present one). */
    unsigned perm;
    /* EPT_OK: what a TLB may cache: perm, less EPT_PERM_W while EPTP[6] = 1
     * and the leaf's dirty flag is still clear (so the first write comes
     * back to set it). Without A/D, equal to perm. */
    unsigned tlb_perm;
    unsigned memtype;   /* EPT_OK: leaf bits 5:3 (0 UC, 1 WC, 4 WT, 5 WP, 6 WB) */
    bool ipat;          /* EPT_OK: leaf bit 6, ignore PAT */
    uint64_t qual;      /* EPT_VIOLATION: exit qualification bits 0-8 (bit 12
                           is the caller's; bits 6, 9-11 are 0: not reported) */
    int level;          /* level of the last entry read: 4 PML4E, 3 PDPTE,
                           2 PDE, 1 PTE; 0 when none was read */
    uint64_t entry;     /* that entry (on EPT_MISCONFIG the misconfigured one) */
};

/* Translates guest-physical gpa for an access (EPT_ACC_*). Returns
 * r->status; fills r as above. The guest-physical-address VMCS field of an
 * EPT exit is gpa itself. A gpa with a bit of 63:48 set cannot be walked by
 * 4-level EPT (§29.3.2 uses bits 47:0 only): it is an EPT violation with
 * permissions 0, level 0 (this model's choice; see docs/vmx_ept.md). With
 * EPTP[6] = 1 and no fault, A is set in every entry used and, for a write
 * (or a guest paging-structure access with EPT_ACC_GLA), D in the leaf; a
 * faulting access changes no entry. */
enum ept_status ept_translate(const struct ept_ctx *c, uint64_t gpa, unsigned access_flags,
                              struct ept_result *r);

/* ---- INVEPT / INVVPID and the tags of cached mappings (§29.4) ---- */

/* VM-instruction error of both instructions' failures (Table 31-1):
 * "invalid operand to INVEPT/INVVPID". The pseudocode's VMfail: with a
 * valid current-VMCS pointer VMfailValid(28), else VMfailInvalid. */
#define EPT_VMERR_INVALID_OPERAND 28

/* What an invalidation drops. EPT_INV_VPID_SINGLE with vpid 0 is also the
 * flush VM entry and VM exit do when "enable VPID" is 0 (§29.4.3.1). */
enum ept_inv_kind {
    EPT_INV_EPT_SINGLE = 1,   /* INVEPT type 1: guest-physical and combined
                                 mappings of EP4TA ep4ta */
    EPT_INV_EPT_ALL,          /* INVEPT type 2: those of every EP4TA */
    EPT_INV_VPID_ADDR,        /* INVVPID type 0: linear and combined mappings
                                 of (vpid, la), global ones too */
    EPT_INV_VPID_SINGLE,      /* INVVPID type 1: every linear and combined
                                 mapping of vpid */
    EPT_INV_VPID_ALL,         /* INVVPID type 2: those of every VPID but 0 */
    EPT_INV_VPID_SINGLE_KEEP_GLOBAL, /* INVVPID type 3: type 1 less global
                                 translations */
};
struct ept_inval {
    enum ept_inv_kind kind;
    uint64_t ep4ta;     /* EPT_INV_EPT_SINGLE: EPTP[51:12] << 12 */
    uint16_t vpid;      /* EPT_INV_VPID_ADDR/SINGLE/SINGLE_KEEP_GLOBAL */
    uint64_t la;        /* EPT_INV_VPID_ADDR: the linear address */
};

/* The first operand check of each instruction, after the #UD / #GP(CPL) /
 * VM-exit checks and before the descriptor is read (so it comes before
 * any fault on the memory operand): 0 when the type (the register
 * operand) is reported in EPT_VPID_CAP, else EPT_VMERR_INVALID_OPERAND.
 * INVEPT: types 1 and 2. INVVPID: types 0-3. */
int ept_invept_type_check(uint64_t type);
int ept_invvpid_type_check(uint64_t type);

/* The rest of each instruction's checks, on the 128-bit descriptor
 * (desc_lo = bits 63:0, desc_hi = bits 127:64): 0 and *inv filled, or
 * EPT_VMERR_INVALID_OPERAND (then *inv is untouched).
 * INVEPT: type 1 fails when its EPTP (desc_lo) would fail VM entry
 * (ept_eptp_check); bits 127:64 are not checked. Type 2 checks nothing.
 * INVVPID: desc bits 63:16 must be 0; types 0, 1 and 3 need VPID (bits
 * 15:0) != 0; type 0 needs desc_hi canonical for a linear-address width of
 * la_bits (48; 57 with 5-level paging). */
int ept_invept(uint64_t type, uint64_t desc_lo, uint64_t desc_hi, unsigned maxphyaddr,
               struct ept_inval *inv);
int ept_invvpid(uint64_t type, uint64_t desc_lo, uint64_t desc_hi, unsigned la_bits,
                struct ept_inval *inv);

/* The tag of one cached mapping (§29.4.2), as the CPU model's TLB keeps it:
 *  linear mapping         ept = false, linear = true  (created with EPT off)
 *  guest-physical mapping ept = true,  linear = false (GPA -> HPA)
 *  combined mapping       ept = true,  linear = true  (LA -> HPA via EPT)
 * vpid is the VPID the mapping was created under (0 in VMX root operation
 * and in a guest run with "enable VPID" = 0); guest-physical mappings have
 * none. */
struct ept_tlb_tag {
    bool ept, linear;
    bool global;        /* linear/combined: the guest's G bit (with CR4.PGE) */
    uint16_t vpid;      /* linear/combined */
    uint64_t ep4ta;     /* ept: EPTP[51:12] << 12 */
    uint64_t addr;      /* linear/combined: the linear address; guest-
                           physical: the guest-physical address */
    unsigned pshift;    /* log2 of the mapping's page size (12, 21, 22, 30) */
};
/* Whether invalidation inv drops the cached mapping t (§29.4.3.1). */
bool ept_inval_hits(const struct ept_inval *inv, const struct ept_tlb_tag *t);

#endif
