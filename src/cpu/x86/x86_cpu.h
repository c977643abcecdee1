/* The x86_64 CPU model: architectural state and the internal interfaces of
 * src/cpu/x86/ (Intel SDM vol. 1 ch. 3, vol. 3A ch. 2-6). The engine sees
 * only struct cpu and its ops (src/sim/cpu.h); tools see arch_x86_64
 * (src/sim/arch.h). */
#ifndef HVSIM_X86_CPU_H
#define HVSIM_X86_CPU_H
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include "../../sim/cpu.h"
#include "insn.h"
#include "../../vmm/vmx.h"

struct machine;

/* General registers in encoding order (SDM vol. 2 §2.1.5 Table 2-2). */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* RFLAGS bits (SDM vol. 1 §3.4.3). */
enum {
    FL_CF = 1u << 0, FL_FIXED1 = 1u << 1, FL_PF = 1u << 2, FL_AF = 1u << 4, FL_ZF = 1u << 6,
    FL_SF = 1u << 7, FL_TF = 1u << 8, FL_IF = 1u << 9, FL_DF = 1u << 10, FL_OF = 1u << 11,
    FL_IOPL = 3u << 12, FL_NT = 1u << 14, FL_RF = 1u << 16, FL_VM = 1u << 17, FL_AC = 1u << 18,
    FL_VIF = 1u << 19, FL_VIP = 1u << 20, FL_ID = 1u << 21,
};
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Control registers (SDM vol. 3A §2.5). */
enum {
    CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3, CR0_ET = 1u << 4,
    CR0_NE = 1u << 5, CR0_WP = 1u << 16, CR0_AM = 1u << 18, CR0_NW = 1u << 29,
    CR0_CD = 1u << 30, CR0_PG = 1u << 31,
};
enum {
    CR4_VME = 1u << 0, CR4_PVI = 1u << 1, CR4_TSD = 1u << 2, CR4_DE = 1u << 3,
    CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, CR4_MCE = 1u << 6, CR4_PGE = 1u << 7,
    CR4_PCE = 1u << 8, CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10, CR4_UMIP = 1u << 11,
    CR4_VMXE = 1u << 13, CR4_FSGSBASE = 1u << 16, CR4_PCIDE = 1u << 17,
    CR4_OSXSAVE = 1u << 18, CR4_SMEP = 1u << 20, CR4_SMAP = 1u << 21,
};
/* IA32_EFER (SDM vol. 3A §2.2.1). */
enum { EFER_SCE = 1u << 0, EFER_LME = 1u << 8, EFER_LMA = 1u << 10, EFER_NXE = 1u << 11 };

/* Exception vectors (SDM vol. 3A §6.3.1 Table 6-1). */
enum {
    X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_NMI = 2, X86_EXC_BP = 3, X86_EXC_OF = 4, X86_EXC_BR = 5, X86_EXC_UD = 6,
    X86_EXC_NM = 7, X86_EXC_DF = 8, X86_EXC_TS = 10, X86_EXC_NP = 11, X86_EXC_SS = 12, X86_EXC_GP = 13, X86_EXC_PF = 14,
    X86_EXC_MF = 16, X86_EXC_AC = 17, X86_EXC_MC = 18, X86_EXC_XM = 19, X86_EXC_VE = 20, X86_EXC_CP = 21,
};

/* #PF error code bits (SDM vol. 3A §4.7). */
enum { PF_P = 1u << 0, PF_W = 1u << 1, PF_U = 1u << 2, PF_RSVD = 1u << 3, PF_I = 1u << 4 };

/* A segment register with its hidden part (descriptor cache). */
struct x86_segment {
    uint16_t sel;
    uint64_t base;
    uint32_t limit;     /* byte granular (G already applied) */
    uint16_t attr;      /* descriptor bits 40..47 (type, S, DPL, P) | 52..55 << 8 (AVL, L, D/B, G) */
};
/* attr bits */
enum {
    SEG_A = 1u << 0, SEG_W_R = 1u << 1, SEG_CE = 1u << 2, SEG_CODE = 1u << 3, SEG_S = 1u << 4,
    SEG_DPL_SHIFT = 5, SEG_P = 1u << 7, SEG_L = 1u << 13, SEG_DB = 1u << 14, SEG_G = 1u << 15,
};

