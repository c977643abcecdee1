/* Motorola MC146818A real-time clock and CMOS RAM at ports 0x70 (index) /
 * 0x71 (data) (MC146818A data sheet; PC CMOS layout from the IBM PC/AT
 * Technical Reference and what SeaBIOS/QEMU use).
 *
 * Time comes only from virtual time: the clock reads epoch + floor(ticks /
 * cpu_hz) seconds, plus whatever offset the guest set by writing the time
 * registers. `epoch` (seconds since 1970-01-01 00:00:00 UTC) is a config
 * value given at creation, never host time.
 *
 * Registers (data sheet "Register A" to "Register D"):
 *  - 0x00-0x09 seconds .. year, BCD or binary (B.DM) and 12/24 hours (B.24/12;
 *    12-hour mode: bit 7 of the hour = PM); alarm bytes 0x01/0x03/0x05
 *    (0xc0-0xff = don't care); day of week 1-7, Sunday = 1.
 *  - A: UIP (bit 7) is 1 for the 2228 us (244 us set-up + 1984 us update
 *    cycle at 32.768 kHz) that end at every virtual-second boundary, which
 *    is when the time registers change: a guest that waits for UIP to fall
 *    then reads a stable time for ~998 ms. DV/RS are stored; RS selects the
 *    periodic rate; the clock runs for any DV (divider not modelled).
 *  - B: SET (time frozen, UIE cleared; written registers take effect when
 *    SET clears), PIE/AIE/UIE, SQWE (stored), DM, 24/12, DSE (stored,
 *    no daylight saving applied).
 *  - C: IRQF/PF/AF/UF; reading clears them and lowers IRQ 8.
 *    PF is set at each periodic-rate boundary, UF at each second boundary,
 *    AF at a second boundary whose time matches the alarm (only the latest
 *    second is compared when several passed between two looks). IRQ 8 is
 *    raised at the exact virtual time through a machine-level timer when
 *    the matching enable bit is set; with the enables clear, the flags are
 *    still computed when C is read (polling works).
 *  - D: VRT = 1 (battery good); read-only.
 * CMOS RAM 0x0e-0x7f (114 bytes) is read/write, except 0x32 (century, BCD
 * or binary per DM) which follows the clock. Memory-size bytes filled from
 * the RAM sizes given at creation:
 *   0x15/0x16 base memory in KiB (640)
 *   0x17/0x18 and 0x30/0x31 memory above 1 MiB in KiB (max 65535)
 *   0x34/0x35 memory above 16 MiB below 4 GiB in 64 KiB units (max 65535)
 *   0x5b-0x5d memory above 4 GiB in 64 KiB units (24 bits)
 *   0x14 equipment byte: 0x02 (math coprocessor, VGA), 0x10 floppy: none.
 *
 * The index port's bit 7 is NMI disable: kept in the board's bool (nmi_off,
 * may be NULL) and readable there; a read of port 0x70 returns 0xff (write
 * only, as on QEMU). */
#ifndef HVSIM_CMOS_RTC_H
#define HVSIM_CMOS_RTC_H
#include <stdbool.h>
#include <stdint.h>
#include "../sim/bus.h"
#include "../sim/irq.h"

struct machine;
struct cmos_rtc;

#define CMOS_RTC_PORTS 2u

struct cmos_rtc_config {
    int64_t epoch;          /* guest time at virtual time 0, seconds since 1970 UTC */
    uint64_t ram_below_4g;  /* bytes of RAM from 0 (below the 4 GiB hole) */
    uint64_t ram_above_4g;  /* bytes of RAM from 4 GiB */
};

/* Allocates a machine-level timer for the interrupts. */
struct cmos_rtc *cmos_rtc_new(struct machine *m, const struct cmos_rtc_config *cfg,
                              struct irq_line irq, bool *nmi_off);
void cmos_rtc_free(struct cmos_rtc *r);
void cmos_rtc_copy_state(struct cmos_rtc *dst, const struct cmos_rtc *src);

extern const struct mmio_ops cmos_rtc_ops;

/* The guest's current clock in seconds since 1970 (tests, debuggers). */
int64_t cmos_rtc_time(struct cmos_rtc *r);

/* Calendar helpers (proleptic Gregorian, UTC): exact integer arithmetic. */
int64_t cmos_days_from_civil(int64_t y, unsigned m, unsigned d);
void cmos_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
