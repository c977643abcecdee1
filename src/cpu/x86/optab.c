/* x86 opcode tables, transcribed from Intel SDM vol. 2 App. A (Tables A-2
 * one-byte map, A-3 two-byte 0F map, A-4 0F38, A-5 0F3A, A-6 ModRM.reg
 * groups, A.4 x87 escapes). Row format: see optab.h. Mnemonics are spelled
 * as capstone's Intel syntax prints them (lower case). */
#include <stddef.h>

#include "cpu/x86/optab.h"

/* short names for the row flags */
#define M   X86F_M
#define B   X86F_B
#define D64 X86F_D64
#define F64 X86F_F64
#define I64 X86F_I64
#define O64 X86F_O64
#define LK  X86F_LK
#define MO  X86F_MO
#define RO  X86F_RO
#define PR  X86F_PR
#define IB  X86F_IB
#define IW  X86F_IW
#define IZ  X86F_IZ
#define IV  X86F_IV
#define W32 X86F_W32
#define NP  X86F_NP

#define U              { 0, { NULL, NULL, NULL, NULL } }
#define O(mn, f)       { (f), { mn, NULL, NULL, NULL } }
#define S4(a, b, c, d, f) { (f) | X86F_SSE, { a, b, c, d } }
/* SSE arithmetic: ps / pd (66) / ss (F3) / sd (F2) */
#define PS4(mn)        S4(mn "ps", mn "pd", mn "ss", mn "sd", M)
#define PS2(mn)        S4(mn "ps", mn "pd", NULL, NULL, M)
/* MMX with an SSE2 66 form of the same name */
#define P2(mn)         S4(mn, mn, NULL, NULL, M)
#define P2I(mn)        S4(mn, mn, NULL, NULL, M | IB)
/* 66-only (SSE4, AES-NI ...) */
#define X66(mn, f)     S4(NULL, mn, NULL, NULL, M | (f))
#define G(n)           { M | X86F_GRP | ((uint32_t)(n) << 24), { NULL, NULL, NULL, NULL } }
#define X8(...)        __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, \
                       __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__
#define CC16(p, f)                                                            \
    O(p "o", f), O(p "no", f), O(p "b", f), O(p "ae", f), O(p "e", f),        \
    O(p "ne", f), O(p "be", f), O(p "a", f), O(p "s", f), O(p "ns", f),       \
    O(p "p", f), O(p "np", f), O(p "l", f), O(p "ge", f), O(p "le", f),       \
    O(p "g", f)
/* the eight ALU ops of 00-3F: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz */
#define ALU(mn, lk)                                                           \
    O(mn, M | B | (lk)), O(mn, M | (lk)), O(mn, M | B), O(mn, M),             \
    O(mn, B | IB), O(mn, IZ)
#define P8(mn, f)      X8(O(mn, (f) | PR))

/* operand-size dependent mnemonics (x86_variants) */
#define V_PUSHA "pushaw/pushal"
#define V_POPA "popaw/popal"
#define V_INS "insw/insd"
#define V_OUTS "outsw/outsd"
#define V_MOVS "movsw/movsd/movsq"
#define V_CMPS "cmpsw/cmpsd/cmpsq"
#define V_STOS "stosw/stosd/stosq"
#define V_LODS "lodsw/lodsd/lodsq"
#define V_SCAS "scasw/scasd/scasq"
#define V_CBW "cbw/cwde/cdqe"
#define V_CWD "cwd/cdq/cqo"
#define V_PUSHF "pushf/pushfd/pushfq"
#define V_POPF "popf/popfd/popfq"
#define V_IRET "iret/iretd/iretq"
#define V_JCXZ "jcxz/jecxz/jrcxz"
#define V_MOVD "movd/movq"
#define V_PEXTRD "pextrd/pextrq"
#define V_PINSRD "pinsrd/pinsrq"
#define V_CX8B "cmpxchg8b/cmpxchg16b"
#define V_FXSAVE "fxsave/fxsave64"
#define V_FXRSTOR "fxrstor/fxrstor64"
#define V_XSAVE "xsave/xsave64"
#define V_XRSTOR "xrstor/xrstor64"
#define V_XSAVEOPT "xsaveopt/xsaveopt64"
#define V_XRSTORS "xrstors/xrstors64"
#define V_XSAVEC "xsavec/xsavec64"
#define V_XSAVES "xsaves/xsaves64"
#define V_RETF "retf/retfq"

