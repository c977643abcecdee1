/* The optional RISC-V extensions a hart implements, parsed once from the
 * configured ISA string ([cpu] isa, e.g. rv64imafdch_zicsr_zicond_zbc). */
#ifndef HVSIM_RV_ISA_H
#define HVSIM_RV_ISA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits of rv_hart.ext. An instruction of an extension whose bit is clear
 * decodes as illegal, exactly as before the extension existed. */
enum {
    RV_EXT_ZICOND = 1u << 0,      /* Zicond 1.0: czero.eqz/nez */
    RV_EXT_ZIHINTPAUSE = 1u << 1, /* pause (a FENCE hint: always executes as a no-op) */
    RV_EXT_ZIHINTNTL = 1u << 2,   /* ntl.* (ADD hints: always no-ops) */
    RV_EXT_ZBC = 1u << 3,         /* Bitmanip 1.0: clmul/clmulh/clmulr */
    RV_EXT_ZBKB = 1u << 4,        /* Scalar crypto 1.0: pack/packh/packw/brev8 */
    RV_EXT_ZBKC = 1u << 5,        /* clmul/clmulh */
    RV_EXT_ZBKX = 1u << 6,        /* xperm4/xperm8 */
    RV_EXT_ZICBOM = 1u << 7,      /* CMO 1.0: cbo.clean/flush/inval */
    RV_EXT_ZICBOZ = 1u << 8,      /* cbo.zero */
    RV_EXT_ZICBOP = 1u << 9,      /* prefetch.i/r/w (ORI hints: always no-ops) */
    RV_EXT_ZFHMIN = 1u << 10,     /* Zfhmin 1.0: flh/fsh, fmv.x.h/fmv.h.x, fcvt to/from h */
    RV_EXT_ZFH = 1u << 11,        /* Zfh 1.0: all of H (includes Zfhmin) */
    RV_EXT_SSCOFPMF = 1u << 12,   /* Sscofpmf 1.0: counter overflow, mode filters, LCOFI */
    RV_EXT_SDTRIG = 1u << 13,     /* Debug 1.0 Sdtrig: triggers ([cpu] triggers, trigger.c) */
    RV_EXT_V = 1u << 14,          /* V 1.0 vector extension ([cpu] vlen, vector.c) */
    RV_EXT_ZVFHMIN = 1u << 15,    /* Zvfhmin 1.0: vfwcvt.f.f.v / vfncvt.f.f.w to and from binary16 (needs v) */
    RV_EXT_ZVFH = 1u << 16,       /* Zvfh 1.0: vector FP at SEW 16 (needs v and zfhmin, includes Zvfhmin) */
    RV_EXT_SVPBMT = 1u << 17,     /* Svpbmt 1.0: PTE bits 62:61 PBMT (menvcfg/henvcfg.PBMTE) */
    RV_EXT_SVNAPOT = 1u << 18,    /* Svnapot 1.0: PTE bit 63 N, 64 KiB NAPOT leaf pages */
    RV_EXT_ZAWRS = 1u << 19,      /* Zawrs 1.01: wrs.nto/wrs.sto (a stall of length zero) */
    RV_EXT_ALL = (1u << 20) - 1,
};

/* Cache-block size of Zicbom/Zicboz (bytes; the DTB's riscv,cbo?-block-size). */
#define RV_CBO_BLOCK 64u

/* Parse an ISA string: "rv64" + single-letter extensions (a subset of
 * imafdcgh, the ones the hart has) + '_'-separated multi-letter ones. Known
 * names of always-present features (zicsr, zifencei, zicntr, zihpm, zba, zbb, zbs,
 * sstc) are accepted and change nothing; the optional ones set their bit in
 * *ext. Anything else: false with a message naming the extension. */
bool rv_isa_parse(const char *isa, uint32_t *ext, char *err, size_t errlen);

/* The extensions a hart configured with isa implements, as the DT binding's
 * riscv,isa-extensions wants them (riscv/cpus.yaml / extensions.yaml): a
 * list of NUL-terminated lower-case names — the single letters the hart
 * always has (i m a f d c h), then every name of the parser's table that is
 * always present or enabled by isa, in the table's order. Writes at most
 * len bytes; returns the list's length, 0 when isa does not parse or the
 * list does not fit. (The base, riscv,isa-base, is "rv64i".) */
size_t rv_isa_extension_list(const char *isa, char *buf, size_t len);

/* The extension names V implies at VLEN = vlen bits (V 1.0 §18: V
 * provides Zve64d, which includes Zve64f, Zve64x, Zve32f and Zve32x, and
 * Zvl128b; Zvl<N>b includes every smaller Zvl, so VLEN 256 is Zvl32b ..
 * Zvl256b), lower case, in alphabetical order, as a list of NUL-terminated
 * names (the DT's riscv,isa-extensions form). Returns its length, 0 if it
 * does not fit in len. */
size_t rv_isa_vector_list(unsigned vlen, char *buf, size_t len);
/* The ISA string for the DT's riscv,isa: isa itself without v; with v,
 * isa with the names of rv_isa_vector_list inserted ("_zve32f_..."),
 * before its first s- or x-extension (the naming order: the z extensions
 * before them) or at the end. Returns the length, 0 if it does not fit. */
size_t rv_isa_string_with_vector(const char *isa, unsigned vlen, char *buf, size_t len);

#endif
