/* svpbmt_napot.S — Svpbmt and Svnapot from S-mode under Sv39.
 *
 * Privileged spec 20211203: chapter 6 "Svnapot" (PTE bit 63 N; a level-0
 * leaf with N = 1 and ppn[3:0] = 1000b maps a naturally aligned 64 KiB
 * range, the physical ppn[3:0] coming from vpn[0][3:0]; other N = 1
 * encodings are reserved), chapter 7 "Svpbmt" (PTE bits 62:61 PBMT: 0 PMA,
 * 1 NC, 2 IO, 3 reserved; menvcfg.PBMTE (bit 62) makes them usable in
 * S-mode translation, otherwise they are reserved), §4.3.2 step 3 (a
 * reserved bit or encoding in a PTE is a page fault). Memory types change
 * nothing on hvsim (no cache): NC and IO pages read and write the same
 * memory as PMA pages.
 *
 * Address space:
 *   VA 0x00000000-0x3fffffff   identity gigapage (devices)
 *   VA 0x80000000-0xbfffffff   identity gigapage (RAM: code and data)
 *   VA 0xc0000000 + 4K*i       test window (l0w, table below)
 *
 * Passes on QEMU 7.2 too (HVSIM_ISA_QEMU=1 tests/isa/run.sh) without
 * tests 7-8 and 17-18: QEMU 7.2 does not treat PBMT = 3 as reserved, and
 * with svnapot=true it ignores the PBMT bits while menvcfg.PBMTE is 0.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_svpbmt_svnapot
 * qemu-cpu: rv64,svpbmt=true,svnapot=true
 */
#include "test_macros.h"

#define RAM      0x80000000
#define VA_WIN   0xc0000000
#define WIN(i)   (VA_WIN + (i) * 4096)
#define W_NAPOT   0      /* 0..15: one 64 KiB NAPOT translation -> napot_data */
#define W_IO      16     /* PBMT = IO -> pg */
#define W_NC      17     /* PBMT = NC -> pg */
#define W_PBMT3   18     /* PBMT = 3: reserved */
#define W_NAPOT0  19     /* N = 1, ppn[3:0] = 0000: reserved */

#define PBMT_NC  (1 << 61)
#define PBMT_IO  (2 << 61)
#define PBMT_RSV (3 << 61)
#define PTE_N    (1 << 63)
#define ENVCFG_PBMTE (1 << 62)
#define LEAF_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

/* PTE at table[index] = PPN(label + off) | flags | hi (hi: bits 63:61) */
#define PT_SET_HI(table, index, label, off, flags, hi)                  \
        la t4, table; li t5, (index) * 8; add t4, t4, t5;               \
        la t5, label; li t6, off; add t5, t5, t6;                       \
        srli t5, t5, 12; slli t5, t5, 10;                               \
        ori t5, t5, flags; li t6, hi; or t5, t5, t6; sd t5, 0(t4)

TEST_BEGIN
        /* ---- page tables (M-mode, physical) ---- */
        PT_SET_ABS(root, 0, 0, PTE_LEAF_RWX)
        PT_SET_ABS(root, 2, RAM, PTE_LEAF_RWX)
        PT_LINK(root, 3, l1w)
        PT_LINK(l1w, 0, l0w)
        /* the 16 PTEs of the NAPOT range, identical as the spec requires */
        li s0, 0
1:      PT_SET_HI(l0w, 0, napot_data, 0x8000, LEAF_RW | PTE_X, PTE_N)
        slli t6, s0, 3
        add t4, t4, t6
        sd t5, 0(t4)
        addi s0, s0, 1
        li t6, 16
        bne s0, t6, 1b
        PT_SET_HI(l0w, W_IO, pg, 0, LEAF_RW, PBMT_IO)
        PT_SET_HI(l0w, W_NC, pg, 0, LEAF_RW, PBMT_NC)
        PT_SET_HI(l0w, W_PBMT3, pg, 0, LEAF_RW, PBMT_RSV)
        PT_SET_HI(l0w, W_NAPOT0, napot_data, 0, LEAF_RW, PTE_N)
        /* napot_data page k starts with 0xabc00000 + k; pg with 0x600d */
        la t0, napot_data
        li t1, 0xabc00000
        li t2, 16
