/* SPDX-License-Identifier: GPL-2.0-only */
/* rand.h: the fuzzers' random numbers: splitmix64 (Steele, Lea, Flood,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014), and their
 * seeds: every fuzzer runs once with a fixed seed (repeatable) and once with
 * a seed from the TSC and RDRAND (new ground each run), printing "seed 0x..." for
 * each; "seed=0x..." on the guest's command line replaces both (to repeat a
 * run: QEMU -append "seed=0x...", or the module line in grub.cfg). */
#ifndef GUEST_RT_RAND_H
#define GUEST_RT_RAND_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t rng_u32(struct rng *r)
{
	return (uint32_t)(rng_next(r) >> 32);
}

/* Uniform enough in [0, n) for n well below 2^32 (n > 0). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rng_u32(r) * n) >> 32);
}

#define RAND_MAX_SEEDS 2
/* The seeds of this run into seeds[]: the fixed one and one from RDTSC, or
 * only the command line's "seed=" value; returns how many. Prints nothing:
 * each round prints its own "seed 0x..." line (rand_round). */
int rand_seeds(uint64_t fixed, uint64_t seeds[RAND_MAX_SEEDS]);
/* Start a round: r seeded, "WHAT: seed 0x... (fixed|random|command line)". */
void rand_round(struct rng *r, const char *what, uint64_t seed);

#endif
