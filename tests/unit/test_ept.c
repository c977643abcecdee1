/* Unit tests for the EPT / VPID module (src/vmm/ept.c, docs/vmx_ept.md).
 *
 * Spec: Intel SDM Vol. 3C: EPTP format Table 25-9 and its VM-entry check
 * §27.2.1.1; the EPT walk §29.3.2 (entry formats Tables 29-1..29-6);
 * misconfigurations §29.3.3.1; violations §29.3.3.2 and their exit
 * qualification Table 28-7; accessed/dirty flags §29.3.5; INVEPT/INVVPID
 * (ch. 31 pseudocode, error 28 of Table 31-1) and what they invalidate
 * §29.4.3.1; IA32_VMX_EPT_VPID_CAP Vol. 3D Appendix A.10.
 *
 * The EPT tables live in a small fake host memory (64 pages at HPA 0);
 * reads outside it return all ones, as the x86 core's unclaimed reads do. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/ept.h"

Suite *ept_suite(void);

#define MEM_PAGES 64
static uint64_t mem[MEM_PAGES * 512];
static unsigned nreads, nwrites;

static uint64_t mem_read(void *opaque, uint64_t hpa)
{
    ck_assert_ptr_eq(opaque, mem);
    ck_assert_uint_eq(hpa & 7, 0);
    nreads++;
    return hpa / 8 < sizeof mem / 8 ? mem[hpa / 8] : ~0ull;
}

static void mem_write(void *opaque, uint64_t hpa, uint64_t val)
{
    ck_assert_ptr_eq(opaque, mem);
    ck_assert_uint_lt(hpa / 8, sizeof mem / 8);
    nwrites++;
    mem[hpa / 8] = val;
}

/* Table pages: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
enum { PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000 };
#define GPA ((1ull << 39) | (5ull << 30) | (3ull << 21) | (7ull << 12) | 0xabcull)
#define IDX4 1
#define IDX3 5
#define IDX2 3
#define IDX1 7
#define WB (6ull << 3)
#define A_BIT (1ull << 8)
#define D_BIT (1ull << 9)
#define EPTP_WB4 (PML4 | EPTP_PWL4 | EPT_MT_WB)

static uint64_t *ent(uint64_t table, unsigned idx)
{
    return &mem[table / 8 + idx];
}
#define PML4E (*ent(PML4, IDX4))
#define PDPTE (*ent(PDPT, IDX3))
#define PDE (*ent(PD, IDX2))
#define PTE (*ent(PT, IDX1))

static struct ept_ctx ctx(uint64_t eptp)
{
    struct ept_ctx c;
    ept_ctx_init(&c, eptp, 52, mem_read, mem_write, mem);
    return c;
}

/* A 4 KiB mapping of GPA's page to HPA 0x12345000 through entries with
 * the given bits 2:0. */
static void map4k(unsigned x4, unsigned x3, unsigned x2, uint64_t pte)
{
    memset(mem, 0, sizeof mem);
    PML4E = PDPT | x4;
    PDPTE = PD | x3;
    PDE = PT | x2;
    PTE = pte;
    nreads = nwrites = 0;
}

static void map2m(unsigned x4, unsigned x3, uint64_t pde)
{
    memset(mem, 0, sizeof mem);
    PML4E = PDPT | x4;
    PDPTE = PD | x3;
    PDE = pde | 0x80;
    nreads = nwrites = 0;
}

static void map1g(unsigned x4, uint64_t pdpte)
{
    memset(mem, 0, sizeof mem);
    PML4E = PDPT | x4;
    PDPTE = pdpte | 0x80;
    nreads = nwrites = 0;
}

static enum ept_status xlate(uint64_t eptp, uint64_t gpa, unsigned acc, struct ept_result *r)
{
    struct ept_ctx c = ctx(eptp);
    return ept_translate(&c, gpa, acc, r);
}

/* ---- capability ---- */

START_TEST(test_cap_value)
{
    /* bits 0, 6, 8, 14, 16, 17, 20, 21, 25, 26, 32, 40-43 */
    ck_assert_uint_eq(EPT_VPID_CAP, 0x00000f0106334141ull);
    ck_assert(!(EPT_VPID_CAP & EPT_CAP_PWL5));
    ck_assert(!(EPT_VPID_CAP & EPT_CAP_ADV_EXIT_INFO));
    ck_assert(!(EPT_VPID_CAP & EPT_CAP_SSS));
    ck_assert_uint_eq((EPT_VPID_CAP >> 48) & 0x3f, 0); /* no HLAT */
}
END_TEST

