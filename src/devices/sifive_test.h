/* SiFive test device ("sifive,test1"/"syscon" power-off and reboot as on
 * QEMU virt): a 32-bit register at offset 0 of a 0x1000 window. Bits 15:0
 * select the command, bits 31:16 carry the failure code:
 *   0x5555          pass: power off, exit status 0
 *   0x3333 | N<<16  fail: exit status 1, "guest failure code N"
 *   0x7777          reset: hvsim does not reboot; ends the run with status 0
 */
#ifndef HVSIM_SIFIVE_TEST_H
#define HVSIM_SIFIVE_TEST_H
#include "../sim/bus.h"

struct machine;
struct sifive_test;

#define SIFIVE_TEST_SIZE 0x1000u

struct sifive_test *sifive_test_new(struct machine *m);
void sifive_test_free(struct sifive_test *t);

extern const struct mmio_ops sifive_test_ops;

#endif
