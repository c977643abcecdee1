/* Unit tests for the architecture registry (src/sim/arch.h) and the trace
 * tools' use of it: RISC-V's entry agrees with its hart model, and an
 * invented architecture ("toy": its own state, cause, privilege, VM-exit
 * and call names, its own instruction encoding and interrupt lines) is
 * named by the check-record diff, `trace show` and `trace stats` — which
 * would fail if a tool still named RISC-V things itself. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_fixture.h"
#include "sim/arch.h"
#include "cpu/riscv/isa.h"
#include "cpu/riscv/vector.h"
#include "trace/tools.h"
#include "trace/trace.h"

Suite *arch_suite(void);

/* ---- RISC-V's entry ---------------------------------------------------- */

START_TEST(riscv_registered)
{
    const struct arch_info *a = arch_by_name("riscv64");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_eq(arch_by_id(CPU_ARCH_RISCV64), a);
    ck_assert_uint_eq(a->id, CPU_ARCH_RISCV64);
    ck_assert_ptr_null(arch_by_name("toy"));
    ck_assert_ptr_null(arch_by_name(NULL));
    ck_assert_ptr_null(arch_by_id(0));
}
END_TEST

/* The hart's arch_state returns exactly nstate values, every one named. */
START_TEST(riscv_state_matches_nstate)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_RISCV64);
    ck_assert_uint_gt(a->nstate, 0);
    ck_assert_uint_le(a->nstate, ARCH_MAX_STATE);
    struct machine *m = rvf_machine_new(1);
    struct cpu *c = m->cpus[0];
    ck_assert_uint_eq(c->ops->arch, CPU_ARCH_RISCV64);
    uint64_t vals[ARCH_MAX_STATE];
    ck_assert_uint_eq(c->ops->arch_state(c, vals, ARCH_MAX_STATE), a->nstate);
    for (unsigned i = 0; i < a->nstate; i++) {
        ck_assert_msg(a->state_name(i) != NULL, "state value %u has no name", i);
        for (unsigned j = 0; j < i; j++)
            ck_assert_msg(strcmp(a->state_name(i), a->state_name(j)) != 0,
                          "state values %u and %u are both %s", j, i, a->state_name(i));
    }
    ck_assert_str_eq(a->state_name(0), "pc");
    ck_assert_uint_eq(vals[0], rvf_hart(m, 0)->pc);
    rvf_machine_free(m);
}
END_TEST

/* A hart with V reports nstate_max values: the others, then vl, vtype,
 * vstart, vcsr and a hash per vector register (docs/riscv.md "Vector"),
 * all named; one changed vector byte changes that register's value only. */
START_TEST(riscv_state_with_v)
{
    const struct arch_info *a = arch_by_id(CPU_ARCH_RISCV64);
    ck_assert_uint_eq(a->nstate_max, a->nstate + 36);
    ck_assert_uint_le(a->nstate_max, ARCH_MAX_STATE);
    for (unsigned i = a->nstate; i < a->nstate_max; i++) {
        ck_assert_msg(a->state_name(i) != NULL, "state value %u has no name", i);
        for (unsigned j = 0; j < i; j++)
            ck_assert_msg(strcmp(a->state_name(i), a->state_name(j)) != 0,
                          "state values %u and %u are both %s", j, i, a->state_name(i));
    }
    ck_assert_ptr_null(a->state_name(a->nstate_max));
    ck_assert_str_eq(a->state_name(a->nstate), "vl");
    ck_assert_str_eq(a->state_name(a->nstate + 4 + 7), "v7");
    struct machine *m = rvf_machine_new(1);
    struct cpu *c = m->cpus[0];
    struct rv_hart *h = rvf_hart(m, 0);
    rv_hart_set_ext(c, RV_EXT_V);
    rv_vec_reset(h);
    uint64_t before[ARCH_MAX_STATE], after[ARCH_MAX_STATE];
    ck_assert_uint_eq(c->ops->arch_state(c, before, ARCH_MAX_STATE), a->nstate_max);
    ck_assert_uint_eq(before[a->nstate + 1], h->vec.vtype);
    h->vec.reg[7 * h->vec.vlenb + 3] ^= 1;
    ck_assert_uint_eq(c->ops->arch_state(c, after, ARCH_MAX_STATE), a->nstate_max);
    for (unsigned i = 0; i < a->nstate_max; i++)
        ck_assert_msg((before[i] != after[i]) == (i == a->nstate + 4 + 7), "value %u", i);
    rvf_machine_free(m);
}
END_TEST

