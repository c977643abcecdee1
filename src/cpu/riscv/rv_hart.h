/* RV64GC hart state. The hart embeds the ISA-neutral struct cpu first. */
#ifndef HVSIM_RV_HART_H
#define HVSIM_RV_HART_H
#include <stdbool.h>
#include <stdint.h>
#include "../../sim/cpu.h"
#include "vector.h"

struct aclint;

struct machine;
struct mem_region;

/* Privilege levels (priv spec 1.12 §1.2). */
enum { PRV_U = 0, PRV_S = 1, PRV_M = 3 };

/* mstatus fields (priv 1.12 §3.1.6). */
#define MSTATUS_SIE   (1ull << 1)
#define MSTATUS_MIE   (1ull << 3)
#define MSTATUS_SPIE  (1ull << 5)
#define MSTATUS_UBE   (1ull << 6)
#define MSTATUS_MPIE  (1ull << 7)
#define MSTATUS_SPP   (1ull << 8)
#define MSTATUS_VS    (3ull << 9)
#define MSTATUS_MPP   (3ull << 11)
#define MSTATUS_FS    (3ull << 13)
#define MSTATUS_XS    (3ull << 15)
#define MSTATUS_MPRV  (1ull << 17)
#define MSTATUS_SUM   (1ull << 18)
#define MSTATUS_MXR   (1ull << 19)
#define MSTATUS_TVM   (1ull << 20)
#define MSTATUS_TW    (1ull << 21)
#define MSTATUS_TSR   (1ull << 22)
#define MSTATUS_UXL   (3ull << 32)
#define MSTATUS_SXL   (3ull << 34)
#define MSTATUS_SBE   (1ull << 36)
#define MSTATUS_MBE   (1ull << 37)
#define MSTATUS_GVA   (1ull << 38)   /* H: mtval holds a guest virtual address */
#define MSTATUS_MPV   (1ull << 39)   /* H: previous virtualization mode */
#define MSTATUS_SD    (1ull << 63)
#define MSTATUS_FS_SHIFT 13

/* Interrupt numbers = mip/mie bit positions (priv 1.12 §3.1.9, §8.2.3). */
enum {
    IRQ_SSI = 1, IRQ_VSSI = 2, IRQ_MSI = 3, IRQ_STI = 5, IRQ_VSTI = 6, IRQ_MTI = 7,
    IRQ_SEI = 9, IRQ_VSEI = 10, IRQ_MEI = 11, IRQ_SGEI = 12,
};

/* hstatus fields (priv 20211203 §8.2.1). */
#define HSTATUS_VSBE  (1ull << 5)
#define HSTATUS_GVA   (1ull << 6)
#define HSTATUS_SPV   (1ull << 7)
#define HSTATUS_SPVP  (1ull << 8)
#define HSTATUS_HU    (1ull << 9)
#define HSTATUS_VGEIN (0x3full << 12)
#define HSTATUS_VTVM  (1ull << 20)
#define HSTATUS_VTW   (1ull << 21)
#define HSTATUS_VTSR  (1ull << 22)
#define HSTATUS_VSXL  (3ull << 32)

/* Exception causes (priv 1.12 Table 3.6). */
enum {
    EXC_INSN_MISALIGNED = 0, EXC_INSN_ACCESS = 1, EXC_ILLEGAL_INSN = 2,
    EXC_BREAKPOINT = 3, EXC_LOAD_MISALIGNED = 4, EXC_LOAD_ACCESS = 5,
    EXC_STORE_MISALIGNED = 6, EXC_STORE_ACCESS = 7, EXC_ECALL_U = 8,
    EXC_ECALL_S = 9, EXC_ECALL_M = 11, EXC_INSN_PAGE_FAULT = 12,
    EXC_LOAD_PAGE_FAULT = 13, EXC_STORE_PAGE_FAULT = 15,
    /* H extension (priv 20211203 Table 8.6) */
    EXC_ECALL_VS = 10, EXC_INSN_GUEST_PAGE_FAULT = 20, EXC_LOAD_GUEST_PAGE_FAULT = 21,
    EXC_VIRTUAL_INSN = 22, EXC_STORE_GUEST_PAGE_FAULT = 23,
};

