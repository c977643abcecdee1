/* RISC-V's entry in the architecture registry (src/sim/arch.h). */
#include "../../sim/arch.h"
#include "../../sim/cpu.h"
#include "../../trace/event.h"
#include "disasm.h"
#include "hart.h"
#include "rv_hart.h"

/* Instruction length from its first parcel: 32 bits when bits [1:0] are 11,
 * else a 16-bit compressed instruction (unpriv 20191213 §1.5, Figure 1.1;
 * hvsim implements no longer encodings). */
static unsigned rv_insn_len(uint64_t bits)
{
    return (bits & 3) == 3 ? 4 : 2;
}

/* The registry's byte interface over rv_disasm's raw-word interface. */
static size_t rv_arch_disasm(const uint8_t *bytes, size_t n, uint64_t pc, char *buf, size_t len)
{
    if (n < 2 || (n < 4 && (bytes[0] & 3) == 3)) {
        if (len)
            buf[0] = 0;
        return 0;
    }
    uint32_t raw = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8;
    if ((raw & 3) == 3)
        raw |= (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    return rv_disasm(raw, pc, buf, len);
}

/* The mip bit each IPI mechanism sets on its target (priv 1.12 §3.1.9,
 * ACLINT spec §3/§5, H extension §8.2.3 for hvip.VSSIP). */
static int rv_ipi_line(uint64_t mech)
{
    switch (mech) {
    case IPI_MECH_MSWI: return IRQ_MSI;
    case IPI_MECH_SSWI:
    case IPI_MECH_SBI:
    case IPI_MECH_SIP: return IRQ_SSI;
    case IPI_MECH_HVIP: return IRQ_VSSI;
    default: return -1;
    }
}

/* mcause: Interrupt bit 63 set, exception code = the mip bit (§3.1.15). */
static int rv_cause_line(uint64_t cause)
{
    uint64_t code = cause & ~(1ull << 63);
    return cause >> 63 && code < 64 ? (int)code : -1;
}

/* A mip bit is named like the interrupt it takes (mcause = bit 63 | line). */
static const char *rv_line_name(unsigned line)
{
    return line < 64 ? rv_cause_name(1ull << 63 | line) : NULL;
}

/* SBI extensions and functions (SBI spec v1.0, chapters 3-10, legacy
 * extensions chapter 5). */
static const struct {
    uint32_t eid;
    const char *ext;
    const char *const fn[8];
} sbi_names[] = {
    { 0x00, "legacy", { "set_timer" } },
    { 0x01, "legacy", { "console_putchar" } },
    { 0x02, "legacy", { "console_getchar" } },
    { 0x03, "legacy", { "clear_ipi" } },
    { 0x04, "legacy", { "send_ipi" } },
    { 0x05, "legacy", { "remote_fence_i" } },
    { 0x06, "legacy", { "remote_sfence_vma" } },
    { 0x07, "legacy", { "remote_sfence_vma_asid" } },
    { 0x08, "legacy", { "shutdown" } },
    { 0x10, "BASE", { "get_spec_version", "get_impl_id", "get_impl_version", "probe_extension",
                      "get_mvendorid", "get_marchid", "get_mimpid" } },
    { 0x54494d45, "TIME", { "set_timer" } },
    { 0x735049, "IPI", { "send_ipi" } },
    { 0x52464e43, "RFNC", { "remote_fence_i", "remote_sfence_vma", "remote_sfence_vma_asid",
                            "remote_hfence_gvma_vmid", "remote_hfence_gvma",
                            "remote_hfence_vvma_asid", "remote_hfence_vvma" } },
    { 0x48534d, "HSM", { "hart_start", "hart_stop", "hart_get_status", "hart_suspend" } },
    { 0x53525354, "SRST", { "system_reset" } },
    { 0x504d55, "PMU", { "num_counters", "counter_get_info", "counter_config_matching",
                         "counter_start", "counter_stop", "counter_fw_read" } },
    { 0x4442434e, "DBCN", { "write", "read", "write_byte" } },
};

static const char *rv_call_name(uint64_t eid, uint64_t fid, const char **fn)
{
    *fn = NULL;
    for (size_t i = 0; i < sizeof sbi_names / sizeof sbi_names[0]; i++) {
        if (sbi_names[i].eid != eid)
            continue;
        if (eid < 0x10)
            *fn = sbi_names[i].fn[0]; /* legacy calls ignore fid (SBI v1.0 §5) */
        else if (fid < 8)
            *fn = sbi_names[i].fn[fid];
        return sbi_names[i].ext;
    }
    return NULL;
}

/* Timer numbers: TRACE_TIMER_* (src/trace/event.h). */
static const char *rv_timer_name(uint64_t timer)
{
    static const char *const names[] = { "mtimecmp", "stimecmp", "vstimecmp" };
    return timer < sizeof names / sizeof names[0] ? names[timer] : NULL;
}

/* An illegal-instruction exception's tval is the faulting instruction
 * (priv 1.12 §3.1.16; hvsim always provides it). */
static uint64_t rv_exc_insn(uint64_t cause, uint64_t tval)
{
    return cause == 2 && (tval >> 32) == 0 ? tval : 0;
}

/* htinst/mtinst (H extension §8.6.3): bits [1:0] = 11 is a transformed
 * standard instruction that decodes as such; 01 is a transformed compressed
 * one with bit 1 cleared, 00 a pseudo-instruction or zero. */
static uint64_t rv_exit_insn(uint64_t inst)
{
    return (inst & 3) == 3 && (inst >> 32) == 0 ? inst : 0;
}

/* Pending bits as VCD wires: msip/ssip follow the software-interrupt lines,
 * mtip/stip the machine and supervisor timers. */
static const struct arch_vcd_line rv_vcd_lines[] = {
    { "msip", IRQ_MSI, -1 },
    { "ssip", IRQ_SSI, -1 },
    { "mtip", IRQ_MTI, TRACE_TIMER_MTIMECMP },
    { "stip", IRQ_STI, TRACE_TIMER_STIMECMP },
    { NULL, -1, -1 },
};

/* Check-record state: pc, priv, x1..x31, f0..f31, 44 CSRs, pmpaddr0..15,
 * (rv_state_name / rv_arch_state in hart.c; tests/unit/test_arch.c checks
 * that the count matches). */
#define RV_NSTATE (2 + 31 + 32 + 44 + 16)
/* ... and on a hart with V: vl, vtype, vstart, vcsr and one XXH3 hash per
 * vector register v0..v31 */
#define RV_NSTATE_V (RV_NSTATE + 4 + 32)

const struct arch_info arch_riscv64 = {
    .id = CPU_ARCH_RISCV64,
    .name = "riscv64",
    .cpu_word = "hart",
    .nstate = RV_NSTATE,
    .nstate_max = RV_NSTATE_V,
    .state_name = rv_state_name,
    .cause_name = rv_cause_name,
    .priv_name = rv_priv_name,
    .max_insn_len = 4,
    .insn_len = rv_insn_len,
    .disasm = rv_arch_disasm,
    .vcd_lines = rv_vcd_lines,
    .vm_exit_name = rv_cause_name,
    .ipi_line = rv_ipi_line,
    .cause_line = rv_cause_line,
    .call_name = rv_call_name,
    .timer_name = rv_timer_name,
    .exc_insn = rv_exc_insn,
    .exit_insn = rv_exit_insn,
    .reset_priv = PRV_M, /* harts reset into M-mode (priv 1.12 §3.4) */
    .line_name = rv_line_name,
    .gdb = &rv_gdb_arch,
    .vm_exit_class = rv_vm_exit_class,
};
