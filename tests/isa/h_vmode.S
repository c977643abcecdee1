/* h_vmode.S — running a guest in VS/VU mode (H extension 1.0, privileged
 * spec 20211203 chapter 8).
 *
 * The test runs as a small hypervisor in HS-mode with its own trap handler
 * (hs_handler: records scause/stval/sepc/htval/htinst/hstatus in hframe and
 * continues in HS at hframe.resume) and enters the guest with SRET and
 * hstatus.SPV = 1 (§8.6.4). The guest runs at GVA = GPA = PA through an
 * identity G stage (Sv39x4, §8.5); its VS-level traps go to vs_vec
 * (vstvec, vectored), whose handler records vscause/vstval/vsepc/vsstatus in
 * vframe. Covered:
 *   - SRET with SPV enters VS/VU; VS CSRs replace the S CSRs (§8.2);
 *   - ECALL from VS is cause 10 and cannot be delegated by hedeleg; from VU
 *     cause 8 (§8.2.2, §8.6.1); hstatus.SPV/SPVP/GVA on entry to HS;
 *   - exceptions delegated with hedeleg reach vstvec with vsstatus.SPP;
 *   - virtual-instruction exceptions (§8.6.1) with stval = the instruction;
 *   - hvip injection: VSSIP/VSTIP/VSEIP delegated by hideleg are taken in VS
 *     as causes 1/5/9 through the vectored vstvec; without hideleg VSSIP is
 *     an HS interrupt (cause 2) (§8.2.2-§8.2.3);
 *   - guest-page faults 20/21/23 with stval = GVA, htval = GPA >> 2;
 *   - HFENCE.GVMA / HFENCE.VVMA after changing G-stage / VS-stage mappings;
 *   - SRET in VS uses vsstatus/vsepc; MRET with MPV = 1 enters V = 1.
 */
#include "test_macros.h"
        .option arch, +h

#define HSTATUS_GVA  (1 << 6)
#define HSTATUS_SPV  (1 << 7)
#define HSTATUS_SPVP (1 << 8)
#define HSTATUS_VTVM (1 << 20)
#define HSTATUS_VTW  (1 << 21)
#define HSTATUS_VTSR (1 << 22)
#define MSTATUS_MPV  (1 << 39)
#define MODE_SV39    (8 << 60)

#define CAUSE_VU_ECALL    8
#define CAUSE_VS_ECALL    10
#define CAUSE_FETCH_GPF   20
#define CAUSE_LOAD_GPF    21
#define CAUSE_VIRTUAL     22
#define CAUSE_STORE_GPF   23
#define INT               (1 << 63)

#define GPA_WIN  0x100000000     /* G stage: -> pg_a (changed to pg_b in test 24) */
#define GPA_HOLE 0x100001000     /* not mapped at the G stage */
#define GVA_WIN  0x40000000      /* VS stage (test 25): -> pg_a, then pg_b */

#define G_LEAF  (PTE_V | PTE_U | PTE_A)
#define VS_RW   (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

/* hframe: what hs_handler saw */
#define HF_CAUSE   0
#define HF_TVAL    8
#define HF_EPC     16
#define HF_HTVAL   24
#define HF_HTINST  32
#define HF_HSTATUS 40
#define HF_COUNT   48
#define HF_RESUME  56
/* vframe: what the VS handler saw */
#define VF_CAUSE   0
#define VF_TVAL    8
#define VF_EPC     16
#define VF_STATUS  24
#define VF_COUNT   32
#define VF_VEC     40
#define VF_T1      48

/* ---- entering the guest from HS ----
 * GUEST_VS / GUEST_VU ... GUEST_END: the code in between runs in VS / VU.
 * It must end with a trap to HS (GUEST_END adds an ECALL for that); HS then
 * continues after GUEST_END with the trap in hframe. hs_handler clobbers t0
 * and t1. */
#define GUEST_ENTER(op)                                                 \
        la t0, hframe; la t1, 8871f; sd t1, HF_RESUME(t0);              \
        li t0, HSTATUS_SPV; csrs hstatus, t0;                           \
        li t0, SSTATUS_SPP; op sstatus, t0;                             \
        la t0, 8872f; csrw sepc, t0;                                    \
        sret;                                                           \