/* ---- EPTP validation (§27.2.1.1) ---- */

START_TEST(test_eptp_valid)
{
    ck_assert_int_eq(ept_eptp_check(EPTP_WB4, 52), EPTP_OK);
    ck_assert_int_eq(ept_eptp_check(PML4 | EPTP_PWL4 | EPT_MT_UC, 52), EPTP_OK);
    ck_assert_int_eq(ept_eptp_check(EPTP_WB4 | EPTP_AD, 52), EPTP_OK);
    ck_assert_int_eq(ept_eptp_check(0x000ffffffffff000ull | EPTP_PWL4 | 6, 52), EPTP_OK);
    ck_assert_str_eq(ept_eptp_error_name(EPTP_OK), "ok");
}
END_TEST

START_TEST(test_eptp_memtype)
{
    for (unsigned mt = 0; mt < 8; mt++) {
        enum ept_eptp_error e = ept_eptp_check(PML4 | EPTP_PWL4 | mt, 52);
        ck_assert_int_eq(e, mt == 0 || mt == 6 ? EPTP_OK : EPTP_BAD_MEMTYPE);
    }
    ck_assert_str_eq(ept_eptp_error_name(EPTP_BAD_MEMTYPE), "memory type");
}
END_TEST

START_TEST(test_eptp_walk_length)
{
    for (unsigned pwl = 0; pwl < 8; pwl++) {
        enum ept_eptp_error e = ept_eptp_check(PML4 | ((uint64_t)pwl << 3) | 6, 52);
        /* 3 = 4-level; 4 = 5-level is not reported */
        ck_assert_int_eq(e, pwl == 3 ? EPTP_OK : EPTP_BAD_WALK_LENGTH);
    }
}
END_TEST

START_TEST(test_eptp_reserved)
{
    for (unsigned b = 7; b < 12; b++)
        ck_assert_int_eq(ept_eptp_check(EPTP_WB4 | (1ull << b), 52), EPTP_RESERVED_LOW);
    for (unsigned b = 52; b < 64; b++)
        ck_assert_int_eq(ept_eptp_check(EPTP_WB4 | (1ull << b), 52), EPTP_RESERVED_HIGH);
    /* a narrower physical-address width: bit 39 is an address bit, 40 up reserved */
    ck_assert_int_eq(ept_eptp_check(EPTP_WB4 | (1ull << 39), 40), EPTP_OK);
    for (unsigned b = 40; b < 64; b++)
        ck_assert_int_eq(ept_eptp_check(EPTP_WB4 | (1ull << b), 40), EPTP_RESERVED_HIGH);
    /* memory type is checked first, then walk length */
    ck_assert_int_eq(ept_eptp_check(PML4 | 1 | (1ull << 9), 52), EPTP_BAD_MEMTYPE);
    ck_assert_int_eq(ept_eptp_check(PML4 | 6 | (1ull << 63), 52), EPTP_BAD_WALK_LENGTH);
    ck_assert_str_eq(ept_eptp_error_name(EPTP_RESERVED_HIGH), "reserved bits above MAXPHYADDR");
    ck_assert_str_eq(ept_eptp_error_name((enum ept_eptp_error)99), "?");
}
END_TEST

/* ---- translation, every page size ---- */

START_TEST(test_xlate_4k)
{
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    struct ept_result r;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, 0x12345abc);
    ck_assert_uint_eq(r.page_size, 4096);
    ck_assert_uint_eq(r.perm, 7);
    ck_assert_uint_eq(r.tlb_perm, 7);
    ck_assert_uint_eq(r.memtype, 6);
    ck_assert(!r.ipat);
    ck_assert_int_eq(r.level, 1);
    ck_assert_uint_eq(nreads, 4);
    ck_assert_uint_eq(nwrites, 0); /* A/D off */
    /* the memory type and IPAT of the leaf come back */
    PTE = 0x12345000 | (4ull << 3) | 0x40 | 5;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_FETCH | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.memtype, 4);
    ck_assert(r.ipat);
    ck_assert_uint_eq(r.perm, EPT_PERM_R | EPT_PERM_X);
    /* bit 7 of a PTE is ignored, as are 11:8 and 63:52 */
    PTE = 0x12345000 | WB | 0x80 | 0xf00 | (0xfffull << 52) | 7;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, 0x12345abc);
}
END_TEST