/* One TLB entry: a 4 KiB linear page to a host pointer (RAM) or a physical
 * page (MMIO / slow path). Tags include the access rights that were
 * checked, so a hit needs no page walk. */
#define X86_TLB_SIZE 256
struct x86_dpage;
struct x86_tlb_entry {
    uint64_t tag_r, tag_w, tag_x; /* page << 3 | class << 1 | 1 when that access is allowed */
    uint8_t *host;                /* host address of the page (NULL: not RAM) */
    uint8_t *host_w;              /* the same for stores; NULL when the page has
                                     PAGE_CODE / PAGE_WATCH (stores go to the bus) */
    struct x86_dpage *dpage;      /* predecoded page (icache.c), NULL until fetched */
    uint64_t pa;                  /* physical page */
    bool global;
    uint8_t pshift;               /* log2 of the size of the page it is part of
                                     (12, 21, 22 or 30): what INVLPG drops */
};

/* Translation contexts of the TLB (mmu.c; docs/vmx.md "TLB"): what tags a
 * cached mapping in VMX (SDM vol. 3C §29.4.2): its VPID (0 in root
 * operation and for guests run without "enable VPID") and, for combined
 * mappings (EPT on), its EP4TA. Every tag_r/w/x carries the index of its
 * context in bits 63:55 (x86_cpu.tlb_tag), so the entries of root and of
 * each guest coexist and a VM entry or exit only switches tlb_tag. cr3 and
 * mode are the paging state the context's entries were last filled under:
 * the permissions baked into an entry depend on CR0.WP, CR4.SMEP, ...,
 * which the VMCS may change between runs; a switch back to a context whose
 * state differs drops its entries (more than the SDM requires, which is
 * always allowed). Without VMX only context 0 (root, VPID 0) exists. */
#define X86_TLB_CTXS 8
#define X86_TLB_CTX_SHIFT 55 /* tags are page << 3 | ...: la bits 63:12 fill bits 54:3 */
/* The TLB entry of la: direct-mapped by la[19:12], XORed with a constant
 * per context (0 for context 0) so that the same linear page in root and
 * in guests (a guest running the host's code, two guests of one image)
 * lands in different entries. */
#define X86_TLB_AT(x, la) (&(x)->tlb[(((la) >> 12) ^ (x)->tlb_xor) & (X86_TLB_SIZE - 1)])
#define X86_TLB_CTX_XOR(c) (((unsigned)(c) * 0x5bu) & (X86_TLB_SIZE - 1))
struct x86_tlb_ctx {
    bool used;
    bool ept;                     /* combined mappings (LA -> HPA through EPT) */
    uint16_t vpid;
    uint64_t ep4ta;               /* ept: EPTP[51:12] << 12 */
    uint64_t cr3, mode;           /* the paging state of its last fill */
};

/* x87 FPU, MMX and SSE state (SDM vol. 1 ch. 8-11; the FXSAVE image of
 * vol. 1 §10.5.1 Table 10-2 is built from these fields). */
struct x86_fpreg {
    uint64_t mant;            /* significand (explicit integer bit 63); MMi = R[i].mant */
    uint16_t sexp;            /* sign (bit 15) and biased exponent */
};
union x86_xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
};
struct x86_fpu {
    uint16_t fcw, fsw;        /* control / status word (TOP = fsw bits 11..13) */
    uint8_t ftw;              /* abridged tag word: bit i = physical register Ri valid */
    uint16_t fop;             /* last x87 opcode (11 bits) */
    uint16_t fcs, fds;        /* last instruction / operand selectors */
    uint64_t fip, fdp;        /* last instruction / operand offsets */
    struct x86_fpreg st[8];   /* physical registers R0..R7: ST(i) = R[(TOP + i) & 7] */
    uint32_t mxcsr;
    union x86_xmm xmm[16];
};