1:      sd t1, 0(t0)
        li t3, 4096
        add t0, t0, t3
        addi t1, t1, 1
        addi t2, t2, -1
        bnez t2, 1b
        la t0, pg
        li t1, 0x600d
        sd t1, 0(t0)
        SATP_ON(root, SATP_MODE_SV39)

test_2:         /* menvcfg.PBMTE is writable (Svpbmt) */
        TEST_NUM(2)
        li t0, ENVCFG_PBMTE
        csrs CSR_MENVCFG, t0
        csrr a0, CSR_MENVCFG
        and a0, a0, t0
        CHECK_REG_EQ(a0, t0)
        sfence.vma
        ENTER_S

        /* ---- Svpbmt: NC and IO pages are ordinary memory here ---- */
        TEST_CASE(3, a0, 0x600d, li a1, WIN(W_IO); ld a0, 0(a1))
        TEST_CASE(4, a0, 0x600d, li a1, WIN(W_NC); ld a0, 0(a1))
        TEST_CASE(5, a0, 0x1234, li a1, WIN(W_IO); li a2, 0x1234; sd a2, 8(a1); li a3, WIN(W_NC); ld a0, 8(a3))
        TEST_CASE(6, a0, 0x1234, la a1, pg; ld a0, 8(a1))
#ifndef ISA_QEMU
        /* PBMT = 3 is a reserved encoding (step 3); QEMU 7.2 accepts it */
        TEST_TRAP_TVAL(7, CAUSE_LOAD_PAGE_FAULT, WIN(W_PBMT3) + 0x10, li a1, WIN(W_PBMT3); ld a0, 0x10(a1))
        TEST_TRAP_TVAL(8, CAUSE_STORE_PAGE_FAULT, WIN(W_PBMT3), li a1, WIN(W_PBMT3); sd a0, 0(a1))
#endif

        /* ---- Svnapot: page i of the range is napot_data page i ---- */
        TEST_CASE(9, a0, 0xabc00000, li a1, WIN(W_NAPOT); ld a0, 0(a1))
        TEST_CASE(10, a0, 0xabc00005, li a1, WIN(W_NAPOT + 5); ld a0, 0(a1))
        TEST_CASE(11, a0, 0xabc0000f, li a1, WIN(W_NAPOT + 15); ld a0, 0(a1))
        TEST_CASE(12, a0, 0x77, li a1, WIN(W_NAPOT + 7); li a2, 0x77; sd a2, 16(a1); la a3, napot_data; li t0, 7 * 4096 + 16; add a3, a3, t0; ld a0, 0(a3))
        /* the store went through page 7 only: page 3 still reads its own */
        TEST_CASE(13, a0, 0xabc00003, li a1, WIN(W_NAPOT + 3); ld a0, 0(a1))
        TEST_TRAP_TVAL(14, CAUSE_LOAD_PAGE_FAULT, WIN(W_NAPOT0), li a1, WIN(W_NAPOT0); ld a0, 0(a1))
        TEST_TRAP_TVAL(15, CAUSE_FETCH_PAGE_FAULT, WIN(W_NAPOT0), li t0, WIN(W_NAPOT0); jalr ra, 0(t0))

        /* ---- PBMTE cleared: the PBMT bits are reserved again ---- */
        GOTO_M
test_16:
        TEST_NUM(16)
        li t0, ENVCFG_PBMTE
        csrc CSR_MENVCFG, t0
        csrr a0, CSR_MENVCFG
        and a0, a0, t0
        CHECK_EQ(a0, 0)
        sfence.vma
        ENTER_S
#ifndef ISA_QEMU
        /* QEMU 7.2 with svnapot on ignores PBMT bits when PBMTE is 0 */
        TEST_TRAP_TVAL(17, CAUSE_LOAD_PAGE_FAULT, WIN(W_IO), li a1, WIN(W_IO); ld a0, 0(a1))
        TEST_TRAP_TVAL(18, CAUSE_STORE_PAGE_FAULT, WIN(W_NC) + 8, li a1, WIN(W_NC); sd a0, 8(a1))
#endif
        /* the NAPOT range does not depend on PBMTE */
        TEST_CASE(19, a0, 0xabc00009, li a1, WIN(W_NAPOT + 9); ld a0, 0(a1))
        GOTO_M
TEST_END

        .bss
        .balign 4096
root:   .skip 4096
l1w:    .skip 4096
l0w:    .skip 4096
pg:     .skip 4096
        .balign 65536
napot_data: .skip 65536