8872:
#define GUEST_VS GUEST_ENTER(csrs)
#define GUEST_VU GUEST_ENTER(csrc)
#define GUEST_END                                                       \
8873:   ecall;                                                          \
8871:

/* Checks of the recorded traps (use t2/t3 and t6) */
#define CHECK_HF(field, val)  la t3, hframe; ld t3, field(t3); CHECK_EQ(t3, val)
#define CHECK_VF(field, val)  la t3, vframe; ld t3, field(t3); CHECK_EQ(t3, val)
#define CHECK_HF_LABEL(field, label)                                    \
        la t3, hframe; ld t3, field(t3); la t2, label; CHECK_REG_EQ(t2, t3)
#define CHECK_VF_LABEL(field, label)                                    \
        la t3, vframe; ld t3, field(t3); la t2, label; CHECK_REG_EQ(t2, t3)
/* the recorded tval must be the 32-bit instruction at label */
#define CHECK_HF_INSN(label)                                            \
        la t3, hframe; ld t3, HF_TVAL(t3); la t2, label; lwu t2, 0(t2); \
        CHECK_REG_EQ(t2, t3)
#define CHECK_HSTATUS_BITS(mask, val)                                   \
        la t3, hframe; ld t3, HF_HSTATUS(t3); li t2, mask; and t3, t3, t2; \
        CHECK_EQ(t3, val)
#define CLEAR_VF  la t3, vframe; sd zero, VF_COUNT(t3); sd zero, VF_CAUSE(t3); sd zero, VF_VEC(t3)

/* One guest instruction (mode VS or VU) that must trap into HS with `cause`, stval = its
 * encoding and sepc = its address (§8.6.1: a virtual-instruction trap
 * writes stval like an illegal-instruction trap). */
#define TEST_GUEST_TRAP(n, mode, cause, ...)                            \
test_##n:                                                               \
        TEST_NUM(n);                                                    \
        GUEST_##mode;                                                   \
8874:   __VA_ARGS__;                                                    \
        GUEST_END;                                                      \
        CHECK_HF(HF_CAUSE, cause);                                      \
        CHECK_HF_INSN(8874b);                                           \
        CHECK_HF_LABEL(HF_EPC, 8874b);                                  \
        CHECK_HSTATUS_BITS(HSTATUS_SPV, HSTATUS_SPV)
/* ... a virtual instruction; stval is not an address: GVA = 0 (§8.2.1) */
#define TEST_VIRT(n, mode, ...)                                         \
        TEST_GUEST_TRAP(n, mode, CAUSE_VIRTUAL, __VA_ARGS__);           \
        CHECK_HSTATUS_BITS(HSTATUS_GVA, 0)

/* QEMU 7.2 deviations (README.md): a VS-delegated illegal instruction is
 * reported with vscause 1 (it "translates" exception 2 like interrupt 2);
 * VU-mode SRET/SFENCE.VMA and supervisor-CSR accesses raise illegal
 * instruction instead of virtual instruction; hstatus.VTVM does not trap
 * satp accesses; a virtual-instruction trap of HLV leaves a stale stval;
 * htinst is not checked. */
#ifdef ISA_QEMU
#define VS_ILLEGAL_VSCAUSE 1
#define VU_SUP_CAUSE CAUSE_ILLEGAL_INSTRUCTION
#else
#define VS_ILLEGAL_VSCAUSE CAUSE_ILLEGAL_INSTRUCTION
#define VU_SUP_CAUSE CAUSE_VIRTUAL
#endif

