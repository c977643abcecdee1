/* Virtual time. One instruction retired = one tick of the CPU's clock.
 * Device clocks (RISC-V mtime, x86 TSC/LAPIC timer) derive from ticks at
 * their configured frequency. ISA-neutral. */
#ifndef HVSIM_VTIME_H
#define HVSIM_VTIME_H
#include <stdint.h>

/* Convert between CPU ticks (at cpu_hz) and a device clock (at dev_hz). */
static inline uint64_t vtime_ticks_to_dev(uint64_t ticks, uint64_t cpu_hz, uint64_t dev_hz)
{
    /* The usual configurations have cpu_hz a multiple of dev_hz (1 GHz and
     * 10 MHz): one 64-bit division instead of a 128-bit one. Same result. */
    if (dev_hz <= cpu_hz && cpu_hz % dev_hz == 0)
        return ticks / (cpu_hz / dev_hz);
    return (uint64_t)(((unsigned __int128)ticks * dev_hz) / cpu_hz);
}

/* Smallest tick count t such that vtime_ticks_to_dev(t) >= dev. */
static inline uint64_t vtime_dev_to_ticks_ceil(uint64_t dev, uint64_t cpu_hz, uint64_t dev_hz)
{
    unsigned __int128 t = ((unsigned __int128)dev * cpu_hz + dev_hz - 1) / dev_hz;
    return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

#endif
