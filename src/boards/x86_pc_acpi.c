/* ACPI tables of the PC board (see x86_pc_acpi.h). Section numbers are
 * those of the ACPI Specification 6.4 ("ACPI" below), chapter 5. */
#include "x86_pc_acpi.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "x86_pc_mptable.h"

enum {
    HDR = 36,        /* §5.2.6 system description table header */
    RSDP_LEN = 36,   /* §5.2.5.3, revision 2 */
    FADT_LEN = 276,  /* §5.2.9, FADT major version 6 */
    FACS_LEN = 64,   /* §5.2.10 */
    MADT_LAPIC = 8, MADT_X2APIC = 16, MADT_IOAPIC = 12, MADT_ISO = 10,
    MADT_LAPIC_NMI = 6, MADT_X2APIC_NMI = 12,
    XAPIC_MAX_ID = 254, /* 0xff is the xAPIC broadcast: higher IDs need x2APIC entries */
};

/* The DSDT's AML (ACPI §19/§20 encodings), written by hand:
 *   Scope (\_SB) { }                        10 06 5C 5F 53 42 5F
 *   Name (_S5, Package (4) { 5, 5, 0, 0 })  08 5F 53 35 5F 12 08 04 0A 05 0A 05 00 00
 * ScopeOp, PkgLength (counting itself), NameString "\_SB_"; NameOp,
 * NameSeg "_S5_", PackageOp, PkgLength, NumElements, BytePrefix 5 (SLP_TYPa),
 * BytePrefix 5 (SLP_TYPb), Zero, Zero. */
static const uint8_t dsdt_aml[] = {
    0x10, 0x06, 0x5c, 0x5f, 0x53, 0x42, 0x5f,
    0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04, 0x0a, PC_ACPI_SLP_TYP_S5,
    0x0a, PC_ACPI_SLP_TYP_S5, 0x00, 0x00,
};

static size_t madt_len(int ncpus)
{
    size_t n = HDR + 8 + MADT_IOAPIC + 2 * MADT_ISO + MADT_LAPIC_NMI;
    for (int i = 0; i < ncpus; i++)
        n += i <= XAPIC_MAX_ID ? MADT_LAPIC : MADT_X2APIC;
    if (ncpus > XAPIC_MAX_ID + 1)
        n += MADT_X2APIC_NMI;
    return n;
}