TEST_BEGIN
        /* ---- M-mode setup: tables, delegation ---- */
        PT_SET_ABS(g_root, 2, 0x80000000, G_LEAF | PTE_RWX | PTE_D)
        PT_LINK(g_root, 4, g_l1)
        PT_LINK(g_l1, 0, g_l0)
        PT_SET(g_l0, 0, pg_a, G_LEAF | PTE_R | PTE_W | PTE_D)
        PT_SET_ABS(vs_root, 2, 0x80000000, PTE_V | PTE_RWX | PTE_A | PTE_D)
        PT_LINK(vs_root, 1, vs_l1)
        PT_LINK(vs_l1, 0, vs_l0)
        PT_SET(vs_l0, 0, pg_a, VS_RW)
        la t0, g_root; srli t0, t0, 12; li t1, MODE_SV39; or t0, t0, t1
        csrw hgatp, t0
        hfence.gvma
        csrwi vsatp, 0
        hfence.vvma
        la t0, pg_a; li t1, 0xaaaaaaaa55555555; sd t1, 0(t0)
        la t0, pg_b; li t1, 0xbbbbbbbb66666666; sd t1, 0(t0)
        li t0, (1 << CAUSE_ILLEGAL_INSTRUCTION) | (1 << CAUSE_VU_ECALL) | (1 << CAUSE_VS_ECALL) | (1 << CAUSE_FETCH_GPF) | (1 << CAUSE_LOAD_GPF) | (1 << CAUSE_VIRTUAL) | (1 << CAUSE_STORE_GPF)
        csrw medeleg, t0
        csrwi hedeleg, 0
        csrwi hideleg, 0
        csrwi hie, 0
        csrwi hvip, 0
        csrwi mcounteren, 1             /* cycle (test 20) */
        csrwi hcounteren, 0
        csrwi vsstatus, 0
        la t0, hs_handler
        csrw stvec, t0
        la t0, vs_vec
        ori t0, t0, 1                   /* vectored */
        csrw vstvec, t0
        ENTER_S

        /* ---- SRET with SPV = 1 enters VS; ECALL from VS is cause 10 ---- */
test_2:
        TEST_NUM(2)
        li t0, 0x5653
        csrw vsscratch, t0
        li t0, 0x4853
        csrw sscratch, t0
        li a0, 0
        GUEST_VS
        csrr a0, sscratch               /* V=1: this is vsscratch */
        GUEST_END
        CHECK_EQ(a0, 0x5653)
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        CHECK_HF(HF_TVAL, 0)
        CHECK_HF_LABEL(HF_EPC, 8873b)
        CHECK_HSTATUS_BITS(HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV | HSTATUS_SPVP)
        csrr a1, sstatus
        andi a1, a1, SSTATUS_SPP
        CHECK_EQ(a1, SSTATUS_SPP)

        /* ---- VU: ECALL is cause 8, SPVP = SPP = 0 ---- */
test_3:
        TEST_NUM(3)
        GUEST_VU
        nop
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_VU_ECALL)
        CHECK_HF_LABEL(HF_EPC, 8873b)
        CHECK_HSTATUS_BITS(HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV)
        csrr a1, sstatus
        andi a1, a1, SSTATUS_SPP
        CHECK_EQ(a1, 0)

        /* ---- hedeleg cannot take cause 10 (nor 9, 11, 20-23) ---- */
test_4:
        TEST_NUM(4)
        li t0, -1
        csrw hedeleg, t0
        csrr a1, hedeleg
        li t0, (7 << 9) | (0xf << 20)
        and a2, a1, t0
        CHECK_EQ(a2, 0)
        andi a2, a1, 1 << CAUSE_VU_ECALL
        CHECK_EQ(a2, 1 << CAUSE_VU_ECALL)
        li t0, (1 << CAUSE_VU_ECALL) | (1 << CAUSE_ILLEGAL_INSTRUCTION)
        csrw hedeleg, t0
        CLEAR_VF
        GUEST_VS
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        CHECK_VF(VF_COUNT, 0)
        /* ... while a VU ecall with hedeleg[8] goes to the guest's vstvec */
test_5:
        TEST_NUM(5)
        CLEAR_VF
        GUEST_VU
8881:   ecall                           /* -> VS, which skips it */
        csrr a0, hstatus                /* virtual instruction: out to HS */
        GUEST_END
        CHECK_VF(VF_CAUSE, CAUSE_VU_ECALL)
        CHECK_VF(VF_COUNT, 1)
        CHECK_VF(VF_VEC, 0)
        CHECK_VF_LABEL(VF_EPC, 8881b)
        CHECK_HF(HF_CAUSE, CAUSE_VIRTUAL)

        /* ---- an exception delegated by hedeleg reaches vstvec ---- */
test_6:
        TEST_NUM(6)
        CLEAR_VF
        li a0, 0x77
        GUEST_VS
