/* Sdtrig debug triggers (RISC-V Debug Specification 1.0, chapter "Sdtrig"
 * and its Trigger Module registers): tselect, tdata1-3, tinfo, tcontrol;
 * trigger types mcontrol (2), icount (3), itrigger (4), etrigger (5),
 * mcontrol6 (6), all with action 0 (breakpoint exception); the context
 * registers mcontext/hcontext and scontext with textra64 (tdata3)
 * matching.
 * docs/riscv.md "Debug triggers (Sdtrig)". */
#ifndef HVSIM_RV_TRIGGER_H
#define HVSIM_RV_TRIGGER_H
#include <stdbool.h>
#include <stdint.h>

struct rv_hart;
struct rv_dinsn;

/* CSR numbers (Debug spec 1.0 "Trigger Module Registers"). */
enum {
    CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1, CSR_TDATA2 = 0x7a2, CSR_TDATA3 = 0x7a3,
    CSR_TINFO = 0x7a4, CSR_TCONTROL = 0x7a5, CSR_MCONTEXT = 0x7a8, CSR_HCONTEXT = 0x6a8,
    CSR_SCONTEXT = 0x5a8,
};

/* Implement n triggers (1..RV_TRIG_MAX; 0 = no Sdtrig: its CSRs stay
 * illegal, nothing else changes). Also called at reset with h->ntrig. */
void rv_trig_reset(struct rv_hart *h);
/* CSR read / write (only called with h->ntrig > 0): false = not a trigger CSR. */
bool rv_trig_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v);
bool rv_trig_csr_write(struct rv_hart *h, unsigned csr, uint64_t v);

/* The interpreter's hooks while h->trig_per_insn (exec.c):
 * rv_trig_insn_end at every instruction boundary (icount accounting);
 * rv_trig_fire_pending then raises a pending breakpoint (icount, etrigger,
 * itrigger) before the next instruction: true when it did (the caller
 * takes one tick for it); rv_trig_insn_start before each instruction
 * (execute, load and store address/data triggers, timing "before"): false
 * when the instruction must not run (a breakpoint or a fetch fault was
 * raised; the caller takes one tick). tmp: scratch for an instruction
 * that crosses a page. */
void rv_trig_insn_end(struct rv_hart *h);
/* Before the fetch of the instruction at pc (execute address triggers
 * outrank fetch faults): false when a breakpoint was raised. */
bool rv_trig_fetch(struct rv_hart *h, uint64_t pc);
bool rv_trig_fire_pending(struct rv_hart *h);
bool rv_trig_insn_start(struct rv_hart *h, const struct rv_dinsn *d, uint64_t pc,
                        struct rv_dinsn *tmp);

/* trap.c (only with h->ntrig > 0): a trap was just taken (the hart is in
 * the handler's mode now) from mode prev/was_virt, where triggers were
 * inhibited if from_inhibited (rv_trig_inhibited before the trap); and
 * MRET. */
bool rv_trig_inhibited(const struct rv_hart *h);
void rv_trig_trap(struct rv_hart *h, uint64_t cause, bool interrupt, int prev, bool was_virt,
                  bool from_inhibited);
void rv_trig_mret(struct rv_hart *h);

/* The debugger's triggers (gdb `monitor hwtrig on`, docs/gdb.md): insert
 * or remove an mcontrol6 trigger with dmode = 1 and action = 1 ("enter
 * Debug Mode": the hart stops for gdb before the instruction). type 1
 * execute at addr; 2 store, 3 load, 4 either on [addr, addr+len) (len 1,
 * or a power of two with addr aligned: NAPOT). 0 done; -1 no free trigger
 * (or a range that one trigger cannot express, or nothing to remove); -2
 * the hart has no triggers. The guest sees such triggers (tdata1 reads
 * type 6 with dmode 1) but cannot change them (its writes are ignored). */
int rv_trig_debugger(struct rv_hart *h, bool insert, int type, uint64_t addr, uint64_t len);

#endif
