/* hv2: our x86 VMX test hypervisor, the x86 sibling of minihv (docs/vmx.md
 * "hv2, the multi-VM test hypervisor"), run by tests/e2e/t_x86_hv2.sh on
 * the x86-pc board with [cpu] vmx = on and --smp 4. Booted by Multiboot
 * (hv2_boot.S), it starts the three other CPUs (INIT-SIPI, smp_tramp.S)
 * and runs 2 VMs x 2 vCPUs, vCPU j of VM k on CPU 2(k-1) + j, each CPU in
 * VMX operation with its own VMXON region, VMCS, VPID (CPU + 1), GDT and
 * TSS (the host state). Per VM: one EPT (4-level, write-back) and its own
 * copy of the guest's data. The guest (hv2_guest.c) runs in 64-bit mode.
 *
 * What hv2 virtualizes, each by its VMX mechanism (SDM vol. 3C):
 *   - a virtual UART (COM1) by I/O exits (I/O bitmaps with every port set,
 *     §26.1.3): THR bytes become "[vmN] " lines on the real COM1, LSR
 *     reads 60H;
 *   - CPUID 40000000H/40000001H (its signature, the VM and vCPU numbers);
 *   - the guest's x2APIC by MSR bitmaps (§25.6.9): RDMSR 1BH / 802H,
 *     WRMSR 830H (ICR), 832H (LVT timer), 838H (initial count) exit; EOI
 *     (80BH) and TPR are virtualized (virtualize x2APIC mode, virtual-
 *     interrupt delivery, §30.5);
 *   - virtual IPIs: vector 40H by exit + event injection (§27.6): the
 *     target vCPU's pending bit, and a real IPI (vector F0H, "kick") to its
 *     CPU when it is in non-root operation, which exits there (external-
 *     interrupt exiting, acknowledge interrupt on exit); interrupt-window
 *     exiting when the guest cannot take it yet; vector 41H by posted
 *     interrupts (§30.6): PIR bit + ON in the target's descriptor and, when
 *     ON was clear, the notification vector F2H to its CPU, processed there
 *     without an exit (virtual-interrupt delivery);
 *   - the guest's LAPIC timer by the VMX-preemption timer (§26.5.1): an
 *     initial-count write sets a deadline in TSC ticks; each entry programs
 *     the preemption timer with what is left (rate: IA32_VMX_MISC[4:0]);
 *     its exit (52) at the deadline makes the LVT vector pending, injected
 *     as above. Why this and not the guest's LAPIC timer: the physical
 *     LAPIC timer is the host's, and the preemption timer counts only in
 *     non-root operation, per vCPU, with an exit exactly when the guest's
 *     deadline passes (KVM's "hv timer" does the same);
 *   - CR0 / CR4 guest/host masks and read shadows (§25.6.6): CR0.NE, CD,
 *     NW and CR4.VMXE, PCE are the host's; the guest reads NE = VMXE = 0,
 *     its CD / PCE writes exit and hv2 keeps CD in the shadow only;
 *   - an EPT violation handled (§29.3.3): each vCPU's page at
 *     HV2_LAZY_GPA is mapped on its first touch;
 *   - VM 2 vCPU 0 starts in real mode (at 0800:0000, smp_tramp.S copied to
 *     GPA 8000H: it switches to 64-bit mode itself) when
 *     IA32_VMX_PROCBASED_CTLS2 reports "unrestricted guest" (bit 39 =
 *     allowed-1 of control 7), else in 64-bit mode like the others
 *     ("hv2: unrestricted guest not available").
 * Self-checking: each VM's vCPU 0 reports a checksum of what the guest saw
 * (hv2.h), compared with what a correct run gives; hv2 also checks its own
 * counts (IPIs sent and injected, timer ticks). Output on COM1: the guest
 * lines, per-vCPU exit counts by reason, the verdict; isa-debug-exit 0
 * when every check passed, 1 at the first failure. */
#include <stdint.h>
#include "vmxt.h"
#include "x86t_smp.h"
#include "hv2.h"

#define NCPU 4

/* basic exit reasons (Appendix C) */
enum {
    R_EXTINT = 1, R_WINDOW = 7, R_CPUID = 10, R_VMCALL = 18, R_CR = 28, R_IO = 30,
    R_RDMSR = 31, R_WRMSR = 32, R_EPT = 48, R_PREEMPT = 52, R_MAX = 64,
};
static const char *const reason_name[R_MAX] = {
    [R_EXTINT] = "EXTERNAL_INTERRUPT", [R_WINDOW] = "INTERRUPT_WINDOW", [R_CPUID] = "CPUID",
    [R_VMCALL] = "VMCALL", [R_CR] = "CR_ACCESS", [R_IO] = "IO", [R_RDMSR] = "RDMSR",
    [R_WRMSR] = "WRMSR", [R_EPT] = "EPT_VIOLATION", [R_PREEMPT] = "PREEMPTION_TIMER",
};
#define CR0_OWNED 0x60000020ull /* CD, NW, NE */
#define CR4_OWNED 0x2100ull     /* VMXE, PCE */
#define PEND_TIMER 1u
#define PEND_IPI 2u

