/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_insn64: fuzz_insn in 64-bit mode (docs/guest-tests.md "fuzz_insn"):
 * random streams at CPL 0 (filtered) and CPL 3 in 64-bit mode, at CPL 3 in
 * compatibility mode, at CPL 3 while vCPU 1 rewrites them, with 4-level
 * paging, every exception on IST 1; then the permission checks of string
 * I/O and MMIO emulation (rt/insnfuzz.c). Needs two vCPUs for the
 * rewriting phase (run=fuzz_insn64:16M:2). */
/* guest: 64-bit */
#include "rt/rt.h"

#include "rt/insnfuzz.h"

#define FIXED_SEED 0x696e736e66753634ULL /* "insnfu64" */

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	insnfuzz_main(FIXED_SEED);
	return 0;
}