/* insn_bytes: the instruction at pc, 2 or 4 bytes in memory order. */
START_TEST(riscv_insn_bytes)
{
    struct machine *m = rvf_machine_new(1);
    struct cpu *c = m->cpus[0];
    const uint32_t code[] = { rvf_addi(10, 10, 1), 0x00014501 /* c.li a0,0; c.nop */ };
    rvf_code(m, RVF_CODE, code, 2);
    rvf_pmp_allow_all(rvf_hart(m, 0));
    rvf_hart(m, 0)->pc = RVF_CODE;
    uint8_t b[8] = { 0 };
    ck_assert_uint_eq(c->ops->insn_bytes(c, b, sizeof b), 0); /* nothing fetched yet */
    ck_assert_uint_eq(rvf_run(m, 0, 2), 2); /* decodes both slots */
    rvf_hart(m, 0)->pc = RVF_CODE + 4;
    ck_assert_uint_eq(c->ops->insn_bytes(c, b, sizeof b), 2);
    ck_assert_uint_eq(b[0], 0x01);
    ck_assert_uint_eq(b[1], 0x45);
    rvf_hart(m, 0)->pc = RVF_CODE;
    ck_assert_uint_eq(c->ops->insn_bytes(c, b, sizeof b), 4);
    ck_assert_uint_eq(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24, rvf_addi(10, 10, 1));
    rvf_machine_free(m);
}
END_TEST

/* ---- a fake architecture ------------------------------------------------ */

#define TOY_ID 77
static const char *toy_state_name(unsigned i)
{
    static const char *const n[] = { "acc", "ip", "flags" };
    return i < 3 ? n[i] : NULL;
}
static const char *toy_cause_name(uint64_t cause)
{
    return cause == 5 ? "toy-trap" : cause == 0x102 ? "toy-doorbell" : NULL;
}
static const char *toy_priv_name(uint64_t p) { return p == 0 ? "user" : p == 1 ? "kernel" : NULL; }
static const char *toy_exit_name(uint64_t r) { return r == 9 ? "toy-exit" : NULL; }
static unsigned toy_insn_len(uint64_t bits) { (void)bits; return 1; }
static size_t toy_disasm(const uint8_t *b, size_t n, uint64_t pc, char *buf, size_t len)
{
    (void)pc;
    int k = n ? snprintf(buf, len, "toyop %u", b[0]) : 0;
    return k > 0 ? (size_t)k : 0;
}
/* every IPI mechanism rings line 2; interrupt causes are 0x100 + line */
static int toy_ipi_line(uint64_t mech) { return mech == IPI_MECH_MSWI ? 2 : -1; }
static int toy_cause_line(uint64_t cause) { return cause >= 0x100 && cause < 0x140 ? (int)(cause - 0x100) : -1; }
static const char *toy_call_name(uint64_t eid, uint64_t fid, const char **fn)
{
    *fn = eid == 1 && fid == 0 ? "hello" : NULL;
    return eid == 1 ? "TOYCALL" : NULL;
}
static const char *toy_timer_name(uint64_t t) { return t == 0 ? "toytimer" : NULL; }
static const char *toy_line_name(unsigned line) { return line == 2 ? "doorbell" : NULL; }

static const struct arch_info toy = {
    .id = TOY_ID,
    .name = "toy",
    .cpu_word = "core",
    .nstate = 3,
    .state_name = toy_state_name,
    .cause_name = toy_cause_name,
    .priv_name = toy_priv_name,
    .vm_exit_name = toy_exit_name,
    .max_insn_len = 1,
    .insn_len = toy_insn_len,
    .disasm = toy_disasm,
    .ipi_line = toy_ipi_line,
    .cause_line = toy_cause_line,
    .call_name = toy_call_name,
    .timer_name = toy_timer_name,
    .reset_priv = 1,
    .line_name = toy_line_name,
};

/* A check blob of one CPU (docs/trace-format.md "Check records"). */
static size_t blob1(uint8_t *p, unsigned arch, unsigned n, const uint64_t *vals)
{
    size_t k = 0;
    p[k++] = 1;              /* ncpus */
    p[k++] = 0;              /* id */
    p[k++] = (uint8_t)arch;  /* arch (< 128: one varint byte) */
    p[k++] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            p[k++] = (uint8_t)(vals[i] >> (8 * b));
    p[k++] = 0;              /* npages */
    return k;
}

START_TEST(check_diff_names_fake_register)
{
    uint8_t a[64], b[64];
    uint64_t va[3] = { 1, 2, 3 }, vb[3] = { 1, 2, 4 };
    size_t la = blob1(a, TOY_ID, 3, va), lb = blob1(b, TOY_ID, 3, vb);
    char out[256];
    ck_assert(trace_check_diff(&toy, a, la, b, lb, out, sizeof out));
    ck_assert_str_eq(out, "cpu 0 register flags: recorded 0x3, replayed 0x4");
    /* the registry does not know "toy": its values are numbered */
    ck_assert(trace_check_diff(NULL, a, la, b, lb, out, sizeof out));
    ck_assert_str_eq(out, "cpu 0 register #2: recorded 0x3, replayed 0x4");
    ck_assert(!trace_check_diff(&toy, a, la, a, la, out, sizeof out));
    /* a RISC-V CPU in a toy machine's record is still named by the registry */
    la = blob1(a, CPU_ARCH_RISCV64, 1, va);
    lb = blob1(b, CPU_ARCH_RISCV64, 1, vb + 2);
    ck_assert(trace_check_diff(&toy, a, la, b, lb, out, sizeof out));
    ck_assert_str_eq(out, "cpu 0 register pc: recorded 0x1, replayed 0x4");
}
END_TEST

