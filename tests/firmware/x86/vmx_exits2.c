/* VM exits not covered elsewhere (docs/vmx.md "Not run by a test yet"),
 * run by tests/e2e/t_x86_vmx_exits2.sh with [cpu] vmx = on. Each guest
 * is a few instructions of this kernel run in non-root operation; the host
 * checks the exit reason, the exit qualification, the instruction
 * information and the guest-linear address against the SDM vol. 3C:
 *   - CR8-load / CR8-store exiting (§26.1.3; reason 28, Table 28-3: CR
 *     number 3:0 = 8, access type 5:4 = 0 MOV to CR / 1 MOV from CR,
 *     register 11:8);
 *   - INS / OUTS with unconditional I/O exiting (reason 30, Table 28-5:
 *     size-1 2:0, direction 3 (1 = IN), string 4, REP 5, operand encoding 6
 *     (0 = DX), port 31:16; the guest-linear address field is the linear
 *     address of the memory operand, §28.2.1; with IA32_VMX_BASIC[54] the
 *     instruction information's address size 9:7 and, for OUTS, segment
 *     17:15, Table 28-8);
 *   - the I/O-bitmap wrap rule (§26.1.3: with "use I/O bitmaps" an access
 *     that wraps around the port space exits whatever the bitmaps hold);
 *   - the VMX instructions, which exit unconditionally in a guest
 *     (§26.1.2): VMCLEAR 19, VMLAUNCH 20, VMPTRLD 21, VMPTRST 22, VMREAD 23, VMRESUME
 *     24, VMWRITE 25, VMXOFF 26, VMXON 27, with the instruction information
 *     of Tables 28-11 (memory operand (%rax): scaling 0, address size 64,
 *     segment DS, no index, base RAX) and 28-13 (VMREAD/VMWRITE register
 *     forms: Reg1 6:3, bit 10 = 1, Reg2 31:28) and the displacement (0)
 *     as the qualification;
 *   - #DB exits through the exception bitmap (§26.2, Table 28-1): a
 *     single-step trap after POPF set TF (the exit qualification's BS bit
 *     14) and a data breakpoint on a write through DR0 (B0, bit 0), both
 *     with interruption information 80000301H;
 *   - XSETBV (§26.1.2: exits unconditionally, basic reason 55, no
 *     qualification, instruction length 3), also with a value XSETBV would
 *     #GP on (the value checks are the VMM's), while the #UD of
 *     CR4.OSXSAVE = 0 and the #GP(0) at CPL 3 come first (§26.1.1: they
 *     reach the exception bitmap instead); XGETBV does not exit, and the
 *     guest sees the host's XCR0: VM entries and exits neither load nor
 *     save it (the kernel needs [cpu] xsave = on).
 * Output on COM1; isa-debug-exit 0 when every check passed. */
#include <stdint.h>
#include "vmxt.h"

enum { EXIT_INSN_INFO = 0x440e }; /* VMCS encoding (Appendix B) beyond vmxt.h's */

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));
static uint8_t io_buf[64] __attribute__((aligned(16)));
static uint64_t vmx_operand;
static uint8_t io_bitmap_a[4096] __attribute__((aligned(4096)));
static uint8_t io_bitmap_b[4096] __attribute__((aligned(4096)));

