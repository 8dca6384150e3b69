/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_triplefault: an IDT with limit 0, then an exception: #UD cannot
 * be delivered (#GP), nor can that (#DF), nor that: a triple fault, which
 * must end this guest (docs/guest-platform.md: status "triple-fault"),
 * never the VMM. Reaching the line after the fault is a FAIL. */
#include "rt/rt.h"

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("loading a zero-limit IDT and executing ud2: expect a triple fault\n");
	lidt(0, 0);
	__asm__ volatile("ud2");
	idt_reload();
	fail("still running after a triple fault");
}
