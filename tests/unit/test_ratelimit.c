/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ratelimit.c: the log token bucket (vmm/lib/ratelimit.c). TSC at 1 GHz
 * (tsc_khz 1000000) unless a test says otherwise: one second = 1e9. */
#include "test.h"

#include "vmm/lib/ratelimit.h"

#define TSC_KHZ 1000000ULL
#define SEC	(TSC_KHZ * 1000ULL)

static unsigned allowed_at(struct ratelimit *rl, uint64_t now, unsigned tries)
{
	unsigned n = 0;
	for (unsigned i = 0; i < tries; i++)
		n += ratelimit_allow(rl, now);
	return n;
}

TEST(ratelimit, burst_then_refused_and_counted)
{
	struct ratelimit rl;
	ratelimit_init(&rl, 10, 5, TSC_KHZ);
	EXPECT_EQ(allowed_at(&rl, 5 * SEC, 25), 10);
	EXPECT_EQ(ratelimit_take_suppressed(&rl), 15);
	EXPECT_EQ(ratelimit_take_suppressed(&rl), 0); /* taking resets */
}

TEST(ratelimit, refills_per_second)
{
	struct ratelimit rl;
	ratelimit_init(&rl, 10, 5, TSC_KHZ);
	uint64_t t = 123 * SEC;
	EXPECT_EQ(allowed_at(&rl, t, 10), 10);
	EXPECT_FALSE(ratelimit_allow(&rl, t + SEC / 5 - 1)); /* one token takes 200 ms */
	EXPECT_TRUE(ratelimit_allow(&rl, t + SEC / 5));
	EXPECT_FALSE(ratelimit_allow(&rl, t + SEC / 5));
	/* a second later: 5 more, not 6 */
	EXPECT_EQ(allowed_at(&rl, t + SEC / 5 + SEC, 10), 5);
	EXPECT_EQ(ratelimit_take_suppressed(&rl), 2 + 5);
}

TEST(ratelimit, flood_over_ten_seconds_is_bounded)
{
	/* 160 messages a second for 10 s (a hostile IOPM's route refusals):
	 * burst + rate * 10 s get through, the rest is counted. */
	struct ratelimit rl;
	ratelimit_init(&rl, 20, 5, TSC_KHZ);
	unsigned n = 0, total = 0;
	for (uint64_t t = 1000 * SEC; t < 1010 * SEC; t += SEC / 160, total++)
		n += ratelimit_allow(&rl, t);
	EXPECT_LE(n, 20 + 5 * 10 + 1);
	EXPECT_GE(n, 20 + 5 * 10 - 1);
	EXPECT_EQ(ratelimit_take_suppressed(&rl), total - n);
}

TEST(ratelimit, idle_time_refills_only_up_to_the_burst)
{
	struct ratelimit rl;
	ratelimit_init(&rl, 3, 100, TSC_KHZ);
	EXPECT_EQ(allowed_at(&rl, SEC, 3), 3);
	EXPECT_EQ(allowed_at(&rl, 1000000 * SEC, 10), 3);
}

TEST(ratelimit, tsc_going_backwards_earns_nothing)
{
	struct ratelimit rl;
	ratelimit_init(&rl, 2, 1, TSC_KHZ);
	EXPECT_EQ(allowed_at(&rl, 50 * SEC, 2), 2);
	/* an older TSC value (another CPU): no underflow into a huge credit */
	EXPECT_FALSE(ratelimit_allow(&rl, 10 * SEC));
	EXPECT_FALSE(ratelimit_allow(&rl, 50 * SEC + SEC / 2));
	EXPECT_TRUE(ratelimit_allow(&rl, 51 * SEC));
}

TEST(ratelimit, no_clock_or_no_rate_means_burst_only)
{
	struct ratelimit rl;
	ratelimit_init(&rl, 4, 5, 0);
	EXPECT_EQ(allowed_at(&rl, 0, 10), 4);
	EXPECT_EQ(allowed_at(&rl, ~0ULL, 10), 0);
	ratelimit_init(&rl, 4, 0, TSC_KHZ);
	EXPECT_EQ(allowed_at(&rl, SEC, 10), 4);
	EXPECT_EQ(allowed_at(&rl, 100 * SEC, 10), 0);
	ratelimit_init(&rl, 0, 5, TSC_KHZ);
	EXPECT_EQ(allowed_at(&rl, 100 * SEC, 10), 0);
	EXPECT_EQ(ratelimit_take_suppressed(&rl), 10);
}

TEST(ratelimit, extreme_values_saturate)
{
	struct ratelimit rl;
	/* cost 1.8e13 cycles (1 message a second at the largest tsc_khz) times
	 * a burst of 4e9 does not fit 64 bits: the cap saturates */
	ratelimit_init(&rl, 0xffffffffU, 1, 18000000000ULL);
	EXPECT_EQ(rl.cap, UINT64_MAX);
	EXPECT_TRUE(ratelimit_allow(&rl, 0));
	EXPECT_TRUE(ratelimit_allow(&rl, UINT64_MAX));
	/* a rate above the TSC frequency: every cycle earns one */
	ratelimit_init(&rl, 2, 0xffffffffU, 1);
	EXPECT_EQ(rl.cost, 1);
	EXPECT_EQ(allowed_at(&rl, 10, 5), 2);
	EXPECT_EQ(allowed_at(&rl, 11, 5), 1);
}
