/* CPUID (Intel SDM vol. 2 "CPUID"): reports only what the model implements.
 * Today: the integer ISA of exec.c with long mode, VME (and PVI), PAE, PSE, PGE, NX,
 * 1 GiB pages, SYSCALL, SYSENTER (SEP), CMPXCHG8B/16B, CMOV, POPCNT, LZCNT,
 * MOVBE, ADX, BMI1/2, PCID, INVPCID, TSC, MSR, MTRR,
 * PAT, SMEP, SMAP; APIC, x2APIC, TSC-deadline when the board gives the CPU
 * a local APIC (src/apic/lapic.c); MMX, SSE,
 * SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, AES, PCLMULQDQ (simd*.c). The x87 FPU
 * and FXSAVE/FXRSTOR (on x86 hosts: fpu_x87.c). With [cpu] xsave = on:
 * XSAVE, OSXSAVE (= CR4.OSXSAVE) and leaf 0DH (xsave.c: XCR0 bits 0 and 1,
 * XSAVEOPT, XGETBV ECX = 1). With [cpu] monitor = on: MONITOR and leaf 05H
 * (monitor.c). The topology (leaf 0BH):
 * the machine's CPUs are the cores of one package, one thread each. */
#include <string.h>
#include "fpu.h"
#include "x86.h"
#include "x86_cpu.h"
#include "../../apic/lapic.h"
#include "../../sim/machine.h"

