/* Public entry points of the x86_64 CPU model (src/cpu/x86/): what a board
 * uses. See docs/x86.md. */
#ifndef HVSIM_X86_PUBLIC_H
#define HVSIM_X86_PUBLIC_H
#include <stdbool.h>
#include <stdint.h>
struct machine;
struct cpu;

/* Interrupt input lines (cpu_ops.set_irq). */
enum { X86_LINE_INTR = 0, X86_LINE_NMI = 1 };

/* A CPU in its reset state (real mode, CS:IP = F000:FFF0, base FFFF0000).
 * a20: the board's A20 gate (NULL: always enabled). */
struct cpu *x86_cpu_new(struct machine *m, int id, const bool *a20);
/* Who answers INTA: returns the vector, or -1 for none (spurious). */
void x86_cpu_connect_intr(struct cpu *c, int (*ack)(void *opaque), void *opaque);
/* Gives the CPU its local APIC (src/apic/lapic.h): INTR/NMI become its
 * LINT0/LINT1, INTA goes to lapic_ack, the APIC MSRs and xAPIC page are
 * its. wait_sipi: an application processor, stopped until INIT-SIPI. */
struct lapic;
void x86_cpu_attach_lapic(struct cpu *c, struct lapic *l, bool wait_sipi);
/* Puts the CPU directly into 64-bit mode at entry (docs/x86.md "ELF64
 * entry"): CR0 = PE|PG|WP|NE|ET, CR4 = PAE|PGE, EFER = LME|LMA|NXE|SCE,
 * CS = 0x08 (64-bit code), DS/ES/SS/FS/GS = 0x10 (flat data), paging from
 * cr3, the GDT at gdt_base, IF = 0. */
void x86_cpu_enter_long_mode(struct cpu *c, uint64_t entry, uint64_t cr3, uint64_t gdt_base,
                             uint16_t gdt_limit, uint64_t rsp);
/* After x86_cpu_enter_long_mode, for boot protocols that name other
 * selectors for the same flat descriptors (Linux's 64-bit protocol: CS =
 * __BOOT_CS 0x10, DS = ES = SS = __BOOT_DS 0x18; FS and GS keep theirs) and
 * pass a pointer in a register (reg: 0 RAX .. 15 R15, the SDM's order). */
void x86_cpu_set_boot_selectors(struct cpu *c, uint16_t cs, uint16_t ds);
void x86_cpu_set_gpr(struct cpu *c, unsigned reg, uint64_t val);
/* Board options ([cpu] triple-fault, vendor, family, model, stepping in
 * configs/x86-pc.ini; docs/x86.md): a triple fault resets the CPU (true)
 * or ends the run with a guest failure (false, the default). */
void x86_cpu_set_triple_fault_reset(struct cpu *c, bool reset);
/* With triple-fault reset: what resets the whole machine (the board: every
 * CPU to its power-on state, the devices); NULL: only this CPU resets. */
void x86_cpu_set_reset_hook(struct cpu *c, void (*fn)(void *opaque), void *opaque);
/* [cpu] vmx = on: the CPU reports and implements Intel VMX (docs/vmx.md):
 * CPUID.1:ECX.VMX, CR4.VMXE, IA32_FEATURE_CONTROL (0 at reset: firmware
 * sets and locks it), the IA32_VMX_* MSRs and the VMX instructions. */
void x86_cpu_set_vmx(struct cpu *c, bool on);
/* [cpu] xsave = on: the XSAVE feature set for x87 and SSE state (docs/x86.md
 * "XSAVE"): CPUID.1:ECX.XSAVE/OSXSAVE, leaf 0DH, CR4.OSXSAVE, XCR0,
 * XGETBV/XSETBV, XSAVE/XRSTOR/XSAVEOPT. Off (the default): all #UD, as
 * before. Ignored on hosts without the x87 model. */
void x86_cpu_set_xsave(struct cpu *c, bool on);
/* [cpu] monitor = on: MONITOR / MWAIT (docs/x86.md "MONITOR and MWAIT"):
 * CPUID.1:ECX.MONITOR and leaf 05H. Off (the default): both #UD, as before. */
void x86_cpu_set_monitor(struct cpu *c, bool on);
/* The CPUID model: a 12-character vendor string and the family, model and
 * stepping CPUID.1:EAX reports (SDM vol. 2 "CPUID" Figure 3-6 encoding);
 * false when they do not fit that encoding (family 1..270, model 0..255
 * with model > 15 only for family 6 or >= 15, stepping 0..15). The
 * feature bits stay what the model implements. */
bool x86_cpuid_signature(unsigned family, unsigned model, unsigned stepping, uint32_t *sig);
void x86_cpu_set_model(struct cpu *c, const char vendor[12], uint32_t signature);
/* Puts the CPU into 32-bit protected mode at entry, the state the
 * Multiboot specs ask for (Multiboot 1 §3.2, Multiboot 2 §3.3): CR0 = PE|ET
 * (paging off), CR4 = EFER = 0, CS = 0x08 (flat 32-bit code), DS/ES/SS/FS/
 * GS = 0x10 (flat 32-bit data), the GDT at gdt_base, EFLAGS = 0x2 (IF = 0,
 * VM = 0), EAX = eax, EBX = ebx, ESP = esp, every other GPR 0. */
void x86_cpu_enter_protected_mode(struct cpu *c, uint32_t entry, uint32_t eax, uint32_t ebx,
                                  uint32_t esp, uint64_t gdt_base, uint16_t gdt_limit);
#endif