const struct x86_variant x86_variants[] = {
    { V_PUSHA, { "pushaw", "pushal", "pushal" }, 0 },
    { V_POPA, { "popaw", "popal", "popal" }, 0 },
    { V_INS, { "insw", "insd", "insd" }, 0 },
    { V_OUTS, { "outsw", "outsd", "outsd" }, 0 },
    { V_MOVS, { "movsw", "movsd", "movsq" }, 0 },
    { V_CMPS, { "cmpsw", "cmpsd", "cmpsq" }, 0 },
    { V_STOS, { "stosw", "stosd", "stosq" }, 0 },
    { V_LODS, { "lodsw", "lodsd", "lodsq" }, 0 },
    { V_SCAS, { "scasw", "scasd", "scasq" }, 0 },
    { V_CBW, { "cbw", "cwde", "cdqe" }, 0 },
    { V_CWD, { "cwd", "cdq", "cqo" }, 0 },
    { V_PUSHF, { "pushf", "pushfd", "pushfq" }, 0 },
    { V_POPF, { "popf", "popfd", "popfq" }, 0 },
    { V_IRET, { "iret", "iretd", "iretq" }, 0 },
    { V_JCXZ, { "jcxz", "jecxz", "jrcxz" }, 1 },
    { V_MOVD, { "movd", "movd", "movq" }, 0 },
    { V_PEXTRD, { "pextrd", "pextrd", "pextrq" }, 0 },
    { V_PINSRD, { "pinsrd", "pinsrd", "pinsrq" }, 0 },
    { V_CX8B, { "cmpxchg8b", "cmpxchg8b", "cmpxchg16b" }, 0 },
    { V_FXSAVE, { "fxsave", "fxsave", "fxsave64" }, 0 },
    { V_FXRSTOR, { "fxrstor", "fxrstor", "fxrstor64" }, 0 },
    { V_XSAVE, { "xsave", "xsave", "xsave64" }, 0 },
    { V_XRSTOR, { "xrstor", "xrstor", "xrstor64" }, 0 },
    { V_XSAVEOPT, { "xsaveopt", "xsaveopt", "xsaveopt64" }, 0 },
    { V_XRSTORS, { "xrstors", "xrstors", "xrstors64" }, 0 },
    { V_XSAVEC, { "xsavec", "xsavec", "xsavec64" }, 0 },
    { V_XSAVES, { "xsaves", "xsaves", "xsaves64" }, 0 },
    { V_RETF, { "retf", "retf", "retfq" }, 0 },
};
const unsigned x86_nvariants = sizeof x86_variants / sizeof x86_variants[0];

/* group numbers (index into x86_groups) */
enum {
    G80, G81, G82, G83, G8C, G8E, G8F, G0F1E, GC0, GC1, GD0, GD1, GD2, GD3, GC6, GC7, GF6, GF7,
    GFE, GFF, G0F00, G0F01, G0F0D, G0F12, G0F16, G0F18, G0F71, G0F72, G0F73,
    G0FAE, G0FBA, G0FC7, G0FD6, G38F0, G38F1, NGROUPS
};

/* SDM Table A-2: one-byte opcode map. Prefix bytes (26 2E 36 3E 64-67
 * F0 F2 F3), REX (40-4F in 64-bit mode) and the 0F escape are consumed by
 * the decoder before the table is consulted. */