/* fflags bits (unpriv spec §11.2). */
enum { FFLAG_NX = 1, FFLAG_UF = 2, FFLAG_OF = 4, FFLAG_DZ = 8, FFLAG_NV = 16 };
/* Rounding modes (unpriv spec Table 11.1). */
enum { RM_RNE = 0, RM_RTZ = 1, RM_RDN = 2, RM_RUP = 3, RM_RMM = 4, RM_DYN = 7 };

/* Access kinds for translation and PMP. */
enum rv_access { ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2 };

/* Software TLB: direct mapped, one set per translation regime ("mode
 * index": RV_MODE_U, RV_MODE_S, RV_MODE_S_SUM (S with mstatus.SUM),
 * RV_MODE_M (M mode: no translation), and with V=1 RV_MODE_VU, RV_MODE_VS,
 * RV_MODE_VS_SUM (vsstatus.SUM): two-stage translations GVA -> PA. Each entry maps one 4 KiB virtual page.
 * tag_r/w/x hold the page's virtual address when that access kind may use
 * the fast path, else TLB_INVALID. addend turns a virtual address into a host
 * pointer (RAM only; MMIO never enters the fast path). */
#define TLB_SIZE 256
#define TLB_INVALID 1ull /* never equals a page-aligned address */
enum { RV_MODE_U = 0, RV_MODE_S = 1, RV_MODE_S_SUM = 2, RV_MODE_M = 3, RV_MODE_VU = 4,
       RV_MODE_VS = 5, RV_MODE_VS_SUM = 6, RV_NMODES = 7 };
struct rv_tlb_entry {
    uint64_t tag_r, tag_w, tag_x;
    uintptr_t addend;        /* host = va + addend */
    uint64_t pa_page;        /* physical page address */
    struct mem_region *region;
    uint64_t page_index;     /* pa_page's page index inside region */
    struct rv_dpage *dpage;  /* predecoded page, once fetched from (or NULL) */
};

/* A predecoded instruction (16 bytes). rd==0 is decoded as 32 (the sink
 * register) so handlers never special-case x0. blen: instructions of the
 * straight-line block that starts here (block.c), 0 = not known yet; jit:
 * that block's compiled code (jit.c), 0 = none yet. Resetting a slot to
 * zeros (rv_code_invalidate) drops both. */
struct rv_dinsn {
    uint8_t op;
    uint8_t blen;
    uint8_t rd, rs1, rs2;
    uint8_t len;             /* 2 or 4 */
    uint16_t jit;
    int32_t imm;
    uint32_t raw;
};
/* funct5 of an AMO (unpriv spec Table 24.2 / "A" chapter: bits 31:27). */
static inline unsigned rv_amo_funct5(const struct rv_dinsn *d) { return d->raw >> 27; }
#define RV_DPAGE_SLOTS 2048  /* one per 2-byte parcel of a 4 KiB page */
struct rv_dpage {
    struct rv_dinsn d[RV_DPAGE_SLOTS];
};

/* AIA (Advanced Interrupt Architecture 1.0): the hart's IMSIC, with its
 * Smaia/Ssaia CSRs (aia.c). The interrupt files live in the hart (one IMSIC
 * per hart, "closely coupled"); the board's MMIO window (src/apic/imsic.c)
 * sends each MSI here as a CPU message. */