struct x86_cpu {
    struct cpu cpu;           /* first */
    struct machine *m;
    uint64_t r[16];
    uint64_t rip;
    uint64_t rflags;
    struct x86_segment seg[6], ldtr, tr;
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t dr[8];
    bool dbg_insn, dbg_data;  /* DR7 enables an instruction / a data breakpoint (debug.c) */
    bool dbg_io;              /* DR7 enables an I/O breakpoint (R/W = 10b; debug.c) */
    bool dbg_ibp_fault;       /* the #DB being raised is an instruction breakpoint */
    uint8_t dbg_hits;         /* data breakpoints hit by this instruction (DR6 B0-B3) */
    bool dbg_ss_held;         /* dbg_hits of a MOV SS / POP SS: reported after the next instruction */
    struct x86_seg_note {     /* seg:offset whose first byte linear() checked (seg.c) */
        uint64_t la, off;
        int8_t seg;
        bool valid;
    } seg_note[2];
    uint8_t seg_note_next;
    bool undo_rsp_valid;      /* POP r/m: a fault puts RSP back to undo_rsp (trap.c) */
    uint64_t undo_rsp;
    uint64_t efer;
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_offset, tsc_aux, apic_base, pat, misc_enable;
    uint64_t mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
    struct x86_fpu fpu;
    uint64_t xcr0;            /* XCR0 (xsave.c): x87 (bit 0, always 1) and SSE (bit 1) */
    bool xsave;               /* [cpu] xsave = on: the XSAVE feature set (xsave.c) */
    /* MONITOR / MWAIT (monitor.c), with [cpu] monitor = on */
    bool monitor;             /* the feature (CPUID.1:ECX.MONITOR) */
    bool mon_armed;           /* MONITOR armed the line at mon_pa, no store hit it since */
    bool mon_trig;            /* a store hit the line while the CPU waits in MWAIT */
    bool mwait_sleep;         /* sleeping in MWAIT (else a sleep is HLT's) */
    bool mwait_intr;          /* that MWAIT's ECX[0]: masked interrupts are break events */
    uint64_t mon_pa;          /* the armed 64-byte line (physical) */
    uint8_t cpl;
    uint8_t code_size;        /* 2, 4 or 8: from CS.D / CS.L and the mode */
    uint8_t stack_size;       /* 2, 4 or 8: from SS.B and the mode */
    bool long_mode;           /* EFER.LMA */
    const bool *a20;          /* the board's A20 gate (NULL: always on) */

    /* Interrupt inputs: INTR (line 0, level) and NMI (line 1, edge). The
     * board's interrupt controller gives the vector at INTA. */
    bool intr, nmi_pending, nmi_blocked;
    int (*intr_ack)(void *opaque);
    void *intr_opaque;
    bool sti_shadow;          /* STI / MOV SS: no interrupt before the next instruction */
    struct lapic *lapic;      /* its local APIC (src/apic/lapic.c), NULL: none (INTR/NMI pins direct) */
    bool wait_sipi;           /* an application processor in wait-for-SIPI (SDM vol. 3A §8.4.2) */

    /* Instruction being executed. */
    uint64_t next_rip;
    struct x86_insn in;
    uint8_t insn_bytes[16];
    const uint8_t *insn_raw;  /* the bytes when the instruction came from the
                                 predecoded cache (icache.c; byte 15 holds the
                                 length), else NULL: insn_bytes */
    uint8_t insn_len;         /* the length of insn_bytes' instruction */
    jmp_buf fault_jb;         /* x86_raise() returns to the interpreter loop */
    bool in_run;
    int fault_depth;          /* 0 normal, 1 delivering an exception, 2 delivering #DF */
    int pending_vector;       /* the exception being delivered (fault_depth 1) */
    uint64_t insn_left;       /* cpu.run_left points here */
    uint64_t rep_fast;        /* REP MOVS/STOS iterations run at once (exec.c rep_run;
                                 a count for tests, no state) */
    volatile bool attn;       /* something to look at between instructions */
    bool blk_exit;            /* a fast handler took a slow memory path: the
                                 block ends after it (exec.c run_blocks) */
    struct x86_jit *jit;      /* compiled blocks (jit.c): the machine's cache */
    bool jit_owner;           /* this CPU frees it */
    uint64_t jit_dtag;        /* jit.c: the data TLB tag bits of this run
                                 (access class << 1 | 1 | tlb_tag) */
    uint64_t jit_ftag;        /* jit.c: the fetch TLB tag bits of this run
                                 (x86_fetch_tag of page 0) */
    uint32_t jit_txor;        /* jit.c: tlb_xor scaled to the entry size */

