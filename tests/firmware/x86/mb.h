/* Helpers of our 32-bit multiboot test kernels (mb1.c, mb2.c): lib.c's COM1
 * output and isa-debug-exit built with -m32, plus strings, fw_cfg and the
 * mode-switch routines of mb_modes.S. */
#ifndef MB_H
#define MB_H
#include <stdint.h>
#include "x86t.h"

int mb_streq(const char *a, const char *b);
int mb_memeq(const void *a, const void *b, uint32_t n);
void mb_put(const char *label, uint64_t v); /* "label 0x...\n" */

/* QEMU fw_cfg (I/O ports 0x510/0x511): an item's first n bytes. */
void fwcfg_read(uint16_t key, void *buf, uint32_t n);
/* A fw_cfg file's key and size by name; 0 when absent. */
uint16_t fwcfg_find(const char *name, uint32_t *size);

/* mb_modes.S. Bits of mb_long_mode_test's result: */
enum {
    LM_64BIT = 1,      /* 64-bit code ran (REX.W INC) */
    LM_COMPAT = 2,     /* compatibility mode: 32-bit code under EFER.LMA */
    LM_BACK64 = 4,     /* back to 64-bit from compatibility mode */
    LM_HIGH_RAM = 8,   /* RAM at 4 GiB written and read back */
    LM_LEFT = 16,      /* out of IA-32e mode again: EFER.LMA clear */
};
uint32_t mb_long_mode_test(uint32_t test_high_ram);
/* Bits of mb_real_mode_test's result: */
enum {
    RM_SEGOFF = 1,     /* 1234:0010 and 1235:0000 are the same byte */
    RM_CS = 2,         /* CS = 0x0800 in real mode */
    RM_A20_WRAP = 4,   /* A20 off: FFFF:0010 aliases 0000:0000 */
    RM_A20_ON = 8,     /* A20 on: FFFF:0010 is 1 MiB, not 0 */
};
uint32_t mb_real_mode_test(void);
#endif
