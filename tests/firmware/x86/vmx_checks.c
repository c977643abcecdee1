/* The VM-entry checks one condition at a time (SDM vol. 3C §27.2 controls
 * and host state, §27.3.1 guest state), run by tests/e2e/t_x86_vmx_checks.sh
 * with [cpu] vmx = on. docs/vmx_coverage.md clause 1 maps its rows onto
 * the rows of src/vmm/vmx_entry_checks.c.
 *
 * Each row of `rows` names one condition. The VMCS is first rewritten to
 * a valid state of the row's guest mode (`base`):
 *   M64   a 64-bit guest (IA-32e mode guest, CS.L = 1), the copy of the
 *         host of vmxt_setup;
 *   M64U  the same with "enable EPT" and "unrestricted guest";
 *   M32   a 32-bit protected-mode guest without paging (unrestricted
 *         guest, not IA-32e mode);
 *   M16   a real-mode guest (unrestricted guest, CR0.PE = 0);
 *   MV86  a virtual-8086 guest (RFLAGS.VM = 1, every segment F3H with
 *         base = selector * 16, limit FFFFH);
 * every one with the VMX-preemption timer at 0, so that a valid entry
 * exits (reason 52) before the guest's first instruction (or an exit that comes first). Then at most
 * seven fields are changed, the entry (VMRESUME) must give:
 *   7 / 8  VMfailValid with that VM-instruction error (controls / host),
 *   33     a failed entry, exit reason 80000021H, with the qualification
 *          of the row (0, or 4 for the VMCS link pointer, §27.8),
 *   0      a valid entry (the timer exit, 52): the conditions the SDM
 *          relaxes (unrestricted guest, conforming code, an unusable
 *          segment, a 16-bit TSS outside IA-32e mode).
 * Every mode's base state is itself entered first (reason 52).
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"

enum {
    PIN_NMI = 1u << 3, PIN_VNMI = 1u << 5, PROC_NMI_WINDOW = 1u << 22,
    G_LINK = 0x2800, G_DEBUGCTL = 0x2802, G_PAT = 0x2804, H_PAT = 0x2c00,
    G_PENDING_DBG = 0x6822, G_SYSENTER_ESP = 0x6824, G_SYSENTER_EIP = 0x6826,
    H_SYSENTER_ESP = 0x6c10, H_SYSENTER_EIP = 0x6c12, CR3_COUNT = 0x400a,
    EXIT_MSR_STORE_COUNT = 0x400e, EXIT_MSR_LOAD_COUNT = 0x4010, ENTRY_MSR_LOAD_COUNT = 0x4014,
    EXIT_MSR_STORE_ADDR = 0x2006, EXIT_MSR_LOAD_ADDR = 0x2008, ENTRY_MSR_LOAD_ADDR = 0x200a,
    EXIT_LOAD_PAT = 1u << 19, ENTRY_LOAD_PAT = 1u << 14, ENTRY_LOAD_DBG = 1u << 2,
};
/* guest segment field of segment k (Appendix B: ES CS SS DS FS GS LDTR TR) */
#define SEL(k) (G_ES_SEL + 2 * (k))
#define LIM(k) (G_ES_LIMIT + 2 * (k))
#define AR(k) (G_ES_AR + 2 * (k))
#define BASE(k) (G_ES_BASE + 2 * (k))
enum { ES, CS, SS, DS, FS, GS, LDTR, TR };
#define NC 0x8000000000000000ull /* non-canonical */
#define PAT_OK 0x0007040600070406ull
/* row values that stand for this kernel's own pages (resolved by `value`) */
#define VAPIC_PAGE 0xa0000001ull
#define PI_DESC_64 0xa0000100ull /* + an offset below 64 */

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t ept_pd[512] __attribute__((aligned(4096)));
static uint64_t ept_pt[512] __attribute__((aligned(4096)));
static uint64_t eptp, host_efer;
static uint8_t vapic_page[4096] __attribute__((aligned(4096)));
static uint8_t pi_desc[128] __attribute__((aligned(64)));
static uint64_t value(uint64_t v)
{
    return v == VAPIC_PAGE ? (uint64_t)vapic_page : (v >> 8) == PI_DESC_64 >> 8 ? (uint64_t)pi_desc + (v & 0xff) : v;
}

void g_never(void);
__asm__(".text\n.globl g_never\ng_never:\n\tcpuid\n\tud2\n");

enum { M64, M64U, M32, M16, MV86 };
static const char *const mode_name[] = { "64-bit", "64-bit unrestricted", "32-bit protected",
                                         "real (unrestricted)", "virtual-8086" };

