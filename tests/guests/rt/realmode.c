/* SPDX-License-Identifier: GPL-2.0-only */
/* realmode.c: copies the real-mode blob (rt/realmode16.asm) to RM_BASE and
 * calls it with its parameters (Intel SDM Vol. 3A 9.9 "Mode Switching"). */
#include "rt/realmode.h"

#include <stddef.h>

#include "rt/rt.h"

_Static_assert(offsetof(struct rm_params, vector) == RMP_VECTOR, "RMP_VECTOR");
_Static_assert(offsetof(struct rm_params, deadline_lo) == RMP_DEADLINE_LO, "RMP_DEADLINE_LO");
_Static_assert(offsetof(struct rm_params, deadline_hi) == RMP_DEADLINE_HI, "RMP_DEADLINE_HI");
_Static_assert(offsetof(struct rm_params, irq_count) == RMP_IRQ_COUNT, "RMP_IRQ_COUNT");
_Static_assert(offsetof(struct rm_params, cr0) == RMP_CR0, "RMP_CR0");
_Static_assert(offsetof(struct rm_params, cs) == RMP_CS, "RMP_CS");
_Static_assert(offsetof(struct rm_params, eoi_port) == RMP_EOI_PORT, "RMP_EOI_PORT");

extern const uint8_t realmode_blob[], realmode_blob_end[];

void realmode_run(struct rm_params *p)
{
	size_t n = (size_t)(realmode_blob_end - realmode_blob);
	if (n > RM_BLOB_MAX)
		fail("real-mode blob is %u bytes, more than RM_BLOB_MAX", (unsigned)n);
	if (irqs_enabled())
		fail("realmode_run: called with IF = 1");
	if (read_cr0() & CR0_PG)
		fail("realmode_run: called with paging on");
	uint8_t *base = (uint8_t *)RM_BASE;
	memcpy(base, realmode_blob, n);
	memcpy(base + RM_PARAMS_OFF, p, sizeof(*p));
	((void (*)(void))RM_BASE)();
	memcpy(p, base + RM_PARAMS_OFF, sizeof(*p));
}