const struct x86_opdesc x86_map1[256] = {
    ALU("add", LK), O("push", I64), O("pop", I64),
    ALU("or", LK), O("push", I64), U,
    ALU("adc", LK), O("push", I64), O("pop", I64),
    ALU("sbb", LK), O("push", I64), O("pop", I64),
    ALU("and", LK), U, O("daa", I64),
    ALU("sub", LK), U, O("das", I64),
    ALU("xor", LK), U, O("aaa", I64),
    ALU("cmp", 0), U, O("aas", I64),
    P8("inc", I64), P8("dec", I64),                         /* 40-4F */
    P8("push", D64), P8("pop", D64),                        /* 50-5F */
    [0x60] = O(V_PUSHA, I64), O(V_POPA, I64), O("bound", M | MO | I64),
    O("arpl", M | I64), U, U, U, U,
    [0x68] = O("push", IZ | D64), O("imul", M | IZ), O("push", IB | D64),
    O("imul", M | IB), O("insb", B), O(V_INS, W32), O("outsb", B), O(V_OUTS, W32),
    [0x70] = CC16("j", IB | F64),
    [0x80] = G(G80), G(G81), G(G82), G(G83),
    O("test", M | B), O("test", M), O("xchg", M | B | LK), O("xchg", M | LK),
    O("mov", M | B), O("mov", M), O("mov", M | B), O("mov", M),
    G(G8C), O("lea", M | MO), G(G8E), G(G8F),
    [0x90] = P8("xchg", 0),   /* 90 without REX.B: nop / pause */
    [0x98] = O(V_CBW, 0), O(V_CWD, 0), O("lcall", X86F_AP | I64), O("wait", 0),
    O(V_PUSHF, D64), O(V_POPF, D64), O("sahf", 0), O("lahf", 0),
    [0xa0] = O("mov", B | X86F_MOFFS), O("mov", X86F_MOFFS),
    O("mov", B | X86F_MOFFS), O("mov", X86F_MOFFS),
    O("movsb", B), O(V_MOVS, 0), O("cmpsb", B), O(V_CMPS, 0),
    O("test", B | IB), O("test", IZ), O("stosb", B), O(V_STOS, 0),
    O("lodsb", B), O(V_LODS, 0), O("scasb", B), O(V_SCAS, 0),
    [0xb0] = P8("mov", B | IB), P8("mov", IV),
    [0xc0] = G(GC0), G(GC1), O("ret", IW | F64), O("ret", F64),
    O("les", M | MO | I64), O("lds", M | MO | I64), G(GC6), G(GC7),
    O("enter", X86F_IWB | D64), O("leave", D64), O(V_RETF, IW), O(V_RETF, 0),
    O("int3", 0), O("int", IB), O("into", I64), O(V_IRET, 0),
    [0xd0] = G(GD0), G(GD1), G(GD2), G(GD3),
    O("aam", IB | I64), O("aad", IB | I64), O("salc", I64), O("xlatb", 0),
    X8({ M | X86F_X87, { NULL, NULL, NULL, NULL } }),
    [0xe0] = O("loopne", IB | F64), O("loope", IB | F64), O("loop", IB | F64),
    O(V_JCXZ, IB | F64), O("in", B | IB), O("in", IB | W32), O("out", B | IB),
    O("out", IB | W32),
    O("call", IZ | F64), O("jmp", IZ | F64), O("ljmp", X86F_AP | I64),
    O("jmp", IB | F64), O("in", B), O("in", W32), O("out", B), O("out", W32),
    [0xf0] = U, O("int1", 0), U, U, O("hlt", 0), O("cmc", 0), G(GF6), G(GF7),
    O("clc", 0), O("stc", 0), O("cli", 0), O("sti", 0),
    O("cld", 0), O("std", 0), G(GFE), G(GFF),
};

/* 63 in 64-bit mode (Table A-2 superscript o64) */
const struct x86_opdesc x86_movsxd = O("movsxd", M | O64);

