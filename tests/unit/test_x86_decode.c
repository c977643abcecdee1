/* Unit tests for the x86 decoder (src/cpu/x86/decode.c): hand-picked
 * encodings (Intel SDM vol. 2 ch. 2 / App. A) with the expected length and
 * fields, truncation and the 15-byte limit, invalid opcodes, LOCK rules,
 * and a random-bytes robustness check. Every buffer handed to the decoder
 * is allocated with exactly n bytes, so the ASan build catches over-reads. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/insn.h"

Suite *x86_decode_suite(void);

/* Decodes the hex string (spaces allowed) in a buffer of exactly its size. */
static int dec_n(unsigned mode, const char *hex, size_t limit, struct x86_insn *o)
{
    uint8_t tmp[64];
    size_t n = 0;
    for (const char *s = hex; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned v;
        ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
        ck_assert_uint_lt(n, sizeof tmp);
        tmp[n++] = (uint8_t)v;
        s += 2;
    }
    if (limit < n)
        n = limit;
    uint8_t *buf = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, tmp, n);
    int r = x86_decode(buf, n, mode, o);
    free(buf);
    return r;
}

static int dec(unsigned mode, const char *hex, struct x86_insn *o)
{
    return dec_n(mode, hex, SIZE_MAX, o);
}

/* decodes, checks the length and the mnemonic */
#define OK(mode_, hex_, len_, mn_)                                            \
    do {                                                                      \
        ck_assert_int_eq(dec(mode_, hex_, &i), len_);                         \
        ck_assert_uint_eq(i.len, len_);                                       \
        ck_assert_str_eq(x86_mnemonic(&i), mn_);                              \
    } while (0)
#define BAD(mode, hex) ck_assert_int_eq(dec(mode, hex, &i), X86_DEC_INVALID)

START_TEST(basic_fields)
{
    struct x86_insn i;
    OK(8, "90", 1, "nop");
    ck_assert_uint_eq(i.map, X86_MAP_1);
    ck_assert_uint_eq(i.opcode, 0x90);
    ck_assert_uint_eq(i.seg, X86_SEG_NONE);
    ck_assert_uint_eq(i.flags, 0);
    /* mov rax, rbx: 48 89 d8 */
    OK(8, "48 89 d8", 3, "mov");
    ck_assert_uint_eq(i.rex, 0x48);
    ck_assert_uint_eq(i.opsize, 8);
    ck_assert_uint_eq(i.addrsize, 8);
    ck_assert_uint_eq(i.flags, X86_I_MODRM);
    ck_assert_uint_eq(i.modrm, 0xd8);
    ck_assert_uint_eq(i.mod, 3);
    ck_assert_uint_eq(i.reg, 3);
    ck_assert_uint_eq(i.rm, 0);
    /* mov r9, r10: 4d 89 d1 -> reg 10, rm 9 */
    OK(8, "4d 89 d1", 3, "mov");
    ck_assert_uint_eq(i.reg, 10);
    ck_assert_uint_eq(i.rm, 9);
    /* add byte: 00 c8 -> opsize 1 */
    OK(8, "00 c8", 2, "add");
    ck_assert_uint_eq(i.opsize, 1);
    ck_assert_uint_eq(i.flags & X86_I_LOCKABLE, X86_I_LOCKABLE);
    /* 0F / 0F38 / 0F3A maps */
    OK(8, "0f a2", 2, "cpuid");
    ck_assert_uint_eq(i.map, X86_MAP_0F);
    ck_assert_uint_eq(i.opcode, 0xa2);
    OK(8, "66 0f 38 00 c1", 5, "pshufb");
    ck_assert_uint_eq(i.map, X86_MAP_0F38);
    OK(8, "66 0f 3a 0f c1 08", 6, "palignr");
    ck_assert_uint_eq(i.map, X86_MAP_0F3A);
    ck_assert_uint_eq(i.imm, 8);
}
END_TEST

