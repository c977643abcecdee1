/* Unit tests for the ISA-neutral virtualization seam (src/vmm/) on a RISC-V
 * hart: cpu_ops.guest_id (hgatp.VMID while V=1, priv 1.12 §8.2.18; -1 with
 * V=0), the breakpoint guest filter that uses it, the vm.exit/vm.entry
 * events vmm_trace_exit/vmm_trace_entry emit, and the exit classes
 * (enum vmm_exit_class) of the RISC-V causes (priv 1.12 §3.1.15, §8.6.1);
 * and the gdb stub's other seam: its target comes from arch_info.gdb. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/arch.h"
#include "gdbstub/gdbstub.h"
#include "trace_capture.h"
#include "rv_fixture_h.h"
#include "sim/arch.h"
#include "trace/event.h"
#include "trace/trace.h"
#include "vmm/vmm.h"

Suite *vmm_suite(void);

#define INT_BIT (1ull << 63)
#define NOP 0x00000013u /* addi x0, x0, 0 */

static void set_vmid(struct rvh_env *e, uint64_t vmid)
{
    rvh_csrw(e->h, RVH_HGATP, RVH_SV39 | (vmid << 44) | (e->groot >> 12));
    ck_assert_uint_eq((rvh_csrr(e->h, RVH_HGATP) >> 44) & 0x3fff, vmid);
}

/* V=0: no guest, whatever hgatp holds; V=1: hgatp.VMID, also VMID 0. */
START_TEST(test_guest_id_riscv)
{
    struct rvh_env e = rvh_env_new(RVH_SV39);
    struct cpu *c = &e.h->cpu;
    ck_assert_ptr_nonnull(c->ops->guest_id);
    set_vmid(&e, 5);
    e.h->virt = false;
    rv_set_priv(e.h, PRV_S);
    ck_assert_int_eq(c->ops->guest_id(c), -1);
    ck_assert_int_eq(vmm_guest_id(c), -1);
    e.h->virt = true;
    ck_assert_int_eq(c->ops->guest_id(c), 5);
    ck_assert_int_eq(vmm_guest_id(c), 5);
    rv_set_priv(e.h, PRV_U); /* VU: still guest 5 */
    ck_assert_int_eq(vmm_guest_id(c), 5);
    set_vmid(&e, 0);
    ck_assert_int_eq(vmm_guest_id(c), 0);
    set_vmid(&e, 0x3fff); /* the widest VMID (VMIDLEN 14 in RV64) */
    ck_assert_int_eq(vmm_guest_id(c), 0x3fff);
    e.h->virt = false;
    rv_set_priv(e.h, PRV_M);
    ck_assert_int_eq(vmm_guest_id(c), -1);
    rvh_env_free(&e);
}
END_TEST

/* A CPU model without the op runs no guests. */
START_TEST(test_guest_id_absent)
{
    struct cpu_ops ops = { .arch = CPU_ARCH_RISCV64 };
    struct cpu c = { .ops = &ops };
    ck_assert_int_eq(vmm_guest_id(&c), -1);
}
END_TEST

/* Runs one instruction at RVF_CODE in VS mode; returns what retired. */
static uint64_t run_vs(struct rvh_env *e)
{
    e->h->pc = RVF_CODE;
    e->h->cpu.state = CPU_RUNNING;
    e->h->virt = true;
    rv_set_priv(e->h, PRV_S);
    return rvf_run(e->m, 0, 1);
}

/* The breakpoint guest filter (cpu.bp_guest) compares the guest id: a
 * breakpoint for guest 5 does not fire in guest 7 nor in HS mode. */
START_TEST(test_bp_guest_filter)
{
    struct rvh_env e = rvh_env_new(RVH_SV39);
    struct cpu *c = &e.h->cpu;
    rvf_w32(e.m, RVF_CODE, NOP);
    static const uint64_t bp[1] = { RVF_CODE };
    c->bps = bp;
    c->nbps = 1;
    c->bp_guest = 5;

    set_vmid(&e, 7);
    c->bp_hit = false;
    ck_assert_uint_eq(run_vs(&e), 1);
    ck_assert(!c->bp_hit);

    e.h->pc = RVF_CODE;
    e.h->virt = false;
    rv_set_priv(e.h, PRV_S);
    c->bp_hit = false;
    ck_assert_uint_eq(rvf_run(e.m, 0, 1), 1);
    ck_assert(!c->bp_hit);

    set_vmid(&e, 5);
    c->bp_hit = false;
    ck_assert_uint_eq(run_vs(&e), 0);
    ck_assert(c->bp_hit);
    ck_assert_uint_eq(e.h->pc, RVF_CODE);

    c->bp_guest = -1; /* any mode */
    e.h->virt = false;
    c->bp_hit = false;
    ck_assert_uint_eq(rvf_run(e.m, 0, 1), 0);
    ck_assert(c->bp_hit);
    c->bps = NULL;
    c->nbps = 0;
    rvh_env_free(&e);
}
END_TEST