    struct x86_tlb_entry tlb[X86_TLB_SIZE];
    /* The last two TLB fills of data and fetch accesses (mmu.c tlb_get),
     * fills[fill_last] the latest: the tag the entry got for the access,
     * its host address, physical page and the physical addresses of the
     * paging entries the walk read (n > X86_FILL_PTES: more than that);
     * host pointers into this machine's RAM, used only by the instruction
     * that made them (seq).
     * exec.c rep_run uses them for a REP MOVS whose source and destination
     * share a TLB entry (docs/x86.md "Performance" 4h). */
#define X86_FILL_PTES 6
    struct x86_tlb_fill {
        uint64_t tag;
        int acc;
        bool ept;
        uint8_t *host;
        uint64_t pa;
        unsigned n;
        uint64_t pte[X86_FILL_PTES];
        uint64_t seq;         /* fill_seq after it */
    } fills[2];
    unsigned fill_last;
    uint64_t fill_seq;        /* fills so far (which ones an instruction made) */
    bool fill_rec;            /* walk() appends to fills[fill_last ^ 1] */
    uint64_t tlb_tag;         /* the current context << X86_TLB_CTX_SHIFT, in every tag */
    uint32_t tlb_xor;         /* the current context's index scramble (X86_TLB_AT) */
    struct x86_tlb_ctx tlb_ctx[X86_TLB_CTXS];
    uint8_t tlb_cur;          /* the current context */
    uint8_t tlb_victim;       /* the next context to reuse when all are taken */
    bool triple_fault_resets; /* board option: triple fault = reset (else exit) */
    void (*reset_machine)(void *opaque); /* the board's machine reset (NULL: this CPU only) */
    void *reset_opaque;
    char cpuid_vendor[12];    /* CPUID.0 vendor string (board option) */
    uint32_t cpuid_signature; /* CPUID.1:EAX family/model/stepping (board option) */
    struct vmx_state vmx;     /* Intel VMX (src/vmm/vmx*.c, docs/vmx.md) */
};

static inline struct x86_cpu *X86(struct cpu *c) { return (struct x86_cpu *)c; }

/* The length of the instruction being executed (0: none yet): byte 15 of
 * its predecoded bytes (icache.h x86_dpage.raw), else insn_len. */
static inline unsigned x86_cur_insn_len(const struct x86_cpu *x)
{
    return x->insn_raw ? x->insn_raw[15] : x->insn_len;
}

/* The `from` argument of x86 exc.take / irq.take: the CPL in bits 7:0 and
 * the code mode of the interrupted code in bits 15:8 (docs/trace-format.md
 * "x86 code mode"), which `trace show` disassembles in: 0 64-bit, 1 real
 * mode, 2 real mode with a 32-bit CS, 3 virtual-8086, 4 16-bit protected,
 * 5 32-bit protected, 6 16-bit compatibility, 7 32-bit compatibility. */
enum { X86_TMODE_LONG64, X86_TMODE_REAL16, X86_TMODE_REAL32, X86_TMODE_VM86, X86_TMODE_PROT16,
       X86_TMODE_PROT32, X86_TMODE_COMPAT16, X86_TMODE_COMPAT32 };
/* The pc every x86 timeline record carries (exc.take, irq.take,
 * wfi.sleep, ipi.send, vm.exit, vm.entry): the linear address of the
 * instruction, where its bytes are — RIP in 64-bit mode (CS's base is 0
 * there), else CS.base + EIP / IP in 32 bits (real and virtual-8086 mode:
 * base = selector * 16; protected and compatibility mode: the
 * descriptor's base), as the fetch computes it (exec.c step). Traces of
 * 64-bit code and of flat protected-mode code (base 0) are as before
 * (docs/trace-format.md "x86 code mode"). */
static inline uint64_t x86_trace_pc(const struct x86_cpu *x)
{
    if (x->code_size == 8)
        return x->rip;
    return (x->seg[X86_CS].base + x->rip) & 0xffffffffull;
}