START_TEST(operand_size)
{
    struct x86_insn i;
    OK(8, "89 d8", 2, "mov");
    ck_assert_uint_eq(i.opsize, 4);
    OK(8, "66 89 d8", 3, "mov");
    ck_assert_uint_eq(i.opsize, 2);
    ck_assert_uint_eq(i.prefixes, X86_PFX_OPSIZE);
    OK(8, "66 48 89 d8", 4, "mov");   /* REX.W wins over 66 */
    ck_assert_uint_eq(i.opsize, 8);
    OK(4, "89 d8", 2, "mov");
    ck_assert_uint_eq(i.opsize, 4);
    OK(4, "66 89 d8", 3, "mov");
    ck_assert_uint_eq(i.opsize, 2);
    OK(2, "89 d8", 2, "mov");
    ck_assert_uint_eq(i.opsize, 2);
    OK(2, "66 89 d8", 3, "mov");
    ck_assert_uint_eq(i.opsize, 4);
    /* d64: PUSH/POP default to 64, 66 -> 16 */
    OK(8, "50", 1, "push");
    ck_assert_uint_eq(i.opsize, 8);
    ck_assert_uint_eq(i.reg, 0);
    OK(8, "41 5f", 2, "pop");
    ck_assert_uint_eq(i.opsize, 8);
    ck_assert_uint_eq(i.reg, 15);
    OK(8, "66 50", 2, "push");
    ck_assert_uint_eq(i.opsize, 2);
    OK(4, "50", 1, "push");
    ck_assert_uint_eq(i.opsize, 4);
    /* f64: near branches ignore 66 in 64-bit mode (rel32 stays) */
    OK(8, "66 e8 00 00 00 00", 6, "call");
    ck_assert_uint_eq(i.opsize, 8);
    ck_assert_uint_eq(i.imm_size, 4);
    OK(4, "66 e8 34 12", 4, "call");   /* 32-bit mode: rel16 */
    ck_assert_uint_eq(i.imm_size, 2);
    /* IN/OUT ignore REX.W */
    OK(8, "48 ed", 2, "in");
    ck_assert_uint_eq(i.opsize, 4);
    /* MOV CR: 64-bit operands in 64-bit mode, mod ignored */
    OK(8, "0f 20 00", 3, "mov");
    ck_assert_uint_eq(i.opsize, 8);
    ck_assert_uint_eq(i.mod, 3);
    ck_assert_uint_eq(i.flags & X86_I_MEM, 0);
    ck_assert_uint_eq(i.rm, 0);
    OK(8, "44 0f 22 d8", 4, "mov");   /* mov cr11?, rax: REX.R extends reg */
    ck_assert_uint_eq(i.reg, 11);
}
END_TEST

START_TEST(rex_rules)
{
    struct x86_insn i;
    /* a legacy prefix after REX cancels it */
    OK(8, "48 66 89 d8", 4, "mov");
    ck_assert_uint_eq(i.rex, 0);
    ck_assert_uint_eq(i.opsize, 2);
    /* only the last REX counts */
    OK(8, "48 41 89 d8", 4, "mov");
    ck_assert_uint_eq(i.rex, 0x41);
    ck_assert_uint_eq(i.opsize, 4);
    ck_assert_uint_eq(i.rm, 8);
    /* 40-4F are INC/DEC outside 64-bit mode */
    OK(4, "48", 1, "dec");
    ck_assert_uint_eq(i.reg, 0);
    ck_assert_uint_eq(i.rex, 0);
    OK(4, "41", 1, "inc");
    ck_assert_uint_eq(i.reg, 1);
    /* B8+r with REX.W: imm64; REX.B extends the register */
    OK(8, "49 bb 88 77 66 55 44 33 22 11", 10, "mov");
    ck_assert_uint_eq(i.reg, 11);
    ck_assert_uint_eq(i.imm_size, 8);
    ck_assert_uint_eq(i.imm, 0x1122334455667788ull);
    OK(8, "bb 78 56 34 12", 5, "mov");
    ck_assert_uint_eq(i.imm_size, 4);
    OK(8, "66 bb 34 12", 4, "mov");
    ck_assert_uint_eq(i.imm_size, 2);
    /* 90: nop, pause; with REX.B xchg r8, rax */
    OK(8, "41 90", 2, "xchg");
    ck_assert_uint_eq(i.reg, 8);
    OK(8, "f3 90", 2, "pause");
    OK(8, "48 90", 2, "nop");
    /* REX.W variants of mnemonics */
    OK(8, "48 98", 2, "cdqe");
    OK(8, "98", 1, "cwde");
    OK(8, "66 98", 2, "cbw");
    OK(2, "98", 1, "cbw");
    OK(8, "48 99", 2, "cqo");
    OK(8, "48 0f c7 08", 4, "cmpxchg16b");
    OK(8, "0f c7 08", 3, "cmpxchg8b");
    OK(8, "66 48 0f 7e c0", 5, "movq");
    OK(8, "66 0f 7e c0", 4, "movd");
    OK(8, "48 0f ae 00", 4, "fxsave64");
    OK(8, "9c", 1, "pushfq");
    OK(4, "9c", 1, "pushfd");
    OK(8, "48 cf", 2, "iretq");
    OK(8, "e3 fe", 2, "jrcxz");
    OK(8, "67 e3 fe", 3, "jecxz");
    OK(2, "e3 fe", 2, "jcxz");
}
END_TEST

