/* The ACPI tables of the PC board (ACPI 6.x layouts, revision 2+ RSDP),
 * generated from the number of CPUs: RSDP, RSDT, XSDT, FADT (a minimal
 * fixed-hardware PM block, not hardware-reduced: Linux drops the 8259 and
 * the PIT timer on hardware-reduced platforms), FACS, a minimal DSDT, MADT.
 * docs/x86.md "Firmware tables". */
#ifndef HVSIM_BOARDS_X86_PC_ACPI_H
#define HVSIM_BOARDS_X86_PC_ACPI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fixed-hardware register blocks the FADT names (I/O ports). */
#define PC_ACPI_PM1A_EVT 0x600  /* PM1a_EVT_BLK: status, enable (4 bytes) */
#define PC_ACPI_PM1A_CNT 0x604  /* PM1a_CNT_BLK (2 bytes) */
#define PC_ACPI_SLP_TYP_S5 5    /* the \_S5 package's SLP_TYPa */

enum { PC_ACPI_MAX_TABLES = 8 };

struct pc_acpi_table {
    char name[8];        /* dump file stem: "RSDP", "FACP", "APIC", ... */
    uint64_t pa;         /* where it lives */
    size_t off, len;     /* its bytes in the buffer */
};

struct pc_acpi {
    uint64_t rsdp;       /* physical address of the RSDP */
    size_t used;         /* bytes of the buffer used */
    int ntables;
    struct pc_acpi_table t[PC_ACPI_MAX_TABLES];
};

/* Bytes pc_acpi_build needs for ncpus (alignment included). */
size_t pc_acpi_size(int ncpus);

/* Writes all tables into buf, which the guest sees at physical address pa
 * (16-byte aligned; the RSDP comes first, so pa must lie in 0xe0000-0xfffff
 * for the legacy RSDP search). False (err says why) if cap is too small or
 * ncpus < 1. LAPIC IDs 0..n-1 (x2APIC entries for IDs above 254), the
 * IOAPIC's ID ioapic_id (the board: n, which the MP table limits to 254). */
bool pc_acpi_build(uint8_t *buf, size_t cap, uint64_t pa, int ncpus, uint8_t ioapic_id,
                   struct pc_acpi *out, char *err, size_t errlen);

/* Writes each table to DIR/NAME.dat (created if missing): the files
 * `iasl -d` reads. */
bool pc_acpi_dump(const uint8_t *buf, const struct pc_acpi *a, const char *dir, char *err,
                  size_t errlen);

#endif
