/* Unit-test runner: every tests/unit/test_*.c defines NAME_suite(). */
#include <check.h>
#include <stdlib.h>

/* One suite per line, so that branches adding suites merge cleanly. */
#define SUITES(X) \
    X(fpu) \
    X(aclint) \
    X(plic) \
    X(uart) \
    X(config) \
    X(fdt) \
    X(elf) \
    X(decode) \
    X(csr) \
    X(pmu) \
    X(mmu) \
    X(pmp) \
    X(sched) \
    X(trace_codec) \
    X(trace_optargs) \
    X(disasm) \
    X(disasm_vec) \
    X(hext) \
    X(rsp) \
    X(board) \
    X(vmm) \
    X(arch) \
    X(pcdev) \
    X(x86_decode) \
    X(x86) \
    X(x86_simd) \
    X(x86_fpu) \
    X(x86_xsave) \
    X(x86_mwait) \
    X(multiboot) \
    X(x86_tools) \
    X(rv_jit) \
    X(rv_gdb) \
    X(rv_aia) \
    X(lapic) \
    X(linux_x86) \
    X(pc_tables) \
    X(x86_timeline) \
    X(ept) \
    X(virtio) \
    X(vmx) \
    X(sdtrig) \
    X(x86_tlb) \
    X(vga) \
    X(gdb_exit_names) \
    X(x86_jit) \
    X(x86_rep) \
    X(vbe_dispi) \
    X(rv_vec) \
    X(rv_vfp)

/* Every listed suite must exist: a missing one is a link error, never a
 * silently skipped suite. */
#define DECL(n) Suite *n##_suite(void);
SUITES(DECL)

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define ADD(n) srunner_add_suite(sr, n##_suite());
    SUITES(ADD)
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