START_TEST(prefixes)
{
    struct x86_insn i;
    /* any order, repeats */
    OK(8, "f3 66 f3 48 ab", 5, "stosq");
    ck_assert_uint_eq(i.rep, 0xf3);
    ck_assert_uint_eq(i.prefixes, X86_PFX_REP | X86_PFX_OPSIZE);
    ck_assert_uint_eq(i.opsize, 8);
    /* the last of F2/F3 */
    OK(8, "f3 f2 a6", 3, "cmpsb");
    ck_assert_uint_eq(i.rep, 0xf2);
    ck_assert_uint_eq(i.prefixes, X86_PFX_REP | X86_PFX_REPNE);
    /* segment overrides: ES/CS/SS/DS ignored in 64-bit mode, FS/GS kept */
    OK(8, "64 8b 00", 3, "mov");
    ck_assert_uint_eq(i.seg, X86_FS);
    OK(8, "65 2e 8b 00", 4, "mov");
    ck_assert_uint_eq(i.seg, X86_GS);
    OK(8, "2e 8b 00", 3, "mov");
    ck_assert_uint_eq(i.seg, X86_SEG_NONE);
    OK(4, "2e 8b 00", 3, "mov");
    ck_assert_uint_eq(i.seg, X86_CS);
    OK(4, "64 26 8b 00", 4, "mov");   /* last override wins */
    ck_assert_uint_eq(i.seg, X86_ES);
    OK(2, "36 8b 00", 3, "mov");
    ck_assert_uint_eq(i.seg, X86_SS);
    /* address size */
    OK(8, "67 8b 00", 3, "mov");
    ck_assert_uint_eq(i.addrsize, 4);
    ck_assert_uint_eq(i.prefixes, X86_PFX_ADDRSIZE);
    OK(4, "67 8b 00", 3, "mov");
    ck_assert_uint_eq(i.addrsize, 2);
    OK(2, "67 8b 00", 3, "mov");
    ck_assert_uint_eq(i.addrsize, 4);
}
END_TEST

START_TEST(mandatory_prefixes)
{
    struct x86_insn i;
    OK(8, "0f 6f c1", 3, "movq");
    ck_assert_uint_eq(i.mandatory, 0);
    OK(8, "66 0f 6f c1", 4, "movdqa");
    ck_assert_uint_eq(i.mandatory, 0x66);
    ck_assert_uint_eq(i.opsize, 4);   /* a mandatory 66 is not an operand size */
    OK(8, "f3 0f 6f c1", 4, "movdqu");
    ck_assert_uint_eq(i.mandatory, 0xf3);
    ck_assert_uint_eq(i.rep, 0xf3);
    OK(8, "66 f3 0f 6f c1", 5, "movdqu");   /* F3 beats 66 */
    OK(8, "f2 0f 10 c1", 4, "movsd");
    OK(8, "f3 0f 10 c1", 4, "movss");
    OK(8, "66 0f 10 c1", 4, "movupd");
    OK(8, "0f 10 c1", 3, "movups");
    /* an F3 that selects nothing is ignored */
    OK(8, "f3 0f 28 c1", 4, "movaps");
    ck_assert_uint_eq(i.mandatory, 0);
    /* POPCNT / TZCNT / LZCNT; 0F B8 alone is undefined */
    OK(8, "f3 0f b8 c1", 4, "popcnt");
    BAD(8, "0f b8 c1");
    OK(8, "66 f3 0f b8 c1", 5, "popcnt");
    ck_assert_uint_eq(i.opsize, 2);
    OK(8, "f3 48 0f bc c1", 5, "tzcnt");
    ck_assert_uint_eq(i.opsize, 8);
    OK(8, "0f bc c1", 3, "bsf");
    OK(8, "f3 0f bd c1", 4, "lzcnt");
    /* MOVBE / CRC32 / ADX */
    OK(8, "0f 38 f0 00", 4, "movbe");
    BAD(8, "0f 38 f0 c0");   /* MOVBE needs memory */
    OK(8, "66 0f 38 f1 00", 5, "movbe");
    ck_assert_uint_eq(i.opsize, 2);
    OK(8, "f2 0f 38 f0 c1", 5, "crc32");
    OK(8, "f2 48 0f 38 f1 c1", 6, "crc32");
    OK(8, "66 0f 38 f6 c1", 5, "adcx");
    ck_assert_uint_eq(i.opsize, 4);
    OK(8, "f3 48 0f 38 f6 c1", 6, "adox");
    ck_assert_uint_eq(i.opsize, 8);
    BAD(8, "0f 38 f6 c1");
    /* AES-NI, PCLMULQDQ, SSE4.2 */
    OK(8, "66 0f 38 dc c1", 5, "aesenc");
    OK(8, "66 0f 3a df c1 01", 6, "aeskeygenassist");
    OK(8, "66 0f 3a 44 c1 11", 6, "pclmulqdq");
    OK(8, "66 0f 3a 63 c1 0c", 6, "pcmpistri");
    OK(8, "66 48 0f 3a 16 c0 01", 7, "pextrq");
    /* SSE forms that depend on mod */
    OK(8, "0f 12 00", 3, "movlps");
    OK(8, "0f 12 c1", 3, "movhlps");
    OK(8, "f3 0f 7e c1", 4, "movq");
    OK(8, "66 0f d6 c1", 4, "movq");
    OK(8, "f3 0f d6 c1", 4, "movq2dq");
    BAD(8, "f3 0f d6 00");
    /* group 12-14: register only, imm8 */
    OK(8, "66 0f 73 fb 04", 5, "pslldq");
    BAD(8, "66 0f 73 38 04");
    OK(8, "0f 71 d0 02", 4, "psrlw");
    /* ENDBR64 */
    OK(8, "f3 0f 1e fa", 4, "endbr64");
    OK(8, "0f 1f 44 00 00", 5, "nop");
}
END_TEST

