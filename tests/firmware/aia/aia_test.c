/* aia_test.c — an M-mode test program for hvsim's IMSICs ([aia] mode =
 * imsic, [aia] guests = 1, --smp 2; docs/riscv.md "AIA"), written from the
 * RISC-V Advanced Interrupt Architecture 1.0 (§2.3 indirect CSR access,
 * §3.3 interrupt-file pages, §3.8 file registers, §3.9 *topei, §3.10
 * delivery) and the H extension's hgeie/hgeip/hstatus.VGEIN.
 *
 * Hart 0 checks, all from M mode:
 *   M file   miselect/mireg: eidelivery WARL (reset 0x40000000), eithreshold
 *            WLRL, identity 0 read-only zero, odd eip/eie and unknown
 *            selects are illegal instructions; MSIs to its own page set
 *            pending bits; mtopei orders by identity, honours eithreshold,
 *            a CSRRW claims exactly what it reads; mip.MEIP follows;
 *            mtopi/stopi order by the default order and the iprio arrays
 *            (writable bytes, IPRIO in its full form);
 *            writes that are not MSIs (identity 0 or > 255, a byte store,
 *            offset 4 = seteipnum_be) change nothing
 *   MSI IPI  an MSI to hart 1's M page: hart 1, asleep in WFI with MEIE,
 *            takes the machine external interrupt and claims identity 7
 *   S file   through siselect/sireg: mip.SEIP and stopei
 *   guest 1  through vsiselect/vsireg with hstatus.VGEIN = 1: hgeip bit 1,
 *            mip.SGEIP with hgeie, mip.VSEIP, vstopei; VGEIN = 0 makes
 *            vsireg/vstopei illegal; VGEIN = 2 (> GEILEN) reads back 0
 * Output on the UART; power-off through sifive_test: pass, or fail with the
 * number of failed checks (each FAIL line says which). */
#include <stdint.h>
#include <stddef.h>

#define UART 0x10000000ul
#define TEST 0x100000ul
#define IMSIC_M 0x24000000ul
#define IMSIC_S 0x28000000ul /* per hart 2 pages: S file, guest 1 (guest-index-bits 1) */
#define APLIC_M 0x0c000000ul /* --aia aplic / aplic-imsic: root domain */
#define APLIC_S 0x0d000000ul /*   and its supervisor-level child */

#define CSR_READ(n) ({ uint64_t v_; __asm__ volatile("csrr %0, " #n : "=r"(v_)); v_; })
#define CSR_WRITE(n, v) __asm__ volatile("csrw " #n ", %0" ::"r"((uint64_t)(v)))
#define CSR_SWAP(n, v) ({ uint64_t v_; __asm__ volatile("csrrw %0, " #n ", %1" : "=r"(v_) : "r"((uint64_t)(v))); v_; })

enum { MISELECT = 0x350, MIREG = 0x351, SISELECT = 0x150, SIREG = 0x151, VSISELECT = 0x250 };
enum { EIDELIVERY = 0x70, EITHRESHOLD = 0x72, EIP0 = 0x80, EIE0 = 0xc0 };

static inline void fence(void) { __asm__ volatile("fence iorw, iorw" ::: "memory"); }
static void putc_(char c)
{
    while (!(*(volatile uint8_t *)(UART + 5) & 0x20))
        ;
    *(volatile uint8_t *)UART = (uint8_t)c;
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v)
{
    for (int i = 15; i >= 0; i--)
        putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void exit_(uint32_t code)
{
    *(volatile uint32_t *)TEST = code ? 0x3333 | code << 16 : 0x5555;
    for (;;)
        ;
}
static int failures;
static void check(int ok, const char *what)
{
    puts_(ok ? "ok   " : "FAIL ");
    puts_(what);
    putc_('\n');
    if (!ok)
        failures++;
}

/* ---- traps: illegal instructions are counted and skipped --------------- */

volatile uint64_t illegal_count, virtual_count;
uint64_t run_lower(int vs);
void lower_ret(void);
volatile uint64_t h1_claimed, h1_cause;
volatile uint32_t h1_ready;

uint64_t aia_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    uint64_t hart = CSR_READ(mhartid);
    if (cause == 2) { /* illegal instruction: count it, skip the 4 bytes */
        illegal_count++;
        return epc + 4;
    }
    if (cause == 22) { /* virtual instruction (from VS-mode): count it, skip it */
        virtual_count++;
        return epc + 4;
    }
    if (cause == 9 || cause == 10) { /* ecall from S / VS: run_lower is done, back to M */
        CSR_WRITE(mstatus, (CSR_READ(mstatus) & ~(1ull << 39)) | 3ull << 11);
        return (uint64_t)(uintptr_t)lower_ret;
    }
    if (hart == 1 && cause == (1ull << 63 | 11)) { /* machine external */
        h1_cause = cause;
        h1_claimed = CSR_SWAP(0x35c, 0) >> 16; /* csrrw mtopei: read + claim */
        return epc;
    }
    puts_("FAIL trap hart=");
    puthex(hart);
    puts_(" mcause=");
    puthex(cause);
    puts_(" mepc=");
    puthex(epc);
    puts_(" mtval=");
    puthex(tval);
    putc_('\n');
    exit_(99);
    return epc;
}

/* ---- register access through the iselect/ireg CSR pairs ------------------ */

