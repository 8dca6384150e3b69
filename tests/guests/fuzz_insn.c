/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_insn: random instruction streams at CPL 0 (filtered) and CPL 3 with
 * 32-bit paging on, each in the sandbox (rt/sandbox.h) with fresh random
 * registers, ended by whatever exception or interrupt it raises (a
 * TSC-deadline timer breaks loops); then CPL-3 streams while vCPU 1
 * rewrites them; then string I/O and MMIO emulation against page
 * permissions (rt/insnfuzz.c; docs/guest-tests.md "fuzz_insn"). Needs two
 * vCPUs for the third phase (run=fuzz_insn:16M:2). The guest counts cases
 * and exceptions per vector, fails on an anomaly (a #DF or #MC nobody
 * asked for, a changed control register, a wrong permission check); the
 * VMM must never kill it. Two rounds: a fixed seed and one from RDTSC. */
#include "rt/rt.h"

#include "rt/insnfuzz.h"

#define FIXED_SEED 0x696e736e66757a7aULL /* "insnfuzz" */

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	insnfuzz_main(FIXED_SEED);
	return 0;
}