extern char __g_start[], __gdata_start[], __gdata_end[];
/* the guest (hv2_guest.c) */
extern uint64_t g_pml4[512], g_pdpt[512], g_pd[512], g_idt[512], g_gdt[6];
extern uint8_t g_stacks[2][HV2_STACK], g_tss[128];
extern struct { uint16_t pad[3], limit; uint64_t base; } g_gdtr, g_idtr;
extern char guest_entry[], guest_vec0[];

/* ---- host memory ------------------------------------------------------------ */
#define GDATA_MAX (128 * 1024)
#define EPT_TABLES 8
static uint8_t vmxon_region[NCPU][4096] __attribute__((aligned(4096)));
static uint8_t vmcs[NCPU][4096] __attribute__((aligned(4096)));
static uint8_t vapic[NCPU][4096] __attribute__((aligned(4096)));
static struct pi_desc { volatile uint32_t pir[8], ctl[8]; } pi[NCPU] __attribute__((aligned(64)));
static uint8_t msr_bitmap[4096] __attribute__((aligned(4096)));
static uint8_t io_bitmap[2][4096] __attribute__((aligned(4096)));
static uint8_t vm_data[2][GDATA_MAX] __attribute__((aligned(4096)));
static uint64_t ept_pool[2][EPT_TABLES][512] __attribute__((aligned(4096)));
static uint8_t lazy_page[2][2][4096] __attribute__((aligned(4096)));
static uint8_t rm_page[4096] __attribute__((aligned(4096)));
static uint8_t ap_stacks[NCPU][16384] __attribute__((aligned(16)));
static uint64_t host_gdt[NCPU][6] __attribute__((aligned(16)));
static uint8_t host_tss[NCPU][128] __attribute__((aligned(16)));

struct vm {
    unsigned nr;          /* 1 or 2 */
    uint64_t *ept_pml4;
    unsigned ept_used;
    uint64_t eptp;
    volatile uint32_t lazy_mapped;
    uint64_t result;      /* the checksum reported */
    volatile int reported;
};
struct vcpu {
    struct vm *vm;
    unsigned cpu, idx;    /* physical CPU, vCPU number in the VM */
    int real_mode;        /* starts in real mode (unrestricted guest) */
    volatile uint32_t pending;  /* PEND_* to inject */
    volatile uint32_t in_guest; /* in (or entering) non-root operation */
    uint32_t proc;        /* primary controls without interrupt-window exiting */
    uint64_t deadline;    /* the virtual LAPIC timer's, TSC; 0 = disarmed */
    uint32_t lvt_timer;
    struct pi_desc *pi;   /* its posted-interrupt descriptor */
    uint32_t exits[R_MAX];
    uint32_t injected_ipi, injected_timer, posted_sent, notifies, kicks, window_set;
    char line[120];
    unsigned nline;
    struct gregs g;
};
static struct vm vms[2];
static struct vcpu vcpus[NCPU];
static volatile uint32_t alive, ready, finished;
static int unrestricted;
static uint64_t tsc_rate_shift; /* IA32_VMX_MISC[4:0] */

