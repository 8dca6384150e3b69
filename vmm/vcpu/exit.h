/* SPDX-License-Identifier: GPL-2.0-only */
/* exit.h: VM-exit handling: one dispatcher, one handler per basic exit
 * reason (docs/exits.md lists them). */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Handle an exit with this basic reason (SDM Vol. 3D Appendix C) through
 * the table of reasons in exit.c. */
void exit_dispatch(struct vcpu *v, uint32_t reason);
/* Its name in exit counts and messages ("other" for one without). */
const char *exit_reason_name(uint32_t reason);
/* Step the guest's RIP by len and end STI/MOV-SS blocking, as executing
 * the instruction would; with EFLAGS.TF a single-step #DB follows. */
void exit_advance_rip(uint64_t len);
/* Single-stepping (EFLAGS.TF without DEBUGCTL.BTF)? */
bool exit_single_stepping(void);
/* A single-step #DB after an instruction (or one REP iteration) the VMM
 * carried out, when the guest is single-stepping. */
void exit_single_step_trap(void);
/* Iterations of a REP string instruction the VMM carries out per exit (the
 * rest re-executes after the next entry, so a long string never holds a
 * lock, nor its CPU, for long): EXIT_REP_BATCH, or 1 while single-stepping
 * (a trap after every iteration, SDM Vol. 3B 17.3.1.4). */
#define EXIT_REP_BATCH 128
unsigned exit_rep_batch(void);
/* Step past the instruction that exited (VM_EXIT_INSTRUCTION_LEN; not
 * valid for EPT violations, whose length comes from the decoder). */
void exit_skip_instruction(void);
/* A data (BP_READ, BP_WRITE) or I/O (BP_IO) access the VMM made for the
 * guest at addr (linear address or port), size bytes: the #DB of the
 * guest's DR7 breakpoints it hits follows the instruction. True if any hit. */
enum bp_kind { BP_READ, BP_WRITE, BP_IO };
bool exit_breakpoints(enum bp_kind kind, uint64_t addr, unsigned size);
/* Does the guest's DR7 enable any breakpoint? */
bool exit_breakpoints_armed(void);
/* RCX/RSI/RDI after a string iteration with address size asize (2, 4, 8). */
uint64_t addr_reg_update(uint64_t old, uint64_t val, unsigned asize);
/* Handlers in other files. */
void exit_io(struct vcpu *v);
void exit_ept_violation(struct vcpu *v);
/* Finish the instruction whose device request has been completed (on the
 * vCPU's CPU, its VMCS current): port I/O or MMIO, as the request's exit
 * handler left it (vmm/vcpu/vcpu_io.h). */
void exit_resume(struct vcpu *v);
void exit_io_resume(struct vcpu *v);
void exit_mmio_resume(struct vcpu *v);

#endif
