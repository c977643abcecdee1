/* zicbo.S — cache-block operations, RISC-V CMO 1.0.0: Zicbom (cbo.clean,
 * cbo.flush, cbo.inval), Zicboz (cbo.zero), Zicbop (prefetch.i/r/w).
 *
 * hvsim's cache-block size is 64 bytes (the DTB's riscv,cbom-block-size /
 * riscv,cboz-block-size). cbo.zero writes zeros over the aligned block that
 * holds rs1; clean/flush/inval change no memory (hvsim has no caches).
 * Enables (CMO 1.0 "Control and Status Register State": menvcfg/senvcfg/henvcfg bits CBIE[5:4], CBCFE[6],
 * CBZE[7]): below M, menvcfg's bit clear -> illegal instruction; in U,
 * senvcfg's bit clear -> illegal. CBIE = 10b is reserved (WARL: reads 00).
 * A block hvsim cannot write (ROM, nothing mapped): store access fault with
 * tval = rs1. The prefetches are ORI hints: never a trap, whatever rs1.
 * The V=1 rules (henvcfg, virtual instruction) are in the unit suite
 * (tests/unit/test_hext.c). zicbo_off.S: the default board, where the CBO
 * instructions are illegal and the envcfg bits read-only zero.
 *
 * hvsim-isa: rv64imafdch_zicsr_zifencei_zba_zbb_zbs_sstc_zicbom_zicboz_zicbop
 * qemu-skip: QEMU 7.2 (Debian) has no Zicbom/Zicboz CPU properties
 */
#include "test_macros.h"
        .option arch, +zicbom, +zicboz, +zicbop

#define ENV_CBIE   0x30
#define ENV_CBIE_FLUSH 0x10
#define ENV_CBCFE  0x40
#define ENV_CBZE   0x80
#define ENV_CB_ALL 0xf0

/* cbuf: 4 blocks of 64 bytes set to all-ones */
#define FILL_CBUF                                                       \
        la t0, cbuf; li t1, -1; li t2, 32;                              \
8890:   sd t1, 0(t0); addi t0, t0, 8; addi t2, t2, -1; bnez t2, 8890b

/* a0 = OR of the 8 dwords of block k of cbuf */
#define OR_BLOCK(k)                                                     \
        la t0, cbuf + 64 * (k); li a0, 0; li t2, 8;                     \
8891:   ld t1, 0(t0); or a0, a0, t1; addi t0, t0, 8; addi t2, t2, -1; bnez t2, 8891b

/* a0 = AND of the 8 dwords of block k of cbuf */
#define AND_BLOCK(k)                                                    \
        la t0, cbuf + 64 * (k); li a0, -1; li t2, 8;                    \
8892:   ld t1, 0(t0); and a0, a0, t1; addi t0, t0, 8; addi t2, t2, -1; bnez t2, 8892b

TEST_BEGIN

        /* prefetch.i/r/w are hints on every board: no trap, even for
         * addresses where nothing is mapped */
        TEST_CASE(2, a0, 5, li a0, 5; li a1, 0x40; prefetch.i 0(a1); prefetch.r 32(a1);
                  prefetch.w -64(a1); li a1, 0; prefetch.r 0(a1))

