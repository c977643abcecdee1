/* HTIF (Spike's host-target interface): the guest writes commands to the
 * 64-bit `tohost` word, the host answers in `fromhost`. Supported:
 *   device 0 cmd 0, payload bit 0 = 1: exit with code payload >> 1
 *   device 0 cmd 0, payload bit 0 = 0: syscall block at payload (write only)
 *   device 1 cmd 1: console putchar (payload low byte) */
#ifndef HVSIM_HTIF_H
#define HVSIM_HTIF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct console;
struct htif;

/* Watches stores to tohost (which must be in RAM). NULL + message on error. */
struct htif *htif_new(struct machine *m, struct console *con, uint64_t tohost, uint64_t fromhost,
                      char *err, size_t errlen);
void htif_free(struct htif *h);

#endif
