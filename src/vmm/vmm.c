/* Hardware virtualization, the ISA-neutral part (vmm.h, README.md). */
#include "vmm.h"
#include <string.h>

static const char *const class_names[VMM_EXIT_CLASS_COUNT] = {
    [VMM_EXIT_OTHER] = "other",
    [VMM_EXIT_HYPERCALL] = "hypercall",
    [VMM_EXIT_GUEST_PAGE_FAULT] = "guest-page-fault",
    [VMM_EXIT_MMIO] = "mmio",
    [VMM_EXIT_PORT_IO] = "port-io",
    [VMM_EXIT_EXTERNAL_IRQ] = "external-irq",
    [VMM_EXIT_TIMER] = "timer",
    [VMM_EXIT_IPI] = "ipi",
    [VMM_EXIT_INSTRUCTION] = "instruction",
    [VMM_EXIT_EXCEPTION] = "exception",
};

const char *vmm_exit_class_name(unsigned cls)
{
    return cls < VMM_EXIT_CLASS_COUNT ? class_names[cls] : NULL;
}

int vmm_exit_class_by_name(const char *name)
{
    for (unsigned i = 0; name && i < VMM_EXIT_CLASS_COUNT; i++)
        if (strcmp(class_names[i], name) == 0)
            return (int)i;
    return -1;
}

unsigned vmm_exit_class(const struct arch_info *a, uint64_t reason)
{
    if (!a || !a->vm_exit_class)
        return VMM_EXIT_OTHER;
    unsigned cls = a->vm_exit_class(reason);
    return cls < VMM_EXIT_CLASS_COUNT ? cls : VMM_EXIT_OTHER;
}

/* Copies an architecture's optional arguments after the kind's own
 * (trace_kind_opts, docs/trace-format.md "Optional arguments"). */
static void put_opt(struct trace_event *ev, const uint64_t *opt, unsigned nopt)
{
    unsigned base = trace_kinds[ev->kind].nargs;
    if (nopt > trace_kind_opts[ev->kind].n)
        nopt = trace_kind_opts[ev->kind].n;
    for (unsigned i = 0; i < nopt; i++)
        ev->a[base + i] = opt[i];
    ev->nopt = (uint8_t)nopt;
}

void vmm_emit_exit_opt(struct cpu *c, uint64_t reason, uint64_t pc, uint64_t tval, uint64_t gpa,
                       uint64_t inst, const uint64_t *opt, unsigned nopt)
{
    struct trace_event ev = { .time = cpu_now(c), .cpu = (uint32_t)c->id, .kind = TK_VM_EXIT,
                              .a = { reason, pc, tval, gpa, inst, (uint64_t)vmm_guest_id(c) } };
    put_opt(&ev, opt, nopt);
    trace_emit(c->m->trace, &ev);
}

void vmm_emit_entry_opt(struct cpu *c, uint64_t pc, const uint64_t *opt, unsigned nopt)
{
    struct trace_event ev = { .time = cpu_now(c), .cpu = (uint32_t)c->id, .kind = TK_VM_ENTRY,
                              .a = { pc, (uint64_t)vmm_guest_id(c) } };
    put_opt(&ev, opt, nopt);
    trace_emit(c->m->trace, &ev);
}

void vmm_emit_exit(struct cpu *c, uint64_t reason, uint64_t pc, uint64_t tval, uint64_t gpa,
                   uint64_t inst)
{
    vmm_emit_exit_opt(c, reason, pc, tval, gpa, inst, NULL, 0);
}

void vmm_emit_entry(struct cpu *c, uint64_t pc) { vmm_emit_entry_opt(c, pc, NULL, 0); }
