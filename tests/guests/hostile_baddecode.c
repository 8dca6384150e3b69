/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_baddecode: an MMIO access the VMM's decoder does not handle: an
 * x87 FLD from the test device's page (0xfeb00000). The VMM must end this
 * guest and log why (a decode failure), not guess and not crash. Under
 * coopvmm, reaching the line after the FLD is a FAIL; elsewhere (plain QEMU,
 * where that address is not MMIO of anything) it is a SKIP. */
#include "rt/rt.h"

#include "rt/testdev.h"

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	write_cr0(read_cr0() & ~(CR0_EM | CR0_TS));
	__asm__ volatile("fninit");
	printf("fld dword [%#x]: expect the VMM to kill this guest (undecodable MMIO)\n", TESTDEV_MMIO_BASE);
	__asm__ volatile("flds %0\n\tfstp %%st(0)"
			 :
			 : "m"(*(volatile uint32_t *)TESTDEV_MMIO_BASE)
			 : "memory");
	if (under_coopvmm())
		fail("still running after an undecodable MMIO access (fld from %#x)", TESTDEV_MMIO_BASE);
	skip("not under coopvmm: the fld was an ordinary access");
	return 0;
}
