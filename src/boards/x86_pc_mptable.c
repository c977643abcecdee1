/* Intel MP spec 1.4 tables (see x86_pc_mptable.h). References are to the
 * MultiProcessor Specification, version 1.4 (May 1997), chapter 4. */
#include "x86_pc_mptable.h"
#include <stdio.h>
#include <string.h>

enum {
    MP_FPS_LEN = 16,   /* §4.1 floating pointer structure, 1 paragraph */
    MP_HDR_LEN = 44,   /* §4.2 configuration table header */
    MP_PROC_LEN = 20,  /* §4.3.1 processor entry */
    MP_SHORT_LEN = 8,  /* bus, I/O APIC, I/O and local interrupt entries */
    MP_NISA_INTS = 16, /* ISA IRQ 0..15, less IRQ 2 (cascade), plus ExtINT on pin 0 */
};

/* Entry types (§4.3, Table 4-3). */
enum { MPE_PROC = 0, MPE_BUS = 1, MPE_IOAPIC = 2, MPE_IOINT = 3, MPE_LINT = 4 };
/* Interrupt types (Table 4-10). */
enum { MPI_INT = 0, MPI_NMI = 1, MPI_SMI = 2, MPI_EXTINT = 3 };

size_t pc_mptable_size(int ncpus)
{
    if (ncpus < 1)
        ncpus = 1;
    return MP_FPS_LEN + MP_HDR_LEN + (size_t)ncpus * MP_PROC_LEN +
           MP_SHORT_LEN * (1 + 1 + MP_NISA_INTS + 2);
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

/* The byte that makes the sum of p[0..n) zero, p[at] being 0 so far. */
static void checksum(uint8_t *p, size_t n, size_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

bool pc_mptable_build(uint8_t *buf, size_t cap, uint32_t pa, int ncpus, uint32_t signature,
                      size_t *used, char *err, size_t errlen)
{
    if (ncpus < 1 || ncpus > PC_MP_MAX_CPUS) {
        snprintf(err, errlen, "--smp %d: the MP table describes at most %d CPUs (8-bit APIC "
                 "IDs: LAPIC 0..n-1 and the IOAPIC n, below the broadcast ID 0xff)",
                 ncpus, PC_MP_MAX_CPUS);
        return false;
    }
    size_t need = pc_mptable_size(ncpus);
    if ((pa & 15) || cap < need) {
        snprintf(err, errlen, "MP table: %zu bytes at 0x%x do not fit (%zu available, 16-byte "
                 "alignment)", need, pa, cap);
        return false;
    }
    memset(buf, 0, need);
    uint8_t ioapic_id = (uint8_t)ncpus;

    /* §4.1 floating pointer: "_MP_", physical address of the
     * configuration table, length in paragraphs, spec revision 4 (1.4),
     * checksum; feature byte 1 = 0 (a configuration table is present),
     * byte 2 bit 7 IMCRP = 0 (virtual wire mode: no IMCR). */
    uint8_t *f = buf;
    memcpy(f, "_MP_", 4);
    w32(f + 4, pa + MP_FPS_LEN);
    f[8] = 1;
    f[9] = 4;
    checksum(f, MP_FPS_LEN, 10);

    /* §4.2 configuration table header. */
    uint8_t *h = buf + MP_FPS_LEN;
    uint8_t *e = h + MP_HDR_LEN;
    uint16_t count = 0;
    memcpy(h, "PCMP", 4);
    h[6] = 4;                                 /* spec revision 1.4 */
    memcpy(h + 8, "HVSIM   ", 8);            /* OEM ID */
    memcpy(h + 16, "X86-PC      ", 12);      /* product ID */
    w32(h + 36, PC_LAPIC_BASE);              /* memory-mapped address of local APICs */

    /* §4.3.1 processor entries: LAPIC ID i, version 0x14 (an integrated
     * xAPIC), EN, BP on CPU 0; the CPU signature (CPUID.1:EAX stepping,
     * model, family) and feature flags FPU (bit 0) and APIC (bit 9). */
    for (int i = 0; i < ncpus; i++, count++, e += MP_PROC_LEN) {
        e[0] = MPE_PROC;
        e[1] = (uint8_t)i;
        e[2] = 0x14;
        e[3] = (uint8_t)(1 | (i == 0 ? 2 : 0));
        w32(e + 4, signature & 0xfff);
        w32(e + 8, (1u << 0) | (1u << 9));
    }
    /* §4.3.2 bus entry: bus 0 is ISA. */
    e[0] = MPE_BUS;
    memcpy(e + 2, "ISA   ", 6);
    e += MP_SHORT_LEN, count++;
    /* §4.3.3 I/O APIC entry: ID n, version 0x11 (82093AA), EN. */
    e[0] = MPE_IOAPIC;
    e[1] = ioapic_id;
    e[2] = 0x11;
    e[3] = 1;
    w32(e + 4, PC_IOAPIC_BASE);
    e += MP_SHORT_LEN, count++;
    /* §4.3.4 I/O interrupt assignments: the 8259's INTR on INTIN0
     * (ExtINT), ISA IRQ 0 (PIT) on INTIN2, ISA IRQ 1..15 on INTIN1..15
     * (IRQ 2 is the cascade: none); polarity and trigger conform to the
     * bus (ISA: edge, active high). */
    for (int irq = -1; irq < 16; irq++) {
        if (irq == 2)
            continue;
        e[0] = MPE_IOINT;
        e[1] = irq < 0 ? MPI_EXTINT : MPI_INT;
        w16(e + 2, 0);
        e[4] = 0;                               /* source bus: ISA */
        e[5] = (uint8_t)(irq < 0 ? 0 : irq);    /* source bus IRQ */
        e[6] = ioapic_id;
        e[7] = (uint8_t)(irq < 0 ? 0 : irq == 0 ? 2 : irq);
        e += MP_SHORT_LEN, count++;
    }
    /* §4.3.5 local interrupt assignments (every local APIC, ID 0xff):
     * ExtINT on LINTIN0, NMI on LINTIN1 (the virtual wire of §3.6.2.2). */
    for (int lint = 0; lint < 2; lint++) {
        e[0] = MPE_LINT;
        e[1] = lint == 0 ? MPI_EXTINT : MPI_NMI;
        e[4] = 0;
        e[5] = 0;
        e[6] = 0xff;
        e[7] = (uint8_t)lint;
        e += MP_SHORT_LEN, count++;
    }
    size_t len = (size_t)(e - h);
    w16(h + 4, (uint16_t)len);                  /* base table length */
    w16(h + 34, count);                         /* entry count */
    checksum(h, len, 7);
    *used = (size_t)(e - buf);
    return true;
}