#ifndef EXT_OFF
        /* cbo.zero (M mode): rs1 inside block 1, not aligned */
        FILL_CBUF
        TEST_CASE(3, a0, 0, la a1, cbuf + 64 + 0x18; cbo.zero (a1); OR_BLOCK(1))
        TEST_CASE(4, a0, -1, AND_BLOCK(0))
        TEST_CASE(5, a0, -1, AND_BLOCK(2))
        /* clean/flush/inval: no trap, memory unchanged */
        TEST_CASE(6, a0, -1, la a1, cbuf + 128; cbo.clean (a1); cbo.flush (a1);
                  cbo.inval (a1); AND_BLOCK(2))

        /* the enables are writable; CBIE = 10b reads back as 00 */
        TEST_CASE(7, a0, ENV_CB_ALL, li t0, -1; csrw menvcfg, t0; csrr a0, menvcfg;
                  andi a0, a0, ENV_CB_ALL)
        TEST_CASE(8, a0, 0, li t0, 0x20; csrw menvcfg, t0; csrr a0, menvcfg;
                  andi a0, a0, ENV_CB_ALL)
        TEST_CASE(9, a0, ENV_CB_ALL, li t0, -1; csrw senvcfg, t0; csrr a0, senvcfg;
                  andi a0, a0, ENV_CB_ALL)
        TEST_CASE(10, a0, ENV_CB_ALL, li t0, -1; csrw henvcfg, t0; csrr a0, henvcfg;
                  andi a0, a0, ENV_CB_ALL)
        TEST_CASE(11, a0, 0x10, li t0, 0x10; csrw senvcfg, t0; csrr a0, senvcfg;
                  andi a0, a0, ENV_CB_ALL)

        /* S mode, menvcfg = 0: every CBO is illegal */
        csrw menvcfg, zero
        csrw senvcfg, zero
        la a1, cbuf
        ENTER_S
        TEST_ILLEGAL(12, cbo.zero (a1))
        TEST_ILLEGAL(13, cbo.clean (a1))
        TEST_ILLEGAL(14, cbo.flush (a1))
        TEST_ILLEGAL(15, cbo.inval (a1))
        GOTO_M
        /* menvcfg = CBZE only: cbo.zero works in S, the others stay illegal */
        li t0, ENV_CBZE; csrw menvcfg, t0
        FILL_CBUF
        la a1, cbuf + 64 * 3 + 63
        ENTER_S
        TEST_CASE(16, a0, 0, cbo.zero (a1); OR_BLOCK(3))
        TEST_ILLEGAL(17, cbo.clean (a1))
        TEST_ILLEGAL(18, cbo.inval (a1))
        GOTO_M
        /* CBCFE: clean and flush; CBIE = 01 (inval executes as a flush) */
        li t0, ENV_CBCFE | ENV_CBIE_FLUSH; csrw menvcfg, t0
        la a1, cbuf
        ENTER_S
        TEST_CASE(19, a0, -1, cbo.clean (a1); cbo.flush (a1); cbo.inval (a1); AND_BLOCK(0))
        TEST_ILLEGAL(20, cbo.zero (a1))
        GOTO_M

        /* U mode: menvcfg all on, senvcfg = 0: illegal; senvcfg on: executes */
        li t0, ENV_CB_ALL; csrw menvcfg, t0
        csrw senvcfg, zero
        FILL_CBUF
        la a1, cbuf + 64
        ENTER_U
        TEST_ILLEGAL(21, cbo.zero (a1))
        TEST_ILLEGAL(22, cbo.clean (a1))
        TEST_ILLEGAL(23, cbo.flush (a1))
        TEST_ILLEGAL(24, cbo.inval (a1))
        GOTO_M
        TEST_CASE(25, a0, -1, AND_BLOCK(1))
        li t0, ENV_CB_ALL; csrw senvcfg, t0
        la a1, cbuf + 64
        ENTER_U
        TEST_CASE(26, a0, 0, cbo.zero (a1); cbo.clean (a1); cbo.flush (a1); cbo.inval (a1);
                  OR_BLOCK(1))
        GOTO_M
        TEST_CASE(27, a0, -1, AND_BLOCK(2))

#ifndef ISA_QEMU
        /* blocks hvsim cannot write: the boot ROM, and nothing mapped:
         * store access fault with tval = rs1; the ROM is unchanged */
        li a1, 0x1000; lw s2, 8(a1)
        li a1, 0x1008
        TEST_TRAP_TVAL(28, CAUSE_STORE_ACCESS, 0x1008, cbo.zero (a1))
        TEST_CASE(29, a0, 0, li a1, 0x1000; lw a0, 8(a1); sub a0, a0, s2)
        li a1, 0x40010
        TEST_TRAP_TVAL(30, CAUSE_STORE_ACCESS, 0x40010, cbo.zero (a1))
#endif
#else /* EXT_OFF: the default board */
        la a1, cbuf
        TEST_ILLEGAL(3, cbo.zero (a1))
        TEST_ILLEGAL(4, cbo.clean (a1))
        TEST_ILLEGAL(5, cbo.flush (a1))
        TEST_ILLEGAL(6, cbo.inval (a1))
        /* the enables are read-only zero */
        TEST_CASE(7, a0, 0, li t0, -1; csrw menvcfg, t0; csrr a0, menvcfg; andi a0, a0, ENV_CB_ALL)
        TEST_CASE(8, a0, 0, li t0, -1; csrw senvcfg, t0; csrr a0, senvcfg; andi a0, a0, ENV_CB_ALL)
        TEST_CASE(9, a0, 0, li t0, -1; csrw henvcfg, t0; csrr a0, henvcfg; andi a0, a0, ENV_CB_ALL)
#endif

TEST_END

        .data
        .balign 64
cbuf:   .skip 256