START_TEST(modrm_32_64)
{
    struct x86_insn i;
    /* RIP-relative */
    OK(8, "8b 05 10 00 00 00", 6, "mov");
    ck_assert_uint_eq(i.base, X86_REG_RIP);
    ck_assert_uint_eq(i.index, X86_REG_NONE);
    ck_assert_int_eq(i.disp, 0x10);
    ck_assert_uint_eq(i.flags, X86_I_MODRM | X86_I_MEM);
    OK(8, "41 8b 05 f0 ff ff ff", 7, "mov");   /* REX.B does not matter */
    ck_assert_uint_eq(i.base, X86_REG_RIP);
    ck_assert_int_eq(i.disp, -16);
    OK(4, "8b 05 10 00 00 00", 6, "mov");   /* 32-bit: absolute disp32 */
    ck_assert_uint_eq(i.base, X86_REG_NONE);
    ck_assert_int_eq(i.disp, 0x10);
    /* SIB */
    OK(8, "8b 04 24", 3, "mov");
    ck_assert_uint_eq(i.base, 4);
    ck_assert_uint_eq(i.index, X86_REG_NONE);
    OK(8, "42 8b 04 24", 4, "mov");   /* REX.X: index 100 is r12 */
    ck_assert_uint_eq(i.index, 12);
    ck_assert_uint_eq(i.base, 4);
    OK(8, "41 8b 04 24", 4, "mov");   /* REX.B: base r12 */
    ck_assert_uint_eq(i.base, 12);
    ck_assert_uint_eq(i.index, X86_REG_NONE);
    OK(8, "8b 04 25 78 56 34 12", 7, "mov");   /* no base, no index */
    ck_assert_uint_eq(i.base, X86_REG_NONE);
    ck_assert_uint_eq(i.index, X86_REG_NONE);
    ck_assert_int_eq(i.disp, 0x12345678);
    OK(8, "8b 04 8d 00 00 00 80", 7, "mov");   /* [rcx*4 + disp32] */
    ck_assert_uint_eq(i.base, X86_REG_NONE);
    ck_assert_uint_eq(i.index, 1);
    ck_assert_uint_eq(i.scale, 2);
    ck_assert_int_eq(i.disp, -2147483648LL);
    OK(8, "41 8b 04 2c", 4, "mov");   /* [r12 + rbp] */
    ck_assert_uint_eq(i.base, 12);
    ck_assert_uint_eq(i.index, 5);
    ck_assert_uint_eq(i.scale, 0);
}
END_TEST

START_TEST(modrm_r13_rbp)
{
    struct x86_insn i;
    /* SIB base 101, mod 00: disp32 and no base, REX.B or not */
    ck_assert_int_eq(dec(8, "41 8b 04 2d 44 33 22 11", &i), 8);
    ck_assert_uint_eq(i.base, X86_REG_NONE);
    ck_assert_uint_eq(i.index, 5);
    ck_assert_int_eq(i.disp, 0x11223344);
    /* r13 / rbp as a base need mod 01 + disp8 */
    OK(8, "41 8b 45 00", 4, "mov");
    ck_assert_uint_eq(i.base, 13);
    ck_assert_int_eq(i.disp, 0);
    OK(8, "8b 44 8d f0", 4, "mov");
    ck_assert_uint_eq(i.base, 5);
    ck_assert_uint_eq(i.index, 1);
    ck_assert_uint_eq(i.scale, 2);
    ck_assert_int_eq(i.disp, -16);
    OK(8, "43 8b 84 ac 00 01 00 00", 8, "mov");   /* [r12 + r13*4 + 0x100] */
    ck_assert_uint_eq(i.base, 12);
    ck_assert_uint_eq(i.index, 13);
    ck_assert_int_eq(i.disp, 0x100);
    /* 67: 32-bit addressing in 64-bit mode, still RIP(EIP)-relative */
    OK(8, "67 8b 05 00 00 00 00", 7, "mov");
    ck_assert_uint_eq(i.base, X86_REG_RIP);
    ck_assert_uint_eq(i.addrsize, 4);
}
END_TEST

START_TEST(modrm_16)
{
    struct x86_insn i;
    OK(2, "8b 00", 2, "mov");   /* [bx+si] */
    ck_assert_uint_eq(i.base, 3);
    ck_assert_uint_eq(i.index, 6);
    OK(2, "8b 03", 2, "mov");   /* [bp+di] */
    ck_assert_uint_eq(i.base, 5);
    ck_assert_uint_eq(i.index, 7);
    OK(2, "8b 04", 2, "mov");   /* [si] */
    ck_assert_uint_eq(i.base, X86_REG_NONE);
    ck_assert_uint_eq(i.index, 6);
    OK(2, "8b 06 34 12", 4, "mov");   /* [disp16] */
    ck_assert_uint_eq(i.base, X86_REG_NONE);
    ck_assert_uint_eq(i.index, X86_REG_NONE);
    ck_assert_int_eq(i.disp, 0x1234);
    OK(2, "8b 46 fe", 3, "mov");   /* [bp-2] */
    ck_assert_uint_eq(i.base, 5);
    ck_assert_uint_eq(i.index, X86_REG_NONE);
    ck_assert_int_eq(i.disp, -2);
    OK(2, "8b 87 00 80", 4, "mov");   /* [bx + disp16], sign-extended */
    ck_assert_uint_eq(i.base, 3);
    ck_assert_int_eq(i.disp, -32768);
    OK(4, "67 8b 47 01", 4, "mov");   /* 67 in 32-bit mode: [bx+1] */
    ck_assert_uint_eq(i.base, 3);
    ck_assert_uint_eq(i.addrsize, 2);
    OK(2, "67 8b 04 24", 4, "mov");   /* 67 in 16-bit mode: SIB */
    ck_assert_uint_eq(i.base, 4);
    ck_assert_uint_eq(i.addrsize, 4);
}
END_TEST