8882:   csrr a0, mscratch               /* M CSR: illegal instruction */
        GUEST_END
        CHECK_EQ(a0, 0x77)
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        CHECK_VF(VF_CAUSE, VS_ILLEGAL_VSCAUSE)
        CHECK_VF(VF_COUNT, 1)
        CHECK_VF(VF_VEC, 0)
        CHECK_VF_LABEL(VF_EPC, 8882b)
        la t3, vframe; ld t3, VF_TVAL(t3); la t2, 8882b; lwu t2, 0(t2); CHECK_REG_EQ(t2, t3)
        la t3, vframe; ld t3, VF_STATUS(t3); andi t3, t3, SSTATUS_SPP; CHECK_EQ(t3, SSTATUS_SPP)
test_7:
        TEST_NUM(7)
        li t0, 1 << CAUSE_ILLEGAL_INSTRUCTION
        csrw hedeleg, t0
        CLEAR_VF
        GUEST_VU
8883:   csrr a0, mscratch
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_VU_ECALL)
        CHECK_VF(VF_CAUSE, VS_ILLEGAL_VSCAUSE)
        CHECK_VF(VF_COUNT, 1)
        CHECK_VF_LABEL(VF_EPC, 8883b)
        la t3, vframe; ld t3, VF_STATUS(t3); andi t3, t3, SSTATUS_SPP; CHECK_EQ(t3, 0)
        csrwi hedeleg, 0
        /* without hedeleg the same exception goes to HS */
test_8:
        TEST_NUM(8)
        GUEST_VS
8884:   csrr a0, mscratch
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_ILLEGAL_INSTRUCTION)
        CHECK_HF_INSN(8884b)
        CHECK_HF_LABEL(HF_EPC, 8884b)
        CHECK_HSTATUS_BITS(HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV | HSTATUS_SPVP)
        /* "For any other trap into HS-mode, GVA is set to 0" (priv 20211203
         * §8.2.1): stval holds the instruction, not an address. */
        CHECK_HSTATUS_BITS(HSTATUS_GVA, 0)

        /* ---- virtual-instruction exceptions (§8.6.1) ---- */
        TEST_VIRT(9, VS, csrr a0, hstatus)
        TEST_VIRT(10, VS, csrr a0, hgatp)
        TEST_VIRT(11, VS, csrr a0, vsstatus)
        TEST_VIRT(12, VS, csrw hvip, zero)
#ifdef ISA_QEMU
test_13:
        TEST_NUM(13)
        GUEST_VS
        hlv.w a0, (a1)
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_VIRTUAL)
#else
        TEST_VIRT(13, VS, hlv.w a0, (a1))
#endif
        TEST_VIRT(14, VS, hfence.vvma)
        TEST_VIRT(15, VS, hfence.gvma)
        TEST_GUEST_TRAP(16, VU, VU_SUP_CAUSE, csrr a0, sstatus)
        TEST_GUEST_TRAP(17, VU, VU_SUP_CAUSE, csrr a0, sscratch)
        TEST_VIRT(18, VU, wfi)
        TEST_GUEST_TRAP(19, VU, VU_SUP_CAUSE, sret)
        TEST_GUEST_TRAP(20, VU, VU_SUP_CAUSE, sfence.vma)
        /* mcounteren.CY = 1, hcounteren.CY = 0 */
        TEST_VIRT(21, VS, rdcycle a0)
        /* hstatus.VTVM: satp and SFENCE.VMA; VTSR: SRET; VTW: WFI */
        li t0, HSTATUS_VTVM
        csrs hstatus, t0
#ifndef ISA_QEMU
        TEST_VIRT(22, VS, csrr a0, satp)
#endif
        TEST_VIRT(23, VS, sfence.vma)
        li t0, HSTATUS_VTVM
        csrc hstatus, t0
        li t0, HSTATUS_VTSR
        csrs hstatus, t0
        TEST_VIRT(24, VS, sret)
        li t0, HSTATUS_VTSR
        csrc hstatus, t0
        li t0, HSTATUS_VTW
        csrs hstatus, t0
        TEST_VIRT(25, VS, wfi)
        li t0, HSTATUS_VTW
        csrc hstatus, t0
        /* without the traps the same instructions run in VS */
test_26:
        TEST_NUM(26)
        csrwi hcounteren, 1
        li a0, 0
        GUEST_VS
        csrr a0, satp                   /* vsatp = 0 */
        sfence.vma
        rdcycle a0
        li a0, 0x26
        GUEST_END
        CHECK_EQ(a0, 0x26)
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        csrwi hcounteren, 0

        /* ---- hvip injection taken in VS (hideleg), vectored vstvec ---- */