/* An ecall from VS into HS: vm.exit with the guest id of the guest that
 * exited, classified as a hypercall; sret back: vm.entry with the id. */
START_TEST(test_trace_hypercall_exit)
{
    struct rvh_env e = rvh_env_new(RVH_SV39);
    struct rv_hart *h = e.h;
    struct ev_log log;
    ev_log_attach(&log, e.m, (1ull << TK_VM_EXIT) | (1ull << TK_VM_ENTRY));
    set_vmid(&e, 5);
    rvh_csrw(h, RVF_MEDELEG, 1ull << EXC_ECALL_VS);

    RVH_ASSERT_TRAP(rvh_step(&e, true, PRV_S, RVF_ECALL), RVH_TO_HS, EXC_ECALL_VS);
    ck_assert_int_eq(log.n, 1);
    ck_assert_uint_eq(log.ev[0].kind, TK_VM_EXIT);
    ck_assert_uint_eq(log.ev[0].a[0], EXC_ECALL_VS);
    ck_assert_uint_eq(log.ev[0].a[1], RVF_CODE);
    ck_assert_uint_eq(log.ev[0].a[5], 5);
    ck_assert_uint_eq(vmm_exit_class(arch_by_id(CPU_ARCH_RISCV64), log.ev[0].a[0]),
                      VMM_EXIT_HYPERCALL);
    ck_assert_int_eq(vmm_guest_id(&h->cpu), -1); /* now in HS */

    uint64_t s = rvh_csrr(h, RVH_HSTATUS) | (1ull << 7); /* hstatus.SPV */
    rvh_csrw(h, RVH_HSTATUS, s);
    rvh_csrw(h, RVF_SEPC, RVF_CODE + 4);
    RVH_ASSERT_NO_TRAP(rvh_step(&e, false, PRV_S, RVF_SRET));
    ck_assert(h->virt);
    ck_assert_int_eq(log.n, 2);
    ck_assert_uint_eq(log.ev[1].kind, TK_VM_ENTRY);
    ck_assert_uint_eq(log.ev[1].a[0], RVF_CODE + 4);
    ck_assert_uint_eq(log.ev[1].a[1], 5);

    /* not recorded: nothing emitted */
    e.m->trace_mask = 0;
    RVH_ASSERT_TRAP(rvh_step(&e, true, PRV_S, RVF_ECALL), RVH_TO_HS, EXC_ECALL_VS);
    ck_assert_int_eq(log.n, 2);
    e.m->trace = NULL;
    rvh_env_free(&e);
}
END_TEST

/* The RISC-V vm.exit reasons (mcause values) and their classes. */
START_TEST(test_riscv_exit_classes)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_RISCV64);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(a->vm_exit_class);
    static const struct { uint64_t reason; unsigned cls; } want[] = {
        { EXC_ECALL_VS, VMM_EXIT_HYPERCALL },
        { EXC_INSN_GUEST_PAGE_FAULT, VMM_EXIT_GUEST_PAGE_FAULT },
        { EXC_LOAD_GUEST_PAGE_FAULT, VMM_EXIT_GUEST_PAGE_FAULT },
        { EXC_STORE_GUEST_PAGE_FAULT, VMM_EXIT_GUEST_PAGE_FAULT },
        { EXC_VIRTUAL_INSN, VMM_EXIT_INSTRUCTION },
        { EXC_ILLEGAL_INSN, VMM_EXIT_EXCEPTION },
        { EXC_BREAKPOINT, VMM_EXIT_EXCEPTION },
        { EXC_ECALL_U, VMM_EXIT_EXCEPTION },      /* VU's ecall, not in hedeleg */
        { EXC_LOAD_PAGE_FAULT, VMM_EXIT_EXCEPTION }, /* VS-stage fault, not in hedeleg */
        { EXC_STORE_ACCESS, VMM_EXIT_EXCEPTION },
        { EXC_ECALL_S, VMM_EXIT_OTHER },          /* cannot come from V=1 */
        { EXC_ECALL_M, VMM_EXIT_OTHER },
        { 24, VMM_EXIT_OTHER },                   /* custom / reserved */
        { INT_BIT | IRQ_VSEI, VMM_EXIT_EXTERNAL_IRQ },
        { INT_BIT | IRQ_SGEI, VMM_EXIT_EXTERNAL_IRQ },
        { INT_BIT | IRQ_SEI, VMM_EXIT_EXTERNAL_IRQ },
        { INT_BIT | IRQ_MEI, VMM_EXIT_EXTERNAL_IRQ },
        { INT_BIT | IRQ_VSTI, VMM_EXIT_TIMER },
        { INT_BIT | IRQ_STI, VMM_EXIT_TIMER },
        { INT_BIT | IRQ_MTI, VMM_EXIT_TIMER },
        { INT_BIT | IRQ_VSSI, VMM_EXIT_IPI },
        { INT_BIT | IRQ_SSI, VMM_EXIT_IPI },
        { INT_BIT | IRQ_MSI, VMM_EXIT_IPI },
        { INT_BIT | 13, VMM_EXIT_OTHER },         /* LCOFI and up */
        { INT_BIT | EXC_ECALL_VS, VMM_EXIT_EXTERNAL_IRQ }, /* 10 as an interrupt is VSEI */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_msg(a->vm_exit_class(want[i].reason) == want[i].cls,
                      "reason %#llx: class %u, want %u", (unsigned long long)want[i].reason,
                      a->vm_exit_class(want[i].reason), want[i].cls);
        ck_assert_uint_eq(vmm_exit_class(a, want[i].reason), want[i].cls);
    }
}
END_TEST

