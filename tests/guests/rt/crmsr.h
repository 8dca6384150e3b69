/* SPDX-License-Identifier: GPL-2.0-only */
/* crmsr.h: the CR/MSR fuzzers' operations, their model and their sweeps
 * (fuzz_msr_cr, fuzz_msr_cr64; docs/guest-tests.md). An operation is one
 * RDMSR, WRMSR, XSETBV/XGETBV, MOV to an undefined CR, or a "CR triple":
 * MOV to CRn of the value, MOV from CRn (the read-back), MOV to CRn of the
 * restore value, so an accepted value lives for one instruction only.
 * Operations run in batches: in real mode through rt/rmops16.asm (32-bit
 * runtime), otherwise here, each under trap_catch. Each result is compared
 * with what the SDM says the CPU that CPUID describes does (Intel SDM Vol.
 * 2B MOV to/from CRn, WRMSR, XSETBV; Vol. 3A 2.5, 4.4.1, 9.8.5; Vol. 4
 * table 2-2) and, under coopvmm, with its documented MSR allow-list
 * (docs/guest-platform.md "CPU"). */
#ifndef GUEST_RT_CRMSR_H
#define GUEST_RT_CRMSR_H

#include <stdbool.h>
#include <stdint.h>

#include "rt/layout.h"
#include "rt/rand.h"

struct crmsr_op {
	uint16_t kind;	  /* OPK_* (rt/layout.h) */
	uint16_t vector;  /* out: exception vector, OP_NO_VECTOR if none */
	uint32_t index;	  /* MSR, XCR or CR number */
	uint64_t val;	  /* value written */
	uint64_t restore; /* CR triple: the value written back */
	uint64_t out;	  /* RDMSR result, CR read-back */
};
_Static_assert(sizeof(struct crmsr_op) == OP_SIZE, "struct crmsr_op != OP_SIZE");

/* The mode the operations run in and the state each returns to. */
struct crmsr_env {
	const char *mode;	      /* for the output: "real mode", "64-bit mode", ... */
	bool real;		      /* real-address mode (32-bit runtime only) */
	bool long64;		      /* 64-bit mode */
	uint64_t cr0, cr3, cr4, efer; /* the sane state (read by crmsr_env_read) */
	uint64_t cr3_roots[2];	      /* valid CR3 bases with paging on (else unused) */
	uint64_t cr3_bad;	      /* PAE: a PDPT with a reserved bit set (0: none) */
};

#define OUTCOME_OK    0
#define OUTCOME_GP    1
#define OUTCOME_UD    2
#define OUTCOME_OTHER 3
#define OUTCOMES      4

struct crmsr_stats {
	uint32_t n[OPK_CR_UD + 1][OUTCOMES]; /* per kind, per outcome */
	uint32_t mismatches, restore_failures;
	uint32_t ops;
};

/* CPUID facts the model uses; call once (prints them). */
void crmsr_init(void);
/* The current CR0/CR3/CR4/EFER as the sane state (env->real: CR0 with PE
 * clear, the rest as now). */
void crmsr_env_read(struct crmsr_env *env);

/* Every MSR of [first, last]: RDMSR; if it reads, WRMSR of the value read
 * (must work, except MTRRcap under coopvmm, read-only there),
 * WRMSR of a random value, RDMSR (the read-back), WRMSR of the value read;
 * if it does not read, WRMSR of a random value. rounds: random values per
 * MSR. Not written with random values (documented in guest-tests.md):
 * IA32_APIC_BASE, IA32_TSC, IA32_TSC_ADJUST; not under coopvmm also no MSR
 * outside coopvmm's allow-list that reads (model-specific side effects). */
void crmsr_msr_sweep(const struct crmsr_env *env, struct crmsr_stats *st, uint32_t first, uint32_t last,
		     struct rng *r);
/* count random MSR indices (and values), as above. */
void crmsr_msr_random(const struct crmsr_env *env, struct crmsr_stats *st, uint32_t count, struct rng *r);
/* count random CR0/CR3/CR4 (64-bit mode: CR8 too) triples, XSETBV, XGETBV
 * and MOV to undefined CRs; stops early at the TSC deadline. */
void crmsr_cr_fuzz(const struct crmsr_env *env, struct crmsr_stats *st, uint32_t count, uint64_t deadline,
		   struct rng *r);
/* The counts per kind and outcome; returns the mismatches. */
uint32_t crmsr_report(const struct crmsr_env *env, const struct crmsr_stats *st);
/* Each distinct kind of mismatch seen (all modes): count and an example. */
void crmsr_report_signatures(void);

/* Run n operations in the mode of env (real mode: rt/rmops.c). */
void crmsr_exec(const struct crmsr_env *env, struct crmsr_op *ops, uint32_t n);
/* Real mode (32-bit runtime): switch to real mode with the sane CR3/CR4,
 * run the n operations at RMOPS_BUF, come back (paging off, IF = 0). */
void rmops_run(uint32_t n);

#endif