/* SDM Table A-3: two-byte opcode map (0F xx). 38 and 3A are escapes. */
const struct x86_opdesc x86_map0f[256] = {
    [0x00] = G(G0F00), G(G0F01), O("lar", M), O("lsl", M),
    U, O("syscall", 0), O("clts", 0), O("sysret", 0),
    O("invd", 0), O("wbinvd", 0), U, O("ud2", 0), U, G(G0F0D), U, U,
    [0x10] = S4("movups", "movupd", "movss", "movsd", M),
    S4("movups", "movupd", "movss", "movsd", M), G(G0F12),
    S4("movlps", "movlpd", NULL, NULL, M | MO),
    PS2("unpckl"), PS2("unpckh"), G(G0F16),
    S4("movhps", "movhpd", NULL, NULL, M | MO),
    G(G0F18), O("nop", M), O("nop", M), O("nop", M),
    O("nop", M), O("nop", M), G(G0F1E), O("nop", M),
    /* MOV to/from CRn/DRn: ModRM.mod ignored (SDM vol. 2 "MOV-Move to/from
     * Control Registers"); 64-bit operands in 64-bit mode */
    [0x20] = O("mov", M | X86F_CR | F64), O("mov", M | X86F_CR | F64),
    O("mov", M | X86F_CR | F64), O("mov", M | X86F_CR | F64),
    [0x28] = PS2("mova"), PS2("mova"),
    S4("cvtpi2ps", "cvtpi2pd", "cvtsi2ss", "cvtsi2sd", M),
    S4("movntps", "movntpd", NULL, NULL, M | MO),
    S4("cvttps2pi", "cvttpd2pi", "cvttss2si", "cvttsd2si", M),
    S4("cvtps2pi", "cvtpd2pi", "cvtss2si", "cvtsd2si", M),
    S4("ucomiss", "ucomisd", NULL, NULL, M), S4("comiss", "comisd", NULL, NULL, M),
    [0x30] = O("wrmsr", 0), O("rdtsc", 0), O("rdmsr", 0), O("rdpmc", 0),
    O("sysenter", 0), O("sysexit", 0), U, O("getsec", 0),
    [0x40] = CC16("cmov", M),
    [0x50] = S4("movmskps", "movmskpd", NULL, NULL, M | RO), PS4("sqrt"),
    S4("rsqrtps", NULL, "rsqrtss", NULL, M), S4("rcpps", NULL, "rcpss", NULL, M),
    PS2("and"), PS2("andn"), PS2("or"), PS2("xor"),
    PS4("add"), PS4("mul"), S4("cvtps2pd", "cvtpd2ps", "cvtss2sd", "cvtsd2ss", M),
    S4("cvtdq2ps", "cvtps2dq", "cvttps2dq", NULL, M),
    PS4("sub"), PS4("min"), PS4("div"), PS4("max"),
    [0x60] = P2("punpcklbw"), P2("punpcklwd"), P2("punpckldq"), P2("packsswb"),
    P2("pcmpgtb"), P2("pcmpgtw"), P2("pcmpgtd"), P2("packuswb"),
    P2("punpckhbw"), P2("punpckhwd"), P2("punpckhdq"), P2("packssdw"),
    X66("punpcklqdq", 0), X66("punpckhqdq", 0), P2(V_MOVD),
    S4("movq", "movdqa", "movdqu", NULL, M),
    [0x70] = S4("pshufw", "pshufd", "pshufhw", "pshuflw", M | IB),
    G(G0F71), G(G0F72), G(G0F73),
    P2("pcmpeqb"), P2("pcmpeqw"), P2("pcmpeqd"), S4("emms", NULL, NULL, NULL, 0),
    /* VMREAD/VMWRITE: 64-bit operands in 64-bit mode, 32 otherwise; with
     * 66/F2 these are AMD SSE4a EXTRQ/INSERTQ, not implemented */
    O("vmread", M | F64 | X86F_NP), O("vmwrite", M | F64 | X86F_NP), U, U,
    S4(NULL, "haddpd", NULL, "haddps", M), S4(NULL, "hsubpd", NULL, "hsubps", M),
    S4(V_MOVD, V_MOVD, "movq", NULL, M), S4("movq", "movdqa", "movdqu", NULL, M),
    [0x80] = CC16("j", IZ | F64),
    [0x90] = CC16("set", M | B),
    [0xa0] = O("push", D64), O("pop", D64), O("cpuid", 0), O("bt", M),
    O("shld", M | IB), O("shld", M), U, U,
    O("push", D64), O("pop", D64), O("rsm", 0), O("bts", M | LK),
    O("shrd", M | IB), O("shrd", M), G(G0FAE), O("imul", M),
    [0xb0] = O("cmpxchg", M | B | LK), O("cmpxchg", M | LK), O("lss", M | MO),
    O("btr", M | LK), O("lfs", M | MO), O("lgs", M | MO),
    O("movzx", M), O("movzx", M),
    { M, { NULL, NULL, "popcnt", NULL } }, O("ud1", M), G(G0FBA), O("btc", M | LK),
    { M, { "bsf", NULL, "tzcnt", NULL } }, { M, { "bsr", NULL, "lzcnt", NULL } },
    O("movsx", M), O("movsx", M),
    [0xc0] = O("xadd", M | B | LK), O("xadd", M | LK),
    S4("cmpps", "cmppd", "cmpss", "cmpsd", M | IB),
    S4("movnti", NULL, NULL, NULL, M | MO), P2I("pinsrw"),
    S4("pextrw", "pextrw", NULL, NULL, M | RO | IB),
    S4("shufps", "shufpd", NULL, NULL, M | IB), G(G0FC7),
    P8("bswap", 0),
    [0xd0] = S4(NULL, "addsubpd", NULL, "addsubps", M), P2("psrlw"), P2("psrld"),
    P2("psrlq"), P2("paddq"), P2("pmullw"), G(G0FD6),
    S4("pmovmskb", "pmovmskb", NULL, NULL, M | RO),
    P2("psubusb"), P2("psubusw"), P2("pminub"), P2("pand"),
    P2("paddusb"), P2("paddusw"), P2("pmaxub"), P2("pandn"),
    [0xe0] = P2("pavgb"), P2("psraw"), P2("psrad"), P2("pavgw"),
    P2("pmulhuw"), P2("pmulhw"), S4(NULL, "cvttpd2dq", "cvtdq2pd", "cvtpd2dq", M),
    S4("movntq", "movntdq", NULL, NULL, M | MO),
    P2("psubsb"), P2("psubsw"), P2("pminsw"), P2("por"),
    P2("paddsb"), P2("paddsw"), P2("pmaxsw"), P2("pxor"),
    [0xf0] = S4(NULL, NULL, NULL, "lddqu", M | MO), P2("psllw"), P2("pslld"),
    P2("psllq"), P2("pmuludq"), P2("pmaddwd"), P2("psadbw"),
    S4("maskmovq", "maskmovdqu", NULL, NULL, M | RO),
    P2("psubb"), P2("psubw"), P2("psubd"), P2("psubq"),
    P2("paddb"), P2("paddw"), P2("paddd"), O("ud0", M),
};