START_TEST(test_xlate_2m)
{
    map2m(7, 7, 0x7a00000 | WB | 7);
    struct ept_result r;
    uint64_t gpa = (GPA & ~0x1fffffull) | 0x1abcde;
    ck_assert_int_eq(xlate(EPTP_WB4, gpa, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, 0x7a00000 | 0x1abcde);
    ck_assert_uint_eq(r.page_size, 2ull << 20);
    ck_assert_int_eq(r.level, 2);
    ck_assert_uint_eq(nreads, 3);
}
END_TEST

START_TEST(test_xlate_1g)
{
    map1g(7, 0x3c0000000ull | WB | 7);
    struct ept_result r;
    uint64_t gpa = (GPA & ~0x3fffffffull) | 0x2abcdef1;
    ck_assert_int_eq(xlate(EPTP_WB4, gpa, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, 0x3c0000000ull | 0x2abcdef1);
    ck_assert_uint_eq(r.page_size, 1ull << 30);
    ck_assert_int_eq(r.level, 3);
    ck_assert_uint_eq(nreads, 2);
    /* a 1 GiB page at the top of a 52-bit space */
    PDPTE = 0x000fffffc0000000ull | WB | 0x80 | 7;
    ck_assert_int_eq(xlate(EPTP_WB4, gpa, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, 0x000fffffc0000000ull | 0x2abcdef1);
}
END_TEST

/* A gpa above 48 bits has no 4-level translation: a violation, nothing read. */
START_TEST(test_xlate_wide_gpa)
{
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    struct ept_result r;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA | (1ull << 48), EPT_ACC_READ | EPT_ACC_GLA, &r),
                     EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ | EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_XLATE);
    ck_assert_int_eq(r.level, 0);
    ck_assert_uint_eq(nreads, 0);
}
END_TEST

/* ---- every permission combination, every page size ---- */

/* The expected outcome by the rules of §29.3.3: walking top down, the first
 * entry with bits 2:0 = 000 is a violation (permissions 0), the first with
 * 010/110 a misconfiguration; otherwise the AND of bits 2:0 must allow the
 * access. */
static void check_combo(const unsigned *xwr, int n, unsigned acc)
{
    unsigned perm = 7;
    enum ept_status want = EPT_OK;
    for (int i = 0; i < n; i++) {
        if (!xwr[i]) { want = EPT_VIOLATION; perm = 0; break; }
        if (xwr[i] == 2 || xwr[i] == 6) { want = EPT_MISCONFIG; break; }
        perm &= xwr[i];
    }
    unsigned need = (acc & EPT_ACC_READ ? 1 : 0) | (acc & EPT_ACC_WRITE ? 2 : 0) |
                    (acc & EPT_ACC_FETCH ? 4 : 0);
    if (want == EPT_OK && (need & ~perm))
        want = EPT_VIOLATION;
    struct ept_result r;
    enum ept_status got = xlate(EPTP_WB4, GPA, acc | EPT_ACC_GLA, &r);
    ck_assert_msg(got == want, "xwr %u %u %u %u (n %d) acc %u: status %d, want %d", xwr[0],
                  n > 1 ? xwr[1] : 9, n > 2 ? xwr[2] : 9, n > 3 ? xwr[3] : 9, n, acc, got, want);
    if (want == EPT_VIOLATION) {
        uint64_t q = (uint64_t)need | (uint64_t)perm << 3 | EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_XLATE;
        ck_assert_uint_eq(r.qual, q);
    } else if (want == EPT_OK) {
        ck_assert_uint_eq(r.perm, perm);
        ck_assert_uint_eq(r.tlb_perm, perm);
    }
}

static void combos(int n)
{
    static const unsigned accs[] = { EPT_ACC_READ, EPT_ACC_WRITE, EPT_ACC_FETCH,
                                     EPT_ACC_READ | EPT_ACC_WRITE };
    unsigned total = 1u << (3 * n);
    for (unsigned v = 0; v < total; v++) {
        unsigned x[4];
        for (int i = 0; i < n; i++)
            x[i] = (v >> (3 * i)) & 7;
        if (n == 4)
            map4k(x[0], x[1], x[2], 0x12345000 | WB | x[3]);
        else if (n == 3)
            map2m(x[0], x[1], 0x7a00000 | WB | x[2]);
        else
            map1g(x[0], 0x3c0000000ull | WB | x[1]);
        for (unsigned a = 0; a < 4; a++)
            check_combo(x, n, accs[a]);
    }
}

START_TEST(test_perm_combos_4k) { combos(4); }
END_TEST
START_TEST(test_perm_combos_2m) { combos(3); }
END_TEST
START_TEST(test_perm_combos_1g) { combos(2); }
END_TEST

/* Execute-only (100b) is a valid entry (EPT_CAP_EXEC_ONLY): fetches pass,
 * reads and writes are violations reporting X only. */
START_TEST(test_exec_only)
{
    map4k(7, 7, 7, 0x12345000 | WB | 4);
    struct ept_result r;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_FETCH | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.perm, EPT_PERM_X);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ | EPT_QUAL_EXECUTABLE | EPT_QUAL_GLA_VALID |
                                  EPT_QUAL_GLA_XLATE);
}
END_TEST