/* The valid state of mode m in the current VMCS. */
static void base(unsigned m)
{
    vmxt_setup((uint64_t)g_never, (uint64_t)(guest_stack + sizeof guest_stack), 0,
               m == M64 ? 0 : P2_EPT | P2_UG, PIN_PREEMPT, X86T_TSS, (uint64_t)&x86t_tss);
    vmw(V_EPTP, eptp);
    vmw(PREEMPT, 0);
    vmw(EXC_BITMAP, 0xffffffffu);
    vmw(ENTRY_INTR, 0);
    vmw(ENTRY_ERR, 0);
    vmw(ENTRY_LEN, 1);
    vmw(G_PENDING_DBG, 0);
    vmw(G_DEBUGCTL, 0);
    vmw(G_SYSENTER_ESP, 0);
    vmw(G_SYSENTER_EIP, 0);
    vmw(H_SYSENTER_ESP, 0);
    vmw(H_SYSENTER_EIP, 0);
    vmw(G_PAT, PAT_OK);
    vmw(H_PAT, PAT_OK);
    vmw(G_EFER, host_efer);
    vmw(H_EFER, host_efer);
    vmw(CR3_COUNT, 0);
    vmw(EXIT_MSR_STORE_COUNT, 0);
    vmw(EXIT_MSR_LOAD_COUNT, 0);
    vmw(ENTRY_MSR_LOAD_COUNT, 0);
    vmw(V_VPID, 1);
    vmw(PINV, 0xf2);
    vmw(TPR_THRESHOLD, 0);
    if (m <= M64U)
        return;
    /* not IA-32e mode: paging off (unrestricted guest), CR4.PCIDE = 0 */
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 0));
    vmw(G_CR0, read_cr0() & ~(1ull << 31));
    vmw(G_CR4, read_cr4() & ~(1ull << 17));
    vmw(G_EFER, host_efer & ~0x500ull);
    vmw(G_RIP, 0x1000);
    if (m == M32) {
        vmxt_seg(CS, 0x08, 0, 0xffffffff, 0xc09b);
        return;
    }
    if (m == M16) {
        vmw(G_CR0, read_cr0() & ~(1ull << 31 | 1));
        vmxt_seg(CS, 0x100, 0x1000, 0xffff, 0x93);
        vmxt_seg(SS, 0, 0, 0xffff, 0x93);
        vmxt_seg(DS, 0, 0, 0xffff, 0x93);
        vmxt_seg(ES, 0, 0, 0xffff, 0x93);
        vmw(G_RIP, 0);
        return;
    }
    /* MV86 */
    for (unsigned k = ES; k <= GS; k++)
        vmxt_seg(k, (uint16_t)(0x100 + k), (0x100 + k) << 4, 0xffff, 0xf3);
    vmw(G_RFLAGS, 0x20002);
    vmw(G_RIP, 0);
}

enum { OP_SET = 1, OP_OR, OP_ANDN };
struct mod {
    uint16_t field;
    uint8_t op;
    uint64_t v;
};
struct row {
    const char *what;
    uint8_t mode;
    uint8_t want; /* 7, 8: VMfailValid; 33: failed entry; 0: valid entry */
    uint8_t qual; /* the failed entry's exit qualification */
    struct mod m[7];
};
#define S(f, v) { f, OP_SET, v }
#define O(f, v) { f, OP_OR, v }
#define N(f, v) { f, OP_ANDN, v }