test_27:
        TEST_NUM(27)
        CLEAR_VF
        li t0, 1 << 2
        csrw hideleg, t0
        csrw hie, t0
        li t0, SSTATUS_SIE
        csrw vsstatus, t0
        li t0, 1 << 2
        csrw hvip, t0                   /* VSSIP */
        GUEST_VS
8885:   nop
        nop
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        CHECK_VF(VF_CAUSE, INT | IRQ_S_SOFT)
        CHECK_VF(VF_VEC, IRQ_S_SOFT)
        CHECK_VF(VF_COUNT, 1)
        CHECK_VF_LABEL(VF_EPC, 8885b)
        csrr a1, hvip                   /* the guest cleared it through sip */
        CHECK_EQ(a1, 0)
        /* VSTIP and VSEIP become S timer (5) and S external (9) interrupts */
test_28:
        TEST_NUM(28)
        CLEAR_VF
        li t0, (1 << 6) | (1 << 10)
        csrw hideleg, t0
        csrw hie, t0
        li t0, SSTATUS_SIE
        csrw vsstatus, t0
        li t0, 1 << 6
        csrw hvip, t0                   /* VSTIP */
        GUEST_VS
        nop
        GUEST_END
        CHECK_VF(VF_CAUSE, INT | IRQ_S_TIMER)
        CHECK_VF(VF_VEC, IRQ_S_TIMER)
        CHECK_VF(VF_COUNT, 1)
test_29:
        TEST_NUM(29)
        CLEAR_VF
        li t0, SSTATUS_SIE
        csrw vsstatus, t0
        li t0, (1 << 6) | (1 << 10)
        csrw hie, t0
        li t0, 1 << 10
        csrw hvip, t0                   /* VSEIP */
        GUEST_VS
        nop
        GUEST_END
        CHECK_VF(VF_CAUSE, INT | IRQ_S_EXT)
        CHECK_VF(VF_VEC, IRQ_S_EXT)
        CHECK_VF(VF_COUNT, 1)
        csrwi hvip, 0
        /* with vsstatus.SIE = 0 the VS interrupt waits in VS ... */
test_30:
        TEST_NUM(30)
        CLEAR_VF
        csrwi vsstatus, 0
        li t0, 1 << 2
        csrw hideleg, t0
        csrw hie, t0
        csrw hvip, t0
        GUEST_VS
        nop
        GUEST_END
        CHECK_VF(VF_COUNT, 0)
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        /* ... but not in VU */
        GUEST_VU
8886:   nop
        GUEST_END
        CHECK_VF(VF_COUNT, 1)
        CHECK_VF(VF_CAUSE, INT | IRQ_S_SOFT)
        CHECK_VF_LABEL(VF_EPC, 8886b)
        csrwi hvip, 0
        /* without hideleg, VSSIP is an HS interrupt (cause 2), taken from V=1 */
test_31:
        TEST_NUM(31)
        CLEAR_VF
        csrwi hideleg, 0
        li t0, 1 << 2
        csrw hie, t0
        csrw hvip, t0
        GUEST_VS
8887:   nop
        GUEST_END
        CHECK_HF(HF_CAUSE, INT | 2)
        CHECK_HF_LABEL(HF_EPC, 8887b)
        CHECK_HSTATUS_BITS(HSTATUS_GVA | HSTATUS_SPV, HSTATUS_SPV)
        CHECK_VF(VF_COUNT, 0)
        csrwi hvip, 0
        csrwi hie, 0

        /* ---- guest-page faults: stval = GVA, htval = GPA >> 2, GVA = 1 ---- */
test_32:
        TEST_NUM(32)
        GUEST_VS
        li a1, GPA_HOLE + 0x18
8888:   ld a0, 0(a1)
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_LOAD_GPF)
        CHECK_HF(HF_TVAL, GPA_HOLE + 0x18)
        CHECK_HF(HF_HTVAL, (GPA_HOLE + 0x18) >> 2)
        CHECK_HF_LABEL(HF_EPC, 8888b)
        CHECK_HSTATUS_BITS(HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP)
