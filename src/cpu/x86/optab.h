/* x86 opcode tables (Intel SDM vol. 2 App. A "Opcode Map"): one row per
 * opcode of the one-byte map, 0F, 0F38 and 0F3A, plus the ModRM.reg
 * groups (Table A-6) and the x87 escape maps (App. A.4). Used only by
 * decode.c.
 *
 * A row is { flags, mnemonic[4] }. mnemonic[] is indexed by the prefix
 * that selects the form: [0] none, [1] 66, [2] F3, [3] F2 (SDM vol. 2
 * §2.1.2: F2/F3 take precedence over 66 as a mandatory prefix). Rules:
 *   - F3/F2 present (the last of them) and its entry set: that form;
 *   - else 66 present and its entry set: that form, and the 66 is
 *     mandatory (it does not change the operand size);
 *   - else entry [0]; F2/F3 are then REP/REPNE or ignored (F3 0F 28 is
 *     MOVAPS, as on hardware and in capstone) and 66 is the operand-size
 *     override;
 *   - X86F_NP rows: any 66/F2/F3 is #UD.
 * A NULL mnemonic is an undefined opcode (#UD). X86F_SSE marks rows whose
 * forms are selected by a mandatory prefix (informational). */
#ifndef HVSIM_X86_OPTAB_H
#define HVSIM_X86_OPTAB_H
#include <stdint.h>

enum {
    /* immediate kind, bits 0..3 */
    X86F_IMM_MASK = 0xf,
    X86F_IB = 1,     /* imm8 */
    X86F_IW = 2,     /* imm16 */
    X86F_IZ = 3,     /* imm16 with 16-bit operand size, else imm32 */
    X86F_IV = 4,     /* imm of the operand size: 2, 4 or 8 (B8+r) */
    X86F_IWB = 5,    /* imm16 then imm8 (ENTER) */
    X86F_AP = 6,     /* far pointer ptr16:16 / ptr16:32 (9A, EA) */
    X86F_MOFFS = 7,  /* moffs: address-size offset (A0-A3) */
    X86F_M = 1u << 4,        /* ModRM follows the opcode */
    /* operand-size rule, bits 5..6 (SDM App. A.2.5 superscripts) */
    X86F_SZ_MASK = 3u << 5,
    X86F_SZ_V = 0,           /* 32, 66 -> 16, REX.W -> 64 */
    X86F_B = 1u << 5,        /* byte operation */
    X86F_D64 = 2u << 5,      /* default 64 in 64-bit mode (66 -> 16) */
    X86F_F64 = 3u << 5,      /* forced 64 in 64-bit mode */
    X86F_I64 = 1u << 7,      /* invalid in 64-bit mode */
    X86F_O64 = 1u << 8,      /* valid only in 64-bit mode */
    X86F_LK = 1u << 9,       /* LOCK allowed (memory destination) */
    X86F_GRP = 1u << 10,     /* ModRM.reg selects in x86_groups[f >> 24] */
    X86F_SSE = 1u << 11,     /* mandatory-prefix row (see above) */
    X86F_MO = 1u << 12,      /* memory operand only: mod == 3 is #UD */
    X86F_RO = 1u << 13,      /* register operand only: mod != 3 is #UD */
    X86F_CR = 1u << 14,      /* MOV CR/DR: mod ignored, always registers */
    X86F_PR = 1u << 15,      /* "+r": register in the opcode's low 3 bits */
    X86F_X87 = 1u << 16,     /* x87 escape D8-DF (x86_x87_*) */
    X86F_NP = 1u << 17,      /* no 66/F2/F3 allowed (VMREAD/VMWRITE) */
    X86F_W32 = 1u << 18,     /* REX.W ignored: at most 32-bit (IN/OUT/INS/OUTS) */
};
#define X86F_GRPIDX(f) ((unsigned)(f) >> 24)

struct x86_opdesc {
    uint32_t f;
    const char *mn[4];   /* none, 66, F3, F2 */
};

/* A ModRM.reg group: m[] for memory operands, r[] for register operands
 * (mod == 3); regsame: r[] is m[]; rm: when set, mod == 3 is looked up by
 * ModRM & 0x3f in this 64-entry table instead (0F01: SWAPGS, XGETBV...). */
struct x86_group {
    struct x86_opdesc m[8];
    struct x86_opdesc r[8];
    uint8_t regsame;
    const struct x86_opdesc *rm;
};

extern const struct x86_opdesc x86_map1[256];
extern const struct x86_opdesc x86_map0f[256];
extern const struct x86_opdesc x86_map0f38[256];
extern const struct x86_opdesc x86_map0f3a[256];
extern const struct x86_opdesc x86_movsxd;   /* 63 in 64-bit mode */
extern const struct x86_group x86_groups[];
extern const unsigned x86_ngroups;
/* x87 (SDM App. A.4): memory forms by [opcode - D8][ModRM.reg], register
 * forms by [opcode - D8][ModRM & 0x3f]; NULL = #UD. */
extern const char *const x86_x87_mem[8][8];
extern const char *const x86_x87_reg[8][64];

/* Mnemonics that depend on the operand size (or, for the jcxz family, the
 * address size): the table holds key, the printed name is v[size 2/4/8]. */
struct x86_variant {
    const char *key;
    const char *v[3];   /* 16, 32, 64 */
    uint8_t by_addr;    /* select by address size instead of operand size */
};
extern const struct x86_variant x86_variants[];
extern const unsigned x86_nvariants;

#endif