void g_cr8_store(void);
void g_cr8_load(void);
void g_ins(void);
void g_outs(void);
void g_vmclear(void);
void g_vmlaunch(void);
void g_vmptrld(void);
void g_vmptrst(void);
void g_vmread(void);
void g_vmread_mem(void);
void g_dbw(void);
void g_dbw_after(void);
void g_vmresume(void);
void g_vmwrite(void);
void g_vmxoff(void);
void g_vmxon(void);
void g_inw(void);
void g_inb(void);
void g_db(void);
void g_db_after(void);
void g_xsetbv(void);
void g_xgetbv(void);
void g_xsetbv_user(void);
__asm__(".text\n"
        ".globl g_cr8_store\ng_cr8_store:\n\tmov %cr8, %rdx\n\tud2\n"
        ".globl g_cr8_load\ng_cr8_load:\n\tmov %rcx, %cr8\n\tud2\n"
        ".globl g_ins\ng_ins:\n\trep insb\n\tud2\n"
        ".globl g_outs\ng_outs:\n\toutsw\n\tud2\n"
        ".globl g_vmclear\ng_vmclear:\n\tvmclear (%rax)\n\tud2\n"
        ".globl g_vmlaunch\ng_vmlaunch:\n\tvmlaunch\n\tud2\n"
        ".globl g_vmptrld\ng_vmptrld:\n\tvmptrld (%rax)\n\tud2\n"
        ".globl g_vmptrst\ng_vmptrst:\n\tvmptrst (%rax)\n\tud2\n"
        ".globl g_vmread_mem\ng_vmread_mem:\n\tvmread %rcx, (%rax)\n\tud2\n"
        ".globl g_dbw\ng_dbw:\n\tmovq $1, (%rax)\n"
        ".globl g_dbw_after\ng_dbw_after:\n\tud2\n"
        ".globl g_vmread\ng_vmread:\n\tvmread %rcx, %rbx\n\tud2\n"
        ".globl g_vmresume\ng_vmresume:\n\tvmresume\n\tud2\n"
        ".globl g_vmwrite\ng_vmwrite:\n\tvmwrite %rbx, %rcx\n\tud2\n"
        ".globl g_vmxoff\ng_vmxoff:\n\tvmxoff\n\tud2\n"
        ".globl g_vmxon\ng_vmxon:\n\tvmxon (%rax)\n\tud2\n"
        ".globl g_inw\ng_inw:\n\tinw %dx, %ax\n\tvmcall\n\tud2\n"
        ".globl g_inb\ng_inb:\n\tinb %dx, %al\n\tvmcall\n\tud2\n"
        ".globl g_db\ng_db:\n\tpushfq\n\torq $0x100, (%rsp)\n\tpopfq\n\tnop\n"
        ".globl g_db_after\ng_db_after:\n\tud2\n"
        ".globl g_xsetbv\ng_xsetbv:\n\txsetbv\n\tud2\n"
        ".globl g_xgetbv\ng_xgetbv:\n\txgetbv\n\tvmcall\n\tud2\n"
        ".pushsection .user.text, \"ax\"\n"
        ".globl g_xsetbv_user\ng_xsetbv_user:\n\txsetbv\n\tud2\n"
        ".popsection\n");
static uint8_t user_stack[1024] __attribute__((section(".user.data"), aligned(16)));

static int launched;
static uint32_t proc_base;

/* Runs guest fn with registers g and primary controls proc; the exit
 * reason (~0 on a failed entry). */
static uint64_t run(void (*fn)(void), struct gregs *g, uint32_t proc)
{
    vmw(PROC, vmx_adjust(0x48e, proc_base | proc));
    vmw(G_RIP, (uint64_t)fn);
    vmw(G_RSP, (uint64_t)(guest_stack + sizeof guest_stack));
    vmw(G_RFLAGS, 2);
    uint64_t r = vm_enter(g, !launched);
    launched = 1;
    CHECKX(r == 0, "VM entry", r | vmr(INSN_ERROR) << 16);
    return r == 0 ? vmr(EXIT_REASON) : ~0ull;
}

#define EQ(what, got, want) CHECKX((got) == (want), what, got)
#define CR8_LOAD (1u << 19)
#define CR8_STORE (1u << 20)
#define UNCOND_IO (1u << 24)
#define USE_IO_BITMAPS (1u << 25)

static void test_cr8(void)
{
    struct gregs g = { 0 };
    EQ("MOV from CR8 with CR8-store exiting: reason 28", run(g_cr8_store, &g, CR8_STORE), 28);
    EQ("MOV from CR8: qualification CR 8, type 1, register RDX (218H)", vmr(EXIT_QUAL), 0x218);
    EQ("MOV from CR8: instruction length 4", vmr(EXIT_INSN_LEN), 4);
    g.rcx = 5;
    EQ("MOV to CR8 with CR8-load exiting: reason 28", run(g_cr8_load, &g, CR8_LOAD), 28);
    EQ("MOV to CR8: qualification CR 8, type 0, register RCX (108H)", vmr(EXIT_QUAL), 0x108);
}

