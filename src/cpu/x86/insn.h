/* A decoded x86 instruction: what the decoder (decode.c) hands the
 * interpreter (exec.c). Intel SDM vol. 2 ch. 2 "Instruction Format": legacy
 * prefixes, REX, opcode (1-byte map, 0F, 0F38, 0F3A), ModRM, SIB,
 * displacement, immediate. The decoder resolves everything that depends
 * only on the bytes and the code size (prefix effects on operand/address
 * size, REX extensions, which operands exist); the interpreter gives the
 * opcode its meaning. */
#ifndef HVSIM_X86_INSN_H
#define HVSIM_X86_INSN_H
#include <stddef.h>
#include <stdint.h>

/* Opcode maps (SDM vol. 2 App. A). */
enum x86_map { X86_MAP_1 = 0, X86_MAP_0F = 1, X86_MAP_0F38 = 2, X86_MAP_0F3A = 3 };

/* Legacy prefixes present (any order, repeats allowed up to 15 bytes). */
enum {
    X86_PFX_LOCK = 1u << 0,     /* F0 */
    X86_PFX_REP = 1u << 1,      /* F3 (REP/REPE, or a mandatory prefix) */
    X86_PFX_REPNE = 1u << 2,    /* F2 (REPNE, or a mandatory prefix) */
    X86_PFX_OPSIZE = 1u << 3,   /* 66 */
    X86_PFX_ADDRSIZE = 1u << 4, /* 67 */
};

/* Segment registers, in the encoding order of Sreg fields. */
enum x86_seg { X86_ES = 0, X86_CS = 1, X86_SS = 2, X86_DS = 3, X86_FS = 4, X86_GS = 5,
               X86_SEG_NONE = 7 };

/* Register numbers in base/index: 0..15 = rAX..r15 (REX-extended). */
#define X86_REG_NONE 0xff  /* no base / no index */
#define X86_REG_RIP 0x10   /* base: RIP-relative (64-bit mode, mod 00 rm 101) */

/* struct x86_insn.flags */
enum {
    X86_I_MODRM = 1u << 0,   /* has a ModRM byte */
    X86_I_MEM = 1u << 1,     /* the r/m operand is memory (mod != 3), or moffs */
    X86_I_LOCKABLE = 1u << 2, /* LOCK is allowed with a memory destination */
};

struct x86_insn {
    uint8_t len;        /* total length, 1..15 */
    uint8_t map;        /* enum x86_map */
    uint8_t opcode;     /* the opcode byte within its map */
    uint8_t prefixes;   /* X86_PFX_* */
    uint8_t rep;        /* the last of F2/F3 seen (0xf2, 0xf3) or 0: selects
                           SSE forms (mandatory prefix) and REP/REPNE */
    uint8_t seg;        /* segment override (enum x86_seg) or X86_SEG_NONE */
    uint8_t rex;        /* the REX byte (0x40..0x4f; only in 64-bit mode, only
                           when it immediately precedes the opcode) or 0 */
    uint8_t opsize;     /* operand size in bytes: 1 for byte forms, else 2, 4
                           or 8 after 66/REX.W and the opcode's default (near
                           branches, PUSH/POP etc. default to 8 in 64-bit mode) */
    uint8_t addrsize;   /* address size in bytes: 2, 4 or 8 */
    uint8_t flags;      /* X86_I_* */
    uint8_t modrm;      /* the raw ModRM byte (X86_I_MODRM) */
    uint8_t mod;        /* ModRM.mod; 3 = register operand */
    uint8_t reg;        /* ModRM.reg + 8*REX.R; for "+r" opcodes (50+r, B8+r,
                           ...) the low opcode bits + 8*REX.B */
    uint8_t rm;         /* ModRM.rm + 8*REX.B when mod == 3 */
    uint8_t base;       /* memory operand: base register, X86_REG_RIP or NONE */
    uint8_t index;      /* memory operand: index register or NONE (SIB index
                           100 without REX.X means none) */
    uint8_t scale;      /* memory operand: index << scale (0..3) */
    uint8_t imm_size;   /* bytes of the (first) immediate: 0, 1, 2, 4, 8 */
    int64_t disp;       /* displacement, sign-extended; for moffs forms
                           (A0-A3) the absolute offset, zero-extended; for
                           RIP-relative, relative to the next instruction */
    uint64_t imm;       /* first immediate, sign-extended from imm_size to 64
                           bits (relative branch targets too: target = next
                           rip + imm); the interpreter masks where the SDM
                           reads it unsigned (ports, counts, RET imm16) */
    uint64_t imm2;      /* second immediate: ENTER's imm8, a far pointer's
                           selector (EA/9A ptr16:16/32) */
    uint8_t code_size;  /* added by the decoder: the code_size (2, 4, 8) it
                           decoded for; x86_mnemonic needs it (63 is ARPL
                           or MOVSXD) */
    uint8_t vex;        /* 0xc4 / 0xc5: a VEX-encoded instruction (only the
                           BMI1/BMI2 GPR forms are decoded); its VEX.pp is
                           in mandatory (0, 0x66, 0xf3, 0xf2), VEX.W and
                           R/X/B in rex (0x40 | W R X B, as if REX), VEX.L
                           is 0 */
    uint8_t vvvv;       /* VEX.vvvv, un-inverted: the extra register operand */
    uint8_t mandatory;  /* added by the decoder: the prefix that selected the
                           form in the opcode map (0x66, 0xf3, 0xf2: 66 0F 6F
                           MOVDQA, F3 0F 6F MOVDQU, F3 0F B8 POPCNT) or 0.
                           A 66 counted here does not change opsize; an F2/F3
                           not counted here is REP/REPNE or ignored (F3 0F 28
                           is MOVAPS) */
};

/* Results of x86_decode besides a length. */
enum {
    X86_DEC_TRUNCATED = 0,  /* more bytes are needed than n (fetch the next page) */
    X86_DEC_INVALID = -1,   /* undefined / invalid in this mode: #UD */
    X86_DEC_TOO_LONG = -2,  /* longer than 15 bytes: #GP(0) (SDM vol. 2 §2.3.11) */
};

/* Decodes the instruction at p (n bytes available) for code of default
 * size code_size (2: 16-bit, 4: 32-bit, 8: 64-bit mode). Returns its length
 * (1..15) and fills *out, or one of X86_DEC_*. Never reads past p[n-1]. */
int x86_decode(const uint8_t *p, size_t n, unsigned code_size, struct x86_insn *out);

/* Lower-case mnemonic as Intel syntax writes it ("add", "movzx", "jne"),
 * for tools and the capstone cross-check; "(bad)" when unknown. */
const char *x86_mnemonic(const struct x86_insn *i);

#endif
