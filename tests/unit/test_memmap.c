/* SPDX-License-Identifier: GPL-2.0-only */
/* test_memmap.c: unit tests of memory-map normalization (vmm/platform/memmap.c):
 * firmware-style maps, overlaps, unsorted and wrapping entries, overflow of
 * MEMMAP_MAX, and a randomized comparison against a byte-painting model. */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "vmm/platform/memmap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void build(struct memmap *m, const struct mem_range *in, size_t n)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++)
		EXPECT_EQ(memmap_add(m, in[i].base, in[i].size, in[i].type), 0);
}

static void expect_map(const struct memmap *m, const struct mem_range *want, size_t n)
{
	size_t i;

	EXPECT_TRUE(memmap_is_normalized(m));
	EXPECT_EQ(m->count, n);
	for (i = 0; i < n; i++) {
		test_context("range %zu", i);
		EXPECT_EQ(m->r[i].base, want[i].base);
		EXPECT_EQ(m->r[i].size, want[i].size);
		EXPECT_EQ(m->r[i].type, want[i].type);
	}
	test_context("%s", "");
}

/* QEMU/Bochs with 512 MiB: already normalized, must come out unchanged. */
TEST(memmap, qemu_map_unchanged)
{
	static const struct mem_range in[] = {
	    {0, 0x9fc00, MEM_USABLE},
	    {0x9fc00, 0x400, MEM_RESERVED},
	    {0xf0000, 0x10000, MEM_RESERVED},
	    {0x100000, 0x1fee0000, MEM_USABLE},
	    {0x1ffe0000, 0x20000, MEM_RESERVED},
	    {0xfffc0000, 0x40000, MEM_RESERVED},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, in, N(in));
	EXPECT_EQ(memmap_usable_bytes(&m), 0x9fc00 + 0x1fee0000ULL);
}

