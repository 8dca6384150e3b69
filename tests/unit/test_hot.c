/* SPDX-License-Identifier: GPL-2.0-only */
/* test_hot.c: the most frequent keys in fixed space (vmm/lib/hot.c), as
 * `vmctl stats` shows a guest's I/O ports and MMIO pages. */
#include "test.h"

#include "vmm/lib/hot.h"

TEST(hot, empty_table_has_no_keys)
{
	struct hot h = {0};
	uint64_t k[HOT_SLOTS], c[HOT_SLOTS];
	EXPECT_EQ(hot_top(&h, HOT_SLOTS, k, c, NULL), 0);
}

TEST(hot, few_keys_counted_exactly_and_ordered)
{
	struct hot h = {0};
	uint64_t k[HOT_SLOTS], c[HOT_SLOTS], e[HOT_SLOTS];
	for (int i = 0; i < 5; i++)
		hot_add(&h, 0x3f8);
	for (int i = 0; i < 9; i++)
		hot_add(&h, 0xcfc);
	hot_add(&h, 0x80);
	for (int i = 0; i < 5; i++)
		hot_add(&h, 0x70); /* the same count as 0x3f8: the smaller key first */
	EXPECT_EQ(hot_top(&h, HOT_SLOTS, k, c, e), 4);
	EXPECT_EQ(k[0], 0xcfc);
	EXPECT_EQ(c[0], 9);
	EXPECT_EQ(k[1], 0x70);
	EXPECT_EQ(k[2], 0x3f8);
	EXPECT_EQ(c[2], 5);
	EXPECT_EQ(k[3], 0x80);
	EXPECT_EQ(c[3], 1);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(e[i], 0); /* none ever left the table */
	/* asking for fewer gives the most counted */
	EXPECT_EQ(hot_top(&h, 1, k, c, NULL), 1);
	EXPECT_EQ(k[0], 0xcfc);
}

/* Two heavy keys among a stream of 10000 distinct others: both found,
 * their counts within the documented bounds, and every bound holds. */
TEST(hot, heavy_keys_found_among_many_distinct_ones)
{
	struct hot h = {0};
	uint64_t k[HOT_SLOTS], c[HOT_SLOTS], e[HOT_SLOTS];
	uint64_t heavy_a = 0, heavy_b = 0, total = 0;
	uint64_t seed = 12345;
	for (int i = 0; i < 30000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t key;
		if (i % 3 == 0) {
			key = 0xfee00; /* a third of the stream */
			heavy_a++;
		} else if (i % 5 == 0) {
			key = 0xfe000;
			heavy_b++;
		} else {
			key = 0x100000 + (seed >> 33) % 10000; /* noise */
		}
		hot_add(&h, key);
		total++;
	}
	unsigned n = hot_top(&h, HOT_SLOTS, k, c, e);
	EXPECT_EQ(n, HOT_SLOTS);
	EXPECT_EQ(k[0], 0xfee00);
	EXPECT_TRUE(c[0] >= heavy_a && c[0] - e[0] <= heavy_a);
	EXPECT_EQ(k[1], 0xfe000);
	EXPECT_TRUE(c[1] >= heavy_b && c[1] - e[1] <= heavy_b);
	/* the counts add up to the stream's length (each add counts once) */
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += c[i];
	EXPECT_EQ(sum, total);
	/* an over-estimate is bounded by the smallest count */
	for (unsigned i = 0; i < n; i++)
		EXPECT_TRUE(e[i] <= c[n - 1]);
}