static const struct row rows[] = {
    /* ---- §27.2.1.1 VM-execution controls (VMfailValid 7) ---- */
    { "pin-based: default1 bit 1 clear", M64, 7, 0, { N(PIN, 2) } },
    { "pin-based: bit 8 (reserved, allowed-1 0)", M64, 7, 0, { O(PIN, 1u << 8) } },
    { "primary: default1 bit 1 clear", M64, 7, 0, { N(PROC, 2) } },
    { "primary: default1 bit 26 clear", M64, 7, 0, { N(PROC, 1u << 26) } },
    { "NMI-window exiting without virtual NMIs", M64, 7, 0, { O(PROC, PROC_NMI_WINDOW), O(PIN, PIN_NMI) } },
    { "virtual NMIs without NMI exiting", M64, 7, 0, { O(PIN, PIN_VNMI) } },
    { "NMI-window exiting with virtual NMIs and NMI exiting: valid", M64, 0, 0,
      { O(PROC, PROC_NMI_WINDOW), O(PIN, PIN_NMI | PIN_VNMI) } },
    { "CR3-target count 4: valid", M64, 0, 0, { S(CR3_COUNT, 4) } },
    { "I/O bitmap B not 4-KByte aligned", M64, 7, 0, { O(PROC, PROC_IO_BM), S(IO_A, 0x1000), S(IO_B, 0x2800) } },
    { "I/O bitmap A beyond the physical-address width", M64, 7, 0,
      { O(PROC, PROC_IO_BM), S(IO_A, 1ull << 52), S(IO_B, 0x2000) } },
    { "I/O bitmap B beyond the physical-address width", M64, 7, 0,
      { O(PROC, PROC_IO_BM), S(IO_A, 0x1000), S(IO_B, 1ull << 52) } },
    { "I/O bitmap addresses unaligned without use I/O bitmaps: valid", M64, 0, 0, { S(IO_A, 0x1001), S(IO_B, 0x2002) } },
    { "MSR-bitmap address beyond the physical-address width", M64, 7, 0, { O(PROC, PROC_MSR_BM), S(MSR_BM, 1ull << 52) } },
    { "secondary controls: enable VM functions (bit 13, not reported)", M64, 7, 0, { O(PROC, PROC_SEC), S(PROC2, 1u << 13) } },
    { "secondary controls without activate secondary controls: not checked", M64, 0, 0, { N(PROC, PROC_SEC), S(PROC2, 1u << 14) } },
    { "enable VPID with VPID 0000H", M64, 7, 0, { O(PROC, PROC_SEC), S(PROC2, P2_VPID), S(V_VPID, 0) } },
    { "enable VPID with VPID 0001H: valid", M64, 0, 0, { O(PROC, PROC_SEC), S(PROC2, P2_VPID), S(V_VPID, 1) } },
    { "unrestricted guest without enable EPT", M64U, 7, 0, { S(PROC2, P2_UG) } },
    { "EPTP page-walk length 3", M64U, 7, 0, { N(V_EPTP, 0x38), O(V_EPTP, 2u << 3) } },
    { "EPTP memory type 7", M64U, 7, 0, { O(V_EPTP, 7) } },
    { "EPTP bit 7 (reserved)", M64U, 7, 0, { O(V_EPTP, 1u << 7) } },
    { "EPTP beyond the physical-address width", M64U, 7, 0, { O(V_EPTP, 1ull << 52) } },
    { "virtualize x2APIC mode without use TPR shadow", M64, 7, 0, { O(PROC, PROC_SEC), S(PROC2, P2_X2APIC) } },
    { "APIC-register virtualization without use TPR shadow", M64, 7, 0, { O(PROC, PROC_SEC), S(PROC2, P2_REGVIRT) } },
    { "virtual-interrupt delivery without use TPR shadow", M64, 7, 0,
      { O(PROC, PROC_SEC), S(PROC2, P2_VID), O(PIN, PIN_EXT) } },
    { "use TPR shadow: virtual-APIC address not 4-KByte aligned", M64, 7, 0,
      { O(PROC, PROC_TPR_SHADOW), S(VAPIC_ADDR, 0x3004), S(TPR_THRESHOLD, 0) } },
    { "use TPR shadow: virtual-APIC address beyond the physical-address width", M64, 7, 0,
      { O(PROC, PROC_TPR_SHADOW), S(VAPIC_ADDR, 1ull << 52), S(TPR_THRESHOLD, 0) } },
    { "use TPR shadow: TPR threshold bit 4", M64, 7, 0,
      { O(PROC, PROC_TPR_SHADOW), S(VAPIC_ADDR, 0x3000), S(TPR_THRESHOLD, 0x10) } },
    { "use TPR shadow: TPR threshold 1 > VTPR[7:4] 0 (no APIC-access virtualization)", M64, 7, 0,
      { O(PROC, PROC_TPR_SHADOW), S(VAPIC_ADDR, VAPIC_PAGE), S(TPR_THRESHOLD, 1) } },
    { "use TPR shadow: TPR threshold 0 <= VTPR[7:4] 0: valid", M64, 0, 0,
      { O(PROC, PROC_TPR_SHADOW), S(VAPIC_ADDR, VAPIC_PAGE), S(TPR_THRESHOLD, 0) } },
    { "virtualize APIC accesses: APIC-access address not 4-KByte aligned", M64, 7, 0,
      { O(PROC, PROC_SEC), S(PROC2, P2_APIC_ACCESS), S(APIC_ACCESS, 0x3800) } },
    { "virtualize APIC accesses: APIC-access address beyond the physical-address width", M64, 7, 0,
      { O(PROC, PROC_SEC), S(PROC2, P2_APIC_ACCESS), S(APIC_ACCESS, 1ull << 52) } },
    { "virtualize x2APIC mode with virtualize APIC accesses", M64, 7, 0,
      { O(PROC, PROC_SEC | PROC_TPR_SHADOW), S(PROC2, P2_X2APIC | P2_APIC_ACCESS), S(VAPIC_ADDR, 0x3000),
        S(APIC_ACCESS, 0x4000) } },
    { "virtual-interrupt delivery without external-interrupt exiting", M64, 7, 0,
      { O(PROC, PROC_SEC | PROC_TPR_SHADOW), S(PROC2, P2_VID), S(VAPIC_ADDR, 0x3000), N(PIN, PIN_EXT) } },
    { "process posted interrupts without virtual-interrupt delivery", M64, 7, 0,
      { O(PIN, PIN_POSTED | PIN_EXT), O(EXIT_CTLS, EXIT_ACK), S(PI_DESC, PI_DESC_64) } },
#define VID_ON O(PROC, PROC_SEC | PROC_TPR_SHADOW), S(PROC2, P2_VID), S(VAPIC_ADDR, VAPIC_PAGE)
    { "virtual-interrupt delivery with use TPR shadow, external-interrupt exiting: valid", M64, 0, 0,
      { VID_ON, O(PIN, PIN_EXT) } },
    { "posted interrupts with everything they need: valid", M64, 0, 0,
      { VID_ON, O(PIN, PIN_POSTED | PIN_EXT), O(EXIT_CTLS, EXIT_ACK), S(PI_DESC, PI_DESC_64) } },
    { "posted interrupts without acknowledge interrupt on exit", M64, 7, 0,
      { VID_ON, O(PIN, PIN_POSTED | PIN_EXT), N(EXIT_CTLS, EXIT_ACK), S(PI_DESC, PI_DESC_64) } },
    { "posted interrupts: descriptor not 64-byte aligned", M64, 7, 0,
      { VID_ON, O(PIN, PIN_POSTED | PIN_EXT), O(EXIT_CTLS, EXIT_ACK), S(PI_DESC, PI_DESC_64 + 32) } },
    { "posted interrupts: descriptor beyond the physical-address width", M64, 7, 0,
      { VID_ON, O(PIN, PIN_POSTED | PIN_EXT), O(EXIT_CTLS, EXIT_ACK), S(PI_DESC, 1ull << 52) } },
    { "posted interrupts: notification vector bits 15:8 (0100H)", M64, 7, 0,
      { VID_ON, O(PIN, PIN_POSTED | PIN_EXT), O(EXIT_CTLS, EXIT_ACK), S(PI_DESC, PI_DESC_64), S(PINV, 0x100) } },
    /* ---- §27.2.1.2 VM-exit controls ---- */
    { "VM-exit controls: default1 bit 0 clear", M64, 7, 0, { N(EXIT_CTLS, 1) } },
    { "VM-exit controls: bit 23 (clear IA32_BNDCFGS, not reported)", M64, 7, 0, { O(EXIT_CTLS, 1u << 23) } },
    { "save VMX-preemption timer value with the timer: valid", M64, 0, 0, { O(EXIT_CTLS, 1u << 22) } },
    { "VM-exit MSR-store area beyond the physical-address width", M64, 7, 0,
      { S(EXIT_MSR_STORE_COUNT, 2), S(EXIT_MSR_STORE_ADDR, (1ull << 52) - 16) } },
    { "VM-exit MSR-load area beyond the physical-address width", M64, 7, 0,
      { S(EXIT_MSR_LOAD_COUNT, 1), S(EXIT_MSR_LOAD_ADDR, 1ull << 52) } },
    { "VM-exit MSR-store address unaligned with count 0: valid", M64, 0, 0,
      { S(EXIT_MSR_STORE_COUNT, 0), S(EXIT_MSR_STORE_ADDR, 0x1004) } },
    /* ---- §27.2.1.3 VM-entry controls ---- */
    { "VM-entry controls: default1 bit 0 clear", M64, 7, 0, { N(ENTRY_CTLS, 1) } },
    { "VM-entry controls: bit 10 (entry to SMM, not reported)", M64, 7, 0, { O(ENTRY_CTLS, 1u << 10) } },
    { "VM-entry MSR-load area not 16-byte aligned", M64, 7, 0,
      { S(ENTRY_MSR_LOAD_COUNT, 1), S(ENTRY_MSR_LOAD_ADDR, 0x1008) } },
    { "inject type 7 (other event) with vector 1", M64, 7, 0, { S(ENTRY_INTR, 0x80000701u) } },
    { "inject an external interrupt with deliver-error-code", M64, 7, 0,
      { S(ENTRY_INTR, 0x80000830u), O(G_RFLAGS, 0x200) } },
    { "inject a privileged software exception with instruction length 0", M64, 7, 0,
      { S(ENTRY_INTR, 0x80000501u), S(ENTRY_LEN, 0) } },
    { "inject a software exception (INT3) with instruction length 16", M64, 7, 0,
      { S(ENTRY_INTR, 0x80000603u), S(ENTRY_LEN, 16) } },
    { "inject #PF without deliver-error-code", M64, 7, 0, { S(ENTRY_INTR, 0x8000030eu) } },
    { "inject #AC (17) without deliver-error-code", M64, 7, 0, { S(ENTRY_INTR, 0x80000311u) } },
    { "inject #DF with error-code bit 31", M64, 7, 0, { S(ENTRY_INTR, 0x80000b08u), S(ENTRY_ERR, 1ull << 31) } },
    { "interruption information with the valid bit clear: not checked", M64, 0, 0,
      { S(ENTRY_INTR, 0x00000b0du), S(ENTRY_ERR, 0x10000) } },
    /* ---- §27.2.2 host control registers and MSRs (VMfailValid 8) ---- */
    { "host CR0.NE = 0 (CR0_FIXED0)", M64, 8, 0, { N(H_CR0, 1u << 5) } },
    { "host CR0.PG = 0 (CR0_FIXED0)", M64, 8, 0, { N(H_CR0, 1ull << 31) } },
    { "host CR0 bit 32 (CR0_FIXED1)", M64, 8, 0, { O(H_CR0, 1ull << 32) } },
    { "host CR4 bit 32 (CR4_FIXED1)", M64, 8, 0, { O(H_CR4, 1ull << 32) } },
    { "host IA32_SYSENTER_EIP not canonical", M64, 8, 0, { S(H_SYSENTER_EIP, NC) } },
    { "host IA32_PAT entry 7 type 3 (load IA32_PAT)", M64, 8, 0, { O(EXIT_CTLS, EXIT_LOAD_PAT), S(H_PAT, 3ull << 56) } },
    { "host IA32_PAT entry 0 value 8 (load IA32_PAT)", M64, 8, 0, { O(EXIT_CTLS, EXIT_LOAD_PAT), S(H_PAT, 8) } },
    { "host IA32_PAT invalid without load IA32_PAT: valid", M64, 0, 0, { S(H_PAT, 2) } },
    { "host IA32_EFER reserved bit 1 (load IA32_EFER)", M64, 8, 0, { O(EXIT_CTLS, EXIT_LOAD_EFER), O(H_EFER, 2) } },
    { "host IA32_EFER.LME = 0 with LMA = 1 (load IA32_EFER)", M64, 8, 0,
      { O(EXIT_CTLS, EXIT_LOAD_EFER), N(H_EFER, 1u << 8) } },
    /* ---- §27.2.3 host segment and descriptor-table registers ---- */
    { "host ES selector RPL 3", M64, 8, 0, { O(H_ES_SEL, 3) } },
    { "host CS selector RPL 1", M64, 8, 0, { O(H_CS_SEL, 1) } },
    { "host SS selector TI 1", M64, 8, 0, { O(H_SS_SEL, 4) } },
    { "host FS selector RPL 2", M64, 8, 0, { S(H_FS_SEL, 2) } },
    { "host GS selector TI 1", M64, 8, 0, { S(H_GS_SEL, 4) } },
    { "host TR selector RPL 1", M64, 8, 0, { O(H_TR_SEL, 1) } },
    { "host CS selector 0000H", M64, 8, 0, { S(H_CS_SEL, 0) } },
    { "host SS selector 0000H with host address-space size: valid", M64, 0, 0, { S(H_SS_SEL, 0) } },
    { "host GS base not canonical", M64, 8, 0, { S(H_GS_BASE, NC) } },
    { "host GDTR base not canonical", M64, 8, 0, { S(H_GDTR_BASE, NC) } },
    { "host IDTR base not canonical", M64, 8, 0, { S(H_IDTR_BASE, NC) } },
    { "host TR base not canonical", M64, 8, 0, { S(H_TR_BASE, NC) } },
    /* ---- §27.3.1.1 guest control registers, debug registers, MSRs (exit 33) ---- */
    { "guest CR0.NE = 0 (CR0_FIXED0)", M64, 33, 0, { N(G_CR0, 1u << 5) } },
    { "guest CR0 bit 32 (CR0_FIXED1)", M64, 33, 0, { O(G_CR0, 1ull << 32) } },
    { "guest CR0.PE = 0 without unrestricted guest (CR0_FIXED0)", M64, 33, 0, { N(G_CR0, 1) } },
    { "guest CR0.PG = 0 without unrestricted guest (CR0_FIXED0)", M32, 33, 0, { N(PROC2, P2_UG) } },
    { "guest CR0.PG = 1 with PE = 0 (unrestricted guest)", M16, 33, 0, { O(G_CR0, 1ull << 31) } },
    { "guest CR4 bit 32 (CR4_FIXED1)", M64, 33, 0, { O(G_CR4, 1ull << 32) } },
    { "guest IA32_DEBUGCTL bit 1 (load debug controls)", M64, 33, 0, { O(ENTRY_CTLS, ENTRY_LOAD_DBG), S(G_DEBUGCTL, 2) } },
    { "guest DR7 bit 63 without load debug controls: not checked", M64, 0, 0, { N(ENTRY_CTLS, ENTRY_LOAD_DBG), S(G_DR7, 1ull << 63 | 0x400) } },
    { "IA-32e mode guest with CR0.PG = 0 (unrestricted guest)", M64U, 33, 0, { N(G_CR0, 1ull << 31) } },
    { "guest CR4.PCIDE = 1 outside IA-32e mode", M32, 33, 0, { O(G_CR4, 1u << 17) } },
    { "guest IA32_PAT entry 3 type 3 (load IA32_PAT)", M64, 33, 0, { O(ENTRY_CTLS, ENTRY_LOAD_PAT), S(G_PAT, 3ull << 24) } },
    { "guest IA32_PAT entry 1 value 8 (load IA32_PAT)", M64, 33, 0, { O(ENTRY_CTLS, ENTRY_LOAD_PAT), S(G_PAT, 8ull << 8) } },
    { "guest IA32_EFER.LMA = 1 outside IA-32e mode (load IA32_EFER)", M32, 33, 0,
      { O(ENTRY_CTLS, ENTRY_LOAD_EFER), S(G_EFER, 0x400) } },
    { "guest IA32_EFER.LME = 0 with CR0.PG in IA-32e mode (load IA32_EFER)", M64, 33, 0,
      { O(ENTRY_CTLS, ENTRY_LOAD_EFER), S(G_EFER, 0x400) } },
    { "guest IA32_EFER.LME = 1 with CR0.PG = 0 outside IA-32e mode (load IA32_EFER): valid", M32, 0, 0,
      { O(ENTRY_CTLS, ENTRY_LOAD_EFER), S(G_EFER, 0x100) } },
    /* ---- §27.3.1.2 selectors ---- */
    { "guest TR selector TI 1", M64, 33, 0, { O(SEL(TR), 4) } },
    { "guest LDTR selector TI 1 (usable)", M64, 33, 0, { S(SEL(LDTR), 0x1c), S(AR(LDTR), 0x82), S(LIM(LDTR), 0xff) } },
    { "guest LDTR selector TI 1, unusable: valid", M64, 0, 0, { S(SEL(LDTR), 0x1c) } },
    { "guest SS.RPL 3 with CS.RPL 0 (SS DPL 3, conforming CS)", M64, 33, 0,
      { S(SEL(SS), 0x13), S(AR(SS), 0xc0f3), S(AR(CS), 0xa09f) } },
    { "the same SS.RPL 3 with CS.RPL 0, unrestricted guest: valid", M64U, 0, 0,
      { S(SEL(SS), 0x13), S(AR(SS), 0xc0f3), S(AR(CS), 0xa09f) } },
    /* ---- §27.3.1.2 bases ---- */
    { "guest GS base not canonical", M64, 33, 0, { S(BASE(GS), NC) } },
    { "guest LDTR base not canonical (usable)", M64, 33, 0, { S(AR(LDTR), 0x82), S(LIM(LDTR), 0xff), S(BASE(LDTR), NC) } },
    { "guest LDTR base not canonical, unusable: valid", M64, 0, 0, { S(BASE(LDTR), NC) } },
    { "guest SS base bit 32 (usable)", M64, 33, 0, { S(BASE(SS), 1ull << 32) } },
    { "guest DS base bit 32 (usable)", M64, 33, 0, { S(BASE(DS), 1ull << 32) } },
    { "guest ES base bit 32 (usable)", M64, 33, 0, { S(BASE(ES), 1ull << 32) } },
    { "guest DS base bit 32, unusable: valid", M64, 0, 0, { O(AR(DS), 0x10000), S(BASE(DS), 1ull << 32) } },
    /* ---- §27.3.1.2 virtual-8086 guest ---- */
    { "virtual-8086: CS base not selector * 16", MV86, 33, 0, { S(BASE(CS), 0x2000) } },
    { "virtual-8086: SS limit FFFEH", MV86, 33, 0, { S(LIM(SS), 0xfffe) } },
    { "virtual-8086: DS access rights F2H", MV86, 33, 0, { S(AR(DS), 0xf2) } },
    { "virtual-8086: ES access rights 93H (DPL 0)", MV86, 33, 0, { S(AR(ES), 0x93) } },
    { "virtual-8086: FS base not selector * 16", MV86, 33, 0, { S(BASE(FS), 0) } },
    { "virtual-8086: GS limit FFFFFH", MV86, 33, 0, { S(LIM(GS), 0xfffff) } },
    { "virtual-8086: GS unusable (10000H)", MV86, 33, 0, { S(AR(GS), 0x10000) } },
    { "RFLAGS.VM with CR0.PE = 0", MV86, 33, 0, { N(G_CR0, 1) } },
    /* ---- §27.3.1.2 CS ---- */
    { "guest CS type 8 (code, not accessed)", M64, 33, 0, { S(AR(CS), 0xa098) } },
    { "guest CS type 3 without unrestricted guest", M64, 33, 0, { S(AR(CS), 0xa093) } },
    { "guest CS type 3 DPL 0, unrestricted guest: valid", M32, 0, 0, { S(AR(CS), 0xc093) } },
    { "guest CS type 3 DPL 1, unrestricted guest", M32, 33, 0, { S(AR(CS), 0xc0b3) } },
    { "guest CS non-conforming DPL 0 != SS.DPL 3, unrestricted guest", M32, 33, 0, { S(AR(SS), 0xc0f3) } },
    { "guest CS with S = 0", M64, 33, 0, { N(AR(CS), 1u << 4) } },
    { "guest CS unusable", M64, 33, 0, { O(AR(CS), 0x10000) } },
    { "guest CS access-rights bit 17 (reserved)", M64, 33, 0, { O(AR(CS), 1u << 17) } },
    { "guest CS access-rights bit 11 (reserved)", M64, 33, 0, { O(AR(CS), 1u << 11) } },
    { "guest CS conforming, DPL 3 > SS.DPL 0", M64, 33, 0, { S(AR(CS), 0xa0ff) } },
    { "guest CS conforming, DPL 0 <= SS.DPL 0: valid", M64, 0, 0, { S(AR(CS), 0xa09f) } },
    { "guest CS limit FFFFFFFFH with G = 0", M64, 33, 0, { N(AR(CS), 1u << 15) } },
    { "guest CS L = 1, D = 1 outside IA-32e mode: valid (no L/D check)", M32, 0, 0, { S(AR(CS), 0xe09b) } },
    /* ---- §27.3.1.2 SS ---- */
    { "guest SS type 1 (read-only data)", M64, 33, 0, { S(AR(SS), 0xc091) } },
    { "guest SS type 7 (expand-down read/write): valid", M64, 0, 0, { S(AR(SS), 0xc097) } },
    { "guest SS with S = 0", M64, 33, 0, { N(AR(SS), 1u << 4) } },
    { "guest SS not present", M64, 33, 0, { N(AR(SS), 1u << 7) } },
    { "guest SS access-rights bit 8 (reserved)", M64, 33, 0, { O(AR(SS), 1u << 8) } },
    { "guest SS access-rights bit 20 (reserved)", M64, 33, 0, { O(AR(SS), 1u << 20) } },
    { "guest SS limit FFFFFFFEH with G = 1 (bits 11:0 must be 1)", M64, 33, 0, { S(LIM(SS), 0xfffffffe) } },
    { "guest SS limit FFFFFH with G = 1: valid", M64, 0, 0, { S(LIM(SS), 0xfffff) } },
    { "guest SS unusable (64-bit guest): valid", M64, 0, 0, { S(AR(SS), 0x10000) } },
    { "guest SS DPL 1 with CR0.PE = 0 (real mode)", M16, 33, 0, { S(AR(SS), 0xb3) } },
    { "guest SS DPL 1, unusable, with CR0.PE = 0", M16, 33, 0, { S(AR(SS), 0x100b3) } },
    { "guest SS DPL 3 with CS type 3 (unrestricted guest)", M32, 33, 0, { S(AR(CS), 0xc093), S(AR(SS), 0xc0f3) } },
    { "guest SS DPL 3 != RPL 0, unrestricted guest, conforming CS: valid", M32, 0, 0,
      { S(AR(SS), 0xc0f3), S(AR(CS), 0xc09f) } },
    /* ---- §27.3.1.2 DS, ES, FS, GS ---- */
    { "guest ES type 2 (not accessed)", M64, 33, 0, { S(AR(ES), 0xc092) } },
    { "guest ES limit FFFFFFFFH with G = 0", M64, 33, 0, { N(AR(ES), 1u << 15) } },
    { "guest ES unusable: valid", M64, 0, 0, { S(AR(ES), 0x10000) } },
    { "guest FS type 9 (execute-only code)", M64, 33, 0, { S(AR(FS), 0xc099), S(LIM(FS), 0xffffffff) } },
    { "guest FS type 11 (readable code): valid", M64, 0, 0, { S(AR(FS), 0xc09b), S(LIM(FS), 0xffffffff) } },
    { "guest FS access-rights bit 8 (reserved)", M64, 33, 0, { S(AR(FS), 0xc193), S(LIM(FS), 0xffffffff) } },
    { "guest FS not present", M64, 33, 0, { S(AR(FS), 0xc013), S(LIM(FS), 0xffffffff) } },
    { "guest GS DPL 0 < RPL 3 (data)", M64, 33, 0, { S(SEL(GS), 0x13), S(AR(GS), 0xc093), S(LIM(GS), 0xffffffff) } },
    { "guest GS DPL 0 < RPL 3, conforming readable code: valid", M64, 0, 0,
      { S(SEL(GS), 0x13), S(AR(GS), 0xc09f), S(LIM(GS), 0xffffffff) } },
    { "guest GS DPL 0 < RPL 3, unrestricted guest: valid", M64U, 0, 0,
      { S(SEL(GS), 0x13), S(AR(GS), 0xc093), S(LIM(GS), 0xffffffff) } },
    { "guest GS access-rights bit 31 (reserved)", M64, 33, 0, { S(AR(GS), 0x8000c093u), S(LIM(GS), 0xffffffff) } },
    { "guest GS with S = 0 (usable)", M64, 33, 0, { S(AR(GS), 0xc083), S(LIM(GS), 0xffffffff) } },
    { "guest DS limit 100000H with G = 0", M64, 33, 0, { S(AR(DS), 0x4093), S(LIM(DS), 0x100000) } },
    /* ---- §27.3.1.2 TR ---- */
    { "guest TR type 3 (16-bit busy TSS) in IA-32e mode", M64, 33, 0, { S(AR(TR), 0x83) } },
    { "guest TR type 3 (16-bit busy TSS) outside IA-32e mode: valid", M32, 0, 0, { S(AR(TR), 0x83) } },
    { "guest TR type 1 (16-bit available TSS) outside IA-32e mode", M32, 33, 0, { S(AR(TR), 0x81) } },
    { "guest TR not present", M64, 33, 0, { S(AR(TR), 0x0b) } },
    { "guest TR access-rights bit 9 (reserved)", M64, 33, 0, { S(AR(TR), 0x28b) } },
    { "guest TR access-rights bit 17 (reserved)", M64, 33, 0, { S(AR(TR), 0x2008b) } },
    { "guest TR limit 100000H with G = 0", M64, 33, 0, { S(LIM(TR), 0x100000) } },
    { "guest TR limit 67H with G = 1", M64, 33, 0, { S(AR(TR), 0x808b) } },
    /* ---- §27.3.1.2 LDTR ---- */
    { "guest LDTR usable, not present", M64, 33, 0, { S(AR(LDTR), 0x02), S(LIM(LDTR), 0xff) } },
    { "guest LDTR access-rights bit 10 (reserved)", M64, 33, 0, { S(AR(LDTR), 0x482), S(LIM(LDTR), 0xff) } },
    { "guest LDTR access-rights bit 25 (reserved)", M64, 33, 0, { S(AR(LDTR), 0x2000082), S(LIM(LDTR), 0xff) } },
    { "guest LDTR limit FFFH with G = 1: valid", M64, 0, 0, { S(AR(LDTR), 0x8082), S(LIM(LDTR), 0xfff) } },
    { "guest LDTR limit FFEH with G = 1", M64, 33, 0, { S(AR(LDTR), 0x8082), S(LIM(LDTR), 0xffe) } },
    { "guest LDTR usable, type 2: valid", M64, 0, 0, { S(AR(LDTR), 0x82), S(LIM(LDTR), 0xff) } },
    /* ---- §27.3.1.3 GDTR, IDTR ---- */
    { "guest GDTR base not canonical", M64, 33, 0, { S(G_GDTR_BASE, NC) } },
    { "guest IDTR limit bit 16", M64, 33, 0, { S(G_IDTR_LIMIT, 0x10000) } },
    /* ---- §27.3.1.4 RIP, RFLAGS ---- */
    { "guest RIP not canonical (64-bit code)", M64, 33, 0, { S(G_RIP, NC) } },
    { "guest RIP bit 32 in compatibility mode (CS.L = 0)", M64, 33, 0, { S(AR(CS), 0xc09b), S(G_RIP, 1ull << 32) } },
    { "guest RIP bit 32 in a 32-bit guest", M32, 33, 0, { S(G_RIP, 1ull << 32) } },
    { "guest RIP bit 32 in 64-bit code: valid", M64, 0, 0, { S(G_RIP, 1ull << 32) } },
    { "guest RFLAGS bit 1 clear", M64, 33, 0, { S(G_RFLAGS, 0) } },
    { "guest RFLAGS bit 15 (reserved)", M64, 33, 0, { S(G_RFLAGS, 0x8002) } },
    { "guest RFLAGS bit 22 (reserved)", M64, 33, 0, { S(G_RFLAGS, 0x400002) } },
    { "guest RFLAGS bit 5 (reserved)", M64, 33, 0, { S(G_RFLAGS, 0x22) } },
    /* ---- §27.3.1.5 activity state ---- */
    { "activity state 4 (not supported)", M64, 33, 0, { S(G_ACTIVITY, 4) } },
    { "HLT with SS.DPL 3 (unrestricted guest, conforming CS)", M64U, 33, 0,
      { S(G_ACTIVITY, 1), S(AR(SS), 0xc0f3), S(AR(CS), 0xa09f) } },
    { "HLT with SS.DPL 0: valid", M64, 0, 0, { S(G_ACTIVITY, 1) } },
    { "SS.DPL 3 active (unrestricted guest, conforming CS): valid", M64U, 0, 0,
      { S(AR(SS), 0xc0f3), S(AR(CS), 0xa09f) } },
    { "HLT with blocking by STI", M64, 33, 0, { S(G_ACTIVITY, 1), S(G_INTR, 1), S(G_RFLAGS, 0x202) } },
    { "shutdown with blocking by MOV SS", M64, 33, 0, { S(G_ACTIVITY, 2), S(G_INTR, 2) } },
    { "wait-for-SIPI with blocking by MOV SS", M64, 33, 0, { S(G_ACTIVITY, 3), S(G_INTR, 2) } },
    { "HLT injecting #GP", M64, 33, 0, { S(G_ACTIVITY, 1), S(ENTRY_INTR, 0x80000b0du) } },
    { "HLT injecting INT 20H (software interrupt)", M64, 33, 0,
      { S(G_ACTIVITY, 1), S(ENTRY_INTR, 0x80000420u), S(ENTRY_LEN, 2) } },
    { "HLT injecting #BP (software exception)", M64, 33, 0,
      { S(G_ACTIVITY, 1), S(ENTRY_INTR, 0x80000603u), S(ENTRY_LEN, 1) } },
    { "shutdown injecting an external interrupt", M64, 33, 0,
      { S(G_ACTIVITY, 2), S(ENTRY_INTR, 0x80000030u), S(G_RFLAGS, 0x202) } },
    { "shutdown injecting #DB", M64, 33, 0, { S(G_ACTIVITY, 2), S(ENTRY_INTR, 0x80000301u) } },
    { "wait-for-SIPI injecting an NMI", M64, 33, 0, { S(G_ACTIVITY, 3), S(ENTRY_INTR, 0x80000202u) } },
    { "wait-for-SIPI injecting #MC", M64, 33, 0, { S(G_ACTIVITY, 3), S(ENTRY_INTR, 0x80000312u) } },
    /* ---- §27.3.1.5 interruptibility state ---- */
    { "interruptibility bit 5 (reserved)", M64, 33, 0, { S(G_INTR, 1u << 5) } },
    { "interruptibility bit 4 (enclave interruption, no SGX)", M64, 33, 0, { S(G_INTR, 1u << 4) } },
    { "inject an external interrupt with blocking by MOV SS", M64, 33, 0,
      { S(ENTRY_INTR, 0x80000030u), S(G_INTR, 2), S(G_RFLAGS, 0x202) } },
    { "inject an external interrupt with blocking by STI", M64, 33, 0,
      { S(ENTRY_INTR, 0x80000030u), S(G_INTR, 1), S(G_RFLAGS, 0x202) } },
    { "inject an NMI with blocking by MOV SS", M64, 33, 0, { S(ENTRY_INTR, 0x80000202u), S(G_INTR, 2) } },
    { "inject a virtual NMI with blocking by NMI", M64, 33, 0,
      { O(PIN, PIN_NMI | PIN_VNMI), S(ENTRY_INTR, 0x80000202u), S(G_INTR, 8) } },
    /* ---- §27.3.1.5 pending debug exceptions ---- */
    { "pending debug exceptions bit 13 (reserved)", M64, 33, 0, { S(G_PENDING_DBG, 1u << 13) } },
    { "pending debug exceptions bit 15 (reserved)", M64, 33, 0, { S(G_PENDING_DBG, 1u << 15) } },
    { "pending debug exceptions bit 17 (reserved)", M64, 33, 0, { S(G_PENDING_DBG, 1u << 17) } },
    { "pending debug exceptions bit 16 (RTM, not reported)", M64, 33, 0, { S(G_PENDING_DBG, 1u << 16) } },
    { "pending debug BS = 0 with TF = 1, blocking by STI", M64, 33, 0, { S(G_INTR, 1), S(G_RFLAGS, 0x302) } },
    { "pending debug BS = 1 with TF = 0, blocking by MOV SS", M64, 33, 0, { S(G_INTR, 2), S(G_PENDING_DBG, 1u << 14) } },
    { "pending debug BS = 1 with TF = 1, blocking by MOV SS: valid", M64, 0, 0,
      { S(G_INTR, 2), S(G_PENDING_DBG, 1u << 14), S(G_RFLAGS, 0x102) } },
    { "pending debug BS = 0 with TF = 1, no blocking, active: valid", M64, 0, 0, { S(G_RFLAGS, 0x102) } },
    /* ---- §27.3.1.5 VMCS link pointer (qualification 4) ---- */
    { "VMCS link pointer 0", M64, 33, 4, { S(G_LINK, 0) } },
    { "VMCS link pointer FFFFFFFF_FFFFF000H", M64, 33, 4, { S(G_LINK, 0xfffffffffffff000ull) } },
};

