/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_msr_cr64: fuzz_msr_cr in 64-bit mode (docs/guest-tests.md
 * "fuzz_msr_cr"): RDMSR/WRMSR over 0-0x1fff, 0x40000000-0x400000ff,
 * 0xc0000000-0xc0001fff and random indices with random values; CR0, CR3
 * (one of two PML4s with random low and reserved high bits), CR4, CR8
 * triples, XSETBV/XGETBV, MOV to CR1/5/6/7/9/12/15 with random values.
 * Each access must do what the CPU that CPUID describes does or raise
 * #GP/#UD (rt/crmsr.c); counts per kind and outcome; fails on a mismatch.
 * Two rounds: a fixed seed and one from RDTSC/RDRAND. */
/* guest: 64-bit */
#include "rt/rt.h"

#include "rt/crmsr.h"
#include "rt/rand.h"
#include "rt/timer.h"

#define FIXED_SEED  0x6d73725f63723634ULL /* "msr_cr64" */
#define CR_OPS	    3000
#define RANDOM_MSRS 1000
#define PHASE_MS    3000

extern uint64_t rt_pml4[512];
/* A second root with the same mappings, for CR3 to switch to. */
static uint64_t pml4_alt[512] __attribute__((aligned(4096)));

static struct crmsr_stats stats;

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	uint64_t seeds[RAND_MAX_SEEDS];
	int n = rand_seeds(FIXED_SEED, seeds);
	crmsr_init();
	memcpy(pml4_alt, rt_pml4, sizeof(pml4_alt));
	uint64_t t0 = rdtsc();
	struct crmsr_env env = {.mode = "64-bit mode", .long64 = true};
	for (int i = 0; i < n; i++) {
		struct rng r;
		rand_round(&r, "fuzz_msr_cr64", seeds[i]);
		crmsr_env_read(&env);
		env.cr3_roots[0] = (uintptr_t)rt_pml4;
		env.cr3_roots[1] = (uintptr_t)pml4_alt;
		printf("phase %s: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n", env.mode,
		       (unsigned long long)env.cr0, (unsigned long long)env.cr3, (unsigned long long)env.cr4,
		       (unsigned long long)env.efer);
		if (i == 0) {
			crmsr_msr_sweep(&env, &stats, 0x0, 0x1fff, &r);
			crmsr_msr_sweep(&env, &stats, 0x40000000, 0x400000ff, &r);
			crmsr_msr_sweep(&env, &stats, 0xc0000000, 0xc0001fff, &r);
		}
		crmsr_msr_random(&env, &stats, RANDOM_MSRS, &r);
		crmsr_cr_fuzz(&env, &stats, CR_OPS, rdtsc() + ms_to_tsc(PHASE_MS), &r);
	}
	uint32_t mismatches = crmsr_report(&env, &stats);
	crmsr_report_signatures();
	printf("fuzz_msr_cr64: %u mismatches, %llu ms\n", mismatches,
	       (unsigned long long)tsc_to_us(rdtsc() - t0) / 1000);
	EXPECT_EQ(mismatches, 0);
	return 0;
}