START_TEST(immediates)
{
    struct x86_insn i;
    OK(8, "83 c0 ff", 3, "add");   /* Ib sign-extended */
    ck_assert_uint_eq(i.imm, UINT64_MAX);
    ck_assert_uint_eq(i.imm_size, 1);
    OK(8, "48 81 c0 00 00 00 80", 7, "add");   /* Iz sign-extended to 64 */
    ck_assert_uint_eq(i.imm, 0xffffffff80000000ull);
    ck_assert_uint_eq(i.imm_size, 4);
    OK(8, "66 81 c0 00 80", 5, "add");
    ck_assert_uint_eq(i.imm, 0xffffffffffff8000ull);
    ck_assert_uint_eq(i.imm_size, 2);
    OK(8, "eb fe", 2, "jmp");
    ck_assert_uint_eq(i.imm, (uint64_t)-2);
    OK(8, "0f 84 00 01 00 00", 6, "je");
    ck_assert_uint_eq(i.imm, 0x100);
    OK(8, "c2 08 00", 3, "ret");
    ck_assert_uint_eq(i.imm_size, 2);
    /* group 3: TEST has an immediate, NOT does not */
    OK(8, "f6 00 12", 3, "test");
    OK(8, "f6 10", 2, "not");
    OK(8, "f7 c0 78 56 34 12", 6, "test");
    OK(8, "66 f7 c0 34 12", 5, "test");
    OK(8, "f7 d8", 2, "neg");
    /* ENTER: imm16, imm8 */
    OK(8, "c8 10 00 01", 4, "enter");
    ck_assert_uint_eq(i.imm, 0x10);
    ck_assert_uint_eq(i.imm_size, 2);
    ck_assert_uint_eq(i.imm2, 1);
    ck_assert_uint_eq(i.opsize, 8);
    /* imm with a displacement */
    OK(8, "c7 44 24 08 01 00 00 00", 8, "mov");
    ck_assert_int_eq(i.disp, 8);
    ck_assert_uint_eq(i.imm, 1);
    OK(8, "48 c7 05 f0 ff ff ff 00 00 00 80", 11, "mov");
    ck_assert_uint_eq(i.base, X86_REG_RIP);
    ck_assert_int_eq(i.disp, -16);
    ck_assert_uint_eq(i.imm, 0xffffffff80000000ull);
}
END_TEST

START_TEST(moffs_far)
{
    struct x86_insn i;
    /* moffs: address-size offset, zero-extended, in disp */
    OK(8, "a1 00 00 00 00 00 00 00 80", 9, "mov");
    ck_assert_uint_eq((uint64_t)i.disp, 0x8000000000000000ull);
    ck_assert_uint_eq(i.flags & X86_I_MEM, X86_I_MEM);
    ck_assert_uint_eq(i.imm_size, 0);
    OK(8, "67 a0 f0 ff ff ff", 6, "mov");
    ck_assert_int_eq(i.disp, 0xfffffff0LL);
    ck_assert_uint_eq(i.opsize, 1);
    OK(4, "a3 78 56 34 12", 5, "mov");
    ck_assert_int_eq(i.disp, 0x12345678);
    OK(2, "a1 00 80", 3, "mov");
    ck_assert_int_eq(i.disp, 0x8000);
    OK(4, "64 67 a1 34 12", 5, "mov");
    ck_assert_int_eq(i.disp, 0x1234);
    ck_assert_uint_eq(i.seg, X86_FS);
    /* far pointers: offset in imm, selector in imm2 */
    OK(4, "9a 78 56 34 12 cd ab", 7, "lcall");
    ck_assert_uint_eq(i.imm, 0x12345678);
    ck_assert_uint_eq(i.imm2, 0xabcd);
    OK(2, "ea 34 12 cd ab", 5, "ljmp");
    ck_assert_uint_eq(i.imm_size, 2);
    ck_assert_uint_eq(i.imm, 0x1234);
    ck_assert_uint_eq(i.imm2, 0xabcd);
    OK(4, "66 ea 34 12 00 f0", 6, "ljmp");
    BAD(8, "ea 34 12 00 00 08 00");
    BAD(8, "9a 34 12 00 00 08 00");
    /* far indirect: memory only */
    OK(8, "ff 28", 2, "ljmp");
    BAD(8, "ff e8");
    OK(8, "48 ff 18", 3, "lcall");
}
END_TEST