static uint32_t rd32_(unsigned long a) { return *(volatile uint32_t *)a; }
static uint64_t mreg(uint64_t sel) { CSR_WRITE(0x350, sel); return CSR_READ(0x351); }
static void mreg_w(uint64_t sel, uint64_t v) { CSR_WRITE(0x350, sel); CSR_WRITE(0x351, v); }
static uint64_t sreg(uint64_t sel) { CSR_WRITE(0x150, sel); return CSR_READ(0x151); }
static void sreg_w(uint64_t sel, uint64_t v) { CSR_WRITE(0x150, sel); CSR_WRITE(0x151, v); }
static uint64_t vsreg(uint64_t sel) { CSR_WRITE(0x250, sel); return CSR_READ(0x251); }
static void vsreg_w(uint64_t sel, uint64_t v) { CSR_WRITE(0x250, sel); CSR_WRITE(0x251, v); }

static void msi(unsigned long page, uint32_t id)
{
    *(volatile uint32_t *)page = id;
    fence();
}
static uint64_t mip(void) { return CSR_READ(mip); }
#define MEIP (1ull << 11)
#define SEIP (1ull << 9)
#define VSEIP (1ull << 10)
#define SGEIP (1ull << 12)
#define TOP(id) ((uint64_t)(id) << 16 | (id))

static void test_m_file(void)
{
    check(mreg(EIDELIVERY) == 0x40000000, "m: eidelivery resets to 0x40000000 (PLIC delivery)");
    mreg_w(EIDELIVERY, 5);
    check(mreg(EIDELIVERY) == 0, "m: eidelivery is WARL (5 reads 0)");
    mreg_w(EIDELIVERY, 1);
    check(mreg(EIDELIVERY) == 1, "m: eidelivery = 1");
    mreg_w(EITHRESHOLD, 300);
    check(mreg(EITHRESHOLD) == 255, "m: eithreshold holds 0..255 (300 reads 255)");
    mreg_w(EITHRESHOLD, 0);
    mreg_w(EIE0, ~0ull);
    check(mreg(EIE0) == ~1ull, "m: eie0 bit 0 (identity 0) is read-only zero");
    mreg_w(EIE0 + 2 * 3, ~0ull);
    check(mreg(EIE0 + 2 * 3) == ~0ull, "m: eie6 holds identities 192..255");
    mreg_w(EIE0 + 2 * 4, ~0ull);
    check(mreg(EIE0 + 2 * 4) == 0, "m: eie8 (identities 256..) reads zero");
    check(mreg(0x71) == 0, "m: reserved select 0x71 reads zero");
    uint64_t before = illegal_count;
    (void)mreg(0x81);
    check(illegal_count == before + 1, "m: odd eip1 does not exist on RV64 (illegal instruction)");
    (void)mreg(0x40);
    check(illegal_count == before + 2, "m: select 0x40 is illegal");
    check(mreg(0x30) == 0, "m: iprio0 resets to zero");
    (void)mreg(0x31);
    check(illegal_count == before + 3, "m: odd iprio1 does not exist on RV64 (illegal instruction)");
    /* writable bytes (IPRIOLEN 8): M level SSI, MSI, STI, MTI, SEI (LCOFI with
     * Sscofpmf); MEI's and the H interrupts' read-only zero; S level SSI,
     * STI, VSSI, VSTI, VSEI, SGEI (guest files) and 13..63; SEI's zero */
    mreg_w(0x30, ~0ull);
    mreg_w(0x32, ~0ull);
    mreg_w(0x34, ~0ull);
    check(mreg(0x30) == 0xff00ff00ff00ff00ull && mreg(0x32) == 0xff00ull && mreg(0x34) == 0,
          "m: iprio0/2/4: bytes of 1, 3, 5, 7 and 9 writable, the rest read-only zero");
    mreg_w(0x30, 0);
    mreg_w(0x32, 0);
    sreg_w(0x30, ~0ull);
    sreg_w(0x32, ~0ull);
    sreg_w(0x3e, ~0ull);
    check(sreg(0x30) == 0x00ffff0000ffff00ull && sreg(0x32) == 0xffffffff00ff0000ull && sreg(0x3e) == ~0ull,
          "s: iprio0/2/14: bytes of 1, 2, 5, 6, 10, 12 and 13..63 writable, SEI's (9) read-only zero");
    sreg_w(0x30, 0);
    sreg_w(0x32, 0);
    sreg_w(0x3e, 0);
    check(sreg(0x30) == 0 && sreg(0x3e) == 0, "s: iprio written back to zero");

    mreg_w(EIE0, 0);
    mreg_w(EIE0 + 2 * 3, 0);
    mreg_w(EIE0, 1ull << 5 | 1ull << 9);
    check(CSR_READ(0x35c) == 0 && !(mip() & MEIP), "m: nothing pending: mtopei 0, MEIP clear");
    msi(IMSIC_M, 9);
    check(CSR_READ(0x35c) == TOP(9), "m: MSI 9 to the own page: mtopei = 9");
    check(mip() & MEIP, "m: mip.MEIP set");
    msi(IMSIC_M, 5);
    check(CSR_READ(0x35c) == TOP(5), "m: MSI 5: lower identity first (mtopei = 5)");
    check((mreg(EIP0) & 0x3ff) == (1ull << 5 | 1ull << 9), "m: eip0 shows identities 5 and 9");
    mreg_w(EITHRESHOLD, 5);
    check(CSR_READ(0x35c) == 0 && !(mip() & MEIP), "m: eithreshold 5 masks 5 and up");
    mreg_w(EITHRESHOLD, 6);
    check(CSR_READ(0x35c) == TOP(5) && (mip() & MEIP), "m: eithreshold 6 lets 5 through");
    mreg_w(EITHRESHOLD, 0);
    CSR_WRITE(mie, MEIP);
    check(CSR_READ(0xfb0) == (11ull << 16 | 5), "m: mtopi = MEI (11), IPRIO 5 (mtopei's identity), with mie.MEIE");
    CSR_WRITE(mip, 1ull << 1); /* SSIP, not delegated: below MEI */
    CSR_WRITE(mie, MEIP | 1ull << 1);
    check(CSR_READ(0xfb0) == (11ull << 16 | 5), "m: MEI before SSI in the default order");
    /* the M-level iprio array (AIA §5.1): a number p ranks an interrupt with
     * the external interrupt of identity p, ties by the default order */
    mreg_w(0x30, 3ull << 8); /* SSI: 3 */
    check(CSR_READ(0xfb0) == (1ull << 16 | 3), "m: iprio SSI = 3 ranks above MEI's identity 5: mtopi = 1 / 3");
    mreg_w(0x30, 5ull << 8);
    check(CSR_READ(0xfb0) == (11ull << 16 | 5), "m: iprio SSI = 5 ties with MEI's 5: the default order (MEI)");
    mreg_w(0x30, 0);
    CSR_WRITE(mie, 1ull << 1);
    check(CSR_READ(0xfb0) == (1ull << 16 | 255), "m: only SSI enabled: mtopi = 1, IPRIO 255 (number 0, below MEI)");
    CSR_WRITE(mideleg, 1ull << 1);
    check(CSR_READ(0xfb0) == 0 && CSR_READ(0xdb0) == (1ull << 16 | 255),
          "m: SSI delegated: mtopi 0, stopi = 1 / 255");
    sreg_w(0x30, 7ull << 8);
    check(CSR_READ(0xdb0) == (1ull << 16 | 7), "s: iprio SSI = 7: stopi = 1 / 7");
    sreg_w(0x30, 0);
    CSR_WRITE(mip, 0);
    CSR_WRITE(mideleg, 0);
    CSR_WRITE(mie, 0);
    check(CSR_READ(0xfb0) == 0 && CSR_READ(0xdb0) == 0, "m: nothing enabled: mtopi and stopi 0");
    check(CSR_READ(0x308) == 0, "m: mvien resets to 0");
    CSR_WRITE(0x309, ~0ull);
    check(CSR_READ(0x309) == (~0x1fffull | 1ull << 1 | 1ull << 5 | 1ull << 9) &&
          (mip() & (1ull << 1 | 1ull << 5 | 1ull << 9)) == (1ull << 1 | 1ull << 5 | 1ull << 9),
          "m: mvip bits 1, 5, 9 are aliases of mip.SSIP/STIP/SEIP (mvien 0); 13..63 writable");
    CSR_WRITE(0x309, 0);
    check((mip() & (1ull << 1 | 1ull << 5 | 1ull << 9)) == 0, "m: mvip = 0 clears them in mip");
    check(CSR_SWAP(0x35c, 0x12345) == TOP(5), "m: csrrw mtopei reads 5 and claims it");
    check(CSR_READ(0x35c) == TOP(9), "m: then 9 is on top");
    mreg_w(EIDELIVERY, 0);
    check(!(mip() & MEIP), "m: eidelivery 0 holds MEIP low");
    mreg_w(EIDELIVERY, 1);
    check(CSR_SWAP(0x35c, 0) == TOP(9) && CSR_READ(0x35c) == 0 && !(mip() & MEIP),
          "m: claim 9: nothing left, MEIP clear");
    /* not MSIs */
    msi(IMSIC_M, 0);
    msi(IMSIC_M, 300);
    *(volatile uint8_t *)IMSIC_M = 5;
    msi(IMSIC_M + 4, 5); /* seteipnum_be: ignored on this little-endian system */
    fence();
    check(mreg(EIP0) == 0 && mreg(EIP0 + 2 * 4) == 0,
          "m: identity 0, 300, a byte store and seteipnum_be set nothing");
    check(*(volatile uint32_t *)IMSIC_M == 0, "m: seteipnum_le reads zero");
    msi(IMSIC_M, 200);
    check(mreg(EIP0 + 2 * 3) == 1ull << (200 - 192), "m: MSI 200 lands in eip6 (not enabled)");
    mreg_w(EIP0 + 2 * 3, 0);
    check(mreg(EIP0 + 2 * 3) == 0, "m: eip6 written back to zero");
    mreg_w(EIDELIVERY, 0x40000000);
}

