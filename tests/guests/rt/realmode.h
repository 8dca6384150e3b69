/* SPDX-License-Identifier: GPL-2.0-only */
/* realmode.h: running a while in real mode (rt/realmode16.asm): the blob is
 * copied below 1 MiB to RM_BASE, which overwrites whatever lies in
 * RM_BASE - 0x1000 .. RM_BASE + RM_BLOB_MAX (real-mode stack and blob): a
 * guest that uses it must not need its Multiboot information afterwards. */
#ifndef GUEST_RT_REALMODE_H
#define GUEST_RT_REALMODE_H

#include <stdint.h>

#include "rt/layout.h"

struct rm_params {
	uint32_t vector;      /* IVT vector of the counting handler (0: none) */
	uint32_t deadline_lo; /* leave real mode once the TSC reaches this */
	uint32_t deadline_hi;
	uint32_t irq_count; /* out: interrupts the handler counted */
	uint32_t cr0;	    /* out: CR0 in real mode */
	uint32_t cs;	    /* out: CS in real mode */
	uint32_t eoi_port;  /* 8259 command port the handler EOIs */
};
_Static_assert(sizeof(struct rm_params) == RMP_SIZE, "struct rm_params != RMP_SIZE");

/* Enter real mode, let interrupts in (IF = 1) until rdtsc() >= deadline,
 * come back; params in/out as above. Call with IF = 0, paging off. */
void realmode_run(struct rm_params *p);

#endif
