/* The reset-vector ROM of the RISC-V board: a few instructions that hand
 * firmware the boot protocol OpenSBI expects (a0 = hart id, a1 = DTB). */
#ifndef HVSIM_LOADER_BOOTROM_H
#define HVSIM_LOADER_BOOTROM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of buf that bootrom_build writes (code + two 64-bit constants). */
#define BOOTROM_CODE_SIZE 40

/* Writes into buf[0..BOOTROM_CODE_SIZE) (little-endian RV64 code that runs at
 * the ROM base, position independent):
 *     auipc t0, 0          t0 = address of this code
 *     csrr  a0, mhartid    a0 = hart id
 *     ld    a1, 24(t0)     a1 = dtb_addr
 *     ld    t0, 32(t0)     t0 = jump_addr
 *     jr    t0
 *     nop                  (pads the constants to 8-byte alignment)
 *     .dword dtb_addr      offset 24
 *     .dword jump_addr     offset 32
 * The rest of buf is left untouched. False if size < BOOTROM_CODE_SIZE. */
bool bootrom_build(uint8_t *buf, size_t size, uint64_t jump_addr, uint64_t dtb_addr);

#endif