static void test_ipi(void)
{
    while (!h1_ready)
        fence();
    msi(IMSIC_M + 0x1000, 7);
    for (long i = 0; i < 10000000 && !h1_claimed; i++)
        fence();
    check(h1_claimed == 7, "ipi: hart 1 took its machine external interrupt and claimed 7");
    check(h1_cause == (1ull << 63 | 11), "ipi: mcause = machine external interrupt");
}

/* hart 1: its M file delivers identity 7; sleep until the handler claims it */
void aia_hart1(void)
{
    mreg_w(EIDELIVERY, 1);
    mreg_w(EIE0, 1ull << 7);
    CSR_WRITE(mie, MEIP);
    __asm__ volatile("csrs mstatus, 8"); /* MIE */
    fence();
    h1_ready = 1;
    while (!h1_claimed)
        __asm__ volatile("wfi");
    for (;;)
        __asm__ volatile("wfi");
}

static void test_s_file(void)
{
    check(sreg(EIDELIVERY) == 0x40000000, "s: eidelivery resets to 0x40000000");
    sreg_w(EIDELIVERY, 1);
    sreg_w(EIE0, 1ull << 3);
    msi(IMSIC_S, 3);
    check(CSR_READ(0x15c) == TOP(3), "s: MSI 3 to the S page: stopei = 3");
    check((mip() & SEIP) && !(mip() & MEIP), "s: mip.SEIP set, MEIP not");
    check(CSR_SWAP(0x15c, 0) == TOP(3) && !(mip() & SEIP), "s: csrrw stopei claims 3, SEIP clear");
    sreg_w(EIDELIVERY, 0x40000000);
}