TEST(memmap, unsorted)
{
	static const struct mem_range in[] = {
	    {0x100000, 0x100000, MEM_USABLE},
	    {0xf0000, 0x10000, MEM_RESERVED},
	    {0, 0x9f000, MEM_USABLE},
	};
	static const struct mem_range want[] = {
	    {0, 0x9f000, MEM_USABLE},
	    {0xf0000, 0x10000, MEM_RESERVED},
	    {0x100000, 0x100000, MEM_USABLE},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

TEST(memmap, overlapping_usable_merged)
{
	static const struct mem_range in[] = {
	    {0x100000, 0x200000, MEM_USABLE},
	    {0x200000, 0x200000, MEM_USABLE},
	    {0x150000, 0x10000, MEM_USABLE},
	    {0x100000, 0x200000, MEM_USABLE},
	};
	static const struct mem_range want[] = {
	    {0x100000, 0x300000, MEM_USABLE},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

TEST(memmap, reserved_inside_usable_splits)
{
	static const struct mem_range in[] = {
	    {0x100000, 0x1000000, MEM_USABLE},
	    {0x800000, 0x1000, MEM_RESERVED},
	};
	static const struct mem_range want[] = {
	    {0x100000, 0x700000, MEM_USABLE},
	    {0x800000, 0x1000, MEM_RESERVED},
	    {0x801000, 0x8ff000, MEM_USABLE},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
	EXPECT_EQ(memmap_usable_bytes(&m), 0x1000000 - 0x1000);
}

TEST(memmap, usable_inside_reserved_vanishes)
{
	static const struct mem_range in[] = {
	    {0x800000, 0x1000, MEM_USABLE},
	    {0x100000, 0x1000000, MEM_RESERVED},
	};
	static const struct mem_range want[] = {
	    {0x100000, 0x1000000, MEM_RESERVED},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
	EXPECT_EQ(memmap_usable_bytes(&m), 0);
}

TEST(memmap, partial_overlap)
{
	static const struct mem_range in[] = {
	    {0x0, 0x100, MEM_USABLE},
	    {0x80, 0x100, MEM_ACPI_RECLAIM},
	};
	static const struct mem_range want[] = {
	    {0x0, 0x80, MEM_USABLE},
	    {0x80, 0x100, MEM_ACPI_RECLAIM},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

/* bad > reserved > ACPI NVS > ACPI reclaimable > usable */
TEST(memmap, type_priority)
{
	static const struct mem_range in[] = {
	    {0x0000, 0x5000, MEM_USABLE},   {0x1000, 0x4000, MEM_ACPI_RECLAIM},
	    {0x2000, 0x3000, MEM_ACPI_NVS}, {0x3000, 0x2000, MEM_RESERVED},
	    {0x4000, 0x1000, MEM_BAD},	    {0x0000, 0x5000, MEM_USABLE},
	};
	static const struct mem_range want[] = {
	    {0x0000, 0x1000, MEM_USABLE},   {0x1000, 0x1000, MEM_ACPI_RECLAIM},
	    {0x2000, 0x1000, MEM_ACPI_NVS}, {0x3000, 0x1000, MEM_RESERVED},
	    {0x4000, 0x1000, MEM_BAD},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

TEST(memmap, unknown_types_are_reserved)
{
	static const struct mem_range in[] = {
	    {0x1000, 0x1000, 0},	   {0x2000, 0x1000, 6},
	    {0x3000, 0x1000, 0xffffffff},  {0x4000, 0x1000, MEM_RESERVED},
	    {0x0000, 0x10000, MEM_USABLE},
	};
	static const struct mem_range want[] = {
	    {0x0000, 0x1000, MEM_USABLE},
	    {0x1000, 0x4000, MEM_RESERVED},
	    {0x5000, 0xb000, MEM_USABLE},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

TEST(memmap, zero_size_ignored)
{
	static const struct mem_range want[] = {
	    {0x1000, 0x1000, MEM_USABLE},
	};
	struct memmap m;

	memset(&m, 0, sizeof(m));
	EXPECT_EQ(memmap_add(&m, 0x5000, 0, MEM_RESERVED), 0);
	EXPECT_EQ(memmap_add(&m, 0, 0, MEM_USABLE), 0);
	EXPECT_EQ(m.count, 0);
	EXPECT_EQ(memmap_add(&m, 0x1000, 0x1000, MEM_USABLE), 0);
	/* zero-size entries written directly are dropped by normalize too */
	m.r[m.count++] = (struct mem_range){0x8000, 0, MEM_BAD};
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

TEST(memmap, wrap_around_clipped)
{
	struct memmap m;

	memset(&m, 0, sizeof(m));
	/* wraps past 2^64: clipped to MEMMAP_PHYS_LIMIT */
	EXPECT_EQ(memmap_add(&m, 0x100000000ULL, UINT64_MAX, MEM_USABLE), 0);
	/* entirely above the physical limit: ignored */
	EXPECT_EQ(memmap_add(&m, 0xfffffffffffff000ULL, 0x2000, MEM_RESERVED), 0);
	EXPECT_EQ(memmap_add(&m, MEMMAP_PHYS_LIMIT, 0x1000, MEM_RESERVED), 0);
	EXPECT_EQ(m.count, 1);
	/* raw wrapping entries written directly are clipped by normalize */
	m.r[m.count++] = (struct mem_range){0xffffffffffff0000ULL, 0x20000, MEM_BAD};
	m.r[m.count++] = (struct mem_range){MEMMAP_PHYS_LIMIT - 0x1000, UINT64_MAX, MEM_RESERVED};
	EXPECT_EQ(memmap_normalize(&m), 0);
	EXPECT_TRUE(memmap_is_normalized(&m));
	EXPECT_EQ(m.count, 2);
	EXPECT_EQ(m.r[0].base, 0x100000000ULL);
	EXPECT_EQ(m.r[0].size, MEMMAP_PHYS_LIMIT - 0x1000 - 0x100000000ULL);
	EXPECT_EQ(m.r[1].base, MEMMAP_PHYS_LIMIT - 0x1000);
	EXPECT_EQ(m.r[1].size, 0x1000);
	EXPECT_EQ(m.r[1].type, MEM_RESERVED);
}

TEST(memmap, adjacent_merge_only_same_type)
{
	static const struct mem_range in[] = {
	    {0x3000, 0x1000, MEM_USABLE},   {0x1000, 0x1000, MEM_USABLE},   {0x2000, 0x1000, MEM_USABLE},
	    {0x4000, 0x1000, MEM_ACPI_NVS}, {0x5000, 0x1000, MEM_ACPI_NVS}, {0x6000, 0x1000, MEM_USABLE},
	    {0x8000, 0x1000, MEM_USABLE},
	};
	static const struct mem_range want[] = {
	    {0x1000, 0x3000, MEM_USABLE},
	    {0x4000, 0x2000, MEM_ACPI_NVS},
	    {0x6000, 0x1000, MEM_USABLE},
	    {0x8000, 0x1000, MEM_USABLE},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	expect_map(&m, want, N(want));
}

TEST(memmap, empty_map)
{
	struct memmap m;

	memset(&m, 0, sizeof(m));
	EXPECT_EQ(memmap_normalize(&m), 0);
	EXPECT_EQ(m.count, 0);
	EXPECT_TRUE(memmap_is_normalized(&m));
	EXPECT_EQ(memmap_usable_bytes(&m), 0);
	EXPECT_FALSE(memmap_is_usable(&m, 0x1000, 0x1000));
}

TEST(memmap, normalize_idempotent_and_bad_count)
{
	static const struct mem_range in[] = {
	    {0x5000, 0x3000, MEM_USABLE},
	    {0x0, 0x6000, MEM_RESERVED},
	};
	struct memmap m, again;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	again = m;
	EXPECT_EQ(memmap_normalize(&again), 0);
	EXPECT_EQ(memcmp(&m, &again, sizeof(m)), 0);
	/* a corrupt count is clamped, not trusted */
	m.count = 100000;
	EXPECT_FALSE(memmap_is_normalized(&m));
	memmap_normalize(&m);
	EXPECT_LE(m.count, MEMMAP_MAX);
	EXPECT_TRUE(memmap_is_normalized(&m));
}

TEST(memmap, is_usable)
{
	static const struct mem_range in[] = {
	    {0, 0x9fc00, MEM_USABLE},	      {0x9fc00, 0x400, MEM_RESERVED},
	    {0x100000, 0x100000, MEM_USABLE}, {0x200000, 0x100000, MEM_ACPI_RECLAIM},
	    {0x300000, 0x100000, MEM_USABLE},
	};
	struct memmap m;

	build(&m, in, N(in));
	EXPECT_EQ(memmap_normalize(&m), 0);
	EXPECT_TRUE(memmap_is_usable(&m, 0x8000, 0x1000));
	EXPECT_TRUE(memmap_is_usable(&m, 0, 0x9fc00));
	EXPECT_FALSE(memmap_is_usable(&m, 0, 0x9fc01));
	EXPECT_FALSE(memmap_is_usable(&m, 0x9f000, 0x1000));
	EXPECT_TRUE(memmap_is_usable(&m, 0x100000, 0x100000));
	EXPECT_FALSE(memmap_is_usable(&m, 0x1ff000, 0x2000));
	EXPECT_FALSE(memmap_is_usable(&m, 0x100000, 0x300000));
	EXPECT_FALSE(memmap_is_usable(&m, 0x100000, 0));
	EXPECT_FALSE(memmap_is_usable(&m, UINT64_MAX, 2));
	EXPECT_FALSE(memmap_is_usable(&m, 0xc0000, 0x1000));
}

TEST(memmap, is_normalized_rejects)
{
	struct memmap m;

	memset(&m, 0, sizeof(m));
	m.count = 2;
	m.r[0] = (struct mem_range){0x2000, 0x1000, MEM_USABLE};
	m.r[1] = (struct mem_range){0x1000, 0x1000, MEM_RESERVED};
	EXPECT_FALSE(memmap_is_normalized(&m)); /* unsorted */
	m.r[0] = (struct mem_range){0x1000, 0x1001, MEM_USABLE};
	m.r[1] = (struct mem_range){0x2000, 0x1000, MEM_RESERVED};
	EXPECT_FALSE(memmap_is_normalized(&m)); /* overlap */
	m.r[0] = (struct mem_range){0x1000, 0x1000, MEM_RESERVED};
	EXPECT_FALSE(memmap_is_normalized(&m)); /* adjacent same type */
	m.r[0] = (struct mem_range){0x1000, 0x1000, 9};
	EXPECT_FALSE(memmap_is_normalized(&m)); /* unknown type */
	m.r[0] = (struct mem_range){0x1000, 0, MEM_USABLE};
	EXPECT_FALSE(memmap_is_normalized(&m)); /* empty */
	m.r[0] = (struct mem_range){0x1000, 0x1000, MEM_USABLE};
	EXPECT_TRUE(memmap_is_normalized(&m));
	m.r[1] = (struct mem_range){0x2000, UINT64_MAX - 0x1000, MEM_RESERVED};
	EXPECT_FALSE(memmap_is_normalized(&m)); /* past the physical limit */
}

TEST(memmap, type_names)
{
	EXPECT_STREQ(memmap_type_name(MEM_USABLE), "usable");
	EXPECT_STREQ(memmap_type_name(MEM_RESERVED), "reserved");
	EXPECT_STREQ(memmap_type_name(MEM_ACPI_RECLAIM), "ACPI");
	EXPECT_STREQ(memmap_type_name(MEM_ACPI_NVS), "ACPI NVS");
	EXPECT_STREQ(memmap_type_name(MEM_BAD), "bad");
	EXPECT_STREQ(memmap_type_name(77), "unknown");
}

/* Adjacent entries beyond MEMMAP_MAX: add compacts the map, nothing lost. */
TEST(memmap, overflow_adjacent_compacts)
{
	struct memmap m;
	uint64_t i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < 3 * MEMMAP_MAX; i++)
		EXPECT_EQ(memmap_add(&m, 0x100000 + i * 0x1000, 0x1000, MEM_USABLE), 0);
	EXPECT_EQ(memmap_normalize(&m), 0);
	EXPECT_EQ(m.count, 1);
	EXPECT_EQ(memmap_usable_bytes(&m), 3 * MEMMAP_MAX * 0x1000);
}

/* Disjoint usable entries beyond MEMMAP_MAX: the extra ones are dropped. */
TEST(memmap, overflow_usable_dropped)
{
	struct memmap m;
	uint64_t i;
	int dropped = 0;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < MEMMAP_MAX + 10; i++) {
		int ret = memmap_add(&m, 0x100000 + i * 0x2000, 0x1000, MEM_USABLE);

		EXPECT_TRUE(ret == 0 || ret == -ENOSPC);
		dropped += ret == -ENOSPC;
	}
	EXPECT_EQ(dropped, 10);
	EXPECT_EQ(memmap_normalize(&m), 0);
	EXPECT_EQ(m.count, MEMMAP_MAX);
	EXPECT_EQ(memmap_usable_bytes(&m), MEMMAP_MAX * 0x1000);
}

/* Check that every byte of each reserved entry is still non-usable. */
static void expect_never_usable(const struct memmap *m, const struct zone *res, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		test_context("reserved 0x%llx+0x%llx", (unsigned long long)res[i].base,
			     (unsigned long long)res[i].size);
		for (j = 0; j < m->count; j++)
			if (m->r[j].type == MEM_USABLE)
				EXPECT_FALSE(m->r[j].base < res[i].base + res[i].size &&
					     res[i].base < m->r[j].base + m->r[j].size);
	}
	test_context("%s", "");
}

/* A full map of usable RAM, then reserved entries: usable RAM is evicted,
 * never a reserved entry. */
TEST(memmap, overflow_never_drops_reserved)
{
	static struct zone res[50];
	struct memmap m;
	uint64_t i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < MEMMAP_MAX; i++)
		EXPECT_EQ(memmap_add(&m, 0x1000000 + i * 0x10000, 0x8000, MEM_USABLE), 0);
	for (i = 0; i < N(res); i++) {
		int ret;

		/* half inside usable ranges, half in the gaps */
		res[i].base = 0x1000000 + i * 0x20000 + (i % 2 ? 0x9000 : 0x2000);
		res[i].size = 0x1000;
		ret = memmap_add(&m, res[i].base, res[i].size, MEM_RESERVED);
		EXPECT_TRUE(ret == 0 || ret == -ENOSPC);
	}
	EXPECT_SLT(memmap_normalize(&m), 1);
	EXPECT_TRUE(memmap_is_normalized(&m));
	expect_never_usable(&m, res, N(res));
}

/* Normalizing needs more than MEMMAP_MAX ranges (a hole in each of 64
 * usable ranges makes 192): usable RAM is dropped, reserved stays. */
TEST(memmap, normalize_output_overflow)
{
	static struct zone res[MEMMAP_MAX / 2];
	struct memmap m;
	uint64_t i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < N(res); i++) {
		uint64_t base = 0x1000000 + i * 0x100000;

		EXPECT_EQ(memmap_add(&m, base, 0x10000, MEM_USABLE), 0);
		res[i].base = base + 0x8000;
		res[i].size = 0x1000;
		EXPECT_EQ(memmap_add(&m, res[i].base, res[i].size, MEM_RESERVED), 0);
	}
	EXPECT_EQ(memmap_normalize(&m), -ENOSPC);
	EXPECT_TRUE(memmap_is_normalized(&m));
	EXPECT_LE(m.count, MEMMAP_MAX);
	expect_never_usable(&m, res, N(res));
	EXPECT_GT(memmap_usable_bytes(&m), 0);
}

/* More disjoint reserved entries than MEMMAP_MAX: neighbours are merged,
 * every reserved byte stays reserved. */
TEST(memmap, overflow_all_reserved)
{
	static struct zone res[MEMMAP_MAX + 40];
	struct memmap m;
	uint64_t i;

	memset(&m, 0, sizeof(m));
	EXPECT_EQ(memmap_add(&m, 0, 0x100000000ULL, MEM_USABLE), 0);
	for (i = 0; i < N(res); i++) {
		int ret;

		res[i].base = 0x1000000 + i * 0x3000;
		res[i].size = 0x1000;
		ret = memmap_add(&m, res[i].base, res[i].size, i % 3 ? MEM_RESERVED : MEM_ACPI_NVS);
		EXPECT_TRUE(ret == 0 || ret == -ENOSPC);
	}
	memmap_normalize(&m);
	EXPECT_TRUE(memmap_is_normalized(&m));
	EXPECT_LE(m.count, MEMMAP_MAX);
	expect_never_usable(&m, res, N(res));
}

/* Model: paint each unit of a small address space with the winning type
 * and compare with the normalized map. */
#define MODEL_UNITS 512
#define MODEL_UNIT  0x100

static unsigned int rank(uint32_t t)
{
	static const unsigned int r[] = {0, 0, 3, 1, 2, 4};

	return t <= MEM_BAD ? r[t] : 3;
}

TEST(memmap, random_against_model)
{
	unsigned int seed = 777;
	int iter;

	for (iter = 0; iter < 3000; iter++) {
		uint32_t model[MODEL_UNITS] = {0}; /* 0: no entry */
		struct memmap m;
		int n = rand_r(&seed) % 40, i, ret;
		uint64_t usable = 0, u;

		memset(&m, 0, sizeof(m));
		for (i = 0; i < n; i++) {
			uint64_t b = (uint64_t)(rand_r(&seed) % MODEL_UNITS);
			uint64_t s = (uint64_t)(rand_r(&seed) % 64);
			/* 0 is an unknown type; 6 and 7 add more RAM than holes */
			uint32_t t = (uint32_t)(rand_r(&seed) % 8), type;

			if (t >= 6)
				t = MEM_USABLE;
			type = t ? t : MEM_RESERVED;
			if (b + s > MODEL_UNITS)
				s = MODEL_UNITS - b;
			for (u = b; u < b + s; u++)
				if (!model[u] || rank(type) > rank(model[u]))
					model[u] = type;
			EXPECT_EQ(memmap_add(&m, b * MODEL_UNIT, s * MODEL_UNIT, t), 0);
		}
		test_context("iteration %d", iter);
		ret = memmap_normalize(&m);
		EXPECT_EQ(ret, 0);
		EXPECT_TRUE(memmap_is_normalized(&m));
		for (u = 0; u < MODEL_UNITS; u++) {
			uint32_t got = 0, j;

			for (j = 0; j < m.count; j++)
				if (m.r[j].base <= u * MODEL_UNIT &&
				    u * MODEL_UNIT < m.r[j].base + m.r[j].size)
					got = m.r[j].type;
			EXPECT_EQ(got, model[u]);
			if (model[u] == MEM_USABLE)
				usable += MODEL_UNIT;
		}
		EXPECT_EQ(memmap_usable_bytes(&m), usable);
	}
}