static void test_io(void)
{
    int ins_outs_info = (rdmsr(0x480) >> 54) & 1;
    struct gregs g = { 0 };
    g.rdx = 0x1234;
    g.rdi = (uint64_t)io_buf;
    g.rcx = 4;
    EQ("REP INSB with unconditional I/O exiting: reason 30", run(g_ins, &g, UNCOND_IO), 30);
    EQ("REP INSB DX=1234H: qualification size 1, in, string, REP, DX (12340038H)", vmr(EXIT_QUAL),
       0x12340038);
    EQ("REP INSB: guest-linear address = RDI", vmr(GUEST_LA), (uint64_t)io_buf);
    if (ins_outs_info)
        EQ("REP INSB: instruction information address size 64 (2)", (vmr(EXIT_INSN_INFO) >> 7) & 7, 2);
    g = (struct gregs){ 0 };
    g.rdx = 0x80;
    g.rsi = (uint64_t)io_buf + 8;
    EQ("OUTSW with unconditional I/O exiting: reason 30", run(g_outs, &g, UNCOND_IO), 30);
    EQ("OUTSW DX=80H: qualification size 2, out, string, no REP, DX (00800011H)", vmr(EXIT_QUAL),
       0x00800011);
    EQ("OUTSW: guest-linear address = RSI", vmr(GUEST_LA), (uint64_t)io_buf + 8);
    if (ins_outs_info)
        EQ("OUTSW: instruction information address size 64, segment DS",
           vmr(EXIT_INSN_INFO) & (7u << 7 | 7u << 15), 2u << 7 | 3u << 15);
    CHECK(ins_outs_info, "IA32_VMX_BASIC[54]: INS/OUTS instruction information reported");
}

/* §26.1.3 with "use I/O bitmaps": an access that wraps around the port
 * space (FFFFH and 0000H) exits whatever the bitmaps say; the others
 * exit only for a set bit. Bitmap A has port 0000H's bit set only. */
static void test_io_wrap(void)
{
    io_bitmap_a[0] = 1;
    vmw(IO_A, (uint64_t)io_bitmap_a);
    vmw(IO_B, (uint64_t)io_bitmap_b);
    struct gregs g = { 0 };
    g.rdx = 0xfffe;
    EQ("I/O bitmaps: INW FFFEH (bits clear) does not exit, the VMCALL does", run(g_inw, &g, USE_IO_BITMAPS), 18);
    g.rdx = 0xffff;
    EQ("I/O bitmaps: INB FFFFH (bit clear) does not exit", run(g_inb, &g, USE_IO_BITMAPS), 18);
    EQ("I/O bitmaps: INW FFFFH wraps to 0000H: reason 30", run(g_inw, &g, USE_IO_BITMAPS), 30);
    EQ("  INW FFFFH: qualification size 2, in, DX (FFFF0009H)", vmr(EXIT_QUAL), 0xffff0009);
    io_bitmap_a[0] = 0;
    EQ("I/O bitmaps all clear: INW FFFFH still exits (the wrap)", run(g_inw, &g, USE_IO_BITMAPS), 30);
    g.rdx = 0;
    EQ("I/O bitmaps all clear: INW 0000H does not exit", run(g_inw, &g, USE_IO_BITMAPS), 18);
    io_bitmap_a[0] = 1;
    EQ("I/O bitmaps: INW 0000H with port 0's bit set exits", run(g_inw, &g, USE_IO_BITMAPS), 30);
}

/* Table 28-11 for "(%rax)": scaling 0, address size 64 (2 << 7), segment
 * DS (3 << 15), index invalid (1 << 22), base RAX (0), base valid. */
#define INFO_MEM_RAX (2u << 7 | 3u << 15 | 1u << 22)
/* the bits those tables define (the others are undefined): Table 28-11
 * scaling 1:0, address size 9:7, 10 (0), segment .. base invalid 27:15;
 * Table 28-13's memory form adds Reg2 31:28 */
#define INFO_MEM_DEFINED 0x0fff8783u
#define INFO_RW_MEM_DEFINED 0xffff8783u
/* Table 28-13, register form: Reg1 6:3 = RBX (3), bit 10, Reg2 31:28 = RCX (1) */
#define INFO_REG_MASK (0xfu << 3 | 1u << 10 | 0xfu << 28)
#define INFO_RBX_RCX (3u << 3 | 1u << 10 | 1u << 28)

static void vmx_mem(const char *what, void (*fn)(void), uint64_t reason)
{
    struct gregs g = { 0 };
    g.rax = (uint64_t)&vmx_operand;
    uint64_t r = run(fn, &g, 0);
    CHECKX(r == reason, what, r);
    EQ("  instruction information: (%rax), 64-bit, DS (418100H)", vmr(EXIT_INSN_INFO) & INFO_MEM_DEFINED,
       INFO_MEM_RAX);
    EQ("  qualification: the displacement (0)", vmr(EXIT_QUAL), 0);
}

