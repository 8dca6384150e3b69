/* SPDX-License-Identifier: GPL-2.0-only */
/* rand.c: the fuzzers' seeds (rt/rand.h): a fixed one, one derived from the
 * TSC, or the value of "seed=" on the guest's Multiboot command line
 * (Multiboot spec 0.6.96 3.3, flags bit 2). */
#include "rt/rand.h"

#include "rt/hv.h"
#include "rt/rt.h"

#define CPUID1_ECX_RDRAND (1U << 30)
#define RDRAND_TRIES	  10

static uint64_t seed_fixed, seed_random;

static bool rdrand64(uint64_t *v)
{
	if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID1_ECX_RDRAND))
		return false;
	for (int i = 0; i < RDRAND_TRIES; i++) {
		uint32_t lo, hi;
		uint8_t ok1, ok2;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(lo), "=qm"(ok1));
		__asm__ volatile("rdrand %0; setc %1" : "=r"(hi), "=qm"(ok2));
		if (ok1 && ok2) {
			*v = ((uint64_t)hi << 32) | lo;
			return true;
		}
	}
	return false;
}
static int seed_from_cmdline;

static bool parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s && *s != ' '; s++, n++) {
		int d = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						 : -1;
		if (d < 0 || n == 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return n > 0;
}

static bool cmdline_seed(uint64_t *v)
{
	const struct mb1_info *mbi = (const struct mb1_info *)(uintptr_t)rt_boot.mbi;
	if (!mbi || !(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return false;
	for (const char *p = (const char *)(uintptr_t)mbi->cmdline; *p; p++)
		if ((p == (const char *)(uintptr_t)mbi->cmdline || p[-1] == ' ') && p[0] == 's' &&
		    p[1] == 'e' && p[2] == 'e' && p[3] == 'd' && p[4] == '=')
			return parse_hex(p + 5, v);
	return false;
}

int rand_seeds(uint64_t fixed, uint64_t seeds[RAND_MAX_SEEDS])
{
	uint64_t v;
	if (cmdline_seed(&v)) {
		seed_from_cmdline = 1;
		seeds[0] = v;
		return 1;
	}
	/* The TSC's low bits move fastest; splitmix spreads them over all 64.
	 * An emulator with a deterministic clock (Bochs with clock sync=none,
	 * QEMU -icount) reads the same TSC here every run: RDRAND, where CPUID
	 * has it, adds what the host's generator gives. */
	struct rng r = {rdtsc()};
	uint64_t hw;
	if (rdrand64(&hw))
		r.s ^= hw;
	seed_fixed = fixed;
	seed_random = rng_next(&r);
	if (seed_random == fixed)
		seed_random++;
	seeds[0] = seed_fixed;
	seeds[1] = seed_random;
	return 2;
}

void rand_round(struct rng *r, const char *what, uint64_t seed)
{
	r->s = seed;
	printf("%s: seed %#llx (%s)\n", what, (unsigned long long)seed,
	       seed_from_cmdline     ? "command line"
	       : seed == seed_fixed  ? "fixed"
	       : seed == seed_random ? "random, from RDTSC and RDRAND"
				     : "given");
}