/* Names: one per class, distinct, found back by name; no classifier means
 * "other". */
START_TEST(test_exit_class_names)
{
    for (unsigned i = 0; i < VMM_EXIT_CLASS_COUNT; i++) {
        const char *n = vmm_exit_class_name(i);
        ck_assert_ptr_nonnull(n);
        ck_assert_int_eq(vmm_exit_class_by_name(n), (int)i);
        for (unsigned k = 0; k < i; k++)
            ck_assert_str_ne(n, vmm_exit_class_name(k));
    }
    ck_assert_ptr_null(vmm_exit_class_name(VMM_EXIT_CLASS_COUNT));
    ck_assert_str_eq(vmm_exit_class_name(VMM_EXIT_HYPERCALL), "hypercall");
    ck_assert_str_eq(vmm_exit_class_name(VMM_EXIT_GUEST_PAGE_FAULT), "guest-page-fault");
    ck_assert_int_eq(vmm_exit_class_by_name("nonsense"), -1);
    ck_assert_int_eq(vmm_exit_class_by_name(NULL), -1);
    ck_assert_uint_eq(vmm_exit_class(NULL, EXC_ECALL_VS), VMM_EXIT_OTHER);
    struct arch_info none = { .id = 99, .name = "none" };
    ck_assert_uint_eq(vmm_exit_class(&none, EXC_ECALL_VS), VMM_EXIT_OTHER);
}
END_TEST

/* The gdb stub takes its target from the architecture registry
 * (arch_info.gdb): RISC-V has one; an architecture without one (or not in
 * the registry) is refused before any socket is opened, by name. */
START_TEST(test_gdb_arch_from_registry)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_RISCV64);
    ck_assert_ptr_nonnull(a->gdb);
    ck_assert_ptr_nonnull(a->gdb->reg_read);

    struct cpu_ops ops = { .arch = CPU_ARCH_X86_64 };
    struct cpu c = { .ops = &ops };
    struct machine *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    m->ncpus = 1;
    m->cpus[0] = &c;
    char err[128] = "";
    const struct arch_info *x = arch_by_id(CPU_ARCH_X86_64);
    if (!x || !x->gdb) { /* with gdb support (later) it would open a socket */
        ck_assert_ptr_null(gdbstub_new(m, 1, false, err, sizeof err));
        if (x)
            ck_assert_msg(strstr(err, x->name), "%s", err);
        else
            ck_assert_msg(strstr(err, "no gdb support for CPU architecture 2"), "%s", err);
    }
    free(m);
}
END_TEST

Suite *vmm_suite(void)
{
    Suite *s = suite_create("vmm");
    TCase *tc = tcase_create("guest_id");
    tcase_add_test(tc, test_guest_id_riscv);
    tcase_add_test(tc, test_guest_id_absent);
    tcase_add_test(tc, test_bp_guest_filter);
    tcase_add_test(tc, test_trace_hypercall_exit);
    suite_add_tcase(s, tc);
    tc = tcase_create("exit_class");
    tcase_add_test(tc, test_riscv_exit_classes);
    tcase_add_test(tc, test_exit_class_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("gdb_arch");
    tcase_add_test(tc, test_gdb_arch_from_registry);
    suite_add_tcase(s, tc);
    return s;
}
