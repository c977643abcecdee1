/* The I/O APIC (Intel 82093AA I/O Advanced Programmable Interrupt
 * Controller data sheet, order no. 290566; the EOI register of the
 * version-0x20 I/O APICs of later Intel chipsets, e.g. the ICH/PCH data
 * sheets' "EOI Register"): 24 redirection entries, edge and level
 * triggering with remote IRR, fixed / lowest-priority / SMI / NMI / INIT /
 * ExtINT delivery, physical and logical destinations. It sends interrupt
 * messages to the local APICs (lapic_sys_device_msg). On the PC board it
 * sits at 0xfec00000 (docs/x86.md "Interrupts and SMP").
 *
 * Registers: IOREGSEL at offset 0x00 (index), IOWIN at 0x10 (the indexed
 * register), EOI at 0x40. Indexed: 0x00 ID (27:24), 0x01 version (0x20,
 * max redirection entry 23 in 23:16), 0x02 arbitration ID, 0x10 + 2n /
 * 0x11 + 2n redirection entry n (low / high dword). Accesses other than
 * 32 bits (8 bits for IOREGSEL) read 0 and are dropped. */
#ifndef HVSIM_IOAPIC_H
#define HVSIM_IOAPIC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../sim/bus.h"

struct lapic_sys;
struct ioapic;

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_SIZE 0x1000u
#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x20u

struct ioapic *ioapic_new(struct lapic_sys *apics, uint8_t id);
void ioapic_free(struct ioapic *io);
/* A machine reset: every entry masked, the select register 0; the ID (the
 * board's) and the input pins' levels (the wires') stay. */
void ioapic_reset(struct ioapic *io);
extern const struct mmio_ops ioapic_ops;
/* Input pin n (0..23) level (an irq_line's set function). */
void ioapic_set_irq(void *opaque, int n, int level);
/* An EOI broadcast from a local APIC for `vector` (lapic_sys_set_eoi_listener). */
void ioapic_eoi(void *opaque, uint8_t vector);
/* Register views for tests: redirection entry n (64 bits). */
uint64_t ioapic_redir(const struct ioapic *io, int n);
void ioapic_copy_state(struct ioapic *dst, const struct ioapic *src);
/* Check records (docs/trace-format.md): IOREGSEL, the ID register, the input
 * pin levels (bit n = pin n) and the 24 redirection entries; value i's name
 * ("redir3") in buf or a constant. */
#define IOAPIC_CHECK_N (3 + IOAPIC_PINS)
void ioapic_check_state(const struct ioapic *io, uint64_t v[IOAPIC_CHECK_N]);
const char *ioapic_check_name(unsigned i, char *buf, size_t len);

#endif