/* The X86_TMODE_* of the code running now. */
static inline unsigned x86_trace_mode(const struct x86_cpu *x)
{
    if (x->code_size == 8)
        return X86_TMODE_LONG64;
    if (!(x->cr0 & CR0_PE))
        return x->code_size == 4 ? X86_TMODE_REAL32 : X86_TMODE_REAL16;
    if (x->long_mode)
        return x->code_size == 4 ? X86_TMODE_COMPAT32 : X86_TMODE_COMPAT16;
    if (x->rflags & FL_VM)
        return X86_TMODE_VM86;
    return x->code_size == 4 ? X86_TMODE_PROT32 : X86_TMODE_PROT16;
}

static inline uint64_t x86_trace_from(const struct x86_cpu *x)
{
    return x->cpl | (uint64_t)x86_trace_mode(x) << 8;
}

/* ---- internal interfaces (files of src/cpu/x86/) ------------------------ */

/* trap.c: the CPL an exception's handler runs at (exc.take's "to") */
unsigned x86_event_cpl(struct x86_cpu *x, int vector);

/* cpu.c */
void x86_update_mode(struct x86_cpu *x);
void x86_reset_cpu(struct cpu *c); /* power-on state (triple fault with reset) */
void x86_init_cpu(struct cpu *c);  /* INIT (an INIT latched in VMX operation, at VMXOFF) */
void x86_load_seg_real(struct x86_cpu *x, int s, uint16_t sel);

/* trap.c: raise an exception (fault: rip stays at the instruction) and
 * return to the interpreter loop; never returns. has_err: push err. */
_Noreturn void x86_raise(struct x86_cpu *x, int vector, bool has_err, uint32_t err);
/* The current instruction's number in the CPU's count of retired
 * instructions (during a run: each instruction takes its tick first). */
static inline uint64_t x86_insn_pos(const struct x86_cpu *x)
{
    return x->cpu.retired + x->cpu.run_budget - x->insn_left;
}
/* Deliver an interrupt or exception through the IDT now (from the loop).
 * soft: INT n (privilege check against the gate's DPL, return to next). */
void x86_deliver(struct x86_cpu *x, int vector, bool has_err, uint32_t err, bool soft,
                 uint64_t return_rip);
void x86_iret(struct x86_cpu *x, unsigned opsize);
/* The TSS's stack for privilege dpl (IST ist in IA-32e mode; 0: none):
 * SP/ESP/RSP, *ss its SS (0 in IA-32e mode); the 16-bit TSS's SP/SS when TR
 * is a 16-bit TSS; #TS(TR | ext_bit) beyond the TSS limit. */
uint64_t x86_tss_stack(struct x86_cpu *x, uint32_t ext_bit, unsigned dpl, unsigned ist, uint16_t *ss);

/* mmu.c: linear address accesses (segmentation already applied). They
 * raise #PF / #GP themselves. user: the access is made at CPL 3 rights
 * (implicit supervisor accesses pass false). */
uint64_t x86_read(struct x86_cpu *x, uint64_t la, unsigned size);
void x86_write(struct x86_cpu *x, uint64_t la, unsigned size, uint64_t v);
/* The same with explicit rights: user = false for implicit supervisor
 * accesses (descriptor tables, TSS, IDT: SDM vol. 3A §4.6). */
uint64_t x86_read_as(struct x86_cpu *x, uint64_t la, unsigned size, bool user);
void x86_write_as(struct x86_cpu *x, uint64_t la, unsigned size, uint64_t v, bool user);
/* Physical page of a linear address for a fetch; raises #PF. */
uint64_t x86_translate(struct x86_cpu *x, uint64_t la, int acc /* 0 r, 1 w, 2 x */, bool user);
/* Side-effect-free translation for a debugger: false when not mapped. */
bool x86_debug_translate(struct x86_cpu *x, uint64_t la, uint64_t *pa);
/* Every context's entries (globals too when include_global); in VMX root
 * operation (or without VMX) include_global also forgets the contexts:
 * reset, snapshots, the APIC page moving, EFER, task switches. */
void x86_tlb_flush(struct x86_cpu *x, bool include_global);
/* The entries of the current VPID only, all its EP4TAs (SDM vol. 3C
 * §29.4.3.1: MOV to CR3, CR0, CR4, INVPCID in VMX operation). Without VMX
 * the same as x86_tlb_flush. */