/* ---- console ------------------------------------------------------------------ */
static volatile uint32_t con_lock;
static void lock(void)
{
    while (__atomic_exchange_n(&con_lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}
static void unlock(void) { __atomic_store_n(&con_lock, 0, __ATOMIC_RELEASE); }

static void vcpu_name(const struct vcpu *v)
{
    x86t_puts("hv2: vm");
    x86t_putdec(v->vm->nr);
    x86t_puts(" vcpu");
    x86t_putdec(v->idx);
    x86t_puts(": ");
}

/* the first failure ends the run (exit 1) */
static void __attribute__((noreturn)) die(struct vcpu *v, const char *what, uint64_t val)
{
    lock();
    if (v)
        vcpu_name(v);
    else
        x86t_puts("hv2: ");
    x86t_puts("FAIL: ");
    x86t_puts(what);
    x86t_puts(" ");
    x86t_puthex(val);
    x86t_puts("\nhv2: FAILED\n");
    x86t_exit(1);
}

static void uart_out(struct vcpu *v, char c)
{
    if (c != '\n' && v->nline < sizeof v->line - 1) {
        v->line[v->nline++] = c;
        return;
    }
    v->line[v->nline] = 0;
    lock();
    x86t_puts("[vm");
    x86t_putdec(v->vm->nr);
    x86t_puts("] ");
    x86t_puts(v->line);
    x86t_puts("\n");
    unlock();
    v->nline = 0;
    if (c != '\n')
        v->line[v->nline++] = c;
}

/* smp_tramp.S's interrupt stubs: the hosts run with IF = 0 */
void smp_irq(uint64_t v) { die(0, "interrupt in the host, vector", v); }

/* ---- EPT (SDM vol. 3C §29.3.2, Tables 29-1..29-6) ------------------------------- */
static uint64_t *ept_next(struct vm *vm, uint64_t *e)
{
    if (!(*e & 7)) {
        if (vm->ept_used == EPT_TABLES)
            die(0, "out of EPT tables, vm", vm->nr);
        *e = (uint64_t)ept_pool[vm->nr - 1][vm->ept_used++] | 7; /* RWX */
    }
    return (uint64_t *)(*e & ~0xfffull);
}
/* the page-table entry of gpa (tables created on the way) */
static uint64_t *ept_pte(struct vm *vm, uint64_t gpa)
{
    uint64_t *pdpt = ept_next(vm, &vm->ept_pml4[gpa >> 39 & 511]);
    uint64_t *pd = ept_next(vm, &pdpt[gpa >> 30 & 511]);
    uint64_t *pt = ept_next(vm, &pd[gpa >> 21 & 511]);
    return &pt[gpa >> 12 & 511];
}
/* a 4-KByte leaf: permissions bits 2:0, memory type WB (6) in bits 5:3 */
static void ept_map(struct vm *vm, uint64_t gpa, uint64_t hpa, unsigned perm)
{
    *ept_pte(vm, gpa) = hpa | perm | 6u << 3;
}

/* ---- the guest's memory ------------------------------------------------------------ */
static void gate(unsigned n, uint64_t fn)
{
    g_idt[2 * n] = (fn & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | (fn >> 16 & 0xffff) << 48;
    g_idt[2 * n + 1] = fn >> 32;
}

/* the template of .gdata (the image's own copy), then one copy per VM */
static void build_guest_memory(void)
{
    uint64_t gdata = (uint64_t)(__gdata_end - __gdata_start);
    if (gdata > GDATA_MAX)
        die(0, ".gdata larger than GDATA_MAX", gdata);
    /* 64-bit paging, identity for GPA 0..1 GiB with 2-MByte pages, A and D
     * set (no guest writes to its page tables) */
    g_pml4[0] = (uint64_t)g_pdpt | 0x23;
    g_pdpt[0] = (uint64_t)g_pd | 0x23;
    for (unsigned i = 0; i < 512; i++)
        g_pd[i] = (uint64_t)i << 21 | 0xe3; /* P RW A D PS */
    uint64_t tss = (uint64_t)g_tss;
    g_gdt[0] = 0;
    g_gdt[1] = 0x00af9b000000ffffull; /* 08H 64-bit code */
    g_gdt[2] = 0x00cf93000000ffffull; /* 10H data */
    g_gdt[3] = 0x67 | (tss & 0xffffff) << 16 | 0x8bull << 40 | (tss >> 24 & 0xff) << 56;
    g_gdt[4] = tss >> 32;             /* 18H the TSS (busy) */
    g_gdtr.limit = 8 * 5 - 1;
    g_gdtr.base = (uint64_t)g_gdt;
    for (unsigned n = 0; n < 256; n++)
        gate(n, (uint64_t)guest_vec0 + 16 * n);
    g_idtr.limit = 4095;
    g_idtr.base = (uint64_t)g_idt;
    for (unsigned k = 0; k < 2; k++) {
        struct vm *vm = &vms[k];
        vm->nr = k + 1;
        vm->ept_pml4 = ept_pool[k][0];
        vm->ept_used = 1;
        for (uint64_t i = 0; i < gdata; i++)
            vm_data[k][i] = (uint8_t)__gdata_start[i];
        for (uint64_t a = (uint64_t)__g_start; a < (uint64_t)__gdata_start; a += 4096)
            ept_map(vm, a, a, 5); /* code and strings: read + execute */
        for (uint64_t o = 0; o < gdata; o += 4096)
            ept_map(vm, (uint64_t)__gdata_start + o, (uint64_t)vm_data[k] + o, 7);
        for (unsigned p = 0; p < 2; p++) /* the lazy pages: table there, not present */
            *ept_pte(vm, HV2_LAZY_GPA + 4096ull * p) = 0;
        vm->eptp = (uint64_t)vm->ept_pml4 | 3u << 3 | 6; /* walk length 4, WB */
    }
    if (unrestricted) {
        /* VM 2 vCPU 0's real-mode start: smp_tramp.S at GPA 8000H (its
         * addresses are 8000H-based), entering guest_entry in 64-bit mode
         * with the guest's page tables and vCPU 0's stack */
        smp_tramp_install(rm_page, (uint64_t)g_pml4, (uint64_t)guest_entry, (uint64_t)g_stacks);
        ept_map(&vms[1], HV2_RM_GPA, (uint64_t)rm_page, 7);
    }
}

/* MSR bitmap (§25.6.9): read low at 0, write low at 2048 */
static void msr_intercept(uint32_t msr, int write)
{
    msr_bitmap[(write ? 2048 : 0) + msr / 8] |= (uint8_t)(1u << (msr % 8));
}

/* ---- the VMCS --------------------------------------------------------------------- */
static void setup_vmcs(struct vcpu *v)
{
    unsigned c = v->cpu;
    uint32_t p2 = P2_EPT | P2_VPID | P2_X2APIC | P2_VID | (v->real_mode ? P2_UG : 0);
    vmxt_setup((uint64_t)guest_entry, (uint64_t)(g_stacks[v->idx] + HV2_STACK),
               PROC_TPR_SHADOW | PROC_IO_BM | PROC_MSR_BM, p2, PIN_EXT | PIN_PREEMPT | PIN_POSTED,
               0x20, (uint64_t)host_tss[c]);
    v->proc = (uint32_t)vmr(PROC);
    vmw(EXIT_CTLS, vmx_adjust(0x48f, EXIT_HOST64 | EXIT_ACK | EXIT_SAVE_EFER | EXIT_LOAD_EFER));
    vmw(ENTRY_CTLS, vmx_adjust(0x490, (v->real_mode ? 0 : ENTRY_IA32E) | ENTRY_LOAD_EFER));
    vmw(H_EFER, rdmsr(0xc0000080));
    vmw(V_VPID, c + 1);
    vmw(V_EPTP, v->vm->eptp);
    vmw(IO_A, (uint64_t)io_bitmap[0]);
    vmw(IO_B, (uint64_t)io_bitmap[1]);
    vmw(MSR_BM, (uint64_t)msr_bitmap);
    vmw(VAPIC_ADDR, (uint64_t)vapic[c]);
    vmw(PI_DESC, (uint64_t)&pi[c]);
    vmw(PINV, HV2_NOTIFY);
    vmw(TPR_THRESHOLD, 0);
    vmw(G_INTR_STATUS, 0);
    for (unsigned i = 0; i < 4; i++)
        vmw(EOI_EXIT0 + 2 * i, 0);
    vmw(CR0_MASK, CR0_OWNED);
    vmw(CR4_MASK, CR4_OWNED);
    vmw(PREEMPT, 0xffffffffu);
    if (!v->real_mode) {
        /* 64-bit mode: the guest's page tables, GDT, IDT and TSS (GPAs) */
        uint64_t cr0 = 0x80010033; /* PG WP NE ET MP PE */
        vmw(G_CR0, cr0);
        vmw(CR0_SHADOW, cr0 & ~0x20ull);
        vmw(G_CR4, 0x2020); /* VMXE PAE */
        vmw(CR4_SHADOW, 0x20);
        vmw(G_CR3, (uint64_t)g_pml4);
        vmw(G_EFER, 0x500); /* LME LMA */
        vmxt_guest_flat64(0x18, (uint64_t)g_tss, 0x67, (uint64_t)g_gdt, 8 * 5 - 1, (uint64_t)g_idt, 4095);
    } else {
        /* real mode at 0800:0000 (unrestricted guest: CR0.PE = PG = 0) */
        vmw(G_CR0, 0x30); /* NE ET */
        vmw(CR0_SHADOW, 0x10);
        vmw(G_CR4, 0x2000); /* VMXE */
        vmw(CR4_SHADOW, 0);
        vmw(G_CR3, 0);
        vmw(G_EFER, 0);
        for (unsigned k = 0; k < 6; k++)
            vmxt_seg(k, 0, 0, 0xffff, 0x93);
        vmxt_seg(1, HV2_RM_GPA >> 4, HV2_RM_GPA, 0xffff, 0x9b);
        vmxt_seg(6, 0, 0, 0, 0x10000);
        vmxt_seg(7, 0, 0, 0xffff, 0x8b);
        vmw(G_GDTR_BASE, 0);
        vmw(G_GDTR_LIMIT, 0xffff);
        vmw(G_IDTR_BASE, 0);
        vmw(G_IDTR_LIMIT, 0xffff);
        vmw(G_RIP, 0);
        vmw(G_RSP, 0);
    }
    v->g.rdi = v->idx;
}

/* the shared IDT (the host state of every CPU, vmxt_cpu_tables) */
static uint64_t idt_base;
static uint16_t idt_limit;

/* ---- exits ------------------------------------------------------------------------- */
static void skip_insn(void) { vmw(G_RIP, vmr(G_RIP) + vmr(EXIT_INSN_LEN)); }

/* general register n of the exit qualifications (Table 28-3: 0 RAX .. 15 R15) */
static uint64_t *greg(struct vcpu *v, unsigned n)
{
    static const uint8_t slot[16] = { 0, 1, 2, 3, 99, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
    return n == 4 ? 0 : &((uint64_t *)&v->g)[slot[n]];
}

/* a virtual IPI from v to vCPU t of its VM (the guest's ICR write) */
static void virtual_ipi(struct vcpu *v, uint64_t icr)
{
    unsigned t = (unsigned)(icr >> 32), vec = (unsigned)icr & 0xff;
    if (t > 1 || (icr & 0xfff00))
        die(v, "ICR write not a fixed IPI to vCPU 0 or 1", icr);
    struct vcpu *tv = &vcpus[(v->vm->nr - 1) * 2 + t];
    if (vec == HV2_VEC_INJ) {
        /* exit + injection: pending first, then the kick if the target is
         * (or is about to be) in non-root operation; it checks pending
         * after announcing in_guest, so one of the two sees the other */
        __atomic_fetch_or(&tv->pending, PEND_IPI, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&tv->in_guest, __ATOMIC_SEQ_CST)) {
            lapic_ipi(tv->cpu, HV2_KICK);
            v->kicks++;
        }
        return;
    }
    if (vec == HV2_VEC_POST) {
        /* §30.6: the PIR bit, then ON; the notification only when ON was
         * clear (otherwise one is on its way) */
        __asm__ volatile("lock btsl %1, %0" : "+m"(tv->pi->pir[0]) : "r"(vec) : "memory");
        uint8_t was;
        __asm__ volatile("lock btsl $0, %0\n\tsetc %1" : "+m"(tv->pi->ctl[0]), "=r"(was)::"memory");
        v->posted_sent++;
        if (!was) {
            lapic_ipi(tv->cpu, HV2_NOTIFY);
            v->notifies++;
        }
        return;
    }
    die(v, "ICR write with a vector hv2 does not deliver", icr);
}

static void exit_io(struct vcpu *v, uint64_t q)
{
    unsigned port = (unsigned)(q >> 16), in = (q >> 3) & 1;
    if ((q & 0x10) || port < 0x3f8 || port > 0x3ff || (q & 7))
        die(v, "I/O exit outside the virtual UART (qualification)", q);
    if (in)
        v->g.rax = (v->g.rax & ~0xffull) | (port == 0x3fd ? 0x60 : 0); /* LSR: THRE, TEMT */
    else if (port == 0x3f8)
        uart_out(v, (char)v->g.rax);
    skip_insn();
}

static void exit_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->g.rcx;
    uint64_t val;
    if (msr == 0x1b) /* IA32_APIC_BASE: FEE00000H, enabled, x2APIC, BSP for vCPU 0 */
        val = 0xfee00c00ull | (v->idx == 0 ? 0x100 : 0);
    else if (msr == 0x802) /* x2APIC ID */
        val = v->idx;
    else
        die(v, "RDMSR of an MSR hv2 does not intercept", msr);
    v->g.rax = (uint32_t)val;
    v->g.rdx = val >> 32;
    skip_insn();
}

static void exit_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->g.rcx;
    uint64_t val = v->g.rdx << 32 | (uint32_t)v->g.rax;
    if (msr == 0x830)
        virtual_ipi(v, val);
    else if (msr == 0x832) /* LVT timer: one-shot, the vector */
        v->lvt_timer = (uint32_t)val;
    else if (msr == 0x838) /* initial count: TSC ticks (divide 1) from now */
        v->deadline = val ? rdtsc() + val : 0;
    else
        die(v, "WRMSR to an MSR hv2 does not intercept", msr);
    skip_insn();
}

static void exit_cr(struct vcpu *v, uint64_t q)
{
    unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
    if (type != 0 || (cr != 0 && cr != 4))
        die(v, "CR access other than MOV to CR0/CR4", q);
    uint64_t *r = greg(v, reg), val = r ? *r : vmr(G_RSP);
    if (cr == 0) {
        /* the guest's CD / NW live in the shadow only; NE stays 1 */
        vmw(CR0_SHADOW, val);
        vmw(G_CR0, (val & ~CR0_OWNED) | 0x20);
    } else {
        if (val & 1u << 13)
            die(v, "guest set CR4.VMXE", val);
        vmw(CR4_SHADOW, val);
        vmw(G_CR4, val | 1u << 13); /* PCE as the guest wrote it, VMXE 1 */
    }
    skip_insn();
}

static void exit_ept(struct vcpu *v)
{
    uint64_t gpa = vmr(GUEST_PA);
    uint64_t p = (gpa - HV2_LAZY_GPA) >> 12;
    if (gpa < HV2_LAZY_GPA || p > 1 || (v->vm->lazy_mapped >> p & 1))
        die(v, "EPT violation outside the lazy pages, GPA", gpa);
    /* a not-present entry is not cached (§29.4.2): no INVEPT needed */
    ept_map(v->vm, HV2_LAZY_GPA + 4096 * p, (uint64_t)lazy_page[v->vm->nr - 1][p], 7);
    __atomic_fetch_or(&v->vm->lazy_mapped, 1u << p, __ATOMIC_SEQ_CST);
}

static int exit_vmcall(struct vcpu *v)
{
    uint64_t nr = v->g.rax;
    if (nr == HC_FAIL)
        die(v, "the guest failed: code, value", v->g.rdi << 32 | (uint32_t)v->g.rsi);
    if (nr == HC_REPORT && v->idx == 0) {
        v->vm->result = v->g.rdi;
        v->vm->reported = 1;
        return 1;
    }
    if (nr == HC_DONE && v->idx == 1)
        return 1;
    die(v, "unknown hypercall", nr);
}

/* Before each entry: an event to inject (when the guest can take an
 * external interrupt, else interrupt-window exiting), the preemption timer
 * for the virtual LAPIC timer's deadline. */
static void prepare_entry(struct vcpu *v)
{
    uint32_t proc = v->proc;
    uint32_t pend = __atomic_load_n(&v->pending, __ATOMIC_SEQ_CST);
    if (pend) {
        /* not while an interrupted delivery is injected again */
        uint64_t rfl = vmr(G_RFLAGS), intr = vmr(G_INTR);
        if (!(vmr(ENTRY_INTR) >> 31) && (rfl & 0x200) && !(intr & 3)) {
            uint32_t bit = (pend & PEND_IPI) ? PEND_IPI : PEND_TIMER;
            unsigned vec = bit == PEND_IPI ? HV2_VEC_INJ : v->lvt_timer & 0xff;
            __atomic_fetch_and(&v->pending, ~bit, __ATOMIC_SEQ_CST);
            vmw(ENTRY_INTR, 1u << 31 | vec); /* type 0: external interrupt */
            if (bit == PEND_IPI)
                v->injected_ipi++;
            else
                v->injected_timer++;
            pend &= ~bit;
        }
        if (pend) {
            proc |= PROC_WINDOW;
            v->window_set++;
        }
    }
    vmw(PROC, proc);
    uint64_t t = 0xffffffffu;
    if (v->deadline) {
        uint64_t now = rdtsc(), left = v->deadline > now ? v->deadline - now : 0;
        t = (left + (1ull << tsc_rate_shift) - 1) >> tsc_rate_shift;
        if (t > 0xffffffffu)
            t = 0xffffffffu;
    }
    vmw(PREEMPT, t);
}

static void run_vcpu(unsigned cpu)
{
    struct vcpu *v = &vcpus[cpu];
    lapic_write(LAPIC_SVR, 0x1ff);
    int bad = vmxt_load(vmxon_region[cpu], vmcs[cpu]);
    if (bad)
        die(v, bad == 1 ? "VMXON" : "VMCLEAR/VMPTRLD", 0);
    setup_vmcs(v);
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    if (!tsc_wait_ge(&ready, NCPU, 100000000))
        die(v, "the other CPUs did not get ready", ready);
    for (int launched = 0;; launched = 1) {
        __atomic_store_n(&v->in_guest, 1, __ATOMIC_SEQ_CST);
        prepare_entry(v);
        uint64_t rc = vm_enter(&v->g, !launched);
        __atomic_store_n(&v->in_guest, 0, __ATOMIC_SEQ_CST);
        if (rc)
            die(v, launched ? "VMRESUME failed, error" : "VMLAUNCH failed, error",
                rc << 32 | vmr(INSN_ERROR));
        uint64_t reason = vmr(EXIT_REASON);
        if (reason >= R_MAX)
            die(v, "failed entry or unknown exit, reason", reason);
        v->exits[reason]++;
        /* an event whose delivery the exit interrupted is injected again (§28.2.4) */
        uint64_t idt = vmr(IDT_VEC);
        if (idt >> 31) {
            vmw(ENTRY_INTR, idt & ~(1ull << 12));
            if (idt & 1u << 11)
                vmw(ENTRY_ERR, vmr(IDT_VEC_ERR));
        }
        int stop = 0;
        switch (reason) {
        case R_EXTINT: {
            uint64_t info = vmr(EXIT_INTR_INFO);
            lapic_write(LAPIC_EOI, 0);
            if ((info & 0xff) != HV2_KICK)
                die(v, "external interrupt with another vector, information", info);
            break;
        }
        case R_WINDOW: break; /* prepare_entry injects now */
        case R_CPUID: {
            uint32_t leaf = (uint32_t)v->g.rax, r[4];
            if (leaf == HV2_CPUID_SIG) {
                r[0] = HV2_CPUID_INFO;
                r[1] = r[2] = r[3] = HV2_SIG;
            } else if (leaf == HV2_CPUID_INFO) {
                r[0] = v->vm->nr;
                r[1] = v->idx;
                r[2] = r[3] = 0;
            } else {
                cpuid(leaf, (uint32_t)v->g.rcx, r);
            }
            v->g.rax = r[0];
            v->g.rbx = r[1];
            v->g.rcx = r[2];
            v->g.rdx = r[3];
            skip_insn();
            break;
        }
        case R_VMCALL: stop = exit_vmcall(v); break;
        case R_CR: exit_cr(v, vmr(EXIT_QUAL)); break;
        case R_IO: exit_io(v, vmr(EXIT_QUAL)); break;
        case R_RDMSR: exit_rdmsr(v); break;
        case R_WRMSR: exit_wrmsr(v); break;
        case R_EPT: exit_ept(v); break;
        case R_PREEMPT:
            if (v->deadline && rdtsc() >= v->deadline) {
                v->deadline = 0;
                __atomic_fetch_or(&v->pending, PEND_TIMER, __ATOMIC_SEQ_CST);
            }
            break;
        default:
            die(v, "unexpected exit, reason / qualification", reason << 32 | (uint32_t)vmr(EXIT_QUAL));
        }
        if (stop)
            break;
    }
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
}

void smp_ap_entry(uint64_t id)
{
    vmxt_cpu_tables(host_gdt[id], host_tss[id], idt_base, idt_limit);
    __atomic_fetch_add(&alive, 1, __ATOMIC_SEQ_CST);
    if (id < NCPU)
        run_vcpu((unsigned)id);
    for (;;)
        __asm__ volatile("cli\n\thlt");
}

/* ---- the verdict --------------------------------------------------------------------- */
static void report(void)
{
    for (unsigned c = 0; c < NCPU; c++) {
        struct vcpu *v = &vcpus[c];
        vcpu_name(v);
        x86t_puts("cpu ");
        x86t_putdec(c);
        x86t_puts(" vmcs ");
        x86t_puthex((uint64_t)vmcs[c]);
        x86t_puts(" vpid ");
        x86t_putdec(c + 1);
        x86t_puts(v->real_mode ? " real-mode start\n" : " 64-bit start\n");
        vcpu_name(v);
        x86t_puts("exits");
        for (unsigned r = 0; r < R_MAX; r++)
            if (v->exits[r]) {
                x86t_puts(" ");
                x86t_puts(reason_name[r] ? reason_name[r] : "?");
                x86t_puts("=");
                x86t_putdec(v->exits[r]);
            }
        x86t_puts("\n");
        vcpu_name(v);
        x86t_puts("injected ipi ");
        x86t_putdec(v->injected_ipi);
        x86t_puts(" timer ");
        x86t_putdec(v->injected_timer);
        x86t_puts(", posted sent ");
        x86t_putdec(v->posted_sent);
        x86t_puts(" notifications ");
        x86t_putdec(v->notifies);
        x86t_puts(", kicks ");
        x86t_putdec(v->kicks);
        x86t_puts("\n");
    }
    for (unsigned k = 0; k < 2; k++) {
        struct vm *vm = &vms[k];
        struct vcpu *a = &vcpus[2 * k], *b = &vcpus[2 * k + 1];
        uint64_t want = hv2_expected(vm->nr);
        int ok = vm->reported && vm->result == want;
        /* hv2's own counts: every ping and pong of each mechanism went
         * through it; each vCPU's HV2_TICKS timer interrupts were injected */
        CHECKX(vm->reported, "VM reported its result", vm->nr);
        CHECKX(vm->result == want, "VM checksum", vm->result);
        CHECKX(a->injected_ipi == HV2_ROUNDS && b->injected_ipi == HV2_ROUNDS,
               "injected virtual IPIs per vCPU", (uint64_t)a->injected_ipi << 32 | b->injected_ipi);
        CHECKX(a->posted_sent == HV2_ROUNDS && b->posted_sent == HV2_ROUNDS,
               "posted virtual IPIs sent per vCPU", (uint64_t)a->posted_sent << 32 | b->posted_sent);
        CHECKX(a->injected_timer == HV2_TICKS && b->injected_timer == HV2_TICKS,
               "timer interrupts injected per vCPU", (uint64_t)a->injected_timer << 32 | b->injected_timer);
        CHECKX(a->exits[R_EPT] == 1 && b->exits[R_EPT] == 1 && vm->lazy_mapped == 3,
               "one EPT violation per vCPU, both lazy pages mapped", vm->lazy_mapped);
        CHECKX(a->exits[R_CR] == 3 && b->exits[R_CR] == 3, "3 CR-access exits per vCPU",
               (uint64_t)a->exits[R_CR] << 32 | b->exits[R_CR]);
        x86t_puts("hv2: vm");
        x86t_putdec(vm->nr);
        x86t_puts(": result checksum ");
        x86t_puthex(vm->result);
        x86t_puts(" (expected ");
        x86t_puthex(want);
        x86t_puts(ok ? "): PASS\n" : "): FAIL\n");
    }
}

int kmain(void)
{
    x86t_idt_init();
    idt_base = vmxt_table_base(&idt_limit, 1);
    x86t_puts("hv2: x86 VMX test hypervisor, 2 VMs x 2 vCPUs\n");
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 5))) {
        x86t_puts("hv2: no VMX\nhv2: FAILED\n");
        return 1;
    }
    uint32_t ncpus = fw_cfg_ncpus();
    if (ncpus != NCPU) {
        x86t_puts("hv2: needs --smp 4\nhv2: FAILED\n");
        return 1;
    }
    uint64_t ctls2 = rdmsr(0x48b);
    x86t_puts("hv2: IA32_VMX_PROCBASED_CTLS2 ");
    x86t_puthex(ctls2);
    x86t_puts("\n");
    uint64_t need2 = (uint64_t)(P2_EPT | P2_VPID | P2_X2APIC | P2_VID) << 32;
    if ((ctls2 & need2) != need2 || !(rdmsr(0x48d) >> 32 & PIN_POSTED) ||
        !(rdmsr(0x48d) >> 32 & PIN_PREEMPT)) {
        x86t_puts("hv2: EPT, VPID, x2APIC virtualization, virtual-interrupt delivery, posted "
                  "interrupts and the preemption timer are needed\nhv2: FAILED\n");
        return 1;
    }
    unrestricted = (ctls2 >> 32 & P2_UG) != 0;
    tsc_rate_shift = rdmsr(0x485) & 0x1f;
    vmxt_cpu_tables(host_gdt[0], host_tss[0], idt_base, idt_limit);
    outb(0x21, 0xff); /* the 8259s masked: only our IPIs reach the CPUs */
    outb(0xa1, 0xff);
    build_guest_memory();
    for (unsigned i = 0; i < 4096; i++) {
        io_bitmap[0][i] = 0xff; /* every port exits */
        io_bitmap[1][i] = 0xff;
    }
    msr_intercept(0x1b, 0);
    msr_intercept(0x802, 0);
    msr_intercept(0x830, 1);
    msr_intercept(0x832, 1);
    msr_intercept(0x838, 1);
    for (unsigned c = 0; c < NCPU; c++) {
        vcpus[c] = (struct vcpu){ .vm = &vms[c / 2], .cpu = c, .idx = c % 2 };
        vcpus[c].pi = &pi[c];
    }
    vcpus[2].real_mode = unrestricted;
    if (unrestricted)
        x86t_puts("hv2: vm2 vcpu0 starts in real mode (unrestricted guest)\n");
    else
        x86t_puts("hv2: unrestricted guest not available: vm2 vcpu0 starts in 64-bit mode\n");
    for (unsigned k = 0; k < 2; k++) {
        x86t_puts("hv2: vm");
        x86t_putdec(k + 1);
        x86t_puts(": vCPUs on CPUs ");
        x86t_putdec(2 * k);
        x86t_puts(",");
        x86t_putdec(2 * k + 1);
        x86t_puts(", EPTP ");
        x86t_puthex(vms[k].eptp);
        x86t_puts(", VPIDs ");
        x86t_putdec(2 * k + 1);
        x86t_puts(",");
        x86t_putdec(2 * k + 2);
        x86t_puts("\n");
    }
    /* the other CPUs: INIT, SIPI to smp_tramp at 0x8000 */
    smp_tramp_install_low(ap_stacks);
    lapic_write(LAPIC_SVR, 0x1ff);
    if (lapic_read(LAPIC_ID) >> 24 != 0)
        die(0, "BSP APIC ID", lapic_read(LAPIC_ID));
    for (unsigned i = 1; i < NCPU; i++) {
        smp_start_ap(i);
        delay(2000);
    }
    if (!tsc_wait_ge(&alive, NCPU - 1, 100000000))
        die(0, "APs up", alive);
    x86t_puts("hv2: 4 vCPUs ready, entering guests\n");
    run_vcpu(0);
    if (!tsc_wait_ge(&finished, NCPU, 2000000000))
        die(0, "vCPUs finished", finished);
    lock();
    report();
    if (x86t_failures) {
        x86t_puts("hv2: FAILED\n");
        return 1;
    }
    x86t_puts("hv2: all VMs passed (");
    x86t_putdec((uint64_t)x86t_checks);
    x86t_puts(" checks)\n");
    return 0;
}
