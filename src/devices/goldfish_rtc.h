/* Goldfish RTC ("google,goldfish-rtc", the Android emulator's real-time
 * clock that QEMU's virt board has at 0x101000, PLIC source 11). Time is
 * nanoseconds since 1970: a configured epoch plus the machine's virtual
 * time, so every run and its replay read the same clock (docs/virtio.md).
 *
 * 32-bit registers (Linux include/clocksource/timer-goldfish.h names):
 *   0x00 TIME_LOW         read: low half of the time, latches the high half
 *                         write: sets the time to TIME_HIGH:value
 *   0x04 TIME_HIGH        read: the latched high half; write: stored
 *   0x08 ALARM_LOW        write: alarm = ALARM_HIGH:value, armed; read back
 *   0x0c ALARM_HIGH       write: high half of the next alarm; read back
 *   0x10 IRQ_ENABLED      1: the alarm raises the interrupt line
 *   0x14 CLEAR_ALARM      write: disarm
 *   0x18 ALARM_STATUS     read: 1 while an alarm is armed
 *   0x1c CLEAR_INTERRUPT  write: lower the line */
#ifndef HVSIM_GOLDFISH_RTC_H
#define HVSIM_GOLDFISH_RTC_H
#include <stdint.h>
#include "../sim/bus.h"
#include "../sim/irq.h"

struct machine;
struct goldfish_rtc;

#define GOLDFISH_RTC_SIZE 0x1000u

/* epoch_ns: the RTC's time at virtual time 0. */
struct goldfish_rtc *goldfish_rtc_new(struct machine *m, uint64_t epoch_ns, struct irq_line irq);
void goldfish_rtc_free(struct goldfish_rtc *r);
void goldfish_rtc_copy_state(struct goldfish_rtc *dst, const struct goldfish_rtc *src);

extern const struct mmio_ops goldfish_rtc_ops;

#endif