/* SDM Table A-4: three-byte map 0F 38. VEX-only rows (BMI1/BMI2: F2 F3
 * F5 F7, F6 MULX) stay undefined: no VEX in this CPU model. */
const struct x86_opdesc x86_map0f38[256] = {
    [0x00] = P2("pshufb"), P2("phaddw"), P2("phaddd"), P2("phaddsw"),
    P2("pmaddubsw"), P2("phsubw"), P2("phsubd"), P2("phsubsw"),
    P2("psignb"), P2("psignw"), P2("psignd"), P2("pmulhrsw"),
    [0x10] = X66("pblendvb", 0), [0x14] = X66("blendvps", 0), X66("blendvpd", 0),
    [0x17] = X66("ptest", 0),
    [0x1c] = P2("pabsb"), P2("pabsw"), P2("pabsd"),
    [0x20] = X66("pmovsxbw", 0), X66("pmovsxbd", 0), X66("pmovsxbq", 0),
    X66("pmovsxwd", 0), X66("pmovsxwq", 0), X66("pmovsxdq", 0),
    [0x28] = X66("pmuldq", 0), X66("pcmpeqq", 0), X66("movntdqa", MO),
    X66("packusdw", 0),
    [0x30] = X66("pmovzxbw", 0), X66("pmovzxbd", 0), X66("pmovzxbq", 0),
    X66("pmovzxwd", 0), X66("pmovzxwq", 0), X66("pmovzxdq", 0),
    [0x37] = X66("pcmpgtq", 0),
    X66("pminsb", 0), X66("pminsd", 0), X66("pminuw", 0), X66("pminud", 0),
    X66("pmaxsb", 0), X66("pmaxsd", 0), X66("pmaxuw", 0), X66("pmaxud", 0),
    [0x40] = X66("pmulld", 0), X66("phminposuw", 0),
    /* INVEPT/INVVPID/INVPCID: register operand 64-bit in 64-bit mode */
    [0x80] = X66("invept", MO | F64), X66("invvpid", MO | F64),
    X66("invpcid", MO | F64),
    [0xc8] = S4("sha1nexte", NULL, NULL, NULL, M), S4("sha1msg1", NULL, NULL, NULL, M),
    S4("sha1msg2", NULL, NULL, NULL, M), S4("sha256rnds2", NULL, NULL, NULL, M),
    S4("sha256msg1", NULL, NULL, NULL, M), S4("sha256msg2", NULL, NULL, NULL, M),
    [0xdb] = X66("aesimc", 0), X66("aesenc", 0), X66("aesenclast", 0),
    X66("aesdec", 0), X66("aesdeclast", 0),
    [0xf0] = G(G38F0), G(G38F1),
    [0xf6] = S4(NULL, "adcx", "adox", NULL, M),
};

/* SDM Table A-5: three-byte map 0F 3A; every row has an imm8. */
const struct x86_opdesc x86_map0f3a[256] = {
    [0x08] = X66("roundps", IB), X66("roundpd", IB), X66("roundss", IB),
    X66("roundsd", IB), X66("blendps", IB), X66("blendpd", IB), X66("pblendw", IB),
    P2I("palignr"),
    [0x14] = X66("pextrb", IB), X66("pextrw", IB), X66(V_PEXTRD, IB),
    X66("extractps", IB),
    [0x20] = X66("pinsrb", IB), X66("insertps", IB), X66(V_PINSRD, IB),
    [0x40] = X66("dpps", IB), X66("dppd", IB), X66("mpsadbw", IB),
    [0x44] = X66("pclmulqdq", IB),
    [0x60] = X66("pcmpestrm", IB), X66("pcmpestri", IB), X66("pcmpistrm", IB),
    X66("pcmpistri", IB),
    [0xcc] = S4("sha1rnds4", NULL, NULL, NULL, M | IB),
    [0xdf] = X66("aeskeygenassist", IB),
};