#ifndef ISA_QEMU
        CHECK_HF(HF_HTINST, 0x00003501)         /* c.ld: ld a0, 0(x0), bit 1 clear */
#endif
test_33:
        TEST_NUM(33)
        GUEST_VU
        li a1, GPA_HOLE + 0x20
        sw a1, 4(a1)
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_STORE_GPF)
        CHECK_HF(HF_TVAL, GPA_HOLE + 0x24)
        CHECK_HF(HF_HTVAL, (GPA_HOLE + 0x24) >> 2)
        CHECK_HSTATUS_BITS(HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_GVA | HSTATUS_SPV)
#ifndef ISA_QEMU
        CHECK_HF(HF_HTINST, 0x00b02021)         /* c.sw: sw a1, 0(x0), bit 1 clear */
#endif
test_34:
        TEST_NUM(34)
        GUEST_VS
        li a1, GPA_HOLE + 0x40
        jr a1
        GUEST_END
        CHECK_HF(HF_CAUSE, CAUSE_FETCH_GPF)
        CHECK_HF(HF_TVAL, GPA_HOLE + 0x40)
        CHECK_HF(HF_EPC, GPA_HOLE + 0x40)
        CHECK_HF(HF_HTVAL, (GPA_HOLE + 0x40) >> 2)
        CHECK_HF(HF_HTINST, 0)

        /* ---- HFENCE.GVMA after a G-stage change ---- */
test_35:
        TEST_NUM(35)
        GUEST_VS
        li a1, GPA_WIN
        ld a0, 0(a1)
        GUEST_END
        CHECK_EQ(a0, 0xaaaaaaaa55555555)
        PT_SET(g_l0, 0, pg_b, G_LEAF | PTE_R | PTE_W | PTE_D)
        hfence.gvma zero, zero
        GUEST_VS
        li a1, GPA_WIN
        ld a0, 0(a1)
        GUEST_END
        CHECK_EQ(a0, 0xbbbbbbbb66666666)
        PT_SET(g_l0, 0, pg_a, G_LEAF | PTE_R | PTE_W | PTE_D)
        hfence.gvma zero, zero

        /* ---- HFENCE.VVMA after a VS-stage change ---- */
test_36:
        TEST_NUM(36)
        la t0, vs_root; srli t0, t0, 12; li t1, MODE_SV39; or t0, t0, t1
        csrw vsatp, t0
        hfence.vvma zero, zero
        GUEST_VS
        li a1, GVA_WIN + 8
        sd a1, 0(a1)
        ld a0, -8(a1)
        GUEST_END
        CHECK_EQ(a0, 0xaaaaaaaa55555555)
        la a2, pg_a
        ld a2, 8(a2)
        CHECK_EQ(a2, GVA_WIN + 8)
        PT_SET(vs_l0, 0, pg_b, VS_RW)
        hfence.vvma zero, zero
        GUEST_VS
        li a1, GVA_WIN
        ld a0, 0(a1)
        GUEST_END
        CHECK_EQ(a0, 0xbbbbbbbb66666666)
        csrwi vsatp, 0
        hfence.vvma zero, zero

        /* ---- SRET in VS returns through vsstatus/vsepc ---- */
test_37:
        TEST_NUM(37)
        GUEST_VS
        la t0, 8889f
        csrw sepc, t0                   /* vsepc */
        li t0, SSTATUS_SPP | SSTATUS_SIE
        csrc sstatus, t0
        li t0, SSTATUS_SPIE
        csrs sstatus, t0
        sret                            /* -> VU at 8889 */
        GUEST_END
        j 8890f
8889:   ecall                           /* from VU: cause 8 */
        j test_fail
8890:
        CHECK_HF(HF_CAUSE, CAUSE_VU_ECALL)
        CHECK_HF_LABEL(HF_EPC, 8889b)
        CHECK_HSTATUS_BITS(HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV)
        csrr a1, vsstatus
        andi a1, a1, SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SPIE
        CHECK_EQ(a1, SSTATUS_SIE | SSTATUS_SPIE)
        csrr a1, vsepc
        la a2, 8889b
        CHECK_REG_EQ(a1, a2)
        csrr a1, sstatus                /* HS sstatus: the trap from VU */
        andi a1, a1, SSTATUS_SPP
        CHECK_EQ(a1, 0)

        /* ---- MRET with MPV = 1 enters V = 1 ---- */
        GOTO_M
