/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_evdelivery: an event delivered onto a stack outside RAM (ESP in
 * unclaimed MMIO, then INT 0x30): the CPU's pushes, not an instruction,
 * make the EPT violation, with the IDT-vectoring information valid (Intel
 * SDM Vol. 3C 27.2.4). The VMM must not emulate the instruction at RIP as
 * if it had made the access: it stops this guest with the reason "event
 * delivery ..." and nothing else. On hardware the pushes would reach the
 * device; coopvmm does not emulate event delivery (docs/security.md). */
#include "rt/rt.h"

#define MMIO_STACK 0xd0001000U /* not RAM, no device: unclaimed MMIO */

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("INT 0x30 with ESP = %#x\n", MMIO_STACK);
	__asm__ volatile("mov %%esp, %%ebx\n\t"
			 "mov %0, %%esp\n\t"
			 "int $0x30\n\t"
			 "mov %%ebx, %%esp" ::"i"(MMIO_STACK)
			 : "ebx", "memory");
	/* Plain QEMU drops the pushes and the handler's IRET pops all ones:
	 * the guest never gets here there either (qemu-check-hostile: timeout). */
	fail("the interrupt returned");
}