static void test_guest_file(void)
{
    CSR_WRITE(0x600, 1ull << 12); /* hstatus.VGEIN = 1 */
    check(((CSR_READ(0x600) >> 12) & 0x3f) == 1, "guest: hstatus.VGEIN = 1 sticks");
    vsreg_w(EIDELIVERY, 0x40000000);
    check(vsreg(EIDELIVERY) == 0, "guest: eidelivery has no PLIC mode (0x40000000 reads 0)");
    vsreg_w(EIDELIVERY, 1);
    vsreg_w(EIE0, 1ull << 4);
    msi(IMSIC_S + 0x1000, 4);
    check(CSR_READ(0xe12) == 2, "guest: MSI 4 to guest page 1: hgeip = bit 1");
    check((mip() & VSEIP) && !(mip() & SGEIP), "guest: mip.VSEIP set (VGEIN = 1), SGEIP not (hgeie 0)");
    CSR_WRITE(0x607, ~0ull);
    check(CSR_READ(0x607) == 2, "guest: hgeie holds bit 1 only (GEILEN = 1)");
    check(mip() & SGEIP, "guest: mip.SGEIP with hgeie bit 1");
    check(CSR_READ(0x25c) == TOP(4), "guest: vstopei = 4");
    CSR_WRITE(0x600, 0);
    check(!(mip() & VSEIP), "guest: VGEIN = 0: VSEIP clear");
    uint64_t before = illegal_count;
    (void)CSR_READ(0x25c);
    (void)vsreg(EIDELIVERY);
    check(illegal_count == before + 2, "guest: VGEIN = 0: vstopei and vsireg are illegal");
    CSR_WRITE(0x600, 2ull << 12);
    check(((CSR_READ(0x600) >> 12) & 0x3f) == 0, "guest: VGEIN = 2 (> GEILEN) reads back 0");
    CSR_WRITE(0x600, 1ull << 12);
    check(CSR_SWAP(0x25c, 0) == TOP(4) && CSR_READ(0xe12) == 0 && !(mip() & (VSEIP | SGEIP)),
          "guest: csrrw vstopei claims 4; hgeip, VSEIP, SGEIP clear");
    CSR_WRITE(0x607, 0);
    CSR_WRITE(0x600, 0);
}

/* ---- the APLIC (AIA chapter 4) -------------------------------------------------- */

enum { DOMAINCFG = 0x0, SOURCECFG = 0x4 /* + 4 (i - 1) */, MMSIADDRCFGH = 0x1bc4, SETIP = 0x1c00,
       SETIPNUM = 0x1cdc, IN_CLRIP = 0x1d00, CLRIPNUM = 0x1ddc, SETIENUM = 0x1edc,
       CLRIENUM = 0x1fdc, GENMSI = 0x3000, TARGET = 0x3004 /* + 4 (i - 1) */, IDC = 0x4000 };
enum { IDELIVERY = 0x0, IFORCE = 0x4, ITHRESHOLD = 0x8, TOPI = 0x18, CLAIMI = 0x1c };
static uint32_t ar(unsigned long d, unsigned off) { return rd32_(d + off); }
static void aw(unsigned long d, unsigned off, uint32_t v) { *(volatile uint32_t *)(d + off) = v; fence(); }
#define SRCCFG(i) (SOURCECFG + 4 * ((i) - 1))
#define TGT(i) (TARGET + 4 * ((i) - 1))
#define UART_IRQ 10
/* the UART's interrupt wire: high while IER.ETBEI is set (THR is always empty) */
static void uart_wire(int high) { *(volatile uint8_t *)(UART + 1) = high ? 2 : 0; fence(); }