/* One entry of the current VMCS; 0 .. 8: the VMfailValid error (0 = the
 * entry happened), and the exit reason / qualification after it. */
static uint64_t enter(struct gregs *g, uint64_t *reason, uint64_t *qual)
{
    uint64_t r = vm_enter(g, 0);
    if (r)
        return (r & ~0x100ull) == VMX_ZF ? vmr(INSN_ERROR) : 0x1000 | r;
    *reason = vmr(EXIT_REASON);
    *qual = vmr(EXIT_QUAL);
    return 0;
}

static void test_rows(void)
{
    struct gregs g = { 0 };
    uint64_t reason = 0, qual = 0;
    base(M64);
    uint64_t r = vm_enter(&g, 1);
    CHECKX(r == 0 && vmr(EXIT_REASON) == 52, "launch of the 64-bit base state (timer exit 52)", r ? r : vmr(EXIT_REASON));
    for (unsigned m = M64; m <= MV86; m++) {
        base(m);
        r = enter(&g, &reason, &qual);
        CHECKX(r == 0 && reason == 52, mode_name[m], r ? r : reason);
    }
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *e = &rows[i];
        base(e->mode);
        for (unsigned k = 0; k < 7 && e->m[k].op; k++) {
            uint64_t old = vmr(e->m[k].field), v = value(e->m[k].v);
            vmw(e->m[k].field, e->m[k].op == OP_SET ? v : e->m[k].op == OP_OR ? old | v : old & ~v);
        }
        reason = qual = 0;
        r = enter(&g, &reason, &qual);
        uint64_t got, want;
        if (e->want == 7 || e->want == 8) {
            got = r;
            want = e->want;
        } else if (e->want == 33) {
            got = r ? r << 40 : reason << 8 | qual;
            want = 0x80000021ull << 8 | e->qual;
        } else {
            /* entered: the timer exit, or an exit that comes before it
             * (NMI window, a pending #DB); never a failed entry */
            got = r ? r << 40 : (reason >> 31) ? reason : 0;
            want = 0;
        }
        CHECKX(got == want, e->what, got);
        n++;
    }
    CHECKX(n == sizeof rows / sizeof rows[0], "every row run", n);
    base(M64);
    r = enter(&g, &reason, &qual);
    CHECKX(r == 0 && reason == 52, "the 64-bit base state enters again at the end", r ? r : reason);
}

int kmain(void)
{
    x86t_puts("x86 vmx-checks: start\n");
    x86t_idt_init();
    x86t_sys_init();
    vmxt_start("vmx-checks", vmxon_region, vmcs);
    host_efer = rdmsr(0xc0000080);
    eptp = vmxt_ept_identity(ept_pml4, ept_pdpt, ept_pd, ept_pt, 4, 0x200000);
    test_rows();
    return vmxt_finish("vmx-checks", vmcs);
}
