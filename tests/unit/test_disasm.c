/* Unit tests for the RISC-V disassembler (src/cpu/riscv/disasm.c).
 *
 * The encodings below were assembled once with riscv64-unknown-elf-as
 * (binutils 2.40, -march=rv64gc_zba_zbb_zbs or rv64gc_h1p0; the first block
 * with .option norvc, the second with compressed instructions) and the expected
 * text is what riscv64-unknown-elf-objdump -d printed, normalised where our
 * output deliberately differs (the objdump text is kept in a comment then):
 *   - branch and jump targets are absolute hex ("0x80000000", not
 *     "0 <_start>"); the pc column is the objdump address + 0x80000000;
 *   - instructions with an immediate keep their own mnemonic: objdump 2.40
 *     prints addi as "add sp,sp,-16", slli as "sll a0,a1,0x3f", rori as
 *     "ror", bexti as "bext", csrrwi zero as "csrw sstatus,2";
 *   - shift amounts are decimal like every other immediate;
 *   - compressed instructions print as their expansion (objdump does the
 *     same: "c.addi sp,-16" is "add sp,sp,-16" there, "addi sp,sp,-16" here). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "cpu/riscv/disasm.h"

Suite *disasm_suite(void);

struct dcase {
    uint32_t raw;
    uint64_t pc;
    const char *text;
};

static const struct dcase cases[] = {
    { 0x00c58533, 0x80000000, "add a0,a1,a2" },
    { 0x407302b3, 0x80000004, "sub t0,t1,t2" },
    { 0xff010113, 0x80000008, "addi sp,sp,-16" }, /* add sp,sp,-16 */
    { 0x00500513, 0x8000000c, "li a0,5" },
    { 0x00058513, 0x80000010, "mv a0,a1" },
    { 0x00000013, 0x80000014, "nop" },
    { 0xfff5c513, 0x80000018, "not a0,a1" },
    { 0x40b00533, 0x8000001c, "neg a0,a1" },
    { 0x40b0053b, 0x80000020, "negw a0,a1" },
    { 0x0005851b, 0x80000024, "sext.w a0,a1" },
    { 0x0015b513, 0x80000028, "seqz a0,a1" },
    { 0x00b03533, 0x8000002c, "snez a0,a1" },
    { 0x0005a533, 0x80000030, "sltz a0,a1" },
    { 0x00b02533, 0x80000034, "sgtz a0,a1" },
    { 0x020007b7, 0x80000038, "lui a5,0x2000" },
    { 0x00001297, 0x8000003c, "auipc t0,0x1" },
    { 0xfc1ff0ef, 0x80000040, "jal 0x80000000" }, /* jal 0 <_start> */
    { 0xfbdff06f, 0x80000044, "j 0x80000000" }, /* j 0 <_start> */
    { 0xfb9ff2ef, 0x80000048, "jal t0,0x80000000" }, /* jal t0,0 <_start> */
    { 0x00008067, 0x8000004c, "ret" },
    { 0x00078067, 0x80000050, "jr a5" },
    { 0x000780e7, 0x80000054, "jalr a5" },
    { 0x008502e7, 0x80000058, "jalr t0,8(a0)" },
    { 0xfab502e3, 0x8000005c, "beq a0,a1,0x80000000" }, /* beq a0,a1,0 <_start> */
    { 0xfa0500e3, 0x80000060, "beqz a0,0x80000000" }, /* beqz a0,0 <_start> */
    { 0xf8051ee3, 0x80000064, "bnez a0,0x80000000" }, /* bnez a0,0 <_start> */
    { 0xf8a05ce3, 0x80000068, "blez a0,0x80000000" }, /* blez a0,0 <_start> */
    { 0xf8055ae3, 0x8000006c, "bgez a0,0x80000000" }, /* bgez a0,0 <_start> */
    { 0xf80548e3, 0x80000070, "bltz a0,0x80000000" }, /* bltz a0,0 <_start> */
    { 0xf8a046e3, 0x80000074, "bgtz a0,0x80000000" }, /* bgtz a0,0 <_start> */
    { 0xf8b564e3, 0x80000078, "bltu a0,a1,0x80000000" }, /* bltu a0,a1,0 <_start> */
    { 0x00813503, 0x8000007c, "ld a0,8(sp)" },
    { 0xfff54583, 0x80000080, "lbu a1,-1(a0)" },
    { 0x00113423, 0x80000084, "sd ra,8(sp)" },
    { 0x00e7a023, 0x80000088, "sw a4,0(a5)" },
    { 0x03f59513, 0x8000008c, "slli a0,a1,63" }, /* sll a0,a1,0x3f */
    { 0x4035d513, 0x80000090, "srai a0,a1,3" }, /* sra a0,a1,0x3 */
    { 0x4035d51b, 0x80000094, "sraiw a0,a1,3" }, /* sraw a0,a1,0x3 */
    { 0x02c58533, 0x80000098, "mul a0,a1,a2" },
    { 0x02c5d53b, 0x8000009c, "divuw a0,a1,a2" },
    { 0x02c5f533, 0x800000a0, "remu a0,a1,a2" },
    { 0x1005a52f, 0x800000a4, "lr.w a0,(a1)" },
    { 0x1405b52f, 0x800000a8, "lr.d.aq a0,(a1)" },
    { 0x1ac5b52f, 0x800000ac, "sc.d.rl a0,a2,(a1)" },
    { 0x00b6252f, 0x800000b0, "amoadd.w a0,a1,(a2)" },
    { 0x0eb6352f, 0x800000b4, "amoswap.d.aqrl a0,a1,(a2)" },
    { 0xe0b6252f, 0x800000b8, "amomaxu.w a0,a1,(a2)" },
    { 0x40b6352f, 0x800000bc, "amoor.d a0,a1,(a2)" },
    { 0x0ff0000f, 0x800000c0, "fence" },
    { 0x0330000f, 0x800000c4, "fence rw,rw" },
    { 0x0210000f, 0x800000c8, "fence r,w" },
    { 0x0000100f, 0x800000cc, "fence.i" },
    { 0x8330000f, 0x800000d0, "fence.tso" },
    { 0x00000073, 0x800000d4, "ecall" },
    { 0x00100073, 0x800000d8, "ebreak" },
    { 0x30200073, 0x800000dc, "mret" },
    { 0x10200073, 0x800000e0, "sret" },
    { 0x10500073, 0x800000e4, "wfi" },
    { 0x12000073, 0x800000e8, "sfence.vma" },
    { 0x12050073, 0x800000ec, "sfence.vma a0" },
    { 0x12b50073, 0x800000f0, "sfence.vma a0,a1" },
    { 0x30059573, 0x800000f4, "csrrw a0,mstatus,a1" },
    { 0x30559073, 0x800000f8, "csrw mtvec,a1" },
    { 0xf1402573, 0x800000fc, "csrr a0,mhartid" },
    { 0x3045a073, 0x80000100, "csrs mie,a1" },
    { 0x3445b073, 0x80000104, "csrc mip,a1" },
    { 0x1005b573, 0x80000108, "csrrc a0,sstatus,a1" },
    { 0x10015073, 0x8000010c, "csrwi sstatus,2" }, /* csrw sstatus,2 */
    { 0x30046073, 0x80000110, "csrsi mstatus,8" }, /* csrs mstatus,8 */
    { 0x10417573, 0x80000114, "csrrci a0,sie,2" }, /* csrrc a0,sie,2 */
    { 0xc0102573, 0x80000118, "rdtime a0" },
    { 0xc0002573, 0x8000011c, "rdcycle a0" },
    { 0xc0202573, 0x80000120, "rdinstret a0" },
    { 0x18059573, 0x80000124, "csrrw a0,satp,a1" },
    { 0x14d02573, 0x80000128, "csrr a0,stimecmp" },
    { 0x7c002573, 0x8000012c, "csrr a0,0x7c0" },
    { 0x3b302573, 0x80000130, "csrr a0,pmpaddr3" },
    { 0x00102573, 0x80000134, "frflags a0" },
    { 0x00302573, 0x80000138, "frcsr a0" },
    { 0x00351073, 0x8000013c, "fscsr a0" },
    { 0x00202573, 0x80000140, "frrm a0" },
    { 0x00c5f553, 0x80000144, "fadd.s fa0,fa1,fa2" },
    { 0x02c59553, 0x80000148, "fadd.d fa0,fa1,fa2,rtz" },
    { 0x0a20f053, 0x8000014c, "fsub.d ft0,ft1,ft2" },
    { 0x1124f453, 0x80000150, "fmul.s fs0,fs1,fs2" },
    { 0x1ac5f553, 0x80000154, "fdiv.d fa0,fa1,fa2" },
    { 0x5a05f553, 0x80000158, "fsqrt.d fa0,fa1" },
    { 0x58058553, 0x8000015c, "fsqrt.s fa0,fa1,rne" },
    { 0x6ac5f543, 0x80000160, "fmadd.d fa0,fa1,fa2,fa3" },
    { 0x68c5f547, 0x80000164, "fmsub.s fa0,fa1,fa2,fa3" },
    { 0x6ac5f54b, 0x80000168, "fnmsub.d fa0,fa1,fa2,fa3" },
    { 0x68c5c54f, 0x8000016c, "fnmadd.s fa0,fa1,fa2,fa3,rmm" },
    { 0x22b58553, 0x80000170, "fmv.d fa0,fa1" },
    { 0x22c58553, 0x80000174, "fsgnj.d fa0,fa1,fa2" },
    { 0x20b59553, 0x80000178, "fneg.s fa0,fa1" },
    { 0x22b5a553, 0x8000017c, "fabs.d fa0,fa1" },
    { 0x20c5a553, 0x80000180, "fsgnjx.s fa0,fa1,fa2" },
    { 0x2ac58553, 0x80000184, "fmin.d fa0,fa1,fa2" },
    { 0x28c59553, 0x80000188, "fmax.s fa0,fa1,fa2" },
    { 0xe0050553, 0x8000018c, "fmv.x.w a0,fa0" },
    { 0xe2050553, 0x80000190, "fmv.x.d a0,fa0" },
    { 0xf0050553, 0x80000194, "fmv.w.x fa0,a0" },
    { 0xf2050553, 0x80000198, "fmv.d.x fa0,a0" },
    { 0xc0051553, 0x8000019c, "fcvt.w.s a0,fa0,rtz" },
    { 0xc2357553, 0x800001a0, "fcvt.lu.d a0,fa0" },
    { 0xd2050553, 0x800001a4, "fcvt.d.w fa0,a0" },
    { 0xd0257553, 0x800001a8, "fcvt.s.l fa0,a0" },
    { 0x4015f553, 0x800001ac, "fcvt.s.d fa0,fa1" },
    { 0x42058553, 0x800001b0, "fcvt.d.s fa0,fa1" },
    { 0xa0b52553, 0x800001b4, "feq.s a0,fa0,fa1" },
    { 0xa2b51553, 0x800001b8, "flt.d a0,fa0,fa1" },
    { 0xa2b50553, 0x800001bc, "fle.d a0,fa0,fa1" },
    { 0xe2051553, 0x800001c0, "fclass.d a0,fa0" },
    { 0x00412507, 0x800001c4, "flw fa0,4(sp)" },
    { 0xfe843c27, 0x800001c8, "fsd fs0,-8(s0)" },
    { 0x20c5a533, 0x800001cc, "sh1add a0,a1,a2" },
    { 0x20c5c53b, 0x800001d0, "sh2add.uw a0,a1,a2" },
    { 0x08c5853b, 0x800001d4, "add.uw a0,a1,a2" },
    { 0x0805853b, 0x800001d8, "zext.w a0,a1" },
    { 0x0835951b, 0x800001dc, "slli.uw a0,a1,3" }, /* slli.uw a0,a1,0x3 */
    { 0x40c5f533, 0x800001e0, "andn a0,a1,a2" },
    { 0x60059513, 0x800001e4, "clz a0,a1" },
    { 0x6015951b, 0x800001e8, "ctzw a0,a1" },
    { 0x60259513, 0x800001ec, "cpop a0,a1" },
    { 0x0ac5e533, 0x800001f0, "max a0,a1,a2" },
    { 0x60459513, 0x800001f4, "sext.b a0,a1" },
    { 0x60559513, 0x800001f8, "sext.h a0,a1" },
    { 0x0805c53b, 0x800001fc, "zext.h a0,a1" },
    { 0x0ff5f513, 0x80000200, "zext.b a0,a1" },
    { 0x60c59533, 0x80000204, "rol a0,a1,a2" },
    { 0x6055d513, 0x80000208, "rori a0,a1,5" }, /* ror a0,a1,0x5 */
    { 0x6055d51b, 0x8000020c, "roriw a0,a1,5" }, /* rorw a0,a1,0x5 */
    { 0x2875d513, 0x80000210, "orc.b a0,a1" },
    { 0x6b85d513, 0x80000214, "rev8 a0,a1" },
    { 0x48c59533, 0x80000218, "bclr a0,a1,a2" },
    { 0x4835d513, 0x8000021c, "bexti a0,a1,3" }, /* bext a0,a1,0x3 */
    { 0x6bf59513, 0x80000220, "binvi a0,a1,63" }, /* binv a0,a1,0x3f */
    { 0x28c59533, 0x80000224, "bset a0,a1,a2" },
    { 0x00000000, 0x80000228, "unknown 0x0000" }, /* .word 0x00000000 */
    { 0xffffffff, 0x8000022c, "unknown 0xffffffff" }, /* .word 0xffffffff */
    { 0x1141, 0x80000000, "addi sp,sp,-16" }, /* add sp,sp,-16 */
    { 0x4515, 0x80000002, "li a0,5" },
    { 0x852e, 0x80000004, "mv a0,a1" },
    { 0x8082, 0x80000006, "ret" },
    { 0x8782, 0x80000008, "jr a5" },
    { 0x9782, 0x8000000a, "jalr a5" },
    { 0xc398, 0x8000000c, "sw a4,0(a5)" },
    { 0x6588, 0x8000000e, "ld a0,8(a1)" },
    { 0xbfc5, 0x80000010, "j 0x80000000" }, /* j 0 <_start> */
    { 0xd57d, 0x80000012, "beqz a0,0x80000000" }, /* beqz a0,0 <_start> */
    { 0xf4f5, 0x80000014, "bnez s1,0x80000000" }, /* bnez s1,0 <_start> */
    { 0x7139, 0x80000016, "addi sp,sp,-64" }, /* add sp,sp,-64 */
    { 0x0808, 0x80000018, "addi a0,sp,16" }, /* add a0,sp,16 */
    { 0x67fd, 0x8000001a, "lui a5,0x1f" },
    { 0x810d, 0x8000001c, "srli a0,a0,3" }, /* srl a0,a0,0x3 */
    { 0x95fd, 0x8000001e, "srai a1,a1,63" }, /* sra a1,a1,0x3f */
    { 0x9a79, 0x80000020, "andi a2,a2,-2" }, /* and a2,a2,-2 */
    { 0x8d6d, 0x80000022, "and a0,a0,a1" },
    { 0x9d0d, 0x80000024, "subw a0,a0,a1" },
    { 0x9f3d, 0x80000026, "addw a4,a4,a5" },
    { 0x2588, 0x80000028, "fld fa0,8(a1)" },
    { 0xa822, 0x8000002a, "fsd fs0,16(sp)" },
    { 0x9002, 0x8000002c, "ebreak" },
    { 0x0001, 0x8000002e, "nop" },
    { 0x0532, 0x80000030, "slli a0,a0,12" }, /* sll a0,a0,0xc */
    { 0x60a2, 0x80000032, "ld ra,8(sp)" },
    { 0xe406, 0x80000034, "sd ra,8(sp)" },
    { 0x4532, 0x80000036, "lw a0,12(sp)" },
    { 0x357d, 0x80000038, "addiw a0,a0,-1" }, /* addw a0,a0,-1 */
    { 0x952e, 0x8000003a, "add a0,a0,a1" },
    { 0x0f50000f, 0x80000042, "fence iorw,ow" },
    /* H extension (-march=rv64gc_h1p0) */
    { 0x6005c573, 0x80000000, "hlv.b a0,(a1)" },
    { 0x6415c573, 0x80000004, "hlv.hu a0,(a1)" },
    { 0x6835c573, 0x80000008, "hlvx.wu a0,(a1)" },
    { 0x6c0142f3, 0x8000000c, "hlv.d t0,(sp)" },
    { 0x6ac5c073, 0x80000010, "hsv.w a2,(a1)" },
    { 0x6ea34073, 0x80000014, "hsv.d a0,(t1)" },
    { 0x22000073, 0x80000018, "hfence.vvma" },
    { 0x62050073, 0x8000001c, "hfence.gvma a0" },
    { 0x62b50073, 0x80000020, "hfence.gvma a0,a1" },
    { 0x60059573, 0x80000024, "csrrw a0,hstatus,a1" },
    { 0x68002573, 0x80000028, "csrr a0,hgatp" },
    { 0x28051073, 0x8000002c, "csrw vsatp,a0" },
    /* optional extensions (-march=rv64gc_zbc_zbkb_zbkx_zicbom_zicboz_zicbop_zihintpause) */
    { 0x0ac59533, 0x80000000, "clmul a0,a1,a2" },
    { 0x0a7332b3, 0x80000004, "clmulh t0,t1,t2" },
    { 0x0ac5a533, 0x80000008, "clmulr a0,a1,a2" },
    { 0x08c5c533, 0x8000000c, "pack a0,a1,a2" },
    { 0x08c5f533, 0x80000010, "packh a0,a1,a2" },
    { 0x08c5c53b, 0x80000014, "packw a0,a1,a2" },
    { 0x6875d513, 0x80000018, "brev8 a0,a1" },
    { 0x28c5a533, 0x8000001c, "xperm4 a0,a1,a2" },
    { 0x293944b3, 0x80000020, "xperm8 s1,s2,s3" },
    { 0x0015200f, 0x80000024, "cbo.clean (a0)" },
    { 0x0023200f, 0x80000028, "cbo.flush (t1)" },
    { 0x0001200f, 0x8000002c, "cbo.inval (sp)" },
    { 0x0047a00f, 0x80000030, "cbo.zero (a5)" },
    { 0x04056013, 0x80000034, "prefetch.i 64(a0)" },
    { 0xfe15e013, 0x80000038, "prefetch.r -32(a1)" },
    { 0x00316013, 0x8000003c, "prefetch.w 0(sp)" },
    { 0x0100000f, 0x80000040, "pause" },
    /* Zawrs (-march=rv64gc_zawrs) */
    { 0x00d00073, 0x80000000, "wrs.nto" },
    { 0x01d00073, 0x80000004, "wrs.sto" },
    /* Zfhmin (-march=rv64gc_zfhmin) */
    { 0x00659507, 0x80000000, "flh fa0,6(a1)" },
    { 0xfec11f27, 0x80000004, "fsh fa2,-2(sp)" },
    { 0xe4058553, 0x80000008, "fmv.x.h a0,fa1" },
    { 0xf4058553, 0x8000000c, "fmv.h.x fa0,a1" },
    { 0x40258553, 0x80000010, "fcvt.s.h fa0,fa1" },
    { 0x42258553, 0x80000014, "fcvt.d.h fa0,fa1" },
    { 0x4405f553, 0x80000018, "fcvt.h.s fa0,fa1" },
    { 0x4415f553, 0x8000001c, "fcvt.h.d fa0,fa1" },
    { 0x44059553, 0x80000020, "fcvt.h.s fa0,fa1,rtz" },
    { 0x4415b553, 0x80000024, "fcvt.h.d fa0,fa1,rup" },
    /* Zfh (-march=rv64gc_zfh) */
    { 0x04c5f553, 0x80000000, "fadd.h fa0,fa1,fa2" },
    { 0x0cc59553, 0x80000004, "fsub.h fa0,fa1,fa2,rtz" },
    { 0x1420f053, 0x80000008, "fmul.h ft0,ft1,ft2" },
    { 0x1cc5f553, 0x8000000c, "fdiv.h fa0,fa1,fa2" },
    { 0x5c05f553, 0x80000010, "fsqrt.h fa0,fa1" },
    { 0x6cc5f543, 0x80000014, "fmadd.h fa0,fa1,fa2,fa3" },
    { 0x6cc5b54b, 0x80000018, "fnmsub.h fa0,fa1,fa2,fa3,rup" },
    { 0x2cc58553, 0x8000001c, "fmin.h fa0,fa1,fa2" },
    { 0x2cc59553, 0x80000020, "fmax.h fa0,fa1,fa2" },
    { 0x24c58553, 0x80000024, "fsgnj.h fa0,fa1,fa2" },
    { 0x24b5a553, 0x80000028, "fabs.h fa0,fa1" },
    { 0xa4c5a553, 0x8000002c, "feq.h a0,fa1,fa2" },
    { 0xa4c59553, 0x80000030, "flt.h a0,fa1,fa2" },
    { 0xa4c58553, 0x80000034, "fle.h a0,fa1,fa2" },
    { 0xe4059553, 0x80000038, "fclass.h a0,fa1" },
    { 0xc4059553, 0x8000003c, "fcvt.w.h a0,fa1,rtz" },
    { 0xc435f553, 0x80000040, "fcvt.lu.h a0,fa1" },
    { 0xd405f553, 0x80000044, "fcvt.h.w fa0,a1" },
    { 0xd4358553, 0x80000048, "fcvt.h.lu fa0,a1,rne" },
    /* binutils 2.40 has no Zicond / Zihintntl: encodings from Zicond 1.0
     * (funct7 0000111, funct3 101/111) and Zihintntl 1.0 (add x0,x0,x2..x5) */
    { 0x0ec5d533, 0x80000000, "czero.eqz a0,a1,a2" },
    { 0x0ec5f533, 0x80000000, "czero.nez a0,a1,a2" },
    { 0x00200033, 0x80000000, "ntl.p1" },
    { 0x00500033, 0x80000000, "ntl.all" },
    { 0x900e, 0x80000000, "c.ntl.pall" },
    { 0x9012, 0x80000000, "c.ntl.s1" },
    { 0x0025e013, 0x80000000, "ori zero,a1,2" },            /* not a prefetch: imm[4:0] = 2 */
    { 0x0035a00f, 0x80000000, "unknown 0x0035a00f" },       /* MISC-MEM funct3 2, imm 3: no cbo */
    /* 64-bit targets: kernel addresses */
    { 0x0000bfc5, 0xffffffff80200010ull, "j 0xffffffff80200000" },
    { 0x0040006f, 0xfffffffffffffffcull, "j 0x0" },
    /* encodings the hart rejects */
    { 0x0000, 0x80000000, "unknown 0x0000" },                /* c.addi4spn with imm 0 */
    { 0x04c58553, 0x80000000, "fadd.h fa0,fa1,fa2,rne" },    /* Zfh (rm 0 is rne) */
    { 0x28b6252f, 0x80000000, "unknown 0x28b6252f" },        /* AMO funct5 0x05 */
    { 0xfe0585d3, 0x80000000, "unknown 0xfe0585d3" },        /* OP-FP funct5 0x1f */
    { 0x02c5d553, 0x80000000, "unknown 0x02c5d553" },        /* fadd.d with rm 5 */
    { 0x0000007f, 0x80000000, "unknown 0x0000007f" },        /* >32-bit encoding */
    { 0x0000401f, 0x80000000, "unknown 0x0000401f" },        /* 48-bit encoding */
    { 0x0000e002, 0x80000000, "sd zero,0(sp)" },             /* c.sdsp zero,0(sp) */
};