void x86_tlb_flush_vpid(struct x86_cpu *x, bool include_global);
/* INVLPG: the current VPID's entries of the page holding la. */
void x86_tlb_flush_page(struct x86_cpu *x, uint64_t la);
/* The entries of the page holding la; globals too when include_global
 * (INVLPG: yes; INVPCID type 0: no). Current VPID only. */
void x86_tlb_flush_page_ex(struct x86_cpu *x, uint64_t la, bool include_global);
/* VMX (src/vmm/vmx_ept.c): makes (vpid, ept, ep4ta) the current context,
 * keeping every other context's entries. */
void x86_tlb_set_context(struct x86_cpu *x, uint16_t vpid, bool ept, uint64_t ep4ta);
/* INVEPT / INVVPID and the VPID-0 flush of VM entries and exits without
 * VPID: drops exactly the entries ept_inval_hits names (src/vmm/ept.h). */
void x86_tlb_invalidate(struct x86_cpu *x, const struct ept_inval *inv);
/* Unit tests: how many valid entries the context (vpid, ept, ep4ta)
 * holds (-1: no such context). */
int x86_tlb_ctx_entries(const struct x86_cpu *x, uint16_t vpid, bool ept, uint64_t ep4ta);
/* Fetch up to n bytes of code at linear la into buf (stops at a page that
 * faults only if it is not needed): returns the bytes fetched. */
unsigned x86_fetch(struct x86_cpu *x, uint64_t la, uint8_t *buf, unsigned n);

/* seg.c: segment limits of the last byte of a data access (see there) and
 * of instruction fetches outside 64-bit mode */
void x86_seg_note(struct x86_cpu *x, int s, uint64_t off, uint64_t la);
/* true: a read through a segment that forbids writes (drop the page's
 * TLB entry after the read, so a read-modify-write's store is checked) */
bool x86_seg_end_check(struct x86_cpu *x, uint64_t la, unsigned size, bool write);
bool x86_seg_type_allows(const struct x86_cpu *x, const struct x86_segment *g, bool write);
_Noreturn void x86_fetch_limit_fault(struct x86_cpu *x);
/* The instruction at rip whose last byte is at offset last: #GP(0) when it
 * goes beyond the CS limit (outside 64-bit mode). */
static inline void x86_fetch_limit(struct x86_cpu *x, uint64_t last)
{
    if (__builtin_expect(x->code_size != 8 && last > x->seg[X86_CS].limit, 0))
        x86_fetch_limit_fault(x);
}

/* task.c: task switches between 32-bit / 16-bit TSSs outside IA-32e mode (SDM vol.
 * 3A ch. 7): a far JMP/CALL to a TSS descriptor or task gate (lo: its
 * descriptor), IRET with NT = 1. They set rip and next_rip. */
void x86_task_far(struct x86_cpu *x, uint16_t sel, uint64_t lo, bool call);
void x86_task_return(struct x86_cpu *x);
/* An event through a task gate (gate: its IDT entry) from x86_deliver:
 * ext is the error codes' EXT bit, ret the interrupted task's EIP. */
void x86_task_interrupt(struct x86_cpu *x, uint64_t gate, bool has_err, uint32_t err, uint32_t ext,
                        uint64_t ret);

/* debug.c: debug registers and breakpoints (SDM vol. 3A ch. 17) */
void x86_dbg_reset(struct x86_cpu *x);
uint64_t x86_mov_from_dr(struct x86_cpu *x, unsigned reg);
void x86_mov_to_dr(struct x86_cpu *x, unsigned reg, uint64_t v);
/* Before an instruction at linear la: #DB fault for an enabled instruction
 * breakpoint (unless RF). */
void x86_dbg_insn_check(struct x86_cpu *x, uint64_t la);
/* A data access (mmu.c, while x->dbg_data): records the breakpoints hit. */
void x86_dbg_data_access(struct x86_cpu *x, uint64_t la, unsigned size, bool write);
/* After an instruction: #DB trap for the data (and I/O) breakpoints it hit. */
void x86_dbg_data_trap(struct x86_cpu *x);
/* IN/OUT/INS/OUTS of size bytes at port (exec.c, while x->dbg_io):
 * records the I/O breakpoints hit (with CR4.DE = 1). */