/* ---- misconfigurations (§29.3.3.1) ---- */

START_TEST(test_misconfig_write_without_read)
{
    struct ept_result r;
    for (unsigned bad = 2; bad <= 6; bad += 4) {
        for (int lvl = 4; lvl >= 1; lvl--) {
            map4k(lvl == 4 ? bad : 7, lvl == 3 ? bad : 7, lvl == 2 ? bad : 7,
                  0x12345000 | WB | (lvl == 1 ? bad : 7));
            ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_MISCONFIG);
            ck_assert_int_eq(r.level, lvl);
            ck_assert_uint_eq(r.entry & 7, bad);
            ck_assert_uint_eq(r.qual, 0);
        }
    }
}
END_TEST

static enum ept_status try_bit(uint64_t *e, unsigned bit)
{
    uint64_t saved = *e;
    *e |= 1ull << bit;
    struct ept_result r;
    enum ept_status s = xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r);
    *e = saved;
    return s;
}

/* Reserved bits of each entry kind (Tables 29-1..29-6), and the ignored
 * ones that are not. */
START_TEST(test_misconfig_reserved)
{
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    for (unsigned b = 3; b <= 7; b++)
        ck_assert_int_eq(try_bit(&PML4E, b), EPT_MISCONFIG);
    for (unsigned b = 3; b <= 6; b++) {
        ck_assert_int_eq(try_bit(&PDPTE, b), EPT_MISCONFIG);
        ck_assert_int_eq(try_bit(&PDE, b), EPT_MISCONFIG);
    }
    /* ignored in every kind: 8 (A without EPTP[6]), 9, 10 (mode-based
     * execute off), 11, 52..63 */
    static const unsigned ign[] = { 8, 9, 10, 11, 52, 56, 57, 58, 60, 61, 62, 63 };
    for (unsigned i = 0; i < sizeof ign / sizeof ign[0]; i++) {
        ck_assert_int_eq(try_bit(&PML4E, ign[i]), EPT_OK);
        ck_assert_int_eq(try_bit(&PDPTE, ign[i]), EPT_OK);
        ck_assert_int_eq(try_bit(&PDE, ign[i]), EPT_OK);
        ck_assert_int_eq(try_bit(&PTE, ign[i]), EPT_OK);
    }
    ck_assert_int_eq(try_bit(&PTE, 7), EPT_OK);
    /* 2 MiB leaf: 20:12 reserved */
    map2m(7, 7, 0x7a00000 | WB | 7);
    for (unsigned b = 12; b <= 20; b++)
        ck_assert_int_eq(try_bit(&PDE, b), EPT_MISCONFIG);
    ck_assert_int_eq(try_bit(&PDE, 21), EPT_OK);
    ck_assert_int_eq(try_bit(&PDE, 6), EPT_OK); /* IPAT */
    /* 1 GiB leaf: 29:12 reserved */
    map1g(7, 0x3c0000000ull | WB | 7);
    for (unsigned b = 12; b <= 29; b++)
        ck_assert_int_eq(try_bit(&PDPTE, b), EPT_MISCONFIG);
    ck_assert_int_eq(try_bit(&PDPTE, 30), EPT_OK);
}
END_TEST

/* Address bits 51:MAXPHYADDR are reserved in every entry. */
START_TEST(test_misconfig_maxphyaddr)
{
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    struct ept_ctx c;
    ept_ctx_init(&c, EPTP_WB4, 40, mem_read, mem_write, mem);
    struct ept_result r;
    ck_assert_int_eq(ept_translate(&c, GPA, EPT_ACC_READ, &r), EPT_OK);
    uint64_t *es[4] = { &PML4E, &PDPTE, &PDE, &PTE };
    for (int i = 0; i < 4; i++) {
        for (unsigned b = 40; b <= 51; b++) {
            uint64_t saved = *es[i];
            *es[i] |= 1ull << b;
            ck_assert_int_eq(ept_translate(&c, GPA, EPT_ACC_READ, &r), EPT_MISCONFIG);
            ck_assert_int_eq(r.level, 4 - i);
            *es[i] = saved;
        }
    }
    /* with MAXPHYADDR 52 the same bits are address bits */
    PTE |= 1ull << 45;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, (1ull << 45) | 0x12345abc);
}
END_TEST

