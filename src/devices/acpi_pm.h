/* The ACPI fixed-hardware PM1a register blocks (ACPI 6.4 §4.8.3.1-4.8.3.2)
 * of a platform that is always in ACPI mode (FADT SMI_CMD = 0), no more:
 *
 *   evt + 0  PM1_STS (16 bits, write 1 to clear; nothing sets a bit here:
 *            no power button, no PM timer, no wake events)
 *   evt + 2  PM1_EN  (16 bits, read/write; no event source, so no SCI)
 *   cnt + 0  PM1_CNT (16 bits): SCI_EN (bit 0) reads 1; SLP_TYP (12:10)
 *            read/write; SLP_EN (bit 13) write-only: with SLP_TYP = the
 *            soft-off type (the DSDT's \_S5) the machine powers off (exit
 *            status 0, reason "ACPI S5 power-off"); other types are ignored
 *            (no sleeping states are described).
 *
 * Two port windows, both served by the same ops (the opaque says which). */
#ifndef HVSIM_DEVICES_ACPI_PM_H
#define HVSIM_DEVICES_ACPI_PM_H
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct acpi_pm;

struct acpi_pm *acpi_pm_new(struct machine *m, unsigned slp_typ_s5);
void acpi_pm_free(struct acpi_pm *p);
void acpi_pm_copy_state(struct acpi_pm *dst, const struct acpi_pm *src);
/* The ops for the event block (opaque = acpi_pm_evt(p)) and the control
 * block (opaque = acpi_pm_cnt(p)). */
extern const struct mmio_ops acpi_pm_ops;
void *acpi_pm_evt(struct acpi_pm *p);
void *acpi_pm_cnt(struct acpi_pm *p);

#endif