static void test_aplic_direct(void)
{
    check(ar(APLIC_M, DOMAINCFG) == 0x80000000u, "aplic: root domaincfg reads 0x80000000 (IE 0, DM 0)");
    aw(APLIC_M, DOMAINCFG, 1u << 8 | 1u << 2);
    check(ar(APLIC_M, DOMAINCFG) == (0x80000000u | 1u << 8), "aplic: DM stays 0 without IMSICs, IE sticks");
    /* source 5 detached, hart 0, priority 3 */
    aw(APLIC_M, SRCCFG(5), 1);
    check(ar(APLIC_M, SRCCFG(5)) == 1, "aplic: sourcecfg[5] = detached");
    aw(APLIC_M, SRCCFG(6), 2);
    check(ar(APLIC_M, SRCCFG(6)) == 0, "aplic: reserved source mode 2 reads inactive");
    aw(APLIC_M, TGT(5), 0u << 18 | 3);
    aw(APLIC_M, TGT(7), 5); /* source 7 inactive: target read-only zero */
    check(ar(APLIC_M, TGT(5)) == 3 && ar(APLIC_M, TGT(7)) == 0, "aplic: target[5] = hart 0 prio 3; inactive target[7] reads 0");
    aw(APLIC_M, SETIENUM, 5);
    aw(APLIC_M, IDC + IDELIVERY, 1);
    check(ar(APLIC_M, IDC + TOPI) == 0 && !(mip() & MEIP), "aplic: nothing pending: topi 0, MEIP clear");
    aw(APLIC_M, SETIPNUM, 5);
    check(ar(APLIC_M, SETIP) == 1u << 5, "aplic: setipnum 5 sets its pending bit");
    check(ar(APLIC_M, IDC + TOPI) == (5u << 16 | 3), "aplic: topi = source 5, priority 3");
    check(mip() & MEIP, "aplic: mip.MEIP from the root domain's IDC");
    aw(APLIC_M, IDC + ITHRESHOLD, 3);
    check(ar(APLIC_M, IDC + TOPI) == 0 && !(mip() & MEIP), "aplic: ithreshold 3 masks priority 3");
    aw(APLIC_M, IDC + ITHRESHOLD, 4);
    check(ar(APLIC_M, IDC + CLAIMI) == (5u << 16 | 3), "aplic: claimi returns source 5 ...");
    check(ar(APLIC_M, SETIP) == 0 && !(mip() & MEIP), "aplic: ... and claims it (not pending, MEIP clear)");
    aw(APLIC_M, IDC + IFORCE, 1);
    check((mip() & MEIP) && ar(APLIC_M, IDC + TOPI) == 0, "aplic: iforce raises MEIP with topi 0");
    check(ar(APLIC_M, IDC + CLAIMI) == 0 && ar(APLIC_M, IDC + IFORCE) == 0 && !(mip() & MEIP),
          "aplic: claimi of 0 clears iforce");
    /* the UART's wire, level-high: THR-empty interrupt enabled */
    aw(APLIC_M, SRCCFG(UART_IRQ), 6);
    aw(APLIC_M, TGT(UART_IRQ), 0u << 18 | 1);
    aw(APLIC_M, SETIENUM, UART_IRQ);
    *(volatile uint8_t *)(UART + 1) = 2; /* IER: ETBEI */
    fence();
    check(ar(APLIC_M, IN_CLRIP) & 1u << UART_IRQ, "aplic: in_clrip shows the UART's wire high");
    check(ar(APLIC_M, IDC + TOPI) == ((uint32_t)UART_IRQ << 16 | 1) && (mip() & MEIP),
          "aplic: the UART interrupt (source 10, level) is on top, MEIP");
    (void)ar(APLIC_M, IDC + CLAIMI);
    check(ar(APLIC_M, SETIP) & 1u << UART_IRQ, "aplic: a level source stays pending after its claim");
    aw(APLIC_M, CLRIPNUM, UART_IRQ);
    check(ar(APLIC_M, SETIP) & 1u << UART_IRQ, "aplic: clripnum cannot clear it (direct mode)");
    *(volatile uint8_t *)(UART + 1) = 0;
    fence();
    check(!(ar(APLIC_M, SETIP) & 1u << UART_IRQ) && !(mip() & MEIP), "aplic: the wire low: not pending");
    /* the other source modes on the same wire (IER.ETBEI drives it) */
    aw(APLIC_M, SRCCFG(UART_IRQ), 4); /* edge, rising */
    aw(APLIC_M, CLRIPNUM, UART_IRQ);
    uart_wire(1);
    uint32_t p_rise = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    uint32_t t_rise = ar(APLIC_M, IDC + CLAIMI);
    uint32_t p_claimed = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    uart_wire(0);
    uint32_t p_fall = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    uart_wire(1);
    uint32_t p_again = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    aw(APLIC_M, CLRIPNUM, UART_IRQ);
    uint32_t p_clr = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    check(p_rise && t_rise == ((uint32_t)UART_IRQ << 16 | 1) && !p_claimed && !p_fall && p_again && !p_clr,
          "aplic: edge-rising source: pending on the rising edge, claimi takes it, none on the falling edge, clripnum clears");
    aw(APLIC_M, SRCCFG(UART_IRQ), 5); /* edge, falling (wire high now) */
    uint32_t p_cfg = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    uint32_t in_hi = ar(APLIC_M, IN_CLRIP) & 1u << UART_IRQ;
    uart_wire(0);
    uint32_t p_f = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    uint32_t in_lo = ar(APLIC_M, IN_CLRIP) & 1u << UART_IRQ;
    int meip_f = (mip() & MEIP) != 0;
    (void)ar(APLIC_M, IDC + CLAIMI);
    uart_wire(1);
    uint32_t p_r = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    check(!p_cfg && !in_hi && p_f && in_lo && meip_f && !p_r,
          "aplic: edge-falling source: in_clrip inverted, pending (MEIP) on the falling edge only");
    uart_wire(0);
    aw(APLIC_M, SRCCFG(UART_IRQ), 7); /* level, low (wire low now) */
    uint32_t l_lo = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    int meip_l = (mip() & MEIP) != 0;
    aw(APLIC_M, CLRIPNUM, UART_IRQ);
    uint32_t l_clr = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    uart_wire(1);
    uint32_t l_hi = ar(APLIC_M, SETIP) & 1u << UART_IRQ;
    int meip_h = (mip() & MEIP) != 0;
    check(l_lo && meip_l && l_clr && !l_hi && !meip_h,
          "aplic: level-low source: pending while the wire is low (clripnum cannot clear it), not when high");
    uart_wire(0);
    aw(APLIC_M, SRCCFG(UART_IRQ), 0);
    /* delegation of source 6 to the supervisor-level domain */
    aw(APLIC_S, SRCCFG(6), 1);
    check(ar(APLIC_S, SRCCFG(6)) == 0, "aplic: child sourcecfg[6] is read-only zero until delegated");
    aw(APLIC_M, SRCCFG(6), 1u << 10);
    check(ar(APLIC_M, SRCCFG(6)) == 1u << 10, "aplic: root sourcecfg[6] = D (child 0)");
    aw(APLIC_S, SRCCFG(6), 1u << 10 | 1);
    check(ar(APLIC_S, SRCCFG(6)) == 0, "aplic: the leaf domain cannot delegate (register becomes 0)");
    aw(APLIC_S, SRCCFG(6), 1);
    aw(APLIC_S, TGT(6), 0u << 18 | 1);
    aw(APLIC_S, SETIENUM, 6);
    aw(APLIC_S, IDC + IDELIVERY, 1);
    aw(APLIC_S, DOMAINCFG, 1u << 8);
    aw(APLIC_S, SETIPNUM, 6);
    check((mip() & SEIP) && !(mip() & MEIP), "aplic: source 6 in the child domain raises SEIP, not MEIP");
    aw(APLIC_M, SETIPNUM, 6);
    check(!(ar(APLIC_M, SETIP) & 1u << 6), "aplic: source 6 is inactive in the root (its pending bit reads 0)");
    check(ar(APLIC_S, IDC + CLAIMI) == (6u << 16 | 1) && !(mip() & SEIP), "aplic: the child's claimi takes it");
    aw(APLIC_S, DOMAINCFG, 0);
    aw(APLIC_M, DOMAINCFG, 0);
}