#define RV_AIA_IDS        255u /* identities per interrupt file (riscv,num-ids) */
#define RV_AIA_WORDS      4u   /* 64-bit eip/eie words: identities 0..255 */
#define RV_AIA_GUESTS_MAX 7u   /* GEILEN at most (hgeip bits 1..7) */
#define RV_AIA_EIDELIVERY_PLIC 0x40000000u
struct rv_imsic_file {
    uint64_t eip[RV_AIA_WORDS], eie[RV_AIA_WORDS];
    uint32_t eidelivery, eithreshold;
};
enum { RV_AIA_FILE_M = 0, RV_AIA_FILE_S = 1 }; /* guest g (1..GEILEN): file 1 + g */
struct rv_aia {
    bool on;                 /* the board has IMSICs ([aia] mode) */
    unsigned geilen;         /* guest interrupt files */
    uint64_t miselect, siselect, vsiselect;
    uint64_t hgeie, hgeip;
    bool plic_mei, plic_sei; /* the PLIC's lines (used while eidelivery = 0x40000000) */
    struct rv_imsic_file file[2 + RV_AIA_GUESTS_MAX];
    /* Smaia §5.3 / Ssaia §6.3 filtering and virtual interrupts (aia.c) */
    uint64_t mvien, mvip;    /* mvip: the bits independent of mip (1, 9 when mvien has them; 13..63) */
    uint64_t sie_v;          /* sie bits of mvien & ~mideleg (independent writable bits) */
    uint64_t hvien, hvip;    /* hvip: bits 13..63 (12:0 are mip's VS bits) */
    uint64_t vsie_v;         /* vsie bits of hvien & ~hideleg */
    uint64_t hvictl, hviprio1, hviprio2;
    /* Smaia §5.1.x / Ssaia §5.4.x: the M- and S-level iprio arrays, one
     * priority number per major interrupt (read-only zero bytes stay 0);
     * *_on: some byte is non-zero (the order is not the default one) */
    uint8_t iprio_m[64], iprio_s[64];
    bool iprio_m_on, iprio_s_on;
    uint8_t force;           /* the interrupt trap_to takes next: 1 to HS, 2 to VS (as its code) */
};

struct rv_hart {
    struct cpu cpu;          /* must be first */
    struct machine *m;
    struct aclint *aclint;   /* time base of time/stimecmp (set by the board) */
    uint64_t reset_pc;       /* where reset starts (the board's boot ROM) */
    bool sv39_only;          /* satp/hgatp: no Sv48 / Sv48x4 */
    uint32_t ext;            /* optional extensions enabled (isa.h RV_EXT_*) */
    uint64_t x[33];          /* x[32] is the write sink for rd = x0 */
    uint64_t f[32];          /* NaN-boxed floats */
    uint64_t pc;
    int priv;
    bool virt;               /* H: V bit (VS/VU when set) */
    bool hlsv;               /* executing HLV/HLVX/HSV: faults report a GVA */
    uint64_t fault_gpa, fault_tinst; /* details of the last translation fault */
    uint32_t frm, fflags;
    struct rv_vec vec;       /* V 1.0 (vector.c): only with RV_EXT_V */

    /* Machine CSRs */
    uint64_t mstatus, misa, medeleg, mideleg, mie, mtvec, mscratch,
             mepc, mcause, mtval, mcounteren, menvcfg, mcountinhibit;
    uint64_t mhartid;
    /* Supervisor CSRs (sstatus/sie/sip are views of the machine ones) */
    uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg, satp;
    uint64_t stimecmp;       /* Sstc (§ Sstc extension), in mtime units */
    int stimecmp_timer;      /* cpu_timer index */
    /* H extension (priv 20211203 ch. 8) */
    uint64_t hstatus, hedeleg, hideleg, hcounteren, htval, htinst, hgatp, henvcfg,
             htimedelta, mtval2, mtinst;
    /* hie/hip/vsie/vsip are views of mie/mip; hvip's bits are in mip_sw */
    uint64_t vsstatus, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
    uint64_t vstimecmp;      /* Sstc for VS (henvcfg.STCE) */
    int vstimecmp_timer;
    /* PMP (priv 1.12 §3.7): 16 entries */
    uint8_t pmpcfg[16];
    uint64_t pmpaddr[16];
    bool pmp_active;         /* any entry with A != OFF */
    uint64_t pmp_lo[16], pmp_hi[16]; /* byte range of each entry (rv_pmp_recompute) */

    /* LR/SC reservation (cleared when the hart leaves its slot) */
    uint64_t resv_addr;
    bool resv_valid;

