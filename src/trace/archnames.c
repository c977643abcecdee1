/* Architecture-dependent names for the trace tools (archnames.h). */
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include "archnames.h"
#include "trace.h"

static int arch_handler(void *user, const char *section, const char *name, const char *value)
{
    char *arch = user;
    if (!strcmp(section, "machine") && !strcmp(name, "arch"))
        snprintf(arch, 64, "%s", value);
    return 1;
}

const struct arch_info *trace_header_arch(const struct trace_header *h, char *name, size_t len)
{
    char arch[64] = "riscv64"; /* the config default (src/sim/config.c) */
    if (h->config_ini)
        ini_parse_string(h->config_ini, arch_handler, arch);
    if (len)
        snprintf(name, len, "%s", arch);
    return arch_by_name(arch);
}

const char *trace_arch_cause(const struct arch_info *a, uint64_t cause)
{
    return a && a->cause_name ? a->cause_name(cause) : NULL;
}

const char *trace_arch_priv(const struct arch_info *a, uint64_t priv)
{
    return a && a->priv_name ? a->priv_name(priv) : NULL;
}

const char *trace_arch_mode(const struct arch_info *a, uint64_t mode)
{
    return mode && a && a->mode_name ? a->mode_name(mode) : NULL;
}

const char *trace_arch_vm_exit(const struct arch_info *a, uint64_t reason)
{
    return a && a->vm_exit_name ? a->vm_exit_name(reason) : NULL;
}

size_t trace_arch_vm_inject(const struct arch_info *a, uint64_t info, uint64_t err, uint64_t ilen,
                            char *buf, size_t len)
{
    if (a && a->vm_inject_name)
        return a->vm_inject_name(info, err, ilen, buf, len);
    if (len)
        buf[0] = 0;
    return 0;
}

const char *trace_arch_vm_inject_class(const struct arch_info *a, uint64_t info)
{
    return a && a->vm_inject_class ? a->vm_inject_class(info) : NULL;
}

const char *trace_arch_timer(const struct arch_info *a, uint64_t timer)
{
    return a && a->timer_name ? a->timer_name(timer) : NULL;
}

const char *trace_arch_line(const struct arch_info *a, uint64_t line)
{
    return a && a->line_name && line <= UINT32_MAX ? a->line_name((unsigned)line) : NULL;
}

const char *trace_arch_call(const struct arch_info *a, uint64_t eid, uint64_t fid, const char **fn)
{
    *fn = NULL;
    return a && a->call_name ? a->call_name(eid, fid, fn) : NULL;
}

size_t trace_arch_ipi_detail(const struct arch_info *a, uint64_t mech, char *buf, size_t len)
{
    if (len)
        buf[0] = 0;
    if (!a || !a->ipi_detail || !TRACE_IPI_DETAIL(mech))
        return 0;
    return a->ipi_detail(mech, buf, len);
}

const char *trace_arch_ipi_class(const struct arch_info *a, uint64_t mech)
{
    return a && a->ipi_class && TRACE_IPI_DETAIL(mech) ? a->ipi_class(mech) : NULL;
}

int trace_arch_ipi_line(const struct arch_info *a, uint64_t mech)
{
    return a && a->ipi_line ? a->ipi_line(mech) : -1;
}

int trace_arch_cause_line(const struct arch_info *a, uint64_t cause)
{
    return a && a->cause_line ? a->cause_line(cause) : -1;
}

uint64_t trace_arch_exc_insn(const struct arch_info *a, uint64_t cause, uint64_t tval)
{
    return a && a->exc_insn ? a->exc_insn(cause, tval) : 0;
}

uint64_t trace_arch_exit_insn(const struct arch_info *a, uint64_t inst)
{
    return a && a->exit_insn ? a->exit_insn(inst) : 0;
}

int trace_arch_syntax(const struct arch_info *a, const char *name)
{
    if (!a || !a->syntaxes || !a->disasm_syntax || !name)
        return -1;
    for (int i = 0; a->syntaxes[i]; i++)
        if (!strcmp(a->syntaxes[i], name))
            return i;
    return -1;
}

size_t trace_arch_disasm_as(const struct arch_info *a, unsigned s, const uint8_t *bytes, size_t n,
                            uint64_t pc, char *buf, size_t len)
{
    if (len)
        buf[0] = 0;
    if (!a || !n)
        return 0;
    if (s && a->disasm_syntax)
        return a->disasm_syntax(bytes, n, pc, s, buf, len);
    if (!a->disasm)
        return 0;
    return a->disasm(bytes, n, pc, buf, len);
}

size_t trace_arch_disasm(const struct arch_info *a, const uint8_t *bytes, size_t n, uint64_t pc,
                         char *buf, size_t len)
{
    return trace_arch_disasm_as(a, 0, bytes, n, pc, buf, len);
}

size_t trace_arch_disasm_bits(const struct arch_info *a, uint64_t bits, uint64_t pc, char *buf,
                              size_t len)
{
    return trace_arch_disasm_bits_as(a, 0, bits, pc, buf, len);
}

size_t trace_arch_disasm_bits_as(const struct arch_info *a, unsigned s, uint64_t bits, uint64_t pc,
                                 char *buf, size_t len)
{
    if (len)
        buf[0] = 0;
    if (!bits || !a || !a->insn_len)
        return 0;
    /* docs/trace-format.md: insn holds the first up to 8 bytes, little-endian */
    uint8_t bytes[8];
    for (unsigned i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(bits >> (8 * i));
    if (s >> 8) {
        /* another code mode (bits 15:8 of s; x86 16/32-bit code, where
         * 66h, 67h and 40h-4Fh mean what they do not in 64-bit mode, in
         * which insn_len decodes): the disassembler decodes one
         * instruction of the 8 bytes; none (an instruction longer than 8
         * bytes) returns 0, so that the caller reads the image */
        size_t r = trace_arch_disasm_as(a, s, bytes, 8, pc, buf, len);
        if (r && len && !strcmp(buf, "(bad)")) {
            buf[0] = 0;
            return 0;
        }
        return r;
    }
    unsigned n = a->insn_len(bits);
    if (!n)
        return 0;
    return trace_arch_disasm_as(a, s, bytes, n < 8 ? n : 8, pc, buf, len);
}
