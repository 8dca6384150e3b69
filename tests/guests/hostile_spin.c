/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_spin: a busy loop forever with IF = 0 and no instruction that
 * exits (no PAUSE, no I/O). Only the VMM's preemption timer can take the CPU
 * back: the system test runs it beside a well-behaved guest on the same VMM
 * CPU and requires that guest to pass and the VMM to stay alive. */
#include "rt/rt.h"

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("spinning forever with IF = 0\n");
	cli();
	__asm__ volatile("1: jmp 1b");
	fail("left an endless loop");
}