static void test_vmx_insns(void)
{
    struct gregs g = { 0 };
    vmx_operand = 0x123000;
    vmx_mem("VMCLEAR in the guest: reason 19", g_vmclear, 19);
    vmx_mem("VMPTRLD in the guest: reason 21", g_vmptrld, 21);
    vmx_mem("VMXON in the guest: reason 27", g_vmxon, 27);
    vmx_mem("VMPTRST in the guest: reason 22", g_vmptrst, 22);
    EQ("  VMPTRST in the guest stores nothing", vmx_operand, 0x123000);
    g.rcx = 0x681e;
    EQ("VMREAD in the guest: reason 23", run(g_vmread, &g, 0), 23);
    EQ("  VMREAD %rcx,%rbx: Reg1 RBX, register form, Reg2 RCX", vmr(EXIT_INSN_INFO) & INFO_REG_MASK,
       INFO_RBX_RCX);
    g = (struct gregs){ 0 };
    g.rcx = 0x681e;
    g.rax = (uint64_t)&vmx_operand;
    EQ("VMREAD to memory in the guest: reason 23", run(g_vmread_mem, &g, 0), 23);
    EQ("  VMREAD %rcx,(%rax): (%rax), 64-bit, DS, memory form, Reg2 RCX (10418100H)",
       vmr(EXIT_INSN_INFO) & INFO_RW_MEM_DEFINED, INFO_MEM_RAX | 1u << 28);
    EQ("  qualification: the displacement (0)", vmr(EXIT_QUAL), 0);
    g = (struct gregs){ 0 };
    g.rcx = 0x681e;
    EQ("VMWRITE in the guest: reason 25", run(g_vmwrite, &g, 0), 25);
    EQ("  VMWRITE %rbx,%rcx: Reg1 RBX, register form, Reg2 RCX", vmr(EXIT_INSN_INFO) & INFO_REG_MASK,
       INFO_RBX_RCX);
    g = (struct gregs){ 0 };
    EQ("VMLAUNCH in the guest: reason 20", run(g_vmlaunch, &g, 0), 20);
    EQ("  VMLAUNCH: instruction length 3", vmr(EXIT_INSN_LEN), 3);
    EQ("VMRESUME in the guest: reason 24", run(g_vmresume, &g, 0), 24);
    EQ("VMXOFF in the guest: reason 26", run(g_vmxoff, &g, 0), 26);
}

static void test_db(void)
{
    struct gregs g = { 0 };
    vmw(EXC_BITMAP, 1u << 1);
    EQ("single-step #DB with the exception bitmap's bit 1: reason 0", run(g_db, &g, 0), 0);
    EQ("#DB: interruption information 80000301H (valid, hardware exception, 1)",
       vmr(EXIT_INTR_INFO), 0x80000301u);
    EQ("#DB: qualification BS (bit 14)", vmr(EXIT_QUAL), 0x4000);
    EQ("#DB: a trap, the guest RIP is after the NOP", vmr(G_RIP), (uint64_t)g_db_after);
    /* a data breakpoint: DR0 (shared with the host) on vmx_operand, the
     * guest's DR7 (loaded with "load debug controls") L0, R/W0 = 01
     * (writes), LEN0 = 10 (8 bytes) */
    __asm__ volatile("mov %0, %%dr0" ::"r"((uint64_t)&vmx_operand));
    vmw(ENTRY_CTLS, vmx_adjust(0x490, 1u << 9 | 1u << 2)); /* + load debug controls */
    vmw(G_DR7, 0x400 | 1u | 1u << 16 | 2u << 18);
    g = (struct gregs){ 0 };
    g.rax = (uint64_t)&vmx_operand;
    EQ("data breakpoint #DB with the exception bitmap's bit 1: reason 0", run(g_dbw, &g, 0), 0);
    EQ("  interruption information 80000301H", vmr(EXIT_INTR_INFO), 0x80000301u);
    EQ("  qualification B0 (bit 0)", vmr(EXIT_QUAL), 1);
    EQ("  a trap: the store is done, RIP after it", vmr(G_RIP), (uint64_t)g_dbw_after);
    EQ("  the store itself", vmx_operand, 1);
    vmw(G_DR7, 0x400);
    vmw(EXC_BITMAP, 0);
}