/* Leaf memory types 2, 3, 7 are reserved; 0, 1, 4, 5, 6 valid. */
START_TEST(test_misconfig_memtype)
{
    struct ept_result r;
    for (unsigned mt = 0; mt < 8; mt++) {
        enum ept_status want = mt == 2 || mt == 3 || mt == 7 ? EPT_MISCONFIG : EPT_OK;
        map4k(7, 7, 7, 0x12345000 | (uint64_t)mt << 3 | 7);
        ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ, &r), want);
        map2m(7, 7, 0x7a00000 | (uint64_t)mt << 3 | 7);
        ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ, &r), want);
        map1g(7, 0x3c0000000ull | (uint64_t)mt << 3 | 7);
        ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ, &r), want);
    }
}
END_TEST

/* A misconfiguration below an entry that forbids the access wins (a
 * violation needs a translation without misconfiguration); a not-present
 * entry above a misconfigured one ends the walk first; a not-present entry
 * with junk in its other bits is just not present. */
START_TEST(test_misconfig_priority)
{
    struct ept_result r;
    map4k(1, 7, 7, 0x12345000 | (2ull << 3) | 7); /* R-only PML4E, bad memtype */
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_MISCONFIG);
    ck_assert_int_eq(r.level, 1);
    map4k(7, 0, 7, 0x12345000 | WB | 2);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_int_eq(r.level, 3);
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    PDE = 0xfff00000000000f8ull; /* bits 2:0 = 0: everything else ignored */
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ | EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_XLATE);
    /* an EPT table in unbacked memory reads as all ones: misconfigured */
    PDE = 0x4000000000ull | 7;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ, &r), EPT_MISCONFIG);
    ck_assert_int_eq(r.level, 1);
    ck_assert_uint_eq(r.entry, ~0ull);
}
END_TEST

/* ---- violation qualifications (Table 28-7) ---- */

START_TEST(test_qual_final_access)
{
    struct ept_result r;
    map4k(7, 7, 7, 0); /* PTE not present */
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, 0x181); /* read, GLA valid, final translation */
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, 0x182);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_FETCH | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, 0x184);
    /* read-only page: write reports R in bits 5:3 */
    map4k(7, 7, 7, 0x12345000 | WB | 1);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, 0x18a);
    ck_assert_uint_eq(r.perm, EPT_PERM_R);
    /* RX page, an upper entry RW: AND = R */
    map4k(7, 3, 7, 0x12345000 | WB | 5);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_FETCH | EPT_ACC_GLA, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, 0x18c);
    /* read-modify-write on an R page: bits 0 and 1 */
    map4k(7, 7, 7, 0x12345000 | WB | 1);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_WRITE | EPT_ACC_GLA, &r),
                     EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, 0x18b);
    /* the NMI-unblocking bit is the caller's; 6 and 9-11 are never set */
    ck_assert_uint_eq(r.qual & (EPT_QUAL_NMI_UNBLOCK | 0xe40), 0);
}
END_TEST

/* Guest paging-structure accesses: bit 7 set, bit 8 clear; with EPTP[6]
 * they are writes (bits 0 and 1); PDPTE loads have no linear address
 * (bits 7, 8 clear) and stay reads. */
START_TEST(test_qual_paging_structure)
{
    struct ept_result r;
    unsigned walk = EPT_ACC_READ | EPT_ACC_GPT | EPT_ACC_GLA;
    map4k(7, 7, 7, 0);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, walk, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ | EPT_QUAL_GLA_VALID);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, walk, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ | EPT_QUAL_WRITE | EPT_QUAL_GLA_VALID);
    /* guest A/D update (a write to a guest PTE) */
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_WRITE | EPT_ACC_GPT | EPT_ACC_GLA, &r),
                     EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_WRITE | EPT_QUAL_GLA_VALID);
    /* a read-only guest page table: a walk read passes without A/D, is a
     * write violation with A/D */
    map4k(7, 7, 7, 0x12345000 | WB | 1);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, walk, &r), EPT_OK);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, walk, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ | EPT_QUAL_WRITE | EPT_QUAL_READABLE |
                                  EPT_QUAL_GLA_VALID);
    ck_assert_uint_eq(nwrites, 0);
    /* PDPTE load (MOV to CR3 with PAE paging): a read even with A/D */
    unsigned pdpte_load = EPT_ACC_READ | EPT_ACC_GPT;
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, pdpte_load, &r), EPT_OK);
    ck_assert(!(PTE & D_BIT));
    ck_assert(PTE & A_BIT);
    map4k(7, 7, 7, 0);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, pdpte_load, &r), EPT_VIOLATION);
    ck_assert_uint_eq(r.qual, EPT_QUAL_READ);
}
END_TEST

