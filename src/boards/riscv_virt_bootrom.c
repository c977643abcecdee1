/* Reset-vector ROM. The instruction encoders follow the base formats of the
 * RISC-V Unprivileged ISA (20191213), chapter 2.2 "Base Instruction Formats"
 * (I-type and U-type), with opcodes from chapter 24 "RV32/64G Instruction Set
 * Listings"; CSR numbers from the Privileged ISA (20211203) table 2.5. */
#include "boards/riscv_virt_bootrom.h"

#include <string.h>

enum {
    OP_LOAD   = 0x03, /* LOAD:   ld = funct3 3 */
    OP_AUIPC  = 0x17,
    OP_JALR   = 0x67,
    OP_SYSTEM = 0x73, /* SYSTEM: csrrs = funct3 2 */
    OP_IMM    = 0x13, /* OP-IMM: addi = funct3 0 */
};

enum { REG_ZERO = 0, REG_T0 = 5, REG_A0 = 10, REG_A1 = 11 };

#define CSR_MHARTID 0xf14

/* I-type: imm[11:0] | rs1 | funct3 | rd | opcode */
static uint32_t enc_i(uint32_t opcode, unsigned rd, unsigned funct3, unsigned rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfffu) << 20 | (rs1 & 31u) << 15 | (funct3 & 7u) << 12 |
           (rd & 31u) << 7 | opcode;
}

/* U-type: imm[31:12] | rd | opcode (imm given as the 20-bit upper value) */
static uint32_t enc_u(uint32_t opcode, unsigned rd, uint32_t imm20)
{
    return (imm20 & 0xfffffu) << 12 | (rd & 31u) << 7 | opcode;
}

static uint32_t rv_auipc(unsigned rd, uint32_t imm20) { return enc_u(OP_AUIPC, rd, imm20); }
static uint32_t rv_ld(unsigned rd, unsigned rs1, int32_t off) { return enc_i(OP_LOAD, rd, 3, rs1, off); }
static uint32_t rv_jalr(unsigned rd, unsigned rs1, int32_t off) { return enc_i(OP_JALR, rd, 0, rs1, off); }
/* csrr rd, csr = csrrs rd, csr, x0 (the CSR number sits in the imm field) */
static uint32_t rv_csrr(unsigned rd, uint32_t csr) { return enc_i(OP_SYSTEM, rd, 2, REG_ZERO, (int32_t)csr); }
static uint32_t rv_nop(void) { return enc_i(OP_IMM, REG_ZERO, 0, REG_ZERO, 0); }

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

bool bootrom_build(uint8_t *buf, size_t size, uint64_t jump_addr, uint64_t dtb_addr)
{
    enum { DTB_OFF = 24, JUMP_OFF = 32 };
    const uint32_t code[] = {
        rv_auipc(REG_T0, 0),
        rv_csrr(REG_A0, CSR_MHARTID),
        rv_ld(REG_A1, REG_T0, DTB_OFF),
        rv_ld(REG_T0, REG_T0, JUMP_OFF),
        rv_jalr(REG_ZERO, REG_T0, 0),
        rv_nop(),
    };
    _Static_assert(sizeof code == DTB_OFF, "constants follow the code");
    _Static_assert(JUMP_OFF + 8 == BOOTROM_CODE_SIZE, "ROM layout");
    if (!buf || size < BOOTROM_CODE_SIZE)
        return false;
    for (size_t i = 0; i < sizeof code / sizeof code[0]; i++)
        put32(buf + 4 * i, code[i]);
    put64(buf + DTB_OFF, dtb_addr);
    put64(buf + JUMP_OFF, jump_addr);
    return true;
}