test_38:
        TEST_NUM(38)
        li t0, 0x4d50
        csrw vsscratch, t0
        la t0, hframe; la t1, 8891f; sd t1, HF_RESUME(t0)
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, MSTATUS_MPP_S | MSTATUS_MPV
        csrs mstatus, t0
        la t0, 8892f
        csrw mepc, t0
        li a0, 0
        mret
8892:   csrr a0, sscratch               /* vsscratch */
        ecall                           /* VS ecall -> HS */
        j test_fail
8891:
        CHECK_EQ(a0, 0x4d50)
        CHECK_HF(HF_CAUSE, CAUSE_VS_ECALL)
        CHECK_HSTATUS_BITS(HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV | HSTATUS_SPVP)
        GOTO_M
        csrr a1, mstatus
        li t0, MSTATUS_MPV
        and a1, a1, t0
        CHECK_EQ(a1, 0)
TEST_END

/* ---- the hypervisor's trap handler (HS-mode, stvec) ---- */
        .text
        .balign 4
hs_handler:
        csrw sscratch, t0
        la t0, hframe
        csrr t1, scause;  sd t1, HF_CAUSE(t0)
        csrr t1, stval;   sd t1, HF_TVAL(t0)
        csrr t1, sepc;    sd t1, HF_EPC(t0)
        csrr t1, htval;   sd t1, HF_HTVAL(t0)
        csrr t1, htinst;  sd t1, HF_HTINST(t0)
        csrr t1, hstatus; sd t1, HF_HSTATUS(t0)
        ld t1, HF_COUNT(t0); addi t1, t1, 1; sd t1, HF_COUNT(t0)
        ld t1, HF_RESUME(t0)
        beqz t1, hs_unexpected
        sd zero, HF_RESUME(t0)
        csrr t0, sscratch
        jr t1                           /* continue in HS */
hs_unexpected:
        FAIL_NOW

/* ---- the guest's trap vector (VS-mode, vstvec, vectored) ---- */
        .balign 64
        .option push
        .option norvc                   /* 4-byte entries */
vs_vec:
        j vs_v0                         /* exceptions */
        j vs_v1                         /* 1: supervisor software */
        j vs_bad
        j vs_bad
        j vs_bad
        j vs_v5                         /* 5: supervisor timer */
        j vs_bad
        j vs_bad
        j vs_bad
        j vs_v9                         /* 9: supervisor external */
        j vs_bad
        j vs_bad
        .option pop
vs_bad:
        FAIL_NOW
#define VS_STUB(n)                                                      \
vs_v##n:                                                                \
        csrw sscratch, t0;                                              \
        la t0, vframe;                                                  \
        sd t1, VF_T1(t0);                                               \
        li t1, n;                                                       \
        sd t1, VF_VEC(t0);                                              \
        j vs_common
        VS_STUB(0)
        VS_STUB(1)
        VS_STUB(5)
        VS_STUB(9)
vs_common:
        csrr t1, scause;  sd t1, VF_CAUSE(t0)
        csrr t1, stval;   sd t1, VF_TVAL(t0)
        csrr t1, sepc;    sd t1, VF_EPC(t0)
        csrr t1, sstatus; sd t1, VF_STATUS(t0)
        ld t1, VF_COUNT(t0); addi t1, t1, 1; sd t1, VF_COUNT(t0)
        csrr t1, scause
        bltz t1, 1f
        csrr t1, sepc                   /* exception: skip the 4-byte instruction */
        addi t1, t1, 4
        csrw sepc, t1
        j 2f
1:      li t1, 2                        /* interrupt: clear vsip.SSIP, disable them all */
        csrc sip, t1
        li t1, 0x222
        csrc sie, t1
2:      ld t1, VF_T1(t0)
        csrr t0, sscratch
        sret

        .data
        .balign 64
hframe: .skip 128
vframe: .skip 128

        .bss
        .balign 16384
g_root:  .skip 16384
g_l1:    .skip 4096
g_l0:    .skip 4096
vs_root: .skip 4096
vs_l1:   .skip 4096
vs_l0:   .skip 4096
pg_a:    .skip 4096
pg_b:    .skip 4096