/* ---- accessed / dirty flags (§29.3.5) ---- */

START_TEST(test_ad_read_write)
{
    struct ept_result r;
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(PML4E, PDPT | 7 | A_BIT);
    ck_assert_uint_eq(PDPTE, PD | 7 | A_BIT);
    ck_assert_uint_eq(PDE, PT | 7 | A_BIT);
    ck_assert_uint_eq(PTE, 0x12345000 | WB | 7 | A_BIT);
    ck_assert_uint_eq(nwrites, 4);
    ck_assert_uint_eq(r.perm, 7);
    ck_assert_uint_eq(r.tlb_perm, EPT_PERM_R | EPT_PERM_X); /* not dirty: no W cached */
    /* again: nothing to write */
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_FETCH | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(nwrites, 4);
    /* a write sets D in the leaf only */
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(nwrites, 5);
    ck_assert_uint_eq(PTE, 0x12345000 | WB | 7 | A_BIT | D_BIT);
    ck_assert_uint_eq(PDE, PT | 7 | A_BIT);
    ck_assert_uint_eq(r.tlb_perm, 7);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(r.tlb_perm, 7); /* dirty now: W may be cached */
    ck_assert_uint_eq(r.entry, PTE);
}
END_TEST

START_TEST(test_ad_large_pages)
{
    struct ept_result r;
    map2m(7, 7, 0x7a00000 | WB | 7);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(PDE, 0x7a00000 | WB | 0x80 | 7 | A_BIT | D_BIT);
    ck_assert_uint_eq(PDPTE, PD | 7 | A_BIT);
    ck_assert_uint_eq(PTE, 0); /* no page table used */
    map1g(7, 0x3c0000000ull | WB | 7);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r), EPT_OK);
    ck_assert_uint_eq(PDPTE, 0x3c0000000ull | WB | 0x80 | 7 | A_BIT | D_BIT);
    ck_assert_uint_eq(PML4E, PDPT | 7 | A_BIT);
    ck_assert_uint_eq(nwrites, 2);
}
END_TEST

/* A guest paging-structure access with A/D on dirties the leaf mapping the
 * guest page table (it is a write); without A/D nothing is written. */
START_TEST(test_ad_paging_structure)
{
    struct ept_result r;
    map4k(7, 7, 7, 0x12345000 | WB | 7);
    unsigned walk = EPT_ACC_READ | EPT_ACC_GPT | EPT_ACC_GLA;
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, walk, &r), EPT_OK);
    ck_assert_uint_eq(nwrites, 0);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, walk, &r), EPT_OK);
    ck_assert_uint_eq(PTE, 0x12345000 | WB | 7 | A_BIT | D_BIT);
    ck_assert_uint_eq(PDE, PT | 7 | A_BIT);
}
END_TEST

/* A faulting access changes no entry; the debugger probe neither checks
 * permissions nor sets flags. */
START_TEST(test_ad_no_update_on_fault_or_debug)
{
    struct ept_result r;
    map4k(7, 7, 7, 0x12345000 | WB | 1);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_WRITE | EPT_ACC_GLA, &r),
                     EPT_VIOLATION);
    ck_assert_uint_eq(nwrites, 0);
    map4k(7, 7, 7, 0x12345000 | (7ull << 3) | 7);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_READ | EPT_ACC_GLA, &r),
                     EPT_MISCONFIG);
    ck_assert_uint_eq(nwrites, 0);
    map4k(7, 7, 7, 0x12345000 | WB | 4);
    ck_assert_int_eq(xlate(EPTP_WB4 | EPTP_AD, GPA, EPT_ACC_WRITE | EPT_ACC_DEBUG, &r), EPT_OK);
    ck_assert_uint_eq(r.hpa, 0x12345abc);
    ck_assert_uint_eq(r.perm, EPT_PERM_X);
    ck_assert_uint_eq(nwrites, 0);
    map4k(7, 7, 7, 0);
    ck_assert_int_eq(xlate(EPTP_WB4, GPA, EPT_ACC_READ | EPT_ACC_DEBUG, &r), EPT_VIOLATION);
}
END_TEST

/* ---- INVEPT / INVVPID ---- */

