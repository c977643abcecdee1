/* Unit tests for `monitor break-on vmexit NAME` (src/gdbstub/exit_names.c):
 * VM-exit reasons found by the names the trace tools print
 * (arch_info.vm_exit_name), in any case, on x86 (SDM vol. 3C Appendix C
 * basic exit reasons) and RISC-V (mcause, priv 1.12 §3.1.15); exit classes
 * by name; the list an unknown name is answered with. */
#include <check.h>
#include <string.h>

#include "gdbstub/exit_names.h"
#include "sim/arch.h"
#include "sim/cpu.h"
#include "vmm/vmm.h"

Suite *gdb_exit_names_suite(void);

START_TEST(test_x86_reason_names)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_X86_64);
    ck_assert_ptr_nonnull(a);
    static const struct { const char *name; uint64_t reason; } want[] = {
        { "EXCEPTION_NMI", 0 }, { "EXTERNAL_INTERRUPT", 1 }, { "external_interrupt", 1 },
        { "HLT", 12 },          { "IO", 30 },                { "io", 30 },
        { "WRMSR", 32 },        { "EPT_VIOLATION", 48 },     { "Ept_Violation", 48 },
        { "EPT_MISCONFIG", 49 }, { "VMFUNC", 59 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint64_t r = ~0ull;
        ck_assert_msg(gdb_exit_reason_by_name(a, want[i].name, &r), "%s not found", want[i].name);
        ck_assert_msg(r == want[i].reason, "%s: %#llx, want %#llx", want[i].name,
                      (unsigned long long)r, (unsigned long long)want[i].reason);
    }
    uint64_t r = 7;
    ck_assert(!gdb_exit_reason_by_name(a, "IO_INSTRUCTION", &r)); /* not the tools' name */
    ck_assert(!gdb_exit_reason_by_name(a, "EPT", &r));            /* no prefixes */
    ck_assert(!gdb_exit_reason_by_name(a, "", &r));
    ck_assert(!gdb_exit_reason_by_name(a, NULL, &r));
    ck_assert(!gdb_exit_reason_by_name(a, "ecall-VS", &r));       /* RISC-V's */
    ck_assert_uint_eq(r, 7);                                       /* untouched */
}
END_TEST

START_TEST(test_riscv_reason_names)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_RISCV64);
    ck_assert_ptr_nonnull(a);
    static const struct { const char *name; uint64_t reason; } want[] = {
        { "ecall-VS", 10 },  { "ECALL-vs", 10 },   { "store-guest-page-fault", 23 },
        { "virtual-insn", 22 }, { "insn-misaligned", 0 },
        { "VSEI", 1ull << 63 | 10 }, { "vsti", 1ull << 63 | 6 }, { "SSI", 1ull << 63 | 1 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint64_t r = ~0ull;
        ck_assert_msg(gdb_exit_reason_by_name(a, want[i].name, &r), "%s not found", want[i].name);
        ck_assert_msg(r == want[i].reason, "%s: %#llx, want %#llx", want[i].name,
                      (unsigned long long)r, (unsigned long long)want[i].reason);
    }
    uint64_t r;
    ck_assert(!gdb_exit_reason_by_name(a, "EPT_VIOLATION", &r));
    ck_assert(!gdb_exit_reason_by_name(NULL, "ecall-VS", &r));
}
END_TEST

START_TEST(test_class_names)
{
    ck_assert_int_eq(gdb_exit_class_by_name("hypercall"), VMM_EXIT_HYPERCALL);
    ck_assert_int_eq(gdb_exit_class_by_name("Guest-Page-Fault"), VMM_EXIT_GUEST_PAGE_FAULT);
    ck_assert_int_eq(gdb_exit_class_by_name("PORT-IO"), VMM_EXIT_PORT_IO);
    ck_assert_int_eq(gdb_exit_class_by_name("nonsense"), -1);
    ck_assert_int_eq(gdb_exit_class_by_name(NULL), -1);
    /* no reason name of either architecture is also a class name */
    const struct arch_info *as[] = { arch_by_id(CPU_ARCH_X86_64), arch_by_id(CPU_ARCH_RISCV64) };
    for (unsigned c = 0; c < VMM_EXIT_CLASS_COUNT; c++)
        for (size_t i = 0; i < 2; i++) {
            uint64_t r;
            ck_assert_msg(!gdb_exit_reason_by_name(as[i], vmm_exit_class_name(c), &r),
                          "class %s is a reason name of %s", vmm_exit_class_name(c), as[i]->name);
        }
}
END_TEST

/* the list: every class, every reason name, lines of at most 78 columns,
 * the whole x86 list fits the monitor's 4 KiB answer */
START_TEST(test_name_list)
{
    char buf[4096];
    const struct arch_info *a = arch_by_id(CPU_ARCH_X86_64);
    size_t n = gdb_exit_names(a, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_uint_lt(n, 1500);
    ck_assert(strncmp(buf, "classes: other hypercall guest-page-fault", 41) == 0);
    ck_assert_ptr_nonnull(strstr(buf, "\nreasons: EXCEPTION_NMI EXTERNAL_INTERRUPT "));
    ck_assert_ptr_nonnull(strstr(buf, " EPT_VIOLATION "));
    ck_assert_ptr_nonnull(strstr(buf, " VMFUNC\n"));
    ck_assert(buf[n - 1] == '\n');
    for (const char *l = buf, *e; *l; l = e + 1) {
        e = strchr(l, '\n');
        ck_assert_ptr_nonnull(e);
        if (strncmp(l, "classes:", 8) != 0)
            ck_assert_msg(e - l <= 78, "line of %d columns", (int)(e - l));
    }
    n = gdb_exit_names(arch_by_id(CPU_ARCH_RISCV64), buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, " ecall-VS "));
    ck_assert_ptr_nonnull(strstr(buf, " VSEI "));
    /* truncated: NUL-terminated within the buffer */
    char small[40];
    n = gdb_exit_names(a, small, sizeof small);
    ck_assert_uint_eq(n, strlen(small));
    ck_assert_uint_lt(n, sizeof small);
    ck_assert_uint_eq(gdb_exit_names(a, small, 0), 0);
}
END_TEST

Suite *gdb_exit_names_suite(void)
{
    Suite *s = suite_create("gdb_exit_names");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, test_x86_reason_names);
    tcase_add_test(tc, test_riscv_reason_names);
    tcase_add_test(tc, test_class_names);
    tcase_add_test(tc, test_name_list);
    suite_add_tcase(s, tc);
    return s;
}
