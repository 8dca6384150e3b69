/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_msr_cr: RDMSR/WRMSR over every MSR range the SDM defines (0-0x1fff,
 * 0x40000000-0x400000ff, 0xc0000000-0xc0001fff) and random indices, with
 * random values, and MOV to CR0/CR3/CR4, XSETBV/XGETBV and MOV to the
 * undefined CRs with random values, in real mode, in 32-bit protected mode
 * with paging off, with 32-bit paging and with PAE paging (64-bit mode:
 * fuzz_msr_cr64). Each access must do what the CPU that CPUID describes
 * does, or raise #GP/#UD in the guest (rt/crmsr.c holds the model and the
 * rules that keep the guest alive: docs/guest-tests.md "fuzz_msr_cr").
 * The guest counts ok/#GP/#UD per kind of access and fails on any
 * mismatch; the VMM must neither kill it nor stop. Two rounds: a fixed
 * seed and one from RDTSC (or "seed=0x..." on the command line). */
#include "rt/rt.h"

#include "rt/crmsr.h"
#include "rt/hv.h"
#include "rt/rand.h"
#include "rt/timer.h"

#define FIXED_SEED     0x6d73725f63723031ULL /* "msr_cr01" */
#define CR_OPS	       1500		     /* per phase and round */
#define RANDOM_MSRS    400		     /* per phase and round */
#define PHASE_MS       3000		     /* time bound of one phase's CR fuzzing */
#define MAP_MIB	       16		     /* identity-mapped with paging on */
#define PT_ENTRIES     1024
#define PTE_P	       (1U << 0)
#define PTE_W	       (1U << 1)
#define PAE_P	       (1ULL << 0)
#define PAE_W	       (1ULL << 1)
#define PAE_PS	       (1ULL << 7)
#define PAE_PDPTE_RSVD (1ULL << 1) /* bit 1 is reserved in a PAE PDPTE (4.4.1) */
#define PAGE_2M	       0x200000U

/* 32-bit paging: two page directories (CR3 may switch between them), one
 * set of page tables, 4 KiB pages over the first MAP_MIB MiB (no PS pages,
 * so CR4.PSE may flip). PAE: two PDPTs on one page directory of 2 MiB
 * pages, and a PDPT whose second entry has a reserved bit set. */
static uint32_t pd32[2][PT_ENTRIES] __attribute__((aligned(4096)));
static uint32_t pt32[MAP_MIB / 4][PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd_pae[512] __attribute__((aligned(4096)));
static uint64_t pdpt[3][4] __attribute__((aligned(32)));

static struct crmsr_stats stats[4];
static uint32_t mismatches;

static void build_tables(void)
{
	for (uint32_t t = 0; t < MAP_MIB / 4; t++) {
		for (uint32_t i = 0; i < PT_ENTRIES; i++)
			pt32[t][i] = (t * PT_ENTRIES + i) * 4096 | PTE_P | PTE_W;
		pd32[0][t] = pd32[1][t] = (uint32_t)(uintptr_t)pt32[t] | PTE_P | PTE_W;
	}
	for (uint32_t i = 0; i < MAP_MIB / 2; i++)
		pd_pae[i] = (uint64_t)i * PAGE_2M | PAE_P | PAE_W | PAE_PS;
	for (int k = 0; k < 3; k++)
		pdpt[k][0] = (uint64_t)(uintptr_t)pd_pae | PAE_P;
	pdpt[2][1] = (uint64_t)(uintptr_t)pd_pae | PAE_P | PAE_PDPTE_RSVD;
}

static void paging_off(void)
{
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
	write_cr3((uintptr_t)pd32[0]);
}

static void run_phase(int idx, struct crmsr_env *env, struct rng *r, bool sweep)
{
	uint64_t t0 = rdtsc();
	crmsr_env_read(env);
	printf("phase %s: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n", env->mode,
	       (unsigned long long)env->cr0, (unsigned long long)env->cr3, (unsigned long long)env->cr4,
	       (unsigned long long)env->efer);
	if (sweep) {
		crmsr_msr_sweep(env, &stats[idx], 0x0, 0x1fff, r);
		crmsr_msr_sweep(env, &stats[idx], 0x40000000, 0x400000ff, r);
		crmsr_msr_sweep(env, &stats[idx], 0xc0000000, 0xc0001fff, r);
	}
	crmsr_msr_random(env, &stats[idx], RANDOM_MSRS, r);
	crmsr_cr_fuzz(env, &stats[idx], CR_OPS, rdtsc() + ms_to_tsc(PHASE_MS), r);
	printf("phase %s: %llu ms\n", env->mode,
	       (unsigned long long)udiv64(tsc_to_us(rdtsc() - t0), 1000, NULL));
}

static void round_(uint64_t seed, bool sweep)
{
	struct rng r;
	rand_round(&r, "fuzz_msr_cr", seed);
	struct crmsr_env env = {0};

	/* Real mode: paging off, CR3 = a valid 32-bit page directory (a CR0
	 * value with PG and PE set turns paging on for one instruction). */
	paging_off();
	env = (struct crmsr_env){.mode = "real mode", .real = true};
	run_phase(0, &env, &r, sweep);

	env = (struct crmsr_env){.mode = "protected mode, paging off"};
	run_phase(1, &env, &r, sweep);

	/* 32-bit paging (CR4.PAE = 0): CR3 stays on one of the two directories. */
	write_cr3((uintptr_t)pd32[0]);
	write_cr0(read_cr0() | CR0_PG);
	env = (struct crmsr_env){.mode = "protected mode, 32-bit paging",
				 .cr3_roots = {(uintptr_t)pd32[0], (uintptr_t)pd32[1]}};
	run_phase(2, &env, &r, false);
	paging_off();

	/* PAE paging: CR4.PAE stays set (see rt/crmsr.c), CR3 on one of the two
	 * PDPTs or, to be refused, the one with a reserved bit. */
	write_cr3((uintptr_t)pdpt[0]);
	write_cr4(read_cr4() | CR4_PAE);
	write_cr0(read_cr0() | CR0_PG);
	env = (struct crmsr_env){.mode = "protected mode, PAE paging",
				 .cr3_roots = {(uintptr_t)pdpt[0], (uintptr_t)pdpt[1]},
				 .cr3_bad = (uintptr_t)pdpt[2]};
	run_phase(3, &env, &r, false);
	paging_off();
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	uint64_t seeds[RAND_MAX_SEEDS];
	int n = rand_seeds(FIXED_SEED, seeds);
	crmsr_init();
	build_tables();
	uint64_t t0 = rdtsc();
	for (int i = 0; i < n; i++)
		round_(seeds[i], i == 0);
	static const char *const names[4] = {"real mode", "protected mode, paging off",
					     "protected mode, 32-bit paging", "protected mode, PAE paging"};
	for (int i = 0; i < 4; i++) {
		struct crmsr_env env = {.mode = names[i]};
		mismatches += crmsr_report(&env, &stats[i]);
	}
	crmsr_report_signatures();
	printf("fuzz_msr_cr: %u mismatches, %llu ms\n", mismatches,
	       (unsigned long long)udiv64(tsc_to_us(rdtsc() - t0), 1000, NULL));
	EXPECT_EQ(mismatches, 0);
	return 0;
}
