/* The virtual-8086 mode extensions (CR4.VME) and protected-mode virtual
 * interrupts (CR4.PVI), Intel SDM vol. 3A §20.3, §20.4: the virtual
 * interrupt flag (EFLAGS.VIF, VIP) for CLI, STI, PUSHF, POPF and IRET, and
 * the software interrupt redirection bitmap of the TSS for INT n. Internal
 * to src/cpu/x86/. */
#ifndef HVSIM_X86_VME_H
#define HVSIM_X86_VME_H
#include <stdbool.h>
#include <stdint.h>
#include "x86_cpu.h"

/* CLI / STI act on VIF instead of IF: virtual-8086 mode with IOPL < 3 and
 * CR4.VME, or CPL 3 outside it with IOPL < 3 and CR4.PVI. */
bool x86_vif_mode(const struct x86_cpu *x);
/* CLI (VIF = 0) / STI (VIF = 1; #GP(0) while VIP is set) in x86_vif_mode. */
void x86_vif_cli_sti(struct x86_cpu *x, bool sti);
/* Virtual-8086 mode with IOPL < 3: PUSHF, POPF and IRET of operand size
 * opsize run (CR4.VME and 16-bit) instead of #GP(0). */
bool x86_vme_flags16(const struct x86_cpu *x, unsigned opsize);
/* The FLAGS image PUSHF pushes then: IF replaced by VIF, IOPL 3. */
uint16_t x86_vme_pushf_image(const struct x86_cpu *x);
/* POPF / IRET of the FLAGS image v then: #GP(0) when v has TF set, or IF
 * set while VIP is; else FLAGS 15:0 but IF and IOPL from v, VIF = v.IF.
 * Raises before changing anything. */
void x86_vme_check_flags(struct x86_cpu *x, uint64_t v);
void x86_vme_load_flags(struct x86_cpu *x, uint64_t v);
/* INT n in virtual-8086 mode with CR4.VME: when bit n of the redirection
 * bitmap (the 32 bytes below the TSS's I/O map base) is 0, the interrupt
 * goes through the 8086 program's vector table at linear 0 (FLAGS, CS, IP
 * pushed on its stack) and this returns true; false: the caller goes on
 * as without VME (#GP(0) with IOPL < 3, else the protected-mode IDT). */
bool x86_vme_int(struct x86_cpu *x, unsigned n, uint64_t return_ip);
/* At an instruction boundary (exec.c take_interrupt, after the interrupts
 * it may take): #GP(0) at the instruction about to run when VIF and VIP
 * are both set in x86_vif_mode, which only an IRET or a task switch can
 * leave behind (STI and POPF check before setting VIF). */
void x86_vme_boundary(struct x86_cpu *x);
#endif