static void test_aplic_msi(void)
{
    check(ar(APLIC_M, MMSIADDRCFGH) == 0x80000000u, "aplic-msi: mmsiaddrcfgh locked (hardwired MSI addresses)");
    aw(APLIC_M, DOMAINCFG, 1u << 8 | 1u << 2);
    check(ar(APLIC_M, DOMAINCFG) == (0x80000000u | 1u << 8 | 1u << 2), "aplic-msi: DM = 1 with IMSICs");
    mreg_w(EIDELIVERY, 1);
    mreg_w(EIE0, 1ull << 9 | 1ull << 12);
    aw(APLIC_M, SRCCFG(5), 1);
    aw(APLIC_M, TGT(5), 0u << 18 | 9); /* hart 0, EIID 9 */
    check(ar(APLIC_M, TGT(5)) == 9, "aplic-msi: target[5] = hart 0, EIID 9");
    aw(APLIC_M, SETIENUM, 5);
    aw(APLIC_M, SETIPNUM, 5);
    check(CSR_READ(0x35c) == TOP(9) && (mip() & MEIP), "aplic-msi: source 5 arrives as MSI 9 in the M file");
    check(ar(APLIC_M, SETIP) == 0, "aplic-msi: forwarded: no longer pending at the APLIC");
    (void)CSR_SWAP(0x35c, 0);
    aw(APLIC_M, GENMSI, 0u << 18 | 12);
    check(CSR_READ(0x35c) == TOP(12), "aplic-msi: genmsi sends EIID 12 to hart 0");
    (void)CSR_SWAP(0x35c, 0);
    /* the UART's wire in every source mode, forwarded as MSI 20 to the M file */
    mreg_w(EIE0, 1ull << 9 | 1ull << 12 | 1ull << 20);
    uint32_t got[8];
    aw(APLIC_M, SRCCFG(UART_IRQ), 4); /* edge, rising */
    aw(APLIC_M, TGT(UART_IRQ), 0u << 18 | 20);
    aw(APLIC_M, SETIENUM, UART_IRQ);
    uart_wire(1);
    got[0] = (uint32_t)CSR_SWAP(0x35c, 0);      /* rising edge: MSI 20 */
    uart_wire(0);
    got[1] = (uint32_t)CSR_READ(0x35c);         /* falling edge: none */
    aw(APLIC_M, SRCCFG(UART_IRQ), 5);           /* edge, falling */
    aw(APLIC_M, TGT(UART_IRQ), 0u << 18 | 20);
    aw(APLIC_M, SETIENUM, UART_IRQ);
    uart_wire(1);
    got[2] = (uint32_t)CSR_READ(0x35c);         /* rising: none */
    uart_wire(0);
    got[3] = (uint32_t)CSR_SWAP(0x35c, 0);      /* falling: MSI 20 */
    check(got[0] == TOP(20) && got[1] == 0 && got[2] == 0 && got[3] == TOP(20),
          "aplic-msi: edge sources: rising (mode 4) and falling (mode 5) edges each send one MSI");
    aw(APLIC_M, SRCCFG(UART_IRQ), 6);           /* level, high (wire low) */
    aw(APLIC_M, TGT(UART_IRQ), 0u << 18 | 20);
    aw(APLIC_M, SETIENUM, UART_IRQ);
    aw(APLIC_M, SETIPNUM, UART_IRQ);
    got[0] = (uint32_t)CSR_READ(0x35c);         /* setipnum while low: ignored */
    uart_wire(1);
    got[1] = (uint32_t)CSR_SWAP(0x35c, 0);      /* the wire rises: MSI */
    got[2] = (uint32_t)CSR_READ(0x35c) | (ar(APLIC_M, SETIP) & 1u << UART_IRQ); /* forwarded: no longer pending */
    aw(APLIC_M, SETIPNUM, UART_IRQ);
    got[3] = (uint32_t)CSR_SWAP(0x35c, 0);      /* setipnum while high: MSI again */
    uart_wire(0);
    check(got[0] == 0 && got[1] == TOP(20) && got[2] == 0 && got[3] == TOP(20),
          "aplic-msi: level-high source: MSI when the wire rises, setipnum re-sends only while high");
    aw(APLIC_M, SRCCFG(UART_IRQ), 0);
    uart_wire(1);
    aw(APLIC_M, SRCCFG(UART_IRQ), 7);           /* level, low (wire high) */
    aw(APLIC_M, TGT(UART_IRQ), 0u << 18 | 20);
    aw(APLIC_M, SETIENUM, UART_IRQ);
    got[0] = (uint32_t)CSR_READ(0x35c);         /* inactive level: nothing */
    uart_wire(0);
    got[1] = (uint32_t)CSR_SWAP(0x35c, 0);      /* the wire falls = rectified rises: MSI */
    uart_wire(1);
    aw(APLIC_M, SETIPNUM, UART_IRQ);
    got[2] = (uint32_t)CSR_READ(0x35c);         /* setipnum while the wire is high: ignored */
    check(got[0] == 0 && got[1] == TOP(20) && got[2] == 0,
          "aplic-msi: level-low source: MSI when the wire falls, setipnum ignored while high");
    uart_wire(0);
    aw(APLIC_M, SRCCFG(UART_IRQ), 0);
    mreg_w(EIDELIVERY, 0x40000000);
    /* the child domain, source 6, to guest file 1 */
    aw(APLIC_M, SRCCFG(6), 1u << 10);
    aw(APLIC_S, SRCCFG(6), 1);
    aw(APLIC_S, DOMAINCFG, 1u << 8 | 1u << 2);
    aw(APLIC_S, TGT(6), 0u << 18 | 1u << 12 | 4); /* hart 0, guest 1, EIID 4 */
    check(ar(APLIC_S, TGT(6)) == (1u << 12 | 4), "aplic-msi: child target[6] = hart 0, guest 1, EIID 4");
    CSR_WRITE(0x600, 1ull << 12); /* VGEIN = 1 */
    vsreg_w(EIDELIVERY, 1);
    vsreg_w(EIE0, 1ull << 4);
    aw(APLIC_S, SETIENUM, 6);
    aw(APLIC_S, SETIPNUM, 6);
    check(CSR_READ(0xe12) == 2 && CSR_READ(0x25c) == TOP(4), "aplic-msi: source 6 lands in guest file 1 as identity 4");
    (void)CSR_SWAP(0x25c, 0);
    CSR_WRITE(0x600, 0);
    aw(APLIC_S, DOMAINCFG, 0);
    aw(APLIC_M, DOMAINCFG, 0);
}

