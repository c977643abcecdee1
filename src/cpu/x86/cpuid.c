/* CPUID (Intel SDM vol. 2 "CPUID"): reports only what the model implements.
 * Today: the integer ISA of exec.c with long mode, PAE, PSE, PGE, NX,
 * 1 GiB pages, SYSCALL, CMPXCHG8B/16B, CMOV, POPCNT, LZCNT, TSC, MSR, MTRR,
 * PAT, SMEP, SMAP, APIC (the local APIC is the next issue's), the x87 FPU
 * and FXSAVE/FXRSTOR (on x86 hosts: fpu_x87.c). */
#include <string.h>
#include "fpu.h"

void x86_cpuid(struct x86_cpu *x, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)sub;
    memset(out, 0, 4 * sizeof out[0]);
    switch (leaf) {
    case 0: /* max basic leaf, vendor "HvsimVirtCPU" */
        out[0] = 7;
        memcpy(&out[1], "Hvsi", 4);
        memcpy(&out[3], "mVir", 4);
        memcpy(&out[2], "tCPU", 4);
        return;
    case 1:
        /* family 6 model 0x2f stepping 1; APIC id in EBX[31:24]; 1 logical CPU */
        out[0] = 0x000206f1;
        out[1] = (uint32_t)x->cpu.id << 24 | 1u << 16;
        out[2] = 1u << 13 /* CMPXCHG16B */ | 1u << 23 /* POPCNT */;
        out[3] = 1u << 3 /* PSE */ | 1u << 4 /* TSC */ | 1u << 5 /* MSR */ | 1u << 6 /* PAE */ |
                 1u << 8 /* CX8 */ | 1u << 12 /* MTRR */ | 1u << 13 /* PGE */ |
                 1u << 15 /* CMOV */ | 1u << 16 /* PAT */ | 1u << 17 /* PSE-36 */;
        if (X86_HOST_X87) /* the x87 and FXSAVE/FXRSTOR (fpu_x87.c, fxsave.c) */
            out[3] |= 1u << 0 /* FPU */ | 1u << 24 /* FXSR */;
        return;
    case 7:
        if (sub == 0)
            out[1] = 1u << 7 /* SMEP */ | 1u << 20 /* SMAP */;
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
