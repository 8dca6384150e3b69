/* SPDX-License-Identifier: GPL-2.0-only */
/* rmops.c: runs a batch of CR/MSR operations in real mode through the blob
 * of rt/rmops16.asm (copied to RM_BASE; Intel SDM Vol. 3A 9.9). 32-bit
 * runtime only: it is called from protected mode with paging off. */
#include "rt/crmsr.h"
#include "rt/rt.h"

extern const uint8_t rmops_blob[], rmops_blob_end[];

void rmops_run(uint32_t n)
{
	size_t size = (size_t)(rmops_blob_end - rmops_blob);
	if (size > RM_BLOB_MAX)
		fail("rmops blob is %u bytes, more than RM_BLOB_MAX", (unsigned)size);
	if (irqs_enabled())
		fail("rmops_run: called with IF = 1");
	if (read_cr0() & CR0_PG)
		fail("rmops_run: called with paging on");
	if (n > RMOPS_MAX)
		fail("rmops_run: %u operations, at most %u", n, RMOPS_MAX);
	uint8_t *base = (uint8_t *)RM_BASE;
	memcpy(base, rmops_blob, size);
	memcpy(base + RM_PARAMS_OFF + RMO_COUNT, &n, sizeof(n));
	((void (*)(void))RM_BASE)();
}