/* ---- filtering and virtual interrupts (Smaia §5.3, Ssaia §6.3), vstopi ---------- */

enum { MVIEN = 0x308, MVIP = 0x309, HVIEN = 0x608, HVICTL = 0x609, HVIPRIO1 = 0x646,
       HVIPRIO2 = 0x647, VSTOPI = 0xeb0, STOPI = 0xdb0 };
#define CSRR(n) ({ uint64_t v_; __asm__ volatile("csrr %0, %1" : "=r"(v_) : "i"(n)); v_; })
#define CSRW(n, v) __asm__ volatile("csrw %0, %1" ::"i"(n), "r"((uint64_t)(v)))
#define IRQ(n) (1ull << 63 | (n))

static void test_virtual_s(void)
{
    CSRW(MVIEN, ~0ull);
    check(CSRR(MVIEN) == (1ull << 1 | 1ull << 9 | ~0x1fffull), "mvien: bits 1, 9 and 13..63 writable");
    CSRW(MVIEN, 0);
    CSR_WRITE(mip, 0);
    CSRW(MVIP, 1ull << 1);
    check((mip() & 2) && CSRR(MVIP) == 2, "mvip: with mvien bit 1 clear, bit 1 is mip.SSIP (an injected S IPI)");
    CSR_WRITE(mip, 0);
    CSRW(MVIEN, 1ull << 1);
    CSRW(MVIP, 1ull << 1);
    check(!(mip() & 2) && CSRR(MVIP) == 2 && (CSR_READ(sip) & 2),
          "mvip: with mvien bit 1 set, bit 1 is its own bit, seen in sip (mideleg bit 1 clear), not in mip");
    CSRW(MVIP, 0);
    CSRW(MVIEN, 0);
    CSR_WRITE(mip, 1ull << 9); /* the software-writable SEIP */
    CSRW(MVIEN, 1ull << 9);
    uint64_t mip_in = mip() & (1ull << 9), mvip_in = CSRR(MVIP) & (1ull << 9);
    CSR_WRITE(mip, 1ull << 9);
    uint64_t mip_ro = mip() & (1ull << 9);
    CSRW(MVIEN, 0);
    check(!mip_in && mvip_in && !mip_ro && (mip() & (1ull << 9)),
          "mvien bit 9: the software SEIP moves to mvip (mip.SEIP read-only, 0) and back");
    CSR_WRITE(mip, 0);
    /* a virtual S-level interrupt 20: mvien, mvip, sie (mideleg bit 20 is 0) */
    CSRW(MVIEN, 1ull << 20);
    CSRW(MVIP, 1ull << 20);
    CSR_WRITE(sie, 1ull << 20);
    check(CSR_READ(sie) == 1ull << 20 && (CSR_READ(sip) & 1ull << 20) && CSRR(STOPI) == (20u << 16 | 0),
          "virtual S interrupt 20: sip/sie bits 20, stopi = 20 / 0 (default order above SEI)");
    check(run_lower(0) == IRQ(20), "virtual S interrupt 20 traps to S-mode: scause = 20");
    CSR_WRITE(sip, 0); /* sip bit 20 is mvip's: S software clears it */
    check(CSRR(MVIP) == 0 && run_lower(0) == 0, "sip write clears mvip bit 20: no interrupt");
    /* the S-level iprio array orders what S-mode takes: 20 (default: above
     * SEI) and 35 (below); 35 with number 1 and 20 with 2 put 35 first */
    CSRW(MVIEN, 1ull << 20 | 1ull << 35);
    CSRW(MVIP, 1ull << 20 | 1ull << 35);
    CSR_WRITE(sie, 1ull << 20 | 1ull << 35);
    check(CSRR(STOPI) == (20u << 16 | 0) && run_lower(0) == IRQ(20),
          "virtual S interrupts 20 and 35, iprio zero: the default order takes 20");
    sreg_w(0x34, 2ull << 32);  /* iprio4: interrupts 16..23, 20 in bits 39:32 */
    sreg_w(0x38, 1ull << 24);  /* iprio8: interrupts 32..39, 35 in bits 31:24 */
    check(sreg(0x34) == 2ull << 32 && sreg(0x38) == 1ull << 24, "s: iprio4/iprio8 hold the numbers of 20 and 35");
    check(CSRR(STOPI) == (35u << 16 | 1) && run_lower(0) == IRQ(35),
          "s: iprio 35 = 1, 20 = 2: stopi = 35 / 1 and S-mode takes 35");
    sreg_w(0x34, 0);
    sreg_w(0x38, 0);
    CSRW(MVIP, 0);
    CSR_WRITE(sie, 0);
    CSRW(MVIEN, 0);
}

