/* RISC-V Advanced Platform-Level Interrupt Controller (AIA 1.0 chapter 4):
 * two interrupt domains, the root at machine level and one child at
 * supervisor level, each with its own 16 KiB + IDC control region.
 * Sources 1..nsources (wires from devices, aplic_set_irq) are active in
 * the root or, once delegated (sourcecfg.D), in the child. Delivery per
 * domain (domaincfg.DM): direct, through the IDC structures (one per hart:
 * idelivery, iforce, ithreshold, topi, claimi) as the hart's MEIP (root) or
 * SEIP (child) line — with IMSICs only while their eidelivery is
 * 0x40000000 — or, when the board has IMSICs, as MSIs to the target hart's
 * M file (root) or S / guest file (child). MSI addresses are hardwired
 * (mmsiaddrcfgh reads L = 1, the other address registers zero), IPRIOLEN
 * is 8, big-endian mode is not supported (BE reads 0). docs/riscv.md
 * "AIA". */
#ifndef HVSIM_APLIC_H
#define HVSIM_APLIC_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"

struct machine;
struct aplic;

#define APLIC_MAX_SOURCES 1023u
#define APLIC_IDC_OFF     0x4000u
#define APLIC_IDC_SIZE    32u

/* msi: the harts have IMSICs, so domaincfg.DM = 1 is supported. */
struct aplic *aplic_new(struct machine *m, int nharts, unsigned nsources, bool msi);
void aplic_free(struct aplic *a);
void aplic_copy_state(struct aplic *dst, const struct aplic *src);
/* The size of each domain's control region (16 KiB + the IDCs, in pages). */
uint64_t aplic_region_size(const struct aplic *a);
/* A device's wire (struct irq_line handler). */
void aplic_set_irq(void *opaque, int src, int level);

/* MMIO of the root (machine-level) and child (supervisor-level) domain;
 * the opaque is the struct aplic for both. */
extern const struct mmio_ops aplic_m_ops, aplic_s_ops;

#endif