START_TEST(test_invept)
{
    struct ept_inval inv;
    ck_assert_int_eq(ept_invept_type_check(1), 0);
    ck_assert_int_eq(ept_invept_type_check(2), 0);
    static const uint64_t bad[] = { 0, 3, 4, 0x100000001ull, ~0ull };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(ept_invept_type_check(bad[i]), 28);
        ck_assert_int_eq(ept_invept(bad[i], EPTP_WB4, 0, 52, &inv), 28);
    }
    memset(&inv, 0, sizeof inv);
    ck_assert_int_eq(ept_invept(1, EPTP_WB4 | EPTP_AD, ~0ull, 52, &inv), 0);
    ck_assert_int_eq(inv.kind, EPT_INV_EPT_SINGLE);
    ck_assert_uint_eq(inv.ep4ta, PML4);
    /* single-context: an EPTP that would fail VM entry */
    ck_assert_int_eq(ept_invept(1, PML4 | EPTP_PWL4 | 1, 0, 52, &inv), 28);
    ck_assert_int_eq(ept_invept(1, PML4 | 6, 0, 52, &inv), 28);
    ck_assert_int_eq(ept_invept(1, EPTP_WB4 | 0x100, 0, 52, &inv), 28);
    ck_assert_int_eq(ept_invept(1, EPTP_WB4 | (1ull << 45), 0, 40, &inv), 28);
    ck_assert_int_eq(inv.kind, EPT_INV_EPT_SINGLE); /* untouched on failure */
    /* global: the descriptor is not looked at */
    ck_assert_int_eq(ept_invept(2, ~0ull, ~0ull, 52, &inv), 0);
    ck_assert_int_eq(inv.kind, EPT_INV_EPT_ALL);
}
END_TEST

START_TEST(test_invvpid)
{
    struct ept_inval inv;
    for (uint64_t t = 0; t < 4; t++)
        ck_assert_int_eq(ept_invvpid_type_check(t), 0);
    ck_assert_int_eq(ept_invvpid_type_check(4), 28);
    ck_assert_int_eq(ept_invvpid_type_check(1ull << 32), 28);
    ck_assert_int_eq(ept_invvpid(4, 1, 0, 48, &inv), 28);
    /* bits 63:16 of the descriptor, every type */
    for (uint64_t t = 0; t < 4; t++) {
        ck_assert_int_eq(ept_invvpid(t, 1 | (1ull << 16), 0, 48, &inv), 28);
        ck_assert_int_eq(ept_invvpid(t, 1 | (1ull << 63), 0, 48, &inv), 28);
    }
    /* VPID 0: invalid for types 0, 1, 3 */
    ck_assert_int_eq(ept_invvpid(0, 0, 0, 48, &inv), 28);
    ck_assert_int_eq(ept_invvpid(1, 0, 0, 48, &inv), 28);
    ck_assert_int_eq(ept_invvpid(3, 0, 0, 48, &inv), 28);
    ck_assert_int_eq(ept_invvpid(2, 0, 0, 48, &inv), 0);
    ck_assert_int_eq(inv.kind, EPT_INV_VPID_ALL);
    /* individual address: canonical check on bits 127:64 */
    ck_assert_int_eq(ept_invvpid(0, 5, 0x0000800000000000ull, 48, &inv), 28);
    ck_assert_int_eq(ept_invvpid(0, 5, 0xffff7fffffffffffull, 48, &inv), 28);
    ck_assert_int_eq(ept_invvpid(0, 5, 0x0000800000000000ull, 57, &inv), 0);
    ck_assert_int_eq(ept_invvpid(0, 5, 0xffff800000001000ull, 48, &inv), 0);
    ck_assert_int_eq(inv.kind, EPT_INV_VPID_ADDR);
    ck_assert_uint_eq(inv.vpid, 5);
    ck_assert_uint_eq(inv.la, 0xffff800000001000ull);
    /* the address is not checked by the other types */
    ck_assert_int_eq(ept_invvpid(1, 0xffff, 0x0000800000000000ull, 48, &inv), 0);
    ck_assert_int_eq(inv.kind, EPT_INV_VPID_SINGLE);
    ck_assert_uint_eq(inv.vpid, 0xffff);
    ck_assert_int_eq(ept_invvpid(3, 7, 0x0000800000000000ull, 48, &inv), 0);
    ck_assert_int_eq(inv.kind, EPT_INV_VPID_SINGLE_KEEP_GLOBAL);
    ck_assert_uint_eq(inv.vpid, 7);
}
END_TEST