static uint64_t xgetbv0(void)
{
    uint32_t a, d;
    __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
    return (uint64_t)d << 32 | a;
}
static void xsetbv0(uint64_t v)
{
    __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static void test_xsetbv(void)
{
    struct gregs g = { 0 };
    CHECKX(rdmsr(0x489) & (1u << 18), "IA32_VMX_CR4_FIXED1 has OSXSAVE (bit 18)", rdmsr(0x489));
    CHECKX(!(rdmsr(0x48b) >> 32 & (1u << 20)), "IA32_VMX_PROCBASED_CTLS2: enable XSAVES/XRSTORS not allowed",
           rdmsr(0x48b) >> 32);
    CHECKX(xgetbv0() == 1, "host XCR0 = 1 (reset value)", xgetbv0());
    g.rax = 3;
    EQ("XSETBV in the guest (XCR0 = 3): reason 55", run(g_xsetbv, &g, 0), 55);
    EQ("  XSETBV: instruction length 3", vmr(EXIT_INSN_LEN), 3);
    EQ("  XSETBV: qualification 0", vmr(EXIT_QUAL), 0);
    EQ("  XSETBV: a fault-like exit, guest RIP at the XSETBV", vmr(G_RIP), (uint64_t)g_xsetbv);
    EQ("  XSETBV: XCR0 not written (the VMM emulates it)", xgetbv0(), 1);
    g = (struct gregs){ 0 };
    g.rcx = 1;
    EQ("XSETBV ECX = 1, value 0 (would #GP): still exits 55", run(g_xsetbv, &g, 0), 55);
    /* no XCR0 switch on entry / exit: the guest reads the host's */
    xsetbv0(3);
    g = (struct gregs){ 0 };
    EQ("XGETBV in the guest does not exit (the VMCALL after it does)", run(g_xgetbv, &g, 0), 18);
    EQ("  XGETBV in the guest reads the host's XCR0 (3)", g.rax, 3);
    xsetbv0(1);
    EQ("  and the host's XCR0 after the exit is its own (1)", xgetbv0(), 1);
    /* #UD (CR4.OSXSAVE = 0 in the guest) before the exit */
    uint64_t cr4 = vmr(G_CR4);
    vmw(G_CR4, cr4 & ~(1ull << 18));
    vmw(EXC_BITMAP, 1u << 6 | 1u << 13);
    g = (struct gregs){ 0 };
    g.rax = 3;
    EQ("XSETBV with guest CR4.OSXSAVE = 0: #UD, reason 0 (exception bitmap)", run(g_xsetbv, &g, 0), 0);
    EQ("  interruption information 80000306H (#UD)", vmr(EXIT_INTR_INFO), 0x80000306u);
    vmw(G_CR4, cr4);
    /* #GP(0) at CPL 3 before the exit: a 64-bit user guest on the user page */
    vmxt_seg(1, X86T_UCODE64 | 3, 0, 0xffffffff, 0xa0fb);
    vmxt_seg(2, X86T_UDATA | 3, 0, 0xffffffff, 0xc0f3);
    g = (struct gregs){ 0 };
    g.rax = 3;
    vmw(PROC, vmx_adjust(0x48e, proc_base));
    vmw(G_RIP, (uint64_t)g_xsetbv_user);
    vmw(G_RSP, (uint64_t)(user_stack + sizeof user_stack));
    vmw(G_RFLAGS, 2);
    uint64_t r = vm_enter(&g, 0);
    CHECKX(r == 0, "VM entry (CPL 3 guest)", r | vmr(INSN_ERROR) << 16);
    EQ("XSETBV at guest CPL 3: #GP, reason 0 (exception bitmap)", vmr(EXIT_REASON), 0);
    EQ("  interruption information 80000B0DH (#GP with an error code)", vmr(EXIT_INTR_INFO), 0x80000b0du);
    EQ("  error code 0", vmr(EXIT_INTR_ERR), 0);
    vmxt_seg(1, 0x08, 0, 0xffffffff, 0xa09b);
    vmxt_seg(2, 0x10, 0, 0xffffffff, 0xc093);
    vmw(EXC_BITMAP, 0);
}

int kmain(void)
{
    x86t_puts("x86 vmx-exits2: start\n");
    x86t_idt_init();
    x86t_sys_init();
    vmxt_start("vmx-exits2", vmxon_region, vmcs);
    uint32_t r[4];
    cpuid(1, 0, r);
    CHECK(r[2] & (1u << 26), "CPUID.1:ECX.XSAVE ([cpu] xsave = on)");
    if (r[2] & (1u << 26)) /* the host's (and, copied, the guest's) CR4.OSXSAVE */
        write_cr4(read_cr4() | 1u << 18);
    vmxt_setup((uint64_t)g_cr8_store, (uint64_t)(guest_stack + sizeof guest_stack), 0, 0, 0,
               X86T_TSS, (uint64_t)&x86t_tss);
    test_cr8();
    test_io();
    test_io_wrap();
    test_vmx_insns();
    test_db();
    if (r[2] & (1u << 26))
        test_xsetbv();
    return vmxt_finish("vmx-exits2", vmcs);
}