START_TEST(test_objdump_table)
{
    const struct dcase *c = &cases[_i];
    char buf[96];
    size_t n = rv_disasm(c->raw, c->pc, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, c->text) == 0, "0x%08x at 0x%llx: got '%s', expected '%s'", c->raw,
                  (unsigned long long)c->pc, buf, c->text);
    ck_assert_uint_eq(n, strlen(c->text));
}
END_TEST

/* snprintf semantics: full length returned, output truncated and
 * terminated, len 0 writes nothing. */
START_TEST(test_truncation)
{
    char buf[8];
    memset(buf, 'x', sizeof buf);
    size_t n = rv_disasm(0x30059573, 0, buf, sizeof buf); /* csrrw a0,mstatus,a1 */
    ck_assert_uint_eq(n, strlen("csrrw a0,mstatus,a1"));
    ck_assert_str_eq(buf, "csrrw a");
    ck_assert_uint_eq(rv_disasm(0x00000073, 0, NULL, 0), 5); /* ecall */
    char one[1] = { 'x' };
    ck_assert_uint_eq(rv_disasm(0xffffffff, 0, one, 1), strlen("unknown 0xffffffff"));
    ck_assert_int_eq(one[0], 0);
}
END_TEST

START_TEST(test_names)
{
    char b[24];
    ck_assert(rv_csr_name(0x300, b, sizeof b));
    ck_assert_str_eq(b, "mstatus");
    ck_assert(rv_csr_name(0x3b0 + 13, b, sizeof b));
    ck_assert_str_eq(b, "pmpaddr13");
    ck_assert(rv_csr_name(0x3a2, b, sizeof b));
    ck_assert_str_eq(b, "pmpcfg2");
    ck_assert(rv_csr_name(0xb05, b, sizeof b));
    ck_assert_str_eq(b, "mhpmcounter5");
    ck_assert(rv_csr_name(0x14d, b, sizeof b));
    ck_assert_str_eq(b, "stimecmp");
    ck_assert(!rv_csr_name(0x7c0, b, sizeof b));
    ck_assert_str_eq(b, "0x7c0");

    ck_assert_str_eq(rv_cause_name(1ull << 63 | 3), "MSI");
    ck_assert_str_eq(rv_cause_name(1ull << 63 | 1), "SSI");
    ck_assert_str_eq(rv_cause_name(1ull << 63 | 5), "STI");
    ck_assert_str_eq(rv_cause_name(1ull << 63 | 9), "SEI");
    ck_assert_str_eq(rv_cause_name(9), "ecall-S");
    ck_assert_str_eq(rv_cause_name(13), "load-page-fault");
    ck_assert_str_eq(rv_cause_name(2), "illegal-insn");
    ck_assert_ptr_null(rv_cause_name(14));
    ck_assert_ptr_null(rv_cause_name(1ull << 63 | 4));
    ck_assert_ptr_null(rv_cause_name(1ull << 63 | 1000));

    ck_assert_str_eq(rv_priv_name(0), "U");
    ck_assert_str_eq(rv_priv_name(1), "S");
    ck_assert_str_eq(rv_priv_name(3), "M");
    ck_assert_str_eq(rv_priv_name(4), "VU");
    ck_assert_str_eq(rv_priv_name(5), "VS");
    ck_assert_ptr_null(rv_priv_name(2));
    ck_assert_ptr_null(rv_priv_name(6));

    ck_assert_str_eq(rv_xreg_name(0), "zero");
    ck_assert_str_eq(rv_xreg_name(32), "zero"); /* the decoder's x0 sink */
    ck_assert_str_eq(rv_xreg_name(8), "s0");
    ck_assert_str_eq(rv_freg_name(10), "fa0");
}
END_TEST

Suite *disasm_suite(void)
{
    Suite *s = suite_create("disasm");
    TCase *tc = tcase_create("disasm");
    tcase_add_loop_test(tc, test_objdump_table, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}