/* What each invalidation drops (§29.4.3.1), over one set of mappings. */
START_TEST(test_inval_hits)
{
    enum { E1 = 0x1000, E2 = 0x5000 };
    const struct ept_tlb_tag tags[] = {
        /* 0 */ { .linear = true, .vpid = 0, .addr = 0x400000, .pshift = 12 },  /* root, EPT off */
        /* 1 */ { .linear = true, .vpid = 3, .addr = 0x400000, .pshift = 12 },  /* guest, EPT off */
        /* 2 */ { .ept = true, .ep4ta = E1, .addr = 0x9000, .pshift = 12 },      /* guest-physical */
        /* 3 */ { .ept = true, .linear = true, .vpid = 3, .ep4ta = E1, .addr = 0x400000, .pshift = 12 },
        /* 4 */ { .ept = true, .linear = true, .vpid = 3, .ep4ta = E1, .addr = 0x600000,
                  .pshift = 21, .global = true },                                /* 2 MiB, global */
        /* 5 */ { .ept = true, .linear = true, .vpid = 4, .ep4ta = E2, .addr = 0x400000, .pshift = 12 },
        /* 6 */ { .ept = true, .ep4ta = E2, .addr = 0x9000, .pshift = 30 },
        /* 7 */ { .ept = true, .linear = true, .vpid = 0, .ep4ta = E2, .addr = 0x400000, .pshift = 12 },
    };
    const struct { struct ept_inval inv; const char *want; } cases[] = {
        { { .kind = EPT_INV_EPT_SINGLE, .ep4ta = E1 }, "00111000" },
        { { .kind = EPT_INV_EPT_SINGLE, .ep4ta = E2 }, "00000111" },
        { { .kind = EPT_INV_EPT_ALL }, "00111111" },
        { { .kind = EPT_INV_VPID_ADDR, .vpid = 3, .la = 0x400abc }, "01010000" },
        { { .kind = EPT_INV_VPID_ADDR, .vpid = 3, .la = 0x7fffff }, "00001000" }, /* in the 2 MiB page */
        { { .kind = EPT_INV_VPID_ADDR, .vpid = 3, .la = 0x800000 }, "00000000" },
        { { .kind = EPT_INV_VPID_SINGLE, .vpid = 3 }, "01011000" },
        { { .kind = EPT_INV_VPID_SINGLE, .vpid = 0 }, "10000001" }, /* VM entry/exit, VPID off */
        { { .kind = EPT_INV_VPID_ALL }, "01011100" },
        { { .kind = EPT_INV_VPID_SINGLE_KEEP_GLOBAL, .vpid = 3 }, "01010000" },
    };
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (unsigned t = 0; t < sizeof tags / sizeof tags[0]; t++)
            ck_assert_msg(ept_inval_hits(&cases[c].inv, &tags[t]) == (cases[c].want[t] == '1'),
                          "case %u tag %u", c, t);
}
END_TEST

Suite *ept_suite(void)
{
    Suite *s = suite_create("ept");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cap_value);
    tcase_add_test(tc, test_eptp_valid);
    tcase_add_test(tc, test_eptp_memtype);
    tcase_add_test(tc, test_eptp_walk_length);
    tcase_add_test(tc, test_eptp_reserved);
    tcase_add_test(tc, test_xlate_4k);
    tcase_add_test(tc, test_xlate_2m);
    tcase_add_test(tc, test_xlate_1g);
    tcase_add_test(tc, test_xlate_wide_gpa);
    tcase_add_test(tc, test_perm_combos_4k);
    tcase_add_test(tc, test_perm_combos_2m);
    tcase_add_test(tc, test_perm_combos_1g);
    tcase_add_test(tc, test_exec_only);
    tcase_add_test(tc, test_misconfig_write_without_read);
    tcase_add_test(tc, test_misconfig_reserved);
    tcase_add_test(tc, test_misconfig_maxphyaddr);
    tcase_add_test(tc, test_misconfig_memtype);
    tcase_add_test(tc, test_misconfig_priority);
    tcase_add_test(tc, test_qual_final_access);
    tcase_add_test(tc, test_qual_paging_structure);
    tcase_add_test(tc, test_ad_read_write);
    tcase_add_test(tc, test_ad_large_pages);
    tcase_add_test(tc, test_ad_paging_structure);
    tcase_add_test(tc, test_ad_no_update_on_fault_or_debug);
    tcase_add_test(tc, test_invept);
    tcase_add_test(tc, test_invvpid);
    tcase_add_test(tc, test_inval_hits);
    suite_add_tcase(s, tc);
    return s;
}