    /* Fast paths */
    struct rv_tlb_entry tlb[RV_NMODES][TLB_SIZE];
    uint64_t fetch_va;       /* page of fetch_page, or TLB_INVALID */
    struct rv_dpage *fetch_page;
    struct mem_region *fetch_region; /* region and page index of fetch_page */
    uint64_t fetch_pindex;

    int fetch_mode, data_mode; /* TLB set for fetches / loads+stores */
    bool tlb_has_super;      /* some entry came from a superpage */

    uint64_t instret_adj;    /* ticks that did not retire (traps) */
    uint64_t cycle_off, instret_off; /* from writes to mcycle/minstret */
    uint64_t cycle_frozen, instret_frozen; /* values while mcountinhibit holds them */
    uint64_t mip_sw;         /* software-written mip bits (SSIP, STIP, SEIP, LCOFIP) */
    uint64_t mip_hw;         /* lines driven by devices and Sstc */
    struct rv_aia aia;       /* IMSIC and its CSRs (aia.c); aia.on false: none */

    /* Programmable counters (pmu.c): mhpmcounter3.. (nhpm of them) */
    unsigned nhpm;
    int pmu_timer;           /* cpu_timer index: the next possible overflow */
    uint64_t hpm_val[29], hpm_src[29], hpm_event[29];
    bool pmu_per_insn;       /* an event needs one instruction per block (pmu.c) */
    uint8_t pmu_pend_op;     /* the instruction started last (pmu.c), its pc, */
    uint64_t pmu_pend_pc, pmu_pend_next, pmu_pend_adj; /* fall-through pc, instret_adj */

    /* Sdtrig debug triggers (trigger.c): ntrig of them, 0 = no Sdtrig */
#define RV_TRIG_MAX 16
    unsigned ntrig;
    bool trig_per_insn;      /* a trigger needs every instruction seen (trigger.c) */
    bool trig_fire;          /* a breakpoint before the next instruction (tval trig_fire_tval) */
    bool trig_halt;          /* a debugger trigger (dmode, action 1) stopped the hart (gdb) */
    bool trig_dbg;           /* some trigger is the debugger's (dmode) */
    uint64_t trig_fire_tval;
    struct {                 /* a load in flight that load data triggers look at */
        bool pend, fp;
        uint8_t rd, size;
        uint64_t va, adj;    /* its address; instret_adj when it started */
    } trig_ld;
    bool trig_tval0;         /* the breakpoint being raised has tval 0 (no address: GVA = 0) */
    int8_t trig_start_mode, trig_irq_mode; /* icount: mode of the last instruction / interrupt (-1 none) */
    uint64_t tselect, tcontrol;
    uint64_t tdata1[RV_TRIG_MAX], tdata2[RV_TRIG_MAX];
    uint64_t tdata3[RV_TRIG_MAX]; /* textra64 (trigger.c) */
    uint64_t mcontext, scontext;  /* hcontext is mcontext (trigger.c) */

    struct rv_jit *jit;      /* compiled blocks, shared by the machine's harts (jit.c) */
    bool jit_owner;          /* this hart frees jit */
    bool interp_only;        /* reference engine: never run compiled blocks
                                (m->interp_only, copied at each run()) */

    uint64_t insn_left;      /* instructions left in the current run() */
    uint32_t attn;           /* non-zero: leave the fast loop and look around */
    bool wfi;                /* asleep in WFI */
};

#define RV_HART(c) ((struct rv_hart *)(c))

/* Floating point: executes one OP-FP / FMADD-family / FP compare/convert
 * instruction (not loads/stores). Returns 0 or an exception cause
 * (EXC_ILLEGAL_INSN). Sets mstatus.FS dirty; accumulates fflags. */
int rv_fp_exec(struct rv_hart *h, uint32_t insn);
/* NaN-box a single (unpriv spec §12.2). */
static inline uint64_t rv_box32(uint32_t v) { return 0xffffffff00000000ull | v; }

#endif