static size_t align(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

size_t pc_acpi_size(int ncpus)
{
    if (ncpus < 1)
        ncpus = 1;
    /* RSDP, RSDT (2 entries), XSDT (2), FADT, FACS (64-aligned), DSDT,
     * MADT, each started on a 16-byte boundary. */
    return align(RSDP_LEN, 16) + align(HDR + 8, 16) + align(HDR + 16, 16) +
           align(FADT_LEN, 16) + 64 + FACS_LEN + align(HDR + sizeof dsdt_aml, 16) +
           align(madt_len(ncpus), 16);
}

static void w16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void checksum(uint8_t *p, size_t n, size_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

/* §5.2.6 header; the checksum (offset 9) is set by finish(). */
static void header(uint8_t *p, const char sig[4], size_t len, uint8_t rev)
{
    memcpy(p, sig, 4);
    w32(p + 4, (uint32_t)len);
    p[8] = rev;
    memcpy(p + 10, "HVSIM ", 6);      /* OEMID */
    memcpy(p + 16, "HVSIMPC ", 8);    /* OEM table ID */
    w32(p + 24, 1);                   /* OEM revision */
    memcpy(p + 28, "HVSM", 4);        /* creator ID */
    w32(p + 32, 1);                   /* creator revision */
}

/* §5.2.3.2 Generic Address Structure: system I/O, width bits, access size. */
static void gas_io(uint8_t *p, uint16_t port, uint8_t bytes)
{
    p[0] = 1;                          /* SystemIO */
    p[1] = (uint8_t)(8 * bytes);
    p[2] = 0;
    p[3] = bytes == 1 ? 1 : bytes == 2 ? 2 : 3;
    w64(p + 4, port);
}

struct builder {
    uint8_t *buf;
    size_t cap, pos;
    uint64_t pa;
    struct pc_acpi *out;
};

/* Reserves len bytes aligned to a, records the table, returns its bytes. */
static uint8_t *place(struct builder *b, const char *name, size_t len, size_t a, uint64_t *pa)
{
    b->pos = align(b->pos, a);
    uint8_t *p = b->buf + b->pos;
    struct pc_acpi_table *t = &b->out->t[b->out->ntables++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->pa = b->pa + b->pos;
    t->off = b->pos;
    t->len = len;
    *pa = t->pa;
    b->pos += len;
    return p;
}

static void build_madt(uint8_t *p, size_t len, int ncpus, uint8_t ioapic_id)
{
    header(p, "APIC", len, 5);                 /* §5.2.12, revision 5 */
    w32(p + HDR, PC_LAPIC_BASE);
    w32(p + HDR + 4, 1);                       /* PCAT_COMPAT: dual 8259s present */
    uint8_t *e = p + HDR + 8;
    /* Processors: UID i, APIC ID i, Enabled. */
    for (int i = 0; i < ncpus; i++) {
        if (i <= XAPIC_MAX_ID) {               /* §5.2.12.2 Processor Local APIC */
            e[0] = 0;
            e[1] = MADT_LAPIC;
            e[2] = (uint8_t)i;
            e[3] = (uint8_t)i;
            w32(e + 4, 1);
            e += MADT_LAPIC;
        } else {                               /* §5.2.12.12 Processor Local x2APIC */
            e[0] = 9;
            e[1] = MADT_X2APIC;
            w32(e + 4, (uint32_t)i);
            w32(e + 8, 1);
            w32(e + 12, (uint32_t)i);
            e += MADT_X2APIC;
        }
    }
    /* §5.2.12.3 I/O APIC: its ID, address, GSI base 0. */
    e[0] = 1;
    e[1] = MADT_IOAPIC;
    e[2] = ioapic_id;
    w32(e + 4, PC_IOAPIC_BASE);
    w32(e + 8, 0);
    e += MADT_IOAPIC;
    /* §5.2.12.5 Interrupt Source Overrides: ISA IRQ 0 (PIT) is GSI 2,
     * conforming; the SCI (IRQ 9) is GSI 9, level-triggered, active high
     * (flags: polarity 01, trigger mode 11). */
    e[0] = 2, e[1] = MADT_ISO, e[2] = 0, e[3] = 0;
    w32(e + 4, 2);
    w16(e + 8, 0);
    e += MADT_ISO;
    e[0] = 2, e[1] = MADT_ISO, e[2] = 0, e[3] = PC_SCI_IRQ;
    w32(e + 4, PC_SCI_IRQ);
    w16(e + 8, 0x000d);
    e += MADT_ISO;
    /* §5.2.12.7 Local APIC NMI: all processors (UID 0xff), LINT1. */
    e[0] = 4, e[1] = MADT_LAPIC_NMI, e[2] = 0xff;
    w16(e + 3, 0);
    e[5] = 1;
    e += MADT_LAPIC_NMI;
    if (ncpus > XAPIC_MAX_ID + 1) {            /* §5.2.12.13 Local x2APIC NMI, all */
        e[0] = 0x0a, e[1] = MADT_X2APIC_NMI;
        w16(e + 2, 0);
        w32(e + 4, 0xffffffffu);
        e[8] = 1;
        e += MADT_X2APIC_NMI;
    }
    checksum(p, len, 9);
}

static void build_fadt(uint8_t *p, uint64_t facs, uint64_t dsdt)
{
    header(p, "FACP", FADT_LEN, 6);            /* §5.2.9, major version 6 */
    w32(p + 36, 0);                            /* FIRMWARE_CTRL: 0, X_FIRMWARE_CTRL used */
    w32(p + 40, (uint32_t)dsdt);
    p[45] = 0;                                 /* Preferred_PM_Profile: unspecified */
    w16(p + 46, PC_SCI_IRQ);                   /* SCI_INT */
    w32(p + 48, 0);                            /* SMI_CMD 0: always in ACPI mode */
    w32(p + 56, PC_ACPI_PM1A_EVT);             /* PM1a_EVT_BLK */
    w32(p + 64, PC_ACPI_PM1A_CNT);             /* PM1a_CNT_BLK */
    p[88] = 4;                                 /* PM1_EVT_LEN */
    p[89] = 2;                                 /* PM1_CNT_LEN */
    /* No PM timer (PM_TMR_LEN 0), no GPE blocks. */
    w16(p + 96, 101);                          /* P_LVL2_LAT > 100: no C2 */
    w16(p + 98, 1001);                         /* P_LVL3_LAT > 1000: no C3 */
    /* IAPC_BOOT_ARCH (§5.2.9.3): LEGACY_DEVICES, VGA not present; no 8042. */
    w16(p + 109, (1u << 0) | (1u << 2));
    /* Flags (Table 5.10): WBINVD, PWR_BUTTON and SLP_BUTTON (none as fixed
     * features), RESET_REG_SUP clear, HW_REDUCED_ACPI clear. */
    w32(p + 112, (1u << 0) | (1u << 4) | (1u << 5));
    p[131] = 4;                                /* FADT minor version (6.4) */
    w64(p + 132, facs);                        /* X_FIRMWARE_CTRL */
    w64(p + 140, dsdt);                        /* X_DSDT */
    gas_io(p + 148, PC_ACPI_PM1A_EVT, 4);      /* X_PM1a_EVT_BLK (32 bits) */
    p[149] = 32, p[151] = 2;                   /* two 16-bit registers: word access */
    gas_io(p + 172, PC_ACPI_PM1A_CNT, 2);      /* X_PM1a_CNT_BLK */
    memcpy(p + 268, "HVSIM   ", 8);            /* hypervisor vendor identity */
    checksum(p, FADT_LEN, 9);
}

bool pc_acpi_build(uint8_t *buf, size_t cap, uint64_t pa, int ncpus, uint8_t ioapic_id,
                   struct pc_acpi *out, char *err, size_t errlen)
{
    if (ncpus < 1) {
        snprintf(err, errlen, "ACPI tables: %d CPUs", ncpus);
        return false;
    }
    size_t need = pc_acpi_size(ncpus);
    if ((pa & 15) || cap < need) {
        snprintf(err, errlen, "ACPI tables: %zu bytes at 0x%llx do not fit (%zu available, "
                 "16-byte alignment)", need, (unsigned long long)pa, cap);
        return false;
    }
    memset(buf, 0, need);
    memset(out, 0, sizeof *out);
    struct builder b = { buf, cap, 0, pa, out };
    uint64_t rsdp_pa, rsdt_pa, xsdt_pa, fadt_pa, facs_pa, dsdt_pa, madt_pa;
    size_t mlen = madt_len(ncpus);
    uint8_t *rsdp = place(&b, "RSDP", RSDP_LEN, 16, &rsdp_pa);
    uint8_t *rsdt = place(&b, "RSDT", HDR + 8, 16, &rsdt_pa);
    uint8_t *xsdt = place(&b, "XSDT", HDR + 16, 16, &xsdt_pa);
    uint8_t *fadt = place(&b, "FACP", FADT_LEN, 16, &fadt_pa);
    uint8_t *facs = place(&b, "FACS", FACS_LEN, 64, &facs_pa);
    uint8_t *dsdt = place(&b, "DSDT", HDR + sizeof dsdt_aml, 16, &dsdt_pa);
    uint8_t *madt = place(&b, "APIC", mlen, 16, &madt_pa);
    out->rsdp = rsdp_pa;
    out->used = b.pos;

    /* §5.2.10 FACS: no checksum; version 2, hardware signature 0. */
    memcpy(facs, "FACS", 4);
    w32(facs + 4, FACS_LEN);
    facs[32] = 2;

    header(dsdt, "DSDT", HDR + sizeof dsdt_aml, 2);  /* revision 2: 64-bit integers */
    memcpy(dsdt + HDR, dsdt_aml, sizeof dsdt_aml);
    checksum(dsdt, HDR + sizeof dsdt_aml, 9);

    build_fadt(fadt, facs_pa, dsdt_pa);
    build_madt(madt, mlen, ncpus, ioapic_id);

    /* §5.2.7 RSDT (32-bit pointers) and §5.2.8 XSDT (64-bit): FADT, MADT. */
    header(rsdt, "RSDT", HDR + 8, 1);
    w32(rsdt + HDR, (uint32_t)fadt_pa);
    w32(rsdt + HDR + 4, (uint32_t)madt_pa);
    checksum(rsdt, HDR + 8, 9);
    header(xsdt, "XSDT", HDR + 16, 1);
    w64(xsdt + HDR, fadt_pa);
    w64(xsdt + HDR + 8, madt_pa);
    checksum(xsdt, HDR + 16, 9);

    /* §5.2.5.3 RSDP, revision 2: checksum over the first 20 bytes, extended
     * checksum over all 36. */
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "HVSIM ", 6);
    rsdp[15] = 2;
    w32(rsdp + 16, (uint32_t)rsdt_pa);
    w32(rsdp + 20, RSDP_LEN);
    w64(rsdp + 24, xsdt_pa);
    checksum(rsdp, 20, 8);
    checksum(rsdp, RSDP_LEN, 32);
    return true;
}

bool pc_acpi_dump(const uint8_t *buf, const struct pc_acpi *a, const char *dir, char *err,
                  size_t errlen)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "--dump-acpi %s: %s", dir, strerror(errno));
        return false;
    }
    for (int i = 0; i < a->ntables; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.dat", dir, a->t[i].name);
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(buf + a->t[i].off, 1, a->t[i].len, f) == a->t[i].len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            snprintf(err, errlen, "--dump-acpi: cannot write %s: %s", path, strerror(errno));
            return false;
        }
    }
    return true;
}