static void show(const struct arch_info *a, const struct trace_event *ev, char *buf, size_t len)
{
    trace_show_format(a, NULL, true, ev, buf, len);
}

START_TEST(show_uses_fake_names)
{
    char buf[512];
    struct trace_event take = { .kind = TK_EXC_TAKE, .a = { 5, 0, 1, 0x1000, 0 } };
    show(&toy, &take, buf, sizeof buf);
    ck_assert_msg(strstr(buf, " cause=toy-trap user->kernel tval=0x0 pc=0x1000") != NULL, "%s", buf);
    /* RISC-V names cause 5 differently: the name is the architecture's */
    show(arch_by_name("riscv64"), &take, buf, sizeof buf);
    ck_assert_msg(strstr(buf, "toy-trap") == NULL && strstr(buf, "cause=load-access-fault"),
                  "%s", buf);
    show(NULL, &take, buf, sizeof buf);
    ck_assert_msg(strstr(buf, " cause=0x5 from=0 to=1") != NULL, "%s", buf);

    struct trace_event sleep = { .kind = TK_WFI_SLEEP, .a = { 0x2000, 0x2a } };
    show(&toy, &sleep, buf, sizeof buf);
    ck_assert_str_eq(buf, " pc=0x2000: toyop 42");

    struct trace_event exitev = { .kind = TK_VM_EXIT, .a = { 9, 0x3000, 0, 0, 0, 1 } };
    show(&toy, &exitev, buf, sizeof buf);
    ck_assert_msg(strstr(buf, " reason=toy-exit vmid=1") != NULL, "%s", buf);

    struct trace_event call = { .kind = TK_SBI_CALL, .a = { 1, 0, 0, 0, 0x4000, 1 } };
    show(&toy, &call, buf, sizeof buf);
    ck_assert_msg(strncmp(buf, " TOYCALL.hello a0=0x0 a1=0x0 from kernel", 40) == 0, "%s", buf);

    struct trace_event timer = { .kind = TK_TIMER_FIRE, .a = { 0, 7 } };
    show(&toy, &timer, buf, sizeof buf);
    ck_assert_str_eq(buf, " toytimer value=7");

    struct trace_event deliver = { .kind = TK_IPI_DELIVER, .a = { IPI_MECH_MSWI, 2, 0 } };
    show(&toy, &deliver, buf, sizeof buf);
    ck_assert_str_eq(buf, " MSWI line=doorbell src=0");

    struct trace_event wake = { .kind = TK_WFI_WAKE, .a = { 0x6 } };
    show(&toy, &wake, buf, sizeof buf);
    ck_assert_str_eq(buf, " pending=0x6 {1,doorbell}");
}
END_TEST

/* Runs stats over events and returns the report (malloc'ed). */
static char *stats_report(const struct arch_info *a, const struct trace_event *ev, size_t n)
{
    struct trace_stats *st = trace_stats_new();
    for (size_t i = 0; i < n; i++)
        trace_stats_add(st, a, &ev[i]);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    trace_stats_print(st, a, ~0ull, f);
    fclose(f);
    trace_stats_free(st);
    return text;
}

START_TEST(stats_use_fake_names_and_lines)
{
    const struct trace_event ev[] = {
        { .time = 10, .cpu = 0, .kind = TK_IPI_SEND, .a = { IPI_MECH_MSWI, 2, 0x1000, 0 } },
        { .time = 12, .cpu = 1, .kind = TK_IPI_DELIVER, .a = { IPI_MECH_MSWI, 2, 0 } },
        /* taken as the toy's line-2 interrupt: cause 0x102 */
        { .time = 15, .cpu = 1, .kind = TK_IRQ_TAKE, .a = { 0x102, 0, 1, 0x2000 } },
        { .time = 20, .cpu = 1, .kind = TK_VM_EXIT, .a = { 9, 0x3000, 0, 0, 0, 1 } },
    };
    char *r = stats_report(&toy, ev, 4);
    ck_assert_msg(strstr(r, "toy-exit (0x9)") != NULL, "%s", r);
    /* send->deliver 2 ticks, send->irq.take 5: matched through cause_line */
    ck_assert_msg(strstr(r, "2/2/2/2") && strstr(r, "5/5/5/5"), "%s", r);
    free(r);
    /* RISC-V does not read cause 0x102 as an interrupt line, nor name 9 so */
    r = stats_report(arch_by_name("riscv64"), ev, 4);
    ck_assert_msg(strstr(r, "toy-exit") == NULL && strstr(r, "5/5/5/5") == NULL, "%s", r);
    free(r);
}
END_TEST

Suite *arch_suite(void)
{
    Suite *s = suite_create("arch");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, riscv_registered);
    tcase_add_test(tc, riscv_state_matches_nstate);
    tcase_add_test(tc, riscv_state_with_v);
    tcase_add_test(tc, riscv_insn_bytes);
    tcase_add_test(tc, check_diff_names_fake_register);
    tcase_add_test(tc, show_uses_fake_names);
    tcase_add_test(tc, stats_use_fake_names_and_lines);
    suite_add_tcase(s, tc);
    return s;
}