/* 0F 01 with mod == 3, by ModRM & 0x3f (SDM Table A-6 note: "0F 01
 * register forms"). D8-DF are AMD SVM (AMD APM vol. 3), kept so that
 * disassembly of real binaries agrees. */
static const struct x86_opdesc g0f01_rm[64] = {
    [0x01] = O("vmcall", M), O("vmlaunch", M), O("vmresume", M), O("vmxoff", M),
    [0x08] = O("monitor", M), O("mwait", M), O("clac", M), O("stac", M),
    [0x0f] = O("encls", M),
    [0x10] = O("xgetbv", M), O("xsetbv", M),
    [0x14] = O("vmfunc", M), O("xend", M), O("xtest", M), O("enclu", M),
    [0x18] = O("vmrun", M), O("vmmcall", M), O("vmload", M), O("vmsave", M),
    O("stgi", M), O("clgi", M), O("skinit", M), O("invlpga", M),
    [0x20] = X8(O("smsw", M)),
    [0x2e] = O("rdpkru", M), O("wrpkru", M),
    [0x30] = X8(O("lmsw", M)),
    [0x38] = O("swapgs", M | O64), O("rdtscp", M), O("monitorx", M),
    O("mwaitx", M), O("clzero", M),
};

static const struct x86_opdesc g0f1e_rm[64] = {
    X8(O("nop", M)), X8(O("nop", M)), X8(O("nop", M)), X8(O("nop", M)),
    X8(O("nop", M)), X8(O("nop", M)), X8(O("nop", M)),
    O("nop", M), O("nop", M), { M, { "nop", NULL, "endbr64", NULL } },
    { M, { "nop", NULL, "endbr32", NULL } }, O("nop", M), O("nop", M), O("nop", M),
    O("nop", M),
};

#define GR(mn, f) O(mn, M | (f))
#define SH8(f) GR("rol", f), GR("ror", f), GR("rcl", f), GR("rcr", f), \
               GR("shl", f), GR("shr", f), GR("sal", f), GR("sar", f)
#define AL8(f) GR("add", (f) | LK), GR("or", (f) | LK), GR("adc", (f) | LK), \
               GR("sbb", (f) | LK), GR("and", (f) | LK), GR("sub", (f) | LK), \
               GR("xor", (f) | LK), GR("cmp", f)
#define SSEG(a, b, c, d, f) S4(a, b, c, d, M | (f))

