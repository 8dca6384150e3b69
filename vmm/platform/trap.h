/* SPDX-License-Identifier: GPL-2.0-only */
/* trap.h: the register frame built by arch/x86/isr.asm and the interrupt
 * dispatch interface (Intel SDM Vol. 3A 6.14.2 "64-Bit Mode Stack Frame"). */
#ifndef VMM_TRAP_H
#define VMM_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

typedef void (*irq_handler_t)(struct trap_frame *f);

/* Install a handler for an interrupt vector >= 32; the handler is called
 * with interrupts off and must send the LAPIC EOI itself when needed. */
void trap_set_handler(uint8_t vector, irq_handler_t h);
void trap_dispatch(struct trap_frame *f);

#endif