static void test_virtual_vs(void)
{
    CSRW(HVIEN, ~0ull);
    check(CSRR(HVIEN) == ~0x1fffull, "hvien: bits 13..63 writable, 12:0 read-only zero");
    CSRW(HVICTL, ~0ull);
    check(CSRR(HVICTL) == (1ull << 30 | 0x3full << 16 | 0x3ff), "hvictl: VTI, IID (6 bits), DPR, IPRIOM, IPRIO");
    CSRW(HVICTL, 0);
    CSRW(HVIPRIO1, ~0ull);
    check(CSRR(HVIPRIO1) == 0xffffff00ff00ff00ull, "hviprio1: bytes of 1, 5, 13, 14, 15; 0, 4, 8 read-only zero");
    CSRW(HVIPRIO1, 0);
    CSRW(HVIEN, 0);
    check(CSRR(VSTOPI) == 0, "vstopi: 0 with nothing pending");
    /* hvien/hvip/vsie bit 21 */
    CSRW(HVIEN, 1ull << 21);
    CSRW(0x645, 1ull << 21); /* hvip */
    CSRW(0x204, 1ull << 21); /* vsie */
    check(CSRR(0x244) == 1ull << 21 && CSRR(0x204) == 1ull << 21 && CSRR(VSTOPI) == (21u << 16 | 1),
          "hvien bit 21: vsip = hvip bit 21, vsie bit 21 writable, vstopi = 21");
    check(run_lower(1) == IRQ(21), "VS interrupt 21 (hvien/hvip) traps to VS-mode: vscause = 21");
    CSRW(0x645, 0);
    /* hviprio2 orders 16 (default: below SSI) before a VS software interrupt */
    CSRW(HVIEN, 1ull << 16);
    CSRW(0x645, 1ull << 16 | 1ull << 2); /* hvip 16 and VSSIP */
    CSRW(0x204, 1ull << 16);
    CSRW(0x603, 1ull << 2);              /* hideleg VSSI */
    CSR_WRITE(mie, 1ull << 2);           /* vsie.SSIE = mie.VSSIE */
    uint64_t dflt = CSRR(VSTOPI);
    CSRW(HVICTL, 1ull << 8);             /* IPRIOM */
    CSRW(HVIPRIO2, 3);                   /* interrupt 16: priority 3 */
    uint64_t pr = CSRR(VSTOPI);
    check(dflt == (1u << 16 | 1) && pr == (16u << 16 | 3),
          "hviprio2: 16 with priority 3 goes before VS SSI (default order: SSI first); IPRIOM shows 3");
    check(run_lower(1) == IRQ(16), "... and is the interrupt VS-mode takes");
    CSRW(HVIPRIO2, 0);
    CSRW(HVICTL, 0);
    CSRW(0x645, 0);
    CSR_WRITE(mie, 0);
    CSRW(0x603, 0);
    CSRW(0x204, 0);
    CSRW(HVIEN, 0);
    /* hvictl: VTI with IID 33 injects interrupt 33 at priority 7 */
    CSRW(HVICTL, 1ull << 30 | 33ull << 16 | 1ull << 8 | 7);
    check(CSRR(VSTOPI) == (33u << 16 | 7), "hvictl VTI, IID 33, IPRIO 7: vstopi = 33 / 7");
    check(run_lower(1) == IRQ(33), "... VS-mode takes interrupt 33 (vscause 33)");
    CSRW(HVICTL, 1ull << 30 | 9ull << 16);
    uint64_t before = virtual_count;
    check(CSRR(VSTOPI) == 0 && run_lower(1) == 0, "hvictl VTI with IID 9: no interrupt");
    check(virtual_count == before + 1, "hvictl VTI: VS-mode's csrr sip is a virtual-instruction exception");
    CSRW(HVICTL, 0);
    before = virtual_count;
    (void)run_lower(1);
    check(virtual_count == before, "without VTI it is not");
}

void aia_main(void)
{
    puts_("aia-test: start\n");
    uint64_t before = illegal_count;
    (void)CSR_READ(0x350);
    int imsic = illegal_count == before;
    int aplic = (ar(APLIC_M, DOMAINCFG) >> 24) == 0x80;
    puts_(aplic ? (imsic ? "aia: APLIC (MSI) + IMSIC\n" : "aia: APLIC (direct)\n")
                : imsic ? "aia: IMSIC + PLIC\n" : "");
    if (!imsic && !aplic) {
        puts_("FAIL aia: miselect does not exist and no APLIC (no --aia)\n");
        exit_(1);
    }
    if (aplic && !imsic)
        test_aplic_direct();
    if (imsic) {
        test_m_file();
        test_ipi();
        test_s_file();
        test_guest_file();
        test_virtual_s();
        test_virtual_vs();
    }
    if (aplic && imsic)
        test_aplic_msi();
    puts_(failures ? "aia-test: FAILED\n" : "aia-test: PASS\n");
    exit_((uint32_t)failures);
}