START_TEST(too_long)
{
    struct x86_insn i;
    /* 14 prefixes + opcode = 15: fine */
    OK(8, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 15, "nop");
    /* 15 prefixes: the opcode would be byte 16 */
    ck_assert_int_eq(dec(8, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", &i),
                     X86_DEC_TOO_LONG);
    /* too long even with only 15 bytes available */
    ck_assert_int_eq(dec(8, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", &i),
                     X86_DEC_TOO_LONG);
    /* prefixes + a long body: 4 prefixes + 48 c7 84 88 disp32 imm32 = 16 */
    ck_assert_int_eq(dec(8, "26 2e 36 3e 48 c7 84 88 78 56 34 12 11 22 33 44", &i),
                     X86_DEC_TOO_LONG);
    OK(8, "2e 36 3e 48 c7 84 88 78 56 34 12 11 22 33 44", 15, "mov");
    /* 10 prefixes + movabs imm64 = 20 */
    ck_assert_int_eq(dec(8, "66 66 66 66 66 66 66 66 66 66 48 b8 01 02 03 04 05 06 07 08", &i),
                     X86_DEC_TOO_LONG);
    /* the same, only 15 bytes available: still too long, not truncated */
    ck_assert_int_eq(dec_n(8, "66 66 66 66 66 66 66 66 66 66 48 b8 01 02 03 04 05 06 07 08",
                           15, &i), X86_DEC_TOO_LONG);
    /* mixed prefixes in any order, repeated */
    OK(4, "f3 2e 67 f3 66 2e 67 66 f2 26 3e 36 64 65 90", 15, "nop");
}
END_TEST

/* every prefix of an instruction is TRUNCATED, the whole is its length */
START_TEST(truncation)
{
    static const struct {
        unsigned mode;
        const char *hex;
        int len;
    } t[] = {
        { 8, "64 48 c7 84 88 78 56 34 12 11 22 33 44", 13 },
        { 8, "49 bb 88 77 66 55 44 33 22 11", 10 },
        { 8, "66 0f 3a 0f 44 24 08 03", 8 },
        { 8, "f2 48 0f 38 f1 04 25 00 10 00 00", 11 },
        { 8, "a1 00 00 00 00 00 00 00 80", 9 },
        { 4, "9a 78 56 34 12 cd ab", 7 },
        { 4, "c4 00", 2 },   /* LES: the byte after C4 decides */
        { 2, "c7 87 34 12 78 56", 6 },
        { 8, "c8 10 00 01", 4 },
        { 8, "dd 84 24 00 01 00 00", 7 },
        { 8, "f0 0f c7 0c 24", 5 },
    };
    struct x86_insn i;
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        for (int n = 0; n < t[k].len; n++)
            ck_assert_msg(dec_n(t[k].mode, t[k].hex, (size_t)n, &i) == X86_DEC_TRUNCATED,
                          "%s with %d bytes", t[k].hex, n);
        ck_assert_int_eq(dec(t[k].mode, t[k].hex, &i), t[k].len);
    }
}
END_TEST

START_TEST(invalid_64)
{
    struct x86_insn i;
    static const char *const i64[] = {
        "06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f", "60", "61",
        "62 00", "82 c0 01", "9a 00 00 00 00 00 00", "c4 00", "c5 00", "ce", "d4 0a",
        "d5 0a", "d6", "ea 00 00 00 00 00 00",
    };
    for (size_t k = 0; k < sizeof i64 / sizeof i64[0]; k++) {
        ck_assert_msg(dec(8, i64[k], &i) == X86_DEC_INVALID, "%s in 64-bit mode", i64[k]);
        ck_assert_msg(dec(4, i64[k], &i) > 0, "%s in 32-bit mode", i64[k]);
    }
    OK(4, "06", 1, "push");
    OK(4, "c4 00", 2, "les");
    OK(4, "c5 00", 2, "lds");
    OK(4, "62 00", 2, "bound");
    OK(4, "63 c0", 2, "arpl");
    OK(8, "63 c0", 2, "movsxd");
    OK(8, "48 63 c0", 3, "movsxd");
    /* VEX: only the BMI1/BMI2 GPR forms (decode.c vex_bmi); EVEX: none */
    BAD(4, "c5 f8 77");
    OK(4, "c4 e2 78 f2 c0", 5, "andn");
    OK(8, "c4 e2 f8 f2 c0", 5, "andn");
    OK(8, "c4 e2 78 f3 c8", 5, "blsr");
    BAD(8, "c4 e2 78 f3 c0");    /* F3 /0: not BMI */
    BAD(8, "c4 e2 7c f2 c0");    /* VEX.L = 1 */
    BAD(8, "66 c4 e2 78 f2 c0"); /* 66 before VEX */
    OK(8, "c4 e3 fb f0 c1 08", 6, "rorx");
    BAD(8, "c4 e3 f3 f0 c1 08"); /* RORX with VEX.vvvv != 1111b */
    BAD(4, "62 f1 7c 48 10 06");
    BAD(8, "c5 f8 77");
    BAD(8, "62 f1 7c 48 10 06");
    /* only in 64-bit mode */
    OK(8, "0f 01 f8", 3, "swapgs");
    BAD(4, "0f 01 f8");
    BAD(4, "f3 0f ae c0");
    OK(8, "f3 48 0f ae c0", 5, "rdfsbase");
    /* undefined opcodes */
    BAD(8, "0f 04");
    BAD(8, "0f 0e");
    BAD(8, "0f 0f c0 b4");   /* 3DNow! */
    BAD(8, "0f 24 c0");
    BAD(8, "0f a6 c0");
    BAD(8, "0f 38 ff c0");
    BAD(8, "0f 3a ff c0 00");
    BAD(8, "fe 10");   /* FE /2 */
    BAD(8, "ff f8");   /* FF /7 */
    BAD(8, "8f c8");   /* 8F /1: XOP */
    BAD(8, "8d c0");   /* LEA needs memory */
    BAD(8, "8c f0");   /* MOV from Sreg 6 */
    BAD(8, "8e c8");   /* MOV CS */
    BAD(8, "66 0f 78 c0");   /* VMREAD takes no 66 */
    /* nothing at all: truncated */
    ck_assert_int_eq(dec(8, "", &i), X86_DEC_TRUNCATED);
}
END_TEST

START_TEST(lock_rules)
{
    struct x86_insn i;
    OK(8, "f0 01 00", 3, "add");
    ck_assert_uint_eq(i.prefixes, X86_PFX_LOCK);
    ck_assert_uint_eq(i.flags & X86_I_LOCKABLE, X86_I_LOCKABLE);
    BAD(8, "f0 01 c0");   /* register destination */
    BAD(8, "f0 03 00");   /* add eax, [rax]: register destination */
    BAD(8, "f0 39 00");   /* CMP is not lockable */
    BAD(8, "f0 90");
    BAD(8, "f0 8b 00");
    OK(8, "f0 87 00", 3, "xchg");
    OK(8, "f0 0f c7 08", 4, "cmpxchg8b");
    OK(8, "f0 48 0f c1 08", 5, "xadd");
    OK(8, "f0 0f ba 28 10", 5, "bts");
    BAD(8, "f0 0f ba 20 10");   /* BT */
    OK(8, "f0 80 30 01", 4, "xor");
    BAD(8, "f0 80 38 01");      /* 80 /7 CMP */
    OK(8, "f0 f7 18", 3, "neg");
    BAD(8, "f0 f7 20");         /* MUL */
    OK(8, "f0 fe 00", 3, "inc");
    BAD(4, "f0 41");            /* INC ecx: register */
    OK(4, "f0 ff 00", 3, "inc");
    OK(2, "f0 0f b1 0f", 4, "cmpxchg");   /* [bx] */
}
END_TEST

START_TEST(groups_system)
{
    struct x86_insn i;
    OK(8, "0f 01 d0", 3, "xgetbv");
    OK(8, "0f 01 f9", 3, "rdtscp");
    OK(8, "0f 01 c1", 3, "vmcall");
    OK(8, "0f 01 c2", 3, "vmlaunch");
    OK(8, "0f 01 c4", 3, "vmxoff");
    OK(8, "0f 01 c8", 3, "monitor");
    OK(8, "0f 01 ca", 3, "clac");
    OK(8, "0f 01 38", 3, "invlpg");
    OK(8, "0f 01 10", 3, "lgdt");
    OK(8, "0f 01 0d 00 00 00 00", 7, "sidt");
    OK(8, "0f 01 e0", 3, "smsw");
    OK(8, "0f 00 d8", 3, "ltr");
    OK(8, "0f 00 10", 3, "lldt");
    OK(8, "0f ae e8", 3, "lfence");
    OK(8, "0f ae f0", 3, "mfence");
    OK(8, "0f ae f8", 3, "sfence");
    OK(8, "0f ae 38", 3, "clflush");
    OK(8, "66 0f ae 38", 4, "clflushopt");
    OK(8, "0f ae 20", 3, "xsave");
    OK(8, "0f ae 10", 3, "ldmxcsr");
    /* Group 15 "NP" members: 66/F2/F3 are #UD (SDM vol. 2 §3.1.1.1), which
     * the host CPU confirmed (x86-difftest --gen tables) */
    BAD(8, "66 0f ae 18");      /* stmxcsr */
    BAD(8, "66 0f ae 10");      /* ldmxcsr */
    BAD(8, "f3 0f ae 18");
    BAD(8, "66 0f ae e8");      /* lfence */
    BAD(8, "66 0f ae f0");      /* mfence */
    BAD(8, "66 0f ae f8");      /* sfence (capstone: pcommit) */
    BAD(8, "f2 0f ae f8");
    BAD(8, "66 48 0f ae 00");   /* fxsave64 */
    BAD(8, "66 0f ae 20");      /* xsave */
    OK(8, "0f ae 18", 3, "stmxcsr");
    OK(8, "0f c7 30", 3, "vmptrld");
    OK(8, "66 0f c7 30", 4, "vmclear");
    ck_assert_uint_eq(i.mandatory, 0x66);
    OK(8, "f3 0f c7 30", 4, "vmxon");
    OK(8, "0f c7 38", 3, "vmptrst");
    OK(8, "0f c7 f0", 3, "rdrand");
    OK(8, "0f c7 f8", 3, "rdseed");
    OK(8, "0f 78 c0", 3, "vmread");
    ck_assert_uint_eq(i.opsize, 8);
    OK(4, "0f 79 c0", 3, "vmwrite");
    ck_assert_uint_eq(i.opsize, 4);
    OK(8, "66 0f 38 80 00", 5, "invept");
    OK(8, "66 0f 38 81 00", 5, "invvpid");
    OK(8, "66 0f 38 82 00", 5, "invpcid");
    BAD(8, "66 0f 38 82 c0");
    OK(8, "0f 05", 2, "syscall");
    OK(8, "0f 07", 2, "sysret");
    OK(8, "0f 34", 2, "sysenter");
    OK(8, "0f 35", 2, "sysexit");
    OK(8, "0f 30", 2, "wrmsr");
    OK(8, "0f 32", 2, "rdmsr");
    OK(8, "0f 31", 2, "rdtsc");
    OK(8, "0f 33", 2, "rdpmc");
    OK(8, "0f 06", 2, "clts");
    OK(8, "f4", 1, "hlt");
    OK(8, "0f 0b", 2, "ud2");
    OK(8, "0f b9 c0", 3, "ud1");
    OK(8, "0f ff 00", 3, "ud0");
    OK(8, "0f 18 08", 3, "prefetcht0");
    OK(8, "0f 0d 08", 3, "prefetchw");
    OK(8, "0f 1f 00", 3, "nop");
    OK(8, "c6 f8 01", 3, "xabort");
    OK(8, "c7 f8 00 00 00 00", 6, "xbegin");
    /* shifts (group 2) */
    OK(8, "c1 e0 04", 3, "shl");
    OK(8, "d1 f8", 2, "sar");
    OK(8, "d3 c0", 2, "rol");
    /* x87 */
    OK(8, "d9 e8", 2, "fld1");
    OK(8, "dd 00", 2, "fld");
    OK(8, "d8 c1", 2, "fadd");
    OK(8, "de f9", 2, "fdivp");
    OK(8, "df e0", 2, "fnstsw");
    OK(8, "db 2c 24", 3, "fld");
    OK(8, "dd 84 24 00 01 00 00", 7, "fld");
    OK(8, "d9 c9", 2, "fxch");
    BAD(8, "d9 d1");
    BAD(8, "dd 28");   /* DD /5 */
}
END_TEST

/* random byte strings: no crash, no over-read (exact-size buffers, ASan),
 * never a length > n or > 15, and a decoded instruction has a mnemonic */
START_TEST(random_bytes)
{
    uint64_t x = 0x243f6a8885a308d3ull;
    unsigned counts[3] = { 0, 0, 0 };
    for (int k = 0; k < 200000; k++) {
        uint8_t tmp[16];
        for (int j = 0; j < 16; j += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(tmp + j, &x, 8);
        }
        size_t n = (size_t)(x >> 59) % 17;
        if ((x & 3) == 0)
            tmp[0] = 0x0f;   /* more of the 0F maps */
        unsigned mode = k % 3 == 0 ? 2 : k % 3 == 1 ? 4 : 8;
        uint8_t *buf = malloc(n ? n : 1);
        ck_assert_ptr_nonnull(buf);
        memcpy(buf, tmp, n);
        struct x86_insn i;
        int r = x86_decode(buf, n, mode, &i);
        free(buf);
        ck_assert_int_ge(r, X86_DEC_TOO_LONG);
        ck_assert_int_le(r, 15);
        ck_assert_int_le(r, (int)n);
        if (r > 0) {
            ck_assert_uint_eq(i.len, (unsigned)r);
            ck_assert_str_ne(x86_mnemonic(&i), "(bad)");
            ck_assert(i.opsize == 1 || i.opsize == 2 || i.opsize == 4 || i.opsize == 8);
            counts[0]++;
        } else {
            counts[r == 0 ? 1 : 2]++;
        }
    }
    /* all three outcomes happen */
    ck_assert_uint_gt(counts[0], 1000);
    ck_assert_uint_gt(counts[1], 1000);
    ck_assert_uint_gt(counts[2], 100);
}
END_TEST

Suite *x86_decode_suite(void)
{
    Suite *s = suite_create("x86_decode");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, basic_fields);
    tcase_add_test(tc, operand_size);
    tcase_add_test(tc, rex_rules);
    tcase_add_test(tc, prefixes);
    tcase_add_test(tc, mandatory_prefixes);
    tcase_add_test(tc, modrm_32_64);
    tcase_add_test(tc, modrm_r13_rbp);
    tcase_add_test(tc, modrm_16);
    tcase_add_test(tc, immediates);
    tcase_add_test(tc, moffs_far);
    tcase_add_test(tc, too_long);
    tcase_add_test(tc, truncation);
    tcase_add_test(tc, invalid_64);
    tcase_add_test(tc, lock_rules);
    tcase_add_test(tc, groups_system);
    tcase_add_test(tc, random_bytes);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
