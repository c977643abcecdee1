/* The Intel MultiProcessor Specification 1.4 tables of the PC board: the MP
 * floating pointer structure and the MP configuration table (base table,
 * no extended entries), generated from the number of CPUs. docs/x86.md
 * "Firmware tables". */
#ifndef HVSIM_BOARDS_X86_PC_MPTABLE_H
#define HVSIM_BOARDS_X86_PC_MPTABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The interrupt topology every firmware table of the board describes. */
#define PC_LAPIC_BASE 0xfee00000u  /* local APICs (IA32_APIC_BASE default) */
#define PC_IOAPIC_BASE 0xfec00000u /* the one IOAPIC, ID = number of CPUs */
#define PC_IOAPIC_PINS 24          /* GSI base 0 */
#define PC_SCI_IRQ 9               /* ACPI SCI (ISA IRQ 9 = GSI 9) */
/* MP table entries hold 8-bit APIC IDs and 0xff means "all": LAPIC IDs
 * 0..n-1 and the IOAPIC ID n must stay below 0xff. */
#define PC_MP_MAX_CPUS 254

/* Bytes the floating pointer + configuration table take for ncpus. */
size_t pc_mptable_size(int ncpus);

/* Writes the floating pointer at buf (physical address pa, 16-byte aligned)
 * and the configuration table right after it; signature = CPUID.1:EAX of
 * the processors. *used = bytes written. False (err says why) when ncpus
 * is out of 1..PC_MP_MAX_CPUS, pa is misaligned or cap is too small. */
bool pc_mptable_build(uint8_t *buf, size_t cap, uint32_t pa, int ncpus, uint32_t signature,
                      size_t *used, char *err, size_t errlen);

#endif