void x86_cpuid(struct x86_cpu *x, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)sub;
    memset(out, 0, 4 * sizeof out[0]);
    switch (leaf) {
    case 0: /* max basic leaf, vendor (default "HvsimVirtCPU": [cpu] vendor) */
        out[0] = x->xsave ? 0xd : 0xb; /* 0DH only with XSAVE (xsave.c) */
        /* IA32_MISC_ENABLE bit 22, Limit CPUID Maxval (SDM vol. 4, Table
         * 2-2): "CPUID.00H returns a maximum value in EAX[7:0] of 2" */
        if (x->misc_enable & (1ull << 22))
            out[0] = 2;
        memcpy(&out[1], x->cpuid_vendor, 4);
        memcpy(&out[3], x->cpuid_vendor + 4, 4);
        memcpy(&out[2], x->cpuid_vendor + 8, 4);
        return;
    case 1:
        /* [cpu] family/model/stepping (default 6 / 0x2f / 1); APIC id in
         * EBX[31:24]; 1 logical CPU */
        out[0] = x->cpuid_signature;
        out[1] = (uint32_t)x->cpu.id << 24 | 1u << 16;
        out[2] = 1u << 13 /* CMPXCHG16B */ | 1u << 17 /* PCID */ | 1u << 22 /* MOVBE */ |
                 1u << 23 /* POPCNT */;
        /* SIMD (simd*.c) */
        out[2] |= 1u << 0 /* SSE3 */ | 1u << 1 /* PCLMULQDQ */ | 1u << 9 /* SSSE3 */ |
                  1u << 19 /* SSE4.1 */ | 1u << 20 /* SSE4.2 */ | 1u << 25 /* AES */;
        out[3] = 1u << 1 /* VME (vme.c) */ | 1u << 3 /* PSE */ | 1u << 4 /* TSC */ | 1u << 5 /* MSR */ | 1u << 6 /* PAE */ |
                 1u << 8 /* CX8 */ | 1u << 11 /* SEP */ | 1u << 12 /* MTRR */ | 1u << 13 /* PGE */ |
                 1u << 15 /* CMOV */ | 1u << 16 /* PAT */ | 1u << 17 /* PSE-36 */;
        out[3] |= 1u << 23 /* MMX */ | 1u << 25 /* SSE */ | 1u << 26 /* SSE2 */;
        if (x->vmx.enabled) /* [cpu] vmx = on (src/vmm/vmx*.c, docs/vmx.md) */
            out[2] |= 1u << 5 /* VMX */;
        if (X86_HOST_X87) /* the x87 and FXSAVE/FXRSTOR (fpu_x87.c, fxsave.c) */
            out[3] |= 1u << 0 /* FPU */ | 1u << 24 /* FXSR */;
        if (x->xsave) { /* [cpu] xsave = on (xsave.c); OSXSAVE mirrors CR4 (vol. 2 "CPUID") */
            out[2] |= 1u << 26 /* XSAVE */;
            if (x->cr4 & CR4_OSXSAVE)
                out[2] |= 1u << 27 /* OSXSAVE */;
        }
        if (x->monitor) /* [cpu] monitor = on (monitor.c) */
            out[2] |= 1u << 3 /* MONITOR */;
        if (x->lapic) { /* src/apic/lapic.c: APIC while IA32_APIC_BASE.EN (vol. 2 "CPUID") */
            out[2] |= 1u << 21 /* x2APIC */ | 1u << 24 /* TSC-deadline */;
            if (lapic_hw_enabled(x->lapic))
                out[3] |= 1u << 9 /* APIC */;
        }
        return;
    case 5: /* MONITOR/MWAIT (monitor.c), with [cpu] monitor = on; else zeros */
        if (x->monitor) {
            out[0] = 64; /* smallest monitor-line size (bytes) */
            out[1] = 64; /* largest monitor-line size */
            out[2] = 1u << 0 /* EMX: MWAIT extensions enumerated */ |
                     1u << 1 /* MWAIT ECX[0]: masked interrupts are break events */;
            out[3] = 1u << 4; /* one C1 sub-state (EDX[7:4]); MWAIT has one wait state */
        }
        return;
    case 7:
        if (sub == 0)
            out[1] = 1u << 3 /* BMI1 */ | 1u << 7 /* SMEP */ | 1u << 8 /* BMI2 */ | 1u << 10 /* INVPCID */ | 1u << 19 /* ADX */ |
                     1u << 20 /* SMAP */;
        return;
    case 0xb: { /* extended topology (SDM vol. 2 "CPUID", leaf 0BH; vol. 3A 8.9.1) */
        /* Sub-leaf 0 = SMT level: one thread per core, so x2APIC ID >> 0
         * names the core. Sub-leaf 1 = core level: every CPU of the machine
         * is a core of package 0; the shift is the width of the core field,
         * the smallest with 1 << shift >= ncpus. Further sub-leaves are
         * invalid (type 0, EAX = EBX = 0). ECX[7:0] echoes the sub-leaf; EDX
         * is the x2APIC ID (= the CPU index, as in the MADT) for all. */
        int n = x->m ? x->m->ncpus : 1;
        unsigned shift = 0;
        while ((1u << shift) < (unsigned)n)
            shift++;
        out[2] = sub & 0xff;
        out[3] = (uint32_t)x->cpu.id;
        if (sub == 0) {
            out[0] = 0;      /* bits to shift to the next level: threads use none */
            out[1] = 1;      /* logical processors at this level */
            out[2] |= 1u << 8; /* level type 1: SMT */
        } else if (sub == 1) {
            out[0] = shift;
            out[1] = (uint32_t)n;
            out[2] |= 2u << 8; /* level type 2: core */
        }
        return;
    }
    case 0xd: /* processor extended state enumeration (xsave.c) */
        if (x->xsave)
            x86_cpuid_xsave(x, sub, out);
        return;
    case 0x80000000:
        out[0] = 0x80000008;
        return;
    case 0x80000001:
        out[2] = 1u << 0 /* LAHF/SAHF in 64-bit */ | 1u << 5 /* LZCNT */;
        out[3] = 1u << 11 /* SYSCALL */ | 1u << 20 /* NX */ | 1u << 26 /* 1 GiB pages */ |
                 1u << 27 /* RDTSCP */ | 1u << 29 /* LM */;
        return;
    case 0x80000002: case 0x80000003: case 0x80000004: {
        static const char brand[48] = "hvsim deterministic x86_64";
        memcpy(out, brand + 16 * (leaf - 0x80000002), 16);
        return;
    }
    case 0x80000008:
        out[0] = 48u << 8 | 52u; /* linear 48 bits, physical 52 */
        return;
    default:
        return; /* leaves above the maximum read as zero here */
    }
}

bool x86_cpuid_signature(unsigned family, unsigned model, unsigned stepping, uint32_t *sig)
{
    if (family < 1 || family > 15 + 255 || model > 255 || stepping > 15)
        return false;
    if (model > 15 && family != 6 && family < 15)
        return false; /* the extended model field is used for families 6 and 15 only */
    uint32_t s = stepping | (model & 0xf) << 4 | (model >> 4) << 16;
    s |= family < 15 ? family << 8 : (15u << 8 | (family - 15) << 20);
    *sig = s;
    return true;
}