/* SDM Table A-6: opcode extensions by ModRM.reg */
const struct x86_group x86_groups[NGROUPS] = {
    [G80] = { .m = { AL8(B | IB) }, .regsame = 1 },
    [G81] = { .m = { AL8(IZ) }, .regsame = 1 },
    [G82] = { .m = { AL8(B | IB | I64) }, .regsame = 1 },
    [G83] = { .m = { AL8(IB) }, .regsame = 1 },
    /* MOV Ev,Sw / Sw,Ew: Sreg 6, 7 do not exist; MOV CS,x is #UD */
    [G8C] = { .m = { GR("mov", 0), GR("mov", 0), GR("mov", 0), GR("mov", 0),
                     GR("mov", 0), GR("mov", 0) }, .regsame = 1 },
    [G8E] = { .m = { GR("mov", 0), U, GR("mov", 0), GR("mov", 0),
                     GR("mov", 0), GR("mov", 0) }, .regsame = 1 },
    [G8F] = { .m = { GR("pop", D64) }, .regsame = 1 },      /* Grp 1A */
    /* hint NOP; F3 0F 1E FA/FB: ENDBR64/ENDBR32 (CET) */
    [G0F1E] = { .m = { X8(GR("nop", 0)) }, .rm = g0f1e_rm },
    [GC0] = { .m = { SH8(B | IB) }, .regsame = 1 },          /* Grp 2 */
    [GC1] = { .m = { SH8(IB) }, .regsame = 1 },
    [GD0] = { .m = { SH8(B) }, .regsame = 1 },
    [GD1] = { .m = { SH8(0) }, .regsame = 1 },
    [GD2] = { .m = { SH8(B) }, .regsame = 1 },
    [GD3] = { .m = { SH8(0) }, .regsame = 1 },
    /* Grp 11; C6 F8 XABORT, C7 F8 XBEGIN (RTM) */
    [GC6] = { .m = { GR("mov", B | IB) },
              .r = { GR("mov", B | IB), [7] = GR("xabort", IB) } },
    [GC7] = { .m = { GR("mov", IZ) },
              .r = { GR("mov", IZ), [7] = GR("xbegin", IZ) } },
    [GF6] = { .m = { GR("test", B | IB), GR("test", B | IB), GR("not", B | LK),
                     GR("neg", B | LK), GR("mul", B), GR("imul", B), GR("div", B),
                     GR("idiv", B) }, .regsame = 1 },        /* Grp 3 */
    [GF7] = { .m = { GR("test", IZ), GR("test", IZ), GR("not", LK), GR("neg", LK),
                     GR("mul", 0), GR("imul", 0), GR("div", 0), GR("idiv", 0) },
              .regsame = 1 },
    [GFE] = { .m = { GR("inc", B | LK), GR("dec", B | LK) }, .regsame = 1 },
    [GFF] = { .m = { GR("inc", LK), GR("dec", LK), GR("call", F64),
                     GR("lcall", MO), GR("jmp", F64), GR("ljmp", MO),
                     GR("push", D64) }, .regsame = 1 },      /* Grp 5 */
    [G0F00] = { .m = { GR("sldt", 0), GR("str", 0), GR("lldt", 0), GR("ltr", 0),
                       GR("verr", 0), GR("verw", 0) }, .regsame = 1 },
    [G0F01] = { .m = { GR("sgdt", 0), GR("sidt", 0), GR("lgdt", 0), GR("lidt", 0),
                       GR("smsw", 0), U, GR("lmsw", 0), GR("invlpg", 0) },
                .rm = g0f01_rm },
    /* AMD PREFETCH/PREFETCHW; Intel: 0F 0D /1 PREFETCHW, /2 PREFETCHWT1 */
    [G0F0D] = { .m = { GR("prefetch", 0), GR("prefetchw", 0), GR("prefetchwt1", 0),
                       GR("prefetch", 0), GR("prefetch", 0), GR("prefetch", 0),
                       GR("prefetch", 0), GR("prefetch", 0) } },
    [G0F12] = { .m = { X8(SSEG("movlps", "movlpd", "movsldup", "movddup", 0)) },
                .r = { X8(SSEG("movhlps", NULL, "movsldup", "movddup", 0)) } },
    [G0F16] = { .m = { X8(SSEG("movhps", "movhpd", "movshdup", NULL, 0)) },
                .r = { X8(SSEG("movlhps", NULL, "movshdup", NULL, 0)) } },
    /* Grp 16: /4-/7 and register forms are reserved NOPs */
    [G0F18] = { .m = { GR("prefetchnta", 0), GR("prefetcht0", 0), GR("prefetcht1", 0),
                       GR("prefetcht2", 0), GR("nop", 0), GR("nop", 0), GR("nop", 0),
                       GR("nop", 0) },
                .r = { X8(GR("nop", 0)) } },
    /* Grp 12-14: register forms only, imm8 */
    [G0F71] = { .r = { [2] = P2I("psrlw"), [4] = P2I("psraw"), [6] = P2I("psllw") } },
    [G0F72] = { .r = { [2] = P2I("psrld"), [4] = P2I("psrad"), [6] = P2I("pslld") } },
    [G0F73] = { .r = { [2] = P2I("psrlq"), [3] = X66("psrldq", IB),
                       [6] = P2I("psllq"), [7] = X66("pslldq", IB) } },
        /* Grp 15; the SDM's opcode column marks FXSAVE FXRSTOR LDMXCSR STMXCSR
     * XSAVE XRSTOR LFENCE MFENCE SFENCE "NP": 66/F2/F3 are #UD (SDM vol. 2
     * §3.1.1.1; found by x86-difftest --gen tables) */
    [G0FAE] = { .m = { GR(V_FXSAVE, NP), GR(V_FXRSTOR, NP), GR("ldmxcsr", NP),
                       GR("stmxcsr", NP), GR(V_XSAVE, NP), GR(V_XRSTOR, NP),
                       { M, { V_XSAVEOPT, "clwb", NULL, NULL } },
                       { M, { "clflush", "clflushopt", NULL, NULL } } },
                .r = { SSEG(NULL, NULL, "rdfsbase", NULL, O64),
                       SSEG(NULL, NULL, "rdgsbase", NULL, O64),
                       SSEG(NULL, NULL, "wrfsbase", NULL, O64),
                       SSEG(NULL, NULL, "wrgsbase", NULL, O64),
                       U, GR("lfence", NP), GR("mfence", NP), GR("sfence", NP) } },
    [G0FBA] = { .m = { [4] = GR("bt", IB), GR("bts", IB | LK), GR("btr", IB | LK),
                       GR("btc", IB | LK) }, .regsame = 1 },   /* Grp 8 */
    /* Grp 9: CMPXCHG8B/16B, XSAVES..., VMX pointer ops, RDRAND/RDSEED/RDPID */
    [G0FC7] = { .m = { [1] = GR(V_CX8B, LK), [3] = GR(V_XRSTORS, 0),
                       GR(V_XSAVEC, 0), GR(V_XSAVES, 0),
                       { M, { "vmptrld", "vmclear", "vmxon", NULL } }, GR("vmptrst", 0) },
                .r = { [6] = GR("rdrand", 0),
                       { M, { "rdseed", NULL, "rdpid", NULL } } } },
    [G0FD6] = { .m = { X8(SSEG(NULL, "movq", NULL, NULL, 0)) },
                .r = { X8(SSEG(NULL, "movq", "movq2dq", "movdq2q", 0)) } },
    /* 0F 38 F0/F1: MOVBE (memory only) or, with F2, CRC32 */
    [G38F0] = { .m = { X8({ M, { "movbe", NULL, NULL, "crc32" } }) },
                .r = { X8({ M, { NULL, NULL, NULL, "crc32" } }) } },
    [G38F1] = { .m = { X8({ M, { "movbe", NULL, NULL, "crc32" } }) },
                .r = { X8({ M, { NULL, NULL, NULL, "crc32" } }) } },
};
const unsigned x86_ngroups = NGROUPS;