void x86_dbg_io_access(struct x86_cpu *x, uint32_t port, unsigned size);
/* #DB traps delivered now, rip = where the handler returns: single-step
 * after an instruction (DR6.BS, with the data breakpoints it hit), the T
 * flag of a new task's TSS (DR6.BT). Both are traced as exc.take. */
void x86_dbg_single_step(struct x86_cpu *x);
void x86_dbg_task_trap(struct x86_cpu *x);

/* monitor.c: MONITOR / MWAIT (0F 01 C8 / C9) and the address monitor;
 * x86_mwait_wake is the wake-up test of a CPU sleeping in MWAIT, and
 * x86_mwait_resume ends the wait when it runs again. */
void x86_exec_monitor(struct x86_cpu *x);
void x86_exec_mwait(struct x86_cpu *x);
uint64_t x86_mwait_wake(struct x86_cpu *x);
void x86_mwait_resume(struct x86_cpu *x);
void x86_monitor_reset(struct x86_cpu *x);
/* After copy_state (snapshots): the armed line's page flag in x's machine. */
void x86_monitor_restored(struct x86_cpu *x);
/* exec.c: whether another CPU could still wake this one from a HLT with
 * IF = 0 (one running, or asleep and wakeable by an interrupt or NMI) */
bool x86_hlt_can_wake(const struct x86_cpu *x);

/* exec.c */
uint64_t x86_run(struct cpu *c, uint64_t budget);
/* exec.c: linear address of the ModRM memory operand of x->in, and of
 * seg:off (canonical / segment checks as for any data access). */
uint64_t x86_ea_linear(struct x86_cpu *x);
uint64_t x86_linear(struct x86_cpu *x, int s, uint64_t off);
/* The linear address of the current instruction's ModRM memory operand
 * (segment override, canonical check); *seg / *off (may be NULL) get its
 * segment register and effective address (the x87 data pointer). */
uint64_t x86_modrm_linear(struct x86_cpu *x, int *seg, uint64_t *off);

/* msr.c: false = #GP (an unknown MSR is #GP, never a silent zero) */
bool x86_rdmsr(struct x86_cpu *x, uint32_t msr, uint64_t *v);
bool x86_wrmsr(struct x86_cpu *x, uint32_t msr, uint64_t v);

/* fpu_x87.c: the x87 escape opcodes D8-DF and FWAIT (9B). */
void x86_exec_x87(struct x86_cpu *x);
/* fpu_x87.c: FP state at reset / INIT (SDM vol. 3A §9.1.1 Table 9-1). */
void x86_fpu_reset(struct x86_cpu *x);
/* fxsave.c: 0F AE /0../3 (FXSAVE, FXRSTOR, LDMXCSR, STMXCSR). */
void x86_exec_fxsave_group(struct x86_cpu *x);
/* xsave.c: the XSAVE feature set (SDM vol. 1 ch. 13) for state
 * components 0 (x87) and 1 (SSE): 0F AE /4../6 with a memory operand
 * (XSAVE, XRSTOR, XSAVEOPT and their 64-bit forms; true when it was one of
 * them, false: the caller raises #UD), XGETBV (0F 01 D0), XSETBV (0F 01
 * D1) and CPUID leaf 0DH. */
bool x86_exec_xsave_group(struct x86_cpu *x);
void x86_xgetbv(struct x86_cpu *x);
void x86_xsetbv(struct x86_cpu *x);
void x86_cpuid_xsave(struct x86_cpu *x, uint32_t sub, uint32_t out[4]);
/* The XCR0 bits the model supports (CPUID.(EAX=0DH,ECX=0):EDX:EAX). */
#define X86_XCR0_SUPPORTED 0x3ull
/* simd.c: MMX / SSE..SSE4.2 opcodes of the 0F, 0F38 and 0F3A maps that the
 * integer interpreter does not handle. Returns false when the opcode is not
 * one of them (the caller raises #UD). */
bool x86_exec_simd(struct x86_cpu *x);

/* cpuid.c */
void x86_cpuid(struct x86_cpu *x, uint32_t leaf, uint32_t sub, uint32_t out[4]);

#endif