#define F8(a) a, a, a, a, a, a, a, a
#define N8 F8(NULL)

/* SDM App. A.4.1: x87 memory forms, [opcode - D8][ModRM.reg] */
const char *const x86_x87_mem[8][8] = {
    { "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr" },
    { "fld", NULL, "fst", "fstp", "fldenv", "fldcw", "fnstenv", "fnstcw" },
    { "fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr" },
    { "fild", "fisttp", "fist", "fistp", NULL, "fld", NULL, "fstp" },
    { "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr" },
    { "fld", "fisttp", "fst", "fstp", "frstor", NULL, "fnsave", "fnstsw" },
    { "fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr" },
    { "fild", "fisttp", "fist", "fistp", "fbld", "fild", "fbstp", "fistp" },
};

/* SDM App. A.4.2: x87 register forms, [opcode - D8][ModRM & 0x3f]. The
 * reserved cells that hardware executes as aliases (D9 D8+i FSTP, DC D0+i
 * FCOM, DC D8+i FCOMP, DD C8+i FXCH, DE D0+i FCOMP, DF C0+i FFREEP, DF C8+i
 * FXCH, DF D0/D8+i FSTP, DB E0/E1/E4 8087/287 no-ops) are decoded, with
 * capstone's names. */
const char *const x86_x87_reg[8][64] = {
    { F8("fadd"), F8("fmul"), F8("fcom"), F8("fcomp"),
      F8("fsub"), F8("fsubr"), F8("fdiv"), F8("fdivr") },
    { F8("fld"), F8("fxch"), "fnop", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      F8("fstpnce"),
      "fchs", "fabs", NULL, NULL, "ftst", "fxam", NULL, NULL,
      "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", NULL,
      "f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp",
      "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos" },
    { F8("fcmovb"), F8("fcmove"), F8("fcmovbe"), F8("fcmovu"), N8,
      NULL, "fucompp", NULL, NULL, NULL, NULL, NULL, NULL, N8, N8 },
    { F8("fcmovnb"), F8("fcmovne"), F8("fcmovnbe"), F8("fcmovnu"),
      "feni8087_nop", "fdisi8087_nop", "fnclex", "fninit", "fsetpm", NULL, NULL, NULL,
      F8("fucomi"), F8("fcomi"), N8 },
    /* DC E0+i FSUBR ST(i),ST(0); E8+i FSUB; F0+i FDIVR; F8+i FDIV */
    { F8("fadd"), F8("fmul"), F8("fcom"), F8("fcomp"),
      F8("fsubr"), F8("fsub"), F8("fdivr"), F8("fdiv") },
    { F8("ffree"), F8("fxch"), F8("fst"), F8("fstp"), F8("fucom"), F8("fucomp"), N8, N8 },
    { F8("faddp"), F8("fmulp"), F8("fcomp"), NULL, "fcompp", NULL, NULL, NULL, NULL, NULL, NULL,
      F8("fsubrp"), F8("fsubp"), F8("fdivrp"), F8("fdivp") },
    { F8("ffreep"), F8("fxch"), F8("fstp"), F8("fstp"), "fnstsw", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      F8("fucomip"), F8("fcomip"), N8 },
};
